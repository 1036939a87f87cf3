//! A run of a scenario: build its model, run the engine, write the run
//! folder (CLI.md): summary.csv, scalars.csv, manifest.json, and with
//! `save_replications` replications.csv. The folder appears atomically.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::engine::{self, Hooks, Model, ReplicationValues, RunOptions, RunSummary};
use crate::error::Error;
use crate::model::{self, ModelOptions};
use crate::output::manifest::{Manifest, RunFacts};
use crate::output::run_dir::PendingDir;
use crate::output::tables;
use crate::scenario::Scenario;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Replications (ignored in deterministic mode, which runs one).
    pub replications: u64,
    pub seed: u64,
    /// Worker threads (at least 1). Results never depend on it.
    pub threads: usize,
    /// MODEL.md deterministic mode.
    pub deterministic: bool,
    /// The run folder to create or replace.
    pub out_dir: PathBuf,
    /// Also write every replication's inputs and scalars.
    pub save_replications: bool,
    /// The command line that reproduces the run, for the manifest.
    pub command: String,
}

/// A finished run.
#[derive(Debug)]
pub struct RunOutcome {
    /// The published run folder.
    pub dir: PathBuf,
    pub summary: RunSummary,
    pub wall_time_seconds: f64,
}

/// Run `scenario` and write its run folder. `progress` receives the number
/// of replications done so far.
pub fn run(
    scenario: &Scenario,
    settings: &RunSettings,
    progress: Option<&mut dyn FnMut(u64)>,
) -> Result<RunOutcome, Error> {
    let started = Instant::now();
    let replications = if settings.deterministic {
        1
    } else {
        settings.replications
    };
    let built = model::build(
        scenario,
        ModelOptions {
            replications,
            seed: settings.seed,
            deterministic: settings.deterministic,
        },
    )?;
    let pending = PendingDir::create(&settings.out_dir)?;

    let summary = crate::with_model!(&built, |m| run_engine(
        m,
        scenario,
        settings,
        replications,
        &pending,
        progress
    ))?;

    pending.write("summary.csv", tables::summary_csv(&summary).as_bytes())?;
    pending.write(
        "scalars.csv",
        tables::scalars_csv(&summary, &scenario.outputs.targets).as_bytes(),
    )?;
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let manifest = Manifest::new(
        scenario,
        RunFacts {
            seed: settings.seed,
            replications,
            deterministic: settings.deterministic,
            threads: settings.threads,
            wall_time_seconds,
            quantile_method: quantile_method(replications),
            command: settings.command.clone(),
        },
    );
    pending.write("manifest.json", manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(RunOutcome {
        dir,
        summary,
        wall_time_seconds,
    })
}

/// How the quantile columns are computed, for the manifest.
pub fn quantile_method(replications: u64) -> String {
    if replications <= engine::stats::EXACT_QUANTILE_LIMIT as u64 {
        "exact, Hyndman-Fan type 7 (linear interpolation between order statistics)".into()
    } else {
        format!(
            "Hyndman-Fan type 7 on a mergeable log-bucket sketch: relative error at most {:.3}%",
            engine::stats::SKETCH_RELATIVE_ACCURACY * 100.0
        )
    }
}

fn run_engine<M: Model>(
    model: &M,
    scenario: &Scenario,
    settings: &RunSettings,
    replications: u64,
    pending: &PendingDir,
    mut progress: Option<&mut dyn FnMut(u64)>,
) -> Result<RunSummary, Error> {
    let layout = model.layout();
    let options = RunOptions {
        replications,
        threads: settings.threads,
        quantiles: scenario.outputs.quantiles.clone(),
        scalar_targets: layout
            .scalars
            .iter()
            .map(|s| {
                scenario
                    .outputs
                    .targets
                    .iter()
                    .find(|(name, _)| name == s)
                    .map(|&(_, t)| t)
            })
            .collect(),
    };

    // replications.csv is streamed row by row in replication order; an I/O
    // error is kept and reported after the run (hooks cannot fail).
    let mut saver = if settings.save_replications {
        let path = pending.path("replications.csv");
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut w = std::io::BufWriter::new(file);
        w.write_all(tables::replications_header(&layout.inputs, &layout.scalars).as_bytes())
            .map_err(|e| Error::io(&path, e))?;
        Some((path, w, String::new(), None::<std::io::Error>))
    } else {
        None
    };
    let summary = {
        let mut sink = |v: ReplicationValues<'_>| {
            if let Some((_, w, line, failed)) = saver.as_mut() {
                if failed.is_some() {
                    return;
                }
                line.clear();
                tables::replications_row(line, v.replication, v.inputs, v.scalars);
                if let Err(e) = w.write_all(line.as_bytes()) {
                    *failed = Some(e);
                }
            }
        };
        let mut report = |done: u64| {
            if let Some(p) = progress.as_mut() {
                p(done);
            }
        };
        let hooks = Hooks {
            on_replication: if settings.save_replications {
                Some(&mut sink)
            } else {
                None
            },
            on_progress: Some(&mut report),
        };
        engine::run(model, &options, hooks).map_err(|e| Error::Runtime(e.to_string()))?
    };
    if let Some((path, mut w, _, failed)) = saver {
        if let Some(e) = failed {
            return Err(Error::io(&path, e));
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
    }
    Ok(summary)
}

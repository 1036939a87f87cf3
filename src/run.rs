//! A run of a scenario: build its model, run the engine, write the run
//! folder (CLI.md): summary.csv, scalars.csv, manifest.json, and with
//! `save_replications` replications.csv. The folder appears atomically.

use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Instant;

use crate::engine::{
    self, Hooks, OutputLayout, PartialRun, ReplicationValues, RunOptions, RunSummary,
};
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
    let replications = settings.effective_replications();
    let pending = PendingDir::create(&settings.out_dir)?;
    let chunks = 0..engine::chunk_count(replications);
    let summary = simulate(scenario, settings, chunks, &pending, progress)?.finish();
    write_results(&pending, scenario, &summary)?;
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let manifest = run_manifest(scenario, settings, wall_time_seconds);
    pending.write("manifest.json", manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(RunOutcome {
        dir,
        summary,
        wall_time_seconds,
    })
}

impl RunSettings {
    /// Replications actually run: one in deterministic mode.
    pub fn effective_replications(&self) -> u64 {
        if self.deterministic {
            1
        } else {
            self.replications
        }
    }
}

/// The files a run folder holds that are computed from the run's summary
/// alone: `summary.csv` and `scalars.csv`. Shared by `run`, `merge` (so a
/// merged run writes the same bytes) and the sweep's point folders.
pub(crate) fn write_results(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
) -> Result<(), Error> {
    pending.write("summary.csv", tables::summary_csv(summary).as_bytes())?;
    pending.write(
        "scalars.csv",
        tables::scalars_csv(summary, &scenario.outputs.targets).as_bytes(),
    )
}

/// The manifest of a run of `scenario` with `settings`.
pub(crate) fn run_manifest(
    scenario: &Scenario,
    settings: &RunSettings,
    wall_time_seconds: f64,
) -> Manifest {
    let replications = settings.effective_replications();
    Manifest::new(
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
    )
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

/// The engine options of a run of `scenario` whose model records `layout`:
/// the scenario's quantile levels and targets.
pub(crate) fn run_options(
    scenario: &Scenario,
    layout: &OutputLayout,
    replications: u64,
    threads: usize,
) -> RunOptions {
    RunOptions {
        replications,
        threads,
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
    }
}

/// Build the scenario's model and run chunks `chunks` (non-empty) of the
/// run `settings` describes, streaming `replications.csv` into `pending`
/// when asked (the rows of these chunks only, after the header).
pub(crate) fn simulate(
    scenario: &Scenario,
    settings: &RunSettings,
    chunks: Range<u64>,
    pending: &PendingDir,
    mut progress: Option<&mut dyn FnMut(u64)>,
) -> Result<PartialRun, Error> {
    let replications = settings.effective_replications();
    let model = model::build(
        scenario,
        ModelOptions {
            replications,
            seed: settings.seed,
            deterministic: settings.deterministic,
        },
    )?;
    let layout = model.layout();
    let options = run_options(scenario, layout, replications, settings.threads);

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
    let partial = {
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
        model
            .run_partial(&options, chunks, hooks)
            .map_err(|e| Error::Runtime(e.to_string()))?
    };
    if let Some((path, mut w, _, failed)) = saver {
        if let Some(e) = failed {
            return Err(Error::io(&path, e));
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
    }
    Ok(partial)
}

/// Run all of `scenario` in memory, for commands that run several scenarios
/// (compare, sweep): the summary holds the scenario's quantile levels plus
/// `extra_levels` (see [`RunSummary::at_levels`] to drop them again), and
/// `on_replication` sees every replication's scalars and inputs in order.
pub fn summarize<'h>(
    scenario: &Scenario,
    settings: &RunSettings,
    extra_levels: &[f64],
    on_replication: Option<&'h mut dyn FnMut(ReplicationValues<'_>)>,
    progress: Option<&'h mut dyn FnMut(u64)>,
) -> Result<RunSummary, Error> {
    let replications = settings.effective_replications();
    let model = model::build(
        scenario,
        ModelOptions {
            replications,
            seed: settings.seed,
            deterministic: settings.deterministic,
        },
    )?;
    let mut options = run_options(scenario, model.layout(), replications, settings.threads);
    for &level in extra_levels {
        if !options
            .quantiles
            .iter()
            .any(|q| q.to_bits() == level.to_bits())
        {
            options.quantiles.push(level);
        }
    }
    let hooks = Hooks {
        on_replication,
        on_progress: progress,
    };
    let chunks = 0..engine::chunk_count(replications);
    Ok(model
        .run_partial(&options, chunks, hooks)
        .map_err(|e| Error::Runtime(e.to_string()))?
        .finish())
}

/// Write the run folder `settings.out_dir` of a run summarised in
/// `summary` (which may hold extra quantile levels: the tables get the
/// scenario's), exactly as [`run`] would, atomically.
pub fn write_run_folder(
    scenario: &Scenario,
    settings: &RunSettings,
    summary: &RunSummary,
    wall_time_seconds: f64,
) -> Result<PathBuf, Error> {
    let tables = summary
        .at_levels(&scenario.outputs.quantiles)
        .ok_or_else(|| Error::Runtime("the summary lacks the scenario's quantile levels".into()))?;
    let pending = PendingDir::create(&settings.out_dir)?;
    write_results(&pending, scenario, &tables)?;
    let manifest = run_manifest(scenario, settings, wall_time_seconds);
    pending.write("manifest.json", manifest.to_json().as_bytes())?;
    pending.publish()
}

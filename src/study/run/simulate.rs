//! Running a scenario's model through the engine: [`Prepared`] (the
//! model and its parameter source), the engine options of a run, a run
//! of some chunks that streams `replications.csv` and fills the reservoir
//! ([`simulate`]), a whole run in memory ([`summarize`]), and the error
//! that says how to replay a replication that went wrong.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;

use crate::engine::{
    self, EngineError, Hooks, OutputLayout, ParameterSource, PartialRun, Record, ReplicationValues,
    RunOptions, RunSummary, RunnableModel,
};
use crate::error::Error;
use crate::output::charts;
use crate::output::reservoir::Reservoir;
use crate::output::run_dir::PendingDir;
use crate::output::tables;
use crate::scenario::{ModelOptions, Scenario};

use super::RunSettings;

/// The engine options of a run of `scenario` whose model records `layout`:
/// the scenario's quantile levels plus the fan charts' (see
/// [`charts::with_fan_levels`]), and the scenario's targets.
pub(crate) fn run_options(
    scenario: &Scenario,
    layout: &OutputLayout,
    replications: u64,
    threads: usize,
) -> RunOptions {
    RunOptions {
        replications,
        threads,
        quantiles: charts::with_fan_levels(&scenario.outputs.quantiles),
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
        keep_series: scenario
            .outputs
            .tables
            .keep_series(layout, &scenario.outputs.charts),
    }
}

/// A scenario's model and the source of its parameter values, ready to run.
pub struct Prepared {
    /// The model, built by the scenario's kind.
    pub model: Box<dyn RunnableModel>,
    /// Each replication's parameter values: drawn (random or Latin
    /// hypercube, correlated), or every parameter at its mean in
    /// deterministic mode.
    pub source: Box<dyn ParameterSource>,
}

impl Prepared {
    /// The model of `scenario` and its parameter source for a run of
    /// `replications` (ignored in deterministic mode, which runs one) with
    /// `seed`.
    pub fn new(
        scenario: &Scenario,
        replications: u64,
        seed: u64,
        deterministic: bool,
    ) -> Result<Prepared, Error> {
        let replications = if deterministic { 1 } else { replications };
        let model = scenario.model.build(
            scenario,
            ModelOptions {
                replications,
                seed,
                deterministic,
            },
        )?;
        let source: Box<dyn ParameterSource> = if deterministic {
            Box::new(scenario.parameters.mean_values())
        } else {
            Box::new(scenario.parameter_sampler(replications, seed)?)
        };
        Ok(Prepared { model, source })
    }

    /// What the run records, inputs included.
    pub fn layout(&self) -> OutputLayout {
        let mut layout = self.model.layout().clone();
        layout.inputs = self.source.inputs().to_vec();
        layout
    }

    /// Replication `replication`'s record alone (any replication can be
    /// replayed by itself).
    pub fn run_one(&self, replication: u64) -> Record {
        self.model.run_one(self.source.as_ref(), replication)
    }
}

/// The model of `scenario` and its parameter source for the run
/// `settings` describe.
pub(crate) fn prepare(scenario: &Scenario, settings: &RunSettings) -> Result<Prepared, Error> {
    Prepared::new(
        scenario,
        settings.replications,
        settings.seed,
        settings.deterministic,
    )
}

/// Build the scenario's model and run chunks `chunks` (non-empty) of the
/// run `settings` describes, streaming `replications.csv` into `pending`
/// when asked (the rows of these chunks only, after the header), and
/// keeping the reservoir of these chunks' replications.
pub(crate) fn simulate(
    scenario: &Scenario,
    settings: &RunSettings,
    chunks: Range<u64>,
    pending: &PendingDir,
    progress: Option<&mut dyn FnMut(u64)>,
) -> Result<(PartialRun, Reservoir), Error> {
    let mut simulation = Simulation::new(scenario, settings, pending)?;
    let partial = simulation.run_chunks(chunks, progress)?;
    Ok((partial, simulation.finish()?))
}

/// `replications.csv` as it is streamed: its path, the writer, a line
/// buffer, and the first I/O error (hooks cannot fail, so it is kept and
/// reported after the run).
type Saver = (
    std::path::PathBuf,
    std::io::BufWriter<std::fs::File>,
    String,
    Option<std::io::Error>,
);

/// A run in progress: the model built once, then successive chunk ranges
/// run in order ([`Simulation::run_chunks`]), each streaming its rows of
/// `replications.csv` and feeding one reservoir, as one run over all of
/// them would. `run --precision` runs it checkpoint by checkpoint.
pub(crate) struct Simulation<'a> {
    scenario: &'a Scenario,
    settings: &'a RunSettings,
    prepared: Prepared,
    options: RunOptions,
    saver: Option<Saver>,
    reservoir: Reservoir,
}

impl<'a> Simulation<'a> {
    /// The model of `scenario` ready for the run `settings` describe, with
    /// `replications.csv` (header only yet) in `pending` when asked.
    pub(crate) fn new(
        scenario: &'a Scenario,
        settings: &'a RunSettings,
        pending: &PendingDir,
    ) -> Result<Self, Error> {
        let replications = settings.effective_replications();
        let prepared = prepare(scenario, settings)?;
        let layout = &prepared.layout();
        let options = run_options(scenario, layout, replications, settings.threads);
        let saver = if settings.save_replications {
            let path = pending.path("replications.csv");
            let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
            let mut w = std::io::BufWriter::new(file);
            w.write_all(tables::replications_header(&layout.inputs, &layout.scalars).as_bytes())
                .map_err(|e| Error::io(&path, e))?;
            Some((path, w, String::new(), None))
        } else {
            None
        };
        Ok(Simulation {
            scenario,
            settings,
            prepared,
            options,
            saver,
            reservoir: Reservoir::new(settings.reservoir, settings.seed),
        })
    }

    /// What the run summarises, inputs included: the series its
    /// `[outputs] tables` keeps.
    pub(crate) fn layout(&self) -> OutputLayout {
        let layout = self.prepared.layout();
        match &self.options.keep_series {
            Some(keep) => layout.keeping(keep),
            None => layout,
        }
    }

    /// Run chunks `chunks`, which must follow the previous call's.
    pub(crate) fn run_chunks(
        &mut self,
        chunks: Range<u64>,
        mut progress: Option<&mut dyn FnMut(u64)>,
    ) -> Result<PartialRun, Error> {
        let reservoir = &mut self.reservoir;
        let saver = &mut self.saver;
        let mut sink = |v: ReplicationValues<'_>| {
            reservoir.offer(v.replication, v.inputs, v.scalars);
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
            on_replication: Some(&mut sink),
            on_progress: Some(&mut report),
            ..Hooks::default()
        };
        self.prepared
            .model
            .run_partial(self.prepared.source.as_ref(), &self.options, chunks, hooks)
            .map_err(|e| engine_failure(self.scenario, self.settings, e))
    }

    /// Flush `replications.csv`; the reservoir of every replication run.
    pub(crate) fn finish(self) -> Result<Reservoir, Error> {
        if let Some((path, mut w, _, failed)) = self.saver {
            if let Some(e) = failed {
                return Err(Error::io(&path, e));
            }
            w.flush().map_err(|e| Error::io(&path, e))?;
        }
        Ok(self.reservoir)
    }
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
    let prepared = prepare(scenario, settings)?;
    let mut options = run_options(scenario, &prepared.layout(), replications, settings.threads);
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
        ..Hooks::default()
    };
    let chunks = 0..engine::chunk_count(replications);
    Ok(prepared
        .model
        .run_partial(prepared.source.as_ref(), &options, chunks, hooks)
        .map_err(|e| engine_failure(scenario, settings, e))?
        .finish())
}

/// The error of a run of `scenario` with `settings` that the engine
/// stopped. A non-finite value gets what is needed to replay it: the
/// replication, the value, that replication's static draws (drawn again
/// here: they depend only on the scenario, seed, replication count and
/// replication) and the command that reproduces the run.
fn engine_failure(scenario: &Scenario, settings: &RunSettings, e: EngineError) -> Error {
    let EngineError::NonFinite {
        replication,
        value,
        found,
    } = &e
    else {
        return Error::Engine(e);
    };
    let n = settings.effective_replications();
    let name = &scenario.name;
    let mut message = if settings.deterministic {
        format!(
            "{name}: the deterministic replication recorded {value} = {found}, not a finite number"
        )
    } else {
        format!(
            "{name}: replication {replication} (of {n}, seed {}) recorded {value} = {found}, not a finite number",
            settings.seed
        )
    };
    let draws = match scenario.parameter_sampler(n, settings.seed) {
        Ok(sampler) => {
            let mut draw = sampler.buffer();
            if settings.deterministic {
                draw.values = scenario.parameters.means();
            } else {
                sampler.draw(*replication, &mut draw);
            }
            sampler
                .uncertain_ids()
                .iter()
                .map(|&id| (scenario.parameters.get(id).path.as_str(), draw.get(id)))
                .collect()
        }
        Err(_) => Vec::new(),
    };
    if draws.is_empty() {
        message.push_str(
            "\nThe scenario has no uncertain parameters: the random shocks alone led there.",
        );
    } else {
        let which = if settings.deterministic {
            "Its parameters (every one at its mean)"
        } else {
            "Its static draws"
        };
        let _ = write!(message, "\n{which}:");
        for (path, v) in draws {
            let _ = write!(message, "\n  {path} = {v}");
        }
    }
    let _ = write!(
        message,
        "\nEvery valid scenario should give finite values: please report this with the scenario files.\nReplay (same replication, any thread count): {}",
        settings.command
    );
    Error::NonFinite {
        source: e,
        report: message,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::tests::settings;
    use super::*;

    /// The message of a non-finite value names the replication, the value
    /// and its year, lists that replication's static draws exactly as
    /// `sezsim sample` prints them, and says how to replay it.
    #[test]
    fn a_non_finite_value_is_reported_with_the_replications_draws() {
        let scenario = crate::load(Path::new("tests/fixtures/full/base.toml")).unwrap();
        let s = settings("output/base")
            .with_replications(300)
            .with_command("sezsim run base.toml -n 300 --seed 42");
        let e = EngineError::NonFinite {
            replication: 17,
            value: engine::RecordedValue::Series {
                output: "exports".into(),
                zone: "north".into(),
                year: 2031,
            },
            found: f64::NAN,
        };
        let message = engine_failure(&scenario, &s, e).to_string();
        assert!(
            message.starts_with(
                "error: full_base: replication 17 (of 300, seed 42) recorded output `exports` of zone `north` in 2031 = NaN"
            ),
            "{message}"
        );
        assert!(
            message.ends_with("sezsim run base.toml -n 300 --seed 42"),
            "{message}"
        );
        let mut csv = Vec::new();
        crate::output::sample::write_samples(&scenario, 300, 42, 1, &mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.nth(17).unwrap().split(',').collect();
        assert_eq!(row[0], "17");
        assert!(header.len() > 3);
        for (path, value) in header.iter().zip(&row).skip(1) {
            let line = format!("\n  {path} = {value}\n");
            assert!(message.contains(&line), "{line:?} missing from\n{message}");
        }
    }

    /// The engine's errors reach the caller typed: a value that is not
    /// finite with its replay report, any other as it is.
    #[test]
    fn engine_errors_keep_their_type() {
        let scenario = crate::load(Path::new("tests/fixtures/full/base.toml")).unwrap();
        let s = settings("output/base");
        let e = engine_failure(&scenario, &s, EngineError::NoReplications);
        assert!(
            matches!(e, Error::Engine(EngineError::NoReplications)),
            "{e:?}"
        );
        let e = EngineError::NonFinite {
            replication: 3,
            value: engine::RecordedValue::Scalar { name: "npv".into() },
            found: f64::INFINITY,
        };
        let e = engine_failure(&scenario, &s, e);
        assert!(
            matches!(
                &e,
                Error::NonFinite {
                    source: EngineError::NonFinite { replication: 3, .. },
                    report,
                } if e.to_string() == format!("error: {report}")
            ),
            "{e:?}"
        );
    }
}

//! A run of a scenario: build its model, run the engine, write the run
//! folder (CLI.md): summary.csv, scalars.csv, manifest.json, report.md,
//! the chart data (fan.csv, reservoir.csv), the charts in charts/, and with
//! `save_replications` replications.csv. The folder appears atomically.
//!
//! The engine computes the user's quantile levels plus the five fan levels
//! (P5, P25, P50, P75, P95); summary.csv and scalars.csv show the user's,
//! fan.csv the fan's. The charts are drawn from the chart data as written
//! (parsed back from the same bytes), exactly as `sezsim plot` draws them.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::{
    self, EngineError, Hooks, OutputLayout, ParameterSource, PartialRun, Record, ReplicationValues,
    RunOptions, RunSummary, RunnableModel,
};
use crate::error::Error;
use crate::output::charts::{self, ChartData, ChartSpec, FanData, RunFiles};
use crate::output::manifest::{Manifest, RunFacts};
use crate::output::report::{self, Report};
use crate::output::reservoir::{self, Reservoir};
use crate::output::run_dir::PendingDir;
use crate::output::tables;
use crate::output::target::Output;
use crate::scenario::ModelOptions;
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
    /// Most replications kept for the distribution and tornado charts
    /// (reservoir.csv); [`reservoir::DEFAULT_CAPACITY`] by default.
    pub reservoir: usize,
    /// The command line that reproduces the run, for the manifest and the
    /// report (see [`reproduce_command`]).
    pub command: String,
}

/// A finished run.
#[derive(Debug)]
pub struct RunOutcome {
    /// The published run folder.
    pub dir: PathBuf,
    /// The engine's summary. Its quantile levels are the scenario's plus the
    /// fan levels (summary.csv shows only the scenario's).
    pub summary: RunSummary,
    pub wall_time_seconds: f64,
    /// The charts drawn, in report order.
    pub charts: Vec<ChartSpec>,
    /// What report.md shows (render it with [`report::render`]).
    pub report: Report,
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
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let chunks = 0..engine::chunk_count(replications);
    let (partial, reservoir) = simulate(scenario, settings, chunks, &pending, progress)?;
    let summary = partial.finish();
    write_results(&pending, scenario, &summary)?;
    let mut manifest = run_manifest(scenario, settings, 0.0);
    let (data, charts) = write_charts(
        &pending, scenario, &summary, &reservoir, &manifest, settings,
    )?;
    let wall_time_seconds = started.elapsed().as_secs_f64();
    manifest.wall_time_seconds = wall_time_seconds;
    let report = write_report(&pending, scenario, &summary, &data, &manifest)?;
    pending.write("manifest.json", manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(RunOutcome {
        dir,
        summary,
        wall_time_seconds,
        charts,
        report,
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
/// alone: `summary.csv` and `scalars.csv`, at the scenario's quantile
/// levels (`summary` may hold more). Shared by `run`, `merge` (so a merged
/// run writes the same bytes) and the sweep's point folders.
pub(crate) fn write_results(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
) -> Result<(), Error> {
    let tables = summary
        .at_levels(&scenario.outputs.quantiles)
        .ok_or_else(|| Error::Runtime("the summary lacks the scenario's quantile levels".into()))?;
    pending.write("summary.csv", tables::summary_csv(&tables).as_bytes())?;
    pending.write(
        charts::data::SCALARS_CSV,
        tables::scalars_csv(&tables, &scenario.outputs.targets).as_bytes(),
    )
}

/// The chart data (`fan.csv`, `reservoir.csv`) and the charts of a run
/// folder whose `scalars.csv` is already in `pending`, drawn from the bytes
/// written, parsed back as `sezsim plot` parses them, so both draw the same
/// charts. `manifest` is the run's (its wall time is not drawn). Shared by
/// `run`, `merge` and `compare`'s run folders.
pub(crate) fn write_charts(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
    reservoir: &Reservoir,
    manifest: &Manifest,
    settings: &RunSettings,
) -> Result<(ChartData, Vec<ChartSpec>), Error> {
    let fan_csv = FanData::from_summary(summary, &scenario.outputs.charts)?.to_csv();
    pending.write(charts::FAN_CSV, fan_csv.as_bytes())?;
    let reservoir_csv = reservoir.to_csv(&summary.layout.inputs, &summary.layout.scalars);
    pending.write(charts::RESERVOIR_CSV, reservoir_csv.as_bytes())?;
    let scalars_path = pending.path(charts::data::SCALARS_CSV);
    let scalars_csv =
        std::fs::read_to_string(&scalars_path).map_err(|e| Error::io(&scalars_path, e))?;
    let data = ChartData::parse(
        RunFiles {
            manifest: &manifest.to_json(),
            fan: &fan_csv,
            scalars: &scalars_csv,
            reservoir: &reservoir_csv,
        },
        &settings.out_dir,
    )?;
    let drawn = charts::render_all(&data, settings.threads)?;
    charts::write_charts(pending, &format!("{}/", charts::CHARTS_DIR), &drawn)?;
    Ok((data, drawn.into_iter().map(|c| c.spec).collect()))
}

/// `report.md` of a run folder (see [`report`]); returns what it shows.
pub(crate) fn write_report(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
    data: &ChartData,
    manifest: &Manifest,
) -> Result<Report, Error> {
    let report = Report::new(scenario, summary, data, manifest);
    pending.write("report.md", report::render(&report).as_bytes())?;
    Ok(report)
}

/// The manifest of a run of `scenario` with `settings`.
pub(crate) fn run_manifest(
    scenario: &Scenario,
    settings: &RunSettings,
    wall_time_seconds: f64,
) -> Manifest {
    let replications = settings.effective_replications();
    let mut manifest = Manifest::new(
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
    manifest.reservoir_capacity = settings.reservoir.max(1);
    manifest
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
    mut progress: Option<&mut dyn FnMut(u64)>,
) -> Result<(PartialRun, Reservoir), Error> {
    let replications = settings.effective_replications();
    let prepared = prepare(scenario, settings)?;
    let layout = &prepared.layout();
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
    let mut reservoir = Reservoir::new(settings.reservoir, settings.seed);
    let partial = {
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
        };
        prepared
            .model
            .run_partial(prepared.source.as_ref(), &options, chunks, hooks)
            .map_err(|e| engine_failure(scenario, settings, e))?
    };
    if let Some((path, mut w, _, failed)) = saver {
        if let Some(e) = failed {
            return Err(Error::io(&path, e));
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
    }
    Ok((partial, reservoir))
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

/// Write the run folder `settings.out_dir` of a run summarised in
/// `summary` (from [`summarize`], so with the fan levels; it may hold more
/// levels: the tables get the scenario's), with `reservoir` filled from
/// its replications, exactly as [`run`] would, atomically. The wall time
/// recorded is `wall_time_seconds` plus the time to draw the charts.
pub fn write_run_folder(
    scenario: &Scenario,
    settings: &RunSettings,
    summary: &RunSummary,
    reservoir: &Reservoir,
    wall_time_seconds: f64,
) -> Result<PathBuf, Error> {
    let started = Instant::now();
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    write_results(&pending, scenario, summary)?;
    let mut manifest = run_manifest(scenario, settings, 0.0);
    let (data, _) = write_charts(&pending, scenario, summary, reservoir, &manifest, settings)?;
    manifest.wall_time_seconds = wall_time_seconds + started.elapsed().as_secs_f64();
    write_report(&pending, scenario, summary, &data, &manifest)?;
    pending.write("manifest.json", manifest.to_json().as_bytes())?;
    pending.publish()
}

/// The command that reproduces a run of the scenario file `scenario` (as
/// the user gave it) with `settings`: every setting that changes results
/// spelled out (replications, seed, reservoir), so the command does not
/// depend on the scenario's defaults; `--out` only when not the default
/// folder ([`default_run_dir`]).
pub fn reproduce_command(scenario: &Path, scenario_name: &str, settings: &RunSettings) -> String {
    let mut words = vec![
        "sezsim".to_string(),
        "run".into(),
        shell_word(&scenario.display().to_string()),
    ];
    if settings.deterministic {
        words.push("--deterministic".into());
    } else {
        words.push("-n".into());
        words.push(settings.replications.to_string());
    }
    words.push("--seed".into());
    words.push(settings.seed.to_string());
    if settings.reservoir != reservoir::DEFAULT_CAPACITY {
        words.push("--reservoir".into());
        words.push(settings.reservoir.to_string());
    }
    if settings.save_replications {
        words.push("--save-replications".into());
    }
    if settings.out_dir != default_run_dir(scenario_name, settings.deterministic) {
        words.push("--out".into());
        words.push(shell_word(&settings.out_dir.display().to_string()));
    }
    words.join(" ")
}

/// The run folder a run writes without `--out`: `output/<scenario name>`,
/// or `output/<scenario name>_deterministic` for a deterministic run, so
/// that the one-replication check never replaces the Monte Carlo results.
pub fn default_run_dir(scenario_name: &str, deterministic: bool) -> PathBuf {
    let name = if deterministic {
        format!("{scenario_name}_deterministic")
    } else {
        scenario_name.to_string()
    };
    Path::new("output").join(name)
}

/// `word` quoted for a POSIX shell when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+,@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(out: &str) -> RunSettings {
        RunSettings {
            replications: 10_000,
            seed: 42,
            threads: 2,
            deterministic: false,
            out_dir: PathBuf::from(out),
            save_replications: false,
            reservoir: reservoir::DEFAULT_CAPACITY,
            command: String::new(),
        }
    }

    #[test]
    fn reproduce_commands_spell_out_what_changes_results() {
        let s = settings("output/base");
        assert_eq!(
            reproduce_command(Path::new("scenarios/base.toml"), "base", &s),
            "sezsim run scenarios/base.toml -n 10000 --seed 42"
        );
        let mut s = settings("my runs/it's");
        s.deterministic = true;
        s.reservoir = 500;
        assert_eq!(
            reproduce_command(Path::new("a.toml"), "base", &s),
            r"sezsim run a.toml --deterministic --seed 42 --reservoir 500 --out 'my runs/it'\''s'"
        );
    }

    /// The message of a non-finite value names the replication, the value
    /// and its year, lists that replication's static draws exactly as
    /// `sezsim sample` prints them, and says how to replay it.
    #[test]
    fn a_non_finite_value_is_reported_with_the_replications_draws() {
        let scenario = crate::load(Path::new("tests/fixtures/full/base.toml")).unwrap();
        let mut s = settings("output/base");
        s.replications = 300;
        s.command = "sezsim run base.toml -n 300 --seed 42".into();
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

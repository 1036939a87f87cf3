//! A run of a scenario: build its model, run the engine, write the run
//! folder (docs/outputs.md): summary.csv, scalars.csv, manifest.json, report.md,
//! the chart data (fan.csv, reservoir.csv), the charts in charts/, and with
//! `save_replications` replications.csv. The folder appears atomically.
//!
//! The engine computes the user's quantile levels plus the five fan levels
//! (P5, P25, P50, P75, P95); summary.csv and scalars.csv show the user's,
//! fan.csv the fan's. The charts are drawn from the chart data as written
//! (parsed back from the same bytes), exactly as `sezsim plot` draws them.
//!
//! Build a run's [`RunSettings`] with [`RunSettings::new`] and its `with_*`
//! methods. The files: `folder` writes a run folder's files (shared with
//! `merge`, `compare` and `sweep`), `simulate` runs the model through the
//! engine, `command` spells out the command that reproduces a run,
//! `terminal` says what `sezsim run` prints.

mod command;
mod folder;
mod precision;
pub use precision::{FIRST_CHECKPOINT, PRECISION_DEFAULT_CAP, checkpoints, precision_shortfall};
mod simulate;
mod terminal;

use std::path::PathBuf;
use std::time::Instant;

use crate::engine::{self, RunSummary};
use crate::error::Error;
use crate::output::charts::ChartSpec;
use crate::output::manifest::PrecisionRecord;
use crate::output::precision::PrecisionSpec;
use crate::output::report::Report;
use crate::output::reservoir::{self, Reservoir};
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::scenario::Scenario;

pub use super::paths::default_run_dir;
pub use command::reproduce_command;
pub(crate) use command::shell_word;
pub use folder::quantile_method;
pub(crate) use folder::{run_manifest, write_charts, write_report, write_results};
pub use simulate::{Prepared, summarize};
pub(crate) use simulate::{Simulation, simulate};
pub use terminal::terminal_summary;

/// What to run. Made by [`RunSettings::new`] (a Monte Carlo run of the
/// scenario with its own replications and seed) and changed by the
/// `with_*` methods, so each caller states only what differs; every
/// command builds its runs' settings this way.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunSettings {
    /// Replications (ignored in deterministic mode, which runs one).
    pub replications: u64,
    /// The base seed of every random stream.
    pub seed: u64,
    /// Worker threads (at least 1). Results never depend on it.
    pub threads: usize,
    /// Deterministic mode: one replication with every parameter at its
    /// mean and no shocks (docs/model.md).
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
    /// Stop at the first checkpoint where every request is met
    /// (`--precision`); `replications` is then the cap. Empty: run exactly
    /// `replications`.
    pub precision: Vec<PrecisionSpec>,
}

/// A finished run.
#[derive(Debug)]
pub struct RunOutcome {
    /// The published run folder.
    pub dir: PathBuf,
    /// The engine's summary. Its quantile levels are the scenario's plus the
    /// fan levels (summary.csv shows only the scenario's).
    pub summary: RunSummary,
    /// Seconds the run took, charts included.
    pub wall_time_seconds: f64,
    /// The charts drawn, in report order.
    pub charts: Vec<ChartSpec>,
    /// What report.md shows (render it with
    /// [`report::render`](crate::output::report::render)).
    pub report: Report,
    /// For a run to a stated precision: what it achieved.
    pub precision: Option<PrecisionRecord>,
}

/// Run `scenario` and write its run folder. `progress` receives the number
/// of replications done so far.
pub fn run(
    scenario: &Scenario,
    settings: &RunSettings,
    progress: Option<&mut dyn FnMut(u64)>,
) -> Result<RunOutcome, Error> {
    run_observed(scenario, settings, progress, None)
}

/// [`run`], and with [`RunSettings::precision`] a message after each
/// checkpoint (the worst ratio of achieved to requested half-width) for
/// `message`.
pub fn run_observed(
    scenario: &Scenario,
    settings: &RunSettings,
    progress: Option<&mut dyn FnMut(u64)>,
    message: Option<&mut dyn FnMut(&str)>,
) -> Result<RunOutcome, Error> {
    let started = Instant::now();
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let (partial, reservoir, record) = if settings.precision.is_empty() {
        let replications = settings.effective_replications();
        let chunks = 0..engine::chunk_count(replications);
        let (partial, reservoir) = simulate(scenario, settings, chunks, &pending, progress)?;
        (partial, reservoir, None)
    } else {
        let (partial, reservoir, record) =
            precision::run_to_precision(scenario, settings, &pending, progress, message)?;
        (partial, reservoir, Some(record))
    };
    let summary = partial.finish();
    // The files of a run stopped at n are those of a run of n.
    let stopped = settings.clone().with_replications(summary.replications);
    let settings = &stopped;
    write_results(&pending, scenario, &summary)?;
    let mut manifest = run_manifest(scenario, settings, 0.0);
    manifest.precision = record.clone();
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
        precision: record,
    })
}

impl RunSettings {
    /// A Monte Carlo run of `scenario` into `out_dir`: the scenario's
    /// replications and seed, every core ([`available_threads`]), no
    /// `replications.csv`, a reservoir of [`reservoir::DEFAULT_CAPACITY`]
    /// and no command recorded.
    pub fn new(scenario: &Scenario, out_dir: impl Into<PathBuf>) -> RunSettings {
        RunSettings {
            replications: scenario.replications,
            seed: scenario.seed,
            threads: available_threads(),
            deterministic: false,
            out_dir: out_dir.into(),
            save_replications: false,
            reservoir: reservoir::DEFAULT_CAPACITY,
            command: String::new(),
            precision: scenario.outputs.precision.clone(),
        }
    }

    /// Run to `requests` (see [`RunSettings::precision`]).
    pub fn with_precision(mut self, requests: Vec<PrecisionSpec>) -> Self {
        self.precision = requests;
        self
    }

    /// `replications` replications (ignored in deterministic mode).
    pub fn with_replications(mut self, replications: u64) -> Self {
        self.replications = replications;
        self
    }

    /// The base seed `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// `threads` worker threads (at least 1); results never depend on it.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Deterministic mode when `deterministic`: one replication with every
    /// parameter at its mean and no shocks.
    pub fn with_deterministic(mut self, deterministic: bool) -> Self {
        self.deterministic = deterministic;
        self
    }

    /// Also write `replications.csv` when `save`.
    pub fn with_save_replications(mut self, save: bool) -> Self {
        self.save_replications = save;
        self
    }

    /// Keep at most `capacity` replications for the distribution and
    /// tornado charts.
    pub fn with_reservoir(mut self, capacity: usize) -> Self {
        self.reservoir = capacity;
        self
    }

    /// Record `command` in the manifest and the report.
    pub fn with_command(mut self, command: impl Into<String>) -> Self {
        self.command = command.into();
        self
    }

    /// Replications actually run: one in deterministic mode.
    pub fn effective_replications(&self) -> u64 {
        if self.deterministic {
            1
        } else {
            self.replications
        }
    }
}

/// The worker threads a command uses unless told otherwise: every core the
/// system offers (1 when it cannot say).
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// A run of the test fixture with 10,000 replications, seed 42 and 2
    /// threads into `out`, for the tests of this module's files.
    pub(super) fn settings(out: &str) -> RunSettings {
        let scenario = crate::load(Path::new("tests/fixtures/full/base.toml")).unwrap();
        RunSettings::new(&scenario, out)
            .with_replications(10_000)
            .with_seed(42)
            .with_threads(2)
    }

    /// `new` takes the scenario's replications and seed and the defaults of
    /// `sezsim run`; each `with_*` changes its setting alone.
    #[test]
    fn settings_start_from_the_scenario_and_change_one_thing_at_a_time() {
        let scenario = crate::load(Path::new("tests/fixtures/full/base.toml")).unwrap();
        let s = RunSettings::new(&scenario, "out");
        assert_eq!(
            (s.replications, s.seed, s.threads),
            (scenario.replications, scenario.seed, available_threads())
        );
        assert!(!s.deterministic && !s.save_replications && s.command.is_empty());
        assert_eq!(
            (s.out_dir.as_path(), s.reservoir),
            (Path::new("out"), reservoir::DEFAULT_CAPACITY)
        );
        assert_eq!(s.effective_replications(), scenario.replications);
        let t = s
            .clone()
            .with_replications(7)
            .with_seed(9)
            .with_threads(3)
            .with_deterministic(true)
            .with_save_replications(true)
            .with_reservoir(11)
            .with_command("sezsim run x.toml");
        assert_eq!(
            (t.replications, t.seed, t.threads, t.reservoir),
            (7, 9, 3, 11)
        );
        assert!(t.deterministic && t.save_replications);
        assert_eq!(t.command, "sezsim run x.toml");
        assert_eq!(t.out_dir, s.out_dir);
        assert_eq!(t.effective_replications(), 1);
    }
}

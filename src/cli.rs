//! Command-line arguments (clap), and one function per subcommand that
//! calls the library and prints what it did. Nothing here computes or
//! writes results: default folders, the Slurm script and the terminal
//! summaries are the library's.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use sezsim::analysis::{self, AnalysisSettings, Method};
use sezsim::compare::{self, CompareSettings};
use sezsim::error::Error;
use sezsim::output::charts::ChartSize;
use sezsim::output::{atomic, charts, reservoir, sample};
use sezsim::run::{self, RunSettings};
use sezsim::scenario::{self, MAX_REPLICATIONS, MAX_SEED, Registry, Scenario};
use sezsim::shard::{self, Shard};
use sezsim::sweep::slurm::{self, SlurmPlan};
use sezsim::sweep::{self, Sweep, SweepSettings};

/// `print!` to standard output, returning an error instead of panicking
/// when it cannot be written: a closed pipe (`sezsim check s.toml | head -1`)
/// becomes [`Error::Io`] with `BrokenPipe`, which `main` ends quietly.
macro_rules! out {
    ($($arg:tt)*) => {
        write!(std::io::stdout().lock(), $($arg)*).map_err(|e| Error::io(STDOUT, e))
    };
}

/// `println!` to standard output, as [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(|e| Error::io(STDOUT, e))
    };
}

/// How standard output is named in I/O errors.
const STDOUT: &str = "<stdout>";

/// Monte Carlo simulation of Special Economic Zone growth under uncertainty.
#[derive(Debug, Parser)]
#[command(name = "sezsim", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Monte Carlo run: writes summary.csv, scalars.csv, report.md, charts/
    /// and manifest.json to output/<scenario name>/ (or --out DIR),
    /// atomically.
    #[command(
        after_help = "Examples:\n  sezsim run scenarios/cpec_baseline.toml\n  \
        sezsim run scenarios/cpec_baseline.toml -n 100000 --threads 2 --out output/big\n  \
        sezsim run scenarios/cpec_baseline.toml --deterministic\n  \
        sezsim run scenarios/cpec_baseline.toml --shard 2/8 --out shards/2"
    )]
    Run(RunArgs),
    /// Redraw every chart of a finished run from its saved tables, without
    /// re-running the model.
    #[command(after_help = "Example:\n  sezsim plot output/cpec_baseline")]
    Plot(PlotArgs),
    /// Write results.xlsx (the folder's tables as an Excel workbook, fan
    /// charts as native charts) into an existing run, comparison or sweep
    /// folder.
    #[command(after_help = "Example:\n  sezsim export output/cpec_baseline --xlsx")]
    Export(ExportArgs),
    /// Merge the partial results of `run --shard I/N` (or `sweep --shard I/N`)
    /// into exactly the folder the unsharded command writes.
    #[command(
        after_help = "Example:\n  sezsim run scenarios/cpec_baseline.toml --shard 1/2 --out shards/1\n  \
        sezsim run scenarios/cpec_baseline.toml --shard 2/2 --out shards/2\n  \
        sezsim merge shards/1 shards/2 --out output/cpec_baseline"
    )]
    Merge(MergeArgs),
    /// Compare policy variants with a base scenario: every scenario runs with
    /// the same seed and replications (common random numbers); writes
    /// compare.csv, compare.md, overlay fan charts (charts/compare_<output>)
    /// and each scenario's run folder.
    #[command(
        after_help = "Examples:\n  sezsim compare scenarios/cpec_baseline.toml scenarios/cpec_skills_scaleup.toml\n  \
        sezsim compare scenarios/cpec_baseline.toml scenarios/cpec_energy_reliability.toml \\\n      \
        scenarios/cpec_incentives_restored.toml -n 20000 --out output/policies"
    )]
    Compare(CompareArgs),
    /// Run a parameter sweep (grid or Latin hypercube) over a base scenario:
    /// writes points.csv, charts of the sweep and a run folder per point.
    /// Re-running resumes: finished points are kept.
    #[command(
        after_help = "Examples:\n  sezsim sweep scenarios/sweep_grid_stability.toml\n  \
        sezsim sweep scenarios/sweep_grid_stability.toml --shard 2/4 --out shards/2\n  \
        sezsim merge shards/1 shards/2 shards/3 shards/4 --out output/skills_grid"
    )]
    Sweep(SweepArgs),
    /// Global sensitivity analysis: Sobol' indices (first order, total,
    /// second order) or Morris elementary effects of every uncertain input
    /// (correlated blocks and [sensitivity] groups as one factor); writes
    /// sobol.csv or morris.csv, report.md, charts/ and manifest.json to
    /// output/<scenario name>_<method>/ (or --out DIR), atomically.
    #[command(
        after_help = "Examples:\n  sezsim sensitivity scenarios/cpec_baseline.toml\n  \
        sezsim sensitivity scenarios/cpec_baseline.toml --samples 4096 --outputs exports,fiscal_npv\n  \
        sezsim sensitivity scenarios/cpec_baseline.toml --method morris --samples 40\n  \
        sezsim sensitivity scenarios/cpec_baseline.toml --shard 2/4 --out shards/2"
    )]
    Sensitivity(SensitivityArgs),
    /// Parse and validate a scenario; print its zones, uncertain parameters,
    /// correlations and series.
    #[command(after_help = "Example:\n  sezsim check scenarios/cpec_baseline.toml")]
    Check(CheckArgs),
    /// Write the static parameter draws: one row per replication, one column
    /// per uncertain parameter path.
    #[command(
        after_help = "Example:\n  sezsim sample scenarios/cpec_baseline.toml -n 1000 --out draws.csv"
    )]
    Sample(SampleArgs),
}

// The arguments of `sezsim run`.
#[derive(Debug, Args)]
struct RunArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    #[command(flatten)]
    common: Common,
    /// One replication with every parameter at its mean and no shocks
    /// (checkable by hand).
    #[arg(long)]
    deterministic: bool,
    /// The run folder (default: output/<scenario name>). Created, or
    /// replaced atomically if sezsim wrote it; anything else is refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write replications.csv: every replication's uncertain inputs
    /// and scalar outcomes.
    #[arg(long)]
    save_replications: bool,
    /// Run only shard I of N (I from 1 to N) of the replications and write
    /// a partial result (default folder: output/<scenario name>-shards/I-of-N);
    /// `sezsim merge` combines the N partial results.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Most replications kept (a uniform random sample beyond that) for
    /// the histograms, CDFs and tornado charts.
    #[arg(long, value_name = "N", default_value_t = reservoir::DEFAULT_CAPACITY)]
    reservoir: usize,
    /// Chart size: slide (1600 x 1000 pixels, the default), a4 (16 x 11
    /// cm) or a5 (11.8 x 8 cm), all at 250 dpi with the same text size;
    /// overrides `[outputs].chart_size`.
    #[arg(long, value_name = "SIZE", value_parser = parse_chart_size)]
    chart_size: Option<ChartSize>,
    /// Run until a statistic is known to a tolerance: NAME[:STAT]=TOL, e.g.
    /// exports_final=1% or exports_final:p05=2% (repeatable; replaces the
    /// scenario's [outputs] precision). -n becomes the cap (default: the
    /// scenario's replications x 100, at most 10^8).
    #[arg(long, value_name = "SPEC")]
    precision: Vec<String>,
}

// The arguments of `sezsim plot`.
#[derive(Debug, Args)]
struct PlotArgs {
    /// The run folder `sezsim run` wrote.
    run_dir: PathBuf,
    /// Chart size: slide, a4 or a5 (default: the size the run was drawn
    /// at, in its manifest.json).
    #[arg(long, value_name = "SIZE", value_parser = parse_chart_size)]
    chart_size: Option<ChartSize>,
    /// Worker threads (default: all cores). The charts never depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Print nothing on success.
    #[arg(short, long)]
    quiet: bool,
}

// The arguments of `sezsim export`.
#[derive(Debug, Args)]
struct ExportArgs {
    /// The run, comparison or sweep folder sezsim wrote.
    dir: PathBuf,
    /// Write results.xlsx (the only format so far, so required).
    #[arg(long, required = true)]
    xlsx: bool,
    /// Print nothing on success.
    #[arg(short, long)]
    quiet: bool,
}

// The arguments of `sezsim merge`.
#[derive(Debug, Args)]
struct MergeArgs {
    /// The shard folders, every shard of one command once, in any order.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// The merged result's folder (created, or replaced atomically if
    /// sezsim wrote it).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// No summary on the terminal.
    #[arg(short, long)]
    quiet: bool,
}

// The arguments of `sezsim compare`.
#[derive(Debug, Args)]
struct CompareArgs {
    /// The base scenario, then one or more variants (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// The comparison folder (default: output/compare_<base>_vs_<variants>);
    /// replaced atomically if sezsim wrote it.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Chart size: slide (1600 x 1000 pixels, the default), a4 (16 x 11
    /// cm) or a5 (11.8 x 8 cm), all at 250 dpi with the same text size;
    /// overrides `[outputs].chart_size`.
    #[arg(long, value_name = "SIZE", value_parser = parse_chart_size)]
    chart_size: Option<ChartSize>,
    /// Run until the paired difference of a scalar's mean is known to a
    /// tolerance for every variant: NAME=TOL, e.g. fiscal_npv=0.5 or
    /// exports_cumulative=5% (repeatable). -n becomes the cap (default:
    /// the base's replications x 100, at most 10^8).
    #[arg(long, value_name = "SPEC")]
    precision: Vec<String>,
}

// The arguments of `sezsim sweep`.
#[derive(Debug, Args)]
struct SweepArgs {
    /// The sweep file (TOML).
    sweep: PathBuf,
    /// Run only shard I of N (I from 1 to N) of the points (default folder:
    /// output/<sweep name>-shards/I-of-N); `sezsim merge` combines the N shards.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// The sweep folder (default: output/<sweep name>), or with --shard the
    /// shard's folder, resumed in place; a folder holding anything else is
    /// refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads (default: all cores; with --emit-slurm: 1 per task).
    /// Results never depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// No progress bar or summary on the terminal.
    #[arg(short, long)]
    quiet: bool,
    /// Run nothing; write a Slurm submission script (default
    /// output/<sweep name>-slurm.sh): a job array --array=1-N running the
    /// shards, and a merge job that depends on it (afterok).
    // An OsString, not a PathBuf: clap refuses an empty path, and the
    // empty value is how a bare `--emit-slurm` asks for the default.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    emit_slurm: Option<OsString>,
    /// With --emit-slurm: N, the number of shards (array tasks); default:
    /// one per point, at most 64.
    #[arg(long, value_name = "N", requires = "emit_slurm")]
    shards: Option<u32>,
}

// The arguments of `sezsim sensitivity`.
#[derive(Debug, Args)]
struct SensitivityArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// sobol (variance-based indices) or morris (elementary effects, a
    /// cheap screening).
    #[arg(long, value_name = "METHOD", default_value = "sobol", value_parser = ["sobol", "morris"])]
    method: String,
    /// Sobol': base sample N over all replicates, rounded up to a power of
    /// two per replicate (default 1024; N(k+2) model runs for k factors).
    /// Morris: trajectories r (default 20; r(k+1) runs).
    #[arg(long, value_name = "N")]
    samples: Option<u64>,
    /// Outputs to analyse, comma-separated: scalar names, and yearly
    /// outputs (their total, every year). Default: every scalar and every
    /// charted output.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    outputs: Vec<String>,
    /// Also second-order (pair) indices, in sobol_s2.csv (Sobol' only;
    /// N(2k+2) runs).
    #[arg(long)]
    second_order: bool,
    /// Independent scramblings of the Sobol' design, whose spread gives
    /// the confidence intervals (at least 2).
    #[arg(long, value_name = "R", default_value_t = sezsim::sensitivity::DEFAULT_REPLICATES)]
    replicates: u32,
    /// Seed of the design and of the model's shocks (overrides the
    /// scenario's `seed`).
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(..=MAX_SEED))]
    seed: Option<u64>,
    /// Worker threads (default: all cores; with --emit-slurm: 1 per task).
    /// Results never depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// The analysis folder (default: output/<scenario name>_<method>), or
    /// with --shard the shard's folder; replaced atomically if sezsim
    /// wrote it, anything else is refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only shard I of N (I from 1 to N) of the design (default
    /// folder: output/<scenario name>_<method>-shards/I-of-N); `sezsim
    /// merge` combines the N shards into the unsharded result.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// No progress bar or summary on the terminal.
    #[arg(short, long)]
    quiet: bool,
    /// Run nothing; write a Slurm submission script (default
    /// output/<scenario name>_<method>-slurm.sh): a job array running the
    /// shards, and a merge job that depends on it (afterok).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    emit_slurm: Option<OsString>,
    /// With --emit-slurm: N, the number of shards (array tasks); default 16.
    #[arg(long, value_name = "N", requires = "emit_slurm")]
    shards: Option<u32>,
}

// The arguments of `sezsim check`.
#[derive(Debug, Args)]
struct CheckArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
}

// The arguments of `sezsim sample`.
#[derive(Debug, Args)]
struct SampleArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Write to this file (atomically; only a regular file is replaced)
    /// instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Options shared by the commands that sample.
#[derive(Debug, Args)]
struct Common {
    /// Replications (overrides the scenario's `replications`).
    #[arg(short = 'n', long = "replications", value_name = "N")]
    replications: Option<u64>,
    /// Base seed (overrides the scenario's `seed`), 0 to 2^63 - 1 as in
    /// the scenario file.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(..=MAX_SEED))]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results never depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// No progress bar or summary on the terminal.
    #[arg(short, long)]
    quiet: bool,
}

impl Common {
    fn replications(&self, scenario: &Scenario) -> Result<u64, Error> {
        let n = self.replications.unwrap_or(scenario.replications);
        if n == 0 || n > MAX_REPLICATIONS {
            return Err(Error::usage(format!(
                "--replications must be from 1 to {MAX_REPLICATIONS}, got {n}"
            )));
        }
        Ok(n)
    }

    fn threads(&self) -> Result<usize, Error> {
        threads(self.threads)
    }
}

fn threads(requested: Option<usize>) -> Result<usize, Error> {
    match requested {
        Some(0) => Err(Error::usage("--threads must be at least 1")),
        Some(t) if t > 1024 => Err(Error::usage(format!(
            "--threads must be at most 1024, got {t}"
        ))),
        Some(t) => Ok(t),
        None => Ok(run::available_threads()),
    }
}

/// `--chart-size`: a size's name.
fn parse_chart_size(name: &str) -> Result<ChartSize, String> {
    ChartSize::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = ChartSize::ALL.iter().map(|s| s.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// The command line, for manifests.
fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// Run the parsed command.
pub fn run(cli: Cli) -> Result<(), Error> {
    let registry = sezsim::model::builtin();
    match cli.command {
        Command::Run(args) => run_command(args, &registry),
        Command::Plot(args) => plot_command(args, &registry),
        Command::Export(args) => export_command(args),
        Command::Merge(args) => merge_command(args, &registry),
        Command::Compare(args) => compare_command(args, &registry),
        Command::Sweep(args) => sweep_command(args, &registry),
        Command::Sensitivity(args) => sensitivity_command(args, &registry),
        Command::Check(args) => check_command(args, &registry),
        Command::Sample(args) => sample_command(args, &registry),
    }
}

/// `sezsim run`: a run, or with `--shard` one shard of it.
fn run_command(args: RunArgs, registry: &Registry) -> Result<(), Error> {
    let mut s = scenario::load(&args.scenario, registry)?;
    if let Some(size) = args.chart_size {
        s.outputs.chart_size = size;
    }
    if args.reservoir == 0 {
        return Err(Error::usage("--reservoir must be at least 1"));
    }
    let out_dir = args.out.unwrap_or_else(|| match args.shard {
        Some(sh) => shard::default_shard_dir(&s.name, sh),
        None => run::default_run_dir(&s.name, args.deterministic),
    });
    let requests = if args.precision.is_empty() {
        s.outputs.precision.clone()
    } else {
        parse_precision(&args.precision)?
    };
    if !requests.is_empty() && args.shard.is_some() {
        return Err(Error::usage(
            "--precision cannot be used with --shard: a shard holds a fixed share of a run of fixed -n. Run the shards with -n, or run to a precision without sharding",
        ));
    }
    let replications = match args.common.replications {
        None if !requests.is_empty() => {
            (s.replications.saturating_mul(100)).min(run::PRECISION_DEFAULT_CAP)
        }
        _ => args.common.replications(&s)?,
    };
    let mut settings = RunSettings::new(&s, out_dir)
        .with_replications(replications)
        .with_seed(args.common.seed.unwrap_or(s.seed))
        .with_threads(args.common.threads()?)
        .with_deterministic(args.deterministic)
        .with_save_replications(args.save_replications)
        .with_reservoir(args.reservoir)
        .with_command(command_line())
        .with_precision(requests);
    let quiet = args.common.quiet;
    if let Some(sh) = args.shard {
        // A shard records how it was called (merge records the command
        // that reproduces the whole run).
        let bar = progress_bar(settings.replications, quiet);
        let mut tick = |done: u64| bar.set_position(done);
        let outcome = shard::run_shard(&s, &args.scenario, &settings, sh, Some(&mut tick))?;
        bar.finish_and_clear();
        if !quiet {
            let r = &outcome.replications;
            outln!(
                "{} shard {sh}: replications {}..{} ({}) in {:.1} s -> {}",
                s.name,
                r.start,
                r.end,
                r.end - r.start,
                outcome.wall_time_seconds,
                outcome.dir.display()
            )?;
        }
        return Ok(());
    }
    // A run records the command that reproduces it, settings spelled out.
    settings.command = run::reproduce_command(&args.scenario, &s.name, &settings);
    let bar = progress_bar(settings.effective_replications(), quiet);
    let mut tick = |done: u64| bar.set_position(done);
    let mut say = |m: &str| bar.set_message(m.to_string());
    let outcome = run::run_observed(&s, &settings, Some(&mut tick), Some(&mut say))?;
    bar.finish_and_clear();
    if let Some(p) = outcome.precision.as_ref().filter(|p| !p.met) {
        // A warning, not an error: the results are written, less precise
        // than asked.
        let _ = writeln!(
            std::io::stderr(),
            "warning: {}",
            run::precision_shortfall(p)
        );
    }
    if !quiet {
        out!("{}", run::terminal_summary(&s, &outcome))?;
    }
    Ok(())
}

/// `sezsim plot`: redraw a run folder's charts.
fn plot_command(args: PlotArgs, registry: &Registry) -> Result<(), Error> {
    let drawn = charts::redraw(
        &args.run_dir,
        threads(args.threads)?,
        args.chart_size,
        registry,
    )?;
    if !args.quiet {
        outln!(
            "{} charts (PNG and SVG) -> {}",
            drawn.len(),
            args.run_dir.join(charts::CHARTS_DIR).display()
        )?;
    }
    Ok(())
}

/// `sezsim export`: a result folder's tables as results.xlsx.
fn export_command(args: ExportArgs) -> Result<(), Error> {
    debug_assert!(args.xlsx);
    let path = sezsim::output::xlsx::export(&args.dir)?;
    if !args.quiet {
        outln!("{}", path.display())?;
    }
    Ok(())
}

/// `sezsim merge`: shard folders into the unsharded command's folder.
fn merge_command(args: MergeArgs, registry: &Registry) -> Result<(), Error> {
    let outcome = sezsim::merge::merge(&args.dirs, &args.out, &command_line(), registry)?;
    if !args.quiet {
        outln!(
            "merged {} shards -> {}",
            outcome.shards,
            outcome.dir.display()
        )?;
    }
    Ok(())
}

/// `sezsim compare`: a base and its variants with common random numbers.
fn compare_command(args: CompareArgs, registry: &Registry) -> Result<(), Error> {
    // Every file is read and checked before anything runs.
    let mut loaded = compare::load_scenarios(&args.scenarios, registry)?;
    if let Some(size) = args.chart_size {
        for s in &mut loaded {
            s.outputs.chart_size = size;
        }
    }
    let base = &loaded[0];
    let variants: Vec<&str> = loaded[1..].iter().map(|s| s.name.as_str()).collect();
    let requests = parse_precision(&args.precision)?;
    let replications = match args.common.replications {
        None if !requests.is_empty() => base
            .replications
            .saturating_mul(100)
            .min(run::PRECISION_DEFAULT_CAP),
        _ => args.common.replications(base)?,
    };
    let settings = CompareSettings {
        replications,
        seed: args.common.seed.unwrap_or(base.seed),
        threads: args.common.threads()?,
        out_dir: args
            .out
            .unwrap_or_else(|| compare::default_compare_dir(&base.name, &variants)),
        command: command_line(),
    };
    let quiet = args.common.quiet;
    let per = settings.replications;
    let bar = progress_bar(per * loaded.len() as u64, quiet);
    let mut tick = |i: usize, done: u64| bar.set_position(i as u64 * per + done);
    let outcome = if requests.is_empty() {
        compare::compare(&loaded, &settings, Some(&mut tick))?
    } else {
        let mut say = |m: &str| bar.set_message(m.to_string());
        let (outcome, record) = compare::compare_to_precision(
            &loaded,
            &settings,
            &requests,
            Some(&mut tick),
            Some(&mut say),
        )?;
        if !record.met {
            let _ = writeln!(
                std::io::stderr(),
                "warning: {}",
                run::precision_shortfall(&record)
            );
        }
        outcome
    };
    bar.finish_and_clear();
    if !quiet {
        out!("{}", compare::terminal_summary(&outcome))?;
    }
    Ok(())
}

/// `sezsim sweep`: a sweep or one shard of it, or with `--emit-slurm` the
/// script that runs it on a Slurm cluster.
fn sweep_command(args: SweepArgs, registry: &Registry) -> Result<(), Error> {
    if let Some(script) = args.emit_slurm {
        if args.shard.is_some() {
            return Err(Error::usage(
                "--emit-slurm writes the script of every shard: drop --shard",
            ));
        }
        let sw = sweep::load(&args.sweep, registry)?;
        let file = &args.sweep;
        return emit_slurm(
            &sw,
            file,
            script,
            args.out,
            args.threads,
            args.shards,
            args.quiet,
        );
    }
    let threads = threads(args.threads)?;
    let sw = sweep::load(&args.sweep, registry)?;
    let out_dir = args.out.unwrap_or_else(|| match args.shard {
        Some(sh) => shard::default_shard_dir(&sw.spec.name, sh),
        None => sweep::default_sweep_dir(&sw.spec.name),
    });
    let settings = SweepSettings {
        threads,
        out_dir,
        shard: args.shard,
        command: command_line(),
    };
    let bar = progress_bar(0, args.quiet);
    let mut tick = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let outcome = sweep::run(&sw, &settings, Some(&mut tick))?;
    bar.finish_and_clear();
    if !args.quiet {
        let part = args.shard.map_or(String::new(), |s| format!(" shard {s}"));
        outln!(
            "{}{part}: {} points ({} run, {} kept from an earlier run) x {} replications in {:.1} s -> {}",
            sw.spec.name,
            outcome.points,
            outcome.points_run,
            outcome.points_reused,
            sw.replications,
            outcome.wall_time_seconds,
            outcome.dir.display()
        )?;
    }
    Ok(())
}

/// `sezsim sweep --emit-slurm [FILE]`: write the Slurm script of sweep
/// `sw`, read from `file` (an empty `script` asks for the default path).
fn emit_slurm(
    sw: &Sweep,
    file: &Path,
    script: OsString,
    out: Option<PathBuf>,
    threads: Option<usize>,
    shards: Option<u32>,
    quiet: bool,
) -> Result<(), Error> {
    let exe = std::env::current_exe().map_err(|e| Error::io("sezsim", e))?;
    let plan = SlurmPlan::new(sw, file, out.as_deref(), shards, threads, &exe)?;
    let path = if script.is_empty() {
        slurm::default_slurm_script(&sw.spec.name)
    } else {
        PathBuf::from(script)
    };
    slurm::write_script(&plan, &path)?;
    if !quiet {
        outln!(
            "{}: {} points in {} shards -> {}\nsubmit with: bash {}",
            sw.spec.name,
            sw.points.len(),
            plan.shards,
            path.display(),
            path.display()
        )?;
    }
    Ok(())
}

/// `sezsim sensitivity`: an analysis, one shard of it, or with
/// `--emit-slurm` the script that runs it on a Slurm cluster.
fn sensitivity_command(args: SensitivityArgs, registry: &Registry) -> Result<(), Error> {
    let method: Method = args.method.parse().map_err(Error::usage)?;
    let s = scenario::load(&args.scenario, registry)?;
    let name = format!("{}_{}", s.name, method.name());
    let out_dir = args.out.clone().unwrap_or_else(|| match args.shard {
        Some(sh) => shard::default_shard_dir(&name, sh),
        None => analysis::default_analysis_dir(&s.name, method.name()),
    });
    let mut settings = AnalysisSettings::new(&s, method, out_dir);
    if let Some(n) = args.samples {
        settings.samples = n;
    }
    settings.replicates = args.replicates;
    settings.second_order = args.second_order;
    settings.outputs = args.outputs.clone();
    settings.seed = args.seed.unwrap_or(s.seed);
    settings.threads = threads(args.threads)?;
    if let Some(script) = args.emit_slurm {
        if args.shard.is_some() {
            return Err(Error::usage(
                "--emit-slurm writes the script of every shard: drop --shard",
            ));
        }
        let exe = std::env::current_exe().map_err(|e| Error::io("sezsim", e))?;
        let plan = analysis::slurm_plan(
            &s,
            &args.scenario,
            &settings,
            args.out.as_deref(),
            args.shards,
            args.threads,
            &exe,
        )?;
        let path = if script.is_empty() {
            analysis::default_slurm_script(&name)
        } else {
            PathBuf::from(script)
        };
        analysis::write_script(&plan, &path)?;
        if !args.quiet {
            outln!(
                "{name}: {} shards -> {}\nsubmit with: bash {}",
                plan.shards,
                path.display(),
                path.display()
            )?;
        }
        return Ok(());
    }
    let quiet = args.quiet;
    let bar = progress_bar(0, quiet);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} model runs  {per_sec}  eta {eta}",
    ) {
        bar.set_style(style);
    }
    let mut tick = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    if let Some(sh) = args.shard {
        settings.command = command_line();
        let outcome =
            analysis::run_analysis_shard(&s, &args.scenario, &settings, sh, Some(&mut tick))?;
        bar.finish_and_clear();
        if !quiet {
            outln!(
                "{name} shard {sh}: design part {}..{}, {} model runs in {:.1} s -> {}",
                outcome.units.start,
                outcome.units.end,
                outcome.evaluations,
                outcome.wall_time_seconds,
                outcome.dir.display()
            )?;
        }
        return Ok(());
    }
    settings.command = analysis::reproduce_command(&args.scenario, &s.name, &settings);
    let outcome = analysis::analyse(&s, &settings, Some(&mut tick))?;
    bar.finish_and_clear();
    if !quiet {
        out!("{}", analysis::terminal_summary(&s, &settings, &outcome))?;
    }
    Ok(())
}

/// `sezsim check`: validate a scenario and describe it.
fn check_command(args: CheckArgs, registry: &Registry) -> Result<(), Error> {
    let s = scenario::load(&args.scenario, registry)?;
    out!("{}", scenario::summary::describe(&s))?;
    outln!("\nOK: {} is valid.", args.scenario.display())?;
    Ok(())
}

/// `sezsim sample`: the static parameter draws, to a file or standard
/// output.
fn sample_command(args: SampleArgs, registry: &Registry) -> Result<(), Error> {
    let s = scenario::load(&args.scenario, registry)?;
    let n = args.common.replications(&s)?;
    let threads = args.common.threads()?;
    let seed = args.common.seed.unwrap_or(s.seed);
    match args.out {
        Some(path) => atomic::write_file(&path, |w| sample::write_samples(&s, n, seed, threads, w)),
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            sample::write_samples(&s, n, seed, threads, &mut lock)?;
            lock.flush().map_err(|e| Error::io(STDOUT, e))
        }
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with
/// `--quiet`.
/// `--precision` requests, read (a bad one is a usage error).
fn parse_precision(
    texts: &[String],
) -> Result<Vec<sezsim::output::precision::PrecisionSpec>, Error> {
    texts
        .iter()
        .map(|text| {
            sezsim::output::precision::parse(text)
                .map_err(|e| Error::usage(format!("--precision {e}")))
        })
        .collect()
}

fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} replications  {per_sec}  eta {eta}  {msg}",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

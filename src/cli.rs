//! Command-line arguments (clap) and their dispatch to the library.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use sezsim::compare::{self, CompareOutcome, CompareSettings, significant};
use sezsim::error::Error;
use sezsim::output::{atomic, charts, reservoir, sample};
use sezsim::run::{RunOutcome, RunSettings};
use sezsim::scenario::{self, MAX_REPLICATIONS, MAX_SEED, Scenario};
use sezsim::shard::{self, Shard};
use sezsim::sweep::SweepSettings;
use sezsim::sweep::slurm::SlurmPlan;

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
    Run {
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
    },
    /// Redraw every chart of a finished run from its saved tables, without
    /// re-running the model.
    #[command(after_help = "Example:\n  sezsim plot output/cpec_baseline")]
    Plot {
        /// The run folder `sezsim run` wrote.
        run_dir: PathBuf,
        /// Worker threads (default: all cores). The charts never depend on it.
        #[arg(long, value_name = "T")]
        threads: Option<usize>,
        /// Print nothing on success.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Merge the partial results of `run --shard I/N` (or `sweep --shard I/N`)
    /// into exactly the folder the unsharded command writes.
    #[command(
        after_help = "Example:\n  sezsim run scenarios/cpec_baseline.toml --shard 1/2 --out shards/1\n  \
        sezsim run scenarios/cpec_baseline.toml --shard 2/2 --out shards/2\n  \
        sezsim merge shards/1 shards/2 --out output/cpec_baseline"
    )]
    Merge {
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
    },
    /// Compare policy variants with a base scenario: every scenario runs with
    /// the same seed and replications (common random numbers); writes
    /// compare.csv, compare.md, overlay fan charts (charts/compare_<output>)
    /// and each scenario's run folder.
    #[command(
        after_help = "Examples:\n  sezsim compare scenarios/cpec_baseline.toml scenarios/cpec_skills_scaleup.toml\n  \
        sezsim compare scenarios/cpec_baseline.toml scenarios/cpec_energy_reliability.toml \\\n      \
        scenarios/cpec_incentives_restored.toml -n 20000 --out output/policies"
    )]
    Compare {
        /// The base scenario, then one or more variants (TOML).
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
        /// The comparison folder (default: output/compare_<base>_vs_<variants>);
        /// replaced atomically if sezsim wrote it.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Run a parameter sweep (grid or Latin hypercube) over a base scenario:
    /// writes points.csv, charts of the sweep and a run folder per point.
    /// Re-running resumes: finished points are kept.
    #[command(
        after_help = "Examples:\n  sezsim sweep scenarios/sweep_grid_stability.toml\n  \
        sezsim sweep scenarios/sweep_grid_stability.toml --shard 2/4 --out shards/2\n  \
        sezsim merge shards/1 shards/2 shards/3 shards/4 --out output/skills_grid"
    )]
    Sweep {
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
        emit_slurm: Option<std::ffi::OsString>,
        /// With --emit-slurm: N, the number of shards (array tasks); default:
        /// one per point, at most 64.
        #[arg(long, value_name = "N", requires = "emit_slurm")]
        shards: Option<u32>,
    },
    /// Parse and validate a scenario; print its zones, uncertain parameters,
    /// correlations and series.
    #[command(after_help = "Example:\n  sezsim check scenarios/cpec_baseline.toml")]
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Write the static parameter draws: one row per replication, one column
    /// per uncertain parameter path.
    #[command(
        after_help = "Example:\n  sezsim sample scenarios/cpec_baseline.toml -n 1000 --out draws.csv"
    )]
    Sample {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Write to this file (atomically; only a regular file is replaced)
        /// instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
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
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Write the Slurm submission script of sweep `sw` (read from `file`).
fn emit_slurm_script(
    sw: &sezsim::sweep::Sweep,
    file: &std::path::Path,
    script: PathBuf,
    out: Option<PathBuf>,
    threads: Option<usize>,
    shards: Option<u32>,
    quiet: bool,
) -> Result<(), Error> {
    let absolute = |p: PathBuf| -> Result<PathBuf, Error> {
        if p.is_absolute() {
            Ok(p)
        } else {
            let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
            Ok(cwd.join(p))
        }
    };
    let points = sw.points.len() as u32;
    let n = shards.unwrap_or(points.min(64));
    Shard::new(1, n).map_err(|e| Error::usage(format!("--shards: {e}")))?;
    let out_dir = absolute(out.unwrap_or_else(|| PathBuf::from("output").join(&sw.spec.name)))?;
    let mut shards_dir = out_dir.clone().into_os_string();
    shards_dir.push("-shards");
    let plan = SlurmPlan {
        name: sw.spec.name.clone(),
        sezsim: std::env::current_exe().map_err(|e| Error::io("sezsim", e))?,
        sweep_file: std::fs::canonicalize(file).map_err(|e| Error::io(file, e))?,
        shards_dir: PathBuf::from(shards_dir),
        out_dir,
        shards: n,
        cpus_per_task: threads.unwrap_or(1).max(1),
    };
    let path = if script.as_os_str().is_empty() {
        PathBuf::from("output").join(format!("{}-slurm.sh", sw.spec.name))
    } else {
        script
    };
    let text = sezsim::sweep::slurm::script(&plan);
    atomic::write_file(&path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|e| Error::io(&path, e))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
    }
    if !quiet {
        outln!(
            "{}: {} points in {n} shards -> {}\nsubmit with: bash {}",
            sw.spec.name,
            points,
            path.display(),
            path.display()
        )?;
    }
    Ok(())
}

/// The command line, for manifests.
fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// Run the parsed command.
pub fn run(cli: Cli) -> Result<(), Error> {
    let registry = sezsim::model::builtin();
    match cli.command {
        Command::Run {
            scenario,
            common,
            deterministic,
            out,
            save_replications,
            shard,
            reservoir,
        } => {
            let s = scenario::load(&scenario, &registry)?;
            if reservoir == 0 {
                return Err(Error::usage("--reservoir must be at least 1"));
            }
            let default_out = match shard {
                Some(sh) => PathBuf::from("output")
                    .join(format!("{}-shards", s.name))
                    .join(format!("{}-of-{}", sh.index(), sh.count())),
                None => sezsim::run::default_run_dir(&s.name, deterministic),
            };
            let mut settings = RunSettings {
                replications: common.replications(&s)?,
                seed: common.seed.unwrap_or(s.seed),
                threads: common.threads()?,
                deterministic,
                out_dir: out.unwrap_or(default_out),
                save_replications,
                reservoir,
                command: command_line(),
            };
            if shard.is_none() {
                // A run records the command that reproduces it, settings
                // spelled out; a shard records how it was called.
                settings.command = sezsim::run::reproduce_command(&scenario, &s.name, &settings);
            }
            if let Some(sh) = shard {
                let bar = progress_bar(settings.replications, common.quiet);
                let mut tick = |done: u64| bar.set_position(done);
                let outcome = shard::run_shard(&s, &scenario, &settings, sh, Some(&mut tick))?;
                bar.finish_and_clear();
                if !common.quiet {
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
            let total = if deterministic {
                1
            } else {
                settings.replications
            };
            let bar = progress_bar(total, common.quiet);
            let mut tick = |done: u64| bar.set_position(done);
            let outcome = sezsim::run::run(&s, &settings, Some(&mut tick))?;
            bar.finish_and_clear();
            if !common.quiet {
                print_outcome(&s, &outcome)?;
            }
            Ok(())
        }
        Command::Compare {
            scenarios,
            common,
            out,
        } => {
            // Every file is read and checked before anything runs.
            let loaded = compare::load_scenarios(&scenarios, &registry)?;
            let base = &loaded[0];
            let settings = CompareSettings {
                replications: common.replications(base)?,
                seed: common.seed.unwrap_or(base.seed),
                threads: common.threads()?,
                out_dir: out.unwrap_or_else(|| default_compare_dir(&loaded)),
                command: command_line(),
            };
            let total = settings.replications * loaded.len() as u64;
            let bar = progress_bar(total, common.quiet);
            let per = settings.replications;
            let mut tick = |i: usize, done: u64| bar.set_position(i as u64 * per + done);
            let outcome = compare::compare(&loaded, &settings, Some(&mut tick))?;
            bar.finish_and_clear();
            if !common.quiet {
                print_comparison(&outcome)?;
            }
            Ok(())
        }
        Command::Sweep {
            sweep,
            shard,
            out,
            threads,
            quiet,
            emit_slurm,
            shards,
        } => {
            if let Some(script) = emit_slurm {
                if shard.is_some() {
                    return Err(Error::usage(
                        "--emit-slurm writes the script of every shard: drop --shard",
                    ));
                }
                let sw = sezsim::sweep::load(&sweep, &registry)?;
                return emit_slurm_script(&sw, &sweep, script.into(), out, threads, shards, quiet);
            }
            let threads = Common {
                replications: None,
                seed: None,
                threads,
                quiet,
            }
            .threads()?;
            let sw = sezsim::sweep::load(&sweep, &registry)?;
            let out_dir = out.unwrap_or_else(|| match shard {
                Some(sh) => PathBuf::from("output")
                    .join(format!("{}-shards", sw.spec.name))
                    .join(format!("{}-of-{}", sh.index(), sh.count())),
                None => PathBuf::from("output").join(&sw.spec.name),
            });
            let settings = SweepSettings {
                threads,
                out_dir,
                shard,
                command: command_line(),
            };
            let bar = progress_bar(0, quiet);
            let mut tick = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let outcome = sezsim::sweep::run(&sw, &settings, Some(&mut tick))?;
            bar.finish_and_clear();
            if !quiet {
                let part = shard.map_or(String::new(), |s| format!(" shard {s}"));
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
        Command::Merge { dirs, out, quiet } => {
            let outcome = sezsim::merge::merge(&dirs, &out, &command_line(), &registry)?;
            if !quiet {
                outln!(
                    "merged {} shards -> {}",
                    outcome.shards,
                    outcome.dir.display()
                )?;
            }
            Ok(())
        }
        Command::Plot {
            run_dir,
            threads: requested,
            quiet,
        } => {
            let drawn = charts::redraw(&run_dir, threads(requested)?, &registry)?;
            if !quiet {
                outln!(
                    "{} charts (PNG and SVG) -> {}",
                    drawn.len(),
                    run_dir.join(charts::CHARTS_DIR).display()
                )?;
            }
            Ok(())
        }
        Command::Check { scenario } => {
            let s = scenario::load(&scenario, &registry)?;
            out!("{}", scenario::summary::describe(&s))?;
            outln!("\nOK: {} is valid.", scenario.display())?;
            Ok(())
        }
        Command::Sample {
            scenario,
            common,
            out,
        } => {
            let s = scenario::load(&scenario, &registry)?;
            let n = common.replications(&s)?;
            let threads = common.threads()?;
            let seed = common.seed.unwrap_or(s.seed);
            match out {
                Some(path) => {
                    atomic::write_file(&path, |w| sample::write_samples(&s, n, seed, threads, w))
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    sample::write_samples(&s, n, seed, threads, &mut lock)?;
                    lock.flush().map_err(|e| Error::io(STDOUT, e))
                }
            }
        }
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with
/// `--quiet`.
fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} replications  {per_sec}  eta {eta}",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

fn print_outcome(s: &Scenario, outcome: &RunOutcome) -> Result<(), Error> {
    let run = &outcome.summary;
    outln!(
        "{}: {} replications in {:.1} s -> {}",
        s.name,
        run.replications,
        outcome.wall_time_seconds,
        outcome.dir.display()
    )?;
    let level = |q: f64| {
        run.quantile_levels
            .iter()
            .position(|&l| (l - q).abs() < 1e-12)
    };
    let (lo, mid, hi) = (level(0.05), level(0.5), level(0.95));
    outln!(
        "\n  {:<24} {:>12} {:>12} {:>12} {:>12}",
        "scalar",
        "mean",
        "P5",
        "P50",
        "P95"
    )?;
    for (name, sm) in run.layout.scalars.iter().zip(&run.scalars) {
        let q = |i: Option<usize>| i.map_or("-".to_string(), |i| significant(sm.quantiles[i]));
        out!(
            "  {name:<24} {:>12} {:>12} {:>12} {:>12}",
            significant(sm.mean),
            q(lo),
            q(mid),
            q(hi)
        )?;
        if let (Some(p), Some((_, t))) = (
            sm.p_target,
            s.outputs.targets.iter().find(|(n, _)| n == name),
        ) {
            out!("   P(>= {t}) = {p:.3}")?;
        }
        outln!()?;
    }
    Ok(())
}

/// `output/compare_<base>_vs_<variant>...`, shortened when the names are
/// too long for a folder name.
fn default_compare_dir(scenarios: &[Scenario]) -> PathBuf {
    let names: Vec<&str> = scenarios[1..].iter().map(|s| s.name.as_str()).collect();
    let mut name = format!("compare_{}_vs_{}", scenarios[0].name, names.join("_"));
    if name.len() > 200 {
        name = format!("compare_{}_vs_{}_variants", scenarios[0].name, names.len());
    }
    PathBuf::from("output").join(name)
}

fn print_comparison(outcome: &CompareOutcome) -> Result<(), Error> {
    let c = &outcome.comparison;
    let base = &c.scenarios[0].name;
    outln!(
        "{} scenarios x {} replications (seed {}) in {:.1} s -> {}",
        c.scenarios.len(),
        c.replications,
        c.seed,
        outcome.wall_time_seconds,
        outcome.dir.display()
    )?;
    outln!(
        "\n  {:<24} {:<28} {:>12} {:>26} {:>9}",
        "scalar",
        format!("variant - {base}"),
        "mean diff",
        "95% interval (paired)",
        "P(higher)"
    )?;
    for (s, scalar) in c.scalars.iter().enumerate() {
        for (v, d) in c.paired.iter().enumerate() {
            outln!(
                "  {scalar:<24} {:<28} {:>12} {:>26} {:>9.3}",
                c.scenarios[v + 1].name,
                significant(d[s].mean),
                format!("{} to {}", significant(d[s].low), significant(d[s].high)),
                d[s].p_higher
            )?;
        }
    }
    Ok(())
}

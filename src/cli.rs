//! Command-line arguments (clap) and their dispatch to the library.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use sezsim::diagnostics::{Diagnostic, Diagnostics};
use sezsim::error::Error;
use sezsim::output::{atomic, sample};
use sezsim::scenario::{self, MAX_REPLICATIONS, Scenario};

/// Monte Carlo simulation of Special Economic Zone growth under uncertainty.
#[derive(Debug, Parser)]
#[command(name = "sezsim", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
        /// Write to this file (atomically) instead of standard output.
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
    /// Base seed (overrides the scenario's `seed`).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results never depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// No progress output.
    #[arg(short, long)]
    #[allow(dead_code)]
    quiet: bool,
}

impl Common {
    fn replications(&self, scenario: &Scenario) -> Result<u64, Error> {
        let n = self.replications.unwrap_or(scenario.replications);
        if n == 0 || n > MAX_REPLICATIONS {
            return Err(usage(format!(
                "--replications must be from 1 to {MAX_REPLICATIONS}, got {n}"
            )));
        }
        Ok(n)
    }

    fn threads(&self) -> Result<usize, Error> {
        match self.threads {
            Some(0) => Err(usage("--threads must be at least 1")),
            Some(t) if t > 1024 => Err(usage(format!("--threads must be at most 1024, got {t}"))),
            Some(t) => Ok(t),
            None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        }
    }
}

fn usage(message: impl Into<String>) -> Error {
    Error::Input(Diagnostics::from(Diagnostic::new(message)))
}

/// Run the parsed command.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Check { scenario } => {
            let s = scenario::load(&scenario)?;
            print!("{}", scenario::summary::describe(&s));
            println!("\nOK: {} is valid.", scenario.display());
            Ok(())
        }
        Command::Sample {
            scenario,
            common,
            out,
        } => {
            let s = scenario::load(&scenario)?;
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
                    lock.flush().map_err(|e| Error::io("<stdout>", e))
                }
            }
        }
    }
}

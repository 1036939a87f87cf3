//! The `sezsim` command line: parse, run the library, map errors to exit
//! codes (0 success, 1 runtime failure, 2 bad input or usage). Output to a
//! pipe closed by its reader (`sezsim check s.toml | head -1`) ends the
//! command quietly with 0, as ripgrep does: the reader had what it wanted.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(if e.is_input_error() { 2 } else { 1 })
        }
    }
}

//! The library's error type. Only the binary turns it into an exit code.

use std::path::PathBuf;

use crate::diagnostics::Diagnostics;

/// Anything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong (exit code 2): every problem, located.
    #[error("{0}")]
    Input(Diagnostics),
    /// A file could not be written or read at run time (exit code 1).
    #[error("error: {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Anything else that went wrong while running (exit code 1).
    #[error("error: {0}")]
    Runtime(String),
}

impl Error {
    /// True when the fault lies in the input rather than the run.
    pub fn is_input_error(&self) -> bool {
        matches!(self, Error::Input(_))
    }

    /// True when output went to a pipe whose reader has gone
    /// (`sezsim check s.toml | head -1`): a well-behaved command line tool
    /// then stops quietly, with success, rather than reporting an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<crate::uncertainty::SamplingError> for Error {
    /// A sampler the user's settings make impossible is an input error; a
    /// correlation conflict here is a runtime one, since loading checks
    /// correlations before anything runs.
    fn from(e: crate::uncertainty::SamplingError) -> Self {
        use crate::uncertainty::SamplingError;
        match e {
            SamplingError::LatinHypercubeTooLarge { .. } => Error::Input(Diagnostics::from(
                crate::diagnostics::Diagnostic::new(e.to_string()).key("scenario.sampling"),
            )),
            SamplingError::NotPositiveDefinite { .. } => {
                Error::Runtime(format!("cannot prepare sampling: {e}"))
            }
        }
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Input(d)
    }
}

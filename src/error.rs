//! The library's error type. Only the binary turns it into an exit code.

use std::path::PathBuf;

use crate::diagnostics::Diagnostics;
use crate::engine::EngineError;
use crate::uncertainty::SamplingError;

/// Anything that can stop a command.
///
/// Non-exhaustive: new kinds of failure may be added; match the ones you
/// handle and treat the rest by [`Error::is_input_error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user's input is wrong (exit code 2): every problem, located.
    #[error("{0}")]
    Input(Diagnostics),
    /// A file could not be written or read at run time (exit code 1).
    #[error("error: {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The engine could not do a run (exit code 1). A value a model
    /// recorded that is not a finite number comes as [`Error::NonFinite`].
    #[error("error: {0}")]
    Engine(#[source] EngineError),
    /// A model recorded a value that is not a finite number (exit code 1).
    #[error("error: {report}")]
    NonFinite {
        /// The engine's [`EngineError::NonFinite`]: the replication and the
        /// value.
        #[source]
        source: EngineError,
        /// What the user is told: the scenario, the replication and its
        /// draws, and the command that replays it.
        report: String,
    },
    /// The sampler could not be prepared (exit code 1): rank correlations
    /// that cannot all hold, found at run time (loading checks them first).
    #[error("error: cannot prepare sampling: {0}")]
    Sampling(#[source] SamplingError),
    /// Another sezsim is writing the same target (exit code 1): the command
    /// is right, and succeeds once the other writer is done.
    #[error(
        "error: another sezsim (pid {pid}) is writing {}; wait for it to finish, or choose another --out",
        target.display()
    )]
    Busy {
        /// The other writer's process id.
        pid: u32,
        /// The target it is writing.
        target: PathBuf,
    },
    /// Worker threads could not be started (exit code 1).
    #[error("error: cannot start {threads} threads: {source}")]
    ThreadPool {
        /// The threads asked for.
        threads: usize,
        /// Why they could not be started.
        #[source]
        source: rayon::ThreadPoolBuildError,
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

    /// A usage error (exit code 2) that belongs to no file: an option out
    /// of range, or options that do not go together.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Input(Diagnostics::from(crate::diagnostics::Diagnostic::new(
            message,
        )))
    }
}

impl From<SamplingError> for Error {
    /// A sampler the user's settings make impossible is an input error; a
    /// correlation conflict here is a runtime one, since loading checks
    /// correlations before anything runs.
    fn from(e: SamplingError) -> Self {
        match e {
            SamplingError::LatinHypercubeTooLarge { .. } => Error::Input(Diagnostics::from(
                crate::diagnostics::Diagnostic::new(e.to_string()).key("scenario.sampling"),
            )),
            SamplingError::NotPositiveDefinite { .. } => Error::Sampling(e),
        }
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Input(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed runtime errors read exactly as the free-form ones they
    /// replace, and none of them is an input error (exit code 1).
    #[test]
    fn typed_runtime_errors_keep_their_messages() {
        let busy = Error::Busy {
            pid: 42,
            target: PathBuf::from("out/run"),
        };
        assert_eq!(
            busy.to_string(),
            "error: another sezsim (pid 42) is writing out/run; wait for it to finish, \
             or choose another --out"
        );
        let sampling = Error::from(SamplingError::NotPositiveDefinite {
            pairs: vec![(0, 1), (1, 2)],
        });
        assert!(matches!(sampling, Error::Sampling(_)), "{sampling:?}");
        assert_eq!(
            sampling.to_string(),
            "error: cannot prepare sampling: the rank correlations cannot all hold at once: \
             the correlation matrix they imply is not positive definite; weaken or remove \
             one of the 2 conflicting correlations"
        );
        let engine = Error::Engine(EngineError::NoReplications);
        assert_eq!(
            engine.to_string(),
            "error: a run needs at least one replication"
        );
        let non_finite = Error::NonFinite {
            source: EngineError::NoReplications,
            report: "what to replay".into(),
        };
        assert_eq!(non_finite.to_string(), "error: what to replay");
        for e in [busy, sampling, engine, non_finite] {
            assert!(!e.is_input_error(), "{e}");
        }
        // A Latin hypercube table too large for memory is the input's fault.
        let lhs = Error::from(SamplingError::LatinHypercubeTooLarge {
            replications: 1 << 40,
            parameters: 10,
        });
        assert!(lhs.is_input_error(), "{lhs}");
    }
}

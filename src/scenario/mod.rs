//! Scenario files: TOML plus the CSV files it names, read in two stages.
//!
//! 1. [`raw`]: every file of the `extends` chain parsed into a tree that keeps
//!    each value's file and position, merged child over parent.
//! 2. `build`: the merged tree read into a validated [`Scenario`]: defaults
//!    applied, series loaded, parameters registered by path, every value
//!    checked. All problems are reported together, each with its file, line,
//!    column and key path.
//!
//! This is the only module that reads input files.

pub(crate) mod build;
mod csvdata;
pub mod raw;
pub(crate) mod reader;
pub mod summary;
mod types;
mod variant;

use std::path::Path;

pub use build::{MAX_REPLICATIONS, MAX_SEED, MAX_YEARS, ValueRange};
pub use types::*;
pub use variant::{Override, ScenarioTemplate};

use crate::diagnostics::Diagnostics;

/// Read and validate the scenario at `path`, with every file it extends and
/// every CSV it names.
pub fn load(path: &Path) -> Result<Scenario, Diagnostics> {
    let raw = raw::load_raw(path).map_err(|(_, errors)| Diagnostics(errors))?;
    build::build(&raw).map_err(Diagnostics)
}

impl Scenario {
    /// A SHA-256 (lower-case hex) identifying the scenario by the contents
    /// of every file it was read from, in reading order, and not by where
    /// they lie: two runs with equal hashes read the same inputs. Shards,
    /// merges and sweeps compare it.
    pub fn content_hash(&self) -> String {
        let list: String = self
            .inputs
            .iter()
            .map(|f| format!("{}\n", f.sha256))
            .collect();
        sha256_hex(list.as_bytes())
    }
}

/// Lower-case hex SHA-256 of `bytes` (input file identities in manifests).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

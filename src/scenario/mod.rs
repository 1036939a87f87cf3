//! Scenario files: TOML plus the CSV files it names, read in two stages.
//!
//! 1. [`raw`]: every file of the `extends` chain parsed into a tree that keeps
//!    each value's file and position, merged child over parent.
//! 2. `build`: the merged tree read into a validated [`Scenario`]: the
//!    header, the sections of its kind of model (read by the kind, through
//!    a [`Schema`]), correlations, `[sensitivity]` groups and `[outputs]`; defaults applied, series
//!    loaded, parameters registered by path with their valid range, every
//!    value checked. All problems are reported together, each with its
//!    file, line, column and key path.
//!
//! A kind of model plugs in through [`ModelKind`] (see `kind`). This is
//! the only module that reads input files.

mod build;
mod correlations;
pub mod csvdata;
mod header;
mod kind;
pub mod labels;
pub(crate) mod outputs;
pub mod raw;
pub mod reader;
mod schema;
mod sensitivity;
pub mod summary;
mod types;
mod variant;

use std::path::Path;

pub(crate) use header::is_safe_name;
pub use header::{DEFAULT_KIND, MAX_REPLICATIONS, MAX_SEED, MAX_YEAR, MAX_YEARS, MIN_YEAR};
pub use kind::{KindInput, MergeRules, ModelKind, ModelOptions, ModelSpec, Registry};
pub use schema::{Horizon, MAX_LABEL_CHARS, Schema};
pub use sensitivity::SHOCKS_FACTOR;
pub use types::*;
pub use variant::{Override, ScenarioTemplate};

use crate::diagnostics::Diagnostics;

/// Read and validate the scenario at `path`, with every file it extends and
/// every CSV it names, knowing the kinds of model in `registry`
/// ([`crate::load`] knows the built-in ones).
pub fn load(path: &Path, registry: &Registry) -> Result<Scenario, Diagnostics> {
    let raw = raw::load_raw(path, registry).map_err(|(_, errors)| Diagnostics(errors))?;
    build::build(&raw, registry).map_err(Diagnostics)
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

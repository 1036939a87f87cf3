//! The kinds of model sezsim knows, each in its own folder with everything
//! about it (how a scenario describes it, what it records, the
//! simulation): the SEZ growth model, and the analytic benchmark functions
//! used to check sampling, statistics and sensitivity analysis.
//!
//! Adding a kind is a folder here and one line in [`builtin`].

pub mod benchmark;
pub mod sez;

use crate::scenario::Registry;

/// Every kind of model the `sezsim` command knows.
pub fn builtin() -> Registry {
    Registry::new()
        .with(sez::SezKind)
        .with(benchmark::IshigamiKind)
        .with(benchmark::SobolGKind)
}

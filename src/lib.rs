//! sezsim: Monte Carlo simulation of Special Economic Zone growth under
//! uncertainty.
//!
//! The library is the product; the `sezsim` binary is a thin command line
//! over it. Modules, by what they own:
//!
//! - [`scenario`]: reads scenario files (TOML plus CSV) into a validated
//!   [`scenario::Scenario`]; the only module that reads input files.
//! - [`uncertainty`]: distributions, random streams, correlated and Latin
//!   hypercube sampling of static parameters.
//! - [`engine`]: runs any [`engine::Model`] over replications in parallel and
//!   summarises the results.
//! - [`model`]: the built-in kinds of model (SEZ growth, benchmarks), each
//!   in its own folder, and [`model::builtin`], their registry. A kind of
//!   your own implements [`scenario::ModelKind`] and joins a
//!   [`scenario::Registry`]; `examples/custom_model.rs` shows one.
//! - [`run`]: a whole run of a scenario: model, engine, run folder.
//! - [`shard`]: a run split into shards (`--shard I/N`) and the merge of
//!   their partial results into exactly what one run writes.
//! - [`merge`]: `sezsim merge`: shard folders of a run or of a sweep back
//!   into the folder the unsharded command writes.
//! - [`compare`]: policy comparison with common random numbers: paired
//!   differences of every scalar outcome between a base and its variants.
//! - [`sensitivity`]: global sensitivity analysis: Sobol' indices on a
//!   scrambled Saltelli design (correlated blocks and declared groups as
//!   factors, replicate confidence intervals) and Morris elementary effects;
//!   designs by row index and exactly mergeable estimators.
//! - [`sweep`]: parameter sweeps (grid or Latin hypercube) over a base
//!   scenario, resumable and shardable.
//! - [`output`]: writes tables and files, atomically; the only module that writes.
//! - [`error`]: the library error type.
//! - [`diagnostics`]: located, user-facing input errors.
//!
//! `run`, `shard`, `merge`, `compare` and `sweep` are the study layer: the
//! commands over the engine and the models (their code lies in
//! `src/study/`; each is used from the crate root, `sezsim::run` and so
//! on).

#![warn(missing_docs)]

pub mod diagnostics;
pub mod engine;
pub mod error;
pub mod model;
pub mod output;
pub mod scenario;
pub mod sensitivity;
mod study;
pub mod uncertainty;

pub use study::{analysis, compare, merge, run, shard, sweep};

/// Read and validate the scenario at `path` with the built-in kinds of
/// model ([`model::builtin`]); [`scenario::load`] takes a registry of your
/// own.
pub fn load(path: &std::path::Path) -> Result<scenario::Scenario, diagnostics::Diagnostics> {
    scenario::load(path, &model::builtin())
}

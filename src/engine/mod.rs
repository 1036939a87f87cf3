//! The Monte Carlo engine: runs any [`Model`] over many replications in
//! parallel, and summarises every recorded value with streaming statistics.
//!
//! The engine knows nothing of SEZs. Results depend only on the model and
//! the replication count, never on the thread count: replications run in
//! fixed-size chunks whose partial statistics are merged in chunk order,
//! with merges that are exact (see [`stats`]), so a run sharded into
//! [`PartialRun`]s merges into exactly the bits of one run.
//!
//! Entry points: [`run`] (whole run) and [`run_partial`] plus
//! [`PartialRun::merge`] (shards). The engine does no I/O: output files are
//! written by callers, from the [`RunSummary`] and the [`Hooks`].
//!
//! # How a run proceeds
//!
//! Replications `0..N` are cut into chunks of [`CHUNK_SIZE`] (the last one
//! shorter), a constant independent of the thread count. Chunks are
//! processed in waves of `8 x threads`:
//!
//! 1. **Simulate** (parallel over the wave's chunks): each chunk makes one
//!    workspace and one [`Record`] and runs its replications. After each
//!    replication, for all cells at once (vectorised across cells), the
//!    chunk's per-cell sums ([`ChunkSums`]) are updated and the values'
//!    4-byte bucket codes (`stats::bucket_codes`) written to a row-major block;
//!    every 64 replications the block is transposed into a column-major
//!    chunk buffer (cell x replication-in-chunk). Runs of at most
//!    [`EXACT_QUANTILE_LIMIT`] replications keep the values instead of
//!    codes (their quantiles are exact).
//! 2. **Merge** (parallel over cells; within a cell, chunks in index
//!    order): each chunk's sums go into the cell's `stats::CellStats` and its
//!    contiguous column of codes (values) into the cell's quantile sketch.
//!    Scalars are merged the same way from their values, and counted
//!    against their targets. The merge counts values that are not finite
//!    (NaN, infinities); the first one stops the run with
//!    [`EngineError::NonFinite`], naming the lowest such replication, so a
//!    model's overflow is never averaged into silent NaN statistics.
//! 3. **Hooks** (on the calling thread, in replication order): the
//!    per-replication sink, then the progress callback after each chunk.
//!
//! A run asked to keep only some series ([`RunOptions::keep_series`])
//! copies those from each record before step 1 and does the rest for them
//! alone; a kept cell's statistics are the bits a run of all gives.
//!
//! Nothing is allocated per replication. Memory is the wave's buffers
//! (per chunk, about `CHUNK_SIZE x (4 x cells + 8 x scalars [+ 8 x inputs
//! with a sink])` bytes, plus a 64-replication block of `4 x cells` bytes
//! and `32 x cells` bytes of sums) and the per-cell statistics (about 1.2
//! KiB of exact sums plus 1 KiB of sketch per binary octave the cell's
//! values span), whatever N is. Measured for 2,000 cells on 2 threads:
//! 22.8 MB peak RSS at 100,000 replications, 23.0 MB at 1,000,000.
//!
//! # Determinism
//!
//! A chunk's contents depend only on the model and the chunk index, and
//! every merge in [`stats`] is exact, so the result is bit-identical
//! for any thread count, and a run split into [`PartialRun`]s over
//! contiguous chunk ranges and merged gives exactly the bits of the whole
//! run. Merging happens in chunk order all the same.
//!
//! One extra replication, number 0, is run first (a "pilot") to fix each
//! cell's shift for the moment sums (see [`stats::Moments`]); every
//! partial run does the same, so their shifts agree.
//!
//! The files, by what they hold: `options` (what a run is asked for, and
//! the hooks), `runner` (the runner), `partial` ([`RunSummary`] and
//! [`PartialRun`], with its binary form), `codec` (the primitives of that
//! form), `error` ([`EngineError`]) and [`stats`] (the accumulators).
//!
//! [`ChunkSums`]: stats::ChunkSums
//! [`EXACT_QUANTILE_LIMIT`]: stats::EXACT_QUANTILE_LIMIT

pub(crate) mod codec;
mod error;
mod layout;
mod options;
mod partial;
mod runner;
mod source;
pub mod stats;

pub use error::{EngineError, RecordedValue};
pub use layout::{
    AGGREGATE_GROUPS, Catalogue, Described, NATIONAL, OutputLayout, Record, SeriesName, TOTAL, Unit,
};
pub use options::{
    CHUNK_SIZE, Hooks, MAX_REPLICATIONS, ReplicationValues, RunOptions, chunk_count,
};
pub use partial::{PARTIAL_FORMAT_VERSION, PartialRun, RunSummary};
pub use runner::{run, run_partial};
pub use source::{FixedValues, ParameterSource, RunnableModel, SourceWorker};

/// A simulation model the engine can run.
pub trait Model: Sync {
    /// Per-worker scratch space, made once per chunk and reused.
    type Workspace: Send;
    /// What the model records.
    fn layout(&self) -> &OutputLayout;
    /// A fresh workspace.
    fn workspace(&self) -> Self::Workspace;
    /// Run replication `replication` with the static parameter values
    /// `parameters` (from the run's [`ParameterSource`]), writing every
    /// series and scalar into `record` (the engine fills its inputs).
    /// `replication` numbers the streams of the replication's shocks
    /// ([`ParameterSource::shocks`]).
    fn run(
        &self,
        replication: u64,
        parameters: &[f64],
        workspace: &mut Self::Workspace,
        record: &mut Record,
    );

    /// Whether [`Model::run`] draws random shocks, that is whether its
    /// result depends on `replication` as well as on `parameters`. True
    /// unless a model says otherwise (an analytic function): a sensitivity
    /// analysis then counts the shocks as one more factor.
    fn draws_shocks(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod toy;

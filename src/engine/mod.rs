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

mod codec;
mod layout;
pub mod runner;
mod source;
pub mod stats;

pub use layout::{
    AGGREGATE_GROUPS, Catalogue, Described, NATIONAL, OutputLayout, Record, SeriesName, TOTAL, Unit,
};
pub use runner::{
    CHUNK_SIZE, EngineError, Hooks, MAX_REPLICATIONS, PARTIAL_FORMAT_VERSION, PartialRun,
    RecordedValue, ReplicationValues, RunOptions, RunSummary, chunk_count, run, run_partial,
};
pub use source::{FixedValues, ParameterSource, RunnableModel, SourceWorker};
pub use stats::Summary;

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
    fn run(
        &self,
        replication: u64,
        parameters: &[f64],
        workspace: &mut Self::Workspace,
        record: &mut Record,
    );
}

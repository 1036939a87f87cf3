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
pub mod runner;
pub mod stats;

pub use runner::{
    CHUNK_SIZE, EngineError, Hooks, MAX_REPLICATIONS, PARTIAL_FORMAT_VERSION, PartialRun,
    RecordedValue, ReplicationValues, RunOptions, RunSummary, chunk_count, run, run_partial,
};
pub use stats::Summary;

/// Names of everything a model records per replication.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputLayout {
    /// One entry per recorded time series: (output name, zone or group).
    pub series: Vec<SeriesName>,
    /// Calendar years of the series (all series share them).
    pub years: Vec<i32>,
    /// Per-replication scalar outcomes.
    pub scalars: Vec<String>,
    /// Per-replication inputs (static parameter draws), by parameter path.
    pub inputs: Vec<String>,
}

/// A time series' identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesName {
    /// Output name.
    pub output: String,
    /// Zone or group name.
    pub zone: String,
}

/// One replication's values, in the layout's order. Allocated once per
/// worker and reused.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `series[s * years + t]`.
    pub series: Vec<f64>,
    /// `layout.scalars` values.
    pub scalars: Vec<f64>,
    /// `layout.inputs` values.
    pub inputs: Vec<f64>,
}

/// A simulation model the engine can run.
pub trait Model: Sync {
    /// Per-worker scratch space, made once per chunk and reused.
    type Workspace: Send;
    /// What the model records.
    fn layout(&self) -> &OutputLayout;
    /// A fresh workspace.
    fn workspace(&self) -> Self::Workspace;
    /// Run replication `replication`, writing every value into `record`.
    fn run(&self, replication: u64, workspace: &mut Self::Workspace, record: &mut Record);
}

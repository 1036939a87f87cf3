//! What a merge of shard folders produced, run or sweep (see
//! [`crate::merge`]).
//!
//! A leaf of the study layer: `shard` and `sweep` both return it, and it
//! uses neither.

use std::path::PathBuf;

use crate::engine::RunSummary;

/// What a merge produced.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The published folder.
    pub dir: PathBuf,
    /// Shards merged.
    pub shards: u32,
    /// What was merged.
    pub kind: MergedKind,
}

/// The kind of result merged.
#[derive(Debug)]
pub enum MergedKind {
    /// A run; its summary.
    Run(Box<RunSummary>),
    /// A sweep of this many points.
    Sweep {
        /// Points in the sweep.
        points: usize,
    },
    /// A sensitivity analysis.
    Sensitivity {
        /// Model evaluations over all shards.
        evaluations: u64,
    },
}

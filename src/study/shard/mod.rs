//! Sharding: one run (or sweep) split over several processes or machines,
//! and the merge of their partial results into exactly the bytes the
//! unsharded command writes.
//!
//! A [`Shard`] is `I/N`, with `I` counted from 1 so that a Slurm job array
//! `--array=1-N` can pass `$SLURM_ARRAY_TASK_ID` straight in.
//!
//! **A run** is cut along the engine's chunks of
//! [`CHUNK_SIZE`](crate::engine::CHUNK_SIZE) replications: of the run's `C`
//! chunks, shard `I` of `N` takes the contiguous range
//! `floor((I-1) C / N) .. floor(I C / N)` ([`Shard::chunk_range`]), which
//! may be empty when `N > C`. It writes a shard folder:
//!
//! - `partial.bin`: the shard's [`PartialRun`](crate::engine::PartialRun) in the engine's binary form
//!   (every accumulator's exact state, with a checksum), absent for an
//!   empty shard;
//! - `replications.csv` with `--save-replications`: the header and the
//!   shard's rows;
//! - `reservoir.csv`: the reservoir sample of the shard's replications
//!   (see [`crate::output::reservoir`]: the merged shards' reservoirs give
//!   exactly the whole run's);
//! - `manifest.json`: the run manifest with a `shard` section (index,
//!   count, chunk and replication ranges, the scenario file's absolute path
//!   and the SHA-256 of each result file).
//!
//! [`merge_run`] checks the manifests (one tool version, scenario contents,
//! seed, replication count and shard count, and the options that change a
//! shard's files: `--save-replications`, `--reservoir`; every shard present
//! exactly once; files intact), merges the partial runs in chunk order (the
//! engine's merges are exact) and writes the run folder through the same
//! code as `sezsim run`, so tables are identical to the byte. It re-reads
//! the scenario file named in the manifests (and checks its hash) because
//! the run folder's files are written from the scenario as well as from
//! the numbers.
//!
//! **A sweep** is cut by points instead (see [`crate::sweep`]);
//! [`crate::merge::merge`] recognises a sweep shard by its `sweep.json`
//! and hands it to [`crate::sweep::merge_shards`].

mod merge_run;
mod run_shard;

pub use merge_run::merge_run;
pub use run_shard::{ShardOutcome, run_shard};

pub use super::paths::default_shard_dir;
pub use super::shard_id::Shard;

/// The file holding a shard's [`PartialRun`](crate::engine::PartialRun).
pub const PARTIAL_FILE: &str = "partial.bin";
/// The manifest of a run folder or run shard.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The per-replication table written with `--save-replications`.
pub const REPLICATIONS_FILE: &str = "replications.csv";
/// The shard's reservoir sample, for the merged run's charts.
pub const RESERVOIR_FILE: &str = crate::output::charts::RESERVOIR_CSV;

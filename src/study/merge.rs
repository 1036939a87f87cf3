//! `sezsim merge`: shard folders back into the folder the unsharded
//! command writes. A folder holding a `sweep.json` is a sweep shard
//! (merged by [`sweep::merge_shards`]), one whose manifest says
//! `"kind": "sensitivity"` a shard of a sensitivity analysis (merged by
//! [`analysis`]), any other a run shard (merged by [`shard::merge_run`]);
//! this is the one place that tells them apart.
//!
//! Above `shard`, `sweep` and `analysis` in the study layer, which never
//! call it.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::scenario::Registry;
use crate::{analysis, shard, sweep};

pub use super::merged::{MergeOutcome, MergedKind};

/// Merge the shard folders `dirs` (in any order) into `out`, which is
/// replaced atomically. Refuses, naming every problem, shards that do not
/// belong together: different scenarios, seeds, replication counts, shard
/// counts, tool versions or options (`--save-replications`, `--reservoir`),
/// a shard missing or given twice, damaged files; and a mix of run and
/// sweep shards. `command` is recorded in the merged manifest; scenarios
/// are read with the kinds of model in `registry`.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    command: &str,
    registry: &Registry,
) -> Result<MergeOutcome, Error> {
    if dirs.is_empty() {
        return Err(Error::usage("merge needs at least one shard folder"));
    }
    let sweeps = dirs
        .iter()
        .filter(|d| d.join(sweep::SWEEP_MANIFEST).is_file())
        .count();
    if sweeps == dirs.len() {
        return sweep::merge_shards(dirs, out, command, registry);
    }
    if sweeps > 0 {
        return Err(Error::usage(
            "some folders are sweep shards and some are not: merge the shards of one command at a time",
        ));
    }
    let analyses = dirs
        .iter()
        .filter(|d| analysis::is_analysis_shard(d))
        .count();
    if analyses == dirs.len() {
        return analysis::merge_analysis(dirs, out, command, registry);
    }
    if analyses > 0 {
        return Err(Error::usage(
            "some folders are sensitivity analysis shards and some are not: merge the shards of one command at a time",
        ));
    }
    shard::merge_run(dirs, out, command, registry)
}

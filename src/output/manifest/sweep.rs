//! The sweep manifest, `sweep.json` of a sweep folder and of each sweep
//! shard (with its `shard` section), read back to resume, check and merge
//! a sweep.

use serde::{Deserialize, Serialize};

/// `sweep.json`. Field names and order are a public interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepManifest {
    /// [`TOOL`](super::TOOL).
    pub tool: String,
    /// [`TOOL_VERSION`](super::TOOL_VERSION) of the build that wrote it.
    pub tool_version: String,
    /// The sweep's `name`.
    pub sweep: String,
    /// The sweep's `title`.
    pub title: String,
    /// The sweep file, as an absolute path (merge re-reads it).
    pub sweep_file: String,
    /// SHA-256 of the sweep file.
    pub sweep_sha256: String,
    /// The base scenario's name.
    pub base: String,
    /// `scenario_sha256` of the base scenario.
    pub base_sha256: String,
    /// How the points are laid out (`grid` or `lhs`).
    pub design: String,
    /// The swept parameter paths.
    pub parameters: Vec<String>,
    /// Points in the sweep.
    pub points: usize,
    /// The seed of every point.
    pub seed: u64,
    /// Replications of every point.
    pub replications: u64,
    /// Worker threads used (results never depend on them).
    pub threads: usize,
    /// Points run by the command that wrote this.
    pub points_run: usize,
    /// Points whose results were kept from an earlier run.
    pub points_reused: usize,
    /// For a sweep shard (`--shard I/N`): which points it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<SweepShardInfo>,
    /// For a sweep merged from shards: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
    /// Seconds the command took.
    pub wall_time_seconds: f64,
    /// The command line.
    pub command: String,
}

/// The points a sweep shard holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepShardInfo {
    /// I of `--shard I/N`, from 1.
    pub index: u32,
    /// N of `--shard I/N`.
    pub count: u32,
    /// Its points' numbers (from 1).
    pub points: Vec<usize>,
}

impl SweepManifest {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        super::to_json(self)
    }
}

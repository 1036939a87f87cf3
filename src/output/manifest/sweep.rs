//! The sweep manifest, `sweep.json` of a sweep folder and of each sweep
//! shard (with its `shard` section), read back to resume, check and merge
//! a sweep.

use serde::{Deserialize, Serialize};

/// `sweep.json`. Field names and order are a public interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepManifest {
    pub tool: String,
    pub tool_version: String,
    pub sweep: String,
    pub title: String,
    /// The sweep file, as an absolute path (merge re-reads it).
    pub sweep_file: String,
    /// SHA-256 of the sweep file.
    pub sweep_sha256: String,
    /// The base scenario's name.
    pub base: String,
    /// `scenario_sha256` of the base scenario.
    pub base_sha256: String,
    pub design: String,
    /// The swept parameter paths.
    pub parameters: Vec<String>,
    /// Points in the sweep.
    pub points: usize,
    pub seed: u64,
    pub replications: u64,
    pub threads: usize,
    /// Points run by the command that wrote this, and points kept from an
    /// earlier run.
    pub points_run: usize,
    pub points_reused: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<SweepShardInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
    pub wall_time_seconds: f64,
    pub command: String,
}

/// The points a sweep shard holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepShardInfo {
    pub index: u32,
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

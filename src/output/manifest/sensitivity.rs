//! The manifest of a sensitivity analysis, `manifest.json` of its folder
//! (`sezsim sensitivity`), of a shard of it (`--shard`, with its `shard`
//! section) and of an analysis merged from shards (`merged_shards`):
//! everything needed to reproduce it, and what `sezsim merge` checks.

use serde::{Deserialize, Serialize};

use super::ManifestInput;
use crate::engine::Catalogue;

/// The sensitivity manifest (docs/outputs.md). Field names are a public
/// interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityManifest {
    /// Always `sezsim`.
    pub tool: String,
    /// The version of sezsim that wrote it.
    pub tool_version: String,
    /// Always [`SensitivityManifest::KIND`]: how `sezsim merge` tells an
    /// analysis from a run.
    pub kind: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's title.
    pub title: String,
    /// The kind of model.
    pub model: String,
    /// Every input file read, with its SHA-256.
    pub inputs: Vec<ManifestInput>,
    /// SHA-256 identifying the scenario's contents.
    pub scenario_sha256: String,
    /// `sobol` or `morris`.
    pub method: String,
    /// The seed of the design and the model's shocks.
    pub seed: u64,
    /// `--samples` as given: base rows (Sobol') or trajectories (Morris).
    pub samples: u64,
    /// Base rows over all replicates (Sobol', `samples` rounded up), or
    /// trajectories (Morris).
    pub base_samples: u64,
    /// Independent scramblings (Sobol'; 0 for Morris).
    pub replicates: u32,
    /// Whether second-order indices were computed.
    pub second_order: bool,
    /// Confidence level of every interval.
    pub confidence_level: f64,
    /// Model evaluations.
    pub evaluations: u64,
    /// The factors, in table order.
    pub factors: Vec<ManifestFactor>,
    /// The outputs analysed, as `--outputs` names them.
    pub selected_outputs: Vec<String>,
    /// Worker threads (results never depend on it).
    pub threads: usize,
    /// Seconds taken.
    pub wall_time_seconds: f64,
    /// The command that reproduces this analysis.
    pub command: String,
    /// For a shard (`--shard I/N`): which part of the design it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<SensitivityShardInfo>,
    /// For an analysis merged from shards: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
    /// Label and unit of every output and scalar the model records.
    pub outputs: Catalogue,
}

impl SensitivityManifest {
    /// The `kind` of every sensitivity manifest.
    pub const KIND: &'static str = "sensitivity";

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        super::to_json(self)
    }
}

/// One factor: its name and the parameters it moves (none for the model's
/// random shocks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFactor {
    /// Its name: a parameter path, a group's name, or a correlated
    /// block's paths joined by `+`.
    pub name: String,
    /// The parameter paths it moves.
    pub parameters: Vec<String>,
}

/// The part of an analysis a shard holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityShardInfo {
    /// I of `--shard I/N`, from 1.
    pub index: u32,
    /// N of `--shard I/N`.
    pub count: u32,
    /// The design blocks (Sobol') or trajectories (Morris) evaluated,
    /// `[start, end)`.
    pub blocks: [u64; 2],
    /// The scenario file, as an absolute path: merge re-reads it.
    pub scenario_file: String,
    /// The shard's result files with their SHA-256.
    pub files: Vec<ManifestInput>,
}

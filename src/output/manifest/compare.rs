//! The comparison manifest, `manifest.json` of a comparison folder: the
//! seed and replications every scenario ran with, and each scenario with
//! the folder of its run.

use serde::{Deserialize, Serialize};

/// `manifest.json` of a comparison folder. Field names and order are a
/// public interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareManifest {
    /// [`TOOL`](super::TOOL).
    pub tool: String,
    /// [`TOOL_VERSION`](super::TOOL_VERSION) of the build that wrote it.
    pub tool_version: String,
    /// [`CompareManifest::KIND`].
    pub kind: String,
    /// The seed of every scenario.
    pub seed: u64,
    /// Replications of every scenario.
    pub replications: u64,
    /// Worker threads used (results never depend on them).
    pub threads: usize,
    /// How the paired intervals are computed.
    pub interval: String,
    /// The base, then the variants.
    pub scenarios: Vec<ManifestScenario>,
    /// Seconds the comparison took, all scenarios included.
    pub wall_time_seconds: f64,
    /// The command line.
    pub command: String,
    /// For `compare --precision`: what was asked and achieved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<super::PrecisionRecord>,
}

/// A scenario of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestScenario {
    /// `[scenario].name`.
    pub name: String,
    /// `[scenario].title`.
    pub title: String,
    /// SHA-256 identifying the scenario's contents, as in its run's
    /// manifest.
    pub scenario_sha256: String,
    /// Its run folder, inside the comparison folder.
    pub folder: String,
}

impl CompareManifest {
    /// The `kind` of a comparison manifest.
    pub const KIND: &str = "compare";

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        super::to_json(self)
    }
}

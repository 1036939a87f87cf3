//! Manifests: the JSON records sezsim writes beside its results, saying
//! what was run and how, so that results can be reproduced, merged and
//! resumed. Four kinds, one file each:
//!
//! - [`Manifest`] (`run.rs`): `manifest.json` of a run folder, of a shard
//!   of a run, and of a run merged from shards.
//! - [`CompareManifest`] (`compare.rs`): `manifest.json` of a comparison
//!   folder.
//! - [`SweepManifest`] (`sweep.rs`): `sweep.json` of a sweep folder or
//!   sweep shard.
//! - [`SensitivityManifest`] (`sensitivity.rs`): `manifest.json` of a
//!   sensitivity analysis or a shard of it.
//!
//! Field names and their order are a public interface: users' scripts read
//! them. So each kind is its own struct, fields in file order, rather than
//! a shared header flattened in (which would move the fields the kinds
//! share, `tool`, `tool_version`, `wall_time_seconds` and `command`, out of
//! place). What they share is here: the tool's name and version, the files
//! listed with their checksums ([`ManifestInput`]) and the JSON form
//! ([`to_json`]).

use serde::{Deserialize, Serialize};

mod compare;
mod run;
mod sensitivity;
mod sweep;

pub use compare::{CompareManifest, ManifestScenario};
pub use run::{Manifest, ManifestParameter, ManifestZone, PrecisionRecord, RunFacts, ShardInfo};
pub use sensitivity::{ManifestFactor, SensitivityManifest, SensitivityShardInfo};
pub use sweep::{SweepManifest, SweepShardInfo};

/// The `tool` of every manifest: how sezsim recognises a folder it wrote.
pub const TOOL: &str = "sezsim";

/// The `tool_version` of the manifests this build writes.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A file with its SHA-256: an input a run read, or a result file a shard
/// or a sweep point vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestInput {
    /// The file's path: as given for an input, relative to the folder for a
    /// result file.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

impl ManifestInput {
    /// Every input file `scenario` read, with its SHA-256, as a manifest
    /// lists them.
    pub fn of_scenario(scenario: &crate::scenario::Scenario) -> Vec<ManifestInput> {
        scenario
            .inputs
            .iter()
            .map(|f| ManifestInput {
                path: f.path.display().to_string(),
                sha256: f.sha256.clone(),
            })
            .collect()
    }
}

/// `value` as pretty JSON with a final newline: the form of every manifest
/// and record sezsim writes.
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail (string keys, no maps
    // with other keys); "{}" keeps the signature infallible all the same.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Catalogue;

    /// The three kinds of manifest, byte for byte as users' scripts have
    /// always read them: field names, order, and the optional sections.
    #[test]
    fn manifests_keep_their_json_to_the_byte() {
        let run = Manifest {
            tool: TOOL.into(),
            tool_version: "0.1.0".into(),
            scenario: "base".into(),
            title: "Base".into(),
            model: "sez".into(),
            inputs: vec![ManifestInput {
                path: "base.toml".into(),
                sha256: "ab".into(),
            }],
            scenario_sha256: "cd".into(),
            seed: 7,
            replications: 1000,
            deterministic: false,
            threads: 2,
            sampling: "lhs".into(),
            start_year: 2025,
            years: 10,
            wall_time_seconds: 1.5,
            quantile_method: "exact".into(),
            command: "sezsim run base.toml".into(),
            shard: Some(ShardInfo {
                index: 2,
                count: 3,
                chunks: [1, 2],
                replication_range: [256, 512],
                scenario_file: "/abs/base.toml".into(),
                files: vec![ManifestInput {
                    path: "partial.bin".into(),
                    sha256: "ef".into(),
                }],
                save_replications: true,
            }),
            merged_shards: Some(3),
            precision: None,
            reservoir_capacity: 500,
            zones: vec![ManifestZone {
                id: "north".into(),
                name: "North".into(),
            }],
            outputs: Catalogue::default(),
            parameters: Vec::new(),
            chart_size: Default::default(),
            tables: crate::scenario::Tables::Charted,
        };
        assert_eq!(run.to_json(), RUN_JSON);
        let mut sweep = SweepManifest {
            tool: TOOL.into(),
            tool_version: "0.1.0".into(),
            sweep: "grid".into(),
            title: "Grid".into(),
            sweep_file: "/abs/grid.toml".into(),
            sweep_sha256: "ab".into(),
            base: "base".into(),
            base_sha256: "cd".into(),
            design: "grid".into(),
            parameters: vec!["a.b".into(), "c".into()],
            points: 4,
            seed: 7,
            replications: 100,
            threads: 2,
            points_run: 3,
            points_reused: 1,
            shard: Some(SweepShardInfo {
                index: 1,
                count: 2,
                points: vec![1, 3],
            }),
            merged_shards: Some(2),
            wall_time_seconds: 0.25,
            command: "sezsim sweep grid.toml".into(),
        };
        assert_eq!(sweep.to_json(), SWEEP_JSON);
        // Without a shard or a merge, those keys are left out.
        sweep.shard = None;
        sweep.merged_shards = None;
        assert_eq!(sweep.to_json(), SWEEP_PLAIN_JSON);
        let compare = CompareManifest {
            tool: TOOL.into(),
            tool_version: "0.1.0".into(),
            kind: CompareManifest::KIND.into(),
            seed: 7,
            replications: 100,
            threads: 2,
            interval: "95%: mean paired difference +- 1.96 x sd(differences) / sqrt(n)".into(),
            scenarios: ["base", "var"]
                .into_iter()
                .zip(["ab", "cd"])
                .map(|(name, sha)| ManifestScenario {
                    name: name.into(),
                    title: format!("{}{}", name[..1].to_uppercase(), &name[1..]),
                    scenario_sha256: sha.into(),
                    folder: name.into(),
                })
                .collect(),
            wall_time_seconds: 0.5,
            command: "sezsim compare a b".into(),
            precision: None,
        };
        assert_eq!(compare.to_json(), COMPARE_JSON);
    }

    /// The manifests read back what they wrote (merge and resume rely on it).
    #[test]
    fn manifests_read_back_what_they_wrote() {
        let text = COMPARE_JSON;
        let m: CompareManifest = serde_json::from_str(text).unwrap();
        assert_eq!(m.to_json(), text);
        let m: SweepManifest = serde_json::from_str(SWEEP_JSON).unwrap();
        assert_eq!(m.to_json(), SWEEP_JSON);
        let m: Manifest = serde_json::from_str(RUN_JSON).unwrap();
        assert_eq!(m.to_json(), RUN_JSON);
    }

    const RUN_JSON: &str = r#"{
  "tool": "sezsim",
  "tool_version": "0.1.0",
  "scenario": "base",
  "title": "Base",
  "model": "sez",
  "inputs": [
    {
      "path": "base.toml",
      "sha256": "ab"
    }
  ],
  "scenario_sha256": "cd",
  "seed": 7,
  "replications": 1000,
  "deterministic": false,
  "threads": 2,
  "sampling": "lhs",
  "start_year": 2025,
  "years": 10,
  "wall_time_seconds": 1.5,
  "quantile_method": "exact",
  "command": "sezsim run base.toml",
  "shard": {
    "index": 2,
    "count": 3,
    "chunks": [
      1,
      2
    ],
    "replication_range": [
      256,
      512
    ],
    "scenario_file": "/abs/base.toml",
    "files": [
      {
        "path": "partial.bin",
        "sha256": "ef"
      }
    ],
    "save_replications": true
  },
  "merged_shards": 3,
  "reservoir_capacity": 500,
  "zones": [
    {
      "id": "north",
      "name": "North"
    }
  ],
  "outputs": {
    "series": [],
    "scalars": []
  },
  "tables": "charted"
}
"#;

    const SWEEP_JSON: &str = r#"{
  "tool": "sezsim",
  "tool_version": "0.1.0",
  "sweep": "grid",
  "title": "Grid",
  "sweep_file": "/abs/grid.toml",
  "sweep_sha256": "ab",
  "base": "base",
  "base_sha256": "cd",
  "design": "grid",
  "parameters": [
    "a.b",
    "c"
  ],
  "points": 4,
  "seed": 7,
  "replications": 100,
  "threads": 2,
  "points_run": 3,
  "points_reused": 1,
  "shard": {
    "index": 1,
    "count": 2,
    "points": [
      1,
      3
    ]
  },
  "merged_shards": 2,
  "wall_time_seconds": 0.25,
  "command": "sezsim sweep grid.toml"
}
"#;

    const COMPARE_JSON: &str = r#"{
  "tool": "sezsim",
  "tool_version": "0.1.0",
  "kind": "compare",
  "seed": 7,
  "replications": 100,
  "threads": 2,
  "interval": "95%: mean paired difference +- 1.96 x sd(differences) / sqrt(n)",
  "scenarios": [
    {
      "name": "base",
      "title": "Base",
      "scenario_sha256": "ab",
      "folder": "base"
    },
    {
      "name": "var",
      "title": "Var",
      "scenario_sha256": "cd",
      "folder": "var"
    }
  ],
  "wall_time_seconds": 0.5,
  "command": "sezsim compare a b"
}
"#;

    const SWEEP_PLAIN_JSON: &str = r#"{
  "tool": "sezsim",
  "tool_version": "0.1.0",
  "sweep": "grid",
  "title": "Grid",
  "sweep_file": "/abs/grid.toml",
  "sweep_sha256": "ab",
  "base": "base",
  "base_sha256": "cd",
  "design": "grid",
  "parameters": [
    "a.b",
    "c"
  ],
  "points": 4,
  "seed": 7,
  "replications": 100,
  "threads": 2,
  "points_run": 3,
  "points_reused": 1,
  "wall_time_seconds": 0.25,
  "command": "sezsim sweep grid.toml"
}
"#;
}

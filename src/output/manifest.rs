//! `manifest.json`: everything needed to reproduce a run.

use serde::Serialize;

use crate::scenario::Scenario;
use crate::uncertainty::SamplingMethod;

/// The run manifest (CLI.md). Field names are a public interface.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub scenario: String,
    pub title: String,
    pub model: &'static str,
    /// Every input file read, with its SHA-256.
    pub inputs: Vec<ManifestInput>,
    pub seed: u64,
    pub replications: u64,
    pub deterministic: bool,
    pub threads: usize,
    pub sampling: &'static str,
    pub start_year: i32,
    pub years: u32,
    pub wall_time_seconds: f64,
    /// How the quantile columns were computed.
    pub quantile_method: String,
    /// The command that reproduces this run.
    pub command: String,
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestInput {
    pub path: String,
    pub sha256: String,
}

/// The settings of one run, as recorded.
#[derive(Debug, Clone)]
pub struct RunFacts {
    pub seed: u64,
    pub replications: u64,
    pub deterministic: bool,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub quantile_method: String,
    pub command: String,
}

impl Manifest {
    /// The manifest of a run of `scenario`.
    pub fn new(scenario: &Scenario, facts: RunFacts) -> Self {
        Manifest {
            tool: "sezsim",
            tool_version: env!("CARGO_PKG_VERSION"),
            scenario: scenario.name.clone(),
            title: scenario.title.clone(),
            model: scenario.model.kind(),
            inputs: scenario
                .inputs
                .iter()
                .map(|f| ManifestInput {
                    path: f.path.display().to_string(),
                    sha256: f.sha256.clone(),
                })
                .collect(),
            seed: facts.seed,
            replications: facts.replications,
            deterministic: facts.deterministic,
            threads: facts.threads,
            sampling: match scenario.sampling {
                SamplingMethod::Random => "random",
                SamplingMethod::LatinHypercube => "lhs",
            },
            start_year: scenario.start_year,
            years: scenario.years,
            wall_time_seconds: facts.wall_time_seconds,
            quantile_method: facts.quantile_method,
            command: facts.command,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }
}

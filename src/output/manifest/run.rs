//! The run manifest, `manifest.json` of a run folder: everything needed to
//! reproduce a run.
//!
//! The same structure describes a shard of a run (`sezsim run --shard`),
//! with its `shard` section, and is read back by `sezsim merge`, and a
//! run merged from shards (`merged_shards`).

use serde::{Deserialize, Serialize};

use super::{ManifestInput, TOOL, TOOL_VERSION};
use crate::engine::Catalogue;
use crate::output::charts::ChartSize;
use crate::scenario::{Scenario, Tables};
use crate::uncertainty::SamplingMethod;

/// The run manifest (docs/outputs.md). Field names are a public interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`TOOL`]: how sezsim recognises a folder it wrote.
    pub tool: String,
    /// [`TOOL_VERSION`] of the build that wrote it.
    pub tool_version: String,
    /// `[scenario].name`.
    pub scenario: String,
    /// `[scenario].title`.
    pub title: String,
    /// The kind of model (`[model].kind`: `sez`, `ishigami`...).
    pub model: String,
    /// Every input file read, with its SHA-256.
    pub inputs: Vec<ManifestInput>,
    /// SHA-256 identifying the scenario's contents (see
    /// [`Scenario::content_hash`]): equal for runs of the same files
    /// wherever they lie.
    pub scenario_sha256: String,
    /// The run's base seed.
    pub seed: u64,
    /// Replications run (1 in deterministic mode).
    pub replications: u64,
    /// Whether the run was deterministic (parameters at their means, no
    /// shocks).
    pub deterministic: bool,
    /// Worker threads used (results never depend on them).
    pub threads: usize,
    /// How static parameters were sampled (`random` or `lhs`).
    pub sampling: String,
    /// First simulated calendar year.
    pub start_year: i32,
    /// Number of simulated years.
    pub years: u32,
    /// Seconds the run took, charts included.
    pub wall_time_seconds: f64,
    /// How the quantile columns were computed.
    pub quantile_method: String,
    /// The command that reproduces this run.
    pub command: String,
    /// For a shard (`run --shard I/N`): which part of the run it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// For a run merged from shards: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
    /// For a run to a stated precision (`run --precision`): what was asked,
    /// what was achieved, and where it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionRecord>,
    /// Most replications kept in `reservoir.csv` (the sample the histograms,
    /// CDFs and tornado charts are drawn from).
    #[serde(default = "default_reservoir_capacity")]
    pub reservoir_capacity: usize,
    /// The zones, in model order, with their names (for chart titles).
    #[serde(default)]
    pub zones: Vec<ManifestZone>,
    /// Label and unit of every output and scalar the model records, so
    /// charts and reports drawn from the run folder alone can label them.
    /// Empty in folders written before it was recorded.
    #[serde(default)]
    pub outputs: Catalogue,
    /// Every uncertain parameter, in the order of the inputs of
    /// `reservoir.csv`: its path, what people call it, its distribution and
    /// mean (the workbook's Inputs sheet, the tornado charts' labels).
    /// Left out when there is none, and absent from folders written before
    /// it was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ManifestParameter>,
    /// The size the charts are drawn at (`[outputs].chart_size`); left out
    /// at the default size, and absent from folders written before sizes
    /// existed.
    #[serde(default, skip_serializing_if = "ChartSize::is_default")]
    pub chart_size: ChartSize,
    /// Which yearly series have tables (`[outputs].tables`); left out at
    /// the default (all), and absent from folders written before it existed.
    #[serde(default, skip_serializing_if = "Tables::is_default")]
    pub tables: Tables,
}

/// An uncertain parameter, as the run manifest records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestParameter {
    /// Its dotted path, as in the tables.
    pub path: String,
    /// What people call it (the scenario's `label`, or words made from the
    /// path).
    pub label: String,
    /// Its distribution, e.g. `triangular(min 0, mode 1, max 4)`.
    pub distribution: String,
    /// The distribution's mean.
    pub mean: f64,
}

fn default_reservoir_capacity() -> usize {
    crate::output::reservoir::DEFAULT_CAPACITY
}

/// What a run to a stated precision asked and achieved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionRecord {
    /// The requests, as written.
    pub requested: Vec<String>,
    /// Most replications allowed (`-n`).
    pub cap: u64,
    /// Replication counts at which the intervals were checked.
    pub checkpoints: Vec<u64>,
    /// Whether every request was met (false: the run reached the cap).
    pub met: bool,
    /// Each request's state where the run stopped.
    pub achieved: Vec<crate::output::precision::Achieved>,
}

/// A zone's id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestZone {
    /// The zone's id (`zone` in the tables).
    pub id: String,
    /// Its `name`.
    pub name: String,
}

/// The part of a run a shard holds, and what `sezsim merge` checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// I of `--shard I/N`, from 1.
    pub index: u32,
    /// N of `--shard I/N`.
    pub count: u32,
    /// The engine chunks run, `[start, end)` (empty when N exceeds the
    /// run's chunks).
    pub chunks: [u64; 2],
    /// The replications run, `[start, end)`.
    pub replication_range: [u64; 2],
    /// The scenario file, as an absolute path: merge re-reads it (and checks
    /// `scenario_sha256`) to write what the unsharded run writes.
    pub scenario_file: String,
    /// The shard's result files with their SHA-256.
    pub files: Vec<ManifestInput>,
    /// Whether the shard ran with `--save-replications` (and so holds its
    /// rows of `replications.csv`): merge refuses shards that disagree.
    #[serde(default)]
    pub save_replications: bool,
}

/// The settings of one run, as recorded.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// The run's base seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// Whether the run was deterministic.
    pub deterministic: bool,
    /// Worker threads used.
    pub threads: usize,
    /// Seconds the run took.
    pub wall_time_seconds: f64,
    /// How the quantile columns were computed
    /// ([`quantile_method`](crate::run::quantile_method)).
    pub quantile_method: String,
    /// The command that reproduces the run.
    pub command: String,
}

impl Manifest {
    /// The manifest of a run of `scenario`.
    pub fn new(scenario: &Scenario, facts: RunFacts) -> Self {
        Manifest {
            tool: TOOL.into(),
            tool_version: TOOL_VERSION.into(),
            scenario: scenario.name.clone(),
            title: scenario.title.clone(),
            model: scenario.model.kind().into(),
            inputs: ManifestInput::of_scenario(scenario),
            scenario_sha256: scenario.content_hash(),
            seed: facts.seed,
            replications: facts.replications,
            deterministic: facts.deterministic,
            threads: facts.threads,
            sampling: match scenario.sampling {
                SamplingMethod::Random => "random".into(),
                SamplingMethod::LatinHypercube => "lhs".into(),
            },
            start_year: scenario.start_year,
            years: scenario.years,
            wall_time_seconds: facts.wall_time_seconds,
            quantile_method: facts.quantile_method,
            command: facts.command,
            shard: None,
            merged_shards: None,
            precision: None,
            reservoir_capacity: default_reservoir_capacity(),
            zones: scenario
                .model
                .groups()
                .into_iter()
                .map(|(id, name)| ManifestZone { id, name })
                .collect(),
            outputs: scenario.model.catalogue(),
            parameters: scenario
                .parameters
                .uncertain()
                .map(|(_, p)| ManifestParameter {
                    path: p.path.clone(),
                    label: p.label().to_string(),
                    distribution: p.distribution.to_string(),
                    mean: p.distribution.mean(),
                })
                .collect(),
            chart_size: scenario.outputs.chart_size,
            tables: scenario.outputs.tables,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        super::to_json(self)
    }
}

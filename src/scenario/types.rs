//! The validated scenario: defaults applied, CSV series loaded and resolved
//! to the horizon, every parameter checked and registered by path.
//!
//! Models read only these types, never TOML. Numeric model parameters are
//! [`ParamId`]s into the scenario's [`ParameterSet`]: per replication a model
//! receives a slice of values indexed by them, so the hot loop never looks a
//! parameter up by name.

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use super::kind::ModelSpec;
use crate::diagnostics::Location;
use crate::output::charts::ChartSize;
use crate::uncertainty::{ParamId, ParameterSampler, ParameterSet, SamplingError, SamplingMethod};

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `[scenario].name`: also the output folder name (`[A-Za-z0-9_-]+`).
    pub name: String,
    /// `[scenario].title` (defaults to the name).
    pub title: String,
    /// `[scenario].description` (optional free text for reports).
    pub description: Option<String>,
    /// First simulated calendar year.
    pub start_year: i32,
    /// Number of simulated years (the horizon H).
    pub years: u32,
    /// Default number of replications (the command line may override it).
    pub replications: u64,
    /// Base seed of every random stream.
    pub seed: u64,
    /// Annual discount rate for the fiscal NPV.
    pub discount_rate: f64,
    /// How static parameters are sampled.
    pub sampling: SamplingMethod,
    /// Every numeric parameter, fixed or uncertain, by path.
    pub parameters: ParameterSet,
    /// Spearman rank-correlation targets between uncertain parameters.
    pub correlations: Vec<Correlation>,
    /// What the model is: its kind's validated description.
    pub model: Arc<dyn ModelSpec>,
    /// Table and chart settings.
    pub outputs: OutputSettings,
    /// `[sensitivity]`: groups of parameters a sensitivity analysis treats
    /// as one factor.
    pub sensitivity: SensitivitySettings,
    /// Every input file read (TOML chain and CSVs), for the manifest.
    pub inputs: Vec<InputFile>,
    /// Inherited lists of tables that a file of the `extends` chain
    /// replaced whole rather than added to; `check` names them, so that
    /// nobody drops inherited entries by accident.
    pub replaced_lists: Vec<ReplacedList>,
}

impl Scenario {
    /// The sampler of this scenario's static parameters for a run of
    /// `replications` under `seed` (its sampling method and correlations).
    /// Loading already checked the correlations, so an error here means the
    /// scenario was changed after loading.
    pub fn parameter_sampler(
        &self,
        replications: u64,
        seed: u64,
    ) -> Result<ParameterSampler, SamplingError> {
        let correlations: Vec<_> = self
            .correlations
            .iter()
            .map(|c| (c.a, c.b, c.spearman))
            .collect();
        ParameterSampler::new(
            &self.parameters,
            seed,
            replications,
            self.sampling,
            &correlations,
        )
    }

    /// The model's spec as its concrete type `T` (a kind's own spec), or
    /// `None` when the scenario is of another kind.
    pub fn spec<T: ModelSpec>(&self) -> Option<&T> {
        let spec: &dyn Any = self.model.as_ref();
        spec.downcast_ref::<T>()
    }

    /// Calendar years of the horizon.
    pub fn calendar_years(&self) -> impl Iterator<Item = i32> + '_ {
        (0..self.years as i32).map(move |t| self.start_year + t)
    }
}

/// A file the scenario was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file, as read.
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// An inherited list of tables (`[[committed_investments]]`,
/// `[[correlations]]`...) that a child file replaced whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedList {
    /// Dotted key path of the list (`committed_investments`).
    pub key_path: String,
    /// Entries the parent had.
    pub inherited: usize,
    /// Entries of the child's list; `None` when the child's value is not a
    /// list (a CSV path).
    pub replacement: Option<usize>,
    /// Where the child wrote the key.
    pub at: Location,
}

/// A Spearman rank-correlation target between two uncertain parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// One parameter.
    pub a: ParamId,
    /// The other parameter.
    pub b: ParamId,
    /// Spearman's rank correlation wanted between them, in [-1, 1].
    pub spearman: f64,
}

/// A yearly series resolved to the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// One value per simulated year, `values[t]` for year `start_year + t`.
    pub values: Vec<f64>,
    /// Where the values came from.
    pub source: SeriesSource,
}

impl Series {
    /// `value` in each of `years` years.
    pub fn constant(value: f64, years: usize) -> Series {
        Series {
            values: vec![value; years],
            source: SeriesSource::Constant(value),
        }
    }
}

/// Where a series' values came from.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesSource {
    /// A single number, the same every year.
    Constant(f64),
    /// A CSV column (a step function of year).
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// The column read.
        column: String,
    },
}

/// `[outputs]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSettings {
    /// Quantile levels in (0, 1), ascending.
    pub quantiles: Vec<f64>,
    /// Years shown in report tables.
    pub table_years: Vec<i32>,
    /// Outputs drawn as fan charts.
    pub charts: Vec<String>,
    /// Targets by scalar name, in file order.
    pub targets: Vec<(String, f64)>,
    /// The size charts are drawn at (`chart_size`; `slide` by default).
    pub chart_size: ChartSize,
    /// Precision requests (`precision = ["exports_final=1%"]`), checked
    /// against the model's outputs when a run starts.
    pub precision: Vec<crate::output::precision::PrecisionSpec>,
    /// Which yearly series get tables (`tables`; all by default).
    pub tables: Tables,
}

/// `[outputs] tables`: which yearly series a run summarises into
/// `summary.csv` (and the charts, report and workbook made from it).
/// Scalars are always summarised, and their results do not depend on it;
/// nor does a kept series' row. Fewer series cost less: the statistics of
/// every value are a large part of a run's time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tables {
    /// Every series the model records (the default).
    #[default]
    All,
    /// The series of the outputs in `[outputs] charts`, every zone and
    /// the total.
    Charted,
    /// No yearly series: no fan charts, an empty `summary.csv` (its header).
    Scalars,
}

impl Tables {
    /// Every setting, in the order the docs list them.
    pub const ALL: [Tables; 3] = [Tables::All, Tables::Charted, Tables::Scalars];

    /// The name in scenario files and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Tables::All => "all",
            Tables::Charted => "charted",
            Tables::Scalars => "scalars",
        }
    }

    /// Whether this is the default (every series).
    pub fn is_default(&self) -> bool {
        *self == Tables::All
    }

    /// The setting named `name`.
    pub fn from_name(name: &str) -> Option<Tables> {
        Tables::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the series of output `output` get tables when the fan
    /// charts are `charts`.
    pub fn keeps(self, output: &str, charts: &[String]) -> bool {
        match self {
            Tables::All => true,
            Tables::Charted => charts.iter().any(|c| c == output),
            Tables::Scalars => false,
        }
    }

    /// [`crate::engine::RunOptions::keep_series`] for a model recording
    /// `layout`: `None` (all) or the kept series' indices.
    pub fn keep_series(
        self,
        layout: &crate::engine::OutputLayout,
        charts: &[String],
    ) -> Option<Vec<usize>> {
        (self != Tables::All).then(|| {
            layout
                .series
                .iter()
                .enumerate()
                .filter(|(_, s)| self.keeps(&s.output, charts))
                .map(|(i, _)| i)
                .collect()
        })
    }
}

/// `[sensitivity]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SensitivitySettings {
    /// Declared groups, in file order.
    pub groups: Vec<SensitivityGroup>,
}

/// A declared group of parameters: one factor of a sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityGroup {
    /// Its name (`[A-Za-z0-9_-]+`, not `shocks`), which names the factor.
    pub name: String,
    /// Its glob patterns over parameter paths, as written.
    pub patterns: Vec<String>,
    /// The uncertain parameters they match, in registration order (at
    /// least one).
    pub members: Vec<ParamId>,
}

//! The validated scenario: defaults applied, CSV series loaded and resolved
//! to the horizon, every parameter checked and registered by path.
//!
//! Models read only these types, never TOML. Numeric model parameters are
//! [`ParamId`]s into the scenario's [`ParameterSet`]: per replication a model
//! receives a slice of values indexed by them, so the hot loop never looks a
//! parameter up by name.

use std::path::PathBuf;

use nalgebra::DMatrix;

use crate::diagnostics::Location;
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
    /// What the model is.
    pub model: ModelSpec,
    /// Table and chart settings.
    pub outputs: OutputSettings,
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

    /// Calendar years of the horizon.
    pub fn calendar_years(&self) -> impl Iterator<Item = i32> + '_ {
        (0..self.years as i32).map(move |t| self.start_year + t)
    }
}

/// A file the scenario was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
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
    pub a: ParamId,
    pub b: ParamId,
    pub spearman: f64,
}

/// The model a scenario runs.
#[derive(Debug, Clone)]
pub enum ModelSpec {
    /// The SEZ growth model.
    Sez(Box<SezSpec>),
    /// Ishigami benchmark: y = sin x1 + a sin^2 x2 + b x3^4 sin x1.
    Ishigami {
        a: f64,
        b: f64,
        /// Inputs x1, x2, x3.
        inputs: [ParamId; 3],
    },
    /// Sobol' G benchmark: y = prod (|4 x_i - 2| + a_i) / (1 + a_i).
    SobolG {
        a: Vec<f64>,
        /// Inputs x1..xk, one per coefficient.
        inputs: Vec<ParamId>,
    },
}

impl ModelSpec {
    /// The `[model].kind` name.
    pub fn kind(&self) -> &'static str {
        match self {
            ModelSpec::Sez(_) => "sez",
            ModelSpec::Ishigami { .. } => "ishigami",
            ModelSpec::SobolG { .. } => "sobol_g",
        }
    }
}

/// A yearly series resolved to the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// One value per simulated year, `values[t]` for year `start_year + t`.
    pub values: Vec<f64>,
    /// Where the values came from.
    pub source: SeriesSource,
}

/// Where a series' values came from.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesSource {
    /// A single number, the same every year.
    Constant(f64),
    /// A CSV column (a step function of year).
    Csv { path: PathBuf, column: String },
}

/// Everything the SEZ model needs beyond the scenario header.
#[derive(Debug, Clone)]
pub struct SezSpec {
    pub global: GlobalSpec,
    pub io: IoTable,
    pub zones: Vec<Zone>,
    pub energy_projects: Vec<EnergyProject>,
    pub committed_investments: Vec<CommittedInvestment>,
}

/// `[global]`: national shocks and constraints.
#[derive(Debug, Clone)]
pub struct GlobalSpec {
    /// m_t: median share of the year the grid delivers.
    pub grid_availability: Series,
    /// s_a: sd of the logit of availability.
    pub grid_availability_logit_sd: ParamId,
    /// rho: AR(1) persistence of the demand deviation.
    pub demand_persistence: ParamId,
    /// sigma: sd of the demand innovation.
    pub demand_volatility: ParamId,
    /// p_reg: annual probability of a regulatory event.
    pub regulatory_shock_probability: ParamId,
    /// cut: investment cut while a shock is active.
    pub regulatory_shock_cut: ParamId,
    /// Years a shock stays active.
    pub regulatory_shock_years: u32,
    /// National port capacity, TEU per year.
    pub port_capacity_teu: Series,
}

/// The domestic input-output table.
#[derive(Debug, Clone)]
pub struct IoTable {
    /// Sector names, in matrix order.
    pub sectors: Vec<String>,
    /// A_io: `coefficients[(i, j)]` = USD of sector i's output bought per USD
    /// of sector j's output.
    pub coefficients: DMatrix<f64>,
    /// e: jobs per USD million of output, by sector.
    pub jobs_per_musd: Vec<f64>,
}

impl IoTable {
    /// The Leontief inverse L = (I - A_io)^-1: column j is the output of
    /// every sector that one USD of final demand for sector j calls forth.
    /// `None` when I - A_io is singular (loading refuses such tables).
    pub fn leontief(&self) -> Option<DMatrix<f64>> {
        let n = self.sectors.len();
        (DMatrix::identity(n, n) - &self.coefficients).try_inverse()
    }
}

/// One zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// `[a-z0-9_]+`, used in parameter paths and outputs.
    pub id: String,
    pub name: String,
    pub opens_year: i32,
    pub investment: Investment,
    pub workforce: Workforce,
    pub production: Production,
    pub energy: Energy,
    pub exports: Exports,
    pub linkages: Linkages,
    pub fiscal: Fiscal,
}

/// `[zones.investment]`.
#[derive(Debug, Clone)]
pub struct Investment {
    pub area_ha: ParamId,
    pub opening_delay: ParamId,
    pub developable_share: ParamId,
    pub capital_per_ha: ParamId,
    pub initial_capital: ParamId,
    pub bass_p: ParamId,
    pub bass_q: ParamId,
    pub depreciation: ParamId,
    pub incentive_uplift: ParamId,
    pub tax_holiday_years: ParamId,
    pub energy_sensitivity: ParamId,
    pub skill_sensitivity: ParamId,
    pub demand_sensitivity: ParamId,
    pub fdi_share: ParamId,
}

/// `[zones.workforce]`.
#[derive(Debug, Clone)]
pub struct Workforce {
    pub capital_per_worker: ParamId,
    pub skilled_share: ParamId,
    pub skill_efficiency: ParamId,
    pub skilled_pool_initial: ParamId,
    pub unskilled_pool: ParamId,
    pub attrition: ParamId,
    pub trainees_per_year: Series,
    pub completion_rate: ParamId,
    pub retention_rate: ParamId,
}

/// `[zones.production]`.
#[derive(Debug, Clone)]
pub struct Production {
    pub alpha: ParamId,
    pub output_capital_ratio: ParamId,
    pub va_share: ParamId,
    pub tfp_growth: ParamId,
    pub tfp_spillover: ParamId,
    pub tfp_volatility: ParamId,
}

/// `[zones.energy]`.
#[derive(Debug, Clone)]
pub struct Energy {
    pub energy_intensity: ParamId,
    pub grid_mw: ParamId,
    pub backup_mw: ParamId,
    pub backup_availability: ParamId,
}

/// `[zones.exports]`.
#[derive(Debug, Clone)]
pub struct Exports {
    pub export_share: ParamId,
    pub teu_per_musd: ParamId,
}

/// `[zones.linkages]`.
#[derive(Debug, Clone)]
pub struct Linkages {
    /// c_z: sourcing shares over the IO sectors, in IO order (sum to 1).
    pub sourcing: Vec<f64>,
    pub local_content_initial: ParamId,
    pub local_content_target: ParamId,
    pub local_content_speed: ParamId,
}

/// `[zones.fiscal]`.
#[derive(Debug, Clone)]
pub struct Fiscal {
    pub tax_rate: ParamId,
    pub profit_margin: ParamId,
    pub public_cost: Series,
}

/// A power project serving zones.
#[derive(Debug, Clone)]
pub struct EnergyProject {
    pub name: String,
    /// Index into [`SezSpec::zones`].
    pub zone: usize,
    pub capacity_mw: f64,
    pub capacity_factor: f64,
    pub zone_share: f64,
    pub planned_year: i32,
    /// Delay in years (floored when applied).
    pub delay: ParamId,
}

/// An announced investment, realised with a probability.
#[derive(Debug, Clone, PartialEq)]
pub struct CommittedInvestment {
    /// Index into [`SezSpec::zones`].
    pub zone: usize,
    pub year: i32,
    /// USD million.
    pub amount: f64,
    pub probability: f64,
    pub foreign: bool,
    /// Stable stream key: `committed.<zone id>.<year>.<k>`, k counting the
    /// zone-year's investments in file order.
    pub stream: String,
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
}

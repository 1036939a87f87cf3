//! The SEZ model's validated description: what `[global]`, `[io]`,
//! `[[zones]]`, `[[energy_projects]]` and `[[committed_investments]]` say,
//! with every numeric parameter a [`ParamId`] into the scenario's
//! parameters. Symbols follow docs/model.md.

use nalgebra::DMatrix;

use crate::scenario::Series;
use crate::uncertainty::ParamId;

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

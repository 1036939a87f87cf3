//! The SEZ model's validated description: what `[global]`, `[io]`,
//! `[[zones]]`, `[[energy_projects]]` and `[[committed_investments]]` say,
//! with every numeric parameter a [`ParamId`] into the scenario's
//! parameters. Symbols follow docs/model.md; money is in USD million at
//! constant prices, energy in MWh, power in MW, people in persons, shares
//! in [0, 1].

use nalgebra::DMatrix;

use crate::scenario::Series;
use crate::uncertainty::ParamId;

/// Everything the SEZ model needs beyond the scenario header.
#[derive(Debug, Clone)]
pub struct SezSpec {
    /// `[global]`: national shocks, constraints and prices.
    pub global: GlobalSpec,
    /// `[io]`: the domestic input-output table.
    pub io: IoTable,
    /// `[[zones]]`, in file order.
    pub zones: Vec<Zone>,
    /// `[[energy_projects]]`, in file order.
    pub energy_projects: Vec<EnergyProject>,
    /// `[[committed_investments]]`, in file order.
    pub committed_investments: Vec<CommittedInvestment>,
    /// Parameters of `[zone_defaults]` with `scope = "common"`: one draw
    /// per replication, shared by the zones that inherit them.
    pub common: Vec<CommonParameter>,
}

/// A parameter drawn once per replication for every zone that inherits it
/// (`scope = "common"`), at path `zone_defaults.<section>.<key>`.
#[derive(Debug, Clone)]
pub struct CommonParameter {
    /// Its parameter.
    pub id: ParamId,
    /// The zones that share it, in zone order.
    pub zones: Vec<String>,
}

/// `[global]`: national shocks and constraints.
#[derive(Debug, Clone)]
pub struct GlobalSpec {
    /// How power reaches the zones: an annual energy balance, or hours and
    /// prices.
    pub power: PowerMode,
    /// rho: AR(1) persistence of the export-demand deviation.
    pub demand_persistence: ParamId,
    /// sigma: standard deviation of the demand innovation (log points).
    pub demand_volatility: ParamId,
    /// p_reg: annual probability of a regulatory event.
    pub regulatory_shock_probability: ParamId,
    /// cut: share of investment lost while a shock is active.
    pub regulatory_shock_cut: ParamId,
    /// Years a shock stays active.
    pub regulatory_shock_years: u32,
    /// National port capacity, TEU per year.
    pub port_capacity_teu: Series,
    /// No tax holiday in any year at or after it (`holiday_sunset_year`).
    pub holiday_sunset_year: Option<i32>,
}

/// `global.power_mode` with the national power keys of each mode.
#[derive(Debug, Clone)]
pub enum PowerMode {
    /// `"balance"` (version 1): the year's energy against the connection,
    /// scaled by grid availability.
    Balance {
        /// m_t: median share of the year the grid delivers.
        grid_availability: Series,
        /// s_a: standard deviation of the logit of availability.
        grid_availability_logit_sd: ParamId,
    },
    /// `"hours"`: outage hours a day, peak load against the connection, and
    /// the price of each kind of energy.
    Hours(HoursGlobal),
}

/// The national keys of `power_mode = "hours"`.
#[derive(Debug, Clone)]
pub struct HoursGlobal {
    /// mu_t: median hours a day of unexpected outage on a shared feeder.
    pub unplanned_hours: Series,
    /// su: log standard deviation of the yearly unexpected-outage draw.
    pub unplanned_logsd: ParamId,
    /// mp_t: median hours a day of scheduled load-shedding.
    pub planned_hours: Series,
    /// sp: log standard deviation of the yearly scheduled-outage draw.
    pub planned_logsd: ParamId,
    /// The grid tariff firms pay, USD/MWh.
    pub tariff: Series,
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
    /// The name people read (charts, reports).
    pub name: String,
    /// The year the zone opens before any delay.
    pub opens_year: i32,
    /// `[zones.investment]`.
    pub investment: Investment,
    /// `[zones.workforce]`.
    pub workforce: Workforce,
    /// `[zones.production]`.
    pub production: Production,
    /// `[zones.energy]`.
    pub energy: Energy,
    /// `[zones.exports]`.
    pub exports: Exports,
    /// `[zones.linkages]`.
    pub linkages: Linkages,
    /// `[zones.fiscal]`.
    pub fiscal: Fiscal,
    /// `[[zones.phases]]`: serviced land and connections delivered over
    /// time; empty when the zone's `area_ha` is serviced from the start.
    pub phases: Vec<Phase>,
}

/// How much serviced land a zone has: one area from the start, or phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Land {
    /// `investment.area_ha` (ha), serviced from the start.
    Area(ParamId),
    /// `[[zones.phases]]`, each delivered in its year.
    Phases,
}

/// `[zones.investment]`.
#[derive(Debug, Clone)]
pub struct Investment {
    /// The zone's serviced land: its area, or its phases.
    pub land: Land,
    /// Years the opening slips (floored), drawn once per replication.
    pub opening_delay: ParamId,
    /// Share of serviced land that firms can build on.
    pub developable_share: ParamId,
    /// Capital per developed hectare at build-out, USD million.
    pub capital_per_ha: ParamId,
    /// K_0: capital in place at the start, USD million.
    pub initial_capital: ParamId,
    /// p: Bass innovation coefficient, per year.
    pub bass_p: ParamId,
    /// q: Bass imitation coefficient, per year.
    pub bass_q: ParamId,
    /// delta: annual depreciation of capital.
    pub depreciation: ParamId,
    /// Entry uplift while the tax holiday runs (0.2 = 20% more entry).
    pub incentive_uplift: ParamId,
    /// Hhol: years of tax holiday.
    pub tax_holiday_years: ParamId,
    /// Elasticity of entry to last year's served share.
    pub energy_sensitivity: ParamId,
    /// Elasticity of entry to last year's filled share of skilled jobs.
    pub skill_sensitivity: ParamId,
    /// Elasticity of entry to last year's export demand.
    pub demand_sensitivity: ParamId,
    /// Share of diffusion investment that is foreign.
    pub fdi_share: ParamId,
    /// theta: elasticity of entry to last year's margin over the profit
    /// margin.
    pub margin_sensitivity: ParamId,
    /// p_v: probability that the zone is viable.
    pub viability_probability: ParamId,
    /// f: entry multiplier of a zone that is not viable.
    pub nonviable_factor: ParamId,
}

/// `[zones.workforce]`.
#[derive(Debug, Clone)]
pub struct Workforce {
    /// Capital per job at build-out, USD million.
    pub capital_per_worker: ParamId,
    /// Share of jobs that need skills.
    pub skilled_share: ParamId,
    /// Output of a skilled worker relative to an unskilled one.
    pub skill_efficiency: ParamId,
    /// Ps_0: skilled people available at the start, persons.
    pub skilled_pool_initial: ParamId,
    /// Unskilled people available, persons.
    pub unskilled_pool: ParamId,
    /// Annual share of the skilled pool lost.
    pub attrition: ParamId,
    /// Trainees a year, persons (a series).
    pub trainees_per_year: Series,
    /// Share of trainees who complete.
    pub completion_rate: ParamId,
    /// Share of completers who stay in the zone's labour pool.
    pub retention_rate: ParamId,
    /// Public cost per trainee, USD.
    pub training_cost: ParamId,
}

/// `[zones.production]`.
#[derive(Debug, Clone)]
pub struct Production {
    /// alpha: capital share of Cobb-Douglas output.
    pub alpha: ParamId,
    /// Output per unit of capital at full employment.
    pub output_capital_ratio: ParamId,
    /// Value added over output.
    pub va_share: ParamId,
    /// Annual TFP growth, log points.
    pub tfp_growth: ParamId,
    /// TFP growth per unit of foreign share times skilled share.
    pub tfp_spillover: ParamId,
    /// Standard deviation of annual TFP shocks, log points.
    pub tfp_volatility: ParamId,
}

/// `[zones.energy]`.
#[derive(Debug, Clone)]
pub struct Energy {
    /// MWh per USD million of output.
    pub energy_intensity: ParamId,
    /// The zone's own grid connection, MW.
    pub grid_mw: ParamId,
    /// Backup generation, MW.
    pub backup_mw: ParamId,
    /// Share of backup capacity that runs when needed.
    pub backup_availability: ParamId,
    /// The keys of `power_mode = "hours"`; `None` in `"balance"` mode.
    pub hours: Option<HoursEnergy>,
}

/// A zone's `[zones.energy]` keys of `power_mode = "hours"`.
#[derive(Debug, Clone)]
pub struct HoursEnergy {
    /// beta_u: share of output lost per uncovered hour a day of unexpected
    /// outage, on a log scale.
    pub outage_loss_unplanned: ParamId,
    /// beta_p: the same for scheduled outages.
    pub outage_loss_planned: ParamId,
    /// LF: average load over peak load, in [0.5, 1].
    pub load_factor: ParamId,
    /// Cost of backup energy, USD/MWh.
    pub backup_cost: ParamId,
    /// Tariff relief per MWh of grid energy, USD/MWh (a series).
    pub tariff_relief: Series,
    /// Share of relief paid from the budget (the rest is a cross-subsidy).
    pub relief_budget_share: ParamId,
    /// c_ref: the energy cost per MWh that the profit margin and value-added
    /// share assume; `None`: energy cost touches neither.
    pub energy_cost_reference: Option<ParamId>,
    /// A dedicated feeder from this year on.
    pub feeder: Option<Feeder>,
}

/// A dedicated feeder (`feeder_*` keys).
#[derive(Debug, Clone, Copy)]
pub struct Feeder {
    /// The first year it serves the zone.
    pub year: i32,
    /// fu: exposure to national unexpected outages from then on.
    pub unplanned_factor: ParamId,
    /// fp: exposure to national scheduled outages from then on.
    pub planned_factor: ParamId,
    /// Capital cost, USD million, spent in `year` (if within the horizon).
    pub capex: f64,
    /// Operation and maintenance, USD million a year from `year` on.
    pub om: f64,
}

/// `[zones.exports]`.
#[derive(Debug, Clone)]
pub struct Exports {
    /// Share of output exported at normal demand.
    pub export_share: ParamId,
    /// Containers per USD million of exports, TEU.
    pub teu_per_musd: ParamId,
}

/// `[zones.linkages]`.
#[derive(Debug, Clone)]
pub struct Linkages {
    /// c_z: sourcing shares over the IO sectors, in IO order (sum to 1).
    pub sourcing: Vec<f64>,
    /// lc_0: local content of purchases at the start.
    pub local_content_initial: ParamId,
    /// Local content the zone's purchases move towards.
    pub local_content_target: ParamId,
    /// Share of the gap to the target closed each year.
    pub local_content_speed: ParamId,
}

/// `[zones.fiscal]`.
#[derive(Debug, Clone)]
pub struct Fiscal {
    /// Corporate tax rate on profits.
    pub tax_rate: ParamId,
    /// Profits over output at the reference energy cost.
    pub profit_margin: ParamId,
    /// Public cost of the zone, USD million a year (a series).
    pub public_cost: Series,
    /// Whether the holiday runs from the zone's opening or from each
    /// enterprise's.
    pub holiday_basis: HolidayBasis,
}

/// `fiscal.holiday_basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayBasis {
    /// `"zone"` (version 1): the holiday runs from the zone's opening.
    Zone,
    /// `"enterprise"`: each vintage of capital has its own holiday.
    Enterprise,
}

/// A phase of a zone's serviced land (`[[zones.phases]]`).
#[derive(Debug, Clone)]
pub struct Phase {
    /// `[a-z0-9_]+`, unique in the zone.
    pub name: String,
    /// Serviced area it adds, ha.
    pub area_ha: ParamId,
    /// The year it is planned to be delivered.
    pub planned_year: i32,
    /// Years its delivery slips (floored), drawn once per replication.
    pub delay: ParamId,
    /// Grid connection it brings, MW.
    pub grid_mw: ParamId,
}

/// Whether a power project feeds the grid or sits in the zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProjectKind {
    /// `"grid"`: counts as the zone's grid connection.
    Grid,
    /// `"captive"`: in the zone, not scaled by grid availability.
    Captive {
        /// Share of nameplate MW carried through an outage (storage or a
        /// hybrid inverter), averaged over outage hours.
        islanding_coverage: f64,
        /// The cost of its energy, USD/MWh (`"hours"` mode).
        lcoe: f64,
    },
}

/// A power project serving zones.
#[derive(Debug, Clone)]
pub struct EnergyProject {
    /// Unique name (part of its delay's path).
    pub name: String,
    /// Index into [`SezSpec::zones`].
    pub zone: usize,
    /// Nameplate capacity, MW.
    pub capacity_mw: f64,
    /// Average output over nameplate capacity.
    pub capacity_factor: f64,
    /// Share of its output that reaches the zone.
    pub zone_share: f64,
    /// The year it is planned to come online.
    pub planned_year: i32,
    /// Delay in years (floored when applied).
    pub delay: ParamId,
    /// Grid or captive.
    pub kind: ProjectKind,
}

/// An announced investment, realised with a probability.
#[derive(Debug, Clone, PartialEq)]
pub struct CommittedInvestment {
    /// Index into [`SezSpec::zones`].
    pub zone: usize,
    /// The year it arrives.
    pub year: i32,
    /// USD million.
    pub amount: f64,
    /// Probability that it is realised, drawn once per replication.
    pub probability: f64,
    /// Whether it counts as foreign capital.
    pub foreign: bool,
    /// Stable stream key: `committed.<zone id>.<year>.<k>`, k counting the
    /// zone-year's investments in file order.
    pub stream: String,
}

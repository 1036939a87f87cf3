//! The SEZ growth model's year loop (docs/model.md, version 1): Bass diffusion of firm entry
//! toward build-out with incentive, energy, skill and demand feedbacks;
//! workforce pools and training; Cobb-Douglas production; energy supply with
//! project delays and captive backup; exports under a national port
//! constraint; Leontief supplier linkages; fiscal flows.
//!
//! docs/model.md explains every equation with its scenario key and output
//! name. Symbols in comments follow docs/model.md.

use nalgebra::DVector;

use super::outputs::{NationalOutput, Scalar, ZoneOutput, catalogue};
use super::spec::{SezSpec, Zone};
use crate::engine::{Model, NATIONAL, OutputLayout, Record, SeriesName, TOTAL};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::uncertainty::{ParamId, StreamKey};

const HOURS_PER_YEAR: f64 = 8760.0;

/// The smallest build-out capacity Kmax that counts, USD million (one
/// dollar): below it a zone counts as built out. Build-out K / Kmax would
/// otherwise overflow for a capacity of a few 1e-300 (a tiny developable
/// share) under any initial capital.
const MIN_CAPACITY_MUSD: f64 = 1e-6;

/// How a replication's randomness is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Monte Carlo: every uncertain input drawn from its stream.
    Random,
    /// MODEL.md deterministic mode: parameters at their means, no shocks,
    /// committed investments at amount x probability.
    Deterministic,
}

/// Stream purposes of the national shocks (docs/scenario-format.md,
/// "Random streams").
const GRID_STREAM: &str = "shock:grid_availability";
const DEMAND_STREAM: &str = "shock:demand";
const REGULATORY_STREAM: &str = "shock:regulatory";

/// Parameter ids of one zone, resolved once.
#[derive(Debug, Clone)]
struct ZoneSpec {
    opens_year: i32,
    area_ha: ParamId,
    opening_delay: ParamId,
    developable_share: ParamId,
    capital_per_ha: ParamId,
    initial_capital: ParamId,
    bass_p: ParamId,
    bass_q: ParamId,
    depreciation: ParamId,
    incentive_uplift: ParamId,
    tax_holiday_years: ParamId,
    energy_sensitivity: ParamId,
    skill_sensitivity: ParamId,
    demand_sensitivity: ParamId,
    fdi_share: ParamId,
    capital_per_worker: ParamId,
    skilled_share: ParamId,
    skill_efficiency: ParamId,
    skilled_pool_initial: ParamId,
    unskilled_pool: ParamId,
    attrition: ParamId,
    completion_rate: ParamId,
    retention_rate: ParamId,
    alpha: ParamId,
    output_capital_ratio: ParamId,
    va_share: ParamId,
    tfp_growth: ParamId,
    tfp_spillover: ParamId,
    tfp_volatility: ParamId,
    energy_intensity: ParamId,
    grid_mw: ParamId,
    backup_mw: ParamId,
    backup_availability: ParamId,
    export_share: ParamId,
    teu_per_musd: ParamId,
    local_content_initial: ParamId,
    local_content_target: ParamId,
    local_content_speed: ParamId,
    tax_rate: ParamId,
    profit_margin: ParamId,
    /// Per year.
    trainees: Vec<f64>,
    public_cost: Vec<f64>,
    /// 1^T L c_z: supplier-chain output per USD of local purchases.
    output_multiplier: f64,
    /// e^T L c_z: supplier-chain jobs per USD million of local purchases.
    jobs_multiplier: f64,
    tfp_stream: StreamKey,
}

#[derive(Debug, Clone)]
struct ProjectSpec {
    zone: usize,
    /// capacity_mw x capacity_factor x zone_share: average MW reaching the zone.
    effective_mw: f64,
    planned_year: i32,
    delay: ParamId,
}

#[derive(Debug, Clone)]
struct CommittedSpec {
    zone: usize,
    /// Year index; committed investments outside the horizon were refused.
    t: usize,
    amount: f64,
    probability: f64,
    foreign: bool,
    stream: StreamKey,
}

/// Where each output lands in a [`Record`]'s series (index of the series).
#[derive(Debug, Clone)]
struct SeriesIndex {
    /// `zone[o][z]`: series of output o (in [`ZoneOutput`] order), zone z.
    zone: Vec<Vec<usize>>,
    /// `total[o]`: the `total` series of output o, if summed.
    total: Vec<Option<usize>>,
    /// National outputs, in [`NationalOutput`] order.
    national: Vec<usize>,
}

/// Output positions in [`ZoneOutput`] order, as constants for the year loop.
mod out {
    use super::ZoneOutput as O;
    pub const INVESTMENT: usize = O::Investment as usize;
    pub const CAPITAL: usize = O::Capital as usize;
    pub const BUILDOUT: usize = O::Buildout as usize;
    pub const OUTPUT: usize = O::Output as usize;
    pub const VALUE_ADDED: usize = O::ValueAdded as usize;
    pub const EXPORTS: usize = O::Exports as usize;
    pub const EMPLOYMENT: usize = O::Employment as usize;
    pub const SKILLED_EMPLOYMENT: usize = O::SkilledEmployment as usize;
    pub const SKILL_GAP: usize = O::SkillGap as usize;
    pub const ENERGY_DEMAND: usize = O::EnergyDemand as usize;
    pub const BACKUP_ENERGY: usize = O::BackupEnergy as usize;
    pub const SERVED_SHARE: usize = O::ServedShare as usize;
    pub const TFP_INDEX: usize = O::TfpIndex as usize;
    pub const FOREIGN_SHARE: usize = O::ForeignShare as usize;
    pub const LOCAL_CONTENT: usize = O::LocalContent as usize;
    pub const SUPPLIER_OUTPUT: usize = O::SupplierOutput as usize;
    pub const SUPPLIER_JOBS: usize = O::SupplierJobs as usize;
    pub const TAX_REVENUE: usize = O::TaxRevenue as usize;
    pub const PUBLIC_COST: usize = O::PublicCost as usize;
    pub const COUNT: usize = O::COUNT;
}

/// A replication's parameter values, read by id.
#[derive(Clone, Copy)]
struct Values<'a>(&'a [f64]);

impl Values<'_> {
    #[inline]
    fn get(self, id: ParamId) -> f64 {
        self.0[id.index()]
    }
}

/// The SEZ model, ready to run replications.
#[derive(Debug, Clone)]
pub struct SezModel {
    layout: OutputLayout,
    mode: Mode,
    start_year: i32,
    years: usize,
    zones: Vec<ZoneSpec>,
    projects: Vec<ProjectSpec>,
    committed: Vec<CommittedSpec>,
    /// logit(m_t).
    grid_logit_median: Vec<f64>,
    port_capacity: Vec<f64>,
    logit_sd: ParamId,
    demand_persistence: ParamId,
    demand_volatility: ParamId,
    shock_probability: ParamId,
    shock_cut: ParamId,
    shock_years: u32,
    grid_stream: StreamKey,
    demand_stream: StreamKey,
    regulatory_stream: StreamKey,
    /// 1 / (1 + discount_rate)^t.
    discount: Vec<f64>,
    index: SeriesIndex,
}

/// Per-zone state carried from year to year.
#[derive(Debug, Clone, Default)]
struct ZoneState {
    kmax: f64,
    open_year: f64,
    a0: f64,
    capital: f64,
    foreign_capital: f64,
    skilled_pool: f64,
    tfp: f64,
    local_content: f64,
    /// Previous year's served share and filled share of skilled jobs.
    served_prev: f64,
    filled_prev: f64,
    // This year's flows, kept between the zone pass and the port pass.
    output: f64,
    exports_desired: f64,
}

/// Scratch space of one worker: allocated once, reused every replication.
#[derive(Debug)]
pub struct SezWorkspace {
    state: Vec<ZoneState>,
    /// Realised committed investment per `[zone * years + t]`, and its foreign part.
    committed: Vec<f64>,
    committed_foreign: Vec<f64>,
    /// Average MW online from projects per `[zone * years + t]`.
    project_mw: Vec<f64>,
    /// TFP shocks per `[zone * years + t]`.
    tfp_noise: Vec<f64>,
}

impl SezModel {
    /// Prepare the model of `scenario`: resolve every parameter to its id,
    /// compute the Leontief multipliers, derive the stream keys.
    pub fn new(scenario: &Scenario, spec: &SezSpec, seed: u64, mode: Mode) -> Result<Self, Error> {
        let years = scenario.years as usize;
        let (output_mult, jobs_mult) = leontief_multipliers(spec)?;
        let zones = spec
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| zone_spec(z, output_mult[i], jobs_mult[i], seed))
            .collect();
        let projects = spec
            .energy_projects
            .iter()
            .map(|p| ProjectSpec {
                zone: p.zone,
                effective_mw: p.capacity_mw * p.capacity_factor * p.zone_share,
                planned_year: p.planned_year,
                delay: p.delay,
            })
            .collect();
        let committed = spec
            .committed_investments
            .iter()
            .map(|c| CommittedSpec {
                zone: c.zone,
                t: (c.year - scenario.start_year) as usize,
                amount: c.amount,
                probability: c.probability,
                foreign: c.foreign,
                stream: StreamKey::new(seed, &c.stream),
            })
            .collect();
        let g = &spec.global;
        let discount = (0..years)
            .map(|t| (1.0 + scenario.discount_rate).powi(t as i32).recip())
            .collect();
        let (layout, index) = layout(scenario, spec);
        Ok(SezModel {
            layout,
            mode,
            start_year: scenario.start_year,
            years,
            zones,
            projects,
            committed,
            grid_logit_median: g
                .grid_availability
                .values
                .iter()
                .map(|&m| (m / (1.0 - m)).ln())
                .collect(),
            port_capacity: g.port_capacity_teu.values.clone(),
            logit_sd: g.grid_availability_logit_sd,
            demand_persistence: g.demand_persistence,
            demand_volatility: g.demand_volatility,
            shock_probability: g.regulatory_shock_probability,
            shock_cut: g.regulatory_shock_cut,
            shock_years: g.regulatory_shock_years,
            grid_stream: StreamKey::new(seed, GRID_STREAM),
            demand_stream: StreamKey::new(seed, DEMAND_STREAM),
            regulatory_stream: StreamKey::new(seed, REGULATORY_STREAM),
            discount,
            index,
        })
    }

    /// Fill the workspace's per-replication draws: committed investments,
    /// project delays, TFP noise, each zone's starting state.
    fn prepare(&self, replication: u64, v: Values, ws: &mut SezWorkspace) {
        let h = self.years;

        ws.committed.fill(0.0);
        ws.committed_foreign.fill(0.0);
        for c in &self.committed {
            let realised = match self.mode {
                Mode::Random => {
                    if c.stream.rng(replication).uniform() < c.probability {
                        c.amount
                    } else {
                        0.0
                    }
                }
                Mode::Deterministic => c.amount * c.probability,
            };
            ws.committed[c.zone * h + c.t] += realised;
            if c.foreign {
                ws.committed_foreign[c.zone * h + c.t] += realised;
            }
        }

        ws.project_mw.fill(0.0);
        for p in &self.projects {
            let online = p.planned_year as f64 + v.get(p.delay).floor();
            let first = (online - self.start_year as f64).max(0.0);
            if first < h as f64 {
                for t in first as usize..h {
                    ws.project_mw[p.zone * h + t] += p.effective_mw;
                }
            }
        }

        for (z, zone) in self.zones.iter().enumerate() {
            let noise = &mut ws.tfp_noise[z * h..(z + 1) * h];
            match self.mode {
                Mode::Random => {
                    let mut rng = zone.tfp_stream.rng(replication);
                    noise.iter_mut().for_each(|e| *e = rng.standard_normal());
                }
                Mode::Deterministic => noise.fill(0.0),
            }
            let s = &mut ws.state[z];
            // Kmax = area_ha * developable_share * capital_per_ha
            s.kmax =
                v.get(zone.area_ha) * v.get(zone.developable_share) * v.get(zone.capital_per_ha);
            s.open_year = zone.opens_year as f64 + v.get(zone.opening_delay).floor();
            let alpha = v.get(zone.alpha);
            let ss = v.get(zone.skilled_share);
            let eff_per_worker = 1.0 - ss + v.get(zone.skill_efficiency) * ss;
            // A_0 makes Ypot = output_capital_ratio * K at full employment.
            s.a0 = v.get(zone.output_capital_ratio)
                * (v.get(zone.capital_per_worker) / eff_per_worker).powf(1.0 - alpha);
            s.capital = v.get(zone.initial_capital);
            s.foreign_capital = v.get(zone.fdi_share) * s.capital;
            s.skilled_pool = v.get(zone.skilled_pool_initial);
            s.tfp = s.a0;
            s.local_content = v.get(zone.local_content_initial);
            s.served_prev = 1.0;
            s.filled_prev = 1.0;
        }
    }
}

impl Model for SezModel {
    type Workspace = SezWorkspace;

    fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    fn workspace(&self) -> SezWorkspace {
        let cells = self.zones.len() * self.years;
        SezWorkspace {
            state: vec![ZoneState::default(); self.zones.len()],
            committed: vec![0.0; cells],
            committed_foreign: vec![0.0; cells],
            project_mw: vec![0.0; cells],
            tfp_noise: vec![0.0; cells],
        }
    }

    fn run(
        &self,
        replication: u64,
        parameters: &[f64],
        ws: &mut SezWorkspace,
        record: &mut Record,
    ) {
        let v = Values(parameters);
        self.prepare(replication, v, ws);
        let h = self.years;
        let random = self.mode == Mode::Random;
        let (mut grid_rng, mut demand_rng, mut reg_rng) = (
            self.grid_stream.rng(replication),
            self.demand_stream.rng(replication),
            self.regulatory_stream.rng(replication),
        );
        let logit_sd = v.get(self.logit_sd);
        let rho = v.get(self.demand_persistence);
        let sigma = v.get(self.demand_volatility);
        let p_reg = v.get(self.shock_probability);
        let cut = v.get(self.shock_cut);

        let series = &mut record.series;
        let set = |series: &mut [f64], s: usize, t: usize, x: f64| series[s * h + t] = x;
        let idx = &self.index;

        let mut demand_dev = 0.0; // z_t, z_{-1} = 0
        // z_{t-1}: d_{t-1}^s = exp(s z_{t-1}), one exp instead of a pow.
        let mut demand_dev_prev = 0.0;
        let mut shock_active_until: i64 = -1; // last year index of the active window
        let (mut exports_cum, mut va_cum, mut served_share_sum, mut npv) = (0.0, 0.0, 0.0, 0.0);
        let (mut exports_last, mut jobs_last) = (0.0, 0.0);

        for t in 0..h {
            let year = (self.start_year + t as i32) as f64;
            // National shocks. Draws are taken every year whatever the
            // parameters, so each stream's position depends on t only.
            let (xi, eps, u) = if random {
                (
                    grid_rng.standard_normal(),
                    demand_rng.standard_normal(),
                    reg_rng.uniform(),
                )
            } else {
                (0.0, 0.0, 1.0)
            };
            let availability = 1.0 / (1.0 + (-(self.grid_logit_median[t] + logit_sd * xi)).exp());
            demand_dev = rho * demand_dev + sigma * eps;
            let demand = demand_dev.exp();
            shock_active_until =
                regulatory_window(shock_active_until, t, random && u < p_reg, self.shock_years);
            let shock_active = t as i64 <= shock_active_until;
            let regulatory = if shock_active { 1.0 - cut } else { 1.0 };

            // Zone pass: flows before the port constraint.
            let (mut teu, mut served_total, mut demand_total) = (0.0, 0.0, 0.0);
            for (z, zone) in self.zones.iter().enumerate() {
                let s = &mut ws.state[z];
                let k = s.capital;
                let opened = year >= s.open_year;
                let age = year - s.open_year;
                // F_t = K_t / Kmax; a zone with no developable capital (less
                // than a dollar's worth) counts as built out, so F stays finite.
                let buildout = if s.kmax >= MIN_CAPACITY_MUSD {
                    k / s.kmax
                } else {
                    1.0
                };
                let holiday = v.get(zone.tax_holiday_years);
                let uplift = if (0.0..holiday).contains(&age) {
                    1.0 + v.get(zone.incentive_uplift)
                } else {
                    1.0
                };
                // M_t with last year's served share, filled share and demand.
                let multiplier = uplift
                    * regulatory
                    * pow_unless_one(s.served_prev, v.get(zone.energy_sensitivity))
                    * pow_unless_one(s.filled_prev, v.get(zone.skill_sensitivity))
                    * if demand_dev_prev == 0.0 {
                        1.0
                    } else {
                        (v.get(zone.demand_sensitivity) * demand_dev_prev).exp()
                    };
                let (i_diff, i_com, i_com_foreign) = if opened {
                    let bass = v.get(zone.bass_p) + v.get(zone.bass_q) * buildout;
                    (
                        multiplier * bass * (1.0 - buildout).max(0.0) * s.kmax,
                        ws.committed[z * h + t],
                        ws.committed_foreign[z * h + t],
                    )
                } else {
                    (0.0, 0.0, 0.0)
                };
                let depreciation = v.get(zone.depreciation);
                let room = (s.kmax - (1.0 - depreciation) * k).max(0.0);
                let wanted = i_diff + i_com;
                let investment = wanted.min(room);
                let scale = if wanted > 0.0 {
                    investment / wanted
                } else {
                    1.0
                };

                // Workforce.
                let workers = k / v.get(zone.capital_per_worker);
                let skilled_needed = v.get(zone.skilled_share) * workers;
                let unskilled_needed = workers - skilled_needed;
                let skilled = skilled_needed.min(s.skilled_pool);
                let unskilled = unskilled_needed.min(v.get(zone.unskilled_pool));
                let filled = if skilled_needed > 0.0 {
                    skilled / skilled_needed
                } else {
                    1.0
                };

                // Production.
                let alpha = v.get(zone.alpha);
                let labour = unskilled + v.get(zone.skill_efficiency) * skilled;
                let potential = if k > 0.0 && labour > 0.0 {
                    // A K^alpha H^(1-alpha), as one exp of logs (cheaper than two pows).
                    s.tfp * (alpha * k.ln() + (1.0 - alpha) * labour.ln()).exp()
                } else {
                    0.0
                };

                // Energy.
                let energy_demand = v.get(zone.energy_intensity) * potential;
                let grid = HOURS_PER_YEAR
                    * availability
                    * (v.get(zone.grid_mw) + ws.project_mw[z * h + t]);
                let backup_capacity =
                    HOURS_PER_YEAR * v.get(zone.backup_mw) * v.get(zone.backup_availability);
                let backup = backup_capacity.min((energy_demand - grid).max(0.0));
                let served = energy_demand.min(grid + backup_capacity);
                let served_share = if energy_demand > 0.0 {
                    served / energy_demand
                } else {
                    1.0
                };

                let output = potential * served_share;
                let va_share = v.get(zone.va_share);
                let export_ratio = (v.get(zone.export_share) * demand).min(1.0);
                let exports_desired = export_ratio * output;
                teu += v.get(zone.teu_per_musd) * exports_desired;
                served_total += served;
                demand_total += energy_demand;

                // Linkages and fiscal flows.
                let purchases = (1.0 - va_share) * output * s.local_content;
                let tax = if age >= holiday {
                    v.get(zone.tax_rate) * v.get(zone.profit_margin) * output
                } else {
                    0.0
                };
                let foreign_share = if k > 0.0 { s.foreign_capital / k } else { 0.0 };
                let tfp_index = s.tfp / s.a0;

                let o = &idx.zone;
                set(series, o[out::INVESTMENT][z], t, investment);
                set(series, o[out::CAPITAL][z], t, k);
                set(series, o[out::BUILDOUT][z], t, buildout);
                set(series, o[out::OUTPUT][z], t, output);
                set(series, o[out::VALUE_ADDED][z], t, va_share * output);
                set(series, o[out::EMPLOYMENT][z], t, skilled + unskilled);
                set(series, o[out::SKILLED_EMPLOYMENT][z], t, skilled);
                set(series, o[out::SKILL_GAP][z], t, skilled_needed - skilled);
                set(series, o[out::ENERGY_DEMAND][z], t, energy_demand);
                set(series, o[out::BACKUP_ENERGY][z], t, backup);
                set(series, o[out::SERVED_SHARE][z], t, served_share);
                set(series, o[out::TFP_INDEX][z], t, tfp_index);
                set(series, o[out::FOREIGN_SHARE][z], t, foreign_share);
                set(series, o[out::LOCAL_CONTENT][z], t, s.local_content);
                set(
                    series,
                    o[out::SUPPLIER_OUTPUT][z],
                    t,
                    zone.output_multiplier * purchases,
                );
                set(
                    series,
                    o[out::SUPPLIER_JOBS][z],
                    t,
                    zone.jobs_multiplier * purchases,
                );
                set(series, o[out::TAX_REVENUE][z], t, tax);
                set(series, o[out::PUBLIC_COST][z], t, zone.public_cost[t]);

                // State updates for t + 1.
                let employed = skilled + unskilled;
                let skilled_ratio = if employed > 0.0 {
                    skilled / employed
                } else {
                    0.0
                };
                s.capital = (1.0 - depreciation) * k + investment;
                s.foreign_capital = (1.0 - depreciation) * s.foreign_capital
                    + scale * (v.get(zone.fdi_share) * i_diff + i_com_foreign);
                s.skilled_pool = (1.0 - v.get(zone.attrition)) * s.skilled_pool
                    + zone.trainees[t] * v.get(zone.completion_rate) * v.get(zone.retention_rate);
                s.local_content += v.get(zone.local_content_speed)
                    * (v.get(zone.local_content_target) - s.local_content);
                s.tfp *= (v.get(zone.tfp_growth)
                    + v.get(zone.tfp_spillover) * foreign_share * skilled_ratio
                    + v.get(zone.tfp_volatility) * ws.tfp_noise[z * h + t])
                    .exp();
                s.served_prev = served_share;
                s.filled_prev = filled;
                s.output = output;
                s.exports_desired = exports_desired;
            }

            // National port constraint.
            let logistics = if teu > 0.0 {
                (self.port_capacity[t] / teu).min(1.0)
            } else {
                1.0
            };
            for z in 0..self.zones.len() {
                let exports = logistics * ws.state[z].exports_desired;
                set(series, idx.zone[out::EXPORTS][z], t, exports);
            }

            // Totals over zones (ratios have none; served share is a ratio of sums).
            for o in 0..out::COUNT {
                if let Some(total) = idx.total[o] {
                    let sum: f64 = idx.zone[o].iter().map(|&s| series[s * h + t]).sum();
                    set(series, total, t, sum);
                }
            }
            let total_served_share = if demand_total > 0.0 {
                served_total / demand_total
            } else {
                1.0
            };
            if let Some(total) = idx.total[out::SERVED_SHARE] {
                set(series, total, t, total_served_share);
            }
            let n = |o: NationalOutput| idx.national[o as usize];
            set(series, n(NationalOutput::GridAvailability), t, availability);
            set(series, n(NationalOutput::DemandFactor), t, demand);
            set(series, n(NationalOutput::LogisticsFactor), t, logistics);
            let active = if shock_active { 1.0 } else { 0.0 };
            set(series, n(NationalOutput::RegulatoryShock), t, active);

            let total = |o: usize| idx.total[o].map_or(0.0, |s| series[s * h + t]);
            let exports = total(out::EXPORTS);
            exports_cum += exports;
            va_cum += total(out::VALUE_ADDED);
            served_share_sum += total_served_share;
            npv += (total(out::TAX_REVENUE) - total(out::PUBLIC_COST)) * self.discount[t];
            exports_last = exports;
            jobs_last = total(out::EMPLOYMENT) + total(out::SUPPLIER_JOBS);
            demand_dev_prev = demand_dev;
        }

        let sc = &mut record.scalars;
        sc[Scalar::ExportsCumulative as usize] = exports_cum;
        sc[Scalar::ExportsFinal as usize] = exports_last;
        sc[Scalar::EmploymentFinal as usize] = jobs_last;
        sc[Scalar::ValueAddedCumulative as usize] = va_cum;
        sc[Scalar::ServedShareMean as usize] = served_share_sum / h as f64;
        sc[Scalar::FiscalNpv as usize] = npv;
    }
}

/// The last year index of the active regulatory window after year `t`: an
/// event in year t makes the shock active in t .. t + years - 1, and a new
/// event during an active shock restarts the window (no compounding).
fn regulatory_window(active_until: i64, t: usize, event: bool, years: u32) -> i64 {
    if event {
        t as i64 + years as i64 - 1
    } else {
        active_until
    }
}

/// `x^e`, skipping the power where `x` is 1 (the common case: no shortfall).
#[inline]
fn pow_unless_one(x: f64, e: f64) -> f64 {
    if x == 1.0 { 1.0 } else { x.powf(e) }
}

/// Per zone: 1^T L c_z and e^T L c_z with L = (I - A_io)^-1, computed once.
fn leontief_multipliers(spec: &SezSpec) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let n = spec.io.sectors.len();
    let leontief = spec
        .io
        .leontief()
        .ok_or_else(|| Error::Runtime("the input-output matrix I - A is singular".into()))?;
    let ones = DVector::from_element(n, 1.0);
    let jobs = DVector::from_column_slice(&spec.io.jobs_per_musd);
    let output_row = ones.transpose() * &leontief;
    let jobs_row = jobs.transpose() * &leontief;
    let per_zone = |row: &nalgebra::RowDVector<f64>| -> Vec<f64> {
        spec.zones
            .iter()
            .map(|z| row.dot(&DVector::from_column_slice(&z.linkages.sourcing).transpose()))
            .collect()
    };
    Ok((per_zone(&output_row), per_zone(&jobs_row)))
}

fn zone_spec(z: &Zone, output_multiplier: f64, jobs_multiplier: f64, seed: u64) -> ZoneSpec {
    let (i, w, p, e, x, l, f) = (
        &z.investment,
        &z.workforce,
        &z.production,
        &z.energy,
        &z.exports,
        &z.linkages,
        &z.fiscal,
    );
    ZoneSpec {
        opens_year: z.opens_year,
        area_ha: i.area_ha,
        opening_delay: i.opening_delay,
        developable_share: i.developable_share,
        capital_per_ha: i.capital_per_ha,
        initial_capital: i.initial_capital,
        bass_p: i.bass_p,
        bass_q: i.bass_q,
        depreciation: i.depreciation,
        incentive_uplift: i.incentive_uplift,
        tax_holiday_years: i.tax_holiday_years,
        energy_sensitivity: i.energy_sensitivity,
        skill_sensitivity: i.skill_sensitivity,
        demand_sensitivity: i.demand_sensitivity,
        fdi_share: i.fdi_share,
        capital_per_worker: w.capital_per_worker,
        skilled_share: w.skilled_share,
        skill_efficiency: w.skill_efficiency,
        skilled_pool_initial: w.skilled_pool_initial,
        unskilled_pool: w.unskilled_pool,
        attrition: w.attrition,
        completion_rate: w.completion_rate,
        retention_rate: w.retention_rate,
        alpha: p.alpha,
        output_capital_ratio: p.output_capital_ratio,
        va_share: p.va_share,
        tfp_growth: p.tfp_growth,
        tfp_spillover: p.tfp_spillover,
        tfp_volatility: p.tfp_volatility,
        energy_intensity: e.energy_intensity,
        grid_mw: e.grid_mw,
        backup_mw: e.backup_mw,
        backup_availability: e.backup_availability,
        export_share: x.export_share,
        teu_per_musd: x.teu_per_musd,
        local_content_initial: l.local_content_initial,
        local_content_target: l.local_content_target,
        local_content_speed: l.local_content_speed,
        tax_rate: f.tax_rate,
        profit_margin: f.profit_margin,
        trainees: w.trainees_per_year.values.clone(),
        public_cost: f.public_cost.values.clone(),
        output_multiplier,
        jobs_multiplier,
        tfp_stream: StreamKey::new(seed, &format!("tfp:{}", z.id)),
    }
}

/// The record layout: per output, each zone then `total` (if summed); then
/// the national series.
fn layout(scenario: &Scenario, spec: &SezSpec) -> (OutputLayout, SeriesIndex) {
    let mut series = Vec::new();
    let mut zone = Vec::with_capacity(ZoneOutput::COUNT);
    let mut total = Vec::with_capacity(ZoneOutput::COUNT);
    for o in ZoneOutput::ALL {
        let mut ids = Vec::with_capacity(spec.zones.len());
        for z in &spec.zones {
            ids.push(series.len());
            series.push(SeriesName {
                output: o.name().to_string(),
                zone: z.id.clone(),
            });
        }
        zone.push(ids);
        if o.described().total {
            total.push(Some(series.len()));
            series.push(SeriesName {
                output: o.name().to_string(),
                zone: TOTAL.to_string(),
            });
        } else {
            total.push(None);
        }
    }
    let national = NationalOutput::ALL
        .iter()
        .map(|o| {
            series.push(SeriesName {
                output: o.name().to_string(),
                zone: NATIONAL.to_string(),
            });
            series.len() - 1
        })
        .collect();
    let layout = OutputLayout {
        series,
        years: scenario.calendar_years().collect(),
        scalars: Scalar::ALL.iter().map(|s| s.name().to_string()).collect(),
        inputs: Vec::new(),
        catalogue: catalogue(),
    };
    (
        layout,
        SeriesIndex {
            zone,
            total,
            national,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::regulatory_window;

    /// Active years for a sequence of events, with a window of `years`.
    fn active(events: &[bool], years: u32) -> Vec<bool> {
        let mut until = -1;
        events
            .iter()
            .enumerate()
            .map(|(t, &e)| {
                until = regulatory_window(until, t, e, years);
                t as i64 <= until
            })
            .collect()
    }

    #[test]
    fn window_lasts_its_years_and_restarts_without_compounding() {
        let (f, t) = (false, true);
        // An event in year 1 with a 2-year window: active in 1 and 2.
        assert_eq!(active(&[f, t, f, f, f], 2), [f, t, t, f, f]);
        // A new event in year 2 restarts the window: active 1..=3, not 1..=4.
        assert_eq!(active(&[f, t, t, f, f, f], 2), [f, t, t, t, f, f]);
        // A zero-year window never activates.
        assert_eq!(active(&[t, t], 0), [f, f]);
    }
}

//! The SEZ growth model's year loop (docs/model.md): Bass diffusion of firm
//! entry toward the serviced land's build-out, with incentive, energy,
//! skill, demand and margin feedbacks; workforce pools and training;
//! Cobb-Douglas production; power as an annual balance or in outage hours
//! and prices; exports under a national port constraint; Leontief supplier
//! linkages; taxes by zone or by enterprise, public and policy costs.
//!
//! The model is built once (`setup`), draws what holds for a whole
//! replication first (`draws`), then steps through the years with no
//! allocation and no lookup by name: a zone-year's energy in `energy`, its
//! tax holidays and policy costs in `fiscal`, the rest here. docs/model.md
//! explains every equation with its scenario key and output name; symbols
//! in comments follow it.

use super::draws::MIN_CAPACITY_MUSD;
use super::energy::{GridDraws, ws_cells};
use super::fiscal::taxable_share;
use super::outputs::{NationalOutput, Scalar, ZoneOutput};
use super::setup::{CommittedSpec, PhaseSpec, PowerSetup, ProjectSpec, ZoneSpec};
use crate::engine::{Model, OutputLayout, Record};
use crate::uncertainty::{ParamId, StreamKey};

/// How a replication's randomness is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Monte Carlo: every shock drawn from its stream.
    Random,
    /// Deterministic mode: no shocks, committed investments at amount x
    /// probability, viability at its mean multiplier (the parameters come
    /// at their means from the run's parameter source).
    Deterministic,
}

/// Where each output lands in a [`Record`]'s series (index of the series).
#[derive(Debug, Clone)]
pub(super) struct SeriesIndex {
    /// `starts[z][o]`: where zone z's series of output o (in
    /// [`ZoneOutput`] order) starts in a record (its series index x
    /// years): each of the year loop's stores is one lookup.
    pub starts: Vec<[usize; out::COUNT]>,
    /// `total[o]`: the `total` series of output o, if summed.
    pub total: Vec<Option<usize>>,
    /// National outputs, in [`NationalOutput`] order.
    pub national: Vec<usize>,
}

/// A replication's parameter values, read by id.
#[derive(Clone, Copy)]
pub(super) struct Values<'a>(pub &'a [f64]);

impl Values<'_> {
    #[inline]
    pub fn get(self, id: ParamId) -> f64 {
        self.0[id.index()]
    }
}

/// The SEZ model, ready to run replications.
#[derive(Debug, Clone)]
pub struct SezModel {
    pub(super) layout: OutputLayout,
    pub(super) mode: Mode,
    pub(super) start_year: i32,
    pub(super) years: usize,
    pub(super) zones: Vec<ZoneSpec>,
    pub(super) projects: Vec<ProjectSpec>,
    pub(super) phases: Vec<PhaseSpec>,
    pub(super) committed: Vec<CommittedSpec>,
    pub(super) power: PowerSetup,
    pub(super) port_capacity: Vec<f64>,
    pub(super) demand_persistence: ParamId,
    pub(super) demand_volatility: ParamId,
    pub(super) shock_probability: ParamId,
    pub(super) shock_cut: ParamId,
    pub(super) shock_years: u32,
    /// No tax holiday in any year at or after it.
    pub(super) sunset: Option<f64>,
    pub(super) demand_stream: StreamKey,
    pub(super) regulatory_stream: StreamKey,
    /// 1 / (1 + discount_rate)^t.
    pub(super) discount: Vec<f64>,
    pub(super) index: SeriesIndex,
}

/// Per-zone state carried from year to year.
#[derive(Debug, Clone, Default)]
pub(super) struct ZoneState {
    pub open_year: f64,
    pub a0: f64,
    pub capital: f64,
    pub foreign_capital: f64,
    pub skilled_pool: f64,
    pub tfp: f64,
    pub local_content: f64,
    /// Previous year's served share, filled share of skilled jobs and
    /// margin.
    pub served_prev: f64,
    pub filled_prev: f64,
    pub margin_prev: f64,
    /// viab: the entry multiplier of viability (1 for a viable zone).
    pub viability: f64,
    /// The calendar year the initial capital starts to produce.
    pub first_vintage: f64,
    // This year's flows, kept between the zone pass and the port pass.
    pub output: f64,
    pub exports_desired: f64,
}

/// Scratch space of one worker: allocated once, reused every replication.
#[derive(Debug)]
pub struct SezWorkspace {
    pub(super) state: Vec<ZoneState>,
    /// Realised committed investment per `[zone * years + t]`, and its foreign part.
    pub(super) committed: Vec<f64>,
    pub(super) committed_foreign: Vec<f64>,
    /// Average MW online from grid projects per `[zone * years + t]`.
    pub(super) project_mw: Vec<f64>,
    /// Average MW of captive plants online, their MW through an outage and
    /// their average MW times LCOE, per `[zone * years + t]`.
    pub(super) captive_mw: Vec<f64>,
    pub(super) islanding_mw: Vec<f64>,
    pub(super) captive_cost: Vec<f64>,
    /// Serviced land (ha), the connection its phases bring (MW) and Kmax_t,
    /// per `[zone * years + t]`.
    pub(super) serviced: Vec<f64>,
    pub(super) phase_grid_mw: Vec<f64>,
    pub(super) kmax: Vec<f64>,
    /// TFP shocks per `[zone * years + t]`.
    pub(super) tfp_noise: Vec<f64>,
    /// Capital by vintage per `[zone * (years + 1) + k]`: slot 0 the initial
    /// capital, slot k the investment of year index k - 1.
    pub(super) vintages: Vec<f64>,
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
    pub const SERVICED_AREA: usize = O::ServicedArea as usize;
    pub const OUTAGE_HOURS: usize = O::OutageHours as usize;
    pub const ENERGY_COST: usize = O::EnergyCost as usize;
    pub const MARGIN: usize = O::Margin as usize;
    pub const POLICY_COST: usize = O::PolicyCost as usize;
    pub const COUNT: usize = O::COUNT;
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
            captive_mw: vec![0.0; cells],
            islanding_mw: vec![0.0; cells],
            captive_cost: vec![0.0; cells],
            serviced: vec![0.0; cells],
            phase_grid_mw: vec![0.0; cells],
            kmax: vec![0.0; cells],
            tfp_noise: vec![0.0; cells],
            vintages: vec![0.0; self.zones.len() * (self.years + 1)],
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
        let mut grid_draws = GridDraws::new(&self.power, replication, random);
        let (mut demand_rng, mut reg_rng) = (
            self.demand_stream.rng(replication),
            self.regulatory_stream.rng(replication),
        );
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
        let (mut exports_last, mut jobs_last, mut cost_pv, mut job_years) = (0.0, 0.0, 0.0, 0.0);

        for t in 0..h {
            let year = (self.start_year + t as i32) as f64;
            // National shocks. Draws are taken every year whatever the
            // parameters, so each stream's position depends on t only.
            let grid = grid_draws.year(&self.power, t, v);
            let (eps, u) = if random {
                (demand_rng.standard_normal(), reg_rng.uniform())
            } else {
                (0.0, 1.0)
            };
            demand_dev = rho * demand_dev + sigma * eps;
            let demand = demand_dev.exp();
            shock_active_until =
                regulatory_window(shock_active_until, t, random && u < p_reg, self.shock_years);
            let shock_active = t as i64 <= shock_active_until;
            let regulatory = if shock_active { 1.0 - cut } else { 1.0 };
            let sunset = self.sunset.is_some_and(|s| year >= s);

            // Zone pass: flows before the port constraint.
            let (mut teu, mut served_total, mut demand_total) = (0.0, 0.0, 0.0);
            for (z, zone) in self.zones.iter().enumerate() {
                let (inv, wf, pr, en, ex, lk, fi) = (
                    &zone.zone.investment,
                    &zone.zone.workforce,
                    &zone.zone.production,
                    &zone.zone.energy,
                    &zone.zone.exports,
                    &zone.zone.linkages,
                    &zone.zone.fiscal,
                );
                let cell = z * h + t;
                let cells = ws_cells(ws, cell);
                let s = &mut ws.state[z];
                let k = s.capital;
                let kmax = ws.kmax[cell];
                let opened = year >= s.open_year;
                let age = year - s.open_year;
                // F_t = K_t / Kmax_t; a zone with no developable capital (less
                // than a dollar's worth) counts as built out, so F stays finite.
                let buildout = if kmax >= MIN_CAPACITY_MUSD {
                    k / kmax
                } else {
                    1.0
                };
                let holiday = v.get(inv.tax_holiday_years);
                let uplift = 1.0
                    + v.get(inv.incentive_uplift)
                        * self.uplift_share(zone.enterprise_holidays, age, holiday, year);
                let profit_margin = v.get(fi.profit_margin);
                let theta = v.get(inv.margin_sensitivity);
                // M_t with last year's served share, filled share, demand and
                // margin; the version-2 factors are exactly 1 when unused.
                let multiplier = uplift
                    * regulatory
                    * pow_unless_one(s.served_prev, v.get(inv.energy_sensitivity))
                    * pow_unless_one(s.filled_prev, v.get(inv.skill_sensitivity))
                    * if demand_dev_prev == 0.0 {
                        1.0
                    } else {
                        (v.get(inv.demand_sensitivity) * demand_dev_prev).exp()
                    }
                    * if theta == 0.0 {
                        1.0
                    } else {
                        (s.margin_prev.max(0.0) / profit_margin).powf(theta)
                    }
                    * s.viability;
                let (i_diff, i_com, i_com_foreign) = if opened {
                    let bass = v.get(inv.bass_p) + v.get(inv.bass_q) * buildout;
                    (
                        multiplier * bass * (1.0 - buildout).max(0.0) * kmax,
                        ws.committed[cell],
                        ws.committed_foreign[cell],
                    )
                } else {
                    (0.0, 0.0, 0.0)
                };
                let depreciation = v.get(inv.depreciation);
                let room = (kmax - (1.0 - depreciation) * k).max(0.0);
                let wanted = i_diff + i_com;
                let investment = wanted.min(room);
                let scale = if wanted > 0.0 {
                    investment / wanted
                } else {
                    1.0
                };

                // Workforce.
                let workers = k / v.get(wf.capital_per_worker);
                let skilled_needed = v.get(wf.skilled_share) * workers;
                let unskilled_needed = workers - skilled_needed;
                let skilled = skilled_needed.min(s.skilled_pool);
                let unskilled = unskilled_needed.min(v.get(wf.unskilled_pool));
                let filled = if skilled_needed > 0.0 {
                    skilled / skilled_needed
                } else {
                    1.0
                };

                // Production.
                let alpha = v.get(pr.alpha);
                let labour = unskilled + v.get(wf.skill_efficiency) * skilled;
                let potential = if k > 0.0 && labour > 0.0 {
                    // A K^alpha H^(1-alpha), as one exp of logs (cheaper than two pows).
                    s.tfp * (alpha * k.ln() + (1.0 - alpha) * labour.ln()).exp()
                } else {
                    0.0
                };

                // Energy.
                let intensity = v.get(en.energy_intensity);
                let energy_demand = intensity * potential;
                let energy = self.energy(zone, cells, &grid, energy_demand, year, v);
                let served_share = energy.served_share;

                let output = potential * served_share;
                let va_share = v.get(pr.va_share);
                // Energy dearer than the reference eats into margins and
                // value added (only where a reference is set).
                let (margin, value_added) =
                    match zone.hours.as_ref().and_then(|e| e.energy_cost_reference) {
                        Some(reference) => {
                            let c_ref = v.get(reference);
                            let cbar = if energy.served > 0.0 {
                                energy.cost_musd * 1e6 / energy.served
                            } else {
                                c_ref
                            };
                            (
                                profit_margin - intensity * (cbar - c_ref) / 1e6,
                                va_share * output - (cbar - c_ref) * energy.served / 1e6,
                            )
                        }
                        None => (profit_margin, va_share * output),
                    };
                let export_ratio = (v.get(ex.export_share) * demand).min(1.0);
                let exports_desired = export_ratio * output;
                teu += v.get(ex.teu_per_musd) * exports_desired;
                served_total += energy.served;
                demand_total += energy_demand;

                // Linkages and fiscal flows.
                let purchases = (1.0 - va_share) * output * s.local_content;
                let taxable = if zone.enterprise_holidays {
                    let vintages = &ws.vintages[z * (h + 1)..(z + 1) * (h + 1)];
                    taxable_share(s, vintages, year, holiday, sunset, self.start_year as f64)
                } else if age >= holiday || sunset {
                    1.0
                } else {
                    0.0
                };
                let tax = v.get(fi.tax_rate) * margin.max(0.0) * output * taxable;
                let policy_cost = self.policy_cost(zone, t, year, v) + energy.relief_musd;
                let foreign_share = if k > 0.0 { s.foreign_capital / k } else { 0.0 };
                let tfp_index = s.tfp / s.a0;
                let buildout_shown = if kmax == 0.0 { 0.0 } else { buildout };

                let starts = &idx.starts[z];
                let mut put = |o: usize, x: f64| series[starts[o] + t] = x;
                put(out::INVESTMENT, investment);
                put(out::CAPITAL, k);
                put(out::BUILDOUT, buildout_shown);
                put(out::OUTPUT, output);
                put(out::VALUE_ADDED, value_added);
                put(out::EMPLOYMENT, skilled + unskilled);
                put(out::SKILLED_EMPLOYMENT, skilled);
                put(out::SKILL_GAP, skilled_needed - skilled);
                put(out::ENERGY_DEMAND, energy_demand);
                put(out::BACKUP_ENERGY, energy.backup);
                put(out::SERVED_SHARE, served_share);
                put(out::TFP_INDEX, tfp_index);
                put(out::FOREIGN_SHARE, foreign_share);
                put(out::LOCAL_CONTENT, s.local_content);
                let supplier_output = zone.output_multiplier * purchases;
                put(out::SUPPLIER_OUTPUT, supplier_output);
                put(out::SUPPLIER_JOBS, zone.jobs_multiplier * purchases);
                put(out::TAX_REVENUE, tax);
                put(out::PUBLIC_COST, zone.public_cost[t]);
                put(out::SERVICED_AREA, ws.serviced[cell]);
                put(out::OUTAGE_HOURS, energy.outage_hours);
                put(out::ENERGY_COST, energy.cost_musd);
                put(out::MARGIN, margin);
                put(out::POLICY_COST, policy_cost);

                // State updates for t + 1.
                let employed = skilled + unskilled;
                let skilled_ratio = if employed > 0.0 {
                    skilled / employed
                } else {
                    0.0
                };
                s.capital = (1.0 - depreciation) * k + investment;
                s.foreign_capital = (1.0 - depreciation) * s.foreign_capital
                    + scale * (v.get(inv.fdi_share) * i_diff + i_com_foreign);
                if zone.enterprise_holidays {
                    let vintages = &mut ws.vintages[z * (h + 1)..(z + 1) * (h + 1)];
                    vintages[..=t]
                        .iter_mut()
                        .for_each(|c| *c *= 1.0 - depreciation);
                    vintages[t + 1] = investment;
                }
                s.skilled_pool = (1.0 - v.get(wf.attrition)) * s.skilled_pool
                    + zone.trainees[t] * v.get(wf.completion_rate) * v.get(wf.retention_rate);
                s.local_content += v.get(lk.local_content_speed)
                    * (v.get(lk.local_content_target) - s.local_content);
                s.tfp *= (v.get(pr.tfp_growth)
                    + v.get(pr.tfp_spillover) * foreign_share * skilled_ratio
                    + v.get(pr.tfp_volatility) * ws.tfp_noise[cell])
                    .exp();
                s.served_prev = served_share;
                s.filled_prev = filled;
                s.margin_prev = margin;
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
                series[idx.starts[z][out::EXPORTS] + t] = exports;
            }

            // Totals over zones (ratios have none; served share is a ratio of sums).
            for o in 0..out::COUNT {
                if let Some(total) = idx.total[o] {
                    let sum: f64 = idx.starts.iter().map(|z| series[z[o] + t]).sum();
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
            set(
                series,
                n(NationalOutput::GridAvailability),
                t,
                grid.availability,
            );
            set(series, n(NationalOutput::DemandFactor), t, demand);
            set(series, n(NationalOutput::LogisticsFactor), t, logistics);
            let active = if shock_active { 1.0 } else { 0.0 };
            set(series, n(NationalOutput::RegulatoryShock), t, active);
            set(
                series,
                n(NationalOutput::OutageUnplannedHours),
                t,
                grid.unplanned,
            );
            set(
                series,
                n(NationalOutput::OutagePlannedHours),
                t,
                grid.planned,
            );

            let total = |o: usize| idx.total[o].map_or(0.0, |s| series[s * h + t]);
            let exports = total(out::EXPORTS);
            exports_cum += exports;
            va_cum += total(out::VALUE_ADDED);
            served_share_sum += total_served_share;
            let public_cost = total(out::PUBLIC_COST);
            let policy_cost = total(out::POLICY_COST);
            npv += (total(out::TAX_REVENUE) - public_cost - policy_cost) * self.discount[t];
            cost_pv += (public_cost + policy_cost) * self.discount[t];
            exports_last = exports;
            jobs_last = total(out::EMPLOYMENT) + total(out::SUPPLIER_JOBS);
            job_years += jobs_last;
            demand_dev_prev = demand_dev;
        }

        let sc = &mut record.scalars;
        sc[Scalar::ExportsCumulative as usize] = exports_cum;
        sc[Scalar::ExportsFinal as usize] = exports_last;
        sc[Scalar::EmploymentFinal as usize] = jobs_last;
        sc[Scalar::ValueAddedCumulative as usize] = va_cum;
        sc[Scalar::ServedShareMean as usize] = served_share_sum / h as f64;
        sc[Scalar::FiscalNpv as usize] = npv;
        sc[Scalar::PublicCostPv as usize] = cost_pv;
        sc[Scalar::JobYears as usize] = job_years;
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

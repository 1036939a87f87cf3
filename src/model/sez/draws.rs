//! A replication's draws that hold for its whole horizon: which committed
//! investments are realised, when each project and each phase arrives
//! (the MW and land they bring, year by year), each zone's TFP shocks and
//! viability, and each zone's starting state.

use super::simulate::{Mode, SezModel, SezWorkspace, Values, ZoneState};
use super::spec::Land;

/// The smallest build-out capacity Kmax that counts, USD million (one
/// dollar): below it a zone counts as built out. Build-out K / Kmax would
/// otherwise overflow for a capacity of a few 1e-300 (a tiny developable
/// share) under any initial capital.
pub(super) const MIN_CAPACITY_MUSD: f64 = 1e-6;

/// The year index from which something arriving in calendar year
/// `planned + floor(delay)` is there: `None` beyond the horizon.
fn first_index(planned: i32, delay: f64, start: i32, years: usize) -> Option<usize> {
    let arrives = planned as f64 + delay.floor();
    let first = (arrives - start as f64).max(0.0);
    (first < years as f64).then_some(first as usize)
}

impl SezModel {
    /// Fill the workspace's per-replication draws and each zone's starting
    /// state.
    pub(super) fn prepare(&self, replication: u64, v: Values, ws: &mut SezWorkspace) {
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
        ws.captive_mw.fill(0.0);
        ws.islanding_mw.fill(0.0);
        ws.captive_cost.fill(0.0);
        for p in &self.projects {
            let Some(first) = first_index(p.planned_year, v.get(p.delay), self.start_year, h)
            else {
                continue;
            };
            for t in first..h {
                let cell = p.zone * h + t;
                if p.captive {
                    ws.captive_mw[cell] += p.effective_mw;
                    ws.islanding_mw[cell] += p.islanding_mw;
                    ws.captive_cost[cell] += p.effective_mw * p.lcoe;
                } else {
                    ws.project_mw[cell] += p.effective_mw;
                }
            }
        }

        // Serviced land and the connections phases bring; a zone without
        // phases has its area from the start.
        ws.phase_grid_mw.fill(0.0);
        for (z, zone) in self.zones.iter().enumerate() {
            let area = match zone.zone.investment.land {
                Land::Area(area) => v.get(area),
                Land::Phases => 0.0,
            };
            ws.serviced[z * h..(z + 1) * h].fill(area);
        }
        for p in &self.phases {
            let Some(first) = first_index(p.planned_year, v.get(p.delay), self.start_year, h)
            else {
                continue;
            };
            for t in first..h {
                ws.serviced[p.zone * h + t] += v.get(p.area_ha);
                ws.phase_grid_mw[p.zone * h + t] += v.get(p.grid_mw);
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
            let (inv, wf, pr, lk) = (
                &zone.zone.investment,
                &zone.zone.workforce,
                &zone.zone.production,
                &zone.zone.linkages,
            );
            // Kmax_t = serviced_t * developable_share * capital_per_ha
            let (developable, per_ha) = (v.get(inv.developable_share), v.get(inv.capital_per_ha));
            for t in 0..h {
                ws.kmax[z * h + t] = ws.serviced[z * h + t] * developable * per_ha;
            }
            // viab: a zone that is not viable enters at the factor f.
            let p_viable = v.get(inv.viability_probability);
            let not_viable = v.get(inv.nonviable_factor);
            let viability = match self.mode {
                Mode::Random if p_viable < 1.0 => {
                    if zone.viability_stream.rng(replication).uniform() < p_viable {
                        1.0
                    } else {
                        not_viable
                    }
                }
                Mode::Random => 1.0,
                Mode::Deterministic => p_viable + (1.0 - p_viable) * not_viable,
            };
            let s = &mut ws.state[z];
            s.viability = viability;
            s.open_year = zone.zone.opens_year as f64 + v.get(inv.opening_delay).floor();
            let alpha = v.get(pr.alpha);
            let ss = v.get(wf.skilled_share);
            let eff_per_worker = 1.0 - ss + v.get(wf.skill_efficiency) * ss;
            // A_0 makes Ypot = output_capital_ratio * K at full employment.
            s.a0 = v.get(pr.output_capital_ratio)
                * (v.get(wf.capital_per_worker) / eff_per_worker).powf(1.0 - alpha);
            // K_0 = min(initial_capital, Kmax_0): no capital beyond the
            // serviced land of the first year.
            s.capital = v.get(inv.initial_capital).min(ws.kmax[z * h]);
            s.foreign_capital = v.get(inv.fdi_share) * s.capital;
            s.skilled_pool = v.get(wf.skilled_pool_initial);
            s.tfp = s.a0;
            s.local_content = v.get(lk.local_content_initial);
            s.served_prev = 1.0;
            s.filled_prev = 1.0;
            s.margin_prev = v.get(zone.zone.fiscal.profit_margin);
            // Vintages of capital: the initial capital produces from the
            // opening year.
            let vintages = &mut ws.vintages[z * (h + 1)..(z + 1) * (h + 1)];
            vintages.fill(0.0);
            vintages[0] = s.capital;
            s.first_vintage = s.open_year;
        }
    }
}

/// Reset a zone's state for a fresh replication (the workspace is reused).
impl ZoneState {
    /// The capital of vintage slot `k` (0: initial capital, `k >= 1`: the
    /// investment of year index `k - 1`) produces from this calendar year.
    pub(super) fn vintage_year(&self, k: usize, start_year: f64) -> f64 {
        if k == 0 {
            self.first_vintage
        } else {
            start_year + k as f64
        }
    }
}

//! A zone-year's energy in the SEZ model (docs/model.md, "Energy"): the
//! national grid's conditions drawn year by year from their streams
//! ([`GridDraws`]), and a zone's served share, backup and cost, as an
//! annual balance (version 1) or in outage hours and prices (the kernel is
//! in `power`).

use super::power::{self, Exposure, HOURS_PER_YEAR, Prices, Supply};
use super::setup::{PowerSetup, ZoneSpec};
use super::simulate::{SezModel, SezWorkspace, Values};

/// The national power conditions of a year.
#[derive(Debug, Clone, Copy)]
pub(super) struct Grid {
    /// a_t: share of the year the grid delivers.
    pub(super) availability: f64,
    /// hu_t, hp_t: outage hours a day (0 in `"balance"` mode).
    pub(super) unplanned: f64,
    pub(super) planned: f64,
    /// USD/MWh (`"hours"` mode).
    pub(super) tariff: f64,
}

/// A zone-year of energy, whatever the power mode.
#[derive(Debug, Clone, Copy)]
pub(super) struct EnergyYear {
    pub(super) served_share: f64,
    /// MWh served (version 1's served energy).
    pub(super) served: f64,
    pub(super) backup: f64,
    pub(super) cost_musd: f64,
    pub(super) relief_musd: f64,
    pub(super) outage_hours: f64,
}

/// What a zone has in year t: the workspace's per-cell arrays at `cell`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cells {
    project_mw: f64,
    phase_grid_mw: f64,
    captive_mw: f64,
    islanding_mw: f64,
    captive_cost: f64,
}

pub(super) fn ws_cells(ws: &SezWorkspace, cell: usize) -> Cells {
    Cells {
        project_mw: ws.project_mw[cell],
        phase_grid_mw: ws.phase_grid_mw[cell],
        captive_mw: ws.captive_mw[cell],
        islanding_mw: ws.islanding_mw[cell],
        captive_cost: ws.captive_cost[cell],
    }
}

impl SezModel {
    /// The zone's energy in year t: an annual balance, or hours and prices.
    pub(super) fn energy(
        &self,
        zone: &ZoneSpec,
        cells: Cells,
        grid: &Grid,
        demand: f64,
        year: f64,
        v: Values,
    ) -> EnergyYear {
        let en = &zone.zone.energy;
        // Cg: the zone's own connection, its delivered phases', and online
        // grid projects'.
        let connection = v.get(en.grid_mw) + cells.phase_grid_mw + cells.project_mw;
        let backup_mw = v.get(en.backup_mw) * v.get(en.backup_availability);
        let Some(hours) = &zone.hours else {
            // Version 1's balance, with captive plants outside the grid.
            let supply =
                HOURS_PER_YEAR * grid.availability * connection + HOURS_PER_YEAR * cells.captive_mw;
            let backup_capacity =
                HOURS_PER_YEAR * v.get(en.backup_mw) * v.get(en.backup_availability);
            let backup = backup_capacity.min((demand - supply).max(0.0));
            let served = demand.min(supply + backup_capacity);
            return EnergyYear {
                served_share: if demand > 0.0 { served / demand } else { 1.0 },
                served,
                backup,
                cost_musd: 0.0,
                relief_musd: 0.0,
                outage_hours: 24.0 * (1.0 - grid.availability),
            };
        };
        let (fu, fp) = match zone.feeder {
            Some(f) if year >= f64::from(f.year) => {
                (v.get(f.unplanned_factor), v.get(f.planned_factor))
            }
            _ => (1.0, 1.0),
        };
        let supply = Supply {
            grid_mw: connection,
            captive_mw: cells.captive_mw,
            islanding_mw: cells.islanding_mw,
            backup_mw,
            unplanned_hours: fu * grid.unplanned,
            planned_hours: fp * grid.planned,
        };
        let exposure = Exposure {
            load_factor: v.get(hours.load_factor),
            loss_unplanned: v.get(hours.outage_loss_unplanned),
            loss_planned: v.get(hours.outage_loss_planned),
        };
        let t = (year - self.start_year as f64) as usize;
        let prices = Prices {
            tariff: grid.tariff,
            relief: zone.tariff_relief[t],
            backup: v.get(hours.backup_cost),
            captive: if cells.captive_mw > 0.0 {
                cells.captive_cost / cells.captive_mw
            } else {
                0.0
            },
        };
        let y = power::hours_mode(demand, &supply, &exposure, &prices);
        EnergyYear {
            served_share: y.served_share,
            served: y.served_mwh,
            backup: y.backup_mwh,
            cost_musd: y.cost_musd,
            relief_musd: y.relief_musd * v.get(hours.relief_budget_share),
            outage_hours: supply.unplanned_hours + supply.planned_hours,
        }
    }
}

/// National outage draws, year by year, from their streams.
pub(super) struct GridDraws {
    first: Option<crate::uncertainty::StreamRng>,
    second: Option<crate::uncertainty::StreamRng>,
}

impl GridDraws {
    pub(super) fn new(power: &PowerSetup, replication: u64, random: bool) -> Self {
        if !random {
            return GridDraws {
                first: None,
                second: None,
            };
        }
        match power {
            PowerSetup::Balance { stream, .. } => GridDraws {
                first: Some(stream.rng(replication)),
                second: None,
            },
            PowerSetup::Hours(h) => GridDraws {
                first: Some(h.unplanned_stream.rng(replication)),
                second: Some(h.planned_stream.rng(replication)),
            },
        }
    }

    /// Year t's grid: one standard normal a year from each stream (0 in
    /// deterministic mode).
    pub(super) fn year(&mut self, power: &PowerSetup, t: usize, v: Values) -> Grid {
        let normal = |rng: &mut Option<crate::uncertainty::StreamRng>| {
            rng.as_mut().map_or(0.0, |r| r.standard_normal())
        };
        match power {
            PowerSetup::Balance {
                logit_median,
                logit_sd,
                ..
            } => {
                let xi = normal(&mut self.first);
                Grid {
                    availability: 1.0 / (1.0 + (-(logit_median[t] + v.get(*logit_sd) * xi)).exp()),
                    unplanned: 0.0,
                    planned: 0.0,
                    tariff: 0.0,
                }
            }
            PowerSetup::Hours(h) => {
                let (xu, xp) = (normal(&mut self.first), normal(&mut self.second));
                // hu_t = min(24, mu_t e^(su xi)); hp_t = min(24 - hu_t, mp_t e^(sp xi))
                let unplanned =
                    (h.unplanned_median[t] * (v.get(h.unplanned_logsd) * xu).exp()).min(24.0);
                let planned = (h.planned_median[t] * (v.get(h.planned_logsd) * xp).exp())
                    .min(24.0 - unplanned);
                Grid {
                    availability: 1.0 - (unplanned + planned) / 24.0,
                    unplanned,
                    planned,
                    tariff: h.tariff[t],
                }
            }
        }
    }
}

//! Power in hours and prices (docs/model.md, "Power in hours"): how much of
//! a zone's potential output its connection, captive plants and backup let
//! it produce, which energy it buys from where, and what that costs.
//!
//! Pure functions of one zone-year, so each channel can be checked by hand:
//! the load-duration shortfall of a connection smaller than the peak load,
//! the output lost to outage hours that backup and islanding plants do not
//! ride through, and the energy mix (backup, captive, grid) with its cost.

/// Hours in a year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// Energy (MWh) of a year's load above `capacity_mw`, for a load of
/// `energy_mwh` a year with load factor `load_factor` in [0.5, 1] on a
/// linear load-duration curve: the load falls evenly over the year from the
/// peak `P = Q / (8760 LF)` to `(2 LF - 1) P`, whose mean is `LF P`.
///
/// `S(K) = 0` when there is no load or `K >= P`; with `LF = 1` the load is
/// flat and `S = max(0, Q - 8760 K)`; below the lowest load every hour is
/// short, `S = Q - 8760 K`; otherwise only the hours above K are, a
/// triangle: `8760 (P - K)^2 / (2 (P - Pmin))`.
pub fn shortfall_mwh(energy_mwh: f64, load_factor: f64, capacity_mw: f64) -> f64 {
    if energy_mwh <= 0.0 {
        return 0.0;
    }
    let peak = energy_mwh / (HOURS_PER_YEAR * load_factor);
    if capacity_mw >= peak {
        return 0.0;
    }
    if load_factor == 1.0 {
        return (energy_mwh - HOURS_PER_YEAR * capacity_mw).max(0.0);
    }
    let lowest = (2.0 * load_factor - 1.0) * peak;
    if capacity_mw <= lowest {
        energy_mwh - HOURS_PER_YEAR * capacity_mw
    } else {
        HOURS_PER_YEAR * (peak - capacity_mw).powi(2) / (2.0 * (peak - lowest))
    }
}

/// What a zone can draw on in one year, in "hours" mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Supply {
    /// Cg: grid connection, MW (the zone's own plus its delivered phases'
    /// plus online grid projects' average MW).
    pub grid_mw: f64,
    /// Sc: online captive plants' average MW.
    pub captive_mw: f64,
    /// Ic: online captive plants' MW carried through an outage (islanding).
    pub islanding_mw: f64,
    /// B: backup MW available (`backup_mw * backup_availability`).
    pub backup_mw: f64,
    /// Unexpected outage hours a day the zone sees (feeder factor applied).
    pub unplanned_hours: f64,
    /// Scheduled outage hours a day the zone sees.
    pub planned_hours: f64,
}

/// How outages and prices hit a zone: its scenario parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exposure {
    /// LF in [0.5, 1].
    pub load_factor: f64,
    /// beta_u: share of output lost per uncovered unexpected outage hour a
    /// day, on a log scale.
    pub loss_unplanned: f64,
    /// beta_p: the same for scheduled outages.
    pub loss_planned: f64,
}

/// Prices of the energy a zone uses, USD/MWh.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    /// The grid tariff.
    pub tariff: f64,
    /// Tariff relief granted per MWh of grid energy (capped at the tariff).
    pub relief: f64,
    /// Cost of backup energy.
    pub backup: f64,
    /// Cost of captive energy: the online captive plants' LCOE, averaged
    /// by their average MW.
    pub captive: f64,
}

/// A zone-year of power, in "hours" mode.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PowerYear {
    /// phi: output produced over potential output.
    pub served_share: f64,
    /// Qs: energy served, MWh.
    pub served_mwh: f64,
    /// Energy from backup, MWh.
    pub backup_mwh: f64,
    /// Energy from captive plants, MWh.
    pub captive_mwh: f64,
    /// Energy from the grid, MWh.
    pub grid_mwh: f64,
    /// EC: the energy bill, USD million.
    pub cost_musd: f64,
    /// Relief paid on the grid energy (before the budget share), USD million.
    pub relief_musd: f64,
}

impl PowerYear {
    /// cbar: average cost per MWh served, `None` when nothing is served.
    pub fn average_cost(&self) -> Option<f64> {
        (self.served_mwh > 0.0).then(|| self.cost_musd * 1e6 / self.served_mwh)
    }
}

/// One zone-year in "hours" mode for an energy demand of `demand_mwh` (Q).
pub fn hours_mode(
    demand_mwh: f64,
    supply: &Supply,
    exposure: &Exposure,
    prices: &Prices,
) -> PowerYear {
    let q = demand_mwh;
    let lf = exposure.load_factor;
    let peak = q / (HOURS_PER_YEAR * lf);
    let reach = supply.grid_mw + supply.captive_mw + supply.backup_mw;
    let short = shortfall_mwh(q, lf, reach);
    // kappa: the share of the peak that backup and islanding plants carry
    // through an outage.
    let ride_through = if peak > 0.0 {
        ((supply.backup_mw + supply.islanding_mw) / peak).min(1.0)
    } else {
        1.0
    };
    let exponent = exposure.loss_unplanned * supply.unplanned_hours
        + exposure.loss_planned * supply.planned_hours;
    let outage_factor = (-exponent * (1.0 - ride_through)).exp();
    let delivered = if q > 0.0 { 1.0 - short / q } else { 1.0 };
    let served_share = delivered * outage_factor;
    let served = q * served_share;

    // Backup covers the load above the grid and captive capacity, and the
    // load during outage hours up to its own size.
    let over = shortfall_mwh(q, lf, supply.grid_mw + supply.captive_mw) - short;
    let outage_hours_a_year = 365.0 * (supply.unplanned_hours + supply.planned_hours);
    let backup = served
        .min(HOURS_PER_YEAR * supply.backup_mw)
        .min(over + supply.backup_mw.min(q / HOURS_PER_YEAR) * outage_hours_a_year);
    let captive = (served - backup).min(HOURS_PER_YEAR * supply.captive_mw);
    let grid = served - backup - captive;
    let relief = prices.relief.min(prices.tariff);
    let price = prices.tariff - relief;
    PowerYear {
        served_share,
        served_mwh: served,
        backup_mwh: backup,
        captive_mwh: captive,
        grid_mwh: grid,
        cost_musd: (grid * price + backup * prices.backup + captive * prices.captive) / 1e6,
        relief_musd: relief * grid / 1e6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn shortfall_of_a_flat_load_is_the_energy_above_the_connection() {
        // LF = 1: 100 MW all year against 60 MW.
        let q = 100.0 * HOURS_PER_YEAR;
        assert!(close(shortfall_mwh(q, 1.0, 60.0), 40.0 * HOURS_PER_YEAR));
        assert_eq!(shortfall_mwh(q, 1.0, 100.0), 0.0);
        assert_eq!(shortfall_mwh(q, 1.0, 150.0), 0.0);
        assert_eq!(shortfall_mwh(0.0, 0.8, 0.0), 0.0);
    }

    #[test]
    fn shortfall_on_a_linear_load_duration_curve() {
        // LF = 0.75: peak 100 MW, lowest 50 MW, mean 75 MW.
        let q = 75.0 * HOURS_PER_YEAR;
        // A connection at 90% of the peak misses a triangle 10 MW high and
        // 10/50 of the year long.
        let expected = HOURS_PER_YEAR * 10.0 * (10.0 / 50.0) / 2.0;
        assert!(close(shortfall_mwh(q, 0.75, 90.0), expected));
        // Below the lowest load every hour is short.
        assert!(close(shortfall_mwh(q, 0.75, 40.0), 35.0 * HOURS_PER_YEAR));
        // The two branches meet at the lowest load: just above it, the
        // triangle is what the line gives, less 1e-9 MW for a whole year.
        let at_lowest = shortfall_mwh(q, 0.75, 50.0);
        assert!(close(at_lowest, 25.0 * HOURS_PER_YEAR));
        let above = shortfall_mwh(q, 0.75, 50.0 + 1e-9);
        assert!((above - (at_lowest - HOURS_PER_YEAR * 1e-9)).abs() < 1e-6);
    }

    fn supply(grid: f64) -> Supply {
        Supply {
            grid_mw: grid,
            captive_mw: 0.0,
            islanding_mw: 0.0,
            backup_mw: 0.0,
            unplanned_hours: 0.0,
            planned_hours: 0.0,
        }
    }

    const EXPOSURE: Exposure = Exposure {
        load_factor: 1.0,
        loss_unplanned: 0.1,
        loss_planned: 0.03,
    };

    const PRICES: Prices = Prices {
        tariff: 120.0,
        relief: 0.0,
        backup: 320.0,
        captive: 40.0,
    };

    #[test]
    fn an_uncovered_outage_hour_costs_exp_of_minus_beta() {
        let mut s = supply(200.0);
        s.unplanned_hours = 1.0;
        let y = hours_mode(100.0 * HOURS_PER_YEAR, &s, &EXPOSURE, &PRICES);
        assert!(close(y.served_share, (-0.1f64).exp()));
        // Everything served comes from the grid.
        assert!(close(y.grid_mwh, y.served_mwh));
        assert!(close(y.cost_musd, y.served_mwh * 120.0 / 1e6));
    }

    #[test]
    fn backup_covering_the_peak_removes_the_loss_and_bills_the_outage_hours() {
        let mut s = supply(200.0);
        s.unplanned_hours = 1.0;
        s.backup_mw = 100.0;
        let y = hours_mode(100.0 * HOURS_PER_YEAR, &s, &EXPOSURE, &PRICES);
        assert_eq!(y.served_share, 1.0);
        assert!(close(y.backup_mwh, 100.0 * 365.0));
        assert!(close(y.grid_mwh, 100.0 * (HOURS_PER_YEAR - 365.0)));
    }

    #[test]
    fn islanding_half_the_peak_halves_the_exponent() {
        let mut s = supply(200.0);
        s.unplanned_hours = 2.0;
        s.planned_hours = 1.0;
        s.captive_mw = 30.0;
        s.islanding_mw = 50.0;
        let y = hours_mode(100.0 * HOURS_PER_YEAR, &s, &EXPOSURE, &PRICES);
        assert!(close(y.served_share, (-(0.1 * 2.0 + 0.03) * 0.5f64).exp()));
    }

    #[test]
    fn a_grid_tied_captive_plant_lowers_the_bill_not_the_loss() {
        let mut without = supply(200.0);
        without.unplanned_hours = 1.0;
        let mut with = without;
        with.captive_mw = 30.0;
        let q = 100.0 * HOURS_PER_YEAR;
        let a = hours_mode(q, &without, &EXPOSURE, &PRICES);
        let b = hours_mode(q, &with, &EXPOSURE, &PRICES);
        assert_eq!(a.served_share, b.served_share);
        assert!(close(b.captive_mwh, 30.0 * HOURS_PER_YEAR));
        assert!(b.cost_musd < a.cost_musd);
        let saved = 30.0 * HOURS_PER_YEAR * (120.0 - 40.0) / 1e6;
        assert!(close(a.cost_musd - b.cost_musd, saved));
    }

    #[test]
    fn relief_is_capped_at_the_tariff() {
        let prices = Prices {
            relief: 500.0,
            ..PRICES
        };
        let y = hours_mode(100.0 * HOURS_PER_YEAR, &supply(200.0), &EXPOSURE, &prices);
        assert_eq!(y.cost_musd, 0.0);
        assert!(close(y.relief_musd, 100.0 * HOURS_PER_YEAR * 120.0 / 1e6));
    }

    /// The numbers of docs/model.md's "three energy levers" example, from
    /// the kernel: 1.2 hours a day of unexpected outage at a loss of 0.10
    /// per hour, a 100 MW flat peak, no backup.
    #[test]
    fn the_docs_three_levers_example() {
        let q = 100.0 * HOURS_PER_YEAR;
        let shared = Supply {
            unplanned_hours: 1.2,
            ..supply(200.0)
        };
        let loss = |s: &Supply| 1.0 - hours_mode(q, s, &EXPOSURE, &PRICES).served_share;
        let percent = |x: f64| format!("{:.0}%", x * 100.0);
        let feeder = Supply {
            unplanned_hours: 0.25 * 1.2,
            ..shared
        };
        let grid_tied = Supply {
            captive_mw: 20.0,
            ..shared
        };
        let islanding = Supply {
            captive_mw: 20.0,
            islanding_mw: 50.0,
            ..shared
        };
        let docs = std::fs::read_to_string("docs/model.md").unwrap();
        let docs = docs.split_whitespace().collect::<Vec<_>>().join(" ");
        for (text, value) in [
            ("1 - e^-0.12", loss(&shared)),
            ("1 - e^-0.03", loss(&feeder)),
            ("loss 6%", loss(&islanding)),
        ] {
            let quoted = if text.starts_with("loss") {
                format!("loss {}", percent(value))
            } else {
                format!("{text} ({})", percent(value))
            };
            assert!(docs.contains(&quoted), "docs/model.md should say {quoted}");
        }
        // Grid-tied solar: no reliability gain, a lower bill.
        assert_eq!(loss(&grid_tied), loss(&shared));
        let bill = |s: &Supply| hours_mode(q, s, &EXPOSURE, &PRICES).cost_musd;
        assert!(bill(&grid_tied) < bill(&shared));
    }
}

//! Model version 2, power in hours and prices, captive plants and land
//! phases (docs/model.md): deterministic runs of the one-zone scenario of
//! `support::v2` against the equations worked by hand, and common random
//! numbers for a dedicated feeder.
//!
//! Symbols: Q energy demand (MWh), P = Q / (8760 LF) the peak load (MW),
//! Kc = Cg + Sc + B the MW that can reach the load, S(K) the energy of the
//! load above K MW, kappa = min(1, (B + Ic) / P) the share of the peak
//! ridden through an outage, and phi = (1 - S(Kc) / Q) x exp(-(beta_u hu +
//! beta_p hp) (1 - kappa)) the served share.

mod support;

use support::v2::{close, hand, load};
use support::{Runs, run_one};

const YEARS: std::ops::RangeInclusive<i32> = 2025..=2028;

/// The base scenario's zone: K = 100, so Ypot = 100 and Q = 8760 x 100
/// MWh every year.
#[test]
fn the_hand_zone_holds_its_capital_and_demand() {
    let r = run_one(&load(&hand(&[], "")), 0, true);
    for y in YEARS {
        close(r.get("capital", "a", y), 100.0);
        close(r.get("energy_demand", "a", y), 8760.0 * 100.0);
        close(r.get("serviced_area", "a", y), 1000.0);
        close(r.get("serviced_area", "total", y), 1000.0);
    }
}

#[test]
fn one_uncovered_outage_hour_a_day_serves_exp_of_minus_beta() {
    // hu = 1 hour a day, beta_u = 0.1, no backup, no captive plant, the
    // connection (200 MW) above the peak (100 MW): S = 0, kappa = 0, so
    // phi = exp(-0.1 x 1).
    let r = run_one(&load(&hand(&[], "")), 0, true);
    let phi = (-0.1f64).exp();
    for y in YEARS {
        let q = r.get("energy_demand", "a", y);
        close(r.get("served_share", "a", y), phi);
        close(r.get("served_share", "total", y), phi);
        // Y = Ypot x phi, Ypot = Q / 8760.
        close(r.get("output", "a", y), q / 8760.0 * phi);
        close(r.get("outage_hours", "a", y), 1.0);
        close(r.get("outage_unplanned_hours", "national", y), 1.0);
        close(r.get("outage_planned_hours", "national", y), 0.0);
        // a_t = 1 - (hu + hp) / 24.
        close(r.get("grid_availability", "national", y), 1.0 - 1.0 / 24.0);
        close(r.get("backup_energy", "a", y), 0.0);
        // Every MWh served comes from the grid at the tariff of 100 USD/MWh.
        close(r.get("energy_cost", "a", y), q * phi * 100.0 / 1e6);
        close(r.get("energy_cost", "total", y), q * phi * 100.0 / 1e6);
        // Without an energy-cost reference, margins and value added are
        // version 1's.
        close(r.get("margin", "a", y), 0.1);
        close(r.get("value_added", "a", y), 0.5 * r.get("output", "a", y));
    }

    // Scheduled hours add beta_p hp to the exponent: hu = 1, hp = 2,
    // beta_p = 0.05: phi = exp(-(0.1 x 1 + 0.05 x 2)).
    let r = run_one(
        &load(&hand(
            &[("outage_planned_hours = 0", "outage_planned_hours = 2")],
            "",
        )),
        0,
        true,
    );
    for y in YEARS {
        close(r.get("served_share", "a", y), (-0.2f64).exp());
        close(r.get("outage_hours", "a", y), 3.0);
        close(r.get("grid_availability", "national", y), 1.0 - 3.0 / 24.0);
    }
}

#[test]
fn backup_covering_the_whole_peak_removes_the_outage_loss() {
    // B = 150 MW x availability 1 >= P = 100 MW: kappa = 1, phi = 1.
    let zone = "  [zones.energy]\n  backup_mw = 150\n  backup_cost = 300\n";
    let r = run_one(&load(&hand(&[], zone)), 0, true);
    for y in YEARS {
        let q = r.get("energy_demand", "a", y);
        close(r.get("served_share", "a", y), 1.0);
        close(r.get("output", "a", y), q / 8760.0);
        // over = S(Cg + Sc) - S(Kc) = 0: backup carries the load through the
        // outage hours, min(B, Q / 8760) x 365 x 1 = P x 365 MWh.
        let backup = q / 8760.0 * 365.0;
        close(r.get("backup_energy", "a", y), backup);
        // The rest from the grid at 100 USD/MWh, backup at 300.
        close(
            r.get("energy_cost", "a", y),
            ((q - backup) * 100.0 + backup * 300.0) / 1e6,
        );
    }

    // Backup of 40 MW (with availability 0.5, B = 20 MW) rides through a
    // fifth of the peak: kappa = 20 / P, phi = exp(-0.1 (1 - kappa)).
    let zone = "  [zones.energy]\n  backup_mw = 40\n  backup_availability = 0.5\n";
    let r = run_one(&load(&hand(&[], zone)), 0, true);
    for y in YEARS {
        let peak = r.get("energy_demand", "a", y) / 8760.0;
        let kappa = 20.0 / peak;
        close(r.get("served_share", "a", y), (-0.1 * (1.0 - kappa)).exp());
        close(r.get("served_share", "a", y), (-0.08f64).exp());
        // Backup energy: B x 365 x 1 hour (below Qs and 8760 B).
        close(r.get("backup_energy", "a", y), 20.0 * 365.0);
    }
}

/// A captive plant of the hand zone: `capacity_mw` x capacity factor 0.5,
/// all of it for the zone, online from the start.
fn captive(capacity_mw: f64, extra: &str) -> String {
    format!(
        "\n[[energy_projects]]\nname = \"plant\"\nzone = \"a\"\nkind = \"captive\"\ncapacity_mw = {capacity_mw}\ncapacity_factor = 0.5\nzone_share = 1\nplanned_year = 2025\n{extra}"
    )
}

#[test]
fn a_grid_tied_captive_plant_lowers_the_energy_cost_not_the_outage_loss() {
    let without = run_one(&load(&hand(&[], "")), 0, true);
    // 40 MW x 0.5: Sc = 20 MW average at 40 USD/MWh; islanding_coverage 0,
    // so Ic = 0 and kappa stays 0: it trips with the grid.
    let with = run_one(&load(&hand(&[], &captive(40.0, "lcoe = 40\n"))), 0, true);
    for y in YEARS {
        let phi = without.get("served_share", "a", y);
        assert_eq!(with.get("served_share", "a", y), phi, "{y}");
        close(phi, (-0.1f64).exp());
        let served = with.get("energy_demand", "a", y) * phi;
        // Ecap = min(Qs - backup, 8760 Sc); Eg = Qs - Ecap.
        let captive_mwh = served.min(8760.0 * 20.0);
        let cost = ((served - captive_mwh) * 100.0 + captive_mwh * 40.0) / 1e6;
        close(with.get("energy_cost", "a", y), cost);
        // Each captive MWh saves 100 - 40 USD.
        close(
            without.get("energy_cost", "a", y) - with.get("energy_cost", "a", y),
            8760.0 * 20.0 * 60.0 / 1e6,
        );
    }
}

#[test]
fn an_islanding_plant_covering_half_the_peak_halves_the_exponent() {
    // 100 MW x zone share 1 x islanding_coverage 0.5: Ic = 50 MW = P / 2,
    // kappa = 50 / P, phi = exp(-0.1 x (1 - kappa)) = exp(-0.05).
    let r = run_one(
        &load(&hand(&[], &captive(100.0, "islanding_coverage = 0.5\n"))),
        0,
        true,
    );
    for y in YEARS {
        let peak = r.get("energy_demand", "a", y) / 8760.0;
        let phi = r.get("served_share", "a", y);
        close(phi, (-0.1 * (1.0 - 50.0 / peak)).exp());
        close(phi.ln(), 0.5 * -0.1);
        // No lcoe given: captive energy is free, only the grid's is paid.
        let served = r.get("energy_demand", "a", y) * phi;
        let captive_mwh = served.min(8760.0 * 50.0);
        close(
            r.get("energy_cost", "a", y),
            (served - captive_mwh) * 100.0 / 1e6,
        );
    }
}

#[test]
fn a_captive_plant_in_balance_mode_is_not_scaled_by_grid_availability() {
    // Balance mode at availability 0.5 with a 100 MW connection:
    // G = 8760 x 0.5 x 100 + 8760 x Sc. Demand is Q = 8760 x 100 MWh.
    let balance = [
        (
            "power_mode = \"hours\"\noutage_unplanned_hours = 1\noutage_unplanned_logsd = 0\noutage_planned_hours = 0\noutage_planned_logsd = 0\ntariff = 100\n",
            "grid_availability = 0.5\ngrid_availability_logit_sd = 0\n",
        ),
        ("grid_mw = 200\n", "grid_mw = 100\n"),
        (
            "outage_loss_unplanned = 0.1\noutage_loss_planned = 0.05\n",
            "",
        ),
    ];
    let without = run_one(&load(&hand(&balance, "")), 0, true);
    // 40 MW x 0.5 = 20 MW captive: 8760 x 20 MWh more, not 8760 x 0.5 x 20.
    let with = run_one(&load(&hand(&balance, &captive(40.0, ""))), 0, true);
    for y in YEARS {
        let q = with.get("energy_demand", "a", y);
        close(
            without.get("served_share", "a", y),
            8760.0 * 0.5 * 100.0 / q,
        );
        close(
            with.get("served_share", "a", y),
            (8760.0 * 0.5 * 100.0 + 8760.0 * 20.0) / q,
        );
        // Balance mode: hours are 24 (1 - a_t), no national outage hours,
        // no energy bill.
        close(with.get("outage_hours", "a", y), 12.0);
        close(with.get("outage_unplanned_hours", "national", y), 0.0);
        close(with.get("energy_cost", "a", y), 0.0);
    }
}

/// The hand scenario without outages, at load factor `lf` and a
/// connection of `grid_mw`.
fn no_outage(lf: f64, grid_mw: f64) -> String {
    hand(
        &[
            ("outage_unplanned_hours = 1", "outage_unplanned_hours = 0"),
            ("grid_mw = 200", &format!("grid_mw = {grid_mw}")),
        ],
        &format!("  [zones.energy]\n  load_factor = {lf}\n"),
    )
}

#[test]
fn the_load_duration_shortfall_follows_its_formula() {
    // LF = 0.75: P = Q / (8760 x 0.75) = 133.3 MW, Pmin = (2 LF - 1) P =
    // P / 2. A connection of 120 MW (90% of P) misses the triangle above
    // it: S = 8760 (P - K)^2 / (2 (P - Pmin)), phi = 1 - S / Q, which is
    // 1 - 0.01 / 0.75 = 1 - 1/75.
    let r = run_one(&load(&no_outage(0.75, 120.0)), 0, true);
    for y in YEARS {
        let q = r.get("energy_demand", "a", y);
        let peak = q / (8760.0 * 0.75);
        let lowest = 0.5 * peak;
        let short = 8760.0 * (peak - 120.0).powi(2) / (2.0 * (peak - lowest));
        close(r.get("served_share", "a", y), 1.0 - short / q);
        assert!((r.get("served_share", "a", y) - (1.0 - 1.0 / 75.0)).abs() < 1e-9);
    }
    // Below the lowest load (40 MW < Pmin = 66.7 MW) every hour is short:
    // S = Q - 8760 K.
    let r = run_one(&load(&no_outage(0.75, 40.0)), 0, true);
    for y in YEARS {
        let q = r.get("energy_demand", "a", y);
        close(r.get("served_share", "a", y), 1.0 - (q - 8760.0 * 40.0) / q);
    }
    // LF = 1: a flat load, S = max(0, Q - 8760 Kc).
    let r = run_one(&load(&no_outage(1.0, 80.0)), 0, true);
    for y in YEARS {
        let q = r.get("energy_demand", "a", y);
        close(r.get("served_share", "a", y), 1.0 - (q - 8760.0 * 80.0) / q);
    }
    // A connection at or above the peak: no shortfall.
    let r = run_one(&load(&no_outage(1.0, 100.5)), 0, true);
    for y in YEARS {
        close(r.get("served_share", "a", y), 1.0);
    }
}

#[test]
fn a_feeder_removes_the_exposure_from_its_year_on_and_not_before() {
    // hu = 1, hp = 2; a dedicated feeder from 2027 with factor 0 on
    // unexpected outages and 0.5 on scheduled ones: before 2027 phi =
    // exp(-(0.1 x 1 + 0.05 x 2)), from 2027 on exp(-(0.05 x 0.5 x 2)).
    let zone = "  [zones.energy]\n  feeder_year = 2027\n  feeder_unplanned_factor = 0\n  feeder_planned_factor = 0.5\n  feeder_capex = 5\n  feeder_om = 0.5\n";
    let r = run_one(
        &load(&hand(
            &[("outage_planned_hours = 0", "outage_planned_hours = 2")],
            zone,
        )),
        0,
        true,
    );
    for y in YEARS {
        let fed = y >= 2027;
        let (phi, hours) = if fed {
            ((-0.05f64).exp(), 1.0)
        } else {
            ((-0.2f64).exp(), 3.0)
        };
        close(r.get("served_share", "a", y), phi);
        close(r.get("outage_hours", "a", y), hours);
        // The national hours are the grid's, feeder or not.
        close(r.get("outage_unplanned_hours", "national", y), 1.0);
        close(r.get("outage_planned_hours", "national", y), 2.0);
        // Capex in the feeder's year, O&M every year from it.
        let cost = match y {
            2027 => 5.5,
            2028 => 0.5,
            _ => 0.0,
        };
        close(r.get("policy_cost", "a", y), cost);
    }
}

#[test]
fn margins_and_value_added_fall_by_the_energy_cost_above_the_reference() {
    // No outage: phi = 1, every MWh from the grid at the tariff, so cbar =
    // EC x 1e6 / Qs = tariff. margin = 0.1 - energy_intensity x (cbar -
    // c_ref) / 1e6, V = va_share Y - (cbar - c_ref) Qs / 1e6, and tax =
    // tax_rate x max(0, margin) x Y (no holiday).
    for (tariff, reference) in [(60.0, 50.0), (40.0, 50.0), (200.0, 50.0)] {
        let r = run_one(
            &load(&hand(
                &[
                    ("outage_unplanned_hours = 1", "outage_unplanned_hours = 0"),
                    ("tariff = 100", &format!("tariff = {tariff}")),
                ],
                &format!("  [zones.energy]\n  energy_cost_reference = {reference}\n"),
            )),
            0,
            true,
        );
        for y in YEARS {
            let served = r.get("energy_demand", "a", y);
            let output = r.get("output", "a", y);
            let cbar = r.get("energy_cost", "a", y) * 1e6 / served;
            close(cbar, tariff);
            let margin = 0.1 - 8760.0 * (cbar - reference) / 1e6;
            close(r.get("margin", "a", y), margin);
            close(
                r.get("value_added", "a", y),
                0.5 * output - (cbar - reference) * served / 1e6,
            );
            close(r.get("tax_revenue", "a", y), 0.2 * margin.max(0.0) * output);
        }
    }
}

#[test]
fn entry_reacts_to_last_years_margin() {
    // Diffusion entry at bass_p = 0.1: I = M x 0.1 x (Kmax - K) with
    // Kmax = 1000, and M = (max(0, margin_{t-1}) / profit_margin)^theta,
    // margin_{-1} = profit_margin. theta = 2; margins as in the test above.
    for tariff in [60.0, 200.0] {
        let r = run_one(
            &load(&hand(
                &[
                    ("outage_unplanned_hours = 1", "outage_unplanned_hours = 0"),
                    ("tariff = 100", &format!("tariff = {tariff}")),
                    ("bass_p = 0", "bass_p = 0.1\nmargin_sensitivity = 2"),
                ],
                "  [zones.energy]\n  energy_cost_reference = 50\n",
            )),
            0,
            true,
        );
        close(r.get("investment", "a", 2025), 0.1 * 900.0);
        for y in 2026..=2028 {
            let previous = r.get("margin", "a", y - 1);
            let m = (previous.max(0.0) / 0.1).powi(2);
            let room = 1000.0 - r.get("capital", "a", y);
            close(r.get("investment", "a", y), m * 0.1 * room);
        }
        if tariff > 100.0 {
            // A negative margin stops entry.
            assert_eq!(r.get("investment", "a", 2026), 0.0);
        }
    }
}

#[test]
fn tariff_relief_lowers_the_price_and_costs_the_budget_its_share() {
    // Relief 30 USD/MWh on a tariff of 100, half paid from the budget:
    // price 70, policy cost 30 x Eg x 0.5 / 1e6. Relief beyond the tariff
    // is capped at it.
    for (relief, paid) in [(30.0, 30.0), (150.0, 100.0)] {
        let zone =
            format!("  [zones.energy]\n  tariff_relief = {relief}\n  relief_budget_share = 0.5\n");
        let r = run_one(&load(&hand(&[], &zone)), 0, true);
        for y in YEARS {
            let grid_mwh = r.get("energy_demand", "a", y) * r.get("served_share", "a", y);
            close(
                r.get("energy_cost", "a", y),
                grid_mwh * (100.0 - paid) / 1e6,
            );
            close(r.get("policy_cost", "a", y), paid * grid_mwh * 0.5 / 1e6);
        }
    }
}

/// Two phases of 100 ha: the first in 2025 with 60 MW, the second planned
/// for 2026 with a delay of mean 1.5 (floored: 2027) and 60 MW more.
const PHASES: &str = r#"  [[zones.phases]]
  name = "one"
  area_ha = 100
  planned_year = 2025
  grid_mw = 60
  [[zones.phases]]
  name = "two"
  area_ha = 100
  planned_year = 2026
  delay = { dist = "uniform", min = 1, max = 2 }
  grid_mw = 60
"#;

/// The hand scenario without outages, with diffusion entry (bass_p = 0.1),
/// K_0 = `initial`, 2 MWh per USD of output (P = 2 K MW) and the land
/// and connection of `phases` only.
fn phased(initial: f64, phases: &str) -> String {
    hand(
        &[
            ("outage_unplanned_hours = 1", "outage_unplanned_hours = 0"),
            ("area_ha = 1000\n", ""),
            (
                "initial_capital = 100",
                &format!("initial_capital = {initial}"),
            ),
            ("bass_p = 0", "bass_p = 0.1"),
            ("energy_intensity = 8760", "energy_intensity = 17520"),
            ("grid_mw = 200\n", ""),
        ],
        phases,
    )
}

#[test]
fn a_second_phase_raises_capacity_and_connection_from_its_year_on() {
    let r = run_one(&load(&phased(50.0, PHASES)), 0, true);
    for y in YEARS {
        // Kmax_t = serviced_t x 1 x 1; Cg_t = 0 + delivered phases' MW.
        let (area, connection) = if y >= 2027 {
            (200.0, 120.0)
        } else {
            (100.0, 60.0)
        };
        close(r.get("serviced_area", "a", y), area);
        let k = r.get("capital", "a", y);
        close(r.get("buildout", "a", y), k / area);
        // Idiff = 0.1 x (1 - F) x Kmax = 0.1 (Kmax - K).
        close(r.get("investment", "a", y), 0.1 * (area - k));
        // LF = 1: phi = 1 - max(0, Q - 8760 Cg) / Q.
        let q = r.get("energy_demand", "a", y);
        let short = (q - 8760.0 * connection).max(0.0);
        close(r.get("served_share", "a", y), 1.0 - short / q);
    }
    // K: 50, 55, 59.5, then 59.5 + 0.1 x (200 - 59.5) = 73.55.
    close(r.get("capital", "a", 2026), 55.0);
    close(r.get("capital", "a", 2028), 73.55);
    // 2025: P = 100 MW against 60; 2027: P = 119 MW against 120.
    close(r.get("served_share", "a", 2025), 0.6);
    close(r.get("served_share", "a", 2027), 1.0);
}

#[test]
fn initial_capital_is_clamped_to_the_first_years_serviced_capacity() {
    // The only phase arrives in 2026: Kmax_0 = 0, so K_0 = min(50, 0) = 0,
    // and build-out reads 0 (no serviced land is not a built-out zone).
    let late = PHASES
        .split("  [[zones.phases]]")
        .nth(1)
        .unwrap()
        .replace("planned_year = 2025", "planned_year = 2026");
    let r = run_one(
        &load(&phased(50.0, &format!("  [[zones.phases]]{late}"))),
        0,
        true,
    );
    close(r.get("serviced_area", "a", 2025), 0.0);
    close(r.get("capital", "a", 2025), 0.0);
    close(r.get("buildout", "a", 2025), 0.0);
    close(r.get("investment", "a", 2025), 0.0);
    // 2026: Kmax = 100, K = 0: I = 0.1 x 100.
    close(r.get("investment", "a", 2026), 10.0);
    // Without phases, K_0 = min(initial_capital, area x 1 x 1).
    let r = run_one(
        &load(&hand(
            &[("initial_capital = 100", "initial_capital = 2500")],
            "",
        )),
        0,
        true,
    );
    close(r.get("capital", "a", 2025), 1000.0);
}

#[test]
fn a_dedicated_feeder_leaves_the_national_outage_draws_as_they_were() {
    // Common random numbers: the variant only gives zone east a feeder from
    // 2029 with factor 0.2 on unexpected outages. The national hours are
    // drawn from their own streams, so they are the same in every
    // replication and year; east sees fewer hours from 2029 on, west the
    // same.
    let base = support::load(std::path::Path::new("tests/fixtures/v2/hours.toml"));
    let dir = tempfile::tempdir().unwrap();
    let variant = support::extending(
        dir.path(),
        "feeder.toml",
        "tests/fixtures/v2/hours.toml",
        "[[zones]]\nid = \"east\"\n  [zones.energy]\n  feeder_year = 2029\n  feeder_unplanned_factor = 0.2\n",
    );
    let variant = support::load(&variant);
    let n = 200;
    let (base, variant) = (Runs::new(&base, n), Runs::new(&variant, n));
    for rep in 0..n {
        let (b, v) = (base.get(rep), variant.get(rep));
        for y in 2025..=2032 {
            for national in ["outage_unplanned_hours", "outage_planned_hours"] {
                assert_eq!(
                    b.get(national, "national", y).to_bits(),
                    v.get(national, "national", y).to_bits(),
                    "{national}, replication {rep}, {y}"
                );
            }
            let hu = b.get("outage_unplanned_hours", "national", y);
            let hp = b.get("outage_planned_hours", "national", y);
            assert!(hu > 0.0);
            let (east_base, east) = (
                b.get("outage_hours", "east", y),
                v.get("outage_hours", "east", y),
            );
            close(east_base, hu + hp);
            if y < 2029 {
                assert_eq!(east.to_bits(), east_base.to_bits(), "{rep}, {y}");
            } else {
                close(east, 0.2 * hu + hp);
                assert!(east < east_base, "{rep}, {y}");
            }
            assert_eq!(
                b.get("outage_hours", "west", y).to_bits(),
                v.get("outage_hours", "west", y).to_bits()
            );
        }
    }
}

#[test]
fn captive_energy_is_priced_at_the_lcoe_averaged_by_average_mw() {
    // Two captive plants: 40 MW x 0.5 = 20 MW at 40 USD/MWh from 2025 and
    // 20 MW x 0.5 = 10 MW at 100 USD/MWh from 2026 (planned 2026, no
    // delay): lcoe_c = 40 in 2025, (20 x 40 + 10 x 100) / 30 = 60 after.
    let second = "\n[[energy_projects]]\nname = \"diesel\"\nzone = \"a\"\nkind = \"captive\"\ncapacity_mw = 20\ncapacity_factor = 0.5\nzone_share = 1\nplanned_year = 2026\nlcoe = 100\n";
    let r = run_one(
        &load(&hand(&[], &(captive(40.0, "lcoe = 40\n") + second))),
        0,
        true,
    );
    for y in YEARS {
        let served = r.get("energy_demand", "a", y) * r.get("served_share", "a", y);
        let (captive_mw, lcoe) = if y >= 2026 {
            (30.0, 60.0)
        } else {
            (20.0, 40.0)
        };
        let captive_mwh = served.min(8760.0 * captive_mw);
        close(
            r.get("energy_cost", "a", y),
            ((served - captive_mwh) * 100.0 + captive_mwh * lcoe) / 1e6,
        );
    }
}

#[test]
fn backup_fills_the_load_above_the_connection_and_rides_through_outages() {
    // LF = 1, P = 100 MW against a connection of 80 MW and backup of 30:
    // Kc = 110 >= P, so S(Kc) = 0; over = S(80) = 8760 x 20 MWh goes to
    // backup. kappa = 30 / P, phi = exp(-0.1 (1 - kappa)) for one hour a
    // day; backup = min(Qs, 8760 x 30, over + min(30, Q / 8760) x 365 x 1).
    let r = run_one(
        &load(&hand(
            &[("grid_mw = 200", "grid_mw = 80")],
            "  [zones.energy]\n  backup_mw = 30\n",
        )),
        0,
        true,
    );
    for y in YEARS {
        let q = r.get("energy_demand", "a", y);
        let peak = q / 8760.0;
        let phi = (-0.1 * (1.0 - 30.0 / peak)).exp();
        close(r.get("served_share", "a", y), phi);
        let over = q - 8760.0 * 80.0;
        let backup = (q * phi).min(8760.0 * 30.0).min(over + 30.0 * 365.0);
        close(r.get("backup_energy", "a", y), backup);
        close(backup, 8760.0 * 20.0 + 30.0 * 365.0);
    }
}

#[test]
fn outage_hours_are_capped_at_the_day() {
    // mu = 20, mp = 10 hours a day: hu = 20, hp = min(24 - 20, 10) = 4, and
    // the grid is never available.
    let r = run_one(
        &load(&hand(
            &[
                ("outage_unplanned_hours = 1", "outage_unplanned_hours = 20"),
                ("outage_planned_hours = 0", "outage_planned_hours = 10"),
            ],
            "",
        )),
        0,
        true,
    );
    for y in YEARS {
        close(r.get("outage_unplanned_hours", "national", y), 20.0);
        close(r.get("outage_planned_hours", "national", y), 4.0);
        close(r.get("grid_availability", "national", y), 0.0);
        close(
            r.get("served_share", "a", y),
            (-(0.1 * 20.0 + 0.05 * 4.0f64)).exp(),
        );
    }
}

#[test]
fn national_outage_hours_are_lognormal_around_their_medians() {
    // hu = mu e^(su xi_u), hp = mp e^(sp xi_p) with independent standard
    // normals: ln hu has mean ln 2 and sd 0.5, ln hp mean 0 and sd 0.3
    // (the cap at 24 hours almost never binds here). n = 4,000 replications
    // (seed 1); each check within 4 standard errors: the mean's SE is
    // sd / sqrt(n), the sd's about sd / sqrt(2 n), a correlation's
    // 1 / sqrt(n).
    let s = load(&hand(
        &[
            ("outage_unplanned_hours = 1", "outage_unplanned_hours = 2"),
            ("outage_unplanned_logsd = 0", "outage_unplanned_logsd = 0.5"),
            ("outage_planned_hours = 0", "outage_planned_hours = 1"),
            ("outage_planned_logsd = 0", "outage_planned_logsd = 0.3"),
        ],
        "",
    ));
    let n = 4000;
    let runs = Runs::new(&s, n);
    let (mut lu, mut lp, mut lu_next) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..n {
        let r = runs.get(rep);
        lu.push(r.get("outage_unplanned_hours", "national", 2025).ln());
        lp.push(r.get("outage_planned_hours", "national", 2025).ln());
        lu_next.push(r.get("outage_unplanned_hours", "national", 2026).ln());
    }
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let sd = |x: &[f64]| {
        let m = mean(x);
        (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
    };
    let corr = |x: &[f64], y: &[f64]| {
        let (mx, my) = (mean(x), mean(y));
        let c: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        c / ((x.len() - 1) as f64 * sd(x) * sd(y))
    };
    let n = n as f64;
    for (x, median, logsd) in [(&lu, 2.0f64, 0.5), (&lp, 1.0, 0.3), (&lu_next, 2.0, 0.5)] {
        assert!(
            (mean(x) - median.ln()).abs() < 4.0 * logsd / n.sqrt(),
            "mean {}",
            mean(x)
        );
        assert!(
            (sd(x) - logsd).abs() < 4.0 * logsd / (2.0 * n).sqrt(),
            "sd {}",
            sd(x)
        );
    }
    // The two streams, and two years of one stream, are independent.
    assert!(corr(&lu, &lp).abs() < 4.0 / n.sqrt());
    assert!(corr(&lu, &lu_next).abs() < 4.0 / n.sqrt());
}

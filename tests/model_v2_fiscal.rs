//! Model version 2: tax holidays by enterprise and a sunset, what policies
//! cost, parameters shared by every zone (`scope = "common"`) and zones
//! that fail (docs/model.md). Hand calculations run the one-zone scenario
//! of `support::v2` in deterministic mode; the statistical tests state
//! their seed, standard error and tolerance.

mod support;

use std::path::Path;

use support::v2::{close, hand, load};
use support::{Runs, run_one};

/// The hand zone over ten years (2025-2034) with a holiday of `holiday`
/// years by `basis`, no outages (phi = 1), depreciation 10%, K_0 =
/// `initial`, and `global` added to `[global]`; `tail` is appended.
fn holidays(basis: &str, holiday: u32, initial: f64, global: &str, tail: &str) -> String {
    hand(
        &[
            ("years = 4", "years = 10"),
            ("outage_unplanned_hours = 1", "outage_unplanned_hours = 0"),
            (
                "port_capacity_teu = 1e9",
                &format!("port_capacity_teu = 1e9\n{global}"),
            ),
            (
                "initial_capital = 100",
                &format!("initial_capital = {initial}"),
            ),
            ("depreciation = 0", "depreciation = 0.1"),
            (
                "tax_holiday_years = 0",
                &format!("tax_holiday_years = {holiday}"),
            ),
        ],
        &format!("  [zones.fiscal]\n  holiday_basis = \"{basis}\"\n{tail}"),
    )
}

/// A committed investment of 50 in 2026 (realised for sure): capital of
/// vintage 2027.
const VINTAGE_2027: &str =
    "\n[[committed_investments]]\nzone = \"a\"\nyear = 2026\namount = 50\nprobability = 1\n";

const DECADE: std::ops::RangeInclusive<i32> = 2025..=2034;

/// tax = tax_rate x margin x Y x taxable = 0.2 x 0.1 x Y x taxable.
fn tax(r: &support::Run, y: i32, taxable: f64) -> f64 {
    0.2 * 0.1 * r.get("output", "a", y) * taxable
}

#[test]
fn a_vintage_pays_no_tax_before_its_holiday_ends_and_a_zone_by_its_age() {
    // The only capital is the investment of 2026, vintage v = 2027. By
    // enterprise (H = 5) it pays from v + 5 = 2032; by zone (opened 2025)
    // from age 5, 2030.
    let enterprise = run_one(
        &load(&holidays("enterprise", 5, 0.0, "", VINTAGE_2027)),
        0,
        true,
    );
    let zone = run_one(&load(&holidays("zone", 5, 0.0, "", VINTAGE_2027)), 0, true);
    for y in DECADE {
        let producing = y >= 2027;
        assert_eq!(enterprise.get("output", "a", y) > 0.0, producing, "{y}");
        let taxed = if y >= 2032 { 1.0 } else { 0.0 };
        close(
            enterprise.get("tax_revenue", "a", y),
            tax(&enterprise, y, taxed),
        );
        let taxed = if y >= 2030 { 1.0 } else { 0.0 };
        close(zone.get("tax_revenue", "a", y), tax(&zone, y, taxed));
    }
    assert!(enterprise.get("tax_revenue", "a", 2032) > 0.0);
    assert!(zone.get("tax_revenue", "a", 2030) > 0.0);
}

#[test]
fn the_taxable_share_is_the_capital_past_its_holiday() {
    // K_0 = 100 of vintage 2025 (the opening year) and 50 of vintage 2027,
    // both depreciating at 10%: taxable_y = 100 x 0.9^(y - 2025) / K_y
    // while only the first is past its 5 years (2030, 2031), 1 from 2032.
    let r = run_one(
        &load(&holidays("enterprise", 5, 100.0, "", VINTAGE_2027)),
        0,
        true,
    );
    for y in DECADE {
        let first = 100.0 * 0.9f64.powi(y - 2025);
        let second = if y >= 2027 {
            50.0 * 0.9f64.powi(y - 2027)
        } else {
            0.0
        };
        close(r.get("capital", "a", y), first + second);
        let taxable = match y {
            ..2030 => 0.0,
            2030 | 2031 => first / (first + second),
            _ => 1.0,
        };
        close(r.get("tax_revenue", "a", y), tax(&r, y, taxable));
    }
}

#[test]
fn a_sunset_makes_every_vintage_taxable_from_its_year() {
    // Sunset 2029: no holiday in any year >= 2029, by enterprise or zone.
    for basis in ["enterprise", "zone"] {
        let r = run_one(
            &load(&holidays(
                basis,
                5,
                100.0,
                "holiday_sunset_year = 2029",
                VINTAGE_2027,
            )),
            0,
            true,
        );
        for y in DECADE {
            let taxable = if y >= 2029 { 1.0 } else { 0.0 };
            close(r.get("tax_revenue", "a", y), tax(&r, y, taxable));
        }
    }
}

/// Diffusion entry at bass_p = 0.1 with an incentive uplift of 1 (entry
/// doubles during a holiday of H = 4) and no depreciation:
/// I_y = U_y x 0.1 x (Kmax - K_y), Kmax = 1000.
fn uplift_run(basis: &str, holiday: u32, global: &str) -> support::Run {
    let text =
        holidays(basis, holiday, 100.0, global, "").replace("bass_p = 0\n", "bass_p = 0.1\n");
    let text = text
        .replace("depreciation = 0.1", "depreciation = 0")
        .replace("incentive_uplift = 0", "incentive_uplift = 1");
    run_one(&load(&text), 0, true)
}

#[track_caller]
fn check_uplift(r: &support::Run, uplift: impl Fn(i32) -> f64) {
    for y in DECADE {
        let room = 1000.0 - r.get("capital", "a", y);
        close(r.get("investment", "a", y), uplift(y) * 0.1 * room);
    }
}

#[test]
fn the_uplift_fades_with_the_holiday_years_left_before_the_sunset() {
    // By enterprise, U_y = 1 + uplift x min(H, max(0, sunset - y - 1)) / H:
    // with H = 4 and sunset 2028, 1.5 in 2025, 1.25 in 2026, then 1.
    let r = uplift_run("enterprise", 4, "holiday_sunset_year = 2028");
    check_uplift(&r, |y| {
        1.0 + (4.0f64).min((2028.0 - y as f64 - 1.0).max(0.0)) / 4.0
    });
    close(r.get("investment", "a", 2025), 1.5 * 0.1 * 900.0);
    // Without a sunset every entrant gets the whole holiday, whatever the
    // zone's age.
    check_uplift(&uplift_run("enterprise", 4, ""), |_| 2.0);
    // No holiday, no uplift.
    check_uplift(
        &uplift_run("enterprise", 0, "holiday_sunset_year = 2028"),
        |_| 1.0,
    );
    // By zone: the whole uplift while 0 <= age < H and y < sunset.
    check_uplift(
        &uplift_run("zone", 4, ""),
        |y| if y < 2029 { 2.0 } else { 1.0 },
    );
    check_uplift(&uplift_run("zone", 4, "holiday_sunset_year = 2027"), |y| {
        if y < 2027 { 2.0 } else { 1.0 }
    });
}

/// The hand zone with a public cost of 2 a year, local content 0.5 (so
/// supplier jobs count) and, if `levers`, 200 trainees at USD 1,500 each,
/// a feeder from `feeder_year` (capex 4, O&M 0.5) and tariff relief of 20
/// USD/MWh half paid by the budget.
fn policies(levers: bool, feeder_year: i32) -> String {
    let zone = if levers {
        format!(
            "  [zones.workforce]\n  training_cost = 1500\n  [zones.energy]\n  feeder_year = {feeder_year}\n  feeder_capex = 4\n  feeder_om = 0.5\n  tariff_relief = 20\n  relief_budget_share = 0.5\n  [zones.fiscal]\n  public_cost = 2\n"
        )
    } else {
        "  [zones.fiscal]\n  public_cost = 2\n".to_string()
    };
    hand(
        &[
            ("trainees_per_year = 0", "trainees_per_year = 200"),
            ("local_content_initial = 0", "local_content_initial = 0.5"),
            ("local_content_target = 0", "local_content_target = 0.5"),
        ],
        &zone,
    )
}

#[test]
fn policy_cost_sums_training_feeder_and_relief_and_the_fiscal_npv_pays_it() {
    for feeder_year in [2026, 2020] {
        let r = run_one(&load(&policies(true, feeder_year)), 0, true);
        let without = run_one(&load(&policies(false, feeder_year)), 0, true);
        let (mut npv, mut cost_pv, mut policy_pv, mut job_years) = (0.0, 0.0, 0.0, 0.0);
        for (t, y) in (2025..=2028).enumerate() {
            // Eg = Qs: no backup, no captive plant.
            let grid_mwh = r.get("energy_demand", "a", y) * r.get("served_share", "a", y);
            // A feeder before the start exists already: O&M, no capex.
            let feeder = match y {
                _ if y < feeder_year => 0.0,
                _ if y == feeder_year => 4.5,
                _ => 0.5,
            };
            let policy = 200.0 * 1500.0 / 1e6 + feeder + 20.0 * grid_mwh * 0.5 / 1e6;
            close(r.get("policy_cost", "a", y), policy);
            close(r.get("policy_cost", "total", y), policy);
            close(without.get("policy_cost", "a", y), 0.0);
            // The levers change nothing else the budget sees (no energy-cost
            // reference: relief does not touch margins).
            assert_eq!(
                r.get("tax_revenue", "a", y),
                without.get("tax_revenue", "a", y)
            );
            let discount = 1.1f64.powi(t as i32);
            npv += (r.get("tax_revenue", "total", y) - 2.0 - policy) / discount;
            cost_pv += (2.0 + policy) / discount;
            policy_pv += policy / discount;
            job_years += r.get("employment", "total", y) + r.get("supplier_jobs", "total", y);
        }
        close(r.scalar("fiscal_npv"), npv);
        close(
            r.scalar("fiscal_npv"),
            without.scalar("fiscal_npv") - policy_pv,
        );
        close(r.scalar("public_cost_pv"), cost_pv);
        close(
            r.scalar("public_cost_pv"),
            without.scalar("public_cost_pv") + policy_pv,
        );
        close(r.scalar("job_years"), job_years);
        assert!(r.get("supplier_jobs", "total", 2025) > 0.0);
    }
}

/// [`HAND`](support::v2::HAND) with a second zone `b`, 1,000 trainees a
/// year per zone and `training` as the defaults' training cost; `tail`
/// after zone `b`.
fn two_zones(training: &str, tail: &str) -> String {
    hand(
        &[
            ("trainees_per_year = 0", "trainees_per_year = 1000"),
            (
                "retention_rate = 1\n",
                &format!("retention_rate = 1\ntraining_cost = {training}\n"),
            ),
        ],
        &format!("\n[[zones]]\nid = \"b\"\nname = \"B\"\nopens_year = 2025\n{tail}"),
    )
}

const COMMON: &str = "{ dist = \"uniform\", min = 1000, max = 2000, scope = \"common\" }";

#[test]
fn a_common_parameter_is_one_draw_seen_by_every_zone_that_inherits_it() {
    // policy_cost = 1000 trainees x training_cost / 1e6 reveals each zone's
    // training cost. Zone c sets its own and keeps its own draw and path.
    let own = "\n[[zones]]\nid = \"c\"\nname = \"C\"\nopens_year = 2025\n  [zones.workforce]\n  training_cost = { dist = \"uniform\", min = 1000, max = 2000 }\n";
    let s = load(&two_zones(COMMON, own));
    let runs = Runs::new(&s, 50);
    let first = runs.get(0);
    let inputs = &first.layout.inputs;
    assert_eq!(
        inputs,
        &[
            "zone_defaults.workforce.training_cost",
            "zones.c.workforce.training_cost"
        ],
        "the inheriting zones have no path of their own"
    );
    let mut differs = 0;
    for rep in 0..50 {
        let r = runs.get(rep);
        let common = r.input("zone_defaults.workforce.training_cost");
        assert!((1000.0..=2000.0).contains(&common));
        for y in 2025..=2028 {
            close(r.get("policy_cost", "a", y), common / 1000.0);
            close(r.get("policy_cost", "b", y), common / 1000.0);
            close(
                r.get("policy_cost", "c", y),
                r.input("zones.c.workforce.training_cost") / 1000.0,
            );
        }
        differs += usize::from(r.get("policy_cost", "c", 2025) != common / 1000.0);
    }
    assert_eq!(differs, 50);
    // Zone scope (the default): each zone draws its own.
    let s = load(&two_zones(
        "{ dist = \"uniform\", min = 1000, max = 2000, scope = \"zone\" }",
        "",
    ));
    let r = Runs::new(&s, 1).get(0);
    assert_eq!(
        r.layout.inputs,
        [
            "zones.a.workforce.training_cost",
            "zones.b.workforce.training_cost"
        ]
    );
    assert_ne!(
        r.get("policy_cost", "a", 2025),
        r.get("policy_cost", "b", 2025)
    );
}

/// `sezsim sample SCENARIO -n N` as (header, columns by header).
fn sample(scenario: &Path, n: u64) -> Vec<(String, Vec<String>)> {
    let out = support::ok(
        assert_cmd::Command::cargo_bin("sezsim")
            .unwrap()
            .args(["sample", "-n", &n.to_string()])
            .arg(scenario),
    );
    let mut lines = out.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut columns = vec![Vec::new(); header.len()];
    for line in lines {
        for (c, cell) in line.split(',').enumerate() {
            columns[c].push(cell.to_string());
        }
    }
    header.into_iter().zip(columns).collect()
}

fn column<'a>(sample: &'a [(String, Vec<String>)], path: &str) -> &'a [String] {
    &sample
        .iter()
        .find(|(h, _)| h == path)
        .unwrap_or_else(|| panic!("no column {path}"))
        .1
}

const FISCAL: &str = "tests/fixtures/v2/fiscal.toml";

#[test]
fn a_common_parameter_has_one_column_and_hits_its_rank_correlation() {
    // fiscal.toml: tfp_growth is common, correlated (Spearman 0.5) with
    // east's output_capital_ratio. At n = 20,000 the standard error of a
    // Spearman estimate is about (1 - rho^2) / sqrt(n) = 0.75 / 141 =
    // 0.0053, so 0.02 is almost four standard errors.
    let n = 20_000;
    let s = sample(Path::new(FISCAL), n);
    let paths: Vec<&str> = s.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("production.tfp_growth"))
            .collect::<Vec<_>>(),
        [&"zone_defaults.production.tfp_growth"]
    );
    let numbers = |path| -> Vec<f64> {
        column(&s, path)
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let common = numbers("zone_defaults.production.tfp_growth");
    let east = numbers("zones.east.production.output_capital_ratio");
    assert_eq!(common.len(), n as usize);
    let rho = sezsim::output::charts::tornado::spearman(&common, &east);
    assert!((rho - 0.5).abs() < 0.02, "Spearman {rho}, target 0.5");
    // West's ratio is not correlated with it.
    let west = numbers("zones.west.production.output_capital_ratio");
    let rho = sezsim::output::charts::tornado::spearman(&common, &west);
    assert!(rho.abs() < 0.03, "Spearman {rho}, target 0");
}

#[test]
fn switching_a_parameter_to_common_scope_leaves_every_other_draw_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let variant = support::extending(
        dir.path(),
        "common.toml",
        FISCAL,
        "[zone_defaults.workforce]\ntraining_cost = { dist = \"uniform\", min = 800, max = 1500, scope = \"common\" }\n",
    );
    let n = 2_000;
    let base = sample(Path::new(FISCAL), n);
    let common = sample(&variant, n);
    let training = |path: &str| path.ends_with("workforce.training_cost");
    let base_other: Vec<_> = base.iter().filter(|(h, _)| !training(h)).collect();
    let common_other: Vec<_> = common.iter().filter(|(h, _)| !training(h)).collect();
    assert_eq!(base_other.len(), common_other.len());
    for ((hb, b), (hc, c)) in base_other.iter().zip(&common_other) {
        assert_eq!(hb, hc);
        assert!(b == c, "column {hb} changed");
    }
    let training_columns = |s: &[(String, Vec<String>)]| -> Vec<String> {
        s.iter()
            .map(|(h, _)| h.clone())
            .filter(|h| training(h))
            .collect()
    };
    assert_eq!(
        training_columns(&base),
        [
            "zones.east.workforce.training_cost",
            "zones.west.workforce.training_cost"
        ]
    );
    assert_eq!(
        training_columns(&common),
        ["zone_defaults.workforce.training_cost"]
    );
}

/// The hand zone (no outages) over ten years, opening empty of diffusion
/// capital: K_0 = 10, entry bass_p = 0.05 and uncertain bass_q, demand
/// shocks, 5% depreciation; viability p_v = 0.7 with a non-viable factor
/// of `nonviable`.
fn viability(nonviable: f64) -> String {
    hand(
        &[
            ("years = 4", "years = 10"),
            ("seed = 1", "seed = 20250711"),
            ("outage_unplanned_hours = 1", "outage_unplanned_hours = 0"),
            ("demand_volatility = 0", "demand_volatility = 0.1"),
            ("initial_capital = 100", "initial_capital = 10"),
            ("bass_p = 0", "bass_p = 0.05"),
            (
                "bass_q = 0",
                "bass_q = { dist = \"uniform\", min = 0.3, max = 0.5 }",
            ),
            ("depreciation = 0", "depreciation = 0.05"),
            ("demand_sensitivity = 0", "demand_sensitivity = 1"),
            (
                "fdi_share = 0",
                &format!(
                    "fdi_share = 0\nviability_probability = 0.7\nnonviable_factor = {nonviable}"
                ),
            ),
        ],
        "",
    )
}

#[test]
fn a_zone_with_viability_0_7_fails_in_three_replications_of_ten() {
    // n = 100,000, seed 20250711. A non-viable zone with f = 0 gets no
    // diffusion entry: its capital is K_0 x 0.95^9 in 2034, exactly. The
    // share of such replications is 0.3 within 4 standard errors,
    // SE = sqrt(0.3 x 0.7 / n) = 0.00145.
    let n: u64 = 100_000;
    let runs = Runs::new(&load(&viability(0.0)), n);
    let failed_level = 10.0 * 0.95f64.powi(9);
    let deterministic_viable = {
        let text =
            viability(0.0).replace("viability_probability = 0.7", "viability_probability = 1");
        run_one(&load(&text), 0, true).get("capital", "a", 2034)
    };
    let (mut failed, mut between) = (0u64, 0u64);
    for rep in 0..n {
        let k = runs.get(rep).get("capital", "a", 2034);
        if (k - failed_level).abs() <= 1e-9 * failed_level {
            failed += 1;
        } else if k < 0.5 * deterministic_viable {
            between += 1;
        }
    }
    let share = failed as f64 / n as f64;
    let se = (0.3f64 * 0.7 / n as f64).sqrt();
    assert!((share - 0.3).abs() < 4.0 * se, "non-viable share {share}");
    // Bimodal: the rest sit near the viable level; hardly any between.
    assert!(
        (between as f64) < 0.001 * n as f64,
        "{between} replications between the modes (viable level {deterministic_viable}, failed {failed_level})"
    );
}

#[test]
fn viability_in_deterministic_mode_is_its_mean_multiplier() {
    // viab = p_v + (1 - p_v) f = 0.7 + 0.3 x 0.2 = 0.76 on M: the first
    // year's entry is 0.76 x (0.05 + 0.4 x 0.01) x (1 - 0.01) x 1000 at
    // bass_q's mean 0.4 and F = 10 / 1000.
    let r = run_one(&load(&viability(0.2)), 0, true);
    close(
        r.get("investment", "a", 2025),
        0.76 * (0.05 + 0.4 * 0.01) * 0.99 * 1000.0,
    );
}

#[test]
fn committed_investments_still_reach_a_zone_that_is_not_viable() {
    // p_v = 0: never viable; f = 0: no diffusion entry; the committed 50 of
    // 2026 arrives all the same.
    let text = viability(0.0).replace("viability_probability = 0.7", "viability_probability = 0")
        + "\n[[committed_investments]]\nzone = \"a\"\nyear = 2026\namount = 50\nprobability = 1\n";
    let runs = Runs::new(&load(&text), 20);
    for rep in 0..20 {
        let r = runs.get(rep);
        close(r.get("investment", "a", 2025), 0.0);
        close(r.get("investment", "a", 2026), 50.0);
        close(r.get("investment", "a", 2027), 0.0);
    }
}

#[test]
fn raising_the_viability_probability_only_saves_zones() {
    // Common random numbers: zone a is viable when u < p_v with u from its
    // own stream, so every replication viable at p_v = 0.5 is viable at
    // 0.7, and the other draws (bass_q, demand) are unchanged: a viable
    // replication has the same capital under both.
    let n = 2_000;
    let failed_level = 10.0 * 0.95f64.powi(9);
    let at = |p: &str| {
        let text = viability(0.0).replace(
            "viability_probability = 0.7",
            &format!("viability_probability = {p}"),
        );
        let runs = Runs::new(&load(&text), n);
        (0..n)
            .map(|rep| runs.get(rep).get("capital", "a", 2034))
            .collect::<Vec<f64>>()
    };
    let (low, high) = (at("0.5"), at("0.7"));
    let failed = |k: f64| (k - failed_level).abs() <= 1e-9 * failed_level;
    let mut saved = 0;
    for (a, b) in low.iter().zip(&high) {
        if !failed(*a) {
            assert_eq!(a.to_bits(), b.to_bits(), "a viable replication changed");
        } else if !failed(*b) {
            saved += 1;
        }
    }
    // About 0.2 n replications are saved: SE = sqrt(0.2 x 0.8 / n) = 0.009.
    let share = saved as f64 / n as f64;
    assert!(
        (share - 0.2).abs() < 4.0 * (0.16f64 / n as f64).sqrt(),
        "{share}"
    );
}

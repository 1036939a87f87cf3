//! Deterministic mode against values computed by hand (MODEL.md). Each test
//! uses a tiny scenario whose arithmetic is written out in the comments.

mod support;

use support::{load, run_one, scenario_dir};

const IO: &str = "sector,goods,jobs_per_musd\ngoods,0.2,10\n";

/// One zone, four years from 2025, chosen so the arithmetic stays short:
/// Kmax = 100 x 1 x 1 = 100, K_0 = 10, no depreciation, alpha = 0.5,
/// A_0 = 1 x (0.01 / (1 - 0.2 + 2 x 0.2))^0.5 = sqrt(0.01 / 1.2).
fn hand_scenario(zone_extra: &str, global_extra: &str, tail: &str) -> String {
    format!(
        r#"[scenario]
name = "hand"
start_year = 2025
years = 4
replications = 1
seed = 1
discount_rate = 0.1

[model]
kind = "sez"

[global]
grid_availability = 0.5
grid_availability_logit_sd = 0
demand_persistence = 0
demand_volatility = 0
regulatory_shock_probability = 0
regulatory_shock_cut = 0.5
regulatory_shock_years = 2
port_capacity_teu = 1e9
{global_extra}

[io]
coefficients = "io.csv"

[zone_defaults.investment]
area_ha = 100
developable_share = 1
capital_per_ha = 1
initial_capital = 10
bass_p = 0.1
bass_q = 0.5
depreciation = 0
incentive_uplift = 0
tax_holiday_years = 2
energy_sensitivity = 1
skill_sensitivity = 1
demand_sensitivity = 1
fdi_share = 0.5

[zone_defaults.workforce]
capital_per_worker = 0.01
skilled_share = 0.2
skill_efficiency = 2
skilled_pool_initial = 100
unskilled_pool = 1000000
attrition = 0
trainees_per_year = 0
completion_rate = 1
retention_rate = 1

[zone_defaults.production]
alpha = 0.5
output_capital_ratio = 1
va_share = 0.5
tfp_growth = 0
tfp_spillover = 0
tfp_volatility = 0

[zone_defaults.energy]
energy_intensity = 100
grid_mw = 10

[zone_defaults.exports]
export_share = 0.5
teu_per_musd = 10

[zone_defaults.linkages]
sourcing = {{ goods = 1 }}
local_content_initial = 0.5
local_content_target = 0.5
local_content_speed = 0

[zone_defaults.fiscal]
tax_rate = 0.2
profit_margin = 0.1

[[zones]]
id = "a"
name = "A"
opens_year = 2025
{zone_extra}
{tail}
"#
    )
}

fn close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol,
        "got {actual}, expected {expected}"
    );
}

fn a0() -> f64 {
    (0.01f64 / 1.2).sqrt()
}

#[test]
fn skills_bind_and_feed_back_into_entry() {
    let (_d, path) = scenario_dir(&hand_scenario("", "", ""), &[("io.csv", IO)]);
    let r = run_one(&load(&path), 0, true);

    // 2025: K = 10, F = 0.1, opened, age 0 < holiday 2 (uplift 0), M = 1.
    // Idiff = 1 x (0.1 + 0.5 x 0.1) x (1 - 0.1) x 100 = 13.5; room = 90.
    close(r.get("investment", "a", 2025), 13.5);
    close(r.get("capital", "a", 2025), 10.0);
    close(r.get("buildout", "a", 2025), 0.1);
    // N = 10 / 0.01 = 1000: Ns = 200 but the pool holds 100, so skills bind.
    // Es = 100, Eu = 800, skill gap 100, fs = 0.5.
    close(r.get("skilled_employment", "a", 2025), 100.0);
    close(r.get("employment", "a", 2025), 900.0);
    close(r.get("skill_gap", "a", 2025), 100.0);
    // H = 800 + 2 x 100 = 1000; Ypot = A0 x 10^0.5 x 1000^0.5 = 100 A0.
    let y0 = 100.0 * a0();
    close(r.get("output", "a", 2025), y0);
    close(r.get("value_added", "a", 2025), 0.5 * y0);
    // Energy: Q = 100 y0 (about 913 MWh) << grid 8760 x 0.5 x 10: served 1.
    close(r.get("energy_demand", "a", 2025), 100.0 * y0);
    close(r.get("served_share", "a", 2025), 1.0);
    // Exports x = min(1, 0.5 x 1) = 0.5 of output; no port constraint.
    close(r.get("exports", "a", 2025), 0.5 * y0);
    // m = (1 - 0.5) x y0 x 0.5; L = 1 / (1 - 0.2) = 1.25: O = 1.25 m, J = 10 x 1.25 m.
    close(r.get("supplier_output", "a", 2025), 1.25 * 0.25 * y0);
    close(r.get("supplier_jobs", "a", 2025), 12.5 * 0.25 * y0);
    // Tax holiday (age 0 < 2): no tax. chi_0 = fdi_share = 0.5.
    close(r.get("tax_revenue", "a", 2025), 0.0);
    close(r.get("foreign_share", "a", 2025), 0.5);

    // 2026: K = 23.5, F = 0.235; M = fs_2025 = 0.5 (phi = d = 1).
    // Idiff = 0.5 x (0.1 + 0.5 x 0.235) x (1 - 0.235) x 100 = 8.319375.
    close(r.get("capital", "a", 2026), 23.5);
    close(
        r.get("investment", "a", 2026),
        0.5 * (0.1 + 0.5 * 0.235) * 0.765 * 100.0,
    );
    // Kf_1 = 0.5 x 10 + 1 x 0.5 x 13.5 = 11.75: chi = 11.75 / 23.5 = 0.5.
    close(r.get("foreign_share", "a", 2026), 0.5);
    // Es = 100 (pool still 100: no trainees, no attrition), Eu = 1880:
    // Ypot = A0 x sqrt(23.5 x (1880 + 200)).
    close(r.get("output", "a", 2026), a0() * (23.5f64 * 2080.0).sqrt());

    // 2027: age 2 >= holiday: tax = 0.2 x 0.1 x Y.
    let k2 = 23.5 + 0.5 * (0.1 + 0.5 * 0.235) * 0.765 * 100.0;
    close(r.get("capital", "a", 2027), k2);
    let y2 = a0() * (k2 * (k2 * 80.0 + 200.0)).sqrt(); // Eu = 0.8 x 100 K, Es = 100
    close(r.get("output", "a", 2027), y2);
    close(r.get("tax_revenue", "a", 2027), 0.02 * y2);

    // Fiscal NPV: taxes in 2027 and 2028 discounted at 10%; no public cost.
    let npv = 0.02 * y2 / 1.1f64.powi(2) + r.get("tax_revenue", "a", 2028) / 1.1f64.powi(3);
    close(r.scalar("fiscal_npv"), npv);
    close(r.get("tfp_index", "a", 2028), 1.0);
}

#[test]
fn energy_binds_with_backup() {
    // Grid 0.1 MW at availability 0.5: G = 8760 x 0.5 x 0.1 = 438 MWh.
    // Backup 0.02 MW at availability 1: B = 8760 x 0.02 = 175.2 MWh.
    let t = hand_scenario("", "", "").replace("grid_mw = 10", "grid_mw = 0.1\nbackup_mw = 0.02");
    let (_d, path) = scenario_dir(&t, &[("io.csv", IO)]);
    let r = run_one(&load(&path), 0, true);
    // 2025: Ypot = 100 A0 (see the skills test), Q = 100 x Ypot = 912.87 MWh.
    let potential = 100.0 * a0();
    let q = 100.0 * potential;
    close(r.get("energy_demand", "a", 2025), q);
    // backup = min(175.2, Q - 438); served = min(Q, 438 + 175.2) = 613.2.
    close(r.get("backup_energy", "a", 2025), 175.2);
    let phi = 613.2 / q;
    close(r.get("served_share", "a", 2025), phi);
    close(r.get("output", "a", 2025), potential * phi);
    close(r.get("served_share", "total", 2025), phi);
    // The shortfall deters entry next year: M_2026 = phi^1 x fs^1 = phi x 0.5.
    close(
        r.get("investment", "a", 2026),
        phi * 0.5 * (0.1 + 0.5 * 0.235) * 0.765 * 100.0,
    );
}

#[test]
fn delayed_project_comes_online_in_its_floored_year() {
    // Planned 2026, delay 1.5 (at its mean in deterministic mode) -> online
    // 2026 + floor(1.5) = 2027. 1 MW x capacity factor 1 x share 1.
    let project = r#"
[[energy_projects]]
name = "plant"
zone = "a"
capacity_mw = 1
capacity_factor = 1
zone_share = 1
planned_year = 2026
delay = { dist = "uniform", min = 1, max = 2 }
"#;
    let t = hand_scenario("", "", project).replace("grid_mw = 10", "grid_mw = 0.1");
    let (_d, path) = scenario_dir(&t, &[("io.csv", IO)]);
    let r = run_one(&load(&path), 0, true);
    // Served energy = min(Q, 8760 x 0.5 x MW online), no backup.
    let served = |y: i32| r.get("served_share", "a", y) * r.get("energy_demand", "a", y);
    close(served(2025), 438.0);
    close(served(2026), 438.0);
    // 2027: grid 0.1 + project 1 MW -> 8760 x 0.5 x 1.1 = 4818 MWh, above demand.
    assert!(r.get("energy_demand", "a", 2027) < 4818.0);
    close(r.get("served_share", "a", 2027), 1.0);
}

#[test]
fn port_binds_across_two_zones() {
    // Two identical zones; zone b opens in 2026 but has the same K_0, so in
    // 2025 both produce 100 A0 and want to export half: TEU = 2 x 10 x 50 A0.
    let zone_b = "\n[[zones]]\nid = \"b\"\nname = \"B\"\nopens_year = 2026\n";
    let t =
        hand_scenario("", "", zone_b).replace("port_capacity_teu = 1e9", "port_capacity_teu = 30");
    let (_d, path) = scenario_dir(&t, &[("io.csv", IO)]);
    let r = run_one(&load(&path), 0, true);
    let desired = 0.5 * 100.0 * a0(); // per zone, USD million
    let teu = 2.0 * 10.0 * desired; // 91.29 TEU against a capacity of 30
    let l = 30.0 / teu;
    close(r.get("logistics_factor", "national", 2025), l);
    close(r.get("exports", "a", 2025), l * desired);
    close(r.get("exports", "b", 2025), l * desired);
    close(r.get("exports", "total", 2025), 30.0 / 10.0);
    // Output is not reduced by the port, only exports.
    close(r.get("output", "total", 2025), 2.0 * 100.0 * a0());
    // Zone b has not opened in 2025: no investment, but its capital produces.
    close(r.get("investment", "b", 2025), 0.0);
}

#[test]
fn committed_investment_counts_at_amount_times_probability() {
    let committed = r#"
[[committed_investments]]
zone = "a"
year = 2025
amount = 20
probability = 0.5
foreign = true
"#;
    let (_d, path) = scenario_dir(&hand_scenario("", "", committed), &[("io.csv", IO)]);
    let r = run_one(&load(&path), 0, true);
    // I = min(13.5 + 0.5 x 20, room 90) = 23.5; Kf_1 = 5 + 0.5 x 13.5 + 10 = 21.75.
    close(r.get("investment", "a", 2025), 23.5);
    close(r.get("foreign_share", "a", 2026), 21.75 / 33.5);
}

#[test]
fn regulatory_shock_window_cuts_investment() {
    // Random mode, but every other source of randomness is switched off:
    // s_a = 0, sigma = 0, tfp_volatility = 0, every parameter fixed. With
    // p_reg = 1 an event starts every year, so the shock is always active
    // and investment is cut by half from the first year.
    let t = hand_scenario("", "", "").replace(
        "regulatory_shock_probability = 0",
        "regulatory_shock_probability = 1",
    );
    let (_d, path) = scenario_dir(&t, &[("io.csv", IO)]);
    let s = load(&path);
    let r = run_one(&s, 0, false);
    for y in 2025..=2028 {
        close(r.get("regulatory_shock", "national", y), 1.0);
    }
    close(r.get("investment", "a", 2025), 0.5 * 13.5);
    // Deterministic mode ignores the shock (MODEL.md).
    let d = run_one(&s, 0, true);
    close(d.get("regulatory_shock", "national", 2025), 0.0);
    close(d.get("investment", "a", 2025), 13.5);
}

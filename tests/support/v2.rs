//! A one-zone scenario in `power_mode = "hours"` for hand calculations of
//! model version 2, and the tolerance they are held to.
//!
//! Everything that moves is switched off (no diffusion entry, no
//! depreciation, no shocks, no TFP growth, no skilled jobs), so the zone
//! keeps its initial capital K = 100 and, with one worker per USD million
//! (A_0 = 1, alpha = 0.5), produces Ypot = K = 100 a year. With
//! energy_intensity = 8760 MWh per USD million, Q = 8760 x 100 MWh: a flat
//! load of P = 100 MW at load factor 1. Tests change the lines they need.

use std::path::Path;

use sezsim::scenario::Scenario;

/// The input-output table: one sector.
pub const IO: &str = "sector,goods,jobs_per_musd\ngoods,0.2,10\n";

/// The scenario; the zone comes last, so a test can append its own
/// `[zones.<section>]` tables and then other top-level tables.
pub const HAND: &str = r#"[scenario]
name = "hand_v2"
start_year = 2025
years = 4
replications = 1
seed = 1
discount_rate = 0.1

[model]
kind = "sez"

[global]
power_mode = "hours"
outage_unplanned_hours = 1
outage_unplanned_logsd = 0
outage_planned_hours = 0
outage_planned_logsd = 0
tariff = 100
demand_persistence = 0
demand_volatility = 0
regulatory_shock_probability = 0
regulatory_shock_cut = 0
regulatory_shock_years = 1
port_capacity_teu = 1e9

[io]
coefficients = "io.csv"

[zone_defaults.investment]
area_ha = 1000
developable_share = 1
capital_per_ha = 1
initial_capital = 100
bass_p = 0
bass_q = 0
depreciation = 0
incentive_uplift = 0
tax_holiday_years = 0
energy_sensitivity = 0
skill_sensitivity = 0
demand_sensitivity = 0
fdi_share = 0

[zone_defaults.workforce]
capital_per_worker = 1
skilled_share = 0
skill_efficiency = 1
skilled_pool_initial = 0
unskilled_pool = 1e8
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
energy_intensity = 8760
grid_mw = 200
outage_loss_unplanned = 0.1
outage_loss_planned = 0.05

[zone_defaults.exports]
export_share = 0.5
teu_per_musd = 0

[zone_defaults.linkages]
sourcing = { goods = 1 }
local_content_initial = 0
local_content_target = 0
local_content_speed = 0

[zone_defaults.fiscal]
tax_rate = 0.2
profit_margin = 0.1

[[zones]]
id = "a"
name = "A"
opens_year = 2025
"#;

/// [`HAND`] with each `(from, to)` replaced (each `from` must be there
/// once) and `tail` appended.
pub fn hand(edits: &[(&str, &str)], tail: &str) -> String {
    let mut text = HAND.to_string();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "{from:?} is not in HAND once"
        );
        text = text.replacen(from, to, 1);
    }
    text.push_str(tail);
    text
}

/// Load `text` written beside the input-output table.
pub fn load(text: &str) -> Scenario {
    let (_dir, path) = super::scenario_dir(text, &[("io.csv", IO)]);
    super::load(&path)
}

/// Load the scenario at `path`, written beside the input-output table.
pub fn load_in(dir: &Path, name: &str, text: &str) -> Scenario {
    std::fs::write(dir.join("io.csv"), IO).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    super::load(&path)
}

/// Hand calculations hold to 1e-12, relative (absolute near 0).
#[track_caller]
pub fn close(actual: f64, expected: f64) {
    let tol = 1e-12 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol,
        "got {actual}, expected {expected} (difference {})",
        actual - expected
    );
}

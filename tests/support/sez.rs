//! A SEZ scenario for tests, written from a table of every numeric key of
//! the model with its valid range (copied from docs/scenario-format.md) and
//! a typical value: tests set any key to any value and get the TOML.

use std::collections::BTreeMap;

/// Where a key is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    /// `[scenario]`.
    Scenario,
    /// `[global]`.
    Global,
    /// A zone section under `[zone_defaults.<section>]`.
    Zone(&'static str),
    /// The one `[[energy_projects]]` entry.
    Project,
    /// The one `[[committed_investments]]` entry.
    Committed,
    /// The `jobs_per_musd` column of the input-output table.
    Io,
}

/// A numeric key and its valid range. `tightened`: the range this change
/// bounded (so just beyond it must be refused).
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub place: Place,
    pub name: &'static str,
    pub lo: f64,
    pub hi: f64,
    pub tightened: bool,
    /// The typical value the other tests hold it at.
    pub typical: f64,
}

const fn key(place: Place, name: &'static str, lo: f64, hi: f64, typical: f64) -> Key {
    Key {
        place,
        name,
        lo,
        hi,
        tightened: false,
        typical,
    }
}

const fn bounded(place: Place, name: &'static str, lo: f64, hi: f64, typical: f64) -> Key {
    Key {
        place,
        name,
        lo,
        hi,
        tightened: true,
        typical,
    }
}

/// The smallest positive value: the limit of a range open at 0.
pub const TINY: f64 = f64::MIN_POSITIVE;
/// The largest `f64`: the limit of a range unbounded above.
pub const HUGE: f64 = f64::MAX;
/// The largest `f64` below 1: the limit of a range open at 1.
pub const ONE_BELOW: f64 = 1.0 - f64::EPSILON / 2.0;

use Place::*;

/// Every numeric key of the SEZ model but the integers (`years` and
/// `regulatory_shock_years` are drawn separately).
pub const KEYS: &[Key] = &[
    key(Scenario, "discount_rate", 0.0, 1.0, 0.08),
    key(Global, "grid_availability", TINY, ONE_BELOW, 0.85),
    key(Global, "grid_availability_logit_sd", 0.0, HUGE, 0.4),
    key(Global, "demand_persistence", -1.0, 1.0, 0.6),
    bounded(Global, "demand_volatility", 0.0, 1.0, 0.08),
    key(Global, "regulatory_shock_probability", 0.0, 1.0, 0.08),
    key(Global, "regulatory_shock_cut", 0.0, 1.0, 0.35),
    key(Global, "port_capacity_teu", 0.0, HUGE, 50_000.0),
    bounded(Zone("investment"), "area_ha", TINY, 1e6, 400.0),
    key(Zone("investment"), "opening_delay", 0.0, HUGE, 1.0),
    key(Zone("investment"), "developable_share", 0.0, 1.0, 0.7),
    bounded(Zone("investment"), "capital_per_ha", TINY, 1e4, 1.6),
    bounded(Zone("investment"), "initial_capital", 0.0, 1e10, 50.0),
    key(Zone("investment"), "bass_p", 0.0, 1.0, 0.03),
    bounded(Zone("investment"), "bass_q", 0.0, 10.0, 0.38),
    key(Zone("investment"), "depreciation", 0.0, 1.0, 0.05),
    bounded(Zone("investment"), "incentive_uplift", 0.0, 10.0, 0.1),
    key(Zone("investment"), "tax_holiday_years", 0.0, HUGE, 5.0),
    key(Zone("investment"), "energy_sensitivity", 0.0, HUGE, 2.0),
    key(Zone("investment"), "skill_sensitivity", 0.0, HUGE, 1.0),
    bounded(Zone("investment"), "demand_sensitivity", -3.0, 3.0, 1.0),
    key(Zone("investment"), "fdi_share", 0.0, 1.0, 0.4),
    bounded(Zone("workforce"), "capital_per_worker", 1e-6, 1e3, 0.01),
    key(Zone("workforce"), "skilled_share", 0.0, 1.0, 0.2),
    bounded(Zone("workforce"), "skill_efficiency", 0.01, 100.0, 1.8),
    bounded(Zone("workforce"), "skilled_pool_initial", 0.0, 1e9, 1000.0),
    bounded(Zone("workforce"), "unskilled_pool", 0.0, 1e9, 50_000.0),
    key(Zone("workforce"), "attrition", 0.0, 1.0, 0.08),
    bounded(Zone("workforce"), "trainees_per_year", 0.0, 1e9, 300.0),
    key(Zone("workforce"), "completion_rate", 0.0, 1.0, 0.8),
    key(Zone("workforce"), "retention_rate", 0.0, 1.0, 0.7),
    key(Zone("production"), "alpha", 0.0, 1.0, 0.35),
    bounded(Zone("production"), "output_capital_ratio", 1e-6, 100.0, 0.7),
    key(Zone("production"), "va_share", 0.0, 1.0, 0.3),
    bounded(Zone("production"), "tfp_growth", -0.2, 0.2, 0.01),
    bounded(Zone("production"), "tfp_spillover", -0.2, 0.2, 0.02),
    bounded(Zone("production"), "tfp_volatility", 0.0, 0.5, 0.02),
    bounded(Zone("energy"), "energy_intensity", 0.0, 1e5, 150.0),
    bounded(Zone("energy"), "grid_mw", 0.0, 1e6, 20.0),
    bounded(Zone("energy"), "backup_mw", 0.0, 1e6, 5.0),
    key(Zone("energy"), "backup_availability", 0.0, 1.0, 0.9),
    key(Zone("exports"), "export_share", 0.0, 1.0, 0.6),
    key(Zone("exports"), "teu_per_musd", 0.0, HUGE, 15.0),
    key(Zone("linkages"), "local_content_initial", 0.0, 1.0, 0.2),
    key(Zone("linkages"), "local_content_target", 0.0, 1.0, 0.45),
    key(Zone("linkages"), "local_content_speed", 0.0, 1.0, 0.1),
    key(Zone("fiscal"), "tax_rate", 0.0, 1.0, 0.29),
    key(Zone("fiscal"), "profit_margin", 0.0, 1.0, 0.08),
    bounded(Zone("fiscal"), "public_cost", 0.0, 1e10, 5.0),
    bounded(Project, "capacity_mw", 0.0, 1e6, 100.0),
    key(Project, "capacity_factor", 0.0, 1.0, 0.6),
    key(Project, "zone_share", 0.0, 1.0, 0.5),
    key(Project, "delay", 0.0, HUGE, 1.0),
    bounded(Committed, "amount", 0.0, 1e10, 150.0),
    key(Committed, "probability", 0.0, 1.0, 0.7),
    bounded(Io, "jobs_per_musd", 0.0, 1e4, 40.0),
];

/// One scenario's settings: a value per key, the horizon, the length of a
/// policy reversal, the zones (id, name, and the area if not the
/// default's) and the `[outputs]` section.
#[derive(Debug, Clone)]
pub struct Setting {
    pub values: BTreeMap<&'static str, f64>,
    pub years: u32,
    pub shock_years: u32,
    pub zones: Vec<(String, String, Option<f64>)>,
    pub outputs: String,
}

impl Setting {
    /// Every key at its typical value, over 500 years, two zones.
    pub fn typical() -> Setting {
        Setting {
            values: KEYS.iter().map(|k| (k.name, k.typical)).collect(),
            years: 500,
            shock_years: 2,
            zones: vec![
                ("a".into(), "A".into(), None),
                ("b".into(), "B".into(), None),
            ],
            outputs: String::new(),
        }
    }

    /// The same with `name` at `v`.
    pub fn with(mut self, name: &'static str, v: f64) -> Setting {
        self.values.insert(name, v);
        self
    }
}

/// A value as TOML writes it: every digit, so it reads back exactly.
pub fn number(v: f64) -> String {
    let s = format!("{v:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// The scenario text and its input-output CSV (`io.csv`). Every zone
/// opens in the first or second year; one energy project serves the second
/// zone and one committed investment the first.
pub fn scenario(s: &Setting) -> (String, String) {
    let v = |name: &str| number(s.values[name]);
    let mut t = format!(
        "[scenario]\nname = \"ranges\"\nstart_year = 2025\nyears = {}\nseed = 11\ndiscount_rate = {}\n\n[model]\nkind = \"sez\"\n\n[global]\n",
        s.years,
        v("discount_rate")
    );
    for k in KEYS.iter().filter(|k| k.place == Global) {
        t.push_str(&format!("{} = {}\n", k.name, v(k.name)));
    }
    t.push_str(&format!(
        "regulatory_shock_years = {}\n\n[io]\ncoefficients = \"io.csv\"\n",
        s.shock_years
    ));
    for section in [
        "investment",
        "workforce",
        "production",
        "energy",
        "exports",
        "linkages",
        "fiscal",
    ] {
        t.push_str(&format!("\n[zone_defaults.{section}]\n"));
        if section == "linkages" {
            t.push_str("sourcing = { goods = 0.5, services = 0.5 }\n");
        }
        for k in KEYS.iter().filter(|k| k.place == Zone(section)) {
            t.push_str(&format!("{} = {}\n", k.name, v(k.name)));
        }
    }
    t.push_str(&s.outputs);
    for (i, (id, name, area)) in s.zones.iter().enumerate() {
        t.push_str(&format!(
            "\n[[zones]]\nid = \"{id}\"\nname = \"{name}\"\nopens_year = {}\n",
            2025 + i.min(1)
        ));
        if let Some(area) = area {
            t.push_str(&format!(
                "  [zones.investment]\n  area_ha = {}\n",
                number(*area)
            ));
        }
    }
    let zone = |i: usize| &s.zones[i.min(s.zones.len() - 1)].0;
    t.push_str(&format!(
        "\n[[energy_projects]]\nname = \"plant\"\nzone = \"{}\"\nplanned_year = 2027\n",
        zone(1)
    ));
    for k in KEYS.iter().filter(|k| k.place == Project) {
        t.push_str(&format!("{} = {}\n", k.name, v(k.name)));
    }
    t.push_str(&format!(
        "\n[[committed_investments]]\nzone = \"{}\"\nyear = 2025\nforeign = true\n",
        zone(0)
    ));
    for k in KEYS.iter().filter(|k| k.place == Committed) {
        t.push_str(&format!("{} = {}\n", k.name, v(k.name)));
    }
    // Output multipliers 1 / (1 - 0.6) = 2.5 and about 2: well inside.
    let io = format!(
        "sector,goods,services,jobs_per_musd\ngoods,0.3,0.1,{j}\nservices,0.3,0.4,{j}\n",
        j = v("jobs_per_musd")
    );
    (t, io)
}

//! One test per class of input error that model version 2 added: each
//! asserts that the message names the right file, line and key path, and
//! says what was expected. The hours-mode scenarios break
//! tests/fixtures/v2/hours.toml, the balance-mode ones
//! tests/fixtures/full/base.toml.

mod support;

use std::path::Path;

use sezsim::diagnostics::{Diagnostic, Diagnostics};
use support::diag::{expect, line_of};

const HOURS: &str = include_str!("fixtures/v2/hours.toml");
const BALANCE: &str = include_str!("fixtures/full/base.toml");
const PROJECTS_CSV: &str = include_str!("fixtures/v2/data/projects.csv");

/// Copy the CSV files of fixture folder `fixture` into `dir/data`.
fn copy_data(fixture: &str, dir: &Path) {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(Path::new(fixture).join("data")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
}

/// Load `toml` as `scenario.toml` beside the data of the fixture it breaks
/// (hours or balance) and `files` (written over them, under `data/`).
fn load(toml: &str, files: &[(&str, &str)]) -> Result<sezsim::scenario::Scenario, Diagnostics> {
    let dir = tempfile::tempdir().unwrap();
    let fixture = if toml.contains("power_mode = \"hours\"") {
        "tests/fixtures/v2"
    } else {
        "tests/fixtures/full"
    };
    copy_data(fixture, dir.path());
    for (name, text) in files {
        std::fs::write(dir.path().join("data").join(name), text).unwrap();
    }
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    sezsim::load(&path)
}

fn errors_with(toml: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    match load(toml, files) {
        Ok(_) => panic!("expected errors for:\n{toml}"),
        Err(Diagnostics(d)) => d,
    }
}

fn errors(toml: &str) -> Vec<Diagnostic> {
    errors_with(toml, &[])
}

/// `base` with `from` (there once) replaced by `to`.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert_eq!(
        base.matches(from).count(),
        1,
        "{from:?} is not in the fixture once"
    );
    base.replacen(from, to, 1)
}

#[test]
fn the_fixtures_are_valid() {
    for text in [HOURS, BALANCE] {
        if let Err(e) = load(text, &[]) {
            panic!("{e}");
        }
    }
}

#[test]
fn hours_keys_are_refused_in_balance_mode() {
    let t = edit(
        BALANCE,
        "regulatory_shock_years = 2\n",
        "regulatory_shock_years = 2\ntariff = 100\n",
    );
    let d = expect(
        &errors(&t),
        "`tariff` belongs to power_mode = \"hours\"; this scenario's power_mode is \"balance\"",
        "scenario.toml",
        Some(line_of(&t, "tariff = 100")),
        Some("global.tariff"),
    );
    assert!(d.help.unwrap().contains("power_mode = \"hours\""));
    // A zone's hours key, written in [zone_defaults] and reported for the
    // zone that inherits it, at the line where it was written.
    let t = edit(
        BALANCE,
        "grid_mw = 20\n",
        "grid_mw = 20\nfeeder_year = 2028\n",
    );
    expect(
        &errors(&t),
        "`feeder_year` belongs to power_mode = \"hours\"",
        "scenario.toml",
        Some(line_of(&t, "feeder_year")),
        Some("zones.north.energy.feeder_year"),
    );
    let t = edit(
        BALANCE,
        "  backup_mw = 5\n",
        "  backup_mw = 5\n  outage_loss_unplanned = 0.1\n",
    );
    expect(
        &errors(&t),
        "`outage_loss_unplanned` belongs to power_mode = \"hours\"",
        "scenario.toml",
        Some(line_of(&t, "outage_loss_unplanned")),
        Some("zones.south.energy.outage_loss_unplanned"),
    );
}

#[test]
fn balance_keys_are_refused_in_hours_mode() {
    let t = edit(HOURS, "tariff = {", "grid_availability = 0.85\ntariff = {");
    let d = expect(
        &errors(&t),
        "`grid_availability` belongs to power_mode = \"balance\"; this scenario's power_mode is \"hours\"",
        "scenario.toml",
        Some(line_of(&t, "grid_availability")),
        Some("global.grid_availability"),
    );
    assert!(d.help.unwrap().contains("extend a parent"));
    let t = edit(
        HOURS,
        "outage_planned_logsd = 0.4\n",
        "outage_planned_logsd = 0.4\ngrid_availability_logit_sd = 0.4\n",
    );
    expect(
        &errors(&t),
        "`grid_availability_logit_sd` belongs to power_mode = \"balance\"",
        "scenario.toml",
        Some(line_of(&t, "grid_availability_logit_sd")),
        Some("global.grid_availability_logit_sd"),
    );
}

#[test]
fn hours_mode_requires_its_keys() {
    let t = edit(HOURS, "outage_loss_planned = 0.03\n", "");
    expect(
        &errors(&t),
        "outage_loss_planned",
        "scenario.toml",
        None,
        Some("zones.east.energy.outage_loss_planned"),
    );
    let t = edit(HOURS, "outage_planned_hours = 2\n", "");
    expect(
        &errors(&t),
        "outage_planned_hours",
        "scenario.toml",
        None,
        Some("global.outage_planned_hours"),
    );
}

#[test]
fn unknown_power_mode_suggests_the_nearest() {
    let t = edit(HOURS, "power_mode = \"hours\"", "power_mode = \"hour\"");
    let d = expect(
        &errors(&t),
        "unknown value \"hour\"; expected \"balance\" or \"hours\"",
        "scenario.toml",
        Some(line_of(&t, "power_mode")),
        Some("global.power_mode"),
    );
    assert_eq!(d.help.as_deref(), Some("did you mean \"hours\"?"));
}

#[test]
fn a_zone_with_phases_has_no_area_of_its_own_or_inherited() {
    // Its own: the error is at area_ha and names where the phases are.
    let t = edit(
        HOURS,
        "  grid_mw = 5\n",
        "  grid_mw = 5\n  [zones.investment]\n  area_ha = 50\n",
    );
    let d = expect(
        &errors(&t),
        "a zone with [[zones.phases]] (at ",
        "scenario.toml",
        Some(line_of(&t, "area_ha = 50")),
        Some("zones.west.investment.area_ha"),
    );
    let phases_at = format!("scenario.toml:{}:", line_of(&t, "[[zones.phases]]"));
    assert!(d.message.contains(&phases_at), "{d}");
    assert!(d.message.contains("also has investment.area_ha"), "{d}");
    assert!(!d.message.contains("inherited"), "{d}");
    // Inherited from [zone_defaults]: at the default's line, saying so.
    let t = edit(
        HOURS,
        "[zone_defaults.investment]\n",
        "[zone_defaults.investment]\narea_ha = 400\n",
    );
    let phases_at = format!("scenario.toml:{}:", line_of(&t, "[[zones.phases]]"));
    let d = expect(
        &errors(&t),
        "inherited from [zone_defaults]",
        "scenario.toml",
        Some(line_of(&t, "area_ha = 400")),
        Some("zones.west.investment.area_ha"),
    );
    assert!(d.message.contains(&phases_at), "{d}");
    assert!(d.help.unwrap().contains("[zone_defaults]"));
}

#[test]
fn zone_defaults_cannot_hold_phases() {
    let t = edit(
        HOURS,
        "[zone_defaults.workforce]\n",
        "[[zone_defaults.phases]]\nname = \"all\"\narea_ha = 100\nplanned_year = 2025\n\n[zone_defaults.workforce]\n",
    );
    expect(
        &errors(&t),
        "[zone_defaults] cannot hold phases",
        "scenario.toml",
        Some(line_of(&t, "[[zone_defaults.phases]]")),
        Some("zone_defaults.phases"),
    );
}

#[test]
fn phase_names_are_unique_in_a_zone() {
    let t = edit(HOURS, "name = \"second\"", "name = \"first\"");
    let second = t.match_indices("name = \"first\"").nth(1).unwrap().0;
    let line = t[..second].matches('\n').count() + 1;
    expect(
        &errors(&t),
        "duplicate phase `first` in zone `west`",
        "scenario.toml",
        Some(line),
        Some("zones.west.phases[1].name"),
    );
    let t = edit(HOURS, "name = \"second\"", "name = \"Second phase\"");
    expect(
        &errors(&t),
        "phase name `Second phase` may only use lower-case letters",
        "scenario.toml",
        Some(line_of(&t, "Second phase")),
        Some("zones.west.phases[1].name"),
    );
}

#[test]
fn a_phase_named_twice_in_a_child_is_a_duplicate_not_a_merge() {
    // West inherits `first` and `second`; the child names a new phase twice,
    // and `second` twice: each second naming is a duplicate, in the child.
    for name in ["third", "second"] {
        let dir = tempfile::tempdir().unwrap();
        let child = format!(
            "[[zones]]\nid = \"west\"\n  [[zones.phases]]\n  name = \"{name}\"\n  area_ha = 10\n  planned_year = 2026\n  [[zones.phases]]\n  name = \"{name}\"\n  area_ha = 20\n  planned_year = 2027\n"
        );
        let path = support::extending(
            dir.path(),
            "child.toml",
            "tests/fixtures/v2/hours.toml",
            &child,
        );
        let Err(Diagnostics(d)) = sezsim::load(&path) else {
            panic!("expected a duplicate phase for {name}");
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let second = text
            .match_indices(&format!("name = \"{name}\""))
            .nth(1)
            .unwrap()
            .0;
        expect(
            &d,
            &format!("duplicate phase `{name}` in zone `west`"),
            "child.toml",
            Some(text[..second].matches('\n').count() + 1),
            None,
        );
    }
}

/// The v2 fixture's projects given inline, `extra` added to the project
/// `east_line` (a grid project).
fn inline_projects(extra: &str) -> String {
    edit(HOURS, "energy_projects = \"data/projects.csv\"\n", "")
        + &format!(
            "\n[[energy_projects]]\nname = \"east_line\"\nzone = \"east\"\ncapacity_mw = 60\ncapacity_factor = 1\nzone_share = 0.5\nplanned_year = 2026\n{extra}\n[[energy_projects]]\nname = \"west_solar\"\nzone = \"west\"\nkind = \"captive\"\ncapacity_mw = 30\ncapacity_factor = 0.2\nzone_share = 1\nplanned_year = 2026\nislanding_coverage = 0.3\nlcoe = 45\n"
        )
}

#[test]
fn captive_only_keys_are_refused_on_a_grid_project() {
    assert!(load(&inline_projects(""), &[]).is_ok());
    for key in ["islanding_coverage = 0.5", "lcoe = 40"] {
        let t = inline_projects(key);
        let name = key.split(' ').next().unwrap();
        // A project's problems are reported at the project's table.
        let d = expect(
            &errors(&t),
            &format!("`{name}` belongs to a captive plant; this project is kind = \"grid\""),
            "scenario.toml",
            Some(line_of(&t, "name = \"east_line\"") - 1),
            Some(&format!("energy_projects.east_line.{name}")),
        );
        assert!(d.message.contains("kind = \"captive\""));
    }
    // In a CSV: the row's line, the column named.
    for (cells, column) in [(",0.5,", "islanding_coverage"), (",,40", "lcoe")] {
        let csv = PROJECTS_CSV.replace(
            "east_line,east,60,1.0,0.5,2026,0,0.5,2,,,",
            &format!("east_line,east,60,1.0,0.5,2026,0,0.5,2,{cells}"),
        );
        expect(
            &errors_with(HOURS, &[("projects.csv", &csv)]),
            &format!("{column}: `{column}` belongs to a captive plant"),
            "projects.csv",
            Some(2),
            Some("energy_projects"),
        );
    }
}

#[test]
fn lcoe_is_refused_in_balance_mode() {
    let t = format!(
        "{}\n[[energy_projects]]\nname = \"solar\"\nzone = \"north\"\nkind = \"captive\"\ncapacity_mw = 10\ncapacity_factor = 0.2\nzone_share = 1\nplanned_year = 2026\nlcoe = 40\n",
        edit(BALANCE, "energy_projects = \"data/projects.csv\"\n", "")
    );
    expect(
        &errors(&t),
        "`lcoe` belongs to power_mode = \"hours\"; this scenario's power_mode is \"balance\"",
        "scenario.toml",
        Some(line_of(&t, "name = \"solar\"") - 1),
        Some("energy_projects.solar.lcoe"),
    );
    // A captive plant without lcoe is fine in balance mode.
    assert!(load(&t.replace("lcoe = 40\n", ""), &[]).is_ok());
    // In a CSV: an lcoe cell is refused, an empty one is the default.
    let csv = "name,zone,capacity_mw,capacity_factor,zone_share,planned_year,delay,kind,lcoe\nsolar,north,10,0.2,1,2026,0,captive,\nwind,south,10,0.3,1,2026,0,captive,35\n";
    expect(
        &errors_with(BALANCE, &[("projects.csv", csv)]),
        "lcoe: `lcoe` belongs to power_mode = \"hours\"",
        "projects.csv",
        Some(3),
        Some("energy_projects"),
    );
    let csv = csv.replace(",35\n", ",\n");
    assert!(load(BALANCE, &[("projects.csv", &csv)]).is_ok());
}

#[test]
fn unknown_project_kind_suggests_the_nearest() {
    let t = inline_projects("kind = \"captiv\"");
    expect(
        &errors(&t),
        "unknown project kind \"captiv\"; expected \"grid\" or \"captive\" (did you mean \"captive\"?)",
        "scenario.toml",
        Some(line_of(&t, "name = \"east_line\"") - 1),
        Some("energy_projects.east_line.kind"),
    );
    let csv = PROJECTS_CSV.replace("captive,0.3,45", "grd,0.3,45");
    expect(
        &errors_with(HOURS, &[("projects.csv", &csv)]),
        "kind: unknown project kind \"grd\"; expected \"grid\" or \"captive\" (did you mean \"grid\"?)",
        "projects.csv",
        Some(3),
        Some("energy_projects"),
    );
}

#[test]
fn feeder_keys_need_a_feeder_year() {
    let t = edit(HOURS, "  feeder_year = 2028\n", "");
    for key in [
        "feeder_unplanned_factor",
        "feeder_planned_factor",
        "feeder_capex",
        "feeder_om",
    ] {
        let d = expect(
            &errors(&t),
            &format!("`{key}` needs `feeder_year`"),
            "scenario.toml",
            Some(line_of(&t, key)),
            Some(&format!("zones.west.energy.{key}")),
        );
        assert!(d.help.unwrap().contains("feeder_year = "));
    }
}

#[test]
fn a_positive_margin_sensitivity_needs_a_profit_margin() {
    let t = edit(HOURS, "profit_margin = 0.08", "profit_margin = 0");
    let d = expect(
        &errors(&t),
        "a positive margin_sensitivity needs a profit_margin above 0",
        "scenario.toml",
        Some(line_of(&t, "margin_sensitivity = 1")),
        Some("zones.east.investment.margin_sensitivity"),
    );
    assert!(d.help.unwrap().contains("margin_sensitivity = 0"));
    // A margin that may be drawn at 0 is refused too (a uniform from 0
    // never draws 0 itself: the samplers' uniforms lie strictly inside
    // (0, 1)); theta = 0 is fine.
    let t = edit(
        HOURS,
        "profit_margin = 0.08",
        "profit_margin = { dist = \"discrete\", values = [0, 0.1], weights = [1, 3] }",
    );
    expect(
        &errors(&t),
        "a positive margin_sensitivity needs a profit_margin above 0",
        "scenario.toml",
        Some(line_of(&t, "margin_sensitivity = 1")),
        Some("zones.east.investment.margin_sensitivity"),
    );
    let t = edit(
        &edit(HOURS, "profit_margin = 0.08", "profit_margin = 0"),
        "margin_sensitivity = 1",
        "margin_sensitivity = 0",
    );
    assert!(load(&t, &[]).is_ok());
}

/// Each new key of version 2 just outside its valid range, in the
/// hours-mode fixture: (where it is written, the broken line, its key
/// path, what the message says was expected).
const OUT_OF_RANGE: &[(&str, &str, &str, &str)] = &[
    (
        "outage_planned_logsd = 0.4",
        "outage_planned_logsd = 5.5",
        "global.outage_planned_logsd",
        "5.5",
    ),
    (
        "outage_planned_hours = 2",
        "outage_planned_hours = 25",
        "global.outage_planned_hours",
        "25",
    ),
    (
        "outage_unplanned_hours = 3",
        "outage_unplanned_hours = -1",
        "global.outage_unplanned_hours",
        "-1",
    ),
    (
        "outage_loss_planned = 0.03",
        "outage_loss_planned = 11",
        "zones.east.energy.outage_loss_planned",
        "11",
    ),
    (
        "load_factor = 0.75",
        "load_factor = 0.4",
        "zones.east.energy.load_factor",
        "0.4",
    ),
    (
        "backup_cost = 300",
        "backup_cost = -3",
        "zones.east.energy.backup_cost",
        "-3",
    ),
    (
        "energy_cost_reference = 100",
        "energy_cost_reference = 20000",
        "zones.east.energy.energy_cost_reference",
        "20000",
    ),
    (
        "relief_budget_share = 0.5",
        "relief_budget_share = 1.5",
        "zones.east.energy.relief_budget_share",
        "1.5",
    ),
    (
        "tariff_relief = 20",
        "tariff_relief = -20",
        "zones.east.energy.tariff_relief",
        "-20",
    ),
    (
        "feeder_unplanned_factor = 0.3",
        "feeder_unplanned_factor = 1.3",
        "zones.west.energy.feeder_unplanned_factor",
        "1.3",
    ),
    (
        "feeder_planned_factor = 0.5",
        "feeder_planned_factor = -0.5",
        "zones.west.energy.feeder_planned_factor",
        "-0.5",
    ),
    (
        "feeder_capex = 12",
        "feeder_capex = -12",
        "zones.west.energy.feeder_capex",
        "-12",
    ),
    (
        "feeder_om = 0.8",
        "feeder_om = 1e11",
        "zones.west.energy.feeder_om",
        "1",
    ),
    (
        "feeder_year = 2028",
        "feeder_year = 3000",
        "zones.west.energy.feeder_year",
        "3000",
    ),
    (
        "margin_sensitivity = 1",
        "margin_sensitivity = 11",
        "zones.east.investment.margin_sensitivity",
        "11",
    ),
    (
        "area_ha = 150",
        "area_ha = 0",
        "zones.west.phases.first.area_ha",
        "0",
    ),
    (
        "  grid_mw = 8",
        "  grid_mw = -8",
        "zones.west.phases.first.grid_mw",
        "-8",
    ),
    (
        "delay = { dist = \"triangular\", min = 0, mode = 1, max = 2 }",
        "delay = -1",
        "zones.west.phases.second.delay",
        "-1",
    ),
    (
        "planned_year = 2025\n  grid_mw = 8",
        "planned_year = 2025.5\n  grid_mw = 8",
        "zones.west.phases.first.planned_year",
        "integer",
    ),
];

#[test]
fn new_keys_outside_their_range_are_located() {
    for &(from, to, key, found) in OUT_OF_RANGE {
        let t = edit(HOURS, from, to);
        let d = expect(
            &errors(&t),
            found,
            "scenario.toml",
            Some(line_of(&t, to.trim().lines().next().unwrap())),
            Some(key),
        );
        assert!(
            d.message.contains("expected") || d.message.contains("must"),
            "{key}: {d}"
        );
    }
}

#[test]
fn new_project_columns_outside_their_range_are_located() {
    for (from, to, column) in [
        ("captive,0.3,45", "captive,1.5,45", "islanding_coverage"),
        ("captive,0.3,45", "captive,0.3,-45", "lcoe"),
        ("captive,0.3,45", "captive,much,45", "islanding_coverage"),
    ] {
        let csv = PROJECTS_CSV.replace(from, to);
        let d = errors_with(HOURS, &[("projects.csv", &csv)]);
        let found = expect(&d, column, "projects.csv", Some(3), Some("energy_projects"));
        assert!(found.message.contains("expected"), "{found}");
    }
    let t = inline_projects("").replace("islanding_coverage = 0.3", "islanding_coverage = -0.3");
    expect(
        &errors(&t),
        "expected a share in [0, 1], found -0.3",
        "scenario.toml",
        Some(line_of(&t, "name = \"west_solar\"") - 1),
        Some("energy_projects.west_solar.islanding_coverage"),
    );
}

// ---- issue 11 ----

const FISCAL: &str = include_str!("fixtures/v2/fiscal.toml");

/// Load `fiscal` (fiscal.toml's text, changed) as a child of hours.toml.
fn fiscal_errors(fiscal: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    copy_data("tests/fixtures/v2", dir.path());
    std::fs::write(dir.path().join("hours.toml"), HOURS).unwrap();
    let path = dir.path().join("fiscal.toml");
    std::fs::write(&path, fiscal).unwrap();
    match sezsim::load(&path) {
        Ok(_) => panic!("expected errors for:\n{fiscal}"),
        Err(Diagnostics(d)) => d,
    }
}

#[test]
fn scope_belongs_on_a_distribution_in_zone_defaults() {
    // On a zone's own distribution.
    let t = edit(
        FISCAL,
        "  holiday_basis = \"zone\"\n",
        "  holiday_basis = \"zone\"\n  [zones.production]\n  alpha = { dist = \"uniform\", min = 0.3, max = 0.4, scope = \"common\" }\n",
    );
    expect(
        &fiscal_errors(&t),
        "scope",
        "fiscal.toml",
        Some(line_of(&t, "alpha = {")),
        Some("zones.west.production.alpha.scope"),
    );
    // On a distribution of [global].
    let t = edit(
        FISCAL,
        "holiday_sunset_year = 2030\n",
        "holiday_sunset_year = 2030\ndemand_volatility = { dist = \"uniform\", min = 0.05, max = 0.1, scope = \"common\" }\n",
    );
    expect(
        &fiscal_errors(&t),
        "scope",
        "fiscal.toml",
        Some(line_of(&t, "demand_volatility")),
        Some("global.demand_volatility.scope"),
    );
    // On a series or a map of shares in [zone_defaults], whatever the
    // scope says.
    for scope in ["common", "zone"] {
        let t = edit(
            FISCAL,
            "training_cost = {",
            &format!(
                "trainees_per_year = {{ csv = \"data/tariff.csv\", column = \"usd_per_mwh\", scope = \"{scope}\" }}\ntraining_cost = {{"
            ),
        );
        expect(
            &fiscal_errors(&t),
            "`scope` belongs on a distribution table (with `dist`)",
            "fiscal.toml",
            Some(line_of(&t, "trainees_per_year")),
            Some("zone_defaults.workforce.trainees_per_year.scope"),
        );
        let t = edit(
            FISCAL,
            "[zone_defaults.fiscal]",
            &format!(
                "[zone_defaults.linkages]\nsourcing = {{ textiles = 0.5, services = 0.5, scope = \"{scope}\" }}\n\n[zone_defaults.fiscal]"
            ),
        );
        expect(
            &fiscal_errors(&t),
            "`scope` belongs on a distribution table (with `dist`)",
            "fiscal.toml",
            Some(line_of(&t, "sourcing")),
            Some("zone_defaults.linkages.sourcing.scope"),
        );
    }
}

#[test]
fn unknown_scope_suggests_the_nearest() {
    let t = edit(
        FISCAL,
        "0.03, scope = \"common\"",
        "0.03, scope = \"comon\"",
    );
    let d = expect(
        &fiscal_errors(&t),
        "unknown scope \"comon\"; expected \"zone\" or \"common\"",
        "fiscal.toml",
        Some(line_of(&t, "comon")),
        Some("zone_defaults.production.tfp_growth.scope"),
    );
    assert_eq!(d.help.as_deref(), Some("did you mean \"common\"?"));
    let t = edit(FISCAL, "0.03, scope = \"common\"", "0.03, scope = 1");
    expect(
        &fiscal_errors(&t),
        "unknown scope",
        "fiscal.toml",
        Some(line_of(&t, "scope = 1")),
        Some("zone_defaults.production.tfp_growth.scope"),
    );
}

#[test]
fn unknown_holiday_basis_suggests_the_nearest() {
    let t = edit(
        FISCAL,
        "holiday_basis = \"enterprise\"",
        "holiday_basis = \"enterprises\"",
    );
    let d = expect(
        &fiscal_errors(&t),
        "unknown value \"enterprises\"; expected \"zone\" or \"enterprise\"",
        "fiscal.toml",
        Some(line_of(&t, "enterprises")),
        Some("zones.east.fiscal.holiday_basis"),
    );
    assert_eq!(d.help.as_deref(), Some("did you mean \"enterprise\"?"));
}

#[test]
fn holiday_sunset_year_is_a_plain_year_in_range() {
    for (value, says) in [
        ("3000", "3000"),
        ("1500", "1500"),
        ("2030.5", "integer"),
        (
            "{ dist = \"uniform\", min = 2028, max = 2032 }",
            "plain integer",
        ),
    ] {
        let t = edit(
            FISCAL,
            "holiday_sunset_year = 2030",
            &format!("holiday_sunset_year = {value}"),
        );
        expect(
            &fiscal_errors(&t),
            says,
            "fiscal.toml",
            Some(line_of(&t, "holiday_sunset_year")),
            Some("global.holiday_sunset_year"),
        );
    }
}

#[test]
fn viability_keys_outside_their_range_are_located() {
    for (from, to, key) in [
        (
            "viability_probability = 0.8",
            "viability_probability = 1.2",
            "viability_probability",
        ),
        (
            "nonviable_factor = 0.25",
            "nonviable_factor = -0.25",
            "nonviable_factor",
        ),
        (
            "nonviable_factor = 0.25",
            "nonviable_factor = { dist = \"normal\", mean = 0.25, sd = 0.1 }",
            "nonviable_factor",
        ),
    ] {
        let t = edit(FISCAL, from, to);
        let d = expect(
            &fiscal_errors(&t),
            "",
            "fiscal.toml",
            Some(line_of(&t, to)),
            Some(&format!("zones.east.investment.{key}")),
        );
        assert!(
            d.message.contains("[0, 1]") || d.message.contains("share"),
            "{d}"
        );
    }
    let t = edit(
        FISCAL,
        "training_cost = { dist = \"uniform\", min = 800, max = 1500 }",
        "training_cost = -5",
    );
    expect(
        &fiscal_errors(&t),
        "-5",
        "fiscal.toml",
        Some(line_of(&t, "training_cost")),
        Some("zones.east.workforce.training_cost"),
    );
}

//! One test per class of input error: each asserts that the message names
//! the right file, line and key path, and says what was expected.

mod support;

use sezsim::diagnostics::{Diagnostic, Diagnostics};
use sezsim::scenario;
use support::diag::{expect, line_of};

/// A small valid scenario: every test breaks one thing in it.
const VALID: &str = r#"[scenario]
name = "t"
start_year = 2025
years = 5
replications = 10
seed = 1
discount_rate = 0.05

[model]
kind = "sez"

[global]
grid_availability = 0.85
grid_availability_logit_sd = 0.4
demand_persistence = 0.6
demand_volatility = 0.08
regulatory_shock_probability = 0.08
regulatory_shock_cut = { dist = "pert", min = 0.2, mode = 0.35, max = 0.7 }
regulatory_shock_years = 2
port_capacity_teu = 50000

[io]
coefficients = "io.csv"

[zone_defaults.investment]
area_ha = 400
developable_share = 0.7
capital_per_ha = { dist = "triangular", min = 1.0, mode = 1.6, max = 2.3 }
bass_p = 0.03
bass_q = 0.38
depreciation = 0.05
incentive_uplift = 0.1
tax_holiday_years = 5
energy_sensitivity = 2
skill_sensitivity = 1
demand_sensitivity = 1
fdi_share = 0.4

[zone_defaults.workforce]
capital_per_worker = 0.01
skilled_share = 0.2
skill_efficiency = 1.8
skilled_pool_initial = 1000
unskilled_pool = 50000
attrition = 0.08
trainees_per_year = 300
completion_rate = 0.8
retention_rate = 0.7

[zone_defaults.production]
alpha = 0.35
output_capital_ratio = 0.7
va_share = 0.3
tfp_growth = 0.01
tfp_spillover = 0.02
tfp_volatility = 0.02

[zone_defaults.energy]
energy_intensity = 150
grid_mw = 20

[zone_defaults.exports]
export_share = 0.6
teu_per_musd = 15

[zone_defaults.linkages]
sourcing = { textiles = 0.7, services = 0.3 }
local_content_initial = 0.2
local_content_target = 0.5
local_content_speed = 0.1

[zone_defaults.fiscal]
tax_rate = 0.29
profit_margin = 0.08

[[zones]]
id = "alpha"
name = "Alpha"
opens_year = 2025

[[zones]]
id = "beta"
name = "Beta"
opens_year = 2026

[[energy_projects]]
name = "line"
zone = "alpha"
capacity_mw = 100
capacity_factor = 1.0
zone_share = 0.5
planned_year = 2026
delay = { dist = "triangular", min = 0, mode = 1, max = 3 }

[[committed_investments]]
zone = "beta"
year = 2027
amount = 100
probability = 0.5
foreign = true

[[correlations]]
between = ["zones.alpha.investment.capital_per_ha", "zones.beta.investment.capital_per_ha"]
spearman = 0.5
"#;

const IO: &str =
    "sector,textiles,services,jobs_per_musd\ntextiles,0.2,0.1,50\nservices,0.1,0.2,30\n";

/// Load `toml` as `scenario.toml` beside `io.csv` and `files`.
fn load_with(toml: &str, files: &[(&str, &[u8])]) -> Result<scenario::Scenario, Diagnostics> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("io.csv"), IO).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    sezsim::load(&path)
}

/// Load `toml` as `scenario.toml` beside `files`; return the diagnostics.
fn errors_with(toml: &str, files: &[(&str, &[u8])]) -> Vec<Diagnostic> {
    match load_with(toml, files) {
        Ok(_) => panic!("expected errors for:\n{toml}"),
        Err(Diagnostics(d)) => d,
    }
}

fn errors(toml: &str) -> Vec<Diagnostic> {
    errors_with(toml, &[])
}

/// Replace `from` by `to` in the valid scenario, checking it was there.
fn broken(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "fixture lacks {from:?}");
    VALID.replacen(from, to, 1)
}

#[test]
fn the_valid_fixture_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("io.csv"), IO).unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, VALID).unwrap();
    if let Err(e) = sezsim::load(&path) {
        panic!("{e}");
    }
}

#[test]
fn unknown_key_suggests_the_nearest() {
    let t = broken("bass_p = 0.03", "bass_pp = 0.03");
    let d = expect(
        &errors(&t),
        "unknown key `bass_pp`",
        "scenario.toml",
        Some(line_of(&t, "bass_pp")),
        Some("zones.alpha.investment.bass_pp"),
    );
    assert!(d.help.unwrap().contains("did you mean `bass_p`"));
}

#[test]
fn key_after_a_table_header_says_where_it_belongs() {
    // `seed` written under [global] instead of [scenario].
    let t = broken(
        "port_capacity_teu = 50000",
        "port_capacity_teu = 50000\nreplications = 20",
    );
    let d = expect(
        &errors(&t),
        "`replications` is not a key of [global]; it belongs in [scenario]",
        "scenario.toml",
        Some(line_of(&t, "replications = 20")),
        Some("global.replications"),
    );
    assert!(d.help.unwrap().contains("[scenario]"));

    // A top-level key placed after a header lands in that table.
    let t = broken("kind = \"sez\"", "kind = \"sez\"\nextends = \"base.toml\"");
    let d = expect(
        &errors(&t),
        "`extends` is not a key of [model]; it belongs in the top level",
        "scenario.toml",
        Some(line_of(&t, "extends")),
        Some("model.extends"),
    );
    assert!(d.help.unwrap().contains("before the first [table] header"));
}

#[test]
fn wrong_type_says_what_was_expected() {
    let t = broken("grid_mw = 20", "grid_mw = \"twenty\"");
    expect(
        &errors(&t),
        "expected a number, found a string",
        "scenario.toml",
        Some(line_of(&t, "\"twenty\"")),
        Some("zones.alpha.energy.grid_mw"),
    );
}

#[test]
fn plain_number_keys_refuse_distributions() {
    let t = broken(
        "years = 5",
        "years = { dist = \"uniform\", min = 4, max = 6 }",
    );
    expect(
        &errors(&t),
        "must be a plain integer",
        "scenario.toml",
        Some(3 + 1),
        Some("scenario.years"),
    );
    let t = broken(
        "opens_year = 2026",
        "opens_year = { dist = \"uniform\", min = 2026, max = 2028 }",
    );
    expect(
        &errors(&t),
        "must be a plain integer",
        "scenario.toml",
        Some(line_of(&t, "opens_year = {")),
        Some("zones.beta.opens_year"),
    );
    let t = broken(
        "amount = 100",
        "amount = { dist = \"uniform\", min = 50, max = 150 }",
    );
    expect(
        &errors(&t),
        "must be a plain number",
        "scenario.toml",
        Some(line_of(&t, "amount = {")),
        Some("committed_investments[0].amount"),
    );
}

#[test]
fn invalid_distribution_parameters_point_at_the_field() {
    let t = broken(
        "grid_availability_logit_sd = 0.4",
        "grid_availability_logit_sd = { dist = \"normal\", mean = 0.4, sd = -0.1, min = 0 }",
    );
    let d = expect(
        &errors(&t),
        "sd",
        "scenario.toml",
        Some(line_of(&t, "sd = -0.1")),
        Some("global.grid_availability_logit_sd.sd"),
    );
    assert!(
        d.message.contains(">= 0") || d.message.contains("negative"),
        "{d}"
    );

    let t = broken("mode = 0.35", "mode = 0.9");
    expect(
        &errors(&t),
        "mode",
        "scenario.toml",
        Some(line_of(&t, "mode = 0.9")),
        Some("global.regulatory_shock_cut.mode"),
    );

    let t = broken("mode = 0.35", "mdoe = 0.35");
    let d = expect(
        &errors(&t),
        "unknown key `mdoe`",
        "scenario.toml",
        Some(line_of(&t, "mdoe")),
        Some("global.regulatory_shock_cut.mdoe"),
    );
    assert!(d.help.unwrap().contains("`mode`"));

    let t = broken("dist = \"pert\"", "dist = \"pret\"");
    let d = expect(
        &errors(&t),
        "unknown distribution `pret`",
        "scenario.toml",
        Some(line_of(&t, "pret")),
        Some("global.regulatory_shock_cut.dist"),
    );
    assert!(d.help.unwrap().contains("`pert`"));
}

#[test]
fn shares_and_probabilities_outside_unit_interval() {
    let t = broken("developable_share = 0.7", "developable_share = 1.7");
    expect(
        &errors(&t),
        "expected a share in [0, 1], found 1.7",
        "scenario.toml",
        Some(line_of(&t, "1.7")),
        Some("zones.alpha.investment.developable_share"),
    );
    let t = broken("probability = 0.5", "probability = 1.5");
    expect(
        &errors(&t),
        "probability must be in [0, 1]",
        "scenario.toml",
        Some(line_of(&t, "[[committed_investments]]")),
        Some("committed_investments"),
    );
}

#[test]
fn distribution_reaching_outside_the_valid_range() {
    // An untruncated normal for a share.
    let t = broken(
        "fdi_share = 0.4",
        "fdi_share = { dist = \"normal\", mean = 0.4, sd = 0.1 }",
    );
    let d = expect(
        &errors(&t),
        "can take values outside the valid range",
        "scenario.toml",
        Some(line_of(&t, "fdi_share")),
        Some("zones.alpha.investment.fdi_share"),
    );
    assert!(d.help.unwrap().contains("min/max"));
    // A uniform reaching below zero for capital per hectare.
    let t = broken(
        "capital_per_ha = { dist = \"triangular\", min = 1.0, mode = 1.6, max = 2.3 }",
        "capital_per_ha = { dist = \"uniform\", min = -1, max = 2 }",
    );
    expect(
        &errors(&t),
        "can take values outside the valid range",
        "scenario.toml",
        Some(line_of(&t, "capital_per_ha")),
        Some("zones.alpha.investment.capital_per_ha"),
    );
}

#[test]
fn nan_and_infinity_are_refused() {
    let t = broken("area_ha = 400", "area_ha = nan");
    expect(
        &errors(&t),
        "expected a finite number, found NaN",
        "scenario.toml",
        Some(line_of(&t, "nan")),
        Some("zones.alpha.investment.area_ha"),
    );
    let t = broken("grid_mw = 20", "grid_mw = inf");
    expect(
        &errors(&t),
        "expected a finite number, found inf",
        "scenario.toml",
        Some(line_of(&t, "inf")),
        Some("zones.alpha.energy.grid_mw"),
    );
    let t = broken("sd", "sd").replace(
        "bass_q = 0.38",
        "bass_q = { dist = \"normal\", mean = 0.38, sd = -inf, min = 0 }",
    );
    expect(
        &errors(&t),
        "finite",
        "scenario.toml",
        Some(line_of(&t, "-inf")),
        None,
    );
}

#[test]
fn sourcing_shares_must_sum_to_one() {
    let t = broken(
        "sourcing = { textiles = 0.7, services = 0.3 }",
        "sourcing = { textiles = 0.7, services = 0.2 }",
    );
    expect(
        &errors(&t),
        "sourcing shares must sum to 1, but they sum to 0.9",
        "scenario.toml",
        Some(line_of(&t, "sourcing")),
        Some("zones.alpha.linkages.sourcing"),
    );
}

#[test]
fn unknown_io_sector_in_sourcing() {
    let t = broken(
        "sourcing = { textiles = 0.7, services = 0.3 }",
        "sourcing = { textile = 0.7, services = 0.3 }",
    );
    let d = expect(
        &errors(&t),
        "unknown sector `textile`",
        "scenario.toml",
        Some(line_of(&t, "sourcing")),
        Some("zones.alpha.linkages.sourcing.textile"),
    );
    assert!(d.help.unwrap().contains("`textiles`"));
}

#[test]
fn unknown_zone_ids_in_projects_investments_and_correlations() {
    let t = broken("zone = \"alpha\"", "zone = \"alpah\"");
    let d = expect(
        &errors(&t),
        "unknown zone `alpah`",
        "scenario.toml",
        Some(line_of(&t, "alpah")),
        Some("energy_projects.line.zone"),
    );
    assert!(d.message.contains("did you mean `alpha`"));

    let t = broken("zone = \"beta\"", "zone = \"gamma\"");
    expect(
        &errors(&t),
        "unknown zone `gamma`",
        "scenario.toml",
        Some(line_of(&t, "[[committed_investments]]")),
        Some("committed_investments"),
    );

    let t = broken(
        "\"zones.beta.investment.capital_per_ha\"",
        "\"zones.gamma.investment.capital_per_ha\"",
    );
    let d = expect(
        &errors(&t),
        "unknown parameter path `zones.gamma.investment.capital_per_ha`",
        "scenario.toml",
        Some(line_of(&t, "zones.gamma")),
        Some("correlations[0].between"),
    );
    assert!(
        d.help
            .unwrap()
            .contains("zones.alpha.investment.capital_per_ha")
    );
}

#[test]
fn unknown_parameter_path_lists_close_matches() {
    let t = broken(
        "\"zones.beta.investment.capital_per_ha\"",
        "\"zones.beta.investment.capital_per_hectare\"",
    );
    let d = expect(
        &errors(&t),
        "unknown parameter path",
        "scenario.toml",
        None,
        Some("correlations[0].between"),
    );
    assert!(
        d.help
            .unwrap()
            .contains("close matches: zones.beta.investment.capital_per_ha")
    );
    // A fixed parameter cannot be correlated.
    let t = broken(
        "\"zones.beta.investment.capital_per_ha\"",
        "\"zones.beta.investment.bass_p\"",
    );
    expect(
        &errors(&t),
        "is a fixed value",
        "scenario.toml",
        None,
        Some("correlations[0].between"),
    );
}

#[test]
fn duplicate_zone_ids() {
    let t = broken("id = \"beta\"", "id = \"alpha\"");
    let d = expect(
        &errors(&t),
        "duplicate zone id `alpha`",
        "scenario.toml",
        Some(line_of(&t, "id = \"alpha\"\nname = \"Beta\"")),
        Some("zones[1].id"),
    );
    assert!(
        d.message
            .contains(&format!("scenario.toml:{}", line_of(&t, "id = \"alpha\"")))
    );
}

#[test]
fn names_and_ids_outside_their_character_sets() {
    for bad in ["../../etc", "a b", "x/y", ""] {
        let t = broken("name = \"t\"", &format!("name = \"{bad}\""));
        let d = expect(
            &errors(&t),
            "may only use letters, digits",
            "scenario.toml",
            Some(2),
            Some("scenario.name"),
        );
        assert!(d.help.unwrap().contains("output folder"));
    }
    let t = broken("id = \"beta\"", "id = \"Beta-1\"");
    expect(
        &errors(&t),
        "zone id `Beta-1` may only use lower-case letters",
        "scenario.toml",
        Some(line_of(&t, "Beta-1")),
        Some("zones[1].id"),
    );
}

#[test]
fn io_matrix_not_square_or_explosive() {
    let t = VALID;
    let not_square = "sector,textiles,services,jobs_per_musd\ntextiles,0.2,0.1,50\n";
    expect(
        &errors_with(t, &[("io.csv", not_square.as_bytes())]),
        "must be square",
        "io.csv",
        None,
        Some("io.coefficients"),
    );
    let explosive =
        "sector,textiles,services,jobs_per_musd\ntextiles,0.9,0.5,50\nservices,0.5,0.9,30\n";
    let d = expect(
        &errors_with(t, &[("io.csv", explosive.as_bytes())]),
        "spectral radius 1.4000",
        "io.csv",
        None,
        Some("io.coefficients"),
    );
    assert!(d.message.contains("must be below 1"));
    let misordered =
        "sector,textiles,services,jobs_per_musd\nservices,0.1,0.2,30\ntextiles,0.2,0.1,50\n";
    expect(
        &errors_with(t, &[("io.csv", misordered.as_bytes())]),
        "rows must follow the column order",
        "io.csv",
        Some(2),
        Some("io.coefficients"),
    );
}

#[test]
fn correlation_matrix_not_positive_definite_names_the_pairs() {
    let extra = r#"
[[correlations]]
between = ["zones.alpha.investment.capital_per_ha", "global.regulatory_shock_cut"]
spearman = -0.9

[[correlations]]
between = ["zones.beta.investment.capital_per_ha", "global.regulatory_shock_cut"]
spearman = -0.9
"#;
    let t = broken("spearman = 0.5", "spearman = -0.9") + extra;
    let d = expect(
        &errors(&t),
        "not positive definite",
        "scenario.toml",
        None,
        Some("correlations"),
    );
    assert!(d.message.contains("global.regulatory_shock_cut"), "{d}");
    assert!(
        d.message.contains("zones.alpha.investment.capital_per_ha"),
        "{d}"
    );
}

#[test]
fn missing_csv_file_or_column() {
    let t = broken(
        "port_capacity_teu = 50000",
        "port_capacity_teu = { csv = \"port.csv\", column = \"teu\" }",
    );
    let d = expect(
        &errors(&t),
        "cannot read",
        "scenario.toml",
        Some(line_of(&t, "port.csv")),
        Some("global.port_capacity_teu"),
    );
    assert!(d.message.contains("no such file"));
    let port = b"year,capacity\n2025,1000\n";
    let d = expect(
        &errors_with(&t, &[("port.csv", port)]),
        "column `teu` not found",
        "port.csv",
        Some(1),
        Some("global.port_capacity_teu"),
    );
    assert!(d.message.contains("year, capacity"));
}

#[test]
fn non_numeric_csv_cells() {
    let t = broken(
        "port_capacity_teu = 50000",
        "port_capacity_teu = { csv = \"port.csv\", column = \"teu\" }",
    );
    let port = b"year,teu\n2025,1000\n2027,lots\n";
    expect(
        &errors_with(&t, &[("port.csv", port)]),
        "column `teu`: expected a finite number, found `lots`",
        "port.csv",
        Some(3),
        Some("global.port_capacity_teu"),
    );
    let port = b"year,teu\n2025,1000\n2024,2000\n";
    expect(
        &errors_with(&t, &[("port.csv", port)]),
        "years must increase",
        "port.csv",
        Some(3),
        Some("global.port_capacity_teu"),
    );
}

#[test]
fn empty_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.toml");
    std::fs::write(&path, "  \n").unwrap();
    let Diagnostics(d) = sezsim::load(&path).unwrap_err();
    expect(&d, "is empty", "empty.toml", None, None);

    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"[scenario]\nname = \"caf\xe9\"\n").unwrap();
    let Diagnostics(d) = sezsim::load(&path).unwrap_err();
    expect(&d, "not UTF-8", "latin1.toml", Some(2), None);

    let t = broken(
        "port_capacity_teu = 50000",
        "port_capacity_teu = { csv = \"port.csv\", column = \"teu\" }",
    );
    expect(
        &errors_with(&t, &[("port.csv", b"")]),
        "is empty",
        "port.csv",
        None,
        None,
    );
    expect(
        &errors_with(&t, &[("port.csv", b"year,teu\n2025,\xff\n")]),
        "not UTF-8",
        "port.csv",
        Some(2),
        None,
    );
}

#[test]
fn absurd_sizes() {
    let t = broken("replications = 10", "replications = 0");
    expect(
        &errors(&t),
        "expected an integer from 1 to 1000000000, found 0",
        "scenario.toml",
        Some(5),
        Some("scenario.replications"),
    );
    let t = broken("years = 5", "years = 1000000");
    expect(
        &errors(&t),
        "expected an integer from 1 to 500, found 1000000",
        "scenario.toml",
        Some(4),
        Some("scenario.years"),
    );
    let t = broken("seed = 1", "seed = -4");
    expect(
        &errors(&t),
        "found -4",
        "scenario.toml",
        Some(6),
        Some("scenario.seed"),
    );
}

#[test]
fn missing_required_keys_and_sections() {
    let t = broken("bass_q = 0.38\n", "");
    let d = expect(
        &errors(&t),
        "missing required key `bass_q` in [zones.investment]",
        "scenario.toml",
        None,
        Some("zones.alpha.investment.bass_q"),
    );
    assert!(d.help.unwrap().contains("add `bass_q ="));
    let t = broken("[io]\ncoefficients = \"io.csv\"\n", "");
    expect(
        &errors(&t),
        "missing required key `io`",
        "scenario.toml",
        Some(1),
        Some("io"),
    );
}

#[test]
fn series_refuse_distributions() {
    let t = broken(
        "grid_availability = 0.85",
        "grid_availability = { dist = \"uniform\", min = 0.8, max = 0.9 }",
    );
    expect(
        &errors(&t),
        "is a series",
        "scenario.toml",
        Some(line_of(&t, "grid_availability = {")),
        Some("global.grid_availability"),
    );
}

#[test]
fn extends_cycle_and_missing_parent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "extends = \"b.toml\"\n[scenario]\nname = \"a\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.toml"), "extends = \"a.toml\"\n").unwrap();
    let Diagnostics(d) = sezsim::load(&dir.path().join("a.toml")).unwrap_err();
    expect(
        &d,
        "`extends` forms a cycle",
        "b.toml",
        Some(1),
        Some("extends"),
    );

    std::fs::write(dir.path().join("c.toml"), "\nextends = \"nowhere.toml\"\n").unwrap();
    let Diagnostics(d) = sezsim::load(&dir.path().join("c.toml")).unwrap_err();
    expect(&d, "cannot read", "c.toml", Some(2), Some("extends"));
}

#[test]
fn toml_syntax_error_is_located() {
    let t = broken("bass_q = 0.38", "bass_q = 0.38 0.4");
    expect(
        &errors(&t),
        "invalid TOML",
        "scenario.toml",
        Some(line_of(&t, "0.38 0.4")),
        None,
    );
}

#[test]
fn errors_in_a_parent_file_point_at_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("io.csv"), IO).unwrap();
    let parent = broken("depreciation = 0.05", "depreciation = 5");
    std::fs::write(dir.path().join("parent.toml"), &parent).unwrap();
    std::fs::write(
        dir.path().join("child.toml"),
        "extends = \"parent.toml\"\n[scenario]\nname = \"c\"\n",
    )
    .unwrap();
    let Diagnostics(d) = sezsim::load(&dir.path().join("child.toml")).unwrap_err();
    expect(
        &d,
        "expected a share in [0, 1], found 5",
        "parent.toml",
        Some(line_of(&parent, "depreciation = 5")),
        None,
    );
}

#[test]
fn every_error_is_reported_not_only_the_first() {
    let t = broken("bass_p = 0.03", "bass_pp = 0.03")
        .replace("grid_mw = 20", "grid_mw = -20")
        .replace("replications = 10", "replications = 0")
        .replace("zone = \"alpha\"", "zone = \"nowhere\"");
    let d = errors(&t);
    for fragment in ["bass_pp", "grid_mw", "replications", "nowhere"] {
        assert!(
            d.iter().any(|e| e.to_string().contains(fragment)),
            "{fragment} not reported"
        );
    }
    // A value inherited from [zone_defaults] is reported once, not per zone.
    assert_eq!(
        d.iter().filter(|e| e.message.contains("found -20")).count(),
        1
    );
}

#[test]
fn reserved_zone_ids_are_refused() {
    for reserved in ["total", "national"] {
        let t = broken("id = \"beta\"", &format!("id = \"{reserved}\""));
        let d = expect(
            &errors(&t),
            &format!("zone id `{reserved}` is reserved"),
            "scenario.toml",
            Some(line_of(&t, &format!("id = \"{reserved}\""))),
            Some("zones[1].id"),
        );
        assert!(d.help.unwrap().contains("choose another id"));
    }
}

#[test]
fn a_chart_listed_twice_is_refused() {
    let t = format!("{VALID}\n[outputs]\ncharts = [\"exports\", \"output\",\n  \"exports\"]\n");
    let d = expect(
        &errors(&t),
        "`exports` is listed twice",
        "scenario.toml",
        Some(line_of(&t, "  \"exports\"]")),
        Some("outputs.charts[2]"),
    );
    // The message says where the first one is.
    assert!(
        d.message
            .contains(&format!("scenario.toml:{}", line_of(&t, "charts = ["))),
        "{d}"
    );
}

/// The valid scenario with its energy project read from `projects.csv`.
fn with_projects_csv() -> String {
    let inline = "[[energy_projects]]\nname = \"line\"\nzone = \"alpha\"\ncapacity_mw = 100\n\
                  capacity_factor = 1.0\nzone_share = 0.5\nplanned_year = 2026\n\
                  delay = { dist = \"triangular\", min = 0, mode = 1, max = 3 }\n";
    assert!(VALID.contains(inline));
    format!(
        "energy_projects = \"projects.csv\"\n{}",
        VALID.replace(inline, "")
    )
}

#[test]
fn every_error_of_an_energy_projects_csv_is_reported_at_once() {
    let t = with_projects_csv();
    let header = "name,zone,capacity_mw,capacity_factor,zone_share,planned_year,delay_min,delay_mode,delay_max\n";
    let good = format!("{header}a,alpha,10,0.5,1,2026,0,1,2\n");
    if let Err(e) = load_with(&t, &[("projects.csv", good.as_bytes())]) {
        panic!("the CSV form of the fixture is valid, but:\n{e}");
    }
    // Line 2: a bad number and an unknown zone in the same row; line 3: a
    // share above 1 and a delay with min above max; line 4: a repeated name
    // and a year that is not an integer.
    let csv = format!(
        "{header}a,alpha,lots,0.5,1,2026,0,1,2\nb,gamma,10,0.5,1.5,2026,3,1,2\nb,beta,10,0.5,1,soon,0,1,x\n"
    );
    let d = errors_with(&t, &[("projects.csv", csv.as_bytes())]);
    let key = Some("energy_projects");
    expect(
        &d,
        "`capacity_mw`: expected a finite number, found `lots`",
        "projects.csv",
        Some(2),
        key,
    );
    expect(
        &d,
        "zone: unknown zone `gamma`",
        "projects.csv",
        Some(3),
        key,
    );
    expect(
        &d,
        "zone_share: expected a share in [0, 1], found 1.5",
        "projects.csv",
        Some(3),
        key,
    );
    expect(&d, "delay:", "projects.csv", Some(3), key);
    expect(
        &d,
        "name: duplicate energy project name `b`",
        "projects.csv",
        Some(4),
        key,
    );
    expect(
        &d,
        "`planned_year`: expected an integer, found `soon`",
        "projects.csv",
        Some(4),
        key,
    );
    expect(
        &d,
        "`delay_max`: expected a finite number, found `x`",
        "projects.csv",
        Some(4),
        key,
    );
    // And a missing column with the wrong delay columns, together.
    let csv = "name,zone,capacity_factor,zone_share,planned_year,delay_min\na,alpha,0.5,1,2026,0\n";
    let d = errors_with(&t, &[("projects.csv", csv.as_bytes())]);
    expect(
        &d,
        "column `capacity_mw` not found",
        "projects.csv",
        Some(1),
        key,
    );
    expect(
        &d,
        "either a `delay` column or the three columns",
        "projects.csv",
        Some(1),
        key,
    );
}

#[test]
fn every_problem_of_an_inline_energy_project_is_reported_at_once() {
    let t = broken("capacity_mw = 100", "capacity_mw = \"big\"")
        .replace("zone = \"alpha\"", "zone = \"gamma\"")
        .replace("zone_share = 0.5", "zone_share = 2");
    let d = errors(&t);
    let key = |k: &str| format!("energy_projects.line.{k}");
    expect(
        &d,
        "expected a number, found a string",
        "scenario.toml",
        Some(line_of(&t, "\"big\"")),
        Some(&key("capacity_mw")),
    );
    expect(
        &d,
        "unknown zone `gamma`",
        "scenario.toml",
        Some(line_of(&t, "gamma")),
        Some(&key("zone")),
    );
    expect(
        &d,
        "expected a share in [0, 1], found 2",
        "scenario.toml",
        None,
        Some(&key("zone_share")),
    );
}

#[test]
fn a_value_replaced_by_a_child_is_checked_in_the_child() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("io.csv"), IO).unwrap();
    std::fs::write(dir.path().join("parent.toml"), VALID).unwrap();
    let child_text = "extends = \"parent.toml\"\n[scenario]\nname = \"c\"\n\
                      [zone_defaults.investment]\n\
                      capital_per_ha = { dist = \"lognormal\", mean = 1.6, sd = -1 }\n\
                      [global]\n\
                      regulatory_shock_cut = { max = 0.8 }\n\
                      port_capacity_teu = { column = \"teu\" }\n";
    let child = dir.path().join("child.toml");
    std::fs::write(&child, child_text).unwrap();
    let Diagnostics(d) = sezsim::load(&child).unwrap_err();
    // The kind changed: the parent's triangular fields are gone, and the
    // lognormal's own problem is located in the child.
    assert!(
        !d.iter().any(|e| e.message.contains("is not a key of")),
        "{d:?}"
    );
    expect(
        &d,
        "sd",
        "child.toml",
        Some(line_of(child_text, "sd = -1")),
        Some("zones.alpha.investment.capital_per_ha.sd"),
    );
    // A partial table does not patch the inherited distribution or series:
    // it replaces it, and is reported as incomplete where it was written.
    let e = expect(
        &d,
        "expected a number or a distribution table with a `dist` key",
        "child.toml",
        Some(line_of(child_text, "{ max = 0.8 }")),
        Some("global.regulatory_shock_cut"),
    );
    assert!(e.help.unwrap().contains("replaced whole"));
    expect(
        &d,
        "missing required key `csv`",
        "child.toml",
        Some(line_of(child_text, "{ column")),
        Some("global.port_capacity_teu.csv"),
    );
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let limit = sezsim::scenario::raw::MAX_FILE_BYTES;
    assert_eq!(
        limit,
        64 * 1024 * 1024,
        "docs/scenario-format.md says 64 MiB"
    );
    let dir = tempfile::tempdir().unwrap();
    // A sparse file: one byte over the limit costs no disk space.
    let huge = dir.path().join("huge.toml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(limit + 1)
        .unwrap();
    let message = format!("is {} bytes; input files are limited to 64 MiB", limit + 1);
    // As the scenario, as a parent, as a CSV.
    let Diagnostics(d) = sezsim::load(&huge).unwrap_err();
    expect(&d, &message, "huge.toml", None, None);
    let child = dir.path().join("child.toml");
    std::fs::write(&child, "\n\nextends = \"huge.toml\"\n").unwrap();
    let Diagnostics(d) = sezsim::load(&child).unwrap_err();
    let e = expect(&d, &message, "child.toml", Some(3), Some("extends"));
    assert!(e.message.contains("huge.toml"), "{e}");
    let t = broken(
        "port_capacity_teu = 50000",
        "port_capacity_teu = { csv = \"huge.toml\", column = \"teu\" }",
    );
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::write(dir2.path().join("io.csv"), IO).unwrap();
    std::fs::rename(&huge, dir2.path().join("huge.toml")).unwrap();
    let path = dir2.path().join("scenario.toml");
    std::fs::write(&path, &t).unwrap();
    let Diagnostics(d) = sezsim::load(&path).unwrap_err();
    expect(
        &d,
        &message,
        "scenario.toml",
        Some(line_of(&t, "huge.toml")),
        Some("global.port_capacity_teu"),
    );
}

//! Labels of parameters: every kind of parameter gets a default label in
//! words, a `label` written in the scenario replaces it (and one written in
//! `[zone_defaults]` gets each zone's name in front), a bad label is a
//! located input error, and labels reach the tornado charts while the CSV
//! files keep the paths.

mod support;

use std::path::Path;

use assert_cmd::Command;
use sezsim::scenario::Scenario;

/// The label of the parameter at `path` in `s`.
fn label<'a>(s: &'a Scenario, path: &str) -> &'a str {
    let id = s
        .parameters
        .id(path)
        .unwrap_or_else(|| panic!("no parameter {path}"));
    s.parameters.get(id).label()
}

#[test]
fn every_kind_of_sez_parameter_has_a_default_label_in_words() {
    let s = support::load(Path::new("scenarios/cpec_baseline.toml"));
    let cases = [
        // [global]
        ("global.demand_volatility", "Global: demand volatility"),
        (
            "global.outage_unplanned_logsd",
            "Global: unplanned outage hours, log sd",
        ),
        // A common parameter of [zone_defaults] (scope = "common").
        (
            "zone_defaults.workforce.skilled_share",
            "All zones: skilled share",
        ),
        (
            "zone_defaults.production.va_share",
            "All zones: value-added share",
        ),
        // A zone's own parameter: the zone's name up to its first comma.
        (
            "zones.dhabeji.investment.capital_per_ha",
            "Dhabeji SEZ: capital per hectare",
        ),
        (
            "zones.allama_iqbal.investment.fdi_share",
            "Allama Iqbal Industrial City: FDI share",
        ),
        (
            "zones.allama_iqbal.investment.bass_q",
            "Allama Iqbal Industrial City: Bass imitation coefficient q",
        ),
        // A phase of a zone.
        (
            "zones.rashakai.phases.phase_2.delay",
            "Rashakai SEZ: phase 2, delay",
        ),
        // An energy project.
        (
            "energy_projects.bostan_feeder.delay",
            "Bostan feeder (energy project): delay",
        ),
    ];
    for (path, want) in cases {
        assert_eq!(label(&s, path), want, "{path}");
    }
    // Every parameter, fixed or uncertain, reads as words: no dotted path,
    // no underscore.
    for (_, p) in s.parameters.iter() {
        let l = p.label();
        assert!(!l.contains('_') && !l.contains('.'), "{}: {l}", p.path);
    }
}

#[test]
fn a_benchmark_parameter_has_its_section_and_key_as_label() {
    let toml = r#"
[scenario]
name = "ishigami_labels"
[model]
kind = "ishigami"
[inputs]
x1 = { dist = "uniform", min = -3.14, max = 3.14 }
x2 = { dist = "uniform", min = -3.14, max = 3.14, label = "Second input" }
x3 = { dist = "uniform", min = -3.14, max = 3.14 }
"#;
    let (_d, path) = support::scenario_dir(toml, &[]);
    let s = support::load(&path);
    assert_eq!(label(&s, "inputs.x1"), "Inputs: x1");
    assert_eq!(label(&s, "inputs.x2"), "Second input");
}

/// The full fixture with a label on one zone's parameter and one in
/// `[zone_defaults]`, which both zones inherit.
fn labelled_fixture(dir: &Path) -> std::path::PathBuf {
    let base = std::fs::canonicalize("tests/fixtures/full/base.toml").unwrap();
    let toml = format!(
        r#"extends = "{}"

[scenario]
name = "labelled"

[zone_defaults.investment]
capital_per_ha = {{ dist = "triangular", min = 1.0, mode = 1.6, max = 2.3, label = "Capital per hectare" }}

[[zones]]
id = "north"
  [zones.exports]
  export_share = {{ dist = "uniform", min = 0.05, max = 0.95, label = "Export share, North (custom)" }}
"#,
        base.display()
    );
    let path = dir.join("labelled.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

#[test]
fn a_written_label_replaces_the_default_and_zone_defaults_labels_name_the_zone() {
    let d = tempfile::tempdir().unwrap();
    let s = support::load(&labelled_fixture(d.path()));
    assert_eq!(
        label(&s, "zones.north.exports.export_share"),
        "Export share, North (custom)"
    );
    assert_eq!(
        label(&s, "zones.north.investment.capital_per_ha"),
        "North zone: Capital per hectare"
    );
    assert_eq!(
        label(&s, "zones.south.investment.capital_per_ha"),
        "South zone: Capital per hectare"
    );
}

#[test]
fn a_custom_label_appears_in_the_tornado_chart_and_the_csv_keeps_the_path() {
    let d = tempfile::tempdir().unwrap();
    let scenario = labelled_fixture(d.path());
    let out = d.path().join("run");
    Command::cargo_bin("sezsim")
        .unwrap()
        .arg("run")
        .arg(&scenario)
        .args(["-q", "-n", "300", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("charts/tornado_exports_final.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(texts.contains(&"Export share, North (custom)"), "{texts:?}");
    assert!(
        !texts.iter().any(|t| t.contains("zones.north")),
        "a path in the chart: {texts:?}"
    );
    let reservoir = std::fs::read_to_string(out.join("reservoir.csv")).unwrap();
    let header = reservoir.lines().next().unwrap();
    assert!(
        header.contains("zones.north.exports.export_share") && !header.contains("custom"),
        "{header}"
    );
}

#[test]
fn a_bad_label_is_an_input_error_with_its_location() {
    for (bad, says) in [
        ("\"\"", "cannot be empty"),
        ("\"a\\nb\"", "one line"),
        (
            &format!("\"{}\"", "x".repeat(121)),
            "at most 120 characters",
        ),
        ("3", "label"),
    ] {
        let toml = format!(
            r#"
[scenario]
name = "bad_label"
[model]
kind = "ishigami"
[inputs]
x1 = {{ dist = "uniform", min = -3.14, max = 3.14 }}
x2 = {{ dist = "uniform", min = -3.14, max = 3.14, label = {bad} }}
x3 = {{ dist = "uniform", min = -3.14, max = 3.14 }}
"#
        );
        let (_d, path) = support::scenario_dir(&toml, &[]);
        let o = Command::cargo_bin("sezsim")
            .unwrap()
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("inputs.x2.label"), "{bad}: {stderr}");
        assert!(stderr.contains(":8:"), "{bad}: the line: {stderr}");
        assert!(stderr.contains(says), "{bad}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

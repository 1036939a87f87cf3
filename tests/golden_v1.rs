//! Version-1 scenarios keep their results, byte for byte.
//!
//! `tests/fixtures/v1/` holds the CPEC scenarios as they were before model
//! version 2 (the shipped files may move on to version 2; these stay), and
//! `tests/golden/v1/<name>/` the summary.csv and scalars.csv that the build
//! of that time wrote for them (`sezsim run FILE -n 2000 --seed 7`, and the
//! baseline with `--deterministic`). Outputs added since are allowed only
//! as rows of the names in `ADDED_SERIES` / `ADDED_SCALARS` after every
//! golden row, which must come out identical and in the same order.
//! If a change of numbers is ever intended, regenerate the files with the
//! commands above and say why in the commit.

use std::path::Path;

use assert_cmd::Command;

/// Outputs added after the golden files were written (they may appear as
/// extra rows; nothing else may).
const ADDED_SERIES: &[&str] = &[
    "serviced_area",
    "outage_hours",
    "energy_cost",
    "margin",
    "policy_cost",
    "outage_unplanned_hours",
    "outage_planned_hours",
];
const ADDED_SCALARS: &[&str] = &["public_cost_pv", "job_years"];

fn run(scenario: &str, out: &Path, args: &[&str]) {
    let o = Command::cargo_bin("sezsim")
        .unwrap()
        .args(["run", scenario, "-q", "--out"])
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Compare `got` with the golden `want`: same header, every golden row in
/// place and in order, and after them only rows of added outputs (new
/// outputs are appended after the existing ones).
fn assert_same_rows(file: &str, want: &str, got: &str, added: &[&str]) {
    let got: Vec<&str> = got.lines().collect();
    let want: Vec<&str> = want.lines().collect();
    assert!(got.len() >= want.len(), "{file}: rows missing");
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{file}: line {} differs", k + 1);
    }
    for line in &got[want.len()..] {
        let name = line.split(',').next().unwrap_or("");
        assert!(
            added.contains(&name),
            "{file}: an extra row not of an added output: {line}"
        );
    }
}

fn check(name: &str, args: &[&str], golden: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    run(&format!("tests/fixtures/v1/{name}.toml"), &out, args);
    for (file, added) in [
        ("summary.csv", ADDED_SERIES),
        ("scalars.csv", ADDED_SCALARS),
    ] {
        let want = std::fs::read_to_string(format!("tests/golden/v1/{golden}/{file}")).unwrap();
        let got = std::fs::read_to_string(out.join(file)).unwrap();
        assert_same_rows(&format!("{golden}/{file}"), &want, &got, added);
    }
}

#[test]
fn baseline() {
    check(
        "cpec_baseline",
        &["-n", "2000", "--seed", "7"],
        "cpec_baseline",
    );
}

#[test]
fn baseline_deterministic() {
    check(
        "cpec_baseline",
        &["--deterministic"],
        "cpec_baseline_deterministic",
    );
}

#[test]
fn energy_reliability() {
    let name = "cpec_energy_reliability";
    check(name, &["-n", "2000", "--seed", "7"], name);
}

#[test]
fn incentives_restored() {
    let name = "cpec_incentives_restored";
    check(name, &["-n", "2000", "--seed", "7"], name);
}

#[test]
fn policy_shock() {
    let name = "cpec_policy_shock";
    check(name, &["-n", "2000", "--seed", "7"], name);
}

#[test]
fn skills_scaleup() {
    let name = "cpec_skills_scaleup";
    check(name, &["-n", "2000", "--seed", "7"], name);
}

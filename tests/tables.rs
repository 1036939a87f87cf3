//! `[outputs] tables`: which yearly series a run summarises. Fewer tables
//! must never change a number that is still written.

mod support;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use support::{chart_stems, extending};

const BASE: &str = "tests/fixtures/full/base.toml";

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

fn run(scenario: &Path, out: &Path, extra: &[&str]) {
    let o = sezsim()
        .arg("run")
        .arg(scenario)
        .args(["-q", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

/// The base fixture with `[outputs] tables = "<tables>"`.
fn with_tables(dir: &Path, tables: &str) -> std::path::PathBuf {
    extending(
        dir,
        &format!("{tables}.toml"),
        BASE,
        &format!("[outputs]\ntables = \"{tables}\"\n"),
    )
}

/// The rows of `csv` whose first field is one of `outputs`, header kept.
fn rows_of(csv: &str, outputs: &[&str]) -> String {
    let mut lines = csv.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines.filter(|l| outputs.contains(&l.split(',').next().unwrap())) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn charted_and_scalar_tables_change_no_number_still_written() {
    let dir = tempfile::tempdir().unwrap();
    let all = with_tables(dir.path(), "all");
    let charted = with_tables(dir.path(), "charted");
    let scalars = with_tables(dir.path(), "scalars");
    // Within the exact limit (values kept) and beyond it (bucket codes).
    for n in ["300", "2600"] {
        let out = |name: &str| dir.path().join(format!("{name}-{n}"));
        for (scenario, name) in [(&all, "all"), (&charted, "charted"), (&scalars, "scalars")] {
            run(scenario, &out(name), &["-n", n, "--threads", "2"]);
        }
        let (a, c, s) = (out("all"), out("charted"), out("scalars"));
        for file in ["scalars.csv", "reservoir.csv"] {
            assert_eq!(read(&a, file), read(&c, file), "{file}, n {n}");
            assert_eq!(read(&a, file), read(&s, file), "{file}, n {n}");
        }
        // The fixture charts exports and capital: their rows, bit for bit.
        let summary = read(&a, "summary.csv");
        assert_eq!(
            read(&c, "summary.csv"),
            rows_of(&summary, &["exports", "capital"])
        );
        assert!(read(&c, "summary.csv").lines().count() > 1 + 2 * 8);
        assert_eq!(read(&s, "summary.csv"), rows_of(&summary, &[]));
        assert_eq!(read(&a, "intervals.csv"), read(&c, "intervals.csv"));
        let scalar_intervals = read(&a, "intervals.csv")
            .lines()
            .filter(|l| !l.starts_with("exports,") && !l.starts_with("capital,"))
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        assert_eq!(read(&s, "intervals.csv"), scalar_intervals);
        assert_eq!(read(&a, "fan.csv"), read(&c, "fan.csv"));
        // Charts: the same with charted tables; no fan chart without them.
        assert_eq!(
            chart_stems(&a.join("charts")),
            chart_stems(&c.join("charts"))
        );
        let without_fans: Vec<String> = chart_stems(&a.join("charts"))
            .into_iter()
            .filter(|stem| !stem.starts_with("fan"))
            .collect();
        assert!(without_fans.len() < chart_stems(&a.join("charts")).len());
        assert_eq!(chart_stems(&s.join("charts")), without_fans);
    }
    let n = "2600";
    let report = read(&dir.path().join(format!("scalars-{n}")), "report.md");
    assert!(
        report.contains("| Yearly tables | none (scalars only) |"),
        "{report}"
    );
    assert!(
        report.contains("No fan charts: `tables = \"scalars\"`"),
        "{report}"
    );
    assert!(
        report.contains("| Horizon |"),
        "the model still has a horizon"
    );
    let report = read(&dir.path().join(format!("all-{n}")), "report.md");
    assert!(
        !report.contains("Yearly tables"),
        "the default says nothing"
    );
    let manifest = read(&dir.path().join(format!("charted-{n}")), "manifest.json");
    assert!(manifest.contains("\"tables\": \"charted\""), "{manifest}");
    assert!(!read(&dir.path().join(format!("all-{n}")), "manifest.json").contains("\"tables\""));
}

#[test]
fn shards_with_charted_tables_merge_into_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    let charted = with_tables(dir.path(), "charted");
    let whole = dir.path().join("whole");
    run(&charted, &whole, &["-n", "1500"]);
    for i in 1..=2 {
        let shard = format!("{i}/2");
        run(
            &charted,
            &dir.path().join(format!("s{i}")),
            &["-n", "1500", "--shard", &shard],
        );
    }
    let merged = dir.path().join("merged");
    let o = sezsim()
        .arg("merge")
        .args([dir.path().join("s1"), dir.path().join("s2")])
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for file in ["summary.csv", "scalars.csv", "intervals.csv", "fan.csv"] {
        assert_eq!(read(&whole, file), read(&merged, file), "{file}");
    }
}

#[test]
fn an_unknown_setting_is_a_located_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let bad = extending(
        dir.path(),
        "bad.toml",
        BASE,
        "[outputs]\ntables = \"charts\"\n",
    );
    sezsim()
        .args(["check"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:3:"))
        .stderr(predicate::str::contains("outputs.tables"))
        .stderr(predicate::str::contains(
            "unknown setting `charts`; settings: all, charted, scalars",
        ))
        .stderr(predicate::str::contains("did you mean `charted`?"));
}

#[test]
fn a_precision_request_needs_the_table_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let file = extending(
        dir.path(),
        "p.toml",
        BASE,
        "[outputs]\ntables = \"scalars\"\nprecision = [\"exports.total.2030=5%\"]\n",
    );
    sezsim()
        .args(["check"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("outputs.precision[0]"))
        .stderr(predicate::str::contains(
            "`tables = \"scalars\"` keeps no table of `exports`",
        ));
    // The same request on the command line, and a scalar that is fine.
    let scalars = extending(
        dir.path(),
        "random.toml",
        BASE,
        "[scenario]\nsampling = \"random\"\n[outputs]\ntables = \"scalars\"\n",
    );
    let out = dir.path().join("out");
    sezsim()
        .arg("run")
        .arg(&scalars)
        .args(["-q", "--precision", "exports.total.2030=5%", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "[outputs] tables = \"scalars\" keeps only the scalars",
        ));
    assert!(!out.exists());
    run(
        &scalars,
        &out,
        &["--precision", "exports_final=20%", "-n", "20000"],
    );
    assert!(read(&out, "manifest.json").contains("\"met\": true"));
}

#[test]
fn compare_pairs_the_same_scalars_and_overlays_only_what_every_scenario_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let pair = |sub: &str, x: &str, y: &str| {
        let d = dir.path().join(sub);
        std::fs::create_dir(&d).unwrap();
        let file = |name: &str, tables: &str| {
            extending(
                &d,
                &format!("{name}.toml"),
                BASE,
                &format!("[scenario]\nname = \"{name}\"\n[outputs]\ntables = \"{tables}\"\n"),
            )
        };
        let (x, y) = (file("x", x), file("y", y));
        let out = d.join("out");
        let o = sezsim()
            .arg("compare")
            .args([&x, &y])
            .args(["-q", "-n", "600", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let all = pair("all", "all", "all");
    let mixed = pair("mixed", "scalars", "charted");
    let charted = pair("charted", "charted", "charted");
    for file in ["compare.csv", "compare.md"] {
        assert_eq!(read(&all, file), read(&mixed, file), "{file}");
    }
    assert!(chart_stems(&all.join("charts")).len() >= 2);
    assert_eq!(
        chart_stems(&charted.join("charts")),
        chart_stems(&all.join("charts"))
    );
    assert!(
        !mixed.join("charts").exists(),
        "x keeps no table to overlay"
    );
}

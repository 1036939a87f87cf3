//! `sezsim compare`: paired differences under common random numbers.

mod support;

use assert_cmd::Command;
use sezsim::compare::{self, CompareSettings};
use sezsim::engine::Record;
use sezsim::output::charts::FanData;
use sezsim::output::charts::overlay::{OverlayData, OverlayScenario, render_overlay};
use sezsim::run::Prepared;
use sezsim::scenario::Scenario;

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn a_variant_identical_to_the_base_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let same = support::extending(
        dir.path(),
        "same.toml",
        "tests/fixtures/full/base.toml",
        "[scenario]\nname = \"same\"\n",
    );
    let out = dir.path().join("cmp");
    let o = sezsim()
        .args([
            "compare",
            "tests/fixtures/full/base.toml",
            "-q",
            "-n",
            "700",
        ])
        .arg(&same)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = csv_rows(&std::fs::read_to_string(out.join("compare.csv")).unwrap());
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let variant_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "same").collect();
    assert_eq!(variant_rows.len(), 8, "one row per scalar");
    for r in variant_rows {
        for c in [
            "diff_mean",
            "diff_sd",
            "diff_low95",
            "diff_high95",
            "p_higher",
        ] {
            assert_eq!(r[col(c)], "0", "{} {c}", r[0]);
        }
    }
    // The base's rows leave the difference columns empty.
    let base_row = rows.iter().find(|r| r[1] == "full_base").unwrap();
    assert_eq!(base_row[col("diff_mean")], "");
    // Each scenario also gets its run folder, and the Markdown table.
    assert!(out.join("full_base").join("summary.csv").is_file());
    assert!(out.join("same").join("scalars.csv").is_file());
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains(" 0 (0 to 0) | 0.000 |"), "{md}");
    // Overlay fan charts of the base's `[outputs].charts`, drawn from the
    // saved fan.csv files: the library redraws the same bytes from them.
    let charts = out.join("charts");
    assert_eq!(
        support::chart_stems(&charts),
        vec!["compare_capital", "compare_exports"]
    );
    let data = OverlayData {
        replications: 700,
        scenarios: ["full_base", "same"]
            .iter()
            .map(|name| {
                let path = out.join(name).join("fan.csv");
                let text = std::fs::read_to_string(&path).unwrap();
                let manifest: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(out.join(name).join("manifest.json")).unwrap(),
                )
                .unwrap();
                OverlayScenario {
                    title: manifest["title"].as_str().unwrap().to_string(),
                    fan: FanData::parse(&text, &path).unwrap(),
                }
            })
            .collect(),
        catalogue: sezsim::model::sez::outputs::catalogue(),
        chart_size: Default::default(),
    };
    for stem in ["compare_capital", "compare_exports"] {
        support::assert_good_chart(&charts, stem);
        let drawn = render_overlay(&data, stem.trim_start_matches("compare_")).unwrap();
        assert!(
            drawn.png == std::fs::read(charts.join(format!("{stem}.png"))).unwrap()
                && drawn.svg
                    == std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap(),
            "{stem}: the saved data does not redraw the same bytes"
        );
    }
}

/// Every replication's record of `scenario`, replications `0..n`.
fn records(scenario: &Scenario, n: u64) -> (sezsim::engine::OutputLayout, Vec<Record>) {
    let prepared = Prepared::new(scenario, n, scenario.seed, false).unwrap();
    let recs = (0..n).map(|r| prepared.run_one(r)).collect();
    (prepared.layout(), recs)
}

#[test]
fn raising_grid_availability_raises_it_in_every_replication_and_year() {
    let dir = tempfile::tempdir().unwrap();
    // The version-1 baseline's median availability runs from 0.60 to 0.70;
    // this variant changes that one input and nothing else.
    let base_file = std::fs::canonicalize("tests/fixtures/v1/cpec_baseline.toml").unwrap();
    let better = support::extending(
        dir.path(),
        "grid.toml",
        base_file.to_str().unwrap(),
        "[scenario]\nname = \"grid_085\"\n[global]\ngrid_availability = 0.85\n",
    );
    let base = support::load(&base_file);
    let var = support::load(&better);

    // Common random numbers at work: the same shocks, so a higher median
    // gives a higher availability in every replication and year.
    let n = 1000;
    let (layout, a) = records(&base, n);
    let (_, b) = records(&var, n);
    let s = layout
        .series
        .iter()
        .position(|s| s.output == "grid_availability" && s.zone == "national")
        .unwrap();
    let years = layout.years.len();
    for r in 0..n as usize {
        for t in 0..years {
            let (x, y) = (a[r].series[s * years + t], b[r].series[s * years + t]);
            assert!(
                y > x,
                "replication {r}, year {}: {y} <= {x}",
                layout.years[t]
            );
        }
    }

    // And the paired interval of the effect on served energy is narrower
    // than the interval two independent runs would give.
    let settings = CompareSettings {
        replications: n,
        seed: base.seed,
        threads: 2,
        out_dir: dir.path().join("cmp"),
        command: "test".into(),
    };
    let outcome = compare::compare(&[base, var], &settings, None).unwrap();
    let c = &outcome.comparison;
    let k = c
        .scalars
        .iter()
        .position(|s| s == "served_share_mean")
        .unwrap();
    let d = &c.paired[0][k];
    assert!(d.mean > 0.0 && d.low > 0.0, "a clear gain: {d:?}");
    assert!(
        d.width() < d.unpaired_width(),
        "paired {} vs unpaired {}",
        d.width(),
        d.unpaired_width()
    );
    eprintln!(
        "served_share_mean: paired width {:.3e}, unpaired {:.3e}, P(higher) {}",
        d.width(),
        d.unpaired_width(),
        d.p_higher
    );
}

#[test]
fn compare_refuses_scenarios_with_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    sezsim()
        .args([
            "compare",
            "tests/fixtures/full/base.toml",
            "tests/fixtures/full/base.toml",
            "-n",
            "10",
            "--out",
        ])
        .arg(dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "scenarios 1 and 2 are both named `full_base`",
        ));
    sezsim()
        .args(["compare", "tests/fixtures/full/base.toml"])
        .assert()
        .code(2);
}

/// Runs `sezsim compare base variant -n 400` and returns the folder.
fn compare_two(dir: &std::path::Path, base: &str, variant: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("cmp");
    let o = sezsim()
        .args(["compare", base, "-q", "-n", "400"])
        .arg(variant)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// The rows of `cost_effectiveness.csv` as maps from column to cell.
fn cost_rows(out: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = csv_rows(&std::fs::read_to_string(out.join("cost_effectiveness.csv")).unwrap());
    assert_eq!(
        rows[0],
        [
            "variant",
            "outcome",
            "outcome_diff",
            "cost_diff",
            "per_musd",
            "per_musd_lo",
            "per_musd_hi"
        ]
    );
    rows[1..]
        .iter()
        .map(|r| rows[0].iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// Doubling the training cost per trainee changes what the public pays and
/// nothing else: every outcome gains exactly 0 per USD million, with an
/// interval of exactly [0, 0] (the cost difference is far from zero).
#[test]
fn a_pure_cost_buys_exactly_nothing_per_dollar() {
    let dir = tempfile::tempdir().unwrap();
    let dearer = support::extending(
        dir.path(),
        "dearer.toml",
        "tests/fixtures/v2/fiscal.toml",
        "[scenario]\nname = \"dearer\"\n\
         [zone_defaults.workforce]\n\
         training_cost = { dist = \"uniform\", min = 1600, max = 3000 }\n",
    );
    let out = compare_two(dir.path(), "tests/fixtures/v2/fiscal.toml", &dearer);
    let rows = cost_rows(&out);
    let outcomes: Vec<&str> = rows.iter().map(|r| r["outcome"].as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "exports_cumulative",
            "value_added_cumulative",
            "job_years",
            "employment_final"
        ]
    );
    for r in &rows {
        assert_eq!(r["variant"], "dearer");
        assert_eq!(r["outcome_diff"], "0", "{r:?}");
        let cost: f64 = r["cost_diff"].parse().unwrap();
        assert!(cost > 0.0, "{r:?}");
        for c in ["per_musd", "per_musd_lo", "per_musd_hi"] {
            assert_eq!(r[c], "0", "{c}: {r:?}");
        }
    }
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("## Cost-effectiveness"), "{md}");
    assert!(!md.contains("No interval:"), "{md}");
}

/// A variant that changes demand but no public cost: the gains are
/// real, the ratio is undefined, and compare.md says why.
#[test]
fn no_cost_change_leaves_the_ratio_empty_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let demand = support::extending(
        dir.path(),
        "calmer.toml",
        "tests/fixtures/full/base.toml",
        "[scenario]\nname = \"calmer\"\n[global]\ndemand_volatility = 0.02\n",
    );
    let out = compare_two(dir.path(), "tests/fixtures/full/base.toml", &demand);
    let rows = cost_rows(&out);
    assert!(!rows.is_empty());
    assert!(rows.iter().any(|r| r["outcome_diff"] != "0"), "{rows:?}");
    for r in &rows {
        assert_eq!(r["cost_diff"], "0", "{r:?}");
        for c in ["per_musd", "per_musd_lo", "per_musd_hi"] {
            assert_eq!(r[c], "", "{c}: {r:?}");
        }
    }
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains(
            "- `calmer`: the variant costs the public purse the same as the base in every replication"
        ),
        "{md}"
    );
}

//! `sezsim run`: the run folder, reproducibility, atomicity, and a Monte
//! Carlo check against a published analytic result.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use sezsim::engine::{Hooks, ReplicationValues, RunOptions};
use sezsim::run::Prepared;

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

fn run_to(scenario: &str, out: &Path, extra: &[&str]) {
    let o = sezsim()
        .args(["run", scenario, "-q", "--out"])
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

#[test]
fn run_folder_has_the_contracted_files_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("base");
    run_to(
        "tests/fixtures/full/base.toml",
        &out,
        &["-n", "300", "--save-replications"],
    );
    let summary = read(&out, "summary.csv");
    let mut lines = summary.lines();
    // Quantiles [0.1, 0.5, 0.9] from the scenario's [outputs].
    assert_eq!(
        lines.next().unwrap(),
        "output,zone,year,n,mean,sd,mcse,min,p10,p50,p90,max"
    );
    // Version 1: 19 outputs x 2 zones + 15 totals + 4 national; version 2:
    // 5 outputs x 2 zones + 3 totals + 2 national; 8 years each.
    assert_eq!(
        summary.lines().count(),
        1 + (19 * 2 + 15 + 4 + 5 * 2 + 3 + 2) * 8
    );
    assert!(summary.contains("\nserved_share,total,2025,300,"));
    assert!(summary.contains("\nregulatory_shock,national,2032,300,"));
    assert!(
        !summary.contains("buildout,total"),
        "ratios have no total row"
    );

    let scalars = read(&out, "scalars.csv");
    let mut lines = scalars.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scalar,n,mean,sd,mcse,min,p10,p50,p90,max,target,p_target"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 8);
    assert!(
        rows[1].starts_with("exports_final,300,") && rows[1].contains(",100,"),
        "{}",
        rows[1]
    );
    assert!(
        rows[0].ends_with(",,"),
        "no target on exports_cumulative: {}",
        rows[0]
    );

    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["scenario"], "full_base");
    assert_eq!(manifest["replications"], 300);
    assert_eq!(manifest["seed"], 7);
    assert_eq!(manifest["sampling"], "lhs");
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 8);
    assert!(
        manifest["quantile_method"]
            .as_str()
            .unwrap()
            .contains("exact")
    );

    let reps = read(&out, "replications.csv");
    assert_eq!(reps.lines().count(), 301);
    let header = reps.lines().next().unwrap();
    assert!(header.starts_with("replication,global.grid_availability_logit_sd,"));
    assert!(header.ends_with(",served_share_mean,fiscal_npv,public_cost_pv,job_years"));
    // Replication rows in order.
    assert!(reps.lines().nth(300).unwrap().starts_with("299,"));
}

#[test]
fn results_are_byte_identical_for_1_2_and_7_threads() {
    let dir = tempfile::tempdir().unwrap();
    // 3,000 replications: several chunks, and past the exact-quantile limit
    // so the sketch is exercised too.
    let runs: Vec<PathBuf> = [1, 2, 7]
        .iter()
        .map(|t| {
            let out = dir.path().join(format!("t{t}"));
            run_to(
                "scenarios/cpec_baseline.toml",
                &out,
                &["-n", "3000", "--threads", &t.to_string()],
            );
            out
        })
        .collect();
    for file in ["summary.csv", "scalars.csv"] {
        let first = read(&runs[0], file);
        for other in &runs[1..] {
            assert!(
                first == read(other, file),
                "{file} differs between thread counts"
            );
        }
    }
}

/// Pins the first rows of summary.csv for a small fixed scenario and seed,
/// so that a change of numbers (a dependency upgrade, a model edit) is
/// noticed. If a change is intended, regenerate with
/// `sezsim run tests/fixtures/full/base.toml -n 200 --out DIR` and explain
/// the change in the commit.
#[test]
fn golden_summary_head() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g");
    run_to("tests/fixtures/full/base.toml", &out, &["-n", "200"]);
    let summary = read(&out, "summary.csv");
    let head: Vec<&str> = summary.lines().take(13).collect();
    let expected = include_str!("golden/summary_head.csv");
    assert_eq!(head.join("\n") + "\n", expected);
}

#[test]
fn deterministic_run_has_one_replication() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    run_to("scenarios/cpec_baseline.toml", &out, &["--deterministic"]);
    let summary = read(&out, "summary.csv");
    let row = summary
        .lines()
        .find(|l| l.starts_with("capital,rashakai,2025,"))
        .unwrap();
    let f: Vec<&str> = row.split(',').collect();
    // n = 1, sd = mcse = 0, and every quantile equals the value.
    assert_eq!(&f[3..6], ["1", "60", "0"]);
    assert!(f[7..].iter().all(|v| *v == "60"), "{row}");
    // One replication says nothing about probabilities: the report shows
    // values and whether each target is reached, no P(>= target) and no
    // quantile columns.
    let report = read(&out, "report.md");
    assert!(!report.contains("P(≥ target)"), "{report}");
    assert!(!report.contains("| P5 |"), "{report}");
    assert!(
        report.contains("| Outcome | Value | Target | Reached |"),
        "{report}"
    );
    assert!(report.contains("not a forecast"), "{report}");
}

#[test]
fn a_deterministic_run_gets_its_own_default_folder() {
    // Without --out, `run --deterministic` must not replace the Monte Carlo
    // run's folder output/<name>.
    let dir = tempfile::tempdir().unwrap();
    let scenario = std::fs::canonicalize("tests/fixtures/full/base.toml").unwrap();
    for extra in [&["--deterministic"][..], &["-n", "20"][..]] {
        let o = sezsim()
            .current_dir(dir.path())
            .arg("run")
            .arg(&scenario)
            .arg("-q")
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let name = sezsim::load(&scenario).unwrap().name;
    let mc = dir.path().join("output").join(&name);
    let det = dir
        .path()
        .join("output")
        .join(format!("{name}_deterministic"));
    assert!(read(&mc, "manifest.json").contains("\"deterministic\": false"));
    assert!(read(&det, "manifest.json").contains("\"deterministic\": true"));
    // The recorded command reproduces the run into the same folder.
    assert!(!read(&det, "manifest.json").contains("--out"));
}

#[test]
fn an_interrupted_run_leaves_the_previous_results_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_to("scenarios/cpec_baseline.toml", &out, &["-n", "500"]);
    let before: Vec<(String, String)> = ["summary.csv", "scalars.csv", "manifest.json"]
        .iter()
        .map(|f| (f.to_string(), read(&out, f)))
        .collect();

    // A long run writing replications.csv as it goes; kill it once its
    // temporary folder has data on disk (mid-write).
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sezsim"))
        .args([
            "run",
            "scenarios/cpec_baseline.toml",
            "-q",
            "-n",
            "50000000",
            "--save-replications",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let partial = loop {
        let tmp = support::temporaries_beside(&out)
            .iter()
            .map(|t| dir.path().join(t))
            .find(|t| t.is_dir());
        if let Some(tmp) = tmp {
            let f = tmp.join("replications.csv");
            if std::fs::metadata(&f)
                .map(|m| m.len() > 100_000)
                .unwrap_or(false)
            {
                break f;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "run never started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        partial.exists(),
        "the kill happened while replications.csv was being written"
    );

    for (file, text) in before {
        assert_eq!(read(&out, &file), text, "{file} changed");
    }
    // The next run succeeds and replaces the folder.
    run_to("scenarios/cpec_baseline.toml", &out, &["-n", "100"]);
    assert!(read(&out, "scalars.csv").contains("exports_final,100,"));
}

/// Ishigami with a = 7, b = 0.1 and inputs uniform on [-pi, pi]:
/// E[y] = a / 2 = 3.5 and Var[y] = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
/// = 13.8446 (Ishigami & Homma 1990; Saltelli et al. 2008).
#[test]
fn ishigami_mean_and_variance_within_four_standard_errors() {
    let toml = r#"
[scenario]
name = "ishigami"
seed = 2024
[model]
kind = "ishigami"
[inputs]
x1 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
x2 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
x3 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
"#;
    let (_d, path) = support::scenario_dir(toml, &[]);
    let s = support::load(&path);
    let n = 100_000;
    let prepared = Prepared::new(&s, n, 2024, false).unwrap();
    let mut ys = Vec::with_capacity(n as usize);
    let mut sink = |v: ReplicationValues<'_>| ys.push(v.scalars[0]);
    let summary = prepared
        .model
        .run_partial(
            prepared.source.as_ref(),
            &RunOptions::new(n, 2),
            0..sezsim::engine::chunk_count(n),
            Hooks {
                on_replication: Some(&mut sink),
                on_progress: None,
                ..Hooks::default()
            },
        )
        .unwrap()
        .finish();
    let (mean, var) = (3.5, 13.8446);
    let y = &summary.scalars[0];
    // SE of the mean: sqrt(Var / n) = 0.0118; tolerance 4 SE = 0.047.
    let se_mean = (var / n as f64).sqrt();
    assert!(
        (y.mean - mean).abs() < 4.0 * se_mean,
        "mean {} vs {mean} (4 SE = {})",
        y.mean,
        4.0 * se_mean
    );
    // SE of the sample variance: sqrt((mu4 - sigma^4) / n), with mu4 the
    // sample's own fourth central moment (about 0.11 here; 4 SE ~ 0.45).
    let mu4 = ys.iter().map(|v| (v - y.mean).powi(4)).sum::<f64>() / n as f64;
    let se_var = ((mu4 - var * var) / n as f64).sqrt();
    let sample_var = y.sd * y.sd;
    assert!(
        (sample_var - var).abs() < 4.0 * se_var,
        "variance {sample_var} vs {var} (4 SE = {})",
        4.0 * se_var
    );
}

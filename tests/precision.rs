//! Runs to a stated precision (`run --precision`) and the intervals of
//! intervals.csv: a run stopped at n is `run -n n` byte for byte; the
//! intervals cover the known answers of Ishigami's function; a precision
//! out of reach stops at the cap and says so; bad requests are input
//! errors with hints.

mod support;

use std::path::Path;

use assert_cmd::Command;
use sezsim::output::intervals::intervals_of;
use sezsim::run::{RunSettings, summarize};

/// Ishigami's function (a = 7, b = 0.1) on uniform inputs, with a target.
fn ishigami(sampling: &str) -> String {
    format!(
        "[scenario]\nname = \"ishigami_precision\"\nseed = 4\nreplications = 1000\nsampling = \"{sampling}\"\n\
         [model]\nkind = \"ishigami\"\na = 7\nb = 0.1\n\
         [inputs]\n\
         x1 = {{ dist = \"uniform\", min = -3.141592653589793, max = 3.141592653589793 }}\n\
         x2 = {{ dist = \"uniform\", min = -3.141592653589793, max = 3.141592653589793 }}\n\
         x3 = {{ dist = \"uniform\", min = -3.141592653589793, max = 3.141592653589793 }}\n\
         [outputs]\ntargets = {{ y = 10 }}\n"
    )
}

fn sezsim(args: &[&str], scenario: &Path, out: &Path) -> std::process::Output {
    Command::cargo_bin("sezsim")
        .unwrap()
        .args(args)
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .output()
        .unwrap()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_run_stopped_at_n_is_the_run_of_n_on_any_thread_count() {
    let (dir, path) = support::scenario_dir(&ishigami("random"), &[]);
    let mut stopped_at = None;
    for threads in ["1", "3"] {
        let out = dir.path().join(format!("precise{threads}"));
        let o = sezsim(
            &[
                "run",
                "--precision",
                "y=2%",
                "--precision",
                "y:p95=3%",
                "--threads",
                threads,
            ],
            &path,
            &out,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let m = manifest(&out);
        let n = m["replications"].as_u64().unwrap();
        let p = &m["precision"];
        assert_eq!(p["met"], true);
        // Stopped at a checkpoint after the first, where every request is met.
        assert!(n > 4096 && n.is_power_of_two(), "{n}");
        for a in p["achieved"].as_array().unwrap() {
            assert!(a["half_width"].as_f64().unwrap() <= a["allowed"].as_f64().unwrap());
        }
        // The checkpoint before did not meet them (else it would have stopped).
        assert_eq!(p["checkpoints"].as_array().unwrap().last().unwrap(), n);
        assert_eq!(
            *stopped_at.get_or_insert(n),
            n,
            "the stop depends on threads"
        );

        let plain = dir.path().join(format!("plain{threads}"));
        let o = sezsim(
            &["run", "-n", &n.to_string(), "--threads", threads],
            &path,
            &plain,
        );
        assert!(o.status.success());
        for file in [
            "summary.csv",
            "scalars.csv",
            "intervals.csv",
            "fan.csv",
            "reservoir.csv",
        ] {
            assert_eq!(
                std::fs::read(out.join(file)).unwrap(),
                std::fs::read(plain.join(file)).unwrap(),
                "{file} at {threads} threads"
            );
        }
        assert!(manifest(&plain).get("precision").is_none());
        let report = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(report.contains("| Precision | met at"), "{report}");
    }
}

/// P(Y <= y) for Ishigami's function (a = 7, b = 0.1) on uniform inputs
/// over [-pi, pi], by the midpoint rule over x2 and x3 with x1 integrated
/// exactly: given them, Y <= y iff sin x1 <= c = (y - 7 sin^2 x2) / (1 +
/// 0.1 x3^4), of probability 1/2 + asin(c) / pi. By symmetry x2 runs over
/// [0, pi/2] and x3 over [0, pi].
fn ishigami_cdf(y: f64) -> f64 {
    use std::f64::consts::PI;
    let steps = 400;
    let mut total = 0.0;
    for i in 0..steps {
        let x2 = (i as f64 + 0.5) / steps as f64 * PI / 2.0;
        let s2 = 7.0 * x2.sin().powi(2);
        for j in 0..steps {
            let x3 = (j as f64 + 0.5) / steps as f64 * PI;
            let c = (y - s2) / (1.0 + 0.1 * x3.powi(4));
            total += 0.5 + c.clamp(-1.0, 1.0).asin() / PI;
        }
    }
    total / (steps * steps) as f64
}

fn ishigami_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-11.0, 18.0);
    for _ in 0..50 {
        let mid = (lo + hi) / 2.0;
        if ishigami_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

#[test]
fn intervals_cover_ishigamis_mean_and_p95() {
    // E[Y] = a / 2 = 3.5; P95 by integration. Over 50 seeds at n = 4,096,
    // 95% intervals should cover the truth about 47.5 times (binomial sd
    // 1.54); at least 45, 1.6 sd below, is asked (the t interval is
    // nominal, the order-statistic one conservative).
    let p95 = ishigami_quantile(0.95);
    assert!((ishigami_cdf(p95) - 0.95).abs() < 1e-9);
    let (_dir, path) = support::scenario_dir(&ishigami("random"), &[]);
    let scenario = sezsim::load(&path).unwrap();
    let (mut mean_hits, mut p95_hits) = (0, 0);
    for seed in 0..50u64 {
        let settings = RunSettings::new(&scenario, "unused")
            .with_replications(4096)
            .with_seed(seed)
            .with_threads(2);
        let run = summarize(&scenario, &settings, &[], None, None).unwrap();
        let levels = &run.quantile_levels;
        let y = &run.scalars[0];
        let intervals = intervals_of(y, levels);
        let (lo, hi) = intervals[0].bounds.unwrap();
        mean_hits += usize::from(lo <= 3.5 && 3.5 <= hi);
        let at = 1 + levels.iter().position(|&l| l == 0.95).unwrap();
        let (lo, hi) = intervals[at].bounds.unwrap();
        p95_hits += usize::from(lo <= p95 && p95 <= hi);
    }
    eprintln!("covered: mean {mean_hits} of 50, P95 {p95_hits} of 50");
    assert!(mean_hits >= 45, "mean covered {mean_hits} of 50");
    assert!(p95_hits >= 45, "P95 ({p95}) covered {p95_hits} of 50");
}

#[test]
fn a_precision_out_of_reach_stops_at_the_cap_and_says_so() {
    let (dir, path) = support::scenario_dir(&ishigami("random"), &[]);
    let out = dir.path().join("capped");
    let o = sezsim(
        &["run", "-n", "5000", "--precision", "y=0.01%"],
        &path,
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("warning: the run reached its cap of 5000"),
        "{stderr}"
    );
    let m = manifest(&out);
    assert_eq!(m["replications"], 5000);
    assert_eq!(m["precision"]["met"], false);
    assert_eq!(
        m["precision"]["checkpoints"],
        serde_json::json!([4096, 5000])
    );
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("**not met**, the cap reached"), "{report}");
}

#[test]
fn bad_requests_are_input_errors_with_hints() {
    let (dir, path) = support::scenario_dir(&ishigami("random"), &[]);
    for (spec, says) in [
        ("yy=1%", "did you mean `y`?"),
        ("y:median=1%", "unknown statistic `median`"),
        ("y:p90=1%", "`p90` is not one of the run's quantiles"),
        ("y=0", "above 0"),
        ("y=-2%", "above 0"),
        ("y:p_target=1%", "absolute tolerance"),
    ] {
        let o = sezsim(&["run", "--precision", spec], &path, &dir.path().join("x"));
        assert_eq!(o.status.code(), Some(2), "{spec}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(says), "{spec}: {stderr}");
        assert!(!dir.path().join("x").exists());
    }
    let o = sezsim(
        &["run", "--precision", "y=1%", "--shard", "1/2"],
        &path,
        &dir.path().join("x"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be used with --shard"));
    let (dir, path) = support::scenario_dir(&ishigami("lhs"), &[]);
    let o = sezsim(
        &["run", "--precision", "y=1%"],
        &path,
        &dir.path().join("x"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sampling = \"random\""));
}

#[test]
fn the_scenario_can_ask_for_precision_and_the_flag_replaces_it() {
    let text = ishigami("random").replace(
        "targets = { y = 10 }",
        "targets = { y = 10 }\nprecision = [\"y:p_target=0.01\"]",
    );
    let (dir, path) = support::scenario_dir(&text, &[]);
    let out = dir.path().join("own");
    let o = sezsim(&["run"], &path, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        manifest(&out)["precision"]["requested"],
        serde_json::json!(["y:p_target=0.01"])
    );
    let out = dir.path().join("flag");
    let o = sezsim(&["run", "--precision", "y=5%"], &path, &out);
    assert!(o.status.success());
    assert_eq!(
        manifest(&out)["precision"]["requested"],
        serde_json::json!(["y=5%"])
    );
    // A bad request in the file is located.
    let text = ishigami("random").replace(
        "targets = { y = 10 }",
        "targets = { y = 10 }\nprecision = [\"y:p_target=1%\"]",
    );
    let (_dir, path) = support::scenario_dir(&text, &[]);
    let o = Command::cargo_bin("sezsim")
        .unwrap()
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("scenario.toml:16:") && stderr.contains("outputs.precision[0]"),
        "{stderr}"
    );
}

#[test]
fn a_comparison_stops_when_the_paired_differences_are_known() {
    // The variant raises Ishigami's a from 7 to 7.2: E[y] rises by 0.1;
    // with common random numbers the paired difference is
    // 0.2 x sin^2(x2) - mean, whose sd (about 0.07) needs some 20,000
    // pairs for a half-width of 0.001: the run passes 4,096 to 16,384 and
    // stops at 32,768.
    let (dir, path) = support::scenario_dir(&ishigami("random"), &[]);
    let variant = dir.path().join("variant.toml");
    std::fs::write(
        &variant,
        ishigami("random")
            .replace("a = 7\n", "a = 7.2\n")
            .replace("ishigami_precision", "ishigami_variant"),
    )
    .unwrap();
    let compare = |args: &[&str], out: &str| {
        Command::cargo_bin("sezsim")
            .unwrap()
            .arg("compare")
            .arg(&path)
            .arg(&variant)
            .args(args)
            .arg("--out")
            .arg(dir.path().join(out))
            .arg("-q")
            .output()
            .unwrap()
    };
    let o = compare(&["--precision", "y=0.001"], "precise");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = manifest(&dir.path().join("precise"));
    let n = m["replications"].as_u64().unwrap();
    assert_eq!(n, 32_768, "{m}");
    assert_eq!(m["precision"]["met"], true);
    let a = &m["precision"]["achieved"][0];
    assert!(a["half_width"].as_f64().unwrap() <= 0.001);
    // Within 4 standard errors (half-width / 1.96) of the true 0.1.
    assert!((a["estimate"].as_f64().unwrap() - 0.1).abs() < 4.0 * 0.001 / 1.96);
    let o = compare(&["-n", "32768"], "plain");
    assert!(o.status.success());
    for file in ["compare.csv", "compare.md", "ishigami_variant/summary.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("precise").join(file)).unwrap(),
            std::fs::read(dir.path().join("plain").join(file)).unwrap(),
            "{file}"
        );
    }
    // Out of reach: the cap, with the warning.
    let o = compare(&["-n", "5000", "--precision", "y=1e-9"], "capped");
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("warning: the run reached its cap of 5000")
    );
    assert_eq!(
        manifest(&dir.path().join("capped"))["precision"]["met"],
        false
    );
    // Only means of paired differences, of scalars that exist.
    let o = compare(&["--precision", "y:p95=0.1"], "x");
    assert_eq!(o.status.code(), Some(2));
    let o = compare(&["--precision", "yy=0.1"], "x");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `y`?"));
}

//! The shipped version-2 baseline keeps its results, byte for byte.
//!
//! `tests/golden/v2/` holds the summary.csv and scalars.csv that
//! `sezsim run scenarios/cpec_baseline.toml -n 500 --seed 7` (and the same
//! with `--deterministic`) writes. Any change to the model, the sampling or
//! the shipped baseline that moves a number fails here. When the change is
//! intended (a recalibration, a corrected equation), regenerate the files
//! with `UPDATE_GOLDEN=1 cargo test --test golden_v2`, and say in the commit
//! which numbers moved and why.

use std::path::Path;

use assert_cmd::Command;

const BASELINE: &str = "scenarios/cpec_baseline.toml";

fn check(args: &[&str], golden: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = Command::cargo_bin("sezsim")
        .unwrap()
        .args(["run", BASELINE, "-q", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let folder = Path::new("tests/golden/v2").join(golden);
    for file in ["summary.csv", "scalars.csv"] {
        let got = std::fs::read_to_string(out.join(file)).unwrap();
        let path = folder.join(file);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap();
        if let Some((k, (w, g))) = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .find(|(_, (w, g))| w != g)
        {
            panic!(
                "{}: line {} differs\n  golden: {w}\n  now:    {g}",
                path.display(),
                k + 1
            );
        }
        assert_eq!(
            want.lines().count(),
            got.lines().count(),
            "{}: row count",
            path.display()
        );
    }
}

#[test]
fn baseline() {
    check(&["-n", "500", "--seed", "7"], "cpec_baseline");
}

#[test]
fn baseline_deterministic() {
    check(&["--deterministic"], "cpec_baseline_deterministic");
}

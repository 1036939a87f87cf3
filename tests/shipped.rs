//! Every shipped scenario and sweep file passes `check` and runs: they are
//! what a user runs first, so none may rot when the model or the format
//! moves on.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Every `.toml` file of `scenarios/` and its subfolders (the what-if
/// scenarios of docs/policy.md), with whether it is a sweep file.
fn shipped() -> Vec<(PathBuf, bool)> {
    let mut paths = Vec::new();
    let mut folders = vec![PathBuf::from("scenarios")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "data") {
                    folders.push(path);
                }
            } else {
                paths.push(path);
            }
        }
    }
    let mut files: Vec<(PathBuf, bool)> = paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let sweep = text.lines().any(|l| l.trim() == "[sweep]");
            (p, sweep)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_checks_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios: Vec<PathBuf> = shipped()
        .into_iter()
        .filter(|(_, sweep)| !sweep)
        .map(|(p, _)| p)
        .collect();
    assert!(scenarios.len() >= 10, "{scenarios:?}");
    assert!(
        scenarios.iter().any(|p| p.starts_with("scenarios/what_if")),
        "{scenarios:?}"
    );
    for path in &scenarios {
        let o = Command::cargo_bin("sezsim")
            .unwrap()
            .arg("check")
            .arg(path)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        let name = path
            .strip_prefix("scenarios")
            .unwrap()
            .with_extension("")
            .to_string_lossy()
            .replace('/', "_");
        let out = dir.path().join(name);
        let o = Command::cargo_bin("sezsim")
            .unwrap()
            .args(["run", "-q", "-n", "300"])
            .arg(path)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.join("summary.csv").is_file());
    }
}

#[test]
fn every_shipped_sweep_loads_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sweeps: Vec<PathBuf> = shipped()
        .into_iter()
        .filter(|(_, sweep)| *sweep)
        .map(|(p, _)| p)
        .collect();
    assert!(sweeps.len() >= 3, "{sweeps:?}");
    let registry = sezsim::model::builtin();
    for path in &sweeps {
        let mut sweep = sezsim::sweep::load(path, &registry)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Every point of the design, with few replications each.
        sweep.replications = 64;
        let settings = sezsim::sweep::SweepSettings {
            threads: 2,
            out_dir: dir.path().join(path.file_stem().unwrap()),
            shard: None,
            command: String::new(),
        };
        let outcome = sezsim::sweep::run(&sweep, &settings, None)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(outcome.points, sweep.points.len());
        assert!(Path::new(&outcome.dir).join("points.csv").is_file());
    }
}

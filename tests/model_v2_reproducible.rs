//! Model version 2 keeps results independent of how a run is split: the
//! same bytes for 1, 2 and 7 threads, and shards merged give the bytes of
//! the unsharded run, on the power-in-hours fixture (issue 10's keys) and
//! on its child with every key of issue 11.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const FIXTURES: [&str; 2] = [
    "tests/fixtures/v2/hours.toml",
    "tests/fixtures/v2/fiscal.toml",
];
/// 1,500 replications: several chunks, the last one short, past the
/// exact-quantile limit.
const N: &str = "1500";

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    support::ok(
        Command::cargo_bin("sezsim")
            .unwrap()
            .args(["run", scenario, "-q", "-n", N, "--out"])
            .arg(out)
            .args(extra),
    );
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn version_2_results_are_byte_identical_for_1_2_and_7_threads() {
    let dir = tempfile::tempdir().unwrap();
    for (f, scenario) in FIXTURES.iter().enumerate() {
        let runs: Vec<PathBuf> = [1, 2, 7]
            .iter()
            .map(|t| {
                let out = dir.path().join(format!("{f}-t{t}"));
                run(
                    scenario,
                    &out,
                    &["--threads", &t.to_string(), "--save-replications"],
                );
                out
            })
            .collect();
        for file in ["summary.csv", "scalars.csv", "replications.csv"] {
            let first = read(runs[0].join(file));
            for other in &runs[1..] {
                assert!(
                    first == read(other.join(file)),
                    "{scenario}: {file} differs between thread counts"
                );
            }
        }
        // The version-2 outputs are in the tables.
        let summary = String::from_utf8(read(runs[0].join("summary.csv"))).unwrap();
        for row in [
            "outage_hours,west,",
            "policy_cost,total,",
            "outage_unplanned_hours,national,",
        ] {
            assert!(summary.contains(row), "{scenario}: no {row} rows");
        }
    }
}

#[test]
fn version_2_shards_merged_equal_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    for (f, scenario) in FIXTURES.iter().enumerate() {
        let whole = dir.path().join(format!("{f}-whole"));
        run(scenario, &whole, &["--save-replications"]);
        let shards: Vec<PathBuf> = (1..=3)
            .map(|i| {
                let out = dir.path().join(format!("{f}-shard{i}"));
                let shard = format!("{i}/3");
                run(
                    scenario,
                    &out,
                    &["--shard", &shard, "--threads", "2", "--save-replications"],
                );
                out
            })
            .collect();
        let merged = dir.path().join(format!("{f}-merged"));
        support::ok(
            Command::cargo_bin("sezsim")
                .unwrap()
                .arg("merge")
                .args(&shards)
                .arg("--out")
                .arg(&merged)
                .arg("-q"),
        );
        for file in ["summary.csv", "scalars.csv", "replications.csv"] {
            assert!(
                read(whole.join(file)) == read(merged.join(file)),
                "{scenario}: merged {file} differs from the unsharded run"
            );
        }
    }
}

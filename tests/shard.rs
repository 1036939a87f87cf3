//! `sezsim run --shard I/N` and `sezsim merge`: shards merged give the bytes
//! of the unsharded run; shards that do not belong together are refused.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const BASE: &str = "tests/fixtures/full/base.toml";
/// 1,500 replications: 6 chunks (the last one short), beyond the exact
/// quantile limit so the sketches are bucketed. N = 7 leaves a shard empty.
const N: &str = "1500";

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

fn ok(cmd: &mut Command) {
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn run_shard(scenario: &str, shard: &str, out: &Path, extra: &[&str]) {
    ok(sezsim()
        .args(["run", scenario, "-q", "-n", N, "--shard", shard, "--out"])
        .arg(out)
        .args(extra));
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `sezsim merge` of the folders `names` in `dir` into `dir/out`.
fn merge_into(dir: &Path, names: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = sezsim();
    c.arg("merge");
    for name in names {
        c.arg(dir.join(name));
    }
    c.arg("--out").arg(dir.join("out"));
    c.assert()
}

#[test]
fn merged_shards_equal_the_unsharded_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    // A reservoir of 300 of the 1,500 replications: the merged sample must
    // be the whole run's.
    ok(sezsim()
        .args(["run", BASE, "-q", "-n", N, "--save-replications"])
        .args(["--reservoir", "300", "--out"])
        .arg(&whole));
    for n in [1u32, 3, 7] {
        let shards: Vec<PathBuf> = (1..=n)
            .map(|i| {
                let out = dir.path().join(format!("n{n}-{i}"));
                // Different thread counts per shard change nothing.
                let threads = (i % 3 + 1).to_string();
                run_shard(
                    BASE,
                    &format!("{i}/{n}"),
                    &out,
                    &[
                        "--save-replications",
                        "--threads",
                        &threads,
                        "--reservoir",
                        "300",
                    ],
                );
                out
            })
            .collect();
        let merged = dir.path().join(format!("merged{n}"));
        // Shards in reverse order: merge sorts them.
        ok(sezsim()
            .arg("merge")
            .args(shards.iter().rev())
            .arg("--out")
            .arg(&merged)
            .arg("-q"));
        for file in [
            "summary.csv",
            "scalars.csv",
            "replications.csv",
            "fan.csv",
            "reservoir.csv",
            "results.xlsx",
        ] {
            assert!(
                read(whole.join(file)) == read(merged.join(file)),
                "N = {n}: {file} differs from the unsharded run"
            );
        }
        // The same charts, byte for byte.
        let charts: Vec<PathBuf> = std::fs::read_dir(whole.join("charts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!charts.is_empty());
        for chart in &charts {
            let name = chart.file_name().unwrap();
            assert!(
                read(chart.clone()) == read(merged.join("charts").join(name)),
                "N = {n}: {} differs from the unsharded run",
                name.to_string_lossy()
            );
        }
        assert!(merged.join("report.md").is_file());
        let manifest: serde_json::Value =
            serde_json::from_slice(&read(merged.join("manifest.json"))).unwrap();
        assert_eq!(manifest["merged_shards"], n);
        assert_eq!(manifest["replications"], 1500);
        assert!(manifest.get("shard").is_none());
    }
    // N = 7 > 6 chunks: shard 1 is empty and holds no partial result.
    assert!(!dir.path().join("n7-1").join("partial.bin").exists());
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    run_shard(BASE, "1/3", &d("s1"), &[]);
    run_shard(BASE, "2/3", &d("s2"), &[]);
    run_shard(BASE, "3/3", &d("s3"), &[]);
    run_shard(BASE, "3/3", &d("s3_seed8"), &["--seed", "8"]);
    run_shard("tests/fixtures/full/child.toml", "3/3", &d("s3_child"), &[]);

    let merge = |names: &[&str]| merge_into(dir.path(), names);
    merge(&["s1", "s2"])
        .code(2)
        .stderr(predicate::str::contains("shard 3/3 is missing"));
    merge(&["s1", "s2", "s2", "s3"])
        .code(2)
        .stderr(predicate::str::contains("shard 2/3 is given 2 times"));
    merge(&["s1", "s2", "s3_seed8"])
        .code(2)
        .stderr(predicate::str::contains("`seed`: `seed` is 8 here but 7"))
        .stderr(
            predicate::str::contains("s3_seed8").and(predicate::str::contains("manifest.json")),
        );
    merge(&["s1", "s2", "s3_child"])
        .code(2)
        .stderr(predicate::str::contains("this shard ran another scenario"));
    // A damaged partial result is caught by its checksum.
    let partial = d("s2").join("partial.bin");
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&partial, bytes).unwrap();
    merge(&["s1", "s2", "s3"])
        .code(2)
        .stderr(predicate::str::contains("does not match its checksum"));
    // Nothing was published by the refused merges, and nothing panicked.
    assert!(!d("out").exists());
    // A folder that is not a shard.
    merge(&["s1", "nothing_here"])
        .code(2)
        .stderr(predicate::str::contains(
            "no such file (is this a shard folder?)",
        ))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn merge_refuses_shards_that_disagree_on_options_that_change_their_files() {
    // Shard 1 saved its replications and shard 2 did not: a merge would
    // write a replications.csv with half the rows.
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    run_shard(BASE, "1/2", &d("with_rows"), &["--save-replications"]);
    run_shard(BASE, "2/2", &d("without_rows"), &[]);
    run_shard(
        BASE,
        "2/2",
        &d("small_reservoir"),
        &["--save-replications", "--reservoir", "100"],
    );
    let merge = |names: &[&str]| merge_into(dir.path(), names);
    let with = d("with_rows").display().to_string();
    let without = d("without_rows").display().to_string();
    merge(&["with_rows", "without_rows"])
        .code(2)
        .stderr(predicate::str::contains("`shard.save_replications`"))
        .stderr(predicate::str::contains(format!(
            "this shard ({without}) ran without --save-replications but {with} ran with --save-replications"
        )));
    merge(&["with_rows", "small_reservoir"])
        .code(2)
        .stderr(predicate::str::contains(
            "`reservoir_capacity` (--reservoir) is 100 here but 10000",
        ));
    assert!(!d("out").exists(), "a refused merge writes nothing");
}

#[test]
fn bad_shard_arguments_are_usage_errors() {
    for bad in ["0/3", "4/3", "3", "x/2"] {
        sezsim()
            .args(["run", BASE, "--shard", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--shard"));
    }
    sezsim()
        .args(["run", BASE, "--deterministic", "--shard", "1/2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot be combined with --deterministic",
        ));
}

/// Shards run with `--chart-size a5` merge into a5 charts: the merge
/// takes the size the shards recorded, not the scenario file's default.
#[test]
fn a_merge_draws_charts_at_the_size_the_shards_ran_with() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "tests/fixtures/full/base.toml";
    for (shard, name) in [("1/2", "s1"), ("2/2", "s2")] {
        run_shard(
            scenario,
            shard,
            &dir.path().join(name),
            &["--chart-size", "a5"],
        );
    }
    merge_into(dir.path(), &["s1", "s2"]).success();
    let out = dir.path().join("out");
    let png = read(out.join("charts/fan_exports.png"));
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    assert_eq!((reader.info().width, reader.info().height), (1161, 787));
    let manifest = String::from_utf8(read(out.join("manifest.json"))).unwrap();
    assert!(manifest.contains("\"chart_size\": \"a5\""), "{manifest}");
}

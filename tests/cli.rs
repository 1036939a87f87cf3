//! The `sezsim` binary: exit codes, messages, `check` and `sample`.

mod support;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

/// `sample` output of `scenario` as a string.
fn sample(scenario: &Path, n: u64, threads: usize) -> String {
    let out = sezsim()
        .args([
            "sample",
            "-n",
            &n.to_string(),
            "--threads",
            &threads.to_string(),
        ])
        .arg(scenario)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn columns(csv: &str) -> Vec<Vec<String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    (0..header.len())
        .map(|c| {
            std::iter::once(header[c].to_string())
                .chain(rows.iter().map(|r| r[c].to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn check_summarises_the_shipped_baseline() {
    sezsim()
        .args(["check", "scenarios/cpec_baseline.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("zones (4)"))
        .stdout(predicate::str::contains("rashakai"))
        .stdout(predicate::str::contains(
            "zones.dhabeji.investment.opening_delay",
        ))
        .stdout(predicate::str::contains("correlations (2)"))
        .stdout(predicate::str::contains(
            "data/port_capacity.csv column `teu`",
        ))
        .stdout(predicate::str::contains("is valid"));
}

#[test]
fn bad_input_exits_2_with_a_located_message_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[scenario]\nname = \"x\"\nyears = \"many\"\n").unwrap();
    sezsim()
        .arg("check")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:3:9: `scenario.years`: expected an integer, found a string",
        ))
        .stderr(predicate::str::contains("panicked").not());
    sezsim()
        .args(["check", "does/not/exist.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
}

#[test]
fn usage_errors_exit_2() {
    sezsim().args(["sample"]).assert().code(2);
    sezsim().args(["frobnicate"]).assert().code(2);
    sezsim()
        .args(["sample", "scenarios/cpec_baseline.toml", "-n", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--replications must be from 1"));
    sezsim()
        .args(["sample", "scenarios/cpec_baseline.toml", "--threads", "0"])
        .assert()
        .code(2);
}

#[test]
fn help_shows_an_example() {
    sezsim()
        .args(["sample", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Example:"));
}

#[test]
fn sample_writes_one_column_per_uncertain_parameter() {
    let csv = sample(Path::new("scenarios/cpec_baseline.toml"), 50, 2);
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("replication,global.outage_unplanned_logsd,"));
    assert!(header.contains("energy_projects.bostan_feeder.delay"));
    assert!(header.contains("zones.rashakai.phases.phase_2.delay"));
    // A common parameter is one column, not one per zone.
    assert_eq!(header.matches("production.alpha").count(), 1);
    assert!(header.contains("zone_defaults.production.alpha"));
    assert!(
        !header.contains("tax_rate"),
        "fixed parameters are not sampled"
    );
    assert_eq!(csv.lines().count(), 51);
    // Triangular(0.2, 0.35, 0.7)... every drawn regulatory_shock_cut within its support.
    let cols = columns(&csv);
    let cut = cols
        .iter()
        .find(|c| c[0] == "global.regulatory_shock_cut")
        .unwrap();
    assert!(cut[1..].iter().all(|v| {
        let v: f64 = v.parse().unwrap();
        (0.2..=0.7).contains(&v)
    }));
}

#[test]
fn sample_is_identical_for_1_and_4_threads() {
    // 10,000 replications span several parallel chunks.
    for f in [
        "scenarios/cpec_baseline.toml",
        "tests/fixtures/full/base.toml",
    ] {
        let n = 10_000;
        assert_eq!(
            sample(Path::new(f), n, 1),
            sample(Path::new(f), n, 4),
            "{f}"
        );
    }
}

#[test]
fn sample_out_writes_the_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("draws.csv");
    sezsim()
        .args([
            "sample",
            "scenarios/cpec_baseline.toml",
            "-n",
            "20",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text,
        sample(Path::new("scenarios/cpec_baseline.toml"), 20, 1)
    );
    // Only the file itself: no temporary left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Write `child` (which extends the baseline by absolute path) to a temp dir.
fn variant(dir: &Path, body: &str) -> std::path::PathBuf {
    let base = std::fs::canonicalize("scenarios/cpec_baseline.toml").unwrap();
    let path = dir.join("variant.toml");
    std::fs::write(
        &path,
        format!("extends = {:?}\n{body}", base.to_str().unwrap()),
    )
    .unwrap();
    path
}

#[test]
fn raising_one_location_moves_only_that_column_and_raises_every_row() {
    let dir = tempfile::tempdir().unwrap();
    // Shift capital_per_ha of one zone up by 0.1 (min, mode, max).
    let v = variant(
        dir.path(),
        "[[zones]]\nid = \"rashakai\"\n[zones.investment]\ncapital_per_ha = { dist = \"triangular\", min = 1.1, mode = 1.7, max = 2.4 }\n",
    );
    let n = 2000;
    let base = columns(&sample(Path::new("scenarios/cpec_baseline.toml"), n, 2));
    let var = columns(&sample(&v, n, 2));
    assert_eq!(base.len(), var.len());
    let moved = "zones.rashakai.investment.capital_per_ha";
    for (b, v) in base.iter().zip(&var) {
        assert_eq!(b[0], v[0]);
        if b[0] == moved {
            for (x, y) in b[1..].iter().zip(&v[1..]) {
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                assert!(y > x, "{moved}: {y} is not above {x}");
            }
        } else {
            assert_eq!(b, v, "column {} changed", b[0]);
        }
    }
}

#[test]
fn adding_an_uncertain_parameter_leaves_existing_columns_identical() {
    let dir = tempfile::tempdir().unwrap();
    // Bostan's teu_per_musd was fixed (15); make it uncertain.
    let v = variant(
        dir.path(),
        "[[zones]]\nid = \"bostan\"\n[zones.exports]\nteu_per_musd = { dist = \"uniform\", min = 10, max = 20 }\n",
    );
    let n = 2000;
    let base = columns(&sample(Path::new("scenarios/cpec_baseline.toml"), n, 2));
    let var = columns(&sample(&v, n, 2));
    assert_eq!(var.len(), base.len() + 1);
    for b in &base {
        let v = var.iter().find(|v| v[0] == b[0]).unwrap();
        assert_eq!(b, v, "column {} changed", b[0]);
    }
    assert!(
        var.iter()
            .any(|v| v[0] == "zones.bostan.exports.teu_per_musd")
    );
}

#[test]
fn latin_hypercube_too_large_for_memory_is_an_input_error() {
    // The fixture samples by Latin hypercube: 10^9 replications of its
    // parameters would need tens of GiB of permutations.
    sezsim()
        .args([
            "sample",
            "tests/fixtures/full/base.toml",
            "-n",
            "1000000000",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`scenario.sampling`"))
        .stderr(predicate::str::contains("use sampling = \"random\""));
}

#[test]
fn every_file_an_example_in_help_names_exists() {
    // A newcomer copies the examples of `--help`: the shipped files they
    // name must be there.
    for command in [
        "run", "plot", "merge", "compare", "sweep", "check", "sample",
    ] {
        let out = sezsim().args([command, "--help"]).output().unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        let named: Vec<&str> = help
            .split_whitespace()
            .filter(|w| w.starts_with("scenarios/"))
            .collect();
        for file in named {
            assert!(
                Path::new(file).is_file(),
                "`sezsim {command} --help` names {file}, which does not exist"
            );
        }
    }
}

#[test]
fn shipped_scenarios_cite_sources_not_design_files() {
    // Users' clones have no design folder: a scenario comment pointing at
    // one (CALIBRATION.md, MODEL.md...) is a dead reference.
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            for design in [
                "CALIBRATION.md",
                "MODEL.md",
                "SCENARIO.md",
                "CLI.md",
                "shared/",
            ] {
                assert!(
                    !text.contains(design),
                    "{} refers to {design}",
                    path.display()
                );
            }
        }
    }
}

/// Run `sezsim check` on `scenario`, expecting exit code 2 within a second
/// with a message containing every fragment; a hang fails after 10 s.
#[track_caller]
fn refused_quickly(scenario: &Path, fragments: &[&str]) {
    let started = std::time::Instant::now();
    let out = sezsim()
        .arg("check")
        .arg(scenario)
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}: {stderr}",
        scenario.display()
    );
    assert!(
        elapsed < std::time::Duration::from_secs(1),
        "{} took {elapsed:?}",
        scenario.display()
    );
    for f in fragments {
        assert!(stderr.contains(f), "expected {f:?} in:\n{stderr}");
    }
}

#[test]
fn pipes_devices_and_folders_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let folder = dir.path().join("folder.toml");
    std::fs::create_dir(&folder).unwrap();
    let fifo_name = fifo.display().to_string();
    let folder_name = folder.display().to_string();
    let cases = [
        (
            Path::new("/dev/zero"),
            "/dev/zero is a character device, not a regular file",
        ),
        (
            fifo.as_path(),
            &*format!("{fifo_name} is a named pipe (FIFO), not a regular file"),
        ),
        (
            folder.as_path(),
            &*format!("{folder_name} is a folder, not a regular file"),
        ),
    ];
    let base = std::fs::canonicalize("tests/fixtures/full/base.toml").unwrap();
    for (i, (file, message)) in cases.iter().enumerate() {
        // As the scenario.
        refused_quickly(file, &[message]);
        // As a parent: located at the `extends` that names it.
        let child = dir.path().join(format!("child{i}.toml"));
        std::fs::write(&child, format!("extends = {:?}\n", file.to_str().unwrap())).unwrap();
        refused_quickly(
            &child,
            &[&format!("child{i}.toml:1:11: `extends`: "), message],
        );
        // As a CSV series.
        let variant = dir.path().join(format!("variant{i}.toml"));
        std::fs::write(
            &variant,
            format!(
                "extends = {:?}\n[global]\nport_capacity_teu = {{ csv = {:?}, column = \"teu\" }}\n",
                base.to_str().unwrap(),
                file.to_str().unwrap()
            ),
        )
        .unwrap();
        refused_quickly(
            &variant,
            &[
                &format!("variant{i}.toml:3:29: `global.port_capacity_teu`: "),
                message,
            ],
        );
        // As a sweep file.
        let started = std::time::Instant::now();
        sezsim()
            .arg("sweep")
            .arg(file)
            .arg("--out")
            .arg(dir.path().join("never"))
            .timeout(std::time::Duration::from_secs(10))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*message));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}

#[test]
fn a_file_without_model_runs_as_a_sez_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::fixture_without_model(dir.path());
    let out = dir.path().join("out");
    sezsim()
        .arg("run")
        .arg(&path)
        .args(["-n", "20", "--threads", "1", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.contains(",north,"), "zones of the sez model");
}

#[test]
fn seeds_the_scenario_file_refuses_are_refused_on_the_command_line() {
    // Scenario seeds are 0 to 2^63 - 1 (TOML integers); 2^63 is one more.
    let too_big = "9223372036854775808";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    for args in [
        vec!["run", "scenarios/cpec_baseline.toml"],
        vec!["sample", "scenarios/cpec_baseline.toml"],
        vec![
            "compare",
            "scenarios/cpec_baseline.toml",
            "scenarios/cpec_policy_shock.toml",
        ],
    ] {
        sezsim()
            .args(&args)
            .args(["--seed", too_big, "-n", "10", "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--seed"))
            .stderr(predicate::str::contains(too_big));
    }
    assert!(!out.exists());
    // The largest seed the scenario accepts is accepted here too.
    sezsim()
        .args([
            "sample",
            "scenarios/cpec_baseline.toml",
            "-n",
            "2",
            "--seed",
            "9223372036854775807",
        ])
        .assert()
        .success();
    // And the scenario file refuses 2^63 with its range.
    let path = support::extending(
        dir.path(),
        "seed.toml",
        "scenarios/cpec_baseline.toml",
        &format!("[scenario]\nseed = {too_big}\n"),
    );
    sezsim()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "seed.toml:3:8: `scenario.seed`: expected an integer from 0 to 9223372036854775807",
        ));
}

#[test]
fn compare_names_the_variant_whose_parent_has_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = std::fs::canonicalize("scenarios/cpec_baseline.toml").unwrap();
    std::fs::write(
        dir.path().join("parent.toml"),
        format!(
            "extends = {:?}\n[scenario]\nname = \"parent\"\n[global]\ndemand_persistence = 5\n",
            baseline.to_str().unwrap()
        ),
    )
    .unwrap();
    let variant = dir.path().join("policy.toml");
    std::fs::write(
        &variant,
        "extends = \"parent.toml\"\n[scenario]\nname = \"policy\"\n",
    )
    .unwrap();
    let out = sezsim()
        .args(["compare", "scenarios/cpec_baseline.toml"])
        .arg(&variant)
        .arg("--out")
        .arg(dir.path().join("never"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("parent.toml:5:22: `global.demand_persistence`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "note: found while loading variant {}",
            variant.display()
        )),
        "{stderr}"
    );
    assert!(!dir.path().join("never").exists());
}

#[test]
fn check_says_when_a_variant_replaces_inherited_lists() {
    let dir = tempfile::tempdir().unwrap();
    // The baseline has 4 committed investments and 2 correlations.
    let v = variant(
        dir.path(),
        "[scenario]\nname = \"v\"\n\n[[committed_investments]]\nzone = \"rashakai\"\nyear = 2027\n\
         amount = 50\nprobability = 0.5\n\n[[correlations]]\n\
         between = [\"zones.rashakai.investment.bass_q\", \"zones.bostan.investment.bass_q\"]\n\
         spearman = 0.3\n",
    );
    sezsim()
        .arg("check")
        .arg(&v)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "variant.toml:5:3: `committed_investments` replaces the 4 inherited committed investments with 1 of its own",
        ))
        .stdout(predicate::str::contains(
            "`correlations` replaces the 2 inherited correlations with 1 of its own",
        ));
    // The baseline itself replaces nothing.
    sezsim()
        .args(["check", "scenarios/cpec_baseline.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("replaces").not());
}

/// Run `sezsim ARGS | READER` through `sh`; return sezsim's exit status
/// (written by the shell to a file, since a pipeline's status is its last
/// command's) and everything written to standard error.
fn piped_into(args: &[&str], reader: &str, dir: &Path) -> (i32, String) {
    let status_file = dir.join("status");
    let _ = std::fs::remove_file(&status_file);
    let bin = assert_cmd::cargo::cargo_bin("sezsim");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            r#"{{ "$0" "$@"; echo $? > "{}"; }} | {reader}"#,
            status_file.display()
        ))
        .arg(&bin)
        .args(args)
        .output()
        .unwrap();
    let status = std::fs::read_to_string(&status_file)
        .unwrap_or_else(|e| panic!("sezsim {args:?} | {reader}: no status ({e})"));
    (
        status.trim().parse().unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A reader that stops reading (`head -c1`, `true`) closes the pipe: every
/// command that prints ends quietly with exit status 0, as ripgrep does (we
/// chose 0 over dying of SIGPIPE, status 141 in a shell: Rust ignores
/// SIGPIPE, and the reader already had what it wanted). `true` never reads,
/// so the first write fails for certain; `head -c1` closes after one byte.
#[test]
fn a_closed_pipe_ends_every_command_quietly_with_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = "tests/fixtures/full/base.toml";
    let run_dir = d.join("run").display().to_string();
    let compare_dir = d.join("compare").display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", scenario],
        vec!["run", scenario, "-n", "300", "--out", &run_dir],
        // Megabytes of draws: far more than a pipe holds.
        vec!["sample", scenario, "-n", "20000"],
        vec!["plot", &run_dir],
        vec![
            "compare",
            scenario,
            "tests/fixtures/full/child.toml",
            "-n",
            "100",
            "--out",
            &compare_dir,
        ],
    ];
    for args in &commands {
        for reader in ["head -c1", "true"] {
            let (status, stderr) = piped_into(args, reader, d);
            assert!(
                !stderr.contains("panicked"),
                "sezsim {args:?} | {reader}:\n{stderr}"
            );
            assert_eq!(status, 0, "sezsim {args:?} | {reader}:\n{stderr}");
            assert!(
                stderr.trim().is_empty(),
                "sezsim {args:?} | {reader} should be quiet:\n{stderr}"
            );
        }
    }
    // The run's results were written before its summary was printed.
    assert!(d.join("run/summary.csv").is_file());
}

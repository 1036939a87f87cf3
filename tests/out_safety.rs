//! Output safety: `--out` (and `plot`'s charts/, `sample --out`) never
//! destroys what sezsim did not write; a run killed at any moment leaves
//! the old or the new complete result and no litter after the next run;
//! two writers of one target never mix; sweeps keep their results until the
//! new ones exist; every name a command writes is one the safety rule knows.

mod support;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use sezsim::output::target::SEZSIM_NAMES;
use support::{GRID, ok, snapshot, sweep_file, temporaries_beside};

/// The fixture's base scenario and a variant of it, as absolute paths (some
/// commands run from another folder).
fn base() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(support::fixture_base)
}

fn child() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        std::fs::canonicalize("tests/fixtures/full/child.toml")
            .unwrap()
            .display()
            .to_string()
    })
}

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

/// `sezsim ARGS --out OUT` in the background.
fn spawn(args: &[&str], out: &Path) -> Child {
    support::spawn_sezsim(
        args.iter()
            .map(OsStr::new)
            .chain([OsStr::new("--out"), out.as_os_str()]),
    )
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Run `cmd`, expect exit code 2 with `message` in stderr, and `place`
/// (a folder's contents, or a file's bytes or kind) unchanged.
fn assert_refused(cmd: &mut Command, place: &Path, message: &str) {
    let before = state(place);
    let o = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(message), "expected `{message}` in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(state(place), before, "{} changed", place.display());
}

fn state(place: &Path) -> Vec<(String, Vec<u8>)> {
    let meta = std::fs::symlink_metadata(place).unwrap();
    if meta.is_dir() {
        snapshot(place).into_iter().collect()
    } else if meta.is_file() {
        vec![(String::new(), std::fs::read(place).unwrap())]
    } else {
        vec![(format!("{:?}", meta.file_type()), Vec::new())]
    }
}

/// A FIFO, and a character device where one can be made without harm: a
/// copy of /dev/null made with mknod (needs root), else /dev/null itself
/// when not root (an unprivileged process cannot replace it, so a wrong
/// answer shows as exit code 1, not as damage).
fn special_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success(), "mkfifo");
    let mut out = vec![(fifo, "a FIFO")];
    let device = dir.join("null");
    let mknod = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status();
    if mknod.is_ok_and(|s| s.success()) {
        out.push((device, "a device"));
    } else if !is_root() {
        out.push((PathBuf::from("/dev/null"), "a device"));
    } else {
        eprintln!("no device tested: root, but mknod is not allowed here");
    }
    out
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().next().map(|u| u == "0"))
        .unwrap_or(false)
}

/// A folder of the user's: two files sezsim did not write.
fn users_folder(dir: &Path, name: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "my notes\n").unwrap();
    std::fs::write(folder.join("data.csv"), "year,value\n2025,1\n").unwrap();
    folder
}

#[test]
fn run_refuses_what_sezsim_did_not_write_and_replaces_its_own_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |out: &Path| {
        let mut c = sezsim();
        c.args(["run", base(), "-q", "-n", "50", "--out"]).arg(out);
        c
    };
    let users = users_folder(d, "mine");
    assert_refused(
        &mut run(&users),
        &users,
        "holds files sezsim did not write (data.csv, notes.txt)",
    );
    let file = d.join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    assert_refused(&mut run(&file), &file, "is a file, not a folder");
    for (special, kind) in special_files(d) {
        assert_refused(&mut run(&special), &special, &format!("is {kind}"));
    }
    // `.` and the working folder's parent, from a folder holding a file.
    let work = users_folder(d, "work");
    let absolute = work.display().to_string();
    for out in [".", "..", "work/..", "./", absolute.as_str()] {
        assert_refused(
            run(Path::new(out)).current_dir(&work),
            &work,
            "sezsim will not replace",
        );
    }

    // A result folder is replaced; with a note of the user's in it, not.
    let out = d.join("run");
    ok(&mut run(&out));
    ok(sezsim()
        .args(["run", base(), "-q", "-n", "60", "--out"])
        .arg(&out));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"replications\": 60"), "{manifest}");
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    assert_refused(
        &mut run(&out),
        &out,
        "holds files sezsim did not write (notes.txt)",
    );
    assert_eq!(temporaries_beside(&out), Vec::<String>::new());

    // A bare relative --out: created, then replaced.
    for n in ["40", "41"] {
        ok(sezsim()
            .current_dir(&work)
            .args(["run", base(), "-q", "-n", n, "--out", "rel"]));
    }
    assert!(
        std::fs::read_to_string(work.join("rel/manifest.json"))
            .unwrap()
            .contains("\"replications\": 41")
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    let link = dir.path().join("link");
    std::os::unix::fs::symlink("real", &link).unwrap();
    ok(sezsim()
        .args(["run", base(), "-q", "-n", "50", "--out"])
        .arg(&link));
    assert!(real.join("manifest.json").is_file());
    ok(sezsim()
        .args(["run", base(), "-q", "-n", "50", "--out"])
        .arg(&link));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    // A link to a folder of the user's is refused like the folder.
    let users = users_folder(dir.path(), "mine");
    let to_users = dir.path().join("to_mine");
    std::os::unix::fs::symlink(&users, &to_users).unwrap();
    assert_refused(
        sezsim()
            .args(["run", base(), "-q", "-n", "50", "--out"])
            .arg(&to_users),
        &users,
        "holds files sezsim did not write",
    );
}

#[test]
fn compare_merge_sweep_plot_and_sample_refuse_the_same_targets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let users = users_folder(d, "mine");
    let file = d.join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let specials = special_files(d);
    let shard = d.join("shard");
    ok(sezsim()
        .args(["run", base(), "-q", "-n", "50", "--shard", "1/1", "--out"])
        .arg(&shard));
    let sweep = sweep_file(d, "grid", 20, GRID);

    let compare = |out: &Path| {
        let mut c = sezsim();
        c.args(["compare", base(), child(), "-q", "-n", "30", "--out"])
            .arg(out);
        c
    };
    let merge = |out: &Path| {
        let mut c = sezsim();
        c.arg("merge").arg(&shard).arg("-q").arg("--out").arg(out);
        c
    };
    let sweep_into = |out: &Path| {
        let mut c = sezsim();
        c.arg("sweep").arg(&sweep).arg("-q").arg("--out").arg(out);
        c
    };
    for make in [&compare as &dyn Fn(&Path) -> Command, &merge, &sweep_into] {
        assert_refused(
            &mut make(&users),
            &users,
            "holds files sezsim did not write",
        );
        assert_refused(&mut make(&file), &file, "is a file, not a folder");
        for (special, kind) in &specials {
            assert_refused(&mut make(special), special, &format!("is {kind}"));
        }
        assert_refused(
            make(Path::new(".")).current_dir(&users),
            &users,
            "sezsim will not replace",
        );
    }
    // A sweep is not run into a run folder.
    let run = d.join("run");
    ok(sezsim()
        .args(["run", base(), "-q", "-n", "50", "--out"])
        .arg(&run));
    assert_refused(&mut sweep_into(&run), &run, "not a sweep");

    // plot: charts/ of a folder sezsim did not write, and a run folder's
    // charts/ holding a file of the user's.
    let fake = d.join("fake");
    std::fs::create_dir_all(fake.join("charts")).unwrap();
    for f in ["fan.csv", "scalars.csv", "reservoir.csv"] {
        std::fs::copy(run.join(f), fake.join(f)).unwrap();
    }
    std::fs::write(fake.join("manifest.json"), r#"{"tool": "other"}"#).unwrap();
    std::fs::write(fake.join("charts/mine.png"), "my picture").unwrap();
    assert_refused(
        sezsim().arg("plot").arg(&fake),
        &fake,
        "is not a sezsim run folder",
    );
    std::fs::write(run.join("charts/notes.txt"), "mine").unwrap();
    assert_refused(
        sezsim().arg("plot").arg(&run),
        &run,
        "holds files sezsim did not write (notes.txt)",
    );

    // sample --out replaces only a regular file.
    let sample = |out: &Path| {
        let mut c = sezsim();
        c.args(["sample", base(), "-n", "5", "--out"]).arg(out);
        c
    };
    assert_refused(
        &mut sample(&users),
        &users,
        "is a folder, not a regular file",
    );
    for (special, kind) in &specials {
        assert_refused(&mut sample(special), special, &format!("is {kind}"));
    }
    ok(&mut sample(&file));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("replication,")
    );
}

/// Whether `dir` holds a complete run folder: its manifest parses, and
/// every file the run writes is there and whole (replications.csv has a
/// row per replication, every chart report.md shows exists). Returns the
/// run's replications.
fn complete_run(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .unwrap_or_else(|e| panic!("{}: no manifest: {e}", dir.display()));
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n = manifest["replications"].as_u64().unwrap();
    for f in [
        "summary.csv",
        "scalars.csv",
        "fan.csv",
        "reservoir.csv",
        "report.md",
    ] {
        let len = std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{f} missing or empty");
    }
    let rows = std::fs::read_to_string(dir.join("replications.csv")).unwrap();
    assert_eq!(rows.lines().count() as u64, n + 1, "replications.csv");
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let shown: BTreeSet<&str> = report
        .split("](charts/")
        .skip(1)
        .filter_map(|s| s.split(')').next())
        .collect();
    assert!(shown.len() > 10, "{} charts", shown.len());
    let drawn: BTreeSet<String> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        drawn,
        shown.iter().map(|s| s.to_string()).collect(),
        "charts/"
    );
    n
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_old_or_the_new_complete_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let old = ["run", base(), "-q", "-n", "300", "--save-replications"];
    let new = ["run", base(), "-q", "-n", "3000", "--save-replications"];
    // How long the new run takes here (most of it drawing the charts, the
    // rest running and writing replications.csv), then the old result.
    let started = Instant::now();
    assert!(
        spawn(&new, &dir.path().join("timing"))
            .wait()
            .unwrap()
            .success()
    );
    let took = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(dir.path().join("timing")).unwrap();
    assert!(spawn(&old, &out).wait().unwrap().success());
    assert_eq!(complete_run(&out), 300);

    let mut outcomes = Vec::new();
    // Spread over the run, denser towards its end (publishing), the last
    // one after it.
    for (i, share) in [0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0, 1.15]
        .iter()
        .enumerate()
    {
        let delay = took * share;
        let mut child = spawn(&new, &out);
        std::thread::sleep(Duration::from_secs_f64(delay));
        let _ = child.kill(); // SIGKILL (a no-op once the run is done)
        let status = child.wait().unwrap();
        let n = complete_run(&out);
        assert!(n == 300 || n == 3000, "kill {i} after {delay:.2} s: {n}");
        outcomes.push((format!("{delay:.2}"), status.success(), n));
    }
    eprintln!("(delay s, finished, replications at the target): {outcomes:?}");
    // The next run clears what the killed ones left beside the target.
    assert!(spawn(&old, &out).wait().unwrap().success());
    assert_eq!(complete_run(&out), 300);
    assert_eq!(temporaries_beside(&out), Vec::<String>::new());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_second_writer_of_a_target_stops_with_a_clear_message_and_the_first_wins() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let quick = ["run", base(), "-q", "-n", "300", "--save-replications"];
    assert!(spawn(&quick, &out).wait().unwrap().success());
    let before = snapshot(&out);

    // One writer at work: a second one stops at once, naming it.
    let slow = ["run", base(), "-q", "-n", "3000", "--save-replications"];
    let mut first = spawn(&slow, &out);
    let pid = first.id();
    wait_for("the first run's temporary", Duration::from_secs(60), || {
        !temporaries_beside(&out).is_empty()
    });
    let second = sezsim()
        .args(quick)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("another sezsim (pid {pid}) is writing"))
            && err.contains("wait for it to finish, or choose another --out"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before, "the previous results changed");
    assert!(first.wait().unwrap().success());
    assert_eq!(complete_run(&out), 3000);

    // Two started together: never both, and one complete result stays.
    for _ in 0..3 {
        let mut a = spawn(&quick, &out);
        let mut b = spawn(&quick, &out);
        let mut finished = 0;
        for child in [&mut a, &mut b] {
            let status = child.wait().unwrap();
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            if status.success() {
                finished += 1;
            } else {
                assert_eq!(status.code(), Some(1), "{err}");
                assert!(err.contains("is writing"), "{err}");
            }
        }
        assert!(finished <= 1, "both writers went on");
        complete_run(&out);
    }
    assert_eq!(temporaries_beside(&out), Vec::<String>::new());
}

#[test]
fn an_interrupted_sweep_with_a_changed_grid_keeps_the_old_table_charts_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let file = sweep_file(dir.path(), "grid", 40, GRID);
    ok(sezsim()
        .arg("sweep")
        .arg(&file)
        .arg("-q")
        .arg("--out")
        .arg(&out));
    let kept = |s: &std::collections::BTreeMap<String, Vec<u8>>| {
        s.iter()
            .filter(|(name, _)| !name.starts_with("points"))
            .map(|(n, b)| (n.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    let before = kept(&snapshot(&out));
    assert!(
        before
            .iter()
            .any(|(n, _)| n == "charts/heatmap_exports_final.png")
    );

    // A smaller grid (six points) at more replications: every point is new.
    let smaller = GRID.replace("values = [0.2, 0.5, 0.8]", "values = [0.3, 0.6]");
    let file = sweep_file(dir.path(), "grid", 3000, &smaller);
    let old_point = std::fs::read(out.join("points/0001/point.json")).unwrap();
    let mut child = spawn(
        &["sweep", file.to_str().unwrap(), "-q", "--threads", "1"],
        &out,
    );
    wait_for("the first new point", Duration::from_secs(120), || {
        std::fs::read(out.join("points/0001/point.json")).is_ok_and(|b| b != old_point)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        kept(&snapshot(&out)),
        before,
        "the old sweep's files changed"
    );
    assert!(out.join("points/0009").is_dir(), "a stale point went early");

    // Finished, the new sweep replaces them and drops the stale points.
    let stdout = ok(sezsim().arg("sweep").arg(&file).arg("--out").arg(&out));
    assert!(stdout.contains("6 points"), "{stdout}");
    let points: Vec<String> = std::fs::read_dir(out.join("points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(points, ["0001", "0002", "0003", "0004", "0005", "0006"]);
    let table = std::fs::read_to_string(out.join("points.csv")).unwrap();
    assert_eq!(table.lines().count(), 7);
    assert_ne!(kept(&snapshot(&out)), before);
    assert_eq!(temporaries_beside(&out), Vec::<String>::new());
}

#[test]
fn a_shard_never_deletes_points_it_does_not_own() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "grid", 20, GRID);
    let sweep = |out: &Path, extra: &[&str]| {
        let mut c = sezsim();
        c.arg("sweep")
            .arg(&file)
            .arg("-q")
            .args(extra)
            .arg("--out")
            .arg(out);
        c
    };
    let whole = dir.path().join("whole");
    ok(&mut sweep(&whole, &[]));
    assert_refused(
        &mut sweep(&whole, &["--shard", "1/2"]),
        &whole,
        "holds a complete sweep, and --shard 1/2 writes a shard folder of its own",
    );
    let second = dir.path().join("second");
    ok(&mut sweep(&second, &["--shard", "2/2"]));
    assert_refused(
        &mut sweep(&second, &["--shard", "1/2"]),
        &second,
        "holds shard 2/2 of a sweep",
    );
    // The shard resumes its own folder.
    ok(&mut sweep(&second, &["--shard", "2/2"]));
    assert_eq!(
        std::fs::read_dir(second.join("points")).unwrap().count(),
        4,
        "points 2, 4, 6 and 8"
    );
}

/// The names each command writes at the top of its folders (and of the
/// folders inside: a comparison's run folders, a sweep's points).
fn names_written(dir: &Path, into: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.join("manifest.json").is_file() {
            names_written(&path, into);
        } else if name == "points" {
            for point in std::fs::read_dir(&path).unwrap() {
                names_written(&point.unwrap().path(), into);
            }
            into.insert(name);
        } else {
            into.insert(name);
        }
    }
}

#[test]
fn every_name_a_command_writes_is_one_the_safety_rule_knows() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    ok(sezsim()
        .args([
            "run",
            base(),
            "-q",
            "-n",
            "40",
            "--save-replications",
            "--out",
        ])
        .arg(d("run")));
    ok(sezsim().arg("plot").arg(d("run")).arg("-q"));
    ok(sezsim()
        .args(["compare", base(), child(), "-q", "-n", "30", "--out"])
        .arg(d("compare")));
    let file = sweep_file(dir.path(), "grid", 20, GRID);
    ok(sezsim()
        .arg("sweep")
        .arg(&file)
        .arg("-q")
        .arg("--out")
        .arg(d("sweep")));
    let sensitivity = [
        "sensitivity",
        base(),
        "--samples",
        "8",
        "--replicates",
        "2",
        "--outputs",
        "exports,fiscal_npv",
        "--second-order",
    ];
    ok(sezsim()
        .args(sensitivity)
        .arg("-q")
        .arg("--out")
        .arg(d("sobol")));
    ok(sezsim()
        .args([
            "sensitivity",
            base(),
            "--method",
            "morris",
            "--samples",
            "4",
        ])
        .args(["--outputs", "fiscal_npv", "-q", "--out"])
        .arg(d("morris")));
    // Two shards of a run, a sweep and an analysis, each pair merged.
    let run = ["run", base(), "-n", "600", "--save-replications"];
    let sweep = ["sweep", file.to_str().unwrap()];
    for (name, command) in [
        ("shard", &run[..]),
        ("sweep_shard", &sweep[..]),
        ("sobol_shard", &sensitivity[..]),
    ] {
        let shard = |i: u32| d(&format!("{name}{i}"));
        for i in 1..=2 {
            ok(sezsim()
                .args(command)
                .args(["-q", "--shard", &format!("{i}/2"), "--out"])
                .arg(shard(i)));
        }
        ok(sezsim()
            .args(["merge", "-q", "--out"])
            .arg(d(&format!("{name}_merged")))
            .arg(shard(1))
            .arg(shard(2)));
    }

    let mut names = BTreeSet::new();
    for folder in [
        "run",
        "shard1",
        "shard_merged",
        "compare",
        "sweep",
        "sweep_shard1",
        "sweep_shard_merged",
        "sobol",
        "morris",
        "sobol_shard1",
        "sobol_shard_merged",
    ] {
        names_written(&d(folder), &mut names);
    }
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| !SEZSIM_NAMES.contains(&n.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "add these to SEZSIM_NAMES in src/output/target/rule.rs: {unknown:?}"
    );
    // And each is written by some command: the list holds no stale name.
    let unused: Vec<&&str> = SEZSIM_NAMES
        .iter()
        .filter(|n| !names.contains(**n))
        .collect();
    assert!(unused.is_empty(), "never written: {unused:?}");
}

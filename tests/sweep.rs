//! `sezsim sweep`: grid and Latin hypercube designs, points.csv, the
//! sweep's charts, resuming, shards and their merge, located errors in
//! sweep files.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use support::{GRID, ok, sweep_file};

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) -> String {
    ok(sezsim()
        .arg("sweep")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra))
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The files a sweep's results are made of: points.csv, the charts and
/// each point's tables (manifests differ by wall time and command).
fn result_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![(
        "points.csv".to_string(),
        read(dir.join("points.csv")).into_bytes(),
    )];
    let mut charts: Vec<PathBuf> = std::fs::read_dir(dir.join("charts"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    charts.sort();
    for c in charts {
        let name = format!("charts/{}", c.file_name().unwrap().to_string_lossy());
        files.push((name, std::fs::read(&c).unwrap()));
    }
    let mut points: Vec<PathBuf> = std::fs::read_dir(dir.join("points"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    points.sort();
    for p in points {
        for f in ["summary.csv", "scalars.csv", "point.csv"] {
            let name = format!("{}/{f}", p.file_name().unwrap().to_string_lossy());
            files.push((name, read(p.join(f)).into_bytes()));
        }
    }
    files
}

fn assert_same_results(a: &Path, b: &Path, what: &str) {
    let (x, y) = (result_files(a), result_files(b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&x), names(&y), "{what}: different files");
    for ((name, t), (_, u)) in x.iter().zip(&y) {
        assert!(t == u, "{what}: {name} differs");
    }
}

fn columns(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn a_two_by_three_grid_gives_nine_points_with_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "grid", 200, GRID);
    let out = dir.path().join("out");
    let stdout = sweep(&file, &out, &[]);
    assert!(stdout.contains("9 points (9 run, 0 kept"), "{stdout}");
    let (header, rows) = columns(&read(out.join("points.csv")));
    assert_eq!(
        header[..4],
        [
            "point",
            "global.demand_persistence",
            "zones.north.energy.grid_mw",
            "exports_cumulative_mean"
        ]
    );
    assert_eq!(
        header.len(),
        3 + 8 * 6,
        "6 statistics for each of 8 scalars"
    );
    assert!(header.contains(&"exports_final_p_target".to_string()));
    assert_eq!(rows.len(), 9);
    let mut expected = Vec::new();
    for a in ["0.2", "0.5", "0.8"] {
        for b in ["10", "20", "40"] {
            expected.push((a, b));
        }
    }
    for (i, (row, (a, b))) in rows.iter().zip(expected).enumerate() {
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(
            (row[1].as_str(), row[2].as_str()),
            (a, b),
            "point {}",
            i + 1
        );
        // The target is set on exports_final only.
        let t = header
            .iter()
            .position(|h| h == "exports_final_p_target")
            .unwrap();
        assert!(!row[t].is_empty());
        let t = header
            .iter()
            .position(|h| h == "fiscal_npv_p_target")
            .unwrap();
        assert!(row[t].is_empty());
    }
    // Every point is a run folder, with the point's values in its scenario
    // and the same seed everywhere.
    for p in 1..=9 {
        let manifest: serde_json::Value =
            serde_json::from_str(&read(out.join(format!("points/{p:04}/manifest.json")))).unwrap();
        assert_eq!(manifest["seed"], 11);
        assert_eq!(manifest["replications"], 200);
    }
    // The values reach the model: demand persistence moves the outcomes.
    assert_ne!(rows[0][3], rows[3][3]);
    let summary = read(out.join("points/0004/summary.csv"));
    assert!(summary.starts_with("output,zone,year,n,mean,sd,mcse,min,p10,p50,p90,max\n"));
    // Two parameters on a grid: a heatmap of the first scalar with a
    // target (no chart_scalar is set).
    let charts = out.join("charts");
    assert_eq!(support::chart_stems(&charts), vec!["heatmap_exports_final"]);
    support::assert_good_chart(&charts, "heatmap_exports_final");
}

#[test]
fn a_one_parameter_sweep_charts_every_scalar_and_chart_scalar_picks_the_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(
        dir.path(),
        "one",
        60,
        r#"design = "lhs"
points = 5

[[parameters]]
path = "global.demand_persistence"
min = 0.1
max = 0.9
"#,
    );
    let out = dir.path().join("out");
    sweep(&file, &out, &["-q"]);
    let charts = out.join("charts");
    let stems = support::chart_stems(&charts);
    assert_eq!(stems.len(), 8, "one chart per scalar: {stems:?}");
    for stem in &stems {
        assert!(stem.starts_with("sweep_"), "{stem}");
        support::assert_good_chart(&charts, stem);
    }
    // chart_scalar chooses the heatmap's scalar.
    let file = sweep_file(
        dir.path(),
        "chosen",
        40,
        &format!("chart_scalar = \"fiscal_npv\"\n{GRID}"),
    );
    let out = dir.path().join("chosen");
    sweep(&file, &out, &["-q"]);
    assert_eq!(
        support::chart_stems(&out.join("charts")),
        vec!["heatmap_fiscal_npv"]
    );
}

#[test]
fn an_lhs_sweep_puts_one_point_in_each_stratum_of_each_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let n = 12;
    let file = sweep_file(
        dir.path(),
        "lhs",
        50,
        &format!(
            r#"design = "lhs"
points = {n}

[[parameters]]
path = "global.demand_persistence"
min = 0.1
max = 0.9

[[parameters]]
path = "zones.south.investment.area_ha"
min = 200
max = 800
"#
        ),
    );
    let out = dir.path().join("out");
    sweep(&file, &out, &["-q"]);
    let (_, rows) = columns(&read(out.join("points.csv")));
    assert_eq!(rows.len(), n);
    // Two parameters in a Latin hypercube: a scatter coloured by the
    // chart scalar.
    let charts = out.join("charts");
    assert_eq!(support::chart_stems(&charts), vec!["scatter_exports_final"]);
    support::assert_good_chart(&charts, "scatter_exports_final");
    for (k, (lo, hi)) in [(1, (0.1, 0.9)), (2, (200.0, 800.0))] {
        let mut strata = vec![0; n];
        for row in &rows {
            let v: f64 = row[k].parse().unwrap();
            assert!((lo..=hi).contains(&v));
            let s = ((v - lo) / (hi - lo) * n as f64).floor() as usize;
            strata[s.min(n - 1)] += 1;
        }
        assert!(strata.iter().all(|&c| c == 1), "column {k}: {strata:?}");
    }
}

#[test]
fn merged_sweep_shards_equal_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "grid", 150, GRID);
    let whole = dir.path().join("whole");
    sweep(&file, &whole, &["-q"]);
    // The merged sweep's charts are compared byte for byte below.
    assert!(whole.join("charts/heatmap_exports_final.png").is_file());
    for n in [1u32, 3, 7] {
        let shards: Vec<PathBuf> = (1..=n)
            .map(|i| {
                let out = dir.path().join(format!("n{n}-{i}"));
                sweep(&file, &out, &["-q", "--shard", &format!("{i}/{n}")]);
                out
            })
            .collect();
        let merged = dir.path().join(format!("merged{n}"));
        ok(sezsim()
            .arg("merge")
            .args(shards.iter().rev())
            .arg("--out")
            .arg(&merged));
        assert_same_results(&whole, &merged, &format!("N = {n}"));
        let m: serde_json::Value = serde_json::from_str(&read(merged.join("sweep.json"))).unwrap();
        assert_eq!(m["merged_shards"], n);
    }
    // Shard 2 of 3 holds points 2, 5 and 8.
    let listed: Vec<String> = std::fs::read_dir(dir.path().join("n3-2/points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(listed, ["0002", "0005", "0008"]);

    // Refusals: a missing shard, a duplicate, another seed.
    let merge = |dirs: &[&str]| {
        let mut c = sezsim();
        c.arg("merge");
        for d in dirs {
            c.arg(dir.path().join(d));
        }
        c.arg("--out").arg(dir.path().join("refused")).assert()
    };
    merge(&["n3-1", "n3-2"])
        .code(2)
        .stderr(predicate::str::contains("shard 3/3 is missing"));
    merge(&["n3-1", "n3-2", "n3-2", "n3-3"])
        .code(2)
        .stderr(predicate::str::contains("shard 2/3 is given 2 times"));
    let other = sweep_file(dir.path(), "grid", 150, &GRID.replace("0.8]", "0.9]"));
    sweep(
        &other,
        &dir.path().join("other3"),
        &["-q", "--shard", "3/3"],
    );
    merge(&["n3-1", "n3-2", "other3"])
        .code(2)
        .stderr(predicate::str::contains(
            "this shard ran another sweep file",
        ));
    assert!(!dir.path().join("refused").exists());
}

#[test]
fn an_interrupted_sweep_resumes_and_ends_with_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "grid", 2500, GRID);
    let whole = dir.path().join("whole");
    sweep(&file, &whole, &["-q"]);

    // Kill a second run of the sweep once two of its points are done.
    let out = dir.path().join("out");
    let mut child = support::spawn_sezsim([
        "sweep".as_ref(),
        file.as_os_str(),
        "-q".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let started = Instant::now();
    while !out.join("points/0002/point.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no point finished"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !out.join("points.csv").exists(),
        "the sweep was killed before it finished"
    );

    let stdout = sweep(&file, &out, &[]);
    let kept: usize = stdout
        .split(" run, ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(kept >= 2, "{stdout}");
    assert_same_results(&whole, &out, "resumed");
    let leftovers = std::fs::read_dir(out.join("points"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(leftovers, 0, "temporary folders left behind");

    // Damaged and missing points are redone; the rest is kept.
    std::fs::write(out.join("points/0003/summary.csv"), "truncated").unwrap();
    std::fs::remove_dir_all(out.join("points/0005")).unwrap();
    std::fs::create_dir_all(out.join("points/.0006.tmp-999")).unwrap();
    let stdout = sweep(&file, &out, &[]);
    assert!(stdout.contains("9 points (2 run, 7 kept"), "{stdout}");
    assert_same_results(&whole, &out, "repaired");
}

#[test]
fn sweep_file_errors_are_located_with_their_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, body: &str, expected: &[&str]| {
        let file = sweep_file(dir.path(), name, 10, body);
        let mut a = sezsim()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("never"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("panicked").not());
        for e in expected {
            a = a.stderr(predicate::str::contains(
                e.replace("FILE", &file.display().to_string()),
            ));
        }
    };
    // Lines: 1 [sweep], 2 name, 3 base, 4 replications, 5 seed, then body.
    check(
        "unknown_path",
        "design = \"grid\"\n[[parameters]]\npath = \"global.demand_persistance\"\nvalues = [0.5]\n",
        &[
            "FILE:8:8: `parameters[0].path`: unknown parameter path `global.demand_persistance`",
            "close matches: global.demand_persistence",
        ],
    );
    check(
        "out_of_range",
        "design = \"grid\"\n[[parameters]]\npath = \"global.demand_persistence\"\nvalues = [0.5, 1.5]\n",
        &["FILE:9:16: `global.demand_persistence`"],
    );
    check(
        "lhs_with_values",
        "design = \"lhs\"\npoints = 4\n[[parameters]]\npath = \"global.demand_persistence\"\nvalues = [0.5]\n",
        &["FILE:10:10: `parameters[0].values`: `values` is for design = \"grid\""],
    );
    check(
        "typo",
        "design = \"gird\"\n[[parameters]]\npath = \"global.demand_persistence\"\nvalues = [0.5]\nvalue = 3\n",
        &[
            "FILE:6:10: `sweep.design`: unknown design `gird`",
            "did you mean `grid`?",
            "FILE:10:1: `parameters[0].value`: unknown key `value`",
        ],
    );
    check(
        "correlated",
        "design = \"grid\"\n[[parameters]]\npath = \"global.regulatory_shock_cut\"\nvalues = [0.5]\n",
        &["is correlated with `zones.north.investment.capital_per_ha` in the base scenario"],
    );
    nothing_ran(&dir.path().join("never"));
}

#[test]
fn every_error_of_a_sweep_file_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.toml");
    // Lines: 1 [sweep], 2 name, 3 base, 4 seed, 5 replications,
    // 6 chart_scalar, 7 design, then the parameters.
    let text = format!(
        "[sweep]\nname = \"many errors\"\nbase = {:?}\nseed = 9223372036854775808\n\
         replications = 0\nchart_scalar = \"exports_finale\"\ndesign = \"grid\"\n\
         [[parameters]]\npath = \"global.demand_persistance\"\nvalues = [0.5]\n\
         [[parameters]]\npath = \"global.demand_persistence\"\nvalues = [0.5, 1.5]\nstep = 1\n",
        support::fixture_base()
    );
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("never");
    let mut a = sezsim()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let f = file.display().to_string();
    for expected in [
        format!("{f}:2:8: `sweep.name`: sweep name `many errors` may only use"),
        format!(
            "{f}:4:8: `sweep.seed`: expected an integer from 0 to 9223372036854775807, found one beyond the 64-bit range"
        ),
        format!("{f}:5:16: `sweep.replications`: expected an integer from 1 to"),
        format!("{f}:6:16: `sweep.chart_scalar`: unknown scalar outcome `exports_finale`"),
        format!(
            "{f}:9:8: `parameters[0].path`: unknown parameter path `global.demand_persistance`"
        ),
        // The valid path's values are checked although another path is not.
        format!("{f}:13:16: `global.demand_persistence`: expected a number in [-1, 1], found 1.5"),
        format!("{f}:14:1: `parameters[1].step`: unknown key `step`"),
    ] {
        a = a.stderr(predicate::str::contains(expected));
    }
    a.stderr(predicate::str::contains("7 errors"));
    nothing_ran(&out);
}

fn nothing_ran(out: &Path) {
    assert!(!out.exists(), "a sweep with errors must not run");
}

#[test]
fn the_shipped_sweep_files_are_valid() {
    for file in [
        "scenarios/sweep_grid_stability.toml",
        "scenarios/sweep_dhabeji_skills_lhs.toml",
    ] {
        let s = sezsim::sweep::load(Path::new(file), &sezsim::model::builtin())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(s.points.len() >= 16, "{file}");
    }
}

#[test]
fn emit_slurm_writes_an_array_and_a_dependent_merge_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "grid", 100, GRID);
    let script = dir.path().join("submit.sh");
    let out = dir.path().join("merged");
    let stdout = ok(sezsim()
        .arg("sweep")
        .arg(&file)
        .arg("--emit-slurm")
        .arg(&script)
        .args(["--shards", "3", "--threads", "2", "--out"])
        .arg(&out));
    assert!(stdout.contains("9 points in 3 shards"), "{stdout}");
    let text = read(script.clone());
    assert!(text.contains("N=3\n") && text.contains("CPUS=2\n"));
    assert!(text.contains("--array=\"1-$N\""));
    assert!(text.contains("--dependency=\"afterok:$array\""));
    assert!(text.contains(&format!("OUT='{}'", out.display())));
    assert!(!out.exists(), "--emit-slurm runs nothing");
    // bash can parse it.
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn bare_emit_slurm_writes_the_default_script_as_docs_cluster_md_shows() {
    // docs/cluster.md: `sezsim sweep FILE --emit-slurm --shards 8 --threads 4`
    // writes output/<sweep name>-slurm.sh (clap once refused the bare flag).
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), "grid", 100, GRID);
    let stdout = ok(sezsim()
        .current_dir(dir.path())
        .arg("sweep")
        .arg(&file)
        .args(["--emit-slurm", "--shards", "3", "--threads", "2"]));
    let script = dir.path().join("output").join("grid-slurm.sh");
    assert!(stdout.contains("9 points in 3 shards"), "{stdout}");
    assert!(stdout.contains("output/grid-slurm.sh"), "{stdout}");
    let text = read(script);
    assert!(text.contains("N=3\n") && text.contains("CPUS=2\n"));
}

/// Points keep no yearly tables unless the sweep file asks (`points.csv`
/// and the charts read only scalars), and what they write does not
/// depend on it; asking for tables reruns the points.
#[test]
fn points_keep_scalars_only_unless_the_sweep_asks_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    // One name for all three, so their charts' titles agree.
    let file = |sub: &str, body: &str| {
        let d = dir.path().join(sub);
        std::fs::create_dir(&d).unwrap();
        sweep_file(&d, "grid", 300, &format!("{body}{GRID}"))
    };
    let lean = file("lean", "");
    let full = file("full", "tables = \"all\"\n");
    let charted = file("charted", "tables = \"charted\"\n");
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    sweep(&lean, &a, &["-q"]);
    sweep(&full, &b, &["-q"]);
    sweep(&charted, &c, &["-q"]);
    for file in ["points.csv", "charts/heatmap_exports_final.png"] {
        let bytes = |d: &Path| std::fs::read(d.join(file)).unwrap();
        assert!(bytes(&a) == bytes(&b) && bytes(&a) == bytes(&c), "{file}");
    }
    for p in 1..=9 {
        let point = format!("points/{p:04}");
        let text = |d: &Path, f: &str| read(d.join(&point).join(f));
        assert_eq!(text(&a, "scalars.csv"), text(&b, "scalars.csv"), "{point}");
        assert_eq!(text(&a, "point.csv"), text(&b, "point.csv"), "{point}");
        let (lean_rows, full_rows) = (text(&a, "summary.csv"), text(&b, "summary.csv"));
        assert_eq!(lean_rows.lines().count(), 1, "{point}: the header only");
        assert!(full_rows.starts_with(&lean_rows));
        // The fixture charts exports and capital.
        let kept: Vec<&str> = full_rows
            .lines()
            .filter(|l| l.starts_with("exports,") || l.starts_with("capital,"))
            .collect();
        assert_eq!(
            text(&c, "summary.csv").lines().skip(1).collect::<Vec<_>>(),
            kept
        );
        assert!(text(&a, "manifest.json").contains("\"tables\": \"scalars\""));
    }
    // The same folder with tables asked for: every point runs again.
    let stdout = sweep(&full, &a, &[]);
    assert!(stdout.contains("9 points (9 run, 0 kept"), "{stdout}");
    assert_same_results(&a, &b, "rerun with every table");
}

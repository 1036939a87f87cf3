//! `sezsim sensitivity` end to end: the analytic benchmarks through the
//! real command (Ishigami, Sobol' G), the coverage of its intervals over
//! many seeds, correlated blocks and declared groups as one factor (on a
//! small additive test model with a closed-form answer), Morris
//! screening, and the same bytes whatever the thread count or the split
//! into shards.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use sezsim::analysis::{self, AnalysisSettings, Method};
use sezsim::engine::{Catalogue, Described, Model, OutputLayout, Record, RunnableModel, Unit};
use sezsim::error::Error;
use sezsim::scenario::{KindInput, ModelKind, ModelOptions, ModelSpec, Registry, Schema};
use sezsim::uncertainty::{ParamId, ValueRange};
use support::{g_analytic, ok};

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

/// One row of sobol.csv.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    output: String,
    zone: String,
    year: String,
    factor: String,
    /// s1, s1_lo, s1_hi, st, st_lo, st_hi (or the three of a pair).
    numbers: Vec<f64>,
}

/// The rows of sobol.csv or sobol_s2.csv, with their header.
fn read_rows(path: &Path) -> (Vec<String>, Vec<Row>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let pair = header.contains(&"factor_j".to_string());
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let first_number = if pair { 5 } else { 4 };
            Row {
                output: r[0].to_string(),
                zone: r[1].to_string(),
                year: r[2].to_string(),
                factor: if pair {
                    format!("{}*{}", &r[3], &r[4])
                } else {
                    r[3].to_string()
                },
                numbers: r
                    .iter()
                    .skip(first_number)
                    .map(|v| v.parse().unwrap_or(f64::NAN))
                    .collect(),
            }
        })
        .collect();
    (header, rows)
}

const PI: &str = "3.141592653589793";

fn ishigami_toml(seed: u64) -> String {
    format!(
        "[scenario]\nname = \"ishigami\"\nseed = {seed}\n[model]\nkind = \"ishigami\"\n[inputs]\n\
         x1 = {{ dist = \"uniform\", min = -{PI}, max = {PI} }}\n\
         x2 = {{ dist = \"uniform\", min = -{PI}, max = {PI} }}\n\
         x3 = {{ dist = \"uniform\", min = -{PI}, max = {PI} }}\n"
    )
}

/// Analytic Ishigami indices (a = 7, b = 0.1): S1, ST and S13.
const ISHIGAMI_S1: [f64; 3] = [0.3139, 0.4424, 0.0];
const ISHIGAMI_ST: [f64; 3] = [0.5576, 0.4424, 0.2437];
const ISHIGAMI_S13: f64 = 0.2437;

#[test]
fn ishigami_indices_through_the_command_at_2_pow_14() {
    let (dir, path) = support::scenario_dir(&ishigami_toml(2024), &[]);
    let out = dir.path().join("out");
    let stdout = ok(sezsim()
        .arg("sensitivity")
        .arg(&path)
        .args(["--samples", "16384", "--second-order", "--out"])
        .arg(&out));
    assert!(stdout.contains("3 factors, 131,072 model runs"), "{stdout}");
    let (header, rows) = read_rows(&out.join("sobol.csv"));
    assert_eq!(
        header,
        [
            "output", "zone", "year", "factor", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"
        ]
    );
    assert_eq!(rows.len(), 3);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            (row.output.as_str(), row.zone.as_str(), row.year.as_str()),
            ("y", "", "")
        );
        assert_eq!(row.factor, format!("inputs.x{}", i + 1));
        let (s1, st) = (row.numbers[0], row.numbers[3]);
        eprintln!(
            "x{}: S1 {s1:.4} (error {:.4}), ST {st:.4} (error {:.4})",
            i + 1,
            s1 - ISHIGAMI_S1[i],
            st - ISHIGAMI_ST[i]
        );
        assert!((s1 - ISHIGAMI_S1[i]).abs() < 0.01, "S1 of x{}: {s1}", i + 1);
        assert!((st - ISHIGAMI_ST[i]).abs() < 0.01, "ST of x{}: {st}", i + 1);
        // Each interval holds its estimate.
        assert!(row.numbers[1] <= s1 && s1 <= row.numbers[2]);
        assert!(row.numbers[4] <= st && st <= row.numbers[5]);
    }
    let (header, pairs) = read_rows(&out.join("sobol_s2.csv"));
    assert_eq!(
        header,
        [
            "output", "zone", "year", "factor_i", "factor_j", "s2", "s2_lo", "s2_hi"
        ]
    );
    let s13 = pairs
        .iter()
        .find(|r| r.factor == "inputs.x1*inputs.x3")
        .unwrap()
        .numbers[0];
    eprintln!("S13 {s13:.4} (error {:.4})", s13 - ISHIGAMI_S13);
    assert!((s13 - ISHIGAMI_S13).abs() < 0.02, "S13 = {s13}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "sensitivity");
    assert_eq!(manifest["evaluations"], 131_072);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("![S1 and ST of y](charts/sobol_y.png)"),
        "{report}"
    );
    support::assert_good_chart(&out.join("charts"), "sobol_y");
}

#[test]
fn sobol_g_indices_through_the_command_at_2_pow_14() {
    let a = [78.0, 12.0, 0.5, 2.0, 97.0, 33.0];
    let inputs: String = (1..=a.len())
        .map(|i| format!("x{i} = {{ dist = \"uniform\", min = 0, max = 1 }}\n"))
        .collect();
    let toml = format!(
        "[scenario]\nname = \"g\"\nseed = 11\n[model]\nkind = \"sobol_g\"\na = {a:?}\n[inputs]\n{inputs}"
    );
    let (dir, path) = support::scenario_dir(&toml, &[]);
    let out = dir.path().join("out");
    ok(sezsim()
        .arg("sensitivity")
        .arg(&path)
        .args(["--samples", "16384", "-q", "--out"])
        .arg(&out));
    let (first, total) = g_analytic(&a);
    let (_, rows) = read_rows(&out.join("sobol.csv"));
    assert_eq!(rows.len(), a.len());
    let worst = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (r.numbers[0] - first[i])
                .abs()
                .max((r.numbers[3] - total[i]).abs())
        })
        .fold(0.0, f64::max);
    eprintln!("Sobol' G: largest error over S1 and ST {worst:.4}");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.factor, format!("inputs.x{}", i + 1));
        assert!(
            (row.numbers[0] - first[i]).abs() < 0.015,
            "S1 x{}: {:?}",
            i + 1,
            row
        );
        assert!(
            (row.numbers[3] - total[i]).abs() < 0.015,
            "ST x{}: {:?}",
            i + 1,
            row
        );
    }
}

/// Over 40 seeds at N = 1,024, the 95% intervals of S1 and ST hold the
/// analytic value at least 85% of the time, and are narrow (mean
/// half-width below 0.1). 240 intervals: if the true coverage were 95%,
/// falling below 85% would be a 7-standard-error event.
#[test]
fn ishigami_intervals_cover_the_analytic_values_over_40_seeds() {
    let (mut covered, mut total, mut width) = (0, 0, 0.0);
    for seed in 0..40u64 {
        let (dir, path) = support::scenario_dir(&ishigami_toml(1000 + seed), &[]);
        let scenario = sezsim::load(&path).unwrap();
        let mut settings = AnalysisSettings::new(&scenario, Method::Sobol, dir.path().join("out"));
        settings.samples = 1024;
        settings.threads = 1;
        let outcome = analysis::analyse(&scenario, &settings, None).unwrap();
        let (_, rows) = read_rows(&outcome.dir.join("sobol.csv"));
        for (i, row) in rows.iter().enumerate() {
            for (value, lo, hi, truth) in [
                (
                    row.numbers[0],
                    row.numbers[1],
                    row.numbers[2],
                    ISHIGAMI_S1[i],
                ),
                (
                    row.numbers[3],
                    row.numbers[4],
                    row.numbers[5],
                    ISHIGAMI_ST[i],
                ),
            ] {
                assert!(lo <= value && value <= hi);
                covered += usize::from(lo <= truth && truth <= hi);
                total += 1;
                width += (hi - lo) / 2.0;
            }
        }
    }
    let coverage = covered as f64 / total as f64;
    let mean_half_width = width / total as f64;
    eprintln!(
        "coverage {coverage:.3}, mean half-width {mean_half_width:.4} over {total} intervals"
    );
    assert_eq!(total, 240);
    assert!(coverage >= 0.85, "coverage {coverage}");
    assert!(mean_half_width < 0.1, "mean half-width {mean_half_width}");
}

/// A test model: y = x1 + x2 + x3.
#[derive(Debug)]
struct SumSpec {
    inputs: [ParamId; 3],
}

struct SumKind;

fn sum_catalogue() -> Catalogue {
    Catalogue {
        series: Vec::new(),
        scalars: vec![Described::new("y", "y", Unit::Index, false)],
    }
}

impl ModelKind for SumKind {
    fn name(&self) -> &'static str {
        "sum"
    }

    fn sections(&self) -> &'static [&'static str] {
        &["inputs"]
    }

    fn yearly(&self) -> bool {
        false
    }

    fn catalogue(&self) -> Catalogue {
        sum_catalogue()
    }

    fn read(
        &self,
        schema: &mut Schema<'_>,
        input: KindInput<'_, '_>,
    ) -> Option<Arc<dyn ModelSpec>> {
        let mut inputs = schema.section(input.top, "inputs", "[inputs]", true)?;
        let range = ValueRange::Between(-1e6, 1e6);
        let x1 = schema.param(&mut inputs, "x1", range, None);
        let x2 = schema.param(&mut inputs, "x2", range, None);
        let x3 = schema.param(&mut inputs, "x3", range, None);
        let spec = (|| {
            Some(Arc::new(SumSpec {
                inputs: [x1?, x2?, x3?],
            }) as Arc<dyn ModelSpec>)
        })();
        schema.finish(inputs, spec)
    }
}

impl ModelSpec for SumSpec {
    fn kind(&self) -> &'static str {
        "sum"
    }

    fn catalogue(&self) -> Catalogue {
        sum_catalogue()
    }

    fn build(
        &self,
        _scenario: &sezsim::scenario::Scenario,
        _options: ModelOptions,
    ) -> Result<Box<dyn RunnableModel>, Error> {
        Ok(Box::new(SumModel {
            inputs: self.inputs,
            layout: OutputLayout::from_catalogue(sum_catalogue(), &[], Vec::new()),
        }))
    }
}

struct SumModel {
    inputs: [ParamId; 3],
    layout: OutputLayout,
}

impl Model for SumModel {
    type Workspace = ();

    fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    fn workspace(&self) {}

    fn run(&self, _replication: u64, parameters: &[f64], _: &mut (), record: &mut Record) {
        record.scalars[0] = self.inputs.iter().map(|id| parameters[id.index()]).sum();
    }

    fn draws_shocks(&self) -> bool {
        false
    }
}

/// Analyse the sum model with (x1, x2) standard normal at Spearman 0.5 and
/// x3 standard normal, with `extra` added to the scenario; the rows of
/// sobol.csv.
fn sum_analysis(extra: &str) -> Vec<Row> {
    let normal = "{ dist = \"normal\", mean = 0, sd = 1 }";
    let toml = format!(
        "[scenario]\nname = \"sum\"\nseed = 5\n[model]\nkind = \"sum\"\n[inputs]\n\
         x1 = {normal}\nx2 = {normal}\nx3 = {normal}\n\
         [[correlations]]\nbetween = [\"inputs.x1\", \"inputs.x2\"]\nspearman = 0.5\n{extra}"
    );
    let (dir, path) = support::scenario_dir(&toml, &[]);
    let registry = Registry::new().with(SumKind);
    let scenario = sezsim::scenario::load(&path, &registry).unwrap();
    let mut settings = AnalysisSettings::new(&scenario, Method::Sobol, dir.path().join("out"));
    settings.samples = 8192;
    settings.threads = 2;
    let outcome = analysis::analyse(&scenario, &settings, None).unwrap();
    read_rows(&outcome.dir.join("sobol.csv")).1
}

/// The block (x1, x2) of y = x1 + x2 + x3, Pearson r = 2 sin(pi 0.5 / 6):
/// Var y = 3 + 2r and the block's first-order and total indices are both
/// (2 + 2r) / (3 + 2r) = 0.7522; x3's are 1 / (3 + 2r). Exchanging x1
/// alone would give nonsense; the block is one factor named by its
/// members.
#[test]
fn a_correlated_pair_is_one_factor_with_its_analytic_index() {
    let r = 2.0 * (std::f64::consts::PI * 0.5 / 6.0).sin();
    let block = (2.0 + 2.0 * r) / (3.0 + 2.0 * r);
    let rows = sum_analysis("");
    let names: Vec<&str> = rows.iter().map(|r| r.factor.as_str()).collect();
    assert_eq!(names, ["inputs.x1+inputs.x2", "inputs.x3"]);
    eprintln!(
        "block: S1 {:.4}, ST {:.4}, analytic {block:.4}",
        rows[0].numbers[0], rows[0].numbers[3]
    );
    for (row, truth) in rows.iter().zip([block, 1.0 - block]) {
        for (value, lo, hi) in [
            (row.numbers[0], row.numbers[1], row.numbers[2]),
            (row.numbers[3], row.numbers[4], row.numbers[5]),
        ] {
            assert!((value - truth).abs() < 0.02, "{row:?} vs {truth}");
            assert!(hi - lo < 0.06, "{row:?}");
        }
    }
}

/// A declared group is one factor named by the group: here every input,
/// correlated block included, which explains all the variance (within
/// its interval).
#[test]
fn declared_groups_are_factors_named_by_the_group() {
    let rows = sum_analysis("[sensitivity]\ngroups = { all = [\"inputs.x*\"] }\n");
    let names: Vec<&str> = rows.iter().map(|r| r.factor.as_str()).collect();
    assert_eq!(names, ["all"]);
    for k in [0, 3] {
        let (value, lo, hi) = (
            rows[0].numbers[k],
            rows[0].numbers[k + 1],
            rows[0].numbers[k + 2],
        );
        assert!(
            (value - 1.0).abs() < 0.01 && lo <= 1.0 && 1.0 <= hi,
            "{rows:?}"
        );
    }
}

/// Charts name factors by their labels (a written one, or words made from
/// the path); sobol.csv keeps the paths, and the report's factor table
/// gives both.
#[test]
fn charts_name_factors_by_label_and_tables_by_path() {
    let toml = ishigami_toml(5).replace(
        "x1 = { dist = \"uniform\", min = -3.141592653589793, max = 3.141592653589793 }",
        "x1 = { dist = \"uniform\", min = -3.141592653589793, max = 3.141592653589793, label = \"Export demand shock\" }",
    );
    assert!(toml.contains("Export demand shock"), "{toml}");
    let (dir, path) = support::scenario_dir(&toml, &[]);
    let out = dir.path().join("out");
    ok(sezsim()
        .arg("sensitivity")
        .arg(&path)
        .args(["--samples", "256", "-q", "--out"])
        .arg(&out));
    let (_, rows) = read_rows(&out.join("sobol.csv"));
    let factors: Vec<&str> = rows.iter().map(|r| r.factor.as_str()).collect();
    assert_eq!(factors, ["inputs.x1", "inputs.x2", "inputs.x3"]);
    let svg = std::fs::read_to_string(out.join("charts/sobol_y.svg")).unwrap();
    assert!(svg.contains("Export demand shock"), "written label");
    assert!(!svg.contains("inputs.x1"), "a path in the chart");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("| `inputs.x1` | Export demand shock | parameter |"),
        "{report}"
    );
}

/// Morris on Sobol' G with a = 0, 1, 4.5, 9, 99, 99, 99, 99: mu* ranks the
/// factors in the order of their total indices (the four important ones
/// in order, all above the four negligible ones).
#[test]
fn morris_mu_star_ranks_g_factors_like_their_total_indices() {
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    let inputs: String = (1..=a.len())
        .map(|i| format!("x{i} = {{ dist = \"uniform\", min = 0, max = 1 }}\n"))
        .collect();
    let toml = format!(
        "[scenario]\nname = \"g\"\nseed = 3\n[model]\nkind = \"sobol_g\"\na = {a:?}\n[inputs]\n{inputs}"
    );
    let (dir, path) = support::scenario_dir(&toml, &[]);
    let out = dir.path().join("out");
    ok(sezsim()
        .arg("sensitivity")
        .arg(&path)
        .args(["--method", "morris", "--samples", "40", "-q", "--out"])
        .arg(&out));
    let mut reader = csv::Reader::from_path(out.join("morris.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "output",
            "zone",
            "year",
            "factor",
            "mu",
            "mu_star",
            "mu_star_lo",
            "mu_star_hi",
            "sigma"
        ]
    );
    let mu_star: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap()[5].parse().unwrap())
        .collect();
    eprintln!("Morris mu* on G: {mu_star:?}");
    assert_eq!(mu_star.len(), 8);
    for i in 0..3 {
        assert!(mu_star[i] > mu_star[i + 1], "{mu_star:?}");
    }
    let smallest_important = mu_star[..4].iter().copied().fold(f64::INFINITY, f64::min);
    assert!(
        mu_star[4..].iter().all(|&m| m < smallest_important),
        "{mu_star:?}"
    );
    support::assert_good_chart(&out.join("charts"), "morris_y");
}

/// The fixture scenario (a SEZ model: yearly outputs, shocks as a factor),
/// analysed with `args` into `out`.
fn fixture_analysis(out: &Path, args: &[&str]) -> String {
    ok(sezsim()
        .arg("sensitivity")
        .arg(support::fixture_base())
        .args([
            "--samples",
            "16",
            "--replicates",
            "2",
            "--outputs",
            "exports,fiscal_npv",
        ])
        .args(args)
        .arg("--out")
        .arg(out))
}

fn bytes(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn sobol_csv_is_the_same_on_any_thread_count_and_after_shards_merge() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let stdout = fixture_analysis(&d("one"), &["--threads", "1"]);
    assert!(stdout.contains("factors"), "{stdout}");
    fixture_analysis(&d("three"), &["--threads", "3", "-q"]);
    let one = bytes(d("one").join("sobol.csv"));
    assert_eq!(one, bytes(d("three").join("sobol.csv")));
    // Yearly rows name the total and the year; the shocks are a factor.
    let text = String::from_utf8(one.clone()).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("exports,total,2030,shocks,")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("fiscal_npv,,,")),
        "{text}"
    );
    for i in 1..=3 {
        fixture_analysis(&d(&format!("s{i}")), &["--shard", &format!("{i}/3"), "-q"]);
    }
    ok(sezsim()
        .args(["merge", "-q", "--out"])
        .arg(d("merged"))
        .arg(d("s3"))
        .arg(d("s1"))
        .arg(d("s2")));
    assert_eq!(one, bytes(d("merged").join("sobol.csv")));
    // The merged report says how to reproduce the whole analysis.
    let report = String::from_utf8(bytes(d("merged").join("report.md"))).unwrap();
    assert!(report.contains("Merged from 3 shards"), "{report}");
    let reproduce = report.split("## Reproduce").nth(1).unwrap();
    assert!(
        reproduce.contains("sezsim sensitivity ") && reproduce.contains("--samples 16"),
        "{reproduce}"
    );
    // The charts are drawn from the results alone: the same bytes too.
    let charts = support::chart_stems(&d("one").join("charts"));
    assert!(
        charts.contains(&"sobol_exports_by_year".to_string()),
        "{charts:?}"
    );
    assert_eq!(charts, support::chart_stems(&d("merged").join("charts")));
    for stem in &charts {
        let file = format!("charts/{stem}.svg");
        assert_eq!(
            bytes(d("one").join(&file)),
            bytes(d("merged").join(&file)),
            "{file}"
        );
    }
    // A shard missing, or one of another analysis, is refused.
    let o = sezsim()
        .args(["merge", "-q", "--out"])
        .arg(d("bad"))
        .arg(d("s1"))
        .arg(d("s2"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 3/3 is missing"));
}

#[test]
fn morris_shards_merge_into_the_unsharded_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let morris = ["--method", "morris", "-q"];
    fixture_analysis(&d("whole"), &morris);
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let mut args = morris.to_vec();
        args.extend(["--shard", shard.as_str()]);
        fixture_analysis(&d(&format!("s{i}")), &args);
    }
    ok(sezsim()
        .args(["merge", "-q", "--out"])
        .arg(d("merged"))
        .arg(d("s1"))
        .arg(d("s2")));
    assert_eq!(
        bytes(d("whole").join("morris.csv")),
        bytes(d("merged").join("morris.csv"))
    );
}

#[test]
fn bad_options_are_usage_errors_that_say_what_to_do() {
    let (_dir, path) = support::scenario_dir(&ishigami_toml(1), &[]);
    let fail = |args: &[&str]| {
        let o = sezsim()
            .arg("sensitivity")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        String::from_utf8(o.stderr).unwrap()
    };
    let e = fail(&["--outputs", "z"]);
    assert!(
        e.contains("unknown output `z`") && e.contains("the scalars y"),
        "{e}"
    );
    let e = fail(&["--method", "morris", "--second-order"]);
    assert!(e.contains("--second-order is for Sobol'"), "{e}");
    let e = fail(&["--replicates", "1"]);
    assert!(e.contains("at least 2"), "{e}");
    let e = fail(&["--samples", "0"]);
    assert!(e.contains("--samples must be at least 1"), "{e}");
}

#[test]
fn emit_slurm_writes_an_array_of_shards_and_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("gsa.sh");
    let stdout = ok(sezsim()
        .arg("sensitivity")
        .arg(support::fixture_base())
        .args(["--samples", "64", "--shards", "4", "--emit-slurm"])
        .arg(&script));
    assert!(stdout.contains("4 shards"), "{stdout}");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.contains(
            ") sensitivity $(printf '%q' \"$SWEEP\") '--method' 'sobol' '--samples' '64'"
        ),
        "{text}"
    );
    assert!(text.contains("N=4"), "{text}");
    assert!(text.contains("--dependency=\"afterok:$array\""), "{text}");
}

/// The README's command table has a line for `sezsim sensitivity` naming
/// exactly the flags the command accepts.
#[test]
fn the_readme_command_table_lists_every_flag_of_sensitivity() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("| `sezsim sensitivity "))
        .expect("a README command table line for sezsim sensitivity");
    let flags = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(String::from)
            .collect()
    };
    let command = line.split("` |").next().unwrap();
    let help = ok(sezsim().args(["sensitivity", "--help"]));
    let mut accepted = flags(&help);
    accepted.remove("--help");
    // --shards only goes with --emit-slurm, as for sweeps.
    accepted.remove("--shards");
    let mut shown = flags(command);
    if command.contains("[-q]") {
        shown.insert("--quiet".into());
    }
    assert_eq!(shown, accepted, "{line}");
}

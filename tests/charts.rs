//! Charts and report.md: every chart kind renders to a sized, non-blank PNG
//! and a well-formed SVG; `sezsim plot` redraws the same bytes; the tornado
//! ranks planted drivers first; report.md is pinned by a snapshot; the
//! binary links no system font library.
//!
//! The snapshot (tests/snapshots/charts__report_md.snap) and the small runs
//! here use tests/fixtures/full/base.toml with 200 replications: when a
//! change of model, sampling or distributions moves the numbers, review
//! the diff and regenerate it with
//! `INSTA_UPDATE=always cargo test --test charts report_md`.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use sezsim::output::charts::{ChartData, ChartKind, tornado};
use sezsim::output::report;
use sezsim::run::{RunOutcome, RunSettings};
use support::sez::{Setting, scenario};

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

/// Run `scenario` through the library into `out`.
fn run_lib(scenario: &Path, out: &Path, n: u64, reservoir: usize, command: &str) -> RunOutcome {
    let s = support::load(scenario);
    let settings = RunSettings::new(&s, out)
        .with_replications(n)
        .with_threads(2)
        .with_reservoir(reservoir)
        .with_command(command);
    sezsim::run::run(&s, &settings, None).unwrap_or_else(|e| panic!("{e}"))
}

/// Every file under `dir/charts`, by name.
fn chart_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn every_chart_kind_renders_a_print_sized_non_blank_png_and_a_well_formed_svg() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let outcome = run_lib(
        Path::new("tests/fixtures/full/base.toml"),
        &out,
        200,
        10_000,
        "test",
    );
    let kinds: Vec<ChartKind> = outcome.charts.iter().map(|c| c.kind).collect();
    for kind in [
        ChartKind::Fan,
        ChartKind::FanByZone,
        ChartKind::Histogram,
        ChartKind::Cdf,
        ChartKind::Tornado,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} chart");
    }
    // exports and capital: total and by zone; 8 scalars: 3 charts each.
    assert_eq!(outcome.charts.len(), 2 * 2 + 8 * 3);
    let files = chart_files(&out);
    assert_eq!(files.len(), 2 * outcome.charts.len());
    for spec in &outcome.charts {
        // The PNG's size and non-blankness, and the SVG's well-formedness.
        support::assert_good_chart(&out.join("charts"), &spec.file_stem());
    }
}

#[test]
fn plot_redraws_byte_identical_charts_and_threads_do_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "tests/fixtures/full/base.toml";
    let run = |name: &str, threads: &str| -> PathBuf {
        let out = dir.path().join(name);
        // 600 replications into a reservoir of 250: the sampling path.
        let o = sezsim()
            .args(["run", scenario, "-q", "-n", "600", "--reservoir", "250"])
            .args(["--threads", threads, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let a = run("a", "1");
    let written = chart_files(&a);
    assert!(!written.is_empty());
    let reservoir = std::fs::read_to_string(a.join("reservoir.csv")).unwrap();
    assert_eq!(reservoir.lines().count(), 1 + 250);

    // Remove the charts and redraw them from the saved tables.
    std::fs::remove_dir_all(a.join("charts")).unwrap();
    let o = sezsim()
        .args(["plot", "--threads", "3"])
        .arg(&a)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let redrawn = chart_files(&a);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        redrawn.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &written {
        assert!(bytes == &redrawn[name], "plot drew {name} differently");
    }

    // Another thread count: the same reservoir, fan data and charts.
    let b = run("b", "2");
    for file in ["fan.csv", "reservoir.csv"] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file} depends on the thread count"
        );
    }
    let other = chart_files(&b);
    for (name, bytes) in &written {
        assert!(bytes == &other[name], "{name} depends on the thread count");
    }
}

#[test]
fn plot_rejects_folders_that_are_not_run_folders_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = sezsim().arg("plot").arg(dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is not a sezsim run folder"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = sezsim().args(["plot", "no/such/folder"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));

    // A run folder from before charts existed (no fan.csv), and one with a
    // damaged reservoir.
    let out = dir.path().join("run");
    run_lib(
        Path::new("tests/fixtures/full/base.toml"),
        &out,
        50,
        10_000,
        "test",
    );
    std::fs::write(out.join("reservoir.csv"), "replication,x\n0,1\n").unwrap();
    let o = sezsim().arg("plot").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("reservoir.csv:1"), "{err}");
    std::fs::remove_file(out.join("fan.csv")).unwrap();
    let o = sezsim().arg("plot").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("has no fan.csv"), "{err}");
    // The charts of the failed redraws are untouched.
    assert!(out.join("charts/fan_exports.png").is_file());
}

/// Ishigami's y = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1 on ranges where x1
/// and x2 act monotonically (x1 in [-pi/2, pi/2], x2 in [0, pi/2]) and x3
/// only through an even power times sin x1 (x3 in [-pi, pi]), so its rank
/// correlation with y is zero. (On the textbook ranges, [-pi, pi] for all,
/// sin^2 x2 is not monotone and rank correlation cannot see x2: a known
/// limit of the tornado chart, stated in its caption.)
///
/// 20,000 replications, reservoir of 10,000: the standard error of a rank
/// correlation near 0 is about 1 / sqrt(10,000) = 0.01, so |rho(x3)| < 0.05
/// is five standard errors.
#[test]
fn tornado_ranks_the_inputs_that_drive_ishigami_first() {
    let toml = r#"
[scenario]
name = "ishigami_monotone"
seed = 2024
[model]
kind = "ishigami"
[inputs]
x1 = { dist = "uniform", min = -1.5707963267948966, max = 1.5707963267948966 }
x2 = { dist = "uniform", min = 0, max = 1.5707963267948966 }
x3 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
"#;
    let (d, path) = support::scenario_dir(toml, &[]);
    let out = d.path().join("run");
    let outcome = run_lib(&path, &out, 20_000, 10_000, "test");
    assert!(outcome.charts.iter().any(|c| c.kind == ChartKind::Tornado));
    let data = ChartData::read(&out).unwrap();
    assert_eq!(data.sample.len(), 10_000);
    let drivers = tornado::drivers(&data.sample, 0);
    let names: Vec<&str> = drivers.iter().map(|d| d.input.as_str()).collect();
    assert_eq!(
        names,
        ["inputs.x2", "inputs.x1", "inputs.x3"],
        "{drivers:?}"
    );
    assert!(drivers[0].rho > 0.5 && drivers[1].rho > 0.4, "{drivers:?}");
    assert!(drivers[2].rho.abs() < 0.05, "{drivers:?}");
}

/// North's export share made deliberately dominant (uniform 0.05 to 0.95,
/// against 0.6 fixed in the fixture) must lead the tornado of final-year
/// exports.
#[test]
fn tornado_puts_a_deliberately_dominant_sez_input_first() {
    let base = std::fs::canonicalize("tests/fixtures/full/base.toml").unwrap();
    let toml = format!(
        r#"extends = "{}"

[scenario]
name = "dominant_export_share"

[[zones]]
id = "north"
  [zones.exports]
  export_share = {{ dist = "uniform", min = 0.05, max = 0.95 }}
"#,
        base.display()
    );
    let (d, path) = support::scenario_dir(&toml, &[]);
    let out = d.path().join("run");
    run_lib(&path, &out, 1_000, 10_000, "test");
    let data = ChartData::read(&out).unwrap();
    for scalar in ["exports_final", "exports_cumulative"] {
        let i = data
            .sample
            .scalars
            .iter()
            .position(|s| s == scalar)
            .unwrap();
        let drivers = tornado::drivers(&data.sample, i);
        assert_eq!(
            drivers[0].input,
            "zones.north.exports.export_share",
            "{scalar}: {:?}",
            &drivers[..3]
        );
        assert!(drivers[0].rho > 0.5, "{scalar}: {:?}", drivers[0]);
    }
}

/// report.md of a small fixed run, with the machine-dependent settings
/// (wall time, threads) fixed. See the module docs to regenerate.
#[test]
fn report_md() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut outcome = run_lib(
        Path::new("tests/fixtures/full/base.toml"),
        &out,
        200,
        10_000,
        "sezsim run tests/fixtures/full/base.toml -n 200 --seed 7",
    );
    outcome.report.settings.wall_time_seconds = 1.5;
    outcome.report.settings.threads = 4;
    let text = report::render(&outcome.report);
    // What the run wrote differs at most in those two settings.
    let written = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert_eq!(text.lines().count(), written.lines().count());
    for (a, b) in text.lines().zip(written.lines()) {
        assert!(
            a == b || a.starts_with("| Threads |") || a.starts_with("| Wall time |"),
            "{a}\n{b}"
        );
    }
    // Every chart the run drew is embedded, and exists.
    for spec in &outcome.charts {
        assert!(text.contains(&format!("]({})", spec.png_path())));
        assert!(out.join(spec.png_path()).is_file());
    }
    insta::assert_snapshot!(text);

    // report.html: report.md as one page, every chart inline.
    let written = std::fs::read_to_string(out.join("report.html")).unwrap();
    let svgs: Vec<(String, String)> = outcome
        .report
        .charts
        .iter()
        .map(|c| {
            let svg = std::fs::read_to_string(out.join(&c.svg)).unwrap();
            (c.png.clone(), svg)
        })
        .collect();
    let html = sezsim::output::html::render(&outcome.report.title, &text, &svgs);
    assert_eq!(html.lines().count(), written.lines().count());
    for (a, b) in html.lines().zip(written.lines()) {
        assert!(
            a == b
                || a.starts_with("<tr><td>Threads</td>")
                || a.starts_with("<tr><td>Wall time</td>"),
            "{a}\n{b}"
        );
    }
    for needle in [
        "http://",
        "https://",
        "src=",
        "<script",
        "stylesheet",
        "@import",
        "url(",
    ] {
        assert!(!written.contains(needle), "report.html holds `{needle}`");
    }
    // Every chart of report.md is inline, in report.md's order.
    let inline: Vec<&str> = written
        .match_indices("<figure class=\"chart\"><svg")
        .map(|(i, _)| &written[i..])
        .collect();
    assert_eq!(inline.len(), outcome.charts.len());
    for ((_, svg), at) in svgs.iter().zip(&inline) {
        let first_text = svg.lines().find(|l| l.starts_with("<text")).unwrap();
        let next_chart = at[1..].find("<figure").unwrap_or(at.len() - 1);
        assert!(at[..next_chart].contains(first_text), "{first_text}");
    }
    // The snapshot: the page with each chart's SVG (pinned by the chart
    // tests) cut to its first line.
    let mut short = String::new();
    let mut in_svg = false;
    for line in html.lines() {
        if let Some(at) = line.find("<svg") {
            short.push_str(&line[..at]);
            short.push_str("<svg …>");
            in_svg = !line.contains("</svg>");
            short.push('\n');
        } else if in_svg {
            if let Some(end) = line.find("</svg>") {
                short.push_str(&line[end + "</svg>".len()..]);
                short.push('\n');
                in_svg = false;
            }
        } else {
            short.push_str(line);
            short.push('\n');
        }
    }
    insta::assert_snapshot!("report_html", short);
}

/// The charts' text comes from the font compiled into the binary: no
/// system font library may be linked. Checked on the binary the tests
/// built (same dependencies and features as the release build; CI also
/// checks the release binary itself) and in Cargo.lock.
#[test]
fn the_binary_links_no_font_library() {
    let lock = std::fs::read_to_string("Cargo.lock").unwrap();
    for krate in [
        "font-kit",
        "servo-fontconfig",
        "yeslogic-fontconfig-sys",
        "freetype",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{krate}")),
            "Cargo.lock has {krate}"
        );
    }
    let bin = env!("CARGO_BIN_EXE_sezsim");
    match std::process::Command::new("ldd").arg(bin).output() {
        Ok(o) if o.status.success() => {
            let libs = String::from_utf8_lossy(&o.stdout).to_lowercase();
            assert!(!libs.contains("fontconfig"), "{libs}");
            assert!(!libs.contains("freetype"), "{libs}");
        }
        // No ldd (not Linux) or a static binary: the Cargo.lock check
        // above stands.
        _ => {}
    }
}

/// The text of every `<text>` element of the SVG at `path`, trimmed.
fn svg_texts(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

/// A SEZ scenario (tests/support/sez.rs) of `zones` zones `z01`, ...,
/// zone i with i x 100 hectares and workers and power to spare, so larger
/// zones export more; `shocks` sets every shock's size (0: every
/// replication is the same, as every input is fixed).
fn sez_setting(zones: usize, shocks: f64, years: u32) -> Setting {
    let mut s = Setting::typical();
    s.years = years;
    s.zones = (1..=zones)
        .map(|i| {
            (
                format!("z{i:02}"),
                format!("Zone {i:02}"),
                Some(100.0 * i as f64),
            )
        })
        .collect();
    s.outputs = "\n[outputs]\ncharts = [\"exports\", \"served_share\"]\ntargets = { exports_final = 100 }\n".into();
    for key in [
        "grid_availability_logit_sd",
        "demand_volatility",
        "regulatory_shock_probability",
        "tfp_volatility",
    ] {
        s = s.with(key, shocks);
    }
    s.with("probability", 1.0)
        .with("skilled_pool_initial", 1e9)
        .with("unskilled_pool", 1e9)
        .with("grid_mw", 1e6)
}

/// Run `toml` with the binary (`args` added) into `name` under `dir`;
/// check that every chart the run lists renders (a print-sized, non-blank
/// PNG and a well-formed SVG with text) and return the run folder.
fn run_and_check_charts(
    dir: &Path,
    name: &str,
    toml: &str,
    files: &[(&str, &str)],
    args: &[&str],
) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for (file, text) in files {
        std::fs::write(folder.join(file), text).unwrap();
    }
    let scenario = folder.join("scenario.toml");
    std::fs::write(&scenario, toml).unwrap();
    let out = folder.join("run");
    let o = sezsim()
        .arg("run")
        .arg(&scenario)
        .args(["-q", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && !stderr.contains("panicked"),
        "{name}: {stderr}"
    );
    let data = ChartData::read(&out).unwrap();
    let specs = sezsim::output::charts::chart_list(&data);
    assert!(!specs.is_empty(), "{name}: no charts");
    let stems = support::chart_stems(&out.join("charts"));
    assert_eq!(stems.len(), specs.len(), "{name}: {stems:?}");
    for spec in &specs {
        support::assert_good_chart(&out.join("charts"), &spec.file_stem());
    }
    out
}

/// Charts of huge values (Ishigami with a and b at their limit, 1e100:
/// b = 1e307 is now refused; and the SEZ model with growth, volatility and
/// magnitudes at their limits over 500 years), of values that are all
/// equal, and of a single replication: every chart kind renders, or the
/// report says why it is not drawn. Never a panic.
#[test]
fn charts_of_huge_equal_and_single_values_render_or_say_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ishigami = |a: &str, b: &str, x1: &str, x2: &str, x3: &str| {
        format!(
            "[scenario]\nname = \"ishigami_charts\"\nseed = 4\n[model]\nkind = \"ishigami\"\na = {a}\nb = {b}\n[inputs]\nx1 = {x1}\nx2 = {x2}\nx3 = {x3}\n"
        )
    };
    let wide = "{ dist = \"uniform\", min = -1e6, max = 1e6 }";
    let huge = ishigami("1e100", "1e100", wide, wide, wide);
    let out = run_and_check_charts(d, "ishigami_huge", &huge, &[], &["-n", "300"]);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("e1"),
        "huge values in exponent notation:\n{report}"
    );
    assert!(!report.contains("n/a"), "{report}");
    run_and_check_charts(d, "ishigami_huge_once", &huge, &[], &["-n", "1"]);

    // y = sin 1 in every replication, whatever x2 draws: the tornado has
    // nothing to rank and says so.
    let flat = ishigami(
        "0",
        "0",
        "1",
        "{ dist = \"uniform\", min = -3, max = 3 }",
        "2",
    );
    let out = run_and_check_charts(d, "ishigami_equal", &flat, &[], &["-n", "300"]);
    let svg = std::fs::read_to_string(out.join("charts/tornado_y.svg")).unwrap();
    assert!(
        svg.contains("Not enough replications or variation"),
        "{svg}"
    );

    // The SEZ model: every value equal across replications (no shocks, no
    // uncertain inputs), so no tornado charts, and the report says why.
    let (equal, io) = scenario(&sez_setting(3, 0.0, 12));
    let files = [("io.csv", io.as_str())];
    let out = run_and_check_charts(d, "sez_equal", &equal, &files, &["-n", "300"]);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("No tornado charts: every parameter of the scenario is fixed"),
        "{report}"
    );
    run_and_check_charts(d, "sez_once", &equal, &files, &["-n", "1"]);
    run_and_check_charts(d, "sez_deterministic", &equal, &files, &["--deterministic"]);

    // At the limits of growth over the longest horizon: values beyond 1e50.
    let mut growth = sez_setting(2, 0.5, 500)
        .with("tfp_growth", 0.2)
        .with("tfp_spillover", 0.2)
        .with("output_capital_ratio", 100.0)
        .with("energy_intensity", 1e5)
        .with("demand_volatility", 1.0);
    growth.outputs = growth.outputs.replace("\"exports\"", "\"energy_demand\"");
    let (growth, io) = scenario(&growth);
    let files = [("io.csv", io.as_str())];
    let out = run_and_check_charts(d, "sez_huge", &growth, &files, &["-n", "200"]);
    // Tick labels in exponent notation (`5e53`), not 54 digits.
    let ticks = svg_texts(&out.join("charts/fan_energy_demand.svg"));
    let exponent = |t: &String| {
        t.split_once('e').is_some_and(|(m, e)| {
            m.parse::<f64>().is_ok() && e.parse::<i32>().is_ok_and(|e| e >= 50)
        })
    };
    assert!(ticks.iter().any(exponent), "{ticks:?}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let largest = summary
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').skip(3).filter_map(|v| v.parse::<f64>().ok()))
        .fold(0.0, f64::max);
    assert!(
        largest > 1e50 && largest.is_finite(),
        "largest value {largest:e}"
    );
}

/// A by-zone chart of 20 zones shows the 12 largest (zones 9 to 20: zone i
/// has i x 100 hectares) and says so; report.md's caption too.
#[test]
fn a_by_zone_chart_of_many_zones_shows_the_largest_twelve_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (toml, io) = scenario(&sez_setting(20, 0.05, 10));
    let out = run_and_check_charts(dir.path(), "many", &toml, &[("io.csv", &io)], &["-n", "50"]);
    let texts = svg_texts(&out.join("charts/fan_exports_by_zone.svg"));
    assert!(
        texts
            .iter()
            .any(|t| t.contains("The 12 largest of 20 zones")),
        "{texts:?}"
    );
    for i in 1..=20 {
        let name = format!("Zone {i:02}");
        assert_eq!(
            texts.contains(&name),
            i >= 9,
            "{name} shown: {}; the chart's text: {texts:?}",
            i >= 9
        );
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(
            "Only the 12 largest of the 20 zones (by median in the final year) are drawn."
        ),
        "{report}"
    );
}

/// `--chart-size a5` draws every chart at 1161 x 787 and records the size
/// in the manifest; `plot` redraws at that size, byte for byte, unless
/// told another; `[outputs].chart_size` does the same from the scenario;
/// an unknown size is a usage or input error.
#[test]
fn chart_sizes_come_from_the_flag_or_the_scenario_and_plot_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a5");
    sezsim()
        .args(["run", "tests/fixtures/full/base.toml", "-q", "-n", "100"])
        .args(["--chart-size", "a5", "--out"])
        .arg(&out)
        .assert()
        .success();
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"chart_size\": \"a5\""), "{manifest}");
    let before = chart_files(&out);
    for stem in support::chart_stems(&out.join("charts")) {
        support::assert_good_chart_sized(&out.join("charts"), &stem, (1161, 787));
    }
    sezsim().arg("plot").arg(&out).arg("-q").assert().success();
    assert!(before == chart_files(&out), "plot changed the a5 charts");
    sezsim()
        .arg("plot")
        .arg(&out)
        .args(["-q", "--chart-size", "slide"])
        .assert()
        .success();
    support::assert_good_chart(&out.join("charts"), "fan_exports");

    // The same from the scenario file.
    let base = std::fs::canonicalize("tests/fixtures/full/base.toml").unwrap();
    let toml = format!(
        "extends = \"{}\"\n[scenario]\nname = \"a4_charts\"\n[outputs]\nchart_size = \"a4\"\n",
        base.display()
    );
    let (d, path) = support::scenario_dir(&toml, &[]);
    let out = d.path().join("a4");
    sezsim()
        .arg("run")
        .arg(&path)
        .args(["-q", "-n", "100", "--out"])
        .arg(&out)
        .assert()
        .success();
    support::assert_good_chart_sized(&out.join("charts"), "fan_exports", (1575, 1083));

    // A run at the default size says nothing of sizes in its manifest.
    let out = dir.path().join("slide");
    sezsim()
        .args([
            "run",
            "tests/fixtures/full/base.toml",
            "-q",
            "-n",
            "50",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains("chart_size"), "{manifest}");

    // Unknown sizes.
    let o = sezsim()
        .args(["run", "tests/fixtures/full/base.toml", "--chart-size", "a3"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("slide, a4, a5"), "{stderr}");
    let bad = toml.replace("\"a4\"", "\"A4\"");
    let (_d, path) = support::scenario_dir(&bad, &[]);
    let o = sezsim().arg("check").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("outputs.chart_size") && stderr.contains(":5:"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `a4`?"), "{stderr}");
}

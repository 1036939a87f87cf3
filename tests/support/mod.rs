//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod diag;
pub mod sez;
pub mod v2;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sezsim::engine::Record;
use sezsim::run::Prepared;
use sezsim::scenario::Scenario;

/// Write `toml` (and `files`) into a fresh temporary folder; return the
/// folder guard and the scenario path.
pub fn scenario_dir(toml: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    (dir, path)
}

/// Copy the CSV files of the full test fixture (tests/fixtures/full/data)
/// into `dir/data`, so a copy of its scenario written in `dir` finds them.
pub fn copy_fixture_data(dir: &Path) {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/full/data").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
}

/// Write `body` as `dir/file`, a scenario that extends `parent` (by its
/// absolute path, so the parent's CSV files are found beside it).
pub fn extending(dir: &Path, file: &str, parent: &str, body: &str) -> PathBuf {
    let parent = std::fs::canonicalize(parent).unwrap();
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!("extends = {:?}\n{body}", parent.display().to_string()),
    )
    .unwrap();
    path
}

/// `text` (a scenario) without its `[model]` table.
pub fn without_model(text: &str) -> String {
    let without = text.replace("[model]\nkind = \"sez\"\n", "");
    assert!(
        !without.contains("[model]"),
        "the scenario still has [model]"
    );
    without
}

/// The full fixture's base.toml without `[model]`, written with its data
/// into `dir` as `no_model.toml`; returns its path.
pub fn fixture_without_model(dir: &Path) -> PathBuf {
    copy_fixture_data(dir);
    let text = std::fs::read_to_string("tests/fixtures/full/base.toml").unwrap();
    let path = dir.join("no_model.toml");
    std::fs::write(&path, without_model(&text)).unwrap();
    path
}

pub fn load(path: &Path) -> Scenario {
    sezsim::load(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The distribution of the parameter at `path` in `s`.
pub fn distribution(s: &Scenario, path: &str) -> sezsim::uncertainty::Distribution {
    let id = s
        .parameters
        .id(path)
        .unwrap_or_else(|| panic!("no parameter {path}"));
    s.parameters.get(id).distribution.clone()
}

/// One replication's record, with lookups by name.
pub struct Run {
    pub layout: sezsim::engine::OutputLayout,
    pub record: Record,
}

impl Run {
    pub fn get(&self, output: &str, zone: &str, year: i32) -> f64 {
        let s = self
            .layout
            .series
            .iter()
            .position(|s| s.output == output && s.zone == zone)
            .unwrap_or_else(|| panic!("no series {output}/{zone}"));
        let t = self.layout.years.iter().position(|&y| y == year).unwrap();
        self.record.series[s * self.layout.years.len() + t]
    }

    pub fn scalar(&self, name: &str) -> f64 {
        let i = self.layout.scalars.iter().position(|s| s == name).unwrap();
        self.record.scalars[i]
    }

    /// The replication's draw of the uncertain parameter at `path`.
    pub fn input(&self, path: &str) -> f64 {
        let i = self
            .layout
            .inputs
            .iter()
            .position(|s| s == path)
            .unwrap_or_else(|| panic!("no uncertain input {path}"));
        self.record.inputs[i]
    }
}

/// The replications of one run of a scenario, each replayed on demand from
/// one model (cheaper than [`run_one`] per replication).
pub struct Runs {
    prepared: Prepared,
    layout: sezsim::engine::OutputLayout,
}

impl Runs {
    /// A random-mode run of `replications` of `scenario` under its seed.
    pub fn new(scenario: &Scenario, replications: u64) -> Runs {
        let prepared = Prepared::new(scenario, replications, scenario.seed, false).unwrap();
        Runs {
            layout: prepared.layout(),
            prepared,
        }
    }

    /// Replication `replication`'s record.
    pub fn get(&self, replication: u64) -> Run {
        Run {
            layout: self.layout.clone(),
            record: self.prepared.run_one(replication),
        }
    }
}

/// Run replication `replication` of `scenario`, deterministic or random.
pub fn run_one(scenario: &Scenario, replication: u64, deterministic: bool) -> Run {
    let prepared = Prepared::new(scenario, replication + 1, scenario.seed, deterministic).unwrap();
    Run {
        layout: prepared.layout(),
        record: prepared.run_one(replication),
    }
}

/// Width, height and variance of the luminance of an 8-bit RGB PNG.
pub fn png_stats(bytes: &[u8]) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let lum: Vec<f64> = buf[..info.buffer_size()]
        .chunks(3)
        .map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    (info.width, info.height, var)
}

/// Width, height and variance of the luminance of a PNG of any 8-bit
/// colour type (a browser's screenshot).
pub fn png_stats_any(bytes: &[u8]) -> (u32, u32, f64) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let lum: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| match p.len() {
            1 | 2 => p[0] as f64,
            _ => 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64,
        })
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    (info.width, info.height, var)
}

/// Assert that `dir/<stem>.png` is a print-sized (1600 x 1000), non-blank
/// PNG and `dir/<stem>.svg` a well-formed SVG of the same size with text.
pub fn assert_good_chart(dir: &Path, stem: &str) {
    assert_good_chart_sized(dir, stem, (1600, 1000));
}

/// [`assert_good_chart`] for a chart of `size` pixels.
pub fn assert_good_chart_sized(dir: &Path, stem: &str, size: (u32, u32)) {
    let png = std::fs::read(dir.join(format!("{stem}.png")))
        .unwrap_or_else(|e| panic!("{stem}.png: {e}"));
    let (w, h, var) = png_stats(&png);
    assert_eq!((w, h), size, "{stem}.png");
    // A blank image has variance 0; a chart with text, axes and data on
    // white has several hundred.
    assert!(var > 100.0, "{stem}.png looks blank: variance {var}");
    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg")))
        .unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
    let doc = roxmltree::Document::parse(&svg)
        .unwrap_or_else(|e| panic!("{stem}.svg is not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some(size.0.to_string().as_str()));
    assert!(
        root.descendants()
            .filter(|n| n.has_tag_name("text"))
            .count()
            > 5,
        "{stem}.svg has too little text"
    );
}

/// The stems of the charts in `dir` (each a PNG and an SVG), sorted.
pub fn chart_stems(dir: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".png").map(str::to_string)
        })
        .collect();
    stems.sort();
    for s in &stems {
        assert!(dir.join(format!("{s}.svg")).is_file(), "{s}.svg missing");
    }
    stems
}

/// The test fixture's base scenario, as an absolute path.
pub fn fixture_base() -> String {
    std::fs::canonicalize("tests/fixtures/full/base.toml")
        .unwrap()
        .display()
        .to_string()
}

/// A sweep file over the test fixture, written in `dir`: `body` holds
/// `design` and the parameters.
pub fn sweep_file(dir: &Path, name: &str, replications: u32, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[sweep]\nname = \"{name}\"\nbase = {:?}\nreplications = {replications}\nseed = 11\n{body}",
            fixture_base()
        ),
    )
    .unwrap();
    path
}

/// A 3 x 3 grid over the fixture: nine points, a heatmap.
pub const GRID: &str = r#"design = "grid"

[[parameters]]
path = "global.demand_persistence"
values = [0.2, 0.5, 0.8]

[[parameters]]
path = "zones.north.energy.grid_mw"
values = [10, 20, 40]
"#;

/// Every file under `dir` (recursively, hidden ones too) with its bytes,
/// by path relative to `dir`: two snapshots are equal when nothing in the
/// folder changed. A FIFO or device is recorded by its kind, not read.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                out.insert(format!("{name}/"), Vec::new());
                walk(root, &path, out);
            } else if kind.is_file() {
                out.insert(name, std::fs::read(&path).unwrap());
            } else {
                out.insert(name, format!("{kind:?}").into_bytes());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The temporaries sezsim left beside `target` (`.NAME.tmp-...`).
pub fn temporaries_beside(target: &Path) -> Vec<String> {
    let prefix = format!(".{}.tmp-", target.file_name().unwrap().to_string_lossy());
    let mut found: Vec<String> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    found.sort();
    found
}

/// The `sezsim` binary started in the background with `args`: its standard
/// output discarded, its standard error kept in a pipe for the test.
pub fn spawn_sezsim<I, S>(args: I) -> std::process::Child
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    std::process::Command::new(env!("CARGO_BIN_EXE_sezsim"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Run `cmd`, assert that it succeeds (showing its standard error if not),
/// and return its standard output.
pub fn ok(cmd: &mut assert_cmd::Command) -> String {
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Analytic first-order and total indices of Sobol's G function.
pub fn g_analytic(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let partial: Vec<f64> = a
        .iter()
        .map(|ai| 1.0 / (3.0 * (1.0 + ai).powi(2)))
        .collect();
    let v = partial.iter().map(|vi| 1.0 + vi).product::<f64>() - 1.0;
    let first = partial.iter().map(|vi| vi / v).collect();
    let total = (0..a.len())
        .map(|i| {
            let others: f64 = (0..a.len())
                .filter(|&j| j != i)
                .map(|j| 1.0 + partial[j])
                .product();
            partial[i] * others / v
        })
        .collect();
    (first, total)
}

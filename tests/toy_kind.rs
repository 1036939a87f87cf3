//! A third kind of model, defined here in the test crate and registered
//! through the library's public API (`Registry::with`): an orchard whose
//! yearly harvest is its trees times their yield, shaken by the weather.
//! `check`, `run`, `sweep`, and run and sweep shards merged, all work on
//! it with no line of the library's SEZ code involved (the registry knows
//! only this kind), and its outputs carry its own labels into the run
//! folder's manifest, report and charts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sezsim::engine::{Catalogue, Described, Model, OutputLayout, Record, RunnableModel, Unit};
use sezsim::error::Error;
use sezsim::run::RunSettings;
use sezsim::scenario::{
    self, KindInput, ModelKind, ModelOptions, ModelSpec, Registry, Scenario, Schema,
};
use sezsim::shard::Shard;
use sezsim::sweep::SweepSettings;
use sezsim::uncertainty::{ParamId, StreamKey, ValueRange};

/// The `orchard` kind: `[orchard]` with `trees` and `yield_per_tree`.
struct OrchardKind;

/// Its outputs, in its own words.
fn catalogue() -> Catalogue {
    let tonnes = || Unit::Amount("tonnes of apples".into());
    Catalogue {
        series: vec![Described::new("harvest", "Apple harvest", tonnes(), false)],
        scalars: vec![Described::new(
            "harvest_total",
            "Apples picked over the horizon",
            tonnes(),
            false,
        )],
    }
}

impl ModelKind for OrchardKind {
    fn name(&self) -> &'static str {
        "orchard"
    }

    fn sections(&self) -> &'static [&'static str] {
        &["orchard"]
    }

    fn yearly(&self) -> bool {
        true
    }

    fn catalogue(&self) -> Catalogue {
        catalogue()
    }

    fn read(
        &self,
        schema: &mut Schema<'_>,
        input: KindInput<'_, '_>,
    ) -> Option<Arc<dyn ModelSpec>> {
        let mut r = schema.section(input.top, "orchard", "[orchard]", true)?;
        let trees = schema.param(&mut r, "trees", ValueRange::Between(0.0, 1e6), None);
        let yield_per_tree = schema.param(
            &mut r,
            "yield_per_tree",
            ValueRange::Between(0.0, 1e3),
            Some(0.05),
        );
        let spec = (|| {
            Some(Arc::new(Orchard {
                trees: trees?,
                yield_per_tree: yield_per_tree?,
            }) as Arc<dyn ModelSpec>)
        })();
        schema.finish(r, spec)
    }
}

/// A validated orchard: where its two parameters are.
#[derive(Debug)]
struct Orchard {
    trees: ParamId,
    yield_per_tree: ParamId,
}

impl ModelSpec for Orchard {
    fn kind(&self) -> &'static str {
        "orchard"
    }

    fn catalogue(&self) -> Catalogue {
        catalogue()
    }

    fn describe(&self, _scenario: &Scenario) -> String {
        "\norchard    trees times their yield, shaken by the weather\n".into()
    }

    fn build(
        &self,
        scenario: &Scenario,
        options: ModelOptions,
    ) -> Result<Box<dyn RunnableModel>, Error> {
        Ok(Box::new(OrchardModel {
            layout: OutputLayout::from_catalogue(
                catalogue(),
                &[],
                scenario.calendar_years().collect(),
            ),
            trees: self.trees,
            yield_per_tree: self.yield_per_tree,
            weather: StreamKey::new(options.seed, "orchard.weather"),
            shocks: !options.deterministic,
        }))
    }
}

/// The simulation: a year's harvest is trees x yield x (1 + 0.1 z), z a
/// standard normal from the weather's keyed stream.
struct OrchardModel {
    layout: OutputLayout,
    trees: ParamId,
    yield_per_tree: ParamId,
    weather: StreamKey,
    shocks: bool,
}

impl Model for OrchardModel {
    type Workspace = ();

    fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    fn workspace(&self) {}

    fn run(&self, replication: u64, parameters: &[f64], _: &mut (), record: &mut Record) {
        let expected = parameters[self.trees.index()] * parameters[self.yield_per_tree.index()];
        let mut rng = self.weather.rng(replication);
        let mut total = 0.0;
        for harvest in record.series.iter_mut() {
            let z = if self.shocks {
                rng.standard_normal()
            } else {
                0.0
            };
            *harvest = expected * (1.0 + 0.1 * z).max(0.0);
            total += *harvest;
        }
        record.scalars[0] = total;
    }
}

/// The registry of this program: the orchard alone, no SEZ.
fn registry() -> Registry {
    Registry::new().with(OrchardKind)
}

const SCENARIO: &str = r#"[scenario]
name = "orchard"
start_year = 2030
years = 6
discount_rate = 0.05
replications = 600
seed = 11

[model]
kind = "orchard"

[orchard]
trees = { dist = "triangular", min = 800, mode = 1000, max = 1100 }
yield_per_tree = 0.05
"#;

/// A folder with the orchard scenario; its path.
fn orchard() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchard.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    (dir, path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn check_reads_and_describes_a_kind_the_library_does_not_know() {
    let (_dir, path) = orchard();
    let s = scenario::load(&path, &registry()).unwrap();
    let text = scenario::summary::describe(&s);
    assert!(text.contains("model      orchard"), "{text}");
    assert!(text.contains("trees times their yield"), "{text}");
    assert!(text.contains("orchard.trees"), "{text}");
    // The built-in kinds do not know it: the kind is named in the error.
    let err = sezsim::load(&path).unwrap_err().to_string();
    assert!(err.contains("orchard"), "{err}");
    // Its section is checked like any: an unknown key is refused.
    std::fs::write(&path, SCENARIO.replace("yield_per_tree", "yeild_per_tree")).unwrap();
    let err = scenario::load(&path, &registry()).unwrap_err().to_string();
    assert!(err.contains("orchard.yeild_per_tree"), "{err}");
}

#[test]
fn a_run_writes_the_kinds_labels_into_its_folder() {
    let (dir, path) = orchard();
    let s = scenario::load(&path, &registry()).unwrap();
    let out = dir.path().join("run");
    let settings = RunSettings::new(&s, &out)
        .with_threads(2)
        .with_command("orchard run");
    let outcome = sezsim::run::run(&s, &settings, None).unwrap();
    assert_eq!(outcome.dir, out);
    let summary = read(&out.join("summary.csv"));
    assert!(summary.contains("harvest,national,2035"), "{summary}");
    // The parameters reached the model: a year's mean harvest is trees x
    // yield, 966.7 (the triangular's mean) x 0.05, and the weather
    // averages out (its floor at zero is 10 sd away), so six years give
    // 290. The sd of the total is about 22 (trees 18.7, weather 11.8):
    // the standard error of 600 replications is 0.9; 4 of them allowed.
    let scalars = read(&out.join("scalars.csv"));
    let row = scalars
        .lines()
        .find(|l| l.starts_with("harvest_total,"))
        .unwrap();
    let mean: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
    assert!((mean - 290.0).abs() < 3.6, "{row}");
    let manifest = read(&out.join("manifest.json"));
    assert!(
        manifest.contains("Apples picked over the horizon"),
        "{manifest}"
    );
    let report = read(&out.join("report.md"));
    assert!(
        report.contains("Apple harvest, national (tonnes of apples)"),
        "{report}"
    );
    assert!(
        report.contains("Apples picked over the horizon"),
        "{report}"
    );
    // One fan chart of the harvest and the scalar's distributions, each
    // titled and labelled in the kind's words.
    let fan = read(&out.join("charts/fan_harvest.svg"));
    assert!(fan.contains("Apple harvest"), "fan chart without its label");
    assert!(
        fan.contains("tonnes of apples"),
        "fan chart without its unit"
    );
    let histogram = read(&out.join("charts/histogram_harvest_total.svg"));
    assert!(histogram.contains("Apples picked over the horizon"));
    assert!(out.join("charts/fan_harvest.png").is_file());
    // `sezsim plot`'s redraw finds the labels in the folder alone.
    let before = std::fs::read(out.join("charts/fan_harvest.png")).unwrap();
    sezsim::output::charts::redraw(&out, 1, None, &Registry::new()).unwrap();
    assert_eq!(
        std::fs::read(out.join("charts/fan_harvest.png")).unwrap(),
        before
    );
}

#[test]
fn shards_of_a_run_merge_into_the_run() {
    let (dir, path) = orchard();
    let registry = registry();
    let s = scenario::load(&path, &registry).unwrap();
    let whole = dir.path().join("whole");
    sezsim::run::run(&s, &RunSettings::new(&s, &whole), None).unwrap();
    // 600 replications are 3 engine chunks: two uneven shards.
    let shards: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let out = dir.path().join(format!("shard{i}"));
            let settings = RunSettings::new(&s, &out);
            let shard = Shard::new(i, 2).unwrap();
            sezsim::shard::run_shard(&s, &path, &settings, shard, None).unwrap();
            out
        })
        .collect();
    let merged = dir.path().join("merged");
    sezsim::merge::merge(&shards, &merged, "merge", &registry).unwrap();
    for file in [
        "summary.csv",
        "scalars.csv",
        "fan.csv",
        "charts/fan_harvest.png",
    ] {
        assert_eq!(
            std::fs::read(whole.join(file)).unwrap(),
            std::fs::read(merged.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_sweep_and_its_merged_shards_agree() {
    let (dir, path) = orchard();
    let registry = registry();
    let file = dir.path().join("sweep.toml");
    std::fs::write(
        &file,
        format!(
            "[sweep]\nname = \"yields\"\nbase = {:?}\nreplications = 300\n\
             design = \"grid\"\n[[parameters]]\npath = \"orchard.yield_per_tree\"\n\
             values = [0.02, 0.05, 0.08]\n",
            path.display().to_string()
        ),
    )
    .unwrap();
    let sw = sezsim::sweep::load(&file, &registry).unwrap();
    assert_eq!(sw.points.len(), 3);
    let settings = |out: PathBuf, shard| SweepSettings {
        threads: 2,
        out_dir: out,
        shard,
        command: "sweep".into(),
    };
    let whole = dir.path().join("whole");
    sezsim::sweep::run(&sw, &settings(whole.clone(), None), None).unwrap();
    let points = read(&whole.join("points.csv"));
    assert!(points.contains("harvest_total"), "{points}");
    assert_eq!(points.lines().count(), 4, "{points}");
    let shards: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let out = dir.path().join(format!("shard{i}"));
            let shard = Some(Shard::new(i, 2).unwrap());
            sezsim::sweep::run(&sw, &settings(out.clone(), shard), None).unwrap();
            out
        })
        .collect();
    let merged = dir.path().join("merged");
    sezsim::merge::merge(&shards, &merged, "merge", &registry).unwrap();
    assert_eq!(read(&merged.join("points.csv")), points);
    // A higher yield raises the harvest: the point's value reached the
    // model as a parameter.
    let means: Vec<f64> = points
        .lines()
        .skip(1)
        .map(|l| {
            let header: Vec<&str> = points.lines().next().unwrap().split(',').collect();
            let at = header
                .iter()
                .position(|h| *h == "harvest_total_mean")
                .unwrap();
            l.split(',').nth(at).unwrap().parse().unwrap()
        })
        .collect();
    assert!(means.windows(2).all(|w| w[0] < w[1]), "{means:?}");
}

//! Helpers shared by integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sezsim::engine::{Model, Record};
use sezsim::model::{self, ModelOptions};
use sezsim::scenario::{self, Scenario};

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

pub fn load(path: &Path) -> Scenario {
    scenario::load(path).unwrap_or_else(|e| panic!("{e}"))
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
}

fn run_model<M: Model>(m: &M, replication: u64) -> Run {
    let layout = m.layout().clone();
    let mut record = Record {
        series: vec![f64::NAN; layout.series.len() * layout.years.len()],
        scalars: vec![f64::NAN; layout.scalars.len()],
        inputs: vec![f64::NAN; layout.inputs.len()],
    };
    let mut ws = m.workspace();
    m.run(replication, &mut ws, &mut record);
    Run { layout, record }
}

/// Run replication `replication` of `scenario`, deterministic or random.
pub fn run_one(scenario: &Scenario, replication: u64, deterministic: bool) -> Run {
    let options = ModelOptions {
        replications: replication + 1,
        seed: scenario.seed,
        deterministic,
    };
    let built = model::build(scenario, options).unwrap();
    sezsim::with_model!(&built, |m| run_model(m, replication))
}

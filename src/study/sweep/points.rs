//! A point of a sweep: run as a scenario variant into its own folder,
//! published atomically with its `point.json` (the point's identity and
//! its files' checksums), which makes a finished point recognisable when
//! a sweep is resumed or merged.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::points_csv::{points_csv_header, points_csv_row};
use super::{POINT_CSV, POINT_FILES, POINT_RECORD, Sweep, SweepSettings};
use crate::compare::COMPARE_LEVELS;
use crate::engine::RunSummary;
use crate::error::Error;
use crate::output::manifest::{ManifestInput, to_json};
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::run::{self, RunSettings};
use crate::study::files::sha256_file;

/// `point.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PointRecord {
    /// The point's number, from 1.
    point: usize,
    /// [`Sweep::point_key`].
    key: String,
    /// The values, for people (the key holds their exact bits).
    parameters: Vec<PointValue>,
    files: Vec<ManifestInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PointValue {
    path: String,
    value: f64,
}

impl Sweep {
    /// Whether `dir` holds point `p`'s complete, valid results.
    pub(super) fn point_is_valid(&self, p: usize, dir: &Path) -> bool {
        let Ok(text) = std::fs::read_to_string(dir.join(POINT_RECORD)) else {
            return false;
        };
        let Ok(record) = serde_json::from_str::<PointRecord>(&text) else {
            return false;
        };
        record.point == p + 1
            && record.key == self.point_key(p)
            && POINT_FILES.iter().all(|f| {
                record
                    .files
                    .iter()
                    .any(|r| r.path == *f && sha256_file(&dir.join(f)).is_ok_and(|h| h == r.sha256))
            })
    }

    /// Run point `p` and publish its folder `dir`.
    pub(super) fn run_point(
        &self,
        p: usize,
        dir: &Path,
        settings: &SweepSettings,
        sweep_lock: &PendingDir,
        progress: Option<&mut dyn FnMut(u64)>,
    ) -> Result<(), Error> {
        let started = Instant::now();
        let mut scenario = self.template.variant(&self.overrides(p))?;
        scenario.outputs.tables = self.spec.tables;
        // Sweep points hold tables only (no charts), so no sample.
        let rs = RunSettings::new(&scenario, dir)
            .with_replications(self.replications)
            .with_seed(self.seed)
            .with_threads(settings.threads)
            .with_command(&settings.command);
        let summary = run::summarize(&scenario, &rs, &COMPARE_LEVELS, None, progress)?;
        let pending = PendingDir::create_guarded(dir, Output::Results, sweep_lock)?;
        // The tables keep the scenario's levels; points.csv reads the
        // comparison's.
        run::write_results(&pending, &scenario, &summary)?;
        let manifest = run::run_manifest(&scenario, &rs, started.elapsed().as_secs_f64());
        pending.write("manifest.json", manifest.to_json().as_bytes())?;
        pending.write(POINT_CSV, self.point_csv(p, &summary).as_bytes())?;
        let files = POINT_FILES
            .iter()
            .map(|f| {
                Ok(ManifestInput {
                    path: f.to_string(),
                    sha256: sha256_file(&pending.path(f))?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let record = PointRecord {
            point: p + 1,
            key: self.point_key(p),
            parameters: self
                .overrides(p)
                .into_iter()
                .map(|o| PointValue {
                    path: o.path,
                    value: o.value,
                })
                .collect(),
            files,
        };
        pending.write(POINT_RECORD, to_json(&record).as_bytes())?;
        pending.publish()?;
        Ok(())
    }

    /// `point.csv`: the header of `points.csv` and point `p`'s row.
    fn point_csv(&self, p: usize, summary: &RunSummary) -> String {
        points_csv_header(&self.paths(), &summary.layout.scalars)
            + &points_csv_row(p + 1, &self.points[p], summary)
    }
}

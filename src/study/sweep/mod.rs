//! Parameter sweeps: a base scenario run at many settings of some of its
//! parameters (a grid, or a Latin hypercube), every point with the same seed
//! and replications, so points differ only by their parameters.
//!
//! A sweep is described by a sweep file ([`SweepSpec`]); each point is a
//! scenario variant ([`ScenarioTemplate::variant`]): the base with the
//! swept parameters set to the point's values, validated like any scenario.
//!
//! # The sweep folder
//!
//! ```text
//! output/<sweep name>/
//!   points.csv          one row per point: its values, then per scalar outcome
//!                       mean, sd, p05, p50, p95, p_target
//!   sweep.json          the manifest
//!   charts/             charts of the sweep, drawn from points.csv (see
//!                       [`charts::sweep`]): sweep_<scalar>, heatmap_<scalar>
//!                       or scatter_<scalar>, PNG and SVG
//!   points/0001/        each point's run folder (summary.csv, scalars.csv,
//!                       manifest.json), its row of points.csv (point.csv) and
//!                       point.json: the point's identity and its files' SHA-256
//! ```
//!
//! # Resuming
//!
//! Each point folder is published atomically when its run is done. Running
//! a sweep again keeps every point folder that is complete and valid (its
//! `point.json` names the same point: same base scenario contents, seed,
//! replications, tool version and values; every file matches its checksum)
//! and runs the others again, so an interrupted sweep resumes where it
//! stopped and ends with exactly the bytes of an uninterrupted one. Leftover
//! temporary folders of an interrupted run are removed.
//!
//! The folder is resumed in place, and keeps its results until new ones
//! exist: a point folder is replaced only by the point's new results;
//! `points.csv`, `charts/` and `sweep.json` are staged beside the folder
//! and moved in, in that order, once every point is done; point folders of
//! an earlier, larger design are removed after that. The staging folder's
//! lock (see [`crate::output::target`]) keeps other writers away for the
//! whole sweep. A folder holding anything but a sweep is refused.
//!
//! # Shards
//!
//! With `--shard I/N`, shard I runs points I, I+N, I+2N... (round robin) into
//! its own folder (default `output/<sweep name>-shards/I-of-N/`), with a
//! `sweep.json` that has a `shard` section. A shard refuses a folder that
//! holds a complete sweep or another shard, and never deletes points it does
//! not own. [`merge_shards`] checks the shard manifests, re-reads the sweep
//! file (and checks it is unchanged), checks every point folder and writes
//! the sweep folder an unsharded run writes.

mod design;
mod merge_shards;
mod points;
mod points_csv;
mod run_sweep;
pub mod slurm;
mod spec;

use std::path::{Path, PathBuf};

pub use super::paths::default_sweep_dir;
pub use merge_shards::merge_shards;
pub use points_csv::{points_csv_header, points_csv_row};
pub use run_sweep::run;
pub use spec::{Design, MAX_POINTS, SweepSpec, SweptParameter, Values, read_spec};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::output::charts::sweep::SweepChartInfo;
use crate::output::charts::{self, Picture};
use crate::output::manifest::{self, SweepManifest, SweepShardInfo};
use crate::scenario::{Override, Registry, ScenarioTemplate, sha256_hex};
use crate::study::shard_id::Shard;

/// The sweep manifest, in the sweep folder and in each shard folder.
pub const SWEEP_MANIFEST: &str = "sweep.json";
/// The table of every point.
pub const POINTS_CSV: &str = "points.csv";
/// The folder of the point folders.
pub const POINTS_DIR: &str = "points";
/// A point's row of `points.csv` (with the header).
pub const POINT_CSV: &str = "point.csv";
/// A point's identity and checksums, written last.
pub const POINT_RECORD: &str = "point.json";
/// The files of a point folder that `point.json` vouches for.
const POINT_FILES: [&str; 4] = ["summary.csv", "scalars.csv", "manifest.json", POINT_CSV];

/// A sweep file read and checked against its base scenario, with its points.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file, read.
    pub spec: SweepSpec,
    /// The base scenario, from which points are made.
    pub template: ScenarioTemplate,
    /// Replications of every point.
    pub replications: u64,
    /// Seed of every point.
    pub seed: u64,
    /// `points[p][k]`: parameter `k`'s value at point `p` (0-based).
    pub points: Vec<Vec<f64>>,
    /// Where each value came from in the sweep file.
    offsets: Vec<Vec<usize>>,
}

/// Read the sweep file at `path`, load its base scenario, check every
/// swept path, lay out the points and validate every point's scenario.
/// Every problem found is reported at once, located in the sweep file where
/// it was written: a problem in one part does not hide those of the others.
pub fn load(path: &Path, registry: &Registry) -> Result<Sweep, Error> {
    let partial = spec::read_partial(path).map_err(Diagnostics)?;
    let mut errors = partial.errors;
    let spec = partial.spec;
    let template = if !partial.base_known {
        None
    } else if !spec.base.exists() {
        errors.push(
            Diagnostic::new(format!(
                "cannot read the base scenario {}: no such file",
                spec.base.display()
            ))
            .at(spec::located(&spec, spec.base_offset))
            .key("sweep.base")
            .help("the base's path is relative to the sweep file"),
        );
        None
    } else {
        match ScenarioTemplate::load(
            &spec.base,
            registry,
            Some((spec.file.clone(), spec.text.clone())),
        ) {
            Ok(t) => Some(t),
            Err(d) => {
                errors.extend(d.0);
                None
            }
        }
    };
    let Some(template) = template else {
        return Err(Error::Input(Diagnostics(errors)));
    };
    let mut bad_paths = Vec::new();
    for (path, offset, key) in &partial.paths {
        if let Err((message, help)) = template.check_path(path) {
            errors.push(
                Diagnostic::new(message)
                    .at(spec::located(&spec, *offset))
                    .key(key)
                    .help(help),
            );
            bad_paths.push(path.as_str());
        }
    }
    if let Some((scalar, offset)) = &spec.chart_scalar {
        let catalogue = template.base().model.catalogue();
        let valid = catalogue.scalar_names();
        if !valid.contains(&scalar.as_str()) {
            errors.push(
                Diagnostic::new(format!(
                    "unknown scalar outcome `{scalar}`; expected one of {}",
                    valid.join(", ")
                ))
                .at(spec::located(&spec, *offset))
                .key("sweep.chart_scalar"),
            );
        }
    }
    if !partial.points_known {
        // Every reason the points cannot be laid out was reported above.
        return Err(Error::Input(Diagnostics(errors)));
    }
    let base = template.base();
    let replications = spec.replications.unwrap_or(base.replications);
    let seed = spec.seed.unwrap_or(base.seed);
    // The values of the parameters whose paths are valid are checked even
    // when others are not: a point's values do not depend on the other
    // parameters (grid values as listed, hypercube streams keyed by path).
    let valid: Vec<SweptParameter> = spec
        .parameters
        .iter()
        .filter(|p| !bad_paths.contains(&p.path.as_str()))
        .cloned()
        .collect();
    let (points, offsets): (Vec<Vec<f64>>, Vec<Vec<usize>>) =
        design::points(spec.design, &valid, seed)
            .into_iter()
            .unzip();
    // Nothing runs until every point is valid. The same bad value shows in
    // many points: report each problem once.
    let mut seen = std::collections::HashSet::new();
    for (values, offsets) in points.iter().zip(&offsets) {
        if let Err(d) = template.variant(&overrides(&valid, values, offsets)) {
            errors.extend(d.0.into_iter().filter(|e| seen.insert(e.to_string())));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Input(Diagnostics(errors)));
    }
    Ok(Sweep {
        spec,
        template,
        replications,
        seed,
        points,
        offsets,
    })
}

/// A point's settings: parameter `k` set to `values[k]`, written at `offsets[k]`.
fn overrides(parameters: &[SweptParameter], values: &[f64], offsets: &[usize]) -> Vec<Override> {
    parameters
        .iter()
        .zip(values.iter().zip(offsets))
        .map(|(param, (&value, &offset))| Override {
            path: param.path.clone(),
            value,
            offset: Some(offset),
        })
        .collect()
}

impl Sweep {
    /// The swept parameters' paths, in file order.
    pub fn paths(&self) -> Vec<&str> {
        self.spec
            .parameters
            .iter()
            .map(|p| p.path.as_str())
            .collect()
    }

    /// Point `p`'s parameter settings.
    pub fn overrides(&self, p: usize) -> Vec<Override> {
        overrides(&self.spec.parameters, &self.points[p], &self.offsets[p])
    }

    /// SHA-256 of the sweep file's text.
    pub fn sha256(&self) -> String {
        sha256_hex(self.spec.text.as_bytes())
    }

    /// The folder name of point `p` (0-based): its number from 1, with at
    /// least four digits (`0001`).
    pub fn point_label(&self, p: usize) -> String {
        let width = self.points.len().to_string().len().max(4);
        format!("{:0width$}", p + 1)
    }

    /// What identifies point `p`'s results: the tool version, the base
    /// scenario's contents, seed, replications, the tables kept and the
    /// point's values (by their bits). Not the sweep file's text: editing a
    /// comment, the title or another point keeps finished points valid.
    pub fn point_key(&self, p: usize) -> String {
        let mut text = format!(
            "sezsim sweep point v1\ntool_version={}\nbase_sha256={}\nseed={}\nreplications={}\n",
            manifest::TOOL_VERSION,
            self.template.base().content_hash(),
            self.seed,
            self.replications
        );
        // Points written before the setting existed kept every table, so
        // their keys (without this line) no longer match: they run again.
        text.push_str(&format!("tables={}\n", self.spec.tables.name()));
        for (k, param) in self.spec.parameters.iter().enumerate() {
            text.push_str(&format!(
                "{}={:016x}\n",
                param.path,
                self.points[p][k].to_bits()
            ));
        }
        sha256_hex(text.as_bytes())
    }

    /// The sweep's charts (see [`charts::sweep`]), drawn from the text of
    /// its `points.csv` and the sweep file alone, so a merged sweep draws
    /// the bytes of an unsharded one.
    pub fn charts(&self, points_csv: &str) -> Result<Vec<Picture>, Error> {
        let info = SweepChartInfo {
            title: if self.spec.title.is_empty() {
                self.spec.name.clone()
            } else {
                self.spec.title.clone()
            },
            grid: self.spec.design == Design::Grid,
            replications: self.replications,
            chart_scalar: self.spec.chart_scalar.as_ref().map(|(s, _)| s.clone()),
            catalogue: self.template.base().model.catalogue(),
            chart_size: self.template.base().outputs.chart_size,
        };
        charts::sweep::render_sweep_charts(&info, points_csv, self.spec.parameters.len())
    }

    /// The manifest of this sweep run with `settings`: `run` points run
    /// now and `reused` kept; no wall time yet.
    pub(super) fn manifest(
        &self,
        settings: &SweepSettings,
        run: usize,
        reused: usize,
    ) -> SweepManifest {
        let file = std::fs::canonicalize(&self.spec.file).unwrap_or(self.spec.file.clone());
        SweepManifest {
            tool: manifest::TOOL.into(),
            tool_version: manifest::TOOL_VERSION.into(),
            sweep: self.spec.name.clone(),
            title: self.spec.title.clone(),
            sweep_file: file.display().to_string(),
            sweep_sha256: self.sha256(),
            base: self.template.base().name.clone(),
            base_sha256: self.template.base().content_hash(),
            design: self.spec.design.name().into(),
            parameters: self.paths().into_iter().map(str::to_string).collect(),
            points: self.points.len(),
            seed: self.seed,
            replications: self.replications,
            threads: settings.threads,
            points_run: run,
            points_reused: reused,
            shard: settings.shard.map(|s| SweepShardInfo {
                index: s.index(),
                count: s.count(),
                points: (0..self.points.len())
                    .filter(|&p| s.owns_point(p))
                    .map(|p| p + 1)
                    .collect(),
            }),
            merged_shards: None,
            wall_time_seconds: 0.0,
            command: settings.command.clone(),
        }
    }
}

/// How to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepSettings {
    /// Worker threads; results never depend on it.
    pub threads: usize,
    /// The sweep folder (or, with a shard, the shard's folder).
    pub out_dir: PathBuf,
    /// Run only this shard's points.
    pub shard: Option<Shard>,
    /// The command line, for the manifests.
    pub command: String,
}

/// A finished sweep (or shard of one).
#[derive(Debug)]
pub struct SweepOutcome {
    /// The published sweep folder (or shard folder).
    pub dir: PathBuf,
    /// Points this command was responsible for.
    pub points: usize,
    /// Of those, points run now.
    pub points_run: usize,
    /// Of those, points whose earlier results were kept.
    pub points_reused: usize,
    /// Seconds the command took.
    pub wall_time_seconds: f64,
}

//! Parameter sweeps: a base scenario run at many settings of some of its
//! parameters (a grid, or a Latin hypercube), every point with the same seed
//! and replications, so points differ only by their parameters.
//!
//! A sweep is described by a sweep file ([`spec`]); each point is a
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
pub mod slurm;
pub mod spec;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use spec::{Design, SweepSpec, SweptParameter, Values};

use crate::compare::COMPARE_LEVELS;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::engine::RunSummary;
use crate::error::Error;
use crate::output::charts::sweep::SweepChartInfo;
use crate::output::charts::{self, CHARTS_DIR, Picture};
use crate::output::manifest::ManifestInput;
use crate::output::run_dir::PendingDir;
use crate::output::target::{self, Output};
use crate::run::{self, RunSettings};
use crate::scenario::{Override, Registry, ScenarioTemplate, sha256_hex};
use crate::study::files::{read_json, sha256_file};
use crate::study::merged::{MergeOutcome, MergedKind};
use crate::study::shard_id::{Shard, coverage_errors};

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
    /// scenario's contents, seed, replications and the point's values (by
    /// their bits). Not the sweep file's text: editing a comment, the title
    /// or another point keeps finished points valid.
    pub fn point_key(&self, p: usize) -> String {
        let mut text = format!(
            "sezsim sweep point v1\ntool_version={}\nbase_sha256={}\nseed={}\nreplications={}\n",
            env!("CARGO_PKG_VERSION"),
            self.template.base().content_hash(),
            self.seed,
            self.replications
        );
        for (k, param) in self.spec.parameters.iter().enumerate() {
            text.push_str(&format!(
                "{}={:016x}\n",
                param.path,
                self.points[p][k].to_bits()
            ));
        }
        sha256_hex(text.as_bytes())
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
    pub dir: PathBuf,
    /// Points this command was responsible for.
    pub points: usize,
    /// Of those, points run now.
    pub points_run: usize,
    /// Of those, points whose earlier results were kept.
    pub points_reused: usize,
    pub wall_time_seconds: f64,
}

/// `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepManifest {
    pub tool: String,
    pub tool_version: String,
    pub sweep: String,
    pub title: String,
    /// The sweep file, as an absolute path (merge re-reads it).
    pub sweep_file: String,
    /// SHA-256 of the sweep file.
    pub sweep_sha256: String,
    /// The base scenario's name.
    pub base: String,
    /// `scenario_sha256` of the base scenario.
    pub base_sha256: String,
    pub design: String,
    /// The swept parameter paths.
    pub parameters: Vec<String>,
    /// Points in the sweep.
    pub points: usize,
    pub seed: u64,
    pub replications: u64,
    pub threads: usize,
    /// Points run by the command that wrote this, and points kept from an
    /// earlier run.
    pub points_run: usize,
    pub points_reused: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<SweepShardInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
    pub wall_time_seconds: f64,
    pub command: String,
}

/// The points a sweep shard holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepShardInfo {
    pub index: u32,
    pub count: u32,
    /// Its points' numbers (from 1).
    pub points: Vec<usize>,
}

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
    fn manifest(&self, settings: &SweepSettings, run: usize, reused: usize) -> SweepManifest {
        let file = std::fs::canonicalize(&self.spec.file).unwrap_or(self.spec.file.clone());
        SweepManifest {
            tool: "sezsim".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
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

    /// Whether `dir` holds point `p`'s complete, valid results.
    fn point_is_valid(&self, p: usize, dir: &Path) -> bool {
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
    fn run_point(
        &self,
        p: usize,
        dir: &Path,
        settings: &SweepSettings,
        sweep_lock: &PendingDir,
        progress: Option<&mut dyn FnMut(u64)>,
    ) -> Result<(), Error> {
        let started = Instant::now();
        let scenario = self.template.variant(&self.overrides(p))?;
        let rs = RunSettings {
            replications: self.replications,
            seed: self.seed,
            threads: settings.threads,
            deterministic: false,
            out_dir: dir.to_path_buf(),
            save_replications: false,
            // Sweep points hold tables only (no charts), so no sample.
            reservoir: crate::output::reservoir::DEFAULT_CAPACITY,
            command: settings.command.clone(),
        };
        let summary = run::summarize(&scenario, &rs, &COMPARE_LEVELS, None, progress)?;
        let tables = summary
            .at_levels(&scenario.outputs.quantiles)
            .ok_or_else(|| Error::Runtime("a point's summary lacks its quantile levels".into()))?;
        let pending = PendingDir::create_guarded(dir, Output::Results, sweep_lock)?;
        run::write_results(&pending, &scenario, &tables)?;
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
        };
        charts::sweep::render_sweep_charts(&info, points_csv, self.spec.parameters.len())
    }

    /// `point.csv`: the header of `points.csv` and point `p`'s row.
    fn point_csv(&self, p: usize, summary: &RunSummary) -> String {
        points_csv_header(&self.paths(), &summary.layout.scalars)
            + &points_csv_row(p + 1, &self.points[p], summary)
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// The header of `points.csv`: `point`, each swept parameter's path, then
/// for each scalar outcome `<scalar>_mean`, `_sd`, `_p05`, `_p50`, `_p95`
/// and `_p_target`.
pub fn points_csv_header(paths: &[&str], scalars: &[String]) -> String {
    let mut out = String::from("point");
    for p in paths {
        out.push(',');
        out.push_str(p);
    }
    for s in scalars {
        for stat in ["mean", "sd", "p05", "p50", "p95", "p_target"] {
            out.push_str(&format!(",{s}_{stat}"));
        }
    }
    out.push('\n');
    out
}

/// One row of `points.csv` for point number `point` (from 1) with
/// parameter `values`, from its run's summary (which must hold the levels
/// of [`COMPARE_LEVELS`]). Floats in shortest round-trip form; `p_target`
/// empty for a scalar without a target.
pub fn points_csv_row(point: usize, values: &[f64], summary: &RunSummary) -> String {
    let mut out = point.to_string();
    for v in values {
        out.push_str(&format!(",{v}"));
    }
    let levels: Vec<Option<usize>> = COMPARE_LEVELS
        .iter()
        .map(|&q| summary.level_index(q))
        .collect();
    for s in &summary.scalars {
        out.push_str(&format!(",{},{}", s.mean, s.sd));
        for l in &levels {
            match l {
                Some(i) => out.push_str(&format!(",{}", s.quantiles[*i])),
                None => out.push(','),
            }
        }
        out.push(',');
        if let Some(p) = s.p_target {
            out.push_str(&format!("{p}"));
        }
    }
    out.push('\n');
    out
}

/// `points.csv` from the `point.csv` of every point, in order.
fn assemble_points_csv(
    point_dir: impl Fn(usize) -> PathBuf,
    points: usize,
) -> Result<String, Error> {
    let mut out = String::new();
    for p in 0..points {
        let path = point_dir(p).join(POINT_CSV);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let (header, row) = text
            .split_once('\n')
            .ok_or_else(|| Error::Runtime(format!("{} has no row", path.display())))?;
        if p == 0 {
            out.push_str(header);
            out.push('\n');
        } else if !out.starts_with(header) {
            return Err(Error::Runtime(format!(
                "{}: its header differs from point 1's",
                path.display()
            )));
        }
        out.push_str(row);
    }
    Ok(out)
}

/// Refuse to run shard `shard` into `dir` when the folder holds a complete
/// sweep or another shard: a shard writes its own folder, and never
/// deletes points it does not own.
fn check_shard_folder(dir: &Path, shard: Shard) -> Result<(), Error> {
    let path = dir.join(SWEEP_MANIFEST);
    if !path.is_file() {
        return Ok(());
    }
    let manifest: SweepManifest = read_json(&path).map_err(Diagnostics::from)?;
    let held = match &manifest.shard {
        None => "a complete sweep".to_string(),
        Some(info) if (info.index, info.count) == (shard.index(), shard.count()) => return Ok(()),
        Some(info) => format!("shard {}/{} of a sweep", info.index, info.count),
    };
    Err(Error::Input(Diagnostics::from(
        Diagnostic::new(format!(
            "`{}` holds {held}, and --shard {shard} writes a shard folder of its own",
            dir.display()
        ))
        .at(Location::file(&path))
        .help(format!(
            "give each shard its own --out (by default output/{}-shards/{}-of-{}), then merge the shards with `sezsim merge`",
            manifest.sweep,
            shard.index(),
            shard.count()
        )),
    )))
}

/// Remove the point folders in `points_dir` that the sweep no longer has
/// (from an earlier, larger design), once the new sweep is complete. A
/// shard removes only points of its own share; a folder holding anything
/// sezsim did not write is left alone.
fn remove_stale_points(
    points_dir: &Path,
    sweep: &Sweep,
    shard: Option<Shard>,
) -> Result<(), Error> {
    let entries = std::fs::read_dir(points_dir).map_err(|e| Error::io(points_dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(p) = name
            .parse::<usize>()
            .ok()
            .filter(|_| name.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.checked_sub(1))
        else {
            continue;
        };
        let current = p < sweep.points.len() && sweep.point_label(p) == name;
        if current || shard.is_some_and(|s| !s.owns_point(p)) {
            continue;
        }
        let path = entry.path();
        if target::inspect(&path, Output::Results).is_ok() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Run `sweep` (or the shard `settings.shard` of it) into
/// `settings.out_dir`, keeping every point already complete and valid
/// there.
///
/// The folder is resumed in place: each point folder is replaced on its
/// own, atomically, when its run is done; `points.csv`, `charts/` and
/// `sweep.json` (in that order) only once every point is done; point
/// folders of an earlier, larger design are removed last. An interrupted
/// sweep so keeps the previous results until new ones exist. The folder is
/// refused if it holds anything but a sweep (or, for a shard, anything but
/// this shard). `progress` receives (replications done, replications to
/// run).
pub fn run(
    sweep: &Sweep,
    settings: &SweepSettings,
    mut progress: Option<&mut dyn FnMut(u64, u64)>,
) -> Result<SweepOutcome, Error> {
    let started = Instant::now();
    // Stages the files written last, and its lock marks the folder as
    // being written.
    let staging = PendingDir::create(&settings.out_dir, Output::Sweep)?;
    let dir = staging.target().to_path_buf();
    if let Some(shard) = settings.shard {
        check_shard_folder(&dir, shard)?;
    }
    let points_dir = dir.join(POINTS_DIR);
    std::fs::create_dir_all(&points_dir).map_err(|e| Error::io(&points_dir, e))?;
    target::clear_dead_temporaries_in(&points_dir)?;
    let owned: Vec<usize> = (0..sweep.points.len())
        .filter(|&p| settings.shard.is_none_or(|s| s.owns_point(p)))
        .collect();

    let to_run: Vec<usize> = owned
        .iter()
        .copied()
        .filter(|&p| !sweep.point_is_valid(p, &points_dir.join(sweep.point_label(p))))
        .collect();
    let total = to_run.len() as u64 * sweep.replications;
    for (i, &p) in to_run.iter().enumerate() {
        let before = i as u64 * sweep.replications;
        let mut tick = |done: u64| {
            if let Some(f) = progress.as_mut() {
                f(before + done, total);
            }
        };
        let point_dir = points_dir.join(sweep.point_label(p));
        sweep.run_point(p, &point_dir, settings, &staging, Some(&mut tick))?;
    }

    let reused = owned.len() - to_run.len();
    // A shard folder holds only its points and sweep.json.
    let mut last = vec![SWEEP_MANIFEST];
    if settings.shard.is_none() {
        let csv = assemble_points_csv(
            |p| points_dir.join(sweep.point_label(p)),
            sweep.points.len(),
        )?;
        staging.write(POINTS_CSV, csv.as_bytes())?;
        charts::write_pictures(&staging, &format!("{CHARTS_DIR}/"), &sweep.charts(&csv)?)?;
        last = vec![POINTS_CSV, CHARTS_DIR, SWEEP_MANIFEST];
    }
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let mut manifest = sweep.manifest(settings, to_run.len(), reused);
    manifest.wall_time_seconds = wall_time_seconds;
    staging.write(SWEEP_MANIFEST, to_json(&manifest).as_bytes())?;
    staging.publish_entries(&last)?;
    remove_stale_points(&points_dir, sweep, settings.shard)?;
    Ok(SweepOutcome {
        dir: settings.out_dir.clone(),
        points: owned.len(),
        points_run: to_run.len(),
        points_reused: reused,
        wall_time_seconds,
    })
}

/// A sweep shard folder, read.
struct SweepShardDir {
    dir: PathBuf,
    manifest_path: PathBuf,
    manifest: SweepManifest,
    info: SweepShardInfo,
}

/// Merge sweep shard folders into the sweep folder `out` (replaced
/// atomically): the same `points.csv` and point folders as an unsharded
/// run of the sweep.
pub fn merge_shards(
    dirs: &[PathBuf],
    out: &Path,
    command: &str,
    registry: &Registry,
) -> Result<MergeOutcome, Error> {
    let started = Instant::now();
    let mut errors = Vec::new();
    let mut shards = Vec::new();
    for dir in dirs {
        let manifest_path = dir.join(SWEEP_MANIFEST);
        match read_json::<SweepManifest>(&manifest_path) {
            Ok(m) => match m.shard.clone() {
                Some(info) => shards.push(SweepShardDir {
                    dir: dir.clone(),
                    manifest_path,
                    manifest: m,
                    info,
                }),
                None => errors.push(
                    Diagnostic::new(format!(
                        "{} is a complete sweep, not a shard",
                        dir.display()
                    ))
                    .at(Location::file(&manifest_path)),
                ),
            },
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Input(Diagnostics(errors)));
    }
    let first = &shards[0];
    for s in &shards[1..] {
        let (a, b) = (&first.manifest, &s.manifest);
        let fields: [(&str, String, String); 7] = [
            (
                "tool_version",
                a.tool_version.clone(),
                b.tool_version.clone(),
            ),
            (
                "sweep_sha256",
                a.sweep_sha256.clone(),
                b.sweep_sha256.clone(),
            ),
            ("base_sha256", a.base_sha256.clone(), b.base_sha256.clone()),
            ("seed", a.seed.to_string(), b.seed.to_string()),
            (
                "replications",
                a.replications.to_string(),
                b.replications.to_string(),
            ),
            ("points", a.points.to_string(), b.points.to_string()),
            (
                "shard.count",
                first.info.count.to_string(),
                s.info.count.to_string(),
            ),
        ];
        for (key, want, found) in fields {
            if want != found {
                let what = match key {
                    "sweep_sha256" => format!(
                        "this shard ran another sweep file ({} here, {} in {})",
                        b.sweep,
                        a.sweep,
                        first.dir.display()
                    ),
                    "base_sha256" => format!(
                        "this shard's base scenario differs from the one in {}",
                        first.dir.display()
                    ),
                    _ => format!(
                        "`{key}` is {found} here but {want} in {}",
                        first.dir.display()
                    ),
                };
                errors.push(
                    Diagnostic::new(format!("{what}: these shards are not parts of one sweep"))
                        .at(Location::file(&s.manifest_path))
                        .key(key)
                        .help("merge only the shards of one sweep command (same sweep file, base, seed and N)"),
                );
            }
        }
    }
    if errors.is_empty() {
        errors.extend(coverage_errors(
            first.info.count,
            shards.iter().map(|s| (s.info.index, s.dir.as_path())),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Input(Diagnostics(errors)));
    }
    shards.sort_by_key(|s| s.info.index);
    let first = &shards[0];
    let count = first.info.count;

    // The sweep, as the shards ran it.
    let sweep = load(Path::new(&first.manifest.sweep_file), registry)?;
    if sweep.sha256() != first.manifest.sweep_sha256
        || sweep.template.base().content_hash() != first.manifest.base_sha256
    {
        return Err(Error::Input(Diagnostics::from(
            Diagnostic::new(format!(
                "the sweep file {} or its base scenario changed since the shards ran",
                first.manifest.sweep_file
            ))
            .at(Location::file(&first.manifest_path))
            .key("sweep_sha256")
            .help("restore the files the shards ran, or run the shards again"),
        )));
    }
    let owner = |p: usize| &shards[p % count as usize];
    for p in 0..sweep.points.len() {
        let s = owner(p);
        let dir = s.dir.join(POINTS_DIR).join(sweep.point_label(p));
        if !sweep.point_is_valid(p, &dir) {
            errors.push(
                Diagnostic::new(format!(
                    "point {} is missing or incomplete in {}",
                    p + 1,
                    s.dir.display()
                ))
                .at(Location::file(&dir))
                .help(format!(
                    "run shard {}/{count} again: it keeps its finished points and redoes the others",
                    s.info.index
                )),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Error::Input(Diagnostics(errors)));
    }

    let pending = PendingDir::create(out, Output::Results)?;
    for p in 0..sweep.points.len() {
        let label = sweep.point_label(p);
        let from = owner(p).dir.join(POINTS_DIR).join(&label);
        for f in POINT_FILES.iter().chain([&POINT_RECORD]) {
            let path = from.join(f);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            pending.write(&format!("{POINTS_DIR}/{label}/{f}"), &bytes)?;
        }
    }
    let csv = assemble_points_csv(
        |p| pending.path(POINTS_DIR).join(sweep.point_label(p)),
        sweep.points.len(),
    )?;
    pending.write(POINTS_CSV, csv.as_bytes())?;
    charts::write_pictures(&pending, &format!("{CHARTS_DIR}/"), &sweep.charts(&csv)?)?;
    let settings = SweepSettings {
        threads: first.manifest.threads,
        out_dir: out.to_path_buf(),
        shard: None,
        command: command.to_string(),
    };
    let mut manifest = sweep.manifest(
        &settings,
        shards.iter().map(|s| s.manifest.points_run).sum(),
        shards.iter().map(|s| s.manifest.points_reused).sum(),
    );
    manifest.merged_shards = Some(count);
    manifest.wall_time_seconds = shards
        .iter()
        .map(|s| s.manifest.wall_time_seconds)
        .sum::<f64>()
        + started.elapsed().as_secs_f64();
    pending.write(SWEEP_MANIFEST, to_json(&manifest).as_bytes())?;
    let dir = pending.publish()?;
    Ok(MergeOutcome {
        dir,
        shards: count,
        kind: MergedKind::Sweep {
            points: sweep.points.len(),
        },
    })
}

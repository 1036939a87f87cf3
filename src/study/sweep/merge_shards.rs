//! Merging the shards of a sweep: check the shard manifests and every
//! point folder, then write the sweep folder an unsharded run writes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::points_csv::assemble_points_csv;
use super::{
    POINT_FILES, POINT_RECORD, POINTS_CSV, POINTS_DIR, SWEEP_MANIFEST, SweepSettings, load,
};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::error::Error;
use crate::output::charts::{self, CHARTS_DIR};
use crate::output::manifest::{SweepManifest, SweepShardInfo};
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::output::xlsx;
use crate::scenario::Registry;
use crate::study::files::{read_each, read_json};
use crate::study::merged::{MergeOutcome, MergedKind};
use crate::study::shard_id::{coverage_errors, disagreements};

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
    let mut shards = read_each(dirs, |dir| {
        let manifest_path = dir.join(SWEEP_MANIFEST);
        let m = read_json::<SweepManifest>(&manifest_path)?;
        match m.shard.clone() {
            Some(info) => Ok(SweepShardDir {
                dir: dir.to_path_buf(),
                manifest_path,
                manifest: m,
                info,
            }),
            None => Err(Diagnostic::new(format!(
                "{} is a complete sweep, not a shard",
                dir.display()
            ))
            .at(Location::file(&manifest_path))),
        }
    })?;
    let mut errors = Vec::new();
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
        errors.extend(disagreements(
            &fields,
            &s.manifest_path,
            &first.dir,
            "sweep",
            "merge only the shards of one sweep command (same sweep file, base, seed and N)",
            |key, _, _| match key {
                "sweep_sha256" => Some(format!(
                    "this shard ran another sweep file ({} here, {} in {})",
                    b.sweep,
                    a.sweep,
                    first.dir.display()
                )),
                "base_sha256" => Some(format!(
                    "this shard's base scenario differs from the one in {}",
                    first.dir.display()
                )),
                _ => None,
            },
        ));
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
    let book = xlsx::workbook(&xlsx::FolderTables {
        manifest: &manifest.to_json(),
        points: Some(&csv),
        ..Default::default()
    })?;
    pending.write(xlsx::RESULTS_XLSX, &book)?;
    pending.write(SWEEP_MANIFEST, manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(MergeOutcome {
        dir,
        shards: count,
        kind: MergedKind::Sweep {
            points: sweep.points.len(),
        },
    })
}

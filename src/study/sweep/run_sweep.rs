//! Running a sweep, or a shard of one, into its folder, resumed in place:
//! finished points are kept, the others run, the table, charts and
//! manifest swapped in once every point is done.

use std::path::Path;
use std::time::Instant;

use super::points_csv::assemble_points_csv;
use super::{POINTS_CSV, POINTS_DIR, SWEEP_MANIFEST, Sweep, SweepOutcome, SweepSettings};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::error::Error;
use crate::output::charts::{self, CHARTS_DIR};
use crate::output::manifest::SweepManifest;
use crate::output::run_dir::PendingDir;
use crate::output::target::{self, Output};
use crate::output::xlsx;
use crate::study::files::read_json;
use crate::study::paths::default_shard_dir;
use crate::study::shard_id::Shard;

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
            "give each shard its own --out (by default {}), then merge the shards with `sezsim merge`",
            default_shard_dir(&manifest.sweep, shard).display()
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
    let mut points_csv = None;
    if settings.shard.is_none() {
        let csv = assemble_points_csv(
            |p| points_dir.join(sweep.point_label(p)),
            sweep.points.len(),
        )?;
        staging.write(POINTS_CSV, csv.as_bytes())?;
        charts::write_pictures(&staging, &format!("{CHARTS_DIR}/"), &sweep.charts(&csv)?)?;
        last = vec![POINTS_CSV, CHARTS_DIR, xlsx::RESULTS_XLSX, SWEEP_MANIFEST];
        points_csv = Some(csv);
    }
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let mut manifest = sweep.manifest(settings, to_run.len(), reused);
    manifest.wall_time_seconds = wall_time_seconds;
    if let Some(csv) = &points_csv {
        let book = xlsx::workbook(&xlsx::FolderTables {
            manifest: &manifest.to_json(),
            points: Some(csv),
            ..Default::default()
        })?;
        staging.write(xlsx::RESULTS_XLSX, &book)?;
    }
    staging.write(SWEEP_MANIFEST, manifest.to_json().as_bytes())?;
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

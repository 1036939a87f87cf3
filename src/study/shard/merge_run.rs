//! Merging the shards of a run: read and check every shard folder, merge
//! the partial runs in chunk order and write the run folder `sezsim run`
//! writes (see [`crate::shard`]).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{MANIFEST_FILE, PARTIAL_FILE, REPLICATIONS_FILE, RESERVOIR_FILE};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::engine::{self, EngineError, PartialRun};
use crate::error::Error;
use crate::output::charts::Sample;
use crate::output::manifest::{Manifest, ShardInfo};
use crate::output::reservoir::Reservoir;
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::run::{self, RunSettings};
use crate::scenario::Registry;
use crate::study::files::{read_each, read_json, sha256_file, unchanged_scenario};
use crate::study::merged::{MergeOutcome, MergedKind};
use crate::study::shard_id::{Shard, coverage_errors, disagreements};

/// A run shard folder, read.
struct RunShardDir {
    dir: PathBuf,
    manifest_path: PathBuf,
    manifest: Manifest,
    info: ShardInfo,
}

/// Merge the run shard folders `dirs` (in any order) into the run folder
/// `out`, which is replaced atomically: the bytes `sezsim run` writes.
/// Refuses, naming every problem, shards that do not belong together
/// (different scenarios, seeds, replication counts, shard counts, tool
/// versions or options), a shard missing or given twice, damaged files.
/// [`crate::merge::merge`] tells run shards from sweep shards.
pub fn merge_run(
    dirs: &[PathBuf],
    out: &Path,
    command: &str,
    registry: &Registry,
) -> Result<MergeOutcome, Error> {
    let started = Instant::now();
    let mut shards = read_each(dirs, read_run_shard)?;
    check_run_shards(&shards)?;
    shards.sort_by_key(|s| s.info.index);
    let first = &shards[0];
    let count = first.info.count;

    // Re-read the scenario: the run folder is written from it too.
    let scenario_file = PathBuf::from(&first.info.scenario_file);
    let mut scenario = unchanged_scenario(
        &scenario_file,
        &first.manifest.scenario_sha256,
        &first.manifest_path,
        registry,
    )?;

    // Merge the partial runs in chunk order (empty shards hold none).
    let mut merged: Option<PartialRun> = None;
    for s in &shards {
        if s.info.chunks[0] == s.info.chunks[1] {
            continue;
        }
        let path = s.dir.join(PARTIAL_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let part = PartialRun::from_bytes(&bytes).map_err(|e| damaged(&path, &e.to_string()))?;
        if part.chunks() != (s.info.chunks[0]..s.info.chunks[1]) {
            return Err(damaged(&path, "its chunks differ from its manifest's"));
        }
        match merged.as_mut() {
            None => merged = Some(part),
            Some(m) => m.merge(&part).map_err(|e| damaged(&path, &e.to_string()))?,
        }
    }
    let summary = merged
        .ok_or(EngineError::Incomplete)
        .and_then(PartialRun::finish_whole)
        .map_err(Error::Engine)?;

    // The whole run's reservoir: the union of the shards' samples, cut to
    // the capacity (bottom-k sampling merges exactly; the shards agree on
    // the capacity, see check_run_shards).
    let capacity = first.manifest.reservoir_capacity;
    // As the shards were run (`--chart-size` may have overridden the file).
    scenario.outputs.chart_size = first.manifest.chart_size;
    let mut reservoir = Reservoir::new(capacity, first.manifest.seed);
    for s in &shards {
        if !s.info.files.iter().any(|f| f.path == RESERVOIR_FILE) {
            continue;
        }
        let path = s.dir.join(RESERVOIR_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let sample = Sample::parse(&text, &path, &summary.layout.scalars)?;
        let mut inputs = vec![0.0; sample.inputs.len()];
        let mut scalars = vec![0.0; sample.scalars.len()];
        for (row, &r) in sample.replications.iter().enumerate() {
            for (x, column) in inputs.iter_mut().zip(&sample.input_values) {
                *x = column[row];
            }
            for (x, column) in scalars.iter_mut().zip(&sample.scalar_values) {
                *x = column[row];
            }
            reservoir.offer(r, &inputs, &scalars);
        }
    }

    let pending = PendingDir::create(out, Output::Results)?;
    run::write_results(&pending, &scenario, &summary)?;
    // Every shard ran with --save-replications or none did (checked), and
    // each non-empty one that did lists its rows (checked when read).
    let save_replications = first.info.save_replications;
    if save_replications {
        let with_rows: Vec<&RunShardDir> = shards
            .iter()
            .filter(|s| s.info.files.iter().any(|f| f.path == REPLICATIONS_FILE))
            .collect();
        concatenate_replications(&with_rows, &pending.path(REPLICATIONS_FILE))?;
    }
    let wall_time_seconds: f64 = shards
        .iter()
        .map(|s| s.manifest.wall_time_seconds)
        .sum::<f64>()
        + started.elapsed().as_secs_f64();
    // The settings of the unsharded run: its charts and report, whose
    // command (the unsharded one) reproduces these numbers.
    let settings = RunSettings::new(&scenario, out)
        .with_replications(first.manifest.replications)
        .with_seed(first.manifest.seed)
        .with_threads(first.manifest.threads)
        .with_save_replications(save_replications)
        .with_reservoir(capacity)
        .with_command(command);
    let mut manifest = run::run_manifest(&scenario, &settings, wall_time_seconds);
    manifest.merged_shards = Some(count);
    // As the shards recorded it (run_manifest would raise a 0 to 1).
    manifest.reservoir_capacity = capacity;
    let (data, _) = run::write_charts(
        &pending, &scenario, &summary, &reservoir, &manifest, &settings,
    )?;
    let mut for_report = manifest.clone();
    for_report.command = run::reproduce_command(&scenario_file, &scenario.name, &settings);
    run::write_report(&pending, &scenario, &summary, &data, &for_report)?;
    pending.write(MANIFEST_FILE, manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(MergeOutcome {
        dir,
        shards: count,
        kind: MergedKind::Run(Box::new(summary)),
    })
}

fn read_run_shard(dir: &Path) -> Result<RunShardDir, Diagnostic> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest: Manifest = read_json(&manifest_path)?;
    let Some(info) = manifest.shard.clone() else {
        return Err(Diagnostic::new(format!(
            "{} is a complete run, not a shard (its manifest has no `shard` section)",
            dir.display()
        ))
        .at(Location::file(&manifest_path))
        .help("merge the folders written by `sezsim run ... --shard I/N`"));
    };
    // The range a shard must hold follows from I, N and the replications.
    let expected = Shard::new(info.index, info.count)
        .ok()
        .map(|s| s.chunk_range(engine::chunk_count(manifest.replications)));
    if expected != Some(info.chunks[0]..info.chunks[1]) {
        return Err(Diagnostic::new(format!(
            "shard {}/{} claims chunks {}..{}, which is not its share of a run of {} replications",
            info.index, info.count, info.chunks[0], info.chunks[1], manifest.replications
        ))
        .at(Location::file(&manifest_path))
        .key("shard.chunks"));
    }
    for f in &info.files {
        let path = dir.join(&f.path);
        if f.path.contains(['/', '\\']) || f.path.starts_with('.') {
            return Err(
                Diagnostic::new(format!("unexpected file name `{}`", f.path))
                    .at(Location::file(&manifest_path))
                    .key("shard.files"),
            );
        }
        match sha256_file(&path) {
            Ok(h) if h == f.sha256 => {}
            Ok(_) => {
                return Err(Diagnostic::new(format!(
                    "{} does not match its checksum in the manifest: the shard is damaged or was edited",
                    path.display()
                ))
                .at(Location::file(&manifest_path))
                .key("shard.files")
                .help("run this shard again"));
            }
            Err(_) => {
                return Err(Diagnostic::new(format!(
                    "{} is missing: the shard is incomplete",
                    path.display()
                ))
                .at(Location::file(&manifest_path))
                .key("shard.files")
                .help("run this shard again"));
            }
        }
    }
    let lists = |name: &str| info.files.iter().any(|f| f.path == name);
    if info.chunks[0] < info.chunks[1] && !lists(PARTIAL_FILE) {
        return Err(
            Diagnostic::new(format!("the shard lists no {PARTIAL_FILE}"))
                .at(Location::file(&manifest_path))
                .key("shard.files"),
        );
    }
    // Rows exactly when the shard ran with --save-replications and has
    // replications.
    let rows_expected = info.save_replications && info.chunks[0] < info.chunks[1];
    if lists(REPLICATIONS_FILE) != rows_expected {
        return Err(Diagnostic::new(format!(
            "the shard {} {REPLICATIONS_FILE} but its `shard.save_replications` is {}",
            if lists(REPLICATIONS_FILE) {
                "lists"
            } else {
                "lists no"
            },
            info.save_replications
        ))
        .at(Location::file(&manifest_path))
        .key("shard.files")
        .help("run this shard again"));
    }
    Ok(RunShardDir {
        dir: dir.to_path_buf(),
        manifest_path,
        manifest,
        info,
    })
}

/// Every shard agrees with the first on what run it is part of, and every
/// shard of `1..=N` is there exactly once. All problems are reported.
fn check_run_shards(shards: &[RunShardDir]) -> Result<(), Error> {
    let first = &shards[0];
    let mut errors = Vec::new();
    for s in &shards[1..] {
        let (a, b) = (&first.manifest, &s.manifest);
        let field = |key, want: &dyn ToString, found: &dyn ToString| {
            (key, want.to_string(), found.to_string())
        };
        let fields: [(&str, String, String); 9] = [
            field("tool_version", &a.tool_version, &b.tool_version),
            field("scenario_sha256", &a.scenario_sha256, &b.scenario_sha256),
            field("seed", &a.seed, &b.seed),
            field("replications", &a.replications, &b.replications),
            field("shard.count", &first.info.count, &s.info.count),
            field("model", &a.model, &b.model),
            // What changes a shard's files besides the numbers.
            field("deterministic", &a.deterministic, &b.deterministic),
            field(
                "reservoir_capacity",
                &a.reservoir_capacity,
                &b.reservoir_capacity,
            ),
            field(
                "shard.save_replications",
                &first.info.save_replications,
                &s.info.save_replications,
            ),
        ];
        let with = |saved: &str| {
            if saved == "true" {
                "with --save-replications"
            } else {
                "without --save-replications"
            }
        };
        errors.extend(disagreements(
            &fields,
            &s.manifest_path,
            &first.dir,
            "run",
            "merge only the shards of one command (same scenario, seed, replications, N and options such as --save-replications and --reservoir)",
            |key, want, found| match key {
                "scenario_sha256" => Some(format!(
                    "this shard ran another scenario ({} here, {} in {})",
                    b.scenario,
                    a.scenario,
                    first.dir.display()
                )),
                "shard.save_replications" => Some(format!(
                    "this shard ({}) ran {} but {} ran {}",
                    s.dir.display(),
                    with(found),
                    first.dir.display(),
                    with(want)
                )),
                "reservoir_capacity" => Some(format!(
                    "`{key}` (--reservoir) is {found} here but {want} in {}",
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
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(Diagnostics(errors)))
    }
}

/// `replications.csv` of the whole run: the first shard's file, then each
/// next shard's rows without its header (which must be the same).
fn concatenate_replications(shards: &[&RunShardDir], out: &Path) -> Result<(), Error> {
    let file = std::fs::File::create(out).map_err(|e| Error::io(out, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut header: Option<String> = None;
    for s in shards {
        let path = s.dir.join(REPLICATIONS_FILE);
        let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut r = std::io::BufReader::new(file);
        let mut first = String::new();
        r.read_line(&mut first).map_err(|e| Error::io(&path, e))?;
        match &header {
            None => {
                w.write_all(first.as_bytes())
                    .map_err(|e| Error::io(out, e))?;
                header = Some(first);
            }
            Some(h) if *h != first => {
                return Err(damaged(&path, "its header differs from the other shards'"));
            }
            Some(_) => {}
        }
        std::io::copy(&mut r, &mut w).map_err(|e| Error::io(out, e))?;
    }
    w.flush().map_err(|e| Error::io(out, e))
}

fn damaged(path: &Path, why: &str) -> Error {
    Error::Input(Diagnostics::from(
        Diagnostic::new(format!("cannot merge {}: {why}", path.display()))
            .at(Location::file(path))
            .help("run this shard again"),
    ))
}

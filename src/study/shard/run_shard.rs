//! Running one shard of a run: its chunks, into a shard folder that
//! `sezsim merge` combines with the others (see [`crate::shard`]).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{MANIFEST_FILE, PARTIAL_FILE, REPLICATIONS_FILE, RESERVOIR_FILE};
use crate::engine;
use crate::error::Error;
use crate::output::manifest::{ManifestInput, ShardInfo};
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::run::{self, RunSettings};
use crate::scenario::{Scenario, sha256_hex};
use crate::study::files::sha256_file;
use crate::study::shard_id::Shard;

/// A finished shard of a run.
#[derive(Debug)]
pub struct ShardOutcome {
    /// The published shard folder.
    pub dir: PathBuf,
    /// The engine chunks run (possibly empty).
    pub chunks: Range<u64>,
    /// The replications run.
    pub replications: Range<u64>,
    /// Seconds the shard took.
    pub wall_time_seconds: f64,
}

/// The replications of chunks `chunks` of a run of `replications`.
fn replication_range(chunks: &Range<u64>, replications: u64) -> Range<u64> {
    let at = |c: u64| (c * engine::CHUNK_SIZE as u64).min(replications);
    at(chunks.start)..at(chunks.end)
}

/// Run shard `shard` of the run `settings` describes and write its shard
/// folder to `settings.out_dir` (atomically). `scenario_path` is the file
/// `scenario` was loaded from: merge re-reads it.
pub fn run_shard(
    scenario: &Scenario,
    scenario_path: &Path,
    settings: &RunSettings,
    shard: Shard,
    progress: Option<&mut dyn FnMut(u64)>,
) -> Result<ShardOutcome, Error> {
    if settings.deterministic {
        return Err(Error::usage(
            "--shard cannot be combined with --deterministic (a deterministic run is one replication)",
        ));
    }
    let started = Instant::now();
    let scenario_file =
        std::fs::canonicalize(scenario_path).map_err(|e| Error::io(scenario_path, e))?;
    let replications = settings.replications;
    let chunks = shard.chunk_range(engine::chunk_count(replications));
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let mut files = Vec::new();
    if !chunks.is_empty() {
        let (partial, reservoir) =
            run::simulate(scenario, settings, chunks.clone(), &pending, progress)?;
        let bytes = partial.to_bytes();
        pending.write(PARTIAL_FILE, &bytes)?;
        files.push(ManifestInput {
            path: PARTIAL_FILE.into(),
            sha256: sha256_hex(&bytes),
        });
        let layout = &partial.layout();
        let sample = reservoir.to_csv(&layout.inputs, &layout.scalars);
        pending.write(RESERVOIR_FILE, sample.as_bytes())?;
        files.push(ManifestInput {
            path: RESERVOIR_FILE.into(),
            sha256: sha256_hex(sample.as_bytes()),
        });
        if settings.save_replications {
            let path = pending.path(REPLICATIONS_FILE);
            files.push(ManifestInput {
                path: REPLICATIONS_FILE.into(),
                sha256: sha256_file(&path)?,
            });
        }
    }
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let mut manifest = run::run_manifest(scenario, settings, wall_time_seconds);
    let range = replication_range(&chunks, replications);
    manifest.shard = Some(ShardInfo {
        index: shard.index(),
        count: shard.count(),
        chunks: [chunks.start, chunks.end],
        replication_range: [range.start, range.end],
        scenario_file: scenario_file.display().to_string(),
        files,
        save_replications: settings.save_replications,
    });
    pending.write(MANIFEST_FILE, manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(ShardOutcome {
        dir,
        chunks,
        replications: range,
        wall_time_seconds,
    })
}

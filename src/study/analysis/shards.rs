//! A sensitivity analysis in pieces: `--shard I/N` evaluates a contiguous
//! range of the design's blocks (Sobol') or trajectories (Morris) and
//! writes its sums or effects (`sensitivity.bin`, checksummed) with a
//! manifest; `sezsim merge` checks that the pieces belong together, adds
//! them up exactly and writes the folder the unsharded command writes,
//! with the same tables to the bit.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::write::{publish, shard_manifest};
use super::{Accumulated, AnalysisSettings, Method, Plan, reproduce_command};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::error::Error;
use crate::output::manifest::{ManifestInput, SensitivityManifest, SensitivityShardInfo};
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::scenario::{Registry, Scenario, sha256_hex};
use crate::sensitivity::{MorrisAccumulator, SobolAccumulator};
use crate::study::files::{read_each, read_json, unchanged_scenario};
use crate::study::merged::{MergeOutcome, MergedKind};
use crate::study::shard_id::{Shard, coverage_errors, disagreements};

/// The manifest of every analysis folder and shard.
const MANIFEST_FILE: &str = "manifest.json";

/// A shard's sums or effects.
const PARTIAL_FILE: &str = "sensitivity.bin";

/// A finished shard of an analysis.
#[derive(Debug)]
pub struct AnalysisShardOutcome {
    /// The published shard folder.
    pub dir: PathBuf,
    /// The blocks (Sobol') or trajectories (Morris) evaluated.
    pub units: Range<u64>,
    /// Model evaluations run.
    pub evaluations: u64,
    /// Seconds taken.
    pub wall_time_seconds: f64,
}

/// The part of `units` blocks or trajectories shard `shard` takes:
/// `floor((I-1) U / N) .. floor(I U / N)`.
fn unit_range(shard: Shard, units: u64) -> Range<u64> {
    // The same arithmetic as a run's chunks.
    shard.chunk_range(units)
}

/// Run shard `shard` of the analysis `settings` describe into
/// `settings.out_dir` (atomically). `scenario_path` is the file `scenario`
/// was read from: merge reads it again. `progress` receives the shard's
/// model evaluations done so far and their total.
pub fn run_analysis_shard(
    scenario: &Scenario,
    scenario_path: &Path,
    settings: &AnalysisSettings,
    shard: Shard,
    progress: Option<&mut dyn FnMut(u64, u64)>,
) -> Result<AnalysisShardOutcome, Error> {
    let started = Instant::now();
    let scenario_file =
        std::fs::canonicalize(scenario_path).map_err(|e| Error::io(scenario_path, e))?;
    let plan = Plan::new(scenario, settings)?;
    let units = unit_range(shard, plan.units());
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let acc = plan.evaluate(units.clone(), settings.threads, progress)?;
    let bytes = match &acc {
        Accumulated::Sobol(a) => a.to_bytes(),
        Accumulated::Morris(a) => a.to_bytes(),
    };
    pending.write(PARTIAL_FILE, &bytes)?;
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let info = SensitivityShardInfo {
        index: shard.index(),
        count: shard.count(),
        blocks: [units.start, units.end],
        scenario_file: scenario_file.display().to_string(),
        files: vec![ManifestInput {
            path: PARTIAL_FILE.into(),
            sha256: sha256_hex(&bytes),
        }],
    };
    let manifest = shard_manifest(scenario, settings, &plan, wall_time_seconds, info);
    pending.write(MANIFEST_FILE, manifest.to_json().as_bytes())?;
    let dir = pending.publish()?;
    let rows = plan.design_ref().rows_per_unit() as u64;
    Ok(AnalysisShardOutcome {
        dir,
        evaluations: (units.end - units.start) * rows,
        units,
        wall_time_seconds,
    })
}

/// Whether `dir` holds a sensitivity analysis or a shard of one (its
/// manifest's `kind`).
pub(crate) fn is_analysis_shard(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some(SensitivityManifest::KIND))
}

struct ShardDir {
    dir: PathBuf,
    manifest_path: PathBuf,
    manifest: SensitivityManifest,
    info: SensitivityShardInfo,
}

fn read_shard(dir: &Path) -> Result<ShardDir, Diagnostic> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest: SensitivityManifest = read_json(&manifest_path)?;
    let Some(info) = manifest.shard.clone() else {
        return Err(Diagnostic::new(format!(
            "{} is a complete sensitivity analysis, not a shard (its manifest has no `shard` section)",
            dir.display()
        ))
        .at(Location::file(&manifest_path))
        .help("merge the folders written by `sezsim sensitivity ... --shard I/N`"));
    };
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        manifest_path,
        manifest,
        info,
    })
}

/// The fields every shard of one analysis shares, as text.
fn identity(m: &SensitivityManifest, info: &SensitivityShardInfo) -> Vec<(&'static str, String)> {
    vec![
        ("tool_version", m.tool_version.clone()),
        ("scenario_sha256", m.scenario_sha256.clone()),
        ("method", m.method.clone()),
        ("seed", m.seed.to_string()),
        ("samples", m.samples.to_string()),
        ("replicates", m.replicates.to_string()),
        ("second_order", m.second_order.to_string()),
        ("selected_outputs", m.selected_outputs.join(",")),
        ("shard.count", info.count.to_string()),
    ]
}

fn damaged(path: &Path, why: &str) -> Error {
    Error::Input(Diagnostics::from(
        Diagnostic::new(format!("damaged shard file: {why}"))
            .at(Location::file(path))
            .help("run this shard again"),
    ))
}

/// Merge the analysis shard folders `dirs` into `out` (replaced
/// atomically), refusing shards that do not belong together.
pub(crate) fn merge_analysis(
    dirs: &[PathBuf],
    out: &Path,
    command: &str,
    registry: &Registry,
) -> Result<MergeOutcome, Error> {
    let started = Instant::now();
    let mut shards = read_each(dirs, read_shard)?;
    let mut errors = Vec::new();
    let first = &shards[0];
    let want = identity(&first.manifest, &first.info);
    for s in &shards[1..] {
        let fields: Vec<(&str, String, String)> = want
            .iter()
            .zip(identity(&s.manifest, &s.info))
            .map(|((k, a), (_, b))| (*k, a.clone(), b))
            .collect();
        errors.extend(disagreements(
            &fields,
            &s.manifest_path,
            &first.dir,
            "sensitivity analysis",
            "merge the shards of one `sezsim sensitivity` command, every one run with the same options",
            |_, _, _| None,
        ));
    }
    errors.extend(coverage_errors(
        first.info.count,
        shards.iter().map(|s| (s.info.index, s.dir.as_path())),
    ));
    if !errors.is_empty() {
        return Err(Error::Input(Diagnostics(errors)));
    }
    shards.sort_by_key(|s| s.info.index);
    let first = &shards[0];
    let scenario_file = PathBuf::from(&first.info.scenario_file);
    let scenario = unchanged_scenario(
        &scenario_file,
        &first.manifest.scenario_sha256,
        &first.manifest_path,
        registry,
    )?;
    let m = &first.manifest;
    let method: Method = m.method.parse().map_err(|e: String| {
        Error::Input(Diagnostics::from(
            Diagnostic::new(e)
                .at(Location::file(&first.manifest_path))
                .key("method"),
        ))
    })?;
    let mut settings = AnalysisSettings::new(&scenario, method, out);
    settings.samples = m.samples;
    if method == Method::Sobol {
        settings.replicates = m.replicates;
    }
    settings.second_order = m.second_order;
    settings.outputs = m.selected_outputs.clone();
    settings.seed = m.seed;
    settings.command = command.to_string();
    let plan = Plan::new(&scenario, &settings)?;
    let mut acc = plan.empty();
    for s in &shards {
        let path = s.dir.join(PARTIAL_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let listed = s.info.files.iter().find(|f| f.path == PARTIAL_FILE);
        if listed.is_none_or(|f| f.sha256 != sha256_hex(&bytes)) {
            return Err(damaged(&path, "its checksum differs from the manifest's"));
        }
        let merged = match &mut acc {
            Accumulated::Sobol(a) => SobolAccumulator::from_bytes(&bytes).and_then(|p| a.merge(&p)),
            Accumulated::Morris(a) => {
                MorrisAccumulator::from_bytes(&bytes).and_then(|p| a.merge(&p))
            }
        };
        merged.map_err(|e| damaged(&path, &e.to_string()))?;
    }
    let pending = PendingDir::create(out, Output::Results)?;
    let count = first.info.count;
    let reproduce = reproduce_command(&scenario_file, &scenario.name, &settings);
    let outcome = publish(
        &scenario,
        &settings,
        &plan,
        &acc,
        pending,
        started,
        Some((count, &reproduce)),
    )?;
    Ok(MergeOutcome {
        dir: outcome.dir,
        shards: count,
        kind: MergedKind::Sensitivity {
            evaluations: outcome.evaluations,
        },
    })
}

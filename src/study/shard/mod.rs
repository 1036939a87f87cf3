//! Sharding: one run (or sweep) split over several processes or machines,
//! and the merge of their partial results into exactly the bytes the
//! unsharded command writes.
//!
//! A [`Shard`] is `I/N`, with `I` counted from 1 so that a Slurm job array
//! `--array=1-N` can pass `$SLURM_ARRAY_TASK_ID` straight in.
//!
//! **A run** is cut along the engine's chunks of
//! [`CHUNK_SIZE`](crate::engine::CHUNK_SIZE) replications: of the run's `C`
//! chunks, shard `I` of `N` takes the contiguous range
//! `floor((I-1) C / N) .. floor(I C / N)` ([`Shard::chunk_range`]), which
//! may be empty when `N > C`. It writes a shard folder:
//!
//! - `partial.bin`: the shard's [`PartialRun`] in the engine's binary form
//!   (every accumulator's exact state, with a checksum), absent for an
//!   empty shard;
//! - `replications.csv` with `--save-replications`: the header and the
//!   shard's rows;
//! - `reservoir.csv`: the reservoir sample of the shard's replications
//!   (see [`crate::output::reservoir`]: the merged shards' reservoirs give
//!   exactly the whole run's);
//! - `manifest.json`: the run manifest with a `shard` section (index,
//!   count, chunk and replication ranges, the scenario file's absolute path
//!   and the SHA-256 of each result file).
//!
//! [`merge`] checks the manifests (one tool version, scenario contents,
//! seed, replication count and shard count, and the options that change a
//! shard's files: `--save-replications`, `--reservoir`; every shard present
//! exactly once; files intact), merges the partial runs in chunk order (the
//! engine's merges are exact) and writes the run folder through the same
//! code as `sezsim run`, so tables are identical to the byte. It re-reads
//! the scenario file named in the manifests (and checks its hash) because
//! the run folder's files are written from the scenario as well as from
//! the numbers.
//!
//! **A sweep** is cut by points instead (see [`crate::sweep`]); [`merge`]
//! recognises a sweep shard by its `sweep.json` and hands it over.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::engine::{self, PartialRun, RunSummary};
use crate::error::Error;
use crate::output::charts::Sample;
use crate::output::manifest::{Manifest, ManifestInput, RunFacts, ShardInfo};
use crate::output::reservoir::Reservoir;
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::run::{self, RunSettings};
use crate::scenario::{self, Registry, Scenario, sha256_hex};

/// The file holding a shard's [`PartialRun`].
pub const PARTIAL_FILE: &str = "partial.bin";
/// The manifest of a run folder or run shard.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The per-replication table written with `--save-replications`.
pub const REPLICATIONS_FILE: &str = "replications.csv";
/// The shard's reservoir sample, for the merged run's charts.
pub const RESERVOIR_FILE: &str = crate::output::charts::RESERVOIR_CSV;

/// Shard `index` of `count` (`I/N`, `1 <= I <= N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// Most shards a command may be split into.
    pub const MAX_COUNT: u32 = 100_000;

    /// Shard `index` of `count`; `index` counts from 1.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 || count > Self::MAX_COUNT {
            return Err(format!(
                "the shard count N must be from 1 to {}, got {count}",
                Self::MAX_COUNT
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "the shard number I must be from 1 to N = {count}, got {index} (shards count from 1, as in a Slurm array --array=1-{count})"
            ));
        }
        Ok(Shard { index, count })
    }

    /// I, from 1.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// N.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// This shard's chunks of a run of `total_chunks` chunks:
    /// `floor((I-1) C / N) .. floor(I C / N)`. The shards' ranges are
    /// contiguous, in order, and cover every chunk once; a range is empty
    /// when `N > C`.
    pub fn chunk_range(&self, total_chunks: u64) -> Range<u64> {
        let at =
            |i: u32| (u128::from(i) * u128::from(total_chunks) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }

    /// Whether sweep point `point` (0-based) is this shard's: shard I takes
    /// points I-1, I-1+N, I-1+2N... (round robin, so that each shard gets
    /// points from every part of a grid, whose cost tends to vary along it).
    pub fn owns_point(&self, point: usize) -> bool {
        point % self.count as usize == (self.index - 1) as usize
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("expected I/N (e.g. 2/8), got `{s}`"))?;
        let parse = |t: &str, what: &str| {
            t.trim()
                .parse::<u32>()
                .map_err(|_| format!("expected I/N with whole numbers, got {what} `{t}`"))
        };
        Shard::new(parse(i, "I =")?, parse(n, "N =")?)
    }
}

/// A finished shard of a run.
#[derive(Debug)]
pub struct ShardOutcome {
    /// The published shard folder.
    pub dir: PathBuf,
    /// The engine chunks run (possibly empty).
    pub chunks: Range<u64>,
    /// The replications run.
    pub replications: Range<u64>,
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
        return Err(usage(
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

/// What a merge produced.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The published folder.
    pub dir: PathBuf,
    /// Shards merged.
    pub shards: u32,
    /// What was merged.
    pub kind: MergedKind,
}

/// The kind of result merged.
#[derive(Debug)]
pub enum MergedKind {
    /// A run; its summary.
    Run(Box<RunSummary>),
    /// A sweep of this many points.
    Sweep { points: usize },
}

/// Merge the shard folders `dirs` (in any order) into `out`, which is
/// replaced atomically. Refuses, naming every problem, shards that do not
/// belong together: different scenarios, seeds, replication counts, shard
/// counts, tool versions or options (`--save-replications`, `--reservoir`),
/// a shard missing or given twice, damaged files.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    command: &str,
    registry: &Registry,
) -> Result<MergeOutcome, Error> {
    if dirs.is_empty() {
        return Err(usage("merge needs at least one shard folder"));
    }
    let sweeps = dirs
        .iter()
        .filter(|d| d.join(crate::sweep::SWEEP_MANIFEST).is_file())
        .count();
    if sweeps == dirs.len() {
        return crate::sweep::merge_shards(dirs, out, command, registry);
    }
    if sweeps > 0 {
        return Err(usage(
            "some folders are sweep shards and some are not: merge the shards of one command at a time",
        ));
    }
    merge_run(dirs, out, command, registry)
}

/// A run shard folder, read.
struct RunShardDir {
    dir: PathBuf,
    manifest_path: PathBuf,
    manifest: Manifest,
    info: ShardInfo,
}

fn merge_run(
    dirs: &[PathBuf],
    out: &Path,
    command: &str,
    registry: &Registry,
) -> Result<MergeOutcome, Error> {
    let started = Instant::now();
    let mut errors = Vec::new();
    let mut shards = Vec::new();
    for dir in dirs {
        match read_run_shard(dir) {
            Ok(s) => shards.push(s),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Input(Diagnostics(errors)));
    }
    check_run_shards(&shards)?;
    shards.sort_by_key(|s| s.info.index);
    let first = &shards[0];
    let count = first.info.count;

    // Re-read the scenario: the run folder is written from it too.
    let scenario_file = PathBuf::from(&first.info.scenario_file);
    let scenario = scenario::load(&scenario_file, registry)?;
    if scenario.content_hash() != first.manifest.scenario_sha256 {
        return Err(Error::Input(Diagnostics::from(
            Diagnostic::new(format!(
                "the scenario {} (or a file it reads) changed since the shards ran",
                scenario_file.display()
            ))
            .at(Location::file(&first.manifest_path))
            .key("scenario_sha256")
            .help("restore the scenario the shards ran, or run the shards again"),
        )));
    }

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
    let merged = merged
        .filter(PartialRun::is_complete)
        .ok_or_else(|| Error::Runtime("the shards do not cover the whole run".into()))?;
    let summary = merged.finish();

    // The whole run's reservoir: the union of the shards' samples, cut to
    // the capacity (bottom-k sampling merges exactly; the shards agree on
    // the capacity, see check_run_shards).
    let capacity = first.manifest.reservoir_capacity;
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
    let mut manifest = Manifest::new(
        &scenario,
        RunFacts {
            seed: first.manifest.seed,
            replications: first.manifest.replications,
            deterministic: false,
            threads: first.manifest.threads,
            wall_time_seconds,
            quantile_method: run::quantile_method(first.manifest.replications),
            command: command.to_string(),
        },
    );
    manifest.merged_shards = Some(count);
    manifest.reservoir_capacity = capacity;
    // The charts and report of the unsharded run; its report names the
    // unsharded command, which reproduces these numbers.
    let settings = RunSettings {
        replications: first.manifest.replications,
        seed: first.manifest.seed,
        threads: first.manifest.threads,
        deterministic: false,
        out_dir: out.to_path_buf(),
        save_replications,
        reservoir: capacity,
        command: command.to_string(),
    };
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
        for (key, want, found) in fields {
            if want != found {
                let with = |saved: &str| {
                    if saved == "true" {
                        "with --save-replications"
                    } else {
                        "without --save-replications"
                    }
                };
                let what = match key {
                    "scenario_sha256" => format!(
                        "this shard ran another scenario ({} here, {} in {})",
                        b.scenario,
                        a.scenario,
                        first.dir.display()
                    ),
                    "shard.save_replications" => format!(
                        "this shard ({}) ran {} but {} ran {}",
                        s.dir.display(),
                        with(&found),
                        first.dir.display(),
                        with(&want)
                    ),
                    "reservoir_capacity" => format!(
                        "`{key}` (--reservoir) is {found} here but {want} in {}",
                        first.dir.display()
                    ),
                    _ => format!(
                        "`{key}` is {found} here but {want} in {}",
                        first.dir.display()
                    ),
                };
                errors.push(
                    Diagnostic::new(format!("{what}: these shards are not parts of one run"))
                        .at(Location::file(&s.manifest_path))
                        .key(key)
                        .help("merge only the shards of one command (same scenario, seed, replications, N and options such as --save-replications and --reservoir)"),
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
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(Diagnostics(errors)))
    }
}

/// Problems with the set of shard numbers given: any of `1..=count`
/// missing, any given more than once. Shared by run and sweep merges.
pub(crate) fn coverage_errors<'a>(
    count: u32,
    shards: impl Iterator<Item = (u32, &'a Path)>,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<u32, Vec<&Path>> = BTreeMap::new();
    for (index, dir) in shards {
        seen.entry(index).or_default().push(dir);
    }
    let mut errors = Vec::new();
    for (index, dirs) in &seen {
        if dirs.len() > 1 {
            let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            errors.push(
                Diagnostic::new(format!(
                    "shard {index}/{count} is given {} times: {}",
                    dirs.len(),
                    names.join(", ")
                ))
                .help("give each shard's folder once"),
            );
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        errors.push(
            Diagnostic::new(if missing.len() == 1 {
                format!("shard {} is missing", missing[0])
            } else {
                format!("shards {} are missing", missing.join(", "))
            })
            .help("run the missing shards with the same command and --shard I/N, then merge every shard's folder"),
        );
    }
    errors
}

/// Read a JSON file, locating a syntax or shape error at its line and
/// column.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read {}: {}",
            path.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such file (is this a shard folder?)".to_string()
            } else {
                e.to_string()
            }
        ))
        .at(Location::file(path))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Diagnostic::new(format!("not a sezsim manifest: {e}")).at(Location {
            file: path.to_path_buf(),
            line: Some(e.line()),
            column: Some(e.column()),
        })
    })
}

/// SHA-256 of a file, read in blocks.
pub(crate) fn sha256_file(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
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

/// A usage error (exit code 2) without a location.
pub(crate) fn usage(message: impl Into<String>) -> Error {
    Error::Input(Diagnostics::from(Diagnostic::new(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_one_and_refuse_nonsense() {
        let s: Shard = "3/8".parse().unwrap();
        assert_eq!((s.index(), s.count(), s.to_string()), (3, 8, "3/8".into()));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", "1/100001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn chunk_ranges_partition_the_run_in_order() {
        for chunks in [0u64, 1, 5, 7, 40, 1000] {
            for n in [1u32, 2, 3, 7, 13] {
                let mut next = 0;
                for i in 1..=n {
                    let r = Shard::new(i, n).unwrap().chunk_range(chunks);
                    assert_eq!(r.start, next, "C={chunks} N={n} I={i}");
                    assert!(r.end >= r.start);
                    // Balanced: sizes differ by at most one chunk.
                    assert!(r.end - r.start <= chunks / n as u64 + 1);
                    next = r.end;
                }
                assert_eq!(next, chunks);
            }
        }
        // N > C: some shards are empty.
        assert!(Shard::new(1, 7).unwrap().chunk_range(3).is_empty());
    }

    #[test]
    fn points_go_round_robin() {
        let shards: Vec<Shard> = (1..=3).map(|i| Shard::new(i, 3).unwrap()).collect();
        for p in 0..10 {
            let owners: Vec<u32> = shards
                .iter()
                .filter(|s| s.owns_point(p))
                .map(|s| s.index())
                .collect();
            assert_eq!(owners, vec![(p % 3) as u32 + 1]);
        }
    }

    #[test]
    fn coverage_names_missing_and_duplicated_shards() {
        let a = Path::new("a");
        let b = Path::new("b");
        let errs = coverage_errors(3, [(1, a), (1, b)].into_iter());
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert!(
            text[0].contains("shard 1/3 is given 2 times: a, b"),
            "{text:?}"
        );
        assert!(text[1].contains("shards 2/3, 3/3 are missing"), "{text:?}");
        assert!(coverage_errors(2, [(2, a), (1, b)].into_iter()).is_empty());
    }
}

//! Running a [`Model`] over replications: chunks, waves, ordered merging,
//! hooks, and partial runs that merge into exactly the bits of one run.
//!
//! # How a run proceeds
//!
//! Replications `0..N` are cut into chunks of [`CHUNK_SIZE`] (the last one
//! shorter), a constant independent of the thread count. Chunks are
//! processed in waves of `2 x threads`:
//!
//! 1. **Simulate** (parallel over the wave's chunks): each chunk makes one
//!    workspace and one [`Record`] and runs its replications. After each
//!    replication, for all cells at once (vectorised across cells), the
//!    chunk's per-cell sums ([`ChunkSums`]) are updated and the values'
//!    4-byte bucket codes ([`bucket_codes`]) written to a row-major block;
//!    every 64 replications the block is transposed into a column-major
//!    chunk buffer (cell x replication-in-chunk). Runs of at most
//!    [`EXACT_QUANTILE_LIMIT`] replications keep the values instead of
//!    codes (their quantiles are exact).
//! 2. **Merge** (parallel over cells; within a cell, chunks in index
//!    order): each chunk's sums go into the cell's [`CellStats`] and its
//!    contiguous column of codes (values) into the cell's quantile sketch.
//!    Scalars are merged the same way from their values, and counted
//!    against their targets. The merge counts values that are not finite
//!    (NaN, infinities); the first one stops the run with
//!    [`EngineError::NonFinite`], naming the lowest such replication, so a
//!    model's overflow is never averaged into silent NaN statistics.
//! 3. **Hooks** (on the calling thread, in replication order): the
//!    per-replication sink, then the progress callback after each chunk.
//!
//! Nothing is allocated per replication. Memory is the wave's buffers
//! (per chunk, about `CHUNK_SIZE x (4 x cells + 8 x scalars [+ 8 x inputs
//! with a sink])` bytes, plus a 64-replication block of `4 x cells` bytes
//! and `32 x cells` bytes of sums) and the per-cell statistics (about 1.2
//! KiB of exact sums plus 1 KiB of sketch per binary octave the cell's
//! values span), whatever N is. Measured for 2,000 cells on 2 threads:
//! 22.8 MB peak RSS at 100,000 replications, 23.0 MB at 1,000,000.
//!
//! # Determinism
//!
//! A chunk's contents depend only on the model and the chunk index, and
//! every merge in [`super::stats`] is exact, so the result is bit-identical
//! for any thread count, and a run split into [`PartialRun`]s over
//! contiguous chunk ranges and merged gives exactly the bits of the whole
//! run. Merging happens in chunk order all the same.
//!
//! One extra replication, number 0, is run first (a "pilot") to fix each
//! cell's shift for the moment sums (see [`super::stats::Moments`]); every
//! partial run does the same, so their shifts agree.

use std::ops::Range;

use rayon::prelude::*;

use sha2::{Digest, Sha256};

use super::codec::{DecodeError, Decoder, Encoder, invalid};
use super::stats::{
    CellStats, ChunkSums, EXACT_QUANTILE_LIMIT, Summary, bucket_codes, non_finite_of_code,
};
use super::{Model, OutputLayout, ParameterSource, Record};

/// Replications per chunk: the unit of parallel work, of ordered merging,
/// and of sharding. Part of the definition of a run's result (each chunk's
/// `f64` sums are taken over exactly these replications), so changing it
/// changes the last bits of means and standard deviations. 256 measured as
/// fast as 512 and 1,024 (2,000 cells) with the smallest buffers.
pub const CHUNK_SIZE: usize = 256;

/// Distance between two cells' columns in a chunk buffer of `f64` values
/// (`u32` codes): a chunk plus one cache line, because a power-of-two
/// stride maps every column start to the same cache sets and the
/// transposing writes then thrash.
const VALUE_STRIDE: usize = CHUNK_SIZE + 8;
const CODE_STRIDE: usize = CHUNK_SIZE + 16;

/// Most replications one run (or merge of partial runs) may hold: sketch
/// bucket counts are `u32`.
pub const MAX_REPLICATIONS: u64 = u32::MAX as u64;

/// Chunks per thread in a wave: two keep both halves of a wave busy while
/// bounding the buffers held.
const WAVE_CHUNKS_PER_THREAD: usize = 2;
/// Replications transposed together: 64 write whole cache lines of every
/// column while the row-major block (64 x cells x 8 bytes) stays in L2.
const TRANSPOSE_BLOCK: usize = 64;
/// Cells per parallel merge task.
const MERGE_CELLS_PER_TASK: usize = 16;

/// What to run and what to report.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Replications to run (`0..replications`); at least 1, at most
    /// [`MAX_REPLICATIONS`].
    pub replications: u64,
    /// Worker threads; 0 means one per available core. Results do not
    /// depend on it.
    pub threads: usize,
    /// Quantile levels to report, each in `[0, 1]`, in the order wanted.
    pub quantiles: Vec<f64>,
    /// Per scalar (in layout order), the target for `p_target`. Empty means
    /// no targets; otherwise one entry per scalar.
    pub scalar_targets: Vec<Option<f64>>,
}

impl RunOptions {
    /// `replications` on `threads` threads, quantiles 5%, 25%, 50%, 75%,
    /// 95%, no targets.
    pub fn new(replications: u64, threads: usize) -> Self {
        RunOptions {
            replications,
            threads,
            quantiles: vec![0.05, 0.25, 0.5, 0.75, 0.95],
            scalar_targets: Vec::new(),
        }
    }
}

/// One replication's scalars and inputs, as given to the sink.
#[derive(Debug, Clone, Copy)]
pub struct ReplicationValues<'a> {
    /// Replication index.
    pub replication: u64,
    /// `layout.scalars` values.
    pub scalars: &'a [f64],
    /// `layout.inputs` values.
    pub inputs: &'a [f64],
}

/// Optional callbacks, both called on the thread that called [`run`] (so
/// they need not be `Send`).
#[derive(Default)]
pub struct Hooks<'a> {
    /// Called once per replication in strictly increasing replication order
    /// (for saving replications or a reservoir of them). Inputs are only
    /// kept in memory when this is set.
    pub on_replication: Option<&'a mut dyn FnMut(ReplicationValues<'_>)>,
    /// Called after each chunk is merged with the number of replications
    /// merged so far by this call (for a progress bar).
    pub on_progress: Option<&'a mut dyn FnMut(u64)>,
}

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// `replications` was 0.
    #[error("a run needs at least one replication")]
    NoReplications,
    /// More than [`MAX_REPLICATIONS`].
    #[error("a run can hold at most {max} replications, not {requested}")]
    TooManyReplications {
        /// Replications asked for.
        requested: u64,
        /// [`MAX_REPLICATIONS`].
        max: u64,
    },
    /// A quantile level outside `[0, 1]` (or NaN).
    #[error("quantile level {0} is not in [0, 1]")]
    InvalidQuantile(f64),
    /// `scalar_targets` is neither empty nor one per scalar.
    #[error("{found} scalar targets given for {expected} scalars")]
    TargetCount {
        /// Scalars in the layout.
        expected: usize,
        /// Targets given.
        found: usize,
    },
    /// A partial run's chunk range is empty or beyond the run.
    #[error("chunk range {start}..{end} is empty or beyond the run's {chunks} chunks")]
    ChunkRange {
        /// First chunk asked for.
        start: u64,
        /// One past the last chunk asked for.
        end: u64,
        /// Chunks in the run.
        chunks: u64,
    },
    /// The model wrote a record whose lengths differ from its layout.
    #[error(
        "replication {replication}: the model recorded {found} {part} values, its layout has {expected}"
    )]
    RecordShape {
        /// The replication.
        replication: u64,
        /// "series", "scalar" or "input".
        part: &'static str,
        /// Length the layout implies.
        expected: usize,
        /// Length recorded.
        found: usize,
    },
    /// The thread pool could not be created.
    #[error("cannot start the thread pool: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    /// Two partial runs that do not follow each other in the same run.
    #[error("cannot merge partial runs: {0}")]
    Merge(&'static str),
    /// Bytes that are not a valid [`PartialRun::to_bytes`] encoding.
    #[error("not a valid partial run: {0}")]
    Decode(String),
    /// The model recorded a value that is not a finite number (NaN or an
    /// infinity). Every statistic of that value would be meaningless, so
    /// the run stops. The replication is the lowest one with such a value
    /// and the value the first of it in layout order, so the report is the
    /// same on any thread count.
    #[error("replication {replication}: {value} is {found}, not a finite number")]
    NonFinite {
        /// The replication.
        replication: u64,
        /// Which recorded value.
        value: RecordedValue,
        /// What was recorded: NaN, `inf` or `-inf`.
        found: f64,
    },
}

/// One value a model records per replication, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedValue {
    /// A series cell: an output of a zone (or group) in a year.
    Series {
        /// Output name.
        output: String,
        /// Zone or group name.
        zone: String,
        /// Calendar year.
        year: i32,
    },
    /// A per-replication scalar outcome.
    Scalar {
        /// Scalar name.
        name: String,
    },
}

impl RecordedValue {
    /// The value of `layout` at `cell` (series cells first, in
    /// [`Record::series`] order, then the scalars).
    fn of(layout: &OutputLayout, cell: usize) -> RecordedValue {
        let years = layout.years.len();
        let series_cells = layout.series.len() * years;
        if cell < series_cells {
            let s = &layout.series[cell / years];
            RecordedValue::Series {
                output: s.output.clone(),
                zone: s.zone.clone(),
                year: layout.years[cell % years],
            }
        } else {
            RecordedValue::Scalar {
                name: layout.scalars[cell - series_cells].clone(),
            }
        }
    }
}

impl std::fmt::Display for RecordedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordedValue::Series { output, zone, year } => {
                write!(f, "output `{output}` of zone `{zone}` in {year}")
            }
            RecordedValue::Scalar { name } => write!(f, "outcome `{name}`"),
        }
    }
}

/// The result of a run: one [`Summary`] per series cell and per scalar.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// What the model records.
    pub layout: OutputLayout,
    /// Replications summarised.
    pub replications: u64,
    /// The quantile levels of every `Summary::quantiles`, in order.
    pub quantile_levels: Vec<f64>,
    /// Series cells, `series[s * years + t]` as in [`Record::series`].
    pub series: Vec<Summary>,
    /// Scalars, in layout order (with `p_target` where a target was set).
    pub scalars: Vec<Summary>,
}

impl RunSummary {
    /// The summary of series `series` in year index `year`.
    pub fn series_cell(&self, series: usize, year: usize) -> &Summary {
        &self.series[series * self.layout.years.len() + year]
    }

    /// Index of quantile level `level` in [`RunSummary::quantile_levels`]
    /// (compared bit for bit).
    pub fn level_index(&self, level: f64) -> Option<usize> {
        self.quantile_levels
            .iter()
            .position(|l| l.to_bits() == level.to_bits())
    }

    /// The same summary with only the quantiles at `levels`, each of which
    /// must have been computed. Each quantile depends only on its own level,
    /// so this equals, bit for bit, a run asked for `levels` alone: a caller
    /// can compute extra levels (P5 and P95 for a comparison) without
    /// changing the tables of the levels a scenario asks for.
    pub fn at_levels(&self, levels: &[f64]) -> Option<RunSummary> {
        let picks: Vec<usize> = levels
            .iter()
            .map(|&l| self.level_index(l))
            .collect::<Option<_>>()?;
        let pick = |s: &Summary| Summary {
            quantiles: picks.iter().map(|&i| s.quantiles[i]).collect(),
            ..s.clone()
        };
        Some(RunSummary {
            layout: self.layout.clone(),
            replications: self.replications,
            quantile_levels: levels.to_vec(),
            series: self.series.iter().map(pick).collect(),
            scalars: self.scalars.iter().map(pick).collect(),
        })
    }
}

/// Number of chunks of a run of `replications`.
pub fn chunk_count(replications: u64) -> u64 {
    replications.div_ceil(CHUNK_SIZE as u64)
}

/// Run `model` for `options.replications` replications and summarise.
///
/// Equivalent to [`run_partial`] over every chunk, then
/// [`PartialRun::finish`].
pub fn run<M: Model>(
    model: &M,
    source: &dyn ParameterSource,
    options: &RunOptions,
    hooks: Hooks<'_>,
) -> Result<RunSummary, EngineError> {
    let chunks = chunk_count(options.replications);
    Ok(run_partial(model, source, options, 0..chunks, hooks)?.finish())
}

/// Accumulated statistics of a contiguous range of chunks of a run (for
/// sharding a run across processes or machines).
///
/// Partial runs of the same model and options over `a..b` and `b..c`
/// merge ([`PartialRun::merge`]) into exactly the statistics of `a..c`, bit
/// for bit; merged over `0..chunk_count(replications)` they finish into
/// exactly the [`RunSummary`] of [`run`].
#[derive(Debug, Clone, PartialEq)]
pub struct PartialRun {
    layout: OutputLayout,
    options: RunOptions,
    chunks: Range<u64>,
    replications: u64,
    series: Vec<CellStats>,
    scalars: Vec<CellStats>,
    target_hits: Vec<u64>,
}

impl PartialRun {
    /// The chunk indices covered.
    pub fn chunks(&self) -> Range<u64> {
        self.chunks.clone()
    }

    /// Replications covered.
    pub fn replications(&self) -> u64 {
        self.replications
    }

    /// Whether this covers every chunk of the run.
    pub fn is_complete(&self) -> bool {
        self.chunks == (0..chunk_count(self.options.replications))
    }

    /// Append `next`, which must cover the chunks right after this one's,
    /// of the same model and options.
    pub fn merge(&mut self, next: &PartialRun) -> Result<(), EngineError> {
        if next.chunks.start != self.chunks.end {
            return Err(EngineError::Merge(
                "the chunk ranges are not adjacent and in order",
            ));
        }
        if next.layout != self.layout {
            return Err(EngineError::Merge("the output layouts differ"));
        }
        let same_levels = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        };
        let same_targets = self.options.scalar_targets.len() == next.options.scalar_targets.len()
            && self
                .options
                .scalar_targets
                .iter()
                .zip(&next.options.scalar_targets)
                .all(|(a, b)| a.map(f64::to_bits) == b.map(f64::to_bits));
        if self.options.replications != next.options.replications
            || !same_levels(&self.options.quantiles, &next.options.quantiles)
            || !same_targets
        {
            return Err(EngineError::Merge("the run options differ"));
        }
        let same_shifts = |a: &[CellStats], b: &[CellStats]| {
            a.iter()
                .zip(b)
                .all(|(x, y)| x.moments.shift().to_bits() == y.moments.shift().to_bits())
        };
        if !same_shifts(&self.series, &next.series) || !same_shifts(&self.scalars, &next.scalars) {
            return Err(EngineError::Merge(
                "replication 0 differs: not the same model or scenario",
            ));
        }
        for (a, b) in self.series.iter_mut().zip(&next.series) {
            a.merge(b);
        }
        for (a, b) in self.scalars.iter_mut().zip(&next.scalars) {
            a.merge(b);
        }
        for (a, b) in self.target_hits.iter_mut().zip(&next.target_hits) {
            *a += b;
        }
        self.chunks.end = next.chunks.end;
        self.replications += next.replications;
        Ok(())
    }

    /// The options of the run this is part of (`threads` is not kept: it
    /// does not affect results, and reads back as 0).
    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// What the model records.
    pub fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    /// The binary form of this partial run, for writing a shard to a file:
    /// a magic number and format version, the layout, the options, the
    /// chunk range and every accumulator's exact state (floats as their raw
    /// bits), then a SHA-256 of everything before it. Reads back with
    /// [`PartialRun::from_bytes`] into a value equal in every bit, so merging
    /// decoded shards gives exactly the run. The format is versioned by
    /// [`PARTIAL_FORMAT_VERSION`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        e.raw(PARTIAL_MAGIC);
        e.u64(u64::from(PARTIAL_FORMAT_VERSION));
        let layout = &self.layout;
        e.len(layout.series.len());
        for s in &layout.series {
            e.str(&s.output);
            e.str(&s.zone);
        }
        e.len(layout.years.len());
        for &y in &layout.years {
            e.i64(i64::from(y));
        }
        for names in [&layout.scalars, &layout.inputs] {
            e.len(names.len());
            names.iter().for_each(|n| e.str(n));
        }
        e.u64(self.options.replications);
        e.f64s(&self.options.quantiles);
        e.len(self.options.scalar_targets.len());
        for t in &self.options.scalar_targets {
            e.bool(t.is_some());
            e.f64(t.unwrap_or(0.0));
        }
        e.u64(self.chunks.start);
        e.u64(self.chunks.end);
        e.u64(self.replications);
        for cells in [&self.series, &self.scalars] {
            e.len(cells.len());
            cells.iter().for_each(|c| c.encode(&mut e));
        }
        e.len(self.target_hits.len());
        self.target_hits.iter().for_each(|&h| e.u64(h));
        let digest = Sha256::digest(&e.bytes);
        e.raw(&digest);
        e.bytes
    }

    /// Read a partial run written by [`PartialRun::to_bytes`]. Fails, never
    /// panics, on anything else: another format or version, a checksum
    /// mismatch (a damaged file), or a state that breaks the accumulators'
    /// invariants.
    pub fn from_bytes(bytes: &[u8]) -> Result<PartialRun, EngineError> {
        decode_partial(bytes).map_err(|e| EngineError::Decode(e.0))
    }

    /// Summarise the replications covered (normally all of them: see
    /// [`PartialRun::is_complete`]).
    pub fn finish(self) -> RunSummary {
        let levels = &self.options.quantiles;
        let series = self.series.iter().map(|c| c.summarize(levels)).collect();
        let scalars = self
            .scalars
            .iter()
            .enumerate()
            .map(|(s, c)| {
                let mut summary = c.summarize(levels);
                if let Some(Some(_)) = self.options.scalar_targets.get(s) {
                    summary.p_target = Some(self.target_hits[s] as f64 / summary.n as f64);
                }
                summary
            })
            .collect();
        RunSummary {
            layout: self.layout,
            replications: self.replications,
            quantile_levels: self.options.quantiles,
            series,
            scalars,
        }
    }
}

/// The first bytes of [`PartialRun::to_bytes`].
const PARTIAL_MAGIC: &[u8; 8] = b"SEZPART\0";

/// Version of the binary form of [`PartialRun`]; bump it whenever the
/// encoding or an accumulator's state changes, so that old shard files are
/// refused rather than misread.
pub const PARTIAL_FORMAT_VERSION: u32 = 1;

fn decode_partial(bytes: &[u8]) -> Result<PartialRun, DecodeError> {
    if bytes.len() < PARTIAL_MAGIC.len() + 32 || !bytes.starts_with(PARTIAL_MAGIC) {
        return invalid("not a sezsim partial run");
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != digest {
        return invalid("checksum mismatch: the data is damaged or incomplete");
    }
    let mut d = Decoder::new(&body[PARTIAL_MAGIC.len()..]);
    let version = d.u64()?;
    if version != u64::from(PARTIAL_FORMAT_VERSION) {
        return invalid(format!(
            "format version {version}; this sezsim reads version {PARTIAL_FORMAT_VERSION}"
        ));
    }
    let mut layout = OutputLayout::default();
    for _ in 0..d.len(2)? {
        let output = d.str()?;
        let zone = d.str()?;
        layout.series.push(super::SeriesName { output, zone });
    }
    for _ in 0..d.len(1)? {
        let year = d.i64()?;
        layout
            .years
            .push(i32::try_from(year).or_else(|_| invalid("a year out of range"))?);
    }
    for names in [&mut layout.scalars, &mut layout.inputs] {
        for _ in 0..d.len(1)? {
            names.push(d.str()?);
        }
    }
    let replications = d.u64()?;
    let quantiles = d.f64s()?;
    let mut scalar_targets = Vec::new();
    for _ in 0..d.len(9)? {
        let set = d.bool()?;
        let value = d.f64()?;
        scalar_targets.push(set.then_some(value));
    }
    let options = RunOptions {
        replications,
        threads: 0,
        quantiles,
        scalar_targets,
    };
    let chunks = d.u64()?..d.u64()?;
    let covered = d.u64()?;
    let mut cells = [Vec::new(), Vec::new()];
    for list in &mut cells {
        for _ in 0..d.len(1)? {
            list.push(CellStats::decode(&mut d)?);
        }
    }
    let [series, scalars] = cells;
    let target_hits = (0..d.len(1)?)
        .map(|_| d.u64())
        .collect::<Result<Vec<u64>, _>>()?;
    d.finish()?;

    // The invariants `merge` and `finish` rely on.
    let dims = Dims::of(&layout);
    if validate(&options, &dims).is_err() {
        return invalid("invalid run options");
    }
    let total_chunks = chunk_count(replications);
    if chunks.start >= chunks.end || chunks.end > total_chunks {
        return invalid("the chunk range is empty or beyond the run");
    }
    let expected =
        (chunks.end * CHUNK_SIZE as u64).min(replications) - chunks.start * CHUNK_SIZE as u64;
    if covered != expected {
        return invalid("the replication count does not match the chunk range");
    }
    if series.len() != dims.cells
        || scalars.len() != dims.scalars
        || target_hits.len() != dims.scalars
    {
        return invalid("the statistics do not match the layout");
    }
    if series
        .iter()
        .chain(&scalars)
        .any(|c| c.moments.n() != covered)
        || target_hits.iter().any(|&h| h > covered)
    {
        return invalid("a cell's count does not match the replications covered");
    }
    Ok(PartialRun {
        layout,
        options,
        chunks,
        replications: covered,
        series,
        scalars,
        target_hits,
    })
}

/// Sizes of a model's record.
#[derive(Debug, Clone, Copy)]
struct Dims {
    cells: usize,
    scalars: usize,
    inputs: usize,
}

impl Dims {
    fn of(layout: &OutputLayout) -> Self {
        Dims {
            cells: layout.series.len() * layout.years.len(),
            scalars: layout.scalars.len(),
            inputs: layout.inputs.len(),
        }
    }

    fn record(&self) -> Record {
        Record {
            series: vec![0.0; self.cells],
            scalars: vec![0.0; self.scalars],
            inputs: vec![0.0; self.inputs],
        }
    }

    fn check(&self, record: &Record, replication: u64) -> Result<(), EngineError> {
        let parts = [
            ("series", self.cells, record.series.len()),
            ("scalar", self.scalars, record.scalars.len()),
            ("input", self.inputs, record.inputs.len()),
        ];
        for (part, expected, found) in parts {
            if expected != found {
                return Err(EngineError::RecordShape {
                    replication,
                    part,
                    expected,
                    found,
                });
            }
        }
        Ok(())
    }
}

fn validate(options: &RunOptions, dims: &Dims) -> Result<(), EngineError> {
    if options.replications == 0 {
        return Err(EngineError::NoReplications);
    }
    if options.replications > MAX_REPLICATIONS {
        return Err(EngineError::TooManyReplications {
            requested: options.replications,
            max: MAX_REPLICATIONS,
        });
    }
    if let Some(&q) = options.quantiles.iter().find(|q| !(0.0..=1.0).contains(*q)) {
        return Err(EngineError::InvalidQuantile(q));
    }
    let targets = options.scalar_targets.len();
    if targets != 0 && targets != dims.scalars {
        return Err(EngineError::TargetCount {
            expected: dims.scalars,
            found: targets,
        });
    }
    Ok(())
}

/// Run chunks `chunks` (indices into `0..chunk_count(options.replications)`)
/// and return their statistics, to be merged with the other chunk ranges'
/// by [`PartialRun::merge`]. Each replication's parameter values come from
/// `source`, which also names the inputs recorded. The hooks see this
/// range's replications only.
pub fn run_partial<M: Model>(
    model: &M,
    source: &dyn ParameterSource,
    options: &RunOptions,
    chunks: Range<u64>,
    mut hooks: Hooks<'_>,
) -> Result<PartialRun, EngineError> {
    let mut layout = model.layout().clone();
    layout.inputs = source.inputs().to_vec();
    let layout = &layout;
    let dims = Dims::of(layout);
    validate(options, &dims)?;
    let total_chunks = chunk_count(options.replications);
    if chunks.start >= chunks.end || chunks.end > total_chunks {
        return Err(EngineError::ChunkRange {
            start: chunks.start,
            end: chunks.end,
            chunks: total_chunks,
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()?;

    // Runs beyond the exact limit bucket from the first value, so chunks
    // carry 4-byte codes rather than values (half the memory traffic).
    let bucketed = options.replications > EXACT_QUANTILE_LIMIT as u64;
    // The pilot: replication 0 fixes every cell's shift.
    let mut record = dims.record();
    let mut values = vec![0.0; source.len()];
    source.worker().fill(0, &mut values, &mut record.inputs);
    model.run(0, &values, &mut model.workspace(), &mut record);
    dims.check(&record, 0)?;
    let mut partial = PartialRun {
        layout: layout.clone(),
        options: RunOptions {
            threads: 0,
            ..options.clone()
        },
        chunks: chunks.start..chunks.start,
        replications: 0,
        series: record
            .series
            .iter()
            .map(|&x| CellStats::new(x, bucketed))
            .collect(),
        scalars: record
            .scalars
            .iter()
            .map(|&x| CellStats::new(x, bucketed))
            .collect(),
        target_hits: vec![0; dims.scalars],
    };
    let targets: Vec<Option<f64>> = if options.scalar_targets.is_empty() {
        vec![None; dims.scalars]
    } else {
        options.scalar_targets.clone()
    };

    let keep_inputs = hooks.on_replication.is_some();
    let wave = (WAVE_CHUNKS_PER_THREAD * pool.current_num_threads())
        .min((chunks.end - chunks.start) as usize);
    let shifts: Vec<f64> = partial.series.iter().map(|c| c.moments.shift()).collect();
    let mut slots: Vec<ChunkSlot> = (0..wave)
        .map(|_| ChunkSlot::new(&dims, keep_inputs, bucketed))
        .collect();
    let mut scalars_scratch = vec![0.0; dims.scalars];

    let mut next = chunks.start;
    while next < chunks.end {
        let wave_end = (next + slots.len() as u64).min(chunks.end);
        let active = &mut slots[..(wave_end - next) as usize];
        for (i, slot) in active.iter_mut().enumerate() {
            slot.assign(next + i as u64, options.replications);
        }
        pool.install(|| {
            active
                .par_iter_mut()
                .with_max_len(1)
                .try_for_each(|slot| slot.simulate(model, source, &dims, &shifts))
        })?;
        let active = &*active;
        pool.install(|| partial.absorb_wave(active, &targets));
        // The merge has just counted NaN and infinite values; until now
        // every count was 0, since the first one stops the run.
        if partial.has_non_finite()
            && let Some(e) = first_non_finite(active, &dims, layout)
        {
            return Err(e);
        }
        for slot in active {
            if let Some(sink) = hooks.on_replication.as_mut() {
                for i in 0..slot.len {
                    for (s, x) in scalars_scratch.iter_mut().enumerate() {
                        *x = slot.scalar_col[s * VALUE_STRIDE + i];
                    }
                    sink(ReplicationValues {
                        replication: slot.first + i as u64,
                        scalars: &scalars_scratch,
                        inputs: &slot.input_rows[i * dims.inputs..(i + 1) * dims.inputs],
                    });
                }
            }
            partial.replications += slot.len as u64;
            partial.chunks.end = slot.index + 1;
            if let Some(progress) = hooks.on_progress.as_mut() {
                progress(partial.replications);
            }
        }
        next = wave_end;
    }
    Ok(partial)
}

impl PartialRun {
    /// Merge a wave of simulated chunks, in chunk order for every cell;
    /// cells in parallel (run inside the pool).
    fn absorb_wave(&mut self, slots: &[ChunkSlot], targets: &[Option<f64>]) {
        self.series
            .par_chunks_mut(MERGE_CELLS_PER_TASK)
            .enumerate()
            .for_each(|(task, cells)| {
                for (k, stats) in cells.iter_mut().enumerate() {
                    let cell = task * MERGE_CELLS_PER_TASK + k;
                    for slot in slots {
                        let sums = slot.sums.cell(cell, slot.len);
                        if slot.codes.is_empty() {
                            stats.absorb_values(&sums, slot.series_column(cell));
                        } else {
                            stats.absorb_codes(&sums, slot.code_column(cell));
                        }
                    }
                }
            });
        for (s, stats) in self.scalars.iter_mut().enumerate() {
            for slot in slots {
                let column = slot.scalar_column(s);
                stats.absorb_slice(column);
                if let Some(target) = targets[s] {
                    self.target_hits[s] += column.iter().filter(|&&x| x >= target).count() as u64;
                }
            }
        }
    }
}

impl PartialRun {
    /// Whether any value merged so far was NaN or infinite.
    fn has_non_finite(&self) -> bool {
        self.series
            .iter()
            .chain(&self.scalars)
            .any(|c| c.moments.non_finite() > 0)
    }
}

/// The error for the first value of `slots` (a wave in chunk order) that is
/// not finite: the lowest replication, then the first value in layout
/// order (series cells, then scalars); `None` if every value is finite.
/// Only called once a merge has counted one (from the same codes and
/// values), so its cost, a scan of the wave, does not matter.
fn first_non_finite(
    slots: &[ChunkSlot],
    dims: &Dims,
    layout: &OutputLayout,
) -> Option<EngineError> {
    for slot in slots {
        // (index in chunk, cell, value) of the best so far.
        let mut first: Option<(usize, usize, f64)> = None;
        let mut consider = |cell: usize, hit: Option<(usize, f64)>| {
            if let Some((i, x)) = hit
                && first.is_none_or(|(j, _, _)| i < j)
            {
                first = Some((i, cell, x));
            }
        };
        for cell in 0..dims.cells {
            let hit = if slot.codes.is_empty() {
                let column = slot.series_column(cell);
                column
                    .iter()
                    .position(|x| !x.is_finite())
                    .map(|i| (i, column[i]))
            } else {
                slot.code_column(cell)
                    .iter()
                    .enumerate()
                    .find_map(|(i, &code)| non_finite_of_code(code).map(|x| (i, x)))
            };
            consider(cell, hit);
        }
        for s in 0..dims.scalars {
            let column = slot.scalar_column(s);
            let hit = column
                .iter()
                .position(|x| !x.is_finite())
                .map(|i| (i, column[i]));
            consider(dims.cells + s, hit);
        }
        if let Some((i, cell, found)) = first {
            return Some(EngineError::NonFinite {
                replication: slot.first + i as u64,
                value: RecordedValue::of(layout, cell),
                found,
            });
        }
    }
    None
}

/// [`ChunkSums`] of every cell of a chunk, as arrays over cells, so that
/// adding a replication's row vectorises across cells. NaN and infinity
/// counts are not kept here: the merge counts them from the codes (or
/// values), off this hot loop.
struct RowSums {
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl RowSums {
    fn new(cells: usize) -> Self {
        RowSums {
            sum: vec![0.0; cells],
            sum_sq: vec![0.0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
        }
    }

    fn reset(&mut self) {
        self.sum.fill(0.0);
        self.sum_sq.fill(0.0);
        self.min.fill(f64::INFINITY);
        self.max.fill(f64::NEG_INFINITY);
    }

    /// [`ChunkSums::add`] for every cell: the same operations in the same
    /// order per cell, written branch-free so they vectorise: `x - x` is
    /// 0 exactly when `x` is finite, and a non-finite `x` adds a masked 0.
    fn add_row(&mut self, row: &[f64], shifts: &[f64]) {
        let n = row.len();
        let (sum, sum_sq) = (&mut self.sum[..n], &mut self.sum_sq[..n]);
        let (min, max) = (&mut self.min[..n], &mut self.max[..n]);
        let shifts = &shifts[..n];
        for c in 0..n {
            let x = row[c];
            // Deliberate: a float test vectorises where `is_finite` (a
            // 64-bit integer compare) does not on baseline x86-64.
            #[allow(clippy::eq_op)]
            let finite_mask = 0u64.wrapping_sub(u64::from(x - x == 0.0));
            let d = f64::from_bits((x - shifts[c]).to_bits() & finite_mask);
            sum[c] += d;
            sum_sq[c] += d * d;
            min[c] = if x < min[c] { x } else { min[c] };
            max[c] = if x > max[c] { x } else { max[c] };
        }
    }

    /// The cell's sums, with NaN and infinity counts left 0.
    fn cell(&self, cell: usize, n: usize) -> ChunkSums {
        ChunkSums {
            n: n as u64,
            sum: self.sum[cell],
            sum_sq: self.sum_sq[cell],
            min: self.min[cell],
            max: self.max[cell],
            nan: 0,
            infinite: 0,
        }
    }
}

/// Buffers of one chunk being simulated, reused across waves.
struct ChunkSlot {
    index: u64,
    first: u64,
    len: usize,
    /// Per-cell sums of the chunk.
    sums: RowSums,
    /// `codes[cell * CODE_STRIDE + i]`: bucket codes, column-major so each
    /// cell's codes are one contiguous slice for the merge. Empty for runs
    /// within the exact limit.
    codes: Vec<u32>,
    /// `series_col[cell * VALUE_STRIDE + i]`: values, only for runs within
    /// the exact limit (else empty).
    series_col: Vec<f64>,
    /// `scalar_col[s * VALUE_STRIDE + i]`.
    scalar_col: Vec<f64>,
    /// `input_rows[i * inputs + k]`; empty without a sink.
    input_rows: Vec<f64>,
    /// Row-major bucket codes of up to [`TRANSPOSE_BLOCK`] replications
    /// (empty for runs within the exact limit).
    code_block: Vec<u32>,
    /// Row-major series of up to [`TRANSPOSE_BLOCK`] replications (only
    /// for runs within the exact limit).
    value_block: Vec<f64>,
    keep_inputs: bool,
}

impl ChunkSlot {
    fn new(dims: &Dims, keep_inputs: bool, bucketed: bool) -> Self {
        let block = dims.cells * TRANSPOSE_BLOCK;
        let (codes, code_block, series_col, value_block) = if bucketed {
            (
                vec![0; dims.cells * CODE_STRIDE],
                vec![0; block],
                Vec::new(),
                Vec::new(),
            )
        } else {
            (
                Vec::new(),
                Vec::new(),
                vec![0.0; dims.cells * VALUE_STRIDE],
                vec![0.0; block],
            )
        };
        ChunkSlot {
            index: 0,
            first: 0,
            len: 0,
            sums: RowSums::new(dims.cells),
            codes,
            series_col,
            scalar_col: vec![0.0; dims.scalars * VALUE_STRIDE],
            input_rows: if keep_inputs {
                vec![0.0; dims.inputs * CHUNK_SIZE]
            } else {
                Vec::new()
            },
            code_block,
            value_block,
            keep_inputs,
        }
    }

    fn assign(&mut self, index: u64, replications: u64) {
        self.index = index;
        self.first = index * CHUNK_SIZE as u64;
        self.len = (replications - self.first).min(CHUNK_SIZE as u64) as usize;
    }

    fn series_column(&self, cell: usize) -> &[f64] {
        &self.series_col[cell * VALUE_STRIDE..cell * VALUE_STRIDE + self.len]
    }

    fn code_column(&self, cell: usize) -> &[u32] {
        &self.codes[cell * CODE_STRIDE..cell * CODE_STRIDE + self.len]
    }

    fn scalar_column(&self, scalar: usize) -> &[f64] {
        &self.scalar_col[scalar * VALUE_STRIDE..scalar * VALUE_STRIDE + self.len]
    }

    /// Run this chunk's replications into the buffers.
    fn simulate<M: Model>(
        &mut self,
        model: &M,
        source: &dyn ParameterSource,
        dims: &Dims,
        shifts: &[f64],
    ) -> Result<(), EngineError> {
        let mut workspace = model.workspace();
        let mut parameters = source.worker();
        let mut values = vec![0.0; source.len()];
        let mut record = dims.record();
        let cells = dims.cells;
        self.sums.reset();
        for block_start in (0..self.len).step_by(TRANSPOSE_BLOCK) {
            let block_len = TRANSPOSE_BLOCK.min(self.len - block_start);
            for b in 0..block_len {
                let i = block_start + b;
                let replication = self.first + i as u64;
                parameters.fill(replication, &mut values, &mut record.inputs);
                model.run(replication, &values, &mut workspace, &mut record);
                dims.check(&record, replication)?;
                self.sums.add_row(&record.series, shifts);
                if self.codes.is_empty() {
                    self.value_block[b * cells..(b + 1) * cells].copy_from_slice(&record.series);
                } else {
                    bucket_codes(&record.series, &mut self.code_block[b * cells..]);
                }
                for (s, &x) in record.scalars.iter().enumerate() {
                    self.scalar_col[s * VALUE_STRIDE + i] = x;
                }
                if self.keep_inputs {
                    self.input_rows[i * dims.inputs..(i + 1) * dims.inputs]
                        .copy_from_slice(&record.inputs);
                }
            }
            if cells == 0 {
                continue;
            }
            if self.codes.is_empty() {
                transpose_block(
                    &self.value_block[..block_len * cells],
                    cells,
                    &mut self.series_col[block_start..],
                    VALUE_STRIDE,
                );
            } else {
                transpose_block(
                    &self.code_block[..block_len * cells],
                    cells,
                    &mut self.codes[block_start..],
                    CODE_STRIDE,
                );
            }
        }
        Ok(())
    }
}

/// Write the rows of `block` (each `cells` values) into columns of stride
/// `stride` starting at `columns[0]`.
fn transpose_block<T: Copy>(block: &[T], cells: usize, columns: &mut [T], stride: usize) {
    let rows = block.len() / cells;
    for (cell, column) in columns.chunks_mut(stride).take(cells).enumerate() {
        // Iterators rather than indices: no bounds check per value.
        let values = block[cell..].iter().step_by(cells);
        for (x, &value) in column[..rows].iter_mut().zip(values) {
            *x = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SeriesName;
    use crate::engine::SourceWorker;
    use crate::engine::stats::Moments;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The toy's two parameters, growth and shock, drawn from a stream of
    /// the replication's own, and recorded as inputs. The models that take
    /// no parameters ignore them.
    struct ToyInputs;

    static TOY_INPUTS: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| vec!["growth".into(), "shock".into()]);

    impl ParameterSource for ToyInputs {
        fn len(&self) -> usize {
            2
        }
        fn inputs(&self) -> &[String] {
            &TOY_INPUTS
        }
        fn worker(&self) -> Box<dyn SourceWorker + '_> {
            Box::new(ToyInputs)
        }
    }

    impl SourceWorker for ToyInputs {
        fn fill(&mut self, replication: u64, values: &mut [f64], inputs: &mut [f64]) {
            let mut rng = ChaCha8Rng::seed_from_u64(replication ^ 0xA11CE);
            values[0] = rng.random_range(0.0..0.1);
            values[1] = rng.random_range(-1.0..1.0);
            inputs.copy_from_slice(values);
        }
    }

    /// The engine's entry points, with the toy's parameter source.
    fn run<M: Model>(
        model: &M,
        options: &RunOptions,
        hooks: Hooks<'_>,
    ) -> Result<RunSummary, EngineError> {
        super::run(model, &ToyInputs, options, hooks)
    }

    fn run_partial<M: Model>(
        model: &M,
        options: &RunOptions,
        chunks: Range<u64>,
        hooks: Hooks<'_>,
    ) -> Result<PartialRun, EngineError> {
        super::run_partial(model, &ToyInputs, options, chunks, hooks)
    }

    /// A small model: lognormal-ish series with a trend, three scalars
    /// (a sum, a ratio, a count of zeros), two inputs. Seeded by the
    /// replication index.
    struct Toy {
        layout: OutputLayout,
    }

    impl Toy {
        fn new(series: usize, years: usize) -> Self {
            Toy {
                layout: OutputLayout {
                    series: (0..series)
                        .map(|s| SeriesName {
                            output: format!("out{s}"),
                            zone: format!("zone{}", s % 2),
                        })
                        .collect(),
                    years: (0..years as i32).map(|t| 2025 + t).collect(),
                    scalars: vec!["total".into(), "ratio".into(), "signed".into()],
                    ..OutputLayout::default()
                },
            }
        }
    }

    impl Model for Toy {
        type Workspace = Vec<f64>;
        fn layout(&self) -> &OutputLayout {
            &self.layout
        }
        fn workspace(&self) -> Vec<f64> {
            vec![0.0; self.layout.years.len()]
        }
        fn run(&self, replication: u64, p: &[f64], path: &mut Vec<f64>, record: &mut Record) {
            let mut rng = ChaCha8Rng::seed_from_u64(replication);
            let (growth, shock) = (p[0], p[1]);
            let years = self.layout.years.len();
            let mut total = 0.0;
            for s in 0..self.layout.series.len() {
                let mut level = 100.0 * (s + 1) as f64;
                for (t, x) in path.iter_mut().enumerate() {
                    let noise: f64 = rng.random_range(-0.2..0.2);
                    level *= 1.0 + growth + noise;
                    *x = if s == 0 && t == 0 { 0.0 } else { level };
                }
                record.series[s * years..(s + 1) * years].copy_from_slice(path);
                total += path[years - 1];
            }
            record.scalars[0] = total;
            record.scalars[1] = record.series[years - 1] / (1.0 + total);
            record.scalars[2] = shock * total;
        }
    }

    /// y = sum of 12 uniforms on (0, 1): mean 6, variance 1.
    struct SumOfUniforms {
        layout: OutputLayout,
    }

    impl Model for SumOfUniforms {
        type Workspace = ();
        fn layout(&self) -> &OutputLayout {
            &self.layout
        }
        fn workspace(&self) {}
        fn run(&self, replication: u64, _: &[f64], _: &mut (), record: &mut Record) {
            let mut rng = ChaCha8Rng::seed_from_u64(replication ^ 0x5EED);
            record.scalars[0] = (0..12).map(|_| rng.random::<f64>()).sum();
        }
    }

    fn options(replications: u64, threads: usize) -> RunOptions {
        RunOptions {
            replications,
            threads,
            quantiles: vec![0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0],
            scalar_targets: vec![Some(800.0), None, Some(0.0)],
        }
    }

    fn bits(summary: &RunSummary) -> Vec<u64> {
        let mut out = vec![summary.replications];
        for s in summary.series.iter().chain(&summary.scalars) {
            out.push(s.n);
            for x in [
                s.mean,
                s.sd,
                s.mcse,
                s.min,
                s.max,
                s.p_target.unwrap_or(-1.0),
            ] {
                out.push(x.to_bits());
            }
            out.extend(s.quantiles.iter().map(|x| x.to_bits()));
        }
        out
    }

    /// Not a multiple of the chunk size, and beyond the sketch's exact
    /// limit (so quantiles are bucketed).
    const N: u64 = EXACT_QUANTILE_LIMIT as u64 + 2 * CHUNK_SIZE as u64 + 123;

    #[test]
    fn bit_identical_for_any_thread_count() {
        let model = Toy::new(5, 4);
        let one = run(&model, &options(N, 1), Hooks::default()).unwrap();
        for threads in [2, 7] {
            let other = run(&model, &options(N, threads), Hooks::default()).unwrap();
            assert_eq!(bits(&one), bits(&other), "threads = {threads}");
        }
        assert_eq!(one.replications, N);
        assert_ne!(N % CHUNK_SIZE as u64, 0);
        assert_eq!(one.series.len(), 20);
    }

    /// Every replication's record, computed directly.
    fn records(model: &Toy, n: u64) -> Vec<Record> {
        (0..n)
            .map(|r| crate::engine::RunnableModel::run_one(model, &ToyInputs, r))
            .collect()
    }

    fn rel(a: f64, b: f64) -> f64 {
        if a == b {
            0.0
        } else {
            (a - b).abs() / a.abs().max(b.abs())
        }
    }

    #[test]
    fn moments_and_targets_match_direct_computation() {
        let model = Toy::new(3, 5);
        let summary = run(&model, &options(N, 2), Hooks::default()).unwrap();
        let recs = records(&model, N);
        let check = |values: Vec<f64>, s: &Summary| {
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(s.n, N);
            assert!(rel(s.mean, mean) < 1e-12, "mean {} vs {}", s.mean, mean);
            assert!(
                rel(s.sd, var.sqrt()) < 1e-12,
                "sd {} vs {}",
                s.sd,
                var.sqrt()
            );
            assert!(rel(s.mcse, var.sqrt() / n.sqrt()) < 1e-12);
            assert_eq!((s.min, s.max), (min, max));
        };
        for (c, s) in summary.series.iter().enumerate() {
            check(recs.iter().map(|r| r.series[c]).collect(), s);
        }
        for (k, s) in summary.scalars.iter().enumerate() {
            check(recs.iter().map(|r| r.scalars[k]).collect(), s);
        }
        // p_target: exact share with value >= target.
        for (k, target) in [(0, 800.0), (2, 0.0)] {
            let hits = recs.iter().filter(|r| r.scalars[k] >= target).count();
            assert_eq!(summary.scalars[k].p_target, Some(hits as f64 / N as f64));
            assert!(hits > 0 && hits < N as usize, "a target that discriminates");
        }
        assert_eq!(summary.scalars[1].p_target, None);
        // The first cell is 0 in every replication.
        let zero = summary.series_cell(0, 0);
        assert_eq!((zero.mean, zero.sd), (0.0, 0.0));
        assert!(zero.quantiles.iter().all(|&q| q == 0.0));
    }

    #[test]
    fn quantiles_are_exact_for_small_runs_and_single_replications() {
        let model = Toy::new(2, 3);
        let n = 777;
        let summary = run(&model, &options(n, 2), Hooks::default()).unwrap();
        let recs = records(&model, n);
        for (c, s) in summary.series.iter().enumerate() {
            let mut v: Vec<f64> = recs.iter().map(|r| r.series[c]).collect();
            v.sort_unstable_by(f64::total_cmp);
            for (&q, &est) in summary.quantile_levels.iter().zip(&s.quantiles) {
                let h = q * (n - 1) as f64;
                let lo = h.floor() as usize;
                let hi = (lo + 1).min(v.len() - 1);
                let exact = v[lo] + (h - lo as f64) * (v[hi] - v[lo]);
                assert!(rel(est, exact) < 1e-15, "q={q} {est} {exact}");
            }
        }
        let one = run(&model, &options(1, 3), Hooks::default()).unwrap();
        let rec = &recs[0];
        for (c, s) in one.series.iter().enumerate() {
            assert_eq!(s.n, 1);
            assert_eq!(
                (s.mean, s.sd, s.mcse, s.min, s.max),
                (rec.series[c], 0.0, 0.0, rec.series[c], rec.series[c])
            );
            assert!(s.quantiles.iter().all(|&q| q == rec.series[c]));
        }
    }

    #[test]
    fn partial_runs_merge_into_the_whole_run_bit_for_bit() {
        let model = Toy::new(4, 3);
        let opts = options(N, 2);
        let whole = run(&model, &opts, Hooks::default()).unwrap();
        let chunks = chunk_count(N);
        assert!(chunks >= 4);
        // Two shards, run with different thread counts.
        let mut first = run_partial(&model, &options(N, 1), 0..1, Hooks::default()).unwrap();
        let second = run_partial(&model, &options(N, 3), 1..chunks, Hooks::default()).unwrap();
        assert!(!first.is_complete());
        first.merge(&second).unwrap();
        assert!(first.is_complete());
        assert_eq!(bits(&first.finish()), bits(&whole));
        // Three shards, merged left to right.
        let parts: Vec<PartialRun> = [0..2, 2..3, 3..chunks]
            .into_iter()
            .map(|r| run_partial(&model, &opts, r, Hooks::default()).unwrap())
            .collect();
        let mut merged = parts[0].clone();
        merged.merge(&parts[1]).unwrap();
        merged.merge(&parts[2]).unwrap();
        assert_eq!(merged.replications(), N);
        assert_eq!(bits(&merged.finish()), bits(&whole));
        // Out of order or foreign partial runs are refused.
        let mut p = parts[0].clone();
        assert!(matches!(p.merge(&parts[2]), Err(EngineError::Merge(_))));
        let other =
            run_partial(&Toy::new(4, 3), &options(N + 1, 1), 2..3, Hooks::default()).unwrap();
        assert!(matches!(p.merge(&other), Err(EngineError::Merge(_))));
    }

    #[test]
    fn partial_runs_round_trip_through_bytes_exactly() {
        let model = Toy::new(3, 4);
        // Bucketed (beyond the exact limit) and exact-mode sketches.
        for n in [N, 700] {
            let opts = options(n, 2);
            let whole = run(&model, &opts, Hooks::default()).unwrap();
            let chunks = chunk_count(n);
            let parts: Vec<PartialRun> = [0..1, 1..chunks]
                .into_iter()
                .map(|r| run_partial(&model, &opts, r, Hooks::default()).unwrap())
                .collect();
            let decoded: Vec<PartialRun> = parts
                .iter()
                .map(|p| PartialRun::from_bytes(&p.to_bytes()).unwrap())
                .collect();
            for (p, d) in parts.iter().zip(&decoded) {
                assert_eq!(p.to_bytes(), d.to_bytes());
                assert_eq!(d.options().threads, 0);
                assert_eq!(p.layout(), d.layout());
            }
            let mut merged = decoded[0].clone();
            merged.merge(&decoded[1]).unwrap();
            assert_eq!(bits(&merged.finish()), bits(&whole), "n = {n}");
        }
    }

    #[test]
    fn extra_quantile_levels_leave_the_others_unchanged() {
        let model = Toy::new(2, 3);
        let mut fewer = options(N, 2);
        fewer.quantiles = vec![0.1, 0.9];
        let mut more = options(N, 2);
        more.quantiles = vec![0.05, 0.1, 0.5, 0.9, 0.95];
        let a = run(&model, &fewer, Hooks::default()).unwrap();
        let b = run(&model, &more, Hooks::default()).unwrap();
        assert_eq!(bits(&a), bits(&b.at_levels(&[0.1, 0.9]).unwrap()));
        assert!(b.at_levels(&[0.2]).is_none());
        assert_eq!(b.level_index(0.5), Some(2));
    }

    #[test]
    fn damaged_partial_bytes_are_refused() {
        let model = Toy::new(2, 2);
        let p = run_partial(&model, &options(600, 1), 0..2, Hooks::default()).unwrap();
        let bytes = p.to_bytes();
        let decode_err =
            |b: &[u8]| matches!(PartialRun::from_bytes(b), Err(EngineError::Decode(_)));
        assert!(decode_err(&bytes[..bytes.len() - 1]), "truncated");
        assert!(decode_err(
            b"not a partial run at all, just some text......"
        ));
        let mut flipped = bytes.clone();
        flipped[40] ^= 1;
        assert!(decode_err(&flipped), "checksum");
        // A consistent checksum over an inconsistent state: counts that do
        // not add up are refused by validation, not trusted.
        let mut tampered = p.clone();
        tampered.replications += 1;
        assert!(decode_err(&tampered.to_bytes()));
        let mut tampered = p.clone();
        tampered.scalars[0].moments = Moments::new(1.0);
        assert!(decode_err(&tampered.to_bytes()));
    }

    #[test]
    fn sink_sees_every_replication_once_in_order() {
        let model = Toy::new(2, 2);
        let n = 2 * CHUNK_SIZE as u64 + 5 * 1024 + 17;
        let mut seen = Vec::new();
        let mut sink = |r: ReplicationValues<'_>| {
            assert_eq!(r.scalars.len(), 3);
            assert_eq!(r.inputs.len(), 2);
            seen.push((r.replication, r.scalars[0], r.inputs[1]));
        };
        let mut progress = Vec::new();
        let mut on_progress = |done: u64| progress.push(done);
        let hooks = Hooks {
            on_replication: Some(&mut sink),
            on_progress: Some(&mut on_progress),
        };
        run(&model, &options(n, 2), hooks).unwrap();
        assert_eq!(seen.len() as u64, n);
        let recs = records(&model, n);
        for (i, &(r, total, shock)) in seen.iter().enumerate() {
            assert_eq!(r, i as u64);
            assert_eq!((total, shock), (recs[i].scalars[0], recs[i].inputs[1]));
        }
        let expected: Vec<u64> = (1..=chunk_count(n))
            .map(|c| (c * CHUNK_SIZE as u64).min(n))
            .collect();
        assert_eq!(progress, expected);
    }

    #[test]
    fn monte_carlo_sum_of_uniforms() {
        let model = SumOfUniforms {
            layout: OutputLayout {
                scalars: vec!["y".into()],
                ..OutputLayout::default()
            },
        };
        let n = 100_000;
        let summary = run(&model, &RunOptions::new(n, 2), Hooks::default()).unwrap();
        let y = &summary.scalars[0];
        // Mean 6, variance 12/12 = 1. SE of the mean: 1/sqrt(n) = 0.0032.
        // SE of the sample variance: sqrt((mu4 - sigma^4) / n) with
        // mu4 = (3 - 1.2/12) sigma^4 = 2.9: sqrt(1.9 / n) = 0.0044.
        let se_mean = 1.0 / (n as f64).sqrt();
        let se_var = (1.9 / n as f64).sqrt();
        assert!((y.mean - 6.0).abs() < 4.0 * se_mean, "mean {}", y.mean);
        assert!(
            (y.sd * y.sd - 1.0).abs() < 4.0 * se_var,
            "var {}",
            y.sd * y.sd
        );
        assert!((y.mcse - se_mean).abs() < 0.01 * se_mean);
        // Median 6 by symmetry; its SE is about 1.25 / sqrt(n).
        assert!(
            (y.quantiles[2] - 6.0).abs()
                < 4.0 * 1.26 * se_mean + 6.0 * crate::engine::stats::SKETCH_RELATIVE_ACCURACY
        );
        assert!(summary.series.is_empty());
    }

    struct Misshapen;
    impl Model for Misshapen {
        type Workspace = ();
        fn layout(&self) -> &OutputLayout {
            static LAYOUT: std::sync::OnceLock<OutputLayout> = std::sync::OnceLock::new();
            LAYOUT.get_or_init(|| OutputLayout {
                scalars: vec!["a".into()],
                ..OutputLayout::default()
            })
        }
        fn workspace(&self) {}
        fn run(&self, replication: u64, _: &[f64], _: &mut (), record: &mut Record) {
            if replication == 1500 {
                record.scalars.push(1.0);
            }
        }
    }

    #[test]
    fn invalid_runs_are_errors() {
        let model = Toy::new(1, 1);
        let err = |o: RunOptions| run(&model, &o, Hooks::default()).unwrap_err();
        assert!(matches!(err(options(0, 1)), EngineError::NoReplications));
        assert!(matches!(
            err(options(MAX_REPLICATIONS + 1, 1)),
            EngineError::TooManyReplications { .. }
        ));
        let mut o = options(10, 1);
        o.quantiles.push(f64::NAN);
        assert!(matches!(err(o), EngineError::InvalidQuantile(_)));
        let mut o = options(10, 1);
        o.scalar_targets.pop();
        assert!(matches!(
            err(o),
            EngineError::TargetCount {
                expected: 3,
                found: 2
            }
        ));
        assert!(matches!(
            run_partial(&model, &options(10, 1), 1..2, Hooks::default()),
            Err(EngineError::ChunkRange { .. })
        ));
        let e = run(&Misshapen, &RunOptions::new(3000, 2), Hooks::default()).unwrap_err();
        assert!(
            matches!(
                e,
                EngineError::RecordShape {
                    replication: 1500,
                    part: "scalar",
                    ..
                }
            ),
            "{e}"
        );
    }

    /// A [`Toy`] that records `value` in replications `bad` (at
    /// `cell`: a series cell, or with `cell >= cells` scalar `cell - cells`).
    struct Poisoned {
        toy: Toy,
        bad: Vec<u64>,
        cells: Vec<usize>,
        value: f64,
    }

    impl Model for Poisoned {
        type Workspace = Vec<f64>;
        fn layout(&self) -> &OutputLayout {
            self.toy.layout()
        }
        fn workspace(&self) -> Vec<f64> {
            self.toy.workspace()
        }
        fn run(&self, replication: u64, p: &[f64], ws: &mut Vec<f64>, record: &mut Record) {
            self.toy.run(replication, p, ws, record);
            if self.bad.contains(&replication) {
                let series = record.series.len();
                for &cell in &self.cells {
                    if cell < series {
                        record.series[cell] = self.value;
                    } else {
                        record.scalars[cell - series] = self.value;
                    }
                }
            }
        }
    }

    #[test]
    fn a_non_finite_value_stops_the_run_naming_the_first_one() {
        // Toy::new(5, 4): 20 series cells (output s, year t at s * 4 + t).
        let cases = [
            // Two bad replications in different chunks: the lower one is
            // named, whatever thread finishes first; in it, the first
            // value in layout order (series cell 6 = out1 in 2027).
            (vec![1500, 700], vec![13, 6], f64::NAN, N, 700, "out1", 2027),
            // Beyond the exact limit the merge sees codes, within it values.
            (vec![300], vec![19], f64::INFINITY, 600, 300, "out4", 2028),
            (vec![5], vec![0], f64::NEG_INFINITY, N, 5, "out0", 2025),
        ];
        for (bad, cells, value, n, replication, output, year) in cases {
            let model = Poisoned {
                toy: Toy::new(5, 4),
                bad,
                cells,
                value,
            };
            for threads in [1, 2, 7] {
                let e = run(&model, &options(n, threads), Hooks::default()).unwrap_err();
                let EngineError::NonFinite {
                    replication: r,
                    value:
                        RecordedValue::Series {
                            output: o,
                            zone,
                            year: y,
                        },
                    found,
                } = &e
                else {
                    panic!("{e}");
                };
                assert_eq!(
                    (*r, o.as_str(), *y),
                    (replication, output, year),
                    "threads = {threads}: {e}"
                );
                assert_eq!(
                    zone,
                    &format!("zone{}", o[3..].parse::<usize>().unwrap() % 2)
                );
                assert_eq!(found.to_bits(), value.to_bits());
            }
        }
        // A scalar: series cells come first, so it is named only alone.
        let model = Poisoned {
            toy: Toy::new(5, 4),
            bad: vec![42],
            cells: vec![20 + 1],
            value: f64::NAN,
        };
        let e = run(&model, &options(100, 2), Hooks::default()).unwrap_err();
        assert!(
            matches!(
                &e,
                EngineError::NonFinite { replication: 42, value: RecordedValue::Scalar { name }, .. }
                    if name == "ratio"
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "replication 42: outcome `ratio` is NaN, not a finite number"
        );
    }

    #[test]
    fn the_sink_never_sees_a_replication_of_a_failed_wave() {
        let model = Poisoned {
            toy: Toy::new(2, 3),
            bad: vec![3 * CHUNK_SIZE as u64 + 10],
            cells: vec![0],
            value: f64::NAN,
        };
        let mut seen = 0u64;
        let mut sink = |_: ReplicationValues<'_>| seen += 1;
        let hooks = Hooks {
            on_replication: Some(&mut sink),
            on_progress: None,
        };
        let e = run(&model, &RunOptions::new(10 * CHUNK_SIZE as u64, 1), hooks).unwrap_err();
        assert!(matches!(e, EngineError::NonFinite { .. }), "{e}");
        // One thread: waves of two chunks; the bad replication is in chunk
        // 3, so chunks 0 and 1 reached the sink and no later one.
        assert_eq!(seen, 2 * CHUNK_SIZE as u64);
    }
}

//! Results of a run: the [`RunSummary`] of a whole run, and the
//! [`PartialRun`] of a range of its chunks (a shard), which merges exactly
//! with its neighbours and has a versioned binary form (written with the
//! primitives of `super::codec`).

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::codec::{DecodeError, Decoder, Encoder, invalid};
use super::options::{Dims, validate};
use super::stats::{CellStats, Summary};
use super::{CHUNK_SIZE, EngineError, OutputLayout, RunOptions, chunk_count};
#[cfg(doc)]
use super::{Record, run};

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
    /// must have been computed ([`EngineError::MissingQuantileLevels`]
    /// otherwise). Each quantile depends only on its own level, so this
    /// equals, bit for bit, a run asked for `levels` alone: a caller can
    /// compute extra levels (P5 and P95 for a comparison) without changing
    /// the tables of the levels a scenario asks for.
    pub fn at_levels(&self, levels: &[f64]) -> Result<RunSummary, EngineError> {
        let picks: Vec<usize> = levels
            .iter()
            .map(|&l| self.level_index(l))
            .collect::<Option<_>>()
            .ok_or(EngineError::MissingQuantileLevels)?;
        let pick = |s: &Summary| Summary {
            quantiles: picks.iter().map(|&i| s.quantiles[i]).collect(),
            quantile_intervals: picks.iter().map(|&i| s.quantile_intervals[i]).collect(),
            ..s.clone()
        };
        Ok(RunSummary {
            layout: self.layout.clone(),
            replications: self.replications,
            quantile_levels: levels.to_vec(),
            series: self.series.iter().map(pick).collect(),
            scalars: self.scalars.iter().map(pick).collect(),
        })
    }
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
    pub(super) layout: OutputLayout,
    pub(super) options: RunOptions,
    pub(super) chunks: Range<u64>,
    pub(super) replications: u64,
    pub(super) series: Vec<CellStats>,
    pub(super) scalars: Vec<CellStats>,
    pub(super) target_hits: Vec<u64>,
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

    /// This partial run, which starts at chunk 0, as the whole run of the
    /// replications it holds: exactly the statistics `run` gives when asked
    /// for that many (a run that stops early, as `run --precision` does).
    /// `None` unless it is complete, or holds whole chunks only and its
    /// sketches are in the mode a run of that size uses (bucketed from the
    /// first value above the exact limit).
    pub fn into_prefix_run(mut self) -> Option<PartialRun> {
        let exact_limit = super::stats::EXACT_QUANTILE_LIMIT as u64;
        let whole_chunks = self.replications.is_multiple_of(super::CHUNK_SIZE as u64)
            && (self.replications > exact_limit) == (self.options.replications > exact_limit);
        if self.chunks.start != 0 || self.replications == 0 || !(self.is_complete() || whole_chunks)
        {
            return None;
        }
        self.options.replications = self.replications;
        Some(self)
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

    /// Summarise a partial run that covers the whole run (the merge of
    /// every shard); [`EngineError::Incomplete`] when chunks are missing.
    pub fn finish_whole(self) -> Result<RunSummary, EngineError> {
        if !self.is_complete() {
            return Err(EngineError::Incomplete);
        }
        Ok(self.finish())
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
        keep_series: None,
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

#[cfg(test)]
mod tests {
    use super::super::Hooks;
    use super::super::toy::{N, Toy, bits, options, run, run_partial};

    use super::*;
    use crate::engine::stats::Moments;

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
        assert!(matches!(
            b.at_levels(&[0.2]),
            Err(EngineError::MissingQuantileLevels)
        ));
        assert_eq!(b.level_index(0.5), Some(2));
    }

    /// A merge that lacks a piece is an error, not the summary of part of
    /// the run.
    #[test]
    fn only_a_whole_run_finishes_whole() {
        let model = Toy::new(2, 2);
        let first = run_partial(&model, &options(600, 1), 0..2, Hooks::default()).unwrap();
        let last = run_partial(&model, &options(600, 1), 2..3, Hooks::default()).unwrap();
        assert!(matches!(
            first.clone().finish_whole(),
            Err(EngineError::Incomplete)
        ));
        let mut whole = first;
        whole.merge(&last).unwrap();
        let expected = bits(&whole.clone().finish());
        assert_eq!(bits(&whole.finish_whole().unwrap()), expected);
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
}

//! The runner: replications simulated in chunks, waves of chunks run in
//! parallel, their statistics merged in chunk order, and the hooks called
//! in replication order. How a run proceeds, and why its result does not
//! depend on the thread count, is told in the engine's module docs.

use std::ops::Range;

use rayon::prelude::*;

use super::options::{Dims, kept_layout, validate, validate_cells};
use super::stats::{CellStats, ChunkSums, EXACT_QUANTILE_LIMIT, bucket_codes, non_finite_of_code};
use super::{
    CHUNK_SIZE, EngineError, Hooks, Model, OutputLayout, ParameterSource, PartialRun,
    RecordedValue, ReplicationValues, RunOptions, RunSummary, chunk_count,
};

/// Distance between two cells' columns in a chunk buffer of `f64` values
/// (`u32` codes): a chunk plus one cache line, because a power-of-two
/// stride maps every column start to the same cache sets and the
/// transposing writes then thrash.
const VALUE_STRIDE: usize = CHUNK_SIZE + 8;
const CODE_STRIDE: usize = CHUNK_SIZE + 16;

/// Chunks per thread in a wave: each wave ends at a barrier where the
/// chunks are merged into the cells, so more chunks a wave mean fewer
/// barriers and more values merged per visit to a cell; eight measured
/// about 10% faster than two, for about 5 MB more buffers.
const WAVE_CHUNKS_PER_THREAD: usize = 8;
/// Replications transposed together: 64 write whole cache lines of every
/// column while the row-major block (64 x cells x 8 bytes) stays in L2.
const TRANSPOSE_BLOCK: usize = 64;
/// Cells per parallel merge task.
const MERGE_CELLS_PER_TASK: usize = 16;

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

/// Run chunks `chunks` (indices into `0..chunk_count(options.replications)`)
/// and return their statistics, to be merged with the other chunk ranges'
/// by [`PartialRun::merge`]. The hooks see this range's replications only.
pub fn run_partial<M: Model>(
    model: &M,
    source: &dyn ParameterSource,
    options: &RunOptions,
    chunks: Range<u64>,
    mut hooks: Hooks<'_>,
) -> Result<PartialRun, EngineError> {
    let keep = options.keep_series.as_deref();
    let mut layout = kept_layout(model.layout(), keep)?;
    layout.inputs = source.inputs().to_vec();
    let layout = &layout;
    // `dims` sizes what is summarised, `recorded` what the model writes.
    let dims = Dims::of(layout);
    let years = layout.years.len();
    let recorded = dims.with_series(model.layout().series.len(), years);
    let gather = Gather { keep, years };
    validate(options, &dims)?;
    validate_cells(hooks.series_cells, &recorded)?;
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
    let mut record = recorded.record();
    let mut values = vec![0.0; source.len()];
    source.worker().fill(0, &mut values, &mut record.inputs);
    model.run(
        source.shocks(0),
        &values,
        &mut model.workspace(),
        &mut record,
    );
    recorded.check(&record, 0)?;
    let mut pilot_row = vec![0.0; dims.cells];
    let mut partial = PartialRun {
        layout: layout.clone(),
        // Neither is kept: `threads` does not change results, and the
        // layout says which series were kept.
        options: RunOptions {
            threads: 0,
            keep_series: None,
            ..options.clone()
        },
        chunks: chunks.start..chunks.start,
        replications: 0,
        series: gather
            .row(&record.series, &mut pilot_row)
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
    let series_cells: &[usize] = if keep_inputs { hooks.series_cells } else { &[] };
    let wave = (WAVE_CHUNKS_PER_THREAD * pool.current_num_threads())
        .min((chunks.end - chunks.start) as usize);
    let shifts: Vec<f64> = partial.series.iter().map(|c| c.moments.shift()).collect();
    let mut slots: Vec<ChunkSlot> = (0..wave)
        .map(|_| ChunkSlot::new(&dims, keep_inputs, series_cells.len(), bucketed))
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
            active.par_iter_mut().with_max_len(1).try_for_each(|slot| {
                slot.simulate(model, source, &recorded, gather, &shifts, series_cells)
            })
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
                    let picked = series_cells.len();
                    sink(ReplicationValues {
                        replication: slot.first + i as u64,
                        scalars: &scalars_scratch,
                        inputs: &slot.input_rows[i * dims.inputs..(i + 1) * dims.inputs],
                        series: &slot.series_rows[i * picked..(i + 1) * picked],
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
    /// `series_rows[i * picked + k]`: the series cells the hooks asked
    /// for; empty when none are.
    series_rows: Vec<f64>,
    /// Row-major bucket codes of up to [`TRANSPOSE_BLOCK`] replications
    /// (empty for runs within the exact limit).
    code_block: Vec<u32>,
    /// Row-major series of up to [`TRANSPOSE_BLOCK`] replications (only
    /// for runs within the exact limit).
    value_block: Vec<f64>,
    keep_inputs: bool,
}

impl ChunkSlot {
    fn new(dims: &Dims, keep_inputs: bool, picked: usize, bucketed: bool) -> Self {
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
            series_rows: vec![0.0; picked * CHUNK_SIZE],
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

    /// Run this chunk's replications into the buffers; `recorded` sizes
    /// the model's record, `gather` picks the summarised series from it.
    fn simulate<M: Model>(
        &mut self,
        model: &M,
        source: &dyn ParameterSource,
        recorded: &Dims,
        gather: Gather<'_>,
        shifts: &[f64],
        series_cells: &[usize],
    ) -> Result<(), EngineError> {
        let mut workspace = model.workspace();
        let picked = series_cells.len();
        let mut parameters = source.worker();
        let mut values = vec![0.0; source.len()];
        let mut record = recorded.record();
        let cells = shifts.len();
        let mut kept_row = vec![0.0; if gather.keep.is_some() { cells } else { 0 }];
        self.sums.reset();
        for block_start in (0..self.len).step_by(TRANSPOSE_BLOCK) {
            let block_len = TRANSPOSE_BLOCK.min(self.len - block_start);
            for b in 0..block_len {
                let i = block_start + b;
                let replication = self.first + i as u64;
                parameters.fill(replication, &mut values, &mut record.inputs);
                let shocks = source.shocks(replication);
                model.run(shocks, &values, &mut workspace, &mut record);
                recorded.check(&record, replication)?;
                let row = gather.row(&record.series, &mut kept_row);
                self.sums.add_row(row, shifts);
                if self.codes.is_empty() {
                    self.value_block[b * cells..(b + 1) * cells].copy_from_slice(row);
                } else {
                    bucket_codes(row, &mut self.code_block[b * cells..]);
                }
                for (s, &x) in record.scalars.iter().enumerate() {
                    self.scalar_col[s * VALUE_STRIDE + i] = x;
                }
                if self.keep_inputs {
                    self.input_rows[i * recorded.inputs..(i + 1) * recorded.inputs]
                        .copy_from_slice(&record.inputs);
                }
                for (slot, &cell) in self.series_rows[i * picked..(i + 1) * picked]
                    .iter_mut()
                    .zip(series_cells)
                {
                    *slot = record.series[cell];
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

/// Which series of a model's record a run summarises: all, or the
/// series `keep` lists (each `years` values long).
#[derive(Clone, Copy)]
struct Gather<'a> {
    keep: Option<&'a [usize]>,
    years: usize,
}

impl Gather<'_> {
    /// The summarised values of a record's `series`: the record itself
    /// when every series is kept, else the kept series copied into `row`.
    fn row<'r>(&self, series: &'r [f64], row: &'r mut [f64]) -> &'r [f64] {
        let Some(keep) = self.keep else {
            return series;
        };
        let years = self.years;
        for (out, &s) in row.chunks_exact_mut(years.max(1)).zip(keep) {
            out.copy_from_slice(&series[s * years..(s + 1) * years]);
        }
        row
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
    use super::super::toy::{N, Toy, bits, options, record_of, run, run_partial};
    use super::super::{MAX_REPLICATIONS, Record};
    use super::*;
    use crate::engine::stats::Summary;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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
        (0..n).map(|r| record_of(model, r)).collect()
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
            ..Hooks::default()
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

    /// The toy's inputs, with the shocks of replication `r` taken from
    /// stream `r / 3` (three replications share their shocks).
    struct SharedShocks;

    impl ParameterSource for SharedShocks {
        fn len(&self) -> usize {
            super::super::toy::ToyInputs.len()
        }
        fn inputs(&self) -> &[String] {
            super::super::toy::ToyInputs.inputs()
        }
        fn worker(&self) -> Box<dyn super::super::SourceWorker + '_> {
            super::super::toy::ToyInputs.worker()
        }
        fn shocks(&self, replication: u64) -> u64 {
            replication / 3
        }
    }

    /// The sink gets the series cells asked for, in the order asked; a
    /// source that chooses the shock streams changes what the model sees
    /// (and nothing else), on any thread count.
    #[test]
    fn the_sink_sees_chosen_series_cells_and_the_sources_shocks() {
        let model = Toy::new(3, 4);
        let n = CHUNK_SIZE as u64 + 40;
        let cells = [11, 0, 5];
        for threads in [1, 3] {
            let mut seen: Vec<(u64, Vec<f64>)> = Vec::new();
            let mut sink = |v: ReplicationValues<'_>| seen.push((v.replication, v.series.to_vec()));
            let hooks = Hooks {
                on_replication: Some(&mut sink),
                series_cells: &cells,
                ..Hooks::default()
            };
            super::run(&model, &SharedShocks, &options(n, threads), hooks).unwrap();
            assert_eq!(seen.len() as u64, n);
            for (r, series) in &seen {
                let mut direct = super::super::RunnableModel::run_one(&model, &SharedShocks, *r);
                assert_eq!(series, &cells.map(|c| direct.series[c]).to_vec(), "{r}");
                // The same parameters with the replication's own shocks
                // differ unless the streams coincide.
                direct = record_of(&model, *r);
                let own = cells.map(|c| direct.series[c]).to_vec();
                assert_eq!(series == &own, *r / 3 == *r, "{r}");
            }
        }
        let hooks = Hooks {
            series_cells: &[12],
            ..Hooks::default()
        };
        assert!(matches!(
            run(&model, &options(10, 1), hooks),
            Err(EngineError::SeriesCell {
                cell: 12,
                cells: 12
            })
        ));
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
            // Cell 0 is otherwise always 0: a NaN among zeros is found too.
            (vec![5], vec![0], f64::NAN, N, 5, "out0", 2025),
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
            // In the second chunk of the second wave.
            bad: vec![(WAVE_CHUNKS_PER_THREAD + 1) as u64 * CHUNK_SIZE as u64 + 10],
            cells: vec![0],
            value: f64::NAN,
        };
        let mut seen = 0u64;
        let mut sink = |_: ReplicationValues<'_>| seen += 1;
        let hooks = Hooks {
            on_replication: Some(&mut sink),
            on_progress: None,
            ..Hooks::default()
        };
        let chunks = 3 * WAVE_CHUNKS_PER_THREAD as u64;
        let e = run(
            &model,
            &RunOptions::new(chunks * CHUNK_SIZE as u64, 1),
            hooks,
        )
        .unwrap_err();
        assert!(matches!(e, EngineError::NonFinite { .. }), "{e}");
        // One thread: the first wave's chunks reached the sink, no later one.
        assert_eq!(seen, (WAVE_CHUNKS_PER_THREAD * CHUNK_SIZE) as u64);
    }

    /// A run that keeps some series summarises them to exactly the bits
    /// a run of all gives, scalars included, on any thread count, whole
    /// or in merged parts, exact or bucketed; the hooks still name cells
    /// of the model's record.
    #[test]
    fn kept_series_have_the_bits_of_a_run_that_keeps_all() {
        let model = Toy::new(5, 4);
        let keep = [1, 3, 4];
        for n in [CHUNK_SIZE as u64 * 3 + 17, N] {
            let full = run(&model, &options(n, 2), Hooks::default()).unwrap();
            let chosen = |keep: &[usize]| {
                let mut expected = full.clone();
                expected.layout.series = keep
                    .iter()
                    .map(|&s| full.layout.series[s].clone())
                    .collect();
                expected.series = keep
                    .iter()
                    .flat_map(|&s| (0..4).map(move |t| s * 4 + t))
                    .map(|c| full.series[c].clone())
                    .collect();
                expected
            };
            for keep in [&keep[..], &[]] {
                let expected = chosen(keep);
                let mut opts = options(n, 1);
                opts.keep_series = Some(keep.to_vec());
                for threads in [1, 3] {
                    opts.threads = threads;
                    let kept = run(&model, &opts, Hooks::default()).unwrap();
                    assert_eq!(kept.layout, expected.layout, "n {n}, {threads} threads");
                    assert_eq!(bits(&kept), bits(&expected), "n {n}, {threads} threads");
                }
                let chunks = chunk_count(n);
                let mut merged = run_partial(&model, &opts, 0..1, Hooks::default()).unwrap();
                merged
                    .merge(&run_partial(&model, &opts, 1..chunks, Hooks::default()).unwrap())
                    .unwrap();
                assert_eq!(bits(&merged.finish()), bits(&expected), "n {n}, merged");
            }
        }
        // Cell 18 is series 4, year 2 of the model's record: the sink
        // gets it although only series 0 is summarised.
        let mut seen = Vec::new();
        let mut sink = |v: ReplicationValues<'_>| seen.push((v.replication, v.series[0]));
        let mut opts = options(300, 2);
        opts.keep_series = Some(vec![0]);
        let hooks = Hooks {
            on_replication: Some(&mut sink),
            series_cells: &[18],
            ..Hooks::default()
        };
        run(&model, &opts, hooks).unwrap();
        assert_eq!(seen.len(), 300);
        for (r, x) in seen {
            assert_eq!(x.to_bits(), record_of(&model, r).series[18].to_bits());
        }
    }

    #[test]
    fn series_to_keep_must_exist_once_each_in_order() {
        let model = Toy::new(5, 4);
        for (keep, series) in [(vec![3, 1], 1), (vec![2, 2], 2), (vec![0, 5], 5)] {
            let mut opts = options(10, 1);
            opts.keep_series = Some(keep.clone());
            let e = run(&model, &opts, Hooks::default()).unwrap_err();
            assert!(
                matches!(e, EngineError::KeptSeries { series: s, count: 5 } if s == series),
                "{keep:?}: {e}"
            );
        }
    }
}

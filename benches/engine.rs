//! Engine throughput on a synthetic model the size of a real run: 125
//! series x 16 years = 2,000 series cells, 8 scalars, 60 inputs, cheap
//! arithmetic per cell (so the engine's own cost dominates).
//!
//! `cargo bench --bench engine` runs criterion: the model alone, then whole
//! runs of 10,000 and 100,000 replications on 1 and 2 threads (throughput is
//! reported in replications per second).
//!
//! Memory probe: with `SEZSIM_ENGINE_MEMORY_REPS=N` (and optionally
//! `SEZSIM_ENGINE_THREADS=T`, default 2) the bench binary runs one run of N
//! replications and exits, for `/usr/bin/time -v`:
//!
//! ```text
//! SEZSIM_ENGINE_MEMORY_REPS=1000000 /usr/bin/time -v target/release/deps/engine-<hash>
//! ```
//!
//! Statistics per cell: with `SEZSIM_ENGINE_PER_CELL=1`, `cargo bench
//! --bench engine` prints instead what the statistics cost per cell and
//! replication (a run summarising every cell against one summarising
//! none) beside a bare log-bucket histogram update.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sezsim::engine::{
    Hooks, Model, OutputLayout, ParameterSource, Record, RunOptions, SeriesName, SourceWorker, run,
};

const SERIES: usize = 125;
const YEARS: usize = 16;
const SCALARS: usize = 8;
const INPUTS: usize = 60;

struct Synthetic {
    layout: OutputLayout,
}

impl Synthetic {
    fn new() -> Self {
        Synthetic {
            layout: OutputLayout {
                series: (0..SERIES)
                    .map(|s| SeriesName {
                        output: format!("output{}", s % 19),
                        zone: format!("group{}", s / 19),
                    })
                    .collect(),
                years: (2025..2025 + YEARS as i32).collect(),
                scalars: (0..SCALARS).map(|k| format!("scalar{k}")).collect(),
                ..OutputLayout::default()
            },
        }
    }
}

/// The synthetic model's 60 parameters: uniforms from a stream of the
/// replication's, all recorded as inputs.
struct Uniforms {
    names: Vec<String>,
}

impl Uniforms {
    fn new() -> Self {
        Uniforms {
            names: (0..INPUTS).map(|k| format!("param{k}")).collect(),
        }
    }
}

impl ParameterSource for Uniforms {
    fn len(&self) -> usize {
        INPUTS
    }
    fn inputs(&self) -> &[String] {
        &self.names
    }
    fn worker(&self) -> Box<dyn SourceWorker + '_> {
        Box::new(UniformWorker)
    }
}

struct UniformWorker;

impl SourceWorker for UniformWorker {
    fn fill(&mut self, replication: u64, values: &mut [f64], inputs: &mut [f64]) {
        let mut rng = ChaCha8Rng::seed_from_u64(replication);
        for x in values.iter_mut() {
            *x = rng.random::<f64>();
        }
        inputs.copy_from_slice(values);
    }
}

/// A cheap uniform on [-0.5, 0.5) from a counter (splitmix64 finaliser).
#[inline(always)]
fn noise(state: u64) -> f64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64) - 0.5
}

impl Model for Synthetic {
    type Workspace = ();
    fn layout(&self) -> &OutputLayout {
        &self.layout
    }
    fn workspace(&self) {}
    fn run(&self, replication: u64, p: &[f64], _: &mut (), record: &mut Record) {
        let base = replication.wrapping_mul(SERIES as u64 * YEARS as u64);
        let mut finals = [0.0; SERIES];
        for (s, row) in record.series.chunks_exact_mut(YEARS).enumerate() {
            let growth = 0.01 + 0.06 * p[s % INPUTS];
            let mut level = 100.0 * (1 + s % 7) as f64;
            for (t, x) in row.iter_mut().enumerate() {
                level *= 1.0 + growth + 0.1 * noise(base + (s * YEARS + t) as u64);
                *x = level;
            }
            finals[s] = level;
        }
        for (k, x) in record.scalars.iter_mut().enumerate() {
            *x = finals[k * 15..k * 15 + 15].iter().sum::<f64>() - 1000.0 * p[k];
        }
    }
}

/// A record of the synthetic model's size.
fn empty_record() -> Record {
    Record {
        series: vec![0.0; SERIES * YEARS],
        scalars: vec![0.0; SCALARS],
        inputs: vec![0.0; INPUTS],
    }
}

fn options(replications: u64, threads: usize) -> RunOptions {
    RunOptions {
        replications,
        threads,
        quantiles: vec![0.05, 0.25, 0.5, 0.75, 0.95],
        scalar_targets: vec![Some(2000.0); SCALARS],
        keep_series: None,
    }
}

fn bench_engine(c: &mut Criterion) {
    let model = Synthetic::new();
    let source = Uniforms::new();

    let mut group = c.benchmark_group("model_only");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000_replications", |b| {
        let mut record = empty_record();
        let mut values = vec![0.0; INPUTS];
        let mut worker = source.worker();
        b.iter(|| {
            for r in 0..1000 {
                worker.fill(r, &mut values, &mut record.inputs);
                model.run(r, &values, &mut (), &mut record);
                black_box(&record);
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("engine_run");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    for replications in [10_000u64, 100_000] {
        group.throughput(Throughput::Elements(replications));
        for threads in [1usize, 2] {
            group.bench_with_input(
                BenchmarkId::new(format!("{threads}_threads"), replications),
                &replications,
                |b, &n| {
                    b.iter(|| run(&model, &source, &options(n, threads), Hooks::default()).unwrap())
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_engine);

fn memory_probe(replications: u64) {
    let threads = std::env::var("SEZSIM_ENGINE_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    let model = Synthetic::new();
    let mut sink_count = 0u64;
    let mut sink = |_: sezsim::engine::ReplicationValues<'_>| sink_count += 1;
    let with_sink = std::env::var_os("SEZSIM_ENGINE_SINK").is_some();
    let hooks = Hooks {
        on_replication: if with_sink { Some(&mut sink) } else { None },
        on_progress: None,
        ..Hooks::default()
    };
    let start = Instant::now();
    let summary = run(
        &model,
        &Uniforms::new(),
        &options(replications, threads),
        hooks,
    )
    .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{replications} replications, {threads} threads: {seconds:.2} s, {:.0} replications/s; \
         median of cell 1999 = {:.3}",
        replications as f64 / seconds,
        summary.series[1999].quantiles[2]
    );
}

/// The statistics' cost per cell and replication: a run of the synthetic
/// model that summarises every series cell against one that summarises
/// none (`keep_series`: the model computes the same values either way),
/// on one thread, medians of interleaved rounds; beside it what the
/// simplest log-bucket histogram update costs (the key from the bit
/// pattern, a counter in bins that stay in L1).
fn statistics_per_cell(replications: u64, rounds: usize) {
    let model = Synthetic::new();
    let source = Uniforms::new();
    let cells = (SERIES * YEARS) as f64;
    let mut none = options(replications, 1);
    none.keep_series = Some(Vec::new());
    let timed = |options: &RunOptions| {
        let start = Instant::now();
        black_box(run(&model, &source, options, Hooks::default()).unwrap());
        start.elapsed().as_secs_f64()
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        with.push(timed(&options(replications, 1)));
        without.push(timed(&none));
    }
    let (with, without) = (median(with), median(without));
    let per_cell = (with - without) / (replications as f64 * cells) * 1e9;

    // The reference: the same number of values, keyed and counted.
    let mut record = empty_record();
    let mut values = vec![0.0; INPUTS];
    let mut worker = source.worker();
    let mut rows = Vec::new();
    for r in 0..64 {
        worker.fill(r, &mut values, &mut record.inputs);
        model.run(r, &values, &mut (), &mut record);
        rows.push(record.series.clone());
    }
    let shift = 52 - sezsim::engine::stats::SKETCH_SUB_BUCKET_BITS;
    let mut bins = vec![0u32; 4096];
    let start = Instant::now();
    for r in 0..replications {
        for &x in &rows[r as usize % rows.len()] {
            bins[((x.to_bits() >> shift) & 4095) as usize] += 1;
        }
    }
    black_box(&bins);
    let histogram = start.elapsed().as_secs_f64() / (replications as f64 * cells) * 1e9;
    println!(
        "statistics of {cells} cells x {replications} replications, 1 thread: every cell {with:.3} s, none {without:.3} s: \
         {per_cell:.2} ns per cell and replication; a log-bucket histogram update with its bins in L1: {histogram:.2} ns"
    );
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    if std::env::var_os("SEZSIM_ENGINE_PER_CELL").is_some() {
        statistics_per_cell(100_000, 5);
        return;
    }
    if let Some(n) = std::env::var("SEZSIM_ENGINE_MEMORY_REPS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        memory_probe(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! End-to-end Monte Carlo throughput on the shipped CPEC baseline (4 zones,
//! 16 years, 77 uncertain parameters): model, sampling and every table's
//! statistics, without file output. Target: >= 70,000 replications/s on 2
//! cores; 2 threads >= 1.8x one. Results are in docs/performance.md.

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sezsim::engine::{self, Hooks, RunOptions};
use sezsim::model::{self, AnyModel, ModelOptions};

fn bench_baseline(c: &mut Criterion) {
    let scenario = sezsim::scenario::load(Path::new("scenarios/cpec_baseline.toml")).expect("baseline loads");
    let mut group = c.benchmark_group("cpec_baseline");
    group.sample_size(10);
    for replications in [10_000u64, 100_000] {
        let options = ModelOptions {
            replications,
            seed: scenario.seed,
            deterministic: false,
        };
        let AnyModel::Sez(m) = model::build(&scenario, options).expect("model builds") else {
            unreachable!("the baseline is a sez scenario")
        };
        group.throughput(Throughput::Elements(replications));
        for threads in [1usize, 2] {
            let mut run = RunOptions::new(replications, threads);
            run.quantiles = scenario.outputs.quantiles.clone();
            group.bench_with_input(
                BenchmarkId::new(format!("{replications}_replications"), format!("{threads}_threads")),
                &run,
                |b, run| b.iter(|| engine::run(m.as_ref(), run, Hooks::default()).expect("run succeeds")),
            );
        }
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(20))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_baseline
}
criterion_main!(benches);

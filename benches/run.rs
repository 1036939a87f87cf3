//! End-to-end Monte Carlo throughput on the shipped CPEC baseline (4 zones,
//! 16 years, 77 uncertain parameters): model, sampling and every table's
//! statistics, without file output. Target: >= 70,000 replications/s on 2
//! cores; 2 threads >= 1.8x one. Results are in docs/performance.md.

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sezsim::engine::{self, Hooks, RunOptions, RunSummary};
use sezsim::run::Prepared;

/// Every replication of a prepared run, summarised (no files).
fn run_all(prepared: &Prepared, options: &RunOptions) -> RunSummary {
    let chunks = 0..engine::chunk_count(options.replications);
    prepared
        .model
        .run_partial(prepared.source.as_ref(), options, chunks, Hooks::default())
        .expect("run succeeds")
        .finish()
}

fn bench_baseline(c: &mut Criterion) {
    let scenario = sezsim::load(Path::new("scenarios/cpec_baseline.toml")).expect("baseline loads");
    let mut group = c.benchmark_group("cpec_baseline");
    group.sample_size(10);
    for replications in [10_000u64, 100_000] {
        let prepared =
            Prepared::new(&scenario, replications, scenario.seed, false).expect("model builds");
        group.throughput(Throughput::Elements(replications));
        for threads in [1usize, 2] {
            let mut run = RunOptions::new(replications, threads);
            run.quantiles = scenario.outputs.quantiles.clone();
            group.bench_with_input(
                BenchmarkId::new(
                    format!("{replications}_replications"),
                    format!("{threads}_threads"),
                ),
                &run,
                |b, run| b.iter(|| run_all(&prepared, run)),
            );
        }
    }
    group.finish();
}

/// A scenario extending the baseline with `zones` zones (the baseline's four
/// repeated under new ids) over `years` years, written to `dir`.
fn scaled_scenario(dir: &Path, zones: usize, years: u32) -> std::path::PathBuf {
    let base = std::fs::canonicalize("scenarios/cpec_baseline.toml").expect("baseline exists");
    let mut text = format!(
        "extends = {:?}\n[scenario]\nname = \"scaled\"\nyears = {years}\n[outputs]\ntable_years = [2025]\n",
        base.to_str().expect("UTF-8 path")
    );
    // Zones beyond the baseline's four: copies of Rashakai's own keys.
    for i in 4..zones {
        text.push_str(&format!(
            "[[zones]]\nid = \"extra{i}\"\nname = \"Extra {i}\"\nopens_year = 2026\n\
             [zones.investment]\narea_ha = 405\n[zones.workforce]\nskilled_pool_initial = 1500\n\
             unskilled_pool = 60000\n[zones.energy]\ngrid_mw = 10\n"
        ));
    }
    let path = dir.join(format!("scaled_{zones}_{years}.toml"));
    std::fs::write(&path, text).expect("temp dir is writable");
    path
}

/// How cost per replication grows with zones and years (one thread).
fn bench_scaling(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("sezsim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let replications = 5_000u64;
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    group.throughput(Throughput::Elements(replications));
    for (zones, years) in [(4, 8), (4, 16), (4, 32), (8, 16)] {
        let path = scaled_scenario(&dir, zones, years);
        let mut scenario = sezsim::load(&path).expect("scaled scenario loads");
        scenario.replications = replications;
        let prepared =
            Prepared::new(&scenario, replications, scenario.seed, false).expect("model builds");
        let run = RunOptions::new(replications, 1);
        group.bench_with_input(
            BenchmarkId::new(format!("{zones}_zones"), format!("{years}_years")),
            &run,
            |b, run| b.iter(|| run_all(&prepared, run)),
        );
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(20))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_baseline, bench_scaling
}
criterion_main!(benches);

//! Cost of generating sensitivity designs, per model evaluation.
//!
//! - `sobol_design/block_100`: one block of a Saltelli design over 100
//!   independent parameters (`base_rows` then all 102 rows with `row`);
//!   throughput in rows, so elem/s is design rows per second.
//! - `sobol_design/row_at_100`: one row computed alone from its
//!   evaluation number (what a worker pays if it does not go block by block).
//! - `sobol_design/new_100x8`: building the design (8 scramblings of 200
//!   sequence dimensions), paid once per analysis.
//! - `morris/trajectory_100`: one trajectory's draws and its 101 rows.
//!
//! Run with `cargo bench --bench sensitivity`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sezsim::sensitivity::{Factors, MorrisDesign, MorrisOptions, SobolDesign, SobolOptions};

const PARAMETERS: usize = 100;

fn factors() -> Factors {
    let paths: Vec<String> = (0..PARAMETERS).map(|i| format!("p{i}")).collect();
    Factors::independent(&paths)
}

fn options() -> SobolOptions {
    SobolOptions {
        samples: 1 << 16,
        replicates: 8,
        second_order: false,
        seed: 1,
    }
}

fn bench_sobol(c: &mut Criterion) {
    let design = SobolDesign::new(factors(), options()).unwrap();
    let rows = design.rows_per_block();
    let (mut a, mut b, mut row) = (
        vec![0.0; PARAMETERS],
        vec![0.0; PARAMETERS],
        vec![0.0; PARAMETERS],
    );
    let mut group = c.benchmark_group("sobol_design");
    group.throughput(Throughput::Elements(rows as u64));
    let mut block = 0u64;
    group.bench_function("block_100", |bench| {
        bench.iter(|| {
            block = (block + 7919) % design.blocks();
            design.base_rows(block, &mut a, &mut b);
            for p in 0..rows {
                design.row(&a, &b, p, &mut row);
                black_box(&row);
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    let mut evaluation = 0u64;
    group.bench_function("row_at_100", |bench| {
        bench.iter(|| {
            evaluation = (evaluation + 104_729) % design.evaluations();
            design.row_at(evaluation, &mut row);
            black_box(&row);
        })
    });
    group.bench_function("new_100x8", |bench| {
        bench.iter(|| black_box(SobolDesign::new(factors(), options()).unwrap()))
    });
    group.finish();
}

fn bench_morris(c: &mut Criterion) {
    let design = MorrisDesign::new(
        factors(),
        MorrisOptions {
            trajectories: 1000,
            seed: 1,
        },
    )
    .unwrap();
    let mut row = vec![0.0; PARAMETERS];
    let mut group = c.benchmark_group("morris");
    group.throughput(Throughput::Elements(design.rows_per_trajectory() as u64));
    let mut t = 0u64;
    group.bench_function("trajectory_100", |bench| {
        bench.iter(|| {
            t = (t + 1) % design.trajectories();
            let trajectory = design.trajectory(t);
            for s in 0..design.rows_per_trajectory() {
                design.row(&trajectory, s, &mut row);
                black_box(&row);
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = bench_sobol, bench_morris
}
criterion_main!(benches);

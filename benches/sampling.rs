//! Cost of the per-replication random numbers of static parameters.
//!
//! - `uniforms/*`: one call of `StaticSampler::uniforms`, i.e. one
//!   replication's uniforms for 50 parameters, 5 of them in a correlated
//!   group (Gaussian copula), Random and Latin hypercube (N = 100,000);
//!   plus the same 50 parameters uncorrelated, to isolate the copula.
//!   Throughput is one element per replication, so criterion's elem/s is
//!   replications per second.
//! - `stream/rng_plus_uniform`: `StreamKey::rng(r)` followed by one uniform,
//!   the unit of work per (replication, purpose).
//! - `setup/latin_hypercube_new`: building the Latin hypercube sampler
//!   (50 permutations of 100,000), paid once per run.
//! - `inverse_cdf/*`: one inverse-CDF evaluation per distribution kind
//!   (64 per iteration; elem/s is evaluations per second).
//! - `distribution_new/*`: building a beta, PERT or gamma distribution,
//!   which tabulates its quantile function, paid once per parameter per run.
//!
//! Run with `cargo bench --bench sampling`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sezsim::uncertainty::{RankCorrelation, SamplingMethod, StaticSampler, StreamKey};

const PARAMETERS: usize = 50;
const REPLICATIONS: u64 = 100_000;
const SEED: u64 = 20_240_601;

fn purposes() -> Vec<String> {
    (0..PARAMETERS)
        .map(|i| format!("zones.zone{}.investment.param{}", i % 7, i))
        .collect()
}

/// A positive definite 5-parameter group spread over the list.
fn correlations() -> Vec<RankCorrelation> {
    let members = [3, 11, 24, 37, 49];
    let targets = [
        (0, 1, 0.6),
        (0, 2, -0.3),
        (1, 2, -0.2),
        (1, 3, 0.4),
        (2, 4, 0.5),
        (3, 4, 0.1),
    ];
    targets
        .iter()
        .map(|&(a, b, spearman)| RankCorrelation {
            a: members[a],
            b: members[b],
            spearman,
        })
        .collect()
}

fn bench_uniforms(c: &mut Criterion) {
    let purposes = purposes();
    let correlated = correlations();
    let mut group = c.benchmark_group("uniforms");
    group.throughput(Throughput::Elements(1));
    let cases = [
        ("random_50p_5corr", SamplingMethod::Random, &correlated[..]),
        ("random_50p_uncorrelated", SamplingMethod::Random, &[][..]),
        (
            "lhs_50p_5corr_n100k",
            SamplingMethod::LatinHypercube,
            &correlated[..],
        ),
    ];
    for (name, method, correlations) in cases {
        let sampler = StaticSampler::new(SEED, REPLICATIONS, method, &purposes, correlations)
            .expect("positive definite");
        let mut out = vec![0.0; sampler.len()];
        let mut r = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                sampler.uniforms(black_box(r), &mut out);
                r = (r + 1) % REPLICATIONS;
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn bench_stream(c: &mut Criterion) {
    let key = StreamKey::new(SEED, "zones.rashakai.investment.capital_per_ha");
    let mut group = c.benchmark_group("stream");
    group.throughput(Throughput::Elements(1));
    let mut r = 0u64;
    group.bench_function("rng_plus_uniform", |b| {
        b.iter(|| {
            let u = key.rng(black_box(r)).uniform();
            r = r.wrapping_add(1);
            u
        })
    });
    group.finish();
}

fn bench_setup(c: &mut Criterion) {
    let purposes = purposes();
    let correlated = correlations();
    let mut group = c.benchmark_group("setup");
    group.sample_size(10);
    group.bench_function("latin_hypercube_new_50p_n100k", |b| {
        b.iter(|| {
            StaticSampler::new(
                SEED,
                REPLICATIONS,
                SamplingMethod::LatinHypercube,
                &purposes,
                &correlated,
            )
            .expect("positive definite")
        })
    });
    group.finish();
}

/// Cost of one inverse-CDF evaluation per distribution kind: the per-draw
/// cost of every uncertain static parameter.
fn bench_inverse_cdf(c: &mut Criterion) {
    use sezsim::uncertainty::Distribution;
    let cases = [
        ("fixed", Distribution::fixed(3.0)),
        ("uniform", Distribution::uniform(2.0, 5.0)),
        ("normal", Distribution::normal(1.0, 0.1, None, None)),
        (
            "normal_truncated",
            Distribution::normal(0.3, 0.2, Some(0.0), Some(1.0)),
        ),
        ("lognormal", Distribution::lognormal(2.0, 0.5)),
        ("triangular", Distribution::triangular(1.0, 2.0, 4.0)),
        ("pert", Distribution::pert(0.2, 0.35, 0.7, 4.0)),
        ("beta_2_5", Distribution::beta(2.0, 5.0, 0.0, 1.0)),
        ("gamma_2_3", Distribution::gamma(2.0, 3.0)),
        ("gamma_0.3", Distribution::gamma(0.3, 1.5)),
        (
            "discrete_3",
            Distribution::discrete(vec![30.0, 10.0, 20.0], vec![0.2, 0.5, 0.3]),
        ),
        ("bernoulli", Distribution::bernoulli(0.3)),
    ];
    let mut group = c.benchmark_group("inverse_cdf");
    // 64 probability levels spread over (0, 1), evaluated per iteration.
    let levels: Vec<f64> = (0..64).map(|i| (i as f64 + 0.5) / 64.0).collect();
    group.throughput(Throughput::Elements(levels.len() as u64));
    for (name, dist) in cases {
        let dist = dist.expect("valid benchmark distribution");
        group.bench_function(name, |b| {
            b.iter(|| {
                levels
                    .iter()
                    .map(|&u| dist.inverse_cdf(std::hint::black_box(u)))
                    .sum::<f64>()
            })
        });
    }
    group.finish();
}

/// Cost of constructing the kinds that tabulate their quantile function.
fn bench_distribution_new(c: &mut Criterion) {
    use sezsim::uncertainty::Distribution;
    let mut group = c.benchmark_group("distribution_new");
    group.sample_size(20);
    group.bench_function("pert", |b| {
        b.iter(|| Distribution::pert(black_box(0.2), 0.35, 0.7, 4.0))
    });
    group.bench_function("beta_2_5", |b| {
        b.iter(|| Distribution::beta(black_box(2.0), 5.0, 0.0, 1.0))
    });
    group.bench_function("beta_0.3_0.3", |b| {
        b.iter(|| Distribution::beta(black_box(0.3), 0.3, 0.0, 1.0))
    });
    group.bench_function("gamma_2_3", |b| {
        b.iter(|| Distribution::gamma(black_box(2.0), 3.0))
    });
    group.bench_function("gamma_0.3", |b| {
        b.iter(|| Distribution::gamma(black_box(0.3), 1.5))
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_uniforms, bench_stream, bench_setup, bench_inverse_cdf, bench_distribution_new
}
criterion_main!(benches);

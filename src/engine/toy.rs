//! A small model and the helpers the engine's tests share (the runner's
//! and the partial runs').

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use std::ops::Range;

use super::stats::EXACT_QUANTILE_LIMIT;
use super::{
    CHUNK_SIZE, EngineError, Hooks, Model, OutputLayout, ParameterSource, PartialRun, Record,
    RunOptions, RunSummary, SeriesName, SourceWorker,
};

/// The toy's two parameters, growth and shock, drawn from a stream of the
/// replication's own, and recorded as inputs. The models that take no
/// parameters ignore them.
pub(super) struct ToyInputs;

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

/// The engine's [`super::run`], with the toy's parameter source.
pub(super) fn run<M: Model>(
    model: &M,
    options: &RunOptions,
    hooks: Hooks<'_>,
) -> Result<RunSummary, EngineError> {
    super::run(model, &ToyInputs, options, hooks)
}

/// The engine's [`super::run_partial`], with the toy's parameter source.
pub(super) fn run_partial<M: Model>(
    model: &M,
    options: &RunOptions,
    chunks: Range<u64>,
    hooks: Hooks<'_>,
) -> Result<PartialRun, EngineError> {
    super::run_partial(model, &ToyInputs, options, chunks, hooks)
}

/// Replication `r`'s record, computed directly.
pub(super) fn record_of<M: Model + Send>(model: &M, r: u64) -> Record {
    super::RunnableModel::run_one(model, &ToyInputs, r)
}

/// A small model: lognormal-ish series with a trend, three scalars
/// (a sum, a ratio, a count of zeros), two inputs. Seeded by the
/// replication index.
pub(super) struct Toy {
    layout: OutputLayout,
}

impl Toy {
    pub(super) fn new(series: usize, years: usize) -> Self {
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

pub(super) fn options(replications: u64, threads: usize) -> RunOptions {
    RunOptions {
        replications,
        threads,
        quantiles: vec![0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0],
        scalar_targets: vec![Some(800.0), None, Some(0.0)],
        keep_series: None,
    }
}

pub(super) fn bits(summary: &RunSummary) -> Vec<u64> {
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
pub(super) const N: u64 = EXACT_QUANTILE_LIMIT as u64 + 2 * CHUNK_SIZE as u64 + 123;

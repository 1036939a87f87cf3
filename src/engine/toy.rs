//! A small model and the helpers the engine's tests share (the runner's
//! and the partial runs').

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::stats::EXACT_QUANTILE_LIMIT;
use super::{CHUNK_SIZE, Model, OutputLayout, Record, RunOptions, RunSummary, SeriesName};

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
                inputs: vec!["growth".into(), "shock".into()],
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
    fn run(&self, replication: u64, path: &mut Vec<f64>, record: &mut Record) {
        let mut rng = ChaCha8Rng::seed_from_u64(replication);
        let growth: f64 = rng.random_range(0.0..0.1);
        let shock: f64 = rng.random_range(-1.0..1.0);
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
        record.inputs[0] = growth;
        record.inputs[1] = shock;
    }
}

pub(super) fn options(replications: u64, threads: usize) -> RunOptions {
    RunOptions {
        replications,
        threads,
        quantiles: vec![0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0],
        scalar_targets: vec![Some(800.0), None, Some(0.0)],
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

//! Paired differences: a variant against the base, replication by
//! replication ([`PairedAccumulator`]), with the interval two independent
//! runs would give beside it ([`PairedDifference`]).

use super::Z95;
use crate::engine::stats::{ChunkSums, Moments};
use crate::engine::{CHUNK_SIZE, RunSummary};

/// The paired difference of one scalar outcome: variant minus base,
/// replication by replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDifference {
    /// Replications (pairs).
    pub n: u64,
    /// Mean of the differences.
    pub mean: f64,
    /// Sample standard deviation of the differences (divisor n - 1).
    pub sd: f64,
    /// Lower end of the 95% interval: `mean - 1.96 sd / sqrt(n)`.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// Share of replications in which the variant's value is higher than
    /// the base's (ties count as not higher).
    pub p_higher: f64,
    /// Lower end of the 95% interval two independent runs would give:
    /// `(mean_variant - mean_base) - 1.96 sqrt(var_base / n + var_variant / n)`.
    pub unpaired_low: f64,
    /// Upper end of the unpaired interval.
    pub unpaired_high: f64,
}

impl PairedDifference {
    /// Width of the paired 95% interval.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Width of the unpaired 95% interval.
    pub fn unpaired_width(&self) -> f64 {
        self.unpaired_high - self.unpaired_low
    }
}

/// Accumulates paired differences against the base's per-replication
/// scalars, one replication at a time in replication order (the engine's
/// ordered hook). The moments are reduced per chunk of [`CHUNK_SIZE`]
/// replications and added into exact sums, as the engine does, so a
/// difference that is exactly 0 in every replication gives a mean and sd of
/// exactly 0.
#[derive(Debug)]
pub struct PairedAccumulator<'a> {
    /// The base's scalars, `base[r * scalars + s]`.
    base: &'a [f64],
    scalars: usize,
    moments: Vec<Moments>,
    chunk: Vec<ChunkSums>,
    in_chunk: usize,
    higher: Vec<u64>,
    next: u64,
}

impl<'a> PairedAccumulator<'a> {
    /// Differences against `base`, which holds `scalars` values per
    /// replication, replications in order.
    pub fn new(base: &'a [f64], scalars: usize) -> Self {
        PairedAccumulator {
            base,
            scalars,
            moments: Vec::new(),
            chunk: vec![ChunkSums::new(); scalars],
            in_chunk: 0,
            higher: vec![0; scalars],
            next: 0,
        }
    }

    /// Add the variant's scalars of the next replication.
    ///
    /// # Panics
    /// If replications do not come in order from 0 or outnumber the base's
    /// (a bug in the caller: the engine's hook guarantees the order).
    pub fn add(&mut self, replication: u64, values: &[f64]) {
        assert_eq!(replication, self.next, "replications must come in order");
        let r = replication as usize;
        let base = &self.base[r * self.scalars..(r + 1) * self.scalars];
        if self.moments.is_empty() {
            // The first difference as the shift keeps the sums of squares
            // free of cancellation (see engine::stats::Moments).
            self.moments = values
                .iter()
                .zip(base)
                .map(|(v, b)| Moments::new(v - b))
                .collect();
        }
        for s in 0..self.scalars {
            let d = values[s] - base[s];
            self.chunk[s].add(d, self.moments[s].shift());
            self.higher[s] += u64::from(d > 0.0);
        }
        self.in_chunk += 1;
        self.next += 1;
        if self.in_chunk == CHUNK_SIZE {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (m, c) in self.moments.iter_mut().zip(&mut self.chunk) {
            m.absorb(c);
            *c = ChunkSums::new();
        }
        self.in_chunk = 0;
    }

    /// The paired differences, with the unpaired intervals from the two
    /// runs' summaries.
    pub fn finish(mut self, base: &RunSummary, variant: &RunSummary) -> Vec<PairedDifference> {
        self.flush();
        let n = self.next;
        let root_n = (n as f64).sqrt();
        (0..self.scalars)
            .map(|s| {
                let m = &self.moments[s];
                let (mean, sd) = (m.mean(), m.sd());
                let half = Z95 * sd / root_n;
                let (a, b) = (&base.scalars[s], &variant.scalars[s]);
                let centre = b.mean - a.mean;
                let unpaired_half = Z95 * (a.sd * a.sd / n as f64 + b.sd * b.sd / n as f64).sqrt();
                PairedDifference {
                    n,
                    mean,
                    sd,
                    low: mean - half,
                    high: mean + half,
                    p_higher: self.higher[s] as f64 / n as f64,
                    unpaired_low: centre - unpaired_half,
                    unpaired_high: centre + unpaired_half,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::summary;
    use super::*;

    #[test]
    fn paired_differences_by_hand() {
        // Base and variant over 4 replications, 2 scalars.
        let base = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0];
        let variant = [[1.5, 10.0], [2.5, 20.0], [3.0, 30.0], [5.0, 40.0]];
        let mut acc = PairedAccumulator::new(&base, 2);
        for (r, v) in variant.iter().enumerate() {
            acc.add(r as u64, v);
        }
        let d = acc.finish(
            &summary(&[(2.5, 1.0), (25.0, 10.0)]),
            &summary(&[(3.0, 1.5), (25.0, 10.0)]),
        );
        // Differences 0.5, 0.5, 0, 1: mean 0.5, sd sqrt(1/6).
        assert_eq!(d[0].mean, 0.5);
        assert!((d[0].sd - (1.0f64 / 6.0).sqrt()).abs() < 1e-15);
        let half = 1.96 * d[0].sd / 2.0;
        assert!((d[0].low - (0.5 - half)).abs() < 1e-15);
        assert_eq!(d[0].p_higher, 0.75);
        // Unpaired: 0.5 +- 1.96 sqrt(1/4 + 2.25/4).
        let uhalf = 1.96 * (3.25f64 / 4.0).sqrt();
        assert!((d[0].unpaired_high - (0.5 + uhalf)).abs() < 1e-15);
        // Identical values: exactly zero, zero width, never higher.
        assert_eq!(
            (d[1].mean, d[1].sd, d[1].low, d[1].high),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(d[1].p_higher, 0.0);
    }
}

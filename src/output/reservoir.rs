//! A bounded, deterministic uniform sample of a run's replications (their
//! uncertain inputs and scalar outcomes): the data of the histograms, the
//! CDFs and the tornado charts, saved as `reservoir.csv` so `sezsim plot`
//! can redraw them without re-running the model.
//!
//! Fed through the engine's ordered per-replication hook, it keeps every
//! replication while there are at most `capacity` of them, and otherwise a
//! uniform random sample of `capacity` (reservoir sampling, Vitter's
//! algorithm R). Memory is `capacity x (inputs + scalars)` values whatever
//! the run length. The random choices come from their own stream
//! ([`PURPOSE`]), so the sample depends only on the seed and the number of
//! replications, never on the thread count, and drawing it changes no other
//! random number of the run.

use crate::uncertainty::{StreamKey, StreamRng};

/// Replications kept by default: enough for a smooth histogram and rank
/// correlations with a standard error of about 0.01.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The purpose string of the reservoir's random stream.
pub const PURPOSE: &str = "output.reservoir";

/// A reservoir being filled, one replication at a time in replication order.
#[derive(Debug, Clone)]
pub struct Reservoir {
    capacity: usize,
    inputs: usize,
    scalars: usize,
    /// Replications offered so far.
    seen: u64,
    /// Replication number of each kept row.
    replications: Vec<u64>,
    /// Kept rows, `inputs` then `scalars` values each, flat.
    values: Vec<f64>,
    rng: StreamRng,
}

impl Reservoir {
    /// An empty reservoir keeping at most `capacity` (at least 1)
    /// replications of `inputs` input and `scalars` scalar values.
    pub fn new(capacity: usize, seed: u64, inputs: usize, scalars: usize) -> Self {
        let capacity = capacity.max(1);
        // A single stream read sequentially: one uniform per replication
        // beyond the capacity.
        let rng = StreamKey::new(seed, PURPOSE).rng(0);
        Reservoir {
            capacity,
            inputs,
            scalars,
            seen: 0,
            replications: Vec::new(),
            values: Vec::new(),
            rng,
        }
    }

    /// Offer the next replication. Replications must come in the order the
    /// engine runs them for the sample to be reproducible.
    pub fn offer(&mut self, replication: u64, inputs: &[f64], scalars: &[f64]) {
        debug_assert_eq!(inputs.len(), self.inputs);
        debug_assert_eq!(scalars.len(), self.scalars);
        let width = self.inputs + self.scalars;
        let seen = self.seen;
        self.seen += 1;
        if (seen as usize) < self.capacity {
            self.replications.push(replication);
            self.values.extend_from_slice(inputs);
            self.values.extend_from_slice(scalars);
            return;
        }
        // Algorithm R: the (seen + 1)-th item replaces a uniformly chosen
        // slot with probability capacity / (seen + 1). `uniform` is in
        // (0, 1), so the product is below seen + 1; floor it.
        let j = (self.rng.uniform() * (seen + 1) as f64) as u64;
        if j >= self.capacity as u64 {
            return;
        }
        let slot = j as usize;
        self.replications[slot] = replication;
        let row = &mut self.values[slot * width..(slot + 1) * width];
        row[..self.inputs].copy_from_slice(inputs);
        row[self.inputs..].copy_from_slice(scalars);
    }

    /// Replications offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The kept rows in replication order: `(replication, inputs, scalars)`.
    pub fn rows(&self) -> Vec<(u64, &[f64], &[f64])> {
        let width = self.inputs + self.scalars;
        let mut order: Vec<usize> = (0..self.replications.len()).collect();
        order.sort_unstable_by_key(|&i| self.replications[i]);
        order
            .into_iter()
            .map(|i| {
                let row = &self.values[i * width..(i + 1) * width];
                (
                    self.replications[i],
                    &row[..self.inputs],
                    &row[self.inputs..],
                )
            })
            .collect()
    }

    /// `reservoir.csv`: the same columns as `replications.csv`
    /// (`replication`, every uncertain input path, every scalar), one row
    /// per kept replication in replication order.
    pub fn to_csv(&self, input_names: &[String], scalar_names: &[String]) -> String {
        let mut out = super::tables::replications_header(input_names, scalar_names);
        for (r, inputs, scalars) in self.rows() {
            super::tables::replications_row(&mut out, r, inputs, scalars);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(capacity: usize, n: u64, seed: u64) -> Vec<u64> {
        let mut r = Reservoir::new(capacity, seed, 1, 1);
        for i in 0..n {
            r.offer(i, &[i as f64], &[2.0 * i as f64]);
        }
        r.rows().iter().map(|row| row.0).collect()
    }

    #[test]
    fn keeps_everything_up_to_capacity_in_order() {
        assert_eq!(fill(10, 7, 1), (0..7).collect::<Vec<_>>());
        assert_eq!(fill(10, 10, 1), (0..10).collect::<Vec<_>>());
        let mut r = Reservoir::new(4, 1, 1, 1);
        for i in 0..3 {
            r.offer(i, &[i as f64 + 0.5], &[1.0 - i as f64]);
        }
        let rows = r.rows();
        assert_eq!(rows[2], (2, &[2.5][..], &[-1.0][..]));
        assert_eq!(
            r.to_csv(&["a".into()], &["y".into()]),
            "replication,a,y\n0,0.5,1\n1,1.5,0\n2,2.5,-1\n"
        );
    }

    #[test]
    fn bounded_deterministic_and_seed_dependent() {
        let a = fill(100, 5000, 7);
        assert_eq!(a.len(), 100);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        assert_eq!(a, fill(100, 5000, 7));
        assert_ne!(a, fill(100, 5000, 8));
    }

    /// Each replication is kept with probability k / n. With k = 50 of
    /// n = 200 over 2,000 seeds, each replication's count is Binomial(2000,
    /// 0.25): mean 500, sd 19.4. Over 200 replications the largest deviation
    /// of such counts stays well below 5 sd = 97 (a 5-sd excursion has
    /// probability about 1e-4 over all 200).
    #[test]
    fn every_replication_is_equally_likely_to_be_kept() {
        let (k, n, seeds) = (50, 200u64, 2000u64);
        let mut counts = vec![0u32; n as usize];
        for seed in 0..seeds {
            for r in fill(k, n, seed) {
                counts[r as usize] += 1;
            }
        }
        let expected = seeds as f64 * k as f64 / n as f64;
        let sd = (seeds as f64 * 0.25 * 0.75).sqrt();
        let worst = counts
            .iter()
            .map(|&c| (c as f64 - expected).abs())
            .fold(0.0, f64::max);
        assert!(worst < 5.0 * sd, "worst deviation {worst}, sd {sd}");
    }
}

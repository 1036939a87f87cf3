//! A bounded, deterministic uniform sample of a run's replications (their
//! uncertain inputs and scalar outcomes): the data of the histograms, the
//! CDFs and the tornado charts, saved as `reservoir.csv` so `sezsim plot`
//! can redraw them without re-running the model.
//!
//! Every replication `r` gets a priority, uniform number `r` of its own
//! stream ([`PURPOSE`]); the reservoir keeps the `capacity` replications of
//! smallest priority (bottom-k sampling), which is a uniform random sample
//! without replacement, and all of them when there are no more. Hence:
//!
//! - the sample depends only on the seed, the replications run and the
//!   capacity: not on the thread count, nor on the order replications are
//!   offered in;
//! - reservoirs of disjoint parts of a run (shards) merge, by offering one's
//!   rows to the other, into exactly the reservoir of the whole run;
//! - drawing priorities changes no other random number of the run;
//! - memory is `capacity x (inputs + scalars)` values whatever the run
//!   length.

use std::collections::BinaryHeap;

use crate::uncertainty::{StreamCursor, StreamKey};

/// Replications kept by default: enough for a smooth histogram and rank
/// correlations with a standard error of about 0.01.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The purpose string of the priorities' random stream.
pub const PURPOSE: &str = "output.reservoir";

/// A reservoir being filled.
#[derive(Debug, Clone)]
pub struct Reservoir {
    capacity: usize,
    inputs: usize,
    scalars: usize,
    priorities: StreamCursor,
    /// Kept rows as (priority bits, replication, slot): a max-heap, so the
    /// row to evict is on top. Priorities are in (0, 1), where the order of
    /// the bits is the order of the numbers; the replication breaks ties.
    heap: BinaryHeap<(u64, u64, usize)>,
    /// Kept rows, `inputs` then `scalars` values each, by slot.
    values: Vec<f64>,
}

impl Reservoir {
    /// An empty reservoir keeping at most `capacity` (at least 1)
    /// replications, for a run with base seed `seed`. The first row offered
    /// fixes the numbers of inputs and scalars.
    pub fn new(capacity: usize, seed: u64) -> Self {
        Reservoir {
            capacity: capacity.max(1),
            inputs: 0,
            scalars: 0,
            priorities: StreamKey::new(seed, PURPOSE).cursor(),
            heap: BinaryHeap::new(),
            values: Vec::new(),
        }
    }

    /// Offer replication `replication`'s values (any order; each
    /// replication once).
    pub fn offer(&mut self, replication: u64, inputs: &[f64], scalars: &[f64]) {
        if self.heap.is_empty() {
            self.inputs = inputs.len();
            self.scalars = scalars.len();
        }
        debug_assert_eq!(inputs.len(), self.inputs);
        debug_assert_eq!(scalars.len(), self.scalars);
        let priority = self.priorities.uniform_at(replication).to_bits();
        let slot = if self.heap.len() < self.capacity {
            let slot = self.heap.len();
            self.values.extend_from_slice(inputs);
            self.values.extend_from_slice(scalars);
            slot
        } else {
            let &(top, top_replication, slot) = self.heap.peek().expect("full, so not empty");
            if (priority, replication) >= (top, top_replication) {
                return;
            }
            self.heap.pop();
            let width = self.inputs + self.scalars;
            let row = &mut self.values[slot * width..(slot + 1) * width];
            row[..self.inputs].copy_from_slice(inputs);
            row[self.inputs..].copy_from_slice(scalars);
            slot
        };
        self.heap.push((priority, replication, slot));
    }

    /// Replications kept.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The kept rows in replication order: `(replication, inputs, scalars)`.
    pub fn rows(&self) -> Vec<(u64, &[f64], &[f64])> {
        let width = self.inputs + self.scalars;
        let mut kept: Vec<(u64, usize)> = self.heap.iter().map(|&(_, r, slot)| (r, slot)).collect();
        kept.sort_unstable();
        kept.into_iter()
            .map(|(r, slot)| {
                let row = &self.values[slot * width..(slot + 1) * width];
                (r, &row[..self.inputs], &row[self.inputs..])
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

    fn fill(capacity: usize, replications: impl Iterator<Item = u64>, seed: u64) -> Reservoir {
        let mut r = Reservoir::new(capacity, seed);
        for i in replications {
            r.offer(i, &[i as f64], &[2.0 * i as f64]);
        }
        r
    }

    fn kept(r: &Reservoir) -> Vec<u64> {
        r.rows().iter().map(|row| row.0).collect()
    }

    #[test]
    fn keeps_everything_up_to_capacity_in_order() {
        assert_eq!(kept(&fill(10, 0..7, 1)), (0..7).collect::<Vec<_>>());
        assert_eq!(kept(&fill(10, 0..10, 1)), (0..10).collect::<Vec<_>>());
        let mut r = Reservoir::new(4, 1);
        for i in [2, 0, 1] {
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
    fn bounded_deterministic_seeded_and_order_free() {
        let a = fill(100, 0..5000, 7);
        assert_eq!(a.len(), 100);
        let rows = kept(&a);
        assert!(
            rows.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert_eq!(rows, kept(&fill(100, 0..5000, 7)));
        assert_ne!(rows, kept(&fill(100, 0..5000, 8)));
        // Any order gives the same sample, and so do parts merged.
        assert_eq!(rows, kept(&fill(100, (0..5000).rev(), 7)));
        let mut merged = fill(100, 2500..5000, 7);
        for (r, i, s) in fill(100, 0..2500, 7).rows() {
            merged.offer(r, i, s);
        }
        assert_eq!(
            merged.to_csv(&["a".into()], &["y".into()]),
            a.to_csv(&["a".into()], &["y".into()])
        );
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
            for r in kept(&fill(k, 0..n, seed)) {
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

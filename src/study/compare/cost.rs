//! Cost-effectiveness: what a variant gains per USD million of public cost,
//! from the same paired replications as its differences.
//!
//! For an outcome `a` (exports, value added, job-years, jobs) and the
//! public cost `b` (`public_cost_pv`), each replication gives the paired
//! differences `a_r = variant_r - base_r` and `b_r`. The gain per USD
//! million is the ratio of their means, `mean(a) / mean(b)`, and its 95%
//! interval is Fieller's: the values of `theta` for which `mean(a) - theta
//! mean(b)` is not distinguishable from zero,
//!
//! ```text
//! (mean(a) - theta mean(b))^2 <= z^2 (s_aa - 2 theta s_ab + theta^2 s_bb) / n
//! ```
//!
//! a quadratic in `theta` whose roots bound the interval when the cost
//! difference itself is distinguishable from zero (`mean(b)^2 > z^2 s_bb /
//! n`). Otherwise no finite interval exists (the ratio could be anything,
//! or the cost is the same in both), and none is reported. With a cost
//! difference far from zero, Fieller's interval is the delta method's; near
//! zero it is the honest one.

use super::Z95;
use crate::engine::stats::ExactSum;

/// The outcomes whose gain per public dollar `compare` reports.
pub const OUTCOMES: [&str; 4] = [
    "exports_cumulative",
    "value_added_cumulative",
    "job_years",
    "employment_final",
];

/// The public cost the gains are set against (USD million, present value).
pub const COST: &str = "public_cost_pv";

/// Sums of paired differences and their cross-products, for the outcome
/// and cost scalars of one variant, added replication by replication
/// (exact sums, so the result does not depend on how the run was cut).
#[derive(Debug)]
pub struct CrossMoments {
    /// Scalar indices of the outcomes, and of the cost.
    outcomes: Vec<usize>,
    cost: usize,
    /// Shifts (the first replication's differences), keeping the sums free
    /// of cancellation.
    shifts: Option<(Vec<f64>, f64)>,
    /// Per outcome: sum of (a - shift_a), of (a - shift_a)^2 and of
    /// (a - shift_a)(b - shift_b); and sum of (b - shift_b), (b - shift_b)^2.
    a: Vec<ExactSum>,
    aa: Vec<ExactSum>,
    ab: Vec<ExactSum>,
    b: ExactSum,
    bb: ExactSum,
    n: u64,
}

impl CrossMoments {
    /// Cross-moments of the outcome scalars `outcomes` with the cost scalar
    /// `cost` (indices into a replication's scalars).
    pub fn new(outcomes: Vec<usize>, cost: usize) -> Self {
        let k = outcomes.len();
        CrossMoments {
            outcomes,
            cost,
            shifts: None,
            a: vec![ExactSum::new(); k],
            aa: vec![ExactSum::new(); k],
            ab: vec![ExactSum::new(); k],
            b: ExactSum::new(),
            bb: ExactSum::new(),
            n: 0,
        }
    }

    /// Add one replication: the base's and the variant's scalars.
    pub fn add(&mut self, base: &[f64], variant: &[f64]) {
        let diff = |s: usize| variant[s] - base[s];
        let (shift_a, shift_b) = self.shifts.get_or_insert_with(|| {
            (
                self.outcomes.iter().map(|&s| diff(s)).collect(),
                diff(self.cost),
            )
        });
        let b = diff(self.cost) - *shift_b;
        self.b.add(b);
        self.bb.add(b * b);
        for (k, &s) in self.outcomes.iter().enumerate() {
            let a = diff(s) - shift_a[k];
            self.a[k].add(a);
            self.aa[k].add(a * a);
            self.ab[k].add(a * b);
        }
        self.n += 1;
    }

    /// The cost-effectiveness of each outcome, in the order given.
    pub fn finish(&self) -> Vec<CostEffect> {
        let n = self.n as f64;
        let (shift_a, shift_b) = self.shifts.clone().unwrap_or_default();
        let b_mean = self.b.value() / n;
        let s_bb = covariance(self.bb.value(), b_mean, b_mean, n).max(0.0);
        (0..self.outcomes.len())
            .map(|k| {
                let a_mean = self.a[k].value() / n;
                let moments = PairedMoments {
                    n: self.n,
                    mean_a: a_mean + shift_a.get(k).copied().unwrap_or(0.0),
                    mean_b: b_mean + shift_b,
                    s_aa: covariance(self.aa[k].value(), a_mean, a_mean, n).max(0.0),
                    s_bb,
                    s_ab: covariance(self.ab[k].value(), a_mean, b_mean, n),
                };
                moments.cost_effect()
            })
            .collect()
    }
}

/// The sample covariance (divisor n - 1) of shifted values from the sum of
/// their products and their means; 0 with fewer than two values. (A
/// variance from it is clamped at 0 by the caller: rounding can leave a
/// tiny negative.)
fn covariance(sum_products: f64, mean_x: f64, mean_y: f64, n: f64) -> f64 {
    if n < 2.0 {
        return 0.0;
    }
    (sum_products - n * mean_x * mean_y) / (n - 1.0)
}

/// The cost-effectiveness of every variant of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CostEffectiveness {
    /// The outcomes (of [`OUTCOMES`], those the model records).
    pub outcomes: Vec<String>,
    /// `effects[v][k]`: variant `v + 1`, outcome `k`.
    pub effects: Vec<Vec<CostEffect>>,
}

impl CostEffectiveness {
    /// The scalar indices of the outcomes and the cost, if the model
    /// records the cost and at least one of the outcomes.
    pub fn scalars(names: &[String]) -> Option<(Vec<String>, Vec<usize>, usize)> {
        let index = |n: &str| names.iter().position(|s| s == n);
        let cost = index(COST)?;
        let (outcomes, indices): (Vec<String>, Vec<usize>) = OUTCOMES
            .iter()
            .filter_map(|&o| index(o).map(|i| (o.to_string(), i)))
            .unzip();
        (!outcomes.is_empty()).then_some((outcomes, indices, cost))
    }
}

/// Means and (co)variances of paired differences: `a` an outcome's, `b`
/// the cost's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedMoments {
    /// Replications.
    pub n: u64,
    /// Mean of the outcome's differences.
    pub mean_a: f64,
    /// Mean of the cost's differences.
    pub mean_b: f64,
    /// Variance of the outcome's differences.
    pub s_aa: f64,
    /// Variance of the cost's differences.
    pub s_bb: f64,
    /// Their covariance.
    pub s_ab: f64,
}

/// Why a gain per USD million has no interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoInterval {
    /// The variant costs the same as the base in every replication.
    NoCostChange,
    /// The cost difference is not distinguishable from zero at 95%: the
    /// ratio is unbounded.
    CostIndistinguishable,
}

/// A variant's gain in one outcome per USD million of public cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostEffect {
    /// Mean paired difference of the outcome.
    pub outcome_diff: f64,
    /// Mean paired difference of the public cost, USD million.
    pub cost_diff: f64,
    /// Outcome gained per USD million (ratio of the means); `None` when the
    /// cost does not change.
    pub per_musd: Option<f64>,
    /// Its 95% interval (Fieller), or why there is none.
    pub interval: Result<(f64, f64), NoInterval>,
}

impl PairedMoments {
    /// The ratio of the means and its Fieller interval at 95%.
    pub fn cost_effect(&self) -> CostEffect {
        let (a, b) = (self.mean_a, self.mean_b);
        let per_musd = (b != 0.0).then(|| a / b);
        let n = self.n as f64;
        let z2 = Z95 * Z95 / n;
        let interval = if b == 0.0 && self.s_bb == 0.0 {
            Err(NoInterval::NoCostChange)
        } else {
            // (b^2 - z2 s_bb) t^2 - 2 (a b - z2 s_ab) t + (a^2 - z2 s_aa) <= 0
            let qa = b * b - z2 * self.s_bb;
            let qb = a * b - z2 * self.s_ab;
            let qc = a * a - z2 * self.s_aa;
            if qa <= 0.0 {
                Err(NoInterval::CostIndistinguishable)
            } else {
                // The ratio a / b itself always lies in the set, so the
                // discriminant is >= 0 but for rounding (a exactly
                // proportional to b makes it 0).
                let root = (qb * qb - qa * qc).max(0.0).sqrt();
                Ok(((qb - root) / qa, (qb + root) / qa))
            }
        };
        CostEffect {
            outcome_diff: a,
            cost_diff: b,
            per_musd,
            interval,
        }
    }
}

impl NoInterval {
    /// Why, in words (compare.md).
    pub fn reason(self) -> &'static str {
        match self {
            NoInterval::NoCostChange => {
                "the variant costs the public purse the same as the base in every replication, so there is no cost to divide by"
            }
            NoInterval::CostIndistinguishable => {
                "the cost difference is not distinguishable from zero at 95%, so the gain per USD million could be any size"
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A cost difference of 0.1 with an sd of 5 over 100 replications: its
    /// standard error (0.5) dwarfs it.
    pub(in super::super) fn noisy_cost() -> CostEffect {
        PairedMoments {
            n: 100,
            mean_a: 3.0,
            mean_b: 0.1,
            s_aa: 1.0,
            s_bb: 25.0,
            s_ab: 0.0,
        }
        .cost_effect()
    }

    /// Paired differences over 5 replications: outcome a, cost b.
    fn moments_of(a: &[f64], b: &[f64]) -> PairedMoments {
        let mut m = CrossMoments::new(vec![0], 1);
        let zero = [0.0, 0.0];
        for (x, y) in a.iter().zip(b) {
            m.add(&zero, &[*x, *y]);
        }
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov = |x: &[f64], mx: f64, y: &[f64], my: f64| {
            x.iter()
                .zip(y)
                .map(|(u, v)| (u - mx) * (v - my))
                .sum::<f64>()
                / (n - 1.0)
        };
        let expected = PairedMoments {
            n: a.len() as u64,
            mean_a: ma,
            mean_b: mb,
            s_aa: cov(a, ma, a, ma),
            s_bb: cov(b, mb, b, mb),
            s_ab: cov(a, ma, b, mb),
        };
        let effect = m.finish()[0];
        assert!((effect.outcome_diff - ma).abs() < 1e-12);
        assert!((effect.cost_diff - mb).abs() < 1e-12);
        expected
    }

    #[test]
    fn fieller_interval_by_hand() {
        // a = 10, 12, 8, 11, 9 (mean 10, var 2.5); b = 2, 2.4, 1.6, 2.2, 1.8
        // (mean 2, var 0.1); cov(a, b) = 0.5. With z2 = 1.96^2 / 5 the
        // quadratic (4 - 0.1 z2) t^2 - 2 (20 - 0.5 z2) t + (100 - 2.5 z2)
        // is (4 - 0.1 z2) (t - 5)^2, since a is exactly 5 b: both ends of
        // the interval are 5.
        let a = [10.0, 12.0, 8.0, 11.0, 9.0];
        let b = [2.0, 2.4, 1.6, 2.2, 1.8];
        let m = moments_of(&a, &b);
        let e = m.cost_effect();
        assert_eq!(e.per_musd, Some(5.0));
        let (lo, hi) = e.interval.unwrap();
        assert!(
            (lo - 5.0).abs() < 1e-9 && (hi - 5.0).abs() < 1e-9,
            "{lo} {hi}"
        );

        // Independent noise: the interval by the quadratic formula.
        let a = [10.0, 13.0, 8.0, 11.0, 8.0];
        let b = [2.0, 2.2, 1.8, 2.1, 1.9];
        let m = moments_of(&a, &b);
        let z2 = 1.96f64 * 1.96 / 5.0;
        let (qa, qb, qc) = (
            m.mean_b * m.mean_b - z2 * m.s_bb,
            m.mean_a * m.mean_b - z2 * m.s_ab,
            m.mean_a * m.mean_a - z2 * m.s_aa,
        );
        let root = (qb * qb - qa * qc).sqrt();
        let (lo, hi) = m.cost_effect().interval.unwrap();
        assert!((lo - (qb - root) / qa).abs() < 1e-12);
        assert!((hi - (qb + root) / qa).abs() < 1e-12);
        assert!(lo < m.mean_a / m.mean_b && m.mean_a / m.mean_b < hi);
    }

    #[test]
    fn a_pure_cost_gains_exactly_nothing_with_a_finite_interval() {
        let e = PairedMoments {
            n: 100,
            mean_a: 0.0,
            mean_b: 15.0,
            s_aa: 0.0,
            s_bb: 0.0,
            s_ab: 0.0,
        }
        .cost_effect();
        assert_eq!(e.per_musd, Some(0.0));
        assert_eq!(e.interval, Ok((0.0, 0.0)));
    }

    #[test]
    fn no_cost_change_or_an_indistinguishable_one_has_no_interval() {
        let same = PairedMoments {
            n: 100,
            mean_a: 3.0,
            mean_b: 0.0,
            s_aa: 1.0,
            s_bb: 0.0,
            s_ab: 0.0,
        }
        .cost_effect();
        assert_eq!(same.per_musd, None);
        assert_eq!(same.interval, Err(NoInterval::NoCostChange));
        let noisy = noisy_cost();
        assert_eq!(noisy.per_musd, Some(30.0));
        assert_eq!(noisy.interval, Err(NoInterval::CostIndistinguishable));
    }
}

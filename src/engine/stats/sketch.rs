//! [`QuantileSketch`]: quantiles exact up to [`EXACT_QUANTILE_LIMIT`]
//! values, then from a log-linear histogram, merged exactly.

#[cfg(doc)]
use super::buckets::bucket_code;
use super::buckets::{
    CODE_NAN, CODE_NEGATIVE_BASE, CODE_NEGATIVE_INFINITY, CODE_POSITIVE_BASE,
    CODE_POSITIVE_INFINITY, CODE_ZERO, Store, bucket_midpoint, magnitude_key,
};
use super::{EXACT_QUANTILE_LIMIT, INFINITY_BITS, SIGN_BIT, SKETCH_RELATIVE_ACCURACY};
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};

/// A mergeable quantile sketch.
///
/// - Made with [`QuantileSketch::new`], up to [`EXACT_QUANTILE_LIMIT`]
///   values it stores them, and [`QuantileSketch::quantiles`] is exact
///   (type 7, below). The engine makes its sketches this way for runs of
///   at most that many replications, and with
///   [`QuantileSketch::new_bucketed`] for longer runs, so a run's
///   quantiles are exact exactly when it has at most 1,024 replications.
/// - Beyond, values go to buckets of a log-linear histogram: a magnitude's
///   bucket is its `f64` bit pattern shifted right by
///   `52 - SKETCH_SUB_BUCKET_BITS` bits (its binary exponent and top 8
///   mantissa bits), i.e. DDSketch with a bitwise linearly interpolated
///   index mapping. Negative values have their own buckets; zeros and
///   infinities are counted exactly; NaN is not stored (the caller reports
///   it).
///
/// **Quantile definition**: Hyndman and Fan type 7 (R's default, NumPy's
/// `linear`): with sorted values `x_0 <= ... <= x_{n-1}`, `h = q (n - 1)`,
/// `Q(q) = x_lo + (h - lo) (x_hi - x_lo)`, `lo = floor(h)`, `hi = ceil(h)`.
///
/// **Accuracy** beyond the exact limit: `x_lo` and `x_hi` are replaced by
/// their buckets' midpoints clamped to `[min, max]`, each within relative
/// error `alpha =` [`SKETCH_RELATIVE_ACCURACY`] (2^-9, about 0.195%). Hence
/// `|Q_est - Q(q)| <= alpha * max(|x_lo|, |x_hi|)`: a relative error of at
/// most alpha whenever `x_lo` and `x_hi` have the same sign. Rank error: none
/// beyond ties within a bucket. The guarantee holds for magnitudes
/// `>= f64::MIN_POSITIVE` while one sign's values span at most 256 binary
/// octaves (otherwise the smallest magnitudes are folded together).
///
/// Memory: 4 bytes per bucket between a sign's smallest and largest
/// magnitude: 1 KiB per octave spanned. Counts are `u32`: at most
/// `u32::MAX` values per sketch.
///
/// The state depends only on the multiset of values added, so
/// [`QuantileSketch::merge`] is exact, associative and commutative.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuantileSketch {
    /// Non-NaN values added.
    pub(super) count: u64,
    /// Whether values go to buckets (else to `exact`).
    bucketed: bool,
    /// The values themselves, until bucketed.
    exact: Vec<f64>,
    positive: Store,
    negative: Store,
    zeros: u64,
    positive_infinite: u64,
    negative_infinite: u64,
}

impl QuantileSketch {
    /// An empty sketch that keeps values exactly up to
    /// [`EXACT_QUANTILE_LIMIT`], then buckets them.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sketch that buckets from the first value (for runs known
    /// to exceed the exact limit; gives the same state as [`Self::new`]
    /// once that has spilled).
    pub fn new_bucketed() -> Self {
        QuantileSketch {
            bucketed: true,
            ..Self::default()
        }
    }

    /// Non-NaN values added (the engine counts them itself; tests check
    /// the sketch's own count).
    #[cfg(test)]
    pub fn count(&self) -> u64 {
        self.count
    }

    fn is_exact(&self) -> bool {
        !self.bucketed
    }

    /// Add every non-NaN value of `values`.
    pub fn insert_slice(&mut self, values: &[f64]) {
        if self.is_exact() {
            let added = values.iter().filter(|x| !x.is_nan()).count() as u64;
            if self.count + added <= EXACT_QUANTILE_LIMIT as u64 {
                self.exact.extend(values.iter().filter(|x| !x.is_nan()));
                self.count += added;
                return;
            }
            self.spill_exact();
        }
        self.insert_bucketed_slice(values);
    }

    /// Infinite values added.
    pub fn infinite_count(&self) -> u64 {
        self.positive_infinite + self.negative_infinite
    }

    /// Add values given by their [`bucket_code`]s; returns how many were
    /// NaN (skipped). Buckets from now on, like [`Self::new_bucketed`].
    pub fn insert_codes(&mut self, codes: &[u32]) -> u64 {
        let mut nan = 0;
        if self.is_exact() {
            self.spill_exact();
        }
        let mut i = 0;
        while i < codes.len() {
            // The hot loop: positive codes within the positive store's
            // range, with the store's fields in locals.
            let base = i64::from(CODE_POSITIVE_BASE) + self.positive.offset;
            let bins = self.positive.bins.as_mut_slice();
            let start = i;
            while let Some(&code) = codes.get(i) {
                let index = (i64::from(code) - base) as u64 as usize;
                match bins.get_mut(index) {
                    Some(bin) => *bin += 1,
                    None => break,
                }
                i += 1;
            }
            self.count += (i - start) as u64;
            if let Some(&code) = codes.get(i) {
                if code == CODE_NAN {
                    nan += 1;
                } else {
                    self.insert_code(code);
                }
                i += 1;
            }
        }
        nan
    }

    fn insert_code(&mut self, code: u32) {
        match code {
            CODE_NAN => return,
            CODE_ZERO => self.zeros += 1,
            CODE_POSITIVE_INFINITY => self.positive_infinite += 1,
            CODE_NEGATIVE_INFINITY => self.negative_infinite += 1,
            c if c >= CODE_POSITIVE_BASE => self.positive.add(i64::from(c - CODE_POSITIVE_BASE)),
            c => self.negative.add(i64::from(c - CODE_NEGATIVE_BASE)),
        }
        self.count += 1;
    }

    /// The hot loop: positive finite values that fall in the positive
    /// store's current range are counted with the store's fields held in
    /// locals (through `&mut self` the compiler would reload them after
    /// every count); anything else takes [`QuantileSketch::insert_bucketed`].
    fn insert_bucketed_slice(&mut self, values: &[f64]) {
        let mut i = 0;
        while i < values.len() {
            let offset = self.positive.offset;
            let bins = self.positive.bins.as_mut_slice();
            let start = i;
            while let Some(&x) = values.get(i) {
                let bits = x.to_bits();
                let index = magnitude_key(bits).wrapping_sub(offset) as u64 as usize;
                // bits - 1 < INFINITY_BITS - 1: positive, non-zero, finite.
                match bins.get_mut(index) {
                    Some(bin) if bits.wrapping_sub(1) < INFINITY_BITS - 1 => *bin += 1,
                    _ => break,
                }
                i += 1;
            }
            self.count += (i - start) as u64;
            if let Some(&x) = values.get(i) {
                self.insert_bucketed(x);
                i += 1;
            }
        }
    }

    /// Move the stored exact values into buckets.
    fn spill_exact(&mut self) {
        self.bucketed = true;
        let exact = std::mem::take(&mut self.exact);
        // Keep `count` consistent: insert_bucketed adds to it again.
        self.count -= exact.len() as u64;
        for x in exact {
            self.insert_bucketed(x);
        }
    }

    #[inline(always)]
    fn insert_bucketed(&mut self, x: f64) {
        let bits = x.to_bits();
        let magnitude = bits & !SIGN_BIT;
        if magnitude == 0 {
            self.zeros += 1;
        } else if magnitude < INFINITY_BITS {
            let key = magnitude_key(magnitude);
            if bits & SIGN_BIT == 0 {
                self.positive.add(key);
            } else {
                self.negative.add(key);
            }
        } else if magnitude == INFINITY_BITS {
            if bits & SIGN_BIT == 0 {
                self.positive_infinite += 1;
            } else {
                self.negative_infinite += 1;
            }
        } else {
            return; // NaN
        }
        self.count += 1;
    }

    /// Add the values of `other`.
    pub fn merge(&mut self, other: &QuantileSketch) {
        if self.is_exact()
            && other.is_exact()
            && self.count + other.count <= EXACT_QUANTILE_LIMIT as u64
        {
            self.exact.extend_from_slice(&other.exact);
            self.count += other.count;
            return;
        }
        if self.is_exact() {
            self.spill_exact();
        }
        if other.is_exact() {
            for &x in &other.exact {
                self.insert_bucketed(x);
            }
            return;
        }
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zeros += other.zeros;
        self.positive_infinite += other.positive_infinite;
        self.negative_infinite += other.negative_infinite;
        self.count += other.count;
    }

    /// Type 7 quantiles at each level of `levels` (each in `[0, 1]`); `min`
    /// and `max` are the exact extremes, which clamp bucket estimates. NaN
    /// for every level if the sketch is empty.
    pub fn quantiles(&self, levels: &[f64], min: f64, max: f64) -> Vec<f64> {
        if self.count == 0 {
            return vec![f64::NAN; levels.len()];
        }
        let last = self.count - 1;
        // Type 7 positions: (lo, hi, fraction) per level.
        let positions: Vec<(u64, u64, f64)> = levels
            .iter()
            .map(|&q| {
                let h = q * last as f64;
                let lo = (h.floor() as u64).min(last);
                (lo, (lo + 1).min(last), h - lo as f64)
            })
            .collect();
        let mut ranks: Vec<u64> = positions.iter().flat_map(|&(lo, hi, _)| [lo, hi]).collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values = if self.is_exact() {
            let mut v = self.exact.clone();
            v.sort_unstable_by(f64::total_cmp);
            ranks.iter().map(|&r| v[r as usize]).collect()
        } else {
            self.values_at_ranks(&ranks)
                .into_iter()
                .map(|x| x.clamp(min, max))
                .collect::<Vec<f64>>()
        };
        let at = |rank: u64| values[ranks.binary_search(&rank).expect("rank was collected")];
        positions
            .iter()
            .map(|&(lo, hi, fraction)| {
                let x_lo = at(lo);
                if fraction == 0.0 {
                    return x_lo;
                }
                let x_hi = at(hi);
                if x_lo == x_hi {
                    x_lo
                } else {
                    x_lo + fraction * (x_hi - x_lo)
                }
            })
            .collect()
    }

    /// A distribution-free 95% interval for the quantile at each level of
    /// `levels`: the order statistics whose ranks the binomial distribution
    /// of the count below the true quantile puts at 2.5% and 97.5%
    /// ([`order_statistic_ranks`]), each covering it with probability at
    /// least 97.5%. Read from buckets, each bound is moved outward by the
    /// sketch's relative accuracy, so the interval keeps its coverage.
    /// `min` and `max` are the exact extremes; a bound beyond the data
    /// (too few values for a 2.5% tail) is the extreme. NaN for an empty
    /// sketch.
    pub fn quantile_intervals(&self, levels: &[f64], min: f64, max: f64) -> Vec<(f64, f64)> {
        if self.count == 0 {
            return vec![(f64::NAN, f64::NAN); levels.len()];
        }
        let bounds: Vec<(u64, u64)> = levels
            .iter()
            .map(|&q| order_statistic_ranks(self.count, q))
            .collect();
        let mut ranks: Vec<u64> = bounds.iter().flat_map(|&(lo, hi)| [lo, hi]).collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values: Vec<f64> = if self.is_exact() {
            let mut v = self.exact.clone();
            v.sort_unstable_by(f64::total_cmp);
            ranks.iter().map(|&r| v[r as usize]).collect()
        } else {
            let widen = SKETCH_RELATIVE_ACCURACY;
            let estimates = self.values_at_ranks(&ranks);
            // Each rank is used as a lower bound, an upper bound or both:
            // keep both widenings and pick per use below.
            return bounds
                .iter()
                .map(|&(lo, hi)| {
                    // `ranks` holds every bound (sorted, deduplicated
                    // above), so the position found is the rank's own.
                    let at = |r: u64| estimates[ranks.partition_point(|&x| x < r)];
                    let (a, b) = (at(lo), at(hi));
                    (
                        (a - widen * a.abs()).clamp(min, max),
                        (b + widen * b.abs()).clamp(min, max),
                    )
                })
                .collect();
        };
        let at = |r: u64| values[ranks.partition_point(|&x| x < r)];
        bounds.iter().map(|&(lo, hi)| (at(lo), at(hi))).collect()
    }

    /// Bucket estimates of the values of 0-based `ranks` (ascending, each
    /// below `count`; bucketed mode), in one pass over the buckets in
    /// ascending value order.
    fn values_at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let mut walk = RankWalk {
            ranks,
            values: Vec::with_capacity(ranks.len()),
            below: 0,
        };
        walk.bucket(self.negative_infinite, f64::NEG_INFINITY);
        // Most negative first: largest magnitude first.
        let negative = &self.negative;
        walk.store(&negative.bins, true, |i| {
            -bucket_midpoint(negative.offset + i as i64)
        });
        walk.bucket(self.zeros, 0.0);
        let positive = &self.positive;
        walk.store(&positive.bins, false, |i| {
            bucket_midpoint(positive.offset + i as i64)
        });
        walk.bucket(self.positive_infinite, f64::INFINITY);
        walk.values
    }
}

/// A walk over buckets in ascending value order that picks the value of
/// each wanted rank: the bucket where the count of values so far first
/// exceeds the rank.
struct RankWalk<'a> {
    /// Wanted 0-based ranks, ascending.
    ranks: &'a [u64],
    /// The value of each rank found so far.
    values: Vec<f64>,
    /// Values in the buckets walked.
    below: u64,
}

impl RankWalk<'_> {
    /// Bins summed at once where no wanted rank falls in them: a store
    /// spans thousands of mostly empty bins, and a sweep reads a few
    /// ranks of every cell of every point.
    const BLOCK: usize = 64;

    /// Walk one bucket of `count` values, all estimated by `value`.
    fn bucket(&mut self, count: u64, value: f64) {
        self.below += count;
        while self.values.len() < self.ranks.len() && self.ranks[self.values.len()] < self.below {
            self.values.push(value);
        }
    }

    /// Walk `bins` (backwards if `reverse`), the value of bin `i` being
    /// `value(i)`; blocks that hold no wanted rank are skipped whole.
    fn store(&mut self, bins: &[u32], reverse: bool, value: impl Fn(usize) -> f64) {
        let n = bins.len();
        let mut start = 0;
        while start < n {
            let Some(&next) = self.ranks.get(self.values.len()) else {
                return;
            };
            let end = (start + Self::BLOCK).min(n);
            let block = if reverse {
                &bins[n - end..n - start]
            } else {
                &bins[start..end]
            };
            let sum: u64 = block.iter().map(|&c| u64::from(c)).sum();
            if self.below + sum <= next {
                self.below += sum;
            } else {
                for position in start..end {
                    let i = if reverse { n - 1 - position } else { position };
                    self.bucket(u64::from(bins[i]), value(i));
                }
            }
            start = end;
        }
    }
}

/// The 0-based ranks of the order statistics that bound the quantile at
/// level `q` of `n` values with 95% confidence: with B ~ Binomial(n, q) the
/// number of values below the true quantile, the lower bound is the
/// order statistic just below B's 2.5% point and the upper one the order
/// statistic at its 97.5% point, so each misses with probability at most
/// 2.5%. Ranks are clamped to the data (`0..n`).
///
/// Every cell of a run has the same `n` and quantile levels, and each
/// inversion of the binomial CDF costs a bisection of incomplete beta
/// functions (a third of a run's time when done for every cell), so
/// answers are remembered per thread.
pub fn order_statistic_ranks(n: u64, q: f64) -> (u64, u64) {
    /// `((n, q's bits), ranks)`, oldest first.
    type Known = std::cell::RefCell<Vec<((u64, u64), (u64, u64))>>;
    thread_local! {
        static KNOWN: Known = const { std::cell::RefCell::new(Vec::new()) };
    }
    /// Enough for a run's levels at a few counts; older answers go first.
    const REMEMBERED: usize = 64;
    let key = (n, q.to_bits());
    if let Some(ranks) = KNOWN.with_borrow(|known| {
        known
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, ranks)| ranks)
    }) {
        return ranks;
    }
    let ranks = binomial_ranks(n, q);
    KNOWN.with_borrow_mut(|known| {
        if known.len() == REMEMBERED {
            known.remove(0);
        }
        known.push((key, ranks));
    });
    ranks
}

/// [`order_statistic_ranks`], computed.
fn binomial_ranks(n: u64, q: f64) -> (u64, u64) {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let last = n.saturating_sub(1);
    let Ok(b) = Binomial::new(q.clamp(0.0, 1.0), n) else {
        return (0, last);
    };
    if q <= 0.0 {
        return (0, 0);
    }
    if q >= 1.0 {
        return (last, last);
    }
    // inverse_cdf(p): the smallest k with P(B <= k) >= p.
    let lower = b.inverse_cdf(0.025);
    let upper = b.inverse_cdf(0.975);
    (lower.saturating_sub(1).min(last), upper.min(last))
}

// The binary form (see `crate::engine::codec`).

impl QuantileSketch {
    pub(crate) fn encode(&self, e: &mut Encoder) {
        e.u64(self.count);
        e.bool(self.bucketed);
        e.f64s(&self.exact);
        self.positive.encode(e);
        self.negative.encode(e);
        e.u64(self.zeros);
        e.u64(self.positive_infinite);
        e.u64(self.negative_infinite);
    }

    pub(crate) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let s = QuantileSketch {
            count: d.u64()?,
            bucketed: d.bool()?,
            exact: d.f64s()?,
            positive: Store::decode(d)?,
            negative: Store::decode(d)?,
            zeros: d.u64()?,
            positive_infinite: d.u64()?,
            negative_infinite: d.u64()?,
        };
        // `quantiles` walks the buckets for ranks below `count`: the parts
        // must add up to it exactly.
        let held = if s.bucketed {
            if !s.exact.is_empty() {
                return invalid("a bucketed sketch also holds exact values");
            }
            [
                s.positive.total(),
                s.negative.total(),
                s.zeros,
                s.positive_infinite,
                s.negative_infinite,
            ]
            .iter()
            .try_fold(0u64, |a, &b| a.checked_add(b))
        } else {
            if s.exact.len() > EXACT_QUANTILE_LIMIT || s.exact.iter().any(|x| x.is_nan()) {
                return invalid("an exact sketch holds too many values, or NaN");
            }
            // Exact mode keeps zeros and infinities among the values.
            let only_values = s.positive.bins.is_empty()
                && s.negative.bins.is_empty()
                && s.zeros == 0
                && s.positive_infinite == 0
                && s.negative_infinite == 0;
            only_values.then_some(s.exact.len() as u64)
        };
        if held != Some(s.count) {
            return invalid("a quantile sketch's counts do not add up");
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::super::buckets::MAX_STORE_BINS;
    use super::super::buckets::bucket_code;
    use super::super::{SKETCH_RELATIVE_ACCURACY, bucket_codes};
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, LogNormal, Normal, Uniform};

    /// Every rank read by the block-skipping walk is the bucket a walk of
    /// one bin at a time finds: values over 12 orders of magnitude, both
    /// signs, zeros and infinities, so blocks are skipped, entered and
    /// walked backwards.
    #[test]
    fn the_rank_walk_finds_the_bucket_of_every_rank() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let spread = LogNormal::new(0.0, 6.0).unwrap();
        let mut xs: Vec<f64> = (0..20_000)
            .map(|i| {
                let x: f64 = spread.sample(&mut rng);
                match i % 10 {
                    0 => 0.0,
                    1..=3 => -x,
                    _ => x,
                }
            })
            .collect();
        xs.extend([f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY]);
        let mut s = QuantileSketch::new();
        s.insert_slice(&xs);
        assert!(!s.is_exact());
        // One bin at a time, in ascending value order.
        let mut buckets: Vec<(u64, f64)> = vec![(s.negative_infinite, f64::NEG_INFINITY)];
        for (i, &c) in s.negative.bins.iter().enumerate().rev() {
            let key = s.negative.offset + i as i64;
            buckets.push((u64::from(c), -bucket_midpoint(key)));
        }
        buckets.push((s.zeros, 0.0));
        for (i, &c) in s.positive.bins.iter().enumerate() {
            let key = s.positive.offset + i as i64;
            buckets.push((u64::from(c), bucket_midpoint(key)));
        }
        buckets.push((s.positive_infinite, f64::INFINITY));
        let mut reference = Vec::new();
        for (count, value) in buckets {
            reference.extend(std::iter::repeat_n(value, count as usize));
        }
        assert_eq!(reference.len() as u64, s.count);
        let ranks: Vec<u64> = (0..s.count).step_by(7).chain([s.count - 1]).collect();
        let walked = s.values_at_ranks(&ranks);
        for (&r, &v) in ranks.iter().zip(&walked) {
            assert_eq!(v.to_bits(), reference[r as usize].to_bits(), "rank {r}");
        }
    }

    /// Type 7 on sorted data, the reference definition.
    fn type7(sorted: &[f64], q: f64) -> (f64, f64, f64) {
        let last = sorted.len() - 1;
        let h = q * last as f64;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(last);
        let v = sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]);
        (v, sorted[lo], sorted[hi])
    }

    fn check_sketch_accuracy(values: &mut [f64], levels: &[f64]) {
        let mut sketch = QuantileSketch::new();
        for c in values.chunks(1000) {
            sketch.insert_slice(c);
        }
        assert!(!sketch.is_exact());
        values.sort_unstable_by(f64::total_cmp);
        let (min, max) = (values[0], values[values.len() - 1]);
        let got = sketch.quantiles(levels, min, max);
        for (&q, &est) in levels.iter().zip(&got) {
            let (exact, lo, hi) = type7(values, q);
            let bound = SKETCH_RELATIVE_ACCURACY * lo.abs().max(hi.abs());
            // 1e-15 relative: rounding of the midpoint and interpolation.
            assert!(
                (est - exact).abs() <= bound * (1.0 + 1e-9) + exact.abs() * 1e-15,
                "q={q}: estimate {est}, exact {exact}, bound {bound}"
            );
        }
    }

    const LEVELS: [f64; 9] = [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0];

    #[test]
    fn sketch_accuracy_uniform() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let u = Uniform::new(0.0, 1000.0).unwrap();
        let mut xs: Vec<f64> = (0..100_000).map(|_| u.sample(&mut rng)).collect();
        check_sketch_accuracy(&mut xs, &LEVELS);
    }

    #[test]
    fn sketch_accuracy_lognormal() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let d = LogNormal::new(3.0, 1.5).unwrap();
        let mut xs: Vec<f64> = (0..100_000).map(|_| d.sample(&mut rng)).collect();
        check_sketch_accuracy(&mut xs, &LEVELS);
    }

    #[test]
    fn sketch_accuracy_signed_with_zeros() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let d = Normal::new(0.5, 2.0).unwrap();
        let mut xs: Vec<f64> = (0..100_000)
            .map(|i| if i % 10 == 0 { 0.0 } else { d.sample(&mut rng) })
            .collect();
        check_sketch_accuracy(&mut xs, &LEVELS);
    }

    #[test]
    fn sketch_is_exact_for_small_n() {
        let mut s = QuantileSketch::new();
        s.insert_slice(&[42.5]);
        assert_eq!(s.quantiles(&LEVELS, 42.5, 42.5), vec![42.5; LEVELS.len()]);
        let mut s = QuantileSketch::new();
        s.insert_slice(&[3.0, f64::NAN, 1.0]);
        s.insert_slice(&[2.0, 10.0]);
        assert_eq!(s.count(), 4);
        // Sorted 1, 2, 3, 10: h = 3q.
        let h = 0.9 * 3.0;
        let q90 = 3.0 + (h - 2.0) * (10.0 - 3.0);
        assert_eq!(
            s.quantiles(&[0.0, 0.5, 0.9, 1.0], 1.0, 10.0),
            vec![1.0, 2.5, q90, 10.0]
        );
        assert!(QuantileSketch::new().quantiles(&[0.5], 0.0, 0.0)[0].is_nan());
    }

    /// The median interval of `n` uniform values drawn with `seed`, from a
    /// bucketed sketch (or an exact one at `n` up to the exact limit).
    fn median_interval(n: usize, seed: u64) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let u = Uniform::new(0.0, 1.0).unwrap();
        let values: Vec<f64> = (0..n).map(|_| u.sample(&mut rng)).collect();
        let mut s = QuantileSketch::new();
        s.insert_slice(&values);
        s.quantile_intervals(&[0.5], 0.0, 1.0)[0]
    }

    #[test]
    fn order_statistic_intervals_cover_the_median_and_shrink_like_root_n() {
        // 95% intervals: over 50 seeds about 47.5 cover the true median 0.5
        // (more: the interval is conservative); at least 45 asked. Both in
        // exact mode (n = 1,000) and from buckets (n = 4,096 and 16,384).
        for n in [1_000, 4_096, 16_384] {
            let hits = (0..50u64)
                .filter(|&seed| {
                    let (lo, hi) = median_interval(n, seed);
                    lo <= 0.5 && 0.5 <= hi
                })
                .count();
            assert!(hits >= 45, "n = {n}: {hits} of 50");
        }
        // Width: 2 x 1.96 x sqrt(0.25 / n) for a uniform's median; four
        // times the values halve it. Averaged over the seeds, the ratio is
        // 0.5 within a few percent (rank rounding and the sketch's widening).
        let width = |n: usize| {
            (0..50u64)
                .map(|seed| {
                    let (lo, hi) = median_interval(n, seed);
                    hi - lo
                })
                .sum::<f64>()
                / 50.0
        };
        let (w4, w16) = (width(4_096), width(16_384));
        let expected = 2.0 * 1.959_964 * (0.25f64 / 4_096.0).sqrt();
        assert!((w4 / expected - 1.0).abs() < 0.1, "{w4} vs {expected}");
        assert!((w16 / w4 - 0.5).abs() < 0.05, "{w16} / {w4}");
    }

    #[test]
    fn order_statistic_ranks_by_hand() {
        // n = 1,000, q = 0.5: B ~ Binomial(1000, 0.5) has its 2.5% point at
        // 469 and its 97.5% point at 531 (sd 15.81, 500 -/+ 1.96 sd); the
        // interval runs from the 469th value (0-based 468) to the 532nd
        // (0-based 531).
        assert_eq!(order_statistic_ranks(1_000, 0.5), (468, 531));
        // Too few values for a tail: clamped to the data.
        assert_eq!(order_statistic_ranks(10, 0.99), (8, 9));
        assert_eq!(order_statistic_ranks(10, 0.0), (0, 0));
    }

    #[test]
    fn remembered_ranks_are_the_computed_ones() {
        // More (n, q) pairs than are remembered, asked twice in turn.
        let pairs: Vec<(u64, f64)> = (0..100)
            .map(|i| (1_000 + 37 * i, [0.05, 0.5, 0.95][i as usize % 3]))
            .collect();
        for _ in 0..2 {
            for &(n, q) in &pairs {
                assert_eq!(order_statistic_ranks(n, q), binomial_ranks(n, q), "{n} {q}");
            }
        }
    }

    #[test]
    fn sketch_merge_is_order_independent() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let d = Normal::new(10.0, 30.0).unwrap();
        let xs: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        let mut whole = QuantileSketch::new();
        whole.insert_slice(&xs);
        // Parts of every kind: exact-mode and bucketed, merged in reverse.
        let sizes = [500, 300, 5000, 200, 14_000];
        let mut parts = Vec::new();
        let mut start = 0;
        for s in sizes {
            let mut p = QuantileSketch::new();
            p.insert_slice(&xs[start..start + s]);
            parts.push(p);
            start += s;
        }
        let mut merged = QuantileSketch::new();
        for p in parts.iter().rev() {
            merged.merge(p);
        }
        let a = whole.quantiles(&LEVELS, -200.0, 200.0);
        let b = merged.quantiles(&LEVELS, -200.0, 200.0);
        assert_eq!(
            a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn codes_give_the_same_sketch_as_values() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let d = Normal::new(1.0, 3.0).unwrap();
        let mut xs: Vec<f64> = (0..5000).map(|_| d.sample(&mut rng)).collect();
        xs.extend([
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            5e-320,
            -5e-320,
        ]);
        let mut by_value = QuantileSketch::new();
        by_value.insert_slice(&xs);
        let mut by_code = QuantileSketch::new_bucketed();
        let codes: Vec<u32> = xs.iter().map(|&x| bucket_code(x)).collect();
        let mut batch = vec![0; xs.len() + 3];
        bucket_codes(&xs, &mut batch);
        assert_eq!(batch[..xs.len()], codes[..]);
        // Zeros and positives only: the first pass alone codes them.
        let plain = [3.0, 0.0, -0.0, 5e-320, f64::MIN_POSITIVE, 1e300, 0.0];
        let mut first_pass = [0; 7];
        bucket_codes(&plain, &mut first_pass);
        assert_eq!(first_pass, plain.map(bucket_code));
        by_code.insert_codes(&codes[..100]);
        by_code.insert_codes(&codes[100..]);
        assert_eq!(by_code.count(), xs.len() as u64 - 1);
        let levels: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
        let a = by_value.quantiles(&levels, f64::NEG_INFINITY, f64::INFINITY);
        let b = by_code.quantiles(&levels, f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(
            a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(b[0], f64::NEG_INFINITY);
        assert_eq!(b[100], f64::INFINITY);
    }

    #[test]
    fn store_folds_beyond_its_range() {
        let mut s = QuantileSketch::new();
        let mut xs: Vec<f64> = (0..2000).map(|i| 1.5f64.powi(i % 1000 - 500)).collect();
        xs.extend([1e-300, 1e300, 1e-300]);
        s.insert_slice(&xs);
        assert!(s.positive.bins.len() <= MAX_STORE_BINS);
        assert!(s.positive.folded);
        // Upper quantiles are unaffected by folding at the bottom.
        let top = s.quantiles(&[1.0], 1e-300, 1e300)[0];
        assert_eq!(top, 1e300);
        let mut t = QuantileSketch::new();
        t.insert_slice(&xs[..1500]);
        let mut u = QuantileSketch::new();
        u.insert_slice(&xs[1500..]);
        t.merge(&u);
        assert_eq!(
            t.quantiles(&LEVELS, 1e-300, 1e300),
            s.quantiles(&LEVELS, 1e-300, 1e300)
        );
    }
}

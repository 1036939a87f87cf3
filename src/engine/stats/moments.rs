//! [`Moments`] (count, mean, variance, extremes) and the per-chunk sums
//! ([`ChunkSums`]) they absorb, merged exactly through [`ExactSum`].

use super::ExactSum;
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};

/// A chunk's values reduced for [`Moments`], by [`ChunkSums::add`] in
/// replication order: a fixed function of the values and the shift, so it
/// is the same on any thread. (The engine runs this same arithmetic for all
/// cells of a replication at once, which vectorises across cells without
/// changing any cell's order of operations.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkSums {
    /// Number of values, finite or not.
    pub n: u64,
    /// Sum of `x - shift` over finite values.
    pub sum: f64,
    /// Sum of `(x - shift)^2` over finite values.
    pub sum_sq: f64,
    /// Smallest non-NaN value (`+inf` when none).
    pub min: f64,
    /// Largest non-NaN value (`-inf` when none).
    pub max: f64,
    /// NaN values.
    pub nan: u64,
    /// Infinite values.
    pub infinite: u64,
}

impl Default for ChunkSums {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkSums {
    /// No values.
    pub fn new() -> Self {
        ChunkSums {
            n: 0,
            sum: 0.0,
            sum_sq: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            nan: 0,
            infinite: 0,
        }
    }

    /// Add one value. Non-finite values add 0 to the sums and are counted.
    #[inline(always)]
    pub fn add(&mut self, x: f64, shift: f64) {
        let finite = x.is_finite();
        let d = if finite { x - shift } else { 0.0 };
        self.n += 1;
        self.sum += d;
        self.sum_sq += d * d;
        // NaN compares false: it never becomes the min or max.
        self.min = if x < self.min { x } else { self.min };
        self.max = if x > self.max { x } else { self.max };
        self.nan += u64::from(x.is_nan());
        self.infinite += u64::from(x.is_infinite());
    }

    /// Reduce `values` in order.
    pub fn of(values: &[f64], shift: f64) -> ChunkSums {
        let mut sums = ChunkSums::new();
        for &x in values {
            sums.add(x, shift);
        }
        sums
    }
}

/// Count, mean, variance, min and max of a stream of values, merged exactly
/// (see the module docs). NaN and infinite values are counted, and make the
/// mean and standard deviation NaN (or the mean infinite, if every
/// non-finite value is an infinity of one sign).
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    shift: f64,
    pub(super) n: u64,
    pub(super) nan: u64,
    infinite: u64,
    sum: ExactSum,
    sum_sq: ExactSum,
    min: f64,
    max: f64,
}

impl Moments {
    /// Empty moments whose sums are taken around `shift`. Any value works;
    /// one near the mean (such as one observed value) keeps the variance
    /// accurate. A non-finite shift is replaced by zero.
    pub fn new(shift: f64) -> Self {
        Moments {
            shift: if shift.is_finite() { shift } else { 0.0 },
            n: 0,
            nan: 0,
            infinite: 0,
            sum: ExactSum::new(),
            sum_sq: ExactSum::new(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// The shift the sums are taken around.
    pub fn shift(&self) -> f64 {
        self.shift
    }

    /// Add a chunk reduced with [`ChunkSums::of`] around [`Moments::shift`].
    pub fn absorb(&mut self, chunk: &ChunkSums) {
        self.n += chunk.n;
        self.nan += chunk.nan;
        self.infinite += chunk.infinite;
        self.sum.add(chunk.sum);
        self.sum_sq.add(chunk.sum_sq);
        self.min = self.min.min(chunk.min);
        self.max = self.max.max(chunk.max);
    }

    /// Add the values of `other`, which must have the same shift (the
    /// engine guarantees it; it is checked in debug builds).
    pub fn merge(&mut self, other: &Moments) {
        debug_assert_eq!(self.shift.to_bits(), other.shift.to_bits());
        self.n += other.n;
        self.nan += other.nan;
        self.infinite += other.infinite;
        self.sum.merge(&other.sum);
        self.sum_sq.merge(&other.sum_sq);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Whether any value was NaN.
    pub fn has_nan(&self) -> bool {
        self.nan > 0
    }

    /// Values that were NaN or infinite.
    pub fn non_finite(&self) -> u64 {
        self.nan + self.infinite
    }

    /// Mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.n == 0 || self.nan > 0 {
            return f64::NAN;
        }
        if self.infinite > 0 {
            // Both infinities present gives NaN, as their sum would.
            return if self.min == f64::NEG_INFINITY && self.max == f64::INFINITY {
                f64::NAN
            } else if self.max == f64::INFINITY {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            };
        }
        self.shift + self.sum.value() / self.n as f64
    }

    /// Sample variance (divisor `n - 1`); 0 for one value, NaN when empty
    /// or when any value is not finite.
    pub fn variance(&self) -> f64 {
        if self.n == 0 || self.nan > 0 || self.infinite > 0 {
            return f64::NAN;
        }
        if self.n == 1 {
            return 0.0;
        }
        let n = self.n as f64;
        let s = self.sum.value();
        let centred = self.sum_sq.value() - s * (s / n);
        (centred / (n - 1.0)).max(0.0)
    }

    /// Sample standard deviation (see [`Moments::variance`]).
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Smallest value; NaN if empty or any value was NaN.
    pub fn min(&self) -> f64 {
        if self.n == 0 || self.nan > 0 {
            f64::NAN
        } else {
            self.min
        }
    }

    /// Largest value; NaN if empty or any value was NaN.
    pub fn max(&self) -> f64 {
        if self.n == 0 || self.nan > 0 {
            f64::NAN
        } else {
            self.max
        }
    }
}

// The binary form (see `crate::engine::codec`).

impl Moments {
    pub(crate) fn encode(&self, e: &mut Encoder) {
        e.f64(self.shift);
        e.u64(self.n);
        e.u64(self.nan);
        e.u64(self.infinite);
        self.sum.encode(e);
        self.sum_sq.encode(e);
        e.f64(self.min);
        e.f64(self.max);
    }

    pub(crate) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let m = Moments {
            shift: d.f64()?,
            n: d.u64()?,
            nan: d.u64()?,
            infinite: d.u64()?,
            sum: ExactSum::decode(d)?,
            sum_sq: ExactSum::decode(d)?,
            min: d.f64()?,
            max: d.f64()?,
        };
        if !m.shift.is_finite() || m.nan.checked_add(m.infinite).is_none_or(|k| k > m.n) {
            return invalid("moments with an invalid shift or counts");
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    fn rel_err(a: f64, b: f64) -> f64 {
        if a == b {
            0.0
        } else {
            (a - b).abs() / a.abs().max(b.abs())
        }
    }

    #[test]
    fn chunk_sums_skip_non_finite() {
        let s = ChunkSums::of(&[1.0, f64::NAN, 3.0, f64::INFINITY], 1.0);
        assert_eq!(s.n, 4);
        assert_eq!(s.nan, 1);
        assert_eq!(s.infinite, 1);
        assert_eq!(s.sum, 2.0);
        assert_eq!(s.sum_sq, 4.0);
        assert_eq!((s.min, s.max), (1.0, f64::INFINITY));
        let mut m = Moments::new(1.0);
        m.absorb(&s);
        assert!(m.mean().is_nan() && m.min().is_nan());
        let mut m = Moments::new(0.0);
        m.absorb(&ChunkSums::of(&[1.0, f64::INFINITY], 0.0));
        assert_eq!(m.mean(), f64::INFINITY);
        assert!(m.sd().is_nan());
    }

    #[test]
    fn moments_match_two_pass() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let normal = Normal::new(1e4, 3.0).unwrap();
        let xs: Vec<f64> = (0..10_001).map(|_| normal.sample(&mut rng)).collect();
        // A poor shift on purpose: far from the mean relative to the sd.
        let mut m = Moments::new(xs[0] + 20.0);
        for c in xs.chunks(1024) {
            m.absorb(&ChunkSums::of(c, m.shift()));
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        assert!(rel_err(m.mean(), mean) < 1e-12);
        assert!(
            rel_err(m.variance(), var) < 1e-12,
            "{} {}",
            m.variance(),
            var
        );
        let one = {
            let mut m = Moments::new(5.0);
            m.absorb(&ChunkSums::of(&[5.0], 5.0));
            m
        };
        assert_eq!(
            (one.mean(), one.sd(), one.min(), one.max()),
            (5.0, 0.0, 5.0, 5.0)
        );
    }
}

//! [`ExactSum`]: a superaccumulator that adds and merges `f64` values
//! without rounding, so sums never depend on their order.

use super::SIGN_BIT;
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};

/// Limbs of 32 significant bits each: an `f64` spans bit positions
/// 0..2098 of a fixed-point number scaled by 2^-1074, plus 64 bits of
/// room for carries.
const LIMBS: usize = 68;
/// Adds between normalisations. After one, each limb is in `[0, 2^32)` and
/// each add moves a limb by less than `2^32`, so an `i64` limb cannot
/// overflow before `2^31` adds.
const MAX_PENDING: u32 = 1 << 30;

/// An exact sum of `f64` values: a fixed-point superaccumulator covering
/// the whole `f64` range, so additions and merges are exact, associative and
/// commutative. [`ExactSum::value`] rounds the exact sum to nearest.
///
/// Adding is a few integer operations; the engine adds once per chunk per
/// cell, not once per value.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactSum {
    limbs: [i64; LIMBS],
    pending: u32,
    /// Sum of the non-finite values added (`0.0` if none): infinities and
    /// NaN cannot be held in fixed point, and their `f64` sum is already
    /// order independent.
    non_finite: f64,
    has_non_finite: bool,
}

impl Default for ExactSum {
    fn default() -> Self {
        Self::new()
    }
}

impl ExactSum {
    /// Zero.
    pub fn new() -> Self {
        ExactSum {
            limbs: [0; LIMBS],
            pending: 0,
            non_finite: 0.0,
            has_non_finite: false,
        }
    }

    /// Add `x` exactly.
    pub fn add(&mut self, x: f64) {
        if x == 0.0 {
            return;
        }
        if !x.is_finite() {
            self.non_finite += x;
            self.has_non_finite = true;
            return;
        }
        if self.pending >= MAX_PENDING {
            self.normalize();
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7FF) as usize;
        let fraction = bits & ((1 << 52) - 1);
        // x = mantissa * 2^(position - 1074).
        let (mantissa, position) = if biased == 0 {
            (fraction, 0)
        } else {
            (fraction | (1 << 52), biased - 1)
        };
        let index = position / 32;
        let wide = u128::from(mantissa) << (position % 32);
        let parts = [
            (wide & 0xFFFF_FFFF) as i64,
            ((wide >> 32) & 0xFFFF_FFFF) as i64,
            (wide >> 64) as i64,
        ];
        let negative = bits & SIGN_BIT != 0;
        for (limb, part) in self.limbs[index..index + 3].iter_mut().zip(parts) {
            if negative {
                *limb -= part;
            } else {
                *limb += part;
            }
        }
        self.pending += 1;
    }

    /// Add another exact sum, exactly.
    pub fn merge(&mut self, other: &ExactSum) {
        if other.has_non_finite {
            self.non_finite += other.non_finite;
            self.has_non_finite = true;
        }
        if self.pending.saturating_add(other.pending) >= MAX_PENDING - 1 {
            let mut other = other.clone();
            other.normalize();
            self.normalize();
            self.add_limbs(&other);
            self.pending = 1;
        } else {
            self.add_limbs(other);
            self.pending += other.pending + 1;
        }
    }

    fn add_limbs(&mut self, other: &ExactSum) {
        for (a, b) in self.limbs.iter_mut().zip(other.limbs.iter()) {
            *a += b;
        }
    }

    /// Propagate carries: every limb but the top one into `[0, 2^32)`; the
    /// top limb carries the sign. The represented value does not change.
    fn normalize(&mut self) {
        for i in 0..LIMBS - 1 {
            let carry = self.limbs[i] >> 32;
            self.limbs[i] -= carry << 32;
            self.limbs[i + 1] += carry;
        }
        self.pending = 0;
    }

    /// The exact sum rounded to the nearest `f64` (ties to even; values in
    /// the subnormal range may be off by one unit in the last place). A
    /// pure function of the exact sum, so it is bit-reproducible.
    pub fn value(&self) -> f64 {
        if self.has_non_finite {
            return self.non_finite;
        }
        let mut sum = self.clone();
        sum.normalize();
        let negative = sum.limbs[LIMBS - 1] < 0;
        if negative {
            for limb in sum.limbs.iter_mut() {
                *limb = -*limb;
            }
            sum.normalize();
        }
        let Some(top) = sum.limbs.iter().rposition(|&l| l != 0) else {
            return 0.0;
        };
        // Limb 66 holds bit 2112 = 2^1038 onwards: beyond f64::MAX.
        if top >= 66 {
            return if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        // The top four limbs (128 bits, at least 97 significant), with a
        // sticky bit for anything below, round correctly in one conversion.
        let mut head: u128 = 0;
        for k in 0..4 {
            head <<= 32;
            if top >= k {
                head |= sum.limbs[top - k] as u128;
            }
        }
        if top >= 4 && sum.limbs[..top - 3].iter().any(|&l| l != 0) {
            head |= 1;
        }
        let exponent = 32 * top as i32 - 96 - 1074;
        let magnitude = scale_by_power_of_two(head as f64, exponent);
        if negative { -magnitude } else { magnitude }
    }
}

/// `x * 2^exponent`, in steps that cannot overflow or underflow early.
fn scale_by_power_of_two(mut x: f64, mut exponent: i32) -> f64 {
    let power = |e: i32| f64::from_bits(((e + 1023) as u64) << 52);
    while exponent > 1000 {
        x *= power(1000);
        exponent -= 1000;
    }
    while exponent < -1000 {
        x *= power(-1000);
        exponent += 1000;
    }
    x * power(exponent)
}

// The binary form (see `crate::engine::codec`).

impl ExactSum {
    /// Writes the limbs as they are (not normalised), so the state reads
    /// back identically; only the span of non-zero limbs is stored.
    pub(crate) fn encode(&self, e: &mut Encoder) {
        let first = self.limbs.iter().position(|&l| l != 0).unwrap_or(LIMBS);
        let end = self
            .limbs
            .iter()
            .rposition(|&l| l != 0)
            .map_or(first, |i| i + 1);
        e.len(first);
        e.len(end - first);
        for &limb in &self.limbs[first..end] {
            e.i64(limb);
        }
        e.u64(u64::from(self.pending));
        e.f64(self.non_finite);
        e.bool(self.has_non_finite);
    }

    pub(crate) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let mut sum = ExactSum::new();
        // `first` is a position, not a length: it need not fit in the bytes
        // that follow (an exact sum at the very end of the data).
        let first = usize::try_from(d.u64()?).unwrap_or(usize::MAX);
        let count = d.len(1)?;
        if first.checked_add(count).is_none_or(|end| end > LIMBS) {
            return invalid("an exact sum has too many limbs");
        }
        for limb in &mut sum.limbs[first..first + count] {
            *limb = d.i64()?;
        }
        sum.pending = d.u32()?;
        // Limbs stay below 2^32 in magnitude per pending add: more adds
        // than the limit could overflow on the next merge.
        if sum.pending >= MAX_PENDING {
            return invalid("an exact sum claims too many pending additions");
        }
        sum.non_finite = d.f64()?;
        sum.has_non_finite = d.bool()?;
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn exact_sum_matches_integer_reference() {
        // Values k * 2^-20 have exact i128 sums; the i128 -> f64 cast
        // rounds to nearest even, as ExactSum::value must.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let scale = 2f64.powi(-20);
        for _ in 0..50 {
            let mut exact = ExactSum::new();
            let mut reference: i128 = 0;
            for _ in 0..1000 {
                let k: i64 = rng.random_range(-(1i64 << 62)..(1i64 << 62));
                let x = k as f64; // rounds k; use the rounded value
                let k = x as i128;
                exact.add(x * scale);
                reference += k;
            }
            let expected = reference as f64 * scale;
            assert_eq!(exact.value().to_bits(), expected.to_bits());
        }
    }

    #[test]
    fn exact_sum_is_exact_under_cancellation() {
        let mut s = ExactSum::new();
        for x in [1e300, 1.0, -1e300, 1e-300, -1.0, 3.5e-310] {
            s.add(x);
        }
        assert_eq!(s.value(), 1e-300 + 3.5e-310);
        let mut t = ExactSum::new();
        t.add(f64::MAX);
        t.add(f64::MAX);
        assert_eq!(t.value(), f64::INFINITY);
        t.add(-f64::MAX);
        assert_eq!(t.value(), f64::MAX);
        let mut u = ExactSum::new();
        u.add(0.1);
        u.add(0.2);
        u.add(-0.3);
        // 0.1 + 0.2 - 0.3 in exact arithmetic on the f64 inputs is exactly
        // 2^-55 (checked with Python's fractions); naive f64 gives 2^-54.
        assert_eq!(u.value(), 2.0f64.powi(-55));
        assert_eq!(ExactSum::new().value(), 0.0);
    }

    #[test]
    fn exact_sum_merge_is_associative_and_survives_normalisation() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let normal = Normal::new(0.0, 1e6).unwrap();
        let xs: Vec<f64> = (0..3000).map(|_| normal.sample(&mut rng)).collect();
        let mut whole = ExactSum::new();
        xs.iter().for_each(|&x| whole.add(x));
        let mut parts: Vec<ExactSum> = xs
            .chunks(97)
            .map(|c| {
                let mut s = ExactSum::new();
                c.iter().for_each(|&x| s.add(x));
                s
            })
            .collect();
        parts[3].normalize();
        let mut merged = ExactSum::new();
        for p in parts.iter().rev() {
            merged.merge(p);
        }
        assert_eq!(merged.value().to_bits(), whole.value().to_bits());
        let mut pending = ExactSum::new();
        pending.pending = MAX_PENDING - 1;
        pending.add(2.0);
        pending.add(3.0);
        assert_eq!(pending.value(), 5.0);
    }
}

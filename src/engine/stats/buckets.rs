//! The buckets of the [`QuantileSketch`]: a value's bucket key and its
//! 4-byte bucket code, a bucket's midpoint, and the dense store of bucket
//! counts for one sign.

use super::{INFINITY_BITS, KEY_SHIFT, SIGN_BIT};
#[cfg(doc)]
use super::{QuantileSketch, SKETCH_RELATIVE_ACCURACY};
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};

/// Most buckets one sign's store keeps: a range of `2^16 / 2^8 = 256`
/// binary octaves. Beyond that the smallest magnitudes are folded into the
/// lowest bucket (and lose the accuracy guarantee), which bounds memory even
/// for pathological data.
pub(super) const MAX_STORE_BINS: usize = 1 << 16;

/// Dense bucket counts for one sign, keyed by the top bits of `|x|`'s bit
/// pattern. The top bucket is always the largest key seen (no padding
/// above), so the fold rule below depends only on the values seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Store {
    /// Key of `bins[0]`.
    pub(super) offset: i64,
    pub(super) bins: Vec<u32>,
    /// Keys below `offset` have been folded into `bins[0]`.
    pub(super) folded: bool,
}

impl Store {
    #[inline(always)]
    pub(super) fn add(&mut self, key: i64) {
        let index = key.wrapping_sub(self.offset) as u64 as usize;
        match self.bins.get_mut(index) {
            Some(bin) => *bin += 1,
            None => self.add_slow(key, 1),
        }
    }

    fn add_count(&mut self, key: i64, count: u32) {
        let index = key.wrapping_sub(self.offset) as u64 as usize;
        match self.bins.get_mut(index) {
            Some(bin) => *bin += count,
            None => self.add_slow(key, count),
        }
    }

    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, key: i64, count: u32) {
        if self.bins.is_empty() {
            self.offset = key;
            self.bins.push(count);
            return;
        }
        let top = self.offset + self.bins.len() as i64 - 1;
        if key > top {
            // Grow upwards exactly to the new largest key (Vec's growth
            // amortises this), then fold what fell out of range.
            self.bins.resize((key - self.offset + 1) as usize, 0);
            self.bins[(key - self.offset) as usize] += count;
            self.fold_to_limit();
        } else if self.folded || top - key >= MAX_STORE_BINS as i64 {
            // Below the range and the range is full: fold into the lowest
            // bucket the range keeps.
            // The range then starts exactly at the floor: the store spans
            // MAX_STORE_BINS keys and `bins[0]` holds every key <= floor.
            let floor = top - MAX_STORE_BINS as i64 + 1;
            if self.offset > floor {
                let pad = (self.offset - floor) as usize;
                self.bins.splice(0..0, std::iter::repeat_n(0, pad));
                self.offset = floor;
            }
            self.bins[0] += count;
            self.folded = true;
        } else {
            // Below the range: grow downwards with some slack (harmless,
            // the slack bins are empty), but never past the fold floor.
            let floor = top - MAX_STORE_BINS as i64 + 1;
            let new_offset = (key - self.bins.len() as i64 / 2 - 16).max(floor);
            let pad = (self.offset - new_offset) as usize;
            self.bins.splice(0..0, std::iter::repeat_n(0, pad));
            self.offset = new_offset;
            self.bins[(key - self.offset) as usize] += count;
        }
    }

    fn fold_to_limit(&mut self) {
        if self.bins.len() > MAX_STORE_BINS {
            let excess = self.bins.len() - MAX_STORE_BINS;
            let low: u32 = self.bins.drain(..excess).sum();
            self.bins[0] += low;
            self.offset += excess as i64;
            self.folded = true;
        }
    }

    pub(super) fn merge(&mut self, other: &Store) {
        for (i, &count) in other.bins.iter().enumerate() {
            if count > 0 {
                self.add_count(other.offset + i as i64, count);
            }
        }
    }
}

// Bucket codes: one `u32` per value, so the engine can move 4 bytes per
// value instead of 8 between simulating and merging. Magnitude keys are
// below 0x7FF00 < 2^20, so the ranges cannot overlap.
pub(super) const CODE_NAN: u32 = 0;
pub(super) const CODE_ZERO: u32 = 1;
pub(super) const CODE_POSITIVE_INFINITY: u32 = 2;
pub(super) const CODE_NEGATIVE_INFINITY: u32 = 3;
pub(super) const CODE_NEGATIVE_BASE: u32 = 1 << 29;
pub(super) const CODE_POSITIVE_BASE: u32 = 1 << 30;

/// The bucket code of `x` for [`QuantileSketch::insert_codes`]: which
/// bucket (and sign) it falls in, or that it is zero, infinite or NaN.
#[inline(always)]
pub fn bucket_code(x: f64) -> u32 {
    let bits = x.to_bits();
    let magnitude = bits & !SIGN_BIT;
    // magnitude - 1 < INFINITY_BITS - 1: non-zero and finite.
    if magnitude.wrapping_sub(1) < INFINITY_BITS - 1 {
        let key = (magnitude >> KEY_SHIFT) as u32;
        if bits & SIGN_BIT == 0 {
            CODE_POSITIVE_BASE + key
        } else {
            CODE_NEGATIVE_BASE + key
        }
    } else if magnitude == 0 {
        CODE_ZERO
    } else if magnitude == INFINITY_BITS {
        if bits & SIGN_BIT == 0 {
            CODE_POSITIVE_INFINITY
        } else {
            CODE_NEGATIVE_INFINITY
        }
    } else {
        CODE_NAN
    }
}

/// The value a [`bucket_code`] stands for when it is not a finite number
/// (NaN or an infinity); `None` for the code of a finite value.
pub fn non_finite_of_code(code: u32) -> Option<f64> {
    match code {
        CODE_NAN => Some(f64::NAN),
        CODE_POSITIVE_INFINITY => Some(f64::INFINITY),
        CODE_NEGATIVE_INFINITY => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// [`bucket_code`] of every value of `values` into `codes` (at least as
/// long). Written to vectorise: every code is first computed as if the
/// value were zero or positive and finite (the common cases: a shift and
/// an add, or a select), then a second pass, only if needed, fixes the
/// others. Zeros are in the first pass because models record many (a zone
/// not yet open): a quarter of a CPEC replication's values.
pub fn bucket_codes(values: &[f64], codes: &mut [u32]) {
    let codes = &mut codes[..values.len()];
    // Float comparisons only (`x - x == 0` exactly when `x` is finite):
    // 64-bit integer compares do not vectorise on baseline x86-64. Both
    // zeros pass `x >= 0.0` and `x == 0.0`.
    #[allow(clippy::eq_op)]
    let fast = |x: f64| x >= 0.0 && x - x == 0.0;
    let mut count = 0u64;
    for (code, &x) in codes.iter_mut().zip(values) {
        count += u64::from(fast(x));
        let positive = CODE_POSITIVE_BASE.wrapping_add((x.to_bits() >> KEY_SHIFT) as u32);
        *code = if x == 0.0 { CODE_ZERO } else { positive };
    }
    if count < values.len() as u64 {
        for (code, &x) in codes.iter_mut().zip(values) {
            if !fast(x) {
                *code = bucket_code(x);
            }
        }
    }
}

/// The bucket key of a finite, non-zero magnitude's bit pattern.
#[inline(always)]
pub(super) fn magnitude_key(magnitude_bits: u64) -> i64 {
    (magnitude_bits >> KEY_SHIFT) as i64
}

/// The midpoint of a magnitude bucket: within [`SKETCH_RELATIVE_ACCURACY`]
/// of every value in it.
pub(super) fn bucket_midpoint(key: i64) -> f64 {
    let low = f64::from_bits((key as u64) << KEY_SHIFT);
    let high = f64::from_bits(((key + 1) as u64) << KEY_SHIFT);
    low + (high - low) / 2.0
}

// The binary form (see `crate::engine::codec`).

impl Store {
    pub(super) fn encode(&self, e: &mut Encoder) {
        e.i64(self.offset);
        e.bool(self.folded);
        e.len(self.bins.len());
        for &bin in &self.bins {
            e.u64(u64::from(bin));
        }
    }

    pub(super) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let offset = d.i64()?;
        let folded = d.bool()?;
        let n = d.len(1)?;
        // Keys of finite magnitudes lie in [0, INFINITY_BITS >> KEY_SHIFT);
        // growing downwards pads at most MAX_STORE_BINS below the lowest.
        let lowest = -(2 * MAX_STORE_BINS as i64);
        let end = magnitude_key(INFINITY_BITS);
        if n > MAX_STORE_BINS || offset < lowest || offset > end || offset + n as i64 > end {
            return invalid("a quantile sketch has buckets out of range");
        }
        let bins = (0..n).map(|_| d.u32()).collect::<Result<Vec<u32>, _>>()?;
        Ok(Store {
            offset,
            bins,
            folded,
        })
    }

    pub(super) fn total(&self) -> u64 {
        self.bins.iter().map(|&b| u64::from(b)).sum()
    }
}

//! Sobol' low-discrepancy points with Joe and Kuo's direction numbers,
//! randomised by a keyed linear scramble and digital shift.
//! [`SobolSequence`]'s documentation has the construction and the
//! randomisation.
//!
//! Why not a crate: `sobol_burley` stops at 2^16 points and returns `f32`;
//! `sobol` (and its fork `sobol-qmc`) generate points sequentially only and
//! do not scramble. Sensitivity designs need 2^20 points and more, random
//! access (shards, chunks) and independent keyed scramblings.

use rand::Rng as _;

use super::joe_kuo::{DIMENSIONS, DIRECTION_NUMBERS};
use crate::uncertainty::StreamKey;

/// Most dimensions a sequence can have.
pub const MAX_DIMENSIONS: usize = DIMENSIONS;

/// Points are numbered below `2^MAX_INDEX_BITS`.
pub const MAX_INDEX_BITS: u32 = 32;

/// 2^-52, the spacing of the returned coordinates.
const SPACING: f64 = 1.0 / (1u64 << 52) as f64;

/// A (possibly scrambled) Sobol' sequence of a fixed number of dimensions:
/// Joe and Kuo's direction numbers, randomised by a keyed linear scramble
/// and digital shift.
///
/// # Construction
///
/// Dimension `d` has 64-bit direction numbers `v_k = m_k 2^(64 - k)`
/// (`k = 1..=32`), the `m_k` from the table in `joe_kuo.rs` extended by the
/// usual recurrence of the dimension's primitive polynomial. Point `i` of an
/// unscrambled sequence is the XOR of the `v_k` for the bits `k` set in the
/// Gray code `g = i ^ (i >> 1)`, read as a binary fraction: the order of
/// Joe and Kuo's reference generator. Index `i` is random access (no state
/// carried from point to point), so any range of points, a shard's or a
/// worker's, is generated alone.
///
/// # Randomisation
///
/// Each dimension of each independent copy (a *scrambling*) gets a random
/// 64 x 64 binary matrix `L`, lower triangular with unit diagonal in
/// most-significant-digit-first order (Matoušek's linear scramble), and a
/// random 64-bit digital shift `e`; the point becomes `L x XOR e`. Being
/// linear, `L` is applied once to the direction numbers, so a scrambled
/// point costs what a plain one does. The scramble keeps every
/// `(t, m, s)`-net property of the sequence, fills the digits below the
/// 32nd that the plain sequence leaves at zero, and with the shift makes
/// each point uniform on the unit cube; its variance for integration is the
/// same as that of Owen's nested scrambling (Owen 2003, "Variance with
/// alternative scramblings of digital nets"), which is what makes the
/// replicate-based confidence intervals honest. The first point (index 0,
/// the origin when unscrambled) is used like any other.
///
/// The matrix columns and the shift of dimension `d` of scrambling `r` are
/// 65 consecutive 64-bit words (64 columns, then the shift) at offset
/// `65 d` of the stream `StreamKey::new(seed, purpose).rng(r)`: no random
/// number generator of our own, the same words on every platform, and
/// dimension `d`'s scramble does not depend on how many dimensions follow.
///
/// A coordinate is returned as `(top 52 bits + 1/2) 2^-52`, the convention
/// of [`StreamRng::uniform`](crate::uncertainty::StreamRng::uniform): never
/// 0 nor 1, safe for any inverse CDF.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    /// Per dimension, the (scrambled) direction numbers `v_1..v_32`.
    directions: Vec<[u64; MAX_INDEX_BITS as usize]>,
    /// Per dimension, the digital shift (0 when unscrambled).
    shifts: Vec<u64>,
}

impl SobolSequence {
    /// The plain sequence in `dimensions` dimensions (tests and reference
    /// use; its first point is the origin, which a user of the plain
    /// sequence should skip).
    ///
    /// # Panics
    ///
    /// If `dimensions` exceeds [`MAX_DIMENSIONS`].
    pub fn unscrambled(dimensions: usize) -> Self {
        assert!(
            dimensions <= MAX_DIMENSIONS,
            "at most {MAX_DIMENSIONS} dimensions"
        );
        SobolSequence {
            directions: (0..dimensions).map(direction_numbers).collect(),
            shifts: vec![0; dimensions],
        }
    }

    /// Scrambling number `scrambling` of the sequence in `dimensions`
    /// dimensions, keyed by `key` (see [`SobolSequence`]).
    ///
    /// # Panics
    ///
    /// If `dimensions` exceeds [`MAX_DIMENSIONS`] (callers check it and
    /// report an input error first).
    pub fn scrambled(dimensions: usize, key: &StreamKey, scrambling: u64) -> Self {
        let mut sequence = Self::unscrambled(dimensions);
        let mut rng = key.rng(scrambling);
        for (directions, shift) in sequence.directions.iter_mut().zip(&mut sequence.shifts) {
            let mut columns = [0u64; 64];
            for (digit, column) in columns.iter_mut().enumerate() {
                // Column `digit` (0 = most significant) keeps its diagonal
                // bit and takes random bits strictly below it.
                let diagonal = 1u64 << (63 - digit);
                *column = diagonal | (rng.next_u64() & (diagonal - 1));
            }
            *shift = rng.next_u64();
            for v in directions.iter_mut() {
                *v = apply_matrix(&columns, *v);
            }
        }
        sequence
    }

    /// Number of dimensions.
    pub fn dimensions(&self) -> usize {
        self.directions.len()
    }

    /// Coordinate `dimension` of point `index` as 64 binary digits.
    ///
    /// # Panics
    ///
    /// In debug builds, if `index >= 2^32`.
    #[inline]
    pub fn digits(&self, index: u64, dimension: usize) -> u64 {
        debug_assert!(index >> MAX_INDEX_BITS == 0, "index {index} beyond 2^32");
        let mut gray = index ^ (index >> 1);
        let directions = &self.directions[dimension];
        let mut x = self.shifts[dimension];
        while gray != 0 {
            x ^= directions[gray.trailing_zeros() as usize];
            gray &= gray - 1;
        }
        x
    }

    /// Coordinate `dimension` of point `index`, strictly inside (0, 1).
    #[inline]
    pub fn coordinate(&self, index: u64, dimension: usize) -> f64 {
        ((self.digits(index, dimension) >> 12) as f64 + 0.5) * SPACING
    }
}

/// `L x` for the matrix with the given columns (column `j` multiplies the
/// digit of weight `2^(63 - j)`).
fn apply_matrix(columns: &[u64; 64], x: u64) -> u64 {
    let mut y = 0;
    let mut rest = x;
    while rest != 0 {
        let bit = 63 - rest.trailing_zeros() as usize;
        y ^= columns[bit];
        rest &= rest - 1;
    }
    y
}

/// The plain direction numbers `v_1..v_32` of dimension `dimension`
/// (0-based).
fn direction_numbers(dimension: usize) -> [u64; MAX_INDEX_BITS as usize] {
    let bits = MAX_INDEX_BITS as usize;
    let mut m = [0u64; MAX_INDEX_BITS as usize];
    if dimension == 0 {
        // The first dimension is van der Corput's sequence: every m_k = 1.
        m.fill(1);
    } else {
        let (a, initial) = DIRECTION_NUMBERS[dimension - 1];
        let s = initial.len();
        for (k, &mk) in initial.iter().enumerate().take(bits) {
            m[k] = u64::from(mk);
        }
        // m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ ... ^ 2^(s-1) a_{s-1} m_{k-s+1}
        //       ^ 2^s m_{k-s} ^ m_{k-s}, with a_1 the top interior coefficient.
        for k in s..bits {
            let mut value = m[k - s] ^ (m[k - s] << s);
            for j in 1..s {
                if (a >> (s - 1 - j)) & 1 == 1 {
                    value ^= m[k - j] << j;
                }
            }
            m[k] = value;
        }
    }
    let mut v = [0u64; MAX_INDEX_BITS as usize];
    for (k, (vk, mk)) in v.iter_mut().zip(m).enumerate() {
        *vk = mk << (63 - k);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entries_are_valid_direction_numbers() {
        // Each m_k odd and below 2^k; a fits in s - 1 bits; degrees never
        // decrease (primitive polynomials are listed by degree).
        let mut last_degree = 0;
        for (i, (a, m)) in DIRECTION_NUMBERS.iter().enumerate() {
            let s = m.len();
            assert!(s >= last_degree, "entry {i}");
            last_degree = s;
            assert!(u64::from(*a) < 1u64 << (s - 1), "entry {i}");
            for (k, &mk) in m.iter().enumerate() {
                assert!(mk % 2 == 1 && u64::from(mk) < 1u64 << (k + 1), "entry {i}");
            }
        }
        assert_eq!(DIRECTION_NUMBERS.len() + 1, MAX_DIMENSIONS);
    }

    /// Reference values: the 31-bit integers of SALib's Sobol' generator
    /// (`SALib/sample/sobol_sequence.py`, a port of Joe and Kuo's program,
    /// scale 31, Gray-code order), run on the same direction numbers, for
    /// (dimension, index): computed once outside the project and copied here.
    const REFERENCE: [(usize, u64, u64); 12] = [
        (0, 1, 1_073_741_824),
        (1, 2, 536_870_912),
        (1, 3, 1_610_612_736),
        (2, 5, 268_435_456),
        (5, 7, 805_306_368),
        (10, 100, 989_855_744),
        (100, 1000, 1_650_458_624),
        (500, 12_345, 649_723_904),
        (1023, 12_345, 1_239_285_760),
        (250, 777_777, 549_525_504),
        (999, 1_048_575, 103_757_824),
        (1023, 1_048_575, 1_987_770_368),
    ];

    #[test]
    fn plain_sequence_matches_the_reference_generator() {
        let sequence = SobolSequence::unscrambled(MAX_DIMENSIONS);
        for (dimension, index, expected) in REFERENCE {
            assert_eq!(
                sequence.digits(index, dimension) >> 33,
                expected,
                "dimension {dimension}, index {index}"
            );
        }
        // Dimension 1 in Gray-code order: 0, 1/2, 3/4, 1/4, 3/8, 7/8, ...
        let first: Vec<u64> = (0..6).map(|i| sequence.digits(i, 0) >> 61).collect();
        assert_eq!(first, [0, 4, 6, 2, 3, 7]);
    }

    /// Every block of 2^m consecutive points aligned on a multiple of 2^m
    /// puts one point in each interval [j 2^-m, (j+1) 2^-m) of every
    /// coordinate, scrambled or not.
    #[test]
    fn one_dimensional_projections_are_stratified() {
        let key = StreamKey::new(3, "test.sobol");
        for sequence in [
            SobolSequence::unscrambled(MAX_DIMENSIONS),
            SobolSequence::scrambled(MAX_DIMENSIONS, &key, 2),
        ] {
            let m = 8;
            for dimension in 0..MAX_DIMENSIONS {
                for start in [0u64, 256, 1 << 20] {
                    let mut hits = [false; 256];
                    for i in start..start + (1 << m) {
                        let cell = (sequence.coordinate(i, dimension) * 256.0) as usize;
                        assert!(!hits[cell], "dimension {dimension}, block {start}");
                        hits[cell] = true;
                    }
                }
            }
        }
    }

    /// Two-dimensional projections of the first dimensions are (0, m, 2)
    /// nets for dimensions 1 and 2: every elementary box of area 2^-m holds
    /// one point, and scrambling keeps it.
    #[test]
    fn first_two_dimensions_form_a_zero_net() {
        let key = StreamKey::new(4, "test.sobol");
        let m = 10u32;
        for sequence in [
            SobolSequence::unscrambled(2),
            SobolSequence::scrambled(2, &key, 0),
        ] {
            for split in 0..=m {
                let (cols, rows) = (1u64 << split, 1u64 << (m - split));
                let mut hits = vec![false; 1 << m];
                for i in 0..1u64 << m {
                    let x = (sequence.coordinate(i, 0) * cols as f64) as u64;
                    let y = (sequence.coordinate(i, 1) * rows as f64) as u64;
                    let cell = (x * rows + y) as usize;
                    assert!(!hits[cell], "split {split}");
                    hits[cell] = true;
                }
            }
        }
    }

    #[test]
    fn scramblings_are_keyed_and_independent_of_the_dimension_count() {
        let key = StreamKey::new(11, "test.sobol");
        let wide = SobolSequence::scrambled(40, &key, 3);
        let narrow = SobolSequence::scrambled(5, &key, 3);
        let again = SobolSequence::scrambled(40, &key, 3);
        let other = SobolSequence::scrambled(40, &key, 4);
        for i in [0u64, 1, 77, 4095] {
            for d in 0..5 {
                assert_eq!(wide.digits(i, d), narrow.digits(i, d));
                assert_eq!(wide.digits(i, d), again.digits(i, d));
                assert_ne!(wide.digits(i, d), other.digits(i, d));
            }
        }
        // Scrambled coordinates fill the low digits and stay open.
        let low_digits = (0..64u64).any(|i| wide.digits(i, 7) & 0xFFFF_FFFF != 0);
        assert!(low_digits);
        for i in 0..1000 {
            let u = wide.coordinate(i, 39);
            assert!(u > 0.0 && u < 1.0);
        }
    }

    #[test]
    fn scrambled_points_are_uniform_on_average() {
        // Over random scramblings every point is uniform on (0, 1). The
        // first point alone (index 0: the origin before scrambling, so all
        // its digits come from the shift) over 4,096 scramblings has mean
        // 1/2 with SE sqrt(1/12 / 4096) = 0.0045; 0.02 is 4.4 SE, while a
        // shift that missed the top digit would give 1/4.
        let key = StreamKey::new(5, "test.sobol.mean");
        let n = 4096;
        let mean = (0..n)
            .map(|r| SobolSequence::scrambled(3, &key, r).coordinate(0, 2))
            .sum::<f64>()
            / n as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    }

    #[test]
    fn matrix_is_linear_with_unit_diagonal() {
        let mut columns = [0u64; 64];
        for (j, c) in columns.iter_mut().enumerate() {
            let diagonal = 1u64 << (63 - j);
            *c = diagonal | (0x9E37_79B9_7F4A_7C15u64 & (diagonal - 1));
        }
        let (x, y) = (0xDEAD_BEEF_0000_1234u64, 0x0F0F_0000_FFFF_0001u64);
        assert_eq!(
            apply_matrix(&columns, x ^ y),
            apply_matrix(&columns, x) ^ apply_matrix(&columns, y)
        );
        // The leading digit of x survives (unit diagonal, lower triangular).
        assert_eq!(apply_matrix(&columns, x).leading_zeros(), x.leading_zeros());
    }
}

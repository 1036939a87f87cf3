//! The Saltelli design for Sobol' indices, generated row by row.
//! [`SobolDesign`]'s documentation has the layout and the sample size.

use super::SensitivityError;
use super::factors::Factors;
use super::sobol_sequence::{MAX_DIMENSIONS, MAX_INDEX_BITS, SobolSequence};
use crate::uncertainty::StreamKey;

/// Purpose of the stream that keys the scramblings.
pub const SCRAMBLE_PURPOSE: &str = "sensitivity:sobol-scramble";

/// Default number of independent scramblings (replicates).
pub const DEFAULT_REPLICATES: u32 = 8;

/// What a Sobol' design is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SobolOptions {
    /// Base rows requested, over all replicates (`--samples`).
    pub samples: u64,
    /// Independent scramblings (`--replicates`), at least 2.
    pub replicates: u32,
    /// Add the `BA_j` rows needed for second-order indices.
    pub second_order: bool,
    /// The run's seed: keys the scramblings.
    pub seed: u64,
}

/// Which row of a block an evaluation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignRow {
    /// The base row `A_i`.
    A,
    /// The base row `B_i`.
    B,
    /// `A_i` with factor `j`'s dimensions from `B_i`.
    AB(usize),
    /// `B_i` with factor `j`'s dimensions from `A_i`.
    BA(usize),
}

/// A Saltelli design over [`Factors`], generated row by row.
///
/// # Layout
///
/// With `D` sampling dimensions and `k` factors, each replicate `r` (an
/// independent scrambling of the sequence, `0 <= r < R`) uses the first `m`
/// points of a `2D`-dimensional scrambled Sobol' sequence: coordinates
/// `0..D` of point `i` are the base row `A_i`, coordinates `D..2D` the base
/// row `B_i`. For every base row the model is evaluated on a *block* of
/// rows, in this order (SALib's):
///
/// `A_i, AB_1, ..., AB_k, [BA_1, ..., BA_k,] B_i`
///
/// where `AB_j` is `A_i` with factor `j`'s dimensions taken from `B_i`, and
/// `BA_j` (second order only) is `B_i` with factor `j`'s dimensions taken
/// from `A_i`. A factor's dimensions always move together, which is what
/// makes grouped and correlated-block indices valid.
///
/// Blocks are numbered replicate-major (`block = r m + i`) and evaluations
/// block-major (`evaluation = block * rows_per_block + position`). Any row
/// is generated from its number alone, so a shard or a worker takes any
/// range, and memory does not depend on the sample size.
///
/// # Sample size
///
/// `--samples N` is the total number of base rows over all replicates.
/// Each replicate gets `m = 2^j >= max(2, ceil(N / R))` base rows, the
/// smallest power of two that suffices (a Sobol' sequence is balanced on
/// powers of two), so the design has `R m >= N` base rows (equal to `N`
/// rounded up to a power of two when `R` is one) and `R m (k + 2)` model
/// evaluations, `R m (2k + 2)` with second order.
#[derive(Debug, Clone)]
pub struct SobolDesign {
    factors: Factors,
    /// Factor of each dimension.
    factor_of: Vec<usize>,
    second_order: bool,
    requested: u64,
    per_replicate: u64,
    /// One scrambled sequence per replicate.
    sequences: Vec<SobolSequence>,
}

impl SobolDesign {
    /// Lay out the design.
    ///
    /// # Errors
    ///
    /// Fewer than two replicates, zero samples or more than the sequence
    /// can index, or more parameters than the embedded direction numbers
    /// cover (two sequence dimensions per parameter).
    pub fn new(factors: Factors, options: SobolOptions) -> Result<Self, SensitivityError> {
        if options.replicates < 2 {
            return Err(SensitivityError::TooFewReplicates {
                replicates: u64::from(options.replicates),
            });
        }
        let dimensions = factors.dimensions();
        if factors.is_empty() {
            return Err(SensitivityError::NoFactors);
        }
        if 2 * dimensions > MAX_DIMENSIONS {
            return Err(SensitivityError::TooManyParameters {
                parameters: dimensions,
                max: MAX_DIMENSIONS / 2,
            });
        }
        let replicates = u64::from(options.replicates);
        let max = replicates << MAX_INDEX_BITS;
        if options.samples == 0 || options.samples > max {
            return Err(SensitivityError::BadSampleSize {
                samples: options.samples,
                max,
            });
        }
        let per_replicate = options
            .samples
            .div_ceil(replicates)
            .max(2)
            .next_power_of_two();
        let key = StreamKey::new(options.seed, SCRAMBLE_PURPOSE);
        let sequences = (0..replicates)
            .map(|r| SobolSequence::scrambled(2 * dimensions, &key, r))
            .collect();
        let factor_of = factors.factor_of_dimensions();
        Ok(SobolDesign {
            factors,
            factor_of,
            second_order: options.second_order,
            requested: options.samples,
            per_replicate,
            sequences,
        })
    }

    /// The factors.
    pub fn factors(&self) -> &Factors {
        &self.factors
    }

    /// Sampling dimensions (uniforms per row).
    pub fn dimensions(&self) -> usize {
        self.factor_of.len()
    }

    /// Whether the design has the `BA_j` rows of second-order indices.
    pub fn second_order(&self) -> bool {
        self.second_order
    }

    /// Number of replicates (scramblings).
    pub fn replicates(&self) -> u32 {
        self.sequences.len() as u32
    }

    /// The base rows asked for.
    pub fn requested_samples(&self) -> u64 {
        self.requested
    }

    /// Base rows per replicate, `m` (a power of two).
    pub fn samples_per_replicate(&self) -> u64 {
        self.per_replicate
    }

    /// Base rows over all replicates, `R m` (at least the number asked for).
    pub fn base_samples(&self) -> u64 {
        self.per_replicate * self.sequences.len() as u64
    }

    /// Rows per block: `k + 2`, or `2k + 2` with second order.
    pub fn rows_per_block(&self) -> usize {
        let k = self.factors.len();
        if self.second_order { 2 * k + 2 } else { k + 2 }
    }

    /// Number of blocks (base rows over all replicates).
    pub fn blocks(&self) -> u64 {
        self.base_samples()
    }

    /// Number of model evaluations.
    pub fn evaluations(&self) -> u64 {
        self.blocks() * self.rows_per_block() as u64
    }

    /// The replicate and base-row index of `block`.
    pub fn block_location(&self, block: u64) -> (u32, u64) {
        (
            (block / self.per_replicate) as u32,
            block % self.per_replicate,
        )
    }

    /// What row `position` (`0..rows_per_block`) of every block is.
    pub fn row_kind(&self, position: usize) -> DesignRow {
        debug_assert!(
            position < self.rows_per_block(),
            "row {position} beyond the block"
        );
        let k = self.factors.len();
        match position {
            0 => DesignRow::A,
            p if p <= k => DesignRow::AB(p - 1),
            p if p == self.rows_per_block() - 1 => DesignRow::B,
            p => DesignRow::BA(p - k - 1),
        }
    }

    /// The independent uniforms of block `block`'s base rows `A_i` and
    /// `B_i` (each of length [`Self::dimensions`]).
    ///
    /// # Panics
    ///
    /// If `block` is not below [`Self::blocks`].
    pub fn base_rows(&self, block: u64, a: &mut [f64], b: &mut [f64]) {
        let (replicate, index) = self.block_location(block);
        let sequence = &self.sequences[replicate as usize];
        let n = self.dimensions();
        for (d, (x, y)) in a.iter_mut().zip(b.iter_mut()).enumerate().take(n) {
            *x = sequence.coordinate(index, d);
            *y = sequence.coordinate(index, n + d);
        }
    }

    /// Row `position` of the block whose base rows are `a` and `b` (from
    /// [`Self::base_rows`]), written into `out`.
    pub fn row(&self, a: &[f64], b: &[f64], position: usize, out: &mut [f64]) {
        let (own, other, swapped) = match self.row_kind(position) {
            DesignRow::A => (a, b, None),
            DesignRow::B => (b, a, None),
            DesignRow::AB(j) => (a, b, Some(j)),
            DesignRow::BA(j) => (b, a, Some(j)),
        };
        out.copy_from_slice(own);
        if let Some(j) = swapped {
            for &d in &self.factors.get(j).dimensions {
                out[d] = other[d];
            }
        }
    }

    /// The independent uniforms of evaluation `evaluation`, computed alone
    /// (no allocation; [`Self::base_rows`] and [`Self::row`] are cheaper
    /// for whole blocks).
    ///
    /// # Panics
    ///
    /// If `evaluation` is not below [`Self::evaluations`].
    pub fn row_at(&self, evaluation: u64, out: &mut [f64]) {
        let rows = self.rows_per_block() as u64;
        let (replicate, index) = self.block_location(evaluation / rows);
        let sequence = &self.sequences[replicate as usize];
        let kind = self.row_kind((evaluation % rows) as usize);
        let n = self.dimensions();
        for (d, slot) in out.iter_mut().enumerate().take(n) {
            let from_b = match kind {
                DesignRow::A => false,
                DesignRow::B => true,
                DesignRow::AB(j) => self.factor_of[d] == j,
                DesignRow::BA(j) => self.factor_of[d] != j,
            };
            *slot = sequence.coordinate(index, if from_b { n + d } else { d });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factors() -> Factors {
        let paths: Vec<String> = ["x", "y", "z", "w"].iter().map(|s| s.to_string()).collect();
        Factors::new(&paths, &[(1, 3)], &[]).unwrap()
    }

    fn options(samples: u64, second_order: bool) -> SobolOptions {
        SobolOptions {
            samples,
            replicates: 4,
            second_order,
            seed: 17,
        }
    }

    #[test]
    fn sizes_round_up_per_replicate() {
        let design = SobolDesign::new(factors(), options(1000, false)).unwrap();
        // 3 factors (x, y+w, z); 1000 / 4 = 250 -> 256 per replicate.
        assert_eq!(design.samples_per_replicate(), 256);
        assert_eq!(design.base_samples(), 1024);
        assert_eq!(design.rows_per_block(), 5);
        assert_eq!(design.evaluations(), 1024 * 5);
        let design = SobolDesign::new(factors(), options(1, true)).unwrap();
        assert_eq!(design.samples_per_replicate(), 2);
        assert_eq!(design.rows_per_block(), 8);
        assert_eq!(
            (0..8).map(|p| design.row_kind(p)).collect::<Vec<_>>(),
            [
                DesignRow::A,
                DesignRow::AB(0),
                DesignRow::AB(1),
                DesignRow::AB(2),
                DesignRow::BA(0),
                DesignRow::BA(1),
                DesignRow::BA(2),
                DesignRow::B
            ]
        );
    }

    #[test]
    fn bad_options_are_refused() {
        let mut o = options(0, false);
        assert!(matches!(
            SobolDesign::new(factors(), o),
            Err(SensitivityError::BadSampleSize { .. })
        ));
        o.samples = 8;
        o.replicates = 1;
        assert!(matches!(
            SobolDesign::new(factors(), o),
            Err(SensitivityError::TooFewReplicates { .. })
        ));
        let many: Vec<String> = (0..513).map(|i| format!("p{i}")).collect();
        let err = SobolDesign::new(Factors::independent(&many), options(8, false)).unwrap_err();
        assert!(matches!(
            err,
            SensitivityError::TooManyParameters { max: 512, .. }
        ));
    }

    #[test]
    fn rows_swap_whole_factors_and_agree_with_row_at() {
        let design = SobolDesign::new(factors(), options(64, true)).unwrap();
        let n = design.dimensions();
        let (mut a, mut b, mut row, mut alone) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let rows = design.rows_per_block() as u64;
        for block in [0u64, 5, 16, 63] {
            design.base_rows(block, &mut a, &mut b);
            for p in 0..design.rows_per_block() {
                design.row(&a, &b, p, &mut row);
                design.row_at(block * rows + p as u64, &mut alone);
                assert_eq!(row, alone, "block {block} row {p}");
                let from_b: Vec<bool> = (0..n).map(|d| row[d] == b[d] && row[d] != a[d]).collect();
                // Factors: x (dimension 0), y+w (1 and 3), z (2).
                let moved = |j: usize| {
                    [
                        [true, false, false, false],
                        [false, true, false, true],
                        [false, false, true, false],
                    ][j]
                };
                let expected = match design.row_kind(p) {
                    DesignRow::A => [false; 4],
                    DesignRow::B => [true; 4],
                    DesignRow::AB(j) => moved(j),
                    DesignRow::BA(j) => moved(j).map(|m| !m),
                };
                assert_eq!(from_b, expected, "block {block} row {p}");
            }
        }
    }

    #[test]
    fn replicates_are_different_scramblings_of_one_design() {
        let design = SobolDesign::new(factors(), options(64, false)).unwrap();
        let n = design.dimensions();
        let m = design.samples_per_replicate();
        let (mut a0, mut b0, mut a1, mut b1) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        design.base_rows(3, &mut a0, &mut b0);
        design.base_rows(m + 3, &mut a1, &mut b1);
        assert_ne!(a0, a1);
        // Within a replicate, each coordinate of A and B is stratified.
        for d in 0..n {
            let mut hits = vec![0; m as usize];
            for i in 0..m {
                design.base_rows(2 * m + i, &mut a0, &mut b0);
                hits[(a0[d] * m as f64) as usize] += 1;
                hits[(b0[d] * m as f64) as usize] += 1;
            }
            assert!(hits.iter().all(|&h| h == 2), "dimension {d}");
        }
        // Same seed, same design; another seed, another.
        let again = SobolDesign::new(factors(), options(64, false)).unwrap();
        let mut other = options(64, false);
        other.seed = 18;
        let other = SobolDesign::new(factors(), other).unwrap();
        let (mut x, mut y, mut z) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        design.row_at(77, &mut x);
        again.row_at(77, &mut y);
        other.row_at(77, &mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
    }
}

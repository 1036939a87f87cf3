//! Sobol' index estimators over the Saltelli design: exact streaming sums
//! that merge in any order, finished into first-order, total and
//! second-order indices with replicate t-intervals.
//! [`SobolAccumulator`]'s documentation has the estimators, their
//! streaming and the intervals.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::SensitivityError;
use super::design::SobolDesign;
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};
use crate::engine::stats::ExactSum;

/// Why one output's indices cannot be computed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EstimateProblem {
    /// The output took one value on every `A` and `B` row: it has no
    /// variance to apportion.
    Constant,
    /// The output is constant over one replicate's `A` and `B` rows (but
    /// not overall), so that replicate gives no estimate and no interval
    /// can be formed; more samples per replicate fix it.
    ConstantInReplicate {
        /// The replicate.
        replicate: u32,
    },
    /// Some evaluations gave NaN or an infinite value.
    NonFinite {
        /// How many evaluations.
        evaluations: u64,
    },
}

impl std::fmt::Display for EstimateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EstimateProblem::Constant => {
                write!(
                    f,
                    "the output does not vary, so it has no sensitivity indices"
                )
            }
            EstimateProblem::ConstantInReplicate { replicate } => write!(
                f,
                "the output does not vary within replicate {replicate}, so no interval can be \
                 formed; use more samples"
            ),
            EstimateProblem::NonFinite { evaluations } => write!(
                f,
                "{evaluations} evaluation(s) gave a non-finite value (NaN or infinite)"
            ),
        }
    }
}

/// Point estimates from one set of sums.
#[derive(Debug, Clone, PartialEq)]
pub struct PointIndices {
    /// First-order index of each factor.
    pub first: Vec<f64>,
    /// Total index of each factor.
    pub total: Vec<f64>,
    /// Second-order index of each pair `j < k`, in the order
    /// `(0,1), (0,2), ..., (0,k-1), (1,2), ...` (empty without second order).
    pub second: Vec<f64>,
    /// Mean of every output of the design.
    pub mean: f64,
    /// Population variance of the outputs on the `A` and `B` rows.
    pub variance: f64,
}

/// An index with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The pooled point estimate.
    pub value: f64,
    /// Standard error: standard deviation of the replicate estimates over
    /// the square root of their number.
    pub std_error: f64,
    /// Lower end of the t-interval.
    pub lower: f64,
    /// Upper end of the t-interval.
    pub upper: f64,
}

/// One output's indices with intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order index of each factor.
    pub first: Vec<Estimate>,
    /// Total index of each factor.
    pub total: Vec<Estimate>,
    /// Second-order indices of pairs `j < k`, in [`PointIndices::second`]'s
    /// order (empty without second order).
    pub second: Vec<Estimate>,
    /// Mean of every output of the design (pooled).
    pub mean: f64,
    /// Variance of the outputs on the `A` and `B` rows (pooled).
    pub variance: f64,
}

/// The factor pairs `(j, k)`, `j < k`, in the order of second-order results.
pub fn pairs(factors: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..factors).flat_map(move |j| (j + 1..factors).map(move |k| (j, k)))
}

/// The sums of one output over one replicate's blocks (shifted outputs).
#[derive(Debug, Clone, PartialEq)]
struct Sums {
    blocks: u64,
    /// Evaluations with a non-finite output.
    non_finite: u64,
    a: ExactSum,
    b: ExactSum,
    /// Sum of A^2 + B^2.
    squares: ExactSum,
    /// Smallest and largest output on the A and B rows (unshifted).
    min: f64,
    max: f64,
    /// Per factor: sum (AB_j - A).
    diff: Vec<ExactSum>,
    /// Per factor: sum B (AB_j - A).
    first: Vec<ExactSum>,
    /// Per factor: sum (A - AB_j)^2.
    total: Vec<ExactSum>,
    /// Per factor (second order): sum (BA_j - B).
    back_diff: Vec<ExactSum>,
    /// Per pair (second order): sum (BA_j AB_k - A B).
    second: Vec<ExactSum>,
}

impl Sums {
    fn new(factors: usize, second_order: bool) -> Self {
        let sums = |n: usize| vec![ExactSum::new(); n];
        let (back, pairs) = if second_order {
            (factors, factors * factors.saturating_sub(1) / 2)
        } else {
            (0, 0)
        };
        Sums {
            blocks: 0,
            non_finite: 0,
            a: ExactSum::new(),
            b: ExactSum::new(),
            squares: ExactSum::new(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            diff: sums(factors),
            first: sums(factors),
            total: sums(factors),
            back_diff: sums(back),
            second: sums(pairs),
        }
    }

    /// Add one block; `row(p)` is the output of the block's row `p`.
    fn add(&mut self, rows: usize, row: impl Fn(usize) -> f64, shift: f64) {
        let k = self.diff.len();
        self.blocks += 1;
        self.non_finite += (0..rows).filter(|&p| !row(p).is_finite()).count() as u64;
        let (a_raw, b_raw) = (row(0), row(rows - 1));
        self.min = self.min.min(a_raw).min(b_raw);
        self.max = self.max.max(a_raw).max(b_raw);
        let (a, b) = (a_raw - shift, b_raw - shift);
        self.a.add(a);
        self.b.add(b);
        self.squares.add(a * a);
        self.squares.add(b * b);
        for j in 0..k {
            let ab = row(1 + j) - shift;
            self.diff[j].add(ab - a);
            self.first[j].add(b * (ab - a));
            self.total[j].add((a - ab) * (a - ab));
        }
        if !self.back_diff.is_empty() {
            for (pair, (j, l)) in pairs(k).enumerate() {
                let ba = row(1 + k + j) - shift;
                let ab = row(1 + l) - shift;
                self.second[pair].add(ba * ab - a * b);
            }
            for j in 0..k {
                self.back_diff[j].add(row(1 + k + j) - shift - b);
            }
        }
    }

    fn merge(&mut self, other: &Sums) {
        self.blocks += other.blocks;
        self.non_finite += other.non_finite;
        self.a.merge(&other.a);
        self.b.merge(&other.b);
        self.squares.merge(&other.squares);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        for (mine, theirs) in [
            (&mut self.diff, &other.diff),
            (&mut self.first, &other.first),
            (&mut self.total, &other.total),
            (&mut self.back_diff, &other.back_diff),
            (&mut self.second, &other.second),
        ] {
            for (x, y) in mine.iter_mut().zip(theirs) {
                x.merge(y);
            }
        }
    }

    fn encode(&self, e: &mut Encoder) {
        e.u64(self.blocks);
        e.u64(self.non_finite);
        for sum in [&self.a, &self.b, &self.squares] {
            sum.encode(e);
        }
        e.f64(self.min);
        e.f64(self.max);
        for list in [
            &self.diff,
            &self.first,
            &self.total,
            &self.back_diff,
            &self.second,
        ] {
            e.len(list.len());
            list.iter().for_each(|s| s.encode(e));
        }
    }

    /// Sums written by [`Self::encode`] for `factors` factors, with or
    /// without second order (the list lengths must be those).
    fn decode(d: &mut Decoder, factors: usize, second_order: bool) -> Result<Self, DecodeError> {
        let mut sums = Sums::new(factors, second_order);
        sums.blocks = d.u64()?;
        sums.non_finite = d.u64()?;
        sums.a = ExactSum::decode(d)?;
        sums.b = ExactSum::decode(d)?;
        sums.squares = ExactSum::decode(d)?;
        sums.min = d.f64()?;
        sums.max = d.f64()?;
        for list in [
            &mut sums.diff,
            &mut sums.first,
            &mut sums.total,
            &mut sums.back_diff,
            &mut sums.second,
        ] {
            // Every sum takes at least 11 bytes.
            if d.len(11)? != list.len() {
                return invalid("a list of sums has the wrong length for the design");
            }
            for sum in list.iter_mut() {
                *sum = ExactSum::decode(d)?;
            }
        }
        Ok(sums)
    }

    /// The estimates of these sums (see [`SobolAccumulator`]), or why there are
    /// none. Needs at least one block.
    fn indices(&self, shift: f64) -> Result<PointIndices, EstimateProblem> {
        if self.non_finite > 0 {
            return Err(EstimateProblem::NonFinite {
                evaluations: self.non_finite,
            });
        }
        if self.min == self.max || self.blocks == 0 {
            return Err(EstimateProblem::Constant);
        }
        let k = self.diff.len();
        let n = self.blocks as f64;
        let (sum_a, sum_b) = (self.a.value(), self.b.value());
        let mean_ab = (sum_a + sum_b) / (2.0 * n);
        let variance = self.squares.value() / (2.0 * n) - mean_ab * mean_ab;
        // Every output: A, B, AB_j = A + (AB_j - A), BA_j = B + (BA_j - B).
        let mut all = ExactSum::new();
        all.merge(&self.a);
        all.merge(&self.b);
        for d in self.diff.iter().chain(&self.back_diff) {
            all.merge(d);
        }
        let back = self.back_diff.len() as f64;
        let count = n * (2.0 + k as f64 + back);
        let c = (all.value() + k as f64 * sum_a + back * sum_b) / count;

        let diff: Vec<f64> = self.diff.iter().map(ExactSum::value).collect();
        let first: Vec<f64> = (0..k)
            .map(|j| (self.first[j].value() - c * diff[j]) / n / variance)
            .collect();
        let total = self
            .total
            .iter()
            .map(|t| t.value() / (2.0 * n) / variance)
            .collect();
        let second = if self.back_diff.is_empty() {
            Vec::new()
        } else {
            pairs(k)
                .zip(&self.second)
                .map(|((j, l), s)| {
                    let centring = c * (self.back_diff[j].value() + diff[l]);
                    (s.value() - centring) / n / variance - first[j] - first[l]
                })
                .collect()
        };
        Ok(PointIndices {
            first,
            total,
            second,
            mean: c + shift,
            variance,
        })
    }
}

/// Point estimates from the outputs of whole blocks laid out as the design
/// lays them out (for each base row: `A, AB_1..AB_k, [BA_1..BA_k,] B`), for
/// one output: [`SobolAccumulator`]'s estimator on one set of rows,
/// shifted by the first output. Used to check against other
/// implementations; an analysis streams through [`SobolAccumulator`].
///
/// # Errors
///
/// [`SensitivityError::OutputLength`] if `outputs` is not a whole number
/// of blocks (at least one); the [`EstimateProblem`] of the outputs as
/// the inner error.
pub fn point_indices(
    outputs: &[f64],
    factors: usize,
    second_order: bool,
) -> Result<Result<PointIndices, EstimateProblem>, SensitivityError> {
    let rows = if second_order {
        2 * factors + 2
    } else {
        factors + 2
    };
    if outputs.is_empty() || !outputs.len().is_multiple_of(rows) {
        return Err(SensitivityError::OutputLength {
            got: outputs.len(),
            expected: rows * (outputs.len() / rows).max(1),
        });
    }
    let shift = outputs[0];
    let mut sums = Sums::new(factors, second_order);
    for block in outputs.chunks_exact(rows) {
        sums.add(rows, |p| block[p], shift);
    }
    Ok(sums.indices(shift))
}

/// Streaming sums of a [`SobolDesign`]'s outputs, per replicate and output.
///
/// # Estimators
///
/// For one output and one set of base rows (`n` blocks), write `A`, `B`,
/// `AB_j`, `BA_j` for the output on each row of a block, `c` for the mean
/// of every output of the set (all rows of all blocks) and
/// `V = var([A; B])` for the population variance (divisor `2n`) of the
/// outputs on the `A` and `B` rows together. Then, with means over blocks:
///
/// - first order (Saltelli et al. 2010): `S_j = mean((B - c)(AB_j - A)) / V`;
/// - total (Jansen 1999): `ST_j = mean((A - AB_j)^2) / (2V)`;
/// - second order (Saltelli 2002): `S_jk = mean((BA_j - c)(AB_k - c) -
///   (A - c)(B - c)) / V - S_j - S_k` for `j < k`.
///
/// These are SALib 1.6's formulas (it standardises the outputs by their
/// overall mean and standard deviation first; the standard deviation
/// cancels), and the tests reproduce its estimates to 1e-12. Centring by
/// `c` does not change the expectations but removes the `mean^2` term from
/// the variance of the first-order estimator.
///
/// # Streaming and exactness
///
/// A block contributes products of its outputs, shifted by a fixed value
/// per output (`y - shift`, chosen by the caller once for the whole
/// analysis, typically the output of the design's first evaluation, so the
/// products do not cancel when the mean is large against the spread), to
/// [`ExactSum`]s: `sum A`, `sum B`, `sum A^2 + B^2`, and per factor
/// `sum (AB_j - A)`, `sum B (AB_j - A)`, `sum (A - AB_j)^2`, with second
/// order `sum (BA_j - B)` and per pair `sum (BA_j AB_k - A B)`. The
/// centred means above are rearranged in terms of these (for example
/// `mean((B - c)(AB_j - A)) = (sum B (AB_j - A) - c sum (AB_j - A)) / n`).
/// Exact sums make accumulation associative and commutative bit for bit:
/// any chunking, thread count, shard split or merge order gives the same
/// bits. Memory is a fixed number of sums per replicate and output,
/// `4 + 3k` (plus `k + k(k-1)/2` with second order), whatever `n`.
///
/// # Pooling and intervals
///
/// Sums are kept per replicate (independent scrambling). The **point
/// estimate** pools the replicates' sums (exact merges) and applies the
/// formulas once: it is exactly the estimator on the union of all
/// replicates' blocks, with `c` and `V` from all of them (pooled sums, not
/// a mean of per-replicate ratios, which would carry each replicate's
/// ratio bias). Each replicate's own sums give a replicate estimate `S^(r)`;
/// scramblings are independent and identically distributed, so the
/// estimates are too, and the interval is the t-interval
/// `pooled +- t_{R-1, (1+level)/2} s / sqrt(R)`, `s` the standard deviation
/// of the `R` replicate estimates (divisor `R - 1`). `s / sqrt(R)` is the
/// reported standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolAccumulator {
    factors: usize,
    second_order: bool,
    rows: usize,
    per_replicate: u64,
    replicates: u32,
    shifts: Vec<f64>,
    /// `sums[replicate * outputs + output]`.
    sums: Vec<Sums>,
}

impl SobolAccumulator {
    /// Empty sums for `design`, one output per entry of `shifts` (each
    /// output's fixed shift; every accumulator of one analysis must use the
    /// same shifts, bit for bit, which [`Self::merge`] checks). A
    /// non-finite shift (a pilot run that failed) is replaced by 0, so it
    /// cannot turn every sum into NaN.
    pub fn new(design: &SobolDesign, mut shifts: Vec<f64>) -> Self {
        for shift in shifts.iter_mut().filter(|s| !s.is_finite()) {
            *shift = 0.0;
        }
        let factors = design.factors().len();
        let second_order = design.second_order();
        let replicates = design.replicates();
        let sums = vec![Sums::new(factors, second_order); replicates as usize * shifts.len()];
        SobolAccumulator {
            factors,
            second_order,
            rows: design.rows_per_block(),
            per_replicate: design.samples_per_replicate(),
            replicates,
            shifts,
            sums,
        }
    }

    /// Number of outputs.
    pub fn outputs(&self) -> usize {
        self.shifts.len()
    }

    /// Add the outputs of block `block`: `outputs[row * self.outputs() +
    /// output]` for the block's rows in design order.
    ///
    /// # Errors
    ///
    /// [`SensitivityError::OutputLength`] when `outputs` does not hold
    /// every row's outputs, [`SensitivityError::BadSampleSize`] when the
    /// block is beyond the design.
    pub fn add_block(&mut self, block: u64, outputs: &[f64]) -> Result<(), SensitivityError> {
        let width = self.outputs();
        if outputs.len() != self.rows * width {
            return Err(SensitivityError::OutputLength {
                got: outputs.len(),
                expected: self.rows * width,
            });
        }
        let replicate = block / self.per_replicate;
        if replicate >= u64::from(self.replicates) {
            return Err(SensitivityError::BadSampleSize {
                samples: block + 1,
                max: self.per_replicate * u64::from(self.replicates),
            });
        }
        let sums = &mut self.sums[replicate as usize * width..][..width];
        for (o, (sum, &shift)) in sums.iter_mut().zip(&self.shifts).enumerate() {
            sum.add(self.rows, |p| outputs[p * width + o], shift);
        }
        Ok(())
    }

    /// Add another accumulator's sums (of other blocks of the same design),
    /// exactly.
    ///
    /// # Errors
    ///
    /// [`SensitivityError::MergeMismatch`] if the two are not of the same
    /// design and outputs, or their shifts differ.
    pub fn merge(&mut self, other: &SobolAccumulator) -> Result<(), SensitivityError> {
        let mismatch = |what| Err(SensitivityError::MergeMismatch { what });
        if (
            self.factors,
            self.second_order,
            self.rows,
            self.per_replicate,
            self.replicates,
        ) != (
            other.factors,
            other.second_order,
            other.rows,
            other.per_replicate,
            other.replicates,
        ) {
            return mismatch("designs");
        }
        let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        if bits(&self.shifts) != bits(&other.shifts) {
            return mismatch("outputs or output shifts");
        }
        for (mine, theirs) in self.sums.iter_mut().zip(&other.sums) {
            mine.merge(theirs);
        }
        Ok(())
    }

    /// Base rows accumulated so far (over replicates; counted on the first
    /// output).
    pub fn blocks(&self) -> u64 {
        let width = self.outputs().max(1);
        self.sums.iter().step_by(width).map(|s| s.blocks).sum()
    }

    /// Indices with `level` confidence intervals (0.95 for 95%) for every
    /// output, in output order; an output whose indices cannot be computed
    /// gets its [`EstimateProblem`].
    ///
    /// # Errors
    ///
    /// A level outside (0, 1); [`SensitivityError::Incomplete`] unless every
    /// replicate has all its blocks exactly once.
    pub fn finish(
        &self,
        level: f64,
    ) -> Result<Vec<Result<SobolIndices, EstimateProblem>>, SensitivityError> {
        if !(level > 0.0 && level < 1.0) {
            return Err(SensitivityError::BadConfidenceLevel { level });
        }
        let width = self.outputs();
        let expected = self.per_replicate * u64::from(self.replicates);
        let complete = self.sums.iter().all(|s| s.blocks == self.per_replicate);
        if width > 0 && !complete {
            return Err(SensitivityError::Incomplete {
                have: self.blocks(),
                expected,
            });
        }
        let t = t_quantile(level, self.replicates);
        Ok((0..width).map(|o| self.output_indices(o, t)).collect())
    }

    fn output_indices(&self, output: usize, t: f64) -> Result<SobolIndices, EstimateProblem> {
        let width = self.outputs();
        let shift = self.shifts[output];
        let replicate_sums = || self.sums.iter().skip(output).step_by(width);
        let mut pooled = Sums::new(self.factors, self.second_order);
        for sums in replicate_sums() {
            pooled.merge(sums);
        }
        let point = pooled.indices(shift)?;
        let replicates = replicate_sums()
            .enumerate()
            .map(|(r, sums)| {
                sums.indices(shift).map_err(|problem| match problem {
                    EstimateProblem::Constant => EstimateProblem::ConstantInReplicate {
                        replicate: r as u32,
                    },
                    other => other,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let interval = |value: f64, pick: &dyn Fn(&PointIndices) -> f64| {
            let values: Vec<f64> = replicates.iter().map(pick).collect();
            let std_error = sample_sd(&values) / (values.len() as f64).sqrt();
            Estimate {
                value,
                std_error,
                lower: value - t * std_error,
                upper: value + t * std_error,
            }
        };
        let list = |values: &[f64], pick: &dyn Fn(&PointIndices, usize) -> f64| -> Vec<Estimate> {
            values
                .iter()
                .enumerate()
                .map(|(j, &v)| interval(v, &|p: &PointIndices| pick(p, j)))
                .collect()
        };
        Ok(SobolIndices {
            first: list(&point.first, &|p, j| p.first[j]),
            total: list(&point.total, &|p, j| p.total[j]),
            second: list(&point.second, &|p, j| p.second[j]),
            mean: point.mean,
            variance: point.variance,
        })
    }
}

impl SobolAccumulator {
    /// Append this accumulator's exact state (see `super::encoding`).
    pub(super) fn encode(&self, e: &mut Encoder) {
        e.len(self.factors);
        e.bool(self.second_order);
        e.len(self.rows);
        e.u64(self.per_replicate);
        e.u64(u64::from(self.replicates));
        e.f64s(&self.shifts);
        e.len(self.sums.len());
        self.sums.iter().for_each(|s| s.encode(e));
    }

    /// An accumulator written by [`Self::encode`], checked against the
    /// invariants [`Self::merge`] and [`Self::finish`] rely on.
    pub(super) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let factors = d.len(1)?;
        let second_order = d.bool()?;
        let rows = d.len(0)?;
        let per_replicate = d.u64()?;
        let replicates = d.u32()?;
        let shifts = d.f64s()?;
        if factors == 0
            || rows
                != if second_order {
                    2 * factors + 2
                } else {
                    factors + 2
                }
        {
            return invalid("the rows per block do not match the factors");
        }
        if replicates < 2 || per_replicate == 0 {
            return invalid("the design has too few replicates or rows");
        }
        let count = d.len(1)?;
        if Some(count) != (replicates as usize).checked_mul(shifts.len()) {
            return invalid("the sums do not match the replicates and outputs");
        }
        let sums = (0..count)
            .map(|_| Sums::decode(d, factors, second_order))
            .collect::<Result<Vec<_>, _>>()?;
        if sums.iter().any(|s| s.blocks > per_replicate) {
            return invalid("a replicate holds more blocks than the design has");
        }
        Ok(SobolAccumulator {
            factors,
            second_order,
            rows,
            per_replicate,
            replicates,
            shifts,
            sums,
        })
    }
}

/// Sample standard deviation (divisor `n - 1`; needs `n >= 2`).
pub(super) fn sample_sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The `(1 + level) / 2` quantile of Student's t with `replicates - 1`
/// degrees of freedom (`replicates >= 2`, guaranteed by the design).
fn t_quantile(level: f64, replicates: u32) -> f64 {
    let freedom = f64::from(replicates.max(2) - 1);
    // Location 0, scale 1 and a positive, finite freedom are always valid.
    let t = StudentsT::new(0.0, 1.0, freedom).expect("valid Student t parameters");
    t.inverse_cdf(0.5 + level / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        // Tables: t_{7, 0.975} = 2.364624, t_{1, 0.975} = 12.7062, t_{30, 0.95} = 1.697261.
        assert!((t_quantile(0.95, 8) - 2.364_624).abs() < 1e-5);
        assert!((t_quantile(0.95, 2) - 12.706_2).abs() < 1e-3);
        assert!((t_quantile(0.90, 31) - 1.697_261).abs() < 1e-5);
    }

    #[test]
    fn pair_order() {
        assert_eq!(
            pairs(4).collect::<Vec<_>>(),
            [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
        );
        assert_eq!(pairs(1).count(), 0);
    }

    #[test]
    fn linear_model_on_hand_made_blocks() {
        // y = x1 + 2 x2 on two blocks with A = (0, 0), (1, 1) and
        // B = (1, 0), (0, 1). Outputs per block: A, AB_1, AB_2, B.
        let y = |x1: f64, x2: f64| x1 + 2.0 * x2;
        let outputs = [
            y(0.0, 0.0),
            y(1.0, 0.0),
            y(0.0, 0.0),
            y(1.0, 0.0),
            y(1.0, 1.0),
            y(0.0, 1.0),
            y(1.0, 1.0),
            y(0.0, 1.0),
        ];
        let p = point_indices(&outputs, 2, false).unwrap().unwrap();
        // [A; B] = 0, 3, 1, 2: mean 1.5, population variance 1.25.
        assert!((p.variance - 1.25).abs() < 1e-15);
        // Outputs 0 1 0 1 3 2 3 2: mean 1.5. First order of x1:
        // mean((B - c)(AB_1 - A)) = ((1-1.5)(1-0) + (2-1.5)(2-3)) / 2 = -0.5.
        assert!((p.first[0] - (-0.5 / 1.25)).abs() < 1e-15);
        // Total of x2: mean((A - AB_2)^2) / 2 = 0.
        assert_eq!(p.total[1], 0.0);
        assert!((p.total[0] - 0.5 / 1.25).abs() < 1e-15);
        assert!((p.mean - 1.5).abs() < 1e-15);
    }

    #[test]
    fn problems_are_reported() {
        let constant = [2.0; 8];
        assert_eq!(
            point_indices(&constant, 2, false).unwrap(),
            Err(EstimateProblem::Constant)
        );
        let mut nan = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        nan[2] = f64::NAN;
        assert_eq!(
            point_indices(&nan, 2, false).unwrap(),
            Err(EstimateProblem::NonFinite { evaluations: 1 })
        );
        assert!(matches!(
            point_indices(&nan[..7], 2, false),
            Err(SensitivityError::OutputLength {
                got: 7,
                expected: 4
            })
        ));
    }
}

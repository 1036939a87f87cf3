//! Morris elementary effects (screening), with groups.
//! [`MorrisDesign`]'s documentation has the design, the effects and their
//! statistics.

use std::collections::BTreeMap;

use rand::RngExt as _;
use rand::seq::SliceRandom;

use super::SensitivityError;
use super::factors::Factors;
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};
use crate::uncertainty::StreamKey;

/// Grid levels per dimension.
pub const LEVELS: u8 = 4;

/// Size of a move on the probability scale: two levels of `1 / LEVELS`.
pub const DELTA: f64 = 0.5;

/// Purpose of the stream of the trajectories.
pub const TRAJECTORY_PURPOSE: &str = "sensitivity:morris-trajectory";

/// Purpose of the stream of the bootstrap resamples.
pub const BOOTSTRAP_PURPOSE: &str = "sensitivity:morris-bootstrap";

/// Default bootstrap resamples for the interval of `mu*`.
pub const DEFAULT_RESAMPLES: u32 = 1000;

/// What a Morris design is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisOptions {
    /// Trajectories `r` (`--samples`), at least 2.
    pub trajectories: u64,
    /// The run's seed.
    pub seed: u64,
}

/// The probability of grid level `level` (0 to 3).
#[inline]
pub fn level_probability(level: u8) -> f64 {
    (2.0 * f64::from(level) + 1.0) / (2.0 * f64::from(LEVELS))
}

/// One trajectory's draws: where it starts and in which order and direction
/// the factors move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trajectory {
    /// Starting level of each dimension.
    start: Vec<u8>,
    /// Per factor: moves up (else down).
    up: Vec<bool>,
    /// The factors in the order they move.
    order: Vec<usize>,
    /// Per factor: its position in `order`.
    step_of: Vec<usize>,
}

impl Trajectory {
    /// The factors in the order they move (step `s` moves `order()[s - 1]`).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Whether factor `j` moves up.
    pub fn moves_up(&self, factor: usize) -> bool {
        self.up[factor]
    }
}

/// A Morris design over [`Factors`].
///
/// # Design
///
/// Each of `r` trajectories visits `k + 1` points of a grid of `p = 4`
/// levels per sampling dimension, moving one factor at a time. The levels
/// are on the probability scale, at the midpoints `(2i + 1) / (2p)`, that
/// is 1/8, 3/8, 5/8 and 7/8: the usual grid `0, 1/3, 2/3, 1` shrunk to keep
/// away from 0 and 1, where the inverse CDF of an unbounded distribution is
/// infinite. Each level is mapped through the parameter's inverse CDF (and
/// the Gaussian copula, for correlated blocks) like any design row. A move
/// is the usual `Delta = p / (2 (p - 1))` of the standard grid, `p / 2 = 2`
/// levels, which is `delta = 1/2` on the probability scale: 1/8 <-> 5/8 or
/// 3/8 <-> 7/8.
///
/// Trajectory `t` draws, from the stream `(seed, "sensitivity:morris-trajectory")`
/// positioned at `t`: per factor a direction (up or down, even odds) and for
/// each of its dimensions a starting level in the lower half (up) or upper
/// half (down) of the grid, so every level is equally likely; then a random
/// order of the factors. Step `s` moves the `s`-th factor of that order:
/// all of a factor's dimensions move together, by two levels in the
/// factor's direction (Campolongo, Cariboni and Saltelli 2007). A group or
/// correlated block thus always moves up or down as a whole, which gives
/// its elementary effect a sign.
///
/// # Elementary effects and statistics
///
/// The elementary effect of the factor moved at step `s` is
/// `EE = (y(upper point) - y(lower point)) / delta`, with `delta = 1/2`:
/// the change in the output per unit of probability when every dimension of
/// the factor moves up by half of its probability mass. Scaling by
/// probability rather than by parameter units makes effects comparable
/// across parameters of different units and distributions. Over the `r`
/// trajectories: `mu` is the mean effect, `mu*` the mean absolute effect
/// (the ranking measure), `sigma` the standard deviation (divisor `r - 1`),
/// the signature of interactions and non-linearity.
///
/// The interval of `mu*` is a percentile bootstrap over trajectories:
/// `resamples` resamples of the `r` trajectories with replacement (resample
/// `b` drawn from the stream `(seed, "sensitivity:morris-bootstrap")`
/// positioned at `b`), the `(1 - level)/2` and `(1 + level)/2` quantiles of
/// the resampled `mu*` (linear interpolation between order statistics).
/// The same resamples serve every factor and output.
///
/// Accumulators keep each trajectory's effects (`k` values per output, a
/// few kilobytes per trajectory) keyed by trajectory number, and the
/// statistics are computed in trajectory order at the end: merges in any
/// order and split give the same bits.
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    factors: Factors,
    factor_of: Vec<usize>,
    trajectories: u64,
    key: StreamKey,
}

impl MorrisDesign {
    /// Lay out `options.trajectories` trajectories.
    ///
    /// # Errors
    ///
    /// No factor, or fewer than two trajectories.
    pub fn new(factors: Factors, options: MorrisOptions) -> Result<Self, SensitivityError> {
        if factors.is_empty() {
            return Err(SensitivityError::NoFactors);
        }
        if options.trajectories < 2 {
            return Err(SensitivityError::TooFewReplicates {
                replicates: options.trajectories,
            });
        }
        let factor_of = factors.factor_of_dimensions();
        Ok(MorrisDesign {
            factors,
            factor_of,
            trajectories: options.trajectories,
            key: StreamKey::new(options.seed, TRAJECTORY_PURPOSE),
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

    /// Number of trajectories.
    pub fn trajectories(&self) -> u64 {
        self.trajectories
    }

    /// Rows per trajectory, `k + 1`.
    pub fn rows_per_trajectory(&self) -> usize {
        self.factors.len() + 1
    }

    /// Model evaluations, `r (k + 1)`.
    pub fn evaluations(&self) -> u64 {
        self.trajectories * self.rows_per_trajectory() as u64
    }

    /// Trajectory `t`'s draws (a pure function of the seed and `t`).
    pub fn trajectory(&self, t: u64) -> Trajectory {
        let k = self.factors.len();
        let mut rng = self.key.rng(t);
        let mut start = vec![0u8; self.dimensions()];
        let mut up = vec![false; k];
        for (j, factor) in self.factors.iter().enumerate() {
            up[j] = rng.random_bool(0.5);
            for &d in &factor.dimensions {
                let half: u8 = rng.random_range(0..LEVELS / 2);
                start[d] = if up[j] { half } else { half + LEVELS / 2 };
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(&mut rng);
        let mut step_of = vec![0; k];
        for (s, &j) in order.iter().enumerate() {
            step_of[j] = s;
        }
        Trajectory {
            start,
            up,
            order,
            step_of,
        }
    }

    /// The uniforms of row `step` (`0..=k`) of `trajectory`: the first
    /// `step` factors of its order have moved.
    pub fn row(&self, trajectory: &Trajectory, step: usize, out: &mut [f64]) {
        for (d, slot) in out.iter_mut().enumerate().take(self.dimensions()) {
            let j = self.factor_of[d];
            let mut level = trajectory.start[d];
            if trajectory.step_of[j] < step {
                level = if trajectory.up[j] {
                    level + LEVELS / 2
                } else {
                    level - LEVELS / 2
                };
            }
            *slot = level_probability(level);
        }
    }
}

/// One factor's Morris statistics for one output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisFactor {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (divisor `r - 1`).
    pub sigma: f64,
    /// Lower end of the bootstrap interval of `mu*`.
    pub mu_star_lower: f64,
    /// Upper end of the bootstrap interval of `mu*`.
    pub mu_star_upper: f64,
}

/// One output's Morris statistics, one entry per factor.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisSummary {
    /// Per factor, in factor order.
    pub factors: Vec<MorrisFactor>,
}

/// Elementary effects of a [`MorrisDesign`]'s trajectories, kept per
/// trajectory; see [`MorrisDesign`].
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisAccumulator {
    factors: usize,
    outputs: usize,
    trajectories: u64,
    /// Per trajectory: `effects[factor * outputs + output]`.
    effects: BTreeMap<u64, Vec<f64>>,
}

impl MorrisAccumulator {
    /// No trajectory yet, for `outputs` outputs.
    pub fn new(design: &MorrisDesign, outputs: usize) -> Self {
        MorrisAccumulator {
            factors: design.factors.len(),
            outputs,
            trajectories: design.trajectories,
            effects: BTreeMap::new(),
        }
    }

    /// Add trajectory `t`, whose draws are `trajectory`, from its outputs:
    /// `outputs[step * outputs + output]` for steps `0..=k`. A trajectory
    /// added again replaces the earlier one.
    ///
    /// # Errors
    ///
    /// [`SensitivityError::OutputLength`] if `outputs` does not hold every
    /// step's outputs.
    pub fn add_trajectory(
        &mut self,
        t: u64,
        trajectory: &Trajectory,
        outputs: &[f64],
    ) -> Result<(), SensitivityError> {
        let width = self.outputs;
        let expected = (self.factors + 1) * width;
        if t >= self.trajectories {
            return Err(SensitivityError::BadSampleSize {
                samples: t + 1,
                max: self.trajectories,
            });
        }
        if outputs.len() != expected || trajectory.order.len() != self.factors {
            return Err(SensitivityError::OutputLength {
                got: outputs.len(),
                expected,
            });
        }
        let mut effects = vec![0.0; self.factors * width];
        for (s, &j) in trajectory.order.iter().enumerate() {
            let sign = if trajectory.up[j] { 1.0 } else { -1.0 };
            for o in 0..width {
                let change = outputs[(s + 1) * width + o] - outputs[s * width + o];
                effects[j * width + o] = sign * change / DELTA;
            }
        }
        self.effects.insert(t, effects);
        Ok(())
    }

    /// Take in another accumulator's trajectories (of the same design).
    ///
    /// # Errors
    ///
    /// [`SensitivityError::MergeMismatch`] if the designs or outputs differ
    /// or both hold a trajectory.
    pub fn merge(&mut self, other: &MorrisAccumulator) -> Result<(), SensitivityError> {
        if (self.factors, self.outputs, self.trajectories)
            != (other.factors, other.outputs, other.trajectories)
        {
            return Err(SensitivityError::MergeMismatch {
                what: "designs or outputs",
            });
        }
        if other.effects.keys().any(|t| self.effects.contains_key(t)) {
            return Err(SensitivityError::MergeMismatch {
                what: "trajectories (some are in both)",
            });
        }
        self.effects
            .extend(other.effects.iter().map(|(&t, e)| (t, e.clone())));
        Ok(())
    }

    /// Trajectories accumulated so far.
    pub fn len(&self) -> u64 {
        self.effects.len() as u64
    }

    /// True when no trajectory has been added.
    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    /// `mu`, `mu*`, `sigma` and the `level` bootstrap interval of `mu*`
    /// (`resamples` resamples from `seed`) per output and factor; an output
    /// with a non-finite value gets [`EstimateProblem::NonFinite`](super::EstimateProblem::NonFinite).
    ///
    /// # Errors
    ///
    /// A level outside (0, 1), no resample, or trajectories missing.
    pub fn finish(
        &self,
        level: f64,
        resamples: u32,
        seed: u64,
    ) -> Result<Vec<Result<MorrisSummary, super::EstimateProblem>>, SensitivityError> {
        if !(level > 0.0 && level < 1.0) {
            return Err(SensitivityError::BadConfidenceLevel { level });
        }
        if resamples == 0 {
            return Err(SensitivityError::BadSampleSize {
                samples: 0,
                max: u64::from(u32::MAX),
            });
        }
        if self.len() != self.trajectories {
            return Err(SensitivityError::Incomplete {
                have: self.len(),
                expected: self.trajectories,
            });
        }
        let effects: Vec<&Vec<f64>> = self.effects.values().collect();
        let r = effects.len();
        let width = self.outputs;
        let cells = self.factors * width;
        // mu* of every cell for each resample: `boot[cell][b]`.
        let key = StreamKey::new(seed, BOOTSTRAP_PURPOSE);
        let mut boot = vec![Vec::with_capacity(resamples as usize); cells];
        let mut sums = vec![0.0; cells];
        for b in 0..resamples {
            let mut rng = key.rng(u64::from(b));
            sums.fill(0.0);
            for _ in 0..r {
                let e = effects[rng.random_range(0..r)];
                for (s, x) in sums.iter_mut().zip(e) {
                    *s += x.abs();
                }
            }
            for (cell, s) in boot.iter_mut().zip(&sums) {
                cell.push(s / r as f64);
            }
        }
        let (lo, hi) = ((1.0 - level) / 2.0, (1.0 + level) / 2.0);
        Ok((0..width)
            .map(|o| {
                let non_finite = effects
                    .iter()
                    .filter(|e| (0..self.factors).any(|j| !e[j * width + o].is_finite()))
                    .count() as u64;
                if non_finite > 0 {
                    // Each bad trajectory has at least one bad evaluation.
                    return Err(super::EstimateProblem::NonFinite {
                        evaluations: non_finite,
                    });
                }
                let factors = (0..self.factors)
                    .map(|j| {
                        let cell = j * width + o;
                        let values: Vec<f64> = effects.iter().map(|e| e[cell]).collect();
                        let n = r as f64;
                        let mu = values.iter().sum::<f64>() / n;
                        let mu_star = values.iter().map(|v| v.abs()).sum::<f64>() / n;
                        let mut resampled = boot[cell].clone();
                        resampled.sort_by(f64::total_cmp);
                        MorrisFactor {
                            mu,
                            mu_star,
                            sigma: super::estimators::sample_sd(&values),
                            mu_star_lower: quantile_sorted(&resampled, lo),
                            mu_star_upper: quantile_sorted(&resampled, hi),
                        }
                    })
                    .collect();
                Ok(MorrisSummary { factors })
            })
            .collect())
    }
}

impl MorrisAccumulator {
    /// Append this accumulator's state (see `super::encoding`).
    pub(super) fn encode(&self, e: &mut Encoder) {
        e.len(self.factors);
        e.len(self.outputs);
        e.u64(self.trajectories);
        e.len(self.effects.len());
        for (&t, effects) in &self.effects {
            e.u64(t);
            e.f64s(effects);
        }
    }

    /// An accumulator written by [`Self::encode`], checked.
    pub(super) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let factors = d.len(1)?;
        let outputs = d.len(0)?;
        let trajectories = d.u64()?;
        let width = factors
            .checked_mul(outputs)
            .ok_or_else(|| DecodeError("too many factors and outputs".into()))?;
        let mut effects = BTreeMap::new();
        for _ in 0..d.len(2)? {
            let t = d.u64()?;
            let values = d.f64s()?;
            if t >= trajectories || values.len() != width {
                return invalid("a trajectory is beyond the design or of the wrong size");
            }
            if effects.insert(t, values).is_some() {
                return invalid("a trajectory is held twice");
            }
        }
        if factors == 0 || trajectories < 2 {
            return invalid("the design has no factor or too few trajectories");
        }
        Ok(MorrisAccumulator {
            factors,
            outputs,
            trajectories,
            effects,
        })
    }

    /// The trajectories held, in order.
    pub fn trajectory_numbers(&self) -> impl Iterator<Item = u64> + '_ {
        self.effects.keys().copied()
    }
}

/// Quantile `q` of sorted values, interpolating linearly between order
/// statistics (the usual "type 7" definition).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::factors::DeclaredGroup;

    fn design(trajectories: u64) -> MorrisDesign {
        let paths: Vec<String> = (0..5).map(|i| format!("p{i}")).collect();
        let group = DeclaredGroup {
            name: "g".to_string(),
            members: vec![1, 3],
        };
        let factors = Factors::new(&paths, &[], &[group]).unwrap();
        MorrisDesign::new(
            factors,
            MorrisOptions {
                trajectories,
                seed: 8,
            },
        )
        .unwrap()
    }

    #[test]
    fn levels_avoid_zero_and_one() {
        let p: Vec<f64> = (0..LEVELS).map(level_probability).collect();
        assert_eq!(p, [0.125, 0.375, 0.625, 0.875]);
        assert_eq!(level_probability(2) - level_probability(0), DELTA);
    }

    #[test]
    fn trajectories_move_one_factor_at_a_time_by_delta() {
        let design = design(50);
        let n = design.dimensions();
        let (mut before, mut after) = (vec![0.0; n], vec![0.0; n]);
        let mut level_counts = [0u32; 4];
        for t in 0..50 {
            let trajectory = design.trajectory(t);
            assert_eq!(trajectory, design.trajectory(t), "replayable");
            design.row(&trajectory, 0, &mut before);
            for &u in &before {
                level_counts[((u * 4.0) as usize).min(3)] += 1;
            }
            for step in 1..design.rows_per_trajectory() {
                design.row(&trajectory, step, &mut after);
                let j = trajectory.order()[step - 1];
                let sign = if trajectory.moves_up(j) { 1.0 } else { -1.0 };
                for d in 0..n {
                    let change = after[d] - before[d];
                    if design.factors().get(j).dimensions.contains(&d) {
                        assert_eq!(change, sign * DELTA, "trajectory {t} step {step}");
                    } else {
                        assert_eq!(change, 0.0);
                    }
                }
                before.clone_from(&after);
            }
        }
        // Every level is used (50 trajectories x 5 dimensions; each level
        // has probability 1/4, so fewer than 30 of 250 is ~4 SE away).
        assert!(level_counts.iter().all(|&c| c > 30), "{level_counts:?}");
    }

    #[test]
    fn effects_of_a_linear_model_are_its_slopes() {
        // y = sum_d c_d u_d: moving a factor up by delta changes y by
        // delta * sum of its c_d; the group g = {1, 3} has effect c1 + c3.
        let c = [1.0, -2.0, 0.5, 4.0, 0.0];
        let design = design(6);
        let mut acc = MorrisAccumulator::new(&design, 1);
        let mut row = vec![0.0; 5];
        for t in 0..6 {
            let trajectory = design.trajectory(t);
            let outputs: Vec<f64> = (0..design.rows_per_trajectory())
                .map(|s| {
                    design.row(&trajectory, s, &mut row);
                    row.iter().zip(&c).map(|(u, c)| u * c).sum()
                })
                .collect();
            acc.add_trajectory(t, &trajectory, &outputs).unwrap();
        }
        let summary = acc.finish(0.95, 200, 1).unwrap().remove(0).unwrap();
        let expected = [1.0, 2.0, 0.5, 0.0];
        for (f, e) in summary.factors.iter().zip(expected) {
            assert!((f.mu - e).abs() < 1e-12, "{f:?} vs {e}");
            assert!((f.mu_star - e.abs()).abs() < 1e-12);
            assert!(f.sigma < 1e-12);
            assert!((f.mu_star_lower - e.abs()).abs() < 1e-12);
        }
    }

    #[test]
    fn incomplete_and_overlapping_accumulators_are_refused() {
        let design = design(3);
        let mut acc = MorrisAccumulator::new(&design, 1);
        let outputs = vec![1.0; design.rows_per_trajectory()];
        acc.add_trajectory(0, &design.trajectory(0), &outputs)
            .unwrap();
        assert!(matches!(
            acc.finish(0.95, 10, 1),
            Err(SensitivityError::Incomplete {
                have: 1,
                expected: 3
            })
        ));
        let copy = acc.clone();
        assert!(matches!(
            acc.merge(&copy),
            Err(SensitivityError::MergeMismatch { .. })
        ));
        assert!(matches!(
            acc.add_trajectory(1, &design.trajectory(1), &outputs[1..]),
            Err(SensitivityError::OutputLength { .. })
        ));
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 0.5), 3.0);
        assert!((quantile_sorted(&v, 0.975) - 4.9).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 1.0), 5.0);
    }
}

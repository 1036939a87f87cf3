//! Probability distributions of uncertain static parameters.
//!
//! One concept, one place: a [`Distribution`] knows its mean, variance,
//! support, inverse CDF and direct sampler. Nobody else switches on
//! distribution kinds.
//!
//! The inverse CDF is the hot path: under common random numbers every draw
//! of a parameter is `inverse_cdf(u)` of one uniform `u`, so it is monotone
//! in `u` for every kind, and everything that does not depend on `u` is
//! computed once, in the constructor.
//!
//! The files, by what they hold: this one the [`Distribution`] type, its
//! mean, variance, support, inverse CDF, sampler and `Display`, and
//! [`DistributionError`]; `constructors` the ten constructors and the
//! checks of their parameters. The inversion machinery: `truncated_normal`
//! (tail-safe truncated normal), `solver` (the safeguarded Newton solver on
//! log-concave tails), `gamma_quantile` and `beta_quantile` (exact quantiles
//! by that solver), and `quantile_table` (the Hermite-tabulated quantiles
//! the gamma and beta kinds read on the hot path).

mod beta_quantile;
mod constructors;
mod gamma_quantile;
mod quantile_table;
mod solver;
mod truncated_normal;

use std::f64::consts::SQRT_2;
use std::fmt;

use rand_distr::Distribution as _;
use statrs::distribution::ContinuousCDF;
use statrs::function::erf::erfc_inv;

use beta_quantile::{BetaQuantile, scale_beta};
use gamma_quantile::GammaQuantile;
use truncated_normal::TruncNormal;

/// Why a distribution's parameters were refused, and which field is at fault.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DistributionError {
    /// The scenario-file field to blame (`"sd"`, `"mode"`, `"weights"`...).
    pub field: &'static str,
    /// What is wrong and what was expected, in the user's terms.
    pub message: String,
}

impl DistributionError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        DistributionError {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for DistributionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for DistributionError {}

/// For the rand/rand_distr constructors, which validated parameters should
/// never trip; mapped rather than unwrapped all the same.
fn sampler_error(field: &'static str, error: impl fmt::Display) -> DistributionError {
    DistributionError::new(field, format!("{field}: {error}"))
}

/// A validated distribution, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// The parameters as the user gave them: `kind()` and `Display`.
    spec: Spec,
    /// How to evaluate it; degenerate specs become [`Law::Point`].
    law: Law,
    mean: f64,
    variance: f64,
    support: (f64, f64),
}

/// The parameters as written in the scenario file.
#[derive(Debug, Clone, PartialEq)]
enum Spec {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    LogNormal {
        mean: f64,
        sd: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        lambda: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
    Bernoulli(f64),
}

/// The evaluation machinery, with everything that does not depend on `u`
/// precomputed.
#[derive(Debug, Clone)]
enum Law {
    /// All mass on one value (fixed, or a degenerate parameter set).
    Point(f64),
    Uniform {
        min: f64,
        max: f64,
        range: f64,
        sampler: rand::distr::Uniform<f64>,
    },
    Normal {
        mean: f64,
        sd: f64,
        sampler: rand_distr::Normal<f64>,
    },
    TruncNormal(TruncNormal),
    LogNormal {
        quantile: statrs::distribution::LogNormal,
        sampler: rand_distr::LogNormal<f64>,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
        range: f64,
        /// F(mode) = (mode - min) / range.
        c: f64,
        /// (max - mode) / range, kept apart so 1 - c does not lose digits.
        d: f64,
        /// None when range^2 overflows, which rand_distr's formula needs.
        sampler: Option<rand_distr::Triangular<f64>>,
    },
    /// Beta(alpha, beta) on [min, min + range]: the `beta` and `pert` kinds.
    ScaledBeta {
        min: f64,
        max: f64,
        range: f64,
        /// The draw at u = 0.5: lower-branch draws are clamped below it and
        /// upper-branch draws above, so the branch switch stays monotone.
        median: f64,
        /// The same from the exact solver, for `inverse_cdf_exact`: the two
        /// may differ in the last bits.
        exact_median: f64,
        quantile: BetaQuantile,
        sampler: rand_distr::Beta<f64>,
    },
    Gamma {
        scale: f64,
        /// As for `ScaledBeta`.
        median: f64,
        exact_median: f64,
        /// The standard Gamma(shape, 1), scaled afterwards.
        quantile: GammaQuantile,
        sampler: rand_distr::Gamma<f64>,
    },
    Discrete {
        /// Ascending, positive-weight values only.
        values: Vec<f64>,
        /// Entry i is P(X <= `values[i]`); the last entry is exactly 1.
        cumulative: Vec<f64>,
    },
    Bernoulli {
        /// Draws 1 when u > threshold = 1 - p.
        threshold: f64,
        sampler: rand::distr::Bernoulli,
    },
}

impl Distribution {
    /// The `dist` name as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self.spec {
            Spec::Fixed(_) => "fixed",
            Spec::Uniform { .. } => "uniform",
            Spec::Normal { .. } => "normal",
            Spec::LogNormal { .. } => "lognormal",
            Spec::Triangular { .. } => "triangular",
            Spec::Pert { .. } => "pert",
            Spec::Beta { .. } => "beta",
            Spec::Gamma { .. } => "gamma",
            Spec::Discrete { .. } => "discrete",
            Spec::Bernoulli(_) => "bernoulli",
        }
    }

    /// True for a fixed value (no uncertainty, no random stream needed).
    ///
    /// Only the `fixed` kind; a degenerate member of another kind (normal
    /// with sd 0, uniform with min == max...) is not "fixed", see
    /// [`Distribution::is_degenerate`].
    pub fn is_fixed(&self) -> bool {
        matches!(self.spec, Spec::Fixed(_))
    }

    /// True when all the probability sits on one value (a `fixed` value, or
    /// a degenerate parameter set such as a normal with sd 0, a uniform with
    /// min == max, or a bernoulli with p 0 or 1): every draw is that value.
    pub fn is_degenerate(&self) -> bool {
        self.support.0 == self.support.1
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Variance.
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// Smallest and largest possible values (may be infinite): the closed
    /// hull of the support; `(v, v)` for a degenerate distribution.
    pub fn support(&self) -> (f64, f64) {
        self.support
    }

    /// Inverse CDF at `u` in (0, 1): monotone non-decreasing in `u`.
    ///
    /// For discrete kinds this is the smallest value `x` with CDF(x) >= u.
    /// Outside (0, 1): `u <= 0` gives the lower end of [`support`] and
    /// `u >= 1` the upper end (either may be infinite); NaN gives NaN.
    ///
    /// The beta, PERT and gamma kinds read a table of their quantile
    /// function built by the constructor: within 1e-10 relative of
    /// [`inverse_cdf_exact`] (each piece is checked to 1e-11) at ~40 ns a
    /// call instead of 0.3-1 us. Shapes too extreme to tabulate (a beta
    /// shape below ~0.05 or near 1e5, or beta shapes more than ~3,000 times
    /// apart, such as PERT with lambda 1e4 and the mode at an end; a gamma
    /// shape below ~0.002) and the tails beyond u = 8.3e-7 and 1 - 8.3e-7
    /// use the exact solver.
    ///
    /// [`support`]: Distribution::support
    /// [`inverse_cdf_exact`]: Distribution::inverse_cdf_exact
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        self.quantile(u, false)
    }

    /// [`inverse_cdf`] without the beta, PERT and gamma tables: their
    /// quantiles solved to full precision by root-finding on the incomplete
    /// beta and gamma functions (0.3-1 us a call), which is how the tables
    /// are built. Same contract; identical results for the other kinds.
    ///
    /// [`inverse_cdf`]: Distribution::inverse_cdf
    pub fn inverse_cdf_exact(&self, u: f64) -> f64 {
        self.quantile(u, true)
    }

    /// Both inverse CDFs; `exact` bypasses the quantile tables.
    #[inline(always)]
    fn quantile(&self, u: f64, exact: bool) -> f64 {
        if !(u > 0.0 && u < 1.0) {
            return if u <= 0.0 {
                self.support.0
            } else if u >= 1.0 {
                self.support.1
            } else {
                f64::NAN
            };
        }
        match &self.law {
            Law::Point(v) => *v,
            Law::Uniform {
                min, max, range, ..
            } => (min + u * range).min(*max),
            // statrs' Normal::inverse_cdf, mean - (sd sqrt 2) erfc_inv(2u),
            // overflows sd sqrt 2 to inf (and inf * 0 to NaN) for sd near
            // f64::MAX; scaling the standard quantile cannot.
            Law::Normal { mean, sd, .. } => mean + sd * (-SQRT_2 * erfc_inv(2.0 * u)),
            Law::TruncNormal(t) => t.inverse_cdf(u),
            Law::LogNormal { quantile, .. } => quantile.inverse_cdf(u),
            Law::Triangular {
                min,
                mode,
                max,
                range,
                c,
                d,
                ..
            } => {
                // Each branch is clamped to its side of the mode, so the
                // switch at u = c cannot step backwards.
                if u < *c {
                    (min + range * (u * c).sqrt()).min(*mode)
                } else {
                    (max - range * ((1.0 - u) * d).sqrt()).max(*mode)
                }
            }
            Law::ScaledBeta {
                min,
                max,
                range,
                median,
                exact_median,
                quantile,
                ..
            } => {
                let (side, median) = if exact {
                    (quantile.quantile_exact(u), exact_median)
                } else {
                    (quantile.quantile(u), median)
                };
                let x = scale_beta(side, *min, *max, *range);
                if u <= 0.5 {
                    x.min(*median)
                } else {
                    x.max(*median)
                }
            }
            Law::Gamma {
                scale,
                median,
                exact_median,
                quantile,
                ..
            } => {
                let (x, median) = if exact {
                    (quantile.quantile_exact(u), exact_median)
                } else {
                    (quantile.quantile(u), median)
                };
                let x = scale * x;
                if u <= 0.5 {
                    x.min(*median)
                } else {
                    x.max(*median)
                }
            }
            Law::Discrete { values, cumulative } => {
                let i = cumulative.partition_point(|&c| c < u);
                values[i.min(values.len() - 1)]
            }
            Law::Bernoulli { threshold, .. } => {
                if u > *threshold {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// A direct draw (rand_distr samplers where one exists; the truncated
    /// normal, the discrete kind, and a triangular too wide for rand_distr's
    /// formula map one open-interval uniform through
    /// [`Distribution::inverse_cdf`]). Point masses consume no randomness.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.law {
            Law::Point(v) => *v,
            Law::Uniform { sampler, .. } => sampler.sample(rng),
            Law::Normal { sampler, .. } => sampler.sample(rng),
            Law::TruncNormal(t) => t.inverse_cdf(rand_distr::Open01.sample(rng)),
            Law::LogNormal { sampler, .. } => sampler.sample(rng),
            Law::Triangular {
                sampler: Some(sampler),
                ..
            } => sampler.sample(rng),
            Law::Triangular { sampler: None, .. } => {
                self.inverse_cdf(rand_distr::Open01.sample(rng))
            }
            Law::ScaledBeta {
                min,
                max,
                range,
                sampler,
                ..
            } => (min + range * sampler.sample(rng)).min(*max),
            Law::Gamma { sampler, .. } => sampler.sample(rng),
            Law::Discrete { .. } => self.inverse_cdf(rand_distr::Open01.sample(rng)),
            Law::Bernoulli { sampler, .. } => {
                if sampler.sample(rng) {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// Writes `[a, b, c]`.
fn write_list(f: &mut fmt::Formatter<'_>, xs: &[f64]) -> fmt::Result {
    write!(f, "[")?;
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        write!(f, "{x}")?;
    }
    write!(f, "]")
}

impl fmt::Display for Distribution {
    /// The parameters as given, e.g. `pert(min 0.2, mode 0.35, max 0.7,
    /// lambda 4)`, `normal(mean 1, sd 0.1, min 0)`, `fixed 3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.spec {
            Spec::Fixed(v) => write!(f, "fixed {v}"),
            Spec::Uniform { min, max } => write!(f, "uniform(min {min}, max {max})"),
            Spec::Normal { mean, sd, min, max } => {
                write!(f, "normal(mean {mean}, sd {sd}")?;
                if let Some(min) = min {
                    write!(f, ", min {min}")?;
                }
                if let Some(max) = max {
                    write!(f, ", max {max}")?;
                }
                write!(f, ")")
            }
            Spec::LogNormal { mean, sd } => write!(f, "lognormal(mean {mean}, sd {sd})"),
            Spec::Triangular { min, mode, max } => {
                write!(f, "triangular(min {min}, mode {mode}, max {max})")
            }
            Spec::Pert {
                min,
                mode,
                max,
                lambda,
            } => write!(
                f,
                "pert(min {min}, mode {mode}, max {max}, lambda {lambda})"
            ),
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => write!(f, "beta(alpha {alpha}, beta {beta}, min {min}, max {max})"),
            Spec::Gamma { shape, scale } => write!(f, "gamma(shape {shape}, scale {scale})"),
            Spec::Discrete { values, weights } => {
                write!(f, "discrete(values ")?;
                write_list(f, values)?;
                write!(f, ", weights ")?;
                write_list(f, weights)?;
                write!(f, ")")
            }
            Spec::Bernoulli(p) => write!(f, "bernoulli(p {p})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Draws per moment check.
    const N: usize = 100_000;

    fn normal(mean: f64, sd: f64) -> Distribution {
        Distribution::normal(mean, sd, None, None).unwrap()
    }

    pub(super) fn truncated(
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Distribution {
        Distribution::normal(mean, sd, min, max).unwrap()
    }

    /// Fourth central moment of a Beta(a, b) scaled by `range`, from its
    /// excess kurtosis 6[(a-b)^2(a+b+1) - ab(a+b+2)] / [ab(a+b+2)(a+b+3)].
    fn beta_mu4(a: f64, b: f64, range: f64) -> f64 {
        let s = a + b;
        let var = range * range * a * b / (s * s * (s + 1.0));
        let excess = 6.0 * ((a - b).powi(2) * (s + 1.0) - a * b * (s + 2.0))
            / (a * b * (s + 2.0) * (s + 3.0));
        var * var * (3.0 + excess)
    }

    /// Every kind (and the variants the brief asks for), with the closed-form
    /// fourth central moment where it is easy, `None` where the test uses the
    /// sample's own fourth central moment instead (truncated normals).
    fn moment_cases() -> Vec<(&'static str, Distribution, Option<f64>)> {
        let ln_var = |mean: f64, sd: f64| {
            // Lognormal: mu4 = var^2 (e^{4s} + 2e^{3s} + 3e^{2s} - 3), s = sigma^2.
            let s = (sd * sd / (mean * mean)).ln_1p();
            sd.powi(4) * ((4.0 * s).exp() + 2.0 * (3.0 * s).exp() + 3.0 * (2.0 * s).exp() - 3.0)
        };
        // Discrete: exact sum p (v - m)^4 over values 10, 20, 30 with
        // probabilities 0.5, 0.3, 0.2 (mean 17).
        let discrete_mu4 = 0.5 * 7.0f64.powi(4) + 0.3 * 3.0f64.powi(4) + 0.2 * 13.0f64.powi(4);
        let (p, q) = (0.3, 0.7);
        vec![
            ("fixed", Distribution::fixed(3.0).unwrap(), Some(0.0)),
            // Uniform: mu4 = range^4 / 80.
            (
                "uniform",
                Distribution::uniform(2.0, 5.0).unwrap(),
                Some(3.0f64.powi(4) / 80.0),
            ),
            // Normal: mu4 = 3 sd^4.
            ("normal", normal(1.0, 0.1), Some(3.0 * 0.1f64.powi(4))),
            (
                "normal, truncated below",
                truncated(1.0, 0.5, Some(0.8), None),
                None,
            ),
            (
                "normal, truncated both sides",
                truncated(0.3, 0.2, Some(0.0), Some(1.0)),
                None,
            ),
            (
                "normal, window far in the upper tail",
                truncated(0.0, 1.0, Some(8.0), Some(9.0)),
                None,
            ),
            (
                "lognormal",
                Distribution::lognormal(2.0, 0.5).unwrap(),
                Some(ln_var(2.0, 0.5)),
            ),
            // Triangular: excess kurtosis -3/5, so mu4 = 2.4 var^2.
            (
                "triangular",
                Distribution::triangular(1.0, 2.0, 4.0).unwrap(),
                Some(2.4 * (7.0f64 / 18.0).powi(2)),
            ),
            // PERT = Beta(1 + 4 * 0.3, 1 + 4 * 0.7) on [0.2, 0.7].
            (
                "pert",
                Distribution::pert(0.2, 0.35, 0.7, 4.0).unwrap(),
                Some(beta_mu4(2.2, 3.8, 0.5)),
            ),
            // PERT with lambda 2.5 = Beta(1.5, 3) on [10, 20].
            (
                "pert, lambda 2.5",
                Distribution::pert(10.0, 12.0, 20.0, 2.5).unwrap(),
                Some(beta_mu4(1.5, 3.0, 10.0)),
            ),
            (
                "beta",
                Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
                Some(beta_mu4(2.0, 5.0, 1.0)),
            ),
            (
                "beta on [10, 20]",
                Distribution::beta(0.5, 0.8, 10.0, 20.0).unwrap(),
                Some(beta_mu4(0.5, 0.8, 10.0)),
            ),
            // Gamma: excess kurtosis 6/k, so mu4 = var^2 (3 + 6/k).
            (
                "gamma",
                Distribution::gamma(2.0, 3.0).unwrap(),
                Some((2.0f64 * 9.0).powi(2) * (3.0 + 6.0 / 2.0)),
            ),
            (
                "gamma, shape < 1",
                Distribution::gamma(0.3, 1.5).unwrap(),
                Some((0.3f64 * 2.25).powi(2) * (3.0 + 6.0 / 0.3)),
            ),
            (
                "discrete",
                Distribution::discrete(vec![30.0, 10.0, 20.0], vec![0.2, 0.5, 0.3]).unwrap(),
                Some(discrete_mu4),
            ),
            // Bernoulli: mu4 = pq (p^3 + q^3).
            (
                "bernoulli",
                Distribution::bernoulli(p).unwrap(),
                Some(p * q * (p.powi(3) + q.powi(3))),
            ),
        ]
    }

    /// Sample mean, sample variance (n - 1) and fourth central moment.
    fn sample_moments(xs: &[f64]) -> (f64, f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let mu4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
        (mean, var, mu4)
    }

    /// Asserts the sample mean and variance lie within 4 standard errors of
    /// the closed forms: SE(mean) = sqrt(var / n),
    /// SE(sample variance) = sqrt((mu4 - var^2) / n). At 4 SE a correct
    /// implementation fails one check in ~16,000; the seeds are fixed, so
    /// the outcome is deterministic.
    fn assert_moments(label: &str, d: &Distribution, mu4: Option<f64>, xs: &[f64]) {
        let n = xs.len() as f64;
        let (mean, var, sample_mu4) = sample_moments(xs);
        let mu4 = mu4.unwrap_or(sample_mu4);
        let se_mean = (d.variance() / n).sqrt();
        let se_var = ((mu4 - d.variance().powi(2)).max(0.0) / n).sqrt();
        assert!(
            (mean - d.mean()).abs() <= 4.0 * se_mean,
            "{label} ({d}): sample mean {mean} vs {} (4 SE = {})",
            d.mean(),
            4.0 * se_mean
        );
        assert!(
            (var - d.variance()).abs() <= 4.0 * se_var,
            "{label} ({d}): sample variance {var} vs {} (4 SE = {})",
            d.variance(),
            4.0 * se_var
        );
    }

    #[test]
    fn direct_samples_match_closed_form_mean_and_variance() {
        for (i, (label, d, mu4)) in moment_cases().into_iter().enumerate() {
            // Seed: 0x5E2 plus the case index, one stream per case.
            let mut rng = ChaCha8Rng::seed_from_u64(0x5E2 + i as u64);
            let xs: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();
            assert_moments(label, &d, mu4, &xs);
        }
    }

    #[test]
    fn inverse_cdf_of_uniforms_matches_closed_form_mean_and_variance() {
        for (i, (label, d, mu4)) in moment_cases().into_iter().enumerate() {
            // Seed: 0xC0FFEE plus the case index; uniforms on the open (0, 1).
            let mut rng = ChaCha8Rng::seed_from_u64(0xC0FFEE + i as u64);
            let xs: Vec<f64> = (0..N)
                .map(|_| d.inverse_cdf(rand_distr::Open01.sample(&mut rng)))
                .collect();
            assert_moments(label, &d, mu4, &xs);
        }
    }

    /// Asserts `inverse_cdf` at 0.05, 0.5, 0.95 equals `expected` to 1e-6
    /// relative (absolute below 1e-300, where a reference is 0).
    fn assert_quantiles(d: &Distribution, expected: [f64; 3]) {
        for (u, want) in [0.05, 0.5, 0.95].into_iter().zip(expected) {
            let got = d.inverse_cdf(u);
            let err = (got - want).abs() / want.abs().max(1e-300);
            assert!(
                err <= 1e-6,
                "{d} at u = {u}: {got}, scipy {want} (rel err {err:e})"
            );
        }
    }

    #[test]
    fn inverse_cdf_matches_scipy_reference_quantiles() {
        // Each reference: scipy 1.17.1, `<call>.ppf([0.05, 0.5, 0.95])` with
        // `import numpy as np; from scipy import stats` and the call quoted.
        assert_quantiles(&Distribution::fixed(3.0).unwrap(), [3.0, 3.0, 3.0]);
        // stats.uniform(loc=2, scale=3)
        assert_quantiles(&Distribution::uniform(2.0, 5.0).unwrap(), [2.15, 3.5, 4.85]);
        // stats.norm(loc=1, scale=0.1)
        assert_quantiles(
            &normal(1.0, 0.1),
            [0.8355146373048528, 1.0, 1.1644853626951472],
        );
        // stats.truncnorm(a=-0.4, b=np.inf, loc=1, scale=0.5)
        assert_quantiles(
            &truncated(1.0, 0.5, Some(0.8), None),
            [0.843775088516932, 1.2231214885476078, 1.9207709914424518],
        );
        // stats.truncnorm(a=-1.5, b=3.5, loc=0.3, scale=0.2)
        assert_quantiles(
            &truncated(0.3, 0.2, Some(0.0), Some(1.0)),
            [0.05832883269438366, 0.3167071813214192, 0.6351764336938759],
        );
        // stats.truncnorm(a=-np.inf, b=-5, loc=10, scale=2)
        assert_quantiles(
            &truncated(10.0, 2.0, None, Some(0.0)),
            [
                -1.0988001012550637,
                -0.2640366640885965,
                -0.0197613171805191,
            ],
        );
        // Windows far in a tail, where Phi(b) - Phi(a) cancels to 0:
        // stats.truncnorm(a=8, b=9)
        assert_quantiles(
            &truncated(0.0, 1.0, Some(8.0), Some(9.0)),
            [8.006312250405543, 8.08488889901817, 8.360554716618326],
        );
        // stats.truncnorm(a=30, b=31, loc=100, scale=2)
        assert_quantiles(
            &truncated(100.0, 2.0, Some(160.0), Some(162.0)),
            [160.00341566904262, 160.04614093565462, 160.19916449001886],
        );
        // stats.truncnorm(a=-31, b=-30, loc=100, scale=2)
        assert_quantiles(
            &truncated(100.0, 2.0, Some(38.0), Some(40.0)),
            [39.80083550998115, 39.95385906434537, 39.99658433095736],
        );
        // stats.lognorm(s=np.sqrt(np.log1p(0.5**2/2**2)),
        //               scale=np.exp(np.log(2) - np.log1p(0.5**2/2**2)/2))
        assert_quantiles(
            &Distribution::lognormal(2.0, 0.5).unwrap(),
            [1.2941290180570457, 1.9402850002906638, 2.909065348063303],
        );
        // stats.triang(c=1/3, loc=1, scale=3)
        assert_quantiles(
            &Distribution::triangular(1.0, 2.0, 4.0).unwrap(),
            [1.3872983346207417, 2.2679491924311224, 3.4522774424948337],
        );
        // PERT(0.2, 0.35, 0.7, lambda 4) = stats.beta(2.2, 3.8, loc=0.2, scale=0.5)
        assert_quantiles(
            &Distribution::pert(0.2, 0.35, 0.7, 4.0).unwrap(),
            [0.24785214176459947, 0.3754997424745591, 0.5457755088558132],
        );
        // PERT(10, 12, 20, lambda 2.5) = stats.beta(1.5, 3, loc=10, scale=10)
        assert_quantiles(
            &Distribution::pert(10.0, 12.0, 20.0, 2.5).unwrap(),
            [10.529624822884136, 13.069472557712011, 17.04013400537923],
        );
        // stats.beta(2, 5)
        assert_quantiles(
            &Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
            [0.06284989170835438, 0.26444998329566005, 0.5818034092520259],
        );
        // stats.beta(0.5, 0.8, loc=10, scale=10)
        assert_quantiles(
            &Distribution::beta(0.5, 0.8, 10.0, 20.0).unwrap(),
            [10.033027464843425, 13.151817202828378, 19.500624176575535],
        );
        // stats.beta(0.1, 3): statrs' own Beta::inverse_cdf is off by 5e-4
        // relative at u = 0.05 here.
        assert_quantiles(
            &Distribution::beta(0.1, 3.0, 0.0, 1.0).unwrap(),
            [
                2.3114271015087978e-14,
                0.00023123990750011818,
                0.20187367368641884,
            ],
        );
        // stats.gamma(a=2, scale=3)
        assert_quantiles(
            &Distribution::gamma(2.0, 3.0).unwrap(),
            [1.066084532095986, 5.035040970049984, 14.231593555171731],
        );
        // stats.gamma(a=0.3, scale=1.5)
        assert_quantiles(
            &Distribution::gamma(0.3, 1.5).unwrap(),
            [
                4.8165520495844474e-05,
                0.10969670380042798,
                2.058524916151329,
            ],
        );
        // stats.gamma(a=0.1, scale=2): statrs' own Gamma::inverse_cdf gives
        // ~2e-9 at u = 0.05 here, 16,000 times too large.
        assert_quantiles(
            &Distribution::gamma(0.1, 2.0).unwrap(),
            [
                1.1861422582828497e-13,
                0.0011867822089204568,
                1.1608702106462685,
            ],
        );
        // stats.gamma(a=1, scale=4) (the exponential closed form)
        assert_quantiles(
            &Distribution::gamma(1.0, 4.0).unwrap(),
            [0.20517317755020212, 2.772588722239782, 11.982929094215958],
        );
        // stats.rv_discrete(values=([10, 20, 30], [0.5, 0.3, 0.2])), given
        // here unsorted; u = 0.5 sits exactly on the CDF step at 10.
        assert_quantiles(
            &Distribution::discrete(vec![30.0, 10.0, 20.0], vec![0.2, 0.5, 0.3]).unwrap(),
            [10.0, 10.0, 30.0],
        );
        // stats.bernoulli(0.3)
        assert_quantiles(&Distribution::bernoulli(0.3).unwrap(), [0.0, 0.0, 1.0]);
    }

    #[test]
    fn inverse_cdf_matches_scipy_far_in_the_tails() {
        // scipy 1.17.1, `<call>.ppf([1e-10, 1 - 1e-10])`.
        let cases = [
            // stats.norm(loc=1, scale=0.1)
            (normal(1.0, 0.1), [0.36386590975959443, 1.6361340889697422]),
            // stats.truncnorm(a=-0.4, b=np.inf, loc=1, scale=0.5)
            (
                truncated(1.0, 0.5, Some(0.8), None),
                [0.8000000000889865, 4.212954175878332],
            ),
            // stats.truncnorm(a=8, b=np.inf)
            (
                truncated(0.0, 1.0, Some(8.0), None),
                [8.000000000012315, 10.465499015254954],
            ),
            // stats.lognorm(s=..., scale=...) as for lognormal(2, 0.5) above
            (
                Distribution::lognormal(2.0, 0.5).unwrap(),
                [0.40516584802322825, 9.291765061004636],
            ),
            // stats.beta(0.1, 3)
            (
                Distribution::beta(0.1, 3.0, 0.0, 1.0).unwrap(),
                [2.3669013519449372e-101, 0.9986258143455246],
            ),
            // stats.beta(2.2, 3.8, loc=0.2, scale=0.5)
            (
                Distribution::pert(0.2, 0.35, 0.7, 4.0).unwrap(),
                [0.20000488062800914, 0.6992742676903562],
            ),
            // stats.gamma(a=0.1, scale=2)
            (
                Distribution::gamma(0.1, 2.0).unwrap(),
                [1.2146096724816345e-100, 36.23927540621604],
            ),
            // stats.gamma(a=2, scale=3)
            (
                Distribution::gamma(2.0, 3.0).unwrap(),
                [4.242660687248922e-05, 79.00194455894562],
            ),
        ];
        for (d, expected) in cases {
            for (u, want) in [1e-10, 1.0 - 1e-10].into_iter().zip(expected) {
                let got = d.inverse_cdf(u);
                let err = ((got - want) / want).abs();
                assert!(
                    err <= 1e-6,
                    "{d} at u = {u}: {got}, scipy {want} (rel err {err:e})"
                );
            }
        }
    }

    /// One of each kind, plus degenerate and awkward members.
    fn monotonicity_cases() -> Vec<Distribution> {
        let mut cases: Vec<Distribution> = moment_cases().into_iter().map(|c| c.1).collect();
        cases.extend([
            normal(1.0, 0.0),
            truncated(0.0, 1.0, Some(30.0), Some(31.0)),
            truncated(0.0, 1.0, None, Some(-30.0)),
            Distribution::uniform(4.0, 4.0).unwrap(),
            Distribution::triangular(0.0, 0.0, 1.0).unwrap(),
            Distribution::triangular(0.0, 1.0, 1.0).unwrap(),
            Distribution::pert(0.0, 0.0, 1.0, 4.0).unwrap(),
            Distribution::beta(0.05, 0.05, -1.0, 1.0).unwrap(),
            Distribution::beta(0.1, 3.0, 0.0, 1.0).unwrap(),
            Distribution::beta(300.0, 700.0, 0.0, 1.0).unwrap(),
            Distribution::gamma(0.05, 1.0).unwrap(),
            Distribution::gamma(1.0, 1.0).unwrap(),
            Distribution::gamma(1000.0, 0.01).unwrap(),
            Distribution::lognormal(1.0, 10.0).unwrap(),
            Distribution::discrete(vec![1.0, 1.0, -2.0, 5.0], vec![1.0, 0.0, 2.0, 0.0]).unwrap(),
            Distribution::bernoulli(0.0).unwrap(),
            Distribution::bernoulli(1.0).unwrap(),
        ]);
        cases.extend(table_cases().into_iter().map(|c| c.1));
        cases
    }

    #[test]
    fn inverse_cdf_is_non_decreasing_on_a_fine_grid() {
        // 20,000 equal steps plus points crowding both ends.
        let mut grid: Vec<f64> = (1..20_000).map(|i| i as f64 / 20_000.0).collect();
        grid.splice(0..0, [1e-300, 1e-100, 1e-16, 1e-12, 1e-8, 1e-6]);
        grid.extend([
            1.0 - 1e-6,
            1.0 - 1e-8,
            1.0 - 1e-12,
            1.0 - f64::EPSILON / 2.0,
        ]);
        for d in monotonicity_cases() {
            let (lo, hi) = d.support();
            let mut previous = d.inverse_cdf(0.0);
            assert_eq!(
                previous, lo,
                "{d}: u = 0 gives the lower end of the support"
            );
            for &u in &grid {
                let x = d.inverse_cdf(u);
                assert!(x >= previous, "{d}: inverse_cdf({u}) = {x} < {previous}");
                assert!(
                    x >= lo && x <= hi,
                    "{d}: inverse_cdf({u}) = {x} outside [{lo}, {hi}]"
                );
                previous = x;
            }
            assert_eq!(d.inverse_cdf(1.0), hi, "{d}: u = 1 gives the upper end");
            assert!(d.inverse_cdf(f64::NAN).is_nan(), "{d}: NaN in, NaN out");
        }
    }

    #[test]
    fn bernoulli_edges() {
        let d = Distribution::bernoulli(0.3).unwrap();
        // 1 exactly when u > 1 - p: the threshold itself still gives 0.
        assert_eq!(d.inverse_cdf(0.7), 0.0);
        assert_eq!(d.inverse_cdf(0.700_000_000_000_1), 1.0);
        assert_eq!(d.support(), (0.0, 1.0));
        // Raising p raises every draw (here: turns some 0s into 1s).
        let higher = Distribution::bernoulli(0.6).unwrap();
        for i in 1..1000 {
            let u = i as f64 / 1000.0;
            assert!(higher.inverse_cdf(u) >= d.inverse_cdf(u));
        }
        let never = Distribution::bernoulli(0.0).unwrap();
        let always = Distribution::bernoulli(1.0).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for i in 1..1000 {
            let u = i as f64 / 1000.0;
            assert_eq!(never.inverse_cdf(u), 0.0);
            assert_eq!(always.inverse_cdf(u), 1.0);
            assert_eq!(never.sample(&mut rng), 0.0);
            assert_eq!(always.sample(&mut rng), 1.0);
        }
        assert_eq!(
            (never.support(), always.support()),
            ((0.0, 0.0), (1.0, 1.0))
        );
        assert!(never.is_degenerate() && !d.is_degenerate());
        assert_eq!((never.mean(), never.variance()), (0.0, 0.0));
    }

    #[test]
    fn discrete_edges() {
        // Unsorted, a duplicate value and a zero weight.
        let d = Distribution::discrete(vec![5.0, 1.0, 3.0, 1.0], vec![1.0, 1.0, 0.0, 2.0]).unwrap();
        // P(1) = 3/4, P(5) = 1/4; 3 has zero weight and never appears.
        assert_eq!(d.support(), (1.0, 5.0));
        assert_eq!(d.mean(), 2.0);
        assert_eq!(d.variance(), 3.0);
        assert_eq!(d.inverse_cdf(1e-12), 1.0);
        assert_eq!(d.inverse_cdf(0.75), 1.0);
        assert_eq!(d.inverse_cdf(0.750_000_000_001), 5.0);
        assert_eq!(d.inverse_cdf(1.0 - 1e-12), 5.0);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..10_000 {
            let x = d.sample(&mut rng);
            assert!(x == 1.0 || x == 5.0, "drew {x}");
        }
        // Weights need not sum to 1, and a single positive weight is a point.
        let one = Distribution::discrete(vec![2.0, 9.0], vec![0.0, 7.5]).unwrap();
        assert!(one.is_degenerate());
        assert_eq!((one.inverse_cdf(0.01), one.inverse_cdf(0.99)), (9.0, 9.0));
        assert_eq!(one.kind(), "discrete");
    }

    #[test]
    fn degenerate_members_are_point_masses() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let cases = [
            (normal(2.5, 0.0), 2.5),
            (truncated(2.5, 0.0, Some(0.0), Some(2.5)), 2.5),
            (truncated(0.0, 1.0, Some(1.5), Some(1.5)), 1.5),
            (Distribution::lognormal(4.0, 0.0).unwrap(), 4.0),
            (Distribution::uniform(-1.0, -1.0).unwrap(), -1.0),
            (Distribution::triangular(6.0, 6.0, 6.0).unwrap(), 6.0),
            (Distribution::pert(6.0, 6.0, 6.0, 4.0).unwrap(), 6.0),
            (Distribution::beta(2.0, 3.0, 6.0, 6.0).unwrap(), 6.0),
        ];
        for (d, v) in cases {
            assert!(d.is_degenerate() && !d.is_fixed(), "{d}");
            assert_eq!(
                (d.mean(), d.variance(), d.support()),
                (v, 0.0, (v, v)),
                "{d}"
            );
            for u in [1e-9, 0.5, 1.0 - 1e-9] {
                assert_eq!(d.inverse_cdf(u), v, "{d}");
            }
            assert_eq!(d.sample(&mut rng), v, "{d}");
        }
        let f = Distribution::fixed(-3.5).unwrap();
        assert!(f.is_fixed() && f.is_degenerate());
        assert_eq!((f.inverse_cdf(0.3), f.support()), (-3.5, (-3.5, -3.5)));
    }

    #[test]
    fn supports() {
        let inf = f64::INFINITY;
        assert_eq!(normal(0.0, 1.0).support(), (-inf, inf));
        assert_eq!(truncated(0.0, 1.0, Some(-1.0), None).support(), (-1.0, inf));
        assert_eq!(truncated(0.0, 1.0, None, Some(2.0)).support(), (-inf, 2.0));
        assert_eq!(
            Distribution::lognormal(1.0, 1.0).unwrap().support(),
            (0.0, inf)
        );
        assert_eq!(Distribution::gamma(2.0, 1.0).unwrap().support(), (0.0, inf));
        assert_eq!(
            Distribution::beta(2.0, 2.0, 3.0, 4.0).unwrap().support(),
            (3.0, 4.0)
        );
        assert_eq!(
            Distribution::pert(1.0, 2.0, 5.0, 4.0).unwrap().support(),
            (1.0, 5.0)
        );
        assert_eq!(
            Distribution::triangular(1.0, 2.0, 5.0).unwrap().support(),
            (1.0, 5.0)
        );
        assert_eq!(
            Distribution::uniform(1.0, 5.0).unwrap().support(),
            (1.0, 5.0)
        );
    }

    #[test]
    fn kinds_and_display() {
        let cases = [
            (Distribution::fixed(3.0).unwrap(), "fixed", "fixed 3"),
            (
                Distribution::uniform(0.5, 2.0).unwrap(),
                "uniform",
                "uniform(min 0.5, max 2)",
            ),
            (
                Distribution::normal(1.0, 0.1, Some(0.0), None).unwrap(),
                "normal",
                "normal(mean 1, sd 0.1, min 0)",
            ),
            (
                Distribution::normal(1.0, 0.1, None, Some(2.0)).unwrap(),
                "normal",
                "normal(mean 1, sd 0.1, max 2)",
            ),
            (normal(-1.0, 2.0), "normal", "normal(mean -1, sd 2)"),
            (
                Distribution::lognormal(2.0, 0.5).unwrap(),
                "lognormal",
                "lognormal(mean 2, sd 0.5)",
            ),
            (
                Distribution::triangular(1.0, 2.0, 4.0).unwrap(),
                "triangular",
                "triangular(min 1, mode 2, max 4)",
            ),
            (
                Distribution::pert(0.2, 0.35, 0.7, 4.0).unwrap(),
                "pert",
                "pert(min 0.2, mode 0.35, max 0.7, lambda 4)",
            ),
            (
                Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
                "beta",
                "beta(alpha 2, beta 5, min 0, max 1)",
            ),
            (
                Distribution::gamma(2.0, 3.0).unwrap(),
                "gamma",
                "gamma(shape 2, scale 3)",
            ),
            (
                Distribution::discrete(vec![3.0, 1.0], vec![0.25, 0.75]).unwrap(),
                "discrete",
                "discrete(values [3, 1], weights [0.25, 0.75])",
            ),
            (
                Distribution::bernoulli(0.3).unwrap(),
                "bernoulli",
                "bernoulli(p 0.3)",
            ),
        ];
        for (d, kind, shown) in cases {
            assert_eq!(d.kind(), kind);
            assert_eq!(d.to_string(), shown);
            assert_eq!(d.is_fixed(), kind == "fixed");
        }
    }

    /// Beta, PERT and gamma members served by quantile tables: the shapes
    /// the scenario files use, and ones that bend the quantile sharply.
    pub(super) fn table_cases() -> Vec<(&'static str, Distribution)> {
        let beta = |a, b| Distribution::beta(a, b, 0.0, 1.0).unwrap();
        let pert = |min, mode, max, lambda| Distribution::pert(min, mode, max, lambda).unwrap();
        let gamma = |k, scale| Distribution::gamma(k, scale).unwrap();
        vec![
            ("beta U-shaped", beta(0.3, 0.3)),
            ("beta J-shaped", beta(0.5, 3.0)),
            ("beta", beta(2.0, 5.0)),
            ("beta skewed up", beta(30.0, 2.0)),
            ("beta small shape", beta(0.1, 3.0)),
            ("beta tiny shapes", beta(0.05, 0.05)),
            ("beta large shapes", beta(300.0, 700.0)),
            ("beta very large shapes", beta(1e4, 1e4)),
            (
                "beta on [10, 20]",
                Distribution::beta(0.5, 0.8, 10.0, 20.0).unwrap(),
            ),
            ("pert", pert(0.2, 0.35, 0.7, 4.0)),
            ("pert, mode at min", pert(0.0, 0.0, 1.0, 4.0)),
            ("pert, mode at max", pert(0.0, 1.0, 1.0, 4.0)),
            ("pert, lambda 1", pert(0.2, 0.35, 0.7, 1.0)),
            ("pert, lambda 50", pert(0.2, 0.35, 0.7, 50.0)),
            ("pert, lambda 2.5", pert(10.0, 12.0, 20.0, 2.5)),
            ("pert, narrow", pert(0.007, 0.0096, 0.015, 4.0)),
            ("gamma small shape", gamma(0.2, 1.0)),
            ("gamma", gamma(1.5, 2.0)),
            ("gamma large shape", gamma(50.0, 0.1)),
            ("gamma 0.3", gamma(0.3, 1.5)),
            ("gamma 2", gamma(2.0, 3.0)),
            ("gamma tiny shape", gamma(0.05, 1.0)),
            ("gamma 1000", gamma(1000.0, 0.01)),
        ]
    }

    #[test]
    fn exact_inverse_has_the_same_contract() {
        for d in monotonicity_cases() {
            let (lo, hi) = d.support();
            assert_eq!(d.inverse_cdf_exact(0.0), lo, "{d}");
            assert_eq!(d.inverse_cdf_exact(1.0), hi, "{d}");
            assert!(d.inverse_cdf_exact(f64::NAN).is_nan(), "{d}");
            let mut previous = lo;
            for i in 1..2_000 {
                let x = d.inverse_cdf_exact(i as f64 / 2_000.0);
                assert!(
                    x >= previous && x <= hi,
                    "{d}: inverse_cdf_exact({i}/2000) = {x}"
                );
                previous = x;
            }
        }
    }
}

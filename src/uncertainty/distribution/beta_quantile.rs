//! Quantiles of the beta distribution (the `beta` and `pert` kinds): exact
//! ones from the root solver on statrs' incomplete beta function, and fast
//! ones from a quantile table built from them, each kept on the side of
//! the median where it does not lose digits.

use std::f64::consts::SQRT_2;
use std::sync::Arc;

use statrs::distribution::ContinuousCDF;
use statrs::function::erf::erfc_inv;

use super::quantile_table::{Knot, Outside, QuantileTable, TABLE_MAX_LOG, table_range};
use super::solver::{logistic, logit, softplus, solve_log_concave};
use super::{DistributionError, sampler_error};

/// Quantiles of Beta(a, b) on [0, 1]: statrs' incomplete beta function,
/// inverted in `t = logit y` (the logit of a beta variable has a log-concave
/// density). Lower quantiles are returned as y, upper ones as 1 - y so that
/// neither tail loses digits.
///
/// statrs 0.19's `Beta::inverse_cdf` (AS 109) is fine for shapes >= 1 but
/// misplaces lower quantiles of small shapes (a = 0.1, b = 3, u = 0.05:
/// relative error 5e-4; a = b = 0.05: off by 650x).
///
/// That solver costs ~1 us a call, so [`BetaQuantile::quantile`] reads a
/// [`QuantileTable`] built from it instead, and runs it only in the far
/// tails or when the shapes are too extreme to tabulate.
#[derive(Debug, Clone)]
pub(super) struct BetaQuantile {
    a: f64,
    b: f64,
    ln_beta: f64,
    /// Beta(a, b) for the lower tail, Beta(b, a) for the upper tail in 1 - y.
    lower_cdf: statrs::distribution::Beta,
    upper_cdf: statrs::distribution::Beta,
    /// I_{MIN_POSITIVE}(a, b) and I_{MIN_POSITIVE}(b, a): beyond them the
    /// quantile is 0 or 1 to double precision.
    p_floor: f64,
    q_floor: f64,
    /// In logit y; None for shapes too extreme to tabulate. Shared, so
    /// cloning a distribution is cheap.
    pub(super) table: Option<Arc<QuantileTable>>,
}

/// One side of a beta quantile: `Lower(y)` or `Upper(1 - y)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum BetaSide {
    Lower(f64),
    Upper(f64),
}

impl BetaSide {
    /// y = logistic(t), as whichever of y and 1 - y is at most 1/2. By the
    /// sign of t, not by the side of u = 0.5 the solver worked from: a small
    /// median puts y near 0 just above u = 0.5 (beta(0.1, 3): 2.3e-4),
    /// where 1 - y would keep only 12 of its digits.
    fn from_logit(t: f64) -> BetaSide {
        if t <= 0.0 {
            BetaSide::Lower(logistic(t))
        } else {
            BetaSide::Upper(logistic(-t))
        }
    }
}

impl BetaQuantile {
    pub(super) fn new(a: f64, b: f64) -> Result<Self, DistributionError> {
        let lower_cdf =
            statrs::distribution::Beta::new(a, b).map_err(|e| sampler_error("alpha", e))?;
        let upper_cdf =
            statrs::distribution::Beta::new(b, a).map_err(|e| sampler_error("beta", e))?;
        let mut quantile = BetaQuantile {
            a,
            b,
            ln_beta: statrs::function::beta::ln_beta(a, b),
            p_floor: lower_cdf.cdf(f64::MIN_POSITIVE),
            q_floor: upper_cdf.cdf(f64::MIN_POSITIVE),
            lower_cdf,
            upper_cdf,
            table: None,
        };
        // I_y(a, b) ~ y^a / (a B(a, b)) at y = e^-600, and likewise for 1 - y.
        let ln_tail = |shape: f64| -TABLE_MAX_LOG * shape - shape.ln() - quantile.ln_beta;
        let (s_lo, s_hi) = table_range(ln_tail(a), ln_tail(b));
        quantile.table = QuantileTable::build(s_lo, s_hi, |s| quantile.knot(s)).map(Arc::new);
        Ok(quantile)
    }

    /// The exact table knot at about `s` (exactly at logit_u(logistic(s))).
    fn knot(&self, s: f64) -> Option<Knot> {
        let u = logistic(s);
        let t = self.logit_exact(u);
        let (a, b) = (self.a, self.b);
        let ln_g = -a * softplus(-t) - b * softplus(t) - self.ln_beta;
        let (y, ybar) = (logistic(t), logistic(-t));
        Knot::new(u, t, ln_g, a * ybar - b * y, -(a + b) * y * ybar)
    }

    /// Quantile at `u` in (0, 1), from the table where it has one.
    ///
    /// Out of line: inlined into `Distribution::quantile`, the table lookup's
    /// register pressure slowed every other kind (triangular 3 -> 9 ns).
    #[inline(never)]
    pub(super) fn quantile(&self, u: f64) -> BetaSide {
        let t = match &self.table {
            None => self.logit_exact(u),
            Some(table) => match table.eval(u) {
                Ok(t) => t,
                // Beyond the table, the exact value is kept on the far side
                // of the table's end value, so the switch is monotone.
                Err(Outside::Below(edge)) => self.logit_exact(u).min(edge),
                Err(Outside::Above(edge)) => self.logit_exact(u).max(edge),
            },
        };
        BetaSide::from_logit(t)
    }

    /// Quantile at `u` in (0, 1), by the exact solver.
    pub(super) fn quantile_exact(&self, u: f64) -> BetaSide {
        BetaSide::from_logit(self.logit_exact(u))
    }

    /// Density of logit Y at t, y^a (1 - y)^b / B(a, b), and its
    /// log-derivative a (1 - y) - b y.
    fn log_density(&self, t: f64) -> (f64, f64) {
        (
            (-self.a * softplus(-t) - self.b * softplus(t) - self.ln_beta).exp(),
            self.a * logistic(-t) - self.b * logistic(t),
        )
    }

    /// logit of the quantile at `u` in (0, 1), by the exact solver; -inf
    /// or +inf where the quantile is 0 or 1 to double precision.
    ///
    /// Known limit: the upper branch evaluates I_{1-y}(b, a) at 1 - y
    /// rounded, so a y below ~1e-8 at u > 0.5 (a median that small, as for
    /// a = 0.03, b = 1) keeps only the digits 1e-16 / y leaves it; below
    /// 1e-15 none (a = 0.01, b = 1 at u = 0.6: 1e-15 for 6.5e-23). The
    /// lower branch has the mirror image for y near 1. Such shapes are
    /// not tabulated: the noise breaks the table's checks.
    fn logit_exact(&self, u: f64) -> f64 {
        let (a, b) = (self.a, self.b);
        let lower = u <= 0.5;
        if lower && u <= self.p_floor {
            return f64::NEG_INFINITY;
        }
        if !lower && 1.0 - u <= self.q_floor {
            return f64::INFINITY;
        }
        // Start: the normal approximation, raised to the tail asymptote
        // I_y(a, b) ~ y^a / (a B(a, b)) (capped at the mean) where that is
        // larger, and the asymptote alone where the normal leaves (0, 1).
        // Any finite start converges; a good one saves iterations.
        let sum = a + b;
        let mean = a / sum;
        let sd = (mean * (b / sum) / (sum + 1.0)).sqrt();
        let z = -SQRT_2 * erfc_inv(2.0 * u);
        let normal = mean + z * sd;
        let t0 = if lower {
            let tail = ((u.ln() + a.ln() + self.ln_beta) / a).exp();
            let y0 = if normal > 0.0 && normal < 1.0 {
                normal.max(tail.min(mean))
            } else {
                tail
            };
            logit(y0)
        } else {
            let tail = (((1.0 - u).ln() + b.ln() + self.ln_beta) / b).exp();
            let ybar0 = if normal > 0.0 && normal < 1.0 {
                (1.0 - normal).max(tail.min(1.0 - mean))
            } else {
                tail
            };
            -logit(ybar0)
        };
        if lower {
            solve_log_concave(t0, u.ln(), true, |t| {
                let (density, slope) = self.log_density(t);
                (self.lower_cdf.cdf(logistic(t)), density, slope)
            })
        } else {
            solve_log_concave(t0, (1.0 - u).ln(), false, |t| {
                let (density, slope) = self.log_density(t);
                (self.upper_cdf.cdf(logistic(-t)), density, slope)
            })
        }
    }
}

/// A beta quantile on [min, max = min + range]. Each side is clamped to its
/// half of the range, so the switch between them (at y = 1/2) is monotone.
pub(super) fn scale_beta(side: BetaSide, min: f64, max: f64, range: f64) -> f64 {
    let centre = min + 0.5 * range;
    match side {
        BetaSide::Lower(y) => (min + range * y).min(centre),
        BetaSide::Upper(ybar) => (max - range * ybar).max(centre),
    }
}

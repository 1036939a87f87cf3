//! Quantiles of the gamma distribution: exact ones from the root solver on
//! statrs' incomplete gamma function, and fast ones from a quantile table
//! built from them.

use std::f64::consts::SQRT_2;
use std::sync::Arc;

use statrs::distribution::ContinuousCDF;
use statrs::function::erf::erfc_inv;

use super::quantile_table::{Knot, Outside, QuantileTable, TABLE_MAX_LOG, table_range};
use super::solver::{logistic, solve_log_concave};
use super::{DistributionError, sampler_error};

/// Quantiles of the standard Gamma(k, 1): statrs' incomplete gamma function,
/// inverted in `t = ln x` (the log of a gamma variable has a log-concave
/// density).
///
/// statrs 0.19's own `Gamma::inverse_cdf` stops on an absolute tolerance of
/// 1e-14, so for small shapes its lower quantiles are off by orders of
/// magnitude (k = 0.1, u = 0.05: 9.4e-10 for 5.9e-14), and it takes
/// 1-10 us a call.
///
/// That solver costs 0.3-0.5 us a call, so [`GammaQuantile::quantile`]
/// reads a [`QuantileTable`] built from it instead, and runs it only in the
/// far tails or when the shape is too extreme to tabulate.
#[derive(Debug, Clone)]
pub(super) struct GammaQuantile {
    shape: f64,
    ln_gamma_shape: f64,
    /// ln Gamma(k + 1), for the small-x start.
    ln_gamma_shape1: f64,
    /// P(k, smallest normal double): below it the quantile underflows.
    p_floor: f64,
    cdf: statrs::distribution::Gamma,
    /// In ln x; None for the exponential (k = 1, closed form) and shapes
    /// too extreme to tabulate. Shared, so cloning a distribution is cheap.
    pub(super) table: Option<Arc<QuantileTable>>,
}

impl GammaQuantile {
    pub(super) fn new(shape: f64) -> Result<Self, DistributionError> {
        let cdf =
            statrs::distribution::Gamma::new(shape, 1.0).map_err(|e| sampler_error("shape", e))?;
        let mut quantile = GammaQuantile {
            shape,
            ln_gamma_shape: statrs::function::gamma::ln_gamma(shape),
            ln_gamma_shape1: statrs::function::gamma::ln_gamma(shape + 1.0),
            p_floor: cdf.cdf(f64::MIN_POSITIVE),
            cdf,
            table: None,
        };
        if shape != 1.0 {
            // P(k, x) ~ x^k / Gamma(k + 1) at x = e^-600; the upper tail
            // never gets near e^600.
            let ln_lower = -TABLE_MAX_LOG * shape - quantile.ln_gamma_shape1;
            let (s_lo, s_hi) = table_range(ln_lower, f64::NEG_INFINITY);
            quantile.table = QuantileTable::build(s_lo, s_hi, |s| quantile.knot(s)).map(Arc::new);
        }
        Ok(quantile)
    }

    /// The exact table knot at about `s` (exactly at logit_u(logistic(s))).
    fn knot(&self, s: f64) -> Option<Knot> {
        let u = logistic(s);
        let x = self.quantile_exact(u);
        let t = x.ln();
        let k = self.shape;
        Knot::new(u, t, k * t - x - self.ln_gamma_shape, k - x, -x)
    }

    /// Quantile at `u` in (0, 1), from the table where it has one.
    ///
    /// Out of line: inlined into `Distribution::quantile`, the table lookup's
    /// register pressure slowed every other kind (triangular 3 -> 9 ns).
    #[inline(never)]
    pub(super) fn quantile(&self, u: f64) -> f64 {
        let Some(table) = &self.table else {
            return self.quantile_exact(u);
        };
        match table.eval(u) {
            Ok(t) => t.exp(),
            Err(Outside::Below(t)) => self.quantile_exact(u).min(t.exp()),
            Err(Outside::Above(t)) => self.quantile_exact(u).max(t.exp()),
        }
    }

    /// Density of ln X at t, x f(x) = exp(k t - e^t - ln Gamma(k)), and its
    /// log-derivative k - e^t.
    fn log_density(&self, t: f64) -> (f64, f64) {
        let x = t.exp();
        (
            (self.shape * t - x - self.ln_gamma_shape).exp(),
            self.shape - x,
        )
    }

    /// Quantile at `u` in (0, 1), by the exact solver.
    pub(super) fn quantile_exact(&self, u: f64) -> f64 {
        let k = self.shape;
        if k == 1.0 {
            // Exponential: closed form, from the tail that keeps the digits.
            return if u <= 0.5 {
                -(-u).ln_1p()
            } else {
                -(1.0 - u).ln()
            };
        }
        let lower = u <= 0.5;
        if lower && u <= self.p_floor {
            return 0.0;
        }
        // Wilson-Hilferty cube-root normal start, or tail asymptotics where
        // it breaks down (small k).
        let z = -SQRT_2 * erfc_inv(2.0 * u);
        let c = 1.0 / (9.0 * k);
        let w = 1.0 - c + z * c.sqrt();
        let wilson = if w > 0.0 { k * w * w * w } else { 0.0 };
        let x0 = if lower {
            // P(k, x) <= x^k / Gamma(k + 1), so this is a lower bound.
            let small = ((u.ln() + self.ln_gamma_shape1) / k).exp();
            small.max(wilson)
        } else if wilson > 0.0 {
            wilson
        } else {
            // Q(k, x) ~ x^(k-1) e^(-x) / Gamma(k) for large x.
            let large = -(1.0 - u).ln() - self.ln_gamma_shape;
            if large > 0.0 { large } else { k }
        };
        let t0 = if x0 > 0.0 && x0.is_finite() {
            x0.ln()
        } else {
            k.ln()
        };
        let t = if lower {
            solve_log_concave(t0, u.ln(), true, |t| {
                let (density, slope) = self.log_density(t);
                (self.cdf.cdf(t.exp()), density, slope)
            })
        } else {
            solve_log_concave(t0, (1.0 - u).ln(), false, |t| {
                let (density, slope) = self.log_density(t);
                (self.cdf.sf(t.exp()), density, slope)
            })
        };
        t.exp()
    }
}

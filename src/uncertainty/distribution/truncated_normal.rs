//! The normal distribution truncated to a window, inverted without
//! cancellation however far in a tail the window lies, and the standard
//! normal tail functions its constructor needs.

use std::f64::consts::SQRT_2;

use statrs::function::erf::erfc_inv;

/// A normal truncated to `[lo, hi]` (either end may be infinite), with
/// positive probability mass and sd > 0.
///
/// Tail-safe inversion: the standardised bounds a, b are kept as both lower
/// (`Phi`) and upper (`Q = 1 - Phi`) tail probabilities, each accurate
/// where it is small. A draw whose target probability lies in the lower half
/// is inverted from `Phi(a) + u * mass`, one in the upper half from
/// `Q(b) + (1 - u) * mass`, so neither cancels to 0 in a far tail.
#[derive(Debug, Clone)]
pub(super) struct TruncNormal {
    pub(super) mean: f64,
    pub(super) sd: f64,
    pub(super) lo: f64,
    pub(super) hi: f64,
    /// Phi(a).
    pub(super) p_lo: f64,
    /// Q(b) = 1 - Phi(b).
    pub(super) q_hi: f64,
    /// Phi(b) - Phi(a), computed in the tail where it does not cancel.
    pub(super) mass: f64,
}

/// Upper tail of the standard normal, Q(|z|) = 1 - Phi(|z|), for the
/// constructor (not the hot path).
///
/// Taken as erfc(|z|/sqrt 2)/2 = Q(1/2, z^2/2)/2 through statrs' regularized
/// incomplete gamma function rather than statrs' `erfc`: statrs 0.19 ports
/// Boost's erf with its `float` split constants written as f64 literals
/// (0.3440242112 for 0.3440242112F...), which leaves `erfc` ~1e-10
/// relative off everywhere; the gamma route is good to ~1e-15.
fn normal_tail(z: f64) -> f64 {
    let w = 0.5 * z * z;
    if w == 0.0 {
        0.5
    } else if w.is_infinite() {
        0.0
    } else {
        0.5 * statrs::function::gamma::gamma_ur(0.5, w)
    }
}

/// Standard normal CDF, accurate in the lower tail.
pub(super) fn phi_lower(z: f64) -> f64 {
    if z <= 0.0 {
        normal_tail(z)
    } else {
        1.0 - normal_tail(z)
    }
}

/// Standard normal survival function, accurate in the upper tail.
pub(super) fn phi_upper(z: f64) -> f64 {
    phi_lower(-z)
}

/// Standard normal density (0 at +-inf).
pub(super) fn phi_density(z: f64) -> f64 {
    const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    INV_SQRT_2PI * (-0.5 * z * z).exp()
}

/// `z * phi(z)`, taken as 0 at +-inf (its limit) rather than NaN.
pub(super) fn z_phi(z: f64) -> f64 {
    if z.is_infinite() {
        0.0
    } else {
        z * phi_density(z)
    }
}

impl TruncNormal {
    pub(super) fn inverse_cdf(&self, u: f64) -> f64 {
        let p = self.p_lo + u * self.mass;
        // Both branches meet at z = 0 (p = q = 0.5): the lower one yields
        // z <= 0 and the upper z >= 0, so switching keeps the map monotone.
        let z = if p <= 0.5 {
            -SQRT_2 * erfc_inv(2.0 * p)
        } else {
            let q = (self.q_hi + (1.0 - u) * self.mass).min(0.5);
            SQRT_2 * erfc_inv(2.0 * q)
        };
        (self.mean + self.sd * z).clamp(self.lo, self.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::truncated;

    #[test]
    fn truncated_normal_moments_match_scipy() {
        // scipy 1.17.1: stats.truncnorm(a, b, loc=mean, scale=sd).stats('mv')
        let cases = [
            (
                truncated(1.0, 0.5, Some(0.8), None),
                1.2809413518984814,
                0.11488368641375735,
            ),
            (
                truncated(0.3, 0.2, Some(0.0), Some(1.0)),
                0.32757779316963054,
                0.030779049141063716,
            ),
            (
                truncated(0.0, 1.0, Some(8.0), Some(9.0)),
                8.121188992979867,
                0.014148542782169593,
            ),
            (
                truncated(100.0, 2.0, Some(160.0), Some(162.0)),
                160.06651933487274,
                0.004415085716617639,
            ),
        ];
        for (d, mean, var) in cases {
            assert!(
                (d.mean() - mean).abs() <= 1e-12 * mean.abs(),
                "{d}: mean {}",
                d.mean()
            );
            assert!(
                (d.variance() - var).abs() <= 1e-6 * var,
                "{d}: var {}",
                d.variance()
            );
        }
    }
}

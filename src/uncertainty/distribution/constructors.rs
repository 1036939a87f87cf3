//! The constructors of [`Distribution`], one per kind, and the checks of
//! their parameters: what makes each refuse a parameter set, with the field
//! to blame, and what each precomputes for the evaluation.

use super::beta_quantile::{BetaQuantile, scale_beta};
use super::gamma_quantile::GammaQuantile;
use super::truncated_normal::{TruncNormal, phi_density, phi_lower, phi_upper, z_phi};
use super::{Distribution, DistributionError, Law, Spec, sampler_error};

/// Largest gamma shape accepted. statrs' incomplete gamma series needs
/// O(sqrt(shape)) terms, so each quantile costs ~50 us at 1e6 and grows
/// without bound; a gamma this concentrated (CV 0.1%) is a normal anyway.
const MAX_GAMMA_SHAPE: f64 = 1e6;
/// Largest beta shape accepted: statrs' incomplete beta continued fraction
/// stops at 140 terms, which loses accuracy near the median beyond this
/// (measured: 3.5e-9 relative at 1e5, 1e-5 at 1e6).
const MAX_BETA_SHAPE: f64 = 1e5;
/// Largest PERT lambda accepted, keeping its beta shapes under
/// [`MAX_BETA_SHAPE`] (classic PERT uses 4).
const MAX_PERT_LAMBDA: f64 = 1e4;

/// `Err` unless `value <= limit`; `why` says what to use instead.
fn at_most(
    field: &'static str,
    value: f64,
    limit: f64,
    why: &str,
) -> Result<(), DistributionError> {
    if value <= limit {
        Ok(())
    } else {
        Err(DistributionError::new(
            field,
            format!("{field} must be <= {limit:e} ({why}), got {value}"),
        ))
    }
}

/// `Err` unless `value` is finite.
fn finite(field: &'static str, value: f64) -> Result<f64, DistributionError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DistributionError::new(
            field,
            format!("{field} must be a finite number, got {value}"),
        ))
    }
}

/// `Err` unless `value > 0` (and finite).
fn positive(field: &'static str, value: f64) -> Result<f64, DistributionError> {
    finite(field, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(DistributionError::new(
            field,
            format!("{field} must be > 0, got {value}"),
        ))
    }
}

/// `Err` unless `min <= max` and the width is representable; returns it.
fn ordered(min: f64, max: f64) -> Result<f64, DistributionError> {
    if min > max {
        return Err(DistributionError::new(
            "max",
            format!("max must be >= min ({min}), got {max}"),
        ));
    }
    let range = max - min;
    if !range.is_finite() {
        return Err(DistributionError::new(
            "max",
            format!("max - min must be a finite number, got {max} - {min}"),
        ));
    }
    Ok(range)
}

/// `Err` unless `min <= mode <= max`.
fn mode_within(min: f64, mode: f64, max: f64) -> Result<(), DistributionError> {
    if (min..=max).contains(&mode) {
        Ok(())
    } else {
        Err(DistributionError::new(
            "mode",
            format!("mode must lie within [min, max] = [{min}, {max}], got {mode}"),
        ))
    }
}

/// `Err` unless `sd >= 0` (and finite).
fn non_negative_sd(sd: f64) -> Result<f64, DistributionError> {
    finite("sd", sd)?;
    if sd >= 0.0 {
        Ok(sd)
    } else {
        Err(DistributionError::new(
            "sd",
            format!("sd must be >= 0, got {sd}"),
        ))
    }
}

impl Distribution {
    fn point(spec: Spec, value: f64) -> Self {
        Distribution {
            spec,
            law: Law::Point(value),
            mean: value,
            variance: 0.0,
            support: (value, value),
        }
    }

    /// Beta(alpha, beta) on [min, max], shared by `beta` and `pert`; the
    /// parameters are validated and `min < max`.
    fn scaled_beta(
        spec: Spec,
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    ) -> Result<Self, DistributionError> {
        let range = max - min;
        let quantile = BetaQuantile::new(alpha, beta)?;
        let median = scale_beta(quantile.quantile(0.5), min, max, range);
        let exact_median = scale_beta(quantile.quantile_exact(0.5), min, max, range);
        let sampler = rand_distr::Beta::new(alpha, beta).map_err(|e| sampler_error("alpha", e))?;
        let sum = alpha + beta;
        let mean = min + range * (alpha / sum);
        let variance = range * range * (alpha / sum) * (beta / sum) / (sum + 1.0);
        Ok(Distribution {
            spec,
            law: Law::ScaledBeta {
                min,
                max,
                range,
                median,
                exact_median,
                quantile,
                sampler,
            },
            mean,
            variance,
            support: (min, max),
        })
    }

    /// A single value (`dist = "fixed"`, or a plain number).
    pub fn fixed(value: f64) -> Result<Self, DistributionError> {
        finite("value", value)?;
        Ok(Self::point(Spec::Fixed(value), value))
    }

    /// Uniform on `[min, max]`; `min == max` is a point mass.
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistributionError> {
        finite("min", min)?;
        finite("max", max)?;
        let range = ordered(min, max)?;
        let spec = Spec::Uniform { min, max };
        if range == 0.0 {
            return Ok(Self::point(spec, min));
        }
        let sampler =
            rand::distr::Uniform::new_inclusive(min, max).map_err(|e| sampler_error("max", e))?;
        Ok(Distribution {
            spec,
            law: Law::Uniform {
                min,
                max,
                range,
                sampler,
            },
            mean: min + 0.5 * range,
            variance: range * range / 12.0,
            support: (min, max),
        })
    }

    /// Normal, truncated to `[min, max]` where bounds are given.
    ///
    /// `sd = 0` is a point mass at the mean (which must then lie in the
    /// window); `min == max` is a point mass there. A window holding
    /// numerically zero probability (beyond about 37 sd from the mean) is
    /// refused.
    pub fn normal(
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, DistributionError> {
        finite("mean", mean)?;
        non_negative_sd(sd)?;
        let lo = match min {
            Some(v) => finite("min", v)?,
            None => f64::NEG_INFINITY,
        };
        let hi = match max {
            Some(v) => finite("max", v)?,
            None => f64::INFINITY,
        };
        if lo > hi {
            return Err(DistributionError::new(
                "max",
                format!("max must be >= min ({lo}), got {hi}"),
            ));
        }
        let spec = Spec::Normal { mean, sd, min, max };
        let window = || match (min, max) {
            (Some(a), Some(b)) => format!("[{a}, {b}]"),
            (Some(a), None) => format!("[{a}, inf)"),
            (None, Some(b)) => format!("(-inf, {b}]"),
            (None, None) => "(-inf, inf)".to_string(),
        };
        let blame = if hi < mean { "max" } else { "min" };

        if sd == 0.0 {
            if !(lo..=hi).contains(&mean) {
                return Err(DistributionError::new(
                    blame,
                    format!(
                        "truncation window {} must contain the mean ({mean}) when sd = 0, \
                         or it holds no probability",
                        window()
                    ),
                ));
            }
            return Ok(Self::point(spec, mean));
        }
        if lo == hi {
            return Ok(Self::point(spec, lo));
        }

        if min.is_none() && max.is_none() {
            let sampler = rand_distr::Normal::new(mean, sd).map_err(|e| sampler_error("sd", e))?;
            return Ok(Distribution {
                spec,
                law: Law::Normal { mean, sd, sampler },
                mean,
                variance: sd * sd,
                support: (f64::NEG_INFINITY, f64::INFINITY),
            });
        }

        let a = (lo - mean) / sd;
        let b = (hi - mean) / sd;
        let p_lo = phi_lower(a);
        let q_hi = phi_upper(b);
        // Subtract the two probabilities in the tail where both are small.
        let mass = if a >= 0.0 {
            phi_upper(a) - q_hi
        } else if b <= 0.0 {
            phi_lower(b) - p_lo
        } else {
            (0.5 - p_lo) + (0.5 - q_hi)
        };
        // Subnormal masses have lost their precision: treat them as zero.
        if mass.is_nan() || mass < f64::MIN_POSITIVE {
            return Err(DistributionError::new(
                blame,
                format!(
                    "truncation window {} holds numerically zero probability under \
                     normal(mean {mean}, sd {sd}); it must overlap the distribution's body",
                    window()
                ),
            ));
        }
        // Standard truncated-normal moments; clamped because cancellation in
        // very narrow windows can push them a hair outside their bounds.
        let da = phi_density(a) / mass;
        let db = phi_density(b) / mass;
        let mean_z = da - db;
        let var_z = 1.0 + (z_phi(a) - z_phi(b)) / mass - mean_z * mean_z;
        let t_mean = (mean + sd * mean_z).clamp(lo, hi);
        let max_var = if (hi - lo).is_finite() {
            0.25 * (hi - lo) * (hi - lo)
        } else {
            f64::INFINITY
        };
        let t_var = (sd * sd * var_z).clamp(0.0, max_var);
        Ok(Distribution {
            spec,
            law: Law::TruncNormal(TruncNormal {
                mean,
                sd,
                lo,
                hi,
                p_lo,
                q_hi,
                mass,
            }),
            mean: t_mean,
            variance: t_var,
            support: (lo, hi),
        })
    }

    /// Lognormal from the mean and sd of the variable itself (not of its log).
    ///
    /// With sigma^2 = ln(1 + sd^2/mean^2) and mu = ln(mean) - sigma^2/2, the
    /// log of the variable is Normal(mu, sigma). `mean` must be > 0; `sd = 0`
    /// is a point mass at the mean.
    pub fn lognormal(mean: f64, sd: f64) -> Result<Self, DistributionError> {
        finite("mean", mean)?;
        non_negative_sd(sd)?;
        if mean <= 0.0 {
            return Err(DistributionError::new(
                "mean",
                format!("mean must be > 0 for a lognormal, got {mean}"),
            ));
        }
        let spec = Spec::LogNormal { mean, sd };
        if sd == 0.0 {
            return Ok(Self::point(spec, mean));
        }
        let ratio = sd / mean;
        let sigma2 = if ratio < 1e150 {
            (ratio * ratio).ln_1p()
        } else {
            // ratio^2 would overflow; ln(1 + r^2) = 2 ln r to double precision.
            2.0 * (sd.ln() - mean.ln())
        };
        let sigma = sigma2.sqrt();
        let mu = mean.ln() - 0.5 * sigma2;
        let quantile =
            statrs::distribution::LogNormal::new(mu, sigma).map_err(|e| sampler_error("sd", e))?;
        let sampler = rand_distr::LogNormal::new(mu, sigma).map_err(|e| sampler_error("sd", e))?;
        Ok(Distribution {
            spec,
            law: Law::LogNormal { quantile, sampler },
            mean,
            variance: sd * sd,
            support: (0.0, f64::INFINITY),
        })
    }

    /// Triangular on `[min, max]` with peak at `mode`; `min == max` is a
    /// point mass.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        finite("min", min)?;
        finite("mode", mode)?;
        finite("max", max)?;
        let range = ordered(min, max)?;
        mode_within(min, mode, max)?;
        let spec = Spec::Triangular { min, mode, max };
        if range == 0.0 {
            return Ok(Self::point(spec, min));
        }
        let sampler = if (range * range).is_finite() {
            Some(
                rand_distr::Triangular::new(min, max, mode)
                    .map_err(|e| sampler_error("mode", e))?,
            )
        } else {
            None
        };
        let c = (mode - min) / range;
        let d = (max - mode) / range;
        // (min + mode + max) / 3, without overflowing the sum.
        let mean = min + range * (1.0 + c) / 3.0;
        // Var = range^2 (1 - c + c^2) / 18, written to avoid cancellation.
        let variance = range * range * (c * c + d) / 18.0;
        Ok(Distribution {
            spec,
            law: Law::Triangular {
                min,
                mode,
                max,
                range,
                c,
                d,
                sampler,
            },
            mean,
            variance,
            support: (min, max),
        })
    }

    /// PERT with shape `lambda` (4 in the classic form): a Beta with
    /// alpha = 1 + lambda (mode - min)/(max - min),
    /// beta = 1 + lambda (max - mode)/(max - min), scaled to `[min, max]`.
    /// `min == max` is a point mass.
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, DistributionError> {
        finite("min", min)?;
        finite("mode", mode)?;
        finite("max", max)?;
        positive("lambda", lambda)?;
        at_most(
            "lambda",
            lambda,
            MAX_PERT_LAMBDA,
            "a PERT this peaked is practically fixed at its mode",
        )?;
        let range = ordered(min, max)?;
        mode_within(min, mode, max)?;
        let spec = Spec::Pert {
            min,
            mode,
            max,
            lambda,
        };
        if range == 0.0 {
            return Ok(Self::point(spec, min));
        }
        let alpha = 1.0 + lambda * ((mode - min) / range);
        let beta = 1.0 + lambda * ((max - mode) / range);
        Self::scaled_beta(spec, alpha, beta, min, max)
    }

    /// Beta(alpha, beta) scaled to `[min, max]`; `min == max` is a point mass.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Self, DistributionError> {
        positive("alpha", alpha)?;
        positive("beta", beta)?;
        let why = "beyond it the beta function cannot be inverted accurately; use a normal";
        at_most("alpha", alpha, MAX_BETA_SHAPE, why)?;
        at_most("beta", beta, MAX_BETA_SHAPE, why)?;
        finite("min", min)?;
        finite("max", max)?;
        let range = ordered(min, max)?;
        let spec = Spec::Beta {
            alpha,
            beta,
            min,
            max,
        };
        if range == 0.0 {
            return Ok(Self::point(spec, min));
        }
        Self::scaled_beta(spec, alpha, beta, min, max)
    }

    /// Gamma with shape k and scale theta (mean k theta).
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, DistributionError> {
        positive("shape", shape)?;
        positive("scale", scale)?;
        at_most(
            "shape",
            shape,
            MAX_GAMMA_SHAPE,
            "a gamma this concentrated is a normal to within 0.1%; use a normal",
        )?;
        let quantile = GammaQuantile::new(shape)?;
        let median = scale * quantile.quantile(0.5);
        let exact_median = scale * quantile.quantile_exact(0.5);
        let sampler =
            rand_distr::Gamma::new(shape, scale).map_err(|e| sampler_error("shape", e))?;
        Ok(Distribution {
            spec: Spec::Gamma { shape, scale },
            law: Law::Gamma {
                scale,
                median,
                exact_median,
                quantile,
                sampler,
            },
            mean: shape * scale,
            variance: shape * scale * scale,
            support: (0.0, f64::INFINITY),
        })
    }

    /// Discrete `values` with `weights` (normalised to sum to 1).
    ///
    /// Weights must be >= 0 with a positive finite sum, one per value;
    /// values of zero weight can never be drawn. The order given does not
    /// matter: values are sorted so that the inverse CDF is monotone.
    pub fn discrete(values: Vec<f64>, weights: Vec<f64>) -> Result<Self, DistributionError> {
        if values.is_empty() {
            return Err(DistributionError::new(
                "values",
                "values must hold at least one value, got none",
            ));
        }
        if weights.len() != values.len() {
            return Err(DistributionError::new(
                "weights",
                format!(
                    "weights must have one entry per value ({}), got {}",
                    values.len(),
                    weights.len()
                ),
            ));
        }
        for (i, &v) in values.iter().enumerate() {
            if !v.is_finite() {
                return Err(DistributionError::new(
                    "values",
                    format!(
                        "values must be finite numbers, got {v} at position {}",
                        i + 1
                    ),
                ));
            }
        }
        for (i, &w) in weights.iter().enumerate() {
            if !(w.is_finite() && w >= 0.0) {
                return Err(DistributionError::new(
                    "weights",
                    format!(
                        "weights must be finite and >= 0, got {w} at position {}",
                        i + 1
                    ),
                ));
            }
        }
        let total: f64 = weights.iter().sum();
        if !(total.is_finite() && total > 0.0) {
            return Err(DistributionError::new(
                "weights",
                format!("weights must sum to a positive finite number, got {total}"),
            ));
        }

        let mut pairs: Vec<(f64, f64)> = values
            .iter()
            .copied()
            .zip(weights.iter().copied())
            .filter(|&(_, w)| w > 0.0)
            .collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        // Merge equal values so each appears once in the table.
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
        for (v, w) in pairs {
            match merged.last_mut() {
                Some(last) if last.0 == v => last.1 += w,
                _ => merged.push((v, w)),
            }
        }
        let sorted: Vec<f64> = merged.iter().map(|&(v, _)| v).collect();
        // Cumulate raw weights, then divide: the last entry is exactly 1 and
        // the table is non-decreasing.
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = merged
            .iter()
            .map(|&(_, w)| {
                running += w;
                running / total
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        let mean: f64 = merged.iter().map(|&(v, w)| v * (w / total)).sum();
        let variance: f64 = merged
            .iter()
            .map(|&(v, w)| (v - mean) * (v - mean) * (w / total))
            .sum();
        let support = (sorted[0], sorted[sorted.len() - 1]);
        let spec = Spec::Discrete { values, weights };
        if sorted.len() == 1 {
            return Ok(Self::point(spec, sorted[0]));
        }
        Ok(Distribution {
            spec,
            law: Law::Discrete {
                values: sorted,
                cumulative,
            },
            mean,
            variance,
            support,
        })
    }

    /// Bernoulli: 1 with probability `p`, else 0. The inverse CDF gives 1
    /// exactly when `u > 1 - p`, so raising `p` raises every draw.
    pub fn bernoulli(p: f64) -> Result<Self, DistributionError> {
        finite("p", p)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(DistributionError::new(
                "p",
                format!("p must be a probability in [0, 1], got {p}"),
            ));
        }
        let sampler = rand::distr::Bernoulli::new(p).map_err(|e| sampler_error("p", e))?;
        let support = if p == 0.0 {
            (0.0, 0.0)
        } else if p == 1.0 {
            (1.0, 1.0)
        } else {
            (0.0, 1.0)
        };
        Ok(Distribution {
            spec: Spec::Bernoulli(p),
            law: Law::Bernoulli {
                threshold: 1.0 - p,
                sampler,
            },
            mean: p,
            variance: p * (1.0 - p),
            support,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Asserts `result` is an error blaming `field` whose message contains
    /// every one of `says`.
    fn assert_refused(result: Result<Distribution, DistributionError>, field: &str, says: &[&str]) {
        match result {
            Ok(d) => panic!("{d} was accepted; expected an error on {field}"),
            Err(e) => {
                assert_eq!(e.field, field, "wrong field for: {}", e.message);
                for s in says {
                    assert!(e.message.contains(s), "{:?} lacks {s:?}", e.message);
                }
                assert_eq!(e.to_string(), e.message);
            }
        }
    }

    #[test]
    fn refuses_negative_sd() {
        let says = ["sd must be >= 0", "got -1"];
        assert_refused(Distribution::normal(1.0, -1.0, None, None), "sd", &says);
        assert_refused(
            Distribution::normal(1.0, -1.0, Some(0.0), None),
            "sd",
            &says,
        );
        assert_refused(Distribution::lognormal(1.0, -1.0), "sd", &says);
    }

    #[test]
    fn refuses_min_above_max() {
        let says = ["max must be >= min (2)", "got 1"];
        assert_refused(Distribution::uniform(2.0, 1.0), "max", &says);
        assert_refused(
            Distribution::normal(0.0, 1.0, Some(2.0), Some(1.0)),
            "max",
            &says,
        );
        assert_refused(Distribution::triangular(2.0, 1.5, 1.0), "max", &says);
        assert_refused(Distribution::pert(2.0, 1.5, 1.0, 4.0), "max", &says);
        assert_refused(Distribution::beta(2.0, 2.0, 2.0, 1.0), "max", &says);
        // A width that overflows is refused too.
        assert_refused(Distribution::uniform(-1e308, 1e308), "max", &["finite"]);
    }

    #[test]
    fn refuses_mode_outside_the_range() {
        let says = ["mode must lie within [min, max] = [0, 1]", "got 1.5"];
        assert_refused(Distribution::triangular(0.0, 1.5, 1.0), "mode", &says);
        assert_refused(Distribution::pert(0.0, 1.5, 1.0, 4.0), "mode", &says);
        assert_refused(
            Distribution::pert(0.0, -0.5, 1.0, 4.0),
            "mode",
            &["got -0.5"],
        );
    }

    #[test]
    fn refuses_non_positive_shapes_scales_and_lambda() {
        for bad in [0.0, -2.0] {
            let got = format!("got {bad}");
            let says = |field: &str| [format!("{field} must be > 0"), got.clone()];
            let check = |r, field: &'static str| {
                let s = says(field);
                assert_refused(r, field, &[s[0].as_str(), s[1].as_str()]);
            };
            check(Distribution::beta(bad, 1.0, 0.0, 1.0), "alpha");
            check(Distribution::beta(1.0, bad, 0.0, 1.0), "beta");
            check(Distribution::gamma(bad, 1.0), "shape");
            check(Distribution::gamma(1.0, bad), "scale");
            check(Distribution::pert(0.0, 0.5, 1.0, bad), "lambda");
        }
    }

    #[test]
    fn refuses_shapes_too_large_to_evaluate() {
        assert_refused(
            Distribution::gamma(2e6, 1.0),
            "shape",
            &["shape must be <= 1e6"],
        );
        assert_refused(
            Distribution::beta(1.0, 2e5, 0.0, 1.0),
            "beta",
            &["beta must be <= 1e5"],
        );
        assert_refused(
            Distribution::pert(0.0, 0.5, 1.0, 2e4),
            "lambda",
            &["lambda must be <= 1e4"],
        );
        // The limits themselves are accepted.
        assert!(Distribution::gamma(1e6, 1.0).is_ok());
        assert!(Distribution::beta(1e5, 1e5, 0.0, 1.0).is_ok());
        assert!(Distribution::pert(0.0, 0.5, 1.0, 1e4).is_ok());
    }

    #[test]
    fn refuses_probabilities_outside_0_1() {
        for p in [-0.1, 1.5] {
            assert_refused(
                Distribution::bernoulli(p),
                "p",
                &["p must be a probability in [0, 1]", &format!("got {p}")],
            );
        }
    }

    #[test]
    fn refuses_lognormal_with_non_positive_mean() {
        for mean in [0.0, -1.0] {
            assert_refused(
                Distribution::lognormal(mean, 1.0),
                "mean",
                &["mean must be > 0", &format!("got {mean}")],
            );
        }
    }

    #[test]
    fn refuses_truncation_windows_without_probability() {
        // 40 sd above the mean: Q(40) ~ 4e-350 underflows.
        assert_refused(
            Distribution::normal(0.0, 1.0, Some(40.0), None),
            "min",
            &["[40, inf)", "zero probability"],
        );
        assert_refused(
            Distribution::normal(0.0, 1.0, Some(40.0), Some(41.0)),
            "min",
            &["[40, 41]", "zero probability"],
        );
        assert_refused(
            Distribution::normal(0.0, 1.0, None, Some(-40.0)),
            "max",
            &["(-inf, -40]", "zero probability"],
        );
        // sd = 0 puts all the mass on the mean, which must be in the window.
        assert_refused(
            Distribution::normal(5.0, 0.0, Some(6.0), None),
            "min",
            &["must contain the mean (5)"],
        );
        assert_refused(
            Distribution::normal(5.0, 0.0, None, Some(4.0)),
            "max",
            &["must contain the mean (5)"],
        );
        // 37 sd still holds probability (Q(37) ~ 6e-300) and is accepted.
        let far = Distribution::normal(0.0, 1.0, Some(37.0), None).unwrap();
        assert!(far.inverse_cdf(0.5) > 37.0 && far.inverse_cdf(0.5) < 37.1);
    }

    #[test]
    fn refuses_bad_weights() {
        assert_refused(
            Distribution::discrete(vec![], vec![]),
            "values",
            &["values must hold at least one value"],
        );
        assert_refused(
            Distribution::discrete(vec![1.0, 2.0, 3.0], vec![0.5, 0.5]),
            "weights",
            &["one entry per value (3)", "got 2"],
        );
        assert_refused(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0, -1.0]),
            "weights",
            &[">= 0", "got -1 at position 2"],
        );
        assert_refused(
            Distribution::discrete(vec![1.0, 2.0], vec![0.0, 0.0]),
            "weights",
            &["sum to a positive finite number", "got 0"],
        );
        assert_refused(
            Distribution::discrete(vec![1.0, 2.0], vec![1e308, 1e308]),
            "weights",
            &["sum to a positive finite number", "got inf"],
        );
    }

    #[test]
    fn refuses_non_finite_parameters_in_every_constructor() {
        type Build = Box<dyn Fn(f64) -> Result<Distribution, DistributionError>>;
        // (field, constructor with that one parameter replaced)
        let builders: Vec<(&str, Build)> = vec![
            ("value", Box::new(Distribution::fixed)),
            ("min", Box::new(|x| Distribution::uniform(x, 1.0))),
            ("max", Box::new(|x| Distribution::uniform(0.0, x))),
            (
                "mean",
                Box::new(|x| Distribution::normal(x, 1.0, None, None)),
            ),
            ("sd", Box::new(|x| Distribution::normal(0.0, x, None, None))),
            (
                "min",
                Box::new(|x| Distribution::normal(0.0, 1.0, Some(x), None)),
            ),
            (
                "max",
                Box::new(|x| Distribution::normal(0.0, 1.0, None, Some(x))),
            ),
            ("mean", Box::new(|x| Distribution::lognormal(x, 1.0))),
            ("sd", Box::new(|x| Distribution::lognormal(1.0, x))),
            ("min", Box::new(|x| Distribution::triangular(x, 0.5, 1.0))),
            ("mode", Box::new(|x| Distribution::triangular(0.0, x, 1.0))),
            ("max", Box::new(|x| Distribution::triangular(0.0, 0.5, x))),
            ("min", Box::new(|x| Distribution::pert(x, 0.5, 1.0, 4.0))),
            ("mode", Box::new(|x| Distribution::pert(0.0, x, 1.0, 4.0))),
            ("max", Box::new(|x| Distribution::pert(0.0, 0.5, x, 4.0))),
            ("lambda", Box::new(|x| Distribution::pert(0.0, 0.5, 1.0, x))),
            ("alpha", Box::new(|x| Distribution::beta(x, 1.0, 0.0, 1.0))),
            ("beta", Box::new(|x| Distribution::beta(1.0, x, 0.0, 1.0))),
            ("min", Box::new(|x| Distribution::beta(1.0, 1.0, x, 1.0))),
            ("max", Box::new(|x| Distribution::beta(1.0, 1.0, 0.0, x))),
            ("shape", Box::new(|x| Distribution::gamma(x, 1.0))),
            ("scale", Box::new(|x| Distribution::gamma(1.0, x))),
            (
                "values",
                Box::new(|x| Distribution::discrete(vec![0.0, x], vec![1.0, 1.0])),
            ),
            (
                "weights",
                Box::new(|x| Distribution::discrete(vec![0.0, 1.0], vec![1.0, x])),
            ),
            ("p", Box::new(Distribution::bernoulli)),
        ];
        for (field, build) in &builders {
            for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                match build(x) {
                    Ok(d) => panic!("{field} = {x} accepted as {d}"),
                    Err(e) => {
                        assert_eq!(e.field, *field, "{field} = {x}: {}", e.message);
                        assert!(e.message.contains("finite"), "{field} = {x}: {}", e.message);
                    }
                }
            }
        }
    }

    #[test]
    fn extreme_finite_parameters_never_panic() {
        // Every constructor over a spread of awkward values: whatever it
        // accepts must evaluate without panicking, inside its support.
        let values = [
            -1e300,
            -1.0,
            0.0,
            5e-324,
            1e-300,
            1e-8,
            0.5,
            1.0,
            3.0,
            1e8,
            1e300,
            f64::MAX,
        ];
        let us = [1e-300, 1e-12, 0.3, 0.5, 0.9, 1.0 - 1e-12];
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let mut check = |r: Result<Distribution, DistributionError>| {
            if let Ok(d) = r {
                let (lo, hi) = d.support();
                assert!(!d.mean().is_nan() && !d.variance().is_nan(), "{d}");
                for &u in &us {
                    let x = d.inverse_cdf(u);
                    assert!(x >= lo && x <= hi, "{d}: inverse_cdf({u}) = {x}");
                }
                for _ in 0..3 {
                    let x = d.sample(&mut rng);
                    assert!(x >= lo && x <= hi, "{d}: sampled {x}");
                }
            }
        };
        for &a in &values {
            check(Distribution::fixed(a));
            check(Distribution::bernoulli(a));
            for &b in &values {
                check(Distribution::uniform(a, b));
                check(Distribution::normal(a, b, None, None));
                check(Distribution::lognormal(a, b));
                check(Distribution::gamma(a, b));
                check(Distribution::beta(a, b, 0.0, 1.0));
                check(Distribution::beta(2.0, 2.0, a, b));
                check(Distribution::discrete(vec![a, b], vec![1.0, 2.0]));
                check(Distribution::discrete(vec![0.0, 1.0], vec![a, b]));
                for &c in &values {
                    check(Distribution::normal(a, b, Some(c), None));
                    check(Distribution::normal(a, b, None, Some(c)));
                    check(Distribution::normal(a, 1.0, Some(b), Some(c)));
                    check(Distribution::triangular(a, b, c));
                    check(Distribution::pert(a, b, c, 4.0));
                    check(Distribution::pert(0.0, a / 2.0, 1.0, c));
                }
            }
        }
    }
}

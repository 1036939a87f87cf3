//! The root solver behind the gamma and beta quantiles: safeguarded
//! Halley/Newton on the log of a tail probability of a log-concave density,
//! and the logistic scale the beta quantiles are solved on.

/// Largest move of one Newton step, in log units (a factor of e^25).
const MAX_LOG_STEP: f64 = 25.0;
/// Iterations allowed; 2 or 3 usually suffice from our starts.
const MAX_NEWTON: usize = 60;

/// Solves `ln F(t) = ln_target` for `t` by safeguarded Halley/Newton,
/// where `F` is a tail probability (lower CDF if `increasing`, survival
/// function if not) of a variable `T` whose density `f` is log-concave, and
/// `eval(t) = (F(t), f(t), d ln f / dt)`.
///
/// Why this shape: a CDF or survival function of a log-concave density is
/// log-concave (Prekopa), so `ln F` is concave and monotone in `t`, and
/// Newton on it converges from anywhere: from one side monotonically, from
/// the other after a single overshoot. Working on `ln F` rather than `F`
/// keeps far tails (F ~ 1e-30) as well conditioned as the body. Halley's
/// correction (cubic convergence, from the cheap `d ln f / dt`) is taken
/// only while it is moderate, saving about one CDF evaluation per call. The
/// bracket of points known to lie either side of the root catches the one
/// case Newton cannot see: a step into a region where `F` underflows.
pub(super) fn solve_log_concave(
    t0: f64,
    ln_target: f64,
    increasing: bool,
    eval: impl Fn(f64) -> (f64, f64, f64),
) -> f64 {
    let direction = if increasing { 1.0 } else { -1.0 };
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut t = t0;
    let mut previous = f64::INFINITY;
    for _ in 0..MAX_NEWTON {
        let (tail, density, density_slope) = eval(t);
        // g = ln F(t) - ln_target; an underflowed F counts as g = -inf.
        let g = if tail > 0.0 {
            tail.ln() - ln_target
        } else {
            f64::NEG_INFINITY
        };
        if g == 0.0 {
            break;
        }
        // The root lies where g changes sign: beyond t if g * slope < 0.
        let root_above = (g < 0.0) == increasing;
        if root_above {
            lo = t;
        } else {
            hi = t;
        }
        let towards = if root_above { 1.0 } else { -1.0 };
        let tolerance = 1e-15 * t.abs().max(1.0);
        if hi - lo <= tolerance {
            // The bracket has closed to rounding noise in F.
            break;
        }
        // g' = direction f / F and g'' = g' (d ln f/dt - g'), so Halley's
        // step is the Newton step over 1 + newton (d ln f/dt - g') / 2.
        let slope = direction * density / tail;
        let newton = -g / slope;
        let halley = 1.0 + 0.5 * newton * (density_slope - slope);
        let cubic = halley > 0.5 && halley < 2.0;
        let newton = if cubic { newton / halley } else { newton };
        if newton.abs() <= tolerance {
            // Below the bracket's resolution: done (a sub-ulp step would
            // otherwise look like leaving the bracket).
            t += newton;
            break;
        }
        let step = if newton.is_finite() {
            newton.clamp(-MAX_LOG_STEP, MAX_LOG_STEP)
        } else {
            towards * MAX_LOG_STEP
        };
        let next = t + step;
        if next > lo && next < hi {
            t = next;
            let size = step.abs();
            let scale = t.abs().max(1.0);
            // Once a Halley step is below 1e-6 (Newton: 1e-9) the error it
            // leaves is of order its cube (square), ~1e-18: stop without a
            // confirming evaluation.
            if size < if cubic { 1e-6 } else { 1e-9 } * scale {
                break;
            }
            // At the noise floor of F, steps stop shrinking quadratically.
            if size < 1e-7 && size > 0.5 * previous {
                break;
            }
            previous = size;
        } else {
            // Newton left the bracket (it stepped into a region where F
            // underflowed): bisect it, or step on if it is still open.
            t = if lo.is_finite() && hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                t + towards * MAX_LOG_STEP
            };
            previous = f64::INFINITY;
        }
    }
    t
}

/// `ln(1 + e^t)` without overflow or loss of small terms.
pub(super) fn softplus(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

/// `1 / (1 + e^-t)`, in [0, 1] for any finite t.
pub(super) fn logistic(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

/// `ln(y / (1 - y))`, finite for y in (0, 1) and clamped to +-745 at the
/// ends so the solver always starts from a finite point.
pub(super) fn logit(y: f64) -> f64 {
    let t = y.ln() - (-y).ln_1p();
    if t.is_nan() {
        0.0
    } else {
        t.clamp(-745.0, 745.0)
    }
}

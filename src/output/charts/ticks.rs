//! Axis ticks: round values, few enough that their labels never touch.

/// The smallest "nice" step (1, 2, 2.5 or 5 times a power of ten) at least
/// `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let step = m * power;
        // Tolerate rounding in `raw` (0.30000000000000004 is 0.3).
        if step >= raw * (1.0 - 1e-9) {
            return step;
        }
    }
    10.0 * power
}

/// The largest magnitude an axis reaches. Beyond it, a range's width and
/// the multiples of a step covering it could overflow to infinity; values
/// further out are drawn pinned at the plot's edge.
pub const AXIS_LIMIT: f64 = 1e300;

/// Ticks covering `[lo, hi]` (clamped to [`AXIS_LIMIT`]): at most
/// `max_ticks` (at least 2) multiples of a nice step, the first at or below
/// `lo` and the last at or above `hi`, so the axis can run from the first
/// tick to the last. Returns the ticks and the step.
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize) -> (Vec<f64>, f64) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (
            lo.min(hi).clamp(-AXIS_LIMIT, AXIS_LIMIT),
            lo.max(hi).clamp(-AXIS_LIMIT, AXIS_LIMIT),
        )
    } else {
        (0.0, 1.0)
    };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        // A constant: a range around it.
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let max_ticks = max_ticks.max(2);
    let mut step = nice_step((hi - lo) / (max_ticks - 1) as f64);
    // Each round moves to the next nice step, so a few rounds suffice; the
    // bound only guarantees an end (ticks around zero never fit in
    // `max_ticks = 2`: then the range's ends are the ticks).
    for _ in 0..64 {
        // The tolerance forgives rounding in lo and hi (a value a hair
        // above a tick does not add a tick below it).
        let first = (lo / step + 1e-9).floor();
        let last = (hi / step - 1e-9).ceil();
        let count = last - first + 1.0;
        if count < 2.0 {
            // The step outgrew the range (only when no step fits).
            break;
        }
        if count <= max_ticks as f64 {
            // Multiply rather than add, so ticks are exact multiples.
            let ticks = (0..count as usize)
                .map(|i| clean((first + i as f64) * step))
                .collect();
            return (ticks, step);
        }
        step = nice_step(step * 1.01);
    }
    (vec![lo, hi], hi - lo)
}

/// Remove representation noise (0.30000000000000004 -> 0.3) and -0.
fn clean(v: f64) -> f64 {
    let scaled = v * 1e9;
    // Beyond 2^53 / 1e9 there is no fraction to clean (and far beyond,
    // the scaling would overflow).
    let r = if scaled.abs() < 9e15 {
        scaled.round() / 1e9
    } else {
        v
    };
    if r == 0.0 { 0.0 } else { r }
}

/// Year ticks between `first` and `last`: multiples of the smallest step
/// in 1, 2, 5, 10, 20, 25, 50 that gives at most `max_labels` of them.
pub fn year_ticks(first: i32, last: i32, max_labels: usize) -> Vec<i32> {
    let max_labels = max_labels.max(1);
    for step in [1, 2, 5, 10, 20, 25, 50, 100] {
        let ticks: Vec<i32> = (first..=last).filter(|y| y.rem_euclid(step) == 0).collect();
        if !ticks.is_empty() && ticks.len() <= max_labels {
            return ticks;
        }
    }
    vec![first]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(0.30000000000000004), 0.5);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.1), 2.0);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(40000.0), 50000.0);
    }

    #[test]
    fn ticks_cover_the_range_with_few_labels() {
        let (t, step) = nice_ticks(0.0, 213_248.0, 8);
        assert_eq!(step, 50_000.0);
        assert_eq!(t, vec![0.0, 50e3, 100e3, 150e3, 200e3, 250e3]);
        let (t, _) = nice_ticks(0.913, 1.0, 6);
        assert!(
            t[0] <= 0.913 && *t.last().unwrap() >= 1.0 && t.len() <= 6,
            "{t:?}"
        );
        let (t, _) = nice_ticks(-232.0, -116.0, 7);
        assert!(t[0] <= -232.0 && *t.last().unwrap() >= -116.0 && t.len() <= 7);
        let (t, _) = nice_ticks(5.0, 5.0, 5);
        assert!(t[0] < 5.0 && *t.last().unwrap() > 5.0);
        assert_eq!(nice_ticks(0.0, 0.3, 4).0, vec![0.0, 0.1, 0.2, 0.3]);
    }

    #[test]
    fn huge_ranges_give_finite_ticks() {
        for (lo, hi) in [
            (-f64::MAX, f64::MAX),
            (0.0, 1e307),
            (1e300, 1e300),
            (-1e124, 5e123),
            (f64::MAX, f64::MAX),
            (0.0, 1e-310),
        ] {
            let (t, step) = nice_ticks(lo, hi, 6);
            assert!(t.len() >= 2 && t.len() <= 6, "{lo}..{hi}: {t:?}");
            assert!(t.iter().all(|v| v.is_finite()) && step.is_finite() && step > 0.0);
            assert!(t.windows(2).all(|w| w[0] < w[1]), "{lo}..{hi}: {t:?}");
        }
        // Two ticks cannot straddle zero: the fallback still ends.
        let (t, _) = nice_ticks(-1.0, 1.0, 2);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn year_ticks_stay_few_for_long_horizons() {
        assert_eq!(
            year_ticks(2025, 2040, 9),
            vec![2026, 2028, 2030, 2032, 2034, 2036, 2038, 2040]
        );
        assert_eq!(
            year_ticks(2025, 2054, 8),
            vec![2025, 2030, 2035, 2040, 2045, 2050]
        );
        assert_eq!(year_ticks(2025, 2054, 4), vec![2030, 2040, 2050]);
        assert_eq!(year_ticks(2025, 2027, 8), vec![2025, 2026, 2027]);
        assert_eq!(year_ticks(2025, 2025, 3), vec![2025]);
    }
}

//! Quantile tables: a quantile function tabulated at construction by
//! piecewise degree-7 Hermite interpolation, so the gamma and beta kinds
//! cost tens of nanoseconds a draw instead of a root solve.

use std::fmt;

/// Half-width of the tabulated range in s = logit u: |s| <= 14 is
/// u in [8.3e-7, 1 - 8.3e-7]. Beyond it the exact solver runs, for 1.7e-6
/// of uniform draws: too few for its cost to show.
const TABLE_LOGIT_RANGE: f64 = 14.0;
/// Coarse pieces on each side of s = 0 before refinement. s = 0 (u = 0.5)
/// is always a knot, so the median is a tabulated exact value.
const TABLE_COARSE: usize = 8;
/// Error allowed per piece in t (logit y or ln x), so relative in y, 1 - y
/// or x: 10 times below the 1e-10 promised, which leaves room for the error
/// between the points where it is checked. Not lower, because the check
/// also sees the exact solver's own noise, up to 3e-13 for ordinary shapes
/// but past 1e-12 for shapes of 1e4 (statrs' continued fractions).
const TABLE_TOLERANCE: f64 = 1e-11;
/// Exact solves allowed per table. Past it the shapes are too extreme to
/// tabulate (the solver's own noise exceeds [`TABLE_TOLERANCE`], and
/// refining chases it) and the exact solver serves every call. Tabulated
/// shapes need 60-220 solves (0.05-0.15 ms) for 30-110 pieces (3-10 KB);
/// the budget bounds a failed attempt to ~3 ms (solves of extreme shapes
/// cost up to 8 us).
const TABLE_MAX_SOLVES: usize = 384;
/// Halvings of a coarse piece allowed (pieces down to 4e-4 wide in s).
const TABLE_MAX_DEPTH: u32 = 12;
/// Largest |t| tabulated: y or x down to e^-600 ~ 3e-261, comfortably above
/// where the exact solver returns 0 (the smallest normal double, e^-708).
pub(super) const TABLE_MAX_LOG: f64 = 600.0;
/// Guide cells at most, so the guide stays within 2 KB.
const TABLE_MAX_CELLS: usize = 1024;

/// `ln(u / (1 - u))`: the table's abscissa, computed the same way when the
/// table is built and when it is read, so that both agree to the last bit.
/// Monotone in u, and within ~3e-16 of the true logit on all of (0, 1):
/// 1 - u is exact above 0.5 and nearly so below.
fn logit_u(u: f64) -> f64 {
    (u / (1.0 - u)).ln()
}

/// One knot of a quantile curve t(s), with t's first three derivatives in s.
#[derive(Debug, Clone, Copy)]
pub(super) struct Knot {
    s: f64,
    t: f64,
    d1: f64,
    d2: f64,
    d3: f64,
}

impl Knot {
    /// The knot at `u`, given the exact quantile `t` (on the scale of a
    /// variable T with log-concave density g) and, at `t`, `ln g`, its
    /// slope `(ln g)'` and curvature `(ln g)''`.
    ///
    /// With u = logistic(s), u(t) is T's CDF, so dt/ds = u(1 - u) / g(t),
    /// taken in logs because both are tiny in the tails; the second and
    /// third derivatives follow by the chain rule. None unless all is finite
    /// and t stays clear of subnormal y or x.
    pub(super) fn new(u: f64, t: f64, ln_g: f64, slope: f64, curvature: f64) -> Option<Knot> {
        let v = 1.0 - u;
        let (ln_u, ln_v) = if u <= 0.5 {
            (u.ln(), (-u).ln_1p())
        } else {
            ((-v).ln_1p(), v.ln())
        };
        let d1 = (ln_u + ln_v - ln_g).exp();
        // d1' = d1 A with A = (1 - 2u) - (ln g)' d1, and
        // A' = -2u(1 - u) - (ln g)'' d1^2 - (ln g)' d1'.
        let a = (v - u) - slope * d1;
        let d2 = d1 * a;
        let a1 = -2.0 * u * v - curvature * d1 * d1 - slope * d2;
        let d3 = d2 * a + d1 * a1;
        let knot = Knot {
            s: logit_u(u),
            t,
            d1,
            d2,
            d3,
        };
        let finite = [knot.s, t, d1, d2, d3].iter().all(|x| x.is_finite());
        // The range stops short of TABLE_MAX_LOG, but its end knot may
        // land a hair beyond; what matters is staying clear of subnormals.
        (finite && d1 > 0.0 && t.abs() <= TABLE_MAX_LOG + 50.0).then_some(knot)
    }
}

/// The degree-7 Hermite polynomial in w = (s - a.s) / (b.s - a.s) in [0, 1]
/// matching t and its first three derivatives at both knots, as monomial
/// coefficients c0..c7.
fn septic(a: &Knot, b: &Knot) -> [f64; 8] {
    let h = b.s - a.s;
    let (h2, h3) = (h * h, h * h * h);
    let c1 = h * a.d1;
    let c2 = 0.5 * h2 * a.d2;
    let c3 = h3 * a.d3 / 6.0;
    // What the cubic Taylor part leaves unmatched at w = 1, for P, P', P''
    // and P'''; the inverse of the 4x4 system for c4..c7 does the rest.
    let r0 = (b.t - a.t) - c1 - c2 - c3;
    let r1 = h * b.d1 - c1 - 2.0 * c2 - 3.0 * c3;
    let r2 = h2 * b.d2 - 2.0 * c2 - 6.0 * c3;
    let r3 = h3 * b.d3 - 6.0 * c3;
    [
        a.t,
        c1,
        c2,
        c3,
        35.0 * r0 - 15.0 * r1 + 2.5 * r2 - r3 / 6.0,
        -84.0 * r0 + 39.0 * r1 - 7.0 * r2 + 0.5 * r3,
        70.0 * r0 - 34.0 * r1 + 6.5 * r2 - 0.5 * r3,
        -20.0 * r0 + 10.0 * r1 - 2.0 * r2 + r3 / 6.0,
    ]
}

/// The polynomial at w, by Estrin's scheme: a dependency chain half as
/// long as Horner's, which is most of the hot path's latency.
fn polynomial(c: &[f64; 8], w: f64) -> f64 {
    let w2 = w * w;
    let w4 = w2 * w2;
    let low = (c[0] + c[1] * w) + w2 * (c[2] + c[3] * w);
    let high = (c[4] + c[5] * w) + w2 * (c[6] + c[7] * w);
    low + w4 * high
}

/// dP/dw.
fn polynomial_slope(c: &[f64; 8], w: f64) -> f64 {
    let mut p = 7.0 * c[7];
    for k in (1..7).rev() {
        p = p * w + k as f64 * c[k];
    }
    p
}

/// One piece of a [`QuantileTable`], starting at its knot `knots[i]`.
#[derive(Debug, Clone)]
struct Piece {
    /// 1 / width in s.
    inv_width: f64,
    c: [f64; 8],
    /// t at the next knot: values are clamped to [c0, t_end], so the switch
    /// between pieces is monotone whatever the rounding.
    t_end: f64,
}

/// Where a [`QuantileTable`] lookup fell outside the table: below its first
/// knot or above its last, with the table's value there (t at that knot),
/// against which the exact solver's result is clamped for monotonicity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Outside {
    Below(f64),
    Above(f64),
}

/// A fast quantile function t(s), s = logit u, for the beta and gamma
/// kinds, tabulated at construction from the exact solver: piecewise
/// degree-7 Hermite interpolation of t and its first three derivatives,
/// which are analytic (see [`Knot::new`]).
///
/// Why these scales: with t = logit y (beta) or ln x (gamma), t(s) is smooth
/// on all of s, with straight-line asymptotes in both beta tails (y ~
/// (a B u)^(1/a) is t ~ s/a) and the gamma lower tail, and t ~ ln s in the
/// gamma upper tail, where the quantile itself is singular in u. An absolute
/// error in t is a relative one in y, 1 - y and x alike, which is what the
/// tails need.
///
/// Why adaptive: small shapes bend t(s) sharply where the tails meet. Each
/// coarse piece is halved until its polynomial, compared at the piece's
/// midpoint with the exact solver and elsewhere with the two halves' own
/// (256 times more accurate) polynomials, is within [`TABLE_TOLERANCE`]
/// and increasing. A uniform guide over s finds a piece in about one step.
#[derive(Clone)]
pub(super) struct QuantileTable {
    /// Piece i spans s in [knots[i], knots[i + 1]].
    knots: Vec<f64>,
    pieces: Vec<Piece>,
    /// Index of the piece holding the start of each guide cell.
    guide: Vec<u16>,
    /// Guide cells per unit of s.
    cells_per_s: f64,
}

impl fmt::Debug for QuantileTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "QuantileTable {{ pieces: {}, s: [{}, {}] }}",
            self.pieces.len(),
            self.knots[0],
            self.knots[self.knots.len() - 1]
        )
    }
}

impl QuantileTable {
    /// Tabulates t(s) for s in [s_lo, s_hi] (s_lo < 0 < s_hi), `knot(s)`
    /// giving the exact knot at (about) `s`. None when a knot fails or the
    /// shape needs more than [`TABLE_MAX_SOLVES`] of them.
    pub(super) fn build(s_lo: f64, s_hi: f64, knot: impl Fn(f64) -> Option<Knot>) -> Option<Self> {
        if !(s_lo < 0.0 && s_hi > 0.0) {
            return None;
        }
        let mut builder = TableBuilder {
            knot,
            solves_left: TABLE_MAX_SOLVES,
            knots: Vec::new(),
            pieces: Vec::new(),
        };
        let n = TABLE_COARSE;
        let mut coarse: Vec<f64> = (0..n).map(|i| s_lo * (n - i) as f64 / n as f64).collect();
        coarse.extend((0..=n).map(|i| s_hi * i as f64 / n as f64));
        let coarse: Vec<Knot> = coarse
            .into_iter()
            .map(|s| builder.solve(s))
            .collect::<Option<_>>()?;
        builder.knots.push(coarse[0].s);
        for pair in coarse.windows(2) {
            builder.refine(&pair[0], &pair[1], 0)?;
        }
        let TableBuilder { knots, pieces, .. } = builder;

        // Cells as narrow as the narrowest piece (a cell then meets at most
        // two pieces), within the cap.
        let first = knots[0];
        let span = knots[knots.len() - 1] - first;
        let narrowest = knots
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let cells = ((span / narrowest).ceil() as usize).clamp(1, TABLE_MAX_CELLS);
        let cells_per_s = cells as f64 / span;
        // Each cell starts from the piece holding a point a little left of
        // its edge, so rounding in the lookup's cell index cannot skip past
        // the right piece: the lookup only ever steps right.
        let guide = (0..cells)
            .map(|j| {
                let edge = first + (j as f64 - 1e-6) / cells_per_s;
                let i = knots[1..pieces.len()].partition_point(|&k| k <= edge);
                i as u16
            })
            .collect();
        Some(QuantileTable {
            knots,
            pieces,
            guide,
            cells_per_s,
        })
    }

    /// t at u, or where u lies outside the table.
    #[inline]
    pub(super) fn eval(&self, u: f64) -> Result<f64, Outside> {
        let s = logit_u(u);
        let first = self.knots[0];
        let last = self.pieces.len() - 1;
        // s is finite: u is in (0, 1).
        if s < first {
            return Err(Outside::Below(self.pieces[0].c[0]));
        }
        if s > self.knots[last + 1] {
            return Err(Outside::Above(self.pieces[last].t_end));
        }
        let cell = ((s - first) * self.cells_per_s) as usize;
        let mut i = self.guide[cell.min(self.guide.len() - 1)] as usize;
        while i < last && self.knots[i + 1] <= s {
            i += 1;
        }
        let piece = &self.pieces[i];
        let w = (s - self.knots[i]) * piece.inv_width;
        let t = polynomial(&piece.c, w);
        Ok(if t < piece.c[0] {
            piece.c[0]
        } else if t > piece.t_end {
            piece.t_end
        } else {
            t
        })
    }
}

/// A [`QuantileTable`] under construction.
struct TableBuilder<F> {
    knot: F,
    solves_left: usize,
    knots: Vec<f64>,
    pieces: Vec<Piece>,
}

impl<F: Fn(f64) -> Option<Knot>> TableBuilder<F> {
    /// The exact knot at about `s`, within the budget.
    fn solve(&mut self, s: f64) -> Option<Knot> {
        self.solves_left = self.solves_left.checked_sub(1)?;
        (self.knot)(s)
    }

    /// Appends the pieces covering [a, b] (a's knot already pushed),
    /// halving until each is accurate and increasing; None past the limits.
    fn refine(&mut self, a: &Knot, b: &Knot, depth: u32) -> Option<()> {
        let width = b.s - a.s;
        let mid = self.solve(a.s + 0.5 * width)?;
        if !(a.s < mid.s && mid.s < b.s && a.t <= mid.t && mid.t <= b.t) {
            return None;
        }
        let c = septic(a, b);
        let left = septic(a, &mid);
        let right = septic(&mid, b);
        let at = |w: f64| a.s + w * width;
        let halves = |s: f64| {
            if s < mid.s {
                polynomial(&left, (s - a.s) / (mid.s - a.s))
            } else {
                polynomial(&right, (s - mid.s) / (b.s - mid.s))
            }
        };
        let accurate = (polynomial(&c, (mid.s - a.s) / width) - mid.t).abs() <= TABLE_TOLERANCE
            && (1..8).all(|k| {
                let w = k as f64 / 8.0;
                (polynomial(&c, w) - halves(at(w))).abs() <= TABLE_TOLERANCE
            });
        let increasing = (0..=16).all(|k| polynomial_slope(&c, k as f64 / 16.0) >= 0.0);
        if accurate && increasing {
            self.pieces.push(Piece {
                inv_width: 1.0 / width,
                c,
                t_end: b.t,
            });
            self.knots.push(b.s);
            return Some(());
        }
        if depth == TABLE_MAX_DEPTH {
            return None;
        }
        self.refine(a, &mid, depth + 1)?;
        self.refine(&mid, b, depth + 1)
    }
}

/// The table's range in s: [`TABLE_LOGIT_RANGE`] each side, narrowed where
/// the quantile would fall below e^-[`TABLE_MAX_LOG`] (to nothing, so no
/// table, if that happens within u in [0.27, 0.73]). `ln_lower` and
/// `ln_upper` are ln u and ln(1 - u) at that point, from the tail
/// asymptotes (-inf where the quantile never gets there).
pub(super) fn table_range(ln_lower: f64, ln_upper: f64) -> (f64, f64) {
    // logit u = ln u - ln(1 - u), with ln(1 - u) = ln(1 - e^ln_u).
    let logit_of = |ln_p: f64| ln_p - (-ln_p.exp()).ln_1p();
    let s_lo = if ln_lower < -1.0 {
        logit_of(ln_lower).max(-TABLE_LOGIT_RANGE)
    } else {
        0.0
    };
    let s_hi = if ln_upper < -1.0 {
        (-logit_of(ln_upper)).min(TABLE_LOGIT_RANGE)
    } else {
        0.0
    };
    (s_lo, s_hi)
}

#[cfg(test)]
mod tests {
    use super::super::solver::logistic;
    use super::super::tests::table_cases;
    use super::super::{Distribution, Law};
    use super::*;

    /// The quantile table a distribution reads, if any.
    fn table_of(d: &Distribution) -> Option<&QuantileTable> {
        match &d.law {
            Law::ScaledBeta { quantile, .. } => quantile.table.as_deref(),
            Law::Gamma { quantile, .. } => quantile.table.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn tables_match_the_exact_inverse_on_a_dense_grid() {
        // 100,000 evenly spread levels, plus 2,000 log-spaced ones from
        // 1e-12 to 0.5 and their mirror images towards 1: both tails, the
        // table ends (8.3e-7) and beyond.
        let mut levels: Vec<f64> = (0..100_000).map(|i| (i as f64 + 0.5) / 100_000.0).collect();
        for i in 0..2_000 {
            let p = 10f64.powf(-12.0 + 11.7 * i as f64 / 2_000.0);
            levels.extend([p, 1.0 - p]);
        }
        levels.sort_by(f64::total_cmp);
        for (label, d) in table_cases() {
            let table = table_of(&d).unwrap_or_else(|| panic!("{label} ({d}) has no table"));
            let mut worst: f64 = 0.0;
            let mut previous = f64::NEG_INFINITY;
            for &u in &levels {
                let (fast, exact) = (d.inverse_cdf(u), d.inverse_cdf_exact(u));
                let err = if exact == 0.0 {
                    fast.abs()
                } else {
                    ((fast - exact) / exact).abs()
                };
                assert!(
                    err <= 1e-10,
                    "{label} ({d}) at u = {u:e}: table {fast:e}, exact {exact:e} (rel err {err:e})"
                );
                assert!(fast >= previous, "{label} ({d}): decreases at u = {u:e}");
                worst = worst.max(err);
                previous = fast;
            }
            // Shown with --nocapture: the accuracy actually achieved.
            eprintln!(
                "{label:<24} {:<48} {:>3} pieces, max rel err {worst:.1e}",
                d.to_string(),
                table.pieces.len()
            );
        }
    }

    #[test]
    fn tables_are_monotone_across_their_knots_and_ends() {
        for (label, d) in table_cases() {
            let table = table_of(&d).unwrap();
            for &s in &table.knots {
                let u = logistic(s);
                // Steps of 1e-10 in s (far larger than rounding, far finer
                // than a piece) across the knot: both neighbouring pieces,
                // and the exact solver beyond the table's ends.
                let step = 1e-10 * u * (1.0 - u);
                let mut previous = f64::NEG_INFINITY;
                for j in -20..=20 {
                    let x = d.inverse_cdf(u + j as f64 * step);
                    assert!(x >= previous, "{label} ({d}): decreases near u = {u:e}");
                    previous = x;
                }
            }
        }
    }

    #[test]
    fn tables_are_small() {
        for (label, d) in table_cases() {
            let table = table_of(&d).unwrap();
            let bytes = table.knots.len() * 8
                + table.pieces.len() * std::mem::size_of::<Piece>()
                + table.guide.len() * 2;
            assert!(bytes <= 16_384, "{label} ({d}): {bytes} bytes");
        }
    }

    #[test]
    fn shapes_too_extreme_to_tabulate_use_the_exact_solver() {
        // Exponential (closed form), quantiles underflowing near the median,
        // a median within 1e-15 of 0 (where the exact solver's upper branch
        // cannot resolve y) and statrs' noise at large shapes.
        let cases = [
            Distribution::gamma(1.0, 2.0).unwrap(),
            Distribution::gamma(1e-3, 1.0).unwrap(),
            Distribution::beta(0.01, 1.0, 0.0, 1.0).unwrap(),
            Distribution::beta(1e-3, 5.0, 0.0, 1.0).unwrap(),
            Distribution::beta(1e5, 1e5, 0.0, 1.0).unwrap(),
        ];
        for d in cases {
            assert!(table_of(&d).is_none(), "{d} has a table");
            for u in [1e-9, 0.1, 0.5, 0.7, 1.0 - 1e-9] {
                assert_eq!(d.inverse_cdf(u), d.inverse_cdf_exact(u), "{d} at {u}");
            }
        }
    }
}

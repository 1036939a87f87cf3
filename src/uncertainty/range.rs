//! The valid range of a parameter: what a scenario may write for it, and
//! whether a distribution's draws stay inside it.

use super::distribution::Distribution;

/// The valid range of a parameter or series value.
///
/// Every parameter is registered with its range, so a value set later (a
/// sweep point, a variant) is checked without reading its file again.
///
/// The bounded ranges are wide enough for any economy, and narrow enough
/// that a model's exponentials and products stay finite over the longest
/// horizon (docs/scenario-format.md gives each key's reason).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRange {
    /// A share or probability in [0, 1].
    Share,
    /// Strictly between 0 and 1 (a median availability: its logit must exist).
    OpenShare,
    /// Zero or more.
    NonNegative,
    /// Between -1 and 1.
    Unit,
    /// From the first number to the second, both included.
    Between(f64, f64),
    /// More than zero, and at most the number.
    PositiveUpTo(f64),
}

impl ValueRange {
    /// How the range reads in messages and docs.
    pub fn describe(self) -> String {
        match self {
            ValueRange::Share => "a share in [0, 1]".into(),
            ValueRange::OpenShare => "a share strictly between 0 and 1".into(),
            ValueRange::NonNegative => "a number >= 0".into(),
            ValueRange::Unit => "a number in [-1, 1]".into(),
            ValueRange::Between(lo, hi) => {
                format!("a number in [{}, {}]", short_number(lo), short_number(hi))
            }
            ValueRange::PositiveUpTo(hi) => {
                format!("a number > 0 and <= {}", short_number(hi))
            }
        }
    }

    /// Whether the plain value `v` lies in the range.
    pub fn contains(self, v: f64) -> bool {
        match self {
            ValueRange::Share => (0.0..=1.0).contains(&v),
            ValueRange::OpenShare => v > 0.0 && v < 1.0,
            ValueRange::NonNegative => v >= 0.0,
            ValueRange::Unit => (-1.0..=1.0).contains(&v),
            ValueRange::Between(lo, hi) => (lo..=hi).contains(&v),
            ValueRange::PositiveUpTo(hi) => v > 0.0 && v <= hi,
        }
    }

    /// Whether every value `dist` can produce lies in the range. A support
    /// edge at an open bound is fine when the sampler cannot reach it (a
    /// uniform from 0 never draws exactly 0, since uniforms are in (0, 1)).
    /// The bounds that only keep a model's numbers finite are checked
    /// against the extreme draws themselves, so a normal or a lognormal
    /// whose tails stay far inside them is accepted.
    pub fn admits(self, dist: &Distribution) -> bool {
        let (lo, hi) = dist.support();
        let (lowest, highest) = extreme_draws(dist);
        match self {
            ValueRange::Share => lo >= 0.0 && hi <= 1.0,
            ValueRange::OpenShare => lo >= 0.0 && hi <= 1.0 && lowest > 0.0 && highest < 1.0,
            ValueRange::NonNegative => lo >= 0.0,
            ValueRange::Unit => lo >= -1.0 && hi <= 1.0,
            ValueRange::Between(a, b) => lowest >= a && highest <= b,
            ValueRange::PositiveUpTo(b) => lo >= 0.0 && lowest > 0.0 && highest <= b,
        }
    }

    /// Whether the range has an upper bound, so that a distribution must be
    /// bounded above to fit it.
    pub fn bounded_above(self) -> bool {
        self != ValueRange::NonNegative
    }
}

/// The smallest and largest values `dist` can draw: its inverse CDF at the
/// extreme uniforms the samplers hand out.
pub fn extreme_draws(dist: &Distribution) -> (f64, f64) {
    (
        dist.inverse_cdf(f64::EPSILON / 2.0),
        dist.inverse_cdf(1.0 - f64::EPSILON / 2.0),
    )
}

/// `v` for a message: Rust's shortest form, in exponent notation when that
/// is much shorter (`1e6`, not `1000000`; but `1000` and `0.25`).
pub fn short_number(v: f64) -> String {
    let plain = format!("{v}");
    let exponent = format!("{v:e}");
    if exponent.len() + 3 <= plain.len() {
        exponent
    } else {
        plain
    }
}

//! `intervals.csv`: a 95% interval on every statistic a run reports, as
//! pure functions of its summary. The mean gets Student's t interval, a
//! quantile the distribution-free interval between two order statistics
//! (computed by the engine from its sketch, see
//! [`Summary::quantile_intervals`]), a `p_target` Wilson's score interval.
//! `run --precision` stops on the same intervals, so what it stops on is
//! what the file shows.

use std::fmt::Write;

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::engine::RunSummary;
use crate::engine::stats::Summary;
use crate::output::format::quantile_label;

/// The file name.
pub const INTERVALS_CSV: &str = "intervals.csv";

/// The two-sided 95% normal quantile, `Phi^-1(0.975)`.
fn z975() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

/// Student's t interval for the mean of `s`: `mean -/+ t(0.975, n - 1) x
/// mcse`. `None` for fewer than two replications (no spread to measure)
/// or a mean that is not finite.
pub fn mean_interval(s: &Summary) -> Option<(f64, f64)> {
    if s.n < 2 || !s.mean.is_finite() || !s.mcse.is_finite() {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, (s.n - 1) as f64)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or_else(|_| z975());
    Some((s.mean - t * s.mcse, s.mean + t * s.mcse))
}

/// Wilson's score interval for a share `p` of `n` replications: unlike
/// `p -/+ z sqrt(p (1 - p) / n)` it stays inside [0, 1] and is not empty
/// when `p` is 0 or 1. `None` when `n` is 0.
pub fn wilson_interval(p: f64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || !p.is_finite() {
        return None;
    }
    let z = z975();
    let n = n as f64;
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// One statistic of a summarised value with its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// `mean`, a quantile label (`p05`) or `p_target`.
    pub statistic: String,
    /// The statistic as the tables report it.
    pub estimate: f64,
    /// The 95% interval, if one can be given.
    pub bounds: Option<(f64, f64)>,
}

impl Interval {
    /// Half the interval's width; `None` without an interval.
    pub fn half_width(&self) -> Option<f64> {
        self.bounds.map(|(lo, hi)| (hi - lo) / 2.0)
    }
}

/// Every statistic of `s` with its interval: the mean, each quantile at
/// `levels` (those `s` was summarised at), and `p_target` if it has one.
pub fn intervals_of(s: &Summary, levels: &[f64]) -> Vec<Interval> {
    let mut out = vec![Interval {
        statistic: "mean".into(),
        estimate: s.mean,
        bounds: mean_interval(s),
    }];
    for ((&level, &q), &bounds) in levels.iter().zip(&s.quantiles).zip(&s.quantile_intervals) {
        out.push(Interval {
            statistic: quantile_label(level),
            estimate: q,
            bounds: (bounds.0.is_finite() || bounds.1.is_finite()).then_some(bounds),
        });
    }
    if let Some(p) = s.p_target {
        out.push(Interval {
            statistic: "p_target".into(),
            estimate: p,
            bounds: wilson_interval(p, s.n),
        });
    }
    out
}

/// `intervals.csv`: `output,zone,year,statistic,estimate,lo,hi`, first
/// every scalar (zone and year empty), then the total of every output in
/// `charts`, year by year. `lo` and `hi` are empty where no interval can
/// be given (a single replication).
pub fn intervals_csv(run: &RunSummary, charts: &[String]) -> String {
    let mut out = String::from("output,zone,year,statistic,estimate,lo,hi\n");
    let row = |out: &mut String, prefix: &str, i: &Interval| {
        let _ = write!(out, "{prefix},{},{}", i.statistic, i.estimate);
        match i.bounds {
            Some((lo, hi)) => {
                let _ = writeln!(out, ",{lo},{hi}");
            }
            None => out.push_str(",,\n"),
        }
    };
    for (name, s) in run.layout.scalars.iter().zip(&run.scalars) {
        for i in intervals_of(s, &run.quantile_levels) {
            row(&mut out, &format!("{name},,"), &i);
        }
    }
    for chart in charts {
        let Some(series) = run
            .layout
            .series
            .iter()
            .position(|n| &n.output == chart && n.zone == "total")
        else {
            continue;
        };
        for (t, year) in run.layout.years.iter().enumerate() {
            for i in intervals_of(run.series_cell(series, t), &run.quantile_levels) {
                row(&mut out, &format!("{chart},total,{year}"), &i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(n: u64, mean: f64, sd: f64) -> Summary {
        Summary {
            n,
            mean,
            sd,
            mcse: sd / (n as f64).sqrt(),
            min: mean - 3.0 * sd,
            max: mean + 3.0 * sd,
            quantiles: vec![mean],
            quantile_intervals: vec![(mean - sd, mean + sd)],
            p_target: None,
        }
    }

    #[test]
    fn the_mean_gets_students_t() {
        // n = 5: t(0.975, 4) = 2.776445105 (tables); mcse = 2 / sqrt(5).
        let (lo, hi) = mean_interval(&summary(5, 10.0, 2.0)).unwrap();
        let half = 2.776_445_105_197_793 * 2.0 / 5f64.sqrt();
        assert!((lo - (10.0 - half)).abs() < 1e-9 && (hi - (10.0 + half)).abs() < 1e-9);
        assert_eq!(mean_interval(&summary(1, 10.0, 0.0)), None);
    }

    #[test]
    fn wilson_by_hand() {
        // p = 0.3, n = 100, z = 1.959964: centre (0.3 + z^2/200) / (1 + z^2/100)
        // = 0.307399, half 0.088450, so 0.218949 to 0.395849.
        let (lo, hi) = wilson_interval(0.3, 100).unwrap();
        assert!((lo - 0.218_949).abs() < 1e-6, "{lo}");
        assert!((hi - 0.395_849).abs() < 1e-6, "{hi}");
        // A share of 0 still gets an upper bound above 0.
        let (lo, hi) = wilson_interval(0.0, 100).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.03 && hi < 0.04, "{hi}");
    }
}

//! Precision requests (`run --precision`, `[outputs] precision`): which
//! statistic must be known how well. A request reads `NAME[:STAT]=TOL`:
//! NAME a scalar or a cell `OUTPUT.ZONE.YEAR` of summary.csv (`ZONE` is
//! usually `total`), STAT `mean` (the default), a quantile label of the
//! run (`p05`) or `p_target`, TOL a relative half-width (`1%`) or an
//! absolute one (`0.5`). A request is met when the half-width of the
//! statistic's 95% interval in `intervals.csv` (see
//! [`intervals`](super::intervals)) is at most the tolerance.

use serde::{Deserialize, Serialize};

use crate::engine::stats::Summary;
use crate::engine::{OutputLayout, RunSummary};
use crate::output::format::quantile_label;
use crate::output::intervals::intervals_of;

/// The statistic a request names.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistic {
    /// The mean.
    Mean,
    /// The quantile with this label (`p05`).
    Quantile(String),
    /// The share of replications at or above the scalar's target.
    PTarget,
}

/// How narrow the interval must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// Half-width at most this share of the estimate's magnitude.
    Relative(f64),
    /// Half-width at most this, in the statistic's unit.
    Absolute(f64),
}

/// A parsed request, not yet checked against a model's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionSpec {
    /// The request as written.
    pub text: String,
    /// The scalar or `OUTPUT.ZONE.YEAR` cell.
    pub name: String,
    /// Its statistic.
    pub statistic: Statistic,
    /// Its tolerance.
    pub tolerance: Tolerance,
}

/// Read one request; the error says what is wrong in the user's words.
pub fn parse(text: &str) -> Result<PrecisionSpec, String> {
    let form = "expected NAME[:STAT]=TOL, e.g. exports_final=1% or exports_final:p05=2%";
    let (left, tol) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: no `=`; {form}"))?;
    let (name, statistic) = match left.split_once(':') {
        Some((name, stat)) => (name.trim(), stat.trim()),
        None => (left.trim(), "mean"),
    };
    if name.is_empty() {
        return Err(format!("`{text}`: no output named; {form}"));
    }
    let statistic = match statistic {
        "mean" => Statistic::Mean,
        "p_target" => Statistic::PTarget,
        s if s.starts_with('p')
            && s.len() > 1
            && s[1..].chars().all(|c| c.is_ascii_digit() || c == '_') =>
        {
            Statistic::Quantile(s.to_string())
        }
        s => {
            return Err(format!(
                "`{text}`: unknown statistic `{s}`; expected mean, a quantile of the run such as p05 or p95, or p_target"
            ));
        }
    };
    let tol = tol.trim();
    let (number, relative) = match tol.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (tol, false),
    };
    let value: f64 = number.parse().map_err(|_| {
        format!(
            "`{text}`: tolerance `{tol}` is not a number; write 1% (relative) or 0.5 (absolute)"
        )
    })?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!(
            "`{text}`: the tolerance must be above 0 (a half-width of {tol} can never be reached)"
        ));
    }
    if relative && statistic == Statistic::PTarget {
        return Err(format!(
            "`{text}`: a probability takes an absolute tolerance (0.01 for one percentage point), not a percentage of itself"
        ));
    }
    let tolerance = if relative {
        Tolerance::Relative(value / 100.0)
    } else {
        Tolerance::Absolute(value)
    };
    Ok(PrecisionSpec {
        text: text.to_string(),
        name: name.to_string(),
        statistic,
        tolerance,
    })
}

/// Where a request's statistic lives in a run summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The request.
    pub spec: PrecisionSpec,
    cell: Cell,
    /// Index into [`intervals_of`]'s list for that value.
    statistic: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Scalar(usize),
    Series(usize, usize),
}

/// Check `spec` against what a run records: `layout`, its quantile
/// `levels` and the scalars with a target. The error names the closest
/// valid name where there is one.
pub fn resolve(
    spec: &PrecisionSpec,
    layout: &OutputLayout,
    levels: &[f64],
    targets: &[(String, f64)],
) -> Result<Resolved, String> {
    let text = &spec.text;
    let cell = if let Some(s) = layout.scalars.iter().position(|n| n == &spec.name) {
        Cell::Scalar(s)
    } else if let [output, zone, year] = spec.name.split('.').collect::<Vec<_>>()[..] {
        let series = layout
            .series
            .iter()
            .position(|n| n.output == output && n.zone == zone)
            .ok_or_else(|| {
                let cells: Vec<String> = layout
                    .series
                    .iter()
                    .map(|n| format!("{}.{}", n.output, n.zone))
                    .collect();
                with_hint(
                    format!("`{text}`: no output `{output}` for `{zone}` in summary.csv"),
                    &format!("{output}.{zone}"),
                    &cells,
                )
            })?;
        let t = year
            .parse::<i32>()
            .ok()
            .and_then(|y| layout.years.iter().position(|&v| v == y))
            .ok_or_else(|| {
                format!(
                    "`{text}`: year `{year}` is not simulated; years run from {} to {}",
                    layout.years.first().copied().unwrap_or_default(),
                    layout.years.last().copied().unwrap_or_default()
                )
            })?;
        Cell::Series(series, t)
    } else {
        return Err(with_hint(
            format!(
                "`{text}`: unknown scalar `{}`; name a scalar of scalars.csv or a cell OUTPUT.total.YEAR of summary.csv",
                spec.name
            ),
            &spec.name,
            &layout.scalars,
        ));
    };
    let labels: Vec<String> = levels.iter().map(|&l| quantile_label(l)).collect();
    let statistic = match &spec.statistic {
        Statistic::Mean => 0,
        Statistic::Quantile(label) => {
            1 + labels.iter().position(|l| l == label).ok_or_else(|| {
                with_hint(
                    format!(
                        "`{text}`: `{label}` is not one of the run's quantiles ({}); add its level to [outputs] quantiles",
                        labels.join(", ")
                    ),
                    label,
                    &labels,
                )
            })?
        }
        Statistic::PTarget => {
            let has_target = matches!(cell, Cell::Scalar(s) if targets.iter().any(|(n, _)| n == &layout.scalars[s]));
            if !has_target {
                return Err(format!(
                    "`{text}`: p_target needs a target for `{}` in [outputs] targets",
                    spec.name
                ));
            }
            1 + levels.len()
        }
    };
    Ok(Resolved {
        spec: spec.clone(),
        cell,
        statistic,
    })
}

fn with_hint(message: String, name: &str, valid: &[String]) -> String {
    match crate::scenario::reader::nearest(name, valid) {
        Some(best) => format!("{message} (did you mean `{best}`?)"),
        None => message,
    }
}

/// How far a request is from being met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Achieved {
    /// The request as written.
    pub request: String,
    /// The statistic's estimate.
    pub estimate: f64,
    /// Half the width of its 95% interval (`None`: no interval yet).
    pub half_width: Option<f64>,
    /// The half-width asked for, in the statistic's unit.
    pub allowed: f64,
    /// `half_width / allowed`: met at 1 or below.
    pub ratio: f64,
}

impl Achieved {
    /// Whether the request is met.
    pub fn met(&self) -> bool {
        self.ratio <= 1.0
    }
}

impl Resolved {
    /// The request's state in `run`.
    pub fn achieved(&self, run: &RunSummary) -> Achieved {
        let summary: &Summary = match self.cell {
            Cell::Scalar(s) => &run.scalars[s],
            Cell::Series(s, t) => run.series_cell(s, t),
        };
        let interval = &intervals_of(summary, &run.quantile_levels)[self.statistic];
        let allowed = match self.spec.tolerance {
            Tolerance::Absolute(a) => a,
            Tolerance::Relative(r) => r * interval.estimate.abs(),
        };
        let half_width = interval.half_width();
        // A relative request on an estimate of 0 is met only by an interval
        // of width 0; no interval (one replication) never meets one.
        let ratio = match half_width {
            Some(h) if allowed > 0.0 && h.is_finite() => h / allowed,
            Some(h) if h <= 0.0 => 0.0,
            _ => f64::INFINITY,
        };
        Achieved {
            request: self.spec.text.clone(),
            estimate: interval.estimate,
            half_width,
            allowed,
            ratio,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_as_written() {
        let s = parse("exports_final=1%").unwrap();
        assert_eq!(s.statistic, Statistic::Mean);
        assert_eq!(s.tolerance, Tolerance::Relative(0.01));
        let s = parse("exports.total.2035:p05=0.5").unwrap();
        assert_eq!(s.name, "exports.total.2035");
        assert_eq!(s.statistic, Statistic::Quantile("p05".into()));
        assert_eq!(s.tolerance, Tolerance::Absolute(0.5));
        assert_eq!(
            parse("x:p_target=0.01").unwrap().statistic,
            Statistic::PTarget
        );
    }

    #[test]
    fn bad_requests_say_why() {
        for (text, says) in [
            ("exports_final", "no `=`"),
            ("exports_final:median=1%", "unknown statistic"),
            ("exports_final=0", "above 0"),
            ("exports_final=-1%", "above 0"),
            ("exports_final=abc", "not a number"),
            ("exports_final:p_target=1%", "absolute tolerance"),
            ("=1%", "no output"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}

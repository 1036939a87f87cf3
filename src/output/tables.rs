//! `summary.csv` and `scalars.csv`: pure functions from a run's summary to
//! bytes (CLI.md "The run folder").

use std::fmt::Write;

use crate::engine::RunSummary;
use crate::engine::stats::Summary;
use crate::output::format::quantile_label;

/// Shortest text that reads back as the same `f64` (Rust's `Display`), so
/// tables are exact and identical on every machine.
fn num(out: &mut String, v: f64) {
    let _ = write!(out, "{v}");
}

fn stats_header(out: &mut String, levels: &[f64]) {
    out.push_str("n,mean,sd,mcse,min");
    for &q in levels {
        out.push(',');
        out.push_str(&quantile_label(q));
    }
    out.push_str(",max");
}

fn stats_row(out: &mut String, s: &Summary) {
    let _ = write!(out, "{}", s.n);
    for v in [s.mean, s.sd, s.mcse, s.min] {
        out.push(',');
        num(out, v);
    }
    for &q in &s.quantiles {
        out.push(',');
        num(out, q);
    }
    out.push(',');
    num(out, s.max);
}

/// `summary.csv`: `output,zone,year,n,mean,sd,mcse,min,<quantiles>,max`,
/// one row per output, zone and year, in the model's series order.
pub fn summary_csv(run: &RunSummary) -> String {
    let layout = &run.layout;
    let years = layout.years.len();
    let mut out = String::with_capacity(80 * (layout.series.len() * years + 1));
    out.push_str("output,zone,year,");
    stats_header(&mut out, &run.quantile_levels);
    out.push('\n');
    for (s, name) in layout.series.iter().enumerate() {
        for (t, year) in layout.years.iter().enumerate() {
            let _ = write!(out, "{},{},{year},", name.output, name.zone);
            stats_row(&mut out, run.series_cell(s, t));
            out.push('\n');
        }
    }
    out
}

/// `scalars.csv`: `scalar,n,mean,sd,mcse,min,<quantiles>,max,target,p_target`,
/// the last two empty where no target is set. `targets` pairs scalar names
/// with their targets.
pub fn scalars_csv(run: &RunSummary, targets: &[(String, f64)]) -> String {
    let mut out = String::from("scalar,");
    stats_header(&mut out, &run.quantile_levels);
    out.push_str(",target,p_target\n");
    for (name, s) in run.layout.scalars.iter().zip(&run.scalars) {
        out.push_str(name);
        out.push(',');
        stats_row(&mut out, s);
        out.push(',');
        if let (Some((_, target)), Some(p)) = (targets.iter().find(|(n, _)| n == name), s.p_target)
        {
            num(&mut out, *target);
            out.push(',');
            num(&mut out, p);
        } else {
            out.push(',');
        }
        out.push('\n');
    }
    out
}

/// The header of `replications.csv`: `replication`, every uncertain input
/// path, then every scalar.
pub fn replications_header(inputs: &[String], scalars: &[String]) -> String {
    let mut out = String::from("replication");
    for name in inputs.iter().chain(scalars) {
        out.push(',');
        out.push_str(name);
    }
    out.push('\n');
    out
}

/// One row of `replications.csv`, appended to `out`.
pub fn replications_row(out: &mut String, replication: u64, inputs: &[f64], scalars: &[f64]) {
    let _ = write!(out, "{replication}");
    for &v in inputs.iter().chain(scalars) {
        out.push(',');
        num(out, v);
    }
    out.push('\n');
}

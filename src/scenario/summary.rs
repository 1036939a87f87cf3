//! A readable summary of a validated scenario, as `sezsim check` prints it.

use std::fmt::Write;

use super::types::{ReplacedList, Scenario, SeriesSource};
use crate::uncertainty::SamplingMethod;

/// Describe `scenario`: horizon, zones, uncertain parameters with their
/// distributions and means, correlations, series and their sources.
pub fn describe(scenario: &Scenario) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_summary(&mut out, scenario);
    out
}

fn write_summary(out: &mut String, s: &Scenario) -> std::fmt::Result {
    writeln!(out, "scenario   {} ({})", s.name, s.title)?;
    if let Some(d) = &s.description {
        writeln!(out, "           {d}")?;
    }
    writeln!(out, "model      {}", s.model.kind())?;
    let last = s.start_year + s.years as i32 - 1;
    writeln!(
        out,
        "horizon    {}-{last} ({} years)",
        s.start_year, s.years
    )?;
    let sampling = match s.sampling {
        SamplingMethod::Random => "random",
        SamplingMethod::LatinHypercube => "lhs (Latin hypercube)",
    };
    writeln!(
        out,
        "runs       {} replications, seed {}, sampling {sampling}",
        s.replications, s.seed
    )?;
    writeln!(out, "files      {}", s.inputs.len())?;
    for f in &s.inputs {
        writeln!(out, "           {}", f.path.display())?;
    }
    if !s.replaced_lists.is_empty() {
        writeln!(out, "\ninherited lists replaced whole (not merged)")?;
        for r in &s.replaced_lists {
            writeln!(out, "  {}", replaced_line(r))?;
        }
    }

    out.push_str(&s.model.describe(s));

    let uncertain: Vec<_> = s.parameters.uncertain().collect();
    writeln!(
        out,
        "\nuncertain parameters ({} of {})",
        uncertain.len(),
        s.parameters.len()
    )?;
    let w = uncertain
        .iter()
        .map(|(_, p)| p.path.len())
        .max()
        .unwrap_or(0);
    for (_, p) in &uncertain {
        writeln!(
            out,
            "  {:w$}  {}  (mean {})",
            p.path,
            p.distribution,
            significant(p.distribution.mean())
        )?;
    }

    writeln!(out, "\ncorrelations ({})", s.correlations.len())?;
    for c in &s.correlations {
        writeln!(
            out,
            "  {} ~ {}  spearman {}",
            s.parameters.get(c.a).path,
            s.parameters.get(c.b).path,
            c.spearman
        )?;
    }

    if !s.sensitivity.groups.is_empty() {
        writeln!(
            out,
            "\nsensitivity groups ({}): each moves as one factor",
            s.sensitivity.groups.len()
        )?;
        for g in &s.sensitivity.groups {
            writeln!(
                out,
                "  {}  {} -> {} uncertain parameter(s): {}",
                g.name,
                g.patterns.join(", "),
                g.members.len(),
                g.members
                    .iter()
                    .map(|&id| s.parameters.get(id).path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
    }

    let series = s.model.series();
    if !series.is_empty() {
        writeln!(out, "\nseries")?;
        let w = series.iter().map(|(k, _, _)| k.len()).max().unwrap_or(0);
        for (key, ser, _) in series {
            let source = match &ser.source {
                SeriesSource::Constant(v) => format!("{v} every year"),
                SeriesSource::Csv { path, column } => {
                    let (lo, hi) = ser
                        .values
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                            (lo.min(v), hi.max(v))
                        });
                    format!("{} column `{column}` (from {lo} to {hi})", path.display())
                }
            };
            writeln!(out, "  {key:w$}  {source}")?;
        }
    }

    let o = &s.outputs;
    writeln!(out, "\noutputs")?;
    let q: Vec<String> = o.quantiles.iter().map(|q| q.to_string()).collect();
    writeln!(out, "  quantiles    {}", q.join(", "))?;
    let y: Vec<String> = o.table_years.iter().map(|y| y.to_string()).collect();
    writeln!(out, "  table years  {}", y.join(", "))?;
    if !o.charts.is_empty() {
        writeln!(out, "  charts       {}", o.charts.join(", "))?;
    }
    for (k, v) in &o.targets {
        writeln!(out, "  target       P({k} >= {v})")?;
    }
    Ok(())
}

/// "child.toml:12:1: `committed_investments` replaces the 4 inherited
/// committed investments with 1 of its own".
fn replaced_line(r: &ReplacedList) -> String {
    let key = r.key_path.rsplit('.').next().unwrap_or(&r.key_path);
    let plural = key.replace('_', " ");
    let label = |n: usize| match (n, plural.strip_suffix('s')) {
        (1, Some(singular)) => singular.to_string(),
        _ => plural.clone(),
    };
    let with = match r.replacement {
        Some(0) => "none (an empty list)".to_string(),
        Some(n) => format!("{n} of its own"),
        None => "the entries of a CSV file".to_string(),
    };
    format!(
        "{}: `{}` replaces the {} inherited {} with {with}",
        r.at,
        r.key_path,
        r.inherited,
        label(r.inherited)
    )
}

/// Six significant digits, without trailing zeros.
fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return v.to_string();
    }
    let digits = (6 - 1 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

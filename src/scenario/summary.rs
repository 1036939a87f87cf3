//! A readable summary of a validated scenario, as `sezsim check` prints it.

use std::fmt::Write;

use super::types::{ModelSpec, ReplacedList, Scenario, Series, SeriesSource};
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

    let mut series: Vec<(String, &Series)> = Vec::new();
    if let ModelSpec::Sez(sez) = &s.model {
        writeln!(out, "\nzones ({})", sez.zones.len())?;
        let w = sez.zones.iter().map(|z| z.id.len()).max().unwrap_or(0);
        for z in &sez.zones {
            let delay = s
                .parameters
                .get(z.investment.opening_delay)
                .distribution
                .clone();
            let delay = if delay.is_fixed() && delay.mean() == 0.0 {
                String::new()
            } else {
                format!(", opening delay {delay}")
            };
            writeln!(
                out,
                "  {:w$}  {} (opens {}{delay})",
                z.id, z.name, z.opens_year
            )?;
            series.push((
                format!("zones.{}.workforce.trainees_per_year", z.id),
                &z.workforce.trainees_per_year,
            ));
            series.push((
                format!("zones.{}.fiscal.public_cost", z.id),
                &z.fiscal.public_cost,
            ));
        }
        series.insert(
            0,
            (
                "global.grid_availability".into(),
                &sez.global.grid_availability,
            ),
        );
        series.insert(
            1,
            (
                "global.port_capacity_teu".into(),
                &sez.global.port_capacity_teu,
            ),
        );
        if !sez.energy_projects.is_empty() {
            writeln!(out, "\nenergy projects ({})", sez.energy_projects.len())?;
            for p in &sez.energy_projects {
                let delay = &s.parameters.get(p.delay).distribution;
                writeln!(
                    out,
                    "  {} -> {}: {} MW x {} capacity factor x {} share, planned {}, delay {delay}",
                    p.name,
                    sez.zones[p.zone].id,
                    p.capacity_mw,
                    p.capacity_factor,
                    p.zone_share,
                    p.planned_year
                )?;
            }
        }
        if !sez.committed_investments.is_empty() {
            let total: f64 = sez.committed_investments.iter().map(|c| c.amount).sum();
            let expected: f64 = sez
                .committed_investments
                .iter()
                .map(|c| c.amount * c.probability)
                .sum();
            writeln!(
                out,
                "\ncommitted investments: {} (USD {total} million announced, {expected:.1} million expected)",
                sez.committed_investments.len()
            )?;
        }
        writeln!(
            out,
            "\ninput-output table: {} sectors ({})",
            sez.io.sectors.len(),
            sez.io.sectors.join(", ")
        )?;
    }

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

    if !series.is_empty() {
        writeln!(out, "\nseries")?;
        let w = series.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (key, ser) in series {
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

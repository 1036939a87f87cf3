//! `[outputs]`: quantile levels, table years, charts and targets, checked
//! against what the scenario's kind of model records.

use std::collections::HashSet;

use super::header::{Header, MAX_YEAR, MIN_YEAR};
use super::kind::ModelKind;
use super::raw::Node;
use super::reader::{self, TableReader, nearest};
use super::schema::Schema;
use super::types::{OutputSettings, Tables};
use crate::output::charts::ChartSize;
use crate::output::format::quantile_label;
use crate::output::precision;

impl Schema<'_> {
    /// `[outputs]`, checked against what `kind` records.
    pub(crate) fn outputs(
        &mut self,
        top: &mut TableReader,
        kind: Option<&dyn ModelKind>,
        h: &Header,
    ) -> Option<OutputSettings> {
        let catalogue = kind.map(|k| k.catalogue()).unwrap_or_default();
        let last_year = h.start_year + h.years as i32 - 1;
        let mut settings = OutputSettings {
            quantiles: vec![0.05, 0.25, 0.5, 0.75, 0.95],
            table_years: default_table_years(h.start_year, last_year),
            charts: kind.map(|k| k.default_charts()).unwrap_or_default(),
            targets: Vec::new(),
            chart_size: ChartSize::default(),
            precision: Vec::new(),
            tables: Tables::default(),
        };
        let Some(mut o) = self.section(top, "outputs", "[outputs]", false) else {
            return Some(settings);
        };
        let mut ok = true;
        if let Some(n) = o.get("quantiles") {
            match reader::numbers(&mut self.ctx, n, "outputs.quantiles") {
                Some(q)
                    if !q.is_empty()
                        && q.iter().all(|&v| v > 0.0 && v < 1.0)
                        && q.windows(2).all(|w| w[0] < w[1])
                        && q.len() <= 99 =>
                {
                    let labels: Vec<String> = q.iter().map(|&v| quantile_label(v)).collect();
                    if labels.iter().collect::<HashSet<_>>().len() != labels.len() {
                        self.ctx.error(n.origin, "outputs.quantiles", "quantiles too close to tell apart in column names (use at most 3 decimals of percent)");
                        ok = false;
                    } else {
                        settings.quantiles = q;
                    }
                }
                Some(_) => {
                    self.ctx.error(n.origin, "outputs.quantiles", "expected levels strictly between 0 and 1, in increasing order, without repeats, e.g. [0.05, 0.5, 0.95]");
                    ok = false;
                }
                None => ok = false,
            }
        }
        if let Some(n) = o.get("table_years") {
            if let Some(items) = reader::array(&mut self.ctx, n, "outputs.table_years") {
                let mut years = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let (lo, hi) = if h.horizon_known {
                        (h.start_year as i64, last_year as i64)
                    } else {
                        (MIN_YEAR, MAX_YEAR)
                    };
                    match reader::integer(
                        &mut self.ctx,
                        item,
                        &format!("outputs.table_years[{i}]"),
                        lo,
                        hi,
                    ) {
                        Some(y) => years.push(y as i32),
                        None => ok = false,
                    }
                }
                settings.table_years = years;
            } else {
                ok = false;
            }
        }
        if let Some(n) = o.get("charts") {
            if let Some(items) = reader::array(&mut self.ctx, n, "outputs.charts") {
                let valid = catalogue.series_names();
                // (chart, index of the item that named it)
                let mut charts: Vec<(String, usize)> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("outputs.charts[{i}]");
                    let Some(c) = reader::string(&mut self.ctx, item, &path) else {
                        ok = false;
                        continue;
                    };
                    if let Some(first) = charts.iter().position(|(seen, _)| seen == c) {
                        let first = self.location(items[charts[first].1].origin);
                        self.ctx
                            .error(
                                item.origin,
                                &path,
                                format!("`{c}` is listed twice (first at {first})"),
                            )
                            .help = Some("each chart is drawn once; remove the repeat".into());
                        ok = false;
                    } else if valid.contains(&c) {
                        charts.push((c.to_string(), i));
                    } else {
                        let d = self.ctx.error(
                            item.origin,
                            &path,
                            if valid.is_empty() {
                                format!("`{c}`: this model has no time series to chart")
                            } else {
                                format!(
                                    "unknown output `{c}`; chartable outputs: {}",
                                    valid.join(", ")
                                )
                            },
                        );
                        if let Some(best) = nearest(c, &valid) {
                            d.help = Some(format!("did you mean `{best}`?"));
                        }
                        ok = false;
                    }
                }
                settings.charts = charts.into_iter().map(|(c, _)| c).collect();
            } else {
                ok = false;
            }
        }
        if let Some(n) = o.get("targets") {
            if let Some(t) = reader::table(&mut self.ctx, n, "outputs.targets") {
                let valid = catalogue.scalar_names();
                for entry in &t.entries {
                    let path = format!("outputs.targets.{}", entry.key);
                    if !valid.contains(&entry.key.as_str()) {
                        let d = self.ctx.error(
                            entry.key_origin,
                            &path,
                            format!(
                                "unknown scalar outcome `{}`; targets can be set on: {}",
                                entry.key,
                                valid.join(", ")
                            ),
                        );
                        if let Some(best) = nearest(&entry.key, &valid) {
                            d.help = Some(format!("did you mean `{best}`?"));
                        }
                        ok = false;
                        continue;
                    }
                    match reader::plain_number(&mut self.ctx, &entry.value, &path) {
                        Some(v) => settings.targets.push((entry.key.clone(), v)),
                        None => ok = false,
                    }
                }
            } else {
                ok = false;
            }
        }
        if let Some(n) = o.get("chart_size") {
            match reader::string(&mut self.ctx, n, "outputs.chart_size") {
                Some(name) => match ChartSize::from_name(name) {
                    Some(size) => settings.chart_size = size,
                    None => {
                        let names: Vec<&str> = ChartSize::ALL.iter().map(|s| s.name()).collect();
                        let d = self.ctx.error(
                            n.origin,
                            "outputs.chart_size",
                            format!("unknown chart size `{name}`; sizes: {}", names.join(", ")),
                        );
                        d.help = Some(match nearest(&name.to_lowercase(), &names) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => "\"slide\" (the default) fills a slide, \"a4\" and \"a5\" fit the text width of those pages".into(),
                        });
                        ok = false;
                    }
                },
                None => ok = false,
            }
        }
        if let Some(n) = o.get("tables") {
            match tables_setting(&mut self.ctx, n, "outputs.tables") {
                Some(tables) => settings.tables = tables,
                None => ok = false,
            }
        }
        if let Some(n) = o.get("precision") {
            if let Some(items) = reader::array(&mut self.ctx, n, "outputs.precision") {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("outputs.precision[{i}]");
                    let Some(text) = reader::string(&mut self.ctx, item, &path) else {
                        ok = false;
                        continue;
                    };
                    match precision::parse(text).and_then(|spec| {
                        check_precision(&spec, &catalogue, &settings, h).map(|()| spec)
                    }) {
                        Ok(spec) => settings.precision.push(spec),
                        Err(message) => {
                            self.ctx.error(item.origin, &path, message).help = Some(
                                "write NAME[:STAT]=TOL: a scalar or OUTPUT.total.YEAR, mean, a quantile such as p05 or p_target, and 1% or 0.5".into(),
                            );
                            ok = false;
                        }
                    }
                }
            } else {
                ok = false;
            }
        }
        o.finish(&mut self.ctx);
        ok.then_some(settings)
    }
}

/// A `tables` setting (`[outputs]` of a scenario, `[sweep]` of a sweep
/// file) at `path`; `None` once the error is reported.
pub(crate) fn tables_setting(ctx: &mut reader::Ctx, n: &Node, path: &str) -> Option<Tables> {
    let name = reader::string(ctx, n, path)?;
    if let Some(tables) = Tables::from_name(name) {
        return Some(tables);
    }
    let names: Vec<&str> = Tables::ALL.iter().map(|t| t.name()).collect();
    let d = ctx.error(
        n.origin,
        path,
        format!("unknown setting `{name}`; settings: {}", names.join(", ")),
    );
    d.help = Some(match nearest(&name.to_lowercase(), &names) {
        Some(best) => format!("did you mean `{best}`?"),
        None => "\"all\" summarises every yearly series, \"charted\" those of the charted outputs, \"scalars\" none".into(),
    });
    None
}

/// What can be checked of a precision request before the model is built:
/// the scalar or output exists, the year is simulated, the quantile is
/// one of the scenario's, a `p_target` has a target. (The zone of a cell
/// is checked when the run starts.)
fn check_precision(
    spec: &precision::PrecisionSpec,
    catalogue: &crate::engine::Catalogue,
    settings: &OutputSettings,
    h: &Header,
) -> Result<(), String> {
    let scalars = catalogue.scalar_names();
    let text = &spec.text;
    if !scalars.contains(&spec.name.as_str()) {
        let parts: Vec<&str> = spec.name.split('.').collect();
        let series = catalogue.series_names();
        let hint = |name: &str, valid: &[&str]| {
            nearest(name, valid).map_or(String::new(), |b| format!(" (did you mean `{b}`?)"))
        };
        let [output, _zone, year] = parts[..] else {
            return Err(format!(
                "`{text}`: unknown scalar `{}`{}",
                spec.name,
                hint(&spec.name, &scalars)
            ));
        };
        if !series.contains(&output) {
            return Err(format!(
                "`{text}`: unknown output `{output}`{}",
                hint(output, &series)
            ));
        }
        if !settings.tables.keeps(output, &settings.charts) {
            return Err(format!(
                "`{text}`: `tables = \"{}\"` keeps no table of `{output}`, so its precision cannot be known; chart it with tables = \"charted\", or set tables = \"all\"",
                settings.tables.name()
            ));
        }
        let last = h.start_year + h.years as i32 - 1;
        if !year
            .parse::<i32>()
            .is_ok_and(|y| (h.start_year..=last).contains(&y))
        {
            return Err(format!(
                "`{text}`: year `{year}` is not simulated ({} to {last})",
                h.start_year
            ));
        }
    }
    match &spec.statistic {
        precision::Statistic::Quantile(label) => {
            let labels: Vec<String> = settings
                .quantiles
                .iter()
                .map(|&q| quantile_label(q))
                .collect();
            if !labels.contains(label) {
                return Err(format!(
                    "`{text}`: `{label}` is not one of the scenario's quantiles ({})",
                    labels.join(", ")
                ));
            }
        }
        precision::Statistic::PTarget => {
            if !settings.targets.iter().any(|(n, _)| n == &spec.name) {
                return Err(format!(
                    "`{text}`: p_target needs a target for `{}` in [outputs] targets",
                    spec.name
                ));
            }
        }
        precision::Statistic::Mean => {}
    }
    Ok(())
}

/// Every fifth year from the start, plus the final year.
fn default_table_years(start: i32, last: i32) -> Vec<i32> {
    let mut years: Vec<i32> = (start..=last).step_by(5).collect();
    if years.last() != Some(&last) {
        years.push(last);
    }
    years
}

//! `report.md`: a Markdown report of a run for economists, ready to paste
//! into a document: the scenario, the settings, key totals at the table
//! years, the scalar outcomes with their target probabilities, every chart
//! with a caption saying how to read it, and the command that reproduces
//! the run.
//!
//! [`Report`] collects everything the report shows as plain data
//! ([`Report::new`]); [`render`] turns it into text, a pure function, so a
//! test can fix the machine-dependent fields (wall time, threads) and
//! snapshot the result.

use std::fmt::Write as _;

use crate::engine::RunSummary;
use crate::engine::{Catalogue, Unit};
use crate::output::charts::{ChartData, ChartKind, ChartSpec, chart_list};
use crate::output::format;
use crate::output::intervals;
use crate::output::manifest::Manifest;
use crate::scenario::{Scenario, Tables};

/// The settings of a run, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSettings {
    /// `[scenario].name`.
    pub scenario: String,
    /// The kind of model (`sez`, `ishigami`...).
    pub model: String,
    /// The run's base seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// Whether the run was deterministic (parameters at their means, no
    /// shocks).
    pub deterministic: bool,
    /// How static parameters were sampled (`random` or `lhs`).
    pub sampling: String,
    /// First simulated calendar year.
    pub start_year: i32,
    /// Number of simulated years.
    pub years: u32,
    /// Whether the model records yearly series (a benchmark has none, and
    /// so no horizon).
    pub yearly: bool,
    /// Which yearly series have tables (`[outputs].tables`).
    pub tables: Tables,
    /// Worker threads used (results never depend on them).
    pub threads: usize,
    /// Seconds the run took.
    pub wall_time_seconds: f64,
    /// How the quantile columns were computed.
    pub quantile_method: String,
    /// The version of sezsim that wrote the report.
    pub tool_version: String,
    /// For a run to a stated precision: what was asked and achieved.
    pub precision: Option<crate::output::manifest::PrecisionRecord>,
}

/// One row of the key-totals table: P5, P50, P95 of an output's total in
/// a year.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTotal {
    /// "Exports, total of 4 zones (USD million per year)".
    pub label: String,
    /// The calendar year.
    pub year: i32,
    /// The output's unit, for number formats; `None` when the catalogue does
    /// not know it.
    pub unit: Option<Unit>,
    /// 5th percentile across replications.
    pub p5: f64,
    /// Median across replications.
    pub p50: f64,
    /// 95th percentile across replications.
    pub p95: f64,
}

/// One scalar outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarRow {
    /// "Exports in the final year (USD million per year)".
    pub label: String,
    /// The scalar's unit, for number formats; `None` when the catalogue does
    /// not know it.
    pub unit: Option<Unit>,
    /// Mean across replications.
    pub mean: f64,
    /// 5th percentile across replications.
    pub p5: f64,
    /// Median across replications.
    pub p50: f64,
    /// 95th percentile across replications.
    pub p95: f64,
    /// Its target from `[outputs.targets]`, if any.
    pub target: Option<f64>,
    /// Share of replications that reach the target, if there is one.
    pub p_target: Option<f64>,
    /// 95% intervals of the mean, P5 and P95 (intervals.csv), where a
    /// run has them.
    pub mean_interval: Option<(f64, f64)>,
    /// See `mean_interval`.
    pub p5_interval: Option<(f64, f64)>,
    /// See `mean_interval`.
    pub p95_interval: Option<(f64, f64)>,
}

/// One chart, as the report embeds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartEntry {
    /// What kind of chart.
    pub kind: ChartKind,
    /// The output or scalar it shows.
    pub subject: String,
    /// The subject in words (its label), for headings.
    pub heading: String,
    /// Alternative text: the chart's subject in words.
    pub alt: String,
    /// The PNG's path, relative to the run folder.
    pub png: String,
    /// The SVG's path, relative to the run folder.
    pub svg: String,
    /// How to read it, one line.
    pub caption: String,
}

/// One uncertain input, as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRow {
    /// What people call it (its label).
    pub label: String,
    /// Its distribution, e.g. `triangular(min 0, mode 1, max 4)`.
    pub distribution: String,
    /// The distribution's mean.
    pub mean: f64,
}

/// Everything `report.md` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The scenario's title.
    pub title: String,
    /// The scenario's description, if any.
    pub description: Option<String>,
    /// The run's settings.
    pub settings: ReportSettings,
    /// Years shown in the tables (`[outputs].table_years`).
    pub table_years: Vec<i32>,
    /// P5, P50 and P95 of each charted output's total (or national value) in
    /// the table years.
    pub key_totals: Vec<KeyTotal>,
    /// Every scalar outcome.
    pub scalars: Vec<ScalarRow>,
    /// Replications in the reservoir the distribution charts use.
    pub reservoir_rows: u64,
    /// The charts, in report order.
    pub charts: Vec<ChartEntry>,
    /// Why a kind of chart was not drawn, one sentence each.
    pub charts_not_drawn: Vec<String>,
    /// The uncertain inputs, by label, in the scenario's order.
    pub inputs: Vec<InputRow>,
    /// The command that reproduces the run.
    pub reproduce: String,
}

fn label_with_unit(catalogue: &Catalogue, name: &str) -> (String, Option<Unit>) {
    match catalogue.describe(name) {
        Some(d) => (
            match d.unit.text() {
                Some(u) => format!("{} ({u})", d.label),
                None => d.label.clone(),
            },
            Some(d.unit.clone()),
        ),
        None => (format!("`{name}`"), None),
    }
}

/// The label of `name`, or the name itself.
fn label_of<'a>(catalogue: &'a Catalogue, name: &'a str) -> &'a str {
    catalogue.describe(name).map_or(name, |d| d.label.as_str())
}

impl Report {
    /// The report of a run of `scenario`: `summary` is the engine's (its
    /// quantile levels include the fan levels), `data` the chart data as
    /// saved, `manifest` the run's manifest.
    pub fn new(
        scenario: &Scenario,
        summary: &RunSummary,
        data: &ChartData,
        manifest: &Manifest,
    ) -> Report {
        let settings = ReportSettings {
            scenario: manifest.scenario.clone(),
            model: manifest.model.to_string(),
            seed: manifest.seed,
            replications: manifest.replications,
            deterministic: manifest.deterministic,
            sampling: manifest.sampling.to_string(),
            start_year: manifest.start_year,
            years: manifest.years,
            // The model's, not the summary's: `tables` may keep none.
            yearly: !scenario.model.catalogue().series.is_empty(),
            tables: manifest.tables,
            threads: manifest.threads,
            wall_time_seconds: manifest.wall_time_seconds,
            quantile_method: manifest.quantile_method.clone(),
            tool_version: manifest.tool_version.to_string(),
            precision: manifest.precision.clone(),
        };
        let mut key_totals = Vec::new();
        for output in data.fan.outputs() {
            let Some(s) = data.fan.aggregate_of(output) else {
                continue;
            };
            let (label, unit) = match data.run.catalogue.describe(output) {
                Some(d) => (d.label.clone(), Some(d.unit.clone())),
                None => (format!("`{output}`"), None),
            };
            let zones = data.fan.zones_of(output).len();
            let label = match (s.zone.as_str(), unit.as_ref().and_then(Unit::text)) {
                ("national", Some(u)) => format!("{label}, national ({u})"),
                ("national", None) => format!("{label}, national"),
                (_, Some(u)) => format!("{label}, total of {zones} zones ({u})"),
                (_, None) => format!("{label}, total of {zones} zones"),
            };
            for &year in &scenario.outputs.table_years {
                if let Some(t) = data.fan.years.iter().position(|&y| y == year) {
                    let q = s.quantiles[t];
                    key_totals.push(KeyTotal {
                        label: label.clone(),
                        year,
                        unit: unit.clone(),
                        p5: q[0],
                        p50: q[2],
                        p95: q[4],
                    });
                }
            }
        }
        let level = |q: f64| {
            summary
                .quantile_levels
                .iter()
                .position(|l| l.to_bits() == q.to_bits())
        };
        let (i5, i50, i95) = (level(0.05), level(0.5), level(0.95));
        let scalars = summary
            .layout
            .scalars
            .iter()
            .zip(&summary.scalars)
            .map(|(name, s)| {
                let (label, unit) = label_with_unit(&data.run.catalogue, name);
                let q = |i: Option<usize>| i.map_or(f64::NAN, |i| s.quantiles[i]);
                let bounds = |i: Option<usize>| {
                    i.and_then(|i| s.quantile_intervals.get(i).copied())
                        .filter(|(lo, hi)| lo.is_finite() && hi.is_finite() && s.n > 1)
                };
                ScalarRow {
                    mean_interval: intervals::mean_interval(s),
                    p5_interval: bounds(i5),
                    p95_interval: bounds(i95),
                    label,
                    unit,
                    mean: s.mean,
                    p5: q(i5),
                    p50: q(i50),
                    p95: q(i95),
                    target: scenario
                        .outputs
                        .targets
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|&(_, t)| t),
                    p_target: s.p_target,
                }
            })
            .collect();
        let charts = chart_list(data)
            .iter()
            .map(|spec| ChartEntry {
                kind: spec.kind,
                subject: spec.subject.clone(),
                heading: label_of(&data.run.catalogue, &spec.subject).to_string(),
                alt: alt_text(spec, data),
                png: spec.png_path(),
                svg: spec.svg_path(),
                caption: spec.caption(data),
            })
            .collect();
        let mut charts_not_drawn = Vec::new();
        if manifest.tables == Tables::Scalars && !scenario.outputs.charts.is_empty() {
            charts_not_drawn.push(
                "No fan charts: `tables = \"scalars\"` keeps no yearly series; set tables = \"charted\" or \"all\" in [outputs] to draw them.".to_string(),
            );
        }
        if data.sample.inputs.is_empty() && !data.scalars.is_empty() {
            charts_not_drawn.push(
                "No tornado charts: every parameter of the scenario is fixed, so no uncertain input can drive the outcomes.".to_string(),
            );
        }
        Report {
            title: scenario.title.clone(),
            description: scenario.description.clone(),
            settings,
            table_years: scenario.outputs.table_years.clone(),
            key_totals,
            scalars,
            reservoir_rows: data.sample.len() as u64,
            charts,
            charts_not_drawn,
            inputs: manifest
                .parameters
                .iter()
                .map(|p| InputRow {
                    label: p.label.clone(),
                    distribution: p.distribution.clone(),
                    mean: p.mean,
                })
                .collect(),
            reproduce: manifest.command.clone(),
        }
    }
}

fn alt_text(spec: &ChartSpec, data: &ChartData) -> String {
    let label = label_of(&data.run.catalogue, &spec.subject);
    match spec.kind {
        ChartKind::Fan => {
            let national = data
                .fan
                .aggregate_of(&spec.subject)
                .is_some_and(|s| s.zone == "national");
            let scope = if national { "national" } else { "total" };
            format!("{label}, {scope} (fan chart)")
        }
        ChartKind::FanByZone => format!("{label} by zone (fan charts)"),
        ChartKind::Histogram => format!("{label} (histogram)"),
        ChartKind::Cdf => format!("{label} (cumulative distribution)"),
        ChartKind::Tornado => format!("{label} (rank correlations with the inputs)"),
    }
}

fn count(n: u64) -> String {
    format::group_thousands(&n.to_string())
}

/// The outcomes of a deterministic run: one value each and, where a target
/// is set, whether that value reaches it. No probabilities: one replication
/// at the parameters' means says nothing about how likely a target is.
fn render_deterministic_outcomes(out: &mut String, scalars: &[ScalarRow]) {
    out.push_str("## Outcomes\n\n");
    let targets = scalars.iter().any(|s| s.target.is_some());
    out.push_str("| Outcome | Value |");
    if targets {
        out.push_str(" Target | Reached |");
    }
    out.push_str("\n|---|---:|");
    if targets {
        out.push_str("---:|---|");
    }
    out.push('\n');
    for sc in scalars {
        let _ = write!(
            out,
            "| {} | {} |",
            sc.label,
            format::value(sc.mean, sc.unit.as_ref())
        );
        if targets {
            match sc.target {
                Some(t) => {
                    let reached = if sc.mean >= t { "yes" } else { "no" };
                    let _ = write!(out, " {} | {reached} |", format::exact(t, sc.unit.as_ref()));
                }
                None => out.push_str(" | |"),
            }
        }
        out.push('\n');
    }
    out.push_str(
        "\nA deterministic run is a check of the model at the parameters' means, not a forecast: run without `--deterministic` for ranges and target probabilities.\n\n",
    );
}

/// The text of `report.md`.
pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(8192);
    let s = &r.settings;
    let _ = writeln!(out, "# {}\n", r.title);
    if let Some(d) = &r.description {
        let _ = writeln!(out, "{d}\n");
    }

    out.push_str("## Settings\n\n| | |\n|---|---|\n");
    let _ = writeln!(out, "| Scenario | `{}` (model `{}`) |", s.scenario, s.model);
    if s.deterministic {
        out.push_str(
            "| Replications | 1, deterministic: every parameter at its mean, no shocks |\n",
        );
    } else {
        let _ = writeln!(out, "| Replications | {} |", count(s.replications));
    }
    if let Some(p) = &s.precision {
        let each: Vec<String> = p
            .achieved
            .iter()
            .map(|a| {
                format!(
                    "`{}`: 95% half-width {} (asked {})",
                    a.request,
                    a.half_width
                        .map_or("none".into(), |h| format::significant(h, 3)),
                    format::significant(a.allowed, 3)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "| Precision | {} at {} replications (cap {}): {} |",
            if p.met {
                "met"
            } else {
                "**not met**, the cap reached"
            },
            count(s.replications),
            count(p.cap),
            each.join("; ")
        );
    }
    let _ = writeln!(out, "| Seed | {} |", s.seed);
    let _ = writeln!(
        out,
        "| Sampling | {} |",
        match s.sampling.as_str() {
            "lhs" => "Latin hypercube",
            other => other,
        }
    );
    if s.yearly {
        let last = s.start_year + s.years as i32 - 1;
        let years = if s.years == 1 { "year" } else { "years" };
        let _ = writeln!(
            out,
            "| Horizon | {}–{last} ({} {years}) |",
            s.start_year, s.years
        );
    }
    match s.tables {
        Tables::All => {}
        Tables::Charted => {
            let _ = writeln!(out, "| Yearly tables | charted outputs only |");
        }
        Tables::Scalars => {
            let _ = writeln!(out, "| Yearly tables | none (scalars only) |");
        }
    }
    let _ = writeln!(out, "| Threads | {} |", s.threads);
    let _ = writeln!(out, "| Wall time | {:.1} s |", s.wall_time_seconds);
    let _ = writeln!(out, "| Quantiles | {} |", s.quantile_method);
    let _ = writeln!(out, "| sezsim | {} |", s.tool_version);
    out.push('\n');

    if !r.key_totals.is_empty() {
        out.push_str("## Key totals\n\n");
        if s.deterministic {
            // One replication: its value is every quantile, and quantiles
            // would suggest a spread that a deterministic run does not have.
            out.push_str(
                "One deterministic replication: every parameter at its mean, no shocks.\n\n",
            );
            out.push_str("| Output | Year | Value |\n|---|---:|---:|\n");
        } else {
            out.push_str(
                "Across replications: P50 is the median; nine replications in ten lie between P5 and P95.\n\n",
            );
            out.push_str("| Output | Year | P5 | P50 | P95 |\n|---|---:|---:|---:|---:|\n");
        }
        let mut previous = "";
        for k in &r.key_totals {
            let label = if k.label == previous { "" } else { &k.label };
            if s.deterministic {
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} |",
                    k.year,
                    format::value(k.p50, k.unit.as_ref())
                );
            } else {
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} | {} | {} |",
                    k.year,
                    format::value(k.p5, k.unit.as_ref()),
                    format::value(k.p50, k.unit.as_ref()),
                    format::value(k.p95, k.unit.as_ref())
                );
            }
            previous = &k.label;
        }
        out.push('\n');
    }

    if !r.scalars.is_empty() && s.deterministic {
        render_deterministic_outcomes(&mut out, &r.scalars);
    } else if !r.scalars.is_empty() {
        out.push_str("## Outcomes\n\n");
        let targets = r.scalars.iter().any(|s| s.target.is_some());
        out.push_str("| Outcome | Mean | P5 | P50 | P95 |");
        if targets {
            out.push_str(" Target | P(≥ target) |");
        }
        out.push_str("\n|---|---:|---:|---:|---:|");
        if targets {
            out.push_str("---:|---:|");
        }
        out.push('\n');
        for sc in &r.scalars {
            // An interval that reads as the value itself at the table's
            // precision says nothing: leave it out.
            let with = |v: f64, ci: Option<(f64, f64)>| {
                let [v, lo, hi] = [v, ci.map_or(v, |c| c.0), ci.map_or(v, |c| c.1)]
                    .map(|x| format::value(x, sc.unit.as_ref()));
                if lo == v && hi == v {
                    v
                } else {
                    format!("{v} ({lo} to {hi})")
                }
            };
            let _ = write!(
                out,
                "| {} | {} | {} | {} | {} |",
                sc.label,
                with(sc.mean, sc.mean_interval),
                with(sc.p5, sc.p5_interval),
                format::value(sc.p50, sc.unit.as_ref()),
                with(sc.p95, sc.p95_interval)
            );
            if targets {
                match (sc.target, sc.p_target) {
                    (Some(t), Some(p)) => {
                        let _ = write!(
                            out,
                            " {} | **{}** |",
                            format::exact(t, sc.unit.as_ref()),
                            format::percent(p)
                        );
                    }
                    _ => out.push_str(" | |"),
                }
            }
            out.push('\n');
        }
        out.push('\n');
        if r.scalars.iter().any(|sc| sc.mean_interval.is_some()) {
            out.push_str(
                "In brackets, 95% intervals of the estimates (how far more replications could move them; `intervals.csv` has them for every statistic): Student's t for the mean, the distribution-free order-statistic interval for P5 and P95.\n\n",
            );
        }
        if targets && !s.deterministic {
            // The standard error of a proportion is at most 0.5 / sqrt(N).
            let se = 0.5 / (s.replications as f64).sqrt() * 100.0;
            let _ = writeln!(
                out,
                "P(≥ target) is the share of all {} replications at or above the target set in `[outputs].targets`; its Monte Carlo standard error is at most {} percentage points.\n",
                count(s.replications),
                format::significant(se, 2)
            );
        }
    }

    if !r.charts.is_empty() || !r.charts_not_drawn.is_empty() {
        out.push_str("## Charts\n\n");
        if r.reservoir_rows < s.replications {
            let _ = writeln!(
                out,
                "Histograms, CDFs and tornado charts are drawn from a uniform random sample of {} of the {} replications (`reservoir.csv`); every number above{} uses all of them.\n",
                count(r.reservoir_rows),
                count(s.replications),
                if r.key_totals.is_empty() {
                    ""
                } else {
                    ", like the fan charts,"
                }
            );
        }
        let mut subject = "";
        for c in &r.charts {
            if c.subject != subject {
                let _ = writeln!(out, "### {}\n", c.heading);
                subject = &c.subject;
            }
            let _ = writeln!(out, "![{}]({})\n", c.alt, c.png);
            let _ = writeln!(out, "*{}* [SVG]({})\n", c.caption, c.svg);
        }
        for why in &r.charts_not_drawn {
            let _ = writeln!(out, "{why}\n");
        }
    }

    if !r.inputs.is_empty() && !s.deterministic {
        out.push_str("## Uncertain inputs\n\n");
        out.push_str(
            "Every parameter drawn anew in each replication; `reservoir.csv` and `manifest.json` name them by path.\n\n",
        );
        out.push_str("| Input | Distribution | Mean |\n|---|---|---:|\n");
        for i in &r.inputs {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                // A `|` would end the cell.
                i.label.replace('|', "\\|"),
                i.distribution,
                format::significant(i.mean, 3)
            );
        }
        out.push('\n');
    }

    out.push_str("## Reproduce\n\n```sh\n");
    out.push_str(&r.reproduce);
    out.push_str(
        "\n```\n\nThe same scenario files (their SHA-256 are in `manifest.json`), seed and replications give the same numbers and charts, byte for byte, on any number of threads. `sezsim plot` redraws the charts from this folder without re-running the model.\n",
    );
    out
}

//! Writing an analysis folder from its accumulated sums or effects: the
//! tables, the charts, report.md and manifest.json, all pure functions of
//! the results (so a merge of shards writes the unsharded tables, bit for
//! bit).

use std::collections::HashMap;
use std::time::Instant;

use super::{
    Accumulated, AnalysisOutcome, AnalysisSettings, CONFIDENCE_LEVEL, Design, Method, Plan,
    sensitivity_error,
};
use crate::engine::{ParameterSource, Unit};
use crate::error::Error;
use crate::output::charts::sensitivity::{self as chart, SensitivityChart};
use crate::output::charts::{self, CHARTS_DIR};
use crate::output::manifest::{
    ManifestFactor, ManifestInput, SensitivityManifest, SensitivityShardInfo, TOOL, TOOL_VERSION,
};
use crate::output::run_dir::PendingDir;
use crate::output::sensitivity::{
    Interval, MorrisRow, MorrisStats, OutputKey, PairRow, ReportChart, ReportFactor, ReportRow,
    ReportSection, SensitivityReport, SobolRow, morris_csv, render_report, sobol_csv, sobol_s2_csv,
};
use crate::scenario::{SHOCKS_FACTOR, Scenario};
use crate::sensitivity::{DEFAULT_RESAMPLES, Estimate, pairs};

/// Factors shown in a report table or a bar chart.
pub const TOP_FACTORS: usize = 15;

/// Factors drawn as layers of a stacked area chart (the rest join the
/// "other factors" layer).
pub const TOP_LAYERS: usize = 6;

/// What an analysis folder holds, for the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisFiles {
    /// The table files written.
    pub tables: Vec<String>,
    /// Charts drawn.
    pub charts: usize,
    /// The most important factor of the first output, with its index
    /// (ST for Sobol', mu* for Morris), when there is one.
    pub leading: Option<(String, String, f64)>,
}

fn interval(e: &Estimate) -> Interval {
    Interval {
        value: e.value,
        lo: e.lower,
        hi: e.upper,
    }
}

/// The results, as tables' rows.
pub(super) struct Results {
    sobol: Vec<SobolRow>,
    pairs: Vec<PairRow>,
    morris: Vec<MorrisRow>,
    /// Why an output has no indices, by output.
    problems: Vec<Option<String>>,
}

pub(super) fn results(plan: &Plan, acc: &Accumulated, seed: u64) -> Result<Results, Error> {
    let names = plan.factors().names();
    let keys: Vec<&OutputKey> = plan.selection.outputs.iter().map(|(k, _)| k).collect();
    let mut out = Results {
        sobol: Vec::new(),
        pairs: Vec::new(),
        morris: Vec::new(),
        problems: Vec::new(),
    };
    match acc {
        Accumulated::Sobol(a) => {
            let all = a.finish(CONFIDENCE_LEVEL).map_err(sensitivity_error)?;
            let second = matches!(&plan.design, Design::Sobol(d) if d.second_order());
            for (key, result) in keys.iter().zip(&all) {
                let indices = result.as_ref().ok();
                out.problems
                    .push(result.as_ref().err().map(|p| p.to_string()));
                for (j, name) in names.iter().enumerate() {
                    out.sobol.push(SobolRow {
                        key: (*key).clone(),
                        factor: name.clone(),
                        s1: indices.map(|i| interval(&i.first[j])),
                        st: indices.map(|i| interval(&i.total[j])),
                    });
                }
                if second {
                    for (p, (i, j)) in pairs(names.len()).enumerate() {
                        out.pairs.push(PairRow {
                            key: (*key).clone(),
                            factor_i: names[i].clone(),
                            factor_j: names[j].clone(),
                            s2: indices.map(|x| interval(&x.second[p])),
                        });
                    }
                }
            }
        }
        Accumulated::Morris(a) => {
            let all = a
                .finish(CONFIDENCE_LEVEL, DEFAULT_RESAMPLES, seed)
                .map_err(sensitivity_error)?;
            for (key, result) in keys.iter().zip(&all) {
                let summary = result.as_ref().ok();
                out.problems
                    .push(result.as_ref().err().map(|p| p.to_string()));
                for (j, name) in names.iter().enumerate() {
                    out.morris.push(MorrisRow {
                        key: (*key).clone(),
                        factor: name.clone(),
                        stats: summary.map(|s| {
                            let f = &s.factors[j];
                            MorrisStats {
                                mu: f.mu,
                                mu_star: Interval {
                                    value: f.mu_star,
                                    lo: f.mu_star_lower,
                                    hi: f.mu_star_upper,
                                },
                                sigma: f.sigma,
                            }
                        }),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The manifest's factors: names and the parameters each moves.
fn manifest_factors(plan: &Plan) -> Vec<ManifestFactor> {
    let paths = plan.sampler.inputs();
    plan.factors()
        .iter()
        .map(|f| ManifestFactor {
            name: f.name.clone(),
            parameters: f
                .dimensions
                .iter()
                .filter_map(|&d| paths.get(d).cloned())
                .collect(),
        })
        .collect()
}

/// The manifest of an analysis (its shard section and merge count left
/// empty).
pub(super) fn manifest(
    scenario: &Scenario,
    settings: &AnalysisSettings,
    plan: &Plan,
    wall_time_seconds: f64,
) -> SensitivityManifest {
    let (replicates, second_order) = match &plan.design {
        Design::Sobol(d) => (d.replicates(), d.second_order()),
        Design::Morris(_) => (0, false),
    };
    SensitivityManifest {
        tool: TOOL.into(),
        tool_version: TOOL_VERSION.into(),
        kind: SensitivityManifest::KIND.into(),
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        model: scenario.model.kind().into(),
        inputs: ManifestInput::of_scenario(scenario),
        scenario_sha256: scenario.content_hash(),
        method: settings.method.name().into(),
        seed: settings.seed,
        samples: settings.samples,
        base_samples: plan.base_samples(),
        replicates,
        second_order,
        confidence_level: CONFIDENCE_LEVEL,
        evaluations: plan.evaluations(),
        factors: manifest_factors(plan),
        selected_outputs: plan.selection.names.clone(),
        threads: settings.threads,
        wall_time_seconds,
        command: settings.command.clone(),
        shard: None,
        merged_shards: None,
        outputs: scenario.model.catalogue(),
    }
}

/// The manifest of a shard: the analysis's, with its part.
pub(super) fn shard_manifest(
    scenario: &Scenario,
    settings: &AnalysisSettings,
    plan: &Plan,
    wall_time_seconds: f64,
    shard: SensitivityShardInfo,
) -> SensitivityManifest {
    let mut m = manifest(scenario, settings, plan, wall_time_seconds);
    m.shard = Some(shard);
    m
}

/// What readers see for each factor, by factor name: a parameter's label,
/// a correlated block's labels joined with " + ", a group's name, and
/// "Random shocks" for the shocks. Tables keep the names.
fn factor_labels(scenario: &Scenario, plan: &Plan) -> HashMap<String, String> {
    let by_path: HashMap<&str, &str> = scenario
        .parameters
        .uncertain()
        .map(|(_, p)| (p.path.as_str(), p.label()))
        .collect();
    manifest_factors(plan)
        .into_iter()
        .map(|f| {
            let is_group = scenario.sensitivity.groups.iter().any(|g| g.name == f.name);
            let label = if f.parameters.is_empty() && f.name == SHOCKS_FACTOR {
                "Random shocks".to_string()
            } else if is_group || f.parameters.is_empty() {
                f.name.clone()
            } else {
                f.parameters
                    .iter()
                    .map(|p| by_path.get(p.as_str()).copied().unwrap_or(p.as_str()))
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            (f.name, label)
        })
        .collect()
}

/// The label of factor `name` in `labels`, or the name.
fn label_of<'a>(labels: &'a HashMap<String, String>, name: &'a str) -> &'a str {
    labels.get(name).map_or(name, String::as_str)
}

/// The factors as the report lists them.
fn report_factors(
    scenario: &Scenario,
    plan: &Plan,
    labels: &HashMap<String, String>,
) -> Vec<ReportFactor> {
    manifest_factors(plan)
        .into_iter()
        .map(|f| {
            let group = scenario
                .sensitivity
                .groups
                .iter()
                .find(|g| g.name == f.name);
            let what = if f.parameters.is_empty() && f.name == SHOCKS_FACTOR {
                "the model's random shocks (all of them, as one factor)".to_string()
            } else if let Some(g) = group {
                format!("group ({})", g.patterns.join(", "))
            } else if f.parameters.len() > 1 {
                "correlated block".to_string()
            } else {
                "parameter".to_string()
            };
            let members = if f.parameters.len() > 1 {
                f.parameters
            } else {
                Vec::new()
            };
            ReportFactor {
                label: label_of(labels, &f.name).to_string(),
                name: f.name,
                what,
                members,
            }
        })
        .collect()
}

/// The settings list of the report.
fn report_settings(settings: &AnalysisSettings, plan: &Plan, merged: Option<u32>) -> Vec<String> {
    let k = plan.factors().len();
    let mut lines = Vec::new();
    match &plan.design {
        Design::Sobol(d) => {
            let asked = d.requested_samples();
            let base = d.base_samples();
            lines.push(format!(
                "Base sample: {} rows ({} replicates of {}){}",
                group(base),
                d.replicates(),
                group(d.samples_per_replicate()),
                if base == asked {
                    String::new()
                } else {
                    format!(
                        "; {} were asked for, rounded up to a power of two per replicate",
                        group(asked)
                    )
                }
            ));
            lines.push(format!(
                "Model evaluations: {} ({} factors: N(k + 2){})",
                group(d.evaluations()),
                k,
                if d.second_order() {
                    ", plus N k for second order"
                } else {
                    ""
                }
            ));
        }
        Design::Morris(d) => {
            lines.push(format!(
                "Trajectories: {}, 4 levels on the probability scale",
                group(d.trajectories())
            ));
            lines.push(format!(
                "Model evaluations: {} ({} factors: r(k + 1))",
                group(d.evaluations()),
                k
            ));
        }
    }
    lines.push(format!("Seed: {}", settings.seed));
    lines.push(format!("Intervals: {:.0}%", CONFIDENCE_LEVEL * 100.0));
    if let Some(n) = merged {
        lines.push(format!("Merged from {n} shards"));
    }
    if !plan.selection.without_total.is_empty() {
        lines.push(format!(
            "Left out (no total over zones): {}",
            plan.selection.without_total.join(", ")
        ));
    }
    lines
}

fn group(n: u64) -> String {
    crate::output::format::group_thousands(&n.to_string())
}

/// A chart file stem from an output name and a suffix.
fn stem(prefix: &str, output: &str) -> String {
    format!("{prefix}_{output}")
}

/// Sobol' rows of one output key, sorted by ST (descending), the
/// estimates present.
fn sorted_sobol<'a>(rows: &'a [SobolRow], key: &OutputKey) -> Vec<(&'a str, Interval, Interval)> {
    let mut v: Vec<(&str, Interval, Interval)> = rows
        .iter()
        .filter(|r| &r.key == key)
        .filter_map(|r| Some((r.factor.as_str(), r.s1?, r.st?)))
        .collect();
    v.sort_by(|a, b| b.2.value.total_cmp(&a.2.value));
    v
}

fn sorted_morris<'a>(rows: &'a [MorrisRow], key: &OutputKey) -> Vec<(&'a str, MorrisStats)> {
    let mut v: Vec<(&str, MorrisStats)> = rows
        .iter()
        .filter(|r| &r.key == key)
        .filter_map(|r| Some((r.factor.as_str(), r.stats?)))
        .collect();
    v.sort_by(|a, b| b.1.mu_star.value.total_cmp(&a.1.mu_star.value));
    v
}

/// The report's sections and the charts to draw, output by output: a
/// scalar's table and bar chart (Sobol') or scatter (Morris); a yearly
/// output's table in its last year with the stacked area of S1 over the
/// years (Sobol') or the scatter of its last year (Morris).
fn sections(
    scenario: &Scenario,
    plan: &Plan,
    results: &Results,
    labels: &HashMap<String, String>,
) -> (Vec<ReportSection>, Vec<SensitivityChart>) {
    let catalogue = scenario.model.catalogue();
    let mut sections = Vec::new();
    let mut figures = Vec::new();
    let keys: Vec<&OutputKey> = plan.selection.outputs.iter().map(|(k, _)| k).collect();
    let subtitle = |what: &str| format!("{} · {what}", scenario.title);
    let mut done: Vec<&str> = Vec::new();
    for (o, key) in keys.iter().enumerate() {
        let yearly = key.year.is_some();
        if yearly && done.contains(&key.output.as_str()) {
            continue;
        }
        done.push(&key.output);
        // A yearly output's table shows its last year.
        let (o, key) = if yearly {
            keys.iter()
                .enumerate()
                .rfind(|(_, k)| k.output == key.output)
                .map_or((o, *key), |(i, k)| (i, *k))
        } else {
            (o, *key)
        };
        let described = catalogue.describe(&key.output);
        let unit: Option<Unit> = described.map(|d| d.unit.clone());
        let label = key.label(&catalogue);
        let mut section = ReportSection {
            heading: label.clone(),
            unit: unit.clone(),
            rows: Vec::new(),
            more: 0,
            problem: results.problems[o].clone(),
            charts: Vec::new(),
        };
        if plan_is_sobol(plan) {
            let sorted = sorted_sobol(&results.sobol, key);
            section.more = sorted.len().saturating_sub(TOP_FACTORS);
            section.rows = sorted
                .iter()
                .take(TOP_FACTORS)
                .map(|&(f, s1, st)| ReportRow::Sobol {
                    factor: f.to_string(),
                    s1,
                    st,
                })
                .collect();
            if section.problem.is_none() {
                let bars_stem = if yearly {
                    stem(
                        "sobol",
                        &format!("{}_{}", key.output, key.year.unwrap_or(0)),
                    )
                } else {
                    stem("sobol", &key.output)
                };
                figures.push(SensitivityChart::Bars(chart::IndexBars {
                    stem: bars_stem.clone(),
                    title: format!("{label}: what drives its variance"),
                    subtitle: subtitle(&format!(
                        "Sobol' indices, top {} of {} factors by ST",
                        sorted.len().min(TOP_FACTORS),
                        sorted.len()
                    )),
                    factors: sorted
                        .iter()
                        .take(TOP_FACTORS)
                        .map(|&(f, s1, st)| chart::FactorBars {
                            name: label_of(labels, f).to_string(),
                            s1: [s1.value, s1.lo, s1.hi],
                            st: [st.value, st.lo, st.hi],
                        })
                        .collect(),
                }));
                section.charts.push(ReportChart {
                    stem: bars_stem,
                    alt: format!("S1 and ST of {label}"),
                    caption: "First-order (S1) and total (ST) indices with their 95% intervals, sorted by ST.".into(),
                });
                if yearly
                    && let Some(area) = year_shares(scenario, plan, results, key, &label, labels)
                {
                    section.charts.push(ReportChart {
                        stem: area.stem.clone(),
                        alt: format!("S1 of {} over the years", key.output),
                        caption: "Year by year, the share of the variance each factor explains on its own (S1); the top layer, interactions, is what no factor explains alone (1 - sum of S1).".into(),
                    });
                    figures.push(SensitivityChart::Years(area));
                }
            }
        } else {
            let sorted = sorted_morris(&results.morris, key);
            section.more = sorted.len().saturating_sub(TOP_FACTORS);
            section.rows = sorted
                .iter()
                .take(TOP_FACTORS)
                .map(|&(f, stats)| ReportRow::Morris {
                    factor: f.to_string(),
                    stats,
                })
                .collect();
            if section.problem.is_none() {
                let s = if yearly {
                    stem(
                        "morris",
                        &format!("{}_{}", key.output, key.year.unwrap_or(0)),
                    )
                } else {
                    stem("morris", &key.output)
                };
                figures.push(SensitivityChart::Morris(chart::MorrisPoints {
                    stem: s.clone(),
                    title: format!("{label}: elementary effects"),
                    subtitle: subtitle(&format!("Morris, {} trajectories", plan.base_samples())),
                    unit: unit.clone(),
                    factors: sorted
                        .iter()
                        .map(|&(f, st)| {
                            (label_of(labels, f).to_string(), st.mu_star.value, st.sigma)
                        })
                        .collect(),
                }));
                section.charts.push(ReportChart {
                    stem: s,
                    alt: format!("mu* against sigma for {label}"),
                    caption: "Each factor at its mean absolute effect (mu*, importance) and the standard deviation of its effects (sigma: interactions or non-linearity); the top factors are named.".into(),
                });
            }
        }
        sections.push(section);
    }
    (sections, figures)
}

fn plan_is_sobol(plan: &Plan) -> bool {
    matches!(plan.design, Design::Sobol(_))
}

/// The stacked area of first-order indices of a yearly output.
fn year_shares(
    scenario: &Scenario,
    plan: &Plan,
    results: &Results,
    last: &OutputKey,
    label: &str,
    labels: &HashMap<String, String>,
) -> Option<chart::YearShares> {
    let names = plan.factors().names();
    let years: Vec<i32> = plan
        .selection
        .outputs
        .iter()
        .filter(|(k, _)| k.output == last.output)
        .filter_map(|(k, _)| k.year)
        .collect();
    // s1[year][factor], NaN where a year has no indices.
    let s1: Vec<Vec<f64>> = years
        .iter()
        .map(|&y| {
            names
                .iter()
                .map(|n| {
                    results
                        .sobol
                        .iter()
                        .find(|r| {
                            r.key.output == last.output && r.key.year == Some(y) && &r.factor == n
                        })
                        .and_then(|r| r.s1)
                        .map_or(f64::NAN, |i| i.value)
                })
                .collect()
        })
        .collect();
    // Top factors by their largest S1 over the years.
    let mut order: Vec<usize> = (0..names.len()).collect();
    let peak = |j: usize| {
        s1.iter()
            .map(|row| row[j])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    };
    order.sort_by(|&a, &b| peak(b).total_cmp(&peak(a)));
    let top: Vec<usize> = order
        .into_iter()
        .take(TOP_LAYERS)
        .filter(|&j| peak(j) > 0.0)
        .collect();
    let mut layers: Vec<(String, Vec<f64>)> = top
        .iter()
        .map(|&j| {
            (
                label_of(labels, &names[j]).to_string(),
                s1.iter().map(|row| row[j].max(0.0)).collect(),
            )
        })
        .collect();
    // The small factors' estimates are summed as they are (their errors
    // cancel), not clamped one by one (which would add up their noise).
    let raw_sum = |row: &[f64], keep: &dyn Fn(usize) -> bool| -> f64 {
        row.iter()
            .enumerate()
            .filter(|&(j, v)| keep(j) && v.is_finite())
            .map(|(_, v)| v)
            .sum()
    };
    let others: Vec<f64> = s1
        .iter()
        .map(|row| raw_sum(row, &|j| !top.contains(&j)).max(0.0))
        .collect();
    if others.iter().any(|&v| v > 0.0) {
        layers.push(("other factors".into(), others));
    }
    let interactions: Vec<f64> = s1
        .iter()
        .map(|row| (1.0 - raw_sum(row, &|_| true)).max(0.0))
        .collect();
    if s1.iter().all(|row| row.iter().all(|v| v.is_nan())) {
        return None;
    }
    let base = label.rsplit_once(", ").map_or(label, |(l, _)| l);
    Some(chart::YearShares {
        stem: stem("sobol", &format!("{}_by_year", last.output)),
        title: format!(
            "{}: first-order indices over the years",
            base.trim_end_matches(&format!(", {}", last.zone))
        ),
        subtitle: format!(
            "{} · Sobol' S1 year by year, top {} factors",
            scenario.title,
            top.len()
        ),
        years,
        layers,
        interactions,
    })
}

/// Write the tables, charts, report and manifest of finished results into
/// `pending` and publish it. A merge gives its shard count and the command
/// that reproduces the whole analysis (the report shows it; the manifest
/// records `settings.command`, the merge's).
pub(super) fn publish(
    scenario: &Scenario,
    settings: &AnalysisSettings,
    plan: &Plan,
    acc: &Accumulated,
    pending: PendingDir,
    started: Instant,
    merged: Option<(u32, &str)>,
) -> Result<AnalysisOutcome, Error> {
    let (merged, reproduce) = match merged {
        Some((count, command)) => (Some(count), command),
        None => (None, settings.command.as_str()),
    };
    let results = results(plan, acc, settings.seed)?;
    let mut tables = Vec::new();
    match settings.method {
        Method::Sobol => {
            pending.write("sobol.csv", sobol_csv(&results.sobol).as_bytes())?;
            tables.push("sobol.csv".to_string());
            if matches!(&plan.design, Design::Sobol(d) if d.second_order()) {
                pending.write("sobol_s2.csv", sobol_s2_csv(&results.pairs).as_bytes())?;
                tables.push("sobol_s2.csv".to_string());
            }
        }
        Method::Morris => {
            pending.write("morris.csv", morris_csv(&results.morris).as_bytes())?;
            tables.push("morris.csv".to_string());
        }
    }
    let labels = factor_labels(scenario, plan);
    let (sections, figures) = sections(scenario, plan, &results, &labels);
    let pictures = chart::render_all(&figures, scenario.outputs.chart_size, settings.threads)?;
    charts::write_pictures(&pending, &format!("{CHARTS_DIR}/"), &pictures)?;
    let leading = sections.first().and_then(|s| {
        s.rows.first().map(|r| match r {
            ReportRow::Sobol { factor, st, .. } => (s.heading.clone(), factor.clone(), st.value),
            ReportRow::Morris { factor, stats } => {
                (s.heading.clone(), factor.clone(), stats.mu_star.value)
            }
        })
    });
    let report = SensitivityReport {
        title: scenario.title.clone(),
        description: scenario.description.clone(),
        scenario: scenario.name.clone(),
        method: settings.method.name().into(),
        settings: report_settings(settings, plan, merged),
        factors: report_factors(scenario, plan, &labels),
        sections,
        reproduce: reproduce.to_string(),
    };
    pending.write("report.md", render_report(&report).as_bytes())?;
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let mut m = manifest(scenario, settings, plan, wall_time_seconds);
    m.merged_shards = merged;
    pending.write("manifest.json", m.to_json().as_bytes())?;
    let dir = pending.publish()?;
    Ok(AnalysisOutcome {
        dir,
        evaluations: plan.evaluations(),
        base_samples: plan.base_samples(),
        factors: plan.factors().len(),
        wall_time_seconds,
        files: AnalysisFiles {
            tables,
            charts: pictures.len(),
            leading,
        },
    })
}

//! Policy comparison: a base scenario and its variants run with the same
//! seed and replications, their scalar outcomes compared replication by
//! replication.
//!
//! Every random number is keyed by (seed, replication, purpose) (see
//! [`StreamKey`](crate::uncertainty::StreamKey)), so replication r of each scenario sees
//! the same grid, demand and policy shocks and the same draws of every
//! parameter the scenarios share: common random numbers. The difference
//! `variant_r - base_r` then carries the policy's effect without most of the
//! noise the two runs share, and its mean is estimated far more precisely
//! than by comparing two independent runs. This module keeps the base's
//! scalars in memory (replications x scalars values), runs each variant with
//! the engine's ordered per-replication hook and accumulates the paired
//! differences on the fly ([`PairedAccumulator`]).
//!
//! The results ([`Comparison`]) become `compare.csv` and `compare.md`
//! through pure functions ([`compare_csv`], [`compare_md`]); [`compare`]
//! also writes each scenario's own run folder beside them.
//!
//! The files: this one runs a comparison and writes its folder; `load`
//! reads and checks the scenarios, `paired` accumulates the paired
//! differences, `tables` writes the results as text.

mod cost;
mod load;
mod paired;
mod precision;
mod tables;

use std::path::PathBuf;
use std::time::Instant;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::engine::{ReplicationValues, RunSummary};
use crate::error::Error;
use crate::output::charts::overlay::{OverlayData, OverlayScenario};
use crate::output::charts::{self, FanData};
use crate::output::manifest::{self, CompareManifest, ManifestScenario};
use crate::output::reservoir::Reservoir;
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::output::xlsx;
use crate::run::{self, RunSettings};
use crate::scenario::Scenario;

pub use super::paths::default_compare_dir;
pub use cost::{
    COST, CostEffect, CostEffectiveness, CrossMoments, NoInterval, OUTCOMES, PairedMoments,
};
use load::check_scenarios;
pub use load::load_scenarios;
pub use paired::{PairedAccumulator, PairedDifference};
pub use precision::compare_to_precision;
pub use tables::{compare_csv, compare_md, cost_effectiveness_csv, terminal_summary};

/// The file of each variant's gains per USD million of public cost.
pub const COST_EFFECTIVENESS_CSV: &str = "cost_effectiveness.csv";

/// The quantile levels every comparison reports (P5, P50, P95), computed in
/// addition to each scenario's own levels.
pub const COMPARE_LEVELS: [f64; 3] = [0.05, 0.5, 0.95];

/// The normal quantile of a two-sided 95% interval, as economists quote it.
pub const Z95: f64 = 1.96;

/// How to run a comparison.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// Replications of every scenario.
    pub replications: u64,
    /// The seed of every scenario.
    pub seed: u64,
    /// Worker threads; results never depend on it.
    pub threads: usize,
    /// The comparison folder to create or replace.
    pub out_dir: PathBuf,
    /// The command line, for the manifest.
    pub command: String,
}

/// One scenario of a comparison.
#[derive(Debug, Clone)]
pub struct ComparedScenario {
    /// `[scenario].name`.
    pub name: String,
    /// `[scenario].title`.
    pub title: String,
    /// Its run, with quantiles at its own levels and [`COMPARE_LEVELS`].
    pub summary: RunSummary,
    /// Its `[outputs].targets`.
    pub targets: Vec<(String, f64)>,
}

impl ComparedScenario {
    /// The quantile of scalar `s` at `level` (one of [`COMPARE_LEVELS`]).
    fn quantile(&self, s: usize, level: f64) -> f64 {
        self.summary
            .level_index(level)
            .map_or(f64::NAN, |i| self.summary.scalars[s].quantiles[i])
    }

    fn target(&self, scalar: &str) -> Option<f64> {
        self.targets
            .iter()
            .find(|(n, _)| n == scalar)
            .map(|&(_, t)| t)
    }
}

/// The results of a comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The seed every scenario ran with.
    pub seed: u64,
    /// Replications of every scenario.
    pub replications: u64,
    /// Scalar outcome names, shared by every scenario.
    pub scalars: Vec<String>,
    /// The base (first) and the variants, in the order given.
    pub scenarios: Vec<ComparedScenario>,
    /// `paired[v][s]`: variant `v + 1` against the base, scalar `s`.
    pub paired: Vec<Vec<PairedDifference>>,
    /// Each variant's gains per USD million of public cost, if the model
    /// records a public cost (`cost_effectiveness.csv`).
    pub cost: Option<CostEffectiveness>,
}

/// A finished comparison.
#[derive(Debug)]
pub struct CompareOutcome {
    /// The published comparison folder.
    pub dir: PathBuf,
    /// Every scenario's results and the paired differences.
    pub comparison: Comparison,
    /// Seconds the comparison took.
    pub wall_time_seconds: f64,
}

/// The overlay chart data of a comparison: each scenario's `fan.csv` as
/// saved in its run folder inside `pending`.
fn overlay_data(
    pending: &PendingDir,
    scenarios: &[Scenario],
    replications: u64,
) -> Result<OverlayData, Error> {
    let base_catalogue = scenarios[0].model.catalogue();
    let base_size = scenarios[0].outputs.chart_size;
    let scenarios = scenarios
        .iter()
        .map(|s| {
            let path = pending.path(&s.name).join(charts::FAN_CSV);
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            Ok(OverlayScenario {
                title: s.title.clone(),
                fan: FanData::parse(&text, &path)?,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(OverlayData {
        replications,
        scenarios,
        catalogue: base_catalogue,
        chart_size: base_size,
    })
}

/// Run `scenarios` (the base first, then the variants) with the same seed
/// and replications, and write the comparison folder: `compare.csv`,
/// `compare.md`, `manifest.json`, overlay fan charts of the base's
/// `[outputs].charts` in `charts/compare_<output>.png` and `.svg` (see
/// [`charts::overlay`]) and one run folder per scenario, named after it. `progress` receives (scenario index, replications done).
pub fn compare(
    scenarios: &[Scenario],
    settings: &CompareSettings,
    progress: Option<&mut dyn FnMut(usize, u64)>,
) -> Result<CompareOutcome, Error> {
    compare_recording(scenarios, settings, progress, None)
}

/// [`compare`], recording `precision` in the manifest.
fn compare_recording(
    scenarios: &[Scenario],
    settings: &CompareSettings,
    mut progress: Option<&mut dyn FnMut(usize, u64)>,
    precision: Option<crate::output::manifest::PrecisionRecord>,
) -> Result<CompareOutcome, Error> {
    check_scenarios(scenarios)?;
    let started = Instant::now();
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let run_settings = |s: &Scenario| {
        RunSettings::new(s, pending.path(&s.name))
            .with_replications(settings.replications)
            .with_seed(settings.seed)
            .with_threads(settings.threads)
            .with_command(&settings.command)
    };

    let mut compared: Vec<ComparedScenario> = Vec::new();
    let mut paired = Vec::new();
    let mut cost_effects = Vec::new();
    // The outcome and cost scalars, once the base's layout is known.
    let mut cost_scalars: Option<(Vec<String>, Vec<usize>, usize)> = None;
    let mut base_values: Vec<f64> = Vec::new();
    for (i, scenario) in scenarios.iter().enumerate() {
        let one_started = Instant::now();
        let rs = run_settings(scenario);
        let mut tick = |done: u64| {
            if let Some(p) = progress.as_mut() {
                p(i, done);
            }
        };
        // Each scenario's run folder has its charts, drawn from a reservoir
        // filled here as `run` fills it.
        let mut sample = Reservoir::new(rs.reservoir, rs.seed);
        let summary = if i == 0 {
            let mut keep = |v: ReplicationValues<'_>| {
                sample.offer(v.replication, v.inputs, v.scalars);
                base_values.extend_from_slice(v.scalars)
            };
            let summary = run::summarize(
                scenario,
                &rs,
                &COMPARE_LEVELS,
                Some(&mut keep),
                Some(&mut tick),
            )?;
            cost_scalars = CostEffectiveness::scalars(&summary.layout.scalars);
            summary
        } else {
            let base = &compared[0].summary;
            let scalars = base.layout.scalars.len();
            let mut acc = PairedAccumulator::new(&base_values, scalars);
            let mut cross = cost_scalars
                .as_ref()
                .map(|(_, indices, cost)| CrossMoments::new(indices.clone(), *cost));
            let mut pair = |v: ReplicationValues<'_>| {
                sample.offer(v.replication, v.inputs, v.scalars);
                // Layouts are checked below; a variant with other scalars
                // is refused before its differences are used.
                if v.scalars.len() == scalars {
                    acc.add(v.replication, v.scalars);
                    if let Some(cross) = cross.as_mut() {
                        let r = v.replication as usize;
                        cross.add(&base_values[r * scalars..(r + 1) * scalars], v.scalars);
                    }
                }
            };
            let summary = run::summarize(
                scenario,
                &rs,
                &COMPARE_LEVELS,
                Some(&mut pair),
                Some(&mut tick),
            )?;
            if summary.layout.scalars != base.layout.scalars {
                return Err(Error::Input(Diagnostics::from(
                    Diagnostic::new(format!(
                        "`{}` records the scalar outcomes {} but `{}` records {}: only scenarios of the same model can be compared",
                        scenario.name,
                        summary.layout.scalars.join(", "),
                        compared[0].name,
                        base.layout.scalars.join(", ")
                    ))
                    .key("model.kind"),
                )));
            }
            paired.push(acc.finish(base, &summary));
            if let Some(cross) = cross {
                cost_effects.push(cross.finish());
            }
            summary
        };
        run::write_run_folder(
            scenario,
            &rs,
            &summary,
            &sample,
            one_started.elapsed().as_secs_f64(),
        )?;
        compared.push(ComparedScenario {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            summary,
            targets: scenario.outputs.targets.clone(),
        });
    }
    let comparison = Comparison {
        seed: settings.seed,
        replications: settings.replications,
        scalars: compared[0].summary.layout.scalars.clone(),
        scenarios: compared,
        paired,
        cost: cost_scalars.map(|(outcomes, _, _)| CostEffectiveness {
            outcomes,
            effects: cost_effects,
        }),
    };
    // The overlay charts are drawn from the fan.csv each run folder just
    // saved, like every chart, so their bytes follow from saved data.
    // Only outputs every scenario keeps tables of (`[outputs] tables`):
    // an overlay missing a scenario would read as one that agrees.
    let overlaid: Vec<String> = scenarios[0]
        .outputs
        .charts
        .iter()
        .filter(|o| {
            scenarios
                .iter()
                .all(|s| s.outputs.tables.keeps(o, &s.outputs.charts))
        })
        .cloned()
        .collect();
    let overlays = overlay_data(&pending, scenarios, settings.replications)?;
    let pictures = charts::overlay::render_overlays(&overlays, &overlaid)?;
    charts::write_pictures(&pending, &format!("{}/", charts::CHARTS_DIR), &pictures)?;
    let compare_table = compare_csv(&comparison);
    pending.write("compare.csv", compare_table.as_bytes())?;
    pending.write("compare.md", compare_md(&comparison).as_bytes())?;
    let cost_table = cost_effectiveness_csv(&comparison);
    if let Some(csv) = &cost_table {
        pending.write(COST_EFFECTIVENESS_CSV, csv.as_bytes())?;
    }
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let manifest = CompareManifest {
        tool: manifest::TOOL.into(),
        tool_version: manifest::TOOL_VERSION.into(),
        kind: CompareManifest::KIND.into(),
        seed: settings.seed,
        replications: settings.replications,
        threads: settings.threads,
        interval: format!("95%: mean paired difference +- {Z95} x sd(differences) / sqrt(n)"),
        scenarios: scenarios
            .iter()
            .map(|s| ManifestScenario {
                name: s.name.clone(),
                title: s.title.clone(),
                scenario_sha256: s.content_hash(),
                folder: s.name.clone(),
            })
            .collect(),
        wall_time_seconds,
        command: settings.command.clone(),
        precision,
    };
    let manifest_json = manifest.to_json();
    let book = xlsx::workbook(&xlsx::FolderTables {
        manifest: &manifest_json,
        compare: Some(&compare_table),
        cost_effectiveness: cost_table.as_deref(),
        ..Default::default()
    })?;
    pending.write(xlsx::RESULTS_XLSX, &book)?;
    pending.write("manifest.json", manifest_json.as_bytes())?;
    let dir = pending.publish()?;
    Ok(CompareOutcome {
        dir,
        comparison,
        wall_time_seconds,
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::stats::Summary;
    use crate::engine::{OutputLayout, RunSummary};

    use super::COMPARE_LEVELS;

    /// A run of 4 replications whose scalar `s<i>` has mean and sd
    /// `scalars[i]`, quantiles at [`COMPARE_LEVELS`].
    pub(super) fn summary(scalars: &[(f64, f64)]) -> RunSummary {
        RunSummary {
            layout: OutputLayout {
                scalars: (0..scalars.len()).map(|i| format!("s{i}")).collect(),
                ..OutputLayout::default()
            },
            replications: 4,
            quantile_levels: COMPARE_LEVELS.to_vec(),
            series: Vec::new(),
            scalars: scalars
                .iter()
                .map(|&(mean, sd)| Summary {
                    n: 4,
                    mean,
                    sd,
                    mcse: sd / 2.0,
                    min: mean - sd,
                    max: mean + sd,
                    quantiles: vec![mean - sd, mean, mean + sd],
                    quantile_intervals: vec![(mean - sd, mean + sd); 3],
                    p_target: None,
                })
                .collect(),
        }
    }
}

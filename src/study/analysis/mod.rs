//! `sezsim sensitivity`: a global sensitivity analysis of a scenario,
//! Sobol' indices or Morris elementary effects (docs/sensitivity.md), into
//! a folder published atomically: `sobol.csv` (and `sobol_s2.csv`) or
//! `morris.csv`, `report.md`, `charts/` and `manifest.json`
//! (docs/outputs.md).
//!
//! The mathematics is [`crate::sensitivity`]'s; this module builds the
//! factors from the scenario (parameters, correlated blocks, `[sensitivity]`
//! groups, and the model's random shocks as one more factor), runs the
//! design's rows through the engine (any thread count, the same bits: the
//! engine hands the rows to one accumulator in order, and its sums are
//! exact), and writes the results. Memory does not grow with the sample:
//! each block of rows is folded into the sums as soon as it is complete.
//!
//! The files: `source` turns design rows into parameter values and shock
//! streams; `outputs` picks the outputs analysed; `write` writes the
//! folder; `shards` runs a part of the design (`--shard I/N`) and merges
//! the parts.

mod outputs;
mod shards;
mod source;
mod write;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use crate::engine::{self, Hooks, ParameterSource, ReplicationValues, RunOptions, RunnableModel};
use crate::error::Error;
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::scenario::{ModelOptions, SHOCKS_FACTOR, Scenario};
use crate::sensitivity::{
    DEFAULT_REPLICATES, DeclaredGroup, Factors, MorrisAccumulator, MorrisDesign, MorrisOptions,
    SensitivityError, SobolAccumulator, SobolDesign, SobolOptions,
};
use crate::uncertainty::ParameterSampler;

pub use super::paths::{default_analysis_dir, default_slurm_script};
pub use super::slurm::{SlurmPlan, write_script};
pub use shards::{AnalysisShardOutcome, run_analysis_shard};
pub(crate) use shards::{is_analysis_shard, merge_analysis};
pub use write::AnalysisFiles;

use super::paths::shards_dir;
use super::shard_id::Shard;
use super::slurm::absolute;
use outputs::Selection;
use source::{DesignRef, DesignSource};

/// Base rows of a Sobol' analysis unless `--samples` says otherwise.
pub const DEFAULT_SOBOL_SAMPLES: u64 = 1024;

/// Trajectories of a Morris analysis unless `--samples` says otherwise.
pub const DEFAULT_TRAJECTORIES: u64 = 20;

/// Confidence level of every interval.
pub const CONFIDENCE_LEVEL: f64 = 0.95;

/// The method of an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Sobol' variance-based indices.
    Sobol,
    /// Morris elementary effects (screening).
    Morris,
}

impl Method {
    /// `sobol` or `morris`, as the command line and the manifest name it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sobol" => Ok(Method::Sobol),
            "morris" => Ok(Method::Morris),
            other => Err(format!("unknown method `{other}`: use sobol or morris")),
        }
    }
}

/// What to analyse, and where to write it. Made by [`AnalysisSettings::new`]
/// with the defaults, then changed field by field.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AnalysisSettings {
    /// Sobol' or Morris.
    pub method: Method,
    /// Base rows over all replicates (Sobol', rounded up: see
    /// [`SobolDesign`]), or trajectories (Morris).
    pub samples: u64,
    /// Independent scramblings of the Sobol' design, at least 2.
    pub replicates: u32,
    /// Also second-order indices (Sobol').
    pub second_order: bool,
    /// Outputs to analyse, by name (scalars, yearly outputs); empty: every
    /// scalar and every charted output.
    pub outputs: Vec<String>,
    /// The seed of the design's scramblings and the model's shocks.
    pub seed: u64,
    /// Worker threads; results never depend on it.
    pub threads: usize,
    /// The folder to create or replace.
    pub out_dir: PathBuf,
    /// The command that reproduces the analysis (manifest, report).
    pub command: String,
}

impl AnalysisSettings {
    /// An analysis of `scenario` by `method` into `out_dir`: the default
    /// sample ([`DEFAULT_SOBOL_SAMPLES`] or [`DEFAULT_TRAJECTORIES`]), 8
    /// replicates, first and total indices only, every scalar and charted
    /// output, the scenario's seed, every core.
    pub fn new(scenario: &Scenario, method: Method, out_dir: impl Into<PathBuf>) -> Self {
        AnalysisSettings {
            method,
            samples: match method {
                Method::Sobol => DEFAULT_SOBOL_SAMPLES,
                Method::Morris => DEFAULT_TRAJECTORIES,
            },
            replicates: DEFAULT_REPLICATES,
            second_order: false,
            outputs: Vec::new(),
            seed: scenario.seed,
            threads: super::run::available_threads(),
            out_dir: out_dir.into(),
            command: String::new(),
        }
    }
}

/// A finished analysis.
#[derive(Debug)]
pub struct AnalysisOutcome {
    /// The published folder.
    pub dir: PathBuf,
    /// Model evaluations run.
    pub evaluations: u64,
    /// Base rows (Sobol', over all replicates) or trajectories (Morris).
    pub base_samples: u64,
    /// Number of factors.
    pub factors: usize,
    /// Seconds taken, writing included.
    pub wall_time_seconds: f64,
    /// What was written, for the terminal.
    pub files: AnalysisFiles,
}

/// The design of an analysis.
enum Design {
    Sobol(Box<SobolDesign>),
    Morris(Box<MorrisDesign>),
}

/// Partial results: sums (Sobol') or effects (Morris) of some blocks or
/// trajectories.
enum Accumulated {
    Sobol(SobolAccumulator),
    Morris(MorrisAccumulator),
}

/// Everything an analysis of a scenario needs before it runs.
struct Plan {
    model: Box<dyn RunnableModel>,
    sampler: ParameterSampler,
    design: Design,
    /// The shocks factor, when the model draws shocks.
    shocks: Option<usize>,
    selection: Selection,
}

fn sensitivity_error(e: SensitivityError) -> Error {
    Error::usage(e.to_string())
}

impl Plan {
    fn new(scenario: &Scenario, settings: &AnalysisSettings) -> Result<Plan, Error> {
        if settings.samples == 0 {
            return Err(Error::usage("--samples must be at least 1"));
        }
        let model = scenario.model.build(
            scenario,
            ModelOptions {
                replications: 1,
                seed: settings.seed,
                deterministic: false,
            },
        )?;
        let sampler = scenario.parameter_sampler(1, settings.seed)?;
        let mut paths: Vec<String> = sampler.inputs().to_vec();
        let shocks_dimension = model.draws_shocks().then_some(paths.len());
        if shocks_dimension.is_some() {
            paths.push(SHOCKS_FACTOR.to_string());
        }
        let position = |id| sampler.uncertain_ids().iter().position(|&u| u == id);
        let groups: Vec<DeclaredGroup> = scenario
            .sensitivity
            .groups
            .iter()
            .map(|g| DeclaredGroup {
                name: g.name.clone(),
                members: g.members.iter().filter_map(|&id| position(id)).collect(),
            })
            .collect();
        let factors =
            Factors::new(&paths, sampler.correlated_pairs(), &groups).map_err(sensitivity_error)?;
        let shocks =
            shocks_dimension.and_then(|d| factors.iter().position(|f| f.dimensions.contains(&d)));
        let design = match settings.method {
            Method::Sobol => Design::Sobol(Box::new(
                SobolDesign::new(
                    factors,
                    SobolOptions {
                        samples: settings.samples,
                        replicates: settings.replicates,
                        second_order: settings.second_order,
                        seed: settings.seed,
                    },
                )
                .map_err(sensitivity_error)?,
            )),
            Method::Morris => {
                if settings.second_order {
                    return Err(Error::usage(
                        "--second-order is for Sobol' indices: drop it, or use --method sobol",
                    ));
                }
                Design::Morris(Box::new(
                    MorrisDesign::new(
                        factors,
                        MorrisOptions {
                            trajectories: settings.samples,
                            seed: settings.seed,
                        },
                    )
                    .map_err(sensitivity_error)?,
                ))
            }
        };
        let selection =
            Selection::new(model.layout(), &settings.outputs, &scenario.outputs.charts)?;
        Ok(Plan {
            model,
            sampler,
            design,
            shocks,
            selection,
        })
    }

    fn design_ref(&self) -> DesignRef<'_> {
        match &self.design {
            Design::Sobol(d) => DesignRef::Sobol(d),
            Design::Morris(d) => DesignRef::Morris(d),
        }
    }

    fn factors(&self) -> &Factors {
        match &self.design {
            Design::Sobol(d) => d.factors(),
            Design::Morris(d) => d.factors(),
        }
    }

    /// Blocks (Sobol') or trajectories (Morris): the units shards split.
    fn units(&self) -> u64 {
        match &self.design {
            Design::Sobol(d) => d.blocks(),
            Design::Morris(d) => d.trajectories(),
        }
    }

    fn evaluations(&self) -> u64 {
        match &self.design {
            Design::Sobol(d) => d.evaluations(),
            Design::Morris(d) => d.evaluations(),
        }
    }

    fn base_samples(&self) -> u64 {
        match &self.design {
            Design::Sobol(d) => d.base_samples(),
            Design::Morris(d) => d.trajectories(),
        }
    }

    /// The selected outputs of design evaluation `evaluation`, run alone.
    fn outputs_of(&self, evaluation: u64) -> Vec<f64> {
        let source = DesignSource::new(&self.sampler, self.design_ref(), evaluation, self.shocks);
        let record = self.model.run_one(&source, 0);
        let cells: Vec<f64> = self
            .selection
            .cells
            .iter()
            .map(|&c| record.series[c])
            .collect();
        let mut out = vec![0.0; self.selection.len()];
        self.selection.values(&record.scalars, &cells, &mut out);
        out
    }

    /// Empty accumulators of this analysis.
    fn empty(&self) -> Accumulated {
        match &self.design {
            // Every shard takes its shifts from the design's first row, so
            // that their sums merge.
            Design::Sobol(d) => Accumulated::Sobol(SobolAccumulator::new(d, self.outputs_of(0))),
            Design::Morris(d) => {
                Accumulated::Morris(MorrisAccumulator::new(d, self.selection.len()))
            }
        }
    }

    /// Run the blocks or trajectories `units` on `threads` threads.
    /// `progress` gets the evaluations done so far and their total.
    fn evaluate(
        &self,
        units: Range<u64>,
        threads: usize,
        mut progress: Option<&mut dyn FnMut(u64, u64)>,
    ) -> Result<Accumulated, Error> {
        let mut acc = self.empty();
        if units.is_empty() {
            return Ok(acc);
        }
        let rows = self.design_ref().rows_per_unit() as u64;
        let source = DesignSource::new(
            &self.sampler,
            self.design_ref(),
            units.start * rows,
            self.shocks,
        );
        let replications = (units.end - units.start) * rows;
        let mut options = RunOptions::new(replications, threads);
        options.quantiles.clear();
        // The analysis reads values through the hooks, not the summary:
        // only the series it follows are summarised, which keeps the
        // engine's check that none of them is NaN or infinite.
        let years = self.model.layout().years.len().max(1);
        let mut followed: Vec<usize> = self.selection.cells.iter().map(|c| c / years).collect();
        followed.sort_unstable();
        followed.dedup();
        options.keep_series = Some(followed);
        let width = self.selection.len();
        let mut block = vec![0.0; rows as usize * width];
        let mut failed: Option<SensitivityError> = None;
        {
            let mut sink = |v: ReplicationValues<'_>| {
                let position = (v.replication % rows) as usize;
                self.selection.values(
                    v.scalars,
                    v.series,
                    &mut block[position * width..(position + 1) * width],
                );
                if position + 1 < rows as usize || failed.is_some() {
                    return;
                }
                let unit = units.start + v.replication / rows;
                let added = match (&mut acc, &self.design) {
                    (Accumulated::Sobol(a), _) => a.add_block(unit, &block),
                    (Accumulated::Morris(a), Design::Morris(d)) => {
                        a.add_trajectory(unit, &d.trajectory(unit), &block)
                    }
                    (Accumulated::Morris(_), Design::Sobol(_)) => Ok(()),
                };
                if let Err(e) = added {
                    failed = Some(e);
                }
            };
            let mut report = |done: u64| {
                if let Some(p) = progress.as_mut() {
                    p(done, replications);
                }
            };
            self.model
                .run_partial(
                    &source,
                    &options,
                    0..engine::chunk_count(replications),
                    Hooks {
                        on_replication: Some(&mut sink),
                        on_progress: Some(&mut report),
                        series_cells: &self.selection.cells,
                    },
                )
                .map_err(Error::Engine)?;
        }
        match failed {
            Some(e) => Err(Error::Runtime(e.to_string())),
            None => Ok(acc),
        }
    }
}

/// The command that reproduces an analysis of the scenario file
/// `scenario` (as the user gave it) with `settings`: every setting that
/// changes results spelled out; `--out` only when not the default folder.
pub fn reproduce_command(
    scenario: &Path,
    scenario_name: &str,
    settings: &AnalysisSettings,
) -> String {
    let word = super::run::shell_word;
    let mut words = vec![
        "sezsim".to_string(),
        "sensitivity".into(),
        word(&scenario.display().to_string()),
        "--method".into(),
        settings.method.name().into(),
        "--samples".into(),
        settings.samples.to_string(),
    ];
    if settings.method == Method::Sobol {
        words.push("--replicates".into());
        words.push(settings.replicates.to_string());
        if settings.second_order {
            words.push("--second-order".into());
        }
    }
    if !settings.outputs.is_empty() {
        words.push("--outputs".into());
        words.push(word(&settings.outputs.join(",")));
    }
    words.push("--seed".into());
    words.push(settings.seed.to_string());
    if settings.out_dir != default_analysis_dir(scenario_name, settings.method.name()) {
        words.push("--out".into());
        words.push(word(&settings.out_dir.display().to_string()));
    }
    words.join(" ")
}

/// Array tasks of an analysis's Slurm script unless `--shards` says.
pub const DEFAULT_SLURM_SHARDS: u32 = 16;

/// The Slurm plan of the analysis `settings` describe, of the scenario
/// file `scenario_path`: `shards` array tasks (default
/// [`DEFAULT_SLURM_SHARDS`]) writing beside `out` (default
/// `output/<scenario>_<method>`), each with `threads` CPUs (default 1).
pub fn slurm_plan(
    scenario: &Scenario,
    scenario_path: &Path,
    settings: &AnalysisSettings,
    out: Option<&Path>,
    shards: Option<u32>,
    threads: Option<usize>,
    sezsim: &Path,
) -> Result<SlurmPlan, Error> {
    // Checked now, not on the cluster.
    let plan = Plan::new(scenario, settings)?;
    let n = shards.unwrap_or(DEFAULT_SLURM_SHARDS);
    Shard::new(1, n).map_err(|e| Error::usage(format!("--shards: {e}")))?;
    let name = format!("{}_{}", scenario.name, settings.method.name());
    let out_dir = absolute(out.map_or_else(
        || default_analysis_dir(&scenario.name, settings.method.name()),
        Path::to_path_buf,
    ))?;
    let mut options = vec![
        "--method".to_string(),
        settings.method.name().into(),
        "--samples".into(),
        settings.samples.to_string(),
        "--seed".into(),
        settings.seed.to_string(),
    ];
    if settings.method == Method::Sobol {
        options.extend(["--replicates".into(), settings.replicates.to_string()]);
        if settings.second_order {
            options.push("--second-order".into());
        }
    }
    if !plan.selection.names.is_empty() && !settings.outputs.is_empty() {
        options.extend(["--outputs".into(), plan.selection.names.join(",")]);
    }
    Ok(SlurmPlan {
        name,
        subcommand: "sensitivity".into(),
        options,
        sezsim: absolute(sezsim.to_path_buf())?,
        sweep_file: std::fs::canonicalize(scenario_path)
            .map_err(|e| Error::io(scenario_path, e))?,
        shards_dir: shards_dir(&out_dir),
        out_dir,
        shards: n,
        cpus_per_task: threads.unwrap_or(1).max(1),
    })
}

/// Run the analysis `settings` describe on `scenario` and write its folder
/// (atomically). `progress` receives the model evaluations done so far
/// and their total.
pub fn analyse(
    scenario: &Scenario,
    settings: &AnalysisSettings,
    progress: Option<&mut dyn FnMut(u64, u64)>,
) -> Result<AnalysisOutcome, Error> {
    let started = Instant::now();
    let plan = Plan::new(scenario, settings)?;
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let acc = plan.evaluate(0..plan.units(), settings.threads, progress)?;
    write::publish(scenario, settings, &plan, &acc, pending, started, None)
}

/// What `sezsim sensitivity` prints when it is done.
pub fn terminal_summary(
    scenario: &Scenario,
    settings: &AnalysisSettings,
    outcome: &AnalysisOutcome,
) -> String {
    let mut s = format!(
        "{} ({}): {} factors, {} model runs in {:.1} s -> {}\n",
        scenario.name,
        match settings.method {
            Method::Sobol => "Sobol' indices",
            Method::Morris => "Morris elementary effects",
        },
        outcome.factors,
        crate::output::format::group_thousands(&outcome.evaluations.to_string()),
        outcome.wall_time_seconds,
        outcome.dir.display()
    );
    if let Some((output, factor, value)) = &outcome.files.leading {
        let what = match settings.method {
            Method::Sobol => format!("ST = {value:.3}"),
            Method::Morris => format!("mu* = {}", crate::output::format::significant(*value, 3)),
        };
        s.push_str(&format!("  {output}: led by {factor} ({what})\n"));
    }
    s.push_str(&format!(
        "  {}, report.md, {} charts\n",
        outcome.files.tables.join(", "),
        outcome.files.charts
    ));
    s
}

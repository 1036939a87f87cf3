//! Policy comparison: a base scenario and its variants run with the same
//! seed and replications, their scalar outcomes compared replication by
//! replication.
//!
//! Every random number is keyed by (seed, replication, purpose) (see
//! [`crate::uncertainty::streams`]), so replication r of each scenario sees
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

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::engine::stats::{ChunkSums, Moments};
use crate::engine::{CHUNK_SIZE, ReplicationValues, RunSummary};
use crate::error::Error;
use crate::output::charts::overlay::{OverlayData, OverlayScenario};
use crate::output::charts::{self, FanData};
use crate::output::reservoir::{self, Reservoir};
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::run::{self, RunSettings};
use crate::scenario::{self, Registry, Scenario};

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

/// The paired difference of one scalar outcome: variant minus base,
/// replication by replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDifference {
    /// Replications (pairs).
    pub n: u64,
    /// Mean of the differences.
    pub mean: f64,
    /// Sample standard deviation of the differences (divisor n - 1).
    pub sd: f64,
    /// Lower end of the 95% interval: `mean - 1.96 sd / sqrt(n)`.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// Share of replications in which the variant's value is higher than
    /// the base's (ties count as not higher).
    pub p_higher: f64,
    /// Lower end of the 95% interval two independent runs would give:
    /// `(mean_variant - mean_base) - 1.96 sqrt(var_base / n + var_variant / n)`.
    pub unpaired_low: f64,
    /// Upper end of the unpaired interval.
    pub unpaired_high: f64,
}

impl PairedDifference {
    /// Width of the paired 95% interval.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Width of the unpaired 95% interval.
    pub fn unpaired_width(&self) -> f64 {
        self.unpaired_high - self.unpaired_low
    }
}

/// Accumulates paired differences against the base's per-replication
/// scalars, one replication at a time in replication order (the engine's
/// ordered hook). The moments are reduced per chunk of [`CHUNK_SIZE`]
/// replications and added into exact sums, as the engine does, so a
/// difference that is exactly 0 in every replication gives a mean and sd of
/// exactly 0.
#[derive(Debug)]
pub struct PairedAccumulator<'a> {
    /// The base's scalars, `base[r * scalars + s]`.
    base: &'a [f64],
    scalars: usize,
    moments: Vec<Moments>,
    chunk: Vec<ChunkSums>,
    in_chunk: usize,
    higher: Vec<u64>,
    next: u64,
}

impl<'a> PairedAccumulator<'a> {
    /// Differences against `base`, which holds `scalars` values per
    /// replication, replications in order.
    pub fn new(base: &'a [f64], scalars: usize) -> Self {
        PairedAccumulator {
            base,
            scalars,
            moments: Vec::new(),
            chunk: vec![ChunkSums::new(); scalars],
            in_chunk: 0,
            higher: vec![0; scalars],
            next: 0,
        }
    }

    /// Add the variant's scalars of the next replication.
    ///
    /// # Panics
    /// If replications do not come in order from 0 or outnumber the base's
    /// (a bug in the caller: the engine's hook guarantees the order).
    pub fn add(&mut self, replication: u64, values: &[f64]) {
        assert_eq!(replication, self.next, "replications must come in order");
        let r = replication as usize;
        let base = &self.base[r * self.scalars..(r + 1) * self.scalars];
        if self.moments.is_empty() {
            // The first difference as the shift keeps the sums of squares
            // free of cancellation (see engine::stats::Moments).
            self.moments = values
                .iter()
                .zip(base)
                .map(|(v, b)| Moments::new(v - b))
                .collect();
        }
        for s in 0..self.scalars {
            let d = values[s] - base[s];
            self.chunk[s].add(d, self.moments[s].shift());
            self.higher[s] += u64::from(d > 0.0);
        }
        self.in_chunk += 1;
        self.next += 1;
        if self.in_chunk == CHUNK_SIZE {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (m, c) in self.moments.iter_mut().zip(&mut self.chunk) {
            m.absorb(c);
            *c = ChunkSums::new();
        }
        self.in_chunk = 0;
    }

    /// The paired differences, with the unpaired intervals from the two
    /// runs' summaries.
    pub fn finish(mut self, base: &RunSummary, variant: &RunSummary) -> Vec<PairedDifference> {
        self.flush();
        let n = self.next;
        let root_n = (n as f64).sqrt();
        (0..self.scalars)
            .map(|s| {
                let m = &self.moments[s];
                let (mean, sd) = (m.mean(), m.sd());
                let half = Z95 * sd / root_n;
                let (a, b) = (&base.scalars[s], &variant.scalars[s]);
                let centre = b.mean - a.mean;
                let unpaired_half = Z95 * (a.sd * a.sd / n as f64 + b.sd * b.sd / n as f64).sqrt();
                PairedDifference {
                    n,
                    mean,
                    sd,
                    low: mean - half,
                    high: mean + half,
                    p_higher: self.higher[s] as f64 / n as f64,
                    unpaired_low: centre - unpaired_half,
                    unpaired_high: centre + unpaired_half,
                }
            })
            .collect()
    }
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
}

/// A finished comparison.
#[derive(Debug)]
pub struct CompareOutcome {
    /// The published comparison folder.
    pub dir: PathBuf,
    pub comparison: Comparison,
    pub wall_time_seconds: f64,
}

/// `manifest.json` of a comparison folder.
#[derive(Debug, Serialize)]
struct CompareManifest<'a> {
    tool: &'static str,
    tool_version: &'static str,
    kind: &'static str,
    seed: u64,
    replications: u64,
    threads: usize,
    interval: String,
    scenarios: Vec<ManifestScenario<'a>>,
    wall_time_seconds: f64,
    command: &'a str,
}

#[derive(Debug, Serialize)]
struct ManifestScenario<'a> {
    name: &'a str,
    title: &'a str,
    scenario_sha256: String,
    folder: &'a str,
}

/// The overlay chart data of a comparison: each scenario's `fan.csv` as
/// saved in its run folder inside `pending`.
fn overlay_data(
    pending: &PendingDir,
    scenarios: &[Scenario],
    replications: u64,
) -> Result<OverlayData, Error> {
    let base_catalogue = scenarios[0].model.catalogue();
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
    })
}

/// Load the base (the first path) and the variants, reporting every problem
/// of every file before anything runs. An error found outside the file
/// named on the command line (in a parent it extends, or a CSV it reads)
/// says which scenario was being loaded; an error that several of them
/// inherit is reported once, naming each.
pub fn load_scenarios(
    paths: &[PathBuf],
    registry: &Registry,
) -> Result<Vec<Scenario>, Diagnostics> {
    let mut loaded = Vec::new();
    // Each error with the scenarios that met it: (role, found outside its file).
    let mut errors: Vec<(Diagnostic, Vec<(String, bool)>)> = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let found = match scenario::load(path, registry) {
            Ok(s) => {
                loaded.push(s);
                continue;
            }
            Err(Diagnostics(found)) => found,
        };
        let role = if i == 0 {
            format!("the base scenario {}", path.display())
        } else {
            format!("variant {}", path.display())
        };
        for d in found {
            let elsewhere = d.location.as_ref().is_none_or(|l| l.file != *path);
            match errors.iter_mut().find(|(e, _)| *e == d) {
                Some((_, roles)) => roles.push((role.clone(), elsewhere)),
                None => errors.push((d, vec![(role.clone(), elsewhere)])),
            }
        }
    }
    if errors.is_empty() {
        return Ok(loaded);
    }
    Err(Diagnostics(
        errors
            .into_iter()
            .map(|(d, roles)| {
                if roles.iter().any(|(_, elsewhere)| *elsewhere) {
                    let names: Vec<String> = roles.into_iter().map(|(r, _)| r).collect();
                    d.note(format!("found while loading {}", names.join(" and ")))
                } else {
                    d
                }
            })
            .collect(),
    ))
}

/// Run `scenarios` (the base first, then the variants) with the same seed
/// and replications, and write the comparison folder: `compare.csv`,
/// `compare.md`, `manifest.json`, overlay fan charts of the base's
/// `[outputs].charts` in `charts/compare_<output>.png` and `.svg` (see
/// [`charts::overlay`]) and one run folder per scenario, named after it. `progress` receives (scenario index, replications done).
pub fn compare(
    scenarios: &[Scenario],
    settings: &CompareSettings,
    mut progress: Option<&mut dyn FnMut(usize, u64)>,
) -> Result<CompareOutcome, Error> {
    check_scenarios(scenarios)?;
    let started = Instant::now();
    let pending = PendingDir::create(&settings.out_dir, Output::Results)?;
    let run_settings = |s: &Scenario| RunSettings {
        replications: settings.replications,
        seed: settings.seed,
        threads: settings.threads,
        deterministic: false,
        out_dir: pending.path(&s.name),
        save_replications: false,
        reservoir: reservoir::DEFAULT_CAPACITY,
        command: settings.command.clone(),
    };

    let mut compared: Vec<ComparedScenario> = Vec::new();
    let mut paired = Vec::new();
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
            run::summarize(
                scenario,
                &rs,
                &COMPARE_LEVELS,
                Some(&mut keep),
                Some(&mut tick),
            )?
        } else {
            let base = &compared[0].summary;
            let scalars = base.layout.scalars.len();
            let mut acc = PairedAccumulator::new(&base_values, scalars);
            let mut pair = |v: ReplicationValues<'_>| {
                sample.offer(v.replication, v.inputs, v.scalars);
                // Layouts are checked below; a variant with other scalars
                // is refused before its differences are used.
                if v.scalars.len() == scalars {
                    acc.add(v.replication, v.scalars);
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
    };
    // The overlay charts are drawn from the fan.csv each run folder just
    // saved, like every chart, so their bytes follow from saved data.
    let overlays = overlay_data(&pending, scenarios, settings.replications)?;
    let pictures = charts::overlay::render_overlays(&overlays, &scenarios[0].outputs.charts)?;
    charts::write_pictures(&pending, &format!("{}/", charts::CHARTS_DIR), &pictures)?;
    pending.write("compare.csv", compare_csv(&comparison).as_bytes())?;
    pending.write("compare.md", compare_md(&comparison).as_bytes())?;
    let wall_time_seconds = started.elapsed().as_secs_f64();
    let manifest = CompareManifest {
        tool: "sezsim",
        tool_version: env!("CARGO_PKG_VERSION"),
        kind: "compare",
        seed: settings.seed,
        replications: settings.replications,
        threads: settings.threads,
        interval: format!("95%: mean paired difference +- {Z95} x sd(differences) / sqrt(n)"),
        scenarios: scenarios
            .iter()
            .map(|s| ManifestScenario {
                name: &s.name,
                title: &s.title,
                scenario_sha256: s.content_hash(),
                folder: &s.name,
            })
            .collect(),
        wall_time_seconds,
        command: &settings.command,
    };
    let mut json = serde_json::to_string_pretty(&manifest).unwrap_or_else(|_| "{}".into());
    json.push('\n');
    pending.write("manifest.json", json.as_bytes())?;
    let dir = pending.publish()?;
    Ok(CompareOutcome {
        dir,
        comparison,
        wall_time_seconds,
    })
}

/// At least two scenarios, with distinct names (each gets a folder and a
/// row named after it) and the same model kind.
fn check_scenarios(scenarios: &[Scenario]) -> Result<(), Error> {
    let mut errors = Vec::new();
    if scenarios.len() < 2 {
        errors.push(Diagnostic::new(
            "compare needs at least two scenarios: the base, then one or more variants",
        ));
    }
    for (i, s) in scenarios.iter().enumerate() {
        if let Some(first) = scenarios[..i].iter().position(|o| o.name == s.name) {
            errors.push(
                Diagnostic::new(format!(
                    "scenarios {} and {} are both named `{}`",
                    first + 1,
                    i + 1,
                    s.name
                ))
                .key("scenario.name")
                .help("give each compared scenario its own [scenario] name: results are labelled and filed by name"),
            );
        }
        let base = &scenarios[0];
        if s.model.kind() != base.model.kind() {
            errors.push(
                Diagnostic::new(format!(
                    "`{}` is a `{}` model but the base `{}` is `{}`: only scenarios of the same model can be compared",
                    s.name,
                    s.model.kind(),
                    base.name,
                    base.model.kind()
                ))
                .key("model.kind"),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(Diagnostics(errors)))
    }
}

/// Shortest round-trip text of a float (exact in tables), empty for `None`.
fn num(out: &mut String, v: Option<f64>) {
    if let Some(v) = v {
        let _ = write!(out, "{v}");
    }
}

/// `compare.csv`: one row per scalar outcome and scenario, base first:
///
/// `scalar,scenario,n,mean,sd,p05,p50,p95,target,p_target,diff_mean,diff_sd,diff_low95,diff_high95,p_higher,unpaired_low95,unpaired_high95`
///
/// The `diff_*`, `p_higher` and `unpaired_*` columns compare the row's
/// scenario with the base (empty on the base's rows); `target` and
/// `p_target` are empty where the scenario sets no target.
pub fn compare_csv(c: &Comparison) -> String {
    let mut out = String::from(
        "scalar,scenario,n,mean,sd,p05,p50,p95,target,p_target,diff_mean,diff_sd,diff_low95,diff_high95,p_higher,unpaired_low95,unpaired_high95\n",
    );
    for (s, scalar) in c.scalars.iter().enumerate() {
        for (i, sc) in c.scenarios.iter().enumerate() {
            let stats = &sc.summary.scalars[s];
            let _ = write!(out, "{scalar},{},{}", sc.name, stats.n);
            let mut cells: Vec<Option<f64>> = vec![Some(stats.mean), Some(stats.sd)];
            cells.extend(COMPARE_LEVELS.iter().map(|&q| Some(sc.quantile(s, q))));
            let target = sc.target(scalar);
            cells.push(target);
            cells.push(target.and(stats.p_target));
            match i.checked_sub(1).map(|v| &c.paired[v][s]) {
                Some(d) => cells.extend(
                    [
                        d.mean,
                        d.sd,
                        d.low,
                        d.high,
                        d.p_higher,
                        d.unpaired_low,
                        d.unpaired_high,
                    ]
                    .map(Some),
                ),
                None => cells.extend([None; 7]),
            }
            for cell in cells {
                out.push(',');
                num(&mut out, cell);
            }
            out.push('\n');
        }
    }
    out
}

/// Four significant digits: quantiles of long runs come from a sketch with
/// 0.2% relative accuracy, so more digits would be noise.
pub fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", significant(v))
    } else {
        significant(v)
    }
}

/// `compare.md`: the comparison as readable Markdown tables, one per scalar
/// outcome, with a note on how to read the paired intervals.
pub fn compare_md(c: &Comparison) -> String {
    let base = &c.scenarios[0];
    let mut out = String::new();
    let _ = writeln!(out, "# Policy comparison: {}\n", base.title);
    let _ = writeln!(
        out,
        "Every scenario ran with seed {} and {} replications. Replication r of each \
         scenario sees the same random shocks and parameter draws wherever the \
         scenarios agree (common random numbers), so each difference below is \
         paired: the variant minus the base in the same replication, averaged over \
         replications.\n",
        c.seed, c.replications
    );
    out.push_str("| role | scenario | title |\n|---|---|---|\n");
    for (i, s) in c.scenarios.iter().enumerate() {
        let role = if i == 0 {
            "base".to_string()
        } else {
            format!("variant {i}")
        };
        let _ = writeln!(out, "| {role} | `{}` | {} |", s.name, s.title);
    }
    for (s, scalar) in c.scalars.iter().enumerate() {
        let _ = writeln!(out, "\n## {scalar}\n");
        let with_targets = c.scenarios.iter().any(|sc| sc.target(scalar).is_some());
        out.push_str("| scenario | mean | P5 | P50 | P95 |");
        if with_targets {
            out.push_str(" target |");
        }
        let _ = writeln!(
            out,
            " difference from `{}` (95% interval) | P(higher) |",
            base.name
        );
        out.push_str("|---|--:|--:|--:|--:|");
        if with_targets {
            out.push_str("--:|");
        }
        out.push_str("--:|--:|\n");
        for (i, sc) in c.scenarios.iter().enumerate() {
            let stats = &sc.summary.scalars[s];
            let _ = write!(out, "| `{}` | {} |", sc.name, significant(stats.mean));
            for &q in &COMPARE_LEVELS {
                let _ = write!(out, " {} |", significant(sc.quantile(s, q)));
            }
            if with_targets {
                match (sc.target(scalar), stats.p_target) {
                    (Some(t), Some(p)) => {
                        let _ = write!(out, " P(>= {t}) = {p:.3} |");
                    }
                    _ => out.push_str(" |"),
                }
            }
            match i.checked_sub(1).map(|v| &c.paired[v][s]) {
                Some(d) => {
                    let _ = writeln!(
                        out,
                        " {} ({} to {}) | {:.3} |",
                        signed(d.mean),
                        significant(d.low),
                        significant(d.high),
                        d.p_higher
                    );
                }
                None => out.push_str(" | |\n"),
            }
        }
    }
    let _ = writeln!(
        out,
        "\nThe 95% interval of a difference is its mean +- {Z95} x sd / sqrt(n) of the \
         {} paired differences. P(higher) is the share of replications in which the \
         variant's outcome exceeds the base's. `compare.csv` holds every number \
         unrounded, with the interval two independent (unpaired) runs would give, for \
         comparison.",
        c.replications
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::OutputLayout;
    use crate::engine::stats::Summary;

    fn summary(scalars: &[(f64, f64)]) -> RunSummary {
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
                    p_target: None,
                })
                .collect(),
        }
    }

    #[test]
    fn paired_differences_by_hand() {
        // Base and variant over 4 replications, 2 scalars.
        let base = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0];
        let variant = [[1.5, 10.0], [2.5, 20.0], [3.0, 30.0], [5.0, 40.0]];
        let mut acc = PairedAccumulator::new(&base, 2);
        for (r, v) in variant.iter().enumerate() {
            acc.add(r as u64, v);
        }
        let d = acc.finish(
            &summary(&[(2.5, 1.0), (25.0, 10.0)]),
            &summary(&[(3.0, 1.5), (25.0, 10.0)]),
        );
        // Differences 0.5, 0.5, 0, 1: mean 0.5, sd sqrt(1/6).
        assert_eq!(d[0].mean, 0.5);
        assert!((d[0].sd - (1.0f64 / 6.0).sqrt()).abs() < 1e-15);
        let half = 1.96 * d[0].sd / 2.0;
        assert!((d[0].low - (0.5 - half)).abs() < 1e-15);
        assert_eq!(d[0].p_higher, 0.75);
        // Unpaired: 0.5 +- 1.96 sqrt(1/4 + 2.25/4).
        let uhalf = 1.96 * (3.25f64 / 4.0).sqrt();
        assert!((d[0].unpaired_high - (0.5 + uhalf)).abs() < 1e-15);
        // Identical values: exactly zero, zero width, never higher.
        assert_eq!(
            (d[1].mean, d[1].sd, d[1].low, d[1].high),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(d[1].p_higher, 0.0);
    }

    #[test]
    fn tables_have_one_row_per_scalar_and_scenario() {
        let base = summary(&[(2.5, 1.0)]);
        let var = summary(&[(3.0, 1.5)]);
        let diff = PairedDifference {
            n: 4,
            mean: 0.5,
            sd: 0.25,
            low: 0.25,
            high: 0.75,
            p_higher: 0.75,
            unpaired_low: -1.0,
            unpaired_high: 2.0,
        };
        let c = Comparison {
            seed: 1,
            replications: 4,
            scalars: vec!["s0".into()],
            scenarios: vec![
                ComparedScenario {
                    name: "base".into(),
                    title: "Base".into(),
                    summary: base,
                    targets: vec![],
                },
                ComparedScenario {
                    name: "var".into(),
                    title: "Variant".into(),
                    summary: var,
                    targets: vec![],
                },
            ],
            paired: vec![vec![diff]],
        };
        let csv = compare_csv(&c);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "s0,base,4,2.5,1,1.5,2.5,3.5,,,,,,,,,");
        assert_eq!(
            lines[2],
            "s0,var,4,3,1.5,1.5,3,4.5,,,0.5,0.25,0.25,0.75,0.75,-1,2"
        );
        let md = compare_md(&c);
        assert!(
            md.contains(
                "| `var` | 3.000 | 1.500 | 3.000 | 4.500 | +0.5000 (0.2500 to 0.7500) | 0.750 |"
            ),
            "{md}"
        );
        assert!(md.contains("| `base` | 2.500 |"));
    }
}

//! `compare --precision`: a comparison run until every named paired
//! difference is known to its tolerance. The paired differences are
//! measured at the checkpoints of `run --precision` (4,096 replications,
//! then every doubling, then the cap); the comparison stops at the first
//! checkpoint where every variant's difference of every named scalar has a
//! 95% half-width within the tolerance, and writes exactly the folder of
//! `compare -n` that many. Each checkpoint runs the scenarios afresh (a
//! comparison keeps the base's replications in memory, not mergeable
//! statistics), so the replications run are at most about three times
//! those of the comparison written.

use crate::engine::ReplicationValues;
use crate::error::Error;
use crate::output::manifest::PrecisionRecord;
use crate::output::precision::{Achieved, PrecisionSpec, Statistic, Tolerance};
use crate::run::{self, RunSettings, checkpoints};
use crate::scenario::Scenario;

use super::{
    COMPARE_LEVELS, CompareOutcome, CompareSettings, PairedAccumulator, PairedDifference,
    compare_recording,
};

/// Compare `scenarios` (base first) until `requests` are met, at most
/// `settings.replications` per scenario. A request names a scalar and the
/// tolerance of its paired difference's mean (`fiscal_npv=0.5`,
/// `exports_cumulative=5%`), met when it holds for every variant.
pub fn compare_to_precision(
    scenarios: &[Scenario],
    settings: &CompareSettings,
    requests: &[PrecisionSpec],
    mut progress: Option<&mut dyn FnMut(usize, u64)>,
    mut message: Option<&mut dyn FnMut(&str)>,
) -> Result<(CompareOutcome, PrecisionRecord), Error> {
    super::load::check_scenarios(scenarios)?;
    if scenarios.len() < 2 {
        return Err(Error::usage(
            "compare needs a base and at least one variant",
        ));
    }
    for r in requests {
        if r.statistic != Statistic::Mean {
            return Err(Error::usage(format!(
                "--precision `{}`: compare stops on paired differences of means; write NAME=TOL",
                r.text
            )));
        }
    }
    let cap = settings.replications;
    let mut passed = Vec::new();
    let mut achieved = Vec::new();
    let mut stop = cap;
    for n in checkpoints(cap) {
        let (scalars, differences) = paired(scenarios, settings, n, &mut progress)?;
        achieved = requests
            .iter()
            .map(|r| state(r, &scalars, &differences, &scenarios[1..]))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        passed.push(n);
        let worst = achieved.iter().map(|a| a.ratio).fold(0.0f64, f64::max);
        if let Some(m) = message.as_mut() {
            m(&format!(
                "precision: worst half-width {worst:.2} x requested at {n}"
            ));
        }
        if worst <= 1.0 {
            stop = n;
            break;
        }
    }
    let record = PrecisionRecord {
        requested: requests.iter().map(|r| r.text.clone()).collect(),
        cap,
        checkpoints: passed,
        met: achieved.iter().all(Achieved::met),
        achieved,
    };
    let settings = CompareSettings {
        replications: stop,
        ..settings.clone()
    };
    let outcome = compare_recording(scenarios, &settings, progress, Some(record.clone()))?;
    Ok((outcome, record))
}

/// Every variant's paired differences against the base at `n`
/// replications, as `compare -n n` computes them.
/// Returns the scalars' names with them.
fn paired(
    scenarios: &[Scenario],
    settings: &CompareSettings,
    n: u64,
    progress: &mut Option<&mut dyn FnMut(usize, u64)>,
) -> Result<(Vec<String>, Vec<Vec<PairedDifference>>), Error> {
    let settings_of = |s: &Scenario| {
        RunSettings::new(s, "unused")
            .with_replications(n)
            .with_seed(settings.seed)
            .with_threads(settings.threads)
    };
    let mut base_values = Vec::new();
    let mut tick0 = |done: u64| {
        if let Some(p) = progress.as_mut() {
            p(0, done);
        }
    };
    let mut keep = |v: ReplicationValues<'_>| base_values.extend_from_slice(v.scalars);
    let base = run::summarize(
        &scenarios[0],
        &settings_of(&scenarios[0]),
        &COMPARE_LEVELS,
        Some(&mut keep),
        Some(&mut tick0),
    )?;
    let scalars = base.layout.scalars.len();
    let mut out = Vec::new();
    for (i, variant) in scenarios.iter().enumerate().skip(1) {
        let mut acc = PairedAccumulator::new(&base_values, scalars);
        let mut pair = |v: ReplicationValues<'_>| {
            if v.scalars.len() == scalars {
                acc.add(v.replication, v.scalars);
            }
        };
        let mut tick = |done: u64| {
            if let Some(p) = progress.as_mut() {
                p(i, done);
            }
        };
        let summary = run::summarize(
            variant,
            &settings_of(variant),
            &COMPARE_LEVELS,
            Some(&mut pair),
            Some(&mut tick),
        )?;
        if summary.layout.scalars != base.layout.scalars {
            return Err(Error::usage(format!(
                "`{}` records other scalar outcomes than `{}`: only scenarios of the same model can be compared",
                variant.name, scenarios[0].name
            )));
        }
        out.push(acc.finish(&base, &summary));
    }
    Ok((base.layout.scalars, out))
}

/// A request's state for every variant.
fn state(
    request: &PrecisionSpec,
    scalars: &[String],
    differences: &[Vec<PairedDifference>],
    variants: &[Scenario],
) -> Result<Vec<Achieved>, Error> {
    let s = scalars
        .iter()
        .position(|n| n == &request.name)
        .ok_or_else(|| {
            let hint = crate::scenario::reader::nearest(&request.name, scalars)
                .map_or(String::new(), |b| format!(" (did you mean `{b}`?)"));
            Error::usage(format!(
                "--precision `{}`: unknown scalar `{}`{hint}",
                request.text, request.name
            ))
        })?;
    Ok(differences
        .iter()
        .zip(variants)
        .map(|(d, variant)| {
            let d = &d[s];
            let half = d.width() / 2.0;
            let allowed = match request.tolerance {
                Tolerance::Absolute(a) => a,
                Tolerance::Relative(r) => r * d.mean.abs(),
            };
            let ratio = if allowed > 0.0 && half.is_finite() {
                half / allowed
            } else if half <= 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
            Achieved {
                request: format!("{} ({})", request.text, variant.name),
                estimate: d.mean,
                half_width: Some(half),
                allowed,
                ratio,
            }
        })
        .collect())
}

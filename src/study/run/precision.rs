//! A run to a stated precision (`run --precision`): replications run in
//! order up to fixed checkpoints, 4,096 and then every doubling, and the
//! cap; at each, every request's 95% interval is measured on the
//! replications so far, and the run stops at the first checkpoint where
//! all are met. Checkpoints are replication counts, not times, so where a
//! run stops depends only on the scenario, seed and requests; and the
//! statistics at a checkpoint are exactly those of a run of that many
//! ([`PartialRun::into_prefix_run`]), so a run stopped at n writes the
//! files of `run -n n`.

use crate::engine::{PartialRun, chunk_count};
use crate::error::Error;
use crate::output::format::significant;
use crate::output::manifest::PrecisionRecord;
use crate::output::precision::{self, Resolved};
use crate::output::reservoir::Reservoir;
use crate::output::run_dir::PendingDir;
use crate::scenario::{Scenario, Tables};
use crate::uncertainty::SamplingMethod;

use super::{RunSettings, Simulation};

/// The first checkpoint; later ones double it. A power of two times the
/// chunk size, so every checkpoint ends on a whole chunk.
pub const FIRST_CHECKPOINT: u64 = 4_096;

/// The cap of a run to a precision without `-n`: the scenario's
/// replications x 100, at most this.
pub const PRECISION_DEFAULT_CAP: u64 = 100_000_000;

/// What a run that reached its cap without the precision asked lacks, in
/// one sentence (stderr's warning and report.md).
pub fn precision_shortfall(record: &PrecisionRecord) -> String {
    let missed: Vec<String> = record
        .achieved
        .iter()
        .filter(|a| !a.met())
        .map(|a| match a.half_width {
            Some(h) => format!(
                "{} (half-width {}, asked {})",
                a.request,
                significant(h, 3),
                significant(a.allowed, 3)
            ),
            None => format!("{} (no interval)", a.request),
        })
        .collect();
    format!(
        "the run reached its cap of {} replications without the precision asked: {}; the results are written, less precise than asked (raise -n for more)",
        record.cap,
        missed.join(", ")
    )
}

/// The replication counts at which a run capped at `cap` checks its
/// precision: 4,096, 8,192, ... below the cap, then the cap.
pub fn checkpoints(cap: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut n = FIRST_CHECKPOINT;
    while n < cap {
        out.push(n);
        n *= 2;
    }
    out.push(cap);
    out
}

/// Run `scenario` to the precision `settings` ask for, at most
/// `settings.replications`: the statistics of the replications run (as a
/// whole run of that many), the reservoir, and the record of what was
/// achieved.
pub(crate) fn run_to_precision(
    scenario: &Scenario,
    settings: &RunSettings,
    pending: &PendingDir,
    mut progress: Option<&mut dyn FnMut(u64)>,
    mut message: Option<&mut dyn FnMut(&str)>,
) -> Result<(PartialRun, Reservoir, PrecisionRecord), Error> {
    if settings.deterministic {
        return Err(Error::usage(
            "--precision asks for replications until a statistic is known well enough; a deterministic run has one replication. Drop one of them",
        ));
    }
    if scenario.sampling == SamplingMethod::LatinHypercube {
        return Err(Error::usage(
            "--precision needs sampling = \"random\": a Latin hypercube stratifies a fixed number of replications, so a run cannot stop early and stay one. Set sampling = \"random\" in [scenario], or run a fixed -n",
        ));
    }
    let cap = settings.replications;
    let mut simulation = Simulation::new(scenario, settings, pending)?;
    let layout = simulation.layout();
    let requests: Vec<Resolved> = settings
        .precision
        .iter()
        .map(|spec| {
            precision::resolve(
                spec,
                &layout,
                &scenario.outputs.quantiles,
                &scenario.outputs.targets,
            )
            .map_err(|message| match scenario.outputs.tables {
                Tables::All => Error::usage(message),
                tables => Error::usage(format!(
                    "{message} ([outputs] tables = \"{}\" keeps only {})",
                    tables.name(),
                    match tables {
                        Tables::Scalars => "the scalars",
                        _ => "the tables of the charted outputs",
                    }
                )),
            })
        })
        .collect::<Result<_, _>>()?;
    let checkpoints = checkpoints(cap);
    let mut partial: Option<PartialRun> = None;
    let mut done_chunks = 0;
    let mut passed = Vec::new();
    let mut achieved = Vec::new();
    for &checkpoint in &checkpoints {
        let end = chunk_count(checkpoint).min(chunk_count(cap));
        let offset = partial.as_ref().map_or(0, PartialRun::replications);
        let mut tick = |done: u64| {
            if let Some(p) = progress.as_mut() {
                p(offset + done);
            }
        };
        let next = simulation.run_chunks(done_chunks..end, Some(&mut tick))?;
        done_chunks = end;
        match partial.as_mut() {
            Some(p) => p.merge(&next).map_err(Error::Engine)?,
            None => partial = Some(next),
        }
        let so_far = partial
            .clone()
            .and_then(PartialRun::into_prefix_run)
            .ok_or_else(|| Error::Runtime(format!("checkpoint {checkpoint} is not a whole run")))?
            .finish();
        let tables = so_far
            .at_levels(&scenario.outputs.quantiles)
            .map_err(Error::Engine)?;
        achieved = requests.iter().map(|r| r.achieved(&tables)).collect();
        passed.push(checkpoint);
        let worst = achieved.iter().map(|a| a.ratio).fold(0.0f64, f64::max);
        if let Some(m) = message.as_mut() {
            m(&format!(
                "precision: worst half-width {worst:.2} x requested at {checkpoint}"
            ));
        }
        if worst <= 1.0 {
            break;
        }
    }
    let met = achieved.iter().all(precision::Achieved::met);
    let partial = partial
        .and_then(PartialRun::into_prefix_run)
        .ok_or_else(|| Error::Runtime("the run stopped between chunks".into()))?;
    let reservoir = simulation.finish()?;
    Ok((
        partial,
        reservoir,
        PrecisionRecord {
            requested: settings.precision.iter().map(|s| s.text.clone()).collect(),
            cap,
            checkpoints: passed,
            met,
            achieved,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_double_from_4096_and_end_at_the_cap() {
        assert_eq!(checkpoints(1_000), vec![1_000]);
        assert_eq!(checkpoints(4_096), vec![4_096]);
        assert_eq!(checkpoints(20_000), vec![4_096, 8_192, 16_384, 20_000]);
    }
}

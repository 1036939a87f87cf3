//! `sezsim sample`: the static parameter draws as CSV.

use std::fmt::Write as _;
use std::io::Write;

use rayon::prelude::*;

use crate::error::Error;
use crate::scenario::Scenario;
use crate::uncertainty::ParameterSampler;

/// Replications formatted per parallel task: a constant, so the bytes never
/// depend on the thread count.
const CHUNK: u64 = 4096;

/// A parameter sampler for `scenario` with `replications` replications
/// (see [`Scenario::parameter_sampler`]), with its error as a run error.
pub fn parameter_sampler(
    scenario: &Scenario,
    replications: u64,
    seed: u64,
) -> Result<ParameterSampler, Error> {
    Ok(scenario.parameter_sampler(replications, seed)?)
}

/// Write the draws of replications `0..replications` to `out`: a header
/// `replication,<path>...` with one column per uncertain parameter, then one
/// row per replication. Values use Rust's shortest round-trip formatting, so
/// they read back exactly. Identical bytes for any `threads`.
pub fn write_samples(
    scenario: &Scenario,
    replications: u64,
    seed: u64,
    threads: usize,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let sampler = parameter_sampler(scenario, replications, seed)?;
    let io = |e| Error::io("<sample output>", e);
    let mut header = String::from("replication");
    for &id in sampler.uncertain_ids() {
        header.push(',');
        header.push_str(&scenario.parameters.get(id).path);
    }
    header.push('\n');
    out.write_all(header.as_bytes()).map_err(io)?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })?;
    let chunks = replications.div_ceil(CHUNK);
    // Bounded memory: a few chunks per thread in flight, written in order.
    let wave = (threads.max(1) * 4) as u64;
    let mut first = 0;
    while first < chunks {
        let last = (first + wave).min(chunks);
        let texts: Vec<String> = pool.install(|| {
            (first..last)
                .into_par_iter()
                .map(|c| format_chunk(&sampler, c * CHUNK, ((c + 1) * CHUNK).min(replications)))
                .collect()
        });
        for t in texts {
            out.write_all(t.as_bytes()).map_err(io)?;
        }
        first = last;
    }
    Ok(())
}

fn format_chunk(sampler: &ParameterSampler, from: u64, to: u64) -> String {
    let mut draw = sampler.buffer();
    let mut text =
        String::with_capacity(((to - from) as usize) * (8 + 20 * sampler.uncertain_ids().len()));
    for r in from..to {
        sampler.draw(r, &mut draw);
        let _ = write!(text, "{r}");
        for v in sampler.draw_uncertain(&draw) {
            let _ = write!(text, ",{v}");
        }
        text.push('\n');
    }
    text
}

//! Models the engine can run: the SEZ growth model and the analytic
//! benchmark functions used to check sampling and statistics.

pub mod benchmark;
pub mod names;
pub mod power;
pub mod sez;

use std::ops::Range;

use crate::engine::{self, EngineError, Hooks, Model, OutputLayout, PartialRun, RunOptions};
use crate::error::Error;
use crate::scenario::{ModelSpec, Scenario};
use benchmark::{BenchmarkModel, Function};
use sez::{Mode, SezModel};

/// How to build a model for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    pub replications: u64,
    pub seed: u64,
    /// MODEL.md deterministic mode (one replication, no randomness).
    pub deterministic: bool,
}

/// Any of the models, chosen by the scenario's `[model].kind`.
#[derive(Debug, Clone)]
pub enum AnyModel {
    Sez(Box<SezModel>),
    Benchmark(Box<BenchmarkModel>),
}

/// Evaluate `$body` with `$m` bound to the concrete model inside an
/// [`AnyModel`]: the engine is generic over the model type, so each kind is
/// monomorphised and no call in the hot loop goes through dynamic dispatch.
///
/// ```
/// use sezsim::engine::Model;
/// use sezsim::model::{self, ModelOptions};
///
/// let scenario = sezsim::scenario::load("scenarios/cpec_baseline.toml".as_ref()).unwrap();
/// let options = ModelOptions { replications: 10, seed: 1, deterministic: false };
/// let built = model::build(&scenario, options).unwrap();
/// let scalars = sezsim::with_model!(&built, |m| m.layout().scalars.len());
/// assert_eq!(scalars, 6);
/// ```
#[macro_export]
macro_rules! with_model {
    ($any:expr, |$m:ident| $body:expr) => {
        match $any {
            $crate::model::AnyModel::Sez(boxed) => {
                let $m = boxed.as_ref();
                $body
            }
            $crate::model::AnyModel::Benchmark(boxed) => {
                let $m = boxed.as_ref();
                $body
            }
        }
    };
}

impl AnyModel {
    /// What the model records.
    pub fn layout(&self) -> &OutputLayout {
        crate::with_model!(self, |m| m.layout())
    }

    /// [`engine::run_partial`] on whichever model this is, so callers need
    /// not be generic over the model type.
    pub fn run_partial(
        &self,
        options: &RunOptions,
        chunks: Range<u64>,
        hooks: Hooks<'_>,
    ) -> Result<PartialRun, EngineError> {
        crate::with_model!(self, |m| engine::run_partial(m, options, chunks, hooks))
    }
}

/// Build the model a scenario describes.
pub fn build(scenario: &Scenario, options: ModelOptions) -> Result<AnyModel, Error> {
    let mode = if options.deterministic {
        Mode::Deterministic
    } else {
        Mode::Random
    };
    Ok(match &scenario.model {
        ModelSpec::Sez(spec) => AnyModel::Sez(Box::new(SezModel::new(
            scenario,
            spec,
            options.replications,
            options.seed,
            mode,
        )?)),
        ModelSpec::Ishigami { a, b, inputs } => benchmark(
            scenario,
            options,
            Function::Ishigami {
                a: *a,
                b: *b,
                inputs: *inputs,
            },
        )?,
        ModelSpec::SobolG { a, inputs } => benchmark(
            scenario,
            options,
            Function::SobolG {
                a: a.clone(),
                inputs: inputs.clone(),
            },
        )?,
    })
}

fn benchmark(
    scenario: &Scenario,
    options: ModelOptions,
    function: Function,
) -> Result<AnyModel, Error> {
    let sampler = scenario.parameter_sampler(options.replications, options.seed)?;
    let inputs = sampler
        .uncertain_ids()
        .iter()
        .map(|&id| scenario.parameters.get(id).path.clone())
        .collect();
    let means = options.deterministic.then(|| scenario.parameters.means());
    Ok(AnyModel::Benchmark(Box::new(BenchmarkModel::new(
        function, sampler, inputs, means,
    ))))
}

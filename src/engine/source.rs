//! Where a run's static parameter values come from, and a model whatever
//! its type.
//!
//! A model receives each replication's parameter values from the caller:
//! a [`ParameterSource`] fills them (random or Latin hypercube draws, the
//! means of deterministic mode, a design that sensitivity analysis
//! chooses) and names the ones recorded as inputs. Shocks stay on the
//! model's own keyed streams. The source is called once per replication,
//! through one dynamic call; the model's year loop is never dynamic.

use std::ops::Range;

use super::{EngineError, Hooks, Model, OutputLayout, PartialRun, Record, RunOptions};

/// The static parameter values of every replication of a run.
pub trait ParameterSource: Sync {
    /// Values per replication: one per parameter of the model, indexed as
    /// the model indexes them.
    fn len(&self) -> usize;

    /// True when the model takes no parameters.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Paths of the values recorded per replication as inputs (the
    /// uncertain parameters), in record order.
    fn inputs(&self) -> &[String];

    /// A worker that fills replications one after another (it may keep
    /// cursors that make consecutive replications cheap).
    fn worker(&self) -> Box<dyn SourceWorker + '_>;

    /// The number of the shock streams replication `replication` runs
    /// with: the `replication` its model sees in [`Model::run`]. A run
    /// draws each replication's shocks from its own streams (the identity,
    /// the default); a sensitivity design chooses them, so that the rows
    /// of one design block share their shocks.
    fn shocks(&self, replication: u64) -> u64 {
        replication
    }
}

/// One worker's view of a [`ParameterSource`].
pub trait SourceWorker: Send {
    /// Write replication `replication`'s parameter values into `values`
    /// (of length [`ParameterSource::len`]) and its recorded inputs into
    /// `inputs` (one per [`ParameterSource::inputs`]).
    fn fill(&mut self, replication: u64, values: &mut [f64], inputs: &mut [f64]);
}

/// The same values in every replication, none of them recorded as an
/// input: deterministic mode's means, or a model without parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixedValues {
    values: Vec<f64>,
}

impl FixedValues {
    /// Every replication gets `values`.
    pub fn new(values: Vec<f64>) -> Self {
        FixedValues { values }
    }
}

impl ParameterSource for FixedValues {
    fn len(&self) -> usize {
        self.values.len()
    }

    fn inputs(&self) -> &[String] {
        &[]
    }

    fn worker(&self) -> Box<dyn SourceWorker + '_> {
        Box::new(FixedWorker(&self.values))
    }
}

struct FixedWorker<'a>(&'a [f64]);

impl SourceWorker for FixedWorker<'_> {
    fn fill(&mut self, _replication: u64, values: &mut [f64], _inputs: &mut [f64]) {
        values.copy_from_slice(self.0);
    }
}

/// A built model, whatever its type: what the study layer runs. Every
/// [`Model`] is one; the engine stays generic over the model type, so a
/// run dispatches dynamically once, never per value.
pub trait RunnableModel: Send + Sync {
    /// What the model records (its inputs are the source's).
    fn layout(&self) -> &OutputLayout;

    /// [`super::run_partial`] on this model.
    fn run_partial(
        &self,
        source: &dyn ParameterSource,
        options: &RunOptions,
        chunks: Range<u64>,
        hooks: Hooks<'_>,
    ) -> Result<PartialRun, EngineError>;

    /// One replication's record (tests, replays).
    fn run_one(&self, source: &dyn ParameterSource, replication: u64) -> Record;

    /// [`Model::draws_shocks`] of this model.
    fn draws_shocks(&self) -> bool;
}

impl<M: Model + Send> RunnableModel for M {
    fn layout(&self) -> &OutputLayout {
        Model::layout(self)
    }

    fn run_partial(
        &self,
        source: &dyn ParameterSource,
        options: &RunOptions,
        chunks: Range<u64>,
        hooks: Hooks<'_>,
    ) -> Result<PartialRun, EngineError> {
        super::run_partial(self, source, options, chunks, hooks)
    }

    fn run_one(&self, source: &dyn ParameterSource, replication: u64) -> Record {
        let layout = Model::layout(self);
        let mut record = Record {
            series: vec![f64::NAN; layout.series.len() * layout.years.len()],
            scalars: vec![f64::NAN; layout.scalars.len()],
            inputs: vec![f64::NAN; source.inputs().len()],
        };
        let mut values = vec![0.0; source.len()];
        source
            .worker()
            .fill(replication, &mut values, &mut record.inputs);
        let mut workspace = self.workspace();
        self.run(
            source.shocks(replication),
            &values,
            &mut workspace,
            &mut record,
        );
        record
    }

    fn draws_shocks(&self) -> bool {
        Model::draws_shocks(self)
    }
}

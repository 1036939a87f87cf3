//! The parameter values of a design's rows: a [`ParameterSource`] that
//! gives the engine's replication `r` the values of design evaluation
//! `first + r` (a shard starts further on), through the scenario's
//! Gaussian copula and inverse CDFs, and chooses each row's shock streams
//! so that the model's random shocks act as one more factor.
//!
//! Shocks: a model that draws random shocks (the SEZ model) gets a factor
//! `shocks` after the parameters, one design dimension that no parameter
//! reads. A Sobol' row takes the shocks of its `A` or `B` base row as it
//! takes that factor's dimension (`AB_shocks` those of `B`), so the design
//! identities hold for the shocks too; a Morris row takes the streams of
//! its trajectory and the shocks factor's level (they change when the
//! shocks factor moves, and only then).

use crate::engine::{ParameterSource, SourceWorker};
use crate::sensitivity::{DesignRow, MorrisDesign, SobolDesign};
use crate::uncertainty::ParameterSampler;

/// The design a source reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum DesignRef<'a> {
    /// A Sobol' design; rows in block order.
    Sobol(&'a SobolDesign),
    /// A Morris design; rows trajectory by trajectory.
    Morris(&'a MorrisDesign),
}

impl DesignRef<'_> {
    /// Sampling dimensions of a row (the parameters, then the shocks when
    /// the model draws them).
    fn dimensions(&self) -> usize {
        match self {
            DesignRef::Sobol(d) => d.dimensions(),
            DesignRef::Morris(d) => d.dimensions(),
        }
    }

    /// Rows of a block (Sobol') or trajectory (Morris).
    pub(super) fn rows_per_unit(&self) -> usize {
        match self {
            DesignRef::Sobol(d) => d.rows_per_block(),
            DesignRef::Morris(d) => d.rows_per_trajectory(),
        }
    }

    /// The uniforms of evaluation `evaluation`.
    fn row(&self, evaluation: u64, out: &mut [f64]) {
        match self {
            DesignRef::Sobol(d) => d.row_at(evaluation, out),
            DesignRef::Morris(d) => {
                let rows = d.rows_per_trajectory() as u64;
                let trajectory = d.trajectory(evaluation / rows);
                d.row(&trajectory, (evaluation % rows) as usize, out);
            }
        }
    }
}

/// Design rows as a run's parameter values.
pub(super) struct DesignSource<'a> {
    sampler: &'a ParameterSampler,
    design: DesignRef<'a>,
    /// The design evaluation of the engine's replication 0.
    first: u64,
    /// Factor index of the shocks, when the model draws them.
    shocks: Option<usize>,
}

impl<'a> DesignSource<'a> {
    /// Rows of `design` from evaluation `first` on, mapped by `sampler`;
    /// `shocks` is the shocks factor (the design's last dimension) when
    /// the model draws shocks.
    pub(super) fn new(
        sampler: &'a ParameterSampler,
        design: DesignRef<'a>,
        first: u64,
        shocks: Option<usize>,
    ) -> Self {
        DesignSource {
            sampler,
            design,
            first,
            shocks,
        }
    }
}

impl ParameterSource for DesignSource<'_> {
    fn len(&self) -> usize {
        ParameterSource::len(self.sampler)
    }

    fn inputs(&self) -> &[String] {
        self.sampler.inputs()
    }

    fn worker(&self) -> Box<dyn SourceWorker + '_> {
        Box::new(DesignWorker {
            source: self,
            uniforms: vec![0.5; self.design.dimensions()],
        })
    }

    fn shocks(&self, replication: u64) -> u64 {
        let evaluation = self.first + replication;
        let Some(factor) = self.shocks else {
            return evaluation;
        };
        match self.design {
            DesignRef::Sobol(d) => {
                let rows = d.rows_per_block() as u64;
                let block = evaluation / rows;
                let from_b = match d.row_kind((evaluation % rows) as usize) {
                    DesignRow::A => false,
                    DesignRow::B => true,
                    DesignRow::AB(j) => j == factor,
                    DesignRow::BA(j) => j != factor,
                };
                2 * block + u64::from(from_b)
            }
            DesignRef::Morris(d) => {
                let rows = d.rows_per_trajectory() as u64;
                let t = evaluation / rows;
                let trajectory = d.trajectory(t);
                let step = (evaluation % rows) as usize;
                let moved = trajectory.order()[..step].contains(&factor);
                2 * t + u64::from(moved)
            }
        }
    }
}

struct DesignWorker<'a> {
    source: &'a DesignSource<'a>,
    uniforms: Vec<f64>,
}

impl SourceWorker for DesignWorker<'_> {
    fn fill(&mut self, replication: u64, values: &mut [f64], inputs: &mut [f64]) {
        let s = self.source;
        s.design.row(s.first + replication, &mut self.uniforms);
        // The shocks' dimension, last, is read by `shocks`, not here.
        let parameters = s.sampler.uncertain_ids().len();
        s.sampler
            .values_from_uniforms(&mut self.uniforms[..parameters], values);
        for (slot, id) in inputs.iter_mut().zip(s.sampler.uncertain_ids()) {
            *slot = values[id.index()];
        }
    }
}

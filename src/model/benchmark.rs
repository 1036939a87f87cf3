//! Analytic benchmark functions with published moments and sensitivity
//! indices, used to check sampling, statistics and sensitivity analysis.

use crate::engine::{Model, OutputLayout, Record};
use crate::uncertainty::{ParamId, ParameterDraw, ParameterSampler};

/// Which function.
#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    /// y = sin x1 + a sin^2 x2 + b x3^4 sin x1.
    Ishigami {
        a: f64,
        b: f64,
        inputs: [ParamId; 3],
    },
    /// y = prod_i (|4 x_i - 2| + a_i) / (1 + a_i).
    SobolG { a: Vec<f64>, inputs: Vec<ParamId> },
}

impl Function {
    /// The value at the drawn inputs.
    pub fn evaluate(&self, draw: &ParameterDraw) -> f64 {
        match self {
            Function::Ishigami { a, b, inputs } => {
                let [x1, x2, x3] = inputs.map(|id| draw.get(id));
                x1.sin() + a * x2.sin().powi(2) + b * x3.powi(4) * x1.sin()
            }
            Function::SobolG { a, inputs } => a
                .iter()
                .zip(inputs)
                .map(|(&ai, &id)| ((4.0 * draw.get(id) - 2.0).abs() + ai) / (1.0 + ai))
                .product(),
        }
    }
}

/// A benchmark function as a model with one scalar, `y`.
#[derive(Debug, Clone)]
pub struct BenchmarkModel {
    function: Function,
    sampler: ParameterSampler,
    /// Parameter means, for deterministic mode.
    means: Option<Vec<f64>>,
    layout: OutputLayout,
}

impl BenchmarkModel {
    /// `means` set: deterministic mode (every input at its mean).
    pub fn new(
        function: Function,
        sampler: ParameterSampler,
        inputs: Vec<String>,
        means: Option<Vec<f64>>,
    ) -> Self {
        let layout = OutputLayout {
            series: Vec::new(),
            years: Vec::new(),
            scalars: vec!["y".to_string()],
            inputs,
        };
        BenchmarkModel {
            function,
            sampler,
            means,
            layout,
        }
    }
}

impl Model for BenchmarkModel {
    type Workspace = ParameterDraw;

    fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    fn workspace(&self) -> ParameterDraw {
        self.sampler.buffer()
    }

    fn run(&self, replication: u64, draw: &mut ParameterDraw, record: &mut Record) {
        match &self.means {
            Some(means) => draw.values.copy_from_slice(means),
            None => self.sampler.draw(replication, draw),
        }
        record.scalars[0] = self.function.evaluate(draw);
        for (slot, value) in record
            .inputs
            .iter_mut()
            .zip(self.sampler.draw_uncertain(draw))
        {
            *slot = value;
        }
    }
}

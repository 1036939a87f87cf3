//! Analytic benchmark functions with published moments and sensitivity
//! indices, used to check sampling, statistics and sensitivity analysis:
//! `ishigami` and `sobol_g`, each a kind of model with one scalar, `y`,
//! and inputs `x1`, `x2`... in `[inputs]`.

mod schema;

use std::sync::Arc;

use crate::engine::{Catalogue, Described, Model, OutputLayout, Record, RunnableModel, Unit};
use crate::error::Error;
use crate::scenario::{KindInput, ModelKind, ModelOptions, ModelSpec, Scenario, Schema};
use crate::uncertainty::ParamId;

/// Which function.
#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    /// y = sin x1 + a sin^2 x2 + b x3^4 sin x1.
    Ishigami {
        /// The coefficient of sin^2 x2.
        a: f64,
        /// The coefficient of x3^4 sin x1.
        b: f64,
        /// Inputs x1, x2, x3.
        inputs: [ParamId; 3],
    },
    /// y = prod_i (|4 x_i - 2| + a_i) / (1 + a_i).
    SobolG {
        /// One coefficient per input: the larger, the less it matters.
        a: Vec<f64>,
        /// Inputs x1..xk.
        inputs: Vec<ParamId>,
    },
}

impl Function {
    /// The value at the parameter values `p` (indexed by [`ParamId`]).
    pub fn evaluate(&self, p: &[f64]) -> f64 {
        let x = |id: ParamId| p[id.index()];
        match self {
            Function::Ishigami { a, b, inputs } => {
                let [x1, x2, x3] = inputs.map(x);
                x1.sin() + a * x2.sin().powi(2) + b * x3.powi(4) * x1.sin()
            }
            Function::SobolG { a, inputs } => a
                .iter()
                .zip(inputs)
                .map(|(&ai, &id)| ((4.0 * x(id) - 2.0).abs() + ai) / (1.0 + ai))
                .product(),
        }
    }
}

/// The `ishigami` kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct IshigamiKind;

/// The `sobol_g` kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct SobolGKind;

/// The one scalar a benchmark records.
fn catalogue() -> Catalogue {
    Catalogue {
        series: Vec::new(),
        scalars: vec![Described::new("y", "y", Unit::Index, false)],
    }
}

impl ModelKind for IshigamiKind {
    fn name(&self) -> &'static str {
        "ishigami"
    }

    fn model_keys(&self) -> &'static [&'static str] {
        &["a", "b"]
    }

    fn sections(&self) -> &'static [&'static str] {
        &["inputs"]
    }

    fn yearly(&self) -> bool {
        false
    }

    fn catalogue(&self) -> Catalogue {
        catalogue()
    }

    fn read(
        &self,
        schema: &mut Schema<'_>,
        input: KindInput<'_, '_>,
    ) -> Option<Arc<dyn ModelSpec>> {
        let function = schema::ishigami(schema, input)?;
        Some(Arc::new(Benchmark { function }))
    }
}

impl ModelKind for SobolGKind {
    fn name(&self) -> &'static str {
        "sobol_g"
    }

    fn model_keys(&self) -> &'static [&'static str] {
        &["a"]
    }

    fn sections(&self) -> &'static [&'static str] {
        &["inputs"]
    }

    fn yearly(&self) -> bool {
        false
    }

    fn catalogue(&self) -> Catalogue {
        catalogue()
    }

    fn read(
        &self,
        schema: &mut Schema<'_>,
        input: KindInput<'_, '_>,
    ) -> Option<Arc<dyn ModelSpec>> {
        let function = schema::sobol_g(schema, input)?;
        Some(Arc::new(Benchmark { function }))
    }
}

/// A benchmark scenario's spec: the function with its coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// The function and its inputs.
    pub function: Function,
}

impl ModelSpec for Benchmark {
    fn kind(&self) -> &'static str {
        match self.function {
            Function::Ishigami { .. } => "ishigami",
            Function::SobolG { .. } => "sobol_g",
        }
    }

    fn catalogue(&self) -> Catalogue {
        catalogue()
    }

    fn describe(&self, _scenario: &Scenario) -> String {
        match &self.function {
            Function::Ishigami { a, b, .. } => {
                format!("\nfunction   y = sin x1 + {a} sin^2 x2 + {b} x3^4 sin x1\n")
            }
            Function::SobolG { a, .. } => {
                let a: Vec<String> = a.iter().map(|v| v.to_string()).collect();
                format!(
                    "\nfunction   y = prod_i (|4 x_i - 2| + a_i) / (1 + a_i), a = [{}]\n",
                    a.join(", ")
                )
            }
        }
    }

    fn build(
        &self,
        _scenario: &Scenario,
        _options: ModelOptions,
    ) -> Result<Box<dyn RunnableModel>, Error> {
        Ok(Box::new(BenchmarkModel::new(self.function.clone())))
    }
}

/// A benchmark function as a model with one scalar, `y`.
#[derive(Debug, Clone)]
pub struct BenchmarkModel {
    function: Function,
    layout: OutputLayout,
}

impl BenchmarkModel {
    /// The model of `function`.
    pub fn new(function: Function) -> Self {
        BenchmarkModel {
            function,
            layout: OutputLayout::from_catalogue(catalogue(), &[], Vec::new()),
        }
    }
}

impl Model for BenchmarkModel {
    type Workspace = ();

    fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    fn workspace(&self) {}

    fn run(&self, _replication: u64, parameters: &[f64], _: &mut (), record: &mut Record) {
        record.scalars[0] = self.function.evaluate(parameters);
    }

    fn draws_shocks(&self) -> bool {
        false
    }
}

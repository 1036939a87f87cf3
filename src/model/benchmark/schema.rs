//! Reading a benchmark scenario: the coefficients in `[model]` and the
//! inputs in `[inputs]`.

use super::Function;
use crate::scenario::reader::{self, TableReader};
use crate::scenario::{KindInput, Schema};
use crate::uncertainty::range::short_number;
use crate::uncertainty::{ParamId, ValueRange};

/// The Ishigami coefficients a and b.
const ISHIGAMI_COEFFICIENT: ValueRange = ValueRange::Between(-1e100, 1e100);
/// The Ishigami inputs.
const ISHIGAMI_INPUT: ValueRange = ValueRange::Between(-1e6, 1e6);
/// Most Sobol' G coefficients (inputs): y is at most 2^k.
const MAX_SOBOL_G_INPUTS: usize = 400;

/// `[inputs]`, required.
fn inputs<'t>(schema: &mut Schema, input: &mut KindInput<'_, 't>) -> Option<TableReader<'t>> {
    schema.section(input.top, "inputs", "[inputs]", true)
}

/// `kind = "ishigami"`: `a` (7) and `b` (0.1), inputs x1, x2, x3.
pub(super) fn ishigami(schema: &mut Schema, mut input: KindInput<'_, '_>) -> Option<Function> {
    let model = match input.model {
        Some(node) => Some(reader::table(&mut schema.ctx, node, "model")?),
        None => None,
    };
    let coef = |schema: &mut Schema, key: &str, default: f64| match model.and_then(|m| m.get(key)) {
        Some(e) => {
            let path = format!("model.{key}");
            let v = reader::plain_number(&mut schema.ctx, &e.value, &path)?;
            if !ISHIGAMI_COEFFICIENT.contains(v) {
                schema.ctx.error(
                    e.value.origin,
                    &path,
                    format!(
                        "expected {}, found {}",
                        ISHIGAMI_COEFFICIENT.describe(),
                        short_number(v)
                    ),
                );
                return None;
            }
            Some(v)
        }
        None => Some(default),
    };
    let a = coef(schema, "a", 7.0);
    let b = coef(schema, "b", 0.1);
    let mut inputs = inputs(schema, &mut input)?;
    let x1 = schema.param(&mut inputs, "x1", ISHIGAMI_INPUT, None);
    let x2 = schema.param(&mut inputs, "x2", ISHIGAMI_INPUT, None);
    let x3 = schema.param(&mut inputs, "x3", ISHIGAMI_INPUT, None);
    let function = (|| {
        Some(Function::Ishigami {
            a: a?,
            b: b?,
            inputs: [x1?, x2?, x3?],
        })
    })();
    schema.finish(inputs, function)
}

/// `kind = "sobol_g"`: `a = [...]`, inputs x1..xk, one per coefficient.
pub(super) fn sobol_g(schema: &mut Schema, mut input: KindInput<'_, '_>) -> Option<Function> {
    let node = input.model?;
    let model = reader::table(&mut schema.ctx, node, "model")?;
    let Some(entry) = model.get("a") else {
        schema.ctx.error(
            node.origin,
            "model.a",
            "kind = \"sobol_g\" needs its coefficients: a = [0, 1, 4.5, 9]",
        );
        return None;
    };
    let a = reader::numbers(&mut schema.ctx, &entry.value, "model.a")?;
    if a.is_empty() || a.len() > MAX_SOBOL_G_INPUTS || a.iter().any(|&v| v < 0.0) {
        schema
            .ctx
            .error(
                entry.value.origin,
                "model.a",
                format!(
                    "expected 1 to {MAX_SOBOL_G_INPUTS} coefficients, each >= 0, found {}",
                    a.len()
                ),
            )
            .help = Some(format!(
            "with k inputs y can reach 2^k; beyond {MAX_SOBOL_G_INPUTS} its variance would overflow"
        ));
        return None;
    }
    let mut inputs = inputs(schema, &mut input)?;
    // The G function is defined on the unit cube: outside it a factor
    // |4 x - 2| grows without bound.
    let ids: Option<Vec<ParamId>> = (1..=a.len())
        .map(|i| schema.param(&mut inputs, &format!("x{i}"), ValueRange::Share, None))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let function = ids.map(|inputs| Function::SobolG { a, inputs });
    schema.finish(inputs, function)
}

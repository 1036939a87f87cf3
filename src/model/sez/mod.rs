//! The SEZ growth model, everything about it in one folder: how a scenario
//! describes it (`schema`, `io`, `projects`, read into the `spec` types),
//! what it records (`outputs`), what `sezsim check` says of it, which
//! series a sweep may set, and the simulation itself (`simulate`, with the
//! power kernel in `power`).
//!
//! docs/model.md explains every equation with its scenario key and
//! output; docs/scenario-format.md every key with its range.

mod io;
pub mod outputs;
pub mod power;
mod projects;
mod schema;
pub mod simulate;
pub mod spec;

use std::any::Any;
use std::fmt::Write;
use std::sync::Arc;

pub use outputs::{NationalOutput, Scalar, ZoneOutput};
pub use simulate::{Mode, SezModel, SezWorkspace};
pub use spec::*;

use crate::engine::{Catalogue, RunnableModel};
use crate::error::Error;
use crate::scenario::{
    KindInput, MergeRules, ModelKind, ModelOptions, ModelSpec, Scenario, Schema, Series,
};
use crate::uncertainty::ValueRange;

/// The `sez` kind of model.
#[derive(Debug, Clone, Copy, Default)]
pub struct SezKind;

/// Zones merge by `id` and energy projects by `name`; a zone's `sourcing`
/// shares are one value.
const MERGE_RULES: MergeRules = MergeRules {
    keyed_arrays: &[("zones", "id"), ("energy_projects", "name")],
    value_keys: &["sourcing"],
};

impl ModelKind for SezKind {
    fn name(&self) -> &'static str {
        "sez"
    }

    fn sections(&self) -> &'static [&'static str] {
        &[
            "global",
            "io",
            "zone_defaults",
            "zones",
            "energy_projects",
            "committed_investments",
        ]
    }

    fn merge_rules(&self) -> MergeRules {
        MERGE_RULES
    }

    fn yearly(&self) -> bool {
        true
    }

    fn catalogue(&self) -> Catalogue {
        outputs::catalogue()
    }

    fn default_charts(&self) -> Vec<String> {
        outputs::DEFAULT_CHARTS
            .iter()
            .map(|o| o.name().to_string())
            .collect()
    }

    fn read(
        &self,
        schema: &mut Schema<'_>,
        input: KindInput<'_, '_>,
    ) -> Option<Arc<dyn ModelSpec>> {
        let spec = schema::SezReader::new(schema).read(input.top, &input.horizon)?;
        Some(Arc::new(spec))
    }
}

impl ModelSpec for SezSpec {
    fn kind(&self) -> &'static str {
        "sez"
    }

    fn catalogue(&self) -> Catalogue {
        outputs::catalogue()
    }

    fn groups(&self) -> Vec<(String, String)> {
        self.zones
            .iter()
            .map(|z| (z.id.clone(), z.name.clone()))
            .collect()
    }

    fn describe(&self, scenario: &Scenario) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = describe(self, scenario, &mut out);
        out
    }

    fn series(&self) -> Vec<(String, &Series, ValueRange)> {
        let mut list = vec![
            (
                "global.grid_availability".to_string(),
                &self.global.grid_availability,
                ValueRange::OpenShare,
            ),
            (
                "global.port_capacity_teu".to_string(),
                &self.global.port_capacity_teu,
                ValueRange::NonNegative,
            ),
        ];
        for z in &self.zones {
            list.push((
                format!("zones.{}.workforce.trainees_per_year", z.id),
                &z.workforce.trainees_per_year,
                ValueRange::Between(0.0, schema::MAX_PERSONS),
            ));
            list.push((
                format!("zones.{}.fiscal.public_cost", z.id),
                &z.fiscal.public_cost,
                ValueRange::Between(0.0, schema::MAX_MUSD),
            ));
        }
        list
    }

    fn with_series(&self, path: &str, value: f64) -> Option<Arc<dyn ModelSpec>> {
        let mut spec = self.clone();
        let series = match path.split('.').collect::<Vec<_>>().as_slice() {
            ["global", "grid_availability"] => &mut spec.global.grid_availability,
            ["global", "port_capacity_teu"] => &mut spec.global.port_capacity_teu,
            ["zones", id, "workforce", "trainees_per_year"] => {
                &mut spec
                    .zones
                    .iter_mut()
                    .find(|z| z.id == *id)?
                    .workforce
                    .trainees_per_year
            }
            ["zones", id, "fiscal", "public_cost"] => {
                &mut spec
                    .zones
                    .iter_mut()
                    .find(|z| z.id == *id)?
                    .fiscal
                    .public_cost
            }
            _ => return None,
        };
        *series = Series::constant(value, series.values.len());
        Some(Arc::new(spec))
    }

    fn build(
        &self,
        scenario: &Scenario,
        options: ModelOptions,
    ) -> Result<Box<dyn RunnableModel>, Error> {
        let mode = if options.deterministic {
            Mode::Deterministic
        } else {
            Mode::Random
        };
        Ok(Box::new(SezModel::new(scenario, self, options.seed, mode)?))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Zones, energy projects, committed investments and the input-output
/// table, as `sezsim check` lists them.
fn describe(sez: &SezSpec, s: &Scenario, out: &mut String) -> std::fmt::Result {
    writeln!(out, "\nzones ({})", sez.zones.len())?;
    let w = sez.zones.iter().map(|z| z.id.len()).max().unwrap_or(0);
    for z in &sez.zones {
        let delay = &s.parameters.get(z.investment.opening_delay).distribution;
        let delay = if delay.is_fixed() && delay.mean() == 0.0 {
            String::new()
        } else {
            format!(", opening delay {delay}")
        };
        writeln!(
            out,
            "  {:w$}  {} (opens {}{delay})",
            z.id, z.name, z.opens_year
        )?;
    }
    if !sez.energy_projects.is_empty() {
        writeln!(out, "\nenergy projects ({})", sez.energy_projects.len())?;
        for p in &sez.energy_projects {
            let delay = &s.parameters.get(p.delay).distribution;
            writeln!(
                out,
                "  {} -> {}: {} MW x {} capacity factor x {} share, planned {}, delay {delay}",
                p.name,
                sez.zones[p.zone].id,
                p.capacity_mw,
                p.capacity_factor,
                p.zone_share,
                p.planned_year
            )?;
        }
    }
    if !sez.committed_investments.is_empty() {
        let total: f64 = sez.committed_investments.iter().map(|c| c.amount).sum();
        let expected: f64 = sez
            .committed_investments
            .iter()
            .map(|c| c.amount * c.probability)
            .sum();
        writeln!(
            out,
            "\ncommitted investments: {} (USD {total} million announced, {expected:.1} million expected)",
            sez.committed_investments.len()
        )?;
    }
    writeln!(
        out,
        "\ninput-output table: {} sectors ({})",
        sez.io.sectors.len(),
        sez.io.sectors.join(", ")
    )
}

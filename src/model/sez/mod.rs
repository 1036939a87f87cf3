//! The SEZ growth model, everything about it in one folder: how a scenario
//! describes it (`schema` with the global sections, `io`, `zone` with a
//! zone's land in `phases` and its hours-mode energy keys in
//! `zone_energy`, `projects`, read into the `spec` types),
//! what it records (`outputs`), what `sezsim check` says of it, which
//! series a sweep may set, and the simulation itself (`setup` builds the
//! model, `draws` what holds for a replication, `simulate` the year loop,
//! with a zone-year's energy in `energy`, the power kernel in `power` and
//! the tax and policy-cost helpers in `fiscal`).
//!
//! docs/model.md explains every equation with its scenario key and
//! output; docs/scenario-format.md every key with its range.

mod draws;
mod energy;
mod fiscal;
mod io;
mod labels;
pub mod outputs;
mod phases;
pub mod power;
mod projects;
mod schema;
mod setup;
mod simulate;
mod spec;
mod zone;
mod zone_energy;

use std::fmt::Write;
use std::sync::Arc;

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

/// Zones merge by `id`, a zone's phases and energy projects by `name`; a
/// zone's `sourcing` shares are one value.
const MERGE_RULES: MergeRules = MergeRules {
    keyed_arrays: &[
        ("zones", "id"),
        ("zones.*.phases", "name"),
        ("energy_projects", "name"),
    ],
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

    fn parameter_label(&self, path: &str) -> String {
        labels::parameter_label(self, path)
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
        let mut list = Vec::new();
        match &self.global.power {
            PowerMode::Balance {
                grid_availability, ..
            } => list.push((
                "global.grid_availability".to_string(),
                grid_availability,
                ValueRange::OpenShare,
            )),
            PowerMode::Hours(h) => {
                for (key, series, range) in [
                    (
                        "outage_unplanned_hours",
                        &h.unplanned_hours,
                        schema::HOURS_A_DAY,
                    ),
                    (
                        "outage_planned_hours",
                        &h.planned_hours,
                        schema::HOURS_A_DAY,
                    ),
                    ("tariff", &h.tariff, schema::PRICE),
                ] {
                    list.push((format!("global.{key}"), series, range));
                }
            }
        }
        list.push((
            "global.port_capacity_teu".to_string(),
            &self.global.port_capacity_teu,
            ValueRange::NonNegative,
        ));
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
            if let Some(h) = &z.energy.hours {
                list.push((
                    format!("zones.{}.energy.tariff_relief", z.id),
                    &h.tariff_relief,
                    schema::PRICE,
                ));
            }
        }
        list
    }

    fn with_series(&self, path: &str, value: f64) -> Option<Arc<dyn ModelSpec>> {
        let mut spec = self.clone();
        let parts: Vec<&str> = path.split('.').collect();
        let series = match (parts.as_slice(), &mut spec.global.power) {
            (
                ["global", "grid_availability"],
                PowerMode::Balance {
                    grid_availability, ..
                },
            ) => grid_availability,
            (["global", "outage_unplanned_hours"], PowerMode::Hours(h)) => &mut h.unplanned_hours,
            (["global", "outage_planned_hours"], PowerMode::Hours(h)) => &mut h.planned_hours,
            (["global", "tariff"], PowerMode::Hours(h)) => &mut h.tariff,
            (["global", "port_capacity_teu"], _) => &mut spec.global.port_capacity_teu,
            (["zones", id, section, key], _) => {
                let zone = spec.zones.iter_mut().find(|z| z.id == *id)?;
                match (*section, *key) {
                    ("workforce", "trainees_per_year") => &mut zone.workforce.trainees_per_year,
                    ("fiscal", "public_cost") => &mut zone.fiscal.public_cost,
                    ("energy", "tariff_relief") => &mut zone.energy.hours.as_mut()?.tariff_relief,
                    _ => return None,
                }
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
}

/// The power mode, zones (with their phases), energy projects, committed
/// investments, common parameters and the input-output table, as
/// `sezsim check` lists them.
fn describe(sez: &SezSpec, s: &Scenario, out: &mut String) -> std::fmt::Result {
    let dist = |id| &s.parameters.get(id).distribution;
    match &sez.global.power {
        PowerMode::Balance { .. } => writeln!(
            out,
            "\npower mode balance (annual energy against the connection)"
        )?,
        PowerMode::Hours(_) => writeln!(
            out,
            "\npower mode hours (outage hours a day, peak load, energy prices)"
        )?,
    }
    if let Some(year) = sez.global.holiday_sunset_year {
        writeln!(out, "holiday sunset {year}: no tax holiday from then on")?;
    }
    writeln!(out, "\nzones ({})", sez.zones.len())?;
    let w = sez.zones.iter().map(|z| z.id.len()).max().unwrap_or(0);
    for z in &sez.zones {
        let delay = dist(z.investment.opening_delay);
        let delay = if delay.is_fixed() && delay.mean() == 0.0 {
            String::new()
        } else {
            format!(", opening delay {delay}")
        };
        let basis = match z.fiscal.holiday_basis {
            HolidayBasis::Zone => "",
            HolidayBasis::Enterprise => ", holidays by enterprise",
        };
        writeln!(
            out,
            "  {:w$}  {} (opens {}{delay}{basis})",
            z.id, z.name, z.opens_year
        )?;
        for p in &z.phases {
            writeln!(
                out,
                "  {:w$}    phase {}: {} ha, planned {}, delay {}, grid {} MW",
                "",
                p.name,
                dist(p.area_ha),
                p.planned_year,
                dist(p.delay),
                dist(p.grid_mw)
            )?;
        }
        if let Some(f) = z.energy.hours.as_ref().and_then(|h| h.feeder) {
            writeln!(
                out,
                "  {:w$}    dedicated feeder from {}: capex USD {} million, O&M USD {} million a year",
                "", f.year, f.capex, f.om
            )?;
        }
    }
    if !sez.energy_projects.is_empty() {
        writeln!(out, "\nenergy projects ({})", sez.energy_projects.len())?;
        for p in &sez.energy_projects {
            let kind = match p.kind {
                ProjectKind::Grid => "grid".to_string(),
                ProjectKind::Captive {
                    islanding_coverage,
                    lcoe,
                } => format!("captive, islanding {islanding_coverage}, {lcoe} USD/MWh"),
            };
            writeln!(
                out,
                "  {} -> {} ({kind}): {} MW x {} capacity factor x {} share, planned {}, delay {}",
                p.name,
                sez.zones[p.zone].id,
                p.capacity_mw,
                p.capacity_factor,
                p.zone_share,
                p.planned_year,
                dist(p.delay)
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
    if !sez.common.is_empty() {
        writeln!(
            out,
            "\nshared parameters (scope = \"common\": one draw for every zone that inherits it)"
        )?;
        for c in &sez.common {
            writeln!(
                out,
                "  {}  shared by {}",
                s.parameters.get(c.id).path,
                c.zones.join(", ")
            )?;
        }
    }
    writeln!(
        out,
        "\ninput-output table: {} sectors ({})",
        sez.io.sectors.len(),
        sez.io.sectors.join(", ")
    )
}

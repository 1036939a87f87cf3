//! Scenario variants made in memory: a scenario with some parameters set
//! to plain values (a sweep point), validated exactly like a file.
//!
//! A variant is what a child file with `extends` would give: the overrides
//! become a located tree (`global.x` under `[global]`, a zone's key under
//! that zone's `[[zones]]` entry, a project's delay under its
//! `[[energy_projects]]` entry), merged over the base's merged tree by the
//! same rules as inheritance, then read by the same builder. So every range
//! check applies, the manifest's input hashes stay meaningful, and an
//! invalid value is reported at the place it was written in the file that
//! set it (a sweep file), with its key path.

use std::path::{Path, PathBuf};

use super::raw::{self, Entry, FileId, Node, Origin, RawScenario, Table, Value};
use super::reader::close_matches;
use super::{ModelSpec, Scenario, build};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// One parameter set to a plain value.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Its parameter path (`global.x`, `zones.<id>.<section>.<key>`,
    /// `energy_projects.<name>.delay`, `inputs.<name>`).
    pub path: String,
    /// The value: the parameter becomes fixed (or the series constant).
    pub value: f64,
    /// Byte offset of where the value was written in the template's
    /// overriding file (see [`ScenarioTemplate::load`]), for error
    /// locations; `None` points at the start of that file.
    pub offset: Option<usize>,
}

/// A base scenario from which variants are made.
#[derive(Debug, Clone)]
pub struct ScenarioTemplate {
    raw: RawScenario,
    base: Scenario,
    /// The file the overrides are written in, in `raw.sources`.
    overrides_file: Option<FileId>,
    settable: Vec<String>,
}

impl ScenarioTemplate {
    /// Load and validate the scenario at `path`. `overrides_file` is the
    /// file (path and text) whose values variants will set: errors in those
    /// values are located in it, and it is listed among each variant's
    /// inputs.
    pub fn load(
        path: &Path,
        overrides_file: Option<(PathBuf, String)>,
    ) -> Result<ScenarioTemplate, Diagnostics> {
        let mut raw = raw::load_raw(path).map_err(|(_, errors)| Diagnostics(errors))?;
        let base = build::build(&raw).map_err(Diagnostics)?;
        let overrides_file = overrides_file.map(|(p, text)| raw.sources.add(p, text));
        let settable = settable_paths(&base);
        Ok(ScenarioTemplate {
            raw,
            base,
            overrides_file,
            settable,
        })
    }

    /// The base scenario, as loaded.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// Every path a variant may set: every parameter of the base, and its
    /// yearly series (which become constant).
    pub fn settable_paths(&self) -> &[String] {
        &self.settable
    }

    /// Whether `path` can be set; otherwise a message and a hint listing
    /// the closest valid paths.
    pub fn check_path(&self, path: &str) -> Result<(), (String, String)> {
        if !self.settable.iter().any(|p| p == path) {
            let close = close_matches(path, self.settable.iter().map(String::as_str), 5);
            let help = if close.is_empty() {
                "paths look like global.<key>, zones.<id>.<section>.<key>, energy_projects.<name>.delay or inputs.<name>; `sezsim check` lists the base's parameters".to_string()
            } else {
                format!("close matches: {}", close.join(", "))
            };
            return Err((format!("unknown parameter path `{path}`"), help));
        }
        if path.starts_with("energy_projects.")
            && matches!(
                self.raw.root.get("energy_projects").map(|e| &e.value.value),
                Some(Value::String(_))
            )
        {
            return Err((
                format!("`{path}`: the base reads its energy projects from a CSV file, so a project's delay cannot be set here"),
                "write the projects as [[energy_projects]] tables in a scenario that extends the base, and use that scenario as the base".into(),
            ));
        }
        let correlated = self.base.correlations.iter().find_map(|c| {
            let (a, b) = (
                &self.base.parameters.get(c.a).path,
                &self.base.parameters.get(c.b).path,
            );
            if a == path {
                Some(b)
            } else if b == path {
                Some(a)
            } else {
                None
            }
        });
        if let Some(other) = correlated {
            return Err((
                format!("`{path}` is correlated with `{other}` in the base scenario, and a parameter set to one value per variant cannot be correlated"),
                "remove that [[correlations]] entry in a scenario that extends the base, and use that scenario as the base".into(),
            ));
        }
        Ok(())
    }

    /// The base with `overrides` applied, validated as a whole (ranges,
    /// references, correlations). The paths must have passed
    /// [`ScenarioTemplate::check_path`].
    pub fn variant(&self, overrides: &[Override]) -> Result<Scenario, Diagnostics> {
        let file = self.overrides_file.unwrap_or(self.raw.root_origin.file);
        let mut child = Table::default();
        for o in overrides {
            let origin = Origin {
                file,
                offset: o.offset.unwrap_or(0),
            };
            set_path(&mut child, &o.path, o.value, origin).map_err(|message| {
                Diagnostics::from(
                    Diagnostic::new(message)
                        .at(self.raw.sources.location(origin.file, origin.offset))
                        .key(&o.path),
                )
            })?;
        }
        let mut raw = self.raw.clone();
        // Overrides are numbers: they never replace a list.
        let _ = raw::merge_tables(&mut raw.root, child, "");
        build::build(&raw).map_err(Diagnostics)
    }
}

/// The parameter paths of `scenario`, then its series paths.
fn settable_paths(scenario: &Scenario) -> Vec<String> {
    let mut paths: Vec<String> = scenario.parameters.paths().map(str::to_string).collect();
    if let ModelSpec::Sez(spec) = &scenario.model {
        paths.push("global.grid_availability".into());
        paths.push("global.port_capacity_teu".into());
        for z in &spec.zones {
            paths.push(format!("zones.{}.workforce.trainees_per_year", z.id));
            paths.push(format!("zones.{}.fiscal.public_cost", z.id));
        }
    }
    paths
}

fn node(value: Value, origin: Origin) -> Node {
    Node { value, origin }
}

/// The sub-table `key` of `table`, made if missing.
fn table_at<'t>(table: &'t mut Table, key: &str, origin: Origin) -> &'t mut Table {
    let i = match table.entries.iter().position(|e| e.key == key) {
        Some(i) => i,
        None => {
            table.entries.push(Entry {
                key: key.to_string(),
                key_origin: origin,
                value: node(Value::Table(Table::default()), origin),
            });
            table.entries.len() - 1
        }
    };
    match &mut table.entries[i].value.value {
        Value::Table(t) => t,
        _ => unreachable!("only tables are made under these keys"),
    }
}

/// The entry of array `key` whose `id_key` is `id`, made if missing, as
/// inheritance merges `[[zones]]` by id and `[[energy_projects]]` by name.
fn item_at<'t>(
    table: &'t mut Table,
    key: &str,
    id_key: &str,
    id: &str,
    origin: Origin,
) -> &'t mut Table {
    if table.entries.iter().all(|e| e.key != key) {
        table.entries.push(Entry {
            key: key.to_string(),
            key_origin: origin,
            value: node(Value::Array(Vec::new()), origin),
        });
    }
    let entry = table
        .entries
        .iter_mut()
        .find(|e| e.key == key)
        .expect("just ensured");
    let Value::Array(items) = &mut entry.value.value else {
        unreachable!("only arrays are made under these keys")
    };
    let has_id = |t: &Table| matches!(t.get(id_key).map(|e| &e.value.value), Some(Value::String(s)) if s == id);
    let i = match items
        .iter()
        .position(|n| matches!(&n.value, Value::Table(t) if has_id(t)))
    {
        Some(i) => i,
        None => {
            let mut t = Table::default();
            t.entries.push(Entry {
                key: id_key.to_string(),
                key_origin: origin,
                value: node(Value::String(id.to_string()), origin),
            });
            items.push(node(Value::Table(t), origin));
            items.len() - 1
        }
    };
    match &mut items[i].value {
        Value::Table(t) => t,
        _ => unreachable!("only tables are pushed"),
    }
}

/// Write `value` at parameter path `path` into the child tree `root`.
fn set_path(root: &mut Table, path: &str, value: f64, origin: Origin) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (table, key) = match parts.as_slice() {
        ["global", key] => (table_at(root, "global", origin), *key),
        ["inputs", key] => (table_at(root, "inputs", origin), *key),
        ["zones", id, section, key] => {
            let zone = item_at(root, "zones", "id", id, origin);
            (table_at(zone, section, origin), *key)
        }
        ["energy_projects", name, "delay"] => (
            item_at(root, "energy_projects", "name", name, origin),
            "delay",
        ),
        _ => return Err(format!("`{path}` is not a parameter path that can be set")),
    };
    table.entries.retain(|e| e.key != key);
    table.entries.push(Entry {
        key: key.to_string(),
        key_origin: origin,
        value: node(Value::Float(value), origin),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> ScenarioTemplate {
        let text = "# overrides\nvalue = 2.0\n".to_string();
        ScenarioTemplate::load(
            Path::new("tests/fixtures/full/child.toml"),
            Some((PathBuf::from("sweep.toml"), text)),
        )
        .unwrap()
    }

    fn value_of(s: &Scenario, path: &str) -> f64 {
        let id = s.parameters.id(path).unwrap();
        let d = &s.parameters.get(id).distribution;
        assert!(d.is_fixed(), "{path} fixed");
        d.mean()
    }

    #[test]
    fn overrides_reach_globals_zones_and_series() {
        let t = template();
        let o = |path: &str, value: f64| Override {
            path: path.into(),
            value,
            offset: None,
        };
        let v = t
            .variant(&[
                o("global.demand_persistence", 0.25),
                o("zones.east.investment.bass_q", 0.5),
                o("zones.north.energy.grid_mw", 12.0),
                o("zones.north.workforce.trainees_per_year", 300.0),
            ])
            .unwrap();
        assert_eq!(value_of(&v, "global.demand_persistence"), 0.25);
        assert_eq!(value_of(&v, "zones.east.investment.bass_q"), 0.5);
        assert_eq!(value_of(&v, "zones.north.energy.grid_mw"), 12.0);
        let ModelSpec::Sez(spec) = &v.model else {
            panic!()
        };
        let north = spec.zones.iter().find(|z| z.id == "north").unwrap();
        assert!(
            north
                .workforce
                .trainees_per_year
                .values
                .iter()
                .all(|&x| x == 300.0)
        );
        // Nothing else changed: the other zones keep their values.
        let base_south = value_of(t.base(), "zones.south.energy.grid_mw");
        assert_eq!(value_of(&v, "zones.south.energy.grid_mw"), base_south);
        assert_eq!(spec.zones.len(), 3);
        // The overriding file is an input of the variant.
        assert!(v.inputs.iter().any(|f| f.path == Path::new("sweep.toml")));
    }

    #[test]
    fn bad_paths_and_values_are_located_errors() {
        let t = template();
        let (msg, help) = t.check_path("global.demand_persistance").unwrap_err();
        assert!(msg.contains("unknown parameter path"));
        assert!(help.contains("global.demand_persistence"), "{help}");
        // The base reads its projects from CSV: their delays cannot be set.
        let projects: Vec<&String> = t
            .settable_paths()
            .iter()
            .filter(|p| p.starts_with("energy_projects."))
            .collect();
        assert!(!projects.is_empty());
        assert!(t.check_path(projects[0]).unwrap_err().0.contains("CSV"));
        // An out-of-range value is reported where the override was written.
        let err = t
            .variant(&[Override {
                path: "global.demand_persistence".into(),
                value: 2.0,
                offset: Some(12),
            }])
            .unwrap_err()
            .to_string();
        assert!(err.contains("sweep.toml:2:1"), "{err}");
        assert!(err.contains("global.demand_persistence"), "{err}");
    }
}

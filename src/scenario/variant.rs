//! Scenario variants made in memory: a scenario with some parameters set
//! to plain values (a sweep point).
//!
//! A point is made from the validated base, not from its files: each value
//! is checked against the range its parameter (or series) was registered
//! with, then the parameter becomes fixed, keeping its id, or the series
//! constant. Nothing is read or validated again, so a sweep of many points
//! costs one load. An invalid value is reported where it was written in
//! the file that set it (a sweep file), with its key path.

use std::path::{Path, PathBuf};

use super::kind::Registry;
use super::reader::close_matches;
use super::{InputFile, Scenario, sha256_hex};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::uncertainty::ValueRange;
use crate::uncertainty::range::short_number;

/// One parameter set to a plain value.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Its parameter path (`global.x`, `zones.<id>.<section>.<key>`,
    /// `energy_projects.<name>.delay`, `inputs.<name>`), or the path of a
    /// yearly series, which becomes constant.
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
    base: Scenario,
    /// The file the overrides are written in (path and text).
    overrides_file: Option<(PathBuf, String)>,
    settable: Vec<String>,
}

/// What an override sets.
enum Target {
    Parameter(crate::uncertainty::ParamId, ValueRange),
    Series(ValueRange),
}

impl ScenarioTemplate {
    /// Load and validate the scenario at `path` with the kinds of
    /// `registry`. `overrides_file` is the file (path and text) whose
    /// values variants will set: errors in those values are located in it,
    /// and it is listed among each variant's inputs.
    pub fn load(
        path: &Path,
        registry: &Registry,
        overrides_file: Option<(PathBuf, String)>,
    ) -> Result<ScenarioTemplate, Diagnostics> {
        let base = super::load(path, registry)?;
        Ok(ScenarioTemplate::new(base, overrides_file))
    }

    /// A template of the validated scenario `base`.
    pub fn new(base: Scenario, overrides_file: Option<(PathBuf, String)>) -> ScenarioTemplate {
        let mut settable: Vec<String> = base.parameters.paths().map(str::to_string).collect();
        settable.extend(base.model.series().into_iter().map(|(path, _, _)| path));
        ScenarioTemplate {
            base,
            overrides_file,
            settable,
        }
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
        if let Some(refusal) = self.base.model.refuses_setting(path) {
            return Err(refusal);
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

    /// What `path` sets (it passed [`Self::check_path`]).
    fn target(&self, path: &str) -> Option<Target> {
        if let Some(id) = self.base.parameters.id(path) {
            return Some(Target::Parameter(id, self.base.parameters.get(id).range));
        }
        self.base
            .model
            .series()
            .into_iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, _, range)| Target::Series(range))
    }

    /// Where an override was written.
    fn location(&self, o: &Override) -> Location {
        match &self.overrides_file {
            Some((path, text)) => Location::at_offset(path, text, o.offset.unwrap_or(0)),
            None => Location::file(&self.base.inputs[0].path),
        }
    }

    /// The base with `overrides` applied: each value is checked against its
    /// parameter's or series' range (every problem reported, located where
    /// the value was written), then set. The paths must have passed
    /// [`ScenarioTemplate::check_path`].
    pub fn variant(&self, overrides: &[Override]) -> Result<Scenario, Diagnostics> {
        let mut scenario = self.base.clone();
        let mut errors = Vec::new();
        for o in overrides {
            let at = || self.location(o);
            let out_of_range = |range: ValueRange| {
                Diagnostic::new(format!(
                    "expected {}, found {}",
                    range.describe(),
                    short_number(o.value)
                ))
                .at(at())
                .key(&o.path)
            };
            match self.target(&o.path) {
                Some(Target::Parameter(_, range)) | Some(Target::Series(range))
                    if !range.contains(o.value) =>
                {
                    errors.push(out_of_range(range));
                }
                Some(Target::Parameter(id, _)) => {
                    if let Err(e) = scenario.parameters.set_fixed(id, o.value) {
                        errors.push(Diagnostic::new(e.to_string()).at(at()).key(&o.path));
                    }
                }
                Some(Target::Series(_)) => match scenario.model.with_series(&o.path, o.value) {
                    Some(model) => scenario.model = model,
                    None => errors.push(
                        Diagnostic::new(format!("`{}` cannot be set", o.path))
                            .at(at())
                            .key(&o.path),
                    ),
                },
                None => errors.push(
                    Diagnostic::new(format!(
                        "`{}` is not a parameter path that can be set",
                        o.path
                    ))
                    .at(at())
                    .key(&o.path),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        if let Some((path, text)) = &self.overrides_file {
            scenario.inputs.push(InputFile {
                path: path.clone(),
                sha256: sha256_hex(text.as_bytes()),
            });
        }
        Ok(scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sez::SezSpec;

    fn template() -> ScenarioTemplate {
        let text = "# overrides\nvalue = 2.0\n".to_string();
        ScenarioTemplate::load(
            Path::new("tests/fixtures/full/child.toml"),
            &crate::model::builtin(),
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
        let spec = v.spec::<SezSpec>().unwrap();
        let north = spec.zones.iter().find(|z| z.id == "north").unwrap();
        assert!(
            north
                .workforce
                .trainees_per_year
                .values
                .iter()
                .all(|&x| x == 300.0)
        );
        // Nothing else changed: the other zones keep their values, and
        // every parameter keeps its id.
        let base_south = value_of(t.base(), "zones.south.energy.grid_mw");
        assert_eq!(value_of(&v, "zones.south.energy.grid_mw"), base_south);
        assert_eq!(spec.zones.len(), 3);
        assert_eq!(v.parameters.len(), t.base().parameters.len());
        // The overriding file is an input of the variant.
        assert!(v.inputs.iter().any(|f| f.path == Path::new("sweep.toml")));
    }

    #[test]
    fn bad_paths_and_values_are_located_errors() {
        let t = template();
        let (msg, help) = t.check_path("global.demand_persistance").unwrap_err();
        assert!(msg.contains("unknown parameter path"));
        assert!(help.contains("global.demand_persistence"), "{help}");
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

//! The seam between the generic scenario loader and a kind of model.
//!
//! The loader owns what every scenario has: the header, parameters and
//! their distributions, series, correlations, `[outputs]`, `extends` and
//! variants. A [`ModelKind`] owns the rest: its sections of the file and
//! how they merge under `extends`, its output catalogue, and the reading
//! of its sections into a [`ModelSpec`], the validated description a model
//! is built from. Adding a kind of model is a folder under `src/model/`
//! plus one line in [`crate::model::builtin`]; a program using the library
//! registers its own kinds in a [`Registry`].

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use super::Scenario;
use super::raw::Node;
use super::reader::TableReader;
use super::schema::{Horizon, Schema};
use super::types::Series;
use crate::engine::{Catalogue, RunnableModel};
use crate::error::Error;
use crate::uncertainty::ValueRange;

/// How `extends` merges a kind's sections: which arrays of tables merge
/// item by item, and which tables are single values.
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeRules {
    /// Arrays of tables merged by an identity key, as (key path pattern,
    /// identity key): `("zones", "id")`. In a pattern, `*` stands for one
    /// path segment, an item's identity (`zones.*.phases`).
    pub keyed_arrays: &'static [(&'static str, &'static str)],
    /// Keys whose table is one value whatever it holds (a map of shares),
    /// replaced whole and never merged key by key. Distribution tables and
    /// CSV series are values for every kind.
    pub value_keys: &'static [&'static str],
}

impl MergeRules {
    /// The identity key of the array at `key_path`, if it merges by one.
    pub fn identity_key(&self, key_path: &str) -> Option<&'static str> {
        self.keyed_arrays
            .iter()
            .find(|(pattern, _)| path_matches(pattern, key_path))
            .map(|&(_, id)| id)
    }
}

/// Whether dotted `path` matches `pattern`, where `*` matches one segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('.');
    let mut k = path.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// What a kind reads its sections from.
pub struct KindInput<'r, 't> {
    /// The merged top-level table; the kind asks for its own sections.
    pub top: &'r mut TableReader<'t>,
    /// The `[model]` table, whose keys besides `kind` are the kind's
    /// ([`ModelKind::model_keys`]); `None` when the file has none.
    pub model: Option<&'t Node>,
    /// The scenario's years.
    pub horizon: Horizon,
}

/// A kind of model, as the scenario loader sees it.
pub trait ModelKind: Send + Sync {
    /// The `[model].kind` name (`"sez"`).
    fn name(&self) -> &'static str;

    /// Keys of `[model]` besides `kind` that the kind reads (coefficients).
    fn model_keys(&self) -> &'static [&'static str] {
        &[]
    }

    /// Its top-level sections, for "belongs to another kind" hints.
    fn sections(&self) -> &'static [&'static str];

    /// How `extends` merges its sections.
    fn merge_rules(&self) -> MergeRules {
        MergeRules::default()
    }

    /// Whether it records yearly series, so that `[scenario]` must give
    /// `start_year`, `years` and `discount_rate`.
    fn yearly(&self) -> bool;

    /// Every series output and scalar it records, with labels and units.
    fn catalogue(&self) -> Catalogue;

    /// Outputs drawn as fan charts when `[outputs].charts` is not given:
    /// by default every series output of its catalogue.
    fn default_charts(&self) -> Vec<String> {
        self.catalogue()
            .series
            .into_iter()
            .map(|d| d.name)
            .collect()
    }

    /// Read its sections into a spec, registering every parameter with
    /// `schema` and reporting every problem there. `None` when something
    /// was wrong (and reported).
    fn read(&self, schema: &mut Schema<'_>, input: KindInput<'_, '_>)
    -> Option<Arc<dyn ModelSpec>>;
}

/// The validated description of a model, read by its kind: what the model
/// is built from, and what the rest of the tool may ask of it.
/// [`Scenario::spec`] gives the concrete type back.
pub trait ModelSpec: Debug + Send + Sync + Any {
    /// The kind's name.
    fn kind(&self) -> &'static str;

    /// Every series output and scalar the model records, labelled (its
    /// kind's [`ModelKind::catalogue`]).
    fn catalogue(&self) -> Catalogue;

    /// Zones (or other groups the series are recorded for), as (id, name),
    /// in model order.
    fn groups(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// What people call the parameter at `path` when the scenario gives it
    /// no `label`, for charts, reports and workbooks (see
    /// [`Parameter::label`](crate::uncertainty::Parameter::label)). By
    /// default the path's first part, then the rest in words
    /// ([`labels::generic_label`](super::labels::generic_label)).
    fn parameter_label(&self, path: &str) -> String {
        super::labels::generic_label(path)
    }

    /// Its part of what `sezsim check` prints, after the scenario's header
    /// (nothing by default).
    fn describe(&self, _scenario: &Scenario) -> String {
        String::new()
    }

    /// Its yearly series, as (path, series, valid range): listed by
    /// `check`, and settable to a constant by sweeps.
    fn series(&self) -> Vec<(String, &Series, ValueRange)> {
        Vec::new()
    }

    /// The spec with the series at `path` set to `value` every year.
    /// `None` when `path` is not one of [`ModelSpec::series`] (the default,
    /// for a kind without series).
    fn with_series(&self, _path: &str, _value: f64) -> Option<Arc<dyn ModelSpec>> {
        None
    }

    /// Why the parameter at `path` cannot be set by a sweep or variant
    /// (message, help), if it cannot.
    fn refuses_setting(&self, _path: &str) -> Option<(String, String)> {
        None
    }

    /// Build the model for a run of `scenario`.
    fn build(
        &self,
        scenario: &Scenario,
        options: ModelOptions,
    ) -> Result<Box<dyn RunnableModel>, Error>;
}

/// How to build a model for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    /// Replications of the run.
    pub replications: u64,
    /// The run's seed (stream keys derive from it).
    pub seed: u64,
    /// Deterministic mode: one replication, parameters at their means, no
    /// shocks.
    pub deterministic: bool,
}

/// The kinds of model a program knows, by name.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: Vec<Arc<dyn ModelKind>>,
}

impl Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// The registry with `kind` added (a kind of the same name is
    /// replaced).
    pub fn with(mut self, kind: impl ModelKind + 'static) -> Self {
        self.kinds.retain(|k| k.name() != kind.name());
        self.kinds.push(Arc::new(kind));
        self
    }

    /// The kind named `name`.
    pub fn kind(&self, name: &str) -> Option<&dyn ModelKind> {
        self.kinds
            .iter()
            .find(|k| k.name() == name)
            .map(|k| k.as_ref())
    }

    /// Every kind's name, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.name()).collect()
    }

    /// Every kind.
    pub fn kinds(&self) -> impl Iterator<Item = &dyn ModelKind> {
        self.kinds.iter().map(|k| k.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_segment_per_star() {
        assert!(path_matches("zones", "zones"));
        assert!(path_matches("zones.*.phases", "zones.rashakai.phases"));
        assert!(!path_matches("zones.*.phases", "zones.phases"));
        assert!(!path_matches("zones", "zones.rashakai"));
        let rules = MergeRules {
            keyed_arrays: &[("zones", "id"), ("zones.*.phases", "name")],
            value_keys: &[],
        };
        assert_eq!(rules.identity_key("zones.north.phases"), Some("name"));
        assert_eq!(rules.identity_key("energy_projects"), None);
    }
}

//! The set of static parameters of a scenario, and the sampler that turns a
//! replication index into one value per parameter.
//! [`ParameterSet`] and [`ParameterSampler`].

use std::collections::HashMap;

use super::Distribution;
use super::range::ValueRange;
use super::sampling::{
    RankCorrelation, SamplerState, SamplingError, SamplingMethod, StaticSampler,
};
use crate::engine::{ParameterSource, SourceWorker};

/// Index of a parameter in its [`ParameterSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub u32);

impl ParamId {
    /// The index into a value slice.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One registered parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Dotted path, e.g. `zones.rashakai.investment.capital_per_ha`.
    pub path: String,
    /// Its distribution (a fixed value is a distribution too).
    pub distribution: Distribution,
    /// The values its model accepts.
    pub range: ValueRange,
    /// What people call it (see [`Parameter::label`]); set by the scenario
    /// loader after registration.
    label: Option<String>,
}

impl Parameter {
    /// What people call the parameter, for charts, reports and workbooks:
    /// the scenario's `label`, or the words the loader made from its path
    /// (`Dhabeji SEZ: capital per hectare`); the path itself when neither
    /// was set. Tables (CSV) keep the path.
    pub fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.path)
    }

    /// Whether a label was set (written in the scenario or made by the
    /// loader).
    pub fn has_label(&self) -> bool {
        self.label.is_some()
    }
}

/// Every static parameter, in registration order.
///
/// Parameters are registered once, by dotted path, and addressed afterwards
/// by [`ParamId`]. Fixed parameters take no random numbers; each uncertain one
/// gets its own stream keyed by its path, so adding a parameter never moves
/// the draws of another (common random numbers).
#[derive(Debug, Clone, Default)]
pub struct ParameterSet {
    params: Vec<Parameter>,
    by_path: HashMap<String, ParamId>,
}

impl ParameterSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register `path` with its distribution and valid range; a path
    /// registered twice keeps its first id and distribution (callers
    /// guarantee unique paths).
    pub fn register(
        &mut self,
        path: String,
        distribution: Distribution,
        range: ValueRange,
    ) -> ParamId {
        if let Some(&id) = self.by_path.get(&path) {
            return id;
        }
        let id = ParamId(self.params.len() as u32);
        self.by_path.insert(path.clone(), id);
        self.params.push(Parameter {
            path,
            distribution,
            range,
            label: None,
        });
        id
    }

    /// Label parameter `id` `label` (see [`Parameter::label`]).
    pub fn set_label(&mut self, id: ParamId, label: impl Into<String>) {
        self.params[id.index()].label = Some(label.into());
    }

    /// Set parameter `id` to the plain value `value` (a sweep point): it
    /// keeps its id, and takes no random numbers any more. The caller has
    /// checked `value` against the parameter's range.
    pub fn set_fixed(&mut self, id: ParamId, value: f64) -> Result<(), super::DistributionError> {
        self.params[id.index()].distribution = Distribution::fixed(value)?;
        Ok(())
    }

    /// The parameter with this id.
    pub fn get(&self, id: ParamId) -> &Parameter {
        &self.params[id.index()]
    }

    /// The id of `path`.
    pub fn id(&self, path: &str) -> Option<ParamId> {
        self.by_path.get(path).copied()
    }

    /// Number of parameters, fixed ones included.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// True when no parameter is registered.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// All parameters with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, &Parameter)> {
        self.params
            .iter()
            .enumerate()
            .map(|(i, p)| (ParamId(i as u32), p))
    }

    /// The uncertain (non-fixed) parameters, in registration order.
    pub fn uncertain(&self) -> impl Iterator<Item = (ParamId, &Parameter)> {
        self.iter().filter(|(_, p)| !p.distribution.is_fixed())
    }

    /// Every path, for "did you mean" suggestions.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|p| p.path.as_str())
    }

    /// Every parameter at its distribution's mean (deterministic mode).
    pub fn means(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.distribution.mean()).collect()
    }

    /// Every parameter at its mean in every replication, the uncertain ones
    /// recorded as inputs: deterministic mode's parameter source.
    pub fn mean_values(&self) -> MeanValues {
        let uncertain: Vec<ParamId> = self.uncertain().map(|(id, _)| id).collect();
        MeanValues {
            values: self.means(),
            paths: uncertain
                .iter()
                .map(|&id| self.get(id).path.clone())
                .collect(),
            uncertain,
        }
    }
}

/// Every parameter at its distribution's mean: the parameter source of
/// deterministic mode. The uncertain parameters are recorded as inputs, at
/// their means.
#[derive(Debug, Clone)]
pub struct MeanValues {
    values: Vec<f64>,
    uncertain: Vec<ParamId>,
    paths: Vec<String>,
}

impl ParameterSource for MeanValues {
    fn len(&self) -> usize {
        self.values.len()
    }

    fn inputs(&self) -> &[String] {
        &self.paths
    }

    fn worker(&self) -> Box<dyn SourceWorker + '_> {
        Box::new(MeanWorker(self))
    }
}

struct MeanWorker<'a>(&'a MeanValues);

impl SourceWorker for MeanWorker<'_> {
    fn fill(&mut self, _replication: u64, values: &mut [f64], inputs: &mut [f64]) {
        values.copy_from_slice(&self.0.values);
        for (slot, id) in inputs.iter_mut().zip(&self.0.uncertain) {
            *slot = values[id.index()];
        }
    }
}

/// Draws every parameter's value for any replication.
#[derive(Debug, Clone)]
pub struct ParameterSampler {
    /// Values of all parameters with uncertain ones left as placeholders.
    template: Vec<f64>,
    /// Ids of the uncertain parameters, in sampler order.
    uncertain: Vec<ParamId>,
    distributions: Vec<Distribution>,
    sampler: StaticSampler,
    /// Pairs of uncertain parameters (sampler positions) with a non-zero
    /// correlation target.
    correlated_pairs: Vec<(usize, usize)>,
    /// Paths of the uncertain parameters, in sampler order (the inputs a
    /// run records).
    paths: Vec<String>,
}

impl ParameterSampler {
    /// Prepare sampling of `set` for `replications` replications under
    /// `seed`. `correlations` pair uncertain parameters.
    pub fn new(
        set: &ParameterSet,
        seed: u64,
        replications: u64,
        method: SamplingMethod,
        correlations: &[(ParamId, ParamId, f64)],
    ) -> Result<Self, SamplingError> {
        let template = set.means();
        let uncertain: Vec<ParamId> = set.uncertain().map(|(id, _)| id).collect();
        let position: HashMap<ParamId, usize> = uncertain
            .iter()
            .enumerate()
            .map(|(i, &id)| (id, i))
            .collect();
        let purposes: Vec<String> = uncertain
            .iter()
            .map(|&id| format!("param:{}", set.get(id).path))
            .collect();
        // A zero target needs no copula: leaving it out keeps the
        // parameter's draws bit-identical to the uncorrelated case.
        let targets: Vec<RankCorrelation> = correlations
            .iter()
            .filter(|&&(_, _, spearman)| spearman != 0.0)
            .filter_map(|&(a, b, spearman)| {
                Some(RankCorrelation {
                    a: *position.get(&a)?,
                    b: *position.get(&b)?,
                    spearman,
                })
            })
            .collect();
        let correlated_pairs = targets.iter().map(|t| (t.a, t.b)).collect();
        let sampler = StaticSampler::new(seed, replications, method, &purposes, &targets)?;
        let distributions = uncertain
            .iter()
            .map(|&id| set.get(id).distribution.clone())
            .collect();
        let paths = uncertain
            .iter()
            .map(|&id| set.get(id).path.clone())
            .collect();
        Ok(ParameterSampler {
            template,
            uncertain,
            distributions,
            sampler,
            correlated_pairs,
            paths,
        })
    }

    /// Pairs of uncertain parameters, as positions in [`Self::uncertain_ids`],
    /// whose correlation target is not zero, in the order given. Parameters
    /// linked through these pairs are drawn jointly by the Gaussian copula.
    pub fn correlated_pairs(&self) -> &[(usize, usize)] {
        &self.correlated_pairs
    }

    /// Write into `draw` the values given by independent uniforms chosen by
    /// the caller (one per uncertain parameter, in the order of
    /// [`Self::uncertain_ids`], each strictly inside (0, 1)) instead of this
    /// sampler's own draws: the uniforms go through the scenario's Gaussian
    /// copula ([`StaticSampler::correlate`]) and then each parameter's
    /// inverse CDF, exactly as [`Self::draw`] does with its own uniforms.
    /// `uniforms` is overwritten with the correlated uniforms.
    ///
    /// # Panics
    ///
    /// If `uniforms.len()` is not the number of uncertain parameters.
    pub fn draw_from_uniforms(&self, uniforms: &mut [f64], draw: &mut ParameterDraw) {
        self.values_from_uniforms(uniforms, &mut draw.values);
    }

    /// [`Self::draw_from_uniforms`] into a slice of every parameter's value
    /// (indexed by [`ParamId::index`]; the fixed ones are set too), as a
    /// [`ParameterSource`] fills a replication.
    ///
    /// # Panics
    ///
    /// If `uniforms.len()` is not the number of uncertain parameters, or
    /// `values.len()` not the number of parameters.
    pub fn values_from_uniforms(&self, uniforms: &mut [f64], values: &mut [f64]) {
        assert_eq!(
            uniforms.len(),
            self.uncertain.len(),
            "one uniform per uncertain parameter"
        );
        values.copy_from_slice(&self.template);
        self.sampler.correlate(uniforms);
        self.write_values(uniforms, values);
    }

    /// Ids of the uncertain parameters, in the order of [`Self::draw_uncertain`].
    pub fn uncertain_ids(&self) -> &[ParamId] {
        &self.uncertain
    }

    /// A value buffer with every fixed parameter filled in: reuse it and call
    /// [`Self::draw`] per replication.
    pub fn buffer(&self) -> ParameterDraw {
        ParameterDraw {
            values: self.template.clone(),
            uniforms: vec![0.0; self.uncertain.len()],
            state: self.sampler.state(),
        }
    }

    /// Write replication `replication`'s values into `draw` (no allocation).
    pub fn draw(&self, replication: u64, draw: &mut ParameterDraw) {
        self.sampler
            .uniforms_with(&mut draw.state, replication, &mut draw.uniforms);
        self.write_values(&draw.uniforms, &mut draw.values);
    }

    /// Each uncertain parameter's value from its (already correlated) uniform.
    #[inline]
    fn write_values(&self, uniforms: &[f64], values: &mut [f64]) {
        for ((&id, dist), &u) in self.uncertain.iter().zip(&self.distributions).zip(uniforms) {
            values[id.index()] = dist.inverse_cdf(u);
        }
    }

    /// The uncertain parameters' values of the last [`Self::draw`], in sampler order.
    pub fn draw_uncertain<'a>(&'a self, draw: &'a ParameterDraw) -> impl Iterator<Item = f64> + 'a {
        self.uncertain.iter().map(move |id| draw.values[id.index()])
    }
}

impl ParameterSource for ParameterSampler {
    fn len(&self) -> usize {
        self.template.len()
    }

    fn inputs(&self) -> &[String] {
        &self.paths
    }

    fn worker(&self) -> Box<dyn SourceWorker + '_> {
        Box::new(SampledWorker {
            sampler: self,
            uniforms: vec![0.0; self.uncertain.len()],
            state: self.sampler.state(),
        })
    }
}

/// A worker drawing a [`ParameterSampler`]'s replications in turn.
struct SampledWorker<'a> {
    sampler: &'a ParameterSampler,
    uniforms: Vec<f64>,
    state: SamplerState,
}

impl SourceWorker for SampledWorker<'_> {
    fn fill(&mut self, replication: u64, values: &mut [f64], inputs: &mut [f64]) {
        let p = self.sampler;
        p.sampler
            .uniforms_with(&mut self.state, replication, &mut self.uniforms);
        values.copy_from_slice(&p.template);
        p.write_values(&self.uniforms, values);
        for (slot, id) in inputs.iter_mut().zip(&p.uncertain) {
            *slot = values[id.index()];
        }
    }
}

/// Per-worker buffers for drawn parameter values.
#[derive(Debug, Clone)]
pub struct ParameterDraw {
    /// Value of every parameter, indexed by [`ParamId::index`].
    pub values: Vec<f64>,
    uniforms: Vec<f64>,
    /// The worker's stream cursors: consecutive replications are cheap.
    state: SamplerState,
}

impl ParameterDraw {
    /// The value of parameter `id`.
    #[inline]
    pub fn get(&self, id: ParamId) -> f64 {
        self.values[id.index()]
    }
}

//! Probability distributions of uncertain static parameters.
//!
//! One concept, one place: a [`Distribution`] knows its mean, variance,
//! support, inverse CDF and direct sampler. Nobody else switches on
//! distribution kinds.

use std::fmt;

/// Why a distribution's parameters were refused, and which field is at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionError {
    /// The scenario-file field to blame (`"sd"`, `"mode"`, `"weights"`...).
    pub field: &'static str,
    /// What is wrong and what was expected, in the user's terms.
    pub message: String,
}

impl fmt::Display for DistributionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for DistributionError {}

/// A validated distribution, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Distribution {
    // implementation detail: see helper
}

#[allow(unused_variables)]
impl Distribution {
    /// A single value (`dist = "fixed"`, or a plain number).
    pub fn fixed(value: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Normal, truncated to `[min, max]` where bounds are given.
    pub fn normal(
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Lognormal from the mean and sd of the variable itself (not of its log).
    pub fn lognormal(mean: f64, sd: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Triangular.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// PERT with shape `lambda` (4 in the classic form).
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Beta(alpha, beta) scaled to `[min, max]`.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Gamma with shape k and scale theta.
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Discrete values with weights (normalised).
    pub fn discrete(values: Vec<f64>, weights: Vec<f64>) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// Bernoulli: 1 with probability `p`, else 0.
    pub fn bernoulli(p: f64) -> Result<Self, DistributionError> {
        unimplemented!()
    }
    /// The `dist` name as written in scenario files.
    pub fn kind(&self) -> &'static str {
        unimplemented!()
    }
    /// True for a fixed value (no uncertainty, no random stream needed).
    pub fn is_fixed(&self) -> bool {
        unimplemented!()
    }
    /// Mean.
    pub fn mean(&self) -> f64 {
        unimplemented!()
    }
    /// Variance.
    pub fn variance(&self) -> f64 {
        unimplemented!()
    }
    /// Smallest and largest possible values (may be infinite).
    pub fn support(&self) -> (f64, f64) {
        unimplemented!()
    }
    /// Inverse CDF at `u` in (0, 1): monotone non-decreasing in `u`.
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        unimplemented!()
    }
    /// A direct draw (rand_distr samplers).
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        unimplemented!()
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "distribution")
    }
}

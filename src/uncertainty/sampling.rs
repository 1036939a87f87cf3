//! Sampling of static parameters: independent random or Latin hypercube
//! uniforms, optionally correlated through a Gaussian copula.

use std::fmt;

/// How the uniforms of static parameters are laid out over replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingMethod {
    /// Independent uniforms per replication.
    Random,
    /// Latin hypercube: each of the N equal strata of every margin holds one draw.
    LatinHypercube,
}

/// A Spearman rank-correlation target between two parameters, by index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankCorrelation {
    pub a: usize,
    pub b: usize,
    pub spearman: f64,
}

/// Why a correlation set-up was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum SamplingError {
    /// The implied correlation matrix is not positive definite; these pairs
    /// (indices into the parameter list) are involved.
    NotPositiveDefinite { pairs: Vec<(usize, usize)> },
}

impl fmt::Display for SamplingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not positive definite")
    }
}

impl std::error::Error for SamplingError {}

/// Produces, for any replication, one uniform in (0, 1) per uncertain
/// static parameter.
#[derive(Debug, Clone)]
pub struct StaticSampler {}

#[allow(unused_variables)]
impl StaticSampler {
    /// `purposes[i]` keys parameter i's stream (its parameter path).
    pub fn new(
        seed: u64,
        replications: u64,
        method: SamplingMethod,
        purposes: &[String],
        correlations: &[RankCorrelation],
    ) -> Result<Self, SamplingError> {
        unimplemented!()
    }
    /// Number of parameters.
    pub fn len(&self) -> usize {
        unimplemented!()
    }
    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Fill `out` (length `len()`) with replication `r`'s uniforms.
    pub fn uniforms(&self, replication: u64, out: &mut [f64]) {
        unimplemented!()
    }
}

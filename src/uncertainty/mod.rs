//! The uncertainty layer: distributions, random streams, and the sampling of
//! static parameters (random or Latin hypercube, Gaussian-copula correlation).
//!
//! Nothing here knows about SEZs or scenario files.
//!
//! The files: `distribution` ([`Distribution`]: the kinds, their moments,
//! inverse CDFs and samplers), `streams` ([`StreamKey`]: keyed random
//! streams and the reproducibility contract), `sampling` ([`StaticSampler`]:
//! random or Latin hypercube uniforms, the Gaussian copula), `parameters`
//! ([`ParameterSet`], [`ParameterSampler`]) and `range` ([`ValueRange`]).
//! Every item is used from here, `sezsim::uncertainty::*`.

mod distribution;
mod parameters;
// The scenario loader and the models word their range messages with
// `range::short_number` and `range::extreme_draws`.
pub(crate) mod range;
mod sampling;
mod streams;

pub use distribution::{Distribution, DistributionError};
pub use parameters::{
    MeanValues, ParamId, Parameter, ParameterDraw, ParameterSampler, ParameterSet,
};
pub use range::ValueRange;
pub use sampling::{
    LHS_PERMUTATION_PREFIX, MAX_LHS_TABLE_BYTES, RankCorrelation, SamplerState, SamplingError,
    SamplingMethod, StaticSampler, spearman_to_pearson,
};
pub use streams::{StreamCursor, StreamKey, StreamRng};

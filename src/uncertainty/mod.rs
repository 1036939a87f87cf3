//! The uncertainty layer: distributions, random streams, and the sampling of
//! static parameters (random or Latin hypercube, Gaussian-copula correlation).
//!
//! Nothing here knows about SEZs or scenario files.

mod distribution;
pub mod parameters;
pub mod range;
pub mod sampling;
pub mod streams;

pub use distribution::{Distribution, DistributionError};
pub use parameters::{
    MeanValues, ParamId, Parameter, ParameterDraw, ParameterSampler, ParameterSet,
};
pub use range::ValueRange;
pub use sampling::{RankCorrelation, SamplerState, SamplingError, SamplingMethod, StaticSampler};
pub use streams::{StreamCursor, StreamKey, StreamRng};

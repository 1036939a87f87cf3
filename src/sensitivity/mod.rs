//! Global sensitivity analysis: designs and estimators for variance-based
//! (Sobol') indices and Morris elementary effects.
//!
//! This module is pure mathematics: it knows no scenario file, model or
//! output file. It works in the unit cube, one *sampling dimension* per
//! uncertain parameter (in the order of
//! [`ParameterSampler::uncertain_ids`](crate::uncertainty::ParameterSampler::uncertain_ids));
//! [`ParameterSampler::draw_from_uniforms`](crate::uncertainty::ParameterSampler::draw_from_uniforms)
//! turns a design row into parameter values through the scenario's Gaussian
//! copula and inverse CDFs. A caller:
//!
//! 1. builds the [`Factors`] (single parameters, correlated blocks,
//!    declared groups);
//! 2. builds a [`SobolDesign`] or a [`MorrisDesign`], whose rows are
//!    generated on demand by index (nothing grows with the sample size);
//! 3. evaluates the model on each row and feeds each block's (Sobol') or
//!    trajectory's (Morris) outputs to a [`SobolAccumulator`] or
//!    [`MorrisAccumulator`]; accumulators of disjoint parts of the design
//!    merge exactly, in any order, so threads and shards never change a bit;
//! 4. finishes the accumulator into indices with confidence intervals.
//!
//! The files: `sobol_sequence.rs` scrambled Sobol' points (Joe-Kuo
//! direction numbers, table in `joe_kuo.rs`: [`SobolSequence`]); `factors.rs` which dimensions
//! move together ([`Factors`]); `design.rs` the Saltelli design (A, B,
//! AB_j, BA_j rows: [`SobolDesign`]); `estimators.rs` exact streaming sums,
//! first, total and second-order indices, replicate t-intervals
//! ([`SobolAccumulator`]); `morris.rs` trajectories, elementary effects,
//! mu, mu*, sigma ([`MorrisDesign`], [`MorrisAccumulator`]); `encoding.rs`
//! the accumulators' binary form, for shards. Every item is used from
//! here, `sezsim::sensitivity::*`.

use std::fmt;

mod design;
mod encoding;
mod estimators;
mod factors;
mod joe_kuo;
mod morris;
mod sobol_sequence;

pub use design::{DEFAULT_REPLICATES, DesignRow, SobolDesign, SobolOptions};
pub use encoding::SENSITIVITY_FORMAT_VERSION;
pub use estimators::{
    Estimate, EstimateProblem, PointIndices, SobolAccumulator, SobolIndices, pairs, point_indices,
};
pub use factors::{DeclaredGroup, Factor, Factors};
pub use morris::{
    DEFAULT_RESAMPLES, MorrisAccumulator, MorrisDesign, MorrisFactor, MorrisOptions, MorrisSummary,
    Trajectory,
};
pub use sobol_sequence::{MAX_DIMENSIONS, MAX_INDEX_BITS, SobolSequence};

/// Why a sensitivity analysis cannot be set up or finished.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SensitivityError {
    /// No uncertain parameter to analyse.
    NoFactors,
    /// A pair or group member names a dimension that does not exist.
    UnknownDimension {
        /// The position given.
        dimension: usize,
    },
    /// A declared group has no member.
    EmptyGroup {
        /// The group's name.
        group: String,
    },
    /// A parameter belongs to two declared groups.
    InTwoGroups {
        /// The parameter's path.
        parameter: String,
        /// The two groups.
        groups: [String; 2],
    },
    /// A correlated block is split across groups or lies partly outside one.
    SplitCorrelatedBlock {
        /// The block's parameter paths.
        members: Vec<String>,
        /// The groups its members were put in.
        groups: Vec<String>,
    },
    /// Two factors would have the same name.
    DuplicateFactorName {
        /// The name.
        name: String,
    },
    /// The Sobol' design needs two sequence dimensions per parameter.
    TooManyParameters {
        /// Uncertain parameters.
        parameters: usize,
        /// The most the design supports.
        max: usize,
    },
    /// Fewer than two replicates (or trajectories): no interval possible.
    TooFewReplicates {
        /// What was asked for.
        replicates: u64,
    },
    /// A sample size of zero, or beyond what the design can index.
    BadSampleSize {
        /// What was asked for.
        samples: u64,
        /// The largest accepted.
        max: u64,
    },
    /// A confidence level outside (0, 1).
    BadConfidenceLevel {
        /// What was asked for.
        level: f64,
    },
    /// Two accumulators of different analyses cannot be merged.
    MergeMismatch {
        /// What differs.
        what: &'static str,
    },
    /// Results were asked of an accumulator that has not seen the whole
    /// design.
    Incomplete {
        /// Base rows (Sobol') or trajectories (Morris) accumulated.
        have: u64,
        /// How many the design has.
        expected: u64,
    },
    /// Bytes that are not an accumulator's binary form (a damaged or
    /// foreign shard file).
    Decode(String),
    /// Outputs of the wrong length were given for a block or trajectory.
    OutputLength {
        /// Values given.
        got: usize,
        /// Values expected (rows times outputs).
        expected: usize,
    },
}

impl fmt::Display for SensitivityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SensitivityError::*;
        match self {
            NoFactors => write!(
                f,
                "the scenario has no uncertain parameter to analyse; give at least one \
                 parameter a distribution"
            ),
            UnknownDimension { dimension } => {
                write!(f, "parameter number {dimension} does not exist")
            }
            EmptyGroup { group } => write!(
                f,
                "sensitivity group `{group}` has no member; check its patterns against \
                 the parameter paths (`sezsim check` lists them)"
            ),
            InTwoGroups { parameter, groups } => write!(
                f,
                "parameter `{parameter}` is in two sensitivity groups, `{}` and `{}`; \
                 a parameter may belong to one group only",
                groups[0], groups[1]
            ),
            SplitCorrelatedBlock { members, groups } => write!(
                f,
                "the correlated parameters {} are drawn jointly and must stay in one \
                 factor, but the sensitivity groups{} take only part of them; put all of \
                 them in one group, or none",
                members.join(", "),
                if groups.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", groups.join(", "))
                }
            ),
            DuplicateFactorName { name } => write!(
                f,
                "two sensitivity factors would both be called `{name}`; rename the group"
            ),
            TooManyParameters { parameters, max } => write!(
                f,
                "the Sobol' design supports at most {max} uncertain parameters, the scenario \
                 has {parameters}; group parameters, fix some, or use --method morris"
            ),
            TooFewReplicates { replicates } => write!(
                f,
                "{replicates} replicate(s) cannot give a confidence interval; use at least 2"
            ),
            BadSampleSize { samples, max } => {
                write!(f, "sample size {samples} is out of range (1 to {max})")
            }
            BadConfidenceLevel { level } => write!(
                f,
                "confidence level {level} is not strictly between 0 and 1 (for example 0.95)"
            ),
            MergeMismatch { what } => write!(
                f,
                "partial sensitivity results do not belong together: their {what} differ"
            ),
            Incomplete { have, expected } => write!(
                f,
                "the sensitivity results cover {have} of the design's {expected} parts; \
                 merge every shard before computing indices"
            ),
            Decode(why) => write!(f, "not a valid sensitivity partial result: {why}"),
            OutputLength { got, expected } => write!(
                f,
                "{got} output values were given where the design needs {expected}"
            ),
        }
    }
}

impl std::error::Error for SensitivityError {}

//! The study layer: the commands that run scenarios and write result
//! folders, over the engine, the models and `output`.
//!
//! - [`run`](crate::run): one run of a scenario.
//! - [`compare`](crate::compare): a base and its variants with common
//!   random numbers.
//! - [`sweep`](crate::sweep): a base scenario at many settings of its
//!   parameters.
//! - [`shard`](crate::shard): a run cut into pieces.
//!
//! The crate re-exports each of them at its root (`sezsim::run`, ...): this
//! folder only groups them.

pub mod compare;
mod files;
pub mod merge;
mod merged;
mod paths;
pub mod run;
pub mod shard;
mod shard_id;
pub mod sweep;

//! Models the engine can run: the SEZ growth model and the analytic
//! benchmark functions used to check sampling and statistics.

pub mod names;

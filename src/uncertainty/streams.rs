//! Keyed random streams: every random number of a run comes from a stream
//! derived from (seed, replication, purpose).

/// The stream of one purpose (a parameter path, a national shock, a zone's
/// TFP noise...) for a given seed; positioned per replication.
#[derive(Debug, Clone)]
pub struct StreamKey {}

#[allow(unused_variables)]
impl StreamKey {
    /// Derive the key of `purpose` under `seed`. Do this once, at set-up.
    pub fn new(seed: u64, purpose: &str) -> Self {
        unimplemented!()
    }
    /// The generator for `replication`, positioned at its start.
    pub fn rng(&self, replication: u64) -> StreamRng {
        unimplemented!()
    }
}

/// A positioned generator: draws parameter-free primitives only.
#[derive(Debug, Clone)]
pub struct StreamRng {}

impl StreamRng {
    /// Uniform on the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        unimplemented!()
    }
    /// Standard normal.
    pub fn standard_normal(&mut self) -> f64 {
        unimplemented!()
    }
}

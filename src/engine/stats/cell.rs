//! The statistics of one summarised value ([`CellStats`]: moments and a
//! quantile sketch) and the [`Summary`] they give.

#[cfg(doc)]
use super::buckets::bucket_code;
use super::{ChunkSums, Moments, QuantileSketch};
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};

/// The summary of one value (series cell or scalar) over a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Replications summarised.
    pub n: u64,
    /// Mean (NaN if any value was NaN).
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`; 0 when `n = 1`).
    pub sd: f64,
    /// Monte Carlo standard error of the mean, `sd / sqrt(n)`.
    pub mcse: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Type 7 quantiles at the run's requested levels, in their order
    /// (exact up to [`EXACT_QUANTILE_LIMIT`](super::EXACT_QUANTILE_LIMIT)
    /// values, then within
    /// [`SKETCH_RELATIVE_ACCURACY`](super::SKETCH_RELATIVE_ACCURACY)).
    pub quantiles: Vec<f64>,
    /// A distribution-free 95% interval `(lo, hi)` for each quantile, in
    /// the order of `quantiles` (see `QuantileSketch::quantile_intervals`).
    pub quantile_intervals: Vec<(f64, f64)>,
    /// For a scalar with a target: share of replications whose value is
    /// `>= target` (NaN counts as below). `None` otherwise.
    pub p_target: Option<f64>,
}

/// Everything kept for one summarised value.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStats {
    /// Count, mean, variance, extremes.
    pub moments: Moments,
    /// Quantiles.
    pub sketch: QuantileSketch,
}

impl CellStats {
    /// Empty statistics with the [`Moments`] shift `shift`, and a sketch
    /// that is bucketed from the start if `bucketed` (see
    /// [`QuantileSketch::new_bucketed`]).
    pub fn new(shift: f64, bucketed: bool) -> Self {
        CellStats {
            moments: Moments::new(shift),
            sketch: if bucketed {
                QuantileSketch::new_bucketed()
            } else {
                QuantileSketch::new()
            },
        }
    }

    /// Add one chunk of values.
    pub fn absorb_slice(&mut self, values: &[f64]) {
        self.moments
            .absorb(&ChunkSums::of(values, self.moments.shift()));
        self.sketch.insert_slice(values);
    }

    /// Add one chunk given as its sums (around [`Moments::shift`]; their
    /// NaN and infinity counts are ignored and recounted from the codes) and
    /// the [`bucket_code`]s of its values.
    pub fn absorb_codes(&mut self, sums: &ChunkSums, codes: &[u32]) {
        let infinite_before = self.sketch.infinite_count();
        let nan = self.sketch.insert_codes(codes);
        self.moments.absorb(&ChunkSums {
            nan,
            infinite: self.sketch.infinite_count() - infinite_before,
            ..*sums
        });
    }

    /// Add one chunk given as its sums (around [`Moments::shift`]; their
    /// NaN and infinity counts are ignored and recounted from the values)
    /// and its values.
    pub fn absorb_values(&mut self, sums: &ChunkSums, values: &[f64]) {
        self.moments.absorb(&ChunkSums {
            nan: values.iter().filter(|x| x.is_nan()).count() as u64,
            infinite: values.iter().filter(|x| x.is_infinite()).count() as u64,
            ..*sums
        });
        self.sketch.insert_slice(values);
    }

    /// Add the values of `other` (same shift).
    pub fn merge(&mut self, other: &CellStats) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// The summary at quantile `levels`; `p_target` is left `None`.
    pub fn summarize(&self, levels: &[f64]) -> Summary {
        let m = &self.moments;
        let sd = m.sd();
        let (quantiles, quantile_intervals) = if m.has_nan() {
            (
                vec![f64::NAN; levels.len()],
                vec![(f64::NAN, f64::NAN); levels.len()],
            )
        } else {
            (
                self.sketch.quantiles(levels, m.min(), m.max()),
                self.sketch.quantile_intervals(levels, m.min(), m.max()),
            )
        };
        Summary {
            n: m.n(),
            mean: m.mean(),
            sd,
            mcse: sd / (m.n() as f64).sqrt(),
            min: m.min(),
            max: m.max(),
            quantiles,
            quantile_intervals,
            p_target: None,
        }
    }
}

// The binary form (see `crate::engine::codec`).

impl CellStats {
    pub(crate) fn encode(&self, e: &mut Encoder) {
        self.moments.encode(e);
        self.sketch.encode(e);
    }

    pub(crate) fn decode(d: &mut Decoder) -> Result<Self, DecodeError> {
        let c = CellStats {
            moments: Moments::decode(d)?,
            sketch: QuantileSketch::decode(d)?,
        };
        // Every value is either NaN (counted by the moments only) or in the
        // sketch.
        if c.sketch.count.checked_add(c.moments.nan) != Some(c.moments.n) {
            return invalid("a cell's moments and sketch disagree on its count");
        }
        Ok(c)
    }
}

//! What a run is asked for: the chunks replications are cut into,
//! [`RunOptions`], the [`Hooks`] that see each replication and the
//! progress, and the checks of options against a model's record.

#[cfg(doc)]
use super::run;
use super::{EngineError, OutputLayout, Record};

/// Replications per chunk: the unit of parallel work, of ordered merging,
/// and of sharding. Part of the definition of a run's result (each chunk's
/// `f64` sums are taken over exactly these replications), so changing it
/// changes the last bits of means and standard deviations. 256 measured as
/// fast as 512 and 1,024 (2,000 cells) with the smallest buffers.
pub const CHUNK_SIZE: usize = 256;

/// Most replications one run (or merge of partial runs) may hold: sketch
/// bucket counts are `u32`.
pub const MAX_REPLICATIONS: u64 = u32::MAX as u64;

/// Number of chunks of a run of `replications`.
pub fn chunk_count(replications: u64) -> u64 {
    replications.div_ceil(CHUNK_SIZE as u64)
}

/// What to run and what to report.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Replications to run (`0..replications`); at least 1, at most
    /// [`MAX_REPLICATIONS`].
    pub replications: u64,
    /// Worker threads; 0 means one per available core. Results do not
    /// depend on it.
    pub threads: usize,
    /// Quantile levels to report, each in `[0, 1]`, in the order wanted.
    pub quantiles: Vec<f64>,
    /// Per scalar (in layout order), the target for `p_target`. Empty means
    /// no targets; otherwise one entry per scalar.
    pub scalar_targets: Vec<Option<f64>>,
    /// The series to summarise, as indices into the model's
    /// [`OutputLayout::series`], strictly increasing; `None` summarises
    /// every series. The model still computes all of them, but the
    /// statistics (the larger part of a run's cost per value) are kept only
    /// for these, and the summary's layout lists only these. Results of a
    /// kept series are the bits it has in a run that keeps all. Only kept
    /// values (and the scalars) are checked for NaN and infinity, since
    /// only they reach a table.
    pub keep_series: Option<Vec<usize>>,
}

impl RunOptions {
    /// `replications` on `threads` threads, quantiles 5%, 25%, 50%, 75%,
    /// 95%, no targets.
    pub fn new(replications: u64, threads: usize) -> Self {
        RunOptions {
            replications,
            threads,
            quantiles: vec![0.05, 0.25, 0.5, 0.75, 0.95],
            scalar_targets: Vec::new(),
            keep_series: None,
        }
    }
}

/// One replication's scalars and inputs, as given to the sink.
#[derive(Debug, Clone, Copy)]
pub struct ReplicationValues<'a> {
    /// Replication index.
    pub replication: u64,
    /// `layout.scalars` values.
    pub scalars: &'a [f64],
    /// `layout.inputs` values.
    pub inputs: &'a [f64],
    /// The values of the series cells named in [`Hooks::series_cells`], in
    /// that order (empty when none are named).
    pub series: &'a [f64],
}

/// Optional callbacks, both called on the thread that called [`run`] (so
/// they need not be `Send`).
#[derive(Default)]
pub struct Hooks<'a> {
    /// Called once per replication in strictly increasing replication order
    /// (for saving replications or a reservoir of them). Inputs are only
    /// kept in memory when this is set.
    pub on_replication: Option<&'a mut dyn FnMut(ReplicationValues<'_>)>,
    /// Called after each chunk is merged with the number of replications
    /// merged so far by this call (for a progress bar).
    pub on_progress: Option<&'a mut dyn FnMut(u64)>,
    /// Series cells (`s * years + t`, as in [`Record::series`]) whose
    /// values `on_replication` receives in [`ReplicationValues::series`]:
    /// a sensitivity analysis follows a few yearly totals this way. Empty
    /// (the default) keeps nothing, so a plain run pays nothing for it.
    pub series_cells: &'a [usize],
}

/// Sizes of a model's record.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dims {
    pub(super) cells: usize,
    pub(super) scalars: usize,
    pub(super) inputs: usize,
}

impl Dims {
    pub(super) fn of(layout: &OutputLayout) -> Self {
        Dims {
            cells: layout.series.len() * layout.years.len(),
            scalars: layout.scalars.len(),
            inputs: layout.inputs.len(),
        }
    }

    pub(super) fn record(&self) -> Record {
        Record {
            series: vec![0.0; self.cells],
            scalars: vec![0.0; self.scalars],
            inputs: vec![0.0; self.inputs],
        }
    }

    pub(super) fn check(&self, record: &Record, replication: u64) -> Result<(), EngineError> {
        let parts = [
            ("series", self.cells, record.series.len()),
            ("scalar", self.scalars, record.scalars.len()),
            ("input", self.inputs, record.inputs.len()),
        ];
        for (part, expected, found) in parts {
            if expected != found {
                return Err(EngineError::RecordShape {
                    replication,
                    part,
                    expected,
                    found,
                });
            }
        }
        Ok(())
    }
}

impl Dims {
    /// The sizes of the record a model writes whose summary keeps
    /// `self` (the same scalars and inputs, `series` series).
    pub(super) fn with_series(self, series: usize, years: usize) -> Dims {
        Dims {
            cells: series * years,
            ..self
        }
    }
}

/// The layout a run summarises: the model's `layout`, with only the series
/// `keep` names (see [`RunOptions::keep_series`]) once they are checked.
pub(super) fn kept_layout(
    layout: &OutputLayout,
    keep: Option<&[usize]>,
) -> Result<OutputLayout, EngineError> {
    let Some(keep) = keep else {
        return Ok(layout.clone());
    };
    let count = layout.series.len();
    for (i, &s) in keep.iter().enumerate() {
        if s >= count || (i > 0 && keep[i - 1] >= s) {
            return Err(EngineError::KeptSeries { series: s, count });
        }
    }
    Ok(layout.keeping(keep))
}

/// Check that every cell `hooks` asks for exists.
pub(super) fn validate_cells(cells: &[usize], dims: &Dims) -> Result<(), EngineError> {
    match cells.iter().find(|&&c| c >= dims.cells) {
        Some(&cell) => Err(EngineError::SeriesCell {
            cell,
            cells: dims.cells,
        }),
        None => Ok(()),
    }
}

pub(super) fn validate(options: &RunOptions, dims: &Dims) -> Result<(), EngineError> {
    if options.replications == 0 {
        return Err(EngineError::NoReplications);
    }
    if options.replications > MAX_REPLICATIONS {
        return Err(EngineError::TooManyReplications {
            requested: options.replications,
            max: MAX_REPLICATIONS,
        });
    }
    if let Some(&q) = options.quantiles.iter().find(|q| !(0.0..=1.0).contains(*q)) {
        return Err(EngineError::InvalidQuantile(q));
    }
    let targets = options.scalar_targets.len();
    if targets != 0 && targets != dims.scalars {
        return Err(EngineError::TargetCount {
            expected: dims.scalars,
            found: targets,
        });
    }
    Ok(())
}

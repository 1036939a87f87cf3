//! Why the engine could not do a run: [`EngineError`], and the
//! [`RecordedValue`] it names when a model records a value that is not a
//! finite number.

use super::OutputLayout;
#[cfg(doc)]
use super::{MAX_REPLICATIONS, PartialRun, Record, RunSummary};

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// `replications` was 0.
    #[error("a run needs at least one replication")]
    NoReplications,
    /// More than [`MAX_REPLICATIONS`].
    #[error("a run can hold at most {max} replications, not {requested}")]
    TooManyReplications {
        /// Replications asked for.
        requested: u64,
        /// [`MAX_REPLICATIONS`].
        max: u64,
    },
    /// A quantile level outside `[0, 1]` (or NaN).
    #[error("quantile level {0} is not in [0, 1]")]
    InvalidQuantile(f64),
    /// `scalar_targets` is neither empty nor one per scalar.
    #[error("{found} scalar targets given for {expected} scalars")]
    TargetCount {
        /// Scalars in the layout.
        expected: usize,
        /// Targets given.
        found: usize,
    },
    /// A partial run's chunk range is empty or beyond the run.
    #[error("chunk range {start}..{end} is empty or beyond the run's {chunks} chunks")]
    ChunkRange {
        /// First chunk asked for.
        start: u64,
        /// One past the last chunk asked for.
        end: u64,
        /// Chunks in the run.
        chunks: u64,
    },
    /// The model wrote a record whose lengths differ from its layout.
    #[error(
        "replication {replication}: the model recorded {found} {part} values, its layout has {expected}"
    )]
    RecordShape {
        /// The replication.
        replication: u64,
        /// "series", "scalar" or "input".
        part: &'static str,
        /// Length the layout implies.
        expected: usize,
        /// Length recorded.
        found: usize,
    },
    /// A hook asked for a series cell the model does not record.
    #[error("series cell {cell} asked for, but the model records {cells} cells")]
    SeriesCell {
        /// The cell asked for.
        cell: usize,
        /// Cells the model records.
        cells: usize,
    },
    /// [`super::RunOptions::keep_series`] names a series the model does
    /// not record, or is not strictly increasing.
    #[error(
        "series {series} cannot be kept: the model records series 0 to {count} (exclusive), to be named once each in increasing order"
    )]
    KeptSeries {
        /// The offending index.
        series: usize,
        /// Series the model records.
        count: usize,
    },
    /// The thread pool could not be created.
    #[error("cannot start the thread pool: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    /// Two partial runs that do not follow each other in the same run.
    #[error("cannot merge partial runs: {0}")]
    Merge(&'static str),
    /// Partial runs merged into fewer chunks than the run has
    /// ([`PartialRun::finish_whole`]): a piece is missing.
    #[error("the shards do not cover the whole run")]
    Incomplete,
    /// A summary asked for quantile levels it was not computed at
    /// ([`RunSummary::at_levels`]).
    #[error("the summary lacks the scenario's quantile levels")]
    MissingQuantileLevels,
    /// Bytes that are not a valid [`PartialRun::to_bytes`] encoding.
    #[error("not a valid partial run: {0}")]
    Decode(String),
    /// The model recorded a value that is not a finite number (NaN or an
    /// infinity). Every statistic of that value would be meaningless, so
    /// the run stops. The replication is the lowest one with such a value
    /// and the value the first of it in layout order, so the report is the
    /// same on any thread count.
    #[error("replication {replication}: {value} is {found}, not a finite number")]
    NonFinite {
        /// The replication.
        replication: u64,
        /// Which recorded value.
        value: RecordedValue,
        /// What was recorded: NaN, `inf` or `-inf`.
        found: f64,
    },
}

/// One value a model records per replication, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedValue {
    /// A series cell: an output of a zone (or group) in a year.
    Series {
        /// Output name.
        output: String,
        /// Zone or group name.
        zone: String,
        /// Calendar year.
        year: i32,
    },
    /// A per-replication scalar outcome.
    Scalar {
        /// Scalar name.
        name: String,
    },
}

impl RecordedValue {
    /// The value of `layout` at `cell` (series cells first, in
    /// [`Record::series`] order, then the scalars).
    pub(super) fn of(layout: &OutputLayout, cell: usize) -> RecordedValue {
        let years = layout.years.len();
        let series_cells = layout.series.len() * years;
        if cell < series_cells {
            let s = &layout.series[cell / years];
            RecordedValue::Series {
                output: s.output.clone(),
                zone: s.zone.clone(),
                year: layout.years[cell % years],
            }
        } else {
            RecordedValue::Scalar {
                name: layout.scalars[cell - series_cells].clone(),
            }
        }
    }
}

impl std::fmt::Display for RecordedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordedValue::Series { output, zone, year } => {
                write!(f, "output `{output}` of zone `{zone}` in {year}")
            }
            RecordedValue::Scalar { name } => write!(f, "outcome `{name}`"),
        }
    }
}

//! The charts of a run: fan charts of yearly outputs, small multiples by
//! zone, histograms and CDFs of scalar outcomes, tornado charts of their
//! drivers. Each is a PNG (1600 x 1000 pixels, 250 dpi) and an SVG in the
//! run folder's `charts/`.
//!
//! Charts are drawn only from the data saved in the run folder (see
//! [`data`]), so `sezsim run` and `sezsim plot` share one code path and
//! write identical bytes: [`ChartData`] in, bytes out ([`render`]). Text
//! uses the DejaVu Sans font compiled into the binary ([`style`]), so no
//! system font library is linked and charts look the same everywhere.
//!
//! Layout of the module: [`data`] reads and writes the chart data; [`style`]
//! holds the palette and sizes; `canvas` the PNG and SVG surfaces;
//! `frame` titles, legends and notes; `axes` and `ticks` the axes; `fan`,
//! `distribution` and `tornado` the chart kinds.

mod axes;
mod canvas;
pub mod data;
mod distribution;
mod fan;
mod frame;
pub mod style;
mod ticks;
pub mod tornado;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use data::{
    CHARTS_DIR, ChartData, FAN_CSV, FAN_LEVELS, FanData, FanSeries, RESERVOIR_CSV, RunFiles,
    RunInfo, Sample, ScalarInfo, ZoneName, with_fan_levels,
};
pub use distribution::bins as histogram_bins;
pub use fan::panel_columns;
pub use style::{HEIGHT, WIDTH, register_fonts};

use crate::error::Error;
use crate::output::run_dir::PendingDir;

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Fan chart of an output's total over zones (or national value).
    Fan,
    /// Fan charts of an output, one panel per zone.
    FanByZone,
    /// Histogram of a scalar outcome.
    Histogram,
    /// Empirical CDF of a scalar outcome.
    Cdf,
    /// Rank correlations of the uncertain inputs with a scalar outcome.
    Tornado,
}

/// One chart of a run: its kind and what it shows (an output or scalar
/// name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub subject: String,
}

impl ChartSpec {
    /// File name without extension: `fan_exports`, `fan_exports_by_zone`,
    /// `histogram_exports_final`, `cdf_exports_final`,
    /// `tornado_exports_final`.
    pub fn file_stem(&self) -> String {
        let s = &self.subject;
        match self.kind {
            ChartKind::Fan => format!("fan_{s}"),
            ChartKind::FanByZone => format!("fan_{s}_by_zone"),
            ChartKind::Histogram => format!("histogram_{s}"),
            ChartKind::Cdf => format!("cdf_{s}"),
            ChartKind::Tornado => format!("tornado_{s}"),
        }
    }

    /// Path of the PNG relative to the run folder (`charts/fan_exports.png`).
    pub fn png_path(&self) -> String {
        format!("{CHARTS_DIR}/{}.png", self.file_stem())
    }

    /// Path of the SVG relative to the run folder.
    pub fn svg_path(&self) -> String {
        format!("{CHARTS_DIR}/{}.svg", self.file_stem())
    }

    /// A one-line caption for a report, under a heading naming the
    /// subject: what the chart shows and how to read it.
    pub fn caption(&self, data: &ChartData) -> String {
        let target = data
            .scalar(&self.subject)
            .is_some_and(|s| s.target.is_some());
        match self.kind {
            ChartKind::Fan => {
                let national = data
                    .fan
                    .aggregate_of(&self.subject)
                    .is_some_and(|s| s.zone == "national");
                format!(
                    "{}, year by year: the line is the median across replications, the dark band holds the middle half of them (P25–P75) and the light band nine in ten (P5–P95).",
                    if national { "National value" } else { "Total over zones" }
                )
            }
            ChartKind::FanByZone => "By zone, with the same bands; every panel has the same vertical scale, so zones compare directly.".into(),
            ChartKind::Histogram => {
                let mut c = String::from(
                    "Histogram: each bar is the share of replications in its range; the dashed line is the median",
                );
                if target {
                    c.push_str(", the solid line the target, labelled with the probability of reaching it");
                }
                c.push('.');
                c
            }
            ChartKind::Cdf => {
                let mut c = String::from(
                    "Cumulative distribution: for any value on the horizontal axis, the curve gives the share of replications at or below it",
                );
                if target {
                    c.push_str("; where it meets the target line, one minus that share is the probability of reaching the target");
                }
                c.push('.');
                c
            }
            ChartKind::Tornado => "Drivers: the uncertain inputs whose draws move the outcome most, by Spearman rank correlation (−1 to 1); blue bars raise it, orange bars lower it. Rank correlation sees only effects that go one way.".into(),
        }
    }
}

/// Every chart of a run, in report order: for each charted output its
/// total (or national) fan and its by-zone panels, then for each scalar
/// its histogram, CDF and (if there are uncertain inputs) tornado.
pub fn chart_list(data: &ChartData) -> Vec<ChartSpec> {
    let mut out = Vec::new();
    let spec = |kind, subject: &str| ChartSpec {
        kind,
        subject: subject.to_string(),
    };
    if !data.fan.years.is_empty() {
        for output in data.fan.outputs() {
            if data.fan.aggregate_of(output).is_some() {
                out.push(spec(ChartKind::Fan, output));
            }
            if !data.fan.zones_of(output).is_empty() {
                out.push(spec(ChartKind::FanByZone, output));
            }
        }
    }
    for s in &data.scalars {
        out.push(spec(ChartKind::Histogram, &s.name));
        out.push(spec(ChartKind::Cdf, &s.name));
        if !data.sample.inputs.is_empty() {
            out.push(spec(ChartKind::Tornado, &s.name));
        }
    }
    out
}

/// A drawn chart.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    pub spec: ChartSpec,
    /// PNG bytes: [`WIDTH`] x [`HEIGHT`], 8-bit RGB.
    pub png: Vec<u8>,
    /// SVG text.
    pub svg: String,
}

fn draw_on<B: canvas::TextOut>(
    root: &canvas::Area<B>,
    spec: &ChartSpec,
    data: &ChartData,
) -> canvas::Drawn {
    let s = spec.subject.as_str();
    match spec.kind {
        ChartKind::Fan => fan::draw_fan(root, data, s),
        ChartKind::FanByZone => fan::draw_fan_by_zone(root, data, s),
        ChartKind::Histogram => distribution::draw_histogram(root, data, s),
        ChartKind::Cdf => distribution::draw_cdf(root, data, s),
        ChartKind::Tornado => tornado::draw_tornado(root, data, s),
    }
}

/// Draw one chart as PNG and SVG. Pure: the bytes depend only on `spec`
/// and `data`.
pub fn render(spec: &ChartSpec, data: &ChartData) -> Result<RenderedChart, Error> {
    register_fonts();
    let failed = |e: String| Error::Runtime(format!("cannot draw {}: {e}", spec.file_stem()));
    let rgb = canvas::draw_rgb(WIDTH, HEIGHT, |root| draw_on(root, spec, data)).map_err(failed)?;
    let png = canvas::encode_png(&rgb, WIDTH, HEIGHT).map_err(failed)?;
    let svg = canvas::draw_svg(WIDTH, HEIGHT, |root| draw_on(root, spec, data)).map_err(failed)?;
    Ok(RenderedChart {
        spec: spec.clone(),
        png,
        svg,
    })
}

/// Draw every chart of [`chart_list`] on `threads` threads; the result is
/// in list order and the same for any thread count.
pub fn render_all(data: &ChartData, threads: usize) -> Result<Vec<RenderedChart>, Error> {
    register_fonts();
    let specs = chart_list(data);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start {threads} threads: {e}")))?;
    pool.install(|| specs.par_iter().map(|s| render(s, data)).collect())
}

/// Write rendered charts into `dir` (a pending folder), under `prefix`
/// (`charts/` for a run folder, empty for a pending `charts/` itself).
pub fn write_charts(dir: &PendingDir, prefix: &str, charts: &[RenderedChart]) -> Result<(), Error> {
    for c in charts {
        let stem = c.spec.file_stem();
        dir.write(&format!("{prefix}{stem}.png"), &c.png)?;
        dir.write(&format!("{prefix}{stem}.svg"), c.svg.as_bytes())?;
    }
    Ok(())
}

/// `sezsim plot`: redraw every chart of the run folder `run_dir` from its
/// saved data, replacing `charts/` atomically. Returns the charts drawn.
pub fn redraw(run_dir: &Path, threads: usize) -> Result<Vec<ChartSpec>, Error> {
    let data = ChartData::read(run_dir)?;
    let charts = render_all(&data, threads)?;
    let target: PathBuf = run_dir.join(CHARTS_DIR);
    let pending = PendingDir::create(&target)?;
    write_charts(&pending, "", &charts)?;
    pending.publish()?;
    Ok(charts.into_iter().map(|c| c.spec).collect())
}

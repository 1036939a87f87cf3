//! The charts of a run: fan charts of yearly outputs, small multiples by
//! zone, histograms and CDFs of scalar outcomes, tornado charts of their
//! drivers. Each is a PNG (1600 x 1000 pixels at 250 dpi, or another
//! [`ChartSize`]) and an SVG in the
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
pub mod overlay;
pub mod sensitivity;
pub mod style;
pub mod sweep;
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
pub use style::{ChartSize, HEIGHT, WIDTH, register_fonts};

use crate::engine::Catalogue;
use crate::error::Error;
use crate::output::run_dir::PendingDir;
use crate::output::target::Output;
use crate::scenario::Registry;

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
    /// What kind of chart.
    pub kind: ChartKind,
    /// The output or scalar it shows.
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
            ChartKind::FanByZone => {
                let mut c = String::from("By zone, with the same bands; every panel has the same vertical scale, so zones compare directly.");
                let all = data.fan.zones_of(&self.subject);
                let shown = fan::shown_zones(&all).len();
                if shown < all.len() {
                    c.push_str(&format!(
                        " Only the {shown} largest of the {} zones (by median in the final year) are drawn.",
                        all.len()
                    ));
                }
                c
            }
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
    /// Which chart.
    pub spec: ChartSpec,
    /// PNG bytes: the run's [`ChartSize`], 8-bit RGB.
    pub png: Vec<u8>,
    /// SVG text.
    pub svg: String,
}

/// Draw chart `spec` of `data` on `root`; `drivers` are a tornado
/// chart's (see [`tornado::drivers_of`]), computed once for both surfaces.
fn draw_on<B: canvas::TextOut>(
    root: &canvas::Area<B>,
    spec: &ChartSpec,
    data: &ChartData,
    drivers: &[tornado::Driver],
) -> canvas::Drawn {
    let s = spec.subject.as_str();
    match spec.kind {
        ChartKind::Fan => fan::draw_fan(root, data, s),
        ChartKind::FanByZone => fan::draw_fan_by_zone(root, data, s),
        ChartKind::Histogram => distribution::draw_histogram(root, data, s),
        ChartKind::Cdf => distribution::draw_cdf(root, data, s),
        ChartKind::Tornado => tornado::draw_tornado(root, data, s, drivers),
    }
}

/// Draw one chart as PNG and SVG, at the run's chart size. Pure: the bytes
/// depend only on `spec` and `data`.
pub fn render(spec: &ChartSpec, data: &ChartData) -> Result<RenderedChart, Error> {
    let ranks = match spec.kind {
        ChartKind::Tornado => tornado::input_ranks(&data.sample),
        _ => Vec::new(),
    };
    render_ranked(spec, data, &ranks)
}

/// [`render`], given the sample's [`tornado::input_ranks`] (used only by
/// tornado charts).
fn render_ranked(
    spec: &ChartSpec,
    data: &ChartData,
    input_ranks: &[Vec<f64>],
) -> Result<RenderedChart, Error> {
    register_fonts();
    let failed = |e: String| Error::Runtime(format!("cannot draw {}: {e}", spec.file_stem()));
    let drivers = match spec.kind {
        ChartKind::Tornado => tornado::drivers_of(data, input_ranks, &spec.subject),
        _ => Vec::new(),
    };
    let (w, h) = data.run.chart_size.pixels();
    let rgb = canvas::draw_rgb(w, h, |root| draw_on(root, spec, data, &drivers)).map_err(failed)?;
    let png = canvas::encode_png(&rgb, w, h).map_err(failed)?;
    let svg = canvas::draw_svg(w, h, |root| draw_on(root, spec, data, &drivers)).map_err(failed)?;
    Ok(RenderedChart {
        spec: spec.clone(),
        png,
        svg,
    })
}

/// A chart that is not one of a single run's (a comparison's overlay, a
/// sweep's charts): it knows how to draw itself on either surface, so
/// [`render_figure`] gives PNG and SVG the same layout, as [`render`] does.
pub(crate) trait Figure: Sync {
    /// Draw the chart on `root`.
    fn draw<B: canvas::TextOut>(&self, root: &canvas::Area<B>) -> canvas::Drawn;
}

/// A drawn chart of a comparison or a sweep: the file name without
/// extension, PNG bytes (8-bit RGB, at the size asked for) and SVG text.
#[derive(Debug, Clone)]
pub struct Picture {
    /// File name without extension (`compare_exports`, `sweep_fiscal_npv`).
    pub stem: String,
    /// PNG bytes.
    pub png: Vec<u8>,
    /// SVG text.
    pub svg: String,
}

/// Draw `figure` as PNG and SVG at `size`. Pure: the bytes depend only on
/// the figure and the size.
pub(crate) fn render_figure(
    stem: &str,
    figure: &impl Figure,
    size: ChartSize,
) -> Result<Picture, Error> {
    register_fonts();
    let failed = |e: String| Error::Runtime(format!("cannot draw {stem}: {e}"));
    let (w, h) = size.pixels();
    let rgb = canvas::draw_rgb(w, h, |root| figure.draw(root)).map_err(failed)?;
    let png = canvas::encode_png(&rgb, w, h).map_err(failed)?;
    let svg = canvas::draw_svg(w, h, |root| figure.draw(root)).map_err(failed)?;
    Ok(Picture {
        stem: stem.to_string(),
        png,
        svg,
    })
}

/// Write `pictures` into `dir` (a pending folder) under `prefix`
/// (`charts/`), as `<stem>.png` and `<stem>.svg`.
pub fn write_pictures(dir: &PendingDir, prefix: &str, pictures: &[Picture]) -> Result<(), Error> {
    for p in pictures {
        dir.write(&format!("{prefix}{}.png", p.stem), &p.png)?;
        dir.write(&format!("{prefix}{}.svg", p.stem), p.svg.as_bytes())?;
    }
    Ok(())
}

/// Draw every chart of [`chart_list`] on `threads` threads; the result is
/// in list order and the same for any thread count.
pub fn render_all(data: &ChartData, threads: usize) -> Result<Vec<RenderedChart>, Error> {
    register_fonts();
    let specs = chart_list(data);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })?;
    pool.install(|| {
        // The inputs' ranks are shared by every tornado chart.
        let tornado = specs.iter().any(|s| s.kind == ChartKind::Tornado);
        let ranks = if tornado {
            tornado::input_ranks(&data.sample)
        } else {
            Vec::new()
        };
        specs
            .par_iter()
            .map(|s| render_ranked(s, data, &ranks))
            .collect()
    })
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
/// A folder sezsim did not write, or a `charts/` holding anything but PNG
/// and SVG files, is refused (input error) and left untouched. Labels
/// come from the manifest, or from `registry` for folders written before
/// manifests recorded them; the size is `size`, else the manifest's.
pub fn redraw(
    run_dir: &Path,
    threads: usize,
    size: Option<ChartSize>,
    registry: &Registry,
) -> Result<Vec<ChartSpec>, Error> {
    let mut data = ChartData::read(run_dir)?;
    if let Some(size) = size {
        data.run.chart_size = size;
    }
    // A folder written before manifests recorded labels: its kind knows them.
    if data.run.catalogue == Catalogue::default()
        && let Some(kind) = registry.kind(&data.run.model)
    {
        data.run.catalogue = kind.catalogue();
    }
    // Checked before drawing: charts/ holds PNGs and SVGs only.
    let target: PathBuf = run_dir.join(CHARTS_DIR);
    let pending = PendingDir::create(&target, Output::Charts)?;
    let charts = render_all(&data, threads)?;
    write_charts(&pending, "", &charts)?;
    pending.publish()?;
    Ok(charts.into_iter().map(|c| c.spec).collect())
}

/// A layout check for tests: the box of every text of an SVG chart, from
/// the same text measure the charts are laid out with.
#[cfg(test)]
pub(crate) mod layout {
    /// A text's box: left, top, right, bottom, in pixels.
    pub type TextBox = (f64, f64, f64, f64);

    /// The text and box of every `<text>` of `svg`.
    pub fn text_boxes(svg: &str) -> Vec<(String, TextBox)> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        let num = |n: &roxmltree::Node, a: &str| -> f64 {
            n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        };
        let mut out = Vec::new();
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let text = n.text().unwrap_or("").trim().to_string();
            if text.is_empty() {
                continue;
            }
            let (x, y, em) = (num(&n, "x"), num(&n, "y"), num(&n, "font-size"));
            let w = super::canvas::text_width(&text, em * 1.24);
            let ex = super::style::X_HEIGHT_EM * em;
            let baseline = match n.attribute("dy") {
                Some("0.76em") => y + 0.76 * em,
                Some("0.5ex") => y + 0.5 * ex,
                Some("-0.5ex") => y - 0.5 * ex,
                _ => y,
            };
            let (l, r) = match n.attribute("text-anchor") {
                Some("middle") => (x - w / 2.0, x + w / 2.0),
                Some("end") => (x - w, x),
                _ => (x, x + w),
            };
            // Ascender and descender of DejaVu Sans, about 0.76 and 0.24 em.
            let (t, b) = (baseline - 0.76 * em, baseline + 0.24 * em);
            let bx = match n.attribute("transform") {
                // rotate(270, cx, cy): (x, y) -> (cx + y - cy, cy - x + cx).
                Some(tr) if tr.starts_with("rotate(270") => {
                    let (cx, cy) = (x, y);
                    let f = |px: f64, py: f64| (cx + py - cy, cy - px + cx);
                    let (a, c) = (f(l, t), f(r, b));
                    (a.0.min(c.0), a.1.min(c.1), a.0.max(c.0), a.1.max(c.1))
                }
                Some(tr) => panic!("a text rotated otherwise: {tr}"),
                None => (l, t, r, b),
            };
            out.push((text, bx));
        }
        out
    }

    /// Panics, naming the texts, if two texts of `svg` overlap or one
    /// leaves the `width` x `height` canvas.
    pub fn assert_no_overlap(name: &str, svg: &str, width: u32, height: u32) {
        let boxes = text_boxes(svg);
        // Half a pixel of slack: boxes that touch do not overlap.
        let slack = 0.5;
        for (i, (a, ba)) in boxes.iter().enumerate() {
            assert!(
                ba.0 >= -slack
                    && ba.1 >= -slack
                    && ba.2 <= width as f64 + slack
                    && ba.3 <= height as f64 + slack,
                "{name}: `{a}` leaves the {width} x {height} canvas: {ba:?}"
            );
            for (b, bb) in &boxes[i + 1..] {
                let apart = ba.2 <= bb.0 + slack
                    || bb.2 <= ba.0 + slack
                    || ba.3 <= bb.1 + slack
                    || bb.3 <= ba.1 + slack;
                assert!(apart, "{name}: `{a}` {ba:?} overlaps `{b}` {bb:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Described, Unit};

    /// Chart data made up for the layout's worst case: five zones with long
    /// names, a 30-year horizon, a target, 1,000 sampled replications.
    fn five_zones_thirty_years() -> ChartData {
        let years: Vec<i32> = (2025..2055).collect();
        let zones = ["north", "south", "east", "west", "central"];
        let mut series = Vec::new();
        for (z, id) in zones.iter().chain(["total"].iter()).enumerate() {
            let scale = if *id == "total" { 5.0 } else { 1.0 + z as f64 };
            let quantiles = (0..years.len())
                .map(|t| {
                    let m = scale * 100.0 * (1.0 - (-(t as f64) / 8.0).exp());
                    [0.6 * m, 0.85 * m, m, 1.15 * m, 1.5 * m]
                })
                .collect();
            series.push(FanSeries {
                output: "exports".into(),
                zone: id.to_string(),
                quantiles,
            });
        }
        // A deterministic pseudo-random sample: y rises with a, falls with b.
        let mut state = 12345u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let n = 1000;
        let (mut a, mut b, mut c, mut y) = (vec![], vec![], vec![], vec![]);
        for _ in 0..n {
            let (x1, x2, x3) = (uniform(), uniform(), uniform());
            a.push(x1);
            b.push(x2);
            c.push(x3);
            y.push(500.0 + 400.0 * x1 - 150.0 * x2 + 30.0 * x3);
        }
        ChartData {
            run: RunInfo {
                scenario: "layout".into(),
                title: "Five zones over thirty years, with long names everywhere".into(),
                seed: 1,
                replications: 5000,
                zones: zones
                    .iter()
                    .map(|id| ZoneName {
                        id: id.to_string(),
                        name: format!(
                            "The {id} special economic zone, a province with a long name"
                        ),
                    })
                    .collect(),
                model: "sez".into(),
                catalogue: Catalogue {
                    series: vec![Described::new(
                        "exports",
                        "Exports",
                        Unit::usd_million_per_year(),
                        true,
                    )],
                    scalars: vec![Described::new(
                        "exports_final",
                        "Exports in the final year",
                        Unit::usd_million_per_year(),
                        false,
                    )],
                },
                input_labels: vec![(
                    "zones.north.exports.export_share".into(),
                    "The north special economic zone: export share of output, a long label".into(),
                )],
                chart_size: ChartSize::default(),
            },
            fan: FanData { years, series },
            scalars: vec![ScalarInfo {
                name: "exports_final".into(),
                target: Some(800.0),
                p_target: Some(0.123),
            }],
            sample: Sample {
                inputs: vec![
                    "zones.north.exports.export_share".into(),
                    "zones.south.investment.skill_sensitivity".into(),
                    "global.demand_volatility".into(),
                ],
                scalars: vec!["exports_final".into()],
                replications: (0..n as u64).collect(),
                input_values: vec![a, b, c],
                scalar_values: vec![y],
            },
        }
    }

    #[test]
    fn every_kind_renders_for_five_zones_and_thirty_years() {
        let data = five_zones_thirty_years();
        let specs = chart_list(&data);
        assert_eq!(specs.len(), 5);
        let drawn = render_all(&data, 2).unwrap();
        for c in &drawn {
            let decoder = png::Decoder::new(std::io::Cursor::new(&c.png));
            let reader = decoder.read_info().unwrap();
            let info = reader.info();
            assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
            assert!(c.svg.starts_with("<svg"), "{}", c.spec.file_stem());
        }
        // The same bytes on one thread.
        let again = render_all(&data, 1).unwrap();
        for (a, b) in drawn.iter().zip(&again) {
            assert!(a.png == b.png && a.svg == b.svg, "{}", a.spec.file_stem());
        }
        for c in &drawn {
            layout::assert_no_overlap(&c.spec.file_stem(), &c.svg, WIDTH, HEIGHT);
        }
        // The planted driver leads, the negative one follows.
        let d = tornado::drivers(&data.sample, 0);
        assert_eq!(d[0].input, "zones.north.exports.export_share");
        assert!(d[1].rho < 0.0);
    }

    #[test]
    fn every_kind_renders_at_every_size_without_overlapping_text() {
        let mut data = five_zones_thirty_years();
        for size in ChartSize::ALL {
            data.run.chart_size = size;
            let (w, h) = size.pixels();
            for c in render_all(&data, 2).unwrap() {
                let name = format!("{} at {size}", c.spec.file_stem());
                let decoder = png::Decoder::new(std::io::Cursor::new(&c.png));
                let reader = decoder.read_info().unwrap();
                assert_eq!(
                    (reader.info().width, reader.info().height),
                    (w, h),
                    "{name}"
                );
                assert!(c.svg.contains(&format!("width=\"{w}\"")), "{name}");
                layout::assert_no_overlap(&name, &c.svg, w, h);
            }
        }
    }

    #[test]
    fn the_default_size_is_the_slide_size_and_names_round_trip() {
        assert_eq!(ChartSize::default().pixels(), (WIDTH, HEIGHT));
        for size in ChartSize::ALL {
            assert_eq!(ChartSize::from_name(size.name()), Some(size));
            let json = serde_json::to_string(&size).unwrap();
            assert_eq!(json, format!("\"{size}\""));
        }
        assert_eq!(ChartSize::from_name("A4"), None);
    }

    /// The layout check sees text: it finds a chart's texts, and it fails
    /// on two labels drawn over each other and on one past the edge.
    #[test]
    fn the_layout_check_catches_overlapping_and_clipped_text() {
        let data = five_zones_thirty_years();
        let svg = render(&chart_list(&data)[4], &data).unwrap().svg;
        let boxes = layout::text_boxes(&svg);
        assert!(boxes.len() > 10, "{boxes:?}");
        let text = |x: u32, label: &str| {
            format!(
                r#"<text x="{x}" y="100" dy="0.5ex" text-anchor="start" font-size="26">{label}</text>"#
            )
        };
        let page = |body: String| format!(r#"<svg width="400" height="200">{body}</svg>"#);
        let apart = page(text(10, "Exports") + &text(200, "Imports"));
        layout::assert_no_overlap("apart", &apart, 400, 200);
        let over = page(text(10, "Exports") + &text(60, "Imports"));
        let clipped = page(text(350, "Exports"));
        for svg in [over, clipped] {
            let caught =
                std::panic::catch_unwind(|| layout::assert_no_overlap("bad", &svg, 400, 200));
            assert!(caught.is_err(), "{svg}");
        }
    }
}

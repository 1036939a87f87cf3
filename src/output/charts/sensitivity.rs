//! The charts of a sensitivity analysis (`sezsim sensitivity`), drawn from
//! its results alone, so an analysis merged from shards has the unsharded
//! charts:
//!
//! | chart | file | what |
//! |---|---|---|
//! | [`IndexBars`] | `sobol_<output>` | S1 and ST of the top factors with their intervals, sorted by ST |
//! | [`IndexBars`] | `sobol_<output>_<year>` | the same for a yearly output's last year |
//! | [`YearShares`] | `sobol_<output>_by_year` | stacked area of S1 over the years, with "interactions" (1 - sum of S1) on top |
//! | [`MorrisPoints`] | `morris_<output>`, `morris_<output>_<year>` | every factor at (mu*, sigma), the top ones named |

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rayon::prelude::*;

use super::axes::{Axis, Grid, chart, y_label_area};
use super::canvas::{Area, Drawn, TextOut, err, text_height, text_width};
use super::fan::with_unit;
use super::frame::{Key, LegendItem, fit, font, frame};
use super::{ChartSize, Figure, Picture, render_figure, style};
use crate::engine::Unit;
use crate::error::Error;

/// A factor's first-order and total index, each `[value, lo, hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorBars {
    /// The factor's name.
    pub name: String,
    /// S1 and its interval.
    pub s1: [f64; 3],
    /// ST and its interval.
    pub st: [f64; 3],
}

/// Bars of S1 and ST for one output, factors in the order given (most
/// important first).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexBars {
    /// File name without extension.
    pub stem: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// The factors shown.
    pub factors: Vec<FactorBars>,
}

/// First-order indices of a yearly output over the years.
#[derive(Debug, Clone, PartialEq)]
pub struct YearShares {
    /// File name without extension.
    pub stem: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// The years.
    pub years: Vec<i32>,
    /// Each layer's name and S1 by year (NaN where a year has none).
    pub layers: Vec<(String, Vec<f64>)>,
    /// 1 - the sum of S1, by year.
    pub interactions: Vec<f64>,
}

/// Morris statistics of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisPoints {
    /// File name without extension.
    pub stem: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// The output's unit.
    pub unit: Option<Unit>,
    /// Each factor's name, mu* and sigma, most important first.
    pub factors: Vec<(String, f64, f64)>,
}

/// One chart of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum SensitivityChart {
    /// S1 and ST bars.
    Bars(IndexBars),
    /// S1 over the years.
    Years(YearShares),
    /// mu* against sigma.
    Morris(MorrisPoints),
}

/// Factors named on a Morris chart.
const NAMED_POINTS: usize = 8;

/// Draw `charts` at `size` on `threads` threads, in order; the bytes do not depend
/// on the thread count.
pub fn render_all(
    charts: &[SensitivityChart],
    size: ChartSize,
    threads: usize,
) -> Result<Vec<Picture>, Error> {
    super::register_fonts();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })?;
    pool.install(|| {
        charts
            .par_iter()
            .map(|c| match c {
                SensitivityChart::Bars(b) => render_figure(&b.stem, b, size),
                SensitivityChart::Years(y) => render_figure(&y.stem, y, size),
                SensitivityChart::Morris(m) => render_figure(&m.stem, m, size),
            })
            .collect()
    })
}

impl Figure for IndexBars {
    fn draw<B: TextOut>(&self, root: &Area<B>) -> Drawn {
        let legend = vec![
            LegendItem {
                key: Key::Swatch(style::BLUE.to_rgba()),
                label: "ST (total)".into(),
            },
            LegendItem {
                key: Key::Swatch(style::ORANGE.to_rgba()),
                label: "S1 (first order)".into(),
            },
            LegendItem {
                key: Key::Line(style::TEXT, 3),
                label: "95% interval".into(),
            },
        ];
        let body = frame(
            root,
            &self.title,
            &self.subtitle,
            &legend,
            Some("Share of the output's variance: S1 the factor alone, ST with its interactions."),
        )?;
        let (w, _) = body.dim_in_pixel();
        let max_label = w as f64 * 0.42;
        let n = self.factors.len();
        let names: Vec<String> = self
            .factors
            .iter()
            .rev()
            .map(|f| fit(&f.name, style::TICK_SIZE, max_label))
            .collect();
        let y = Axis::categories(names);
        let hi = self
            .factors
            .iter()
            .flat_map(|f| [f.s1[2], f.st[2]])
            .filter(|v| v.is_finite())
            .fold(0.1_f64, f64::max)
            .min(1.2);
        let lo = self
            .factors
            .iter()
            .flat_map(|f| [f.s1[1], f.st[1]])
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::min)
            .max(-0.2);
        let x_len = w as f64 - y_label_area(&y) - 60.0;
        let x = Axis::values_fitting(lo, hi, Some(&Unit::Share), x_len, true)
            .titled("Share of variance");
        let mut chart = chart(&body, &x, &y, Grid { x: true, y: false })?;
        let clamp = |v: f64| v.clamp(x.lo, x.hi);
        for (k, f) in self.factors.iter().enumerate() {
            let row = (n - 1 - k) as f64;
            // ST above, S1 below, within the factor's row.
            let bars = [
                (f.st, row + 0.5, style::BLUE),
                (f.s1, row + 0.12, style::ORANGE),
            ];
            for (v, bottom, colour) in bars {
                let top = bottom + 0.36;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, bottom), (clamp(v[0]), top)],
                        colour.filled(),
                    )))
                    .map_err(err)?;
                let mid = (bottom + top) / 2.0;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(clamp(v[1]), mid), (clamp(v[2]), mid)],
                        style::TEXT.stroke_width(3),
                    )))
                    .map_err(err)?;
                for end in [v[1], v[2]] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(clamp(end), mid - 0.1), (clamp(end), mid + 0.1)],
                            style::TEXT.stroke_width(3),
                        )))
                        .map_err(err)?;
                }
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                style::TEXT.stroke_width(2),
            )))
            .map_err(err)?;
        Ok(())
    }
}

/// Colours of the layers, in order; "interactions" is grey.
const LAYER_COLOURS: [RGBColor; 7] = [
    style::BLUE,
    style::ORANGE,
    style::BLUISH_GREEN,
    style::VERMILLION,
    style::SKY_BLUE,
    style::REDDISH_PURPLE,
    RGBColor(0x99, 0x99, 0x66),
];

impl Figure for YearShares {
    fn draw<B: TextOut>(&self, root: &Area<B>) -> Drawn {
        let interactions = RGBColor(0xBB, 0xBB, 0xBB);
        let mut legend: Vec<LegendItem> = self
            .layers
            .iter()
            .enumerate()
            .map(|(i, (name, _))| LegendItem {
                key: Key::Swatch(LAYER_COLOURS[i % LAYER_COLOURS.len()].to_rgba()),
                label: fit(name, style::LEGEND_SIZE, 700.0),
            })
            .collect();
        legend.push(LegendItem {
            key: Key::Swatch(interactions.to_rgba()),
            label: "interactions".into(),
        });
        let body = frame(
            root,
            &self.title,
            &self.subtitle,
            &legend,
            Some(
                "Layers: each factor's S1 (negative estimates drawn as 0); interactions: 1 - the sum of every S1.",
            ),
        )?;
        let (w, h) = body.dim_in_pixel();
        let first = self.years.first().copied().unwrap_or(0);
        let last = self.years.last().copied().unwrap_or(first);
        let y = Axis::values_fitting(0.0, 1.0, Some(&Unit::Share), h as f64 * 0.8, false)
            .titled("Share of variance");
        let x = Axis::years(first, last, w as f64 - y_label_area(&y) - 60.0);
        let mut chart = chart(&body, &x, &y, Grid { x: false, y: true })?;
        let mut floor = vec![0.0; self.years.len()];
        let all = self
            .layers
            .iter()
            .map(|(_, v)| v.as_slice())
            .chain(std::iter::once(self.interactions.as_slice()));
        for (i, values) in all.enumerate() {
            let colour = if i < self.layers.len() {
                LAYER_COLOURS[i % LAYER_COLOURS.len()]
            } else {
                interactions
            };
            let top: Vec<f64> = floor
                .iter()
                .zip(values)
                .map(|(f, v)| (f + if v.is_finite() { *v } else { 0.0 }).min(1.0))
                .collect();
            let polygon: Vec<(f64, f64)> = self
                .years
                .iter()
                .zip(&top)
                .map(|(&yr, &t)| (yr as f64, t))
                .chain(
                    self.years
                        .iter()
                        .zip(&floor)
                        .rev()
                        .map(|(&yr, &f)| (yr as f64, f)),
                )
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(polygon, colour.filled())))
                .map_err(err)?;
            floor = top;
        }
        Ok(())
    }
}

impl Figure for MorrisPoints {
    fn draw<B: TextOut>(&self, root: &Area<B>) -> Drawn {
        let unit = self.unit.as_ref();
        let body = frame(
            root,
            &self.title,
            &self.subtitle,
            &[],
            Some(
                "Right: important factors. High: effects that vary (interactions, non-linearity). Top factors named where room allows.",
            ),
        )?;
        let (w, h) = body.dim_in_pixel();
        let finite = |v: &f64| v.is_finite();
        let x_hi = self
            .factors
            .iter()
            .map(|f| f.1)
            .filter(finite)
            .fold(0.0_f64, f64::max);
        let y_hi = self
            .factors
            .iter()
            .map(|f| f.2)
            .filter(finite)
            .fold(0.0_f64, f64::max);
        let pad = |v: f64| if v > 0.0 { v * 1.1 } else { 1.0 };
        let y = Axis::values_fitting(0.0, pad(y_hi), unit, h as f64 * 0.8, false)
            .titled(with_unit("sigma (spread of effects)", unit));
        let x_len = w as f64 - y_label_area(&y) - 60.0;
        let x = Axis::values_fitting(0.0, pad(x_hi), unit, x_len, true)
            .titled(with_unit("mu* (mean absolute effect)", unit));
        let mut chart = chart(&body, &x, &y, Grid { x: true, y: true })?;
        let points: Vec<(f64, f64)> = self
            .factors
            .iter()
            .filter(|f| f.1.is_finite() && f.2.is_finite())
            .map(|f| (f.1, f.2))
            .collect();
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 10, style::BLUE.filled())),
            )
            .map_err(err)?;
        // Name the most important points where a name fits: to the left
        // of its point, else to the right, else not at all (never over
        // another name).
        let size = style::NOTE_SIZE;
        let height = text_height(size);
        let mut placed: Vec<[f64; 4]> = Vec::new();
        let mut labels = Vec::new();
        for f in self
            .factors
            .iter()
            .filter(|f| f.1.is_finite() && f.2.is_finite())
            .take(NAMED_POINTS)
        {
            let name = fit(&f.0, size, 520.0);
            let width = text_width(&name, size);
            let (px, py) = chart.backend_coord(&(f.1, f.2));
            let (px, py) = (f64::from(px), f64::from(py));
            let top = py - 14.0 - height;
            let left = [px - 14.0 - width, top, px - 14.0, py - 14.0];
            let right = [px + 14.0, top, px + 14.0 + width, py - 14.0];
            let free = |b: &[f64; 4]| {
                b[0] >= 0.0
                    && placed
                        .iter()
                        .all(|p| b[2] <= p[0] || p[2] <= b[0] || b[3] <= p[1] || p[3] <= b[1])
            };
            let (anchor, dx) = if free(&left) {
                (left, (HPos::Right, -14))
            } else if free(&right) {
                (right, (HPos::Left, 14))
            } else {
                continue;
            };
            placed.push(anchor);
            labels.push(
                EmptyElement::at((f.1, f.2))
                    + Text::new(
                        name,
                        (dx.1, -14),
                        font(size, style::TEXT, dx.0, VPos::Bottom),
                    ),
            );
        }
        chart.draw_series(labels).map_err(err)?;
        Ok(())
    }
}

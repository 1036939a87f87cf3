//! Overlay fan charts of a comparison: for one output, each scenario's
//! total over zones (or national value) on one axis, as a median line and
//! a P5-P95 band in the scenario's colour ([`style::scenario_colour`]: the
//! same colour for the same scenario in every chart).
//!
//! Only the outer band is drawn: with three or more scenarios the inner
//! bands of a single run's fan would pile up into an unreadable mix. The
//! band's edges are drawn as thin lines, so where bands overlap each one
//! can still be followed.
//!
//! Drawn from each scenario's saved `fan.csv`, like a run's own charts, so
//! the bytes depend only on the saved data.

use plotters::prelude::*;

use super::axes::{Axis, Grid, chart, y_label_area};
use super::canvas::{Area, Drawn, TextOut, err};
use super::data::{FanData, FanSeries};
use super::fan::{label_and_unit, replications_of, value_range, with_unit};
use super::frame::{Key, LegendItem, frame};
use super::{ChartSize, Figure, Picture, render_figure, style};
use crate::engine::Catalogue;
use crate::error::Error;

/// One scenario of a comparison, as its charts see it.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayScenario {
    /// `[scenario].title`: its name in the legend.
    pub title: String,
    /// Its saved fan data (`fan.csv`).
    pub fan: FanData,
}

/// The data of a comparison's overlay charts.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayData {
    /// Replications of every scenario.
    pub replications: u64,
    /// The base first, then the variants, in the order given.
    pub scenarios: Vec<OverlayScenario>,
    /// Labels and units of the outputs (the base's model's).
    pub catalogue: Catalogue,
    /// The size the charts are drawn at (the base's).
    pub chart_size: ChartSize,
}

/// The file name (without extension) of the overlay chart of `output`.
pub fn file_stem(output: &str) -> String {
    format!("compare_{output}")
}

struct Overlay<'a> {
    data: &'a OverlayData,
    output: &'a str,
}

impl Figure for Overlay<'_> {
    fn draw<B: TextOut>(&self, root: &Area<B>) -> Drawn {
        draw_overlay(root, self.data, self.output)
    }
}

/// Draw the overlay chart of `output`: PNG and SVG.
pub fn render_overlay(data: &OverlayData, output: &str) -> Result<Picture, Error> {
    render_figure(
        &file_stem(output),
        &Overlay { data, output },
        data.chart_size,
    )
}

/// The overlay charts of `outputs` (the base's `[outputs].charts`), in that
/// order; an output no scenario has a total (or national) series of is
/// skipped.
pub fn render_overlays(data: &OverlayData, outputs: &[String]) -> Result<Vec<Picture>, Error> {
    outputs
        .iter()
        .filter(|o| {
            data.scenarios
                .iter()
                .any(|s| s.fan.aggregate_of(o).is_some())
        })
        .map(|o| render_overlay(data, o))
        .collect()
}

/// The title: the output and what the line adds up (the base's zones).
fn title(data: &OverlayData, output: &str, label: &str) -> String {
    let base = data
        .scenarios
        .iter()
        .find_map(|s| s.fan.aggregate_of(output).map(|a| (s, a)));
    match base {
        Some((_, a)) if a.zone == "national" => format!("{label}: national, by scenario"),
        Some((s, _)) => match s.fan.zones_of(output).len() {
            0 | 1 => format!("{label}: total, by scenario"),
            n => format!("{label}: total of {n} zones, by scenario"),
        },
        None => format!("{label}, by scenario"),
    }
}

fn draw_overlay<B: TextOut>(root: &Area<B>, data: &OverlayData, output: &str) -> Drawn {
    let (label, unit) = label_and_unit(&data.catalogue, output);
    let unit = unit.as_ref();
    let shown: Vec<(usize, &OverlayScenario, &FanSeries)> = data
        .scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.fan.aggregate_of(output).map(|a| (i, s, a)))
        .collect();
    if shown.is_empty() {
        return Err(format!("no scenario has a total series of `{output}`"));
    }
    let titles: Vec<&str> = shown.iter().map(|(_, s, _)| s.title.as_str()).collect();
    let (prefix, names) = split_common_prefix(&titles);
    let width = |i: usize| line_width(i, data.scenarios.len());
    let legend: Vec<LegendItem> = shown
        .iter()
        .zip(&names)
        .map(|((i, _, _), name)| LegendItem {
            key: Key::Line(style::scenario_colour(*i), width(*i)),
            label: name.to_string(),
        })
        .collect();
    let subtitle = format!(
        "{prefix}Median (line) and P5–P95 (band) · {}, same seed",
        replications_of(data.replications)
    );
    let body = frame(
        root,
        &title(data, output, &label),
        &subtitle,
        &legend,
        Some(
            "Bands hold 90% of replications. Where medians coincide, the earlier scenario's wider line frames the later's.",
        ),
    )?;
    let (w, h) = body.dim_in_pixel();
    // Years: the union of the scenarios' (they normally share a horizon).
    let first = shown
        .iter()
        .filter_map(|(_, s, _)| s.fan.years.first())
        .min();
    let last = shown
        .iter()
        .filter_map(|(_, s, _)| s.fan.years.last())
        .max();
    let (Some(&first), Some(&last)) = (first, last) else {
        return Err(format!("no years in the fan data of `{output}`"));
    };
    let series: Vec<&FanSeries> = shown.iter().map(|(_, _, a)| *a).collect();
    let (lo, hi) = value_range(&series, unit);
    let y =
        Axis::values_fitting(lo, hi, unit, h as f64 * 0.8, false).titled(with_unit(&label, unit));
    let x_len = w as f64 - y_label_area(&y) - 60.0;
    let x = Axis::years(first, last, x_len.min(1400.0) * 0.75).titled("Year");
    let mut chart = chart(&body, &x, &y, Grid { x: true, y: true })?;
    // Bands first, then every line above every band, so no band hides a
    // median.
    for (i, s, a) in &shown {
        let points = finite_points(&s.fan.years, a);
        let colour = style::scenario_colour(*i);
        let band: Vec<(f64, f64)> = points
            .iter()
            .map(|(x, q)| (*x, q[0]))
            .chain(points.iter().rev().map(|(x, q)| (*x, q[4])))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                colour.mix(0.16).filled(),
            )))
            .map_err(err)?;
    }
    for (i, s, a) in &shown {
        let points = finite_points(&s.fan.years, a);
        let colour = style::scenario_colour(*i);
        for k in [0, 4] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    points.iter().map(|(x, q)| (*x, q[k])).collect::<Vec<_>>(),
                    colour.mix(0.7).stroke_width(2),
                )))
                .map_err(err)?;
        }
    }
    for (i, s, a) in &shown {
        let points = finite_points(&s.fan.years, a);
        chart
            .draw_series(std::iter::once(PathElement::new(
                points.iter().map(|(x, q)| (*x, q[2])).collect::<Vec<_>>(),
                style::scenario_colour(*i).stroke_width(width(*i)),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// The median line width of scenario `i` of `n`: the base widest, each
/// variant narrower, drawn in order, so a variant whose median equals the
/// base's (a policy that does not move this output) leaves the base's
/// colour visible on both sides of its own instead of hiding it.
fn line_width(i: usize, n: usize) -> u32 {
    let step = if n <= 3 { 3 } else { 2 };
    style::DATA_LINE + step * (n.saturating_sub(1 + i)) as u32
}

/// Titles that all start with the same "Study: " part (the CPEC scenarios'
/// "CPEC priority SEZs: ") are told apart by the rest: the shared part goes
/// in the subtitle (returned with a trailing " · "), the rest in the
/// legend, which then fits on one line.
fn split_common_prefix<'a>(titles: &[&'a str]) -> (String, Vec<&'a str>) {
    let whole = (String::new(), titles.to_vec());
    let Some(first) = titles.first() else {
        return whole;
    };
    if titles.len() < 2 {
        return whole;
    }
    let Some(cut) = first.find(": ") else {
        return whole;
    };
    let head = &first[..cut + 2];
    if titles
        .iter()
        .all(|t| t.starts_with(head) && t.len() > head.len())
    {
        (
            format!("{} · ", &head[..cut]),
            titles.iter().map(|t| &t[head.len()..]).collect(),
        )
    } else {
        whole
    }
}

/// The years where every level is finite (a NaN would tear the polygon).
fn finite_points(years: &[i32], s: &FanSeries) -> Vec<(f64, [f64; 5])> {
    years
        .iter()
        .zip(&s.quantiles)
        .filter(|(_, q)| q.iter().all(|v| v.is_finite()))
        .map(|(&y, q)| (y as f64, *q))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_study_name_moves_to_the_subtitle() {
        let (p, n) = split_common_prefix(&["CPEC: baseline", "CPEC: skills"]);
        assert_eq!((p.as_str(), n), ("CPEC · ", vec!["baseline", "skills"]));
        let (p, n) = split_common_prefix(&["CPEC: baseline", "Other: skills"]);
        assert_eq!(
            (p.as_str(), n),
            ("", vec!["CPEC: baseline", "Other: skills"])
        );
        assert_eq!(split_common_prefix(&["A: b"]).0, "");
        assert!(line_width(0, 3) > line_width(1, 3) && line_width(2, 3) == style::DATA_LINE);
    }

    /// Three scenarios with long titles over thirty years: the overlay
    /// renders at every size with no text over another.
    #[test]
    fn the_overlay_renders_at_every_size_without_overlapping_text() {
        use crate::engine::{Described, Unit};
        let years: Vec<i32> = (2025..2055).collect();
        let scenario = |k: f64, title: &str| OverlayScenario {
            title: title.into(),
            fan: FanData {
                years: years.clone(),
                series: vec![FanSeries {
                    output: "exports".into(),
                    zone: "total".into(),
                    quantiles: (0..years.len())
                        .map(|t| {
                            let m = k * 1000.0 * (1.0 - (-(t as f64) / 8.0).exp());
                            [0.6 * m, 0.85 * m, m, 1.15 * m, 1.5 * m]
                        })
                        .collect(),
                }],
            },
        };
        let mut data = OverlayData {
            replications: 5000,
            scenarios: vec![
                scenario(1.0, "CPEC priority zones: baseline at the observed pace"),
                scenario(1.3, "CPEC priority zones: skills scale-up in every zone"),
                scenario(0.8, "CPEC priority zones: energy reliability programme"),
            ],
            catalogue: Catalogue {
                series: vec![Described::new(
                    "exports",
                    "Exports",
                    Unit::usd_million_per_year(),
                    true,
                )],
                scalars: Vec::new(),
            },
            chart_size: ChartSize::default(),
        };
        for size in ChartSize::ALL {
            data.chart_size = size;
            let (w, h) = size.pixels();
            let p = render_overlay(&data, "exports").unwrap();
            let name = format!("{} at {size}", p.stem);
            super::super::layout::assert_no_overlap(&name, &p.svg, w, h);
        }
    }
}

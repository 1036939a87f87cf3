//! Fan charts: how a yearly output spreads across replications. The median
//! is a line; around it the P25-P75 band (half the replications) and the
//! P5-P95 band (nine in ten), in the same blue, lighter further out.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{Axis, Grid, chart, x_label_area, y_label_area};
use super::canvas::{Area, Drawn, TextOut, err, text_height, text_width};
use super::data::{ChartData, FanSeries};
use super::frame::{Key, LegendItem, fit, frame, text};
use super::style;
use crate::engine::{Catalogue, Unit};
use crate::output::format;

/// The legend shared by every fan chart.
fn legend() -> Vec<LegendItem> {
    vec![
        LegendItem {
            key: Key::Swatch(style::BAND_OUTER),
            label: "P5–P95 (90% of replications)".into(),
        },
        LegendItem {
            key: Key::Swatch(style::BAND_INNER),
            label: "P25–P75 (50%)".into(),
        },
        LegendItem {
            key: Key::Line(style::BLUE, style::DATA_LINE),
            label: "Median".into(),
        },
    ]
}

/// Label and unit of an output or scalar from `catalogue`, falling back to
/// its name.
pub fn label_and_unit(catalogue: &Catalogue, name: &str) -> (String, Option<Unit>) {
    match catalogue.describe(name) {
        Some(d) => (d.label.clone(), Some(d.unit.clone())),
        None => (name.to_string(), None),
    }
}

/// "Label (unit)", or the label alone where there is no unit.
pub fn with_unit(label: &str, unit: Option<&Unit>) -> String {
    match unit.and_then(Unit::text) {
        Some(u) => format!("{label} ({u})"),
        None => label.to_string(),
    }
}

/// The value range a set of fans covers: extensive quantities (money,
/// people, energy) start at zero so areas read honestly; ratios and indices
/// use their own range, where the movement is.
pub(super) fn value_range(series: &[&FanSeries], unit: Option<&Unit>) -> (f64, f64) {
    value_span(
        series
            .iter()
            .flat_map(|s| s.quantiles.iter().flat_map(|q| [q[0], q[4]])),
        unit,
    )
}

/// The range of `values` (non-finite ones ignored), widened to zero for
/// extensive units as [`value_range`] explains.
pub(super) fn value_span(values: impl Iterator<Item = f64>, unit: Option<&Unit>) -> (f64, f64) {
    let values = values.filter(|v| v.is_finite());
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if unit.is_some_and(Unit::is_amount) {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    (lo, hi)
}

/// Draw one fan into `chart`'s coordinates.
fn draw_bands<B: TextOut>(
    chart: &mut super::axes::Chart<'_, B>,
    years: &[i32],
    s: &FanSeries,
) -> Drawn {
    // Years where every level is finite (a NaN would tear the polygon).
    let points: Vec<(f64, [f64; 5])> = years
        .iter()
        .zip(&s.quantiles)
        .filter(|(_, q)| q.iter().all(|v| v.is_finite()))
        .map(|(&y, q)| (y as f64, *q))
        .collect();
    if points.is_empty() {
        return Ok(());
    }
    // Three bands that do not overlap (P5-P25, P25-P75, P75-P95), so each
    // shows exactly its legend colour.
    let band = |lo: usize, hi: usize| -> Vec<(f64, f64)> {
        points
            .iter()
            .map(|(x, q)| (*x, q[lo]))
            .chain(points.iter().rev().map(|(x, q)| (*x, q[hi])))
            .collect()
    };
    for (lo, hi, colour) in [
        (0, 1, style::BAND_OUTER),
        (3, 4, style::BAND_OUTER),
        (1, 3, style::BAND_INNER),
    ] {
        chart
            .draw_series(std::iter::once(Polygon::new(band(lo, hi), colour.filled())))
            .map_err(err)?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            points.iter().map(|(x, q)| (*x, q[2])).collect::<Vec<_>>(),
            style::BLUE.stroke_width(style::DATA_LINE),
        )))
        .map_err(err)?;
    Ok(())
}

pub(super) fn replications_of(n: u64) -> String {
    if n == 1 {
        "1 replication".into()
    } else {
        format!("{} replications", format::group_thousands(&n.to_string()))
    }
}

fn replications(data: &ChartData) -> String {
    replications_of(data.run.replications)
}

/// The title of the aggregate fan of `output` (`total` or `national`).
fn aggregate_title(data: &ChartData, s: &FanSeries, label: &str) -> String {
    if s.zone == "national" {
        format!("{label}: national")
    } else {
        let zones = data.fan.zones_of(&s.output).len();
        match zones {
            0 => format!("{label}: total"),
            1 => format!("{label}: total of 1 zone"),
            n => format!("{label}: total of {n} zones"),
        }
    }
}

/// The fan chart of `output`'s total (or national value).
pub fn draw_fan<B: TextOut>(root: &Area<B>, data: &ChartData, output: &str) -> Drawn {
    let Some(s) = data.fan.aggregate_of(output) else {
        return Err(format!("no total or national series of `{output}`"));
    };
    let (label, unit) = label_and_unit(&data.run.catalogue, output);
    let unit = unit.as_ref();
    let title = aggregate_title(data, s, &label);
    let subtitle = format!("{} · {}", data.run.title, replications(data));
    let body = frame(root, &title, &subtitle, &legend(), None)?;
    let (w, h) = body.dim_in_pixel();
    let years = &data.fan.years;
    let (first, last) = (years[0], *years.last().expect("years"));
    let (lo, hi) = value_range(&[s], unit);
    let y =
        Axis::values_fitting(lo, hi, unit, h as f64 * 0.8, false).titled(with_unit(&label, unit));
    let x_len = w as f64 - y_label_area(&y) - 60.0;
    let x = Axis::years(first, last, x_len.min(1400.0) * 0.75).titled("Year");
    let mut chart = chart(&body, &x, &y, Grid { x: true, y: true })?;
    draw_bands(&mut chart, years, s)
}

/// A zone's name for a panel title: whole if it fits, else the part before
/// its first comma ("Rashakai SEZ, Khyber Pakhtunkhwa" -> "Rashakai SEZ"),
/// else shortened with an ellipsis.
fn zone_title(name: &str, width: f64) -> String {
    if text_width(name, style::PANEL_TITLE_SIZE) <= width {
        return name.to_string();
    }
    let head = name.split(',').next().unwrap_or(name).trim();
    fit(head, style::PANEL_TITLE_SIZE, width)
}

/// Most panels of a by-zone chart: beyond 12, panels get too small to read.
pub const MAX_ZONE_PANELS: usize = 12;

/// The zones a by-zone chart of `zones` shows: all of them up to
/// [`MAX_ZONE_PANELS`], else the largest by median in the final year (ties
/// to the first in scenario order), in scenario order.
pub fn shown_zones<'a>(zones: &[&'a FanSeries]) -> Vec<&'a FanSeries> {
    if zones.len() <= MAX_ZONE_PANELS {
        return zones.to_vec();
    }
    let size = |s: &FanSeries| s.quantiles.last().map_or(f64::NEG_INFINITY, |q| q[2]);
    let mut order: Vec<usize> = (0..zones.len()).collect();
    // Largest first; NaN last; a stable sort keeps scenario order in ties.
    order.sort_by(|&a, &b| {
        let (x, y) = (size(zones[a]), size(zones[b]));
        match (x.is_nan(), y.is_nan()) {
            (false, false) => y.total_cmp(&x),
            (x_nan, y_nan) => x_nan.cmp(&y_nan),
        }
    });
    order.truncate(MAX_ZONE_PANELS);
    order.sort_unstable();
    order.into_iter().map(|i| zones[i]).collect()
}

/// The note of a by-zone chart of `zones` of `all`.
fn by_zone_note(shown: usize, all: usize) -> String {
    if shown < all {
        format!(
            "The {shown} largest of {all} zones (by median in the final year); every panel has the same vertical scale."
        )
    } else {
        "Every panel has the same vertical scale.".into()
    }
}

/// Columns of a grid of `n` panels on a wide canvas.
pub fn panel_columns(n: usize) -> usize {
    match n {
        0..=3 => n.max(1),
        4 => 2,
        5 | 6 => 3,
        7 | 8 => 4,
        _ => (n as f64).sqrt().ceil() as usize,
    }
}

/// Small multiples of `output`: one panel per zone, a common vertical
/// scale.
pub fn draw_fan_by_zone<B: TextOut>(root: &Area<B>, data: &ChartData, output: &str) -> Drawn {
    let all = data.fan.zones_of(output);
    if all.is_empty() {
        return Err(format!("no per-zone series of `{output}`"));
    }
    let zones = shown_zones(&all);
    let (label, unit) = label_and_unit(&data.run.catalogue, output);
    let unit = unit.as_ref();
    let title = with_unit(&format!("{label} by zone"), unit);
    let subtitle = format!("{} · {}", data.run.title, replications(data));
    let note = by_zone_note(zones.len(), all.len());
    let body = frame(root, &title, &subtitle, &legend(), Some(&note))?;
    let cols = panel_columns(zones.len());
    let rows = zones.len().div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    let (pw, ph) = panels[0].dim_in_pixel();
    let title_h = text_height(style::PANEL_TITLE_SIZE) * 1.7;
    let years = &data.fan.years;
    let (first, last) = (years[0], *years.last().expect("years"));
    let (lo, hi) = value_range(&zones, unit);
    let plot_h = ph as f64 - title_h - x_label_area(&Axis::categories(vec![]));
    let y = Axis::values_fitting(lo, hi, unit, plot_h * 0.85, false);
    let x = Axis::years(first, last, pw as f64 - y_label_area(&y) - 40.0);
    for (panel, s) in panels.iter().zip(&zones) {
        let name = zone_title(data.zone_name(&s.zone), pw as f64 - 30.0);
        text(
            panel,
            &name,
            (8, (title_h * 0.45) as i32),
            style::PANEL_TITLE_SIZE,
            style::TEXT,
            (HPos::Left, VPos::Center),
        )?;
        let area = panel.margin(title_h as i32, 28, 0, 16);
        let mut chart = chart(&area, &x, &y, Grid { x: true, y: true })?;
        draw_bands(&mut chart, years, s)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: usize, final_median: f64) -> FanSeries {
        FanSeries {
            output: "exports".into(),
            zone: format!("z{id}"),
            quantiles: vec![[0.0; 5], [0.0, 0.0, final_median, 0.0, 0.0]],
        }
    }

    #[test]
    fn beyond_twelve_zones_the_largest_twelve_are_shown_in_scenario_order() {
        // 20 zones; sizes 0, 10, 20, ... except zone 3, the largest, and
        // zones 18 and 19 tied with 17.
        let mut sizes: Vec<f64> = (0..20).map(|i| 10.0 * i as f64).collect();
        sizes[3] = 1e6;
        sizes[18] = 170.0;
        sizes[19] = f64::NAN;
        let zones: Vec<FanSeries> = sizes.iter().enumerate().map(|(i, &m)| zone(i, m)).collect();
        let refs: Vec<&FanSeries> = zones.iter().collect();
        let shown: Vec<&str> = shown_zones(&refs).iter().map(|s| s.zone.as_str()).collect();
        // The 12 largest: z3, z17, z18 (tied with z17), z16 ... z8.
        assert_eq!(
            shown,
            [
                "z3", "z8", "z9", "z10", "z11", "z12", "z13", "z14", "z15", "z16", "z17", "z18"
            ]
        );
        assert_eq!(shown_zones(&refs[..12]).len(), 12);
        assert_eq!(
            by_zone_note(12, 20),
            "The 12 largest of 20 zones (by median in the final year); every panel has the same vertical scale."
        );
    }

    #[test]
    fn panel_grids_are_wide() {
        assert_eq!(panel_columns(1), 1);
        assert_eq!(panel_columns(4), 2);
        assert_eq!(panel_columns(5), 3);
        assert_eq!(panel_columns(9), 3);
        assert_eq!(panel_columns(12), 4);
    }
}

//! Axes as data (range, tick positions, tick labels, title) and the one
//! function that turns two of them into a plotters chart with its grid, so
//! every chart has the same axis style.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Area, Canvas, TextOut, err, text_height, text_width};
use super::frame::{fit, font};
use super::style;
use super::ticks::{nice_ticks, year_ticks};
use crate::engine::Unit;
use crate::output::format;

/// One axis: its range, ticks and their labels, and a title.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    /// One label per tick.
    pub labels: Vec<String>,
    /// The axis title, if any.
    pub desc: Option<String>,
}

impl Axis {
    /// A value axis over `[lo, hi]` with at most `max_ticks` round ticks,
    /// running from the first tick to the last.
    pub fn values(lo: f64, hi: f64, max_ticks: usize, unit: Option<&Unit>) -> Axis {
        // A constant share (100% served every year) gets a range inside
        // [0, 1]: an axis up to 110% would show impossible values.
        let in_unit = lo >= 0.0 && hi <= 1.0;
        let (lo, hi) = if unit == Some(&Unit::Share) && in_unit && hi - lo < 1e-9 {
            ((lo - 0.1).max(0.0), (hi + 0.1).min(1.0))
        } else {
            (lo, hi)
        };
        let (ticks, step) = nice_ticks(lo, hi, max_ticks);
        // A true minus sign reads better than a hyphen on a chart.
        let labels = ticks
            .iter()
            .map(|&t| format::tick(t, step, unit).replacen('-', "−", 1))
            .collect();
        Axis {
            lo: ticks[0],
            hi: *ticks.last().expect("at least two ticks"),
            ticks,
            labels,
            desc: None,
        }
    }

    /// A value axis whose ticks fit `length` pixels with labels of `size`
    /// that leave at least `gap` pixels between them (`horizontal`: labels
    /// side by side, else stacked).
    pub fn values_fitting(
        lo: f64,
        hi: f64,
        unit: Option<&Unit>,
        length: f64,
        horizontal: bool,
    ) -> Axis {
        let mut max_ticks = 12;
        loop {
            let axis = Axis::values(lo, hi, max_ticks, unit);
            let need = if horizontal {
                axis.max_label_width(style::TICK_SIZE) + 48.0
            } else {
                text_height(style::TICK_SIZE) * 3.4
            };
            if max_ticks <= 3 || need * (axis.ticks.len() as f64 - 1.0) <= length {
                return axis;
            }
            max_ticks -= 1;
        }
    }

    /// A year axis from `first` to `last` with at most as many labels as
    /// fit in `length` pixels.
    pub fn years(first: i32, last: i32, length: f64) -> Axis {
        let label = text_width("2000", style::TICK_SIZE) + 28.0;
        let max_labels = ((length / label) as usize).max(1);
        let ticks = year_ticks(first, last, max_labels);
        let pad = if first == last { 0.5 } else { 0.35 };
        Axis {
            lo: first as f64 - pad,
            hi: last as f64 + pad,
            labels: ticks.iter().map(|y| y.to_string()).collect(),
            ticks: ticks.iter().map(|&y| y as f64).collect(),
            desc: None,
        }
    }

    /// Categories `names` at 0.5, 1.5, ... (the first at the bottom).
    pub fn categories(names: Vec<String>) -> Axis {
        Axis {
            lo: 0.0,
            hi: names.len().max(1) as f64,
            ticks: (0..names.len()).map(|i| i as f64 + 0.5).collect(),
            labels: names,
            desc: None,
        }
    }

    /// With the title `desc`.
    pub fn titled(mut self, desc: impl Into<String>) -> Axis {
        self.desc = Some(desc.into());
        self
    }

    /// The widest tick label, in pixels at `size`.
    pub fn max_label_width(&self, size: f64) -> f64 {
        self.labels
            .iter()
            .map(|l| text_width(l, size))
            .fold(0.0, f64::max)
    }

    fn label_of(&self, v: f64) -> String {
        let tolerance = (self.hi - self.lo).abs() * 1e-9;
        self.ticks
            .iter()
            .position(|t| (t - v).abs() <= tolerance)
            .map(|i| self.labels[i].clone())
            .unwrap_or_default()
    }
}

/// A linear coordinate whose grid lines and labels are exactly an
/// [`Axis`]'s ticks (plotters' own f64 coordinate picks its own).
#[derive(Debug, Clone)]
pub struct Scale {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Scale {
    fn of(axis: &Axis) -> Scale {
        Scale {
            lo: axis.lo,
            hi: axis.hi,
            ticks: axis.ticks.clone(),
        }
    }
}

impl Ranged for Scale {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let f = (value - self.lo) / (self.hi - self.lo);
        // Far outside the range (or NaN): pin just off the plot, so pixel
        // arithmetic cannot overflow.
        let f = if f.is_nan() { 0.0 } else { f.clamp(-4.0, 5.0) };
        limit.0 + ((limit.1 - limit.0) as f64 * f).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Bold points are the ticks; no light grid lines.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// A chart with two value axes.
pub type Chart<'a, B> = ChartContext<'a, Canvas<B>, Cartesian2d<Scale, Scale>>;

/// Which grid lines to draw.
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    /// Vertical lines at the x ticks.
    pub x: bool,
    /// Horizontal lines at the y ticks.
    pub y: bool,
}

/// Space for the tick labels and title of the y axis.
pub fn y_label_area(y: &Axis) -> f64 {
    let desc = if y.desc.is_some() {
        text_height(style::LABEL_SIZE) * 1.9
    } else {
        0.0
    };
    y.max_label_width(style::TICK_SIZE) + 26.0 + desc
}

/// Space for the tick labels and title of the x axis.
pub fn x_label_area(x: &Axis) -> f64 {
    let desc = if x.desc.is_some() {
        text_height(style::LABEL_SIZE) * 1.9
    } else {
        0.0
    };
    text_height(style::TICK_SIZE) * 1.7 + desc
}

/// Build the chart of `x` and `y` on `area` and draw its axes, ticks,
/// labels, titles and grid.
pub fn chart<'a, B: TextOut>(
    area: &'a Area<B>,
    x: &Axis,
    y: &Axis,
    grid: Grid,
) -> Result<Chart<'a, B>, String> {
    let right = (x
        .labels
        .last()
        .map_or(0.0, |l| text_width(l, style::TICK_SIZE))
        / 2.0)
        .max(12.0) as i32
        + 8;
    let mut chart = ChartBuilder::on(area)
        .margin_top((text_height(style::TICK_SIZE) * 0.7) as i32)
        .margin_right(right)
        .x_label_area_size(x_label_area(x) as i32)
        .y_label_area_size(y_label_area(y) as i32)
        .build_cartesian_2d(Scale::of(x), Scale::of(y))
        .map_err(err)?;
    let x_fmt = |v: &f64| x.label_of(*v);
    let y_fmt = |v: &f64| y.label_of(*v);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(style::GRID.stroke_width(2))
        .light_line_style(TRANSPARENT)
        .axis_style(style::AXIS.stroke_width(2))
        .set_all_tick_mark_size(10)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_label_style(font(style::TICK_SIZE, style::TEXT, HPos::Center, VPos::Top))
        .y_label_style(font(
            style::TICK_SIZE,
            style::TEXT,
            HPos::Right,
            VPos::Center,
        ))
        .axis_desc_style(font(
            style::LABEL_SIZE,
            style::TEXT,
            HPos::Center,
            VPos::Center,
        ));
    // Axis titles are centred on their axis: one longer than the axis
    // would run into the title or the legend (on small charts), so it is
    // cut to the axis's length.
    let (w, h) = area.dim_in_pixel();
    if let Some(d) = &x.desc {
        let room = w as f64 - y_label_area(y) - right as f64;
        mesh.x_desc(fit(d, style::LABEL_SIZE, room));
    }
    if let Some(d) = &y.desc {
        let room = h as f64 - x_label_area(x) - text_height(style::TICK_SIZE) * 0.7;
        mesh.y_desc(fit(d, style::LABEL_SIZE, room));
    }
    if !grid.x {
        mesh.disable_x_mesh();
    }
    if !grid.y {
        mesh.disable_y_mesh();
    }
    mesh.draw().map_err(err)?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_axes_stay_within_0_and_100_percent() {
        let a = Axis::values(1.0, 1.0, 6, Some(&Unit::Share));
        assert_eq!((a.lo, a.hi), (0.9, 1.0));
        assert_eq!(a.labels.last().unwrap(), "100%");
        let a = Axis::values(0.0, 0.0, 6, Some(&Unit::Share));
        assert_eq!((a.lo, a.hi), (0.0, 0.1));
        let a = Axis::values(-5.0, -5.0, 6, None);
        assert!(a.lo < -5.0 && a.hi > -5.0);
        assert_eq!(a.labels[0].chars().next(), Some('−'));
    }
}

//! The distribution of a scalar outcome over replications: a histogram and
//! an empirical cumulative distribution function (CDF), with the target
//! and the probability of reaching it where one is set.
//!
//! Both are drawn from the reservoir (all replications up to 10,000, a
//! uniform sample of 10,000 beyond); the probability of reaching the target
//! is the one counted over every replication (scalars.csv).

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{Axis, Grid, chart};
use super::canvas::{Area, Drawn, TextOut, err, text_width};
use super::data::{ChartData, ScalarInfo};
use super::fan::{label_and_unit, with_unit};
use super::frame::{Key, LegendItem, font, frame};
use super::style;
use super::ticks::{AXIS_LIMIT, nice_step};
use crate::engine::Unit;
use crate::output::format;

/// Finite values of scalar `name` in the sample, sorted.
fn sorted_values(data: &ChartData, name: &str) -> Vec<f64> {
    let mut v: Vec<f64> = data
        .sample
        .scalars
        .iter()
        .position(|s| s == name)
        .map(|i| data.sample.scalar_values[i].clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Type 7 median of sorted values.
fn median(sorted: &[f64]) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = 0.5 * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The range to show: the sample's, widened to include the target.
fn shown_range(sorted: &[f64], target: Option<f64>) -> (f64, f64) {
    let (mut lo, mut hi): (f64, f64) = match (sorted.first(), sorted.last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => (0.0, 1.0),
    };
    if let Some(t) = target.filter(|t| t.is_finite()) {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    // Within what an axis can show, so widths and bins stay finite.
    let (lo, hi) = (
        lo.clamp(-AXIS_LIMIT, AXIS_LIMIT),
        hi.clamp(-AXIS_LIMIT, AXIS_LIMIT),
    );
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

/// Histogram bins of round width over `[lo, hi]`, about the square root of
/// the sample size of them (10 to 40): the edges and the share of `sorted`
/// in each bin (the last bin includes its right edge).
pub fn bins(sorted: &[f64], lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let wanted = (sorted.len() as f64).sqrt().clamp(10.0, 40.0);
    let step = nice_step((hi - lo) / wanted);
    let start = (lo / step).floor() * step;
    // The tolerance keeps a maximum that falls on an edge in the last bin
    // rather than opening a bin beyond it (a share of exactly 100%).
    // At most about 2.5 x `wanted` bins for a finite range; the cap only
    // guards against a range no axis could show.
    let count = (((hi - start) / step - 1e-9).ceil() as usize).clamp(1, 1000);
    let edges: Vec<f64> = (0..=count).map(|i| start + i as f64 * step).collect();
    let mut counts = vec![0usize; count];
    for &v in sorted {
        let i = (((v - start) / step).floor() as usize).min(count - 1);
        counts[i] += 1;
    }
    let n = sorted.len().max(1) as f64;
    (edges, counts.into_iter().map(|c| c as f64 / n).collect())
}

/// The footnote saying what the sample is.
fn sample_note(data: &ChartData, with_target: bool) -> String {
    let n = data.sample.len() as u64;
    let all = data.run.replications;
    let mut note = if n == 1 {
        "Drawn from the run's one replication.".to_string()
    } else if n == all {
        format!(
            "Drawn from all {} replications.",
            format::group_thousands(&n.to_string())
        )
    } else {
        format!(
            "Drawn from a random sample of {} of the {} replications (reservoir.csv).",
            format::group_thousands(&n.to_string()),
            format::group_thousands(&all.to_string())
        )
    };
    if with_target && n != all {
        // Replace the full stop: the note must fit on one line.
        note.pop();
        note.push_str("; P(≥ target) counts all of them.");
    }
    note
}

fn target_text(info: Option<&ScalarInfo>, unit: Option<&Unit>) -> Option<(f64, String)> {
    let info = info?;
    let t = info.target?;
    let p = info
        .p_target
        .map_or_else(|| "n/a".to_string(), format::percent);
    Some((
        t,
        format!("Target {}: P(≥ target) = {p}", format::exact(t, unit)),
    ))
}

/// Histogram of scalar `name`.
pub fn draw_histogram<B: TextOut>(root: &Area<B>, data: &ChartData, name: &str) -> Drawn {
    let (label, unit) = label_and_unit(&data.run.catalogue, name);
    let unit = unit.as_ref();
    let sorted = sorted_values(data, name);
    let info = data.scalar(name);
    let target = target_text(info, unit);
    let mut legend = Vec::new();
    let med = median(&sorted);
    if let Some(m) = med {
        legend.push(LegendItem {
            key: Key::Dashed(style::BLUE, style::DATA_LINE - 1),
            label: format!("Median {}", format::value(m, unit)),
        });
    }
    if let Some((_, text)) = &target {
        legend.push(LegendItem {
            key: Key::Line(style::VERMILLION, style::DATA_LINE),
            label: text.clone(),
        });
    }
    let title = format!("{label}: distribution");
    let note = sample_note(data, target.is_some());
    let body = frame(root, &title, &data.run.title, &legend, Some(&note))?;
    let (w, h) = body.dim_in_pixel();

    let (lo, hi) = shown_range(&sorted, target.as_ref().map(|t| t.0));
    let (edges, shares) = bins(&sorted, lo, hi);
    let top = shares.iter().copied().fold(0.0, f64::max).max(1e-9);
    // Headroom above the tallest bar for the target's label (a share axis
    // need not pass 100%).
    let y = Axis::values_fitting(
        0.0,
        (top * 1.2).min(1.0),
        Some(&Unit::Share),
        h as f64 * 0.75,
        false,
    )
    .titled("Share of replications (%)");
    let x = Axis::values_fitting(
        edges[0],
        *edges.last().expect("edges"),
        unit,
        w as f64 * 0.7,
        true,
    )
    .titled(with_unit(&label, unit));
    let mut chart = chart(&body, &x, &y, Grid { x: false, y: true })?;
    chart
        .draw_series(
            edges
                .windows(2)
                .zip(&shares)
                .filter(|(_, s)| **s > 0.0)
                .map(|(e, &s)| Rectangle::new([(e[0], 0.0), (e[1], s)], style::BARS.filled())),
        )
        .map_err(err)?;
    // Thin white gaps between bars.
    chart
        .draw_series(
            edges
                .windows(2)
                .zip(&shares)
                .filter(|(_, s)| **s > 0.0)
                .map(|(e, &s)| {
                    Rectangle::new([(e[0], 0.0), (e[1], s)], style::WHITE.stroke_width(1))
                }),
        )
        .map_err(err)?;
    if let Some(m) = med {
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(m, 0.0), (m, top * 1.05)],
                14,
                10,
                style::BLUE.stroke_width(style::DATA_LINE - 1),
            )))
            .map_err(err)?;
    }
    if let Some((t, _)) = &target {
        let p = info
            .and_then(|i| i.p_target)
            .map_or("n/a".into(), format::percent);
        target_line(&mut chart, *t, &x, &y, &format!("P(≥ target) = {p}"))?;
    }
    Ok(())
}

/// A vertical target line over the whole plot, labelled at the top on the
/// side with more room.
fn target_line<B: TextOut>(
    chart: &mut super::axes::Chart<'_, B>,
    t: f64,
    x: &Axis,
    y: &Axis,
    label: &str,
) -> Drawn {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(t, y.lo), (t, y.hi)],
            style::VERMILLION.stroke_width(style::DATA_LINE),
        )))
        .map_err(err)?;
    let (px, _) = chart.backend_coord(&(t, y.hi));
    let (right_edge, _) = chart.backend_coord(&(x.hi, y.hi));
    let room_right = (right_edge - px) as f64;
    let width = text_width(label, style::LEGEND_SIZE) + 24.0;
    let (h, dx) = if room_right >= width {
        (HPos::Left, 14)
    } else {
        (HPos::Right, -14)
    };
    let y_text = y.hi - (y.hi - y.lo) * 0.035;
    chart
        .draw_series(std::iter::once(
            EmptyElement::at((t, y_text))
                + Text::new(
                    label.to_string(),
                    (dx, 0),
                    font(style::LEGEND_SIZE, style::VERMILLION, h, VPos::Center),
                ),
        ))
        .map_err(err)?;
    Ok(())
}

/// Empirical CDF of scalar `name`.
pub fn draw_cdf<B: TextOut>(root: &Area<B>, data: &ChartData, name: &str) -> Drawn {
    let (label, unit) = label_and_unit(&data.run.catalogue, name);
    let unit = unit.as_ref();
    let sorted = sorted_values(data, name);
    let info = data.scalar(name);
    let target = target_text(info, unit);
    let mut legend = vec![LegendItem {
        key: Key::Line(style::BLUE, style::DATA_LINE),
        label: "Share of replications at or below the value".into(),
    }];
    if let Some((_, text)) = &target {
        legend.push(LegendItem {
            key: Key::Line(style::VERMILLION, style::DATA_LINE),
            label: text.clone(),
        });
    }
    let title = format!("{label}: cumulative distribution");
    let note = sample_note(data, target.is_some());
    let body = frame(root, &title, &data.run.title, &legend, Some(&note))?;
    let (w, _) = body.dim_in_pixel();

    let (lo, hi) = shown_range(&sorted, target.as_ref().map(|t| t.0));
    let x =
        Axis::values_fitting(lo, hi, unit, w as f64 * 0.7, true).titled(with_unit(&label, unit));
    let y = Axis::values(0.0, 1.0, 5, Some(&Unit::Share)).titled("Replications at or below (%)");
    let mut chart = chart(&body, &x, &y, Grid { x: true, y: true })?;
    let n = sorted.len();
    if n > 0 {
        // Exact steps for small samples, where each step shows; beyond, a
        // line through (at most 200) order statistics is the same curve
        // at print resolution, without the corners a thick stepped line
        // gets, in a fraction of the SVG size.
        let mut points = vec![(x.lo, 0.0), (sorted[0], 0.0)];
        let width = if n <= 60 {
            for (i, &v) in sorted.iter().enumerate() {
                points.push((v, i as f64 / n as f64));
                points.push((v, (i + 1) as f64 / n as f64));
            }
            3
        } else {
            // 200 points: at print width a thick line through more, very
            // short segments gets ragged edges.
            let k = n.min(200);
            for j in 0..k {
                let i = (j * (n - 1)) / (k - 1);
                points.push((sorted[i], (i + 1) as f64 / n as f64));
            }
            style::DATA_LINE
        };
        points.push((x.hi, 1.0));
        chart
            .draw_series(std::iter::once(PathElement::new(
                points,
                style::BLUE.stroke_width(width),
            )))
            .map_err(err)?;
    }
    if let (Some((t, _)), Some(p)) = (&target, info.and_then(|i| i.p_target)) {
        // P(X >= t) = p, so the curve is at 1 - p just below the target.
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(x.lo, 1.0 - p), (*t, 1.0 - p)],
                14,
                10,
                style::VERMILLION.stroke_width(3),
            )))
            .map_err(err)?;
    }
    if let Some((t, _)) = &target {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(*t, 0.0), (*t, 1.0)],
                style::VERMILLION.stroke_width(style::DATA_LINE),
            )))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_every_value_once() {
        let v: Vec<f64> = (0..1000).map(|i| i as f64 * 0.37).collect();
        let (edges, shares) = bins(&v, v[0], v[999]);
        assert!(edges[0] <= v[0] && *edges.last().unwrap() >= v[999]);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // About sqrt(1000) = 32 bins wanted, rounded to a nice width.
        assert!((10..=45).contains(&shares.len()), "{}", shares.len());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[1.0, 2.0, 10.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0]), Some(1.5));
        assert_eq!(median(&[]), None);
    }
}

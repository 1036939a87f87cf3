//! Tornado charts: which uncertain inputs move a scalar outcome most,
//! measured by Spearman's rank correlation between each input's draws and
//! the outcome over the reservoir of replications.
//!
//! Rank correlation captures monotone effects of any shape and is
//! insensitive to outliers, but it misses a non-monotone effect (an input
//! whose middle values are best) and splits credit between correlated
//! inputs; variance-based indices (`sezsim sensitivity`) do not.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rayon::prelude::*;

use super::axes::{Axis, Grid, chart, y_label_area};
use super::canvas::{Area, Drawn, TextOut, err};
use super::data::{ChartData, Sample};
use super::fan::label_and_unit;
use super::frame::{Key, LegendItem, fit, font, frame, text};
use super::style;
use crate::output::format;

/// Inputs shown per tornado chart.
pub const TOP: usize = 12;

/// Ranks of `values` from 1, ties sharing their average rank; NaN ranks
/// are NaN.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![f64::NAN; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Positions i..=j (0-based) share the mean of ranks i+1..=j+1.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation over the pairs where both values are finite; NaN
/// when fewer than 3 pairs or either side does not vary.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let pairs = || {
        x.iter()
            .zip(y)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
    };
    let n = pairs().count();
    if n < 3 {
        return f64::NAN;
    }
    let mx = pairs().map(|(a, _)| a).sum::<f64>() / n as f64;
    let my = pairs().map(|(_, b)| b).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in pairs() {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}

/// Spearman's rank correlation of `x` and `y` (Pearson on average ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// One input's rank correlation with an outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The input's parameter path.
    pub input: String,
    /// Spearman's rho (NaN when it cannot be computed).
    pub rho: f64,
}

/// Every input's rank correlation with scalar `scalar` (its index in the
/// sample), largest magnitude first; NaN last; ties in input order.
pub fn drivers(sample: &Sample, scalar: usize) -> Vec<Driver> {
    drivers_ranked(sample, &input_ranks(sample), scalar)
}

/// The [`ranks`] of each input of `sample`: the same for every tornado
/// chart of a run, so ranked once (sorting the inputs, one per chart and
/// surface, was a quarter of a 10,000-replication run).
pub fn input_ranks(sample: &Sample) -> Vec<Vec<f64>> {
    sample.input_values.par_iter().map(|x| ranks(x)).collect()
}

/// [`drivers`], given the sample's [`input_ranks`].
pub fn drivers_ranked(sample: &Sample, input_ranks: &[Vec<f64>], scalar: usize) -> Vec<Driver> {
    let Some(y) = sample.scalar_values.get(scalar) else {
        return Vec::new();
    };
    let y_ranks = ranks(y);
    let mut out: Vec<Driver> = sample
        .inputs
        .iter()
        .zip(input_ranks)
        .map(|(name, x)| Driver {
            input: name.clone(),
            rho: pearson(x, &y_ranks),
        })
        .collect();
    // A stable sort keeps input order among equal magnitudes.
    out.sort_by(|a, b| match (a.rho.is_nan(), b.rho.is_nan()) {
        (false, false) => b.rho.abs().total_cmp(&a.rho.abs()),
        (a_nan, b_nan) => a_nan.cmp(&b_nan),
    });
    out
}

/// "+0.62" / "−0.31" (a true minus sign).
fn signed(rho: f64) -> String {
    if rho < 0.0 {
        format!("−{:.2}", -rho)
    } else {
        format!("+{rho:.2}")
    }
}

/// The drivers of scalar `name` of `data` (none if the sample lacks it),
/// given the sample's [`input_ranks`].
pub fn drivers_of(data: &ChartData, input_ranks: &[Vec<f64>], name: &str) -> Vec<Driver> {
    let index = data.sample.scalars.iter().position(|s| s == name);
    index
        .map(|i| drivers_ranked(&data.sample, input_ranks, i))
        .unwrap_or_default()
}

/// The tornado chart of scalar `name`, whose drivers are `all` (see
/// [`drivers_of`]).
pub fn draw_tornado<B: TextOut>(
    root: &Area<B>,
    data: &ChartData,
    name: &str,
    all: &[Driver],
) -> Drawn {
    let (label, _) = label_and_unit(&data.run.catalogue, name);
    let shown: Vec<&Driver> = all.iter().filter(|d| !d.rho.is_nan()).take(TOP).collect();
    let title = format!("{label}: what drives it");
    let subtitle = format!(
        "{} · top {} of {} uncertain inputs",
        data.run.title,
        shown.len(),
        data.sample.inputs.len()
    );
    let legend = vec![
        LegendItem {
            key: Key::Swatch(style::BLUE.to_rgba()),
            label: "Raises it".into(),
        },
        LegendItem {
            key: Key::Swatch(style::ORANGE.to_rgba()),
            label: "Lowers it".into(),
        },
    ];
    let n = data.sample.len() as u64;
    let note = if n < 3 {
        "Spearman rank correlation needs at least 3 replications.".to_string()
    } else if n == data.run.replications {
        format!(
            "Spearman rank correlation over all {} replications.",
            format::group_thousands(&n.to_string())
        )
    } else {
        format!(
            "Spearman rank correlation over a uniform random sample (reservoir) of {} of the run's {} replications.",
            format::group_thousands(&n.to_string()),
            format::group_thousands(&data.run.replications.to_string())
        )
    };
    let body = frame(root, &title, &subtitle, &legend, Some(&note))?;
    let (w, h) = body.dim_in_pixel();
    if shown.is_empty() {
        let why = if data.sample.inputs.is_empty() {
            "The scenario has no uncertain inputs."
        } else {
            "Not enough replications or variation to rank the inputs."
        };
        return text(
            &body,
            why,
            (w as i32 / 2, h as i32 / 2),
            style::LABEL_SIZE,
            style::MUTED,
            (HPos::Center, VPos::Center),
        );
    }
    // The largest bar at the top: categories count from the bottom.
    let max_label = w as f64 * 0.48;
    let names: Vec<String> = shown
        .iter()
        .rev()
        .map(|d| fit(data.input_label(&d.input), style::TICK_SIZE, max_label))
        .collect();
    let y = Axis::categories(names);
    let m = shown
        .iter()
        .map(|d| d.rho.abs())
        .fold(0.0, f64::max)
        .max(0.1);
    let x_len = w as f64 - y_label_area(&y) - 60.0;
    let x = Axis::values_fitting(-m * 1.3, m * 1.3, None, x_len, true)
        .titled("Spearman rank correlation (ρ)");
    let mut chart = chart(&body, &x, &y, Grid { x: true, y: false })?;
    let rows = shown.len();
    chart
        .draw_series(shown.iter().enumerate().map(|(k, d)| {
            let row = (rows - 1 - k) as f64;
            let colour = if d.rho >= 0.0 {
                style::BLUE
            } else {
                style::ORANGE
            };
            Rectangle::new([(0.0, row + 0.2), (d.rho, row + 0.8)], colour.filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, rows as f64)],
            style::TEXT.stroke_width(2),
        )))
        .map_err(err)?;
    chart
        .draw_series(shown.iter().enumerate().map(|(k, d)| {
            let row = (rows - 1 - k) as f64 + 0.5;
            let (h, dx) = if d.rho >= 0.0 {
                (HPos::Left, 10)
            } else {
                (HPos::Right, -10)
            };
            EmptyElement::at((d.rho, row))
                + Text::new(
                    signed(d.rho),
                    (dx, 0),
                    font(style::TICK_SIZE, style::TEXT, h, VPos::Center),
                )
        }))
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), vec![3.0, 1.0, 2.0]);
        assert_eq!(ranks(&[1.0, 1.0, 2.0, 0.0]), vec![2.5, 2.5, 4.0, 1.0]);
        let r = ranks(&[f64::NAN, 5.0]);
        assert!(r[0].is_nan() && r[1] == 1.0);
    }

    #[test]
    fn spearman_of_monotone_and_reversed() {
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v.powi(3)).collect();
        assert!((spearman(&x, &y) - 1.0).abs() < 1e-12);
        let z: Vec<f64> = x.iter().map(|v| -v.exp()).collect();
        assert!((spearman(&x, &z) + 1.0).abs() < 1e-12);
        assert!(spearman(&x, &[1.0; 50]).is_nan());
        // A textbook value: x = 1..5, y = 5, 6, 7, 8, 7 gives
        // rho = 1 - 6 * sum(d^2) / (n (n^2 - 1)) with average ranks
        // (1, 2, 3.5, 5, 3.5): d = 0, 0, -0.5, -1, 1.5 -> Pearson on ranks.
        let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]);
        assert!((r - 0.820_782_681_668_123_4).abs() < 1e-12, "{r}");
    }

    #[test]
    fn drivers_sort_by_magnitude_with_nan_last() {
        let sample = Sample {
            inputs: vec!["flat".into(), "weak".into(), "strong".into()],
            scalars: vec!["y".into()],
            replications: (0..5).collect(),
            input_values: vec![
                vec![1.0; 5],
                vec![1.0, 3.0, 2.0, 5.0, 4.0],
                vec![5.0, 4.0, 3.0, 2.0, 1.0],
            ],
            scalar_values: vec![vec![1.0, 2.0, 3.0, 4.0, 5.0]],
        };
        let d = drivers(&sample, 0);
        let order: Vec<&str> = d.iter().map(|d| d.input.as_str()).collect();
        assert_eq!(order, vec!["strong", "weak", "flat"]);
        assert_eq!(d[0].rho, -1.0);
        assert!(d[2].rho.is_nan());
    }
}

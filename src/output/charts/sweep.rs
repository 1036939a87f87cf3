//! The charts of a sweep, drawn from its `points.csv` alone (plus the sweep
//! file's title, design, replications and `chart_scalar`), so a sweep
//! merged from shards, whose `points.csv` is byte for byte the unsharded
//! one's, has byte-identical charts.
//!
//! | sweep | charts |
//! |---|---|
//! | one parameter (grid or LHS) | `sweep_<scalar>`: for every scalar, its median against the parameter, with the P5-P95 band, points sorted by the parameter |
//! | two parameters, grid | `heatmap_<scalar>`: the chart scalar's median in every cell, a colour scale and the value in each cell |
//! | two parameters, LHS | `scatter_<scalar>`: every point at its two values, coloured by the chart scalar's median |
//! | three or more parameters | none: a flat picture of a higher-dimensional design misleads; read `points.csv` |
//!
//! The chart scalar is `chart_scalar` if the sweep file sets it, else the
//! first scalar with a target, else the first scalar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{Axis, Grid, chart, y_label_area};
use super::canvas::{Area, Drawn, TextOut, err, text_height, text_width};
use super::fan::{label_and_unit, replications_of, value_span, with_unit};
use super::frame::{Key, LegendItem, fit, frame, text};
use super::{ChartSize, Figure, Picture, render_figure, style};
use crate::engine::{Catalogue, Unit};
use crate::error::Error;
use crate::output::format;

/// One scalar's statistics at every point (columns of `points.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarColumns {
    /// The scalar's name.
    pub name: String,
    /// Its mean at each point.
    pub mean: Vec<f64>,
    /// Its 5th percentile at each point.
    pub p05: Vec<f64>,
    /// Its median at each point.
    pub p50: Vec<f64>,
    /// Its 95th percentile at each point.
    pub p95: Vec<f64>,
    /// Whether the scalar has a target (its `p_target` column is filled).
    pub has_target: bool,
}

/// `points.csv`, read.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsTable {
    /// The swept parameters' paths.
    pub parameters: Vec<String>,
    /// `values[k][p]`: parameter `k` at point `p`.
    pub values: Vec<Vec<f64>>,
    /// Statistics per scalar, in column order.
    pub scalars: Vec<ScalarColumns>,
}

/// Statistics per scalar in `points.csv`, in column order.
const STATS: [&str; 6] = ["mean", "sd", "p05", "p50", "p95", "p_target"];

impl PointsTable {
    /// Read `points.csv` of a sweep over `parameters` parameters.
    pub fn parse(text: &str, parameters: usize) -> Result<PointsTable, String> {
        let csv_rows = super::data::CsvRows::parse(text).map_err(|(line, message)| match line {
            Some(l) => format!("line {l}: {message}"),
            None => message,
        })?;
        if csv_rows.header.is_empty() {
            return Err("points.csv is empty".into());
        }
        let header = &csv_rows.header;
        let stats = header
            .len()
            .checked_sub(1 + parameters)
            .ok_or("too few columns")?;
        if stats % STATS.len() != 0 {
            return Err(format!(
                "{} columns do not make whole scalars",
                header.len()
            ));
        }
        let mut table = PointsTable {
            parameters: header[1..=parameters]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            values: vec![Vec::new(); parameters],
            scalars: header[1 + parameters..]
                .chunks(STATS.len())
                .map(|c| ScalarColumns {
                    name: c[0].strip_suffix("_mean").unwrap_or(&c[0]).to_string(),
                    mean: Vec::new(),
                    p05: Vec::new(),
                    p50: Vec::new(),
                    p95: Vec::new(),
                    has_target: false,
                })
                .collect(),
        };
        for (_, record) in &csv_rows.rows {
            let cells: Vec<&str> = record.iter().collect();
            // An empty cell (no target, a missing level) reads as NaN.
            let num = |c: &str| c.parse::<f64>().unwrap_or(f64::NAN);
            for (k, v) in table.values.iter_mut().enumerate() {
                v.push(num(cells[1 + k]));
            }
            for (s, col) in table.scalars.iter_mut().enumerate() {
                let c = &cells[1 + parameters + s * STATS.len()..];
                col.mean.push(num(c[0]));
                col.p05.push(num(c[2]));
                col.p50.push(num(c[3]));
                col.p95.push(num(c[4]));
                col.has_target |= !c[5].is_empty();
            }
        }
        Ok(table)
    }

    /// Points in the table.
    pub fn len(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// Whether the table has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The chart scalar: `chosen` if it is a column, else the first scalar
    /// with a target, else the first.
    pub fn chart_scalar(&self, chosen: Option<&str>) -> Option<&ScalarColumns> {
        chosen
            .and_then(|c| self.scalars.iter().find(|s| s.name == c))
            .or_else(|| self.scalars.iter().find(|s| s.has_target))
            .or_else(|| self.scalars.first())
    }
}

/// What the sweep charts need besides `points.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepChartInfo {
    /// The sweep's title.
    pub title: String,
    /// A grid (else a Latin hypercube).
    pub grid: bool,
    /// Replications of every point.
    pub replications: u64,
    /// `chart_scalar` of the sweep file.
    pub chart_scalar: Option<String>,
    /// Labels and units of the scalars (the base's model's).
    pub catalogue: Catalogue,
    /// The size the charts are drawn at (the base scenario's).
    pub chart_size: ChartSize,
}

/// Draw the charts of a sweep (see the module docs for which) from the
/// text of its `points.csv`.
pub fn render_sweep_charts(
    info: &SweepChartInfo,
    points_csv: &str,
    parameters: usize,
) -> Result<Vec<Picture>, Error> {
    let table = PointsTable::parse(points_csv, parameters)
        .map_err(|e| Error::Runtime(format!("cannot read points.csv for the charts: {e}")))?;
    if table.is_empty() {
        return Ok(Vec::new());
    }
    match parameters {
        1 => (0..table.scalars.len())
            .map(|s| {
                let name = &table.scalars[s].name;
                render_figure(
                    &format!("sweep_{name}"),
                    &Line {
                        info,
                        table: &table,
                        scalar: s,
                    },
                    info.chart_size,
                )
            })
            .collect(),
        2 => {
            let Some(scalar) = table.chart_scalar(info.chart_scalar.as_deref()) else {
                return Ok(Vec::new());
            };
            let kind = if info.grid { "heatmap" } else { "scatter" };
            let figure = Map {
                info,
                table: &table,
                scalar,
            };
            Ok(vec![render_figure(
                &format!("{kind}_{}", scalar.name),
                &figure,
                info.chart_size,
            )?])
        }
        _ => Ok(Vec::new()),
    }
}

fn subtitle(info: &SweepChartInfo, points: usize) -> String {
    format!(
        "{} · {} points, {} each",
        info.title,
        points,
        replications_of(info.replications)
    )
}

/// A parameter's value axis title: its path, which is what the sweep file
/// and `points.csv` call it.
fn parameter_axis(lo: f64, hi: f64, length: f64, horizontal: bool, path: &str) -> Axis {
    let pad = if hi > lo { (hi - lo) * 0.04 } else { 0.0 };
    Axis::values_fitting(lo - pad, hi + pad, None, length, horizontal).titled(path.to_string())
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        })
}

/// One scalar against the only parameter.
struct Line<'a> {
    info: &'a SweepChartInfo,
    table: &'a PointsTable,
    scalar: usize,
}

impl Figure for Line<'_> {
    fn draw<B: TextOut>(&self, root: &Area<B>) -> Drawn {
        let s = &self.table.scalars[self.scalar];
        let param = &self.table.parameters[0];
        let (label, unit) = label_and_unit(&self.info.catalogue, &s.name);
        let unit = unit.as_ref();
        let legend = vec![
            LegendItem {
                key: Key::Swatch(style::BAND_OUTER),
                label: "P5–P95 (90% of replications)".into(),
            },
            LegendItem {
                key: Key::Line(style::BLUE, style::DATA_LINE),
                label: "Median".into(),
            },
        ];
        let body = frame(
            root,
            &format!("{label} across the sweep"),
            &subtitle(self.info, self.table.len()),
            &legend,
            Some(
                "Every point runs with the same seed, so points differ only by the swept value; dots mark the points.",
            ),
        )?;
        let (w, h) = body.dim_in_pixel();
        // Points sorted by the parameter (an LHS lists them in random order).
        let mut order: Vec<usize> = (0..self.table.len())
            .filter(|&p| self.table.values[0][p].is_finite())
            .collect();
        order.sort_by(|&a, &b| self.table.values[0][a].total_cmp(&self.table.values[0][b]));
        let xs: Vec<f64> = order.iter().map(|&p| self.table.values[0][p]).collect();
        let (lo, hi) = value_span(
            order.iter().flat_map(|&p| [s.p05[p], s.p95[p], s.p50[p]]),
            unit,
        );
        let y = Axis::values_fitting(lo, hi, unit, h as f64 * 0.8, false)
            .titled(with_unit(&label, unit));
        let x_len = w as f64 - y_label_area(&y) - 60.0;
        let (x_lo, x_hi) = min_max(&xs);
        let x = parameter_axis(x_lo, x_hi, x_len, true, param);
        let mut chart = chart(&body, &x, &y, Grid { x: true, y: true })?;
        let pts = |q: &[f64]| -> Vec<(f64, f64)> {
            order
                .iter()
                .filter(|&&p| s.p05[p].is_finite() && s.p95[p].is_finite() && q[p].is_finite())
                .map(|&p| (self.table.values[0][p], q[p]))
                .collect()
        };
        let band: Vec<(f64, f64)> = pts(&s.p05)
            .into_iter()
            .chain(pts(&s.p95).into_iter().rev())
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                style::BAND_OUTER.filled(),
            )))
            .map_err(err)?;
        let median = pts(&s.p50);
        chart
            .draw_series(std::iter::once(PathElement::new(
                median.clone(),
                style::BLUE.stroke_width(style::DATA_LINE),
            )))
            .map_err(err)?;
        chart
            .draw_series(
                median
                    .iter()
                    .map(|&p| Circle::new(p, 9, style::BLUE.filled())),
            )
            .map_err(err)?;
        Ok(())
    }
}

/// The chart scalar over two parameters: a heatmap (grid) or a scatter
/// (Latin hypercube).
struct Map<'a> {
    info: &'a SweepChartInfo,
    table: &'a PointsTable,
    scalar: &'a ScalarColumns,
}

/// Width of the colour scale beside a map, labels included.
const SCALE_WIDTH: u32 = 260;

impl Figure for Map<'_> {
    fn draw<B: TextOut>(&self, root: &Area<B>) -> Drawn {
        let s = self.scalar;
        let (label, unit) = label_and_unit(&self.info.catalogue, &s.name);
        let unit = unit.as_ref();
        let (px, py) = (&self.table.parameters[0], &self.table.parameters[1]);
        let note = if self.info.grid {
            "Each cell is one point: the median over its replications, written in the cell. Same seed at every point."
        } else {
            "Each dot is one point, coloured by the median over its replications. Same seed at every point."
        };
        let body = frame(
            root,
            &with_unit(&format!("{label}: median"), unit),
            &subtitle(self.info, self.table.len()),
            &[],
            Some(note),
        )?;
        let (w, _) = body.dim_in_pixel();
        let (plot, scale_area) = body.split_horizontally(w.saturating_sub(SCALE_WIDTH));
        let (v_lo, v_hi) = min_max(&s.p50);
        let scale = if v_lo.is_finite() {
            Axis::values_fitting(v_lo, v_hi, unit, 500.0, false)
        } else {
            Axis::values(0.0, 1.0, 3, unit)
        };
        let t = |v: f64| {
            if scale.hi > scale.lo {
                (v - scale.lo) / (scale.hi - scale.lo)
            } else {
                0.5
            }
        };
        if self.info.grid {
            self.heatmap(&plot, px, py, unit, &t)?;
        } else {
            self.scatter(&plot, px, py, &t)?;
        }
        colour_scale(&scale_area, &scale)
    }
}

impl Map<'_> {
    fn heatmap<B: TextOut>(
        &self,
        area: &Area<B>,
        px: &str,
        py: &str,
        unit: Option<&Unit>,
        t: &dyn Fn(f64) -> f64,
    ) -> Drawn {
        let distinct = |k: usize| {
            let mut v: Vec<f64> = self.table.values[k].clone();
            v.sort_by(f64::total_cmp);
            v.dedup_by(|a, b| a.to_bits() == b.to_bits());
            v
        };
        let (xv, yv) = (distinct(0), distinct(1));
        // Category labels: the values as written, shortest form.
        let names = |v: &[f64]| v.iter().map(|x| format!("{x}")).collect::<Vec<_>>();
        let x = Axis::categories(names(&xv)).titled(px.to_string());
        let y = Axis::categories(names(&yv)).titled(py.to_string());
        let mut chart = chart(area, &x, &y, Grid { x: false, y: false })?;
        let index = |v: &[f64], x: f64| v.iter().position(|a| a.to_bits() == x.to_bits());
        let cells: Vec<(usize, usize, f64)> = (0..self.table.len())
            .filter_map(|p| {
                Some((
                    index(&xv, self.table.values[0][p])?,
                    index(&yv, self.table.values[1][p])?,
                    self.scalar.p50[p],
                ))
            })
            .collect();
        chart
            .draw_series(cells.iter().map(|&(i, j, v)| {
                Rectangle::new(
                    [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                    style::sequential(t(v)).filled(),
                )
            }))
            .map_err(err)?;
        // White lines between cells keep neighbours of close colour apart.
        chart
            .draw_series(cells.iter().map(|&(i, j, _)| {
                Rectangle::new(
                    [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                    style::WHITE.stroke_width(3),
                )
            }))
            .map_err(err)?;
        // A value in each cell, where it fits.
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        let (cw, ch) = (
            pw as f64 / xv.len().max(1) as f64,
            ph as f64 / yv.len().max(1) as f64,
        );
        let labels: Vec<String> = cells.iter().map(|c| format::value(c.2, unit)).collect();
        let widest = labels
            .iter()
            .map(|l| text_width(l, style::TICK_SIZE))
            .fold(0.0, f64::max);
        if widest + 16.0 <= cw && text_height(style::TICK_SIZE) * 1.5 <= ch {
            chart
                .draw_series(cells.iter().zip(&labels).map(|(&(i, j, v), l)| {
                    let colour = if style::light_text_on(t(v)) {
                        style::WHITE
                    } else {
                        style::TEXT
                    };
                    Text::new(
                        l.clone(),
                        (i as f64 + 0.5, j as f64 + 0.5),
                        super::frame::font(style::TICK_SIZE, colour, HPos::Center, VPos::Center),
                    )
                }))
                .map_err(err)?;
        }
        Ok(())
    }

    fn scatter<B: TextOut>(
        &self,
        area: &Area<B>,
        px: &str,
        py: &str,
        t: &dyn Fn(f64) -> f64,
    ) -> Drawn {
        let (w, h) = area.dim_in_pixel();
        let (y_lo, y_hi) = min_max(&self.table.values[1]);
        let (x_lo, x_hi) = min_max(&self.table.values[0]);
        let y = parameter_axis(y_lo, y_hi, h as f64 * 0.8, false, py);
        let x = parameter_axis(x_lo, x_hi, w as f64 - y_label_area(&y) - 60.0, true, px);
        let mut chart = chart(area, &x, &y, Grid { x: true, y: true })?;
        chart
            .draw_series((0..self.table.len()).map(|p| {
                Circle::new(
                    (self.table.values[0][p], self.table.values[1][p]),
                    16,
                    style::sequential(t(self.scalar.p50[p])).filled(),
                )
            }))
            .map_err(err)?;
        chart
            .draw_series((0..self.table.len()).map(|p| {
                Circle::new(
                    (self.table.values[0][p], self.table.values[1][p]),
                    16,
                    style::AXIS.stroke_width(2),
                )
            }))
            .map_err(err)?;
        Ok(())
    }
}

/// A vertical colour scale with the ticks of `scale`, headed "Median" (the
/// chart title names the scalar and its unit).
fn colour_scale<B: TextOut>(area: &Area<B>, scale: &Axis) -> Drawn {
    let (w, h) = area.dim_in_pixel();
    let top = (text_height(style::TICK_SIZE) * 2.4) as i32;
    let bottom =
        (text_height(style::TICK_SIZE) * 1.7 + text_height(style::LABEL_SIZE) * 1.9) as i32;
    let (x0, x1) = (40, 90);
    text(
        area,
        &fit("Median", style::TICK_SIZE, w as f64 - 20.0),
        (x0, top / 2),
        style::TICK_SIZE,
        style::TEXT,
        (HPos::Left, VPos::Center),
    )?;
    let y_of = |v: f64| {
        let f = if scale.hi > scale.lo {
            (v - scale.lo) / (scale.hi - scale.lo)
        } else {
            0.5
        };
        (h as i32 - bottom) - ((h as i32 - bottom - top) as f64 * f).round() as i32
    };
    let steps = 100;
    for k in 0..steps {
        let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
        let v = |f: f64| scale.lo + (scale.hi - scale.lo) * f;
        area.draw(&Rectangle::new(
            [(x0, y_of(v(b))), (x1, y_of(v(a)))],
            style::sequential((a + b) / 2.0).filled(),
        ))
        .map_err(err)?;
    }
    area.draw(&Rectangle::new(
        [(x0, y_of(scale.hi)), (x1, y_of(scale.lo))],
        style::AXIS.stroke_width(2),
    ))
    .map_err(err)?;
    for (tick, l) in scale.ticks.iter().zip(&scale.labels) {
        let y = y_of(*tick);
        area.draw(&PathElement::new(
            vec![(x1, y), (x1 + 10, y)],
            style::AXIS.stroke_width(2),
        ))
        .map_err(err)?;
        text(
            area,
            l,
            (x1 + 16, y),
            style::TICK_SIZE,
            style::TEXT,
            (HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_csv_reads_back_and_picks_the_chart_scalar() {
        let csv = "point,a,b,x_mean,x_sd,x_p05,x_p50,x_p95,x_p_target,y_mean,y_sd,y_p05,y_p50,y_p95,y_p_target\n\
                   1,0.5,2,1,0.1,0.8,1,1.2,,5,1,3,5,7,0.4\n\
                   2,0.6,2,2,0.1,1.8,2,2.2,,6,1,4,6,8,0.5\n";
        let t = PointsTable::parse(csv, 2).unwrap();
        assert_eq!(t.parameters, vec!["a", "b"]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.values[0], vec![0.5, 0.6]);
        assert_eq!(t.scalars[1].p95, vec![7.0, 8.0]);
        assert_eq!(t.chart_scalar(None).unwrap().name, "y");
        assert_eq!(t.chart_scalar(Some("x")).unwrap().name, "x");
        assert!(PointsTable::parse("point,a,x_mean\n", 1).is_err());
    }

    #[test]
    fn the_sequential_scale_runs_dark_to_light() {
        let lum = |c: RGBColor| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        let l: Vec<f64> = (0..=10)
            .map(|k| lum(style::sequential(k as f64 / 10.0)))
            .collect();
        assert!(l.windows(2).all(|w| w[1] > w[0]), "{l:?}");
    }

    /// A line sweep and a grid sweep render at every size with no text
    /// over another.
    #[test]
    fn sweep_charts_render_at_every_size_without_overlapping_text() {
        use crate::engine::Described;
        let scalar = |name: &str| {
            Described::new(
                name,
                "Exports in the final year",
                Unit::usd_million_per_year(),
                false,
            )
        };
        let mut info = SweepChartInfo {
            title: "Skills and grid reliability across the priority zones".into(),
            grid: true,
            replications: 2000,
            chart_scalar: None,
            catalogue: Catalogue {
                series: Vec::new(),
                scalars: vec![scalar("exports_final")],
            },
            chart_size: ChartSize::default(),
        };
        let head = "exports_final_mean,exports_final_sd,exports_final_p05,exports_final_p50,exports_final_p95,exports_final_p_target";
        let mut line = format!("point,global.demand_volatility,{head}\n");
        let mut grid =
            format!("point,global.demand_volatility,zones.north.workforce.skilled_share,{head}\n");
        let mut point = 0;
        for i in 0..5 {
            let a = 0.05 + 0.02 * i as f64;
            line.push_str(&format!(
                "{},{a},{},1,{},{},{},0.4\n",
                i + 1,
                1000.0 + 300.0 * i as f64,
                800.0,
                1000.0,
                1300.0
            ));
            for j in 0..4 {
                point += 1;
                let b = 0.1 + 0.1 * j as f64;
                let m = 1000.0 + 250.0 * i as f64 - 120.0 * j as f64;
                grid.push_str(&format!(
                    "{point},{a},{b},{m},1,{},{m},{},0.5\n",
                    0.8 * m,
                    1.2 * m
                ));
            }
        }
        for size in ChartSize::ALL {
            info.chart_size = size;
            let (w, h) = size.pixels();
            let mut pictures = render_sweep_charts(&info, &line, 1).unwrap();
            pictures.extend(render_sweep_charts(&info, &grid, 2).unwrap());
            assert_eq!(pictures.len(), 2);
            for p in &pictures {
                let name = format!("{} at {size}", p.stem);
                super::super::layout::assert_no_overlap(&name, &p.svg, w, h);
            }
        }
    }
}

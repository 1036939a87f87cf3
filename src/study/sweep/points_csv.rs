//! `points.csv`: one row per point, its values then each scalar
//! outcome's mean, sd, P5, P50, P95 and chance of reaching its target.
//! Each point folder keeps its row (`point.csv`); the sweep's table is
//! assembled from them, so a merged or resumed sweep writes the same bytes.

use std::path::PathBuf;

use super::POINT_CSV;
use crate::compare::COMPARE_LEVELS;
use crate::engine::RunSummary;
use crate::error::Error;

/// The header of `points.csv`: `point`, each swept parameter's path, then
/// for each scalar outcome `<scalar>_mean`, `_sd`, `_p05`, `_p50`, `_p95`
/// and `_p_target`.
pub fn points_csv_header(paths: &[&str], scalars: &[String]) -> String {
    let mut out = String::from("point");
    for p in paths {
        out.push(',');
        out.push_str(p);
    }
    for s in scalars {
        for stat in ["mean", "sd", "p05", "p50", "p95", "p_target"] {
            out.push_str(&format!(",{s}_{stat}"));
        }
    }
    out.push('\n');
    out
}

/// One row of `points.csv` for point number `point` (from 1) with
/// parameter `values`, from its run's summary (which must hold the levels
/// of [`COMPARE_LEVELS`]). Floats in shortest round-trip form; `p_target`
/// empty for a scalar without a target.
pub fn points_csv_row(point: usize, values: &[f64], summary: &RunSummary) -> String {
    let mut out = point.to_string();
    for v in values {
        out.push_str(&format!(",{v}"));
    }
    let levels: Vec<Option<usize>> = COMPARE_LEVELS
        .iter()
        .map(|&q| summary.level_index(q))
        .collect();
    for s in &summary.scalars {
        out.push_str(&format!(",{},{}", s.mean, s.sd));
        for l in &levels {
            match l {
                Some(i) => out.push_str(&format!(",{}", s.quantiles[*i])),
                None => out.push(','),
            }
        }
        out.push(',');
        if let Some(p) = s.p_target {
            out.push_str(&format!("{p}"));
        }
    }
    out.push('\n');
    out
}

/// `points.csv` from the `point.csv` of every point, in order.
pub(super) fn assemble_points_csv(
    point_dir: impl Fn(usize) -> PathBuf,
    points: usize,
) -> Result<String, Error> {
    let mut out = String::new();
    for p in 0..points {
        let path = point_dir(p).join(POINT_CSV);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let (header, row) = text
            .split_once('\n')
            .ok_or_else(|| Error::Runtime(format!("{} has no row", path.display())))?;
        if p == 0 {
            out.push_str(header);
            out.push('\n');
        } else if !out.starts_with(header) {
            return Err(Error::Runtime(format!(
                "{}: its header differs from point 1's",
                path.display()
            )));
        }
        out.push_str(row);
    }
    Ok(out)
}

//! The points of a sweep: a full grid, or a Latin hypercube.

use super::spec::{Design, SweptParameter, Values};
use crate::uncertainty::StreamKey;

/// Where a point's value was written in the sweep file (the grid value, or
/// an LHS parameter's `min`), for locating errors.
pub type Offsets = Vec<usize>;

/// The points of `design` over `parameters`: `values[p][k]` is parameter
/// `k`'s value at point `p`, with where it came from.
///
/// - Grid: every combination, the first parameter varying slowest (as
///   nested loops written in file order).
/// - Latin hypercube of P points: each parameter's `[min, max]` is cut into
///   P equal strata and each stratum holds exactly one point, at a uniform
///   position within it; strata are matched across parameters by a random
///   permutation per parameter. The random numbers come from the stream
///   `sweep.lhs.<path>` of `seed` (see [`StreamKey`]), so
///   the design depends only on the seed and the parameter, and adding a
///   parameter does not move the others' values.
pub fn points(
    design: Design,
    parameters: &[SweptParameter],
    seed: u64,
) -> Vec<(Vec<f64>, Offsets)> {
    match design {
        Design::Grid => grid(parameters),
        Design::Lhs { points } => lhs(points, parameters, seed),
    }
}

fn grid(parameters: &[SweptParameter]) -> Vec<(Vec<f64>, Offsets)> {
    let lists: Vec<&[(f64, usize)]> = parameters
        .iter()
        .map(|p| match &p.values {
            Values::List(l) => l.as_slice(),
            Values::Interval { .. } => &[],
        })
        .collect();
    let total: usize = lists.iter().map(|l| l.len()).product();
    (0..total)
        .map(|mut p| {
            // Mixed-radix digits, the last parameter fastest.
            let mut picks = vec![(0.0, 0); lists.len()];
            for (k, list) in lists.iter().enumerate().rev() {
                picks[k] = list[p % list.len()];
                p /= list.len();
            }
            picks.into_iter().unzip()
        })
        .collect()
}

fn lhs(n: usize, parameters: &[SweptParameter], seed: u64) -> Vec<(Vec<f64>, Offsets)> {
    let mut out = vec![(Vec::with_capacity(parameters.len()), Vec::new()); n];
    for p in parameters {
        let Values::Interval { min, max, offset } = p.values else {
            continue;
        };
        let mut rng = StreamKey::new(seed, &format!("sweep.lhs.{}", p.path)).rng(0);
        // Fisher-Yates: stratum of each point.
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = ((rng.uniform() * (i + 1) as f64) as usize).min(i);
            strata.swap(i, j);
        }
        for (point, &s) in out.iter_mut().zip(&strata) {
            let u = rng.uniform();
            let v = min + (s as f64 + u) / n as f64 * (max - min);
            // Rounding must not leave the stratum's closed interval.
            let lo = min + s as f64 / n as f64 * (max - min);
            let hi = min + (s + 1) as f64 / n as f64 * (max - min);
            point.0.push(v.clamp(lo, hi));
            point.1.push(offset);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(path: &str, values: &[f64]) -> SweptParameter {
        SweptParameter {
            path: path.into(),
            path_offset: 0,
            key: String::new(),
            values: Values::List(values.iter().map(|&v| (v, 0)).collect()),
        }
    }

    fn interval(path: &str, min: f64, max: f64) -> SweptParameter {
        SweptParameter {
            path: path.into(),
            path_offset: 0,
            key: String::new(),
            values: Values::Interval {
                min,
                max,
                offset: 0,
            },
        }
    }

    #[test]
    fn grid_is_every_combination_first_parameter_slowest() {
        let pts = points(
            Design::Grid,
            &[list("a", &[1.0, 2.0]), list("b", &[10.0, 20.0, 30.0])],
            1,
        );
        let v: Vec<Vec<f64>> = pts.into_iter().map(|p| p.0).collect();
        assert_eq!(
            v,
            vec![
                vec![1.0, 10.0],
                vec![1.0, 20.0],
                vec![1.0, 30.0],
                vec![2.0, 10.0],
                vec![2.0, 20.0],
                vec![2.0, 30.0]
            ]
        );
    }

    #[test]
    fn lhs_fills_every_stratum_once_and_depends_on_seed_and_path_only() {
        let n = 37;
        let params = [interval("x", 0.5, 0.9), interval("y", -3.0, 100.0)];
        let pts = points(Design::Lhs { points: n }, &params, 11);
        for (k, p) in params.iter().enumerate() {
            let Values::Interval { min, max, .. } = p.values else {
                unreachable!()
            };
            let mut seen = vec![0; n];
            for point in &pts {
                let v = point.0[k];
                assert!(v >= min && v <= max);
                let s = (((v - min) / (max - min)) * n as f64).floor() as usize;
                seen[s.min(n - 1)] += 1;
            }
            assert!(seen.iter().all(|&c| c == 1), "{seen:?}");
        }
        // Adding a parameter leaves the others' values alone.
        let more = points(
            Design::Lhs { points: n },
            &[
                params[0].clone(),
                interval("z", 0.0, 1.0),
                params[1].clone(),
            ],
            11,
        );
        for (a, b) in pts.iter().zip(&more) {
            assert_eq!((a.0[0], a.0[1]), (b.0[0], b.0[2]));
        }
        let other_seed = points(Design::Lhs { points: n }, &params, 12);
        assert_ne!(pts[0].0, other_seed[0].0);
    }
}

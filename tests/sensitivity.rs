//! Validation of the Sobol' and Morris machinery on functions with known
//! indices, driving the library directly: scenario-style parameters
//! (distributions, Spearman correlations) through the design, the Gaussian
//! copula and the inverse CDFs, a model written here, and the streaming
//! accumulators.
//!
//! Tolerances: the task's fixed bounds where it gives them (0.01, 0.015,
//! 0.02 at N = 2^14); the correlated test derives its tolerance from the
//! standard error the replicates report. Seeds are fixed, so each test is
//! deterministic; the figures each measures are printed (run with
//! `--nocapture`) and recorded in docs/sensitivity.md.

mod support;

use std::f64::consts::PI;

use support::g_analytic;

use sezsim::sensitivity::{
    DEFAULT_RESAMPLES, DeclaredGroup, Estimate, Factors, MorrisAccumulator, MorrisDesign,
    MorrisOptions, SobolAccumulator, SobolDesign, SobolIndices, SobolOptions,
};
use sezsim::uncertainty::{
    Distribution, ParamId, ParameterDraw, ParameterSampler, ParameterSet, SamplingMethod,
    ValueRange,
};

/// Uncertain parameters, correlation targets and declared groups (by
/// parameter position) of a test problem.
struct Problem {
    set: ParameterSet,
    correlations: Vec<(ParamId, ParamId, f64)>,
    groups: Vec<(String, Vec<usize>)>,
}

impl Problem {
    fn new(distributions: Vec<Distribution>) -> Self {
        let mut set = ParameterSet::new();
        for (i, d) in distributions.into_iter().enumerate() {
            set.register(format!("x{}", i + 1), d, ValueRange::Between(-1e6, 1e6));
        }
        Problem {
            set,
            correlations: Vec::new(),
            groups: Vec::new(),
        }
    }

    fn sampler(&self) -> ParameterSampler {
        ParameterSampler::new(&self.set, 1, 1, SamplingMethod::Random, &self.correlations).unwrap()
    }

    fn factors(&self, sampler: &ParameterSampler) -> Factors {
        let paths: Vec<String> = sampler
            .uncertain_ids()
            .iter()
            .map(|&id| self.set.get(id).path.clone())
            .collect();
        let groups: Vec<DeclaredGroup> = self
            .groups
            .iter()
            .map(|(name, members)| DeclaredGroup {
                name: name.clone(),
                members: members.clone(),
            })
            .collect();
        Factors::new(&paths, sampler.correlated_pairs(), &groups).unwrap()
    }
}

/// Every block's outputs of a Sobol' design, in block order.
fn evaluate_design(
    problem: &Problem,
    options: SobolOptions,
    model: &dyn Fn(&ParameterDraw) -> f64,
) -> (SobolDesign, Vec<Vec<f64>>) {
    let sampler = problem.sampler();
    let design = SobolDesign::new(problem.factors(&sampler), options).unwrap();
    let n = design.dimensions();
    let mut draw = sampler.buffer();
    let (mut a, mut b, mut row) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let blocks = (0..design.blocks())
        .map(|block| {
            design.base_rows(block, &mut a, &mut b);
            (0..design.rows_per_block())
                .map(|p| {
                    design.row(&a, &b, p, &mut row);
                    sampler.draw_from_uniforms(&mut row, &mut draw);
                    model(&draw)
                })
                .collect()
        })
        .collect();
    (design, blocks)
}

fn sobol(
    problem: &Problem,
    options: SobolOptions,
    model: &dyn Fn(&ParameterDraw) -> f64,
) -> SobolIndices {
    let (design, blocks) = evaluate_design(problem, options, model);
    // The shift: the design's first evaluation, as a pilot would give it.
    let mut acc = SobolAccumulator::new(&design, vec![blocks[0][0]]);
    for (block, outputs) in blocks.iter().enumerate() {
        acc.add_block(block as u64, outputs).unwrap();
    }
    acc.finish(0.95).unwrap().remove(0).unwrap()
}

fn options(samples: u64, second_order: bool, seed: u64) -> SobolOptions {
    SobolOptions {
        samples,
        replicates: 8,
        second_order,
        seed,
    }
}

fn id(i: u32) -> ParamId {
    ParamId(i)
}

// ---------------------------------------------------------------------------
// Ishigami
// ---------------------------------------------------------------------------

const ISHIGAMI_A: f64 = 7.0;
const ISHIGAMI_B: f64 = 0.1;

fn ishigami_problem() -> Problem {
    Problem::new(vec![Distribution::uniform(-PI, PI).unwrap(); 3])
}

fn ishigami(draw: &ParameterDraw) -> f64 {
    let (x1, x2, x3) = (draw.get(id(0)), draw.get(id(1)), draw.get(id(2)));
    x1.sin() + ISHIGAMI_A * x2.sin().powi(2) + ISHIGAMI_B * x3.powi(4) * x1.sin()
}

/// Analytic (S1, ST, S13) of the Ishigami function.
fn ishigami_analytic() -> ([f64; 3], [f64; 3], f64) {
    let (a, b) = (ISHIGAMI_A, ISHIGAMI_B);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    let s13 = v13 / v;
    (
        [v1 / v, v2 / v, 0.0],
        [(v1 + v13) / v, v2 / v, v13 / v],
        s13,
    )
}

fn values(list: &[Estimate]) -> Vec<f64> {
    list.iter().map(|e| e.value).collect()
}

fn max_error(got: &[f64], expected: &[f64]) -> f64 {
    got.iter()
        .zip(expected)
        .map(|(g, e)| (g - e).abs())
        .fold(0.0, f64::max)
}

#[test]
fn ishigami_first_and_total_indices_at_2_pow_14() {
    let (s1, st, _) = ishigami_analytic();
    // The task's figures, as a check on the formulas above.
    assert!(max_error(&s1, &[0.3139, 0.4424, 0.0]) < 1e-4);
    assert!(max_error(&st, &[0.5576, 0.4424, 0.2437]) < 1e-4);
    let result = sobol(
        &ishigami_problem(),
        options(1 << 14, false, 2024),
        &ishigami,
    );
    let (e1, et) = (
        max_error(&values(&result.first), &s1),
        max_error(&values(&result.total), &st),
    );
    println!(
        "Ishigami N=2^14: S1 {:?} (max error {e1:.4}), ST {:?} (max error {et:.4})",
        values(&result.first),
        values(&result.total)
    );
    assert!(e1 < 0.01, "S1 error {e1}");
    assert!(et < 0.01, "ST error {et}");
}

#[test]
fn ishigami_second_order_at_2_pow_14() {
    let (s1, st, s13) = ishigami_analytic();
    let result = sobol(&ishigami_problem(), options(1 << 14, true, 7), &ishigami);
    // Pairs (1,2), (1,3), (2,3).
    let s2 = values(&result.second);
    println!(
        "Ishigami N=2^14 second order: S2 {s2:?} (S13 analytic {s13:.4}), S13 interval [{:.4}, {:.4}]",
        result.second[1].lower, result.second[1].upper
    );
    assert!((s2[1] - s13).abs() < 0.02, "S13 {}", s2[1]);
    assert!(s2[0].abs() < 0.02 && s2[2].abs() < 0.02, "S12, S23 {s2:?}");
    // The same design's first and total indices hold too.
    assert!(max_error(&values(&result.first), &s1) < 0.01);
    assert!(max_error(&values(&result.total), &st) < 0.01);
}

#[test]
fn ishigami_intervals_cover_the_analytic_values() {
    let (s1, st, _) = ishigami_analytic();
    let seeds = 40;
    let (mut covered_first, mut covered_total, mut half_widths) = (0, 0, Vec::new());
    for seed in 0..seeds {
        let result = sobol(
            &ishigami_problem(),
            options(1024, false, 1000 + seed),
            &ishigami,
        );
        for j in 0..3 {
            let (f, t) = (result.first[j], result.total[j]);
            covered_first += usize::from(f.lower <= s1[j] && s1[j] <= f.upper);
            covered_total += usize::from(t.lower <= st[j] && st[j] <= t.upper);
            half_widths.push((f.upper - f.lower) / 2.0);
            half_widths.push((t.upper - t.lower) / 2.0);
        }
    }
    let intervals = (3 * seeds) as f64;
    let (cover_first, cover_total) = (
        covered_first as f64 / intervals,
        covered_total as f64 / intervals,
    );
    let mean_half_width = half_widths.iter().sum::<f64>() / half_widths.len() as f64;
    println!(
        "Ishigami N=1024, 40 seeds: coverage S1 {cover_first:.3}, ST {cover_total:.3}, \
         mean half-width {mean_half_width:.4}"
    );
    assert!(cover_first >= 0.85, "S1 coverage {cover_first}");
    assert!(cover_total >= 0.85, "ST coverage {cover_total}");
    assert!(mean_half_width < 0.1, "mean half-width {mean_half_width}");
}

// ---------------------------------------------------------------------------
// Sobol' G
// ---------------------------------------------------------------------------

fn g_problem(a: &[f64]) -> Problem {
    Problem::new(vec![Distribution::uniform(0.0, 1.0).unwrap(); a.len()])
}

fn g_function(a: &[f64]) -> impl Fn(&ParameterDraw) -> f64 + '_ {
    move |draw: &ParameterDraw| {
        a.iter()
            .enumerate()
            .map(|(i, &ai)| ((4.0 * draw.get(id(i as u32)) - 2.0).abs() + ai) / (1.0 + ai))
            .product()
    }
}

#[test]
fn sobol_g_indices_at_2_pow_14() {
    let a = [78.0, 12.0, 0.5, 2.0, 97.0, 33.0];
    let (s1, st) = g_analytic(&a);
    let result = sobol(&g_problem(&a), options(1 << 14, false, 99), &g_function(&a));
    let (e1, et) = (
        max_error(&values(&result.first), &s1),
        max_error(&values(&result.total), &st),
    );
    println!("Sobol' G N=2^14: max error S1 {e1:.4}, ST {et:.4}");
    assert!(
        e1 < 0.015,
        "S1 error {e1}: {:?} vs {s1:?}",
        values(&result.first)
    );
    assert!(
        et < 0.015,
        "ST error {et}: {:?} vs {st:?}",
        values(&result.total)
    );
}

// ---------------------------------------------------------------------------
// Correlated inputs and groups
// ---------------------------------------------------------------------------

/// Y = X1 + X2 + X3, (X1, X2) standard normal with Pearson correlation
/// rho (from a Spearman target through the copula's conversion), X3
/// independent standard normal. Var Y = 3 + 2 rho; the block {X1, X2}
/// explains Var(X1 + X2) = 2 + 2 rho of it, X3 the rest, and the model is
/// additive, so first-order and total indices coincide:
/// S_12 = (2 + 2 rho) / (3 + 2 rho), S_3 = 1 / (3 + 2 rho).
#[test]
fn a_correlated_pair_is_one_factor_with_its_analytic_index() {
    let spearman = 0.5;
    let rho = sezsim::uncertainty::spearman_to_pearson(spearman);
    let mut problem = Problem::new(vec![Distribution::normal(0.0, 1.0, None, None).unwrap(); 3]);
    problem.correlations = vec![(id(0), id(1), spearman)];
    let sampler = problem.sampler();
    let factors = problem.factors(&sampler);
    assert_eq!(factors.names(), ["x1+x2", "x3"]);

    let sum = |draw: &ParameterDraw| draw.get(id(0)) + draw.get(id(1)) + draw.get(id(2));
    let result = sobol(&problem, options(1 << 13, false, 5), &sum);
    let expected = [
        (2.0 + 2.0 * rho) / (3.0 + 2.0 * rho),
        1.0 / (3.0 + 2.0 * rho),
    ];
    for (j, &analytic) in expected.iter().enumerate() {
        for (kind, e) in [("S1", result.first[j]), ("ST", result.total[j])] {
            println!(
                "correlated sum: {kind}[{j}] = {:.5} (analytic {analytic:.5}, SE {:.5})",
                e.value, e.std_error
            );
            // Four standard errors, floored at 1e-3 in case the replicates
            // agree by chance; the SE itself must be small enough for the
            // test to tell the copula's value (0.752) from the
            // uncorrelated one (2/3).
            assert!(e.std_error < 0.01, "{kind}[{j}] SE {}", e.std_error);
            let tolerance = (4.0 * e.std_error).max(1e-3);
            assert!(
                (e.value - analytic).abs() < tolerance,
                "{kind}[{j}] = {} vs {analytic}",
                e.value
            );
        }
    }
    assert!(expected[0] - 2.0 / 3.0 > 0.08);
}

#[test]
fn a_declared_group_of_independent_inputs_has_its_closed_index() {
    // Y = X1 + X2 + 2 X3 with independent standard normals: the group
    // {X1, X3} explains (1 + 4) / 6 of the variance, X2 the remaining 1/6.
    let mut problem = Problem::new(vec![Distribution::normal(0.0, 1.0, None, None).unwrap(); 3]);
    problem.groups = vec![("pair".to_string(), vec![0, 2])];
    let sampler = problem.sampler();
    assert_eq!(problem.factors(&sampler).names(), ["pair", "x2"]);
    let model = |d: &ParameterDraw| d.get(id(0)) + d.get(id(1)) + 2.0 * d.get(id(2));
    let result = sobol(&problem, options(1 << 12, false, 6), &model);
    for (j, expected) in [5.0 / 6.0, 1.0 / 6.0].into_iter().enumerate() {
        for e in [result.first[j], result.total[j]] {
            let tolerance = (4.0 * e.std_error).max(1e-3);
            assert!(
                (e.value - expected).abs() < tolerance,
                "{j}: {e:?} vs {expected}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Morris
// ---------------------------------------------------------------------------

fn morris_g(a: &[f64], trajectories: u64, seed: u64) -> Vec<f64> {
    let problem = g_problem(a);
    let sampler = problem.sampler();
    let design = MorrisDesign::new(
        problem.factors(&sampler),
        MorrisOptions { trajectories, seed },
    )
    .unwrap();
    let model = g_function(a);
    let mut acc = MorrisAccumulator::new(&design, 1);
    let mut draw = sampler.buffer();
    let mut row = vec![0.0; design.dimensions()];
    for t in 0..trajectories {
        let trajectory = design.trajectory(t);
        let outputs: Vec<f64> = (0..design.rows_per_trajectory())
            .map(|s| {
                design.row(&trajectory, s, &mut row);
                sampler.draw_from_uniforms(&mut row, &mut draw);
                model(&draw)
            })
            .collect();
        acc.add_trajectory(t, &trajectory, &outputs).unwrap();
    }
    let summary = acc
        .finish(0.95, DEFAULT_RESAMPLES, seed)
        .unwrap()
        .remove(0)
        .unwrap();
    for f in &summary.factors {
        assert!(
            f.mu_star_lower <= f.mu_star && f.mu_star <= f.mu_star_upper,
            "{f:?}"
        );
    }
    summary.factors.iter().map(|f| f.mu_star).collect()
}

#[test]
fn morris_mu_star_ranks_g_function_factors_like_their_total_indices() {
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    let (_, st) = g_analytic(&a);
    let mu_star = morris_g(&a, 40, 3);
    println!("Morris G, r = 40: mu* {mu_star:?}; ST {st:?}");
    // Strictly decreasing over the first four, which all exceed the four
    // negligible factors (equal total indices, any order among them).
    for j in 0..3 {
        assert!(
            st[j] > st[j + 1] && mu_star[j] > mu_star[j + 1],
            "factor {j}"
        );
    }
    let negligible = mu_star[4..].iter().copied().fold(0.0, f64::max);
    assert!(mu_star[3] > negligible, "{mu_star:?}");
}

// ---------------------------------------------------------------------------
// Bit identity under any chunking and merge order
// ---------------------------------------------------------------------------

fn bits(result: &SobolIndices) -> Vec<u64> {
    let mut out = vec![result.mean.to_bits(), result.variance.to_bits()];
    for e in result
        .first
        .iter()
        .chain(&result.total)
        .chain(&result.second)
    {
        out.extend([e.value, e.std_error, e.lower, e.upper].map(f64::to_bits));
    }
    out
}

#[test]
fn sobol_results_are_bit_identical_however_the_blocks_are_chunked_and_merged() {
    let (design, blocks) = evaluate_design(&ishigami_problem(), options(512, true, 11), &ishigami);
    let shifts = vec![blocks[0][0]];
    let accumulate = |range: std::ops::Range<usize>, reverse: bool| {
        let mut acc = SobolAccumulator::new(&design, shifts.clone());
        let mut order: Vec<usize> = range.collect();
        if reverse {
            order.reverse();
        }
        for b in order {
            acc.add_block(b as u64, &blocks[b]).unwrap();
        }
        acc
    };
    let n = blocks.len();
    let reference = bits(
        &accumulate(0..n, false).finish(0.95).unwrap()[0]
            .clone()
            .unwrap(),
    );

    // Reversed order in one accumulator.
    let reversed = accumulate(0..n, true).finish(0.95).unwrap()[0]
        .clone()
        .unwrap();
    assert_eq!(bits(&reversed), reference);

    // Uneven chunks (as threads or shards would take them), merged in
    // reverse, and as a tree.
    let cuts = [0, 1, 7, 100, 101, 300, 511, n];
    let chunks: Vec<SobolAccumulator> = cuts
        .windows(2)
        .map(|w| accumulate(w[0]..w[1], w[0] % 2 == 1))
        .collect();
    let mut backwards = SobolAccumulator::new(&design, shifts.clone());
    for chunk in chunks.iter().rev() {
        backwards.merge(chunk).unwrap();
    }
    assert_eq!(
        bits(&backwards.finish(0.95).unwrap()[0].clone().unwrap()),
        reference
    );
    let mut left = chunks[0].clone();
    left.merge(&chunks[1]).unwrap();
    left.merge(&chunks[2]).unwrap();
    let mut right = chunks[5].clone();
    right.merge(&chunks[4]).unwrap();
    right.merge(&chunks[6]).unwrap();
    right.merge(&chunks[3]).unwrap();
    right.merge(&left).unwrap();
    assert_eq!(
        bits(&right.finish(0.95).unwrap()[0].clone().unwrap()),
        reference
    );

    // A partial accumulator cannot be finished; one with other shifts
    // cannot be merged.
    assert!(chunks[2].finish(0.95).is_err());
    let mut other = SobolAccumulator::new(&design, vec![shifts[0] + 1.0]);
    assert!(other.merge(&chunks[0]).is_err());
}

#[test]
fn morris_results_are_bit_identical_however_trajectories_are_merged() {
    let a = [0.0, 1.0, 4.5];
    let problem = g_problem(&a);
    let sampler = problem.sampler();
    let design = MorrisDesign::new(
        problem.factors(&sampler),
        MorrisOptions {
            trajectories: 20,
            seed: 4,
        },
    )
    .unwrap();
    let model = g_function(&a);
    let mut draw = sampler.buffer();
    let mut row = vec![0.0; 3];
    let runs: Vec<(u64, Vec<f64>)> = (0..20)
        .map(|t| {
            let trajectory = design.trajectory(t);
            let outputs = (0..4)
                .flat_map(|s| {
                    design.row(&trajectory, s, &mut row);
                    sampler.draw_from_uniforms(&mut row, &mut draw);
                    let y = model(&draw);
                    [y, 2.0 * y - 1.0]
                })
                .collect();
            (t, outputs)
        })
        .collect();
    let fill = |order: &[usize]| {
        let mut acc = MorrisAccumulator::new(&design, 2);
        for &i in order {
            let (t, outputs) = &runs[i];
            acc.add_trajectory(*t, &design.trajectory(*t), outputs)
                .unwrap();
        }
        acc
    };
    let summary_bits = |acc: &MorrisAccumulator| -> Vec<u64> {
        acc.finish(0.9, 300, 8)
            .unwrap()
            .into_iter()
            .flat_map(|s| s.unwrap().factors)
            .flat_map(|f| [f.mu, f.mu_star, f.sigma, f.mu_star_lower, f.mu_star_upper])
            .map(f64::to_bits)
            .collect()
    };
    let all: Vec<usize> = (0..20).collect();
    let reference = summary_bits(&fill(&all));
    let mut odd = fill(
        &all.iter()
            .copied()
            .filter(|i| i % 2 == 1)
            .collect::<Vec<_>>(),
    );
    let even = fill(
        &all.iter()
            .copied()
            .filter(|i| i % 2 == 0)
            .rev()
            .collect::<Vec<_>>(),
    );
    odd.merge(&even).unwrap();
    assert_eq!(summary_bits(&odd), reference);
}

#[test]
fn a_failed_pilot_shift_does_not_poison_the_sums() {
    let (design, blocks) = evaluate_design(&ishigami_problem(), options(64, false, 3), &ishigami);
    let finish = |shift: f64| {
        let mut acc = SobolAccumulator::new(&design, vec![shift]);
        for (b, outputs) in blocks.iter().enumerate() {
            acc.add_block(b as u64, outputs).unwrap();
        }
        bits(&acc.finish(0.95).unwrap()[0].clone().unwrap())
    };
    assert_eq!(finish(f64::NAN), finish(0.0));
    assert_eq!(finish(f64::INFINITY), finish(0.0));
}

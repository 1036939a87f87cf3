//! The Sobol' estimators reproduce SALib 1.6.0's `sobol.analyze` point
//! estimates (first order, total, second order) on a fixed set of Ishigami
//! outputs, through both the one-shot function and the streaming
//! accumulator (pooled over replicates).
//!
//! The outputs are in `tests/fixtures/salib/ishigami_y.csv`, whose header
//! says how they were made; SALib's estimates on them are copied below.

use sezsim::sensitivity::{
    Factors, SobolAccumulator, SobolDesign, SobolOptions, pairs, point_indices,
};

/// SALib 1.6.0 `sobol.analyze(problem, Y, calc_second_order=True)` on the
/// fixture's outputs.
const SALIB_S1: [f64; 3] = [0.296292041542168, 0.44954906665124, 0.002651696697178];
const SALIB_ST: [f64; 3] = [0.519851776075295, 0.441971627049429, 0.244151884799188];
/// S2 of pairs (1,2), (1,3), (2,3).
const SALIB_S2: [f64; 3] = [
    0.020660667823532708,
    0.264759594958798,
    -0.008671882128372586,
];

const TOLERANCE: f64 = 1e-12;

fn outputs() -> Vec<f64> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/salib/ishigami_y.csv"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .from_path(path)
        .expect("fixture opens");
    let y: Vec<f64> = reader
        .records()
        .map(|r| r.expect("record")[0].parse().expect("a number"))
        .collect();
    assert_eq!(y.len(), 1024 * 8);
    y
}

fn assert_close(what: &str, got: &[f64], expected: &[f64]) {
    assert_eq!(got.len(), expected.len(), "{what}");
    let worst = got
        .iter()
        .zip(expected)
        .map(|(g, e)| (g - e).abs())
        .fold(0.0, f64::max);
    println!("{what}: largest difference from SALib {worst:e}");
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(
            (g - e).abs() < TOLERANCE,
            "{what}[{i}]: got {g}, SALib {e}, difference {:e}",
            g - e
        );
    }
}

#[test]
fn one_shot_estimators_match_salib() {
    let y = outputs();
    let p = point_indices(&y, 3, true).unwrap().unwrap();
    assert_close("S1", &p.first, &SALIB_S1);
    assert_close("ST", &p.total, &SALIB_ST);
    assert_close("S2", &p.second, &SALIB_S2);
    assert_eq!(pairs(3).collect::<Vec<_>>(), [(0, 1), (0, 2), (1, 2)]);
}

#[test]
fn first_and_total_without_second_order_rows_match_salib() {
    // SALib's S1 and ST do not depend on the BA rows except through the
    // centring mean; dropping them moves the estimates only slightly, so
    // check the layout without them against a recomputation by hand.
    let y = outputs();
    let short: Vec<f64> = y
        .chunks_exact(8)
        .flat_map(|b| [b[0], b[1], b[2], b[3], b[7]])
        .collect();
    let p = point_indices(&short, 3, false).unwrap().unwrap();
    // SALib's formulas, written out: c the mean of every output, the
    // variance over the A and B rows (divisor 2n).
    let blocks: Vec<&[f64]> = short.chunks_exact(5).collect();
    let n = blocks.len() as f64;
    let c = short.iter().sum::<f64>() / short.len() as f64;
    let ends: Vec<f64> = blocks.iter().flat_map(|b| [b[0] - c, b[4] - c]).collect();
    let m = ends.iter().sum::<f64>() / (2.0 * n);
    let var = ends.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (2.0 * n);
    for j in 0..3 {
        let s1 = blocks
            .iter()
            .map(|b| (b[4] - c) * (b[1 + j] - b[0]))
            .sum::<f64>()
            / n
            / var;
        let st = blocks
            .iter()
            .map(|b| (b[0] - b[1 + j]).powi(2))
            .sum::<f64>()
            / n
            / 2.0
            / var;
        assert!((p.first[j] - s1).abs() < TOLERANCE, "S1[{j}]");
        assert!((p.total[j] - st).abs() < TOLERANCE, "ST[{j}]");
    }
}

#[test]
fn streaming_accumulator_pools_to_salib_estimates() {
    // Treat the 1,024 base rows as two replicates of 512 blocks, fed in
    // two accumulators in a scrambled order and merged: the pooled point
    // estimate is the estimator on all blocks, SALib's.
    let y = outputs();
    let paths: Vec<String> = ["x1", "x2", "x3"].iter().map(|s| s.to_string()).collect();
    let options = SobolOptions {
        samples: 1024,
        replicates: 2,
        second_order: true,
        seed: 1,
    };
    let design = SobolDesign::new(Factors::independent(&paths), options).unwrap();
    assert_eq!(design.blocks(), 1024);
    let shifts = vec![y[0]];
    let mut first = SobolAccumulator::new(&design, shifts.clone());
    let mut second = SobolAccumulator::new(&design, shifts);
    for block in 0..1024u64 {
        let target = if block % 3 == 0 {
            &mut first
        } else {
            &mut second
        };
        let rows = &y[block as usize * 8..][..8];
        target.add_block(block, rows).unwrap();
    }
    second.merge(&first).unwrap();
    let result = second.finish(0.95).unwrap().remove(0).unwrap();
    let value =
        |list: &[sezsim::sensitivity::Estimate]| list.iter().map(|e| e.value).collect::<Vec<_>>();
    assert_close("S1", &value(&result.first), &SALIB_S1);
    assert_close("ST", &value(&result.total), &SALIB_ST);
    assert_close("S2", &value(&result.second), &SALIB_S2);
    // Each replicate's estimate is the one-shot estimator on its blocks.
    let half = point_indices(&y[..512 * 8], 3, true).unwrap().unwrap();
    let other = point_indices(&y[512 * 8..], 3, true).unwrap().unwrap();
    let se = ((half.first[0] - other.first[0]).abs() / 2.0_f64.sqrt()) / 2.0_f64.sqrt();
    assert!(
        (result.first[0].std_error - se).abs() < 1e-12,
        "{} vs {se}",
        result.first[0].std_error
    );
}

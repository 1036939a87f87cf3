//! Every numeric parameter across its whole valid range, limits included,
//! over horizons up to the longest (500 years): every value the SEZ model
//! records stays finite, and so do the run's statistics. One key at a time
//! at each limit, all keys at their limits together, and a property test
//! that draws every key across its range. Just beyond a limit, a value is
//! an input error naming the file, line and key. The benchmark models'
//! coefficients and inputs likewise.
//!
//! The ranges are copied from docs/scenario-format.md into
//! tests/support/sez.rs: a change of a range must change that table too.

mod support;

use proptest::prelude::*;
use sezsim::engine::RunSummary;
use sezsim::run::RunSettings;
use sezsim::scenario::Scenario;
use support::sez::Place::*;
use support::sez::{KEYS, Key, Setting, TINY, number, scenario};

fn load(s: &Setting) -> (tempfile::TempDir, Scenario) {
    let (toml, io) = scenario(s);
    let (dir, path) = support::scenario_dir(&toml, &[("io.csv", &io)]);
    let scenario = sezsim::load(&path).unwrap_or_else(|e| panic!("{e}\nfor the scenario\n{toml}"));
    (dir, scenario)
}

/// Every value of one replication is finite.
fn assert_finite(run: &support::Run, what: &str) {
    let layout = &run.layout;
    let years = layout.years.len();
    for (i, v) in run.record.series.iter().enumerate() {
        let s = &layout.series[i / years];
        assert!(
            v.is_finite(),
            "{what}: {} of {} in {} is {v}",
            s.output,
            s.zone,
            layout.years[i % years]
        );
    }
    for (name, v) in layout.scalars.iter().zip(&run.record.scalars) {
        assert!(v.is_finite(), "{what}: {name} is {v}");
    }
}

/// Replications 0..reps and the deterministic one.
fn assert_replications_finite(scenario: &Scenario, reps: u64, what: &str) {
    for rep in 0..reps {
        assert_finite(
            &support::run_one(scenario, rep, false),
            &format!("{what}, replication {rep}"),
        );
    }
    assert_finite(
        &support::run_one(scenario, 0, true),
        &format!("{what}, deterministic"),
    );
}

/// A whole run through the engine: it succeeds (no value is NaN or
/// infinite) and every statistic is finite.
fn assert_run_finite(scenario: &Scenario, replications: u64, what: &str) -> RunSummary {
    let settings = RunSettings::new(scenario, "unused")
        .with_replications(replications)
        .with_threads(2)
        .with_reservoir(100);
    let summary = sezsim::run::summarize(scenario, &settings, &[], None, None)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    for (i, s) in summary.series.iter().chain(&summary.scalars).enumerate() {
        for (stat, v) in [
            ("mean", s.mean),
            ("sd", s.sd),
            ("min", s.min),
            ("max", s.max),
        ]
        .into_iter()
        .chain(s.quantiles.iter().map(|&q| ("quantile", q)))
        {
            assert!(v.is_finite(), "{what}: the {stat} of value {i} is {v}");
        }
    }
    summary
}

#[test]
fn each_key_at_each_of_its_limits_gives_finite_values_over_500_years() {
    for k in KEYS {
        for limit in [k.lo, k.hi] {
            let (_dir, s) = load(&Setting::typical().with(k.name, limit));
            assert_replications_finite(&s, 3, &format!("{} = {limit:e}", k.name));
        }
    }
}

/// The corners that make the numbers largest and smallest: every key at
/// its upper limit (growth, volatility, sensitivity, magnitudes; a random
/// walk of demand), then every key at its lower limit. The run's
/// statistics (sums of squares included) stay finite too.
#[test]
fn every_key_at_its_limits_together_gives_finite_values_and_statistics() {
    let mut high = Setting::typical();
    let mut low = Setting::typical();
    for k in KEYS {
        high = high.with(k.name, k.hi);
        low = low.with(k.name, k.lo);
    }
    // Timing keys at their upper limit would switch everything off; keep
    // the zones open, taxed and powered, the project on time, the
    // policy reversal possible.
    for name in [
        "opening_delay",
        "tax_holiday_years",
        "delay",
        "grid_availability_logit_sd",
    ] {
        high = high.with(name, Setting::typical().values[name]);
    }
    high = high.with("regulatory_shock_probability", 0.5);
    for (what, s) in [("all upper limits", high), ("all lower limits", low)] {
        for shock_years in [0, 500] {
            let s = Setting {
                shock_years,
                ..s.clone()
            };
            let (_dir, scenario) = load(&s);
            assert_replications_finite(&scenario, 5, what);
            assert_run_finite(&scenario, 300, what);
        }
    }
}

/// The cases the issue named: `tfp_growth >= 100` and
/// `demand_sensitivity >= 1e4` gave non-finite results; now their limits
/// run and such values are refused.
#[test]
fn the_limits_named_in_the_issue() {
    for (name, limit, too_far) in [
        ("tfp_growth", 0.2, 100.0),
        ("tfp_growth", -0.2, -100.0),
        ("demand_sensitivity", 3.0, 1e4),
        ("demand_sensitivity", -3.0, -1e4),
        ("capital_per_ha", 1e4, 1e308),
        ("area_ha", 1e6, 1e308),
    ] {
        let (_dir, s) = load(&Setting::typical().with(name, limit));
        let summary = assert_run_finite(&s, 300, &format!("{name} = {limit}"));
        assert_eq!(summary.replications, 300);
        let message = load_error(&Setting::typical().with(name, too_far));
        assert!(message.contains(name), "{message}");
    }
}

/// The error message of a scenario that must not load.
fn load_error(s: &Setting) -> String {
    let (toml, io) = scenario(s);
    let (_dir, path) = support::scenario_dir(&toml, &[("io.csv", &io)]);
    match sezsim::load(&path) {
        Ok(_) => panic!("loaded, but should not have:\n{toml}"),
        Err(e) => e.to_string(),
    }
}

/// The value just beyond `limit` away from the range's inside (`up`: above).
fn beyond(limit: f64, up: bool) -> f64 {
    let step = limit.abs().max(1.0) * 1e-9;
    if up { limit + step } else { limit - step }
}

#[test]
fn just_beyond_each_tightened_limit_is_an_input_error_naming_file_line_and_key() {
    for k in KEYS.iter().filter(|k| k.tightened) {
        let mut cases = vec![(beyond(k.hi, true), "above")];
        if k.lo != 0.0 && k.lo != TINY {
            cases.push((beyond(k.lo, false), "below"));
        }
        for (v, side) in cases {
            let s = Setting::typical().with(k.name, v);
            let (toml, _) = scenario(&s);
            let message = load_error(&s);
            let written = format!("{} = {}", k.name, number(v));
            let line = || toml_line_of(&toml, &written);
            let (file_line, key) = match k.place {
                Io => ("io.csv:3".to_string(), "io.coefficients".to_string()),
                Project => (
                    format!(
                        "scenario.toml:{}",
                        toml_line_of(&toml, "[[energy_projects]]")
                    ),
                    format!("energy_projects.plant.{}", k.name),
                ),
                Committed => (
                    format!(
                        "scenario.toml:{}",
                        toml_line_of(&toml, "[[committed_investments]]")
                    ),
                    "committed_investments".to_string(),
                ),
                Zone(section) => (
                    format!("scenario.toml:{}:", line()),
                    format!("{section}.{}", k.name),
                ),
                Global => (
                    format!("scenario.toml:{}:", line()),
                    format!("global.{}", k.name),
                ),
                Scenario => (
                    format!("scenario.toml:{}:", line()),
                    format!("scenario.{}", k.name),
                ),
            };
            assert!(
                message.contains(&file_line) && message.contains(&key),
                "{} {side} its range ({v}): the message should name {file_line} and {key}:\n{message}",
                k.name
            );
            assert!(!message.contains("panicked"), "{}: {message}", k.name);
        }
    }
}

fn toml_line_of(toml: &str, needle: &str) -> usize {
    1 + toml
        .lines()
        .position(|l| l == needle)
        .unwrap_or_else(|| panic!("`{needle}` not in\n{toml}"))
}

#[test]
fn a_nearly_singular_input_output_table_is_refused() {
    let s = Setting::typical();
    let (toml, _) = scenario(&s);
    // One sector buying 0.9995 of its own output: a multiplier of 2,000.
    let io = "sector,goods,jobs_per_musd\ngoods,0.9995,40\n";
    let toml = toml.replace(
        "sourcing = { goods = 0.5, services = 0.5 }",
        "sourcing = { goods = 1.0 }",
    );
    let (_dir, path) = support::scenario_dir(&toml, &[("io.csv", io)]);
    let message = sezsim::load(&path).unwrap_err().to_string();
    assert!(
        message.contains("io.csv") && message.contains("output multiplier of 2"),
        "{message}"
    );
    // 0.998 gives 500: accepted, and finite.
    let io = "sector,goods,jobs_per_musd\ngoods,0.998,10000\n";
    let (_dir, path) = support::scenario_dir(&toml, &[("io.csv", io)]);
    let scenario = support::load(&path);
    assert_replications_finite(&scenario, 3, "multiplier 500");
}

/// A value for key `k` from a uniform `u` and a choice: a limit (a third
/// of the time), uniform over the range, or log-uniform over its
/// magnitudes (so that wide ranges are sampled at every scale).
fn pick(k: &Key, choice: u8, u: f64) -> f64 {
    let (lo, hi) = (k.lo, k.hi);
    match choice % 6 {
        0 => lo,
        1 => hi,
        2 | 3 => lo + u * (hi - lo),
        _ if lo >= 0.0 => {
            let a = lo.max(1e-12).ln();
            let b = hi.ln();
            (a + u * (b - a)).exp().clamp(lo, hi)
        }
        _ => lo + u * (hi - lo),
    }
}

fn setting() -> impl Strategy<Value = Setting> {
    let n = KEYS.len();
    (
        prop::collection::vec((any::<u8>(), 0.0..=1.0f64), n),
        prop_oneof![Just(500u32), Just(1u32), 2..60u32],
        0..=500u32,
    )
        .prop_map(|(draws, years, shock_years)| Setting {
            values: KEYS
                .iter()
                .zip(draws)
                .map(|(k, (c, u))| (k.name, pick(k, c, u)))
                .collect(),
            years,
            shock_years,
            ..Setting::typical()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_key_anywhere_in_its_range_gives_finite_values(s in setting(), rep in 0u64..1000) {
        let (_dir, scenario) = load(&s);
        assert_finite(&support::run_one(&scenario, rep, false), "random");
        assert_finite(&support::run_one(&scenario, 0, true), "deterministic");
    }
}

// ---- the benchmark models ----

fn benchmark(model: &str, inputs: &str) -> String {
    format!(
        "[scenario]\nname = \"bench\"\nreplications = 300\nseed = 5\n\n[model]\n{model}\n\n[inputs]\n{inputs}"
    )
}

fn load_benchmark(text: &str) -> Result<(tempfile::TempDir, Scenario), String> {
    let (dir, path) = support::scenario_dir(text, &[]);
    match sezsim::load(&path) {
        Ok(s) => Ok((dir, s)),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn benchmark_coefficients_and_inputs_at_their_limits_run_and_beyond_are_refused() {
    let uniform = |lo: f64, hi: f64| {
        format!(
            "{{ dist = \"uniform\", min = {}, max = {} }}",
            number(lo),
            number(hi)
        )
    };
    let ishigami_inputs = |lo: f64, hi: f64| {
        (1..=3)
            .map(|i| format!("x{i} = {}\n", uniform(lo, hi)))
            .collect::<String>()
    };
    // Ishigami: a and b at +-1e100, inputs over +-1e6: y up to 1e124.
    for (a, b) in [(1e100, 1e100), (-1e100, -1e100)] {
        let text = benchmark(
            &format!("kind = \"ishigami\"\na = {}\nb = {}", number(a), number(b)),
            &ishigami_inputs(-1e6, 1e6),
        );
        let (_dir, s) = load_benchmark(&text).unwrap();
        let summary = assert_run_finite(&s, 300, "ishigami at its limits");
        assert!(summary.scalars[0].sd > 1e100);
    }
    let too_far = [
        (
            benchmark(
                "kind = \"ishigami\"\nb = 1e307",
                &ishigami_inputs(-3.0, 3.0),
            ),
            "scenario.toml:8:5: `model.b`: expected a number in [-1e100, 1e100], found 1e307",
        ),
        (
            benchmark(
                "kind = \"ishigami\"\na = -2e100",
                &ishigami_inputs(-3.0, 3.0),
            ),
            "scenario.toml:8:5: `model.a`: expected a number in [-1e100, 1e100], found -2e100",
        ),
        (
            benchmark("kind = \"ishigami\"", &ishigami_inputs(-1e6, 1.000001e6)),
            "scenario.toml:10:6: `inputs.x1`",
        ),
    ];
    for (text, expected) in &too_far {
        let message = load_benchmark(text).expect_err("refused");
        assert!(message.contains(expected), "{expected}\nnot in\n{message}");
    }

    // Sobol' G: 400 inputs on their domain [0, 1], at its corners (0 and
    // 1 give the largest factor, 2): y up to 2^400.
    let sobol = |k: usize, input: &str| {
        let a = vec!["0"; k].join(", ");
        let inputs: String = (1..=k).map(|i| format!("x{i} = {input}\n")).collect();
        benchmark(&format!("kind = \"sobol_g\"\na = [{a}]"), &inputs)
    };
    let corners = "{ dist = \"discrete\", values = [0, 0.25, 1], weights = [1, 1, 1] }";
    let (_dir, s) = load_benchmark(&sobol(400, corners)).unwrap();
    let summary = assert_run_finite(&s, 300, "sobol_g with 400 inputs");
    assert!(summary.scalars[0].max > 1e60);
    let message = load_benchmark(&sobol(401, corners)).expect_err("refused");
    assert!(
        message.contains("`model.a`: expected 1 to 400 coefficients, each >= 0, found 401"),
        "{message}"
    );
    let message = load_benchmark(&sobol(2, &uniform(0.0, 1.5))).expect_err("refused");
    assert!(
        message.contains("`inputs.x1`") && message.contains("expected a share in [0, 1]"),
        "{message}"
    );
}

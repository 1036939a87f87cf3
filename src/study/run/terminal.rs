//! What `sezsim run` prints when done: where the run went, then each
//! scalar outcome's mean and P5, P50, P95, and its chance of reaching its
//! target.

use std::fmt::Write as _;

use super::RunOutcome;
use crate::output::format::four_digits;
use crate::scenario::Scenario;

/// The summary of `outcome`, a run of `scenario`, for the terminal.
pub fn terminal_summary(scenario: &Scenario, outcome: &RunOutcome) -> String {
    let run = &outcome.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} replications in {:.1} s -> {}",
        scenario.name,
        run.replications,
        outcome.wall_time_seconds,
        outcome.dir.display()
    );
    let level = |q: f64| {
        run.quantile_levels
            .iter()
            .position(|&l| (l - q).abs() < 1e-12)
    };
    let (lo, mid, hi) = (level(0.05), level(0.5), level(0.95));
    let _ = writeln!(
        out,
        "\n  {:<24} {:>12} {:>12} {:>12} {:>12}",
        "scalar", "mean", "P5", "P50", "P95"
    );
    for (name, sm) in run.layout.scalars.iter().zip(&run.scalars) {
        let q = |i: Option<usize>| i.map_or("-".to_string(), |i| four_digits(sm.quantiles[i]));
        let _ = write!(
            out,
            "  {name:<24} {:>12} {:>12} {:>12} {:>12}",
            four_digits(sm.mean),
            q(lo),
            q(mid),
            q(hi)
        );
        if let (Some(p), Some((_, t))) = (
            sm.p_target,
            scenario.outputs.targets.iter().find(|(n, _)| n == name),
        ) {
            let _ = write!(out, "   P(>= {t}) = {p:.3}");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::run::{RunSettings, run};

    /// One line for the run, a header, then a row per scalar outcome in
    /// layout order; a scalar with a target shows its probability.
    #[test]
    fn the_terminal_summary_has_a_row_per_scalar() {
        let scenario = crate::load(Path::new("tests/fixtures/full/base.toml")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let settings = RunSettings::new(&scenario, dir.path().join("det"))
            .with_deterministic(true)
            .with_threads(1);
        let outcome = run(&scenario, &settings, None).unwrap();
        let text = terminal_summary(&scenario, &outcome);
        let lines: Vec<&str> = text.lines().collect();
        let first = format!(
            "{}: 1 replications in {:.1} s -> {}",
            scenario.name,
            outcome.wall_time_seconds,
            dir.path().join("det").display()
        );
        assert_eq!(lines[0], first);
        assert_eq!(lines[1], "");
        assert_eq!(
            lines[2],
            "  scalar                           mean           P5          P50          P95"
        );
        let scalars = &outcome.summary.layout.scalars;
        assert_eq!(lines.len(), 3 + scalars.len(), "{text}");
        for (line, name) in lines[3..].iter().zip(scalars) {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words[0], name);
            // One replication: every quantile is the value.
            assert!(words[2..5].iter().all(|w| *w == words[1]), "{line}");
            let target = name == "exports_final";
            assert_eq!(line.contains("   P(>= 100) = "), target, "{line}");
        }
    }
}

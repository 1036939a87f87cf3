//! A comparison as text: `compare.csv` (every number unrounded),
//! `compare.md` (for people) and the summary `sezsim compare` prints.
//! Pure functions of the results.

use std::fmt::Write as _;

use super::{COMPARE_LEVELS, CompareOutcome, Comparison, Z95};
use crate::output::format::four_digits;

/// Shortest round-trip text of a float (exact in tables), empty for `None`.
fn num(out: &mut String, v: Option<f64>) {
    if let Some(v) = v {
        let _ = write!(out, "{v}");
    }
}

/// `compare.csv`: one row per scalar outcome and scenario, base first:
///
/// `scalar,scenario,n,mean,sd,p05,p50,p95,target,p_target,diff_mean,diff_sd,diff_low95,diff_high95,p_higher,unpaired_low95,unpaired_high95`
///
/// The `diff_*`, `p_higher` and `unpaired_*` columns compare the row's
/// scenario with the base (empty on the base's rows); `target` and
/// `p_target` are empty where the scenario sets no target.
pub fn compare_csv(c: &Comparison) -> String {
    let mut out = String::from(
        "scalar,scenario,n,mean,sd,p05,p50,p95,target,p_target,diff_mean,diff_sd,diff_low95,diff_high95,p_higher,unpaired_low95,unpaired_high95\n",
    );
    for (s, scalar) in c.scalars.iter().enumerate() {
        for (i, sc) in c.scenarios.iter().enumerate() {
            let stats = &sc.summary.scalars[s];
            let _ = write!(out, "{scalar},{},{}", sc.name, stats.n);
            let mut cells: Vec<Option<f64>> = vec![Some(stats.mean), Some(stats.sd)];
            cells.extend(COMPARE_LEVELS.iter().map(|&q| Some(sc.quantile(s, q))));
            let target = sc.target(scalar);
            cells.push(target);
            cells.push(target.and(stats.p_target));
            match i.checked_sub(1).map(|v| &c.paired[v][s]) {
                Some(d) => cells.extend(
                    [
                        d.mean,
                        d.sd,
                        d.low,
                        d.high,
                        d.p_higher,
                        d.unpaired_low,
                        d.unpaired_high,
                    ]
                    .map(Some),
                ),
                None => cells.extend([None; 7]),
            }
            for cell in cells {
                out.push(',');
                num(&mut out, cell);
            }
            out.push('\n');
        }
    }
    out
}

/// [`four_digits`] with a `+` on positive values.
fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", four_digits(v))
    } else {
        four_digits(v)
    }
}

/// `compare.md`: the comparison as readable Markdown tables, one per scalar
/// outcome, with a note on how to read the paired intervals.
pub fn compare_md(c: &Comparison) -> String {
    let base = &c.scenarios[0];
    let mut out = String::new();
    let _ = writeln!(out, "# Policy comparison: {}\n", base.title);
    let _ = writeln!(
        out,
        "Every scenario ran with seed {} and {} replications. Replication r of each \
         scenario sees the same random shocks and parameter draws wherever the \
         scenarios agree (common random numbers), so each difference below is \
         paired: the variant minus the base in the same replication, averaged over \
         replications.\n",
        c.seed, c.replications
    );
    out.push_str("| role | scenario | title |\n|---|---|---|\n");
    for (i, s) in c.scenarios.iter().enumerate() {
        let role = if i == 0 {
            "base".to_string()
        } else {
            format!("variant {i}")
        };
        let _ = writeln!(out, "| {role} | `{}` | {} |", s.name, s.title);
    }
    for (s, scalar) in c.scalars.iter().enumerate() {
        let _ = writeln!(out, "\n## {scalar}\n");
        let with_targets = c.scenarios.iter().any(|sc| sc.target(scalar).is_some());
        out.push_str("| scenario | mean | P5 | P50 | P95 |");
        if with_targets {
            out.push_str(" target |");
        }
        let _ = writeln!(
            out,
            " difference from `{}` (95% interval) | P(higher) |",
            base.name
        );
        out.push_str("|---|--:|--:|--:|--:|");
        if with_targets {
            out.push_str("--:|");
        }
        out.push_str("--:|--:|\n");
        for (i, sc) in c.scenarios.iter().enumerate() {
            let stats = &sc.summary.scalars[s];
            let _ = write!(out, "| `{}` | {} |", sc.name, four_digits(stats.mean));
            for &q in &COMPARE_LEVELS {
                let _ = write!(out, " {} |", four_digits(sc.quantile(s, q)));
            }
            if with_targets {
                match (sc.target(scalar), stats.p_target) {
                    (Some(t), Some(p)) => {
                        let _ = write!(out, " P(>= {t}) = {p:.3} |");
                    }
                    _ => out.push_str(" |"),
                }
            }
            match i.checked_sub(1).map(|v| &c.paired[v][s]) {
                Some(d) => {
                    let _ = writeln!(
                        out,
                        " {} ({} to {}) | {:.3} |",
                        signed(d.mean),
                        four_digits(d.low),
                        four_digits(d.high),
                        d.p_higher
                    );
                }
                None => out.push_str(" | |\n"),
            }
        }
    }
    let _ = writeln!(
        out,
        "\nThe 95% interval of a difference is its mean +- {Z95} x sd / sqrt(n) of the \
         {} paired differences. P(higher) is the share of replications in which the \
         variant's outcome exceeds the base's. `compare.csv` holds every number \
         unrounded, with the interval two independent (unpaired) runs would give, for \
         comparison.",
        c.replications
    );
    out
}

/// What `sezsim compare` prints when done: where the comparison went, then
/// each variant's paired difference from the base per scalar outcome.
pub fn terminal_summary(outcome: &CompareOutcome) -> String {
    let c = &outcome.comparison;
    let base = &c.scenarios[0].name;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} scenarios x {} replications (seed {}) in {:.1} s -> {}",
        c.scenarios.len(),
        c.replications,
        c.seed,
        outcome.wall_time_seconds,
        outcome.dir.display()
    );
    let _ = writeln!(
        out,
        "\n  {:<24} {:<28} {:>12} {:>26} {:>9}",
        "scalar",
        format!("variant - {base}"),
        "mean diff",
        "95% interval (paired)",
        "P(higher)"
    );
    for (s, scalar) in c.scalars.iter().enumerate() {
        for (v, d) in c.paired.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {scalar:<24} {:<28} {:>12} {:>26} {:>9.3}",
                c.scenarios[v + 1].name,
                four_digits(d[s].mean),
                format!("{} to {}", four_digits(d[s].low), four_digits(d[s].high)),
                d[s].p_higher
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::summary;
    use super::super::{ComparedScenario, PairedDifference};
    use super::*;

    /// A base and one variant, one scalar `s0`, 4 replications.
    fn comparison() -> Comparison {
        let base = summary(&[(2.5, 1.0)]);
        let var = summary(&[(3.0, 1.5)]);
        let diff = PairedDifference {
            n: 4,
            mean: 0.5,
            sd: 0.25,
            low: 0.25,
            high: 0.75,
            p_higher: 0.75,
            unpaired_low: -1.0,
            unpaired_high: 2.0,
        };
        Comparison {
            seed: 1,
            replications: 4,
            scalars: vec!["s0".into()],
            scenarios: vec![
                ComparedScenario {
                    name: "base".into(),
                    title: "Base".into(),
                    summary: base,
                    targets: vec![],
                },
                ComparedScenario {
                    name: "var".into(),
                    title: "Variant".into(),
                    summary: var,
                    targets: vec![],
                },
            ],
            paired: vec![vec![diff]],
        }
    }

    #[test]
    fn tables_have_one_row_per_scalar_and_scenario() {
        let c = comparison();
        let csv = compare_csv(&c);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "s0,base,4,2.5,1,1.5,2.5,3.5,,,,,,,,,");
        assert_eq!(
            lines[2],
            "s0,var,4,3,1.5,1.5,3,4.5,,,0.5,0.25,0.25,0.75,0.75,-1,2"
        );
        let md = compare_md(&c);
        assert!(
            md.contains(
                "| `var` | 3.000 | 1.500 | 3.000 | 4.500 | +0.5000 (0.2500 to 0.7500) | 0.750 |"
            ),
            "{md}"
        );
        assert!(md.contains("| `base` | 2.500 |"));
    }

    /// The terminal summary: where the results went, then one aligned row
    /// per scalar and variant.
    #[test]
    fn the_terminal_summary_lists_each_variants_paired_difference() {
        let outcome = CompareOutcome {
            dir: "out/cmp".into(),
            comparison: comparison(),
            wall_time_seconds: 1.54,
        };
        assert_eq!(
            terminal_summary(&outcome),
            "2 scenarios x 4 replications (seed 1) in 1.5 s -> out/cmp\n\
             \n  scalar                   variant - base                  mean diff      95% interval (paired) P(higher)\n  \
             s0                       var                                0.5000           0.2500 to 0.7500     0.750\n"
        );
    }
}

//! A comparison as text: `compare.csv` (every number unrounded),
//! `compare.md` (for people) and the summary `sezsim compare` prints.
//! Pure functions of the results.

use std::fmt::Write as _;

use super::{COMPARE_LEVELS, COST, CompareOutcome, Comparison, CostEffect, Z95};
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
    cost_md(c, &mut out);
    out
}

/// `cost_effectiveness.csv`, if the model records a public cost: one row
/// per variant and outcome,
///
/// `variant,outcome,outcome_diff,cost_diff,per_musd,per_musd_lo,per_musd_hi`
///
/// `outcome_diff` and `cost_diff` are the paired mean differences from the
/// base (the cost is `public_cost_pv`, USD million), `per_musd` the outcome
/// gained per USD million of public cost (empty when the cost does not
/// change) and `per_musd_lo`, `per_musd_hi` its 95% Fieller interval
/// (empty when the cost difference is not distinguishable from zero;
/// `compare.md` says why).
pub fn cost_effectiveness_csv(c: &Comparison) -> Option<String> {
    let cost = c.cost.as_ref()?;
    let mut out =
        String::from("variant,outcome,outcome_diff,cost_diff,per_musd,per_musd_lo,per_musd_hi\n");
    for (v, effects) in cost.effects.iter().enumerate() {
        for (outcome, e) in cost.outcomes.iter().zip(effects) {
            let _ = write!(out, "{},{outcome}", c.scenarios[v + 1].name);
            let (lo, hi) = e.interval.ok().unzip();
            for cell in [Some(e.outcome_diff), Some(e.cost_diff), e.per_musd, lo, hi] {
                out.push(',');
                num(&mut out, cell);
            }
            out.push('\n');
        }
    }
    Some(out)
}

/// A gain per USD million and its interval, for `compare.md`.
fn per_musd_cell(e: &CostEffect) -> String {
    match (e.per_musd, e.interval) {
        (None, _) => "undefined: no mean cost difference".into(),
        (Some(r), Ok((lo, hi))) => {
            format!(
                "{} ({} to {})",
                four_digits(r),
                four_digits(lo),
                four_digits(hi)
            )
        }
        (Some(r), Err(_)) => format!("{} (no interval)", four_digits(r)),
    }
}

/// `1 / ratio` in other units (`scale / ratio`), with its interval: the
/// reciprocal of an interval that excludes zero, otherwise unbounded.
fn reciprocal_cell(e: &CostEffect, scale: f64) -> String {
    let Some(r) = e.per_musd else {
        return per_musd_cell(e);
    };
    if r <= 0.0 {
        return "none: no gain for the cost".into();
    }
    let point = four_digits(scale / r);
    match e.interval {
        Ok((lo, hi)) if lo > 0.0 => format!(
            "{point} ({} to {})",
            four_digits(scale / hi),
            four_digits(scale / lo)
        ),
        Ok(_) => format!("{point} (up to unbounded)"),
        Err(_) => format!("{point} (no interval)"),
    }
}

/// The cost-effectiveness section of `compare.md`.
fn cost_md(c: &Comparison, out: &mut String) {
    let Some(cost) = &c.cost else { return };
    if cost.effects.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n## Cost-effectiveness\n\n\
         What each variant gains per USD 1 million of public cost (`{COST}`, the \
         present value of the zones' public cost series, training, feeders and \
         tariff relief; tax forgone under holidays is not in it but in \
         `fiscal_npv`), from the same paired replications: the ratio of the mean \
         difference in the outcome to the mean difference in cost, with its 95% \
         Fieller interval. A negative cost is a saving, a negative ratio a loss \
         per dollar or a gain that saves money: read it with the two \
         differences beside it.\n"
    );
    out.push_str(
        "| variant | outcome | difference | cost difference (USD m) | per USD 1m of public cost (95% interval) |\n|---|---|--:|--:|--:|\n",
    );
    let mut reasons = Vec::new();
    for (v, effects) in cost.effects.iter().enumerate() {
        let name = &c.scenarios[v + 1].name;
        for (outcome, e) in cost.outcomes.iter().zip(effects) {
            let _ = writeln!(
                out,
                "| `{name}` | {outcome} | {} | {} | {} |",
                signed(e.outcome_diff),
                signed(e.cost_diff),
                per_musd_cell(e)
            );
        }
        if let Some(Err(why)) = effects.first().map(|e| e.interval) {
            reasons.push(format!("`{name}`: {}.", why.reason()));
        }
    }
    let effect = |v: usize, outcome: &str| {
        let k = cost.outcomes.iter().position(|o| o == outcome)?;
        Some(cost.effects[v][k])
    };
    let columns = ["job_years", "exports_cumulative"].map(|o| cost.outcomes.iter().any(|x| x == o));
    if columns.iter().any(|&c| c) {
        out.push_str("\nThe same the other way up: ");
        let mut head = String::from("| variant |");
        let mut rule = String::from("|---|");
        if columns[0] {
            out.push_str("USD of public cost per job-year gained");
            head.push_str(" public cost per job-year (USD) |");
            rule.push_str("--:|");
        }
        if columns[1] {
            out.push_str(if columns[0] { " and " } else { "" });
            out.push_str("USD of exports gained per USD of public cost");
            head.push_str(" exports per public USD |");
            rule.push_str("--:|");
        }
        let _ = writeln!(out, ".\n\n{head}\n{rule}");
        for v in 0..cost.effects.len() {
            let _ = write!(out, "| `{}` |", c.scenarios[v + 1].name);
            if let Some(e) = effect(v, "job_years") {
                let _ = write!(out, " {} |", reciprocal_cell(&e, 1e6));
            }
            if let Some(e) = effect(v, "exports_cumulative") {
                let _ = write!(out, " {} |", per_musd_cell(&e));
            }
            out.push('\n');
        }
    }
    if !reasons.is_empty() {
        out.push_str("\nNo interval:\n\n");
        for r in reasons {
            let _ = writeln!(out, "- {r}");
        }
    }
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
            cost: None,
        }
    }

    /// Two variants' cost-effectiveness: one with an interval, one whose
    /// cost difference is noise.
    #[test]
    fn cost_effectiveness_as_csv_and_markdown() {
        use super::super::{CostEffectiveness, NoInterval};
        let mut c = comparison();
        assert_eq!(cost_effectiveness_csv(&c), None);
        let mut third = c.scenarios[1].clone();
        third.name = "noisy".into();
        c.scenarios.push(third);
        c.paired.push(c.paired[0].clone());
        let clear = CostEffect {
            outcome_diff: 40.0,
            cost_diff: 8.0,
            per_musd: Some(5.0),
            interval: Ok((4.0, 6.25)),
        };
        let noisy = super::super::cost::tests::noisy_cost();
        c.cost = Some(CostEffectiveness {
            outcomes: vec!["job_years".into(), "exports_cumulative".into()],
            effects: vec![vec![clear, clear], vec![noisy, noisy]],
        });
        let csv = cost_effectiveness_csv(&c).unwrap();
        assert_eq!(
            csv,
            "variant,outcome,outcome_diff,cost_diff,per_musd,per_musd_lo,per_musd_hi\n\
             var,job_years,40,8,5,4,6.25\n\
             var,exports_cumulative,40,8,5,4,6.25\n\
             noisy,job_years,3,0.1,30,,\n\
             noisy,exports_cumulative,3,0.1,30,,\n"
        );
        let md = compare_md(&c);
        assert!(
            md.contains("| `var` | job_years | +40.00 | +8.000 | 5.000 (4.000 to 6.250) |"),
            "{md}"
        );
        // 1e6 / 5 job-years per USD m = USD 200,000 per job-year; the
        // interval's ends swap: 1e6 / 6.25 to 1e6 / 4.
        assert!(
            md.contains("| `var` | 200000 (160000 to 250000) | 5.000 (4.000 to 6.250) |"),
            "{md}"
        );
        assert!(md.contains("| `noisy` | job_years | +3.000 | +0.1000 | 30.00 (no interval) |"));
        assert!(md.contains(&format!(
            "- `noisy`: {}.",
            NoInterval::CostIndistinguishable.reason()
        )));
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

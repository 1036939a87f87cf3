//! The tables of a sensitivity analysis (`sobol.csv`, `sobol_s2.csv`,
//! `morris.csv`, docs/outputs.md) as pure functions of its results, and
//! `report.md` ([`SensitivityReport`], [`render_report`]).
//!
//! Every row names its output by `output,zone,year`: a scalar outcome has
//! `zone` and `year` empty, a yearly output's total (or national value)
//! has its aggregate row's zone (`total`, `national`) and the year. An
//! output whose indices could not be computed (it does not vary, or not
//! within a replicate) keeps its rows with the numbers left empty, and the
//! report says why. Numbers are written in Rust's shortest round-trip form,
//! so the tables are exact and the same on every machine.

use std::fmt::Write as _;

use crate::engine::{Catalogue, Unit};
use crate::output::format;

/// Which output a row is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutputKey {
    /// The scalar's or yearly output's name.
    pub output: String,
    /// Empty for a scalar; `total` or `national` for a yearly output.
    pub zone: String,
    /// The year of a yearly output; `None` for a scalar.
    pub year: Option<i32>,
}

impl OutputKey {
    /// A scalar outcome.
    pub fn scalar(name: &str) -> OutputKey {
        OutputKey {
            output: name.to_string(),
            zone: String::new(),
            year: None,
        }
    }

    /// `output,zone,year,` as the tables write it.
    fn csv_prefix(&self, out: &mut String) {
        out.push_str(&self.output);
        out.push(',');
        out.push_str(&self.zone);
        out.push(',');
        if let Some(y) = self.year {
            let _ = write!(out, "{y}");
        }
        out.push(',');
    }

    /// How the report names it: "Exports in the final year" or "Exports,
    /// total, 2040".
    pub fn label(&self, catalogue: &Catalogue) -> String {
        let label = catalogue
            .describe(&self.output)
            .map_or(self.output.as_str(), |d| d.label.as_str());
        match self.year {
            Some(y) => format!("{label}, {}, {y}", self.zone),
            None => label.to_string(),
        }
    }
}

/// An index with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

fn push_interval(out: &mut String, i: Option<Interval>) {
    match i {
        Some(i) => {
            let _ = write!(out, "{},{},{}", i.value, i.lo, i.hi);
        }
        None => out.push_str(",,"),
    }
}

/// One factor's first-order and total index for one output (`None` when
/// the output has none).
#[derive(Debug, Clone, PartialEq)]
pub struct SobolRow {
    /// The output.
    pub key: OutputKey,
    /// The factor's name.
    pub factor: String,
    /// First-order index.
    pub s1: Option<Interval>,
    /// Total index.
    pub st: Option<Interval>,
}

/// `sobol.csv`: `output,zone,year,factor,s1,s1_lo,s1_hi,st,st_lo,st_hi`.
pub fn sobol_csv(rows: &[SobolRow]) -> String {
    let mut out = String::from("output,zone,year,factor,s1,s1_lo,s1_hi,st,st_lo,st_hi\n");
    for r in rows {
        r.key.csv_prefix(&mut out);
        out.push_str(&r.factor);
        out.push(',');
        push_interval(&mut out, r.s1);
        out.push(',');
        push_interval(&mut out, r.st);
        out.push('\n');
    }
    out
}

/// One pair's second-order index for one output.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    /// The output.
    pub key: OutputKey,
    /// The first factor of the pair.
    pub factor_i: String,
    /// The second factor of the pair.
    pub factor_j: String,
    /// Second-order index.
    pub s2: Option<Interval>,
}

/// `sobol_s2.csv`: `output,zone,year,factor_i,factor_j,s2,s2_lo,s2_hi`.
pub fn sobol_s2_csv(rows: &[PairRow]) -> String {
    let mut out = String::from("output,zone,year,factor_i,factor_j,s2,s2_lo,s2_hi\n");
    for r in rows {
        r.key.csv_prefix(&mut out);
        let _ = write!(out, "{},{},", r.factor_i, r.factor_j);
        push_interval(&mut out, r.s2);
        out.push('\n');
    }
    out
}

/// One factor's Morris statistics for one output.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisRow {
    /// The output.
    pub key: OutputKey,
    /// The factor's name.
    pub factor: String,
    /// `mu`, `mu*` with its bootstrap interval, `sigma`; `None` when the
    /// output has none.
    pub stats: Option<MorrisStats>,
}

/// Morris statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisStats {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect, with its bootstrap interval.
    pub mu_star: Interval,
    /// Standard deviation of the effects.
    pub sigma: f64,
}

/// `morris.csv`: `output,zone,year,factor,mu,mu_star,mu_star_lo,mu_star_hi,sigma`.
pub fn morris_csv(rows: &[MorrisRow]) -> String {
    let mut out = String::from("output,zone,year,factor,mu,mu_star,mu_star_lo,mu_star_hi,sigma\n");
    for r in rows {
        r.key.csv_prefix(&mut out);
        out.push_str(&r.factor);
        out.push(',');
        match r.stats {
            Some(s) => {
                let i = s.mu_star;
                let _ = write!(out, "{},{},{},{},{}", s.mu, i.value, i.lo, i.hi, s.sigma);
            }
            None => out.push_str(",,,,"),
        }
        out.push('\n');
    }
    out
}

/// A factor as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFactor {
    /// The factor's name, as the tables write it.
    pub name: String,
    /// What readers see for it in charts (a parameter's label).
    pub label: String,
    /// Why it is one factor: "parameter", "correlated block", "group
    /// (patterns)", "the model's random shocks".
    pub what: String,
    /// Its parameters (empty for a single parameter or the shocks).
    pub members: Vec<String>,
}

/// A chart as the report embeds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportChart {
    /// File name without extension, under `charts/`.
    pub stem: String,
    /// What it shows, for the alternative text.
    pub alt: String,
    /// How to read it.
    pub caption: String,
}

/// One output's section of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSection {
    /// The heading: the output in words.
    pub heading: String,
    /// The unit of the Morris effects (the output's unit), if any.
    pub unit: Option<Unit>,
    /// The table's rows, most important first (at most 15).
    pub rows: Vec<ReportRow>,
    /// Factors left out of the table.
    pub more: usize,
    /// Why there are no indices, when there are none.
    pub problem: Option<String>,
    /// Its charts.
    pub charts: Vec<ReportChart>,
}

/// One row of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportRow {
    /// A factor's first-order and total index.
    Sobol {
        /// The factor.
        factor: String,
        /// First-order index.
        s1: Interval,
        /// Total index.
        st: Interval,
    },
    /// A factor's Morris statistics.
    Morris {
        /// The factor.
        factor: String,
        /// Its statistics.
        stats: MorrisStats,
    },
}

/// Everything `report.md` of a sensitivity analysis shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityReport {
    /// The scenario's title.
    pub title: String,
    /// The scenario's description.
    pub description: Option<String>,
    /// The scenario's name.
    pub scenario: String,
    /// `sobol` or `morris`.
    pub method: String,
    /// Lines of the settings list ("Base sample: 8,192 rows ...").
    pub settings: Vec<String>,
    /// The factors.
    pub factors: Vec<ReportFactor>,
    /// One section per output.
    pub sections: Vec<ReportSection>,
    /// The command that reproduces the analysis.
    pub reproduce: String,
}

/// An index to three decimals (its intervals are rarely narrower), never
/// `-0.000`.
fn index_text(v: f64) -> String {
    let text = format!("{v:.3}");
    if text == "-0.000" {
        "0.000".into()
    } else {
        text
    }
}

fn interval_text(i: Interval) -> String {
    format!(
        "{} [{}, {}]",
        index_text(i.value),
        index_text(i.lo),
        index_text(i.hi)
    )
}

/// `report.md`: a pure function of the report's data.
pub fn render_report(r: &SensitivityReport) -> String {
    let mut out = String::new();
    let _ = write_report(&mut out, r);
    out
}

fn write_report(out: &mut String, r: &SensitivityReport) -> std::fmt::Result {
    let sobol = r.method == "sobol";
    writeln!(
        out,
        "# {}: {}\n",
        r.title,
        if sobol {
            "Sobol' sensitivity indices"
        } else {
            "Morris elementary effects"
        }
    )?;
    if let Some(d) = &r.description {
        writeln!(out, "{d}\n")?;
    }
    writeln!(out, "Scenario `{}`.\n", r.scenario)?;
    for line in &r.settings {
        writeln!(out, "- {line}")?;
    }
    writeln!(out)?;
    if sobol {
        writeln!(
            out,
            "How to read: **S1** is the share of the output's variance a factor explains on its own; \
             **ST** the share it explains with all its interactions (the variance left if every other \
             factor were known). ST near 0: the factor can be fixed at any value. ST well above S1: \
             it acts through interactions. Brackets are 95% confidence intervals over independent \
             scramblings of the design. Indices are shares of variance and can stray a little below 0 \
             or above 1 by sampling error.\n"
        )?;
    } else {
        writeln!(
            out,
            "How to read: an elementary effect is the change in the output when a factor moves up by \
             half of its probability range (from its 1/8 to its 5/8 quantile, or 3/8 to 7/8), other \
             factors fixed. **mu\\*** (mean absolute effect) ranks the factors; **mu** (mean effect) \
             says in which direction a factor acts, when it acts one way; **sigma** large against \
             mu\\* means interactions or a non-linear effect. Brackets are 95% bootstrap intervals \
             of mu\\* over trajectories. Effects are in the output's unit.\n"
        )?;
    }
    writeln!(out, "## Factors ({})\n", r.factors.len())?;
    writeln!(out, "| factor | label | what | parameters |")?;
    writeln!(out, "|---|---|---|---|")?;
    for f in &r.factors {
        writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            f.name,
            // A `|` would end the cell.
            f.label.replace('|', "\\|"),
            f.what,
            if f.members.is_empty() {
                String::new()
            } else {
                f.members
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )?;
    }
    for s in &r.sections {
        writeln!(out, "\n## {}\n", s.heading)?;
        if let Some(p) = &s.problem {
            writeln!(out, "No indices: {p}.")?;
            continue;
        }
        if sobol {
            writeln!(out, "| factor | S1 [95% CI] | ST [95% CI] |")?;
            writeln!(out, "|---|---|---|")?;
        } else {
            writeln!(out, "| factor | mu* [95% CI] | mu | sigma |")?;
            writeln!(out, "|---|---|---|---|")?;
        }
        for row in &s.rows {
            match row {
                ReportRow::Sobol { factor, s1, st } => writeln!(
                    out,
                    "| `{factor}` | {} | {} |",
                    interval_text(*s1),
                    interval_text(*st)
                )?,
                ReportRow::Morris { factor, stats } => {
                    let unit = s.unit.as_ref();
                    let i = stats.mu_star;
                    writeln!(
                        out,
                        "| `{factor}` | {} [{}, {}] | {} | {} |",
                        format::value(i.value, unit),
                        format::value(i.lo, unit),
                        format::value(i.hi, unit),
                        format::value(stats.mu, unit),
                        format::value(stats.sigma, unit)
                    )?
                }
            }
        }
        if s.more > 0 {
            writeln!(
                out,
                "\n{} more factor(s) in the table file, all below these.",
                s.more
            )?;
        }
        for c in &s.charts {
            writeln!(
                out,
                "\n![{}](charts/{}.png)\n\n{} ([SVG](charts/{}.svg))",
                c.alt, c.stem, c.caption, c.stem
            )?;
        }
    }
    writeln!(out, "\n## Reproduce\n\n```sh\n{}\n```", r.reproduce)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_leave_scalars_zone_and_year_empty_and_missing_numbers_blank() {
        let scalar = OutputKey::scalar("y");
        let total = OutputKey {
            output: "exports".into(),
            zone: "total".into(),
            year: Some(2040),
        };
        let i = Interval {
            value: 0.5,
            lo: 0.25,
            hi: 0.75,
        };
        let rows = [
            SobolRow {
                key: scalar.clone(),
                factor: "a+b".into(),
                s1: Some(i),
                st: Some(i),
            },
            SobolRow {
                key: total.clone(),
                factor: "c".into(),
                s1: None,
                st: None,
            },
        ];
        assert_eq!(
            sobol_csv(&rows),
            "output,zone,year,factor,s1,s1_lo,s1_hi,st,st_lo,st_hi\n\
             y,,,a+b,0.5,0.25,0.75,0.5,0.25,0.75\n\
             exports,total,2040,c,,,,,,\n"
        );
        let pairs = [PairRow {
            key: scalar,
            factor_i: "a".into(),
            factor_j: "b".into(),
            s2: Some(i),
        }];
        assert_eq!(
            sobol_s2_csv(&pairs),
            "output,zone,year,factor_i,factor_j,s2,s2_lo,s2_hi\ny,,,a,b,0.5,0.25,0.75\n"
        );
        let morris = [MorrisRow {
            key: total,
            factor: "c".into(),
            stats: Some(MorrisStats {
                mu: -1.0,
                mu_star: i,
                sigma: 2.0,
            }),
        }];
        assert_eq!(
            morris_csv(&morris),
            "output,zone,year,factor,mu,mu_star,mu_star_lo,mu_star_hi,sigma\n\
             exports,total,2040,c,-1,0.5,0.25,0.75,2\n"
        );
    }
}

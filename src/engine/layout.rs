//! What a model records, and what each recorded value means: the series
//! and scalars of a replication, and the catalogue that gives every output
//! its label, unit and whether it adds up over zones. The catalogue travels
//! with the layout, so tables, reports and charts label any model's
//! outputs without knowing the model.

use serde::{Deserialize, Serialize};

/// Names of everything a model records per replication, and what they mean.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputLayout {
    /// One entry per recorded time series: (output name, zone or group).
    pub series: Vec<SeriesName>,
    /// Calendar years of the series (all series share them).
    pub years: Vec<i32>,
    /// Per-replication scalar outcomes.
    pub scalars: Vec<String>,
    /// Per-replication inputs (static parameter draws), by parameter path.
    /// The engine fills them from the run's parameter source; a model
    /// leaves them empty.
    pub inputs: Vec<String>,
    /// Label and unit of every series output and every scalar.
    pub catalogue: Catalogue,
}

impl OutputLayout {
    /// What a model records when it records every output of `catalogue`
    /// over `years`: each series output for every group of `groups` in
    /// turn, then as [`TOTAL`] if its entry says the groups add up (the
    /// model sums them), or once as [`NATIONAL`] when there are no groups;
    /// and every scalar. Series come in catalogue order, each output's
    /// groups in the order given and its total last. Inputs are left to the
    /// engine.
    pub fn from_catalogue(catalogue: Catalogue, groups: &[&str], years: Vec<i32>) -> Self {
        let mut series = Vec::new();
        for output in &catalogue.series {
            let mut zones: Vec<&str> = groups.to_vec();
            if groups.is_empty() {
                zones.push(NATIONAL);
            } else if output.total {
                zones.push(TOTAL);
            }
            series.extend(zones.into_iter().map(|zone| SeriesName {
                output: output.name.clone(),
                zone: zone.to_string(),
            }));
        }
        OutputLayout {
            series,
            years,
            scalars: catalogue.scalars.iter().map(|d| d.name.clone()).collect(),
            inputs: Vec::new(),
            catalogue,
        }
    }

    /// This layout with only the series at indices `series` (in that
    /// order; an index beyond the series is skipped): what a run that
    /// keeps them summarises (see [`super::RunOptions::keep_series`]).
    pub fn keeping(&self, series: &[usize]) -> OutputLayout {
        OutputLayout {
            series: series
                .iter()
                .filter_map(|&s| self.series.get(s).cloned())
                .collect(),
            ..self.clone()
        }
    }

    /// The catalogue entry of an output or scalar named `name`.
    pub fn describe(&self, name: &str) -> Option<&Described> {
        self.catalogue.describe(name)
    }
}

/// What a model can record: its series outputs (per zone and national) and
/// its scalars, each with its label and unit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Catalogue {
    /// Yearly outputs, in table order.
    pub series: Vec<Described>,
    /// Per-replication scalar outcomes, in table order.
    pub scalars: Vec<Described>,
}

impl Catalogue {
    /// The entry of the output or scalar named `name`.
    pub fn describe(&self, name: &str) -> Option<&Described> {
        self.series
            .iter()
            .chain(&self.scalars)
            .find(|d| d.name == name)
    }

    /// The names of the series outputs.
    pub fn series_names(&self) -> Vec<&str> {
        self.series.iter().map(|d| d.name.as_str()).collect()
    }

    /// The names of the scalars.
    pub fn scalar_names(&self) -> Vec<&str> {
        self.scalars.iter().map(|d| d.name.as_str()).collect()
    }
}

/// The `zone` of the rows summed over zones in the output tables.
pub const TOTAL: &str = "total";
/// The `zone` of national outputs in the output tables.
pub const NATIONAL: &str = "national";
/// Both: no zone (or other group) may take these ids, or its rows would be
/// mistaken for them.
pub const AGGREGATE_GROUPS: &[&str] = &[TOTAL, NATIONAL];

/// A time series' identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesName {
    /// Output name.
    pub output: String,
    /// Zone or group name.
    pub zone: String,
}

/// One replication's values, in the layout's order. Allocated once per
/// worker and reused.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `series[s * years + t]`.
    pub series: Vec<f64>,
    /// `layout.scalars` values.
    pub scalars: Vec<f64>,
    /// `layout.inputs` values.
    pub inputs: Vec<f64>,
}

/// What an output or scalar is, for people: a label, a unit, and whether
/// a `total` over zones is recorded for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Described {
    /// The name in tables (`exports`, `fiscal_npv`).
    pub name: String,
    /// Plain words, capitalised: "Exports", "Employment in the final year".
    pub label: String,
    /// What the number measures.
    pub unit: Unit,
    /// For a series output: whether its zones add up to a `total` row.
    #[serde(default)]
    pub total: bool,
}

impl Described {
    /// An entry; `total` says whether a series has a `total` row.
    pub fn new(name: &str, label: &str, unit: Unit, total: bool) -> Self {
        Described {
            name: name.to_string(),
            label: label.to_string(),
            unit,
            total,
        }
    }
}

/// What a number measures, for labels, axes and number formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction in [0, 1], shown as a percentage.
    Share,
    /// A dimensionless index; its label says what it is relative to.
    Index,
    /// A quantity that adds up (money, people, energy, land), in the named
    /// unit: its axes start at zero, so areas read honestly.
    Amount(String),
    /// A level or a rate in the named unit (hours a day, USD per MWh): its
    /// axes span the values, where the movement is.
    Level(String),
}

impl Unit {
    /// USD million (a stock of money).
    pub fn usd_million() -> Unit {
        Unit::Amount("USD million".into())
    }

    /// USD million per year (a flow of money).
    pub fn usd_million_per_year() -> Unit {
        Unit::Amount("USD million per year".into())
    }

    /// Persons.
    pub fn persons() -> Unit {
        Unit::Amount("persons".into())
    }

    /// The unit as written after a label, e.g. "USD million per year" or
    /// "%" (shares are shown as percentages); `None` for an index, whose
    /// label says what it is relative to.
    pub fn text(&self) -> Option<&str> {
        match self {
            Unit::Share => Some("%"),
            Unit::Index => None,
            Unit::Amount(text) | Unit::Level(text) => Some(text),
        }
    }

    /// Whether values add up, so their axes start at zero.
    pub fn is_amount(&self) -> bool {
        matches!(self, Unit::Amount(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue {
            series: vec![
                Described::new("jobs", "Jobs", Unit::persons(), true),
                Described::new("share", "Share", Unit::Share, false),
            ],
            scalars: vec![Described::new("npv", "NPV", Unit::usd_million(), false)],
        }
    }

    fn rows(layout: &OutputLayout) -> Vec<(&str, &str)> {
        let rows = layout.series.iter();
        rows.map(|s| (s.output.as_str(), s.zone.as_str())).collect()
    }

    /// Groups in the order given, a total only where the outputs add up;
    /// without groups, one national row per output.
    #[test]
    fn a_catalogue_lays_out_groups_then_totals_or_national_rows() {
        let layout = OutputLayout::from_catalogue(catalogue(), &["a", "b"], vec![2030, 2031]);
        assert_eq!(
            rows(&layout),
            [
                ("jobs", "a"),
                ("jobs", "b"),
                ("jobs", TOTAL),
                ("share", "a"),
                ("share", "b")
            ]
        );
        assert_eq!(layout.scalars, ["npv"]);
        assert_eq!(layout.years, [2030, 2031]);
        assert!(layout.inputs.is_empty());
        assert_eq!(layout.describe("npv").unwrap().label, "NPV");
        let national = OutputLayout::from_catalogue(catalogue(), &[], Vec::new());
        assert_eq!(rows(&national), [("jobs", NATIONAL), ("share", NATIONAL)]);
    }
}

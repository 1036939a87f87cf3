//! Which outputs an analysis computes indices for: by default every scalar
//! outcome, then the total (or national value) of every charted yearly
//! output, year by year; `--outputs` names scalars and yearly outputs (a
//! yearly output stands for its total, every year).

use crate::engine::{AGGREGATE_GROUPS, OutputLayout};
use crate::error::Error;
use crate::output::sensitivity::OutputKey;
use crate::scenario::reader::close_matches;

/// Where an analysed output's value sits in a replication's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// Scalar number `i`.
    Scalar(usize),
    /// The `i`-th of the series cells the hook is given.
    Cell(usize),
}

/// The outputs of an analysis, in table order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Selection {
    /// Each output's key and where its value is.
    pub outputs: Vec<(OutputKey, Source)>,
    /// Series cells (`s * years + t`) to give the hook.
    pub cells: Vec<usize>,
    /// The names selected, as `--outputs` writes them.
    pub names: Vec<String>,
    /// Yearly outputs asked for that have no total (their zones do not add
    /// up): left out, and said so in the report.
    pub without_total: Vec<String>,
}

impl Selection {
    /// The outputs named by `names` (empty: the default, every scalar and
    /// the charted outputs `charts`), checked against `layout`.
    pub(super) fn new(
        layout: &OutputLayout,
        names: &[String],
        charts: &[String],
    ) -> Result<Selection, Error> {
        let names: Vec<String> = if names.is_empty() {
            layout
                .scalars
                .iter()
                .chain(charts.iter())
                .cloned()
                .collect()
        } else {
            names.to_vec()
        };
        let series_names = layout.catalogue.series_names();
        let mut selection = Selection {
            outputs: Vec::new(),
            cells: Vec::new(),
            names: Vec::new(),
            without_total: Vec::new(),
        };
        let mut unknown = Vec::new();
        for name in &names {
            if selection.names.contains(name) {
                continue;
            }
            if let Some(i) = layout.scalars.iter().position(|s| s == name) {
                selection
                    .outputs
                    .push((OutputKey::scalar(name), Source::Scalar(i)));
                selection.names.push(name.clone());
            } else if series_names.contains(&name.as_str()) {
                let aggregate = layout
                    .series
                    .iter()
                    .position(|s| &s.output == name && AGGREGATE_GROUPS.contains(&s.zone.as_str()));
                match aggregate {
                    Some(s) => {
                        let zone = &layout.series[s].zone;
                        for (t, &year) in layout.years.iter().enumerate() {
                            selection.outputs.push((
                                OutputKey {
                                    output: name.clone(),
                                    zone: zone.clone(),
                                    year: Some(year),
                                },
                                Source::Cell(selection.cells.len()),
                            ));
                            selection.cells.push(s * layout.years.len() + t);
                        }
                        selection.names.push(name.clone());
                    }
                    None => selection.without_total.push(name.clone()),
                }
            } else {
                unknown.push(name.as_str());
            }
        }
        if !unknown.is_empty() {
            let known: Vec<&str> = layout
                .scalars
                .iter()
                .map(String::as_str)
                .chain(series_names.iter().copied())
                .collect();
            let hints: Vec<String> = unknown
                .iter()
                .map(|u| {
                    let close = close_matches(u, known.iter().copied(), 3);
                    if close.is_empty() {
                        format!("`{u}`")
                    } else {
                        format!("`{u}` (did you mean {}?)", close.join(", "))
                    }
                })
                .collect();
            return Err(Error::usage(format!(
                "--outputs: unknown output {}; the model records the scalars {} and the yearly outputs {}",
                hints.join(", "),
                layout.scalars.join(", "),
                series_names.join(", ")
            )));
        }
        if selection.outputs.is_empty() {
            return Err(Error::usage(format!(
                "--outputs: none of {} has values to analyse (yearly outputs whose zones do not add up have no total); name a scalar or an output with a total",
                names.join(", ")
            )));
        }
        Ok(selection)
    }

    /// Number of outputs.
    pub(super) fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Write one replication's selected values into `out` (one per output).
    pub(super) fn values(&self, scalars: &[f64], cells: &[f64], out: &mut [f64]) {
        for ((_, source), slot) in self.outputs.iter().zip(out.iter_mut()) {
            *slot = match *source {
                Source::Scalar(i) => scalars[i],
                Source::Cell(i) => cells[i],
            };
        }
    }
}

//! The reading of scenario values that every kind of model shares: typed
//! sections, parameters (a number or a distribution, registered by path
//! with their valid range), yearly series (a number or a CSV column), CSV
//! tables, located errors. A [`ModelKind`](super::ModelKind) reads its own
//! sections through a [`Schema`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::csvdata::{CsvCache, CsvTable, step_series};
use super::raw::{Node, Origin, Table, Value};
use super::reader::{self, Ctx, TableReader, nearest};
use super::types::{Series, SeriesSource};
use crate::diagnostics::{Diagnostic, Location};
use crate::uncertainty::range::{extreme_draws, short_number};
use crate::uncertainty::{Distribution, DistributionError, ParamId, ParameterSet, ValueRange};

/// The longest `label` of a parameter, in characters: a chart's axis label
/// or a table cell, not a paragraph.
pub const MAX_LABEL_CHARS: usize = 120;

/// The scenario's years, as a kind needs them to read series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// False when `start_year` or `years` is invalid (already reported):
    /// checks that need the horizon are skipped.
    pub horizon_known: bool,
    /// First simulated calendar year.
    pub start_year: i32,
    /// Number of simulated years.
    pub years: u32,
}

impl Horizon {
    /// The last simulated calendar year.
    pub fn last_year(&self) -> i32 {
        self.start_year + self.years as i32 - 1
    }
}

/// Load state shared by every section reader: the errors found so far,
/// the parameters registered, the CSV files read.
pub struct Schema<'s> {
    /// Errors and the record of valid keys.
    pub ctx: Ctx<'s>,
    pub(crate) csv: CsvCache,
    pub(crate) params: ParameterSet,
    /// Where each parameter was written, for correlation errors.
    pub(crate) param_origins: HashMap<ParamId, Origin>,
}

impl<'s> Schema<'s> {
    /// A schema reading files of `ctx`'s source map.
    pub(crate) fn new(ctx: Ctx<'s>) -> Self {
        Schema {
            ctx,
            csv: CsvCache::default(),
            params: ParameterSet::new(),
            param_origins: HashMap::new(),
        }
    }

    /// The parameters registered so far.
    pub fn params(&self) -> &ParameterSet {
        &self.params
    }

    /// A string key of `r` that must be one of `choices`; `default` when
    /// absent. An unknown value is reported with the nearest choice.
    pub fn choice(
        &mut self,
        r: &mut TableReader,
        key: &str,
        choices: &[&'static str],
        default: &'static str,
    ) -> Option<&'static str> {
        let Some(node) = r.get(key) else {
            return Some(default);
        };
        let path = r.key_path(key);
        let value = reader::string(&mut self.ctx, node, &path)?;
        if let Some(&c) = choices.iter().find(|&&c| c == value) {
            return Some(c);
        }
        let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
        let d = self.ctx.error(
            node.origin,
            &path,
            format!(
                "unknown value \"{value}\"; expected {}",
                quoted.join(" or ")
            ),
        );
        if let Some(best) = nearest(value, choices) {
            d.help = Some(format!("did you mean \"{best}\"?"));
        }
        None
    }

    /// Finish the section reader `r` (reporting its unknown keys) and pass
    /// `value` through.
    pub fn finish<T>(&mut self, r: TableReader, value: Option<T>) -> Option<T> {
        r.finish(&mut self.ctx);
        value
    }

    /// File, line and column of `origin`.
    pub fn location(&self, origin: Origin) -> Location {
        self.ctx.location(origin)
    }

    /// The folder of the file `origin` is in: CSV paths are relative to it.
    pub fn base_dir(&self, origin: Origin) -> PathBuf {
        self.ctx
            .sources
            .file(origin.file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// A sub-table of `parent` as a reader; reports a wrong type.
    pub fn section<'t>(
        &mut self,
        parent: &mut TableReader<'t>,
        key: &'static str,
        label: &str,
        required: bool,
    ) -> Option<TableReader<'t>> {
        let path = parent.key_path(key);
        let node = if required {
            parent.require(&mut self.ctx, key, "{ ... } (a table)")?
        } else {
            parent.get(key)?
        };
        let table = reader::table(&mut self.ctx, node, &path)?;
        Some(TableReader::new(table, path, label, node.origin))
    }

    /// A reader per table of an array of tables `[[key]]` (labelled
    /// `section` in messages), with its key path `key[i]` and origin. An item
    /// that is not a table is reported and skipped; the flag says whether
    /// every item was one.
    pub fn item_readers<'t>(
        &mut self,
        items: &'t [Node],
        key: &str,
        section: &str,
    ) -> (Vec<(String, TableReader<'t>, Origin)>, bool) {
        let mut all_tables = true;
        let mut readers = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("{key}[{i}]");
            match reader::table(&mut self.ctx, item, &path) {
                Some(t) => {
                    let r = TableReader::new(t, path.clone(), section, item.origin);
                    readers.push((path, r, item.origin));
                }
                None => all_tables = false,
            }
        }
        (readers, all_tables)
    }

    /// A required string.
    pub fn req_string(&mut self, r: &mut TableReader, key: &str, example: &str) -> Option<String> {
        let node = r.require(&mut self.ctx, key, example)?;
        reader::string(&mut self.ctx, node, &r.key_path(key)).map(str::to_string)
    }

    /// A required plain integer within `[min, max]`.
    pub fn req_int(
        &mut self,
        r: &mut TableReader,
        key: &str,
        example: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let node = r.require(&mut self.ctx, key, example)?;
        reader::integer(&mut self.ctx, node, &r.key_path(key), min, max)
    }

    /// A required plain (non-distribution) number.
    pub fn req_number(&mut self, r: &mut TableReader, key: &str, example: &str) -> Option<f64> {
        let node = r.require(&mut self.ctx, key, example)?;
        reader::plain_number(&mut self.ctx, node, &r.key_path(key))
    }

    /// An optional string.
    pub fn opt_string(&mut self, r: &mut TableReader, key: &'static str) -> Option<String> {
        let node = r.get(key)?;
        let path = r.key_path(key);
        reader::string(&mut self.ctx, node, &path).map(str::to_string)
    }

    /// A model parameter: a number or a distribution table, registered as
    /// `r.path.key`. `default` applies when the key is absent.
    pub fn param(
        &mut self,
        r: &mut TableReader,
        key: &str,
        range: ValueRange,
        default: Option<f64>,
    ) -> Option<ParamId> {
        let path = r.key_path(key);
        let node = match (r.get(key), default) {
            (Some(n), _) => n,
            (None, Some(d)) => {
                let dist = Distribution::fixed(d).ok()?;
                return Some(self.params.register(path, dist, range));
            }
            (None, None) => {
                r.require(&mut self.ctx, key, "a number or { dist = ... }");
                return None;
            }
        };
        self.param_node(node, path, range)
    }

    /// A parameter written as `node` (a number or a distribution table),
    /// registered as `path` with its valid `range`.
    pub fn param_node(&mut self, node: &Node, path: String, range: ValueRange) -> Option<ParamId> {
        let mut label = None;
        let dist = match &node.value {
            Value::Table(t) => {
                let (dist, written) = self.distribution(t, node.origin, &path)?;
                label = written;
                dist
            }
            _ => {
                let v = reader::number(&mut self.ctx, node, &path)?;
                if !range.contains(v) {
                    self.ctx.error(
                        node.origin,
                        &path,
                        format!("expected {}, found {}", range.describe(), short_number(v)),
                    );
                    return None;
                }
                Distribution::fixed(v).ok()?
            }
        };
        if dist.is_fixed() && !range.contains(dist.mean()) {
            self.ctx.error(
                node.origin,
                &path,
                format!(
                    "expected {}, found {}",
                    range.describe(),
                    short_number(dist.mean())
                ),
            );
            return None;
        }
        if !dist.is_fixed() && !range.admits(&dist) {
            let (lo, hi) = dist.support();
            let reach = match range {
                ValueRange::Between(..) | ValueRange::PositiveUpTo(_) => {
                    let (lowest, highest) = extreme_draws(&dist);
                    format!(
                        "its draws reach {} to {}",
                        short_number(four_digits(lowest)),
                        short_number(four_digits(highest))
                    )
                }
                _ => format!("its support is [{lo}, {hi}]"),
            };
            self.ctx
                .error(
                    node.origin,
                    &path,
                    format!(
                        "{dist} can take values outside the valid range ({reach}); expected {}",
                        range.describe()
                    ),
                )
                .help = Some(if range.bounded_above() {
                "bound it: a normal with min/max, or a beta, pert, triangular or uniform inside the range".into()
            } else {
                "bound it below: a normal with min, a uniform or triangular starting at 0 or above, or a gamma or lognormal".into()
            });
            return None;
        }
        let id = self.params.register(path, dist, range);
        if let Some(label) = label {
            self.params.set_label(id, label);
        }
        self.param_origins.insert(id, node.origin);
        Some(id)
    }

    /// The optional `label` of the distribution table read by `r`: a
    /// non-empty string on one line, at most [`MAX_LABEL_CHARS`] characters.
    /// `Err` when it is written but invalid (reported).
    fn label(&mut self, r: &mut TableReader) -> Result<Option<String>, ()> {
        let Some(node) = r.get("label") else {
            return Ok(None);
        };
        let path = r.key_path("label");
        let text = reader::string(&mut self.ctx, node, &path).ok_or(())?;
        let trimmed = text.trim();
        let problem = if trimmed.is_empty() {
            Some("a label cannot be empty".to_string())
        } else if trimmed.contains(['\n', '\r']) {
            Some("a label is one line of text".to_string())
        } else if trimmed.chars().count() > MAX_LABEL_CHARS {
            Some(format!(
                "a label has at most {MAX_LABEL_CHARS} characters, this one {}",
                trimmed.chars().count()
            ))
        } else {
            None
        };
        match problem {
            Some(message) => {
                self.ctx.error(node.origin, &path, message).help = Some(
                    "write what readers should see in charts and tables, e.g. label = \"Capital per hectare, Dhabeji\"; or remove `label` for the default".into(),
                );
                Err(())
            }
            None => Ok(Some(trimmed.to_string())),
        }
    }

    /// A `{ dist = "...", ... }` table, with its optional `label`.
    fn distribution(
        &mut self,
        t: &Table,
        origin: Origin,
        path: &str,
    ) -> Option<(Distribution, Option<String>)> {
        let mut r = TableReader::new(t, path, "a distribution table", origin);
        let kinds = [
            "fixed",
            "uniform",
            "normal",
            "lognormal",
            "triangular",
            "pert",
            "beta",
            "gamma",
            "discrete",
            "bernoulli",
        ];
        let Some(kind_node) = r.get("dist") else {
            // A table that is not a distribution: say what it should be.
            let d = self.ctx.error(
                origin,
                path,
                "expected a number or a distribution table with a `dist` key",
            );
            d.help = Some(format!(
                "e.g. {{ dist = \"triangular\", min = 1, mode = 2, max = 4 }}; dist is one of {}. A distribution is replaced whole (by `extends` and over [zone_defaults]), never field by field: write all of it",
                kinds.join(", ")
            ));
            return None;
        };
        if let Some(scope) = r.get("scope") {
            // A kind that allows `scope` removes it before reading (the SEZ
            // model's [zone_defaults]); anywhere else it is a mistake.
            self.ctx
                .error(
                    scope.origin,
                    &format!("{path}.scope"),
                    "`scope` is only allowed on a distribution in [zone_defaults]",
                )
                .help = Some(
                "a parameter of one zone, or of the whole scenario, is drawn once per replication already; remove `scope`".into(),
            );
        }
        let label = self.label(&mut r);
        let kind_path = format!("{path}.dist");
        let kind = reader::string(&mut self.ctx, kind_node, &kind_path)?.to_string();
        let num =
            |b: &mut Self, r: &mut TableReader, key: &str, default: Option<f64>| -> Option<f64> {
                let node = match (r.get(key), default) {
                    (Some(n), _) => n,
                    (None, Some(d)) => return Some(d),
                    (None, None) => {
                        r.require(&mut b.ctx, key, "a number");
                        return None;
                    }
                };
                reader::plain_number(&mut b.ctx, node, &r.key_path(key))
            };
        // Every field is read before any `?` below, so unknown and missing
        // keys are all reported; the `?` only leave this closure.
        let result: Option<Result<Distribution, DistributionError>> = (|| match kind.as_str() {
            "fixed" => num(self, &mut r, "value", None).map(Distribution::fixed),
            "uniform" => {
                let (a, b) = (
                    num(self, &mut r, "min", None),
                    num(self, &mut r, "max", None),
                );
                Some(Distribution::uniform(a?, b?))
            }
            "normal" => {
                let mean = num(self, &mut r, "mean", None);
                let sd = num(self, &mut r, "sd", None);
                let min = r
                    .get("min")
                    .is_some()
                    .then(|| num(self, &mut r, "min", None))
                    .flatten();
                let max = r
                    .get("max")
                    .is_some()
                    .then(|| num(self, &mut r, "max", None))
                    .flatten();
                let bad_bound = (r.get("min").is_some() && min.is_none())
                    || (r.get("max").is_some() && max.is_none());
                if bad_bound {
                    None
                } else {
                    Some(Distribution::normal(mean?, sd?, min, max))
                }
            }
            "lognormal" => {
                let (m, s) = (
                    num(self, &mut r, "mean", None),
                    num(self, &mut r, "sd", None),
                );
                Some(Distribution::lognormal(m?, s?))
            }
            "triangular" | "pert" => {
                let lo = num(self, &mut r, "min", None);
                let mode = num(self, &mut r, "mode", None);
                let hi = num(self, &mut r, "max", None);
                if kind == "pert" {
                    let lambda = num(self, &mut r, "lambda", Some(4.0));
                    Some(Distribution::pert(lo?, mode?, hi?, lambda?))
                } else {
                    Some(Distribution::triangular(lo?, mode?, hi?))
                }
            }
            "beta" => {
                let a = num(self, &mut r, "alpha", None);
                let b = num(self, &mut r, "beta", None);
                let lo = num(self, &mut r, "min", Some(0.0));
                let hi = num(self, &mut r, "max", Some(1.0));
                Some(Distribution::beta(a?, b?, lo?, hi?))
            }
            "gamma" => {
                let (k, s) = (
                    num(self, &mut r, "shape", None),
                    num(self, &mut r, "scale", None),
                );
                Some(Distribution::gamma(k?, s?))
            }
            "discrete" => {
                let values = r
                    .require(&mut self.ctx, "values", "[1, 2, 3]")
                    .and_then(|n| reader::numbers(&mut self.ctx, n, &format!("{path}.values")));
                let weights = r
                    .require(&mut self.ctx, "weights", "[0.2, 0.5, 0.3]")
                    .and_then(|n| reader::numbers(&mut self.ctx, n, &format!("{path}.weights")));
                Some(Distribution::discrete(values?, weights?))
            }
            "bernoulli" => num(self, &mut r, "p", None).map(Distribution::bernoulli),
            other => {
                let d = self.ctx.error(
                    kind_node.origin,
                    &kind_path,
                    format!(
                        "unknown distribution `{other}`; expected one of {}",
                        kinds.join(", ")
                    ),
                );
                if let Some(best) = nearest(other, &kinds) {
                    d.help = Some(format!("did you mean `{best}`?"));
                }
                // Don't report the other fields as unknown keys.
                r.accept(&[
                    "value", "min", "max", "mean", "sd", "mode", "lambda", "alpha", "beta",
                    "shape", "scale", "values", "weights", "p", "label",
                ]);
                None
            }
        })();
        r.section = format!("a `{kind}` distribution");
        r.finish(&mut self.ctx);
        let label = label.ok()?;
        match result? {
            Ok(dist) => Some((dist, label)),
            Err(e) => {
                let at = t.get(e.field).map_or(origin, |entry| entry.value.origin);
                let field_path = format!("{path}.{}", e.field);
                self.ctx.error(at, &field_path, e.message);
                None
            }
        }
    }

    /// A series: a plain number or `{ csv = "...", column = "..." }`.
    pub fn series(
        &mut self,
        r: &mut TableReader,
        key: &str,
        range: ValueRange,
        h: &Horizon,
        default: Option<f64>,
    ) -> Option<Series> {
        let path = r.key_path(key);
        let node = match (r.get(key), default) {
            (Some(n), _) => n,
            (None, Some(d)) => {
                return Some(Series {
                    values: vec![d; h.years as usize],
                    source: SeriesSource::Constant(d),
                });
            }
            (None, None) => {
                r.require(
                    &mut self.ctx,
                    key,
                    "a number or { csv = \"data/file.csv\", column = \"name\" }",
                );
                return None;
            }
        };
        match &node.value {
            Value::Table(t) => {
                let mut tr = TableReader::new(t, path.clone(), "a series table", node.origin);
                if t.get("dist").is_some() {
                    tr.accept(&[
                        "dist", "value", "min", "max", "mean", "sd", "mode", "lambda", "alpha",
                        "beta", "shape", "scale", "values", "weights", "p", "label",
                    ]);
                    self.ctx
                        .error(node.origin, &path, "is a series (one value per year): give a number or { csv = ..., column = ... }, not a distribution")
                        .help = Some("uncertainty around a series comes from the model's shocks (e.g. grid_availability_logit_sd)".into());
                    tr.finish(&mut self.ctx);
                    return None;
                }
                let file = tr
                    .require(&mut self.ctx, "csv", "\"data/file.csv\"")
                    .and_then(|n| {
                        reader::string(&mut self.ctx, n, &format!("{path}.csv"))
                            .map(|s| (s.to_string(), n.origin))
                    });
                let column = tr
                    .require(&mut self.ctx, "column", "\"name\"")
                    .and_then(|n| {
                        reader::string(&mut self.ctx, n, &format!("{path}.column"))
                            .map(str::to_string)
                    });
                tr.finish(&mut self.ctx);
                let ((file, file_origin), column) = (file?, column?);
                let csv_path = self.base_dir(file_origin).join(&file);
                let values =
                    self.series_from_csv(&csv_path, file_origin, &column, &path, range, h)?;
                Some(Series {
                    values,
                    source: SeriesSource::Csv {
                        path: csv_path,
                        column,
                    },
                })
            }
            _ => {
                let v = reader::number(&mut self.ctx, node, &path)?;
                if !range.contains(v) {
                    self.ctx.error(
                        node.origin,
                        &path,
                        format!("expected {}, found {}", range.describe(), short_number(v)),
                    );
                    return None;
                }
                Some(Series {
                    values: vec![v; h.years as usize],
                    source: SeriesSource::Constant(v),
                })
            }
        }
    }

    /// The CSV file at `path` (named at `origin`, under `key_path`), read once
    /// and kept; a problem is reported.
    pub fn load_csv(&mut self, path: &Path, origin: Origin, key_path: &str) -> Option<CsvTable> {
        let at = self.location(origin);
        match self.csv.load(path, &at, key_path) {
            Ok(t) => Some(t.clone()),
            Err(Some(d)) => {
                self.ctx.errors.push(d);
                None
            }
            Err(None) => None,
        }
    }

    fn series_from_csv(
        &mut self,
        csv_path: &Path,
        origin: Origin,
        column: &str,
        key_path: &str,
        range: ValueRange,
        h: &Horizon,
    ) -> Option<Vec<f64>> {
        let table = self.load_csv(csv_path, origin, key_path)?;
        let cols = (
            table.column("year", key_path),
            table.column(column, key_path),
        );
        let (year_col, value_col) = match cols {
            (Ok(y), Ok(v)) => (y, v),
            (y, v) => {
                self.ctx.errors.extend(y.err());
                self.ctx.errors.extend(v.err());
                return None;
            }
        };
        let mut points: Vec<(i64, f64)> = Vec::with_capacity(table.rows.len());
        let mut ok = true;
        for (i, (line, _)) in table.rows.iter().enumerate() {
            let year = table.integer(i, year_col, key_path);
            let value = table.number(i, value_col, key_path);
            match (year, value) {
                (Ok(y), Ok(v)) => {
                    if !range.contains(v) {
                        self.ctx.errors.push(
                            Diagnostic::new(format!(
                                "column `{column}`: expected {}, found {}",
                                range.describe(),
                                short_number(v)
                            ))
                            .at(table.at(*line))
                            .key(key_path),
                        );
                        ok = false;
                    } else if points.last().is_some_and(|&(prev, _)| y <= prev) {
                        self.ctx.errors.push(
                            Diagnostic::new(format!(
                                "years must increase from row to row; {y} follows {}",
                                points.last().map_or(0, |p| p.0)
                            ))
                            .at(table.at(*line))
                            .key(key_path)
                            .help("sort the rows by year and remove duplicates"),
                        );
                        ok = false;
                    } else {
                        points.push((y, v));
                    }
                }
                (y, v) => {
                    self.ctx.errors.extend(y.err());
                    self.ctx.errors.extend(v.err());
                    ok = false;
                }
            }
        }
        (ok && !points.is_empty()).then(|| step_series(&points, h.start_year, h.years))
    }
}

/// `v` rounded to four significant digits, for a message about a value
/// the user did not write (an extreme draw).
fn four_digits(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(3 - v.abs().log10().floor() as i32);
    let rounded = (v * scale).round() / scale;
    if rounded.is_finite() { rounded } else { v }
}

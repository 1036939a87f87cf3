//! The data every chart is drawn from, as saved in the run folder, and its
//! reading back: charts depend only on these files, so `sezsim run` and
//! `sezsim plot` draw the same bytes.
//!
//! | file | holds |
//! |---|---|
//! | `manifest.json` | scenario title, seed, replications, zone names |
//! | `fan.csv` | P5, P25, P50, P75, P95 of every charted output, per zone (and total or national) and year |
//! | `scalars.csv` | each scalar's target and P(scalar >= target) over all replications |
//! | `reservoir.csv` | a uniform sample of at most 10,000 replications: inputs and scalars (see [`crate::output::reservoir`]) |
//!
//! `fan.csv` always has the five fan levels, whatever `[outputs].quantiles`
//! says: a run computes the union of the user's levels and these, writes
//! the user's to `summary.csv` and the fan's here.

use std::fmt::Write as _;
use std::path::Path;

use super::style::ChartSize;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::engine::{Catalogue, RunSummary};
use crate::error::Error;

/// The quantile levels of the fan charts.
pub const FAN_LEVELS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// File names inside a run folder.
pub const MANIFEST: &str = "manifest.json";
/// See the module docs.
pub const FAN_CSV: &str = "fan.csv";
/// See the module docs.
pub const SCALARS_CSV: &str = "scalars.csv";
/// See the module docs.
pub const RESERVOIR_CSV: &str = "reservoir.csv";
/// The folder of the chart files.
pub const CHARTS_DIR: &str = "charts";

/// `levels` with the fan levels added: ascending, without duplicates. The
/// engine computes these; `summary.csv` shows only `levels`.
pub fn with_fan_levels(levels: &[f64]) -> Vec<f64> {
    let mut all: Vec<f64> = levels.iter().chain(FAN_LEVELS.iter()).copied().collect();
    all.sort_by(f64::total_cmp);
    all.dedup_by(|a, b| a.to_bits() == b.to_bits());
    all
}

/// One charted series: P5, P25, P50, P75, P95 per year.
#[derive(Debug, Clone, PartialEq)]
pub struct FanSeries {
    /// Output name (`exports`).
    pub output: String,
    /// Zone id, `total` or `national`.
    pub zone: String,
    /// `quantiles[t]` are the five fan levels in year `years[t]`.
    pub quantiles: Vec<[f64; 5]>,
}

/// The data of the fan charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FanData {
    /// Calendar years, shared by every series.
    pub years: Vec<i32>,
    /// In `[outputs].charts` order, each output's series in the model's
    /// order (zones, then `total` or `national`).
    pub series: Vec<FanSeries>,
}

impl FanData {
    /// The fan data of `outputs` from a run whose quantile levels include
    /// [`FAN_LEVELS`]. Outputs the model does not record are skipped.
    pub fn from_summary(run: &RunSummary, outputs: &[String]) -> Result<Self, Error> {
        let positions: Vec<usize> = FAN_LEVELS
            .iter()
            .map(|q| {
                run.quantile_levels
                    .iter()
                    .position(|l| l.to_bits() == q.to_bits())
                    .ok_or_else(|| {
                        Error::Runtime(format!("the run did not compute quantile level {q}"))
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut series = Vec::new();
        for output in outputs {
            for (s, name) in run.layout.series.iter().enumerate() {
                if &name.output != output {
                    continue;
                }
                let quantiles = (0..run.layout.years.len())
                    .map(|t| {
                        let cell = run.series_cell(s, t);
                        let mut q = [0.0; 5];
                        for (k, &p) in positions.iter().enumerate() {
                            q[k] = cell.quantiles[p];
                        }
                        q
                    })
                    .collect();
                series.push(FanSeries {
                    output: name.output.clone(),
                    zone: name.zone.clone(),
                    quantiles,
                });
            }
        }
        Ok(FanData {
            years: run.layout.years.clone(),
            series,
        })
    }

    /// `fan.csv`: `output,zone,year,p05,p25,p50,p75,p95`, values in Rust's
    /// shortest round-trip form (they read back exactly).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("output,zone,year,p05,p25,p50,p75,p95\n");
        for s in &self.series {
            for (year, q) in self.years.iter().zip(&s.quantiles) {
                let _ = write!(out, "{},{},{year}", s.output, s.zone);
                for v in q {
                    let _ = write!(out, ",{v}");
                }
                out.push('\n');
            }
        }
        out
    }

    /// Read `fan.csv` (`file` names it in errors).
    pub fn parse(text: &str, file: &Path) -> Result<Self, Error> {
        let table = CsvRows::read(text, file)?;
        let header = table.header.join(",");
        if header != "output,zone,year,p05,p25,p50,p75,p95" {
            return Err(bad(file, Some(1), format!("unexpected header `{header}`")));
        }
        let mut data = FanData::default();
        for (n, record) in &table.rows {
            let (n, f): (usize, Vec<&str>) = (*n, record.iter().collect());
            let year: i32 = f[2]
                .parse()
                .map_err(|_| bad(file, Some(n), format!("`{}` is not a year", f[2])))?;
            let mut q = [0.0; 5];
            for (k, v) in f[3..].iter().enumerate() {
                q[k] = number(v, file, n)?;
            }
            let same = data
                .series
                .last()
                .is_some_and(|s| s.output == f[0] && s.zone == f[1]);
            if !same {
                data.series.push(FanSeries {
                    output: f[0].to_string(),
                    zone: f[1].to_string(),
                    quantiles: Vec::new(),
                });
            }
            let first_series = data.series.len() == 1;
            let s = data.series.last_mut().expect("pushed above");
            let t = s.quantiles.len();
            if first_series {
                if data.years.last().is_some_and(|&y| y >= year) {
                    return Err(bad(file, Some(n), "years must increase within a series"));
                }
                data.years.push(year);
            } else if data.years.get(t) != Some(&year) {
                return Err(bad(
                    file,
                    Some(n),
                    format!("year {year}: every series must cover the same years"),
                ));
            }
            s.quantiles.push(q);
        }
        if let Some(s) = data
            .series
            .iter()
            .find(|s| s.quantiles.len() != data.years.len())
        {
            return Err(bad(
                file,
                None,
                format!("{} / {} does not cover every year", s.output, s.zone),
            ));
        }
        Ok(data)
    }

    /// The charted outputs, in order.
    pub fn outputs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.series {
            if !out.contains(&s.output.as_str()) {
                out.push(&s.output);
            }
        }
        out
    }

    /// The series of `output` for `zone`.
    pub fn get(&self, output: &str, zone: &str) -> Option<&FanSeries> {
        self.series
            .iter()
            .find(|s| s.output == output && s.zone == zone)
    }

    /// The per-zone series of `output` (not `total` or `national`).
    pub fn zones_of(&self, output: &str) -> Vec<&FanSeries> {
        self.series
            .iter()
            .filter(|s| s.output == output && !is_aggregate(&s.zone))
            .collect()
    }

    /// The `total` or `national` series of `output`, if any.
    pub fn aggregate_of(&self, output: &str) -> Option<&FanSeries> {
        self.series
            .iter()
            .find(|s| s.output == output && is_aggregate(&s.zone))
    }
}

/// Whether a series' zone is the sum over zones or a national value.
pub fn is_aggregate(zone: &str) -> bool {
    zone == "total" || zone == "national"
}

/// A scalar outcome's target, from `scalars.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarInfo {
    /// Scalar name.
    pub name: String,
    /// `[outputs].targets` value, if set.
    pub target: Option<f64>,
    /// Share of all replications at or above the target.
    pub p_target: Option<f64>,
}

/// Read `scalars.csv`: its `scalar`, `target` and `p_target` columns.
pub fn parse_scalars(text: &str, file: &Path) -> Result<Vec<ScalarInfo>, Error> {
    let table = CsvRows::read(text, file)?;
    let header = &table.header;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| bad(file, Some(1), format!("no `{name}` column")))
    };
    let (c_name, c_target, c_p) = (col("scalar")?, col("target")?, col("p_target")?);
    let mut out = Vec::new();
    for (n, record) in &table.rows {
        let (n, f): (usize, Vec<&str>) = (*n, record.iter().collect());
        let optional = |v: &str| -> Result<Option<f64>, Error> {
            if v.is_empty() {
                Ok(None)
            } else {
                number(v, file, n).map(Some)
            }
        };
        out.push(ScalarInfo {
            name: f[c_name].to_string(),
            target: optional(f[c_target])?,
            p_target: optional(f[c_p])?,
        });
    }
    Ok(out)
}

/// The reservoir: a sample of replications, column by column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sample {
    /// Uncertain input paths.
    pub inputs: Vec<String>,
    /// Scalar names.
    pub scalars: Vec<String>,
    /// Replication number of each row.
    pub replications: Vec<u64>,
    /// `input_values[i][row]`.
    pub input_values: Vec<Vec<f64>>,
    /// `scalar_values[s][row]`.
    pub scalar_values: Vec<Vec<f64>>,
}

impl Sample {
    /// Rows in the sample.
    pub fn len(&self) -> usize {
        self.replications.len()
    }

    /// Whether the sample has no rows.
    pub fn is_empty(&self) -> bool {
        self.replications.is_empty()
    }

    /// Read `reservoir.csv`, whose last columns are `scalars`.
    pub fn parse(text: &str, file: &Path, scalars: &[String]) -> Result<Self, Error> {
        let table = CsvRows::read(text, file)?;
        let header = &table.header;
        let s = scalars.len();
        if header.first().map(String::as_str) != Some("replication")
            || header.len() < 1 + s
            || header[header.len() - s..] != *scalars
        {
            return Err(bad(
                file,
                Some(1),
                format!(
                    "expected `replication`, the inputs, then the scalars of scalars.csv ({})",
                    scalars.join(", ")
                ),
            ));
        }
        let inputs: Vec<String> = header[1..header.len() - s]
            .iter()
            .map(|h| h.to_string())
            .collect();
        let mut sample = Sample {
            input_values: vec![Vec::new(); inputs.len()],
            scalar_values: vec![Vec::new(); s],
            inputs,
            scalars: scalars.to_vec(),
            replications: Vec::new(),
        };
        let k = sample.inputs.len();
        for (n, record) in &table.rows {
            let (n, f): (usize, Vec<&str>) = (*n, record.iter().collect());
            let r: u64 = f[0]
                .parse()
                .map_err(|_| bad(file, Some(n), format!("`{}` is not a replication", f[0])))?;
            sample.replications.push(r);
            for (c, v) in f[1..].iter().enumerate() {
                let v = number(v, file, n)?;
                if c < k {
                    sample.input_values[c].push(v);
                } else {
                    sample.scalar_values[c - k].push(v);
                }
            }
        }
        Ok(sample)
    }
}

/// A zone's id and its name from the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneName {
    /// The zone's id (`zone` in the tables).
    pub id: String,
    /// Its name, for chart titles.
    pub name: String,
}

/// What the charts need from `manifest.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// The run's base seed.
    pub seed: u64,
    /// Replications in the run (not in the reservoir).
    pub replications: u64,
    /// Zones in model order; empty for a benchmark model.
    pub zones: Vec<ZoneName>,
    /// The model's kind (`sez`).
    pub model: String,
    /// Label and unit of every output and scalar; empty in folders written
    /// before manifests recorded them (`sezsim plot` then asks the kind).
    pub catalogue: Catalogue,
    /// What people call each uncertain input, as (path, label); empty in
    /// folders written before manifests recorded them (charts then show
    /// the paths).
    pub input_labels: Vec<(String, String)>,
    /// The size the charts are drawn at (the default in folders whose
    /// manifest does not say).
    pub chart_size: ChartSize,
}

impl RunInfo {
    /// Read the fields the charts need from `manifest.json`.
    pub fn parse(text: &str, file: &Path) -> Result<Self, Error> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| bad(file, Some(e.line()), format!("not valid JSON: {e}")))?;
        let string = |key: &str| {
            v.get(key)
                .and_then(|x| x.as_str())
                .map(str::to_string)
                .ok_or_else(|| bad(file, None, format!("no string `{key}`")))
        };
        let integer = |key: &str| {
            v.get(key)
                .and_then(|x| x.as_u64())
                .ok_or_else(|| bad(file, None, format!("no integer `{key}`")))
        };
        let zones = v
            .get("zones")
            .and_then(|z| z.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|z| {
                        Some(ZoneName {
                            id: z.get("id")?.as_str()?.to_string(),
                            name: z.get("name")?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let catalogue = match v.get("outputs") {
            Some(c) => serde_json::from_value(c.clone())
                .map_err(|e| bad(file, None, format!("`outputs` is not a catalogue: {e}")))?,
            None => Catalogue::default(),
        };
        // Optional: absent from older folders and from runs without
        // uncertain parameters.
        let input_labels = v
            .get("parameters")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        Some((
                            p.get("path")?.as_str()?.to_string(),
                            p.get("label")?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let chart_size = match v.get("chart_size") {
            Some(c) => serde_json::from_value(c.clone()).map_err(|_| {
                bad(
                    file,
                    None,
                    format!("`chart_size` is {c}, expected \"slide\", \"a4\" or \"a5\""),
                )
            })?,
            None => ChartSize::default(),
        };
        Ok(RunInfo {
            scenario: string("scenario")?,
            title: string("title")?,
            seed: integer("seed")?,
            replications: integer("replications")?,
            zones,
            model: string("model")?,
            catalogue,
            input_labels,
            chart_size,
        })
    }
}

/// Everything the charts are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// What `manifest.json` says of the run.
    pub run: RunInfo,
    /// The fan charts' quantiles (`fan.csv`).
    pub fan: FanData,
    /// The scalars and their targets (`scalars.csv`).
    pub scalars: Vec<ScalarInfo>,
    /// The sampled replications (`reservoir.csv`).
    pub sample: Sample,
}

/// The texts of the files a run saves for its charts.
#[derive(Debug, Clone, Copy)]
pub struct RunFiles<'a> {
    /// `manifest.json`.
    pub manifest: &'a str,
    /// `fan.csv`.
    pub fan: &'a str,
    /// `scalars.csv`.
    pub scalars: &'a str,
    /// `reservoir.csv`.
    pub reservoir: &'a str,
}

impl ChartData {
    /// Parse the saved files; `dir` (the run folder) names them in errors.
    pub fn parse(files: RunFiles<'_>, dir: &Path) -> Result<Self, Error> {
        let run = RunInfo::parse(files.manifest, &dir.join(MANIFEST))?;
        let fan = FanData::parse(files.fan, &dir.join(FAN_CSV))?;
        let scalars = parse_scalars(files.scalars, &dir.join(SCALARS_CSV))?;
        let names: Vec<String> = scalars.iter().map(|s| s.name.clone()).collect();
        let sample = Sample::parse(files.reservoir, &dir.join(RESERVOIR_CSV), &names)?;
        Ok(ChartData {
            run,
            fan,
            scalars,
            sample,
        })
    }

    /// Read the chart data of the run folder `dir`. A folder that is not a
    /// run folder, or was written before charts existed, is an input error.
    pub fn read(dir: &Path) -> Result<Self, Error> {
        if !crate::output::target::is_sezsim_run_folder(dir) {
            return Err(Error::Input(Diagnostics::from(
                Diagnostic::new(format!(
                    "`{}` is not a sezsim run folder: it has no {MANIFEST} written by sezsim",
                    dir.display()
                ))
                .help("give the folder `sezsim run` wrote, e.g. output/cpec_baseline"),
            )));
        }
        let read = |name: &str| -> Result<String, Error> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(Error::Input(Diagnostics::from(
                        Diagnostic::new(format!(
                            "the run folder `{}` has no {name}",
                            dir.display()
                        ))
                        .help(
                            "it was written by an older sezsim or is incomplete; \
                             run the scenario again to draw its charts",
                        ),
                    )))
                }
                Err(e) => Err(Error::io(path, e)),
            }
        };
        let (manifest, fan, scalars, reservoir) = (
            read(MANIFEST)?,
            read(FAN_CSV)?,
            read(SCALARS_CSV)?,
            read(RESERVOIR_CSV)?,
        );
        Self::parse(
            RunFiles {
                manifest: &manifest,
                fan: &fan,
                scalars: &scalars,
                reservoir: &reservoir,
            },
            dir,
        )
    }

    /// The name of zone `id` (the id itself if the manifest has no name).
    pub fn zone_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.run
            .zones
            .iter()
            .find(|z| z.id == id)
            .map_or(id, |z| z.name.as_str())
    }

    /// What people call the uncertain input `path` (the path itself when
    /// the manifest does not say).
    pub fn input_label<'a>(&'a self, path: &'a str) -> &'a str {
        self.run
            .input_labels
            .iter()
            .find(|(p, _)| p == path)
            .map_or(path, |(_, label)| label.as_str())
    }

    /// The target and probability of scalar `name`.
    pub fn scalar(&self, name: &str) -> Option<&ScalarInfo> {
        self.scalars.iter().find(|s| s.name == name)
    }
}

/// A CSV file the run wrote, read back with the `csv` crate: the header and
/// the data rows, each with its 1-based line number. Rows whose length
/// differs from the header's are an error, located by line.
pub(crate) struct CsvRows {
    pub header: Vec<String>,
    pub rows: Vec<(usize, csv::StringRecord)>,
}

impl CsvRows {
    /// Parse `text`; an error carries the line it was found on, if any.
    pub(crate) fn parse(text: &str) -> Result<CsvRows, (Option<usize>, String)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let located = |e: csv::Error| {
            let line = e.position().map(|p| p.line() as usize);
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("expected {expected_len} fields, found {len}")
                }
                _ => e.to_string(),
            };
            (line, message)
        };
        let header = reader
            .headers()
            .map_err(located)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(located)?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            rows.push((line, record));
        }
        Ok(CsvRows { header, rows })
    }

    /// [`Self::parse`], with errors located in `file`.
    fn read(text: &str, file: &Path) -> Result<CsvRows, Error> {
        CsvRows::parse(text).map_err(|(line, message)| bad(file, line, message))
    }
}

fn number(v: &str, file: &Path, line: usize) -> Result<f64, Error> {
    v.parse()
        .map_err(|_| bad(file, Some(line), format!("`{v}` is not a number")))
}

fn bad(file: &Path, line: Option<usize>, message: impl Into<String>) -> Error {
    let location = match line {
        Some(l) => Location::line(file, l),
        None => Location::file(file),
    };
    Error::Input(Diagnostics::from(
        Diagnostic::new(message)
            .at(location)
            .help("the run folder is damaged; run the scenario again"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_levels_are_merged_in_order() {
        assert_eq!(
            with_fan_levels(&[0.1, 0.5, 0.9]),
            vec![0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
        );
        assert_eq!(with_fan_levels(&FAN_LEVELS), FAN_LEVELS.to_vec());
    }

    #[test]
    fn fan_csv_round_trips() {
        let data = FanData {
            years: vec![2025, 2026],
            series: vec![
                FanSeries {
                    output: "exports".into(),
                    zone: "north".into(),
                    quantiles: vec![[0.0, 1.0, 2.0, 3.0, 4.0], [0.1, 1.5, 2.25, 3.0, 1e300]],
                },
                FanSeries {
                    output: "exports".into(),
                    zone: "total".into(),
                    quantiles: vec![[f64::NAN; 5], [-1.0; 5]],
                },
            ],
        };
        let text = data.to_csv();
        let back = FanData::parse(&text, Path::new("fan.csv")).unwrap();
        assert_eq!(back.to_csv(), text);
        assert_eq!(back.outputs(), vec!["exports"]);
        assert_eq!(back.zones_of("exports").len(), 1);
        assert_eq!(back.aggregate_of("exports").unwrap().zone, "total");
    }

    #[test]
    fn damaged_files_are_located_input_errors() {
        let e = FanData::parse(
            "output,zone,year,p05,p25,p50,p75,p95\nexports,a,2025,1,2,x,4,5\n",
            Path::new("fan.csv"),
        )
        .unwrap_err();
        assert!(e.is_input_error());
        assert!(e.to_string().contains("fan.csv:2"), "{e}");
        let e = parse_scalars("scalar,n\n", Path::new("scalars.csv")).unwrap_err();
        assert!(e.to_string().contains("no `target` column"), "{e}");
        let e =
            Sample::parse("replication,a,y\n0,1\n", Path::new("r.csv"), &["y".into()]).unwrap_err();
        assert!(e.to_string().contains("r.csv:2"), "{e}");
    }
}

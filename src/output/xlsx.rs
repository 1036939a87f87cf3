//! `results.xlsx`: a result folder's tables as an Excel workbook, for
//! reports assembled in Excel and Word.
//!
//! The workbook is made from the folder's own files, as written (the
//! manifest, `summary.csv`, `scalars.csv`, `intervals.csv`, `fan.csv`, `compare.csv`,
//! `cost_effectiveness.csv`, `points.csv`): no statistic is computed again,
//! and `sezsim export DIR --xlsx` on a finished folder writes the bytes the
//! run wrote. Sheets, each with a frozen, filtered header row and columns
//! sized to fit:
//!
//! - **Settings**: the manifest's settings (scenario, seed, replications,
//!   sampling, version...) and every input file's name with its SHA-256; not the
//!   wall time, thread count or command line, which vary between
//!   machines;
//! - **Scalars**, **Summary** and **Intervals**: `scalars.csv`,
//!   `summary.csv` and `intervals.csv` (in a run folder), cell for cell,
//!   numbers as numbers with every digit;
//! - one sheet per charted output (named after it): years as rows, P5 to
//!   P95 of its total (or national value) as columns, and a native Excel
//!   fan chart, editable in the user's house style: the median a line,
//!   the P5-P95 and P25-P75 bands stacked areas (helper columns hold the
//!   bands' widths);
//! - **Inputs**: every uncertain parameter by path and label, with its
//!   distribution and mean;
//! - **Compare** and **Cost-effectiveness** in a comparison folder,
//!   **Points** in a sweep folder.
//!
//! Displayed formats: thousands separators, shares as percentages; the
//! values keep every digit of the CSV files. [`workbook`] is a pure
//! function of the files' text (the document's date is fixed, so the bytes
//! are too).

use std::path::Path;

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, DocProperties, ExcelDateTime, Format,
    FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::engine::{Catalogue, Unit};
use crate::error::Error;
use crate::output::charts::{FAN_CSV, FanData};
use crate::output::intervals::INTERVALS_CSV;

/// The file name, in run, comparison and sweep folders.
pub const RESULTS_XLSX: &str = "results.xlsx";

/// The text of the files a workbook is made from; `None` for a file the
/// folder does not have.
#[derive(Debug, Clone, Copy, Default)]
pub struct FolderTables<'a> {
    /// `manifest.json` (a run or comparison) or `sweep.json` (a sweep).
    pub manifest: &'a str,
    /// `summary.csv`.
    pub summary: Option<&'a str>,
    /// `scalars.csv`.
    pub scalars: Option<&'a str>,
    /// `intervals.csv`.
    pub intervals: Option<&'a str>,
    /// `fan.csv`.
    pub fan: Option<&'a str>,
    /// `compare.csv`.
    pub compare: Option<&'a str>,
    /// `cost_effectiveness.csv`.
    pub cost_effectiveness: Option<&'a str>,
    /// `points.csv`.
    pub points: Option<&'a str>,
}

/// The files of a folder a workbook is made from, by name, and the sheet
/// each becomes.
const TABLE_FILES: [(&str, &str); 6] = [
    ("scalars.csv", "Scalars"),
    ("summary.csv", "Summary"),
    ("intervals.csv", "Intervals"),
    ("compare.csv", "Compare"),
    ("cost_effectiveness.csv", "Cost-effectiveness"),
    ("points.csv", "Points"),
];

/// Manifest keys left out of the Settings sheet: they vary from machine to
/// machine and call to call, and would make the workbook's bytes do so.
/// So are how a result was split into shards and which sweep points were
/// re-used: a merged or resumed result writes the bytes of a plain run.
const UNSTABLE_KEYS: [&str; 6] = [
    "wall_time_seconds",
    "threads",
    "command",
    "merged_shards",
    "points_run",
    "points_reused",
];

fn failed(e: XlsxError) -> Error {
    Error::Runtime(format!("cannot write {RESULTS_XLSX}: {e}"))
}

/// The cell formats of the workbook.
struct Formats {
    header: Format,
    text: Format,
    /// Counts and years: whole numbers (years without separators).
    integer: Format,
    year: Format,
    /// Values of 1,000 or more, of 1 or more, and below 1.
    large: Format,
    medium: Format,
    small: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap(),
            text: Format::new(),
            integer: Format::new().set_num_format("#,##0"),
            year: Format::new().set_num_format("0"),
            large: Format::new().set_num_format("#,##0"),
            medium: Format::new().set_num_format("#,##0.00"),
            small: Format::new().set_num_format("0.0000"),
            percent: Format::new().set_num_format("0.0%"),
        }
    }

    /// The format of value `v` in column `column` of a row about a quantity
    /// in `unit`.
    fn number(&self, column: &str, v: f64, unit: Option<&Unit>) -> &Format {
        match column {
            "year" | "point" | "start_year" | "years" | "seed" => return &self.year,
            "n" | "replications" => return &self.integer,
            "p_target" => return &self.percent,
            _ => {}
        }
        if matches!(unit, Some(Unit::Share)) && !column.ends_with("_sd") && column != "sd" {
            return &self.percent;
        }
        let a = v.abs();
        if a >= 1000.0 {
            &self.large
        } else if a >= 1.0 || a == 0.0 {
            &self.medium
        } else {
            &self.small
        }
    }
}

/// Width of a column holding `text`, in characters, within Excel's limits.
fn width_of(text: &str) -> f64 {
    (text.chars().count() as f64 + 2.0).clamp(6.0, 60.0)
}

/// Sized columns, a frozen header row and a filter on it, for a sheet of
/// `rows` rows below the header and `columns` columns of `widths`.
fn finish_sheet(sheet: &mut Worksheet, rows: u32, widths: &[f64]) -> Result<(), Error> {
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w).map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    if !widths.is_empty() {
        sheet
            .autofilter(0, 0, rows, widths.len() as u16 - 1)
            .map_err(failed)?;
    }
    Ok(())
}

/// A CSV file as a sheet: text stays text, numbers become numbers (every
/// digit), empty cells stay empty. `unit_of` gives the unit of a row from
/// its first cell (an output or scalar name).
fn csv_sheet(
    sheet: &mut Worksheet,
    csv_text: &str,
    formats: &Formats,
    unit_of: &dyn Fn(&str) -> Option<Unit>,
) -> Result<(), Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Runtime(format!("cannot read a table for {RESULTS_XLSX}: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut widths: Vec<f64> = header.iter().map(|h| width_of(h)).collect();
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &formats.header)
            .map_err(failed)?;
    }
    let mut rows = 0u32;
    for record in reader.records() {
        let record = record
            .map_err(|e| Error::Runtime(format!("cannot read a table for {RESULTS_XLSX}: {e}")))?;
        rows += 1;
        let unit = record.get(0).and_then(unit_of);
        for (c, cell) in record.iter().enumerate() {
            let column = header.get(c).map_or("", String::as_str);
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    let f = formats.number(column, v, unit.as_ref());
                    sheet
                        .write_number_with_format(rows, c as u16, v, f)
                        .map_err(failed)?;
                    widths[c] = widths[c].max(14.0);
                }
                _ => {
                    sheet
                        .write_string_with_format(rows, c as u16, cell, &formats.text)
                        .map_err(failed)?;
                    widths[c] = widths[c].max(width_of(cell));
                }
            }
        }
    }
    finish_sheet(sheet, rows, &widths)
}

/// The Settings sheet: the manifest's top-level settings, then its input
/// files with their SHA-256.
fn settings_sheet(
    sheet: &mut Worksheet,
    manifest: &serde_json::Value,
    formats: &Formats,
) -> Result<(), Error> {
    sheet
        .write_string_with_format(0, 0, "Setting", &formats.header)
        .map_err(failed)?;
    sheet
        .write_string_with_format(0, 1, "Value", &formats.header)
        .map_err(failed)?;
    let mut row = 0u32;
    let mut widths = [width_of("Setting"), width_of("Value")];
    let mut put = |sheet: &mut Worksheet, key: &str, value: &serde_json::Value| {
        row += 1;
        sheet.write_string(row, 0, key).map_err(failed)?;
        widths[0] = widths[0].max(width_of(key));
        match value {
            serde_json::Value::Number(n) => {
                let v = n.as_f64().unwrap_or(f64::NAN);
                sheet
                    .write_number_with_format(row, 1, v, formats.number(key, v, None))
                    .map_err(failed)?;
                widths[1] = widths[1].max(14.0);
            }
            serde_json::Value::String(s) => {
                sheet.write_string(row, 1, s).map_err(failed)?;
                widths[1] = widths[1].max(width_of(s));
            }
            serde_json::Value::Bool(b) => {
                sheet.write_boolean(row, 1, *b).map_err(failed)?;
            }
            _ => {}
        }
        Ok::<(), Error>(())
    };
    if let Some(fields) = manifest.as_object() {
        for (key, value) in fields {
            if UNSTABLE_KEYS.contains(&key.as_str()) {
                continue;
            }
            if matches!(
                value,
                serde_json::Value::Number(_)
                    | serde_json::Value::String(_)
                    | serde_json::Value::Bool(_)
            ) {
                put(sheet, key, value)?;
            }
        }
        let inputs = fields.get("inputs").and_then(|i| i.as_array());
        for input in inputs.into_iter().flatten() {
            if let (Some(path), Some(sha)) = (
                input.get("path").and_then(|p| p.as_str()),
                input.get("sha256"),
            ) {
                // The file's name, not its path: the path depends on where
                // the command was called from (a merge reads the scenario
                // by its absolute path), the name and hash do not.
                let name = Path::new(path)
                    .file_name()
                    .map_or(path.into(), |n| n.to_string_lossy());
                put(sheet, &format!("input file {name}: SHA-256"), sha)?;
            }
        }
    }
    finish_sheet(sheet, row, &widths)
}

/// The Inputs sheet: every uncertain parameter of the run manifest.
fn inputs_sheet(
    sheet: &mut Worksheet,
    parameters: &[serde_json::Value],
    formats: &Formats,
) -> Result<(), Error> {
    let header = ["path", "label", "distribution", "mean"];
    let mut widths: Vec<f64> = header.iter().map(|h| width_of(h)).collect();
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &formats.header)
            .map_err(failed)?;
    }
    for (i, p) in parameters.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, key) in header[..3].iter().enumerate() {
            let text = p.get(*key).and_then(|v| v.as_str()).unwrap_or("");
            sheet.write_string(row, c as u16, text).map_err(failed)?;
            widths[c] = widths[c].max(width_of(text));
        }
        if let Some(mean) = p.get("mean").and_then(|v| v.as_f64()) {
            sheet
                .write_number_with_format(row, 3, mean, formats.number("mean", mean, None))
                .map_err(failed)?;
            widths[3] = widths[3].max(14.0);
        }
    }
    finish_sheet(sheet, parameters.len() as u32, &widths)
}

/// A valid, unique sheet name for output `name` (at most 31 characters,
/// none of `[]:*?/\`).
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let mut candidate = clean.clone();
    let mut k = 1;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        k += 1;
        let suffix = format!(" {k}");
        candidate = clean.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
    }
    candidate
}

/// The sheet of one charted output: its total's (or national value's) fan
/// by year, the bands' widths for the chart, and the native fan chart.
fn fan_sheet(
    sheet: &mut Worksheet,
    name: &str,
    title: &str,
    years: &[i32],
    quantiles: &[[f64; 5]],
    unit: Option<&Unit>,
    formats: &Formats,
) -> Result<(), Error> {
    let header = [
        "year",
        "p05",
        "p25",
        "p50",
        "p75",
        "p95",
        "chart: below P5",
        "chart: P5-P25",
        "chart: P25-P75",
        "chart: P75-P95",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &formats.header)
            .map_err(failed)?;
    }
    for (t, (&year, q)) in years.iter().zip(quantiles).enumerate() {
        let row = t as u32 + 1;
        sheet
            .write_number_with_format(row, 0, year as f64, &formats.year)
            .map_err(failed)?;
        // The bands' widths, for the stacked areas: the chart's own data.
        let stack = [q[0], q[1] - q[0], q[3] - q[1], q[4] - q[3]];
        for (c, v) in q.iter().chain(&stack).enumerate() {
            let f = formats.number("p50", *v, unit);
            sheet
                .write_number_with_format(row, c as u16 + 1, *v, f)
                .map_err(failed)?;
        }
    }
    let widths: Vec<f64> = header.iter().map(|h| width_of(h).max(14.0)).collect();
    let last = years.len() as u32;
    finish_sheet(sheet, last, &widths)?;

    let mut bands = Chart::new(ChartType::AreaStacked);
    let categories = (name, 1, 0, last, 0);
    // (column, name, fill transparency in %; None: no fill)
    let series = [
        (6u16, "below P5", None),
        (7, "P5–P25", Some(82)),
        (8, "P25–P75 (50% of replications)", Some(58)),
        (9, "P75–P95", Some(82)),
    ];
    for (column, label, transparency) in series {
        let mut format = ChartFormat::new();
        match transparency {
            Some(t) => {
                format.set_solid_fill(
                    ChartSolidFill::new()
                        .set_color("#0072B2")
                        .set_transparency(t),
                );
            }
            None => {
                format.set_no_fill();
            }
        }
        bands
            .add_series()
            .set_name(label)
            .set_categories(categories)
            .set_values((name, 1, column, last, column))
            .set_format(&mut format);
    }
    let mut median = Chart::new(ChartType::Line);
    median
        .add_series()
        .set_name("Median")
        .set_categories(categories)
        .set_values((name, 1, 3, last, 3))
        .set_format(
            ChartFormat::new().set_line(
                rust_xlsxwriter::ChartLine::new()
                    .set_color("#0072B2")
                    .set_width(2.25),
            ),
        );
    bands.combine(&median);
    bands.title().set_name(title);
    bands.x_axis().set_name("Year");
    if let Some(u) = unit.and_then(Unit::text) {
        bands.y_axis().set_name(u);
    }
    // "below P5" only lifts the bands; the legend leaves it out.
    bands.legend().delete_entries(&[0]);
    sheet
        .insert_chart(1, header.len() as u16 + 1, &bands)
        .map_err(failed)?;
    Ok(())
}

/// The workbook of a folder's `tables` (see the module docs).
pub fn workbook(tables: &FolderTables) -> Result<Vec<u8>, Error> {
    let manifest: serde_json::Value = serde_json::from_str(tables.manifest)
        .map_err(|e| Error::Runtime(format!("cannot read the manifest: {e}")))?;
    let catalogue: Catalogue = manifest
        .get("outputs")
        .and_then(|c| serde_json::from_value(c.clone()).ok())
        .unwrap_or_default();
    let unit_of = |name: &str| catalogue.describe(name).map(|d| d.unit.clone());
    let formats = Formats::new();
    let mut book = Workbook::new();
    // A fixed date: the workbook's bytes depend on the results alone.
    let date = ExcelDateTime::from_ymd(2000, 1, 1).map_err(failed)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&date));

    let mut names: Vec<String> = vec!["Settings".into()];
    settings_sheet(
        book.add_worksheet().set_name("Settings").map_err(failed)?,
        &manifest,
        &formats,
    )?;
    let texts = [
        tables.scalars,
        tables.summary,
        tables.intervals,
        tables.compare,
        tables.cost_effectiveness,
        tables.points,
    ];
    for ((_, sheet_title), text) in TABLE_FILES.iter().zip(texts) {
        if let Some(text) = text {
            let sheet = book
                .add_worksheet()
                .set_name(*sheet_title)
                .map_err(failed)?;
            csv_sheet(sheet, text, &formats, &unit_of)?;
            names.push(sheet_title.to_string());
        }
    }
    if let Some(text) = tables.fan {
        let fan = FanData::parse(text, Path::new(FAN_CSV))?;
        for output in fan.outputs() {
            let Some(total) = fan.aggregate_of(output) else {
                continue;
            };
            let name = sheet_name(output, &names);
            let unit = unit_of(output);
            let label = catalogue
                .describe(output)
                .map_or(output.to_string(), |d| d.label.clone());
            let title = if total.zone == "national" {
                format!("{label}, national")
            } else {
                format!("{label}, total over zones")
            };
            let sheet = book.add_worksheet().set_name(&name).map_err(failed)?;
            fan_sheet(
                sheet,
                &name,
                &title,
                &fan.years,
                &total.quantiles,
                unit.as_ref(),
                &formats,
            )?;
            names.push(name);
        }
    }
    // A run manifest's parameters are tables (a sweep's are paths).
    let parameters = manifest
        .get("parameters")
        .and_then(|p| p.as_array())
        .filter(|a| a.iter().all(|p| p.get("path").is_some()));
    if let Some(parameters) = parameters {
        let sheet = book.add_worksheet().set_name("Inputs").map_err(failed)?;
        inputs_sheet(sheet, parameters, &formats)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// The workbook of the result folder `dir`, from its files (see
/// [`workbook`]); an input error when `dir` holds no sezsim manifest.
pub fn workbook_of_folder(dir: &Path) -> Result<Vec<u8>, Error> {
    let read = |name: &str| -> Result<Option<String>, Error> {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    };
    let manifest = match read("manifest.json")? {
        Some(m) => m,
        None => read("sweep.json")?.ok_or_else(|| {
            Error::usage(format!(
                "`{}` is not a result folder of sezsim: it has no manifest.json or sweep.json",
                dir.display()
            ))
        })?,
    };
    let (summary, scalars, fan) = (read("summary.csv")?, read("scalars.csv")?, read(FAN_CSV)?);
    let intervals = read(INTERVALS_CSV)?;
    let (compare, cost, points) = (
        read("compare.csv")?,
        read("cost_effectiveness.csv")?,
        read("points.csv")?,
    );
    workbook(&FolderTables {
        manifest: &manifest,
        summary: summary.as_deref(),
        scalars: scalars.as_deref(),
        intervals: intervals.as_deref(),
        fan: fan.as_deref(),
        compare: compare.as_deref(),
        cost_effectiveness: cost.as_deref(),
        points: points.as_deref(),
    })
}

/// `sezsim export DIR --xlsx`: write `results.xlsx` into the result folder
/// `dir` (atomically; a previous one is replaced) and return its path. A
/// folder sezsim did not write is refused, untouched.
pub fn export(dir: &Path) -> Result<std::path::PathBuf, Error> {
    let marked = ["manifest.json", "sweep.json"]
        .iter()
        .any(|m| crate::output::target::written_by_sezsim(&dir.join(m)));
    if !marked {
        return Err(Error::usage(format!(
            "`{}` is not a result folder of sezsim (no manifest.json or sweep.json that sezsim wrote); give a folder `sezsim run`, `compare`, `sweep` or `merge` wrote",
            dir.display()
        )));
    }
    let book = workbook_of_folder(dir)?;
    let path = dir.join(RESULTS_XLSX);
    crate::output::atomic::write_file(&path, |out| {
        out.write_all(&book).map_err(|e| Error::io(&path, e))
    })?;
    Ok(path)
}

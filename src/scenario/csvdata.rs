//! CSV inputs: series, the input-output table, energy projects and
//! committed investments. Read with the `csv` crate; every cell error names
//! the file, line and column header.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};

use super::raw::read_text;

/// A CSV file read into memory, headers trimmed.
#[derive(Debug, Clone)]
pub struct CsvTable {
    /// The file, joined to the folder of the scenario file that names it.
    pub path: PathBuf,
    /// Column names, trimmed, in file order.
    pub headers: Vec<String>,
    /// (line number, cells) per data row.
    pub rows: Vec<(usize, Vec<String>)>,
    /// SHA-256 of the bytes parsed, for the manifest.
    pub sha256: String,
}

/// Caches CSV files by path, so a file referenced twice is read (and
/// reported) once.
#[derive(Debug, Default)]
pub(crate) struct CsvCache {
    tables: HashMap<PathBuf, Result<CsvTable, Diagnostic>>,
    /// Paths in first-read order, for the manifest.
    pub order: Vec<PathBuf>,
}

impl CsvCache {
    /// (path, SHA-256) of every file read successfully, in first-read order.
    pub fn hashes(&self) -> Vec<(PathBuf, String)> {
        self.order
            .iter()
            .filter_map(|p| match self.tables.get(p) {
                Some(Ok(t)) => Some((p.clone(), t.sha256.clone())),
                _ => None,
            })
            .collect()
    }
}

impl CsvCache {
    /// The table at `path`; `referenced_at` locates the TOML value naming it.
    /// An error is returned once; later requests for a failed file return
    /// `None` without repeating it.
    pub fn load(
        &mut self,
        path: &Path,
        referenced_at: &Location,
        key_path: &str,
    ) -> Result<&CsvTable, Option<Diagnostic>> {
        let first = !self.tables.contains_key(path);
        if first {
            self.order.push(path.to_path_buf());
            let result = read_csv(path, referenced_at).map_err(|d| d.key(key_path));
            self.tables.insert(path.to_path_buf(), result);
        }
        match &self.tables[path] {
            Ok(t) => Ok(t),
            Err(d) if first => Err(Some(d.clone())),
            Err(_) => Err(None),
        }
    }
}

fn read_csv(path: &Path, referenced_at: &Location) -> Result<CsvTable, Diagnostic> {
    let text = read_text(path, Some(referenced_at))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    if rows.is_empty() {
        return Err(Diagnostic::new("CSV file has a header but no data rows")
            .at(Location::file(path))
            .help("add at least one row of values"));
    }
    Ok(CsvTable {
        path: path.to_path_buf(),
        headers,
        rows,
        sha256: super::sha256_hex(text.as_bytes()),
    })
}

fn csv_error(path: &Path, e: &csv::Error) -> Diagnostic {
    let location = match e.position() {
        Some(p) => Location::line(path, p.line() as usize),
        None => Location::file(path),
    };
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields, but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "file is not UTF-8 text".to_string(),
        _ => format!("unreadable CSV: {e}"),
    };
    Diagnostic::new(message).at(location)
}

impl CsvTable {
    /// Index of column `name`, or an error listing the columns there are.
    pub fn column(&self, name: &str, key_path: &str) -> Result<usize, Diagnostic> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            let mut d = Diagnostic::new(format!(
                "column `{name}` not found; the columns are: {}",
                self.headers.join(", ")
            ))
            .at(Location::line(&self.path, 1))
            .key(key_path);
            if let Some(best) = super::reader::nearest(name, &self.headers) {
                d = d.help(format!("did you mean `{best}`?"));
            }
            d
        })
    }

    /// Location of a data row.
    pub fn at(&self, line: usize) -> Location {
        Location::line(&self.path, line)
    }

    /// A finite number in a cell.
    pub fn number(&self, row: usize, col: usize, key_path: &str) -> Result<f64, Diagnostic> {
        let (line, cells) = &self.rows[row];
        let cell = &cells[col];
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(Diagnostic::new(format!(
                "column `{}`: expected a finite number, found `{cell}`",
                self.headers[col]
            ))
            .at(self.at(*line))
            .key(key_path)),
        }
    }

    /// An integer in a cell.
    pub fn integer(&self, row: usize, col: usize, key_path: &str) -> Result<i64, Diagnostic> {
        let (line, cells) = &self.rows[row];
        let cell = &cells[col];
        cell.parse::<i64>().map_err(|_| {
            Diagnostic::new(format!(
                "column `{}`: expected an integer, found `{cell}`",
                self.headers[col]
            ))
            .at(self.at(*line))
            .key(key_path)
        })
    }

    /// A boolean cell: true/false (any case), 1/0, yes/no.
    pub fn boolean(&self, row: usize, col: usize, key_path: &str) -> Result<bool, Diagnostic> {
        let (line, cells) = &self.rows[row];
        let cell = &cells[col];
        match cell.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(Diagnostic::new(format!(
                "column `{}`: expected true or false, found `{cell}`",
                self.headers[col]
            ))
            .at(self.at(*line))
            .key(key_path)),
        }
    }

    /// A text cell.
    pub fn text(&self, row: usize, col: usize) -> &str {
        &self.rows[row].1[col]
    }
}

/// Resolve a step series to the horizon: each year takes the latest row at
/// or before it; years before the first row take the first row's value.
/// `points` must be sorted by strictly increasing year.
pub(crate) fn step_series(points: &[(i64, f64)], start_year: i32, years: u32) -> Vec<f64> {
    (0..years as i64)
        .map(|t| {
            let y = start_year as i64 + t;
            let idx = points.partition_point(|&(py, _)| py <= y);
            points[idx.saturating_sub(1)].1
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_series_holds_latest_value_and_back_fills_the_first() {
        let points = [(2026, 1.0), (2028, 2.0), (2030, 3.0)];
        assert_eq!(
            step_series(&points, 2024, 8),
            vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
        );
    }
}

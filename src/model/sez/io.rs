//! `[io]`: the domestic input-output table, read from its CSV file and
//! checked (a square matrix of shares whose Leontief inverse exists).

use std::collections::HashSet;

use nalgebra::DMatrix;

use super::schema::{MAX_JOBS_PER_MUSD, MAX_OUTPUT_MULTIPLIER, SezReader};
use super::spec::IoTable;
use crate::diagnostics::{Diagnostic, Location};
use crate::scenario::csvdata::CsvTable;
use crate::scenario::reader::{self, TableReader};
use crate::uncertainty::range::short_number;

impl SezReader<'_, '_> {
    pub(super) fn io(&mut self, top: &mut TableReader) -> Option<IoTable> {
        let mut io = self.section(top, "io", "[io]", true)?;
        let node = io.require(
            &mut self.ctx,
            "coefficients",
            "\"data/io_coefficients.csv\"",
        );
        io.finish(&mut self.ctx);
        let node = node?;
        let key = "io.coefficients";
        let file = reader::string(&mut self.ctx, node, key)?;
        let path = self.base_dir(node.origin).join(file);
        let table = self.load_csv(&path, node.origin, key)?;
        self.io_table(&table, key)
    }

    pub(super) fn io_table(&mut self, t: &CsvTable, key: &str) -> Option<IoTable> {
        let n_cols = t.headers.len();
        if n_cols < 3 || t.headers[0] != "sector" || t.headers[n_cols - 1] != "jobs_per_musd" {
            self.ctx.errors.push(
                Diagnostic::new(format!(
                    "expected the header `sector,<sector names...>,jobs_per_musd`, found `{}`",
                    t.headers.join(",")
                ))
                .at(Location::line(&t.path, 1))
                .key(key),
            );
            return None;
        }
        let sectors: Vec<String> = t.headers[1..n_cols - 1].to_vec();
        let n = sectors.len();
        let mut ok = true;
        let mut seen = HashSet::new();
        for s in &sectors {
            if s.is_empty() || !seen.insert(s) {
                self.ctx.errors.push(
                    Diagnostic::new(format!(
                        "sector names in the header must be unique and non-empty; `{s}` is not"
                    ))
                    .at(Location::line(&t.path, 1))
                    .key(key),
                );
                ok = false;
            }
        }
        if t.rows.len() != n {
            self.ctx.errors.push(
                Diagnostic::new(format!(
                    "the coefficient matrix must be square: {n} sector columns but {} rows",
                    t.rows.len()
                ))
                .at(Location::file(&t.path))
                .key(key)
                .help("write one row per sector, in the same order as the columns"),
            );
            return None;
        }
        let mut a = DMatrix::zeros(n, n);
        let mut jobs = vec![0.0; n];
        for (i, (line, _)) in t.rows.iter().enumerate() {
            let row_sector = t.text(i, 0);
            if row_sector != sectors[i] {
                self.ctx.errors.push(
                    Diagnostic::new(format!("row {} is sector `{row_sector}`, but column {} is `{}`; rows must follow the column order", i + 1, i + 1, sectors[i]))
                        .at(t.at(*line))
                        .key(key),
                );
                ok = false;
            }
            for j in 0..=n {
                match t.number(i, j + 1, key) {
                    Ok(v) if j == n && v > MAX_JOBS_PER_MUSD => {
                        self.ctx.errors.push(
                            Diagnostic::new(format!(
                                "column `jobs_per_musd`: expected a number from 0 to {}, found {}",
                                short_number(MAX_JOBS_PER_MUSD),
                                short_number(v)
                            ))
                            .at(t.at(*line))
                            .key(key)
                            .help("jobs per USD million of the sector's output: 10,000 would be USD 100 of output per job-year"),
                        );
                        ok = false;
                    }
                    Ok(v) if v >= 0.0 => {
                        if j < n {
                            a[(i, j)] = v;
                        } else {
                            jobs[i] = v;
                        }
                    }
                    Ok(v) => {
                        self.ctx.errors.push(
                            Diagnostic::new(format!(
                                "column `{}`: expected a number >= 0, found {v}",
                                t.headers[j + 1]
                            ))
                            .at(t.at(*line))
                            .key(key),
                        );
                        ok = false;
                    }
                    Err(d) => {
                        self.ctx.errors.push(d);
                        ok = false;
                    }
                }
            }
        }
        if !ok {
            return None;
        }
        let radius = a
            .clone()
            .complex_eigenvalues()
            .iter()
            .map(|z| z.norm())
            .fold(0.0_f64, f64::max);
        if radius.is_nan() || radius >= 1.0 {
            self.ctx.errors.push(
                Diagnostic::new(format!("the input-output matrix has spectral radius {radius:.4}; it must be below 1 for the Leontief inverse to exist"))
                    .at(Location::file(&t.path))
                    .key(key)
                    .help("domestic input coefficients are shares of output: check that each column sums well below 1"),
            );
            return None;
        }
        let table = IoTable {
            sectors,
            coefficients: a,
            jobs_per_musd: jobs,
        };
        // A spectral radius just below 1 leaves I - A nearly singular: the
        // multipliers (column sums of L) explode, and supplier output with
        // them. Real tables give output multipliers of 1.5 to 4.
        let multipliers: Vec<f64> = match table.leontief() {
            Some(l) => l.row_sum().iter().copied().collect(),
            None => vec![f64::INFINITY; n],
        };
        if let Some((j, &m)) = multipliers
            .iter()
            .enumerate()
            .find(|&(_, m)| m.is_nan() || *m > MAX_OUTPUT_MULTIPLIER)
        {
            self.ctx.errors.push(
                Diagnostic::new(format!(
                    "sector `{}` has an output multiplier of {} (the column sum of the Leontief inverse); at most {} is accepted",
                    table.sectors[j],
                    short_number(m),
                    short_number(MAX_OUTPUT_MULTIPLIER)
                ))
                .at(Location::file(&t.path))
                .key(key)
                .help("the matrix is nearly singular: real tables give multipliers of 1.5 to 4; check that each column sums well below 1"),
            );
            return None;
        }
        Some(table)
    }
}

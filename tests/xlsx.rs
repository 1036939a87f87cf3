//! results.xlsx, read back by a second, independent reader (calamine):
//! every sheet is there, Scalars, Summary, Intervals (and Compare, Points) hold
//! the CSV files' values to the last digit, numbers as numbers; the fan
//! charts are native charts over the right cells; `sezsim export` writes
//! the same bytes the run wrote, for run, comparison and sweep folders,
//! and refuses folders sezsim did not write; a small run's workbook is
//! pinned by a snapshot (tests/snapshots/xlsx__results_xlsx.snap).

mod support;

use std::io::{Cursor, Read};
use std::path::Path;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

fn open(path: &Path) -> Xlsx<Cursor<Vec<u8>>> {
    let bytes = std::fs::read(path).unwrap();
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

/// Assert that sheet `sheet` of `book` holds `csv` cell for cell: text as
/// text, every number as a number with the same bits, empty cells empty.
fn assert_sheet_is_csv(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, csv: &str) {
    let range = book.worksheet_range(sheet).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), lines.len(), "{sheet}: rows");
    let mut numbers = 0;
    for (r, (row, line)) in rows.iter().zip(&lines).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        for (c, cell) in cells.iter().enumerate() {
            let got = row.get(c).unwrap_or(&Data::Empty);
            let at = format!("{sheet} row {} column {}", r + 1, c + 1);
            match (cell.parse::<f64>(), got) {
                (_, Data::Empty) => assert!(cell.is_empty(), "{at}: empty, CSV `{cell}`"),
                (Ok(v), Data::Float(x)) => {
                    assert_eq!(x.to_bits(), v.to_bits(), "{at}: {x} against CSV `{cell}`");
                    numbers += 1;
                }
                (Ok(v), Data::Int(x)) => {
                    assert_eq!(*x as f64, v, "{at}");
                    numbers += 1;
                }
                (Err(_), Data::String(s)) => assert_eq!(s, cell, "{at}"),
                (_, other) => panic!("{at}: {other:?} against CSV `{cell}`"),
            }
        }
    }
    assert!(numbers > 0, "{sheet}: no numbers");
}

/// The text of `name` in the zip `path`.
fn zip_text(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// `sezsim export DIR --xlsx` writes the bytes the command wrote into
/// `out` (`what` names the folder in messages).
fn assert_export_rewrites_the_workbook(out: &Path, what: &str) {
    let path = out.join("results.xlsx");
    let before = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    sezsim()
        .arg("export")
        .arg(out)
        .args(["--xlsx", "-q"])
        .assert()
        .success();
    assert!(
        std::fs::read(&path).unwrap() == before,
        "export differs from the workbook of the {what}"
    );
}

/// Run the full fixture (300 replications) into `dir/run`; returns it.
fn run_fixture(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("run");
    sezsim()
        .args([
            "run",
            "tests/fixtures/full/base.toml",
            "-q",
            "-n",
            "300",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn a_run_folder_has_a_workbook_that_a_second_reader_reads_as_the_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_fixture(dir.path());
    let path = out.join("results.xlsx");
    let mut book = open(&path);
    assert_eq!(
        book.sheet_names(),
        [
            "Settings",
            "Scalars",
            "Summary",
            "Intervals",
            "exports",
            "capital",
            "Inputs"
        ]
    );
    for (sheet, file) in [
        ("Scalars", "scalars.csv"),
        ("Summary", "summary.csv"),
        ("Intervals", "intervals.csv"),
    ] {
        let csv = std::fs::read_to_string(out.join(file)).unwrap();
        assert_sheet_is_csv(&mut book, sheet, &csv);
    }

    // Settings: the run's settings, without the wall time.
    let settings = book.worksheet_range("Settings").unwrap();
    let value = |key: &str| {
        settings
            .rows()
            .find(|r| r[0] == Data::String(key.into()))
            .map(|r| r[1].clone())
    };
    assert_eq!(value("seed"), Some(Data::Float(7.0)));
    assert_eq!(value("replications"), Some(Data::Float(300.0)));
    assert_eq!(value("sampling"), Some(Data::String("lhs".into())));
    assert_eq!(value("wall_time_seconds"), None);
    assert!(
        settings
            .rows()
            .any(|r| matches!(&r[0], Data::String(s) if s.contains("base.toml: SHA-256"))),
        "no input file hash"
    );

    // An output's sheet: years as rows, P5 to P95 of the total from fan.csv.
    let fan = std::fs::read_to_string(out.join("fan.csv")).unwrap();
    let totals: Vec<Vec<&str>> = fan
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == "exports" && f[1] == "total")
        .collect();
    let exports = book.worksheet_range("exports").unwrap();
    let rows: Vec<&[Data]> = exports.rows().collect();
    assert_eq!(
        rows[0][..6],
        ["year", "p05", "p25", "p50", "p75", "p95"].map(|h| Data::String(h.into()))
    );
    assert_eq!(rows.len(), totals.len() + 1);
    for (row, total) in rows[1..].iter().zip(&totals) {
        assert_eq!(row[0], Data::Float(total[2].parse().unwrap()));
        for k in 0..5 {
            let want: f64 = total[3 + k].parse().unwrap();
            assert_eq!(row[1 + k], Data::Float(want), "{total:?}");
        }
    }
    // Inputs: every uncertain parameter, by path and label.
    let inputs = book.worksheet_range("Inputs").unwrap();
    assert!(inputs.rows().any(|r| r[0]
        == Data::String("zones.north.investment.capital_per_ha".into())
        && r[1] == Data::String("North zone: capital per hectare".into())));

    // The native fan chart of exports: stacked areas for the bands, a line
    // for the median, over the sheet's cells (8 years: rows 2 to 9).
    let workbook_xml = zip_text(&path, "xl/workbook.xml");
    assert!(workbook_xml.contains("name=\"exports\""));
    let chart = zip_text(&path, "xl/charts/chart1.xml");
    assert!(
        chart.contains("<c:areaChart>") && chart.contains("<c:grouping val=\"stacked\"/>"),
        "{chart}"
    );
    assert!(chart.contains("<c:lineChart>"), "{chart}");
    for range in [
        "exports!$G$2:$G$9",
        "exports!$H$2:$H$9",
        "exports!$I$2:$I$9",
        "exports!$J$2:$J$9",
        "exports!$D$2:$D$9",
        "exports!$A$2:$A$9",
    ] {
        assert!(chart.contains(range), "chart1 lacks {range}: {chart}");
    }
    let chart2 = zip_text(&path, "xl/charts/chart2.xml");
    assert!(chart2.contains("capital!$D$2:$D$9"), "{chart2}");
    // The helper columns are the bands' widths.
    for row in &rows[1..] {
        let f = |k: usize| match row[k] {
            Data::Float(x) => x,
            ref other => panic!("{other:?}"),
        };
        assert_eq!(f(6), f(1));
        assert_eq!(f(8), f(4) - f(2));
    }

    assert_export_rewrites_the_workbook(&out, "run");
}

#[test]
fn comparison_and_sweep_folders_have_workbooks_and_export_rewrites_them() {
    let dir = tempfile::tempdir().unwrap();
    let base = support::fixture_base();
    let variant = support::extending(
        dir.path(),
        "calmer.toml",
        &base,
        "[scenario]\nname = \"calmer\"\n[global]\ndemand_volatility = 0.02\n",
    );
    let out = dir.path().join("cmp");
    sezsim()
        .args(["compare", &base])
        .arg(&variant)
        .args(["-q", "-n", "200", "--out"])
        .arg(&out)
        .assert()
        .success();
    let path = out.join("results.xlsx");
    let mut book = open(&path);
    let names = book.sheet_names();
    assert_eq!(names[..2], ["Settings", "Compare"]);
    assert_sheet_is_csv(
        &mut book,
        "Compare",
        &std::fs::read_to_string(out.join("compare.csv")).unwrap(),
    );
    if out.join("cost_effectiveness.csv").is_file() {
        assert!(
            names.contains(&"Cost-effectiveness".to_string()),
            "{names:?}"
        );
    }
    // Each scenario's run folder has its own.
    assert!(out.join("calmer/results.xlsx").is_file());
    assert_export_rewrites_the_workbook(&out, "comparison");

    let sweep = support::sweep_file(dir.path(), "grid", 100, support::GRID);
    let out = dir.path().join("sweep");
    sezsim()
        .arg("sweep")
        .arg(&sweep)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let path = out.join("results.xlsx");
    let mut book = open(&path);
    assert_eq!(book.sheet_names(), ["Settings", "Points"]);
    assert_sheet_is_csv(
        &mut book,
        "Points",
        &std::fs::read_to_string(out.join("points.csv")).unwrap(),
    );
    assert_export_rewrites_the_workbook(&out, "sweep");
}

#[test]
fn export_refuses_a_folder_sezsim_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let o = sezsim()
        .arg("export")
        .arg(dir.path())
        .arg("--xlsx")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a result folder of sezsim"), "{stderr}");
    assert!(!dir.path().join("results.xlsx").exists());
    // Without --xlsx: a usage error.
    let o = sezsim().arg("export").arg(dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// The workbook of a small run, as text: every sheet's name, size and
/// first rows (cells as calamine reads them), each sheet's frozen pane and
/// filter, and the cell ranges of every chart. Pinned by a snapshot like
/// report.md, so any change to what the workbook holds is seen in review.
#[test]
fn the_workbook_of_a_small_run_is_pinned_by_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_fixture(dir.path());
    let path = out.join("results.xlsx");
    let mut book = open(&path);
    let mut text = String::new();
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let range = book.worksheet_range(&name).unwrap();
        let (rows, columns) = range.get_size();
        text.push_str(&format!("## {name}: {rows} rows x {columns} columns\n"));
        for row in range.rows().take(6) {
            let cells: Vec<String> = row.iter().map(|d| format!("{d:?}")).collect();
            text.push_str(&cells.join(" | "));
            text.push('\n');
        }
        let sheet = zip_text(&path, &format!("xl/worksheets/sheet{}.xml", i + 1));
        let pane = sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#,
        );
        let filter = sheet
            .split("<autoFilter ref=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("none");
        text.push_str(&format!("frozen header: {pane}; filter: {filter}\n\n"));
    }
    let file = std::fs::File::open(&path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let charts: Vec<String> = (1..)
        .map(|i| format!("xl/charts/chart{i}.xml"))
        .take_while(|name| zip.by_name(name).is_ok())
        .collect();
    for chart in charts {
        let xml = zip_text(&path, &chart);
        let ranges: Vec<&str> = xml
            .split("<c:f>")
            .skip(1)
            .filter_map(|s| s.split("</c:f>").next())
            .collect();
        text.push_str(&format!("{chart}: {}\n", ranges.join(", ")));
    }
    insta::assert_snapshot!("results_xlsx", text);
}

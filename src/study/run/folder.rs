//! The files of a run folder, written into a pending folder: the tables
//! computed from a summary ([`write_results`]: summary.csv, scalars.csv,
//! intervals.csv), the chart data and charts
//! ([`write_charts`]), `report.md` ([`write_report`]) and the manifest
//! ([`run_manifest`]). `run`, `merge`, `compare`'s run folders and the
//! sweep's point folders all write through them, which is what makes a
//! merged result the same bytes as a plain run.

use crate::engine::{self, RunSummary};
use crate::error::Error;
use crate::output::charts::{self, ChartData, ChartSpec, FanData, RunFiles};
use crate::output::intervals;
use crate::output::manifest::{Manifest, RunFacts};
use crate::output::report::{self, Report};
use crate::output::reservoir::Reservoir;
use crate::output::run_dir::PendingDir;
use crate::output::tables;
use crate::output::{html, xlsx};
use crate::scenario::Scenario;

use super::RunSettings;

/// The files a run folder holds that are computed from the run's summary
/// alone: `summary.csv` and `scalars.csv`, at the scenario's quantile
/// levels (`summary` may hold more). Shared by `run`, `merge` (so a merged
/// run writes the same bytes) and the sweep's point folders.
pub(crate) fn write_results(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
) -> Result<(), Error> {
    let tables = summary
        .at_levels(&scenario.outputs.quantiles)
        .map_err(Error::Engine)?;
    pending.write("summary.csv", tables::summary_csv(&tables).as_bytes())?;
    pending.write(
        intervals::INTERVALS_CSV,
        intervals::intervals_csv(&tables, &scenario.outputs.charts).as_bytes(),
    )?;
    pending.write(
        charts::data::SCALARS_CSV,
        tables::scalars_csv(&tables, &scenario.outputs.targets).as_bytes(),
    )
}

/// The chart data (`fan.csv`, `reservoir.csv`) and the charts of a run
/// folder whose `scalars.csv` is already in `pending`, drawn from the bytes
/// written, parsed back as `sezsim plot` parses them, so both draw the same
/// charts. `manifest` is the run's (its wall time is not drawn). Shared by
/// `run`, `merge` and `compare`'s run folders.
pub(crate) fn write_charts(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
    reservoir: &Reservoir,
    manifest: &Manifest,
    settings: &RunSettings,
) -> Result<(ChartData, Vec<ChartSpec>), Error> {
    let fan_csv = FanData::from_summary(summary, &scenario.outputs.charts)?.to_csv();
    pending.write(charts::FAN_CSV, fan_csv.as_bytes())?;
    let reservoir_csv = reservoir.to_csv(&summary.layout.inputs, &summary.layout.scalars);
    pending.write(charts::RESERVOIR_CSV, reservoir_csv.as_bytes())?;
    let scalars_path = pending.path(charts::data::SCALARS_CSV);
    let scalars_csv =
        std::fs::read_to_string(&scalars_path).map_err(|e| Error::io(&scalars_path, e))?;
    let data = ChartData::parse(
        RunFiles {
            manifest: &manifest.to_json(),
            fan: &fan_csv,
            scalars: &scalars_csv,
            reservoir: &reservoir_csv,
        },
        &settings.out_dir,
    )?;
    let drawn = charts::render_all(&data, settings.threads)?;
    charts::write_charts(pending, &format!("{}/", charts::CHARTS_DIR), &drawn)?;
    Ok((data, drawn.into_iter().map(|c| c.spec).collect()))
}

/// `report.md` of a run folder (see [`report`]), the same as one page,
/// `report.html` (see [`html`]), and the tables as a workbook,
/// `results.xlsx` (see [`xlsx`]); returns what the reports show.
pub(crate) fn write_report(
    pending: &PendingDir,
    scenario: &Scenario,
    summary: &RunSummary,
    data: &ChartData,
    manifest: &Manifest,
) -> Result<Report, Error> {
    let report = Report::new(scenario, summary, data, manifest);
    let markdown = report::render(&report);
    pending.write("report.md", markdown.as_bytes())?;
    // The charts as written (write_charts came first), inlined in the page.
    let mut svgs = Vec::with_capacity(report.charts.len());
    for c in &report.charts {
        let path = pending.path(&c.svg);
        let svg = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        svgs.push((c.png.clone(), svg));
    }
    let page = html::render(&report.title, &markdown, &svgs);
    pending.write(html::REPORT_HTML, page.as_bytes())?;
    // The workbook, from the tables as written (export reads the same).
    let read = |name: &str| {
        let path = pending.path(name);
        std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))
    };
    let (summary_csv, scalars_csv, fan_csv) = (
        read("summary.csv")?,
        read(charts::data::SCALARS_CSV)?,
        read(charts::FAN_CSV)?,
    );
    let intervals_csv = read(intervals::INTERVALS_CSV)?;
    let book = xlsx::workbook(&xlsx::FolderTables {
        manifest: &manifest.to_json(),
        summary: Some(&summary_csv),
        scalars: Some(&scalars_csv),
        intervals: Some(&intervals_csv),
        fan: Some(&fan_csv),
        ..Default::default()
    })?;
    pending.write(xlsx::RESULTS_XLSX, &book)?;
    Ok(report)
}

/// The manifest of a run of `scenario` with `settings`.
pub(crate) fn run_manifest(
    scenario: &Scenario,
    settings: &RunSettings,
    wall_time_seconds: f64,
) -> Manifest {
    let replications = settings.effective_replications();
    let mut manifest = Manifest::new(
        scenario,
        RunFacts {
            seed: settings.seed,
            replications,
            deterministic: settings.deterministic,
            threads: settings.threads,
            wall_time_seconds,
            quantile_method: quantile_method(replications),
            command: settings.command.clone(),
        },
    );
    manifest.reservoir_capacity = settings.reservoir.max(1);
    manifest
}

/// How the quantile columns are computed, for the manifest.
pub fn quantile_method(replications: u64) -> String {
    if replications <= engine::stats::EXACT_QUANTILE_LIMIT as u64 {
        "exact, Hyndman-Fan type 7 (linear interpolation between order statistics)".into()
    } else {
        format!(
            "Hyndman-Fan type 7 on a mergeable log-bucket sketch: relative error at most {:.3}%",
            engine::stats::SKETCH_RELATIVE_ACCURACY * 100.0
        )
    }
}

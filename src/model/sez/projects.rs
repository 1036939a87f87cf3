//! `[[energy_projects]]` (inline or a CSV file) and
//! `[[committed_investments]]` (inline or a CSV file): every problem of
//! every item reported at once.

use std::collections::{HashMap, HashSet};

use super::schema::{MAX_MUSD, MAX_MW, PRICE, SezReader};
use super::spec::{CommittedInvestment, EnergyProject, ProjectKind};
use crate::diagnostics::{Diagnostic, Location};
use crate::scenario::csvdata::CsvTable;
use crate::scenario::raw::{Node, Origin, Value};
use crate::scenario::reader::{self, TableReader, close_matches, nearest};
use crate::scenario::{Horizon, MAX_YEAR, MIN_YEAR};
use crate::uncertainty::range::short_number;
use crate::uncertainty::{Distribution, ValueRange};

impl SezReader<'_, '_> {
    pub(super) fn energy_projects(
        &mut self,
        top: &mut TableReader,
        zone_ids: &[String],
    ) -> Option<Vec<EnergyProject>> {
        let Some(node) = top.get("energy_projects") else {
            return Some(Vec::new());
        };
        let mut projects = Vec::new();
        let mut names: HashSet<String> = HashSet::new();
        let mut ok = true;
        match &node.value {
            Value::String(file) => {
                let csv_path = self.base_dir(node.origin).join(file);
                let key = "energy_projects";
                let t = self.load_csv(&csv_path, node.origin, key)?;
                let req = [
                    "name",
                    "zone",
                    "capacity_mw",
                    "capacity_factor",
                    "zone_share",
                    "planned_year",
                ];
                let cols: Vec<Option<usize>> =
                    req.iter().map(|c| self.csv_column(&t, c, key)).collect();
                let delay_col = t.headers.iter().position(|h| h == "delay");
                let tri: Vec<Option<usize>> = ["delay_min", "delay_mode", "delay_max"]
                    .iter()
                    .map(|c| t.headers.iter().position(|h| h == c))
                    .collect();
                let tri: Option<Vec<usize>> = tri.into_iter().collect();
                if delay_col.is_some() == tri.is_some() {
                    self.ctx.errors.push(
                        Diagnostic::new("expected either a `delay` column or the three columns `delay_min`, `delay_mode`, `delay_max`")
                            .at(Location::line(&t.path, 1))
                            .key(key),
                    );
                    return None;
                }
                let c: Vec<usize> = cols.into_iter().collect::<Option<_>>()?;
                let optional = |name: &str| t.headers.iter().position(|h| h == name);
                let (kind_col, islanding_col, lcoe_col) = (
                    optional("kind"),
                    optional("islanding_coverage"),
                    optional("lcoe"),
                );
                for (i, (line, _)) in t.rows.iter().enumerate() {
                    let at = t.at(*line);
                    // Every cell of the row is checked, and the fields that
                    // parse are validated too: all of a row's problems at once.
                    let mut cell_errors = Vec::new();
                    let mut cell =
                        |r: Result<f64, Diagnostic>| r.map_err(|d| cell_errors.push(d)).ok();
                    let capacity_mw = cell(t.number(i, c[2], key));
                    let capacity_factor = cell(t.number(i, c[3], key));
                    let zone_share = cell(t.number(i, c[4], key));
                    let delay = match (delay_col, &tri) {
                        (Some(d), _) => cell(t.number(i, d, key)).map(Distribution::fixed),
                        (None, Some(tri)) => {
                            let (lo, mode, hi) = (
                                cell(t.number(i, tri[0], key)),
                                cell(t.number(i, tri[1], key)),
                                cell(t.number(i, tri[2], key)),
                            );
                            lo.zip(mode)
                                .zip(hi)
                                .map(|((lo, mode), hi)| Distribution::triangular(lo, mode, hi))
                        }
                        (None, None) => None,
                    };
                    // An optional column's empty cell takes the default.
                    let mut optional_number = |col: Option<usize>| match col {
                        Some(col) if !t.text(i, col).trim().is_empty() => t
                            .number(i, col, key)
                            .map(Some)
                            .map_err(|d| cell_errors.push(d)),
                        _ => Ok(None),
                    };
                    let islanding_coverage = optional_number(islanding_col);
                    let lcoe = optional_number(lcoe_col);
                    let kind = Ok(kind_col
                        .map(|col| t.text(i, col).trim().to_string())
                        .filter(|k| !k.is_empty()));
                    let planned_year = t
                        .integer(i, c[5], key)
                        .map_err(|d| cell_errors.push(d))
                        .ok();
                    let delay = delay.and_then(|d| {
                        d.map_err(|e| {
                            cell_errors.push(
                                Diagnostic::new(format!("delay: {}", e.message))
                                    .at(at.clone())
                                    .key(key),
                            )
                        })
                        .ok()
                    });
                    ok &= cell_errors.is_empty();
                    self.ctx.errors.extend(cell_errors);
                    let spec = ProjectFields {
                        name: Some(t.text(i, c[0]).to_string()),
                        zone: Some(t.text(i, c[1]).to_string()),
                        capacity_mw,
                        capacity_factor,
                        zone_share,
                        planned_year,
                        delay,
                        kind,
                        islanding_coverage,
                        lcoe,
                    };
                    match self.project(spec, ProjectAt::Csv(at), zone_ids, &mut names) {
                        Some(p) => projects.push(p),
                        None => ok = false,
                    }
                }
            }
            Value::Array(items) => {
                let (readers, all_tables) =
                    self.item_readers(items, "energy_projects", "[[energy_projects]]");
                ok &= all_tables;
                for (path, mut r, origin) in readers {
                    let name = self.req_string(&mut r, "name", "\"Project name\"");
                    if let Some(name) = &name {
                        // Its keys are under its name from here on, as its
                        // delay's parameter path is.
                        r.path = format!("energy_projects.{name}");
                    }
                    let zone_origin = r.get("zone").map_or(origin, |n| n.origin);
                    let zone = self.req_string(&mut r, "zone", "\"zone_id\"");
                    let capacity_mw = self.req_number(&mut r, "capacity_mw", "100");
                    let capacity_factor = self.req_number(&mut r, "capacity_factor", "0.5");
                    let zone_share = self.req_number(&mut r, "zone_share", "1.0");
                    let planned_year =
                        self.req_int(&mut r, "planned_year", "2027", MIN_YEAR, MAX_YEAR);
                    let kind = match r.get("kind") {
                        None => Ok(None),
                        Some(n) => reader::string(&mut self.ctx, n, &r.key_path("kind"))
                            .map(|k| Some(k.to_string()))
                            .ok_or(()),
                    };
                    let mut optional_number = |b: &mut Self, key: &str| match r.get(key) {
                        None => Ok(None),
                        Some(n) => reader::plain_number(&mut b.ctx, n, &r.key_path(key))
                            .map(Some)
                            .ok_or(()),
                    };
                    let islanding_coverage = optional_number(self, "islanding_coverage");
                    let lcoe = optional_number(self, "lcoe");
                    // The delay is registered under the project's name once
                    // the name is known; read its node now.
                    let delay_node = r.get("delay");
                    r.finish(&mut self.ctx);
                    let spec = ProjectFields {
                        name,
                        zone,
                        capacity_mw,
                        capacity_factor,
                        zone_share,
                        planned_year,
                        delay: Distribution::fixed(0.0).ok(),
                        kind,
                        islanding_coverage,
                        lcoe,
                    };
                    let at = ProjectAt::Toml {
                        path,
                        item: origin,
                        zone: zone_origin,
                        delay: delay_node,
                    };
                    match self.project(spec, at, zone_ids, &mut names) {
                        Some(p) => projects.push(p),
                        None => ok = false,
                    }
                }
            }
            other => {
                self.ctx.error(
                    node.origin,
                    "energy_projects",
                    format!(
                        "expected [[energy_projects]] tables or a CSV path, found {}",
                        other.type_name()
                    ),
                );
                return None;
            }
        }
        ok.then_some(projects)
    }

    /// A project's kind, and the keys only a captive plant may have
    /// (`lcoe` only in `"hours"` mode); problems go to `errors` as (field,
    /// message).
    fn project_kind(
        &mut self,
        f: &ProjectFields,
        errors: &mut Vec<(String, String)>,
    ) -> Option<ProjectKind> {
        let (Ok(kind), Ok(islanding), Ok(lcoe)) = (&f.kind, f.islanding_coverage, f.lcoe) else {
            return None;
        };
        match kind.as_deref().unwrap_or("grid") {
            "grid" => {
                for (key, v) in [("islanding_coverage", islanding), ("lcoe", lcoe)] {
                    if v.is_some() {
                        errors.push((key.into(), format!("`{key}` belongs to a captive plant; this project is kind = \"grid\" (set kind = \"captive\" for a plant in the zone)")));
                    }
                }
                Some(ProjectKind::Grid)
            }
            "captive" => {
                let islanding_coverage = islanding.unwrap_or(0.0);
                if !(0.0..=1.0).contains(&islanding_coverage) {
                    errors.push((
                        "islanding_coverage".into(),
                        format!("expected a share in [0, 1], found {islanding_coverage}"),
                    ));
                }
                if lcoe.is_some() && self.hours == Some(false) {
                    errors.push(("lcoe".into(), "`lcoe` belongs to power_mode = \"hours\"; this scenario's power_mode is \"balance\" (energy has no price there)".into()));
                }
                let lcoe = lcoe.unwrap_or(0.0);
                if !PRICE.contains(lcoe) {
                    errors.push((
                        "lcoe".into(),
                        format!(
                            "expected {}, found {}",
                            PRICE.describe(),
                            short_number(lcoe)
                        ),
                    ));
                }
                Some(ProjectKind::Captive {
                    islanding_coverage,
                    lcoe,
                })
            }
            other => {
                let hint = nearest(other, &["grid", "captive"])
                    .map_or(String::new(), |b| format!(" (did you mean \"{b}\"?)"));
                errors.push((
                    "kind".into(),
                    format!(
                        "unknown project kind \"{other}\"; expected \"grid\" or \"captive\"{hint}"
                    ),
                ));
                None
            }
        }
    }

    fn csv_column(&mut self, t: &CsvTable, name: &str, key: &str) -> Option<usize> {
        match t.column(name, key) {
            Ok(c) => Some(c),
            Err(d) => {
                self.ctx.errors.push(d);
                None
            }
        }
    }

    /// Validate one project's fields and register its delay. Fields that
    /// could not be read (already reported) are `None`; the others are
    /// still checked, so every problem of a project is reported at once.
    fn project(
        &mut self,
        f: ProjectFields,
        at: ProjectAt,
        zone_ids: &[String],
        names: &mut HashSet<String>,
    ) -> Option<EnergyProject> {
        let mut errors: Vec<(String, String)> = Vec::new();
        if let Some(name) = &f.name {
            if name.is_empty() || name.contains('.') {
                errors.push(("name".into(), format!("project name `{name}` must be non-empty and contain no `.` (it is part of the path energy_projects.<name>.delay)")));
            } else if !names.insert(name.clone()) {
                errors.push((
                    "name".into(),
                    format!("duplicate energy project name `{name}`"),
                ));
            }
        }
        let zone = f
            .zone
            .as_ref()
            .and_then(|z| zone_ids.iter().position(|id| id == z));
        if let (Some(z), None) = (&f.zone, zone) {
            let hint = close_matches(z, zone_ids.iter().map(String::as_str), 3);
            errors.push((
                "zone".into(),
                format!(
                    "unknown zone `{z}`; zones are: {}{}",
                    zone_ids.join(", "),
                    if hint.is_empty() {
                        String::new()
                    } else {
                        format!(" (did you mean `{}`?)", hint[0])
                    }
                ),
            ));
        }
        let capacity_range = ValueRange::Between(0.0, MAX_MW);
        if let Some(capacity) = f.capacity_mw
            && !capacity_range.contains(capacity)
        {
            errors.push((
                "capacity_mw".into(),
                format!(
                    "expected {}, found {}",
                    capacity_range.describe(),
                    short_number(capacity)
                ),
            ));
        }
        for (key, v) in [
            ("capacity_factor", f.capacity_factor),
            ("zone_share", f.zone_share),
        ] {
            if let Some(v) = v
                && !(0.0..=1.0).contains(&v)
            {
                errors.push((key.into(), format!("expected a share in [0, 1], found {v}")));
            }
        }
        if let Some(year) = f.planned_year
            && !(MIN_YEAR..=MAX_YEAR).contains(&year)
        {
            errors.push((
                "planned_year".into(),
                format!("expected a year from {MIN_YEAR} to {MAX_YEAR}, found {year}"),
            ));
        }
        let kind = self.project_kind(&f, &mut errors);
        // A TOML project's keys are under its name once that is known.
        let prefix = match (&f.name, &at) {
            (Some(name), _) => format!("energy_projects.{name}"),
            (None, ProjectAt::Toml { path, .. }) => path.clone(),
            (None, ProjectAt::Csv(_)) => "energy_projects".into(),
        };
        let delay_path = format!("{prefix}.delay");
        let delay = match (&at, &f.delay) {
            (
                ProjectAt::Toml {
                    delay: Some(node), ..
                },
                _,
            ) => self.param_node(node, delay_path, ValueRange::NonNegative),
            (_, Some(delay)) if delay.support().0 < 0.0 => {
                errors.push(("delay".into(), format!("delay must be >= 0, found {delay}")));
                None
            }
            (_, Some(delay)) => Some(self.params.register(
                delay_path,
                delay.clone(),
                ValueRange::NonNegative,
            )),
            (_, None) => None,
        };
        for (field, message) in &errors {
            let d = match &at {
                ProjectAt::Csv(loc) => Diagnostic::new(format!("{field}: {message}"))
                    .at(loc.clone())
                    .key("energy_projects"),
                ProjectAt::Toml { item, zone, .. } => {
                    let origin = if field == "zone" { *zone } else { *item };
                    Diagnostic::new(message.clone())
                        .at(self.location(origin))
                        .key(format!("{prefix}.{field}"))
                }
            };
            self.ctx.errors.push(d);
        }
        if !errors.is_empty() {
            return None;
        }
        Some(EnergyProject {
            name: f.name?,
            zone: zone?,
            capacity_mw: f.capacity_mw?,
            capacity_factor: f.capacity_factor?,
            zone_share: f.zone_share?,
            planned_year: f.planned_year? as i32,
            delay: delay?,
            kind: kind?,
        })
    }

    pub(super) fn committed(
        &mut self,
        top: &mut TableReader,
        zone_ids: &[String],
        h: &Horizon,
    ) -> Option<Vec<CommittedInvestment>> {
        let Some(node) = top.get("committed_investments") else {
            return Some(Vec::new());
        };
        let key = "committed_investments";
        // (zone, year, amount, probability, foreign, where)
        let mut rows: Vec<(String, i64, f64, f64, bool, Location)> = Vec::new();
        let mut ok = true;
        match &node.value {
            Value::String(file) => {
                let csv_path = self.base_dir(node.origin).join(file);
                let t = self.load_csv(&csv_path, node.origin, key)?;
                let cols: Vec<Option<usize>> = ["zone", "year", "amount", "probability"]
                    .iter()
                    .map(|c| self.csv_column(&t, c, key))
                    .collect();
                let foreign_col = t.headers.iter().position(|h| h == "foreign");
                if cols.iter().any(Option::is_none) {
                    return None;
                }
                let c: Vec<usize> = cols.into_iter().flatten().collect();
                for (i, (line, _)) in t.rows.iter().enumerate() {
                    let foreign = foreign_col.map_or(Ok(false), |f| t.boolean(i, f, key));
                    match (
                        t.integer(i, c[1], key),
                        t.number(i, c[2], key),
                        t.number(i, c[3], key),
                        foreign,
                    ) {
                        (Ok(y), Ok(a), Ok(p), Ok(f)) => {
                            rows.push((t.text(i, c[0]).to_string(), y, a, p, f, t.at(*line)))
                        }
                        (y, a, p, f) => {
                            self.ctx
                                .errors
                                .extend([y.err(), a.err(), p.err(), f.err()].into_iter().flatten());
                            ok = false;
                        }
                    }
                }
            }
            Value::Array(items) => {
                let (readers, all_tables) =
                    self.item_readers(items, key, "[[committed_investments]]");
                ok &= all_tables;
                for (path, mut r, origin) in readers {
                    let zone = self.req_string(&mut r, "zone", "\"zone_id\"");
                    let year = self.req_int(&mut r, "year", "2027", MIN_YEAR, MAX_YEAR);
                    let amount = self.req_number(&mut r, "amount", "150");
                    let probability = self.req_number(&mut r, "probability", "0.7");
                    let foreign = match r.get("foreign") {
                        Some(n) => reader::boolean(&mut self.ctx, n, &format!("{path}.foreign")),
                        None => Some(false),
                    };
                    r.finish(&mut self.ctx);
                    match (zone, year, amount, probability, foreign) {
                        (Some(z), Some(y), Some(a), Some(p), Some(f)) => {
                            rows.push((z, y, a, p, f, self.location(origin)))
                        }
                        _ => ok = false,
                    }
                }
            }
            other => {
                self.ctx.error(
                    node.origin,
                    key,
                    format!(
                        "expected [[committed_investments]] tables or a CSV path, found {}",
                        other.type_name()
                    ),
                );
                return None;
            }
        }
        let mut out = Vec::new();
        let mut per_zone_year: HashMap<(usize, i64), usize> = HashMap::new();
        let last_year = h.start_year as i64 + h.years as i64 - 1;
        for (zone, year, amount, probability, foreign, at) in rows {
            let mut problems = Vec::new();
            let z = zone_ids.iter().position(|id| *id == zone);
            if z.is_none() {
                problems.push(format!(
                    "unknown zone `{zone}`; zones are: {}",
                    zone_ids.join(", ")
                ));
            }
            if !(0.0..=MAX_MUSD).contains(&amount) {
                problems.push(format!(
                    "amount must be from 0 to {} (USD million), found {}",
                    short_number(MAX_MUSD),
                    short_number(amount)
                ));
            }
            if !(0.0..=1.0).contains(&probability) {
                problems.push(format!(
                    "probability must be in [0, 1], found {probability}"
                ));
            }
            if h.horizon_known && (year < h.start_year as i64 || year > last_year) {
                problems.push(format!(
                    "year {year} is outside the horizon {}-{last_year}; it would never be realised",
                    h.start_year
                ));
            }
            if !problems.is_empty() {
                for p in problems {
                    self.ctx
                        .errors
                        .push(Diagnostic::new(p).at(at.clone()).key(key));
                }
                ok = false;
                continue;
            }
            let Some(z) = z else { continue };
            let k = per_zone_year.entry((z, year)).or_insert(0);
            let stream = format!("committed.{zone}.{year}.{k}");
            *k += 1;
            out.push(CommittedInvestment {
                zone: z,
                year: year as i32,
                amount,
                probability,
                foreign,
                stream,
            });
        }
        ok.then_some(out)
    }
}

/// Fields of an energy project before validation; `None` where a field
/// could not be read (and was reported).
struct ProjectFields {
    name: Option<String>,
    zone: Option<String>,
    capacity_mw: Option<f64>,
    capacity_factor: Option<f64>,
    zone_share: Option<f64>,
    planned_year: Option<i64>,
    /// The CSV delay, or a TOML project's default (a TOML delay that is
    /// written is read from its node).
    delay: Option<Distribution>,
    /// `kind`, `islanding_coverage` and `lcoe` as written: `None` where
    /// absent (or an empty CSV cell), `Err(())` where unreadable (reported).
    kind: Result<Option<String>, ()>,
    islanding_coverage: Result<Option<f64>, ()>,
    lcoe: Result<Option<f64>, ()>,
}

/// Where a project was written.
enum ProjectAt<'n> {
    Csv(Location),
    Toml {
        /// Its key path by position (`energy_projects[2]`), for a project
        /// without a name.
        path: String,
        item: Origin,
        zone: Origin,
        delay: Option<&'n Node>,
    },
}

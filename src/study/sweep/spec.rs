//! The sweep file: read with the scenario loader's located tree and typed
//! readers, so its errors name file, line, column and key path exactly as
//! scenario errors do, and unknown keys get the same "did you mean" hints.
//! [`SweepSpec`]'s documentation shows a sweep file.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};
use crate::scenario::is_safe_name;
use crate::scenario::outputs::tables_setting;
use crate::scenario::raw::{self, Node, Origin};
use crate::scenario::reader::{self, Ctx, TableReader};
use crate::scenario::{MAX_REPLICATIONS, MAX_SEED, Tables};

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 100_000;

/// How the points are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Every combination of the listed values (the first parameter varies
    /// slowest).
    Grid,
    /// A Latin hypercube of this many points over each parameter's
    /// `[min, max]`.
    Lhs {
        /// How many points.
        points: usize,
    },
}

impl Design {
    /// The `design` key's value.
    pub fn name(&self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::Lhs { .. } => "lhs",
        }
    }
}

/// The values one parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Grid: the listed values, each with the byte offset it was written at.
    List(Vec<(f64, usize)>),
    /// Latin hypercube: the interval, and where `min` was written.
    Interval {
        /// The lowest value.
        min: f64,
        /// The highest value.
        max: f64,
        /// Byte offset in the sweep file where `min` was written.
        offset: usize,
    },
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct SweptParameter {
    /// Its parameter path in the base scenario.
    pub path: String,
    /// Where the path was written.
    pub path_offset: usize,
    /// Its key path in the sweep file (`parameters[0].path`).
    pub key: String,
    /// The values it takes.
    pub values: Values,
}

/// A sweep file, read and checked on its own (the paths are checked
/// against the base scenario later). A sweep file looks like this:
///
/// ```toml
/// [sweep]
/// name = "skills_by_grid"            # output folder name (default: the file name)
/// title = "Skills and grid"          # optional
/// base = "cpec_baseline.toml"        # the scenario to vary, relative to this file
/// design = "grid"                    # or "lhs"
/// replications = 2000                # per point (default: the base's)
/// seed = 7                           # every point's seed (default: the base's)
/// chart_scalar = "exports_final"     # optional: the scalar of the heatmap
///
/// [[parameters]]
/// path = "global.grid_availability"
/// values = [0.6, 0.7, 0.8]           # grid; for lhs: min = 0.6, max = 0.8
/// ```
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// The sweep file.
    pub file: PathBuf,
    /// Its text (values are located in it).
    pub text: String,
    /// `[sweep].name`: also the sweep folder's name.
    pub name: String,
    /// `[sweep].title` (defaults to the name).
    pub title: String,
    /// The base scenario, relative to the working folder.
    pub base: PathBuf,
    /// Where the base's path was written.
    pub base_offset: usize,
    /// How the points are laid out.
    pub design: Design,
    /// Replications of every point; `None`: the base scenario's.
    pub replications: Option<u64>,
    /// Seed of every point; `None`: the base scenario's.
    pub seed: Option<u64>,
    /// The heatmap's scalar, and where it was written.
    pub chart_scalar: Option<(String, usize)>,
    /// The swept parameters, in file order.
    pub parameters: Vec<SweptParameter>,
    /// Which yearly series each point's run keeps tables of
    /// (`[sweep].tables`): none by default, since `points.csv` and the
    /// sweep's charts read only scalars.
    pub tables: Tables,
}

/// Read the sweep file at `path` alone (without its base scenario; see
/// [`load`](super::load) for the whole check), reporting every problem
/// found.
pub fn read_spec(path: &Path) -> Result<SweepSpec, Vec<Diagnostic>> {
    let partial = read_partial(path)?;
    if partial.errors.is_empty() && partial.complete {
        Ok(partial.spec)
    } else {
        Err(partial.errors)
    }
}

/// A sweep file read as far as it could be, so that the problems found
/// later (against the base scenario) are reported with these.
pub(crate) struct PartialSpec {
    /// What was valid; invalid parts keep their defaults.
    pub spec: SweepSpec,
    /// Every problem found in the file; never empty unless `complete`.
    pub errors: Vec<Diagnostic>,
    /// Every part was read.
    pub complete: bool,
    /// `base` was read, so the base scenario can be loaded.
    pub base_known: bool,
    /// The design and every parameter's values were read, so the points
    /// can be laid out.
    pub points_known: bool,
    /// Every parameter path written (path, where, key path), including
    /// those of parameters whose values are invalid.
    pub paths: Vec<(String, usize, String)>,
}

/// Read the sweep file at `path` as far as possible. Fails only when the
/// file cannot be read or parsed as TOML.
pub(crate) fn read_partial(path: &Path) -> Result<PartialSpec, Vec<Diagnostic>> {
    let (sources, root) = raw::load_single(path)?;
    let mut ctx = Ctx::new(&sources);
    let origin = Origin { file: 0, offset: 0 };
    let mut top = TableReader::new(&root, "", "the top level", origin);

    let mut spec = SweepSpec {
        file: path.to_path_buf(),
        text: sources.file(0).text.clone(),
        name: String::new(),
        title: String::new(),
        base: PathBuf::new(),
        base_offset: 0,
        design: Design::Grid,
        replications: None,
        seed: None,
        chart_scalar: None,
        parameters: Vec::new(),
        tables: Tables::Scalars,
    };
    let header = read_header(&mut ctx, &mut top, &mut spec, path);
    let mut paths = Vec::new();
    let parameters_ok =
        read_parameters(&mut ctx, &mut top, &mut spec, header.form_known, &mut paths);
    top.finish(&mut ctx);
    let mut errors = ctx.finish();
    let complete = header.ok && parameters_ok;
    if errors.is_empty() && !complete {
        errors.push(Diagnostic::new("the sweep file could not be read").at(sources.location(0, 0)));
    }
    Ok(PartialSpec {
        spec,
        errors,
        complete,
        base_known: header.base_known,
        points_known: header.design_known && parameters_ok,
        paths,
    })
}

/// What `[sweep]` gave.
struct HeaderRead {
    /// Every key was valid.
    ok: bool,
    /// `design` was valid: the parameters' values can be read.
    form_known: bool,
    /// `design` and (for "lhs") `points` were valid: the points can be laid out.
    design_known: bool,
    /// `base` was valid.
    base_known: bool,
}

fn read_header(
    ctx: &mut Ctx,
    top: &mut TableReader,
    spec: &mut SweepSpec,
    path: &Path,
) -> HeaderRead {
    let unread = HeaderRead {
        ok: false,
        form_known: false,
        design_known: false,
        base_known: false,
    };
    let Some(node) = top.require(ctx, "sweep", "{ ... } (a table)") else {
        return unread;
    };
    let Some(table) = reader::table(ctx, node, "sweep") else {
        return unread;
    };
    let mut s = TableReader::new(table, "sweep", "[sweep]", node.origin);
    let mut ok = true;

    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match s.get("name") {
        Some(n) => {
            match reader::string(ctx, n, "sweep.name") {
                Some(v) if is_safe_name(v) => spec.name = v.to_string(),
                Some(v) => {
                    ctx.error(n.origin, "sweep.name", format!("sweep name `{v}` may only use letters, digits, `_` and `-` (at most 100)"))
                    .help = Some("the name becomes the output folder name".into());
                    ok = false;
                }
                None => ok = false,
            }
        }
        None if is_safe_name(&stem) => spec.name = stem,
        None => {
            ctx.error(
                s.origin,
                "sweep.name",
                format!("the file name `{stem}` cannot name the output folder"),
            )
            .help = Some("add name = \"my_sweep\" (letters, digits, `_` and `-`)".into());
            ok = false;
        }
    }
    spec.title = match s.get("title") {
        Some(n) => reader::string(ctx, n, "sweep.title")
            .map(str::to_string)
            .unwrap_or_default(),
        None => spec.name.clone(),
    };
    let base_known = match s
        .require(ctx, "base", "\"scenario.toml\"")
        .and_then(|n| Some((reader::string(ctx, n, "sweep.base")?, n.origin.offset)))
    {
        Some((b, offset)) => {
            let dir = path.parent().unwrap_or(Path::new(""));
            spec.base = dir.join(b);
            spec.base_offset = offset;
            true
        }
        None => false,
    };
    ok &= base_known;
    let design = s.require(ctx, "design", "\"grid\"").and_then(|n| {
        match reader::string(ctx, n, "sweep.design")? {
            "grid" => Some("grid"),
            "lhs" => Some("lhs"),
            other => {
                let d = ctx.error(
                    n.origin,
                    "sweep.design",
                    format!("unknown design `{other}`; expected \"grid\" or \"lhs\""),
                );
                if let Some(best) = reader::nearest(other, &["grid", "lhs"]) {
                    d.help = Some(format!("did you mean `{best}`?"));
                }
                None
            }
        }
    });
    let points = s.get("points");
    // Grid or hypercube decides how the parameters' values are written; the
    // hypercube's point count is needed only to lay the points out.
    let (form_known, design_known) = match (design, points) {
        (Some("lhs"), Some(n)) => {
            let count = reader::integer(ctx, n, "sweep.points", 1, MAX_POINTS as i64);
            spec.design = Design::Lhs {
                points: count.unwrap_or(0) as usize,
            };
            ok &= count.is_some();
            (true, count.is_some())
        }
        (Some("lhs"), None) => {
            s.require(ctx, "points", "20");
            spec.design = Design::Lhs { points: 0 };
            (true, false)
        }
        (Some(_), Some(n)) => {
            ctx.error(n.origin, "sweep.points", "`points` is for design = \"lhs\"; a grid has one point per combination of the listed values")
                .help = Some("remove `points`, or use design = \"lhs\" with min and max per parameter".into());
            ok = false;
            (true, true)
        }
        (Some(_), None) => (true, true),
        (None, _) => (false, false),
    };
    ok &= form_known;
    if let Some(n) = s.get("replications") {
        match reader::integer(ctx, n, "sweep.replications", 1, MAX_REPLICATIONS as i64) {
            Some(v) => spec.replications = Some(v as u64),
            None => ok = false,
        }
    }
    if let Some(n) = s.get("seed") {
        match reader::integer(ctx, n, "sweep.seed", 0, MAX_SEED as i64) {
            Some(v) => spec.seed = Some(v as u64),
            None => ok = false,
        }
    }
    if let Some(n) = s.get("chart_scalar") {
        match reader::string(ctx, n, "sweep.chart_scalar") {
            Some(v) => spec.chart_scalar = Some((v.to_string(), n.origin.offset)),
            None => ok = false,
        }
    }
    if let Some(n) = s.get("tables") {
        match tables_setting(ctx, n, "sweep.tables") {
            Some(tables) => spec.tables = tables,
            None => ok = false,
        }
    }
    s.finish(ctx);
    HeaderRead {
        ok,
        form_known,
        design_known,
        base_known,
    }
}

/// Read `[[parameters]]`. Each path is recorded in `paths` whatever its
/// values; the values are read only when the design's form is known (they
/// are written differently for a grid and a Latin hypercube).
fn read_parameters(
    ctx: &mut Ctx,
    top: &mut TableReader,
    spec: &mut SweepSpec,
    form_known: bool,
    paths: &mut Vec<(String, usize, String)>,
) -> bool {
    let lhs = matches!(spec.design, Design::Lhs { .. });
    let example = if lhs {
        "[{ path = \"global.x\", min = 0.1, max = 0.9 }]"
    } else {
        "[{ path = \"global.x\", values = [0.1, 0.5] }]"
    };
    let Some(node) = top.require(ctx, "parameters", example) else {
        return false;
    };
    let Some(items) = reader::array(ctx, node, "parameters") else {
        return false;
    };
    if items.is_empty() {
        ctx.error(
            node.origin,
            "parameters",
            "a sweep needs at least one parameter",
        )
        .help = Some("add a [[parameters]] table with a path".into());
        return false;
    }
    let mut ok = true;
    let mut grid_points: usize = 1;
    for (i, item) in items.iter().enumerate() {
        let key = format!("parameters[{i}]");
        let Some(table) = reader::table(ctx, item, &key) else {
            ok = false;
            continue;
        };
        let mut r = TableReader::new(table, key.clone(), "[[parameters]]", item.origin);
        let path = r
            .require(ctx, "path", "\"global.x\"")
            .and_then(|n| Some((reader::string(ctx, n, &format!("{key}.path"))?, n)));
        // Both forms' keys are known here, so a key of the other design is
        // reported as misplaced rather than unknown.
        let values = r.get("values");
        let (min, max) = (r.get("min"), r.get("max"));
        let read = match (form_known, lhs) {
            (false, _) => None,
            (true, true) => read_interval(ctx, &key, item, values, min, max),
            (true, false) => read_list(ctx, &key, item, values, min.or(max)),
        };
        r.finish(ctx);
        ok &= read.is_some();
        let Some((p, n)) = path else {
            ok = false;
            continue;
        };
        if paths.iter().any(|(q, _, _)| q == p) {
            ctx.error(
                n.origin,
                &format!("{key}.path"),
                format!("`{p}` is swept twice"),
            )
            .help = Some("give each parameter once; list all its values there".into());
            ok = false;
            continue;
        }
        paths.push((p.to_string(), n.origin.offset, format!("{key}.path")));
        if let Some(v) = read {
            if let Values::List(l) = &v {
                grid_points = grid_points.saturating_mul(l.len());
            }
            spec.parameters.push(SweptParameter {
                path: p.to_string(),
                path_offset: n.origin.offset,
                key: format!("{key}.path"),
                values: v,
            });
        }
    }
    if ok && !lhs && grid_points > MAX_POINTS {
        ctx.error(
            node.origin,
            "parameters",
            format!("the grid has {grid_points} points; at most {MAX_POINTS} are allowed"),
        )
        .help = Some("use fewer values, or design = \"lhs\" with a number of points".into());
        ok = false;
    }
    ok
}

fn read_list(
    ctx: &mut Ctx,
    key: &str,
    item: &Node,
    values: Option<&Node>,
    interval: Option<&Node>,
) -> Option<Values> {
    if let Some(n) = interval {
        ctx.error(
            n.origin,
            key,
            "`min` and `max` are for design = \"lhs\"; a grid lists its values",
        )
        .help = Some("write values = [a, b, c], or use design = \"lhs\"".into());
        return None;
    }
    let Some(n) = values else {
        ctx.error(
            item.origin,
            &format!("{key}.values"),
            "missing required key `values` in [[parameters]]",
        )
        .help = Some("add `values = [0.5, 0.7, 0.9]`".into());
        return None;
    };
    let vkey = format!("{key}.values");
    let items = reader::array(ctx, n, &vkey)?;
    if items.is_empty() {
        ctx.error(n.origin, &vkey, "a grid parameter needs at least one value");
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (j, v) in items.iter().enumerate() {
        let vpath = format!("{vkey}[{j}]");
        match reader::plain_number(ctx, v, &vpath) {
            Some(x) if out.iter().any(|&(y, _): &(f64, usize)| y == x) => {
                ctx.error(v.origin, &vpath, format!("{x} is listed twice"));
                ok = false;
            }
            Some(x) => out.push((x, v.origin.offset)),
            None => ok = false,
        }
    }
    ok.then_some(Values::List(out))
}

fn read_interval(
    ctx: &mut Ctx,
    key: &str,
    item: &Node,
    values: Option<&Node>,
    min: Option<&Node>,
    max: Option<&Node>,
) -> Option<Values> {
    if let Some(n) = values {
        ctx.error(n.origin, &format!("{key}.values"), "`values` is for design = \"grid\"; a Latin hypercube samples each parameter between `min` and `max`")
            .help = Some("write min = ... and max = ..., or use design = \"grid\"".into());
        return None;
    }
    let mut bound = |node: Option<&Node>, name: &str| {
        let path = format!("{key}.{name}");
        match node {
            Some(n) => reader::plain_number(ctx, n, &path).map(|v| (v, n.origin)),
            None => {
                ctx.error(
                    item.origin,
                    &path,
                    format!("missing required key `{name}` in [[parameters]]"),
                )
                .help = Some(format!(
                    "add `{name} = ...`: a Latin hypercube samples each parameter between min and max"
                ));
                None
            }
        }
    };
    let lo = bound(min, "min");
    let hi = bound(max, "max");
    let ((lo, at), (hi, _)) = (lo?, hi?);
    if lo >= hi {
        ctx.error(
            at,
            &format!("{key}.min"),
            format!("`min` ({lo}) must be below `max` ({hi})"),
        );
        return None;
    }
    Some(Values::Interval {
        min: lo,
        max: hi,
        offset: at.offset,
    })
}

/// The location of byte `offset` of the sweep file, for errors found after
/// reading (unknown paths, invalid values).
pub(crate) fn located(spec: &SweepSpec, offset: usize) -> Location {
    Location::at_offset(&spec.file, &spec.text, offset)
}

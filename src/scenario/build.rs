//! From the merged raw tree to a validated [`Scenario`]: every key read,
//! typed, range-checked and registered; every problem collected.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use nalgebra::DMatrix;

use super::csvdata::{CsvCache, CsvTable, step_series};
use super::raw::{Node, Origin, RawScenario, Table, Value, merge_tables};
use super::reader::{self, Ctx, TableReader, close_matches, nearest};
use super::types::*;
use crate::diagnostics::{Diagnostic, Location};
use crate::model::names;
use crate::uncertainty::{
    Distribution, DistributionError, ParamId, ParameterSet, SamplingError, SamplingMethod,
    StaticSampler,
};

/// Read every listed parameter of a section (all of them, so that every
/// error is reported and every key is known), then build `$T` if all are valid.
macro_rules! read_params {
    ($b:expr, $r:expr, $T:ident { $($field:ident : $range:expr $(=> $default:expr)?),* $(,)? }) => {{
        $( let $field = $b.param(&mut $r, stringify!($field), $range, read_params!(@default $($default)?)); )*
        (|| Some($T { $($field: $field?),* }))()
    }};
    (@default) => { None };
    (@default $d:expr) => { Some($d) };
}

/// The plain parameters of sections that also hold a series or table.
struct WorkforceParams {
    capital_per_worker: ParamId,
    skilled_share: ParamId,
    skill_efficiency: ParamId,
    skilled_pool_initial: ParamId,
    unskilled_pool: ParamId,
    attrition: ParamId,
    completion_rate: ParamId,
    retention_rate: ParamId,
}

struct LinkageParams {
    local_content_initial: ParamId,
    local_content_target: ParamId,
    local_content_speed: ParamId,
}

struct FiscalParams {
    tax_rate: ParamId,
    profit_margin: ParamId,
}

/// Largest accepted seed: seeds are TOML integers (signed 64-bit), and
/// the command line accepts the same range.
pub const MAX_SEED: u64 = i64::MAX as u64;
/// Largest accepted replication count.
pub const MAX_REPLICATIONS: u64 = 1_000_000_000;
/// Longest accepted horizon, in years.
pub const MAX_YEARS: i64 = 500;
const MIN_YEAR: i64 = 1800;
const MAX_YEAR: i64 = 2500;
/// Tolerance on sourcing shares summing to 1.
const SUM_TOLERANCE: f64 = 1e-6;

/// The valid range of a parameter or series value.
///
/// The bounded ranges are wide enough for any economy, and narrow enough
/// that the model's exponentials and products stay finite over the longest
/// horizon (docs/scenario-format.md gives each key's reason).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRange {
    /// A share or probability in [0, 1].
    Share,
    /// Strictly between 0 and 1 (a median availability: its logit must exist).
    OpenShare,
    /// Zero or more.
    NonNegative,
    /// Between -1 and 1.
    Unit,
    /// From the first number to the second, both included.
    Between(f64, f64),
    /// More than zero, and at most the number.
    PositiveUpTo(f64),
}

impl ValueRange {
    /// How the range reads in messages and docs.
    pub fn describe(self) -> String {
        match self {
            ValueRange::Share => "a share in [0, 1]".into(),
            ValueRange::OpenShare => "a share strictly between 0 and 1".into(),
            ValueRange::NonNegative => "a number >= 0".into(),
            ValueRange::Unit => "a number in [-1, 1]".into(),
            ValueRange::Between(lo, hi) => {
                format!("a number in [{}, {}]", short_number(lo), short_number(hi))
            }
            ValueRange::PositiveUpTo(hi) => {
                format!("a number > 0 and <= {}", short_number(hi))
            }
        }
    }

    fn contains(self, v: f64) -> bool {
        match self {
            ValueRange::Share => (0.0..=1.0).contains(&v),
            ValueRange::OpenShare => v > 0.0 && v < 1.0,
            ValueRange::NonNegative => v >= 0.0,
            ValueRange::Unit => (-1.0..=1.0).contains(&v),
            ValueRange::Between(lo, hi) => (lo..=hi).contains(&v),
            ValueRange::PositiveUpTo(hi) => v > 0.0 && v <= hi,
        }
    }

    /// Whether every value `dist` can produce lies in the range. A support
    /// edge at an open bound is fine when the sampler cannot reach it (a
    /// uniform from 0 never draws exactly 0, since uniforms are in (0, 1)).
    /// The bounds that only keep the model's numbers finite are checked
    /// against the extreme draws themselves, so a normal or a lognormal
    /// whose tails stay far inside them is accepted.
    pub fn admits(self, dist: &Distribution) -> bool {
        let (lo, hi) = dist.support();
        let (lowest, highest) = extreme_draws(dist);
        match self {
            ValueRange::Share => lo >= 0.0 && hi <= 1.0,
            ValueRange::OpenShare => lo >= 0.0 && hi <= 1.0 && lowest > 0.0 && highest < 1.0,
            ValueRange::NonNegative => lo >= 0.0,
            ValueRange::Unit => lo >= -1.0 && hi <= 1.0,
            ValueRange::Between(a, b) => lowest >= a && highest <= b,
            ValueRange::PositiveUpTo(b) => lo >= 0.0 && lowest > 0.0 && highest <= b,
        }
    }

    /// Whether the range has an upper bound, so that a distribution must be
    /// bounded above to fit it.
    fn bounded_above(self) -> bool {
        self != ValueRange::NonNegative
    }
}

/// The smallest and largest values `dist` can draw: its inverse CDF at the
/// extreme uniforms the samplers hand out.
fn extreme_draws(dist: &Distribution) -> (f64, f64) {
    (
        dist.inverse_cdf(f64::EPSILON / 2.0),
        dist.inverse_cdf(1.0 - f64::EPSILON / 2.0),
    )
}

/// `v` for a message: Rust's shortest form, in exponent notation when that
/// is much shorter (`1e6`, not `1000000`; but `1000` and `0.25`).
fn short_number(v: f64) -> String {
    let plain = format!("{v}");
    let exponent = format!("{v:e}");
    if exponent.len() + 3 <= plain.len() {
        exponent
    } else {
        plain
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

// The bounds of the bounded ranges (docs/scenario-format.md, "Why the
// ranges are bounded", gives the reason for each).
/// Money stocks and flows, USD million: 1e10 is USD 10^16, about a hundred
/// times world output.
const MAX_MUSD: f64 = 1e10;
/// Pools of people: 1e9, more than the labour force of any country.
const MAX_PERSONS: f64 = 1e9;
/// Power capacity, MW: 1e6 MW is a terawatt, more than most national grids.
const MAX_MW: f64 = 1e6;
/// Gross zone area, hectares: 1e6 ha is 10,000 km^2.
const MAX_AREA_HA: f64 = 1e6;
/// Capital per developed hectare, USD million.
const MAX_CAPITAL_PER_HA: f64 = 1e4;
/// Capital per job, USD million: from USD 1 to USD 1 billion.
const CAPITAL_PER_WORKER: ValueRange = ValueRange::Between(1e-6, 1e3);
/// Output of a skilled worker relative to an unskilled one.
const SKILL_EFFICIENCY: ValueRange = ValueRange::Between(0.01, 100.0);
/// Gross output per unit of capital at full employment: bounded below too,
/// so that initial productivity A_0 cannot underflow to 0 (TFP index A/A_0).
const OUTPUT_CAPITAL_RATIO: ValueRange = ValueRange::Between(1e-6, 100.0);
/// MWh per USD million of output.
const MAX_ENERGY_INTENSITY: f64 = 1e5;
/// Annual TFP growth and spillover (log points): 20% a year.
const TFP_RATE: ValueRange = ValueRange::Between(-0.2, 0.2);
/// Standard deviation of annual TFP shocks (log points).
const TFP_VOLATILITY: ValueRange = ValueRange::Between(0.0, 0.5);
/// Standard deviation of annual export-demand shocks (log points).
const DEMAND_VOLATILITY: ValueRange = ValueRange::Between(0.0, 1.0);
/// Elasticity of entry to last year's export demand.
const DEMAND_SENSITIVITY: ValueRange = ValueRange::Between(-3.0, 3.0);
/// Bass imitation coefficient and the holiday's entry uplift.
const ENTRY_COEFFICIENT: ValueRange = ValueRange::Between(0.0, 10.0);
/// Jobs per USD million of a sector's output.
const MAX_JOBS_PER_MUSD: f64 = 1e4;
/// The largest output multiplier (a column sum of the Leontief inverse).
const MAX_OUTPUT_MULTIPLIER: f64 = 1e3;
/// The Ishigami coefficients a and b.
const ISHIGAMI_COEFFICIENT: ValueRange = ValueRange::Between(-1e100, 1e100);
/// The Ishigami inputs.
const ISHIGAMI_INPUT: ValueRange = ValueRange::Between(-1e6, 1e6);
/// Most Sobol' G coefficients (inputs): y is at most 2^k.
const MAX_SOBOL_G_INPUTS: usize = 400;

/// Load state shared by the section readers.
struct Builder<'s> {
    ctx: Ctx<'s>,
    csv: CsvCache,
    params: ParameterSet,
    /// Where each parameter was written, for correlation errors.
    param_origins: HashMap<ParamId, Origin>,
}

/// Validate a merged raw scenario. Returns every problem found.
pub(crate) fn build(raw: &RawScenario) -> Result<Scenario, Vec<Diagnostic>> {
    let mut b = Builder {
        ctx: Ctx::new(&raw.sources),
        csv: CsvCache::default(),
        params: ParameterSet::new(),
        param_origins: HashMap::new(),
    };
    let mut top = TableReader::new(&raw.root, "", "the top level", raw.root_origin);
    // `extends` was consumed by the raw stage; it is valid at the top level.
    top.accept(&["extends"]);

    let kind = b.model_kind(&mut top);
    let header = b.header(&mut top, kind);
    let model = match kind {
        Some(ModelKind::Sez) => b
            .sez(&mut top, &header)
            .map(|s| ModelSpec::Sez(Box::new(s))),
        Some(k @ (ModelKind::Ishigami | ModelKind::SobolG)) => b.benchmark(&mut top, k),
        None => None,
    };
    let correlations = b.correlations(&mut top);
    let outputs = b.outputs(&mut top, kind, &header);
    top.finish(&mut b.ctx);

    if b.ctx.errors.is_empty() {
        b.check_positive_definite(header.seed, &correlations);
    }
    let errors = b.ctx.finish();
    if !errors.is_empty() {
        return Err(errors);
    }
    let h = header;
    let (Some(model), Some(outputs)) = (model, outputs) else {
        // Every None above comes with an error; this is unreachable in
        // practice but must not panic.
        return Err(vec![
            Diagnostic::new("scenario could not be read")
                .at(Location::file(&raw.sources.file(0).path)),
        ]);
    };
    let mut inputs: Vec<InputFile> = raw
        .sources
        .files()
        .iter()
        .map(|f| InputFile {
            path: f.path.clone(),
            sha256: super::sha256_hex(f.text.as_bytes()),
        })
        .collect();
    for (path, sha256) in b.csv.hashes() {
        inputs.push(InputFile { path, sha256 });
    }
    Ok(Scenario {
        name: h.name,
        title: h.title,
        description: h.description,
        start_year: h.start_year,
        years: h.years,
        replications: h.replications,
        seed: h.seed,
        discount_rate: h.discount_rate,
        sampling: h.sampling,
        parameters: b.params,
        correlations,
        model,
        outputs,
        inputs,
        replaced_lists: raw
            .replaced
            .iter()
            .map(|r| ReplacedList {
                key_path: r.key_path.clone(),
                inherited: r.inherited,
                replacement: r.replacement,
                at: raw.sources.location(r.origin.file, r.origin.offset),
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModelKind {
    Sez,
    Ishigami,
    SobolG,
}

/// `[scenario]`, validated. When some of it is invalid, the rest of the
/// scenario is still checked against fallback values (the errors already
/// recorded guarantee no `Scenario` is built from them).
struct Header {
    /// False when `start_year` or `years` is invalid: skip checks that need the horizon.
    horizon_known: bool,
    name: String,
    title: String,
    description: Option<String>,
    start_year: i32,
    years: u32,
    replications: u64,
    seed: u64,
    discount_rate: f64,
    sampling: SamplingMethod,
}

/// `[A-Za-z0-9_-]+` for scenario names (they become folder names).
pub(crate) fn is_safe_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// `[a-z0-9_]+` for zone ids.
fn is_zone_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

impl<'s> Builder<'s> {
    fn location(&self, origin: Origin) -> Location {
        self.ctx.location(origin)
    }

    /// The folder of the file `origin` is in: CSV paths are relative to it.
    fn base_dir(&self, origin: Origin) -> PathBuf {
        self.ctx
            .sources
            .file(origin.file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// A sub-table of `parent` as a reader; reports a wrong type.
    fn section<'t>(
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

    /// `[model].kind`; a file without `[model]`, or a `[model]` without
    /// `kind`, is a SEZ scenario.
    fn model_kind(&mut self, top: &mut TableReader) -> Option<ModelKind> {
        if top.get("model").is_none() {
            return Some(ModelKind::Sez);
        }
        let mut model = self.section(top, "model", "[model]", false)?;
        let Some(node) = model.get("kind") else {
            model.finish(&mut self.ctx);
            return Some(ModelKind::Sez);
        };
        let path = model.key_path("kind");
        let kind = match reader::string(&mut self.ctx, node, &path)? {
            "sez" => Some(ModelKind::Sez),
            "ishigami" => Some(ModelKind::Ishigami),
            "sobol_g" => Some(ModelKind::SobolG),
            other => {
                let kinds = ["sez", "ishigami", "sobol_g"];
                let d = self.ctx.error(
                    node.origin,
                    &path,
                    format!("unknown model kind `{other}`; expected one of sez, ishigami, sobol_g"),
                );
                if let Some(best) = nearest(other, &kinds) {
                    d.help = Some(format!("did you mean `{best}`?"));
                }
                None
            }
        };
        // The benchmark coefficients are read with the model body; mark them
        // valid here so the reader does not report them.
        match kind {
            Some(ModelKind::Ishigami) => model.accept(&["a", "b"]),
            Some(ModelKind::SobolG) => model.accept(&["a"]),
            _ => {}
        }
        model.finish(&mut self.ctx);
        kind
    }

    fn header(&mut self, top: &mut TableReader, kind: Option<ModelKind>) -> Header {
        let fallback = Header {
            horizon_known: false,
            name: String::new(),
            title: String::new(),
            description: None,
            start_year: 2025,
            years: 1,
            replications: 1,
            seed: 0,
            discount_rate: 0.0,
            sampling: SamplingMethod::Random,
        };
        let Some(mut s) = self.section(top, "scenario", "[scenario]", true) else {
            return fallback;
        };
        let sez = kind == Some(ModelKind::Sez);
        let mut ok = true;

        let name = s.require(&mut self.ctx, "name", "\"my_scenario\"").and_then(|n| {
            let path = s.key_path("name");
            let v = reader::string(&mut self.ctx, n, &path)?;
            if !is_safe_name(v) {
                self.ctx
                    .error(n.origin, &path, format!("scenario name `{v}` may only use letters, digits, `_` and `-` (at most 100)"))
                    .help = Some("the name becomes the output folder name, so it may not contain paths or spaces".into());
                return None;
            }
            Some(v.to_string())
        });
        ok &= name.is_some();
        let title = self.opt_string(&mut s, "title");
        let description = self.opt_string(&mut s, "description");

        let mut int =
            |b: &mut Self, key: &str, min: i64, max: i64, default: Option<i64>| -> Option<i64> {
                let node = match default {
                    Some(d) => match s.get(key) {
                        Some(n) => n,
                        None => return Some(d),
                    },
                    None => s.require(&mut b.ctx, key, "an integer")?,
                };
                let path = s.key_path(key);
                reader::integer(&mut b.ctx, node, &path, min, max)
            };
        let start_year = int(
            self,
            "start_year",
            MIN_YEAR,
            MAX_YEAR,
            (!sez).then_some(2025),
        );
        let years = int(self, "years", 1, MAX_YEARS, (!sez).then_some(1));
        let replications = int(self, "replications", 1, MAX_REPLICATIONS as i64, Some(1000));
        let seed = int(self, "seed", 0, MAX_SEED as i64, Some(1));
        ok &= start_year.is_some() && years.is_some() && replications.is_some() && seed.is_some();

        let discount_rate = match s.get("discount_rate") {
            Some(node) => {
                let path = s.key_path("discount_rate");
                let v = reader::plain_number(&mut self.ctx, node, &path);
                match v {
                    Some(v) if (0.0..=1.0).contains(&v) => Some(v),
                    Some(v) => {
                        self.ctx.error(
                            node.origin,
                            &path,
                            format!("expected a rate in [0, 1], found {v}"),
                        );
                        None
                    }
                    None => None,
                }
            }
            None if sez => {
                s.require(&mut self.ctx, "discount_rate", "0.08");
                None
            }
            None => Some(0.0),
        };
        ok &= discount_rate.is_some();

        let sampling = match s.get("sampling") {
            None => Some(SamplingMethod::Random),
            Some(node) => {
                let path = s.key_path("sampling");
                match reader::string(&mut self.ctx, node, &path) {
                    Some("random") => Some(SamplingMethod::Random),
                    Some("lhs") => Some(SamplingMethod::LatinHypercube),
                    Some(other) => {
                        self.ctx.error(
                            node.origin,
                            &path,
                            format!("unknown sampling `{other}`; expected \"random\" or \"lhs\""),
                        );
                        None
                    }
                    None => None,
                }
            }
        };
        ok &= sampling.is_some();
        s.finish(&mut self.ctx);
        let name = name.unwrap_or_default();
        Header {
            horizon_known: ok || (start_year.is_some() && years.is_some()),
            title: title.unwrap_or_else(|| name.clone()),
            name,
            description,
            start_year: start_year.map_or(fallback.start_year, |v| v as i32),
            years: years.map_or(fallback.years, |v| v as u32),
            replications: replications.map_or(fallback.replications, |v| v as u64),
            seed: seed.map_or(fallback.seed, |v| v as u64),
            discount_rate: discount_rate.unwrap_or(fallback.discount_rate),
            sampling: sampling.unwrap_or(fallback.sampling),
        }
    }

    /// A reader per table of an array of tables `[[key]]` (labelled
    /// `section` in messages), with its key path `key[i]` and origin. An item
    /// that is not a table is reported and skipped; the flag says whether
    /// every item was one.
    fn item_readers<'t>(
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
    fn req_string(&mut self, r: &mut TableReader, key: &str, example: &str) -> Option<String> {
        let node = r.require(&mut self.ctx, key, example)?;
        reader::string(&mut self.ctx, node, &r.key_path(key)).map(str::to_string)
    }

    /// A required plain integer within `[min, max]`.
    fn req_int(
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
    fn req_number(&mut self, r: &mut TableReader, key: &str, example: &str) -> Option<f64> {
        let node = r.require(&mut self.ctx, key, example)?;
        reader::plain_number(&mut self.ctx, node, &r.key_path(key))
    }

    fn opt_string(&mut self, r: &mut TableReader, key: &'static str) -> Option<String> {
        let node = r.get(key)?;
        let path = r.key_path(key);
        reader::string(&mut self.ctx, node, &path).map(str::to_string)
    }

    // ---- parameters ----

    /// A model parameter: a number or a distribution table, registered as
    /// `r.path.key`. `default` applies when the key is absent.
    fn param(
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
                return Some(self.params.register(path, dist));
            }
            (None, None) => {
                r.require(&mut self.ctx, key, "a number or { dist = ... }");
                return None;
            }
        };
        self.param_node(node, path, range)
    }

    fn param_node(&mut self, node: &Node, path: String, range: ValueRange) -> Option<ParamId> {
        let dist = match &node.value {
            Value::Table(t) => self.distribution(t, node.origin, &path)?,
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
        self.param_origins
            .insert(self.params.register(path.clone(), dist), node.origin);
        self.params.id(&path)
    }

    /// A `{ dist = "...", ... }` table.
    fn distribution(&mut self, t: &Table, origin: Origin, path: &str) -> Option<Distribution> {
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
                    "shape", "scale", "values", "weights", "p",
                ]);
                None
            }
        })();
        r.section = format!("a `{kind}` distribution");
        r.finish(&mut self.ctx);
        match result? {
            Ok(dist) => Some(dist),
            Err(e) => {
                let at = t.get(e.field).map_or(origin, |entry| entry.value.origin);
                let field_path = format!("{path}.{}", e.field);
                self.ctx.error(at, &field_path, e.message);
                None
            }
        }
    }

    /// A series: a plain number or `{ csv = "...", column = "..." }`.
    fn series(
        &mut self,
        r: &mut TableReader,
        key: &str,
        range: ValueRange,
        h: &Header,
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
                        "beta", "shape", "scale", "values", "weights", "p",
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

    fn load_csv(&mut self, path: &Path, origin: Origin, key_path: &str) -> Option<CsvTable> {
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
        h: &Header,
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

    // ---- the SEZ model ----

    fn sez(&mut self, top: &mut TableReader, h: &Header) -> Option<SezSpec> {
        top.accept(&["inputs"]);
        if let Some(n) = top.get("inputs") {
            self.ctx.error(n.origin, "inputs", "[inputs] is only used by the benchmark models (kind = \"ishigami\" or \"sobol_g\")");
        }
        let global = self.global(top, h);
        let io = self.io(top);
        let (zones, zone_ids) = self.zones(top, h, io.as_ref());
        let energy_projects = self.energy_projects(top, &zone_ids);
        let committed_investments = self.committed(top, &zone_ids, h);
        Some(SezSpec {
            global: global?,
            io: io?,
            zones,
            energy_projects: energy_projects?,
            committed_investments: committed_investments?,
        })
        .filter(|s| !s.zones.is_empty())
    }

    fn global(&mut self, top: &mut TableReader, h: &Header) -> Option<GlobalSpec> {
        let mut g = self.section(top, "global", "[global]", true)?;
        use ValueRange::*;
        let grid_availability = self.series(&mut g, "grid_availability", OpenShare, h, None);
        let grid_availability_logit_sd =
            self.param(&mut g, "grid_availability_logit_sd", NonNegative, None);
        let demand_persistence = self.param(&mut g, "demand_persistence", Unit, None);
        let demand_volatility = self.param(&mut g, "demand_volatility", DEMAND_VOLATILITY, None);
        let regulatory_shock_probability =
            self.param(&mut g, "regulatory_shock_probability", Share, None);
        let regulatory_shock_cut = self.param(&mut g, "regulatory_shock_cut", Share, None);
        let regulatory_shock_years = g
            .require(&mut self.ctx, "regulatory_shock_years", "2")
            .and_then(|n| {
                reader::integer(
                    &mut self.ctx,
                    n,
                    "global.regulatory_shock_years",
                    0,
                    MAX_YEARS,
                )
            });
        let port_capacity_teu = self.series(&mut g, "port_capacity_teu", NonNegative, h, None);
        g.finish(&mut self.ctx);
        Some(GlobalSpec {
            grid_availability: grid_availability?,
            grid_availability_logit_sd: grid_availability_logit_sd?,
            demand_persistence: demand_persistence?,
            demand_volatility: demand_volatility?,
            regulatory_shock_probability: regulatory_shock_probability?,
            regulatory_shock_cut: regulatory_shock_cut?,
            regulatory_shock_years: regulatory_shock_years? as u32,
            port_capacity_teu: port_capacity_teu?,
        })
    }

    fn io(&mut self, top: &mut TableReader) -> Option<IoTable> {
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

    fn io_table(&mut self, t: &CsvTable, key: &str) -> Option<IoTable> {
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

    /// The zones that validated, and the ids of all zones (for references).
    fn zones(
        &mut self,
        top: &mut TableReader,
        h: &Header,
        io: Option<&IoTable>,
    ) -> (Vec<Zone>, Vec<String>) {
        let defaults = top.get("zone_defaults").and_then(|n| {
            reader::table(&mut self.ctx, n, "zone_defaults").map(|t| (t.clone(), n.origin))
        });
        if let Some(entry) = defaults.as_ref().and_then(|(d, _)| d.get("id")) {
            self.ctx.error(
                entry.key_origin,
                "zone_defaults.id",
                "`id` cannot have a default: every zone needs its own",
            );
        }
        let Some(node) = top.require(&mut self.ctx, "zones", "[[zones]] entries") else {
            return (Vec::new(), Vec::new());
        };
        let Some(items) = reader::array(&mut self.ctx, node, "zones") else {
            return (Vec::new(), Vec::new());
        };
        if items.is_empty() {
            self.ctx.error(
                node.origin,
                "zones",
                "a sez scenario needs at least one zone",
            );
        }
        let mut zones = Vec::new();
        let mut ids: Vec<(String, Origin)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(own) = reader::table(&mut self.ctx, item, &format!("zones[{i}]")) else {
                continue;
            };
            // [zone_defaults] under the zone; the zone's own keys win.
            let merged = match &defaults {
                Some((d, _)) => {
                    let mut t = d.clone();
                    // Lists inside a zone are not inherited from the
                    // defaults' lists, so nothing replaced is worth noting.
                    let _ = merge_tables(&mut t, own.clone(), "");
                    t
                }
                None => own.clone(),
            };
            if let Some(zone) = self.zone(&merged, item.origin, i, h, io, &mut ids) {
                zones.push(zone);
            }
        }
        (zones, ids.into_iter().map(|(id, _)| id).collect())
    }

    fn zone(
        &mut self,
        t: &Table,
        origin: Origin,
        index: usize,
        h: &Header,
        io: Option<&IoTable>,
        ids: &mut Vec<(String, Origin)>,
    ) -> Option<Zone> {
        let mut z = TableReader::new(t, format!("zones[{index}]"), "[[zones]]", origin);
        let id_node = z.require(&mut self.ctx, "id", "\"my_zone\"");
        let id = id_node.and_then(|n| {
            let path = format!("zones[{index}].id");
            let id = reader::string(&mut self.ctx, n, &path)?;
            if !is_zone_id(id) {
                self.ctx
                    .error(n.origin, &path, format!("zone id `{id}` may only use lower-case letters, digits and `_` (at most 64)"))
                    .help = Some("ids appear in parameter paths and output tables; keep the display name in `name`".into());
                return None;
            }
            if names::AGGREGATE_ZONES.contains(&id) {
                let rows = if id == "total" {
                    "summed over zones"
                } else {
                    "of national values"
                };
                let message = format!(
                    "zone id `{id}` is reserved: the output tables use it for the rows {rows}"
                );
                self.ctx.error(n.origin, &path, message).help =
                    Some("choose another id, e.g. the zone's place name".into());
                return None;
            }
            if let Some(&(_, first)) = ids.iter().find(|(seen, _)| seen == id) {
                let first = self.location(first);
                self.ctx.error(n.origin, &path, format!("duplicate zone id `{id}` (first defined at {first})"));
                return None;
            }
            ids.push((id.to_string(), n.origin));
            Some(id.to_string())
        });
        let Some(id) = id else {
            z.accept(&[
                "name",
                "opens_year",
                "investment",
                "workforce",
                "production",
                "energy",
                "exports",
                "linkages",
                "fiscal",
            ]);
            z.finish(&mut self.ctx);
            return None;
        };
        z.path = format!("zones.{id}");
        let name = self.req_string(&mut z, "name", "\"Zone name\"");
        let opens_year = self.req_int(&mut z, "opens_year", "2027", MIN_YEAR, MAX_YEAR);
        use ValueRange::*;

        let investment = self
            .section(&mut z, "investment", "[zones.investment]", true)
            .and_then(|mut s| {
                let v = read_params!(self, s, Investment {
                    area_ha: PositiveUpTo(MAX_AREA_HA),
                    opening_delay: NonNegative => 0.0,
                    developable_share: Share,
                    capital_per_ha: PositiveUpTo(MAX_CAPITAL_PER_HA),
                    initial_capital: Between(0.0, MAX_MUSD) => 0.0,
                    bass_p: Share,
                    bass_q: ENTRY_COEFFICIENT,
                    depreciation: Share,
                    incentive_uplift: ENTRY_COEFFICIENT,
                    tax_holiday_years: NonNegative,
                    energy_sensitivity: NonNegative,
                    skill_sensitivity: NonNegative,
                    demand_sensitivity: DEMAND_SENSITIVITY,
                    fdi_share: Share,
                });
                finish_all(self, s, v)
            });
        let workforce = self
            .section(&mut z, "workforce", "[zones.workforce]", true)
            .and_then(|mut s| {
                let trainees = self.series(
                    &mut s,
                    "trainees_per_year",
                    Between(0.0, MAX_PERSONS),
                    h,
                    None,
                );
                let v = read_params!(
                    self,
                    s,
                    WorkforceParams {
                        capital_per_worker: CAPITAL_PER_WORKER,
                        skilled_share: Share,
                        skill_efficiency: SKILL_EFFICIENCY,
                        skilled_pool_initial: Between(0.0, MAX_PERSONS),
                        unskilled_pool: Between(0.0, MAX_PERSONS),
                        attrition: Share,
                        completion_rate: Share,
                        retention_rate: Share,
                    }
                );
                let v = v.zip(trainees).map(|(p, trainees_per_year)| Workforce {
                    capital_per_worker: p.capital_per_worker,
                    skilled_share: p.skilled_share,
                    skill_efficiency: p.skill_efficiency,
                    skilled_pool_initial: p.skilled_pool_initial,
                    unskilled_pool: p.unskilled_pool,
                    attrition: p.attrition,
                    trainees_per_year,
                    completion_rate: p.completion_rate,
                    retention_rate: p.retention_rate,
                });
                finish_all(self, s, v)
            });
        let production = self
            .section(&mut z, "production", "[zones.production]", true)
            .and_then(|mut s| {
                let v = read_params!(
                    self,
                    s,
                    Production {
                        alpha: Share,
                        output_capital_ratio: OUTPUT_CAPITAL_RATIO,
                        va_share: Share,
                        tfp_growth: TFP_RATE,
                        tfp_spillover: TFP_RATE,
                        tfp_volatility: TFP_VOLATILITY,
                    }
                );
                finish_all(self, s, v)
            });
        let energy = self
            .section(&mut z, "energy", "[zones.energy]", true)
            .and_then(|mut s| {
                let v = read_params!(self, s, Energy {
                    energy_intensity: Between(0.0, MAX_ENERGY_INTENSITY),
                    grid_mw: Between(0.0, MAX_MW),
                    backup_mw: Between(0.0, MAX_MW) => 0.0,
                    backup_availability: Share => 1.0,
                });
                finish_all(self, s, v)
            });
        let exports = self
            .section(&mut z, "exports", "[zones.exports]", true)
            .and_then(|mut s| {
                let v = read_params!(
                    self,
                    s,
                    Exports {
                        export_share: Share,
                        teu_per_musd: NonNegative,
                    }
                );
                finish_all(self, s, v)
            });
        let linkages = self
            .section(&mut z, "linkages", "[zones.linkages]", true)
            .and_then(|mut s| {
                let sourcing = self.sourcing(&mut s, io);
                let v = read_params!(
                    self,
                    s,
                    LinkageParams {
                        local_content_initial: Share,
                        local_content_target: Share,
                        local_content_speed: Share,
                    }
                );
                let v = v.zip(sourcing).map(|(p, sourcing)| Linkages {
                    sourcing,
                    local_content_initial: p.local_content_initial,
                    local_content_target: p.local_content_target,
                    local_content_speed: p.local_content_speed,
                });
                finish_all(self, s, v)
            });
        let fiscal = self
            .section(&mut z, "fiscal", "[zones.fiscal]", true)
            .and_then(|mut s| {
                let public_cost =
                    self.series(&mut s, "public_cost", Between(0.0, MAX_MUSD), h, Some(0.0));
                let v = read_params!(
                    self,
                    s,
                    FiscalParams {
                        tax_rate: Share,
                        profit_margin: Share,
                    }
                );
                let v = v.zip(public_cost).map(|(p, public_cost)| Fiscal {
                    tax_rate: p.tax_rate,
                    profit_margin: p.profit_margin,
                    public_cost,
                });
                finish_all(self, s, v)
            });
        z.finish(&mut self.ctx);
        Some(Zone {
            id,
            name: name?,
            opens_year: opens_year? as i32,
            investment: investment?,
            workforce: workforce?,
            production: production?,
            energy: energy?,
            exports: exports?,
            linkages: linkages?,
            fiscal: fiscal?,
        })
    }

    fn sourcing(&mut self, s: &mut TableReader, io: Option<&IoTable>) -> Option<Vec<f64>> {
        let node = s.require(
            &mut self.ctx,
            "sourcing",
            "{ textiles = 0.6, services = 0.4 }",
        )?;
        let path = s.key_path("sourcing");
        let t = reader::table(&mut self.ctx, node, &path)?;
        let io = io?;
        let mut shares = vec![0.0; io.sectors.len()];
        let mut ok = true;
        for entry in &t.entries {
            let key_path = format!("{path}.{}", entry.key);
            let Some(k) = io.sectors.iter().position(|s| *s == entry.key) else {
                let d = self.ctx.error(
                    entry.key_origin,
                    &key_path,
                    format!(
                        "unknown sector `{}`; the input-output table has: {}",
                        entry.key,
                        io.sectors.join(", ")
                    ),
                );
                if let Some(best) = nearest(&entry.key, &io.sectors) {
                    d.help = Some(format!("did you mean `{best}`?"));
                }
                ok = false;
                continue;
            };
            match reader::plain_number(&mut self.ctx, &entry.value, &key_path) {
                Some(v) if (0.0..=1.0).contains(&v) => shares[k] = v,
                Some(v) => {
                    self.ctx.error(
                        entry.value.origin,
                        &key_path,
                        format!("expected a share in [0, 1], found {v}"),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        let sum: f64 = shares.iter().sum();
        if ok && (sum - 1.0).abs() > SUM_TOLERANCE {
            self.ctx
                .error(
                    node.origin,
                    &path,
                    format!(
                        "sourcing shares must sum to 1, but they sum to {}",
                        (sum * 1e9).round() / 1e9
                    ),
                )
                .help = Some("they split the zone's local purchases across sectors".into());
            ok = false;
        }
        ok.then_some(shares)
    }

    fn energy_projects(
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
            (_, Some(delay)) => Some(self.params.register(delay_path, delay.clone())),
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
        })
    }

    fn committed(
        &mut self,
        top: &mut TableReader,
        zone_ids: &[String],
        h: &Header,
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

    // ---- benchmark models ----

    fn benchmark(&mut self, top: &mut TableReader, kind: ModelKind) -> Option<ModelSpec> {
        for key in [
            "global",
            "io",
            "zones",
            "zone_defaults",
            "energy_projects",
            "committed_investments",
        ] {
            top.accept(&[key]);
        }
        for key in [
            "global",
            "io",
            "zones",
            "zone_defaults",
            "energy_projects",
            "committed_investments",
        ] {
            if let Some(n) = top.get(key) {
                self.ctx.error(
                    n.origin,
                    key,
                    format!("`{key}` is only used by kind = \"sez\""),
                );
            }
        }
        let model_node = top.get("model")?;
        let model = reader::table(&mut self.ctx, model_node, "model")?;
        let mut inputs = self.section(top, "inputs", "[inputs]", true)?;
        let result = match kind {
            ModelKind::Ishigami => {
                let coef = |b: &mut Self, key: &str, default: f64| match model.get(key) {
                    Some(e) => {
                        let path = format!("model.{key}");
                        let v = reader::plain_number(&mut b.ctx, &e.value, &path)?;
                        if !ISHIGAMI_COEFFICIENT.contains(v) {
                            b.ctx.error(
                                e.value.origin,
                                &path,
                                format!(
                                    "expected {}, found {}",
                                    ISHIGAMI_COEFFICIENT.describe(),
                                    short_number(v)
                                ),
                            );
                            return None;
                        }
                        Some(v)
                    }
                    None => Some(default),
                };
                let a = coef(self, "a", 7.0);
                let bb = coef(self, "b", 0.1);
                let x1 = self.param(&mut inputs, "x1", ISHIGAMI_INPUT, None);
                let x2 = self.param(&mut inputs, "x2", ISHIGAMI_INPUT, None);
                let x3 = self.param(&mut inputs, "x3", ISHIGAMI_INPUT, None);
                Some(ModelSpec::Ishigami {
                    a: a?,
                    b: bb?,
                    inputs: [x1?, x2?, x3?],
                })
            }
            _ => {
                let Some(entry) = model.get("a") else {
                    self.ctx.error(
                        model_node.origin,
                        "model.a",
                        "kind = \"sobol_g\" needs its coefficients: a = [0, 1, 4.5, 9]",
                    );
                    return None;
                };
                let a = reader::numbers(&mut self.ctx, &entry.value, "model.a")?;
                if a.is_empty() || a.len() > MAX_SOBOL_G_INPUTS || a.iter().any(|&v| v < 0.0) {
                    self.ctx
                        .error(
                            entry.value.origin,
                            "model.a",
                            format!(
                                "expected 1 to {MAX_SOBOL_G_INPUTS} coefficients, each >= 0, found {}",
                                a.len()
                            ),
                        )
                        .help = Some(format!(
                        "with k inputs y can reach 2^k; beyond {MAX_SOBOL_G_INPUTS} its variance would overflow"
                    ));
                    return None;
                }
                // The G function is defined on the unit cube: outside it a
                // factor |4 x - 2| grows without bound.
                let ids: Vec<Option<ParamId>> = (1..=a.len())
                    .map(|i| self.param(&mut inputs, &format!("x{i}"), ValueRange::Share, None))
                    .collect();
                let ids: Option<Vec<ParamId>> = ids.into_iter().collect();
                Some(ModelSpec::SobolG { a, inputs: ids? })
            }
        };
        inputs.finish(&mut self.ctx);
        result
    }

    // ---- correlations and outputs ----

    fn correlations(&mut self, top: &mut TableReader) -> Vec<Correlation> {
        let Some(node) = top.get("correlations") else {
            return Vec::new();
        };
        let Some(items) = reader::array(&mut self.ctx, node, "correlations") else {
            return Vec::new();
        };
        let mut out: Vec<Correlation> = Vec::new();
        let mut pairs: HashSet<(ParamId, ParamId)> = HashSet::new();
        let (readers, _) = self.item_readers(items, "correlations", "[[correlations]]");
        for (path, mut r, _) in readers {
            let between = r.require(&mut self.ctx, "between", "[\"path.a\", \"path.b\"]");
            let spearman = r.require(&mut self.ctx, "spearman", "0.5").and_then(|n| {
                let v = reader::plain_number(&mut self.ctx, n, &format!("{path}.spearman"))?;
                if !(-1.0..=1.0).contains(&v) {
                    self.ctx.error(
                        n.origin,
                        &format!("{path}.spearman"),
                        format!("a rank correlation must lie in [-1, 1], found {v}"),
                    );
                    return None;
                }
                Some(v)
            });
            r.finish(&mut self.ctx);
            let Some(between) = between else { continue };
            let bpath = format!("{path}.between");
            let Some(ends) = reader::array(&mut self.ctx, between, &bpath) else {
                continue;
            };
            if ends.len() != 2 {
                self.ctx.error(
                    between.origin,
                    &bpath,
                    format!("expected two parameter paths, found {}", ends.len()),
                );
                continue;
            }
            let ids: Vec<Option<ParamId>> = ends
                .iter()
                .map(|e| self.uncertain_path(e, &bpath))
                .collect();
            let (Some(a), Some(b), Some(spearman)) = (ids[0], ids[1], spearman) else {
                continue;
            };
            if a == b {
                self.ctx.error(
                    between.origin,
                    &bpath,
                    "a parameter cannot be correlated with itself",
                );
                continue;
            }
            if !pairs.insert((a.min(b), a.max(b))) {
                self.ctx.error(
                    between.origin,
                    &bpath,
                    "this pair is already correlated above; give each pair once",
                );
                continue;
            }
            out.push(Correlation { a, b, spearman });
        }
        out
    }

    /// A path naming an uncertain parameter.
    fn uncertain_path(&mut self, node: &Node, path: &str) -> Option<ParamId> {
        let p = reader::string(&mut self.ctx, node, path)?;
        match self.params.id(p) {
            Some(id) if self.params.get(id).distribution.is_fixed() => {
                self.ctx
                    .error(node.origin, path, format!("`{p}` is a fixed value; only a parameter given as a distribution can be correlated"));
                None
            }
            Some(id) => Some(id),
            None => {
                let close = close_matches(p, self.params.paths(), 5);
                let d = self
                    .ctx
                    .error(node.origin, path, format!("unknown parameter path `{p}`"));
                d.help = Some(if close.is_empty() {
                    "paths look like global.<key>, zones.<id>.<section>.<key>, energy_projects.<name>.delay or inputs.<name>".into()
                } else {
                    format!("close matches: {}", close.join(", "))
                });
                None
            }
        }
    }

    fn check_positive_definite(&mut self, seed: u64, correlations: &[Correlation]) {
        if correlations.is_empty() {
            return;
        }
        let uncertain: Vec<ParamId> = self.params.uncertain().map(|(id, _)| id).collect();
        let pos = |id: ParamId| uncertain.iter().position(|&u| u == id).unwrap_or(0);
        let purposes: Vec<String> = uncertain
            .iter()
            .map(|&id| self.params.get(id).path.clone())
            .collect();
        let targets: Vec<_> = correlations
            .iter()
            .map(|c| crate::uncertainty::RankCorrelation {
                a: pos(c.a),
                b: pos(c.b),
                spearman: c.spearman,
            })
            .collect();
        if let Err(SamplingError::NotPositiveDefinite { pairs }) =
            StaticSampler::new(seed, 1, SamplingMethod::Random, &purposes, &targets)
        {
            let named: Vec<String> = pairs
                .iter()
                .map(|&(a, b)| format!("{} ~ {}", purposes[a], purposes[b]))
                .collect();
            let origin = correlations
                .iter()
                .find(|c| {
                    pairs.iter().any(|&(a, b)| {
                        (pos(c.a), pos(c.b)) == (a, b) || (pos(c.a), pos(c.b)) == (b, a)
                    })
                })
                .and_then(|c| self.param_origins.get(&c.a).copied());
            let at = origin.map(|o| self.location(o));
            let mut d = Diagnostic::new(format!(
                "the correlation targets are not jointly possible (the matrix is not positive definite); involved pairs: {}",
                named.join("; ")
            ))
            .key("correlations")
            .help("weaken one of these correlations: e.g. three parameters cannot all be strongly negatively correlated with each other");
            if let Some(at) = at {
                d = d.at(at);
            }
            self.ctx.errors.push(d);
        }
    }

    fn outputs(
        &mut self,
        top: &mut TableReader,
        kind: Option<ModelKind>,
        h: &Header,
    ) -> Option<OutputSettings> {
        let sez = kind == Some(ModelKind::Sez);
        let last_year = h.start_year + h.years as i32 - 1;
        let mut settings = OutputSettings {
            quantiles: vec![0.05, 0.25, 0.5, 0.75, 0.95],
            table_years: default_table_years(h.start_year, last_year),
            charts: if sez {
                names::DEFAULT_CHARTS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                Vec::new()
            },
            targets: Vec::new(),
        };
        let Some(mut o) = self.section(top, "outputs", "[outputs]", false) else {
            return Some(settings);
        };
        let mut ok = true;
        if let Some(n) = o.get("quantiles") {
            match reader::numbers(&mut self.ctx, n, "outputs.quantiles") {
                Some(q)
                    if !q.is_empty()
                        && q.iter().all(|&v| v > 0.0 && v < 1.0)
                        && q.windows(2).all(|w| w[0] < w[1])
                        && q.len() <= 99 =>
                {
                    let labels: Vec<String> = q.iter().map(|&v| names::quantile_label(v)).collect();
                    if labels.iter().collect::<HashSet<_>>().len() != labels.len() {
                        self.ctx.error(n.origin, "outputs.quantiles", "quantiles too close to tell apart in column names (use at most 3 decimals of percent)");
                        ok = false;
                    } else {
                        settings.quantiles = q;
                    }
                }
                Some(_) => {
                    self.ctx.error(n.origin, "outputs.quantiles", "expected levels strictly between 0 and 1, in increasing order, without repeats, e.g. [0.05, 0.5, 0.95]");
                    ok = false;
                }
                None => ok = false,
            }
        }
        if let Some(n) = o.get("table_years") {
            if let Some(items) = reader::array(&mut self.ctx, n, "outputs.table_years") {
                let mut years = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let (lo, hi) = if h.horizon_known {
                        (h.start_year as i64, last_year as i64)
                    } else {
                        (MIN_YEAR, MAX_YEAR)
                    };
                    match reader::integer(
                        &mut self.ctx,
                        item,
                        &format!("outputs.table_years[{i}]"),
                        lo,
                        hi,
                    ) {
                        Some(y) => years.push(y as i32),
                        None => ok = false,
                    }
                }
                settings.table_years = years;
            } else {
                ok = false;
            }
        }
        if let Some(n) = o.get("charts") {
            if let Some(items) = reader::array(&mut self.ctx, n, "outputs.charts") {
                let valid: Vec<&str> = if sez {
                    names::SERIES
                        .iter()
                        .chain(names::NATIONAL.iter())
                        .copied()
                        .collect()
                } else {
                    Vec::new()
                };
                // (chart, index of the item that named it)
                let mut charts: Vec<(String, usize)> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("outputs.charts[{i}]");
                    let Some(c) = reader::string(&mut self.ctx, item, &path) else {
                        ok = false;
                        continue;
                    };
                    if let Some(first) = charts.iter().position(|(seen, _)| seen == c) {
                        let first = self.location(items[charts[first].1].origin);
                        self.ctx
                            .error(
                                item.origin,
                                &path,
                                format!("`{c}` is listed twice (first at {first})"),
                            )
                            .help = Some("each chart is drawn once; remove the repeat".into());
                        ok = false;
                    } else if valid.contains(&c) {
                        charts.push((c.to_string(), i));
                    } else {
                        let d = self.ctx.error(
                            item.origin,
                            &path,
                            if valid.is_empty() {
                                format!("`{c}`: this model has no time series to chart")
                            } else {
                                format!(
                                    "unknown output `{c}`; chartable outputs: {}",
                                    valid.join(", ")
                                )
                            },
                        );
                        if let Some(best) = nearest(c, &valid) {
                            d.help = Some(format!("did you mean `{best}`?"));
                        }
                        ok = false;
                    }
                }
                settings.charts = charts.into_iter().map(|(c, _)| c).collect();
            } else {
                ok = false;
            }
        }
        if let Some(n) = o.get("targets") {
            if let Some(t) = reader::table(&mut self.ctx, n, "outputs.targets") {
                let valid: &[&str] = if sez { names::SCALARS } else { &["y"] };
                for entry in &t.entries {
                    let path = format!("outputs.targets.{}", entry.key);
                    if !valid.contains(&entry.key.as_str()) {
                        let d = self.ctx.error(
                            entry.key_origin,
                            &path,
                            format!(
                                "unknown scalar outcome `{}`; targets can be set on: {}",
                                entry.key,
                                valid.join(", ")
                            ),
                        );
                        if let Some(best) = nearest(&entry.key, valid) {
                            d.help = Some(format!("did you mean `{best}`?"));
                        }
                        ok = false;
                        continue;
                    }
                    match reader::plain_number(&mut self.ctx, &entry.value, &path) {
                        Some(v) => settings.targets.push((entry.key.clone(), v)),
                        None => ok = false,
                    }
                }
            } else {
                ok = false;
            }
        }
        o.finish(&mut self.ctx);
        ok.then_some(settings)
    }
}

/// Every fifth year from the start, plus the final year.
fn default_table_years(start: i32, last: i32) -> Vec<i32> {
    let mut years: Vec<i32> = (start..=last).step_by(5).collect();
    if years.last() != Some(&last) {
        years.push(last);
    }
    years
}

/// Finish a section reader and pass its value through.
fn finish_all<T>(b: &mut Builder, r: TableReader, value: Option<T>) -> Option<T> {
    r.finish(&mut b.ctx);
    value
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

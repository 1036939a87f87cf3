//! Reading a SEZ scenario: `[global]`, `[zone_defaults]` and `[[zones]]`,
//! every key typed and range-checked (docs/scenario-format.md gives each
//! key's range and why), the zone defaults merged under every zone.

use std::ops::{Deref, DerefMut};

use super::spec::*;
use crate::engine::AGGREGATE_GROUPS;
use crate::scenario::raw::{Origin, Table, merge_tables};
use crate::scenario::reader::{self, TableReader, nearest};
use crate::scenario::{Horizon, MAX_YEAR, MAX_YEARS, MIN_YEAR, Schema};
use crate::uncertainty::{ParamId, ValueRange};

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

// The bounds of the bounded ranges (docs/scenario-format.md, "Why the
// ranges are bounded", gives the reason for each).
/// Money stocks and flows, USD million: 1e10 is USD 10^16, about a hundred
/// times world output.
pub(super) const MAX_MUSD: f64 = 1e10;
/// Pools of people: 1e9, more than the labour force of any country.
pub(super) const MAX_PERSONS: f64 = 1e9;
/// Power capacity, MW: 1e6 MW is a terawatt, more than most national grids.
pub(super) const MAX_MW: f64 = 1e6;
/// Gross zone area, hectares: 1e6 ha is 10,000 km^2.
pub(super) const MAX_AREA_HA: f64 = 1e6;
/// Capital per developed hectare, USD million.
pub(super) const MAX_CAPITAL_PER_HA: f64 = 1e4;
/// Capital per job, USD million: from USD 1 to USD 1 billion.
pub(super) const CAPITAL_PER_WORKER: ValueRange = ValueRange::Between(1e-6, 1e3);
/// Output of a skilled worker relative to an unskilled one.
pub(super) const SKILL_EFFICIENCY: ValueRange = ValueRange::Between(0.01, 100.0);
/// Gross output per unit of capital at full employment: bounded below too,
/// so that initial productivity A_0 cannot underflow to 0 (TFP index A/A_0).
pub(super) const OUTPUT_CAPITAL_RATIO: ValueRange = ValueRange::Between(1e-6, 100.0);
/// MWh per USD million of output.
pub(super) const MAX_ENERGY_INTENSITY: f64 = 1e5;
/// Annual TFP growth and spillover (log points): 20% a year.
pub(super) const TFP_RATE: ValueRange = ValueRange::Between(-0.2, 0.2);
/// Standard deviation of annual TFP shocks (log points).
pub(super) const TFP_VOLATILITY: ValueRange = ValueRange::Between(0.0, 0.5);
/// Standard deviation of annual export-demand shocks (log points).
pub(super) const DEMAND_VOLATILITY: ValueRange = ValueRange::Between(0.0, 1.0);
/// Elasticity of entry to last year's export demand.
pub(super) const DEMAND_SENSITIVITY: ValueRange = ValueRange::Between(-3.0, 3.0);
/// Bass imitation coefficient and the holiday's entry uplift.
pub(super) const ENTRY_COEFFICIENT: ValueRange = ValueRange::Between(0.0, 10.0);
/// Jobs per USD million of a sector's output.
pub(super) const MAX_JOBS_PER_MUSD: f64 = 1e4;
/// The largest output multiplier (a column sum of the Leontief inverse).
pub(super) const MAX_OUTPUT_MULTIPLIER: f64 = 1e3;

/// Tolerance on sourcing shares summing to 1.
const SUM_TOLERANCE: f64 = 1e-6;

/// The generic [`Schema`] with the SEZ model's section readers.
pub(super) struct SezReader<'a, 's> {
    schema: &'a mut Schema<'s>,
}

impl<'a, 's> SezReader<'a, 's> {
    pub(super) fn new(schema: &'a mut Schema<'s>) -> Self {
        SezReader { schema }
    }
}

impl<'s> Deref for SezReader<'_, 's> {
    type Target = Schema<'s>;

    fn deref(&self) -> &Schema<'s> {
        self.schema
    }
}

impl DerefMut for SezReader<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.schema
    }
}

/// `[a-z0-9_]+` for zone ids.
fn is_zone_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

impl SezReader<'_, '_> {
    /// Every section of a SEZ scenario.
    pub(super) fn read(&mut self, top: &mut TableReader, h: &Horizon) -> Option<SezSpec> {
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

    fn global(&mut self, top: &mut TableReader, h: &Horizon) -> Option<GlobalSpec> {
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

    /// The zones that validated, and the ids of all zones (for references).
    fn zones(
        &mut self,
        top: &mut TableReader,
        h: &Horizon,
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
                    let _ = merge_tables(&mut t, own.clone(), "", &super::MERGE_RULES);
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
        h: &Horizon,
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
            if AGGREGATE_GROUPS.contains(&id) {
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
                self.finish(s, v)
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
                self.finish(s, v)
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
                self.finish(s, v)
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
                self.finish(s, v)
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
                self.finish(s, v)
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
                self.finish(s, v)
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
                self.finish(s, v)
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
}

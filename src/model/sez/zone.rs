//! `[zone_defaults]` and `[[zones]]`: the defaults merged under every zone
//! (common parameters drawn once), then each zone's sections, its phases
//! of serviced land, and the checks that tie keys together.

use super::schema::*;
use super::spec::*;
use crate::engine::AGGREGATE_GROUPS;
use crate::scenario::raw::{Origin, Table, Value, merge_tables};
use crate::scenario::reader::{self, TableReader, nearest};
use crate::scenario::{Horizon, MAX_YEAR, MIN_YEAR};
use crate::uncertainty::range::extreme_draws;
use crate::uncertainty::{ParamId, ValueRange};

/// Tolerance on sourcing shares summing to 1.
const SUM_TOLERANCE: f64 = 1e-6;

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
    training_cost: ParamId,
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

/// The parameters of `[zones.investment]`, before its land is known.
struct InvestmentParams {
    opening_delay: ParamId,
    developable_share: ParamId,
    capital_per_ha: ParamId,
    initial_capital: ParamId,
    bass_p: ParamId,
    bass_q: ParamId,
    depreciation: ParamId,
    incentive_uplift: ParamId,
    tax_holiday_years: ParamId,
    energy_sensitivity: ParamId,
    skill_sensitivity: ParamId,
    demand_sensitivity: ParamId,
    fdi_share: ParamId,
    margin_sensitivity: ParamId,
    viability_probability: ParamId,
    nonviable_factor: ParamId,
}

impl InvestmentParams {
    fn with_land(self, land: Land) -> Investment {
        Investment {
            land,
            opening_delay: self.opening_delay,
            developable_share: self.developable_share,
            capital_per_ha: self.capital_per_ha,
            initial_capital: self.initial_capital,
            bass_p: self.bass_p,
            bass_q: self.bass_q,
            depreciation: self.depreciation,
            incentive_uplift: self.incentive_uplift,
            tax_holiday_years: self.tax_holiday_years,
            energy_sensitivity: self.energy_sensitivity,
            skill_sensitivity: self.skill_sensitivity,
            demand_sensitivity: self.demand_sensitivity,
            fdi_share: self.fdi_share,
            margin_sensitivity: self.margin_sensitivity,
            viability_probability: self.viability_probability,
            nonviable_factor: self.nonviable_factor,
        }
    }
}

/// Where each value of the sections of `[zone_defaults]` was written.
fn value_origins(defaults: &Table) -> Vec<Origin> {
    let mut origins = Vec::new();
    for section in &defaults.entries {
        if let Value::Table(keys) = &section.value.value {
            origins.extend(keys.entries.iter().map(|e| e.value.origin));
        }
    }
    origins
}

/// Where a zone's table was written, and what it inherits.
#[derive(Debug, Clone, Copy)]
struct ZoneItem {
    /// Where the `[[zones]]` item starts.
    origin: Origin,
    /// Its position in `[[zones]]`.
    index: usize,
    /// The value of `investment.area_ha` in `[zone_defaults]`, where written.
    inherited_area_ha: Option<Origin>,
}

impl SezReader<'_, '_> {
    /// The zones that validated, and the ids of all zones (for references).
    pub(super) fn zones(
        &mut self,
        top: &mut TableReader,
        h: &Horizon,
        io: Option<&IoTable>,
    ) -> (Vec<Zone>, Vec<String>) {
        let mut defaults = top.get("zone_defaults").and_then(|n| {
            reader::table(&mut self.ctx, n, "zone_defaults").map(|t| (t.clone(), n.origin))
        });
        if let Some((d, _)) = defaults.as_mut() {
            for (key, why) in [
                ("id", "`id` cannot have a default: every zone needs its own"),
                (
                    "phases",
                    "[zone_defaults] cannot hold phases: each zone lists its own [[zones.phases]]",
                ),
            ] {
                if let Some(pos) = d.entries.iter().position(|e| e.key == key) {
                    let entry = d.entries.remove(pos);
                    self.ctx
                        .error(entry.key_origin, &format!("zone_defaults.{key}"), why);
                }
            }
            self.common_scopes(d);
            self.default_origins = value_origins(d);
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
            let area_from_defaults = defaults
                .as_ref()
                .and_then(|(d, _)| d.get("investment"))
                .and_then(|e| match &e.value.value {
                    Value::Table(t) => t.get("area_ha").map(|a| a.value.origin),
                    _ => None,
                });
            let at = ZoneItem {
                origin: item.origin,
                index: i,
                inherited_area_ha: area_from_defaults,
            };
            if let Some(zone) = self.zone(&merged, at, h, io, &mut ids) {
                zones.push(zone);
            }
        }
        (zones, ids.into_iter().map(|(id, _)| id).collect())
    }

    fn zone(
        &mut self,
        t: &Table,
        at: ZoneItem,
        h: &Horizon,
        io: Option<&IoTable>,
        ids: &mut Vec<(String, Origin)>,
    ) -> Option<Zone> {
        let index = at.index;
        let mut z = TableReader::new(t, format!("zones[{index}]"), "[[zones]]", at.origin);
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
                "phases",
            ]);
            z.finish(&mut self.ctx);
            return None;
        };
        z.path = format!("zones.{id}");
        let name = self.req_string(&mut z, "name", "\"Zone name\"");
        let opens_year = self.req_int(&mut z, "opens_year", "2027", MIN_YEAR, MAX_YEAR);
        let phases = self.phases(&mut z, &id);
        let phases_at = z.get("phases").map(|n| n.origin);
        let phased = phases_at.is_some();
        use ValueRange::*;

        let investment = self
            .section(&mut z, "investment", "[zones.investment]", true)
            .and_then(|mut s| {
                let land = self.land(&mut s, phases_at, at.inherited_area_ha);
                let v = read_params!(self, s, InvestmentParams {
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
                    margin_sensitivity: MARGIN_SENSITIVITY => 0.0,
                    viability_probability: Share => 1.0,
                    nonviable_factor: Share => 0.0,
                });
                let v = v.zip(land).map(|(p, land)| p.with_land(land));
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
                        training_cost: TRAINING_COST => 0.0,
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
                    training_cost: p.training_cost,
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
                let energy_intensity = self.param(
                    &mut s,
                    "energy_intensity",
                    Between(0.0, MAX_ENERGY_INTENSITY),
                    None,
                );
                // A zone with phases gets its connection with them.
                let grid_default = phased.then_some(0.0);
                let grid_mw = self.param(&mut s, "grid_mw", Between(0.0, MAX_MW), grid_default);
                let backup_mw = self.param(&mut s, "backup_mw", Between(0.0, MAX_MW), Some(0.0));
                let backup_availability =
                    self.param(&mut s, "backup_availability", Share, Some(1.0));
                let hours = match self.hours {
                    Some(true) => self.hours_energy(&mut s, h).map(Some),
                    _ => {
                        self.wrong_mode(&mut s, HOURS_ZONE_KEYS);
                        Some(None)
                    }
                };
                let v = (|| {
                    Some(Energy {
                        energy_intensity: energy_intensity?,
                        grid_mw: grid_mw?,
                        backup_mw: backup_mw?,
                        backup_availability: backup_availability?,
                        hours: hours?,
                    })
                })();
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
                let basis = self.choice(&mut s, "holiday_basis", &["zone", "enterprise"], "zone");
                let holiday_basis = basis.map(|b| match b {
                    "enterprise" => HolidayBasis::Enterprise,
                    _ => HolidayBasis::Zone,
                });
                let v = v.zip(public_cost).zip(holiday_basis).map(
                    |((p, public_cost), holiday_basis)| Fiscal {
                        tax_rate: p.tax_rate,
                        profit_margin: p.profit_margin,
                        public_cost,
                        holiday_basis,
                    },
                );
                self.finish(s, v)
            });
        z.finish(&mut self.ctx);
        if let (Some(i), Some(f)) = (&investment, &fiscal) {
            self.check_margin_sensitivity(i, f, &id);
        }
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
            phases: phases?,
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

    /// Take `scope` off every distribution of the defaults `d`, keeping the
    /// common ones (drawn once, shared by the zones that inherit them).
    fn common_scopes(&mut self, d: &mut Table) {
        for section in d.entries.iter_mut() {
            let Value::Table(keys) = &mut section.value.value else {
                continue;
            };
            for entry in keys.entries.iter_mut() {
                let Value::Table(dist) = &mut entry.value.value else {
                    continue;
                };
                let Some(pos) = dist.entries.iter().position(|e| e.key == "scope") else {
                    continue;
                };
                let scope = dist.entries.remove(pos);
                let path = format!("zone_defaults.{}.{}.scope", section.key, entry.key);
                // Only a distribution has a scope: on a series or a map of
                // shares it is an error whatever it says.
                if dist.get("dist").is_none() {
                    self.ctx.error(
                        scope.value.origin,
                        &path,
                        "`scope` belongs on a distribution table (with `dist`)",
                    );
                    continue;
                }
                let common = match &scope.value.value {
                    Value::String(s) if s == "common" => true,
                    Value::String(s) if s == "zone" => false,
                    other => {
                        let found = match other {
                            Value::String(s) => format!("\"{s}\""),
                            v => v.type_name().to_string(),
                        };
                        let d = self.ctx.error(
                            scope.value.origin,
                            &path,
                            format!("unknown scope {found}; expected \"zone\" or \"common\""),
                        );
                        if let Value::String(s) = other
                            && let Some(best) = nearest(s, &["zone", "common"])
                        {
                            d.help = Some(format!("did you mean \"{best}\"?"));
                        }
                        false
                    }
                };
                if common {
                    self.common.push(CommonSlot {
                        section: section.key.clone(),
                        key: entry.key.clone(),
                        node: entry.value.clone(),
                        id: None,
                        zones: Vec::new(),
                    });
                }
            }
        }
    }

    /// A positive `margin_sensitivity` needs a profit margin above zero:
    /// entry scales with the margin over it.
    fn check_margin_sensitivity(&mut self, i: &Investment, f: &Fiscal, id: &str) {
        let params = self.params();
        let theta = &params.get(i.margin_sensitivity).distribution;
        let margin = &params.get(f.profit_margin).distribution;
        if extreme_draws(theta).1 > 0.0 && extreme_draws(margin).0 <= 0.0 {
            let path = format!("zones.{id}.investment.margin_sensitivity");
            let origin = self.param_origins.get(&i.margin_sensitivity).copied();
            let message = "a positive margin_sensitivity needs a profit_margin above 0: entry reacts to the margin relative to it";
            match origin {
                Some(o) => {
                    self.ctx.error(o, &path, message).help = Some(
                        "raise fiscal.profit_margin above 0, or set margin_sensitivity = 0".into(),
                    );
                }
                None => self
                    .ctx
                    .errors
                    .push(crate::diagnostics::Diagnostic::new(message).key(&path)),
            }
        }
    }
}

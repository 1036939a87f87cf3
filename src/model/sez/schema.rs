//! Reading a SEZ scenario: the shared state of its section readers, the
//! valid ranges of its keys (docs/scenario-format.md gives each and why),
//! `[global]` with the power mode, and parameters shared by every zone
//! (`scope = "common"` in `[zone_defaults]`). The zones are read in `zone`,
//! the input-output table in `io`, projects and investments in `projects`.

use std::ops::{Deref, DerefMut};

use super::spec::*;
use crate::scenario::raw::{Node, Origin};
use crate::scenario::reader::{self, TableReader};
use crate::scenario::{Horizon, MAX_YEAR, MAX_YEARS, MIN_YEAR, Schema, Series};
use crate::uncertainty::{ParamId, ValueRange};

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
/// Outage hours a day.
pub(super) const HOURS_A_DAY: ValueRange = ValueRange::Between(0.0, 24.0);
/// Log standard deviation of a yearly outage draw: 5 spans any outage
/// record; larger draws are capped at 24 hours anyway.
pub(super) const OUTAGE_LOGSD: ValueRange = ValueRange::Between(0.0, 5.0);
/// Prices and costs of energy, USD/MWh: 10,000 is thirty times the dearest
/// diesel.
pub(super) const PRICE: ValueRange = ValueRange::Between(0.0, 1e4);
/// Share of output lost per uncovered outage hour a day, on a log scale:
/// 10 loses all but e^-240 of output at 24 hours, which stays finite.
pub(super) const OUTAGE_LOSS: ValueRange = ValueRange::Between(0.0, 10.0);
/// Average over peak load: the load-duration curve needs at least 0.5.
pub(super) const LOAD_FACTOR: ValueRange = ValueRange::Between(0.5, 1.0);
/// Elasticity of entry to the margin: at 10 a margin half the reference
/// cuts entry a thousandfold.
pub(super) const MARGIN_SENSITIVITY: ValueRange = ValueRange::Between(0.0, 10.0);
/// Public cost per trainee, USD.
pub(super) const TRAINING_COST: ValueRange = ValueRange::Between(0.0, 1e7);

/// The keys of `[global]` that belong to `power_mode = "balance"`.
pub(super) const BALANCE_GLOBAL_KEYS: &[&str] =
    &["grid_availability", "grid_availability_logit_sd"];
/// The keys of `[global]` that belong to `power_mode = "hours"`.
pub(super) const HOURS_GLOBAL_KEYS: &[&str] = &[
    "outage_unplanned_hours",
    "outage_unplanned_logsd",
    "outage_planned_hours",
    "outage_planned_logsd",
    "tariff",
];
/// The keys of `[zones.energy]` that belong to `power_mode = "hours"`.
pub(super) const HOURS_ZONE_KEYS: &[&str] = &[
    "outage_loss_unplanned",
    "outage_loss_planned",
    "load_factor",
    "backup_cost",
    "tariff_relief",
    "relief_budget_share",
    "energy_cost_reference",
    "feeder_year",
    "feeder_unplanned_factor",
    "feeder_planned_factor",
    "feeder_capex",
    "feeder_om",
];

/// A distribution in `[zone_defaults]` with `scope = "common"`: one draw
/// shared by every zone that inherits it.
pub(super) struct CommonSlot {
    /// Its section and key (`production`, `alpha`).
    pub section: String,
    pub key: String,
    /// The distribution table, without `scope`, where the defaults wrote it.
    pub node: Node,
    /// Its parameter, once a zone has read it.
    pub id: Option<ParamId>,
    /// The zones that share it.
    pub zones: Vec<String>,
}

/// The generic [`Schema`] with the SEZ model's section readers.
pub(super) struct SezReader<'a, 's> {
    schema: &'a mut Schema<'s>,
    /// `power_mode`: true for `"hours"` (`None` when unreadable).
    pub hours: Option<bool>,
    /// The common parameters of `[zone_defaults]`.
    pub common: Vec<CommonSlot>,
    /// Where the values of `[zone_defaults]` were written, to tell what a
    /// zone inherits.
    pub default_origins: Vec<Origin>,
    /// Zone parameters whose `label` a zone inherited from
    /// `[zone_defaults]`, with the zone's id: the zone's name goes in
    /// front, so the zones' parameters keep labels of their own.
    pub inherited_labels: Vec<(ParamId, String)>,
}

impl<'a, 's> SezReader<'a, 's> {
    pub(super) fn new(schema: &'a mut Schema<'s>) -> Self {
        SezReader {
            schema,
            hours: None,
            common: Vec::new(),
            default_origins: Vec::new(),
            inherited_labels: Vec::new(),
        }
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

/// `[a-z0-9_]+` for zone ids and phase names.
pub(super) fn is_zone_id(s: &str) -> bool {
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
        let common = self
            .common
            .iter()
            .filter_map(|c| {
                Some(CommonParameter {
                    id: c.id?,
                    zones: c.zones.clone(),
                })
            })
            .collect();
        for (id, zone) in std::mem::take(&mut self.inherited_labels) {
            let Some(z) = zones.iter().find(|z| z.id == zone) else {
                continue;
            };
            let label = format!(
                "{}: {}",
                super::labels::short_name(&z.name),
                self.params.get(id).label()
            );
            self.params.set_label(id, label);
        }
        Some(SezSpec {
            global: global?,
            io: io?,
            zones,
            energy_projects: energy_projects?,
            committed_investments: committed_investments?,
            common,
        })
        .filter(|s| !s.zones.is_empty())
    }

    /// Keys of `r` that belong to the other power mode: marked known and
    /// reported, never silently ignored.
    pub(super) fn wrong_mode(&mut self, r: &mut TableReader, keys: &[&str]) {
        let (theirs, ours) = match self.hours {
            Some(true) => ("balance", "hours"),
            Some(false) => ("hours", "balance"),
            None => {
                r.accept(keys);
                return;
            }
        };
        for &key in keys {
            if let Some(node) = r.get(key) {
                let path = r.key_path(key);
                self.ctx
                    .error(
                        node.origin,
                        &path,
                        format!(
                            "`{key}` belongs to power_mode = \"{theirs}\"; this scenario's power_mode is \"{ours}\""
                        ),
                    )
                    .help = Some(format!(
                    "remove it, or set power_mode = \"{theirs}\" in [global] (variants that differ in power_mode extend a parent that holds what they share)"
                ));
            }
        }
    }

    /// A model parameter of the section `r`: the zone's own value, or a
    /// common parameter of `[zone_defaults]` when the zone inherits it
    /// (registered once, at `zone_defaults.<section>.<key>`).
    pub(super) fn param(
        &mut self,
        r: &mut TableReader,
        key: &str,
        range: ValueRange,
        default: Option<f64>,
    ) -> Option<ParamId> {
        let inherited = r.get(key).map(|n| n.origin);
        let section = r.path.rsplit('.').next().unwrap_or_default().to_string();
        let zone = r.path.split('.').nth(1).unwrap_or_default().to_string();
        let slot = self
            .common
            .iter()
            .position(|c| c.section == section && c.key == key && Some(c.node.origin) == inherited);
        let Some(slot) = slot else {
            let id = self.schema.param(r, key, range, default);
            if let (Some(id), Some(origin)) = (id, inherited)
                && self.default_origins.contains(&origin)
                && self.params.get(id).has_label()
            {
                self.inherited_labels.push((id, zone));
            }
            return id;
        };
        let id = match self.common[slot].id {
            Some(id) => Some(id),
            None => {
                let node = self.common[slot].node.clone();
                let path = format!("zone_defaults.{section}.{key}");
                let id = self.schema.param_node(&node, path, range);
                self.common[slot].id = id;
                id
            }
        };
        self.common[slot].zones.push(zone);
        id
    }

    /// An optional plain integer year of `r`.
    pub(super) fn opt_year(&mut self, r: &mut TableReader, key: &str) -> Option<Option<i32>> {
        match r.get(key) {
            None => Some(None),
            Some(n) => {
                let path = r.key_path(key);
                reader::integer(&mut self.ctx, n, &path, MIN_YEAR, MAX_YEAR).map(|y| Some(y as i32))
            }
        }
    }

    fn global(&mut self, top: &mut TableReader, h: &Horizon) -> Option<GlobalSpec> {
        let mut g = self.section(top, "global", "[global]", true)?;
        use ValueRange::*;
        let mode = self.choice(&mut g, "power_mode", &["balance", "hours"], "balance");
        self.hours = mode.map(|m| m == "hours");
        let power = match self.hours {
            Some(true) => {
                self.wrong_mode(&mut g, BALANCE_GLOBAL_KEYS);
                self.hours_global(&mut g, h).map(PowerMode::Hours)
            }
            Some(false) => {
                self.wrong_mode(&mut g, HOURS_GLOBAL_KEYS);
                let grid_availability =
                    self.series(&mut g, "grid_availability", OpenShare, h, None);
                let grid_availability_logit_sd =
                    self.param(&mut g, "grid_availability_logit_sd", NonNegative, None);
                (|| {
                    Some(PowerMode::Balance {
                        grid_availability: grid_availability?,
                        grid_availability_logit_sd: grid_availability_logit_sd?,
                    })
                })()
            }
            None => {
                g.accept(BALANCE_GLOBAL_KEYS);
                g.accept(HOURS_GLOBAL_KEYS);
                None
            }
        };
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
        let holiday_sunset_year = self.opt_year(&mut g, "holiday_sunset_year");
        g.finish(&mut self.ctx);
        Some(GlobalSpec {
            power: power?,
            demand_persistence: demand_persistence?,
            demand_volatility: demand_volatility?,
            regulatory_shock_probability: regulatory_shock_probability?,
            regulatory_shock_cut: regulatory_shock_cut?,
            regulatory_shock_years: regulatory_shock_years? as u32,
            port_capacity_teu: port_capacity_teu?,
            holiday_sunset_year: holiday_sunset_year?,
        })
    }

    /// The national keys of `power_mode = "hours"`, all required.
    fn hours_global(&mut self, g: &mut TableReader, h: &Horizon) -> Option<HoursGlobal> {
        let mut series =
            |b: &mut Self, key: &str, range| -> Option<Series> { b.series(g, key, range, h, None) };
        let unplanned_hours = series(self, "outage_unplanned_hours", HOURS_A_DAY);
        let planned_hours = series(self, "outage_planned_hours", HOURS_A_DAY);
        let tariff = series(self, "tariff", PRICE);
        let unplanned_logsd = self.param(g, "outage_unplanned_logsd", OUTAGE_LOGSD, None);
        let planned_logsd = self.param(g, "outage_planned_logsd", OUTAGE_LOGSD, None);
        Some(HoursGlobal {
            unplanned_hours: unplanned_hours?,
            unplanned_logsd: unplanned_logsd?,
            planned_hours: planned_hours?,
            planned_logsd: planned_logsd?,
            tariff: tariff?,
        })
    }
}

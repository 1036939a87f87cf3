//! `[zones.energy]`'s keys of `power_mode = "hours"`: outage losses,
//! load factor, backup, tariff relief, and a dedicated feeder.

use super::schema::*;
use super::spec::*;
use crate::scenario::Horizon;
use crate::scenario::reader::{self, TableReader};
use crate::uncertainty::ValueRange;

impl SezReader<'_, '_> {
    /// `[zones.energy]`'s keys of `power_mode = "hours"`.
    pub(super) fn hours_energy(&mut self, s: &mut TableReader, h: &Horizon) -> Option<HoursEnergy> {
        use ValueRange::*;
        let outage_loss_unplanned = self.param(s, "outage_loss_unplanned", OUTAGE_LOSS, None);
        let outage_loss_planned = self.param(s, "outage_loss_planned", OUTAGE_LOSS, None);
        let load_factor = self.param(s, "load_factor", LOAD_FACTOR, Some(1.0));
        let backup_cost = self.param(s, "backup_cost", PRICE, Some(0.0));
        let tariff_relief = self.series(s, "tariff_relief", PRICE, h, Some(0.0));
        let relief_budget_share = self.param(s, "relief_budget_share", Share, Some(1.0));
        let energy_cost_reference = match s.get("energy_cost_reference") {
            Some(_) => self
                .param(s, "energy_cost_reference", PRICE, None)
                .map(Some),
            None => Some(None),
        };
        let feeder = self.feeder(s);
        Some(HoursEnergy {
            outage_loss_unplanned: outage_loss_unplanned?,
            outage_loss_planned: outage_loss_planned?,
            load_factor: load_factor?,
            backup_cost: backup_cost?,
            tariff_relief: tariff_relief?,
            relief_budget_share: relief_budget_share?,
            energy_cost_reference: energy_cost_reference?,
            feeder: feeder?,
        })
    }

    /// A dedicated feeder: `feeder_year` and the keys that need it.
    fn feeder(&mut self, s: &mut TableReader) -> Option<Option<Feeder>> {
        use ValueRange::*;
        let year = self.opt_year(s, "feeder_year")?;
        let Some(year) = year else {
            for key in [
                "feeder_unplanned_factor",
                "feeder_planned_factor",
                "feeder_capex",
                "feeder_om",
            ] {
                if let Some(node) = s.get(key) {
                    let path = s.key_path(key);
                    self.ctx.error(node.origin, &path, format!("`{key}` needs `feeder_year`, the year the dedicated feeder starts"))
                        .help = Some("add feeder_year = 2028 (a year before the start means the feeder exists already)".into());
                }
            }
            return Some(None);
        };
        let unplanned_factor = self.param(s, "feeder_unplanned_factor", Share, Some(1.0));
        let planned_factor = self.param(s, "feeder_planned_factor", Share, Some(1.0));
        let mut money = |b: &mut Self, key: &str| -> Option<f64> {
            let Some(node) = s.get(key) else {
                return Some(0.0);
            };
            let path = s.key_path(key);
            let v = reader::plain_number(&mut b.ctx, node, &path)?;
            if !(0.0..=MAX_MUSD).contains(&v) {
                b.ctx.error(
                    node.origin,
                    &path,
                    format!("expected {}, found {v}", Between(0.0, MAX_MUSD).describe()),
                );
                return None;
            }
            Some(v)
        };
        let capex = money(self, "feeder_capex");
        let om = money(self, "feeder_om");
        Some(Some(Feeder {
            year,
            unplanned_factor: unplanned_factor?,
            planned_factor: planned_factor?,
            capex: capex?,
            om: om?,
        }))
    }
}

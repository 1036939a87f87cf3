//! A zone's serviced land: `investment.area_ha`, or its
//! `[[zones.phases]]`, each with its own land, year, delay and
//! connection (never both).

use super::schema::*;
use super::spec::*;
use crate::scenario::raw::Origin;
use crate::scenario::reader::{self, TableReader};
use crate::scenario::{MAX_YEAR, MIN_YEAR};
use crate::uncertainty::ValueRange;

impl SezReader<'_, '_> {
    /// `[[zones.phases]]` of zone `id`: each phase's land, year, delay and
    /// connection (parameters at `zones.<id>.phases.<name>.<key>`).
    pub(super) fn phases(&mut self, z: &mut TableReader, id: &str) -> Option<Vec<Phase>> {
        let Some(node) = z.get("phases") else {
            return Some(Vec::new());
        };
        let key = format!("zones.{id}.phases");
        let items = reader::array(&mut self.ctx, node, &key)?;
        if items.is_empty() {
            self.ctx
                .error(node.origin, &key, "a zone's phases cannot be an empty list")
                .help = Some("remove `phases` and give investment.area_ha instead".into());
            return None;
        }
        let (readers, mut ok) = self.item_readers(items, &key, "[[zones.phases]]");
        let mut names: Vec<String> = Vec::new();
        let mut phases = Vec::new();
        for (_, mut r, _) in readers {
            let name = r.require(&mut self.ctx, "name", "\"phase_1\"").and_then(|n| {
                let path = r.key_path("name");
                let name = reader::string(&mut self.ctx, n, &path)?;
                if !is_zone_id(name) {
                    self.ctx.error(n.origin, &path, format!("phase name `{name}` may only use lower-case letters, digits and `_` (at most 64)"));
                    return None;
                }
                if names.iter().any(|seen| seen == name) {
                    self.ctx.error(n.origin, &path, format!("duplicate phase `{name}` in zone `{id}`"));
                    return None;
                }
                names.push(name.to_string());
                Some(name.to_string())
            });
            let Some(name) = name else {
                r.accept(&["area_ha", "planned_year", "delay", "grid_mw"]);
                r.finish(&mut self.ctx);
                ok = false;
                continue;
            };
            r.path = format!("{key}.{name}");
            let area_ha = self.param(
                &mut r,
                "area_ha",
                ValueRange::PositiveUpTo(MAX_AREA_HA),
                None,
            );
            let planned_year = self.req_int(&mut r, "planned_year", "2027", MIN_YEAR, MAX_YEAR);
            let delay = self.param(&mut r, "delay", ValueRange::NonNegative, Some(0.0));
            let grid_mw = self.param(
                &mut r,
                "grid_mw",
                ValueRange::Between(0.0, MAX_MW),
                Some(0.0),
            );
            r.finish(&mut self.ctx);
            match (area_ha, planned_year, delay, grid_mw) {
                (Some(area_ha), Some(planned_year), Some(delay), Some(grid_mw)) => {
                    phases.push(Phase {
                        name,
                        area_ha,
                        planned_year: planned_year as i32,
                        delay,
                        grid_mw,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(phases)
    }

    /// The zone's serviced land: `area_ha`, or its phases (not both).
    pub(super) fn land(
        &mut self,
        s: &mut TableReader,
        phases_at: Option<Origin>,
        inherited_area_ha: Option<Origin>,
    ) -> Option<Land> {
        use ValueRange::*;
        let Some(phases_at) = phases_at else {
            return self
                .param(s, "area_ha", PositiveUpTo(MAX_AREA_HA), None)
                .map(Land::Area);
        };
        if let Some(node) = s.get("area_ha") {
            let path = s.key_path("area_ha");
            let phases = self.location(phases_at);
            let whence = if inherited_area_ha == Some(node.origin) {
                ", inherited from [zone_defaults]"
            } else {
                ""
            };
            let message = format!(
                "a zone with [[zones.phases]] (at {phases}) takes its serviced land from its phases, but it also has investment.area_ha{whence}"
            );
            self.ctx.error(node.origin, &path, message).help = Some(
                "remove investment.area_ha (from the zone or [zone_defaults]), or remove the zone's phases".into(),
            );
            return None;
        }
        Some(Land::Phases)
    }
}

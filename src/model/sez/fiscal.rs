//! The SEZ model's fiscal helpers (docs/model.md, "Tax holidays, and a
//! sunset" and "What policies cost"): the entry uplift a tax holiday
//! gives, the share of capital that pays tax under enterprise holidays,
//! and what a zone's levers cost the budget.

use super::setup::ZoneSpec;
use super::simulate::{SezModel, Values, ZoneState};

impl SezModel {
    /// The share of the holiday's entry uplift an entrant of `year` gets:
    /// by zone, all of it while the zone is in its holiday (and before the
    /// sunset); by enterprise, the share of its holiday years it will get
    /// before the sunset, `min(H, max(0, sunset - y - 1)) / H`.
    pub(super) fn uplift_share(&self, enterprise: bool, age: f64, holiday: f64, year: f64) -> f64 {
        if !enterprise {
            let open = (0.0..holiday).contains(&age) && self.sunset.is_none_or(|s| year < s);
            return if open { 1.0 } else { 0.0 };
        }
        if holiday == 0.0 {
            return 0.0;
        }
        match self.sunset {
            Some(s) => holiday.min((s - year - 1.0).max(0.0)) / holiday,
            None => 1.0,
        }
    }

    /// What the zone's levers cost the budget in year t, besides tariff
    /// relief: its trainees and its dedicated feeder.
    pub(super) fn policy_cost(&self, zone: &ZoneSpec, t: usize, year: f64, v: Values) -> f64 {
        let training = zone.trainees[t] * v.get(zone.zone.workforce.training_cost) / 1e6;
        let feeder = match zone.feeder {
            Some(f) if year >= f64::from(f.year) => {
                let capex = if year == f64::from(f.year) {
                    f.capex
                } else {
                    0.0
                };
                capex + f.om
            }
            _ => 0.0,
        };
        training + feeder
    }
}

/// The share of a zone's capital that pays tax under enterprise holidays:
/// the vintages at least `holiday` years old, or all of it from the sunset
/// on (all of it when there is no capital).
pub(super) fn taxable_share(
    s: &ZoneState,
    vintages: &[f64],
    year: f64,
    holiday: f64,
    sunset: bool,
    start_year: f64,
) -> f64 {
    if sunset {
        return 1.0;
    }
    let (mut all, mut taxed) = (0.0, 0.0);
    for (k, &c) in vintages.iter().enumerate() {
        all += c;
        if year - s.vintage_year(k, start_year) >= holiday {
            taxed += c;
        }
    }
    if all > 0.0 { taxed / all } else { 1.0 }
}

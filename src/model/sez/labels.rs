//! What the SEZ model calls a parameter the scenario gives no `label`:
//! the zone's name (up to its first comma) and the key in words,
//! `Dhabeji SEZ: capital per hectare`; `Global: demand volatility` for
//! `[global]`, `All zones: skilled share` for a common parameter of
//! `[zone_defaults]`, `Rashakai SEZ: phase 2, delay` for a phase and
//! `Bostan feeder (energy project): delay` for an energy project.

use super::spec::SezSpec;
use crate::scenario::labels::{capitalised, generic_label, key_words};

/// Keys, and parts of keys, that do not read as words by themselves.
const GLOSSARY: &[(&str, &str)] = &[
    ("bass_p", "Bass innovation coefficient p"),
    ("bass_q", "Bass imitation coefficient q"),
    ("alpha", "capital share alpha"),
    ("va_share", "value-added share"),
    ("grid_availability_logit_sd", "grid availability, logit sd"),
    ("outage_unplanned_logsd", "unplanned outage hours, log sd"),
    ("outage_planned_logsd", "planned outage hours, log sd"),
    ("ha", "hectare"),
    ("mw", "MW"),
    ("mwh", "MWh"),
    ("musd", "USD million"),
    ("fdi", "FDI"),
    ("tfp", "TFP"),
    ("teu", "TEU"),
    ("om", "O&M"),
    ("capex", "capital cost"),
    ("sd", "sd"),
    ("logsd", "log sd"),
];

/// A zone's name up to its first comma (`Dhabeji SEZ, Sindh` ->
/// `Dhabeji SEZ`): the name a reader knows it by, short enough for an
/// axis label.
pub(super) fn short_name(name: &str) -> &str {
    name.split(',').next().map_or(name, str::trim)
}

/// The label of the parameter at `path` (see the module docs).
pub(super) fn parameter_label(spec: &SezSpec, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let words = |key: &str| key_words(key, GLOSSARY);
    let zone = |id: &str| {
        spec.zones
            .iter()
            .find(|z| z.id == id)
            .map_or(id.to_string(), |z| short_name(&z.name).to_string())
    };
    match parts.as_slice() {
        ["global", key] => format!("Global: {}", words(key)),
        ["zone_defaults", _, key] => format!("All zones: {}", words(key)),
        ["zones", id, "phases", phase, key] => {
            format!("{}: {}, {}", zone(id), words(phase), words(key))
        }
        ["zones", id, _, key] => format!("{}: {}", zone(id), words(key)),
        ["energy_projects", name, key] => format!(
            "{} (energy project): {}",
            capitalised(&words(name)),
            words(key)
        ),
        _ => generic_label(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_stop_at_the_first_comma() {
        assert_eq!(short_name("Dhabeji SEZ, Sindh"), "Dhabeji SEZ");
        assert_eq!(short_name("Bostan SEZ"), "Bostan SEZ");
    }

    #[test]
    fn keys_read_as_words() {
        let w = |k| key_words(k, GLOSSARY);
        assert_eq!(w("capital_per_ha"), "capital per hectare");
        assert_eq!(w("fdi_share"), "FDI share");
        assert_eq!(w("bass_q"), "Bass imitation coefficient q");
        assert_eq!(w("teu_per_musd"), "TEU per USD million");
        assert_eq!(w("phase_2"), "phase 2");
    }
}

//! Names of model outputs: a public interface (users' scripts read these
//! columns), so they live in one place and never change casually.

/// Per-zone (and total) yearly outputs of the SEZ model, in table order.
pub const SERIES: &[&str] = &[
    "investment",
    "capital",
    "buildout",
    "output",
    "value_added",
    "exports",
    "employment",
    "skilled_employment",
    "skill_gap",
    "energy_demand",
    "backup_energy",
    "served_share",
    "tfp_index",
    "foreign_share",
    "local_content",
    "supplier_output",
    "supplier_jobs",
    "tax_revenue",
    "public_cost",
];

/// Ratios that have no meaningful sum over zones (no `total` row).
pub const NOT_SUMMED: &[&str] = &["buildout", "tfp_index", "foreign_share", "local_content"];

/// National yearly outputs (`zone` = `national`).
pub const NATIONAL: &[&str] = &[
    "grid_availability",
    "demand_factor",
    "logistics_factor",
    "regulatory_shock",
];

/// The `zone` of the rows summed over zones (`total`) and of national
/// outputs (`national`) in the output tables. No zone may take these ids:
/// its rows would be mistaken for them.
pub const AGGREGATE_ZONES: &[&str] = &["total", "national"];

/// Per-replication scalar outcomes of the SEZ model.
pub const SCALARS: &[&str] = &[
    "exports_cumulative",
    "exports_final",
    "employment_final",
    "value_added_cumulative",
    "served_share_mean",
    "fiscal_npv",
];

/// Fan charts drawn when `[outputs].charts` is not given.
pub const DEFAULT_CHARTS: &[&str] = &["exports", "employment", "output", "served_share"];

/// What a number measures, for axis labels and report tables (MODEL.md
/// units: money in USD million at constant prices, energy in MWh, people in
/// persons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A stock of money: USD million.
    UsdMillion,
    /// A flow of money: USD million per year.
    UsdMillionPerYear,
    /// People: persons.
    Persons,
    /// Energy per year: MWh per year.
    MwhPerYear,
    /// A fraction in [0, 1], shown as a percentage.
    Share,
    /// A dimensionless index.
    Index,
}

impl Unit {
    /// The unit as written after a label, e.g. "USD million per year" or
    /// "%" (shares are shown as percentages); `None` for an index, whose
    /// label says what it is relative to.
    pub fn text(self) -> Option<&'static str> {
        match self {
            Unit::UsdMillion => Some("USD million"),
            Unit::UsdMillionPerYear => Some("USD million per year"),
            Unit::Persons => Some("persons"),
            Unit::MwhPerYear => Some("MWh per year"),
            Unit::Share => Some("%"),
            Unit::Index => None,
        }
    }
}

/// A reader's name and the unit of an output or scalar name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Described {
    /// Plain words, capitalised: "Exports", "Employment in the final year".
    pub label: &'static str,
    pub unit: Unit,
}

/// The label and unit of a series, national output or scalar of the SEZ
/// model; `None` for names it does not produce (a benchmark's `y`).
pub fn describe(name: &str) -> Option<Described> {
    use Unit::*;
    let (label, unit) = match name {
        "investment" => ("Investment", UsdMillionPerYear),
        "capital" => ("Capital stock", UsdMillion),
        "buildout" => ("Build-out of developable land", Share),
        "output" => ("Output", UsdMillionPerYear),
        "value_added" => ("Value added", UsdMillionPerYear),
        "exports" => ("Exports", UsdMillionPerYear),
        "employment" => ("Direct employment", Persons),
        "skilled_employment" => ("Skilled employment", Persons),
        "skill_gap" => ("Skill gap, unfilled skilled jobs", Persons),
        "energy_demand" => ("Energy demand", MwhPerYear),
        "backup_energy" => ("Backup energy", MwhPerYear),
        "served_share" => ("Share of energy demand served", Share),
        "tfp_index" => ("TFP index, start = 1", Index),
        "foreign_share" => ("Foreign share of capital", Share),
        "local_content" => ("Local content", Share),
        "supplier_output" => ("Supplier output", UsdMillionPerYear),
        "supplier_jobs" => ("Supplier jobs", Persons),
        "tax_revenue" => ("Tax revenue", UsdMillionPerYear),
        "public_cost" => ("Public cost", UsdMillionPerYear),
        "grid_availability" => ("Grid availability", Share),
        "demand_factor" => ("Export demand factor", Index),
        "logistics_factor" => ("Logistics factor", Index),
        "regulatory_shock" => ("Regulatory shock active", Share),
        "exports_cumulative" => ("Cumulative exports", UsdMillion),
        "exports_final" => ("Exports in the final year", UsdMillionPerYear),
        "employment_final" => ("Jobs in the final year, direct and supplier", Persons),
        "value_added_cumulative" => ("Cumulative value added", UsdMillion),
        "served_share_mean" => ("Mean share of energy demand served", Share),
        "fiscal_npv" => ("Fiscal NPV, tax revenue less public cost", UsdMillion),
        _ => return None,
    };
    Some(Described { label, unit })
}

/// The column name of quantile level `q`: `p05` for 0.05, `p50` for 0.5,
/// `p2.5` for 0.025, `p99.9` for 0.999.
pub fn quantile_label(q: f64) -> String {
    let percent = q * 100.0;
    let rounded = percent.round();
    if (percent - rounded).abs() < 1e-9 {
        format!("p{:02}", rounded as u32)
    } else {
        let text = format!("{percent:.3}");
        format!("p{}", text.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_labels() {
        assert_eq!(quantile_label(0.05), "p05");
        assert_eq!(quantile_label(0.5), "p50");
        assert_eq!(quantile_label(0.95), "p95");
        assert_eq!(quantile_label(0.025), "p2.5");
        assert_eq!(quantile_label(0.999), "p99.9");
        assert_eq!(quantile_label(0.01), "p01");
    }

    #[test]
    fn every_output_and_scalar_has_a_label_and_unit() {
        for name in SERIES.iter().chain(NATIONAL).chain(SCALARS) {
            assert!(describe(name).is_some(), "{name}");
        }
        assert_eq!(describe("y"), None);
    }
}

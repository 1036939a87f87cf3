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
    use super::quantile_label;

    #[test]
    fn quantile_labels() {
        assert_eq!(quantile_label(0.05), "p05");
        assert_eq!(quantile_label(0.5), "p50");
        assert_eq!(quantile_label(0.95), "p95");
        assert_eq!(quantile_label(0.025), "p2.5");
        assert_eq!(quantile_label(0.999), "p99.9");
        assert_eq!(quantile_label(0.01), "p01");
    }
}

//! What the SEZ model records: its yearly outputs per zone (and their
//! totals), its national outputs and its scalar outcomes, each with its
//! name (a public interface: users' scripts read these columns), label and
//! unit. An output's position in the record and its name come from one
//! enum, so they cannot drift apart.

use crate::engine::{Catalogue, Described, Unit};

/// Defines an enum of outputs with their names, labels and units, in table
/// order, and `ALL`, every variant in that order; the first `version_1`
/// variants are version 1's.
macro_rules! outputs {
    ($(#[$doc:meta])* $Enum:ident (version_1: $v1:literal) { $($(#[$vdoc:meta])* $Variant:ident = ($name:literal, $label:literal, $unit:expr $(, $total:literal)?)),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $Enum {
            $($(#[$vdoc])* $Variant),*
        }

        impl $Enum {
            /// Every output, in table order.
            pub const ALL: &'static [$Enum] = &[$($Enum::$Variant),*];
            /// How many there are.
            pub const COUNT: usize = Self::ALL.len();

            /// Its name in tables.
            pub fn name(self) -> &'static str {
                match self {
                    $($Enum::$Variant => $name),*
                }
            }

            /// Its position in table order.
            pub fn index(self) -> usize {
                self as usize
            }

            /// The model version that added it: 1, or 2 for the outputs
            /// of version 2, which come after version 1's in the tables.
            pub fn version(self) -> u8 {
                if self.index() < $v1 { 1 } else { 2 }
            }

            /// Its catalogue entry.
            pub fn described(self) -> Described {
                match self {
                    $($Enum::$Variant => Described::new($name, $label, $unit, outputs!(@total $($total)?))),*
                }
            }
        }
    };
    (@total) => { false };
    (@total $t:literal) => { $t };
}

fn mwh_per_year() -> Unit {
    Unit::Amount("MWh per year".into())
}

outputs! {
    /// Yearly outputs of every zone; most also have a `total` row.
    ZoneOutput (version_1: 19) {
        /// I: investment.
        Investment = ("investment", "Investment", Unit::usd_million_per_year(), true),
        /// K: capital stock at the start of the year.
        Capital = ("capital", "Capital stock", Unit::usd_million(), true),
        /// F: capital over build-out capacity.
        Buildout = ("buildout", "Build-out of developable land", Unit::Share),
        /// Y: output.
        Output = ("output", "Output", Unit::usd_million_per_year(), true),
        /// V: value added.
        ValueAdded = ("value_added", "Value added", Unit::usd_million_per_year(), true),
        /// X: exports after the port constraint.
        Exports = ("exports", "Exports", Unit::usd_million_per_year(), true),
        /// Es + Eu: direct employment.
        Employment = ("employment", "Direct employment", Unit::persons(), true),
        /// Es: skilled employment.
        SkilledEmployment = ("skilled_employment", "Skilled employment", Unit::persons(), true),
        /// Ns - Es: skilled jobs left unfilled.
        SkillGap = ("skill_gap", "Skill gap, unfilled skilled jobs", Unit::persons(), true),
        /// Q: energy demand.
        EnergyDemand = ("energy_demand", "Energy demand", mwh_per_year(), true),
        /// Energy from backup generation.
        BackupEnergy = ("backup_energy", "Backup energy", mwh_per_year(), true),
        /// phi: output produced over potential output (its total is a
        /// ratio of sums).
        ServedShare = ("served_share", "Share of energy demand served", Unit::Share, true),
        /// A_t / A_0.
        TfpIndex = ("tfp_index", "TFP index, start = 1", Unit::Index),
        /// chi: foreign share of capital.
        ForeignShare = ("foreign_share", "Foreign share of capital", Unit::Share),
        /// lc: local content of purchases.
        LocalContent = ("local_content", "Local content", Unit::Share),
        /// O: supplier-chain output.
        SupplierOutput = ("supplier_output", "Supplier output", Unit::usd_million_per_year(), true),
        /// J: supplier-chain jobs.
        SupplierJobs = ("supplier_jobs", "Supplier jobs", Unit::persons(), true),
        /// Corporate tax revenue.
        TaxRevenue = ("tax_revenue", "Tax revenue", Unit::usd_million_per_year(), true),
        /// The zone's public cost series.
        PublicCost = ("public_cost", "Public cost", Unit::usd_million_per_year(), true),
        /// serviced_t: serviced land delivered so far.
        ServicedArea = ("serviced_area", "Serviced land", Unit::Amount("ha".into()), true),
        /// hu_zt + hp_zt: outage hours a day the zone sees (24 (1 - a_t) in
        /// `"balance"` mode).
        OutageHours = ("outage_hours", "Outage hours a day", Unit::Level("hours a day".into())),
        /// EC_t: the zone's energy bill.
        EnergyCost = ("energy_cost", "Energy cost", Unit::usd_million_per_year(), true),
        /// margin_t: profits over output after energy costs.
        Margin = ("margin", "Profit margin after energy costs", Unit::Share),
        /// What the zone's policy levers cost the budget: training, a
        /// feeder, tariff relief.
        PolicyCost = ("policy_cost", "Policy cost", Unit::usd_million_per_year(), true),
    }
}

outputs! {
    /// Yearly national outputs (`zone` = `national`).
    NationalOutput (version_1: 4) {
        /// a_t: share of the year the grid delivers.
        GridAvailability = ("grid_availability", "Grid availability", Unit::Share),
        /// d_t: export demand factor.
        DemandFactor = ("demand_factor", "Export demand factor", Unit::Index),
        /// l_t: share of desired exports the port can ship.
        LogisticsFactor = ("logistics_factor", "Logistics factor", Unit::Index),
        /// 1 while a regulatory shock is active.
        RegulatoryShock = ("regulatory_shock", "Regulatory shock active", Unit::Share),
        /// hu_t: hours a day of unexpected outage on a shared feeder.
        OutageUnplannedHours = ("outage_unplanned_hours", "Unexpected outage hours a day", Unit::Level("hours a day".into())),
        /// hp_t: hours a day of scheduled load-shedding.
        OutagePlannedHours = ("outage_planned_hours", "Scheduled outage hours a day", Unit::Level("hours a day".into())),
    }
}

outputs! {
    /// Scalar outcomes of a replication (scalars.csv).
    Scalar (version_1: 6) {
        /// Sum over years of total exports.
        ExportsCumulative = ("exports_cumulative", "Cumulative exports", Unit::usd_million()),
        /// Total exports in the last year.
        ExportsFinal = ("exports_final", "Exports in the final year", Unit::usd_million_per_year()),
        /// Direct and supplier jobs in the last year.
        EmploymentFinal = ("employment_final", "Jobs in the final year, direct and supplier", Unit::persons()),
        /// Sum over years of total value added.
        ValueAddedCumulative = ("value_added_cumulative", "Cumulative value added", Unit::usd_million()),
        /// Mean over years of the total served share.
        ServedShareMean = ("served_share_mean", "Mean share of energy demand served", Unit::Share),
        /// Discounted tax revenue less public cost.
        FiscalNpv = ("fiscal_npv", "Fiscal NPV, tax revenue less public and policy cost", Unit::usd_million()),
        /// Discounted public cost and policy cost.
        PublicCostPv = ("public_cost_pv", "Present value of public and policy cost", Unit::usd_million()),
        /// Sum over years of direct and supplier jobs.
        JobYears = ("job_years", "Job-years, direct and supplier", Unit::Amount("job-years".into())),
    }
}

/// Fan charts drawn when `[outputs].charts` is not given.
pub const DEFAULT_CHARTS: &[ZoneOutput] = &[
    ZoneOutput::Exports,
    ZoneOutput::Employment,
    ZoneOutput::Output,
    ZoneOutput::ServedShare,
];

/// Everything the SEZ model records, labelled.
pub fn catalogue() -> Catalogue {
    Catalogue {
        series: ZoneOutput::ALL
            .iter()
            .map(|o| o.described())
            .chain(NationalOutput::ALL.iter().map(|o| o.described()))
            .collect(),
        scalars: Scalar::ALL.iter().map(|s| s.described()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_table_order() {
        let c = catalogue();
        let mut names: Vec<&str> = c.series_names();
        names.extend(c.scalar_names());
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(ZoneOutput::ALL[5], ZoneOutput::Exports);
        assert_eq!(ZoneOutput::Exports.index(), 5);
        assert_eq!(ZoneOutput::Exports.name(), "exports");
        assert_eq!(Scalar::FiscalNpv.index(), 5);
    }

    #[test]
    fn ratios_have_no_total() {
        let no_total: Vec<&str> = ZoneOutput::ALL
            .iter()
            .filter(|o| !o.described().total)
            .map(|o| o.name())
            .collect();
        assert_eq!(
            no_total,
            [
                "buildout",
                "tfp_index",
                "foreign_share",
                "local_content",
                "outage_hours",
                "margin"
            ]
        );
    }
}

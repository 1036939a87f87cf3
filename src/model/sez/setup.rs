//! Preparing the SEZ model for a run: everything that does not change from
//! one replication to the next, resolved once (series per year, stream keys,
//! the Leontief multipliers, each output's place in the record).

use nalgebra::DVector;

use super::outputs::{NationalOutput, Scalar, ZoneOutput, catalogue};
use super::simulate::{Mode, SeriesIndex, SezModel};
use super::spec::{
    EnergyProject, Feeder, HolidayBasis, HoursEnergy, Phase, PowerMode, ProjectKind, SezSpec, Zone,
};
use crate::engine::{NATIONAL, OutputLayout, SeriesName, TOTAL};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::uncertainty::{ParamId, StreamKey};

/// Stream purposes of the national shocks (docs/scenario-format.md,
/// "Random streams").
const GRID_STREAM: &str = "shock:grid_availability";
const DEMAND_STREAM: &str = "shock:demand";
const REGULATORY_STREAM: &str = "shock:regulatory";
const UNPLANNED_STREAM: &str = "shock:outage_unplanned";
const PLANNED_STREAM: &str = "shock:outage_planned";

/// A zone as the year loop needs it: its spec's parameter ids, its series
/// per year and what is derived from them once.
#[derive(Debug, Clone)]
pub(super) struct ZoneSpec {
    /// The zone's validated description (parameter ids).
    pub zone: Zone,
    /// Trainees per year.
    pub trainees: Vec<f64>,
    /// Public cost per year, USD million.
    pub public_cost: Vec<f64>,
    /// Tariff relief per year, USD/MWh (`"hours"` mode; else zeros).
    pub tariff_relief: Vec<f64>,
    /// 1^T L c_z: supplier-chain output per USD of local purchases.
    pub output_multiplier: f64,
    /// e^T L c_z: supplier-chain jobs per USD million of local purchases.
    pub jobs_multiplier: f64,
    pub tfp_stream: StreamKey,
    pub viability_stream: StreamKey,
    /// The zone's `"hours"` keys, if any.
    pub hours: Option<HoursEnergy>,
    /// The dedicated feeder, if any.
    pub feeder: Option<Feeder>,
    pub enterprise_holidays: bool,
}

/// A power project, resolved.
#[derive(Debug, Clone)]
pub(super) struct ProjectSpec {
    pub zone: usize,
    /// capacity_mw x capacity_factor x zone_share: average MW reaching the zone.
    pub effective_mw: f64,
    /// capacity_mw x zone_share x islanding_coverage: MW through an outage.
    pub islanding_mw: f64,
    /// USD/MWh of a captive plant's energy.
    pub lcoe: f64,
    pub captive: bool,
    pub planned_year: i32,
    pub delay: ParamId,
}

/// A phase of a zone's land, resolved.
#[derive(Debug, Clone)]
pub(super) struct PhaseSpec {
    pub zone: usize,
    pub area_ha: ParamId,
    pub planned_year: i32,
    pub delay: ParamId,
    pub grid_mw: ParamId,
}

/// A committed investment, resolved.
#[derive(Debug, Clone)]
pub(super) struct CommittedSpec {
    pub zone: usize,
    /// Year index; committed investments outside the horizon were refused.
    pub t: usize,
    pub amount: f64,
    pub probability: f64,
    pub foreign: bool,
    pub stream: StreamKey,
}

/// The national power inputs, resolved per year.
#[derive(Debug, Clone)]
// One per model, never per replication: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum PowerSetup {
    /// logit(m_t) and s_a.
    Balance {
        logit_median: Vec<f64>,
        logit_sd: ParamId,
        stream: StreamKey,
    },
    /// The national inputs of `"hours"` mode.
    Hours(HoursSetup),
}

/// mu_t, mp_t (hours a day), tariff_t (USD/MWh), the log sds and the
/// outage streams.
#[derive(Debug, Clone)]
pub(super) struct HoursSetup {
    pub unplanned_median: Vec<f64>,
    pub unplanned_logsd: ParamId,
    pub planned_median: Vec<f64>,
    pub planned_logsd: ParamId,
    pub tariff: Vec<f64>,
    pub unplanned_stream: StreamKey,
    pub planned_stream: StreamKey,
}

impl SezModel {
    /// Prepare the model of `scenario`: resolve every parameter to its id,
    /// compute the Leontief multipliers, derive the stream keys.
    pub fn new(scenario: &Scenario, spec: &SezSpec, seed: u64, mode: Mode) -> Result<Self, Error> {
        let years = scenario.years as usize;
        let (output_mult, jobs_mult) = leontief_multipliers(spec)?;
        let zones = spec
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| zone_spec(z, output_mult[i], jobs_mult[i], seed, years))
            .collect();
        let projects = spec.energy_projects.iter().map(project_spec).collect();
        let phases = spec
            .zones
            .iter()
            .enumerate()
            .flat_map(|(zone, z)| z.phases.iter().map(move |p| phase_spec(zone, p)))
            .collect();
        let committed = spec
            .committed_investments
            .iter()
            .map(|c| CommittedSpec {
                zone: c.zone,
                t: (c.year - scenario.start_year) as usize,
                amount: c.amount,
                probability: c.probability,
                foreign: c.foreign,
                stream: StreamKey::new(seed, &c.stream),
            })
            .collect();
        let g = &spec.global;
        let power = match &g.power {
            PowerMode::Balance {
                grid_availability,
                grid_availability_logit_sd,
            } => PowerSetup::Balance {
                logit_median: grid_availability
                    .values
                    .iter()
                    .map(|&m| (m / (1.0 - m)).ln())
                    .collect(),
                logit_sd: *grid_availability_logit_sd,
                stream: StreamKey::new(seed, GRID_STREAM),
            },
            PowerMode::Hours(h) => PowerSetup::Hours(HoursSetup {
                unplanned_median: h.unplanned_hours.values.clone(),
                unplanned_logsd: h.unplanned_logsd,
                planned_median: h.planned_hours.values.clone(),
                planned_logsd: h.planned_logsd,
                tariff: h.tariff.values.clone(),
                unplanned_stream: StreamKey::new(seed, UNPLANNED_STREAM),
                planned_stream: StreamKey::new(seed, PLANNED_STREAM),
            }),
        };
        let discount = (0..years)
            .map(|t| (1.0 + scenario.discount_rate).powi(t as i32).recip())
            .collect();
        let (layout, index) = layout(scenario, spec);
        Ok(SezModel {
            layout,
            mode,
            start_year: scenario.start_year,
            years,
            zones,
            projects,
            phases,
            committed,
            power,
            port_capacity: g.port_capacity_teu.values.clone(),
            demand_persistence: g.demand_persistence,
            demand_volatility: g.demand_volatility,
            shock_probability: g.regulatory_shock_probability,
            shock_cut: g.regulatory_shock_cut,
            shock_years: g.regulatory_shock_years,
            sunset: g.holiday_sunset_year.map(f64::from),
            demand_stream: StreamKey::new(seed, DEMAND_STREAM),
            regulatory_stream: StreamKey::new(seed, REGULATORY_STREAM),
            discount,
            index,
        })
    }
}

/// Per zone: 1^T L c_z and e^T L c_z with L = (I - A_io)^-1, computed once.
fn leontief_multipliers(spec: &SezSpec) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let n = spec.io.sectors.len();
    let leontief = spec
        .io
        .leontief()
        .ok_or_else(|| Error::Runtime("the input-output matrix I - A is singular".into()))?;
    let ones = DVector::from_element(n, 1.0);
    let jobs = DVector::from_column_slice(&spec.io.jobs_per_musd);
    let output_row = ones.transpose() * &leontief;
    let jobs_row = jobs.transpose() * &leontief;
    let per_zone = |row: &nalgebra::RowDVector<f64>| -> Vec<f64> {
        spec.zones
            .iter()
            .map(|z| row.dot(&DVector::from_column_slice(&z.linkages.sourcing).transpose()))
            .collect()
    };
    Ok((per_zone(&output_row), per_zone(&jobs_row)))
}

fn zone_spec(
    z: &Zone,
    output_multiplier: f64,
    jobs_multiplier: f64,
    seed: u64,
    years: usize,
) -> ZoneSpec {
    let hours = z.energy.hours.clone();
    ZoneSpec {
        zone: z.clone(),
        trainees: z.workforce.trainees_per_year.values.clone(),
        public_cost: z.fiscal.public_cost.values.clone(),
        tariff_relief: hours
            .as_ref()
            .map_or_else(|| vec![0.0; years], |h| h.tariff_relief.values.clone()),
        output_multiplier,
        jobs_multiplier,
        tfp_stream: StreamKey::new(seed, &format!("tfp:{}", z.id)),
        viability_stream: StreamKey::new(seed, &format!("viability:{}", z.id)),
        feeder: hours.as_ref().and_then(|h| h.feeder),
        hours,
        enterprise_holidays: z.fiscal.holiday_basis == HolidayBasis::Enterprise,
    }
}

fn project_spec(p: &EnergyProject) -> ProjectSpec {
    let (captive, islanding, lcoe) = match p.kind {
        ProjectKind::Grid => (false, 0.0, 0.0),
        ProjectKind::Captive {
            islanding_coverage,
            lcoe,
        } => (true, islanding_coverage, lcoe),
    };
    ProjectSpec {
        zone: p.zone,
        effective_mw: p.capacity_mw * p.capacity_factor * p.zone_share,
        islanding_mw: p.capacity_mw * p.zone_share * islanding,
        lcoe,
        captive,
        planned_year: p.planned_year,
        delay: p.delay,
    }
}

fn phase_spec(zone: usize, p: &Phase) -> PhaseSpec {
    PhaseSpec {
        zone,
        area_ha: p.area_ha,
        planned_year: p.planned_year,
        delay: p.delay,
        grid_mw: p.grid_mw,
    }
}

/// The record layout: the version-1 outputs first (per output, each zone
/// then `total` if summed; then the national series), then the outputs
/// version 2 added, in the same arrangement, so a version-1 scenario's
/// tables keep every row in place.
fn layout(scenario: &Scenario, spec: &SezSpec) -> (OutputLayout, SeriesIndex) {
    let mut series = Vec::new();
    let mut zone = vec![Vec::new(); ZoneOutput::COUNT];
    let mut total = vec![None; ZoneOutput::COUNT];
    let mut national = vec![0; NationalOutput::COUNT];
    for version in [1, 2] {
        for o in ZoneOutput::ALL.iter().filter(|o| o.version() == version) {
            for z in &spec.zones {
                zone[o.index()].push(series.len());
                series.push(SeriesName {
                    output: o.name().to_string(),
                    zone: z.id.clone(),
                });
            }
            if o.described().total {
                total[o.index()] = Some(series.len());
                series.push(SeriesName {
                    output: o.name().to_string(),
                    zone: TOTAL.to_string(),
                });
            }
        }
        for o in NationalOutput::ALL
            .iter()
            .filter(|o| o.version() == version)
        {
            national[o.index()] = series.len();
            series.push(SeriesName {
                output: o.name().to_string(),
                zone: NATIONAL.to_string(),
            });
        }
    }
    let layout = OutputLayout {
        series,
        years: scenario.calendar_years().collect(),
        scalars: Scalar::ALL.iter().map(|s| s.name().to_string()).collect(),
        inputs: Vec::new(),
        catalogue: catalogue(),
    };
    let years = layout.years.len();
    let starts = (0..spec.zones.len())
        .map(|z| std::array::from_fn(|o| zone[o][z] * years))
        .collect();
    (
        layout,
        SeriesIndex {
            starts,
            total,
            national,
        },
    )
}

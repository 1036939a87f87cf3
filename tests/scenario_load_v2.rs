//! Loading the keys of model version 2: what the validated scenario holds
//! for the fixtures of tests/fixtures/v2, and how `extends` merges phases.

mod support;

use std::path::Path;

use sezsim::model::sez::{HolidayBasis, Land, PowerMode, ProjectKind, SezSpec};
use sezsim::scenario::Scenario;

fn sez(s: &Scenario) -> &SezSpec {
    s.spec::<SezSpec>().expect("a sez scenario")
}

fn distribution(s: &Scenario, path: &str) -> String {
    support::distribution(s, path).to_string()
}

#[test]
fn the_hours_fixture_loads_every_key_it_writes() {
    let s = support::load(Path::new("tests/fixtures/v2/hours.toml"));
    let spec = sez(&s);
    let PowerMode::Hours(h) = &spec.global.power else {
        panic!("expected power_mode = \"hours\"");
    };
    assert_eq!(h.unplanned_hours.values, vec![3.0; 8]);
    assert_eq!(
        h.tariff.values,
        [110.0, 110.0, 110.0, 125.0, 125.0, 125.0, 125.0, 125.0]
    );
    let (east, west) = (&spec.zones[0], &spec.zones[1]);
    assert!(matches!(east.investment.land, Land::Area(_)));
    assert_eq!(west.investment.land, Land::Phases);
    let names: Vec<&str> = west.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["first", "second"]);
    assert_eq!(
        distribution(&s, "zones.west.phases.second.area_ha"),
        "uniform(min 100, max 200)"
    );
    let east_hours = east.energy.hours.as_ref().unwrap();
    assert_eq!(east_hours.tariff_relief.values, vec![20.0; 8]);
    assert!(east_hours.feeder.is_none());
    let feeder = west.energy.hours.as_ref().unwrap().feeder.unwrap();
    assert_eq!((feeder.year, feeder.capex, feeder.om), (2028, 12.0, 0.8));
    // The CSV's optional columns: an empty cell takes the default.
    let kinds: Vec<(&str, ProjectKind)> = spec
        .energy_projects
        .iter()
        .map(|p| (p.name.as_str(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("east_line", ProjectKind::Grid),
            (
                "west_solar",
                ProjectKind::Captive {
                    islanding_coverage: 0.3,
                    lcoe: 45.0
                }
            ),
            (
                "west_gas",
                ProjectKind::Captive {
                    islanding_coverage: 0.0,
                    lcoe: 70.0
                }
            ),
        ]
    );
}

#[test]
fn the_fiscal_fixture_shares_its_common_parameter() {
    let s = support::load(Path::new("tests/fixtures/v2/fiscal.toml"));
    let spec = sez(&s);
    assert_eq!(spec.global.holiday_sunset_year, Some(2030));
    assert_eq!(spec.zones[0].fiscal.holiday_basis, HolidayBasis::Enterprise);
    assert_eq!(spec.zones[1].fiscal.holiday_basis, HolidayBasis::Zone);
    assert_eq!(spec.common.len(), 1);
    assert_eq!(
        s.parameters.get(spec.common[0].id).path,
        "zone_defaults.production.tfp_growth"
    );
    assert_eq!(spec.common[0].zones, ["east", "west"]);
    for zone in &spec.zones {
        assert_eq!(zone.production.tfp_growth, spec.common[0].id);
    }
    assert!(
        s.parameters
            .id("zones.east.production.tfp_growth")
            .is_none()
    );
    // scope = "zone" is the default: each zone its own.
    assert_ne!(
        spec.zones[0].production.output_capital_ratio,
        spec.zones[1].production.output_capital_ratio
    );
}

#[test]
fn phases_merge_by_name_under_extends() {
    // The child moves west's second phase to 2029 (keeping its area, delay
    // and connection) and adds a third; the first is inherited untouched.
    let dir = tempfile::tempdir().unwrap();
    let child = support::extending(
        dir.path(),
        "child.toml",
        "tests/fixtures/v2/hours.toml",
        "[[zones]]\nid = \"west\"\n  [[zones.phases]]\n  name = \"second\"\n  planned_year = 2029\n  [[zones.phases]]\n  name = \"third\"\n  area_ha = 50\n  planned_year = 2030\n",
    );
    let s = support::load(&child);
    let phases = &sez(&s).zones[1].phases;
    let got: Vec<(&str, i32)> = phases
        .iter()
        .map(|p| (p.name.as_str(), p.planned_year))
        .collect();
    assert_eq!(got, [("first", 2025), ("second", 2029), ("third", 2030)]);
    assert_eq!(
        distribution(&s, "zones.west.phases.second.area_ha"),
        "uniform(min 100, max 200)"
    );
    assert_eq!(
        distribution(&s, "zones.west.phases.second.delay"),
        "triangular(min 0, mode 1, max 2)"
    );
    assert_eq!(
        distribution(&s, "zones.west.phases.second.grid_mw"),
        "fixed 10"
    );
    assert_eq!(
        distribution(&s, "zones.west.phases.third.area_ha"),
        "fixed 50"
    );
    // Merged, not replaced: `check` has no replaced list to report.
    assert!(s.replaced_lists.is_empty(), "{:?}", s.replaced_lists);
}

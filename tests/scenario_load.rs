//! Loading valid scenarios: every feature of the format, and inheritance.

mod support;

use std::path::{Path, PathBuf};

use sezsim::model::benchmark::{Benchmark, Function};
use sezsim::model::sez::{PowerMode, SezSpec};
use sezsim::scenario::{Scenario, SeriesSource};
use sezsim::uncertainty::SamplingMethod;

fn load(path: &str) -> Scenario {
    match sezsim::load(Path::new(path)) {
        Ok(s) => s,
        Err(e) => panic!("{path} should load:\n{e}"),
    }
}

fn sez(s: &Scenario) -> &SezSpec {
    s.spec::<SezSpec>()
        .unwrap_or_else(|| panic!("expected a sez model, got {}", s.model.kind()))
}

/// The median grid availability of a `"balance"`-mode scenario.
fn grid_availability(spec: &SezSpec) -> &sezsim::scenario::Series {
    match &spec.global.power {
        PowerMode::Balance {
            grid_availability, ..
        } => grid_availability,
        PowerMode::Hours(_) => panic!("expected power_mode = \"balance\""),
    }
}

fn value(s: &Scenario, path: &str) -> f64 {
    let id = s
        .parameters
        .id(path)
        .unwrap_or_else(|| panic!("no parameter {path}"));
    s.parameters.get(id).distribution.mean()
}

fn kind(s: &Scenario, path: &str) -> &'static str {
    support::distribution(s, path).kind()
}

#[test]
fn scenario_using_every_feature_loads() {
    let s = load("tests/fixtures/full/base.toml");
    assert_eq!(s.name, "full_base");
    assert_eq!(s.description.as_deref(), Some("A test scenario"));
    assert_eq!(
        (s.start_year, s.years, s.replications, s.seed),
        (2025, 8, 500, 7)
    );
    assert_eq!(s.sampling, SamplingMethod::LatinHypercube);
    assert_eq!(s.discount_rate, 0.05);

    // All ten distribution kinds, and zone_defaults applied under each zone.
    for (path, k) in [
        ("global.grid_availability_logit_sd", "gamma"),
        ("global.demand_persistence", "beta"),
        ("global.demand_volatility", "lognormal"),
        ("global.regulatory_shock_probability", "discrete"),
        ("global.regulatory_shock_cut", "pert"),
        ("zones.north.investment.developable_share", "uniform"),
        ("zones.south.investment.capital_per_ha", "triangular"),
        ("zones.north.investment.bass_q", "normal"),
        ("zones.north.investment.depreciation", "fixed"),
        ("zones.south.investment.incentive_uplift", "bernoulli"),
    ] {
        assert_eq!(kind(&s, path), k, "{path}");
    }
    // PERT with lambda 3: mean = (min + 3 mode + max) / 5.
    assert!(
        (value(&s, "global.regulatory_shock_cut") - (0.2 + 3.0 * 0.35 + 0.7) / 5.0).abs() < 1e-12
    );

    let spec = sez(&s);
    let ids: Vec<_> = spec.zones.iter().map(|z| z.id.as_str()).collect();
    assert_eq!(ids, ["north", "south"]);
    // Defaults: opening_delay 0, initial_capital 0, backup 0 / 1, public_cost 0.
    assert_eq!(value(&s, "zones.north.investment.opening_delay"), 0.0);
    assert_eq!(value(&s, "zones.north.investment.initial_capital"), 0.0);
    assert_eq!(value(&s, "zones.north.energy.backup_mw"), 0.0);
    assert_eq!(value(&s, "zones.north.energy.backup_availability"), 1.0);
    assert_eq!(spec.zones[0].fiscal.public_cost.values, vec![0.0; 8]);
    // The zone's own keys win over the defaults.
    assert_eq!(value(&s, "zones.south.investment.initial_capital"), 20.0);
    assert_eq!(value(&s, "zones.south.energy.backup_mw"), 5.0);

    // Series: step function, first row back-filled; CSV paths relative to the TOML.
    assert_eq!(
        grid_availability(spec).values,
        vec![0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9]
    );
    assert!(matches!(&grid_availability(spec).source,
        SeriesSource::Csv { column, .. } if column == "median"));
    assert_eq!(
        spec.zones[0].workforce.trainees_per_year.values,
        vec![100.0, 100.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0]
    );
    assert_eq!(
        spec.zones[1].fiscal.public_cost.values,
        vec![10.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(spec.global.port_capacity_teu.values[5], 80000.0);

    // IO table and sourcing in IO order.
    assert_eq!(spec.io.sectors, ["textiles", "services"]);
    assert_eq!(spec.io.coefficients[(0, 1)], 0.1);
    assert_eq!(spec.io.jobs_per_musd, [50.0, 30.0]);
    assert_eq!(spec.zones[0].linkages.sourcing, [0.7, 0.3]);

    // Energy projects from CSV with triangular delays, registered by name.
    assert_eq!(spec.energy_projects.len(), 2);
    assert_eq!(spec.energy_projects[1].name, "south_line");
    assert_eq!(spec.energy_projects[1].zone, 1);
    assert_eq!(kind(&s, "energy_projects.north_solar.delay"), "triangular");
    assert!((value(&s, "energy_projects.north_solar.delay") - 4.0 / 3.0).abs() < 1e-12);

    // Committed investments from CSV, with stable per-zone-year stream keys.
    let c = &spec.committed_investments;
    assert_eq!(c.len(), 3);
    assert_eq!(
        (
            c[0].zone,
            c[0].year,
            c[0].amount,
            c[0].probability,
            c[0].foreign
        ),
        (0, 2026, 100.0, 0.5, true)
    );
    assert!(!c[1].foreign && c[2].foreign);
    assert_eq!(c[0].stream, "committed.north.2026.0");
    assert_eq!(c[1].stream, "committed.north.2026.1");

    // Correlations resolved to parameters; outputs as written.
    assert_eq!(s.correlations.len(), 2);
    assert_eq!(
        s.parameters.get(s.correlations[1].b).path,
        "global.regulatory_shock_cut"
    );
    assert_eq!(s.outputs.quantiles, [0.1, 0.5, 0.9]);
    assert_eq!(s.outputs.table_years, [2025, 2032]);
    assert_eq!(s.outputs.charts, ["exports", "capital"]);
    assert_eq!(s.outputs.targets, [("exports_final".to_string(), 100.0)]);

    // Every input file is recorded with its hash: TOML plus six CSVs.
    assert_eq!(s.inputs.len(), 8);
    assert!(s.inputs.iter().all(|f| f.sha256.len() == 64));
}

#[test]
fn extends_child_changes_exactly_what_it_names() {
    let base = load("tests/fixtures/full/base.toml");
    let child = load("tests/fixtures/full/child.toml");
    assert_eq!(child.name, "full_child");
    // Not named by the child: inherited.
    assert_eq!(child.title, base.title);
    assert_eq!(child.replications, base.replications);
    assert_eq!(child.outputs, base.outputs);

    // Named: a global value, a zone merged by id, a zone appended.
    assert_eq!(value(&child, "global.demand_persistence"), 0.5);
    assert_eq!(value(&child, "zones.north.energy.grid_mw"), 35.0);
    let ids: Vec<_> = sez(&child).zones.iter().map(|z| z.id.clone()).collect();
    assert_eq!(ids, ["north", "south", "east"]);
    // The appended zone takes zone_defaults from the parent.
    assert_eq!(value(&child, "zones.east.energy.grid_mw"), 20.0);

    // Every parameter the child does not name is identical to the parent's.
    let named = ["global.demand_persistence", "zones.north.energy.grid_mw"];
    for (_, p) in base.parameters.iter() {
        if named.contains(&p.path.as_str()) {
            continue;
        }
        let id = child
            .parameters
            .id(&p.path)
            .unwrap_or_else(|| panic!("{} lost", p.path));
        let c = &child.parameters.get(id).distribution;
        assert_eq!(c.to_string(), p.distribution.to_string(), "{}", p.path);
    }
    // The north zone's other sections are merged, not replaced.
    assert_eq!(
        sez(&child).zones[0].workforce.trainees_per_year,
        sez(&base).zones[0].workforce.trainees_per_year
    );
    // Both files are recorded as inputs.
    assert!(child.inputs.iter().any(|f| f.path.ends_with("child.toml")));
    assert!(child.inputs.iter().any(|f| f.path.ends_with("base.toml")));
}

#[test]
fn extends_chains_and_keeps_csv_paths_relative_to_their_file() {
    let g = load("tests/fixtures/full/variants/grandchild.toml");
    assert_eq!(g.name, "full_grandchild");
    assert_eq!(g.replications, 100);
    assert_eq!(g.outputs.quantiles, [0.5]);
    // From the middle file.
    assert_eq!(value(&g, "zones.north.energy.grid_mw"), 35.0);
    // The CSV named by base.toml is still found although grandchild.toml
    // lives in another folder.
    assert_eq!(grid_availability(sez(&g)).values[3], 0.9);
}

#[test]
fn the_shipped_variants_change_what_they_say() {
    let base = load("scenarios/cpec_baseline.toml");
    assert!(matches!(sez(&base).global.power, PowerMode::Hours(_)));
    assert_eq!(sez(&base).zones.len(), 4);
    // Dedicated feeders in every zone, from 2027; the baseline has none.
    let e = load("scenarios/cpec_energy_reliability.toml");
    for (z, b) in sez(&e).zones.iter().zip(&sez(&base).zones) {
        let feeder = z.energy.hours.as_ref().unwrap().feeder.unwrap();
        assert_eq!((feeder.year, feeder.capex), (2027, 15.0), "{}", z.id);
        assert!(b.energy.hours.as_ref().unwrap().feeder.is_none());
    }
    // The restored holiday has no sunset within the horizon.
    let r = load("scenarios/cpec_incentives_restored.toml");
    assert_eq!(sez(&r).global.holiday_sunset_year, Some(2500));
    assert_eq!(value(&r, "zones.bostan.investment.tax_holiday_years"), 10.0);
}

#[test]
fn benchmark_models_load() {
    let dir = tempfile::tempdir().unwrap();
    let ishigami = dir.path().join("ishigami.toml");
    std::fs::write(
        &ishigami,
        r#"
[scenario]
name = "ishigami"
replications = 1000
[model]
kind = "ishigami"
[inputs]
x1 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
x2 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
x3 = { dist = "uniform", min = -3.141592653589793, max = 3.141592653589793 }
"#,
    )
    .unwrap();
    let s = sezsim::load(&ishigami).unwrap();
    let bench = s.spec::<Benchmark>().unwrap();
    assert!(matches!(bench.function, Function::Ishigami { a, b, .. } if a == 7.0 && b == 0.1));
    assert_eq!(s.parameters.uncertain().count(), 3);

    let sobol = dir.path().join("sobol.toml");
    std::fs::write(
        &sobol,
        r#"
[scenario]
name = "sobol"
[model]
kind = "sobol_g"
a = [0, 1, 4.5]
[inputs]
x1 = { dist = "uniform", min = 0, max = 1 }
x2 = { dist = "uniform", min = 0, max = 1 }
x3 = { dist = "uniform", min = 0, max = 1 }
"#,
    )
    .unwrap();
    let s = sezsim::load(&sobol).unwrap();
    match &s.spec::<Benchmark>().unwrap().function {
        Function::SobolG { a, inputs } => {
            assert_eq!(a, &[0.0, 1.0, 4.5]);
            assert_eq!(s.parameters.get(inputs[2]).path, "inputs.x3");
        }
        other => panic!("expected sobol_g, got {other:?}"),
    }
}

/// Write `body` as `dir/name`, extending the full fixture's base.toml.
fn variant_of_base(dir: &Path, name: &str, body: &str) -> PathBuf {
    support::extending(dir, name, "tests/fixtures/full/base.toml", body)
}

fn display(s: &Scenario, path: &str) -> String {
    let id = s
        .parameters
        .id(path)
        .unwrap_or_else(|| panic!("no parameter {path}"));
    s.parameters.get(id).distribution.to_string()
}

/// `n` draws of parameter `path` (replications 0..n, the scenario's seed).
fn draws(s: &Scenario, path: &str, n: u64) -> Vec<f64> {
    let id = s.parameters.id(path).unwrap();
    let sampler = s.parameter_sampler(n, s.seed).unwrap();
    let mut draw = sampler.buffer();
    (0..n)
        .map(|r| {
            sampler.draw(r, &mut draw);
            draw.get(id)
        })
        .collect()
}

/// The mean of the draws `x` is within 4 standard errors (`sd / sqrt(n)`)
/// of `mean`.
#[track_caller]
fn assert_mean_near(x: &[f64], mean: f64, sd: f64) {
    let n = x.len() as f64;
    let got = x.iter().sum::<f64>() / n;
    let tolerance = 4.0 * sd / n.sqrt();
    assert!(
        (got - mean).abs() < tolerance,
        "mean {got}, expected {mean} +- {tolerance}"
    );
}

#[test]
fn a_variant_replaces_a_distribution_of_another_kind_whole() {
    let dir = tempfile::tempdir().unwrap();
    // base.toml: capital_per_ha is triangular(1.0, 1.6, 2.3) in
    // [zone_defaults]; south's opening_delay is triangular(0, 1, 3).
    let v = variant_of_base(
        dir.path(),
        "v.toml",
        r#"[scenario]
name = "v"
[zone_defaults.investment]
capital_per_ha = { dist = "lognormal", mean = 1.6, sd = 0.5 }
[[zones]]
id = "south"
  [zones.investment]
  opening_delay = { dist = "uniform", min = 0, max = 2 }
"#,
    );
    let s = load(v.to_str().unwrap());
    for zone in ["north", "south"] {
        let path = format!("zones.{zone}.investment.capital_per_ha");
        assert_eq!(display(&s, &path), "lognormal(mean 1.6, sd 0.5)", "{path}");
    }
    assert_eq!(
        display(&s, "zones.south.investment.opening_delay"),
        "uniform(min 0, max 2)"
    );
    // The draws are the lognormal's: their mean is 1.6 (sd 0.5), and some
    // lie beyond the triangular's maximum of 2.3 (P(X > 2.3) is about 8%).
    let x = draws(&s, "zones.north.investment.capital_per_ha", 4000);
    assert_mean_near(&x, 1.6, 0.5);
    assert!(x.iter().filter(|&&v| v > 2.3).count() > 100);
    let d = draws(&s, "zones.south.investment.opening_delay", 4000);
    assert!(d.iter().all(|&v| (0.0..=2.0).contains(&v)));
    assert!(d.iter().any(|&v| v > 1.9) && d.iter().any(|&v| v < 0.1));
}

#[test]
fn a_series_switches_from_a_csv_to_a_number_and_back() {
    let dir = tempfile::tempdir().unwrap();
    // base.toml: grid_availability from data/grid.csv; south's trainees
    // from the default number 300.
    let child = variant_of_base(
        dir.path(),
        "child.toml",
        "[scenario]\nname = \"child\"\n[global]\ngrid_availability = 0.9\n\
         [[zones]]\nid = \"south\"\n[zones.workforce]\n\
         trainees_per_year = { csv = \"own.csv\", column = \"south\" }\n",
    );
    std::fs::write(dir.path().join("own.csv"), "year,south\n2025,40\n2029,60\n").unwrap();
    let s = load(child.to_str().unwrap());
    let spec = sez(&s);
    assert_eq!(grid_availability(spec).values, vec![0.9; 8]);
    assert_eq!(grid_availability(spec).source, SeriesSource::Constant(0.9));
    let south = &spec.zones[1].workforce.trainees_per_year;
    assert_eq!(
        south.values,
        [40.0, 40.0, 40.0, 40.0, 60.0, 60.0, 60.0, 60.0]
    );
    // The CSV is found beside the file that named it.
    assert!(matches!(&south.source,
        SeriesSource::Csv { path, column } if path.ends_with("own.csv") && column == "south"));

    // And back: a grandchild gives grid availability a CSV again.
    std::fs::write(
        dir.path().join("grid2.csv"),
        "year,m\n2025,0.7\n2028,0.75\n",
    )
    .unwrap();
    let grandchild = dir.path().join("grandchild.toml");
    std::fs::write(
        &grandchild,
        "extends = \"child.toml\"\n[scenario]\nname = \"grandchild\"\n[global]\n\
         grid_availability = { csv = \"grid2.csv\", column = \"m\" }\n\
         [[zones]]\nid = \"south\"\n[zones.workforce]\ntrainees_per_year = 25\n",
    )
    .unwrap();
    let g = load(grandchild.to_str().unwrap());
    let spec = sez(&g);
    assert_eq!(
        grid_availability(spec).values,
        [0.7, 0.7, 0.7, 0.75, 0.75, 0.75, 0.75, 0.75]
    );
    assert_eq!(
        spec.zones[1].workforce.trainees_per_year.values,
        vec![25.0; 8]
    );
}

#[test]
fn a_zone_that_names_its_sourcing_replaces_the_whole_map() {
    let dir = tempfile::tempdir().unwrap();
    // base.toml's defaults source 70% textiles, 30% services.
    let v = variant_of_base(
        dir.path(),
        "v.toml",
        "[scenario]\nname = \"v\"\n[[zones]]\nid = \"north\"\n\
         [zones.linkages]\nsourcing = { services = 1.0 }\n",
    );
    let s = load(v.to_str().unwrap());
    // Sectors in IO order: textiles, services.
    assert_eq!(sez(&s).zones[0].linkages.sourcing, [0.0, 1.0]);
    assert_eq!(sez(&s).zones[1].linkages.sourcing, [0.7, 0.3]);
    // Over an inherited [zone_defaults] map too.
    let v = variant_of_base(
        dir.path(),
        "v2.toml",
        "[scenario]\nname = \"v2\"\n[zone_defaults.linkages]\nsourcing = { textiles = 1.0 }\n",
    );
    let s = load(v.to_str().unwrap());
    for zone in &sez(&s).zones {
        assert_eq!(zone.linkages.sourcing, [1.0, 0.0], "{}", zone.id);
    }
}

#[test]
fn a_zone_over_zone_defaults_follows_the_same_rules() {
    // In one file: the defaults give a triangular, a number series, a CSV
    // series and a sourcing map; zone south replaces each by a value of
    // another form. North keeps the defaults.
    let dir = tempfile::tempdir().unwrap();
    support::copy_fixture_data(dir.path());
    let text = std::fs::read_to_string("tests/fixtures/full/base.toml")
        .unwrap()
        .replace(
            "[zone_defaults.fiscal]\n",
            "[zone_defaults.fiscal]\npublic_cost = { csv = \"data/cost.csv\", column = \"south\" }\n",
        )
        .replace(
            "  public_cost = { csv = \"data/cost.csv\", column = \"south\" }\n",
            "  public_cost = 7\n\
               [zones.workforce]\n\
               trainees_per_year = { csv = \"data/trainees.csv\", column = \"north\" }\n\
               [zones.linkages]\n\
               sourcing = { services = 1.0 }\n",
        )
        .replace(
            "  initial_capital = 20\n",
            "  initial_capital = 20\n  capital_per_ha = { dist = \"gamma\", shape = 4, scale = 0.4 }\n",
        );
    let path = dir.path().join("zones.toml");
    std::fs::write(&path, &text).unwrap();
    let s = load(path.to_str().unwrap());
    assert_eq!(
        display(&s, "zones.south.investment.capital_per_ha"),
        "gamma(shape 4, scale 0.4)"
    );
    assert_eq!(
        kind(&s, "zones.north.investment.capital_per_ha"),
        "triangular"
    );
    // Gamma(4, 0.4): mean 1.6, sd 0.8.
    let x = draws(&s, "zones.south.investment.capital_per_ha", 4000);
    assert_mean_near(&x, 1.6, 0.8);
    assert!(
        x.iter().any(|&v| v > 2.3),
        "draws beyond the triangular's support"
    );

    let spec = sez(&s);
    let (north, south) = (&spec.zones[0], &spec.zones[1]);
    // A number over a CSV default, and a CSV over a number default.
    assert_eq!(south.fiscal.public_cost.values, vec![7.0; 8]);
    assert_eq!(north.fiscal.public_cost.values[..3], [10.0, 10.0, 0.0]);
    assert_eq!(
        south.workforce.trainees_per_year.values,
        north.workforce.trainees_per_year.values
    );
    assert_eq!(south.workforce.trainees_per_year.values[2], 200.0);
    assert_eq!(south.linkages.sourcing, [0.0, 1.0]);
    assert_eq!(north.linkages.sourcing, [0.7, 0.3]);
}

#[test]
fn a_file_without_model_is_a_sez_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::fixture_without_model(dir.path());
    let s = load(path.to_str().unwrap());
    let base = load("tests/fixtures/full/base.toml");
    assert_eq!(s.model.kind(), "sez");
    assert_eq!(sez(&s).zones.len(), sez(&base).zones.len());
    assert_eq!(s.parameters.len(), base.parameters.len());
    // `[model]` without `kind` is a SEZ scenario too.
    let text = std::fs::read_to_string("tests/fixtures/full/base.toml").unwrap();
    let path = dir.path().join("no_kind.toml");
    std::fs::write(&path, text.replace("kind = \"sez\"\n", "")).unwrap();
    assert_eq!(load(path.to_str().unwrap()).model.kind(), "sez");
}

#[test]
fn a_variant_that_replaces_an_inherited_list_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // base.toml reads 3 committed investments from a CSV and has 2
    // correlations; a child replaces the correlations with 1 and adds
    // nothing else.
    let v = variant_of_base(
        dir.path(),
        "v.toml",
        "[scenario]\nname = \"v\"\n\n[[correlations]]\n\
         between = [\"zones.north.investment.bass_q\", \"zones.south.investment.bass_q\"]\nspearman = 0.4\n",
    );
    let s = load(v.to_str().unwrap());
    assert_eq!(s.correlations.len(), 1);
    assert_eq!(s.replaced_lists.len(), 1);
    let r = &s.replaced_lists[0];
    assert_eq!(r.key_path, "correlations");
    assert_eq!((r.inherited, r.replacement), (2, Some(1)));
    assert!(r.at.file.ends_with("v.toml"));
    assert_eq!(r.at.line, Some(5));
    let text = sezsim::scenario::summary::describe(&s);
    assert!(
        text.contains("replaces the 2 inherited correlations with 1 of its own"),
        "{text}"
    );
    // The base itself replaces nothing.
    assert!(
        load("tests/fixtures/full/base.toml")
            .replaced_lists
            .is_empty()
    );
}

//! Property tests: the loader returns a scenario or errors on any input,
//! and never panics; variants that replace inherited values get exactly
//! what they wrote, or errors located where they wrote it; so do variants
//! that write the keys of model version 2 (power mode and its keys,
//! phases, project kinds, holiday basis and sunset, scope, viability).

mod support;

use proptest::prelude::*;
use sezsim::model::sez::{HolidayBasis, Land, PowerMode, ProjectKind, SezSpec};
use sezsim::scenario::Scenario;
use sezsim::uncertainty::{Distribution, DistributionError, ValueRange};

const BASE: &str = include_str!("fixtures/full/base.toml");
/// The version-2 fixtures: power in hours, and its child with every key of
/// issue 11 (written beside it as `hours.toml`).
const HOURS: &str = include_str!("fixtures/v2/hours.toml");
const FISCAL: &str = include_str!("fixtures/v2/fiscal.toml");

fn load_text(text: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    // The fixture's CSVs, so mutations that keep references valid get deep.
    support::copy_fixture_data(dir.path());
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    // Either outcome is fine; a panic fails the test.
    let _ = sezsim::load(&path);
}

/// Load `text` as the version-2 file `name` (`hours.toml` or
/// `fiscal.toml`) beside the other, unchanged, and the fixtures' CSVs.
fn load_v2_text(name: &str, text: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/v2/data").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.path().join("hours.toml"), HOURS).unwrap();
    std::fs::write(dir.path().join("fiscal.toml"), FISCAL).unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let _ = sezsim::load(&path);
}

/// Mutations of a valid scenario that keep most of it intact.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceNumber(usize, String),
    InsertLine(usize, String),
    Truncate(usize),
    FlipByte(usize, u8),
}

fn apply(m: &Mutation, text: &str) -> Vec<u8> {
    if text.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    match m {
        Mutation::DeleteLine(i) => {
            let mut l = lines.clone();
            l.remove(i % n);
            l.join("\n").into_bytes()
        }
        Mutation::DuplicateLine(i) => {
            let mut l = lines.clone();
            l.insert(i % n, lines[i % n]);
            l.join("\n").into_bytes()
        }
        Mutation::ReplaceNumber(i, token) => {
            // Replace the first number on line i.
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            let line = &mut l[i % n];
            if let Some(start) = line.find(|c: char| c.is_ascii_digit()) {
                let end = line[start..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .map_or(line.len(), |e| start + e);
                line.replace_range(start..end, token);
            }
            l.join("\n").into_bytes()
        }
        Mutation::InsertLine(i, s) => {
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l.insert(i % n, s.clone());
            l.join("\n").into_bytes()
        }
        Mutation::Truncate(k) => text.as_bytes()[..k % text.len()].to_vec(),
        Mutation::FlipByte(k, b) => {
            let mut bytes = text.as_bytes().to_vec();
            let k = k % bytes.len();
            bytes[k] = *b;
            bytes
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("9999999999999999999999".to_string()),
        Just("\"text\"".to_string()),
        Just("{ dist = \"normal\", mean = 0, sd = 1 }".to_string()),
        Just("[]".to_string()),
        "[-+]?[0-9]{1,6}(\\.[0-9]{1,4})?",
    ];
    let line = prop_oneof![
        Just("[zones.bogus]".to_string()),
        Just("[[zones]]".to_string()),
        Just("[[correlations]]\nbetween = [\"global.demand_volatility\", \"global.demand_volatility\"]\nspearman = 1".to_string()),
        Just("extends = \"s.toml\"".to_string()),
        Just("years = 0".to_string()),
        Just("x = { dist = \"discrete\", values = [], weights = [] }".to_string()),
        "[a-z_]{1,12} = [0-9]{1,4}",
        // Version 2's keys, in and out of place.
        Just("power_mode = \"hours\"".to_string()),
        Just("power_mode = \"balance\"".to_string()),
        Just("tariff = 100".to_string()),
        Just("grid_availability = 0.8".to_string()),
        Just("[[zones.phases]]\nname = \"p\"\narea_ha = 10\nplanned_year = 2026".to_string()),
        Just("[[zones.phases]]".to_string()),
        Just("kind = \"captive\"".to_string()),
        Just("islanding_coverage = 2".to_string()),
        Just("lcoe = 40".to_string()),
        Just("feeder_year = 2026".to_string()),
        Just("feeder_om = 1".to_string()),
        Just("load_factor = 0.3".to_string()),
        Just("holiday_basis = \"enterprise\"".to_string()),
        Just("holiday_sunset_year = 2027".to_string()),
        Just("viability_probability = 0.5".to_string()),
        Just("margin_sensitivity = 2".to_string()),
        Just("alpha = { dist = \"uniform\", min = 0.3, max = 0.4, scope = \"common\" }".to_string()),
        Just("scope = \"common\"".to_string()),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), token).prop_map(|(i, t)| Mutation::ReplaceNumber(i, t)),
        (any::<usize>(), line).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(k, b)| Mutation::FlipByte(k, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_text(&bytes);
    }

    #[test]
    fn arbitrary_toml_like_text_never_panics(text in "(\\[[a-z_.]{0,12}\\]\n|[a-z_]{1,10} = (\"[a-z./]{0,10}\"|[0-9.e+-]{1,8}|\\{ ?dist = \"[a-z]{3,10}\"[, a-z0-9=.-]{0,30} ?\\})\n){0,20}") {
        load_text(text.as_bytes());
    }

    #[test]
    fn mutations_of_a_valid_scenario_never_panic(muts in proptest::collection::vec(mutation(), 1..4)) {
        let mut text = BASE.as_bytes().to_vec();
        for m in &muts {
            text = apply(m, &String::from_utf8_lossy(&text));
        }
        load_text(&text);
    }

    #[test]
    fn mutations_of_the_version_2_fixtures_never_panic(
        fiscal in any::<bool>(),
        muts in proptest::collection::vec(mutation(), 1..4),
    ) {
        let (name, base) = if fiscal { ("fiscal.toml", FISCAL) } else { ("hours.toml", HOURS) };
        let mut text = base.as_bytes().to_vec();
        for m in &muts {
            text = apply(m, &String::from_utf8_lossy(&text));
        }
        load_v2_text(name, &text);
    }
}

// ---- variants that replace inherited values ----

/// A distribution as a variant writes it.
#[derive(Debug, Clone)]
enum Dist {
    Fixed(f64),
    Uniform(f64, f64),
    Normal(f64, f64, Option<f64>),
    LogNormal(f64, f64),
    Triangular(f64, f64, f64),
    Pert(f64, f64, f64),
    Beta(f64, f64, f64, f64),
    Gamma(f64, f64),
    Discrete(Vec<f64>, Vec<f64>),
    Bernoulli(f64),
}

impl Dist {
    fn toml(&self) -> String {
        let list = |v: &[f64]| {
            let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
            format!("[{}]", items.join(", "))
        };
        match self {
            Dist::Fixed(v) => format!("{{ dist = \"fixed\", value = {v:?} }}"),
            Dist::Uniform(a, b) => format!("{{ dist = \"uniform\", min = {a:?}, max = {b:?} }}"),
            Dist::Normal(m, sd, None) => {
                format!("{{ dist = \"normal\", mean = {m:?}, sd = {sd:?} }}")
            }
            Dist::Normal(m, sd, Some(lo)) => {
                format!("{{ dist = \"normal\", mean = {m:?}, sd = {sd:?}, min = {lo:?} }}")
            }
            Dist::LogNormal(m, sd) => {
                format!("{{ dist = \"lognormal\", mean = {m:?}, sd = {sd:?} }}")
            }
            Dist::Triangular(a, m, b) => {
                format!("{{ dist = \"triangular\", min = {a:?}, mode = {m:?}, max = {b:?} }}")
            }
            Dist::Pert(a, m, b) => {
                format!("{{ dist = \"pert\", min = {a:?}, mode = {m:?}, max = {b:?} }}")
            }
            Dist::Beta(a, b, lo, hi) => format!(
                "{{ dist = \"beta\", alpha = {a:?}, beta = {b:?}, min = {lo:?}, max = {hi:?} }}"
            ),
            Dist::Gamma(k, s) => format!("{{ dist = \"gamma\", shape = {k:?}, scale = {s:?} }}"),
            Dist::Discrete(v, w) => format!(
                "{{ dist = \"discrete\", values = {}, weights = {} }}",
                list(v),
                list(w)
            ),
            Dist::Bernoulli(p) => format!("{{ dist = \"bernoulli\", p = {p:?} }}"),
        }
    }

    /// What the library makes of the same numbers.
    fn build(&self) -> Result<Distribution, DistributionError> {
        match self.clone() {
            Dist::Fixed(v) => Distribution::fixed(v),
            Dist::Uniform(a, b) => Distribution::uniform(a, b),
            Dist::Normal(m, sd, lo) => Distribution::normal(m, sd, lo, None),
            Dist::LogNormal(m, sd) => Distribution::lognormal(m, sd),
            Dist::Triangular(a, m, b) => Distribution::triangular(a, m, b),
            Dist::Pert(a, m, b) => Distribution::pert(a, m, b, 4.0),
            Dist::Beta(a, b, lo, hi) => Distribution::beta(a, b, lo, hi),
            Dist::Gamma(k, s) => Distribution::gamma(k, s),
            Dist::Discrete(v, w) => Distribution::discrete(v, w),
            Dist::Bernoulli(p) => Distribution::bernoulli(p),
        }
    }

    /// Valid for a parameter of `range`: the distribution exists and every
    /// value it can draw lies in the range.
    fn valid(&self, range: ValueRange) -> Option<Distribution> {
        self.build().ok().filter(|d| range.admits(d))
    }
}

/// Numbers from -0.5 to 4 in steps of 0.1: mostly valid, sometimes not.
fn number() -> impl Strategy<Value = f64> {
    (-5i32..=40).prop_map(|k| k as f64 / 10.0)
}

fn dist() -> impl Strategy<Value = Dist> {
    let n = number;
    prop_oneof![
        n().prop_map(Dist::Fixed),
        (n(), n()).prop_map(|(a, b)| Dist::Uniform(a, b)),
        (n(), n(), proptest::option::of(n())).prop_map(|(m, s, lo)| Dist::Normal(m, s, lo)),
        (n(), n()).prop_map(|(m, s)| Dist::LogNormal(m, s)),
        (n(), n(), n()).prop_map(|(a, m, b)| Dist::Triangular(a, m, b)),
        (n(), n(), n()).prop_map(|(a, m, b)| Dist::Pert(a, m, b)),
        (n(), n(), n(), n()).prop_map(|(a, b, lo, hi)| Dist::Beta(a, b, lo, hi)),
        (n(), n()).prop_map(|(k, s)| Dist::Gamma(k, s)),
        proptest::collection::vec((n(), n()), 1..4).prop_map(|vw| Dist::Discrete(
            vw.iter().map(|p| p.0).collect(),
            vw.iter().map(|p| p.1).collect()
        )),
        n().prop_map(Dist::Bernoulli),
    ]
}

/// A series as a variant writes it: a number, or a column of one of the
/// fixture's CSV files.
#[derive(Debug, Clone)]
enum Series {
    Number(f64),
    /// 0: data/trainees.csv `north`; 1: data/port.csv `teu`.
    Csv(usize),
}

const SERIES_CSV: [(&str, &str); 2] = [("data/trainees.csv", "north"), ("data/port.csv", "teu")];

impl Series {
    fn toml(&self) -> String {
        match self {
            Series::Number(v) => format!("{v:?}"),
            Series::Csv(i) => format!(
                "{{ csv = \"{}\", column = \"{}\" }}",
                SERIES_CSV[*i].0, SERIES_CSV[*i].1
            ),
        }
    }

    /// The yearly values it should give, `None` when invalid (below 0).
    fn values(&self, base: &SezSpec) -> Option<Vec<f64>> {
        match self {
            Series::Number(v) => (*v >= 0.0).then(|| vec![*v; 8]),
            // The base reads the same columns: north's trainees, the port.
            Series::Csv(0) => Some(base.zones[0].workforce.trainees_per_year.values.clone()),
            Series::Csv(_) => Some(base.global.port_capacity_teu.values.clone()),
        }
    }
}

fn series() -> impl Strategy<Value = Series> {
    prop_oneof![
        number().prop_map(Series::Number),
        (0usize..2).prop_map(Series::Csv)
    ]
}

/// A sourcing map: shares of some of the fixture's sectors.
type Sourcing = Vec<(&'static str, f64)>;

fn sourcing() -> impl Strategy<Value = Sourcing> {
    let share = prop_oneof![Just(0.0), Just(0.3), Just(0.7), Just(1.0), Just(1.2)];
    (
        proptest::option::of(share.clone()),
        proptest::option::of(share),
    )
        .prop_map(|(t, s)| {
            let mut map = Vec::new();
            map.extend(t.map(|v| ("textiles", v)));
            map.extend(s.map(|v| ("services", v)));
            map
        })
}

fn sourcing_toml(map: &Sourcing) -> String {
    let items: Vec<String> = map.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
    format!("{{ {} }}", items.join(", "))
}

/// Shares in the IO table's order (textiles, services), `None` if invalid.
fn sourcing_shares(map: &Sourcing) -> Option<Vec<f64>> {
    let get = |k: &str| map.iter().find(|(s, _)| *s == k).map_or(0.0, |p| p.1);
    let shares = vec![get("textiles"), get("services")];
    let sum: f64 = shares.iter().sum();
    (shares.iter().all(|v| (0.0..=1.0).contains(v)) && (sum - 1.0).abs() <= 1e-6).then_some(shares)
}

/// A variant of the fixture: each field replaces one inherited value (or
/// leaves it), in `[global]`, `[zone_defaults]` or zone `south`.
#[derive(Debug, Clone)]
struct Variant {
    /// The parent is written without `[model]`.
    drop_model: bool,
    demand_volatility: Option<Dist>,
    default_uplift: Option<Dist>,
    south_uplift: Option<Dist>,
    port: Option<Series>,
    default_trainees: Option<Series>,
    south_trainees: Option<Series>,
    default_sourcing: Option<Sourcing>,
    south_sourcing: Option<Sourcing>,
}

fn variant() -> impl Strategy<Value = Variant> {
    // Few replacements per variant, so that about half the variants are
    // valid and their exact result is checked.
    fn of<T: Strategy>(t: T) -> impl Strategy<Value = Option<T::Value>> {
        proptest::option::weighted(0.3, t)
    }
    (
        any::<bool>(),
        (of(dist()), of(dist()), of(dist())),
        (of(series()), of(series()), of(series())),
        (of(sourcing()), of(sourcing())),
    )
        .prop_map(|(drop_model, d, s, m)| Variant {
            drop_model,
            demand_volatility: d.0,
            default_uplift: d.1,
            south_uplift: d.2,
            port: s.0,
            default_trainees: s.1,
            south_trainees: s.2,
            default_sourcing: m.0,
            south_sourcing: m.1,
        })
}

impl Variant {
    fn toml(&self) -> String {
        let mut t =
            String::from("extends = \"parent.toml\"\n[scenario]\nname = \"variant\"\n[global]\n");
        let mut line = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                t.push_str(&format!("{key} = {v}\n"));
            }
        };
        line(
            "demand_volatility",
            self.demand_volatility.as_ref().map(Dist::toml),
        );
        line("port_capacity_teu", self.port.as_ref().map(Series::toml));
        for (header, uplift, trainees, sourcing) in [
            (
                "[zone_defaults]",
                &self.default_uplift,
                &self.default_trainees,
                &self.default_sourcing,
            ),
            (
                "[[zones]]\nid = \"south\"",
                &self.south_uplift,
                &self.south_trainees,
                &self.south_sourcing,
            ),
        ] {
            t.push_str(header);
            t.push('\n');
            if let Some(d) = uplift {
                t.push_str(&format!("investment.incentive_uplift = {}\n", d.toml()));
            }
            if let Some(s) = trainees {
                t.push_str(&format!("workforce.trainees_per_year = {}\n", s.toml()));
            }
            if let Some(m) = sourcing {
                t.push_str(&format!("linkages.sourcing = {}\n", sourcing_toml(m)));
            }
        }
        t
    }
}

fn sez(s: &Scenario) -> &SezSpec {
    s.spec::<SezSpec>().expect("a sez scenario")
}

use support::distribution;

/// What a variant's load should be, checked: the scenario when it was
/// predicted `valid`; `None` when it failed as predicted, with every error
/// located in the variant (`toml`); a test failure otherwise.
fn outcome(
    valid: bool,
    loaded: Result<Scenario, sezsim::diagnostics::Diagnostics>,
    toml: &str,
) -> Result<Option<Scenario>, TestCaseError> {
    match (valid, loaded) {
        (true, Ok(s)) => Ok(Some(s)),
        (true, Err(e)) => Err(TestCaseError::fail(format!(
            "expected a valid variant:\n{toml}\n{e}"
        ))),
        (false, Ok(_)) => Err(TestCaseError::fail(format!("expected errors for:\n{toml}"))),
        (false, Err(e)) => {
            for d in e.iter() {
                let file = d.location.as_ref().map(|l| l.file.clone());
                prop_assert!(
                    file.as_ref().is_some_and(|f| f.ends_with("variant.toml")),
                    "error outside the variant:\n{}\nfor:\n{}",
                    d,
                    toml
                );
            }
            Ok(None)
        }
    }
}

/// Load `v` over the fixture and check the specified result: each value
/// the variant wrote replaces the inherited one whole (a zone's own over
/// the defaults', the defaults' over the parent's); if any value in effect
/// is invalid, the load fails and every error is located in the variant.
fn check_variant(v: &Variant, base: &Scenario) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    support::copy_fixture_data(dir.path());
    let parent = if v.drop_model {
        support::without_model(BASE)
    } else {
        BASE.to_string()
    };
    std::fs::write(dir.path().join("parent.toml"), parent).unwrap();
    let path = dir.path().join("variant.toml");
    std::fs::write(&path, v.toml()).unwrap();
    let loaded = sezsim::load(&path);

    let base_spec = sez(base);
    // What each value in effect should be; `None` when invalid.
    // The valid ranges of the replaced keys (docs/scenario-format.md).
    let volatility_range = ValueRange::Between(0.0, 1.0);
    let uplift_range = ValueRange::Between(0.0, 10.0);
    let dist_or = |d: &Option<Dist>, inherited: &str, range| match d {
        Some(d) => d.valid(range),
        None => Some(distribution(base, inherited)),
    };
    let volatility = dist_or(
        &v.demand_volatility,
        "global.demand_volatility",
        volatility_range,
    );
    let north_uplift = dist_or(
        &v.default_uplift,
        "zones.north.investment.incentive_uplift",
        uplift_range,
    );
    let south_uplift = match &v.south_uplift {
        Some(_) => dist_or(&v.south_uplift, "", uplift_range),
        None => north_uplift.clone(),
    };
    let port = match &v.port {
        Some(s) => s.values(base_spec),
        None => Some(base_spec.global.port_capacity_teu.values.clone()),
    };
    let south_trainees = match (&v.south_trainees, &v.default_trainees) {
        (Some(s), _) | (None, Some(s)) => s.values(base_spec),
        (None, None) => Some(
            base_spec.zones[1]
                .workforce
                .trainees_per_year
                .values
                .clone(),
        ),
    };
    let north_sourcing = match &v.default_sourcing {
        Some(m) => sourcing_shares(m),
        None => Some(base_spec.zones[0].linkages.sourcing.clone()),
    };
    let south_sourcing = match &v.south_sourcing {
        Some(m) => sourcing_shares(m),
        None => north_sourcing.clone(),
    };

    let expected = (|| {
        Some((
            volatility?,
            north_uplift?,
            south_uplift?,
            port?,
            south_trainees?,
            north_sourcing?,
            south_sourcing?,
        ))
    })();
    let Some(s) = outcome(expected.is_some(), loaded, &v.toml())? else {
        return Ok(());
    };
    let (vol, nu, su, port, st, ns, ss) = expected.expect("predicted valid");
    prop_assert_eq!(s.model.kind(), "sez");
    for (path, d) in [
        ("global.demand_volatility", &vol),
        ("zones.north.investment.incentive_uplift", &nu),
        ("zones.south.investment.incentive_uplift", &su),
    ] {
        prop_assert_eq!(
            distribution(&s, path).to_string(),
            d.to_string(),
            "{}",
            path
        );
    }
    let spec = sez(&s);
    prop_assert_eq!(&spec.global.port_capacity_teu.values, &port);
    prop_assert_eq!(&spec.zones[1].workforce.trainees_per_year.values, &st);
    prop_assert_eq!(
        &spec.zones[0].workforce.trainees_per_year.values,
        &base_spec.zones[0].workforce.trainees_per_year.values
    );
    prop_assert_eq!(&spec.zones[0].linkages.sourcing, &ns);
    prop_assert_eq!(&spec.zones[1].linkages.sourcing, &ss);
    // Draws stay within each replaced distribution's support.
    let id = s
        .parameters
        .id("zones.south.investment.incentive_uplift")
        .unwrap();
    let sampler = s.parameter_sampler(20, 3).unwrap();
    let mut draw = sampler.buffer();
    let (lo, hi) = su.support();
    for r in 0..20 {
        sampler.draw(r, &mut draw);
        let x = draw.get(id);
        prop_assert!(lo <= x && x <= hi, "{} outside [{}, {}]", x, lo, hi);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn variants_replace_inherited_values_whole(v in variant()) {
        let base = sezsim::load(std::path::Path::new("tests/fixtures/full/base.toml")).unwrap();
        check_variant(&v, &base)?;
    }
}

// ---- variants that write the keys of model version 2 ----

/// Numbers from a little below `lo` to a little above `hi`, in 24 steps:
/// mostly in [lo, hi].
fn number_in(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (-2i32..=22).prop_map(move |k| lo + (hi - lo) * k as f64 / 20.0)
}

/// Distributions for a key of range [lo, hi]: mostly inside it (ordered
/// bounds), sometimes any distribution at all.
fn dist_in(lo: f64, hi: f64) -> impl Strategy<Value = Dist> {
    let n = move || number_in(lo, hi);
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    prop_oneof![
        4 => n().prop_map(Dist::Fixed),
        2 => (n(), n()).prop_map(move |(a, b)| {
            let v = sorted(vec![a, b]);
            Dist::Uniform(v[0], v[1])
        }),
        2 => (n(), n(), n()).prop_map(move |(a, m, b)| {
            let v = sorted(vec![a, m, b]);
            Dist::Triangular(v[0], v[1], v[2])
        }),
        1 => (n(), n()).prop_map(move |(a, b)| {
            let v = sorted(vec![a, b]);
            Dist::Beta(2.0, 3.0, v[0], v[1])
        }),
        1 => (n(), n()).prop_map(|(a, b)| Dist::Discrete(vec![a, b], vec![1.0, 2.0])),
        1 => dist(),
    ]
}

/// How a variant writes `global.power_mode`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ModeLine {
    /// Not at all: the parent's.
    Inherited,
    /// The parent's mode, written again.
    Same,
    /// A misspelt mode.
    Misspelt,
}

/// A phase the variant writes for zone `south`, whose parent has one phase
/// `p1` (400 ha, 2025): a phase named `p1` merges into it.
#[derive(Debug, Clone)]
struct PhaseGen {
    name: &'static str,
    area: Option<Dist>,
    planned_year: i64,
    delay: Option<Dist>,
    grid_mw: Option<Dist>,
}

fn phase() -> impl Strategy<Value = PhaseGen> {
    (
        prop_oneof![3 => Just("p1"), 3 => Just("p2"), 3 => Just("late_3"), 1 => Just("P 4")],
        proptest::option::weighted(0.9, dist_in(0.0, 1000.0)),
        prop_oneof![3 => Just(2025i64), 3 => Just(2027), 3 => Just(2031), 1 => Just(1700)],
        proptest::option::weighted(0.3, dist_in(0.0, 3.0)),
        proptest::option::weighted(0.3, dist_in(0.0, 50.0)),
    )
        .prop_map(|(name, area, planned_year, delay, grid_mw)| PhaseGen {
            name,
            area,
            planned_year,
            delay,
            grid_mw,
        })
}

/// A phase as the loaded scenario should hold it.
#[derive(Debug, Clone)]
struct ExpectedPhase {
    name: String,
    planned_year: i64,
    area_ha: Distribution,
    delay: Distribution,
    grid_mw: Distribution,
}

/// A project the variant writes (replacing the parent's CSV list).
#[derive(Debug, Clone)]
struct ProjectGen {
    kind: Option<&'static str>,
    islanding: Option<f64>,
    lcoe: Option<f64>,
}

/// A variant of a version-2 parent (tests/fixtures/full/base.toml in
/// `"balance"` or `"hours"` mode, zone `south` on phases): every field
/// writes a key of version 2, or leaves it.
#[derive(Debug, Clone)]
struct V2Variant {
    hours: bool,
    mode_line: ModeLine,
    /// A `[global]` key of the other mode.
    other_mode_key: bool,
    load_factor: Option<Dist>,
    feeder_year: Option<i64>,
    feeder_factor: Option<Dist>,
    phases: Vec<PhaseGen>,
    /// `investment.area_ha` on zone `south`, or in `[zone_defaults]`.
    south_area: bool,
    default_area: bool,
    project: Option<ProjectGen>,
    holiday_basis: Option<&'static str>,
    sunset: Option<i64>,
    /// `scope` on `[zone_defaults]`'s `bass_q`, written as `dist`, and
    /// whether `south` sets its own `bass_q`.
    scope: Option<(&'static str, Dist, bool)>,
    viability: Option<Dist>,
    margin_sensitivity: Option<Dist>,
}

fn v2_variant() -> impl Strategy<Value = V2Variant> {
    fn of<T: Strategy>(t: T) -> impl Strategy<Value = Option<T::Value>> {
        proptest::option::weighted(0.3, t)
    }
    fn rarely() -> impl Strategy<Value = bool> {
        proptest::bool::weighted(0.05)
    }
    let mode_line = prop_oneof![
        4 => Just(ModeLine::Inherited),
        4 => Just(ModeLine::Same),
        1 => Just(ModeLine::Misspelt),
    ];
    let project = (
        prop_oneof![
            1 => Just(None),
            1 => Just(Some("grid")),
            3 => Just(Some("captive")),
            1 => Just(Some("captiv")),
        ],
        of(number_in(0.0, 1.0)),
        of(number_in(0.0, 100.0)),
    )
        .prop_map(|(kind, islanding, lcoe)| ProjectGen {
            kind,
            islanding,
            lcoe,
        });
    let scope = (
        prop_oneof![6 => Just("common"), 3 => Just("zone"), 1 => Just("comon")],
        dist_in(0.0, 10.0),
        any::<bool>(),
    );
    (
        (any::<bool>(), mode_line, rarely(), of(dist_in(0.5, 1.0))),
        (
            of(prop_oneof![4 => Just(2028i64), 4 => Just(2020), 1 => Just(3000)]),
            of(dist_in(0.0, 1.0)),
            proptest::collection::vec(phase(), 0..3),
            rarely(),
            rarely(),
        ),
        (
            of(project),
            of(prop_oneof![4 => Just("zone"), 4 => Just("enterprise"), 1 => Just("enterprize")]),
            of(prop_oneof![4 => Just(2030i64), 4 => Just(2025), 1 => Just(1700), 1 => Just(2600)]),
        ),
        (
            of(scope),
            of(dist_in(0.0, 1.0)),
            of(dist_in(0.0, 10.0)),
            rarely(),
        ),
    )
        .prop_map(|(m, f, p, s)| {
            // The keys of "hours" mode are rarely written in "balance"
            // mode (always an error there).
            let hours_keys = m.0 || s.3;
            V2Variant {
                hours: m.0,
                mode_line: m.1,
                other_mode_key: m.2,
                load_factor: m.3.filter(|_| hours_keys),
                feeder_year: f.0.filter(|_| hours_keys),
                feeder_factor: f.1.filter(|_| hours_keys),
                // Distinct names: a name written twice would merge into one.
                phases: {
                    let mut seen = Vec::new();
                    f.2.into_iter()
                        .filter(|p| {
                            let new = !seen.contains(&p.name);
                            seen.push(p.name);
                            new
                        })
                        .collect()
                },
                south_area: f.3,
                default_area: f.4,
                project: p.0.map(|mut project| {
                    if !hours_keys {
                        project.lcoe = None;
                    }
                    project
                }),
                holiday_basis: p.1,
                sunset: p.2,
                scope: s.0,
                viability: s.1,
                margin_sensitivity: s.2,
            }
        })
}

/// The parent of a version-2 variant: the full fixture with `area_ha` on
/// zone `north` only and zone `south` on one phase `p1`; in `"hours"` mode
/// with the keys it requires instead of grid availability.
fn v2_parent(hours: bool) -> String {
    let replace = |text: &str, from: &str, to: &str| {
        assert!(text.contains(from), "{from:?}");
        text.replacen(from, to, 1)
    };
    let mut t = replace(
        BASE,
        "[zone_defaults.investment]\narea_ha = 400\n",
        "[zone_defaults.investment]\n",
    );
    t = replace(
        &t,
        "name = \"North zone\"\nopens_year = 2025\n",
        "name = \"North zone\"\nopens_year = 2025\n  [zones.investment]\n  area_ha = 400\n",
    );
    t = replace(
        &t,
        "\n\n[[correlations]]",
        "\n  [[zones.phases]]\n  name = \"p1\"\n  area_ha = 400\n  planned_year = 2025\n\n[[correlations]]",
    );
    if hours {
        t = replace(
            &t,
            "grid_availability = { csv = \"data/grid.csv\", column = \"median\" }\ngrid_availability_logit_sd = { dist = \"gamma\", shape = 4, scale = 0.1 }\n",
            "power_mode = \"hours\"\noutage_unplanned_hours = 3\noutage_unplanned_logsd = 0.5\noutage_planned_hours = 2\noutage_planned_logsd = 0.4\ntariff = 100\n",
        );
        t = replace(
            &t,
            "grid_mw = 20\n",
            "grid_mw = 20\noutage_loss_unplanned = 0.08\noutage_loss_planned = 0.03\n",
        );
    }
    t
}

impl V2Variant {
    fn mode(&self) -> &'static str {
        if self.hours { "hours" } else { "balance" }
    }

    fn toml(&self) -> String {
        let mut t =
            String::from("extends = \"parent.toml\"\n[scenario]\nname = \"variant\"\n[global]\n");
        match self.mode_line {
            ModeLine::Inherited => {}
            ModeLine::Same => t.push_str(&format!("power_mode = \"{}\"\n", self.mode())),
            ModeLine::Misspelt => t.push_str("power_mode = \"hour\"\n"),
        }
        if self.other_mode_key {
            t.push_str(if self.hours {
                "grid_availability = 0.8\n"
            } else {
                "tariff = 100\n"
            });
        }
        if let Some(y) = self.sunset {
            t.push_str(&format!("holiday_sunset_year = {y}\n"));
        }
        t.push_str("[zone_defaults]\n");
        if let Some(d) = &self.load_factor {
            t.push_str(&format!("energy.load_factor = {}\n", d.toml()));
        }
        if let Some((scope, d, _)) = &self.scope {
            let table = d.toml();
            let table = format!("{}, scope = \"{scope}\" }}", &table[..table.len() - 2]);
            t.push_str(&format!("investment.bass_q = {table}\n"));
        }
        if let Some(d) = &self.viability {
            t.push_str(&format!(
                "investment.viability_probability = {}\n",
                d.toml()
            ));
        }
        if let Some(d) = &self.margin_sensitivity {
            t.push_str(&format!("investment.margin_sensitivity = {}\n", d.toml()));
        }
        if self.default_area {
            t.push_str("investment.area_ha = 300\n");
        }
        if let Some(b) = self.holiday_basis {
            t.push_str(&format!("fiscal.holiday_basis = \"{b}\"\n"));
        }
        t.push_str("[[zones]]\nid = \"south\"\n");
        if self.south_area {
            t.push_str("investment.area_ha = 300\n");
        }
        if let Some((_, _, true)) = &self.scope {
            t.push_str("investment.bass_q = { dist = \"fixed\", value = 0.3 }\n");
        }
        if let Some(y) = self.feeder_year {
            t.push_str(&format!("energy.feeder_year = {y}\n"));
        }
        if let Some(d) = &self.feeder_factor {
            t.push_str(&format!("energy.feeder_unplanned_factor = {}\n", d.toml()));
        }
        for p in &self.phases {
            t.push_str(&format!(
                "  [[zones.phases]]\n  name = \"{}\"\n  planned_year = {}\n",
                p.name, p.planned_year
            ));
            for (key, d) in [
                ("area_ha", &p.area),
                ("delay", &p.delay),
                ("grid_mw", &p.grid_mw),
            ] {
                if let Some(d) = d {
                    t.push_str(&format!("  {key} = {}\n", d.toml()));
                }
            }
        }
        if let Some(p) = &self.project {
            t.push_str("[[energy_projects]]\nname = \"plant\"\nzone = \"north\"\ncapacity_mw = 10\ncapacity_factor = 0.5\nzone_share = 1\nplanned_year = 2027\n");
            if let Some(k) = p.kind {
                t.push_str(&format!("kind = \"{k}\"\n"));
            }
            if let Some(v) = p.islanding {
                t.push_str(&format!("islanding_coverage = {v:?}\n"));
            }
            if let Some(v) = p.lcoe {
                t.push_str(&format!("lcoe = {v:?}\n"));
            }
        }
        t
    }

    /// The project's kind if the variant's project is valid (the parent's
    /// projects, all grid, when it writes none).
    fn project_kind(&self) -> Option<Option<ProjectKind>> {
        let Some(p) = &self.project else {
            return Some(None);
        };
        match p.kind.unwrap_or("grid") {
            "grid" => {
                (p.islanding.is_none() && p.lcoe.is_none()).then_some(Some(ProjectKind::Grid))
            }
            "captive" => {
                let islanding = p.islanding.unwrap_or(0.0);
                let lcoe_ok = match p.lcoe {
                    None => true,
                    Some(v) => self.hours && (0.0..=1e4).contains(&v),
                };
                ((0.0..=1.0).contains(&islanding) && lcoe_ok).then_some(Some(
                    ProjectKind::Captive {
                        islanding_coverage: islanding,
                        lcoe: p.lcoe.unwrap_or(0.0),
                    },
                ))
            }
            _ => None,
        }
    }

    /// Zone `south`'s phases, if valid: the parent's `p1`, merged with a
    /// phase of that name, then the others in the variant's order.
    fn phases(&self) -> Option<Vec<ExpectedPhase>> {
        let fixed = |v: f64| Distribution::fixed(v).unwrap();
        let mut phases = vec![ExpectedPhase {
            name: "p1".to_string(),
            planned_year: 2025,
            area_ha: fixed(400.0),
            delay: fixed(0.0),
            grid_mw: fixed(0.0),
        }];
        for p in &self.phases {
            if !p
                .name
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            {
                return None;
            }
            if !(1800..=2500).contains(&p.planned_year) {
                return None;
            }
            let valid = |d: &Option<Dist>, range, default: Option<Distribution>| match d {
                Some(d) => d.valid(range),
                None => default,
            };
            let merged = phases.iter().position(|q| q.name == p.name);
            let inherited = merged.map(|i| phases[i].clone());
            let phase = ExpectedPhase {
                name: p.name.to_string(),
                planned_year: p.planned_year,
                area_ha: valid(
                    &p.area,
                    ValueRange::PositiveUpTo(1e6),
                    inherited.as_ref().map(|q| q.area_ha.clone()),
                )?,
                delay: valid(
                    &p.delay,
                    ValueRange::NonNegative,
                    Some(inherited.as_ref().map_or(fixed(0.0), |q| q.delay.clone())),
                )?,
                grid_mw: valid(
                    &p.grid_mw,
                    ValueRange::Between(0.0, 1e6),
                    Some(inherited.as_ref().map_or(fixed(0.0), |q| q.grid_mw.clone())),
                )?,
            };
            match merged {
                Some(i) => phases[i] = phase,
                None => phases.push(phase),
            }
        }
        Some(phases)
    }

    /// Whether every key the variant writes is valid (the other checks of
    /// a valid variant are in [`check_v2_variant`]).
    fn valid(&self) -> bool {
        let dist_ok = |d: &Option<Dist>, range| d.as_ref().is_none_or(|d| d.valid(range).is_some());
        let feeder_written = self.feeder_year.is_some() || self.feeder_factor.is_some();
        let feeder_ok = !feeder_written
            || (self.hours
                && self.feeder_year.is_some_and(|y| (1800..=2500).contains(&y))
                && dist_ok(&self.feeder_factor, ValueRange::Share));
        let scope_ok = self.scope.as_ref().is_none_or(|(scope, d, _)| {
            *scope != "comon" && d.valid(ValueRange::Between(0.0, 10.0)).is_some()
        });
        self.mode_line != ModeLine::Misspelt
            && !self.other_mode_key
            && (self.load_factor.is_none()
                || (self.hours && dist_ok(&self.load_factor, ValueRange::Between(0.5, 1.0))))
            && feeder_ok
            && self.phases().is_some()
            && !self.south_area
            && !self.default_area
            && self.project_kind().is_some()
            && self.holiday_basis.is_none_or(|b| b != "enterprize")
            && self.sunset.is_none_or(|y| (1800..=2500).contains(&y))
            && scope_ok
            && dist_ok(&self.viability, ValueRange::Share)
            && dist_ok(&self.margin_sensitivity, ValueRange::Between(0.0, 10.0))
    }
}

/// Load `v` over its parent: a valid variant loads with exactly the values
/// it wrote (and the defaults of what it did not); an invalid one fails
/// with every error located in the variant.
fn check_v2_variant(v: &V2Variant) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    support::copy_fixture_data(dir.path());
    std::fs::write(dir.path().join("parent.toml"), v2_parent(v.hours)).unwrap();
    let path = dir.path().join("variant.toml");
    std::fs::write(&path, v.toml()).unwrap();
    let loaded = sezsim::load(&path);
    let Some(s) = outcome(v.valid(), loaded, &v.toml())? else {
        return Ok(());
    };
    let spec = sez(&s);
    let (north, south) = (&spec.zones[0], &spec.zones[1]);
    prop_assert_eq!(matches!(spec.global.power, PowerMode::Hours(_)), v.hours);
    let fixed = |x: f64| Distribution::fixed(x).unwrap();
    let expect_dist =
        |path: &str, d: &Option<Dist>, default: Distribution| -> Result<(), TestCaseError> {
            let want = d.as_ref().map_or(default, |d| d.build().unwrap());
            prop_assert_eq!(
                distribution(&s, path).to_string(),
                want.to_string(),
                "{}",
                path
            );
            Ok(())
        };
    if v.hours {
        expect_dist("zones.north.energy.load_factor", &v.load_factor, fixed(1.0))?;
        let feeder = south.energy.hours.as_ref().unwrap().feeder;
        prop_assert_eq!(feeder.map(|f| f.year as i64), v.feeder_year);
        if v.feeder_year.is_some() {
            expect_dist(
                "zones.south.energy.feeder_unplanned_factor",
                &v.feeder_factor,
                fixed(1.0),
            )?;
        }
    } else {
        prop_assert!(north.energy.hours.is_none());
    }
    // Phases, merged by name.
    let phases = v.phases().unwrap();
    prop_assert_eq!(south.investment.land, Land::Phases);
    let names: Vec<&str> = south.phases.iter().map(|p| p.name.as_str()).collect();
    let want: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
    prop_assert_eq!(names, want);
    for (p, want) in south.phases.iter().zip(&phases) {
        prop_assert_eq!(p.planned_year as i64, want.planned_year);
        for (key, d) in [
            ("area_ha", &want.area_ha),
            ("delay", &want.delay),
            ("grid_mw", &want.grid_mw),
        ] {
            let path = format!("zones.south.phases.{}.{key}", want.name);
            prop_assert_eq!(
                distribution(&s, &path).to_string(),
                d.to_string(),
                "{}",
                path
            );
        }
    }
    // Projects: the variant's one, or the parent's two grid projects.
    let kinds: Vec<ProjectKind> = spec.energy_projects.iter().map(|p| p.kind).collect();
    match v.project_kind().unwrap() {
        Some(kind) => prop_assert_eq!(kinds, vec![kind]),
        None => prop_assert_eq!(kinds, vec![ProjectKind::Grid; 2]),
    }
    let basis = match v.holiday_basis {
        Some("enterprise") => HolidayBasis::Enterprise,
        _ => HolidayBasis::Zone,
    };
    prop_assert_eq!(north.fiscal.holiday_basis, basis);
    prop_assert_eq!(south.fiscal.holiday_basis, basis);
    prop_assert_eq!(spec.global.holiday_sunset_year.map(i64::from), v.sunset);
    // Scope: a common bass_q is one parameter at the defaults' path,
    // shared by the zones that inherit it.
    let common_id = s.parameters.id("zone_defaults.investment.bass_q");
    match &v.scope {
        Some(("common", d, south_own)) => {
            let id = common_id.expect("a common parameter");
            prop_assert_eq!(
                distribution(&s, "zone_defaults.investment.bass_q").to_string(),
                d.build().unwrap().to_string()
            );
            prop_assert_eq!(north.investment.bass_q, id);
            prop_assert!(s.parameters.id("zones.north.investment.bass_q").is_none());
            if *south_own {
                prop_assert_eq!(
                    distribution(&s, "zones.south.investment.bass_q").to_string(),
                    "fixed 0.3"
                );
                prop_assert_eq!(spec.common[0].zones.clone(), vec!["north".to_string()]);
            } else {
                prop_assert_eq!(south.investment.bass_q, id);
                prop_assert_eq!(
                    spec.common[0].zones.clone(),
                    vec!["north".to_string(), "south".to_string()]
                );
            }
        }
        scope => {
            prop_assert!(common_id.is_none());
            prop_assert!(spec.common.is_empty());
            if let Some((_, d, _)) = scope {
                prop_assert_eq!(
                    distribution(&s, "zones.north.investment.bass_q").to_string(),
                    d.build().unwrap().to_string()
                );
            }
        }
    }
    expect_dist(
        "zones.north.investment.viability_probability",
        &v.viability,
        fixed(1.0),
    )?;
    expect_dist(
        "zones.south.investment.margin_sensitivity",
        &v.margin_sensitivity,
        fixed(0.0),
    )?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn variants_writing_version_2_keys_load_what_they_wrote(v in v2_variant()) {
        check_v2_variant(&v)?;
    }
}

//! Property tests: the loader returns a scenario or errors on any input,
//! and never panics; variants that replace inherited values get exactly
//! what they wrote, or errors located where they wrote it.

mod support;

use proptest::prelude::*;
use sezsim::model::sez::SezSpec;
use sezsim::scenario::{Scenario, ValueRange};
use sezsim::uncertainty::{Distribution, DistributionError};

const BASE: &str = include_str!("fixtures/full/base.toml");

fn load_text(text: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    // The fixture's CSVs, so mutations that keep references valid get deep.
    support::copy_fixture_data(dir.path());
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    // Either outcome is fine; a panic fails the test.
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

fn distribution(s: &Scenario, path: &str) -> Distribution {
    s.parameters
        .get(s.parameters.id(path).unwrap())
        .distribution
        .clone()
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
    match (expected, loaded) {
        (Some((vol, nu, su, port, st, ns, ss)), Ok(s)) => {
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
        }
        (Some(_), Err(e)) => {
            return Err(TestCaseError::fail(format!(
                "expected a valid variant:\n{}\n{e}",
                v.toml()
            )));
        }
        (None, Ok(_)) => {
            return Err(TestCaseError::fail(format!(
                "expected errors for:\n{}",
                v.toml()
            )));
        }
        (None, Err(e)) => {
            for d in e.iter() {
                let file = d.location.as_ref().map(|l| l.file.clone());
                prop_assert!(
                    file.as_ref().is_some_and(|f| f.ends_with("variant.toml")),
                    "error outside the variant:\n{}\nfor:\n{}",
                    d,
                    v.toml()
                );
            }
        }
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

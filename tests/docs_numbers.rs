//! The numbers docs/policy.md and docs/sweeps.md quote cannot drift. Each
//! doc prints the command beside its numbers; this test runs those commands
//! (the same arguments, into a temporary folder) and renders every
//! generated block, the text between `<!-- generated: NAME -->` and
//! `<!-- end generated -->`, which must be exactly what the doc holds.
//!
//! When a change moves the numbers on purpose, regenerate the blocks with
//!
//! ```text
//! UPDATE_DOCS=1 cargo test --test docs_numbers
//! ```
//!
//! and read the diff. The prose around the blocks makes claims (which lever
//! buys the most, that feeders and solar substitute for each other, what
//! shared uncertainty does to a target's chance): the assertions beside
//! each block check them, so a claim that stops being true fails even
//! after regeneration, and the prose must be rewritten.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use sezsim::output::format::{percent, significant};

/// A command a doc prints: `sezsim ARGS --out output/OUT`.
struct Cmd {
    args: &'static [&'static str],
    out: &'static str,
}

impl Cmd {
    /// The command as the doc prints it, one scenario per line.
    fn console(&self) -> String {
        let mut line = String::from("$ sezsim");
        let wrap = self.args.iter().filter(|a| a.ends_with(".toml")).count() > 2;
        for a in self.args {
            if wrap && a.ends_with(".toml") {
                line.push_str(" \\\n   ");
            }
            line.push(' ');
            line.push_str(a);
        }
        line.push_str(&format!(" --out output/{}", self.out));
        line
    }

    /// Run it into `dir`: its output folder and what it printed.
    fn run(&self, dir: &Path) -> (PathBuf, String) {
        let out = dir.join(self.out);
        let o = Command::cargo_bin("sezsim")
            .unwrap()
            .args(self.args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            self.console(),
            String::from_utf8_lossy(&o.stderr)
        );
        (out, String::from_utf8(o.stdout).unwrap())
    }
}

/// A CSV file as rows of column -> cell.
struct Csv(Vec<HashMap<String, String>>);

impl Csv {
    fn read(path: &Path) -> Csv {
        let mut reader = csv::Reader::from_path(path).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        Csv(reader
            .records()
            .map(|r| {
                header
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(String::from))
                    .collect()
            })
            .collect())
    }

    /// The row whose columns hold these values.
    fn row(&self, key: &[(&str, &str)]) -> &HashMap<String, String> {
        self.0
            .iter()
            .find(|r| key.iter().all(|(c, v)| r[*c] == *v))
            .unwrap_or_else(|| panic!("no row {key:?}"))
    }

    /// A number of the row with these values; `None` for an empty cell.
    fn opt(&self, key: &[(&str, &str)], column: &str) -> Option<f64> {
        let cell = &self.row(key)[column];
        (!cell.is_empty()).then(|| cell.parse().unwrap())
    }

    fn num(&self, key: &[(&str, &str)], column: &str) -> f64 {
        self.opt(key, column)
            .unwrap_or_else(|| panic!("{key:?} {column} is empty"))
    }
}

/// A finished comparison's tables.
struct Compared {
    dir: PathBuf,
    compare: Csv,
    cost: Csv,
    stdout: String,
}

impl Compared {
    fn run(cmd: &Cmd, dir: &Path) -> Compared {
        let (dir, stdout) = cmd.run(dir);
        Compared {
            compare: Csv::read(&dir.join("compare.csv")),
            cost: Csv::read(&dir.join("cost_effectiveness.csv")),
            dir,
            stdout,
        }
    }

    /// A column of `compare.csv` for a scalar and scenario.
    fn get(&self, scalar: &str, scenario: &str, column: &str) -> f64 {
        self.compare
            .num(&[("scalar", scalar), ("scenario", scenario)], column)
    }

    /// The paired difference from the base: mean and 95% interval.
    fn diff(&self, scalar: &str, scenario: &str) -> (f64, f64, f64) {
        (
            self.get(scalar, scenario, "diff_mean"),
            self.get(scalar, scenario, "diff_low95"),
            self.get(scalar, scenario, "diff_high95"),
        )
    }

    /// A column of `cost_effectiveness.csv`.
    fn cost(&self, variant: &str, outcome: &str, column: &str) -> Option<f64> {
        self.cost
            .opt(&[("variant", variant), ("outcome", outcome)], column)
    }

    /// A statistic of one scenario's summary.csv.
    fn summary(&self, scenario: &str, output: &str, zone: &str, year: u32, column: &str) -> f64 {
        let csv = Csv::read(&self.dir.join(scenario).join("summary.csv"));
        csv.num(
            &[
                ("output", output),
                ("zone", zone),
                ("year", &year.to_string()),
            ],
            column,
        )
    }
}

/// Three significant digits, thousands separated.
fn s3(v: f64) -> String {
    significant(v, 3)
}

/// A signed value: `+1,230`, `-45.6`.
fn signed(v: f64) -> String {
    let text = s3(v);
    if v > 0.0 && text != "0" {
        format!("+{text}")
    } else {
        text
    }
}

/// A value with its 95% interval: `+229 (226 to 232)`; without one where
/// the value is the same in every replication.
fn with_interval((mean, lo, hi): (f64, f64, f64)) -> String {
    if lo == hi {
        return signed(mean);
    }
    format!("{} ({} to {})", signed(mean), s3(lo), s3(hi))
}

/// A `console` code block.
fn console(lines: &str) -> String {
    format!("```console\n{lines}\n```\n")
}

/// Replace (UPDATE_DOCS=1) or check every generated block of `path`.
fn check_doc(path: &str, blocks: &BTreeMap<&str, String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut rest = text.as_str();
    let mut seen = Vec::new();
    let mut stale = Vec::new();
    while let Some(start) = rest.find("<!-- generated: ") {
        let open_end = start + rest[start..].find("-->").unwrap() + 3;
        let name = rest[start + 16..open_end - 3].trim();
        let close = rest[open_end..]
            .find("<!-- end generated -->")
            .unwrap_or_else(|| panic!("{path}: block {name} is not closed"))
            + open_end;
        let generated = blocks
            .get(name)
            .unwrap_or_else(|| panic!("{path}: no generator for block {name}"));
        let body = format!("\n{generated}");
        if rest[open_end..close] != body {
            stale.push(name.to_string());
        }
        out.push_str(&rest[..open_end]);
        out.push_str(&body);
        seen.push(name.to_string());
        rest = &rest[close..];
    }
    out.push_str(rest);
    let missing: Vec<&&str> = blocks
        .keys()
        .filter(|k| !seen.iter().any(|s| s == *k))
        .collect();
    assert!(missing.is_empty(), "{path} lacks the blocks {missing:?}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, out).unwrap();
    } else {
        assert!(
            stale.is_empty(),
            "{path}: the generated blocks {stale:?} differ from what the build produces; \
             run `UPDATE_DOCS=1 cargo test --test docs_numbers`, read the diff, and check \
             the prose around them"
        );
    }
}

const BASE: &str = "scenarios/cpec_baseline.toml";

/// docs/policy.md: the Action Plan's questions.
#[test]
fn the_policy_chapter_quotes_what_the_build_computes() {
    let dir = tempfile::tempdir().unwrap();
    let mut blocks = BTreeMap::new();
    levers(dir.path(), &mut blocks);
    incentives(dir.path(), &mut blocks);
    feeder_solar(dir.path(), &mut blocks);
    uncertainty(dir.path(), &mut blocks);
    check_doc("docs/policy.md", &blocks);
}

const LEVERS: Cmd = Cmd {
    args: &[
        "compare",
        "-n",
        "2000",
        BASE,
        "scenarios/cpec_energy_reliability.toml",
        "scenarios/cpec_captive_solar.toml",
        "scenarios/cpec_captive_solar_storage.toml",
        "scenarios/cpec_feeders_and_solar_storage.toml",
        "scenarios/cpec_tariff_relief.toml",
        "scenarios/cpec_skills_scaleup.toml",
    ],
    out: "policy_levers",
};

/// The variants of [`LEVERS`], as named in the tables.
const LEVER_NAMES: [&str; 6] = [
    "cpec_energy_reliability",
    "cpec_captive_solar",
    "cpec_captive_solar_storage",
    "cpec_feeders_and_solar_storage",
    "cpec_tariff_relief",
    "cpec_skills_scaleup",
];

/// What each lever buys per public dollar, and through which channel.
fn levers(dir: &Path, blocks: &mut BTreeMap<&str, String>) {
    let c = Compared::run(&LEVERS, dir);
    let per = |v: &str, o: &str| {
        (
            c.cost(v, o, "per_musd").unwrap(),
            c.cost(v, o, "per_musd_lo").unwrap(),
            c.cost(v, o, "per_musd_hi").unwrap(),
        )
    };
    let mut table = String::from(
        "| variant | public cost, USD m (present value) | value added 2025-2040, USD m | value added per USD 1m of public cost | public cost per job-year, USD | exports per public USD |\n\
         |---|--:|--:|--:|--:|--:|\n",
    );
    for v in LEVER_NAMES {
        let (va, lo, hi) = per(v, "value_added_cumulative");
        let (jy, jy_lo, jy_hi) = per(v, "job_years");
        let (ex, ex_lo, ex_hi) = per(v, "exports_cumulative");
        table.push_str(&format!(
            "| `{v}` | {} | {} | {} ({} to {}) | {} ({} to {}) | {} ({} to {}) |\n",
            with_interval(c.diff("public_cost_pv", v)),
            with_interval(c.diff("value_added_cumulative", v)),
            s3(va),
            s3(lo),
            s3(hi),
            s3(1e6 / jy),
            s3(1e6 / jy_hi),
            s3(1e6 / jy_lo),
            s3(ex),
            s3(ex_lo),
            s3(ex_hi),
        ));
    }
    blocks.insert("levers", format!("{}\n{table}", console(&LEVERS.console())));

    // The prose: the skills scale-up buys the most value added per public
    // dollar; of the energy levers, grid-tied solar buys the most per
    // dollar and solar with storage more in total than either feeders or
    // grid-tied solar; feeders buy the least per dollar; tariff relief is
    // cheap per dollar but small.
    let va = |v: &str| per(v, "value_added_cumulative").0;
    let total = |v: &str| c.diff("value_added_cumulative", v).0;
    assert!(
        LEVER_NAMES
            .iter()
            .all(|&v| va("cpec_skills_scaleup") >= va(v))
    );
    assert!(va("cpec_captive_solar") > va("cpec_captive_solar_storage"));
    assert!(va("cpec_captive_solar_storage") > va("cpec_energy_reliability"));
    assert!(total("cpec_captive_solar_storage") > total("cpec_energy_reliability"));
    assert!(total("cpec_captive_solar_storage") > total("cpec_captive_solar"));
    assert!(total("cpec_tariff_relief") < total("cpec_captive_solar") / 5.0);
    assert!(va("cpec_tariff_relief") > va("cpec_captive_solar"));
    // Feeders are the dearest single lever by far; feeders with solar and
    // storage buy the most of the energy options, at about the feeders'
    // rate per dollar.
    let public_cost = |v: &str| c.diff("public_cost_pv", v).0;
    let feeders = "cpec_energy_reliability";
    assert!(
        LEVER_NAMES[1..]
            .iter()
            .filter(|v| !v.contains("feeders"))
            .all(|&v| public_cost(feeders) > 2.0 * public_cost(v))
    );
    let both = "cpec_feeders_and_solar_storage";
    assert!(LEVER_NAMES[..5].iter().all(|&v| total(both) >= total(v)));
    assert!((va(both) - va(feeders)).abs() < 0.2 * va(feeders));

    // The channels: feeders cut outage hours, islanding solar serves energy
    // through the outages that remain, grid-tied solar and tariff relief
    // cut the energy bill (the margin), not the hours.
    let year = 2035;
    let zone = "allama_iqbal";
    let base = "cpec_baseline";
    let mut table = format!(
        "| scenario | outage hours a day, {zone} {year} (mean) | energy served, share of demand (mean over years) | energy cost, {zone} {year}, USD m | margin, {zone} {year} |\n\
         |---|--:|--:|--:|--:|\n"
    );
    let hours = |s: &str| c.summary(s, "outage_hours", zone, year, "mean");
    let served = |s: &str| c.get("served_share_mean", s, "mean");
    let cost = |s: &str| c.summary(s, "energy_cost", zone, year, "mean");
    let margin = |s: &str| c.summary(s, "margin", zone, year, "mean");
    for s in std::iter::once(base).chain(LEVER_NAMES.iter().copied().take(5)) {
        table.push_str(&format!(
            "| `{s}` | {} | {} | {} | {:.2}% |\n",
            s3(hours(s)),
            percent(served(s)),
            s3(cost(s)),
            100.0 * margin(s)
        ));
    }
    blocks.insert("channels", table);
    assert!(hours("cpec_energy_reliability") < 0.5 * hours(base));
    assert!(hours("cpec_captive_solar_storage") == hours(base));
    assert!(served("cpec_captive_solar_storage") > served("cpec_energy_reliability"));
    assert!(served("cpec_captive_solar") - served(base) < 0.005);
    assert!(margin("cpec_captive_solar") > margin("cpec_energy_reliability"));
    assert!(margin("cpec_tariff_relief") > margin(base));
    assert!(margin("cpec_energy_reliability") > margin(base));
    assert!(cost("cpec_energy_reliability") > cost(base));
    assert!(cost("cpec_captive_solar") < cost("cpec_energy_reliability").min(cost(base)));
    assert!(served("cpec_tariff_relief") - served(base) < 0.005);

    // Skills: paid-for training against what it yields in tax.
    let skills = "cpec_skills_scaleup";
    let (cost_diff, _, _) = c.diff("public_cost_pv", skills);
    let (fiscal, fiscal_lo, fiscal_hi) = c.diff("fiscal_npv", skills);
    let tax = fiscal + cost_diff;
    blocks.insert(
        "skills",
        format!(
            "- training costs the public purse USD {} million more in present value;\n\
             - the zones pay USD {} million more corporate tax in present value, so the fiscal NPV changes by USD {} million (95% interval {} to {});\n\
             - value added rises by USD {} million over 2025-2040, USD {} million per USD 1 million of training, and the public cost per job-year gained is USD {}.\n",
            s3(cost_diff),
            s3(tax),
            signed(fiscal),
            s3(fiscal_lo),
            s3(fiscal_hi),
            s3(c.diff("value_added_cumulative", skills).0),
            s3(va(skills)),
            s3(1e6 / per(skills, "job_years").0),
        ),
    );
    // The prose: training roughly pays for itself in tax, within a few
    // million either way, unlike version 1's free training.
    assert!(fiscal.abs() < 0.5 * cost_diff, "{fiscal} vs {cost_diff}");
}

const INCENTIVES: Cmd = Cmd {
    args: &[
        "compare",
        "-n",
        "2000",
        BASE,
        "scenarios/what_if/no_holidays.toml",
        "scenarios/what_if/holidays_restored_with_sunset.toml",
        "scenarios/cpec_incentives_restored.toml",
        "scenarios/what_if/holidays_zone_basis.toml",
        "scenarios/what_if/holidays_zone_basis_restored.toml",
    ],
    out: "policy_incentives",
};

/// What the holiday regime costs, read per enterprise with the sunset and
/// as version 1 read it.
fn incentives(dir: &Path, blocks: &mut BTreeMap<&str, String>) {
    let c = Compared::run(&INCENTIVES, dir);
    let rows = [
        (
            "cpec_baseline",
            "5 years per enterprise, ending 2035 (baseline)",
        ),
        ("what_if_no_holidays", "no holiday"),
        (
            "what_if_holidays_restored_with_sunset",
            "10 years per enterprise, ending 2035",
        ),
        (
            "cpec_incentives_restored",
            "10 years per enterprise, no sunset",
        ),
        (
            "what_if_holidays_zone_basis",
            "5 years by zone age, no sunset (version 1)",
        ),
        (
            "what_if_holidays_zone_basis_restored",
            "10 years by zone age, no sunset (version 1)",
        ),
    ];
    // Corporate tax in present value: the fiscal NPV plus the public cost
    // it nets out (identical in every scenario here).
    let tax = |s: &str| c.get("fiscal_npv", s, "mean") + c.get("public_cost_pv", s, "mean");
    let fiscal = |s: &str| c.get("fiscal_npv", s, "mean");
    let va = |s: &str| c.get("value_added_cumulative", s, "mean");
    let mut table = String::from(
        "| holiday | scenario | corporate tax, USD m (present value) | fiscal NPV, USD m | value added 2025-2040, USD m |\n\
         |---|---|--:|--:|--:|\n",
    );
    for (s, label) in rows {
        table.push_str(&format!(
            "| {label} | `{s}` | {} | {} | {} |\n",
            s3(tax(s)),
            s3(fiscal(s)),
            s3(va(s))
        ));
    }
    let base = "cpec_baseline";
    let regime = fiscal("what_if_no_holidays") - fiscal(base);
    let regime_va = va(base) - va("what_if_no_holidays");
    let v1_regime = fiscal("what_if_no_holidays") - fiscal("what_if_holidays_zone_basis");
    let restore_sunset = fiscal(base) - fiscal("what_if_holidays_restored_with_sunset");
    let restore = fiscal(base) - fiscal("cpec_incentives_restored");
    let v1_restore =
        fiscal("what_if_holidays_zone_basis") - fiscal("what_if_holidays_zone_basis_restored");
    let overstated = tax("what_if_holidays_zone_basis") / tax(base) - 1.0;
    let findings = format!(
        "- **The 5-year regime** costs USD {} million of corporate tax in present value against no holiday, and buys USD {} million of value added over 2025-2040 through the investment it attracts: USD {} of value added per USD of tax forgone.\n\
         - **Version 1's reading** (holidays by zone age, no sunset) puts the corporate tax the zones pay at USD {} million, {} more than counted per enterprise with the sunset, and the regime's cost at USD {} million.\n\
         - **Restoring the 10-year holiday** costs USD {} million within the 2035 sunset, USD {} million if the sunset goes too (the shipped `cpec_incentives_restored`), and would have seemed to cost USD {} million under version 1's reading.\n",
        s3(regime),
        s3(regime_va),
        s3(regime_va / regime),
        s3(tax("what_if_holidays_zone_basis")),
        percent(overstated),
        s3(v1_regime),
        s3(restore_sunset),
        s3(restore),
        s3(v1_restore),
    );
    blocks.insert(
        "incentives",
        format!("{}\n{table}\n{findings}", console(&INCENTIVES.console())),
    );
    // The prose: the sunset caps what a longer holiday can cost; version 1
    // overstates the tax the zones pay; every holiday costs more tax than
    // it brings back through growth.
    assert!(
        restore_sunset < 0.5 * restore,
        "{restore_sunset} vs {restore}"
    );
    assert!(overstated > 0.1, "{overstated}");
    assert!(regime > 0.0 && restore > 0.0 && v1_restore > 0.0 && restore_sunset > 0.0);
    assert!(
        rows[2..]
            .iter()
            .all(|(s, _)| va(s) > va("what_if_no_holidays"))
    );
    // The uplift's definition: within the sunset, the 10-year holiday adds
    // less value added than the 5-year one.
    assert!(va("what_if_holidays_restored_with_sunset") < va(base));
    assert!(public_cost_unchanged(&c, &rows.map(|(s, _)| s)));
}

/// Whether every scenario has the base's public cost (holidays are not in
/// it: they show in the fiscal NPV).
fn public_cost_unchanged(c: &Compared, scenarios: &[&str]) -> bool {
    scenarios[1..]
        .iter()
        .all(|s| c.get("public_cost_pv", s, "diff_mean") == 0.0)
}

const FEEDER_SOLAR: Cmd = Cmd {
    args: &["sweep", "scenarios/sweep_feeder_solar.toml"],
    out: "feeder_solar",
};

/// The 2 x 2 sweep: dedicated feeder x islanding solar in one zone.
fn feeder_solar(dir: &Path, blocks: &mut BTreeMap<&str, String>) {
    let (out, _) = FEEDER_SOLAR.run(dir);
    let points = Csv::read(&out.join("points.csv"));
    let va = |feeder: &str, delay: &str| {
        points.num(
            &[
                ("zones.allama_iqbal.energy.feeder_unplanned_factor", feeder),
                ("energy_projects.allama_iqbal_solar.delay", delay),
            ],
            "value_added_cumulative_mean",
        )
    };
    let none = va("1", "100");
    let feeder = va("0.25", "100") - none;
    let solar = va("1", "0") - none;
    let both = va("0.25", "0") - none;
    let table = format!(
        "| value added 2025-2040, USD m (mean) | no solar plant | solar with storage, online 2027 |\n\
         |---|--:|--:|\n\
         | shared feeder | {} | {} |\n\
         | dedicated feeder | {} | {} |\n\n\
         The feeder alone adds USD {} million, the solar plant alone {}, both together {}: \
         {} less than the sum of the two.\n",
        s3(none),
        s3(va("1", "0")),
        s3(va("0.25", "100")),
        s3(va("0.25", "0")),
        s3(feeder),
        s3(solar),
        s3(both),
        s3(feeder + solar - both),
    );
    blocks.insert(
        "feeder-solar",
        format!("{}\n{table}", console(&FEEDER_SOLAR.console())),
    );
    // The prose: they substitute: together they add much less than the sum
    // (at least a fifth less), and more than either alone.
    assert!(both < 0.8 * (feeder + solar), "{feeder} {solar} {both}");
    assert!(both > feeder.max(solar));
}

const UNCERTAINTY: Cmd = Cmd {
    args: &[
        "compare",
        BASE,
        "scenarios/what_if/zones_independent.toml",
        "scenarios/what_if/all_viable.toml",
        "scenarios/what_if/version1_uncertainty.toml",
    ],
    out: "policy_uncertainty",
};

/// What economy-wide uncertainty and zones that fail do to the range of
/// outcomes and the chance of a target; and the baseline's plausibility.
fn uncertainty(dir: &Path, blocks: &mut BTreeMap<&str, String>) {
    let c = Compared::run(&UNCERTAINTY, dir);
    let rows = [
        ("cpec_baseline", "shared", "may fail"),
        ("what_if_zones_independent", "per zone", "may fail"),
        ("what_if_all_viable", "shared", "never fail"),
        ("what_if_version1_uncertainty", "per zone", "never fail"),
    ];
    let mut table = String::from(
        "| economy-wide parameters | zones | scenario | exports 2040, USD m: P5 | P50 | P95 | P(exports 2040 >= USD 1bn) | P(jobs 2040 >= 150,000) |\n\
         |---|---|---|--:|--:|--:|--:|--:|\n",
    );
    let q = |s: &str, col: &str| c.get("exports_final", s, col);
    let p_exports = |s: &str| c.get("exports_final", s, "p_target");
    let p_jobs = |s: &str| c.get("employment_final", s, "p_target");
    for (s, params, zones) in rows {
        table.push_str(&format!(
            "| {params} | {zones} | `{s}` | {} | {} | {} | {} | {} |\n",
            s3(q(s, "p05")),
            s3(q(s, "p50")),
            s3(q(s, "p95")),
            percent(p_exports(s)),
            percent(p_jobs(s)),
        ));
    }
    blocks.insert(
        "uncertainty",
        format!("{}\n{table}", console(&UNCERTAINTY.console())),
    );
    // The prose: shared parameters widen the band and raise the chance of
    // the ambitious exports target; zones that fail lower both targets'
    // chances and stretch the lower tail.
    let width = |s: &str| q(s, "p95") - q(s, "p05");
    let base = "cpec_baseline";
    let (independent, viable) = ("what_if_zones_independent", "what_if_all_viable");
    assert!(width(base) > 1.05 * width(independent));
    // Standard error of a share p at n = 10,000: sqrt(p (1 - p) / n), at
    // most 0.0025 here; the claimed rise is many of them.
    assert!(p_exports(base) > p_exports(independent) + 4.0 * 0.0025);
    assert!(p_exports(viable) > p_exports(base) && p_jobs(viable) > p_jobs(base) + 0.1);
    assert!(q(base, "p05") < 0.8 * q(viable, "p05"));
    // A wider band makes a target below the median less likely: the jobs
    // target lies below the median in both.
    let jobs_median = |s: &str| c.get("employment_final", s, "p50");
    assert!(jobs_median(base) > 150_000.0 && jobs_median(independent) > 150_000.0);
    assert!(p_jobs(base) < p_jobs(independent));
    // Version 1's uncertainty: the narrowest band, the likeliest jobs target.
    let v1 = "what_if_version1_uncertainty";
    assert!(
        rows.iter()
            .all(|(s, _, _)| *s == v1 || width(v1) < width(s))
    );
    assert!(
        rows.iter()
            .all(|(s, _, _)| *s == v1 || p_jobs(v1) > p_jobs(s))
    );

    plausibility(&c, blocks);
}

/// Pakistan's merchandise exports in FY2025, USD million (Pakistan Today,
/// July 2025): the denominator of the zones' share, held at its 2025 level.
const NATIONAL_EXPORTS_2025: f64 = 32_100.0;

/// The baseline's ratios beside what other zones achieved.
fn plausibility(c: &Compared, blocks: &mut BTreeMap<&str, String>) {
    let base = "cpec_baseline";
    let mean = |output: &str, year: u32| c.summary(base, output, "total", year, "mean");
    let years = |f: &dyn Fn(u32) -> f64| [2030, 2040].map(f);
    let jobs_per_ha = years(&|y| mean("employment", y) / mean("serviced_area", y));
    let exports_per_worker = years(&|y| mean("exports", y) * 1e6 / mean("employment", y));
    let jobs_per_capital = years(&|y| mean("employment", y) / mean("capital", y));
    let share = years(&|y| mean("exports", y) / NATIONAL_EXPORTS_2025);
    // The sentences on each gap: jobs per hectare rise as land fills but
    // stay below Hawassa's peak; exports per worker lie between Hawassa's
    // and Bangladesh's; jobs per dollar of capital stay near Bangladesh's
    // (the calibration's anchor), falling a little as capital deepens; the
    // share of national exports stays below what Pakistan's EPZs reached
    // in 40 years.
    assert!(jobs_per_ha[0] < jobs_per_ha[1] && jobs_per_ha[1] < 117.0);
    assert!(
        exports_per_worker
            .iter()
            .all(|&e| (2_900.0..14_400.0).contains(&e))
    );
    assert!(jobs_per_capital.iter().all(|&j| (70.0..110.0).contains(&j)));
    assert!(jobs_per_capital[1] < jobs_per_capital[0]);
    assert!(share[1] < 891.0 / NATIONAL_EXPORTS_2025);
    let [jobs_per_ha, exports_per_worker, jobs_per_capital] =
        [jobs_per_ha, exports_per_worker, jobs_per_capital].map(|v| v.map(s3));
    let share = share.map(percent);
    let table = format!(
        "| measure | baseline 2030 | baseline 2040 | comparators |\n\
         |---|--:|--:|---|\n\
         | jobs per serviced hectare | {} | {} | Hawassa, Ethiopia: about 117 at its peak (35,000 jobs on 300 ha) |\n\
         | exports per worker, USD a year | {} | {} | Bangladesh EPZs 2019: about 14,400 (USD 7.5bn, 521,561 workers); Hawassa: about 2,900 to 4,000 |\n\
         | jobs per USD 1m of capital | {} | {} | Bangladesh EPZs 2019: about 104 |\n\
         | zone exports, share of national exports (2025 level) | {} | {} | Bangladesh EPZs: 16-17%; China's five SEZs in 1989, ten years in: 8%; Pakistan's seven EPZs in FY2023, after about 40 years: 2.8% (USD 891m) |\n",
        jobs_per_ha[0],
        jobs_per_ha[1],
        exports_per_worker[0],
        exports_per_worker[1],
        jobs_per_capital[0],
        jobs_per_capital[1],
        share[0],
        share[1],
    );
    blocks.insert("plausibility", table);
}

/// docs/sweeps.md: a comparison, what pairing buys, and a sweep.
#[test]
fn the_sweeps_guide_quotes_what_the_build_computes() {
    let dir = tempfile::tempdir().unwrap();
    let mut blocks = BTreeMap::new();
    comparison_example(dir.path(), &mut blocks);
    grid_stability(dir.path(), &mut blocks);
    check_doc("docs/sweeps.md", &blocks);
}

const COMPARE_EXAMPLE: Cmd = Cmd {
    args: &[
        "compare",
        BASE,
        "scenarios/cpec_energy_reliability.toml",
        "scenarios/cpec_skills_scaleup.toml",
        "scenarios/cpec_policy_shock.toml",
        "scenarios/cpec_incentives_restored.toml",
    ],
    out: "cpec_compare",
};

/// The variants of [`COMPARE_EXAMPLE`].
const EXAMPLE_VARIANTS: [&str; 4] = [
    "cpec_energy_reliability",
    "cpec_skills_scaleup",
    "cpec_policy_shock",
    "cpec_incentives_restored",
];

fn comparison_example(dir: &Path, blocks: &mut BTreeMap<&str, String>) {
    let c = Compared::run(&COMPARE_EXAMPLE, dir);
    // What the terminal shows, without the first line (it holds the wall
    // time): the header and the rows of exports in 2040.
    let mut shown: Vec<&str> = c
        .stdout
        .lines()
        .skip(1)
        .filter(|l| l.trim().is_empty() || l.contains("variant -") || l.contains("exports_final"))
        .collect();
    shown.push("  ...");
    blocks.insert(
        "compare-example",
        console(&format!(
            "{}\n{}",
            COMPARE_EXAMPLE.console(),
            shown.join("\n")
        )),
    );

    let exports = |v: &str| c.diff("exports_final", v);
    let higher = |v: &str| match c.get("exports_final", v, "p_higher") {
        0.0 => "no replication".to_string(),
        1.0 => "every replication".to_string(),
        p => format!("{} of replications", percent(p)),
    };
    let (skills, reliability, shock) = (
        exports("cpec_skills_scaleup"),
        exports("cpec_energy_reliability"),
        exports("cpec_policy_shock"),
    );
    blocks.insert(
        "compare-reading",
        format!(
            "Read the line for the skills scale-up: exports in 2040 are USD {} million \
             higher than in the baseline on average, with a 95% interval of {} to {}, and \
             higher in {}. Dedicated feeders add USD {} million ({} to {}), higher in \
             {}. A policy shock costs USD {} million, and exports are higher in {}.\n",
            s3(skills.0),
            s3(skills.1),
            s3(skills.2),
            higher("cpec_skills_scaleup"),
            s3(reliability.0),
            s3(reliability.1),
            s3(reliability.2),
            higher("cpec_energy_reliability"),
            s3(-shock.0),
            higher("cpec_policy_shock"),
        ),
    );
    assert!(skills.0 > reliability.0 && reliability.0 > 0.0 && shock.2 < 0.0);

    // Paired against unpaired half-widths.
    let mut table = String::from(
        "| scalar | variant | mean difference | paired +- | unpaired +- | unpaired / paired |\n\
         |---|---|--:|--:|--:|--:|\n",
    );
    let mut ratios = Vec::new();
    let mut holiday = Vec::new();
    for scalar in ["exports_final", "employment_final", "fiscal_npv"] {
        for v in EXAMPLE_VARIANTS {
            let get = |col: &str| c.get(scalar, v, col);
            let paired = (get("diff_high95") - get("diff_low95")) / 2.0;
            let unpaired = (get("unpaired_high95") - get("unpaired_low95")) / 2.0;
            ratios.push(unpaired / paired);
            if v == "cpec_incentives_restored" {
                holiday.push(unpaired / paired);
            }
            table.push_str(&format!(
                "| {scalar} | {} | {} | {} | {} | {:.1} |\n",
                v.trim_start_matches("cpec_"),
                s3(get("diff_mean")),
                s3(paired),
                s3(unpaired),
                unpaired / paired
            ));
        }
    }
    let max = ratios.iter().copied().fold(0.0, f64::max);
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    blocks.insert(
        "pairing",
        format!(
            "{table}\nThe paired interval is {:.1} to {:.0} times narrower than the \
             unpaired one: to reach the same precision without common random numbers \
             would take {:.1} to {:.0} times as many replications (the square of the \
             ratio).\n",
            min,
            max,
            min * min,
            max * max
        ),
    );
    assert!(min > 1.0, "pairing never widens the interval here");
    // The prose: the holiday's effect on exports gains the most from
    // pairing, its effect on the fiscal NPV the least.
    assert_eq!((holiday[0], holiday[2]), (max, min));
}

const GRID_STABILITY: Cmd = Cmd {
    args: &["sweep", "scenarios/sweep_grid_stability.toml"],
    out: "grid_and_stability",
};

fn grid_stability(dir: &Path, blocks: &mut BTreeMap<&str, String>) {
    // The sweep file as shipped, from its [sweep] table on.
    let file = std::fs::read_to_string("scenarios/sweep_grid_stability.toml").unwrap();
    let from = file.find("[sweep]").unwrap();
    blocks.insert(
        "grid-stability-file",
        format!("```toml\n{}```\n", &file[from..]),
    );

    let (out, _) = GRID_STABILITY.run(dir);
    let points = Csv::read(&out.join("points.csv"));
    let hours = ["0.25", "0.5", "1", "2"];
    let shocks = ["0", "0.04", "0.08", "0.16"];
    let get = |h: &str, p: &str, col: &str| {
        points.num(
            &[
                ("global.outage_unplanned_hours", h),
                ("global.regulatory_shock_probability", p),
            ],
            col,
        )
    };
    let mean = |h: &str, p: &str| get(h, p, "exports_final_mean");
    let mut table = String::from(
        "| unexpected outage, hours a day | reversal probability 0 | 0.04 | 0.08 | 0.16 |\n\
         |---|--:|--:|--:|--:|\n",
    );
    for h in hours {
        table.push_str(&format!("| {h} |"));
        for p in shocks {
            table.push_str(&format!(" {} |", s3(mean(h, p))));
        }
        table.push('\n');
    }
    let doubling: Vec<f64> = hours
        .iter()
        .map(|h| mean(h, "0.08") - mean(h, "0.16"))
        .collect();
    let reliable: Vec<f64> = shocks
        .iter()
        .map(|p| mean("0.25", p) - mean("2", p))
        .collect();
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{} to {}", s3(lo), s3(hi))
    };
    let p_target = |h: &str, p: &str| percent(get(h, p, "exports_final_p_target"));
    blocks.insert(
        "grid-stability",
        format!(
            "{}\n{table}\nDoubling the chance of a policy reversal (0.08 to 0.16) costs USD \
             {} million of exports in 2040, depending on the grid; cutting unexpected \
             outages from 2 hours a day to a quarter of an hour gains USD {} million, \
             depending on the policy regime. The chance of USD 1 billion of exports moves \
             from {} (unreliable grid, unstable policy) to {} (reliable grid, no \
             reversals).\n",
            console(&GRID_STABILITY.console()),
            range(&doubling),
            range(&reliable),
            p_target("2", "0.16"),
            p_target("0.25", "0"),
        ),
    );
    assert!(doubling.iter().all(|d| *d > 0.0) && reliable.iter().all(|d| *d > 0.0));
}

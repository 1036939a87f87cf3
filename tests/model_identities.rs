//! Accounting identities of the SEZ model on random scenarios (proptest):
//! exports <= output, employment <= labour demand, served energy <= demand,
//! capital <= build-out capacity, shares within [0, 1], every value finite.

mod support;

use proptest::prelude::*;

/// Parameter values for a two-zone scenario, each drawn from its valid range.
#[derive(Debug, Clone)]
struct Params {
    dev_share: f64,
    cap_per_ha: f64,
    initial_share: f64,
    bass_p: f64,
    bass_q: f64,
    depreciation: f64,
    uplift: f64,
    sensitivity: f64,
    cpw: f64,
    skilled_share: f64,
    skilled_pool: f64,
    unskilled_pool: f64,
    trainees: f64,
    alpha: f64,
    ocr: f64,
    va: f64,
    tfp_vol: f64,
    intensity: f64,
    grid_mw: f64,
    backup_mw: f64,
    export_share: f64,
    port: f64,
    availability: f64,
    logit_sd: f64,
    volatility: f64,
    shock_p: f64,
    committed: f64,
}

fn params() -> impl Strategy<Value = Params> {
    let a = (
        0.0..=1.0f64,
        0.1..5.0f64,
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..3.0f64,
        0.0..=1.0f64,
        0.0..2.0f64,
        0.0..3.0f64,
        0.001..0.1f64,
    );
    let b = (
        0.0..=1.0f64,
        0.0..5000.0f64,
        0.0..1e6f64,
        0.0..2000.0f64,
        0.0..=1.0f64,
        0.05..3.0f64,
        0.0..=1.0f64,
        0.0..0.3f64,
        0.0..2000.0f64,
    );
    let c = (
        0.0..200.0f64,
        0.0..50.0f64,
        0.0..=1.0f64,
        0.0..1e6f64,
        0.01..0.99f64,
        0.0..2.0f64,
        0.0..1.0f64,
        0.0..=1.0f64,
        0.0..2000.0f64,
    );
    (a, b, c).prop_map(|(a, b, c)| Params {
        dev_share: a.0,
        cap_per_ha: a.1,
        initial_share: a.2,
        bass_p: a.3,
        bass_q: a.4,
        depreciation: a.5,
        uplift: a.6,
        sensitivity: a.7,
        cpw: a.8,
        skilled_share: b.0,
        skilled_pool: b.1,
        unskilled_pool: b.2,
        trainees: b.3,
        alpha: b.4,
        ocr: b.5,
        va: b.6,
        tfp_vol: b.7,
        intensity: b.8,
        grid_mw: c.0,
        backup_mw: c.1,
        export_share: c.2,
        port: c.3,
        availability: c.4,
        logit_sd: c.5,
        volatility: c.6,
        shock_p: c.7,
        committed: c.8,
    })
}

fn scenario(p: &Params) -> String {
    // Initial capital as a share of build-out capacity, so K_0 <= Kmax.
    let kmax = 100.0 * p.dev_share * p.cap_per_ha;
    format!(
        r#"[scenario]
name = "identities"
start_year = 2025
years = 12
seed = 3
discount_rate = 0.05
[model]
kind = "sez"
[global]
grid_availability = {avail}
grid_availability_logit_sd = {lsd}
demand_persistence = 0.7
demand_volatility = {vol}
regulatory_shock_probability = {shock}
regulatory_shock_cut = {{ dist = "uniform", min = 0, max = 1 }}
regulatory_shock_years = 3
port_capacity_teu = {port}
[io]
coefficients = "io.csv"
[zone_defaults.investment]
area_ha = 100
developable_share = {dev}
capital_per_ha = {cph}
initial_capital = {k0}
opening_delay = {{ dist = "triangular", min = 0, mode = 1, max = 3 }}
bass_p = {bp}
bass_q = {bq}
depreciation = {dep}
incentive_uplift = {up}
tax_holiday_years = 3
energy_sensitivity = {sens}
skill_sensitivity = {sens}
demand_sensitivity = {sens}
fdi_share = {{ dist = "beta", alpha = 2, beta = 2 }}
[zone_defaults.workforce]
capital_per_worker = {cpw}
skilled_share = {ss}
skill_efficiency = 1.5
skilled_pool_initial = {pool}
unskilled_pool = {upool}
attrition = 0.1
trainees_per_year = {tr}
completion_rate = 0.8
retention_rate = 0.7
[zone_defaults.production]
alpha = {alpha}
output_capital_ratio = {ocr}
va_share = {va}
tfp_growth = 0.01
tfp_spillover = 0.05
tfp_volatility = {tv}
[zone_defaults.energy]
energy_intensity = {ei}
grid_mw = {grid}
backup_mw = {bk}
backup_availability = 0.8
[zone_defaults.exports]
export_share = {xs}
teu_per_musd = 12
[zone_defaults.linkages]
sourcing = {{ goods = 0.5, services = 0.5 }}
local_content_initial = 0.1
local_content_target = {{ dist = "uniform", min = 0.2, max = 0.9 }}
local_content_speed = 0.2
[zone_defaults.fiscal]
tax_rate = 0.3
profit_margin = 0.1
public_cost = 5
[[zones]]
id = "a"
name = "A"
opens_year = 2026
[[zones]]
id = "b"
name = "B"
opens_year = 2025
[[energy_projects]]
name = "plant"
zone = "b"
capacity_mw = 50
capacity_factor = 0.6
zone_share = 0.7
planned_year = 2027
delay = {{ dist = "triangular", min = 0, mode = 2, max = 5 }}
[[committed_investments]]
zone = "a"
year = 2028
amount = {com}
probability = 0.6
foreign = true
"#,
        avail = p.availability,
        lsd = p.logit_sd,
        vol = p.volatility,
        shock = p.shock_p,
        port = p.port,
        dev = p.dev_share,
        cph = p.cap_per_ha,
        k0 = p.initial_share * kmax,
        bp = p.bass_p,
        bq = p.bass_q,
        dep = p.depreciation,
        up = p.uplift,
        sens = p.sensitivity,
        cpw = p.cpw,
        ss = p.skilled_share,
        pool = p.skilled_pool,
        upool = p.unskilled_pool,
        tr = p.trainees,
        alpha = p.alpha,
        ocr = p.ocr,
        va = p.va,
        tv = p.tfp_vol,
        ei = p.intensity,
        grid = p.grid_mw,
        bk = p.backup_mw,
        xs = p.export_share,
        com = p.committed,
    )
}

const IO: &str = "sector,goods,services,jobs_per_musd\ngoods,0.2,0.1,30\nservices,0.15,0.25,20\n";

/// Slack for comparisons of computed quantities (relative).
fn le(a: f64, b: f64) -> bool {
    a <= b + 1e-9 * b.abs().max(1.0)
}

fn check(r: &support::Run, p: &Params) {
    for (i, v) in r.record.series.iter().enumerate() {
        assert!(v.is_finite(), "series value {i} is {v}");
    }
    for v in &r.record.scalars {
        assert!(v.is_finite(), "scalar is {v}");
    }
    let kmax = 100.0 * p.dev_share * p.cap_per_ha;
    for y in 2025..2037 {
        for z in ["a", "b", "total"] {
            let get = |o: &str| r.get(o, z, y);
            assert!(
                le(get("exports"), get("output")),
                "{z} {y}: exports > output"
            );
            assert!(get("exports") >= 0.0 && get("output") >= 0.0 && get("investment") >= 0.0);
            assert!(
                le(get("backup_energy"), get("energy_demand")),
                "{z} {y}: backup > demand"
            );
            let served = get("served_share");
            assert!(
                (0.0..=1.0).contains(&served),
                "{z} {y}: served_share {served}"
            );
            assert!(
                get("skill_gap") >= -1e-9,
                "{z} {y}: more skilled workers than jobs"
            );
            assert!(le(get("skilled_employment"), get("employment")));
            assert!(le(get("value_added"), get("output")));
        }
        for z in ["a", "b"] {
            let get = |o: &str| r.get(o, z, y);
            // Employment cannot exceed labour demand N = K / capital_per_worker.
            assert!(
                le(get("employment"), get("capital") / p.cpw),
                "{z} {y}: employment > demand"
            );
            // Capital never exceeds build-out capacity.
            assert!(
                le(get("capital"), kmax),
                "{z} {y}: capital {} > Kmax {kmax}",
                get("capital")
            );
            for share in ["buildout", "foreign_share", "local_content"] {
                let v = get(share);
                assert!((-1e-12..=1.0 + 1e-9).contains(&v), "{z} {y}: {share} = {v}");
            }
            assert!(get("tfp_index") > 0.0);
        }
        for n in ["grid_availability", "logistics_factor", "regulatory_shock"] {
            let v = r.get(n, "national", y);
            assert!((0.0..=1.0).contains(&v), "{n} {y} = {v}");
        }
        assert!(r.get("demand_factor", "national", y) > 0.0);
    }
    let served_mean = r.scalar("served_share_mean");
    assert!((0.0..=1.0).contains(&served_mean));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn identities_hold_in_random_and_deterministic_mode(p in params(), rep in 0u64..1000) {
        let (_d, path) = support::scenario_dir(&scenario(&p), &[("io.csv", IO)]);
        let s = support::load(&path);
        check(&support::run_one(&s, rep, false), &p);
        check(&support::run_one(&s, 0, true), &p);
    }
}

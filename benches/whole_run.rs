//! The whole `sezsim run` against a floor of the model's own arithmetic, on
//! the shipped CPEC baseline (4 zones x 16 years).
//!
//! The whole command is the release binary, run as a user runs it (tables,
//! chart data, charts, report, manifest, written to a temporary folder). The
//! floor is written here: the SEZ year loop's arithmetic on the same number
//! of zones, years and uncertain parameters, its random numbers from the
//! crate's keyed streams, and the mean and variance (Welford) of every value
//! a replication records, on the same threads; no quantiles, no files. The
//! ratio whole / floor says how much the command costs beyond the model.
//!
//! `cargo bench --bench whole_run` measures 20,000 and 200,000 replications
//! (and 1,000,000 when `SEZSIM_BENCH_1M` is set), interleaving the two so
//! that a noisy machine hurts both alike, and prints the median of
//! `SEZSIM_BENCH_ROUNDS` rounds (default 5; 3 at 1M). `SEZSIM_BENCH_THREADS`
//! sets the threads of both (default: all cores). Each size also times
//! the run with `[outputs] tables = "charted"` and `"scalars"`. With
//! `SEZSIM_BENCH_SWEEP` set, a sweep of 100 points x 2,000 replications is
//! timed against one run of 200,000 (the sweep overhead). Without
//! `--bench` (as `cargo test --benches` runs it) one small round checks
//! that it works.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sezsim::engine::OutputLayout;
use sezsim::run::Prepared;
use sezsim::uncertainty::{StreamKey, StreamRng};

const SCENARIO: &str = "scenarios/cpec_baseline.toml";

/// Outputs the floor records per zone and year (the SEZ model's zone
/// outputs), those it also sums over zones, and the national ones.
const ZONE_OUTPUTS: usize = 24;
const SUMMED_OUTPUTS: usize = 18;
const NATIONAL_OUTPUTS: usize = 6;

/// What the floor needs to know of the scenario: its size.
#[derive(Clone, Copy)]
struct Shape {
    zones: usize,
    years: usize,
    parameters: usize,
    scalars: usize,
}

impl Shape {
    fn series(&self) -> usize {
        ZONE_OUTPUTS * self.zones + SUMMED_OUTPUTS + NATIONAL_OUTPUTS
    }
    fn values(&self) -> usize {
        self.series() * self.years + self.scalars
    }
}

/// The floor's streams, keyed as the model's are: per (seed, purpose), one
/// stream per replication.
struct Streams {
    parameters: StreamKey,
    national: StreamKey,
    productivity: Vec<StreamKey>,
}

impl Streams {
    fn new(seed: u64, zones: usize) -> Self {
        Streams {
            parameters: StreamKey::new(seed, "floor.parameters"),
            national: StreamKey::new(seed, "floor.national"),
            productivity: (0..zones)
                .map(|z| StreamKey::new(seed, &format!("floor.tfp.{z}")))
                .collect(),
        }
    }
}

/// Inverse CDF of the triangular distribution on (0.5, 1, 2): what most of
/// the scenario's parameters are (PERT and triangular, each by a few
/// arithmetic operations and a square root).
#[inline]
fn triangular(u: f64) -> f64 {
    let (a, c, b) = (0.5, 1.0, 2.0);
    let fc = (c - a) / (b - a);
    if u < fc {
        a + (u * (b - a) * (c - a)).sqrt()
    } else {
        b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
    }
}

/// `x^e`, skipping the power where `x` is 1, as the model does.
#[inline]
fn pow_unless_one(x: f64, e: f64) -> f64 {
    if x == 1.0 { 1.0 } else { x.powf(e) }
}

/// Per-zone state carried from year to year.
#[derive(Clone, Copy, Default)]
struct Zone {
    capital: f64,
    foreign_capital: f64,
    skilled_pool: f64,
    tfp: f64,
    local_content: f64,
    served_prev: f64,
    filled_prev: f64,
    margin_prev: f64,
    exports_desired: f64,
}

/// One replication of the floor model into `record` (series-major, then the
/// scalars): the SEZ year loop's arithmetic on draws scaled to plausible
/// values. `p`, `zones` and `tfp_rngs` are scratch.
fn replicate(
    shape: Shape,
    streams: &Streams,
    r: u64,
    p: &mut [f64],
    zones: &mut [Zone],
    tfp_rngs: &mut Vec<StreamRng>,
    record: &mut [f64],
) {
    let h = shape.years;
    let mut rng = streams.parameters.rng(r);
    for x in p.iter_mut() {
        *x = triangular(rng.uniform());
    }
    let param = |k: usize| p[k % p.len()];
    for (z, s) in zones.iter_mut().enumerate() {
        *s = Zone {
            capital: 50.0 * param(z),
            skilled_pool: 3000.0 * param(z + 1),
            tfp: param(z + 2),
            local_content: 0.2,
            served_prev: 1.0,
            filled_prev: 1.0,
            margin_prev: 0.08,
            ..Zone::default()
        };
    }
    let mut national = streams.national.rng(r);
    tfp_rngs.clear();
    tfp_rngs.extend(streams.productivity.iter().map(|key| key.rng(r)));
    let (rho, sigma, p_reg, cut) = (0.6, 0.08 * param(3), 0.08, 0.35 * param(4));
    let (mut demand_dev, mut demand_dev_prev, mut shock_until) = (0.0f64, 0.0f64, -1i64);
    let zone_series = |o: usize, z: usize| o * shape.zones + z;
    let total_series = |o: usize| ZONE_OUTPUTS * shape.zones + o;
    let national_series = |o: usize| ZONE_OUTPUTS * shape.zones + SUMMED_OUTPUTS + o;
    let (mut exports_cum, mut va_cum, mut npv, mut job_years) = (0.0, 0.0, 0.0, 0.0);
    for t in 0..h {
        // National shocks: outage hours (two lognormals), export demand
        // (AR(1)), policy reversals.
        let unplanned = (0.4 * national.standard_normal()).exp();
        let planned = 0.25 * (national.standard_normal()).exp();
        let availability = (1.0 - (unplanned + planned) / 24.0).max(0.0);
        demand_dev = rho * demand_dev + sigma * national.standard_normal();
        let demand = demand_dev.exp();
        if national.uniform() < p_reg {
            shock_until = t as i64 + 1;
        }
        let active = t as i64 <= shock_until;
        let regulatory = if active { 1.0 - cut } else { 1.0 };

        let mut teu = 0.0;
        for (z, s) in zones.iter_mut().enumerate() {
            let q = |k: usize| param(7 * z + k);
            let kmax = 400.0 * q(0) * 1.6;
            let k = s.capital;
            let buildout = k / kmax;
            let multiplier = (1.0 + 0.1 * q(1))
                * regulatory
                * pow_unless_one(s.served_prev, 2.0 * q(2))
                * pow_unless_one(s.filled_prev, q(3))
                * (q(4) * demand_dev_prev).exp()
                * (s.margin_prev.max(0.0) / 0.08).powf(q(5))
                * if z + 1 < shape.zones { 1.0 } else { 0.1 };
            let i_diff = multiplier
                * (0.03 * q(6) + 0.38 * q(0) * buildout)
                * (1.0 - buildout).max(0.0)
                * kmax;
            let depreciation = 0.05 * q(1);
            let room = (kmax - (1.0 - depreciation) * k).max(0.0);
            let investment = i_diff.min(room);

            let workers = k / (0.0096 * q(2));
            let skilled_needed = 0.2 * q(3) * workers;
            let skilled = skilled_needed.min(s.skilled_pool);
            let unskilled = (workers - skilled_needed).min(60_000.0);
            let filled = if skilled_needed > 0.0 {
                skilled / skilled_needed
            } else {
                1.0
            };
            let alpha = 0.35 * q(4);
            let labour = unskilled + 1.8 * skilled;
            let potential = if k > 0.0 && labour > 0.0 {
                s.tfp * (alpha * k.ln() + (1.0 - alpha) * labour.ln()).exp()
            } else {
                0.0
            };

            // Power in hours: the grid's share, backup through outages,
            // output lost per uncovered hour, energy bought at the tariff.
            let energy_demand = 150.0 * potential;
            let demand_mw = energy_demand / 8760.0 / 0.7;
            let backup_cover = if demand_mw > 0.0 {
                (5.0 * 0.9 / demand_mw).min(1.0)
            } else {
                1.0
            };
            let lost_hours = (unplanned * 0.1 * q(5) + planned * 0.03) * (1.0 - backup_cover);
            let served_share =
                (availability + (1.0 - availability) * backup_cover) * (1.0 - lost_hours / 24.0);
            let backup = energy_demand * (1.0 - availability) * backup_cover;
            let served = energy_demand * served_share;
            let energy_cost = ((served - backup) * 110.0 + backup * 320.0) / 1e6;
            let cbar = if served > 0.0 {
                energy_cost * 1e6 / served
            } else {
                70.0
            };
            let output = potential * served_share;
            let margin = 0.08 - 150.0 * (cbar - 70.0) / 1e6;
            let value_added = 0.3 * output - (cbar - 70.0) * served / 1e6;
            let exports_desired = (0.6 * q(6) * demand).min(1.0) * output;
            teu += 15.0 * exports_desired;
            let purchases = 0.7 * output * s.local_content;
            let tax = 0.29 * margin.max(0.0) * output * if t > 5 { 1.0 } else { 0.0 };
            let foreign_share = if k > 0.0 { s.foreign_capital / k } else { 0.0 };
            let employed = skilled + unskilled;

            let values = [
                investment,
                k,
                buildout,
                output,
                value_added,
                0.0, // exports, after the port constraint
                employed,
                skilled,
                skilled_needed - skilled,
                energy_demand,
                backup,
                served_share,
                s.tfp,
                foreign_share,
                s.local_content,
                2.0 * purchases,
                104.0 * purchases,
                tax,
                10.0 * q(0),
                400.0 * q(1),
                unplanned + planned,
                energy_cost,
                margin,
                0.01 * q(2),
            ];
            for (o, &x) in values.iter().enumerate() {
                record[zone_series(o, z) * h + t] = x;
            }

            let skilled_ratio = if employed > 0.0 {
                skilled / employed
            } else {
                0.0
            };
            s.capital = (1.0 - depreciation) * k + investment;
            s.foreign_capital = (1.0 - depreciation) * s.foreign_capital + 0.4 * i_diff;
            s.skilled_pool = 0.92 * s.skilled_pool + 500.0 * 0.8 * 0.66;
            s.local_content += 0.1 * (0.45 - s.local_content);
            s.tfp *= (0.01
                + 0.02 * foreign_share * skilled_ratio
                + 0.02 * tfp_rngs[z].standard_normal())
            .exp();
            s.served_prev = served_share;
            s.filled_prev = filled;
            s.margin_prev = margin;
            s.exports_desired = exports_desired;
        }

        let logistics = if teu > 0.0 {
            (80_000.0 / teu).min(1.0)
        } else {
            1.0
        };
        for (z, s) in zones.iter().enumerate() {
            record[zone_series(5, z) * h + t] = logistics * s.exports_desired;
        }
        for o in 0..SUMMED_OUTPUTS {
            let sum: f64 = (0..shape.zones)
                .map(|z| record[zone_series(o, z) * h + t])
                .sum();
            record[total_series(o) * h + t] = sum;
        }
        let nationals = [
            availability,
            demand,
            logistics,
            f64::from(u8::from(active)),
            unplanned,
            planned,
        ];
        for (o, &x) in nationals.iter().enumerate() {
            record[national_series(o) * h + t] = x;
        }
        let total = |o: usize| record[total_series(o) * h + t];
        exports_cum += total(5);
        va_cum += total(4);
        npv += (total(17) - total(1) * 0.01) / 1.08f64.powi(t as i32);
        job_years += total(6) + total(16);
        demand_dev_prev = demand_dev;
    }
    let series_values = shape.series() * h;
    let scalars = &mut record[series_values..];
    for (k, x) in scalars.iter_mut().enumerate() {
        *x = match k % 4 {
            0 => exports_cum,
            1 => va_cum,
            2 => npv,
            _ => job_years,
        };
    }
}

/// Mean and variance of every recorded value (Welford, merged with Chan's
/// formula across threads).
#[derive(Clone)]
struct Moments {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    fn new(values: usize) -> Self {
        Moments {
            n: 0.0,
            mean: vec![0.0; values],
            m2: vec![0.0; values],
        }
    }

    #[inline]
    fn add(&mut self, record: &[f64]) {
        self.n += 1.0;
        let inv_n = 1.0 / self.n;
        for ((x, mean), m2) in record.iter().zip(&mut self.mean).zip(&mut self.m2) {
            let delta = x - *mean;
            *mean += delta * inv_n;
            *m2 += delta * (x - *mean);
        }
    }

    fn merge(&mut self, other: &Moments) {
        let n = self.n + other.n;
        if other.n == 0.0 {
            return;
        }
        for i in 0..self.mean.len() {
            let delta = other.mean[i] - self.mean[i];
            self.mean[i] += delta * other.n / n;
            self.m2[i] += other.m2[i] + delta * delta * self.n * other.n / n;
        }
        self.n = n;
    }
}

/// The floor: `replications` of the floor model on `threads` threads, each
/// a contiguous range of replications with its own accumulator.
fn floor(shape: Shape, streams: &Streams, replications: u64, threads: usize) -> Moments {
    let per_thread = replications.div_ceil(threads as u64);
    let parts: Vec<Moments> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|i| {
                scope.spawn(move || {
                    let mut moments = Moments::new(shape.values());
                    let mut record = vec![0.0; shape.values()];
                    let mut p = vec![0.0; shape.parameters];
                    let mut zones = vec![Zone::default(); shape.zones];
                    let mut tfp_rngs = Vec::with_capacity(shape.zones);
                    let end = ((i + 1) * per_thread).min(replications);
                    for r in i * per_thread..end {
                        replicate(
                            shape,
                            streams,
                            r,
                            &mut p,
                            &mut zones,
                            &mut tfp_rngs,
                            &mut record,
                        );
                        moments.add(&record);
                    }
                    moments
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a floor thread panicked"))
            .collect()
    });
    let mut total = Moments::new(shape.values());
    for part in &parts {
        total.merge(part);
    }
    total
}

/// One whole `sezsim run` of `scenario` into `out`, as a user runs it;
/// its wall time.
fn whole(scenario: &Path, replications: u64, threads: usize, out: &Path) -> f64 {
    timed(
        Command::new(env!("CARGO_BIN_EXE_sezsim"))
            .arg("run")
            .arg(scenario)
            .args(["-q", "-n"])
            .arg(replications.to_string())
            .arg("--threads")
            .arg(threads.to_string())
            .arg("--out")
            .arg(out),
    )
}

/// One whole `sezsim sweep` of `file` into `out`, from scratch (a sweep
/// keeps the finished points of a folder it finds); its wall time.
fn sweep(file: &Path, threads: usize, out: &Path) -> f64 {
    if out.exists() {
        std::fs::remove_dir_all(out).expect("the previous sweep folder can be removed");
    }
    timed(
        Command::new(env!("CARGO_BIN_EXE_sezsim"))
            .arg("sweep")
            .arg(file)
            .args(["-q", "--threads"])
            .arg(threads.to_string())
            .arg("--out")
            .arg(out),
    )
}

fn timed(command: &mut Command) -> f64 {
    let start = Instant::now();
    let status = command.status().expect("the sezsim binary starts");
    let seconds = start.elapsed().as_secs_f64();
    assert!(status.success(), "sezsim failed: {status}");
    seconds
}

/// The baseline with `[outputs] tables = "<tables>"`, written in `dir`.
fn baseline_with_tables(dir: &Path, tables: &str) -> PathBuf {
    let base = std::fs::canonicalize(SCENARIO).expect("the baseline exists");
    let path = dir.join(format!("baseline_{tables}.toml"));
    let text = format!(
        "extends = {:?}\n[outputs]\ntables = \"{tables}\"\n",
        base.display().to_string()
    );
    std::fs::write(&path, text).expect("a temporary scenario");
    path
}

/// A sweep of `points` points x `replications` over Dhabeji's trainees
/// and retention (the shipped Latin hypercube, more points), keeping
/// `tables`, written in `dir`.
fn sweep_file(dir: &Path, points: usize, replications: u64, tables: &str) -> PathBuf {
    let base = std::fs::canonicalize(SCENARIO).expect("the baseline exists");
    let path = dir.join(format!("sweep_{tables}.toml"));
    let text = format!(
        "[sweep]\nname = \"bench\"\nbase = {:?}\ndesign = \"lhs\"\npoints = {points}\nreplications = {replications}\ntables = \"{tables}\"\n\n[[parameters]]\npath = \"zones.dhabeji.workforce.trainees_per_year\"\nmin = 250\nmax = 2000\n\n[[parameters]]\npath = \"zones.dhabeji.workforce.retention_rate\"\nmin = 0.5\nmax = 0.95\n",
        base.display().to_string()
    );
    std::fs::write(&path, text).expect("a temporary sweep file");
    path
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// The scenario's size, from the library's own reading of it.
fn shape_of_baseline() -> (Shape, u64) {
    let scenario = sezsim::load(Path::new(SCENARIO)).expect("the baseline loads");
    let prepared = Prepared::new(&scenario, 1, scenario.seed, false).expect("the model builds");
    let layout: &OutputLayout = prepared.model.layout();
    let zones = layout
        .series
        .iter()
        .filter(|s| s.output == "capital" && s.zone != "total")
        .count();
    let shape = Shape {
        zones,
        years: layout.years.len(),
        parameters: prepared.source.len(),
        scalars: layout.scalars.len(),
    };
    let recorded = layout.series.len() * layout.years.len() + layout.scalars.len();
    assert_eq!(
        shape.values(),
        recorded,
        "the floor must record as many values as the model ({} series, {} scalars)",
        layout.series.len(),
        layout.scalars.len()
    );
    (shape, scenario.seed)
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let threads = env_number("SEZSIM_BENCH_THREADS").unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let rounds = env_number("SEZSIM_BENCH_ROUNDS").unwrap_or(5).max(1);
    let mut sizes: Vec<(u64, usize)> = if benchmarking {
        vec![(20_000, rounds), (200_000, rounds)]
    } else {
        vec![(2_000, 1)]
    };
    if benchmarking && std::env::var_os("SEZSIM_BENCH_1M").is_some() {
        sizes.push((
            1_000_000,
            env_number("SEZSIM_BENCH_ROUNDS").unwrap_or(3).max(1),
        ));
    }

    let (shape, seed) = shape_of_baseline();
    let streams = Streams::new(seed, shape.zones);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("run");
    let baseline = Path::new(SCENARIO);
    let charted = baseline_with_tables(dir.path(), "charted");
    let scalars = baseline_with_tables(dir.path(), "scalars");
    println!(
        "whole `sezsim run {SCENARIO}` vs floor ({} zones x {} years, {} parameters, {} values a replication), {threads} thread(s)",
        shape.zones,
        shape.years,
        shape.parameters,
        shape.values()
    );
    println!(
        "  all, charted, scalars: the run with [outputs] tables = \"all\" (the default), \"charted\", \"scalars\""
    );
    println!(
        "{:>12} {:>7} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>9} {:>9} {:>9}",
        "replications",
        "rounds",
        "all (s)",
        "charted",
        "scalars",
        "floor (s)",
        "all rep/s",
        "floor rep/s",
        "all/floor",
        "charted/f",
        "scalars/f"
    );
    for (replications, rounds) in sizes {
        let mut times = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..rounds {
            times[0].push(whole(baseline, replications, threads, &out));
            let start = Instant::now();
            black_box(floor(shape, &streams, replications, threads));
            times[3].push(start.elapsed().as_secs_f64());
            times[1].push(whole(&charted, replications, threads, &out));
            times[2].push(whole(&scalars, replications, threads, &out));
        }
        let [w, c, sc, f] = times.map(median);
        println!(
            "{replications:>12} {rounds:>7} {w:>9.3} {c:>9.3} {sc:>9.3} {f:>9.3} {:>11.0} {:>11.0} {:>8.2}x {:>8.2}x {:>8.2}x",
            replications as f64 / w,
            replications as f64 / f,
            w / f,
            c / f,
            sc / f
        );
    }

    // The sweep overhead: 100 points x 2,000 replications against one
    // run of 200,000, interleaved.
    if benchmarking && std::env::var_os("SEZSIM_BENCH_SWEEP").is_some() {
        let rounds = env_number("SEZSIM_BENCH_ROUNDS").unwrap_or(5).max(1);
        let (points, per_point) = (100, 2_000);
        let lean = sweep_file(dir.path(), points, per_point, "scalars");
        let full = sweep_file(dir.path(), points, per_point, "all");
        let total = points as u64 * per_point;
        let mut times = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..rounds {
            times[0].push(sweep(&lean, threads, &dir.path().join("sweep_lean")));
            times[1].push(whole(baseline, total, threads, &out));
            times[2].push(sweep(&full, threads, &dir.path().join("sweep_full")));
            times[3].push(whole(&scalars, total, threads, &out));
        }
        let [lean, run_all, full, run_scalars] = times.map(median);
        println!(
            "sweep of {points} points x {per_point} replications against one run of {total}, {threads} thread(s), median of {rounds}:"
        );
        println!(
            "  sweep (points keep scalars, the default) {lean:.3} s / run {run_all:.3} s = {:.2}x; / run with tables = \"scalars\" {run_scalars:.3} s = {:.2}x",
            lean / run_all,
            lean / run_scalars
        );
        println!(
            "  sweep with tables = \"all\" {full:.3} s / run {run_all:.3} s = {:.2}x",
            full / run_all
        );
    }
}

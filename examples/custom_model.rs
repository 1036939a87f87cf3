//! A model of your own, run by sezsim: a fishery whose stock grows
//! logistically and loses a share to the catch each year. The scenario
//! file gives its parameters in `[fishery]` (numbers or distributions);
//! sezsim reads and checks it, samples the parameters, runs the
//! replications and writes a run folder (tables, report.md, charts) that
//! labels every output in the fishery's own words.
//!
//! ```sh
//! cargo run --example custom_model -- output/fishery-example
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sezsim::engine::{Catalogue, Described, Model, OutputLayout, Record, RunnableModel, Unit};
use sezsim::error::Error;
use sezsim::scenario::{KindInput, ModelKind, ModelOptions, ModelSpec, Registry, Scenario, Schema};
use sezsim::uncertainty::{ParamId, StreamKey, ValueRange};

/// What the fishery records: the stock each year, and the catch in all.
fn catalogue() -> Catalogue {
    let tonnes = || Unit::Amount("tonnes".into());
    Catalogue {
        series: vec![Described::new("stock", "Fish stock", tonnes(), false)],
        scalars: vec![Described::new(
            "catch",
            "Catch over the horizon",
            tonnes(),
            false,
        )],
    }
}

/// The `fishery` kind: how a scenario describes it.
struct FisheryKind;

impl ModelKind for FisheryKind {
    fn name(&self) -> &'static str {
        "fishery"
    }
    fn sections(&self) -> &'static [&'static str] {
        &["fishery"]
    }
    fn yearly(&self) -> bool {
        true
    }
    fn catalogue(&self) -> Catalogue {
        catalogue()
    }
    fn read(
        &self,
        schema: &mut Schema<'_>,
        input: KindInput<'_, '_>,
    ) -> Option<Arc<dyn ModelSpec>> {
        let mut r = schema.section(input.top, "fishery", "[fishery]", true)?;
        let growth = schema.param(&mut r, "growth", ValueRange::Between(0.0, 2.0), None);
        let catch_share = schema.param(&mut r, "catch_share", ValueRange::Share, None);
        let spec = growth.zip(catch_share).map(|(growth, catch_share)| {
            Arc::new(Fishery {
                growth,
                catch_share,
            }) as Arc<dyn ModelSpec>
        });
        schema.finish(r, spec)
    }
}

/// A validated fishery: where its parameters are in each replication's values.
#[derive(Debug)]
struct Fishery {
    growth: ParamId,
    catch_share: ParamId,
}

impl ModelSpec for Fishery {
    fn kind(&self) -> &'static str {
        "fishery"
    }
    fn catalogue(&self) -> Catalogue {
        catalogue()
    }
    fn build(&self, s: &Scenario, options: ModelOptions) -> Result<Box<dyn RunnableModel>, Error> {
        let layout = OutputLayout::from_catalogue(catalogue(), &[], s.calendar_years().collect());
        // The weather of the sea: a keyed stream, so a replication's shocks
        // do not depend on the thread count or on the other parameters.
        let recruitment = StreamKey::new(options.seed, "fishery.recruitment");
        Ok(Box::new(FisheryModel {
            layout,
            spec: (self.growth, self.catch_share),
            recruitment,
        }))
    }
}

/// The simulation: stock in tonnes against a carrying capacity of 1,000.
struct FisheryModel {
    layout: OutputLayout,
    spec: (ParamId, ParamId),
    recruitment: StreamKey,
}

impl Model for FisheryModel {
    type Workspace = ();
    fn layout(&self) -> &OutputLayout {
        &self.layout
    }
    fn workspace(&self) {}
    fn run(&self, replication: u64, p: &[f64], _: &mut (), record: &mut Record) {
        let (growth, share) = (p[self.spec.0.index()], p[self.spec.1.index()]);
        let mut rng = self.recruitment.rng(replication);
        let (mut stock, mut caught) = (500.0_f64, 0.0);
        for year in record.series.iter_mut() {
            let shock = (0.1 * rng.standard_normal()).exp();
            stock += growth * stock * (1.0 - stock / 1_000.0) * shock;
            caught += share * stock;
            stock *= 1.0 - share;
            *year = stock;
        }
        record.scalars[0] = caught;
    }
}

const SCENARIO: &str = r#"[scenario]
name = "fishery"
start_year = 2026
years = 20
discount_rate = 0.03
replications = 2000
seed = 42

[model]
kind = "fishery"

[fishery]
growth = { dist = "triangular", min = 0.2, mode = 0.4, max = 0.6 }
catch_share = { dist = "uniform", min = 0.05, max = 0.25 }
"#;

/// Write the scenario into `dir`, run it, and return the run folder.
pub fn run_example(dir: &Path) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let file = dir.join("fishery.toml");
    std::fs::write(&file, SCENARIO).map_err(|e| Error::io(&file, e))?;
    // The kinds this program knows: sezsim's own and the fishery.
    let registry: Registry = sezsim::model::builtin().with(FisheryKind);
    let scenario = sezsim::scenario::load(&file, &registry)?;
    let settings = sezsim::run::RunSettings::new(&scenario, dir.join("fishery")).with_command(
        format!("cargo run --example custom_model -- {}", dir.display()),
    );
    let outcome = sezsim::run::run(&scenario, &settings, None)?;
    Ok(outcome.dir)
}

fn main() -> std::process::ExitCode {
    let arg = std::env::args_os().nth(1);
    // An option is not a folder name (`-- --help` once made `--help/`).
    if arg
        .as_ref()
        .is_some_and(|a| a.to_string_lossy().starts_with('-'))
    {
        println!(
            "usage: cargo run --example custom_model -- [DIR]  (default output/fishery-example)"
        );
        return std::process::ExitCode::SUCCESS;
    }
    let dir = arg.map_or_else(|| PathBuf::from("output/fishery-example"), PathBuf::from);
    match run_example(&dir) {
        Ok(run) => {
            println!("fishery run folder: {} (report.md, charts/)", run.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(if e.is_input_error() { 2 } else { 1 })
        }
    }
}

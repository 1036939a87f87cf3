//! `examples/custom_model.rs`, an outside model, run here into a temporary
//! folder (its code compiled into this test): its run folder has a report
//! and charts labelled in the model's own words. `.ci/run` also runs the
//! example's binary.

#[allow(dead_code)] // the example's `main`: the test calls `run_example`
#[path = "../examples/custom_model.rs"]
mod custom_model;

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_custom_model_example_writes_a_labelled_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = custom_model::run_example(dir.path()).unwrap();
    assert_eq!(run, dir.path().join("fishery"));
    for file in ["summary.csv", "scalars.csv", "manifest.json", "fan.csv"] {
        assert!(run.join(file).is_file(), "{file}");
    }
    let report = read(&run.join("report.md"));
    assert!(report.contains("(model `fishery`)"), "{report}");
    assert!(report.contains("Fish stock, national (tonnes)"), "{report}");
    assert!(
        report.contains("Catch over the horizon (tonnes)"),
        "{report}"
    );
    // The stock's fan chart and the catch's distributions, as PNG and SVG,
    // titled with the model's labels (and their axes with its units).
    for (stem, label, unit) in [
        ("fan_stock", "Fish stock", true),
        ("histogram_catch", "Catch over the horizon", true),
        ("cdf_catch", "Catch over the horizon", true),
        ("tornado_catch", "Catch over the horizon", false),
    ] {
        assert!(run.join(format!("charts/{stem}.png")).is_file(), "{stem}");
        let svg = read(&run.join(format!("charts/{stem}.svg")));
        assert!(svg.contains(label), "{stem} lacks {label}");
        if unit {
            assert!(svg.contains("tonnes"), "{stem} lacks its unit");
        }
    }
    // The tornado names the fishery's own parameters, in words made from
    // their paths; reservoir.csv keeps the paths.
    let tornado = read(&run.join("charts/tornado_catch.svg"));
    assert!(tornado.contains("Fishery: catch share"), "tornado");
    let reservoir = read(&run.join("reservoir.csv"));
    assert!(
        reservoir.starts_with("replication,fishery.growth,fishery.catch_share,"),
        "reservoir.csv header"
    );
}

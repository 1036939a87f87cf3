//! The README's worked example cannot drift from the code: every command it
//! shows is run here, and what the README prints after it (the terminal
//! table, the summary.csv rows, the figures quoted in its prose) must be
//! what the current build prints. When a change moves these numbers on
//! purpose, rerun the commands and paste their output into README.md.

use std::path::Path;

use assert_cmd::Command;

fn sezsim() -> Command {
    Command::cargo_bin("sezsim").unwrap()
}

/// The `console` blocks of the README: each `$ command` with the lines it
/// prints.
fn console_commands(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```console") {
            in_console = true;
        } else if line.starts_with("```") {
            in_console = false;
        } else if in_console {
            if let Some(command) = line.strip_prefix("$ ") {
                out.push((command.to_string(), Vec::new()));
            } else if let Some((_, printed)) = out.last_mut() {
                printed.push(line.to_string());
            }
        }
    }
    out
}

/// Run a scenario as the README's `cargo run --release -- run FILE` does,
/// into `out`; its standard output without the first line (which holds the
/// wall time and the folder).
fn run_table(scenario: &str, out: &Path) -> (String, Vec<String>) {
    let o = sezsim()
        .args(["run", scenario, "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let mut lines = stdout.lines().map(str::to_string);
    let first = lines.next().unwrap_or_default();
    (first, lines.collect())
}

#[test]
fn the_worked_example_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let commands = console_commands(&readme);
    assert!(commands.len() >= 3, "the worked example's commands");
    let dir = tempfile::tempdir().unwrap();
    let mut baseline_dir = None;
    for (command, printed) in &commands {
        if let Some(scenario) = command.strip_prefix("cargo run --release -- run ") {
            let name = Path::new(scenario).file_stem().unwrap().to_str().unwrap();
            let out = dir.path().join(name);
            let (first, table) = run_table(scenario, &out);
            let shown: Vec<&String> = printed.iter().filter(|l| l.starts_with("  ")).collect();
            assert!(!shown.is_empty(), "`{command}` shows its table");
            // Every table line the README shows is printed as shown; the
            // baseline's block shows the whole table.
            for line in &shown {
                assert!(
                    table.contains(line),
                    "README shows for `{command}`:\n{line}\nbut the build prints:\n{}",
                    table.join("\n")
                );
            }
            if printed[0].starts_with(name) {
                let (head, _) = printed[0].split_once(" in ").unwrap();
                assert!(first.starts_with(head), "{first} vs {}", printed[0]);
                let printed_table: Vec<&String> =
                    printed[1..].iter().filter(|l| !l.is_empty()).collect();
                let table: Vec<&String> = table.iter().filter(|l| !l.is_empty()).collect();
                assert_eq!(printed_table, table, "`{command}`: the whole table");
            }
            if name == "cpec_baseline" {
                baseline_dir = Some(out);
            }
        } else if let Some(rest) = command.strip_prefix("grep \"^") {
            // grep "^PREFIX[..][..]" output/cpec_baseline/summary.csv: every
            // row shown is in summary.csv, and so is no other matching row.
            let dir = baseline_dir.as_ref().expect("the baseline runs first");
            let prefix = rest.split('[').next().unwrap();
            let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
            for line in printed.iter().filter(|l| !l.is_empty()) {
                assert!(
                    summary.lines().any(|l| l == line),
                    "README's summary.csv row is not in the build's:\n{line}"
                );
            }
            let shown = printed.iter().filter(|l| l.starts_with(prefix)).count();
            assert!(shown > 0, "`{command}` shows rows");
        }
    }
    assert!(baseline_dir.is_some(), "the README runs the baseline");
}

/// The figures the README quotes in words, from the baseline's scalars.csv.
#[test]
fn the_readme_prose_quotes_the_baselines_figures() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("baseline");
    run_table("scenarios/cpec_baseline.toml", &out);
    let scalars = std::fs::read_to_string(out.join("scalars.csv")).unwrap();
    let mut rows = scalars.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = |scalar: &str| -> Vec<f64> {
        rows.clone()
            .find(|l| l.starts_with(&format!("{scalar},")))
            .unwrap()
            .split(',')
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect()
    };
    let exports = row("exports_final");
    let jobs = row("employment_final");
    let thousands = |v: f64| {
        let s = format!("{}", v.round() as i64);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let band = format!(
        "USD {} to {} million",
        thousands(exports[col("p05")]),
        thousands(exports[col("p95")])
    );
    let normalised = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(normalised.contains(&band), "README should quote {band}");
    let chance = format!("{:.1}% chance", exports[col("p_target")] * 100.0);
    assert!(normalised.contains(&chance), "README should quote {chance}");
    let probability = format!("probability {:.2}", jobs[col("p_target")]);
    assert!(
        normalised.contains(&probability),
        "README should quote {probability}"
    );

    // The energy variant's effects: on that chance, on the served share,
    // and what it costs the budget.
    let variant = dir.path().join("solar");
    run_table("scenarios/cpec_captive_solar_storage.toml", &variant);
    let variant_scalars = std::fs::read_to_string(variant.join("scalars.csv")).unwrap();
    let stat = |text: &str, scalar: &str, column: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(&format!("{scalar},")))
            .unwrap()
            .split(',')
            .nth(col(column))
            .unwrap()
            .parse()
            .unwrap()
    };
    // One decimal, without a trailing ".0" (6.5%, 46%).
    let percent = |p: f64| {
        let text = format!("{:.1}", p * 100.0);
        text.strip_suffix(".0").unwrap_or(&text).to_string()
    };
    let lift = format!(
        "from {}% to {}%",
        percent(exports[col("p_target")]),
        percent(stat(&variant_scalars, "exports_final", "p_target"))
    );
    assert!(normalised.contains(&lift), "README should quote {lift}");
    let served = format!(
        "from {}% to {}%",
        percent(stat(&scalars, "served_share_mean", "mean")),
        percent(stat(&variant_scalars, "served_share_mean", "mean"))
    );
    assert!(normalised.contains(&served), "README should quote {served}");
    let cost =
        stat(&variant_scalars, "public_cost_pv", "mean") - stat(&scalars, "public_cost_pv", "mean");
    let cost = format!("about USD {} million of public money", cost.round());
    assert!(normalised.contains(&cost), "README should quote {cost}");
}

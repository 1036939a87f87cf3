//! The command that reproduces a run, recorded in its manifest and
//! report: every setting that changes results spelled out.

use std::path::Path;

use super::{RunSettings, default_run_dir};
use crate::output::reservoir;

/// The command that reproduces a run of the scenario file `scenario` (as
/// the user gave it) with `settings`: every setting that changes results
/// spelled out (replications, seed, reservoir), so the command does not
/// depend on the scenario's defaults; `--out` only when not the default
/// folder ([`default_run_dir`]).
pub fn reproduce_command(scenario: &Path, scenario_name: &str, settings: &RunSettings) -> String {
    let mut words = vec![
        "sezsim".to_string(),
        "run".into(),
        shell_word(&scenario.display().to_string()),
    ];
    if settings.deterministic {
        words.push("--deterministic".into());
    } else {
        words.push("-n".into());
        words.push(settings.replications.to_string());
    }
    words.push("--seed".into());
    words.push(settings.seed.to_string());
    if settings.reservoir != reservoir::DEFAULT_CAPACITY {
        words.push("--reservoir".into());
        words.push(settings.reservoir.to_string());
    }
    if settings.save_replications {
        words.push("--save-replications".into());
    }
    if settings.out_dir != default_run_dir(scenario_name, settings.deterministic) {
        words.push("--out".into());
        words.push(shell_word(&settings.out_dir.display().to_string()));
    }
    words.join(" ")
}

/// `word` quoted for a POSIX shell when it needs to be.
pub(crate) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+,@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

    #[test]
    fn reproduce_commands_spell_out_what_changes_results() {
        let s = settings("output/base");
        assert_eq!(
            reproduce_command(Path::new("scenarios/base.toml"), "base", &s),
            "sezsim run scenarios/base.toml -n 10000 --seed 42"
        );
        let s = settings("my runs/it's")
            .with_deterministic(true)
            .with_reservoir(500);
        assert_eq!(
            reproduce_command(Path::new("a.toml"), "base", &s),
            r"sezsim run a.toml --deterministic --seed 42 --reservoir 500 --out 'my runs/it'\''s'"
        );
    }
}

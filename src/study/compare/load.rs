//! Reading the scenarios of a comparison: every file loaded and checked
//! before anything runs, and the scenarios checked against each other.

use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::scenario::{self, Registry, Scenario};

/// Load the base (the first path) and the variants, reporting every problem
/// of every file before anything runs. An error found outside the file
/// named on the command line (in a parent it extends, or a CSV it reads)
/// says which scenario was being loaded; an error that several of them
/// inherit is reported once, naming each.
pub fn load_scenarios(
    paths: &[PathBuf],
    registry: &Registry,
) -> Result<Vec<Scenario>, Diagnostics> {
    let mut loaded = Vec::new();
    // Each error with the scenarios that met it: (role, found outside its file).
    let mut errors: Vec<(Diagnostic, Vec<(String, bool)>)> = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let found = match scenario::load(path, registry) {
            Ok(s) => {
                loaded.push(s);
                continue;
            }
            Err(Diagnostics(found)) => found,
        };
        let role = if i == 0 {
            format!("the base scenario {}", path.display())
        } else {
            format!("variant {}", path.display())
        };
        for d in found {
            let elsewhere = d.location.as_ref().is_none_or(|l| l.file != *path);
            match errors.iter_mut().find(|(e, _)| *e == d) {
                Some((_, roles)) => roles.push((role.clone(), elsewhere)),
                None => errors.push((d, vec![(role.clone(), elsewhere)])),
            }
        }
    }
    if errors.is_empty() {
        return Ok(loaded);
    }
    Err(Diagnostics(
        errors
            .into_iter()
            .map(|(d, roles)| {
                if roles.iter().any(|(_, elsewhere)| *elsewhere) {
                    let names: Vec<String> = roles.into_iter().map(|(r, _)| r).collect();
                    d.note(format!("found while loading {}", names.join(" and ")))
                } else {
                    d
                }
            })
            .collect(),
    ))
}

/// At least two scenarios, with distinct names (each gets a folder and a
/// row named after it) and the same model kind.
pub(super) fn check_scenarios(scenarios: &[Scenario]) -> Result<(), Error> {
    let mut errors = Vec::new();
    if scenarios.len() < 2 {
        errors.push(Diagnostic::new(
            "compare needs at least two scenarios: the base, then one or more variants",
        ));
    }
    for (i, s) in scenarios.iter().enumerate() {
        if let Some(first) = scenarios[..i].iter().position(|o| o.name == s.name) {
            errors.push(
                Diagnostic::new(format!(
                    "scenarios {} and {} are both named `{}`",
                    first + 1,
                    i + 1,
                    s.name
                ))
                .key("scenario.name")
                .help("give each compared scenario its own [scenario] name: results are labelled and filed by name"),
            );
        }
        let base = &scenarios[0];
        if s.model.kind() != base.model.kind() {
            errors.push(
                Diagnostic::new(format!(
                    "`{}` is a `{}` model but the base `{}` is `{}`: only scenarios of the same model can be compared",
                    s.name,
                    s.model.kind(),
                    base.name,
                    base.model.kind()
                ))
                .key("model.kind"),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(Diagnostics(errors)))
    }
}

//! Reading back what sezsim wrote, to merge or resume it: manifests
//! ([`read_json`], errors located at line and column), every shard folder
//! of a merge ([`read_each`]), the check that a shard's scenario has not
//! changed ([`unchanged_scenario`]) and checksums of result files
//! ([`sha256_file`]).
//!
//! A leaf of the study layer: `shard` and `sweep` both use it, and it uses
//! neither.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::error::Error;
use crate::scenario::{self, Registry, Scenario};

/// Read a JSON file, locating a syntax or shape error at its line and
/// column.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read {}: {}",
            path.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such file (is this a shard folder?)".to_string()
            } else {
                e.to_string()
            }
        ))
        .at(Location::file(path))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Diagnostic::new(format!("not a sezsim manifest: {e}")).at(Location {
            file: path.to_path_buf(),
            line: Some(e.line()),
            column: Some(e.column()),
        })
    })
}

/// `read` applied to every folder of `dirs`; every problem of every folder
/// reported together.
pub(crate) fn read_each<T, P: AsRef<Path>>(
    dirs: &[P],
    read: impl Fn(&Path) -> Result<T, Diagnostic>,
) -> Result<Vec<T>, Error> {
    let mut errors = Vec::new();
    let mut read_ok = Vec::new();
    for dir in dirs {
        match read(dir.as_ref()) {
            Ok(x) => read_ok.push(x),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(read_ok)
    } else {
        Err(Error::Input(Diagnostics(errors)))
    }
}

/// The scenario at `scenario_file` (read again by a merge), refused if
/// its contents no longer have the SHA-256 `expected` that the shard
/// manifest at `manifest_path` recorded.
pub(crate) fn unchanged_scenario(
    scenario_file: &Path,
    expected: &str,
    manifest_path: &Path,
    registry: &Registry,
) -> Result<Scenario, Error> {
    let scenario = scenario::load(scenario_file, registry)?;
    if scenario.content_hash() != expected {
        return Err(Error::Input(Diagnostics::from(
            Diagnostic::new(format!(
                "the scenario {} (or a file it reads) changed since the shards ran",
                scenario_file.display()
            ))
            .at(Location::file(manifest_path))
            .key("scenario_sha256")
            .help("restore the scenario the shards ran, or run the shards again"),
        )));
    }
    Ok(scenario)
}

/// SHA-256 of a file, read in blocks.
pub(crate) fn sha256_file(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

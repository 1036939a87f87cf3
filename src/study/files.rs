//! Reading back what sezsim wrote, to merge or resume it: manifests
//! ([`read_json`], errors located at line and column) and checksums of
//! result files ([`sha256_file`]).
//!
//! A leaf of the study layer: `shard` and `sweep` both use it, and it uses
//! neither.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};
use crate::error::Error;

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

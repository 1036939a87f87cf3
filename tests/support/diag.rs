//! Checking located input errors: which diagnostic mentions what, and
//! where it points.

use sezsim::diagnostics::Diagnostic;

/// 1-based line of the first occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() + 1
}

/// Assert one diagnostic mentions `fragment`, sits in `file` at `line`, and
/// carries `key`; return it.
#[track_caller]
pub fn expect(
    diags: &[Diagnostic],
    fragment: &str,
    file: &str,
    line: Option<usize>,
    key: Option<&str>,
) -> Diagnostic {
    let all: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    let d = diags
        .iter()
        .find(|d| d.to_string().contains(fragment))
        .unwrap_or_else(|| panic!("no error mentions {fragment:?}; got:\n{}", all.join("\n")));
    let loc = d.location.as_ref().expect("error has a location");
    assert!(loc.file.ends_with(file), "{d}: expected file {file}");
    if let Some(line) = line {
        assert_eq!(loc.line, Some(line), "{d}");
    }
    if let Some(key) = key {
        assert_eq!(d.key_path.as_deref(), Some(key), "{d}");
    }
    d.clone()
}

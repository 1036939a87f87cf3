//! Located, user-facing input errors.
//!
//! Loading a scenario collects every problem it finds as a [`Diagnostic`]
//! (file, line, column, key path, what was expected, what to do) and reports
//! them together as [`Diagnostics`], so a user fixes a file in one pass.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input file. Lines and columns count from 1; a CSV error
/// has a line and no column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file, as opened (a path from the command line, or joined to the
    /// folder of the file that names it).
    pub file: PathBuf,
    /// Line, from 1; `None` when the problem is with the whole file.
    pub line: Option<usize>,
    /// Column, from 1, in characters; `None` for a whole line or file.
    pub column: Option<usize>,
}

impl Location {
    /// The whole file.
    pub fn file(file: &Path) -> Self {
        Location {
            file: file.to_path_buf(),
            line: None,
            column: None,
        }
    }

    /// A line of a file (CSV rows).
    pub fn line(file: &Path, line: usize) -> Self {
        Location {
            file: file.to_path_buf(),
            line: Some(line),
            column: None,
        }
    }

    /// The line and column of byte `offset` in `source` (the text of `file`).
    pub fn at_offset(file: &Path, source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = source.get(..offset).unwrap_or(source);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// One problem in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where it is; `None` only for problems with no file (command-line
    /// values). Boxed to keep `Result<_, Diagnostic>` small.
    pub location: Option<Box<Location>>,
    /// The dotted key path (`zones.rashakai.investment.bass_p`), where one applies.
    pub key_path: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Context: what was being done when the problem was found (which
    /// scenario of several was being loaded).
    pub note: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a message only; add context with the builder methods.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            location: None,
            key_path: None,
            message: message.into(),
            help: None,
            note: None,
        }
    }

    /// Attach a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Attach a key path.
    pub fn key(mut self, key_path: impl Into<String>) -> Self {
        let key_path = key_path.into();
        if !key_path.is_empty() {
            self.key_path = Some(key_path);
        }
        self
    }

    /// Attach advice.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach context (printed after the help).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        if let Some(key) = &self.key_path {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        if let Some(note) = &self.note {
            write!(f, "\n  note: {note}")?;
        }
        Ok(())
    }
}

/// Every problem found in an input, in the order found. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Always false for a returned error; present for completeness.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} errors", self.0.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_maps_to_line_and_column() {
        let src = "a = 1\nbé = 2\n";
        let loc = Location::at_offset(Path::new("f.toml"), src, src.find('2').unwrap());
        assert_eq!((loc.line, loc.column), (Some(2), Some(6)));
        assert_eq!(loc.to_string(), "f.toml:2:6");
    }

    #[test]
    fn display_names_place_key_and_help() {
        let d = Diagnostic::new("expected a number")
            .at(Location::line(Path::new("x.csv"), 3))
            .key("global.seed")
            .help("write 42");
        assert_eq!(
            d.to_string(),
            "error: x.csv:3: `global.seed`: expected a number\n  help: write 42"
        );
        let d = d.note("while loading variant v.toml");
        assert!(
            d.to_string()
                .ends_with("help: write 42\n  note: while loading variant v.toml")
        );
    }
}

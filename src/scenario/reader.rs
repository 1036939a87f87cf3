//! Typed reading of the located tree, collecting every error.
//!
//! A [`TableReader`] hands out a table's values by key and remembers which
//! keys were asked for. Keys never asked for are unknown: at the end they are
//! reported with the nearest valid key, or with the section they belong to
//! when the key is valid elsewhere (the classic TOML slip of writing a
//! top-level key after a `[table]` header).

use std::collections::HashSet;

use super::raw::{Node, Origin, SourceMap, Table, Value};
use crate::diagnostics::{Diagnostic, Location};

/// Error collection and the record of valid keys per section.
pub struct Ctx<'s> {
    /// The files read, to turn origins into locations.
    pub sources: &'s SourceMap,
    /// Errors found so far.
    pub errors: Vec<Diagnostic>,
    /// (section label, key) for every key any reader asked for.
    known: Vec<(String, String)>,
    unknown: Vec<UnknownKey>,
}

struct UnknownKey {
    section: String,
    key: String,
    key_path: String,
    origin: Origin,
    candidates: Vec<String>,
}

impl<'s> Ctx<'s> {
    /// A context with no errors yet, over the files of `sources`.
    pub fn new(sources: &'s SourceMap) -> Self {
        Ctx {
            sources,
            errors: Vec::new(),
            known: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// File, line and column of `origin`.
    pub fn location(&self, origin: Origin) -> Location {
        self.sources.location(origin.file, origin.offset)
    }

    /// Record an error at `origin`.
    pub fn error(
        &mut self,
        origin: Origin,
        key_path: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = Diagnostic::new(message)
            .at(self.location(origin))
            .key(key_path);
        self.errors.push(d);
        self.errors.last_mut().expect("just pushed")
    }

    /// Report unknown keys, then return every error, each reported once
    /// (values inherited from `[zone_defaults]` are read once per zone).
    pub fn finish(mut self) -> Vec<Diagnostic> {
        let unknown = std::mem::take(&mut self.unknown);
        for u in unknown {
            let mut message = format!("unknown key `{}` in {}", u.key, u.section);
            let elsewhere: Vec<&str> = self
                .known
                .iter()
                .filter(|(section, key)| *key == u.key && *section != u.section)
                .map(|(section, _)| section.as_str())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let help = if let Some(section) = first_sorted(elsewhere) {
                message = format!(
                    "`{}` is not a key of {}; it belongs in {section}",
                    u.key, u.section
                );
                if section == "the top level" {
                    "top-level keys must come before the first [table] header".to_string()
                } else {
                    format!("move it under {section}")
                }
            } else if let Some(best) = nearest(&u.key, &u.candidates) {
                format!("did you mean `{best}`?")
            } else {
                format!("valid keys here: {}", u.candidates.join(", "))
            };
            let location = self.location(u.origin);
            self.errors.push(
                Diagnostic::new(message)
                    .at(location)
                    .key(u.key_path)
                    .help(help),
            );
        }
        let mut seen = HashSet::new();
        self.errors
            .into_iter()
            .filter(|d| seen.insert((d.location.clone(), d.message.clone())))
            .collect()
    }
}

fn first_sorted(mut v: Vec<&str>) -> Option<String> {
    v.sort_unstable();
    v.first().map(|s| s.to_string())
}

/// The closest candidate to `key`, if any is close enough to be a typo.
pub fn nearest<'a, S: AsRef<str>>(key: &str, candidates: &'a [S]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(key, c.as_ref()), c.as_ref()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Candidates close to `key`, best first (at most `n`).
pub fn close_matches<'a>(
    key: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| (strsim::jaro_winkler(key, c), c))
        .filter(|(score, _)| *score > 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// Reads one table.
pub struct TableReader<'t> {
    table: &'t Table,
    /// Dotted key path of the table (`zones.rashakai.investment`).
    pub path: String,
    /// How the section is named to users (`[zones.investment]`).
    pub section: String,
    /// Where the table was written (for "missing key" errors).
    pub origin: Origin,
    requested: Vec<String>,
}

impl<'t> TableReader<'t> {
    /// A reader of `table` at key path `path` (prefix of its keys' paths),
    /// labelled `section` in messages, written at `origin`.
    pub fn new(
        table: &'t Table,
        path: impl Into<String>,
        section: impl Into<String>,
        origin: Origin,
    ) -> Self {
        TableReader {
            table,
            path: path.into(),
            section: section.into(),
            origin,
            requested: Vec::new(),
        }
    }

    /// The key path of `key` in this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value of `key`, marking the key as valid here.
    pub fn get(&mut self, key: &str) -> Option<&'t Node> {
        if !self.requested.iter().any(|k| k == key) {
            self.requested.push(key.to_string());
        }
        self.table.get(key).map(|e| &e.value)
    }

    /// The value of a required key; reports it missing otherwise.
    pub fn require(&mut self, ctx: &mut Ctx, key: &str, what: &str) -> Option<&'t Node> {
        let node = self.get(key);
        if node.is_none() {
            let path = self.key_path(key);
            ctx.error(
                self.origin,
                &path,
                format!("missing required key `{key}` in {}", self.section),
            )
            .help = Some(format!("add `{key} = {what}`"));
        }
        node
    }

    /// Mark keys valid without reading them (keys a caller handles itself).
    pub fn accept(&mut self, keys: &[&str]) {
        for &k in keys {
            self.get(k);
        }
    }

    /// Report every key of the table that was never asked for.
    pub fn finish(self, ctx: &mut Ctx) {
        for k in &self.requested {
            ctx.known.push((self.section.clone(), k.clone()));
        }
        for entry in &self.table.entries {
            if !self.requested.contains(&entry.key) {
                ctx.unknown.push(UnknownKey {
                    section: self.section.clone(),
                    key: entry.key.clone(),
                    key_path: self.key_path(&entry.key),
                    origin: entry.key_origin,
                    candidates: self.requested.clone(),
                });
            }
        }
    }
}

// ---- typed views of single nodes; each reports its own type errors ----

/// A finite number (integer or float).
pub fn number(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    let v = match node.value {
        Value::Integer(i) => i as f64,
        Value::Float(f) => f,
        ref other => {
            ctx.error(
                node.origin,
                path,
                format!("expected a number, found {}", other.type_name()),
            );
            return None;
        }
    };
    if !v.is_finite() {
        ctx.error(
            node.origin,
            path,
            format!("expected a finite number, found {v}"),
        );
        return None;
    }
    Some(v)
}

/// A plain number: a distribution table here gets its own message.
pub fn plain_number(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    if matches!(node.value, Value::Table(_)) {
        ctx.error(
            node.origin,
            path,
            "must be a plain number, not a distribution or table",
        )
        .help = Some("only model parameters may be uncertain; give a single value here".into());
        return None;
    }
    number(ctx, node, path)
}

/// An integer within `[min, max]`.
pub fn integer(ctx: &mut Ctx, node: &Node, path: &str, min: i64, max: i64) -> Option<i64> {
    let v = match node.value {
        Value::Integer(i) => i,
        Value::Table(_) => {
            ctx.error(
                node.origin,
                path,
                "must be a plain integer, not a distribution or table",
            );
            return None;
        }
        // An integer literal beyond 64 bits was kept as a float: say it is
        // out of range rather than "a float".
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() >= i64::MAX as f64 => {
            let message = format!(
                "expected an integer from {min} to {max}, found one beyond the 64-bit range ({f:e})"
            );
            ctx.error(node.origin, path, message);
            return None;
        }
        ref other => {
            ctx.error(
                node.origin,
                path,
                format!("expected an integer, found {}", other.type_name()),
            );
            return None;
        }
    };
    if v < min || v > max {
        ctx.error(
            node.origin,
            path,
            format!("expected an integer from {min} to {max}, found {v}"),
        );
        return None;
    }
    Some(v)
}

/// A string.
pub fn string<'n>(ctx: &mut Ctx, node: &'n Node, path: &str) -> Option<&'n str> {
    match &node.value {
        Value::String(s) => Some(s),
        other => {
            ctx.error(
                node.origin,
                path,
                format!("expected a string, found {}", other.type_name()),
            );
            None
        }
    }
}

/// A boolean.
pub fn boolean(ctx: &mut Ctx, node: &Node, path: &str) -> Option<bool> {
    match node.value {
        Value::Boolean(b) => Some(b),
        ref other => {
            ctx.error(
                node.origin,
                path,
                format!("expected true or false, found {}", other.type_name()),
            );
            None
        }
    }
}

/// An array.
pub fn array<'n>(ctx: &mut Ctx, node: &'n Node, path: &str) -> Option<&'n [Node]> {
    match &node.value {
        Value::Array(a) => Some(a),
        other => {
            ctx.error(
                node.origin,
                path,
                format!("expected an array, found {}", other.type_name()),
            );
            None
        }
    }
}

/// A table.
pub fn table<'n>(ctx: &mut Ctx, node: &'n Node, path: &str) -> Option<&'n Table> {
    match &node.value {
        Value::Table(t) => Some(t),
        other => {
            ctx.error(
                node.origin,
                path,
                format!("expected a table, found {}", other.type_name()),
            );
            None
        }
    }
}

/// An array of finite numbers.
pub fn numbers(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Vec<f64>> {
    let items = array(ctx, node, path)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match number(ctx, item, &format!("{path}[{i}]")) {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

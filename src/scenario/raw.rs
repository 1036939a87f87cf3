//! The raw stage of loading: TOML files parsed into a located tree and
//! merged along their `extends` chain.
//!
//! Every value remembers the file and byte span it came from, so errors found
//! much later (after inheritance merged several files) still point at the
//! line that wrote the offending value. Nothing here knows what the keys mean
//! except the merge rules of inheritance.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::header::DEFAULT_KIND;
use super::kind::{MergeRules, Registry};
use crate::diagnostics::{Diagnostic, Location};

/// Parent chains longer than this are refused: no real scenario needs it,
/// and it bounds work on hostile input.
const MAX_EXTENDS_DEPTH: usize = 32;

/// Input files (scenarios, their parents, CSV files, sweep files) larger
/// than this are refused before they are read: no real input comes near it,
/// and it bounds the memory a mistaken path can take.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Index of a file in a [`SourceMap`].
pub type FileId = usize;

/// One file read while loading.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user (or a parent reference) named it, joined to its parent's folder.
    pub path: PathBuf,
    /// The text of the file.
    pub text: String,
}

/// Every file read while loading a scenario, for locating errors and for
/// the run manifest (which hashes them).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Register a file; returns its id.
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile { path, text });
        self.files.len() - 1
    }

    /// The file with this id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// All files, in the order they were read.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The location of byte `offset` of file `id`.
    pub fn location(&self, id: FileId, offset: usize) -> Location {
        let f = &self.files[id];
        Location::at_offset(&f.path, &f.text, offset)
    }
}

/// Where a value was written: file and byte offset of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The file, in the source map.
    pub file: FileId,
    /// Byte offset in the file.
    pub offset: usize,
}

/// A TOML value with its origin.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub origin: Origin,
}

/// A TOML value; tables keep their keys' origins.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// A date-time, as written (no scenario key takes one).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table.
    Table(Table),
}

impl Value {
    /// The TOML type name, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A key of a table, with where it was written.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_origin: Origin,
    /// Its value.
    pub value: Node,
}

/// A table, keys in file order.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The keys and their values, in file order.
    pub entries: Vec<Entry>,
}

impl Table {
    /// The entry for `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }
}

/// The merged document of a scenario and its ancestors.
#[derive(Debug, Clone)]
pub struct RawScenario {
    /// Every file read, by [`FileId`].
    pub sources: SourceMap,
    /// The merged top-level table.
    pub root: Table,
    /// Origin of the root file's start, for errors about missing keys.
    pub root_origin: Origin,
    /// Inherited lists of tables that a file of the chain replaced whole.
    pub replaced: Vec<Replaced>,
}

/// An inherited list of tables (`[[committed_investments]]`,
/// `[[correlations]]`...) that a child file replaced whole: inheritance
/// merges most things, so `check` points these out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// Dotted key path of the list.
    pub key_path: String,
    /// How many tables the parent's list had.
    pub inherited: usize,
    /// How many the child's value has: `None` when it is not a list (a CSV path).
    pub replacement: Option<usize>,
    /// Where the child wrote the key.
    pub origin: Origin,
}

/// Read `path` and every file it extends, and merge them child over parent
/// with the merge rules of the scenario's kind of model, from `registry`.
///
/// Fails with every problem found in the files read (syntax errors stop the
/// chain at that file).
pub fn load_raw(
    path: &Path,
    registry: &Registry,
) -> Result<RawScenario, (SourceMap, Vec<Diagnostic>)> {
    let mut sources = SourceMap::default();
    let mut errors = Vec::new();
    let mut chain: Vec<(FileId, Table)> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut next: Option<(PathBuf, Option<Location>)> = Some((path.to_path_buf(), None));

    while let Some((file, referenced_at)) = next.take() {
        if chain.len() >= MAX_EXTENDS_DEPTH {
            errors.push(
                Diagnostic::new(format!(
                    "`extends` chain is longer than {MAX_EXTENDS_DEPTH} files"
                ))
                .at(referenced_at.unwrap_or_else(|| Location::file(&file)))
                .key("extends")
                .help("shorten the chain of parent scenarios"),
            );
            break;
        }
        let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if !seen.insert(identity) {
            errors.push(
                Diagnostic::new(format!(
                    "`extends` forms a cycle: {} is already in the chain",
                    file.display()
                ))
                .at(referenced_at.unwrap_or_else(|| Location::file(&file)))
                .key("extends")
                .help("a scenario may not extend itself or one of its descendants"),
            );
            break;
        }
        let text = match read_text(&file, referenced_at.as_ref()) {
            Ok(text) => text,
            Err(d) => {
                errors.push(if referenced_at.is_some() {
                    d.key("extends")
                } else {
                    d
                });
                break;
            }
        };
        let id = sources.add(file.clone(), text);
        let mut table = match parse(&sources, id) {
            Ok(t) => t,
            Err(d) => {
                errors.push(d);
                break;
            }
        };
        if let Some(entry) = table.remove("extends") {
            match &entry.value.value {
                Value::String(parent) => {
                    let base = file.parent().unwrap_or(Path::new(""));
                    let loc = sources.location(id, entry.value.origin.offset);
                    next = Some((base.join(parent), Some(loc)));
                }
                other => errors.push(
                    Diagnostic::new(format!(
                        "expected a file path (a string), found {}",
                        other.type_name()
                    ))
                    .at(sources.location(id, entry.value.origin.offset))
                    .key("extends")
                    .help("write extends = \"parent.toml\" before the first [table] header"),
                ),
            }
        }
        chain.push((id, table));
    }

    if !errors.is_empty() {
        return Err((sources, errors));
    }
    // The kind named nearest the user's file decides how sections merge;
    // an unknown kind merges nothing by key (loading reports it).
    let rules = kind_name(chain.iter().map(|(_, t)| t))
        .and_then(|name| registry.kind(name))
        .or_else(|| registry.kind(DEFAULT_KIND))
        .map(|k| k.merge_rules())
        .unwrap_or_default();
    // Merge from the oldest ancestor down to the file the user named.
    let mut iter = chain.into_iter().rev();
    let (_, mut root) = iter.next().expect("at least the named file was read");
    let mut replaced = Vec::new();
    for (_, child) in iter {
        replaced.extend(merge_tables(&mut root, child, "", &rules));
    }
    Ok(RawScenario {
        sources,
        root,
        root_origin: Origin { file: 0, offset: 0 },
        replaced,
    })
}

/// Read and parse one TOML file on its own (no `extends`), for other input
/// files written in the scenario format's style (sweep files): the same
/// located tree, the same messages.
pub(crate) fn load_single(path: &Path) -> Result<(SourceMap, Table), Vec<Diagnostic>> {
    let mut sources = SourceMap::default();
    let text = read_text(path, None).map_err(|d| vec![d])?;
    let id = sources.add(path.to_path_buf(), text);
    let table = parse(&sources, id).map_err(|d| vec![d])?;
    Ok((sources, table))
}

/// Read a file as UTF-8 text, refusing empty, huge and binary files, and
/// anything that is not a regular file. Every input file is read through
/// here.
pub(crate) fn read_text(
    file: &Path,
    referenced_at: Option<&Location>,
) -> Result<String, Diagnostic> {
    let at = || {
        referenced_at
            .cloned()
            .unwrap_or_else(|| Location::file(file))
    };
    let bytes = read_bounded(file, &at)?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Diagnostic::new(format!("{} is empty", file.display()))
            .at(Location::file(file))
            .help("an empty file is almost always a mistake (an interrupted copy?)"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Diagnostic::new("file is not UTF-8 text")
            .at(Location::line(file, line))
            .help("save the file as UTF-8")
    })
}

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`].
///
/// The file's type is checked before it is opened: opening a FIFO blocks
/// until someone writes to it, and a device such as `/dev/zero` reports a
/// length of 0 and never ends. Metadata never blocks. The read itself stops
/// one byte past the limit, so a file that grows while it is read, or whose
/// size was misreported, cannot exhaust memory either.
fn read_bounded(file: &Path, at: &dyn Fn() -> Location) -> Result<Vec<u8>, Diagnostic> {
    let unreadable = |e: &std::io::Error| {
        Diagnostic::new(format!("cannot read {}: {}", file.display(), io_reason(e))).at(at())
    };
    let meta = std::fs::metadata(file).map_err(|e| {
        unreadable(&e).help("check the path; paths are relative to the file that names them")
    })?;
    if !meta.is_file() {
        return Err(Diagnostic::new(format!(
            "{} is {}, not a regular file",
            file.display(),
            file_kind(&meta.file_type())
        ))
        .at(at())
        .help("name a text file saved on disk; sezsim does not read folders, pipes or devices"));
    }
    let too_large = |size: String| {
        Diagnostic::new(format!(
            "{} is {size}; input files are limited to {} MiB",
            file.display(),
            MAX_FILE_BYTES / (1024 * 1024)
        ))
        .at(at())
        .help("check that the path names the intended file")
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(format!("{} bytes", meta.len())));
    }
    let opened = std::fs::File::open(file).map_err(|e| unreadable(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    opened
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES} bytes")));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, for messages.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn parse(sources: &SourceMap, id: FileId) -> Result<Table, Diagnostic> {
    let text = &sources.file(id).text;
    match DeTable::parse(text) {
        Ok(table) => Ok(convert_table(table.into_inner(), id)),
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            Err(
                Diagnostic::new(format!("invalid TOML: {}", e.message().trim_end()))
                    .at(sources.location(id, offset)),
            )
        }
    }
}

fn convert_table(table: DeTable<'_>, file: FileId) -> Table {
    let entries = table
        .into_iter()
        .map(|(key, value)| {
            let key_origin = Origin {
                file,
                offset: key.span().start,
            };
            Entry {
                key: key.into_inner().into_owned(),
                key_origin,
                value: convert_value(value, file),
            }
        })
        .collect();
    Table { entries }
}

fn convert_value(value: toml::Spanned<DeValue<'_>>, file: FileId) -> Node {
    let origin = Origin {
        file,
        offset: value.span().start,
    };
    let value = match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Value::Integer(v),
            // Out of i64 range: keep it as a float so range checks report it.
            Err(_) => Value::Float(i.as_str().parse().unwrap_or(f64::INFINITY)),
        },
        DeValue::Float(f) => Value::Float(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.into_iter().map(|v| convert_value(v, file)).collect()),
        DeValue::Table(t) => Value::Table(convert_table(t, file)),
    };
    Node { value, origin }
}

/// `[model].kind` of the nearest file of `chain` (child first) that sets it.
fn kind_name<'a>(mut chain: impl Iterator<Item = &'a Table>) -> Option<&'a str> {
    chain.find_map(|t| match &t.get("model")?.value.value {
        Value::Table(m) => match &m.get("kind")?.value.value {
            Value::String(kind) => Some(kind.as_str()),
            _ => None,
        },
        _ => None,
    })
}

/// Whether the table `table`, written under `key`, is a single value that
/// inheritance replaces whole: a distribution (`{ dist = ... }`), a CSV
/// series (`{ csv = ..., column = ... }`), or a key the kind's rules name
/// ([`MergeRules::value_keys`]). The one place that knows which tables are
/// values.
fn is_whole_value(key: &str, table: &Table, rules: &MergeRules) -> bool {
    rules.value_keys.contains(&key) || table.get("dist").is_some() || table.get("csv").is_some()
}

/// Merge `child` over `parent`, both for `extends` and for a zone over
/// `[zone_defaults]`: tables merge key by key; arrays that `rules` name merge
/// item by item by their identity key (`zones` by `id`); every other value
/// is replaced whole: arrays, CSV paths, and the tables that are values
/// (`is_whole_value`), so a child that turns a triangular into a lognormal
/// gets exactly its lognormal. A replaced value keeps the child's origin,
/// so errors in it point at the child.
///
/// Returns the inherited lists of tables the child replaced whole.
pub fn merge_tables(
    parent: &mut Table,
    child: Table,
    path: &str,
    rules: &MergeRules,
) -> Vec<Replaced> {
    let mut replaced = Vec::new();
    for entry in child.entries {
        let key_path = if path.is_empty() {
            entry.key.clone()
        } else {
            format!("{path}.{}", entry.key)
        };
        let Some(existing) = parent.get_mut(&entry.key) else {
            parent.entries.push(entry);
            continue;
        };
        match (&mut existing.value.value, entry.value.value) {
            (Value::Table(p), Value::Table(c))
                if !is_whole_value(&entry.key, p, rules)
                    && !is_whole_value(&entry.key, &c, rules) =>
            {
                replaced.extend(merge_tables(p, c, &key_path, rules));
            }
            (Value::Array(p), Value::Array(c)) if rules.identity_key(&key_path).is_some() => {
                let id = rules.identity_key(&key_path).unwrap_or_default();
                replaced.extend(merge_array_by_key(p, c, id, &key_path, rules));
            }
            (old, value) => {
                if let Value::Array(items) = old
                    && !items.is_empty()
                    && items.iter().all(|i| matches!(i.value, Value::Table(_)))
                {
                    replaced.push(Replaced {
                        key_path,
                        inherited: items.len(),
                        replacement: match &value {
                            Value::Array(new) => Some(new.len()),
                            _ => None,
                        },
                        origin: entry.key_origin,
                    });
                }
                existing.value = Node {
                    value,
                    origin: entry.value.origin,
                };
                existing.key_origin = entry.key_origin;
            }
        }
    }
    replaced
}

fn merge_array_by_key(
    parent: &mut Vec<Node>,
    child: Vec<Node>,
    key: &str,
    path: &str,
    rules: &MergeRules,
) -> Vec<Replaced> {
    let mut replaced = Vec::new();
    // A child item merges into an inherited item, once: an identity the
    // child writes twice is appended again, so that the section's reader
    // reports the duplicate instead of two items silently becoming one.
    let mut merged = vec![false; parent.len()];
    for item in child {
        let item_key = identity_of(&item, key);
        let target = item_key.and_then(|k| {
            let i = (0..merged.len())
                .find(|&i| !merged[i] && identity_of(&parent[i], key) == Some(k))?;
            merged[i] = true;
            Some((k.to_owned(), i))
        });
        match (target, item.value) {
            (Some((k, i)), Value::Table(c)) => {
                if let Value::Table(p) = &mut parent[i].value {
                    replaced.extend(merge_tables(p, c, &format!("{path}.{k}"), rules));
                }
            }
            (_, value) => parent.push(Node {
                value,
                origin: item.origin,
            }),
        }
    }
    replaced
}

fn identity_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    match &node.value {
        Value::Table(t) => match &t.get(key)?.value.value {
            Value::String(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SEZ model's rules: zones by id, projects by name, sourcing whole.
    const RULES: MergeRules = MergeRules {
        keyed_arrays: &[("zones", "id"), ("energy_projects", "name")],
        value_keys: &["sourcing"],
    };

    fn table(src: &str) -> Table {
        let mut sources = SourceMap::default();
        let id = sources.add("t.toml".into(), src.into());
        parse(&sources, id).unwrap()
    }

    fn float_at(t: &Table, path: &[&str]) -> f64 {
        let mut node = &t.get(path[0]).unwrap().value;
        for p in &path[1..] {
            match &node.value {
                Value::Table(inner) => node = &inner.get(p).unwrap().value,
                _ => panic!("not a table at {p}"),
            }
        }
        match node.value {
            Value::Float(f) => f,
            Value::Integer(i) => i as f64,
            _ => panic!("not a number"),
        }
    }

    /// The `zones` items of `t` and their ids.
    fn zones_of(t: &Table) -> (&[Node], Vec<&str>) {
        let Value::Array(zones) = &t.get("zones").unwrap().value.value else {
            panic!("zones is not an array")
        };
        let ids = zones
            .iter()
            .map(|z| identity_of(z, "id").unwrap())
            .collect();
        (zones, ids)
    }

    #[test]
    fn tables_merge_key_by_key_and_child_wins() {
        let mut parent = table("[global]\na = 1.0\nb = 2.0\n");
        let child = table("[global]\nb = 3.0\nc = 4.0\n");
        merge_tables(&mut parent, child, "", &RULES);
        assert_eq!(float_at(&parent, &["global", "a"]), 1.0);
        assert_eq!(float_at(&parent, &["global", "b"]), 3.0);
        assert_eq!(float_at(&parent, &["global", "c"]), 4.0);
    }

    #[test]
    fn zones_merge_by_id_and_new_ones_are_appended() {
        let mut parent = table(
            "[[zones]]\nid = \"a\"\n[zones.energy]\ngrid_mw = 1.0\nbackup_mw = 5.0\n\
             [[zones]]\nid = \"b\"\n",
        );
        let child =
            table("[[zones]]\nid = \"a\"\n[zones.energy]\ngrid_mw = 2.0\n[[zones]]\nid = \"c\"\n");
        merge_tables(&mut parent, child, "", &RULES);
        let (zones, ids) = zones_of(&parent);
        assert_eq!(ids, ["a", "b", "c"]);
        let Value::Table(a) = &zones[0].value else {
            panic!()
        };
        assert_eq!(float_at(a, &["energy", "grid_mw"]), 2.0);
        assert_eq!(float_at(a, &["energy", "backup_mw"]), 5.0);
    }

    #[test]
    fn an_identity_written_twice_by_a_child_is_kept_twice() {
        // Zone `a` is inherited; the child writes `a` twice and the new `c`
        // twice: one `a` merges, the rest are appended for the reader to
        // report as duplicates.
        let mut parent = table("[[zones]]\nid = \"a\"\nx = 1.0\n");
        let child = table(
            "[[zones]]\nid = \"a\"\nx = 2.0\n[[zones]]\nid = \"a\"\nx = 3.0\n\
             [[zones]]\nid = \"c\"\n[[zones]]\nid = \"c\"\n",
        );
        merge_tables(&mut parent, child, "", &RULES);
        let (zones, ids) = zones_of(&parent);
        assert_eq!(ids, ["a", "a", "c", "c"]);
        let Value::Table(a) = &zones[0].value else {
            panic!()
        };
        assert_eq!(float_at(a, &["x"]), 2.0);
    }

    #[test]
    fn other_arrays_are_replaced_whole() {
        let mut parent = table("[outputs]\nquantiles = [0.1, 0.5, 0.9]\n");
        let child = table("[outputs]\nquantiles = [0.5]\n");
        merge_tables(&mut parent, child, "", &RULES);
        let Value::Table(o) = &parent.get("outputs").unwrap().value.value else {
            panic!()
        };
        let Value::Array(q) = &o.get("quantiles").unwrap().value.value else {
            panic!()
        };
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn values_are_replaced_whole_never_merged_key_by_key() {
        // A distribution of another kind, a CSV series, a sourcing map.
        let mut parent = table(
            "[global]\nx = { dist = \"triangular\", min = 1, mode = 2, max = 3 }\n\
             s = { csv = \"a.csv\", column = \"a\" }\nt = 5\n\
             [linkages]\nsourcing = { textiles = 0.7, services = 0.3 }\n",
        );
        let child = table(
            "[global]\nx = { dist = \"lognormal\", mean = 2, sd = 0.5 }\ns = 4\n\
             t = { csv = \"b.csv\", column = \"b\" }\n\
             [linkages]\nsourcing = { manufacturing = 1.0 }\n",
        );
        merge_tables(&mut parent, child, "", &RULES);
        let keys = |t: &Table, path: &[&str]| -> Vec<String> {
            let mut node = &t.get(path[0]).unwrap().value;
            for p in &path[1..] {
                let Value::Table(inner) = &node.value else {
                    panic!("not a table at {p}")
                };
                node = &inner.get(p).unwrap().value;
            }
            match &node.value {
                Value::Table(inner) => inner.entries.iter().map(|e| e.key.clone()).collect(),
                _ => Vec::new(),
            }
        };
        assert_eq!(keys(&parent, &["global", "x"]), ["dist", "mean", "sd"]);
        assert_eq!(float_at(&parent, &["global", "s"]), 4.0);
        assert_eq!(keys(&parent, &["global", "t"]), ["csv", "column"]);
        assert_eq!(keys(&parent, &["linkages", "sourcing"]), ["manufacturing"]);

        // A table without `dist` over a distribution replaces it too (and is
        // then reported as incomplete, in the child).
        let mut parent = table("x = { dist = \"uniform\", min = 1, max = 3 }\n");
        merge_tables(&mut parent, table("x = { max = 4 }\n"), "", &RULES);
        assert_eq!(keys(&parent, &["x"]), ["max"]);
    }

    #[test]
    fn replaced_lists_of_tables_are_reported() {
        let mut parent = table(
            "[[committed_investments]]\nzone = \"a\"\n[[committed_investments]]\nzone = \"b\"\n\
             [outputs]\nquantiles = [0.1, 0.5]\n",
        );
        let child =
            table("[[committed_investments]]\nzone = \"c\"\n[outputs]\nquantiles = [0.5]\n");
        let replaced = merge_tables(&mut parent, child, "", &RULES);
        // Lists of numbers are settings, replaced silently.
        assert_eq!(replaced.len(), 1);
        assert_eq!(replaced[0].key_path, "committed_investments");
        assert_eq!(
            (replaced[0].inherited, replaced[0].replacement),
            (2, Some(1))
        );
        // Zones merge by id: nothing is replaced.
        let mut parent = table("[[zones]]\nid = \"a\"\n");
        assert!(merge_tables(&mut parent, table("[[zones]]\nid = \"b\"\n"), "", &RULES).is_empty());
    }

    #[test]
    fn merged_values_remember_their_file() {
        let mut sources = SourceMap::default();
        let p = sources.add("p.toml".into(), "[global]\na = 1.0\nb = 1.0\n".into());
        let c = sources.add("c.toml".into(), "[global]\nb = 2.0\n".into());
        let mut parent = parse(&sources, p).unwrap();
        merge_tables(&mut parent, parse(&sources, c).unwrap(), "", &RULES);
        let Value::Table(g) = &parent.get("global").unwrap().value.value else {
            panic!()
        };
        assert_eq!(g.get("a").unwrap().value.origin.file, p);
        assert_eq!(g.get("b").unwrap().value.origin.file, c);
    }
}

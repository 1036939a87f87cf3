//! The rule every command's output follows: what a target resolves to,
//! what is there, and whether sezsim may replace it (see the module docs of
//! [`super`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::writer::is_temporary;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::Error;

/// Every name sezsim writes at the top of its result folders: a run
/// folder, a run shard, a comparison, a sweep and a sweep point, a
/// sensitivity analysis and its shards. A result
/// folder holding any other name (a user's notes) is never replaced. A new
/// kind of output adds its names here (`tests/out_safety.rs` runs every
/// command and checks that each name it writes is listed).
pub const SEZSIM_NAMES: &[&str] = &[
    // A run folder (`run`, `merge`, each scenario of `compare`).
    "summary.csv",
    "scalars.csv",
    "manifest.json",
    "report.md",
    crate::output::html::REPORT_HTML,
    crate::output::xlsx::RESULTS_XLSX,
    "fan.csv",
    "reservoir.csv",
    "replications.csv",
    "intervals.csv",
    CHARTS,
    // A run shard (`run --shard`).
    "partial.bin",
    // A comparison (`compare`).
    "compare.csv",
    "compare.md",
    "cost_effectiveness.csv",
    // A sweep (`sweep`, `merge` of sweep shards) and its points.
    "points.csv",
    "sweep.json",
    POINTS,
    "point.csv",
    "point.json",
    // A sensitivity analysis (`sensitivity`, `merge` of its shards) and
    // its shards.
    "sobol.csv",
    "sobol_s2.csv",
    "morris.csv",
    "sensitivity.bin",
];

/// The charts folder: PNG and SVG files only.
const CHARTS: &str = crate::output::charts::CHARTS_DIR;
/// A sweep's point folders, named by number (`0001`).
const POINTS: &str = "points";
/// The manifest that marks a sweep folder as sezsim's.
const SWEEP_MANIFEST: &str = "sweep.json";
/// The manifest that marks any other result folder as sezsim's.
const MANIFEST: &str = crate::output::charts::data::MANIFEST;
/// A manifest larger than this is not one of ours (ours are a few KB).
const MANIFEST_MAX_BYTES: u64 = 16 << 20;

/// What a command writes at its target, which decides what it may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A result folder (run, shard, merge, comparison, sweep point):
    /// replaces any sezsim result folder.
    Results,
    /// A sweep folder, resumed in place: accepts a sweep folder, refuses the
    /// results of other commands.
    Sweep,
    /// The `charts/` folder of a run folder (`sezsim plot`): PNG and SVG
    /// files only.
    Charts,
}

/// What is at a target that may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing: it is created.
    Missing,
    /// An empty folder (or one holding only sezsim's temporaries).
    Empty,
    /// A folder sezsim wrote, of the kind expected.
    Ours,
}

/// Check the folder target `given` against the rule (see the module docs):
/// the path it resolves to (symbolic links followed) and what is there.
pub fn check_folder(given: &Path, output: Output) -> Result<(PathBuf, Found), Error> {
    let path = resolve(given, output)?;
    let found = inspect(&path, output)?;
    Ok((path, found))
}

/// The path `given` resolves to, its symbolic links followed; refused when
/// it is `/`, its last part is `.` or `..`, or it is the current folder or
/// one of its parents.
pub fn resolve(given: &Path, output: Output) -> Result<PathBuf, Error> {
    let mut path = given.to_path_buf();
    for _ in 0..40 {
        if let Some(why) = names_no_folder_of_its_own(&path) {
            return Err(refuse(
                format!("`{}` {why}", given.display()),
                new_folder_help(output),
            ));
        }
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&path).map_err(|e| Error::io(&path, e))?;
                path = parent_of(&path).join(to);
            }
            _ => {
                refuse_working_folder(given, &path, output)?;
                return Ok(path);
            }
        }
    }
    Err(refuse(
        format!("`{}`: too many levels of symbolic links", given.display()),
        new_folder_help(output),
    ))
}

/// What is at the resolved folder target `path`, for `output`; refused when
/// it is not a folder, or holds files sezsim did not write.
pub fn inspect(path: &Path, output: Output) -> Result<Found, Error> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Err(inside_a_file(path)),
        Err(e) => return Err(Error::io(path, e)),
    };
    if !meta.is_dir() {
        return Err(refuse(
            format!(
                "`{}` is {}, not a folder",
                path.display(),
                describe(&meta.file_type())
            ),
            match output {
                Output::Charts => "move it away, then run `sezsim plot` again".to_string(),
                _ => "--out names a folder, which sezsim fills with several files: choose another"
                    .to_string(),
            },
        ));
    }
    let io_err = |e| Error::io(path, e);
    if entries(path).map_err(io_err)?.is_empty() {
        return Ok(Found::Empty);
    }
    let mut foreign = Vec::new();
    match output {
        Output::Charts => chart_files(path, "", &mut foreign).map_err(io_err)?,
        Output::Results | Output::Sweep => match recognise(path).map_err(io_err)? {
            None => {
                let mut names = entries(path).map_err(io_err)?;
                names.sort();
                return Err(refuse(
                    format!(
                        "`{}` is not a sezsim result folder (it has no manifest.json or sweep.json written by sezsim) and holds files sezsim did not write ({})",
                        path.display(),
                        list(&names)
                    ),
                    foreign_help(output),
                ));
            }
            Some(Kind::Results) if output == Output::Sweep => {
                return Err(refuse(
                    format!(
                        "`{}` holds the results of a run or comparison (its manifest.json), not a sweep",
                        path.display()
                    ),
                    "choose another --out for the sweep (by default a sweep writes output/<sweep name>)",
                ));
            }
            Some(_) => ours(path, "", output == Output::Results, &mut foreign).map_err(io_err)?,
        },
    }
    if foreign.is_empty() {
        Ok(Found::Ours)
    } else {
        foreign.sort();
        Err(refuse(
            format!(
                "`{}` holds files sezsim did not write ({})",
                path.display(),
                list(&foreign)
            ),
            foreign_help(output),
        ))
    }
}

/// Check the file target `given` (`sample --out FILE`, `--emit-slurm FILE`):
/// the path it resolves to, its symbolic links followed. Only a regular
/// file is replaced; a folder, a device, a FIFO or a socket is refused.
pub fn check_file(given: &Path) -> Result<PathBuf, Error> {
    let text = given.as_os_str().as_encoded_bytes();
    if text
        .last()
        .is_some_and(|&b| std::path::is_separator(b as char))
    {
        return Err(refuse(
            format!("`{}` ends in a separator: name a file", given.display()),
            "give a file name, e.g. --out draws.csv",
        ));
    }
    let path = resolve(given, Output::Results)?;
    match fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(path),
        Ok(m) => Err(refuse(
            format!(
                "`{}` is {}, not a regular file: sezsim replaces only regular files",
                path.display(),
                describe(&m.file_type())
            ),
            "choose a file name that is free or names a regular file",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Err(inside_a_file(&path)),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// `path` lies below a file (`notes.txt/run`).
fn inside_a_file(path: &Path) -> Error {
    refuse(
        format!(
            "`{}` lies inside a file, not a folder: one of its parents is a file",
            path.display()
        ),
        "choose a path whose parents are folders",
    )
}

/// Whether `dir` is a run folder sezsim wrote: its `manifest.json` says
/// `"tool": "sezsim"`.
pub fn is_sezsim_run_folder(dir: &Path) -> bool {
    written_by_sezsim(&dir.join(MANIFEST))
}

/// The folder a path lies in (`.` for a bare name).
pub(crate) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Why the empty path, `/`, and a path whose last part is `.` or `..`
/// (which `Path::components` would hide) name no folder of their own.
fn names_no_folder_of_its_own(path: &Path) -> Option<&'static str> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let is_sep = |b: &u8| std::path::is_separator(*b as char);
    let end = bytes.iter().rposition(|b| !is_sep(b)).map_or(0, |i| i + 1);
    let trimmed = &bytes[..end];
    let last = trimmed.rsplit(is_sep).next().unwrap_or_default();
    if bytes.is_empty() {
        Some("is empty: name a folder")
    } else if trimmed.is_empty() {
        Some("is the root folder: sezsim will not replace it")
    } else if trimmed == b"." {
        Some("is the current folder: sezsim will not replace it")
    } else if last == b"." || last == b".." {
        Some("ends in `.` or `..`: sezsim will not replace a folder named that way")
    } else {
        None
    }
}

/// Refuse `path` if it is the current folder or one of its parents
/// (replacing it would pull the floor from under the user's shell).
fn refuse_working_folder(given: &Path, path: &Path, output: Output) -> Result<(), Error> {
    let Ok(target) = fs::canonicalize(path) else {
        return Ok(());
    };
    let cwd = std::env::current_dir().and_then(fs::canonicalize);
    let contains_cwd = match &cwd {
        Ok(cwd) => cwd.ancestors().any(|a| a == target),
        Err(_) => target.parent().is_none(),
    };
    if contains_cwd {
        return Err(refuse(
            format!(
                "`{}` is the current folder or one of its parents: sezsim will not replace it",
                given.display()
            ),
            new_folder_help(output),
        ));
    }
    Ok(())
}

fn new_folder_help(output: Output) -> String {
    match output {
        Output::Charts => {
            "give the run folder `sezsim run` wrote, e.g. output/cpec_baseline".into()
        }
        _ => "give the output its own folder, e.g. --out output/run1".into(),
    }
}

fn foreign_help(output: Output) -> String {
    match output {
        Output::Charts => "move them out of charts/, then run `sezsim plot` again".into(),
        _ => "choose another --out, or move them".into(),
    }
}

/// A user-facing name for what a file type is.
fn describe(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_file() {
        "a file"
    } else {
        "not a regular file"
    }
}

/// At most six names, then how many more.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(", and {} more", names.len() - SHOWN));
    }
    text
}

fn refuse(message: String, help: impl Into<String>) -> Error {
    Error::Input(Diagnostics::from(Diagnostic::new(message).help(help)))
}

/// The names in `dir`, sezsim's temporaries left out.
fn entries(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !is_temporary(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// What marks a folder as sezsim's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `sweep.json` written by sezsim.
    Sweep,
    /// `manifest.json` written by sezsim: a run, shard or comparison.
    Results,
    /// A sweep interrupted before its first `sweep.json`: only `points/`,
    /// holding point folders.
    UnfinishedSweep,
}

fn recognise(dir: &Path) -> io::Result<Option<Kind>> {
    if written_by_sezsim(&dir.join(SWEEP_MANIFEST)) {
        return Ok(Some(Kind::Sweep));
    }
    if written_by_sezsim(&dir.join(MANIFEST)) {
        return Ok(Some(Kind::Results));
    }
    let points = dir.join(POINTS);
    if entries(dir)? == [POINTS] && points.is_dir() {
        let numbered = entries(&points)?
            .iter()
            .all(|n| is_point_number(n) && points.join(n).is_dir());
        if numbered {
            return Ok(Some(Kind::UnfinishedSweep));
        }
    }
    Ok(None)
}

/// Whether `file` is a JSON object whose `tool` is `"sezsim"`
/// ([`manifest::TOOL`](crate::output::manifest::TOOL)).
pub(crate) fn written_by_sezsim(file: &Path) -> bool {
    let small = fs::metadata(file).is_ok_and(|m| m.is_file() && m.len() <= MANIFEST_MAX_BYTES);
    small
        && fs::read_to_string(file)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|v| {
                v.get("tool").and_then(|t| t.as_str()) == Some(crate::output::manifest::TOOL)
            })
}

pub(super) fn is_point_number(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

/// Add to `foreign` (as `prefix` + name) every entry of the sezsim folder
/// `dir` sezsim does not write. With `deep`, point folders are checked
/// too (a sweep resumed in place checks each point when it replaces it).
fn ours(dir: &Path, prefix: &str, deep: bool, foreign: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temporary(&name) {
            continue;
        }
        let is_dir = entry.file_type()?.is_dir();
        let path = entry.path();
        let inner = format!("{prefix}{name}/");
        let known = match name.as_str() {
            CHARTS if is_dir => {
                chart_files(&path, &inner, foreign)?;
                true
            }
            POINTS if is_dir => {
                point_folders(&path, &inner, deep, foreign)?;
                true
            }
            CHARTS | POINTS => false,
            n if SEZSIM_NAMES.contains(&n) => !is_dir,
            // A sub-folder that is itself a result (a comparison's run
            // folders).
            _ if is_dir && recognise(&path)?.is_some() => {
                ours(&path, &inner, deep, foreign)?;
                true
            }
            _ => false,
        };
        if !known {
            foreign.push(format!("{prefix}{name}"));
        }
    }
    Ok(())
}

/// The entries of a `charts/` folder that are not PNG or SVG files.
fn chart_files(dir: &Path, prefix: &str, foreign: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let chart = entry.file_type()?.is_file()
            && Path::new(&name)
                .extension()
                .is_some_and(|e| e == "png" || e == "svg");
        if !chart && !is_temporary(&name) {
            foreign.push(format!("{prefix}{name}"));
        }
    }
    Ok(())
}

/// The entries of a `points/` folder that are not point folders.
fn point_folders(
    dir: &Path,
    prefix: &str,
    deep: bool,
    foreign: &mut Vec<String>,
) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temporary(&name) {
            continue;
        }
        let path = entry.path();
        let point = is_point_number(&name)
            && entry.file_type()?.is_dir()
            && (!deep || recognise(&path)? == Some(Kind::Results));
        if point && deep {
            ours(&path, &format!("{prefix}{name}/"), deep, foreign)?;
        }
        if !point {
            foreign.push(format!("{prefix}{name}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::write;
    use super::*;

    const OURS: &str = "{\"tool\": \"sezsim\"}\n";

    fn message(e: Error) -> String {
        assert!(e.is_input_error(), "{e}");
        e.to_string()
    }

    #[test]
    fn targets_are_created_replaced_or_refused_by_what_they_hold() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let check = |name: &str, output| check_folder(&d.join(name), output);

        assert_eq!(check("new", Output::Results).unwrap().1, Found::Missing);
        fs::create_dir(d.join("empty")).unwrap();
        assert_eq!(check("empty", Output::Results).unwrap().1, Found::Empty);

        write(&d.join("run/manifest.json"), OURS);
        write(&d.join("run/summary.csv"), "x");
        write(&d.join("run/charts/fan_exports.png"), "x");
        write(&d.join("run/.summary.csv.tmp-12"), "x");
        assert_eq!(check("run", Output::Results).unwrap().1, Found::Ours);
        // A run is not a sweep.
        let e = message(check("run", Output::Sweep).unwrap_err());
        assert!(e.contains("not a sweep"), "{e}");

        // A comparison: run folders inside.
        write(&d.join("cmp/manifest.json"), OURS);
        write(&d.join("cmp/compare.csv"), "x");
        write(&d.join("cmp/base/manifest.json"), OURS);
        write(&d.join("cmp/base/summary.csv"), "x");
        assert_eq!(check("cmp", Output::Results).unwrap().1, Found::Ours);

        // A user's note in a result folder, in its charts, in a sub-result.
        for (folder, note) in [
            ("run", "notes.txt"),
            ("run", "charts/notes.txt"),
            ("cmp", "base/notes.txt"),
        ] {
            write(&d.join(folder).join(note), "mine");
            let e = message(check(folder, Output::Results).unwrap_err());
            assert!(
                e.contains("holds files sezsim did not write") && e.contains(note),
                "{e}"
            );
            assert!(e.contains("choose another --out, or move them"), "{e}");
            fs::remove_file(d.join(folder).join(note)).unwrap();
        }

        // A folder without a manifest of ours, and a manifest of another tool.
        write(&d.join("data/a.csv"), "x");
        write(&d.join("other/manifest.json"), "{\"tool\": \"other\"}");
        for folder in ["data", "other"] {
            let e = message(check(folder, Output::Results).unwrap_err());
            assert!(e.contains("is not a sezsim result folder"), "{e}");
        }

        // A file, and a path below it.
        write(&d.join("file"), "x");
        let e = message(check("file", Output::Results).unwrap_err());
        assert!(e.contains("is a file, not a folder"), "{e}");
        let e = message(check("file/run", Output::Results).unwrap_err());
        assert!(e.contains("lies inside a file"), "{e}");
        let e = message(check_file(&d.join("file/draws.csv")).unwrap_err());
        assert!(e.contains("lies inside a file"), "{e}");
    }

    #[test]
    fn sweeps_resume_their_own_folders_even_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(&d.join("sw/points/0001/manifest.json"), OURS);
        write(&d.join("sw/points/.0002.tmp-7/summary.csv"), "x");
        // Interrupted before its first sweep.json: only points/.
        assert_eq!(
            check_folder(&d.join("sw"), Output::Sweep).unwrap().1,
            Found::Ours
        );
        write(&d.join("sw/sweep.json"), OURS);
        write(&d.join("sw/points.csv"), "x");
        assert_eq!(
            check_folder(&d.join("sw"), Output::Sweep).unwrap().1,
            Found::Ours
        );
        write(&d.join("sw/points/readme"), "x");
        let e = message(check_folder(&d.join("sw"), Output::Sweep).unwrap_err());
        assert!(e.contains("points/readme"), "{e}");
    }

    #[test]
    fn charts_folders_hold_pictures_only() {
        let dir = tempfile::tempdir().unwrap();
        let charts = dir.path().join("charts");
        write(&charts.join("a.png"), "x");
        write(&charts.join("a.svg"), "x");
        assert_eq!(
            check_folder(&charts, Output::Charts).unwrap().1,
            Found::Ours
        );
        write(&charts.join("a.pdf"), "x");
        let e = message(check_folder(&charts, Output::Charts).unwrap_err());
        assert!(e.contains("a.pdf") && e.contains("sezsim plot"), "{e}");
    }

    #[test]
    fn the_root_dots_and_the_working_folder_are_refused() {
        for p in ["/", ".", "..", "a/.", "a/..", "a/./", "./"] {
            let e = message(check_folder(Path::new(p), Output::Results).unwrap_err());
            assert!(e.contains("sezsim will not replace"), "{p}: {e}");
        }
        let e = message(check_folder(Path::new(""), Output::Results).unwrap_err());
        assert!(e.contains("is empty"), "{e}");
        let cwd = std::env::current_dir().unwrap();
        for p in [cwd.clone(), cwd.parent().unwrap().to_path_buf()] {
            let e = message(check_folder(&p, Output::Results).unwrap_err());
            assert!(
                e.contains("the current folder or one of its parents"),
                "{e}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_followed_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("real")).unwrap();
        std::os::unix::fs::symlink("real", d.join("link")).unwrap();
        let (path, found) = check_folder(&d.join("link"), Output::Results).unwrap();
        assert_eq!((path, found), (d.join("real"), Found::Empty));
        // A link to the working folder is refused like the folder.
        std::os::unix::fs::symlink(std::env::current_dir().unwrap(), d.join("here")).unwrap();
        assert!(check_folder(&d.join("here"), Output::Results).is_err());
        // A file target through a link.
        fs::write(d.join("draws.csv"), "x").unwrap();
        std::os::unix::fs::symlink("draws.csv", d.join("draws")).unwrap();
        assert_eq!(check_file(&d.join("draws")).unwrap(), d.join("draws.csv"));
    }

    #[test]
    fn file_targets_replace_only_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(check_file(&d.join("new.csv")).is_ok());
        fs::write(d.join("old.csv"), "x").unwrap();
        assert!(check_file(&d.join("old.csv")).is_ok());
        let e = message(check_file(d).unwrap_err());
        assert!(e.contains("is a folder, not a regular file"), "{e}");
        let e = message(check_file(&d.join("sub/")).unwrap_err());
        assert!(e.contains("ends in a separator"), "{e}");
        #[cfg(unix)]
        {
            let e = message(check_file(Path::new("/dev/null")).unwrap_err());
            assert!(e.contains("is a device"), "{e}");
        }
    }
}

//! Where sezsim may write, and how it replaces what is there: the rule
//! every command's output follows (`--out`), the temporaries writers work
//! in, their locks, and the atomic exchange of a finished folder.
//!
//! # The rule
//!
//! A target that does not exist is created. An empty folder, or a folder
//! sezsim wrote, is replaced whole and atomically. A folder counts as
//! sezsim's when its `manifest.json` or `sweep.json` says
//! `"tool": "sezsim"` and every entry in it is one sezsim writes
//! ([`SEZSIM_NAMES`], a sub-folder that is itself a sezsim result, `charts/`
//! holding PNG and SVG files, `points/` holding point folders, and sezsim's
//! own temporaries); a sweep folder interrupted before its first
//! `sweep.json` (only `points/`) counts too. Anything else is refused with
//! an input error that says why and what to do: a file, a device, a FIFO, a
//! folder holding files sezsim did not write, `/`, a path whose last part is
//! `.` or `..`, the current folder and its parents. A symbolic link is
//! followed, so the user's link is never replaced, only what it points to.
//! [`check_folder`] applies the rule; [`check_file`] is its twin for
//! single files (`sample --out`), which replaces only a regular file.
//!
//! # Temporaries and writers
//!
//! A writer works in a temporary beside its target, `.NAME.tmp-PID`, and
//! holds an exclusive lock (`flock`) on its lock file `.NAME.tmp-PID.lock`
//! for its whole life (`Writer`). The lock is taken before the writer's
//! temporaries exist, and only counts once the path is checked to still
//! name the locked file, so there is no window in which a fresh temporary
//! looks abandoned. The lock, not the PID, tells the living from the dead:
//! the system releases it when a process dies, however it dies. Before
//! writing, `clear_temporaries` clears what dead writers of the same
//! target left, puts back old results a dead writer had moved aside
//! (`.NAME.tmp-PID.old`) if the target is missing, and refuses to start
//! while another writer lives: one writer per target.
//!
//! # Replacing a folder
//!
//! `replace_folder` swaps the finished folder with the target in one
//! system call (Linux `renameat2(RENAME_EXCHANGE)`, macOS
//! `renameatx_np(RENAME_SWAP)`), so the target always holds either the old
//! or the new results; the temporary then holds the old ones and is
//! removed. Where the file system cannot exchange (some network and FUSE
//! file systems, other systems), the old folder is moved aside and the new
//! one renamed in: a process killed between the two renames leaves no
//! target, and the next writer puts the old results back.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::Error;

/// Every name sezsim writes at the top of its result folders: a run
/// folder, a run shard, a comparison, a sweep and a sweep point. A result
/// folder holding any other name (a user's notes) is never replaced. A new
/// kind of output adds its names here (`tests/out_safety.rs` runs every
/// command and checks that each name it writes is listed).
pub const SEZSIM_NAMES: &[&str] = &[
    // A run folder (`run`, `merge`, each scenario of `compare`).
    "summary.csv",
    "scalars.csv",
    "manifest.json",
    "report.md",
    "fan.csv",
    "reservoir.csv",
    "replications.csv",
    CHARTS,
    // A run shard (`run --shard`).
    "partial.bin",
    // A comparison (`compare`).
    "compare.csv",
    "compare.md",
    // A sweep (`sweep`, `merge` of sweep shards) and its points.
    "points.csv",
    "sweep.json",
    POINTS,
    "point.csv",
    "point.json",
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

/// Whether `file` is a JSON object whose `tool` is `"sezsim"`.
fn written_by_sezsim(file: &Path) -> bool {
    let small = fs::metadata(file).is_ok_and(|m| m.is_file() && m.len() <= MANIFEST_MAX_BYTES);
    small
        && fs::read_to_string(file)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|v| v.get("tool").and_then(|t| t.as_str()) == Some("sezsim"))
}

fn is_point_number(name: &str) -> bool {
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

// ---------------------------------------------------------------------
// Writers, their temporaries and their locks.

/// The work folder (or file) of writer `pid` of `target`: `.NAME.tmp-PID`
/// beside it.
pub(crate) fn temporary_for(target: &Path, pid: u32) -> PathBuf {
    beside(target, pid, "")
}

/// Where writer `pid` moves `target`'s old results while it renames its
/// new ones in, where the file system cannot exchange them.
pub(crate) fn aside_for(target: &Path, pid: u32) -> PathBuf {
    beside(target, pid, ".old")
}

/// The lock file of writer `pid` of `target`.
fn lock_file_for(target: &Path, pid: u32) -> PathBuf {
    beside(target, pid, ".lock")
}

fn beside(target: &Path, pid: u32, suffix: &str) -> PathBuf {
    target.with_file_name(format!(".{}.tmp-{pid}{suffix}", file_name(target)))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A temporary's parts: the target's name and the writer's PID.
fn temporary_parts(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix('.')?;
    let at = rest.rfind(".tmp-")?;
    let (target, tail) = (&rest[..at], &rest[at + ".tmp-".len()..]);
    let digits = [".old", ".lock"]
        .iter()
        .find_map(|suffix| tail.strip_suffix(suffix))
        .unwrap_or(tail);
    if target.is_empty() || !is_point_number(digits) {
        return None;
    }
    Some((target, digits.parse().ok()?))
}

/// Whether `name` is one of sezsim's temporaries (of any target).
pub(crate) fn is_temporary(name: &str) -> bool {
    temporary_parts(name).is_some()
}

/// The writer of a target: it holds the exclusive lock of its lock file
/// `.NAME.tmp-PID.lock` beside the target for as long as it lives, and its
/// temporaries (`.NAME.tmp-PID`, `.NAME.tmp-PID.old`) live and die with
/// it. A lock file, not a lock on the work folder: on NFS an exclusive lock
/// needs a file open for writing, which a folder cannot be.
#[derive(Debug)]
pub(crate) struct Writer {
    /// Held, never read: the lock lasts as long as the handle.
    _lock: File,
    path: PathBuf,
}

impl Writer {
    /// Become the writer of `target` (whose folder exists): lock a fresh
    /// lock file. A leftover of a dead process with the same PID is taken
    /// over; should another process lock the fresh file before we do (one
    /// clearing what it took for a dead writer's), we start again.
    pub(crate) fn start(target: &Path) -> Result<Writer, Error> {
        Self::start_as(target, std::process::id())
    }

    fn start_as(target: &Path, pid: u32) -> Result<Writer, Error> {
        const ATTEMPTS: u32 = 500;
        let path = lock_file_for(target, pid);
        let io_err = |e| Error::io(&path, e);
        for _ in 0..ATTEMPTS {
            let made = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path);
            let claim = match made {
                Ok(file) => lock(file, &path).map_err(io_err)?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    claim(&path).map_err(io_err)?
                }
                Err(e) => return Err(io_err(e)),
            };
            match claim {
                Claim::Taken(lock) => {
                    // A dead writer with our PID may have left work behind.
                    clean_up_after(target, pid)?;
                    return Ok(Writer { _lock: lock, path });
                }
                Claim::Held | Claim::Gone => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        // Held all along: a process with our PID on another machine
        // writing the same target over a network file system.
        Err(busy(pid, target))
    }
}

impl Drop for Writer {
    /// The lock file goes while still locked, so no one can take it for a
    /// dead writer's in between; the lock goes with the file handle.
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The outcome of trying to lock an existing lock file.
enum Claim {
    /// Locked by us now: its writer is dead (or never got to lock it).
    Taken(File),
    /// Locked by a living writer.
    Held,
    /// Gone (removed meanwhile).
    Gone,
}

/// Lock `file`, opened at `path`, if no one else holds it and `path`
/// still names it.
fn lock(file: File, path: &Path) -> io::Result<Claim> {
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => return Ok(Claim::Held),
        Err(fs::TryLockError::Error(e)) => return Err(e),
    }
    if same_entry(&file, path)? {
        Ok(Claim::Taken(file))
    } else {
        Ok(Claim::Gone)
    }
}

/// Try to lock the existing lock file `path`.
fn claim(path: &Path) -> io::Result<Claim> {
    match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => lock(file, path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Claim::Gone),
        Err(e) => Err(e),
    }
}

/// Whether `path` still names the file `file` was opened from.
fn same_entry(file: &File, path: &Path) -> io::Result<bool> {
    let now = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let locked = file.metadata()?;
        Ok(locked.dev() == now.dev() && locked.ino() == now.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (file, now);
        Ok(true)
    }
}

/// Remove the temporary `path`, folder or file; what cannot be removed
/// stays for the next writer to try again.
pub(crate) fn remove(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Clear what the dead writer `pid` left beside `target`: its old results
/// go back in place if `target` is missing (else they go), and its work
/// goes. The caller holds the writer's lock file.
fn clean_up_after(target: &Path, pid: u32) -> Result<(), Error> {
    let aside = aside_for(target, pid);
    if fs::symlink_metadata(&aside).is_ok() {
        if fs::symlink_metadata(target).is_err() {
            fs::rename(&aside, target).map_err(|e| Error::io(target, e))?;
        } else {
            remove(&aside);
        }
    }
    remove(&temporary_for(target, pid));
    Ok(())
}

/// Another writer is at work on `target`. A runtime error (exit code 1),
/// not an input error: the command is right, and succeeds once the other
/// writer is done.
fn busy(pid: u32, target: &Path) -> Error {
    Error::Runtime(format!(
        "another sezsim (pid {pid}) is writing {}; wait for it to finish, or choose another --out",
        target.display()
    ))
}

/// The writers (by target name and PID) with temporaries in `dir`.
fn writers_in(dir: &Path) -> Result<BTreeSet<(String, u32)>, Error> {
    let mut found = BTreeSet::new();
    let listing = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in listing {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if let Some((target, pid)) = temporary_parts(&entry.file_name().to_string_lossy()) {
            found.insert((target.to_string(), pid));
        }
    }
    Ok(found)
}

/// Whether writer `pid` of `target` lives; if it is dead, clear what it
/// left (under its lock file, taken over, so two clearers never meet).
fn alive_or_cleared(target: &Path, pid: u32) -> Result<bool, Error> {
    let path = lock_file_for(target, pid);
    let io_err = |e| Error::io(&path, e);
    let lock = match claim(&path).map_err(io_err)? {
        Claim::Held => return Ok(true),
        Claim::Taken(lock) => lock,
        // Temporaries without a lock file: their writer died between
        // removing its lock file and its work (or the work is from an
        // older sezsim). Take the lock file over to clear them.
        Claim::Gone => {
            let made = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path);
            match made {
                Ok(file) => match lock(file, &path).map_err(io_err)? {
                    Claim::Taken(lock) => lock,
                    Claim::Held | Claim::Gone => return Ok(true),
                },
                // Someone else is clearing them, or a writer just started.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(true),
                Err(e) => return Err(io_err(e)),
            }
        }
    };
    clean_up_after(target, pid)?;
    let _ = fs::remove_file(&path);
    drop(lock);
    Ok(false)
}

/// Clear the temporaries beside `target` before writing it: clear what
/// dead writers left (putting back old results one had moved aside if
/// `target` is missing), and fail if a living writer other than `mine`
/// (this process's) is writing `target`.
pub(crate) fn clear_temporaries(target: &Path, mine: Option<u32>) -> Result<(), Error> {
    let name = file_name(target);
    for (of, pid) in writers_in(&parent_of(target))? {
        if of == name && Some(pid) != mine && alive_or_cleared(target, pid)? {
            return Err(busy(pid, target));
        }
    }
    Ok(())
}

/// Clear what dead writers left in `dir`, for every target there (a
/// sweep's `points/`), putting back old results moved aside whose target
/// is missing. Living writers' temporaries are left alone.
pub(crate) fn clear_dead_temporaries_in(dir: &Path) -> Result<(), Error> {
    for (target, pid) in writers_in(dir)? {
        alive_or_cleared(&dir.join(target), pid)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------
// Replacing a folder.

/// Put the finished folder `new` in place of the folder `target`. Where
/// both exist they are exchanged in one step and the old results (now at
/// `new`) removed; where the file system cannot exchange, `target` is
/// moved to `aside` and `new` renamed in. Either way `target` is never
/// half-written. The caller is the target's [`Writer`], whose lock keeps
/// `aside` from being taken for a dead writer's.
pub(crate) fn replace_folder(new: &Path, target: &Path, aside: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return fs::rename(new, target).map_err(|e| Error::io(target, e));
        }
        Err(e) => return Err(Error::io(target, e)),
        Ok(_) => {}
    }
    match exchange(new, target) {
        Ok(()) => {
            remove(new);
            Ok(())
        }
        Err(e) if cannot_exchange(&e) => move_aside_and_rename(new, target, aside),
        Err(e) => Err(Error::io(target, e)),
    }
}

/// The two-rename replacement, where exchanging is not supported.
pub(crate) fn move_aside_and_rename(new: &Path, target: &Path, aside: &Path) -> Result<(), Error> {
    fs::rename(target, aside).map_err(|e| Error::io(target, e))?;
    if let Err(e) = fs::rename(new, target) {
        let _ = fs::rename(aside, target);
        return Err(Error::io(target, e));
    }
    remove(aside);
    Ok(())
}

/// Exchange the names `a` and `b` atomically.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Exchange the names `a` and `b` atomically: not available here.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether an exchange failed because the system or file system does not
/// offer it (rather than for a reason a plain rename would meet too).
fn cannot_exchange(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::Unsupported {
        return true;
    }
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::io::Errno;
        let errno = Errno::from_io_error(e);
        [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP, Errno::NOTSUP]
            .iter()
            .any(|x| Some(*x) == errno)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    {
        false
    }
}

/// The names in `dir`, sorted (for tests).
#[cfg(test)]
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

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

    #[test]
    fn temporary_names_parse_back() {
        assert_eq!(temporary_parts(".run.tmp-12"), Some(("run", 12)));
        assert_eq!(temporary_parts(".run.tmp-12.lock"), Some(("run", 12)));
        assert_eq!(temporary_parts(".a.tmp-1.tmp-3.old"), Some(("a.tmp-1", 3)));
        for not in [".run.tmp-", "run.tmp-1", ".tmp-1", ".run.tmp-1x", ".run"] {
            assert_eq!(temporary_parts(not), None, "{not}");
        }
        assert_eq!(
            temporary_for(Path::new("out/run"), 5),
            Path::new("out/.run.tmp-5")
        );
    }

    #[test]
    fn locks_tell_living_writers_from_dead_ones() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        // Dead writers' temporaries go: one without its lock file, one with
        // a lock file no one holds.
        fs::create_dir(dir.path().join(".run.tmp-999998")).unwrap();
        fs::create_dir(dir.path().join(".run.tmp-999999")).unwrap();
        fs::write(dir.path().join(".run.tmp-999999.lock"), "").unwrap();
        clear_temporaries(&target, None).unwrap();
        assert_eq!(names(dir.path()), Vec::<String>::new());

        // A living one (its lock held) stops a second writer.
        let writer = Writer::start_as(&target, 4242).unwrap();
        fs::create_dir(temporary_for(&target, 4242)).unwrap();
        let e = clear_temporaries(&target, None).unwrap_err();
        assert!(!e.is_input_error());
        assert!(
            e.to_string()
                .contains("another sezsim (pid 4242) is writing"),
            "{e}"
        );
        // Its own temporaries do not stop the writer.
        clear_temporaries(&target, Some(4242)).unwrap();
        assert_eq!(names(dir.path()), [".run.tmp-4242", ".run.tmp-4242.lock"]);
        // Once it is gone, what it left goes with the next writer.
        drop(writer);
        assert_eq!(names(dir.path()), [".run.tmp-4242"]);
        clear_temporaries(&target, None).unwrap();
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_writer_lets_go_of_its_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("draws.csv");
        let writer = Writer::start(&target).unwrap();
        assert_eq!(names(dir.path()).len(), 1);
        drop(writer);
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn old_results_moved_aside_by_a_dead_writer_are_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        // Killed between the two renames: the old results aside, the new
        // ones complete in the temporary, no target.
        write(&aside_for(&target, 77).join("summary.csv"), "old");
        write(&temporary_for(&target, 77).join("summary.csv"), "new");
        clear_temporaries(&target, None).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "old"
        );
        assert_eq!(names(dir.path()), ["run"]);

        // The same in a sweep's points/, for any point.
        let points = dir.path().join("points");
        write(
            &aside_for(&points.join("0003"), 5).join("point.json"),
            "old",
        );
        write(&temporary_for(&points.join("0004"), 5).join("x"), "x");
        clear_dead_temporaries_in(&points).unwrap();
        let names: Vec<String> = fs::read_dir(&points)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["0003"]);
    }

    #[test]
    fn both_replacements_swap_whole_folders() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let target = d.join("run");
        for two_renames in [false, true] {
            write(&target.join("summary.csv"), "old");
            write(&target.join("stale.csv"), "old");
            let new = temporary_for(&target, 1);
            write(&new.join("summary.csv"), "new");
            let aside = aside_for(&target, 1);
            if two_renames {
                move_aside_and_rename(&new, &target, &aside).unwrap();
            } else {
                replace_folder(&new, &target, &aside).unwrap();
            }
            assert_eq!(
                fs::read_to_string(target.join("summary.csv")).unwrap(),
                "new"
            );
            assert!(!target.join("stale.csv").exists());
            assert_eq!(fs::read_dir(d).unwrap().count(), 1, "{two_renames}");
            fs::remove_dir_all(&target).unwrap();
        }
        // A missing target is simply renamed into.
        let new = temporary_for(&target, 1);
        write(&new.join("summary.csv"), "first");
        replace_folder(&new, &target, &aside_for(&target, 1)).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "first"
        );
    }
}

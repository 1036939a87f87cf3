//! Writers, their temporaries and their locks: the names of a writer's
//! temporaries beside its target, the lock file that tells a living writer
//! from a dead one, and the clearing of what dead writers left.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::rule::{is_point_number, parent_of};
use crate::error::Error;

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
    Error::Busy {
        pid,
        target: target.to_path_buf(),
    }
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

#[cfg(test)]
mod tests {
    use super::super::{names, write};
    use super::*;

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
}

//! Replacing a folder: the finished folder and the target exchanged in one
//! system call where the file system offers it, else moved aside and
//! renamed in.

use std::fs;
use std::io;
use std::path::Path;

#[cfg(doc)]
use super::Writer;
use super::writer::remove;
use crate::error::Error;

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

#[cfg(test)]
mod tests {
    use super::super::write;
    use super::super::writer::{aside_for, temporary_for};
    use super::*;

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

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
//!
//! The files, by what they hold: `rule` (what a target is, and whether it
//! may be replaced), `writer` (writers' temporaries and locks, and the
//! clearing of what dead writers left) and `exchange` (replacing a folder).

mod exchange;
mod rule;
mod writer;

pub(crate) use exchange::replace_folder;
pub use rule::{
    Found, Output, SEZSIM_NAMES, check_file, check_folder, inspect, is_sezsim_run_folder, resolve,
};
pub(crate) use rule::{parent_of, written_by_sezsim};
pub(crate) use writer::{
    Writer, aside_for, clear_dead_temporaries_in, clear_temporaries, temporary_for,
};

#[cfg(test)]
use std::fs;
#[cfg(test)]
use std::path::Path;

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

/// Writes `text` to `path`, making its folder first (for tests).
#[cfg(test)]
fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

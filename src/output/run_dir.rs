//! A result folder, published atomically: every file is written into a
//! temporary folder beside the target, which replaces the target only when
//! complete. An interrupted or failed command leaves the previous results
//! intact, and a target sezsim did not write is never replaced (the rule and
//! the mechanism are [`crate::output::target`]'s).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::target::{self, Found, Output, Writer};

/// A result folder being written: the temporary folder `.NAME.tmp-PID`
/// beside its target, whose writer (this process) holds the target's lock
/// for as long as the value lives.
#[derive(Debug)]
pub struct PendingDir {
    /// The target, symbolic links resolved.
    target: PathBuf,
    found: Found,
    tmp: PathBuf,
    /// Released when the value is dropped, after [`Drop::drop`] removed
    /// the temporary folder.
    _writer: Writer,
}

impl PendingDir {
    /// Start writing the folder that will become `target`, a folder of kind
    /// `output`. Refuses (input error) a target that is not sezsim's to
    /// replace; fails (runtime error) while another sezsim writes it.
    /// Temporaries of dead writers of `target` are removed first, and old
    /// results one of them had moved aside are put back.
    pub fn create(target: &Path, output: Output) -> Result<Self, Error> {
        let target = target::resolve(target, output)?;
        target::clear_temporaries(&target, None)?;
        let pending = Self::claim(target, output)?;
        // A writer that started at the same moment holds its lock now: one
        // of us stops (or both; never neither).
        target::clear_temporaries(&pending.target, Some(std::process::id()))?;
        Ok(pending)
    }

    /// Start writing `target` inside a folder whose own writer `guard` keeps
    /// other writers away (a sweep's point folders, under the sweep's lock):
    /// the folder around `target` is not searched for other writers, which
    /// for a sweep of many points would cost a listing of every point.
    pub fn create_guarded(
        target: &Path,
        output: Output,
        guard: &PendingDir,
    ) -> Result<Self, Error> {
        let _ = guard;
        let target = target::resolve(target, output)?;
        Self::claim(target, output)
    }

    fn claim(target: PathBuf, output: Output) -> Result<Self, Error> {
        let found = target::inspect(&target, output)?;
        let parent = target::parent_of(&target);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let writer = Writer::start(&target)?;
        // Fresh: the writer cleared what a dead process with our PID left.
        let tmp = target::temporary_for(&target, std::process::id());
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(PendingDir {
            target,
            found,
            tmp,
            _writer: writer,
        })
    }

    /// The target, symbolic links resolved.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// What the target held when writing started.
    pub fn found(&self) -> Found {
        self.found
    }

    /// Path of `name` inside the pending folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Write a whole file into the pending folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Replace the target with the finished folder, in one step where the
    /// file system can exchange two names (see
    /// [`target`]); the old results are removed after
    /// the new ones are in place.
    pub fn publish(self) -> Result<PathBuf, Error> {
        let aside = target::aside_for(&self.target, std::process::id());
        target::replace_folder(&self.tmp, &self.target, &aside)?;
        Ok(self.target.clone())
    }

    /// For a folder resumed in place (a sweep), which the command fills
    /// directly while this pending folder stages the entries written last:
    /// replace the target's entries `names` one by one, in order, each
    /// atomically, by those staged here; an entry not staged is removed from
    /// the target. The target is created if missing.
    pub fn publish_entries(self, names: &[&str]) -> Result<PathBuf, Error> {
        std::fs::create_dir_all(&self.target).map_err(|e| Error::io(&self.target, e))?;
        for name in names {
            let staged = self.tmp.join(name);
            let current = self.target.join(name);
            // The old entry goes into the pending folder, removed with it.
            let aside = self.tmp.join(format!("{name}.old"));
            match std::fs::symlink_metadata(&staged) {
                Ok(m) if m.is_dir() => target::replace_folder(&staged, &current, &aside)?,
                Ok(_) => std::fs::rename(&staged, &current).map_err(|e| Error::io(&current, e))?,
                Err(_) => {
                    if std::fs::symlink_metadata(&current).is_ok() {
                        std::fs::rename(&current, &aside).map_err(|e| Error::io(&current, e))?;
                    }
                }
            }
        }
        Ok(self.target.clone())
    }
}

impl Drop for PendingDir {
    /// The temporary folder is removed: it holds an unpublished folder (an
    /// error or a panic), the old results after an exchange, or nothing.
    fn drop(&mut self) {
        if std::fs::symlink_metadata(&self.tmp).is_ok() {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::output::target::names;

    #[test]
    fn publish_replaces_and_abandon_keeps_the_old_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("manifest.json"), r#"{"tool": "sezsim"}"#).unwrap();
        std::fs::write(target.join("summary.csv"), "old").unwrap();

        let pending = PendingDir::create(&target, Output::Results).unwrap();
        assert_eq!(pending.found(), Found::Ours);
        pending.write("summary.csv", b"half").unwrap();
        drop(pending); // a failed run
        assert_eq!(
            std::fs::read_to_string(target.join("summary.csv")).unwrap(),
            "old"
        );
        assert_eq!(names(dir.path()), ["run"]);

        let pending = PendingDir::create(&target, Output::Results).unwrap();
        pending.write("summary.csv", b"new").unwrap();
        pending.publish().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("summary.csv")).unwrap(),
            "new"
        );
        assert!(!target.join("manifest.json").exists());
        assert_eq!(names(dir.path()), ["run"]);
    }

    #[test]
    fn a_second_writer_of_a_target_is_stopped_and_the_first_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        let first = PendingDir::create(&target, Output::Results).unwrap();
        // Within one process the lock is as exclusive as between two.
        let e = PendingDir::create(&target, Output::Results).unwrap_err();
        assert!(e.to_string().contains(&format!(
            "another sezsim (pid {}) is writing",
            std::process::id()
        )));
        first.write("summary.csv", b"first").unwrap();
        first.publish().unwrap();
        assert_eq!(names(dir.path()), ["run"]);
    }

    #[test]
    fn entries_are_replaced_one_by_one_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sweep");
        std::fs::create_dir_all(target.join("points/0001")).unwrap();
        std::fs::create_dir_all(target.join("charts")).unwrap();
        std::fs::write(target.join("charts/old.png"), "old").unwrap();
        std::fs::write(target.join("points.csv"), "old").unwrap();
        std::fs::write(target.join("sweep.json"), r#"{"tool": "sezsim"}"#).unwrap();

        let staging = PendingDir::create(&target, Output::Sweep).unwrap();
        staging.write("charts/new.png", b"new").unwrap();
        staging.write("sweep.json", b"{}").unwrap();
        staging
            .publish_entries(&["points.csv", "charts", "sweep.json"])
            .unwrap();
        assert_eq!(names(&target), ["charts", "points", "sweep.json"]);
        assert_eq!(names(&target.join("charts")), ["new.png"]);
        assert_eq!(names(dir.path()), ["sweep"]);
    }
}

//! The run folder, published atomically: every file is written into a
//! temporary folder beside the target, which replaces the target only when
//! complete. An interrupted or failed run leaves the previous results intact.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// A run folder being written.
#[derive(Debug)]
pub struct PendingDir {
    target: PathBuf,
    tmp: PathBuf,
    published: bool,
}

impl PendingDir {
    /// Start writing the folder that will become `target`.
    pub fn create(target: &Path) -> Result<Self, Error> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(PendingDir {
            target: target.to_path_buf(),
            tmp,
            published: false,
        })
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

    /// Replace the target with the finished folder. The old results are
    /// moved aside first and removed only after the new ones are in place.
    pub fn publish(mut self) -> Result<PathBuf, Error> {
        let old = self.tmp.with_file_name(format!(
            "{}.old",
            self.tmp
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.published = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

impl Drop for PendingDir {
    /// A folder never published (an error or a panic) is removed.
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_replaces_and_abandon_keeps_the_old_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("summary.csv"), "old").unwrap();

        let pending = PendingDir::create(&target).unwrap();
        pending.write("summary.csv", b"half").unwrap();
        drop(pending); // a failed run
        assert_eq!(
            std::fs::read_to_string(target.join("summary.csv")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let pending = PendingDir::create(&target).unwrap();
        pending.write("summary.csv", b"new").unwrap();
        pending.publish().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("summary.csv")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

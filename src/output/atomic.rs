//! Atomic replacement of single files (`sample --out`, `--emit-slurm`).
//!
//! Only a regular file is replaced; a folder, a device or a FIFO at the
//! path is refused (see [`target::check_file`]). The writer holds the
//! target's lock while it writes, as for a pending folder, so a later
//! writer removes the temporary file if this process dies.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::Error;
use crate::output::target::{self, Writer};

/// Write `path` through `write`, atomically: the bytes go to a temporary
/// file in the same folder, which replaces `path` only once `write`
/// succeeded and the data reached the disk. On failure the temporary file is
/// removed and any previous `path` is untouched. A symbolic link at `path`
/// is followed (the file it names is replaced, the link kept); anything but
/// a regular file there is refused with an input error.
pub fn write_file<F>(path: &Path, write: F) -> Result<(), Error>
where
    F: FnOnce(&mut dyn Write) -> Result<(), Error>,
{
    let path = target::check_file(path)?;
    let dir = target::parent_of(&path);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    target::clear_temporaries(&path, None)?;
    let _writer = Writer::start(&path)?;
    let tmp = target::temporary_for(&path, std::process::id());
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| Error::io(&tmp, e))?;
    let result = (|| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, "old").unwrap();
        let r = write_file(&path, |w| {
            w.write_all(b"partial").map_err(|e| Error::io("x", e))?;
            Err(Error::Runtime("interrupted".into()))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temporary file left behind"
        );
    }

    #[test]
    fn successful_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("x.csv");
        write_file(&path, |w| {
            w.write_all(b"new").map_err(|e| Error::io("x", e))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn folders_and_devices_are_refused_and_dead_temporaries_removed() {
        let dir = tempfile::tempdir().unwrap();
        let never = |_: &mut dyn Write| -> Result<(), Error> { panic!("nothing is written") };
        let e = write_file(dir.path(), never).unwrap_err();
        assert!(e.is_input_error(), "{e}");
        #[cfg(unix)]
        {
            let e = write_file(Path::new("/dev/null"), never).unwrap_err();
            assert!(e.to_string().contains("is a device"), "{e}");
        }
        // A temporary left by a killed writer goes with the next write.
        let path = dir.path().join("x.csv");
        std::fs::write(dir.path().join(".x.csv.tmp-999999"), "partial").unwrap();
        write_file(&path, |w| {
            w.write_all(b"new").map_err(|e| Error::io("x", e))
        })
        .unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

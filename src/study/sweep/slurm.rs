//! The Slurm submission script of a sweep (`sezsim sweep FILE
//! --emit-slurm`): a job array `--array=1-N` whose task I runs shard I/N
//! of the sweep (`$SLURM_ARRAY_TASK_ID` is passed straight to `--shard`),
//! and a merge job that runs only if every task succeeded
//! (`--dependency=afterok`). See docs/cluster.md.
//!
//! The script is a plain bash script run on the login node; it submits the
//! two jobs with `sbatch --wrap`, so no other file is needed. Every path in
//! it is absolute: the compute nodes must see the same file system. Extra
//! `sbatch` options (partition, time limit, memory) can be given through
//! the environment variable `SEZSIM_SBATCH_OPTIONS` when submitting.

use std::path::Path;

use super::Sweep;
use crate::error::Error;
use crate::study::paths::{default_sweep_dir, shards_dir};
use crate::study::shard_id::Shard;
use crate::study::slurm::absolute;

pub use crate::study::paths::default_slurm_script;
pub use crate::study::slurm::{SlurmPlan, script, shell_quote, write_script};

/// Most array tasks a script gets unless told: one per point up to this.
pub const MAX_DEFAULT_SHARDS: u32 = 64;

impl SlurmPlan {
    /// The plan of `sweep`, read from `sweep_file`: `shards` array tasks
    /// (by default one per point, at most [`MAX_DEFAULT_SHARDS`]), merged
    /// into `out` (by default `output/<sweep name>`) from shard folders in
    /// `<out>-shards`, each task with `threads` CPUs (default 1), running
    /// the `sezsim` executable. Relative paths are made absolute from the
    /// working folder, so the jobs find them wherever they start.
    pub fn new(
        sweep: &Sweep,
        sweep_file: &Path,
        out: Option<&Path>,
        shards: Option<u32>,
        threads: Option<usize>,
        sezsim: &Path,
    ) -> Result<SlurmPlan, Error> {
        let points = sweep.points.len() as u32;
        let n = shards.unwrap_or(points.min(MAX_DEFAULT_SHARDS));
        Shard::new(1, n).map_err(|e| Error::usage(format!("--shards: {e}")))?;
        let out_dir =
            absolute(out.map_or_else(|| default_sweep_dir(&sweep.spec.name), Path::to_path_buf))?;
        Ok(SlurmPlan {
            name: sweep.spec.name.clone(),
            subcommand: "sweep".into(),
            options: Vec::new(),
            sezsim: absolute(sezsim.to_path_buf())?,
            sweep_file: std::fs::canonicalize(sweep_file).map_err(|e| Error::io(sweep_file, e))?,
            shards_dir: shards_dir(&out_dir),
            out_dir,
            shards: n,
            cpus_per_task: threads.unwrap_or(1).max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A sweep of `points` grid points over the test fixture, written in
    /// `dir`, and its file.
    fn sweep(dir: &Path, points: usize) -> (Sweep, PathBuf) {
        let base = std::fs::canonicalize("tests/fixtures/full/base.toml").unwrap();
        let values: Vec<String> = (0..points)
            .map(|i| format!("{}", 0.1 + 0.8 * i as f64 / points as f64))
            .collect();
        let file = dir.join("sweep.toml");
        std::fs::write(
            &file,
            format!(
                "[sweep]\nname = \"grid\"\nbase = {:?}\nreplications = 10\ndesign = \"grid\"\n\n\
                 [[parameters]]\npath = \"global.demand_persistence\"\nvalues = [{}]\n",
                base.display().to_string(),
                values.join(", ")
            ),
        )
        .unwrap();
        let sweep = super::super::load(&file, &crate::model::builtin()).unwrap();
        (sweep, file)
    }

    /// The defaults of `--emit-slurm`: a task per point up to 64, the
    /// sweep's default folder with its shards beside it, one CPU per task;
    /// every path absolute.
    #[test]
    fn plans_default_to_a_task_per_point_and_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let (sw, file) = sweep(dir.path(), 3);
        let exe = Path::new("/opt/bin/sezsim");
        let plan = SlurmPlan::new(&sw, &file, None, None, None, exe).unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            plan,
            SlurmPlan {
                name: "grid".into(),
                subcommand: "sweep".into(),
                options: Vec::new(),
                sezsim: exe.to_path_buf(),
                sweep_file: std::fs::canonicalize(&file).unwrap(),
                shards_dir: cwd.join("output/grid-shards"),
                out_dir: cwd.join("output/grid"),
                shards: 3,
                cpus_per_task: 1,
            }
        );
        let (many, file) = sweep(dir.path(), 70);
        let plan = SlurmPlan::new(&many, &file, None, None, None, exe).unwrap();
        assert_eq!(plan.shards, MAX_DEFAULT_SHARDS);
        let plan = SlurmPlan::new(
            &sw,
            &file,
            Some(Path::new("/scratch/out")),
            Some(5),
            Some(4),
            exe,
        )
        .unwrap();
        assert_eq!(
            (
                plan.out_dir,
                plan.shards_dir,
                plan.shards,
                plan.cpus_per_task
            ),
            ("/scratch/out".into(), "/scratch/out-shards".into(), 5, 4)
        );
        let e = SlurmPlan::new(&sw, &file, None, Some(0), None, exe).unwrap_err();
        assert!(e.is_input_error());
        assert_eq!(
            e.to_string(),
            "error: --shards: the shard count N must be from 1 to 100000, got 0"
        );
    }

    /// The script is written whole, executable, and never over a folder.
    #[test]
    fn scripts_are_written_executable_and_only_over_files() {
        let dir = tempfile::tempdir().unwrap();
        let (sw, file) = sweep(dir.path(), 2);
        let plan = SlurmPlan::new(&sw, &file, None, None, None, Path::new("/bin/sezsim")).unwrap();
        let path = dir.path().join("submit.sh");
        write_script(&plan, &path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), script(&plan));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        assert!(write_script(&plan, &folder).is_err());
        assert!(folder.is_dir());
    }

    #[test]
    fn the_script_submits_an_array_and_a_dependent_merge() {
        let plan = SlurmPlan {
            name: "grid".into(),
            subcommand: "sweep".into(),
            options: Vec::new(),
            sezsim: "/opt/bin/sezsim".into(),
            sweep_file: "/home/a b/sweep.toml".into(),
            shards_dir: "/scratch/grid-shards".into(),
            out_dir: "/scratch/it's".into(),
            shards: 7,
            cpus_per_task: 2,
        };
        let s = script(&plan);
        assert!(s.starts_with("#!/bin/bash\n"));
        assert!(s.contains("--array=\"1-$N\""));
        assert!(s.contains("N=7\n"));
        assert!(s.contains("--dependency=\"afterok:$array\""));
        assert!(s.contains("--shard \\\"\\$SLURM_ARRAY_TASK_ID/$N\\\""));
        assert!(s.contains("SWEEP='/home/a b/sweep.toml'\n"));
        assert!(s.contains(r"OUT='/scratch/it'\''s'"));
    }
}

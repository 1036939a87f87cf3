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

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Sweep;
use crate::error::Error;
use crate::output::atomic;
use crate::study::paths::{default_sweep_dir, shards_dir};
use crate::study::shard_id::Shard;

pub use crate::study::paths::default_slurm_script;

/// Most array tasks a script gets unless told: one per point up to this.
pub const MAX_DEFAULT_SHARDS: u32 = 64;

/// What the script runs, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlurmPlan {
    /// The sweep's name (job names).
    pub name: String,
    /// The `sezsim` executable the jobs run (absolute).
    pub sezsim: PathBuf,
    /// The sweep file (absolute).
    pub sweep_file: PathBuf,
    /// Folder of the shard folders `I-of-N` and the jobs' logs (absolute).
    pub shards_dir: PathBuf,
    /// The merged sweep folder (absolute).
    pub out_dir: PathBuf,
    /// N: array tasks, one shard each.
    pub shards: u32,
    /// CPUs per task, and `--threads` of each shard.
    pub cpus_per_task: usize,
}

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
            sezsim: absolute(sezsim.to_path_buf())?,
            sweep_file: std::fs::canonicalize(sweep_file).map_err(|e| Error::io(sweep_file, e))?,
            shards_dir: shards_dir(&out_dir),
            out_dir,
            shards: n,
            cpus_per_task: threads.unwrap_or(1).max(1),
        })
    }
}

/// `path`, made absolute from the working folder when relative.
fn absolute(path: PathBuf) -> Result<PathBuf, Error> {
    if path.is_absolute() {
        Ok(path)
    } else {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        Ok(cwd.join(path))
    }
}

/// Write the submission script of `plan` to `path` (atomically; only a
/// regular file is replaced), executable by its owner and readable by all.
pub fn write_script(plan: &SlurmPlan, path: &Path) -> Result<(), Error> {
    let text = script(plan);
    atomic::write_file(path, |w| {
        w.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The script runs as `bash FILE` all the same: a file system that
        // refuses the mode loses nothing.
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
    }
    Ok(())
}

/// Single-quoted for the shell (POSIX sh and bash alike).
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The submission script of `plan`.
pub fn script(plan: &SlurmPlan) -> String {
    let q = |p: &PathBuf| shell_quote(&p.display().to_string());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "#!/bin/bash
# Submits sweep `{name}` to Slurm: a job array of {n} tasks, task I running
# shard I/{n}, then a merge job that starts only if every task succeeded.
# Written by `sezsim sweep --emit-slurm`. Submit from a login node with:
#
#   bash THIS_FILE
#
# Extra sbatch options for both jobs (partition, time, memory), e.g.:
#
#   SEZSIM_SBATCH_OPTIONS='--partition=short --time=02:00:00' bash THIS_FILE
#
# A failed task cancels the merge; submitting again reruns the shards, which
# keep their finished points. Paths are absolute: compute nodes must see
# this file system.
set -euo pipefail

SEZSIM={sezsim}
SWEEP={sweep}
SHARDS={shards}
OUT={out}
N={n}
CPUS={cpus}
read -r -a EXTRA <<< \"${{SEZSIM_SBATCH_OPTIONS:-}}\"

mkdir -p \"$SHARDS/logs\"
# %q quotes for the job's /bin/sh: paths with spaces survive.
shard_cmd=\"$(printf '%q' \"$SEZSIM\") sweep $(printf '%q' \"$SWEEP\") --shard \\\"\\$SLURM_ARRAY_TASK_ID/$N\\\" --threads $CPUS -q --out $(printf '%q' \"$SHARDS\")/\\\"\\$SLURM_ARRAY_TASK_ID-of-$N\\\"\"
merge_cmd=\"$(printf '%q' \"$SEZSIM\") merge\"
for i in $(seq 1 \"$N\"); do
  merge_cmd+=\" $(printf '%q' \"$SHARDS/$i-of-$N\")\"
done
merge_cmd+=\" -q --out $(printf '%q' \"$OUT\")\"

array=$(sbatch --parsable \"${{EXTRA[@]}}\" --job-name={job} --array=\"1-$N\" \\
  --cpus-per-task=\"$CPUS\" --output=\"$SHARDS/logs/shard-%a.out\" --wrap=\"$shard_cmd\")
array=${{array%%;*}}
merge=$(sbatch --parsable \"${{EXTRA[@]}}\" --job-name={job_merge} --dependency=\"afterok:$array\" \\
  --kill-on-invalid-dep=yes --cpus-per-task=1 --output=\"$SHARDS/logs/merge.out\" --wrap=\"$merge_cmd\")
merge=${{merge%%;*}}
echo \"submitted shards: job array $array (1-$N); merge: job $merge -> $OUT\"",
        name = plan.name,
        n = plan.shards,
        sezsim = q(&plan.sezsim),
        sweep = q(&plan.sweep_file),
        shards = q(&plan.shards_dir),
        out = q(&plan.out_dir),
        cpus = plan.cpus_per_task,
        job = shell_quote(&format!("sezsim-{}", plan.name)),
        job_merge = shell_quote(&format!("sezsim-{}-merge", plan.name)),
    );
    s
}

#[cfg(test)]
mod tests {
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

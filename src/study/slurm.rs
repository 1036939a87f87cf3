//! The Slurm submission script of a sharded command (`sezsim sweep FILE
//! --emit-slurm`, `sezsim sensitivity FILE --emit-slurm`): a job array
//! `--array=1-N` whose task I runs shard I/N of the command
//! (`$SLURM_ARRAY_TASK_ID` is passed straight to `--shard`), and a merge
//! job that runs only if every task succeeded (`--dependency=afterok`).
//! See docs/cluster.md.
//!
//! The script is a plain bash script run on the login node; it submits the
//! two jobs with `sbatch --wrap`, so no other file is needed. Every path in
//! it is absolute: the compute nodes must see the same file system. Extra
//! `sbatch` options (partition, time limit, memory) can be given through
//! the environment variable `SEZSIM_SBATCH_OPTIONS` when submitting.
//!
//! A leaf of the study layer: `sweep` and `analysis` make their plans
//! (`SlurmPlan` values) and write them here.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::atomic;

/// What the script runs, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlurmPlan {
    /// The name of what runs (job names): the sweep's, or
    /// `<scenario>_<method>` for an analysis.
    pub name: String,
    /// The sharded subcommand: `sweep` or `sensitivity`.
    pub subcommand: String,
    /// Its options after the input file (shell words, unquoted), which
    /// every shard repeats.
    pub options: Vec<String>,
    /// The `sezsim` executable the jobs run (absolute).
    pub sezsim: PathBuf,
    /// The input file: the sweep file or the scenario (absolute).
    pub sweep_file: PathBuf,
    /// Folder of the shard folders `I-of-N` and the jobs' logs (absolute).
    pub shards_dir: PathBuf,
    /// The merged result's folder (absolute).
    pub out_dir: PathBuf,
    /// N: array tasks, one shard each.
    pub shards: u32,
    /// CPUs per task, and `--threads` of each shard.
    pub cpus_per_task: usize,
}

/// `path`, made absolute from the working folder when relative.
pub(crate) fn absolute(path: PathBuf) -> Result<PathBuf, Error> {
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
# Submits {subcommand} `{name}` to Slurm: a job array of {n} tasks, task I running
# shard I/{n}, then a merge job that starts only if every task succeeded.
# Written by `sezsim {subcommand} --emit-slurm`. Submit from a login node with:
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
shard_cmd=\"$(printf '%q' \"$SEZSIM\") {subcommand} $(printf '%q' \"$SWEEP\"){options} --shard \\\"\\$SLURM_ARRAY_TASK_ID/$N\\\" --threads $CPUS -q --out $(printf '%q' \"$SHARDS\")/\\\"\\$SLURM_ARRAY_TASK_ID-of-$N\\\"\"
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
        subcommand = plan.subcommand,
        options = plan
            .options
            .iter()
            .map(|o| {
                // Inside the script's double quotes: \ " $ ` are escaped.
                let quoted = shell_quote(o);
                let mut escaped = String::from(" ");
                for c in quoted.chars() {
                    if matches!(c, '\\' | '"' | '$' | '`') {
                        escaped.push('\\');
                    }
                    escaped.push(c);
                }
                escaped
            })
            .collect::<String>(),
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

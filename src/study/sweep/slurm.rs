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
use std::path::PathBuf;

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

//! Where the study commands write when no `--out` is given, all under
//! `output/` in the working folder: a run in `output/<scenario name>`, a
//! shard in `output/<name>-shards/I-of-N`, a comparison in
//! `output/compare_<base>_vs_<variants>`, a sweep in `output/<sweep name>`
//! and its Slurm script in `output/<sweep name>-slurm.sh`, a sensitivity
//! analysis in `output/<scenario name>_<method>`.
//!
//! A leaf of the study layer. Each function is re-exported by the module of
//! the command it serves (`run::default_run_dir`, ...).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::shard_id::Shard;

/// The folder the default output paths lie in, relative to the working
/// folder.
const OUTPUT_ROOT: &str = "output";

/// Longest folder name a comparison gets by default; longer lists of
/// variants are counted instead (file systems allow 255 bytes).
const MAX_COMPARE_NAME: usize = 200;

/// The run folder a run writes without `--out`: `output/<scenario name>`,
/// or `output/<scenario name>_deterministic` for a deterministic run, so
/// that the one-replication check never replaces the Monte Carlo results.
pub fn default_run_dir(scenario_name: &str, deterministic: bool) -> PathBuf {
    let name = if deterministic {
        format!("{scenario_name}_deterministic")
    } else {
        scenario_name.to_string()
    };
    Path::new(OUTPUT_ROOT).join(name)
}

/// The folder shard `shard` of the run or sweep called `name` writes
/// without `--out`: `output/<name>-shards/I-of-N`.
pub fn default_shard_dir(name: &str, shard: Shard) -> PathBuf {
    shards_dir(&Path::new(OUTPUT_ROOT).join(name)).join(format!(
        "{}-of-{}",
        shard.index(),
        shard.count()
    ))
}

/// The folder of the shard folders of a result whose folder is `out_dir`:
/// `<out_dir>-shards` beside it.
pub(crate) fn shards_dir(out_dir: &Path) -> PathBuf {
    let mut dir = OsString::from(out_dir.as_os_str());
    dir.push("-shards");
    PathBuf::from(dir)
}

/// The comparison folder written without `--out`:
/// `output/compare_<base>_vs_<variant>_<variant>...`, or
/// `output/compare_<base>_vs_<count>_variants` when the names make too long
/// a folder name.
pub fn default_compare_dir(base: &str, variants: &[&str]) -> PathBuf {
    let mut name = format!("compare_{base}_vs_{}", variants.join("_"));
    if name.len() > MAX_COMPARE_NAME {
        name = format!("compare_{base}_vs_{}_variants", variants.len());
    }
    Path::new(OUTPUT_ROOT).join(name)
}

/// The folder of a sensitivity analysis written without `--out`:
/// `output/<scenario name>_<method>` (`output/cpec_baseline_sobol`).
pub fn default_analysis_dir(scenario_name: &str, method: &str) -> PathBuf {
    Path::new(OUTPUT_ROOT).join(format!("{scenario_name}_{method}"))
}

/// The sweep folder written without `--out`: `output/<sweep name>`.
pub fn default_sweep_dir(sweep_name: &str) -> PathBuf {
    Path::new(OUTPUT_ROOT).join(sweep_name)
}

/// The Slurm submission script `--emit-slurm` writes without a file name:
/// `output/<sweep name>-slurm.sh`.
pub fn default_slurm_script(sweep_name: &str) -> PathBuf {
    Path::new(OUTPUT_ROOT).join(format!("{sweep_name}-slurm.sh"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_deterministic_runs_have_their_own_folders() {
        assert_eq!(default_run_dir("base", false), Path::new("output/base"));
        assert_eq!(
            default_run_dir("base", true),
            Path::new("output/base_deterministic")
        );
    }

    #[test]
    fn shards_go_beside_the_result_numbered_i_of_n() {
        let shard = Shard::new(2, 8).unwrap();
        assert_eq!(
            default_shard_dir("grid", shard),
            Path::new("output/grid-shards/2-of-8")
        );
        assert_eq!(
            shards_dir(Path::new("/runs/my grid")),
            Path::new("/runs/my grid-shards")
        );
    }

    #[test]
    fn comparisons_are_named_after_their_scenarios_until_too_long() {
        assert_eq!(
            default_compare_dir("base", &["a", "b"]),
            Path::new("output/compare_base_vs_a_b")
        );
        let long = "v".repeat(100);
        assert_eq!(
            default_compare_dir("base", &[&long, &long]),
            Path::new("output/compare_base_vs_2_variants")
        );
        // 200 bytes exactly is still spelled out.
        let fits = "v".repeat(200 - "compare_base_vs_".len());
        assert_eq!(
            default_compare_dir("base", &[&fits]),
            Path::new("output").join(format!("compare_base_vs_{fits}"))
        );
    }

    #[test]
    fn analyses_are_named_after_their_scenario_and_method() {
        assert_eq!(
            default_analysis_dir("base", "sobol"),
            Path::new("output/base_sobol")
        );
    }

    #[test]
    fn sweeps_and_their_slurm_scripts_sit_in_output() {
        assert_eq!(default_sweep_dir("grid"), Path::new("output/grid"));
        assert_eq!(
            default_slurm_script("grid"),
            Path::new("output/grid-slurm.sh")
        );
    }
}

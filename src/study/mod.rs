//! The study layer: the commands that run scenarios and write result
//! folders, over the engine, the models and `output`.
//!
//! - [`run`](crate::run): one run of a scenario.
//! - [`compare`](crate::compare): a base and its variants with common
//!   random numbers.
//! - [`sweep`](crate::sweep): a base scenario at many settings of its
//!   parameters.
//! - [`shard`](crate::shard): a run cut into pieces.
//! - [`analysis`](crate::analysis): a global sensitivity analysis
//!   (`sezsim sensitivity`).
//!
//! The crate re-exports each of them at its root (`sezsim::run`, ...): this
//! folder only groups them.

pub mod analysis;
pub mod compare;
mod files;
pub mod merge;
mod merged;
mod paths;
pub mod run;
pub mod shard;
mod shard_id;
mod slurm;
pub mod sweep;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The code (comments aside) of every file of the study module `name`
    /// (a folder or a file under `src/study`).
    fn code_of(name: &str) -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/study");
        let folder = root.join(name);
        let files = if folder.is_dir() {
            std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        } else {
            vec![root.join(format!("{name}.rs"))]
        };
        files
            .into_iter()
            .map(|f| {
                let text = std::fs::read_to_string(&f).unwrap();
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                (f.display().to_string(), code.join("\n"))
            })
            .collect()
    }

    /// Whether `code` names the study module `module` in a path
    /// (`crate::sweep`, `super::sweep::x`, `use crate::{shard, sweep}`).
    fn uses(code: &str, module: &str) -> bool {
        code.match_indices(module).any(|(at, _)| {
            let before = &code[..at];
            let after = code[at + module.len()..].chars().next();
            let whole = !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
            let in_path = before.ends_with("::")
                || (before.ends_with('{') || before.ends_with(", "))
                    && before
                        .rsplit('\n')
                        .next()
                        .is_some_and(|line| line.trim_start().starts_with("use crate::"));
            whole && in_path
        })
    }

    /// The dependency direction of docs/ARCHITECTURE.md: `shard` and
    /// `sweep` never use each other, `run` and `compare` use no command
    /// above them, and the leaves use no command at all.
    #[test]
    fn the_study_layer_has_no_cycle() {
        let rules: [(&str, &[&str]); 11] = [
            ("run", &["compare", "sweep", "shard", "merge", "analysis"]),
            ("analysis", &["compare", "sweep", "shard", "merge"]),
            ("compare", &["sweep", "shard", "merge"]),
            ("sweep", &["shard", "merge"]),
            ("shard", &["sweep", "compare", "merge"]),
            ("merge", &[]),
            (
                "shard_id",
                &[
                    "run", "compare", "sweep", "shard", "merge", "paths", "files",
                ],
            ),
            (
                "files",
                &[
                    "run", "compare", "sweep", "shard", "merge", "paths", "shard_id",
                ],
            ),
            (
                "slurm",
                &[
                    "run", "compare", "sweep", "shard", "merge", "paths", "files", "analysis",
                ],
            ),
            (
                "merged",
                &[
                    "run", "compare", "sweep", "shard", "merge", "paths", "files",
                ],
            ),
            (
                "paths",
                &["run", "compare", "sweep", "shard", "merge", "files"],
            ),
        ];
        for (module, never) in rules {
            let files = code_of(module);
            assert!(!files.is_empty(), "{module}");
            for (file, code) in &files {
                for used in never {
                    assert!(!uses(code, used), "{file} uses `{used}`");
                }
            }
        }
        // The checker sees both forms of a use.
        assert!(uses("use crate::{shard, sweep};", "sweep"));
        assert!(uses("let x = crate::shard::Shard::new(1, 2);", "shard"));
        assert!(!uses("use crate::study::shard_id::Shard;", "shard"));
        assert!(!uses("let shard = 1;", "shard"));
    }
}

//! Which shard is which: a [`Shard`] is `I/N`, with `I` counted from 1 so
//! that a Slurm job array `--array=1-N` can pass `$SLURM_ARRAY_TASK_ID`
//! straight in. A run shard takes a contiguous range of the engine's
//! chunks ([`Shard::chunk_range`]), a sweep shard every N-th point
//! ([`Shard::owns_point`]); [`coverage_errors`] says whether a set of shard
//! folders holds every shard of a command exactly once, [`disagreements`]
//! where a shard's manifest differs from the first's.
//!
//! A leaf of the study layer: `shard` and `sweep` both use it, and it uses
//! neither.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use crate::diagnostics::{Diagnostic, Location};

/// Shard `index` of `count` (`I/N`, `1 <= I <= N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// Most shards a command may be split into.
    pub const MAX_COUNT: u32 = 100_000;

    /// Shard `index` of `count`; `index` counts from 1.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 || count > Self::MAX_COUNT {
            return Err(format!(
                "the shard count N must be from 1 to {}, got {count}",
                Self::MAX_COUNT
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "the shard number I must be from 1 to N = {count}, got {index} (shards count from 1, as in a Slurm array --array=1-{count})"
            ));
        }
        Ok(Shard { index, count })
    }

    /// I, from 1.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// N.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// This shard's chunks of a run of `total_chunks` chunks:
    /// `floor((I-1) C / N) .. floor(I C / N)`. The shards' ranges are
    /// contiguous, in order, and cover every chunk once; a range is empty
    /// when `N > C`.
    pub fn chunk_range(&self, total_chunks: u64) -> Range<u64> {
        let at =
            |i: u32| (u128::from(i) * u128::from(total_chunks) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }

    /// Whether sweep point `point` (0-based) is this shard's: shard I takes
    /// points I-1, I-1+N, I-1+2N... (round robin, so that each shard gets
    /// points from every part of a grid, whose cost tends to vary along it).
    pub fn owns_point(&self, point: usize) -> bool {
        point % self.count as usize == (self.index - 1) as usize
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("expected I/N (e.g. 2/8), got `{s}`"))?;
        let parse = |t: &str, what: &str| {
            t.trim()
                .parse::<u32>()
                .map_err(|_| format!("expected I/N with whole numbers, got {what} `{t}`"))
        };
        Shard::new(parse(i, "I =")?, parse(n, "N =")?)
    }
}

/// The problems of a shard whose manifest (at `manifest_path`) disagrees
/// with the first shard's (in `first_dir`) on some of `fields`, each
/// `(key, the first shard's value, this shard's value)`: one per field that
/// differs, worded by `what(key, first's, this one's)` or else as "`key` is
/// this here but that in `first_dir`", saying the shards are not parts of
/// one `whole` ("run", "sweep"), with `help`. Shared by run and sweep
/// merges.
pub(crate) fn disagreements(
    fields: &[(&str, String, String)],
    manifest_path: &Path,
    first_dir: &Path,
    whole: &str,
    help: &str,
    what: impl Fn(&str, &str, &str) -> Option<String>,
) -> Vec<Diagnostic> {
    fields
        .iter()
        .filter(|(_, want, found)| want != found)
        .map(|(key, want, found)| {
            let what = what(key, want, found).unwrap_or_else(|| {
                format!(
                    "`{key}` is {found} here but {want} in {}",
                    first_dir.display()
                )
            });
            Diagnostic::new(format!("{what}: these shards are not parts of one {whole}"))
                .at(Location::file(manifest_path))
                .key(*key)
                .help(help)
        })
        .collect()
}

/// Problems with the set of shard numbers given: any of `1..=count`
/// missing, any given more than once. Shared by run and sweep merges.
pub(crate) fn coverage_errors<'a>(
    count: u32,
    shards: impl Iterator<Item = (u32, &'a Path)>,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<u32, Vec<&Path>> = BTreeMap::new();
    for (index, dir) in shards {
        seen.entry(index).or_default().push(dir);
    }
    let mut errors = Vec::new();
    for (index, dirs) in &seen {
        if dirs.len() > 1 {
            let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            errors.push(
                Diagnostic::new(format!(
                    "shard {index}/{count} is given {} times: {}",
                    dirs.len(),
                    names.join(", ")
                ))
                .help("give each shard's folder once"),
            );
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        errors.push(
            Diagnostic::new(if missing.len() == 1 {
                format!("shard {} is missing", missing[0])
            } else {
                format!("shards {} are missing", missing.join(", "))
            })
            .help("run the missing shards with the same command and --shard I/N, then merge every shard's folder"),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_one_and_refuse_nonsense() {
        let s: Shard = "3/8".parse().unwrap();
        assert_eq!((s.index(), s.count(), s.to_string()), (3, 8, "3/8".into()));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", "1/100001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn chunk_ranges_partition_the_run_in_order() {
        for chunks in [0u64, 1, 5, 7, 40, 1000] {
            for n in [1u32, 2, 3, 7, 13] {
                let mut next = 0;
                for i in 1..=n {
                    let r = Shard::new(i, n).unwrap().chunk_range(chunks);
                    assert_eq!(r.start, next, "C={chunks} N={n} I={i}");
                    assert!(r.end >= r.start);
                    // Balanced: sizes differ by at most one chunk.
                    assert!(r.end - r.start <= chunks / n as u64 + 1);
                    next = r.end;
                }
                assert_eq!(next, chunks);
            }
        }
        // N > C: some shards are empty.
        assert!(Shard::new(1, 7).unwrap().chunk_range(3).is_empty());
    }

    #[test]
    fn points_go_round_robin() {
        let shards: Vec<Shard> = (1..=3).map(|i| Shard::new(i, 3).unwrap()).collect();
        for p in 0..10 {
            let owners: Vec<u32> = shards
                .iter()
                .filter(|s| s.owns_point(p))
                .map(|s| s.index())
                .collect();
            assert_eq!(owners, vec![(p % 3) as u32 + 1]);
        }
    }

    #[test]
    fn coverage_names_missing_and_duplicated_shards() {
        let a = Path::new("a");
        let b = Path::new("b");
        let errs = coverage_errors(3, [(1, a), (1, b)].into_iter());
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert!(
            text[0].contains("shard 1/3 is given 2 times: a, b"),
            "{text:?}"
        );
        assert!(text[1].contains("shards 2/3, 3/3 are missing"), "{text:?}");
        assert!(coverage_errors(2, [(2, a), (1, b)].into_iter()).is_empty());
    }

    #[test]
    fn disagreements_name_each_differing_field_at_the_manifest() {
        let fields = [
            ("seed", "1".to_string(), "1".to_string()),
            ("replications", "100".to_string(), "200".to_string()),
        ];
        let check = |what: &dyn Fn(&str, &str, &str) -> Option<String>| {
            disagreements(
                &fields,
                Path::new("b/manifest.json"),
                Path::new("a"),
                "run",
                "merge one command's shards",
                what,
            )
        };
        let found = check(&|_, _, _| None);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].to_string(),
            "error: b/manifest.json: `replications`: `replications` is 200 here but 100 in a: \
             these shards are not parts of one run\n  help: merge one command's shards"
        );
        let found = check(&|key, want, found| Some(format!("{key}: {want} then {found}")));
        assert!(
            found[0]
                .to_string()
                .contains("replications: 100 then 200: these shards are not parts of one run"),
            "{}",
            found[0]
        );
    }
}

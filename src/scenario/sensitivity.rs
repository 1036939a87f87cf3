//! `[sensitivity]`: groups of parameters that a sensitivity analysis
//! treats as one factor, declared by glob patterns over parameter paths.
//! A generic section, valid for every kind of model.
//!
//! ```toml
//! [sensitivity]
//! groups = { energy = ["global.outage_*", "zones.*.energy.*"], bostan = ["zones.bostan.**"] }
//! ```
//!
//! In a pattern, `*` matches any run of characters within one part of a
//! path (never a dot), `?` one character, `[abc]` one of a set, and a part
//! that is `**` any number of parts. A pattern must match the whole path.
//! Checked here, so `sezsim check` reports them: the group's name (letters,
//! digits, `_`, `-`; not `shocks`, which names the model's own random
//! shocks), each pattern (valid, and matching some parameter: close paths
//! are suggested), at least one uncertain member per group, no parameter
//! in two groups, and no correlated pair split between groups (the copula
//! draws a correlated block jointly, so it must move as one factor).

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobMatcher};

use super::raw::{Node, Origin};
use super::reader::{self, TableReader, close_matches, nearest};
use super::schema::Schema;
use super::types::{Correlation, SensitivityGroup, SensitivitySettings};
use crate::uncertainty::ParamId;

/// The factor name of the model's random shocks in a sensitivity analysis:
/// no group may take it.
pub const SHOCKS_FACTOR: &str = "shocks";

/// A compiled pattern over dotted parameter paths.
struct PathPattern {
    matcher: GlobMatcher,
}

impl PathPattern {
    /// `pattern` compiled, or why it is not valid.
    fn new(pattern: &str) -> Result<PathPattern, String> {
        if pattern.is_empty() {
            return Err("an empty pattern matches no parameter".into());
        }
        if pattern.contains(['/', '\\']) {
            return Err(format!(
                "`{pattern}`: parameter paths are parts joined by dots; `/` and `\\` have no place in a pattern"
            ));
        }
        // Paths are matched as if their dots were slashes, so that `*`
        // stops at a dot and `**` spans parts, as in file globs.
        let glob = GlobBuilder::new(&pattern.replace('.', "/"))
            .literal_separator(true)
            .backslash_escape(false)
            .build()
            .map_err(|e| format!("`{pattern}` is not a valid pattern: {}", e.kind()))?;
        Ok(PathPattern {
            matcher: glob.compile_matcher(),
        })
    }

    fn matches(&self, path: &str) -> bool {
        self.matcher.is_match(path.replace('.', "/"))
    }
}

/// Paths close to `pattern`, which matched none: for a pattern without
/// wildcards the nearest paths; else the pattern with its first part that
/// matches no path replaced by the nearest part that does.
fn suggestions(pattern: &str, paths: &[&str]) -> Vec<String> {
    let wild = |s: &str| s.contains(['*', '?', '[']);
    if !wild(pattern) {
        return close_matches(pattern, paths.iter().copied(), 5)
            .into_iter()
            .map(str::to_string)
            .collect();
    }
    let parts: Vec<&str> = pattern.split('.').collect();
    if parts.contains(&"**") {
        return Vec::new();
    }
    for i in 0..parts.len() {
        let prefix = parts[..i].join(".");
        let Ok(head) = PathPattern::new(if i == 0 { "*" } else { &prefix }) else {
            return Vec::new();
        };
        // The parts at position i of the paths whose first i parts match.
        let mut next: Vec<&str> = paths
            .iter()
            .filter_map(|p| {
                let segments: Vec<&str> = p.split('.').collect();
                let fits = i == 0 || (segments.len() > i && head.matches(&segments[..i].join(".")));
                fits.then(|| segments.get(i).copied()).flatten()
            })
            .collect();
        next.sort_unstable();
        next.dedup();
        let Ok(here) = PathPattern::new(parts[i]) else {
            return Vec::new();
        };
        if next.iter().any(|s| here.matches(s)) {
            continue;
        }
        return match nearest(parts[i], &next) {
            Some(best) if !wild(parts[i]) => {
                let mut fixed = parts.clone();
                fixed[i] = best;
                vec![fixed.join(".")]
            }
            _ => Vec::new(),
        };
    }
    Vec::new()
}

impl Schema<'_> {
    /// `[sensitivity]`: the declared groups, checked against the
    /// parameters and their correlations.
    pub(crate) fn sensitivity(
        &mut self,
        top: &mut TableReader,
        correlations: &[Correlation],
    ) -> SensitivitySettings {
        let mut settings = SensitivitySettings::default();
        let Some(mut r) = self.section(top, "sensitivity", "[sensitivity]", false) else {
            return settings;
        };
        if let Some(node) = r.get("groups")
            && let Some(table) = reader::table(&mut self.ctx, node, "sensitivity.groups")
        {
            let mut group_of: BTreeMap<ParamId, (usize, Origin)> = BTreeMap::new();
            for entry in &table.entries {
                let path = format!("sensitivity.groups.{}", entry.key);
                let name = entry.key.as_str();
                if !super::is_safe_name(name) || name == SHOCKS_FACTOR {
                    let why = if name == SHOCKS_FACTOR {
                        format!(
                            "`{SHOCKS_FACTOR}` names the model's random shocks in a sensitivity analysis; choose another group name"
                        )
                    } else {
                        format!(
                            "`{name}` is not a valid group name: use letters, digits, `_` and `-` (at most 100)"
                        )
                    };
                    self.ctx.error(entry.key_origin, &path, why);
                    continue;
                }
                let Some((members, patterns)) = self.group_members(&entry.value, &path) else {
                    continue;
                };
                let index = settings.groups.len();
                for &id in &members {
                    if let Some(&(other, _)) = group_of.get(&id) {
                        let other_name = settings.groups[other].name.clone();
                        self.ctx
                            .error(
                                entry.value.origin,
                                &path,
                                format!(
                                    "`{}` is in two groups, `{other_name}` and `{name}`",
                                    self.params.get(id).path
                                ),
                            )
                            .help = Some(
                            "a parameter may belong to one group only: narrow one of the patterns"
                                .into(),
                        );
                    } else {
                        group_of.insert(id, (index, entry.value.origin));
                    }
                }
                settings.groups.push(SensitivityGroup {
                    name: name.to_string(),
                    patterns,
                    members,
                });
            }
            self.split_blocks(correlations, &group_of, &settings);
        }
        r.finish(&mut self.ctx);
        settings
    }

    /// The uncertain parameters a group's patterns match, in registration
    /// order, and the patterns; every problem reported.
    fn group_members(&mut self, node: &Node, path: &str) -> Option<(Vec<ParamId>, Vec<String>)> {
        let items = reader::array(&mut self.ctx, node, path)?;
        if items.is_empty() {
            self.ctx
                .error(node.origin, path, "a group needs at least one pattern")
                .help = Some("e.g. [\"zones.*.energy.*\"]".into());
            return None;
        }
        let paths: Vec<String> = self.params.paths().map(str::to_string).collect();
        let path_refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let mut matched = vec![false; paths.len()];
        let mut patterns = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let Some(text) = reader::string(&mut self.ctx, item, &item_path) else {
                ok = false;
                continue;
            };
            patterns.push(text.to_string());
            let pattern = match PathPattern::new(text) {
                Ok(p) => p,
                Err(why) => {
                    self.ctx.error(item.origin, &item_path, why);
                    ok = false;
                    continue;
                }
            };
            let mut any = false;
            for (k, p) in paths.iter().enumerate() {
                if pattern.matches(p) {
                    matched[k] = true;
                    any = true;
                }
            }
            if !any {
                let close = suggestions(text, &path_refs);
                let d = self.ctx.error(
                    item.origin,
                    &item_path,
                    format!("`{text}` matches no parameter path"),
                );
                d.help = Some(if close.is_empty() {
                    "`sezsim check` lists the uncertain parameters' paths; `*` matches within one part of a path, `**` any number of parts".into()
                } else {
                    format!("close matches: {}", close.join(", "))
                });
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let (uncertain, fixed): (Vec<ParamId>, Vec<ParamId>) = self
            .params
            .iter()
            .filter(|(id, _)| matched[id.index()])
            .map(|(id, _)| id)
            .partition(|&id| !self.params.get(id).distribution.is_fixed());
        if uncertain.is_empty() {
            let names: Vec<&str> = fixed
                .iter()
                .take(5)
                .map(|&id| self.params.get(id).path.as_str())
                .collect();
            self.ctx
                .error(
                    node.origin,
                    path,
                    format!(
                        "the group matches only fixed parameters ({}{}), which have no variance to apportion",
                        names.join(", "),
                        if fixed.len() > names.len() { ", ..." } else { "" }
                    ),
                )
                .help = Some("give the group at least one parameter that has a distribution".into());
            return None;
        }
        Some((uncertain, patterns))
    }

    /// Every correlated pair whose two parameters are in different groups
    /// (or one in none) is an error naming the pair.
    fn split_blocks(
        &mut self,
        correlations: &[Correlation],
        group_of: &BTreeMap<ParamId, (usize, Origin)>,
        settings: &SensitivitySettings,
    ) {
        let name = |g: Option<&(usize, Origin)>| match g {
            Some(&(i, _)) => format!("group `{}`", settings.groups[i].name),
            None => "no group".to_string(),
        };
        for c in correlations {
            let (ga, gb) = (group_of.get(&c.a), group_of.get(&c.b));
            if ga.map(|g| g.0) == gb.map(|g| g.0) {
                continue;
            }
            let origin = ga.or(gb).map(|g| g.1);
            let (pa, pb) = (&self.params.get(c.a).path, &self.params.get(c.b).path);
            let message = format!(
                "the correlated parameters `{pa}` and `{pb}` are split: `{pa}` is in {}, `{pb}` in {}",
                name(ga),
                name(gb)
            );
            let help = "correlated parameters are drawn jointly and must move as one factor: put both in the same group, or neither".to_string();
            if let Some(origin) = origin {
                self.ctx.error(origin, "sensitivity.groups", message).help = Some(help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_stay_within_a_part_and_double_stars_span_parts() {
        let p = PathPattern::new("zones.*.energy.*").unwrap();
        assert!(p.matches("zones.north.energy.load_factor"));
        assert!(!p.matches("zones.north.phases.a.energy.x"));
        assert!(!p.matches("global.energy"));
        let all = PathPattern::new("zones.north.**").unwrap();
        assert!(all.matches("zones.north.phases.phase_1.delay"));
        assert!(all.matches("zones.north.energy.load_factor"));
        assert!(!all.matches("zones.south.energy.load_factor"));
        let global = PathPattern::new("global.*").unwrap();
        assert!(global.matches("global.demand_volatility"));
        assert!(PathPattern::new("").is_err());
        assert!(PathPattern::new("a/b").is_err());
        assert!(PathPattern::new("zones.[a").is_err());
    }

    #[test]
    fn close_matches_repair_the_part_that_matches_nothing() {
        let paths = [
            "zones.north.energy.load_factor",
            "zones.north.investment.bass_q",
            "global.demand_volatility",
        ];
        assert_eq!(
            suggestions("zones.*.enrgy.*", &paths),
            vec!["zones.*.energy.*"]
        );
        assert_eq!(
            suggestions("global.demand_volatilty", &paths),
            vec!["global.demand_volatility"]
        );
        assert!(suggestions("nothing.*", &["a.b"]).is_empty());
    }
}

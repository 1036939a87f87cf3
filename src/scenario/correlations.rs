//! `[[correlations]]`: Spearman targets between uncertain parameters, and
//! the check that together they can hold (a positive-definite matrix).

use std::collections::HashSet;

use super::raw::Node;
use super::reader::{self, TableReader, close_matches};
use super::schema::Schema;
use super::types::Correlation;
use crate::diagnostics::Diagnostic;
use crate::uncertainty::{ParamId, SamplingError, SamplingMethod, StaticSampler};

impl Schema<'_> {
    pub(crate) fn correlations(&mut self, top: &mut TableReader) -> Vec<Correlation> {
        let Some(node) = top.get("correlations") else {
            return Vec::new();
        };
        let Some(items) = reader::array(&mut self.ctx, node, "correlations") else {
            return Vec::new();
        };
        let mut out: Vec<Correlation> = Vec::new();
        let mut pairs: HashSet<(ParamId, ParamId)> = HashSet::new();
        let (readers, _) = self.item_readers(items, "correlations", "[[correlations]]");
        for (path, mut r, _) in readers {
            let between = r.require(&mut self.ctx, "between", "[\"path.a\", \"path.b\"]");
            let spearman = r.require(&mut self.ctx, "spearman", "0.5").and_then(|n| {
                let v = reader::plain_number(&mut self.ctx, n, &format!("{path}.spearman"))?;
                if !(-1.0..=1.0).contains(&v) {
                    self.ctx.error(
                        n.origin,
                        &format!("{path}.spearman"),
                        format!("a rank correlation must lie in [-1, 1], found {v}"),
                    );
                    return None;
                }
                Some(v)
            });
            r.finish(&mut self.ctx);
            let Some(between) = between else { continue };
            let bpath = format!("{path}.between");
            let Some(ends) = reader::array(&mut self.ctx, between, &bpath) else {
                continue;
            };
            if ends.len() != 2 {
                self.ctx.error(
                    between.origin,
                    &bpath,
                    format!("expected two parameter paths, found {}", ends.len()),
                );
                continue;
            }
            let ids: Vec<Option<ParamId>> = ends
                .iter()
                .map(|e| self.uncertain_path(e, &bpath))
                .collect();
            let (Some(a), Some(b), Some(spearman)) = (ids[0], ids[1], spearman) else {
                continue;
            };
            if a == b {
                self.ctx.error(
                    between.origin,
                    &bpath,
                    "a parameter cannot be correlated with itself",
                );
                continue;
            }
            if !pairs.insert((a.min(b), a.max(b))) {
                self.ctx.error(
                    between.origin,
                    &bpath,
                    "this pair is already correlated above; give each pair once",
                );
                continue;
            }
            out.push(Correlation { a, b, spearman });
        }
        out
    }

    /// A path naming an uncertain parameter.
    fn uncertain_path(&mut self, node: &Node, path: &str) -> Option<ParamId> {
        let p = reader::string(&mut self.ctx, node, path)?;
        match self.params.id(p) {
            Some(id) if self.params.get(id).distribution.is_fixed() => {
                self.ctx
                    .error(node.origin, path, format!("`{p}` is a fixed value; only a parameter given as a distribution can be correlated"));
                None
            }
            Some(id) => Some(id),
            None => {
                let close = close_matches(p, self.params.paths(), 5);
                let d = self
                    .ctx
                    .error(node.origin, path, format!("unknown parameter path `{p}`"));
                d.help = Some(if close.is_empty() {
                    "paths look like global.<key>, zones.<id>.<section>.<key>, energy_projects.<name>.delay or inputs.<name>".into()
                } else {
                    format!("close matches: {}", close.join(", "))
                });
                None
            }
        }
    }

    pub(crate) fn check_positive_definite(&mut self, seed: u64, correlations: &[Correlation]) {
        if correlations.is_empty() {
            return;
        }
        let uncertain: Vec<ParamId> = self.params.uncertain().map(|(id, _)| id).collect();
        let pos = |id: ParamId| uncertain.iter().position(|&u| u == id).unwrap_or(0);
        let purposes: Vec<String> = uncertain
            .iter()
            .map(|&id| self.params.get(id).path.clone())
            .collect();
        let targets: Vec<_> = correlations
            .iter()
            .map(|c| crate::uncertainty::RankCorrelation {
                a: pos(c.a),
                b: pos(c.b),
                spearman: c.spearman,
            })
            .collect();
        if let Err(SamplingError::NotPositiveDefinite { pairs }) =
            StaticSampler::new(seed, 1, SamplingMethod::Random, &purposes, &targets)
        {
            let named: Vec<String> = pairs
                .iter()
                .map(|&(a, b)| format!("{} ~ {}", purposes[a], purposes[b]))
                .collect();
            let origin = correlations
                .iter()
                .find(|c| {
                    pairs.iter().any(|&(a, b)| {
                        (pos(c.a), pos(c.b)) == (a, b) || (pos(c.a), pos(c.b)) == (b, a)
                    })
                })
                .and_then(|c| self.param_origins.get(&c.a).copied());
            let at = origin.map(|o| self.location(o));
            let mut d = Diagnostic::new(format!(
                "the correlation targets are not jointly possible (the matrix is not positive definite); involved pairs: {}",
                named.join("; ")
            ))
            .key("correlations")
            .help("weaken one of these correlations: e.g. three parameters cannot all be strongly negatively correlated with each other");
            if let Some(at) = at {
                d = d.at(at);
            }
            self.ctx.errors.push(d);
        }
    }
}

//! `[scenario]` and `[model].kind`: the header every scenario has.

use super::kind::{ModelKind, Registry};
use super::reader::{self, TableReader, nearest};
use super::schema::{Horizon, Schema};
use crate::uncertainty::SamplingMethod;

/// The kind of a scenario without `[model].kind`.
pub const DEFAULT_KIND: &str = "sez";
/// Largest accepted seed: seeds are TOML integers (signed 64-bit), and
/// the command line accepts the same range.
pub const MAX_SEED: u64 = i64::MAX as u64;
/// Largest accepted replication count.
pub const MAX_REPLICATIONS: u64 = 1_000_000_000;
/// Longest accepted horizon, in years.
pub const MAX_YEARS: i64 = 500;
/// Earliest calendar year a scenario may name.
pub const MIN_YEAR: i64 = 1800;
/// Latest calendar year a scenario may name.
pub const MAX_YEAR: i64 = 2500;

/// `[scenario]`, validated. When some of it is invalid, the rest of the
/// scenario is still checked against fallback values (the errors already
/// recorded guarantee no `Scenario` is built from them).
pub(crate) struct Header {
    /// False when `start_year` or `years` is invalid: skip checks that need the horizon.
    pub horizon_known: bool,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub start_year: i32,
    pub years: u32,
    pub replications: u64,
    pub seed: u64,
    pub discount_rate: f64,
    pub sampling: SamplingMethod,
}

impl Header {
    /// The years, for the kind's series.
    pub fn horizon(&self) -> Horizon {
        Horizon {
            horizon_known: self.horizon_known,
            start_year: self.start_year,
            years: self.years,
        }
    }
}

/// `[A-Za-z0-9_-]+` for scenario names (they become folder names).
pub(crate) fn is_safe_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

impl Schema<'_> {
    /// The kind of model `[model].kind` names, from `registry`; a file
    /// without `[model]`, or a `[model]` without `kind`, is a SEZ
    /// scenario. The kind's own `[model]` keys are marked valid.
    pub(crate) fn model_kind<'r>(
        &mut self,
        top: &mut TableReader,
        registry: &'r Registry,
    ) -> Option<&'r dyn ModelKind> {
        let default = || {
            registry
                .kind(DEFAULT_KIND)
                .or_else(|| registry.kinds().next())
        };
        if top.get("model").is_none() {
            return default();
        }
        let mut model = self.section(top, "model", "[model]", false)?;
        let Some(node) = model.get("kind") else {
            model.finish(&mut self.ctx);
            return default();
        };
        let path = model.key_path("kind");
        let name = reader::string(&mut self.ctx, node, &path)?;
        let kind = registry.kind(name);
        match kind {
            Some(k) => model.accept(k.model_keys()),
            None => {
                let kinds = registry.names();
                let d = self.ctx.error(
                    node.origin,
                    &path,
                    format!(
                        "unknown model kind `{name}`; expected one of {}",
                        kinds.join(", ")
                    ),
                );
                if let Some(best) = nearest(name, &kinds) {
                    d.help = Some(format!("did you mean `{best}`?"));
                }
            }
        }
        model.finish(&mut self.ctx);
        kind
    }

    /// `[scenario]`; `yearly` when the model records yearly series (then
    /// the horizon and the discount rate are required).
    pub(crate) fn header(&mut self, top: &mut TableReader, yearly: bool) -> Header {
        let fallback = Header {
            horizon_known: false,
            name: String::new(),
            title: String::new(),
            description: None,
            start_year: 2025,
            years: 1,
            replications: 1,
            seed: 0,
            discount_rate: 0.0,
            sampling: SamplingMethod::Random,
        };
        let Some(mut s) = self.section(top, "scenario", "[scenario]", true) else {
            return fallback;
        };
        let mut ok = true;

        let name = s.require(&mut self.ctx, "name", "\"my_scenario\"").and_then(|n| {
            let path = s.key_path("name");
            let v = reader::string(&mut self.ctx, n, &path)?;
            if !is_safe_name(v) {
                self.ctx
                    .error(n.origin, &path, format!("scenario name `{v}` may only use letters, digits, `_` and `-` (at most 100)"))
                    .help = Some("the name becomes the output folder name, so it may not contain paths or spaces".into());
                return None;
            }
            Some(v.to_string())
        });
        ok &= name.is_some();
        let title = self.opt_string(&mut s, "title");
        let description = self.opt_string(&mut s, "description");

        let mut int =
            |b: &mut Self, key: &str, min: i64, max: i64, default: Option<i64>| -> Option<i64> {
                let node = match default {
                    Some(d) => match s.get(key) {
                        Some(n) => n,
                        None => return Some(d),
                    },
                    None => s.require(&mut b.ctx, key, "an integer")?,
                };
                let path = s.key_path(key);
                reader::integer(&mut b.ctx, node, &path, min, max)
            };
        let start_year = int(
            self,
            "start_year",
            MIN_YEAR,
            MAX_YEAR,
            (!yearly).then_some(2025),
        );
        let years = int(self, "years", 1, MAX_YEARS, (!yearly).then_some(1));
        let replications = int(self, "replications", 1, MAX_REPLICATIONS as i64, Some(1000));
        let seed = int(self, "seed", 0, MAX_SEED as i64, Some(1));
        ok &= start_year.is_some() && years.is_some() && replications.is_some() && seed.is_some();

        let discount_rate = match s.get("discount_rate") {
            Some(node) => {
                let path = s.key_path("discount_rate");
                let v = reader::plain_number(&mut self.ctx, node, &path);
                match v {
                    Some(v) if (0.0..=1.0).contains(&v) => Some(v),
                    Some(v) => {
                        self.ctx.error(
                            node.origin,
                            &path,
                            format!("expected a rate in [0, 1], found {v}"),
                        );
                        None
                    }
                    None => None,
                }
            }
            None if yearly => {
                s.require(&mut self.ctx, "discount_rate", "0.08");
                None
            }
            None => Some(0.0),
        };
        ok &= discount_rate.is_some();

        let sampling = match s.get("sampling") {
            None => Some(SamplingMethod::Random),
            Some(node) => {
                let path = s.key_path("sampling");
                match reader::string(&mut self.ctx, node, &path) {
                    Some("random") => Some(SamplingMethod::Random),
                    Some("lhs") => Some(SamplingMethod::LatinHypercube),
                    Some(other) => {
                        self.ctx.error(
                            node.origin,
                            &path,
                            format!("unknown sampling `{other}`; expected \"random\" or \"lhs\""),
                        );
                        None
                    }
                    None => None,
                }
            }
        };
        ok &= sampling.is_some();
        s.finish(&mut self.ctx);
        let name = name.unwrap_or_default();
        Header {
            horizon_known: ok || (start_year.is_some() && years.is_some()),
            title: title.unwrap_or_else(|| name.clone()),
            name,
            description,
            start_year: start_year.map_or(fallback.start_year, |v| v as i32),
            years: years.map_or(fallback.years, |v| v as u32),
            replications: replications.map_or(fallback.replications, |v| v as u64),
            seed: seed.map_or(fallback.seed, |v| v as u64),
            discount_rate: discount_rate.unwrap_or(fallback.discount_rate),
            sampling: sampling.unwrap_or(fallback.sampling),
        }
    }
}

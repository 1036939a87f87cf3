//! From the merged raw tree to a validated [`Scenario`]: the header, the
//! kind's sections (read by the kind), correlations and `[outputs]`; every
//! key read, typed, range-checked and registered; every problem collected.

use super::kind::{KindInput, Registry};
use super::raw::RawScenario;
use super::reader::{Ctx, TableReader};
use super::schema::Schema;
use super::types::*;
use crate::diagnostics::{Diagnostic, Location};

/// Validate a merged raw scenario against the kinds of `registry`.
/// Returns every problem found.
pub(crate) fn build(raw: &RawScenario, registry: &Registry) -> Result<Scenario, Vec<Diagnostic>> {
    let mut b = Schema::new(Ctx::new(&raw.sources));
    let mut top = TableReader::new(&raw.root, "", "the top level", raw.root_origin);
    // `extends` was consumed by the raw stage; it is valid at the top level.
    top.accept(&["extends"]);

    let kind = b.model_kind(&mut top, registry);
    let header = b.header(&mut top, kind.is_some_and(|k| k.yearly()));
    let model = kind.and_then(|k| {
        let model = top.get("model");
        k.read(
            &mut b,
            KindInput {
                top: &mut top,
                model,
                horizon: header.horizon(),
            },
        )
    });
    if let Some(k) = kind {
        others_sections(&mut b, &mut top, registry, k.name());
    }
    let correlations = b.correlations(&mut top);
    let sensitivity = b.sensitivity(&mut top, &correlations);
    let outputs = b.outputs(&mut top, kind, &header);
    top.finish(&mut b.ctx);

    if b.ctx.errors.is_empty() {
        b.check_positive_definite(header.seed, &correlations);
    }
    let errors = b.ctx.finish();
    if !errors.is_empty() {
        return Err(errors);
    }
    let h = header;
    if let Some(model) = &model {
        // The parameters the scenario gives no label get the kind's words.
        let unlabelled: Vec<_> = b
            .params
            .iter()
            .filter(|(_, p)| !p.has_label())
            .map(|(id, p)| (id, model.parameter_label(&p.path)))
            .collect();
        for (id, label) in unlabelled {
            b.params.set_label(id, label);
        }
    }
    let (Some(model), Some(outputs)) = (model, outputs) else {
        // Every None above comes with an error; this is unreachable in
        // practice but must not panic.
        return Err(vec![
            Diagnostic::new("scenario could not be read")
                .at(Location::file(&raw.sources.file(0).path)),
        ]);
    };
    let mut inputs: Vec<InputFile> = raw
        .sources
        .files()
        .iter()
        .map(|f| InputFile {
            path: f.path.clone(),
            sha256: super::sha256_hex(f.text.as_bytes()),
        })
        .collect();
    for (path, sha256) in b.csv.hashes() {
        inputs.push(InputFile { path, sha256 });
    }
    Ok(Scenario {
        name: h.name,
        title: h.title,
        description: h.description,
        start_year: h.start_year,
        years: h.years,
        replications: h.replications,
        seed: h.seed,
        discount_rate: h.discount_rate,
        sampling: h.sampling,
        parameters: b.params,
        correlations,
        model,
        outputs,
        sensitivity,
        inputs,
        replaced_lists: raw
            .replaced
            .iter()
            .map(|r| ReplacedList {
                key_path: r.key_path.clone(),
                inherited: r.inherited,
                replacement: r.replacement,
                at: raw.sources.location(r.origin.file, r.origin.offset),
            })
            .collect(),
    })
}

/// Report the sections of other kinds of model that the file writes: they
/// are valid keys, just not for this scenario's kind.
fn others_sections(b: &mut Schema, top: &mut TableReader, registry: &Registry, kind: &str) {
    let own: Vec<&str> = registry
        .kind(kind)
        .map(|k| k.sections().to_vec())
        .unwrap_or_default();
    let mut seen: Vec<&str> = Vec::new();
    for other in registry.kinds().filter(|k| k.name() != kind) {
        for &section in other.sections() {
            if own.contains(&section) || seen.contains(&section) {
                continue;
            }
            seen.push(section);
            top.accept(&[section]);
            if let Some(node) = top.get(section) {
                let owners: Vec<String> = registry
                    .kinds()
                    .filter(|k| k.sections().contains(&section))
                    .map(|k| format!("\"{}\"", k.name()))
                    .collect();
                b.ctx
                    .error(
                        node.origin,
                        section,
                        format!(
                            "`{section}` belongs to kind = {}, not to this scenario's kind \"{kind}\"",
                            owners.join(" or ")
                        ),
                    )
                    .help = Some("remove it, or set [model] kind to the model it belongs to".into());
            }
        }
    }
}

//! Labels of parameters for people: what charts, reports and workbooks
//! call a parameter the scenario gives no `label`. A kind of model knows
//! its paths ([`ModelSpec::parameter_label`](super::ModelSpec::parameter_label));
//! this file holds what every kind shares: a key in words, and the label
//! of a path no kind knows better.

/// `key` in words: `_` becomes a space, and the parts `glossary` lists are
/// spelled out (`("ha", "hectare")` turns `capital_per_ha` into `capital
/// per hectare`). A key the glossary lists whole is replaced whole.
pub fn key_words(key: &str, glossary: &[(&str, &str)]) -> String {
    if let Some((_, words)) = glossary.iter().find(|(k, _)| *k == key) {
        return (*words).to_string();
    }
    key.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            glossary
                .iter()
                .find(|(k, _)| *k == part)
                .map_or(part, |(_, words)| words)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` with its first letter in upper case (`global` -> `Global`).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The label of a parameter path no kind knows better: its first part
/// capitalised, then the rest in words (`inputs.x1` -> `Inputs: x1`,
/// `global.demand_volatility` -> `Global: demand volatility`).
pub fn generic_label(path: &str) -> String {
    let mut parts = path.split('.');
    let head = parts.next().unwrap_or_default();
    let rest: Vec<String> = parts.map(|p| key_words(p, &[])).collect();
    if rest.is_empty() {
        capitalised(&key_words(head, &[]))
    } else {
        format!(
            "{}: {}",
            capitalised(&key_words(head, &[])),
            rest.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_words() {
        let glossary = [("ha", "hectare"), ("fdi", "FDI"), ("bass_p", "Bass p")];
        assert_eq!(
            key_words("capital_per_ha", &glossary),
            "capital per hectare"
        );
        assert_eq!(key_words("fdi_share", &glossary), "FDI share");
        assert_eq!(key_words("bass_p", &glossary), "Bass p");
        assert_eq!(key_words("x1", &glossary), "x1");
        assert_eq!(capitalised("énergie"), "Énergie");
        assert_eq!(generic_label("inputs.x1"), "Inputs: x1");
        assert_eq!(
            generic_label("global.demand_volatility"),
            "Global: demand volatility"
        );
        assert_eq!(generic_label("alone"), "Alone");
    }
}

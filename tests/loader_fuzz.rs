//! Property tests: the loader returns a scenario or errors on any input,
//! and never panics.

use proptest::prelude::*;

const BASE: &str = include_str!("fixtures/full/base.toml");

fn load_text(text: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    // The fixture's CSVs, so mutations that keep references valid get deep.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/full/data").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    // Either outcome is fine; a panic fails the test.
    let _ = sezsim::scenario::load(&path);
}

/// Mutations of a valid scenario that keep most of it intact.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceNumber(usize, String),
    InsertLine(usize, String),
    Truncate(usize),
    FlipByte(usize, u8),
}

fn apply(m: &Mutation, text: &str) -> Vec<u8> {
    if text.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    match m {
        Mutation::DeleteLine(i) => {
            let mut l = lines.clone();
            l.remove(i % n);
            l.join("\n").into_bytes()
        }
        Mutation::DuplicateLine(i) => {
            let mut l = lines.clone();
            l.insert(i % n, lines[i % n]);
            l.join("\n").into_bytes()
        }
        Mutation::ReplaceNumber(i, token) => {
            // Replace the first number on line i.
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            let line = &mut l[i % n];
            if let Some(start) = line.find(|c: char| c.is_ascii_digit()) {
                let end = line[start..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .map_or(line.len(), |e| start + e);
                line.replace_range(start..end, token);
            }
            l.join("\n").into_bytes()
        }
        Mutation::InsertLine(i, s) => {
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l.insert(i % n, s.clone());
            l.join("\n").into_bytes()
        }
        Mutation::Truncate(k) => text.as_bytes()[..k % text.len()].to_vec(),
        Mutation::FlipByte(k, b) => {
            let mut bytes = text.as_bytes().to_vec();
            let k = k % bytes.len();
            bytes[k] = *b;
            bytes
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("9999999999999999999999".to_string()),
        Just("\"text\"".to_string()),
        Just("{ dist = \"normal\", mean = 0, sd = 1 }".to_string()),
        Just("[]".to_string()),
        "[-+]?[0-9]{1,6}(\\.[0-9]{1,4})?",
    ];
    let line = prop_oneof![
        Just("[zones.bogus]".to_string()),
        Just("[[zones]]".to_string()),
        Just("[[correlations]]\nbetween = [\"global.demand_volatility\", \"global.demand_volatility\"]\nspearman = 1".to_string()),
        Just("extends = \"s.toml\"".to_string()),
        Just("years = 0".to_string()),
        Just("x = { dist = \"discrete\", values = [], weights = [] }".to_string()),
        "[a-z_]{1,12} = [0-9]{1,4}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), token).prop_map(|(i, t)| Mutation::ReplaceNumber(i, t)),
        (any::<usize>(), line).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(k, b)| Mutation::FlipByte(k, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_text(&bytes);
    }

    #[test]
    fn arbitrary_toml_like_text_never_panics(text in "(\\[[a-z_.]{0,12}\\]\n|[a-z_]{1,10} = (\"[a-z./]{0,10}\"|[0-9.e+-]{1,8}|\\{ ?dist = \"[a-z]{3,10}\"[, a-z0-9=.-]{0,30} ?\\})\n){0,20}") {
        load_text(text.as_bytes());
    }

    #[test]
    fn mutations_of_a_valid_scenario_never_panic(muts in proptest::collection::vec(mutation(), 1..4)) {
        let mut text = BASE.as_bytes().to_vec();
        for m in &muts {
            text = apply(m, &String::from_utf8_lossy(&text));
        }
        load_text(&text);
    }
}

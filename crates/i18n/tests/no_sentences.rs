//! Client-facing text lives in the catalogues only: the domain says why (a key), the store says
//! nothing. This test reads the sources of `domain` and `store-diesel` and fails on a string
//! literal that reads like a sentence outside what is written for operators (causes of internal
//! errors, tracing, metric descriptions), SQL, and tests.
#![cfg(test)]

use std::path::{Path, PathBuf};

/// Statements whose literals are for operators, not for clients.
const FOR_THE_LOG: &[&str] = &[
    "internal(",
    "Cause::",
    "tracing::",
    "StoreError::",
    "sql_query",
    "sql::<",
    "batch_execute",
    "panic!",
    "unreachable!",
    "expect(",
    "#[",
    "const CLAIM_",
    "SQLITE_PRAGMAS",
    "fn describe",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            // Test modules (`tests/`, `flow_tests/`) hold sample data, not client text.
            if !name.ends_with("tests") {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") && !["tests.rs", "testing.rs", "metrics.rs"].contains(&name)
        {
            // `metrics.rs` describes metrics to operators, in Prometheus's HELP lines.
            out.push(path);
        }
    }
}

/// The code of a file without its unit tests, comments and doc comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") { "" } else { line }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(literal, the statement before it)` for every plain string literal.
fn literals(code: &str) -> Vec<(String, String)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut statement_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' | b'{' | b'}' => {
                statement_start = i + 1;
                i += 1;
            }
            b'\'' if i + 2 < bytes.len() && bytes[i + 2] == b'\'' => i += 3,
            b'"' => {
                let raw = i > 0 && (bytes[i - 1] == b'r' || bytes[i - 1] == b'#');
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' && !raw {
                        j += 1;
                    }
                    j += 1;
                }
                let literal = code.get(start..j.min(bytes.len())).unwrap_or("").to_owned();
                let before = code.get(statement_start..i).unwrap_or("").to_owned();
                out.push((literal, before));
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Three or more words of letters: what a person would read ("Case not found"), not a label
/// such as "timeline entry {id}".
fn reads_like_a_sentence(literal: &str) -> bool {
    let words = literal
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ':', ';']))
        .filter(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphabetic))
        .count();
    let sql = [
        "SELECT", "UPDATE", "INSERT", "DELETE", "CREATE", "DROP", "PRAGMA", "BEGIN",
    ]
    .iter()
    .any(|k| literal.trim_start().starts_with(k));
    words >= 3 && !sql
}

#[test]
fn domain_and_store_sources_hold_no_client_sentence() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    sources(&root.join("domain/src"), &mut files);
    sources(&root.join("store-diesel/src"), &mut files);
    assert!(
        files.len() > 20,
        "sources not found under {}",
        root.display()
    );
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (literal, before) in literals(&code(&text)) {
            if reads_like_a_sentence(&literal) && !FOR_THE_LOG.iter().any(|m| before.contains(m)) {
                found.push(format!("{}: {literal:?}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "client-facing sentences belong in the catalogues (crates/i18n/locales), not here:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_sentence_passed_as_an_error() {
    let sample = r#"
        fn f() -> Result<()> {
            Err(Error::Conflict("The case was changed".into()))
        }
        fn h(owner: &str) -> String {
            format!("timeline entry {owner}")
        }
        fn g() { Error::internal(format!("stored id {raw:?} is not a UUID")); }
    "#;
    let flagged: Vec<String> = literals(&code(sample))
        .into_iter()
        .filter(|(l, before)| {
            reads_like_a_sentence(l) && !FOR_THE_LOG.iter().any(|m| before.contains(m))
        })
        .map(|(l, _)| l)
        .collect();
    assert_eq!(flagged, ["The case was changed"]);
}

//! The 48 English Golden Rules (from pySBD, MIT), driven by the JSONL file.
//!
//! A rule passes when the trimmed slices of the returned ranges equal
//! `expected_sentences` exactly.

use std::path::Path;

use factql_ingest::split_sentences;

/// The rules file, relative to `CARGO_MANIFEST_DIR` (an absolute path is
/// used as it is).
const GOLDEN_RULES: &str = "../../tests/data/golden_rules_en.jsonl";
/// Rules that must pass (pySBD passes 47, spaCy 29).
const MIN_PASSED: usize = 46;

#[test]
fn golden_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN_RULES);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut total = 0;
    let mut passed = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        let id = &case["id"];
        let name = case["rule"].as_str().unwrap_or("");
        let input = case["input"].as_str().expect("input is a string");
        let expected: Vec<&str> = case["expected_sentences"]
            .as_array()
            .expect("expected_sentences is an array")
            .iter()
            .map(|s| s.as_str().expect("sentence is a string"))
            .collect();
        let got: Vec<&str> = split_sentences(input).into_iter().map(|r| input[r].trim()).collect();
        total += 1;
        if got == expected {
            passed += 1;
        } else {
            println!("FAIL rule {id} ({name})\n  expected: {expected:?}\n  got:      {got:?}");
        }
    }
    println!("golden rules: {passed}/{total} passed");
    assert_eq!(total, 48, "the rules file should have 48 cases");
    assert!(passed >= MIN_PASSED, "only {passed}/{total} golden rules passed");
}

//! `factql extract`: what the plugins find, per article, as JSON lines, without a store.

use crate::{factql, run};

#[test]
fn extract_prints_one_line_per_article_with_each_plugins_findings_and_no_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Aid\n\nThe fund gave $5 million to Minsk.\n")
        .unwrap();
    std::fs::write(dir.path().join("b.txt"), "Other\n\nNothing costs anything here.\n").unwrap();
    let (out, err, code) = run(factql(dir.path()).arg("extract").arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> =
        out.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["title"], "Aid");
    let money = lines[0]["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["plugin"] == "money")
        .expect("the money plugin ran");
    let fact = &money["facts"][0];
    assert_eq!((fact["kind"].as_str(), fact["text"].as_str()), (Some("money"), Some("$5 million")));
    // The text is the article's from start to end: after the title and the blank line.
    let (start, end) = (fact["start"].as_u64().unwrap(), fact["end"].as_u64().unwrap());
    assert_eq!((start, end), (19, 29), "{fact}");
    assert_eq!(fact["fields"], serde_json::json!({"amount": 5e6, "currency": "USD"}));
    assert!(!dir.path().join("factql.db").exists(), "extract must not create a store");
}

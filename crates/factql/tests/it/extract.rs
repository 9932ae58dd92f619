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

#[test]
fn ner_jsonl_gives_labelled_spans_into_the_text_as_given_with_the_records_id() {
    let dir = tempfile::tempdir().unwrap();
    let body = "Hungarian Prime Minister Viktor Orbán met Olaf Scholz in Berlin on Monday.";
    let record = serde_json::json!({"id": "r1", "title": "Talks in Berlin", "text": body});
    std::fs::write(dir.path().join("in.jsonl"), format!("{record}\n")).unwrap();
    let (out, err, code) =
        run(factql(dir.path()).args(["extract", "--format", "ner-jsonl", "in.jsonl"]));
    assert_eq!(code, 0, "{err}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["id"], "r1");
    let spans: Vec<(String, String)> = line["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (start, end) = (e["start"].as_u64().unwrap(), e["end"].as_u64().unwrap());
            (body[start as usize..end as usize].to_owned(), e["label"].as_str().unwrap().to_owned())
        })
        .collect();
    // The title field is not part of the text as given: offsets are into `text`.
    for expected in [("Viktor Orbán", "PER"), ("Olaf Scholz", "PER"), ("Berlin", "LOC")] {
        assert!(
            spans.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {spans:?}"
        );
    }
    // A demonym is not a name: "Hungarian" is not scored as a place.
    assert!(!spans.iter().any(|(text, _)| text == "Hungarian"), "{spans:?}");
}

//! The example article (`crates/factql/corpus/000_dcc1d3f2ccee5e65.txt`) against the `dates`
//! of the seed gold (`tests/data/seed-gold.json` of the repository), with the publication
//! date the gold assumes (2023-10-30): every gold date found with its span and value, the
//! temponym "January 6th" never resolved against the publication year, and precision and
//! recall printed (`cargo test -p factql-extractor-dates --test seed -- --nocapture`).

#![allow(clippy::unwrap_used)]

use factql_extractor_dates::Dates;
use factql_plugin_sdk::Config;
use factql_plugin_sdk::testing::run_with;
use factql_plugin_sdk::wire::{Inputs, Span, Value};
use serde_json::Value as Json;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[test]
fn seed_article_dates_match_the_gold() {
    let text =
        std::fs::read_to_string(format!("{ROOT}/crates/factql/corpus/000_dcc1d3f2ccee5e65.txt"))
            .unwrap();
    let gold: Json = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/data/seed-gold.json")).unwrap(),
    )
    .unwrap();
    let published = gold["published_assumed"].as_str().unwrap();
    assert_eq!(published, "2023-10-30");
    let sentences = gold["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            Span::new(s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize)
        })
        .collect();
    let inputs = Inputs { sentences, published: Some(published.to_owned()), ..Inputs::default() };
    let batch = run_with::<Dates>(&text, &Config::default(), inputs).unwrap();
    let found: Vec<(usize, usize, String)> = batch
        .facts
        .iter()
        .map(|f| {
            let value = match f.get("value") {
                Some(Value::Str(v)) => v.clone(),
                other => panic!("value {other:?}"),
            };
            (f.span.start as usize, f.span.end as usize, value)
        })
        .collect();

    let mut correct = 0;
    let mut missed = Vec::new();
    let dates = gold["dates"].as_array().unwrap();
    for d in dates {
        let (start, end) =
            (d["start"].as_u64().unwrap() as usize, d["end"].as_u64().unwrap() as usize);
        let value = d["value"].as_str().unwrap();
        let id = d["id"].as_str().unwrap();
        let hit = found.iter().find(|(s, e, _)| *s == start && *e == end);
        let got = hit.map(|(_, _, v)| v.as_str());
        // A hard fail: a value the gold names as wrong (January 6th as 2023-01-06).
        for wrong in d["wrong_values"].as_array().into_iter().flatten() {
            assert_ne!(got, wrong.as_str(), "{id} {:?} got a wrong value", d["text"]);
        }
        // The unresolved fallback is acceptable for a temponym the gold allows it for.
        let unresolved_ok = d["how"] == "temponym" && got == Some("");
        println!("{id} {:<12} gold {value:<12} got {got:?}", d["text"].as_str().unwrap());
        if got == Some(value) {
            correct += 1;
        } else if !unresolved_ok {
            missed.push(id);
        }
    }
    let spurious: Vec<_> = found
        .iter()
        .filter(|(s, e, _)| {
            !dates.iter().any(|d| {
                d["start"].as_u64() == Some(*s as u64) && d["end"].as_u64() == Some(*e as u64)
            })
        })
        .map(|(s, e, v)| format!("{:?}={v}", &text[*s..*e]))
        .collect();
    let precision = correct as f64 / found.len().max(1) as f64;
    let recall = correct as f64 / dates.len() as f64;
    println!(
        "dates: {correct} correct of {} gold, {} found; precision {precision:.2}, recall {recall:.2}; spurious {spurious:?}",
        dates.len(),
        found.len()
    );
    assert!(missed.is_empty(), "gold dates missed or wrong: {missed:?}");
    assert!(spurious.is_empty(), "dates the gold does not have: {spurious:?}");
}

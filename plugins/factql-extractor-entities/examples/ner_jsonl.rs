//! Prints NER predictions for a JSONL file of `{"id", "text"}` records, in the format
//! `shared/eval/score_ner.py --pred-offsets utf8` reads:
//!
//! ```text
//! cargo run --release -p factql-extractor-entities --example ner_jsonl -- IN.jsonl > pred.jsonl
//! ```
//!
//! Each line of a record's text is one sentence (line 0 is the headline). Printed: every mention
//! of level `Name` whose kind is Person (`PER`), Place (`LOC`) or Org (`ORG`); demonyms and groups
//! are not printed. Offsets are UTF-8 byte offsets into `text`.

use std::io::Write;

use factql_extractor_entities::{Kind, Level, Recognizer, SentenceSpan};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: ner_jsonl IN.jsonl > pred.jsonl");
        std::process::exit(2);
    };
    let input = std::fs::read_to_string(&path).expect("input readable");
    let rec = Recognizer::load().expect("recognizer loads");
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        let id = v["id"].clone();
        let text = v["text"].as_str().or_else(|| v["body"].as_str()).unwrap_or_default();
        let mut sentences = Vec::new();
        let mut start = 0;
        for l in text.split_inclusive('\n') {
            let end = start + l.trim_end_matches('\n').len();
            sentences.push(SentenceSpan { span: start..end, boilerplate: false });
            start += l.len();
        }
        let r = rec.recognize(text, &sentences);
        let ents: Vec<serde_json::Value> = r
            .mentions
            .iter()
            .filter(|m| m.level == Level::Name)
            .filter_map(|m| {
                let label = match m.kind {
                    Kind::Person => "PER",
                    Kind::Place => "LOC",
                    Kind::Org => "ORG",
                    Kind::Group => return None,
                };
                Some(serde_json::json!({"start": m.span.start, "end": m.span.end, "label": label}))
            })
            .collect();
        let rec_out = serde_json::json!({"id": id, "offset_unit": "utf8", "entities": ents});
        writeln!(out, "{rec_out}").expect("stdout writable");
    }
}

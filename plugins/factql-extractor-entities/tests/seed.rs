//! The example article against the seed gold (`tests/data/seed-gold.json` of the repository):
//! every required entity found under its canonical name or an accepted alias, nothing from
//! `must_not`, and named + demonym mention F1 >= 0.9.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use factql_extractor_entities::{Kind, Level, Recognized, Recognizer, SentenceSpan, text::fold};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn load() -> (String, Value, Recognized) {
    let text =
        std::fs::read_to_string(format!("{ROOT}/crates/factql/corpus/000_dcc1d3f2ccee5e65.txt"))
            .unwrap();
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/data/seed-gold.json")).unwrap(),
    )
    .unwrap();
    let sentences: Vec<SentenceSpan> = gold["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| SentenceSpan {
            span: s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize,
            boilerplate: s["boilerplate"].as_bool().unwrap_or(false),
        })
        .collect();
    let rec = Recognizer::load().unwrap();
    let r = rec.recognize(&text, &sentences);
    (text, gold, r)
}

fn kind_name(k: Kind) -> &'static str {
    k.as_str()
}

/// Gold NAM and DEM mentions: (start, end, required) per entity id.
fn gold_mentions(gold: &Value) -> Vec<(usize, usize, bool, String)> {
    let mut out = Vec::new();
    for e in gold["entities"].as_array().unwrap() {
        for m in e["mentions"].as_array().unwrap() {
            let level = m["level"].as_str().unwrap();
            if level != "NAM" && level != "DEM" {
                continue;
            }
            out.push((
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
                !m["optional"].as_bool().unwrap_or(false),
                e["id"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

#[test]
fn required_entities_have_their_canonical_names() {
    let (text, gold, r) = load();
    let mut missing = Vec::new();
    for e in gold["entities"].as_array().unwrap() {
        let required = e["mentions"].as_array().unwrap().iter().any(|m| {
            matches!(m["level"].as_str(), Some("NAM" | "DEM"))
                && !m["optional"].as_bool().unwrap_or(false)
        });
        if !required {
            continue;
        }
        let mut names: HashSet<String> = e["aliases_accepted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| fold(a.as_str().unwrap()))
            .collect();
        let canonical = e["canonical"].as_str().unwrap();
        names.insert(fold(canonical));
        names.insert(fold(canonical.trim_start_matches("the ")));
        // the entity is found when one of its gold mentions is linked to an entity of the gold
        // kind whose canonical name is the gold one or an accepted alias
        let kind = e["kind"].as_str().unwrap();
        let found = e["mentions"].as_array().unwrap().iter().any(|m| {
            let (s, en) =
                (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
            r.mentions.iter().any(|x| {
                let ent = &r.entities[x.entity];
                x.span == (s..en) && kind_name(ent.kind) == kind && names.contains(&fold(&ent.name))
            })
        });
        if !found {
            missing.push(canonical.to_string());
        }
    }
    let got: Vec<String> = r
        .mentions
        .iter()
        .map(|m| {
            format!(
                "{} -> {} ({:?})",
                &text[m.span.clone()],
                r.entities[m.entity].name,
                r.entities[m.entity].kind
            )
        })
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}; got {got:#?}");
}

#[test]
fn nothing_from_must_not() {
    let (text, gold, r) = load();
    for m in gold["must_not"].as_array().unwrap() {
        let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        let what = m["must_not_be"].as_str().unwrap();
        for x in &r.mentions {
            if x.span != (s..e) {
                continue;
            }
            let ent = &r.entities[x.entity];
            let bad = if what.starts_with("entity")
                || what.starts_with("mention")
                || what.starts_with("single entity")
            {
                true
            } else if what.starts_with("person") || what.contains("person name") {
                ent.kind == Kind::Person
            } else if what.contains("country") || what.contains("ISO3") {
                ent.id.starts_with("iso:")
            } else {
                false
            };
            assert!(!bad, "{:?} must not be {what}: got {ent:?}", &text[s..e]);
        }
        if what.starts_with("canonical") {
            assert!(
                !r.entities
                    .iter()
                    .any(|x| x.kind == Kind::Person && fold(&x.name) == fold(&text[s..e])),
                "{what}"
            );
        }
    }
}

#[test]
fn named_and_demonym_mention_f1_is_at_least_0_9() {
    let (text, gold, r) = load();
    let gm = gold_mentions(&gold);
    let required: HashSet<(usize, usize)> = gm.iter().filter(|g| g.2).map(|g| (g.0, g.1)).collect();
    let optional: HashSet<(usize, usize)> =
        gm.iter().filter(|g| !g.2).map(|g| (g.0, g.1)).collect();
    let pred: HashSet<(usize, usize)> = r
        .mentions
        .iter()
        .filter(|m| matches!(m.level, Level::Name | Level::Demonym))
        .map(|m| (m.span.start, m.span.end))
        .filter(|s| !optional.contains(s))
        .collect();
    let tp = pred.intersection(&required).count() as f64;
    let p = tp / pred.len().max(1) as f64;
    let rc = tp / required.len().max(1) as f64;
    let f1 = if tp == 0.0 { 0.0 } else { 2.0 * p * rc / (p + rc) };
    let fp: Vec<&str> = pred.difference(&required).map(|&(s, e)| &text[s..e]).collect();
    let fneg: Vec<&str> = required.difference(&pred).map(|&(s, e)| &text[s..e]).collect();
    assert!(f1 >= 0.9, "F1 {f1:.3} (P {p:.3} R {rc:.3}); false positives {fp:?}; missed {fneg:?}");
}

//! Event coding measured on coded sentences: the development set of `shared/eval/events`
//! (PETRARCH2 unit tests with CAMEO codes, PLOVER gold-standard records with PLOVER
//! categories) and this crate's held-out set (`eval/heldout.jsonl`, never tuned on). Each
//! sentence goes through the entities and dates extractors first, as in factql.
//!
//! ```text
//! cargo run --release -p factql-extractor-events --example evaluate [-- EVENTS_DEV.jsonl]
//! ```
//!
//! Figures, per gold event: **code accuracy**, whether an event of the sentence has the gold
//! CAMEO root (PETRARCH, held-out) or PLOVER category (PLOVER records); **actor / target
//! accuracy**, for the gold events whose code was found, whether that event's actor (target)
//! names a gold one: an entity name or alias of the extractors equal to, or a word-bounded
//! part of, the gold text; for PETRARCH's coded actors, a phrase of its validation actor
//! dictionary with that code or its country prefix. For a gold event without a target (or
//! actor), that role is not counted. **False alarms**: events found in sentences whose gold
//! has none. The PETRARCH tests code a fictional world the entity extractor does not know, so
//! they are also scored with the actors of PETRARCH's validation dictionary given as the
//! mentions, as PETRARCH itself is tested: that line measures the coder alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;

use common::{Run, fold, run, run_given};
use factql_plugin_sdk::wire::{Entity, Fact, Mention, MentionLevel, Span};
use serde_json::Value;

const CRATE: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Default)]
struct Tally {
    gold: usize,
    coded: usize,
    actor_gold: usize,
    actor_right: usize,
    target_gold: usize,
    target_right: usize,
    empty_sentences: usize,
    false_alarms: usize,
    found: usize,
}

impl Tally {
    fn print(&self, name: &str, code: &str) {
        let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
        println!(
            "{name:<34} {code} accuracy {:5.1}% ({}/{}); actor {:5.1}% ({}/{}); target {:5.1}% ({}/{}); \
             {} events found; false alarms {} in {} sentences without events",
            pct(self.coded, self.gold),
            self.coded,
            self.gold,
            pct(self.actor_right, self.actor_gold),
            self.actor_right,
            self.actor_gold,
            pct(self.target_right, self.target_gold),
            self.target_right,
            self.target_gold,
            self.found,
            self.false_alarms,
            self.empty_sentences,
        );
    }
}

/// PETRARCH's validation actors: code -> folded phrases.
fn validation_actors(dev: &std::path::Path) -> HashMap<String, Vec<String>> {
    let path = dev.with_file_name("petrarch_validation").join("PETR.Validate.actors.txt");
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut pending: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('<') {
            continue;
        }
        if let Some(phrase) = line.strip_prefix('+') {
            pending.push(fold(&phrase.replace('_', " ")));
            continue;
        }
        let (phrase, code) = match line.find('[') {
            Some(i) => (&line[..i], line[i + 1..].split(']').next().unwrap_or("")),
            None => (line, ""),
        };
        let phrase = fold(phrase.trim().trim_end_matches('_').replace('_', " ").trim());
        if code.is_empty() {
            pending.push(phrase);
            continue;
        }
        let code = code.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let entry = out.entry(code).or_default();
        entry.push(phrase);
        entry.append(&mut pending);
    }
    out
}

/// Whether `part` occurs in `whole` as whole words.
fn contains_words(whole: &str, part: &str) -> bool {
    !part.is_empty()
        && whole.match_indices(part).any(|(i, _)| {
            let before = whole[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = whole[i + part.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            before && after
        })
}

/// Whether an entity of a role names a gold actor `{code, text}` (or a plain name).
fn names_gold(
    run: &Run,
    ids: &[String],
    gold: &Value,
    actors: &HashMap<String, Vec<String>>,
) -> bool {
    let texts: Vec<String> = match gold {
        Value::String(s) => vec![fold(s)],
        _ => {
            let mut t = Vec::new();
            if let Some(s) = gold["text"].as_str() {
                t.push(fold(s));
            }
            if let Some(code) = gold["code"].as_str() {
                let code = code.to_ascii_uppercase();
                for (k, phrases) in actors {
                    if *k == code || (k.len() >= 3 && code.starts_with(k.as_str())) {
                        t.extend(phrases.iter().cloned());
                    }
                }
            }
            t
        }
    };
    ids.iter().any(|id| {
        run.names(id).iter().map(|n| fold(n)).any(|name| {
            texts.iter().any(|t| *t == name || contains_words(t, &name) || contains_words(&name, t))
        })
    })
}

/// PETRARCH's own setting: the actors of its validation dictionary as the entity mentions
/// (longest phrase first, whole words, any case), so the coder is measured apart from the
/// entity extractor, which does not know the test world's fictional names.
fn dictionary_run(
    text: &str,
    published: Option<&str>,
    actors: &HashMap<String, Vec<String>>,
) -> Run {
    let lower = fold(text);
    let mut phrases: Vec<(&str, &str)> = actors
        .iter()
        .flat_map(|(code, list)| list.iter().map(move |p| (p.as_str(), code.as_str())))
        .filter(|(p, _)| p.len() >= 2)
        .collect();
    phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut mentions = Vec::new();
    let mut entities: Vec<Entity> = Vec::new();
    for (phrase, code) in phrases {
        // `fold` keeps byte offsets for ASCII text, which the test sentences are.
        if lower.len() != text.len() {
            break;
        }
        for (start, _) in lower.match_indices(phrase) {
            let end = start + phrase.len();
            let bounded = lower[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
                && lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            if !bounded || taken.iter().any(|&(s, e)| start < e && s < end) {
                continue;
            }
            taken.push((start, end));
            let id = format!("petr:{code}");
            let kind = if code.len() == 3 { "place" } else { "org" };
            mentions.push(Mention {
                span: Span::new(start, end),
                ent_type: kind.into(),
                level: MentionLevel::Name,
                entity: Some(id.clone()),
                confidence: 1.0,
            });
            if !entities.iter().any(|e| e.id == id) {
                entities.push(Entity {
                    id,
                    kind: kind.into(),
                    name: phrase.to_owned(),
                    aliases: Vec::new(),
                    wikidata: None,
                });
            }
        }
    }
    mentions.sort_by_key(|m| m.span.start);
    run_given(text, mentions, entities, published)
}

fn sentence_run(text: &str, published: Option<&str>) -> Run {
    if std::env::var_os("EVAL_VERBOSE").is_some() {
        println!("TEXT {text}");
    }
    let end = text.trim_end().len();
    run(text, vec![Span::new(0, end)], Vec::new(), published)
}

/// Scores one sentence: `code_of(fact)` is what is compared with `gold_code(event)`.
fn score(
    tally: &mut Tally,
    run: &Run,
    gold: &[Value],
    gold_code: &dyn Fn(&Value) -> Option<String>,
    code_of: &dyn Fn(&Fact) -> String,
    actors: &HashMap<String, Vec<String>>,
    roles: (&str, &str),
) {
    tally.found += run.events.len();
    if gold.is_empty() {
        tally.empty_sentences += 1;
        tally.false_alarms += run.events.len();
        return;
    }
    let verbose = std::env::var_os("EVAL_VERBOSE").is_some();
    for g in gold {
        let Some(code) = gold_code(g) else { continue };
        tally.gold += 1;
        let candidates: Vec<&Fact> = run.events.iter().filter(|f| code_of(f) == code).collect();
        if candidates.is_empty() {
            if verbose {
                let found: Vec<String> = run
                    .events
                    .iter()
                    .map(|f| {
                        format!(
                            "{}:{}:{}",
                            Run::field(f, "type"),
                            code_of(f),
                            Run::field(f, "trigger")
                        )
                    })
                    .collect();
                println!("MISS {code} {found:?} | {}", g["event_text"].as_str().unwrap_or(""));
            }
            continue;
        }
        tally.coded += 1;
        let list = |v: &Value| -> Vec<Value> {
            match v {
                Value::Array(a) => a.clone(),
                Value::String(s) if !s.is_empty() => vec![v.clone()],
                _ => Vec::new(),
            }
        };
        let gold_actors = list(&g[roles.0]);
        let gold_targets = list(&g[roles.1]);
        // The best candidate: the one naming most gold roles.
        let (mut a_ok, mut t_ok) = (false, false);
        for f in &candidates {
            let mut ids_a = Run::role(f, "actor");
            let mut ids_t = Run::role(f, "target");
            if Run::field(f, "type") == "meet" || gold_targets.is_empty() {
                // Participants without a direction: either role.
                let all: Vec<String> = ids_a.iter().chain(&ids_t).cloned().collect();
                ids_a.clone_from(&all);
                ids_t = all;
            }
            let a = gold_actors.iter().any(|ga| names_gold(run, &ids_a, ga, actors));
            let t = gold_targets.iter().any(|gt| names_gold(run, &ids_t, gt, actors));
            if (a as u8 + t as u8) > (a_ok as u8 + t_ok as u8) {
                (a_ok, t_ok) = (a, t);
            }
        }
        if !gold_actors.is_empty() {
            tally.actor_gold += 1;
            tally.actor_right += usize::from(a_ok);
        }
        if !gold_targets.is_empty() {
            tally.target_gold += 1;
            tally.target_right += usize::from(t_ok);
        }
    }
}

fn main() {
    let dev = std::env::args().nth(1).map_or_else(
        || {
            std::path::PathBuf::from(format!(
                "{CRATE}/../../../shared/eval/events/events_dev.jsonl"
            ))
        },
        std::path::PathBuf::from,
    );
    let root_of = |f: &Fact| Run::field(f, "root");
    let plover_of = |f: &Fact| Run::field(f, "plover");
    match std::fs::read_to_string(&dev) {
        Ok(text) => {
            let actors = validation_actors(&dev);
            let (mut petrarch, mut plover) = (Tally::default(), Tally::default());
            let mut petrarch_dict = Tally::default();
            for line in text.lines() {
                let record: Value = serde_json::from_str(line).expect("a JSON line");
                let source = record["source"].as_str().unwrap_or("");
                let expect = record["expect"].as_str().unwrap_or("events");
                if expect.starts_with("error") {
                    continue;
                }
                let run =
                    sentence_run(record["text"].as_str().unwrap_or(""), record["date"].as_str());
                let gold = record["events"].as_array().cloned().unwrap_or_default();
                if source == "plover-gsr" {
                    let code = |g: &Value| g["plover"].as_str().map(str::to_owned);
                    score(
                        &mut plover,
                        &run,
                        &gold,
                        &code,
                        &plover_of,
                        &actors,
                        ("source_actor", "target_actor"),
                    );
                } else {
                    // Codes only the validation dictionaries define have no CAMEO root.
                    let code = |g: &Value| g["root"].as_str().map(str::to_owned);
                    score(
                        &mut petrarch,
                        &run,
                        &gold,
                        &code,
                        &root_of,
                        &actors,
                        ("source_actor", "target_actor"),
                    );
                    let text = record["text"].as_str().unwrap_or("");
                    let run = dictionary_run(text, record["date"].as_str(), &actors);
                    let roles = ("source_actor", "target_actor");
                    score(&mut petrarch_dict, &run, &gold, &code, &root_of, &actors, roles);
                }
            }
            println!("development set {}:", dev.display());
            petrarch.print("  PETRARCH2 unit tests", "CAMEO root");
            petrarch_dict.print("  the same, PETRARCH's actors given", "CAMEO root");
            plover.print("  PLOVER gold-standard records", "PLOVER category");
        }
        Err(err) => println!("development set {} not read: {err}", dev.display()),
    }
    let held =
        std::fs::read_to_string(format!("{CRATE}/eval/heldout.jsonl")).expect("heldout.jsonl");
    let mut tally = Tally::default();
    let mut types = (0, 0);
    for line in held.lines() {
        let record: Value = serde_json::from_str(line).expect("a JSON line");
        let run = sentence_run(record["text"].as_str().unwrap_or(""), Some("2023-11-01"));
        let gold = record["events"].as_array().cloned().unwrap_or_default();
        for g in &gold {
            types.0 += 1;
            types.1 += usize::from(
                run.events
                    .iter()
                    .any(|f| Run::field(f, "type") == g["type"].as_str().unwrap_or("")),
            );
        }
        let code = |g: &Value| g["root"].as_str().map(str::to_owned);
        score(&mut tally, &run, &gold, &code, &root_of, &HashMap::new(), ("actor", "target"));
    }
    println!("held-out set eval/heldout.jsonl:");
    tally.print("  hand-written news sentences", "CAMEO root");
    println!(
        "  event type accuracy {:.1}% ({}/{})",
        100.0 * types.1 as f64 / types.0.max(1) as f64,
        types.1,
        types.0
    );
}

//! The tone extractor through the SDK's harness: the reference scores of the example article,
//! and entity tone from constructed mentions.

#![allow(clippy::unwrap_used, reason = "tests")]

use factql_plugin_sdk::Config;
use factql_plugin_sdk::testing::run_with;
use factql_plugin_sdk::wire::{Entity, Fact, Inputs, Mention, MentionLevel, Span, Target, Value};

use super::Tone;
use crate::vader::Vader;

/// The example article and VADER 3.3.2's scores of its sentences and of the whole file.
const ARTICLE: &str = include_str!("../../../crates/factql/corpus/000_dcc1d3f2ccee5e65.txt");
const SEED_TONE: &str = include_str!("../../../tests/data/seed-tone.json");

fn float(fact: &Fact, name: &str) -> f64 {
    match fact.get(name) {
        Some(Value::Float(x)) => *x,
        other => panic!("{name} of {fact:?} is {other:?}"),
    }
}

fn scope(fact: &Fact) -> &str {
    match fact.get("scope") {
        Some(Value::Str(s)) => s,
        other => panic!("scope of {fact:?} is {other:?}"),
    }
}

fn run(text: &str, inputs: Inputs) -> Vec<Fact> {
    run_with::<Tone>(text, &Config::default(), inputs).unwrap().facts
}

#[test]
fn every_sentence_and_the_whole_article_match_seed_tone_within_a_hundredth() {
    let gold: serde_json::Value = serde_json::from_str(SEED_TONE).unwrap();
    let gold_sentences = gold["sentences"].as_array().unwrap();
    assert_eq!(gold_sentences.len(), 20);
    let span = |s: &serde_json::Value| {
        Span::new(s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize)
    };
    let sentences = gold_sentences.iter().map(span).collect();
    let facts = run(ARTICLE, Inputs { sentences, ..Inputs::default() });

    let mut worst: f64 = 0.0;
    let mut compare = |fact: &Fact, gold: &serde_json::Value, what: &str| {
        for field in ["compound", "pos", "neu", "neg"] {
            let (got, want) = (float(fact, field), gold[field].as_f64().unwrap());
            let deviation = (got - want).abs();
            assert!(deviation <= 0.01, "{what}: {field} {got}, VADER 3.3.2 gives {want}");
            worst = worst.max(deviation);
        }
    };
    for gold in gold_sentences {
        let fact = facts
            .iter()
            .find(|f| scope(f) == "sentence" && f.span == span(gold))
            .unwrap_or_else(|| panic!("no tone for sentence {}", gold["index"]));
        compare(fact, gold, &format!("sentence {}", gold["index"]));
    }
    let article: Vec<&Fact> = facts.iter().filter(|f| scope(f) == "article").collect();
    assert_eq!(article.len(), 1);
    assert_eq!(article[0].span, Span::new(0, ARTICLE.len()));
    compare(article[0], &gold["document"], "the whole article");
    // The port reproduces VADER's rounded figures exactly, not just within the tolerance.
    assert!(worst < 1e-9, "largest deviation from seed-tone.json: {worst}");
}

#[test]
fn boilerplate_sentences_get_no_tone() {
    let text = "A good day. Share this article. A bad day.";
    let inputs = Inputs {
        sentences: vec![Span::new(0, 11), Span::new(12, 31), Span::new(32, 42)],
        boilerplate: vec![1],
        ..Inputs::default()
    };
    let facts = run(text, inputs);
    let spans: Vec<&str> = facts
        .iter()
        .filter(|f| scope(f) == "sentence")
        .map(|f| f.span.slice(text).unwrap())
        .collect();
    assert_eq!(spans, ["A good day.", "A bad day."]);
}

/// A mention of `entity` at the first occurrence of `name` at or after `from`.
fn mention(text: &str, name: &str, from: usize, entity: Option<&str>) -> Mention {
    let start = from + text[from..].find(name).unwrap();
    Mention {
        span: Span::new(start, start + name.len()),
        ent_type: "PER".into(),
        level: MentionLevel::Name,
        entity: entity.map(str::to_owned),
        confidence: 1.0,
    }
}

#[test]
fn entity_tone_is_the_mean_over_the_sentences_that_mention_it() {
    let sentences = [
        "Alice is a wonderful, brilliant friend.",
        "Bob is a terrible liar.",
        "Alice met Bob, and Alice was happy.",
        "Nobody came.",
        "Carol was hated.",
    ];
    let text = sentences.join(" ");
    let mut spans = Vec::new();
    let mut at = 0;
    for s in &sentences {
        spans.push(Span::new(at, at + s.len()));
        at += s.len() + 1;
    }
    let starts: Vec<usize> = spans.iter().map(|s| s.start as usize).collect();
    let mentions = vec![
        mention(&text, "Alice", starts[0], Some("local:person:alice")),
        // One plugin's mentions, Bob first in sentence 2...
        mention(&text, "Bob", starts[2], Some("local:person:bob")),
        mention(&text, "Alice", starts[2], Some("local:person:alice")),
        // Twice in one sentence: that sentence still counts once.
        mention(&text, "Alice", starts[2] + 6, Some("local:person:alice")),
        // No entity: no tone.
        mention(&text, "Nobody", starts[3], None),
        // Only in a boilerplate sentence: no tone.
        mention(&text, "Carol", starts[4], Some("local:person:carol")),
        // ...then another plugin's, with Bob earlier, in sentence 1: his first mention.
        mention(&text, "Bob", starts[1], Some("local:person:bob")),
    ];
    let entities = ["alice", "bob", "carol"]
        .iter()
        .map(|n| Entity {
            id: format!("local:person:{n}"),
            kind: "person".into(),
            name: (*n).into(),
            aliases: Vec::new(),
            wikidata: None,
        })
        .collect();
    let inputs = Inputs {
        sentences: spans.clone(),
        boilerplate: vec![4],
        mentions,
        entities,
        ..Inputs::default()
    };
    let facts = run(&text, inputs);

    let vader = Vader::load();
    let score = |i: usize| vader.polarity_scores(sentences[i]);
    let entity_facts: Vec<&Fact> = facts.iter().filter(|f| scope(f) == "entity").collect();
    let ids: Vec<&Target> = entity_facts.iter().map(|f| &f.args[0].target).collect();
    assert_eq!(
        ids,
        [&Target::Entity("local:person:alice".into()), &Target::Entity("local:person:bob".into())]
    );
    assert!(entity_facts.iter().all(|f| f.args[0].role == "entity"));
    for (fact, (first, mentioned)) in entity_facts.iter().zip([(0, [0, 2]), (1, [1, 2])]) {
        let [a, b] = mentioned.map(score);
        for (field, part) in [
            ("compound", (a.compound + b.compound) / 2.0),
            ("pos", (a.pos + b.pos) / 2.0),
            ("neu", (a.neu + b.neu) / 2.0),
            ("neg", (a.neg + b.neg) / 2.0),
        ] {
            assert!((float(fact, field) - part).abs() < 1e-12, "{field} of {fact:?}");
        }
        assert_eq!(fact.get("sentence_count"), Some(&Value::Int(2)));
        // The evidence is the first mention.
        assert_eq!(fact.span.start, spans[first].start);
    }
    // The sentences differ in tone, so the means tell the entities apart.
    let alice = float(entity_facts[0], "compound");
    let bob = float(entity_facts[1], "compound");
    assert!(alice > 0.3 && bob < 0.0, "alice {alice}, bob {bob}");
}

#[test]
fn an_empty_article_gets_no_tone() {
    assert!(run("", Inputs::default()).is_empty());
    assert!(run("  \n ", Inputs::default()).is_empty());
}

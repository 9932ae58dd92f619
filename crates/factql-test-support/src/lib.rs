//! Fixtures for factql's tests: the hand-written fact set of `tests/data/fixture/fixture.json`,
//! written into a store through the same code paths ingest and the plugins use.
//!
//! Articles go through `factql-ingest` (so segmentation is the real one); mentions are found
//! by exact whole-word matching of entity names and aliases (longest first); role, event,
//! quote and tone facts are located by their evidence text and stored with
//! `Store::write_extraction` under the extractor name `fixture@1`.
//!
//! [`synthetic_store`] generates a store of any size for benchmarks.

mod corpus;
mod synthetic;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use factql_ingest::{Input, Options, read_input};
use factql_model::{
    Arg, ArgTarget, Article, Entity, ExtractorRef, Fact, FieldDef, FieldType, KindSchema, Mention,
    MentionLevel, Provenance, Span, Value,
};
use factql_store::{Extraction, Store};
use serde_json::Value as Json;

pub use synthetic::synthetic_store;

/// The fixture definition, embedded at build time.
const FIXTURE: &str = include_str!("../../../tests/data/fixture/fixture.json");

/// Something in the fixture file is inconsistent.
#[derive(Debug)]
pub struct FixtureError(pub String);

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fixture: {}", self.0)
    }
}

impl std::error::Error for FixtureError {}

impl From<factql_store::StoreError> for FixtureError {
    fn from(err: factql_store::StoreError) -> FixtureError {
        FixtureError(err.to_string())
    }
}

fn bad(message: impl Into<String>) -> FixtureError {
    FixtureError(message.into())
}

pub use corpus::{corpus_articles, corpus_dir, corpus_files};

/// Creates `path` and stores the fixture in it.
pub fn fixture_store(path: &Path) -> Result<Store, FixtureError> {
    let fixture: Json = serde_json::from_str(FIXTURE).map_err(|e| bad(e.to_string()))?;
    let mut store = Store::open(path)?;
    let extractor =
        std::sync::Arc::new(ExtractorRef { name: "fixture".into(), version: "1".into() });

    // Articles, as JSON Lines through the real reader.
    let mut jsonl = String::new();
    let mut keys = Vec::new();
    for article in fixture["articles"].as_array().ok_or_else(|| bad("articles"))? {
        keys.push(article["key"].as_str().ok_or_else(|| bad("article key"))?.to_owned());
        jsonl.push_str(&article.to_string());
        jsonl.push('\n');
    }
    let bytes: &'static [u8] = Box::leak(jsonl.into_bytes().into_boxed_slice());
    let mut articles: Vec<Article> = Vec::new();
    let mut failure = None;
    read_input(
        &Input::Memory { name: "fixture.jsonl".into(), bytes },
        &Options::default(),
        &mut |result| {
            match result {
                Ok(article) => articles.push(article),
                Err(err) => failure = Some(err.to_string()),
            }
            ControlFlow::Continue(())
        },
    );
    if let Some(failure) = failure {
        return Err(bad(failure));
    }
    store.write_batch(&articles)?;
    let by_key: BTreeMap<&str, &Article> = keys.iter().map(String::as_str).zip(&articles).collect();

    let kinds = parse_kinds(&fixture["kinds"])?;
    store.declare_kinds(&kinds, "fixture")?;
    let run = store.begin_run(&extractor, "fixture")?;

    let entities = parse_entities(&fixture["entities"])?;
    let mut per_article: BTreeMap<&str, Extraction> = BTreeMap::new();
    for (key, article) in &by_key {
        let extraction = per_article.entry(key).or_default();
        extraction.entities = entities.clone();
        extraction.mentions = find_mentions(article, &entities, &extractor);
    }

    let find = |key: &str, evidence: &str| -> Result<(&Article, Span, usize), FixtureError> {
        let article = by_key.get(key).ok_or_else(|| bad(format!("no article {key}")))?;
        let start =
            article.text.find(evidence).ok_or_else(|| bad(format!("{evidence:?} not in {key}")))?;
        let span = Span::new(start, start + evidence.len());
        let sentence = article
            .sentences
            .iter()
            .find(|s| s.span.contains(span))
            .ok_or_else(|| bad(format!("{evidence:?} crosses sentences in {key}")))?
            .index;
        Ok((article, span, sentence))
    };
    let prov = |article: &Article, span: Span, sentence: usize| Provenance {
        article: article.id.clone(),
        sentence,
        span,
        extractor: extractor.clone(),
        confidence: 0.9,
    };
    let text = |value: &Json| value.as_str().map(str::to_owned);
    let date = |value: &Json| value.as_str().map_or(Value::Null, |d| Value::Date(d.to_owned()));
    let entity = |value: &Json| value.as_str().map(|id| ArgTarget::Entity(id.to_owned()));

    for role in fixture["roles"].as_array().ok_or_else(|| bad("roles"))? {
        let r = role.as_array().ok_or_else(|| bad("role"))?;
        let key = r[6].as_str().ok_or_else(|| bad("role article"))?;
        let (article, span, sentence) = find(key, r[7].as_str().unwrap_or(""))?;
        let mut fields = BTreeMap::new();
        fields.insert("title".into(), Value::Str(text(&r[1]).unwrap_or_default()));
        fields.insert("category".into(), Value::Str(text(&r[2]).unwrap_or_default()));
        fields.insert("during".into(), Value::Interval(text(&r[4]), text(&r[5])));
        fields.insert("date".into(), article.published.clone().map_or(Value::Null, Value::Date));
        let mut args = Vec::new();
        for (role_name, value) in [("person", &r[0]), ("body", &r[3])] {
            if let Some(target) = entity(value) {
                args.push(Arg { role: role_name.into(), target });
            }
        }
        push_fact(
            &mut per_article,
            key,
            Fact { kind: "role".into(), provenance: prov(article, span, sentence), fields, args },
        );
    }
    for event in fixture["events"].as_array().ok_or_else(|| bad("events"))? {
        let e = event.as_array().ok_or_else(|| bad("event"))?;
        let key = e[5].as_str().ok_or_else(|| bad("event article"))?;
        let evidence = e[6].as_str().unwrap_or("");
        let (article, span, sentence) = find(key, evidence)?;
        let mut fields = BTreeMap::new();
        fields.insert("type".into(), Value::Str(text(&e[0]).unwrap_or_default()));
        fields.insert("date".into(), date(&e[4]));
        fields.insert("trigger".into(), Value::Str(evidence.to_owned()));
        let mut args = Vec::new();
        for (role_name, value) in [("actor", &e[1]), ("target", &e[2]), ("place", &e[3])] {
            if let Some(target) = entity(value) {
                args.push(Arg { role: role_name.into(), target });
            }
        }
        push_fact(
            &mut per_article,
            key,
            Fact { kind: "event".into(), provenance: prov(article, span, sentence), fields, args },
        );
    }
    for quote in fixture["quotes"].as_array().ok_or_else(|| bad("quotes"))? {
        let q = quote.as_array().ok_or_else(|| bad("quote"))?;
        let key = q[4].as_str().ok_or_else(|| bad("quote article"))?;
        let quoted = q[1].as_str().unwrap_or("");
        let (article, span, sentence) = find(key, quoted)?;
        let mut fields = BTreeMap::new();
        fields.insert("text".into(), Value::Str(quoted.to_owned()));
        fields.insert("verb".into(), Value::Str(text(&q[2]).unwrap_or_default()));
        fields.insert("date".into(), date(&q[3]));
        let args = entity(&q[0])
            .map(|target| vec![Arg { role: "speaker".into(), target }])
            .unwrap_or_default();
        push_fact(
            &mut per_article,
            key,
            Fact { kind: "quote".into(), provenance: prov(article, span, sentence), fields, args },
        );
    }
    for (key, compound) in fixture["tone"].as_object().ok_or_else(|| bad("tone"))? {
        let article = by_key.get(key.as_str()).ok_or_else(|| bad(format!("no article {key}")))?;
        let span = Span::new(0, article.text.len());
        let mut fields = BTreeMap::new();
        fields.insert("scope".into(), Value::Str("article".into()));
        fields.insert("compound".into(), Value::Float(compound.as_f64().unwrap_or(0.0)));
        push_fact(
            &mut per_article,
            key,
            Fact {
                kind: "tone".into(),
                provenance: prov(article, span, 0),
                fields,
                args: Vec::new(),
            },
        );
    }

    for (key, extraction) in &per_article {
        let article = by_key.get(key).ok_or_else(|| bad(format!("no article {key}")))?;
        store.write_extraction(run, &extractor.name, &article.id, extraction)?;
    }
    store.finish_run(run)?;
    Ok(store)
}

fn push_fact(per_article: &mut BTreeMap<&str, Extraction>, key: &str, fact: Fact) {
    if let Some(extraction) = per_article.iter_mut().find(|(k, _)| **k == key).map(|(_, e)| e) {
        extraction.facts.push(fact);
    }
}

fn parse_kinds(kinds: &Json) -> Result<Vec<KindSchema>, FixtureError> {
    let mut out = Vec::new();
    for kind in kinds.as_array().ok_or_else(|| bad("kinds"))? {
        let mut fields = Vec::new();
        for field in kind["fields"].as_array().ok_or_else(|| bad("kind fields"))? {
            let ty = match field[1].as_str() {
                Some("Str") => FieldType::Str,
                Some("Float") => FieldType::Float,
                Some("Int") => FieldType::Int,
                Some("Date") => FieldType::Date,
                Some("Interval") => FieldType::Interval,
                Some("Bool") => FieldType::Bool,
                other => return Err(bad(format!("field type {other:?}"))),
            };
            fields.push(FieldDef {
                name: field[0].as_str().unwrap_or_default().to_owned(),
                ty,
                required: field[2].as_bool().unwrap_or(false),
            });
        }
        let roles = kind["roles"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        out.push(KindSchema {
            name: kind["name"].as_str().unwrap_or_default().to_owned(),
            fields,
            roles,
        });
    }
    Ok(out)
}

fn parse_entities(entities: &Json) -> Result<Vec<Entity>, FixtureError> {
    let mut out = Vec::new();
    for entity in entities.as_array().ok_or_else(|| bad("entities"))? {
        let e = entity.as_array().ok_or_else(|| bad("entity"))?;
        out.push(Entity {
            id: e[0].as_str().unwrap_or_default().to_owned(),
            kind: e[1].as_str().unwrap_or_default().to_owned(),
            name: e[2].as_str().unwrap_or_default().to_owned(),
            aliases: e[3]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            // A `wd:` id says it already; the engine reads it from there.
            wikidata: None,
        });
    }
    Ok(out)
}

/// Whole-word occurrences of entity names and aliases, longest first, never overlapping.
fn find_mentions(
    article: &Article,
    entities: &[Entity],
    extractor: &std::sync::Arc<ExtractorRef>,
) -> Vec<Mention> {
    let mut names: Vec<(&str, &Entity)> = Vec::new();
    for entity in entities {
        names.push((&entity.name, entity));
        names.extend(entity.aliases.iter().map(|alias| (alias.as_str(), entity)));
    }
    names.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let text = &article.text;
    let mut taken: Vec<Span> = Vec::new();
    let mut found: Vec<(Span, &Entity)> = Vec::new();
    for (name, entity) in names {
        for (start, _) in text.match_indices(name) {
            let span = Span::new(start, start + name.len());
            let before = text[..start].chars().next_back();
            let after = text[span.end..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            if taken.iter().any(|t| t.start < span.end && span.start < t.end) {
                continue;
            }
            taken.push(span);
            found.push((span, entity));
        }
    }
    found.sort_by_key(|(span, _)| *span);
    found
        .into_iter()
        .filter_map(|(span, entity)| {
            let sentence = article.sentences.iter().find(|s| s.span.contains(span))?.index;
            let ent_type = match entity.kind.as_str() {
                "person" => "PER",
                "place" => "GPE",
                "org" => "ORG",
                other => other,
            };
            Some(Mention {
                provenance: Provenance {
                    article: article.id.clone(),
                    sentence,
                    span,
                    extractor: extractor.clone(),
                    confidence: 1.0,
                },
                ent_type: ent_type.into(),
                level: MentionLevel::Name,
                entity: Some(entity.id.clone()),
            })
        })
        .collect()
}

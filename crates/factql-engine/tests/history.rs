//! Changed articles and article metadata: live versions by default, `articles(all)` for
//! history, `meta.KEY` for the metadata the readers kept.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::collections::BTreeMap;
use std::sync::Arc;

use factql_engine::{Context, Engine, EngineError, RunOptions};
use factql_model::{
    Article, ArticleId, ExtractorRef, Fact, FieldDef, FieldType, Format, KindSchema, Paragraph,
    Provenance, Sentence, Span, Value,
};
use factql_store::{Extraction, Store};

fn article(origin: &str, text: &str, author: &str) -> Article {
    let end = text.len();
    Article {
        id: ArticleId(format!("a-{}", text.len())),
        origin: origin.into(),
        format: Format::Json,
        title: text.into(),
        url: None,
        published: Some("2024-01-02".into()),
        source: Some("Wire".into()),
        lang: Some("en".into()),
        meta: BTreeMap::from([("author".into(), author.into()), ("feed_id".into(), "7".into())]),
        text: text.into(),
        text_sha256: format!("sha-{}", text.len()),
        paragraphs: vec![Paragraph { index: 0, span: Span::new(0, end) }],
        sentences: vec![Sentence {
            index: 0,
            span: Span::new(0, end),
            paragraph: 0,
            is_title: true,
            boilerplate: false,
        }],
    }
}

fn money(article: &Article, amount: f64, extractor: &Arc<ExtractorRef>) -> Extraction {
    Extraction {
        facts: vec![Fact {
            kind: "money".into(),
            provenance: Provenance {
                article: article.id.clone(),
                sentence: 0,
                span: Span::new(0, 4),
                extractor: extractor.clone(),
                confidence: 1.0,
            },
            fields: BTreeMap::from([
                ("amount".into(), Value::Float(amount)),
                ("currency".into(), Value::Str("USD".into())),
            ]),
            args: Vec::new(),
        }],
        ..Extraction::default()
    }
}

/// A store where `/a.json` was ingested, extracted, changed and ingested again.
fn store(path: &std::path::Path) -> (Store, Article, Article) {
    let mut store = Store::open(path).unwrap();
    let kind = KindSchema {
        name: "money".into(),
        fields: vec![
            FieldDef { name: "amount".into(), ty: FieldType::Float, required: true },
            FieldDef { name: "currency".into(), ty: FieldType::Str, required: false },
        ],
        roles: Vec::new(),
    };
    store.declare_kinds(&[kind], "money").unwrap();
    let extractor = Arc::new(ExtractorRef { name: "money".into(), version: "1".into() });
    let run = store.begin_run(&extractor, "").unwrap();
    let v1 = article("/a.json", "Aid of $5 million.", "Jane Doe");
    let v2 = article("/a.json", "Aid of $7 million, corrected.", "Jane Doe");
    let other = article("/b.json", "Other news.", "John Roe");
    store.write_batch(&[v1.clone(), other]).unwrap();
    store.write_extraction(run, "money", &v1.id, &money(&v1, 5e6, &extractor)).unwrap();
    store.write_batch(std::slice::from_ref(&v2)).unwrap();
    store.write_extraction(run, "money", &v2.id, &money(&v2, 7e6, &extractor)).unwrap();
    (store, v1, v2)
}

fn rows(engine: &Engine, query: &str) -> Vec<Vec<String>> {
    let relation = engine.query(query, &Context::default(), &RunOptions::default()).unwrap();
    relation
        .rows
        .iter()
        .map(|row| row.vals.iter().map(|v| engine.dataset().display(v)).collect())
        .collect()
}

#[test]
fn a_changed_article_counts_once_and_its_history_is_in_articles_all() {
    let dir = tempfile::tempdir().unwrap();
    let (store, v1, v2) = store(&dir.path().join("x.db"));
    let engine = Engine::load(&store).unwrap();
    // Only the live version's money counts.
    assert_eq!(rows(&engine, "moneys | summarize total = sum(amount)"), [["7000000.0"]]);
    assert_eq!(rows(&engine, "moneys | count"), [["1"]]);
    assert_eq!(rows(&engine, "articles | count"), [["2"]]);
    assert_eq!(rows(&engine, "sentences | count"), [["2"]]);
    assert_eq!(rows(&engine, "match (a:article) | count"), [["2"]]);
    // History: the superseded version, naming its successor.
    assert_eq!(rows(&engine, "articles(all) | count"), [["3"]]);
    assert_eq!(
        rows(&engine, "articles(all) | where superseded_by != null | project id, superseded_by"),
        [[v1.id.0.clone(), v2.id.0.clone()]]
    );
    assert_eq!(rows(&engine, "articles | where superseded_by != null | count"), [["0"]]);
    // Other sources take no arguments; `articles` takes only `all`.
    for bad in ["moneys(all) | count", "articles(every) | count"] {
        match engine.query(bad, &Context::default(), &RunOptions::default()) {
            Err(EngineError::Invalid(diagnostics)) => {
                assert!(diagnostics.iter().any(|d| d.code == "E0211"), "{bad}: {diagnostics:?}")
            }
            other => panic!("{bad}: expected E0211, got {other:?}"),
        }
    }
}

#[test]
fn article_metadata_is_a_queryable_field() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ..) = store(&dir.path().join("x.db"));
    let engine = Engine::load(&store).unwrap();
    assert_eq!(
        rows(&engine, "articles | where meta.author == \"John Roe\" | project title"),
        [["Other news."]]
    );
    let mut by_author = rows(&engine, "articles | summarize n = count() by meta.author");
    by_author.sort();
    assert_eq!(by_author, [["Jane Doe", "1"], ["John Roe", "1"]]);
    assert_eq!(
        rows(&engine, "moneys | project article.meta.feed_id"),
        [["7"]],
        "through a reference too"
    );
    assert_eq!(
        rows(&engine, "articles | where title == \"Other news.\" | project meta"),
        [[r#"{"author":"John Roe","feed_id":"7"}"#]]
    );
    match engine.query(
        "articles | where meta.autor == \"x\"",
        &Context::default(),
        &RunOptions::default(),
    ) {
        Err(EngineError::Invalid(diagnostics)) => {
            let help = diagnostics[0].help.clone().unwrap_or_default();
            assert!(help.contains("did you mean `author`?"), "{help}");
        }
        other => panic!("expected an unknown-key error, got {other:?}"),
    }
}

#[test]
fn text_search_through_the_word_index_sees_only_live_articles_unless_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let (store, ..) = store(&path);
    // "5" is only in the superseded version, "corrected" only in the live one; the image
    // gives the same answers as the store
    let from_store = Engine::load(&store).unwrap();
    from_store.write_image(&store).unwrap();
    let (from_image, _) = Engine::open(&store).unwrap();
    for engine in [&from_store, &from_image] {
        assert_eq!(rows(engine, "articles | where text has \"5\" | count"), [["0"]]);
        assert_eq!(rows(engine, "articles(all) | where text has \"5\" | count"), [["1"]]);
        assert_eq!(rows(engine, "articles | where text has \"corrected\" | count"), [["1"]]);
        assert_eq!(rows(engine, "articles(all) | where text has \"aid\" | count"), [["2"]]);
        assert_eq!(
            rows(engine, "articles | where meta.author == \"Jane Doe\" | project title"),
            [["Aid of $7 million, corrected."]]
        );
    }
}

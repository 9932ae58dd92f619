//! Store behaviour: migrations, idempotent writes, duplicates, updates, round trips.

use std::collections::BTreeMap;

use factql_model::{Article, ArticleId, Format, Paragraph, Sentence, Span};

use crate::{Outcome, SCHEMA_VERSION, Store, StoreError};

fn article(origin: &str, text: &str) -> Article {
    let sha = format!("{:x}", text.len() * 7919 + text.bytes().map(usize::from).sum::<usize>());
    Article {
        id: ArticleId(format!("a{sha}")),
        origin: origin.into(),
        format: Format::Txt,
        title: text.lines().next().unwrap_or("").into(),
        url: None,
        published: Some("2023-10-30".into()),
        source: Some("Example News".into()),
        lang: Some("en".into()),
        meta: BTreeMap::from([("author".into(), "A. Writer".into())]),
        text: text.into(),
        text_sha256: sha,
        paragraphs: vec![Paragraph { index: 0, span: Span::new(0, 5) }],
        sentences: vec![Sentence {
            index: 0,
            span: Span::new(0, 5),
            paragraph: 0,
            is_title: true,
            boilerplate: false,
        }],
    }
}

#[test]
fn a_new_file_is_migrated_to_the_current_version_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.stats().unwrap().tables.articles, 0);
}

#[test]
fn a_file_from_a_newer_factql_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::TooNew { found, supported, .. }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION))
        }
        Err(other) => panic!("expected TooNew, got {other}"),
        Ok(_) => panic!("expected TooNew, the file opened"),
    }
}

#[test]
fn writes_report_ingested_unchanged_duplicate_and_updated() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("x.db")).unwrap();
    let first = article("/a.txt", "Title\nBody one.");
    let copy = article("/copy.txt", "Title\nBody one.");
    let other = article("/b.txt", "Other\nBody two.");
    assert_eq!(
        store.write_batch(&[first.clone(), copy.clone(), other]).unwrap(),
        [Outcome::Ingested, Outcome::Duplicate { of: first.id.clone() }, Outcome::Ingested]
    );
    // A duplicate seen again is unchanged too: its origin is already recorded.
    assert_eq!(
        store.write_batch(&[first.clone(), copy]).unwrap(),
        [Outcome::Unchanged, Outcome::Unchanged]
    );
    let changed = article("/a.txt", "Title\nBody one, revised.");
    assert_eq!(
        store.write_batch(&[changed]).unwrap(),
        [Outcome::Updated { previous: first.id.clone() }]
    );
    let stats = store.stats().unwrap();
    assert_eq!((stats.tables.articles, stats.tables.duplicates, stats.tables.sentences), (3, 1, 3));
    assert_eq!(stats.articles_per_month.get("2023-10"), Some(&3));
    assert_eq!(stats.articles_per_source.get("Example News"), Some(&3));
}

#[test]
fn a_stored_article_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("x.db")).unwrap();
    let original = article("/a.txt", "Title\nBody one.");
    store.write_batch(std::slice::from_ref(&original)).unwrap();
    assert_eq!(store.article(&original.id).unwrap(), Some(original.clone()));
    assert_eq!(store.article_ids().unwrap(), [original.id]);
    assert_eq!(store.article(&ArticleId("a-missing".into())).unwrap(), None);
}

#[test]
fn a_failed_batch_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("x.db")).unwrap();
    let good = article("/a.txt", "Title\nBody one.");
    // Same id, different text: the primary key refuses the second row, and the whole batch rolls back.
    let mut clash = article("/b.txt", "Other\nBody two.");
    clash.id = good.id.clone();
    assert!(store.write_batch(&[good, clash]).is_err());
    assert_eq!(store.article_count().unwrap(), 0);
}

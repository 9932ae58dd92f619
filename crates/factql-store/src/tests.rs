//! Store behaviour: migrations, idempotent writes, duplicates, updates, round trips.

use std::collections::BTreeMap;

use factql_model::{Article, ArticleId, Format, Paragraph, Sentence, Span};

use crate::{Outcome, SCHEMA_VERSION, Store, StoreError};

pub(crate) fn article(origin: &str, text: &str) -> Article {
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
    // The first text of /a.txt stays live: /copy.txt still holds it.
    let stats = store.stats().unwrap();
    assert_eq!((stats.tables.articles, stats.tables.duplicates, stats.tables.sentences), (3, 1, 3));
    assert_eq!(stats.tables.superseded, 0);
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

mod entities {
    use std::sync::Arc;

    use factql_model::{
        Entity, ExtractorRef, Mention, MentionLevel, Provenance, Span as ModelSpan,
    };

    use super::article;
    use crate::{Extraction, Store};

    fn extraction(
        plugin: &str,
        article: &factql_model::Article,
        entities: &[Entity],
    ) -> Extraction {
        let extractor = Arc::new(ExtractorRef { name: plugin.into(), version: "1.0".into() });
        let mentions = entities
            .iter()
            .map(|entity| Mention {
                provenance: Provenance {
                    article: article.id.clone(),
                    sentence: 0,
                    span: ModelSpan::new(0, 5),
                    extractor: extractor.clone(),
                    confidence: 1.0,
                },
                ent_type: "PER".into(),
                level: MentionLevel::Name,
                entity: Some(entity.id.clone()),
            })
            .collect();
        Extraction { entities: entities.to_vec(), mentions, facts: Vec::new() }
    }

    fn entity(id: &str, kind: &str, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            id: id.into(),
            kind: kind.into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            wikidata: None,
        }
    }

    /// An entity as `(id, kind, name, aliases, wikidata)`.
    type Row = (String, String, String, Vec<String>, Option<String>);

    /// Every entity.
    fn stored(store: &Store) -> Vec<Row> {
        let mut out = Vec::new();
        store.for_each_entity(|e| out.push((e.id, e.kind, e.name, e.aliases, e.wikidata))).unwrap();
        out
    }

    fn setup() -> (tempfile::TempDir, Store, factql_model::Article) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("x.db")).unwrap();
        let article = article("a.txt", "Olaf Scholz spoke.");
        store.write_batch(std::slice::from_ref(&article)).unwrap();
        (dir, store, article)
    }

    /// Several plugins in one transaction: a set marked new adds its rows, one not marked
    /// replaces the rows its plugin stored before.
    #[test]
    fn extraction_sets_add_new_rows_and_replace_old_ones() {
        let (_dir, mut store, article) = setup();
        let run =
            store.begin_run(&ExtractorRef { name: "a".into(), version: "1".into() }, "").unwrap();
        let scholz = entity("local:person:scholz", "person", "Olaf Scholz", &[]);
        let first = extraction("a", &article, std::slice::from_ref(&scholz));
        let second = extraction("b", &article, std::slice::from_ref(&scholz));
        let items_a = [(&article.id, &first)];
        let items_b = [(&article.id, &second)];
        let sets = |new: &'static [bool]| {
            [
                crate::ExtractionSet { run, extractor: "a", items: &items_a, new },
                crate::ExtractionSet { run, extractor: "b", items: &items_b, new },
            ]
        };
        store.write_extraction_sets(&sets(&[true])).unwrap();
        let mentions = |store: &Store| store.stats().unwrap().tables.mentions;
        assert_eq!(mentions(&store), 2);
        // Not new: each plugin's earlier mention is replaced, not duplicated.
        store.write_extraction_sets(&sets(&[false])).unwrap();
        assert_eq!(mentions(&store), 2);
        // Marked new although rows exist: they are added, which is why only articles stored
        // by the same ingest may be marked.
        store.write_extraction_sets(&sets(&[true])).unwrap();
        assert_eq!(mentions(&store), 4);
    }

    #[test]
    fn two_plugins_naming_one_entity_unite_their_aliases() {
        let (_dir, mut store, article) = setup();
        let mut scholz = entity("wd:Q61053", "person", "Olaf Scholz", &["Scholz"]);
        scholz.wikidata = Some("Q61053".into());
        let run =
            store.begin_run(&ExtractorRef { name: "a".into(), version: "1".into() }, "").unwrap();
        store
            .write_extraction(run, "a", &article.id, &extraction("a", &article, &[scholz]))
            .unwrap();
        let other = entity("wd:Q61053", "person", "Scholz", &["Olaf Scholz", "O. Scholz"]);
        store
            .write_extraction(run, "b", &article.id, &extraction("b", &article, &[other]))
            .unwrap();
        assert_eq!(
            stored(&store),
            [(
                "wd:Q61053".into(),
                "person".into(),
                "Olaf Scholz".into(),
                vec!["O. Scholz".into(), "Olaf Scholz".into(), "Scholz".into()],
                Some("Q61053".into())
            )]
        );
    }

    #[test]
    fn deleting_a_plugins_rows_replaces_its_entities_and_aliases() {
        let (_dir, mut store, article) = setup();
        let run =
            store.begin_run(&ExtractorRef { name: "a".into(), version: "1".into() }, "").unwrap();
        let wrong = entity("local:scholz", "per", "Scholz", &["Scholtz"]);
        store
            .write_extraction(run, "a", &article.id, &extraction("a", &article, &[wrong]))
            .unwrap();
        // Another plugin's rows survive, and keep the entity they name.
        let kept = entity("local:kept", "place", "Berlin", &[]);
        store.write_extraction(run, "b", &article.id, &extraction("b", &article, &[kept])).unwrap();
        assert!(store.delete_extractor_rows("a").unwrap() > 0);
        assert_eq!(stored(&store).len(), 1, "{:?}", stored(&store));
        let right = entity("local:scholz", "person", "Olaf Scholz", &["Scholz"]);
        store
            .write_extraction(run, "a", &article.id, &extraction("a", &article, &[right]))
            .unwrap();
        let names: Vec<_> = stored(&store).into_iter().map(|e| (e.0, e.1, e.2, e.3)).collect();
        assert_eq!(
            names,
            [
                ("local:kept".into(), "place".into(), "Berlin".into(), vec!["Berlin".into()]),
                (
                    "local:scholz".into(),
                    "person".into(),
                    "Olaf Scholz".into(),
                    vec!["Olaf Scholz".into(), "Scholz".into()]
                ),
            ]
        );
    }

    /// The store skips writing a naming or alias it knows it wrote; what another connection
    /// or a deletion removed in between is written again.
    #[test]
    fn an_entity_named_again_after_its_rows_were_deleted_is_stored_again() {
        let (dir, mut store, article) = setup();
        let run =
            store.begin_run(&ExtractorRef { name: "a".into(), version: "1".into() }, "").unwrap();
        let scholz = || entity("local:scholz", "person", "Olaf Scholz", &["Scholz"]);
        let write = |store: &mut Store| {
            store
                .write_extraction(run, "a", &article.id, &extraction("a", &article, &[scholz()]))
                .unwrap();
        };
        let expected: Vec<Row> = vec![(
            "local:scholz".into(),
            "person".into(),
            "Olaf Scholz".into(),
            vec!["Olaf Scholz".into(), "Scholz".into()],
            None,
        )];
        write(&mut store);
        write(&mut store);
        assert_eq!(stored(&store), expected);
        // Deleted by this connection.
        store.delete_extractor_rows("a").unwrap();
        assert_eq!(stored(&store), []);
        write(&mut store);
        assert_eq!(stored(&store), expected);
        // Deleted by another connection (another process's `reextract`).
        let mut other = Store::open(dir.path().join("x.db")).unwrap();
        other.delete_extractor_rows("a").unwrap();
        drop(other);
        assert_eq!(stored(&store), []);
        write(&mut store);
        assert_eq!(stored(&store), expected);
        // A failed transaction rolls back what it wrote, and the next one writes it again.
        store.delete_extractor_rows("a").unwrap();
        let mut bad = extraction("a", &article, &[scholz()]);
        bad.facts.push(factql_model::Fact {
            kind: "x".into(),
            fields: std::collections::BTreeMap::new(),
            args: vec![factql_model::Arg {
                role: "who".into(),
                target: factql_model::ArgTarget::Mention(99),
            }],
            provenance: bad.mentions[0].provenance.clone(),
        });
        assert!(store.write_extraction(run, "a", &article.id, &bad).is_err());
        assert_eq!(stored(&store), []);
        write(&mut store);
        assert_eq!(stored(&store), expected);
    }

    #[test]
    fn deleting_by_name_takes_underscore_and_percent_literally() {
        let (_dir, mut store, article) = setup();
        let run =
            store.begin_run(&ExtractorRef { name: "x".into(), version: "1".into() }, "").unwrap();
        for plugin in ["money", "mone_", "m%", "money-x"] {
            let e = entity(&format!("e-{plugin}"), "person", plugin, &[]);
            store
                .write_extraction(run, plugin, &article.id, &extraction(plugin, &article, &[e]))
                .unwrap();
        }
        store.delete_extractor_rows("mone_").unwrap();
        store.delete_extractor_rows("m%").unwrap();
        let left: Vec<String> = stored(&store).into_iter().map(|e| e.2).collect();
        assert_eq!(left, ["money", "money-x"]);
        assert_eq!(store.stats().unwrap().tables.mentions, 2);
    }

    #[test]
    fn a_version_1_store_gets_builtin_kinds_wikidata_ids_and_alias_owners() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        crate::schema::migrate_to(&mut conn, &path, 1).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys=OFF;
             INSERT INTO entity VALUES ('wd:Q2866', 'per', 'Lukashenko'), ('x', 'gpe', 'Minsk');
             INSERT INTO alias VALUES ('wd:Q2866', 'Lukashenko', 'lukashenko'), ('x', 'Minsk', 'minsk');
             INSERT INTO mention (article_id, sentence_idx, start, \"end\", ent_type, level, entity_id, extractor, confidence)
               VALUES ('a1', 0, 0, 10, 'PER', 'NAM', 'wd:Q2866', 'ner@0.1', 1.0),
                      ('a1', 0, 20, 25, 'GPE', 'NAM', 'x', 'geo@2', 1.0);",
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            stored(&store),
            [
                (
                    "wd:Q2866".into(),
                    "person".into(),
                    "Lukashenko".into(),
                    vec!["Lukashenko".into()],
                    Some("Q2866".into())
                ),
                ("x".into(), "place".into(), "Minsk".into(), vec!["Minsk".into()], None),
            ]
        );
        // The aliases of entities a plugin's mentions link to are that plugin's: a
        // re-extraction replaces them.
        store.delete_extractor_rows("ner").unwrap();
        let left: Vec<String> = stored(&store).into_iter().map(|e| e.0).collect();
        assert_eq!(left, ["x"]);
    }

    #[test]
    fn every_write_transaction_bumps_the_generation_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("x.db")).unwrap();
        let first = store.generation().unwrap();
        assert_eq!(first.identity.len(), 32, "{first:?}");
        let last = std::cell::Cell::new(first.generation);
        let moved = |store: &Store, what: &str| {
            let now = store.generation().unwrap();
            assert_eq!(now.identity, first.identity, "{what}: the identity is fixed");
            let before = last.get();
            assert!(now.generation > before, "{what}: generation {before} -> {}", now.generation);
            last.set(now.generation);
        };
        let article = article("a.txt", "Olaf Scholz spoke.");
        store.write_batch(std::slice::from_ref(&article)).unwrap();
        moved(&store, "write_batch");
        // Writing nothing new leaves it: a batch of unchanged articles commits no change.
        store.write_batch(std::slice::from_ref(&article)).unwrap();
        assert_eq!(store.generation().unwrap().generation, last.get(), "unchanged batch");
        let run =
            store.begin_run(&ExtractorRef { name: "a".into(), version: "1".into() }, "").unwrap();
        let e = entity("local:scholz", "person", "Olaf Scholz", &[]);
        store
            .write_extraction(
                run,
                "a",
                &article.id,
                &extraction("a", &article, std::slice::from_ref(&e)),
            )
            .unwrap();
        moved(&store, "write_extraction");
        let found = extraction("a", &article, &[e]);
        let items = [(&article.id, &found)];
        store
            .write_extraction_sets(&[crate::ExtractionSet {
                run,
                extractor: "a",
                items: &items,
                new: &[false],
            }])
            .unwrap();
        moved(&store, "write_extraction_sets");
        store.delete_extractor_rows("a").unwrap();
        moved(&store, "delete_extractor_rows");
        let kind = factql_model::KindSchema {
            name: "probe".into(),
            fields: Vec::new(),
            roles: Vec::new(),
        };
        store.declare_kinds(std::slice::from_ref(&kind), "a").unwrap();
        moved(&store, "declare_kinds");
        store.redeclare_kinds(std::slice::from_ref(&kind), "a").unwrap();
        moved(&store, "redeclare_kinds");
        // A reopened store keeps both.
        let path = store.path().to_path_buf();
        drop(store);
        let reopened = Store::open(&path).unwrap().generation().unwrap();
        let expected =
            crate::Generation { identity: first.identity.clone(), generation: last.get() };
        assert_eq!(reopened, expected);
        // Another store is another identity.
        let other = Store::open(dir.path().join("y.db")).unwrap().generation().unwrap();
        assert_ne!(other.identity, reopened.identity);
    }
}

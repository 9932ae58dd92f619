//! Grouping is exact however the engine gets there: on one thread or two, with distinct
//! counts by article changes, and when two entities share a name.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::collections::BTreeMap;

use factql_engine::{Context, Engine, RunOptions};
use factql_model::{
    Article, ArticleId, Entity, ExtractorRef, Fact, FieldDef, FieldType, Format, KindSchema,
    Mention, MentionLevel, Paragraph, Provenance, Sentence, Span, Value,
};
use factql_store::{Extraction, Store};

fn rows(engine: &Engine, query: &str, options: &RunOptions) -> Vec<Vec<String>> {
    let relation = engine.query(query, &Context::default(), options).unwrap();
    relation
        .rows
        .iter()
        .map(|row| row.vals.iter().map(|v| engine.dataset().display(v)).collect())
        .collect()
}

/// The rows with their evidence: the row's own, and for a `summarize` row its group's row
/// count and evidence list.
fn rows_with_evidence(engine: &Engine, query: &str, options: &RunOptions) -> Vec<Vec<String>> {
    let relation = engine.query(query, &Context::default(), options).unwrap();
    let at =
        |p: &factql_engine::Prov| format!("{}/{}/{}..{}", p.article, p.sentence, p.start, p.end);
    relation
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<String> =
                row.vals.iter().map(|v| engine.dataset().display(v)).collect();
            cells.push(row.prov.as_ref().map(at).unwrap_or_default());
            if let Some(group) = &row.group {
                let provs: Vec<String> = group.provs.iter().map(at).collect();
                cells.push(format!("{} rows: {}", group.rows, provs.join(" ")));
            }
            cells
        })
        .collect()
}

/// Each query gives, with the specialised paths on (one thread and two), the rows of the
/// generic path, with the same evidence.
fn assert_same_as_generic(engine: &Engine, queries: &[&str]) {
    let generic = RunOptions { kernels: false, ..RunOptions::default() };
    for options in [RunOptions::default(), RunOptions { parallel_from: 2, ..RunOptions::default() }]
    {
        for query in queries {
            assert_eq!(
                rows_with_evidence(engine, query, &options),
                rows_with_evidence(engine, query, &generic),
                "{query}"
            );
        }
    }
}

#[test]
fn the_mention_kernel_gives_the_same_rows_as_the_generic_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    let generic = RunOptions { kernels: false, ..RunOptions::default() };
    assert_same_as_generic(
        &engine,
        &[
            "mentions | where kind == \"person\" | summarize articles = dcount(article), n = count() by who = entity.name",
            "mentions | where kind != \"place\" and type == \"PER\" | summarize n = count() by entity",
            "mentions | where kind == \"nothing\" | summarize n = count() by entity.name",
            "mentions | summarize n = count(), a = dcount(article) by entity.name, entity.kind",
        ],
    );
    let namesakes = namesake_store(&dir.path().join("n.db"), false);
    let engine = Engine::load(&namesakes).unwrap();
    let query = "mentions | summarize articles = dcount(article), n = count() by who = entity.name";
    assert_eq!(rows(&engine, query, &RunOptions::default()), [["John Smith", "1", "4"]]);
    assert_eq!(rows(&engine, query, &generic), [["John Smith", "1", "4"]]);
}

#[test]
fn the_cooccurrence_kernel_gives_the_same_rows_as_the_generic_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    let queries = [
        "match (p:person) -[c:near sentence]- (l:person \"Alexander Lukashenko\") | where p != l | summarize n = count() by p.name | top 20 by n",
        "match (p:person) -[c:near sentence]- (l:person \"Lukashenko\") | summarize n = count() by p",
        "match (l:person \"Lukashenko\") -[:near paragraph]- (x) | summarize n = count(), m = count() by x.kind",
        "match (p:place) -[:near article]- (l:person \"Viktor Orban\") | where l != p | summarize n = count() by p.name",
        "match (p:person) -[:near 5 words]- (l:person \"Putin\") | where p != l and l != p | summarize n = count() by who = p.name | sort by who",
        "match (p:org) -[:near sentence]- (l:place \"Belarus\") | summarize n = count() by p.id",
        "match (p:entity) -[:near sentence]- (l:place \"Belarus\") | summarize n = count() by p.kind",
        // One variable on both ends, and the edge bound to an end's variable: not the kernel's.
        "match (p:person \"Lukashenko\") -[:near sentence]- (p) | summarize n = count() by p",
        "match (p:person \"Lukashenko\") -[:near sentence]- (p) | where p != p | summarize n = count() by p",
    ];
    assert_same_as_generic(&engine, &queries);
    // Not vacuous: the co-mentions of Lukashenko are found, most frequent first.
    let top = rows(&engine, queries[0], &RunOptions::default());
    assert!(top.len() >= 2 && top.iter().all(|row| row[0] != "Alexander Lukashenko"), "{top:?}");
}

#[test]
fn index_seeks_column_tests_and_shortlists_give_the_same_rows_as_the_generic_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    let generic = RunOptions { kernels: false, ..RunOptions::default() };
    let queries = [
        // Seeks through the role index (an entity's name, a name no entity has).
        "events | where actor.name == \"Alexander Lukashenko\" | select type, target.name, date",
        "events | where type == \"invite\" and date in @2023 and actor.name == \"Viktor Orban\" | select inviter = actor.name, invitee = target.name, date | sort by date desc",
        "events | where actor.name == \"Nobody At All\" | summarize n = count()",
        "quotes | where speaker.name == \"Alexander Lukashenko\" and date in @2023 | select text",
        // Seeks through an entity's mentions.
        "mentions | where entity.name == \"Viktor Orban\" | select surface, article.title",
        "mentions | where entity.name == \"Belarus\" or kind == \"org\" | summarize n = count()",
        // Column tests: fact fields against constants, mention codes.
        "events | where date in @2022 or date in @2023 | summarize n = count() by month = bin(date, 1mo), type | sort by month, type",
        "events | where type != \"meet\" and date >= @2023-01 | select type, date",
        "events | where date not in @2023 | summarize n = count()",
        // Facts without a date (a null is in no interval, and not `not in` one either).
        "roles | where date in @2023 | select title",
        "roles | where date not in @2023 | select title",
        "roles | where date in @2022 | summarize n = count()",
        "events | where type in [\"invite\", \"visit\"] | summarize n = count() by type",
        "mentions | where kind == \"person\" and type != \"ORG\" | sort by start | take 7",
        // Only the groups a top keeps are built.
        "mentions | summarize n = count() by who = entity.name | top 3 by n",
        "mentions | where kind == \"place\" | summarize a = dcount(article), n = count() by entity | top 2 by a",
        "events | summarize n = count() by type | top 2 by n asc",
        "match (p:person) -[e:event]-> (q) | summarize n = count() by p.name | top 2 by n",
        "events | summarize n = count() by actor.name, type | top 0 by n",
    ];
    assert_same_as_generic(&engine, &queries);
    // The seeks are not vacuous: they find rows.
    assert!(!rows(&engine, queries[0], &RunOptions::default()).is_empty());
    assert!(!rows(&engine, queries[4], &RunOptions::default()).is_empty());
    // A top over a summarize keeps what sorting and taking keep.
    assert_eq!(
        rows(
            &engine,
            "mentions | summarize n = count() by who = entity.name | top 3 by n",
            &RunOptions::default()
        ),
        rows(
            &engine,
            "mentions | summarize n = count() by who = entity.name | sort by n desc | take 3",
            &generic
        ),
    );
    // A null date is in no interval, and not `not in` one either, on the day column too.
    let store = namesake_store(&dir.path().join("n.db"), true);
    let engine = Engine::load(&store).unwrap();
    assert_same_as_generic(
        &engine,
        &[
            "meetings | where date in @2024 | select date",
            "meetings | where date not in @2023 | select date",
        ],
    );
    assert_eq!(
        rows(&engine, "meetings | where date not in @2023 | select date", &RunOptions::default()),
        [["2024-01-02"]]
    );
}

#[test]
fn grouping_by_an_entity_field_groups_by_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    // The oracle reads the field into a column first, and groups by the column's values.
    let cases = [
        (
            "mentions | summarize n = count(), a = dcount(article) by w = entity.wikidata | sort by w",
            "mentions | extend w = entity.wikidata | summarize n = count(), a = dcount(article) by w | sort by w",
        ),
        (
            "mentions | summarize n = count() by k = entity.kind, w = entity.wikidata | sort by k, w",
            "mentions | extend k = entity.kind, w = entity.wikidata | summarize n = count() by k, w | sort by k, w",
        ),
        (
            "match (p) -[:near sentence]- (l:person \"Lukashenko\") | summarize n = count() by w = p.wikidata | sort by w",
            "match (p) -[:near sentence]- (l:person \"Lukashenko\") | extend w = p.wikidata | summarize n = count() by w | sort by w",
        ),
    ];
    for options in [RunOptions::default(), RunOptions { parallel_from: 2, ..RunOptions::default() }]
    {
        for (query, oracle) in cases {
            let got = rows(&engine, query, &options);
            assert_eq!(
                rows_with_evidence(&engine, query, &options),
                rows_with_evidence(&engine, oracle, &options),
                "{query}"
            );
            // One null group at most: linked entities without a wikidata id and unlinked
            // mentions are both null.
            assert!(got.iter().filter(|row| row.last().unwrap().is_empty()).count() <= 1);
        }
    }
    // Entities without a wikidata id and an unlinked mention form one null group.
    let store = namesake_store(&dir.path().join("n.db"), true);
    let engine = Engine::load(&store).unwrap();
    let generic = RunOptions { kernels: false, ..RunOptions::default() };
    for options in [RunOptions::default(), generic] {
        let query = "mentions | summarize n = count(), a = dcount(article) by w = entity.wikidata";
        assert_eq!(rows(&engine, query, &options), [["", "5", "1"]], "{query}");
        let query =
            "mentions | where kind == \"person\" | summarize n = count() by w = entity.wikidata";
        assert_eq!(rows(&engine, query, &options), [["", "5"]], "{query}");
    }
    // The null group lists the evidence of its first five mentions, linked or not, on every
    // path.
    assert_same_as_generic(
        &engine,
        &[
            "mentions | summarize n = count(), a = dcount(article) by w = entity.wikidata",
            "mentions | where kind == \"person\" | summarize n = count() by w = entity.name",
            "mentions | summarize n = count() by e = entity",
        ],
    );
    let relation = engine
        .query(
            "mentions | summarize n = count() by w = entity.wikidata",
            &Context::default(),
            &RunOptions::default(),
        )
        .unwrap();
    let group = relation.rows[0].group.as_ref().unwrap();
    assert_eq!((group.rows, group.provs.len()), (5, 5), "five mentions, each its own evidence");
}

#[test]
fn a_top_after_summarize_keeps_the_row_limit_of_the_groups() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    for query in [
        "match (a:article) -[:mentions]-> (e) | summarize n = count() by a, e | top 1 by n",
        "match (p:person) -[:near article]- (l:person \"Lukashenko\") | summarize n = count() by p | top 1 by n",
        "mentions | sort by start | summarize n = count() by entity | top 1 by n",
    ] {
        for kernels in [true, false] {
            let options = RunOptions { row_limit: 2, kernels, ..RunOptions::default() };
            let result = engine.query(query, &Context::default(), &options);
            assert!(
                matches!(result, Err(factql_engine::EngineError::RowLimit { .. })),
                "{query} (kernels {kernels}): {result:?}"
            );
        }
    }
}

#[test]
fn two_threads_give_the_same_rows_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    let one = RunOptions { parallel_from: u32::MAX, ..RunOptions::default() };
    let two = RunOptions { parallel_from: 2, ..RunOptions::default() };
    for query in [
        "mentions | where kind == \"person\" | summarize articles = dcount(article), n = count() by who = entity.name | sort by who",
        "mentions | summarize n = count(), articles = dcount(article), first_start = min(start) by kind | sort by kind",
        "events | where date in @2022 | summarize n = count() by month = bin(date, 1mo), type | sort by month, type",
        "sentences | summarize n = count(), articles = dcount(article)",
        "mentions | where kind == \"place\" | sort by start | take 5",
        // Matches whose last step runs on two threads: one source's occurrences split, or
        // the bindings split.
        "match (p:person) -[c:near sentence]- (l:person \"Alexander Lukashenko\") | where p != l | summarize n = count(), s = set(c.sentence) by p.name | sort by n desc",
        "match (p) -[c:near 8 words]- (l:person \"Alexander Lukashenko\") | select p, c.distance, l",
        "match (t:term \"visit\") -[c:near sentence]- (p:person) | summarize n = count(), first_sentence = first(c.sentence) by p",
        "match (a:article) -[:mentions]-> (:place \"Belarus\"), (a) -[:mentions]-> (p:person) | summarize n = count(), titles = list(a.title) by p.name",
        "match (a:article) -[:mentions]-> (p:person) | select a.title, p.name",
    ] {
        assert_eq!(
            rows_with_evidence(&engine, query, &one),
            rows_with_evidence(&engine, query, &two),
            "{query}"
        );
    }
}

/// An article that mentions two different entities with the same name, twice each (and,
/// with `unlinked`, has one more person mention linked to no entity).
fn namesake_store(path: &std::path::Path, unlinked: bool) -> Store {
    let mut store = Store::open(path).unwrap();
    let text = "Namesakes meet\nJohn Smith met John Smith. John Smith and John Smith spoke.";
    let id = ArticleId("a-namesakes".into());
    let sentences = vec![
        Sentence {
            index: 0,
            span: Span::new(0, 14),
            paragraph: 0,
            is_title: true,
            boilerplate: false,
        },
        Sentence {
            index: 1,
            span: Span::new(15, 41),
            paragraph: 1,
            is_title: false,
            boilerplate: false,
        },
        Sentence {
            index: 2,
            span: Span::new(42, 73),
            paragraph: 1,
            is_title: false,
            boilerplate: false,
        },
    ];
    let article = Article {
        id: id.clone(),
        origin: "test".into(),
        format: Format::Txt,
        title: "Namesakes meet".into(),
        url: None,
        published: Some("2024-01-02".into()),
        source: None,
        lang: None,
        meta: BTreeMap::new(),
        text: text.into(),
        text_sha256: "namesakes".into(),
        paragraphs: vec![
            Paragraph { index: 0, span: Span::new(0, 14) },
            Paragraph { index: 1, span: Span::new(15, 73) },
        ],
        sentences,
    };
    store.write_batch(&[article]).unwrap();
    let extractor = std::sync::Arc::new(ExtractorRef { name: "test".into(), version: "1".into() });
    let run = store.begin_run(&extractor, "").unwrap();
    let entity = |id: &str| Entity {
        id: id.into(),
        kind: "person".into(),
        name: "John Smith".into(),
        aliases: Vec::new(),
        wikidata: None,
    };
    let mention = |start: usize, sentence: usize, entity: &str| Mention {
        provenance: Provenance {
            article: id.clone(),
            sentence,
            span: Span::new(start, start + 10),
            extractor: extractor.clone(),
            confidence: 1.0,
        },
        ent_type: "PER".into(),
        level: MentionLevel::Name,
        entity: Some(entity.into()),
    };
    let mut mentions = vec![
        mention(15, 1, "local:smith-1"),
        mention(30, 1, "local:smith-2"),
        mention(42, 2, "local:smith-1"),
        mention(57, 2, "local:smith-2"),
    ];
    if unlinked {
        mentions.insert(0, Mention { entity: None, ..mention(0, 0, "") });
    }
    let mut facts = Vec::new();
    if unlinked {
        // Two meetings, one without a date.
        let kind = KindSchema {
            name: "meeting".into(),
            fields: vec![FieldDef { name: "date".into(), ty: FieldType::Date, required: false }],
            roles: Vec::new(),
        };
        store.declare_kinds(&[kind], "test").unwrap();
        for date in [Some("2024-01-02"), None] {
            facts.push(Fact {
                kind: "meeting".into(),
                provenance: mention(15, 1, "").provenance,
                fields: date
                    .map(|d| ("date".to_owned(), Value::Date(d.into())))
                    .into_iter()
                    .collect(),
                args: Vec::new(),
            });
        }
    }
    let extraction = Extraction {
        entities: vec![entity("local:smith-1"), entity("local:smith-2")],
        mentions,
        facts,
    };
    store.write_extraction(run, "test", &id, &extraction).unwrap();
    store
}

#[test]
fn entities_with_one_name_form_one_group_and_count_each_article_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = namesake_store(&dir.path().join("n.db"), false);
    let engine = Engine::load(&store).unwrap();
    for options in [
        RunOptions { parallel_from: u32::MAX, ..RunOptions::default() },
        RunOptions { parallel_from: 2, ..RunOptions::default() },
    ] {
        assert_eq!(
            rows(
                &engine,
                "mentions | summarize articles = dcount(article), n = count() by who = entity.name",
                &options
            ),
            [["John Smith", "1", "4"]]
        );
        // Grouped by the entity itself, the two stay apart.
        assert_eq!(
            rows(
                &engine,
                "mentions | summarize n = count() by e = entity | summarize groups = count()",
                &options
            ),
            [["2"]]
        );
    }
}

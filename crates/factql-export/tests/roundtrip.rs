//! The export read back with the parquet crate: types, row counts against the store,
//! partition paths, dates, and `--since` appending without duplicates.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{Array, Date32Array, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, TimeUnit};
use factql_export::layout::{self, ColumnType};
use factql_export::{DatasetSchema, ExportError, ExportOptions, export};
use factql_model::{ArticleId, Entity, Extraction, Mention, MentionLevel, Provenance, Span};
use factql_store::Store;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Every `*.parquet` file under `dir/table`, with its `pub_month` (or `None`).
fn files(dir: &Path, table: &str) -> Vec<(Option<String>, PathBuf)> {
    let mut out = Vec::new();
    let root = dir.join(table);
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let month =
                name.strip_prefix("pub_month=").expect("a Hive partition folder").to_owned();
            for file in std::fs::read_dir(&path).unwrap() {
                out.push((Some(month.clone()), file.unwrap().path()));
            }
        } else {
            out.push((None, path));
        }
    }
    out.sort();
    out
}

/// The batches of a table, each with its partition.
fn read(dir: &Path, table: &str) -> Vec<(Option<String>, RecordBatch)> {
    let mut out = Vec::new();
    for (month, path) in files(dir, table) {
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("parquet"), "{path:?}");
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        for batch in reader.build().unwrap() {
            out.push((month.clone(), batch.unwrap()));
        }
    }
    out
}

fn rows(dir: &Path, table: &str) -> usize {
    read(dir, table).iter().map(|(_, b)| b.num_rows()).sum()
}

fn strings(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
    let array =
        batch.column_by_name(column).unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    (0..array.len()).map(|i| (!array.is_null(i)).then(|| array.value(i).to_owned())).collect()
}

fn column_strings(dir: &Path, table: &str, column: &str) -> Vec<Option<String>> {
    read(dir, table).iter().flat_map(|(_, b)| strings(b, column)).collect()
}

/// What the store holds for live articles, counted by its own readers.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    articles: usize,
    live: usize,
    sentences: usize,
    mentions: usize,
    entities: usize,
    facts: BTreeMap<String, usize>,
    args: usize,
}

fn store_counts(store: &Store) -> Counts {
    let mut counts = Counts::default();
    let mut live = BTreeSet::new();
    store
        .for_each_article(|row| {
            counts.articles += 1;
            if row.superseded_by.is_none() {
                live.insert(row.id);
            }
        })
        .unwrap();
    counts.live = live.len();
    store
        .for_each_sentence(|row| counts.sentences += usize::from(live.contains(&row.article)))
        .unwrap();
    store
        .for_each_mention(|row| counts.mentions += usize::from(live.contains(&row.article)))
        .unwrap();
    store.for_each_entity(|_| counts.entities += 1).unwrap();
    store
        .for_each_fact(|row| {
            if live.contains(&row.article) {
                *counts.facts.entry(row.kind.clone()).or_default() += 1;
                counts.args += row.args.len();
            }
        })
        .unwrap();
    counts
}

fn export_counts(dir: &Path) -> Counts {
    let schema = schema(dir);
    let live =
        column_strings(dir, "articles", "superseded_by").iter().filter(|s| s.is_none()).count();
    let mut facts = BTreeMap::new();
    for kind in schema.kinds.keys() {
        let n = rows(dir, &layout::fact_table_name(kind));
        if n > 0 {
            facts.insert(kind.clone(), n);
        }
    }
    Counts {
        articles: rows(dir, "articles"),
        live,
        sentences: rows(dir, "sentences"),
        mentions: rows(dir, "mentions"),
        entities: rows(dir, "entities"),
        facts,
        args: rows(dir, "fact_args"),
    }
}

fn schema(dir: &Path) -> DatasetSchema {
    DatasetSchema::from_json(&std::fs::read_to_string(dir.join(layout::SCHEMA_FILE)).unwrap())
        .unwrap()
}

fn fixture() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&tmp.path().join("fixture.db")).unwrap();
    (tmp, store)
}

/// Ingests JSON Lines under the input name `name`, as `factql ingest` would.
fn ingest(store: &mut Store, name: &'static str, jsonl: &str) -> Vec<factql_store::Outcome> {
    let bytes: &'static [u8] = Box::leak(jsonl.as_bytes().to_vec().into_boxed_slice());
    let mut articles = Vec::new();
    factql_ingest::read_input(
        &factql_ingest::Input::Memory { name: name.into(), bytes },
        &factql_ingest::Options::default(),
        &mut |result| {
            articles.push(result.unwrap());
            std::ops::ControlFlow::Continue(())
        },
    );
    store.write_batch(&articles).unwrap()
}

#[test]
fn a_full_export_has_every_row_of_the_store_with_the_documented_types() {
    let (tmp, store) = fixture();
    let dir = tmp.path().join("out");
    let report = export(&store, &dir, &ExportOptions::default()).unwrap();
    assert_eq!(report.run, 1);

    let expected = store_counts(&store);
    assert!(
        expected.mentions > 0 && !expected.facts.is_empty() && expected.args > 0,
        "{expected:?}"
    );
    assert_eq!(export_counts(&dir), expected);
    assert_eq!(report.rows["articles"] as usize, expected.articles);

    // Every table the schema file lists has the Arrow types of the layout, in order.
    let schema = schema(&dir);
    assert_eq!(schema.format_version, layout::FORMAT_VERSION);
    assert_eq!(schema.store.identity, store.generation().unwrap().identity);
    for table in &schema.tables {
        for (month, batch) in read(&dir, &table.name) {
            assert_eq!(month.is_some(), table.partitioned, "{}", table.name);
            let fields = batch.schema().fields().clone();
            let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
            let want: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(names, want, "{}", table.name);
            for (field, column) in fields.iter().zip(&table.columns) {
                let ty = match column.ty {
                    ColumnType::String | ColumnType::Json => DataType::Utf8,
                    ColumnType::Int32 => DataType::Int32,
                    ColumnType::Int64 => DataType::Int64,
                    ColumnType::Float64 => DataType::Float64,
                    ColumnType::Bool => DataType::Boolean,
                    ColumnType::Date => DataType::Date32,
                    ColumnType::Timestamp => {
                        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
                    }
                };
                assert_eq!(field.data_type(), &ty, "{}.{}", table.name, column.name);
                if !column.nullable {
                    assert_eq!(
                        batch.column_by_name(&column.name).unwrap().null_count(),
                        0,
                        "{}.{}",
                        table.name,
                        column.name
                    );
                }
            }
        }
    }
    // Fact kinds have typed field columns: the fixture's roles have an interval `during`.
    let roles = schema.table("fact_role").expect("fact_role");
    assert_eq!(roles.column("during_lo").unwrap().ty, ColumnType::Date);
    assert_eq!(roles.column("during_hi").unwrap().ty, ColumnType::Date);
}

#[test]
fn rows_sit_in_the_partition_of_their_publication_month() {
    let (tmp, store) = fixture();
    let dir = tmp.path().join("out");
    export(&store, &dir, &ExportOptions::default()).unwrap();

    let mut published: HashMap<String, Option<String>> = HashMap::new();
    store.for_each_article(|row| drop(published.insert(row.id, row.published))).unwrap();
    for (month, batch) in read(&dir, "articles") {
        let month = month.unwrap();
        let ids = strings(&batch, "article_id");
        let dates = batch
            .column_by_name("pub_date")
            .unwrap()
            .as_any()
            .downcast_ref::<Date32Array>()
            .unwrap();
        for (row, id) in ids.iter().enumerate() {
            let written = published[id.as_deref().unwrap()].clone().unwrap();
            // The partition is the month as written, and pub_date the day.
            assert_eq!(month, written[..7], "{id:?}");
            let day = dates.value_as_date(row).unwrap().to_string();
            assert_eq!(day, written[..10]);
        }
    }
    // Every partitioned table puts an article's rows in the article's partition.
    let article_month: HashMap<String, String> = read(&dir, "articles")
        .iter()
        .flat_map(|(m, b)| {
            strings(b, "article_id").into_iter().map(move |id| (id.unwrap(), m.clone().unwrap()))
        })
        .collect();
    for table in ["sentences", "mentions", "fact_args", "cooc_sentence", "fact_role", "fact_event"]
    {
        let batches = read(&dir, table);
        assert!(!batches.is_empty(), "{table} has rows");
        for (month, batch) in batches {
            for id in strings(&batch, "article_id") {
                assert_eq!(Some(&article_month[id.as_deref().unwrap()]), month.as_ref(), "{table}");
            }
        }
    }
}

#[test]
fn spans_are_exported_as_text_and_character_offsets() {
    let (tmp, store) = fixture();
    let dir = tmp.path().join("out");
    export(&store, &dir, &ExportOptions::default()).unwrap();
    let mut texts: HashMap<String, String> = HashMap::new();
    store.for_each_article(|row| drop(texts.insert(row.id, row.text))).unwrap();
    let mut non_ascii = 0;
    for (_, batch) in read(&dir, "sentences") {
        let int = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap()
                .clone()
        };
        let (bs, be, cs, ce) =
            (int("byte_start"), int("byte_end"), int("char_start"), int("char_end"));
        let (ids, text) = (strings(&batch, "article_id"), strings(&batch, "text"));
        let fold = strings(&batch, "text_fold");
        for row in 0..batch.num_rows() {
            let article = &texts[ids[row].as_deref().unwrap()];
            let span = &article[bs.value(row) as usize..be.value(row) as usize];
            assert_eq!(text[row].as_deref(), Some(span));
            assert_eq!(fold[row].as_deref(), Some(factql_model::fold(span).as_str()));
            let chars: Vec<char> = article.chars().collect();
            let by_chars: String =
                chars[cs.value(row) as usize..ce.value(row) as usize].iter().collect();
            assert_eq!(by_chars, span, "character offsets cut the same text");
            non_ascii += usize::from(cs.value(row) != bs.value(row));
        }
    }
    assert!(non_ascii > 0, "the fixture has text where bytes and characters differ");
    for (_, batch) in read(&dir, "mentions") {
        let surfaces = strings(&batch, "surface");
        assert!(surfaces.iter().all(|s| s.as_deref().is_some_and(|s| !s.is_empty())));
    }
}

#[test]
fn cooc_sentence_has_both_orientations_of_distinct_entities() {
    let (tmp, store) = fixture();
    let dir = tmp.path().join("out");
    export(&store, &dir, &ExportOptions::default()).unwrap();
    // Expected from the store: per sentence, the distinct linked entities.
    let mut live = BTreeSet::new();
    store
        .for_each_article(|row| {
            if row.superseded_by.is_none() {
                live.insert(row.id);
            }
        })
        .unwrap();
    let mut per_sentence: BTreeMap<(String, usize), BTreeMap<String, i64>> = BTreeMap::new();
    store
        .for_each_mention(|row| {
            if let (true, Some(entity)) = (live.contains(&row.article), row.entity) {
                *per_sentence
                    .entry((row.article, row.sentence))
                    .or_default()
                    .entry(entity)
                    .or_default() += 1;
            }
        })
        .unwrap();
    let mut expected = BTreeSet::new();
    for ((article, sentence), entities) in &per_sentence {
        for (a, na) in entities {
            for (b, nb) in entities {
                if a != b {
                    expected.insert((
                        article.clone(),
                        *sentence as i32,
                        a.clone(),
                        b.clone(),
                        na * nb,
                    ));
                }
            }
        }
    }
    let mut got = BTreeSet::new();
    for (_, batch) in read(&dir, "cooc_sentence") {
        let sentence = batch
            .column_by_name("sentence_idx")
            .unwrap()
            .as_any()
            .downcast_ref::<Int32Array>()
            .unwrap()
            .clone();
        let pairs = batch
            .column_by_name("n_pairs")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        let (ids, a, b) = (
            strings(&batch, "article_id"),
            strings(&batch, "a_entity_id"),
            strings(&batch, "b_entity_id"),
        );
        for row in 0..batch.num_rows() {
            let key = (
                ids[row].clone().unwrap(),
                sentence.value(row),
                a[row].clone().unwrap(),
                b[row].clone().unwrap(),
                pairs.value(row),
            );
            assert!(got.insert(key), "no row twice");
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

const EXTRA: &str = r#"{"url": "https://example.org/extra", "title": "Orbán meets Lukashenko in Minsk", "published": "2024-06-02T23:30:00-05:00", "text": "Viktor Orbán met Alexander Lukashenko in Minsk on Sunday.\n\nThe two leaders spoke about gas."}
{"title": "An undated note", "text": "Minsk was quiet. Nobody dated this note."}
"#;

/// Links every whole-word occurrence of "Minsk" in `article` to a new place entity.
fn add_minsk_mentions(store: &mut Store, article: &str) {
    let mut text = String::new();
    store
        .for_each_article(|row| {
            if row.id == article {
                text = row.text
            }
        })
        .unwrap();
    let extractor = std::sync::Arc::new(factql_model::ExtractorRef {
        name: "testx".into(),
        version: "1".into(),
    });
    let mut sentences = Vec::new();
    store
        .for_each_sentence(|row| {
            if row.article == article {
                sentences.push(row.span)
            }
        })
        .unwrap();
    let mut extraction = Extraction::default();
    extraction.entities.push(Entity {
        id: "gn:625144".into(),
        kind: "place".into(),
        name: "Minsk".into(),
        aliases: vec!["Мінск".into()],
        wikidata: Some("Q2280".into()),
    });
    for (at, _) in text.match_indices("Minsk") {
        let sentence = sentences.iter().position(|s| s.start <= at && at < s.end).unwrap();
        extraction.mentions.push(Mention {
            entity: Some("gn:625144".into()),
            ent_type: "GPE".into(),
            level: MentionLevel::Name,
            provenance: Provenance {
                article: ArticleId(article.into()),
                sentence,
                span: Span::new(at, at + 5),
                extractor: extractor.clone(),
                confidence: 0.9,
            },
        });
    }
    let run = store.begin_run(&extractor, "testx").unwrap();
    store.write_extraction(run, "testx", &ArticleId(article.into()), &extraction).unwrap();
}

#[test]
fn since_appends_only_new_articles_and_never_twice() {
    let (tmp, mut store) = fixture();
    let dir = tmp.path().join("out");
    export(&store, &dir, &ExportOptions::default()).unwrap();
    let before = export_counts(&dir);

    let outcomes = ingest(&mut store, "extra.jsonl", EXTRA);
    assert!(outcomes.iter().all(|o| *o == factql_store::Outcome::Ingested), "{outcomes:?}");
    let mut new_ids = Vec::new();
    store
        .for_each_article(|row| {
            if row.origin.starts_with("extra.jsonl") {
                new_ids.push(row.id)
            }
        })
        .unwrap();
    for id in &new_ids {
        add_minsk_mentions(&mut store, id);
    }

    // Today: the two new articles only (the fixture's were ingested today too, but the
    // dataset holds them).
    let today = factql_store_today(&store);
    let since = ExportOptions { since: Some(today.clone()), with_text: false };
    let report = export(&store, &dir, &since).unwrap();
    assert_eq!((report.run, report.articles), (2, 2), "{report:?}");
    assert_eq!(export_counts(&dir), store_counts(&store));
    let after = export_counts(&dir);
    assert_eq!(after.articles, before.articles + 2);
    assert!(after.mentions > before.mentions);

    // The first run's files are untouched; the new rows are in run 2's files.
    let run2: Vec<PathBuf> = files(&dir, "articles")
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.to_str().unwrap().contains("part-r00002-"))
        .collect();
    assert_eq!(run2.len(), 2, "one file in each new article's partition: {run2:?}");
    let months: BTreeSet<Option<String>> = files(&dir, "articles")
        .into_iter()
        .filter(|(_, p)| p.to_str().unwrap().contains("part-r00002-"))
        .map(|(m, _)| m)
        .collect();
    // The day as written (June 2, -05:00) decides the month, though UTC is June 3; undated
    // goes to its own partition.
    assert_eq!(months, BTreeSet::from([Some("2024-06".into()), Some(layout::UNDATED.into())]));
    let undated = read(&dir, "articles")
        .into_iter()
        .filter(|(m, _)| m.as_deref() == Some(layout::UNDATED))
        .collect::<Vec<_>>();
    assert_eq!(undated.len(), 1);
    assert_eq!(undated[0].1.column_by_name("pub_date").unwrap().null_count(), 1);

    // Again: nothing new, nothing written twice.
    let report = export(&store, &dir, &since).unwrap();
    assert_eq!((report.run, report.articles), (3, 0));
    assert_eq!(export_counts(&dir), store_counts(&store));
    let ids = column_strings(&dir, "articles", "article_id");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "no article twice");
    // The dimensions are whole, once: the new entity is there, with its folded alias.
    assert_eq!(rows(&dir, "entities"), store_counts(&store).entities);
    let aliases = read(&dir, "aliases");
    let folds: Vec<Option<String>> =
        aliases.iter().flat_map(|(_, b)| strings(b, "alias_fold")).collect();
    assert!(folds.contains(&Some("мінск".into())));
    assert_eq!(files(&dir, "entities").len(), 1, "old dimension files are removed");

    // A later day selects nothing even for articles not held.
    let future = ExportOptions { since: Some("2999-01-01".into()), with_text: false };
    assert_eq!(export(&store, &dir, &future).unwrap().articles, 0);
}

/// Today's date as the store writes `ingested_at` (UTC).
fn factql_store_today(store: &Store) -> String {
    let mut day = String::new();
    store.for_each_article(|row| day = row.ingested_at[..10].to_owned()).unwrap();
    day
}

#[test]
fn a_superseded_version_leaves_the_data_tables_when_its_partition_is_rewritten() {
    let (tmp, mut store) = fixture();
    let dir = tmp.path().join("out");
    ingest(
        &mut store,
        "story.jsonl",
        r#"{"title": "Gas talks", "published": "2023-10-30", "text": "Gas talks began in Minsk."}"#,
    );
    let mut old = String::new();
    store
        .for_each_article(|row| {
            if row.origin.starts_with("story.jsonl") {
                old = row.id
            }
        })
        .unwrap();
    add_minsk_mentions(&mut store, &old);
    export(&store, &dir, &ExportOptions::default()).unwrap();
    assert_eq!(export_counts(&dir), store_counts(&store));

    // The input changes: a new version supersedes the exported one.
    let outcomes = ingest(
        &mut store,
        "story.jsonl",
        r#"{"title": "Gas talks", "published": "2023-10-30", "text": "Gas talks ended in Minsk."}"#,
    );
    assert!(matches!(outcomes[0], factql_store::Outcome::Updated { .. }), "{outcomes:?}");
    let today = factql_store_today(&store);
    let report =
        export(&store, &dir, &ExportOptions { since: Some(today), with_text: false }).unwrap();
    assert_eq!(report.rewritten_partitions, vec!["2023-10".to_owned()]);
    assert_eq!(export_counts(&dir), store_counts(&store));
    let mentioned: Vec<Option<String>> = column_strings(&dir, "mentions", "article_id");
    assert!(!mentioned.contains(&Some(old.clone())), "the old version's mentions are gone");
    let articles = read(&dir, "articles");
    let superseded: Vec<(String, Option<String>)> = articles
        .iter()
        .flat_map(|(_, b)| strings(b, "article_id").into_iter().zip(strings(b, "superseded_by")))
        .map(|(id, by)| (id.unwrap(), by))
        .filter(|(id, _)| *id == old)
        .collect();
    assert_eq!(superseded.len(), 1);
    assert!(superseded[0].1.is_some(), "the old version is listed with its successor");
    let ids = column_strings(&dir, "articles", "article_id");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "no article twice");
}

#[test]
fn refusals_name_what_is_wrong() {
    let (tmp, store) = fixture();
    let dir = tmp.path().join("out");
    let since = ExportOptions { since: Some("2020-01-01".into()), with_text: false };
    assert!(matches!(export(&store, &dir, &since), Err(ExportError::NoDataset { .. })));
    let bad = ExportOptions { since: Some("2020-01".into()), with_text: false };
    assert!(matches!(export(&store, &dir, &bad), Err(ExportError::BadSince { .. })));

    let busy = tmp.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    assert!(matches!(
        export(&store, &busy, &ExportOptions::default()),
        Err(ExportError::NotADataset { .. })
    ));
    assert_eq!(std::fs::read_to_string(busy.join("notes.txt")).unwrap(), "mine");

    // A dataset of another store is not appended to.
    export(&store, &dir, &ExportOptions::default()).unwrap();
    let other = tempfile::tempdir().unwrap();
    let other_store = factql_test_support::fixture_store(&other.path().join("other.db")).unwrap();
    assert!(matches!(export(&other_store, &dir, &since), Err(ExportError::OtherStore { .. })));
    // A full export replaces it.
    export(&other_store, &dir, &ExportOptions::default()).unwrap();
    assert_eq!(export_counts(&dir), store_counts(&other_store));
    assert_eq!(files(&dir, "entities").len(), 1);
}

#[test]
fn with_text_adds_the_article_text_table() {
    let (tmp, store) = fixture();
    let dir = tmp.path().join("out");
    export(&store, &dir, &ExportOptions { since: None, with_text: true }).unwrap();
    assert_eq!(rows(&dir, "article_text"), store_counts(&store).live);
    // A full export without it drops the table.
    export(&store, &dir, &ExportOptions::default()).unwrap();
    assert!(!dir.join("article_text").exists());
    assert!(schema(&dir).table("article_text").is_none());
}

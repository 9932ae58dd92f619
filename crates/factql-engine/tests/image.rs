//! The image beside the store: it answers exactly as the store does, it is never used once
//! the store has changed, and a damaged, truncated, foreign or other-format image is refused
//! with a typed error (and [`Engine::open`] falls back to the store); a section damaged
//! where only its first read can see it is answered from the store.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::path::Path;

use factql_engine::{Context, Engine, ImageError, Loaded, RunOptions, image_path};
use factql_model::{Article, ArticleId, Format, Paragraph, Sentence, Span};

/// Every result of `query`: the rendered values and the evidence of each row.
fn answer(engine: &Engine, query: &str, options: &RunOptions) -> Result<Vec<String>, String> {
    let relation =
        engine.query(query, &Context::default(), options).map_err(|err| err.to_string())?;
    let ds = engine.dataset();
    Ok(relation
        .rows
        .iter()
        .map(|row| {
            let vals: Vec<String> = row.vals.iter().map(|v| ds.display(v)).collect();
            format!("{} @ {:?}", vals.join(" | "), row.prov)
        })
        .collect())
}

/// The queries of `test_data/queries/*.fql`, one per `---` section, plus text searches.
fn queries() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join("queries");
    let mut files: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out: Vec<String> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "fql"))
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.split("\n---\n").map(str::to_owned).collect::<Vec<_>>()
        })
        .collect();
    out.extend(TEXT_QUERIES.iter().map(|q| (*q).to_owned()));
    out
}

const TEXT_QUERIES: &[&str] = &[
    "articles | where text has \"sanctions\" | select title",
    "articles | where text has \"SANCTIONS\" and published >= @2000 | select title",
    "articles | where text has any [\"lukashenko\", \"Minsk\"] | select title",
    "articles | where text has all [\"sanctions\", \"belarus\"] | select title",
    "articles | where text has \"prime minister\" | select title",
    "articles | where text has \"no-such-word-anywhere\" | summarize n = count()",
    "articles | where text has all [\"lukashenko\", \"orban\"] in sentence | select title",
    "match (t:term \"sanctions\") -[:near 10 words]- (o:org) | summarize n = count() by o.name",
    "match (o:org) -[c:near 10 words]- (:term \"sanctions\") | summarize hits = count() by o.name",
];

fn fixture(dir: &Path) -> factql_store::Store {
    factql_test_support::fixture_store(&dir.join("f.db")).unwrap()
}

#[test]
fn an_image_answers_every_query_as_the_store_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    let loaded = Engine::load(&store).unwrap();
    let path = loaded.write_image(&store).unwrap();
    assert_eq!(path, image_path(store.path()));
    let imaged = Engine::from_image(&store).unwrap();
    let options = RunOptions::default();
    let mut answered = 0;
    for query in queries() {
        let expected = answer(&loaded, &query, &options);
        answered += usize::from(expected.as_ref().is_ok_and(|rows| !rows.is_empty()));
        assert_eq!(answer(&imaged, &query, &options), expected, "{query}");
    }
    assert!(answered > 15, "only {answered} queries gave rows");
    assert_eq!(imaged.dataset().counts(), loaded.dataset().counts());
}

#[test]
fn text_searches_through_the_word_index_give_the_scans_rows() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::load(&fixture(dir.path())).unwrap();
    let generic = RunOptions { kernels: false, ..RunOptions::default() };
    for query in TEXT_QUERIES {
        let indexed = answer(&engine, query, &RunOptions::default())
            .unwrap_or_else(|err| panic!("{query}: {err}"));
        assert_eq!(indexed, answer(&engine, query, &generic).unwrap(), "{query}");
    }
    let sanctions = answer(&engine, TEXT_QUERIES[0], &RunOptions::default()).unwrap();
    assert!(!sanctions.is_empty(), "the fixture has articles about sanctions");
}

fn article(origin: &str, text: &str) -> Article {
    Article {
        id: ArticleId(format!("a{:016x}", text.len() * 7919)),
        origin: origin.into(),
        format: Format::Txt,
        title: text.into(),
        url: None,
        published: Some("2024-05-01".into()),
        source: Some("Late Wire".into()),
        lang: Some("en".into()),
        meta: Default::default(),
        text: text.into(),
        text_sha256: format!("{:064x}", text.len() * 104_729),
        paragraphs: vec![Paragraph { index: 0, span: Span::new(0, text.len()) }],
        sentences: vec![Sentence {
            index: 0,
            span: Span::new(0, text.len()),
            paragraph: 0,
            is_title: true,
            boilerplate: false,
        }],
    }
}

#[test]
fn a_stale_image_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = fixture(dir.path());
    let (engine, _) = Engine::open(&store).unwrap();
    engine.write_image(&store).unwrap();
    let (_, loaded) = Engine::open(&store).unwrap();
    assert!(matches!(loaded, Loaded::Image), "{loaded:?}");

    // An article ingested after the image was written is seen, from the store.
    let late = article("late.txt", "Zanzibar wardens quarrelled.");
    store.write_batch(std::slice::from_ref(&late)).unwrap();
    let query = "articles | where text has \"zanzibar\" | select source";
    let (engine, loaded) = Engine::open(&store).unwrap();
    assert!(matches!(loaded, Loaded::Store(ImageError::Stale { .. })), "{loaded:?}");
    assert_eq!(answer(&engine, query, &RunOptions::default()).unwrap().len(), 1);
    assert!(matches!(Engine::from_image(&store), Err(ImageError::Stale { .. })));

    // Rewritten, the image has it too; a deletion makes it stale again.
    engine.write_image(&store).unwrap();
    let imaged = Engine::from_image(&store).unwrap();
    assert_eq!(answer(&imaged, query, &RunOptions::default()).unwrap().len(), 1);
    store.delete_extractor_rows("fixture").unwrap();
    let (engine, loaded) = Engine::open(&store).unwrap();
    assert!(matches!(loaded, Loaded::Store(ImageError::Stale { .. })), "{loaded:?}");
    let facts = "events | summarize n = count()";
    assert_eq!(answer(&engine, facts, &RunOptions::default()).unwrap(), ["0 @ None"]);

    // Another process's write counts as well: a second handle on the same file.
    engine.write_image(&store).unwrap();
    let mut other = factql_store::Store::open(store.path()).unwrap();
    other.write_batch(&[article("later.txt", "Another late line.")]).unwrap();
    assert!(matches!(Engine::from_image(&store), Err(ImageError::Stale { .. })));
}

/// The image file's bytes, after `damage`, read back.
fn damaged(damage: impl FnOnce(&mut Vec<u8>)) -> ImageError {
    damaged_where(damage).0
}

/// [`damaged`], and whether `Engine::open` still used the image (the damage was in a
/// section read lazily, found when first read).
fn damaged_where(damage: impl FnOnce(&mut Vec<u8>)) -> (ImageError, bool) {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    let path = Engine::load(&store).unwrap().write_image(&store).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    damage(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let err = Engine::from_image(&store).err().expect("a damaged image is refused");
    // The engine still opens and answers as the store does: from the store when the header
    // or head shows the damage, else from the image with the damaged section read from the
    // store when first read.
    let (engine, loaded) = Engine::open(&store).unwrap();
    let lazily = matches!(loaded, Loaded::Image);
    match loaded {
        Loaded::Store(_) => assert!(engine.dataset().counts()[0].1 > 0),
        Loaded::Image => {
            let reference = Engine::load(&store).unwrap();
            let options = RunOptions::default();
            for query in queries() {
                assert_eq!(
                    answer(&engine, &query, &options),
                    answer(&reference, &query, &options),
                    "{query}"
                );
            }
            // Writing an image reads every section: the damaged one is found by then.
            engine.write_image(&store).unwrap();
            assert!(engine.image_damage().is_some(), "the damage is reported");
            let (again, loaded) = Engine::open(&store).unwrap();
            assert!(matches!(loaded, Loaded::Image), "{loaded:?}");
            again.write_image(&store).unwrap();
            assert_eq!(again.image_damage(), None, "the rewritten image is whole");
        }
    }
    (err, lazily)
}

#[test]
fn a_truncated_image_is_refused() {
    for keep in [0usize, 5, 12, 40, 1000] {
        let err = damaged(|bytes| bytes.truncate(keep));
        assert!(
            matches!(err, ImageError::NotImage { .. } | ImageError::Corrupt { .. }),
            "{keep}: {err:?}"
        );
    }
    let err = damaged(|bytes| bytes.truncate(bytes.len() / 2));
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
    let err = damaged(|bytes| bytes.truncate(bytes.len() - 1));
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_damaged_image_is_refused() {
    let mut lazily = 0;
    for at in [100usize, 1000, 5000, 20_000, 60_000, 200_000] {
        let (err, image) = damaged_where(|bytes| {
            let at = at.min(bytes.len() - 1);
            bytes[at] ^= 0x5a;
        });
        assert!(matches!(err, ImageError::Corrupt { .. }), "{at}: {err:?}");
        lazily += usize::from(image);
    }
    assert!(lazily > 0, "some damage is only found when its section is first read");
    let err = damaged(|bytes| bytes[0] = b'X');
    assert!(matches!(err, ImageError::NotImage { .. }), "{err:?}");
    let err = damaged(|bytes| bytes.extend_from_slice(b"tail"));
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
}

#[test]
fn an_image_of_another_format_is_refused() {
    let err = damaged(|bytes| {
        let version = factql_engine::IMAGE_VERSION + 1;
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
    });
    assert!(
        matches!(err, ImageError::Version { found, .. } if found == factql_engine::IMAGE_VERSION + 1),
        "{err:?}"
    );
}

#[test]
fn an_image_of_the_previous_format_is_refused_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    let path = Engine::load(&store).unwrap().write_image(&store).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let old = factql_engine::IMAGE_VERSION - 1;
    bytes[8..12].copy_from_slice(&old.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let (engine, loaded) = Engine::open(&store).unwrap();
    let Loaded::Store(why) = loaded else { panic!("an old image is used: {loaded:?}") };
    assert!(matches!(why, ImageError::Version { found, .. } if found == old), "{why:?}");
    assert_eq!(
        why.to_string(),
        format!(
            "{}: image format {old}, this factql reads format {}",
            path.display(),
            factql_engine::IMAGE_VERSION
        )
    );
    engine.write_image(&store).unwrap();
    let (_, loaded) = Engine::open(&store).unwrap();
    assert!(matches!(loaded, Loaded::Image), "the rewritten image is used: {loaded:?}");
}

#[test]
fn an_image_of_another_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = fixture(dir.path());
    Engine::load(&first).unwrap().write_image(&first).unwrap();
    // The same data in another store file: another identity.
    let second = factql_test_support::fixture_store(&dir.path().join("g.db")).unwrap();
    std::fs::copy(image_path(first.path()), image_path(second.path())).unwrap();
    let err = Engine::from_image(&second).err().expect("refused");
    assert!(matches!(err, ImageError::Foreign { .. }), "{err:?}");
    assert!(matches!(
        Engine::from_image(&factql_store::Store::open(dir.path().join("none.db")).unwrap()),
        Err(ImageError::Missing { .. })
    ));
}

#[test]
fn a_store_without_a_generation_loads_but_gets_no_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path()).path().to_path_buf();
    // As a store opened read-only before its migration to version 3 would be.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE store_generation").unwrap();
    drop(conn);
    let store = factql_store::Store::open(&path).unwrap();
    let (engine, loaded) = Engine::open(&store).unwrap();
    assert!(matches!(loaded, Loaded::Store(ImageError::Store(_))), "{loaded:?}");
    assert!(engine.dataset().counts()[0].1 > 0);
    let err = engine.write_image(&store).expect_err("no image without a generation");
    assert!(matches!(err, ImageError::Unwritable { .. }), "{err:?}");
    assert!(!image_path(&path).exists());
}

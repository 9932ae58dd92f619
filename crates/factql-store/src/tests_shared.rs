//! Stores people share: read-only folders, a second writer, foreign SQLite files, changed
//! articles, and the migration of fact fields to plain JSON.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use factql_model::{ArticleId, Value};

use crate::tests::article;
use crate::{APPLICATION_ID, Outcome, SCHEMA_VERSION, Store, StoreError};

/// A folder made unwritable for the test's duration: mode 0555, and where that does not
/// restrict this process (it runs as root) the immutable attribute too.
struct Unwritable {
    dir: PathBuf,
    immutable: bool,
}

impl Unwritable {
    /// `None`, with the reason printed, when neither restricts this process.
    fn lock(dir: &Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let mut locked = Unwritable { dir: dir.to_owned(), immutable: false };
        if !writable(dir) {
            return Some(locked);
        }
        let status = std::process::Command::new("chattr").arg("+i").arg(dir).status();
        locked.immutable = status.is_ok_and(|s| s.success());
        if locked.immutable && !writable(dir) {
            return Some(locked);
        }
        eprintln!(
            "skipped: mode 0555 does not restrict this process (root?) and `chattr +i` is not \
             available on {}",
            dir.display()
        );
        None
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&self.dir).status();
        }
        let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
    }
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_store_in_a_read_only_folder_opens_read_only_and_reads_all_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join("x.db");
    let mut store = Store::open(&path).unwrap();
    store
        .write_batch(&[article("/a.txt", "Title\nBody one."), article("/b.txt", "B\nTwo.")])
        .unwrap();
    drop(store);
    let before = names(&dir);
    let Some(_locked) = Unwritable::lock(&dir) else { return };

    let store = Store::open_read_only(&path).unwrap();
    assert!(store.is_read_only());
    assert_eq!(store.article_count().unwrap(), 2);
    let mut titles = Vec::new();
    store.for_each_article(|row| titles.push(row.title)).unwrap();
    assert_eq!(titles.len(), 2);
    assert_eq!(store.stats().unwrap().tables.sentences, 2);
    drop(store);
    assert_eq!(names(&dir), before, "reading wrote nothing beside the store");

    // Writing says why it cannot, naming the file.
    match Store::open(&path) {
        Err(err @ StoreError::ReadOnly { .. }) => {
            assert!(err.to_string().contains(&path.display().to_string()), "{err}")
        }
        Err(other) => panic!("expected ReadOnly, got {other:?}"),
        Ok(_) => panic!("a store in a read-only folder opened for writing"),
    }
}

#[test]
fn a_read_only_folder_with_an_unfinished_log_is_refused_not_misread() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join("x.db");
    let mut store = Store::open(&path).unwrap();
    store.write_batch(&[article("/a.txt", "Title\nBody one.")]).unwrap();
    // A writer that died: its log stays, the index goes.
    std::fs::copy(dir.join("x.db-wal"), tmp.path().join("wal")).unwrap();
    drop(store);
    std::fs::copy(tmp.path().join("wal"), dir.join("x.db-wal")).unwrap();
    let _ = std::fs::remove_file(dir.join("x.db-shm"));
    if std::fs::metadata(dir.join("x.db-wal")).unwrap().len() == 0 {
        eprintln!("skipped: SQLite left an empty log");
        return;
    }
    let Some(_locked) = Unwritable::lock(&dir) else { return };
    match Store::open_read_only(&path) {
        Err(StoreError::PendingLog { path: named }) => assert_eq!(named, path),
        Err(other) => panic!("expected PendingLog, got {other:?}"),
        Ok(_) => panic!("opened without its log"),
    }
}

#[test]
fn a_sqlite_file_that_is_not_a_store_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');").unwrap();
    drop(conn);
    let bytes = std::fs::read(&path).unwrap();
    for result in [Store::open(&path).map(drop), Store::open_read_only(&path).map(drop)] {
        match result {
            Err(err @ StoreError::NotAStore { .. }) => {
                assert!(err.to_string().contains("not a factql store"), "{err}");
                assert!(err.to_string().contains("notes"), "{err}");
            }
            other => panic!("expected NotAStore, got {other:?}"),
        }
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was written to");
    assert_eq!(names(dir.path()), ["other.db"]);

    // Not SQLite at all.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some text, long enough to be more than a header? no.".repeat(20))
        .unwrap();
    assert!(matches!(Store::open(&text), Err(StoreError::NotAStore { .. })));

    // Another application's id.
    let app = dir.path().join("app.db");
    let conn = rusqlite::Connection::open(&app).unwrap();
    conn.pragma_update(None, "application_id", 42).unwrap();
    drop(conn);
    assert!(matches!(Store::open(&app), Err(StoreError::NotAStore { .. })));
}

#[test]
fn a_store_from_before_the_application_id_is_recognised_and_stamped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    crate::schema::migrate_to(&mut conn, &path, 2).unwrap();
    drop(conn);
    // Read-only: recognised by its tables, not stamped.
    Store::open_read_only(&path).unwrap();
    let id = |path: &Path| -> i32 {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.pragma_query_value(None, "application_id", |row| row.get(0)).unwrap()
    };
    assert_eq!(id(&path), 0);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    assert_eq!(id(&path), APPLICATION_ID);
    // A new store is stamped at once.
    let fresh = dir.path().join("new.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(id(&fresh), APPLICATION_ID);
}

fn superseded_by(store: &Store) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    store.for_each_article(|row| drop(out.insert(row.id, row.superseded_by))).unwrap();
    out
}

#[test]
fn a_changed_input_supersedes_its_previous_article_until_it_changes_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("x.db")).unwrap();
    let v1 = article("/a.txt", "Title\nBody one.");
    let v2 = article("/a.txt", "Title\nBody one, revised.");
    store.write_batch(std::slice::from_ref(&v1)).unwrap();
    assert_eq!(
        store.write_batch(std::slice::from_ref(&v2)).unwrap(),
        [Outcome::Updated { previous: v1.id.clone() }]
    );
    let expect = |pairs: &[(&ArticleId, Option<&ArticleId>)]| -> BTreeMap<String, Option<String>> {
        pairs.iter().map(|(a, b)| (a.0.clone(), b.map(|b| b.0.clone()))).collect()
    };
    assert_eq!(superseded_by(&store), expect(&[(&v1.id, Some(&v2.id)), (&v2.id, None)]));

    // Back to the first text: it is live again, and the revision is history.
    store.write_batch(std::slice::from_ref(&v1)).unwrap();
    assert_eq!(superseded_by(&store), expect(&[(&v1.id, None), (&v2.id, Some(&v1.id))]));

    // A text another input still holds stays live when its first input changes.
    let copy = article("/copy.txt", "Title\nBody one.");
    store.write_batch(&[copy]).unwrap();
    store.write_batch(std::slice::from_ref(&v2)).unwrap();
    assert_eq!(superseded_by(&store), expect(&[(&v1.id, None), (&v2.id, None)]));
}

#[test]
fn an_old_store_with_tagged_fields_is_migrated_to_plain_json_and_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    crate::schema::migrate_to(&mut conn, &path, 2).unwrap();
    let kind = r#"{"name":"money","fields":[{"name":"amount","ty":"Float","required":true},{"name":"currency","ty":"Str","required":false},{"name":"on","ty":"Date","required":false},{"name":"term","ty":"Interval","required":false},{"name":"n","ty":"Int","required":false}],"roles":[]}"#;
    let fields: BTreeMap<String, Value> = BTreeMap::from([
        ("amount".into(), Value::Float(8.8e12)),
        ("currency".into(), Value::Str("USD".into())),
        ("on".into(), Value::Date("2022-03".into())),
        ("term".into(), Value::Interval(Some("2019".into()), None)),
        ("n".into(), Value::Int(3)),
    ]);
    // What builds before version 4 wrote: serde's tagged form.
    let tagged = serde_json::to_string(&fields).unwrap();
    assert!(tagged.contains(r#"{"Float":8800000000000.0}"#), "{tagged}");
    conn.execute_batch(&format!(
        "INSERT INTO article (id, origin, format, title, meta, text, text_sha256, ingested_at)
           VALUES ('a1', '/a.txt', 'txt', 'T', '{{}}', 'Text.', 'h1', '2024-01-01T00:00:00Z');
         INSERT INTO origin VALUES ('/a.txt', 'a1', 'primary');
         INSERT INTO kind_schema VALUES ('money', '{kind}', 'money');
         INSERT INTO fact (article_id, kind, sentence_idx, start, \"end\", fields, extractor, confidence)
           VALUES ('a1', 'money', 0, 0, 5, '{tagged}', 'money@1', 1.0);
         -- More than one slice of the migration (10,000 rows).
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
         INSERT INTO fact (article_id, kind, sentence_idx, start, \"end\", fields, extractor, confidence)
           SELECT 'a1', 'money', 0, 0, 5, '{{\"amount\":{{\"Int\":' || i || '}}}}', 'money@1', 1.0 FROM n;"
    ))
    .unwrap();
    drop(conn);
    let read = |store: &Store| {
        let mut out = Vec::new();
        store.for_each_fact(|fact| out.push(fact.fields)).unwrap();
        let last = out.pop().unwrap();
        assert_eq!(last.get("amount"), Some(&Value::Int(10050)));
        out.truncate(1);
        out
    };
    // Read-only, an old store is read as it is.
    let old = Store::open_read_only(&path).unwrap();
    assert_eq!(read(&old), std::slice::from_ref(&fields));
    drop(old);

    let store = Store::open(&path).unwrap();
    assert_eq!(read(&store), [fields]);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tagged_left: i64 = conn
        .query_row(
            "SELECT count(*) FROM fact WHERE fields LIKE '%\"Int\"%' OR fields LIKE '%\"Float\"%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(tagged_left, 0, "every slice was migrated");
    let stored: String = conn
        .query_row("SELECT fields FROM fact ORDER BY id LIMIT 1", [], |row| row.get(0))
        .unwrap();
    let plain: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(
        plain,
        serde_json::json!({"amount": 8.8e12, "currency": "USD", "on": "2022-03",
                           "term": {"from": "2019", "to": null}, "n": 3})
    );
    assert!(stored.contains("8800000000000.0"), "a float keeps its fraction: {stored}");
    // And it is queryable from SQL as a plain value.
    let amount: f64 = conn
        .query_row(
            "SELECT json_extract(fields, '$.amount') FROM fact ORDER BY id LIMIT 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(amount, 8.8e12);
}

#[test]
fn a_second_writer_waits_for_the_lock_and_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let mut store = Store::open(&path).unwrap();
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (held, release) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        holder.execute_batch("COMMIT").unwrap();
        drop(held);
    });
    let told = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = told.clone();
    store.on_lock_wait(move |_| seen.set(seen.get() + 1));
    // The batch waits for the other writer instead of failing with "database is locked".
    let outcome = store.write_batch(&[article("/a.txt", "Title\nBody one.")]).unwrap();
    assert_eq!(outcome, [Outcome::Ingested]);
    assert!(release.recv().is_err(), "the holder committed before the batch went through");
    assert!(told.get() >= 1, "the wait was reported");
    other.join().unwrap();
}

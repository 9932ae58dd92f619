//! `kill -9` in the middle of an ingest leaves a store that opens, holds every committed batch
//! and nothing else, and a re-run completes the rest.

use std::time::{Duration, Instant};

use factql_store::Store;

use crate::{factql, run};

const ARTICLES: usize = 10_000;
const BATCH: usize = 25;

#[test]
fn kill_9_mid_ingest_loses_no_committed_batch_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for n in 0..ARTICLES {
        let text = format!(
            "Report number {n}\nOfficials in city {n} said on Monday that talks would resume. \
             The mayor of district {n} did not comment. Observers expect a decision soon.\n"
        );
        std::fs::write(corpus.join(format!("{n:05}.txt")), text).unwrap();
    }
    let db = dir.path().join("x.db");

    let mut child = factql(dir.path())
        .args(["ingest", "--batch", &BATCH.to_string(), "--db"])
        .arg(&db)
        .arg(&corpus)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    // Wait until some batches are committed, then kill the process without warning.
    let started = Instant::now();
    let committed_before_kill = loop {
        assert!(child.try_wait().unwrap().is_none(), "ingest finished before it could be killed");
        assert!(started.elapsed() < Duration::from_secs(120), "ingest never committed a batch");
        let count = committed_articles(&db);
        if count >= 4 * BATCH as u64 {
            break count;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed, not finished");

    let store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    let survived = store.article_count().unwrap() as usize;
    assert!(survived as u64 >= committed_before_kill);
    assert!(survived < ARTICLES, "the kill came too late to prove anything");
    // Each batch is one transaction: whole batches or nothing.
    assert_eq!(survived % BATCH, 0, "a partial batch survived: {survived}");
    drop(store);

    let (out, err, code) = run(factql(dir.path()).args(["ingest", "--db"]).arg(&db).arg(&corpus));
    assert_eq!(code, 0, "{err}");
    let expected = format!(
        "{} ingested, {survived} unchanged, 0 updated, 0 duplicates, 0 skipped",
        ARTICLES - survived
    );
    assert!(out.contains(&expected), "expected `{expected}` in {out}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.article_count().unwrap() as usize, ARTICLES);
    assert_eq!(store.stats().unwrap().tables.sentences as usize, ARTICLES * 4);
}

/// Articles committed so far, read through a read-only connection that never takes a write
/// lock, so watching the store does not slow the writer down; 0 before the file exists.
fn committed_articles(db: &std::path::Path) -> u64 {
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = rusqlite::Connection::open_with_flags(db, flags) else { return 0 };
    conn.query_row("SELECT count(*) FROM article", [], |row| row.get::<_, i64>(0))
        .map_or(0, |n| n as u64)
}

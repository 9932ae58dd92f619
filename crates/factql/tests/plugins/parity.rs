//! The money extractor stores the same facts on the bundled corpus whether it runs bundled
//! in-process, bundled in an isolated child, or from its cdylib replacing the bundled one.

use std::path::Path;

use crate::support::{Scratch, both};

/// Every fact row except ids and run ids, in a stable order.
fn facts(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT article_id, kind, sentence_idx, start, \"end\", fields, extractor, confidence
             FROM fact ORDER BY article_id, start, \"end\", kind",
        )
        .expect("prepare");
    stmt.query_map([], |row| {
        Ok(format!(
            "{} {} {} {}..{} {} {} {}",
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, i64>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, f64>(7)?
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

#[test]
fn bundled_isolated_and_dynamic_money_store_identical_facts() {
    let scratch = Scratch::new();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let ingest = |name: &str, extra: &[&str], config: Option<&str>| {
        let db = scratch.path(name);
        let mut cmd = scratch.factql("none");
        if let Some(text) = config {
            std::fs::write(scratch.path("factql-plugins.conf"), text).expect("write config");
            cmd.env("FACTQL_PLUGIN_CONFIG", scratch.path("factql-plugins.conf"));
        }
        let out = cmd
            .arg("--db")
            .arg(&db)
            .args(extra)
            .arg("ingest")
            .arg(&corpus)
            .output()
            .expect("factql runs");
        assert!(out.status.success(), "{}", both(&out));
        (db, both(&out))
    };
    let (in_process, _) = ingest("in-process.db", &[], None);
    let (isolated, _) = ingest("isolated.db", &["--isolate", "money"], None);
    let lib = scratch.plugins().join("libfactql_extractor_money.so");
    std::fs::copy(&crate::support::libraries().1, &lib).expect("copy");
    scratch.trust(&lib);
    let (dynamic, out) = ingest("dynamic.db", &[], Some("replace_bundled = money\n"));
    assert!(out.contains("replaces the bundled plugin"), "{out}");
    assert!(out.contains(&format!("plugin money 0.1.0 ({}", lib.display())), "{out}");

    let expected = facts(&in_process);
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(facts(&isolated), expected);
    assert_eq!(facts(&dynamic), expected);
}

/// Fact rows with their ids and run ids, in id order: the order rows were written in.
fn rows_in_write_order(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn
        .prepare("SELECT id, article_id, start, \"end\", extractor, run_id FROM fact ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |row| {
        Ok(format!(
            "{} {} {} {} {} {}",
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, i64>(5)?
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

#[test]
fn parallel_ingest_writes_the_same_rows_in_the_same_order_every_time() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let ingest = |name: &str| {
        let db = scratch.path(name);
        let out = scratch
            .factql("none")
            .arg("--db")
            .arg(&db)
            .args(["ingest", "--batch", "5"])
            .arg(&corpus)
            .output()
            .expect("factql runs");
        assert!(out.status.success(), "{}", both(&out));
        rows_in_write_order(&db)
    };
    let first = ingest("one.db");
    assert!(first.len() > 15, "{first:?}");
    for name in ["two.db", "three.db"] {
        assert_eq!(ingest(name), first);
    }
}

#[test]
fn reextract_replaces_only_the_plugins_rows() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let db = scratch.path("r.db");
    let run = |args: &[&str]| {
        let out =
            scratch.factql("none").arg("--db").arg(&db).args(args).output().expect("factql runs");
        assert!(out.status.success(), "{}", both(&out));
        both(&out)
    };
    run(&["ingest", "a.txt", "b.txt"]);
    let before = facts(&db);
    assert_eq!(before.iter().filter(|f| f.contains("fault-none@")).count(), 2, "{before:?}");
    let out = run(&["reextract", "--plugin", "fault-none"]);
    assert!(out.contains("reextract fault-none: removed 2 rows"), "{out}");
    assert!(out.contains("plugin fault-none 0.0.1"), "{out}");
    assert!(!out.contains("plugin money"), "money is not re-run:\n{out}");
    assert_eq!(facts(&db), before);
    let unknown = scratch
        .factql("none")
        .arg("--db")
        .arg(&db)
        .args(["reextract", "--plugin", "nope"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        both(&unknown).contains(
            "no plugin named nope is loaded (loaded: dates, entities, events, fault-none, money, roles, quotes, tone)"
        ),
        "{}",
        both(&unknown)
    );
}

//! Stores people share, through the binary: a read-only folder, a second writer, a foreign
//! SQLite file, and output into a closed pipe.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::{factql, run};

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

#[test]
fn query_stats_and_the_repl_read_a_store_in_a_read_only_folder_and_ingest_says_why_not() {
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(tmp.path().join("a.txt"), "Aid agreed\n\nThe fund paid $5 million.\n").unwrap();
    std::fs::write(tmp.path().join("b.txt"), "Later news\n\nNothing else happened.\n").unwrap();
    let db = shared.join("x.db");
    let (_, err, code) = run(factql(tmp.path()).arg("--db").arg(&db).args(["ingest", "a.txt"]));
    assert_eq!(code, 0, "{err}");
    let empty = shared.join("empty.db");
    drop(factql_store::Store::open(&empty).unwrap());
    let Some(_locked) = Unwritable::lock(&shared) else { return };

    let (out, err, code) =
        run(factql(tmp.path()).arg("--db").arg(&db).args(["query", "articles | count"]));
    assert_eq!(code, 0, "query: {err}");
    assert!(out.contains('1'), "{out}");
    let (out, err, code) = run(factql(tmp.path()).arg("--db").arg(&db).arg("stats"));
    assert_eq!(code, 0, "stats: {err}");
    assert!(out.contains("articles"), "{out}");
    let mut repl = factql(tmp.path());
    repl.arg("--db").arg(&db).arg("repl").stdin(Stdio::piped()).stdout(Stdio::piped());
    repl.stderr(Stdio::piped());
    let mut child = repl.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"articles | count\n.ingest b.txt\n").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let (out, err) =
        (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(out.contains('1'), "repl: {out}{err}");
    // The session reads; `.ingest` says why it cannot write (and the script fails).
    assert!(err.contains("is read-only"), "repl .ingest: {err}");

    // An empty store there opens as it is: the sample corpus cannot be added.
    let mut repl = factql(tmp.path());
    repl.arg("--db").arg(&empty).arg("repl").stdin(Stdio::piped()).stdout(Stdio::piped());
    repl.stderr(Stdio::piped());
    let mut child = repl.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"articles | count\n").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "repl on an empty store: {err}");
    assert!(err.contains("is read-only") && err.contains("sample corpus was not added"), "{err}");

    let (out, err, code) = run(factql(tmp.path()).arg("--db").arg(&db).args(["ingest", "b.txt"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("is read-only") && err.contains(&db.display().to_string()), "{err}");
    assert!(!out.contains("ingest into"), "no summary for work not done: {out}");
}

#[test]
fn a_second_ingest_waits_for_the_lock_and_reports_only_work_done() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.txt"), "First\n\nOne article.\n").unwrap();
    std::fs::write(tmp.path().join("b.txt"), "Second\n\nAnother article.\n").unwrap();
    let (_, err, code) = run(factql(tmp.path()).args(["ingest", "a.txt"]));
    assert_eq!(code, 0, "{err}");
    // Another writer holds the lock for a while.
    let holder = rusqlite::Connection::open(tmp.path().join("factql.db")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut second = factql(tmp.path());
    second.args(["ingest", "b.txt"]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = second.spawn().unwrap();
    // The lock is released once the second ingest says it waits for it.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut err = String::new();
    let started = std::time::Instant::now();
    while !err.contains("waiting for another process writing to") {
        use std::io::BufRead;
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 || started.elapsed() > Duration::from_secs(120)
        {
            break;
        }
        err.push_str(&line);
    }
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    stderr.read_to_string(&mut err).unwrap();
    let output = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}{err}");
    assert!(err.contains("waiting for another process writing to"), "{err}");
    assert!(out.contains("1 ingested"), "{out}");
    assert!(!err.contains("database is locked"), "{err}");
}

#[test]
fn a_sqlite_file_that_is_not_a_store_is_refused_by_every_command_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.txt"), "First\n\nOne article.\n").unwrap();
    let other = tmp.path().join("notes.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT)").unwrap();
    drop(conn);
    let before = std::fs::read(&other).unwrap();
    for args in [&["ingest", "a.txt"][..], &["query", "articles | count"], &["stats"]] {
        let (out, err, code) = run(factql(tmp.path()).arg("--db").arg(&other).args(args));
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains("is not a factql store"), "{args:?}: {err}");
        assert!(!out.contains("ingest into"), "{args:?}: {out}");
    }
    assert_eq!(std::fs::read(&other).unwrap(), before, "the file was written to");
}

#[test]
fn inspect_into_a_closed_pipe_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("A long article\n\n");
    for n in 0..20_000 {
        text.push_str(&format!("Sentence number {n} says little. "));
        if n % 10 == 9 {
            text.push_str("\n\n");
        }
    }
    std::fs::write(tmp.path().join("long.txt"), text).unwrap();
    let mut cmd = factql(tmp.path());
    cmd.args(["inspect", "long.txt"]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut head = [0u8; 512];
    child.stdout.as_mut().unwrap().read_exact(&mut head).unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
    assert!(output.status.success(), "{err}");
}

#[test]
fn a_changed_article_counts_once_and_articles_all_shows_its_history() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.txt");
    std::fs::write(&file, "Aid agreed\n\nThe fund paid $5 million to the city.\n").unwrap();
    let (_, err, code) = run(factql(tmp.path()).args(["ingest", "a.txt"]));
    assert_eq!(code, 0, "{err}");
    std::fs::write(&file, "Aid agreed\n\nThe fund paid $7 million to the city.\n").unwrap();
    let (out, err, code) = run(factql(tmp.path()).args(["ingest", "a.txt"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 updated"), "{out}");
    let query = |q: &str| {
        let (out, err, code) = run(factql(tmp.path()).args(["query", q, "--format", "csv"]));
        assert_eq!(code, 0, "{q}: {err}");
        out
    };
    assert_eq!(query("moneys | summarize total = sum(amount)"), "total\n7000000.0\n");
    assert_eq!(query("articles | count"), "count\n1\n");
    assert_eq!(query("articles(all) | count"), "count\n2\n");
    let (out, err, code) = run(factql(tmp.path()).args(["stats", "--json"]));
    assert_eq!(code, 0, "{err}");
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (stats["tables"]["articles"].as_u64(), stats["tables"]["superseded"].as_u64()),
        (Some(1), Some(1))
    );
}

/// Turns a store of this build back into one of schema version 2 (before the application id,
/// `superseded_by`, and plain fact fields): money facts get serde's tagged fields again (the
/// facts of other kinds go: their dates cannot be told from text in SQL).
fn make_old(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "DELETE FROM fact_arg WHERE fact_id IN (SELECT id FROM fact WHERE kind <> 'money');
         UPDATE fact_arg SET fact_ref = NULL WHERE fact_ref IN (SELECT id FROM fact WHERE kind <> 'money');
         DELETE FROM fact WHERE kind <> 'money';
         UPDATE fact SET fields = (
             SELECT json_group_object(key, CASE type
                 WHEN 'real' THEN json_object('Float', value)
                 WHEN 'integer' THEN json_object('Int', value)
                 WHEN 'text' THEN json_object('Str', value)
                 ELSE 'Null' END)
             FROM json_each(fact.fields))
         WHERE kind = 'money';
         DROP INDEX article_superseded;
         ALTER TABLE article DROP COLUMN superseded_by;
         PRAGMA user_version = 2;
         PRAGMA application_id = 0;",
    )
    .unwrap();
}

#[test]
fn a_store_of_an_earlier_build_answers_the_same_read_only_and_after_its_migration() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("a.txt"),
        "Aid agreed\n\nThe fund paid $5 million and €3 million.\n",
    )
    .unwrap();
    let (_, err, code) = run(factql(tmp.path()).args(["ingest", "a.txt"]));
    assert_eq!(code, 0, "{err}");
    let query = |q: &str| {
        let (out, err, code) = run(factql(tmp.path()).args(["query", q, "--format", "csv"]));
        assert_eq!(code, 0, "{q}: {err}");
        out
    };
    let q = "moneys | summarize total = sum(amount) by currency | sort by currency";
    let answer = query(q);
    assert!(answer.contains("5000000.0"), "{answer}");
    let db = tmp.path().join("factql.db");
    make_old(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let fields = |conn: &rusqlite::Connection| -> String {
        conn.query_row("SELECT fields FROM fact WHERE kind = 'money' LIMIT 1", [], |row| row.get(0))
            .unwrap()
    };
    assert!(fields(&conn).contains(r#"{"Float":"#), "{}", fields(&conn));

    // Read as it is: a query does not write, so it does not migrate either.
    assert_eq!(query(q), answer);
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
    assert_eq!(version, 2);

    // The next writer migrates and stamps it; the answer stays.
    let (_, err, code) = run(factql(tmp.path()).args(["ingest", "a.txt"]));
    assert_eq!(code, 0, "{err}");
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
    assert_eq!(version, factql_store::SCHEMA_VERSION);
    let app: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0)).unwrap();
    assert_eq!(app, factql_store::APPLICATION_ID);
    let plain: serde_json::Value = serde_json::from_str(&fields(&conn)).unwrap();
    assert!(plain["amount"].is_f64() && plain["currency"].is_string(), "{plain}");
    assert_eq!(query(q), answer);
}

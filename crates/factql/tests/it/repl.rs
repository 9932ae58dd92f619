//! The REPL run as a script (stdin not a terminal): every query prints its result, the same
//! rows as `factql query`; a closed pipe ends it quietly.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{factql, run};

/// Runs `factql --db DB` with `script` on stdin.
fn script(dir: &Path, db: &Path, script: &str) -> (String, String, i32) {
    let mut child = factql(dir)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn fixture(dir: &Path) -> PathBuf {
    let db = dir.join("fixture.db");
    drop(factql_test_support::fixture_store(&db).unwrap());
    db
}

#[test]
fn every_query_of_a_piped_script_prints_its_result_with_no_escape_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let (out, err, code) = script(
        dir.path(),
        &db,
        "articles | summarize n = count()\nevents\n| summarize n = count()\n.mode csv\npeople | where name == \"Viktor Orban\" | select name\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}'), "{out}{err}");
    assert!(out.contains("│ 7 │") && out.contains("│ 9 │"), "{out}");
    assert!(out.ends_with("name\nViktor Orban\n"), "{out}");
}

#[test]
fn a_script_with_an_error_goes_on_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let (out, err, code) = script(
        dir.path(),
        &db,
        ".mode csv\narticles | where titel == 1\narticles | summarize n = count()\n",
    );
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `title`?"), "{err}");
    assert_eq!(out, "n\n7\n");
}

#[test]
fn a_closed_pipe_ends_the_script_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let mut child = factql(dir.path())
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Plenty of output, read one line, then close the pipe.
    let lines = ".mode csv\nsentences\n".repeat(200);
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(lines.as_bytes());
    });
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "article,index,text\n");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let _ = writer.join();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(output.status.code().is_some(), "ended by a signal: {:?}", output.status);
}

/// The example queries of the language tests, as a person types them into the REPL (a
/// `# param` line is `.param set`, `---` starts the next entry), print the rows
/// `factql query` prints for them (`_` stands for the query before it).
#[test]
fn the_example_queries_typed_into_the_repl_print_the_rows_of_factql_query() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../factql-engine/test_data/queries");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "fql"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{}", files.len());
    let mut typed = String::from(".mode csv\n");
    let mut expected = String::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let mut params = Vec::new();
        for line in text.lines() {
            if let Some((name, value)) =
                line.trim().strip_prefix("# param ").and_then(|r| r.split_once('='))
            {
                typed.push_str(&format!(".param set {} {}\n", name.trim(), value.trim()));
                params.push(format!("{}={}", name.trim(), value.trim()));
            }
        }
        let mut previous: Option<String> = None;
        for section in text.split("\n---\n") {
            typed.push_str(section.trim_end());
            typed.push('\n');
            // `factql query` has no `_`: it runs the query `_` stood for.
            let query = match (section.trim_start().strip_prefix('_'), &previous) {
                (Some(rest), Some(previous)) => format!("{previous}\n{rest}"),
                _ => section.to_owned(),
            };
            let mut cmd = factql(dir.path());
            cmd.args(["query", "--db"]).arg(&db).args(["--format", "csv"]).arg(&query);
            for param in &params {
                cmd.arg("--param").arg(param);
            }
            let (out, err, code) = run(&mut cmd);
            assert_eq!(code, 0, "{}: {err}", path.display());
            assert!(out.lines().count() > 1, "{}: no rows", path.display());
            expected.push_str(&out);
            previous = Some(query);
        }
        typed.push_str(".param clear\n");
    }
    let (out, err, code) = script(dir.path(), &db, &typed);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected);
}

#[test]
fn factql_repl_is_the_same_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factql"));
    cmd.current_dir(dir.path())
        .args(["repl", "--db"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b".mode csv\narticles | summarize n = count()\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "n\n7\n");
}

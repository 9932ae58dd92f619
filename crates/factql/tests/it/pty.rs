//! The REPL in a pseudo-terminal, driven as a person would: the line editor, completion,
//! `.show`, and Ctrl-C during a long query.

use std::path::Path;
use std::process::Command;

use rexpect::session::{PtySession, spawn_command};

/// The prompt.
const PROMPT: &str = "» ";

/// rexpect turns each byte it reads into one char: text to expect must be written the same
/// way (UTF-8 bytes as Latin-1 chars) to match anything but ASCII.
fn bytes(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// `factql --db DB` in a pseudo-terminal, with its history file in `dir`.
fn repl(dir: &Path, db: &Path) -> PtySession {
    repl_with(dir, db, &[])
}

fn repl_with(dir: &Path, db: &Path, env: &[(&str, &str)]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factql"));
    cmd.envs(env.iter().copied());
    cmd.current_dir(dir)
        .arg("--db")
        .arg(db)
        .env_remove("FACTQL_DB")
        .env("FACTQL_HISTORY", dir.join("history"))
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(30_000)).expect("factql starts in a pty");
    p.exp_string("Ctrl-D to leave").expect("the banner");
    p.exp_string(&bytes(PROMPT)).expect("the prompt");
    p
}

#[test]
fn the_line_editor_reports_mistakes_completes_fields_and_shows_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fixture.db");
    drop(factql_test_support::fixture_store(&db).unwrap());
    let mut p = repl(dir.path(), &db);

    // A misspelt field: the caret under it and the suggestion.
    p.send_line("quotes | where txt has \"sanctions\"").unwrap();
    p.exp_string("unknown field `txt`").unwrap();
    p.exp_string(&bytes("┬")).unwrap();
    p.exp_string("no such field").unwrap();
    p.exp_string("did you mean `text`?").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();

    // Tab after `articles | where ` offers the article's fields, with their types.
    p.send("articles | where ").unwrap();
    p.send("\t\t").unwrap();
    p.flush().unwrap();
    p.exp_regex(r"title\s+string").unwrap();
    p.exp_regex(r"published\s+date").unwrap();
    // Completing the word and finishing the line runs the query.
    p.send("tit\t").unwrap();
    p.send_line(" has \"Belarus\" | summarize n = count()").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();

    // A query, then `.show 1`: the sentence the row came from.
    p.send_line("quotes | where text has \"aggression\" | select speaker.name").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();
    p.send_line(".show 1").unwrap();
    p.exp_string("EU expands sanctions on Belarus").unwrap();
    p.exp_string("These sanctions show that aggression has a price").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();

    // A multi-line query: the line ending with `|` waits for the next.
    p.send_line("events |").unwrap();
    p.send_line("summarize n = count()").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();

    // Ctrl-R finds an earlier entry in the history; Enter runs it again.
    p.send_control('r').unwrap();
    p.send("aggression").unwrap();
    p.flush().unwrap();
    p.exp_string("reverse-i-search)`aggression'").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();

    // Ctrl-D leaves, and the history kept the multi-line query as one entry.
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let history = std::fs::read_to_string(dir.path().join("history")).unwrap();
    assert!(history.contains("events |\\nsummarize n = count()"), "{history}");
}

#[test]
fn ctrl_c_cancels_a_long_query_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("synthetic.db");
    drop(factql_test_support::synthetic_store(&db, 400, 7).unwrap());
    let mut p = repl(dir.path(), &db);
    // Two repeated edges over every person: minutes of work.
    p.send_line("match (p:person) -[:meet*1..6]- (q:person) -[:meet*1..6]- (r:person) | summarize n = count()").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    p.send_control('c').unwrap();
    p.exp_string("query cancelled").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();
    p.send_line("articles | summarize n = count()").unwrap();
    p.exp_string("400").unwrap();
    p.exp_string(&bytes(PROMPT)).unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn no_color_turns_colours_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fixture.db");
    drop(factql_test_support::fixture_store(&db).unwrap());
    let mut p = repl_with(dir.path(), &db, &[("NO_COLOR", "1")]);
    p.send_line("quotes | where txt has \"sanctions\"").unwrap();
    let shown = p.exp_string("nothing was run").unwrap();
    assert!(shown.contains("did you mean `text`?"), "{shown:?}");
    // Neither the highlighted line nor the diagnostic has a colour code (cursor moves stay).
    assert!(!shown.contains("\u{1b}[3") && !shown.contains("\u{1b}[1;3"), "{shown:?}");
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

//! End-to-end tests of the `factql` binary, run as a child process the way users run it.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

mod architecture;
mod bad_input;
mod entities;
mod events;
mod export;
mod extract;
mod facts_doc;
mod ingest;
mod kill;
mod pty;
mod query;
mod quotes;
mod repl;
mod roles_gold;
mod shared;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `factql` binary under test, with a database in `dir` and no `$FACTQL_DB` leaking in.
pub(crate) fn factql(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factql"));
    cmd.current_dir(dir).env_remove("FACTQL_DB");
    cmd
}

/// Runs a command and returns its output, stdout and stderr as text, and the exit code.
pub(crate) fn run(cmd: &mut Command) -> (String, String, i32) {
    let Output { status, stdout, stderr } = cmd.output().expect("factql runs");
    (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
        status.code().unwrap_or(-1),
    )
}

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled corpus folder.
pub(crate) fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A row of `factql query --format jsonl`.
pub(crate) type Row = serde_json::Map<String, serde_json::Value>;

/// The rows of `query` on the store in `dir` (the query must succeed).
pub(crate) fn rows(dir: &Path, query: &str) -> Vec<Row> {
    let (out, err, code) = run(factql(dir).args(["query", "--format", "jsonl", query]));
    assert_eq!(code, 0, "{query}\n{err}");
    out.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// A column of a row as text.
pub(crate) fn col(row: &Row, name: &str) -> String {
    match &row[name] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

//! The export read by other engines: DuckDB and DataFusion (their PyPI wheels, in the virtual
//! environment `.ci/run` makes at `target/pyenv`) run `check_engines.py`, which checks every
//! table's column types, row counts, publication dates and partitions, character-based
//! `substring` on exported text, pruning by partition, and that both give the same answers.
//!
//! Without the environment the test says so and passes, unless `FACTQL_REQUIRE_ENGINES` is
//! set (`.ci/run` sets it): CI never skips it silently.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use factql_export::{ExportOptions, export};
use serde_json::json;

fn python() -> Option<PathBuf> {
    let env = std::env::var_os("FACTQL_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv"));
    let python = env.join("bin/python");
    python.exists().then_some(python)
}

#[test]
fn duckdb_and_datafusion_read_the_export_as_documented() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("FACTQL_REQUIRE_ENGINES").is_none(),
            "FACTQL_REQUIRE_ENGINES is set but target/pyenv has no python: run \
             `python3 -m venv target/pyenv && target/pyenv/bin/pip install duckdb datafusion pyarrow`"
        );
        eprintln!("target/pyenv is missing: DuckDB and DataFusion not checked (see .ci/run)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut store = factql_test_support::fixture_store(&tmp.path().join("fixture.db")).unwrap();
    // An undated article and one with a time zone, beside the fixture's dated ones.
    let jsonl = concat!(
        r#"{"title": "Undated", "text": "Zürich was quiet. Nobody dated this note."}"#,
        "\n",
        r#"{"title": "Late", "published": "2024-06-02T23:30:00-05:00", "text": "Café talks in Kraków went on late."}"#,
        "\n"
    );
    let bytes: &'static [u8] = Box::leak(jsonl.as_bytes().to_vec().into_boxed_slice());
    let mut articles = Vec::new();
    factql_ingest::read_input(
        &factql_ingest::Input::Memory { name: "extra.jsonl".into(), bytes },
        &factql_ingest::Options::default(),
        &mut |result| {
            articles.push(result.unwrap());
            std::ops::ControlFlow::Continue(())
        },
    );
    store.write_batch(&articles).unwrap();

    let dir = tmp.path().join("dataset");
    let report = export(&store, &dir, &ExportOptions { since: None, with_text: true }).unwrap();

    // What the engines must find, from the store.
    let mut dated = BTreeMap::new();
    let mut sentence = None;
    let mut texts = BTreeMap::new();
    store
        .for_each_article(|row| {
            let day = row.published.as_ref().map(|p| p[..10.min(p.len())].to_owned());
            let month = row.published.as_ref().map_or("undated".to_owned(), |p| p[..7].to_owned());
            dated.insert(row.id.clone(), json!({ "pub_date": day, "pub_month": month }));
            texts.insert(row.id, row.text);
        })
        .unwrap();
    store
        .for_each_sentence(|row| {
            let text = &texts[&row.article][row.span.start..row.span.end];
            if sentence.is_none() && text.len() != text.chars().count() {
                sentence = Some(
                    json!({ "article_id": row.article, "sentence_idx": row.index, "text": text }),
                );
            }
        })
        .unwrap();
    let expected = json!({ "rows": report.rows, "articles": dated, "sentence": sentence.unwrap() });
    let expected_file = tmp.path().join("expected.json");
    std::fs::write(&expected_file, expected.to_string()).unwrap();

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/check_engines.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .arg(&expected_file)
        .args(["duckdb", "datafusion"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "check_engines.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("duckdb and datafusion agree"), "{stdout}\n{stderr}");
    eprintln!("{stdout}");
}

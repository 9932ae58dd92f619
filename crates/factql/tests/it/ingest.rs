//! Ingesting the bundled corpus, idempotence, duplicates, and `inspect` against the gold spans.

use crate::{corpus, factql, repo, run};

#[test]
fn no_arguments_ingests_the_bundled_corpus_into_an_empty_store_then_reads_stdin() {
    let dir = tempfile::tempdir().unwrap();
    // Not a terminal (stdin is empty): the REPL runs stdin as a script, which is empty.
    let (out, err, code) = run(&mut factql(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ingesting the bundled sample corpus (13 articles)"), "{out}");
    assert!(out.contains("13 ingested, 0 unchanged"), "{out}");
    assert!(dir.path().join("factql.db").exists());
    let (out, _, code) = run(factql(dir.path()).arg("stats"));
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.split_whitespace().eq(["articles", "13"])), "{out}");

    // The second time the store is not empty: nothing is ingested again.
    let (out, _, code) = run(&mut factql(dir.path()));
    assert_eq!(code, 0);
    assert!(!out.contains("ingesting the bundled"), "{out}");
}

#[test]
fn ingesting_the_corpus_twice_reports_every_article_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let wikinews = corpus().join("wikinews");
    let example = corpus().join("000_dcc1d3f2ccee5e65.txt");
    let mut first = factql(dir.path());
    first.args(["ingest", "--db", "x.db"]).arg(&example).arg(&wikinews);
    let (out, err, code) = run(&mut first);
    assert_eq!(code, 0, "{err}");
    // Twelve Wikinews articles and the example; the attribution page and index.tsv are not articles.
    assert!(out.contains("13 ingested, 0 unchanged, 0 updated, 0 duplicates, 0 skipped"), "{out}");
    assert!(
        out.contains(
            "ignored 2 files (not an article format, or documentation): ATTRIBUTION.md, index.tsv"
        ),
        "{out}"
    );

    let mut second = factql(dir.path());
    second.args(["ingest", "--db", "x.db"]).arg(&example).arg(&wikinews);
    let (out, _, code) = run(&mut second);
    assert_eq!(code, 0);
    assert!(out.contains("0 ingested, 13 unchanged, 0 updated, 0 duplicates, 0 skipped"), "{out}");
}

#[test]
fn the_same_text_under_another_name_is_a_duplicate_not_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let example = corpus().join("000_dcc1d3f2ccee5e65.txt");
    std::fs::copy(&example, dir.path().join("copy.txt")).unwrap();
    let mut cmd = factql(dir.path());
    cmd.args(["ingest", "--db", "x.db"]).arg(&example).arg("copy.txt");
    let (out, _, code) = run(&mut cmd);
    assert_eq!(code, 0);
    assert!(out.contains("1 ingested, 0 unchanged, 0 updated, 1 duplicates"), "{out}");
    assert!(out.contains("copy.txt: same text as article a"), "{out}");
    let (out, _, _) = run(factql(dir.path()).args(["stats", "--db", "x.db", "--json"]));
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["tables"]["articles"], 1);
    assert_eq!(stats["tables"]["duplicates"], 1);
}

#[test]
fn a_changed_file_is_stored_as_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("story.txt");
    std::fs::write(&file, "Headline\nFirst version of the story.").unwrap();
    run(factql(dir.path()).args(["ingest", "--db", "x.db", "story.txt"]));
    std::fs::write(&file, "Headline\nSecond version of the story.").unwrap();
    let (out, _, code) = run(factql(dir.path()).args(["ingest", "--db", "x.db", "story.txt"]));
    assert_eq!(code, 0);
    assert!(out.contains("0 ingested, 0 unchanged, 1 updated"), "{out}");
}

#[test]
fn inspect_json_gives_exactly_the_gold_sentence_spans() {
    let gold: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/data/seed-gold.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = factql(dir.path());
    cmd.args(["inspect", "--json"]).arg(corpus().join("000_dcc1d3f2ccee5e65.txt"));
    let (out, err, code) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let articles: serde_json::Value = serde_json::from_str(&out).unwrap();
    let spans = |sentences: &serde_json::Value| -> Vec<(u64, u64, u64, bool, bool)> {
        sentences
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["start"].as_u64().unwrap(),
                    s["end"].as_u64().unwrap(),
                    s["paragraph"].as_u64().unwrap(),
                    s["is_title"].as_bool().unwrap(),
                    s["boilerplate"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let (got, expected) = (spans(&articles[0]["sentences"]), spans(&gold["sentences"]));
    assert_eq!(got, expected);
    assert_eq!(articles[0]["sentences"][19]["text"], "Source link");
}

#[test]
fn inspect_reads_the_wikinews_dateline_as_the_publication_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = factql(dir.path());
    cmd.args(["inspect", "--json"]).arg(corpus().join("wikinews/2006-02-23_iodine.txt"));
    let (out, _, code) = run(&mut cmd);
    assert_eq!(code, 0);
    let articles: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(articles[0]["published"], "2006-02-23");
    assert_eq!(articles[0]["title"], "Australian children suffering from iodine deficiency");
    let dateline = &articles[0]["sentences"][1];
    assert_eq!(
        (dateline["text"].as_str(), dateline["boilerplate"].as_bool()),
        (Some("Thursday, February 23, 2006"), Some(true))
    );
}

#[test]
fn stdin_is_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = factql(dir.path())
        .args(["ingest", "--db", "x.db", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"title\":\"T\",\"body\":\"One.\"}\n{\"title\":\"U\",\"body\":\"Two.\"}\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(out.contains("2 ingested"), "{out}");
}

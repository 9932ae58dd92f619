//! `factql query`: formats, parameters, explain, errors and their exit codes.

use std::path::PathBuf;

use crate::{factql, run};

/// A directory holding `fixture.db`, the engine's test fact set.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fixture.db");
    factql_test_support::fixture_store(&db).unwrap();
    (dir, db)
}

#[test]
fn a_query_prints_an_aligned_table() {
    let (dir, db) = fixture();
    let (out, err, code) = run(factql(dir.path()).args(["query", "--db"]).arg(&db).arg(
        "match (a:person) -[e:invite]-> (b:person) | select inviter = a.name, invitee = b.name, when = e.date | sort by when desc",
    ));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["inviter", "invitee", "when"]);
    assert!(lines[2].starts_with("Alexander Lukashenko  Viktor Orban  2023-10-26"), "{out}");
    assert!(lines[3].starts_with("Aleksandar Vucic      Viktor Orban  2022-07-11"), "{out}");
    assert_eq!(lines.last(), Some(&"(2 rows)"));
}

#[test]
fn every_format_carries_the_same_rows() {
    let (dir, db) = fixture();
    let query = "events | where type == \"invite\" | select type, who = actor.name | sort by who";
    let output = |format: &str| {
        let (out, err, code) =
            run(factql(dir.path()).args(["query", "--format", format, "--db"]).arg(&db).arg(query));
        assert_eq!(code, 0, "{format}: {err}");
        out
    };
    assert_eq!(output("csv"), "type,who\ninvite,Aleksandar Vucic\ninvite,Alexander Lukashenko\n");
    assert_eq!(
        output("markdown"),
        "| type | who |\n|---|---|\n| invite | Aleksandar Vucic |\n| invite | Alexander Lukashenko |\n"
    );
    let json: serde_json::Value = serde_json::from_str(&output("json")).unwrap();
    assert_eq!(json["rows"][0]["who"], "Aleksandar Vucic");
    assert_eq!(
        json["rows"][0]["_evidence"]["sentence"], 3,
        "Vucic invited Orban is sentence 3 of its article"
    );
    assert_eq!(json["columns"][1]["type"], "string");
    let jsonl: Vec<serde_json::Value> =
        output("jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(jsonl.len(), 2);
    assert_eq!(jsonl[1]["who"], "Alexander Lukashenko");
}

#[test]
fn parameters_and_stdin() {
    let (dir, db) = fixture();
    let mut child = factql(dir.path())
        .args(["query", "--format", "csv", "--param", "who=Lukashenko", "--param", "n=2", "--db"])
        .arg(&db)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"match (p:person) -[near sentence]- (l:person $who)\n| where p != l\n| summarize n = count() by p.name\n| top $n by n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.starts_with("name,n\n"), "{out}");
}

#[test]
fn explain_prints_the_plan_without_running() {
    let (dir, db) = fixture();
    let (out, _, code) = run(factql(dir.path())
        .args(["query", "--explain", "--db"])
        .arg(&db)
        .arg("events | summarize n = count() by type"));
    assert_eq!(code, 0);
    assert!(
        out.contains("scan events")
            && out.contains("{type: string, n: int}")
            && out.contains("kind → facts"),
        "{out}"
    );
}

#[test]
fn a_bad_query_exits_1_with_every_error_located() {
    let (dir, db) = fixture();
    let query = "quotes | where speakr.name == \"Orban\" | summarize n = count() by speaker.nme";
    let (out, err, code) = run(factql(dir.path()).args(["query", "--db"]).arg(&db).arg(query));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "nothing runs: {out}");
    assert!(
        err.contains("unknown field `speakr` on `quote`")
            && err.contains("did you mean `speaker`?"),
        "{err}"
    );
    assert!(err.contains("unknown field `nme`") && err.contains("did you mean `name`?"), "{err}");
    assert!(err.contains("query:1:16") && err.contains("2 errors; nothing was run"), "{err}");

    let (_, err, code) =
        run(factql(dir.path()).args(["query", "--format", "json", "--db"]).arg(&db).arg(query));
    assert_eq!(code, 1);
    let errors: Vec<serde_json::Value> =
        err.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        (errors[0]["code"].as_str(), errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some("E0202"), Some(1), Some(16))
    );
}

#[test]
fn the_row_limit_stops_a_runaway_query_with_a_message() {
    let (dir, db) = fixture();
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--row-limit", "50", "--db"])
        .arg(&db)
        .arg("mentions | join (mentions | select kind) on kind"));
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("produced more than 50 rows") && err.contains("raise --row-limit"),
        "{err}"
    );
}

#[test]
fn render_draws_a_text_chart_under_the_table() {
    let (dir, db) = fixture();
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--db"])
        .arg(&db)
        .arg("events | summarize n = count() by type | sort by n desc | render bar"));
    assert_eq!(code, 0, "{err}");
    let chart: Vec<&str> = out.lines().skip_while(|l| *l != "bar of n").collect();
    assert_eq!(chart.len(), 5, "{out}");
    // The largest value gets the full width of 40; the others scale to it.
    assert_eq!(chart[1], format!("meet      {} 5", "█".repeat(40)));
    assert_eq!(chart[2], format!("invite    {} 2", "█".repeat(16)));
}

#[test]
fn a_script_of_several_queries_prints_each_result_in_turn() {
    let (dir, db) = fixture();
    let script = "let e = events | where type == \"meet\"\narticles | summarize a = count()\ne | summarize n = count()\n_ | extend twice = n * 2";
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--format", "markdown", "--db"])
        .arg(&db)
        .arg(script));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "| a |\n|---|\n| 7 |\n\n| n |\n|---|\n| 5 |\n\n| n | twice |\n|---|---|\n| 5 | 10 |\n"
    );
    let (out, err, code) =
        run(factql(dir.path()).args(["query", "--format", "json", "--db"]).arg(&db).arg(script));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(3), "one document per query: {out}");
    assert_eq!(json[2]["rows"][0]["twice"], 10);
}

#[test]
fn a_script_stops_at_its_first_bad_query_with_the_scripts_line() {
    let (dir, db) = fixture();
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--format", "markdown", "--db"])
        .arg(&db)
        .arg("articles | summarize a = count()\nevents | summarize n = count(nope)\narticles"));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "| a |\n|---|\n| 7 |\n", "the first result is printed, nothing after");
    assert!(err.contains("query:2:"), "the error points at line 2 of the script: {err}");
}

#[test]
fn csv_and_jsonl_refuse_several_queries() {
    let (dir, db) = fixture();
    for format in ["csv", "jsonl"] {
        let (out, err, code) = run(factql(dir.path())
            .args(["query", "--format", format, "--db"])
            .arg(&db)
            .arg("articles | summarize a = count()\nevents | summarize n = count()"));
        assert_eq!(code, 2, "{format}: {err}");
        assert_eq!(out, "", "{format}");
        assert!(
            err.contains(&format!(
                "the script holds 2 queries, but --format {format} holds one table"
            )),
            "{err}"
        );
    }
}

#[test]
fn warnings_go_to_stderr_and_leave_csv_and_json_clean() {
    let (dir, db) = fixture();
    let query = "events | where type == \"meeet\" | summarize n = count()";
    let (out, err, code) =
        run(factql(dir.path()).args(["query", "--format", "csv", "--db"]).arg(&db).arg(query));
    assert_eq!(code, 0, "a warning does not stop the query: {err}");
    assert_eq!(out, "n\n0\n");
    assert!(err.contains("W0240") && err.contains("did you mean \"meet\"?"), "{err}");
    let (out, err, code) =
        run(factql(dir.path()).args(["query", "--format", "json", "--db"]).arg(&db).arg(query));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["warnings"][0]["code"], "W0240");
    let warning: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    assert_eq!(warning["severity"], "warning", "stderr has the warning as a JSON line: {err}");
}

#[test]
fn json_rows_of_summarize_carry_their_groups_evidence() {
    let (dir, db) = fixture();
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--format", "json", "--db"])
        .arg(&db)
        .arg("events | summarize n = count() by type | sort by n desc"));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let meet = &json["rows"][0];
    assert_eq!(meet["type"], "meet");
    assert_eq!(meet["_group"]["rows"], 5, "{meet}");
    let evidence = meet["_group"]["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 5, "at most five, here all five: {meet}");
    assert_eq!(evidence[0], meet["_evidence"], "the first is the row's own evidence");
    let (out, _, code) = run(factql(dir.path())
        .args(["query", "--format", "json", "--db"])
        .arg(&db)
        .arg("events | where type == \"meet\" | select type"));
    assert_eq!(code, 0);
    assert!(!out.contains("_group"), "only summarize rows have a group: {out}");
}

/// The count `articles | where text has WORD` gives through the binary, and its stderr.
fn count_with(dir: &std::path::Path, db: &std::path::Path, word: &str) -> (String, String) {
    let query = format!("articles | where text has \"{word}\" | summarize n = count()");
    let (out, err, code) =
        run(factql(dir).args(["query", "--format", "csv", "--db"]).arg(db).arg(query));
    assert_eq!(code, 0, "{err}");
    (out, err)
}

#[test]
fn ingest_writes_the_image_and_a_stale_image_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("news.db");
    let image = factql_engine::image_path(&db);
    std::fs::write(dir.path().join("a.txt"), "Sanctions on Minsk.\n\nThe talks ended.\n").unwrap();
    let (_, err, code) = run(factql(dir.path()).args(["ingest", "--db"]).arg(&db).arg("a.txt"));
    assert_eq!(code, 0, "{err}");
    assert!(image.exists(), "ingest writes the image");
    let (out, err) = count_with(dir.path(), &db, "zanzibar");
    assert_eq!(out, "n\n0\n");
    assert!(!err.contains("image"), "a current image is used silently: {err}");

    // Ingested through the binary: the image is rewritten and has the article.
    std::fs::write(dir.path().join("b.txt"), "Zanzibar wardens quarrelled.\n").unwrap();
    let (_, err, code) = run(factql(dir.path()).args(["ingest", "--db"]).arg(&db).arg("b.txt"));
    assert_eq!(code, 0, "{err}");
    let (out, err) = count_with(dir.path(), &db, "zanzibar");
    assert_eq!(out, "n\n1\n", "{err}");
    assert!(!err.contains("image"), "{err}");

    // Written behind the binary's back (another program): the image is not used, the new
    // article is seen, and the image is rewritten for the next start.
    let before = std::fs::read(&image).unwrap();
    let mut store = factql_store::Store::open(&db).unwrap();
    let text = "Zanzibar again.";
    let sentence = factql_model::Sentence {
        index: 0,
        span: factql_model::Span::new(0, text.len()),
        paragraph: 0,
        is_title: true,
        boilerplate: false,
    };
    store
        .write_batch(&[factql_model::Article {
            id: factql_model::ArticleId("a00000000000000ff".into()),
            origin: "elsewhere".into(),
            format: factql_model::Format::Txt,
            title: text.into(),
            url: None,
            published: None,
            source: None,
            lang: None,
            meta: Default::default(),
            text: text.into(),
            text_sha256: "f".repeat(64),
            paragraphs: vec![factql_model::Paragraph {
                index: 0,
                span: factql_model::Span::new(0, text.len()),
            }],
            sentences: vec![sentence],
        }])
        .unwrap();
    drop(store);
    let (out, err) = count_with(dir.path(), &db, "zanzibar");
    assert_eq!(out, "n\n2\n", "{err}");
    assert!(err.contains("image not used") && err.contains("out of date"), "{err}");
    assert_ne!(std::fs::read(&image).unwrap(), before, "the image was rewritten");
    let (out, err) = count_with(dir.path(), &db, "zanzibar");
    assert_eq!(out, "n\n2\n");
    assert!(!err.contains("image"), "{err}");
}

#[test]
fn a_damaged_image_is_reported_and_the_store_answers() {
    let (dir, db) = fixture();
    let (out, err) = count_with(dir.path(), &db, "sanctions");
    let image = factql_engine::image_path(&db);
    assert!(image.exists(), "the first query writes the image: {err}");
    let bytes = std::fs::read(&image).unwrap();
    std::fs::write(&image, &bytes[..bytes.len() / 3]).unwrap();
    let (again, err) = count_with(dir.path(), &db, "sanctions");
    assert_eq!(again, out);
    assert!(err.contains("damaged image"), "{err}");
    let (_, err) = count_with(dir.path(), &db, "sanctions");
    assert!(!err.contains("image"), "rewritten: {err}");
}

#[test]
fn to_sql_prints_sql_checks_as_query_does_and_refuses_by_name() {
    let (dir, db) = fixture();
    let query = r#"match (p:person) -[near sentence]- (:person "Lukashenko") | summarize n = count() by p.name | top 3 by n"#;
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--to-sql", "--dialect", "spark", "--db"])
        .arg(&db)
        .arg(query));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("-- factql --to-sql --dialect spark\n"), "{out}");
    assert!(out.contains("-- entity 'wd:Q2866' = Alexander Lukashenko (person)"), "{out}");
    assert!(out.contains("e1.x IN ('wd:Q2866')") && out.contains("LIMIT 3"), "{out}");
    assert!(out.trim_end().ends_with("ORDER BY p.sort_key DESC NULLS LAST;"), "{out}");

    // The checker's errors, exactly as without --to-sql.
    let bad = "quotes | where speakr.name == \"Orban\"";
    let (_, native, _) = run(factql(dir.path()).args(["query", "--db"]).arg(&db).arg(bad));
    let (out, err, code) =
        run(factql(dir.path()).args(["query", "--to-sql", "--db"]).arg(&db).arg(bad));
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", native.as_str()));

    // A construct SQL cannot express: an error at its place, exit code 1, no SQL.
    let (out, err, code) = run(factql(dir.path())
        .args(["query", "--to-sql", "--format", "json", "--db"])
        .arg(&db)
        .arg("articles | where text has \"war\""));
    assert_eq!((code, out.as_str()), (1, ""));
    let error: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(error["code"], "E0900");
    assert_eq!(error["message"], "has cannot be compiled to SQL");
    assert_eq!((error["start"].as_u64(), error["end"].as_u64()), (Some(11), Some(31)));

    // --dialect without --to-sql is a usage error.
    let (_, _, code) = run(factql(dir.path())
        .args(["query", "--dialect", "trino", "--db"])
        .arg(&db)
        .arg("events"));
    assert_eq!(code, 2);
}

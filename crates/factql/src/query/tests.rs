//! The honest-answer diagnostics of issue 11 as people see them: each query is checked by the
//! engine and every diagnostic drawn by [`factql_syntax::render`], the renderer of `factql query`
//! and the REPL, without colour. The snapshots are read before they are committed.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use factql_engine::{Context, Engine, Severity};

fn fixture() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("fixture.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    (dir, engine)
}

fn context() -> Context {
    Context { producers: crate::extract::bundled_producers(), ..Context::default() }
}

/// Every diagnostic of each query, rendered, and whether the query still runs.
fn rendered(engine: &Engine, queries: &[&str]) -> String {
    let ctx = context();
    let mut out = String::new();
    for query in queries {
        let checked = engine.check(query, &ctx);
        out.push_str(&format!("$ {query}\n"));
        for d in &checked.diagnostics {
            out.push_str(&factql_syntax::render(query, d, false));
        }
        out.push_str(if checked.plan.is_some() { "(runs)\n\n" } else { "(refused)\n\n" });
    }
    out
}

fn codes(engine: &Engine, query: &str) -> Vec<(&'static str, Severity)> {
    engine.check(query, &context()).diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

#[test]
fn a_join_of_a_reference_with_text_is_an_error_with_the_field_to_compare() {
    let (_dir, engine) = fixture();
    let queries = [
        "quotes | join (people | select name) on speaker == name",
        "people | select name | join (quotes | select speaker) on name == speaker",
        "quotes | select who = speaker | join (people | select who = name) on who",
        "quotes | where speaker == \"Viktor Orban\"",
    ];
    for query in queries {
        let found = codes(&engine, query);
        assert!(found.iter().any(|(_, s)| *s == Severity::Error), "{query}: {found:?}");
    }
    // The fix works: comparing the name joins.
    let fixed =
        engine.check("quotes | join (people | select name) on speaker.name == name", &context());
    assert!(fixed.plan.is_some(), "{:?}", fixed.diagnostics);
    insta::assert_snapshot!(rendered(&engine, &queries));
}

#[test]
fn a_categorical_value_the_data_never_holds_is_a_warning_with_the_data_values() {
    let (_dir, engine) = fixture();
    let queries = [
        "mentions | where kind == \"persn\" | summarize n = count()",
        "articles | where source == \"Exmaple Wire\" | select title",
        "events | where type in [\"meet\", \"invit\"] | select type",
        "match (p:person) -[r:role {category: \"head_of_stat\"}]-> (c:place) | select p.name",
        "entities | where kind != \"Person\" | select name",
    ];
    for query in queries {
        let checked = engine.check(query, &context());
        assert!(
            checked.plan.is_some(),
            "a warning must not stop {query}: {:?}",
            checked.diagnostics
        );
        assert!(
            checked.diagnostics.iter().any(|d| d.code == "W0240"),
            "{query}: {:?}",
            checked.diagnostics
        );
    }
    // Values the data holds, and fields that are not categories, give no warning.
    for query in [
        "mentions | where kind == \"person\" | count()",
        "articles | where source == \"Brussels Wire\" | count()",
        "articles | where title == \"Nothing like this\" | count()",
    ] {
        assert!(codes(&engine, query).is_empty(), "{query}: {:?}", codes(&engine, query));
    }
    insta::assert_snapshot!(rendered(&engine, &queries));
}

#[test]
fn a_warning_inside_a_let_body_is_placed_where_the_let_is_used() {
    let (_dir, engine) = fixture();
    // The REPL keeps `let`s from earlier entries: their spans are not in this query's text.
    let mut ctx = context();
    let script = factql_syntax::parse("let meetings = events | where type == \"meeet\"");
    let Some(factql_syntax::Statement::Let(def)) = script.script.statements.first() else {
        panic!("a let")
    };
    ctx.lets.insert(def.name.name.clone(), def.clone());
    let query = "meetings | count()";
    let checked = engine.check(query, &ctx);
    assert!(checked.plan.is_some());
    let warning = &checked.diagnostics[0];
    assert_eq!((warning.code, warning.span.start, warning.span.end), ("W0240", 0, 8));
    assert!(warning.message.ends_with("(in `meetings`)"), "{}", warning.message);
}

#[test]
fn kql_and_sql_operators_point_to_has_and_the_regex_operator() {
    let (_dir, engine) = fixture();
    let queries = [
        "articles | where title contains \"Orban\" | select title",
        "articles | where text like \"%sanction%\"",
        "articles | where title startswith \"Hungary\"",
        "articles | where title !contains \"war\"",
        "articles | where text ilike \"%war%\"",
        "articles | where text hsa \"sanctions\"",
    ];
    for query in queries {
        let found = codes(&engine, query);
        assert_eq!(found, [("E0100", Severity::Error)], "{query}: one error each");
    }
    insta::assert_snapshot!(rendered(&engine, &queries));
}

#[test]
fn a_date_written_as_text_or_without_at_gets_the_literal_to_write() {
    let (_dir, engine) = fixture();
    let queries = [
        "articles | where published > \"2022-01-01\"",
        "articles | where published > 2022-01-01",
        "articles | where published in \"2022\"",
        "quotes | where \"2022-03\" <= date",
    ];
    for query in queries {
        let help = engine.check(query, &context()).diagnostics[0].help.clone().unwrap();
        assert!(help.contains("write the date as `@20") || help.contains("`@2022`"), "{help}");
    }
    insta::assert_snapshot!(rendered(&engine, &queries));
}

#[test]
fn an_empty_or_unmade_source_names_what_would_fill_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_store::Store::open(dir.path().join("empty.db")).unwrap();
    let empty = Engine::load(&store).unwrap();
    let (_fixture_dir, fixture) = fixture();
    let mut out = rendered(&empty, &["people", "mentions | count()"]);
    out.push_str(&rendered(&fixture, &["moneys | summarize sum(amount)", "weapons"]));
    let checked = empty.check("people", &context());
    assert!(checked.plan.is_some(), "an empty source is a warning, not an error");
    assert_eq!(checked.diagnostics[0].code, "W0241");
    assert!(
        checked.diagnostics[0].help.as_deref().unwrap().contains("bundled extractor `entities`")
    );
    insta::assert_snapshot!(out);
}

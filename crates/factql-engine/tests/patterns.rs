//! A pattern whose nodes have no kind matches what the same pattern with kinds matches: the
//! edges, not the node kinds, decide.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use factql_engine::{Context, Engine, RunOptions};

fn rows(engine: &Engine, query: &str) -> Vec<Vec<String>> {
    let relation = engine.query(query, &Context::default(), &RunOptions::default()).unwrap();
    let mut rows: Vec<Vec<String>> = relation
        .rows
        .iter()
        .map(|row| row.vals.iter().map(|v| engine.dataset().display(v)).collect())
        .collect();
    rows.sort();
    rows
}

#[test]
fn untyped_nodes_match_what_typed_nodes_match() {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("fixture.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    for (typed, untyped) in [
        (
            "match (a:person) -[e:invite]-> (b:person) | select x = a.name, y = b.name",
            "match (a) -[e:invite]-> (b) | select x = a.name, y = b.name",
        ),
        (
            "match (p:person) -[:said]-> (q:quote) | select p.name",
            "match (p) -[:said]-> (q) | select p.name",
        ),
    ] {
        let want = rows(&engine, typed);
        assert!(!want.is_empty(), "{typed}");
        assert_eq!(rows(&engine, untyped), want, "{untyped}");
    }
}

//! `docs/facts.md` stays true: every kind a bundled extractor declares is documented with each
//! of its fields, and every query of the page answers on a store of the bundled corpus.

use crate::{factql, repo, run};

/// The ```fql blocks of a markdown text.
fn fql_blocks(doc: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = doc;
    while let Some(start) = rest.find("```fql\n") {
        let body = &rest[start + 7..];
        let end = body.find("```").expect("closed block");
        blocks.push(body[..end].trim());
        rest = &body[end + 3..];
    }
    blocks
}

/// The section of `doc` whose `## ` heading names `` `kind` ``, up to the next heading.
fn section<'d>(doc: &'d str, kind: &str) -> Option<&'d str> {
    let named = format!("`{kind}`");
    let start = doc
        .match_indices("\n## ")
        .map(|(at, _)| at + 1)
        .find(|&at| doc[at..].lines().next().is_some_and(|heading| heading.contains(&named)))?;
    let body = &doc[start + 3..];
    Some(&body[..body.find("\n## ").unwrap_or(body.len())])
}

#[test]
fn every_bundled_kind_and_field_is_documented() {
    let doc = std::fs::read_to_string(repo().join("docs/facts.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (out, err, code) = run(factql(dir.path()).arg("plugins"));
    assert_eq!(code, 0, "{err}");
    // "      produces role(title, category, ...)" for each bundled plugin
    let mut kinds = 0;
    let mut missing = Vec::new();
    for line in out.lines().filter_map(|l| l.trim().strip_prefix("produces ")) {
        for decl in line.split("), ").filter(|d| d.contains('(')) {
            let (kind, fields) = decl.split_once('(').unwrap();
            kinds += 1;
            let Some(text) = section(&doc, kind) else {
                missing.push(format!("no `## ` heading names `{kind}`"));
                continue;
            };
            for field in fields.trim_end_matches(')').split(", ") {
                if !text.contains(&format!("`{field}`")) {
                    missing.push(format!("field `{field}` of {kind} is not documented"));
                }
            }
        }
    }
    assert!(kinds >= 4, "only {kinds} kinds declared by the bundled plugins:\n{out}");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_query_of_the_facts_page_answers_on_the_bundled_corpus() {
    let doc = std::fs::read_to_string(repo().join("docs/facts.md")).unwrap();
    let queries = fql_blocks(&doc);
    assert!(queries.len() >= 8, "only {} queries", queries.len());
    let dir = tempfile::tempdir().unwrap();
    let (_, err, code) = run(&mut factql(dir.path()));
    assert_eq!(code, 0, "{err}");
    let mut failures = Vec::new();
    for query in queries {
        let (out, err, code) = run(factql(dir.path()).args(["query", "--format", "jsonl", query]));
        if code != 0 {
            failures.push(format!("{query}\n{err}"));
        } else if out.lines().count() == 0 {
            failures.push(format!("no rows:\n{query}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

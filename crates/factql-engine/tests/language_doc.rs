//! Every ```fql example of docs/language.md checks and runs against the fixture.

use factql_engine::{Context, Engine, RunOptions, Severity};

#[test]
fn every_example_in_the_language_reference_runs() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/language.md"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("fixture.db")).unwrap();
    let engine = Engine::load(&store).unwrap();
    let mut examples = 0;
    let mut failures = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```fql\n") {
        let body = &rest[start + 7..];
        let end = body.find("```").expect("closed block");
        let query = &body[..end];
        let checked = engine.check(query, &Context::default());
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        // An example shows the language working: no warning either (such as a value the data
        // never holds).
        let warnings: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(ToString::to_string)
            .collect();
        if !warnings.is_empty() {
            failures.push(format!("warns on the fixture:\n{query}\n{}", warnings.join("\n")));
        }
        examples += 1;
        match checked.plan {
            Some(plan) if errors.is_empty() => {
                let rows = engine.run(&plan, &RunOptions::default()).unwrap();
                if rows.rows.is_empty() {
                    failures.push(format!("no rows on the fixture:\n{query}"));
                }
            }
            _ => failures.push(format!("does not check:\n{query}\n{}", errors.join("\n"))),
        }
        rest = &body[end + 3..];
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(examples >= 25, "only {examples} examples found");
}

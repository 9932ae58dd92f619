//! Data-driven query tests over the fixture fact set.
//!
//! Every `test_data/queries/*.fql` must parse, check and run; its snapshot holds the plan and
//! the result. Every `test_data/bad/*.fql` must be refused; its snapshot holds the diagnostics
//! as `factql query` draws them (`factql_syntax::render`, without colour). Adding a case means adding
//! a file. A query file may hold several sections separated by `---`: each runs with the
//! previous section's result as `_`. Lines `# param NAME = VALUE` set parameters.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use factql_engine::{Context, Diagnostic, Engine, Relation, RunOptions, Severity, value::Val};

fn engine() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("fixture.db")).unwrap();
    Engine::load(&store).unwrap()
}

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "fql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .fql files in {}", root.display());
    files
}

/// Parameters from `# param NAME = VALUE` lines: quoted strings, integers, else text.
fn params(source: &str) -> Vec<(String, Val)> {
    source
        .lines()
        .filter_map(|line| line.trim().strip_prefix("# param "))
        .filter_map(|rest| rest.split_once('='))
        .map(|(name, value)| {
            let value = value.trim();
            let val = if let Some(text) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'))
            {
                Val::str(text)
            } else if let Ok(n) = value.parse::<i64>() {
                Val::Int(n)
            } else {
                Val::str(value)
            };
            (name.trim().to_owned(), val)
        })
        .collect()
}

fn render_rows(engine: &Engine, relation: &Relation) -> String {
    let ds = engine.dataset();
    let header: Vec<String> =
        relation.columns.iter().map(|c| format!("{}: {}", c.name, c.ty)).collect();
    let mut out = format!("{} row(s)\n{}\n", relation.rows.len(), header.join(" | "));
    for row in &relation.rows {
        let cells: Vec<String> = row.vals.iter().map(|v| ds.display(v)).collect();
        out.push_str(&cells.join(" | "));
        out.push('\n');
    }
    out
}

/// Diagnostics as a person reads them: the renderer of `factql query` and the REPL, without
/// colour.
fn render_diagnostics(source: &str, diagnostics: &[Diagnostic]) -> String {
    factql_syntax::render_all(source, diagnostics, false)
}

#[test]
fn every_good_query_parses_checks_and_runs() {
    let engine = engine();
    for path in files("queries") {
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut ctx = Context::default();
        ctx.params.extend(params(&source));
        let mut out = String::new();
        for section in source.split("\n---\n") {
            let checked = engine.check(section, &ctx);
            let errors: Vec<&Diagnostic> =
                checked.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
            assert!(
                errors.is_empty(),
                "{name}: {}",
                render_diagnostics(section, &checked.diagnostics)
            );
            let plan = checked.plan.unwrap_or_else(|| panic!("{name}: no plan"));
            let relation = engine.run(&plan, &RunOptions::default()).unwrap();
            assert!(
                !relation.rows.is_empty(),
                "{name}: no rows; every example query must show something"
            );
            out.push_str(&format!("== {}\n{}", section.trim(), plan.explain()));
            if let Some(kind) = plan.render() {
                out.push_str(&format!("render: {kind:?}\n"));
            }
            out.push_str(&render_rows(&engine, &relation));
            if let Some(prov) = relation.rows[0].prov {
                let evidence = engine.dataset().evidence(&prov);
                let text: String = evidence.text.chars().take(100).collect();
                out.push_str(&format!(
                    "evidence of row 1: \"{}\" sentence {} bytes {}..{}: {text}\n",
                    evidence.title, evidence.sentence, evidence.start, evidence.end
                ));
            }
            if let Some(group) = &relation.rows[0].group {
                let listed: Vec<String> = group
                    .provs
                    .iter()
                    .map(|p| {
                        let e = engine.dataset().evidence(p);
                        format!(
                            "\"{}\" sentence {} bytes {}..{}",
                            e.title, e.sentence, e.start, e.end
                        )
                    })
                    .collect();
                out.push_str(&format!(
                    "group of row 1: {} row(s), evidence: {}\n",
                    group.rows,
                    listed.join("; ")
                ));
            }
            ctx.last = Some(Arc::new(relation));
        }
        insta::with_settings!({ input_file => &path, prepend_module_to_snapshot => false, snapshot_path => "snapshots/queries" }, {
            insta::assert_snapshot!(name, out);
        });
    }
}

#[test]
fn every_bad_query_is_refused_with_a_located_message() {
    let engine = engine();
    for path in files("bad") {
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let checked = engine.check(&source, &Context::default());
        assert!(checked.plan.is_none(), "{name}: a bad query got a plan");
        assert!(
            checked.diagnostics.iter().any(|d| d.severity == Severity::Error),
            "{name}: refused without an error"
        );
        for d in &checked.diagnostics {
            assert!(
                d.span.end <= source.len() && source.is_char_boundary(d.span.start),
                "{name}: span {:?} out of the query",
                d.span
            );
        }
        let out = render_diagnostics(&source, &checked.diagnostics);
        insta::with_settings!({ input_file => &path, prepend_module_to_snapshot => false, snapshot_path => "snapshots/bad" }, {
            insta::assert_snapshot!(name, out);
        });
    }
}

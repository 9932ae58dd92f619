//! Data-driven tests over `test_data/{ok,err}/*.fql`.
//!
//! Adding a case means adding a file. Each ok file is checked for: no
//! errors, a canonical print that re-parses to an equal tree, idempotent
//! printing, and a snapshot of the canonical print plus a tree dump. Each err
//! file must report errors; its snapshot shows them rendered with carets,
//! followed by the partial tree that the REPL would get.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

mod common;

use factql_syntax::parse;

use common::{dump, fql_files, render_errors};

fn stem(path: &std::path::Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Asserts the round trip and returns the canonical text.
#[track_caller]
fn verified_script(name: &str, src: &str) -> String {
    let parsed = parse(src);
    assert!(
        parsed.errors.is_empty(),
        "{name}: unexpected errors:\n{}",
        render_errors(src, &parsed.errors)
    );
    let printed = parsed.script.to_string();
    let reparsed = parse(&printed);
    assert!(
        reparsed.errors.is_empty(),
        "{name}: the canonical print does not parse:\n{printed}\n{}",
        render_errors(&printed, &reparsed.errors)
    );
    assert_eq!(reparsed.script, parsed.script, "{name}: round trip changed the tree:\n{printed}");
    assert_eq!(reparsed.script.to_string(), printed, "{name}: printing is not idempotent");
    printed
}

#[test]
fn ok_queries() {
    let files = fql_files("ok");
    assert!(files.len() >= 15, "the 15 design examples must be there");
    for path in files {
        let name = stem(&path);
        let src = std::fs::read_to_string(&path).unwrap();
        let printed = verified_script(&name, &src);
        let parsed = parse(&src);
        let mut rewrites = String::new();
        for rewrite in &parsed.rewrites {
            rewrites.push_str(&format!(
                "rewrite `{}` -> `{}` @{}\n",
                rewrite.from, rewrite.to, rewrite.span
            ));
        }
        let snapshot = format!("{printed}\n---\n{rewrites}{}", dump(&parsed.script));
        insta::with_settings!({
            snapshot_path => "snapshots/ok",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}

#[test]
fn err_queries() {
    for path in fql_files("err") {
        let name = stem(&path);
        let src = std::fs::read_to_string(&path).unwrap();
        let parsed = parse(&src);
        assert!(!parsed.errors.is_empty(), "{name}: expected errors, got none");
        let snapshot = format!(
            "{}---\npartial tree, printed:\n{}\n",
            render_errors(&src, &parsed.errors),
            parsed.script
        );
        insta::with_settings!({
            snapshot_path => "snapshots/err",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}

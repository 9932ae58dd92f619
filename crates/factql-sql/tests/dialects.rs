//! The SQL of every dialect for the engine's test queries and the examples of
//! `docs/language.md`, snapshot-tested so the Spark and Trino output is reviewed even where
//! it cannot run here; and the exact refusal of each construct the SQL back end does not
//! lower.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::path::{Path, PathBuf};

use factql_engine::{Context, Engine, value::Val};
use factql_sql::{CompileError, Dialect, compile};

fn engine() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    let store = factql_test_support::fixture_store(&dir.path().join("fixture.db")).unwrap();
    Engine::load(&store).unwrap()
}

/// Parameters from `# param NAME = "VALUE"` lines, as the engine's query tests read them.
fn context(source: &str) -> Context {
    let mut ctx = Context::default();
    for line in source.lines() {
        if let Some((name, value)) =
            line.trim().strip_prefix("# param ").and_then(|rest| rest.split_once('='))
        {
            let value = value.trim().trim_matches('"');
            ctx.params.insert(name.trim().to_owned(), Val::str(value));
        }
    }
    ctx
}

/// Every dialect's SQL for `query`, or the refusal, as one text to snapshot.
fn all_dialects(engine: &Engine, query: &str, ctx: &Context) -> String {
    let mut out = format!("{}\n", query.trim());
    for dialect in Dialect::ALL {
        out.push_str(&format!("\n==== {dialect}\n"));
        match compile(engine, query, ctx, engine.dataset(), dialect) {
            Ok(compiled) => out.push_str(&compiled.sql),
            Err(CompileError::Unsupported { construct, span, why }) => {
                out.push_str(&format!(
                    "refused: {construct} at {}..{} ({:?}): {why}\n",
                    span.start,
                    span.end,
                    query.get(span.start..span.end).unwrap_or("")
                ));
            }
            Err(other) => panic!("{query}: {other}"),
        }
    }
    out
}

fn query_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../factql-engine/test_data/queries");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "fql"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the engine's test queries moved");
    files
}

#[test]
fn engine_test_queries_in_every_dialect() {
    let engine = engine();
    for path in query_files() {
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let ctx = context(&source);
        // A file of several sections runs each with the last result as `_`: the first one
        // is the query; the rest read `_`, which SQL refuses (tested below).
        let first = source.split("\n---\n").next().unwrap();
        insta::assert_snapshot!(format!("query_{name}"), all_dialects(&engine, first, &ctx));
    }
}

#[test]
fn language_reference_examples_in_every_dialect() {
    let engine = engine();
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/language.md"))
            .unwrap();
    let mut rest = doc.as_str();
    let mut n = 0;
    while let Some(start) = rest.find("```fql\n") {
        let body = &rest[start + 7..];
        let end = body.find("```").unwrap();
        n += 1;
        let query = &body[..end];
        insta::assert_snapshot!(
            format!("doc_{n:02}"),
            all_dialects(&engine, query, &Context::default())
        );
        rest = &body[end + 3..];
    }
    assert!(n >= 25, "only {n} examples in docs/language.md");
}

/// Each construct the SQL back end does not lower is refused with its own message, at the
/// stage or pattern element that holds it, in every dialect.
#[test]
fn constructs_not_lowered_are_refused_by_name() {
    let engine = engine();
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"articles | where text has "sanctions" | select title"#,
            r#"where text has "sanctions""#,
            "has cannot be compiled to SQL: whole-word matching needs the engine's word boundaries, which no SQL engine shares; use `~` with a regular expression",
        ),
        (
            r#"match (o:org) -[near 10 words]- (:term "sanctions") | select o.name"#,
            r#"(:term "sanctions")"#,
            "a `term` node cannot be compiled to SQL: the export has no word positions",
        ),
        (
            "match (a:person) -[near 5 words]- (b:person) | select a.name, other = b.name",
            "-[near 5 words]-",
            "`near N words` cannot be compiled to SQL: the export has no word positions",
        ),
        (
            "match (a:person) -[c:near sentence]- (b:person) | select a.name, d = c.distance",
            "select a.name, d = c.distance",
            "`distance` of a co-occurrence cannot be compiled to SQL: the export has no word positions",
        ),
        (
            "match (a:person) -[c:near sentence]- (b:person) | select c",
            "select c",
            "a co-occurrence record as a result column cannot be compiled to SQL: select its `sentence.text` or `article.title`",
        ),
        (
            "events | summarize t = first(type) by date",
            "summarize t = first(type) by date",
            "first() cannot be compiled to SQL: the first row in the engine's input order has no SQL equivalent; use min() or max()",
        ),
        (
            "articles | select f = fold(title)",
            "select f = fold(title)",
            "fold() cannot be compiled to SQL: Unicode folding exists only in factql; the export has folded columns (`*_fold`) instead",
        ),
        (
            "people | expand aliases as alias | select name, alias",
            "expand aliases as alias",
            "an entity's `aliases` list cannot be compiled to SQL: lists are not lowered; the export's `aliases` table holds them",
        ),
        (
            "articles | select meta",
            "select meta",
            "an article's `meta` cannot be compiled to SQL: the export holds the metadata as JSON text, which SQL engines read with functions of their own",
        ),
        (
            "sentences | select id",
            "select id",
            "a sentence's `id` cannot be compiled to SQL: the export keys sentences by article and index",
        ),
        (
            r#"match (p:person) -[:meet*1..5]- (:person "Vladimir Putin") | distinct p.name"#,
            "-[:meet*1..5]-",
            "a path of up to 5 hops cannot be compiled to SQL: paths are lowered as joins, one per length, up to 4 hops",
        ),
        (
            "mentions | sort by entity",
            "sort by entity",
            "sorting by a reference cannot be compiled to SQL: the engine sorts rows by their place in the store, which the export does not keep; sort by a field such as `.name`",
        ),
        (
            r#"events | where type not in ["meet", null]"#,
            r#"where type not in ["meet", null]"#,
            "null in a `not in` list cannot be compiled to SQL: SQL's NOT IN with a null drops every row",
        ),
        (
            "articles | summarize n = count() by m = bin(published, 2mo)",
            "summarize n = count() by m = bin(published, 2mo)",
            "bin() of a date by more than one unit cannot be compiled to SQL: only 1d, 1w, 1mo and 1y buckets are lowered (date_trunc)",
        ),
    ];
    for (query, at, message) in cases {
        for dialect in Dialect::ALL {
            let err = compile(&engine, query, &Context::default(), engine.dataset(), dialect)
                .expect_err(query);
            assert_eq!(err.to_string(), *message, "{query} ({dialect})");
            let CompileError::Unsupported { span, .. } = err else { unreachable!() };
            assert_eq!(&query[span.start..span.end], *at, "{query} ({dialect})");
        }
    }
}

/// `_`, the previous result, lives in the process that made it.
#[test]
fn the_last_result_is_refused() {
    let engine = engine();
    let last = engine
        .query("people | select name", &Context::default(), &factql_engine::RunOptions::default())
        .unwrap();
    let ctx = Context { last: Some(std::sync::Arc::new(last)), ..Context::default() };
    let err = compile(&engine, "_ | take 1", &ctx, engine.dataset(), Dialect::Trino).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`_` (the last result) cannot be compiled to SQL: the previous result exists only in this process"
    );
}

/// A query that does not check gives the engine's own diagnostics, did-you-mean included.
#[test]
fn check_errors_are_the_engines() {
    let engine = engine();
    let query = "artcles | where sorce == \"x\"";
    let native = engine.check(query, &Context::default()).diagnostics;
    let Err(CompileError::Invalid(diagnostics)) =
        compile(&engine, query, &Context::default(), engine.dataset(), Dialect::Spark)
    else {
        panic!("{query} compiled");
    };
    assert_eq!(
        diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>(),
        native.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    assert!(diagnostics.iter().any(|d| d.help.as_deref() == Some("did you mean `articles`?")));
}

/// The dialect layer changes only what differs: quotes, regular expressions, null-safe
/// equality, arrays, string escapes.
#[test]
fn dialects_differ_only_where_engines_do() {
    let engine = engine();
    let query = r#"quotes | where text ~ r"(?i)\bsanction" and speaker != person "Lukashenko" | summarize s = set(verb) by who = speaker.name"#;
    let sql = |d| compile(&engine, query, &Context::default(), engine.dataset(), d).unwrap().sql;
    let (duck, df, spark, trino) =
        (sql(Dialect::DuckDb), sql(Dialect::DataFusion), sql(Dialect::Spark), sql(Dialect::Trino));
    assert!(duck.contains(r#"regexp_matches(p."text", '(?i)\bsanction')"#), "{duck}");
    assert!(df.contains(r#"regexp_like(p."text", '(?i)\bsanction')"#), "{df}");
    assert!(trino.contains(r#"regexp_like(p."text", '(?i)\bsanction')"#), "{trino}");
    assert!(spark.contains(r"p.`text` RLIKE '(?i)\\bsanction'"), "{spark}");
    assert!(duck.contains("IS NOT DISTINCT FROM") && spark.contains("<=>"), "{spark}");
    assert!(duck.contains("array_agg(DISTINCT") && spark.contains("collect_set("), "{spark}");
}

/// Every SQL text parses as SQL of its dialect's family (sqlparser's DuckDB, Generic and
/// Hive/Spark-style parsers), so a snapshot is never malformed SQL.
#[test]
fn every_snapshot_parses() {
    use sqlparser::dialect::{DuckDbDialect, GenericDialect, HiveDialect};
    let engine = engine();
    let mut queries: Vec<(String, Context)> = Vec::new();
    for path in query_files() {
        let source = std::fs::read_to_string(&path).unwrap();
        let first = source.split("\n---\n").next().unwrap().to_owned();
        let ctx = context(&source);
        queries.push((first, ctx));
    }
    let mut parsed = 0;
    for (query, ctx) in &queries {
        for dialect in Dialect::ALL {
            let Ok(compiled) = compile(&engine, query, ctx, engine.dataset(), dialect) else {
                continue;
            };
            let result = match dialect {
                Dialect::DuckDb => {
                    sqlparser::parser::Parser::parse_sql(&DuckDbDialect {}, &compiled.sql)
                }
                Dialect::Spark => {
                    sqlparser::parser::Parser::parse_sql(&HiveDialect {}, &compiled.sql)
                }
                _ => sqlparser::parser::Parser::parse_sql(&GenericDialect {}, &compiled.sql),
            };
            assert!(result.is_ok(), "{dialect}: {:?}\n{}", result.err(), compiled.sql);
            parsed += 1;
        }
    }
    assert!(parsed >= 40, "only {parsed} compiled");
}

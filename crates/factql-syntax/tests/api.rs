//! Behaviour of the public API that the data-driven files cannot show:
//! partial trees, spans, equality, rewrites, the conveniences, the depth limit.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

mod common;

use factql_syntax::*;

fn only_query(parsed: &Parsed) -> &Query {
    match parsed.script.statements.as_slice() {
        [Statement::Query(query)] => query,
        other => panic!("expected one query, got {other:?}"),
    }
}

fn messages(src: &str) -> Vec<String> {
    parse(src).errors.iter().map(ToString::to_string).collect()
}

#[test]
fn incomplete_where_gives_a_partial_tree() {
    let parsed = parse("people | where name ==");
    assert_eq!(messages("people | where name =="), ["expected expression, found end of input"]);
    let query = only_query(&parsed);
    let StageKind::Where(cond) = &query.stages[0].kind else { panic!("{query:?}") };
    let ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } = &cond.kind else { panic!("{cond:?}") };
    assert_eq!(lhs.kind, ExprKind::Name("name".into()));
    assert_eq!(rhs.kind, ExprKind::Missing);
    // The hole sits right after the last token, where the cursor is.
    assert_eq!(rhs.span, Span::empty(22));
    assert_eq!(parsed.errors[0].expected, [Expected::Expression]);
}

#[test]
fn incomplete_pattern_gives_a_partial_tree() {
    let parsed = parse("match (a:person) -[");
    let query = only_query(&parsed);
    let SourceKind::Match(patterns) = &query.source.kind else { panic!() };
    let pattern = &patterns[0];
    assert_eq!(pattern.start.var.as_ref().unwrap().name, "a");
    assert_eq!(pattern.start.kind.as_ref().unwrap().name, "person");
    assert_eq!(pattern.steps.len(), 1);
    assert_eq!(pattern.steps[0].0.kind, EdgeKind::Missing);
    let expected = &parsed.errors[0].expected;
    assert!(expected.contains(&Expected::Symbol(":")), "{expected:?}");
    assert!(expected.contains(&Expected::Keyword("near")), "{expected:?}");
}

#[test]
fn trailing_pipe_keeps_the_stages_before_it() {
    let parsed = parse("people | take 5 |");
    let query = only_query(&parsed);
    assert_eq!(query.stages.len(), 2);
    assert!(matches!(query.stages[0].kind, StageKind::Take(_)));
    assert_eq!(query.stages[1].kind, StageKind::Error);
    assert_eq!(parsed.errors[0].kind, ParseErrorKind::MissingStage);
    assert_eq!(parsed.errors[0].span, Span::new(16, 17), "points at the `|`");
}

#[test]
fn equality_ignores_spans_but_not_content() {
    let a = parse("people|where  age>5|take 5").script;
    let b = parse("people\n  | where age > 5\n  | take 5  # comment").script;
    assert_eq!(a, b);
    let c = parse("people | where age > 6 | take 5").script;
    assert_ne!(a, c);
    // Parentheses are not kept: the tree shape carries the grouping.
    assert_eq!(parse("x | where (a)").script, parse("x | where a").script);
    assert_ne!(parse("x | where a * (b + c)").script, parse("x | where a * b + c").script);
}

#[test]
fn spans_slice_the_source() {
    let src = "articles | where text has any [\"a\", \"b\"] in sentence | take 5";
    let parsed = parse(src);
    let query = only_query(&parsed);
    let text = |span: Span| &src[span.range()];
    assert_eq!(text(query.span), src);
    assert_eq!(text(query.source.span), "articles");
    assert_eq!(text(query.stages[0].span), "where text has any [\"a\", \"b\"] in sentence");
    assert_eq!(text(query.stages[1].span), "take 5");
    let StageKind::Where(cond) = &query.stages[0].kind else { panic!() };
    let ExprKind::Has { terms, scope, .. } = &cond.kind else { panic!() };
    assert_eq!(text(terms.span), "[\"a\", \"b\"]");
    assert_eq!(text(scope.as_ref().unwrap().span), "sentence");
}

#[test]
fn synonyms_are_normalised_and_reported() {
    let parsed = parse("people | project name | order by name | limit 3 | count");
    assert!(parsed.is_ok(), "{:?}", parsed.errors);
    assert_eq!(
        parsed.script.to_string(),
        "people\n| select name\n| sort by name\n| take 3\n| summarize count()"
    );
    let rewrites: Vec<(&str, &str)> = parsed.rewrites.iter().map(|r| (r.from, r.to)).collect();
    assert_eq!(
        rewrites,
        [
            ("project", "select"),
            ("order by", "sort by"),
            ("limit", "take"),
            ("count()", "summarize count()")
        ]
    );
    assert_eq!(parse("people | select name").script, parse("people | project name").script);
}

#[test]
fn one_pass_reports_every_broken_stage() {
    let src = "people | wher a | take x | sort name | where a = 1 && b\nplaces | take";
    let parsed = parse(src);
    let kinds: Vec<&ParseErrorKind> = parsed.errors.iter().map(|e| &e.kind).collect();
    assert_eq!(kinds.len(), 6, "{:#?}", parsed.errors);
    assert!(matches!(kinds[0], ParseErrorKind::UnknownStage { name } if name == "wher"));
    assert!(matches!(kinds[4], ParseErrorKind::UseInstead { instead: "and", .. }));
    // The second statement is still there.
    assert_eq!(parsed.script.statements.len(), 2);
}

#[test]
fn parse_query_and_parse_expr() {
    let query = parse_query("events | take 1").unwrap();
    assert_eq!(query.to_string(), "events | take 1");
    assert_eq!(format!("{query:#}"), "events\n| take 1");
    assert!(parse_query("a | take 1; b").is_err());
    assert!(parse_query("let x = a").is_err());
    assert!(parse_query("").is_err());

    let value = parse_expr("\"Lukashenko\"").unwrap();
    let ExprKind::Literal(Literal::String { value, raw: false }) = value.kind else { panic!() };
    assert_eq!(value, "Lukashenko");
    let expr = parse_expr("a +").unwrap_err();
    assert_eq!(expr[0].to_string(), "expected expression, found end of input");
    assert!(parse_expr("a b").is_err());
}

#[test]
fn newline_rules() {
    assert_eq!(parse("people\n| take 5").script.statements.len(), 1);
    assert_eq!(parse("people |\ntake 5").script.statements.len(), 1);
    assert_eq!(parse("people | where a and\n b").script.statements.len(), 1);
    assert_eq!(parse("people | where a\n and b").script.statements.len(), 1);
    assert_eq!(parse("people | select f(a,\n b)").script.statements.len(), 1);
    assert_eq!(parse("people\n\n# c\n\nplaces").script.statements.len(), 2);
    assert_eq!(parse("people; places;").script.statements.len(), 2);
}

#[test]
fn literal_values() {
    let value = |src: &str| match parse_expr(src).unwrap().kind {
        ExprKind::Literal(literal) => literal,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        value("@2024-02-29"),
        Literal::Date(DateLiteral { year: 2024, month: Some(2), day: Some(29) })
    );
    assert_eq!(value("@2022"), Literal::Date(DateLiteral { year: 2022, month: None, day: None }));
    assert_eq!(
        value("1mo"),
        Literal::Duration(DurationLiteral { amount: 1, unit: DurationUnit::Month })
    );
    assert_eq!(value("r#\"a\"b\"#"), Literal::String { value: "a\"b".into(), raw: true });
    assert_eq!(value("\"\\u{1F600}\\t\""), Literal::String { value: "😀\t".into(), raw: false });
    assert_eq!(value("9223372036854775807"), Literal::Int(i64::MAX));
    assert!(parse_expr("9223372036854775808").is_err());
    assert!(parse_expr("@2023-02-29").is_err());
    assert!(parse_expr("1e999").is_err());
}

#[test]
fn printing_quotes_what_must_be_quoted() {
    let src = "`_` | select `by` = `a b`.`in`, `x`";
    let parsed = parse(src);
    assert!(parsed.is_ok(), "{:?}", parsed.errors);
    assert_eq!(parsed.script.to_string(), "`_`\n| select `by` = `a b`.`in`, x");
    assert_ne!(parse("_").script, parse("`_`").script, "`_` alone is the last result");
}

#[test]
fn tokenize_keeps_comments_for_highlighting() {
    let (tokens, errors) = tokenize("people # who\n| take 5");
    assert!(errors.is_empty());
    let kinds: Vec<&TokenKind> = tokens.iter().map(|t| &t.kind).collect();
    assert_eq!(kinds[0], &TokenKind::Ident);
    assert_eq!(kinds[1], &TokenKind::Comment);
    assert_eq!(kinds[2], &TokenKind::Punct(Punct::Pipe));
    assert!(is_reserved("take") && !is_reserved("article"));
}

#[test]
fn nesting_is_limited_not_a_stack_overflow() {
    let deep = [
        format!("x | where {}a", "(".repeat(100_000)),
        format!("x | where {}", "[".repeat(100_000)),
        format!("x | where {}a", "-".repeat(100_000)),
        format!("x | where {}a", "not ".repeat(100_000)),
        format!("x | where a{}", " + a".repeat(100_000)),
        format!("x | where {}a", "-(".repeat(100_000)),
        format!("x | where a{}", ".b".repeat(100_000)),
        format!("x | where {}", "f(".repeat(100_000)),
        format!("x | {}", "join (x | ".repeat(100_000)),
        format!("match (a {{k: {}", "[".repeat(100_000)),
        format!("x | where a{}", " and a".repeat(100_000)),
    ];
    for src in &deep {
        let parsed = parse(src);
        assert!(
            parsed.errors.iter().any(|e| matches!(e.kind, ParseErrorKind::TooDeep { .. })),
            "{}: {:?}",
            &src[..30],
            parsed.errors.first()
        );
        // Printing and dropping a partial tree must not recurse past the limit either.
        let _ = parsed.script.to_string();
    }
    // Just under the limits is fine, and round-trips.
    let nested = format!("x | where {}a{}", "(".repeat(60), ")".repeat(60));
    assert!(parse(&nested).is_ok());
    let long = format!("x | where a{}", " or a".repeat(500));
    let parsed = parse(&long);
    assert!(parsed.is_ok());
    assert_eq!(parse(&parsed.script.to_string()).script, parsed.script);
    let subqueries = format!("x | {}take 1{}", "join (x | ".repeat(60), ") on a".repeat(60));
    assert!(parse(&subqueries).is_ok(), "{:?}", parse(&subqueries).errors.first());
}

#[test]
fn error_display_is_one_line_without_a_final_dot() {
    for path in common::fql_files("err") {
        let src = std::fs::read_to_string(&path).unwrap();
        for error in parse(&src).errors {
            let text = error.to_string();
            assert!(!text.contains('\n') && !text.ends_with('.'), "{text}");
        }
    }
}

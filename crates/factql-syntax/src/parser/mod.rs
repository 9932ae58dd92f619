//! Statements, queries and stages, with recovery at `|`, newline and `;`.
//!
//! Every source and stage is parsed as a *segment*: errors inside it are
//! recorded (only the first one per segment, the rest are usually
//! consequences), and when the segment ends somewhere other than a sync
//! point (`|`, newline, `;`, end of input, or `)` in a subquery) the tokens up
//! to the next sync point are skipped. Parsing then goes on with the next
//! stage or statement, so one run reports the errors of every stage.

pub(crate) mod expr;
pub(crate) mod input;
mod pattern;

use self::expr::{expr, items, require_expr};
use self::input::{Ctx, NEST, PResult, Tokens};
use crate::ast::{
    Count, CountValue, Expr, ExprKind, Ident, JoinFlavor, JoinRight, LetDef, MetaCommand,
    NamedExpr, Param, Query, RenderKind, Script, SortKey, SortOrder, Source, SourceKind, Stage,
    StageKind, Statement,
};
use crate::error::{Expected, ParseErrorKind};
use crate::keywords::{RENDER_KINDS, STAGE_KEYWORDS, STAGE_SYNONYMS, did_you_mean, is_reserved};
use crate::lexer::{Punct, TokenKind};
use crate::{Rewrite, Span};

/// Parses a whole script.
pub(crate) fn script<'a>(ctx: &'a Ctx<'a>) -> Script {
    let mut i = ctx.input();
    let mut statements = Vec::new();
    loop {
        while matches!(
            i.peek().map(|t| &t.kind),
            Some(TokenKind::Newline | TokenKind::Punct(Punct::Semi))
        ) {
            i = i.bump();
        }
        if i.is_empty() {
            break;
        }
        let before = i.pos();
        let (rest, statement) = statement(i);
        statements.push(statement);
        i = rest;
        if !i.at_statement_end() {
            // Only reachable through a construct that stops early without
            // consuming; skip to the next statement.
            let outer = ctx.begin_segment();
            i.unexpected(&[Expected::EndOfStatement]);
            while !i.at_statement_end() {
                i = i.bump();
            }
            ctx.end_segment(outer);
        }
        if i.pos() == before {
            i = i.bump();
        }
    }
    Script { statements, span: Span::new(0, ctx.src.len()) }
}

/// Parses a single expression covering the whole input.
pub(crate) fn whole_expr<'a>(ctx: &'a Ctx<'a>) -> Expr {
    let i = ctx.input();
    let (rest, value) = segment(i, false, require_expr, |span| Expr::new(ExprKind::Missing, span));
    if !rest.is_empty() {
        let outer = ctx.begin_segment();
        rest.unexpected(&[Expected::Operator]);
        ctx.end_segment(outer);
    }
    value
}

fn statement(i: Tokens<'_>) -> (Tokens<'_>, Statement) {
    match i.peek() {
        Some(token) if token.kind == TokenKind::Meta => {
            let text = i.text(token);
            let body = text.strip_prefix('.').unwrap_or(text);
            let (name, args) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
            let meta = MetaCommand {
                name: name.to_owned(),
                args: args.trim().to_owned(),
                span: token.span,
            };
            (i.bump(), Statement::Meta(meta))
        }
        Some(token) if token.kind == TokenKind::Ident && i.text(token) == "let" => {
            let (rest, def) = let_def(i);
            (rest, Statement::Let(def))
        }
        _ => {
            let (rest, query) = query(i, false);
            (rest, Statement::Query(query))
        }
    }
}

fn let_header(i: Tokens<'_>) -> PResult<'_, (Ident, Option<Vec<Param>>)> {
    let (i, name) = i.bump().require_name();
    let (i, params) = match i.punct(Punct::LParen) {
        Ok((rest, open)) => {
            let (rest, params) = items(rest, open, Punct::RParen, param)?;
            (rest, Some(params))
        }
        Err(_) => (i, None),
    };
    let i = i.require_punct(Punct::Assign);
    Ok((i, (name, params)))
}

fn let_def(i: Tokens<'_>) -> (Tokens<'_>, LetDef) {
    let start = i.offset();
    let ctx = i.ctx;
    let outer = ctx.begin_segment();
    let depth = ctx.depth.get();
    let (i, (name, params)) = match let_header(i) {
        Ok(ok) => ok,
        Err(_) => {
            ctx.depth.set(depth);
            (skip_to_sync(i.bump(), false), (Ident::new("", i.here()), None))
        }
    };
    ctx.end_segment(outer);
    let (i, body) = query(i, false);
    (i, LetDef { name, params, body, span: i.span_from(start) })
}

fn param(i: Tokens<'_>) -> PResult<'_, Param> {
    let start = i.offset();
    let (i, name) = match i.peek() {
        Some(t) if t.kind == TokenKind::Param => (i.bump(), Ident::new(&i.text(t)[1..], t.span)),
        Some(t) if t.kind == TokenKind::Ident && !is_reserved(i.text(t)) => {
            let text = i.text(t);
            i.error(
                ParseErrorKind::Unexpected,
                t.span,
                &[Expected::Parameter],
                Some(format!("parameters start with `$`: write `${text}`")),
            );
            (i.bump(), Ident::new(text, t.span))
        }
        _ => {
            i.unexpected(&[Expected::Parameter]);
            (i, Ident::new("", i.here()))
        }
    };
    let (i, ty) = match i.punct(Punct::Colon) {
        Ok((rest, _)) => {
            let (rest, ty) = rest.require_name();
            (rest, Some(ty))
        }
        Err(_) => (i, None),
    };
    let (i, default) = match i.punct(Punct::Assign) {
        Ok((rest, _)) => {
            let (rest, value) = require_expr(rest)?;
            (rest, Some(value))
        }
        Err(_) => (i, None),
    };
    Ok((i, Param { name, ty, default, span: i.span_from(start) }))
}

/// Parses a pipeline. `nested` pipelines (join subqueries) also stop at `)`.
fn query(i: Tokens<'_>, nested: bool) -> (Tokens<'_>, Query) {
    let start = i.offset();
    let ctx = i.ctx;
    let outer = ctx.begin_segment();
    let depth = ctx.depth.get();
    let (mut i, (source, stage_follows)) = match source(i) {
        Ok((rest, (source, stage_follows))) => {
            // A forgotten source before a stage keyword: parse the stage next
            // instead of skipping it.
            let rest = if stage_follows { rest } else { finish_segment(rest, nested) };
            (rest, (source, stage_follows))
        }
        Err(_) => {
            ctx.depth.set(depth);
            let rest = finish_segment(i, nested);
            (rest, (Source { kind: SourceKind::Missing, span: i.here() }, false))
        }
    };
    ctx.end_segment(outer);
    let mut stages = Vec::new();
    if stage_follows {
        let pipe = i.here();
        let (rest, stage) = segment(i, nested, |i| stage(i, pipe), error_stage);
        stages.push(stage);
        i = rest;
    }
    while let Ok((rest, pipe)) = i.punct(Punct::Pipe) {
        let (rest, stage) = segment(rest, nested, |i| stage(i, pipe), error_stage);
        stages.push(stage);
        i = rest;
    }
    if nested {
        i.expect_here(Expected::Symbol(")"));
    } else {
        i.expect_here(Expected::EndOfStatement);
    }
    (i, Query { source, stages, span: i.span_from(start) })
}

fn error_stage(span: Span) -> Stage {
    Stage { kind: StageKind::Error, span }
}

/// Runs `parse` as one recovery segment (see the module docs).
fn segment<'a, T>(
    i: Tokens<'a>,
    nested: bool,
    parse: impl FnOnce(Tokens<'a>) -> PResult<'a, T>,
    on_failure: impl FnOnce(Span) -> T,
) -> (Tokens<'a>, T) {
    let ctx = i.ctx;
    let outer = ctx.begin_segment();
    let depth = ctx.depth.get();
    let (rest, value) = match parse(i) {
        Ok(ok) => ok,
        Err(_) => {
            ctx.depth.set(depth);
            if !ctx.is_poisoned() {
                i.unexpected(&[]);
            }
            (i, on_failure(i.here()))
        }
    };
    let rest = finish_segment(rest, nested);
    ctx.end_segment(outer);
    (rest, value)
}

fn at_sync(i: Tokens<'_>, nested: bool) -> bool {
    i.at_statement_end() || i.at_punct(Punct::Pipe) || (nested && i.at_punct(Punct::RParen))
}

/// Reports leftovers after a segment (unless it already has an error) and
/// skips to the next sync point.
fn finish_segment(i: Tokens<'_>, nested: bool) -> Tokens<'_> {
    if at_sync(i, nested) {
        return i;
    }
    if !i.ctx.is_poisoned() {
        let mut extra = vec![Expected::Symbol("|"), Expected::EndOfStatement];
        if nested {
            extra.push(Expected::Symbol(")"));
        }
        let hint = match i.peek().map(|t| &t.kind) {
            Some(TokenKind::Punct(Punct::RParen | Punct::RBracket | Punct::RBrace)) => {
                Some("this closing bracket has no matching opening bracket".to_owned())
            }
            Some(TokenKind::Punct(
                Punct::EqEq | Punct::NotEq | Punct::Lt | Punct::Le | Punct::Gt | Punct::Ge,
            )) => Some("comparisons do not chain; combine them with `and`".to_owned()),
            Some(TokenKind::Ident | TokenKind::Str { .. } | TokenKind::Int(_))
                if !i.peek().is_some_and(|t| is_reserved(i.text(t))) =>
            {
                Some("is an operator, a `,` or a `|` missing before it?".to_owned())
            }
            _ => None, // default hints apply
        };
        i.error(ParseErrorKind::Unexpected, i.next_span(), &extra, hint);
    }
    skip_to_sync(i, nested)
}

fn skip_to_sync(mut i: Tokens<'_>, nested: bool) -> Tokens<'_> {
    let mut depth = 0usize;
    while let Some(token) = i.peek() {
        match token.kind {
            TokenKind::Newline | TokenKind::Punct(Punct::Semi | Punct::Pipe) => break,
            TokenKind::Punct(Punct::RParen) if nested && depth == 0 => break,
            TokenKind::Punct(Punct::LParen) => depth += 1,
            TokenKind::Punct(Punct::RParen) => depth = depth.saturating_sub(1),
            _ => {}
        }
        i = i.bump();
    }
    i
}

/// The source of a pipeline; the flag says that a stage keyword follows
/// directly (the source was forgotten), so the caller parses it as a stage.
fn missing_source(i: Tokens<'_>, stage_follows: bool) -> PResult<'_, (Source, bool)> {
    let span = i.here();
    Ok((i, (Source { kind: SourceKind::Missing, span }, stage_follows)))
}

fn source(i: Tokens<'_>) -> PResult<'_, (Source, bool)> {
    let start = i.offset();
    let missing = missing_source;
    let missing_source_hint = Some("a query starts with a source, e.g. `articles | …`".to_owned());
    let Some(token) = i.peek() else {
        i.error(ParseErrorKind::MissingSource, i.here(), &[Expected::Source], missing_source_hint);
        return missing(i, false);
    };
    match &token.kind {
        TokenKind::Ident => {
            let text = i.text(token);
            if text == "match" {
                let (rest, patterns) = pattern::patterns(i.bump())?;
                let span = rest.span_from(start);
                return Ok((rest, (Source { kind: SourceKind::Match(patterns), span }, false)));
            }
            if text == "_" {
                return Ok((
                    i.bump(),
                    (Source { kind: SourceKind::Last, span: token.span }, false),
                ));
            }
            if is_reserved(text) {
                let is_stage = STAGE_KEYWORDS.contains(&text);
                i.error(
                    ParseErrorKind::MissingSource,
                    token.span,
                    &[Expected::Source],
                    missing_source_hint,
                );
                return missing(i, is_stage);
            }
            named_source(i, Ident::new(text, token.span))
        }
        TokenKind::QuotedIdent(name) => named_source(i, Ident::new(name.clone(), token.span)),
        TokenKind::Invalid => {
            i.ctx.poison();
            missing(i, false)
        }
        _ => {
            i.error(
                ParseErrorKind::MissingSource,
                i.next_span(),
                &[Expected::Source],
                missing_source_hint,
            );
            missing(i, false)
        }
    }
}

fn named_source(i: Tokens<'_>, name: Ident) -> PResult<'_, (Source, bool)> {
    let start = name.span.start;
    let i = i.bump();
    let (i, args) = match i.punct(Punct::LParen) {
        // `articles(all)`: the reserved word `all` alone is an argument name here (the
        // engine reads it as "every version"); printed back as `` `all` ``, a plain name.
        Ok((rest, _))
            if rest.at_word("all")
                && matches!(rest.bump().peek(), Some(t) if t.kind == TokenKind::Punct(Punct::RParen)) =>
        {
            let (after, word) = rest.keyword("all")?;
            let (after, _) = after.punct(Punct::RParen)?;
            (after, Some(vec![Expr::new(ExprKind::Name("all".into()), word)]))
        }
        Ok((rest, open)) => {
            rest.enter(NEST)?;
            let (rest, args) = items(rest, open, Punct::RParen, require_expr)?;
            rest.leave(NEST);
            (rest, Some(args))
        }
        Err(_) => (i, None),
    };
    let span = i.span_from(start);
    Ok((i, (Source { kind: SourceKind::Named { name, args }, span }, false)))
}

fn rewrite(i: Tokens<'_>, span: Span, from: &'static str, to: &'static str) {
    i.ctx.rewrites.borrow_mut().push(Rewrite { span, from, to });
}

fn stage<'a>(i: Tokens<'a>, pipe: Span) -> PResult<'a, Stage> {
    let start = i.offset();
    let done = |i: Tokens<'a>, kind: StageKind| Ok((i, Stage { kind, span: i.span_from(start) }));
    let token = match i.peek() {
        Some(t) if !at_sync(i, false) => t,
        _ => {
            i.error(
                ParseErrorKind::MissingStage,
                pipe,
                &[Expected::Stage],
                Some("a stage is expected after `|`: remove the `|` or add a stage such as `take 10`".to_owned()),
            );
            return Ok((i, error_stage(i.here())));
        }
    };
    let word = match &token.kind {
        TokenKind::Ident => i.text(token),
        _ => {
            i.unexpected(&[Expected::Stage]);
            return Ok((i, error_stage(i.here())));
        }
    };
    let after = i.bump();
    match word {
        "where" => {
            let (i, cond) = require_expr(after)?;
            done(i, StageKind::Where(cond))
        }
        "select" | "project" => {
            if word == "project" {
                rewrite(i, token.span, "project", "select");
            }
            let (i, list) = named_list(after)?;
            done(i, StageKind::Select(list))
        }
        "extend" => {
            let (i, list) = named_list(after)?;
            done(i, StageKind::Extend(list))
        }
        "summarize" => {
            let (i, aggregates) =
                if after.at_word("by") { (after, Vec::new()) } else { named_list(after)? };
            let (i, by) = match i.keyword("by") {
                Ok((rest, _)) => named_list(rest)?,
                Err(_) => (i, Vec::new()),
            };
            done(i, StageKind::Summarize { aggregates, by })
        }
        "sort" | "order" => {
            let (i, by_span) = match after.keyword("by") {
                Ok((rest, by)) => (rest, Some(by)),
                Err(_) => {
                    after.error(
                        ParseErrorKind::Unexpected,
                        after.next_span(),
                        &[Expected::Keyword("by")],
                        Some(format!("write `{word} by …`")),
                    );
                    (after, None)
                }
            };
            if word == "order" {
                rewrite(i, token.span.to(by_span.unwrap_or(token.span)), "order by", "sort by");
            }
            let (i, keys) = list(i, sort_key)?;
            done(i, StageKind::Sort(keys))
        }
        "top" => {
            let (i, count) = count(after, "top 10 by n");
            let Some(count) = count else {
                return done(i, StageKind::Error);
            };
            let i = i.require_keyword("by", Some("write `top 10 by n`".to_owned()));
            let (i, key) = sort_key(i)?;
            let (i, per) = match i.keyword("per") {
                Ok((rest, _)) => list(rest, require_expr)?,
                Err(_) => (i, Vec::new()),
            };
            done(i, StageKind::Top { count, key, per })
        }
        "take" | "limit" => {
            if word == "limit" {
                rewrite(i, token.span, "limit", "take");
            }
            match count(after, "take 10") {
                (i, Some(count)) => done(i, StageKind::Take(count)),
                (i, None) => done(i, StageKind::Error),
            }
        }
        "count" => {
            let (i, mut call) = require_expr(i)?;
            if let ExprKind::Name(name) = &call.kind {
                call.kind =
                    ExprKind::Call { func: Ident::new(name.clone(), call.span), args: Vec::new() };
            }
            rewrite(i, Span::new(start, call.span.end), "count()", "summarize count()");
            let aggregate = NamedExpr { name: None, span: call.span, expr: call };
            let (i, by) = match i.keyword("by") {
                Ok((rest, _)) => named_list(rest)?,
                Err(_) => (i, Vec::new()),
            };
            done(i, StageKind::Summarize { aggregates: vec![aggregate], by })
        }
        "distinct" => match expr(after) {
            Ok((rest, first)) => {
                let (i, mut rest_items) = match rest.punct(Punct::Comma) {
                    Ok((rest, _)) => list(rest, require_expr)?,
                    Err(_) => (rest, Vec::new()),
                };
                rest_items.insert(0, first);
                done(i, StageKind::Distinct(rest_items))
            }
            Err(nom::Err::Error(_)) => done(after, StageKind::Distinct(Vec::new())),
            Err(other) => Err(other),
        },
        "join" => join(after, start),
        "expand" => {
            let (i, value) = require_expr(after)?;
            let (i, alias) = match i.keyword("as") {
                Ok((rest, _)) => {
                    let (rest, alias) = rest.require_name();
                    (rest, Some(alias))
                }
                Err(_) => (i, None),
            };
            done(i, StageKind::Expand { expr: value, alias })
        }
        "render" => {
            let kind = match after.peek() {
                Some(t) if t.kind == TokenKind::Ident => match after.text(t) {
                    "bar" => Some(RenderKind::Bar),
                    "line" => Some(RenderKind::Line),
                    "timeline" => Some(RenderKind::Timeline),
                    other => {
                        after.error(
                            ParseErrorKind::UnknownRenderKind { name: other.to_owned() },
                            t.span,
                            &[Expected::ChartKind],
                            Some(did_you_mean(other, RENDER_KINDS).map_or_else(
                                || "charts are bar, line and timeline".to_owned(),
                                |kind| format!("did you mean `{kind}`?"),
                            )),
                        );
                        return done(after.bump(), StageKind::Error);
                    }
                },
                _ => None,
            };
            match kind {
                Some(kind) => done(after.bump(), StageKind::Render(kind)),
                None => {
                    after.unexpected(&[Expected::ChartKind]);
                    done(after, StageKind::Error)
                }
            }
        }
        "as" => {
            let (i, name) = after.require_name();
            done(i, StageKind::As(name))
        }
        _ => {
            let mut candidates: Vec<&str> = STAGE_KEYWORDS.to_vec();
            candidates.extend(STAGE_SYNONYMS.iter().map(|(from, _)| *from));
            let hint = match did_you_mean(word, &candidates) {
                Some(found) => {
                    let canonical = STAGE_SYNONYMS
                        .iter()
                        .find(|(from, _)| *from == found)
                        .map_or(found, |(_, to)| to);
                    format!("did you mean `{canonical}`?")
                }
                None => format!("stages are {}", STAGE_KEYWORDS.join(", ")),
            };
            i.error(
                ParseErrorKind::UnknownStage { name: word.to_owned() },
                token.span,
                &[Expected::Stage],
                Some(hint),
            );
            done(after, StageKind::Error)
        }
    }
}

fn join(i: Tokens<'_>, start: usize) -> PResult<'_, Stage> {
    let (i, flavor) = if let Ok((rest, _)) = i.keyword("left") {
        (rest, JoinFlavor::Left)
    } else if let Ok((rest, _)) = i.keyword("anti") {
        (rest, JoinFlavor::Anti)
    } else {
        (i, JoinFlavor::Inner)
    };
    let (i, right) = if let Ok((rest, open)) = i.punct(Punct::LParen) {
        rest.enter(NEST)?;
        let (rest, subquery) = query(rest, true);
        let rest = rest.close(Punct::RParen, open);
        rest.leave(NEST);
        (rest, JoinRight::Query(Box::new(subquery)))
    } else {
        let (rest, name) = i.require_name();
        (rest, JoinRight::Named(name))
    };
    let i = i.require_keyword("on", Some("write `join other on key == other.key`".to_owned()));
    let (i, on) = require_expr(i)?;
    let kind = StageKind::Join { flavor, right, on };
    Ok((i, Stage { kind, span: i.span_from(start) }))
}

/// `item {, item}` with at least one item (a hole if missing).
fn list<'a, T>(i: Tokens<'a>, item: impl Fn(Tokens<'a>) -> PResult<'a, T>) -> PResult<'a, Vec<T>> {
    let (mut i, first) = item(i)?;
    let mut out = vec![first];
    while let Ok((rest, _)) = i.punct(Punct::Comma) {
        let (rest, next) = item(rest)?;
        out.push(next);
        i = rest;
    }
    Ok((i, out))
}

fn named_list(i: Tokens<'_>) -> PResult<'_, Vec<NamedExpr>> {
    list(i, named)
}

/// `[name =] expr`.
fn named(i: Tokens<'_>) -> PResult<'_, NamedExpr> {
    let start = i.offset();
    if let Some((rest, name)) = i.peek_name()
        && rest.at_punct(Punct::Assign)
    {
        let (rest, value) = require_expr(rest.bump())?;
        let span = rest.span_from(start);
        return Ok((rest, NamedExpr { name: Some(name), expr: value, span }));
    }
    let (i, value) = require_expr(i)?;
    Ok((i, NamedExpr { name: None, span: value.span, expr: value }))
}

fn sort_key(i: Tokens<'_>) -> PResult<'_, SortKey> {
    let start = i.offset();
    let (i, value) = require_expr(i)?;
    let (i, order) = if let Ok((rest, _)) = i.keyword("asc") {
        (rest, Some(SortOrder::Asc))
    } else if let Ok((rest, _)) = i.keyword("desc") {
        (rest, Some(SortOrder::Desc))
    } else {
        (i, None)
    };
    Ok((i, SortKey { expr: value, order, span: i.span_from(start) }))
}

/// A row count: an integer or `$param`; `None` (error recorded) otherwise.
fn count<'a>(i: Tokens<'a>, example: &str) -> (Tokens<'a>, Option<Count>) {
    let report = |i: Tokens<'a>| {
        i.error(
            ParseErrorKind::Unexpected,
            i.next_span(),
            &[Expected::Integer, Expected::Parameter],
            Some(format!("write a whole number or a `$parameter`, as in `{example}`")),
        );
    };
    match i.peek() {
        Some(t) => match &t.kind {
            TokenKind::Int(n) => {
                (i.bump(), Some(Count { value: CountValue::Int(*n), span: t.span }))
            }
            TokenKind::Param => {
                let name = i.text(t)[1..].to_owned();
                (i.bump(), Some(Count { value: CountValue::Param(name), span: t.span }))
            }
            _ => {
                report(i);
                (i, None)
            }
        },
        None => {
            report(i);
            (i, None)
        }
    }
}

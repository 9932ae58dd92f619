//! `match` patterns: `(a:person) -[e:invite]-> (b:person)`, and scopes.

use super::expr::{entity_name, items, require_expr};
use super::input::{NEST, PResult, Tokens, backtrack};
use crate::Span;
use crate::ast::{
    Direction, EdgeKind, EdgePattern, Hops, Ident, NodePattern, Pattern, Property, Scope, ScopeKind,
};
use crate::error::{Expected, ParseErrorKind};
use crate::keywords::{SCOPE_WORDS, did_you_mean};
use crate::lexer::{Punct, TokenKind};

/// `pattern {, pattern}` after `match` (already consumed).
pub(crate) fn patterns(i: Tokens<'_>) -> PResult<'_, Vec<Pattern>> {
    let mut out = Vec::new();
    let (mut i, first) = pattern(i)?;
    out.push(first);
    while let Ok((rest, _)) = i.punct(Punct::Comma) {
        let (rest, next) = pattern(rest)?;
        out.push(next);
        i = rest;
    }
    Ok((i, out))
}

fn pattern(i: Tokens<'_>) -> PResult<'_, Pattern> {
    let start = i.offset();
    i.enter(NEST)?;
    let (mut i, first) = require_node(i)?;
    let mut steps = Vec::new();
    loop {
        let edge_start = i.at_punct(Punct::Minus) || (i.at_punct(Punct::Lt) && next_is_minus(i));
        if !edge_start {
            i.expect_here(Expected::Symbol("-["));
            i.expect_here(Expected::Symbol("<-["));
            break;
        }
        let (rest, edge) = edge(i)?;
        let (rest, node) = require_node(rest)?;
        steps.push((edge, node));
        i = rest;
    }
    i.leave(NEST);
    Ok((i, Pattern { start: first, steps, span: i.span_from(start) }))
}

fn next_is_minus(i: Tokens<'_>) -> bool {
    matches!(i.peek_at(1), Some(t) if t.kind == TokenKind::Punct(Punct::Minus))
}

/// A node, or a recorded error and an empty node.
fn require_node(i: Tokens<'_>) -> PResult<'_, NodePattern> {
    match node(i) {
        Err(nom::Err::Error(_)) => {
            i.unexpected(&[Expected::Node]);
            let empty = NodePattern {
                var: None,
                kind: None,
                entity: None,
                props: Vec::new(),
                span: i.here(),
            };
            Ok((i, empty))
        }
        other => other,
    }
}

/// `( [var] [:kind] ["name" | $param] [{props}] )`.
fn node(i: Tokens<'_>) -> PResult<'_, NodePattern> {
    let Ok((i, open)) = i.punct(Punct::LParen) else {
        i.expect_here(Expected::Node);
        return backtrack();
    };
    let (i, var) = match i.name() {
        Ok((rest, var)) => (rest, Some(var)),
        Err(_) => (i, None),
    };
    let (i, kind) = match i.punct(Punct::Colon) {
        Ok((rest, _)) => {
            let (rest, kind) = rest.require_name();
            (rest, Some(kind))
        }
        Err(_) => (i, None),
    };
    let (i, entity) = match entity_name(i) {
        Some((rest, name)) => (rest, Some(name)),
        None => (i, None),
    };
    let (i, props) = props(i)?;
    let i = i.close(Punct::RParen, open);
    Ok((i, NodePattern { var, kind, entity, props, span: i.span_from(open.start) }))
}

/// `{key: value, ...}` if present; empty otherwise.
fn props(i: Tokens<'_>) -> PResult<'_, Vec<Property>> {
    match i.punct(Punct::LBrace) {
        Ok((rest, open)) => {
            rest.enter(NEST)?;
            let (rest, out) = items(rest, open, Punct::RBrace, property)?;
            rest.leave(NEST);
            Ok((rest, out))
        }
        Err(_) => Ok((i, Vec::new())),
    }
}

fn property(i: Tokens<'_>) -> PResult<'_, Property> {
    let start = i.offset();
    let (i, key) = i.require_name();
    let i = i.require_punct(Punct::Colon);
    let (i, value) = require_expr(i)?;
    Ok((i, Property { key, value, span: i.span_from(start) }))
}

/// `-[ ... ]->`, `-[ ... ]-`, `<-[ ... ]-` or `<-[ ... ]->`.
fn edge(i: Tokens<'_>) -> PResult<'_, EdgePattern> {
    let start = i.offset();
    let (i, left) = if i.at_punct(Punct::Lt) { (i.bump().bump(), true) } else { (i.bump(), false) };
    let open = i.next_span();
    let i = match i.punct(Punct::LBracket) {
        Ok((rest, _)) => rest,
        Err(_) => {
            i.unexpected(&[Expected::Symbol("[")]);
            let edge = EdgePattern {
                direction: if left { Direction::Left } else { Direction::Undirected },
                var: None,
                kind: EdgeKind::Missing,
                span: i.span_from(start),
            };
            return Ok((i, edge));
        }
    };
    let (i, var) = match i.name() {
        Ok((rest, var)) => (rest, Some(var)),
        Err(_) => (i, None),
    };
    let (i, colon) = match i.punct(Punct::Colon) {
        Ok((rest, _)) => (rest, true),
        Err(_) => (i, false),
    };
    let (i, kind) = if let Ok((rest, _)) = i.keyword("near") {
        let (rest, scope) = scope(rest);
        (rest, scope.map_or(EdgeKind::Missing, EdgeKind::Near))
    } else if colon {
        match i.name() {
            Ok((rest, label)) => relation(rest, label)?,
            Err(_) => {
                i.unexpected(&[Expected::EdgeLabel]);
                (i, EdgeKind::Missing)
            }
        }
    } else {
        i.error(
            ParseErrorKind::Unexpected,
            i.next_span(),
            &[Expected::Symbol(":")],
            Some(
                "an edge needs a label or a scope: `-[e:invite]->`, `-[near sentence]-`".to_owned(),
            ),
        );
        (i, EdgeKind::Missing)
    };
    let i = i.close(Punct::RBracket, open);
    let (i, right) = match i.peek().map(|t| &t.kind) {
        Some(TokenKind::Punct(Punct::Arrow)) => (i.bump(), true),
        Some(TokenKind::Punct(Punct::Minus)) => (i.bump(), false),
        _ => {
            i.unexpected(&[Expected::Symbol("->"), Expected::Symbol("-")]);
            (i, false)
        }
    };
    let direction = match (left, right) {
        (false, true) => Direction::Right,
        (true, false) => Direction::Left,
        (false, false) => Direction::Undirected,
        (true, true) => Direction::Both,
    };
    Ok((i, EdgePattern { direction, var, kind, span: i.span_from(start) }))
}

/// After the label: `[*min[..max]] [{props}]`.
fn relation(i: Tokens<'_>, label: Ident) -> PResult<'_, EdgeKind> {
    let (i, hops) = match i.punct(Punct::Star) {
        Ok((rest, star)) => {
            let (rest, min) = int_u32(rest);
            let (rest, max) = match rest.punct(Punct::DotDot) {
                Ok((rest, _)) => {
                    let (rest, max) = int_u32(rest);
                    (rest, Some(max))
                }
                Err(_) => (rest, None),
            };
            let hops = Hops { min, max, span: rest.span_from(star.start) };
            (rest, Some(hops))
        }
        Err(_) => (i, None),
    };
    let (i, props) = props(i)?;
    Ok((i, EdgeKind::Relation { label, hops, props }))
}

/// An integer that fits `u32`, or a recorded error and 0.
pub(crate) fn int_u32(i: Tokens<'_>) -> (Tokens<'_>, u32) {
    match i.peek() {
        Some(t) if matches!(t.kind, TokenKind::Int(_)) => {
            let TokenKind::Int(n) = t.kind else {
                return (i, 0);
            };
            match u32::try_from(n) {
                Ok(n) => (i.bump(), n),
                Err(_) => {
                    i.error(
                        ParseErrorKind::InvalidNumber {
                            reason: crate::error::NumberError::TooLarge,
                        },
                        t.span,
                        &[],
                        Some(format!("at most {}", u32::MAX)),
                    );
                    (i.bump(), 0)
                }
            }
        }
        _ => {
            i.unexpected(&[Expected::Integer]);
            (i, 0)
        }
    }
}

/// `sentence`, `paragraph`, `article` or `N words`; records an error and
/// returns `None` if there is no scope.
pub(crate) fn scope(i: Tokens<'_>) -> (Tokens<'_>, Option<Scope>) {
    let Some(token) = i.peek() else {
        i.unexpected(&[Expected::Scope]);
        return (i, None);
    };
    let span = token.span;
    match &token.kind {
        TokenKind::Ident => {
            let text = i.text(token);
            let kind = match text {
                "sentence" => ScopeKind::Sentence,
                "paragraph" => ScopeKind::Paragraph,
                "article" => ScopeKind::Article,
                _ => {
                    i.expect_here(Expected::Scope);
                    let hint = did_you_mean(text, SCOPE_WORDS)
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| {
                            Some("scopes are sentence, paragraph, article and `N words`".to_owned())
                        });
                    i.error(
                        ParseErrorKind::UnknownScope { name: text.to_owned() },
                        span,
                        &[],
                        hint,
                    );
                    return (i.bump(), None);
                }
            };
            (i.bump(), Some(Scope { kind, span }))
        }
        TokenKind::Int(_) => {
            let (rest, n) = int_u32(i);
            if rest.at_word("words") || rest.at_word("word") {
                let rest = rest.bump();
                let span = Span::new(span.start, rest.prev_end());
                (rest, Some(Scope { kind: ScopeKind::Words(n), span }))
            } else {
                rest.require_keyword("words", Some("write a distance as `10 words`".to_owned()));
                (rest, None)
            }
        }
        _ => {
            i.unexpected(&[Expected::Scope]);
            (i, None)
        }
    }
}

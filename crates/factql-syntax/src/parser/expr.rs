//! Expressions: precedence climbing by hand-written levels.
//!
//! `or` < `and` < `not` < comparisons (`==`, `in`, `between`, `has`, `~`,
//! non-associative) < `+ -` < `* /` < unary `-` < postfix `.field` < primary.

use super::input::{NEST, PResult, STEP, Tokens, backtrack};
use crate::Span;
use crate::ast::{
    BinaryOp, EntityName, EntityNameValue, Expr, ExprKind, HasMode, Ident, Literal, UnaryOp,
};
use crate::error::{Expected, Found, NumberError, ParseError, ParseErrorKind};
use crate::keywords::{ENTITY_KINDS, is_reserved};
use crate::lexer::{Punct, Token, TokenKind};

/// An expression; `Err::Error` if none starts at the next token.
pub(crate) fn expr(i: Tokens<'_>) -> PResult<'_, Expr> {
    expr_bp(i, 0)
}

/// An expression, or a recorded "expected expression" error and a hole.
pub(crate) fn require_expr(i: Tokens<'_>) -> PResult<'_, Expr> {
    require_bp(i, 0)
}

/// Binding powers: an operator binds its right operand at `right`, and is
/// only taken by a loop running at `min <= left`.
const OR: (u8, u8) = (1, 2);
const AND: (u8, u8) = (3, 4);
/// `not x` parses `x` at this power: comparisons bind tighter, `and` looser.
const NOT_OPERAND: u8 = 5;
/// Comparisons (`==`, `in`, `between`, `has`, `~`); non-associative.
const CMP: (u8, u8) = (6, 7);
const ADD: (u8, u8) = (7, 8);
const MUL: (u8, u8) = (9, 10);

/// Runs `expr_bp`; if nothing starts here, records an error and returns a hole.
fn require_bp(i: Tokens<'_>, min: u8) -> PResult<'_, Expr> {
    match expr_bp(i, min) {
        Err(nom::Err::Error(_)) => {
            i.unexpected(&[Expected::Expression]);
            Ok((i, Expr::new(ExprKind::Missing, i.here())))
        }
        other => other,
    }
}

/// The infix operators, with what their right side looks like.
enum Infix {
    Binary(BinaryOp),
    In {
        negated: bool,
    },
    Between,
    Has,
    /// A word operator from KQL or SQL (`contains`, `like`, `startswith`, ...) or a near-miss
    /// of `has` (`hsa`), optionally negated (`!contains`, `not like`): reported once, then
    /// parsed as `has` so the rest of the query is still checked.
    Foreign {
        negated: bool,
    },
}

impl Infix {
    fn power(&self) -> (u8, u8) {
        match self {
            Infix::Binary(BinaryOp::Or) => OR,
            Infix::Binary(BinaryOp::And) => AND,
            Infix::Binary(BinaryOp::Add | BinaryOp::Sub) => ADD,
            Infix::Binary(BinaryOp::Mul | BinaryOp::Div) => MUL,
            _ => CMP,
        }
    }
}

/// The infix operator at the next token, without consuming it. Operators
/// from other languages are recognised too (and reported when consumed).
fn peek_infix(i: Tokens<'_>) -> Option<(Infix, usize)> {
    let token = i.peek()?;
    let op = match &token.kind {
        TokenKind::Punct(p) => match p {
            Punct::EqEq | Punct::Assign => BinaryOp::Eq,
            Punct::NotEq => BinaryOp::Ne,
            Punct::Lt => BinaryOp::Lt,
            Punct::Le => BinaryOp::Le,
            Punct::Gt => BinaryOp::Gt,
            Punct::Ge => BinaryOp::Ge,
            Punct::Tilde => BinaryOp::Matches,
            Punct::Plus => BinaryOp::Add,
            Punct::Minus => BinaryOp::Sub,
            Punct::Star => BinaryOp::Mul,
            Punct::Slash => BinaryOp::Div,
            _ => return None,
        },
        TokenKind::BadOp => match i.text(token) {
            "&&" => BinaryOp::And,
            "||" => BinaryOp::Or,
            "<>" => BinaryOp::Ne,
            "=~" => BinaryOp::Matches,
            // KQL's negated operators: `!contains`, `!has`, `!startswith`.
            "!" => match i.peek_at(1) {
                Some(t)
                    if t.kind == TokenKind::Ident
                        && t.span.start == token.span.end
                        && (foreign_operator(i.text(t)).is_some() || i.text(t) == "has") =>
                {
                    return Some((Infix::Foreign { negated: true }, 2));
                }
                _ => return None,
            },
            _ => return None,
        },
        TokenKind::Ident => match i.text(token) {
            "or" => BinaryOp::Or,
            "and" => BinaryOp::And,
            "in" => return Some((Infix::In { negated: false }, 1)),
            "not" => match i.peek_at(1) {
                Some(t) if t.kind == TokenKind::Ident && i.text(t) == "in" => {
                    return Some((Infix::In { negated: true }, 2));
                }
                Some(t) if t.kind == TokenKind::Ident && foreign_operator(i.text(t)).is_some() => {
                    return Some((Infix::Foreign { negated: true }, 2));
                }
                _ => return None,
            },
            "between" => return Some((Infix::Between, 1)),
            "has" => return Some((Infix::Has, 1)),
            // KQL writes `matches regex "..."`.
            "matches" if i.peek_at(1).is_some_and(|t| i.text(t) == "regex") => {
                return Some((Infix::Foreign { negated: false }, 2));
            }
            word if foreign_operator(word).is_some() => {
                return Some((Infix::Foreign { negated: false }, 1));
            }
            _ => return None,
        },
        _ => return None,
    };
    Some((Infix::Binary(op), 1))
}

/// What a word operator from another language does, for the hint that replaces it.
#[derive(Clone, Copy)]
enum Foreign {
    /// `contains`, `like`, `ilike`: a substring.
    Substring,
    /// `startswith`, `hasprefix`.
    Prefix,
    /// `endswith`, `hassuffix`.
    Suffix,
    /// `matches`, `rlike`, `regexp`: a regular expression.
    Regex,
    /// KQL spellings of our `has` forms: `has_cs`, `has_any`, `has_all`.
    HasMode(&'static str),
    /// A typo of `has` (`hsa`, `hass`).
    NearMiss,
}

/// The word operators of KQL and SQL that factql does not have, and near-misses of `has`.
fn foreign_operator(word: &str) -> Option<Foreign> {
    let lower = word.to_ascii_lowercase();
    Some(match lower.as_str() {
        "contains" | "contains_cs" | "like" | "ilike" | "notlike" | "notcontains" => {
            Foreign::Substring
        }
        "startswith" | "startswith_cs" | "hasprefix" | "hasprefix_cs" | "starts_with" => {
            Foreign::Prefix
        }
        "endswith" | "endswith_cs" | "hassuffix" | "hassuffix_cs" | "ends_with" => Foreign::Suffix,
        "matches" | "rlike" | "regexp" | "similar" => Foreign::Regex,
        "has_cs" | "has" => Foreign::HasMode("has"),
        "has_any" | "hasany" => Foreign::HasMode("has any"),
        "has_all" | "hasall" => Foreign::HasMode("has all"),
        _ if (2..=4).contains(&lower.chars().count())
            && !is_reserved(&lower)
            && crate::keywords::edit_distance(&lower, "has") == 1 =>
        {
            Foreign::NearMiss
        }
        _ => return None,
    })
}

/// The fix for a word operator: the `has` or `~` form of the same test, written with the
/// operands of the query when the right side is a string.
fn foreign_hint(
    foreign: Foreign,
    negated: bool,
    lhs: &str,
    terms: &Expr,
    terms_text: &str,
) -> String {
    let word = match &terms.kind {
        ExprKind::Literal(Literal::String { value, .. }) => {
            value.trim_matches(|c| c == '%' || c == '*' || c == '_').to_owned()
        }
        _ => "word".to_owned(),
    };
    let lhs = if lhs.is_empty() { "text" } else { lhs };
    let escaped = regex_escape(&word);
    let wrap = |test: String| if negated { format!("not ({test})") } else { test };
    match foreign {
        Foreign::Substring => format!(
            "write `{}` to match the whole word (case- and diacritic-insensitive), or `{}` to match it anywhere",
            wrap(format!("{lhs} has \"{word}\"")),
            wrap(format!("{lhs} ~ r\"(?i){escaped}\""))
        ),
        Foreign::Prefix => format!(
            "factql has no `startswith`: write `{}`",
            wrap(format!("{lhs} ~ r\"^{escaped}\""))
        ),
        Foreign::Suffix => format!(
            "factql has no `endswith`: write `{}`",
            wrap(format!("{lhs} ~ r\"{escaped}$\""))
        ),
        Foreign::Regex => format!(
            "regular expressions use `~`: write `{}`",
            wrap(format!("{lhs} ~ r\"{}\"", word.replace('"', "")))
        ),
        Foreign::HasMode("has") => format!(
            "write `{}` (always case- and diacritic-insensitive)",
            wrap(format!("{lhs} has \"{word}\""))
        ),
        Foreign::HasMode(form) => {
            let terms = if terms_text.is_empty() { "[...]" } else { terms_text };
            format!(
                "write `{}` (always case- and diacritic-insensitive)",
                wrap(format!("{lhs} {form} {terms}"))
            )
        }
        Foreign::NearMiss => format!(
            "did you mean `has`? `{}` matches a whole word; `~` matches a regular expression",
            wrap(format!("{lhs} has \"{word}\""))
        ),
    }
}

/// `text` with the characters that mean something in a regular expression escaped.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Reports an operator from another language at the next token, if it is one.
fn report_foreign(i: Tokens<'_>) {
    let Some(token) = i.peek() else { return };
    let text = i.text(token);
    let instead = match (&token.kind, text) {
        (TokenKind::Punct(Punct::Assign), _) => "==",
        (TokenKind::BadOp, "&&") => "and",
        (TokenKind::BadOp, "||") => "or",
        (TokenKind::BadOp, "<>") => "!=",
        (TokenKind::BadOp, "=~") => "~",
        (TokenKind::BadOp, "!") => "not",
        _ => return,
    };
    i.independent_error(ParseError {
        kind: ParseErrorKind::UseInstead { found: text.to_owned(), instead },
        span: token.span,
        expected: Vec::new(),
        found: Found::Token(text.to_owned()),
        hint: (instead == "==")
            .then(|| "`==` compares; `=` only names a column, as in `n = count()`".to_owned()),
        note: None,
    });
}

/// Pratt loop: a prefix part, then infix operators binding at least `min`.
///
/// One nesting level of parentheses costs three frames (`expr_bp`,
/// `prefix`, `primary`), which keeps deep input cheap on the stack.
fn expr_bp(i: Tokens<'_>, min: u8) -> PResult<'_, Expr> {
    let (mut i, (mut lhs, bare_not)) = prefix(i, min)?;
    // The power of the operator that built `lhs` (`u8::MAX` for an operand
    // that cannot be split: an atom, a parenthesised or a negated expression).
    let mut lhs_power = if bare_not { NOT_OPERAND } else { u8::MAX };
    let mut levels = 0;
    loop {
        let Some((infix, width)) = peek_infix(i) else {
            i.expect_here(Expected::Operator);
            break;
        };
        let (left, right) = infix.power();
        // Comparisons are non-associative: `a == b == c`, `not a == b == c`
        // and `x and a == b == c` all stop before the second comparison.
        // Only a comparison is ever left over by an inner loop, and then the
        // left side here was built by a comparison or a looser operator.
        if left < min || (left == CMP.0 && lhs_power <= CMP.0) {
            // Some operator (a looser one) is still valid here.
            i.expect_here(Expected::Operator);
            break;
        }
        if !matches!(infix, Infix::Foreign { .. }) {
            report_foreign(i);
        }
        let mut rest = i;
        for _ in 0..width {
            rest = rest.bump();
        }
        rest.enter(STEP)?;
        levels += STEP;
        let start = lhs.span.start;
        let boxed = Box::new;
        let (rest, kind) = match infix {
            Infix::Binary(op) => {
                let (rest, rhs) = require_bp(rest, right)?;
                (rest, ExprKind::Binary { op, lhs: boxed(lhs), rhs: boxed(rhs) })
            }
            Infix::In { negated } => {
                let (rest, set) = require_bp(rest, right)?;
                (rest, ExprKind::In { expr: boxed(lhs), negated, set: boxed(set) })
            }
            Infix::Between => {
                let (rest, low) = require_bp(rest, right)?;
                let rest = rest.require_keyword(
                    "and",
                    Some("write `x between low and high` (both bounds included)".to_owned()),
                );
                let (rest, high) = require_bp(rest, right)?;
                (rest, ExprKind::Between { expr: boxed(lhs), low: boxed(low), high: boxed(high) })
            }
            Infix::Has => {
                let (rest, mode) = if rest.at_word("any") {
                    (rest.bump(), HasMode::Any)
                } else if rest.at_word("all") {
                    (rest.bump(), HasMode::All)
                } else {
                    rest.expect_here(Expected::Keyword("any"));
                    rest.expect_here(Expected::Keyword("all"));
                    (rest, HasMode::One)
                };
                let (rest, terms) = require_bp(rest, right)?;
                let (rest, scope) = match rest.keyword("in") {
                    Ok((after_in, _)) => super::pattern::scope(after_in),
                    Err(_) => (rest, None),
                };
                (rest, ExprKind::Has { expr: boxed(lhs), mode, terms: boxed(terms), scope })
            }
            Infix::Foreign { negated } => {
                let op_start = i.offset();
                let last = i.peek_at(width - 1);
                let word = (0..width)
                    .filter_map(|k| i.peek_at(k))
                    .map(|t| i.text(t))
                    .find(|w| foreign_operator(w).is_some())
                    .unwrap_or_default();
                let op_span = Span::new(op_start, last.map_or(op_start, |t| t.span.end));
                let written = i.ctx.text(op_span).to_owned();
                let foreign = foreign_operator(word).unwrap_or(Foreign::NearMiss);
                let mode = match foreign {
                    Foreign::HasMode("has any") => HasMode::Any,
                    Foreign::HasMode("has all") => HasMode::All,
                    _ => HasMode::One,
                };
                let (rest, terms) = require_bp(rest, right)?;
                let hint = foreign_hint(
                    foreign,
                    negated,
                    i.ctx.text(lhs.span),
                    &terms,
                    rest.ctx.text(terms.span),
                );
                i.independent_error(ParseError {
                    kind: ParseErrorKind::UnknownOperator { name: written.clone() },
                    span: op_span,
                    expected: Vec::new(),
                    found: Found::Token(written),
                    hint: Some(hint),
                    note: None,
                });
                let has =
                    ExprKind::Has { expr: boxed(lhs), mode, terms: boxed(terms), scope: None };
                if negated {
                    let inner = Expr::new(has, rest.span_from(start));
                    (rest, ExprKind::Unary { op: UnaryOp::Not, operand: boxed(inner) })
                } else {
                    (rest, has)
                }
            }
        };
        lhs = Expr::new(kind, rest.span_from(start));
        lhs_power = left;
        i = rest;
    }
    i.leave(levels);
    Ok((i, lhs))
}

fn at_not(i: Tokens<'_>) -> bool {
    matches!(
        i.peek(),
        Some(t) if matches!(t.kind, TokenKind::Ident | TokenKind::BadOp)
            && matches!(i.text(t), "not" | "!")
    )
}

/// Prefix operators, then a primary with its `.field` suffixes. The flag
/// says the result is a bare `not ...` (which binds looser than comparisons).
///
/// Runs of `not` or `-` are collected in a loop rather than by recursion, so
/// a long run costs no stack (only depth budget).
fn prefix(i: Tokens<'_>, min: u8) -> PResult<'_, (Expr, bool)> {
    // `not` binds looser than comparisons and arithmetic, so it cannot start
    // their operands: `a == not b` needs parentheses, as in Python.
    let op = if at_not(i) && min <= NOT_OPERAND {
        UnaryOp::Not
    } else if i.at_punct(Punct::Minus) {
        UnaryOp::Neg
    } else {
        let (i, value) = postfix(i)?;
        return Ok((i, (value, false)));
    };
    let mut starts = Vec::new();
    let mut i = i;
    while (op == UnaryOp::Not && at_not(i)) || (op == UnaryOp::Neg && i.at_punct(Punct::Minus)) {
        report_foreign(i);
        i.enter(STEP)?;
        starts.push(i.offset());
        i = i.bump();
    }
    // `not` takes a comparison; `-` only a postfix expression.
    let (i, mut operand) = match op {
        UnaryOp::Not => require_bp(i, NOT_OPERAND)?,
        UnaryOp::Neg => match postfix(i) {
            Err(nom::Err::Error(_)) => {
                i.unexpected(&[Expected::Expression]);
                (i, Expr::new(ExprKind::Missing, i.here()))
            }
            other => other?,
        },
    };
    for start in starts.iter().rev() {
        let span = i.span_from(*start);
        operand = Expr::new(ExprKind::Unary { op, operand: Box::new(operand) }, span);
    }
    i.leave(starts.len() * STEP);
    Ok((i, (operand, op == UnaryOp::Not)))
}

fn postfix(i: Tokens<'_>) -> PResult<'_, Expr> {
    let (mut i, mut base) = primary(i)?;
    let mut levels = 0;
    while i.at_punct(Punct::Dot) {
        let rest = i.bump();
        rest.enter(STEP)?;
        levels += STEP;
        // Any word is a field name after `.`: there is nothing to confuse it with.
        let field = match rest.peek() {
            Some(t) if t.kind == TokenKind::Ident => Ident::new(rest.text(t), t.span),
            Some(Token { kind: TokenKind::QuotedIdent(name), span }) => {
                Ident::new(name.clone(), *span)
            }
            _ => {
                rest.unexpected(&[Expected::Identifier]);
                i = rest;
                break;
            }
        };
        let rest = rest.bump();
        let span = rest.span_from(base.span.start);
        base = Expr::new(ExprKind::Field { base: Box::new(base), field }, span);
        i = rest;
    }
    i.leave(levels);
    Ok((i, base))
}

fn literal<'a>(i: Tokens<'a>, token: &Token, literal: Literal) -> PResult<'a, Expr> {
    Ok((i.bump(), Expr::new(ExprKind::Literal(literal), token.span)))
}

fn primary(i: Tokens<'_>) -> PResult<'_, Expr> {
    let Some(token) = i.peek() else {
        i.expect_here(Expected::Expression);
        return backtrack();
    };
    match &token.kind {
        TokenKind::Str { value, raw } => {
            literal(i, token, Literal::String { value: value.clone(), raw: *raw })
        }
        TokenKind::Int(n) => match i64::try_from(*n) {
            Ok(n) => literal(i, token, Literal::Int(n)),
            Err(_) => {
                i.error(
                    ParseErrorKind::InvalidNumber { reason: NumberError::TooLarge },
                    token.span,
                    &[],
                    Some(format!("the largest integer is {}", i64::MAX)),
                );
                Ok((i.bump(), Expr::new(ExprKind::Missing, token.span)))
            }
        },
        TokenKind::Float(x) => literal(i, token, Literal::Float(*x)),
        TokenKind::Date(date) => literal(i, token, Literal::Date(*date)),
        TokenKind::Duration(duration) => literal(i, token, Literal::Duration(*duration)),
        TokenKind::Param => {
            let name = i.text(token)[1..].to_owned();
            Ok((i.bump(), Expr::new(ExprKind::Param(name), token.span)))
        }
        TokenKind::Invalid => {
            // Already reported by the lexer.
            i.ctx.poison();
            Ok((i.bump(), Expr::new(ExprKind::Missing, token.span)))
        }
        TokenKind::QuotedIdent(name) => name_or_call(i, Ident::new(name.clone(), token.span)),
        TokenKind::Ident => {
            let text = i.text(token);
            match text {
                "true" => literal(i, token, Literal::Bool(true)),
                "false" => literal(i, token, Literal::Bool(false)),
                "null" => literal(i, token, Literal::Null),
                _ if is_reserved(text) => {
                    i.expect_here(Expected::Expression);
                    backtrack()
                }
                _ if ENTITY_KINDS.contains(&text) => match entity_name(i.bump()) {
                    Some((rest, name)) => {
                        let kind = ExprKind::Entity { kind: Ident::new(text, token.span), name };
                        Ok((rest, Expr::new(kind, rest.span_from(token.span.start))))
                    }
                    None => name_or_call(i, Ident::new(text, token.span)),
                },
                _ => name_or_call(i, Ident::new(text, token.span)),
            }
        }
        TokenKind::Punct(Punct::LParen) => {
            let open = token.span;
            i.enter(NEST)?;
            let (rest, inner) = require_expr(i.bump())?;
            let rest = rest.close(Punct::RParen, open);
            rest.leave(NEST);
            Ok((rest, Expr::new(inner.kind, rest.span_from(open.start))))
        }
        TokenKind::Punct(Punct::LBracket) => {
            let open = token.span;
            i.enter(NEST)?;
            let (rest, items) = items(i.bump(), open, Punct::RBracket, require_expr)?;
            rest.leave(NEST);
            Ok((rest, Expr::new(ExprKind::List(items), rest.span_from(open.start))))
        }
        _ => {
            i.expect_here(Expected::Expression);
            backtrack()
        }
    }
}

/// A string or `$param` naming an entity, if one is next.
pub(crate) fn entity_name(i: Tokens<'_>) -> Option<(Tokens<'_>, EntityName)> {
    let value = match i.peek().map(|t| &t.kind) {
        Some(TokenKind::Str { value, .. }) => EntityNameValue::String(value.clone()),
        Some(TokenKind::Param) => EntityNameValue::Param(i.text(i.peek()?)[1..].to_owned()),
        _ => {
            i.expect_here(Expected::EntityName);
            return None;
        }
    };
    let token = i.peek()?;
    Some((i.bump(), EntityName { value, span: token.span }))
}

fn name_or_call(i: Tokens<'_>, name: Ident) -> PResult<'_, Expr> {
    let after_name = i.bump();
    // `at_punct`, not `punct`: "`(`" in every expected list after a name is noise.
    match after_name.at_punct(Punct::LParen).then(|| (after_name.bump(), after_name.next_span())) {
        Some((rest, open)) => {
            rest.enter(NEST)?;
            let (rest, args) = items(rest, open, Punct::RParen, require_expr)?;
            rest.leave(NEST);
            let span = rest.span_from(name.span.start);
            Ok((rest, Expr::new(ExprKind::Call { func: name, args }, span)))
        }
        None => Ok((after_name, Expr::new(ExprKind::Name(name.name), name.span))),
    }
}

/// Comma-separated items up to the closing bracket (the opening one is
/// already consumed). A trailing comma is allowed.
pub(crate) fn items<'a, T>(
    i: Tokens<'a>,
    open: Span,
    close: Punct,
    item: impl Fn(Tokens<'a>) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let mut out = Vec::new();
    let mut i = i;
    if let Ok((rest, _)) = i.punct(close) {
        return Ok((rest, out));
    }
    loop {
        let (rest, value) = item(i)?;
        out.push(value);
        i = rest;
        match i.punct(Punct::Comma) {
            Ok((rest, _)) => {
                i = rest;
                if i.at_punct(close) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Ok((i.close(close, open), out))
}

//! The parser's input: a token slice that nom can walk, plus the shared state
//! that collects errors while parsing goes on.
//!
//! Recovery follows the "errors in the state" technique: a parser that has
//! committed to a construct never returns a nom error for a missing piece;
//! it records a [`ParseError`] in [`Ctx`] and returns a hole
//! ([`ExprKind::Missing`](crate::ExprKind::Missing), ...). nom errors
//! (`Err::Error`) only mean "this alternative does not start here", and
//! `Err::Failure` is used for one thing: the nesting limit, which abandons
//! the current stage.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use crate::error::{Expected, Found, Note, ParseError, ParseErrorKind};
use crate::keywords::is_reserved;
use crate::lexer::{Punct, Token, TokenKind, shorten};
use crate::{Rewrite, Span};

/// How deeply brackets, calls, patterns and subqueries may nest: 64 levels.
///
/// The limit is a budget of [`MAX_DEPTH`] × 8 units. Each recursive
/// construct costs 8 units because the parser recurses for it (about 16 KiB
/// of stack per level in an unoptimised build, so 64 levels stay well inside
/// the 2 MiB of a test thread). Each operator of a chain, each prefix
/// operator and each `.field` costs 1 unit: the parser loops over them, but
/// the tree they build is that deep, and printing, comparing and dropping it
/// recurse. So `a or b or ...` may have up to 512 operands.
pub const MAX_DEPTH: usize = 64;

/// The depth budget in units (see [`MAX_DEPTH`]).
const BUDGET: usize = MAX_DEPTH * NEST;
/// Units for one level of recursion.
pub(crate) const NEST: usize = 8;
/// Units for one operator of a chain, a prefix operator or a `.field`.
pub(crate) const STEP: usize = 1;

/// Shared parser state.
pub(crate) struct Ctx<'a> {
    pub(crate) src: &'a str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) errors: RefCell<Vec<ParseError>>,
    pub(crate) rewrites: RefCell<Vec<Rewrite>>,
    /// The furthest token position where something was expected, and what.
    expected: RefCell<(usize, BTreeSet<Expected>)>,
    pub(crate) depth: Cell<usize>,
    /// Set once the current stage has reported an error: later errors in the
    /// same stage are suppressed (they are almost always consequences).
    poisoned: Cell<bool>,
}

/// The token stream handed to nom parsers.
#[derive(Clone, Copy)]
pub(crate) struct Tokens<'a> {
    toks: &'a [Token],
    /// Index of `toks[0]` in `ctx.tokens`.
    start: usize,
    pub(crate) ctx: &'a Ctx<'a>,
}

/// nom's error type for the token parsers: a position only, because the real
/// diagnostics live in [`Ctx`].
#[derive(Debug)]
pub(crate) struct Backtrack;

impl<'a> nom::error::ParseError<Tokens<'a>> for Backtrack {
    fn from_error_kind(_input: Tokens<'a>, _kind: nom::error::ErrorKind) -> Self {
        Backtrack
    }

    fn append(_input: Tokens<'a>, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

pub(crate) type PResult<'a, T> = nom::IResult<Tokens<'a>, T, Backtrack>;

/// "This does not start here": a recoverable nom error.
pub(crate) fn backtrack<'a, T>() -> PResult<'a, T> {
    Err(nom::Err::Error(Backtrack))
}

impl<'a> nom::Input for Tokens<'a> {
    type Item = &'a Token;
    type Iter = std::slice::Iter<'a, Token>;
    type IterIndices = std::iter::Enumerate<std::slice::Iter<'a, Token>>;

    fn input_len(&self) -> usize {
        self.toks.len()
    }

    fn take(&self, index: usize) -> Self {
        Tokens { toks: &self.toks[..index], ..*self }
    }

    fn take_from(&self, index: usize) -> Self {
        Tokens { toks: &self.toks[index..], start: self.start + index, ctx: self.ctx }
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        (self.take_from(index), self.take(index))
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.toks.iter().position(predicate)
    }

    fn iter_elements(&self) -> Self::Iter {
        self.toks.iter()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.toks.iter().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, nom::Needed> {
        if count <= self.toks.len() {
            Ok(count)
        } else {
            Err(nom::Needed::new(count - self.toks.len()))
        }
    }
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(src: &'a str, tokens: Vec<Token>) -> Self {
        Ctx {
            src,
            tokens,
            errors: RefCell::new(Vec::new()),
            rewrites: RefCell::new(Vec::new()),
            expected: RefCell::new((0, BTreeSet::new())),
            depth: Cell::new(0),
            poisoned: Cell::new(false),
        }
    }

    pub(crate) fn input(&'a self) -> Tokens<'a> {
        Tokens { toks: &self.tokens, start: 0, ctx: self }
    }

    pub(crate) fn text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or_default()
    }

    /// Notes that `what` would have been accepted at token `pos`.
    pub(crate) fn note_expected(&self, pos: usize, what: Expected) {
        let mut expected = self.expected.borrow_mut();
        if pos > expected.0 {
            expected.0 = pos;
            expected.1.clear();
        }
        if pos == expected.0 {
            expected.1.insert(what);
        }
    }

    /// Starts a stage (or source): returns the previous poison state.
    pub(crate) fn begin_segment(&self) -> bool {
        self.poisoned.replace(false)
    }

    /// Ends a stage: returns whether it reported an error, and restores the
    /// enclosing stage's state (poisoned if this one was).
    pub(crate) fn end_segment(&self, outer: bool) -> bool {
        let had_error = self.poisoned.get();
        self.poisoned.set(outer || had_error);
        had_error
    }

    pub(crate) fn poison(&self) {
        self.poisoned.set(true);
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.get()
    }

    pub(crate) fn push_error(&self, error: ParseError) {
        if !self.poisoned.replace(true) {
            self.errors.borrow_mut().push(error);
        }
    }
}

impl<'a> Tokens<'a> {
    /// Index of the next token in the whole stream.
    pub(crate) fn pos(&self) -> usize {
        self.start
    }

    pub(crate) fn peek(&self) -> Option<&'a Token> {
        self.toks.first()
    }

    pub(crate) fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(n)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Skips one token.
    pub(crate) fn bump(self) -> Self {
        if self.toks.is_empty() { self } else { nom::Input::take_from(&self, 1) }
    }

    /// Byte offset of the next token (or the end of input).
    ///
    /// At the end of input this is the end of the last token, so that
    /// "found end of input" points right after what was typed.
    pub(crate) fn offset(&self) -> usize {
        self.peek().map_or_else(|| self.prev_end(), |t| t.span.start)
    }

    /// Empty span at the next token.
    pub(crate) fn here(&self) -> Span {
        Span::empty(self.offset())
    }

    /// Span of the next token, or an empty span at the end of input.
    pub(crate) fn next_span(&self) -> Span {
        self.peek().map_or_else(|| Span::empty(self.prev_end()), |t| t.span)
    }

    /// End offset of the token before the next one: where the parsed part ends.
    pub(crate) fn prev_end(&self) -> usize {
        self.start.checked_sub(1).and_then(|idx| self.ctx.tokens.get(idx)).map_or(0, |t| t.span.end)
    }

    /// The span from `start` to the end of what has been consumed.
    pub(crate) fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.prev_end().max(start))
    }

    pub(crate) fn text(&self, token: &Token) -> &'a str {
        self.ctx.text(token.span)
    }

    /// True if the next token is the punctuation `p` (no expectation noted).
    pub(crate) fn at_punct(&self, p: Punct) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Punct(q), .. }) if *q == p)
    }

    /// True if the next token is the plain word `word` (no expectation noted).
    pub(crate) fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(t) if t.kind == TokenKind::Ident && self.text(t) == word)
    }

    /// True at a statement boundary: end of input, newline or `;`.
    pub(crate) fn at_statement_end(&self) -> bool {
        matches!(
            self.peek().map(|t| &t.kind),
            None | Some(TokenKind::Newline | TokenKind::Punct(Punct::Semi))
        )
    }

    pub(crate) fn expect_here(&self, what: Expected) {
        self.ctx.note_expected(self.pos(), what);
    }

    /// What is at the next token, for messages.
    pub(crate) fn found(&self) -> Found {
        match self.peek() {
            None => Found::EndOfInput,
            Some(t) => match &t.kind {
                TokenKind::Newline => Found::EndOfLine,
                TokenKind::Ident if is_reserved(self.text(t)) => {
                    Found::Keyword(self.text(t).to_owned())
                }
                _ => Found::Token(shorten(self.text(t))),
            },
        }
    }

    /// The expectations noted at the next token, plus `extra`.
    pub(crate) fn expected_with(&self, extra: &[Expected]) -> Vec<Expected> {
        let noted = self.ctx.expected.borrow();
        let mut set: BTreeSet<Expected> =
            if noted.0 == self.pos() { noted.1.clone() } else { BTreeSet::new() };
        set.extend(extra.iter().copied());
        set.into_iter().collect()
    }

    /// Records an error at the next token. Suppressed when the current stage
    /// already has one, or when the next token is an `Invalid` token that the
    /// lexer has already reported.
    pub(crate) fn error(
        &self,
        kind: ParseErrorKind,
        span: Span,
        extra: &[Expected],
        hint: Option<String>,
    ) {
        self.error_with_note(kind, span, extra, hint, None);
    }

    pub(crate) fn error_with_note(
        &self,
        kind: ParseErrorKind,
        span: Span,
        extra: &[Expected],
        hint: Option<String>,
        note: Option<Note>,
    ) {
        if matches!(self.peek(), Some(Token { kind: TokenKind::Invalid, .. })) {
            self.ctx.poison();
            return;
        }
        let expected = self.expected_with(extra);
        let hint = hint.or_else(|| self.default_hint(&expected));
        self.ctx.push_error(ParseError { kind, span, expected, found: self.found(), hint, note });
    }

    /// "expected X, found Y" at the next token.
    pub(crate) fn unexpected(&self, extra: &[Expected]) {
        self.error(ParseErrorKind::Unexpected, self.next_span(), extra, None);
    }

    /// Hints that depend only on what was found.
    fn default_hint(&self, expected: &[Expected]) -> Option<String> {
        let token = self.peek()?;
        let text = self.text(token);
        let name_expected =
            expected.iter().any(|e| matches!(e, Expected::Expression | Expected::Identifier));
        match &token.kind {
            TokenKind::Ident if name_expected && is_reserved(text) => Some(format!(
                "`{text}` is a reserved word; write `` `{text}` `` to use it as a name"
            )),
            TokenKind::Punct(
                Punct::EqEq | Punct::NotEq | Punct::Lt | Punct::Le | Punct::Gt | Punct::Ge,
            ) if expected.contains(&Expected::Operator) => {
                Some("comparisons do not chain; combine them with `and`".to_owned())
            }
            TokenKind::BadOp => Some(match text {
                "//" => "comments start with `#`".to_owned(),
                "&&" | "&" => "write `and`".to_owned(),
                "||" => "write `or`".to_owned(),
                "!" => "write `not`".to_owned(),
                "<>" => "write `!=`".to_owned(),
                "=~" => "write `~` for a regular expression match".to_owned(),
                _ => return None,
            }),
            _ => None,
        }
    }

    /// Records an error that is not a consequence of anything and does not
    /// disturb parsing (a foreign operator read as its factql equivalent):
    /// it is reported even in a stage that already has an error, and does
    /// not suppress later ones.
    pub(crate) fn independent_error(&self, error: ParseError) {
        self.ctx.errors.borrow_mut().push(error);
    }

    /// Consumes the punctuation `p` or notes that it was expected.
    pub(crate) fn punct(self, p: Punct) -> PResult<'a, Span> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Punct(p) => Ok((self.bump(), t.span)),
            _ => {
                self.expect_here(Expected::Symbol(p.as_str()));
                backtrack()
            }
        }
    }

    /// Consumes the keyword `word` or notes that it was expected.
    pub(crate) fn keyword(self, word: &'static str) -> PResult<'a, Span> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Ident && self.text(t) == word => {
                Ok((self.bump(), t.span))
            }
            _ => {
                self.expect_here(Expected::Keyword(word));
                backtrack()
            }
        }
    }

    /// Consumes `p` if present; otherwise records "expected `p`" and does not move.
    pub(crate) fn require_punct(self, p: Punct) -> Self {
        match self.punct(p) {
            Ok((rest, _)) => rest,
            Err(_) => {
                self.unexpected(&[Expected::Symbol(p.as_str())]);
                self
            }
        }
    }

    /// Consumes the keyword if present; otherwise records an error and does not move.
    pub(crate) fn require_keyword(self, word: &'static str, hint: Option<String>) -> Self {
        match self.keyword(word) {
            Ok((rest, _)) => rest,
            Err(_) => {
                self.error(
                    ParseErrorKind::Unexpected,
                    self.next_span(),
                    &[Expected::Keyword(word)],
                    hint,
                );
                self
            }
        }
    }

    /// Consumes a closing bracket, or reports the unclosed opening one.
    pub(crate) fn close(self, close: Punct, open_span: Span) -> Self {
        match self.punct(close) {
            Ok((rest, _)) => rest,
            Err(_) => {
                let open = self.ctx.text(open_span).chars().next().unwrap_or('(');
                let looks_unclosed = matches!(
                    self.peek().map(|t| &t.kind),
                    None | Some(
                        TokenKind::Newline
                            | TokenKind::Punct(
                                Punct::Pipe
                                    | Punct::Semi
                                    | Punct::RParen
                                    | Punct::RBracket
                                    | Punct::RBrace
                            )
                    )
                );
                if !looks_unclosed {
                    let starts_value = matches!(
                        self.peek().map(|t| &t.kind),
                        Some(
                            TokenKind::Ident
                                | TokenKind::QuotedIdent(_)
                                | TokenKind::Param
                                | TokenKind::Str { .. }
                                | TokenKind::Int(_)
                                | TokenKind::Float(_)
                                | TokenKind::Date(_)
                                | TokenKind::Duration(_)
                        )
                    );
                    let hint = starts_value.then(|| "is a `,` missing before it?".to_owned());
                    self.error(
                        ParseErrorKind::Unexpected,
                        self.next_span(),
                        &[Expected::Symbol(close.as_str())],
                        hint,
                    );
                    return self;
                }
                self.error_with_note(
                    ParseErrorKind::UnclosedDelimiter { open },
                    self.next_span(),
                    &[Expected::Symbol(close.as_str())],
                    None,
                    Some(Note { span: open_span, message: format!("`{open}` opened here") }),
                );
                self
            }
        }
    }

    /// Spends `units` of the depth budget ([`NEST`] or [`STEP`]); past the
    /// budget records an error and fails hard, which abandons the current stage.
    pub(crate) fn enter(&self, units: usize) -> Result<(), nom::Err<Backtrack>> {
        let depth = self.ctx.depth.get() + units;
        self.ctx.depth.set(depth);
        if depth > BUDGET {
            self.error(
                ParseErrorKind::TooDeep { limit: MAX_DEPTH },
                self.next_span(),
                &[],
                Some("split the expression, e.g. with `extend`".to_owned()),
            );
            return Err(nom::Err::Failure(Backtrack));
        }
        Ok(())
    }

    /// Gives back `units` of the depth budget.
    pub(crate) fn leave(&self, units: usize) {
        self.ctx.depth.set(self.ctx.depth.get().saturating_sub(units));
    }

    /// Plain (unquoted) word at the next token that is not reserved, or a
    /// backtick-quoted name.
    pub(crate) fn name(self) -> PResult<'a, crate::Ident> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Ident && !is_reserved(self.text(t)) => {
                Ok((self.bump(), crate::Ident::new(self.text(t), t.span)))
            }
            Some(Token { kind: TokenKind::QuotedIdent(name), span }) => {
                Ok((self.bump(), crate::Ident::new(name.clone(), *span)))
            }
            _ => {
                self.expect_here(Expected::Identifier);
                backtrack()
            }
        }
    }

    /// Like [`Tokens::name`] but notes no expectation (for lookahead).
    pub(crate) fn peek_name(self) -> Option<(Self, crate::Ident)> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Ident && !is_reserved(self.text(t)) => {
                Some((self.bump(), crate::Ident::new(self.text(t), t.span)))
            }
            Some(Token { kind: TokenKind::QuotedIdent(name), span }) => {
                Some((self.bump(), crate::Ident::new(name.clone(), *span)))
            }
            _ => None,
        }
    }

    /// Like [`Tokens::name`], but records an error and returns an empty name
    /// when there is none.
    pub(crate) fn require_name(self) -> (Self, crate::Ident) {
        match self.name() {
            Ok(ok) => ok,
            Err(_) => {
                self.unexpected(&[Expected::Identifier]);
                (self, crate::Ident::new("", self.here()))
            }
        }
    }
}

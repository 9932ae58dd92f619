//! Syntax errors: typed, spanned, with what was expected and what was found.

use std::fmt;

use crate::Span;

/// One syntax error.
///
/// The message (`Display`) is one line without a trailing dot; `expected`,
/// `found` and `hint` are also available separately so a renderer can lay them
/// out (carets under `span`, a "help:" line) and a completer can offer the
/// `expected` items at the error position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", message(&self.kind, &self.expected, &self.found))]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Where: the offending token, or an empty span where something is missing.
    pub span: Span,
    /// What would have been accepted at `span.start`, sorted and de-duplicated;
    /// empty for errors inside a token (bad date, bad escape).
    pub expected: Vec<Expected>,
    /// What was there instead.
    pub found: Found,
    /// A suggestion for the fix, when one is known.
    pub hint: Option<String>,
    /// A second location that explains the error (where a string or a
    /// bracket was opened).
    pub note: Option<Note>,
}

/// A secondary location attached to a [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The location.
    pub span: Span,
    /// What it is (`"string starts here"`).
    pub message: String,
}

/// The kinds of [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A token that does not fit the grammar here.
    #[error("unexpected token")]
    Unexpected,
    /// The input holds no statement at all.
    #[error("empty query")]
    EmptyInput,
    /// A query does not start with a source.
    #[error("missing source")]
    MissingSource,
    /// Nothing follows a `|`.
    #[error("missing stage after `|`")]
    MissingStage,
    /// A word in stage position that is not a stage.
    #[error("unknown stage `{name}`")]
    UnknownStage {
        /// The word found.
        name: String,
    },
    /// A word after `render` that is not a chart kind.
    #[error("unknown chart kind `{name}`")]
    UnknownRenderKind {
        /// The word found.
        name: String,
    },
    /// A word where a scope (`sentence`, `paragraph`, `article`) was expected.
    #[error("unknown scope `{name}`")]
    UnknownScope {
        /// The word found.
        name: String,
    },
    /// An operator from another language: `=` for `==`, `&&` for `and`.
    #[error("use `{instead}` instead of `{found}`")]
    UseInstead {
        /// The operator written.
        found: String,
        /// The operator to write.
        instead: &'static str,
    },
    /// A word operator from another language (`contains`, `like`, `startswith`, `!contains`)
    /// or a near-miss of `has` (`hsa`); the hint gives the factql form.
    #[error("unknown operator `{name}`")]
    UnknownOperator {
        /// The operator as written.
        name: String,
    },
    /// A bracket without its closing partner.
    #[error("unclosed `{open}`")]
    UnclosedDelimiter {
        /// The opening bracket.
        open: char,
    },
    /// A string literal without its closing quote on the same line.
    #[error("unclosed string literal")]
    UnclosedString,
    /// A backtick-quoted name without its closing backtick.
    #[error("unclosed quoted name")]
    UnclosedQuotedName,
    /// An unknown `\` escape in a string.
    #[error("invalid escape `{escape}` in string")]
    InvalidEscape {
        /// The escape as written.
        escape: String,
    },
    /// A malformed date literal.
    #[error("invalid date literal: {reason}")]
    InvalidDate {
        /// Why it is invalid.
        reason: DateError,
    },
    /// A malformed number or duration.
    #[error("invalid number: {reason}")]
    InvalidNumber {
        /// Why it is invalid.
        reason: NumberError,
    },
    /// A character that starts no token.
    #[error("unexpected character `{ch}`")]
    UnexpectedChar {
        /// The character.
        ch: char,
    },
    /// Brackets, subqueries or operator chains nested deeper than the limit
    /// ([`MAX_DEPTH`](crate::MAX_DEPTH)).
    #[error("nested too deeply (the limit is {limit} levels of brackets or 512 chained operators)")]
    TooDeep {
        /// The nesting limit.
        limit: usize,
    },
}

/// Why a date literal is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// `@` without digits.
    #[error("expected a date such as `@2022-03-15` after `@`")]
    Empty,
    /// Not exactly four year digits.
    #[error("the year must have four digits")]
    YearDigits,
    /// Not exactly two month digits.
    #[error("the month must have two digits (`@2022-03`)")]
    MonthDigits,
    /// Not exactly two day digits.
    #[error("the day must have two digits (`@2022-03-05`)")]
    DayDigits,
    /// Month outside 01–12.
    #[error("month {0} is not between 01 and 12")]
    MonthRange(u32),
    /// Day outside the month.
    #[error("day {day} does not exist in {year}-{month:02}")]
    DayRange {
        /// The year.
        year: u32,
        /// The month.
        month: u32,
        /// The day written.
        day: u32,
    },
    /// Characters after a complete date.
    #[error("unexpected `{0}` after the date")]
    Trailing(String),
}

/// Why a number literal is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Does not fit the integer type.
    #[error("integer too large")]
    TooLarge,
    /// A float that is infinite.
    #[error("float out of range")]
    FloatRange,
    /// A suffix that is not a duration unit.
    #[error("unknown duration unit `{0}`")]
    UnknownUnit(String),
}

/// Something the parser would have accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A punctuation token such as `)` or `|`.
    Symbol(&'static str),
    /// A keyword such as `by` or `on`.
    Keyword(&'static str),
    /// Any expression.
    Expression,
    /// An operator continuing the expression (`==`, `and`, `+`, `.`, ...).
    Operator,
    /// A name.
    Identifier,
    /// A source: a table name, `match` or `_`.
    Source,
    /// A stage keyword (see [`STAGE_KEYWORDS`](crate::STAGE_KEYWORDS)).
    Stage,
    /// An integer literal.
    Integer,
    /// A parameter `$name`.
    Parameter,
    /// A node pattern `( ... )`.
    Node,
    /// An edge label after `:`.
    EdgeLabel,
    /// A scope: `sentence`, `paragraph`, `article` or `N words`.
    Scope,
    /// A chart kind: `bar`, `line` or `timeline`.
    ChartKind,
    /// A string or `$param` naming an entity.
    EntityName,
    /// The end of the statement: a newline, `;` or the end of input.
    EndOfStatement,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Symbol(symbol) => write!(f, "`{symbol}`"),
            Expected::Keyword(word) => write!(f, "`{word}`"),
            Expected::Expression => f.write_str("expression"),
            Expected::Operator => f.write_str("operator"),
            Expected::Identifier => f.write_str("name"),
            Expected::Source => f.write_str("source"),
            Expected::Stage => f.write_str("stage"),
            Expected::Parameter => f.write_str("parameter `$name`"),
            Expected::Integer => f.write_str("integer"),
            Expected::Node => f.write_str("node pattern `(...)`"),
            Expected::EdgeLabel => f.write_str("edge label"),
            Expected::Scope => f.write_str("scope"),
            Expected::ChartKind => f.write_str("chart kind"),
            Expected::EntityName => f.write_str("entity name"),
            Expected::EndOfStatement => f.write_str("end of statement"),
        }
    }
}

/// What the parser found where it reported an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// The end of the input.
    EndOfInput,
    /// A newline that ends the statement.
    EndOfLine,
    /// A reserved word.
    Keyword(String),
    /// Any other token, as written (shortened if long).
    Token(String),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::EndOfInput => f.write_str("end of input"),
            Found::EndOfLine => f.write_str("end of line"),
            Found::Keyword(word) => write!(f, "keyword `{word}`"),
            Found::Token(text) => write!(f, "`{text}`"),
        }
    }
}

/// Formats a list of expected items: "`a`", "`a` or `b`", "one of `a`, `b` or `c`".
pub(crate) fn expected_list(expected: &[Expected]) -> String {
    let items: Vec<String> = expected.iter().map(ToString::to_string).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, second] => format!("{first} or {second}"),
        [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
    }
}

fn message(kind: &ParseErrorKind, expected: &[Expected], found: &Found) -> String {
    match kind {
        ParseErrorKind::Unexpected if expected.is_empty() => format!("unexpected {found}"),
        ParseErrorKind::Unexpected => {
            format!("expected {}, found {found}", expected_list(expected))
        }
        ParseErrorKind::MissingStage => format!("expected a stage after `|`, found {found}"),
        ParseErrorKind::MissingSource => format!("expected a source, found {found}"),
        ParseErrorKind::EmptyInput => "empty query: expected a statement".to_owned(),
        ParseErrorKind::UnclosedDelimiter { open } if !expected.is_empty() => {
            format!("unclosed `{open}`: expected {}, found {found}", expected_list(expected))
        }
        other => other.to_string(),
    }
}

impl ParseError {
    /// The one-line message, the same as `to_string()`.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

//! The lexer: source text to tokens, written with nom over `nom_locate` spans.
//!
//! The lexer owns two decisions so that the parser does not have to:
//!
//! * **Which newlines end a statement.** A newline becomes a
//!   [`TokenKind::Newline`] only when it is outside brackets, follows a token
//!   that can end a statement (not `|`, `,`, `=`, an operator or a keyword such
//!   as `and`/`by`/`where`) and the next non-blank, non-comment line does not
//!   start with `|`. Every other newline is whitespace.
//! * **Literal validation.** Strings, dates, numbers and durations are checked
//!   here; a bad literal is reported once and becomes a
//!   [`TokenKind::Invalid`] token, which the parser accepts silently as an
//!   expression hole, so one typo gives one error.
//!
//! The lexer never fails: every character ends up in some token or error.

use nom::bytes::complete::{tag, take_while};
use nom::character::complete::{char as nom_char, digit1, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::{IResult, Input, Parser};
use nom_locate::LocatedSpan;

use crate::Span;
use crate::ast::{DateLiteral, DurationLiteral, DurationUnit};
use crate::error::{DateError, Found, NumberError, ParseError, ParseErrorKind};
use crate::keywords::{CONTINUING_KEYWORDS, is_ident_continue, is_ident_start};

/// One token of the source, as produced by [`tokenize`](crate::tokenize).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of [`Token`]. Names, keywords and parameters keep their text in
/// the source (slice it with the span); literals carry their decoded value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TokenKind {
    /// A plain word: a name or a keyword (see
    /// [`is_reserved`](crate::is_reserved)).
    Ident,
    /// A backtick-quoted name; never a keyword. Holds the name.
    QuotedIdent(String),
    /// `$name`.
    Param,
    /// A string literal with its decoded value.
    Str {
        /// The value (escapes resolved).
        value: String,
        /// True for `r"..."`.
        raw: bool,
    },
    /// An unsigned integer.
    Int(u64),
    /// A float.
    Float(f64),
    /// `@2022-03-15`.
    Date(DateLiteral),
    /// `1mo`.
    Duration(DurationLiteral),
    /// Punctuation and operators.
    Punct(Punct),
    /// A newline that ends a statement.
    Newline,
    /// `# ...` up to the end of the line (never passed to the parser).
    Comment,
    /// A REPL dot-command line such as `.mode table`.
    Meta,
    /// An operator from another language (`&&`, `||`, `!`, `<>`, `=~`, `//`);
    /// the parser reports it with the factql spelling.
    BadOp,
    /// A malformed literal or character, already reported by the lexer.
    Invalid,
}

/// Punctuation and operator tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Punct {
    /// `|`
    Pipe,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `:`
    Colon,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `=`
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `~`
    Tilde,
    /// `->`
    Arrow,
}

impl Punct {
    /// The token as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Punct::Pipe => "|",
            Punct::Comma => ",",
            Punct::Semi => ";",
            Punct::Dot => ".",
            Punct::DotDot => "..",
            Punct::Colon => ":",
            Punct::LParen => "(",
            Punct::RParen => ")",
            Punct::LBracket => "[",
            Punct::RBracket => "]",
            Punct::LBrace => "{",
            Punct::RBrace => "}",
            Punct::Assign => "=",
            Punct::EqEq => "==",
            Punct::NotEq => "!=",
            Punct::Lt => "<",
            Punct::Le => "<=",
            Punct::Gt => ">",
            Punct::Ge => ">=",
            Punct::Plus => "+",
            Punct::Minus => "-",
            Punct::Star => "*",
            Punct::Slash => "/",
            Punct::Tilde => "~",
            Punct::Arrow => "->",
        }
    }

    fn from_str(text: &str) -> Option<Punct> {
        Some(match text {
            "|" => Punct::Pipe,
            "," => Punct::Comma,
            ";" => Punct::Semi,
            "." => Punct::Dot,
            ".." => Punct::DotDot,
            ":" => Punct::Colon,
            "(" => Punct::LParen,
            ")" => Punct::RParen,
            "[" => Punct::LBracket,
            "]" => Punct::RBracket,
            "{" => Punct::LBrace,
            "}" => Punct::RBrace,
            "=" => Punct::Assign,
            "==" => Punct::EqEq,
            "!=" => Punct::NotEq,
            "<" => Punct::Lt,
            "<=" => Punct::Le,
            ">" => Punct::Gt,
            ">=" => Punct::Ge,
            "+" => Punct::Plus,
            "-" => Punct::Minus,
            "*" => Punct::Star,
            "/" => Punct::Slash,
            "~" => Punct::Tilde,
            "->" => Punct::Arrow,
            _ => return None,
        })
    }
}

type LSpan<'a> = LocatedSpan<&'a str>;
type LResult<'a, O> = IResult<LSpan<'a>, O>;

/// Where the lexer is relative to statements, for the newline rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// At the start of the input or after a statement separator.
    StatementStart,
    /// After a token that can end a statement.
    CanEnd,
    /// After a token that cannot end a statement.
    MustContinue,
}

/// Splits `src` into tokens (comments included) and lexical errors.
pub(crate) fn lex(src: &str) -> (Vec<Token>, Vec<ParseError>) {
    let mut lexer = Lexer {
        src,
        tokens: Vec::new(),
        errors: Vec::new(),
        depth: 0,
        position: Position::StatementStart,
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

struct Lexer<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    errors: Vec<ParseError>,
    /// Open brackets of any kind; newlines inside brackets are whitespace.
    depth: usize,
    position: Position,
}

fn offset(input: &LSpan<'_>) -> usize {
    input.location_offset()
}

/// Advances `input` by `n` bytes (`n` is always on a char boundary here).
fn skip(input: LSpan<'_>, n: usize) -> LSpan<'_> {
    input.take_from(n.min(input.fragment().len()))
}

fn horizontal_space(input: LSpan<'_>) -> LResult<'_, LSpan<'_>> {
    take_while(|c: char| c != '\n' && c.is_whitespace()).parse(input)
}

fn comment(input: LSpan<'_>) -> LResult<'_, LSpan<'_>> {
    recognize((nom_char('#'), take_while(|c: char| c != '\n'))).parse(input)
}

fn word(input: LSpan<'_>) -> LResult<'_, LSpan<'_>> {
    recognize((satisfy(is_ident_start), take_while(is_ident_continue))).parse(input)
}

/// Digits, an optional fraction and an optional exponent: `12`, `1.5`, `1e-3`.
fn number(input: LSpan<'_>) -> LResult<'_, LSpan<'_>> {
    recognize((
        digit1,
        opt((nom_char('.'), digit1)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(input)
}

fn punct(input: LSpan<'_>) -> LResult<'_, LSpan<'_>> {
    use nom::branch::alt;
    alt((
        alt((
            tag("=="),
            tag("!="),
            tag("<="),
            tag(">="),
            tag("->"),
            tag(".."),
            tag("&&"),
            tag("||"),
            tag("<>"),
            tag("=~"),
            tag("//"),
        )),
        recognize(one_of("|,;.:()[]{}=<>+-*/~!&")),
    ))
    .parse(input)
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        let mut input = LSpan::new(self.src);
        loop {
            if let Ok((rest, _)) = horizontal_space(input) {
                input = rest;
            }
            let Some(c) = input.fragment().chars().next() else {
                break;
            };
            input = match c {
                '\n' => self.newline(input),
                '#' => self.comment(input),
                '"' => self.string(input, 0, false),
                '`' => self.quoted_ident(input),
                '$' => self.param(input),
                '@' => self.date(input),
                '0'..='9' => self.number(input),
                'r' if raw_string_hashes(input.fragment()).is_some() => {
                    let hashes = raw_string_hashes(input.fragment()).unwrap_or(0);
                    self.string(input, hashes, true)
                }
                '.' if self.position == Position::StatementStart
                    && input.fragment()[1..].starts_with(|c: char| c.is_ascii_alphabetic()) =>
                {
                    self.meta(input)
                }
                c if is_ident_start(c) => self.ident(input),
                _ => self.punct(input, c),
            };
        }
    }

    fn push(&mut self, kind: TokenKind, span: Span) {
        self.position = match &kind {
            TokenKind::Comment => self.position,
            TokenKind::Newline | TokenKind::Punct(Punct::Semi) => Position::StatementStart,
            TokenKind::Ident => {
                if CONTINUING_KEYWORDS.binary_search(&&self.src[span.range()]).is_ok() {
                    Position::MustContinue
                } else {
                    Position::CanEnd
                }
            }
            TokenKind::Punct(Punct::RParen | Punct::RBracket | Punct::RBrace) => Position::CanEnd,
            TokenKind::Punct(_) | TokenKind::BadOp => Position::MustContinue,
            _ => Position::CanEnd,
        };
        self.tokens.push(Token { kind, span });
    }

    fn error(&mut self, kind: ParseErrorKind, span: Span, hint: Option<String>) {
        let found = Found::Token(shorten(&self.src[span.range()]));
        self.errors.push(ParseError { kind, span, expected: Vec::new(), found, hint, note: None });
    }

    fn newline<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        let at = offset(&input);
        let rest = skip(input, 1);
        if self.depth == 0
            && self.position == Position::CanEnd
            && !next_line_continues(rest.fragment())
        {
            self.push(TokenKind::Newline, Span::new(at, at + 1));
        }
        rest
    }

    fn comment<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        match comment(input) {
            Ok((rest, text)) => {
                let start = offset(&text);
                self.push(TokenKind::Comment, Span::new(start, start + text.fragment().len()));
                rest
            }
            Err(_) => skip(input, 1),
        }
    }

    /// A string: `"..."` with escapes, or a raw string `r#"..."#` with
    /// `hashes` hash signs. Strings end at the end of the line.
    fn string<'s>(&mut self, input: LSpan<'s>, hashes: usize, raw: bool) -> LSpan<'s> {
        let start = offset(&input);
        let text = *input.fragment();
        // Skip `r`, the hashes and the opening quote.
        let open_len = if raw { 2 + hashes } else { 1 };
        let body = &text[open_len..];
        let closing: String =
            std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
        let mut value = String::new();
        let mut chars = body.char_indices().peekable();
        let mut end = None;
        while let Some((idx, c)) = chars.next() {
            match c {
                '\n' => break,
                '"' if !raw || body[idx..].starts_with(&closing) => {
                    end = Some(idx + closing.len());
                    break;
                }
                '\\' if !raw => {
                    let escape_start = start + open_len + idx;
                    match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, 'r')) => value.push('\r'),
                        Some((_, '0')) => value.push('\0'),
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        Some((_, 'u')) => {
                            let rest = &body[idx + 2..];
                            match unicode_escape(rest) {
                                Some((ch, len)) => {
                                    value.push(ch);
                                    for _ in 0..len {
                                        chars.next();
                                    }
                                }
                                None => {
                                    // Underline `\u` and the braces after it, if any.
                                    let len = match rest.find(['}', '"', '\n']) {
                                        Some(p) if rest[p..].starts_with('}') => p + 1,
                                        Some(p) => p,
                                        None => 0,
                                    };
                                    let span = Span::new(escape_start, escape_start + 2 + len);
                                    self.error(
                                        ParseErrorKind::InvalidEscape {
                                            escape: self.src[span.range()].to_owned(),
                                        },
                                        span,
                                        Some("write a code point as `\\u{e9}`".to_owned()),
                                    );
                                }
                            }
                        }
                        // A backslash at the end of the line: the string is unclosed.
                        Some((_, '\n')) => break,
                        Some((next_idx, other)) => {
                            let span = Span::new(
                                escape_start,
                                start + open_len + next_idx + other.len_utf8(),
                            );
                            self.error(
                                ParseErrorKind::InvalidEscape {
                                    escape: self.src[span.range()].to_owned(),
                                },
                                span,
                                Some(
                                    "known escapes are \\\" \\\\ \\n \\t \\r \\0 \\u{...}; \
                                     for regular expressions use a raw string r\"...\""
                                        .to_owned(),
                                ),
                            );
                            value.push(other);
                        }
                        None => break,
                    }
                }
                c => value.push(c),
            }
        }
        let len = match end {
            Some(end) => open_len + end,
            None => {
                let line_len = text.find('\n').unwrap_or(text.len());
                let span = Span::new(start, start + line_len);
                let quote = if raw { closing.as_str() } else { "\"" };
                self.errors.push(ParseError {
                    kind: ParseErrorKind::UnclosedString,
                    span,
                    expected: Vec::new(),
                    found: if line_len == text.len() {
                        Found::EndOfInput
                    } else {
                        Found::EndOfLine
                    },
                    hint: Some(format!(
                        "the string starting here is not closed on this line: add `{quote}` \
                         (strings cannot span lines; write `\\n`)"
                    )),
                    note: None,
                });
                line_len
            }
        };
        self.push(TokenKind::Str { value, raw }, Span::new(start, start + len));
        skip(input, len)
    }

    fn quoted_ident<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        let start = offset(&input);
        let text = &input.fragment()[1..];
        match text.find(['`', '\n']) {
            Some(end) if text[end..].starts_with('`') => {
                let name = &text[..end];
                let span = Span::new(start, start + end + 2);
                if name.is_empty() {
                    self.error(
                        ParseErrorKind::Unexpected,
                        span,
                        Some("a quoted name cannot be empty".to_owned()),
                    );
                    self.push(TokenKind::Invalid, span);
                } else {
                    self.push(TokenKind::QuotedIdent(name.to_owned()), span);
                }
                skip(input, end + 2)
            }
            found => {
                let end = found.unwrap_or(text.len());
                let span = Span::new(start, start + end + 1);
                self.errors.push(ParseError {
                    kind: ParseErrorKind::UnclosedQuotedName,
                    span,
                    expected: Vec::new(),
                    found: if found.is_some() { Found::EndOfLine } else { Found::EndOfInput },
                    hint: Some("close the name with a backtick".to_owned()),
                    note: None,
                });
                self.push(TokenKind::Invalid, span);
                skip(input, end + 1)
            }
        }
    }

    fn param<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        let start = offset(&input);
        let rest = skip(input, 1);
        match word(rest) {
            Ok((rest, name)) => {
                let end = offset(&name) + name.fragment().len();
                self.push(TokenKind::Param, Span::new(start, end));
                rest
            }
            Err(_) => {
                let span = Span::new(start, start + 1);
                self.error(
                    ParseErrorKind::UnexpectedChar { ch: '$' },
                    span,
                    Some("a parameter is `$` followed by a name, as in `$who`".to_owned()),
                );
                self.push(TokenKind::Invalid, span);
                rest
            }
        }
    }

    fn date<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        let start = offset(&input);
        let body_len = input.fragment()[1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(input.fragment().len() - 1);
        let body = &input.fragment()[1..1 + body_len];
        let span = Span::new(start, start + 1 + body_len);
        match parse_date(body) {
            Ok(date) => self.push(TokenKind::Date(date), span),
            Err(reason) => {
                self.error(
                    ParseErrorKind::InvalidDate { reason },
                    span,
                    Some("dates are `@YYYY`, `@YYYY-MM` or `@YYYY-MM-DD`".to_owned()),
                );
                self.push(TokenKind::Invalid, span);
            }
        }
        skip(input, 1 + body_len)
    }

    fn number<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        let Ok((rest, digits)) = number(input) else {
            return self.punct(input, '0');
        };
        let start = offset(&digits);
        let text = *digits.fragment();
        let (rest, suffix) =
            match take_while::<_, _, nom::error::Error<LSpan<'s>>>(is_ident_continue).parse(rest) {
                Ok((rest, suffix)) => (rest, *suffix.fragment()),
                Err(_) => (rest, ""),
            };
        let span = Span::new(start, start + text.len() + suffix.len());
        let is_float = text.contains(['.', 'e', 'E']);
        let kind = if suffix.is_empty() && is_float {
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Ok(TokenKind::Float(value)),
                _ => Err(NumberError::FloatRange),
            }
        } else if suffix.is_empty() {
            text.parse::<u64>().map(TokenKind::Int).map_err(|_| NumberError::TooLarge)
        } else {
            let unit = match suffix {
                "d" => Some(DurationUnit::Day),
                "w" => Some(DurationUnit::Week),
                "mo" => Some(DurationUnit::Month),
                "y" => Some(DurationUnit::Year),
                _ => None,
            };
            match (unit, is_float) {
                (Some(unit), false) => text
                    .parse::<u64>()
                    .map(|amount| TokenKind::Duration(DurationLiteral { amount, unit }))
                    .map_err(|_| NumberError::TooLarge),
                _ => Err(NumberError::UnknownUnit(suffix.to_owned())),
            }
        };
        match kind {
            Ok(kind) => self.push(kind, span),
            Err(reason) => {
                let hint = match &reason {
                    NumberError::UnknownUnit(unit) if unit == "m" || unit == "M" => {
                        Some("did you mean `mo` (months)? Units are d, w, mo, y".to_owned())
                    }
                    NumberError::UnknownUnit(unit) if unit == "word" || unit == "words" => {
                        Some("put a space before `words`, as in `near 10 words`".to_owned())
                    }
                    NumberError::UnknownUnit(_) => Some(
                        "durations are a whole number and d, w, mo or y, as in `7d` or `1mo`"
                            .to_owned(),
                    ),
                    NumberError::TooLarge => Some(format!("the largest integer is {}", i64::MAX)),
                    NumberError::FloatRange => None,
                };
                self.error(ParseErrorKind::InvalidNumber { reason }, span, hint);
                self.push(TokenKind::Invalid, span);
            }
        }
        rest
    }

    fn ident<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        match word(input) {
            Ok((rest, text)) => {
                let start = offset(&text);
                self.push(TokenKind::Ident, Span::new(start, start + text.fragment().len()));
                rest
            }
            Err(_) => self.punct(input, 'a'),
        }
    }

    fn meta<'s>(&mut self, input: LSpan<'s>) -> LSpan<'s> {
        let start = offset(&input);
        let line = input.fragment().split('\n').next().unwrap_or_default();
        // The command ends at a `#` comment that is outside quotes and follows a space.
        let mut in_quotes = false;
        let mut prev = ' ';
        let mut len = line.len();
        for (idx, c) in line.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                '#' if !in_quotes && prev.is_whitespace() => {
                    len = idx;
                    break;
                }
                _ => {}
            }
            prev = c;
        }
        let len = line[..len].trim_end().len();
        self.push(TokenKind::Meta, Span::new(start, start + len));
        skip(input, len)
    }

    fn punct<'s>(&mut self, input: LSpan<'s>, c: char) -> LSpan<'s> {
        let start = offset(&input);
        if let Ok((rest, text)) = punct(input) {
            let span = Span::new(start, start + text.fragment().len());
            match Punct::from_str(text.fragment()) {
                Some(punct) => {
                    match punct {
                        Punct::LParen | Punct::LBracket | Punct::LBrace => self.depth += 1,
                        Punct::RParen | Punct::RBracket | Punct::RBrace => {
                            self.depth = self.depth.saturating_sub(1);
                        }
                        _ => {}
                    }
                    self.push(TokenKind::Punct(punct), span);
                }
                None => self.push(TokenKind::BadOp, span),
            }
            return rest;
        }
        let span = Span::new(start, start + c.len_utf8());
        let hint = match c {
            '\'' => Some("strings use double quotes: \"...\"".to_owned()),
            '%' => Some("there is no `%` operator".to_owned()),
            _ => None,
        };
        self.error(ParseErrorKind::UnexpectedChar { ch: c }, span, hint);
        self.push(TokenKind::Invalid, span);
        skip(input, c.len_utf8())
    }
}

/// If `text` starts a raw string (`r"` or `r#..#"`), the number of hashes.
fn raw_string_hashes(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    rest[hashes..].starts_with('"').then_some(hashes)
}

/// Decodes `{hex}` after `\u`; returns the char and the bytes consumed.
fn unicode_escape(rest: &str) -> Option<(char, usize)> {
    let inner = rest.strip_prefix('{')?;
    let close = inner.find('}')?;
    let hex = &inner[..close];
    if hex.is_empty() || hex.len() > 6 {
        return None;
    }
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, close + 2))
}

/// True if the newline just read does not end the statement because the
/// input ends, or the next non-blank, non-comment line starts with a token that
/// cannot begin a statement: `|`, a binary operator, `,`, or a keyword such
/// as `and`, `or`, `by`, `per`, `on`, `asc`. So both
/// `| where a\n    and b` and `| summarize n = count()\n    by x` continue.
fn next_line_continues(rest: &str) -> bool {
    let mut rest = rest;
    loop {
        rest = rest.trim_start();
        if rest.starts_with('#') {
            match rest.find('\n') {
                Some(end) => rest = &rest[end..],
                None => return false,
            }
        } else {
            break;
        }
    }
    // At the end of input a newline token would separate nothing.
    if rest.is_empty() || rest.starts_with(['|', ',', '=', '!', '<', '>', '+', '-', '*', '/', '~'])
    {
        return true;
    }
    let word_len = rest.find(|c: char| !is_ident_continue(c)).unwrap_or(rest.len());
    LINE_CONTINUING_WORDS.contains(&&rest[..word_len])
}

/// Words that cannot begin a statement, so a line starting with one
/// continues the previous line.
const LINE_CONTINUING_WORDS: &[&str] =
    &["and", "as", "asc", "between", "by", "desc", "has", "in", "not", "on", "or", "per"];

/// Validates the text after `@`.
fn parse_date(body: &str) -> Result<DateLiteral, DateError> {
    if body.is_empty() {
        return Err(DateError::Empty);
    }
    let mut parts = body.splitn(4, '-');
    let year = parts.next().unwrap_or_default();
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::YearDigits);
    }
    let year: u32 = year.parse().map_err(|_| DateError::YearDigits)?;
    let month = match parts.next() {
        None => {
            return Ok(DateLiteral { year: year as u16, month: None, day: None });
        }
        Some(month) if month.len() == 2 && month.bytes().all(|b| b.is_ascii_digit()) => {
            month.parse::<u32>().map_err(|_| DateError::MonthDigits)?
        }
        Some(_) => return Err(DateError::MonthDigits),
    };
    if !(1..=12).contains(&month) {
        return Err(DateError::MonthRange(month));
    }
    let day = match parts.next() {
        None => {
            return Ok(DateLiteral { year: year as u16, month: Some(month as u8), day: None });
        }
        Some(day) if day.len() == 2 && day.bytes().all(|b| b.is_ascii_digit()) => {
            day.parse::<u32>().map_err(|_| DateError::DayDigits)?
        }
        Some(_) => return Err(DateError::DayDigits),
    };
    if day == 0 || day > days_in_month(year, month) {
        return Err(DateError::DayRange { year, month, day });
    }
    if let Some(extra) = parts.next() {
        return Err(DateError::Trailing(format!("-{extra}")));
    }
    Ok(DateLiteral { year: year as u16, month: Some(month as u8), day: Some(day as u8) })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Source text for messages, cut to 32 chars.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 32;
    match text.char_indices().nth(MAX) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<String> {
        let (tokens, errors) = lex(src);
        assert!(errors.is_empty(), "{errors:?}");
        tokens
            .iter()
            .map(|t| match &t.kind {
                TokenKind::Ident => format!("id:{}", &src[t.span.range()]),
                TokenKind::Punct(p) => p.as_str().to_owned(),
                TokenKind::Newline => "NL".to_owned(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn newline_rules() {
        assert_eq!(kinds("a\nb"), ["id:a", "NL", "id:b"]);
        assert_eq!(kinds("a |\nb"), ["id:a", "|", "id:b"]);
        assert_eq!(kinds("a\n  # c\n\n| b"), ["id:a", "Comment", "|", "id:b"]);
        assert_eq!(kinds("f(a,\nb)\nc"), ["id:f", "(", "id:a", ",", "id:b", ")", "NL", "id:c"]);
        assert_eq!(kinds("a and\nb"), ["id:a", "id:and", "id:b"]);
        assert_eq!(kinds("a\n\n\n"), ["id:a"]);
        assert_eq!(kinds("a;\nb"), ["id:a", ";", "id:b"]);
        assert_eq!(kinds("a\n  and b"), ["id:a", "id:and", "id:b"]);
        assert_eq!(kinds("a\nband"), ["id:a", "NL", "id:band"]);
        assert_eq!(kinds("a\n.mode x"), ["id:a", "NL", "Meta"]);
    }

    #[test]
    fn literals() {
        assert_eq!(kinds("1..3"), ["Int(1)", "..", "Int(3)"]);
        assert_eq!(kinds("1.5 2e3"), ["Float(1.5)", "Float(2000.0)"]);
        assert_eq!(
            kinds(r##"r#"a"b"# "x\"y""##),
            [r#"Str { value: "a\"b", raw: true }"#, r#"Str { value: "x\"y", raw: false }"#]
        );
        assert_eq!(
            kinds("@2024-02-29")[0],
            "Date(DateLiteral { year: 2024, month: Some(2), day: Some(29) })"
        );
    }

    #[test]
    fn bad_literals_are_reported_once() {
        for src in ["@2022-13", "@2023-02-29", "@22", "5m", "99999999999999999999", "\"abc", "'x'"]
        {
            let (tokens, errors) = lex(src);
            assert!(!errors.is_empty(), "{src}");
            assert!(tokens.iter().all(|t| t.span.end <= src.len()), "{src}");
        }
    }
}

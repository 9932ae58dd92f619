//! This crate parses the factql query language into a spanned syntax tree.
//!
//! factql queries are pipelines (`source | stage | ...`) in the KQL/PRQL
//! vocabulary, whose source may be a Cypher-style `match` pattern over the
//! fact graph, with text scopes (`near sentence`, `has ... in sentence`) as
//! first-class operators. The crate knows nothing about the store or the
//! schema: it turns text into a [`Script`] and [`ParseError`]s, and prints a
//! tree back as canonical text.
//!
//! # Brief overview
//!
//! * [`parse`] parses a script (statements separated by `;` or newlines) and
//!   returns a [`Parsed`]: the tree, *all* syntax errors, and the synonyms
//!   that were normalised ([`Rewrite`]).
//! * [`parse_query`] and [`parse_expr`] are conveniences for one query or one
//!   expression.
//! * [`tokenize`] gives the token stream (with comments) for highlighting.
//! * [`Diagnostic`] is a finding about a query as people read it (a syntax error
//!   becomes one through [`ParseError::diagnostic`]; the engine makes the others), and
//!   [`render`] draws it: the one renderer of the CLI, the REPL and the snapshot tests.
//! * The tree ([`Script`], [`Query`], [`Stage`], [`Expr`], ...) is made of
//!   plain values. Every node has a byte [`Span`]; equality ignores spans.
//! * `Display` on any node prints canonical source; parsing that text gives
//!   an equal tree.
//!
//! # Example
//!
//! ```
//! use factql_syntax::{parse, StageKind, Statement};
//!
//! let parsed = parse("people | project name | limit 5");
//! assert!(parsed.errors.is_empty());
//! // Synonyms are normalised: `project` is `select`, `limit` is `take`.
//! assert_eq!(parsed.script.to_string(), "people\n| select name\n| take 5");
//! let Statement::Query(query) = &parsed.script.statements[0] else { unreachable!() };
//! assert!(matches!(query.stages[1].kind, StageKind::Take(_)));
//!
//! // All errors of a query in one pass, each with a span and a hint.
//! let parsed = parse("people | wher age > 5 | sort name |");
//! let messages: Vec<String> = parsed.errors.iter().map(|e| e.to_string()).collect();
//! assert_eq!(messages, [
//!     "unknown stage `wher`",
//!     "expected `by`, found `name`",
//!     "expected a stage after `|`, found end of input",
//! ]);
//! assert_eq!(parsed.errors[0].hint.as_deref(), Some("did you mean `where`?"));
//! assert_eq!(parsed.errors[0].span, factql_syntax::Span::new(9, 13));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Key design decisions
//!
//! * **Two phases, both on nom.** A nom lexer over [`nom_locate`] spans
//!   produces tokens and decides which newlines end a statement; the parser
//!   is written with nom over a token slice. Working on tokens makes
//!   "expected `)`, found keyword `where`" messages, contextual keywords and
//!   the newline rule simple, and gives the REPL one token stream for
//!   highlighting.
//! * **Parsing never fails.** Errors are recorded in the parser state and
//!   the tree gets explicit holes ([`ExprKind::Missing`],
//!   [`StageKind::Error`], ...), so incomplete input such as
//!   `people | where name ==` still yields a tree for completion. After an
//!   error the parser skips to the next `|`, newline or `;` and goes on.
//! * **Nesting is bounded** by [`MAX_DEPTH`], so no input can overflow the
//!   stack, here or in the recursive `Drop`, `Display` and `PartialEq` of the
//!   tree.
//!
//! # Grammar
//!
//! ```text
//! script    = { statement (";" | NEWLINE) }
//! statement = "let" NAME [ "(" param {"," param} ")" ] "=" query | query | META
//! param     = PARAM [ ":" NAME ] [ "=" expr ]
//! query     = source { "|" stage }
//! source    = "match" pattern {"," pattern} | "_" | NAME [ "(" [expr {"," expr}] ")" ]
//!             | NAME "(" "all" ")"     (the reserved word as a name: `articles(all)`)
//! pattern   = node { edge node }
//! node      = "(" [NAME] [":" NAME] [STRING | PARAM] [props] ")"
//! edge      = ("-[" | "<-[") [NAME] ( ":" NAME ["*" INT [".." INT]] [props]
//!                                   | [":"] "near" scope ) ("]->" | "]-")
//! props     = "{" NAME ":" expr {"," NAME ":" expr} "}"
//! scope     = "sentence" | "paragraph" | "article" | INT "words"
//! stage     = "where" expr | ("select"|"project"|"extend") named {"," named}
//!           | "summarize" [named {"," named}] ["by" named {"," named}]
//!           | ("sort"|"order") "by" key {"," key} | "top" COUNT "by" key ["per" expr {"," expr}]
//!           | ("take"|"limit") COUNT | "count" ["(" ")"] ["by" named {"," named}]
//!           | "distinct" [expr {"," expr}] | "join" ["left"|"anti"] (NAME | "(" query ")") "on" expr
//!           | "expand" expr ["as" NAME] | "render" ("bar"|"line"|"timeline") | "as" NAME
//! named     = [NAME "="] expr            key = expr ["asc" | "desc"]     COUNT = INT | PARAM
//! expr      = or: and {"or" and}; and: not {"and" not}; not: {"not"} cmp
//! cmp       = add [ ("=="|"!="|"<"|"<="|">"|">="|"~") add | ["not"] "in" add
//!                 | "between" add "and" add | "has" ["any"|"all"] add ["in" scope] ]
//! add       = mul {("+"|"-") mul}; mul = unary {("*"|"/") unary}; unary = {"-"} postfix
//! postfix   = primary {"." NAME}
//! primary   = literal | PARAM | KIND (STRING | PARAM) | NAME ["(" [expr {"," expr}] ")"]
//!           | "[" [expr {"," expr}] "]" | "(" expr ")"
//! literal   = STRING | r"RAW" | INT | FLOAT | @YYYY[-MM[-DD]] | INT("d"|"w"|"mo"|"y")
//!           | "true" | "false" | "null"
//! ```
//!
//! `#` starts a comment. A newline ends a statement unless it is inside
//! brackets, the line ends with a token that cannot end a statement (`|`,
//! `,`, `=`, an operator, or a keyword such as `and`, `by`, `where`), or the
//! next non-blank line starts with `|`.

#![deny(missing_docs)]

mod ast;
mod diagnostic;
mod display;
mod error;
mod keywords;
mod lexer;
mod parser;
mod span;

pub use crate::ast::*;
pub use crate::diagnostic::{Diagnostic, Severity, render, render_all};
pub use crate::error::{DateError, Expected, Found, Note, NumberError, ParseError, ParseErrorKind};
pub use crate::keywords::{
    ENTITY_KINDS, RENDER_KINDS, RESERVED_WORDS, SCOPE_WORDS, STAGE_KEYWORDS, STAGE_SYNONYMS,
    did_you_mean, edit_distance, is_reserved,
};
pub use crate::lexer::{Punct, Token, TokenKind};
pub use crate::parser::input::MAX_DEPTH;
pub use crate::span::Span;

use crate::lexer::lex;
use crate::parser::input::Ctx;

/// The result of [`parse`]: a tree (partial when there are errors), the
/// errors, and the synonyms that were normalised.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The statements. With errors, this is a partial tree with holes.
    pub script: Script,
    /// Every syntax error, ordered by position.
    pub errors: Vec<ParseError>,
    /// Synonyms replaced by their canonical form, for a REPL to echo.
    pub rewrites: Vec<Rewrite>,
}

impl Parsed {
    /// True when there are no errors.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The script if there are no errors, the errors otherwise.
    pub fn into_result(self) -> Result<Script, Vec<ParseError>> {
        if self.errors.is_empty() { Ok(self.script) } else { Err(self.errors) }
    }
}

/// A synonym that the parser replaced by its canonical spelling, such as
/// `limit` → `take`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rewrite {
    /// Where the synonym was written.
    pub span: Span,
    /// What was written (`"order by"`).
    pub from: &'static str,
    /// The canonical form (`"sort by"`).
    pub to: &'static str,
}

/// Parses a script: statements (`let` definitions, queries, REPL
/// dot-commands) separated by `;` or newlines.
///
/// Never panics and always returns a tree; check [`Parsed::errors`].
pub fn parse(src: &str) -> Parsed {
    let (tokens, mut errors) = lex(src);
    let tokens = tokens.into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    let ctx = Ctx::new(src, tokens);
    let script = parser::script(&ctx);
    errors.extend(ctx.errors.into_inner());
    if script.statements.is_empty() && errors.is_empty() {
        errors.push(ParseError {
            kind: ParseErrorKind::EmptyInput,
            span: Span::empty(src.len()),
            expected: vec![Expected::Source, Expected::Keyword("let")],
            found: Found::EndOfInput,
            hint: Some("write a query such as `articles | take 10`".to_owned()),
            note: None,
        });
    }
    errors.sort_by_key(|e| e.span.start);
    Parsed { script, errors, rewrites: ctx.rewrites.into_inner() }
}

/// Parses exactly one query (no `let`, no second statement).
pub fn parse_query(src: &str) -> Result<Query, Vec<ParseError>> {
    let Parsed { script, errors, .. } = parse(src);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut statements = script.statements.into_iter();
    match (statements.next(), statements.next()) {
        (Some(Statement::Query(query)), None) => Ok(query),
        (first, second) => {
            let offending = match (&first, &second) {
                (Some(Statement::Query(_)), Some(second)) => second.span(),
                (Some(first), _) => first.span(),
                (None, _) => Span::empty(src.len()),
            };
            let text = src.get(offending.range()).unwrap_or_default();
            let first_word = text.split_whitespace().next().unwrap_or_default();
            Err(vec![ParseError {
                kind: ParseErrorKind::Unexpected,
                span: offending,
                expected: vec![Expected::EndOfStatement],
                found: if is_reserved(first_word) {
                    Found::Keyword(first_word.to_owned())
                } else {
                    Found::Token(first_word.to_owned())
                },
                hint: Some("exactly one query is expected here".to_owned()),
                note: None,
            }])
        }
    }
}

/// Parses one expression, such as the value in `.param set who "Lukashenko"`.
pub fn parse_expr(src: &str) -> Result<Expr, Vec<ParseError>> {
    let (tokens, mut errors) = lex(src);
    let tokens = tokens
        .into_iter()
        .filter(|t| !matches!(t.kind, TokenKind::Comment | TokenKind::Newline))
        .collect();
    let ctx = Ctx::new(src, tokens);
    let value = parser::whole_expr(&ctx);
    errors.extend(ctx.errors.into_inner());
    errors.sort_by_key(|e| e.span.start);
    if errors.is_empty() { Ok(value) } else { Err(errors) }
}

/// The tokens of `src`, comments included, and the lexical errors.
///
/// Newline tokens appear only where a newline ends a statement. Meant for
/// syntax highlighting; use [`is_reserved`] to tell keywords from names.
pub fn tokenize(src: &str) -> (Vec<Token>, Vec<ParseError>) {
    lex(src)
}

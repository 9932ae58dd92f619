//! The syntax tree: plain value types, every node with a byte [`Span`].
//!
//! Equality ignores spans: two trees are equal when they say the same thing,
//! wherever it was written. Synonyms are already normalised here (`project` is
//! a [`StageKind::Select`]), and parentheses are not kept (the tree shape
//! carries the grouping; [`Display`](std::fmt::Display) re-inserts the
//! parentheses that precedence needs).
//!
//! Nodes that could not be parsed are kept as explicit holes
//! ([`ExprKind::Missing`], [`StageKind::Error`], [`SourceKind::Missing`],
//! [`EdgeKind::Missing`]) so that a partial tree is still useful; a tree with
//! holes always comes with at least one [`ParseError`](crate::ParseError).

use crate::Span;

/// Implements `PartialEq` comparing every field except `span`.
///
/// The destructuring is exhaustive, so adding a field to a node without
/// listing it here is a compile error rather than a silent equality bug.
macro_rules! eq_ignoring_span {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {
        $(
            impl PartialEq for $ty {
                fn eq(&self, other: &Self) -> bool {
                    let $ty { $($field,)* span: _ } = self;
                    $( *$field == other.$field && )* true
                }
            }
        )*
    };
}

eq_ignoring_span! {
    Ident { name }
    Script { statements }
    LetDef { name, params, body }
    Param { name, ty, default }
    MetaCommand { name, args }
    Query { source, stages }
    Source { kind }
    Pattern { start, steps }
    NodePattern { var, kind, entity, props }
    EdgePattern { direction, var, kind }
    Hops { min, max }
    Property { key, value }
    Scope { kind }
    EntityName { value }
    Stage { kind }
    NamedExpr { name, expr }
    SortKey { expr, order }
    Count { value }
    Expr { kind }
}

/// A name: a field, variable, source, label, function or alias.
///
/// `name` is the name itself, without backticks (`` `by` `` has the name `by`)
/// and, for parameters, without the `$`.
#[derive(Debug, Clone)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where the name was written (including backticks or `$`).
    pub span: Span,
}

impl Ident {
    /// Creates an identifier.
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Ident { name: name.into(), span }
    }
}

/// A whole input: statements separated by `;` or newlines.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// The statements in source order.
    pub statements: Vec<Statement>,
    /// The whole input.
    pub span: Span,
}

/// One statement of a [`Script`].
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `let name($p, ...) = query`.
    Let(LetDef),
    /// A pipeline.
    Query(Query),
    /// A REPL dot-command such as `.param set who "Lukashenko"`.
    Meta(MetaCommand),
}

impl Statement {
    /// The span of the statement.
    pub fn span(&self) -> Span {
        match self {
            Statement::Let(it) => it.span,
            Statement::Query(it) => it.span,
            Statement::Meta(it) => it.span,
        }
    }
}

/// `let name = query` or `let name($a, $b: type = default) = query`.
#[derive(Debug, Clone)]
pub struct LetDef {
    /// The bound name.
    pub name: Ident,
    /// `None` without parentheses; `Some(vec![])` for `let f() = ...`.
    pub params: Option<Vec<Param>>,
    /// The query the name stands for.
    pub body: Query,
    /// The whole definition.
    pub span: Span,
}

/// A parameter of a `let`: `$who`, `$n: int`, `$n: int = 10`.
#[derive(Debug, Clone)]
pub struct Param {
    /// The name without `$`.
    pub name: Ident,
    /// The declared type name, if any (not checked by the parser).
    pub ty: Option<Ident>,
    /// The default value, if any (the checker requires a literal).
    pub default: Option<Expr>,
    /// The whole parameter.
    pub span: Span,
}

/// A REPL dot-command, kept as raw text: `.mode table`.
///
/// Recognised only at the start of a statement; the rest of the line (up to a
/// `#` comment outside quotes) is the argument text.
#[derive(Debug, Clone)]
pub struct MetaCommand {
    /// The command name without the dot (`param`).
    pub name: String,
    /// The rest of the line, trimmed (`set who "Lukashenko"`).
    pub args: String,
    /// The whole command.
    pub span: Span,
}

/// A pipeline: `source | stage | stage ...`.
#[derive(Debug, Clone)]
pub struct Query {
    /// Where rows come from.
    pub source: Source,
    /// The stages in order.
    pub stages: Vec<Stage>,
    /// The whole pipeline.
    pub span: Span,
}

/// The first element of a pipeline.
#[derive(Debug, Clone)]
pub struct Source {
    /// What kind of source.
    pub kind: SourceKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of [`Source`].
#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// A source table, a `let` name or a call of a parameterised `let`:
    /// `articles`, `cooc("Viktor Orban")`.
    Named {
        /// The name.
        name: Ident,
        /// `None` without parentheses, `Some(args)` with them.
        args: Option<Vec<Expr>>,
    },
    /// `match pattern, pattern ...`.
    Match(Vec<Pattern>),
    /// `_`: the previous result in the REPL.
    Last,
    /// No source could be parsed (partial tree only).
    Missing,
}

/// One comma-separated pattern of a `match`: a chain of nodes joined by edges.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The first node.
    pub start: NodePattern,
    /// Each further edge and the node it leads to, left to right.
    pub steps: Vec<(EdgePattern, NodePattern)>,
    /// The whole chain.
    pub span: Span,
}

/// `(var:kind "entity name" {key: value})`; every part is optional.
#[derive(Debug, Clone)]
pub struct NodePattern {
    /// The variable bound to the node (`p` in `(p:person)`).
    pub var: Option<Ident>,
    /// The node kind (`person`); not checked by the parser.
    pub kind: Option<Ident>,
    /// An entity the node must be (`(:person "Lukashenko")`, `(:person $who)`).
    pub entity: Option<EntityName>,
    /// Property constraints; empty when there are none.
    pub props: Vec<Property>,
    /// From `(` to `)`.
    pub span: Span,
}

/// `-[var:label*1..2 {k: v}]->` or `-[var:near sentence]-`.
#[derive(Debug, Clone)]
pub struct EdgePattern {
    /// Which way the arrow points.
    pub direction: Direction,
    /// The variable bound to the edge or co-occurrence record.
    pub var: Option<Ident>,
    /// A stored relation or a text-scope co-occurrence.
    pub kind: EdgeKind,
    /// From the first `-` (or `<`) to the last `-` or `>`.
    pub span: Span,
}

/// Arrow direction of an [`EdgePattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `-[...]->`: from the left node to the right node.
    Right,
    /// `<-[...]-`: from the right node to the left node.
    Left,
    /// `-[...]-`: either way.
    Undirected,
    /// `<-[...]->`: accepted by the grammar, rejected by the checker.
    Both,
}

/// What an edge stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeKind {
    /// A stored edge (`mentions`, `said`, `role`, or an event type like `invite`).
    Relation {
        /// The edge label.
        label: Ident,
        /// Bounded repetition `*1..3`, if any.
        hops: Option<Hops>,
        /// Property constraints; empty when there are none.
        props: Vec<Property>,
    },
    /// Virtual co-occurrence edge: `near sentence`, `near 10 words`.
    Near(Scope),
    /// Nothing usable after `-[` (partial tree only).
    Missing,
}

/// `*min` or `*min..max` on an edge.
#[derive(Debug, Clone)]
pub struct Hops {
    /// Minimum number of hops.
    pub min: u32,
    /// Maximum number of hops; `None` means exactly `min`.
    pub max: Option<u32>,
    /// From `*` to the last number.
    pub span: Span,
}

/// `key: value` inside `{ }` on a node or an edge.
#[derive(Debug, Clone)]
pub struct Property {
    /// The property name.
    pub key: Ident,
    /// The required value.
    pub value: Expr,
    /// From the key to the end of the value.
    pub span: Span,
}

/// A text scope: `sentence`, `paragraph`, `article` or `N words`.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Which scope.
    pub kind: ScopeKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of [`Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// The same sentence.
    Sentence,
    /// The same paragraph.
    Paragraph,
    /// The same article.
    Article,
    /// Within this many words (`10 words`; `1 word` is also accepted).
    Words(u32),
}

/// The name part of an entity literal or node: `"Lukashenko"` or `$who`.
#[derive(Debug, Clone)]
pub struct EntityName {
    /// The literal name or the parameter.
    pub value: EntityNameValue,
    /// Where it was written.
    pub span: Span,
}

/// The value of an [`EntityName`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityNameValue {
    /// A string, resolved through aliases by the engine.
    String(String),
    /// A parameter name without `$`.
    Param(String),
}

/// One stage of a pipeline.
#[derive(Debug, Clone)]
pub struct Stage {
    /// What the stage does.
    pub kind: StageKind,
    /// From the stage keyword to the end of the stage (the `|` is not included).
    pub span: Span,
}

/// The kinds of [`Stage`], in canonical form (synonyms already normalised).
#[derive(Debug, Clone, PartialEq)]
pub enum StageKind {
    /// `where expr`.
    Where(Expr),
    /// `select named, ...` (also written `project`).
    Select(Vec<NamedExpr>),
    /// `extend named, ...`.
    Extend(Vec<NamedExpr>),
    /// `summarize aggs [by keys]`; a bare `count()` stage becomes
    /// `summarize count()`.
    Summarize {
        /// Aggregates; empty for `summarize by x` (distinct keys).
        aggregates: Vec<NamedExpr>,
        /// Group keys; empty without `by`.
        by: Vec<NamedExpr>,
    },
    /// `sort by key, ...` (also written `order by`). Default order: ascending.
    Sort(Vec<SortKey>),
    /// `top N by key [per expr, ...]`. Default order: descending.
    Top {
        /// How many rows (per group).
        count: Count,
        /// The ranking key.
        key: SortKey,
        /// Group expressions; empty without `per`.
        per: Vec<Expr>,
    },
    /// `take N` (also written `limit N`).
    Take(Count),
    /// `distinct` (whole rows) or `distinct expr, ...`.
    Distinct(Vec<Expr>),
    /// `join [left|anti] right on expr`.
    Join {
        /// Inner, left or anti.
        flavor: JoinFlavor,
        /// The right-hand side.
        right: JoinRight,
        /// The join condition.
        on: Expr,
    },
    /// `expand expr [as name]`: one row per list element.
    Expand {
        /// The list-valued expression.
        expr: Expr,
        /// The name of the element column.
        alias: Option<Ident>,
    },
    /// `render bar|line|timeline`.
    Render(RenderKind),
    /// `as name`: names an intermediate result.
    As(Ident),
    /// A stage that could not be parsed (partial tree only).
    Error,
}

/// `[name =] expr` in `select`, `extend` and `summarize`.
#[derive(Debug, Clone)]
pub struct NamedExpr {
    /// The output column name, if given.
    pub name: Option<Ident>,
    /// The value.
    pub expr: Expr,
    /// From the name (or the expression) to the end of the expression.
    pub span: Span,
}

/// `expr [asc|desc]` in `sort by` and `top`.
#[derive(Debug, Clone)]
pub struct SortKey {
    /// The key.
    pub expr: Expr,
    /// The order as written; `None` means the stage's default.
    pub order: Option<SortOrder>,
    /// From the expression to the order keyword.
    pub span: Span,
}

/// `asc` or `desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// A row count in `take` and `top`: an integer or a parameter.
#[derive(Debug, Clone)]
pub struct Count {
    /// The count.
    pub value: CountValue,
    /// Where it was written.
    pub span: Span,
}

/// The value of a [`Count`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CountValue {
    /// A literal count.
    Int(u64),
    /// A parameter name without `$`.
    Param(String),
}

/// The join flavours. Inner is the default; there is no hidden de-duplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinFlavor {
    /// Rows with a match on both sides.
    Inner,
    /// All left rows, right columns null when unmatched.
    Left,
    /// Left rows without a match.
    Anti,
}

/// The right-hand side of a `join`.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinRight {
    /// A source or `let` name.
    Named(Ident),
    /// A parenthesised pipeline.
    Query(Box<Query>),
}

/// The chart kinds of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenderKind {
    /// Horizontal bars.
    Bar,
    /// A line chart.
    Line,
    /// A timeline.
    Timeline,
}

/// An expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it was written, including any parentheses around it.
    pub span: Span,
}

impl Expr {
    /// Creates an expression node.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

/// The kinds of [`Expr`].
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// `$name`; the name is stored without `$`.
    Param(String),
    /// An entity literal: `person "Lukashenko"`, `place $where`.
    Entity {
        /// The entity kind (one of [`ENTITY_KINDS`](crate::ENTITY_KINDS)).
        kind: Ident,
        /// The name or parameter.
        name: EntityName,
    },
    /// A bare name: a field, a pattern variable or a `let` name.
    Name(String),
    /// `base.field`: field access, following references (`e.article.title`).
    Field {
        /// The expression whose field is read.
        base: Box<Expr>,
        /// The field name.
        field: Ident,
    },
    /// `func(args)`.
    Call {
        /// The function name.
        func: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `-x` or `not x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `lhs op rhs` for arithmetic, comparison, `~`, `and`, `or`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `expr in set` / `expr not in set` (lists, date intervals, ranges).
    In {
        /// The tested value.
        expr: Box<Expr>,
        /// True for `not in`.
        negated: bool,
        /// The list or interval.
        set: Box<Expr>,
    },
    /// `expr between low and high` (inclusive).
    Between {
        /// The tested value.
        expr: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
    },
    /// `text has [any|all] terms [in scope]`: whole-term text match.
    Has {
        /// The searched text.
        expr: Box<Expr>,
        /// One term, any of a list, or all of a list.
        mode: HasMode,
        /// The term or list of terms.
        terms: Box<Expr>,
        /// The scope the terms must share; `None` means article scope.
        scope: Option<Scope>,
    },
    /// An expression that could not be parsed (partial tree only).
    Missing,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `not x`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `~`: the left side matches the regular expression on the right.
    Matches,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// The operator as written in canonical source.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Matches => "~",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// The modes of [`ExprKind::Has`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HasMode {
    /// `has term`.
    One,
    /// `has any [terms]`.
    Any,
    /// `has all [terms]`.
    All,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `"text"` (escapes resolved) or, with `raw`, `r"text"` / `r#"text"#`.
    String {
        /// The string value.
        value: String,
        /// Written as a raw string; kept so printing keeps regexes readable.
        raw: bool,
    },
    /// An integer (at most `i64::MAX`; negative numbers are [`UnaryOp::Neg`]).
    Int(i64),
    /// A float such as `0.5` or `1e-3`.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `@2022`, `@2022-03`, `@2022-03-15`: a date interval.
    Date(DateLiteral),
    /// `7d`, `2w`, `1mo`, `1y`.
    Duration(DurationLiteral),
}

/// A partial calendar date, standing for the interval it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateLiteral {
    /// The year (four digits).
    pub year: u16,
    /// The month 1–12, if given.
    pub month: Option<u8>,
    /// The day of the month, if given (validated against the month).
    pub day: Option<u8>,
}

/// A calendar duration such as `1mo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DurationLiteral {
    /// How many units.
    pub amount: u64,
    /// Which unit.
    pub unit: DurationUnit,
}

/// Units of a [`DurationLiteral`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `d`.
    Day,
    /// `w`.
    Week,
    /// `mo`.
    Month,
    /// `y`.
    Year,
}

impl DurationUnit {
    /// The unit suffix as written.
    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Day => "d",
            DurationUnit::Week => "w",
            DurationUnit::Month => "mo",
            DurationUnit::Year => "y",
        }
    }
}

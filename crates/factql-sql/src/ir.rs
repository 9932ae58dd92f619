//! The relational plan a checked query is lowered to: one `SELECT` per pipeline stage over
//! the stage before (a CTE), with typed, dialect-neutral expressions. The crate's printer turns
//! it into a `sqlparser` AST for one dialect.

/// A scalar expression over the columns of a `SELECT`'s inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum SExpr {
    /// `rel.col`.
    Col(String, String),
    /// `NULL`.
    Null,
    /// A boolean literal.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal.
    Str(String),
    /// A date literal, `YYYY-MM-DD`.
    Date(String),
    /// A binary operator with SQL's meaning.
    Bin(SOp, Box<SExpr>, Box<SExpr>),
    /// Null-safe equality (`IS NOT DISTINCT FROM`), or inequality when `true`.
    NullSafeEq(Box<SExpr>, Box<SExpr>, bool),
    /// `NOT e`.
    Not(Box<SExpr>),
    /// `-e`.
    Neg(Box<SExpr>),
    /// `e IS NULL`, or `IS NOT NULL` when `true`.
    IsNull(Box<SExpr>, bool),
    /// `e IN (...)`, or `NOT IN` when `true`.
    InList(Box<SExpr>, Vec<SExpr>, bool),
    /// A regular-expression match (the pattern as the engine wrote it).
    Regex(Box<SExpr>, String),
    /// A scalar function.
    Func(SFunc, Vec<SExpr>),
    /// An aggregate.
    Agg(SAgg, Option<Box<SExpr>>),
    /// `CAST(e AS DOUBLE)`.
    CastDouble(Box<SExpr>),
    /// `CAST(e AS DATE)`.
    CastDate(Box<SExpr>),
    /// `CAST(e AS VARCHAR)` (`STRING` in Spark).
    CastText(Box<SExpr>),
    /// A scalar subquery: `(SELECT one value ...)`.
    Subquery(Box<Select>),
    /// `[NOT] EXISTS (SELECT 1 ...)`.
    Exists(Box<Select>, bool),
    /// `ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)`.
    RowNumber(Vec<SExpr>, Vec<Order>),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SOp {
    /// `=`.
    Eq,
    /// `<>`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    LtEq,
    /// `>`.
    Gt,
    /// `>=`.
    GtEq,
    /// `AND`.
    And,
    /// `OR`.
    Or,
    /// `+`.
    Plus,
    /// `-`.
    Minus,
    /// `*`.
    Mul,
    /// `/` (the lowering casts to a double first).
    Div,
    /// `||`: string concatenation, null when either side is.
    Concat,
}

/// Scalar functions, named per dialect by the emitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SFunc {
    /// `lower`.
    Lower,
    /// `upper`.
    Upper,
    /// Length in characters.
    Length,
    /// `coalesce`.
    Coalesce,
    /// `floor`.
    Floor,
    /// `NULLIF(a, b)`.
    NullIf,
    /// `EXTRACT(YEAR FROM d)`.
    Year,
    /// `EXTRACT(MONTH FROM d)`.
    Month,
    /// `date_trunc(unit, d)`: `week`, `month` or `year`.
    Trunc(&'static str),
    /// `substr(s, start, length)`, 1-based, in characters.
    Substr,
}

/// Aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SAgg {
    /// `COUNT(*)` without an argument, `COUNT(x)` with one.
    Count,
    /// `COUNT(DISTINCT x)`.
    CountDistinct,
    /// `SUM`.
    Sum,
    /// `AVG`.
    Avg,
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// Distinct values as an array (`array_agg(DISTINCT x)`, Spark `collect_set`).
    Set,
    /// Every non-null value as an array (`array_agg`, Spark `collect_list`).
    List,
}

/// One key of an `ORDER BY`; NULL placement is always explicit (engines differ, §6.1 of the
/// design).
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    /// The key.
    pub expr: SExpr,
    /// Descending.
    pub desc: bool,
    /// `NULLS FIRST` (else `NULLS LAST`).
    pub nulls_first: bool,
}

/// A `SELECT`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Select {
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// The projection.
    pub items: Vec<Item>,
    /// The first input, with its alias.
    pub from: Option<From>,
    /// Joined inputs.
    pub joins: Vec<Join>,
    /// `WHERE`.
    pub filter: Option<SExpr>,
    /// `GROUP BY`.
    pub group_by: Vec<SExpr>,
    /// `ORDER BY`.
    pub order_by: Vec<Order>,
    /// `LIMIT`.
    pub limit: Option<u64>,
    /// `UNION ALL` with these (same columns), for undirected edges.
    pub union_all: Vec<Select>,
}

/// A projected item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `rel.*`.
    Star(String),
    /// `expr AS name`.
    Expr(SExpr, String),
}

/// An input of a `SELECT` with its alias.
#[derive(Clone, Debug, PartialEq)]
pub struct From {
    /// What is read.
    pub source: Source,
    /// Its alias.
    pub alias: String,
}

/// What an input reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// An exported table or a CTE, by name.
    Named(String),
    /// A subquery.
    Sub(Box<Select>),
}

/// A join.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    /// `LEFT JOIN` (else `JOIN`).
    pub left: bool,
    /// The joined input.
    pub from: From,
    /// The condition.
    pub on: SExpr,
}

/// A whole query: named stages, then the final `SELECT`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SqlQuery {
    /// The CTEs, in order.
    pub ctes: Vec<(String, Select)>,
    /// The final `SELECT`.
    pub body: Select,
}

impl SExpr {
    /// `rel.col`.
    pub fn col(rel: &str, col: &str) -> SExpr {
        SExpr::Col(rel.to_owned(), col.to_owned())
    }

    /// `self op other`.
    pub fn bin(self, op: SOp, other: SExpr) -> SExpr {
        SExpr::Bin(op, Box::new(self), Box::new(other))
    }

    /// `self AND other`, dropping a `TRUE` side.
    pub fn and(self, other: SExpr) -> SExpr {
        match (self, other) {
            (SExpr::Bool(true), e) | (e, SExpr::Bool(true)) => e,
            (a, b) => a.bin(SOp::And, b),
        }
    }

    /// `self = other`.
    pub fn eq(self, other: SExpr) -> SExpr {
        self.bin(SOp::Eq, other)
    }
}

/// The conjunction of `parts` (`TRUE` when empty).
pub fn all(parts: Vec<SExpr>) -> SExpr {
    parts.into_iter().fold(SExpr::Bool(true), SExpr::and)
}

//! The logical plan: what the checker produces and the runners execute.
//!
//! Names are resolved to column positions and field keys, entity literals to entity sets,
//! regular expressions are compiled, and every stage knows its output columns, so execution
//! never looks anything up by name.
//!
//! The plan is public so that other back ends (the SQL compiler, `factql-sql`) lower exactly
//! what the checker accepted; it is not a stable interface and changes with the engine.

use std::fmt::{self, Write};
use std::sync::Arc;

use factql_syntax::{BinaryOp, Direction, RenderKind, ScopeKind, Span};
use regex::Regex;

use crate::catalog::{FieldKey, Table};
use crate::relation::{Column, Relation};
use crate::value::Val;

/// Scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `bin(x, size)`: the bucket of a date (a duration) or a number.
    Bin,
    /// `year(d)`.
    Year,
    /// `month(d)`.
    Month,
    /// `lower(s)`.
    Lower,
    /// `upper(s)`.
    Upper,
    /// `len(s or list)`, in characters or elements.
    Len,
    /// `coalesce(a, b, ...)`.
    Coalesce,
    /// `fold(s)`: lower case without diacritics.
    Fold,
}

/// Aggregate functions, valid only in `summarize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    /// `count()` (rows) or `count(x)` (non-null values).
    Count,
    /// `dcount(x)`: distinct non-null values, exact.
    Dcount,
    /// `sum(x)`.
    Sum,
    /// `avg(x)`.
    Avg,
    /// `min(x)`.
    Min,
    /// `max(x)`.
    Max,
    /// `set(x)`: distinct values as a list.
    Set,
    /// `list(x)`: every value as a list.
    List,
    /// `first(x)`: the value of the group's first row.
    First,
}

/// A checked expression.
#[derive(Clone, Debug)]
pub enum PExpr {
    /// The column at this position of the stage's input.
    Col(usize),
    /// A literal (entity literals are `Val::Ref` of the entity chosen).
    Lit(Val),
    /// A field of the row a reference points to.
    Field(Box<PExpr>, FieldKey),
    /// A field looked up by name on a reference whose table is known only at run time.
    DynField(Box<PExpr>, Arc<str>),
    /// A list literal.
    List(Vec<PExpr>),
    /// Arithmetic negation.
    Neg(Box<PExpr>),
    /// Logical negation.
    Not(Box<PExpr>),
    /// A binary operator.
    Bin(BinaryOp, Box<PExpr>, Box<PExpr>),
    /// `expr ~ regex`.
    Regex(Box<PExpr>, Arc<Regex>),
    /// `expr in set` (a list, or a date interval), or `not in`.
    In {
        /// The value tested.
        expr: Box<PExpr>,
        /// The list or interval.
        set: Box<PExpr>,
        /// `not in`.
        negated: bool,
    },
    /// `expr between low and high`, inclusive.
    Between {
        /// The value tested.
        expr: Box<PExpr>,
        /// Lower bound.
        low: Box<PExpr>,
        /// Upper bound.
        high: Box<PExpr>,
    },
    /// Whole-term, case- and diacritic-insensitive match of folded `terms`. With a scope, all
    /// the terms must occur in one sentence (or paragraph) of the article `container`.
    Has {
        /// The text searched.
        expr: Box<PExpr>,
        /// `has all` (else `has` or `has any`).
        all: bool,
        /// The folded terms.
        terms: Vec<String>,
        /// The scope and the article it applies to.
        scope: Option<(ScopeKind, Box<PExpr>)>,
    },
    /// A scalar function call.
    Call(Func, Vec<PExpr>),
    /// True when the article or sentence `container` mentions one of `entities`.
    Mentions {
        /// The article or sentence.
        container: Box<PExpr>,
        /// The entities (positions in the dataset).
        entities: Arc<[u32]>,
    },
}

/// An aggregate in `summarize`.
#[derive(Clone, Debug)]
pub struct Agg {
    /// The function.
    pub func: AggFunc,
    /// Its argument (`None` for `count()`).
    pub arg: Option<PExpr>,
}

/// What a pattern node may be.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Any row reachable by the edges.
    Any,
    /// An article.
    Article,
    /// A sentence.
    Sentence,
    /// An entity, of one kind or any.
    Entity(Option<Arc<str>>),
    /// A fact of one kind.
    Fact(u16),
    /// Occurrences of a term in the text.
    Term,
}

/// A node of a pattern.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    /// The binding column the node fills.
    pub col: usize,
    /// What the node may be.
    pub kind: NodeKind,
    /// Entity literal: the node must be one of these entities.
    pub entities: Option<Arc<[u32]>>,
    /// Term literal (folded).
    pub term: Option<String>,
    /// `{key: value}` constraints on the node's fields.
    pub props: Vec<(FieldKey, PExpr)>,
    /// Where the node is written.
    pub span: Span,
}

/// What an edge stands for.
#[derive(Clone, Debug)]
pub enum EdgeKindSpec {
    /// Article or sentence → entity.
    Mentions,
    /// Co-occurrence in a text scope.
    Near(ScopeKind),
    /// Facts of `kind`: from the entity in role `from` to the entity in role `to`, or to the
    /// fact itself when `to` is `None`; `type_filter` keeps facts whose field has the value.
    Fact {
        /// The fact kind.
        kind: u16,
        /// The role the edge leaves from.
        from: u16,
        /// The role it reaches, or `None` for the fact itself.
        to: Option<u16>,
        /// A declared field and the value it must hold (an event type).
        type_filter: Option<(u16, Arc<str>)>,
    },
}

/// An edge between two nodes of a pattern.
#[derive(Clone, Debug)]
pub struct EdgeSpec {
    /// The binding column of the edge's variable, if it has one.
    pub col: Option<usize>,
    /// `->`, `<-` or either way.
    pub direction: Direction,
    /// What the edge stands for.
    pub kind: EdgeKindSpec,
    /// `*min..max` repetition.
    pub hops: Option<(u32, u32)>,
    /// `{key: value}` constraints on the edge's fields.
    pub props: Vec<(FieldKey, PExpr)>,
    /// Where the edge is written.
    pub span: Span,
}

/// One chain of a `match`: `nodes[i] -edges[i]- nodes[i + 1]`.
#[derive(Clone, Debug)]
pub struct PatternPlan {
    /// The nodes, in order.
    pub nodes: Vec<NodeSpec>,
    /// The edges between consecutive nodes.
    pub edges: Vec<EdgeSpec>,
}

impl PatternPlan {
    /// The node a match of this chain starts from, given the binding columns earlier chains
    /// already bound: a bound node, else one pinned to entities, else a term, else any typed
    /// node, else the first. The edges after it are followed forward, the ones before it
    /// backward; the SQL back end lowers the same traversal, so both describe `near` records
    /// from the same side.
    pub fn start_node(&self, bound_cols: &[usize]) -> usize {
        let nodes = &self.nodes;
        nodes
            .iter()
            .position(|n| bound_cols.contains(&n.col))
            .or_else(|| nodes.iter().position(|n| n.entities.is_some()))
            .or_else(|| nodes.iter().position(|n| n.term.is_some()))
            .or_else(|| {
                nodes.iter().position(|n| !matches!(n.kind, NodeKind::Any | NodeKind::Term))
            })
            .unwrap_or(0)
    }
}

/// Where rows come from.
#[derive(Clone, Debug)]
pub enum SourcePlan {
    /// Every row of a table (entities possibly of one kind).
    /// `history`: `articles(all)`, superseded versions of changed articles included.
    Scan {
        /// The table.
        table: Table,
        /// For entity sources: only this kind.
        entity_kind: Option<Arc<str>>,
        /// Superseded versions too.
        history: bool,
    },
    /// Pattern matching; `width` binding columns, of which `output` are returned.
    Match {
        /// The comma-separated chains.
        patterns: Vec<PatternPlan>,
        /// How many binding columns.
        width: usize,
        /// The binding columns returned, in order.
        output: Vec<usize>,
    },
    /// Rows given by the caller (the REPL's `_`).
    Rows(Arc<Relation>),
}

/// A stage of the plan.
#[derive(Clone, Debug)]
pub enum Step {
    /// `where`.
    Where(PExpr),
    /// `select` (keep = false) and `extend` (keep = true).
    Project {
        /// The new columns.
        exprs: Vec<PExpr>,
        /// `extend`: the input columns stay in front.
        keep: bool,
    },
    /// `summarize aggs by keys`: the keys' columns, then the aggregates'.
    Summarize {
        /// The group keys.
        keys: Vec<PExpr>,
        /// The aggregates.
        aggs: Vec<Agg>,
    },
    /// `sort by`: each key with `true` for descending.
    Sort(Vec<(PExpr, bool)>),
    /// `top count by key [per ...]`.
    Top {
        /// How many rows (per group).
        count: usize,
        /// The sort key.
        key: PExpr,
        /// Descending.
        desc: bool,
        /// The groups.
        per: Vec<PExpr>,
    },
    /// `take N`.
    Take(usize),
    /// Distinct on the given expressions, or whole rows when empty.
    Distinct(Vec<PExpr>),
    /// `right_keep`: the right columns that go to the output (shared key columns are not
    /// repeated).
    Join {
        /// Inner, left or anti.
        flavor: factql_syntax::JoinFlavor,
        /// The right side.
        right: Box<Plan>,
        /// Keys over the left rows.
        left_keys: Vec<PExpr>,
        /// Keys over the right rows, pairwise equal to the left ones.
        right_keys: Vec<PExpr>,
        /// Right columns kept.
        right_keep: Vec<usize>,
    },
    /// One row per element of the list in `column`, which then holds the element.
    Expand {
        /// The list column.
        column: usize,
    },
    /// `render`: the rows are unchanged.
    Render(RenderKind),
}

/// A stage with what `explain` shows about it.
#[derive(Clone, Debug)]
pub struct PlannedStep {
    /// The stage.
    pub step: Step,
    /// Its name in `explain`.
    pub name: &'static str,
    /// What `explain` says of it.
    pub detail: String,
    /// Its output columns.
    pub columns: Vec<Column>,
    /// Where it is written.
    pub span: Span,
}

/// A checked, runnable query.
#[derive(Clone, Debug)]
pub struct Plan {
    pub(crate) source: SourcePlan,
    pub(crate) source_detail: String,
    pub(crate) source_columns: Vec<Column>,
    pub(crate) source_span: Span,
    pub(crate) index: &'static str,
    pub(crate) estimate: usize,
    pub(crate) steps: Vec<PlannedStep>,
}

impl Plan {
    /// Where the rows come from.
    pub fn source(&self) -> &SourcePlan {
        &self.source
    }

    /// The columns of the source's rows.
    pub fn source_columns(&self) -> &[Column] {
        &self.source_columns
    }

    /// Where the source is written.
    pub fn source_span(&self) -> Span {
        self.source_span
    }

    /// The stages, in order.
    pub fn steps(&self) -> &[PlannedStep] {
        &self.steps
    }

    /// The output columns.
    pub fn columns(&self) -> &[Column] {
        self.steps.last().map_or(&self.source_columns, |step| &step.columns)
    }

    /// The chart the query asks for with `render`, if any.
    pub fn render(&self) -> Option<RenderKind> {
        self.steps.iter().rev().find_map(|step| match step.step {
            Step::Render(kind) => Some(kind),
            _ => None,
        })
    }

    /// The plan as a table: stage, detail, output schema, index used and estimated rows.
    pub fn explain(&self) -> String {
        let schema = |columns: &[Column]| {
            let inner: Vec<String> =
                columns.iter().map(|c| format!("{}: {}", c.name, c.ty)).collect();
            format!("{{{}}}", inner.join(", "))
        };
        let mut rows = vec![(
            "source".to_owned(),
            self.source_detail.clone(),
            schema(&self.source_columns),
            format!("{} ({})", self.estimate, self.index),
        )];
        let mut estimate = self.estimate;
        for step in &self.steps {
            estimate = match &step.step {
                Step::Where(_) => estimate.div_ceil(2),
                Step::Summarize { keys, .. } if keys.is_empty() => 1,
                Step::Summarize { .. } | Step::Distinct(_) => estimate.div_ceil(4),
                Step::Top { count, per, .. } if per.is_empty() => estimate.min(*count),
                Step::Take(count) => estimate.min(*count),
                Step::Join { flavor: factql_syntax::JoinFlavor::Anti, .. } => estimate.div_ceil(2),
                _ => estimate,
            };
            rows.push((
                step.name.to_owned(),
                step.detail.clone(),
                schema(&step.columns),
                estimate.to_string(),
            ));
        }
        let width = |pick: fn(&(String, String, String, String)) -> &String| {
            rows.iter().map(|row| pick(row).chars().count()).max().unwrap_or(0)
        };
        let (w0, w1, w2) = (width(|r| &r.0), width(|r| &r.1), width(|r| &r.2));
        let mut out = String::new();
        let _ = writeln!(
            out,
            " #  {:w0$}  {:w1$}  {:w2$}  est. rows",
            "stage", "detail", "output schema"
        );
        for (idx, (stage, detail, schema, est)) in rows.iter().enumerate() {
            let _ = writeln!(out, "{idx:>2}  {stage:w0$}  {detail:w1$}  {schema:w2$}  {est}");
        }
        out
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explain())
    }
}

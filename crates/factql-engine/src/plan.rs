//! The logical plan: what the checker produces and the runners execute.
//!
//! Names are resolved to column positions and field keys, entity literals to entity sets,
//! regular expressions are compiled, and every stage knows its output columns, so execution
//! never looks anything up by name.

use std::fmt::{self, Write};
use std::sync::Arc;

use factql_syntax::{BinaryOp, Direction, RenderKind, ScopeKind, Span};
use regex::Regex;

use crate::catalog::{FieldKey, Table};
use crate::relation::{Column, Relation};
use crate::value::Val;

/// Scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    Bin,
    Year,
    Month,
    Lower,
    Upper,
    Len,
    Coalesce,
    Fold,
}

/// Aggregate functions, valid only in `summarize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AggFunc {
    Count,
    Dcount,
    Sum,
    Avg,
    Min,
    Max,
    Set,
    List,
    First,
}

/// A checked expression.
#[derive(Clone, Debug)]
pub(crate) enum PExpr {
    Col(usize),
    Lit(Val),
    Field(Box<PExpr>, FieldKey),
    /// A field looked up by name on a reference whose table is known only at run time.
    DynField(Box<PExpr>, Arc<str>),
    List(Vec<PExpr>),
    Neg(Box<PExpr>),
    Not(Box<PExpr>),
    Bin(BinaryOp, Box<PExpr>, Box<PExpr>),
    Regex(Box<PExpr>, Arc<Regex>),
    In {
        expr: Box<PExpr>,
        set: Box<PExpr>,
        negated: bool,
    },
    Between {
        expr: Box<PExpr>,
        low: Box<PExpr>,
        high: Box<PExpr>,
    },
    /// Whole-term, case- and diacritic-insensitive match of folded `terms`. With a scope, all
    /// the terms must occur in one sentence (or paragraph) of the article `container`.
    Has {
        expr: Box<PExpr>,
        all: bool,
        terms: Vec<String>,
        scope: Option<(ScopeKind, Box<PExpr>)>,
    },
    Call(Func, Vec<PExpr>),
    /// True when the article or sentence `container` mentions one of `entities`.
    Mentions {
        container: Box<PExpr>,
        entities: Arc<[u32]>,
    },
}

/// An aggregate in `summarize`.
#[derive(Clone, Debug)]
pub(crate) struct Agg {
    pub func: AggFunc,
    pub arg: Option<PExpr>,
}

/// What a pattern node may be.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NodeKind {
    /// Any row reachable by the edges.
    Any,
    Article,
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
pub(crate) struct NodeSpec {
    pub col: usize,
    pub kind: NodeKind,
    /// Entity literal: the node must be one of these entities.
    pub entities: Option<Arc<[u32]>>,
    /// Term literal (folded).
    pub term: Option<String>,
    /// `{key: value}` constraints on the node's fields.
    pub props: Vec<(FieldKey, PExpr)>,
    pub span: Span,
}

/// What an edge stands for.
#[derive(Clone, Debug)]
pub(crate) enum EdgeKindSpec {
    /// Article or sentence → entity.
    Mentions,
    /// Co-occurrence in a text scope.
    Near(ScopeKind),
    /// Facts of `kind`: from the entity in role `from` to the entity in role `to`, or to the
    /// fact itself when `to` is `None`; `type_filter` keeps facts whose field has the value.
    Fact { kind: u16, from: u16, to: Option<u16>, type_filter: Option<(u16, Arc<str>)> },
}

/// An edge between two nodes of a pattern.
#[derive(Clone, Debug)]
pub(crate) struct EdgeSpec {
    pub col: Option<usize>,
    pub direction: Direction,
    pub kind: EdgeKindSpec,
    pub hops: Option<(u32, u32)>,
    pub props: Vec<(FieldKey, PExpr)>,
    pub span: Span,
}

/// One chain of a `match`: `nodes[i] -edges[i]- nodes[i + 1]`.
#[derive(Clone, Debug)]
pub(crate) struct PatternPlan {
    pub nodes: Vec<NodeSpec>,
    pub edges: Vec<EdgeSpec>,
}

/// Where rows come from.
#[derive(Clone, Debug)]
pub(crate) enum SourcePlan {
    /// Every row of a table (entities possibly of one kind).
    /// `history`: `articles(all)`, superseded versions of changed articles included.
    Scan { table: Table, entity_kind: Option<Arc<str>>, history: bool },
    /// Pattern matching; `width` binding columns, of which `output` are returned.
    Match { patterns: Vec<PatternPlan>, width: usize, output: Vec<usize> },
    /// Rows given by the caller (the REPL's `_`).
    Rows(Arc<Relation>),
}

/// A stage of the plan.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Where(PExpr),
    /// `select` (keep = false) and `extend` (keep = true).
    Project {
        exprs: Vec<PExpr>,
        keep: bool,
    },
    Summarize {
        keys: Vec<PExpr>,
        aggs: Vec<Agg>,
    },
    Sort(Vec<(PExpr, bool)>),
    Top {
        count: usize,
        key: PExpr,
        desc: bool,
        per: Vec<PExpr>,
    },
    Take(usize),
    /// Distinct on the given expressions, or whole rows when empty.
    Distinct(Vec<PExpr>),
    /// `right_keep`: the right columns that go to the output (shared key columns are not
    /// repeated).
    Join {
        flavor: factql_syntax::JoinFlavor,
        right: Box<Plan>,
        left_keys: Vec<PExpr>,
        right_keys: Vec<PExpr>,
        right_keep: Vec<usize>,
    },
    /// One row per element of the list in `column`, which then holds the element.
    Expand {
        column: usize,
    },
    Render(RenderKind),
}

/// A stage with what `explain` shows about it.
#[derive(Clone, Debug)]
pub(crate) struct PlannedStep {
    pub step: Step,
    pub name: &'static str,
    pub detail: String,
    pub columns: Vec<Column>,
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

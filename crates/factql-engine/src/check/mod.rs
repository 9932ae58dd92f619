//! The checker: resolves names against the catalog, types every expression, resolves entity
//! literals through aliases, and builds the [`Plan`]. It reports every error of a query in one
//! pass; a query with errors gets no plan.
//!
//! One file per concern: [`sources`], [`entities`], [`patterns`], [`stages`] and [`exprs`] add
//! their methods to the [`Checker`] defined here (with its scope, context and reporting).
//! They import from this module only, never from each other, and this module imports nothing
//! from them; their methods call one another through `self`.

mod entities;
mod exprs;
mod patterns;
mod sources;
mod stages;

use std::collections::HashMap;
use std::sync::Arc;

use factql_syntax::{LetDef, Query, Span, StageKind, did_you_mean};

use crate::catalog::{self, Table};
use crate::dataset::Dataset;
use crate::error::{Diagnostic, Severity};
use crate::hints::Producer;
use crate::plan::{PExpr, Plan, PlannedStep, Step};
use crate::relation::{Column, Relation};
use crate::value::Val;

/// The scalar functions, sorted.
pub const SCALAR_FUNCS: &[&str] =
    &["bin", "coalesce", "fold", "len", "lower", "mentions", "month", "upper", "year"];

/// The aggregate functions (valid only in `summarize`), sorted.
pub const AGG_FUNCS: &[&str] =
    &["avg", "count", "dcount", "first", "list", "max", "min", "set", "sum"];

/// What a query may refer to besides the store: parameters, `let` definitions, the last
/// result.
#[derive(Clone, Default)]
pub struct Context {
    /// `$name` values.
    pub params: HashMap<String, Val>,
    /// `let` definitions by name, from earlier statements.
    pub lets: HashMap<String, LetDef>,
    /// The previous result, for `_`.
    pub last: Option<Arc<Relation>>,
    /// The plugins that could fill the store's sources, so an empty or unknown source can
    /// name what would fill it.
    pub producers: Vec<Producer>,
}

/// The names in scope at one point of a pipeline.
#[derive(Clone)]
struct Scope {
    columns: Vec<Column>,
    /// Bare names are fields of the row in column 0 (a source before any `select`).
    implicit: Option<Table>,
}

pub(crate) struct Checker<'a> {
    ds: &'a Dataset,
    ctx: &'a Context,
    pub diags: Vec<Diagnostic>,
    /// Extra parameters bound while expanding a parameterised `let`.
    bound: Vec<HashMap<String, Val>>,
    let_depth: usize,
    /// Results named with `as` earlier in the query.
    named: HashMap<String, Plan>,
    /// The table of each field read checked so far, by the span of its expression, so a
    /// comparison of the field with a literal can be checked against the data.
    field_tables: HashMap<(usize, usize), Table>,
    /// While a `let` body is checked: where the outermost `let` name was used, and the name.
    /// Its body's spans point into the text that defined it, which may be another entry.
    let_site: Option<(Span, String)>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(ds: &'a Dataset, ctx: &'a Context) -> Checker<'a> {
        Checker {
            ds,
            ctx,
            diags: Vec::new(),
            bound: Vec::new(),
            let_depth: 0,
            named: HashMap::new(),
            field_tables: HashMap::new(),
            let_site: None,
        }
    }

    fn error(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            code,
            message,
            span,
            label: label.to_owned(),
            help,
            notes: Vec::new(),
        });
    }

    fn warn(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            code,
            message,
            span,
            label: label.to_owned(),
            help,
            notes: Vec::new(),
        });
    }

    fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }

    /// Checks a query; `None` when it has errors (they are in `diags`).
    pub(crate) fn check_query(&mut self, query: &Query) -> Option<Plan> {
        let before = self.diags.iter().filter(|d| d.severity == Severity::Error).count();
        let plan = self.plan_query(query);
        let after = self.diags.iter().filter(|d| d.severity == Severity::Error).count();
        if after > before || self.has_errors() { None } else { plan }
    }

    /// The columns and implicit table of the rows entering stage `stage` of `query` (the
    /// source's when 0), from checking the source and the stages before it.
    pub(crate) fn scope_before(
        &mut self,
        query: &Query,
        stage: usize,
    ) -> Option<(Vec<Column>, Option<Table>)> {
        let (mut plan, mut scope) = self.plan_source(query)?;
        for stage in query.stages.iter().take(stage) {
            self.plan_stage(stage, &mut plan, &mut scope);
        }
        Some((scope.columns, scope.implicit))
    }

    fn plan_query(&mut self, query: &Query) -> Option<Plan> {
        if let Some((last, stages)) = query.stages.split_last() {
            for stage in stages {
                if matches!(stage.kind, StageKind::Render(_))
                    && !matches!(last.kind, StageKind::Render(_))
                {
                    self.error(
                        "E0413",
                        stage.span,
                        "`render` must be the last stage".into(),
                        "not last",
                        Some("move it to the end of the query".into()),
                    );
                }
            }
        }
        let (mut plan, mut scope) = self.plan_source(query)?;
        for stage in &query.stages {
            self.plan_stage(stage, &mut plan, &mut scope);
        }
        self.finish(&mut plan, &scope, query.span);
        Some(plan)
    }

    /// A source still in implicit form at the end shows its rows' default fields.
    fn finish(&mut self, plan: &mut Plan, scope: &Scope, span: Span) {
        let Some(table) = scope.implicit else { return };
        let (exprs, columns) = self.default_columns(table, scope);
        plan.steps.push(PlannedStep {
            step: Step::Project { exprs, keep: false },
            name: "select",
            detail: "(default columns)".into(),
            columns,
            span,
        });
    }

    /// The default display fields of a table's rows, plus any extended columns.
    fn default_columns(&self, table: Table, scope: &Scope) -> (Vec<PExpr>, Vec<Column>) {
        let fields = catalog::fields(self.ds, table);
        let wanted: Vec<&str> = match table {
            Table::Article => vec!["id", "published", "source", "title"],
            Table::Sentence => vec!["article", "index", "text"],
            Table::Mention => vec!["kind", "name", "article", "sentence", "start", "end"],
            Table::Entity => vec!["id", "kind", "name", "mentions"],
            Table::Fact(_) => fields
                .iter()
                .filter(|f| {
                    !matches!(f.name.as_str(), "id" | "start" | "end" | "extractor" | "confidence")
                })
                .map(|f| f.name.as_str())
                .collect(),
        };
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for name in wanted {
            if let Some(field) = fields.iter().find(|f| f.name == name) {
                exprs.push(PExpr::Field(Box::new(PExpr::Col(0)), field.key));
                columns.push(Column { name: field.name.clone(), ty: field.ty.clone() });
            }
        }
        for (idx, column) in scope.columns.iter().enumerate().skip(1) {
            exprs.push(PExpr::Col(idx));
            columns.push(column.clone());
        }
        (exprs, columns)
    }

    /// Records a diagnostic of [`hints`]; one found in a `let` body is placed where the
    /// `let` is used, since the body may come from another entry.
    fn push_hint(&mut self, mut diagnostic: Diagnostic) {
        if let Some((site, name)) = &self.let_site {
            diagnostic.span = *site;
            diagnostic.message = format!("{} (in `{name}`)", diagnostic.message);
        }
        self.diags.push(diagnostic);
    }

    fn param(&mut self, name: &str, span: Span) -> Option<Val> {
        for frame in self.bound.iter().rev() {
            if let Some(value) = frame.get(name) {
                return Some(value.clone());
            }
        }
        if let Some(value) = self.ctx.params.get(name) {
            return Some(value.clone());
        }
        self.error(
            "E0205",
            span,
            format!("parameter `${name}` has no value"),
            "not set",
            Some(format!(
                "set it with `--param {name}=VALUE` (or `.param set {name} VALUE` in the REPL)"
            )),
        );
        None
    }
}

/// "did you mean `x`?" for the candidate closest to `word`, else the list of what there is.
fn suggest(word: &str, candidates: &[&str], what: &str, listed: &[&str]) -> Option<String> {
    did_you_mean(word, candidates)
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| Some(format!("{what}: {}", listed.join(", "))))
}

//! Sources: a named source (`articles`, `people`, a fact kind), the last result `_`, a result
//! named with `as`, and `let` names with their arguments.

use std::collections::HashMap;

use factql_syntax::{Expr, Ident, LetDef, Query, SourceKind, Span, did_you_mean};

use crate::catalog::{self, Table, Ty};
use crate::hints;
use crate::plan::{PExpr, Plan, SourcePlan};
use crate::relation::Column;
use crate::value::Val;

use super::{Checker, Scope};

/// How deep `let` names may expand into each other.
const MAX_LET_DEPTH: usize = 16;

impl Checker<'_> {
    pub(super) fn plan_source(&mut self, query: &Query) -> Option<(Plan, Scope)> {
        let span = query.source.span;
        match &query.source.kind {
            SourceKind::Missing => None,
            SourceKind::Last => match &self.ctx.last {
                Some(rows) => {
                    let columns = rows.columns.clone();
                    let plan = Plan {
                        source: SourcePlan::Rows(rows.clone()),
                        source_detail: "_ (previous result)".into(),
                        source_columns: columns.clone(),
                        source_span: span,
                        index: "none",
                        estimate: rows.rows.len(),
                        steps: Vec::new(),
                    };
                    Some((plan, Scope { columns, implicit: None }))
                }
                None => {
                    self.error(
                        "E0210",
                        span,
                        "there is no previous result for `_`".into(),
                        "nothing to refer to",
                        Some("run a query first".into()),
                    );
                    None
                }
            },
            SourceKind::Named { name, args } => self.plan_named_source(name, args.as_deref(), span),
            SourceKind::Match(patterns) => self.plan_match(patterns, span),
        }
    }

    pub(super) fn plan_named_source(
        &mut self,
        name: &Ident,
        args: Option<&[Expr]>,
        span: Span,
    ) -> Option<(Plan, Scope)> {
        if let Some(def) = self.ctx.lets.get(&name.name).cloned() {
            return self.expand_let(&def, name, args, span);
        }
        if let Some(plan) = self.named.get(&name.name).cloned() {
            let columns = plan.columns().to_vec();
            return Some((plan, Scope { columns, implicit: None }));
        }
        let sources = catalog::sources(self.ds);
        let Some(source) = sources.iter().find(|s| s.name == name.name) else {
            let mut names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
            names.extend(self.ctx.lets.keys().map(String::as_str));
            let help = hints::unknown_source_help(&self.ctx.producers, &name.name).or_else(|| {
                match did_you_mean(&name.name, &names) {
                    Some(close) => Some(format!("did you mean `{close}`?")),
                    None => Some(hints::no_such_kind_help(&self.ctx.producers, &name.name, &names)),
                }
            });
            self.error(
                "E0201",
                name.span,
                format!("unknown source `{}`", name.name),
                "no such source",
                help,
            );
            return None;
        };
        // `articles(all)`: superseded versions too (the only argument a source takes).
        let history = crate::history::is_all(source.table, args);
        if let Some(args) = args.filter(|_| !history) {
            let span = args.first().map_or(name.span, |a| a.span);
            let help = (source.table == Table::Article)
                .then(|| "`articles(all)` also shows superseded versions".to_owned());
            self.error(
                "E0211",
                span,
                format!("`{}` is a source and takes no arguments", name.name),
                "unexpected arguments",
                help,
            );
        }
        if let Some(warning) = hints::empty_source(self.ds, &self.ctx.producers, source, name.span)
        {
            self.push_hint(warning);
        }
        let table = source.table;
        let estimate = match table {
            Table::Article => crate::history::article_rows(self.ds, history),
            Table::Sentence => self.ds.sentences.len(),
            Table::Mention => self.ds.mentions.len(),
            Table::Entity => self.ds.entities.len(),
            Table::Fact(kind) => self.ds.kinds.get(kind as usize).map_or(0, |t| t.len()),
        };
        let columns = vec![Column { name: source.name.clone(), ty: Ty::Ref(Some(table)) }];
        let plan = Plan {
            source: SourcePlan::Scan {
                table,
                entity_kind: source.entity_kind.map(|k| self.ds.shared_kind(k)),
                history,
            },
            source_detail: format!("scan {}{}", source.name, if history { "(all)" } else { "" }),
            source_columns: columns.clone(),
            source_span: span,
            index: if matches!(table, Table::Fact(_)) { "kind → facts" } else { "none" },
            estimate,
            steps: Vec::new(),
        };
        Some((plan, Scope { columns, implicit: Some(table) }))
    }

    fn expand_let(
        &mut self,
        def: &LetDef,
        name: &Ident,
        args: Option<&[Expr]>,
        span: Span,
    ) -> Option<(Plan, Scope)> {
        if self.let_depth >= MAX_LET_DEPTH {
            self.error(
                "E0212",
                name.span,
                format!("`{}` expands into itself", name.name),
                "recursive definition",
                None,
            );
            return None;
        }
        let params = def.params.as_deref().unwrap_or(&[]);
        let args = args.unwrap_or(&[]);
        let mut bound = HashMap::new();
        for (idx, param) in params.iter().enumerate() {
            let value = match args.get(idx) {
                Some(arg) => self.constant(arg),
                None => match &param.default {
                    Some(default) => self.constant(default),
                    None => {
                        self.error(
                            "E0213",
                            span,
                            format!("`{}` needs a value for `${}`", name.name, param.name.name),
                            "missing argument",
                            Some(format!(
                                "call it as {}(...) with {} argument(s)",
                                name.name,
                                params.len()
                            )),
                        );
                        None
                    }
                },
            };
            if let Some(value) = value {
                bound.insert(param.name.name.clone(), value);
            }
        }
        if args.len() > params.len() {
            self.error(
                "E0213",
                args[params.len()].span,
                format!("`{}` takes {} argument(s), got {}", name.name, params.len(), args.len()),
                "extra argument",
                None,
            );
        }
        self.bound.push(bound);
        self.let_depth += 1;
        let outermost = self.let_site.is_none();
        if outermost {
            self.let_site = Some((name.span, name.name.clone()));
        }
        let result = self.plan_source(&def.body).map(|(mut plan, mut scope)| {
            for stage in &def.body.stages {
                self.plan_stage(stage, &mut plan, &mut scope);
            }
            (plan, scope)
        });
        self.let_depth -= 1;
        self.bound.pop();
        if outermost {
            self.let_site = None;
        }
        result
    }

    /// The value of a constant argument: a literal or a parameter.
    fn constant(&mut self, expr: &Expr) -> Option<Val> {
        let empty = Scope { columns: Vec::new(), implicit: None };
        match self.expr(expr, &empty, false) {
            (PExpr::Lit(value), _) => Some(value),
            (PExpr::Neg(inner), _) => match *inner {
                PExpr::Lit(Val::Int(n)) => Some(Val::Int(-n)),
                PExpr::Lit(Val::Float(x)) => Some(Val::Float(-x)),
                _ => None,
            },
            _ => {
                self.error(
                    "E0214",
                    expr.span,
                    "an argument must be a constant".into(),
                    "not a constant",
                    None,
                );
                None
            }
        }
    }
}

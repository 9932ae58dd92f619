//! The stages of a pipeline, each checked against the columns before it and giving the
//! columns after it. A new stage is a new arm here and in the runner's `exec/stages.rs`.

use factql_syntax::{
    BinaryOp, CountValue, Expr, ExprKind, JoinRight, NamedExpr, SortOrder, Span, StageKind,
};

use crate::catalog::Ty;
use crate::hints;
use crate::plan::{Agg, AggFunc, PExpr, Plan, PlannedStep, Step};
use crate::relation::Column;
use crate::value::Val;

use super::{AGG_FUNCS, Checker, Scope, suggest};

impl Checker<'_> {
    pub(super) fn plan_stage(
        &mut self,
        stage: &factql_syntax::Stage,
        plan: &mut Plan,
        scope: &mut Scope,
    ) {
        let span = stage.span;
        let push = |plan: &mut Plan,
                    step: Step,
                    name: &'static str,
                    detail: String,
                    columns: Vec<Column>| {
            plan.steps.push(PlannedStep { step, name, detail, columns, span });
        };
        match &stage.kind {
            StageKind::Error => {
                // Downstream stages are still checked against what is known.
            }
            StageKind::Where(expr) => {
                let (pexpr, ty) = self.expr(expr, scope, false);
                if !matches!(ty, Ty::Bool | Ty::Any) {
                    self.error(
                        "E0402",
                        expr.span,
                        format!("`where` needs a condition, got {ty}"),
                        "not a bool",
                        Some("compare it, e.g. `x == ...`".into()),
                    );
                }
                push(plan, Step::Where(pexpr), "where", expr.to_string(), scope.columns.clone());
            }
            StageKind::Select(items) | StageKind::Extend(items) => {
                let keep = matches!(stage.kind, StageKind::Extend(_));
                let mut exprs = Vec::new();
                let mut columns = if keep { scope.columns.clone() } else { Vec::new() };
                if keep && let Some(table) = scope.implicit {
                    // Extending a source keeps its row column and adds to it.
                    let _ = table;
                }
                for item in items {
                    let (pexpr, ty) = self.expr(&item.expr, scope, false);
                    let Some(name) = self.column_name(item) else { continue };
                    if columns.iter().any(|c| c.name == name) {
                        self.error(
                            "E0215",
                            item.span,
                            format!("column `{name}` appears twice"),
                            "duplicate name",
                            Some(format!("name it: `other_{name} = {}`", item.expr)),
                        );
                        continue;
                    }
                    exprs.push(pexpr);
                    columns.push(Column { name, ty });
                }
                let detail = items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                let name = if keep { "extend" } else { "select" };
                push(plan, Step::Project { exprs, keep }, name, detail, columns.clone());
                scope.columns = columns;
                if !keep {
                    scope.implicit = None;
                }
            }
            StageKind::Summarize { aggregates, by } => {
                let mut keys = Vec::new();
                let mut columns = Vec::new();
                for item in by {
                    let (pexpr, ty) = self.expr(&item.expr, scope, false);
                    if let Some(name) = self.column_name(item) {
                        if columns.iter().any(|c: &Column| c.name == name) {
                            self.error(
                                "E0215",
                                item.span,
                                format!("column `{name}` appears twice"),
                                "duplicate name",
                                None,
                            );
                        }
                        columns.push(Column { name, ty });
                    }
                    keys.push(pexpr);
                }
                let mut aggs = Vec::new();
                for item in aggregates {
                    let Some((agg, ty)) = self.aggregate(&item.expr, scope) else { continue };
                    let name = match &item.name {
                        Some(name) => name.name.clone(),
                        None => agg_default_name(&item.expr),
                    };
                    if columns.iter().any(|c| c.name == name) {
                        self.error(
                            "E0215",
                            item.span,
                            format!("column `{name}` appears twice"),
                            "duplicate name",
                            Some(format!("name it: `n_{name} = {}`", item.expr)),
                        );
                        continue;
                    }
                    columns.push(Column { name, ty });
                    aggs.push(agg);
                }
                let detail = format!(
                    "{}{}{}",
                    aggregates.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                    if by.is_empty() { "" } else { " by " },
                    by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                );
                push(plan, Step::Summarize { keys, aggs }, "summarize", detail, columns.clone());
                *scope = Scope { columns, implicit: None };
            }
            StageKind::Sort(keys) => {
                let mut out = Vec::new();
                for key in keys {
                    let (pexpr, _) = self.expr(&key.expr, scope, false);
                    out.push((pexpr, key.order == Some(SortOrder::Desc)));
                }
                let detail = keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                push(plan, Step::Sort(out), "sort", detail, scope.columns.clone());
            }
            StageKind::Top { count, key, per } => {
                let n = self.count(count);
                let (pexpr, _) = self.expr(&key.expr, scope, false);
                let per_exprs: Vec<PExpr> =
                    per.iter().map(|e| self.expr(e, scope, false).0).collect();
                let desc = key.order != Some(SortOrder::Asc);
                let detail = format!(
                    "{} by {}{}",
                    n,
                    key,
                    if per.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " per {}",
                            per.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                        )
                    }
                );
                push(
                    plan,
                    Step::Top { count: n, key: pexpr, desc, per: per_exprs },
                    "top",
                    detail,
                    scope.columns.clone(),
                );
            }
            StageKind::Take(count) => {
                let n = self.count(count);
                push(plan, Step::Take(n), "take", n.to_string(), scope.columns.clone());
            }
            StageKind::Distinct(exprs) => {
                if exprs.is_empty() {
                    self.materialize(plan, scope, span);
                    push(
                        plan,
                        Step::Distinct(Vec::new()),
                        "distinct",
                        "whole rows".into(),
                        scope.columns.clone(),
                    );
                } else {
                    let mut out = Vec::new();
                    let mut columns = Vec::new();
                    for expr in exprs {
                        let (pexpr, ty) = self.expr(expr, scope, false);
                        let item = NamedExpr { name: None, expr: expr.clone(), span: expr.span };
                        if let Some(name) = self.column_name(&item) {
                            columns.push(Column { name, ty });
                        }
                        out.push(pexpr);
                    }
                    let detail =
                        exprs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                    push(plan, Step::Distinct(out), "distinct", detail, columns.clone());
                    *scope = Scope { columns, implicit: None };
                }
            }
            StageKind::Join { flavor, right, on } => {
                self.plan_join(*flavor, right, on, plan, scope, span)
            }
            StageKind::Expand { expr, alias } => {
                let (pexpr, ty) = self.expr(expr, scope, false);
                let element = match ty {
                    Ty::List(element) => *element,
                    Ty::Any => Ty::Any,
                    other => {
                        self.error(
                            "E0407",
                            expr.span,
                            format!("`expand` needs a list, got {other}"),
                            "not a list",
                            None,
                        );
                        Ty::Any
                    }
                };
                let name = alias.as_ref().map(|a| a.name.clone()).or_else(|| match &expr.kind {
                    ExprKind::Name(name) => Some(name.clone()),
                    ExprKind::Field { field, .. } => Some(field.name.clone()),
                    _ => None,
                });
                let Some(name) = name else {
                    self.error(
                        "E0216",
                        expr.span,
                        "name the expanded column".into(),
                        "no name",
                        Some(format!("expand {expr} as item")),
                    );
                    return;
                };
                // The list becomes a column first (so a source row's field can be expanded),
                // then that column is replaced by one element per row.
                let existing = scope
                    .columns
                    .iter()
                    .position(|c| c.name == name)
                    .filter(|&idx| scope.implicit.is_none() || idx > 0);
                if existing.is_none() {
                    let mut columns = scope.columns.clone();
                    columns.push(Column {
                        name: name.clone(),
                        ty: Ty::List(Box::new(element.clone())),
                    });
                    push(
                        plan,
                        Step::Project { exprs: vec![pexpr], keep: true },
                        "extend",
                        format!("{name} = {expr}"),
                        columns.clone(),
                    );
                    scope.columns = columns;
                }
                self.materialize(plan, scope, span);
                let Some(column) = scope.columns.iter().position(|c| c.name == name) else {
                    return;
                };
                let mut columns = scope.columns.clone();
                columns[column].ty = element;
                push(plan, Step::Expand { column }, "expand", expr.to_string(), columns.clone());
                scope.columns = columns;
            }
            StageKind::Render(kind) => {
                push(
                    plan,
                    Step::Render(*kind),
                    "render",
                    format!("{kind:?}").to_lowercase(),
                    scope.columns.clone(),
                );
            }
            StageKind::As(name) => {
                let mut named = plan.clone();
                self.finish(&mut named, scope, span);
                self.named.insert(name.name.clone(), named);
            }
        }
    }

    /// Turns an implicit source row into its default columns, so stages that work on whole
    /// rows (distinct, joins, expand) see named columns.
    fn materialize(&mut self, plan: &mut Plan, scope: &mut Scope, span: Span) {
        let Some(table) = scope.implicit else { return };
        let (exprs, columns) = self.default_columns(table, scope);
        plan.steps.push(PlannedStep {
            step: Step::Project { exprs, keep: false },
            name: "select",
            detail: "(default columns)".into(),
            columns: columns.clone(),
            span,
        });
        *scope = Scope { columns, implicit: None };
    }

    fn plan_join(
        &mut self,
        flavor: factql_syntax::JoinFlavor,
        right: &JoinRight,
        on: &Expr,
        plan: &mut Plan,
        scope: &mut Scope,
        span: Span,
    ) {
        let right_plan = match right {
            JoinRight::Named(name) => {
                self.plan_named_source(name, None, name.span).map(|(mut p, s)| {
                    self.finish(&mut p, &s, name.span);
                    p
                })
            }
            JoinRight::Query(query) => self.plan_query(query),
        };
        let Some(right_plan) = right_plan else { return };
        self.materialize(plan, scope, span);
        let right_scope = Scope { columns: right_plan.columns().to_vec(), implicit: None };
        let mut left_keys = Vec::new();
        let mut right_keys = Vec::new();
        let mut shared = Vec::new();
        for condition in conjuncts(on) {
            match &condition.kind {
                ExprKind::Name(name) => {
                    let l = scope.columns.iter().position(|c| c.name == *name);
                    let r = right_scope.columns.iter().position(|c| c.name == *name);
                    match (l, r) {
                        (Some(l), Some(r)) => {
                            if let Some(error) = hints::join_mismatch(
                                condition.span,
                                (name, &scope.columns[l].ty),
                                (name, &right_scope.columns[r].ty),
                            ) {
                                self.push_hint(error);
                            }
                            left_keys.push(PExpr::Col(l));
                            right_keys.push(PExpr::Col(r));
                            shared.push(r);
                        }
                        _ => self.error(
                            "E0217",
                            condition.span,
                            format!("`{name}` must be a column on both sides of the join"),
                            "not on both sides",
                            Some(format!("left: {}; right: {}", names(&scope.columns), names(&right_scope.columns))),
                        ),
                    }
                }
                ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } => {
                    let mut probe = Checker::new(self.ds, self.ctx);
                    let (l, lty) = probe.expr(lhs, scope, false);
                    let (r, rty) = probe.expr(rhs, &right_scope, false);
                    if !probe.has_errors() {
                        let (ltext, rtext) = (lhs.to_string(), rhs.to_string());
                        if let Some(error) = hints::join_mismatch(
                            condition.span,
                            (&ltext, &lty),
                            (&rtext, &rty),
                        ) {
                            self.push_hint(error);
                        }
                        left_keys.push(l);
                        right_keys.push(r);
                        continue;
                    }
                    let mut probe = Checker::new(self.ds, self.ctx);
                    let (l, lty) = probe.expr(rhs, scope, false);
                    let (r, rty) = probe.expr(lhs, &right_scope, false);
                    if !probe.has_errors() {
                        let (ltext, rtext) = (rhs.to_string(), lhs.to_string());
                        if let Some(error) = hints::join_mismatch(
                            condition.span,
                            (&ltext, &lty),
                            (&rtext, &rty),
                        ) {
                            self.push_hint(error);
                        }
                        left_keys.push(l);
                        right_keys.push(r);
                        continue;
                    }
                    self.error(
                        "E0217",
                        condition.span,
                        "each side of `==` must name a column of one side of the join".into(),
                        "cannot split this condition",
                        Some(format!("left: {}; right: {}", names(&scope.columns), names(&right_scope.columns))),
                    );
                }
                _ => self.error(
                    "E0218",
                    condition.span,
                    "a join condition is a shared column name or `left == right` pairs joined by `and`".into(),
                    "unsupported condition",
                    None,
                ),
            }
        }
        let mut columns = scope.columns.clone();
        if flavor != factql_syntax::JoinFlavor::Anti {
            for (idx, column) in right_scope.columns.iter().enumerate() {
                if shared.contains(&idx) {
                    continue;
                }
                if columns.iter().any(|c| c.name == column.name) {
                    self.error(
                        "E0215",
                        span,
                        format!("both sides of the join have a column `{}`", column.name),
                        "name clash",
                        Some("rename one side with `select` before joining".into()),
                    );
                }
                columns.push(column.clone());
            }
        }
        let detail = format!("{} on {on}", format!("{flavor:?}").to_lowercase());
        let right_keep =
            (0..right_scope.columns.len()).filter(|idx| !shared.contains(idx)).collect();
        let step =
            Step::Join { flavor, right: Box::new(right_plan), left_keys, right_keys, right_keep };
        plan.steps.push(PlannedStep { step, name: "join", detail, columns: columns.clone(), span });
        *scope = Scope { columns, implicit: None };
    }

    pub(super) fn count(&mut self, count: &factql_syntax::Count) -> usize {
        match &count.value {
            CountValue::Int(n) => usize::try_from(*n).unwrap_or(usize::MAX),
            CountValue::Param(name) => match self.param(name, count.span) {
                Some(Val::Int(n)) if n >= 0 => n as usize,
                Some(other) => {
                    self.error(
                        "E0401",
                        count.span,
                        format!("`${name}` must be a count, got {}", self.ds.display(&other)),
                        "not a count",
                        None,
                    );
                    0
                }
                None => 0,
            },
        }
    }

    fn column_name(&mut self, item: &NamedExpr) -> Option<String> {
        if let Some(name) = &item.name {
            return Some(name.name.clone());
        }
        match &item.expr.kind {
            ExprKind::Name(name) => Some(name.clone()),
            ExprKind::Field { field, .. } => Some(field.name.clone()),
            ExprKind::Call { func, args } if args.len() <= 1 => Some(match args.first() {
                Some(arg) => match &arg.kind {
                    ExprKind::Name(name) => format!("{}_{name}", func.name),
                    ExprKind::Field { field, .. } => format!("{}_{}", func.name, field.name),
                    _ => func.name.clone(),
                },
                None => func.name.clone(),
            }),
            _ => {
                self.error(
                    "E0216",
                    item.expr.span,
                    "this column needs a name".into(),
                    "unnamed expression",
                    Some(format!("write `name = {}`", item.expr)),
                );
                None
            }
        }
    }

    fn aggregate(&mut self, expr: &Expr, scope: &Scope) -> Option<(Agg, Ty)> {
        let ExprKind::Call { func, args } = &expr.kind else {
            self.error(
                "E0403",
                expr.span,
                format!("`{expr}` is not an aggregate"),
                "not an aggregate",
                Some(format!("aggregates: {}; group keys go after `by`", AGG_FUNCS.join(", "))),
            );
            return None;
        };
        let agg = match func.name.as_str() {
            "count" => AggFunc::Count,
            "dcount" => AggFunc::Dcount,
            "sum" => AggFunc::Sum,
            "avg" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "set" => AggFunc::Set,
            "list" => AggFunc::List,
            "first" => AggFunc::First,
            other => {
                let help = suggest(other, AGG_FUNCS, "aggregates", AGG_FUNCS);
                self.error(
                    "E0403",
                    func.span,
                    format!("`{other}` is not an aggregate"),
                    "not an aggregate",
                    help,
                );
                return None;
            }
        };
        let wanted = if agg == AggFunc::Count { 0..=1 } else { 1..=1 };
        if !wanted.contains(&args.len()) {
            self.error(
                "E0408",
                expr.span,
                format!(
                    "`{}` takes {} argument",
                    func.name,
                    if agg == AggFunc::Count { "at most one" } else { "one" }
                ),
                "wrong number of arguments",
                None,
            );
            return None;
        }
        let arg = args.first().map(|arg| self.expr(arg, scope, false));
        let ty = match (agg, &arg) {
            (AggFunc::Count | AggFunc::Dcount, _) => Ty::Int,
            (AggFunc::Avg, Some((_, ty))) => {
                if !ty.is_numeric() {
                    self.type_mismatch(args[0].span, &Ty::Float, ty, "`avg`");
                }
                Ty::Float
            }
            (AggFunc::Sum, Some((_, ty))) => {
                if !ty.is_numeric() {
                    self.type_mismatch(args[0].span, &Ty::Float, ty, "`sum`");
                }
                ty.clone()
            }
            (AggFunc::Set | AggFunc::List, Some((_, ty))) => Ty::List(Box::new(ty.clone())),
            (_, Some((_, ty))) => ty.clone(),
            (_, None) => Ty::Any,
        };
        Some((Agg { func: agg, arg: arg.map(|(e, _)| e) }, ty))
    }
}

/// Splits `a and b and c` into its parts.
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
            let mut out = conjuncts(lhs);
            out.extend(conjuncts(rhs));
            out
        }
        _ => vec![expr],
    }
}

fn names(columns: &[Column]) -> String {
    columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn agg_default_name(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Call { func, args } => match args.first().map(|a| &a.kind) {
            Some(ExprKind::Name(name)) => format!("{}_{name}", func.name),
            Some(ExprKind::Field { field, .. }) => format!("{}_{}", func.name, field.name),
            _ => func.name.clone(),
        },
        _ => expr.to_string(),
    }
}

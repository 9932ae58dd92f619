//! Expressions: names and fields, literals, operators, `has`, calls, each typed; the checks
//! against the data's values (`hints`).

use std::sync::Arc;

use factql_syntax::{
    BinaryOp, Expr, ExprKind, HasMode, Ident, Literal, ScopeKind, Span, UnaryOp, did_you_mean,
};

use crate::catalog::{self, Field, FieldKey, Table, Ty, table_name};
use crate::hints;
use crate::plan::{Func, PExpr};
use crate::value::{DateRange, Ref, Val};

use super::{AGG_FUNCS, Checker, SCALAR_FUNCS, Scope, suggest};

impl Checker<'_> {
    /// Checks an expression in `scope`: its plan and its type. Errors are recorded; the
    /// result is then typed `any` so they do not cascade.
    pub(super) fn expr(&mut self, expr: &Expr, scope: &Scope, in_agg: bool) -> (PExpr, Ty) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Missing => (PExpr::Lit(Val::Null), Ty::Any),
            ExprKind::Literal(literal) => self.literal(literal, span),
            ExprKind::Param(name) => match self.param(name, span) {
                Some(value) => {
                    let ty = self.ds.type_of(&value);
                    (PExpr::Lit(value), ty)
                }
                None => (PExpr::Lit(Val::Null), Ty::Any),
            },
            ExprKind::Entity { kind, name } => {
                let entity_kind = kind.name.as_str();
                if entity_kind != "entity"
                    && !factql_model::ENTITY_KINDS.contains(&entity_kind)
                    && !self.entity_kinds().iter().any(|k| k == entity_kind)
                {
                    self.error(
                        "E0221",
                        kind.span,
                        format!("`{entity_kind}` literals are not entities"),
                        "not an entity kind",
                        Some(
                            "entity literals are person \"...\", place \"...\", org \"...\", group \"...\"".into(),
                        ),
                    );
                    return (PExpr::Lit(Val::Null), Ty::Any);
                }
                let filter = (entity_kind != "entity").then_some(entity_kind);
                match self.resolve_entity(name, filter) {
                    Some(entity) => {
                        (PExpr::Lit(Val::Ref(Ref::Entity(entity))), Ty::Ref(Some(Table::Entity)))
                    }
                    None => (PExpr::Lit(Val::Null), Ty::Any),
                }
            }
            ExprKind::Name(name) => self.name(name, span, scope),
            ExprKind::Field { base, field } => {
                let (base_plan, base_ty) = self.expr(base, scope, in_agg);
                if let Ty::Ref(Some(table)) = base_ty {
                    self.field_tables.insert((span.start, span.end), table);
                }
                self.field(base_plan, &base_ty, field, &base.to_string())
            }
            ExprKind::Call { func, args } => self.call(func, args, scope, span, in_agg),
            ExprKind::List(items) => {
                let mut element = Ty::Any;
                let mut out = Vec::new();
                for item in items {
                    let (p, ty) = self.expr(item, scope, in_agg);
                    if element == Ty::Any {
                        element = ty;
                    } else if !ty.compatible(&element) {
                        self.type_mismatch(item.span, &element, &ty, "a list element");
                    }
                    out.push(p);
                }
                (PExpr::List(out), Ty::List(Box::new(element)))
            }
            ExprKind::Unary { op, operand } => {
                let (p, ty) = self.expr(operand, scope, in_agg);
                match op {
                    UnaryOp::Neg => {
                        if !ty.is_numeric() {
                            self.type_mismatch(operand.span, &Ty::Float, &ty, "`-`");
                        }
                        (PExpr::Neg(Box::new(p)), ty)
                    }
                    UnaryOp::Not => {
                        if !matches!(ty, Ty::Bool | Ty::Any) {
                            self.type_mismatch(operand.span, &Ty::Bool, &ty, "`not`");
                        }
                        (PExpr::Not(Box::new(p)), Ty::Bool)
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, scope, in_agg),
            ExprKind::In { expr: inner, negated, set } => {
                let (p, ty) = self.expr(inner, scope, in_agg);
                let (s, set_ty) = self.expr(set, scope, in_agg);
                match &set_ty {
                    Ty::List(element) if !ty.compatible(element) => {
                        self.type_mismatch(inner.span, element, &ty, "`in`")
                    }
                    Ty::Date if !matches!(ty, Ty::Date | Ty::Any) => {
                        self.type_mismatch(inner.span, &Ty::Date, &ty, "`in` a date")
                    }
                    Ty::List(_) => {
                        if let (ExprKind::List(items), PExpr::List(values)) = (&set.kind, &s) {
                            for (item, value) in items.iter().zip(values) {
                                self.check_held(inner, &p, item, value, *negated);
                            }
                        }
                    }
                    Ty::Date | Ty::Any => {}
                    other => self.error(
                        "E0401",
                        set.span,
                        format!("`in` needs a list or a date interval, got {other}"),
                        "not a list or interval",
                        if matches!(ty, Ty::Date) { hints::date_hint(set) } else { None },
                    ),
                }
                (PExpr::In { expr: Box::new(p), set: Box::new(s), negated: *negated }, Ty::Bool)
            }
            ExprKind::Between { expr: inner, low, high } => {
                let (p, ty) = self.expr(inner, scope, in_agg);
                let (l, lty) = self.expr(low, scope, in_agg);
                let (h, hty) = self.expr(high, scope, in_agg);
                for (bound, bty) in [(low, &lty), (high, &hty)] {
                    if !bty.compatible(&ty) {
                        self.type_mismatch(bound.span, &ty, bty, "`between`");
                    }
                }
                (
                    PExpr::Between { expr: Box::new(p), low: Box::new(l), high: Box::new(h) },
                    Ty::Bool,
                )
            }
            ExprKind::Has { expr: inner, mode, terms, scope: text_scope } => {
                let (p, ty) = self.expr(inner, scope, in_agg);
                if !matches!(ty, Ty::Str | Ty::Any) {
                    self.type_mismatch(inner.span, &Ty::Str, &ty, "`has`");
                }
                let words = self.has_terms(terms, *mode);
                let container = match text_scope {
                    None => None,
                    Some(text_scope) => match (&text_scope.kind, &p) {
                        (
                            ScopeKind::Sentence | ScopeKind::Paragraph,
                            PExpr::Field(base, FieldKey::ArticleText),
                        ) => Some((text_scope.kind, base.clone())),
                        (ScopeKind::Article, _) => None,
                        _ => {
                            self.error(
                                "E0409",
                                text_scope.span,
                                "`has ... in sentence|paragraph` works on an article's `text`"
                                    .into(),
                                "scope not available here",
                                None,
                            );
                            None
                        }
                    },
                };
                (
                    PExpr::Has {
                        expr: Box::new(p),
                        all: *mode == HasMode::All,
                        terms: words,
                        scope: container,
                    },
                    Ty::Bool,
                )
            }
        }
    }

    fn has_terms(&mut self, terms: &Expr, mode: HasMode) -> Vec<String> {
        let items: Vec<&Expr> = match (&terms.kind, mode) {
            (ExprKind::List(items), _) => items.iter().collect(),
            (_, HasMode::One) => vec![terms],
            _ => vec![terms],
        };
        let mut out = Vec::new();
        for item in items {
            let empty = Scope { columns: Vec::new(), implicit: None };
            match self.expr(item, &empty, false) {
                (PExpr::Lit(Val::Str(text)), _) => out.push(factql_model::fold(&text)),
                (PExpr::Lit(Val::Null), Ty::Any) => {}
                _ => self.error(
                    "E0410",
                    item.span,
                    "`has` takes words: a string or a list of strings".into(),
                    "not a string",
                    None,
                ),
            }
        }
        out
    }

    fn literal(&mut self, literal: &Literal, span: Span) -> (PExpr, Ty) {
        match literal {
            Literal::String { value, .. } => (PExpr::Lit(Val::str(value)), Ty::Str),
            Literal::Int(n) => (PExpr::Lit(Val::Int(*n)), Ty::Int),
            Literal::Float(x) => (PExpr::Lit(Val::Float(*x)), Ty::Float),
            Literal::Bool(b) => (PExpr::Lit(Val::Bool(*b)), Ty::Bool),
            Literal::Null => (PExpr::Lit(Val::Null), Ty::Any),
            Literal::Date(date) => {
                match DateRange::from_parts(
                    i32::from(date.year),
                    date.month.map(u32::from),
                    date.day.map(u32::from),
                ) {
                    Some(range) => (PExpr::Lit(Val::Date(range)), Ty::Date),
                    None => {
                        self.error("E0411", span, "not a calendar date".into(), "bad date", None);
                        (PExpr::Lit(Val::Null), Ty::Any)
                    }
                }
            }
            Literal::Duration(d) => (PExpr::Lit(Val::Duration(d.amount, d.unit)), Ty::Duration),
        }
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope) -> (PExpr, Ty) {
        if let Some(idx) = scope.columns.iter().position(|c| c.name == name)
            && (scope.implicit.is_none() || idx > 0)
        {
            return (PExpr::Col(idx), scope.columns[idx].ty.clone());
        }
        if let Some(table) = scope.implicit {
            let fields = catalog::fields(self.ds, table);
            if let Some(field) = fields.iter().find(|f| f.name == name) {
                self.field_tables.insert((span.start, span.end), table);
                return (PExpr::Field(Box::new(PExpr::Col(0)), field.key), field.ty.clone());
            }
            let ident = Ident::new(name, span);
            let mut candidates: Vec<Field> = fields.clone();
            candidates.extend(scope.columns.iter().skip(1).map(|c| Field {
                name: c.name.clone(),
                ty: c.ty.clone(),
                key: FieldKey::ArticleId,
            }));
            self.unknown_field(&ident, &candidates, &format!("`{}`", table_name(self.ds, table)));
            return (PExpr::Lit(Val::Null), Ty::Any);
        }
        let names_list: Vec<&str> = scope.columns.iter().map(|c| c.name.as_str()).collect();
        let help = suggest(name, &names_list, "columns", &names_list);
        self.error("E0203", span, format!("unknown column `{name}`"), "no such column", help);
        (PExpr::Lit(Val::Null), Ty::Any)
    }

    fn field(&mut self, base: PExpr, base_ty: &Ty, field: &Ident, base_text: &str) -> (PExpr, Ty) {
        // `meta.KEY`: one metadata field of an article.
        let base = match base {
            PExpr::Field(article, FieldKey::ArticleMeta) => {
                return match crate::history::meta_key(self.ds, &field.name) {
                    Ok(key) => (PExpr::Field(article, key), Ty::Str),
                    Err(help) => {
                        self.error(
                            "E0202",
                            field.span,
                            format!("no article has the metadata key `{}`", field.name),
                            "no such key",
                            Some(help),
                        );
                        (PExpr::Lit(Val::Null), Ty::Any)
                    }
                };
            }
            other => other,
        };
        let fields = match base_ty {
            // After an error the base is typed `any`: its fields are not checked again.
            Ty::Any => {
                return (PExpr::DynField(Box::new(base), Arc::from(field.name.as_str())), Ty::Any);
            }
            Ty::Ref(None) => return self.dyn_field(base, field, base_text),
            Ty::Ref(Some(table)) => catalog::fields(self.ds, *table),
            Ty::Cooc => catalog::cooc_fields(),
            other => {
                self.error(
                    "E0204",
                    field.span,
                    format!("a {other} has no fields"),
                    "no fields here",
                    None,
                );
                return (PExpr::Lit(Val::Null), Ty::Any);
            }
        };
        match fields.iter().find(|f| f.name == field.name) {
            Some(f) => (PExpr::Field(Box::new(base), f.key), f.ty.clone()),
            None => {
                let owner = match base_ty {
                    Ty::Ref(Some(table)) => table_name(self.ds, *table),
                    _ => base_ty.to_string(),
                };
                self.unknown_field(field, &fields, &format!("`{owner}`"));
                (PExpr::Lit(Val::Null), Ty::Any)
            }
        }
    }

    /// A field of a reference whose table is only known at run time: an argument role holds
    /// an entity, or a mention when the mention is not linked to an entity. The field must
    /// exist on one of them; its type is known when both agree.
    fn dyn_field(&mut self, base: PExpr, field: &Ident, base_text: &str) -> (PExpr, Ty) {
        let entity = catalog::fields(self.ds, Table::Entity);
        let mention = catalog::fields(self.ds, Table::Mention);
        let on_entity = entity.iter().find(|f| f.name == field.name);
        let on_mention = mention.iter().find(|f| f.name == field.name);
        let ty = match (on_entity, on_mention) {
            (Some(a), Some(b)) if a.ty == b.ty => a.ty.clone(),
            (Some(_), _) | (_, Some(_)) => Ty::Any,
            (None, None) => {
                let mut all = entity.clone();
                all.extend(
                    mention.into_iter().filter(|f| !entity.iter().any(|g| g.name == f.name)),
                );
                self.unknown_field(field, &all, &format!("`{base_text}` (an entity or mention)"));
                return (PExpr::Lit(Val::Null), Ty::Any);
            }
        };
        (PExpr::DynField(Box::new(base), Arc::from(field.name.as_str())), ty)
    }

    pub(super) fn unknown_field(&mut self, field: &Ident, fields: &[Field], owner: &str) {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let list = format!("fields: {}", names.join(", "));
        let help = match did_you_mean(&field.name, &names) {
            Some(s) => format!("did you mean `{s}`? {list}"),
            None => list,
        };
        self.error(
            "E0202",
            field.span,
            format!("unknown field `{}` on {owner}", field.name),
            "no such field",
            Some(help),
        );
    }

    pub(super) fn type_mismatch(&mut self, span: Span, expected: &Ty, found: &Ty, context: &str) {
        self.error(
            "E0401",
            span,
            format!("type mismatch in {context}: expected {expected}, found {found}"),
            &format!("this is {found}"),
            None,
        );
    }

    /// Warns when `field` (a categorical field read from a known table) is compared with a
    /// string `literal` that no row of the loaded data holds.
    fn check_held(
        &mut self,
        field: &Expr,
        field_plan: &PExpr,
        literal: &Expr,
        value: &PExpr,
        negated: bool,
    ) {
        let (PExpr::Field(_, key), PExpr::Lit(Val::Str(text))) = (field_plan, value) else {
            return;
        };
        let Some(&table) = self.field_tables.get(&(field.span.start, field.span.end)) else {
            return;
        };
        if let Some(warning) =
            hints::unheld_value(self.ds, table, *key, text, negated, literal.span)
        {
            self.push_hint(warning);
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope,
        in_agg: bool,
    ) -> (PExpr, Ty) {
        let (l, lty) = self.expr(lhs, scope, in_agg);
        if op == BinaryOp::Matches {
            let pattern = match &rhs.kind {
                ExprKind::Literal(Literal::String { value, .. }) => Some(value.clone()),
                ExprKind::Param(name) => match self.param(name, rhs.span) {
                    Some(Val::Str(text)) => Some(text.to_string()),
                    _ => None,
                },
                _ => {
                    self.error(
                        "E0405",
                        rhs.span,
                        "`~` takes a regular expression literal".into(),
                        "not a string literal",
                        Some("write text ~ r\"pattern\"".into()),
                    );
                    None
                }
            };
            if !matches!(lty, Ty::Str | Ty::Any) {
                self.type_mismatch(lhs.span, &Ty::Str, &lty, "`~`");
            }
            let Some(pattern) = pattern else { return (PExpr::Lit(Val::Null), Ty::Bool) };
            return match regex::Regex::new(&pattern) {
                Ok(regex) => (PExpr::Regex(Box::new(l), Arc::new(regex)), Ty::Bool),
                Err(err) => {
                    let text = err.to_string();
                    let last = text.lines().last().unwrap_or("invalid").trim();
                    let message = last.strip_prefix("error: ").unwrap_or(last).to_owned();
                    self.error(
                        "E0405",
                        rhs.span,
                        format!("invalid regular expression: {message}"),
                        "bad pattern",
                        None,
                    );
                    (PExpr::Lit(Val::Null), Ty::Bool)
                }
            };
        }
        let (r, rty) = self.expr(rhs, scope, in_agg);
        let ty = match op {
            BinaryOp::And | BinaryOp::Or => {
                for (side, ty) in [(lhs, &lty), (rhs, &rty)] {
                    if !matches!(ty, Ty::Bool | Ty::Any) {
                        self.type_mismatch(side.span, &Ty::Bool, ty, &format!("`{}`", op.as_str()));
                    }
                }
                Ty::Bool
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                if !lty.compatible(&rty) {
                    let help = hints::comparison_help(lhs, &lty, rhs, &rty)
                        .unwrap_or_else(|| format!("the left side `{lhs}` is {lty}"));
                    self.error(
                        "E0401",
                        rhs.span,
                        format!("cannot compare {lty} with {rty}"),
                        &format!("this is {rty}"),
                        Some(help),
                    );
                } else if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                    let negated = op == BinaryOp::Ne;
                    self.check_held(lhs, &l, rhs, &r, negated);
                    self.check_held(rhs, &r, lhs, &l, negated);
                }
                Ty::Bool
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (side, ty) in [(lhs, &lty), (rhs, &rty)] {
                    if !ty.is_numeric() {
                        self.type_mismatch(
                            side.span,
                            &Ty::Float,
                            ty,
                            &format!("`{}`", op.as_str()),
                        );
                    }
                }
                if lty == Ty::Int && rty == Ty::Int && op != BinaryOp::Div {
                    Ty::Int
                } else {
                    Ty::Float
                }
            }
            BinaryOp::Matches => Ty::Bool,
        };
        (PExpr::Bin(op, Box::new(l), Box::new(r)), ty)
    }

    fn call(
        &mut self,
        func: &Ident,
        args: &[Expr],
        scope: &Scope,
        span: Span,
        in_agg: bool,
    ) -> (PExpr, Ty) {
        let name = func.name.as_str();
        if AGG_FUNCS.contains(&name) {
            self.error(
                "E0404",
                func.span,
                format!("aggregate `{name}` used outside `summarize`"),
                "aggregate here",
                Some(format!(
                    "aggregate in a stage of its own: `| summarize {}`",
                    Expr::new(ExprKind::Call { func: func.clone(), args: args.to_vec() }, span)
                )),
            );
            return (PExpr::Lit(Val::Null), Ty::Any);
        }
        let arity = |checker: &mut Checker<'_>, n: std::ops::RangeInclusive<usize>| {
            if !n.contains(&args.len()) {
                let wanted = if n.start() == n.end() {
                    n.start().to_string()
                } else {
                    format!("{} to {}", n.start(), n.end())
                };
                checker.error(
                    "E0408",
                    span,
                    format!("`{name}` takes {wanted} argument(s), got {}", args.len()),
                    "wrong number of arguments",
                    None,
                );
                false
            } else {
                true
            }
        };
        if name == "mentions" {
            return self.mentions_call(args, scope, span);
        }
        let func_kind = match name {
            "bin" => Func::Bin,
            "year" => Func::Year,
            "month" => Func::Month,
            "lower" => Func::Lower,
            "upper" => Func::Upper,
            "len" => Func::Len,
            "coalesce" => Func::Coalesce,
            "fold" => Func::Fold,
            other => {
                let mut all: Vec<&str> = SCALAR_FUNCS.to_vec();
                all.extend(AGG_FUNCS);
                let help = suggest(other, &all, "functions", SCALAR_FUNCS);
                self.error(
                    "E0206",
                    func.span,
                    format!("unknown function `{other}`"),
                    "no such function",
                    help,
                );
                return (PExpr::Lit(Val::Null), Ty::Any);
            }
        };
        let checked: Vec<(PExpr, Ty)> = args.iter().map(|a| self.expr(a, scope, in_agg)).collect();
        let ok = match func_kind {
            Func::Bin => arity(self, 2..=2),
            Func::Coalesce => arity(self, 1..=16),
            _ => arity(self, 1..=1),
        };
        if !ok {
            return (PExpr::Lit(Val::Null), Ty::Any);
        }
        let ty0 = checked[0].1.clone();
        let ty = match func_kind {
            Func::Bin => {
                let ty1 = &checked[1].1;
                match (&ty0, ty1) {
                    (Ty::Date | Ty::Any, Ty::Duration | Ty::Any) => Ty::Date,
                    (a, b) if a.is_numeric() && b.is_numeric() => ty0.clone(),
                    _ => {
                        self.error("E0401", span, format!("`bin` takes a date and a duration (like 1mo) or two numbers, got {ty0} and {ty1}"), "bad arguments", None);
                        Ty::Any
                    }
                }
            }
            Func::Year | Func::Month => {
                if !matches!(ty0, Ty::Date | Ty::Any) {
                    self.type_mismatch(args[0].span, &Ty::Date, &ty0, &format!("`{name}`"));
                }
                Ty::Int
            }
            Func::Lower | Func::Upper | Func::Fold => {
                if !matches!(ty0, Ty::Str | Ty::Any) {
                    self.type_mismatch(args[0].span, &Ty::Str, &ty0, &format!("`{name}`"));
                }
                Ty::Str
            }
            Func::Len => {
                if !matches!(ty0, Ty::Str | Ty::List(_) | Ty::Any) {
                    self.type_mismatch(args[0].span, &Ty::Str, &ty0, "`len`");
                }
                Ty::Int
            }
            Func::Coalesce => ty0,
        };
        (PExpr::Call(func_kind, checked.into_iter().map(|(p, _)| p).collect()), ty)
    }

    /// `mentions(entity)` on an article or sentence row, or `mentions(row, entity)`.
    fn mentions_call(&mut self, args: &[Expr], scope: &Scope, span: Span) -> (PExpr, Ty) {
        let (container, entity_arg) = match args {
            [entity] => match scope.implicit {
                Some(Table::Article | Table::Sentence) => (PExpr::Col(0), entity),
                _ => {
                    self.error(
                        "E0412",
                        span,
                        "`mentions(...)` alone works on articles and sentences".into(),
                        "no article or sentence here",
                        Some("name the row: mentions(a, place \"...\")".into()),
                    );
                    return (PExpr::Lit(Val::Null), Ty::Bool);
                }
            },
            [row, entity] => {
                let (container, ty) = self.expr(row, scope, false);
                if !matches!(ty, Ty::Ref(Some(Table::Article | Table::Sentence)) | Ty::Any) {
                    self.type_mismatch(row.span, &Ty::Ref(Some(Table::Article)), &ty, "`mentions`");
                }
                (container, entity)
            }
            _ => {
                self.error(
                    "E0408",
                    span,
                    "`mentions` takes an entity, or a row and an entity".into(),
                    "wrong number of arguments",
                    None,
                );
                return (PExpr::Lit(Val::Null), Ty::Bool);
            }
        };
        let empty = Scope { columns: Vec::new(), implicit: None };
        match self.expr(entity_arg, &empty, false) {
            (PExpr::Lit(Val::Ref(Ref::Entity(entity))), _) => (
                PExpr::Mentions {
                    container: Box::new(container),
                    entities: Arc::from(vec![entity]),
                },
                Ty::Bool,
            ),
            (PExpr::Lit(Val::Null), Ty::Any) => (PExpr::Lit(Val::Null), Ty::Bool),
            _ => {
                self.error(
                    "E0412",
                    entity_arg.span,
                    "`mentions` takes an entity literal such as place \"Belarus\"".into(),
                    "not an entity",
                    None,
                );
                (PExpr::Lit(Val::Null), Ty::Bool)
            }
        }
    }
}

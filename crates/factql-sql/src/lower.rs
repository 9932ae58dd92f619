//! Lowering: a checked [`Plan`] to the relational plan of [`crate::ir`], one CTE per stage.
//!
//! Values are typed while they are lowered ([`V`]): a reference is the key of the row it
//! points to (a sentence's key has two parts), a date is the interval of its first and last
//! day, and a field read through a reference becomes one `LEFT JOIN` per distinct path of a
//! stage. What has no faithful SQL form is refused with [`CompileError::Unsupported`].

use std::collections::{BTreeSet, HashMap};

use factql_engine::plan::{
    Agg, AggFunc, EdgeKindSpec, EdgeSpec, Func, NodeKind, NodeSpec, PExpr, PatternPlan, Plan,
    SourcePlan, Step,
};
use factql_engine::value::{DateRange, Ref, Val};
use factql_engine::{Column, Dataset, FieldKey, Table, Ty};
use factql_model::{FieldType, KindSchema};
use factql_syntax::{BinaryOp, Direction, DurationUnit, JoinFlavor, ScopeKind, Span};

use crate::ir::{From, Item, Join, Order, SAgg, SExpr, SFunc, SOp, Select, Source, all};
use crate::{CompileError, EntityResolver};

type Result<T> = std::result::Result<T, CompileError>;

/// How a column of a stage's relation is held in SQL.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// The row of a scanned table, its columns inline under their own names.
    Row(Table),
    /// One value.
    Scalar,
    /// A reference held as its row's key (not a sentence).
    Ref(Table),
    /// A sentence reference: `name__a` (article) and `name__s` (index).
    Sentence,
    /// A co-occurrence record: the article and sentence of the occurrence it started from.
    Cooc,
    /// A date interval: `name` (first day) and `name__hi` (last day).
    Date,
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    kind: Kind,
    ty: Ty,
}

/// A stage's output: a CTE, its columns, and the order the rows are in (hidden columns).
#[derive(Clone, Debug)]
struct Rel {
    name: String,
    cols: Vec<Col>,
    order: Vec<(String, bool, bool)>,
}

/// A lowered value.
#[derive(Clone, Debug)]
enum V {
    S(SExpr),
    /// First and last day (`None`: the same day).
    D(SExpr, Option<SExpr>),
    Sent(SExpr, SExpr),
    Cooc(SExpr, SExpr),
    Ref(Table, SExpr),
    /// A scanned row, its columns read through this alias.
    Row(Table, String),
    List(Vec<V>),
    Dur(u64, DurationUnit),
}

pub(crate) struct Lowerer<'a> {
    kinds: Vec<KindSchema>,
    resolver: &'a dyn EntityResolver,
    pub(crate) ctes: Vec<(String, Select)>,
    pub(crate) tables: BTreeSet<String>,
    pub(crate) notes: Vec<String>,
    next: usize,
}

fn unsupported(construct: &str, span: Span, why: &str) -> CompileError {
    CompileError::Unsupported { construct: construct.to_owned(), span, why: why.to_owned() }
}

/// One stage being built: its input relation under alias `p`, and the joins field reads
/// need.
struct Stage<'r> {
    rel: &'r Rel,
    alias: String,
    joins: Vec<Join>,
    memo: HashMap<String, String>,
    span: Span,
}

impl<'a> Lowerer<'a> {
    pub(crate) fn new(ds: &'a Dataset, resolver: &'a dyn EntityResolver) -> Lowerer<'a> {
        let kinds = ds.fact_kinds().into_iter().map(|(schema, _)| schema.clone()).collect();
        Lowerer {
            kinds,
            resolver,
            ctes: Vec::new(),
            tables: BTreeSet::new(),
            notes: Vec::new(),
            next: 0,
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn table(&mut self, name: &str) -> String {
        self.tables.insert(name.to_owned());
        name.to_owned()
    }

    fn kind_schema(&self, kind: u16) -> &KindSchema {
        &self.kinds[kind as usize]
    }

    fn table_name(&mut self, table: Table) -> String {
        let name = match table {
            Table::Article => "articles".to_owned(),
            Table::Sentence => "sentences".to_owned(),
            Table::Mention => "mentions".to_owned(),
            Table::Entity => "entities".to_owned(),
            Table::Fact(k) => format!("fact_{}", self.kind_schema(k).name),
        };
        self.table(&name)
    }

    /// The whole query: the stages as CTEs and the final `SELECT` with user names.
    pub(crate) fn lower(&mut self, plan: &Plan) -> Result<Select> {
        let rel = self.lower_plan(plan)?;
        let last = plan.steps().last().map_or(plan.source_span(), |step| step.span);
        let mut stage = Stage::new(&rel, last);
        let mut items = Vec::new();
        for (idx, col) in rel.cols.iter().enumerate() {
            let value = stage.col(idx);
            let shown = self.display(&mut stage, value, &col.name)?;
            items.push(Item::Expr(shown, plan.columns()[idx].name.clone()));
        }
        let order = rel
            .order
            .iter()
            .map(|(col, desc, nulls_first)| Order {
                expr: SExpr::col("p", col),
                desc: *desc,
                nulls_first: *nulls_first,
            })
            .collect();
        Ok(stage.finish(items, order))
    }

    /// A plan to a CTE chain; returns the last relation.
    fn lower_plan(&mut self, plan: &Plan) -> Result<Rel> {
        let mut rel = match plan.source() {
            SourcePlan::Scan { table, entity_kind, history } => {
                let name = self.table_name(*table);
                let mut filter = entity_kind
                    .as_ref()
                    .map(|k| SExpr::col("t", "kind").eq(SExpr::Str(k.to_string())));
                // The export's `articles` holds every version; `articles` reads live ones.
                if *table == Table::Article && !history {
                    filter = Some(SExpr::IsNull(Box::new(SExpr::col("t", "superseded_by")), false));
                }
                let select = Select {
                    items: vec![Item::Star("t".into())],
                    from: Some(From { source: Source::Named(name), alias: "t".into() }),
                    filter,
                    ..Select::default()
                };
                let cols = vec![Col {
                    name: String::new(),
                    kind: Kind::Row(*table),
                    ty: Ty::Ref(Some(*table)),
                }];
                let cols = plan
                    .source_columns()
                    .iter()
                    .zip(cols)
                    .map(|(c, col)| Col { name: c.name.clone(), ..col })
                    .collect();
                self.push_cte(select, cols, Vec::new())
            }
            SourcePlan::Match { patterns, width, output } => {
                self.lower_match(patterns, *width, output, plan.source_columns())?
            }
            SourcePlan::Rows(_) => {
                return Err(unsupported(
                    "`_` (the last result)",
                    plan.source_span(),
                    "the previous result exists only in this process",
                ));
            }
        };
        for step in plan.steps() {
            rel = self.lower_step(&rel, &step.step, &step.columns, step.span)?;
        }
        Ok(rel)
    }

    fn push_cte(
        &mut self,
        select: Select,
        cols: Vec<Col>,
        order: Vec<(String, bool, bool)>,
    ) -> Rel {
        let name = format!("s{}", self.ctes.len() + 1);
        self.ctes.push((name.clone(), select));
        Rel { name, cols, order }
    }

    // ------------------------------------------------------------------ stages

    fn lower_step(
        &mut self,
        rel: &Rel,
        step: &Step,
        columns: &[Column],
        span: Span,
    ) -> Result<Rel> {
        let mut stage = Stage::new(rel, span);
        match step {
            Step::Where(cond) => {
                let filter = self.condition(&mut stage, cond, true)?;
                let select = stage.finish_filter(filter);
                Ok(self.push_cte(select, rel.cols.clone(), rel.order.clone()))
            }
            Step::Render(_) => {
                self.notes.push("`render` is ignored: SQL returns the rows only".into());
                Ok(rel.clone())
            }
            Step::Project { exprs, keep } => {
                let mut items = Vec::new();
                let mut cols = Vec::new();
                let mut used: Vec<String> = Vec::new();
                if *keep {
                    items.push(Item::Star("p".into()));
                    cols = rel.cols.clone();
                    used = physical_names(rel, &self.kinds);
                } else {
                    for (col, _, _) in &rel.order {
                        items.push(Item::Expr(SExpr::col("p", col), col.clone()));
                        used.push(col.clone());
                    }
                }
                let start = cols.len();
                for (idx, expr) in exprs.iter().enumerate() {
                    let value = self.expr(&mut stage, expr)?;
                    let column = &columns[start + idx];
                    let name = unique(&column.name, &used);
                    let (col, new) = self.store(value, &name, &column.ty, span)?;
                    used.extend(new.iter().map(|(_, n)| n.clone()));
                    items.extend(new.into_iter().map(|(e, n)| Item::Expr(e, n)));
                    cols.push(col);
                }
                let select = stage.finish(items, Vec::new());
                Ok(self.push_cte(select, cols, rel.order.clone()))
            }
            Step::Summarize { keys, aggs } => {
                let mut items = Vec::new();
                let mut cols = Vec::new();
                let mut used = Vec::new();
                let mut group_by = Vec::new();
                for (idx, key) in keys.iter().enumerate() {
                    let value = self.expr(&mut stage, key)?;
                    let name = unique(&columns[idx].name, &used);
                    let (col, new) = self.store(value, &name, &columns[idx].ty, span)?;
                    for (e, n) in new {
                        group_by.push(e.clone());
                        used.push(n.clone());
                        items.push(Item::Expr(e, n));
                    }
                    cols.push(col);
                }
                for (idx, agg) in aggs.iter().enumerate() {
                    let column = &columns[keys.len() + idx];
                    let name = unique(&column.name, &used);
                    let (value, kind) = self.aggregate(&mut stage, agg, span)?;
                    let (col, new) = self.store(value, &name, &column.ty, span)?;
                    let col = if kind == Kind::Scalar { Col { kind, ..col } } else { col };
                    used.extend(new.iter().map(|(_, n)| n.clone()));
                    items.extend(new.into_iter().map(|(e, n)| Item::Expr(e, n)));
                    cols.push(col);
                }
                let mut select = stage.finish(items, Vec::new());
                select.group_by = group_by;
                Ok(self.push_cte(select, cols, Vec::new()))
            }
            Step::Sort(keys) => {
                let mut items = vec![Item::Star("p".into())];
                let mut used = physical_names(rel, &self.kinds);
                let mut order = Vec::new();
                for (key, desc) in keys {
                    let value = self.expr(&mut stage, key)?;
                    for part in self.sort_parts(value, span)? {
                        let name = unique("sort_key", &used);
                        used.push(name.clone());
                        items.push(Item::Expr(part, name.clone()));
                        // Nulls sort before every value, as in the engine.
                        order.push((name, *desc, !*desc));
                    }
                }
                let select = stage.finish(items, Vec::new());
                let cols = rel.cols.clone();
                Ok(self.push_cte(select, cols, order))
            }
            Step::Top { count, key, desc, per } => {
                let value = self.expr(&mut stage, key)?;
                let mut used = physical_names(rel, &self.kinds);
                let mut items = vec![Item::Star("p".into())];
                let mut order = Vec::new();
                let mut keys = Vec::new();
                for part in self.sort_parts(value, span)? {
                    let name = unique("sort_key", &used);
                    used.push(name.clone());
                    items.push(Item::Expr(part.clone(), name.clone()));
                    keys.push(Order { expr: part, desc: *desc, nulls_first: !*desc });
                    order.push((name, *desc, !*desc));
                }
                if per.is_empty() {
                    let mut select = stage.finish(items, keys);
                    select.limit = Some(*count as u64);
                    return Ok(self.push_cte(select, rel.cols.clone(), order));
                }
                let mut partition = Vec::new();
                for group in per {
                    let value = self.expr(&mut stage, group)?;
                    partition.extend(self.key_parts(value, span)?);
                }
                let rn = unique("row_rank", &used);
                items.push(Item::Expr(SExpr::RowNumber(partition, keys), rn.clone()));
                let inner = stage.finish(items, Vec::new());
                let ranked = self.push_cte(inner, rel.cols.clone(), order.clone());
                // The ranked rows without the rank: the columns of the input and the keys.
                let mut outer_items: Vec<Item> = physical_names(rel, &self.kinds)
                    .into_iter()
                    .chain(order.iter().map(|(n, _, _)| n.clone()))
                    .map(|n| Item::Expr(SExpr::col("p", &n), n))
                    .collect();
                if outer_items.is_empty() {
                    outer_items.push(Item::Star("p".into()));
                }
                let select = Select {
                    items: outer_items,
                    from: Some(From {
                        source: Source::Named(ranked.name.clone()),
                        alias: "p".into(),
                    }),
                    filter: Some(SExpr::col("p", &rn).bin(SOp::LtEq, SExpr::Int(*count as i64))),
                    ..Select::default()
                };
                Ok(self.push_cte(select, rel.cols.clone(), order))
            }
            Step::Take(count) => {
                let order: Vec<Order> = rel
                    .order
                    .iter()
                    .map(|(c, desc, nulls_first)| Order {
                        expr: SExpr::col("p", c),
                        desc: *desc,
                        nulls_first: *nulls_first,
                    })
                    .collect();
                let mut select = stage.finish(vec![Item::Star("p".into())], order);
                select.limit = Some(*count as u64);
                Ok(self.push_cte(select, rel.cols.clone(), rel.order.clone()))
            }
            Step::Distinct(exprs) => {
                let mut items = Vec::new();
                let mut cols = Vec::new();
                let mut used = Vec::new();
                if exprs.is_empty() {
                    for (idx, col) in rel.cols.iter().enumerate() {
                        let value = stage.col(idx);
                        let (col, new) =
                            self.store(value, &col.name.clone(), &col.ty.clone(), span)?;
                        items.extend(new.into_iter().map(|(e, n)| Item::Expr(e, n)));
                        cols.push(col);
                    }
                } else {
                    for (idx, expr) in exprs.iter().enumerate() {
                        let value = self.expr(&mut stage, expr)?;
                        let name = unique(&columns[idx].name, &used);
                        let (col, new) = self.store(value, &name, &columns[idx].ty, span)?;
                        used.extend(new.iter().map(|(_, n)| n.clone()));
                        items.extend(new.into_iter().map(|(e, n)| Item::Expr(e, n)));
                        cols.push(col);
                    }
                }
                let mut select = stage.finish(items, Vec::new());
                select.distinct = true;
                Ok(self.push_cte(select, cols, Vec::new()))
            }
            Step::Join { flavor, right, left_keys, right_keys, right_keep } => {
                let right_rel = self.lower_plan(right)?;
                let alias = "r".to_owned();
                let mut on = Vec::new();
                {
                    let mut right_stage = Stage::new(&right_rel, span);
                    right_stage.alias = alias.clone();
                    for (l, r) in left_keys.iter().zip(right_keys) {
                        if !matches!(r, PExpr::Col(_)) {
                            return Err(unsupported(
                                "a join key computed on the right side",
                                span,
                                "name the key with `select` on the right side first",
                            ));
                        }
                        let lv = self.expr(&mut stage, l)?;
                        let rv = self.expr(&mut right_stage, r)?;
                        // Null keys never match, as in the engine: plain `=`.
                        let (lp, rp) = (self.parts(lv, span)?, self.parts(rv, span)?);
                        on.extend(lp.into_iter().zip(rp).map(|(a, b)| a.eq(b)));
                    }
                }
                let right_from =
                    From { source: Source::Named(right_rel.name.clone()), alias: alias.clone() };
                let mut items = vec![Item::Star("p".into())];
                let mut cols = rel.cols.clone();
                let mut used = physical_names(rel, &self.kinds);
                used.extend(rel.order.iter().map(|(n, _, _)| n.clone()));
                match flavor {
                    JoinFlavor::Anti => {
                        let exists = Select {
                            items: vec![Item::Expr(SExpr::Int(1), "one".into())],
                            from: Some(right_from),
                            filter: Some(all(on)),
                            ..Select::default()
                        };
                        let select = stage.finish_filter(SExpr::Exists(Box::new(exists), true));
                        return Ok(self.push_cte(select, cols, rel.order.clone()));
                    }
                    JoinFlavor::Inner | JoinFlavor::Left => {
                        let mut right_stage = Stage::new(&right_rel, span);
                        right_stage.alias = alias.clone();
                        for &idx in right_keep {
                            let value = right_stage.col(idx);
                            let column = &right_rel.cols[idx];
                            let name = unique(&column.name, &used);
                            let (col, new) = self.store(value, &name, &column.ty, span)?;
                            used.extend(new.iter().map(|(_, n)| n.clone()));
                            items.extend(new.into_iter().map(|(e, n)| Item::Expr(e, n)));
                            cols.push(col);
                        }
                        stage.joins.push(Join {
                            left: *flavor == JoinFlavor::Left,
                            from: right_from,
                            on: all(on),
                        });
                    }
                }
                let select = stage.finish(items, Vec::new());
                Ok(self.push_cte(select, cols, rel.order.clone()))
            }
            Step::Expand { .. } => Err(unsupported(
                "expand",
                span,
                "lists are not lowered to SQL (they differ most between engines)",
            )),
        }
    }

    /// A value as columns of a new relation named `name`.
    fn store(
        &mut self,
        value: V,
        name: &str,
        ty: &Ty,
        span: Span,
    ) -> Result<(Col, Vec<(SExpr, String)>)> {
        let col = |kind| Col { name: name.to_owned(), kind, ty: ty.clone() };
        Ok(match value {
            V::S(e) => (col(Kind::Scalar), vec![(e, name.to_owned())]),
            V::Ref(Table::Sentence, _) => {
                return Err(unsupported(
                    "a sentence reference without its article",
                    span,
                    "not lowered",
                ));
            }
            V::Ref(t, e) => (col(Kind::Ref(t)), vec![(e, name.to_owned())]),
            V::Sent(a, s) => {
                (col(Kind::Sentence), vec![(a, format!("{name}__a")), (s, format!("{name}__s"))])
            }
            V::Cooc(a, s) => {
                (col(Kind::Cooc), vec![(a, format!("{name}__a")), (s, format!("{name}__s"))])
            }
            V::D(lo, hi) => {
                let hi = hi.unwrap_or_else(|| lo.clone());
                (col(Kind::Date), vec![(lo, name.to_owned()), (hi, format!("{name}__hi"))])
            }
            V::Row(t, alias) => {
                let key = row_key(t, &alias);
                return self.store(key, name, ty, span);
            }
            V::List(_) | V::Dur(..) => {
                return Err(unsupported(
                    "a list or duration as a column",
                    span,
                    "not lowered to SQL",
                ));
            }
        })
    }

    /// The SQL expressions a value groups or partitions by.
    fn key_parts(&mut self, value: V, span: Span) -> Result<Vec<SExpr>> {
        let (_, parts) = self.store(value, "k", &Ty::Any, span)?;
        Ok(parts.into_iter().map(|(e, _)| e).collect())
    }

    /// The SQL expressions a value sorts by (a reference sorts by its key, a date by its
    /// first then last day).
    fn sort_parts(&mut self, value: V, span: Span) -> Result<Vec<SExpr>> {
        if let V::Ref(..) | V::Row(..) | V::Sent(..) = value {
            return Err(unsupported(
                "sorting by a reference",
                span,
                "the engine sorts rows by their place in the store, which the export does not keep; sort by a field such as `.name`",
            ));
        }
        self.key_parts(value, span)
    }

    fn aggregate(&mut self, stage: &mut Stage<'_>, agg: &Agg, span: Span) -> Result<(V, Kind)> {
        let arg = match &agg.arg {
            Some(a) => Some(self.expr(stage, a)?),
            None => None,
        };
        let scalar = |this: &mut Self, v: Option<V>, what: &str| -> Result<SExpr> {
            match v {
                Some(V::S(e)) | Some(V::Ref(_, e)) => Ok(e),
                Some(V::Row(t, alias)) => match row_key(t, &alias) {
                    V::Ref(_, e) => Ok(e),
                    _ => Err(unsupported(what, span, "sentence keys have two parts")),
                },
                Some(V::D(lo, None)) => Ok(lo),
                _ => {
                    let _ = this;
                    Err(unsupported(what, span, "this argument type is not lowered to SQL"))
                }
            }
        };
        let one = |a: SAgg, e: SExpr| V::S(SExpr::Agg(a, Some(Box::new(e))));
        Ok(match agg.func {
            AggFunc::Count if arg.is_none() => (V::S(SExpr::Agg(SAgg::Count, None)), Kind::Scalar),
            AggFunc::Count => {
                let probe = match arg {
                    Some(V::Sent(a, _)) | Some(V::Cooc(a, _)) => a,
                    Some(V::D(lo, _)) => lo,
                    other => scalar(self, other, "count of this value")?,
                };
                (one(SAgg::Count, probe), Kind::Scalar)
            }
            AggFunc::Dcount => {
                (one(SAgg::CountDistinct, scalar(self, arg, "dcount of this value")?), Kind::Scalar)
            }
            AggFunc::Sum => (one(SAgg::Sum, scalar(self, arg, "sum")?), Kind::Scalar),
            AggFunc::Avg => (one(SAgg::Avg, scalar(self, arg, "avg")?), Kind::Scalar),
            AggFunc::Min | AggFunc::Max => {
                let func = if agg.func == AggFunc::Min { SAgg::Min } else { SAgg::Max };
                match arg {
                    Some(V::D(lo, None)) => {
                        (V::D(SExpr::Agg(func, Some(Box::new(lo))), None), Kind::Date)
                    }
                    Some(V::D(lo, Some(hi))) => {
                        // The engine orders intervals by first day, then last day: so does
                        // the text `YYYY-MM-DD/YYYY-MM-DD`, which one aggregate can take.
                        let text = |d: SExpr| SExpr::CastText(Box::new(d));
                        let both = text(lo)
                            .bin(SOp::Concat, SExpr::Str("/".into()))
                            .bin(SOp::Concat, text(hi));
                        let agg = SExpr::Agg(func, Some(Box::new(both)));
                        let part = |start: i64| {
                            SExpr::CastDate(Box::new(SExpr::Func(
                                SFunc::Substr,
                                vec![agg.clone(), SExpr::Int(start), SExpr::Int(10)],
                            )))
                        };
                        (V::D(part(1), Some(part(12))), Kind::Date)
                    }
                    other => {
                        (one(func, scalar(self, other, "min or max of this value")?), Kind::Scalar)
                    }
                }
            }
            AggFunc::Set => (one(SAgg::Set, scalar(self, arg, "set of this value")?), Kind::Scalar),
            AggFunc::List => {
                (one(SAgg::List, scalar(self, arg, "list of this value")?), Kind::Scalar)
            }
            AggFunc::First => {
                return Err(unsupported(
                    "first()",
                    span,
                    "the first row in the engine's input order has no SQL equivalent; use min() or max()",
                ));
            }
        })
    }

    // ------------------------------------------------------------------ expressions

    /// A condition; at the top of a `where` (`top`), `==` with a literal may use plain `=`,
    /// since a null there drops the row either way.
    fn condition(&mut self, stage: &mut Stage<'_>, expr: &PExpr, top: bool) -> Result<SExpr> {
        if top {
            match expr {
                PExpr::Bin(BinaryOp::And, a, b) => {
                    let a = self.condition(stage, a, true)?;
                    let b = self.condition(stage, b, true)?;
                    return Ok(a.bin(SOp::And, b));
                }
                PExpr::Bin(BinaryOp::Eq, a, b) if matches!(**b, PExpr::Lit(ref v) if !v.is_null() && !matches!(v, Val::Date(_))) =>
                {
                    let l = self.expr(stage, a)?;
                    let r = self.expr(stage, b)?;
                    if let (V::S(l), V::S(r)) | (V::Ref(_, l), V::Ref(_, r)) =
                        (l.clone(), r.clone())
                    {
                        return Ok(l.eq(r));
                    }
                    return self.equal(l, r, false, stage.span);
                }
                _ => {}
            }
        }
        let value = self.expr(stage, expr)?;
        self.scalar(value, stage.span)
    }

    fn scalar(&self, value: V, span: Span) -> Result<SExpr> {
        match value {
            V::S(e) => Ok(e),
            _ => {
                Err(unsupported("this value where one value is needed", span, "not lowered to SQL"))
            }
        }
    }

    fn expr(&mut self, stage: &mut Stage<'_>, expr: &PExpr) -> Result<V> {
        let span = stage.span;
        Ok(match expr {
            PExpr::Col(idx) => stage.col(*idx),
            PExpr::Lit(v) => self.literal(v, span)?,
            PExpr::Field(base, key) => {
                let base = self.expr(stage, base)?;
                self.field(stage, base, *key)?
            }
            PExpr::DynField(base, name) => {
                let base = self.expr(stage, base)?;
                // A role whose table is known only at run time: the export's roles point
                // at entities (`fact_args.entity_id`).
                let key = match &**name {
                    "id" => FieldKey::EntityId,
                    "name" => FieldKey::EntityName,
                    "kind" => FieldKey::EntityKind,
                    "mentions" => FieldKey::EntityMentions,
                    "wikidata" => FieldKey::EntityWikidata,
                    other => {
                        return Err(unsupported(
                            &format!("`.{other}` of an argument role"),
                            span,
                            "roles are lowered as entities; only their id, name, kind, mentions and wikidata are read",
                        ));
                    }
                };
                let base = match base {
                    V::Ref(_, e) => V::Ref(Table::Entity, e),
                    other => other,
                };
                self.field(stage, base, key)?
            }
            PExpr::List(items) => {
                V::List(items.iter().map(|i| self.expr(stage, i)).collect::<Result<_>>()?)
            }
            PExpr::Neg(a) => {
                let a = self.expr(stage, a)?;
                V::S(SExpr::Neg(Box::new(self.scalar(a, span)?)))
            }
            PExpr::Not(a) => {
                let a = self.condition(stage, a, false)?;
                V::S(SExpr::Not(Box::new(a)))
            }
            PExpr::Bin(op, a, b) => {
                let (l, r) = (self.expr(stage, a)?, self.expr(stage, b)?);
                V::S(self.binary(*op, l, r, span)?)
            }
            PExpr::Regex(a, re) => {
                let a = self.expr(stage, a)?;
                V::S(SExpr::Regex(Box::new(self.scalar(a, span)?), re.as_str().to_owned()))
            }
            PExpr::In { expr, set, negated } => {
                let value = self.expr(stage, expr)?;
                let set = self.expr(stage, set)?;
                V::S(self.in_set(value, set, *negated, span)?)
            }
            PExpr::Between { expr, low, high } => {
                let value = self.expr(stage, expr)?;
                let (low, high) = (self.expr(stage, low)?, self.expr(stage, high)?);
                let ge = self.compare(BinaryOp::Ge, value.clone(), low, span)?;
                let le = self.compare(BinaryOp::Le, value, high, span)?;
                V::S(ge.bin(SOp::And, le))
            }
            PExpr::Has { .. } => {
                return Err(unsupported(
                    "has",
                    span,
                    "whole-word matching needs the engine's word boundaries, which no SQL engine shares; use `~` with a regular expression",
                ));
            }
            PExpr::Call(func, args) => self.call(stage, *func, args)?,
            PExpr::Mentions { container, entities } => {
                let container = self.expr(stage, container)?;
                let ids = self.entity_ids(entities)?;
                let m = self.table("mentions");
                let mut conds = match container {
                    V::Row(Table::Article, alias) => {
                        vec![SExpr::col("m", "article_id").eq(SExpr::col(&alias, "article_id"))]
                    }
                    V::Ref(Table::Article, key) => vec![SExpr::col("m", "article_id").eq(key)],
                    V::Row(Table::Sentence, alias) => vec![
                        SExpr::col("m", "article_id").eq(SExpr::col(&alias, "article_id")),
                        SExpr::col("m", "sentence_idx").eq(SExpr::col(&alias, "sentence_idx")),
                    ],
                    V::Sent(a, s) => vec![
                        SExpr::col("m", "article_id").eq(a),
                        SExpr::col("m", "sentence_idx").eq(s),
                    ],
                    _ => {
                        return Err(unsupported(
                            "mentions() of this value",
                            span,
                            "only articles and sentences mention entities",
                        ));
                    }
                };
                conds.push(SExpr::InList(Box::new(SExpr::col("m", "entity_id")), ids, false));
                let select = Select {
                    items: vec![Item::Expr(SExpr::Int(1), "one".into())],
                    from: Some(From { source: Source::Named(m), alias: "m".into() }),
                    filter: Some(all(conds)),
                    ..Select::default()
                };
                V::S(SExpr::Exists(Box::new(select), false))
            }
        })
    }

    fn entity_ids(&mut self, entities: &[u32]) -> Result<Vec<SExpr>> {
        entities
            .iter()
            .map(|&e| {
                let found = self.resolver.entity(e).ok_or(CompileError::Entity { position: e })?;
                let note = format!("entity {} = {} ({})", quote(&found.id), found.name, found.kind);
                if !self.notes.contains(&note) {
                    self.notes.push(note);
                }
                Ok(SExpr::Str(found.id))
            })
            .collect()
    }

    fn literal(&mut self, v: &Val, span: Span) -> Result<V> {
        Ok(match v {
            Val::Null => V::S(SExpr::Null),
            Val::Bool(b) => V::S(SExpr::Bool(*b)),
            Val::Int(n) => V::S(SExpr::Int(*n)),
            Val::Float(x) => V::S(SExpr::Float(*x)),
            Val::Str(s) => V::S(SExpr::Str(s.to_string())),
            Val::Date(d) => {
                let (lo, hi) = date_bounds(*d);
                V::D(SExpr::Date(lo), Some(SExpr::Date(hi)))
            }
            Val::Duration(n, unit) => V::Dur(*n, *unit),
            Val::Ref(Ref::Entity(e)) => {
                let mut ids = self.entity_ids(&[*e])?;
                V::Ref(Table::Entity, ids.pop().unwrap_or(SExpr::Null))
            }
            Val::List(items) => {
                V::List(items.iter().map(|i| self.literal(i, span)).collect::<Result<_>>()?)
            }
            Val::Ref(_) | Val::Cooc(_) => {
                return Err(unsupported("a stored row as a literal", span, "not lowered to SQL"));
            }
        })
    }

    fn call(&mut self, stage: &mut Stage<'_>, func: Func, args: &[PExpr]) -> Result<V> {
        let span = stage.span;
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.expr(stage, a)?);
        }
        let first = vals.first().cloned().unwrap_or(V::S(SExpr::Null));
        let date_lo = |v: &V| match v {
            V::D(lo, _) => Ok(lo.clone()),
            _ => {
                Err(unsupported("this function on a value that is not a date", span, "not lowered"))
            }
        };
        Ok(match func {
            Func::Bin => match (&first, vals.get(1)) {
                (V::D(lo, _), Some(V::Dur(1, unit))) => {
                    let unit = match unit {
                        DurationUnit::Day => return Ok(V::D(lo.clone(), None)),
                        DurationUnit::Week => "week",
                        DurationUnit::Month => "month",
                        DurationUnit::Year => "year",
                    };
                    let trunc = SExpr::CastDate(Box::new(SExpr::Func(
                        SFunc::Trunc(unit),
                        vec![lo.clone()],
                    )));
                    // The bucket is shown and grouped by its first day; its last day is
                    // not computed, so it cannot be tested with `in` afterwards.
                    V::D(trunc, None)
                }
                (V::D(..), _) => {
                    return Err(unsupported(
                        "bin() of a date by more than one unit",
                        span,
                        "only 1d, 1w, 1mo and 1y buckets are lowered (date_trunc)",
                    ));
                }
                (V::S(x), Some(V::S(size))) => {
                    let div = SExpr::CastDouble(Box::new(x.clone())).bin(SOp::Div, size.clone());
                    V::S(SExpr::Func(SFunc::Floor, vec![div]).bin(SOp::Mul, size.clone()))
                }
                _ => return Err(unsupported("bin() of this value", span, "not lowered")),
            },
            Func::Year => V::S(SExpr::Func(SFunc::Year, vec![date_lo(&first)?])),
            Func::Month => V::S(SExpr::Func(SFunc::Month, vec![date_lo(&first)?])),
            Func::Lower | Func::Upper | Func::Len => {
                let arg = self.scalar(first, span)?;
                let f = match func {
                    Func::Lower => SFunc::Lower,
                    Func::Upper => SFunc::Upper,
                    _ => SFunc::Length,
                };
                V::S(SExpr::Func(f, vec![arg]))
            }
            Func::Coalesce => {
                let args = vals.into_iter().map(|v| self.scalar(v, span)).collect::<Result<_>>()?;
                V::S(SExpr::Func(SFunc::Coalesce, args))
            }
            Func::Fold => {
                return Err(unsupported(
                    "fold()",
                    span,
                    "Unicode folding exists only in factql; the export has folded columns (`*_fold`) instead",
                ));
            }
        })
    }

    fn binary(&mut self, op: BinaryOp, l: V, r: V, span: Span) -> Result<SExpr> {
        Ok(match op {
            BinaryOp::And | BinaryOp::Or => {
                let (l, r) = (self.scalar(l, span)?, self.scalar(r, span)?);
                l.bin(if op == BinaryOp::And { SOp::And } else { SOp::Or }, r)
            }
            BinaryOp::Eq => self.equal(l, r, false, span)?,
            BinaryOp::Ne => self.equal(l, r, true, span)?,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                self.compare(op, l, r, span)?
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => {
                let (l, r) = (self.scalar(l, span)?, self.scalar(r, span)?);
                let op = match op {
                    BinaryOp::Add => SOp::Plus,
                    BinaryOp::Sub => SOp::Minus,
                    _ => SOp::Mul,
                };
                l.bin(op, r)
            }
            BinaryOp::Div => {
                // The engine divides as floats and gives null for a zero divisor; engines
                // differ on both (integer division, errors), so both are spelled out.
                let (l, r) = (self.scalar(l, span)?, self.scalar(r, span)?);
                let r = SExpr::Func(
                    SFunc::NullIf,
                    vec![SExpr::CastDouble(Box::new(r)), SExpr::Float(0.0)],
                );
                SExpr::CastDouble(Box::new(l)).bin(SOp::Div, r)
            }
            BinaryOp::Matches => {
                return Err(unsupported("`~` with a computed pattern", span, "not lowered"));
            }
        })
    }

    /// `==` (or `!=` when `negated`) as the engine means it: a null equals only a null.
    fn equal(&mut self, l: V, r: V, negated: bool, span: Span) -> Result<SExpr> {
        let pairs: Vec<(SExpr, SExpr)> = match (self.parts(l, span)?, self.parts(r, span)?) {
            (a, b) if a.len() == b.len() => a.into_iter().zip(b).collect(),
            (a, b) if b.len() == 1 && b[0] == SExpr::Null => {
                a.into_iter().take(1).map(|x| (x, SExpr::Null)).collect()
            }
            (a, b) if a.len() == 1 && a[0] == SExpr::Null => {
                b.into_iter().take(1).map(|x| (SExpr::Null, x)).collect()
            }
            _ => {
                return Err(unsupported(
                    "a comparison of values of different shapes",
                    span,
                    "not lowered",
                ));
            }
        };
        let tests: Vec<SExpr> = pairs
            .into_iter()
            .map(|(a, b)| match (a, b) {
                (x, SExpr::Null) | (SExpr::Null, x) => SExpr::IsNull(Box::new(x), false),
                (a, b) => SExpr::NullSafeEq(Box::new(a), Box::new(b), false),
            })
            .collect();
        let same = all(tests);
        Ok(if negated { SExpr::Not(Box::new(same)) } else { same })
    }

    /// The SQL parts a value compares by.
    fn parts(&mut self, v: V, span: Span) -> Result<Vec<SExpr>> {
        Ok(match v {
            V::S(e) | V::Ref(_, e) => vec![e],
            V::D(lo, hi) => {
                let hi = hi.unwrap_or_else(|| lo.clone());
                vec![lo, hi]
            }
            V::Sent(a, s) | V::Cooc(a, s) => vec![a, s],
            V::Row(t, alias) => return self.parts(row_key(t, &alias), span),
            V::List(_) | V::Dur(..) => {
                return Err(unsupported("a comparison of lists or durations", span, "not lowered"));
            }
        })
    }

    /// `<`, `<=`, `>`, `>=`: dates compare by first day, then last day, as the engine does.
    fn compare(&mut self, op: BinaryOp, l: V, r: V, span: Span) -> Result<SExpr> {
        let sop = match op {
            BinaryOp::Lt => SOp::Lt,
            BinaryOp::Le => SOp::LtEq,
            BinaryOp::Gt => SOp::Gt,
            _ => SOp::GtEq,
        };
        let strict = match op {
            BinaryOp::Lt | BinaryOp::Le => SOp::Lt,
            _ => SOp::Gt,
        };
        Ok(match (l, r) {
            (V::D(a_lo, a_hi), V::D(b_lo, b_hi)) => {
                let a_hi = a_hi.unwrap_or_else(|| a_lo.clone());
                let b_hi = b_hi.unwrap_or_else(|| b_lo.clone());
                a_lo.clone()
                    .bin(strict, b_lo.clone())
                    .bin(SOp::Or, a_lo.eq(b_lo).bin(SOp::And, a_hi.bin(sop, b_hi)))
            }
            (V::S(a), V::S(b)) => a.bin(sop, b),
            _ => {
                return Err(unsupported(
                    "an ordering comparison of these values",
                    span,
                    "not lowered",
                ));
            }
        })
    }

    fn in_set(&mut self, value: V, set: V, negated: bool, span: Span) -> Result<SExpr> {
        match set {
            V::List(items) => {
                let value = self.scalar(value, span)?;
                let mut list = Vec::new();
                for item in items {
                    match item {
                        V::S(SExpr::Null) if negated => {
                            return Err(unsupported(
                                "null in a `not in` list",
                                span,
                                "SQL's NOT IN with a null drops every row",
                            ));
                        }
                        V::S(e) | V::Ref(_, e) => list.push(e),
                        _ => return Err(unsupported("this list element", span, "not lowered")),
                    }
                }
                // The engine's `in` is false (not null) when a non-null value is not listed.
                let test = SExpr::InList(Box::new(value.clone()), list, negated);
                Ok(SExpr::Func(SFunc::Coalesce, vec![test, SExpr::Bool(negated)])
                    .and(SExpr::IsNull(Box::new(value), true)))
            }
            V::D(s_lo, s_hi) => {
                let (lo, hi) = match value {
                    V::D(lo, hi) => {
                        let hi = hi.unwrap_or_else(|| lo.clone());
                        (lo, hi)
                    }
                    _ => {
                        return Err(unsupported(
                            "`in` a date interval of this value",
                            span,
                            "not lowered",
                        ));
                    }
                };
                let s_hi = s_hi.ok_or_else(|| {
                    unsupported("`in` a bucket made by bin()", span, "its last day is not computed")
                })?;
                let inside = lo.bin(SOp::GtEq, s_lo).bin(SOp::And, hi.bin(SOp::LtEq, s_hi));
                Ok(if negated { SExpr::Not(Box::new(inside)) } else { inside })
            }
            _ => Err(unsupported("`in` this value", span, "not lowered")),
        }
    }

    /// Reads field `key` of the row `base` points to.
    fn field(&mut self, stage: &mut Stage<'_>, base: V, key: FieldKey) -> Result<V> {
        let span = stage.span;
        let table = table_of(key);
        let alias = match &base {
            V::Row(t, alias) if table.is_none_or(|tt| same_table(tt, *t)) => alias.clone(),
            V::Ref(t, k) => {
                let name = self.table_name(*t);
                let key_col = key_column(*t);
                stage.join(&name, vec![(key_col, k.clone())])
            }
            V::Sent(a, s) => {
                let name = self.table("sentences");
                stage.join(&name, vec![("article_id", a.clone()), ("sentence_idx", s.clone())])
            }
            V::Cooc(a, s) => {
                return Ok(match key {
                    FieldKey::CoocArticle => V::Ref(Table::Article, a.clone()),
                    FieldKey::CoocSentence => V::Sent(a.clone(), s.clone()),
                    _ => {
                        return Err(unsupported(
                            "`distance` of a co-occurrence",
                            span,
                            "the export has no word positions",
                        ));
                    }
                });
            }
            _ => return Err(unsupported("a field of this value", span, "not lowered")),
        };
        let c = |col: &str| SExpr::col(&alias, col);
        let fact_kind = match &base {
            V::Row(Table::Fact(k), _) | V::Ref(Table::Fact(k), _) => Some(*k),
            _ => None,
        };
        use FieldKey::*;
        Ok(match key {
            ArticleId => V::S(c("article_id")),
            ArticleTitle => V::S(c("title")),
            ArticleUrl => V::S(c("url")),
            ArticleSource => V::S(c("source")),
            // The date as written, as the engine compares it (`pub_date` is its first day).
            ArticlePublished => V::D(c("published_lo"), Some(c("published_hi"))),
            ArticleLang => V::S(c("lang")),
            ArticleTone => V::S(c("tone")),
            ArticleOrigin => V::S(c("origin")),
            ArticleSupersededBy => V::S(c("superseded_by")),
            ArticleText => {
                // Exported only with `--with-text`; without it the engine names the missing
                // table.
                let text = self.table("article_text");
                let key = match &base {
                    V::Row(_, alias) => SExpr::col(alias, "article_id"),
                    V::Ref(_, k) => k.clone(),
                    _ => SExpr::Null,
                };
                let j = stage.join(&text, vec![("article_id", key)]);
                V::S(SExpr::col(&j, "text"))
            }
            ArticleMeta | ArticleMetaKey(_) => {
                return Err(unsupported(
                    "an article's `meta`",
                    span,
                    "the export holds the metadata as JSON text, which SQL engines read with functions of their own",
                ));
            }
            SentenceId => {
                return Err(unsupported(
                    "a sentence's `id`",
                    span,
                    "the export keys sentences by article and index",
                ));
            }
            SentenceArticle | MentionArticle | FactArticle => {
                V::Ref(Table::Article, c("article_id"))
            }
            SentenceIndex => V::S(c("sentence_idx")),
            SentenceParagraph => V::S(c("paragraph")),
            SentenceText => V::S(c("text")),
            SentenceTone => V::S(c("tone")),
            SentenceIsTitle => V::S(c("is_title")),
            SentenceBoilerplate => V::S(c("boilerplate")),
            MentionEntity => V::Ref(Table::Entity, c("entity_id")),
            MentionKind => V::S(c("kind")),
            MentionType => V::S(c("type")),
            MentionLevel => V::S(c("level")),
            MentionSentence | FactSentence => V::Sent(c("article_id"), c("sentence_idx")),
            MentionStart | FactStart => V::S(c("byte_start")),
            MentionEnd | FactEnd => V::S(c("byte_end")),
            MentionSurface => V::S(c("surface")),
            MentionName => {
                let entity = V::Ref(Table::Entity, c("entity_id"));
                return self.field(stage, entity, EntityName);
            }
            MentionExtractor | FactExtractor => V::S(c("extractor")),
            MentionConfidence | FactConfidence => V::S(c("confidence")),
            EntityId => V::S(c("entity_id")),
            EntityName => V::S(c("name")),
            EntityKind => V::S(c("kind")),
            EntityMentions => {
                // The export's `entities` has no count: the entity's rows of `mentions`.
                let m = self.table("mentions");
                let count = Select {
                    items: vec![Item::Expr(SExpr::Agg(SAgg::Count, None), "n".into())],
                    from: Some(From { source: Source::Named(m), alias: "m".into() }),
                    filter: Some(SExpr::col("m", "entity_id").eq(c("entity_id"))),
                    ..Select::default()
                };
                V::S(SExpr::Subquery(Box::new(count)))
            }
            EntityWikidata => V::S(c("wikidata")),
            EntityAliases => {
                return Err(unsupported(
                    "an entity's `aliases` list",
                    span,
                    "lists are not lowered; the export's `aliases` table holds them",
                ));
            }
            FactId => V::S(c("fact_id")),
            FactKind => V::S(SExpr::Str(
                fact_kind.map(|k| self.kind_schema(k).name.clone()).unwrap_or_default(),
            )),
            FactText => V::S(c("evidence")),
            FactField(idx) => {
                let Some(kind) = fact_kind else {
                    return Err(unsupported(
                        "a declared field of a fact of unknown kind",
                        span,
                        "not lowered",
                    ));
                };
                let schema = self.kind_schema(kind);
                let def = &schema.fields[idx as usize];
                let stem = field_stem(schema, idx as usize);
                match &def.ty {
                    FieldType::Date | FieldType::Interval => {
                        V::D(c(&format!("{stem}_lo")), Some(c(&format!("{stem}_hi"))))
                    }
                    FieldType::List(_) => {
                        return Err(unsupported(
                            &format!("the list field `{}`", def.name),
                            span,
                            "lists are not lowered",
                        ));
                    }
                    _ => V::S(c(&stem)),
                }
            }
            FactRole(idx) => {
                let Some(kind) = fact_kind else {
                    return Err(unsupported(
                        "a role of a fact of unknown kind",
                        span,
                        "not lowered",
                    ));
                };
                let role = self.kind_schema(kind).roles[idx as usize].clone();
                let args = self.table("fact_args");
                // `fact.ROLE` is the role's first argument, as natively.
                let arg = stage.join_on(
                    &args,
                    vec![
                        ("fact_id", c("fact_id")),
                        ("role", SExpr::Str(role)),
                        ("role_ord", SExpr::Int(0)),
                    ],
                );
                V::Ref(Table::Entity, SExpr::col(&arg, "entity_id"))
            }
            CoocArticle | CoocSentence | CoocDistance => {
                return Err(unsupported(
                    "a co-occurrence field of this value",
                    span,
                    "not lowered",
                ));
            }
        })
    }

    /// How a final column is shown: a reference by its title, name or text, as the engine
    /// prints it; a date by its first day.
    fn display(&mut self, stage: &mut Stage<'_>, value: V, _name: &str) -> Result<SExpr> {
        let span = stage.span;
        let key = match &value {
            V::Row(Table::Sentence, _) | V::Sent(..) => Some(FieldKey::SentenceText),
            V::Row(Table::Article, _) | V::Ref(Table::Article, _) => Some(FieldKey::ArticleTitle),
            V::Row(Table::Entity, _) | V::Ref(Table::Entity, _) => Some(FieldKey::EntityName),
            V::Row(Table::Mention, _) | V::Ref(Table::Mention, _) => Some(FieldKey::MentionSurface),
            V::Row(Table::Fact(_), _) | V::Ref(Table::Fact(_), _) => Some(FieldKey::FactText),
            _ => None,
        };
        let value = match key {
            Some(key) => self.field(stage, value, key)?,
            None => value,
        };
        match value {
            V::S(e) => Ok(e),
            V::D(lo, _) => Ok(lo),
            V::Cooc(..) => Err(unsupported(
                "a co-occurrence record as a result column",
                span,
                "select its `sentence.text` or `article.title`",
            )),
            _ => Err(unsupported("this value as a result column", span, "not lowered")),
        }
    }

    // ------------------------------------------------------------------ match

    fn lower_match(
        &mut self,
        patterns: &[PatternPlan],
        width: usize,
        output: &[usize],
        columns: &[Column],
    ) -> Result<Rel> {
        let mut bound: Vec<Option<V>> = vec![None; width];
        let mut types: Vec<Option<Table>> = vec![None; width];
        for (out, col) in output.iter().zip(columns) {
            if let Ty::Ref(Some(t)) = col.ty {
                types[*out] = Some(t);
            }
        }
        let mut from: Option<From> = None;
        let mut joins: Vec<Join> = Vec::new();
        let mut filters: Vec<SExpr> = Vec::new();
        let mut bound_cols: Vec<usize> = Vec::new();
        // An untyped node next to an edge between entities is an entity: roles, `near` and
        // the far side of `mentions` only reach entities in the export.
        for pattern in patterns {
            for (e, edge) in pattern.edges.iter().enumerate() {
                let (left, right) = (&pattern.nodes[e], &pattern.nodes[e + 1]);
                let entity_sides: [bool; 2] = match &edge.kind {
                    EdgeKindSpec::Near(_) | EdgeKindSpec::Fact { to: Some(_), .. } => [true, true],
                    EdgeKindSpec::Fact { to: None, .. } => [
                        !matches!(left.kind, NodeKind::Fact(_)),
                        !matches!(right.kind, NodeKind::Fact(_)),
                    ],
                    EdgeKindSpec::Mentions => [
                        matches!(right.kind, NodeKind::Article | NodeKind::Sentence),
                        matches!(left.kind, NodeKind::Article | NodeKind::Sentence),
                    ],
                };
                for (node, entity) in [(left, entity_sides[0]), (right, entity_sides[1])] {
                    if entity && node.kind == NodeKind::Any && types[node.col].is_none() {
                        types[node.col] = Some(Table::Entity);
                    }
                }
            }
        }
        for pattern in patterns {
            for node in &pattern.nodes {
                if let NodeKind::Term = node.kind {
                    return Err(unsupported(
                        "a `term` node",
                        node.span,
                        "the export has no word positions",
                    ));
                }
                let t = node_table(node).or(types[node.col]);
                if t.is_none() {
                    return Err(unsupported("an untyped node", node.span, "give the node a kind"));
                }
                if types[node.col].is_none() {
                    types[node.col] = t;
                }
            }
            // The engine's traversal: a start node, the edges after it forward, then the
            // ones before it backward. It decides which side a `near` record describes.
            let start = pattern.start_node(&bound_cols);
            bound_cols.extend(pattern.nodes.iter().map(|n| n.col));
            bound_cols.extend(pattern.edges.iter().filter_map(|e| e.col));
            if pattern.edges.is_empty() {
                let node = &pattern.nodes[start];
                let table = types[node.col].ok_or_else(|| {
                    unsupported("an untyped node", node.span, "give the node a kind")
                })?;
                let alias = self.fresh("n");
                let name = self.table_name(table);
                let value = row_key(table, &alias);
                let f = From { source: Source::Named(name), alias: alias.clone() };
                let cond = self.bind(&mut bound, node.col, value.clone(), node.span)?;
                match &from {
                    None => {
                        from = Some(f);
                        filters.extend(cond);
                    }
                    Some(_) => joins.push(Join { left: false, from: f, on: all(cond) }),
                }
                let (extra, mut conds) = self.node_checks(node, table, &value)?;
                joins.extend(extra);
                filters.append(&mut conds);
                continue;
            }
            let order: Vec<(usize, bool)> = (start..pattern.edges.len())
                .map(|e| (e, true))
                .chain((0..start).rev().map(|e| (e, false)))
                .collect();
            for (e, forward) in order {
                let edge = &pattern.edges[e];
                let (left, right) = (&pattern.nodes[e], &pattern.nodes[e + 1]);
                let alias = self.fresh("e");
                let (select, left_val, right_val, edge_val) =
                    self.edge_relation(edge, left, right, forward, &types, &alias)?;
                let (from_node, to_node, from_val, to_val) = if forward {
                    (left, right, left_val, right_val)
                } else {
                    (right, left, right_val, left_val)
                };
                let f = From { source: Source::Sub(Box::new(select)), alias: alias.clone() };
                let mut conds = Vec::new();
                for (node, value) in [(from_node, from_val), (to_node, to_val)] {
                    let first = bound[node.col].is_none();
                    conds.extend(self.bind(&mut bound, node.col, value.clone(), node.span)?);
                    if first {
                        let table = types[node.col].ok_or_else(|| {
                            unsupported("an untyped node", node.span, "give the node a kind")
                        })?;
                        let (extra, more) = self.node_checks(node, table, &value)?;
                        conds.extend(more);
                        joins.extend(extra);
                    }
                }
                if let (Some(col), Some(value)) = (edge.col, edge_val) {
                    conds.extend(self.bind(&mut bound, col, value, edge.span)?);
                }
                match &from {
                    None => {
                        from = Some(f);
                        filters.extend(conds);
                    }
                    Some(_) => {
                        // Node checks were pushed before this edge's join; they refer to
                        // it, so the edge goes in front of them.
                        let at = joins
                            .iter()
                            .position(|j| {
                                j.from.alias.starts_with('n') && references(&j.on, &alias)
                            })
                            .unwrap_or(joins.len());
                        joins.insert(at, Join { left: false, from: f, on: all(conds) });
                    }
                }
            }
        }
        let mut items = Vec::new();
        let mut cols = Vec::new();
        let mut used = Vec::new();
        for (out, column) in output.iter().zip(columns) {
            let value = bound[*out].clone().ok_or_else(|| {
                unsupported("a pattern variable no edge binds", Span::empty(0), "not lowered")
            })?;
            let name = unique(&column.name, &used);
            let (col, new) = self.store(value, &name, &column.ty, Span::empty(0))?;
            used.extend(new.iter().map(|(_, n)| n.clone()));
            items.extend(new.into_iter().map(|(e, n)| Item::Expr(e, n)));
            cols.push(col);
        }
        let select = Select {
            items,
            from,
            joins,
            filter: (!filters.is_empty()).then(|| all(filters)),
            ..Select::default()
        };
        Ok(self.push_cte(select, cols, Vec::new()))
    }

    /// Binds column `col` to `value`, or, when it is bound already, the equality to test.
    fn bind(
        &mut self,
        bound: &mut [Option<V>],
        col: usize,
        value: V,
        span: Span,
    ) -> Result<Vec<SExpr>> {
        match &bound[col] {
            None => {
                bound[col] = Some(value);
                Ok(Vec::new())
            }
            Some(existing) => {
                let (a, b) = (self.parts(existing.clone(), span)?, self.parts(value, span)?);
                Ok(a.into_iter().zip(b).map(|(x, y)| x.eq(y)).collect())
            }
        }
    }

    /// The checks a node adds when it is first bound: entity kind, entity literal, and
    /// `{field: value}` properties (joins to the node's table, and conditions).
    fn node_checks(
        &mut self,
        node: &NodeSpec,
        table: Table,
        value: &V,
    ) -> Result<(Vec<Join>, Vec<SExpr>)> {
        let mut joins = Vec::new();
        let mut conds = Vec::new();
        let key = match value {
            V::Ref(_, k) => Some(k.clone()),
            V::Row(t, alias) => match row_key(*t, alias) {
                V::Ref(_, k) => Some(k),
                _ => None,
            },
            _ => None,
        };
        if let Some(entities) = &node.entities {
            let ids = self.entity_ids(entities)?;
            if let Some(k) = &key {
                conds.push(SExpr::InList(Box::new(k.clone()), ids, false));
            }
        }
        let kind_filter = match &node.kind {
            NodeKind::Entity(Some(kind)) if node.entities.is_none() => Some(kind.to_string()),
            _ => None,
        };
        let needs_row = kind_filter.is_some() || !node.props.is_empty();
        if needs_row && !matches!(value, V::Row(..)) {
            let alias = self.fresh("n");
            let name = self.table_name(table);
            let on = match value {
                V::Sent(a, s) => SExpr::col(&alias, "article_id")
                    .eq(a.clone())
                    .and(SExpr::col(&alias, "sentence_idx").eq(s.clone())),
                _ => SExpr::col(&alias, key_column(table)).eq(key.clone().unwrap_or(SExpr::Null)),
            };
            let mut on = vec![on];
            if let Some(kind) = &kind_filter {
                on.push(SExpr::col(&alias, "kind").eq(SExpr::Str(kind.clone())));
            }
            let row = V::Row(table, alias.clone());
            for (field, expected) in &node.props {
                on.push(self.prop(row.clone(), *field, expected, node.span)?);
            }
            joins.push(Join {
                left: false,
                from: From { source: Source::Named(name), alias },
                on: all(on),
            });
        } else if let V::Row(_, alias) = value {
            if let Some(kind) = &kind_filter {
                conds.push(SExpr::col(alias, "kind").eq(SExpr::Str(kind.clone())));
            }
            for (field, expected) in &node.props {
                conds.push(self.prop(value.clone(), *field, expected, node.span)?);
            }
        }
        Ok((joins, conds))
    }

    /// `{field: value}` on a row read through its alias.
    fn prop(&mut self, row: V, field: FieldKey, expected: &PExpr, span: Span) -> Result<SExpr> {
        let rel = Rel { name: String::new(), cols: Vec::new(), order: Vec::new() };
        let mut stage = Stage::new(&rel, span);
        let value = self.field(&mut stage, row, field)?;
        let expected = self.expr(&mut stage, expected)?;
        if !stage.joins.is_empty() {
            return Err(unsupported(
                "a pattern property read through a reference",
                span,
                "not lowered",
            ));
        }
        match (value, expected) {
            (V::S(a), V::S(b)) => Ok(a.eq(b)),
            (a, b) => self.equal(a, b, false, span),
        }
    }

    /// One edge as a subquery, with the values it gives the pattern's `left` and `right`
    /// nodes (as written) and the edge variable; `forward`: the engine walks it from left to
    /// right.
    #[allow(clippy::type_complexity)]
    fn edge_relation(
        &mut self,
        edge: &EdgeSpec,
        left: &NodeSpec,
        right: &NodeSpec,
        forward: bool,
        types: &[Option<Table>],
        alias: &str,
    ) -> Result<(Select, V, V, Option<V>)> {
        let from_t = types[left.col];
        let to_t = types[right.col];
        let col = |c: &str| SExpr::col(alias, c);
        match &edge.kind {
            EdgeKindSpec::Mentions => {
                let m = self.table("mentions");
                let (container, container_is_from) = match (from_t, to_t) {
                    (Some(t @ (Table::Article | Table::Sentence)), _) => (t, true),
                    (_, Some(t @ (Table::Article | Table::Sentence))) => (t, false),
                    _ => {
                        return Err(unsupported(
                            "a `mentions` edge between these nodes",
                            edge.span,
                            "give the article or sentence node its kind",
                        ));
                    }
                };
                let mut items = vec![Item::Expr(SExpr::col("m", "article_id"), "a".into())];
                if container == Table::Sentence {
                    items.push(Item::Expr(SExpr::col("m", "sentence_idx"), "s".into()));
                }
                items.push(Item::Expr(SExpr::col("m", "entity_id"), "ent".into()));
                let select = Select {
                    distinct: true,
                    items,
                    from: Some(From { source: Source::Named(m), alias: "m".into() }),
                    filter: Some(SExpr::IsNull(Box::new(SExpr::col("m", "entity_id")), true)),
                    ..Select::default()
                };
                let c = if container == Table::Sentence {
                    V::Sent(col("a"), col("s"))
                } else {
                    V::Ref(Table::Article, col("a"))
                };
                let ent = V::Ref(Table::Entity, col("ent"));
                Ok(if container_is_from { (select, c, ent, None) } else { (select, ent, c, None) })
            }
            EdgeKindSpec::Near(scope) => {
                if let ScopeKind::Words(_) = scope {
                    return Err(unsupported(
                        "`near N words`",
                        edge.span,
                        "the export has no word positions",
                    ));
                }
                if !edge.props.is_empty() {
                    return Err(unsupported(
                        "properties on a `near` edge",
                        edge.span,
                        "not lowered",
                    ));
                }
                let m = self.table("mentions");
                let mut on = vec![
                    SExpr::col("m2", "article_id").eq(SExpr::col("m1", "article_id")),
                    SExpr::col("m2", "mention_id").bin(SOp::NotEq, SExpr::col("m1", "mention_id")),
                ];
                match scope {
                    ScopeKind::Sentence => on.push(
                        SExpr::col("m2", "sentence_idx").eq(SExpr::col("m1", "sentence_idx")),
                    ),
                    ScopeKind::Paragraph => {
                        on.push(SExpr::col("m2", "paragraph").eq(SExpr::col("m1", "paragraph")))
                    }
                    _ => {}
                }
                let select = Select {
                    items: vec![
                        Item::Expr(SExpr::col("m1", "entity_id"), "x".into()),
                        Item::Expr(SExpr::col("m2", "entity_id"), "y".into()),
                        Item::Expr(SExpr::col("m1", "article_id"), "a".into()),
                        Item::Expr(SExpr::col("m1", "sentence_idx"), "s".into()),
                    ],
                    from: Some(From { source: Source::Named(m.clone()), alias: "m1".into() }),
                    joins: vec![Join {
                        left: false,
                        from: From { source: Source::Named(m), alias: "m2".into() },
                        on: all(on),
                    }],
                    filter: Some(
                        SExpr::IsNull(Box::new(SExpr::col("m1", "entity_id")), true)
                            .and(SExpr::IsNull(Box::new(SExpr::col("m2", "entity_id")), true)),
                    ),
                    ..Select::default()
                };
                // The record describes the occurrence the walk starts from.
                let (x, y) = (V::Ref(Table::Entity, col("x")), V::Ref(Table::Entity, col("y")));
                let (l, r) = if forward { (x, y) } else { (y, x) };
                Ok((select, l, r, Some(V::Cooc(col("a"), col("s")))))
            }
            EdgeKindSpec::Fact { kind, from: from_role, to: to_role, type_filter } => {
                let schema = self.kind_schema(*kind).clone();
                let ft = self.table_name(Table::Fact(*kind));
                let args = self.table("fact_args");
                let role_from = schema.roles[*from_role as usize].clone();
                let one_way = |this: &mut Self, reverse: bool| -> Result<Select> {
                    let mut joins = vec![Join {
                        left: false,
                        from: From { source: Source::Named(args.clone()), alias: "ra".into() },
                        on: all(vec![
                            SExpr::col("ra", "fact_id").eq(SExpr::col("f", "fact_id")),
                            SExpr::col("ra", "role").eq(SExpr::Str(role_from.clone())),
                            SExpr::col("ra", "role_ord").eq(SExpr::Int(0)),
                            SExpr::IsNull(Box::new(SExpr::col("ra", "entity_id")), true),
                        ]),
                    }];
                    let target = match to_role {
                        Some(r) => {
                            joins.push(Join {
                                left: false,
                                from: From {
                                    source: Source::Named(args.clone()),
                                    alias: "rb".into(),
                                },
                                on: all(vec![
                                    SExpr::col("rb", "fact_id").eq(SExpr::col("f", "fact_id")),
                                    SExpr::col("rb", "role")
                                        .eq(SExpr::Str(schema.roles[*r as usize].clone())),
                                    SExpr::col("rb", "role_ord").eq(SExpr::Int(0)),
                                    SExpr::IsNull(Box::new(SExpr::col("rb", "entity_id")), true),
                                ]),
                            });
                            SExpr::col("rb", "entity_id")
                        }
                        None => SExpr::col("f", "fact_id"),
                    };
                    let (x, y) = if reverse {
                        (target, SExpr::col("ra", "entity_id"))
                    } else {
                        (SExpr::col("ra", "entity_id"), target)
                    };
                    let mut filter = Vec::new();
                    if let Some((field, value)) = type_filter {
                        let name = &schema.fields[*field as usize].name;
                        filter.push(SExpr::col("f", name).eq(SExpr::Str(value.to_string())));
                    }
                    let row = V::Row(Table::Fact(*kind), "f".into());
                    for (field, expected) in &edge.props {
                        filter.push(this.prop(row.clone(), *field, expected, edge.span)?);
                    }
                    Ok(Select {
                        items: vec![
                            Item::Expr(x, "x".into()),
                            Item::Expr(y, "y".into()),
                            Item::Expr(SExpr::col("f", "fact_id"), "fact".into()),
                        ],
                        from: Some(From { source: Source::Named(ft.clone()), alias: "f".into() }),
                        joins,
                        filter: (!filter.is_empty()).then(|| all(filter)),
                        ..Select::default()
                    })
                };
                // `x` is the written left node, `y` the right one: `->` reads the `from`
                // role on the left, `<-` on the right, `-` both (UNION ALL, as the engine
                // walks along and against); towards the fact itself only one way holds.
                let left_is_fact = matches!(from_t, Some(Table::Fact(_)));
                let ways: Vec<bool> = match (edge.direction, to_role) {
                    (Direction::Right, _) => vec![false],
                    (Direction::Left, _) => vec![true],
                    (_, None) => vec![left_is_fact],
                    _ => vec![false, true],
                };
                let mut step = one_way(self, ways[0])?;
                for &w in &ways[1..] {
                    step.union_all.push(one_way(self, w)?);
                }
                if let Some((min, max)) = edge.hops {
                    let (select, l, r) = self.hops(step, min, max, edge, alias)?;
                    return Ok((select, l, r, None));
                }
                let side = |t: Option<Table>, c: &str| match t {
                    Some(Table::Fact(k)) => V::Ref(Table::Fact(k), col(c)),
                    _ => V::Ref(Table::Entity, col(c)),
                };
                let fact = V::Ref(Table::Fact(*kind), col("fact"));
                let _ = to_t;
                Ok((step, side(from_t, "x"), side(to_t, "y"), Some(fact)))
            }
        }
    }

    /// Nodes `min..=max` hops away at their shortest distance, each once, never the start:
    /// the engine's breadth-first walk, as joins (no recursive CTEs).
    fn hops(
        &mut self,
        step: Select,
        min: u32,
        max: u32,
        edge: &EdgeSpec,
        alias: &str,
    ) -> Result<(Select, V, V)> {
        const MAX_SQL_HOPS: u32 = 4;
        if max > MAX_SQL_HOPS {
            return Err(unsupported(
                &format!("a path of up to {max} hops"),
                edge.span,
                &format!("paths are lowered as joins, one per length, up to {MAX_SQL_HOPS} hops"),
            ));
        }
        let step_name = format!("{}_step", alias);
        let step_name = {
            let n = self.ctes.len() + 1;
            format!("s{n}_{step_name}")
        };
        self.ctes.push((step_name.clone(), step));
        let within = |k: u32| -> Select {
            let mut parts: Vec<Select> = (1..=k)
                .map(|len| {
                    let joins = (2..=len)
                        .map(|i| Join {
                            left: false,
                            from: From {
                                source: Source::Named(step_name.clone()),
                                alias: format!("h{i}"),
                            },
                            on: SExpr::col(&format!("h{i}"), "x")
                                .eq(SExpr::col(&format!("h{}", i - 1), "y")),
                        })
                        .collect();
                    Select {
                        items: vec![
                            Item::Expr(SExpr::col("h1", "x"), "x".into()),
                            Item::Expr(SExpr::col(&format!("h{len}"), "y"), "y".into()),
                        ],
                        from: Some(From {
                            source: Source::Named(step_name.clone()),
                            alias: "h1".into(),
                        }),
                        joins,
                        ..Select::default()
                    }
                })
                .collect();
            let mut first = parts.remove(0);
            first.union_all = parts;
            first
        };
        let mut filter = vec![SExpr::col("w", "x").bin(SOp::NotEq, SExpr::col("w", "y"))];
        if min > 1 {
            let nearer = Select {
                items: vec![Item::Expr(SExpr::Int(1), "one".into())],
                from: Some(From {
                    source: Source::Sub(Box::new(within(min - 1))),
                    alias: "v".into(),
                }),
                filter: Some(
                    SExpr::col("v", "x")
                        .eq(SExpr::col("w", "x"))
                        .and(SExpr::col("v", "y").eq(SExpr::col("w", "y"))),
                ),
                ..Select::default()
            };
            filter.push(SExpr::Exists(Box::new(nearer), true));
        }
        let select = Select {
            distinct: true,
            items: vec![
                Item::Expr(SExpr::col("w", "x"), "x".into()),
                Item::Expr(SExpr::col("w", "y"), "y".into()),
            ],
            from: Some(From { source: Source::Sub(Box::new(within(max))), alias: "w".into() }),
            filter: Some(all(filter)),
            ..Select::default()
        };
        Ok((
            select,
            V::Ref(Table::Entity, SExpr::col(alias, "x")),
            V::Ref(Table::Entity, SExpr::col(alias, "y")),
        ))
    }
}

/// Whether `e` reads a column of relation `alias`.
fn references(e: &SExpr, alias: &str) -> bool {
    match e {
        SExpr::Col(rel, _) => rel == alias,
        SExpr::Bin(_, a, b) | SExpr::NullSafeEq(a, b, _) => {
            references(a, alias) || references(b, alias)
        }
        SExpr::Not(a)
        | SExpr::Neg(a)
        | SExpr::IsNull(a, _)
        | SExpr::CastDouble(a)
        | SExpr::CastDate(a)
        | SExpr::CastText(a) => references(a, alias),
        SExpr::InList(a, l, _) => references(a, alias) || l.iter().any(|x| references(x, alias)),
        SExpr::Func(_, args) => args.iter().any(|x| references(x, alias)),
        _ => false,
    }
}

impl<'r> Stage<'r> {
    fn new(rel: &'r Rel, span: Span) -> Stage<'r> {
        Stage { rel, alias: "p".into(), joins: Vec::new(), memo: HashMap::new(), span }
    }

    /// Column `idx` of the input.
    fn col(&self, idx: usize) -> V {
        let Some(col) = self.rel.cols.get(idx) else { return V::S(SExpr::Null) };
        let c = |name: &str| SExpr::col(&self.alias, name);
        match &col.kind {
            Kind::Row(t) => V::Row(*t, self.alias.clone()),
            Kind::Scalar => V::S(c(&col.name)),
            Kind::Ref(t) => V::Ref(*t, c(&col.name)),
            Kind::Sentence => {
                V::Sent(c(&format!("{}__a", col.name)), c(&format!("{}__s", col.name)))
            }
            Kind::Cooc => V::Cooc(c(&format!("{}__a", col.name)), c(&format!("{}__s", col.name))),
            Kind::Date => V::D(c(&col.name), Some(c(&format!("{}__hi", col.name)))),
        }
    }

    /// A `LEFT JOIN` of `table` on key columns, once per distinct key; returns its alias.
    fn join(&mut self, table: &str, keys: Vec<(&str, SExpr)>) -> String {
        self.join_on(table, keys)
    }

    fn join_on(&mut self, table: &str, keys: Vec<(&str, SExpr)>) -> String {
        let memo = format!("{table}:{keys:?}");
        if let Some(alias) = self.memo.get(&memo) {
            return alias.clone();
        }
        let alias = format!("j{}", self.joins.len() + 1);
        let on =
            all(keys.into_iter().map(|(col, value)| SExpr::col(&alias, col).eq(value)).collect());
        self.joins.push(Join {
            left: true,
            from: From { source: Source::Named(table.to_owned()), alias: alias.clone() },
            on,
        });
        self.memo.insert(memo, alias.clone());
        alias
    }

    fn from(&self) -> From {
        From { source: Source::Named(self.rel.name.clone()), alias: self.alias.clone() }
    }

    fn finish(self, items: Vec<Item>, order_by: Vec<Order>) -> Select {
        Select { items, from: Some(self.from()), joins: self.joins, order_by, ..Select::default() }
    }

    /// `SELECT p.* ... WHERE filter`.
    fn finish_filter(self, filter: SExpr) -> Select {
        let mut select = Select {
            items: vec![Item::Star(self.alias.clone())],
            from: Some(self.from()),
            filter: Some(filter),
            ..Select::default()
        };
        select.joins = self.joins;
        select
    }
}

/// The fixed columns of every `fact_<kind>` table (`docs/export.md`).
const FACT_BASE: [&str; 10] = [
    "fact_id",
    "article_id",
    "pub_date",
    "sentence_idx",
    "paragraph",
    "byte_start",
    "byte_end",
    "evidence",
    "extractor",
    "confidence",
];

/// The column stem of declared field `idx` in its `fact_<kind>` table: its name, or
/// `field_NAME` when one of its columns (`NAME`, and `NAME_lo`/`NAME_hi` for dates) is taken by
/// a fixed column or an earlier field, the export's rule (`docs/export.md`).
fn field_stem(schema: &KindSchema, idx: usize) -> String {
    let suffixes = |ty: &FieldType| -> &'static [&'static str] {
        match ty {
            FieldType::Date | FieldType::Interval => &["", "_lo", "_hi"],
            _ => &[""],
        }
    };
    let mut taken: Vec<String> = FACT_BASE.iter().map(|c| (*c).to_owned()).collect();
    for (i, def) in schema.fields.iter().enumerate() {
        let parts = suffixes(&def.ty);
        let clash = parts.iter().any(|s| taken.contains(&format!("{}{s}", def.name)));
        let stem = if clash { format!("field_{}", def.name) } else { def.name.clone() };
        if i == idx {
            return stem;
        }
        taken.extend(parts.iter().map(|s| format!("{stem}{s}")));
    }
    String::new()
}

/// The physical columns of a relation, to keep new names apart from them.
fn physical_names(rel: &Rel, kinds: &[KindSchema]) -> Vec<String> {
    let mut out = Vec::new();
    for col in &rel.cols {
        match &col.kind {
            Kind::Row(t) => {
                out.extend(row_columns(*t).iter().map(|s| (*s).to_owned()));
                if let Table::Fact(k) = t
                    && let Some(schema) = kinds.get(*k as usize)
                {
                    for f in &schema.fields {
                        out.extend([
                            f.name.clone(),
                            format!("{}_lo", f.name),
                            format!("{}_hi", f.name),
                        ]);
                        out.push(format!("field_{}", f.name));
                    }
                }
            }
            Kind::Scalar | Kind::Ref(_) => out.push(col.name.clone()),
            Kind::Sentence | Kind::Cooc => {
                out.push(format!("{}__a", col.name));
                out.push(format!("{}__s", col.name));
            }
            Kind::Date => {
                out.push(col.name.clone());
                out.push(format!("{}__hi", col.name));
            }
        }
    }
    out.extend(rel.order.iter().map(|(n, _, _)| n.clone()));
    out
}

/// Columns a scanned row may have that a new column must not shadow (the exported tables'
/// columns; a fact kind's own fields are added under their names, which are checked too by
/// `unique` against the declared names in the relation's columns).
fn row_columns(t: Table) -> &'static [&'static str] {
    match t {
        Table::Article => &[
            "article_id",
            "pub_date",
            "published",
            "published_precision",
            "published_lo",
            "published_hi",
            "published_ts",
            "ingested_at",
            "origin",
            "title",
            "url",
            "source",
            "lang",
            "tone",
            "byte_len",
            "char_len",
            "n_sentences",
            "superseded_by",
            "meta",
            "pub_month",
        ],
        Table::Sentence => &[
            "article_id",
            "sentence_idx",
            "pub_date",
            "paragraph",
            "byte_start",
            "byte_end",
            "is_title",
            "boilerplate",
            "tone",
            "text",
            "text_fold",
            "char_start",
            "char_end",
            "pub_month",
        ],
        Table::Mention => &[
            "mention_id",
            "article_id",
            "pub_date",
            "sentence_idx",
            "paragraph",
            "byte_start",
            "byte_end",
            "entity_id",
            "kind",
            "type",
            "level",
            "surface",
            "extractor",
            "confidence",
            "pub_month",
        ],
        Table::Entity => &["entity_id", "kind", "name", "name_fold", "wikidata"],
        Table::Fact(_) => &[
            "fact_id",
            "article_id",
            "pub_date",
            "sentence_idx",
            "byte_start",
            "byte_end",
            "paragraph",
            "evidence",
            "extractor",
            "confidence",
            "pub_month",
        ],
    }
}

/// A SQL-safe column name from a result column's name, not among `used`.
fn unique(name: &str, used: &[String]) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("c_{base}");
    }
    let mut candidate = base.clone();
    let mut n = 1;
    while used.contains(&candidate)
        || candidate.ends_with("__hi")
        || candidate.ends_with("__a")
        || candidate.ends_with("__s")
    {
        n += 1;
        candidate = format!("{base}_{n}");
    }
    candidate
}

fn key_column(t: Table) -> &'static str {
    match t {
        Table::Article => "article_id",
        Table::Sentence => "sentence_idx",
        Table::Mention => "mention_id",
        Table::Entity => "entity_id",
        Table::Fact(_) => "fact_id",
    }
}

/// The key of a scanned row.
fn row_key(t: Table, alias: &str) -> V {
    match t {
        Table::Sentence => {
            V::Sent(SExpr::col(alias, "article_id"), SExpr::col(alias, "sentence_idx"))
        }
        t => V::Ref(t, SExpr::col(alias, key_column(t))),
    }
}

fn node_table(node: &NodeSpec) -> Option<Table> {
    match &node.kind {
        NodeKind::Article => Some(Table::Article),
        NodeKind::Sentence => Some(Table::Sentence),
        NodeKind::Entity(_) => Some(Table::Entity),
        NodeKind::Fact(k) => Some(Table::Fact(*k)),
        NodeKind::Any | NodeKind::Term => None,
    }
}

/// The table a field belongs to (`None` for co-occurrence fields).
fn table_of(key: FieldKey) -> Option<TableClass> {
    use FieldKey::*;
    Some(match key {
        ArticleId | ArticleOrigin | ArticleTitle | ArticleUrl | ArticleSource
        | ArticlePublished | ArticleLang | ArticleTone | ArticleText | ArticleMeta
        | ArticleMetaKey(_) | ArticleSupersededBy => TableClass::Article,
        SentenceId | SentenceArticle | SentenceIndex | SentenceParagraph | SentenceText
        | SentenceTone | SentenceIsTitle | SentenceBoilerplate => TableClass::Sentence,
        MentionEntity | MentionKind | MentionType | MentionLevel | MentionArticle
        | MentionSentence | MentionStart | MentionEnd | MentionSurface | MentionName
        | MentionExtractor | MentionConfidence => TableClass::Mention,
        EntityId | EntityName | EntityKind | EntityAliases | EntityMentions | EntityWikidata => {
            TableClass::Entity
        }
        FactId | FactKind | FactArticle | FactSentence | FactStart | FactEnd | FactText
        | FactExtractor | FactConfidence | FactField(_) | FactRole(_) => TableClass::Fact,
        CoocArticle | CoocSentence | CoocDistance => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TableClass {
    Article,
    Sentence,
    Mention,
    Entity,
    Fact,
}

fn same_table(class: TableClass, t: Table) -> bool {
    matches!(
        (class, t),
        (TableClass::Article, Table::Article)
            | (TableClass::Sentence, Table::Sentence)
            | (TableClass::Mention, Table::Mention)
            | (TableClass::Entity, Table::Entity)
            | (TableClass::Fact, Table::Fact(_))
    )
}

/// The first and last day of a date interval, as `YYYY-MM-DD`.
fn date_bounds(d: DateRange) -> (String, String) {
    let day = |days: i32| {
        let (y, m, dd) = DateRange { start: days, end: days + 1, precision: d.precision }.civil();
        format!("{y:04}-{m:02}-{dd:02}")
    };
    (day(d.start), day(d.end - 1))
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_whose_column_is_taken_gets_the_export_prefix() {
        use factql_model::FieldDef;
        let def = |name: &str, ty| FieldDef { name: name.into(), ty, required: false };
        let schema = KindSchema {
            name: "k".into(),
            fields: vec![
                def("evidence", FieldType::Str),
                def("when", FieldType::Date),
                def("when_lo", FieldType::Str),
                def("verb", FieldType::Str),
            ],
            roles: vec![],
        };
        let stems: Vec<String> = (0..4).map(|i| field_stem(&schema, i)).collect();
        assert_eq!(stems, ["field_evidence", "when", "field_when_lo", "verb"]);
    }

    #[test]
    fn names_are_made_safe_and_kept_apart() {
        assert_eq!(unique("who", &[]), "who");
        assert_eq!(unique("p.name", &[]), "p_name");
        assert_eq!(unique("2x", &[]), "c_2x");
        assert_eq!(unique("n", &["n".to_owned()]), "n_2");
        assert_eq!(unique("date__hi", &[]), "date__hi_2");
    }
}

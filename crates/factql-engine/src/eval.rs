//! The evaluator: the state of one run ([`Exec`]: the data, the limits, the terms a match has
//! found) and the value of an expression on a row. The access paths, the grouper, the kernels
//! and the runners of [`crate::exec`] all evaluate through it; it knows none of them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use factql_syntax::{BinaryOp, DurationUnit, ScopeKind};

use crate::catalog::FieldKey;
use crate::dataset::Dataset;
use crate::error::EngineError;
use crate::plan::{Func, PExpr};
use crate::value::{
    DateRange, Precision, Ref, Val, civil_from_days, days_from_civil, days_in_month,
};
use crate::words::words;

/// Limits of one run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The most rows any stage may produce.
    pub row_limit: usize,
    /// Set to true (from another thread) to stop the query.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Scans of at least this many rows run on two threads.
    pub parallel_from: u32,
    /// Use specialised paths for common query shapes: the mention kernel, index seeks,
    /// column tests, building only the groups a `top` keeps (off only to test them against
    /// the generic path).
    pub kernels: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { row_limit: 5_000_000, cancel: None, parallel_from: 200_000, kernels: true }
    }
}

/// One run: the data, the limits, and the occurrences of the terms a match looks for.
pub(crate) struct Exec<'a> {
    pub(crate) ds: &'a Dataset,
    pub(crate) opts: &'a RunOptions,
    pub(crate) terms: HashMap<String, Arc<Vec<Occurrence>>>,
}

/// One place a thing occurs in the text: a mention or a term.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Occurrence {
    pub(crate) article: u32,
    pub(crate) sentence: u32,
    pub(crate) word: u32,
    pub(crate) mention: Option<u32>,
}

impl<'a> Exec<'a> {
    pub(crate) fn new(ds: &'a Dataset, opts: &'a RunOptions) -> Exec<'a> {
        Exec { ds, opts, terms: HashMap::new() }
    }

    /// Fails when the query was cancelled (the flag is only read, so threads that check it
    /// do not contend).
    pub(crate) fn tick(&self) -> Result<(), EngineError> {
        if self.opts.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(EngineError::Cancelled);
        }
        Ok(())
    }

    /// Fails when `rows` exceed the row limit.
    pub(crate) fn limit(
        &self,
        rows: usize,
        stage: usize,
        name: &'static str,
        span: factql_syntax::Span,
    ) -> Result<(), EngineError> {
        if rows > self.opts.row_limit {
            return Err(EngineError::RowLimit { stage, name, limit: self.opts.row_limit, span });
        }
        Ok(())
    }

    /// The mentions of one article (a range, since mentions are ordered by article).
    pub(crate) fn article_mentions(&self, article: u32) -> std::ops::Range<u32> {
        let range = &self.ds.articles[article as usize].sentences;
        if range.is_empty() {
            return 0..0;
        }
        let first = &self.ds.sentences[range.start as usize];
        let last = &self.ds.sentences[range.end as usize - 1];
        first.mentions.start..last.mentions.end
    }

    /// The value of `expr`, borrowed when it is a column, a literal or a stored field, so
    /// that comparing or grouping on it copies nothing (copying shared text is an atomic
    /// count update, which two scan threads would contend on).
    pub(crate) fn eval_cow<'v>(&'v self, expr: &'v PExpr, row: &'v [Val]) -> Cow<'v, Val> {
        match expr {
            PExpr::Col(idx) => row.get(*idx).map_or(Cow::Owned(Val::Null), Cow::Borrowed),
            PExpr::Lit(value) => Cow::Borrowed(value),
            PExpr::Field(base, key) => {
                if let PExpr::Col(idx) = **base
                    && let Some(Val::Ref(r)) = row.get(idx)
                    && let Some(value) = self.ds.read_stored(*r, *key)
                {
                    return Cow::Borrowed(value);
                }
                let base = self.eval_cow(base, row);
                if let Val::Ref(r) = *base
                    && let Some(value) = self.ds.read_stored(r, *key)
                {
                    return Cow::Borrowed(value);
                }
                Cow::Owned(self.field_of(base.into_owned(), *key))
            }
            _ => Cow::Owned(self.eval(expr, row)),
        }
    }

    pub(crate) fn eval(&self, expr: &PExpr, row: &[Val]) -> Val {
        match expr {
            PExpr::Col(idx) => row.get(*idx).cloned().unwrap_or(Val::Null),
            PExpr::Lit(value) => value.clone(),
            PExpr::Field(base, key) => self.field_of(self.eval(base, row), *key),
            PExpr::DynField(base, name) => match self.eval(base, row) {
                Val::Ref(r) => self.ds.read_named(r, name),
                Val::Cooc(c) => match &**name {
                    "article" => Val::Ref(Ref::Article(c.article)),
                    "sentence" => Val::Ref(Ref::Sentence(c.sentence)),
                    "distance" => Val::Int(i64::from(c.distance)),
                    _ => Val::Null,
                },
                _ => Val::Null,
            },
            PExpr::List(items) => Val::List(items.iter().map(|i| self.eval(i, row)).collect()),
            PExpr::Neg(inner) => match self.eval(inner, row) {
                Val::Int(n) => Val::Int(n.wrapping_neg()),
                Val::Float(x) => Val::Float(-x),
                _ => Val::Null,
            },
            PExpr::Not(inner) => match self.eval(inner, row) {
                Val::Bool(b) => Val::Bool(!b),
                _ => Val::Null,
            },
            PExpr::Bin(op, lhs, rhs) => self.binary(*op, lhs, rhs, row),
            PExpr::Regex(inner, regex) => match self.eval(inner, row) {
                Val::Str(text) => Val::Bool(regex.is_match(&text)),
                _ => Val::Null,
            },
            PExpr::In { expr, set, negated } => {
                in_set(&self.eval_cow(expr, row), &self.eval_cow(set, row), *negated)
            }
            PExpr::Between { expr, low, high } => {
                let value = self.eval_cow(expr, row);
                let (low, high) = (self.eval_cow(low, row), self.eval_cow(high, row));
                if value.is_null() || low.is_null() || high.is_null() {
                    return Val::Null;
                }
                Val::Bool(value.total_cmp(&low).is_ge() && value.total_cmp(&high).is_le())
            }
            PExpr::Has { expr, all, terms, scope } => match scope {
                Some((scope_kind, container)) => {
                    let Val::Ref(Ref::Article(a)) = self.eval(container, row) else {
                        return Val::Null;
                    };
                    let article = &self.ds.articles[a as usize];
                    let mut groups: Vec<String> = Vec::new();
                    let mut last_paragraph = u32::MAX;
                    for s in article.sentences.clone() {
                        let text = self.ds.sentence_text(s);
                        let paragraph = self.ds.sentences[s as usize].paragraph;
                        if *scope_kind == ScopeKind::Paragraph && paragraph == last_paragraph {
                            if let Some(last) = groups.last_mut() {
                                last.push(' ');
                                last.push_str(text);
                            }
                        } else {
                            groups.push(text.to_owned());
                        }
                        last_paragraph = paragraph;
                    }
                    Val::Bool(groups.iter().any(|text| has_terms(text, terms, *all)))
                }
                None => match self.eval(expr, row) {
                    Val::Str(text) => Val::Bool(has_terms(&text, terms, *all)),
                    _ => Val::Null,
                },
            },
            PExpr::Call(func, args) => self.call(*func, args, row),
            PExpr::Mentions { container, entities } => match self.eval(container, row) {
                Val::Ref(Ref::Article(a)) => Val::Bool(
                    entities
                        .iter()
                        .any(|&e| self.ds.entities[e as usize].articles.binary_search(&a).is_ok()),
                ),
                Val::Ref(Ref::Sentence(s)) => Val::Bool(entities.iter().any(|&e| {
                    // The entity's mentions are in table order, so ordered by sentence.
                    let list = &self.ds.entities[e as usize].mentions;
                    let at = list.partition_point(|&m| self.ds.mentions[m as usize].sentence < s);
                    list.get(at).is_some_and(|&m| self.ds.mentions[m as usize].sentence == s)
                })),
                _ => Val::Null,
            },
        }
    }

    fn binary(&self, op: BinaryOp, lhs: &PExpr, rhs: &PExpr, row: &[Val]) -> Val {
        match op {
            BinaryOp::And => {
                let l = self.eval(lhs, row);
                if matches!(l, Val::Bool(false)) {
                    return Val::Bool(false);
                }
                match (l, self.eval(rhs, row)) {
                    (Val::Bool(true), Val::Bool(r)) => Val::Bool(r),
                    (_, Val::Bool(false)) => Val::Bool(false),
                    _ => Val::Null,
                }
            }
            BinaryOp::Or => {
                let l = self.eval(lhs, row);
                if matches!(l, Val::Bool(true)) {
                    return Val::Bool(true);
                }
                match (l, self.eval(rhs, row)) {
                    (Val::Bool(false), Val::Bool(r)) => Val::Bool(r),
                    (_, Val::Bool(true)) => Val::Bool(true),
                    _ => Val::Null,
                }
            }
            BinaryOp::Eq | BinaryOp::Ne
                if let (Some(found), PExpr::Lit(Val::Str(wanted))) =
                    (self.borrow_str(lhs, row), rhs) =>
            {
                // A string field against a string literal: compare without copying either.
                match found {
                    Some(text) => Val::Bool((text == &**wanted) == (op == BinaryOp::Eq)),
                    None => Val::Bool(op == BinaryOp::Ne),
                }
            }
            _ => {
                let (l, r) = (self.eval_cow(lhs, row), self.eval_cow(rhs, row));
                compare(op, &l, &r)
            }
        }
    }

    /// The loaded data.
    pub(crate) fn dataset(&self) -> &'a Dataset {
        self.ds
    }

    /// The limits of this run.
    pub(crate) fn options(&self) -> &RunOptions {
        self.opts
    }

    /// Field `key` of a value (a stored row or a co-occurrence record), as `base.field` reads it.
    pub(crate) fn field_of(&self, base: Val, key: FieldKey) -> Val {
        match base {
            Val::Ref(r) => self.ds.read(r, key),
            Val::Cooc(c) => match key {
                FieldKey::CoocArticle => Val::Ref(Ref::Article(c.article)),
                FieldKey::CoocSentence => Val::Ref(Ref::Sentence(c.sentence)),
                FieldKey::CoocDistance => Val::Int(i64::from(c.distance)),
                _ => Val::Null,
            },
            _ => Val::Null,
        }
    }

    /// The text of a string field of a stored row, borrowed: `Some(None)` for a null, `None`
    /// when the expression is not such a field (the caller then evaluates it).
    fn borrow_str<'v>(&'v self, expr: &PExpr, row: &'v [Val]) -> Option<Option<&'v str>> {
        let PExpr::Field(base, key) = expr else { return None };
        let r = match &**base {
            PExpr::Col(idx) => match row.get(*idx)? {
                Val::Ref(r) => *r,
                _ => return None,
            },
            _ => return None,
        };
        self.ds.read_str(r, *key)
    }

    fn call(&self, func: Func, args: &[PExpr], row: &[Val]) -> Val {
        let arg = |idx: usize| args.get(idx).map_or(Val::Null, |a| self.eval(a, row));
        match func {
            Func::Bin => match (arg(0), arg(1)) {
                (Val::Date(date), Val::Duration(amount, unit)) => bin_date(date, amount, unit),
                (Val::Int(x), Val::Int(size)) if size > 0 => Val::Int(x.div_euclid(size) * size),
                (x, size) => match (x.as_f64(), size.as_f64()) {
                    (Some(x), Some(size)) if size > 0.0 => Val::Float((x / size).floor() * size),
                    _ => Val::Null,
                },
            },
            Func::Year => match arg(0) {
                Val::Date(d) => Val::Int(i64::from(d.civil().0)),
                _ => Val::Null,
            },
            Func::Month => match arg(0) {
                Val::Date(d) => Val::Int(i64::from(d.civil().1)),
                _ => Val::Null,
            },
            Func::Lower => match arg(0) {
                Val::Str(s) => Val::str(&s.to_lowercase()),
                _ => Val::Null,
            },
            Func::Upper => match arg(0) {
                Val::Str(s) => Val::str(&s.to_uppercase()),
                _ => Val::Null,
            },
            Func::Fold => match arg(0) {
                Val::Str(s) => Val::str(&factql_model::fold(&s)),
                _ => Val::Null,
            },
            Func::Len => match arg(0) {
                Val::Str(s) => Val::Int(s.chars().count() as i64),
                Val::List(items) => Val::Int(items.len() as i64),
                _ => Val::Null,
            },
            Func::Coalesce => {
                args.iter().map(|a| self.eval(a, row)).find(|v| !v.is_null()).unwrap_or(Val::Null)
            }
        }
    }
}

/// Equal entity kinds. Every entity's kind and every kind in a plan is the dataset's one
/// shared copy of that name (`Dataset::shared_kind`), so equal kinds are the same pointer.
pub(crate) fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b)
}

/// Whole-term match of folded `terms` in `text`; every term for `all`, any otherwise.
fn has_terms(text: &str, terms: &[String], all: bool) -> bool {
    let folded = factql_model::fold(text);
    let text_words: Vec<&str> = words(&folded).collect();
    let contains = |term: &String| {
        let wanted: Vec<&str> = words(term).collect();
        !wanted.is_empty() && text_words.windows(wanted.len()).any(|w| w == wanted.as_slice())
    };
    if all { terms.iter().all(contains) } else { terms.iter().any(contains) }
}

/// `l op r` for a comparison or arithmetic operator, as `==`, `<`, `+`, ... evaluate it.
pub(crate) fn compare(op: BinaryOp, l: &Val, r: &Val) -> Val {
    if l.is_null() || r.is_null() {
        // Comparing with null: `== null` asks whether a value is missing.
        return match op {
            BinaryOp::Eq => Val::Bool(l.is_null() && r.is_null()),
            BinaryOp::Ne => Val::Bool(l.is_null() != r.is_null()),
            _ => Val::Null,
        };
    }
    match op {
        BinaryOp::Eq => Val::Bool(l.equals(r)),
        BinaryOp::Ne => Val::Bool(!l.equals(r)),
        BinaryOp::Lt => Val::Bool(l.total_cmp(r).is_lt()),
        BinaryOp::Le => Val::Bool(l.total_cmp(r).is_le()),
        BinaryOp::Gt => Val::Bool(l.total_cmp(r).is_gt()),
        BinaryOp::Ge => Val::Bool(l.total_cmp(r).is_ge()),
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => arithmetic(op, l, r),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Matches => Val::Null,
    }
}

/// `value in set` (a list, or a date interval), or `not in` when `negated`.
pub(crate) fn in_set(value: &Val, set: &Val, negated: bool) -> Val {
    if value.is_null() {
        return Val::Null;
    }
    let found = match set {
        Val::List(items) => items.iter().any(|item| item.equals(value)),
        Val::Date(range) => matches!(*value, Val::Date(d) if range.contains(d)),
        _ => return Val::Null,
    };
    Val::Bool(found != negated)
}

pub(crate) fn arithmetic(op: BinaryOp, l: &Val, r: &Val) -> Val {
    if let (Val::Int(a), Val::Int(b)) = (l, r) {
        return match op {
            BinaryOp::Add => Val::Int(a.wrapping_add(*b)),
            BinaryOp::Sub => Val::Int(a.wrapping_sub(*b)),
            BinaryOp::Mul => Val::Int(a.wrapping_mul(*b)),
            _ if *b == 0 => Val::Null,
            _ => Val::Float(*a as f64 / *b as f64),
        };
    }
    match (l.as_f64(), r.as_f64()) {
        (Some(a), Some(b)) => match op {
            BinaryOp::Add => Val::Float(a + b),
            BinaryOp::Sub => Val::Float(a - b),
            BinaryOp::Mul => Val::Float(a * b),
            _ if b == 0.0 => Val::Null,
            _ => Val::Float(a / b),
        },
        _ => Val::Null,
    }
}

/// The calendar bucket of `amount` units that holds `date`.
pub(crate) fn bin_date(date: DateRange, amount: u64, unit: DurationUnit) -> Val {
    let amount = amount.max(1) as i64;
    let (year, month, day) = date.civil();
    let bucket = match unit {
        // The common `1mo`: the month of the first day, without dividing.
        DurationUnit::Month if amount == 1 => {
            let start = date.start - (day as i32 - 1);
            Some(DateRange {
                start,
                end: start + days_in_month(year, month) as i32,
                precision: Precision::Month,
            })
        }
        DurationUnit::Year => {
            let y = (i64::from(year)).div_euclid(amount) * amount;
            DateRange::from_parts(y as i32, None, None)
                .map(|d| DateRange { end: days_from_civil(y as i32 + amount as i32, 1, 1), ..d })
        }
        DurationUnit::Month => {
            let index = i64::from(year) * 12 + i64::from(month) - 1;
            let start = index.div_euclid(amount) * amount;
            let end = start + amount;
            let (sy, sm) = (start.div_euclid(12) as i32, (start.rem_euclid(12) + 1) as u32);
            let (ey, em) = (end.div_euclid(12) as i32, (end.rem_euclid(12) + 1) as u32);
            Some(DateRange {
                start: days_from_civil(sy, sm, 1),
                end: days_from_civil(ey, em, 1),
                precision: Precision::Month,
            })
        }
        DurationUnit::Week | DurationUnit::Day => {
            let days = if unit == DurationUnit::Week { amount * 7 } else { amount };
            // Weeks start on Monday: 1970-01-05 was one.
            let origin = if unit == DurationUnit::Week { 4 } else { 0 };
            let start = (i64::from(date.start) - origin).div_euclid(days) * days + origin;
            let (y, m, d) = civil_from_days(start as i32);
            DateRange::from_parts(y, Some(m), Some(d))
                .map(|r| DateRange { end: start as i32 + days as i32, ..r })
        }
    };
    bucket.map_or(Val::Null, Val::Date)
}

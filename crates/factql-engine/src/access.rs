//! How a scan reaches its rows: which rows it visits (an index seek, when a filter pins an
//! entity by name) and which conjuncts of its filters it tests on the stored columns
//! directly, without building a row or evaluating an expression tree.
//!
//! Both are exact: a seek yields a superset of the rows that can pass, and every filter
//! still runs on them; a column test computes what the generic evaluator would.

use factql_syntax::BinaryOp;

use crate::catalog::{FieldKey, Table};
use crate::dataset::{Dataset, NULL_DAYS};
use crate::eval::{compare, in_set};
use crate::plan::PExpr;
use crate::value::{DateRange, Ref, Val};

/// The conjuncts of `filters`: a row passes all the filters exactly when it passes every
/// conjunct (`and` is true only when both sides are).
pub(crate) fn conjuncts<'p>(filters: &[&'p PExpr]) -> Vec<&'p PExpr> {
    let mut pending: Vec<&PExpr> = filters.iter().rev().copied().collect();
    let mut out = Vec::new();
    while let Some(cond) = pending.pop() {
        match cond {
            PExpr::Bin(BinaryOp::And, lhs, rhs) => {
                pending.push(rhs);
                pending.push(lhs);
            }
            other => out.push(other),
        }
    }
    out
}

/// One conjunct tested on a column.
enum Test<'a, 'p> {
    /// A fact field against a constant: `column[i] op constant`.
    Cmp { column: &'a [Val], op: BinaryOp, constant: &'p Val },
    /// A fact field in a list or date interval.
    In { column: &'a [Val], set: &'p Val, negated: bool },
    /// A fact field in a date interval (`date in @2022`): the common case of `In`, on the
    /// field's day column.
    InDays { days: &'a [[i32; 2]], range: DateRange, negated: bool },
    /// A mention's categorical field against a text, as dictionary codes.
    Code(CodeTest),
    /// An article's text `has` single words: the word index's answer, one flag per article.
    Words(Vec<bool>),
}

/// A mention's categorical field (`kind`, `type`, `level`, `extractor`) equal (or not) to a
/// text, compared as dictionary codes.
#[derive(Clone, Copy)]
pub(crate) struct CodeTest {
    /// The field.
    pub field: FieldKey,
    /// The text's code; `None` when no mention has that text.
    pub code: Option<u16>,
    /// `==` (or `!=`).
    pub equal: bool,
}

impl CodeTest {
    /// The test for `cond` on a mention scan (row in column 0), if it is one.
    pub(crate) fn of(ds: &Dataset, cond: &PExpr) -> Option<CodeTest> {
        let PExpr::Bin(op @ (BinaryOp::Eq | BinaryOp::Ne), lhs, rhs) = cond else { return None };
        let (PExpr::Field(base, field), PExpr::Lit(Val::Str(text))) = (&**lhs, &**rhs) else {
            return None;
        };
        let categorical = matches!(
            field,
            FieldKey::MentionKind
                | FieldKey::MentionType
                | FieldKey::MentionLevel
                | FieldKey::MentionExtractor
        );
        if !categorical || !matches!(**base, PExpr::Col(0)) || !ds.codes.exact() {
            return None;
        }
        Some(CodeTest { field: *field, code: ds.codes.find(text), equal: *op == BinaryOp::Eq })
    }

    /// Whether mention `i` passes.
    pub(crate) fn pass(&self, ds: &Dataset, i: usize) -> bool {
        let value = match self.field {
            FieldKey::MentionKind => ds.mention_cols.kind[i],
            FieldKey::MentionType => ds.mentions[i].ent_type,
            FieldKey::MentionLevel => ds.mentions[i].level,
            _ => ds.mentions[i].extractor,
        };
        (Some(value) == self.code) == self.equal
    }
}

/// A scan's filters split into column tests and the conjuncts left to the evaluator.
pub(crate) struct Filters<'a, 'p> {
    tests: Vec<Test<'a, 'p>>,
    /// Conjuncts evaluated on the row.
    pub rest: Vec<&'p PExpr>,
}

impl<'a, 'p> Filters<'a, 'p> {
    /// Splits `filters` on a scan of `table`; with `compile` false every conjunct is left
    /// to the evaluator (to test the column tests against it).
    pub(crate) fn new(
        ds: &'a Dataset,
        table: Table,
        filters: &[&'p PExpr],
        compile: bool,
    ) -> Filters<'a, 'p> {
        let mut tests = Vec::new();
        let mut rest = Vec::new();
        for cond in conjuncts(filters) {
            match compile.then(|| test(ds, table, cond)).flatten() {
                Some(test) => tests.push(test),
                None => rest.push(cond),
            }
        }
        Filters { tests, rest }
    }

    /// The first position in `from..to` of `rows` whose row passes the column tests.
    pub(crate) fn next_pass(
        &self,
        ds: &Dataset,
        rows: &Rows<'_>,
        from: u32,
        to: u32,
    ) -> Option<u32> {
        match (self.tests.as_slice(), rows) {
            ([], _) => (from < to).then_some(from),
            // The common single date test over a whole table: one tight loop.
            ([Test::InDays { days, range, negated }], Rows::All(_)) => {
                (from..to).find(|&i| in_days(days[i as usize], *range, *negated))
            }
            _ => (from..to).find(|&pos| self.pass(ds, rows.at(pos))),
        }
    }

    /// Whether row `idx` of the table passes the column tests.
    fn pass(&self, ds: &Dataset, idx: u32) -> bool {
        let i = idx as usize;
        self.tests.iter().all(|test| match test {
            Test::Cmp { column, op, constant } => compare(*op, &column[i], constant).truthy(),
            Test::In { column, set, negated } => in_set(&column[i], set, *negated).truthy(),
            Test::InDays { days, range, negated } => in_days(days[i], *range, *negated),
            Test::Code(test) => test.pass(ds, i),
            Test::Words(has) => has[i],
        })
    }
}

/// `date in range` (or `not in`) on a day column's entry, as `in_set` decides it: null is
/// not in anything, in or not.
fn in_days(days: [i32; 2], range: DateRange, negated: bool) -> bool {
    let [start, end] = days;
    days != NULL_DAYS && (range.start <= start && end <= range.end) != negated
}

/// The column test for `cond`, if it is a stored column against a constant.
fn test<'a, 'p>(ds: &'a Dataset, table: Table, cond: &'p PExpr) -> Option<Test<'a, 'p>> {
    // The column a `Field(row, key)` reads, for facts.
    let fact_column = |expr: &PExpr| -> Option<&'a [Val]> {
        let (PExpr::Field(base, FieldKey::FactField(f)), Table::Fact(k)) = (expr, table) else {
            return None;
        };
        matches!(**base, PExpr::Col(0)).then_some(())?;
        ds.kinds.get(k as usize)?.fields.get(*f as usize).map(|column| column.as_slice())
    };
    // The day column of a date field, for facts.
    let fact_days = |expr: &PExpr| -> Option<&'a [[i32; 2]]> {
        let (PExpr::Field(_, FieldKey::FactField(f)), Table::Fact(k)) = (expr, table) else {
            return None;
        };
        ds.kinds.get(k as usize)?.days.get(*f as usize)?.as_deref()
    };
    match cond {
        PExpr::Bin(
            op @ (BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge),
            lhs,
            rhs,
        ) => {
            let PExpr::Lit(constant) = &**rhs else { return None };
            if let Some(column) = fact_column(lhs) {
                return Some(Test::Cmp { column, op: *op, constant });
            }
            if table != Table::Mention {
                return None;
            }
            CodeTest::of(ds, cond).map(Test::Code)
        }
        PExpr::In { expr, set, negated } => {
            let PExpr::Lit(set) = &**set else { return None };
            let column = fact_column(expr)?;
            if let (Val::Date(range), Some(days)) = (set, fact_days(expr)) {
                return Some(Test::InDays { days, range: *range, negated: *negated });
            }
            Some(Test::In { column, set, negated: *negated })
        }
        PExpr::Has { .. } => words_test(ds, table, cond).map(Test::Words),
        _ => None,
    }
}

/// `text has` on an article scan's own text, every term a single word (or none): then the
/// word index answers exactly, since it holds the very words `has` compares (the folded
/// text's runs of letters and digits), and a one-word term is in a text exactly when it is
/// one of those words. A phrase is left to the evaluator (the seek still narrows it).
fn words_test(ds: &Dataset, table: Table, cond: &PExpr) -> Option<Vec<bool>> {
    let PExpr::Has { terms, .. } = cond else { return None };
    if terms.iter().any(|term| crate::words::words(term).nth(1).is_some()) {
        return None;
    }
    let articles = text_seek(ds, table, cond)?;
    let mut has = vec![false; ds.articles.len()];
    for a in articles {
        has[a as usize] = true;
    }
    Some(has)
}

/// The rows of `table` that can pass `filters`, ascending, when one of the conjuncts pins
/// an entity by name: `actor.name == "X"` on facts (through the role index, with the facts
/// whose role holds something other than an entity), `entity.name == "X"` on mentions (the
/// entities' mentions); or asks for words in an article's text: `text has "X"` on articles
/// (through the word index). The smallest such set wins; `None` when no conjunct pins one.
pub(crate) fn seek(ds: &Dataset, table: Table, filters: &[&PExpr]) -> Option<Vec<u32>> {
    let mut best: Option<Vec<u32>> = None;
    for cond in conjuncts(filters) {
        if let Some(rows) = text_seek(ds, table, cond) {
            if best.as_ref().is_none_or(|b| rows.len() < b.len()) {
                best = Some(rows);
            }
            continue;
        }
        let PExpr::Bin(BinaryOp::Eq, lhs, rhs) = cond else { continue };
        let (holder, name) = match (&**lhs, &**rhs) {
            (PExpr::Field(holder, FieldKey::EntityName), PExpr::Lit(Val::Str(name))) => {
                (&**holder, name)
            }
            // A role's `name`: the entity's, or an unlinked mention's (or a fact's field).
            (PExpr::DynField(holder, field), PExpr::Lit(Val::Str(name))) if &**field == "name" => {
                (&**holder, name)
            }
            _ => continue,
        };
        let PExpr::Field(row, holder_key) = holder else { continue };
        if !matches!(**row, PExpr::Col(0)) {
            continue;
        }
        let named: Vec<u32> = ds
            .entities_named(name, None)
            .into_iter()
            .filter(|&e| *ds.entities[e as usize].name == **name)
            .collect();
        let lists: Vec<&[u32]> = match (table, holder_key) {
            (Table::Fact(k), FieldKey::FactRole(role)) => {
                let Some(index) = ds.kinds[k as usize].by_role.get(*role as usize) else {
                    continue;
                };
                named
                    .iter()
                    .filter_map(|&e| index.by_target.get(&Ref::Entity(e)).map(Vec::as_slice))
                    .chain(std::iter::once(index.not_entity.as_slice()))
                    .filter(|list| !list.is_empty())
                    .collect()
            }
            (Table::Mention, FieldKey::MentionEntity) => {
                named.iter().map(|&e| ds.entities[e as usize].mentions.as_slice()).collect()
            }
            _ => continue,
        };
        let mut rows: Vec<u32> = lists.concat();
        if lists.len() > 1 {
            rows.sort_unstable();
            rows.dedup();
        }
        if best.as_ref().is_none_or(|b| rows.len() < b.len()) {
            best = Some(rows);
        }
    }
    best
}

/// The articles that can pass `cond` when it is `text has ...` (without a scope) on an
/// article scan's own text: those the word index gives for the terms, a superset, as the
/// index holds exactly the words `has` compares. (Sentences are not sought: a sentence
/// cut inside a run of letters would have a word its article does not.)
fn text_seek(ds: &Dataset, table: Table, cond: &PExpr) -> Option<Vec<u32>> {
    let PExpr::Has { expr, all, terms, scope: None } = cond else { return None };
    let PExpr::Field(row, FieldKey::ArticleText) = &**expr else { return None };
    if table != Table::Article || !matches!(**row, PExpr::Col(0)) {
        return None;
    }
    Some(ds.words.candidates(terms, *all))
}

/// The rows a scan visits: the whole table, or the rows an index gave.
pub(crate) enum Rows<'s> {
    All(u32),
    List(&'s [u32]),
}

impl Rows<'_> {
    /// How many rows.
    pub(crate) fn len(&self) -> u32 {
        match self {
            Rows::All(count) => *count,
            Rows::List(list) => list.len() as u32,
        }
    }

    /// The row at position `pos`.
    pub(crate) fn at(&self, pos: u32) -> u32 {
        match self {
            Rows::All(_) => pos,
            Rows::List(list) => list[pos as usize],
        }
    }
}

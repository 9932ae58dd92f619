//! Grouping for `summarize`: rows are folded into groups by their key values, one row at a
//! time, and each group's aggregates are kept as running states.
//!
//! Keys are evaluated borrowed where they can be (a column, a literal, a stored field), so a
//! row that joins an existing group copies nothing. A key that reads a field of an entity
//! (`entity.name`, `p.kind`) is grouped by the entity's class for that field
//! ([`Dataset::class_of`](crate::dataset::Dataset::class_of)): the first entity with an equal
//! value. That is cheap to hash and compare, groups two entities that share a name exactly as
//! their names would, and the field is read once per group at the end.

use std::borrow::Cow;

use factql_syntax::BinaryOp;

use crate::catalog::FieldKey;
use factql_syntax::DurationUnit;

use crate::dataset::NULL_CLASS;
use std::sync::Arc;

use crate::eval::{Exec, arithmetic, bin_date};
use crate::plan::{Agg, AggFunc, Func, PExpr};
use crate::relation::{GROUP_EVIDENCE, GroupEvidence, Prov, Row};
use crate::value::{DateRange, FxMap, FxSet, One, Ref, Val, hash_val_refs};

/// The value of a missing key slot.
static NULL: Val = Val::Null;

/// Keys of at most this many columns are evaluated into an array, not a vector.
const INLINE_KEYS: usize = 4;

/// How a key is grouped while rows come in.
#[derive(Clone, Copy)]
enum Early<'p> {
    /// By the expression's value.
    Value(&'p PExpr),
    /// `bin(date, N unit)`: the bucket of the date (computed once for a run of rows with the
    /// same date); the whole expression when the argument is not a date.
    DateBin(&'p PExpr, &'p PExpr, u64, DurationUnit),
    /// By the class of the entity `base` for `field`; the field is read at the end.
    Class(&'p PExpr, FieldKey),
}

/// Only the first `count` groups by one aggregate are wanted (a `top` right after the
/// `summarize`), so only their keys are read and their rows built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shortlist {
    /// The aggregate ranked on (its position among the aggregates).
    pub agg: usize,
    /// How many groups.
    pub count: usize,
    /// Largest first.
    pub desc: bool,
}

/// Groups rows by key values and folds each group's aggregates, one row at a time, without
/// allocating per row.
pub(crate) struct Grouper<'p> {
    early: Vec<Early<'p>>,
    aggs: &'p [Agg],
    /// Whether each aggregate counts distinct articles of rows that arrive in article order.
    sorted: Vec<bool>,
    /// Hash of a key → the groups with that hash.
    index: FxMap<u64, Vec<u32>>,
    /// Group of each entity, for the common single key that is an entity (`u32::MAX`: none).
    dense: Vec<u32>,
    /// The group of the last row that went through the hash index.
    last: Option<u32>,
    /// For each key, the last date binned and its bucket.
    binned: Vec<Option<(DateRange, Val)>>,
    /// The key values of all groups, `early.len()` per group, in order of appearance.
    key_vals: Vec<Val>,
    /// The evidence of each group's first row.
    provs: Vec<Option<Prov>>,
    /// Each group's row count and evidence list (touched per row only to count, and to add
    /// evidence while the list is not full).
    evidence: Vec<EvidenceList>,
    /// The aggregate states of all groups, side by side: group `g` owns
    /// `states[g * aggs.len()..(g + 1) * aggs.len()]`. One allocation keeps them close in
    /// memory, which is what a scan over millions of rows waits on.
    states: Vec<AggState>,
}

impl<'p> Grouper<'p> {
    /// `article_ordered`: rows arrive in article order, so `dcount(article)` may count changes.
    pub(crate) fn new(keys: &'p [PExpr], aggs: &'p [Agg], article_ordered: bool) -> Grouper<'p> {
        let early: Vec<Early<'p>> = keys
            .iter()
            .map(|key| match key {
                PExpr::Field(base, field) if deferrable(*field) => Early::Class(base, *field),
                PExpr::Call(Func::Bin, args) => match args.as_slice() {
                    [date, PExpr::Lit(Val::Duration(amount, unit))] => {
                        Early::DateBin(key, date, *amount, *unit)
                    }
                    _ => Early::Value(key),
                },
                other => Early::Value(other),
            })
            .collect();
        let sorted = aggs
            .iter()
            .map(|agg| {
                article_ordered
                    && agg.func == AggFunc::Dcount
                    && matches!(&agg.arg, Some(PExpr::Field(base, FieldKey::MentionArticle | FieldKey::SentenceArticle)) if matches!(**base, PExpr::Col(0)))
            })
            .collect();
        Grouper::empty(early, aggs, sorted)
    }

    /// An empty grouper with the same keys and aggregates, for another thread's rows.
    pub(crate) fn fork(&self) -> Grouper<'p> {
        Grouper::empty(self.early.clone(), self.aggs, self.sorted.clone())
    }

    fn empty(early: Vec<Early<'p>>, aggs: &'p [Agg], sorted: Vec<bool>) -> Grouper<'p> {
        Grouper {
            binned: vec![None; early.len()],
            early,
            aggs,
            sorted,
            index: FxMap::default(),
            dense: Vec::new(),
            last: None,
            key_vals: Vec::new(),
            provs: Vec::new(),
            evidence: Vec::new(),
            states: Vec::new(),
        }
    }

    /// How many groups so far.
    pub(crate) fn len(&self) -> usize {
        self.provs.len()
    }

    fn key(&self, group: usize) -> &[Val] {
        let width = self.early.len();
        &self.key_vals[group * width..(group + 1) * width]
    }

    fn push_group(&mut self, key: &[Cow<'_, Val>], prov: Option<Prov>) -> usize {
        for (agg, &sorted) in self.aggs.iter().zip(&self.sorted) {
            self.states.push(if sorted {
                AggState::DcountSorted(0, Val::Null)
            } else {
                AggState::new(agg.func)
            });
        }
        self.key_vals.extend(key.iter().map(|value| (**value).clone()));
        self.provs.push(prov);
        self.evidence.push(EvidenceList::default());
        self.len() - 1
    }

    /// Adds a group whose states were computed elsewhere (a specialised loop); `key` holds
    /// what the keys group on while rows come in (the entity, for a class key).
    /// `rows` and `evidence` are the group's row count and the evidence of its first rows.
    pub(crate) fn push_filled(
        &mut self,
        key: &[Val],
        states: impl IntoIterator<Item = AggState>,
        prov: Option<Prov>,
        rows: u64,
        evidence: impl IntoIterator<Item = Prov>,
    ) {
        self.key_vals.extend(key.iter().cloned());
        self.states.extend(states);
        self.provs.push(prov);
        let mut list = EvidenceList { rows, ..EvidenceList::default() };
        for prov in evidence {
            list.add(prov);
        }
        self.evidence.push(list);
    }

    /// The group of `key`, created if new.
    fn group_of(&mut self, key: &[Cow<'_, Val>], prov: &dyn Fn() -> Option<Prov>) -> usize {
        if let [single] = key
            && let Val::Ref(Ref::Entity(e)) = **single
        {
            let e = e as usize;
            if e >= self.dense.len() {
                let len = (e + 1).max(self.dense.len() * 2).max(1024);
                self.dense.resize(len, u32::MAX);
            }
            if self.dense[e] != u32::MAX {
                return self.dense[e] as usize;
            }
            self.dense[e] = self.len() as u32;
            return self.push_group(key, prov());
        }
        let same = |stored: &[Val]| stored.iter().zip(key).all(|(a, b)| a.same(b));
        // Rows come in article order, and rows of one article often share their key: try
        // the last row's group before hashing.
        if let Some(&last) = self.last.as_ref()
            && same(self.key(last as usize))
        {
            return last as usize;
        }
        let hash = hash_val_refs(key.iter().map(|value| &**value));
        if let Some(slot) = self.index.get(&hash)
            && let Some(&g) = slot.iter().find(|&&g| same(self.key(g as usize)))
        {
            self.last = Some(g);
            return g as usize;
        }
        let group = self.len() as u32;
        self.index.entry(hash).or_default().push(group);
        self.last = Some(group);
        self.push_group(key, prov())
    }

    /// The value a key groups on for `row`; `binned` is the key's last binned date.
    fn early_value<'v>(
        exec: &'v Exec<'_>,
        early: Early<'v>,
        row: &'v [Val],
        binned: &mut Option<(DateRange, Val)>,
    ) -> Cow<'v, Val> {
        match early {
            Early::Value(expr) => exec.eval_cow(expr, row),
            Early::DateBin(whole, date, amount, unit) => match &*exec.eval_cow(date, row) {
                Val::Date(date) => {
                    if let Some((last, bucket)) = binned.as_ref()
                        && last == date
                    {
                        return Cow::Owned(bucket.clone());
                    }
                    let bucket = bin_date(*date, amount, unit);
                    *binned = Some((*date, bucket.clone()));
                    Cow::Owned(bucket)
                }
                _ => Cow::Owned(exec.eval(whole, row)),
            },
            Early::Class(base, field) => match &*exec.eval_cow(base, row) {
                Val::Ref(Ref::Entity(e)) => match exec.dataset().class_of(field, *e) {
                    Some(NULL_CLASS) => Cow::Owned(Val::Null),
                    Some(class) => Cow::Owned(Val::Ref(Ref::Entity(class))),
                    None => Cow::Owned(exec.field_of(Val::Ref(Ref::Entity(*e)), field)),
                },
                other => Cow::Owned(exec.field_of(other.clone(), field)),
            },
        }
    }

    /// Adds one row; `prov` gives its evidence, asked only for a row that starts a group.
    pub(crate) fn add(&mut self, exec: &Exec<'_>, row: &[Val], prov: &dyn Fn() -> Option<Prov>) {
        let width = self.early.len();
        let group = if width <= INLINE_KEYS {
            let mut key: [Cow<'_, Val>; INLINE_KEYS] =
                std::array::from_fn(|_| Cow::Borrowed(&NULL));
            for ((slot, &early), binned) in key.iter_mut().zip(&self.early).zip(&mut self.binned) {
                *slot = Self::early_value(exec, early, row, binned);
            }
            self.group_of(&key[..width], prov)
        } else {
            let mut binned = std::mem::take(&mut self.binned);
            let key: Vec<Cow<'_, Val>> = self
                .early
                .iter()
                .zip(&mut binned)
                .map(|(&early, binned)| Self::early_value(exec, early, row, binned))
                .collect();
            let group = self.group_of(&key, prov);
            drop(key);
            self.binned = binned;
            group
        };
        let list = &mut self.evidence[group];
        list.rows += 1;
        if list.len < GROUP_EVIDENCE as u8
            && let Some(prov) = prov()
        {
            list.add(prov);
        }
        let base = group * self.aggs.len();
        for (offset, agg) in self.aggs.iter().enumerate() {
            let value = agg.arg.as_ref().map(|arg| exec.eval_cow(arg, row));
            self.states[base + offset].add(value.as_deref());
        }
    }

    /// Folds the groups of another thread's grouper (over other articles) into this one.
    pub(crate) fn absorb(&mut self, other: Grouper<'p>) {
        let width = self.aggs.len();
        let mut states = other.states.into_iter();
        let mut evidence = other.evidence.into_iter();
        for (group, prov) in other.provs.into_iter().enumerate() {
            let key: Vec<Cow<'_, Val>> = other.key_vals
                [group * other.early.len()..(group + 1) * other.early.len()]
                .iter()
                .map(Cow::Borrowed)
                .collect();
            let into = self.group_of(&key, &|| prov);
            if let Some(theirs) = evidence.next() {
                // The other thread's rows come after this one's.
                let mine = &mut self.evidence[into];
                mine.rows += theirs.rows;
                for prov in theirs.provs() {
                    mine.add(*prov);
                }
            }
            for offset in 0..width {
                if let Some(from) = states.next() {
                    self.states[into * width + offset].merge_disjoint(from);
                }
            }
        }
    }

    /// The result rows, in order of the groups' first rows; with a shortlist only the groups
    /// it keeps.
    pub(crate) fn finish(self, exec: &Exec<'_>, shortlist: Option<Shortlist>) -> Vec<Row> {
        self.finish_with(exec, shortlist, None)
    }

    /// [`Grouper::finish`], with the evidence lists of the groups that are kept given by
    /// `evidence` (group number → evidence), for a specialised loop that counted rows without
    /// listing them: it is asked only for the groups a shortlist keeps.
    pub(crate) fn finish_with(
        mut self,
        exec: &Exec<'_>,
        shortlist: Option<Shortlist>,
        evidence: Option<&dyn Fn(usize) -> Vec<Prov>>,
    ) -> Vec<Row> {
        if self.early.is_empty() && self.len() == 0 {
            self.push_group(&[], None);
        }
        let width = self.aggs.len();
        let count = self.len();
        let mut values: Vec<Val> = self.states.into_iter().map(AggState::finish).collect();
        let chosen: Vec<usize> = match shortlist {
            Some(list) if list.count < count && list.agg < width => {
                let rank = |&a: &usize, &b: &usize| {
                    let (x, y) = (&values[a * width + list.agg], &values[b * width + list.agg]);
                    let order = if list.desc { y.total_cmp(x) } else { x.total_cmp(y) };
                    order.then(a.cmp(&b))
                };
                let mut groups: Vec<usize> = (0..count).collect();
                if list.count == 0 {
                    groups.clear();
                } else {
                    groups.select_nth_unstable_by(list.count - 1, rank);
                    groups.truncate(list.count);
                }
                groups.sort_unstable();
                groups
            }
            _ => (0..count).collect(),
        };
        let keys = self.early.len();
        let mut rows = Vec::with_capacity(chosen.len());
        for group in chosen {
            let mut vals = Vec::with_capacity(keys + width);
            for (slot, early) in self.early.iter().enumerate() {
                let value = std::mem::replace(&mut self.key_vals[group * keys + slot], Val::Null);
                vals.push(match (early, value) {
                    (Early::Class(_, field), value @ Val::Ref(Ref::Entity(_))) => {
                        exec.field_of(value, *field)
                    }
                    (_, value) => value,
                });
            }
            vals.extend(
                values[group * width..(group + 1) * width]
                    .iter_mut()
                    .map(|value| std::mem::replace(value, Val::Null)),
            );
            if let Some(evidence) = evidence {
                for prov in evidence(group) {
                    self.evidence[group].add(prov);
                }
            }
            let list = &self.evidence[group];
            let group_evidence = (list.rows > 0)
                .then(|| Arc::new(GroupEvidence { rows: list.rows, provs: list.provs().to_vec() }));
            rows.push(Row {
                vals: vals.into_boxed_slice(),
                prov: self.provs[group],
                group: group_evidence,
            });
        }
        rows
    }
}

/// A group's row count and the first [`GROUP_EVIDENCE`] distinct pieces of evidence of its
/// rows, kept inline so a group costs no allocation.
#[derive(Clone, Copy)]
pub(crate) struct EvidenceList {
    rows: u64,
    len: u8,
    items: [Prov; GROUP_EVIDENCE],
}

impl Default for EvidenceList {
    fn default() -> EvidenceList {
        let none = Prov { article: 0, sentence: 0, start: 0, end: 0 };
        EvidenceList { rows: 0, len: 0, items: [none; GROUP_EVIDENCE] }
    }
}

impl EvidenceList {
    /// Adds `prov` if the list has room and does not hold it yet.
    pub(crate) fn add(&mut self, prov: Prov) {
        let len = usize::from(self.len);
        if len < GROUP_EVIDENCE && !self.items[..len].contains(&prov) {
            self.items[len] = prov;
            self.len += 1;
        }
    }

    /// The evidence listed so far.
    pub(crate) fn provs(&self) -> &[Prov] {
        &self.items[..usize::from(self.len)]
    }
}

/// Fields of an entity, which a group key reads once per group instead of once per row.
pub(crate) fn deferrable(field: FieldKey) -> bool {
    crate::dataset::class_slot(field).is_some()
}

/// The running state of one aggregate.
pub(crate) enum AggState {
    Count(i64),
    /// The distinct values, and the last one added: rows of one group often repeat a value
    /// in a row (the same article), which then costs no hashing.
    Dcount(FxSet<One>, Val),
    /// A distinct count of values that arrive in order: how often the value changed.
    DcountSorted(i64, Val),
    Sum(Option<Val>),
    Avg(f64, u64),
    Min(Option<Val>),
    Max(Option<Val>),
    Set(Vec<Val>, FxSet<One>),
    List(Vec<Val>),
    First(Option<Val>),
}

impl AggState {
    pub(crate) fn new(func: AggFunc) -> AggState {
        match func {
            AggFunc::Count => AggState::Count(0),
            AggFunc::Dcount => AggState::Dcount(FxSet::default(), Val::Null),
            AggFunc::Sum => AggState::Sum(None),
            AggFunc::Avg => AggState::Avg(0.0, 0),
            AggFunc::Min => AggState::Min(None),
            AggFunc::Max => AggState::Max(None),
            AggFunc::Set => AggState::Set(Vec::new(), FxSet::default()),
            AggFunc::List => AggState::List(Vec::new()),
            AggFunc::First => AggState::First(None),
        }
    }

    /// Adds one row's value; `None` for `count()` without argument. Nulls are skipped; a
    /// value is copied only when the state keeps it.
    fn add(&mut self, value: Option<&Val>) {
        if let AggState::Count(n) = self {
            if value.is_none_or(|v| !v.is_null()) {
                *n += 1;
            }
            return;
        }
        let Some(value) = value.filter(|v| !v.is_null()) else { return };
        match self {
            AggState::Count(_) => {}
            AggState::Dcount(seen, last) => {
                if value.total_cmp(last).is_ne() {
                    *last = value.clone();
                    seen.insert(One(value.clone()));
                }
            }
            AggState::DcountSorted(n, last) => {
                if value.total_cmp(last).is_ne() {
                    *n += 1;
                    *last = value.clone();
                }
            }
            AggState::Sum(total) => {
                *total = Some(match total.take() {
                    None => value.clone(),
                    Some(acc) => arithmetic(BinaryOp::Add, &acc, value),
                })
            }
            AggState::Avg(sum, n) => {
                if let Some(x) = value.as_f64() {
                    *sum += x;
                    *n += 1;
                }
            }
            AggState::Min(best) => {
                if best.as_ref().is_none_or(|b| value.total_cmp(b).is_lt()) {
                    *best = Some(value.clone());
                }
            }
            AggState::Max(best) => {
                if best.as_ref().is_none_or(|b| value.total_cmp(b).is_gt()) {
                    *best = Some(value.clone());
                }
            }
            AggState::Set(items, seen) => {
                if seen.insert(One(value.clone())) {
                    items.push(value.clone());
                }
            }
            AggState::List(items) => items.push(value.clone()),
            AggState::First(first) => {
                if first.is_none() {
                    *first = Some(value.clone());
                }
            }
        }
    }

    /// Folds in the state of the same group from rows of other articles: ordered distinct
    /// counts simply add up.
    fn merge_disjoint(&mut self, other: AggState) {
        match (self, other) {
            (AggState::DcountSorted(a, _), AggState::DcountSorted(b, _)) => *a += b,
            (this, other) => this.merge(other),
        }
    }

    /// Folds another state of the same aggregate into this one.
    fn merge(&mut self, other: AggState) {
        match (self, other) {
            (AggState::Count(a), AggState::Count(b)) => *a += b,
            (AggState::Dcount(a, _), AggState::Dcount(b, _)) => a.extend(b),
            (AggState::Sum(a), AggState::Sum(b)) => {
                *a = match (a.take(), b) {
                    (Some(x), Some(y)) => Some(arithmetic(BinaryOp::Add, &x, &y)),
                    (x, y) => x.or(y),
                }
            }
            (AggState::Avg(sum, n), AggState::Avg(s, m)) => {
                *sum += s;
                *n += m;
            }
            (AggState::Min(a), AggState::Min(b)) => {
                if let Some(b) = b
                    && a.as_ref().is_none_or(|x| b.total_cmp(x).is_lt())
                {
                    *a = Some(b);
                }
            }
            (AggState::Max(a), AggState::Max(b)) => {
                if let Some(b) = b
                    && a.as_ref().is_none_or(|x| b.total_cmp(x).is_gt())
                {
                    *a = Some(b);
                }
            }
            (AggState::Set(items, seen), AggState::Set(more, _)) => {
                for value in more {
                    if seen.insert(One(value.clone())) {
                        items.push(value);
                    }
                }
            }
            (AggState::List(items), AggState::List(more)) => items.extend(more),
            (AggState::First(a), AggState::First(b)) if a.is_none() => *a = b,
            _ => {}
        }
    }

    fn finish(self) -> Val {
        match self {
            AggState::Count(n) => Val::Int(n),
            AggState::Dcount(seen, _) => Val::Int(seen.len() as i64),
            AggState::DcountSorted(n, _) => Val::Int(n),
            AggState::Sum(total) => total.unwrap_or(Val::Int(0)),
            AggState::Avg(sum, n) => {
                if n == 0 {
                    Val::Null
                } else {
                    Val::Float(sum / n as f64)
                }
            }
            AggState::Min(v) | AggState::Max(v) | AggState::First(v) => v.unwrap_or(Val::Null),
            AggState::Set(items, _) => Val::List(items.into()),
            AggState::List(items) => Val::List(items.into()),
        }
    }
}

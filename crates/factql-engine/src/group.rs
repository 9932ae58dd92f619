//! Grouping for `summarize`: rows are folded into groups by their key values, one row at a
//! time, and each group's aggregates are kept as running states.

use factql_syntax::BinaryOp;

use crate::catalog::FieldKey;
use crate::exec::{Exec, Prov, Row, arithmetic};
use crate::plan::{Agg, AggFunc, PExpr};
use crate::value::{FxMap, FxSet, One, Ref, Val, hash_vals};

/// Groups rows by key values and folds each group's aggregates, one row at a time, without
/// allocating per row: the key is evaluated into a reused buffer and found by its hash.
///
/// A key that reads a field of an entity (`entity.name`, `p.name`) is grouped by the entity
/// reference first, which is cheap to hash and compare; the field is read once per group at
/// the end, and groups whose fields turn out equal (two entities with one name) are merged.
/// Entities are far fewer than the mentions or facts being grouped, so this never multiplies
/// the groups much.
pub(crate) struct Grouper<'p> {
    keys: &'p [PExpr],
    /// For each key: the expression grouped on while rows come in.
    early: Vec<&'p PExpr>,
    aggs: &'p [Agg],
    /// Whether each aggregate counts distinct articles of rows that arrive in article order.
    sorted: Vec<bool>,
    index: FxMap<u64, Vec<u32>>,
    /// Group of each entity, for the common single key that is an entity (`u32::MAX`: none).
    dense: Vec<u32>,
    /// Each group's key values and the evidence of its first row.
    groups: Vec<(Box<[Val]>, Option<Prov>)>,
    /// The aggregate states of all groups, side by side: group `g` owns
    /// `states[g * aggs.len()..(g + 1) * aggs.len()]`. One allocation keeps them close in
    /// memory, which is what a scan over millions of rows waits on.
    states: Vec<AggState>,
    buf: Vec<Val>,
}

/// One finished group: its key values, its aggregate states, and the evidence of its first row.
type Group = (Box<[Val]>, Vec<AggState>, Option<Prov>);

impl<'p> Grouper<'p> {
    /// `article_ordered`: rows arrive in article order, so `dcount(article)` may count changes.
    pub(crate) fn new(keys: &'p [PExpr], aggs: &'p [Agg], article_ordered: bool) -> Grouper<'p> {
        let early = keys
            .iter()
            .map(|key| match key {
                PExpr::Field(base, field) if deferrable(*field) => &**base,
                other => other,
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
        Grouper {
            keys,
            early,
            aggs,
            sorted,
            index: FxMap::default(),
            dense: Vec::new(),
            groups: Vec::new(),
            states: Vec::new(),
            buf: Vec::with_capacity(keys.len()),
        }
    }

    fn push_group(&mut self, prov: Option<Prov>) -> usize {
        for (agg, &sorted) in self.aggs.iter().zip(&self.sorted) {
            self.states.push(if sorted {
                AggState::DcountSorted(0, Val::Null)
            } else {
                AggState::new(agg.func)
            });
        }
        self.groups.push((self.buf.clone().into_boxed_slice(), prov));
        self.groups.len() - 1
    }

    /// Adds a group whose states were computed elsewhere.
    pub(crate) fn push_filled(&mut self, key: Vec<Val>, states: Vec<AggState>, prov: Option<Prov>) {
        self.states.extend(states);
        self.groups.push((key.into_boxed_slice(), prov));
    }

    /// The group of the key in `buf`, created if new.
    fn group_of(&mut self, prov: &dyn Fn() -> Option<Prov>) -> usize {
        if let [Val::Ref(Ref::Entity(e))] = self.buf.as_slice() {
            let e = *e as usize;
            if e >= self.dense.len() {
                let len = (e + 1).max(self.dense.len() * 2).max(1024);
                self.dense.resize(len, u32::MAX);
            }
            if self.dense[e] != u32::MAX {
                return self.dense[e] as usize;
            }
            self.dense[e] = self.groups.len() as u32;
            return self.push_group(prov());
        }
        let hash = hash_vals(&self.buf);
        let same =
            |key: &[Val], buf: &[Val]| key.iter().zip(buf).all(|(a, b)| a.total_cmp(b).is_eq());
        if let Some(slot) = self.index.get(&hash)
            && let Some(&g) = slot.iter().find(|&&g| same(&self.groups[g as usize].0, &self.buf))
        {
            return g as usize;
        }
        self.index.entry(hash).or_default().push(self.groups.len() as u32);
        self.push_group(prov())
    }

    /// Adds one row; `prov` gives its evidence, asked only for a row that starts a group.
    pub(crate) fn add(&mut self, exec: &Exec<'_>, row: &[Val], prov: &dyn Fn() -> Option<Prov>) {
        self.buf.clear();
        for key in &self.early {
            self.buf.push(exec.eval(key, row));
        }
        let group = self.group_of(prov);
        let base = group * self.aggs.len();
        for (offset, agg) in self.aggs.iter().enumerate() {
            let value = agg.arg.as_ref().map(|arg| exec.eval(arg, row));
            self.states[base + offset].add(value);
        }
    }

    /// The groups with their states, in order of appearance.
    fn into_groups(self) -> Vec<Group> {
        let width = self.aggs.len();
        let mut states = self.states.into_iter();
        self.groups
            .into_iter()
            .map(|(key, prov)| (key, states.by_ref().take(width).collect(), prov))
            .collect()
    }

    /// Folds the groups of another thread's grouper (over other articles) into this one.
    pub(crate) fn absorb(&mut self, other: Grouper<'p>) {
        let width = self.aggs.len();
        for (key, states, prov) in other.into_groups() {
            self.buf.clear();
            self.buf.extend(key.iter().cloned());
            let group = self.group_of(&|| prov);
            for (offset, from) in states.into_iter().enumerate() {
                self.states[group * width + offset].merge_disjoint(from);
            }
        }
    }

    /// The result rows; `None` when groups with equal final keys would have to merge counts
    /// of distinct values made without a set (the caller then counts again, exactly).
    pub(crate) fn finish(mut self, exec: &Exec<'_>) -> Option<Vec<Row>> {
        if self.keys.is_empty() && self.groups.is_empty() {
            self.buf.clear();
            self.push_group(None);
        }
        let width = self.aggs.len();
        let keys = self.keys;
        let count = self.groups.len();
        // Where each group ends up: itself, or the earlier group with the same final key.
        let mut target: Vec<u32> = (0..count as u32).collect();
        if keys.iter().any(|key| matches!(key, PExpr::Field(_, field) if deferrable(*field))) {
            // Read the deferred fields in place, then find groups whose final keys are equal
            // (two entities with one name), keeping the order in which groups first appeared.
            let mut first_of: FxMap<u64, u32> = FxMap::default();
            first_of.reserve(count);
            let mut next_same: Vec<u32> = vec![u32::MAX; count];
            for (group, into) in target.iter_mut().enumerate() {
                for (key, slot) in keys.iter().zip(self.groups[group].0.iter_mut()) {
                    if let PExpr::Field(_, field) = key
                        && deferrable(*field)
                    {
                        *slot = exec.field_of(std::mem::replace(slot, Val::Null), *field);
                    }
                }
                let hash = hash_vals(&self.groups[group].0);
                let Some(&head) = first_of.get(&hash) else {
                    first_of.insert(hash, group as u32);
                    continue;
                };
                let same =
                    |a: &[Val], b: &[Val]| a.iter().zip(b).all(|(x, y)| x.total_cmp(y).is_eq());
                let mut at = head;
                loop {
                    if same(&self.groups[at as usize].0, &self.groups[group].0) {
                        *into = at;
                        break;
                    }
                    if next_same[at as usize] == u32::MAX {
                        next_same[at as usize] = group as u32;
                        break;
                    }
                    at = next_same[at as usize];
                }
            }
            for (group, &into) in target.iter().enumerate() {
                let into = into as usize;
                if into == group {
                    continue;
                }
                let (left, right) = self.states.split_at_mut(group * width);
                for offset in 0..width {
                    let from = std::mem::replace(&mut right[offset], AggState::Count(0));
                    if matches!(from, AggState::DcountSorted(..)) {
                        return None;
                    }
                    left[into * width + offset].merge(from);
                }
            }
        }
        let mut rows = Vec::with_capacity(count);
        let mut states = self.states.into_iter();
        for (group, (key, prov)) in self.groups.into_iter().enumerate() {
            let group_states = states.by_ref().take(width);
            if target[group] as usize != group {
                group_states.for_each(drop);
                continue;
            }
            let mut vals = Vec::with_capacity(key.len() + width);
            vals.extend(key.into_vec());
            vals.extend(group_states.map(AggState::finish));
            rows.push(Row { vals: vals.into_boxed_slice(), prov });
        }
        Some(rows)
    }
}

/// Fields of an entity, which a group key may read once per entity instead of once per row.
pub(crate) fn deferrable(field: FieldKey) -> bool {
    matches!(
        field,
        FieldKey::EntityName | FieldKey::EntityId | FieldKey::EntityKind | FieldKey::EntityWikidata
    )
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
    fn new(func: AggFunc) -> AggState {
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

    /// Adds one row's value; `None` for `count()` without argument. Nulls are skipped.
    fn add(&mut self, value: Option<Val>) {
        if let AggState::Count(n) = self {
            if value.as_ref().is_none_or(|v| !v.is_null()) {
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
                    seen.insert(One(value));
                }
            }
            AggState::DcountSorted(n, last) => {
                if value.total_cmp(last).is_ne() {
                    *n += 1;
                    *last = value;
                }
            }
            AggState::Sum(total) => {
                *total = Some(match total.take() {
                    None => value,
                    Some(acc) => arithmetic(BinaryOp::Add, &acc, &value),
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
                    *best = Some(value);
                }
            }
            AggState::Max(best) => {
                if best.as_ref().is_none_or(|b| value.total_cmp(b).is_gt()) {
                    *best = Some(value);
                }
            }
            AggState::Set(items, seen) => {
                if seen.insert(One(value.clone())) {
                    items.push(value);
                }
            }
            AggState::List(items) => items.push(value),
            AggState::First(first) => {
                if first.is_none() {
                    *first = Some(value);
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

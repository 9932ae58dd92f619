//! A specialised loop for the most common heavy query shape: mentions filtered on their
//! categorical fields and grouped by entity (or one entity field), with `count()` and
//! `dcount(article)`.
//!
//! `mentions | where kind == "person" | summarize n = count(), a = dcount(article) by entity.name`
//! reads millions of mentions; the generic evaluator spends most of its time dispatching and
//! looking up groups. Here the filter compares dictionary codes read from the mention columns
//! (a few bytes per mention, not a whole record), the groups are an array indexed by entity
//! class, and the distinct count of articles is a count of article changes (mentions are
//! stored in article order). The result is handed to the generic grouper's `finish`, so
//! fields are read exactly as on the generic path.

use crate::access::CodeTest;

use crate::catalog::FieldKey;
use crate::dataset::{NO_ENTITY, NULL_CLASS};
use crate::eval::Exec;
use crate::group::{AggState, Grouper, Shortlist, deferrable};
use crate::plan::{Agg, AggFunc, PExpr};
use crate::relation::{GROUP_EVIDENCE, Prov, Row};
use crate::value::{Ref, Val};

/// What each aggregate counts.
#[derive(Clone, Copy)]
enum Count {
    Rows,
    Articles,
}

/// The kernel's plan, when the query has the shape it handles.
pub(crate) struct MentionKernel {
    conds: Vec<CodeTest>,
    counts: Vec<Count>,
    /// The entity field grouped on (by class), or `None` for the entity itself.
    class: Option<FieldKey>,
}

impl MentionKernel {
    /// The kernel for a mention scan with these filters and this summarize, if it applies.
    pub(crate) fn plan(
        exec: &Exec<'_>,
        filters: &[&PExpr],
        keys: &[PExpr],
        aggs: &[Agg],
    ) -> Option<MentionKernel> {
        let conds = crate::access::conjuncts(filters)
            .into_iter()
            .map(|cond| CodeTest::of(exec.dataset(), cond))
            .collect::<Option<Vec<CodeTest>>>()?;
        let entity = |expr: &PExpr| matches!(expr, PExpr::Field(base, FieldKey::MentionEntity) if matches!(**base, PExpr::Col(0)));
        let class = match keys {
            [key] if entity(key) => None,
            [PExpr::Field(base, field)] if deferrable(*field) && entity(base) => Some(*field),
            _ => return None,
        };
        let mut counts = Vec::new();
        for agg in aggs {
            counts.push(match (agg.func, &agg.arg) {
                (AggFunc::Count, None) => Count::Rows,
                (AggFunc::Dcount, Some(PExpr::Field(base, FieldKey::MentionArticle)))
                    if matches!(**base, PExpr::Col(0)) =>
                {
                    Count::Articles
                }
                _ => return None,
            });
        }
        Some(MentionKernel { conds, counts, class })
    }

    /// Runs the loop over `range` of the mention table: per slot (an entity class; the last
    /// slot stands for unlinked mentions) the row count, the article count and the first
    /// mention.
    pub(crate) fn run(&self, exec: &Exec<'_>, range: std::ops::Range<u32>) -> Tallies {
        let ds = exec.dataset();
        let cols = &ds.mention_cols;
        let unlinked = ds.entities.len();
        let slot_of: Vec<u32> = (0..ds.entities.len() as u32)
            .map(|e| self.class.and_then(|field| ds.class_of(field, e)).unwrap_or(e))
            .collect();
        let mut slots = vec![Tally::default(); unlinked + 1];
        let (start, end) = (range.start as usize, range.end as usize);
        for idx in start..end {
            if !self.conds.iter().all(|cond| cond.pass(ds, idx)) {
                continue;
            }
            let entity = cols.entity[idx];
            // Unlinked mentions, and entities whose grouped field is null, share the null slot.
            let slot = match entity {
                NO_ENTITY => unlinked,
                e => match slot_of[e as usize] {
                    NULL_CLASS => unlinked,
                    class => class as usize,
                },
            };
            let article = cols.article[idx];
            let tally = &mut slots[slot];
            tally.rows += 1;
            if tally.last_article != article {
                tally.last_article = article;
                tally.articles += 1;
            }
            if tally.first == u32::MAX {
                tally.first = idx as u32;
            }
        }
        Tallies { slots }
    }

    /// The groups of the tallies, finished by the generic grouper: in order of their first
    /// mention, fields read, only the shortlisted ones when there is a shortlist.
    pub(crate) fn finish(
        &self,
        exec: &Exec<'_>,
        keys: &[PExpr],
        aggs: &[Agg],
        tallies: &Tallies,
        shortlist: Option<Shortlist>,
    ) -> Vec<Row> {
        let unlinked = tallies.slots.len() - 1;
        let mut used: Vec<usize> =
            (0..tallies.slots.len()).filter(|&slot| tallies.slots[slot].rows > 0).collect();
        used.sort_by_key(|&slot| tallies.slots[slot].first);
        let mut grouper = Grouper::new(keys, aggs, true);
        for &slot in &used {
            let tally = &tallies.slots[slot];
            let key = if slot == unlinked { Val::Null } else { Val::Ref(Ref::Entity(slot as u32)) };
            let states = self.counts.iter().map(|count| match count {
                Count::Rows => AggState::Count(i64::from(tally.rows)),
                Count::Articles => AggState::DcountSorted(i64::from(tally.articles), Val::Null),
            });
            let first = exec.dataset().prov(Ref::Mention(tally.first));
            grouper.push_filled(&[key], states, first, u64::from(tally.rows), []);
        }
        // The evidence lists are found only for the groups that are kept: the first mentions
        // of each, in table order, as the generic path lists them.
        let slots = self.class.map(|_| self.slot_of(exec, unlinked));
        let members: std::cell::OnceCell<(Vec<u32>, Vec<u32>)> = std::cell::OnceCell::new();
        let evidence = |group: usize| -> Vec<Prov> {
            let slot = used[group];
            if slot == unlinked {
                return self.unlinked_evidence(exec, tallies.slots[slot].first, slots.as_deref());
            }
            let Some(slots) = &slots else {
                return self.linked_evidence(exec, &[slot as u32]);
            };
            let (order, starts) = members.get_or_init(|| by_slot(slots, unlinked));
            let range = starts[slot] as usize..starts[slot + 1] as usize;
            self.linked_evidence(exec, &order[range])
        };
        grouper.finish_with(exec, shortlist, Some(&evidence))
    }

    /// The slot of each entity: its class for the grouped field, or itself; the unlinked slot
    /// for a null class.
    fn slot_of(&self, exec: &Exec<'_>, unlinked: usize) -> Vec<usize> {
        let ds = exec.dataset();
        (0..ds.entities.len() as u32)
            .map(|e| match self.class.and_then(|field| ds.class_of(field, e)) {
                Some(NULL_CLASS) => unlinked,
                Some(class) => class as usize,
                None => e as usize,
            })
            .collect()
    }

    /// The first distinct evidence of the passing mentions of `entities`, in table order
    /// (their mention lists are each in table order: merged).
    fn linked_evidence(&self, exec: &Exec<'_>, entities: &[u32]) -> Vec<Prov> {
        let ds = exec.dataset();
        let lists: Vec<&[u32]> =
            entities.iter().map(|&e| ds.entities[e as usize].mentions.as_slice()).collect();
        let mut cursors = vec![0usize; lists.len()];
        let pass = |m: u32| self.conds.iter().all(|cond| cond.pass(ds, m as usize));
        let mut out: Vec<Prov> = Vec::new();
        while out.len() < GROUP_EVIDENCE {
            let mut best: Option<(u32, usize)> = None;
            for (idx, list) in lists.iter().enumerate() {
                while cursors[idx] < list.len() && !pass(list[cursors[idx]]) {
                    cursors[idx] += 1;
                }
                if let Some(&m) = list.get(cursors[idx])
                    && best.is_none_or(|(b, _)| m < b)
                {
                    best = Some((m, idx));
                }
            }
            let Some((m, idx)) = best else { break };
            cursors[idx] += 1;
            if let Some(prov) = ds.prov(Ref::Mention(m))
                && !out.contains(&prov)
            {
                out.push(prov);
            }
        }
        out
    }

    /// The first distinct evidence of the passing mentions of the unlinked slot (no entity, or
    /// an entity whose grouped field is null: `slots` says which), from the slot's first
    /// mention on.
    fn unlinked_evidence(&self, exec: &Exec<'_>, first: u32, slots: Option<&[usize]>) -> Vec<Prov> {
        let ds = exec.dataset();
        let unlinked = ds.entities.len();
        let mut out: Vec<Prov> = Vec::new();
        for idx in first as usize..ds.mentions.len() {
            if out.len() == GROUP_EVIDENCE {
                break;
            }
            let entity = ds.mention_cols.entity[idx];
            let in_slot = entity == NO_ENTITY
                || slots.is_some_and(|slots| slots[entity as usize] == unlinked);
            if in_slot
                && self.conds.iter().all(|cond| cond.pass(ds, idx))
                && let Some(prov) = ds.prov(Ref::Mention(idx as u32))
                && !out.contains(&prov)
            {
                out.push(prov);
            }
        }
        out
    }
}

/// The entities of each slot, grouped: `order` lists the entities slot by slot (ascending
/// within one), and slot `s` owns `order[starts[s]..starts[s + 1]]`. Two passes, no map.
fn by_slot(slots: &[usize], unlinked: usize) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; unlinked + 2];
    for &slot in slots {
        starts[slot + 1] += 1;
    }
    for idx in 1..starts.len() {
        starts[idx] += starts[idx - 1];
    }
    let mut next = starts.clone();
    let mut order = vec![0u32; slots.len()];
    for (e, &slot) in slots.iter().enumerate() {
        order[next[slot] as usize] = e as u32;
        next[slot] += 1;
    }
    (order, starts)
}

/// The counts of one slot.
#[derive(Clone, Copy)]
struct Tally {
    rows: u32,
    articles: u32,
    last_article: u32,
    first: u32,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally { rows: 0, articles: 0, last_article: u32::MAX, first: u32::MAX }
    }
}

/// Per-slot counts of one part of the mention table.
pub(crate) struct Tallies {
    slots: Vec<Tally>,
}

impl Tallies {
    /// Adds the counts of a later part of the table (over other articles).
    pub(crate) fn absorb(&mut self, other: &Tallies) {
        for (mine, theirs) in self.slots.iter_mut().zip(&other.slots) {
            mine.rows += theirs.rows;
            mine.articles += theirs.articles;
            mine.first = mine.first.min(theirs.first);
        }
    }
}

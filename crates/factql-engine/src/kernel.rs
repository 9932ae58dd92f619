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
use crate::exec::{Exec, Row};
use crate::group::{AggState, Grouper, Shortlist, deferrable};
use crate::plan::{Agg, AggFunc, PExpr};
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
        for slot in used {
            let tally = &tallies.slots[slot];
            let key = if slot == unlinked { Val::Null } else { Val::Ref(Ref::Entity(slot as u32)) };
            let states = self.counts.iter().map(|count| match count {
                Count::Rows => AggState::Count(i64::from(tally.rows)),
                Count::Articles => AggState::DcountSorted(i64::from(tally.articles), Val::Null),
            });
            grouper.push_filled(&[key], states, exec.dataset().prov(Ref::Mention(tally.first)));
        }
        grouper.finish(exec, shortlist)
    }
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

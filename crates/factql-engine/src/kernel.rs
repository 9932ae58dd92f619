//! A specialised loop for the most common heavy query shape: mentions filtered on their
//! categorical fields and grouped by entity, with `count()` and `dcount(article)`.
//!
//! `mentions | where kind == "person" | summarize n = count(), a = dcount(article) by entity.name`
//! reads millions of 40-byte mention records; the generic evaluator spends most of its time
//! dispatching and looking up groups. Here the filter compares dictionary codes, the groups are
//! arrays indexed by entity, and the distinct count of articles is a count of article changes
//! (mentions are stored in article order). The result is handed to the generic grouper's
//! `finish`, so names are read and namesakes merged exactly as on the generic path.

use factql_syntax::BinaryOp;

use crate::catalog::FieldKey;
use crate::exec::Exec;
use crate::plan::{Agg, AggFunc, PExpr};
use crate::value::Val;

/// One filter the kernel can run: a mention's categorical field against a code.
struct Cond {
    field: FieldKey,
    /// `None`: no mention has that text.
    code: Option<u16>,
    equal: bool,
}

/// What each aggregate counts.
#[derive(Clone, Copy)]
enum Count {
    Rows,
    Articles,
}

/// The kernel's plan, when the query has the shape it handles.
pub(crate) struct MentionKernel {
    conds: Vec<Cond>,
    counts: Vec<Count>,
}

impl MentionKernel {
    /// The kernel for a mention scan with these filters and this summarize, if it applies.
    pub(crate) fn plan(
        exec: &Exec<'_>,
        filters: &[&PExpr],
        keys: &[PExpr],
        aggs: &[Agg],
    ) -> Option<MentionKernel> {
        let mut conds = Vec::new();
        let mut pending: Vec<&PExpr> = filters.to_vec();
        while let Some(filter) = pending.pop() {
            match filter {
                PExpr::Bin(BinaryOp::And, lhs, rhs) => {
                    pending.push(lhs);
                    pending.push(rhs);
                }
                PExpr::Bin(op @ (BinaryOp::Eq | BinaryOp::Ne), lhs, rhs) => {
                    let (PExpr::Field(base, field), PExpr::Lit(Val::Str(text))) = (&**lhs, &**rhs)
                    else {
                        return None;
                    };
                    let categorical = matches!(
                        field,
                        FieldKey::MentionKind
                            | FieldKey::MentionType
                            | FieldKey::MentionLevel
                            | FieldKey::MentionExtractor
                    );
                    if !categorical || !matches!(**base, PExpr::Col(0)) {
                        return None;
                    }
                    conds.push(Cond {
                        field: *field,
                        code: exec.dataset().codes.find(text),
                        equal: *op == BinaryOp::Eq,
                    });
                }
                _ => return None,
            }
        }
        let entity = |expr: &PExpr| matches!(expr, PExpr::Field(base, FieldKey::MentionEntity) if matches!(**base, PExpr::Col(0)));
        let keys_ok = !keys.is_empty()
            && keys.iter().all(|key| match key {
                PExpr::Field(base, field) => {
                    entity(key) || (crate::group::deferrable(*field) && entity(base))
                }
                _ => false,
            });
        if !keys_ok {
            return None;
        }
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
        Some(MentionKernel { conds, counts })
    }

    /// Runs the loop over `range` of the mention table: per entity (the last slot stands for
    /// unlinked mentions) the row count, the article count and the first mention.
    pub(crate) fn run(&self, exec: &Exec<'_>, range: std::ops::Range<u32>) -> Tallies {
        let ds = exec.dataset();
        let slots = ds.entities.len() + 1;
        let mut tallies = Tallies {
            rows: vec![0; slots],
            articles: vec![0; slots],
            last_article: vec![u32::MAX; slots],
            first: vec![u32::MAX; slots],
        };
        'mentions: for idx in range {
            let mention = &ds.mentions[idx as usize];
            for cond in &self.conds {
                let value = match cond.field {
                    FieldKey::MentionKind => mention.kind,
                    FieldKey::MentionType => mention.ent_type,
                    FieldKey::MentionLevel => mention.level,
                    _ => mention.extractor,
                };
                if (Some(value) == cond.code) != cond.equal {
                    continue 'mentions;
                }
            }
            let slot = mention.entity.map_or(slots - 1, |e| e as usize);
            tallies.rows[slot] += 1;
            if tallies.last_article[slot] != mention.article {
                tallies.last_article[slot] = mention.article;
                tallies.articles[slot] += 1;
            }
            if tallies.first[slot] == u32::MAX {
                tallies.first[slot] = idx;
            }
        }
        tallies
    }

    /// The aggregate values of one group, in the order of the summarize.
    pub(crate) fn values(&self, tallies: &Tallies, slot: usize) -> Vec<i64> {
        self.counts
            .iter()
            .map(|count| match count {
                Count::Rows => tallies.rows[slot] as i64,
                Count::Articles => tallies.articles[slot] as i64,
            })
            .collect()
    }
}

/// Per-entity counts of one part of the mention table.
pub(crate) struct Tallies {
    pub rows: Vec<u64>,
    pub articles: Vec<u64>,
    last_article: Vec<u32>,
    pub first: Vec<u32>,
}

impl Tallies {
    /// Adds the counts of a later part of the table (over other articles).
    pub(crate) fn absorb(&mut self, other: Tallies) {
        for slot in 0..self.rows.len() {
            self.rows[slot] += other.rows[slot];
            self.articles[slot] += other.articles[slot];
            self.first[slot] = self.first[slot].min(other.first[slot]);
        }
    }
}

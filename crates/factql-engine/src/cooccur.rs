//! A specialised loop for the co-occurrence count, the analyst's "who is named with X":
//!
//! `match (p:person) -[c:near sentence]- (l:person "Lukashenko") | where p != l
//!  | summarize n = count() by p.name`
//!
//! The generic match binds every co-occurrence, projects it, evaluates the filter and hands it
//! to the grouper. Here the loop walks the anchor's mentions and the mentions in scope around
//! each, compares dictionary codes for the kind, and counts per entity class. Only that exact
//! shape is taken (one pattern of two entity nodes joined by a `near` edge without
//! properties, optional `p != l` filters, `count()` by `p` or one field of `p`); anything else
//! runs on the generic path, which this loop is tested against.

use factql_syntax::{BinaryOp, ScopeKind};

use crate::catalog::FieldKey;
use crate::dataset::{NO_ENTITY, NULL_CLASS};
use crate::error::EngineError;
use crate::eval::Exec;
use crate::group::{AggState, Grouper, Shortlist, deferrable};
use crate::plan::{Agg, AggFunc, EdgeKindSpec, NodeKind, NodeSpec, PExpr, PatternPlan};
use crate::relation::{GROUP_EVIDENCE, Row};
use crate::value::{Ref, Val};

/// The loop's plan, when the match and the stages after it have the shape it handles.
pub(crate) struct CoocKernel<'p> {
    anchor: &'p NodeSpec,
    /// The kind code other mentions must have (`None`: any entity; `Some(None)`: a kind no
    /// mention has, so nothing matches).
    kind: Option<Option<u16>>,
    scope: ScopeKind,
    /// Whether `p != l` drops the anchor itself.
    distinct: bool,
    /// The entity field grouped on (by class), or `None` for the entity itself.
    class: Option<FieldKey>,
    aggs: usize,
}

impl<'p> CoocKernel<'p> {
    /// The kernel for this match, its filters and its summarize, if it applies.
    pub(crate) fn plan(
        exec: &Exec<'_>,
        patterns: &'p [PatternPlan],
        output: &[usize],
        filters: &[&PExpr],
        keys: &[PExpr],
        aggs: &[Agg],
    ) -> Option<CoocKernel<'p>> {
        let ds = exec.dataset();
        let [pattern] = patterns else { return None };
        let ([first, second], [edge]) = (pattern.nodes.as_slice(), pattern.edges.as_slice()) else {
            return None;
        };
        let EdgeKindSpec::Near(scope) = edge.kind else { return None };
        if !edge.props.is_empty() || edge.hops.is_some() {
            return None;
        }
        // The anchor is the node the match starts from: the first with an entity literal.
        let (anchor, other) = match (&first.entities, &second.entities) {
            (Some(_), _) => (first, second),
            (None, Some(_)) => (second, first),
            (None, None) => return None,
        };
        // One variable named twice, or the edge bound to a node's variable, constrains the
        // match in ways this loop does not follow.
        if anchor.col == other.col || edge.col.is_some_and(|c| c == anchor.col || c == other.col) {
            return None;
        }
        let plain = |node: &NodeSpec| node.term.is_none() && node.props.is_empty();
        if !plain(anchor) || !plain(other) || other.entities.is_some() {
            return None;
        }
        if !matches!(anchor.kind, NodeKind::Entity(_)) {
            return None;
        }
        let kind = match &other.kind {
            NodeKind::Entity(None) | NodeKind::Any => None,
            NodeKind::Entity(Some(kind)) if ds.codes.exact() => Some(ds.codes.find(kind)),
            _ => return None,
        };
        let column = |col: usize| output.iter().position(|&c| c == col);
        let (p, l) = (column(other.col)?, column(anchor.col)?);
        let mut distinct = false;
        for cond in crate::access::conjuncts(filters) {
            match cond {
                PExpr::Bin(BinaryOp::Ne, a, b) if matches!((&**a, &**b), (PExpr::Col(x), PExpr::Col(y)) if (*x, *y) == (p, l) || (*x, *y) == (l, p)) =>
                {
                    distinct = true;
                }
                _ => return None,
            }
        }
        let class = match keys {
            [PExpr::Col(col)] if *col == p => None,
            [PExpr::Field(base, field)]
                if deferrable(*field) && matches!(**base, PExpr::Col(col) if col == p) =>
            {
                Some(*field)
            }
            _ => return None,
        };
        if !aggs.iter().all(|agg| agg.func == AggFunc::Count && agg.arg.is_none()) {
            return None;
        }
        Some(CoocKernel { anchor, kind, scope, distinct, class, aggs: aggs.len() })
    }

    /// The anchor entities, as the match seeds them.
    fn anchors(&self, exec: &Exec<'_>) -> Vec<u32> {
        let ds = exec.dataset();
        self.anchor
            .entities
            .iter()
            .flat_map(|list| list.iter().copied())
            .filter(|&e| match &self.anchor.kind {
                NodeKind::Entity(Some(kind)) => *ds.entities[e as usize].kind == **kind,
                _ => true,
            })
            .collect()
    }

    /// Counts the co-occurrences of `anchor` whose anchor mention is at positions `part` of
    /// its mention list: per slot (entity class) the count and the first co-occurrence.
    fn count(
        &self,
        exec: &Exec<'_>,
        anchor: u32,
        part: std::ops::Range<usize>,
        order: u32,
    ) -> Result<(Vec<Tally>, Vec<Sentences>), EngineError> {
        let ds = exec.dataset();
        let cols = &ds.mention_cols;
        // One slot per entity class, and the last for a null key (no wikidata id).
        let mut slots = vec![Tally::default(); ds.entities.len() + 1];
        // The evidence of the slots that have rows, by `Tally::evidence`.
        let mut evidence: Vec<Sentences> = Vec::new();
        let mentions = &ds.entities[anchor as usize].mentions[part.clone()];
        for (offset, &m) in mentions.iter().enumerate() {
            if offset % 4096 == 0 {
                exec.tick()?;
            }
            let at = &ds.mentions[m as usize];
            let range = match self.scope {
                // The mentions of a sentence sit together around `m` in the table.
                ScopeKind::Sentence => {
                    let (mut lo, mut hi) = (m as usize, m as usize + 1);
                    while lo > 0 && ds.mentions[lo - 1].sentence == at.sentence {
                        lo -= 1;
                    }
                    while hi < ds.mentions.len() && ds.mentions[hi].sentence == at.sentence {
                        hi += 1;
                    }
                    lo..hi
                }
                _ => {
                    let range = exec.article_mentions(at.article);
                    range.start as usize..range.end as usize
                }
            };
            let position = (part.start + offset) as u32;
            for other in range {
                if other == m as usize {
                    continue;
                }
                let entity = cols.entity[other];
                if entity == NO_ENTITY || (self.distinct && entity == anchor) {
                    continue;
                }
                if let Some(kind) = self.kind
                    && Some(cols.kind[other]) != kind
                {
                    continue;
                }
                let inside = match self.scope {
                    ScopeKind::Sentence | ScopeKind::Article => true,
                    ScopeKind::Paragraph => {
                        ds.sentences[ds.mentions[other].sentence as usize].paragraph
                            == ds.sentences[at.sentence as usize].paragraph
                    }
                    ScopeKind::Words(n) => ds.mentions[other].word.abs_diff(at.word) <= n,
                };
                if !inside {
                    continue;
                }
                let slot = match self.class.and_then(|field| ds.class_of(field, entity)) {
                    Some(NULL_CLASS) => ds.entities.len(),
                    Some(class) => class as usize,
                    None => entity as usize,
                };
                let tally = &mut slots[slot];
                if tally.rows == 0 {
                    tally.first = (order, position, other as u32);
                    tally.sentence = at.sentence;
                    tally.evidence = evidence.len() as u32;
                    evidence.push(Sentences::default());
                }
                evidence[tally.evidence as usize].add(at.sentence);
                tally.rows += 1;
            }
        }
        Ok((slots, evidence))
    }

    /// Runs the loop (on two threads for an anchor with many mentions) and finishes the
    /// groups with the generic grouper, in the order the generic match finds them.
    pub(crate) fn run(
        &self,
        exec: &Exec<'_>,
        keys: &[PExpr],
        aggs: &[Agg],
        shortlist: Option<Shortlist>,
        span: factql_syntax::Span,
    ) -> Result<Vec<Row>, EngineError> {
        let ds = exec.dataset();
        let mut total = vec![Tally::default(); ds.entities.len() + 1];
        let mut total_evidence: Vec<Sentences> = Vec::new();
        let enough = (exec.options().parallel_from / 16).max(2) as usize;
        for (order, anchor) in self.anchors(exec).into_iter().enumerate() {
            let order = order as u32;
            let count = ds.entities[anchor as usize].mentions.len();
            let parts: Vec<(Vec<Tally>, Vec<Sentences>)> = if count >= enough {
                let middle = count / 2;
                let (left, right) = std::thread::scope(|scope| {
                    let left = scope.spawn(|| self.count(exec, anchor, 0..middle, order));
                    let right = self.count(exec, anchor, middle..count, order);
                    (left.join().unwrap_or(Err(EngineError::Cancelled)), right)
                });
                vec![left?, right?]
            } else {
                vec![self.count(exec, anchor, 0..count, order)?]
            };
            for (part, part_evidence) in parts {
                for (mine, theirs) in total.iter_mut().zip(part) {
                    if theirs.rows == 0 {
                        continue;
                    }
                    let their_list = part_evidence[theirs.evidence as usize];
                    if mine.rows == 0 {
                        mine.evidence = total_evidence.len() as u32;
                        total_evidence.push(Sentences::default());
                    }
                    let list = &mut total_evidence[mine.evidence as usize];
                    // The lists join in the order the generic match finds their rows.
                    *list = if mine.rows == 0 || theirs.first < mine.first {
                        their_list.then(list)
                    } else {
                        list.then(&their_list)
                    };
                    if mine.rows == 0 || theirs.first < mine.first {
                        mine.first = theirs.first;
                        mine.sentence = theirs.sentence;
                    }
                    mine.rows += theirs.rows;
                }
            }
        }
        let mut used: Vec<usize> = (0..total.len()).filter(|&slot| total[slot].rows > 0).collect();
        used.sort_by_key(|&slot| total[slot].first);
        // As many groups as the generic match makes rows: the same limit.
        exec.limit(used.len(), 0, "match", span)?;
        let mut grouper = Grouper::new(keys, aggs, false);
        for slot in used {
            let tally = &total[slot];
            let states = (0..self.aggs).map(|_| AggState::Count(tally.rows as i64));
            let prov = ds.prov(Ref::Sentence(tally.sentence));
            let key = if slot == ds.entities.len() {
                Val::Null
            } else {
                Val::Ref(Ref::Entity(slot as u32))
            };
            let evidence = total_evidence[tally.evidence as usize];
            let provs = evidence.ids().iter().filter_map(|&s| ds.prov(Ref::Sentence(s)));
            grouper.push_filled(&[key], states, prov, tally.rows, provs);
        }
        Ok(grouper.finish(exec, shortlist))
    }
}

/// The co-occurrences of one slot.
#[derive(Clone, Copy, Default)]
struct Tally {
    rows: u64,
    /// Where the first co-occurrence was found, in the order the generic match finds them:
    /// (anchor, position in its mention list, other mention).
    first: (u32, u32, u32),
    /// The anchor mention's sentence there (the group's evidence).
    sentence: u32,
    /// Where the slot's evidence list is kept (set with its first row).
    evidence: u32,
}

/// The first distinct sentences (the evidence of a co-occurrence row is its anchor mention's
/// sentence) of a slot's rows, in the order they were found.
#[derive(Clone, Copy, Default)]
struct Sentences {
    len: u8,
    ids: [u32; GROUP_EVIDENCE],
}

impl Sentences {
    fn add(&mut self, sentence: u32) {
        let len = usize::from(self.len);
        if len < GROUP_EVIDENCE && !self.ids[..len].contains(&sentence) {
            self.ids[len] = sentence;
            self.len += 1;
        }
    }

    fn ids(&self) -> &[u32] {
        &self.ids[..usize::from(self.len)]
    }

    /// This list followed by `later`'s sentences.
    fn then(&self, later: &Sentences) -> Sentences {
        let mut out = *self;
        for &sentence in later.ids() {
            out.add(sentence);
        }
        out
    }
}

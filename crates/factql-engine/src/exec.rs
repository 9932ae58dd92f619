//! The executor: runs a [`Plan`] over the loaded [`Dataset`] and returns rows that keep their
//! provenance.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use factql_syntax::{BinaryOp, Direction, DurationUnit, JoinFlavor, ScopeKind};

use crate::EngineError;
use crate::access::Filters;
use crate::catalog::{FieldKey, Table};
use crate::dataset::Dataset;
use crate::group::{Grouper, Shortlist};
use crate::plan::{
    Agg, Column, EdgeKindSpec, EdgeSpec, Func, NodeKind, NodeSpec, PExpr, Plan, PlannedStep,
    SourcePlan, Step,
};
use crate::value::{
    Cooc, DateRange, FxSet, Key, Precision, Ref, Val, civil_from_days, days_from_civil,
    days_in_month,
};

/// Where a result row's evidence is: article, sentence (global index) and byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prov {
    /// Article position.
    pub article: u32,
    /// Sentence position (global).
    pub sentence: u32,
    /// First byte of the evidence in the article text.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// How many pieces of evidence a row of `summarize` lists for its group.
pub const GROUP_EVIDENCE: usize = 5;

/// The evidence of the rows a `summarize` row stands for: how many rows the group had, and
/// the evidence of its first rows (at most [`GROUP_EVIDENCE`], distinct, in row order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEvidence {
    /// The rows of the group.
    pub rows: u64,
    /// The first distinct pieces of evidence of those rows.
    pub provs: Vec<Prov>,
}

/// One result row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Values, one per column.
    pub vals: Box<[Val]>,
    /// The evidence the row comes from, if any (for a `summarize` row, its group's first
    /// row's).
    pub prov: Option<Prov>,
    /// For a row of `summarize` (and the rows later stages make of it): its group's evidence.
    pub group: Option<Arc<GroupEvidence>>,
}

/// A result: columns and rows.
#[derive(Clone, Debug, Default)]
pub struct Relation {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

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

pub(crate) struct Exec<'a> {
    ds: &'a Dataset,
    opts: &'a RunOptions,
    terms: HashMap<String, Arc<Vec<Occurrence>>>,
}

/// Where the bindings of a match step go.
#[allow(
    clippy::large_enum_variant,
    reason = "one sink lives per match step, never in a collection"
)]
enum Sink<'a, 'p> {
    /// Kept for the next step.
    Collect(Vec<Binding>),
    /// Complete bindings: projected to the output columns, filtered, and grouped or kept.
    Final {
        output: &'a [usize],
        filters: Vec<&'p PExpr>,
        grouper: Option<Grouper<'p>>,
        rows: Vec<Row>,
        buf: Vec<Val>,
        /// Where the match is written, for the row-limit error.
        span: factql_syntax::Span,
    },
}

impl<'a, 'p> Sink<'a, 'p> {
    /// An empty copy of a final sink, for another thread's bindings.
    fn fork(&self) -> Option<Sink<'a, 'p>> {
        match self {
            Sink::Final { output, filters, grouper, span, .. } => Some(Sink::Final {
                output,
                filters: filters.clone(),
                grouper: grouper.as_ref().map(Grouper::fork),
                rows: Vec::new(),
                buf: Vec::new(),
                span: *span,
            }),
            Sink::Collect(_) => None,
        }
    }

    /// Takes what a forked copy received after what this one did.
    fn join(&mut self, exec: &Exec<'_>, other: Sink<'a, 'p>) -> Result<(), EngineError> {
        if let (
            Sink::Final { grouper, rows, span, .. },
            Sink::Final { grouper: theirs, rows: their_rows, .. },
        ) = (self, other)
        {
            if let (Some(grouper), Some(theirs)) = (grouper.as_mut(), theirs) {
                grouper.absorb(theirs);
            }
            rows.extend(their_rows);
            exec.limit(rows.len(), 0, "match", *span)?;
        }
        Ok(())
    }

    /// Takes one binding.
    fn accept(
        &mut self,
        exec: &Exec<'_>,
        vals: Vec<Val>,
        prov: Option<Prov>,
    ) -> Result<(), EngineError> {
        match self {
            Sink::Collect(bindings) => {
                bindings.push((vals, prov));
                Ok(())
            }
            Sink::Final { .. } => {
                self.accept_with(exec, &vals, [(None, Val::Null), (None, Val::Null)], &|| prov)
            }
        }
    }

    /// Takes `vals` with two columns assigned, copying only when the binding is kept.
    fn accept_with(
        &mut self,
        exec: &Exec<'_>,
        vals: &[Val],
        assign: [(Option<usize>, Val); 2],
        prov: &dyn Fn() -> Option<Prov>,
    ) -> Result<(), EngineError> {
        match self {
            Sink::Collect(bindings) => {
                let mut next = vals.to_vec();
                for (col, value) in assign {
                    if let Some(col) = col {
                        next[col] = value;
                    }
                }
                bindings.push((next, prov()));
            }
            Sink::Final { output, filters, grouper, rows, buf, span } => {
                buf.clear();
                for &col in output.iter() {
                    let value = assign
                        .iter()
                        .find(|(c, _)| *c == Some(col))
                        .map_or_else(|| vals[col].clone(), |(_, v)| v.clone());
                    buf.push(value);
                }
                if !filters.iter().all(|cond| exec.eval(cond, buf).truthy()) {
                    return Ok(());
                }
                match grouper {
                    Some(grouper) => grouper.add(exec, buf, prov),
                    None => {
                        rows.push(Row {
                            vals: buf.clone().into_boxed_slice(),
                            prov: prov(),
                            group: None,
                        });
                        exec.limit(rows.len(), 0, "match", *span)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Receives the neighbours an edge reaches: (edge value, other node).
type Emit<'e> = dyn FnMut(&Exec<'_>, Option<Val>, Val) -> Result<(), EngineError> + 'e;

/// A partial match: one value per pattern column, and the evidence so far.
type Binding = (Vec<Val>, Option<Prov>);

/// One place a thing occurs in the text: a mention or a term.
#[derive(Clone, Copy, Debug)]
struct Occurrence {
    article: u32,
    sentence: u32,
    word: u32,
    mention: Option<u32>,
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

    pub(crate) fn run(&mut self, plan: &Plan) -> Result<Relation, EngineError> {
        let mut next = 0;
        let mut rows = match &plan.source {
            SourcePlan::Scan { table, entity_kind, history } => {
                // A scan streams its references through the `where` stages that follow it,
                // and into a `summarize` right after them, without building rows it drops.
                let mut filters = Vec::new();
                while let Some(PlannedStep { step: Step::Where(cond), .. }) = plan.steps.get(next) {
                    filters.push(cond);
                    next += 1;
                }
                let summarize = match plan.steps.get(next) {
                    Some(PlannedStep { step: Step::Summarize { keys, aggs }, .. }) => {
                        next += 1;
                        Some((keys.as_slice(), aggs.as_slice()))
                    }
                    _ => None,
                };
                let shortlist = summarize
                    .filter(|_| self.opts.kernels)
                    .and_then(|(keys, _)| shortlist(keys.len(), plan.steps.get(next)));
                let source = (*table, entity_kind.as_ref(), *history);
                self.scan(source, &filters, summarize, shortlist, plan)?
            }
            SourcePlan::Match { patterns, width, output } => {
                // Matches stream their last step through the `where` stages that follow, and
                // into a `summarize`, without materialising bindings they drop.
                let mut filters = Vec::new();
                while let Some(PlannedStep { step: Step::Where(cond), .. }) = plan.steps.get(next) {
                    filters.push(cond);
                    next += 1;
                }
                let summarize = match plan.steps.get(next) {
                    Some(PlannedStep { step: Step::Summarize { keys, aggs }, .. }) => {
                        next += 1;
                        Some((keys.as_slice(), aggs.as_slice()))
                    }
                    _ => None,
                };
                let fast = summarize.filter(|_| self.opts.kernels);
                let list = fast.and_then(|(keys, _)| shortlist(keys.len(), plan.steps.get(next)));
                let kernel = fast.and_then(|(keys, aggs)| {
                    crate::cooccur::CoocKernel::plan(self, patterns, output, &filters, keys, aggs)
                        .map(|kernel| (kernel, keys, aggs))
                });
                if let Some((kernel, keys, aggs)) = kernel {
                    let rows = kernel.run(self, keys, aggs, list, plan.source_span)?;
                    self.limit(rows.len(), 0, "match", plan.source_span)?;
                    rows
                } else {
                    let mut sink = Sink::Final {
                        output,
                        filters,
                        grouper: summarize.map(|(keys, aggs)| Grouper::new(keys, aggs, false)),
                        rows: Vec::new(),
                        buf: Vec::new(),
                        span: plan.source_span,
                    };
                    self.run_match(patterns, *width, &mut sink)?;
                    let rows = match sink {
                        Sink::Final { grouper: Some(grouper), .. } => {
                            // As many groups as rows without a shortlist: the same limit.
                            self.limit(grouper.len(), 0, "match", plan.source_span)?;
                            grouper.finish(self, list)
                        }
                        Sink::Final { rows, .. } => rows,
                        Sink::Collect(_) => Vec::new(),
                    };
                    self.limit(rows.len(), 0, "match", plan.source_span)?;
                    rows
                }
            }
            SourcePlan::Rows(relation) => relation.rows.clone(),
        };
        let mut columns = if next == 0 {
            plan.source_columns.clone()
        } else {
            plan.steps[next - 1].columns.clone()
        };
        for (idx, planned) in plan.steps.iter().enumerate().skip(next) {
            let following = plan.steps.get(idx + 1);
            rows =
                self.step(&planned.step, following, rows, idx + 1, planned.name, planned.span)?;
            columns = planned.columns.clone();
        }
        Ok(Relation { columns, rows })
    }

    /// Scans a table through `filters`, into `summarize` when given. A filter that pins an
    /// entity (`actor.name == "..."`, `entity.name == "..."`) narrows the scan to that
    /// entity's rows through an index. Large scans run on two threads, each over whole
    /// articles, and their groups are merged.
    fn scan(
        &mut self,
        (table, entity_kind, history): (Table, Option<&Arc<str>>, bool),
        filters: &[&PExpr],
        summarize: Option<(&[PExpr], &[Agg])>,
        shortlist: Option<Shortlist>,
        plan: &Plan,
    ) -> Result<Vec<Row>, EngineError> {
        let ds = self.ds;
        let count = match table {
            Table::Article => crate::history::article_rows(ds, history),
            Table::Sentence => ds.sentences.len(),
            Table::Mention => ds.mentions.len(),
            Table::Entity => ds.entities.len(),
            Table::Fact(k) => ds.kinds[k as usize].len(),
        } as u32;
        let mut seek =
            if self.opts.kernels { crate::access::seek(ds, table, filters) } else { None };
        if let Some(list) = &mut seek {
            // an index knows every row: keep those of this source (live articles only,
            // unless `articles(all)`)
            list.retain(|&row| row < count);
        }
        let rows = match &seek {
            Some(list) => Rows::List(list),
            None => Rows::All(count),
        };
        let chunks = self.chunks(table, &rows);
        if let (Table::Mention, None, Some((keys, aggs)), true) =
            (table, &seek, summarize, self.opts.kernels)
            && let Some(kernel) = crate::kernel::MentionKernel::plan(self, filters, keys, aggs)
        {
            let this: &Exec<'_> = self;
            let mut parts: Vec<crate::kernel::Tallies> = std::thread::scope(|scope| {
                let handles: Vec<_> = chunks
                    .iter()
                    .map(|range| {
                        let (range, kernel) = (range.clone(), &kernel);
                        scope.spawn(move || kernel.run(this, range))
                    })
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).collect()
            });
            if parts.len() == chunks.len() && !parts.is_empty() {
                let mut tallies = parts.remove(0);
                for part in parts {
                    tallies.absorb(&part);
                }
                return Ok(kernel.finish(self, keys, aggs, &tallies, shortlist));
            }
        }
        // Mentions and sentences are stored in article order (and articles are themselves),
        // so a distinct count of the article needs no set, only the last value seen.
        let article_ordered = matches!(table, Table::Mention | Table::Sentence | Table::Article);
        let this: &Exec<'_> = self;
        let results: Vec<Result<ChunkOut<'_>, EngineError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|range| {
                    let (range, rows) = (range.clone(), &rows);
                    scope.spawn(move || {
                        this.scan_chunk(
                            table,
                            rows,
                            range,
                            entity_kind,
                            filters,
                            summarize,
                            article_ordered,
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(Err(EngineError::Cancelled))).collect()
        });
        let mut parts = Vec::with_capacity(results.len());
        for result in results {
            parts.push(result?);
        }
        match summarize {
            Some(_) => {
                let mut groupers = parts.into_iter().filter_map(|part| match part {
                    ChunkOut::Groups(grouper) => Some(*grouper),
                    ChunkOut::Rows(_) => None,
                });
                let Some(mut first) = groupers.next() else { return Ok(Vec::new()) };
                for other in groupers {
                    first.absorb(other);
                }
                Ok(first.finish(self, shortlist))
            }
            None => {
                let mut out = Vec::new();
                for part in parts {
                    if let ChunkOut::Rows(rows) = part {
                        out.extend(rows);
                    }
                }
                self.limit(out.len(), 0, "source", plan.source_span)?;
                Ok(out)
            }
        }
    }

    /// Position ranges of `rows` for the scan threads: one for small scans, else two split
    /// at an article boundary, so no article is counted in both.
    fn chunks(&self, table: Table, rows: &Rows<'_>) -> Vec<std::ops::Range<u32>> {
        let count = rows.len();
        if count < self.opts.parallel_from.max(2) {
            return std::iter::once(0..count).collect();
        }
        let ds = self.ds;
        let article_of = |pos: u32| -> Option<u32> {
            let idx = rows.at(pos) as usize;
            match table {
                Table::Mention => Some(ds.mention_cols.article[idx]),
                Table::Sentence => Some(ds.sentences[idx].article),
                Table::Fact(k) => Some(ds.kinds[k as usize].article[idx]),
                Table::Article | Table::Entity => None,
            }
        };
        let mut middle = count / 2;
        if let Some(article) = article_of(middle) {
            while middle < count && article_of(middle) == Some(article) {
                middle += 1;
            }
        }
        vec![0..middle, middle..count]
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "one scan thread's whole task, passed once per thread"
    )]
    fn scan_chunk<'p>(
        &self,
        table: Table,
        rows: &Rows<'_>,
        range: std::ops::Range<u32>,
        entity_kind: Option<&Arc<str>>,
        filters: &[&PExpr],
        summarize: Option<(&'p [PExpr], &'p [Agg])>,
        article_ordered: bool,
    ) -> Result<ChunkOut<'p>, EngineError> {
        let ds = self.ds;
        let filters = Filters::new(ds, table, filters, self.opts.kernels);
        let mut grouper = summarize.map(|(keys, aggs)| Grouper::new(keys, aggs, article_ordered));
        let mut out = Vec::new();
        let mut pos = range.start;
        let mut checked = range.start;
        while pos < range.end {
            // The next row that passes the column tests, found in a tight loop over a window
            // (between windows the cancel flag is read).
            let window = range.end.min(pos.saturating_add(1 << 16));
            let Some(next) = filters.next_pass(ds, rows, pos, window) else {
                pos = window;
                self.tick()?;
                continue;
            };
            if next - checked >= 4096 {
                checked = next;
                self.tick()?;
            }
            pos = next + 1;
            let idx = rows.at(next);
            let r = match table {
                Table::Article => Ref::Article(idx),
                Table::Sentence => Ref::Sentence(idx),
                Table::Mention => Ref::Mention(idx),
                Table::Entity => {
                    if entity_kind.is_some_and(|k| !same_text(&ds.entities[idx as usize].kind, k)) {
                        continue;
                    }
                    Ref::Entity(idx)
                }
                Table::Fact(k) => Ref::Fact(k, idx),
            };
            let row = [Val::Ref(r)];
            if !filters.rest.iter().all(|cond| self.eval(cond, &row).truthy()) {
                continue;
            }
            match grouper.as_mut() {
                Some(grouper) => grouper.add(self, &row, &|| ds.prov(r)),
                None => out.push(Row { vals: Box::new(row), prov: ds.prov(r), group: None }),
            }
        }
        Ok(match grouper {
            Some(grouper) => ChunkOut::Groups(Box::new(grouper)),
            None => ChunkOut::Rows(out),
        })
    }

    /// Runs one stage; `following` is the stage after it, if any.
    fn step(
        &mut self,
        step: &Step,
        following: Option<&PlannedStep>,
        rows: Vec<Row>,
        stage: usize,
        name: &'static str,
        span: factql_syntax::Span,
    ) -> Result<Vec<Row>, EngineError> {
        Ok(match step {
            Step::Where(cond) => {
                let mut out = Vec::with_capacity(rows.len() / 2);
                for row in rows {
                    self.tick()?;
                    if self.eval(cond, &row.vals).truthy() {
                        out.push(row);
                    }
                }
                out
            }
            Step::Project { exprs, keep } => {
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    self.tick()?;
                    let mut vals: Vec<Val> =
                        if *keep { row.vals.to_vec() } else { Vec::with_capacity(exprs.len()) };
                    for expr in exprs {
                        vals.push(self.eval(expr, &row.vals));
                    }
                    out.push(Row {
                        vals: vals.into_boxed_slice(),
                        prov: row.prov,
                        group: row.group.clone(),
                    });
                }
                out
            }
            Step::Summarize { keys, aggs } => {
                let list = shortlist(keys.len(), following).filter(|_| self.opts.kernels);
                self.summarize(rows, keys, aggs, list, (stage, name, span))?
            }
            Step::Sort(keys) => {
                let mut keyed: Vec<(Vec<Val>, Row)> = rows
                    .into_iter()
                    .map(|row| (keys.iter().map(|(k, _)| self.eval(k, &row.vals)).collect(), row))
                    .collect();
                keyed.sort_by(|(a, _), (b, _)| {
                    for ((x, y), (_, desc)) in a.iter().zip(b).zip(keys) {
                        let ord = x.total_cmp(y);
                        if ord != std::cmp::Ordering::Equal {
                            return if *desc { ord.reverse() } else { ord };
                        }
                    }
                    std::cmp::Ordering::Equal
                });
                keyed.into_iter().map(|(_, row)| row).collect()
            }
            Step::Top { count, key, desc, per } => {
                let mut keyed: Vec<(Val, Row)> =
                    rows.into_iter().map(|row| (self.eval(key, &row.vals), row)).collect();
                keyed.sort_by(|(a, _), (b, _)| if *desc { b.total_cmp(a) } else { a.total_cmp(b) });
                if per.is_empty() {
                    keyed.truncate(*count);
                    keyed.into_iter().map(|(_, row)| row).collect()
                } else {
                    let mut seen: HashMap<Key, usize> = HashMap::new();
                    let mut out = Vec::new();
                    for (_, row) in keyed {
                        let group = Key(per.iter().map(|p| self.eval(p, &row.vals)).collect());
                        let n = seen.entry(group).or_default();
                        if *n < *count {
                            *n += 1;
                            out.push(row);
                        }
                    }
                    out
                }
            }
            Step::Take(count) => {
                let mut rows = rows;
                rows.truncate(*count);
                rows
            }
            Step::Distinct(exprs) => {
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for row in rows {
                    self.tick()?;
                    let vals: Vec<Val> = if exprs.is_empty() {
                        row.vals.to_vec()
                    } else {
                        exprs.iter().map(|e| self.eval(e, &row.vals)).collect()
                    };
                    if seen.insert(Key(vals.clone())) {
                        out.push(Row {
                            vals: vals.into_boxed_slice(),
                            prov: row.prov,
                            group: row.group.clone(),
                        });
                    }
                }
                out
            }
            Step::Join { flavor, right, left_keys, right_keys, right_keep } => {
                let right_rows = Exec::new(self.ds, self.opts).run(right)?;
                let mut index: HashMap<Key, Vec<usize>> = HashMap::new();
                for (idx, row) in right_rows.rows.iter().enumerate() {
                    let key = Key(right_keys.iter().map(|k| self.eval(k, &row.vals)).collect());
                    if key.0.iter().any(Val::is_null) {
                        continue;
                    }
                    index.entry(key).or_default().push(idx);
                }
                let mut out = Vec::new();
                for row in rows {
                    self.tick()?;
                    let key = Key(left_keys.iter().map(|k| self.eval(k, &row.vals)).collect());
                    let matches = index.get(&key).map_or(&[][..], Vec::as_slice);
                    match flavor {
                        JoinFlavor::Anti => {
                            if matches.is_empty() {
                                out.push(row);
                            }
                        }
                        JoinFlavor::Inner | JoinFlavor::Left => {
                            if matches.is_empty() && *flavor == JoinFlavor::Left {
                                let mut vals = row.vals.to_vec();
                                vals.extend(right_keep.iter().map(|_| Val::Null));
                                out.push(Row {
                                    vals: vals.into_boxed_slice(),
                                    prov: row.prov,
                                    group: row.group.clone(),
                                });
                            }
                            for &m in matches {
                                let mut vals = row.vals.to_vec();
                                vals.extend(
                                    right_keep.iter().map(|&c| right_rows.rows[m].vals[c].clone()),
                                );
                                out.push(Row {
                                    vals: vals.into_boxed_slice(),
                                    prov: row.prov,
                                    group: row.group.clone(),
                                });
                            }
                            self.limit(out.len(), stage, name, span)?;
                        }
                    }
                }
                out
            }
            Step::Expand { column } => {
                let mut out = Vec::new();
                for row in rows {
                    self.tick()?;
                    let items: Vec<Val> = match row.vals[*column].clone() {
                        Val::List(items) => items.to_vec(),
                        Val::Null => Vec::new(),
                        other => vec![other],
                    };
                    for item in items {
                        let mut vals = row.vals.to_vec();
                        vals[*column] = item;
                        out.push(Row {
                            vals: vals.into_boxed_slice(),
                            prov: row.prov,
                            group: row.group.clone(),
                        });
                    }
                    self.limit(out.len(), stage, name, span)?;
                }
                out
            }
            Step::Render(_) => rows,
        })
        .and_then(|rows: Vec<Row>| {
            self.limit(rows.len(), stage, name, span)?;
            Ok(rows)
        })
    }

    /// Groups `rows`; `at` names the stage for the row-limit error, which applies to the
    /// groups (even when a shortlist keeps fewer rows).
    fn summarize(
        &mut self,
        rows: Vec<Row>,
        keys: &[PExpr],
        aggs: &[Agg],
        shortlist: Option<Shortlist>,
        at: (usize, &'static str, factql_syntax::Span),
    ) -> Result<Vec<Row>, EngineError> {
        let mut grouper = Grouper::new(keys, aggs, false);
        for row in &rows {
            self.tick()?;
            grouper.add(self, &row.vals, &|| row.prov);
        }
        self.limit(grouper.len(), at.0, at.1, at.2)?;
        Ok(grouper.finish(self, shortlist))
    }

    // ------------------------------------------------------------------ match

    /// Matches the patterns; every complete binding goes to `sink`. Each step but the last
    /// collects its bindings; the last streams them.
    fn run_match(
        &mut self,
        patterns: &[crate::plan::PatternPlan],
        width: usize,
        sink: &mut Sink<'_, '_>,
    ) -> Result<(), EngineError> {
        // The steps in order: (pattern, start node) seeds, then (pattern, edge, forward).
        enum Op {
            Seed(usize, usize),
            Edge(usize, usize, bool),
        }
        let mut ops = Vec::new();
        let mut bound_cols: Vec<usize> = Vec::new();
        for (p, pattern) in patterns.iter().enumerate() {
            let start = pattern
                .nodes
                .iter()
                .position(|n| bound_cols.contains(&n.col))
                .or_else(|| pattern.nodes.iter().position(|n| n.entities.is_some()))
                .or_else(|| pattern.nodes.iter().position(|n| n.term.is_some()))
                .or_else(|| {
                    pattern
                        .nodes
                        .iter()
                        .position(|n| !matches!(n.kind, NodeKind::Any | NodeKind::Term))
                })
                .unwrap_or(0);
            ops.push(Op::Seed(p, start));
            ops.extend((start..pattern.edges.len()).map(|e| Op::Edge(p, e, true)));
            ops.extend((0..start).rev().map(|e| Op::Edge(p, e, false)));
            bound_cols.extend(pattern.nodes.iter().map(|n| n.col));
            bound_cols.extend(pattern.edges.iter().filter_map(|e| e.col));
        }
        self.warm_terms(patterns);
        let mut bindings: Vec<Binding> = vec![(vec![Val::Null; width], None)];
        let last = ops.len().saturating_sub(1);
        for (idx, op) in ops.iter().enumerate() {
            let mut collect = Sink::Collect(Vec::new());
            let out: &mut Sink<'_, '_> = if idx == last { &mut *sink } else { &mut collect };
            match *op {
                Op::Seed(p, start) => {
                    let node = &patterns[p].nodes[start];
                    for (vals, prov) in std::mem::take(&mut bindings) {
                        if !vals[node.col].is_null() {
                            if self.node_ok(node, &vals[node.col]) {
                                out.accept(self, vals, prov)?;
                            }
                            continue;
                        }
                        for candidate in self.candidates(node) {
                            self.tick()?;
                            let prov = prov.or_else(|| match &candidate {
                                Val::Ref(r) => self.ds.prov(*r),
                                _ => None,
                            });
                            let mut vals = vals.clone();
                            vals[node.col] = candidate;
                            out.accept(self, vals, prov)?;
                        }
                    }
                }
                Op::Edge(p, e, forward) => {
                    let pattern = &patterns[p];
                    let (from, to) = if forward {
                        (&pattern.nodes[e], &pattern.nodes[e + 1])
                    } else {
                        (&pattern.nodes[e + 1], &pattern.nodes[e])
                    };
                    let bindings = std::mem::take(&mut bindings);
                    let edge = &pattern.edges[e];
                    if idx == last {
                        self.expand_last(bindings, edge, from, to, forward, out)?;
                    } else {
                        self.expand(bindings, edge, from, to, forward, None, out)?;
                    }
                }
            }
            if let Sink::Collect(next) = collect {
                bindings = next;
            }
        }
        Ok(())
    }

    /// Every value a node may take when nothing binds it yet.
    fn candidates(&mut self, node: &NodeSpec) -> Vec<Val> {
        let ds = self.ds;
        let all: Vec<Val> = if let Some(entities) = &node.entities {
            entities.iter().map(|&e| Val::Ref(Ref::Entity(e))).collect()
        } else if let Some(term) = &node.term {
            vec![Val::str(term)]
        } else {
            match &node.kind {
                NodeKind::Article => {
                    (0..ds.live_articles).map(|a| Val::Ref(Ref::Article(a))).collect()
                }
                NodeKind::Sentence => {
                    (0..ds.sentences.len() as u32).map(|s| Val::Ref(Ref::Sentence(s))).collect()
                }
                NodeKind::Entity(_) => {
                    (0..ds.entities.len() as u32).map(|e| Val::Ref(Ref::Entity(e))).collect()
                }
                NodeKind::Fact(k) => (0..ds.kinds[*k as usize].len() as u32)
                    .map(|i| Val::Ref(Ref::Fact(*k, i)))
                    .collect(),
                // A pattern of untyped nodes starts from every row an edge can leave: the
                // edges themselves keep only those that connect.
                NodeKind::Any => (0..ds.live_articles)
                    .map(|a| Val::Ref(Ref::Article(a)))
                    .chain((0..ds.sentences.len() as u32).map(|s| Val::Ref(Ref::Sentence(s))))
                    .chain((0..ds.entities.len() as u32).map(|e| Val::Ref(Ref::Entity(e))))
                    .chain(ds.kinds.iter().enumerate().flat_map(|(k, table)| {
                        (0..table.len() as u32).map(move |i| Val::Ref(Ref::Fact(k as u16, i)))
                    }))
                    .collect(),
                NodeKind::Term => Vec::new(),
            }
        };
        all.into_iter().filter(|v| self.node_ok(node, v)).collect()
    }

    fn node_ok(&self, node: &NodeSpec, value: &Val) -> bool {
        let ok_kind = match (&node.kind, value) {
            (NodeKind::Any, _) => true,
            (NodeKind::Article, Val::Ref(Ref::Article(_)))
            | (NodeKind::Sentence, Val::Ref(Ref::Sentence(_))) => true,
            (NodeKind::Entity(kind), Val::Ref(Ref::Entity(e))) => {
                kind.as_ref().is_none_or(|k| same_text(&self.ds.entities[*e as usize].kind, k))
            }
            (NodeKind::Fact(k), Val::Ref(Ref::Fact(j, _))) => k == j,
            (NodeKind::Term, Val::Str(_)) => true,
            _ => false,
        };
        if !ok_kind {
            return false;
        }
        if let (Some(entities), Val::Ref(Ref::Entity(e))) = (&node.entities, value)
            && !entities.contains(e)
        {
            return false;
        }
        if let (Some(term), Val::Str(s)) = (&node.term, value)
            && **term != **s
        {
            return false;
        }
        self.props_ok(&node.props, value)
    }

    fn props_ok(&self, props: &[(FieldKey, PExpr)], value: &Val) -> bool {
        let Val::Ref(r) = value else { return props.is_empty() };
        props
            .iter()
            .all(|(key, expected)| self.ds.read(*r, *key).equals(&self.eval_const(expected)))
    }

    fn eval_const(&self, expr: &PExpr) -> Val {
        match expr {
            PExpr::Lit(v) => v.clone(),
            other => self.eval(other, &[]),
        }
    }

    /// Extends the last step's bindings across its edge on two threads, when there is enough
    /// work: the bindings split in halves, or, for one binding over a `near` edge, the
    /// occurrences of its source. Each thread fills its own copy of the sink; they are joined
    /// in order, so the rows and groups are those one thread would make (a float `sum` or
    /// `avg` adds the two parts, so it may differ in the last bits, as in two-thread scans).
    #[allow(clippy::too_many_arguments, reason = "one match step, as expand takes it")]
    fn expand_last(
        &self,
        mut bindings: Vec<Binding>,
        edge: &EdgeSpec,
        from: &NodeSpec,
        to: &NodeSpec,
        forward: bool,
        out: &mut Sink<'_, '_>,
    ) -> Result<(), EngineError> {
        let enough = (self.opts.parallel_from / 16).max(2) as usize;
        let occurrences = match (&edge.kind, bindings.as_slice()) {
            (EdgeKindSpec::Near(_), [(vals, _)]) => self.occurrence_count(&vals[from.col]),
            _ => 0,
        };
        let parts: [(Vec<Binding>, Option<std::ops::Range<usize>>); 2] = if occurrences >= enough {
            let middle = occurrences / 2;
            let second = bindings.clone();
            [(bindings, Some(0..middle)), (second, Some(middle..occurrences))]
        } else if bindings.len() >= enough {
            let second = bindings.split_off(bindings.len() / 2);
            [(bindings, None), (second, None)]
        } else {
            return self.expand(bindings, edge, from, to, forward, None, out);
        };
        let (Some(left), Some(mut right)) = (out.fork(), out.fork()) else {
            let [(first, _), (second, _)] = parts;
            let mut all = first;
            all.extend(second);
            return self.expand(all, edge, from, to, forward, None, out);
        };
        let [(first, first_part), (second, second_part)] = parts;
        // Each sink is moved to the thread that fills it: two sinks side by side on one
        // stack would share cache lines that both threads write on every binding.
        let (left, b) = std::thread::scope(|scope| {
            let handle = scope.spawn(move || {
                let mut left = left;
                self.expand(first, edge, from, to, forward, first_part, &mut left).map(|()| left)
            });
            let b = self.expand(second, edge, from, to, forward, second_part, &mut right);
            (handle.join().unwrap_or(Err(EngineError::Cancelled)), b)
        });
        let left = left?;
        b?;
        out.join(self, left)?;
        out.join(self, right)
    }

    /// Extends every binding across one edge, from node `from` (bound) to node `to`; `part`
    /// limits a `near` edge to a range of its source's occurrences.
    #[allow(clippy::too_many_arguments, reason = "one match step and its part")]
    fn expand(
        &self,
        bindings: Vec<Binding>,
        edge: &EdgeSpec,
        from: &NodeSpec,
        to: &NodeSpec,
        forward: bool,
        part: Option<std::ops::Range<usize>>,
        out: &mut Sink<'_, '_>,
    ) -> Result<(), EngineError> {
        for (vals, prov) in bindings {
            let source = vals[from.col].clone();
            // What to do with one neighbour: check it, then hand the extended binding on.
            let mut handle =
                |this: &Exec<'_>, edge_val: Option<Val>, other: Val| -> Result<(), EngineError> {
                    if !vals[to.col].is_null() {
                        if !vals[to.col].equals(&other) {
                            return Ok(());
                        }
                    } else if !this.node_ok(to, &other) {
                        return Ok(());
                    }
                    if let Some(ev) = &edge_val
                        && !edge.props.is_empty()
                        && !this.props_ok(&edge.props, ev)
                    {
                        return Ok(());
                    }
                    if let (Some(col), Some(ev)) = (edge.col, &edge_val)
                        && !vals[col].is_null()
                        && !vals[col].equals(ev)
                    {
                        return Ok(());
                    }
                    // Evidence: the first bound edge that has some, else the first node that has;
                    // worked out only if the binding is kept and needs it.
                    let evidence = {
                        let edge_val = edge_val.clone();
                        let other = other.clone();
                        move || {
                            let edge_prov = match &edge_val {
                                Some(Val::Ref(r)) => this.ds.prov(*r),
                                Some(Val::Cooc(c)) => this.ds.prov(Ref::Sentence(c.sentence)),
                                _ => None,
                            };
                            let node_prov = match &other {
                                Val::Ref(r) => this.ds.prov(*r),
                                _ => None,
                            };
                            match (prov, edge_prov) {
                                (Some(p), _) if edge.col.is_none() || edge_val.is_none() => Some(p),
                                (_, Some(e)) => Some(e),
                                (p, None) => p.or(node_prov),
                            }
                        }
                    };
                    let assign = [
                        (edge.col.filter(|_| edge_val.is_some()), edge_val.unwrap_or(Val::Null)),
                        (Some(to.col), other),
                    ];
                    out.accept_with(this, &vals, assign, &evidence)
                };
            match &edge.kind {
                EdgeKindSpec::Near(scope) => {
                    self.near_edge(*scope, &source, to, part.clone(), &mut handle)?
                }
                _ => {
                    for (edge_val, other) in self.neighbours(edge, &source, forward, to)? {
                        self.tick()?;
                        handle(self, edge_val, other)?;
                    }
                }
            }
            if let Sink::Collect(collected) = out {
                self.limit(collected.len(), 0, "match", edge.span)?;
            }
        }
        Ok(())
    }

    /// `(edge value, other node)` pairs reachable from `source` over `edge`.
    fn neighbours(
        &self,
        edge: &EdgeSpec,
        source: &Val,
        forward: bool,
        to: &NodeSpec,
    ) -> Result<Vec<(Option<Val>, Val)>, EngineError> {
        let along = match edge.direction {
            Direction::Right => Some(forward),
            Direction::Left => Some(!forward),
            Direction::Undirected | Direction::Both => None,
        };
        match &edge.kind {
            EdgeKindSpec::Mentions => Ok(self.mentions_edge(source, to)),
            EdgeKindSpec::Near(scope) => {
                let mut pairs = Vec::new();
                self.near_edge(*scope, source, to, None, &mut |_, edge_val, other| {
                    pairs.push((edge_val, other));
                    Ok(())
                })?;
                Ok(pairs)
            }
            EdgeKindSpec::Fact { kind, from, to: to_role, type_filter } => {
                let step = |exec: &Exec<'_>, value: &Val| -> Vec<(Option<Val>, Val)> {
                    let mut out = Vec::new();
                    if along != Some(false) {
                        out.extend(exec.fact_step(
                            *kind,
                            *from,
                            *to_role,
                            type_filter.as_ref(),
                            value,
                            true,
                        ));
                    }
                    if along != Some(true) {
                        out.extend(exec.fact_step(
                            *kind,
                            *from,
                            *to_role,
                            type_filter.as_ref(),
                            value,
                            false,
                        ));
                    }
                    out
                };
                match edge.hops {
                    None => Ok(step(self, source)),
                    Some((min, max)) => {
                        let mut seen: HashSet<Key> = HashSet::from([Key(vec![source.clone()])]);
                        let mut frontier = vec![source.clone()];
                        let mut out = Vec::new();
                        for depth in 1..=max {
                            let mut next = Vec::new();
                            for value in &frontier {
                                for (_, other) in step(self, value) {
                                    self.tick()?;
                                    if seen.insert(Key(vec![other.clone()])) {
                                        if depth >= min {
                                            out.push((None, other.clone()));
                                        }
                                        next.push(other);
                                    }
                                }
                            }
                            frontier = next;
                        }
                        Ok(out)
                    }
                }
            }
        }
    }

    fn mentions_edge(&self, source: &Val, to: &NodeSpec) -> Vec<(Option<Val>, Val)> {
        let ds = self.ds;
        let Val::Ref(r) = source else { return Vec::new() };
        let mut seen: FxSet<Ref> = FxSet::default();
        let mut out = Vec::new();
        let mut push = |r: Ref| {
            if seen.insert(r) {
                out.push((None, Val::Ref(r)));
            }
        };
        // A target that is a known entity needs no enumeration: look it up among the
        // entity's mentions (ordered by article and sentence) by binary search.
        if let (Some(entities), Ref::Article(a)) = (&to.entities, r) {
            // The entities of a literal are distinct: no set needed.
            return entities
                .iter()
                .filter(|&&e| ds.entities[e as usize].articles.binary_search(a).is_ok())
                .map(|&e| (None, Val::Ref(Ref::Entity(e))))
                .collect();
        }
        if let (Some(entities), Ref::Sentence(_)) = (&to.entities, r) {
            let inside = |m: &crate::dataset::MentionRec| match *r {
                Ref::Article(a) => m.article.cmp(&a),
                Ref::Sentence(s) => m.sentence.cmp(&s),
                _ => std::cmp::Ordering::Less,
            };
            for &e in entities.iter() {
                let list = &ds.entities[e as usize].mentions;
                let at = list.partition_point(|&m| inside(&ds.mentions[m as usize]).is_lt());
                if list.get(at).is_some_and(|&m| inside(&ds.mentions[m as usize]).is_eq()) {
                    push(Ref::Entity(e));
                }
            }
            return out;
        }
        match *r {
            Ref::Article(a) => {
                for m in self.article_mentions(a) {
                    if let Some(e) = ds.mentions[m as usize].entity {
                        push(Ref::Entity(e));
                    }
                }
            }
            Ref::Sentence(s) => {
                for m in ds.sentences[s as usize].mentions.clone() {
                    if let Some(e) = ds.mentions[m as usize].entity {
                        push(Ref::Entity(e));
                    }
                }
            }
            Ref::Entity(e) => {
                let entity = &ds.entities[e as usize];
                match to.kind {
                    NodeKind::Sentence => {
                        for &m in &entity.mentions {
                            push(Ref::Sentence(ds.mentions[m as usize].sentence));
                        }
                    }
                    // Distinct already, and in the order the mentions give.
                    _ => out
                        .extend(entity.articles.iter().map(|&a| (None, Val::Ref(Ref::Article(a))))),
                }
            }
            Ref::Mention(_) | Ref::Fact(..) => {}
        }
        out
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

    /// Finds the occurrences of every term of the patterns once, before any step runs, so
    /// that the steps (possibly on two threads) only read them.
    fn warm_terms(&mut self, patterns: &[crate::plan::PatternPlan]) {
        for node in patterns.iter().flat_map(|p| &p.nodes) {
            if let Some(term) = &node.term
                && !self.terms.contains_key(term.as_str())
            {
                let found = Arc::new(self.find_term(term));
                self.terms.insert(term.clone(), found);
            }
        }
    }

    /// Where a term occurs (found before the match ran, else now).
    fn term_occurrences(&self, term: &str) -> Arc<Vec<Occurrence>> {
        self.terms.get(term).cloned().unwrap_or_else(|| Arc::new(self.find_term(term)))
    }

    /// How many occurrences a `near` edge starts from at `source` (an entity or a term).
    fn occurrence_count(&self, source: &Val) -> usize {
        match source {
            Val::Ref(Ref::Entity(e)) => self.ds.entities[*e as usize].mentions.len(),
            Val::Str(term) => self.term_occurrences(term).len(),
            _ => 0,
        }
    }

    /// Every occurrence of a (folded, possibly multi-word) term in the text.
    fn find_term(&self, term: &str) -> Vec<Occurrence> {
        let wanted: Vec<String> = words(term).map(str::to_owned).collect();
        let mut out = Vec::new();
        if wanted.is_empty() {
            return out;
        }
        // Only the live articles whose text has the first word can hold the term (all live
        // ones on the generic path, which the tests compare this with).
        let live = self.ds.live_articles;
        let articles: Vec<u32> = if self.opts.kernels {
            self.ds.words.articles_with(&wanted[0]).into_iter().filter(|&a| a < live).collect()
        } else {
            (0..live).collect()
        };
        for a in articles {
            let article = &self.ds.articles[a as usize];
            let text = &article.text;
            let starts = &article.word_starts;
            let word_at = |idx: usize| -> String {
                let start = starts[idx] as usize;
                let end = starts.get(idx + 1).map_or(text.len(), |&e| e as usize);
                let raw = text.get(start..end).unwrap_or("");
                words(&factql_model::fold(raw)).next().unwrap_or("").to_owned()
            };
            for idx in 0..starts.len() {
                if word_at(idx) != wanted[0] {
                    continue;
                }
                if (1..wanted.len())
                    .all(|k| idx + k < starts.len() && word_at(idx + k) == wanted[k])
                {
                    let byte = starts[idx];
                    let range = &article.sentences;
                    let sentence = (range.start..range.end)
                        .find(|&s| {
                            let sen = &self.ds.sentences[s as usize];
                            sen.start <= byte && byte < sen.end.max(sen.start + 1)
                        })
                        .unwrap_or(range.start);
                    out.push(Occurrence { article: a, sentence, word: idx as u32, mention: None });
                }
            }
        }
        out
    }

    /// Every co-occurrence of `source` (an entity or a term) in `scope` with a mention (or,
    /// for a term node, an occurrence of that term), handed to `emit` as it is found.
    fn near_edge(
        &self,
        scope: ScopeKind,
        source: &Val,
        to: &NodeSpec,
        part: Option<std::ops::Range<usize>>,
        emit: &mut Emit<'_>,
    ) -> Result<(), EngineError> {
        // An entity's occurrences are its mentions, read in place; a term's are found (once
        // per query) in the text. `part` takes a range of them.
        let from_terms = match source {
            Val::Str(term) => Some(self.term_occurrences(term)),
            _ => None,
        };
        let targets: Option<Arc<Vec<Occurrence>>> =
            to.term.as_ref().map(|t| self.term_occurrences(t));
        let this: &Exec<'_> = self;
        let ds = this.ds;
        let entity_mentions: &[u32] = match source {
            Val::Ref(Ref::Entity(e)) => &ds.entities[*e as usize].mentions,
            _ => &[],
        };
        let slice = |len: usize| part.clone().map_or(0..len, |p| p.start.min(len)..p.end.min(len));
        let term_slice: &[Occurrence] = from_terms.as_deref().map_or(&[], |t| t.as_slice());
        let from = term_slice[slice(term_slice.len())].iter().copied().chain(
            entity_mentions[slice(entity_mentions.len())].iter().map(|&m| {
                let men = &ds.mentions[m as usize];
                Occurrence {
                    article: men.article,
                    sentence: men.sentence,
                    word: men.word,
                    mention: Some(m),
                }
            }),
        );
        let term = to.term.as_ref().map(|t| Val::str(t));
        let mut seen = 0u32;
        for occ in from {
            seen = seen.wrapping_add(1);
            if seen.is_multiple_of(4096)
                && this.opts.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed))
            {
                return Err(EngineError::Cancelled);
            }
            let mut consider = |other: Occurrence| -> Result<(), EngineError> {
                if other.mention.is_some() && other.mention == occ.mention {
                    return Ok(());
                }
                if occ.mention.is_none() && other.mention.is_none() && other.word == occ.word {
                    return Ok(());
                }
                let distance = other.word.abs_diff(occ.word);
                let inside = match scope {
                    ScopeKind::Sentence => other.sentence == occ.sentence,
                    ScopeKind::Paragraph => {
                        ds.sentences[other.sentence as usize].paragraph
                            == ds.sentences[occ.sentence as usize].paragraph
                    }
                    ScopeKind::Article => true,
                    ScopeKind::Words(n) => distance <= n,
                };
                if !inside {
                    return Ok(());
                }
                let value = match (other.mention, &term) {
                    (_, Some(term)) => term.clone(),
                    (Some(m), None) => match ds.mentions[m as usize].entity {
                        Some(e) => Val::Ref(Ref::Entity(e)),
                        None => return Ok(()),
                    },
                    (None, None) => return Ok(()),
                };
                let record = Cooc { article: occ.article, sentence: occ.sentence, distance };
                emit(this, Some(Val::Cooc(record)), value)
            };
            match &targets {
                Some(terms) => {
                    for t in terms.iter().filter(|t| t.article == occ.article) {
                        consider(*t)?;
                    }
                }
                None => {
                    let range = match scope {
                        ScopeKind::Sentence => ds.sentences[occ.sentence as usize].mentions.clone(),
                        _ => this.article_mentions(occ.article),
                    };
                    for m in range {
                        let men = &ds.mentions[m as usize];
                        consider(Occurrence {
                            article: men.article,
                            sentence: men.sentence,
                            word: men.word,
                            mention: Some(m),
                        })?;
                    }
                }
            }
        }
        Ok(())
    }

    /// One step over facts of `kind`: along (from-role → to-role or the fact) or against.
    fn fact_step(
        &self,
        kind: u16,
        from: u16,
        to: Option<u16>,
        type_filter: Option<&(u16, Arc<str>)>,
        value: &Val,
        along: bool,
    ) -> Vec<(Option<Val>, Val)> {
        let ds = self.ds;
        let table = &ds.kinds[kind as usize];
        let type_ok = |i: u32| {
            type_filter.is_none_or(|(field, name)| matches!(table.field(*field as usize, i as usize), Val::Str(s) if *s == *name))
        };
        let fact = |i: u32| Val::Ref(Ref::Fact(kind, i));
        match (along, to) {
            (true, _) => {
                let Val::Ref(r) = value else { return Vec::new() };
                self.facts_with_role(kind, from, *r)
                    .iter()
                    .copied()
                    .filter(|&i| type_ok(i))
                    .filter_map(|i| match to {
                        Some(role) => {
                            let other = table.role(role as usize, i as usize).clone();
                            (!other.is_null()).then(|| (Some(fact(i)), other))
                        }
                        None => Some((Some(fact(i)), fact(i))),
                    })
                    .collect()
            }
            (false, Some(role)) => {
                let Val::Ref(r) = value else { return Vec::new() };
                self.facts_with_role(kind, role, *r)
                    .iter()
                    .copied()
                    .filter(|&i| type_ok(i))
                    .filter_map(|i| {
                        let other = table.role(from as usize, i as usize).clone();
                        (!other.is_null()).then(|| (Some(fact(i)), other))
                    })
                    .collect()
            }
            (false, None) => match value {
                Val::Ref(Ref::Fact(k, i)) if *k == kind && type_ok(*i) => {
                    let other = table.role(from as usize, *i as usize).clone();
                    if other.is_null() { Vec::new() } else { vec![(Some(fact(*i)), other)] }
                }
                _ => Vec::new(),
            },
        }
    }

    /// Facts of `kind` whose `role` holds `target`, ascending (the dataset's role index).
    fn facts_with_role(&self, kind: u16, role: u16, target: Ref) -> &'a [u32] {
        let ds = self.ds;
        ds.kinds[kind as usize]
            .by_role
            .get(role as usize)
            .and_then(|index| index.by_target.get(&target))
            .map_or(&[][..], Vec::as_slice)
    }

    // ------------------------------------------------------------------ expressions

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

/// What a `top N by <aggregate>` right after a `summarize` with `keys` keys keeps of its
/// groups: the grouper then builds only those rows (the `top` stage still runs, and orders
/// them).
fn shortlist(keys: usize, following: Option<&PlannedStep>) -> Option<Shortlist> {
    match following.map(|planned| &planned.step) {
        Some(Step::Top { count, key: PExpr::Col(col), desc, per }) if per.is_empty() => {
            Some(Shortlist { agg: col.checked_sub(keys)?, count: *count, desc: *desc })
        }
        _ => None,
    }
}

/// Equal entity kinds. Every entity's kind and every kind in a plan is the dataset's one
/// shared copy of that name (`Dataset::shared_kind`), so equal kinds are the same pointer.
fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b)
}

/// The words of folded text: runs of letters and digits.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
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

/// What one scan thread produced.
enum ChunkOut<'p> {
    Rows(Vec<Row>),
    /// Boxed: a grouper is large, and a scan thread returns one of these once.
    Groups(Box<Grouper<'p>>),
}

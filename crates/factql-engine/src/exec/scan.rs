//! The scan runner: a table's rows (all, or those an index seek gives) through the `where`
//! stages that follow, and into a `summarize`, on one thread or two.

use std::sync::Arc;

use crate::access::{Filters, Rows};
use crate::catalog::Table;
use crate::error::EngineError;
use crate::eval::{Exec, same_text};
use crate::group::{Grouper, Shortlist};
use crate::plan::{Agg, PExpr, Plan};
use crate::relation::Row;
use crate::value::{Ref, Val};

impl Exec<'_> {
    /// Scans a table through `filters`, into `summarize` when given. A filter that pins an
    /// entity (`actor.name == "..."`, `entity.name == "..."`) narrows the scan to that
    /// entity's rows through an index. Large scans run on two threads, each over whole
    /// articles, and their groups are merged.
    pub(super) fn scan(
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
}

/// What one scan thread produced.
enum ChunkOut<'p> {
    Rows(Vec<Row>),
    /// Boxed: a grouper is large, and a scan thread returns one of these once.
    Groups(Box<Grouper<'p>>),
}

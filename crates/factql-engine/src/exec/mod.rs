//! The runners: execute a [`Plan`] over the loaded data and return rows that keep their
//! provenance. `run` (here) takes the source and hands the rows from stage to stage; the
//! source is a scan ([`scan`]) or a match ([`pattern`]), the stages are [`stages`]. They
//! evaluate through [`crate::eval`] and group through [`crate::group`]; nothing below
//! imports from here.

mod pattern;
mod scan;
mod stages;

use crate::error::EngineError;
use crate::eval::Exec;
use crate::group::Grouper;
use crate::plan::{Plan, PlannedStep, SourcePlan, Step};
use crate::relation::Relation;

use self::pattern::Sink;
use self::stages::shortlist;

impl Exec<'_> {
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
}

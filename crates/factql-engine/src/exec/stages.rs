//! The stage runner: one stage of a pipeline over the rows before it (`where`, `select`,
//! `summarize`, `sort`, `top`, `take`, `distinct`, `join`, `expand`, `render`). A new stage
//! is a new arm here and in the checker's `check/stages.rs`.

use std::collections::{HashMap, HashSet};

use factql_syntax::JoinFlavor;

use crate::error::EngineError;
use crate::eval::Exec;
use crate::group::{Grouper, Shortlist};
use crate::plan::{Agg, PExpr, PlannedStep, Step};
use crate::relation::Row;
use crate::value::{Key, Val};

impl Exec<'_> {
    /// Runs one stage; `following` is the stage after it, if any.
    pub(super) fn step(
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
}

/// What a `top N by <aggregate>` right after a `summarize` with `keys` keys keeps of its
/// groups: the grouper then builds only those rows (the `top` stage still runs, and orders
/// them).
pub(super) fn shortlist(keys: usize, following: Option<&PlannedStep>) -> Option<Shortlist> {
    match following.map(|planned| &planned.step) {
        Some(Step::Top { count, key: PExpr::Col(col), desc, per }) if per.is_empty() => {
            Some(Shortlist { agg: col.checked_sub(keys)?, count: *count, desc: *desc })
        }
        _ => None,
    }
}

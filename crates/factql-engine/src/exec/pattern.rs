//! The pattern runner: `match` walks the indexes from the most selective node, step by step,
//! each step's bindings going to the next, the last step's streamed into a sink (the `where`
//! stages and the `summarize` that follow), on one thread or two.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use factql_syntax::{Direction, ScopeKind};

use crate::catalog::FieldKey;
use crate::error::EngineError;
use crate::eval::{Exec, Occurrence, same_text};
use crate::group::Grouper;
use crate::plan::{EdgeKindSpec, EdgeSpec, NodeKind, NodeSpec, PExpr};
use crate::relation::{Prov, Row};
use crate::value::{Cooc, FxSet, Key, Ref, Val};
use crate::words::words;

/// Where the bindings of a match step go.
#[allow(
    clippy::large_enum_variant,
    reason = "one sink lives per match step, never in a collection"
)]
pub(super) enum Sink<'a, 'p> {
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

impl<'a> Exec<'a> {
    /// Matches the patterns; every complete binding goes to `sink`. Each step but the last
    /// collects its bindings; the last streams them.
    pub(super) fn run_match(
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
            let start = pattern.start_node(&bound_cols);
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
}

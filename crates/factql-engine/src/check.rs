//! The checker: resolves names against the catalog, types every expression, resolves entity
//! literals through aliases, and builds the [`Plan`]. It reports every error of a query in one
//! pass; a query with errors gets no plan.

use std::collections::HashMap;
use std::sync::Arc;

use factql_syntax::{
    BinaryOp, CountValue, Direction, EdgeKind, EdgePattern, EntityName, EntityNameValue, Expr,
    ExprKind, HasMode, Ident, JoinRight, LetDef, Literal, NamedExpr, NodePattern, Pattern, Query,
    ScopeKind, SortOrder, SourceKind, Span, StageKind, UnaryOp, did_you_mean,
};

use crate::catalog::{self, Field, FieldKey, Table, Ty};
use crate::dataset::Dataset;
use crate::error::{Diagnostic, Severity};
use crate::exec::Relation;
use crate::hints::{self, Producer};
use crate::plan::{
    Agg, AggFunc, Column, EdgeKindSpec, EdgeSpec, Func, NodeKind, NodeSpec, PExpr, PatternPlan,
    Plan, PlannedStep, SourcePlan, Step,
};
use crate::value::{DateRange, Ref, Val};

/// The scalar functions, sorted.
pub const SCALAR_FUNCS: &[&str] =
    &["bin", "coalesce", "fold", "len", "lower", "mentions", "month", "upper", "year"];
/// The aggregate functions (valid only in `summarize`), sorted.
pub const AGG_FUNCS: &[&str] =
    &["avg", "count", "dcount", "first", "list", "max", "min", "set", "sum"];
/// The most hops a repeated edge may take.
const MAX_HOPS: u32 = 6;
/// How deep `let` names may expand into each other.
const MAX_LET_DEPTH: usize = 16;

/// What a query may refer to besides the store: parameters, `let` definitions, the last
/// result.
#[derive(Clone, Default)]
pub struct Context {
    /// `$name` values.
    pub params: HashMap<String, Val>,
    /// `let` definitions by name, from earlier statements.
    pub lets: HashMap<String, LetDef>,
    /// The previous result, for `_`.
    pub last: Option<Arc<Relation>>,
    /// The plugins that could fill the store's sources, so an empty or unknown source can
    /// name what would fill it.
    pub producers: Vec<Producer>,
}

/// The names in scope at one point of a pipeline.
#[derive(Clone)]
struct Scope {
    columns: Vec<Column>,
    /// Bare names are fields of the row in column 0 (a source before any `select`).
    implicit: Option<Table>,
}

pub(crate) struct Checker<'a> {
    ds: &'a Dataset,
    ctx: &'a Context,
    pub diags: Vec<Diagnostic>,
    /// Extra parameters bound while expanding a parameterised `let`.
    bound: Vec<HashMap<String, Val>>,
    let_depth: usize,
    /// Results named with `as` earlier in the query.
    named: HashMap<String, Plan>,
    /// The table of each field read checked so far, by the span of its expression, so a
    /// comparison of the field with a literal can be checked against the data.
    field_tables: HashMap<(usize, usize), Table>,
    /// While a `let` body is checked: where the outermost `let` name was used, and the name.
    /// Its body's spans point into the text that defined it, which may be another entry.
    let_site: Option<(Span, String)>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(ds: &'a Dataset, ctx: &'a Context) -> Checker<'a> {
        Checker {
            ds,
            ctx,
            diags: Vec::new(),
            bound: Vec::new(),
            let_depth: 0,
            named: HashMap::new(),
            field_tables: HashMap::new(),
            let_site: None,
        }
    }

    fn error(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            code,
            message,
            span,
            label: label.to_owned(),
            help,
        });
    }

    fn warn(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            code,
            message,
            span,
            label: label.to_owned(),
            help,
        });
    }

    fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }

    /// Checks a query; `None` when it has errors (they are in `diags`).
    pub(crate) fn check_query(&mut self, query: &Query) -> Option<Plan> {
        let before = self.diags.iter().filter(|d| d.severity == Severity::Error).count();
        let plan = self.plan_query(query);
        let after = self.diags.iter().filter(|d| d.severity == Severity::Error).count();
        if after > before || self.has_errors() { None } else { plan }
    }

    /// The columns and implicit table of the rows entering stage `stage` of `query` (the
    /// source's when 0), from checking the source and the stages before it.
    pub(crate) fn scope_before(
        &mut self,
        query: &Query,
        stage: usize,
    ) -> Option<(Vec<Column>, Option<Table>)> {
        let (mut plan, mut scope) = self.plan_source(query)?;
        for stage in query.stages.iter().take(stage) {
            self.plan_stage(stage, &mut plan, &mut scope);
        }
        Some((scope.columns, scope.implicit))
    }

    fn plan_query(&mut self, query: &Query) -> Option<Plan> {
        if let Some((last, stages)) = query.stages.split_last() {
            for stage in stages {
                if matches!(stage.kind, StageKind::Render(_))
                    && !matches!(last.kind, StageKind::Render(_))
                {
                    self.error(
                        "E0413",
                        stage.span,
                        "`render` must be the last stage".into(),
                        "not last",
                        Some("move it to the end of the query".into()),
                    );
                }
            }
        }
        let (mut plan, mut scope) = self.plan_source(query)?;
        for stage in &query.stages {
            self.plan_stage(stage, &mut plan, &mut scope);
        }
        self.finish(&mut plan, &scope, query.span);
        Some(plan)
    }

    /// A source still in implicit form at the end shows its rows' default fields.
    fn finish(&mut self, plan: &mut Plan, scope: &Scope, span: Span) {
        let Some(table) = scope.implicit else { return };
        let (exprs, columns) = self.default_columns(table, scope);
        plan.steps.push(PlannedStep {
            step: Step::Project { exprs, keep: false },
            name: "select",
            detail: "(default columns)".into(),
            columns,
            span,
        });
    }

    /// The default display fields of a table's rows, plus any extended columns.
    fn default_columns(&self, table: Table, scope: &Scope) -> (Vec<PExpr>, Vec<Column>) {
        let fields = catalog::fields(self.ds, table);
        let wanted: Vec<&str> = match table {
            Table::Article => vec!["id", "published", "source", "title"],
            Table::Sentence => vec!["article", "index", "text"],
            Table::Mention => vec!["kind", "name", "article", "sentence", "start", "end"],
            Table::Entity => vec!["id", "kind", "name", "mentions"],
            Table::Fact(_) => fields
                .iter()
                .filter(|f| {
                    !matches!(f.name.as_str(), "id" | "start" | "end" | "extractor" | "confidence")
                })
                .map(|f| f.name.as_str())
                .collect(),
        };
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for name in wanted {
            if let Some(field) = fields.iter().find(|f| f.name == name) {
                exprs.push(PExpr::Field(Box::new(PExpr::Col(0)), field.key));
                columns.push(Column { name: field.name.clone(), ty: field.ty.clone() });
            }
        }
        for (idx, column) in scope.columns.iter().enumerate().skip(1) {
            exprs.push(PExpr::Col(idx));
            columns.push(column.clone());
        }
        (exprs, columns)
    }

    // ---------------------------------------------------------------- sources

    fn plan_source(&mut self, query: &Query) -> Option<(Plan, Scope)> {
        let span = query.source.span;
        match &query.source.kind {
            SourceKind::Missing => None,
            SourceKind::Last => match &self.ctx.last {
                Some(rows) => {
                    let columns = rows.columns.clone();
                    let plan = Plan {
                        source: SourcePlan::Rows(rows.clone()),
                        source_detail: "_ (previous result)".into(),
                        source_columns: columns.clone(),
                        source_span: span,
                        index: "none",
                        estimate: rows.rows.len(),
                        steps: Vec::new(),
                    };
                    Some((plan, Scope { columns, implicit: None }))
                }
                None => {
                    self.error(
                        "E0210",
                        span,
                        "there is no previous result for `_`".into(),
                        "nothing to refer to",
                        Some("run a query first".into()),
                    );
                    None
                }
            },
            SourceKind::Named { name, args } => self.plan_named_source(name, args.as_deref(), span),
            SourceKind::Match(patterns) => self.plan_match(patterns, span),
        }
    }

    fn plan_named_source(
        &mut self,
        name: &Ident,
        args: Option<&[Expr]>,
        span: Span,
    ) -> Option<(Plan, Scope)> {
        if let Some(def) = self.ctx.lets.get(&name.name).cloned() {
            return self.expand_let(&def, name, args, span);
        }
        if let Some(plan) = self.named.get(&name.name).cloned() {
            let columns = plan.columns().to_vec();
            return Some((plan, Scope { columns, implicit: None }));
        }
        let sources = catalog::sources(self.ds);
        let Some(source) = sources.iter().find(|s| s.name == name.name) else {
            let mut names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
            names.extend(self.ctx.lets.keys().map(String::as_str));
            let help = hints::unknown_source_help(&self.ctx.producers, &name.name).or_else(|| {
                match did_you_mean(&name.name, &names) {
                    Some(close) => Some(format!("did you mean `{close}`?")),
                    None => Some(hints::no_such_kind_help(&self.ctx.producers, &name.name, &names)),
                }
            });
            self.error(
                "E0201",
                name.span,
                format!("unknown source `{}`", name.name),
                "no such source",
                help,
            );
            return None;
        };
        // `articles(all)`: superseded versions too (the only argument a source takes).
        let history = crate::history::is_all(source.table, args);
        if let Some(args) = args.filter(|_| !history) {
            let span = args.first().map_or(name.span, |a| a.span);
            let help = (source.table == Table::Article)
                .then(|| "`articles(all)` also shows superseded versions".to_owned());
            self.error(
                "E0211",
                span,
                format!("`{}` is a source and takes no arguments", name.name),
                "unexpected arguments",
                help,
            );
        }
        if let Some(warning) = hints::empty_source(self.ds, &self.ctx.producers, source, name.span)
        {
            self.push_hint(warning);
        }
        let table = source.table;
        let estimate = match table {
            Table::Article => crate::history::article_rows(self.ds, history),
            Table::Sentence => self.ds.sentences.len(),
            Table::Mention => self.ds.mentions.len(),
            Table::Entity => self.ds.entities.len(),
            Table::Fact(kind) => self.ds.kinds.get(kind as usize).map_or(0, |t| t.len()),
        };
        let columns = vec![Column { name: source.name.clone(), ty: Ty::Ref(Some(table)) }];
        let plan = Plan {
            source: SourcePlan::Scan {
                table,
                entity_kind: source.entity_kind.map(|k| self.ds.shared_kind(k)),
                history,
            },
            source_detail: format!("scan {}{}", source.name, if history { "(all)" } else { "" }),
            source_columns: columns.clone(),
            source_span: span,
            index: if matches!(table, Table::Fact(_)) { "kind → facts" } else { "none" },
            estimate,
            steps: Vec::new(),
        };
        Some((plan, Scope { columns, implicit: Some(table) }))
    }

    fn expand_let(
        &mut self,
        def: &LetDef,
        name: &Ident,
        args: Option<&[Expr]>,
        span: Span,
    ) -> Option<(Plan, Scope)> {
        if self.let_depth >= MAX_LET_DEPTH {
            self.error(
                "E0212",
                name.span,
                format!("`{}` expands into itself", name.name),
                "recursive definition",
                None,
            );
            return None;
        }
        let params = def.params.as_deref().unwrap_or(&[]);
        let args = args.unwrap_or(&[]);
        let mut bound = HashMap::new();
        for (idx, param) in params.iter().enumerate() {
            let value = match args.get(idx) {
                Some(arg) => self.constant(arg),
                None => match &param.default {
                    Some(default) => self.constant(default),
                    None => {
                        self.error(
                            "E0213",
                            span,
                            format!("`{}` needs a value for `${}`", name.name, param.name.name),
                            "missing argument",
                            Some(format!(
                                "call it as {}(...) with {} argument(s)",
                                name.name,
                                params.len()
                            )),
                        );
                        None
                    }
                },
            };
            if let Some(value) = value {
                bound.insert(param.name.name.clone(), value);
            }
        }
        if args.len() > params.len() {
            self.error(
                "E0213",
                args[params.len()].span,
                format!("`{}` takes {} argument(s), got {}", name.name, params.len(), args.len()),
                "extra argument",
                None,
            );
        }
        self.bound.push(bound);
        self.let_depth += 1;
        let outermost = self.let_site.is_none();
        if outermost {
            self.let_site = Some((name.span, name.name.clone()));
        }
        let result = self.plan_source(&def.body).map(|(mut plan, mut scope)| {
            for stage in &def.body.stages {
                self.plan_stage(stage, &mut plan, &mut scope);
            }
            (plan, scope)
        });
        self.let_depth -= 1;
        self.bound.pop();
        if outermost {
            self.let_site = None;
        }
        result
    }

    /// Records a diagnostic of [`hints`]; one found in a `let` body is placed where the
    /// `let` is used, since the body may come from another entry.
    fn push_hint(&mut self, mut diagnostic: Diagnostic) {
        if let Some((site, name)) = &self.let_site {
            diagnostic.span = *site;
            diagnostic.message = format!("{} (in `{name}`)", diagnostic.message);
        }
        self.diags.push(diagnostic);
    }

    /// The value of a constant argument: a literal or a parameter.
    fn constant(&mut self, expr: &Expr) -> Option<Val> {
        let empty = Scope { columns: Vec::new(), implicit: None };
        match self.expr(expr, &empty, false) {
            (PExpr::Lit(value), _) => Some(value),
            (PExpr::Neg(inner), _) => match *inner {
                PExpr::Lit(Val::Int(n)) => Some(Val::Int(-n)),
                PExpr::Lit(Val::Float(x)) => Some(Val::Float(-x)),
                _ => None,
            },
            _ => {
                self.error(
                    "E0214",
                    expr.span,
                    "an argument must be a constant".into(),
                    "not a constant",
                    None,
                );
                None
            }
        }
    }

    fn param(&mut self, name: &str, span: Span) -> Option<Val> {
        for frame in self.bound.iter().rev() {
            if let Some(value) = frame.get(name) {
                return Some(value.clone());
            }
        }
        if let Some(value) = self.ctx.params.get(name) {
            return Some(value.clone());
        }
        self.error(
            "E0205",
            span,
            format!("parameter `${name}` has no value"),
            "not set",
            Some(format!(
                "set it with `--param {name}=VALUE` (or `.param set {name} VALUE` in the REPL)"
            )),
        );
        None
    }

    // ---------------------------------------------------------------- match

    fn plan_match(&mut self, patterns: &[Pattern], span: Span) -> Option<(Plan, Scope)> {
        let mut vars = MatchVars::default();
        let mut plans = Vec::new();
        let mut details = Vec::new();
        for pattern in patterns {
            let mut nodes = Vec::new();
            let mut edges = Vec::new();
            let mut node_specs = vec![&pattern.start];
            node_specs.extend(pattern.steps.iter().map(|(_, node)| node));
            for node in &node_specs {
                let spec = self.plan_node(node, &mut vars);
                nodes.push(spec);
            }
            for (idx, (edge, _)) in pattern.steps.iter().enumerate() {
                let (left, right) = (&nodes[idx], &nodes[idx + 1]);
                if let Some(spec) = self.plan_edge(edge, left, right, &mut vars) {
                    edges.push(spec);
                }
            }
            if edges.len() + 1 != nodes.len() {
                continue;
            }
            // Only when no node names a kind: an unknown kind is its own error already.
            if node_specs.iter().all(|n| n.kind.is_none() && n.entity.is_none()) && edges.is_empty()
            {
                self.error(
                    "E0220",
                    pattern.span,
                    "a pattern needs a node kind to start from".into(),
                    "nothing to enumerate",
                    Some("write a kind, e.g. (p:person)".into()),
                );
            }
            details.push(pattern.to_string());
            plans.push(PatternPlan { nodes, edges });
        }
        let MatchVars { width, output, columns, .. } = vars;
        let estimate = plans
            .first()
            .and_then(|p| {
                p.nodes
                    .iter()
                    .filter_map(|n| n.entities.as_ref().map(|e| self.mentions_of(e)))
                    .min()
            })
            .unwrap_or(self.ds.mentions.len());
        let plan = Plan {
            source: SourcePlan::Match { patterns: plans, width, output },
            source_detail: format!("match {}", details.join(", ")),
            source_columns: columns.clone(),
            source_span: span,
            index: "entity → mentions, sentence → mentions, role → facts",
            estimate,
            steps: Vec::new(),
        };
        Some((plan, Scope { columns, implicit: None }))
    }

    fn mentions_of(&self, entities: &[u32]) -> usize {
        entities.iter().map(|&e| self.ds.entities[e as usize].mentions.len()).sum()
    }

    fn plan_node(&mut self, node: &NodePattern, vars: &mut MatchVars) -> NodeSpec {
        let kind = match &node.kind {
            None => NodeKind::Any,
            Some(kind) => self.node_kind(kind),
        };
        let ty = match &kind {
            // A kind that was written but is unknown has been reported; stay quiet about its fields.
            NodeKind::Any if node.kind.is_some() => Ty::Any,
            NodeKind::Any => Ty::Ref(None),
            NodeKind::Article => Ty::Ref(Some(Table::Article)),
            NodeKind::Sentence => Ty::Ref(Some(Table::Sentence)),
            NodeKind::Entity(_) => Ty::Ref(Some(Table::Entity)),
            NodeKind::Fact(k) => Ty::Ref(Some(Table::Fact(*k))),
            NodeKind::Term => Ty::Str,
        };
        // A variable seen before keeps its column; a later mention may add the kind.
        if let Some(var) = &node.var
            && vars.cols.contains_key(&var.name)
            && let Some(column) = vars.columns.iter_mut().find(|c| c.name == var.name)
            && column.ty == Ty::Ref(None)
        {
            column.ty = ty.clone();
        }
        let col = vars.bind(node.var.as_ref(), ty);
        let mut spec = NodeSpec {
            col,
            kind: kind.clone(),
            entities: None,
            term: None,
            props: Vec::new(),
            span: node.span,
        };
        if let Some(name) = &node.entity {
            match &kind {
                NodeKind::Entity(entity_kind) => {
                    let entity_kind = entity_kind.clone();
                    spec.entities = self
                        .resolve_entity(name, entity_kind.as_deref())
                        .map(|e| Arc::from(vec![e]));
                }
                NodeKind::Term => {
                    if let Some(text) = self.entity_name_text(name) {
                        spec.term = Some(factql_model::fold(&text));
                    }
                }
                _ => self.error(
                    "E0221",
                    name.span,
                    "only entity and term nodes take a name".into(),
                    "unexpected name",
                    Some("write a kind such as (:person \"...\") or (:term \"...\")".into()),
                ),
            }
        }
        let table = match &kind {
            NodeKind::Article => Some(Table::Article),
            NodeKind::Sentence => Some(Table::Sentence),
            NodeKind::Entity(_) => Some(Table::Entity),
            NodeKind::Fact(k) => Some(Table::Fact(*k)),
            NodeKind::Any | NodeKind::Term => None,
        };
        spec.props = self.props(&node.props, table);
        spec
    }

    fn props(
        &mut self,
        props: &[factql_syntax::Property],
        table: Option<Table>,
    ) -> Vec<(FieldKey, PExpr)> {
        let mut out = Vec::new();
        for prop in props {
            let Some(table) = table else {
                self.error(
                    "E0222",
                    prop.span,
                    "properties need a node or edge kind".into(),
                    "no kind to check against",
                    None,
                );
                continue;
            };
            let fields = catalog::fields(self.ds, table);
            let Some(field) = fields.iter().find(|f| f.name == prop.key.name) else {
                self.unknown_field(
                    &prop.key,
                    &fields,
                    &format!("`{}`", table_name(self.ds, table)),
                );
                continue;
            };
            let empty = Scope { columns: Vec::new(), implicit: None };
            let (value, ty) = self.expr(&prop.value, &empty, false);
            if !ty.compatible(&field.ty) {
                self.type_mismatch(
                    prop.value.span,
                    &field.ty,
                    &ty,
                    &format!("property `{}`", field.name),
                );
            } else if let PExpr::Lit(Val::Str(text)) = &value
                && let Some(warning) =
                    hints::unheld_value(self.ds, table, field.key, text, false, prop.value.span)
            {
                self.push_hint(warning);
            }
            out.push((field.key, value));
        }
        out
    }

    fn node_kind(&mut self, kind: &Ident) -> NodeKind {
        match kind.name.as_str() {
            "article" => return NodeKind::Article,
            "sentence" => return NodeKind::Sentence,
            "term" => return NodeKind::Term,
            "entity" => return NodeKind::Entity(None),
            _ => {}
        }
        if let Some(idx) = self.ds.kinds.iter().position(|t| t.schema.name == kind.name) {
            return NodeKind::Fact(idx as u16);
        }
        let entity_kinds = self.entity_kinds();
        if entity_kinds.contains(&kind.name)
            || factql_model::ENTITY_KINDS.contains(&kind.name.as_str())
        {
            return NodeKind::Entity(Some(self.ds.shared_kind(&kind.name)));
        }
        let mut names: Vec<String> =
            vec!["article".into(), "sentence".into(), "term".into(), "entity".into()];
        names.extend(entity_kinds);
        names.extend(self.ds.kinds.iter().map(|t| t.schema.name.clone()));
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = suggest(&kind.name, &refs, "kinds", &refs);
        self.error(
            "E0207",
            kind.span,
            format!("unknown kind `{}`", kind.name),
            "no such kind",
            help,
        );
        NodeKind::Any
    }

    fn entity_kinds(&self) -> Vec<String> {
        self.ds.entity_kinds.clone()
    }

    fn plan_edge(
        &mut self,
        edge: &EdgePattern,
        left: &NodeSpec,
        right: &NodeSpec,
        vars: &mut MatchVars,
    ) -> Option<EdgeSpec> {
        if edge.direction == Direction::Both {
            self.error(
                "E0406",
                edge.span,
                "an edge cannot point both ways".into(),
                "`<-[...]->`",
                Some("use -[...]-> , <-[...]- or -[...]- (either way)".into()),
            );
        }
        let (kind, ty, hops, props) = match &edge.kind {
            EdgeKind::Missing => return None,
            EdgeKind::Near(scope) => {
                for node in [left, right] {
                    if !matches!(node.kind, NodeKind::Entity(_) | NodeKind::Term | NodeKind::Any) {
                        self.error(
                            "E0223",
                            node.span,
                            "`near` joins entities and terms".into(),
                            "not an entity or term",
                            None,
                        );
                    }
                }
                if let ScopeKind::Words(0) = scope.kind {
                    self.error(
                        "E0224",
                        scope.span,
                        "`near 0 words` can never match".into(),
                        "empty scope",
                        None,
                    );
                }
                (EdgeKindSpec::Near(scope.kind), Ty::Cooc, None, Vec::new())
            }
            EdgeKind::Relation { label, hops, props } => {
                let kind = self.relation(label)?;
                let hops = hops.as_ref().map(|h| (h.min, h.max.unwrap_or(h.min)));
                if let Some((min, max)) = hops {
                    if min == 0 || min > max {
                        self.error("E0225", edge.span, format!("hops {min}..{max}: the range must start at 1 or more and not be empty"), "bad range", Some("write *1..3".into()));
                    } else if max > MAX_HOPS {
                        self.error(
                            "E0225",
                            edge.span,
                            format!("at most {MAX_HOPS} hops"),
                            "too many hops",
                            None,
                        );
                    }
                    if !matches!(kind, EdgeKindSpec::Fact { to: Some(_), .. }) {
                        self.error(
                            "E0226",
                            edge.span,
                            "only relations between entities can repeat".into(),
                            "hops on this edge",
                            None,
                        );
                    }
                    if edge.var.is_some() {
                        self.error(
                            "E0227",
                            edge.span,
                            "a repeated edge cannot bind a variable".into(),
                            "variable on `*`",
                            Some("drop the variable, or match one hop at a time".into()),
                        );
                    }
                }
                let table = match &kind {
                    EdgeKindSpec::Fact { kind, .. } => Some(Table::Fact(*kind)),
                    _ => None,
                };
                let ty = table.map_or(Ty::Ref(None), |t| Ty::Ref(Some(t)));
                let props = self.props(props, table);
                (kind, ty, hops, props)
            }
        };
        let col = edge.var.as_ref().map(|_| vars.bind(edge.var.as_ref(), ty));
        Some(EdgeSpec { col, direction: edge.direction, kind, hops, props, span: edge.span })
    }

    /// What an edge label means: `mentions`, `said`, a kind with roles, or an event type.
    fn relation(&mut self, label: &Ident) -> Option<EdgeKindSpec> {
        let name = label.name.as_str();
        if name == "mentions" {
            return Some(EdgeKindSpec::Mentions);
        }
        let kind_name = if name == "said" { "quote" } else { name };
        if let Some(idx) = self.ds.kinds.iter().position(|t| t.schema.name == kind_name) {
            let roles = self.ds.kinds[idx].schema.roles.len();
            if roles == 0 {
                self.error(
                    "E0208",
                    label.span,
                    format!("kind `{name}` has no argument roles to connect"),
                    "not a relation",
                    None,
                );
                return None;
            }
            let to = (roles >= 2).then_some(1);
            return Some(EdgeKindSpec::Fact { kind: idx as u16, from: 0, to, type_filter: None });
        }
        // An event type: a value of the `type` field of a kind with two roles.
        for (kind, field, values) in &self.ds.type_labels {
            if values.iter().any(|v| **v == *name) {
                return Some(EdgeKindSpec::Fact {
                    kind: *kind,
                    from: 0,
                    to: Some(1),
                    type_filter: Some((*field, Arc::from(name))),
                });
            }
        }
        let labels = self.relation_labels();
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let help = suggest(name, &refs, "relations", &refs);
        self.error(
            "E0208",
            label.span,
            format!("unknown relation `{name}`"),
            "no such relation",
            help,
        );
        None
    }

    fn relation_labels(&self) -> Vec<String> {
        relation_labels(self.ds)
    }

    fn entity_name_text(&mut self, name: &EntityName) -> Option<String> {
        match &name.value {
            EntityNameValue::String(text) => Some(text.clone()),
            EntityNameValue::Param(param) => match self.param(param, name.span)? {
                Val::Str(text) => Some(text.to_string()),
                other => {
                    self.error(
                        "E0401",
                        name.span,
                        format!("`${param}` must be a name, got {}", self.ds.display(&other)),
                        "not a string",
                        None,
                    );
                    None
                }
            },
        }
    }

    /// Resolves an entity literal through names and aliases; the most mentioned wins, with a
    /// warning, when several match.
    fn resolve_entity(&mut self, name: &EntityName, kind: Option<&str>) -> Option<u32> {
        let text = self.entity_name_text(name)?;
        let found = self.ds.entities_named(&text, kind);
        let what = kind.unwrap_or("entity");
        match found.as_slice() {
            [] => {
                let help = self.entity_suggestions(&text, kind);
                self.error(
                    "E0302",
                    name.span,
                    format!("no {what} named \"{text}\""),
                    "not in the data",
                    help,
                );
                None
            }
            [one] => Some(*one),
            many => {
                let mut ranked: Vec<u32> = many.to_vec();
                ranked.sort_by_key(|&e| {
                    std::cmp::Reverse(self.ds.entities[e as usize].mentions.len())
                });
                let best = ranked[0];
                let others: Vec<String> = ranked[1..]
                    .iter()
                    .map(|&e| {
                        format!(
                            "\"{}\" ({} mentions)",
                            self.ds.entities[e as usize].name,
                            self.ds.entities[e as usize].mentions.len()
                        )
                    })
                    .collect();
                let chosen = &self.ds.entities[best as usize];
                self.warn(
                    "W0303",
                    name.span,
                    format!(
                        "\"{text}\" is ambiguous; using \"{}\" ({} mentions)",
                        chosen.name,
                        chosen.mentions.len()
                    ),
                    "several entities",
                    Some(format!("also {}; write the full name to choose", others.join(", "))),
                );
                Some(best)
            }
        }
    }

    /// "did you mean" for an entity name: close spellings and names that contain it, with
    /// mention counts.
    fn entity_suggestions(&self, text: &str, kind: Option<&str>) -> Option<String> {
        let key = factql_model::fold(text);
        let mut scored: Vec<(usize, u32)> = Vec::new();
        for (idx, entity) in self.ds.entities.iter().enumerate() {
            if kind.is_some_and(|k| *entity.kind != *k) {
                continue;
            }
            let mut best = usize::MAX;
            let names = std::iter::once(entity.name.to_string()).chain(
                entity.aliases.iter().filter_map(|a| match a {
                    Val::Str(s) => Some(s.to_string()),
                    _ => None,
                }),
            );
            for name in names {
                let folded = factql_model::fold(&name);
                for word in std::iter::once(folded.as_str()).chain(folded.split_whitespace()) {
                    let distance = factql_syntax::edit_distance(&key, word);
                    if distance <= (key.chars().count() / 3).max(1) {
                        best = best.min(distance);
                    }
                }
            }
            if best != usize::MAX {
                scored.push((best, idx as u32));
            }
        }
        scored.sort_by_key(|&(distance, e)| {
            (distance, std::cmp::Reverse(self.ds.entities[e as usize].mentions.len()))
        });
        let names: Vec<String> = scored
            .iter()
            .take(2)
            .map(|&(_, e)| {
                let entity = &self.ds.entities[e as usize];
                format!("\"{}\" ({} mentions)", entity.name, entity.mentions.len())
            })
            .collect();
        (!names.is_empty()).then(|| format!("did you mean {}?", names.join(" or ")))
    }

    // ---------------------------------------------------------------- stages

    fn plan_stage(&mut self, stage: &factql_syntax::Stage, plan: &mut Plan, scope: &mut Scope) {
        let span = stage.span;
        let push = |plan: &mut Plan,
                    step: Step,
                    name: &'static str,
                    detail: String,
                    columns: Vec<Column>| {
            plan.steps.push(PlannedStep { step, name, detail, columns, span });
        };
        match &stage.kind {
            StageKind::Error => {
                // Downstream stages are still checked against what is known.
            }
            StageKind::Where(expr) => {
                let (pexpr, ty) = self.expr(expr, scope, false);
                if !matches!(ty, Ty::Bool | Ty::Any) {
                    self.error(
                        "E0402",
                        expr.span,
                        format!("`where` needs a condition, got {ty}"),
                        "not a bool",
                        Some("compare it, e.g. `x == ...`".into()),
                    );
                }
                push(plan, Step::Where(pexpr), "where", expr.to_string(), scope.columns.clone());
            }
            StageKind::Select(items) | StageKind::Extend(items) => {
                let keep = matches!(stage.kind, StageKind::Extend(_));
                let mut exprs = Vec::new();
                let mut columns = if keep { scope.columns.clone() } else { Vec::new() };
                if keep && let Some(table) = scope.implicit {
                    // Extending a source keeps its row column and adds to it.
                    let _ = table;
                }
                for item in items {
                    let (pexpr, ty) = self.expr(&item.expr, scope, false);
                    let Some(name) = self.column_name(item) else { continue };
                    if columns.iter().any(|c| c.name == name) {
                        self.error(
                            "E0215",
                            item.span,
                            format!("column `{name}` appears twice"),
                            "duplicate name",
                            Some(format!("name it: `other_{name} = {}`", item.expr)),
                        );
                        continue;
                    }
                    exprs.push(pexpr);
                    columns.push(Column { name, ty });
                }
                let detail = items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                let name = if keep { "extend" } else { "select" };
                push(plan, Step::Project { exprs, keep }, name, detail, columns.clone());
                scope.columns = columns;
                if !keep {
                    scope.implicit = None;
                }
            }
            StageKind::Summarize { aggregates, by } => {
                let mut keys = Vec::new();
                let mut columns = Vec::new();
                for item in by {
                    let (pexpr, ty) = self.expr(&item.expr, scope, false);
                    if let Some(name) = self.column_name(item) {
                        if columns.iter().any(|c: &Column| c.name == name) {
                            self.error(
                                "E0215",
                                item.span,
                                format!("column `{name}` appears twice"),
                                "duplicate name",
                                None,
                            );
                        }
                        columns.push(Column { name, ty });
                    }
                    keys.push(pexpr);
                }
                let mut aggs = Vec::new();
                for item in aggregates {
                    let Some((agg, ty)) = self.aggregate(&item.expr, scope) else { continue };
                    let name = match &item.name {
                        Some(name) => name.name.clone(),
                        None => agg_default_name(&item.expr),
                    };
                    if columns.iter().any(|c| c.name == name) {
                        self.error(
                            "E0215",
                            item.span,
                            format!("column `{name}` appears twice"),
                            "duplicate name",
                            Some(format!("name it: `n_{name} = {}`", item.expr)),
                        );
                        continue;
                    }
                    columns.push(Column { name, ty });
                    aggs.push(agg);
                }
                let detail = format!(
                    "{}{}{}",
                    aggregates.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                    if by.is_empty() { "" } else { " by " },
                    by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                );
                push(plan, Step::Summarize { keys, aggs }, "summarize", detail, columns.clone());
                *scope = Scope { columns, implicit: None };
            }
            StageKind::Sort(keys) => {
                let mut out = Vec::new();
                for key in keys {
                    let (pexpr, _) = self.expr(&key.expr, scope, false);
                    out.push((pexpr, key.order == Some(SortOrder::Desc)));
                }
                let detail = keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                push(plan, Step::Sort(out), "sort", detail, scope.columns.clone());
            }
            StageKind::Top { count, key, per } => {
                let n = self.count(count);
                let (pexpr, _) = self.expr(&key.expr, scope, false);
                let per_exprs: Vec<PExpr> =
                    per.iter().map(|e| self.expr(e, scope, false).0).collect();
                let desc = key.order != Some(SortOrder::Asc);
                let detail = format!(
                    "{} by {}{}",
                    n,
                    key,
                    if per.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " per {}",
                            per.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                        )
                    }
                );
                push(
                    plan,
                    Step::Top { count: n, key: pexpr, desc, per: per_exprs },
                    "top",
                    detail,
                    scope.columns.clone(),
                );
            }
            StageKind::Take(count) => {
                let n = self.count(count);
                push(plan, Step::Take(n), "take", n.to_string(), scope.columns.clone());
            }
            StageKind::Distinct(exprs) => {
                if exprs.is_empty() {
                    self.materialize(plan, scope, span);
                    push(
                        plan,
                        Step::Distinct(Vec::new()),
                        "distinct",
                        "whole rows".into(),
                        scope.columns.clone(),
                    );
                } else {
                    let mut out = Vec::new();
                    let mut columns = Vec::new();
                    for expr in exprs {
                        let (pexpr, ty) = self.expr(expr, scope, false);
                        let item = NamedExpr { name: None, expr: expr.clone(), span: expr.span };
                        if let Some(name) = self.column_name(&item) {
                            columns.push(Column { name, ty });
                        }
                        out.push(pexpr);
                    }
                    let detail =
                        exprs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                    push(plan, Step::Distinct(out), "distinct", detail, columns.clone());
                    *scope = Scope { columns, implicit: None };
                }
            }
            StageKind::Join { flavor, right, on } => {
                self.plan_join(*flavor, right, on, plan, scope, span)
            }
            StageKind::Expand { expr, alias } => {
                let (pexpr, ty) = self.expr(expr, scope, false);
                let element = match ty {
                    Ty::List(element) => *element,
                    Ty::Any => Ty::Any,
                    other => {
                        self.error(
                            "E0407",
                            expr.span,
                            format!("`expand` needs a list, got {other}"),
                            "not a list",
                            None,
                        );
                        Ty::Any
                    }
                };
                let name = alias.as_ref().map(|a| a.name.clone()).or_else(|| match &expr.kind {
                    ExprKind::Name(name) => Some(name.clone()),
                    ExprKind::Field { field, .. } => Some(field.name.clone()),
                    _ => None,
                });
                let Some(name) = name else {
                    self.error(
                        "E0216",
                        expr.span,
                        "name the expanded column".into(),
                        "no name",
                        Some(format!("expand {expr} as item")),
                    );
                    return;
                };
                // The list becomes a column first (so a source row's field can be expanded),
                // then that column is replaced by one element per row.
                let existing = scope
                    .columns
                    .iter()
                    .position(|c| c.name == name)
                    .filter(|&idx| scope.implicit.is_none() || idx > 0);
                if existing.is_none() {
                    let mut columns = scope.columns.clone();
                    columns.push(Column {
                        name: name.clone(),
                        ty: Ty::List(Box::new(element.clone())),
                    });
                    push(
                        plan,
                        Step::Project { exprs: vec![pexpr], keep: true },
                        "extend",
                        format!("{name} = {expr}"),
                        columns.clone(),
                    );
                    scope.columns = columns;
                }
                self.materialize(plan, scope, span);
                let Some(column) = scope.columns.iter().position(|c| c.name == name) else {
                    return;
                };
                let mut columns = scope.columns.clone();
                columns[column].ty = element;
                push(plan, Step::Expand { column }, "expand", expr.to_string(), columns.clone());
                scope.columns = columns;
            }
            StageKind::Render(kind) => {
                push(
                    plan,
                    Step::Render(*kind),
                    "render",
                    format!("{kind:?}").to_lowercase(),
                    scope.columns.clone(),
                );
            }
            StageKind::As(name) => {
                let mut named = plan.clone();
                self.finish(&mut named, scope, span);
                self.named.insert(name.name.clone(), named);
            }
        }
    }

    /// Turns an implicit source row into its default columns, so stages that work on whole
    /// rows (distinct, joins, expand) see named columns.
    fn materialize(&mut self, plan: &mut Plan, scope: &mut Scope, span: Span) {
        let Some(table) = scope.implicit else { return };
        let (exprs, columns) = self.default_columns(table, scope);
        plan.steps.push(PlannedStep {
            step: Step::Project { exprs, keep: false },
            name: "select",
            detail: "(default columns)".into(),
            columns: columns.clone(),
            span,
        });
        *scope = Scope { columns, implicit: None };
    }

    fn plan_join(
        &mut self,
        flavor: factql_syntax::JoinFlavor,
        right: &JoinRight,
        on: &Expr,
        plan: &mut Plan,
        scope: &mut Scope,
        span: Span,
    ) {
        let right_plan = match right {
            JoinRight::Named(name) => {
                self.plan_named_source(name, None, name.span).map(|(mut p, s)| {
                    self.finish(&mut p, &s, name.span);
                    p
                })
            }
            JoinRight::Query(query) => self.plan_query(query),
        };
        let Some(right_plan) = right_plan else { return };
        self.materialize(plan, scope, span);
        let right_scope = Scope { columns: right_plan.columns().to_vec(), implicit: None };
        let mut left_keys = Vec::new();
        let mut right_keys = Vec::new();
        let mut shared = Vec::new();
        for condition in conjuncts(on) {
            match &condition.kind {
                ExprKind::Name(name) => {
                    let l = scope.columns.iter().position(|c| c.name == *name);
                    let r = right_scope.columns.iter().position(|c| c.name == *name);
                    match (l, r) {
                        (Some(l), Some(r)) => {
                            if let Some(error) = hints::join_mismatch(
                                condition.span,
                                (name, &scope.columns[l].ty),
                                (name, &right_scope.columns[r].ty),
                            ) {
                                self.push_hint(error);
                            }
                            left_keys.push(PExpr::Col(l));
                            right_keys.push(PExpr::Col(r));
                            shared.push(r);
                        }
                        _ => self.error(
                            "E0217",
                            condition.span,
                            format!("`{name}` must be a column on both sides of the join"),
                            "not on both sides",
                            Some(format!("left: {}; right: {}", names(&scope.columns), names(&right_scope.columns))),
                        ),
                    }
                }
                ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } => {
                    let mut probe = Checker::new(self.ds, self.ctx);
                    let (l, lty) = probe.expr(lhs, scope, false);
                    let (r, rty) = probe.expr(rhs, &right_scope, false);
                    if !probe.has_errors() {
                        let (ltext, rtext) = (lhs.to_string(), rhs.to_string());
                        if let Some(error) = hints::join_mismatch(
                            condition.span,
                            (&ltext, &lty),
                            (&rtext, &rty),
                        ) {
                            self.push_hint(error);
                        }
                        left_keys.push(l);
                        right_keys.push(r);
                        continue;
                    }
                    let mut probe = Checker::new(self.ds, self.ctx);
                    let (l, lty) = probe.expr(rhs, scope, false);
                    let (r, rty) = probe.expr(lhs, &right_scope, false);
                    if !probe.has_errors() {
                        let (ltext, rtext) = (rhs.to_string(), lhs.to_string());
                        if let Some(error) = hints::join_mismatch(
                            condition.span,
                            (&ltext, &lty),
                            (&rtext, &rty),
                        ) {
                            self.push_hint(error);
                        }
                        left_keys.push(l);
                        right_keys.push(r);
                        continue;
                    }
                    self.error(
                        "E0217",
                        condition.span,
                        "each side of `==` must name a column of one side of the join".into(),
                        "cannot split this condition",
                        Some(format!("left: {}; right: {}", names(&scope.columns), names(&right_scope.columns))),
                    );
                }
                _ => self.error(
                    "E0218",
                    condition.span,
                    "a join condition is a shared column name or `left == right` pairs joined by `and`".into(),
                    "unsupported condition",
                    None,
                ),
            }
        }
        let mut columns = scope.columns.clone();
        if flavor != factql_syntax::JoinFlavor::Anti {
            for (idx, column) in right_scope.columns.iter().enumerate() {
                if shared.contains(&idx) {
                    continue;
                }
                if columns.iter().any(|c| c.name == column.name) {
                    self.error(
                        "E0215",
                        span,
                        format!("both sides of the join have a column `{}`", column.name),
                        "name clash",
                        Some("rename one side with `select` before joining".into()),
                    );
                }
                columns.push(column.clone());
            }
        }
        let detail = format!("{} on {on}", format!("{flavor:?}").to_lowercase());
        let right_keep =
            (0..right_scope.columns.len()).filter(|idx| !shared.contains(idx)).collect();
        let step =
            Step::Join { flavor, right: Box::new(right_plan), left_keys, right_keys, right_keep };
        plan.steps.push(PlannedStep { step, name: "join", detail, columns: columns.clone(), span });
        *scope = Scope { columns, implicit: None };
    }

    fn count(&mut self, count: &factql_syntax::Count) -> usize {
        match &count.value {
            CountValue::Int(n) => usize::try_from(*n).unwrap_or(usize::MAX),
            CountValue::Param(name) => match self.param(name, count.span) {
                Some(Val::Int(n)) if n >= 0 => n as usize,
                Some(other) => {
                    self.error(
                        "E0401",
                        count.span,
                        format!("`${name}` must be a count, got {}", self.ds.display(&other)),
                        "not a count",
                        None,
                    );
                    0
                }
                None => 0,
            },
        }
    }

    fn column_name(&mut self, item: &NamedExpr) -> Option<String> {
        if let Some(name) = &item.name {
            return Some(name.name.clone());
        }
        match &item.expr.kind {
            ExprKind::Name(name) => Some(name.clone()),
            ExprKind::Field { field, .. } => Some(field.name.clone()),
            ExprKind::Call { func, args } if args.len() <= 1 => Some(match args.first() {
                Some(arg) => match &arg.kind {
                    ExprKind::Name(name) => format!("{}_{name}", func.name),
                    ExprKind::Field { field, .. } => format!("{}_{}", func.name, field.name),
                    _ => func.name.clone(),
                },
                None => func.name.clone(),
            }),
            _ => {
                self.error(
                    "E0216",
                    item.expr.span,
                    "this column needs a name".into(),
                    "unnamed expression",
                    Some(format!("write `name = {}`", item.expr)),
                );
                None
            }
        }
    }

    fn aggregate(&mut self, expr: &Expr, scope: &Scope) -> Option<(Agg, Ty)> {
        let ExprKind::Call { func, args } = &expr.kind else {
            self.error(
                "E0403",
                expr.span,
                format!("`{expr}` is not an aggregate"),
                "not an aggregate",
                Some(format!("aggregates: {}; group keys go after `by`", AGG_FUNCS.join(", "))),
            );
            return None;
        };
        let agg = match func.name.as_str() {
            "count" => AggFunc::Count,
            "dcount" => AggFunc::Dcount,
            "sum" => AggFunc::Sum,
            "avg" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "set" => AggFunc::Set,
            "list" => AggFunc::List,
            "first" => AggFunc::First,
            other => {
                let help = suggest(other, AGG_FUNCS, "aggregates", AGG_FUNCS);
                self.error(
                    "E0403",
                    func.span,
                    format!("`{other}` is not an aggregate"),
                    "not an aggregate",
                    help,
                );
                return None;
            }
        };
        let wanted = if agg == AggFunc::Count { 0..=1 } else { 1..=1 };
        if !wanted.contains(&args.len()) {
            self.error(
                "E0408",
                expr.span,
                format!(
                    "`{}` takes {} argument",
                    func.name,
                    if agg == AggFunc::Count { "at most one" } else { "one" }
                ),
                "wrong number of arguments",
                None,
            );
            return None;
        }
        let arg = args.first().map(|arg| self.expr(arg, scope, false));
        let ty = match (agg, &arg) {
            (AggFunc::Count | AggFunc::Dcount, _) => Ty::Int,
            (AggFunc::Avg, Some((_, ty))) => {
                if !ty.is_numeric() {
                    self.type_mismatch(args[0].span, &Ty::Float, ty, "`avg`");
                }
                Ty::Float
            }
            (AggFunc::Sum, Some((_, ty))) => {
                if !ty.is_numeric() {
                    self.type_mismatch(args[0].span, &Ty::Float, ty, "`sum`");
                }
                ty.clone()
            }
            (AggFunc::Set | AggFunc::List, Some((_, ty))) => Ty::List(Box::new(ty.clone())),
            (_, Some((_, ty))) => ty.clone(),
            (_, None) => Ty::Any,
        };
        Some((Agg { func: agg, arg: arg.map(|(e, _)| e) }, ty))
    }

    // ---------------------------------------------------------------- expressions

    /// Checks an expression in `scope`: its plan and its type. Errors are recorded; the
    /// result is then typed `any` so they do not cascade.
    fn expr(&mut self, expr: &Expr, scope: &Scope, in_agg: bool) -> (PExpr, Ty) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Missing => (PExpr::Lit(Val::Null), Ty::Any),
            ExprKind::Literal(literal) => self.literal(literal, span),
            ExprKind::Param(name) => match self.param(name, span) {
                Some(value) => {
                    let ty = self.ds.type_of(&value);
                    (PExpr::Lit(value), ty)
                }
                None => (PExpr::Lit(Val::Null), Ty::Any),
            },
            ExprKind::Entity { kind, name } => {
                let entity_kind = kind.name.as_str();
                if entity_kind != "entity"
                    && !factql_model::ENTITY_KINDS.contains(&entity_kind)
                    && !self.entity_kinds().iter().any(|k| k == entity_kind)
                {
                    self.error(
                        "E0221",
                        kind.span,
                        format!("`{entity_kind}` literals are not entities"),
                        "not an entity kind",
                        Some(
                            "entity literals are person \"...\", place \"...\", org \"...\", group \"...\"".into(),
                        ),
                    );
                    return (PExpr::Lit(Val::Null), Ty::Any);
                }
                let filter = (entity_kind != "entity").then_some(entity_kind);
                match self.resolve_entity(name, filter) {
                    Some(entity) => {
                        (PExpr::Lit(Val::Ref(Ref::Entity(entity))), Ty::Ref(Some(Table::Entity)))
                    }
                    None => (PExpr::Lit(Val::Null), Ty::Any),
                }
            }
            ExprKind::Name(name) => self.name(name, span, scope),
            ExprKind::Field { base, field } => {
                let (base_plan, base_ty) = self.expr(base, scope, in_agg);
                if let Ty::Ref(Some(table)) = base_ty {
                    self.field_tables.insert((span.start, span.end), table);
                }
                self.field(base_plan, &base_ty, field, &base.to_string())
            }
            ExprKind::Call { func, args } => self.call(func, args, scope, span, in_agg),
            ExprKind::List(items) => {
                let mut element = Ty::Any;
                let mut out = Vec::new();
                for item in items {
                    let (p, ty) = self.expr(item, scope, in_agg);
                    if element == Ty::Any {
                        element = ty;
                    } else if !ty.compatible(&element) {
                        self.type_mismatch(item.span, &element, &ty, "a list element");
                    }
                    out.push(p);
                }
                (PExpr::List(out), Ty::List(Box::new(element)))
            }
            ExprKind::Unary { op, operand } => {
                let (p, ty) = self.expr(operand, scope, in_agg);
                match op {
                    UnaryOp::Neg => {
                        if !ty.is_numeric() {
                            self.type_mismatch(operand.span, &Ty::Float, &ty, "`-`");
                        }
                        (PExpr::Neg(Box::new(p)), ty)
                    }
                    UnaryOp::Not => {
                        if !matches!(ty, Ty::Bool | Ty::Any) {
                            self.type_mismatch(operand.span, &Ty::Bool, &ty, "`not`");
                        }
                        (PExpr::Not(Box::new(p)), Ty::Bool)
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, scope, in_agg),
            ExprKind::In { expr: inner, negated, set } => {
                let (p, ty) = self.expr(inner, scope, in_agg);
                let (s, set_ty) = self.expr(set, scope, in_agg);
                match &set_ty {
                    Ty::List(element) if !ty.compatible(element) => {
                        self.type_mismatch(inner.span, element, &ty, "`in`")
                    }
                    Ty::Date if !matches!(ty, Ty::Date | Ty::Any) => {
                        self.type_mismatch(inner.span, &Ty::Date, &ty, "`in` a date")
                    }
                    Ty::List(_) => {
                        if let (ExprKind::List(items), PExpr::List(values)) = (&set.kind, &s) {
                            for (item, value) in items.iter().zip(values) {
                                self.check_held(inner, &p, item, value, *negated);
                            }
                        }
                    }
                    Ty::Date | Ty::Any => {}
                    other => self.error(
                        "E0401",
                        set.span,
                        format!("`in` needs a list or a date interval, got {other}"),
                        "not a list or interval",
                        if matches!(ty, Ty::Date) { hints::date_hint(set) } else { None },
                    ),
                }
                (PExpr::In { expr: Box::new(p), set: Box::new(s), negated: *negated }, Ty::Bool)
            }
            ExprKind::Between { expr: inner, low, high } => {
                let (p, ty) = self.expr(inner, scope, in_agg);
                let (l, lty) = self.expr(low, scope, in_agg);
                let (h, hty) = self.expr(high, scope, in_agg);
                for (bound, bty) in [(low, &lty), (high, &hty)] {
                    if !bty.compatible(&ty) {
                        self.type_mismatch(bound.span, &ty, bty, "`between`");
                    }
                }
                (
                    PExpr::Between { expr: Box::new(p), low: Box::new(l), high: Box::new(h) },
                    Ty::Bool,
                )
            }
            ExprKind::Has { expr: inner, mode, terms, scope: text_scope } => {
                let (p, ty) = self.expr(inner, scope, in_agg);
                if !matches!(ty, Ty::Str | Ty::Any) {
                    self.type_mismatch(inner.span, &Ty::Str, &ty, "`has`");
                }
                let words = self.has_terms(terms, *mode);
                let container = match text_scope {
                    None => None,
                    Some(text_scope) => match (&text_scope.kind, &p) {
                        (
                            ScopeKind::Sentence | ScopeKind::Paragraph,
                            PExpr::Field(base, FieldKey::ArticleText),
                        ) => Some((text_scope.kind, base.clone())),
                        (ScopeKind::Article, _) => None,
                        _ => {
                            self.error(
                                "E0409",
                                text_scope.span,
                                "`has ... in sentence|paragraph` works on an article's `text`"
                                    .into(),
                                "scope not available here",
                                None,
                            );
                            None
                        }
                    },
                };
                (
                    PExpr::Has {
                        expr: Box::new(p),
                        all: *mode == HasMode::All,
                        terms: words,
                        scope: container,
                    },
                    Ty::Bool,
                )
            }
        }
    }

    fn has_terms(&mut self, terms: &Expr, mode: HasMode) -> Vec<String> {
        let items: Vec<&Expr> = match (&terms.kind, mode) {
            (ExprKind::List(items), _) => items.iter().collect(),
            (_, HasMode::One) => vec![terms],
            _ => vec![terms],
        };
        let mut out = Vec::new();
        for item in items {
            let empty = Scope { columns: Vec::new(), implicit: None };
            match self.expr(item, &empty, false) {
                (PExpr::Lit(Val::Str(text)), _) => out.push(factql_model::fold(&text)),
                (PExpr::Lit(Val::Null), Ty::Any) => {}
                _ => self.error(
                    "E0410",
                    item.span,
                    "`has` takes words: a string or a list of strings".into(),
                    "not a string",
                    None,
                ),
            }
        }
        out
    }

    fn literal(&mut self, literal: &Literal, span: Span) -> (PExpr, Ty) {
        match literal {
            Literal::String { value, .. } => (PExpr::Lit(Val::str(value)), Ty::Str),
            Literal::Int(n) => (PExpr::Lit(Val::Int(*n)), Ty::Int),
            Literal::Float(x) => (PExpr::Lit(Val::Float(*x)), Ty::Float),
            Literal::Bool(b) => (PExpr::Lit(Val::Bool(*b)), Ty::Bool),
            Literal::Null => (PExpr::Lit(Val::Null), Ty::Any),
            Literal::Date(date) => {
                match DateRange::from_parts(
                    i32::from(date.year),
                    date.month.map(u32::from),
                    date.day.map(u32::from),
                ) {
                    Some(range) => (PExpr::Lit(Val::Date(range)), Ty::Date),
                    None => {
                        self.error("E0411", span, "not a calendar date".into(), "bad date", None);
                        (PExpr::Lit(Val::Null), Ty::Any)
                    }
                }
            }
            Literal::Duration(d) => (PExpr::Lit(Val::Duration(d.amount, d.unit)), Ty::Duration),
        }
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope) -> (PExpr, Ty) {
        if let Some(idx) = scope.columns.iter().position(|c| c.name == name)
            && (scope.implicit.is_none() || idx > 0)
        {
            return (PExpr::Col(idx), scope.columns[idx].ty.clone());
        }
        if let Some(table) = scope.implicit {
            let fields = catalog::fields(self.ds, table);
            if let Some(field) = fields.iter().find(|f| f.name == name) {
                self.field_tables.insert((span.start, span.end), table);
                return (PExpr::Field(Box::new(PExpr::Col(0)), field.key), field.ty.clone());
            }
            let ident = Ident::new(name, span);
            let mut candidates: Vec<Field> = fields.clone();
            candidates.extend(scope.columns.iter().skip(1).map(|c| Field {
                name: c.name.clone(),
                ty: c.ty.clone(),
                key: FieldKey::ArticleId,
            }));
            self.unknown_field(&ident, &candidates, &format!("`{}`", table_name(self.ds, table)));
            return (PExpr::Lit(Val::Null), Ty::Any);
        }
        let names_list: Vec<&str> = scope.columns.iter().map(|c| c.name.as_str()).collect();
        let help = suggest(name, &names_list, "columns", &names_list);
        self.error("E0203", span, format!("unknown column `{name}`"), "no such column", help);
        (PExpr::Lit(Val::Null), Ty::Any)
    }

    fn field(&mut self, base: PExpr, base_ty: &Ty, field: &Ident, base_text: &str) -> (PExpr, Ty) {
        // `meta.KEY`: one metadata field of an article.
        let base = match base {
            PExpr::Field(article, FieldKey::ArticleMeta) => {
                return match crate::history::meta_key(self.ds, &field.name) {
                    Ok(key) => (PExpr::Field(article, key), Ty::Str),
                    Err(help) => {
                        self.error(
                            "E0202",
                            field.span,
                            format!("no article has the metadata key `{}`", field.name),
                            "no such key",
                            Some(help),
                        );
                        (PExpr::Lit(Val::Null), Ty::Any)
                    }
                };
            }
            other => other,
        };
        let fields = match base_ty {
            // After an error the base is typed `any`: its fields are not checked again.
            Ty::Any => {
                return (PExpr::DynField(Box::new(base), Arc::from(field.name.as_str())), Ty::Any);
            }
            Ty::Ref(None) => return self.dyn_field(base, field, base_text),
            Ty::Ref(Some(table)) => catalog::fields(self.ds, *table),
            Ty::Cooc => catalog::cooc_fields(),
            other => {
                self.error(
                    "E0204",
                    field.span,
                    format!("a {other} has no fields"),
                    "no fields here",
                    None,
                );
                return (PExpr::Lit(Val::Null), Ty::Any);
            }
        };
        match fields.iter().find(|f| f.name == field.name) {
            Some(f) => (PExpr::Field(Box::new(base), f.key), f.ty.clone()),
            None => {
                let owner = match base_ty {
                    Ty::Ref(Some(table)) => table_name(self.ds, *table),
                    _ => base_ty.to_string(),
                };
                self.unknown_field(field, &fields, &format!("`{owner}`"));
                (PExpr::Lit(Val::Null), Ty::Any)
            }
        }
    }

    /// A field of a reference whose table is only known at run time: an argument role holds
    /// an entity, or a mention when the mention is not linked to an entity. The field must
    /// exist on one of them; its type is known when both agree.
    fn dyn_field(&mut self, base: PExpr, field: &Ident, base_text: &str) -> (PExpr, Ty) {
        let entity = catalog::fields(self.ds, Table::Entity);
        let mention = catalog::fields(self.ds, Table::Mention);
        let on_entity = entity.iter().find(|f| f.name == field.name);
        let on_mention = mention.iter().find(|f| f.name == field.name);
        let ty = match (on_entity, on_mention) {
            (Some(a), Some(b)) if a.ty == b.ty => a.ty.clone(),
            (Some(_), _) | (_, Some(_)) => Ty::Any,
            (None, None) => {
                let mut all = entity.clone();
                all.extend(
                    mention.into_iter().filter(|f| !entity.iter().any(|g| g.name == f.name)),
                );
                self.unknown_field(field, &all, &format!("`{base_text}` (an entity or mention)"));
                return (PExpr::Lit(Val::Null), Ty::Any);
            }
        };
        (PExpr::DynField(Box::new(base), Arc::from(field.name.as_str())), ty)
    }

    fn unknown_field(&mut self, field: &Ident, fields: &[Field], owner: &str) {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let list = format!("fields: {}", names.join(", "));
        let help = match did_you_mean(&field.name, &names) {
            Some(s) => format!("did you mean `{s}`? {list}"),
            None => list,
        };
        self.error(
            "E0202",
            field.span,
            format!("unknown field `{}` on {owner}", field.name),
            "no such field",
            Some(help),
        );
    }

    fn type_mismatch(&mut self, span: Span, expected: &Ty, found: &Ty, context: &str) {
        self.error(
            "E0401",
            span,
            format!("type mismatch in {context}: expected {expected}, found {found}"),
            &format!("this is {found}"),
            None,
        );
    }

    /// Warns when `field` (a categorical field read from a known table) is compared with a
    /// string `literal` that no row of the loaded data holds.
    fn check_held(
        &mut self,
        field: &Expr,
        field_plan: &PExpr,
        literal: &Expr,
        value: &PExpr,
        negated: bool,
    ) {
        let (PExpr::Field(_, key), PExpr::Lit(Val::Str(text))) = (field_plan, value) else {
            return;
        };
        let Some(&table) = self.field_tables.get(&(field.span.start, field.span.end)) else {
            return;
        };
        if let Some(warning) =
            hints::unheld_value(self.ds, table, *key, text, negated, literal.span)
        {
            self.push_hint(warning);
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope,
        in_agg: bool,
    ) -> (PExpr, Ty) {
        let (l, lty) = self.expr(lhs, scope, in_agg);
        if op == BinaryOp::Matches {
            let pattern = match &rhs.kind {
                ExprKind::Literal(Literal::String { value, .. }) => Some(value.clone()),
                ExprKind::Param(name) => match self.param(name, rhs.span) {
                    Some(Val::Str(text)) => Some(text.to_string()),
                    _ => None,
                },
                _ => {
                    self.error(
                        "E0405",
                        rhs.span,
                        "`~` takes a regular expression literal".into(),
                        "not a string literal",
                        Some("write text ~ r\"pattern\"".into()),
                    );
                    None
                }
            };
            if !matches!(lty, Ty::Str | Ty::Any) {
                self.type_mismatch(lhs.span, &Ty::Str, &lty, "`~`");
            }
            let Some(pattern) = pattern else { return (PExpr::Lit(Val::Null), Ty::Bool) };
            return match regex::Regex::new(&pattern) {
                Ok(regex) => (PExpr::Regex(Box::new(l), Arc::new(regex)), Ty::Bool),
                Err(err) => {
                    let text = err.to_string();
                    let last = text.lines().last().unwrap_or("invalid").trim();
                    let message = last.strip_prefix("error: ").unwrap_or(last).to_owned();
                    self.error(
                        "E0405",
                        rhs.span,
                        format!("invalid regular expression: {message}"),
                        "bad pattern",
                        None,
                    );
                    (PExpr::Lit(Val::Null), Ty::Bool)
                }
            };
        }
        let (r, rty) = self.expr(rhs, scope, in_agg);
        let ty = match op {
            BinaryOp::And | BinaryOp::Or => {
                for (side, ty) in [(lhs, &lty), (rhs, &rty)] {
                    if !matches!(ty, Ty::Bool | Ty::Any) {
                        self.type_mismatch(side.span, &Ty::Bool, ty, &format!("`{}`", op.as_str()));
                    }
                }
                Ty::Bool
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                if !lty.compatible(&rty) {
                    let help = hints::comparison_help(lhs, &lty, rhs, &rty)
                        .unwrap_or_else(|| format!("the left side `{lhs}` is {lty}"));
                    self.error(
                        "E0401",
                        rhs.span,
                        format!("cannot compare {lty} with {rty}"),
                        &format!("this is {rty}"),
                        Some(help),
                    );
                } else if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                    let negated = op == BinaryOp::Ne;
                    self.check_held(lhs, &l, rhs, &r, negated);
                    self.check_held(rhs, &r, lhs, &l, negated);
                }
                Ty::Bool
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (side, ty) in [(lhs, &lty), (rhs, &rty)] {
                    if !ty.is_numeric() {
                        self.type_mismatch(
                            side.span,
                            &Ty::Float,
                            ty,
                            &format!("`{}`", op.as_str()),
                        );
                    }
                }
                if lty == Ty::Int && rty == Ty::Int && op != BinaryOp::Div {
                    Ty::Int
                } else {
                    Ty::Float
                }
            }
            BinaryOp::Matches => Ty::Bool,
        };
        (PExpr::Bin(op, Box::new(l), Box::new(r)), ty)
    }

    fn call(
        &mut self,
        func: &Ident,
        args: &[Expr],
        scope: &Scope,
        span: Span,
        in_agg: bool,
    ) -> (PExpr, Ty) {
        let name = func.name.as_str();
        if AGG_FUNCS.contains(&name) {
            self.error(
                "E0404",
                func.span,
                format!("aggregate `{name}` used outside `summarize`"),
                "aggregate here",
                Some(format!(
                    "aggregate in a stage of its own: `| summarize {}`",
                    Expr::new(ExprKind::Call { func: func.clone(), args: args.to_vec() }, span)
                )),
            );
            return (PExpr::Lit(Val::Null), Ty::Any);
        }
        let arity = |checker: &mut Checker<'_>, n: std::ops::RangeInclusive<usize>| {
            if !n.contains(&args.len()) {
                let wanted = if n.start() == n.end() {
                    n.start().to_string()
                } else {
                    format!("{} to {}", n.start(), n.end())
                };
                checker.error(
                    "E0408",
                    span,
                    format!("`{name}` takes {wanted} argument(s), got {}", args.len()),
                    "wrong number of arguments",
                    None,
                );
                false
            } else {
                true
            }
        };
        if name == "mentions" {
            return self.mentions_call(args, scope, span);
        }
        let func_kind = match name {
            "bin" => Func::Bin,
            "year" => Func::Year,
            "month" => Func::Month,
            "lower" => Func::Lower,
            "upper" => Func::Upper,
            "len" => Func::Len,
            "coalesce" => Func::Coalesce,
            "fold" => Func::Fold,
            other => {
                let mut all: Vec<&str> = SCALAR_FUNCS.to_vec();
                all.extend(AGG_FUNCS);
                let help = suggest(other, &all, "functions", SCALAR_FUNCS);
                self.error(
                    "E0206",
                    func.span,
                    format!("unknown function `{other}`"),
                    "no such function",
                    help,
                );
                return (PExpr::Lit(Val::Null), Ty::Any);
            }
        };
        let checked: Vec<(PExpr, Ty)> = args.iter().map(|a| self.expr(a, scope, in_agg)).collect();
        let ok = match func_kind {
            Func::Bin => arity(self, 2..=2),
            Func::Coalesce => arity(self, 1..=16),
            _ => arity(self, 1..=1),
        };
        if !ok {
            return (PExpr::Lit(Val::Null), Ty::Any);
        }
        let ty0 = checked[0].1.clone();
        let ty = match func_kind {
            Func::Bin => {
                let ty1 = &checked[1].1;
                match (&ty0, ty1) {
                    (Ty::Date | Ty::Any, Ty::Duration | Ty::Any) => Ty::Date,
                    (a, b) if a.is_numeric() && b.is_numeric() => ty0.clone(),
                    _ => {
                        self.error("E0401", span, format!("`bin` takes a date and a duration (like 1mo) or two numbers, got {ty0} and {ty1}"), "bad arguments", None);
                        Ty::Any
                    }
                }
            }
            Func::Year | Func::Month => {
                if !matches!(ty0, Ty::Date | Ty::Any) {
                    self.type_mismatch(args[0].span, &Ty::Date, &ty0, &format!("`{name}`"));
                }
                Ty::Int
            }
            Func::Lower | Func::Upper | Func::Fold => {
                if !matches!(ty0, Ty::Str | Ty::Any) {
                    self.type_mismatch(args[0].span, &Ty::Str, &ty0, &format!("`{name}`"));
                }
                Ty::Str
            }
            Func::Len => {
                if !matches!(ty0, Ty::Str | Ty::List(_) | Ty::Any) {
                    self.type_mismatch(args[0].span, &Ty::Str, &ty0, "`len`");
                }
                Ty::Int
            }
            Func::Coalesce => ty0,
        };
        (PExpr::Call(func_kind, checked.into_iter().map(|(p, _)| p).collect()), ty)
    }

    /// `mentions(entity)` on an article or sentence row, or `mentions(row, entity)`.
    fn mentions_call(&mut self, args: &[Expr], scope: &Scope, span: Span) -> (PExpr, Ty) {
        let (container, entity_arg) = match args {
            [entity] => match scope.implicit {
                Some(Table::Article | Table::Sentence) => (PExpr::Col(0), entity),
                _ => {
                    self.error(
                        "E0412",
                        span,
                        "`mentions(...)` alone works on articles and sentences".into(),
                        "no article or sentence here",
                        Some("name the row: mentions(a, place \"...\")".into()),
                    );
                    return (PExpr::Lit(Val::Null), Ty::Bool);
                }
            },
            [row, entity] => {
                let (container, ty) = self.expr(row, scope, false);
                if !matches!(ty, Ty::Ref(Some(Table::Article | Table::Sentence)) | Ty::Any) {
                    self.type_mismatch(row.span, &Ty::Ref(Some(Table::Article)), &ty, "`mentions`");
                }
                (container, entity)
            }
            _ => {
                self.error(
                    "E0408",
                    span,
                    "`mentions` takes an entity, or a row and an entity".into(),
                    "wrong number of arguments",
                    None,
                );
                return (PExpr::Lit(Val::Null), Ty::Bool);
            }
        };
        let empty = Scope { columns: Vec::new(), implicit: None };
        match self.expr(entity_arg, &empty, false) {
            (PExpr::Lit(Val::Ref(Ref::Entity(entity))), _) => (
                PExpr::Mentions {
                    container: Box::new(container),
                    entities: Arc::from(vec![entity]),
                },
                Ty::Bool,
            ),
            (PExpr::Lit(Val::Null), Ty::Any) => (PExpr::Lit(Val::Null), Ty::Bool),
            _ => {
                self.error(
                    "E0412",
                    entity_arg.span,
                    "`mentions` takes an entity literal such as place \"Belarus\"".into(),
                    "not an entity",
                    None,
                );
                (PExpr::Lit(Val::Null), Ty::Bool)
            }
        }
    }
}

/// "did you mean `x`?" for the candidate closest to `word`, else the list of what there is.
/// The labels an edge may have: `mentions`, kinds with roles (and `said` for quotes), and
/// the event types found in the data; sorted.
pub(crate) fn relation_labels(ds: &Dataset) -> Vec<String> {
    let mut labels = vec!["mentions".to_owned()];
    for table in &ds.kinds {
        if !table.schema.roles.is_empty() {
            labels.push(table.schema.name.clone());
        }
        if table.schema.name == "quote" {
            labels.push("said".into());
        }
    }
    for (_, _, values) in &ds.type_labels {
        for value in values {
            if !labels.iter().any(|l| **l == **value) {
                labels.push(value.to_string());
            }
        }
    }
    labels.sort();
    labels
}

fn suggest(word: &str, candidates: &[&str], what: &str, listed: &[&str]) -> Option<String> {
    did_you_mean(word, candidates)
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| Some(format!("{what}: {}", listed.join(", "))))
}

/// The variables of one `match`: a column per node and edge, named or not, and the named ones
/// as output columns in order of appearance.
#[derive(Default)]
struct MatchVars {
    cols: HashMap<String, usize>,
    width: usize,
    output: Vec<usize>,
    columns: Vec<Column>,
}

impl MatchVars {
    /// The column of `var` (a new one for a new or anonymous variable).
    fn bind(&mut self, var: Option<&Ident>, ty: Ty) -> usize {
        if let Some(var) = var
            && let Some(&col) = self.cols.get(&var.name)
        {
            return col;
        }
        let col = self.width;
        self.width += 1;
        if let Some(var) = var {
            self.cols.insert(var.name.clone(), col);
            self.output.push(col);
            self.columns.push(Column { name: var.name.clone(), ty });
        }
        col
    }
}

/// Splits `a and b and c` into its parts.
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
            let mut out = conjuncts(lhs);
            out.extend(conjuncts(rhs));
            out
        }
        _ => vec![expr],
    }
}

fn names(columns: &[Column]) -> String {
    columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn agg_default_name(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Call { func, args } => match args.first().map(|a| &a.kind) {
            Some(ExprKind::Name(name)) => format!("{}_{name}", func.name),
            Some(ExprKind::Field { field, .. }) => format!("{}_{}", func.name, field.name),
            _ => func.name.clone(),
        },
        _ => expr.to_string(),
    }
}

/// How a table is called in messages.
pub(crate) fn table_name(ds: &Dataset, table: Table) -> String {
    match table {
        Table::Article => "article".into(),
        Table::Sentence => "sentence".into(),
        Table::Mention => "mention".into(),
        Table::Entity => "entity".into(),
        Table::Fact(kind) => {
            ds.kinds.get(kind as usize).map_or_else(|| "fact".into(), |t| t.schema.name.clone())
        }
    }
}

//! `match` patterns: node kinds, properties and entity literals, edges with their labels,
//! directions and hops, the columns the variables bind.

use std::collections::HashMap;
use std::sync::Arc;

use factql_syntax::{
    Direction, EdgeKind, EdgePattern, Ident, NodePattern, Pattern, ScopeKind, Span,
};

use crate::catalog::{self, FieldKey, Table, Ty, relation_labels, table_name};
use crate::hints;
use crate::plan::{
    EdgeKindSpec, EdgeSpec, NodeKind, NodeSpec, PExpr, PatternPlan, Plan, SourcePlan,
};
use crate::relation::Column;
use crate::value::Val;

use super::{Checker, Scope, suggest};

/// The most hops a repeated edge may take.
const MAX_HOPS: u32 = 6;

impl Checker<'_> {
    pub(super) fn plan_match(&mut self, patterns: &[Pattern], span: Span) -> Option<(Plan, Scope)> {
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

    pub(super) fn entity_kinds(&self) -> Vec<String> {
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

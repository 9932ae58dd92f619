//! Test helpers: errors rendered as people see them, and a compact tree dump.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use factql_syntax::*;

/// The `.fql` files of `test_data/<dir>`, sorted by name.
pub fn fql_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "fql"))
        .collect();
    files.sort();
    files
}

/// Renders errors as `factql query` and the REPL show them, without colour: each error as a
/// diagnostic, drawn by the one renderer.
pub fn render_errors(src: &str, errors: &[ParseError]) -> String {
    let diagnostics: Vec<Diagnostic> = errors.iter().map(ParseError::diagnostic).collect();
    render_all(src, &diagnostics, false)
}

/// A compact, indented dump of the tree with spans.
pub fn dump(script: &Script) -> String {
    let mut d = Dump { out: String::new(), depth: 0 };
    d.script(script);
    d.out
}

struct Dump {
    out: String,
    depth: usize,
}

impl Dump {
    fn line(&mut self, text: impl std::fmt::Display, span: Span) {
        writeln!(self.out, "{}{text} @{span}", "  ".repeat(self.depth)).unwrap();
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn script(&mut self, script: &Script) {
        self.line("script", script.span);
        self.nested(|d| {
            for statement in &script.statements {
                match statement {
                    Statement::Let(def) => {
                        let params = def.params.as_ref().map(|params| {
                            params.iter().map(|p| format!("${}", p.name.name)).collect::<Vec<_>>()
                        });
                        d.line(format_args!("let {} params={params:?}", def.name.name), def.span);
                        d.nested(|d| {
                            for param in def.params.iter().flatten() {
                                let ty = param.ty.as_ref().map(|t| t.name.as_str());
                                d.line(
                                    format_args!("param ${} type={ty:?}", param.name.name),
                                    param.span,
                                );
                                if let Some(default) = &param.default {
                                    d.nested(|d| d.expr(default));
                                }
                            }
                            d.query(&def.body);
                        });
                    }
                    Statement::Query(query) => d.query(query),
                    Statement::Meta(meta) => {
                        d.line(format_args!("meta .{} args={:?}", meta.name, meta.args), meta.span);
                    }
                }
            }
        });
    }

    fn query(&mut self, query: &Query) {
        self.line("query", query.span);
        self.nested(|d| {
            d.source(&query.source);
            for stage in &query.stages {
                d.stage(stage);
            }
        });
    }

    fn source(&mut self, source: &Source) {
        match &source.kind {
            SourceKind::Named { name, args } => {
                let parens = if args.is_some() { "(..)" } else { "" };
                self.line(format_args!("source {}{parens}", name.name), source.span);
                self.nested(|d| args.iter().flatten().for_each(|a| d.expr(a)));
            }
            SourceKind::Match(patterns) => {
                self.line("source match", source.span);
                self.nested(|d| {
                    for pattern in patterns {
                        d.line("pattern", pattern.span);
                        d.nested(|d| {
                            d.node(&pattern.start);
                            for (edge, node) in &pattern.steps {
                                d.edge(edge);
                                d.node(node);
                            }
                        });
                    }
                });
            }
            SourceKind::Last => self.line("source _", source.span),
            SourceKind::Missing => self.line("source <missing>", source.span),
        }
    }

    fn node(&mut self, node: &NodePattern) {
        let var = node.var.as_ref().map_or("", |v| v.name.as_str());
        let kind = node.kind.as_ref().map_or(String::new(), |k| format!(":{}", k.name));
        let entity = node.entity.as_ref().map_or(String::new(), |e| format!(" {e}"));
        self.line(format_args!("node ({var}{kind}{entity})"), node.span);
        self.nested(|d| d.props(&node.props));
    }

    fn props(&mut self, props: &[Property]) {
        for prop in props {
            self.line(format_args!("prop {}", prop.key.name), prop.span);
            self.nested(|d| d.expr(&prop.value));
        }
    }

    fn edge(&mut self, edge: &EdgePattern) {
        let var = edge.var.as_ref().map_or("", |v| v.name.as_str());
        let what = match &edge.kind {
            EdgeKind::Relation { label, hops, .. } => {
                let hops = hops.as_ref().map_or(String::new(), |h| match h.max {
                    Some(max) => format!(" hops {}..{max}", h.min),
                    None => format!(" hops {}", h.min),
                });
                format!("relation {}{hops}", label.name)
            }
            EdgeKind::Near(scope) => format!("near {scope}"),
            EdgeKind::Missing => "<missing>".to_owned(),
        };
        self.line(format_args!("edge {:?} var={var:?} {what}", edge.direction), edge.span);
        if let EdgeKind::Relation { props, .. } = &edge.kind {
            self.nested(|d| d.props(props));
        }
    }

    fn named(&mut self, named: &[NamedExpr], what: &str) {
        for item in named {
            let name = item.name.as_ref().map_or(String::new(), |n| format!(" {} =", n.name));
            self.line(format_args!("{what}{name}"), item.span);
            self.nested(|d| d.expr(&item.expr));
        }
    }

    fn key(&mut self, key: &SortKey) {
        self.line(format_args!("key {:?}", key.order), key.span);
        self.nested(|d| d.expr(&key.expr));
    }

    fn stage(&mut self, stage: &Stage) {
        let span = stage.span;
        match &stage.kind {
            StageKind::Where(cond) => {
                self.line("where", span);
                self.nested(|d| d.expr(cond));
            }
            StageKind::Select(list) => {
                self.line("select", span);
                self.nested(|d| d.named(list, "column"));
            }
            StageKind::Extend(list) => {
                self.line("extend", span);
                self.nested(|d| d.named(list, "column"));
            }
            StageKind::Summarize { aggregates, by } => {
                self.line("summarize", span);
                self.nested(|d| {
                    d.named(aggregates, "aggregate");
                    d.named(by, "by");
                });
            }
            StageKind::Sort(keys) => {
                self.line("sort", span);
                self.nested(|d| keys.iter().for_each(|k| d.key(k)));
            }
            StageKind::Top { count, key, per } => {
                self.line(format_args!("top {count}"), span);
                self.nested(|d| {
                    d.key(key);
                    for group in per {
                        d.line("per", group.span);
                        d.nested(|d| d.expr(group));
                    }
                });
            }
            StageKind::Take(count) => self.line(format_args!("take {count}"), span),
            StageKind::Distinct(list) => {
                self.line("distinct", span);
                self.nested(|d| list.iter().for_each(|e| d.expr(e)));
            }
            StageKind::Join { flavor, right, on } => {
                self.line(format_args!("join {flavor:?}"), span);
                self.nested(|d| {
                    match right {
                        JoinRight::Named(name) => {
                            d.line(format_args!("right {}", name.name), name.span)
                        }
                        JoinRight::Query(query) => d.query(query),
                    }
                    d.line("on", on.span);
                    d.nested(|d| d.expr(on));
                });
            }
            StageKind::Expand { expr, alias } => {
                let alias = alias.as_ref().map(|a| a.name.as_str());
                self.line(format_args!("expand as={alias:?}"), span);
                self.nested(|d| d.expr(expr));
            }
            StageKind::Render(kind) => self.line(format_args!("render {kind:?}"), span),
            StageKind::As(name) => self.line(format_args!("as {}", name.name), span),
            StageKind::Error => self.line("<error stage>", span),
        }
    }

    fn expr(&mut self, expr: &Expr) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Literal(literal) => self.line(format_args!("lit {literal}"), span),
            ExprKind::Param(name) => self.line(format_args!("param ${name}"), span),
            ExprKind::Entity { kind, name } => {
                self.line(format_args!("entity {} {name}", kind.name), span);
            }
            ExprKind::Name(name) => self.line(format_args!("name {name}"), span),
            ExprKind::Field { base, field } => {
                self.line(format_args!("field .{}", field.name), span);
                self.nested(|d| d.expr(base));
            }
            ExprKind::Call { func, args } => {
                self.line(format_args!("call {}", func.name), span);
                self.nested(|d| args.iter().for_each(|a| d.expr(a)));
            }
            ExprKind::List(items) => {
                self.line("list", span);
                self.nested(|d| items.iter().for_each(|a| d.expr(a)));
            }
            ExprKind::Unary { op, operand } => {
                self.line(format_args!("unary {op:?}"), span);
                self.nested(|d| d.expr(operand));
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.line(format_args!("binary {}", op.as_str()), span);
                self.nested(|d| {
                    d.expr(lhs);
                    d.expr(rhs);
                });
            }
            ExprKind::In { expr, negated, set } => {
                self.line(if *negated { "not in" } else { "in" }, span);
                self.nested(|d| {
                    d.expr(expr);
                    d.expr(set);
                });
            }
            ExprKind::Between { expr, low, high } => {
                self.line("between", span);
                self.nested(|d| {
                    d.expr(expr);
                    d.expr(low);
                    d.expr(high);
                });
            }
            ExprKind::Has { expr, mode, terms, scope } => {
                let scope = scope.as_ref().map_or(String::new(), |s| format!(" in {s}"));
                self.line(format_args!("has {mode:?}{scope}"), span);
                self.nested(|d| {
                    d.expr(expr);
                    d.expr(terms);
                });
            }
            ExprKind::Missing => self.line("<missing>", span),
        }
    }
}

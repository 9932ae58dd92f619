//! `Display` for the AST: canonical source text that parses back to an equal
//! tree.
//!
//! Canonical form: synonyms in their canonical spelling, one space around
//! binary operators, parentheses only where precedence needs them, names in
//! backticks only when they are reserved words or not plain identifiers.
//! A [`Script`] puts each statement on its own line and each stage of a
//! top-level query on its own line starting with `| `; `{:#}` on a [`Query`]
//! does the same, plain `{}` prints the query on one line.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::ast::*;
use crate::keywords::{is_plain_ident, is_reserved};

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_name(f, &self.name)
    }
}

fn write_name(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if is_plain_ident(name) && !is_reserved(name) {
        f.write_str(name)
    } else {
        write!(f, "`{name}`")
    }
}

impl Display for Script {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (idx, statement) in self.statements.iter().enumerate() {
            if idx > 0 {
                f.write_char('\n')?;
            }
            write!(f, "{statement}")?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Let(def) => write!(f, "{def}"),
            Statement::Query(query) => write!(f, "{query:#}"),
            Statement::Meta(meta) => write!(f, "{meta}"),
        }
    }
}

impl Display for LetDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "let {}", self.name)?;
        if let Some(params) = &self.params {
            f.write_char('(')?;
            write_list(f, params)?;
            f.write_char(')')?;
        }
        f.write_str(" =\n    ")?;
        write_query(f, &self.body, Some("\n    | "))
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('$')?;
        f.write_str(&self.name.name)?;
        if let Some(ty) = &self.ty {
            write!(f, ": {ty}")?;
        }
        if let Some(default) = &self.default {
            write!(f, " = {default}")?;
        }
        Ok(())
    }
}

impl Display for MetaCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, ".{}", self.name)?;
        if !self.args.is_empty() {
            write!(f, " {}", self.args)?;
        }
        Ok(())
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let separator = if f.alternate() { "\n| " } else { " | " };
        write_query(f, self, Some(separator))
    }
}

fn write_query(f: &mut Formatter<'_>, query: &Query, separator: Option<&str>) -> fmt::Result {
    let separator = separator.unwrap_or(" | ");
    write!(f, "{}", query.source)?;
    for stage in &query.stages {
        f.write_str(separator)?;
        write!(f, "{stage}")?;
    }
    Ok(())
}

impl Display for Source {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SourceKind::Named { name, args } => {
                // `_` as a name must be quoted, or it would read as the last result.
                if name.name == "_" {
                    f.write_str("`_`")?
                } else {
                    write!(f, "{name}")?
                }
                match args.as_deref() {
                    // `articles(all)`: the parser takes the reserved word alone here.
                    Some([arg]) if matches!(&arg.kind, ExprKind::Name(n) if n == "all") => {
                        f.write_str("(all)")?
                    }
                    Some(args) => {
                        f.write_char('(')?;
                        write_list(f, args)?;
                        f.write_char(')')?;
                    }
                    None => {}
                }
                Ok(())
            }
            SourceKind::Match(patterns) => {
                f.write_str("match ")?;
                write_list(f, patterns)
            }
            SourceKind::Last => f.write_char('_'),
            SourceKind::Missing => f.write_str("<missing source>"),
        }
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        for (edge, node) in &self.steps {
            write!(f, " {edge} {node}")?;
        }
        Ok(())
    }
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        if let Some(var) = &self.var {
            write!(f, "{var}")?;
        }
        if let Some(kind) = &self.kind {
            write!(f, ":{kind}")?;
        }
        let mut spaced = self.var.is_some() || self.kind.is_some();
        if let Some(entity) = &self.entity {
            if spaced {
                f.write_char(' ')?;
            }
            write!(f, "{entity}")?;
            spaced = true;
        }
        if !self.props.is_empty() {
            if spaced {
                f.write_char(' ')?;
            }
            write_props(f, &self.props)?;
        }
        f.write_char(')')
    }
}

fn write_props(f: &mut Formatter<'_>, props: &[Property]) -> fmt::Result {
    f.write_char('{')?;
    for (idx, prop) in props.iter().enumerate() {
        if idx > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}: {}", prop.key, prop.value)?;
    }
    f.write_char('}')
}

impl Display for EdgePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (open, close) = match self.direction {
            Direction::Right => ("-[", "]->"),
            Direction::Left => ("<-[", "]-"),
            Direction::Undirected => ("-[", "]-"),
            Direction::Both => ("<-[", "]->"),
        };
        f.write_str(open)?;
        if let Some(var) = &self.var {
            write!(f, "{var}")?;
        }
        match &self.kind {
            EdgeKind::Relation { label, hops, props } => {
                write!(f, ":{label}")?;
                if let Some(hops) = hops {
                    write!(f, "*{}", hops.min)?;
                    if let Some(max) = hops.max {
                        write!(f, "..{max}")?;
                    }
                }
                if !props.is_empty() {
                    f.write_char(' ')?;
                    write_props(f, props)?;
                }
            }
            EdgeKind::Near(scope) => {
                if self.var.is_some() {
                    f.write_char(':')?;
                }
                write!(f, "near {scope}")?;
            }
            EdgeKind::Missing => f.write_str("<missing>")?,
        }
        f.write_str(close)
    }
}

impl Display for Scope {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.kind {
            ScopeKind::Sentence => f.write_str("sentence"),
            ScopeKind::Paragraph => f.write_str("paragraph"),
            ScopeKind::Article => f.write_str("article"),
            ScopeKind::Words(1) => f.write_str("1 word"),
            ScopeKind::Words(n) => write!(f, "{n} words"),
        }
    }
}

impl Display for EntityName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.value {
            EntityNameValue::String(value) => write_string(f, value),
            EntityNameValue::Param(name) => write!(f, "${name}"),
        }
    }
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StageKind::Where(cond) => write!(f, "where {cond}"),
            StageKind::Select(list) => {
                f.write_str("select ")?;
                write_list(f, list)
            }
            StageKind::Extend(list) => {
                f.write_str("extend ")?;
                write_list(f, list)
            }
            StageKind::Summarize { aggregates, by } => {
                f.write_str("summarize")?;
                if !aggregates.is_empty() {
                    f.write_char(' ')?;
                    write_list(f, aggregates)?;
                }
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    write_list(f, by)?;
                }
                Ok(())
            }
            StageKind::Sort(keys) => {
                f.write_str("sort by ")?;
                write_list(f, keys)
            }
            StageKind::Top { count, key, per } => {
                write!(f, "top {count} by {key}")?;
                if !per.is_empty() {
                    f.write_str(" per ")?;
                    write_list(f, per)?;
                }
                Ok(())
            }
            StageKind::Take(count) => write!(f, "take {count}"),
            StageKind::Distinct(list) => {
                f.write_str("distinct")?;
                if !list.is_empty() {
                    f.write_char(' ')?;
                    write_list(f, list)?;
                }
                Ok(())
            }
            StageKind::Join { flavor, right, on } => {
                f.write_str(match flavor {
                    JoinFlavor::Inner => "join ",
                    JoinFlavor::Left => "join left ",
                    JoinFlavor::Anti => "join anti ",
                })?;
                match right {
                    JoinRight::Named(name) => write!(f, "{name}")?,
                    JoinRight::Query(query) => write!(f, "({query})")?,
                }
                write!(f, " on {on}")
            }
            StageKind::Expand { expr, alias } => {
                write!(f, "expand {expr}")?;
                if let Some(alias) = alias {
                    write!(f, " as {alias}")?;
                }
                Ok(())
            }
            StageKind::Render(kind) => f.write_str(match kind {
                RenderKind::Bar => "render bar",
                RenderKind::Line => "render line",
                RenderKind::Timeline => "render timeline",
            }),
            StageKind::As(name) => write!(f, "as {name}"),
            StageKind::Error => f.write_str("<error>"),
        }
    }
}

impl Display for NamedExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{name} = ")?;
        }
        write!(f, "{}", self.expr)
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        match self.order {
            Some(SortOrder::Asc) => f.write_str(" asc"),
            Some(SortOrder::Desc) => f.write_str(" desc"),
            None => Ok(()),
        }
    }
}

impl Display for Count {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.value {
            CountValue::Int(n) => write!(f, "{n}"),
            CountValue::Param(name) => write!(f, "${name}"),
        }
    }
}

fn write_list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Binding strength, higher binds tighter (see the parser's levels).
fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op: BinaryOp::Or, .. } => 1,
        ExprKind::Binary { op: BinaryOp::And, .. } => 2,
        ExprKind::Unary { op: UnaryOp::Not, .. } => 3,
        ExprKind::Binary { op: BinaryOp::Add | BinaryOp::Sub, .. } => 5,
        ExprKind::Binary { op: BinaryOp::Mul | BinaryOp::Div, .. } => 6,
        ExprKind::Binary { .. } | ExprKind::In { .. } | ExprKind::Between { .. } => 4,
        ExprKind::Has { .. } => 4,
        ExprKind::Unary { op: UnaryOp::Neg, .. } => 7,
        _ => 8,
    }
}

/// Writes `expr`, in parentheses if it binds weaker than `min`.
fn write_operand(f: &mut Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if precedence(expr) < min { write!(f, "({expr})") } else { write!(f, "{expr}") }
}

const CMP_OPERAND: u8 = 5;

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(literal) => write!(f, "{literal}"),
            ExprKind::Param(name) => write!(f, "${name}"),
            ExprKind::Entity { kind, name } => write!(f, "{kind} {name}"),
            ExprKind::Name(name) => write_name(f, name),
            ExprKind::Field { base, field } => {
                write_operand(f, base, 8)?;
                write!(f, ".{field}")
            }
            ExprKind::Call { func, args } => {
                write!(f, "{func}(")?;
                write_list(f, args)?;
                f.write_char(')')
            }
            ExprKind::List(items) => {
                f.write_char('[')?;
                write_list(f, items)?;
                f.write_char(']')
            }
            ExprKind::Unary { op: UnaryOp::Neg, operand } => {
                // `- -x`, not `--x`, which reads like a comment in SQL.
                let nested_neg = matches!(operand.kind, ExprKind::Unary { op: UnaryOp::Neg, .. });
                f.write_str(if nested_neg { "- " } else { "-" })?;
                write_operand(f, operand, 7)
            }
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                f.write_str("not ")?;
                write_operand(f, operand, 3)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let own = precedence(self);
                let (left_min, right_min) =
                    if own == 4 { (CMP_OPERAND, CMP_OPERAND) } else { (own, own + 1) };
                write_operand(f, lhs, left_min)?;
                write!(f, " {} ", op.as_str())?;
                write_operand(f, rhs, right_min)
            }
            ExprKind::In { expr, negated, set } => {
                write_operand(f, expr, CMP_OPERAND)?;
                f.write_str(if *negated { " not in " } else { " in " })?;
                write_operand(f, set, CMP_OPERAND)
            }
            ExprKind::Between { expr, low, high } => {
                write_operand(f, expr, CMP_OPERAND)?;
                f.write_str(" between ")?;
                write_operand(f, low, CMP_OPERAND)?;
                f.write_str(" and ")?;
                write_operand(f, high, CMP_OPERAND)
            }
            ExprKind::Has { expr, mode, terms, scope } => {
                write_operand(f, expr, CMP_OPERAND)?;
                f.write_str(match mode {
                    HasMode::One => " has ",
                    HasMode::Any => " has any ",
                    HasMode::All => " has all ",
                })?;
                write_operand(f, terms, CMP_OPERAND)?;
                if let Some(scope) = scope {
                    write!(f, " in {scope}")?;
                }
                Ok(())
            }
            ExprKind::Missing => f.write_str("<missing>"),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String { value, raw: true } if !value.contains('\n') => {
                write_raw_string(f, value)
            }
            Literal::String { value, .. } => write_string(f, value),
            Literal::Int(n) => write!(f, "{n}"),
            // `{:?}` is the shortest text that reads back as the same f64 and
            // always has a `.` or an exponent, so it re-lexes as a float.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Null => f.write_str("null"),
            Literal::Date(date) => write!(f, "{date}"),
            Literal::Duration(duration) => write!(f, "{duration}"),
        }
    }
}

impl Display for DateLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "@{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
            if let Some(day) = self.day {
                write!(f, "-{day:02}")?;
            }
        }
        Ok(())
    }
}

impl Display for DurationLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.as_str())
    }
}

fn write_string(f: &mut Formatter<'_>, value: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in value.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\0' => f.write_str("\\0")?,
            c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// `r"..."` with as many `#` as needed so that no `"#...` inside ends it.
fn write_raw_string(f: &mut Formatter<'_>, value: &str) -> fmt::Result {
    let mut hashes = 0;
    while value.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    write!(f, "r{fence}\"{value}\"{fence}")
}

//! The relational plan as a `sqlparser` AST for one dialect, printed. The body is common;
//! [`Dialect`] decides only what differs between engines: identifier quotes, string
//! escapes, regular-expression matching, null-safe equality and array aggregates.

use sqlparser::ast::{
    self, BinaryOperator, CastKind, Cte, DataType, DateTimeField, Distinct, DuplicateTreatment,
    ExtractSyntax, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    GroupByExpr, Ident, JoinConstraint, JoinOperator, LimitClause, ObjectName, ObjectNamePart,
    OrderByExpr, OrderByKind, OrderByOptions, Query, SelectFlavor, SelectItem, SetExpr,
    SetOperator, SetQuantifier, TableAlias, TableFactor, TableWithJoins, TypedString,
    UnaryOperator, Value, WindowSpec, WindowType, With,
};

use crate::Dialect;
use crate::ir::{self, Order, SAgg, SExpr, SFunc, SOp};

/// Prints `query` in `dialect`, one clause per line.
pub(crate) fn print(query: &ir::SqlQuery, dialect: Dialect) -> String {
    let e = Emitter { dialect };
    let ast = e.query(query);
    format!("{ast:#}")
}

struct Emitter {
    dialect: Dialect,
}

fn token() -> sqlparser::ast::helpers::attached_token::AttachedToken {
    sqlparser::ast::helpers::attached_token::AttachedToken::empty()
}

impl Emitter {
    fn ident(&self, name: &str) -> Ident {
        let quote = if self.dialect == Dialect::Spark { '`' } else { '"' };
        if plain_ident(name) { Ident::new(name) } else { Ident::with_quote(quote, name) }
    }

    fn name(&self, name: &str) -> ObjectName {
        ObjectName(vec![ObjectNamePart::Identifier(self.ident(name))])
    }

    fn query(&self, q: &ir::SqlQuery) -> Query {
        let with = (!q.ctes.is_empty()).then(|| With {
            with_token: token(),
            recursive: false,
            cte_tables: q
                .ctes
                .iter()
                .map(|(name, select)| Cte {
                    alias: TableAlias {
                        explicit: false,
                        name: self.ident(name),
                        columns: vec![],
                        at: None,
                    },
                    query: Box::new(self.select_query(select)),
                    from: None,
                    materialized: None,
                    closing_paren_token: token(),
                })
                .collect(),
        });
        let mut query = self.select_query(&q.body);
        query.with = with;
        query
    }

    /// A `SELECT` with its `ORDER BY` and `LIMIT`, as a query.
    fn select_query(&self, s: &ir::Select) -> Query {
        let mut body = SetExpr::Select(Box::new(self.select(s)));
        for other in &s.union_all {
            body = SetExpr::SetOperation {
                op: SetOperator::Union,
                set_quantifier: SetQuantifier::All,
                left: Box::new(body),
                right: Box::new(SetExpr::Select(Box::new(self.select(other)))),
            };
        }
        Query {
            with: None,
            body: Box::new(body),
            order_by: (!s.order_by.is_empty()).then(|| ast::OrderBy {
                kind: OrderByKind::Expressions(s.order_by.iter().map(|o| self.order(o)).collect()),
                interpolate: None,
            }),
            limit_clause: s.limit.map(|n| LimitClause::LimitOffset {
                limit: Some(number(&n.to_string())),
                offset: None,
                limit_by: vec![],
            }),
            fetch: None,
            locks: vec![],
            for_clause: None,
            settings: None,
            format_clause: None,
            pipe_operators: vec![],
        }
    }

    fn order(&self, o: &Order) -> OrderByExpr {
        OrderByExpr {
            expr: self.expr(&o.expr),
            options: OrderByOptions {
                sort: Some(if o.desc { ast::OrderBySort::Desc } else { ast::OrderBySort::Asc }),
                nulls_first: Some(o.nulls_first),
            },
            with_fill: None,
        }
    }

    fn from(&self, f: &ir::From) -> TableFactor {
        let alias = Some(TableAlias {
            explicit: true,
            name: self.ident(&f.alias),
            columns: vec![],
            at: None,
        });
        match &f.source {
            ir::Source::Named(name) => TableFactor::Table {
                name: self.name(name),
                alias,
                args: None,
                with_hints: vec![],
                version: None,
                with_ordinality: false,
                partitions: vec![],
                json_path: None,
                sample: None,
                index_directives: vec![],
                inheritance: None,
            },
            ir::Source::Sub(select) => TableFactor::Derived {
                lateral: false,
                subquery: Box::new(self.select_query(select)),
                alias,
                sample: None,
            },
        }
    }

    fn select(&self, s: &ir::Select) -> ast::Select {
        let projection = s
            .items
            .iter()
            .map(|item| match item {
                ir::Item::Star(rel) => SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(self.name(rel)),
                    ast::WildcardAdditionalOptions::default(),
                ),
                ir::Item::Expr(expr, alias) => {
                    let expr = self.expr(expr);
                    match &expr {
                        ast::Expr::CompoundIdentifier(parts)
                            if parts.last().is_some_and(|p| p.value == *alias) =>
                        {
                            SelectItem::UnnamedExpr(expr)
                        }
                        _ => SelectItem::ExprWithAlias { expr, alias: self.ident(alias) },
                    }
                }
            })
            .collect();
        let from = s
            .from
            .iter()
            .map(|f| TableWithJoins {
                relation: self.from(f),
                joins: s
                    .joins
                    .iter()
                    .map(|j| {
                        let on = JoinConstraint::On(self.expr(&j.on));
                        ast::Join {
                            relation: self.from(&j.from),
                            global: false,
                            join_operator: if j.left {
                                JoinOperator::Left(on)
                            } else {
                                JoinOperator::Join(on)
                            },
                        }
                    })
                    .collect(),
            })
            .collect();
        ast::Select {
            select_token: token(),
            optimizer_hints: vec![],
            distinct: s.distinct.then_some(Distinct::Distinct),
            select_modifiers: None,
            top: None,
            top_before_distinct: false,
            projection,
            exclude: None,
            into: None,
            from,
            lateral_views: vec![],
            prewhere: None,
            selection: s.filter.as_ref().map(|f| self.expr(f)),
            connect_by: vec![],
            group_by: GroupByExpr::Expressions(
                s.group_by.iter().map(|g| self.expr(g)).collect(),
                vec![],
            ),
            cluster_by: vec![],
            distribute_by: vec![],
            sort_by: vec![],
            having: None,
            named_window: vec![],
            qualify: None,
            window_before_qualify: false,
            value_table_mode: None,
            flavor: SelectFlavor::Standard,
        }
    }

    fn string(&self, text: &str) -> ast::Expr {
        if self.dialect == Dialect::Spark {
            // Spark reads backslash escapes in string literals and takes `''` as two
            // adjacent literals, so its literals are escaped its own way.
            let escaped = text.replace('\\', "\\\\").replace('\'', "\\'");
            ast::Expr::value(Value::Placeholder(format!("'{escaped}'")))
        } else {
            ast::Expr::value(Value::SingleQuotedString(text.to_owned()))
        }
    }

    fn func(&self, name: &str, args: Vec<ast::Expr>) -> ast::Expr {
        self.func_with(name, args, None, None)
    }

    fn func_with(
        &self,
        name: &str,
        args: Vec<ast::Expr>,
        distinct: Option<DuplicateTreatment>,
        over: Option<WindowType>,
    ) -> ast::Expr {
        ast::Expr::Function(Function {
            name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
            uses_odbc_syntax: false,
            parameters: FunctionArguments::None,
            args: FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment: distinct,
                args: args
                    .into_iter()
                    .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                    .collect(),
                clauses: vec![],
            }),
            filter: None,
            null_treatment: None,
            over,
            within_group: vec![],
        })
    }

    /// `e` as an operand of an operator binding as tightly as `parent`: in parentheses
    /// when it binds more loosely (or is an `OR` under `AND`, a comparison under a
    /// comparison), so the printed SQL means what the tree does.
    fn operand(&self, e: &SExpr, parent: u8) -> ast::Expr {
        let expr = self.expr(e);
        let own = precedence(e);
        if own < parent || (own == parent && own == 4) {
            ast::Expr::Nested(Box::new(expr))
        } else {
            expr
        }
    }

    fn nested(&self, e: &SExpr) -> ast::Expr {
        self.operand(e, 6)
    }

    fn expr(&self, e: &SExpr) -> ast::Expr {
        match e {
            SExpr::Col(rel, col) => {
                ast::Expr::CompoundIdentifier(vec![self.ident(rel), self.ident(col)])
            }
            SExpr::Null => ast::Expr::value(Value::Null),
            SExpr::Bool(b) => ast::Expr::value(Value::Boolean(*b)),
            SExpr::Int(n) => number(&n.to_string()),
            SExpr::Float(x) => {
                let text = if x.fract() == 0.0 && x.abs() < 1e15 {
                    format!("{x:.1}")
                } else {
                    x.to_string()
                };
                number(&text)
            }
            SExpr::Str(s) => self.string(s),
            SExpr::Date(d) => ast::Expr::TypedString(TypedString {
                data_type: DataType::Date,
                value: Value::SingleQuotedString(d.clone()).into(),
                uses_odbc_syntax: false,
            }),
            SExpr::Bin(op, a, b) => ast::Expr::BinaryOp {
                left: Box::new(self.operand(a, precedence(e))),
                op: match op {
                    SOp::Eq => BinaryOperator::Eq,
                    SOp::NotEq => BinaryOperator::NotEq,
                    SOp::Lt => BinaryOperator::Lt,
                    SOp::LtEq => BinaryOperator::LtEq,
                    SOp::Gt => BinaryOperator::Gt,
                    SOp::GtEq => BinaryOperator::GtEq,
                    SOp::And => BinaryOperator::And,
                    SOp::Or => BinaryOperator::Or,
                    SOp::Plus => BinaryOperator::Plus,
                    SOp::Minus => BinaryOperator::Minus,
                    SOp::Mul => BinaryOperator::Multiply,
                    SOp::Div => BinaryOperator::Divide,
                    SOp::Concat => BinaryOperator::StringConcat,
                },
                right: Box::new(
                    self.operand(b, precedence(e) + u8::from(matches!(op, SOp::Minus | SOp::Div))),
                ),
            },
            SExpr::NullSafeEq(a, b, negated) => {
                let (a, b) = (Box::new(self.nested(a)), Box::new(self.nested(b)));
                match (self.dialect, negated) {
                    (Dialect::Spark, false) => {
                        ast::Expr::BinaryOp { left: a, op: BinaryOperator::Spaceship, right: b }
                    }
                    (Dialect::Spark, true) => ast::Expr::UnaryOp {
                        op: UnaryOperator::Not,
                        expr: Box::new(ast::Expr::Nested(Box::new(ast::Expr::BinaryOp {
                            left: a,
                            op: BinaryOperator::Spaceship,
                            right: b,
                        }))),
                    },
                    (_, false) => ast::Expr::IsNotDistinctFrom(a, b),
                    (_, true) => ast::Expr::IsDistinctFrom(a, b),
                }
            }
            SExpr::Not(a) => {
                ast::Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(self.operand(a, 4)) }
            }
            SExpr::Neg(a) => {
                ast::Expr::UnaryOp { op: UnaryOperator::Minus, expr: Box::new(self.nested(a)) }
            }
            SExpr::IsNull(a, false) => ast::Expr::IsNull(Box::new(self.nested(a))),
            SExpr::IsNull(a, true) => ast::Expr::IsNotNull(Box::new(self.nested(a))),
            SExpr::InList(a, list, negated) => ast::Expr::In {
                expr: Box::new(self.nested(a)),
                target: ast::InTarget::List(list.iter().map(|x| self.expr(x)).collect()),
                negated: *negated,
                global: false,
            },
            SExpr::Regex(a, pattern) => match self.dialect {
                Dialect::Spark => ast::Expr::RLike {
                    negated: false,
                    expr: Box::new(self.nested(a)),
                    pattern: Box::new(self.string(pattern)),
                    regexp: false,
                },
                Dialect::DuckDb => {
                    self.func("regexp_matches", vec![self.expr(a), self.string(pattern)])
                }
                Dialect::DataFusion | Dialect::Trino => {
                    self.func("regexp_like", vec![self.expr(a), self.string(pattern)])
                }
            },
            SExpr::Func(f, args) => {
                let args: Vec<ast::Expr> = args.iter().map(|a| self.expr(a)).collect();
                match f {
                    SFunc::Lower => self.func("lower", args),
                    SFunc::Upper => self.func("upper", args),
                    SFunc::Length => self.func("length", args),
                    SFunc::Coalesce => self.func("coalesce", args),
                    SFunc::Floor => self.func("floor", args),
                    SFunc::NullIf => self.func("nullif", args),
                    SFunc::Substr => self.func("substr", args),
                    SFunc::Year | SFunc::Month => ast::Expr::Extract {
                        field: if *f == SFunc::Year {
                            DateTimeField::Year
                        } else {
                            DateTimeField::Month
                        },
                        syntax: ExtractSyntax::From,
                        expr: Box::new(
                            args.into_iter().next().unwrap_or(ast::Expr::value(Value::Null)),
                        ),
                    },
                    SFunc::Trunc(unit) => {
                        let mut all = vec![self.string(unit)];
                        all.extend(args);
                        self.func("date_trunc", all)
                    }
                }
            }
            SExpr::Agg(agg, arg) => {
                let arg = arg.as_ref().map(|a| self.expr(a));
                let args = || arg.clone().into_iter().collect::<Vec<_>>();
                let distinct = Some(DuplicateTreatment::Distinct);
                match (agg, self.dialect) {
                    (SAgg::Count, _) if arg.is_none() => ast::Expr::Function(Function {
                        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new("COUNT"))]),
                        uses_odbc_syntax: false,
                        parameters: FunctionArguments::None,
                        args: FunctionArguments::List(FunctionArgumentList {
                            duplicate_treatment: None,
                            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
                            clauses: vec![],
                        }),
                        filter: None,
                        null_treatment: None,
                        over: None,
                        within_group: vec![],
                    }),
                    (SAgg::Count, _) => self.func("COUNT", args()),
                    (SAgg::CountDistinct, _) => self.func_with("COUNT", args(), distinct, None),
                    (SAgg::Sum, _) => self.func("SUM", args()),
                    (SAgg::Avg, _) => self.func("AVG", args()),
                    (SAgg::Min, _) => self.func("MIN", args()),
                    (SAgg::Max, _) => self.func("MAX", args()),
                    (SAgg::Set, Dialect::Spark) => self.func("collect_set", args()),
                    (SAgg::List, Dialect::Spark) => self.func("collect_list", args()),
                    (SAgg::Set, _) => self.with_filter(
                        self.func_with("array_agg", args(), distinct, None),
                        arg.clone(),
                    ),
                    (SAgg::List, _) => {
                        self.with_filter(self.func("array_agg", args()), arg.clone())
                    }
                }
            }
            SExpr::CastDouble(a) => ast::Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(self.expr(a)),
                data_type: DataType::Double(ast::ExactNumberInfo::None),
                format: None,
            },
            SExpr::CastText(a) => ast::Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(self.expr(a)),
                data_type: if self.dialect == Dialect::Spark {
                    DataType::String(None)
                } else {
                    DataType::Varchar(None)
                },
                format: None,
            },
            SExpr::CastDate(a) => ast::Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(self.expr(a)),
                data_type: DataType::Date,
                format: None,
            },
            SExpr::Subquery(select) => ast::Expr::Subquery(Box::new(self.select_query(select))),
            SExpr::Exists(select, negated) => ast::Expr::Exists {
                subquery: Box::new(self.select_query(select)),
                negated: *negated,
            },
            SExpr::RowNumber(partition, order) => self.func_with(
                "ROW_NUMBER",
                vec![],
                None,
                Some(WindowType::WindowSpec(WindowSpec {
                    window_name: None,
                    partition_by: partition.iter().map(|p| self.expr(p)).collect(),
                    order_by: order.iter().map(|o| self.order(o)).collect(),
                    window_frame: None,
                })),
            ),
        }
    }

    /// `array_agg` keeps NULLs in DuckDB, DataFusion and Trino; the native lists (and
    /// Spark's `collect_*`) do not.
    fn with_filter(&self, mut call: ast::Expr, arg: Option<ast::Expr>) -> ast::Expr {
        if let (ast::Expr::Function(f), Some(arg)) = (&mut call, arg) {
            f.filter = Some(Box::new(ast::Expr::IsNotNull(Box::new(arg))));
        }
        call
    }
}

/// How tightly an expression binds as an operand: `OR` 1, `AND` 2, `NOT` 3, comparisons
/// and tests 4, `+ -` 5, `* /` 6, anything else 7.
fn precedence(e: &SExpr) -> u8 {
    match e {
        SExpr::Bin(SOp::Or, ..) => 1,
        SExpr::Bin(SOp::And, ..) => 2,
        SExpr::Not(_) => 3,
        SExpr::Bin(SOp::Plus | SOp::Minus | SOp::Concat, ..) => 5,
        SExpr::Bin(SOp::Mul | SOp::Div, ..) => 6,
        SExpr::Bin(..)
        | SExpr::NullSafeEq(..)
        | SExpr::IsNull(..)
        | SExpr::InList(..)
        | SExpr::Regex(..) => 4,
        SExpr::Neg(_) => 6,
        _ => 7,
    }
}

fn number(text: &str) -> ast::Expr {
    ast::Expr::value(Value::Number(text.to_owned(), false))
}

/// Whether `name` needs no quotes in any dialect: lower-case letters, digits and `_`, not
/// starting with a digit, and not a word any of the four engines reserves.
fn plain_ident(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "and",
        "any",
        "as",
        "asc",
        "between",
        "by",
        "case",
        "cast",
        "create",
        "cross",
        "current_date",
        "date",
        "default",
        "desc",
        "distinct",
        "else",
        "end",
        "except",
        "exists",
        "false",
        "from",
        "full",
        "group",
        "having",
        "in",
        "inner",
        "interval",
        "is",
        "join",
        "left",
        "level",
        "like",
        "limit",
        "not",
        "null",
        "of",
        "on",
        "or",
        "order",
        "outer",
        "right",
        "select",
        "table",
        "then",
        "time",
        "timestamp",
        "to",
        "true",
        "type",
        "union",
        "user",
        "using",
        "values",
        "when",
        "where",
        "window",
        "with",
        "year",
        "month",
        "day",
        "first",
        "last",
        "kind",
        "text",
        "source",
        "role",
        "position",
        "index",
        "end_",
    ];
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name)
}

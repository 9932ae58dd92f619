//! FactQL compiled to SQL, for engines that run over factql's Parquet export: DuckDB,
//! DataFusion, Spark and Trino (`factql query --to-sql --dialect ...`).
//!
//! A query goes through the same parser and checker as the native engine
//! ([`factql_engine::Engine::check`]), so every error, warning and did-you-mean is the
//! engine's own. The checked [`Plan`] is then lowered to a relational plan (`ir`: one
//! `SELECT` per pipeline stage, chained as CTEs, with typed values: a reference is its row's
//! key, a date the interval of its first and last day), printed through the `sqlparser`
//! crate's AST. The body is common to every engine; [`Dialect`] changes only identifier
//! quotes, string escapes, regular-expression matching, null-safe equality and array
//! aggregates.
//!
//! What SQL cannot express faithfully is refused with [`CompileError::Unsupported`], naming
//! the construct and why: never SQL that would answer differently from the engine.
//! `docs/scale-out.md` lists every construct, how it is lowered, and how to run the output.
//!
//! Entity literals (`person "Lukashenko"`) are resolved by the checker against the store's
//! names and aliases, with its ambiguity warning; an [`EntityResolver`] turns the entity
//! chosen into the id the exported tables use, and the SQL carries it as a literal.
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use factql_engine::{Context, Engine};
//! use factql_sql::{Dialect, compile};
//!
//! let dir = tempfile::tempdir()?;
//! let store = factql_store::Store::open(dir.path().join("x.db"))?;
//! let engine = Engine::load(&store)?;
//! let sql = compile(&engine, "articles | summarize n = count() by source", &Context::default(),
//!     engine.dataset(), Dialect::DuckDb)?;
//! assert!(sql.sql.contains("GROUP BY"));
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod emit;
pub mod ir;
mod lower;

use std::fmt;
use std::str::FromStr;

use factql_engine::{Context, Dataset, Diagnostic, Engine, Plan, Severity};
use factql_syntax::Span;

/// The SQL engines factql compiles to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB (RE2 regular expressions through `regexp_matches`).
    DuckDb,
    /// Apache DataFusion (`regexp_like`, Rust regular expressions).
    DataFusion,
    /// Spark SQL (back-quoted names, backslash escapes in strings, `RLIKE`, `<=>`,
    /// `collect_set`/`collect_list`).
    Spark,
    /// Trino (`regexp_like`).
    Trino,
}

impl Dialect {
    /// Every dialect, in the order they are documented.
    pub const ALL: [Dialect; 4] =
        [Dialect::DuckDb, Dialect::DataFusion, Dialect::Spark, Dialect::Trino];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::DataFusion => "datafusion",
            Dialect::Spark => "spark",
            Dialect::Trino => "trino",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Dialect, String> {
        Dialect::ALL.into_iter().find(|d| d.name() == s).ok_or_else(|| {
            format!("unknown dialect `{s}`: expected duckdb, datafusion, spark or trino")
        })
    }
}

/// An entity the checker chose for a literal, as the exported tables name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedEntity {
    /// The `entity_id` in the export.
    pub id: String,
    /// Its canonical name (shown in a comment beside the SQL).
    pub name: String,
    /// Its kind.
    pub kind: String,
}

/// Turns the entities a checked plan names (by their position in the loaded data) into the
/// ids of the exported tables.
pub trait EntityResolver {
    /// The entity at `position`, or `None` when it is unknown.
    fn entity(&self, position: u32) -> Option<ResolvedEntity>;
}

/// The store's own ids, as loaded by the engine: what `factql export` writes.
impl EntityResolver for Dataset {
    fn entity(&self, position: u32) -> Option<ResolvedEntity> {
        self.entity_at(position).map(|(id, info)| ResolvedEntity {
            id: id.to_owned(),
            name: info.name.to_owned(),
            kind: info.kind.to_owned(),
        })
    }
}

/// Why a query gives no SQL.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The query does not check: the engine's diagnostics, exactly as `factql query` gives
    /// them (warnings included).
    #[error("the query does not check")]
    Invalid(Vec<Diagnostic>),
    /// A construct the SQL back end does not lower.
    #[error("{construct} cannot be compiled to SQL: {why}")]
    Unsupported {
        /// The construct, as a person writes it.
        construct: String,
        /// Where it is (the stage or pattern element).
        span: Span,
        /// Why, and what to write instead when there is something.
        why: String,
    },
    /// The resolver does not know an entity the checker chose.
    #[error("entity #{position} of the loaded data has no id in the export")]
    Entity {
        /// Its position in the loaded data.
        position: u32,
    },
}

/// A query compiled to SQL.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The SQL text: comments (entity choices, notes), then one statement.
    pub sql: String,
    /// The exported tables it reads, sorted.
    pub tables: Vec<String>,
    /// The checker's warnings (an ambiguous entity name, a value no row holds).
    pub warnings: Vec<Diagnostic>,
}

/// Checks `source` with `engine` (as `factql query` does) and compiles its last query to SQL
/// for `dialect`, resolving entity literals through `resolver`.
pub fn compile(
    engine: &Engine,
    source: &str,
    ctx: &Context,
    resolver: &dyn EntityResolver,
    dialect: Dialect,
) -> Result<Compiled, CompileError> {
    let checked = engine.check(source, ctx);
    let Some(plan) = checked.plan else {
        return Err(CompileError::Invalid(checked.diagnostics));
    };
    let warnings: Vec<Diagnostic> =
        checked.diagnostics.into_iter().filter(|d| d.severity == Severity::Warning).collect();
    let mut compiled = compile_plan(engine.dataset(), &plan, resolver, dialect)?;
    compiled.warnings = warnings;
    Ok(compiled)
}

/// Compiles a checked plan to SQL for `dialect`; `dataset` gives the fact kinds' schemas.
pub fn compile_plan(
    dataset: &Dataset,
    plan: &Plan,
    resolver: &dyn EntityResolver,
    dialect: Dialect,
) -> Result<Compiled, CompileError> {
    let mut lowerer = lower::Lowerer::new(dataset, resolver);
    let body = lowerer.lower(plan)?;
    let query = ir::SqlQuery { ctes: std::mem::take(&mut lowerer.ctes), body };
    let mut sql = format!("-- factql --to-sql --dialect {dialect}\n");
    sql.push_str(&format!(
        "-- reads: {}\n",
        lowerer.tables.iter().cloned().collect::<Vec<_>>().join(", ")
    ));
    for note in &lowerer.notes {
        sql.push_str(&format!("-- {note}\n"));
    }
    sql.push_str(&emit::print(&query, dialect));
    sql.push_str(";\n");
    Ok(Compiled { sql, tables: lowerer.tables.into_iter().collect(), warnings: Vec::new() })
}

//! Errors and warnings of checking and running a query, with spans into the query text.

use factql_syntax::Span;
pub use factql_syntax::{Diagnostic, Severity};

/// Why a query could not give rows.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] factql_store::StoreError),
    /// The query has syntax or semantic errors; nothing was run.
    #[error("{} error{} in the query; nothing was run", .0.iter().filter(|d| d.severity == Severity::Error).count(), if .0.iter().filter(|d| d.severity == Severity::Error).count() == 1 { "" } else { "s" })]
    Invalid(Vec<Diagnostic>),
    /// A stage produced more rows than the configured limit.
    #[error(
        "stage {stage} (`{name}`) produced more than {limit} rows; narrow the query or raise the row limit"
    )]
    RowLimit {
        /// 1-based stage number (0 is the source).
        stage: usize,
        /// The stage keyword.
        name: &'static str,
        /// The limit.
        limit: usize,
        /// Where the stage is in the query.
        span: Span,
    },
    /// The query was cancelled.
    #[error("query cancelled")]
    Cancelled,
}

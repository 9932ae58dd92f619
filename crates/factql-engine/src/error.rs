//! Errors and warnings of checking and running a query, with spans into the query text.

use factql_syntax::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The query does not run.
    Error,
    /// The query runs, but something was chosen for the user.
    Warning,
}

/// One finding about a query: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code: `E01xx` syntax, `E02xx` names and fields, `E03xx` entities,
    /// `E04xx` types and stages, `W02xx` values and sources the data does not hold,
    /// `W03xx` entity choices.
    pub code: &'static str,
    /// What is wrong, in one line.
    pub message: String,
    /// The bytes of the query it is about.
    pub span: Span,
    /// A short label for the marked bytes.
    pub label: String,
    /// How to fix it, if there is a fix.
    pub help: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            if self.severity == Severity::Error { "error" } else { "warning" },
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

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

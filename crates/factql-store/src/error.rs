//! Errors of the store; each names the database file.

use std::path::PathBuf;

/// Something went wrong with the database at `path`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file could not be opened or created.
    #[error("cannot open database {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A statement failed.
    #[error("database {}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer factql.
    #[error("database {} has schema version {found}; this factql knows versions up to {supported}", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A migration step failed; the file stays at the previous version.
    #[error("database {}: migration to schema version {version} failed", path.display())]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The version that could not be reached.
        version: i64,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A kind declaration conflicts with the one stored.
    #[error("database {}: {source}", path.display())]
    Schema {
        /// The database file.
        path: PathBuf,
        /// The conflict.
        #[source]
        source: factql_model::SchemaError,
    },
    /// A fact argument points at a mention or fact that is not in the same extraction.
    #[error("database {}: extractor {extractor}, fact {fact}: {detail}", path.display())]
    DanglingArg {
        /// The database file.
        path: PathBuf,
        /// The extractor whose output it is.
        extractor: String,
        /// Index of the fact in the extraction.
        fact: usize,
        /// What is wrong.
        detail: String,
    },
    /// The file is not a sound factql database.
    #[error("database {} is damaged: {detail}", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

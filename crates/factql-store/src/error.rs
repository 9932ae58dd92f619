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
    /// The file is SQLite (or not even that) but not a factql store; nothing was written to it.
    #[error("{} is not a factql store ({detail}); factql leaves it untouched: name another file with --db", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        detail: String,
    },
    /// The store cannot be written: the file, or the folder it lives in, is read-only.
    #[error("store {} is read-only ({detail}): it can be queried, but not written", path.display())]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// Why it cannot be written.
        detail: String,
    },
    /// Another process held the write lock for longer than this process would wait.
    #[error("store {} is locked by another process: gave up after waiting {} s", path.display(), waited.as_secs())]
    Busy {
        /// The database file.
        path: PathBuf,
        /// How long this process waited.
        waited: std::time::Duration,
    },
    /// A read-only store has a write-ahead log whose index cannot be created here: the last
    /// writer did not finish its checkpoint, and reading without the log would miss commits.
    #[error("store {} has an unfinished write-ahead log ({}-wal) and its folder is read-only: open it once where it can be written (any factql command that writes, or `sqlite3 FILE 'PRAGMA wal_checkpoint'`) before sharing it", path.display(), path.display())]
    PendingLog {
        /// The database file.
        path: PathBuf,
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

impl StoreError {
    /// A failed statement on `path`, classified: a read-only file or folder becomes
    /// [`StoreError::ReadOnly`], a lock given up on becomes [`StoreError::Busy`].
    pub(crate) fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => {
                StoreError::ReadOnly { path, detail: read_only_detail(&source) }
            }
            Some(ErrorCode::DatabaseBusy) => StoreError::Busy { path, waited: crate::lock::LIMIT },
            _ => StoreError::Sqlite { path, source },
        }
    }
}

/// Why SQLite refused to write, in words.
pub(crate) fn read_only_detail(source: &rusqlite::Error) -> String {
    match source {
        rusqlite::Error::SqliteFailure(err, _) => match err.extended_code {
            // SQLITE_READONLY_DIRECTORY
            1544 => "its folder cannot be written, so the journal cannot be created".to_owned(),
            // SQLITE_READONLY_CANTINIT, SQLITE_READONLY_CANTLOCK
            1288 | 520 => "its shared-memory index cannot be written".to_owned(),
            _ => "the file cannot be written".to_owned(),
        },
        _ => "the file cannot be written".to_owned(),
    }
}

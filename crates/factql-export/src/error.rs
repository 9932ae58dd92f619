//! What can go wrong in an export.

use std::path::PathBuf;

use factql_store::StoreError;

/// Why an export failed. Nothing is half-replaced: the schema file is written last, and the
/// files of a run it does not record are removed by the next run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file or folder of the dataset could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Writing or reading a Parquet file failed.
    #[error("{path}: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The error.
        source: parquet::errors::ParquetError,
    },
    /// The folder holds something other than a factql dataset.
    #[error("{path}: not a factql dataset ({detail}); choose an empty or new folder")]
    NotADataset {
        /// The folder.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
    /// `--since` without a dataset to append to.
    #[error("{path}: no dataset to append to; export without --since first")]
    NoDataset {
        /// The folder.
        path: PathBuf,
    },
    /// The dataset was written in another format version.
    #[error(
        "{path}: a dataset of format version {found}; this build writes version {supported}: export without --since to replace it"
    )]
    FormatVersion {
        /// The folder.
        path: PathBuf,
        /// The dataset's version.
        found: u32,
        /// This build's.
        supported: u32,
    },
    /// The dataset was exported from another store.
    #[error(
        "{path}: exported from another store (identity {found}, this store {store}); export without --since to replace it"
    )]
    OtherStore {
        /// The folder.
        path: PathBuf,
        /// The dataset's store identity.
        found: String,
        /// This store's.
        store: String,
    },
    /// A kind's declaration changed since the dataset was written: its table would differ.
    #[error(
        "{path}: kind `{kind}` is declared differently now than when the dataset was written; export without --since"
    )]
    KindChanged {
        /// The folder.
        path: PathBuf,
        /// The kind.
        kind: String,
    },
    /// `--since` is not a day.
    #[error("--since `{text}`: expected a day, YYYY-MM-DD")]
    BadSince {
        /// What was given.
        text: String,
    },
    /// A row the writer could not place (a bug, reported rather than written wrong).
    #[error("export: {0}")]
    Internal(String),
}

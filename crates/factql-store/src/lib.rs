//! The durable store of factql, on SQLite.
//!
//! [`Store`] is the only door to the database. It opens (or creates) one file in WAL mode,
//! brings its schema up to date with numbered migrations, and writes articles in batches: each
//! batch is one transaction, so a process killed at any moment leaves a store that opens and
//! holds every batch that committed, and a re-run finishes the rest.
//!
//! Writing is idempotent. An article's id is a hash of its normalised text and URL; ingesting
//! the same input again reports [`Outcome::Unchanged`], and the same text under another name is
//! recorded as [`Outcome::Duplicate`] of the article already stored instead of a second copy.
//!
//! Errors are [`StoreError`]s carrying the database path.
#![deny(missing_docs)]

mod error;
mod facts;
mod load;
mod read;
mod runs;
mod schema;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use error::StoreError;
pub use facts::{Extraction, ExtractionSet, RunId};
pub use load::{ArgValue, ArticleRow, EntityRow, FactRow, MentionRow, SentenceRow};
pub use read::{Stats, TableCounts};
pub use schema::SCHEMA_VERSION;
pub use write::Outcome;

/// An open factql database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database at `path`, creating it if needed, and migrates it to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path)
            .map_err(|source| StoreError::Open { path: path.clone(), source })?;
        // Ingest keeps about twenty statements in use per batch (articles, sentences, and the
        // rows of every plugin); the default cache of 16 would evict and re-prepare them.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Store { conn, path };
        store.configure()?;
        schema::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the file is at (equal to [`SCHEMA_VERSION`] once opened).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| self.err(e))
    }

    /// Runs SQLite's own consistency check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| self.err(e))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt { path: self.path.clone(), detail: verdict })
        }
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        // WAL keeps readers working during a write and makes a commit a single append; with
        // synchronous=NORMAL a committed batch survives a killed process (not a power cut,
        // which would need FULL and is not what ingest needs).
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("cannot switch to WAL journal mode (got {mode})"),
            });
        }
        self.conn
            .execute_batch(
                // Ingest commits a batch at a time into tables and indexes whose last pages
                // every batch rewrites: checkpointing the WAL every 4,000 pages instead of
                // 1,000 copies those pages into the file a quarter as often, and a 16 MiB page
                // cache keeps the indexes' hot pages in memory between batches.
                "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;
                 PRAGMA wal_autocheckpoint=4000; PRAGMA cache_size=-16384;",
            )
            .map_err(|e| self.err(e))
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }
}

#[cfg(test)]
mod tests;

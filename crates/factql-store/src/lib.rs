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
//! A store is opened for writing ([`Store::open`]: created if needed, migrated, stamped with
//! [`APPLICATION_ID`]) or for reading ([`Store::open_read_only`]: never written, so a store on
//! read-only media or in a folder the user cannot write is queried as it is). A file that is
//! not a factql store is refused before anything is written to it. A second writer waits for
//! the lock ([`Store::on_lock_wait`] hears about it).
//!
//! Errors are [`StoreError`]s carrying the database path.
#![deny(missing_docs)]

mod error;
mod facts;
mod generation;
mod load;
mod lock;
mod plain;
mod read;
mod runs;
mod schema;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::schema::Identity;

pub use error::StoreError;
/// Re-exported: the store writes what the model calls an [`Extraction`].
pub use factql_model::Extraction;
pub use facts::{ExtractionSet, RunId};
pub use generation::Generation;
pub use load::{ArgValue, ArticleRow, EntityRow, FactRow, MentionRow, SentenceRow};
pub use lock::{LIMIT as LOCK_WAIT_LIMIT, NOTICE_EVERY as LOCK_NOTICE_EVERY};
pub use read::{Stats, TableCounts};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use write::Outcome;

/// An open factql database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The schema version of the file (below [`SCHEMA_VERSION`] only for an older store
    /// opened read-only, whose reads adapt to it).
    version: i64,
    /// The entities this connection has written (ingest skips writing them again).
    named: facts::Named,
    read_only: bool,
}

impl Store {
    /// Opens the database at `path` for writing, creating it if needed, and migrates it to
    /// [`SCHEMA_VERSION`].
    ///
    /// A file that is not a factql store is refused untouched ([`StoreError::NotAStore`]); a
    /// store that cannot be written is [`StoreError::ReadOnly`].
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let existed = path.exists();
        let conn = Connection::open(&path).map_err(|source| {
            if !existed && source.sqlite_error_code() == Some(ErrorCode::CannotOpen) {
                StoreError::ReadOnly {
                    path: path.clone(),
                    detail: "its folder cannot be written, so it cannot be created".into(),
                }
            } else {
                StoreError::Open { path: path.clone(), source }
            }
        })?;
        // Ingest keeps about twenty statements in use per batch (articles, sentences, and the
        // rows of every plugin); the default cache of 16 would evict and re-prepare them.
        conn.set_prepared_statement_cache_capacity(64);
        let identity =
            schema::identify(&conn, &path).map_err(|err| read_only_on_open(err, &path))?;
        let mut store =
            Store { conn, path, version: 0, read_only: false, named: facts::Named::default() };
        if store.conn.is_readonly("main").unwrap_or(false) {
            return Err(StoreError::ReadOnly {
                path: store.path.clone(),
                detail: "the file cannot be written".into(),
            });
        }
        store.configure().map_err(|err| read_only_on_open(err, &store.path))?;
        schema::migrate(&mut store.conn, &store.path)?;
        if identity != (Identity::Factql { stamped: true }) {
            store
                .conn
                .pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| store.err(e))?;
        }
        store.version = SCHEMA_VERSION;
        Ok(store)
    }

    /// Opens an existing store for reading only: nothing is written to the file or its
    /// folder, so a store on read-only media or in a folder the user cannot write opens too.
    ///
    /// In WAL mode SQLite needs the `-shm` index beside the file; where it is missing and
    /// cannot be created, the store is opened `immutable` (no locks, no log), which is
    /// sound because no process can write there either. If an unfinished `-wal` log is
    /// there but no index, reading without it would miss commits: [`StoreError::PendingLog`].
    /// An older store is read as it is (not migrated).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        let conn = Connection::open_with_flags(&path, flags).map_err(open_err)?;
        let conn = match schema::identify(&conn, &path) {
            Ok(_) => conn,
            Err(err) if wal_index_unavailable(&err) => {
                // The WAL index could not be created (a read-only folder or medium).
                drop(conn);
                let wal = sibling(&path, "-wal");
                if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                    return Err(StoreError::PendingLog { path });
                }
                Connection::open_with_flags(immutable_uri(&path), flags).map_err(open_err)?
            }
            Err(err) => return Err(err),
        };
        schema::identify(&conn, &path)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| StoreError::sqlite(&path, e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path, found: version, supported: SCHEMA_VERSION });
        }
        // A reader meets a lock only while a checkpoint or recovery runs; it waits as a
        // writer does.
        conn.busy_handler(Some(lock::on_busy)).map_err(|e| StoreError::sqlite(&path, e))?;
        Ok(Store { conn, path, version, read_only: true, named: facts::Named::default() })
    }

    /// True when opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Calls `notice` with the time waited so far when a write has to wait for another
    /// process's lock: when the wait starts and every [`LOCK_NOTICE_EVERY`]; after
    /// [`LOCK_WAIT_LIMIT`] the write fails with [`StoreError::Busy`]. The callback is kept per
    /// thread (SQLite's busy handler is a plain function): set it on the thread that writes.
    pub fn on_lock_wait(&mut self, notice: impl Fn(std::time::Duration) + 'static) {
        lock::set_notice(Some(std::rc::Rc::new(notice)));
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
                // cache keeps the indexes' hot pages in memory between batches. (No
                // busy_timeout: it would replace the busy handler, which waits and says so.)
                "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
                 PRAGMA wal_autocheckpoint=4000; PRAGMA cache_size=-16384;",
            )
            .map_err(|e| self.err(e))?;
        self.conn.busy_handler(Some(lock::on_busy)).map_err(|e| self.err(e))
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::sqlite(&self.path, source)
    }
}

/// While opening for writing, a file SQLite cannot open its journal or index for is a
/// read-only store.
fn read_only_on_open(err: StoreError, path: &Path) -> StoreError {
    match err {
        StoreError::Sqlite { source, .. }
            if source.sqlite_error_code() == Some(ErrorCode::CannotOpen) =>
        {
            StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: "its folder cannot be written, so the write-ahead log cannot be created"
                    .into(),
            }
        }
        other => other,
    }
}

/// True for the errors of a reader that cannot create the WAL index beside the file.
fn wal_index_unavailable(err: &StoreError) -> bool {
    match err {
        StoreError::ReadOnly { .. } => true,
        StoreError::Sqlite { source, .. } => {
            source.sqlite_error_code() == Some(ErrorCode::CannotOpen)
        }
        _ => false,
    }
}

/// `path` with `suffix` appended to its file name (`x.db-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The `file:` URI of `path` with `immutable=1`: `%`, `?` and `#` are escaped, as are
/// bytes outside printable ASCII.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'%' | b'?' | b'#') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_shared;

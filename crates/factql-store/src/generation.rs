//! The store's identity and generation: what a file derived from the store (the engine's
//! image) records to tell whether it still describes the store.
//!
//! The identity is random, fixed when the table is made (migration 3), so an image built from
//! another store is never taken for this one's. The generation is a counter that every write
//! transaction of this crate bumps inside the transaction, before it commits: a derived file
//! built at generation `g` describes the store exactly while the store is still at `g`.
//! A new write path must call [`bump`] in its transaction (the tests of each write path check
//! that the generation moved).

use rusqlite::Transaction;

use crate::{Store, StoreError};

/// Which store this is, and how many write transactions it has committed (as a number that
/// only grows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generation {
    /// Random hex text fixed when the store was made (or migrated to schema version 3).
    pub identity: String,
    /// Bumped by every write transaction.
    pub generation: i64,
}

/// Bumps the generation inside `tx`, so it commits (or rolls back) with the write.
pub(crate) fn bump(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute("UPDATE store_generation SET generation = generation + 1 WHERE id = 0", [])?;
    Ok(())
}

impl Store {
    /// The store's identity and current generation.
    pub fn generation(&self) -> Result<Generation, StoreError> {
        self.conn
            .query_row(
                "SELECT identity, generation FROM store_generation WHERE id = 0",
                [],
                |row| Ok(Generation { identity: row.get(0)?, generation: row.get(1)? }),
            )
            .map_err(|e| self.err(e))
    }

    /// Runs `read` inside one read transaction, so every read it makes sees the same
    /// committed state of the store (WAL readers are never blocked by a writer, nor see its
    /// later commits). Inside a transaction already, `read` simply runs in it.
    pub fn snapshot<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.conn.is_autocommit() {
            return read(self);
        }
        self.conn.execute_batch("BEGIN DEFERRED").map_err(|e| self.err(e))?;
        let result = read(self);
        // A read transaction changes nothing: ending it either way is the same.
        let ended = self.conn.execute_batch("COMMIT").map_err(|e| self.err(e));
        let value = result?;
        ended?;
        Ok(value)
    }
}

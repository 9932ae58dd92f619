//! Plugin bookkeeping: whether a plugin already ran over the store, and its kind declarations
//! when a new version of it changes them.

use factql_model::{ExtractorRef, KindSchema, SchemaError};
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

impl Store {
    /// True when a run of `extractor` (same name and version) with `config_hash` has finished,
    /// so the articles stored before it already hold its output.
    pub fn has_finished_run(
        &self,
        extractor: &ExtractorRef,
        config_hash: &str,
    ) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM run WHERE extractor = ?1 AND version = ?2
                                 AND config_hash = ?3 AND finished_at IS NOT NULL)",
                params![extractor.name, extractor.version, config_hash],
                |row| row.get(0),
            )
            .map_err(|e| self.err(e))
    }
}

impl Store {
    /// Records the kinds `declared_by` produces, replacing its own earlier declarations (a new
    /// version of a plugin may change its fields); a kind declared differently by another
    /// plugin is a conflict.
    pub fn redeclare_kinds(
        &mut self,
        kinds: &[KindSchema],
        declared_by: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sqlite = |source| StoreError::sqlite(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        for kind in kinds {
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT schema, declared_by FROM kind_schema WHERE kind = ?1",
                    [&kind.name],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(sqlite)?;
            let json = serde_json::to_string(kind).map_err(|err| StoreError::Corrupt {
                path: path.clone(),
                detail: format!("kind {}: {err}", kind.name),
            })?;
            if let Some((schema, owner)) = existing
                && owner != declared_by
            {
                // Someone else's kind: the same declaration is fine (and stays theirs).
                if serde_json::from_str::<KindSchema>(&schema).ok().as_ref() == Some(kind) {
                    continue;
                }
                return Err(StoreError::Schema {
                    path: path.clone(),
                    source: SchemaError::Conflict { kind: kind.name.clone() },
                });
            }
            tx.execute(
                "INSERT INTO kind_schema (kind, schema, declared_by) VALUES (?1, ?2, ?3)
                 ON CONFLICT(kind) DO UPDATE SET schema = excluded.schema, declared_by = excluded.declared_by",
                params![kind.name, json, declared_by],
            )
            .map_err(sqlite)?;
        }
        crate::generation::bump(&tx).map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finished_runs_of_the_same_version_and_config_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("t.db")).unwrap();
        let money = ExtractorRef { name: "money".into(), version: "0.1.0".into() };
        assert!(!store.has_finished_run(&money, "h").unwrap());
        let run = store.begin_run(&money, "h").unwrap();
        assert!(!store.has_finished_run(&money, "h").unwrap());
        store.finish_run(run).unwrap();
        assert!(store.has_finished_run(&money, "h").unwrap());
        assert!(!store.has_finished_run(&money, "other").unwrap());
        let newer = ExtractorRef { version: "0.2.0".into(), ..money };
        assert!(!store.has_finished_run(&newer, "h").unwrap());
    }

    #[test]
    fn a_plugin_may_change_its_own_kinds_but_not_anothers() {
        use factql_model::{FieldDef, FieldType};
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("t.db")).unwrap();
        let field =
            |name: &str| FieldDef { name: name.into(), ty: FieldType::Float, required: true };
        let v1 = KindSchema { name: "money".into(), fields: vec![field("amount")], roles: vec![] };
        let v2 = KindSchema { fields: vec![field("amount"), field("rate")], ..v1.clone() };
        store.redeclare_kinds(std::slice::from_ref(&v1), "money").unwrap();
        store.redeclare_kinds(std::slice::from_ref(&v2), "money").unwrap();
        assert_eq!(store.schema().unwrap().kind("money"), Some(&v2));
        // Another plugin may declare the same kind identically (it stays money's), not
        // differently.
        store.redeclare_kinds(std::slice::from_ref(&v2), "other").unwrap();
        let err = store.redeclare_kinds(std::slice::from_ref(&v1), "other").unwrap_err();
        assert!(
            err.to_string().ends_with("kind `money` is declared twice with different fields"),
            "{err}"
        );
    }
}

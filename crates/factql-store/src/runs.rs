//! Questions about plugin runs, asked before running plugins again.

use factql_model::ExtractorRef;
use rusqlite::params;

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
}

//! The schema file, `_factql_schema.json`: what the dataset holds, for the compiler and
//! any other reader (`docs/export.md`, *The schema file*).

use std::collections::BTreeMap;

use factql_model::KindSchema;
use serde::{Deserialize, Serialize};

use crate::layout::{self, Table};

/// The store a dataset was exported from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    /// The store's random identity (`store_generation.identity`).
    pub identity: String,
    /// Its write generation at the last export run.
    pub generation: i64,
    /// Its schema version (`PRAGMA user_version`).
    pub schema_version: i64,
}

/// How partitioned tables are cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partitioning {
    /// The Hive partition column (`pub_month`).
    pub column: String,
    /// `month`.
    pub granularity: String,
    /// How a value is written (`YYYY-MM`).
    pub format: String,
    /// The value of undated rows (`undated`).
    pub undated: String,
    /// The in-file column the partition value is derived from (`pub_date`).
    pub from_column: String,
}

impl Partitioning {
    /// The partitioning of format version 1.
    pub fn v1() -> Partitioning {
        Partitioning {
            column: layout::PARTITION_COLUMN.into(),
            granularity: "month".into(),
            format: "YYYY-MM".into(),
            undated: layout::UNDATED.into(),
            from_column: "pub_date".into(),
        }
    }
}

/// One export run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// 1 for a full export, then one more per `--since` run.
    pub run: u32,
    /// The `--since` date, or `None` for a full export.
    pub since: Option<String>,
    /// When it ran (UTC, RFC 3339).
    pub exported_at: String,
    /// Articles (versions) it wrote.
    pub articles: u64,
    /// Partitions it rewrote whole (`pub_month` values).
    pub rewritten_partitions: Vec<String>,
}

/// The content of `_factql_schema.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetSchema {
    /// `factql-parquet`.
    pub format: String,
    /// [`layout::FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The version of factql that wrote it.
    pub factql_version: String,
    /// [`layout::FOLD_VERSION`].
    pub fold_version: u32,
    /// The store exported.
    pub store: StoreInfo,
    /// The partitioning.
    pub partitioning: Partitioning,
    /// Every run so far, in order.
    pub runs: Vec<Run>,
    /// Every table, fixed tables first, then `fact_<kind>` by kind.
    pub tables: Vec<Table>,
    /// The store's kind declarations, by kind name.
    pub kinds: BTreeMap<String, KindSchema>,
}

impl DatasetSchema {
    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.name == name)
    }

    /// Parses a schema file's text.
    pub fn from_json(text: &str) -> Result<DatasetSchema, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The schema file's text (pretty-printed, ending with a newline).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

//! The dataset's layout as data: the fixed tables, their columns and order, and the columns a
//! fact kind's declaration gives. `docs/export.md` documents the same, column by column; the
//! schema file (`_factql_schema.json`) is generated from here.

use factql_model::{FieldType, KindSchema};
use serde::{Deserialize, Serialize};

/// The name of the format in the schema file.
pub const FORMAT: &str = "factql-parquet";
/// The format version: bumped when a column is removed, renamed or retyped, or the
/// partitioning or a naming rule changes.
pub const FORMAT_VERSION: u32 = 1;
/// The version of `factql_model::fold` the `*_fold` columns were made with.
pub const FOLD_VERSION: u32 = 1;
/// The schema file's name in the dataset directory.
pub const SCHEMA_FILE: &str = "_factql_schema.json";
/// The Hive partition column of every partitioned table.
pub const PARTITION_COLUMN: &str = "pub_month";
/// The partition value of undated articles and their rows.
pub const UNDATED: &str = "undated";
/// Row groups hold at most this many rows.
pub const ROW_GROUP_ROWS: usize = 1 << 20;
/// A file is cut after this many rows; the next one gets the next file number.
pub const FILE_ROWS: usize = 1 << 23;

/// A column type, as the schema file spells it (`docs/export.md`, *Types*).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// UTF-8 text.
    String,
    /// Signed 32-bit integer.
    Int32,
    /// Signed 64-bit integer.
    Int64,
    /// 64-bit float.
    Float64,
    /// Boolean.
    Bool,
    /// A calendar day (Arrow `Date32`, Parquet `DATE`).
    Date,
    /// An instant: microseconds, UTC (Parquet `TIMESTAMP(MICROS, UTC)`).
    Timestamp,
    /// Text holding a JSON value.
    Json,
}

/// Which end of a date or interval field a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    /// The first day.
    Lo,
    /// The last day (inclusive).
    Hi,
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Its name in the files.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Whether it may be null.
    pub nullable: bool,
    /// For a fact table: the declared field it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a fact table: the field's declared type, as `docs/facts.md` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    /// For the `_lo`/`_hi` column of a date or interval field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<DatePart>,
}

impl Column {
    fn fixed(name: &str, ty: ColumnType, nullable: bool) -> Column {
        Column { name: name.into(), ty, nullable, field: None, field_type: None, part: None }
    }
}

/// What a table holds; fixes which writer fills it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableRole {
    /// `articles`.
    Articles,
    /// `article_text` (with `--with-text`).
    ArticleText,
    /// `sentences`.
    Sentences,
    /// `entities`.
    Entities,
    /// `aliases`.
    Aliases,
    /// `mentions`.
    Mentions,
    /// One `fact_<kind>`.
    Fact,
    /// `fact_args`.
    FactArgs,
    /// `cooc_sentence`.
    CoocSentence,
}

/// One table of the dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Its name, also its directory.
    pub name: String,
    /// What it holds.
    pub role: TableRole,
    /// For a fact table: the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact_kind: Option<String>,
    /// Whether it is partitioned by `pub_month`.
    pub partitioned: bool,
    /// The columns the rows of a file are sorted by.
    pub order: Vec<String>,
    /// The columns, in file order.
    pub columns: Vec<Column>,
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }
}

use ColumnType::{Bool, Date, Float64, Int32, Int64, Json, String as Str, Timestamp};

fn table(
    name: &str,
    role: TableRole,
    order: &[&str],
    columns: &[(&str, ColumnType, bool)],
) -> Table {
    Table {
        name: name.into(),
        role,
        fact_kind: None,
        partitioned: !matches!(role, TableRole::Entities | TableRole::Aliases),
        order: order.iter().map(|&column| column.into()).collect(),
        columns: columns.iter().map(|&(name, ty, null)| Column::fixed(name, ty, null)).collect(),
    }
}

/// `articles`.
pub fn articles() -> Table {
    table(
        "articles",
        TableRole::Articles,
        &["article_id"],
        &[
            ("article_id", Str, false),
            ("pub_date", Date, true),
            ("published", Str, true),
            ("published_precision", Str, true),
            ("published_lo", Date, true),
            ("published_hi", Date, true),
            ("published_ts", Timestamp, true),
            ("ingested_at", Timestamp, false),
            ("origin", Str, false),
            ("title", Str, false),
            ("url", Str, true),
            ("source", Str, true),
            ("lang", Str, true),
            ("tone", Float64, true),
            ("byte_len", Int64, false),
            ("char_len", Int64, false),
            ("n_sentences", Int32, false),
            ("superseded_by", Str, true),
            ("meta", Json, false),
        ],
    )
}

/// `article_text`.
pub fn article_text() -> Table {
    table(
        "article_text",
        TableRole::ArticleText,
        &["article_id"],
        &[("article_id", Str, false), ("pub_date", Date, true), ("text", Str, false)],
    )
}

/// `sentences`.
pub fn sentences() -> Table {
    table(
        "sentences",
        TableRole::Sentences,
        &["article_id", "sentence_idx"],
        &[
            ("article_id", Str, false),
            ("sentence_idx", Int32, false),
            ("pub_date", Date, true),
            ("paragraph", Int32, false),
            ("byte_start", Int32, false),
            ("byte_end", Int32, false),
            ("char_start", Int32, false),
            ("char_end", Int32, false),
            ("is_title", Bool, false),
            ("boilerplate", Bool, false),
            ("tone", Float64, true),
            ("text", Str, false),
            ("text_fold", Str, false),
        ],
    )
}

/// `entities`.
pub fn entities() -> Table {
    table(
        "entities",
        TableRole::Entities,
        &["entity_id"],
        &[
            ("entity_id", Str, false),
            ("kind", Str, false),
            ("name", Str, false),
            ("name_fold", Str, false),
            ("wikidata", Str, true),
        ],
    )
}

/// `aliases`.
pub fn aliases() -> Table {
    table(
        "aliases",
        TableRole::Aliases,
        &["alias_fold", "entity_id", "alias"],
        &[
            ("alias_fold", Str, false),
            ("entity_id", Str, false),
            ("alias", Str, false),
            ("fold_version", Int32, false),
        ],
    )
}

/// `mentions`.
pub fn mentions() -> Table {
    table(
        "mentions",
        TableRole::Mentions,
        &["article_id", "sentence_idx", "byte_start", "mention_id"],
        &[
            ("mention_id", Int64, false),
            ("article_id", Str, false),
            ("pub_date", Date, true),
            ("sentence_idx", Int32, false),
            ("paragraph", Int32, false),
            ("byte_start", Int32, false),
            ("byte_end", Int32, false),
            ("entity_id", Str, true),
            ("kind", Str, false),
            ("type", Str, false),
            ("level", Str, false),
            ("surface", Str, false),
            ("extractor", Str, false),
            ("confidence", Float64, false),
        ],
    )
}

/// `fact_args`.
pub fn fact_args() -> Table {
    table(
        "fact_args",
        TableRole::FactArgs,
        &["fact_id", "ord"],
        &[
            ("fact_id", Int64, false),
            ("ord", Int32, false),
            ("pub_date", Date, true),
            ("kind", Str, false),
            ("role", Str, false),
            ("role_ord", Int32, false),
            ("target", Str, false),
            ("entity_id", Str, true),
            ("mention_id", Int64, true),
            ("fact_ref", Int64, true),
            ("literal", Json, true),
            ("article_id", Str, false),
            ("sentence_idx", Int32, false),
        ],
    )
}

/// `cooc_sentence`.
pub fn cooc_sentence() -> Table {
    table(
        "cooc_sentence",
        TableRole::CoocSentence,
        &["article_id", "sentence_idx", "a_entity_id", "b_entity_id"],
        &[
            ("article_id", Str, false),
            ("sentence_idx", Int32, false),
            ("pub_date", Date, true),
            ("paragraph", Int32, false),
            ("a_entity_id", Str, false),
            ("a_kind", Str, false),
            ("b_entity_id", Str, false),
            ("b_kind", Str, false),
            ("n_pairs", Int64, false),
        ],
    )
}

/// The fixed columns every `fact_<kind>` table begins with.
pub const FACT_BASE: [(&str, ColumnType, bool); 10] = [
    ("fact_id", Int64, false),
    ("article_id", Str, false),
    ("pub_date", Date, true),
    ("sentence_idx", Int32, false),
    ("paragraph", Int32, false),
    ("byte_start", Int32, false),
    ("byte_end", Int32, false),
    ("evidence", Str, false),
    ("extractor", Str, false),
    ("confidence", Float64, false),
];

/// The table name of fact kind `kind`.
pub fn fact_table_name(kind: &str) -> String {
    format!("fact_{kind}")
}

/// The `fact_<kind>` table of a kind declaration: the fixed columns, then each declared field
/// as `docs/export.md` maps its type (a column name taken already gets the prefix `field_`).
pub fn fact_table(kind: &KindSchema) -> Table {
    let mut columns: Vec<Column> =
        FACT_BASE.iter().map(|&(name, ty, null)| Column::fixed(name, ty, null)).collect();
    for def in &kind.fields {
        let parts: Vec<(String, ColumnType, Option<DatePart>)> = match &def.ty {
            FieldType::Str => vec![(String::new(), Str, None)],
            FieldType::Int => vec![(String::new(), Int64, None)],
            FieldType::Float => vec![(String::new(), Float64, None)],
            FieldType::Bool => vec![(String::new(), Bool, None)],
            FieldType::Date | FieldType::Interval => vec![
                (String::new(), Str, None),
                ("_lo".into(), Date, Some(DatePart::Lo)),
                ("_hi".into(), Date, Some(DatePart::Hi)),
            ],
            FieldType::List(_) => vec![(String::new(), Json, None)],
        };
        let taken = |name: &str, columns: &[Column]| columns.iter().any(|c| c.name == name);
        let clash =
            parts.iter().any(|(suffix, ..)| taken(&format!("{}{suffix}", def.name), &columns));
        let stem = if clash { format!("field_{}", def.name) } else { def.name.clone() };
        for (suffix, ty, part) in parts {
            columns.push(Column {
                name: format!("{stem}{suffix}"),
                ty,
                nullable: true,
                field: Some(def.name.clone()),
                field_type: Some(def.ty.to_string()),
                part,
            });
        }
    }
    Table {
        name: fact_table_name(&kind.name),
        role: TableRole::Fact,
        fact_kind: Some(kind.name.clone()),
        partitioned: true,
        order: vec!["fact_id".into()],
        columns,
    }
}

/// Every table of a dataset with these kinds, in the schema file's order: the fixed tables,
/// then one `fact_<kind>` per kind in the order given (the store's: by name).
pub fn tables<'a>(kinds: impl IntoIterator<Item = &'a KindSchema>, with_text: bool) -> Vec<Table> {
    let mut out = vec![articles()];
    if with_text {
        out.push(article_text());
    }
    out.extend([sentences(), entities(), aliases(), mentions(), fact_args(), cooc_sentence()]);
    out.extend(kinds.into_iter().map(fact_table));
    out
}

/// The columns that get a bloom filter, as `(table, column)`.
pub const BLOOM_FILTERS: [(&str, &str); 3] =
    [("mentions", "entity_id"), ("cooc_sentence", "b_entity_id"), ("aliases", "alias_fold")];

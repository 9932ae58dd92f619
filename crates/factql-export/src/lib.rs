//! The store as a documented, versioned dataset of Parquet files (`docs/export.md`), for
//! DuckDB, DataFusion, Spark, Trino and the SQL back end.
//!
//! [`layout`] is the dataset's contract as data (tables, columns, types, order, partitioning);
//! [`DatasetSchema`] is the schema file written beside the data.

pub mod layout;
mod schema_file;

pub use schema_file::{DatasetSchema, Partitioning, Run, StoreInfo};

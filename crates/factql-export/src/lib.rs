//! The store as a documented, versioned dataset of Parquet files (`docs/export.md`), for
//! DuckDB, DataFusion, Spark, Trino and the SQL back end.
//!
//! [`layout`] is the dataset's contract as data (tables, columns, types, order, partitioning);
//! [`DatasetSchema`] is the schema file written beside the data; [`export`] writes a dataset
//! from a store, whole or (`--since`) by appending what is new.
//!
//! The store is read through its bulk readers in one read transaction; nothing here runs a
//! query or depends on the engine.

mod dataset;
mod dates;
mod error;
mod export;
pub mod layout;
mod schema_file;
mod writer;

pub use error::ExportError;
pub use export::{ExportOptions, ExportReport, export};
pub use schema_file::{DatasetSchema, Partitioning, Run, StoreInfo};

//! Writing one table: rows into Arrow builders, batches into one Parquet file per partition
//! and run (cut every [`FILE_ROWS`] rows), with the properties `docs/export.md` promises.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::ExportError;
use crate::layout::{
    BLOOM_FILTERS, ColumnType, FILE_ROWS, PARTITION_COLUMN, ROW_GROUP_ROWS, Table,
};

/// Rows are handed to Parquet in batches of this many.
const BATCH_ROWS: usize = 65_536;

/// One value of a row, in column order.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    Null,
    Str(&'a str),
    I32(i32),
    I64(i64),
    F64(f64),
    Bool(bool),
    /// Days since the epoch.
    Date(i32),
    /// Microseconds since the epoch, UTC.
    Ts(i64),
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(value: Option<&'a str>) -> Cell<'a> {
        value.map_or(Cell::Null, Cell::Str)
    }
}

/// The Arrow type of a column type (`docs/export.md`, *Types*).
pub(crate) fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::String | ColumnType::Json => DataType::Utf8,
        ColumnType::Int32 => DataType::Int32,
        ColumnType::Int64 => DataType::Int64,
        ColumnType::Float64 => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    }
}

/// The Arrow schema of a table.
pub(crate) fn arrow_schema(table: &Table) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

enum Builder {
    Str(StringBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Ts(TimestampMicrosecondBuilder),
}

impl Builder {
    fn new(ty: ColumnType) -> Builder {
        match ty {
            ColumnType::String | ColumnType::Json => Builder::Str(StringBuilder::new()),
            ColumnType::Int32 => Builder::I32(Int32Builder::new()),
            ColumnType::Int64 => Builder::I64(Int64Builder::new()),
            ColumnType::Float64 => Builder::F64(Float64Builder::new()),
            ColumnType::Bool => Builder::Bool(BooleanBuilder::new()),
            ColumnType::Date => Builder::Date(Date32Builder::new()),
            ColumnType::Timestamp => {
                Builder::Ts(TimestampMicrosecondBuilder::new().with_timezone("UTC"))
            }
        }
    }

    /// Appends `cell`; `false` when its type is not the column's.
    fn push(&mut self, cell: Cell<'_>) -> bool {
        match (self, cell) {
            (Builder::Str(b), Cell::Str(v)) => b.append_value(v),
            (Builder::I32(b), Cell::I32(v)) => b.append_value(v),
            (Builder::I64(b), Cell::I64(v)) => b.append_value(v),
            (Builder::F64(b), Cell::F64(v)) => b.append_value(v),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (Builder::Date(b), Cell::Date(v)) => b.append_value(v),
            (Builder::Ts(b), Cell::Ts(v)) => b.append_value(v),
            (Builder::Str(b), Cell::Null) => b.append_null(),
            (Builder::I32(b), Cell::Null) => b.append_null(),
            (Builder::I64(b), Cell::Null) => b.append_null(),
            (Builder::F64(b), Cell::Null) => b.append_null(),
            (Builder::Bool(b), Cell::Null) => b.append_null(),
            (Builder::Date(b), Cell::Null) => b.append_null(),
            (Builder::Ts(b), Cell::Null) => b.append_null(),
            _ => return false,
        }
        true
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Ts(b) => Arc::new(b.finish()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Str(b) => b.len(),
            Builder::I32(b) => b.len(),
            Builder::I64(b) => b.len(),
            Builder::F64(b) => b.len(),
            Builder::Bool(b) => b.len(),
            Builder::Date(b) => b.len(),
            Builder::Ts(b) => b.len(),
        }
    }
}

/// One partition's open file and buffered rows.
struct Part {
    dir: PathBuf,
    builders: Vec<Builder>,
    writer: Option<ArrowWriter<File>>,
    /// The file `writer` writes.
    current: PathBuf,
    rows_in_file: usize,
    files: u32,
}

/// Writes one table of one run: a file per partition (more past [`FILE_ROWS`]).
pub(crate) struct TableWriter {
    table: Table,
    schema: SchemaRef,
    props: WriterProperties,
    root: PathBuf,
    run: u32,
    parts: HashMap<String, Part>,
    /// Rows written, all partitions.
    pub rows: u64,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// The properties of every file of `table`: ZSTD, page statistics, row groups of at most
/// [`ROW_GROUP_ROWS`], the sort order, and the bloom filters of [`BLOOM_FILTERS`].
fn properties(table: &Table) -> WriterProperties {
    let sorting = table
        .order
        .iter()
        .filter_map(|name| table.columns.iter().position(|c| &c.name == name))
        .map(|idx| SortingColumn { column_idx: idx as i32, descending: false, nulls_first: true })
        .collect();
    let mut props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_sorting_columns(Some(sorting))
        .set_created_by(format!("factql {}", env!("CARGO_PKG_VERSION")));
    for (name, column) in BLOOM_FILTERS {
        if name == table.name {
            props = props.set_column_bloom_filter_enabled(ColumnPath::from(column), true);
        }
    }
    props.build()
}

/// `part-rRRRRR-NNNNN.parquet`.
pub(crate) fn file_name(run: u32, file: u32) -> String {
    format!("part-r{run:05}-{file:05}.parquet")
}

impl TableWriter {
    /// A writer of `table` under `root/<table>/` for run `run`.
    pub(crate) fn new(root: &Path, table: Table, run: u32) -> TableWriter {
        TableWriter {
            schema: arrow_schema(&table),
            props: properties(&table),
            root: root.join(&table.name),
            table,
            run,
            parts: HashMap::new(),
            rows: 0,
            files: Vec::new(),
        }
    }

    /// The table written.
    pub(crate) fn table(&self) -> &Table {
        &self.table
    }

    /// Appends a row to partition `partition` (a `pub_month` value; ignored for an
    /// unpartitioned table).
    pub(crate) fn push(&mut self, partition: &str, row: &[Cell<'_>]) -> Result<(), ExportError> {
        let key = if self.table.partitioned { partition } else { "" };
        if !self.parts.contains_key(key) {
            let dir = if self.table.partitioned {
                self.root.join(format!("{PARTITION_COLUMN}={key}"))
            } else {
                self.root.clone()
            };
            let builders = self.table.columns.iter().map(|c| Builder::new(c.ty)).collect();
            self.parts.insert(
                key.to_owned(),
                Part {
                    dir,
                    builders,
                    writer: None,
                    current: PathBuf::new(),
                    rows_in_file: 0,
                    files: 0,
                },
            );
        }
        let Some(part) = self.parts.get_mut(key) else { return Ok(()) };
        if row.len() != part.builders.len() {
            return Err(ExportError::Internal(format!(
                "table {}: a row of {} values for {} columns",
                self.table.name,
                row.len(),
                part.builders.len()
            )));
        }
        for (idx, (builder, cell)) in part.builders.iter_mut().zip(row).enumerate() {
            if !builder.push(*cell) {
                return Err(ExportError::Internal(format!(
                    "table {}: column {} got {cell:?}",
                    self.table.name, self.table.columns[idx].name
                )));
            }
        }
        self.rows += 1;
        if part.builders.first().map_or(0, Builder::len) >= BATCH_ROWS {
            Self::flush_part(
                part,
                &self.schema,
                &self.props,
                self.run,
                &mut self.files,
                &self.table.name,
            )?;
        }
        Ok(())
    }

    fn flush_part(
        part: &mut Part,
        schema: &SchemaRef,
        props: &WriterProperties,
        run: u32,
        files: &mut Vec<PathBuf>,
        table: &str,
    ) -> Result<(), ExportError> {
        let rows = part.builders.first().map_or(0, Builder::len);
        if rows == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = part.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|err| ExportError::Internal(format!("table {table}: {err}")))?;
        if part.writer.is_none() {
            std::fs::create_dir_all(&part.dir)
                .map_err(|source| ExportError::Io { path: part.dir.clone(), source })?;
            let path = part.dir.join(file_name(run, part.files));
            let file = File::create(&path)
                .map_err(|source| ExportError::Io { path: path.clone(), source })?;
            let writer = ArrowWriter::try_new(file, schema.clone(), Some(props.clone()))
                .map_err(|source| ExportError::Parquet { path: path.clone(), source })?;
            part.writer = Some(writer);
            part.files += 1;
            files.push(path.clone());
            part.current = path;
        }
        let path = part.current.clone();
        if let Some(writer) = part.writer.as_mut() {
            writer
                .write(&batch)
                .map_err(|source| ExportError::Parquet { path: path.clone(), source })?;
        }
        part.rows_in_file += rows;
        if part.rows_in_file >= FILE_ROWS
            && let Some(writer) = part.writer.take()
        {
            writer.close().map_err(|source| ExportError::Parquet { path, source })?;
            part.rows_in_file = 0;
        }
        Ok(())
    }

    /// Writes what is buffered and closes every file; returns the files written.
    pub(crate) fn finish(mut self) -> Result<(u64, Vec<PathBuf>), ExportError> {
        let mut keys: Vec<String> = self.parts.keys().cloned().collect();
        keys.sort();
        for key in keys {
            let Some(part) = self.parts.get_mut(&key) else { continue };
            Self::flush_part(
                part,
                &self.schema,
                &self.props,
                self.run,
                &mut self.files,
                &self.table.name,
            )?;
            if let Some(writer) = part.writer.take() {
                let path = part.current.clone();
                writer.close().map_err(|source| ExportError::Parquet { path, source })?;
            }
        }
        Ok((self.rows, self.files))
    }
}

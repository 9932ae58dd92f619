//! An existing dataset directory: its schema file, which of its files are current, removing
//! the rest, and the articles it holds (for `--since`).

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{Array, StringArray};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::layout::{PARTITION_COLUMN, SCHEMA_FILE};
use crate::{DatasetSchema, ExportError};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.to_path_buf(), source }
}

/// The schema file of `dir`: `None` when `dir` is missing or empty; an error when it holds
/// something else.
pub(crate) fn read_schema(dir: &Path) -> Result<Option<DatasetSchema>, ExportError> {
    let file = dir.join(SCHEMA_FILE);
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            DatasetSchema::from_json(&text).map(Some).map_err(|err| ExportError::NotADataset {
                path: dir.to_path_buf(),
                detail: format!("{SCHEMA_FILE}: {err}"),
            })
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => match std::fs::read_dir(dir) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io(dir)(err)),
            Ok(mut entries) => match entries.next() {
                None => Ok(None),
                Some(_) => Err(ExportError::NotADataset {
                    path: dir.to_path_buf(),
                    detail: format!("not empty and no {SCHEMA_FILE}"),
                }),
            },
        },
        Err(err) => Err(io(&file)(err)),
    }
}

/// One data file of a dataset.
#[derive(Clone, Debug)]
pub(crate) struct DataFile {
    pub table: String,
    /// The `pub_month` value; `None` for an unpartitioned table.
    pub partition: Option<String>,
    pub run: u32,
    pub path: PathBuf,
}

/// The run number of a file name `part-rRRRRR-NNNNN.parquet`.
fn run_of(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("part-r")?.strip_suffix(".parquet")?;
    rest.split('-').next()?.parse().ok()
}

/// Every `part-r*.parquet` file of the tables `schema` lists (other files are left alone).
pub(crate) fn data_files(dir: &Path, schema: &DatasetSchema) -> Result<Vec<DataFile>, ExportError> {
    let mut out = Vec::new();
    let mut push_files = |folder: &Path,
                          table: &str,
                          partition: Option<String>|
     -> Result<(), ExportError> {
        for entry in std::fs::read_dir(folder).map_err(io(folder))? {
            let path = entry.map_err(io(folder))?.path();
            let Some(run) = path.file_name().and_then(|n| n.to_str()).and_then(run_of) else {
                continue;
            };
            out.push(DataFile { table: table.to_owned(), partition: partition.clone(), run, path });
        }
        Ok(())
    };
    for table in &schema.tables {
        let root = dir.join(&table.name);
        if !root.is_dir() {
            continue;
        }
        if !table.partitioned {
            push_files(&root, &table.name, None)?;
            continue;
        }
        let prefix = format!("{PARTITION_COLUMN}=");
        for entry in std::fs::read_dir(&root).map_err(io(&root))? {
            let path = entry.map_err(io(&root))?.path();
            let Some(value) =
                path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix(&prefix))
            else {
                continue;
            };
            if path.is_dir() {
                push_files(&path, &table.name, Some(value.to_owned()))?;
            }
        }
    }
    Ok(out)
}

/// Whether `file` is part of the dataset `schema` describes: written by a recorded run, and
/// not replaced by a later one (a full run, a run that rewrote its partition, or for an
/// unpartitioned table any later run).
pub(crate) fn is_current(file: &DataFile, schema: &DatasetSchema) -> bool {
    let last = schema.runs.last().map_or(0, |run| run.run);
    if file.run > last || !schema.runs.iter().any(|run| run.run == file.run) {
        return false;
    }
    schema.runs.iter().filter(|run| run.run > file.run).all(|later| {
        later.since.is_some()
            && match &file.partition {
                None => false,
                Some(partition) => !later.rewritten_partitions.contains(partition),
            }
    })
}

/// Removes the files `schema` does not count (a crashed run's, replaced ones) from its
/// tables and from `more` tables, and the partition folders left empty. Returns how many
/// files went.
pub(crate) fn remove_stale(
    dir: &Path,
    schema: &DatasetSchema,
    more: &[crate::layout::Table],
) -> Result<usize, ExportError> {
    let mut removed = 0;
    let mut folders = BTreeSet::new();
    let mut tables = schema.clone();
    for table in more {
        if tables.table(&table.name).is_none() {
            tables.tables.push(table.clone());
        }
    }
    for file in data_files(dir, &tables)? {
        if !is_current(&file, schema) {
            std::fs::remove_file(&file.path).map_err(io(&file.path))?;
            removed += 1;
            if let Some(parent) = file.path.parent() {
                folders.insert(parent.to_path_buf());
            }
        }
    }
    for folder in folders {
        // Only an empty partition folder goes; anything else in it stays.
        if folder
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(PARTITION_COLUMN))
        {
            let _ = std::fs::remove_dir(&folder);
        }
    }
    Ok(removed)
}

/// What the dataset holds of one article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    /// Its `pub_month` partition.
    pub partition: String,
    /// Whether it was live (no `superseded_by`) when exported.
    pub live: bool,
}

/// The articles of the dataset's current `articles` files, by id.
pub(crate) fn held_articles(
    dir: &Path,
    schema: &DatasetSchema,
) -> Result<HashMap<String, Held>, ExportError> {
    let mut held = HashMap::new();
    for file in data_files(dir, schema)? {
        if file.table != "articles" || !is_current(&file, schema) {
            continue;
        }
        let parquet = |source| ExportError::Parquet { path: file.path.clone(), source };
        let reader = File::open(&file.path).map_err(io(&file.path))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(reader).map_err(parquet)?;
        let fields = builder.parquet_schema().columns();
        let index = |name: &str| fields.iter().position(|c| c.name() == name);
        let (Some(id), Some(superseded)) = (index("article_id"), index("superseded_by")) else {
            return Err(ExportError::NotADataset {
                path: file.path.clone(),
                detail: "an articles file without article_id or superseded_by".into(),
            });
        };
        let mask = ProjectionMask::leaves(builder.parquet_schema(), [id, superseded]);
        let batches = builder.with_projection(mask).build().map_err(parquet)?;
        let partition = file.partition.clone().unwrap_or_default();
        for batch in batches {
            let batch = batch.map_err(|err| ExportError::Parquet {
                path: file.path.clone(),
                source: err.into(),
            })?;
            let column = |name: &str| {
                batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<StringArray>())
            };
            let (Some(ids), Some(superseded)) = (column("article_id"), column("superseded_by"))
            else {
                return Err(ExportError::NotADataset {
                    path: file.path.clone(),
                    detail: "article_id or superseded_by is not text".into(),
                });
            };
            for row in 0..ids.len() {
                held.insert(
                    ids.value(row).to_owned(),
                    Held { partition: partition.clone(), live: superseded.is_null(row) },
                );
            }
        }
    }
    Ok(held)
}

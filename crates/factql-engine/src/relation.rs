//! Relation and row types: what a run returns (columns and rows), and the evidence each row
//! keeps. The plan (a `_` source holds a relation), the readers of evidence and the runners
//! all use them, so they sit below all three.

use std::sync::Arc;

use crate::catalog::Ty;
use crate::value::Val;

/// An output column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its static type.
    pub ty: Ty,
}

/// Where a result row's evidence is: article, sentence (global index) and byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prov {
    /// Article position.
    pub article: u32,
    /// Sentence position (global).
    pub sentence: u32,
    /// First byte of the evidence in the article text.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// How many pieces of evidence a row of `summarize` lists for its group.
pub const GROUP_EVIDENCE: usize = 5;

/// The evidence of the rows a `summarize` row stands for: how many rows the group had, and
/// the evidence of its first rows (at most [`GROUP_EVIDENCE`], distinct, in row order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEvidence {
    /// The rows of the group.
    pub rows: u64,
    /// The first distinct pieces of evidence of those rows.
    pub provs: Vec<Prov>,
}

/// One result row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Values, one per column.
    pub vals: Box<[Val]>,
    /// The evidence the row comes from, if any (for a `summarize` row, its group's first
    /// row's).
    pub prov: Option<Prov>,
    /// For a row of `summarize` (and the rows later stages make of it): its group's evidence.
    pub group: Option<Arc<GroupEvidence>>,
}

/// A result: columns and rows.
#[derive(Clone, Debug, Default)]
pub struct Relation {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

//! Article texts and word starts, owned (read from the store) or as ranges of the image's
//! text and word-start sections, which are checked and read only when a query first reads
//! a text (`has` through the word index, counting, grouping never do).

use std::ops::Deref;
use std::sync::Arc;

use crate::lazy::Lazy;
use crate::mapped::{Bytes, Utf8Bytes};

/// An article's text.
pub(crate) enum Text {
    /// Read from the store.
    Owned(Arc<str>),
    /// `start..end` of the image's texts.
    Mapped { texts: Arc<Lazy<Utf8Bytes>>, start: usize, end: usize },
}

impl Default for Utf8Bytes {
    fn default() -> Utf8Bytes {
        Utf8Bytes::owned(String::new())
    }
}

impl Text {
    /// The text's length in bytes, without reading it (a provenance needs only that).
    #[allow(clippy::len_without_is_empty, reason = "`is_empty` of the text itself serves")]
    pub(crate) fn len(&self) -> usize {
        match self {
            Text::Owned(text) => text.len(),
            Text::Mapped { start, end, .. } => end.saturating_sub(*start),
        }
    }

    /// The text as a shared string value (a copy for a text of the image).
    pub(crate) fn to_arc(&self) -> Arc<str> {
        match self {
            Text::Owned(text) => text.clone(),
            Text::Mapped { .. } => Arc::from(&**self),
        }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Owned(text) => text,
            Text::Mapped { texts, start, end } => texts.slice(*start, *end),
        }
    }
}

/// Unsigned 32-bit numbers: owned, or little-endian in a (4-aligned) range of the image.
pub(crate) enum U32s {
    /// Owned.
    Owned(Vec<u32>),
    /// In the image.
    Mapped(Bytes),
}

impl Default for U32s {
    fn default() -> U32s {
        U32s::Owned(Vec::new())
    }
}

impl Deref for U32s {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        match self {
            U32s::Owned(values) => values,
            // The image keeps its sections 8-aligned and is only read on little-endian
            // machines (see `image::read`), so the cast succeeds.
            U32s::Mapped(bytes) => bytemuck::try_cast_slice(bytes.as_ref()).unwrap_or(&[]),
        }
    }
}

/// A column of plain numbers: owned, or little-endian in an aligned range of the image,
/// read in place.
pub(crate) enum Column<T> {
    /// Owned.
    Owned(Vec<T>),
    /// In the image (aligned for `T`: checked when made, see [`Column::mapped`]).
    Mapped(Bytes),
}

impl<T: bytemuck::Pod> Column<T> {
    /// The numbers of `bytes` read in place; `None` when they are not whole aligned numbers.
    pub(crate) fn mapped(bytes: Bytes) -> Option<Column<T>> {
        bytemuck::try_cast_slice::<u8, T>(bytes.as_ref()).ok()?;
        Some(Column::Mapped(bytes))
    }
}

impl<T> Default for Column<T> {
    fn default() -> Column<T> {
        Column::Owned(Vec::new())
    }
}

impl<T: bytemuck::Pod> Deref for Column<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Column::Owned(values) => values,
            // Checked when made; the bytes never change (see `mapped.rs`).
            Column::Mapped(bytes) => bytemuck::try_cast_slice(bytes.as_ref()).unwrap_or(&[]),
        }
    }
}

/// The byte offsets where an article's words start.
pub(crate) enum WordStarts {
    /// Computed from the store's text.
    Owned(Vec<u32>),
    /// `start..end` of the image's word starts.
    Mapped { starts: Arc<Lazy<U32s>>, start: usize, end: usize },
}

impl Deref for WordStarts {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        match self {
            WordStarts::Owned(starts) => starts,
            WordStarts::Mapped { starts, start, end } => starts.get(*start..*end).unwrap_or(&[]),
        }
    }
}

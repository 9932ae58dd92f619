//! The engine's only `unsafe` code: the image file mapped into memory, and text sliced out
//! of bytes already checked to be UTF-8. Both are small enough to review here.
//!
//! # Why the mapping is sound
//!
//! A `&[u8]` over a memory map is sound only while nobody changes the mapped file. factql
//! never changes an image file in place: [`crate::image`] writes a new image to a temporary
//! file of its own and renames it over the old one, so the inode a reader has mapped keeps
//! its bytes until the reader unmaps it (the rename only points the name at a new inode).
//! No factql code opens an image for writing under its final name. Another program that
//! rewrites or truncates the file in place is outside that protocol, as for every program
//! that maps a file (a truncation would end the process with `SIGBUS`, not a wrong answer).
//! The map is read-only (`PROT_READ`), so no code of ours can write through it either.
//!
//! # Why the unchecked slicing is sound
//!
//! [`Utf8Bytes`] is made only from bytes checked in whole with [`std::str::from_utf8`] (or
//! from a `String`), and never changes afterwards (see above). [`Utf8Bytes::slice`] hands out
//! `&str` only for a range inside those bytes whose both ends are character boundaries (not
//! a UTF-8 continuation byte), and a range of valid UTF-8 cut at character boundaries is
//! valid UTF-8.

use std::ops::Range;
use std::sync::Arc;

/// A read-only memory map of a whole file.
pub(crate) struct Mapped(memmap2::Mmap);

impl Mapped {
    /// Maps `file` (read-only).
    pub(crate) fn open(file: &std::fs::File) -> std::io::Result<Mapped> {
        // SAFETY: see the module documentation: image files are replaced by rename, never
        // changed in place, so the mapped bytes stay as they are while mapped.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(file)? };
        Ok(Mapped(map))
    }

    /// The file's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Bytes held in memory or a range of a mapped file.
pub(crate) enum Bytes {
    /// Owned bytes.
    Owned(Vec<u8>),
    /// A range of a mapped file.
    Mapped(Arc<Mapped>, Range<usize>),
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::Owned(Vec::new())
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map, range) => map.bytes().get(range.clone()).unwrap_or(&[]),
        }
    }
}

/// Bytes known to be UTF-8 (checked once, when made), sliced into `&str` without checking
/// again.
pub(crate) struct Utf8Bytes(Bytes);

impl Utf8Bytes {
    /// Checks `bytes` in whole; `None` when they are not UTF-8.
    pub(crate) fn new(bytes: Bytes) -> Option<Utf8Bytes> {
        std::str::from_utf8(bytes.as_ref()).ok()?;
        Some(Utf8Bytes(bytes))
    }

    /// Owned text (already UTF-8).
    pub(crate) fn owned(text: String) -> Utf8Bytes {
        Utf8Bytes(Bytes::Owned(text.into_bytes()))
    }

    /// The text of `start..end`; empty when the range is outside the bytes or does not fall
    /// on character boundaries.
    pub(crate) fn slice(&self, start: usize, end: usize) -> &str {
        let bytes = self.0.as_ref();
        let boundary =
            |i: usize| i == bytes.len() || bytes.get(i).is_some_and(|&b| b & 0xC0 != 0x80);
        if start > end || end > bytes.len() || !boundary(start) || !boundary(end) {
            return "";
        }
        let part = &bytes[start..end];
        // SAFETY: see the module documentation: `bytes` is valid UTF-8 (checked in `new`, or
        // came from a `String`) and unchanged since, and `start..end` lies inside it with
        // both ends on character boundaries (checked just above).
        #[allow(unsafe_code)]
        unsafe {
            std::str::from_utf8_unchecked(part)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_fall_on_character_boundaries_or_are_empty() {
        let text = Utf8Bytes::owned("Orbán és Lukashenko".to_owned());
        assert_eq!(text.slice(0, 5), "Orbá");
        assert_eq!(text.slice(0, 4), "");
        assert_eq!(text.slice(4, 6), "");
        assert_eq!(text.slice(6, 6), "");
        assert_eq!(text.slice(7, 10), "és");
        assert_eq!(text.slice(12, 100), "");
        assert!(Utf8Bytes::new(Bytes::Owned(vec![0xC3])).is_none());
        assert!(Utf8Bytes::new(Bytes::Owned(b"ok".to_vec())).is_some());
    }
}

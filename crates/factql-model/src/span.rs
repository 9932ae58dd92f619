//! Half-open byte ranges into an article's normalised text.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into an article's normalised UTF-8 text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

/// Why a span does not fit a text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpanError {
    /// `start` lies after `end`.
    #[error("span {start}..{end} is reversed")]
    Reversed {
        /// Start of the offending span.
        start: usize,
        /// End of the offending span.
        end: usize,
    },
    /// The span reaches past the end of the text.
    #[error("span {start}..{end} ends past the text, which is {len} bytes long")]
    OutOfBounds {
        /// Start of the offending span.
        start: usize,
        /// End of the offending span.
        end: usize,
        /// Length of the text in bytes.
        len: usize,
    },
    /// One end of the span falls inside a multi-byte character.
    #[error("span {start}..{end} cuts the character at byte {offset}")]
    NotCharBoundary {
        /// Start of the offending span.
        start: usize,
        /// End of the offending span.
        end: usize,
        /// The offset that is not a character boundary.
        offset: usize,
    },
}

impl Span {
    /// A span from `start` to `end` (not checked; see [`Span::check`]).
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// Length in bytes.
    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no byte.
    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// True when `other` lies entirely inside `self`.
    pub const fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The span moved right by `offset` bytes.
    pub const fn shift(self, offset: usize) -> Span {
        Span { start: self.start + offset, end: self.end + offset }
    }

    /// Checks that the span is ordered, inside `text`, and on character boundaries.
    pub fn check(self, text: &str) -> Result<(), SpanError> {
        let Span { start, end } = self;
        if start > end {
            return Err(SpanError::Reversed { start, end });
        }
        if end > text.len() {
            return Err(SpanError::OutOfBounds { start, end, len: text.len() });
        }
        for offset in [start, end] {
            if !text.is_char_boundary(offset) {
                return Err(SpanError::NotCharBoundary { start, end, offset });
            }
        }
        Ok(())
    }

    /// The text the span covers; empty when the span does not fit (see [`Span::check`]).
    pub fn slice(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Span {
        Span { start: range.start, end: range.end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_accepts_spans_on_char_boundaries_only() {
        let text = "a’b"; // the apostrophe is 3 bytes: 1..4
        assert_eq!(Span::new(0, 5).check(text), Ok(()));
        assert_eq!(Span::new(1, 4).slice(text), "’");
        assert_eq!(
            Span::new(2, 4).check(text),
            Err(SpanError::NotCharBoundary { start: 2, end: 4, offset: 2 })
        );
        assert_eq!(
            Span::new(0, 6).check(text),
            Err(SpanError::OutOfBounds { start: 0, end: 6, len: 5 })
        );
        assert_eq!(Span::new(3, 1).check(text), Err(SpanError::Reversed { start: 3, end: 1 }));
    }

    #[test]
    fn slice_of_a_bad_span_is_empty_not_a_panic() {
        assert_eq!(Span::new(2, 4).slice("a’b"), "");
        assert_eq!(Span::new(9, 12).slice("abc"), "");
    }

    #[test]
    fn contains_and_shift() {
        assert!(Span::new(2, 10).contains(Span::new(2, 3)));
        assert!(!Span::new(2, 10).contains(Span::new(1, 3)));
        assert_eq!(Span::new(1, 2).shift(10), Span::new(11, 12));
        assert_eq!(Span::new(1, 2).to_string(), "1..2");
    }
}

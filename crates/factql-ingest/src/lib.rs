//! Files in, articles out: the readers, normalisation and segmentation of factql.
//!
//! [`discover`] expands the paths a user names into [`Input`]s (directories walked
//! recursively in name order, safe against symbolic link loops, `-` for standard input).
//! [`read_input`] turns one input into [`Article`](factql_model::Article)s:
//!
//! 1. **Decode**: byte-order marks, UTF-8, and legacy single-byte encodings detected with
//!    chardetng and converted; empty, binary and damaged UTF-8 inputs are refused with the
//!    place named.
//! 2. **Normalise**: line ends unified and Unicode NFC ([`normalize_text`]); every span
//!    factql stores points into this text.
//! 3. **Read the format**: `.txt`/`.md` (first non-empty line is the title), `.json`/`.jsonl`
//!    (fields mapped by a configurable [`FieldMap`], other fields kept as metadata), `.html`
//!    (meta tags and the main text of the page).
//! 4. **Segment**: paragraphs, then sentences ([`split_sentences`]), the title as sentence 0,
//!    boilerplate lines ("Source link", a dateline) flagged and kept.
//!
//! A bad input never stops the others: each failure is an [`IngestError`] naming the input
//! (and the line, for JSON Lines), handed to the caller in order with the good articles.
//!
//! This crate does not touch the database; the binary hands articles to the store.
#![deny(missing_docs)]

mod build;
mod date;
mod decode;
mod error;
mod html;
mod json;
mod normalize;
mod read;
mod segment;
mod txt;
mod walk;

pub use error::{ErrorKind, IngestError, Origin};
pub use json::FieldMap;
pub use normalize::normalize_text;
pub use read::{DEFAULT_TIME_BUDGET, Input, InputFormat, Options, read_input};
pub use segment::split_sentences;
pub use walk::{Discovered, discover, discover_with};

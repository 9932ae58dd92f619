//! The shared vocabulary of factql: what an article, a sentence, a mention and a fact are.
//!
//! Everything factql stores hangs on an [`Article`]: its NFC-normalised UTF-8 text, the
//! [`Paragraph`]s and [`Sentence`]s of that text, and later the [`Mention`]s and [`Fact`]s that
//! extractor plugins find in it.
//!
//! # Key design decision: byte spans into one normalised text
//!
//! Every position is a half-open byte range ([`Span`]) into [`Article::text`], the text *after*
//! normalisation (BOM removed, line ends unified, NFC). Rust slices natively by byte; callers
//! that display columns derive characters from bytes. A span is checked once, with
//! [`Span::check`], when it enters the system, so code downstream may slice without fear.
//!
//! Every mention and fact carries the same [`Provenance`]: article, sentence index, span,
//! extractor `name@version` and confidence. Result rows of queries keep it, so an analyst can
//! always see the sentence a fact came from.
//!
//! Kinds are open: a plugin declares new kinds with typed fields as a [`KindSchema`], and the
//! [`Schema`] (kind → fields → types) later drives query checking and completion.
//!
//! This crate does no I/O and depends on no other factql crate.
//!
//! # Example
//!
//! ```
//! use factql_model::{Span, SpanError};
//!
//! let text = "Lukashenko’s invitation";
//! let name = Span::new(0, 10);
//! name.check(text)?;
//! assert_eq!(name.slice(text), "Lukashenko");
//! // Byte 11 is inside the three-byte apostrophe: rejected, not sliced.
//! assert!(matches!(Span::new(0, 11).check(text), Err(SpanError::NotCharBoundary { .. })));
//! # Ok::<(), SpanError>(())
//! ```
#![deny(missing_docs)]

mod article;
mod calendar;
mod fact;
mod fold;
mod kind;
mod schema;
mod span;
mod value;

pub use article::{Article, ArticleId, Format, Paragraph, Sentence};
pub use calendar::{civil_from_days, days_from_civil, days_in_month};
pub use fact::{
    Arg, ArgTarget, Entity, Extraction, ExtractorRef, Fact, Mention, MentionLevel, Provenance,
};
pub use fold::fold;
pub use kind::{
    ENTITY_KINDS, builtin_entity_kind, declared_entity_kind, entity_kind, stored_mention_kind,
    valid_kind_name,
};
pub use schema::{FieldDef, FieldType, KindSchema, Schema, SchemaError};
pub use span::{Span, SpanError};
pub use value::Value;

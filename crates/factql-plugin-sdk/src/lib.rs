//! Write factql extractor plugins.
//!
//! A plugin is a crate with `crate-type = ["cdylib", "rlib"]` that implements [`Extractor`] and
//! calls [`export!`]. The SDK takes care of the C ABI (`factql-plugin-abi`): the entry symbol,
//! the table, encoding the output as postcard batches, and catching every panic inside the
//! plugin, where it can still be caught.
//!
//! ```
//! use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest};
//! use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};
//!
//! /// Finds the word "hello".
//! pub struct Hello;
//!
//! impl Extractor for Hello {
//!     fn manifest() -> Manifest {
//!         Manifest::new("hello", "0.1.0")
//!             .description("greetings")
//!             .produces(KindDecl::new("greeting").field("word", FieldType::Str, true))
//!     }
//!     fn new(_config: &Config) -> Result<Self, Error> {
//!         Ok(Hello)
//!     }
//!     fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
//!         for token in doc.tokens() {
//!             let word = token.text(doc.text());
//!             if word.eq_ignore_ascii_case("hello") {
//!                 out.fact("greeting", token.span.clone()).field("word", word).confidence(0.9);
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//! factql_plugin_sdk::export!(Hello);
//!
//! let batch = factql_plugin_sdk::testing::run_on::<Hello>("Hello there. Say hello!").unwrap();
//! assert_eq!(batch.facts.len(), 2);
//! assert_eq!(batch.facts[1].span.range(), 17..22);
//! ```
//!
//! # Rules of the boundary
//!
//! * Keep nothing from a [`Document`] after `extract` returns; the text is the host's memory.
//! * Do not build with `panic = "abort"` (the macro refuses) and do not set a global
//!   allocator with initial-exec TLS.
//! * Do not start thread pools: the host runs articles in parallel already.
//! * The library is never unloaded; thread-locals are fine.
#![deny(missing_docs)]
// The export glue implements the C ABI: raw pointers in, catch_unwind around every call. Every
// unsafe block states why it is sound.
#![allow(unsafe_code)]

mod document;
mod export;
pub mod testing;
pub mod text;
pub mod wire;

pub use document::{Document, Output};
pub use factql_plugin_abi as abi;
pub use wire::{Config, Manifest};

/// The glue used by [`export!`]; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::export::{Table, create, destroy, entry, extract};
}

/// An error an extractor reports to the host; the host adds the plugin's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Error {
        Error(message.into())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Error {
        Error(message.to_owned())
    }
}

/// An extractor: finds facts in one article at a time.
///
/// The host may call [`Extractor::extract`] from several threads at once (unless the manifest
/// says [`wire::Threading::Serial`]), hence `Send + Sync`.
pub trait Extractor: Sized + Send + Sync + 'static {
    /// What the plugin is: name, version, kinds produced (with typed fields) and required.
    fn manifest() -> Manifest;

    /// Creates an instance from the host's configuration for this plugin.
    fn new(config: &Config) -> Result<Self, Error>;

    /// Finds facts in `doc` and adds them to `out`.
    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error>;
}

//! The recognition core of factql's bundled `entities` extractor: people, places (countries,
//! cities, regions), organisations and groups, found in news text and linked to canonical entities
//! with stable ids.
//!
//! [`Recognizer::load`] builds the recognizer once from data embedded in the crate (gazetteers
//! derived from the shared data packs, see `data/README.md`, and the weights of a hashed averaged
//! perceptron trained by `factql-train-ner`); [`Recognizer::recognize`] takes an article and its
//! sentence spans and returns [`Recognized`] entities and mentions:
//!
//! 1. [`text`]: one tokenizer and one folding rule (case, diacritics) for data and articles;
//! 2. [`gazetteer`]: name forms in an `fst` automaton, matched token by token;
//! 3. [`tagger`]: a greedy BIO tagger over hashed features, run only on candidate tokens;
//! 4. [`recognize`]: headlines and all-caps lines, results tables, titles and possessives out of
//!    spans, document-level consistency, and linking (demonyms to countries, short forms to full
//!    names, spelling variants through folding and the gazetteers).

pub mod gazetteer;
pub mod model;
mod plugin;
pub mod recognize;
pub mod tagger;
pub mod text;
pub mod train;

pub use model::{Entity, Kind, Level, LoadError, Mention, Recognized, SentenceSpan};
pub use plugin::Entities;
pub use recognize::Recognizer;

factql_plugin_sdk::export!(Entities);

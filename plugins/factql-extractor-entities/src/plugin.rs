//! The `entities` plugin: the [`Recognizer`] behind factql's extractor interface.
//!
//! Every entity is named with its stable id, kind, canonical name, aliases and Wikidata id; every
//! mention is linked to its entity, typed by its kind (`person`, `place`, `org`, `group`).

use factql_plugin_sdk::wire::{Manifest, MentionLevel};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

use crate::{Level, Recognizer, SentenceSpan};

/// The extractor: one recognizer, loaded when the plugin starts and shared by every call.
pub struct Entities {
    recognizer: Recognizer,
}

impl Extractor for Entities {
    fn manifest() -> Manifest {
        Manifest::new("entities", env!("CARGO_PKG_VERSION"))
            .description("people, places, organisations and groups, linked to canonical entities")
            .mentions(&["person", "place", "org", "group"])
    }

    fn new(_config: &Config) -> Result<Entities, Error> {
        let recognizer = Recognizer::load().map_err(|err| Error::new(err.to_string()))?;
        Ok(Entities { recognizer })
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        // Boilerplate sentences are not given to the recognizer at all.
        let sentences: Vec<SentenceSpan> = doc
            .sentences()
            .map(|(span, _)| SentenceSpan { span: span.range(), boilerplate: false })
            .collect();
        let found = self.recognizer.recognize(doc.text(), &sentences);
        for entity in &found.entities {
            let named = out.entity(&entity.id, entity.kind.as_str(), &entity.name);
            for alias in &entity.aliases {
                named.alias(alias);
            }
            if let Some(qid) = &entity.wikidata {
                named.wikidata(qid);
            }
        }
        for mention in &found.mentions {
            let Some(entity) = found.entities.get(mention.entity) else { continue };
            let level = match mention.level {
                Level::Name => MentionLevel::Name,
                Level::Nominal => MentionLevel::Nominal,
                Level::Demonym => MentionLevel::Demonym,
            };
            out.mention(mention.span.clone(), mention.kind.as_str(), level)
                .entity(&entity.id)
                .confidence(mention.confidence.clamp(0.0, 1.0));
        }
        Ok(())
    }
}

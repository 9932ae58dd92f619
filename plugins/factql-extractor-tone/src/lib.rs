//! The `tone` factql extractor plugin: VADER sentiment of sentences, articles and entities.
//!
//! Every fact is of kind `tone`, with `compound` (VADER's normalised score in `[-1, 1]`),
//! `pos`, `neu` and `neg` (the proportions of positive, neutral and negative text), and a
//! `scope`:
//!
//! - `sentence`: one per sentence that is not boilerplate, its span the sentence, scored by
//!   VADER on the sentence's exact text. The engine gives it as `sentences.tone`.
//! - `article`: one per article, its span the whole text, scored by VADER on the whole text
//!   (not an average of the sentences: VADER's rules see the whole text at once, as the
//!   reference scores of `tests/data/seed-tone.json` do). The engine gives it as
//!   `articles.tone`.
//! - `entity`: one per entity that the mentions of earlier plugins (the manifest
//!   [reads mentions](factql_plugin_sdk::wire::Manifest::reads_mentions)) link to a
//!   sentence: the means of the four scores over the sentences that mention it (each sentence
//!   once, boilerplate left out), `sentence_count` of them, the `entity` argument the entity,
//!   the span its first mention.
//!
//! The scoring is a port of VADER 3.3.2 (Hutto & Gilbert 2014, MIT licence), in [`vader`].

pub mod vader;

use std::collections::HashMap;

use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest, Span, Target};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

use crate::vader::{Buffers, Scores, Vader};

thread_local! {
    /// The scorer's buffers, kept between articles on each thread the host calls from.
    static BUFFERS: std::cell::Cell<Buffers> = std::cell::Cell::new(Buffers::default());
}

/// The extractor: VADER's data, loaded once.
#[derive(Debug, Default)]
pub struct Tone {
    vader: Vader,
}

/// Sets the four scores of a `tone` fact.
fn scored(fact: &mut factql_plugin_sdk::wire::Fact, scope: &str, scores: Scores) {
    fact.field("scope", scope)
        .field("compound", scores.compound)
        .field("pos", scores.pos)
        .field("neu", scores.neu)
        .field("neg", scores.neg);
}

/// The sentences an entity is mentioned in, and where it is first mentioned.
struct Mentioned {
    first: Span,
    sentences: Vec<usize>,
}

impl Extractor for Tone {
    fn manifest() -> Manifest {
        Manifest::new("tone", env!("CARGO_PKG_VERSION"))
            .description("VADER tone of every sentence, of the article, and of each entity")
            .reads_mentions()
            .produces(
                KindDecl::new("tone")
                    .field("scope", FieldType::Str, true)
                    .field("compound", FieldType::Float, true)
                    .field("pos", FieldType::Float, false)
                    .field("neu", FieldType::Float, false)
                    .field("neg", FieldType::Float, false)
                    .field("sentence_count", FieldType::Int, false)
                    .role("entity"),
            )
    }

    fn new(_config: &Config) -> Result<Tone, Error> {
        Ok(Tone { vader: Vader::load() })
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        let text = doc.text();
        let spans: Vec<Span> = doc.sentences().map(|(span, _)| span).collect();
        let ranges: Vec<std::ops::Range<usize>> = spans.iter().map(|s| s.range()).collect();
        let buffers = BUFFERS.take();
        let mut scorer = self.vader.scorer_with(buffers);
        let (whole, each) = scorer.score_document(text, &ranges);
        BUFFERS.set(scorer.into_buffers());
        let sentences: Vec<(Span, Scores)> = spans.into_iter().zip(each).collect();
        for &(span, scores) in &sentences {
            scored(out.fact("tone", span), "sentence", scores);
        }
        if !text.trim().is_empty() {
            scored(out.fact("tone", 0..text.len()), "article", whole);
        }

        // Entities, in the order of their first mention in a scored sentence, whichever
        // plugin gave it.
        let mut order: Vec<&str> = Vec::new();
        let mut by_entity: HashMap<&str, Mentioned> = HashMap::new();
        for mention in doc.mentions() {
            let Some(id) = mention.entity.as_deref() else { continue };
            let at = mention.span.start;
            let Some(idx) = sentences.partition_point(|(s, _)| s.start <= at).checked_sub(1) else {
                continue;
            };
            if at >= sentences[idx].0.end {
                continue;
            }
            let entry = by_entity.entry(id).or_insert_with(|| {
                order.push(id);
                Mentioned { first: mention.span, sentences: Vec::new() }
            });
            // The mentions of several plugins come one plugin after the other.
            if mention.span.start < entry.first.start {
                entry.first = mention.span;
            }
            entry.sentences.push(idx);
        }
        order.sort_by_key(|id| by_entity.get(id).map(|m| m.first.start));
        for id in order {
            let Some(mentioned) = by_entity.get_mut(id) else { continue };
            mentioned.sentences.sort_unstable();
            mentioned.sentences.dedup();
            let mentioned = &*mentioned;
            let n = mentioned.sentences.len() as f64;
            let mean = |part: fn(&Scores) -> f64| {
                mentioned.sentences.iter().map(|&idx| part(&sentences[idx].1)).sum::<f64>() / n
            };
            let scores = Scores {
                neg: mean(|s| s.neg),
                neu: mean(|s| s.neu),
                pos: mean(|s| s.pos),
                compound: mean(|s| s.compound),
            };
            let fact = out.fact("tone", mentioned.first);
            scored(fact, "entity", scores);
            fact.field("sentence_count", mentioned.sentences.len() as i64)
                .arg("entity", Target::Entity(id.to_owned()));
        }
        Ok(())
    }
}

factql_plugin_sdk::export!(Tone);

#[cfg(test)]
mod tests;

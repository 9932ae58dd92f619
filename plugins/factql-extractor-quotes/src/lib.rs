//! The `quotes` factql extractor plugin: who said what, and who holds which claim.
//!
//! Two kinds of facts, tied to their sentence and byte span:
//!
//! - **`quote`** (the `quotes` source; `-[:said]->` goes from its `speaker`): direct quotes
//!   between straight or curly double marks or guillemets, over paragraphs when each new
//!   paragraph opens with a mark again, and indirect speech: "X said (that) ...", "..., X
//!   said.", "..., said X.", "according to X, ...", "X, who ..., believes that ...", "X
//!   described Y as Z", participles ("..., signaling ...", "By calling for ..., X ..."),
//!   speech nouns ("his calls for ..."), agentless passives ("was criticized as rigged") and
//!   "alleged X". Fields: `text` (the content), `verb` (the reporting verb's lemma, `call for`,
//!   `according to`), `verb_class`, `direct`, `date` (the publication date: when the words were
//!   reported), `speaker_status`, `speaker_via`, `speaker_text`.
//! - **`claim`**: a proposition with its `holder_type` (`author`, `speaker` or `unknown`; the
//!   `holder` argument is the speaker's entity when there is one), `kind` (`factual`,
//!   `opinion`, `intent`, `allegation`), the `hedges`, `boosters` and `loaded` words found in
//!   it (lists, null when there is none), `hedged`, and for a reported claim the `verb`.
//!
//! **Speakers.** `speaker_status` is `named` (the `speaker` argument is an entity: a name, a
//! title the roles extractor gave to one person of the article, or a pronoun resolved),
//! `unlinked` (a capitalised name no entity extractor linked), `nominal` (a description that
//! names no one: "officials", "a spokesman", an unresolved pronoun) or `unknown` (nobody is
//! named: "was criticized as rigged", "alleged abuses"); an unknown speaker is never guessed.
//! `speaker_via` says how it was found: `name`, `title`, `pronoun`, `nominal`, `passive`,
//! `adjective` or `continued` (a quote right after another one of the same speaker). He/she
//! (and his/her) go to the subject of the nearest sentence, up to three back, that names a
//! person of a compatible sex (first names from the US SSA list); the first person a sentence
//! names stands for its subject. A participle's speaker is the subject of its main clause.
//!
//! **Verb classes.** `say` (say, tell, add, note, report...), `announce`, `agree` (confirm,
//! admit...), `claim` (claim, argue, suggest...), `assert` (insist, emphasize, stress,
//! highlight...), `deny` (deny, reject, dismiss...), `warn`, `call` (call for, urge, demand,
//! appeal), `accuse` (accuse, criticize, condemn, blame), `allege`, `believe` (believe, think,
//! expect, fear...), `characterise` (describe, call X Y, label) and `intent` (signal, vow,
//! pledge, promise).
//!
//! **Claims.** A sentence is cut into its clauses (a leading "Although ..." clause, a
//! non-restrictive ", which ..." or ", who ...," clause, a trailing ", making ..." participle);
//! each is the author's claim unless an attribution owns it: the content of what a speaker
//! says, believes or describes is the speaker's claim (and the clause that reports it is no
//! claim of the author's), the clause of an agentless passive is nobody's, "alleged X" is an
//! allegation of nobody's. A call ("called for X") is an act the author reports, so the clause
//! stays the author's. An unattributed opinion is the author's. An author's claim is an
//! `opinion` with a modal, an epistemic or evaluative verb ("may", "indicates", "remains to be
//! seen"), a first-person word, or two loaded words; `intent` with a word of intent; else
//! `factual`. Hedge words come from the MIT `hedges` list of Titus Wormer (minus the words too
//! common in news), with our own additions; boosters, loaded words and opinion markers are our
//! own lists.
//!
//! The extractor reads the mentions of the entity extractors and the `role` facts (for "the
//! minister said"); it allocates per fact, never per token.

mod analyze;
mod lexicon;
mod scan;

use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest, Value};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

use crate::analyze::{Holder, Shape, analyze};
use crate::lexicon::Lexicon;
use crate::scan::Context;

/// The extractor: the word table, built once.
pub struct Quotes {
    lex: Lexicon,
}

/// The `quote` kind as this extractor declares it (the test fixture declares the same).
pub fn quote_kind() -> KindDecl {
    KindDecl::new("quote")
        .field("text", FieldType::Str, true)
        .field("verb", FieldType::Str, true)
        .field("date", FieldType::Date, false)
        .field("verb_class", FieldType::Str, false)
        .field("direct", FieldType::Bool, false)
        .field("speaker_status", FieldType::Str, false)
        .field("speaker_via", FieldType::Str, false)
        .field("speaker_text", FieldType::Str, false)
        .role("speaker")
}

/// The `claim` kind as this extractor declares it.
pub fn claim_kind() -> KindDecl {
    let list = || FieldType::List(Box::new(FieldType::Str));
    KindDecl::new("claim")
        .field("text", FieldType::Str, true)
        .field("holder_type", FieldType::Str, true)
        .field("kind", FieldType::Str, true)
        .field("hedges", list(), false)
        .field("boosters", list(), false)
        .field("loaded", list(), false)
        .field("hedged", FieldType::Bool, false)
        .field("verb", FieldType::Str, false)
        .role("holder")
}

impl Extractor for Quotes {
    fn manifest() -> Manifest {
        Manifest::new("quotes", env!("CARGO_PKG_VERSION"))
            .description(
                "quotes and indirect speech with their speakers; claims with their holders",
            )
            .reads_mentions()
            .requires("role")
            .produces(quote_kind())
            .produces(claim_kind())
    }

    fn new(_config: &Config) -> Result<Quotes, Error> {
        Ok(Quotes { lex: Lexicon::load() })
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        let ctx = Context::new(&self.lex, doc);
        let text = doc.text();
        let found = analyze(&ctx);
        let published = doc.published();
        for att in &found.attributions {
            let (s, e) = att.span(&ctx);
            let fact = out
                .fact("quote", s as usize..e as usize)
                .field("text", att.text(text))
                .field("verb", att.lemma)
                .field("verb_class", att.class)
                .field("direct", att.shape == Shape::Direct)
                .field("speaker_status", att.speaker.status)
                .field("speaker_via", att.speaker.via);
            if att.speaker.e > att.speaker.s {
                fact.field("speaker_text", &text[att.speaker.s as usize..att.speaker.e as usize]);
            }
            if let Some(date) = published {
                fact.field("date", Value::Date(date.to_owned()));
            }
            if let Some(target) = att.speaker.target() {
                fact.arg("speaker", target);
            }
            let confidence = match (att.shape, att.speaker.via) {
                (_, "pronoun" | "continued") => 0.6,
                (Shape::Direct, _) => 0.9,
                (Shape::Passive | Shape::Adjective, _) => 0.7,
                _ => 0.75,
            };
            fact.confidence(confidence);
        }
        for claim in &found.claims {
            let holder = match claim.holder {
                Holder::Author => "author",
                Holder::Speaker(_) => "speaker",
                Holder::Unknown => "unknown",
            };
            let fact = out
                .fact("claim", claim.s as usize..claim.e as usize)
                .field("text", &text[claim.s as usize..claim.e as usize])
                .field("holder_type", holder)
                .field("kind", claim.kind)
                .field("hedged", !claim.hedges.is_empty())
                .confidence(0.6);
            // The cue lists are set when they are not empty (null otherwise).
            for (name, list) in [
                ("hedges", &claim.hedges),
                ("boosters", &claim.boosters),
                ("loaded", &claim.loaded),
            ] {
                if !list.is_empty() {
                    let words = list
                        .iter()
                        .map(|&(s, e)| Value::Str(text[s as usize..e as usize].to_owned()))
                        .collect();
                    fact.field(name, Value::List(words));
                }
            }
            if let Holder::Speaker(n) = claim.holder {
                let att = &found.attributions[n];
                fact.field("verb", att.lemma);
                if let Some(target) = att.speaker.target() {
                    fact.arg("holder", target);
                }
            }
        }
        Ok(())
    }
}

factql_plugin_sdk::export!(Quotes);

#[cfg(test)]
mod tests;

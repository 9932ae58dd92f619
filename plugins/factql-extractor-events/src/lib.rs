//! The `events` factql extractor plugin: who did what to whom, coded in CAMEO and PLOVER.
//!
//! Every event is one `event` fact whose span covers its trigger and its participants:
//!
//! | field | type | |
//! |---|---|---|
//! | `type` | str, always | the event type, the edge label of `-[:invite]->` (table below) |
//! | `cameo` | str, always | the CAMEO code (`036`, `163`, `0256`), refined by what an appeal or demand asks for |
//! | `root` | str, always | the CAMEO root (`03`, `16`) |
//! | `plover` | str | the PLOVER category (`CONSULT`, `SANCTION`, ...), this crate's own mapping by code |
//! | `modality` | str, always | `asserted`, `reported`, `belief`, `intent`, `negated`, `future` or `historical` |
//! | `date` | date | the date the text gives for the event (an explicit date of the `dates` extractor in the same clause) |
//! | `trigger` | str, always | the trigger words as written |
//!
//! Roles: `actor` (who acts: the subject side), `target` (to whom: the object side), `place`.
//! For types without a direction (`meet`, `negotiate`, `agree`, `cooperate`, `call`,
//! `break_relations`, `ceasefire`) the actor is the subject side and the target the other
//! party. An actor or target nobody names is left out (not guessed).
//!
//! **Types** (each with the CAMEO code it gets): `call_for` 02 (appeals: `call for`, `urge`,
//! `call on`, `appeal to`; 026 for talks, 0256 for a ceasefire, 023 for aid ...),
//! `invite` 036, `seek_dialogue` 036, `agree` 030/057, `promise` 030, `meet` 040/046, `consult` 040, `call`
//! 041 (by telephone), `visit` 042, `host` 043, `negotiate` 046, `normalize_relations` 050,
//! `cooperate` 050, `praise` and `support` 051, `apologize` 055, `aid` 070-073, `release` 084,
//! `ceasefire` 0871, `ease_sanctions` 085, `investigate` 090, `demand` 10, `criticize` 111,
//! `accuse` 112, `sue` 115, `reject` 120, `defy` 128, `veto` 129, `threaten` 130/139,
//! `protest` 140/141, `mobilize` 154, `break_relations` 161, `sanction` and `boycott` 163,
//! `expel` 166, `ban` 172, `arrest` 173, `deport` 174, `repress` 175, `abduct` 181, `kill` 182,
//! `assassinate` 186, `attack` 190/194/195, `fight` 190, `blockade` 191, `invade` and `occupy`
//! 192, `massacre` 202. Verbs of PETRARCH's CAMEO dictionary outside this list are coded too
//! (only with both an actor and a target), typed by their root: `intend`, `consult`,
//! `cooperate`, `aid`, `yield`, `demand`, `criticize`, `reject`, `threaten`, `protest`,
//! `mobilize`, `reduce_relations`, `coerce`, `assault`, `fight`, `mass_violence`. Statements
//! (root 01) are not events here.
//!
//! **How**: one pass over the article, an anchored Aho-Corasick search (ASCII case-insensitive,
//! longest match) at each word start that a two-byte prefix table lets through, finds the triggers (`data/triggers.tsv`, verbs and nouns written for this crate with their
//! CAMEO codes, then the verb forms of `data/cameo_verbs.tsv`, derived from PETRARCH's
//! `CAMEO.2.0.txt` by `data/make_data.py`) and the group nominals ("European countries",
//! "Western democracies", named as `group` entities). Around each trigger a shallow parse
//! over the entity mentions of the sentence (`coder.rs`):
//!
//! - a verb's actor is the nearest mention before it in its clause that is not in a
//!   prepositional phrase (a relative "who" or a participial clause reaches back past the
//!   comma; "he"/"she" is the last person named; "By doing X, Lukashenko ..." looks after the
//!   comma); its target the direct object, else the noun phrase after one of its prepositions
//!   ("to", "with", "against", "on", as the lexicon gives them); a noun phrase's head is its
//!   last name ("Hungarian Prime Minister Viktor Orban" is Orban);
//! - passive voice swaps them: "X was invited by Y" has actor Y and target X; an agentless
//!   passive has no actor;
//! - a noun's actor is its possessor or premodifier ("Putin's invasion", "Western sanctions",
//!   "his calls"), else the subject of its clause; the target follows its preposition
//!   ("invasion of Ukraine"); "faced ... sanctions" makes the subject the target; "the
//!   invitation" with no actor is the invitation named before;
//! - an appeal's object refines its code and is not an event of its own; an appeal for peace
//!   or talks without a target is addressed to the conflict's parties ("between Russia and
//!   Ukraine", "the Ukraine-Russia conflict");
//! - modality, first that applies: `negated` ("not", "never", "refused to"), `future`
//!   ("will"), `intent` ("seeks to", "plans", "willingness", "efforts to"), then for verbs
//!   `belief` ("believes") and `reported` (a reporting verb in the sentence; an agentless
//!   passive of a verbal act), then `historical` (the event's date ends more than a month
//!   before publication, unless "since" makes it ongoing). A noun ("Ukraine's demand") is
//!   presupposed: only the words right before it change its modality.
//!
//! `examples/evaluate.rs` measures it on the coded sentences of `shared/eval/events` and on
//! this crate's held-out set (`eval/heldout.jsonl`); `tests/seed.rs` on the example article.

mod coder;
mod lexicon;
mod words;

pub use coder::{DateRef, Event, Ment};

use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest, MentionLevel, Target, Value};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

use crate::lexicon::Lexicon;

/// The extractor: the lexicon and its automaton, built once.
pub struct Events {
    lexicon: Lexicon,
}

impl Events {
    /// Builds the lexicon (what [`Extractor::new`] does), for use without the plugin host.
    pub fn load() -> Result<Events, Error> {
        Ok(Events { lexicon: Lexicon::load().map_err(Error::new)? })
    }

    /// Codes `text` (sentence byte ranges in order) with its entity mentions and dates: the
    /// events, and the mentions they point at (the given ones plus group nominals).
    pub fn code<'a>(
        &'a self,
        text: &'a str,
        sentences: &[(usize, usize)],
        mentions: Vec<Ment<'a>>,
        dates: Vec<DateRef>,
        published: Option<&str>,
    ) -> (Vec<Event>, Vec<Ment<'a>>) {
        let mut coder = coder::Coder::new(text, &self.lexicon, mentions, dates, published);
        let events = coder.code(sentences);
        (events, coder.mentions().to_vec())
    }

    /// The CAMEO root of a code, and its PLOVER category.
    pub fn categories(code: &str) -> (&str, &'static str) {
        (code.get(..2).unwrap_or(code), lexicon::plover(code))
    }
}

impl Extractor for Events {
    fn manifest() -> Manifest {
        Manifest::new("events", env!("CARGO_PKG_VERSION"))
            .description("events (who did what to whom) coded in CAMEO and PLOVER")
            .reads_mentions()
            .requires("date")
            // Group nominals ("European countries") are named as group entities.
            .mentions(&["group"])
            .produces(
                // The test fixture declares the same kind, field for field.
                KindDecl::new("event")
                    .field("type", FieldType::Str, true)
                    .field("cameo", FieldType::Str, false)
                    .field("root", FieldType::Str, false)
                    .field("plover", FieldType::Str, false)
                    .field("modality", FieldType::Str, false)
                    .field("date", FieldType::Date, false)
                    .field("trigger", FieldType::Str, false)
                    .role("actor")
                    .role("target")
                    .role("place"),
            )
    }

    fn new(_config: &Config) -> Result<Events, Error> {
        Events::load()
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        let text = doc.text();
        let sentences: Vec<(usize, usize)> =
            doc.sentences().map(|(span, _)| (span.start as usize, span.end as usize)).collect();
        let mentions = doc
            .mentions()
            .iter()
            .filter_map(|m| {
                let entity = m.entity.as_deref()?;
                // The mention's type is its entity's kind for the entity extractors (no
                // lookup of the entity per mention).
                let kind = match m.ent_type.as_str() {
                    "PER" | "PERSON" => "person",
                    "GPE" | "LOC" | "LOCATION" => "place",
                    other => other,
                };
                Some(Ment {
                    start: m.span.start as usize,
                    end: m.span.end as usize,
                    entity,
                    person: kind == "person",
                    place: kind == "place",
                    demonym: m.level == MentionLevel::Demonym,
                    group_name: None,
                })
            })
            .collect();
        let dates = doc
            .facts("date")
            .filter_map(|f| {
                let Some(Value::Str(value)) = f.get("value") else { return None };
                if matches!(f.get("type"), Some(Value::Str(t)) if t == "temponym") {
                    return None;
                }
                Some(DateRef {
                    start: f.span.start as usize,
                    end: f.span.end as usize,
                    value: value.clone(),
                })
            })
            .collect();
        let (events, ments) = self.code(text, &sentences, mentions, dates, doc.published());
        for event in &events {
            for &m in event.actors.iter().chain(&event.targets) {
                if let Some(name) = ments[m].group_name {
                    out.entity(ments[m].entity, "group", name)
                        .alias(&text[ments[m].start..ments[m].end]);
                }
            }
            let (root, plover) = Events::categories(&event.cameo);
            let fact = out
                .fact("event", event.span.0..event.span.1)
                .field("type", event.ty)
                .field("cameo", event.cameo.as_str())
                .field("root", root)
                .field("modality", event.modality)
                .field("trigger", &text[event.trigger.0..event.trigger.1])
                .confidence(event.confidence);
            if !plover.is_empty() {
                fact.field("plover", plover);
            }
            if let Some(date) = &event.date {
                fact.field("date", Value::Date(date.clone()));
            }
            for &m in &event.actors {
                fact.arg("actor", Target::Entity(ments[m].entity.to_owned()));
            }
            for &m in &event.targets {
                fact.arg("target", Target::Entity(ments[m].entity.to_owned()));
            }
            if let Some(m) = event.place {
                fact.arg("place", Target::Entity(ments[m].entity.to_owned()));
            }
        }
        Ok(())
    }
}

factql_plugin_sdk::export!(Events);

#[cfg(test)]
mod tests;

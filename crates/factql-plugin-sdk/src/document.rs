//! What an extractor sees ([`Document`]) and where it writes ([`Output`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::{Token, tokenize};
use crate::wire::{Batch, Entity, Fact, Inputs, Mention, MentionLevel, Span};

/// One article as a plugin sees it: text, sentences, tokens, and the facts of the kinds the
/// plugin requires. Borrowed for the duration of one call: keep nothing from it.
#[derive(Debug)]
pub struct Document<'a> {
    article_id: &'a str,
    text: &'a str,
    inputs: Inputs,
    tokens: OnceLock<Vec<Token>>,
}

impl<'a> Document<'a> {
    /// A document over `text` (used by the export glue and the test harness).
    pub fn new(article_id: &'a str, text: &'a str, inputs: Inputs) -> Document<'a> {
        Document { article_id, text, inputs, tokens: OnceLock::new() }
    }

    /// The article id.
    pub fn article_id(&self) -> &'a str {
        self.article_id
    }

    /// The normalised text; spans are byte ranges into it.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Sentences that are not boilerplate, with their text (the title is sentence 0).
    pub fn sentences(&self) -> impl Iterator<Item = (Span, &'a str)> + '_ {
        let text = self.text;
        self.inputs
            .sentences
            .iter()
            .enumerate()
            .filter(|(idx, _)| !self.inputs.boilerplate.contains(&(*idx as u32)))
            .filter_map(move |(_, span)| span.slice(text).map(|slice| (*span, slice)))
    }

    /// Tokens of the whole text, computed once on first use.
    pub fn tokens(&self) -> &[Token] {
        self.tokens.get_or_init(|| tokenize(self.text))
    }

    /// Facts of `kind` from the plugins this one requires.
    pub fn facts<'d>(&'d self, kind: &'d str) -> impl Iterator<Item = &'d Fact> + 'd {
        self.inputs.facts.iter().filter(move |fact| fact.kind == kind)
    }

    /// The article's publication date, partial ISO 8601 (`2023-10-30`, `2023-10`, `2023`),
    /// when the input gave one: the anchor for relative dates and for who held which office.
    pub fn published(&self) -> Option<&str> {
        self.inputs.published.as_deref()
    }

    /// The mentions of the plugins that ran before this one, in their order, when the
    /// manifest [reads mentions](crate::wire::Manifest::reads_mentions); empty otherwise.
    pub fn mentions(&self) -> &[Mention] {
        &self.inputs.mentions
    }

    /// The entities those plugins named (with their canonical names and aliases).
    pub fn entities(&self) -> &[Entity] {
        &self.inputs.entities
    }

    /// The entity with this id, among [`Document::entities`].
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.inputs.entities.iter().find(|entity| entity.id == id)
    }
}

/// The facts, mentions and entities a plugin finds in one article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    batch: Batch,
    /// Entity id -> index in `batch.entities`.
    entity_index: HashMap<String, usize>,
}

impl Output {
    /// Adds a fact of `kind` with its evidence span and confidence 1; set fields on the result.
    pub fn fact(&mut self, kind: &str, span: impl Into<Span>) -> &mut Fact {
        self.batch.facts.push(Fact {
            kind: kind.to_owned(),
            span: span.into(),
            fields: Vec::new(),
            args: Vec::new(),
            confidence: 1.0,
        });
        let last = self.batch.facts.len() - 1;
        &mut self.batch.facts[last]
    }

    /// Adds a mention with confidence 1.
    pub fn mention(
        &mut self,
        span: impl Into<Span>,
        ent_type: &str,
        level: MentionLevel,
    ) -> &mut Mention {
        self.batch.mentions.push(Mention {
            span: span.into(),
            ent_type: ent_type.to_owned(),
            level,
            entity: None,
            confidence: 1.0,
        });
        let last = self.batch.mentions.len() - 1;
        &mut self.batch.mentions[last]
    }

    /// Names an entity: a stable `id` (the same in every article, e.g. `wd:Q2866`, `iso:HUN`,
    /// `local:person:viktor orban`), its `kind` (`person`, `place`, `org`, `group`, a usual
    /// NER label such as `PER`, or a kind the manifest declares) and canonical `name`; add
    /// aliases and a Wikidata id on the result. Naming the same id again returns the same
    /// entity, so aliases accumulate. Link mentions to it with [`Mention::entity`].
    pub fn entity(&mut self, id: &str, kind: &str, name: &str) -> &mut Entity {
        let idx = match self.entity_index.get(id) {
            Some(&idx) => idx,
            None => {
                self.batch.entities.push(Entity {
                    id: id.to_owned(),
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                    aliases: Vec::new(),
                    wikidata: None,
                });
                self.entity_index.insert(id.to_owned(), self.batch.entities.len() - 1);
                self.batch.entities.len() - 1
            }
        };
        &mut self.batch.entities[idx]
    }

    /// Entities named so far.
    pub fn entities(&self) -> &[Entity] {
        &self.batch.entities
    }

    /// Facts so far; [`crate::wire::Target::Fact`] indexes this list.
    pub fn facts(&self) -> &[Fact] {
        &self.batch.facts
    }

    /// Mentions so far; [`crate::wire::Target::Mention`] indexes this list.
    pub fn mentions(&self) -> &[Mention] {
        &self.batch.mentions
    }

    /// The finished batch.
    pub fn into_batch(self) -> Batch {
        let mut batch = self.batch;
        batch.schema = factql_plugin_abi::WIRE_SCHEMA;
        batch
    }
}

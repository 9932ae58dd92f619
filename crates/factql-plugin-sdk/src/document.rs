//! What an extractor sees ([`Document`]) and where it writes ([`Output`]).

use std::sync::OnceLock;

use crate::text::{Token, tokenize};
use crate::wire::{Batch, Fact, Inputs, Mention, MentionLevel, Span};

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
}

/// The facts and mentions a plugin finds in one article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    batch: Batch,
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

//! Mentions, entities and facts, with the provenance every one of them carries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{ArticleId, Span, Value};

/// The extractor that produced a row, as `name@version`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtractorRef {
    /// Plugin name, e.g. `gazetteer-ner`.
    pub name: String,
    /// Plugin version, e.g. `0.1.0`.
    pub version: String,
}

impl std::fmt::Display for ExtractorRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.name, self.version)
    }
}

/// Where a mention or fact comes from: the same tuple on every row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The article.
    pub article: ArticleId,
    /// Index of the sentence that holds the evidence.
    pub sentence: usize,
    /// The evidence bytes in the article text.
    pub span: Span,
    /// Who produced the row; shared, since every row of one extractor's output names it.
    pub extractor: std::sync::Arc<ExtractorRef>,
    /// Confidence in `[0, 1]`.
    pub confidence: f32,
}

/// ACE-style mention levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MentionLevel {
    /// A name: "Alexander Lukashenko".
    Name,
    /// A nominal: "the Belarusian leader".
    Nominal,
    /// A pronoun: "his".
    Pronoun,
    /// A demonym or adjective of a place or group: "Hungarian".
    Demonym,
}

impl MentionLevel {
    /// The short code used in the store: `NAM`, `NOM`, `PRO`, `DEM`.
    pub const fn code(self) -> &'static str {
        match self {
            MentionLevel::Name => "NAM",
            MentionLevel::Nominal => "NOM",
            MentionLevel::Pronoun => "PRO",
            MentionLevel::Demonym => "DEM",
        }
    }

    /// Parses [`MentionLevel::code`] back.
    pub fn from_code(code: &str) -> Option<MentionLevel> {
        Some(match code {
            "NAM" => MentionLevel::Name,
            "NOM" => MentionLevel::Nominal,
            "PRO" => MentionLevel::Pronoun,
            "DEM" => MentionLevel::Demonym,
            _ => return None,
        })
    }
}

/// A canonical entity across articles, with the names it goes by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id: `wd:Q2866`, `iso:BLR`, or `local:<key>` for unlinked entities.
    pub id: String,
    /// `person`, `org`, `place`, `group`, ...
    pub kind: String,
    /// The canonical name.
    pub name: String,
    /// Other names and spellings.
    pub aliases: Vec<String>,
    /// The Wikidata id (`Q2866`), when the extractor knows it.
    #[serde(default)]
    pub wikidata: Option<String>,
}

/// A span of text that refers to an entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Where it is and who found it.
    pub provenance: Provenance,
    /// The entity type: `PER`, `ORG`, `GPE`, `LOC`, `GROUP`, ...
    pub ent_type: String,
    /// Name, nominal, pronoun or demonym.
    pub level: MentionLevel,
    /// The linked entity id, when linked.
    pub entity: Option<String>,
}

/// What an argument of a fact points at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ArgTarget {
    /// A mention, by its index in the batch of mentions produced for the same article.
    Mention(usize),
    /// An entity, by id.
    Entity(String),
    /// Another fact, by its index in the same batch.
    Fact(usize),
    /// A literal value.
    Literal(Value),
}

/// A role-labelled argument of a fact: the `actor` of an event, the `speaker` of a quote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    /// The role, e.g. `actor`, `recipient`, `speaker`.
    pub role: String,
    /// What fills it.
    pub target: ArgTarget,
}

/// One extracted fact of an open kind (`event`, `quote`, `role`, or a plugin's own kind).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// The kind; its fields are declared by a [`crate::KindSchema`].
    pub kind: String,
    /// Where it is and who found it.
    pub provenance: Provenance,
    /// Typed field values, checked against the kind's schema.
    pub fields: BTreeMap<String, Value>,
    /// Role-labelled arguments.
    pub args: Vec<Arg>,
}

/// What one extractor found in one article: the unit the plugin host validates and the store
/// writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extraction {
    /// Entities the mentions or facts refer to; stored once, merged by id.
    pub entities: Vec<Entity>,
    /// Mentions; [`ArgTarget::Mention`] indexes this list.
    pub mentions: Vec<Mention>,
    /// Facts; [`ArgTarget::Fact`] indexes this list (earlier facts only).
    pub facts: Vec<Fact>,
}

//! The public result types of the recognizer.

use std::ops::Range;

/// One sentence of the article, as the segmenter found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceSpan {
    /// Byte range of the sentence in the article text.
    pub span: Range<usize>,
    /// Boilerplate (a "Source link" line, a cookie notice): skipped by the recognizer.
    pub boilerplate: bool,
}

/// What kind of thing an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A person.
    Person,
    /// A place: country, city, region.
    Place,
    /// An organisation: government body, company, party, club, intergovernmental organisation.
    Org,
    /// A group that is neither a place nor an organisation ("the West").
    Group,
}

impl Kind {
    /// The lower-case name used in entity ids (`person`, `place`, `org`, `group`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Place => "place",
            Kind::Org => "org",
            Kind::Group => "group",
        }
    }
}

/// How an entity is mentioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// A name ("Viktor Orban", "Belarus"): ACE `NAM`.
    Name,
    /// A nominal ("the Hungarian leader"): ACE `NOM`. Not produced yet.
    Nominal,
    /// A demonym or adjective of a place or group ("Hungarian", "Western"): `DEM`.
    Demonym,
}

/// A canonical entity of one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Stable id, the same for the same real-world entity in every article: `iso:HUN` for a
    /// country, `gn:<geonameid>` for a GeoNames city, `local:<kind>:<folded canonical name>`
    /// otherwise.
    pub id: String,
    /// What the entity is.
    pub kind: Kind,
    /// The canonical name: the gazetteer's name when the entity is in a gazetteer, else the
    /// longest form the article uses.
    pub name: String,
    /// Other forms seen in the article or listed by the gazetteer (short forms, spelling and
    /// transliteration variants), without the canonical name.
    pub aliases: Vec<String>,
    /// A Wikidata QID when the data gives one (the bundled data gives none yet).
    pub wikidata: Option<String>,
}

/// One mention of an entity in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Byte range in the article text (no determiner, no possessive `'s`).
    pub span: Range<usize>,
    /// The kind of the mentioned entity.
    pub kind: Kind,
    /// Name, nominal or demonym.
    pub level: Level,
    /// Index into [`Recognized::entities`].
    pub entity: usize,
    /// Confidence in 0..=1.
    pub confidence: f32,
}

/// The entities and mentions of one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recognized {
    /// The canonical entities, each mentioned at least once.
    pub entities: Vec<Entity>,
    /// The mentions, in text order.
    pub mentions: Vec<Mention>,
}

/// The bundled data could not be loaded (a corrupt build of the crate).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A gazetteer row is malformed.
    #[error("gazetteer {file}, line {line}: {message}")]
    Gazetteer {
        /// The embedded file name.
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The automaton over the gazetteer names could not be built.
    #[error("gazetteer automaton: {0}")]
    Automaton(#[from] fst::Error),
    /// The tagger weights are malformed.
    #[error("tagger weights: {0}")]
    Weights(String),
}

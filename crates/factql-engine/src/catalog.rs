//! The catalog: which sources exist, which fields each kind of row has, and their types.
//!
//! Built from the loaded data and the declared kind schemas, so a kind a plugin declares is
//! queryable (as a source, its fields, its argument roles) with no code change.

use std::fmt;

use factql_model::FieldType;

use crate::dataset::Dataset;

/// The tables rows can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// Articles.
    Article,
    /// Sentences.
    Sentence,
    /// Entity mentions.
    Mention,
    /// Canonical entities.
    Entity,
    /// Facts of one kind (index into the declared kinds).
    Fact(u16),
}

/// Static types of expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// Not known (after an error, or a null literal): accepted everywhere.
    Any,
    /// Boolean.
    Bool,
    /// Integer.
    Int,
    /// Float.
    Float,
    /// Text.
    Str,
    /// Date interval.
    Date,
    /// Calendar duration.
    Duration,
    /// Reference to a row; `None` when the table is not known statically.
    Ref(Option<Table>),
    /// List.
    List(Box<Ty>),
    /// A co-occurrence record.
    Cooc,
}

impl Ty {
    /// True for int and float (and unknown).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float | Ty::Any)
    }

    /// The type of a declared field.
    pub(crate) fn of_field(ty: &FieldType) -> Ty {
        match ty {
            FieldType::Str => Ty::Str,
            FieldType::Int => Ty::Int,
            FieldType::Float => Ty::Float,
            FieldType::Bool => Ty::Bool,
            FieldType::Date | FieldType::Interval => Ty::Date,
            FieldType::List(element) => Ty::List(Box::new(Ty::of_field(element))),
        }
    }

    /// Whether a value of type `self` may stand where `other` is expected.
    pub(crate) fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Any, _) | (_, Ty::Any) => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (Ty::Ref(a), Ty::Ref(b)) => a.is_none() || b.is_none() || a == b,
            (Ty::List(a), Ty::List(b)) => a.compatible(b),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Any => f.write_str("any"),
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::Str => f.write_str("string"),
            Ty::Date => f.write_str("date"),
            Ty::Duration => f.write_str("duration"),
            Ty::Ref(None) => f.write_str("ref"),
            Ty::Ref(Some(Table::Article)) => f.write_str("article"),
            Ty::Ref(Some(Table::Sentence)) => f.write_str("sentence"),
            Ty::Ref(Some(Table::Mention)) => f.write_str("mention"),
            Ty::Ref(Some(Table::Entity)) => f.write_str("entity"),
            Ty::Ref(Some(Table::Fact(_))) => f.write_str("fact"),
            Ty::List(element) => write!(f, "list<{element}>"),
            Ty::Cooc => f.write_str("cooccurrence"),
        }
    }
}

/// A field of a row kind, resolved: how to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKey {
    /// An article's `id`.
    ArticleId,
    /// An article's `origin` (the input it came from).
    ArticleOrigin,
    /// An article's `title`.
    ArticleTitle,
    /// An article's `url`.
    ArticleUrl,
    /// An article's `source`.
    ArticleSource,
    /// An article's `published` date.
    ArticlePublished,
    /// An article's `lang`.
    ArticleLang,
    /// An article's `tone`.
    ArticleTone,
    /// An article's whole `text`.
    ArticleText,
    /// All metadata of an article, as a JSON object.
    ArticleMeta,
    /// One metadata key, by position in `Dataset::meta_keys`.
    ArticleMetaKey(u16),
    /// The article that replaced this version (`superseded_by`).
    ArticleSupersededBy,
    /// A sentence's `id`.
    SentenceId,
    /// A sentence's `article`.
    SentenceArticle,
    /// A sentence's `index` in its article (0 is the title).
    SentenceIndex,
    /// A sentence's `paragraph`.
    SentenceParagraph,
    /// A sentence's `text`.
    SentenceText,
    /// A sentence's `tone`.
    SentenceTone,
    /// Whether a sentence is the title (`is_title`).
    SentenceIsTitle,
    /// Whether a sentence is `boilerplate`.
    SentenceBoilerplate,
    /// A mention's `entity`.
    MentionEntity,
    /// A mention's entity `kind`.
    MentionKind,
    /// A mention's `type` label (`PER`, `GPE`, ...).
    MentionType,
    /// A mention's `level` (`NAM`, `NOM`, ...).
    MentionLevel,
    /// A mention's `article`.
    MentionArticle,
    /// A mention's `sentence`.
    MentionSentence,
    /// A mention's `start` byte.
    MentionStart,
    /// A mention's `end` byte.
    MentionEnd,
    /// A mention's `surface` text.
    MentionSurface,
    /// The `name` of a mention's entity.
    MentionName,
    /// The `extractor` that found a mention.
    MentionExtractor,
    /// A mention's `confidence`.
    MentionConfidence,
    /// An entity's `id`.
    EntityId,
    /// An entity's canonical `name`.
    EntityName,
    /// An entity's `kind`.
    EntityKind,
    /// An entity's `aliases` (a list).
    EntityAliases,
    /// An entity's number of `mentions`.
    EntityMentions,
    /// An entity's `wikidata` id.
    EntityWikidata,
    /// A fact's `id`.
    FactId,
    /// A fact's `kind`.
    FactKind,
    /// A fact's `article`.
    FactArticle,
    /// A fact's `sentence`.
    FactSentence,
    /// A fact's `start` byte.
    FactStart,
    /// A fact's `end` byte.
    FactEnd,
    /// A fact's `evidence` text.
    FactText,
    /// The `extractor` that made a fact.
    FactExtractor,
    /// A fact's `confidence`.
    FactConfidence,
    /// A declared field, by position.
    FactField(u16),
    /// A declared argument role, by position.
    FactRole(u16),
    /// The `article` of a co-occurrence record.
    CoocArticle,
    /// The `sentence` of a co-occurrence record.
    CoocSentence,
    /// The `distance` in words of a co-occurrence record.
    CoocDistance,
}

/// One field of a row kind.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub name: String,
    pub ty: Ty,
    pub key: FieldKey,
}

fn field(name: &str, ty: Ty, key: FieldKey) -> Field {
    Field { name: name.to_owned(), ty, key }
}

/// The fields of rows of `table`.
pub(crate) fn fields(ds: &Dataset, table: Table) -> Vec<Field> {
    use FieldKey::*;
    let article = || Ty::Ref(Some(Table::Article));
    let sentence = || Ty::Ref(Some(Table::Sentence));
    match table {
        Table::Article => vec![
            field("id", Ty::Str, ArticleId),
            field("title", Ty::Str, ArticleTitle),
            field("url", Ty::Str, ArticleUrl),
            field("source", Ty::Str, ArticleSource),
            field("published", Ty::Date, ArticlePublished),
            field("lang", Ty::Str, ArticleLang),
            field("tone", Ty::Float, ArticleTone),
            field("text", Ty::Str, ArticleText),
            field("origin", Ty::Str, ArticleOrigin),
            field("meta", Ty::Str, ArticleMeta),
            field("superseded_by", Ty::Str, ArticleSupersededBy),
        ],
        Table::Sentence => vec![
            field("id", Ty::Str, SentenceId),
            field("article", article(), SentenceArticle),
            field("index", Ty::Int, SentenceIndex),
            field("paragraph", Ty::Int, SentenceParagraph),
            field("text", Ty::Str, SentenceText),
            field("tone", Ty::Float, SentenceTone),
            field("is_title", Ty::Bool, SentenceIsTitle),
            field("boilerplate", Ty::Bool, SentenceBoilerplate),
        ],
        Table::Mention => vec![
            field("entity", Ty::Ref(Some(Table::Entity)), MentionEntity),
            field("kind", Ty::Str, MentionKind),
            field("type", Ty::Str, MentionType),
            field("level", Ty::Str, MentionLevel),
            field("article", article(), MentionArticle),
            field("sentence", sentence(), MentionSentence),
            field("start", Ty::Int, MentionStart),
            field("end", Ty::Int, MentionEnd),
            field("surface", Ty::Str, MentionSurface),
            field("name", Ty::Str, MentionName),
            field("extractor", Ty::Str, MentionExtractor),
            field("confidence", Ty::Float, MentionConfidence),
        ],
        Table::Entity => vec![
            field("id", Ty::Str, EntityId),
            field("name", Ty::Str, EntityName),
            field("kind", Ty::Str, EntityKind),
            field("aliases", Ty::List(Box::new(Ty::Str)), EntityAliases),
            field("mentions", Ty::Int, EntityMentions),
            field("wikidata", Ty::Str, EntityWikidata),
        ],
        Table::Fact(kind) => {
            let mut out = vec![
                field("id", Ty::Int, FactId),
                field("kind", Ty::Str, FactKind),
                field("article", article(), FactArticle),
                field("sentence", sentence(), FactSentence),
                field("start", Ty::Int, FactStart),
                field("end", Ty::Int, FactEnd),
                field("evidence", Ty::Str, FactText),
                field("extractor", Ty::Str, FactExtractor),
                field("confidence", Ty::Float, FactConfidence),
            ];
            if let Some(table) = ds.kinds.get(kind as usize) {
                for (idx, def) in table.schema.fields.iter().enumerate() {
                    out.retain(|f| f.name != def.name);
                    out.push(field(&def.name, Ty::of_field(&def.ty), FactField(idx as u16)));
                }
                for (idx, role) in table.schema.roles.iter().enumerate() {
                    out.retain(|f| f.name != *role);
                    out.push(field(role, Ty::Ref(None), FactRole(idx as u16)));
                }
            }
            out
        }
    }
}

/// The fields of a co-occurrence record bound by a `near` edge.
pub(crate) fn cooc_fields() -> Vec<Field> {
    vec![
        field("article", Ty::Ref(Some(Table::Article)), FieldKey::CoocArticle),
        field("sentence", Ty::Ref(Some(Table::Sentence)), FieldKey::CoocSentence),
        field("distance", Ty::Int, FieldKey::CoocDistance),
    ]
}

/// A source a query can start from.
#[derive(Clone, Debug)]
pub(crate) struct SourceDef {
    pub name: String,
    pub table: Table,
    /// For entity sources: only entities of this kind.
    pub entity_kind: Option<&'static str>,
}

/// Every source: the built-in tables, entity kinds, and one per declared fact kind (its name
/// plus `s`: `event` → `events`).
pub(crate) fn sources(ds: &Dataset) -> Vec<SourceDef> {
    let mut out = vec![
        SourceDef { name: "articles".into(), table: Table::Article, entity_kind: None },
        SourceDef { name: "sentences".into(), table: Table::Sentence, entity_kind: None },
        SourceDef { name: "mentions".into(), table: Table::Mention, entity_kind: None },
        SourceDef { name: "entities".into(), table: Table::Entity, entity_kind: None },
        SourceDef { name: "people".into(), table: Table::Entity, entity_kind: Some("person") },
        SourceDef { name: "places".into(), table: Table::Entity, entity_kind: Some("place") },
        SourceDef { name: "orgs".into(), table: Table::Entity, entity_kind: Some("org") },
        SourceDef { name: "groups".into(), table: Table::Entity, entity_kind: Some("group") },
    ];
    for (idx, table) in ds.kinds.iter().enumerate() {
        out.push(SourceDef {
            name: plural(&table.schema.name),
            table: Table::Fact(idx as u16),
            entity_kind: None,
        });
    }
    out
}

/// The source name of a fact kind.
pub(crate) fn plural(kind: &str) -> String {
    if kind.ends_with('s') { kind.to_owned() } else { format!("{kind}s") }
}

/// The labels an edge may have: `mentions`, kinds with roles (and `said` for quotes), and
/// the event types found in the data; sorted.
pub(crate) fn relation_labels(ds: &Dataset) -> Vec<String> {
    let mut labels = vec!["mentions".to_owned()];
    for table in &ds.kinds {
        if !table.schema.roles.is_empty() {
            labels.push(table.schema.name.clone());
        }
        if table.schema.name == "quote" {
            labels.push("said".into());
        }
    }
    for (_, _, values) in &ds.type_labels {
        for value in values {
            if !labels.iter().any(|l| **l == **value) {
                labels.push(value.to_string());
            }
        }
    }
    labels.sort();
    labels
}

/// How a table is called in messages.
pub(crate) fn table_name(ds: &Dataset, table: Table) -> String {
    match table {
        Table::Article => "article".into(),
        Table::Sentence => "sentence".into(),
        Table::Mention => "mention".into(),
        Table::Entity => "entity".into(),
        Table::Fact(kind) => {
            ds.kinds.get(kind as usize).map_or_else(|| "fact".into(), |t| t.schema.name.clone())
        }
    }
}

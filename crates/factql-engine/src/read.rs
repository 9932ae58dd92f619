//! Reading fields of stored rows, their provenance, and how values print.

use std::sync::Arc;

use crate::catalog::{FieldKey, Ty};
use crate::dataset::Dataset;
use crate::relation::Prov;
use crate::value::{Ref, Val};

impl Dataset {
    /// The value of field `key` of the row `r` (null when the field does not apply).
    pub(crate) fn read(&self, r: Ref, key: FieldKey) -> Val {
        use FieldKey::*;
        let opt = |s: &Option<Arc<str>>| s.as_ref().map_or(Val::Null, |s| Val::Str(s.clone()));
        match (r, key) {
            (Ref::Article(a), _) => {
                let art = &self.articles[a as usize];
                match key {
                    ArticleId => Val::Str(art.id.clone()),
                    ArticleOrigin => Val::Str(art.origin.clone()),
                    ArticleTitle => Val::Str(art.title.clone()),
                    ArticleUrl => opt(&art.url),
                    ArticleSource => opt(&art.source),
                    ArticlePublished => art.published.map_or(Val::Null, Val::Date),
                    ArticleLang => opt(&art.lang),
                    ArticleTone => art.tone.map_or(Val::Null, Val::Float),
                    ArticleText => Val::Str(art.text.to_arc()),
                    ArticleMeta => {
                        let map: serde_json::Map<String, serde_json::Value> = art
                            .meta
                            .iter()
                            .map(|(k, v)| (k.to_string(), serde_json::Value::from(&**v)))
                            .collect();
                        Val::str(&serde_json::Value::Object(map).to_string())
                    }
                    ArticleMetaKey(key) => self
                        .meta_keys
                        .get(usize::from(key))
                        .and_then(|key| art.meta.iter().find(|(k, _)| **k == **key))
                        .map_or(Val::Null, |(_, v)| Val::Str(v.clone())),
                    ArticleSupersededBy => opt(&art.superseded_by),
                    _ => Val::Null,
                }
            }
            (Ref::Sentence(s), _) => {
                let sen = &self.sentences[s as usize];
                match key {
                    SentenceId => Val::Str(Arc::from(format!(
                        "{}#{}",
                        self.articles[sen.article as usize].id, sen.index
                    ))),
                    SentenceArticle => Val::Ref(Ref::Article(sen.article)),
                    SentenceIndex => Val::Int(i64::from(sen.index)),
                    SentenceParagraph => Val::Int(i64::from(sen.paragraph)),
                    SentenceText => Val::str(self.sentence_text(s)),
                    SentenceTone => sen.tone.map_or(Val::Null, Val::Float),
                    SentenceIsTitle => Val::Bool(sen.is_title),
                    SentenceBoilerplate => Val::Bool(sen.boilerplate),
                    _ => Val::Null,
                }
            }
            (Ref::Mention(m), _) => {
                let men = &self.mentions[m as usize];
                let surface = || {
                    Val::str(
                        self.articles[men.article as usize]
                            .text
                            .get(men.start as usize..men.end as usize)
                            .unwrap_or(""),
                    )
                };
                match key {
                    MentionEntity => men.entity.map_or(Val::Null, |e| Val::Ref(Ref::Entity(e))),
                    MentionKind => Val::Str(self.codes.text(men.kind).clone()),
                    MentionType => Val::Str(self.codes.text(men.ent_type).clone()),
                    MentionLevel => Val::Str(self.codes.text(men.level).clone()),
                    MentionArticle => Val::Ref(Ref::Article(men.article)),
                    MentionSentence => Val::Ref(Ref::Sentence(men.sentence)),
                    MentionStart => Val::Int(i64::from(men.start)),
                    MentionEnd => Val::Int(i64::from(men.end)),
                    MentionSurface => surface(),
                    MentionName => men
                        .entity
                        .map_or_else(surface, |e| Val::Str(self.entities[e as usize].name.clone())),
                    MentionExtractor => Val::Str(self.codes.text(men.extractor).clone()),
                    MentionConfidence => Val::Float(f64::from(men.confidence)),
                    _ => Val::Null,
                }
            }
            (Ref::Entity(e), _) => {
                let ent = &self.entities[e as usize];
                match key {
                    EntityId => Val::Str(ent.id.clone()),
                    EntityName => Val::Str(ent.name.clone()),
                    EntityKind => Val::Str(ent.kind.clone()),
                    EntityAliases => Val::List(ent.aliases.clone()),
                    EntityMentions => Val::Int(ent.mentions.len() as i64),
                    EntityWikidata => ent.wikidata.as_deref().map_or(Val::Null, Val::str),
                    _ => Val::Null,
                }
            }
            (Ref::Fact(k, i), _) => {
                let table = &self.kinds[k as usize];
                let i = i as usize;
                match key {
                    FactId => Val::Int(table.id[i]),
                    FactKind => Val::str(&table.schema.name),
                    FactArticle => Val::Ref(Ref::Article(table.article[i])),
                    FactSentence => Val::Ref(Ref::Sentence(table.sentence[i])),
                    FactStart => Val::Int(i64::from(table.start[i])),
                    FactEnd => Val::Int(i64::from(table.end[i])),
                    FactText => Val::str(
                        self.articles[table.article[i] as usize]
                            .text
                            .get(table.start[i] as usize..table.end[i] as usize)
                            .unwrap_or(""),
                    ),
                    FactExtractor => Val::Str(table.extractor[i].clone()),
                    FactConfidence => Val::Float(table.confidence[i]),
                    FactField(idx) => {
                        table.fields.get(idx as usize).map_or(Val::Null, |column| column[i].clone())
                    }
                    FactRole(idx) => {
                        table.roles.get(idx as usize).map_or(Val::Null, |column| column[i].clone())
                    }
                    _ => Val::Null,
                }
            }
        }
    }

    /// A field stored as a value (a fact's field or role), borrowed; `None` for fields that
    /// are made when read.
    pub(crate) fn read_stored(&self, r: Ref, key: FieldKey) -> Option<&Val> {
        match (r, key) {
            (Ref::Fact(k, i), FieldKey::FactField(f)) => {
                self.kinds[k as usize].fields.get(f as usize)?.get(i as usize)
            }
            (Ref::Fact(k, i), FieldKey::FactRole(f)) => {
                self.kinds[k as usize].roles.get(f as usize)?.get(i as usize)
            }
            _ => None,
        }
    }

    /// A string field of a row, borrowed: `Some(None)` when it is null, `None` when `key` is
    /// not a string field of that row kind.
    pub(crate) fn read_str(&self, r: Ref, key: FieldKey) -> Option<Option<&str>> {
        use FieldKey::*;
        match (r, key) {
            (Ref::Mention(m), MentionKind) => {
                Some(Some(self.codes.text(self.mentions[m as usize].kind)))
            }
            (Ref::Mention(m), MentionType) => {
                Some(Some(self.codes.text(self.mentions[m as usize].ent_type)))
            }
            (Ref::Mention(m), MentionLevel) => {
                Some(Some(self.codes.text(self.mentions[m as usize].level)))
            }
            (Ref::Mention(m), MentionExtractor) => {
                Some(Some(self.codes.text(self.mentions[m as usize].extractor)))
            }
            (Ref::Entity(e), EntityName) => Some(Some(&self.entities[e as usize].name)),
            (Ref::Entity(e), EntityKind) => Some(Some(&self.entities[e as usize].kind)),
            (Ref::Entity(e), EntityId) => Some(Some(&self.entities[e as usize].id)),
            (Ref::Article(a), ArticleTitle) => Some(Some(&self.articles[a as usize].title)),
            (Ref::Article(a), ArticleId) => Some(Some(&self.articles[a as usize].id)),
            (Ref::Article(a), ArticleSource) => Some(self.articles[a as usize].source.as_deref()),
            (Ref::Article(a), ArticleLang) => Some(self.articles[a as usize].lang.as_deref()),
            (Ref::Article(a), ArticleUrl) => Some(self.articles[a as usize].url.as_deref()),
            (Ref::Fact(k, i), FactField(f)) => {
                match &self.kinds[k as usize].fields.get(f as usize)?[i as usize] {
                    Val::Str(s) => Some(Some(s)),
                    Val::Null => Some(None),
                    _ => None,
                }
            }
            (Ref::Fact(k, i), FactExtractor) => {
                Some(Some(&self.kinds[k as usize].extractor[i as usize]))
            }
            _ => None,
        }
    }

    /// A field by name on a reference whose table is known only now.
    pub(crate) fn read_named(&self, r: Ref, name: &str) -> Val {
        let table = match r {
            Ref::Article(_) => 0,
            Ref::Sentence(_) => 1,
            Ref::Mention(_) => 2,
            Ref::Entity(_) => 3,
            Ref::Fact(k, _) => 4 + k as usize,
        };
        self.field_keys
            .get(table)
            .and_then(|keys| keys.get(name))
            .map_or(Val::Null, |&key| self.read(r, key))
    }

    /// Where a row's evidence is.
    pub(crate) fn prov(&self, r: Ref) -> Option<Prov> {
        match r {
            Ref::Article(a) => {
                let art = &self.articles[a as usize];
                Some(Prov {
                    article: a,
                    sentence: art.sentences.start,
                    start: 0,
                    end: art.text.len() as u32,
                })
            }
            Ref::Sentence(s) => {
                let sen = &self.sentences[s as usize];
                Some(Prov { article: sen.article, sentence: s, start: sen.start, end: sen.end })
            }
            Ref::Mention(m) => {
                let men = &self.mentions[m as usize];
                Some(Prov {
                    article: men.article,
                    sentence: men.sentence,
                    start: men.start,
                    end: men.end,
                })
            }
            Ref::Fact(k, i) => {
                let (table, i) = (&self.kinds[k as usize], i as usize);
                Some(Prov {
                    article: table.article[i],
                    sentence: table.sentence[i],
                    start: table.start[i],
                    end: table.end[i],
                })
            }
            Ref::Entity(_) => None,
        }
    }

    /// Where a row's evidence is, as a person or a script reads it.
    pub fn evidence(&self, prov: &Prov) -> Evidence {
        let article = &self.articles[prov.article as usize];
        let sentence = self.sentences.get(prov.sentence as usize).map_or(0, |s| s.index as usize);
        Evidence {
            article: article.id.to_string(),
            title: article.title.to_string(),
            sentence,
            start: prov.start as usize,
            end: prov.end as usize,
            text: article.text.get(prov.start as usize..prov.end as usize).unwrap_or("").to_owned(),
        }
    }

    /// The static type of a constant.
    pub(crate) fn type_of(&self, value: &Val) -> Ty {
        match value {
            Val::Null => Ty::Any,
            Val::Bool(_) => Ty::Bool,
            Val::Int(_) => Ty::Int,
            Val::Float(_) => Ty::Float,
            Val::Str(_) => Ty::Str,
            Val::Date(_) => Ty::Date,
            Val::Duration(..) => Ty::Duration,
            Val::Ref(r) => Ty::Ref(Some(match r {
                Ref::Article(_) => crate::catalog::Table::Article,
                Ref::Sentence(_) => crate::catalog::Table::Sentence,
                Ref::Mention(_) => crate::catalog::Table::Mention,
                Ref::Entity(_) => crate::catalog::Table::Entity,
                Ref::Fact(k, _) => crate::catalog::Table::Fact(*k),
            })),
            Val::List(items) => {
                Ty::List(Box::new(items.first().map_or(Ty::Any, |v| self.type_of(v))))
            }
            Val::Cooc(_) => Ty::Cooc,
        }
    }

    /// A value as a person reads it: references print as their label (entity name, article
    /// title, sentence text, mention surface, fact evidence).
    pub fn display(&self, value: &Val) -> String {
        match value {
            Val::Null => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Int(n) => n.to_string(),
            Val::Float(x) => format_float(*x),
            Val::Str(s) => s.to_string(),
            Val::Date(d) => d.to_string(),
            Val::Duration(n, unit) => format!("{n}{}", unit.as_str()),
            Val::Ref(r) => match *r {
                Ref::Article(a) => self.articles[a as usize].title.to_string(),
                Ref::Sentence(s) => self.sentence_text(s).to_owned(),
                Ref::Mention(_) | Ref::Fact(..) => {
                    let key = if matches!(r, Ref::Mention(_)) {
                        FieldKey::MentionSurface
                    } else {
                        FieldKey::FactText
                    };
                    self.display(&self.read(*r, key))
                }
                Ref::Entity(e) => self.entities[e as usize].name.to_string(),
            },
            Val::List(items) => {
                let parts: Vec<String> = items.iter().map(|v| self.display(v)).collect();
                format!("[{}]", parts.join(", "))
            }
            Val::Cooc(c) => format!(
                "{{article: {}, sentence: {}, distance: {}}}",
                self.articles[c.article as usize].title,
                self.sentence_text(c.sentence),
                c.distance
            ),
        }
    }

    /// A value as JSON: references become their label, dates ISO text.
    pub fn to_json(&self, value: &Val) -> serde_json::Value {
        match value {
            Val::Null => serde_json::Value::Null,
            Val::Bool(b) => (*b).into(),
            Val::Int(n) => (*n).into(),
            Val::Float(x) => serde_json::Number::from_f64(*x)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Val::List(items) => items.iter().map(|v| self.to_json(v)).collect(),
            Val::Cooc(c) => serde_json::json!({
                "article": self.articles[c.article as usize].id.to_string(),
                "sentence": self.sentences[c.sentence as usize].index,
                "distance": c.distance,
            }),
            other => self.display(other).into(),
        }
    }
}

/// The evidence of a result row: article, sentence and the exact bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Article id.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Sentence index in the article (0 is the title).
    pub sentence: usize,
    /// First byte of the evidence in the article text.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The evidence text.
    pub text: String,
}

/// Floats print with at most four decimals and no trailing zeros.
fn format_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.1}");
    }
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0');
    text.strip_suffix('.').map_or_else(|| text.to_owned(), |t| format!("{t}.0"))
}

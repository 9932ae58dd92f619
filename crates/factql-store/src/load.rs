//! Bulk reads for the query engine: every row of a table, streamed in a stable order.
//!
//! The engine loads the whole store into memory once and answers queries from there, so
//! these readers are simple scans that hand each row to a callback instead of building
//! vectors of their own.

use std::collections::BTreeMap;

use factql_model::{Span, Value};

use crate::{Store, StoreError};

/// One article's scalar fields and text.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleRow {
    /// Article id.
    pub id: String,
    /// Where it came from.
    pub origin: String,
    /// Title.
    pub title: String,
    /// Canonical URL.
    pub url: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Partial ISO 8601 publication time.
    pub published: Option<String>,
    /// Language code.
    pub lang: Option<String>,
    /// Normalised text.
    pub text: String,
    /// Other fields of the input (JSON fields, HTML meta tags), as text.
    pub meta: BTreeMap<String, String>,
    /// The article that replaced this one when its input changed; `None` while it is live.
    pub superseded_by: Option<String>,
    /// When the store received it: UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub ingested_at: String,
}

/// One sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceRow {
    /// Article id.
    pub article: String,
    /// Index in the article.
    pub index: usize,
    /// Paragraph index.
    pub paragraph: usize,
    /// Bytes in the article text.
    pub span: Span,
    /// True for the title.
    pub is_title: bool,
    /// True for boilerplate.
    pub boilerplate: bool,
}

/// One entity with its names.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityRow {
    /// Stable id, e.g. `wd:Q2866`.
    pub id: String,
    /// `person`, `place`, `org`, `group`, or a kind a plugin declared.
    pub kind: String,
    /// Canonical name.
    pub name: String,
    /// Every name it goes by, the canonical one included, sorted.
    pub aliases: Vec<String>,
    /// The Wikidata id (`Q2866`), when a plugin gave one.
    pub wikidata: Option<String>,
}

/// One mention.
#[derive(Clone, Debug, PartialEq)]
pub struct MentionRow {
    /// Row id.
    pub id: i64,
    /// Article id.
    pub article: String,
    /// Sentence index in the article.
    pub sentence: usize,
    /// Bytes in the article text.
    pub span: Span,
    /// Entity type code (`PER`, `GPE`, ...).
    pub ent_type: String,
    /// Level code (`NAM`, `NOM`, `PRO`, `DEM`).
    pub level: String,
    /// Linked entity id.
    pub entity: Option<String>,
    /// `name@version`.
    pub extractor: String,
    /// Confidence.
    pub confidence: f64,
}

/// What a fact argument points at, with row ids resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// A mention row id.
    Mention(i64),
    /// An entity id.
    Entity(String),
    /// A fact row id.
    Fact(i64),
    /// A literal.
    Literal(Value),
}

/// One fact with its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct FactRow {
    /// Row id.
    pub id: i64,
    /// Article id.
    pub article: String,
    /// Kind name.
    pub kind: String,
    /// Sentence index in the article.
    pub sentence: usize,
    /// Evidence bytes.
    pub span: Span,
    /// Typed fields.
    pub fields: BTreeMap<String, Value>,
    /// `(role, target)` in argument order.
    pub args: Vec<(String, ArgValue)>,
    /// `name@version`.
    pub extractor: String,
    /// Confidence.
    pub confidence: f64,
}

/// `fact_id, role, mention_id, entity_id, fact_ref, literal` of a `fact_arg` row.
type ArgColumns = (i64, String, Option<i64>, Option<String>, Option<i64>, Option<String>);
/// `id, article_id, kind, sentence_idx, start, end, fields, extractor, confidence` of a `fact` row.
type FactColumns = (i64, String, String, i64, i64, i64, String, String, f64);

impl Store {
    /// Runs `sql` and hands each row, read by `read`, to `each`.
    fn each_row<T>(
        &self,
        sql: &str,
        read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        mut each: impl FnMut(T),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            each(read(row).map_err(|e| self.err(e))?);
        }
        Ok(())
    }

    /// Calls `each` for every article, superseded versions included, in id order.
    pub fn for_each_article(&self, each: impl FnMut(ArticleRow)) -> Result<(), StoreError> {
        // Schema version 3 added `superseded_by`; an older store opened read-only has none.
        let superseded = if self.version >= 3 { "superseded_by" } else { "NULL" };
        self.each_row(
            &format!(
                "SELECT id, origin, title, url, source, published, lang, text, meta, {superseded},
                        ingested_at
                 FROM article ORDER BY id"
            ),
            |row| {
                let meta: String = row.get(8)?;
                Ok(ArticleRow {
                    meta: serde_json::from_str(&meta).map_err(|err| {
                        rusqlite::Error::FromSqlConversionFailure(
                            8,
                            rusqlite::types::Type::Text,
                            Box::new(err),
                        )
                    })?,
                    superseded_by: row.get(9)?,
                    ingested_at: row.get(10)?,
                    id: row.get(0)?,
                    origin: row.get(1)?,
                    title: row.get(2)?,
                    url: row.get(3)?,
                    source: row.get(4)?,
                    published: row.get(5)?,
                    lang: row.get(6)?,
                    text: row.get(7)?,
                })
            },
            each,
        )
    }

    /// Calls `each` for every sentence, ordered by article id and index.
    pub fn for_each_sentence(&self, each: impl FnMut(SentenceRow)) -> Result<(), StoreError> {
        self.each_row(
            "SELECT article_id, idx, paragraph, start, \"end\", is_title, boilerplate FROM sentence
             ORDER BY article_id, idx",
            |row| {
                Ok(SentenceRow {
                    article: row.get(0)?,
                    index: row.get::<_, i64>(1)? as usize,
                    paragraph: row.get::<_, i64>(2)? as usize,
                    span: Span::new(row.get::<_, i64>(3)? as usize, row.get::<_, i64>(4)? as usize),
                    is_title: row.get(5)?,
                    boilerplate: row.get(6)?,
                })
            },
            each,
        )
    }

    /// Calls `each` for every entity, in id order.
    pub fn for_each_entity(&self, mut each: impl FnMut(EntityRow)) -> Result<(), StoreError> {
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        {
            // Two plugins may give the same alias: once is enough.
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT entity_id, alias FROM alias ORDER BY entity_id, alias")
                .map_err(|e| self.err(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let (id, alias): (String, String) =
                    (row.get(0).map_err(|e| self.err(e))?, row.get(1).map_err(|e| self.err(e))?);
                aliases.entry(id).or_default().push(alias);
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, kind, name, wikidata FROM entity ORDER BY id")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let id: String = row.get(0).map_err(|e| self.err(e))?;
            let aliases = aliases.remove(&id).unwrap_or_default();
            each(EntityRow {
                kind: row.get(1).map_err(|e| self.err(e))?,
                name: row.get(2).map_err(|e| self.err(e))?,
                wikidata: row.get(3).map_err(|e| self.err(e))?,
                id,
                aliases,
            });
        }
        Ok(())
    }

    /// Calls `each` for every mention, ordered by article, sentence and start.
    pub fn for_each_mention(&self, each: impl FnMut(MentionRow)) -> Result<(), StoreError> {
        self.each_row(
            "SELECT id, article_id, sentence_idx, start, \"end\", ent_type, level, entity_id, extractor, confidence
             FROM mention ORDER BY article_id, sentence_idx, start, id",
            |row| {
                Ok(MentionRow {
                    id: row.get(0)?,
                    article: row.get(1)?,
                    sentence: row.get::<_, i64>(2)? as usize,
                    span: Span::new(row.get::<_, i64>(3)? as usize, row.get::<_, i64>(4)? as usize),
                    ent_type: row.get(5)?,
                    level: row.get(6)?,
                    entity: row.get(7)?,
                    extractor: row.get(8)?,
                    confidence: row.get(9)?,
                })
            },
            each,
        )
    }

    /// Calls `each` for every fact with its arguments, in row id order.
    pub fn for_each_fact(&self, mut each: impl FnMut(FactRow)) -> Result<(), StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt { path: self.path.clone(), detail };
        let mut arg_stmt = self
            .conn
            .prepare("SELECT fact_id, role, mention_id, entity_id, fact_ref, literal FROM fact_arg ORDER BY fact_id, ord")
            .map_err(|e| self.err(e))?;
        let mut args = arg_stmt.query([]).map_err(|e| self.err(e))?;
        let next_arg =
            |args: &mut rusqlite::Rows<'_>| -> Result<Option<(i64, String, ArgValue)>, StoreError> {
                let Some(row) = args.next().map_err(|e| self.err(e))? else { return Ok(None) };
                let get = || -> rusqlite::Result<ArgColumns> {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                };
                let (fact, role, mention, entity, fact_ref, literal) =
                    get().map_err(|e| self.err(e))?;
                let value = match (mention, entity, fact_ref, literal) {
                    (Some(id), ..) => ArgValue::Mention(id),
                    (_, Some(id), ..) => ArgValue::Entity(id),
                    (_, _, Some(id), _) => ArgValue::Fact(id),
                    (_, _, _, Some(json)) => {
                        ArgValue::Literal(serde_json::from_str(&json).map_err(|err| {
                            corrupt(format!("fact {fact} argument {role}: {err}"))
                        })?)
                    }
                    _ => {
                        return Err(corrupt(format!("fact {fact} argument {role} points nowhere")));
                    }
                };
                Ok(Some((fact, role, value)))
            };
        let mut pending = next_arg(&mut args)?;
        let schema = self.schema()?;
        // Before schema version 4, fields were serde's tagged form (an older store opened
        // read-only is read as it is).
        let tagged = self.version < 4;

        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, article_id, kind, sentence_idx, start, \"end\", fields, extractor, confidence
                 FROM fact ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<FactColumns> {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                ))
            };
            let (id, article, kind, sentence, start, end, fields, extractor, confidence) =
                read().map_err(|e| self.err(e))?;
            let fields = crate::plain::read_fields(&fields, schema.kind(&kind), tagged)
                .map_err(|err| corrupt(format!("fact {id} fields: {err}")))?;
            let mut fact_args = Vec::new();
            while let Some((fact, _, _)) = &pending {
                if *fact > id {
                    break;
                }
                if let Some((fact, role, value)) = pending.take()
                    && fact == id
                {
                    fact_args.push((role, value));
                }
                pending = next_arg(&mut args)?;
            }
            each(FactRow {
                id,
                article,
                kind,
                sentence: sentence as usize,
                span: Span::new(start as usize, end as usize),
                fields,
                args: fact_args,
                extractor,
                confidence,
            });
        }
        Ok(())
    }
}

//! Reading back: whole articles, and the counts `factql stats` shows.

use std::collections::BTreeMap;

use factql_model::{Article, ArticleId, Format, Paragraph, Sentence, Span};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::{Store, StoreError};

/// Row counts of the main tables.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableCounts {
    /// Live articles (the current version of each input).
    pub articles: u64,
    /// Earlier versions of changed inputs, kept as history.
    pub superseded: u64,
    /// Inputs that repeated the text of a stored article.
    pub duplicates: u64,
    /// Paragraphs.
    pub paragraphs: u64,
    /// Sentences.
    pub sentences: u64,
    /// Canonical entities.
    pub entities: u64,
    /// Entity mentions.
    pub mentions: u64,
    /// Facts of all kinds.
    pub facts: u64,
    /// Plugin runs.
    pub runs: u64,
}

/// What is in the store: counts per table, per fact kind, per source, per month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Row counts per table.
    pub tables: TableCounts,
    /// Facts per kind, by kind name.
    pub facts_per_kind: BTreeMap<String, u64>,
    /// Articles per format.
    pub articles_per_format: BTreeMap<String, u64>,
    /// Articles per source (outlet); `(unknown)` when not known.
    pub articles_per_source: BTreeMap<String, u64>,
    /// Articles per month of publication (`YYYY-MM`); `(undated)` when not known.
    pub articles_per_month: BTreeMap<String, u64>,
}

impl Store {
    /// Number of stored articles.
    pub fn article_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM article")
    }

    /// Ids of all stored articles, in id order.
    pub fn article_ids(&self) -> Result<Vec<ArticleId>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT id FROM article ORDER BY id").map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map([], |row| Ok(ArticleId(row.get(0)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }

    /// The article with `id`, with its paragraphs and sentences, if stored.
    pub fn article(&self, id: &ArticleId) -> Result<Option<Article>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT origin, format, title, url, published, source, lang, meta, text, text_sha256
                 FROM article WHERE id = ?1",
                [&id.0],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, String>(7)?,
                        row.get::<_, String>(8)?,
                        row.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((origin, format, title, url, published, source, lang, meta, text, text_sha256)) =
            row
        else {
            return Ok(None);
        };
        let corrupt = |detail: String| StoreError::Corrupt { path: self.path.clone(), detail };
        let format = Format::parse(&format)
            .ok_or_else(|| corrupt(format!("article {id}: unknown format {format}")))?;
        let meta = serde_json::from_str(&meta)
            .map_err(|err| corrupt(format!("article {id}: meta: {err}")))?;

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT idx, start, \"end\" FROM paragraph WHERE article_id = ?1 ORDER BY idx",
            )
            .map_err(|e| self.err(e))?;
        let paragraphs = stmt
            .query_map(params![id.0], |row| {
                Ok(Paragraph {
                    index: row.get::<_, i64>(0)? as usize,
                    span: Span::new(row.get::<_, i64>(1)? as usize, row.get::<_, i64>(2)? as usize),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT idx, paragraph, start, \"end\", is_title, boilerplate FROM sentence
                 WHERE article_id = ?1 ORDER BY idx",
            )
            .map_err(|e| self.err(e))?;
        let sentences = stmt
            .query_map(params![id.0], |row| {
                Ok(Sentence {
                    index: row.get::<_, i64>(0)? as usize,
                    paragraph: row.get::<_, i64>(1)? as usize,
                    span: Span::new(row.get::<_, i64>(2)? as usize, row.get::<_, i64>(3)? as usize),
                    is_title: row.get(4)?,
                    boilerplate: row.get(5)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(Some(Article {
            id: id.clone(),
            origin,
            format,
            title,
            url,
            published,
            source,
            lang,
            meta,
            text,
            text_sha256,
            paragraphs,
            sentences,
        }))
    }

    /// Counts per table, per fact kind, per format, per source and per month.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let live = self.live();
        let tables = TableCounts {
            articles: self.count(&format!("SELECT count(*) FROM article WHERE {live}"))?,
            superseded: self.count(&format!("SELECT count(*) FROM article WHERE NOT ({live})"))?,
            duplicates: self.count("SELECT count(*) FROM origin WHERE role = 'duplicate'")?,
            paragraphs: self.count("SELECT count(*) FROM paragraph")?,
            sentences: self.count("SELECT count(*) FROM sentence")?,
            entities: self.count("SELECT count(*) FROM entity")?,
            mentions: self.count("SELECT count(*) FROM mention")?,
            facts: self.count("SELECT count(*) FROM fact")?,
            runs: self.count("SELECT count(*) FROM run")?,
        };
        Ok(Stats {
            tables,
            facts_per_kind: self.group("SELECT kind, count(*) FROM fact GROUP BY kind")?,
            articles_per_format: self
                .group(&format!("SELECT format, count(*) FROM article WHERE {live} GROUP BY format"))?,
            articles_per_source: self.group(&format!(
                "SELECT coalesce(source, '(unknown)'), count(*) FROM article WHERE {live} GROUP BY 1"
            ))?,
            articles_per_month: self.group(&format!(
                "SELECT CASE WHEN published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
                             THEN substr(published, 1, 7) ELSE '(undated)' END,
                        count(*)
                 FROM article WHERE {live} GROUP BY 1",
            ))?,
        })
    }

    /// The SQL condition of a live article (every article of a store before version 3).
    fn live(&self) -> &'static str {
        if self.version >= 3 { "superseded_by IS NULL" } else { "1" }
    }

    fn count(&self, sql: &str) -> Result<u64, StoreError> {
        self.conn
            .query_row(sql, [], |row| row.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    fn group(&self, sql: &str) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64)))
            .and_then(|rows| rows.collect::<Result<BTreeMap<_, _>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }
}

//! Writing articles: one transaction per batch, idempotent per input.

use factql_model::{Article, ArticleId};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Store, StoreError};

/// What writing one article did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new article was stored.
    Ingested,
    /// The input had been ingested before with the same text: nothing changed.
    Unchanged,
    /// The input's content changed since it was last ingested: the new text is stored as a new
    /// article that supersedes the previous one (which stays, with its facts, as history:
    /// `superseded_by` names its successor once no input holds it).
    Updated {
        /// The article the input held before.
        previous: ArticleId,
    },
    /// The same text is already stored under another origin: recorded, not copied.
    Duplicate {
        /// The article that holds the text.
        of: ArticleId,
    },
}

impl Store {
    /// Writes `articles` in one transaction and reports what happened to each, in order.
    ///
    /// Either the whole batch is stored or, on error, none of it.
    pub fn write_batch(&mut self, articles: &[Article]) -> Result<Vec<Outcome>, StoreError> {
        let path = self.path.clone();
        let sqlite = |source| StoreError::sqlite(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let mut outcomes = Vec::with_capacity(articles.len());
        for article in articles {
            outcomes.push(write_one(&tx, article).map_err(sqlite)?);
        }
        if outcomes.iter().any(|outcome| *outcome != Outcome::Unchanged) {
            crate::generation::bump(&tx).map_err(sqlite)?;
        }
        tx.commit().map_err(sqlite)?;
        Ok(outcomes)
    }
}

fn write_one(tx: &Transaction<'_>, article: &Article) -> rusqlite::Result<Outcome> {
    let seen: Option<(String, String)> = tx
        .prepare_cached("SELECT article_id, role FROM origin WHERE origin = ?1")?
        .query_row([&article.origin], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let stored: Option<String> = tx
        .prepare_cached("SELECT id FROM article WHERE text_sha256 = ?1")?
        .query_row([&article.text_sha256], |row| row.get(0))
        .optional()?;

    if let Some(existing) = stored {
        if seen.as_ref().is_some_and(|(id, _)| *id == existing) {
            return Ok(Outcome::Unchanged);
        }
        tx.execute(
            "INSERT INTO origin (origin, article_id, role) VALUES (?1, ?2, 'duplicate')
             ON CONFLICT(origin) DO UPDATE SET article_id = excluded.article_id, role = 'duplicate'",
            params![article.origin, existing],
        )?;
        supersede(tx, seen.as_ref().map(|(id, _)| id.as_str()), &existing)?;
        return Ok(Outcome::Duplicate { of: ArticleId(existing) });
    }

    insert_article(tx, article)?;
    tx.prepare_cached(
        "INSERT INTO origin (origin, article_id, role) VALUES (?1, ?2, 'primary')
         ON CONFLICT(origin) DO UPDATE SET article_id = excluded.article_id, role = 'primary'",
    )?
    .execute(params![article.origin, article.id.0])?;
    // The new row is live already (inserted without `superseded_by`).
    if let Some((previous, _)) = &seen {
        supersede_previous(tx, previous, &article.id.0)?;
    }
    Ok(match seen {
        Some((previous, _)) => Outcome::Updated { previous: ArticleId(previous) },
        None => Outcome::Ingested,
    })
}

/// An input that held `previous` now holds `current`: `current` is live, and `previous` is
/// superseded by it once no input holds it any more (another input may still give that text).
fn supersede(tx: &Transaction<'_>, previous: Option<&str>, current: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE article SET superseded_by = NULL WHERE id = ?1")?
        .execute([current])?;
    if let Some(previous) = previous {
        supersede_previous(tx, previous, current)?;
    }
    Ok(())
}

/// `previous` is superseded by `current` once no input holds it (nothing when they are the
/// same article).
fn supersede_previous(tx: &Transaction<'_>, previous: &str, current: &str) -> rusqlite::Result<()> {
    if previous != current {
        tx.prepare_cached(
            "UPDATE article SET superseded_by = ?2
             WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM origin WHERE article_id = ?1)",
        )?
        .execute(params![previous, current])?;
    }
    Ok(())
}

fn insert_article(tx: &Transaction<'_>, article: &Article) -> rusqlite::Result<()> {
    let meta = serde_json::to_string(&article.meta)
        .map_err(|err| rusqlite::Error::ToSqlConversionFailure(Box::new(err)))?;
    tx.prepare_cached(
        "INSERT INTO article (id, origin, format, title, url, published, source, lang, meta, text,
                              text_sha256, ingested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    )?
    .execute(params![
            article.id.0,
            article.origin,
            article.format.as_str(),
            article.title,
            article.url,
            article.published,
            article.source,
            article.lang,
            meta,
            article.text,
            article.text_sha256,
    ])?;
    let mut paragraph = tx.prepare_cached(
        "INSERT INTO paragraph (article_id, idx, start, \"end\") VALUES (?1, ?2, ?3, ?4)",
    )?;
    for it in &article.paragraphs {
        paragraph.execute(params![
            article.id.0,
            it.index as i64,
            it.span.start as i64,
            it.span.end as i64
        ])?;
    }
    let mut sentence = tx.prepare_cached(
        "INSERT INTO sentence (article_id, idx, paragraph, start, \"end\", is_title, boilerplate)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for it in &article.sentences {
        sentence.execute(params![
            article.id.0,
            it.index as i64,
            it.paragraph as i64,
            it.span.start as i64,
            it.span.end as i64,
            it.is_title,
            it.boilerplate,
        ])?;
    }
    Ok(())
}

//! The database schema and its numbered migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration runs in its
//! own transaction together with the version bump, so a file is always at exactly one version.
//! Migrations are only ever appended.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    // 1: articles with their segmentation, and the tables facts hang on.
    r#"
    CREATE TABLE article (
        id          TEXT PRIMARY KEY,
        origin      TEXT NOT NULL,
        format      TEXT NOT NULL,
        title       TEXT NOT NULL,
        url         TEXT,
        published   TEXT,
        source      TEXT,
        lang        TEXT,
        meta        TEXT NOT NULL,           -- JSON object of other input fields
        text        TEXT NOT NULL,           -- NFC-normalised; every span points into it
        text_sha256 TEXT NOT NULL UNIQUE,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX article_published ON article(published);
    CREATE INDEX article_source ON article(source);

    -- Every input seen: a path, path:line, or <stdin>:line. `role` tells whether this origin
    -- brought the article (primary) or repeated a text already stored (duplicate).
    CREATE TABLE origin (
        origin     TEXT PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES article(id),
        role       TEXT NOT NULL CHECK (role IN ('primary', 'duplicate'))
    );
    CREATE INDEX origin_article ON origin(article_id);

    CREATE TABLE paragraph (
        article_id TEXT NOT NULL REFERENCES article(id),
        idx        INTEGER NOT NULL,
        start      INTEGER NOT NULL,
        "end"      INTEGER NOT NULL,
        PRIMARY KEY (article_id, idx)
    ) WITHOUT ROWID;

    CREATE TABLE sentence (
        article_id  TEXT NOT NULL REFERENCES article(id),
        idx         INTEGER NOT NULL,
        paragraph   INTEGER NOT NULL,
        start       INTEGER NOT NULL,
        "end"       INTEGER NOT NULL,
        is_title    INTEGER NOT NULL,
        boilerplate INTEGER NOT NULL,
        PRIMARY KEY (article_id, idx)
    ) WITHOUT ROWID;

    -- Kinds declared by plugins: name -> JSON of factql_model::KindSchema.
    CREATE TABLE kind_schema (
        kind        TEXT PRIMARY KEY,
        schema      TEXT NOT NULL,
        declared_by TEXT NOT NULL
    );

    -- One row per plugin run over the store.
    CREATE TABLE run (
        id          INTEGER PRIMARY KEY,
        extractor   TEXT NOT NULL,
        version     TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT
    );

    CREATE TABLE entity (
        id    TEXT PRIMARY KEY,
        kind  TEXT NOT NULL,
        name  TEXT NOT NULL
    );

    CREATE TABLE alias (
        entity_id TEXT NOT NULL REFERENCES entity(id),
        alias     TEXT NOT NULL,
        norm_key  TEXT NOT NULL,                -- case-folded, diacritics stripped
        PRIMARY KEY (entity_id, alias)
    ) WITHOUT ROWID;
    CREATE INDEX alias_norm ON alias(norm_key);

    CREATE TABLE mention (
        id           INTEGER PRIMARY KEY,
        article_id   TEXT NOT NULL REFERENCES article(id),
        sentence_idx INTEGER NOT NULL,
        start        INTEGER NOT NULL,
        "end"        INTEGER NOT NULL,
        ent_type     TEXT NOT NULL,
        level        TEXT NOT NULL,
        entity_id    TEXT REFERENCES entity(id),
        extractor    TEXT NOT NULL,             -- name@version
        run_id       INTEGER REFERENCES run(id),
        confidence   REAL NOT NULL
    );
    CREATE INDEX mention_entity ON mention(entity_id);
    CREATE INDEX mention_sentence ON mention(article_id, sentence_idx);

    CREATE TABLE fact (
        id           INTEGER PRIMARY KEY,
        article_id   TEXT NOT NULL REFERENCES article(id),
        kind         TEXT NOT NULL,
        sentence_idx INTEGER NOT NULL,
        start        INTEGER NOT NULL,
        "end"        INTEGER NOT NULL,
        fields       TEXT NOT NULL,             -- JSON of the typed field values
        extractor    TEXT NOT NULL,
        run_id       INTEGER REFERENCES run(id),
        confidence   REAL NOT NULL
    );
    CREATE INDEX fact_kind ON fact(kind);
    CREATE INDEX fact_article ON fact(article_id, sentence_idx);

    CREATE TABLE fact_arg (
        fact_id    INTEGER NOT NULL REFERENCES fact(id),
        ord        INTEGER NOT NULL,
        role       TEXT NOT NULL,
        mention_id INTEGER REFERENCES mention(id),
        entity_id  TEXT REFERENCES entity(id),
        fact_ref   INTEGER REFERENCES fact(id),
        literal    TEXT,
        PRIMARY KEY (fact_id, ord)
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this build writes: the number of migrations it knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the file lacks, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let sqlite = |source| StoreError::Sqlite { path: path.to_path_buf(), source };
    let found: i64 =
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(sqlite)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (idx, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = idx as i64 + 1;
        let failed = |source| StoreError::Migration { path: path.to_path_buf(), version, source };
        let tx = conn.transaction().map_err(failed)?;
        tx.execute_batch(sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", version).map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(())
}

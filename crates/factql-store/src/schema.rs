//! The database schema and its numbered migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration runs in its
//! own transaction together with the version bump, so a file is always at exactly one version.
//! Migrations are only ever appended.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// One migration: SQL, or a Rust step for what SQL cannot say.
enum Migration {
    Sql(&'static str),
    Rust(fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>),
}

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
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
    ),
    // 2: entities as plugins name them: a Wikidata id, which plugins named each entity, and
    // which plugin gave each alias, so `reextract` replaces a plugin's entities and aliases
    // as it replaces its facts. Kinds stored under a type name (`per`, `gpe`, ...) by earlier
    // builds are mapped to the built-in kinds.
    Migration::Sql(
        r#"
    ALTER TABLE entity ADD COLUMN wikidata TEXT;
    UPDATE entity SET wikidata = substr(id, 4) WHERE id GLOB 'wd:Q[0-9]*';
    UPDATE entity SET kind = CASE lower(kind)
        WHEN 'per' THEN 'person'
        WHEN 'loc' THEN 'place' WHEN 'gpe' THEN 'place' WHEN 'fac' THEN 'place'
        WHEN 'location' THEN 'place'
        WHEN 'organization' THEN 'org' WHEN 'organisation' THEN 'org'
        WHEN 'norp' THEN 'group'
        ELSE kind END;

    -- The plugins (by name, without version) that named or linked each entity.
    CREATE TABLE entity_source (
        entity_id TEXT NOT NULL REFERENCES entity(id),
        extractor TEXT NOT NULL,
        PRIMARY KEY (entity_id, extractor)
    ) WITHOUT ROWID;
    CREATE INDEX entity_source_extractor ON entity_source(extractor);
    INSERT OR IGNORE INTO entity_source (entity_id, extractor)
        SELECT DISTINCT entity_id, substr(extractor, 1, instr(extractor, '@') - 1)
        FROM mention WHERE entity_id IS NOT NULL AND instr(extractor, '@') > 0;

    CREATE TABLE alias_by (
        entity_id TEXT NOT NULL REFERENCES entity(id),
        alias     TEXT NOT NULL,
        norm_key  TEXT NOT NULL,                -- case-folded, diacritics stripped
        extractor TEXT NOT NULL,                -- plugin name; '' when not known
        PRIMARY KEY (entity_id, alias, extractor)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO alias_by (entity_id, alias, norm_key, extractor)
        SELECT a.entity_id, a.alias, a.norm_key, coalesce(s.extractor, '')
        FROM alias a LEFT JOIN entity_source s ON s.entity_id = a.entity_id;
    DROP TABLE alias;
    ALTER TABLE alias_by RENAME TO alias;
    CREATE INDEX alias_norm ON alias(norm_key);
    "#,
    ),
    // 3: a changed input supersedes the article it gave before. `superseded_by` names the
    // article that replaced it; an article is live while it is NULL. Stores written before
    // this version are brought up to date: an article no input holds any more is superseded
    // by the article its first input holds now.
    Migration::Sql(
        r#"
    ALTER TABLE article ADD COLUMN superseded_by TEXT REFERENCES article(id);
    UPDATE article SET superseded_by =
        (SELECT o.article_id FROM origin o WHERE o.origin = article.origin AND o.article_id <> article.id)
    WHERE NOT EXISTS (SELECT 1 FROM origin o WHERE o.article_id = article.id);
    CREATE INDEX article_superseded ON article(superseded_by);
    "#,
    ),
    // 4: fact fields as plain JSON values (`{"amount": 8.8e12}`), not serde's tagged enum
    // (`{"amount": {"Float": 8.8e12}}`), so the store reads well from sqlite3 or duckdb.
    Migration::Rust(crate::plain::migrate_tagged_fields),
    // 5: the store's identity and generation, so that a derived file (the engine's image)
    // can tell whether it was built from this store as it is now. Every write transaction
    // of the store bumps the generation (`Store::bump_generation`).
    Migration::Sql(
        r#"
    CREATE TABLE IF NOT EXISTS store_generation (
        id         INTEGER PRIMARY KEY CHECK (id = 0),
        identity   TEXT NOT NULL,               -- random, fixed when the table is made
        generation INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO store_generation (id, identity, generation)
        VALUES (0, lower(hex(randomblob(16))), 1);
    "#,
    ),
];

/// The schema version this build writes: the number of migrations it knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of a factql store (the bytes `FQLS`, 0x4651_4C53), written when a
/// store is created or first opened for writing by a build that knows it; `sqlite3 FILE
/// 'PRAGMA application_id'` shows 1179732051. A file with another application id, or with none
/// and tables that are not factql's, is refused ([`StoreError::NotAStore`]) before anything
/// is written to it.
pub const APPLICATION_ID: i32 = 0x4651_4C53;

/// What a file is, judged before anything is written to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// No tables: a new store.
    Empty,
    /// A factql store; `stamped` when it carries [`APPLICATION_ID`].
    Factql { stamped: bool },
}

/// Tells a factql store from any other SQLite file: the application id, or for stores of
/// builds before the id, the tables only factql has.
pub(crate) fn identify(conn: &Connection, path: &Path) -> Result<Identity, StoreError> {
    let not_a_store = |detail: String| StoreError::NotAStore { path: path.to_path_buf(), detail };
    let app: i32 = match conn.pragma_query_value(None, "application_id", |row| row.get(0)) {
        Ok(id) => id,
        Err(err) if err.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            return Err(not_a_store("not an SQLite database".into()));
        }
        Err(err) => return Err(StoreError::sqlite(path, err)),
    };
    if app == APPLICATION_ID {
        return Ok(Identity::Factql { stamped: true });
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<Vec<String>>>()
        })
        .map_err(|err| StoreError::sqlite(path, err))?;
    if app != 0 {
        return Err(not_a_store(format!("an SQLite file of another application (id {app})")));
    }
    if tables.is_empty() {
        return Ok(Identity::Empty);
    }
    const OURS: [&str; 5] = ["article", "fact", "mention", "origin", "sentence"];
    if OURS.iter().all(|t| tables.iter().any(|have| have == t)) {
        return Ok(Identity::Factql { stamped: false });
    }
    let mut shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    if tables.len() > shown.len() {
        shown.push("...");
    }
    Err(not_a_store(format!("an SQLite database with tables {}", shown.join(", "))))
}

/// Applies every migration the file lacks, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, SCHEMA_VERSION)
}

/// Applies the migrations the file lacks up to `version` (tests build older files with it).
pub(crate) fn migrate_to(
    conn: &mut Connection,
    path: &Path,
    version: i64,
) -> Result<(), StoreError> {
    let sqlite = |source| StoreError::sqlite(path, source);
    let found: i64 =
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(sqlite)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let upto = usize::try_from(version).unwrap_or(0).min(MIGRATIONS.len());
    for (idx, sql) in MIGRATIONS.iter().enumerate().take(upto).skip(found.max(0) as usize) {
        let version = idx as i64 + 1;
        let failed = |source| StoreError::Migration { path: path.to_path_buf(), version, source };
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        match sql {
            Migration::Sql(sql) => tx.execute_batch(sql).map_err(failed)?,
            Migration::Rust(step) => step(&tx).map_err(failed)?,
        }
        tx.pragma_update(None, "user_version", version).map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(())
}

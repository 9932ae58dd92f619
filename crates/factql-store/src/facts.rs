//! Writing what extractors found: kind schemas, runs, entities, mentions and facts.

use std::collections::{BTreeMap, HashMap, HashSet};

use factql_model::{ArgTarget, ArticleId, Extraction, ExtractorRef, KindSchema, Schema, fold};
use rusqlite::{CachedStatement, OptionalExtension, params};

use crate::{Store, StoreError};

/// The id of a plugin run, as recorded in the `run` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunId(pub i64);

/// One plugin's part of [`Store::write_extraction_sets`].
#[derive(Clone, Copy, Debug)]
pub struct ExtractionSet<'a> {
    /// The plugin's run.
    pub run: RunId,
    /// The plugin's name (its rows are found by it).
    pub extractor: &'a str,
    /// What it found, per article.
    pub items: &'a [(&'a ArticleId, &'a Extraction)],
    /// Per item: true when the article holds no rows of this plugin yet; missing means false.
    pub new: &'a [bool],
}

impl Store {
    /// Records kind declarations from `declared_by`; a kind declared again identically is kept,
    /// a conflicting declaration is an error.
    pub fn declare_kinds(
        &mut self,
        kinds: &[KindSchema],
        declared_by: &str,
    ) -> Result<(), StoreError> {
        let mut schema = self.schema()?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|source| StoreError::sqlite(&path, source))?;
        for kind in kinds {
            schema
                .declare(kind.clone())
                .map_err(|err| StoreError::Schema { path: path.clone(), source: err })?;
            let json = serde_json::to_string(kind).map_err(|err| StoreError::Corrupt {
                path: path.clone(),
                detail: format!("kind {}: {err}", kind.name),
            })?;
            tx.execute(
                "INSERT INTO kind_schema (kind, schema, declared_by) VALUES (?1, ?2, ?3)
                 ON CONFLICT(kind) DO UPDATE SET schema = excluded.schema, declared_by = excluded.declared_by",
                params![kind.name, json, declared_by],
            )
            .map_err(|source| StoreError::sqlite(&path, source))?;
        }
        crate::generation::bump(&tx).map_err(|source| StoreError::sqlite(&path, source))?;
        tx.commit().map_err(|source| StoreError::sqlite(&path, source))
    }

    /// Every declared kind.
    pub fn schema(&self) -> Result<Schema, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT kind, schema FROM kind_schema ORDER BY kind")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        let mut schema = Schema::default();
        for (kind, json) in rows {
            let declared: KindSchema =
                serde_json::from_str(&json).map_err(|err| StoreError::Corrupt {
                    path: self.path.clone(),
                    detail: format!("kind {kind}: {err}"),
                })?;
            schema
                .declare(declared)
                .map_err(|source| StoreError::Schema { path: self.path.clone(), source })?;
        }
        Ok(schema)
    }

    /// Starts a run of `extractor` and returns its id.
    pub fn begin_run(
        &mut self,
        extractor: &ExtractorRef,
        config_hash: &str,
    ) -> Result<RunId, StoreError> {
        self.conn
            .execute(
                "INSERT INTO run (extractor, version, config_hash, started_at)
                 VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                params![extractor.name, extractor.version, config_hash],
            )
            .map_err(|e| self.err(e))?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    /// Marks a run finished.
    pub fn finish_run(&mut self, run: RunId) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE run SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
                [run.0],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Stores what `extractor` found in `article`, in one transaction, replacing whatever the
    /// same extractor (any version) stored for that article before, so re-extraction never
    /// duplicates rows.
    ///
    /// Argument targets are resolved here: [`ArgTarget::Mention`] and [`ArgTarget::Fact`]
    /// indexes become row ids. Validation (spans, kinds, fields) is the caller's job; the
    /// store only refuses indexes that point nowhere.
    pub fn write_extraction(
        &mut self,
        run: RunId,
        extractor: &str,
        article: &ArticleId,
        extraction: &Extraction,
    ) -> Result<(), StoreError> {
        self.write_extractions(run, extractor, &[(article, extraction)])
    }

    /// [`Store::write_extraction`] for many articles in one transaction: all are stored, or
    /// none.
    pub fn write_extractions(
        &mut self,
        run: RunId,
        extractor: &str,
        items: &[(&ArticleId, &Extraction)],
    ) -> Result<(), StoreError> {
        let sets = [ExtractionSet { run, extractor, items, new: &[] }];
        self.write_extraction_sets(&sets)
    }

    /// What several plugins found in a batch of articles, in one transaction: all of it is
    /// stored, or none. Each set is written as [`Store::write_extractions`] writes it, except
    /// that an article marked new holds no rows of that plugin yet (it was stored by this same
    /// ingest, or the plugin's rows were deleted), so there is nothing to replace.
    pub fn write_extraction_sets(&mut self, sets: &[ExtractionSet<'_>]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sqlite = |source| StoreError::sqlite(&path, source);
        // Whatever fails below leaves this forgotten: the transaction is rolled back.
        let mut named = std::mem::take(&mut self.named);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        named
            .revalidate(tx.query_row("PRAGMA data_version", [], |row| row.get(0)).map_err(sqlite)?);
        {
            let mut rows = Rows::prepare(&tx).map_err(sqlite)?;
            for set in sets {
                for (idx, (article, extraction)) in set.items.iter().enumerate() {
                    let new = set.new.get(idx).copied().unwrap_or(false);
                    write_one(
                        &tx,
                        &mut rows,
                        &mut named,
                        &path,
                        set.run,
                        set.extractor,
                        article,
                        extraction,
                        !new,
                    )?;
                }
            }
        }
        crate::generation::bump(&tx).map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        self.named = named;
        Ok(())
    }

    /// Deletes every mention and fact `extractor` stored, across all articles, before a
    /// re-extraction; returns how many rows went.
    pub fn delete_extractor_rows(&mut self, extractor: &str) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let sqlite = |source| StoreError::sqlite(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        // Entities, aliases and their plugins go: what this connection knew it wrote is void.
        self.named = Named::default();
        let removed = delete_rows(&tx, extractor, None).map_err(sqlite)?;
        crate::generation::bump(&tx).map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        Ok(removed)
    }

    /// Entity names by fold key, for suggestions and literal resolution: every alias with its
    /// entity id.
    pub fn aliases(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT norm_key, entity_id FROM alias ORDER BY 1, 2")
            .map_err(|e| self.err(e))?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let rows = stmt
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        for (key, entity) in rows {
            out.entry(key).or_default().push(entity);
        }
        Ok(out)
    }

    /// The kind and canonical name of an entity.
    pub fn entity(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        self.conn
            .query_row("SELECT kind, name FROM entity WHERE id = ?1", [id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .map_err(|e| self.err(e))
    }
}

/// Deletes the rows of `extractor` (matched by exact name, whatever the version), for one
/// article or all. For all, the plugin's entity links and aliases go too, and so do the
/// entities no plugin names any more: `reextract` replaces a plugin's entities as it replaces
/// its facts.
fn delete_rows(
    tx: &rusqlite::Transaction<'_>,
    extractor: &str,
    article: Option<&ArticleId>,
) -> rusqlite::Result<usize> {
    // `name@version`, compared as a prefix by bytes: no LIKE, so `_` and `%` in a name are
    // plain characters.
    let prefix = format!("{extractor}@");
    // Two shapes of each statement, so the per-article one can use the article indexes; the
    // per-article ones run for every article and plugin, so they are prepared once.
    let mut removed = 0;
    match article {
        Some(article) => {
            let args = params![prefix, article.0];
            for sql in [
                "DELETE FROM fact_arg WHERE fact_id IN
                   (SELECT id FROM fact WHERE article_id = ?2
                      AND substr(extractor, 1, length(?1)) = ?1)",
                "DELETE FROM fact WHERE article_id = ?2 AND substr(extractor, 1, length(?1)) = ?1",
                "DELETE FROM mention
                   WHERE article_id = ?2 AND substr(extractor, 1, length(?1)) = ?1",
            ] {
                removed += tx.prepare_cached(sql)?.execute(args)?;
            }
        }
        None => {
            let mine = "substr(extractor, 1, length(?1)) = ?1";
            let args = params![prefix];
            removed += tx.execute(
                &format!(
                    "DELETE FROM fact_arg WHERE fact_id IN (SELECT id FROM fact WHERE {mine})"
                ),
                args,
            )?;
            removed += tx.execute(&format!("DELETE FROM fact WHERE {mine}"), args)?;
            removed += tx.execute(&format!("DELETE FROM mention WHERE {mine}"), args)?;
            removed += tx.execute("DELETE FROM alias WHERE extractor = ?1", [extractor])?;
            removed += tx.execute("DELETE FROM entity_source WHERE extractor = ?1", [extractor])?;
            // An entity no plugin names any more goes, unless a row of another plugin still
            // points at it (its argument or mention keeps it, and its names).
            let orphans = "SELECT id FROM entity
                 WHERE id NOT IN (SELECT entity_id FROM entity_source)
                   AND id NOT IN (SELECT entity_id FROM mention WHERE entity_id IS NOT NULL)
                   AND id NOT IN (SELECT entity_id FROM fact_arg WHERE entity_id IS NOT NULL)";
            removed +=
                tx.execute(&format!("DELETE FROM alias WHERE entity_id IN ({orphans})"), [])?;
            removed += tx.execute(&format!("DELETE FROM entity WHERE id IN ({orphans})"), [])?;
        }
    }
    Ok(removed)
}

/// What this connection knows it has already written of plugins' entities: per plugin and
/// entity id, the naming last applied and the names stored. Writing the same naming or alias
/// again changes nothing (the upsert keeps the first naming, aliases are `INSERT OR IGNORE`),
/// so ingest skips those statements: a popular entity is named in most articles.
///
/// The knowledge holds while no other connection has committed (`PRAGMA data_version` is
/// unchanged) and this one has deleted no entity rows (`delete_extractor_rows` forgets it); a
/// transaction that fails forgets it too, since its writes were rolled back.
#[derive(Default)]
pub(crate) struct Named {
    /// `PRAGMA data_version` when this was last true.
    data_version: Option<i64>,
    /// (plugin, entity id) → the last naming applied and every name stored.
    by_plugin: HashMap<(String, String), Naming>,
    /// Names held, to bound the memory (past [`Named::LIMIT`] everything is forgotten).
    names: usize,
}

struct Naming {
    kind: String,
    name: String,
    wikidata: Option<String>,
    names: HashSet<String>,
}

impl Named {
    /// About 20 MB of names at most.
    const LIMIT: usize = 200_000;

    /// Keeps what is known only when no other connection committed since (`data_version`).
    fn revalidate(&mut self, data_version: i64) {
        if self.data_version != Some(data_version) || self.names > Named::LIMIT {
            *self = Named { data_version: Some(data_version), ..Named::default() };
        }
    }
}

/// The statements of one write transaction, prepared once for all its rows, and the buffers
/// reused from row to row.
struct Rows<'t> {
    entity: CachedStatement<'t>,
    source: CachedStatement<'t>,
    alias: CachedStatement<'t>,
    mention: CachedStatement<'t>,
    fact: CachedStatement<'t>,
    arg: CachedStatement<'t>,
    fields: Vec<u8>,
    mention_ids: Vec<i64>,
    fact_ids: Vec<i64>,
    /// Every row of a call names the same extractor: its `name@version` is built once.
    label: Label,
}

impl<'t> Rows<'t> {
    fn prepare(tx: &'t rusqlite::Transaction<'_>) -> rusqlite::Result<Rows<'t>> {
        Ok(Rows {
            // An entity is stored once: the first plugin to name it sets its kind and name,
            // later ones add aliases (and a Wikidata id where none is known). An entity that
            // no plugin names any more (kept because another plugin's rows point at it) takes
            // the next naming whole.
            entity: tx.prepare_cached(
                "INSERT INTO entity (id, kind, name, wikidata) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET
                   kind = iif(EXISTS (SELECT 1 FROM entity_source WHERE entity_id = ?1),
                              entity.kind, excluded.kind),
                   name = iif(EXISTS (SELECT 1 FROM entity_source WHERE entity_id = ?1),
                              entity.name, excluded.name),
                   wikidata = iif(EXISTS (SELECT 1 FROM entity_source WHERE entity_id = ?1),
                                  coalesce(entity.wikidata, excluded.wikidata), excluded.wikidata)",
            )?,
            source: tx.prepare_cached(
                "INSERT OR IGNORE INTO entity_source (entity_id, extractor) VALUES (?1, ?2)",
            )?,
            alias: tx.prepare_cached(
                "INSERT OR IGNORE INTO alias (entity_id, alias, norm_key, extractor)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            mention: tx.prepare_cached(
                "INSERT INTO mention (article_id, sentence_idx, start, \"end\", ent_type, level,
                                      entity_id, extractor, run_id, confidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            fact: tx.prepare_cached(
                "INSERT INTO fact (article_id, kind, sentence_idx, start, \"end\", fields,
                                   extractor, run_id, confidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            arg: tx.prepare_cached(
                "INSERT INTO fact_arg (fact_id, ord, role, mention_id, entity_id, fact_ref, literal)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            fields: Vec::new(),
            mention_ids: Vec::new(),
            fact_ids: Vec::new(),
            label: Label::default(),
        })
    }
}

/// Writes one article's extraction inside `tx` through `rows`, replacing the extractor's
/// earlier rows when `replace`.
#[allow(clippy::too_many_arguments)]
fn write_one(
    tx: &rusqlite::Transaction<'_>,
    rows: &mut Rows<'_>,
    named: &mut Named,
    path: &std::path::Path,
    run: RunId,
    extractor: &str,
    article: &ArticleId,
    extraction: &Extraction,
    replace: bool,
) -> Result<(), StoreError> {
    let sqlite = |source| StoreError::sqlite(path, source);
    if replace {
        delete_rows(tx, extractor, Some(article)).map_err(sqlite)?;
    }

    for entity in &extraction.entities {
        let key = (extractor.to_owned(), entity.id.clone());
        let known = named.by_plugin.get(&key).is_some_and(|naming| {
            naming.kind == entity.kind
                && naming.name == entity.name
                && naming.wikidata == entity.wikidata
        });
        if !known {
            rows.entity
                .execute(params![entity.id, entity.kind, entity.name, entity.wikidata])
                .map_err(sqlite)?;
            rows.source.execute(params![entity.id, extractor]).map_err(sqlite)?;
        }
        let naming = named.by_plugin.entry(key).or_insert_with(|| Naming {
            kind: String::new(),
            name: String::new(),
            wikidata: None,
            names: HashSet::new(),
        });
        if !known {
            naming.kind.clone_from(&entity.kind);
            naming.name.clone_from(&entity.name);
            naming.wikidata.clone_from(&entity.wikidata);
        }
        for name in std::iter::once(&entity.name).chain(&entity.aliases) {
            if naming.names.contains(name) {
                continue;
            }
            rows.alias.execute(params![entity.id, name, fold(name), extractor]).map_err(sqlite)?;
            naming.names.insert(name.clone());
            named.names += 1;
        }
    }

    rows.mention_ids.clear();
    for mention in &extraction.mentions {
        let p = &mention.provenance;
        rows.mention
            .execute(params![
                article.0,
                p.sentence as i64,
                p.span.start as i64,
                p.span.end as i64,
                mention.ent_type,
                mention.level.code(),
                mention.entity,
                rows.label.of(&p.extractor),
                run.0,
                p.confidence,
            ])
            .map_err(sqlite)?;
        rows.mention_ids.push(tx.last_insert_rowid());
    }

    rows.fact_ids.clear();
    for (idx, fact) in extraction.facts.iter().enumerate() {
        let p = &fact.provenance;
        rows.fields.clear();
        crate::plain::write_fields_json(&mut rows.fields, &fact.fields);
        let fields = std::str::from_utf8(&rows.fields).map_err(|err| StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("fields of a {} fact: {err}", fact.kind),
        })?;
        rows.fact
            .execute(params![
                article.0,
                fact.kind,
                p.sentence as i64,
                p.span.start as i64,
                p.span.end as i64,
                fields,
                rows.label.of(&p.extractor),
                run.0,
                p.confidence
            ])
            .map_err(sqlite)?;
        let fact_id = tx.last_insert_rowid();
        for (ord, arg) in fact.args.iter().enumerate() {
            let dangling = |what: &str, target: usize| StoreError::DanglingArg {
                path: path.to_path_buf(),
                extractor: extractor.to_owned(),
                fact: idx,
                detail: format!(
                    "argument `{}` points at {what} {target}, which does not exist",
                    arg.role
                ),
            };
            let (mention, entity, fact_ref, literal) = match &arg.target {
                ArgTarget::Mention(target) => (
                    Some(
                        *rows
                            .mention_ids
                            .get(*target)
                            .ok_or_else(|| dangling("mention", *target))?,
                    ),
                    None,
                    None,
                    None,
                ),
                ArgTarget::Entity(id) => (None, Some(id.as_str()), None, None),
                ArgTarget::Fact(target) => (
                    None,
                    None,
                    Some(*rows.fact_ids.get(*target).ok_or_else(|| dangling("fact", *target))?),
                    None,
                ),
                ArgTarget::Literal(value) => (None, None, None, serde_json::to_string(value).ok()),
            };
            rows.arg
                .execute(params![fact_id, ord as i64, arg.role, mention, entity, fact_ref, literal])
                .map_err(sqlite)?;
        }
        rows.fact_ids.push(fact_id);
    }
    Ok(())
}

/// The `name@version` of the extractor of the rows being written, rebuilt only when a row
/// names another one.
#[derive(Default)]
struct Label {
    of: Option<std::sync::Arc<ExtractorRef>>,
    text: String,
}

impl Label {
    fn of(&mut self, extractor: &std::sync::Arc<ExtractorRef>) -> &str {
        if !self.of.as_ref().is_some_and(|known| std::sync::Arc::ptr_eq(known, extractor)) {
            self.text = extractor.to_string();
            self.of = Some(extractor.clone());
        }
        &self.text
    }
}

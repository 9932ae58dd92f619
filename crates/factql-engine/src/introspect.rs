//! What a REPL needs to know about the loaded data to describe it and complete names: the
//! sources with their row counts, the fields of each row kind, the relation labels, the
//! declared kinds, the entities, the schema in effect at a point of a pipeline, and the
//! context (date, sentence) of a result row's evidence.
//!
//! Everything here reads the same catalog the checker uses, so what a REPL offers is exactly
//! what a query may say.

use factql_model::KindSchema;
use factql_syntax::{Statement, parse};

use crate::catalog::{self, Table, Ty};
use crate::check::{Checker, Context};
use crate::dataset::Dataset;
use crate::relation::{Column, Prov};

/// A source a query can start from.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    /// Its name (`articles`, `people`, `events`).
    pub name: String,
    /// The table its rows come from.
    pub table: Table,
    /// For entity sources: only entities of this kind.
    pub entity_kind: Option<&'static str>,
    /// How many rows it has.
    pub rows: usize,
}

/// A field of a row kind.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldInfo {
    /// The name (`title`, `speaker`).
    pub name: String,
    /// Its static type; a reference names the table it points to when known.
    pub ty: Ty,
}

/// An entity, as completion lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntityInfo<'a> {
    /// The canonical name.
    pub name: &'a str,
    /// Its kind (`person`, `place`, `org`).
    pub kind: &'a str,
    /// How many mentions it has.
    pub mentions: usize,
}

/// The names in scope at one stage of a pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct StageScope {
    /// The columns of the rows entering the stage (match variables, selected columns).
    pub columns: Vec<Column>,
    /// When the rows are still whole rows of a table (a source before any `select`), bare
    /// names are that table's fields; the first column is then the row itself.
    pub table: Option<Table>,
}

/// Where a result row's evidence sits: the article, its date and the whole sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceContext {
    /// Article id.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Publication date, as written in queries (`2022-03-15`), when known.
    pub published: Option<String>,
    /// The news source, when known.
    pub source: Option<String>,
    /// Sentence index in the article (0 is the title).
    pub sentence: usize,
    /// The whole sentence.
    pub sentence_text: String,
    /// The evidence's byte range within `sentence_text` (clamped to it).
    pub highlight: std::ops::Range<usize>,
}

impl Dataset {
    /// Every source with its row count: the built-in tables, entity kinds, fact kinds.
    pub fn sources(&self) -> Vec<SourceInfo> {
        catalog::sources(self)
            .into_iter()
            .map(|s| {
                let rows = match s.table {
                    Table::Article => self.live_articles as usize,
                    Table::Sentence => self.sentences.len(),
                    Table::Mention => self.mentions.len(),
                    Table::Entity => match s.entity_kind {
                        Some(kind) => self.entities.iter().filter(|e| *e.kind == *kind).count(),
                        None => self.entities.len(),
                    },
                    Table::Fact(kind) => self.kinds.get(kind as usize).map_or(0, |t| t.len()),
                };
                SourceInfo { name: s.name, table: s.table, entity_kind: s.entity_kind, rows }
            })
            .collect()
    }

    /// The fields of rows of `table`, in catalog order.
    pub fn fields(&self, table: Table) -> Vec<FieldInfo> {
        catalog::fields(self, table)
            .into_iter()
            .map(|f| FieldInfo { name: f.name, ty: f.ty })
            .collect()
    }

    /// The fields of the co-occurrence record a `near` edge binds.
    pub fn cooccurrence_fields(&self) -> Vec<FieldInfo> {
        catalog::cooc_fields().into_iter().map(|f| FieldInfo { name: f.name, ty: f.ty }).collect()
    }

    /// The labels an edge may have (`-[:label]->`): `mentions`, kinds with roles, `said`,
    /// and the event types found in the data; sorted.
    pub fn relation_labels(&self) -> Vec<String> {
        catalog::relation_labels(self)
    }

    /// The declared fact kinds with their fields and roles, and how many facts each has.
    pub fn fact_kinds(&self) -> Vec<(&KindSchema, usize)> {
        self.kinds.iter().map(|t| (&t.schema, t.len())).collect()
    }

    /// The entity kinds found in the data, each with its number of entities, sorted by kind.
    pub fn entity_kind_counts(&self) -> Vec<(String, usize)> {
        self.entity_kinds
            .iter()
            .map(|kind| (kind.clone(), self.entities.iter().filter(|e| *e.kind == **kind).count()))
            .collect()
    }

    /// Every entity with its kind and number of mentions, in store order.
    pub fn entities(&self) -> impl Iterator<Item = EntityInfo<'_>> {
        self.entities.iter().map(|e| EntityInfo {
            name: &e.name,
            kind: &e.kind,
            mentions: e.mentions.len(),
        })
    }

    /// The stored id of the entity at position `entity` (as a plan's entity literals name
    /// it), with its name and kind; `None` past the end.
    pub fn entity_at(&self, entity: u32) -> Option<(&str, EntityInfo<'_>)> {
        self.entities.get(entity as usize).map(|e| {
            (&*e.id, EntityInfo { name: &e.name, kind: &e.kind, mentions: e.mentions.len() })
        })
    }

    /// The article, date and whole sentence of a row's evidence, with the evidence's place
    /// in the sentence.
    pub fn evidence_context(&self, prov: &Prov) -> EvidenceContext {
        let evidence = self.evidence(prov);
        let article = &self.articles[prov.article as usize];
        let (sentence_text, sentence_start) = match self.sentences.get(prov.sentence as usize) {
            Some(s) if s.article == prov.article => {
                (self.sentence_text(prov.sentence).to_owned(), s.start as usize)
            }
            _ => (evidence.text.clone(), evidence.start),
        };
        let clamp = |offset: usize| {
            let mut at = offset.saturating_sub(sentence_start).min(sentence_text.len());
            while !sentence_text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let highlight = clamp(evidence.start)..clamp(evidence.end);
        EvidenceContext {
            article: evidence.article,
            title: evidence.title,
            published: article.published.as_ref().map(ToString::to_string),
            source: article.source.as_ref().map(ToString::to_string),
            sentence: evidence.sentence,
            sentence_text,
            highlight,
        }
    }
}

/// The schema in effect at byte `offset` of `source` (a script): the columns and table of
/// the rows entering the stage the offset is in, computed by checking the query's source and
/// the stages before that one. `None` when the offset is not in a query, or the source
/// itself does not check (an unknown source name).
///
/// Problems in the prefix are ignored: a stage that does not check leaves its names typed
/// `any`, as in a full check.
pub(crate) fn scope_at(
    ds: &Dataset,
    source: &str,
    offset: usize,
    ctx: &Context,
) -> Option<StageScope> {
    let parsed = parse(source);
    let mut ctx = ctx.clone();
    // The offset belongs to the last statement that starts at or before it (a statement's
    // span ends at its last token, the cursor may be past it).
    let mut found: Option<&Statement> = None;
    for statement in &parsed.script.statements {
        if statement.span().start > offset {
            break;
        }
        if let Some(Statement::Let(def)) = found {
            ctx.lets.insert(def.name.name.clone(), def.clone());
        }
        found = Some(statement);
    }
    match found? {
        Statement::Let(def) => scope_in_query(ds, &def.body, offset, &ctx),
        Statement::Query(query) => scope_in_query(ds, query, offset, &ctx),
        Statement::Meta(_) => None,
    }
}

fn scope_in_query(
    ds: &Dataset,
    query: &factql_syntax::Query,
    offset: usize,
    ctx: &Context,
) -> Option<StageScope> {
    // The cursor is in the last stage that starts before it, which sees the rows of the
    // stages before it; in the source, it sees the source's rows.
    let before = query.stages.iter().take_while(|stage| stage.span.start <= offset).count();
    let mut checker = Checker::new(ds, ctx);
    let (columns, table) = checker.scope_before(query, before.saturating_sub(1))?;
    Some(StageScope { columns, table })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn ds() -> Dataset {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        Dataset::load(&store).unwrap()
    }

    fn names(scope: &StageScope, ds: &Dataset) -> Vec<String> {
        let mut out: Vec<String> = scope.columns.iter().map(|c| c.name.clone()).collect();
        if let Some(table) = scope.table {
            out.extend(ds.fields(table).into_iter().map(|f| f.name));
        }
        out
    }

    #[test]
    fn the_scope_of_a_where_after_a_source_is_the_sources_fields() {
        let ds = ds();
        let text = "articles | where ";
        let scope = scope_at(&ds, text, text.len(), &Context::default()).unwrap();
        assert_eq!(scope.table, Some(Table::Article));
        assert!(names(&scope, &ds).contains(&"title".to_owned()));
    }

    #[test]
    fn the_scope_after_summarize_is_its_output_columns() {
        let ds = ds();
        let text = "events | summarize n = count() by type | where ";
        let scope = scope_at(&ds, text, text.len(), &Context::default()).unwrap();
        assert_eq!(scope.table, None);
        assert_eq!(names(&scope, &ds), ["type", "n"]);
        // In the middle of the summarize, the event's fields are in scope.
        let scope = scope_at(&ds, text, 22, &Context::default()).unwrap();
        assert_eq!(
            scope.table,
            Some(Table::Fact(
                ds.kinds.iter().position(|k| k.schema.name == "event").unwrap() as u16
            ))
        );
    }

    #[test]
    fn a_match_binds_its_variables() {
        let ds = ds();
        let text = "match (p:person) -[r:role]-> (b) | where ";
        let scope = scope_at(&ds, text, text.len(), &Context::default()).unwrap();
        let cols: Vec<&str> = scope.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, ["p", "b", "r"]);
        assert_eq!(scope.columns[0].ty, Ty::Ref(Some(Table::Entity)));
    }

    #[test]
    fn an_unknown_source_has_no_scope() {
        let ds = ds();
        assert_eq!(scope_at(&ds, "artcles | where ", 16, &Context::default()), None);
    }

    #[test]
    fn the_evidence_context_holds_the_sentence_and_the_span_inside_it() {
        let ds = ds();
        let (kind, _) = ds.fact_kinds().into_iter().find(|(k, _)| k.name == "quote").unwrap();
        assert_eq!(kind.name, "quote");
        let idx = ds.kinds.iter().position(|k| k.schema.name == "quote").unwrap();
        let t = &ds.kinds[idx];
        let prov = Prov {
            article: t.article[0],
            sentence: t.sentence[0],
            start: t.start[0],
            end: t.end[0],
        };
        let ctx = ds.evidence_context(&prov);
        let evidence = ds.evidence(&prov);
        assert_eq!(&ctx.sentence_text[ctx.highlight.clone()], evidence.text);
        assert!(ctx.sentence_text.len() >= evidence.text.len());
        assert!(ctx.published.is_some());
    }
}

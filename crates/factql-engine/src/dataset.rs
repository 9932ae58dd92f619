//! The store loaded into memory, with the indexes queries use: entity → mentions,
//! sentence → mentions, kind → facts, folded alias → entities.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use factql_model::{FieldType, KindSchema, Value, fold};
use factql_store::{ArgValue, EntityRow, Generation, Store};

use crate::EngineError;
use crate::catalog::{FieldKey, Table};
use crate::lazy::Lazy;
use crate::textindex::TextIndex;
use crate::texts::{Column, Text, WordStarts};
use crate::value::{DateRange, FxMap, Ref, Val};

pub(crate) struct ArticleRec {
    pub id: Arc<str>,
    pub origin: Arc<str>,
    pub title: Arc<str>,
    pub url: Option<Arc<str>>,
    pub source: Option<Arc<str>>,
    pub published: Option<DateRange>,
    pub lang: Option<Arc<str>>,
    /// The text: owned, or a range of the image's text section (read when first used).
    pub text: Text,
    /// Other input fields (JSON fields, HTML meta tags): key and value, in key order.
    pub meta: Vec<(Arc<str>, Arc<str>)>,
    /// The article that replaced this one (its input changed); `None` while it is live.
    pub superseded_by: Option<Arc<str>>,
    pub sentences: Range<u32>,
    pub tone: Option<f64>,
    /// Byte offset of the start of each word, for `near N words`.
    pub word_starts: WordStarts,
}

pub(crate) struct SentenceRec {
    pub article: u32,
    pub index: u32,
    pub paragraph: u32,
    pub start: u32,
    pub end: u32,
    pub is_title: bool,
    pub boilerplate: bool,
    pub tone: Option<f64>,
    /// Mentions in this sentence: a range of the mention table.
    pub mentions: Range<u32>,
}

/// A mention, kept small (40 bytes) because scans read millions of them: its short texts are
/// codes into [`Dataset::codes`].
pub(crate) struct MentionRec {
    pub article: u32,
    pub sentence: u32,
    pub start: u32,
    pub end: u32,
    pub entity: Option<u32>,
    /// Index of the word the mention starts at, in its article.
    pub word: u32,
    /// Entity kind: `person`, `place`, `org`, ... (from the entity, else the type).
    pub kind: u16,
    pub ent_type: u16,
    pub level: u16,
    pub extractor: u16,
    pub confidence: f32,
}

pub(crate) struct EntityRec {
    pub id: Arc<str>,
    pub kind: Arc<str>,
    pub name: Arc<str>,
    pub aliases: Arc<[Val]>,
    /// The Wikidata id (`Q2866`).
    pub wikidata: Option<Arc<str>>,
    /// This entity's mentions, in table order (so by article, then sentence).
    pub mentions: Vec<u32>,
    /// The distinct articles of those mentions, ascending.
    pub articles: Vec<u32>,
    /// For each field a group key may read ([`Dataset::class_of`]): the first entity whose
    /// value of that field is equal to this one's.
    pub class: [u32; CLASS_FIELDS],
}

/// The class of an entity whose field is null (an entity without a wikidata id): it groups
/// with the null key, as an unlinked mention does.
pub(crate) const NULL_CLASS: u32 = u32::MAX;

/// How many entity fields have classes: name, kind, id, wikidata.
const CLASS_FIELDS: usize = 4;

/// The mention fields scans filter and group on most, one vector each, so that a scan
/// over millions of mentions reads a few bytes per mention instead of a whole record.
#[derive(Default)]
pub(crate) struct MentionColumns {
    /// Entity kind code (as [`MentionRec::kind`]).
    pub kind: Column<u16>,
    /// Linked entity, or [`NO_ENTITY`].
    pub entity: Column<u32>,
    /// Article position.
    pub article: Column<u32>,
}

impl MentionColumns {
    /// The columns of `mentions`.
    pub(crate) fn of(mentions: &[MentionRec]) -> MentionColumns {
        MentionColumns {
            kind: Column::Owned(mentions.iter().map(|m| m.kind).collect()),
            entity: Column::Owned(mentions.iter().map(|m| m.entity.unwrap_or(NO_ENTITY)).collect()),
            article: Column::Owned(mentions.iter().map(|m| m.article).collect()),
        }
    }
}

/// A null date in a day column (no date is this interval).
pub(crate) const NULL_DAYS: [i32; 2] = [i32::MAX, i32::MIN];

/// The entity column's value for an unlinked mention.
pub(crate) const NO_ENTITY: u32 = u32::MAX;

/// Facts of one kind by what one of their roles holds.
#[derive(Default)]
pub(crate) struct RoleIndex {
    /// The row held → the positions (ascending) of the facts whose role holds it.
    pub by_target: FxMap<Ref, Vec<u32>>,
    /// The positions (ascending) of the facts whose role holds something other than an
    /// entity (an unlinked mention, a fact).
    pub not_entity: Vec<u32>,
}

/// The facts of one kind: its schema and row count, always at hand, and its columns, each of
/// which an image decodes when a query first reads it. `table.article` reads the column
/// through [`KindData`].
pub(crate) struct KindTable {
    pub schema: KindSchema,
    pub data: KindData,
}

impl std::ops::Deref for KindTable {
    type Target = KindData;

    fn deref(&self) -> &KindData {
        &self.data
    }
}

impl std::ops::DerefMut for KindTable {
    fn deref_mut(&mut self) -> &mut KindData {
        &mut self.data
    }
}

/// The facts of one kind, stored by column so that scanning one field reads memory in
/// order: `fields[f][i]` is field `f` of fact `i`, `roles[r][i]` the first target of role `r`.
#[derive(Default)]
pub(crate) struct KindData {
    /// Number of facts.
    pub rows: usize,
    pub article: Lazy<Vec<u32>>,
    pub sentence: Lazy<Vec<u32>>,
    pub start: Lazy<Vec<u32>>,
    pub end: Lazy<Vec<u32>>,
    pub fields: Vec<Lazy<Vec<Val>>>,
    pub roles: Vec<Lazy<Vec<Val>>>,
    pub extractor: Lazy<Vec<Arc<str>>>,
    pub confidence: Lazy<Vec<f64>>,
    pub id: Lazy<Vec<i64>>,
    /// One index per role: which facts hold a given entity (or mention) in that role.
    pub by_role: Vec<Lazy<RoleIndex>>,
    /// For each field that holds only dates (and nulls): the days `[start, end)` of each
    /// fact's date, [`NULL_DAYS`] for a null; scans test `date in @2022` on it.
    pub days: Vec<Lazy<Option<Vec<[i32; 2]>>>>,
}

impl KindTable {
    pub(crate) fn new(schema: KindSchema) -> KindTable {
        let data = KindData {
            fields: (0..schema.fields.len()).map(|_| Lazy::default()).collect(),
            roles: (0..schema.roles.len()).map(|_| Lazy::default()).collect(),
            ..KindData::default()
        };
        KindTable { schema, data }
    }

    /// Number of facts.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Field `field` of fact `row`.
    pub fn field(&self, field: usize, row: usize) -> &Val {
        &self.fields[field][row]
    }

    /// The first target of role `role` of fact `row`.
    pub fn role(&self, role: usize, row: usize) -> &Val {
        &self.roles[role][row]
    }
}

impl KindData {
    /// Builds the day columns once every fact is in.
    fn index_days(&mut self) {
        self.days = self.fields.iter().map(|column| Lazy::ready(days_of(column))).collect();
    }

    /// Builds the role indexes once every fact is in.
    fn index_roles(&mut self) {
        self.by_role = self.roles.iter().map(|column| Lazy::ready(role_index(column))).collect();
    }
}

/// The day column of a field column that holds only dates (and nulls).
pub(crate) fn days_of(column: &[Val]) -> Option<Vec<[i32; 2]>> {
    column
        .iter()
        .map(|value| match value {
            Val::Date(date) => Some([date.start, date.end]),
            Val::Null => Some(NULL_DAYS),
            _ => None,
        })
        .collect()
}

/// The index of a role column: which facts hold each target.
fn role_index(column: &[Val]) -> RoleIndex {
    let mut index = RoleIndex::default();
    for (i, value) in column.iter().enumerate() {
        if let Val::Ref(r) = value {
            index.by_target.entry(*r).or_default().push(i as u32);
            if !matches!(r, Ref::Entity(_)) {
                index.not_entity.push(i as u32);
            }
        }
    }
    index
}

/// Everything a query can read, in memory.
pub struct Dataset {
    /// Live articles first (`..live_articles`), then superseded versions, which only
    /// `articles(all)` reads; nothing else of theirs is loaded.
    pub(crate) articles: Lazy<Vec<ArticleRec>>,
    /// How many of [`Dataset::articles`] are live.
    pub(crate) live_articles: u32,
    /// The metadata keys of all articles, sorted; `meta.KEY` reads by position here.
    pub(crate) meta_keys: Vec<String>,
    pub(crate) sentences: Lazy<Vec<SentenceRec>>,
    pub(crate) mentions: Lazy<Vec<MentionRec>>,
    /// The hottest mention fields again, by column, for scans.
    pub(crate) mention_cols: Lazy<MentionColumns>,
    pub(crate) entities: Lazy<Vec<EntityRec>>,
    pub(crate) kinds: Vec<KindTable>,
    /// Folded name or alias → entities.
    pub(crate) entity_keys: Lazy<HashMap<String, Vec<u32>>>,
    /// The short texts of mentions (kinds, types, levels, extractors), by code.
    pub(crate) codes: Codes,
    /// The distinct entity kinds, sorted.
    pub(crate) entity_kinds: Vec<String>,
    /// For kinds with a `type` field and two roles: (kind, field, the distinct type values),
    /// which are edge labels of patterns (`-[:invite]->`).
    pub(crate) type_labels: Vec<(u16, u16, Vec<Arc<str>>)>,
    /// Field name → key, per table (articles, sentences, mentions, entities, then one per
    /// fact kind), for fields looked up by name at run time.
    pub(crate) field_keys: Vec<HashMap<String, FieldKey>>,
    /// Folded word → articles, for `has` and the terms of `near`.
    pub(crate) words: Lazy<TextIndex>,
    /// The image the sections not yet read come from (`None` when read from the store).
    pub(crate) image: Option<Arc<crate::image::Source>>,
    /// The store's identity and generation this data was read at (`None` for a store
    /// without the generation table: one opened read-only before its migration).
    pub(crate) generation: Option<Generation>,
}

impl Dataset {
    /// Loads every article, sentence, entity, mention and fact of `store`, all read in one
    /// read transaction (one snapshot of the store, with its generation).
    pub fn load(store: &Store) -> Result<Dataset, EngineError> {
        store.snapshot(|store| {
            // A store without a generation (one opened read-only before its migration to
            // version 3) still loads; only no image can be made of it.
            let generation = store.generation().ok();
            let mut dataset = Dataset::load_rows(store)?;
            dataset.generation = generation;
            Ok(dataset)
        })
    }

    /// [`Dataset::load`] without the snapshot.
    fn load_rows(store: &Store) -> Result<Dataset, EngineError> {
        let mut articles = Vec::new();
        let mut superseded = Vec::new();
        // Only live articles are indexed by id, so the sentences, mentions and facts of a
        // superseded version are not loaded: every source shows live versions only.
        let mut article_idx: HashMap<String, u32> = HashMap::new();
        let mut meta_interner = Interner::default();
        store.for_each_article(|row| {
            let live = row.superseded_by.is_none();
            if live {
                article_idx.insert(row.id.clone(), articles.len() as u32);
            }
            let meta: Vec<(Arc<str>, Arc<str>)> = row
                .meta
                .into_iter()
                .map(|(key, value)| (meta_interner.get(&key), meta_interner.get(&value)))
                .collect();
            let word_starts = word_starts(&row.text);
            let list = if live { &mut articles } else { &mut superseded };
            list.push(ArticleRec {
                meta,
                superseded_by: row.superseded_by.map(Arc::from),
                id: row.id.into(),
                origin: row.origin.into(),
                title: row.title.into(),
                url: row.url.map(Arc::from),
                source: row.source.map(Arc::from),
                published: row.published.as_deref().and_then(DateRange::parse),
                lang: row.lang.map(Arc::from),
                text: Text::Owned(row.text.into()),
                sentences: 0..0,
                tone: None,
                word_starts: WordStarts::Owned(word_starts),
            });
        })?;
        articles.extend(superseded);

        let mut sentences: Vec<SentenceRec> = Vec::new();
        store.for_each_sentence(|row| {
            let Some(&article) = article_idx.get(&row.article) else { return };
            let global = sentences.len() as u32;
            let range = &mut articles[article as usize].sentences;
            if range.start == range.end {
                *range = global..global;
            }
            range.end = global + 1;
            sentences.push(SentenceRec {
                article,
                index: row.index as u32,
                paragraph: row.paragraph as u32,
                start: row.span.start as u32,
                end: row.span.end as u32,
                is_title: row.is_title,
                boilerplate: row.boilerplate,
                tone: None,
                mentions: 0..0,
            });
        })?;
        let global_sentence =
            |articles: &[ArticleRec], article: u32, index: usize| -> Option<u32> {
                let range = &articles[article as usize].sentences;
                let global = range.start + index as u32;
                (global < range.end).then_some(global)
            };

        let mut interner = Interner::default();
        let mut entities = Vec::new();
        let mut entity_idx: HashMap<String, u32> = HashMap::new();
        let mut entity_keys: HashMap<String, Vec<u32>> = HashMap::new();
        store.for_each_entity(|row| {
            let EntityRow { id, kind, name, aliases, wikidata } = row;
            let idx = entities.len() as u32;
            // A `wd:` id is a Wikidata id too.
            let wikidata = wikidata.or_else(|| id.strip_prefix("wd:").map(str::to_owned));
            for alias in std::iter::once(&name).chain(&aliases) {
                let slot = entity_keys.entry(fold(alias)).or_default();
                if !slot.contains(&idx) {
                    slot.push(idx);
                }
            }
            entity_idx.insert(id.clone(), idx);
            entities.push(EntityRec {
                id: id.into(),
                // One shared copy per kind, so kind checks compare pointers.
                kind: interner.get(&kind),
                name: name.into(),
                aliases: aliases.iter().map(|alias| Val::str(alias)).collect(),
                wikidata: wikidata.map(Into::into),
                mentions: Vec::new(),
                articles: Vec::new(),
                class: [idx; CLASS_FIELDS],
            });
        })?;

        let mut codes = Codes::default();
        let mut mentions: Vec<MentionRec> = Vec::new();
        let mut mention_idx: HashMap<i64, u32> = HashMap::new();
        store.for_each_mention(|row| {
            let Some(&article) = article_idx.get(&row.article) else { return };
            let Some(sentence) = global_sentence(&articles, article, row.sentence) else { return };
            let entity = row.entity.as_ref().and_then(|id| entity_idx.get(id)).copied();
            let kind = match entity {
                Some(entity) => codes.code(&entities[entity as usize].kind),
                None => codes.code(factql_model::stored_mention_kind(&row.ent_type)),
            };
            let idx = mentions.len() as u32;
            if let Some(entity) = entity {
                entities[entity as usize].mentions.push(idx);
            }
            let words = &articles[article as usize].word_starts;
            let word = words
                .partition_point(|&start| start <= row.span.start as u32)
                .saturating_sub(1) as u32;
            mention_idx.insert(row.id, idx);
            mentions.push(MentionRec {
                article,
                sentence,
                start: row.span.start as u32,
                end: row.span.end as u32,
                entity,
                word,
                kind,
                ent_type: codes.code(&row.ent_type),
                level: codes.code(&row.level),
                extractor: codes.code(&row.extractor),
                confidence: row.confidence as f32,
            });
        })?;
        // Mentions arrive ordered by (article id, sentence, start), the same order as sentences.
        let mut cursor = 0u32;
        for (global, sentence) in sentences.iter_mut().enumerate() {
            let start = cursor;
            while (cursor as usize) < mentions.len()
                && mentions[cursor as usize].sentence == global as u32
            {
                cursor += 1;
            }
            sentence.mentions = start..cursor;
        }
        for entity in &mut entities {
            for &m in &entity.mentions {
                let article = mentions[m as usize].article;
                if entity.articles.last() != Some(&article) {
                    entity.articles.push(article);
                }
            }
        }
        assign_classes(&mut entities);

        let schema = store.schema()?;
        let mut kinds: Vec<KindTable> =
            schema.kinds().map(|kind| KindTable::new(kind.clone())).collect();
        let kind_idx: HashMap<String, usize> =
            kinds.iter().enumerate().map(|(idx, table)| (table.schema.name.clone(), idx)).collect();
        let mut fact_idx: HashMap<i64, (u16, u32)> = HashMap::new();
        let mut pending_fact_refs = Vec::new();
        store.for_each_fact(|row| {
            let (Some(&kind), Some(&article)) =
                (kind_idx.get(&row.kind), article_idx.get(&row.article))
            else {
                return;
            };
            let Some(sentence) = global_sentence(&articles, article, row.sentence) else { return };
            let table = &mut kinds[kind];
            let fields: Vec<Val> = table
                .schema
                .fields
                .iter()
                .map(|def| {
                    row.fields
                        .get(&def.name)
                        .map_or(Val::Null, |value| value_to_val(value, &def.ty, &mut interner))
                })
                .collect();
            let mut roles = vec![Val::Null; table.schema.roles.len()];
            for (role, target) in &row.args {
                let Some(slot) = table.schema.roles.iter().position(|r| r == role) else {
                    continue;
                };
                if !roles[slot].is_null() {
                    continue;
                }
                roles[slot] = match target {
                    ArgValue::Mention(id) => match mention_idx.get(id) {
                        Some(&m) => match mentions[m as usize].entity {
                            Some(entity) => Val::Ref(Ref::Entity(entity)),
                            None => Val::Ref(Ref::Mention(m)),
                        },
                        None => Val::Null,
                    },
                    ArgValue::Entity(id) => {
                        entity_idx.get(id).map_or(Val::Null, |&e| Val::Ref(Ref::Entity(e)))
                    }
                    ArgValue::Fact(id) => {
                        pending_fact_refs.push((kind, table.len(), slot, *id));
                        Val::Null
                    }
                    ArgValue::Literal(value) => value_to_val(value, &FieldType::Str, &mut interner),
                };
            }
            fact_idx.insert(row.id, (kind as u16, table.len() as u32));
            table.article.push(article);
            table.sentence.push(sentence);
            table.start.push(row.span.start as u32);
            table.end.push(row.span.end as u32);
            for (column, value) in table.fields.iter_mut().zip(fields) {
                column.push(value);
            }
            for (column, value) in table.roles.iter_mut().zip(roles) {
                column.push(value);
            }
            table.extractor.push(interner.get(&row.extractor));
            table.confidence.push(row.confidence);
            table.id.push(row.id);
        })?;
        for (kind, row, slot, id) in pending_fact_refs {
            if let Some(&(k, i)) = fact_idx.get(&id) {
                kinds[kind].roles[slot][row] = Val::Ref(Ref::Fact(k, i));
            }
        }
        for table in &mut kinds {
            table.rows = table.id.len();
            table.index_roles();
        }

        let mut type_labels = Vec::new();
        for (idx, table) in kinds.iter().enumerate() {
            let Some(field) = table.schema.fields.iter().position(|f| f.name == "type") else {
                continue;
            };
            if table.schema.roles.len() < 2 {
                continue;
            }
            let mut values: Vec<Arc<str>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for value in &table.fields[field] {
                if let Val::Str(value) = value
                    && seen.insert(value.clone())
                {
                    values.push(value.clone());
                }
            }
            values.sort();
            type_labels.push((idx as u16, field as u16, values));
        }
        let words = TextIndex::build(articles.iter().map(|a| &*a.text));
        let mut dataset = Dataset {
            articles: Lazy::ready(articles),
            live_articles: 0,
            meta_keys: Vec::new(),
            sentences: Lazy::ready(sentences),
            mentions: Lazy::ready(mentions),
            mention_cols: Lazy::default(),
            entities: Lazy::ready(entities),
            kinds,
            entity_keys: Lazy::ready(entity_keys),
            codes,
            entity_kinds: Vec::new(),
            type_labels,
            field_keys: Vec::new(),
            words: Lazy::ready(words),
            image: None,
            generation: None,
        };
        dataset.derive_columns();
        dataset.derive();
        Ok(dataset)
    }

    /// Computes, once every row of the store is read, what the image keeps ready in its
    /// sections: the mention columns, the day columns, tone.
    fn derive_columns(&mut self) {
        self.mention_cols = Lazy::ready(MentionColumns::of(&self.mentions));
        for table in &mut self.kinds {
            table.index_days();
        }
        self.attach_tone();
    }

    /// Computes what follows from the rest (the image keeps it in its head): the
    /// live-article count, the metadata keys, the entity kinds; and the field keys.
    fn derive(&mut self) {
        // live articles come first; the metadata keys are those of every version
        self.live_articles =
            self.articles.iter().take_while(|a| a.superseded_by.is_none()).count() as u32;
        let meta_keys: std::collections::BTreeSet<&str> =
            self.articles.iter().flat_map(|a| a.meta.iter().map(|(key, _)| &**key)).collect();
        self.meta_keys = meta_keys.into_iter().map(str::to_owned).collect();
        let mut entity_kinds: Vec<String> =
            self.entities.iter().map(|e| e.kind.to_string()).collect();
        entity_kinds.sort();
        entity_kinds.dedup();
        self.entity_kinds = entity_kinds;
        self.derive_field_keys();
    }

    /// The field keys of every table, from the kind schemas.
    pub(crate) fn derive_field_keys(&mut self) {
        let dataset = &*self;
        let tables = [Table::Article, Table::Sentence, Table::Mention, Table::Entity]
            .into_iter()
            .chain((0..dataset.kinds.len() as u16).map(Table::Fact));
        let field_keys = tables
            .map(|table| {
                crate::catalog::fields(dataset, table)
                    .into_iter()
                    .map(|f| (f.name, f.key))
                    .collect()
            })
            .collect();
        self.field_keys = field_keys;
    }

    /// Convention: facts of a kind named `tone` with a float field `compound` and a string
    /// field `scope` give `articles.tone` (scope `article`, averaged) and `sentences.tone`
    /// (scope `sentence`).
    fn attach_tone(&mut self) {
        let Some(table) = self.kinds.iter().find(|table| table.schema.name == "tone") else {
            return;
        };
        let field = |name: &str| table.schema.fields.iter().position(|def| def.name == name);
        let (Some(compound), Some(scope)) = (field("compound"), field("scope")) else { return };
        let mut article_sums: HashMap<u32, (f64, u32)> = HashMap::new();
        for fact in 0..table.len() {
            let (Some(value), Val::Str(kind)) =
                (table.field(compound, fact).as_f64(), table.field(scope, fact))
            else {
                continue;
            };
            match &**kind {
                "article" | "document" => {
                    let slot = article_sums.entry(table.article[fact]).or_default();
                    slot.0 += value;
                    slot.1 += 1;
                }
                "sentence" => self.sentences[table.sentence[fact] as usize].tone = Some(value),
                _ => {}
            }
        }
        for (article, (sum, n)) in article_sums {
            self.articles[article as usize].tone = Some(sum / f64::from(n));
        }
    }

    /// Entities whose name or an alias folds to the same key as `name`, optionally of one kind.
    pub(crate) fn entities_named(&self, name: &str, kind: Option<&str>) -> Vec<u32> {
        let mut found: Vec<u32> = self
            .entity_keys
            .get(&fold(name))
            .map(|ids| {
                ids.iter()
                    .copied()
                    .filter(|&e| kind.is_none_or(|k| *self.entities[e as usize].kind == *k))
                    .collect()
            })
            .unwrap_or_default();
        found.sort_unstable();
        found
    }

    /// The group key entity `e` stands for when rows are grouped by its `field` (name, kind,
    /// id or wikidata): the first entity with an equal value of that field, or [`NULL_CLASS`]
    /// when the value is null. Grouping by it is grouping by the value, without reading or
    /// hashing the value per row; `None` for a field that has no classes.
    pub(crate) fn class_of(&self, field: FieldKey, e: u32) -> Option<u32> {
        let slot = class_slot(field)?;
        Some(self.entities[e as usize].class[slot])
    }

    /// The shared copy of an entity kind's name, so that kind checks compare pointers; a
    /// kind no entity has gets its own copy (and matches nothing).
    pub(crate) fn shared_kind(&self, kind: &str) -> Arc<str> {
        self.entities
            .iter()
            .find(|e| *e.kind == *kind)
            .map_or_else(|| Arc::from(kind), |e| e.kind.clone())
    }

    /// The text of a sentence.
    pub(crate) fn sentence_text(&self, sentence: u32) -> &str {
        let s = &self.sentences[sentence as usize];
        self.articles[s.article as usize].text.get(s.start as usize..s.end as usize).unwrap_or("")
    }

    /// Number of rows per table, for `explain`.
    pub fn counts(&self) -> Vec<(String, usize)> {
        let mut counts = vec![
            ("articles".to_owned(), self.live_articles as usize),
            ("sentences".to_owned(), self.sentences.len()),
            ("mentions".to_owned(), self.mentions.len()),
            ("entities".to_owned(), self.entities.len()),
        ];
        counts.extend(self.kinds.iter().map(|table| (table.schema.name.clone(), table.len())));
        counts
    }
}

/// Which entity fields have classes, and where each is kept in [`EntityRec::class`].
pub(crate) fn class_slot(field: FieldKey) -> Option<usize> {
    match field {
        FieldKey::EntityName => Some(0),
        FieldKey::EntityKind => Some(1),
        FieldKey::EntityId => Some(2),
        FieldKey::EntityWikidata => Some(3),
        _ => None,
    }
}

/// Sets every entity's classes: for each field, the first entity with an equal value.
fn assign_classes(entities: &mut [EntityRec]) {
    let wikidata = |e: &EntityRec| e.wikidata.as_deref().map(str::to_owned);
    for slot in 0..CLASS_FIELDS {
        let mut first: HashMap<String, u32> = HashMap::new();
        for (idx, entity) in entities.iter_mut().enumerate() {
            let value = match slot {
                0 => Some(entity.name.to_string()),
                1 => Some(entity.kind.to_string()),
                2 => Some(entity.id.to_string()),
                _ => wikidata(entity),
            };
            // A null value groups with every other null, linked entity or not.
            entity.class[slot] = match value {
                Some(value) => *first.entry(value).or_insert(idx as u32),
                None => NULL_CLASS,
            };
        }
    }
}

/// Converts a stored value to a run-time value of the declared type.
pub(crate) fn value_to_val(value: &Value, ty: &FieldType, interner: &mut Interner) -> Val {
    match value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(n) if *ty == FieldType::Float => Val::Float(*n as f64),
        Value::Int(n) => Val::Int(*n),
        Value::Float(x) => Val::Float(*x),
        // Short strings are categories (an event type, a verb): one shared copy each keeps
        // scans over them in cache. Long ones (quote texts) are unique and stay apart.
        Value::Str(s) if s.len() <= 32 => Val::Str(interner.get(s)),
        Value::Str(s) => Val::str(s),
        Value::Date(d) => DateRange::parse(d).map_or(Val::Null, Val::Date),
        Value::Interval(from, to) => Val::Date(DateRange::between(
            from.as_deref().and_then(DateRange::parse),
            to.as_deref().and_then(DateRange::parse),
        )),
        Value::List(items) => {
            let element = match ty {
                FieldType::List(element) => element.as_ref(),
                other => other,
            };
            Val::List(items.iter().map(|item| value_to_val(item, element, interner)).collect())
        }
    }
}

/// Byte offsets where words (runs of non-whitespace) start.
fn word_starts(text: &str) -> Vec<u32> {
    let mut starts = Vec::new();
    let mut in_word = false;
    for (idx, c) in text.char_indices() {
        let space = c.is_whitespace();
        if !space && !in_word {
            starts.push(idx as u32);
        }
        in_word = !space;
    }
    starts
}

/// A dictionary of short texts: each distinct text gets a `u16` code.
#[derive(Default)]
pub(crate) struct Codes {
    pub(crate) texts: Vec<Arc<str>>,
    index: HashMap<String, u16>,
}

impl Codes {
    /// The code of `text`, added if new. Past 65,535 distinct texts, the last code is reused
    /// for every new text (mention kinds, types, levels and extractors never come near).
    fn code(&mut self, text: &str) -> u16 {
        if let Some(&code) = self.index.get(text) {
            return code;
        }
        let code = u16::try_from(self.texts.len()).unwrap_or(u16::MAX);
        if usize::from(code) == self.texts.len() {
            self.texts.push(Arc::from(text));
            self.index.insert(text.to_owned(), code);
        }
        code
    }

    /// Appends `text` with the next code (reading an image, whose codes are distinct).
    pub(crate) fn push(&mut self, text: Arc<str>) {
        let code = u16::try_from(self.texts.len()).unwrap_or(u16::MAX);
        self.index.entry(text.to_string()).or_insert(code);
        self.texts.push(text);
    }

    /// Whether equal codes mean equal texts (no text had to share the last code).
    pub(crate) fn exact(&self) -> bool {
        self.texts.len() < usize::from(u16::MAX)
    }

    /// The code of `text`, if some mention uses it.
    pub(crate) fn find(&self, text: &str) -> Option<u16> {
        self.index.get(text).copied()
    }

    /// The text of a code.
    pub(crate) fn text(&self, code: u16) -> &Arc<str> {
        &self.texts[usize::from(code).min(self.texts.len().saturating_sub(1))]
    }
}

/// Shares one allocation among equal short strings (types, levels, extractor names).
#[derive(Default)]
pub(crate) struct Interner(HashMap<String, Arc<str>>);

impl Interner {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(text.to_owned(), shared.clone());
        shared
    }
}

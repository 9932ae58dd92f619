//! The export run: the store's rows, read by its bulk readers, into the tables of
//! `docs/export.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use factql_model::{KindSchema, Value, fold};
use factql_store::{ArgValue, Store};

use crate::dataset::{self, Held};
use crate::dates::{self, Dated};
use crate::layout::{self, ColumnType, DatePart, FOLD_VERSION, SCHEMA_FILE, Table, UNDATED};
use crate::writer::{Cell, TableWriter};
use crate::{DatasetSchema, ExportError, Partitioning, Run, StoreInfo};

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// `--since YYYY-MM-DD`: append the articles ingested on or after this day (UTC) that the
    /// dataset does not hold; `None` exports everything, replacing the dataset's tables.
    pub since: Option<String>,
    /// Also write `article_text` (a full export only; `--since` follows the dataset).
    pub with_text: bool,
}

/// What a run wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportReport {
    /// The run's number.
    pub run: u32,
    /// Article versions written.
    pub articles: u64,
    /// Rows written per table (tables with none are listed with 0).
    pub rows: BTreeMap<String, u64>,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Partitions rewritten whole (`--since` only).
    pub rewritten_partitions: Vec<String>,
    /// Files of earlier runs removed (replaced, or left by a crashed run).
    pub removed_files: usize,
}

impl ExportReport {
    /// Rows written, all tables.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// Exports `store` to `dir` (`docs/export.md`), in one read transaction of the store.
pub fn export(
    store: &Store,
    dir: &Path,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    store.snapshot(|store| run(store, dir, options))
}

/// A selected article version.
struct Art {
    row: factql_store::ArticleRow,
    dated: Option<Dated>,
    partition: String,
    live: bool,
    sentences: Vec<Sent>,
    tone: (f64, u32),
}

struct Sent {
    paragraph: u32,
    start: u32,
    end: u32,
    is_title: bool,
    boilerplate: bool,
    tone: Option<f64>,
}

fn partition_of(dated: Option<Dated>) -> String {
    dated.map_or_else(|| UNDATED.to_owned(), |d| dates::month_key(d.lo))
}

fn date_cell(dated: Option<Dated>) -> Cell<'static> {
    dated.map_or(Cell::Null, |d| Cell::Date(d.lo))
}

/// `--since`'s day, checked.
fn check_since(text: &str) -> Result<String, ExportError> {
    match dates::parse(text) {
        Some(d) if d.precision == dates::Precision::Day && text.len() == 10 => Ok(text.to_owned()),
        _ => Err(ExportError::BadSince { text: text.to_owned() }),
    }
}

fn run(store: &Store, dir: &Path, options: &ExportOptions) -> Result<ExportReport, ExportError> {
    let since = options.since.as_deref().map(check_since).transpose()?;
    let previous = dataset::read_schema(dir)?;
    let generation = store.generation()?;
    let kinds: BTreeMap<String, KindSchema> =
        store.schema()?.kinds().map(|kind| (kind.name.clone(), kind.clone())).collect();
    let mut removed_files = 0;

    // The dataset appended to, checked; the articles it holds.
    let mut held: HashMap<String, Held> = HashMap::new();
    let mut all_kinds = kinds.clone();
    let mut with_text = options.with_text;
    if since.is_some() {
        let Some(previous) = &previous else {
            return Err(ExportError::NoDataset { path: dir.to_path_buf() });
        };
        if previous.format != layout::FORMAT || previous.format_version != layout::FORMAT_VERSION {
            return Err(ExportError::FormatVersion {
                path: dir.to_path_buf(),
                found: previous.format_version,
                supported: layout::FORMAT_VERSION,
            });
        }
        if previous.store.identity != generation.identity {
            return Err(ExportError::OtherStore {
                path: dir.to_path_buf(),
                found: previous.store.identity.clone(),
                store: generation.identity.clone(),
            });
        }
        for (name, kind) in &previous.kinds {
            match kinds.get(name) {
                Some(now) if now != kind => {
                    return Err(ExportError::KindChanged {
                        path: dir.to_path_buf(),
                        kind: name.clone(),
                    });
                }
                Some(_) => {}
                // A kind no longer declared keeps its table and rows.
                None => {
                    all_kinds.insert(name.clone(), kind.clone());
                }
            }
        }
        with_text = previous.table("article_text").is_some();
    }

    let run_no = previous.as_ref().and_then(|p| p.runs.last()).map_or(0, |r| r.run) + 1;
    let tables = layout::tables(all_kinds.values(), with_text);
    if let Some(previous) = &previous {
        // Files of a run that crashed before its schema file (numbered like this run) go
        // first, in the old tables and the new.
        removed_files += dataset::remove_stale(dir, previous, &tables)?;
        if since.is_some() {
            held = dataset::held_articles(dir, previous)?;
        }
    }
    let mut out = Writers::new(dir, &tables, run_no);

    // Partitions to rewrite whole: those holding an article whose live status changed.
    let mut rewrite: BTreeSet<String> = BTreeSet::new();
    if since.is_some() {
        store.for_each_article(|row| {
            if let Some(was) = held.get(&row.id)
                && was.live != row.superseded_by.is_none()
            {
                rewrite.insert(was.partition.clone());
            }
        })?;
    }

    // Articles selected, in id order.
    let mut arts: Vec<Art> = Vec::new();
    store.for_each_article(|row| {
        let dated = row.published.as_deref().and_then(dates::parse);
        let partition = partition_of(dated);
        let chosen = match &since {
            None => true,
            Some(day) => {
                rewrite.contains(&partition)
                    || (row.ingested_at.as_str() >= day.as_str() && !held.contains_key(&row.id))
            }
        };
        if chosen {
            let live = row.superseded_by.is_none();
            arts.push(Art { row, dated, partition, live, sentences: Vec::new(), tone: (0.0, 0) });
        }
    })?;
    // Superseded versions keep no text: none of their rows are exported.
    for art in arts.iter_mut().filter(|a| !a.live) {
        art.row.text = String::new();
    }
    let index: HashMap<String, usize> = arts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.live)
        .map(|(i, a)| (a.row.id.clone(), i))
        .collect();

    // Entities: the whole dimension, every run.
    let mut entity_ids: Vec<String> = Vec::new();
    let mut entity_kinds: Vec<String> = Vec::new();
    let mut aliases: Vec<(String, String, String)> = Vec::new();
    store.for_each_entity(|row| {
        entity_ids.push(row.id.clone());
        entity_kinds.push(row.kind.clone());
        for alias in &row.aliases {
            aliases.push((fold(alias), row.id.clone(), alias.clone()));
        }
        let wikidata =
            row.wikidata.clone().or_else(|| row.id.strip_prefix("wd:").map(str::to_owned));
        let name_fold = fold(&row.name);
        out.push(
            "entities",
            "",
            &[
                Cell::Str(&row.id),
                Cell::Str(&row.kind),
                Cell::Str(&row.name),
                Cell::Str(&name_fold),
                Cell::from(wikidata.as_deref()),
            ],
        );
    })?;
    aliases.sort();
    aliases.dedup();
    for (alias_fold, entity, alias) in &aliases {
        out.push(
            "aliases",
            "",
            &[
                Cell::Str(alias_fold),
                Cell::Str(entity),
                Cell::Str(alias),
                Cell::I32(FOLD_VERSION as i32),
            ],
        );
    }
    let entity_index = |id: &str| entity_ids.binary_search_by(|e| e.as_str().cmp(id)).ok();

    // Sentences: kept per article until the facts (their tone) are read.
    store.for_each_sentence(|row| {
        let Some(&i) = index.get(&row.article) else { return };
        arts[i].sentences.push(Sent {
            paragraph: row.paragraph as u32,
            start: row.span.start as u32,
            end: row.span.end as u32,
            is_title: row.is_title,
            boilerplate: row.boilerplate,
            tone: None,
        });
    })?;
    let paragraph_of =
        |art: &Art, sentence: usize| art.sentences.get(sentence).map_or(0, |s| s.paragraph) as i32;

    // Mentions, and the co-occurrences of each sentence's linked entities.
    let mut mention_entity: Vec<(i64, u32)> = Vec::new();
    let mut group: Option<(usize, usize)> = None;
    let mut linked: Vec<u32> = Vec::new();
    store.for_each_mention(|row| {
        let Some(&i) = index.get(&row.article) else { return };
        if group != Some((i, row.sentence)) {
            if let Some((gi, gs)) = group {
                cooc(
                    &mut out,
                    &arts[gi],
                    gs,
                    paragraph_of(&arts[gi], gs),
                    &mut linked,
                    &entity_ids,
                    &entity_kinds,
                );
            }
            group = Some((i, row.sentence));
        }
        let art = &arts[i];
        let entity = row.entity.as_deref().and_then(entity_index);
        if let Some(e) = entity {
            mention_entity.push((row.id, e as u32));
            linked.push(e as u32);
        }
        let kind = match entity {
            Some(e) => entity_kinds[e].as_str(),
            None => factql_model::stored_mention_kind(&row.ent_type),
        };
        let surface = art.row.text.get(row.span.start..row.span.end).unwrap_or("");
        out.push(
            "mentions",
            &art.partition,
            &[
                Cell::I64(row.id),
                Cell::Str(&art.row.id),
                date_cell(art.dated),
                Cell::I32(row.sentence as i32),
                Cell::I32(paragraph_of(art, row.sentence)),
                Cell::I32(row.span.start as i32),
                Cell::I32(row.span.end as i32),
                Cell::from(entity.map(|e| entity_ids[e].as_str())),
                Cell::Str(kind),
                Cell::Str(&row.ent_type),
                Cell::Str(&row.level),
                Cell::Str(surface),
                Cell::Str(&row.extractor),
                Cell::F64(row.confidence),
            ],
        );
    })?;
    if let Some((gi, gs)) = group {
        cooc(
            &mut out,
            &arts[gi],
            gs,
            paragraph_of(&arts[gi], gs),
            &mut linked,
            &entity_ids,
            &entity_kinds,
        );
    }
    mention_entity.sort_unstable();

    // Facts, their arguments, and the tone they give sentences and articles.
    let fact_tables: HashMap<String, (String, Vec<layout::Column>)> = tables
        .iter()
        .filter_map(|t| {
            let kind = t.fact_kind.clone()?;
            Some((kind, (t.name.clone(), t.columns[layout::FACT_BASE.len()..].to_vec())))
        })
        .collect();
    let mut scratch: Vec<String> = Vec::new();
    store.for_each_fact(|row| {
        let Some(&i) = index.get(&row.article) else { return };
        let Some((table_name, fields)) = fact_tables.get(&row.kind) else {
            out.fail(ExportError::Internal(format!(
                "fact {} of undeclared kind {}",
                row.id, row.kind
            )));
            return;
        };
        if row.kind == "tone"
            && let (Some(compound), Some(Value::Str(scope))) = (
                match row.fields.get("compound") {
                    Some(Value::Float(x)) => Some(*x),
                    Some(Value::Int(n)) => Some(*n as f64),
                    _ => None,
                },
                row.fields.get("scope"),
            )
        {
            match scope.as_str() {
                "article" | "document" => {
                    arts[i].tone.0 += compound;
                    arts[i].tone.1 += 1;
                }
                "sentence" => {
                    if let Some(sentence) = arts[i].sentences.get_mut(row.sentence) {
                        sentence.tone = Some(compound);
                    }
                }
                _ => {}
            }
        }
        let art = &arts[i];
        let evidence = art.row.text.get(row.span.start..row.span.end).unwrap_or("");
        let paragraph = paragraph_of(art, row.sentence);
        let mut cells: Vec<Cell<'_>> = vec![
            Cell::I64(row.id),
            Cell::Str(&art.row.id),
            date_cell(art.dated),
            Cell::I32(row.sentence as i32),
            Cell::I32(paragraph),
            Cell::I32(row.span.start as i32),
            Cell::I32(row.span.end as i32),
            Cell::Str(evidence),
            Cell::Str(&row.extractor),
            Cell::F64(row.confidence),
        ];
        // Texts made for this row (intervals, lists) live in `scratch` while the row is pushed.
        scratch.clear();
        for column in fields {
            let value = column.field.as_deref().and_then(|f| row.fields.get(f));
            if let Some(text) = made_text(column.ty, column.part, value) {
                scratch.push(text);
            }
        }
        let mut made = scratch.iter();
        for column in fields {
            let value = column.field.as_deref().and_then(|f| row.fields.get(f));
            let cell = match made_text(column.ty, column.part, value) {
                Some(_) => made.next().map_or(Cell::Null, |s| Cell::Str(s)),
                None => field_cell(column.ty, column.part, value),
            };
            cells.push(cell);
        }
        out.push(table_name, &art.partition, &cells);

        let mut role_seen: HashMap<&str, i32> = HashMap::new();
        for (ord, (role, target)) in row.args.iter().enumerate() {
            let role_ord = role_seen.entry(role.as_str()).or_insert(0);
            let literal;
            let (target_name, entity, mention, fact_ref, literal_cell) = match target {
                ArgValue::Entity(id) => {
                    ("entity", Cell::Str(id.as_str()), Cell::Null, Cell::Null, Cell::Null)
                }
                ArgValue::Mention(id) => {
                    let entity = mention_entity
                        .binary_search_by(|(m, _)| m.cmp(id))
                        .ok()
                        .map_or(Cell::Null, |at| {
                            Cell::Str(&entity_ids[mention_entity[at].1 as usize])
                        });
                    ("mention", entity, Cell::I64(*id), Cell::Null, Cell::Null)
                }
                ArgValue::Fact(id) => ("fact", Cell::Null, Cell::Null, Cell::I64(*id), Cell::Null),
                ArgValue::Literal(value) => {
                    literal = plain_json(value).to_string();
                    ("literal", Cell::Null, Cell::Null, Cell::Null, Cell::Str(&literal))
                }
            };
            out.push(
                "fact_args",
                &art.partition,
                &[
                    Cell::I64(row.id),
                    Cell::I32(ord as i32),
                    date_cell(art.dated),
                    Cell::Str(&row.kind),
                    Cell::Str(role),
                    Cell::I32(*role_ord),
                    Cell::Str(target_name),
                    entity,
                    mention,
                    fact_ref,
                    literal_cell,
                    Cell::Str(&art.row.id),
                    Cell::I32(row.sentence as i32),
                ],
            );
            *role_ord += 1;
        }
    })?;

    // Sentences, articles and their text, in article order.
    for art in &arts {
        let text = art.row.text.as_str();
        let mut chars = 0usize;
        let mut at = 0usize;
        let mut char_at = |byte: usize| -> i32 {
            let byte = byte.min(text.len());
            if byte >= at {
                chars += text.get(at..byte).map_or(0, |s| s.chars().count());
            } else {
                chars = text.get(..byte).map_or(0, |s| s.chars().count());
            }
            at = byte;
            chars as i32
        };
        for (idx, s) in art.sentences.iter().enumerate() {
            let sentence = text.get(s.start as usize..s.end as usize).unwrap_or("");
            let folded = fold(sentence);
            let (char_start, char_end) = (char_at(s.start as usize), char_at(s.end as usize));
            out.push(
                "sentences",
                &art.partition,
                &[
                    Cell::Str(&art.row.id),
                    Cell::I32(idx as i32),
                    date_cell(art.dated),
                    Cell::I32(s.paragraph as i32),
                    Cell::I32(s.start as i32),
                    Cell::I32(s.end as i32),
                    Cell::I32(char_start),
                    Cell::I32(char_end),
                    Cell::Bool(s.is_title),
                    Cell::Bool(s.boilerplate),
                    s.tone.map_or(Cell::Null, Cell::F64),
                    Cell::Str(sentence),
                    Cell::Str(&folded),
                ],
            );
        }
        let row = &art.row;
        let ingested = dates::parse(&row.ingested_at).and_then(|d| d.instant);
        let meta = serde_json::to_string(&row.meta).unwrap_or_else(|_| "{}".into());
        let tone = (art.tone.1 > 0).then(|| art.tone.0 / f64::from(art.tone.1));
        out.push(
            "articles",
            &art.partition,
            &[
                Cell::Str(&row.id),
                date_cell(art.dated),
                Cell::from(row.published.as_deref()),
                art.dated.map_or(Cell::Null, |d| Cell::Str(d.precision.as_str())),
                date_cell(art.dated),
                art.dated.map_or(Cell::Null, |d| Cell::Date(d.hi)),
                art.dated.and_then(|d| d.instant).map_or(Cell::Null, Cell::Ts),
                ingested.map_or(Cell::Null, Cell::Ts),
                Cell::Str(&row.origin),
                Cell::Str(&row.title),
                Cell::from(row.url.as_deref()),
                Cell::from(row.source.as_deref()),
                Cell::from(row.lang.as_deref()),
                tone.map_or(Cell::Null, Cell::F64),
                Cell::I64(text.len() as i64),
                Cell::I64(text.chars().count() as i64),
                Cell::I32(art.sentences.len() as i32),
                Cell::from(row.superseded_by.as_deref()),
                Cell::Str(&meta),
            ],
        );
        if with_text && art.live {
            out.push(
                "article_text",
                &art.partition,
                &[Cell::Str(&row.id), date_cell(art.dated), Cell::Str(text)],
            );
        }
    }

    let (rows, files) = out.finish()?;
    let bytes = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();

    // The schema file, then the files it no longer counts.
    let this_run = Run {
        run: run_no,
        since: since.clone(),
        exported_at: now_utc(),
        articles: arts.len() as u64,
        rewritten_partitions: rewrite.iter().cloned().collect(),
    };
    let mut runs = previous.as_ref().map(|p| p.runs.clone()).unwrap_or_default();
    runs.push(this_run);
    let schema = DatasetSchema {
        format: layout::FORMAT.into(),
        format_version: layout::FORMAT_VERSION,
        factql_version: env!("CARGO_PKG_VERSION").into(),
        fold_version: FOLD_VERSION,
        store: StoreInfo {
            identity: generation.identity.clone(),
            generation: generation.generation,
            schema_version: store.schema_version()?,
        },
        partitioning: Partitioning::v1(),
        runs,
        tables,
        kinds: all_kinds,
    };
    write_schema(dir, &schema)?;
    if let Some(previous) = &previous {
        // A full export replaces every table of the old dataset, those it no longer has too.
        for table in &previous.tables {
            let folder = dir.join(&table.name);
            if schema.table(&table.name).is_none() && folder.is_dir() {
                std::fs::remove_dir_all(&folder)
                    .map_err(|source| ExportError::Io { path: folder, source })?;
            }
        }
    }
    removed_files += dataset::remove_stale(dir, &schema, &[])?;
    Ok(ExportReport {
        run: run_no,
        articles: schema.runs.last().map_or(0, |r| r.articles),
        rows,
        files,
        bytes,
        rewritten_partitions: rewrite.into_iter().collect(),
        removed_files,
    })
}

/// Writes the schema file through a temporary file renamed over it.
fn write_schema(dir: &Path, schema: &DatasetSchema) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| ExportError::Io { path: dir.to_path_buf(), source })?;
    let path = dir.join(SCHEMA_FILE);
    let tmp = dir.join(format!("{SCHEMA_FILE}.tmp"));
    std::fs::write(&tmp, schema.to_json())
        .map_err(|source| ExportError::Io { path: tmp.clone(), source })?;
    std::fs::rename(&tmp, &path).map_err(|source| ExportError::Io { path, source })
}

/// Now, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = dates::civil_from_days(secs.div_euclid(86_400) as i32);
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

/// The sentence's co-occurrence rows: each ordered pair of distinct linked entities.
fn cooc(
    out: &mut Writers,
    art: &Art,
    sentence: usize,
    paragraph: i32,
    linked: &mut Vec<u32>,
    entity_ids: &[String],
    entity_kinds: &[String],
) {
    if linked.len() < 2 {
        linked.clear();
        return;
    }
    linked.sort_unstable();
    let mut counts: Vec<(u32, i64)> = Vec::new();
    for &e in linked.iter() {
        match counts.last_mut() {
            Some((last, n)) if *last == e => *n += 1,
            _ => counts.push((e, 1)),
        }
    }
    linked.clear();
    for &(a, na) in &counts {
        for &(b, nb) in &counts {
            if a == b {
                continue;
            }
            out.push(
                "cooc_sentence",
                &art.partition,
                &[
                    Cell::Str(&art.row.id),
                    Cell::I32(sentence as i32),
                    date_cell(art.dated),
                    Cell::I32(paragraph),
                    Cell::Str(&entity_ids[a as usize]),
                    Cell::Str(&entity_kinds[a as usize]),
                    Cell::Str(&entity_ids[b as usize]),
                    Cell::Str(&entity_kinds[b as usize]),
                    Cell::I64(na * nb),
                ],
            );
        }
    }
}

/// The text a field column needs made (an interval's `from..to`, a list's JSON); `None`
/// when the cell is read from the value directly.
fn made_text(ty: ColumnType, part: Option<DatePart>, value: Option<&Value>) -> Option<String> {
    match (ty, part, value?) {
        (ColumnType::String, None, Value::Interval(from, to)) => {
            Some(format!("{}..{}", from.as_deref().unwrap_or(""), to.as_deref().unwrap_or("")))
        }
        (ColumnType::Json, None, Value::Null) => None,
        (ColumnType::Json, None, value) => Some(plain_json(value).to_string()),
        _ => None,
    }
}

/// The cell of a field column for `value` (null when missing or of another type).
fn field_cell(ty: ColumnType, part: Option<DatePart>, value: Option<&Value>) -> Cell<'_> {
    let Some(value) = value else { return Cell::Null };
    match (ty, part, value) {
        (ColumnType::String, None, Value::Str(s) | Value::Date(s)) => Cell::Str(s),
        (ColumnType::Int64, None, Value::Int(n)) => Cell::I64(*n),
        (ColumnType::Float64, None, Value::Float(x)) => Cell::F64(*x),
        (ColumnType::Float64, None, Value::Int(n)) => Cell::F64(*n as f64),
        (ColumnType::Bool, None, Value::Bool(b)) => Cell::Bool(*b),
        (ColumnType::Date, Some(part), Value::Date(s)) => match (dates::parse(s), part) {
            (Some(d), DatePart::Lo) => Cell::Date(d.lo),
            (Some(d), DatePart::Hi) => Cell::Date(d.hi),
            (None, _) => Cell::Null,
        },
        (ColumnType::Date, Some(DatePart::Lo), Value::Interval(from, _)) => {
            from.as_deref().and_then(dates::parse).map_or(Cell::Null, |d| Cell::Date(d.lo))
        }
        (ColumnType::Date, Some(DatePart::Hi), Value::Interval(_, to)) => {
            to.as_deref().and_then(dates::parse).map_or(Cell::Null, |d| Cell::Date(d.hi))
        }
        _ => Cell::Null,
    }
}

/// A value as plain JSON (as the store's `fact.fields` holds it).
fn plain_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::from(*n),
        Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Str(s) | Value::Date(s) => Json::String(s.clone()),
        Value::Interval(from, to) => serde_json::json!({ "from": from, "to": to }),
        Value::List(values) => Json::Array(values.iter().map(plain_json).collect()),
    }
}

/// The run's table writers by name; the first error is kept and ends the run at `finish`.
struct Writers {
    writers: Vec<TableWriter>,
    by_name: HashMap<String, usize>,
    error: Option<ExportError>,
}

impl Writers {
    fn new(dir: &Path, tables: &[Table], run: u32) -> Writers {
        let writers: Vec<TableWriter> =
            tables.iter().map(|t| TableWriter::new(dir, t.clone(), run)).collect();
        let by_name =
            writers.iter().enumerate().map(|(i, w)| (w.table().name.clone(), i)).collect();
        Writers { writers, by_name, error: None }
    }

    fn fail(&mut self, err: ExportError) {
        self.error.get_or_insert(err);
    }

    fn push(&mut self, table: &str, partition: &str, row: &[Cell<'_>]) {
        if self.error.is_some() {
            return;
        }
        let Some(&i) = self.by_name.get(table) else {
            self.fail(ExportError::Internal(format!("no table {table}")));
            return;
        };
        if let Err(err) = self.writers[i].push(partition, row) {
            self.fail(err);
        }
    }

    fn finish(self) -> Result<(BTreeMap<String, u64>, Vec<PathBuf>), ExportError> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let mut rows = BTreeMap::new();
        let mut files = Vec::new();
        for writer in self.writers {
            let name = writer.table().name.clone();
            let (n, written) = writer.finish()?;
            rows.insert(name, n);
            files.extend(written);
        }
        Ok((rows, files))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_must_be_a_day() {
        assert!(check_since("2026-12-01").is_ok());
        for bad in ["2026-12", "2026", "2026-13-01", "yesterday", "2026-12-01T00:00:00Z"] {
            assert!(matches!(check_since(bad), Err(ExportError::BadSince { .. })), "{bad}");
        }
    }

    #[test]
    fn field_cells_follow_the_declared_type() {
        let date = Value::Date("2022-03".into());
        assert!(matches!(field_cell(ColumnType::String, None, Some(&date)), Cell::Str("2022-03")));
        let lo = field_cell(ColumnType::Date, Some(DatePart::Lo), Some(&date));
        let hi = field_cell(ColumnType::Date, Some(DatePart::Hi), Some(&date));
        assert!(matches!(lo, Cell::Date(d) if d == dates::days_from_civil(2022, 3, 1)));
        assert!(matches!(hi, Cell::Date(d) if d == dates::days_from_civil(2022, 3, 31)));
        let open = Value::Interval(Some("2019-05".into()), None);
        assert!(matches!(
            field_cell(ColumnType::Date, Some(DatePart::Hi), Some(&open)),
            Cell::Null
        ));
        assert_eq!(made_text(ColumnType::String, None, Some(&open)).as_deref(), Some("2019-05.."));
        assert!(
            matches!(field_cell(ColumnType::Float64, None, Some(&Value::Int(3))), Cell::F64(x) if x == 3.0)
        );
        assert!(matches!(
            field_cell(ColumnType::Int64, None, Some(&Value::Str("3".into()))),
            Cell::Null
        ));
        let list = Value::List(vec![Value::Str("may".into()), Value::Str("could".into())]);
        assert_eq!(
            made_text(ColumnType::Json, None, Some(&list)).as_deref(),
            Some(r#"["may","could"]"#)
        );
    }
}

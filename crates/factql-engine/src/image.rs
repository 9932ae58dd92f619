//! The image: what [`Dataset::load`] builds from the store (rows by column, dictionaries,
//! indexes, the word index), written to one file beside the store and memory-mapped at
//! start, so a process starts in a fraction of a second instead of re-reading SQLite, and
//! pays only for the sections its query reads.
//!
//! The image is a cache, never the record: SQLite stays the store of record, and an image is
//! used only when its header names the store it was built from (the store's random identity)
//! and the store's current generation (bumped by every write transaction of the store). Any
//! difference, any damage, any other format version: the image is not used (typed
//! [`ImageError`]) and the caller reads the store instead.
//!
//! # Format (version [`IMAGE_VERSION`], all integers little-endian)
//!
//! ```text
//! header    magic "FQLIMAGE" · format version u32 · identity (u32 length + UTF-8)
//!           · generation i64 · file length u64 · section count u32
//!           · per section: offset u64 · length u64 · checksum u64 · header checksum u64
//! sections  (each at an offset that is a multiple of 8)
//!   head       table sizes, live articles, fact counts per kind, mention codes, metadata
//!              keys, entity kinds, kind schemas (JSON), edge labels
//!   strings    the shared texts of values (categories, extractor names, quote texts)
//!   articles   per article: names, dates, metadata, tone, ranges into texts and starts
//!   texts      every article's text, one after the other (UTF-8)
//!   starts     every article's word starts (u32)
//!   sentences, mentions   by column (sentence tone included)
//!   entities   records, with their mentions, articles and group classes
//!   keys       folded name or alias → entities
//!   words      the word index: fst bytes, posting offsets (u64), postings
//!   kind K     one section per fact kind: columns, values, role indexes
//! ```
//!
//! # Reading
//!
//! [`read`] maps the file (`mapped.rs`, the one module with `unsafe`, says why that is
//! sound: an image is only ever replaced by rename, never changed in place), checks the
//! header (magic, version, store identity and generation, file length, where each section
//! lies, the header's checksum) and decodes the small head. Every other section is a
//! [`Lazy`] value: decoded (and its checksum verified) when a query first reads it, so
//! `events | ...` never touches the mentions or the texts, and `has` reads the word index
//! in place. The texts and word starts are not even copied: an article's text is a range of
//! the mapped file, checked as UTF-8 once when the first text is read.
//!
//! A section found damaged when it is first read (its checksum, or a row number past its
//! table) is not used: the store is read instead (once, for all the sections that need
//! it; the image names the store and its generation, so the rows line up), the damage is
//! recorded ([`Dataset::image_damage`]) and the answer is the store's. [`read_verified`]
//! checks every section's checksum up front instead, for callers that want a damaged image
//! refused at once.
//!
//! Every count is checked against the bytes left before anything is allocated, every row
//! number against the table it points into: a truncated or damaged file is an error, never
//! a panic, and never a wrong answer from a flipped bit.

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use factql_model::KindSchema;

use crate::dataset::{
    ArticleRec, Codes, Dataset, EntityRec, KindData, KindTable, MentionColumns, MentionRec,
    NO_ENTITY, RoleIndex, SentenceRec,
};
use crate::lazy::Lazy;
use crate::mapped::{Bytes, Mapped, Utf8Bytes};
use crate::textindex::TextIndex;
use crate::texts::{Column, Text, U32s, WordStarts};
use crate::value::{DateRange, Precision, Ref, Val};

/// The first bytes of every image.
pub const IMAGE_MAGIC: [u8; 8] = *b"FQLIMAGE";

/// The format this build writes and reads; any other is not used.
pub const IMAGE_VERSION: u32 = 3;

/// Why an image was not used (or could not be written).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// There is no image yet.
    #[error("{}: no image yet", path.display())]
    Missing {
        /// The image file.
        path: PathBuf,
    },
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The image file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file does not start with [`IMAGE_MAGIC`].
    #[error("{}: not a factql image", path.display())]
    NotImage {
        /// The image file.
        path: PathBuf,
    },
    /// Written by a factql with another image format.
    #[error("{}: image format {found}, this factql reads format {supported}", path.display())]
    Version {
        /// The image file.
        path: PathBuf,
        /// The file's format.
        found: u32,
        /// The format this build reads.
        supported: u32,
    },
    /// Built from another store (another identity).
    #[error("{}: built from another store", path.display())]
    Foreign {
        /// The image file.
        path: PathBuf,
    },
    /// Built from this store at an earlier (or other) generation: the store changed since.
    #[error(
        "{}: out of date (built at store generation {image}, the store is at {store})",
        path.display()
    )]
    Stale {
        /// The image file.
        path: PathBuf,
        /// The generation it was built at.
        image: i64,
        /// The store's generation now.
        store: i64,
    },
    /// Truncated or damaged.
    #[error("{}: damaged image: {detail}", path.display())]
    Corrupt {
        /// The image file.
        path: PathBuf,
        /// What did not fit.
        detail: String,
    },
    /// The data has no generation to label an image with, or holds a value an image
    /// cannot keep.
    #[error("{}: cannot write an image: {detail}", path.display())]
    Unwritable {
        /// The image file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The store's generation could not be read.
    #[error(transparent)]
    Store(#[from] factql_store::StoreError),
}

/// The image file of the store at `store`: `<store file name>.image` beside it.
pub fn image_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".image");
    store.with_file_name(name)
}

/// The sections, in file order; a fact kind's section is [`KIND_BASE`] + its number.
const HEAD: usize = 0;
const STRINGS: usize = 1;
const ARTICLES: usize = 2;
const TEXTS: usize = 3;
const STARTS: usize = 4;
const SENTENCES: usize = 5;
const MENTIONS: usize = 6;
const ENTITIES: usize = 7;
const KEYS: usize = 8;
const WORDS: usize = 9;
const KIND_BASE: usize = 10;

/// The name of a section, for messages.
fn section_name(section: usize) -> String {
    let names =
        ["head", "strings", "articles", "texts", "starts", "sentences", "mentions", "entities"];
    match section {
        s if s < names.len() => names[s].to_owned(),
        KEYS => "keys".to_owned(),
        WORDS => "words".to_owned(),
        s => format!("fact column {}", s - KIND_BASE),
    }
}

/// Writes the image of `ds` to `path`: to a temporary file beside it, then renamed over
/// it, so a reader sees the old image or the new one, never half of one, and a file that
/// a reader has mapped is never changed (see `mapped.rs`).
pub(crate) fn write(ds: &Dataset, path: &Path) -> Result<(), ImageError> {
    let unwritable = |detail: &str| ImageError::Unwritable {
        path: path.to_path_buf(),
        detail: detail.to_owned(),
    };
    let Some(generation) = &ds.generation else {
        return Err(unwritable("the data was not read with a store generation"));
    };
    let sections = encode(ds).map_err(|detail| unwritable(&detail))?;
    let header_len = 8 + 4 + 4 + generation.identity.len() + 8 + 8 + 4 + sections.len() * 24 + 8;
    let mut offset = align8(header_len);
    let mut toc = Vec::with_capacity(sections.len());
    for section in &sections {
        toc.push((offset as u64, section.len() as u64, checksum(section)));
        offset = align8(offset + section.len());
    }
    let file_len = toc.last().map_or(header_len as u64, |&(o, l, _)| o + l);
    let mut header = Vec::with_capacity(header_len);
    header.extend_from_slice(&IMAGE_MAGIC);
    header.extend_from_slice(&IMAGE_VERSION.to_le_bytes());
    put_str(&mut header, &generation.identity);
    header.extend_from_slice(&generation.generation.to_le_bytes());
    header.extend_from_slice(&file_len.to_le_bytes());
    put_len(&mut header, sections.len());
    for (offset, len, sum) in &toc {
        for v in [offset, len, sum] {
            header.extend_from_slice(&v.to_le_bytes());
        }
    }
    let sum = checksum(&header);
    header.extend_from_slice(&sum.to_le_bytes());
    let io = |source| ImageError::Io { path: path.to_path_buf(), source };
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".tmp{}", std::process::id()));
    let temporary = path.with_file_name(name);
    let written = (|| {
        let file = std::fs::File::create(&temporary)?;
        let mut file = std::io::BufWriter::new(file);
        file.write_all(&header)?;
        let mut at = header.len();
        for (section, (offset, _, _)) in sections.iter().zip(&toc) {
            file.write_all(&[0u8; 8][..*offset as usize - at])?;
            file.write_all(section)?;
            at = *offset as usize + section.len();
        }
        let file = file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        // Not synced: an image cut short by a crash fails its length or a checksum and is
        // rebuilt, and syncing hundreds of megabytes costs seconds.
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(io)
}

fn align8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Reads the image at `path` if it was built from `store` as it is now: the header and the
/// head section now, every other section when a query first reads it.
pub(crate) fn read(path: &Path, store: &factql_store::Store) -> Result<Dataset, ImageError> {
    open(path, store, false)
}

/// [`read`], verifying the checksum of every section first (a damaged image is refused
/// here rather than found when a section is first read).
pub(crate) fn read_verified(
    path: &Path,
    store: &factql_store::Store,
) -> Result<Dataset, ImageError> {
    open(path, store, true)
}

fn open(path: &Path, store: &factql_store::Store, verify: bool) -> Result<Dataset, ImageError> {
    let generation = store.generation()?;
    let corrupt = |detail: String| ImageError::Corrupt { path: path.to_path_buf(), detail };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(ImageError::Missing { path: path.to_path_buf() });
        }
        Err(source) => return Err(ImageError::Io { path: path.to_path_buf(), source }),
    };
    if cfg!(target_endian = "big") {
        // Sections are read in place as little-endian numbers.
        return Err(corrupt("images are read on little-endian machines only".into()));
    }
    let map = Mapped::open(&file)
        .map_err(|source| ImageError::Io { path: path.to_path_buf(), source })?;
    let sections = header(path, map.bytes(), &generation)?;
    let map = Arc::new(map);
    let src = Source {
        path: path.to_path_buf(),
        map,
        sections,
        verified: Vec::new(),
        strings: OnceLock::new(),
        sizes: Sizes::default(),
        store: store.path().to_path_buf(),
        generation: generation.clone(),
        fallback: Mutex::new(None),
        damage: Mutex::new(Vec::new()),
    };
    let mut src =
        Source { verified: src.sections.iter().map(|_| OnceLock::new()).collect(), ..src };
    if verify {
        for section in 0..src.sections.len() {
            src.section(section).map_err(corrupt)?;
        }
    }
    let head = decode_head(src.section(HEAD).map_err(corrupt)?).map_err(corrupt)?;
    let sections: usize = kind_layouts(&head.schemas).iter().map(KindLayout::sections).sum();
    if src.sections.len() != KIND_BASE + sections {
        return Err(corrupt("the section count does not match the fact kinds".into()));
    }
    src.sizes = Sizes {
        articles: head.articles,
        sentences: head.sentences,
        mentions: head.mentions,
        entities: head.entities,
        live: head.live_articles,
        codes: head.codes.texts.len(),
        kinds: head.kind_lens.clone(),
    };
    let mut ds = assemble(Arc::new(src), head);
    ds.generation = Some(generation);
    Ok(ds)
}

/// Whether the image at `path` names `store` at its current generation, from its header
/// alone (the sections are not read or checked).
pub(crate) fn check_header(path: &Path, store: &factql_store::Store) -> Result<(), ImageError> {
    use std::io::Read;
    let generation = store.generation()?;
    let io = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::NotFound => ImageError::Missing { path: path.to_path_buf() },
        _ => ImageError::Io { path: path.to_path_buf(), source },
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut prefix = Vec::new();
    (&mut file).take(65536).read_to_end(&mut prefix).map_err(io)?;
    header_prefix(path, &prefix, file_len, &generation).map(|_| ())
}

/// Checks the header of the file `bytes` against the store's `generation`; where each
/// section lies.
fn header(
    path: &Path,
    bytes: &[u8],
    generation: &factql_store::Generation,
) -> Result<Vec<Range<usize>>, ImageError> {
    header_prefix(path, bytes, bytes.len() as u64, generation)
}

/// [`header`] on the first bytes of a file of `file_len` bytes.
fn header_prefix(
    path: &Path,
    bytes: &[u8],
    file_len: u64,
    generation: &factql_store::Generation,
) -> Result<Vec<Range<usize>>, ImageError> {
    let corrupt = |detail: String| ImageError::Corrupt { path: path.to_path_buf(), detail };
    let mut header = Dec::new(bytes);
    let magic = header
        .bytes(IMAGE_MAGIC.len())
        .map_err(|_| ImageError::NotImage { path: path.to_path_buf() })?;
    if magic != IMAGE_MAGIC {
        return Err(ImageError::NotImage { path: path.to_path_buf() });
    }
    let version = header.u32().map_err(corrupt)?;
    if version != IMAGE_VERSION {
        return Err(ImageError::Version {
            path: path.to_path_buf(),
            found: version,
            supported: IMAGE_VERSION,
        });
    }
    let identity = header.str().map_err(corrupt)?;
    let built_at = header.i64().map_err(corrupt)?;
    if identity != generation.identity {
        return Err(ImageError::Foreign { path: path.to_path_buf() });
    }
    if built_at != generation.generation {
        return Err(ImageError::Stale {
            path: path.to_path_buf(),
            image: built_at,
            store: generation.generation,
        });
    }
    let length = header.u64().map_err(corrupt)?;
    if length != file_len {
        return Err(corrupt(format!("{file_len} bytes, the header says {length}")));
    }
    let n = header.len(24).map_err(corrupt)?;
    let mut sections = Vec::with_capacity(n);
    for _ in 0..n {
        let (offset, len, _) = (
            header.u64().map_err(corrupt)?,
            header.u64().map_err(corrupt)?,
            header.u64().map_err(corrupt)?,
        );
        let end = offset.checked_add(len).filter(|&end| end <= length && offset % 8 == 0);
        let (Some(end), Ok(start)) = (end, usize::try_from(offset)) else {
            return Err(corrupt(format!("a section at {offset}+{len} outside the file")));
        };
        sections.push(start..end as usize);
    }
    let summed = header.pos;
    let sum = header.u64().map_err(corrupt)?;
    if checksum(&bytes[..summed]) != sum {
        return Err(corrupt("header checksum mismatch".into()));
    }
    if sections.len() < KIND_BASE {
        return Err(corrupt(format!("{} sections", sections.len())));
    }
    Ok(sections)
}

/// The checksum of section `section` as the header records it.
fn recorded_checksum(bytes: &[u8], section: usize) -> Option<u64> {
    // The table of sections follows the fixed fields and the identity.
    let identity_len = u32::from_le_bytes(bytes.get(12..16)?.try_into().ok()?) as usize;
    let at = 16 + identity_len + 8 + 8 + 4 + section * 24 + 16;
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// The mapped image and what its lazy sections are decoded with.
pub(crate) struct Source {
    path: PathBuf,
    map: Arc<Mapped>,
    sections: Vec<Range<usize>>,
    /// Whether each section's checksum was verified (and matched).
    verified: Vec<OnceLock<bool>>,
    strings: OnceLock<Result<Vec<Arc<str>>, String>>,
    sizes: Sizes,
    /// The store the image was built from, read when a section is damaged.
    store: PathBuf,
    generation: factql_store::Generation,
    /// The store's data, once a damaged section needed it.
    fallback: Mutex<Option<Dataset>>,
    /// What was found damaged.
    damage: Mutex<Vec<String>>,
}

impl Source {
    /// The bytes of `section`, its checksum verified (once).
    fn section(&self, section: usize) -> Result<&[u8], String> {
        let bytes = self.map.bytes();
        let range = self.sections.get(section).ok_or_else(|| format!("no section {section}"))?;
        let body = &bytes[range.clone()];
        let ok = *self.verified[section].get_or_init(|| {
            recorded_checksum(bytes, section).is_some_and(|sum| checksum(body) == sum)
        });
        if !ok {
            return Err(format!("{} section: checksum mismatch", section_name(section)));
        }
        Ok(body)
    }

    /// `section` as bytes read in place.
    fn mapped(&self, section: usize) -> Result<Bytes, String> {
        self.section(section)?;
        Ok(Bytes::Mapped(self.map.clone(), self.sections[section].clone()))
    }

    /// The shared strings (decoded once).
    fn strings(&self) -> Result<&[Arc<str>], String> {
        let strings = self.strings.get_or_init(|| {
            let mut d = Dec::new(self.section(STRINGS)?);
            let n = d.len(4)?;
            let mut strings = Vec::with_capacity(n);
            for _ in 0..n {
                strings.push(d.arc_str()?);
            }
            Ok(strings)
        });
        strings.as_deref().map_err(Clone::clone)
    }

    /// A section that could not be decoded (`why`): the value from the store instead,
    /// which is read once for every damaged section (with the generation the image names,
    /// so its rows are the image's); the damage is recorded. When the store cannot be read
    /// either (or changed since), the value is empty and the damage says so.
    fn recover<T: Default>(&self, why: String, take: impl FnOnce(&mut Dataset) -> T) -> T {
        let mut damage = self.damage.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        damage.push(why);
        let mut fallback = self.fallback.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if fallback.is_none() {
            let loaded = factql_store::Store::open_read_only(&self.store)
                .map_err(|err| err.to_string())
                .and_then(|store| Dataset::load(&store).map_err(|err| err.to_string()));
            match loaded {
                Ok(ds) if ds.generation.as_ref() == Some(&self.generation) => {
                    *fallback = Some(ds);
                }
                Ok(_) => damage.push("the store changed since the image was opened".into()),
                Err(err) => damage.push(format!("the store could not be read: {err}")),
            }
        }
        fallback.as_mut().map(take).unwrap_or_default()
    }

    /// Decodes with `decode`, or recovers from the store with `take`.
    fn lazy<T: Default + 'static>(
        self: &Arc<Self>,
        decode: impl Fn(&Source) -> Result<T, String> + Send + Sync + 'static,
        take: impl Fn(&mut Dataset) -> T + Send + Sync + 'static,
    ) -> Lazy<T> {
        let src = self.clone();
        Lazy::new(move || match decode(&src) {
            Ok(value) => value,
            Err(why) => src.recover(format!("{}: {why}", src.path.display()), &take),
        })
    }
}

impl Dataset {
    /// What sections of the image this data reads from were found damaged when first read
    /// (their answers came from the store); empty when none, or when read from the store.
    pub(crate) fn image_damage(&self) -> Vec<String> {
        self.image
            .as_ref()
            .map(|src| src.damage.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
            .unwrap_or_default()
    }

    /// Decodes every section not yet read (before writing an image of this data).
    fn force(&self) {
        self.articles.force();
        for a in self.articles.iter().take(1) {
            let _ = (a.text.len(), a.word_starts.len());
        }
        self.sentences.force();
        self.mentions.force();
        self.mention_cols.force();
        self.entities.force();
        self.entity_keys.force();
        self.words.force();
        for table in &self.kinds {
            let data = &table.data;
            for column in [&data.article, &data.sentence, &data.start, &data.end] {
                column.force();
            }
            data.extractor.force();
            data.confidence.force();
            data.id.force();
            for column in data.fields.iter().chain(&data.roles) {
                column.force();
            }
            for index in &data.by_role {
                index.force();
            }
            for days in &data.days {
                days.force();
            }
        }
    }
}

/// What the head section holds.
struct Head {
    articles: usize,
    sentences: usize,
    mentions: usize,
    entities: usize,
    live_articles: u32,
    kind_lens: Vec<usize>,
    codes: Codes,
    meta_keys: Vec<String>,
    entity_kinds: Vec<String>,
    schemas: Vec<KindSchema>,
    type_labels: Vec<(u16, u16, Vec<Arc<str>>)>,
}

/// The dataset over `src`: the head's parts now, every section as a lazy value.
fn assemble(src: Arc<Source>, head: Head) -> Dataset {
    let texts: Arc<Lazy<Utf8Bytes>> = Arc::new(src.lazy(
        |src| Utf8Bytes::new(src.mapped(TEXTS)?).ok_or_else(|| "texts: not UTF-8".to_owned()),
        |ds| {
            let mut all = String::new();
            for a in ds.articles.iter() {
                all.push_str(&a.text);
            }
            Utf8Bytes::owned(all)
        },
    ));
    let starts: Arc<Lazy<U32s>> = Arc::new(src.lazy(
        |src| {
            let bytes = src.mapped(STARTS)?;
            if bytemuck::try_cast_slice::<u8, u32>(bytes.as_ref()).is_err() {
                return Err("word starts: not whole aligned numbers".into());
            }
            Ok(U32s::Mapped(bytes))
        },
        |ds| U32s::Owned(ds.articles.iter().flat_map(|a| a.word_starts.iter().copied()).collect()),
    ));
    let articles = {
        let (texts, starts) = (texts.clone(), starts.clone());
        src.lazy(
            move |src| decode_articles(src, &texts, &starts),
            |ds| {
                // The fallback's articles own their texts, so they need nothing of the image.
                std::mem::take(ds.articles.get_mut())
            },
        )
    };
    let sentences = src.lazy(decode_sentences, |ds| std::mem::take(ds.sentences.get_mut()));
    let mentions = src.lazy(decode_mentions, |ds| std::mem::take(ds.mentions.get_mut()));
    let mention_cols =
        src.lazy(decode_mention_columns, |ds| std::mem::take(ds.mention_cols.get_mut()));
    let entities = src.lazy(decode_entities, |ds| std::mem::take(ds.entities.get_mut()));
    let entity_keys = src.lazy(decode_keys, |ds| std::mem::take(ds.entity_keys.get_mut()));
    let words = src.lazy(decode_words, |ds| std::mem::take(ds.words.get_mut()));
    let layouts = kind_layouts(&head.schemas);
    let kinds = head
        .schemas
        .into_iter()
        .zip(&layouts)
        .enumerate()
        .map(|(k, (schema, layout))| KindTable { schema, data: kind_data(&src, k, layout) })
        .collect();
    let mut ds = Dataset {
        articles,
        live_articles: head.live_articles,
        meta_keys: head.meta_keys,
        sentences,
        mentions,
        mention_cols,
        entities,
        kinds,
        entity_keys,
        codes: head.codes,
        entity_kinds: head.entity_kinds,
        type_labels: head.type_labels,
        field_keys: Vec::new(),
        words,
        image: Some(src),
        generation: None,
    };
    ds.derive_field_keys();
    ds
}

/// A fast 64-bit checksum of `bytes` (four independent multiply-rotate lanes over 8-byte
/// words, so the loop runs at memory speed, then the tail): it catches truncation and
/// flipped bits, not an adversary.
fn checksum(bytes: &[u8]) -> u64 {
    let mut sum = Checksum::default();
    sum.update(bytes);
    sum.finish()
}

const LANE_K: [u64; 4] =
    [0x9E37_79B1_85EB_CA87, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63];

/// [`checksum`] over bytes that come in pieces: the same value as over their concatenation.
struct Checksum {
    lanes: [u64; 4],
    /// Bytes of an unfinished 32-byte block.
    carry: [u8; 32],
    filled: usize,
    len: u64,
}

impl Default for Checksum {
    fn default() -> Checksum {
        Checksum { lanes: [1, 2, 3, 4], carry: [0; 32], filled: 0, len: 0 }
    }
}

impl Checksum {
    fn block(&mut self, block: &[u8; 32]) {
        for (i, (lane, k)) in self.lanes.iter_mut().zip(LANE_K).enumerate() {
            let b = &block[i * 8..i * 8 + 8];
            let word = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            *lane = (*lane ^ word).wrapping_mul(k).rotate_left(29);
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.filled > 0 {
            let take = (32 - self.filled).min(bytes.len());
            self.carry[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled < 32 {
                return;
            }
            let carry = self.carry;
            self.block(&carry);
            self.filled = 0;
        }
        let mut blocks = bytes.chunks_exact(32);
        for block in &mut blocks {
            if let Ok(block) = <&[u8; 32]>::try_from(block) {
                self.block(block);
            }
        }
        let rest = blocks.remainder();
        self.carry[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    fn finish(&self) -> u64 {
        let mut h = self.len;
        for (lane, k) in self.lanes.iter().zip(LANE_K) {
            h = (h ^ lane).wrapping_mul(k).rotate_left(31);
        }
        for &byte in &self.carry[..self.filled] {
            h = (h ^ u64::from(byte)).wrapping_mul(LANE_K[0]);
        }
        h ^ (h >> 33)
    }
}

// ---------------------------------------------------------------------------------------
// Encoding

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    put_u32(out, n as u32);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

fn put_u32s(out: &mut Vec<u8>, values: impl ExactSizeIterator<Item = u32>) {
    put_len(out, values.len());
    out.reserve(values.len() * 4);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_u16s(out: &mut Vec<u8>, values: impl ExactSizeIterator<Item = u16>) {
    put_len(out, values.len());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_u64s(out: &mut Vec<u8>, values: impl ExactSizeIterator<Item = u64>) {
    put_len(out, values.len());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_date(out: &mut Vec<u8>, d: &DateRange) {
    out.extend_from_slice(&d.start.to_le_bytes());
    out.extend_from_slice(&d.end.to_le_bytes());
    out.push(match d.precision {
        Precision::Year => 0,
        Precision::Month => 1,
        Precision::Day => 2,
        Precision::Interval => 3,
    });
}

fn put_range(out: &mut Vec<u8>, r: &Range<u32>) {
    put_u32(out, r.start);
    put_u32(out, r.end);
}

/// The shared texts of the image: each distinct text once, by number.
#[derive(Default)]
struct Strings {
    texts: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
}

impl Strings {
    fn id(&mut self, text: &Arc<str>) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.clone());
        self.index.insert(text.clone(), id);
        id
    }
}

fn put_ref(out: &mut Vec<u8>, r: &Ref) {
    let (tag, a, b) = match *r {
        Ref::Article(i) => (0u8, 0u32, i),
        Ref::Sentence(i) => (1, 0, i),
        Ref::Mention(i) => (2, 0, i),
        Ref::Entity(i) => (3, 0, i),
        Ref::Fact(k, i) => (4, u32::from(k), i),
    };
    out.push(tag);
    put_u32(out, a);
    put_u32(out, b);
}

fn put_val(out: &mut Vec<u8>, strings: &mut Strings, v: &Val) -> Result<(), String> {
    match v {
        Val::Null => out.push(0),
        Val::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Val::Int(n) => {
            out.push(2);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Val::Float(x) => {
            out.push(3);
            out.extend_from_slice(&x.to_le_bytes());
        }
        Val::Str(s) => {
            out.push(4);
            put_u32(out, strings.id(s));
        }
        Val::Date(d) => {
            out.push(5);
            put_date(out, d);
        }
        Val::Ref(r) => {
            out.push(6);
            put_ref(out, r);
        }
        Val::List(items) => {
            out.push(7);
            put_len(out, items.len());
            for item in items.iter() {
                put_val(out, strings, item)?;
            }
        }
        Val::Duration(..) | Val::Cooc(_) => {
            return Err("a stored value is a duration or co-occurrence".into());
        }
    }
    Ok(())
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_strs<'s>(out: &mut Vec<u8>, texts: impl ExactSizeIterator<Item = &'s str>) {
    put_len(out, texts.len());
    for text in texts {
        put_str(out, text);
    }
}

fn put_opt_f64(out: &mut Vec<u8>, x: Option<f64>) {
    match x {
        Some(x) => {
            out.push(1);
            out.extend_from_slice(&x.to_le_bytes());
        }
        None => out.push(0),
    }
}

/// The sections, in file order.
fn encode(ds: &Dataset) -> Result<Vec<Vec<u8>>, String> {
    ds.force();
    let mut strings = Strings::default();

    // Head.
    let mut head = Vec::new();
    let out = &mut head;
    for n in [ds.articles.len(), ds.sentences.len(), ds.mentions.len(), ds.entities.len()] {
        put_len(out, n);
    }
    put_u32(out, ds.live_articles);
    put_u32s(out, ds.kinds.iter().map(|t| t.len() as u32));
    put_strs(out, ds.codes.texts.iter().map(|t| &**t));
    put_strs(out, ds.meta_keys.iter().map(String::as_str));
    put_strs(out, ds.entity_kinds.iter().map(String::as_str));
    put_len(out, ds.kinds.len());
    for table in &ds.kinds {
        let schema = serde_json::to_string(&table.schema).map_err(|err| err.to_string())?;
        put_str(out, &schema);
    }
    put_len(out, ds.type_labels.len());
    for (kind, field, values) in &ds.type_labels {
        put_u32(out, u32::from(*kind));
        put_u32(out, u32::from(*field));
        put_strs(out, values.iter().map(|v| &**v));
    }

    // Articles, their texts and word starts.
    let (mut articles, mut texts, mut starts) = (Vec::new(), Vec::new(), Vec::new());
    let out = &mut articles;
    put_len(out, ds.articles.len());
    for a in ds.articles.iter() {
        put_str(out, &a.id);
        put_str(out, &a.origin);
        put_str(out, &a.title);
        put_opt_str(out, a.url.as_deref());
        put_opt_str(out, a.source.as_deref());
        match &a.published {
            Some(d) => {
                out.push(1);
                put_date(out, d);
            }
            None => out.push(0),
        }
        put_opt_str(out, a.lang.as_deref());
        put_u64(out, texts.len() as u64);
        texts.extend_from_slice(a.text.as_bytes());
        put_u64(out, texts.len() as u64);
        put_u64(out, (starts.len() / 4) as u64);
        for s in a.word_starts.iter() {
            starts.extend_from_slice(&s.to_le_bytes());
        }
        put_u64(out, (starts.len() / 4) as u64);
        put_range(out, &a.sentences);
        put_len(out, a.meta.len());
        for (key, value) in &a.meta {
            put_str(out, key);
            put_str(out, value);
        }
        put_opt_str(out, a.superseded_by.as_deref());
        put_opt_f64(out, a.tone);
    }

    // Sentences, by column.
    let mut sentences = Vec::new();
    let out = &mut sentences;
    let s = &ds.sentences;
    put_u32s(out, s.iter().map(|s| s.article));
    put_u32s(out, s.iter().map(|s| s.index));
    put_u32s(out, s.iter().map(|s| s.paragraph));
    put_u32s(out, s.iter().map(|s| s.start));
    put_u32s(out, s.iter().map(|s| s.end));
    put_u32s(
        out,
        s.iter().map(|s| {
            u32::from(s.is_title) | u32::from(s.boilerplate) << 1 | u32::from(s.tone.is_some()) << 2
        }),
    );
    put_u32s(out, s.iter().map(|s| s.mentions.start));
    put_u32s(out, s.iter().map(|s| s.mentions.end));
    put_u64s(out, s.iter().map(|s| s.tone.unwrap_or(0.0).to_bits()));

    // Mentions, by column: the numbers of 4 bytes first, then those of 2, so that every
    // column is aligned and read in place.
    let mut mentions = Vec::new();
    let out = &mut mentions;
    let m = &ds.mentions;
    put_u32s(out, m.iter().map(|m| m.article));
    put_u32s(out, m.iter().map(|m| m.entity.unwrap_or(NO_ENTITY)));
    put_u32s(out, m.iter().map(|m| m.sentence));
    put_u32s(out, m.iter().map(|m| m.start));
    put_u32s(out, m.iter().map(|m| m.end));
    put_u32s(out, m.iter().map(|m| m.word));
    put_u32s(out, m.iter().map(|m| m.confidence.to_bits()));
    put_u16s(out, m.iter().map(|m| m.kind));
    put_u16s(out, m.iter().map(|m| m.ent_type));
    put_u16s(out, m.iter().map(|m| m.level));
    put_u16s(out, m.iter().map(|m| m.extractor));

    // Entities.
    let mut entities = Vec::new();
    let out = &mut entities;
    put_len(out, ds.entities.len());
    for e in ds.entities.iter() {
        put_str(out, &e.id);
        put_u32(out, strings.id(&e.kind));
        put_str(out, &e.name);
        put_len(out, e.aliases.len());
        for alias in e.aliases.iter() {
            put_val(out, &mut strings, alias)?;
        }
        put_opt_str(out, e.wikidata.as_deref());
        put_u32s(out, e.mentions.iter().copied());
        put_u32s(out, e.articles.iter().copied());
        for class in e.class {
            put_u32(out, class);
        }
    }

    // Name keys.
    let mut keys = Vec::new();
    let out = &mut keys;
    let mut pairs: Vec<(&String, &Vec<u32>)> = ds.entity_keys.iter().collect();
    pairs.sort_unstable();
    put_len(out, pairs.len());
    for (key, ids) in pairs {
        put_str(out, key);
        put_u32s(out, ids.iter().copied());
    }

    // Word index: each part behind its length, read in place.
    let mut words = Vec::new();
    for part in
        [ds.words.map.as_fst().as_bytes(), ds.words.offsets.as_ref(), ds.words.postings.as_ref()]
    {
        put_u64(&mut words, part.len() as u64);
        words.extend_from_slice(part);
    }

    // Fact kinds, one section per column (see `kind_layout`).
    let mut kinds = Vec::new();
    for table in &ds.kinds {
        let mut columns: Vec<Vec<u8>> = Vec::new();
        for column in [&table.article, &table.sentence, &table.start, &table.end] {
            let mut out = Vec::new();
            put_u32s(&mut out, column.iter().copied());
            columns.push(out);
        }
        let mut out = Vec::new();
        let extractors: Vec<u32> = table.extractor.iter().map(|e| strings.id(e)).collect();
        put_u32s(&mut out, extractors.into_iter());
        columns.push(out);
        let mut out = Vec::new();
        put_u64s(&mut out, table.confidence.iter().map(|c| c.to_bits()));
        columns.push(out);
        let mut out = Vec::new();
        put_u64s(&mut out, table.id.iter().map(|&i| i as u64));
        columns.push(out);
        for column in table.fields.iter().chain(&table.roles) {
            let mut out = Vec::new();
            put_len(&mut out, column.len());
            for value in column.iter() {
                put_val(&mut out, &mut strings, value)?;
            }
            columns.push(out);
        }
        for index in &table.by_role {
            let mut out = Vec::new();
            let mut targets: Vec<(&Ref, &Vec<u32>)> = index.by_target.iter().collect();
            targets.sort_unstable_by_key(|(r, _)| **r);
            put_len(&mut out, targets.len());
            for (target, facts) in targets {
                put_ref(&mut out, target);
                put_u32s(&mut out, facts.iter().copied());
            }
            put_u32s(&mut out, index.not_entity.iter().copied());
            columns.push(out);
        }
        for days in &table.days {
            let mut out = Vec::new();
            match days.as_deref() {
                Some(days) => {
                    out.push(1);
                    put_len(&mut out, days.len());
                    for [start, end] in days {
                        out.extend_from_slice(&start.to_le_bytes());
                        out.extend_from_slice(&end.to_le_bytes());
                    }
                }
                None => out.push(0),
            }
            columns.push(out);
        }
        kinds.extend(columns);
    }

    let mut shared = Vec::new();
    put_strs(&mut shared, strings.texts.iter().map(|t| &**t));
    let mut sections =
        vec![head, shared, articles, texts, starts, sentences, mentions, entities, keys, words];
    sections.extend(kinds);
    Ok(sections)
}

/// The head section.
fn decode_head(bytes: &[u8]) -> R<Head> {
    let mut d = Dec::new(bytes);
    let (articles, sentences) = (d.u32()? as usize, d.u32()? as usize);
    let (mentions, entities) = (d.u32()? as usize, d.u32()? as usize);
    let live_articles = d.u32()?;
    if live_articles as usize > articles {
        return Err("more live articles than articles".into());
    }
    let kind_lens = d.u32s()?.into_iter().map(|n| n as usize).collect::<Vec<_>>();
    let mut codes = Codes::default();
    for text in d.strs()? {
        codes.push(text.into());
    }
    let meta_keys = d.strs()?;
    let entity_kinds = d.strs()?;
    let n = d.len(4)?;
    let mut schemas = Vec::with_capacity(n);
    for _ in 0..n {
        let schema: KindSchema =
            serde_json::from_str(d.str()?).map_err(|err| format!("kind schema: {err}"))?;
        schemas.push(schema);
    }
    if schemas.len() != kind_lens.len() {
        return Err("fact counts for another number of kinds".into());
    }
    let n = d.len(12)?;
    let mut type_labels = Vec::with_capacity(n);
    for _ in 0..n {
        let kind = d.u32()?;
        let field = d.u32()?;
        let fields = schemas.get(kind as usize).map(|s| s.fields.len());
        if fields.is_none_or(|f| field as usize >= f) {
            return Err(format!("edge label of kind {kind} field {field}"));
        }
        let values = d.strs()?.into_iter().map(Arc::from).collect();
        type_labels.push((kind as u16, field as u16, values));
    }
    d.end("head")?;
    Ok(Head {
        articles,
        sentences,
        mentions,
        entities,
        live_articles,
        kind_lens,
        codes,
        meta_keys,
        entity_kinds,
        schemas,
        type_labels,
    })
}

fn decode_articles(
    src: &Source,
    texts: &Arc<Lazy<Utf8Bytes>>,
    starts: &Arc<Lazy<U32s>>,
) -> R<Vec<ArticleRec>> {
    let mut d = Dec::new(src.section(ARTICLES)?);
    let text_len = src.sections[TEXTS].len() as u64;
    let starts_len = (src.sections[STARTS].len() / 4) as u64;
    let sizes = &src.sizes;
    let n = d.len(8)?;
    if n != sizes.articles {
        return Err("the article count differs from the head".into());
    }
    let mut articles = Vec::with_capacity(n);
    for _ in 0..n {
        let id = d.arc_str()?;
        let origin = d.arc_str()?;
        let title = d.arc_str()?;
        let url = d.opt_str()?;
        let source = d.opt_str()?;
        let published = match d.u8()? {
            0 => None,
            1 => Some(d.date()?),
            tag => return Err(format!("option tag {tag}")),
        };
        let lang = d.opt_str()?;
        let (text_start, text_end) = (d.u64()?, d.u64()?);
        let (words_start, words_end) = (d.u64()?, d.u64()?);
        if text_start > text_end
            || text_end > text_len
            || words_start > words_end
            || words_end > starts_len
        {
            return Err(format!("article {id}: its text or words outside their sections"));
        }
        let sentences = d.range(sizes.sentences, "sentence")?;
        let n_meta = d.len(8)?;
        let mut meta = Vec::with_capacity(n_meta);
        for _ in 0..n_meta {
            meta.push((d.arc_str()?, d.arc_str()?));
        }
        let superseded_by = d.opt_str()?;
        let tone = match d.u8()? {
            0 => None,
            1 => Some(d.f64()?),
            tag => return Err(format!("option tag {tag}")),
        };
        articles.push(ArticleRec {
            meta,
            superseded_by,
            id,
            origin,
            title,
            url,
            source,
            published,
            lang,
            text: Text::Mapped {
                texts: texts.clone(),
                start: text_start as usize,
                end: text_end as usize,
            },
            sentences,
            tone,
            word_starts: WordStarts::Mapped {
                starts: starts.clone(),
                start: words_start as usize,
                end: words_end as usize,
            },
        });
    }
    d.end("articles")?;
    // Live articles come first, as `Dataset::load` orders them, as many as the head says.
    if articles.windows(2).any(|w| w[0].superseded_by.is_some() && w[1].superseded_by.is_none())
        || articles.iter().filter(|a| a.superseded_by.is_none()).count() != sizes.live as usize
    {
        return Err("the live articles are not the first ones the head counts".into());
    }
    Ok(articles)
}

fn decode_sentences(src: &Source) -> R<Vec<SentenceRec>> {
    let mut d = Dec::new(src.section(SENTENCES)?);
    let sizes = &src.sizes;
    let (article, index, paragraph) = (d.u32s()?, d.u32s()?, d.u32s()?);
    let (start, end, flags) = (d.u32s()?, d.u32s()?, d.u32s()?);
    let (m_start, m_end) = (d.u32s()?, d.u32s()?);
    let tone = d.u64s()?;
    d.end("sentences")?;
    let n = article.len();
    same_len(
        n,
        &[index.len(), paragraph.len(), start.len(), end.len(), flags.len(), m_start.len()],
        "sentences",
    )?;
    same_len(n, &[m_end.len(), tone.len()], "sentences")?;
    if n != sizes.sentences {
        return Err("the sentence count differs from the head".into());
    }
    check_all(&article, sizes.articles, None, "sentence's article")?;
    if m_start.iter().zip(&m_end).any(|(&s, &e)| s > e || e as usize > sizes.mentions) {
        return Err("a sentence's mentions past the mention table".into());
    }
    Ok((0..n)
        .map(|i| SentenceRec {
            article: article[i],
            index: index[i],
            paragraph: paragraph[i],
            start: start[i],
            end: end[i],
            is_title: flags[i] & 1 != 0,
            boilerplate: flags[i] & 2 != 0,
            tone: (flags[i] & 4 != 0).then(|| f64::from_bits(tone[i])),
            mentions: m_start[i]..m_end[i],
        })
        .collect())
}

/// The mention columns, read in place: article, entity, sentence, start, end, word,
/// confidence (`u32`), kind, type, level, extractor (`u16`).
struct MentionSlices<'b> {
    u32s: [&'b [u32]; 7],
    u16s: [&'b [u16]; 4],
    /// Where each column lies in the file.
    ranges: [Range<usize>; 11],
}

fn mention_slices(src: &Source) -> R<MentionSlices<'_>> {
    let bytes = src.section(MENTIONS)?;
    let base = src.sections[MENTIONS].start;
    let mut d = Dec::new(bytes);
    let mut ranges: [Range<usize>; 11] = Default::default();
    for (i, range) in ranges.iter_mut().enumerate() {
        let size = if i < 7 { 4 } else { 2 };
        let n = d.len(size)?;
        if n != src.sizes.mentions {
            return Err("a mention column of another length".into());
        }
        let at = d.pos;
        d.bytes(n * size)?;
        *range = base + at..base + at + n * size;
    }
    d.end("mentions")?;
    let map = src.map.bytes();
    let cast32 = |r: &Range<usize>| {
        bytemuck::try_cast_slice::<u8, u32>(&map[r.clone()])
            .map_err(|_| "a misaligned mention column".to_owned())
    };
    let cast16 = |r: &Range<usize>| {
        bytemuck::try_cast_slice::<u8, u16>(&map[r.clone()])
            .map_err(|_| "a misaligned mention column".to_owned())
    };
    let u32s = [
        cast32(&ranges[0])?,
        cast32(&ranges[1])?,
        cast32(&ranges[2])?,
        cast32(&ranges[3])?,
        cast32(&ranges[4])?,
        cast32(&ranges[5])?,
        cast32(&ranges[6])?,
    ];
    let u16s =
        [cast16(&ranges[7])?, cast16(&ranges[8])?, cast16(&ranges[9])?, cast16(&ranges[10])?];
    let sizes = &src.sizes;
    check_all(u32s[0], sizes.articles, None, "mention's article")?;
    check_all(u32s[1], sizes.entities, Some(NO_ENTITY), "mention's entity")?;
    check_all(u32s[2], sizes.sentences, None, "mention's sentence")?;
    for column in u16s {
        if column.iter().any(|&c| usize::from(c) >= sizes.codes.max(1)) {
            return Err("a mention code past the code table".into());
        }
    }
    Ok(MentionSlices { u32s, u16s, ranges })
}

/// The three mention columns scans read, in place.
fn decode_mention_columns(src: &Source) -> R<MentionColumns> {
    let slices = mention_slices(src)?;
    let column = |i: usize| Bytes::Mapped(src.map.clone(), slices.ranges[i].clone());
    let bad = || "a misaligned mention column".to_owned();
    Ok(MentionColumns {
        article: Column::mapped(column(0)).ok_or_else(bad)?,
        entity: Column::mapped(column(1)).ok_or_else(bad)?,
        kind: Column::mapped(column(7)).ok_or_else(bad)?,
    })
}

fn decode_mentions(src: &Source) -> R<Vec<MentionRec>> {
    let MentionSlices {
        u32s: [article, entity, sentence, start, end, word, confidence],
        u16s: [kind, ent_type, level, extractor],
        ..
    } = mention_slices(src)?;
    Ok((0..article.len())
        .map(|i| MentionRec {
            article: article[i],
            sentence: sentence[i],
            start: start[i],
            end: end[i],
            entity: (entity[i] != NO_ENTITY).then_some(entity[i]),
            word: word[i],
            kind: kind[i],
            ent_type: ent_type[i],
            level: level[i],
            extractor: extractor[i],
            confidence: f32::from_bits(confidence[i]),
        })
        .collect())
}

fn decode_entities(src: &Source) -> R<Vec<EntityRec>> {
    let strings = src.strings()?;
    let sizes = &src.sizes;
    let mut d = Dec::new(src.section(ENTITIES)?);
    let en = d.len(4)?;
    if en != sizes.entities {
        return Err("the entity count differs from the head".into());
    }
    let mut entities = Vec::with_capacity(en);
    for _ in 0..en {
        let id = d.arc_str()?;
        let kind = string(strings, d.u32()?)?;
        let name = d.arc_str()?;
        let na = d.len(1)?;
        let mut aliases = Vec::with_capacity(na);
        for _ in 0..na {
            aliases.push(d.val(strings, sizes, 0)?);
        }
        let wikidata = d.opt_str()?;
        let mentions = d.u32s()?;
        let entity_articles = d.u32s()?;
        check_all(&mentions, sizes.mentions, None, "entity's mention")?;
        check_all(&entity_articles, sizes.articles, None, "entity's article")?;
        let mut class = [0u32; 4];
        for slot in &mut class {
            *slot = d.u32()?;
        }
        check_all(&class, en, Some(crate::dataset::NULL_CLASS), "entity class")?;
        entities.push(EntityRec {
            id,
            kind,
            name,
            aliases: aliases.into(),
            wikidata,
            mentions,
            articles: entity_articles,
            class,
        });
    }
    d.end("entities")?;
    Ok(entities)
}

fn decode_keys(src: &Source) -> R<HashMap<String, Vec<u32>>> {
    let mut d = Dec::new(src.section(KEYS)?);
    let kn = d.len(8)?;
    let mut keys = HashMap::with_capacity(kn);
    for _ in 0..kn {
        let key = d.str()?.to_owned();
        let ids = d.u32s()?;
        check_all(&ids, src.sizes.entities, None, "name key's entity")?;
        keys.insert(key, ids);
    }
    d.end("keys")?;
    Ok(keys)
}

fn decode_words(src: &Source) -> R<TextIndex> {
    let bytes = src.section(WORDS)?;
    let base = src.sections[WORDS].start;
    let mut d = Dec::new(bytes);
    let mut parts = Vec::with_capacity(3);
    for _ in 0..3 {
        let len = usize::try_from(d.u64()?).map_err(|_| "word index part length".to_owned())?;
        let at = d.pos;
        d.bytes(len)?;
        parts.push(Bytes::Mapped(src.map.clone(), base + at..base + at + len));
    }
    d.end("words")?;
    let postings = parts.pop().unwrap_or_default();
    let offsets = parts.pop().unwrap_or_default();
    let map = parts.pop().unwrap_or_default();
    TextIndex::from_parts(map, offsets, postings, src.sizes.articles).map_err(|err| err.0)
}

/// Where the columns of a fact kind lie, from its first section: article, sentence, start,
/// end, extractor, confidence, id, then each field, each role, each role's index and each
/// field's day column.
struct KindLayout {
    first: usize,
    fields: usize,
    roles: usize,
}

impl KindLayout {
    const ARTICLE: usize = 0;
    const SENTENCE: usize = 1;
    const START: usize = 2;
    const END: usize = 3;
    const EXTRACTOR: usize = 4;
    const CONFIDENCE: usize = 5;
    const ID: usize = 6;

    fn sections(&self) -> usize {
        7 + 2 * self.fields + 2 * self.roles
    }

    fn field(&self, f: usize) -> usize {
        self.first + 7 + f
    }

    fn role(&self, r: usize) -> usize {
        self.first + 7 + self.fields + r
    }

    fn role_index(&self, r: usize) -> usize {
        self.first + 7 + self.fields + self.roles + r
    }

    fn days(&self, f: usize) -> usize {
        self.first + 7 + self.fields + 2 * self.roles + f
    }
}

/// The layouts of the fact kinds of `schemas`, one after the other from [`KIND_BASE`].
fn kind_layouts(schemas: &[KindSchema]) -> Vec<KindLayout> {
    let mut first = KIND_BASE;
    schemas
        .iter()
        .map(|schema| {
            let layout =
                KindLayout { first, fields: schema.fields.len(), roles: schema.roles.len() };
            first += layout.sections();
            layout
        })
        .collect()
}

/// A column of `u32`s of `rows` numbers, each below `limit` (when given).
fn decode_u32_column(
    src: &Source,
    section: usize,
    rows: usize,
    limit: Option<usize>,
) -> R<Vec<u32>> {
    let mut d = Dec::new(src.section(section)?);
    let column = d.u32s()?;
    d.end("fact column")?;
    if column.len() != rows {
        return Err("a fact column of another length".into());
    }
    if let Some(limit) = limit {
        check_all(&column, limit, None, "fact's row")?;
    }
    Ok(column)
}

/// A column of `u64`s of `rows` numbers.
fn decode_u64_column(src: &Source, section: usize, rows: usize) -> R<Vec<u64>> {
    let mut d = Dec::new(src.section(section)?);
    let column = d.u64s()?;
    d.end("fact column")?;
    if column.len() != rows {
        return Err("a fact column of another length".into());
    }
    Ok(column)
}

/// A column of values of `rows` facts.
fn decode_val_column(src: &Source, section: usize, rows: usize) -> R<Vec<Val>> {
    let strings = src.strings()?;
    let mut d = Dec::new(src.section(section)?);
    let n = d.len(1)?;
    if n != rows {
        return Err("a fact column of another length".into());
    }
    let mut column = Vec::with_capacity(n);
    for _ in 0..n {
        column.push(d.val(strings, &src.sizes, 0)?);
    }
    d.end("fact column")?;
    Ok(column)
}

fn decode_role_index(src: &Source, section: usize, rows: usize) -> R<RoleIndex> {
    let mut d = Dec::new(src.section(section)?);
    let tn = d.len(9)?;
    let mut index = RoleIndex::default();
    index.by_target.reserve(tn);
    for _ in 0..tn {
        let target = d.reference(&src.sizes)?;
        let facts = d.u32s()?;
        check_all(&facts, rows, None, "role index fact")?;
        index.by_target.insert(target, facts);
    }
    index.not_entity = d.u32s()?;
    check_all(&index.not_entity, rows, None, "role index fact")?;
    d.end("role index")?;
    Ok(index)
}

fn decode_days(src: &Source, section: usize, rows: usize) -> R<Option<Vec<[i32; 2]>>> {
    let mut d = Dec::new(src.section(section)?);
    let days = match d.u8()? {
        0 => None,
        1 => {
            let n = d.len(8)?;
            if n != rows {
                return Err("a day column of another length".into());
            }
            let mut days = Vec::with_capacity(n);
            for _ in 0..n {
                days.push([d.i32()?, d.i32()?]);
            }
            Some(days)
        }
        tag => return Err(format!("day column tag {tag}")),
    };
    d.end("day column")?;
    Ok(days)
}

/// The columns of fact kind `k`, each decoded when first read (or taken from the store's
/// data when its section is damaged).
fn kind_data(src: &Arc<Source>, k: usize, layout: &KindLayout) -> KindData {
    let rows = src.sizes.kinds.get(k).copied().unwrap_or(0);
    let (articles, sentences) = (src.sizes.articles, src.sizes.sentences);
    let at = |j: usize| layout.first + j;
    let u32s = |section: usize,
                limit: Option<usize>,
                pick: fn(&mut KindData) -> Option<&mut Lazy<Vec<u32>>>| {
        kind_column(src, k, move |src| decode_u32_column(src, section, rows, limit), pick)
    };
    KindData {
        rows,
        article: u32s(at(KindLayout::ARTICLE), Some(articles), |t| Some(&mut t.article)),
        sentence: u32s(at(KindLayout::SENTENCE), Some(sentences), |t| Some(&mut t.sentence)),
        start: u32s(at(KindLayout::START), None, |t| Some(&mut t.start)),
        end: u32s(at(KindLayout::END), None, |t| Some(&mut t.end)),
        extractor: {
            let section = at(KindLayout::EXTRACTOR);
            let decode = move |src: &Source| {
                let strings = src.strings()?;
                let ids = decode_u32_column(src, section, rows, None)?;
                ids.into_iter().map(|e| string(strings, e)).collect()
            };
            kind_column(src, k, decode, |t| Some(&mut t.extractor))
        },
        confidence: {
            let section = at(KindLayout::CONFIDENCE);
            let decode = move |src: &Source| {
                Ok(decode_u64_column(src, section, rows)?.into_iter().map(f64::from_bits).collect())
            };
            kind_column(src, k, decode, |t| Some(&mut t.confidence))
        },
        id: {
            let section = at(KindLayout::ID);
            let decode = move |src: &Source| {
                Ok(decode_u64_column(src, section, rows)?.into_iter().map(|i| i as i64).collect())
            };
            kind_column(src, k, decode, |t| Some(&mut t.id))
        },
        fields: (0..layout.fields)
            .map(|f| {
                let section = layout.field(f);
                let decode = move |src: &Source| decode_val_column(src, section, rows);
                kind_column(src, k, decode, move |t| t.fields.get_mut(f))
            })
            .collect(),
        roles: (0..layout.roles)
            .map(|r| {
                let section = layout.role(r);
                let decode = move |src: &Source| decode_val_column(src, section, rows);
                kind_column(src, k, decode, move |t| t.roles.get_mut(r))
            })
            .collect(),
        by_role: (0..layout.roles)
            .map(|r| {
                let section = layout.role_index(r);
                let decode = move |src: &Source| decode_role_index(src, section, rows);
                kind_column(src, k, decode, move |t| t.by_role.get_mut(r))
            })
            .collect(),
        days: (0..layout.fields)
            .map(|f| {
                let section = layout.days(f);
                let decode = move |src: &Source| decode_days(src, section, rows);
                kind_column(src, k, decode, move |t| t.days.get_mut(f))
            })
            .collect(),
    }
}

/// One column of fact kind `k`, decoded when first read; when its section is damaged, the
/// column `pick` names is taken from the store's data instead.
fn kind_column<T: Default + 'static>(
    src: &Arc<Source>,
    k: usize,
    decode: impl Fn(&Source) -> Result<T, String> + Send + Sync + 'static,
    pick: impl Fn(&mut KindData) -> Option<&mut Lazy<T>> + Send + Sync + 'static,
) -> Lazy<T> {
    src.lazy(decode, move |ds| {
        ds.kinds
            .get_mut(k)
            .and_then(|t| pick(&mut t.data))
            .map(|c| std::mem::take(c.get_mut()))
            .unwrap_or_default()
    })
}

/// Columns of one table must all be `n` long.
fn same_len(n: usize, lens: &[usize], what: &str) -> R<()> {
    if lens.iter().any(|&l| l != n) {
        return Err(format!("{what}: columns of different lengths"));
    }
    Ok(())
}
// Decoding

/// A cursor over the payload; every read checks the bytes left.
struct Dec<'b> {
    buf: &'b [u8],
    pos: usize,
}

type R<T> = Result<T, String>;

impl<'b> Dec<'b> {
    fn new(buf: &'b [u8]) -> Dec<'b> {
        Dec { buf, pos: 0 }
    }

    fn bytes(&mut self, n: usize) -> R<&'b [u8]> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.buf.len());
        let Some(end) = end else {
            return Err(format!("truncated at byte {} (wanted {n} more)", self.pos));
        };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> R<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> R<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> R<i32> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> R<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> R<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    fn f64(&mut self) -> R<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A count of items of at least `size` bytes each, checked against the bytes left so
    /// that a damaged count never allocates more than the file holds.
    fn len(&mut self, size: usize) -> R<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size.max(1)) > self.buf.len() - self.pos {
            return Err(format!("a count of {n} at byte {} exceeds the file", self.pos - 4));
        }
        Ok(n)
    }

    fn str(&mut self) -> R<&'b str> {
        let n = self.len(1)?;
        std::str::from_utf8(self.bytes(n)?).map_err(|err| format!("text: {err}"))
    }

    fn arc_str(&mut self) -> R<Arc<str>> {
        self.str().map(Arc::from)
    }

    fn opt_str(&mut self) -> R<Option<Arc<str>>> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.arc_str().map(Some),
            tag => Err(format!("option tag {tag}")),
        }
    }

    fn strs(&mut self) -> R<Vec<String>> {
        let n = self.len(4)?;
        (0..n).map(|_| self.str().map(str::to_owned)).collect()
    }

    /// Fails unless every byte was read.
    fn end(&self, what: &str) -> R<()> {
        if self.pos != self.buf.len() {
            return Err(format!("the {what} section has bytes after its end"));
        }
        Ok(())
    }

    fn u32s(&mut self) -> R<Vec<u32>> {
        let n = self.len(4)?;
        let bytes = self.bytes(n * 4)?;
        Ok(bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    fn u64s(&mut self) -> R<Vec<u64>> {
        let n = self.len(8)?;
        let bytes = self.bytes(n * 8)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }

    fn date(&mut self) -> R<DateRange> {
        let start = self.i32()?;
        let end = self.i32()?;
        let precision = match self.u8()? {
            0 => Precision::Year,
            1 => Precision::Month,
            2 => Precision::Day,
            3 => Precision::Interval,
            tag => return Err(format!("date precision {tag}")),
        };
        Ok(DateRange { start, end, precision })
    }

    fn range(&mut self, limit: usize, what: &str) -> R<Range<u32>> {
        let (start, end) = (self.u32()?, self.u32()?);
        if start > end || end as usize > limit {
            return Err(format!("{what} range {start}..{end} past {limit}"));
        }
        Ok(start..end)
    }

    fn reference(&mut self, sizes: &Sizes) -> R<Ref> {
        let tag = self.u8()?;
        let (a, i) = (self.u32()?, self.u32()?);
        let within = |n: usize| (i as usize) < n;
        let r = match tag {
            0 if within(sizes.articles) => Ref::Article(i),
            1 if within(sizes.sentences) => Ref::Sentence(i),
            2 if within(sizes.mentions) => Ref::Mention(i),
            3 if within(sizes.entities) => Ref::Entity(i),
            4 if sizes.kinds.get(a as usize).is_some_and(|&n| within(n)) => Ref::Fact(a as u16, i),
            _ => return Err(format!("reference {tag}:{a}:{i} points nowhere")),
        };
        Ok(r)
    }

    fn val(&mut self, strings: &[Arc<str>], sizes: &Sizes, depth: u32) -> R<Val> {
        Ok(match self.u8()? {
            0 => Val::Null,
            1 => Val::Bool(self.u8()? != 0),
            2 => Val::Int(self.i64()?),
            3 => Val::Float(self.f64()?),
            4 => Val::Str(string(strings, self.u32()?)?),
            5 => Val::Date(self.date()?),
            6 => Val::Ref(self.reference(sizes)?),
            // Lists nest only as deep as a stored value may (the host refuses deeper ones).
            7 if depth < 64 => {
                let n = self.len(1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.val(strings, sizes, depth + 1)?);
                }
                Val::List(items.into())
            }
            tag => return Err(format!("value tag {tag}")),
        })
    }
}

/// Table sizes, for checking row numbers.
#[derive(Default)]
struct Sizes {
    articles: usize,
    sentences: usize,
    mentions: usize,
    entities: usize,
    live: u32,
    codes: usize,
    /// Facts per kind.
    kinds: Vec<usize>,
}

fn string(strings: &[Arc<str>], id: u32) -> R<Arc<str>> {
    strings.get(id as usize).cloned().ok_or_else(|| format!("string {id} past the table"))
}

/// Every entry of `values` below `limit` (`skip` allowed as well).
fn check_all(values: &[u32], limit: usize, skip: Option<u32>, what: &str) -> R<()> {
    match values.iter().find(|&&v| (v as usize) >= limit && Some(v) != skip) {
        Some(v) => Err(format!("{what} {v} past {limit}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_of_pieces_is_the_checksum_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let whole = checksum(&bytes);
        for cuts in [[0, 0], [1, 2], [31, 32], [33, 100], [500, 999], [1000, 1000]] {
            let mut sum = Checksum::default();
            sum.update(&bytes[..cuts[0]]);
            sum.update(&bytes[cuts[0]..cuts[1]]);
            sum.update(&bytes[cuts[1]..]);
            assert_eq!(sum.finish(), whole, "{cuts:?}");
        }
        let mut flipped = bytes.clone();
        flipped[500] ^= 1;
        assert_ne!(checksum(&flipped), whole);
        assert_ne!(checksum(&bytes[..999]), whole);
    }
}

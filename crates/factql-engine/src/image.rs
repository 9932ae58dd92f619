//! The image: what [`Dataset::load`] builds from the store (rows by column, dictionaries,
//! indexes, the word index), written to one file beside the store and read back in one bulk
//! read, so a process starts in a fraction of a second instead of re-reading SQLite.
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
//! header   magic "FQLIMAGE" · format version u32 · identity (u32 length + UTF-8)
//!          · generation i64 · payload length u64 · payload checksum u64
//! payload  strings: the shared texts (kinds, categories, extractor names, quote texts)
//!          · table sizes (articles, sentences, mentions, entities)
//!          · core section (u64 length): codes · articles · sentences · mentions (by
//!            column) · entities · name keys
//!          · fact section (u64 length): fact kinds (schema as JSON, columns, role indexes)
//!          · edge labels · word index (fst bytes, offsets, postings)
//! ```
//!
//! The two sections are decoded at once, the fact kinds on a second thread.
//!
//! Every count is checked against the bytes left before anything is allocated, every row
//! number and range against the table it points into, every span against its text, and the
//! checksum covers the whole payload: a truncated or damaged file is an error, never a
//! panic, and never a wrong answer from a flipped bit. What [`Dataset::derive`] recomputes
//! (mention columns, day columns, tone, field keys) is not stored.

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use factql_model::KindSchema;

use crate::dataset::{
    ArticleRec, Codes, Dataset, EntityRec, KindTable, MentionColumns, MentionRec, RoleIndex,
    SentenceRec,
};
use crate::textindex::TextIndex;
use crate::value::{DateRange, Precision, Ref, Val};

/// The first bytes of every image.
pub const IMAGE_MAGIC: [u8; 8] = *b"FQLIMAGE";

/// The format this build writes and reads; any other is not used.
pub const IMAGE_VERSION: u32 = 2;

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

/// Writes the image of `ds` to `path`: to a temporary file beside it, then renamed over
/// it, so a reader sees the old image or the new one, never half of one.
pub(crate) fn write(ds: &Dataset, path: &Path) -> Result<(), ImageError> {
    let unwritable = |detail: &str| ImageError::Unwritable {
        path: path.to_path_buf(),
        detail: detail.to_owned(),
    };
    let Some(generation) = &ds.generation else {
        return Err(unwritable("the data was not read with a store generation"));
    };
    // The payload's parts are written one after the other, never copied into one buffer.
    let parts = encode(ds).map_err(|detail| unwritable(&detail))?;
    let mut sum = Checksum::default();
    for part in &parts {
        sum.update(part);
    }
    let mut header = Vec::new();
    header.extend_from_slice(&IMAGE_MAGIC);
    header.extend_from_slice(&IMAGE_VERSION.to_le_bytes());
    put_str(&mut header, &generation.identity);
    header.extend_from_slice(&generation.generation.to_le_bytes());
    header.extend_from_slice(&sum.len.to_le_bytes());
    header.extend_from_slice(&sum.finish().to_le_bytes());
    let io = |source| ImageError::Io { path: path.to_path_buf(), source };
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".tmp{}", std::process::id()));
    let temporary = path.with_file_name(name);
    let written = (|| {
        let file = std::fs::File::create(&temporary)?;
        let mut file = std::io::BufWriter::new(file);
        file.write_all(&header)?;
        for part in &parts {
            file.write_all(part)?;
        }
        let file = file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        // Not synced: an image cut short by a crash fails its length or checksum and is
        // rebuilt, and syncing hundreds of megabytes costs seconds.
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(io)
}

/// Reads the image at `path` if it was built from `store` as it is now.
pub(crate) fn read(path: &Path, store: &factql_store::Store) -> Result<Dataset, ImageError> {
    let generation = store.generation()?;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(ImageError::Missing { path: path.to_path_buf() });
        }
        Err(source) => return Err(ImageError::Io { path: path.to_path_buf(), source }),
    };
    let start = header(path, &bytes, &generation)?;
    let mut ds = decode(&bytes[start..])
        .map_err(|detail| ImageError::Corrupt { path: path.to_path_buf(), detail })?;
    ds.generation = Some(generation);
    Ok(ds)
}

/// Whether the image at `path` names `store` at its current generation, from its header
/// alone (the payload is not read or checked).
pub(crate) fn check_header(path: &Path, store: &factql_store::Store) -> Result<(), ImageError> {
    use std::io::Read;
    let generation = store.generation()?;
    let io = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::NotFound => ImageError::Missing { path: path.to_path_buf() },
        _ => ImageError::Io { path: path.to_path_buf(), source },
    };
    let mut prefix = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut prefix)).map_err(io)?;
    match header(path, &prefix, &generation) {
        // The payload is past the prefix read: only its length and checksum were not seen.
        Ok(_) => Ok(()),
        Err(ImageError::Corrupt { .. }) if prefix.len() == 4096 => Ok(()),
        Err(err) => Err(err),
    }
}

/// Checks the header of `bytes` against the store's `generation`; the payload's offset.
fn header(
    path: &Path,
    bytes: &[u8],
    generation: &factql_store::Generation,
) -> Result<usize, ImageError> {
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
    let sum = header.u64().map_err(corrupt)?;
    let payload = &bytes[header.pos..];
    if payload.len() as u64 != length {
        return Err(corrupt(format!("{} payload bytes, the header says {length}", payload.len())));
    }
    if checksum(payload) != sum {
        return Err(corrupt("checksum mismatch".into()));
    }
    Ok(header.pos)
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

/// The payload, in parts to be written in order: the shared strings first (they are
/// collected while the rest is encoded), the sections with their lengths, the tail.
fn encode(ds: &Dataset) -> Result<Vec<Vec<u8>>, String> {
    let mut strings = Strings::default();
    let mut core = Vec::new();
    let out = &mut core;

    // Mention codes.
    put_len(out, ds.codes.texts.len());
    for text in &ds.codes.texts {
        put_str(out, text);
    }

    // Articles.
    put_len(out, ds.articles.len());
    for a in &ds.articles {
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
        put_str(out, &a.text);
        put_range(out, &a.sentences);
        put_u32s(out, a.word_starts.iter().copied());
        put_len(out, a.meta.len());
        for (key, value) in &a.meta {
            put_str(out, key);
            put_str(out, value);
        }
        put_opt_str(out, a.superseded_by.as_deref());
    }

    // Sentences, by column.
    let s = &ds.sentences;
    put_u32s(out, s.iter().map(|s| s.article));
    put_u32s(out, s.iter().map(|s| s.index));
    put_u32s(out, s.iter().map(|s| s.paragraph));
    put_u32s(out, s.iter().map(|s| s.start));
    put_u32s(out, s.iter().map(|s| s.end));
    put_u32s(out, s.iter().map(|s| u32::from(s.is_title) | u32::from(s.boilerplate) << 1));
    put_u32s(out, s.iter().map(|s| s.mentions.start));
    put_u32s(out, s.iter().map(|s| s.mentions.end));

    // Mentions, by column.
    let m = &ds.mentions;
    put_u32s(out, m.iter().map(|m| m.article));
    put_u32s(out, m.iter().map(|m| m.sentence));
    put_u32s(out, m.iter().map(|m| m.start));
    put_u32s(out, m.iter().map(|m| m.end));
    put_u32s(out, m.iter().map(|m| m.entity.unwrap_or(u32::MAX)));
    put_u32s(out, m.iter().map(|m| m.word));
    put_u16s(out, m.iter().map(|m| m.kind));
    put_u16s(out, m.iter().map(|m| m.ent_type));
    put_u16s(out, m.iter().map(|m| m.level));
    put_u16s(out, m.iter().map(|m| m.extractor));
    put_u32s(out, m.iter().map(|m| m.confidence.to_bits()));

    // Entities.
    put_len(out, ds.entities.len());
    for e in &ds.entities {
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
    let mut keys: Vec<(&String, &Vec<u32>)> = ds.entity_keys.iter().collect();
    keys.sort_unstable();
    put_len(out, keys.len());
    for (key, ids) in keys {
        put_str(out, key);
        put_u32s(out, ids.iter().copied());
    }

    // Fact kinds, apart: they are decoded on a thread of their own.
    let mut facts = Vec::new();
    let out = &mut facts;
    put_len(out, ds.kinds.len());
    for table in &ds.kinds {
        let schema = serde_json::to_string(&table.schema).map_err(|err| err.to_string())?;
        put_str(out, &schema);
        put_u32s(out, table.article.iter().copied());
        put_u32s(out, table.sentence.iter().copied());
        put_u32s(out, table.start.iter().copied());
        put_u32s(out, table.end.iter().copied());
        for column in table.fields.iter().chain(&table.roles) {
            for value in column {
                put_val(out, &mut strings, value)?;
            }
        }
        let extractors: Vec<u32> = table.extractor.iter().map(|e| strings.id(e)).collect();
        put_u32s(out, extractors.into_iter());
        put_u64s(out, table.confidence.iter().map(|c| c.to_bits()));
        put_u64s(out, table.id.iter().map(|&i| i as u64));
        for index in &table.by_role {
            let mut targets: Vec<(&Ref, &Vec<u32>)> = index.by_target.iter().collect();
            targets.sort_unstable_by_key(|(r, _)| **r);
            put_len(out, targets.len());
            for (target, facts) in targets {
                put_ref(out, target);
                put_u32s(out, facts.iter().copied());
            }
            put_u32s(out, index.not_entity.iter().copied());
        }
    }

    let mut tail = Vec::new();
    let out = &mut tail;
    // Edge labels.
    put_len(out, ds.type_labels.len());
    for (kind, field, values) in &ds.type_labels {
        put_u32(out, u32::from(*kind));
        put_u32(out, u32::from(*field));
        put_len(out, values.len());
        for value in values {
            put_u32(out, strings.id(value));
        }
    }

    // Word index.
    let fst = ds.words.map.as_fst().as_bytes();
    put_len(out, fst.len());
    out.extend_from_slice(fst);
    put_u64s(out, ds.words.offsets.iter().copied());
    put_len(out, ds.words.postings.len());
    out.extend_from_slice(&ds.words.postings);

    let mut head = Vec::new();
    put_len(&mut head, strings.texts.len());
    for text in &strings.texts {
        put_str(&mut head, text);
    }
    for n in [ds.articles.len(), ds.sentences.len(), ds.mentions.len(), ds.entities.len()] {
        put_len(&mut head, n);
    }
    head.extend_from_slice(&(core.len() as u64).to_le_bytes());
    let facts_len = (facts.len() as u64).to_le_bytes().to_vec();
    Ok(vec![head, core, facts_len, facts, tail])
}

// ---------------------------------------------------------------------------------------
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

    fn u32s(&mut self) -> R<Vec<u32>> {
        let n = self.len(4)?;
        let bytes = self.bytes(n * 4)?;
        Ok(bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    fn u16s(&mut self) -> R<Vec<u16>> {
        let n = self.len(2)?;
        let bytes = self.bytes(n * 2)?;
        Ok(bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect())
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
            // Fact references are checked once every kind's length is known.
            4 => Ref::Fact(u16::try_from(a).map_err(|_| format!("fact kind {a}"))?, i),
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

/// Spans `start..end` inside the text of their article, on character boundaries.
fn check_spans(
    articles: &[ArticleRec],
    article: &[u32],
    start: &[u32],
    end: &[u32],
    what: &str,
) -> R<()> {
    for ((&a, &s), &e) in article.iter().zip(start).zip(end) {
        let text = &articles[a as usize].text;
        if s > e || !text.is_char_boundary(s as usize) || !text.is_char_boundary(e as usize) {
            return Err(format!("{what} span {s}..{e} outside its article's text"));
        }
    }
    Ok(())
}

/// Columns of one table must all be `n` long.
fn same_len(n: usize, lens: &[usize], what: &str) -> R<()> {
    if lens.iter().any(|&l| l != n) {
        return Err(format!("{what}: columns of different lengths"));
    }
    Ok(())
}

/// The payload: the strings, the table sizes, then the core tables decoded here while the
/// fact kinds are decoded on a second thread, then what needs both.
fn decode(payload: &[u8]) -> R<Dataset> {
    let mut d = Dec::new(payload);
    let n = d.len(4)?;
    let mut strings: Vec<Arc<str>> = Vec::with_capacity(n);
    for _ in 0..n {
        strings.push(d.arc_str()?);
    }
    let sizes = Sizes {
        articles: d.u32()? as usize,
        sentences: d.u32()? as usize,
        mentions: d.u32()? as usize,
        entities: d.u32()? as usize,
    };
    let core_len = usize::try_from(d.u64()?).map_err(|_| "section length".to_owned())?;
    let core = d.bytes(core_len)?;
    let facts_len = usize::try_from(d.u64()?).map_err(|_| "section length".to_owned())?;
    let facts = d.bytes(facts_len)?;
    let tail = &payload[d.pos..];
    let (strings, sizes) = (&strings, &sizes);
    std::thread::scope(|scope| {
        let kinds = scope.spawn(move || decode_kinds(facts, strings, sizes));
        decode_rest(core, tail, strings, sizes, || {
            kinds.join().map_err(|_| "decoding the facts failed".to_owned())?
        })
    })
}

/// The core tables (articles, sentences, mentions, entities, name keys) from `core`, the
/// fact kinds from `kinds` (once the core is in), then the edge labels and word index.
fn decode_rest(
    core: &[u8],
    tail: &[u8],
    strings: &[Arc<str>],
    sizes: &Sizes,
    kinds: impl FnOnce() -> R<Vec<KindTable>>,
) -> R<Dataset> {
    let mut d = Dec::new(core);

    let n = d.len(4)?;
    let mut codes = Codes::default();
    for _ in 0..n {
        codes.push(d.arc_str()?);
    }

    // Articles.
    let n = d.len(8)?;
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
        let text = d.arc_str()?;
        let sentences = d.range(u32::MAX as usize, "sentence")?;
        let word_starts = d.u32s()?;
        if word_starts.iter().any(|&w| !text.is_char_boundary(w as usize)) {
            return Err(format!("article {id}: a word start outside its text"));
        }
        let n_meta = d.len(8)?;
        let mut meta = Vec::with_capacity(n_meta);
        for _ in 0..n_meta {
            meta.push((d.arc_str()?, d.arc_str()?));
        }
        let superseded_by = d.opt_str()?;
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
            text,
            sentences,
            tone: None,
            word_starts,
        });
    }
    if articles.len() != sizes.articles {
        return Err("the article count differs from the header".into());
    }

    // Sentences.
    let (article, index, paragraph) = (d.u32s()?, d.u32s()?, d.u32s()?);
    let (start, end, flags) = (d.u32s()?, d.u32s()?, d.u32s()?);
    let (m_start, m_end) = (d.u32s()?, d.u32s()?);
    let n = article.len();
    same_len(
        n,
        &[index.len(), paragraph.len(), start.len(), end.len(), flags.len(), m_start.len()],
        "sentences",
    )?;
    same_len(n, &[m_end.len()], "sentences")?;
    check_all(&article, articles.len(), None, "sentence's article")?;
    check_spans(&articles, &article, &start, &end, "sentence")?;
    if articles.iter().any(|a| a.sentences.end as usize > n) {
        return Err("an article's sentences past the sentence table".into());
    }
    if n != sizes.sentences {
        return Err("the sentence count differs from the header".into());
    }

    // Mentions.
    let (m_article, m_sentence, m_s, m_e) = (d.u32s()?, d.u32s()?, d.u32s()?, d.u32s()?);
    let (m_entity, m_word) = (d.u32s()?, d.u32s()?);
    let (m_kind, m_type, m_level, m_extractor) = (d.u16s()?, d.u16s()?, d.u16s()?, d.u16s()?);
    let m_confidence = d.u32s()?;
    let mn = m_article.len();
    same_len(
        mn,
        &[
            m_sentence.len(),
            m_s.len(),
            m_e.len(),
            m_entity.len(),
            m_word.len(),
            m_kind.len(),
            m_type.len(),
            m_level.len(),
            m_extractor.len(),
            m_confidence.len(),
        ],
        "mentions",
    )?;
    check_all(&m_article, articles.len(), None, "mention's article")?;
    check_all(&m_sentence, n, None, "mention's sentence")?;
    check_spans(&articles, &m_article, &m_s, &m_e, "mention")?;
    if m_start.iter().zip(&m_end).any(|(&s, &e)| s > e || e as usize > mn) {
        return Err("a sentence's mentions past the mention table".into());
    }
    let code_limit = codes.texts.len().max(1);
    for column in [&m_kind, &m_type, &m_level, &m_extractor] {
        if column.iter().any(|&c| usize::from(c) >= code_limit) {
            return Err("a mention code past the code table".into());
        }
    }
    for (i, &w) in m_word.iter().enumerate() {
        if w as usize >= articles[m_article[i] as usize].word_starts.len().max(1) {
            return Err(format!("mention {i}: word {w} past its article's words"));
        }
    }
    if mn != sizes.mentions {
        return Err("the mention count differs from the header".into());
    }

    let sentences: Vec<SentenceRec> = (0..n)
        .map(|i| SentenceRec {
            article: article[i],
            index: index[i],
            paragraph: paragraph[i],
            start: start[i],
            end: end[i],
            is_title: flags[i] & 1 != 0,
            boilerplate: flags[i] & 2 != 0,
            tone: None,
            mentions: m_start[i]..m_end[i],
        })
        .collect();

    // Entities.
    let en = d.len(4)?;
    if en != sizes.entities {
        return Err("the entity count differs from the header".into());
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
        check_all(&mentions, mn, None, "entity's mention")?;
        check_all(&entity_articles, articles.len(), None, "entity's article")?;
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
    check_all(&m_entity, en, Some(u32::MAX), "mention's entity")?;
    let mentions: Vec<MentionRec> = (0..mn)
        .map(|i| MentionRec {
            article: m_article[i],
            sentence: m_sentence[i],
            start: m_s[i],
            end: m_e[i],
            entity: (m_entity[i] != u32::MAX).then_some(m_entity[i]),
            word: m_word[i],
            kind: m_kind[i],
            ent_type: m_type[i],
            level: m_level[i],
            extractor: m_extractor[i],
            confidence: f32::from_bits(m_confidence[i]),
        })
        .collect();

    // Name keys.
    let kn = d.len(8)?;
    let mut entity_keys = HashMap::with_capacity(kn);
    for _ in 0..kn {
        let key = d.str()?.to_owned();
        let ids = d.u32s()?;
        check_all(&ids, en, None, "name key's entity")?;
        entity_keys.insert(key, ids);
    }

    if d.pos != core.len() {
        return Err("the core section has bytes after its end".into());
    }
    let kinds = kinds()?;
    for table in &kinds {
        check_all(&table.article, articles.len(), None, "fact's article")?;
        check_all(&table.sentence, n, None, "fact's sentence")?;
        check_spans(&articles, &table.article, &table.start, &table.end, "fact")?;
    }
    let mut d = Dec::new(tail);
    // Fact references point into a kind that exists, at a fact it has.
    let fact_ok = |r: &Ref| match *r {
        Ref::Fact(k, i) => kinds.get(usize::from(k)).is_some_and(|t| (i as usize) < t.len()),
        _ => true,
    };
    for table in &kinds {
        for column in table.fields.iter().chain(&table.roles) {
            if !column.iter().all(|v| !matches!(v, Val::Ref(r) if !fact_ok(r))) {
                return Err("a value points at a fact that does not exist".into());
            }
        }
        for index in &table.by_role {
            if !index.by_target.keys().all(fact_ok) {
                return Err("a role index points at a fact that does not exist".into());
            }
        }
    }

    // Edge labels.
    let ln = d.len(12)?;
    let mut type_labels = Vec::with_capacity(ln);
    for _ in 0..ln {
        let kind = d.u32()?;
        let field = d.u32()?;
        let fields = kinds.get(kind as usize).map(|t| t.schema.fields.len());
        if fields.is_none_or(|f| field as usize >= f) {
            return Err(format!("edge label of kind {kind} field {field}"));
        }
        let vn = d.len(4)?;
        let mut values = Vec::with_capacity(vn);
        for _ in 0..vn {
            values.push(string(strings, d.u32()?)?);
        }
        type_labels.push((kind as u16, field as u16, values));
    }

    // Word index.
    let fst_len = d.len(1)?;
    let fst = d.bytes(fst_len)?.to_vec();
    let offsets = d.u64s()?;
    let postings_len = d.len(1)?;
    let postings = d.bytes(postings_len)?.to_vec();
    let words =
        TextIndex::from_parts(fst, offsets, postings, articles.len()).map_err(|err| err.0)?;
    if d.pos != tail.len() {
        return Err(format!("{} bytes after the end", tail.len() - d.pos));
    }

    // Live articles come first, as `Dataset::load` orders them (`derive` counts them).
    if articles.windows(2).any(|w| w[0].superseded_by.is_some() && w[1].superseded_by.is_none()) {
        return Err("a live article after a superseded one".into());
    }
    let mut ds = Dataset {
        live_articles: 0,
        meta_keys: Vec::new(),
        articles,
        sentences,
        mentions,
        mention_cols: MentionColumns::default(),
        entities,
        kinds,
        entity_keys,
        codes,
        entity_kinds: Vec::new(),
        type_labels,
        field_keys: Vec::new(),
        words,
        generation: None,
    };
    ds.derive();
    Ok(ds)
}

/// The fact kinds, each checked against the table sizes of the header (the spans against
/// the article texts are checked once both are in).
fn decode_kinds(facts: &[u8], strings: &[Arc<str>], sizes: &Sizes) -> R<Vec<KindTable>> {
    let mut d = Dec::new(facts);
    let kinds_n = d.len(4)?;
    let mut kinds = Vec::with_capacity(kinds_n);
    for _ in 0..kinds_n {
        let schema: KindSchema =
            serde_json::from_str(d.str()?).map_err(|err| format!("kind schema: {err}"))?;
        let mut table = KindTable::new(schema);
        table.article = d.u32s()?;
        table.sentence = d.u32s()?;
        table.start = d.u32s()?;
        table.end = d.u32s()?;
        let rows = table.article.len();
        same_len(rows, &[table.sentence.len(), table.start.len(), table.end.len()], "facts")?;
        for column in table.fields.iter_mut().chain(table.roles.iter_mut()) {
            if rows > d.buf.len() - d.pos {
                return Err("a fact column exceeds the file".into());
            }
            column.reserve_exact(rows);
            for _ in 0..rows {
                column.push(d.val(strings, sizes, 0)?);
            }
        }
        let extractors = d.u32s()?;
        table.extractor =
            extractors.into_iter().map(|e| string(strings, e)).collect::<R<Vec<_>>>()?;
        table.confidence = d.u64s()?.into_iter().map(f64::from_bits).collect();
        table.id = d.u64s()?.into_iter().map(|i| i as i64).collect();
        same_len(rows, &[table.extractor.len(), table.confidence.len(), table.id.len()], "facts")?;
        for _ in 0..table.roles.len() {
            let tn = d.len(9)?;
            let mut index = RoleIndex::default();
            index.by_target.reserve(tn);
            for _ in 0..tn {
                let target = d.reference(sizes)?;
                let facts = d.u32s()?;
                check_all(&facts, rows, None, "role index fact")?;
                index.by_target.insert(target, facts);
            }
            index.not_entity = d.u32s()?;
            check_all(&index.not_entity, rows, None, "role index fact")?;
            table.by_role.push(index);
        }
        kinds.push(table);
    }
    if d.pos != facts.len() {
        return Err("the fact section has bytes after its end".into());
    }
    Ok(kinds)
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

//! The common case of validation in one pass: postcard batch bytes read straight into checked
//! model rows, with no intermediate wire values.
//!
//! [`crate::validate::validate`] (serde decoding, then checks) stays the reference: this reader
//! accepts a batch only when that path would accept it and produce the same rows, and gives up
//! ([`Read::Fallback`]) on anything unusual, so every error message still comes from there.
//! The one thing it decides alone is nesting: a batch with a value nested deeper than
//! [`MAX_DEPTH`] is rejected here, before serde's recursive decoding could overflow the host's
//! stack on it (a plugin in a child process could otherwise crash the host).
//! Tested against the reference on random batches (`tests` below).

use std::collections::BTreeMap;
use std::sync::Arc;

use factql_model::Extraction;
use factql_model::{
    Arg, ArgTarget, Article, Entity, ExtractorRef, Fact, KindSchema, Mention, MentionLevel,
    Provenance, Span, Value,
};
use factql_plugin_abi::WIRE_SCHEMA;

use crate::entities::{Kinds, Merge};

/// Lists inside field values nest at most this deep.
pub(crate) const MAX_DEPTH: u32 = 32;

/// What one plugin's output is checked against, built once when it loads.
#[derive(Debug)]
pub(crate) struct Checker {
    /// The kinds it produces, in manifest order.
    pub kinds: Vec<KindSchema>,
    /// How many required fields each kind has.
    pub required: Vec<usize>,
    /// The mention and entity types it declares, and their kinds.
    pub types: Kinds,
    /// Named by every row it produces.
    pub extractor: Arc<ExtractorRef>,
}

impl Checker {
    pub(crate) fn new(kinds: Vec<KindSchema>, types: Kinds, extractor: ExtractorRef) -> Checker {
        let required =
            kinds.iter().map(|kind| kind.fields.iter().filter(|f| f.required).count()).collect();
        Checker { kinds, required, types, extractor: Arc::new(extractor) }
    }
}

/// The outcome of [`read`].
#[derive(Debug)]
pub(crate) enum Read {
    /// Every batch decoded and every row passed its checks.
    Ok(Extraction),
    /// Something did not fit: the reference path decides, and names the problem.
    Fallback,
    /// Rejected outright, with the reason (values nested too deep).
    Reject(String),
}

/// Why reading stopped.
enum Stop {
    Fallback,
    TooDeep,
}

type Step<T> = Result<T, Stop>;

const FALLBACK: Stop = Stop::Fallback;

/// A cursor over postcard bytes, decoding exactly as postcard does (or more strictly).
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Step<u8> {
        let (&first, rest) = self.bytes.split_first().ok_or(FALLBACK)?;
        self.bytes = rest;
        Ok(first)
    }

    fn take(&mut self, n: usize) -> Step<&'a [u8]> {
        if n > self.bytes.len() {
            return Err(FALLBACK);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    /// A LEB128 varint of at most `max` bytes whose last byte is at most `last`, as postcard
    /// reads an unsigned integer of that width.
    fn varint(&mut self, max: u32, last: u8) -> Step<u64> {
        let mut out = 0u64;
        for i in 0..max {
            let byte = self.byte()?;
            out |= u64::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                return if i == max - 1 && byte > last { Err(FALLBACK) } else { Ok(out) };
            }
        }
        Err(FALLBACK)
    }

    fn u16(&mut self) -> Step<u16> {
        self.varint(3, 0x03).map(|v| v as u16)
    }

    fn u32(&mut self) -> Step<u32> {
        self.varint(5, 0x0F).map(|v| v as u32)
    }

    fn u64(&mut self) -> Step<u64> {
        self.varint(10, 0x01)
    }

    /// A sequence length; each element takes at least `min` bytes, so a length the remaining
    /// bytes cannot hold is refused before anything is allocated for it.
    fn len(&mut self, min: usize) -> Step<usize> {
        let len = usize::try_from(self.u64()?).map_err(|_| FALLBACK)?;
        if len.saturating_mul(min) > self.bytes.len() {
            return Err(FALLBACK);
        }
        Ok(len)
    }

    /// The bytes of a string, not yet checked to be UTF-8.
    fn str_bytes(&mut self) -> Step<&'a [u8]> {
        let len = usize::try_from(self.u64()?).map_err(|_| FALLBACK)?;
        self.take(len)
    }

    fn str(&mut self) -> Step<&'a str> {
        std::str::from_utf8(self.str_bytes()?).map_err(|_| FALLBACK)
    }

    fn f32(&mut self) -> Step<f32> {
        let bytes = self.take(4)?;
        Ok(f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn f64(&mut self) -> Step<f64> {
        let bytes = self.take(8)?;
        let mut buf = [0u8; 8];
        buf.copy_from_slice(bytes);
        Ok(f64::from_le_bytes(buf))
    }

    fn span(&mut self, text: &str) -> Step<Span> {
        let span = Span::new(self.u32()? as usize, self.u32()? as usize);
        span.check(text).map_err(|_| FALLBACK)?;
        Ok(span)
    }

    fn confidence(&mut self) -> Step<f32> {
        let value = self.f32()?;
        if value.is_finite() && (0.0..=1.0).contains(&value) { Ok(value) } else { Err(FALLBACK) }
    }

    /// A `wire::Value` as the model value the reference converts it to.
    fn value(&mut self, depth: u32) -> Step<Value> {
        Ok(match self.u32()? {
            0 => Value::Null,
            1 => Value::Bool(match self.byte()? {
                0 => false,
                1 => true,
                _ => return Err(FALLBACK),
            }),
            2 => {
                let raw = self.u64()?;
                Value::Int(((raw >> 1) as i64) ^ -((raw & 1) as i64))
            }
            3 => {
                let value = self.f64()?;
                if !value.is_finite() {
                    return Err(FALLBACK);
                }
                Value::Float(value)
            }
            4 => Value::Str(self.str()?.to_owned()),
            5 => Value::Date(self.str()?.to_owned()),
            6 => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::TooDeep);
                }
                let len = self.len(1)?;
                let mut values = Vec::with_capacity(len);
                for _ in 0..len {
                    values.push(self.value(depth + 1)?);
                }
                Value::List(values)
            }
            7 => Value::Interval(self.opt_str()?, self.opt_str()?),
            _ => return Err(FALLBACK),
        })
    }

    /// An `Option<String>`.
    fn opt_str(&mut self) -> Step<Option<String>> {
        match self.byte()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?.to_owned())),
            _ => Err(FALLBACK),
        }
    }
}

/// The index of the sentence holding byte `offset` (the last sentence starting at or before it).
pub(crate) fn sentence_of(article: &Article, offset: usize) -> usize {
    let after = article.sentences.partition_point(|sentence| sentence.span.start <= offset);
    after.saturating_sub(1)
}

/// Reads the batches of one call (concatenated in order) and checks every row, as
/// [`crate::validate::validate`] does after decoding and concatenating them.
pub(crate) fn read(
    checker: &Checker,
    article: &Article,
    batches: &[Vec<u8>],
    max_items: usize,
    known: &dyn Fn(&str) -> bool,
) -> Read {
    let too_deep = || {
        Read::Reject(format!(
            "a batch does not decode (a value nests lists more than {MAX_DEPTH} deep)"
        ))
    };
    match read_all(checker, article, batches, max_items, known) {
        Ok(extraction) => Read::Ok(extraction),
        Err(Stop::TooDeep) => too_deep(),
        // Serde will go over the bytes: first make sure it cannot recurse too deep on them.
        Err(Stop::Fallback) => {
            if batches.iter().any(|bytes| matches!(scan(bytes), Err(Stop::TooDeep))) {
                too_deep()
            } else {
                Read::Fallback
            }
        }
    }
}

/// Walks a batch's structure as serde decodes it, without checking what it means, and stops
/// where serde would stop or deeper; reports [`Stop::TooDeep`] for a value nested past the limit.
fn scan(bytes: &[u8]) -> Step<()> {
    fn value(r: &mut Reader<'_>, depth: u32) -> Step<()> {
        match r.u32()? {
            0 => {}
            1 => _ = r.byte()?,
            2 => _ = r.u64()?,
            3 => _ = r.take(8)?,
            4 | 5 => _ = r.str()?,
            6 if depth >= MAX_DEPTH => return Err(Stop::TooDeep),
            6 => {
                // No bound on the length here: serde reads elements until the bytes end.
                for _ in 0..r.u64()? {
                    value(r, depth + 1)?;
                }
            }
            7 => {
                r.opt_str()?;
                r.opt_str()?;
            }
            _ => return Err(FALLBACK),
        }
        Ok(())
    }
    let r = &mut Reader { bytes };
    r.u16()?;
    for _ in 0..r.u64()? {
        r.u32()?;
        r.u32()?;
        r.str()?;
        r.u32()?;
        if r.byte()? == 1 {
            r.str()?;
        }
        r.f32()?;
    }
    for _ in 0..r.u64()? {
        r.str()?;
        r.u32()?;
        r.u32()?;
        for _ in 0..r.u64()? {
            r.str()?;
            value(r, 0)?;
        }
        for _ in 0..r.u64()? {
            r.str()?;
            match r.u32()? {
                0 | 1 => _ = r.u32()?,
                2 => _ = r.str()?,
                _ => value(r, 0)?,
            }
        }
        r.f32()?;
    }
    Ok(())
}

fn read_all(
    checker: &Checker,
    article: &Article,
    batches: &[Vec<u8>],
    max_items: usize,
    known: &dyn Fn(&str) -> bool,
) -> Step<Extraction> {
    let text = article.text.as_str();
    let provenance = |span: Span, confidence: f32| Provenance {
        article: article.id.clone(),
        sentence: sentence_of(article, span.start),
        span,
        extractor: checker.extractor.clone(),
        confidence,
    };
    let mut out = Extraction::default();
    let mut entities = Merge::default();
    // Mention targets are checked at the end, against the mentions of every batch.
    let mut mention_targets = 0usize;
    // So are entity targets, against the entities of every batch and those already known.
    let mut entity_targets: Vec<String> = Vec::new();
    // Entities implied by linked mentions, applied after every naming: a naming always wins
    // over what a mention implied, and the first mention of an id implies it, so the order of
    // the two does not change the result, and most implied entities (those the plugin also
    // names) are never built.
    let mut implied: Vec<(&str, &str, &str)> = Vec::new();
    for bytes in batches {
        let mut reader = Reader { bytes };
        let r = &mut reader;
        if r.u16()? != WIRE_SCHEMA {
            return Err(FALLBACK);
        }
        // A mention takes at least 8 bytes, a fact 7.
        let n_mentions = r.len(8)?;
        if n_mentions > 0 && !checker.types.any() {
            return Err(FALLBACK);
        }
        if out.mentions.len() + out.facts.len() + n_mentions > max_items {
            return Err(FALLBACK);
        }
        out.mentions.reserve(n_mentions);
        for _ in 0..n_mentions {
            let span = r.span(text)?;
            let ent_type = r.str()?;
            let kind = checker.types.kind_of(ent_type).ok_or(FALLBACK)?;
            let level = match r.u32()? {
                0 => MentionLevel::Name,
                1 => MentionLevel::Nominal,
                2 => MentionLevel::Pronoun,
                3 => MentionLevel::Demonym,
                _ => return Err(FALLBACK),
            };
            let entity = match r.byte()? {
                0 => None,
                1 => Some(r.str()?),
                _ => return Err(FALLBACK),
            };
            let confidence = r.confidence()?;
            if let Some(id) = entity {
                implied.push((id, kind, span.slice(text)));
            }
            out.mentions.push(Mention {
                provenance: provenance(span, confidence),
                level,
                entity: entity.map(str::to_owned),
                ent_type: ent_type.to_owned(),
            });
        }
        let n_facts = r.len(7)?;
        if out.mentions.len() + out.facts.len() + n_facts > max_items {
            return Err(FALLBACK);
        }
        out.facts.reserve(n_facts);
        for _ in 0..n_facts {
            let idx = out.facts.len();
            // Names are compared as bytes: equal to a declared name, they are UTF-8 too.
            let kind_name = r.str_bytes()?;
            let kind_idx = checker
                .kinds
                .iter()
                .position(|k| k.name.as_bytes() == kind_name)
                .ok_or(FALLBACK)?;
            let kind = &checker.kinds[kind_idx];
            let span = r.span(text)?;
            let mut fields = BTreeMap::new();
            let mut required = 0;
            for _ in 0..r.len(2)? {
                let name = r.str_bytes()?;
                let value = r.value(0)?;
                let def =
                    kind.fields.iter().find(|def| def.name.as_bytes() == name).ok_or(FALLBACK)?;
                let fits = match value {
                    Value::Null => !def.required,
                    ref value => def.ty.accepts(value),
                };
                if !fits || fields.contains_key(&def.name) {
                    return Err(FALLBACK);
                }
                required += usize::from(def.required);
                fields.insert(def.name.clone(), value);
            }
            if required != checker.required[kind_idx] {
                return Err(FALLBACK);
            }
            let n_args = r.len(2)?;
            let mut args = Vec::with_capacity(n_args);
            for _ in 0..n_args {
                let role = r.str_bytes()?;
                let role = kind
                    .roles
                    .iter()
                    .find(|declared| declared.as_bytes() == role)
                    .ok_or(FALLBACK)?;
                let target = match r.u32()? {
                    0 => {
                        let target = r.u32()? as usize;
                        mention_targets = mention_targets.max(target + 1);
                        ArgTarget::Mention(target)
                    }
                    1 => match r.u32()? as usize {
                        target if target < idx => ArgTarget::Fact(target),
                        _ => return Err(FALLBACK),
                    },
                    2 => {
                        let id = r.str()?.to_owned();
                        entity_targets.push(id.clone());
                        ArgTarget::Entity(id)
                    }
                    3 => ArgTarget::Literal(r.value(0)?),
                    _ => return Err(FALLBACK),
                };
                args.push(Arg { role: role.clone(), target });
            }
            let confidence = r.confidence()?;
            out.facts.push(Fact {
                kind: kind.name.clone(),
                provenance: provenance(span, confidence),
                fields,
                args,
            });
        }
        // An entity takes at least 5 bytes.
        for _ in 0..r.len(5)? {
            let id = r.str()?.to_owned();
            let kind = checker.types.kind_of_bytes(r.str_bytes()?).ok_or(FALLBACK)?.to_owned();
            let name = r.str()?.to_owned();
            let n_aliases = r.len(1)?;
            let mut aliases = Vec::with_capacity(n_aliases);
            for _ in 0..n_aliases {
                aliases.push(r.str()?.to_owned());
            }
            let wikidata = match r.byte()? {
                0 => None,
                1 => Some(r.str()?.to_owned()),
                _ => return Err(FALLBACK),
            };
            entities.named(Entity { id, kind, name, aliases, wikidata }).map_err(|_| FALLBACK)?;
        }
        if !r.bytes.is_empty() {
            return Err(FALLBACK);
        }
    }
    for (id, kind, surface) in implied {
        entities.implied(id, kind, surface);
    }
    if mention_targets > out.mentions.len()
        || entity_targets.iter().any(|id| !entities.has(id) && !known(id))
    {
        return Err(FALLBACK);
    }
    out.entities = entities.finish();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use factql_model::Schema;
    use factql_plugin_sdk::wire::{
        self, Arg, Batch, Fact, FieldType, KindDecl, Manifest, Mention, MentionLevel, Target,
        encode,
    };

    use super::*;
    use crate::validate::{kind_schema, validate};

    use crate::test_util::{Rng, article};

    fn setup(mentions: bool) -> (Manifest, Schema, Checker) {
        let mut manifest = Manifest::new("m", "1")
            .produces(
                KindDecl::new("k")
                    .field("n", FieldType::Int, true)
                    .field("s", FieldType::Str, false)
                    .field("f", FieldType::Float, false)
                    .field("l", FieldType::List(Box::new(FieldType::Int)), false)
                    .field("i", FieldType::Interval, false)
                    .role("r")
                    .role("q"),
            )
            .produces(KindDecl::new("e"));
        if mentions {
            manifest = manifest.mentions(&["PER", "ORG"]);
        }
        let mut schema = Schema::default();
        for kind in &manifest.produces {
            schema.declare(kind_schema(kind)).expect("declare");
        }
        let checker = Checker::new(
            manifest.produces.iter().map(kind_schema).collect(),
            Kinds::new(&manifest.mention_types, &manifest.entity_kinds).expect("kinds"),
            ExtractorRef { name: "m".into(), version: "1".into() },
        );
        (manifest, schema, checker)
    }

    fn value(rng: &mut Rng, depth: u32) -> wire::Value {
        match rng.below(10) {
            0 => wire::Value::Null,
            1 => wire::Value::Int(rng.next() as i64 >> rng.below(64)),
            2 => wire::Value::Float([1.5, f64::NAN, f64::INFINITY, -0.0][rng.below(4) as usize]),
            3 => wire::Value::Str("é".repeat(rng.below(3) as usize)),
            4 => wire::Value::Bool(rng.below(2) == 0),
            5 => wire::Value::Date("2024-01".into()),
            7 => wire::Value::Interval(Some("2019".into()), None),
            6 if depth < 3 => {
                wire::Value::List((0..rng.below(3)).map(|_| value(rng, depth + 1)).collect())
            }
            _ => wire::Value::Int(rng.below(5) as i64),
        }
    }

    fn batch(rng: &mut Rng, len: u64) -> Batch {
        let span = |rng: &mut Rng| {
            let start = rng.below(len + 3) as u32;
            wire::Span { start, end: start.saturating_add(rng.below(8) as u32) }
        };
        let mut batch =
            Batch { schema: if rng.below(60) == 0 { 9 } else { WIRE_SCHEMA }, ..Batch::default() };
        for _ in 0..rng.below(3) {
            batch.mentions.push(Mention {
                span: span(rng),
                ent_type: rng.pick(&["PER", "Org", "", "person", "PER", "GPE", "PER"]).into(),
                level: [MentionLevel::Name, MentionLevel::Demonym][rng.below(2) as usize],
                entity: (rng.below(2) == 0).then(|| rng.pick(&["e1", "e2"]).to_owned()),
                confidence: [0.5, 1.0, 1.5, f32::NAN][rng.below(4) as usize],
            });
        }
        for _ in 0..rng.below(5) {
            let mut fields = Vec::new();
            for _ in 0..rng.below(4) {
                fields.push((
                    rng.pick(&["n", "n", "s", "f", "l", "t", "i"]).to_owned(),
                    value(rng, 0),
                ));
            }
            let args = (0..rng.below(3))
                .map(|_| Arg {
                    role: rng.pick(&["r", "q", "x"]).into(),
                    target: match rng.below(4) {
                        0 => Target::Mention(rng.below(4) as u32),
                        1 => Target::Fact(rng.below(4) as u32),
                        2 => Target::Entity(rng.pick(&["e1", "e2", "e3"]).into()),
                        _ => Target::Literal(value(rng, 0)),
                    },
                })
                .collect();
            batch.facts.push(Fact {
                kind: rng.pick(&["k", "k", "k", "e", "nope"]).to_owned(),
                span: span(rng),
                fields,
                args,
                confidence: [0.0, 0.9, 1.0, -1.0, f32::INFINITY][rng.below(5) as usize],
            });
        }
        // Entities in a third of the batches, so that the other checks still get through.
        if rng.below(3) == 0 {
            for _ in 0..1 + rng.below(2) {
                batch.entities.push(rng.entity());
            }
        }
        batch
    }

    /// The reference: serde decoding, concatenation and `validate`, as `Host::run` does it.
    fn reference(
        manifest: &Manifest,
        schema: &Schema,
        article: &Article,
        parts: &[Vec<u8>],
        max_items: usize,
    ) -> Result<Extraction, String> {
        let mut batch = Batch { schema: WIRE_SCHEMA, ..Batch::default() };
        for (idx, bytes) in parts.iter().enumerate() {
            let part: Batch = wire::decode(bytes).map_err(|err| err.to_string())?;
            if idx == 0 {
                batch.schema = part.schema;
            } else if part.schema != WIRE_SCHEMA {
                return Err("schema".into());
            }
            batch.mentions.extend(part.mentions);
            batch.facts.extend(part.facts);
            batch.entities.extend(part.entities);
            if batch.mentions.len() + batch.facts.len() > max_items {
                return Err("too many".into());
            }
        }
        let extractor = Arc::new(ExtractorRef { name: "m".into(), version: "1".into() });
        let kinds = Kinds::new(&manifest.mention_types, &manifest.entity_kinds).expect("kinds");
        validate(manifest, &kinds, schema, &extractor, article, batch, &|id| id == "e2")
    }

    /// On random batches near every edge, the one-pass reader accepts exactly what the
    /// reference accepts, and produces the same rows.
    #[test]
    fn agrees_with_the_reference() {
        let article = article();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut accepted, mut rejected, mut with_entities) = (0, 0, 0);
        for round in 0..40_000 {
            let (manifest, schema, checker) = setup(round % 3 != 0);
            let parts: Vec<Vec<u8>> = (0..1 + rng.below(2) * rng.below(3))
                .map(|_| encode(&batch(&mut rng, article.text.len() as u64)).expect("encodes"))
                .collect();
            let max_items = if rng.below(20) == 0 { 2 } else { 100 };
            let expected = reference(&manifest, &schema, &article, &parts, max_items);
            match (read(&checker, &article, &parts, max_items, &|id| id == "e2"), expected) {
                (Read::Ok(got), Ok(expected)) => {
                    assert_eq!(got, expected);
                    accepted += 1;
                    with_entities += usize::from(!got.entities.is_empty());
                }
                (Read::Fallback, Err(_)) => rejected += 1,
                (got, expected) => panic!("{got:?} but the reference gives {expected:?}"),
            }
        }
        assert!(
            accepted > 1_500 && rejected > 2_000 && with_entities > 250,
            "{accepted} accepted ({with_entities} with entities), {rejected} rejected"
        );
    }

    /// Cut or damaged bytes are never accepted where serde decoding fails.
    #[test]
    fn damaged_bytes_fall_back_like_the_reference() {
        let article = article();
        let (manifest, schema, checker) = setup(true);
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            let mut bytes = encode(&batch(&mut rng, article.text.len() as u64)).expect("encodes");
            match rng.below(3) {
                0 => bytes.truncate(rng.below(bytes.len() as u64 + 1) as usize),
                1 => {
                    let at = rng.below(bytes.len() as u64) as usize;
                    bytes[at] = rng.next() as u8;
                }
                _ => bytes.push(rng.next() as u8),
            }
            let parts = [bytes];
            let expected = reference(&manifest, &schema, &article, &parts, 1000);
            match (read(&checker, &article, &parts, 1000, &|id| id == "e2"), expected) {
                (Read::Ok(got), Ok(expected)) => assert_eq!(got, expected),
                (Read::Fallback, Err(_)) => {}
                (got, expected) => panic!("{got:?} but the reference gives {expected:?}"),
            }
        }
    }

    /// Lists nested past the limit are refused without recursing into them.
    #[test]
    fn deep_nesting_is_refused() {
        let article = article();
        let (_, _, checker) = setup(false);
        // One fact of kind `k` with field `l` = [[[[...]]]], 100,000 deep.
        let mut bytes = vec![WIRE_SCHEMA as u8, 0, 1, 1, b'k', 0, 0, 1, 1, b'l'];
        for _ in 0..100_000 {
            bytes.extend([6, 1]);
        }
        bytes.extend([0, 0, 0, 0, 0x80, 0x3F, 0]);
        assert!(matches!(
            read(&checker, &article, &[bytes.clone()], 1000, &|_| false),
            Read::Reject(_)
        ));
        // Also when the reader gives up before reaching it (an undeclared kind first), and
        // inside a list that claims more elements than the bytes hold.
        bytes[4] = b'z';
        assert!(matches!(
            read(&checker, &article, &[bytes.clone()], 1000, &|_| false),
            Read::Reject(_)
        ));
        bytes[11] = 0xFF;
        bytes.splice(12..12, [0xFF, 0x7F]);
        assert!(matches!(read(&checker, &article, &[bytes], 1000, &|_| false), Read::Reject(_)));
    }
}

//! The postcard wire format: manifests, inputs and fact batches.
//!
//! These types are what crosses the boundary as bytes. postcard is not self-describing, so
//! the order of fields and enum variants is part of the format: change them only by adding a
//! new [`factql_plugin_abi::WIRE_SCHEMA`] version. Spans are `u32` byte offsets (never
//! `usize`, which would differ between targets).

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into the article text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets; offsets past `u32::MAX` saturate (and then fail validation).
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Span { start: clamp(start), end: clamp(end) }
    }

    /// The span as a `usize` range.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The text the span covers, or `None` when it does not fit `text`.
    pub fn slice(self, text: &str) -> Option<&str> {
        text.get(self.range())
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Span {
        Span::new(range.start, range.end)
    }
}

/// The type of a field (mirrors `factql_model::FieldType`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldType {
    /// Text.
    Str,
    /// Signed integer.
    Int,
    /// Floating-point number.
    Float,
    /// Boolean.
    Bool,
    /// Partial ISO 8601 date.
    Date,
    /// A list of the given element type.
    List(Box<FieldType>),
    /// An interval of partial dates, either end open.
    Interval,
}

/// A field value (mirrors `factql_model::Value`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// No value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Str(String),
    /// A partial ISO 8601 date.
    Date(String),
    /// A list.
    List(Vec<Value>),
    /// An interval of partial ISO 8601 dates; `None` is an open end (`2019-05..`).
    Interval(Option<String>, Option<String>),
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}
impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(value)
    }
}
impl From<f64> for Value {
    fn from(value: f64) -> Value {
        Value::Float(value)
    }
}
impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Str(value.to_owned())
    }
}
impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Str(value)
    }
}

/// One declared field of a kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDecl {
    /// Field name.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether every fact of the kind sets it.
    pub required: bool,
}

/// A kind a plugin produces: its typed fields and argument roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDecl {
    /// Kind name, e.g. `money`.
    pub name: String,
    /// Typed fields.
    pub fields: Vec<FieldDecl>,
    /// Argument roles.
    pub roles: Vec<String>,
}

impl KindDecl {
    /// A kind with no fields yet.
    pub fn new(name: &str) -> KindDecl {
        KindDecl { name: name.to_owned(), fields: Vec::new(), roles: Vec::new() }
    }

    /// Adds a field.
    pub fn field(mut self, name: &str, ty: FieldType, required: bool) -> KindDecl {
        self.fields.push(FieldDecl { name: name.to_owned(), ty, required });
        self
    }

    /// Adds an argument role.
    pub fn role(mut self, role: &str) -> KindDecl {
        self.roles.push(role.to_owned());
        self
    }
}

/// How the host may call one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Threading {
    /// `extract` may run concurrently on one instance (the default).
    Shared,
    /// The host never calls `extract` concurrently.
    Serial,
}

/// What a plugin is and does; embedded in the plugin and read by the host after loading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Unique plugin name, e.g. `money`: lower-case letters, digits and `-`.
    pub name: String,
    /// The plugin's own version, e.g. `0.1.0`.
    pub version: String,
    /// One line saying what it finds.
    pub description: String,
    /// Kinds it produces.
    pub produces: Vec<KindDecl>,
    /// Kinds it requires from other plugins (their facts arrive in the document).
    pub requires: Vec<String>,
    /// The mention and entity types it emits: built-in kinds or the usual NER labels
    /// (`PER`, `PERSON`, `LOC`, `GPE`, `ORG`, `NORP`, ...), or kinds it declares in
    /// [`Manifest::entity_kinds`]. Empty: it emits no mentions and names no entities.
    pub mention_types: Vec<String>,
    /// Entity kinds of its own, beyond `person`, `place`, `org` and `group`.
    pub entity_kinds: Vec<String>,
    /// Whether it reads the mentions and entities of the plugins that emit them (they run
    /// first and their output arrives in the document).
    pub reads_mentions: bool,
    /// Threading mode.
    pub threading: Threading,
}

impl Manifest {
    /// A manifest producing nothing yet, shared threading.
    pub fn new(name: &str, version: &str) -> Manifest {
        Manifest {
            name: name.to_owned(),
            version: version.to_owned(),
            description: String::new(),
            produces: Vec::new(),
            requires: Vec::new(),
            mention_types: Vec::new(),
            entity_kinds: Vec::new(),
            reads_mentions: false,
            threading: Threading::Shared,
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: &str) -> Manifest {
        self.description = description.to_owned();
        self
    }

    /// Declares a produced kind.
    pub fn produces(mut self, kind: KindDecl) -> Manifest {
        self.produces.push(kind);
        self
    }

    /// Declares a required kind.
    pub fn requires(mut self, kind: &str) -> Manifest {
        self.requires.push(kind.to_owned());
        self
    }

    /// Declares the mention and entity types the plugin emits, e.g. `&["PER", "GPE", "ORG"]`
    /// or `&["person", "place"]`. The host refuses to load a plugin with a type it does not
    /// know (see [`Manifest::entity_kind`] to add one), and refuses a batch with a mention or
    /// entity of a type not declared here.
    pub fn mentions(mut self, types: &[&str]) -> Manifest {
        self.mention_types.extend(types.iter().map(|t| (*t).to_owned()));
        self
    }

    /// Declares an entity kind of the plugin's own (lower case, e.g. `weapon`); it may then be
    /// used as a mention or entity type.
    pub fn entity_kind(mut self, kind: &str) -> Manifest {
        self.entity_kinds.push(kind.to_owned());
        if !self.mention_types.iter().any(|t| t == kind) {
            self.mention_types.push(kind.to_owned());
        }
        self
    }

    /// Declares that the plugin reads the mentions and entities other plugins emit
    /// ([`crate::Document::mentions`], [`crate::Document::entities`]); it runs after them.
    pub fn reads_mentions(mut self) -> Manifest {
        self.reads_mentions = true;
        self
    }

    /// Sets the threading mode.
    pub fn threading(mut self, threading: Threading) -> Manifest {
        self.threading = threading;
        self
    }
}

/// ACE mention levels (mirrors `factql_model::MentionLevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MentionLevel {
    /// A name.
    Name,
    /// A nominal.
    Nominal,
    /// A pronoun.
    Pronoun,
    /// A demonym.
    Demonym,
}

/// An entity mention.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Where it is.
    pub span: Span,
    /// Entity type, e.g. `PER`.
    pub ent_type: String,
    /// Mention level.
    pub level: MentionLevel,
    /// Linked entity id, if any.
    pub entity: Option<String>,
    /// Confidence in `[0, 1]`.
    pub confidence: f32,
}

impl Mention {
    /// Sets the linked entity.
    pub fn entity(&mut self, id: &str) -> &mut Mention {
        self.entity = Some(id.to_owned());
        self
    }

    /// Sets the confidence.
    pub fn confidence(&mut self, confidence: f32) -> &mut Mention {
        self.confidence = confidence;
        self
    }
}

/// A canonical entity that mentions and arguments link to by id.
///
/// Ids are stable across articles (`wd:Q2866`, `iso:HUN`, `local:person:viktor orban`): the
/// same id from two articles, or from two plugins, is one entity, its aliases united.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id.
    pub id: String,
    /// Its kind: a built-in kind (`person`, `place`, `org`, `group`), a usual NER label that
    /// maps to one (`PER`, `GPE`, ...), or a kind the manifest declares.
    pub kind: String,
    /// The canonical name, e.g. `Alexander Lukashenko`.
    pub name: String,
    /// Other names and spellings, e.g. `Lukashenko`, `Alyaksandr Lukashenka`.
    pub aliases: Vec<String>,
    /// The Wikidata id, e.g. `Q2866`.
    pub wikidata: Option<String>,
}

impl Entity {
    /// Adds an alias (ignored when equal to the name or to an alias already given).
    pub fn alias(&mut self, alias: &str) -> &mut Entity {
        if alias != self.name && !self.aliases.iter().any(|a| a == alias) {
            self.aliases.push(alias.to_owned());
        }
        self
    }

    /// Sets the Wikidata id (`Q` and digits).
    pub fn wikidata(&mut self, qid: &str) -> &mut Entity {
        self.wikidata = Some(qid.to_owned());
        self
    }
}

/// What an argument points at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// A mention of the same call's output, by index.
    Mention(u32),
    /// An earlier fact of the same call's output, by index.
    Fact(u32),
    /// An entity id.
    Entity(String),
    /// A literal.
    Literal(Value),
}

/// A role-labelled argument.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    /// The role.
    pub role: String,
    /// Its filler.
    pub target: Target,
}

/// One fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Its kind, declared in the manifest.
    pub kind: String,
    /// The evidence in the text.
    pub span: Span,
    /// Field values, in the order set.
    pub fields: Vec<(String, Value)>,
    /// Arguments.
    pub args: Vec<Arg>,
    /// Confidence in `[0, 1]`.
    pub confidence: f32,
}

impl Fact {
    /// Sets a field.
    pub fn field(&mut self, name: &str, value: impl Into<Value>) -> &mut Fact {
        self.fields.push((name.to_owned(), value.into()));
        self
    }

    /// Adds an argument.
    pub fn arg(&mut self, role: &str, target: Target) -> &mut Fact {
        self.args.push(Arg { role: role.to_owned(), target });
        self
    }

    /// Sets the confidence.
    pub fn confidence(&mut self, confidence: f32) -> &mut Fact {
        self.confidence = confidence;
        self
    }

    /// The value of a field, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(field, _)| field == name).map(|(_, value)| value)
    }
}

/// What a plugin emits for one article (possibly in several batches, concatenated in order;
/// indexes in [`Target`] count across the whole call).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// [`factql_plugin_abi::WIRE_SCHEMA`].
    pub schema: u16,
    /// Mentions.
    pub mentions: Vec<Mention>,
    /// Facts.
    pub facts: Vec<Fact>,
    /// Entities named in this batch.
    pub entities: Vec<Entity>,
}

/// What the host passes in [`factql_plugin_abi::ExtractReqV1::inputs`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// Sentence spans, in order (the title is sentence 0).
    pub sentences: Vec<Span>,
    /// Which sentences are boilerplate, by index.
    pub boilerplate: Vec<u32>,
    /// Facts of the required kinds, from the plugins that produce them.
    pub facts: Vec<Fact>,
    /// For a plugin that [reads mentions](Manifest::reads_mentions): the mentions of the
    /// plugins that ran before it, in their order (entity ids as they gave them).
    pub mentions: Vec<Mention>,
    /// The entities those mentions link to, and the other entities those plugins named.
    pub entities: Vec<Entity>,
    /// The article's publication date (partial ISO 8601: `2023-10-30`, `2023-10`), when known.
    pub published: Option<String>,
}

/// Plugin configuration: `key = value` pairs from the host's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The pairs, in order.
    pub pairs: Vec<(String, String)>,
}

impl Config {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }
}

/// Encodes a wire value.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_stdvec(value)
}

/// Decodes a wire value; trailing bytes are an error.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, postcard::Error> {
    let (value, rest) = postcard::take_from_bytes(bytes)?;
    if rest.is_empty() { Ok(value) } else { Err(postcard::Error::DeserializeBadEncoding) }
}

/// Encodes a batch: exactly the bytes of [`encode`], written directly (this runs on every
/// plugin call). Every struct is destructured, so a new field does not compile until it is
/// written here too.
pub fn encode_batch(batch: &Batch) -> Vec<u8> {
    fn span(out: &mut Vec<u8>, Span { start, end }: Span) {
        put_varint(out, u64::from(start));
        put_varint(out, u64::from(end));
    }
    fn value(out: &mut Vec<u8>, raw: &Value) {
        match raw {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend([1, u8::from(*b)]),
            Value::Int(i) => {
                out.push(2);
                put_varint(out, ((i << 1) ^ (i >> 63)) as u64);
            }
            Value::Float(f) => {
                out.push(3);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Str(s) => {
                out.push(4);
                str(out, s);
            }
            Value::Date(s) => {
                out.push(5);
                str(out, s);
            }
            Value::List(values) => {
                out.push(6);
                put_varint(out, values.len() as u64);
                for v in values {
                    value(out, v);
                }
            }
            Value::Interval(from, to) => {
                out.push(7);
                put_opt(out, from.as_deref());
                put_opt(out, to.as_deref());
            }
        }
    }
    let Batch { schema, mentions, facts, entities } = batch;
    // A fact with a short kind and a field or two takes 20 to 40 bytes.
    let mut out = Vec::with_capacity(8 + (facts.len() + mentions.len()) * 40);
    put_varint(&mut out, u64::from(*schema));
    put_varint(&mut out, mentions.len() as u64);
    for Mention { span: at, ent_type, level, entity, confidence } in mentions {
        put_mention(&mut out, *at, ent_type, *level, entity.as_deref(), *confidence);
    }
    put_varint(&mut out, facts.len() as u64);
    for Fact { kind, span: at, fields, args, confidence } in facts {
        str(&mut out, kind);
        span(&mut out, *at);
        put_varint(&mut out, fields.len() as u64);
        for (name, v) in fields {
            str(&mut out, name);
            value(&mut out, v);
        }
        put_varint(&mut out, args.len() as u64);
        for Arg { role, target } in args {
            str(&mut out, role);
            match target {
                Target::Mention(index) => {
                    out.push(0);
                    put_varint(&mut out, u64::from(*index));
                }
                Target::Fact(index) => {
                    out.push(1);
                    put_varint(&mut out, u64::from(*index));
                }
                Target::Entity(id) => {
                    out.push(2);
                    str(&mut out, id);
                }
                Target::Literal(v) => {
                    out.push(3);
                    value(&mut out, v);
                }
            }
        }
        out.extend_from_slice(&confidence.to_le_bytes());
    }
    put_varint(&mut out, entities.len() as u64);
    for Entity { id, kind, name, aliases, wikidata } in entities {
        put_entity(&mut out, id, kind, name, aliases, wikidata.as_deref());
    }
    out
}

fn str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            str(out, s);
        }
    }
}

/// The bytes of one [`Mention`], from its parts.
fn put_mention(
    out: &mut Vec<u8>,
    span: Span,
    ent_type: &str,
    level: MentionLevel,
    entity: Option<&str>,
    confidence: f32,
) {
    put_varint(out, u64::from(span.start));
    put_varint(out, u64::from(span.end));
    str(out, ent_type);
    out.push(match level {
        MentionLevel::Name => 0,
        MentionLevel::Nominal => 1,
        MentionLevel::Pronoun => 2,
        MentionLevel::Demonym => 3,
    });
    put_opt(out, entity);
    out.extend_from_slice(&confidence.to_le_bytes());
}

/// The bytes of one [`Entity`], from its parts.
fn put_entity(
    out: &mut Vec<u8>,
    id: &str,
    kind: &str,
    name: &str,
    aliases: &[String],
    wikidata: Option<&str>,
) {
    str(out, id);
    str(out, kind);
    str(out, name);
    put_varint(out, aliases.len() as u64);
    for alias in aliases {
        str(out, alias);
    }
    put_opt(out, wikidata);
}

/// The mentions and entities of earlier plugins in wire form, appended as each plugin's output
/// comes in: the host builds them once per article and passes them to every plugin that
/// [reads mentions](Manifest::reads_mentions) with [`encode_inputs_with`], without building a
/// [`Mention`] or [`Entity`] value for each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MentionInputs {
    mentions: Vec<u8>,
    n_mentions: u64,
    entities: Vec<u8>,
    n_entities: u64,
}

impl MentionInputs {
    /// Appends a mention.
    pub fn push_mention(
        &mut self,
        span: Span,
        ent_type: &str,
        level: MentionLevel,
        entity: Option<&str>,
        confidence: f32,
    ) {
        put_mention(&mut self.mentions, span, ent_type, level, entity, confidence);
        self.n_mentions += 1;
    }

    /// Appends an entity.
    pub fn push_entity(
        &mut self,
        id: &str,
        kind: &str,
        name: &str,
        aliases: &[String],
        wikidata: Option<&str>,
    ) {
        put_entity(&mut self.entities, id, kind, name, aliases, wikidata);
        self.n_entities += 1;
    }

    /// How many mentions and entities were appended.
    pub fn len(&self) -> (u64, u64) {
        (self.n_mentions, self.n_entities)
    }

    /// True when nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.n_mentions == 0 && self.n_entities == 0
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a varint of at most `max` bytes whose last byte is at most `last`, as postcard does.
fn take_varint(bytes: &mut &[u8], max: u32, last: u8) -> Result<u64, postcard::Error> {
    let mut out = 0u64;
    for i in 0..max {
        let (&byte, rest) = bytes.split_first().ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        *bytes = rest;
        out |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            if i == max - 1 && byte > last {
                break;
            }
            return Ok(out);
        }
    }
    Err(postcard::Error::DeserializeBadVarint)
}

fn take_len(bytes: &mut &[u8], min: usize) -> Result<usize, postcard::Error> {
    let len = usize::try_from(take_varint(bytes, 10, 0x01)?)
        .map_err(|_| postcard::Error::DeserializeBadVarint)?;
    // Every element takes at least `min` bytes: a longer claim cannot be honoured.
    if len.saturating_mul(min) > bytes.len() {
        return Err(postcard::Error::DeserializeUnexpectedEnd);
    }
    Ok(len)
}

/// The bytes of [`Inputs`] `{ sentences, boilerplate, facts, mentions, entities, published }`, exactly
/// as [`encode`] gives them, without building an `Inputs` (the host encodes the sentences
/// once per article).
pub fn encode_inputs(
    sentences: &[Span],
    boilerplate: &[u32],
    facts: &[Fact],
    mentions: &[Mention],
    entities: &[Entity],
    published: Option<&str>,
) -> Result<Vec<u8>, postcard::Error> {
    let mut out = Vec::with_capacity(8 + sentences.len() * 5 + boilerplate.len() * 2);
    put_varint(&mut out, sentences.len() as u64);
    for span in sentences {
        put_varint(&mut out, u64::from(span.start));
        put_varint(&mut out, u64::from(span.end));
    }
    put_varint(&mut out, boilerplate.len() as u64);
    for &index in boilerplate {
        put_varint(&mut out, u64::from(index));
    }
    // A tuple encodes as its fields one after the other, as the struct's last fields do.
    postcard::to_extend(&(facts, mentions, entities, published), out)
}

/// [`encode_inputs`] with the mentions and entities already in wire form: the same bytes as
/// `encode_inputs` given the mentions and entities that were appended to `mentions`.
pub fn encode_inputs_with(
    sentences: &[Span],
    boilerplate: &[u32],
    facts: &[Fact],
    mentions: &MentionInputs,
    published: Option<&str>,
) -> Result<Vec<u8>, postcard::Error> {
    let mut out = Vec::with_capacity(
        16 + sentences.len() * 5
            + boilerplate.len() * 2
            + facts.len() * 40
            + mentions.mentions.len()
            + mentions.entities.len(),
    );
    put_varint(&mut out, sentences.len() as u64);
    for span in sentences {
        put_varint(&mut out, u64::from(span.start));
        put_varint(&mut out, u64::from(span.end));
    }
    put_varint(&mut out, boilerplate.len() as u64);
    for &index in boilerplate {
        put_varint(&mut out, u64::from(index));
    }
    let mut out = postcard::to_extend(facts, out)?;
    put_varint(&mut out, mentions.n_mentions);
    out.extend_from_slice(&mentions.mentions);
    put_varint(&mut out, mentions.n_entities);
    out.extend_from_slice(&mentions.entities);
    put_opt(&mut out, published);
    Ok(out)
}

/// Decodes [`Inputs`] as [`decode`] does, reading the sentences and boilerplate indexes
/// directly (serde is used only for the facts, mentions and entities).
pub fn decode_inputs(bytes: &[u8]) -> Result<Inputs, postcard::Error> {
    let mut rest = bytes;
    let u32_of = |rest: &mut &[u8]| take_varint(rest, 5, 0x0F).map(|v| v as u32);
    let n = take_len(&mut rest, 2)?;
    let mut sentences = Vec::with_capacity(n);
    for _ in 0..n {
        sentences.push(Span { start: u32_of(&mut rest)?, end: u32_of(&mut rest)? });
    }
    let n = take_len(&mut rest, 1)?;
    let mut boilerplate = Vec::with_capacity(n);
    for _ in 0..n {
        boilerplate.push(u32_of(&mut rest)?);
    }
    let (facts, mut rest): (Vec<Fact>, &[u8]) = postcard::take_from_bytes(rest)?;
    // Mentions and entities are read directly: a plugin that reads mentions gets all of them.
    // A mention takes at least 8 bytes, an entity 5.
    let n = take_len(&mut rest, 8)?;
    let mut mentions = Vec::with_capacity(n);
    for _ in 0..n {
        let span = Span { start: u32_of(&mut rest)?, end: u32_of(&mut rest)? };
        let ent_type = take_str(&mut rest)?.to_owned();
        let level = match u32_of(&mut rest)? {
            0 => MentionLevel::Name,
            1 => MentionLevel::Nominal,
            2 => MentionLevel::Pronoun,
            3 => MentionLevel::Demonym,
            _ => return Err(postcard::Error::DeserializeBadEnum),
        };
        let entity = take_opt_str(&mut rest)?;
        let confidence = f32::from_le_bytes(take_array(&mut rest)?);
        mentions.push(Mention { span, ent_type, level, entity, confidence });
    }
    let n = take_len(&mut rest, 5)?;
    let mut entities = Vec::with_capacity(n);
    for _ in 0..n {
        let id = take_str(&mut rest)?.to_owned();
        let kind = take_str(&mut rest)?.to_owned();
        let name = take_str(&mut rest)?.to_owned();
        let n_aliases = take_len(&mut rest, 1)?;
        let mut aliases = Vec::with_capacity(n_aliases);
        for _ in 0..n_aliases {
            aliases.push(take_str(&mut rest)?.to_owned());
        }
        let wikidata = take_opt_str(&mut rest)?;
        entities.push(Entity { id, kind, name, aliases, wikidata });
    }
    let published = decode(rest)?;
    Ok(Inputs { sentences, boilerplate, facts, mentions, entities, published })
}

fn take_str<'a>(bytes: &mut &'a [u8]) -> Result<&'a str, postcard::Error> {
    let len = usize::try_from(take_varint(bytes, 10, 0x01)?)
        .map_err(|_| postcard::Error::DeserializeBadVarint)?;
    if len > bytes.len() {
        return Err(postcard::Error::DeserializeUnexpectedEnd);
    }
    let (head, rest) = bytes.split_at(len);
    *bytes = rest;
    std::str::from_utf8(head).map_err(|_| postcard::Error::DeserializeBadUtf8)
}

fn take_opt_str(bytes: &mut &[u8]) -> Result<Option<String>, postcard::Error> {
    let (&tag, rest) = bytes.split_first().ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
    *bytes = rest;
    match tag {
        0 => Ok(None),
        1 => Ok(Some(take_str(bytes)?.to_owned())),
        _ => Err(postcard::Error::DeserializeBadOption),
    }
}

fn take_array<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], postcard::Error> {
    let (head, rest) =
        bytes.split_first_chunk::<N>().ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
    *bytes = rest;
    Ok(*head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(seed: u64) -> Inputs {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let offset = |next: &mut dyn FnMut() -> u64| (next() >> (next() % 64)) as u32;
        let sentences = (0..next() % 40)
            .map(|_| Span { start: offset(&mut next), end: offset(&mut next) })
            .collect();
        let boilerplate = (0..next() % 5).map(|_| offset(&mut next)).collect();
        let facts = (0..next() % 3)
            .map(|n| Fact {
                kind: format!("k{n}"),
                span: Span { start: 1, end: 2 },
                fields: vec![("x".into(), Value::Int(next() as i64))],
                args: Vec::new(),
                confidence: 0.5,
            })
            .collect();
        let mentions = (0..next() % 3)
            .map(|n| Mention {
                span: Span { start: n as u32, end: 9 },
                ent_type: "PER".into(),
                level: MentionLevel::Name,
                entity: (n % 2 == 0).then(|| format!("e{n}")),
                confidence: 0.25,
            })
            .collect();
        let entities = (0..next() % 3).map(|n| entity(&mut next, n)).collect();
        let published = next().is_multiple_of(2).then(|| "2023-10-30".to_owned());
        Inputs { sentences, boilerplate, facts, mentions, entities, published }
    }

    fn entity(next: &mut dyn FnMut() -> u64, n: u64) -> Entity {
        Entity {
            id: format!("local:e{n}"),
            kind: "person".repeat((next() % 3) as usize),
            name: "Ó".repeat((next() % 70) as usize),
            aliases: (0..next() % 3).map(|a| format!("alias {a}")).collect(),
            wikidata: next().is_multiple_of(2).then(|| "Q2866".into()),
        }
    }

    fn value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
        match next() % 9 {
            0 => Value::Null,
            1 => Value::Bool(next().is_multiple_of(2)),
            2 => Value::Int(next() as i64 >> (next() % 64)),
            3 => Value::Float(f64::from_bits(next())),
            4 => Value::Str("é".repeat((next() % 200) as usize)),
            5 => Value::Date("2024-02".into()),
            6 if depth < 3 => {
                Value::List((0..next() % 4).map(|_| value(next, depth + 1)).collect())
            }
            7 => Value::Interval(
                next().is_multiple_of(2).then(|| "2019-05".into()),
                next().is_multiple_of(2).then(|| "2024".into()),
            ),
            _ => Value::Int(-1),
        }
    }

    /// The direct batch encoder writes exactly postcard's bytes.
    #[test]
    fn batch_encoder_matches_postcard() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let levels = [
                MentionLevel::Name,
                MentionLevel::Nominal,
                MentionLevel::Pronoun,
                MentionLevel::Demonym,
            ];
            let mut batch = Batch { schema: (next() % 300) as u16, ..Batch::default() };
            for _ in 0..next() % 4 {
                batch.mentions.push(Mention {
                    span: Span { start: next() as u32 >> (next() % 32), end: next() as u32 },
                    ent_type: "PER".repeat((next() % 3) as usize),
                    level: levels[(next() % 4) as usize],
                    entity: (next().is_multiple_of(2)).then(|| "Q1".into()),
                    confidence: f32::from_bits(next() as u32),
                });
            }
            for _ in 0..next() % 150 {
                let mut fact = Fact {
                    kind: "k".repeat((next() % 140) as usize),
                    span: Span { start: next() as u32 >> (next() % 32), end: 7 },
                    fields: Vec::new(),
                    args: Vec::new(),
                    confidence: f32::from_bits(next() as u32),
                };
                for _ in 0..next() % 4 {
                    fact.fields.push(("f".into(), value(&mut next, 0)));
                }
                for _ in 0..next() % 3 {
                    let target = match next() % 4 {
                        0 => Target::Mention(next() as u32),
                        1 => Target::Fact(next() as u32 >> (next() % 32)),
                        2 => Target::Entity("e".into()),
                        _ => Target::Literal(value(&mut next, 0)),
                    };
                    fact.args.push(Arg { role: "r".into(), target });
                }
                batch.facts.push(fact);
            }
            for n in 0..next() % 4 {
                batch.entities.push(entity(&mut next, n));
            }
            assert_eq!(encode_batch(&batch), encode(&batch).expect("encodes"));
        }
    }

    /// The direct encoder and decoder give and read exactly postcard's bytes.
    #[test]
    fn inputs_codec_matches_postcard() {
        for seed in 0..2_000 {
            let inputs = inputs(seed);
            let bytes = encode(&inputs).expect("encodes");
            let direct = encode_inputs(
                &inputs.sentences,
                &inputs.boilerplate,
                &inputs.facts,
                &inputs.mentions,
                &inputs.entities,
                inputs.published.as_deref(),
            )
            .expect("encodes");
            assert_eq!(direct, bytes);
            let mut appended = MentionInputs::default();
            for m in &inputs.mentions {
                appended.push_mention(
                    m.span,
                    &m.ent_type,
                    m.level,
                    m.entity.as_deref(),
                    m.confidence,
                );
            }
            for e in &inputs.entities {
                appended.push_entity(&e.id, &e.kind, &e.name, &e.aliases, e.wikidata.as_deref());
            }
            let with = encode_inputs_with(
                &inputs.sentences,
                &inputs.boilerplate,
                &inputs.facts,
                &appended,
                inputs.published.as_deref(),
            )
            .expect("encodes");
            assert_eq!(with, bytes);
            assert_eq!(decode_inputs(&bytes).expect("decodes"), inputs);
            // Every cut, and one flipped byte, fails or decodes as postcard does.
            for cut in 0..bytes.len() {
                assert_eq!(decode_inputs(&bytes[..cut]).ok(), decode::<Inputs>(&bytes[..cut]).ok());
            }
            let mut damaged = bytes.clone();
            let at = seed as usize % damaged.len();
            damaged[at] ^= 0x80 | (seed as u8);
            assert_eq!(decode_inputs(&damaged).ok(), decode::<Inputs>(&damaged).ok());
        }
    }
}

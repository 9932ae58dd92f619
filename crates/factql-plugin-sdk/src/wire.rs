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
    /// Whether it emits entity mentions.
    pub mentions: bool,
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
            mentions: false,
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

    /// Declares that the plugin emits mentions.
    pub fn with_mentions(mut self) -> Manifest {
        self.mentions = true;
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

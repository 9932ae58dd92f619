//! A harness for unit tests: runs an [`Extractor`] through its real C table, encoding and
//! decoding, without the host.

use std::ffi::c_void;
use std::sync::OnceLock;

use factql_plugin_abi::{
    BytesRef, ExtractReqV1, HostV1, Instance, SinkV1, Status, StrRef, WIRE_SCHEMA,
};

use crate::Extractor;
use crate::wire::{Batch, Config, Fact, Inputs, Manifest, decode, encode};

/// Why a harness run failed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// The status the plugin returned.
    pub status: Status,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "status {}: {}", self.status.0, self.message)
    }
}

impl std::error::Error for RunError {}

#[derive(Default)]
struct Collected {
    batches: Vec<Vec<u8>>,
    errors: Vec<String>,
}

unsafe extern "C" fn emit(ctx: *mut c_void, batch: BytesRef) -> Status {
    // SAFETY: `ctx` is the `Collected` of the running harness call; the batch is valid for
    // this callback and copied.
    unsafe {
        let bytes = std::slice::from_raw_parts(batch.ptr, batch.len).to_vec();
        (*ctx.cast::<Collected>()).batches.push(bytes);
    }
    Status::OK
}

unsafe extern "C" fn error(ctx: *mut c_void, message: StrRef) {
    // SAFETY: as in `emit`.
    unsafe {
        let bytes = std::slice::from_raw_parts(message.ptr, message.len);
        (*ctx.cast::<Collected>()).errors.push(String::from_utf8_lossy(bytes).into_owned());
    }
}

/// Runs `E` on `text` (sentences from [`crate::text::sentences`]) and returns its output,
/// checked: spans inside the text on character boundaries, kinds declared in the manifest.
///
/// ```text
/// let batch = factql_plugin_sdk::testing::run_on::<Money>("It cost $5.")?;
/// assert_eq!(batch.facts[0].kind, "money");
/// ```
pub fn run_on<E: Extractor>(text: &str) -> Result<Batch, RunError> {
    let inputs = Inputs { sentences: crate::text::sentences(text), ..Inputs::default() };
    run_with::<E>(text, &Config::default(), inputs)
}

/// Runs `E` on `text` with a configuration and inputs (e.g. facts of required kinds).
pub fn run_with<E: Extractor>(
    text: &str,
    config: &Config,
    inputs: Inputs,
) -> Result<Batch, RunError> {
    let fail = |status, message: String| RunError { status, message };
    let table: &'static OnceLock<_> = Box::leak(Box::new(OnceLock::new()));
    // SAFETY: a valid host description.
    let plugin = unsafe { crate::__private::entry::<E>(&HostV1::CURRENT, table) };
    if plugin.is_null() {
        return Err(fail(Status::ERROR, "the entry returned null".to_owned()));
    }
    // SAFETY: non-null tables are 'static.
    let plugin = unsafe { &*plugin };
    // SAFETY: the manifest bytes are 'static.
    let manifest_bytes =
        unsafe { std::slice::from_raw_parts(plugin.manifest.ptr, plugin.manifest.len) };
    let manifest: Manifest = decode(manifest_bytes)
        .map_err(|err| fail(Status::ERROR, format!("manifest does not decode: {err}")))?;
    let config = encode(config).map_err(|err| fail(Status::ERROR, err.to_string()))?;
    let inputs = encode(&inputs).map_err(|err| fail(Status::ERROR, err.to_string()))?;
    let mut collected = Collected::default();
    let sink = SinkV1 { ctx: (&raw mut collected).cast(), emit, error };
    let mut instance: *mut Instance = std::ptr::null_mut();
    // SAFETY: arguments valid for the call.
    let status = unsafe { (plugin.create)(BytesRef::new(&config), &mut instance, &sink) };
    if status != Status::OK {
        return Err(fail(status, collected.errors.join("; ")));
    }
    let request = ExtractReqV1 {
        size: std::mem::size_of::<ExtractReqV1>() as u32,
        schema: WIRE_SCHEMA,
        reserved: 0,
        article_id: StrRef::new("test"),
        text: StrRef::new(text),
        inputs: BytesRef::new(&inputs),
    };
    // SAFETY: the instance is alive; request and sink valid for the call.
    let status = unsafe { (plugin.extract)(instance, &request, &sink) };
    // SAFETY: the instance came from `create` and is not used again.
    unsafe { (plugin.destroy)(instance) };
    if status != Status::OK {
        return Err(fail(status, collected.errors.join("; ")));
    }
    let mut out = Batch { schema: WIRE_SCHEMA, ..Batch::default() };
    for bytes in &collected.batches {
        let batch: Batch = decode(bytes)
            .map_err(|err| fail(Status::BAD_OUTPUT, format!("batch does not decode: {err}")))?;
        out.mentions.extend(batch.mentions);
        out.facts.extend(batch.facts);
        out.entities.extend(batch.entities);
    }
    for fact in &out.facts {
        check_fact(&manifest, text, fact).map_err(|message| fail(Status::BAD_OUTPUT, message))?;
    }
    for mention in &out.mentions {
        check_type(&manifest, &mention.ent_type, "mention")
            .map_err(|message| fail(Status::BAD_OUTPUT, message))?;
        let range = mention.span.range();
        if range.start > range.end || text.get(range).is_none() {
            return Err(fail(
                Status::BAD_OUTPUT,
                format!(
                    "span {}..{} of a mention does not fit the text on character boundaries",
                    mention.span.start, mention.span.end
                ),
            ));
        }
    }
    for entity in &out.entities {
        check_type(&manifest, &entity.kind, "entity")
            .map_err(|message| fail(Status::BAD_OUTPUT, message))?;
    }
    Ok(out)
}

/// A mention or entity type must be declared in the manifest and stand for a known kind.
fn check_type(manifest: &Manifest, type_name: &str, what: &str) -> Result<(), String> {
    match factql_model::declared_entity_kind(
        type_name,
        &manifest.mention_types,
        &manifest.entity_kinds,
    ) {
        Some(_) => Ok(()),
        None => {
            Err(format!("{what} type `{type_name}` is not declared in the manifest's `mentions`"))
        }
    }
}

fn check_fact(manifest: &Manifest, text: &str, fact: &Fact) -> Result<(), String> {
    if !manifest.produces.iter().any(|kind| kind.name == fact.kind) {
        return Err(format!("kind `{}` is not declared in the manifest", fact.kind));
    }
    let range = fact.span.range();
    if range.start > range.end || text.get(range).is_none() {
        return Err(format!(
            "span {}..{} of a `{}` fact does not fit the text on character boundaries",
            fact.span.start, fact.span.end, fact.kind
        ));
    }
    if !(0.0..=1.0).contains(&fact.confidence) {
        return Err(format!("confidence {} is not in [0, 1]", fact.confidence));
    }
    Ok(())
}

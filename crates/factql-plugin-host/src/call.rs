//! Calling a plugin's table in this process: the host-owned sink, limits, instances.

use std::ffi::c_void;

use factql_plugin_abi::{
    BytesRef, ExtractReqV1, Instance, PluginV1, SinkV1, Status, StrRef, WIRE_SCHEMA,
};

use crate::load::borrow;

/// Per-call limits on what a plugin may emit for one article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Encoded bytes across all batches of one call.
    pub max_bytes: usize,
    /// Facts plus mentions of one call.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_bytes: 16 << 20, max_items: 100_000 }
    }
}

/// What one call produced: the status, the batches (copied), and error messages.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    pub status: i32,
    pub batches: Vec<Vec<u8>>,
    pub errors: Vec<String>,
}

/// The sink's context: owned by the host, alive for one call.
struct Collector {
    reply: Reply,
    bytes: usize,
    max_bytes: usize,
    over_limit: bool,
}

unsafe extern "C" fn emit(ctx: *mut c_void, batch: BytesRef) -> Status {
    // SAFETY: `ctx` is the `Collector` of the call in progress (the sink is valid only during
    // it); the batch bytes are valid for this callback and copied before returning.
    let collector = unsafe { &mut *ctx.cast::<Collector>() };
    if collector.over_limit || collector.bytes.saturating_add(batch.len) > collector.max_bytes {
        collector.over_limit = true;
        return Status::LIMIT;
    }
    collector.bytes += batch.len;
    // SAFETY: as above.
    collector.reply.batches.push(unsafe { borrow(batch.ptr, batch.len) }.to_vec());
    Status::OK
}

unsafe extern "C" fn error(ctx: *mut c_void, message: StrRef) {
    // SAFETY: as in `emit`.
    let collector = unsafe { &mut *ctx.cast::<Collector>() };
    if collector.reply.errors.len() < 16 {
        // SAFETY: as in `emit`.
        let bytes = unsafe { borrow(message.ptr, message.len) };
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
        collector.reply.errors.push(text);
    }
}

/// An instance pointer that may be shared between threads: the plugin declared `shared`
/// threading, or the host serialises calls.
#[derive(Debug)]
pub(crate) struct InstancePtr(pub *mut Instance);
// SAFETY: the instance is only used through the plugin's table, whose threading contract the
// host honours (a mutex for `serial` plugins).
unsafe impl Send for InstancePtr {}
// SAFETY: as above.
unsafe impl Sync for InstancePtr {}

/// Creates an instance with postcard-encoded `config`.
pub(crate) fn create(table: &'static PluginV1, config: &[u8]) -> Result<InstancePtr, Reply> {
    let mut collector =
        Collector { reply: Reply::default(), bytes: 0, max_bytes: 0, over_limit: false };
    let sink = SinkV1 { ctx: (&raw mut collector).cast(), emit, error };
    let mut instance: *mut Instance = std::ptr::null_mut();
    // SAFETY: the arguments are valid for the call; the table is 'static.
    let status = unsafe { (table.create)(BytesRef::new(config), &mut instance, &sink) };
    if status == Status::OK && !instance.is_null() {
        Ok(InstancePtr(instance))
    } else {
        collector.reply.status = if status == Status::OK { Status::ERROR.0 } else { status.0 };
        if instance.is_null() && status == Status::OK {
            collector.reply.errors.push("create returned OK but no instance".into());
        }
        Err(collector.reply)
    }
}

/// One `extract` call: the host's text and inputs are borrowed, the output copied.
pub(crate) fn extract(
    table: &'static PluginV1,
    instance: &InstancePtr,
    article_id: &str,
    text: &str,
    inputs: &[u8],
    limits: Limits,
) -> Reply {
    let mut collector = Collector {
        reply: Reply::default(),
        bytes: 0,
        max_bytes: limits.max_bytes,
        over_limit: false,
    };
    let sink = SinkV1 { ctx: (&raw mut collector).cast(), emit, error };
    let request = ExtractReqV1 {
        size: std::mem::size_of::<ExtractReqV1>() as u32,
        schema: WIRE_SCHEMA,
        reserved: 0,
        article_id: StrRef::new(article_id),
        text: StrRef::new(text),
        inputs: BytesRef::new(inputs),
    };
    // SAFETY: the instance is alive (destroyed only when the plugin is dropped); request, text,
    // inputs and sink outlive the call.
    let status = unsafe { (table.extract)(instance.0, &request, &sink) };
    collector.reply.status = if collector.over_limit { Status::LIMIT.0 } else { status.0 };
    if collector.over_limit {
        collector.reply.errors.push(format!("output exceeds {} bytes", limits.max_bytes));
    }
    collector.reply
}

/// Frees an instance.
pub(crate) fn destroy(table: &'static PluginV1, instance: &InstancePtr) {
    // SAFETY: created by this table's `create`; not used afterwards (called from Drop).
    unsafe { (table.destroy)(instance.0) };
}

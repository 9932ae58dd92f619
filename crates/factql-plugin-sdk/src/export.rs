//! The glue behind [`crate::export!`]: the `extern "C"` functions of the table, each wrapped in
//! `catch_unwind`, and the panic hook that turns a panic into a message for the host.
//!
//! Not part of the public API; the macro is.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Once, OnceLock};

use factql_plugin_abi::{
    ABI_MAJOR, ABI_MINOR, BytesRef, ExtractReqV1, HostV1, Instance, PluginV1, SinkV1, Status,
    StrRef, flags,
};

use crate::wire::{Config, decode, decode_inputs, encode, encode_batch};
use crate::{Document, Extractor, Output};

/// The SDK's name and version, recorded in every table.
const SDK_VERSION: &str = concat!("factql-plugin-sdk ", env!("CARGO_PKG_VERSION"));

/// A plugin's table with the manifest bytes it points at; lives in a `static` of the plugin.
pub struct Table {
    plugin: PluginV1,
    _manifest: Vec<u8>,
}

thread_local! {
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Chains a panic hook that, inside a plugin call, records the message and location instead of
/// printing them; outside a call it defers to the previous hook.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_call = IN_CALL.try_with(Cell::get).unwrap_or(false);
            if !in_call {
                return previous(info);
            }
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic payload)".to_owned());
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let _ = LAST_PANIC.try_with(|last| *last.borrow_mut() = Some(message + &location));
        }));
    });
}

/// Runs `body` with panics caught; errors and panic messages go to `sink.error`.
fn guard(sink: *const SinkV1, body: impl FnOnce() -> Result<(), (Status, String)>) -> Status {
    install_hook();
    let was_in_call = IN_CALL.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(body));
    IN_CALL.with(|flag| flag.set(was_in_call));
    let (status, message) = match result {
        Ok(Ok(())) => return Status::OK,
        Ok(Err((status, message))) => (status, message),
        Err(_) => {
            let message = LAST_PANIC.with(|last| last.borrow_mut().take());
            (Status::PANICKED, message.unwrap_or_else(|| "(no message)".to_owned()))
        }
    };
    if !sink.is_null() && !message.is_empty() {
        // SAFETY: the host passes a sink valid for the duration of this call; the message
        // outlives the callback, which copies it.
        unsafe { ((*sink).error)((*sink).ctx, StrRef::new(&message)) };
    }
    status
}

/// Borrows the bytes behind a `BytesRef`.
///
/// # Safety
/// `bytes` must point at `len` readable bytes that outlive `'a` (or have `len` 0).
unsafe fn borrow<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// The body of a plugin's entry symbol: builds the table once and returns it, or null when the
/// host speaks another ABI major or the manifest cannot be encoded.
///
/// # Safety
/// `host` is null or points at a valid [`HostV1`].
pub unsafe fn entry<E: Extractor>(
    host: *const HostV1,
    table: &'static OnceLock<Option<Table>>,
) -> *const PluginV1 {
    if host.is_null() {
        return std::ptr::null();
    }
    // SAFETY: non-null and valid per the contract; `abi_major` lies within every version.
    let major = unsafe { (*host).abi_major };
    if major != ABI_MAJOR {
        return std::ptr::null();
    }
    let built = catch_unwind(|| {
        table.get_or_init(|| {
            let manifest = encode(&E::manifest()).ok()?;
            let plugin = PluginV1 {
                size: std::mem::size_of::<PluginV1>() as u32,
                abi_major: ABI_MAJOR,
                abi_minor: ABI_MINOR,
                flags: flags::PANIC_UNWIND,
                manifest: BytesRef::new(&manifest),
                sdk_version: StrRef::new(SDK_VERSION),
                create: create::<E>,
                extract: extract::<E>,
                destroy: destroy::<E>,
            };
            Some(Table { plugin, _manifest: manifest })
        })
    });
    match built {
        Ok(Some(table)) => &table.plugin,
        _ => std::ptr::null(),
    }
}

/// `PluginV1::create` for `E`.
///
/// # Safety
/// As [`factql_plugin_abi::CreateFn`]: `config` valid, `out` writable, `sink` valid or null.
pub unsafe extern "C" fn create<E: Extractor>(
    config: BytesRef,
    out: *mut *mut Instance,
    sink: *const SinkV1,
) -> Status {
    guard(sink, || {
        // SAFETY: the host keeps the configuration alive for the call.
        let bytes = unsafe { borrow(config.ptr, config.len) };
        let config: Config = if bytes.is_empty() {
            Config::default()
        } else {
            decode(bytes).map_err(|err| {
                (Status::BAD_INPUT, format!("cannot decode the configuration: {err}"))
            })?
        };
        let extractor = E::new(&config).map_err(|err| (Status::ERROR, err.to_string()))?;
        if out.is_null() {
            return Err((Status::BAD_INPUT, "null instance pointer".to_owned()));
        }
        // SAFETY: `out` is non-null and writable per the contract; the box is freed only by
        // `destroy::<E>`.
        unsafe { *out = Box::into_raw(Box::new(extractor)).cast::<Instance>() };
        Ok(())
    })
}

/// `PluginV1::extract` for `E`.
///
/// # Safety
/// As [`factql_plugin_abi::ExtractFn`]: `instance` from `create::<E>`, `request` and `sink`
/// valid for the call.
pub unsafe extern "C" fn extract<E: Extractor>(
    instance: *const Instance,
    request: *const ExtractReqV1,
    sink: *const SinkV1,
) -> Status {
    guard(sink, || {
        if instance.is_null() || request.is_null() || sink.is_null() {
            return Err((Status::BAD_INPUT, "null pointer in extract".to_owned()));
        }
        // SAFETY: valid for the call per the contract.
        let request = unsafe { &*request };
        // SAFETY: the host keeps the text, id and inputs alive for the call.
        let (text, id, inputs) = unsafe {
            (
                borrow(request.text.ptr, request.text.len),
                borrow(request.article_id.ptr, request.article_id.len),
                borrow(request.inputs.ptr, request.inputs.len),
            )
        };
        let bad = |what: &str| (Status::BAD_INPUT, format!("{what} is not UTF-8"));
        // SAFETY: the ABI requires `text` to be UTF-8 (the host passes a `&str`); checking it
        // again would cost a pass over every article in every plugin.
        let text = unsafe { std::str::from_utf8_unchecked(text) };
        let id = std::str::from_utf8(id).map_err(|_| bad("the article id"))?;
        let inputs = decode_inputs(inputs)
            .map_err(|err| (Status::BAD_INPUT, format!("cannot decode the inputs: {err}")))?;
        // SAFETY: `instance` was created by `create::<E>` as a `Box<E>` and is still alive.
        let extractor = unsafe { &*instance.cast::<E>() };
        let document = Document::new(id, text, inputs);
        let mut output = Output::default();
        extractor
            .extract(&document, &mut output)
            .map_err(|err| (Status::ERROR, err.to_string()))?;
        let bytes = encode_batch(&output.into_batch());
        // SAFETY: the sink is valid for the call; the host copies the bytes.
        let status = unsafe { ((*sink).emit)((*sink).ctx, BytesRef::new(&bytes)) };
        if status == Status::OK { Ok(()) } else { Err((status, String::new())) }
    })
}

/// `PluginV1::destroy` for `E`.
///
/// # Safety
/// `instance` comes from `create::<E>` and is not used afterwards.
pub unsafe extern "C" fn destroy<E: Extractor>(instance: *mut Instance) {
    if instance.is_null() {
        return;
    }
    install_hook();
    IN_CALL.with(|flag| flag.set(true));
    // SAFETY: created by `create::<E>` as a `Box<E>`; ownership comes back here exactly once.
    let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(instance.cast::<E>()) })));
    IN_CALL.with(|flag| flag.set(false));
}

/// Exports an [`Extractor`] as a factql plugin.
///
/// Generates `factql_plugin_entry`, exported as `factql_plugin_v1__<crate name>` for dynamic
/// loading and callable directly when the crate is linked statically (pass it to the host's
/// `register_static`). Every call into the plugin catches panics. Building the plugin with
/// `panic = "abort"` is a compile error: such a plugin would take the host down on its first
/// panic.
///
/// ```text
/// factql_plugin_sdk::export!(Money);
/// ```
#[macro_export]
macro_rules! export {
    ($extractor:ty) => {
        #[cfg(panic = "abort")]
        compile_error!(
            "factql plugins must be built with panic = \"unwind\": with panic = \"abort\" a panic in the plugin would kill the host. Remove `panic = \"abort\"` from your Cargo profile."
        );

        /// The plugin's entry point (ABI v1): returns its `'static` table, or null to refuse a
        /// host of another ABI major.
        ///
        /// # Safety
        /// `host` is null or points at a valid `HostV1`.
        #[allow(unsafe_code)]
        #[unsafe(export_name = concat!("factql_plugin_v1__", env!("CARGO_CRATE_NAME")))]
        pub unsafe extern "C" fn factql_plugin_entry(
            host: *const $crate::abi::HostV1,
        ) -> *const $crate::abi::PluginV1 {
            static TABLE: ::std::sync::OnceLock<::std::option::Option<$crate::__private::Table>> =
                ::std::sync::OnceLock::new();
            // SAFETY: forwarded from our caller, who guarantees `host` per the ABI.
            unsafe { $crate::__private::entry::<$extractor>(host, &TABLE) }
        }
    };
}

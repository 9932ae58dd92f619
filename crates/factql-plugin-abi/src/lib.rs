//! The stable C ABI between factql and its extractor plugins, version 1.
//!
//! This crate holds only `#[repr(C)]` types, `extern "C"` function-pointer types and
//! constants; it has no dependencies and never will. Everything that crosses the boundary
//! between the host (`factql`) and a plugin (a shared library built by someone else, with
//! another compiler) is described here, so any layout change shows up as a failing
//! compile-time assertion at the bottom of this file.
//!
//! # The contract
//!
//! * **One entry symbol per plugin**, `factql_plugin_v1__<crate_name>` (see [`ENTRY_PREFIX`]),
//!   of type [`EntryFn`]. The ABI major is part of the name, so a host of another major never
//!   binds the table by accident, and the crate name makes it unique, so many plugins can be
//!   linked statically into one binary.
//! * **One table**, [`PluginV1`], `'static` in the plugin. It starts with its own `size` and
//!   the ABI major and minor; later minors only append fields, and the host reads a field only
//!   when `size` covers it.
//! * **Input is borrowed**: the article text and the encoded inputs ([`ExtractReqV1`]) are the
//!   host's memory, valid for the duration of one call.
//! * **Output is copied by the host**: the plugin hands postcard-encoded batches to
//!   [`SinkV1::emit`], which copies them. Nothing allocated on one side is ever freed on the
//!   other, so the two sides may use different allocators.
//! * **Panics never cross**: every function a plugin exports catches unwinding itself and
//!   returns [`Status::PANICKED`]; the functions are `extern "C"`, so an escaped panic aborts
//!   rather than being undefined behaviour.
//!
//! The encoding of manifests, inputs and batches is owned by `factql-plugin-sdk` (module
//! `wire`), versioned by [`WIRE_SCHEMA`] independently of this ABI.
#![no_std]
#![deny(missing_docs)]
#![deny(improper_ctypes_definitions)]
// The tables hold raw pointers to immutable 'static data; declaring them `Send`/`Sync` is
// the only unsafe code here.
#![allow(unsafe_code)]

use core::ffi::c_void;

/// The ABI major version; part of the entry symbol's name.
pub const ABI_MAJOR: u16 = 1;
/// The ABI minor version this crate describes (number of append-only revisions).
pub const ABI_MINOR: u16 = 0;
/// The version of the postcard wire format for manifests, inputs and batches.
pub const WIRE_SCHEMA: u16 = 2;
/// Prefix of every v1 entry symbol; the crate name (with `-` as `_`) follows.
pub const ENTRY_PREFIX: &str = "factql_plugin_v1__";

/// Borrowed UTF-8 text: a pointer and a length in bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrRef {
    /// First byte; may dangle when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

/// Borrowed bytes: a pointer and a length.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BytesRef {
    /// First byte; may dangle when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl StrRef {
    /// Borrows a `str` (the caller keeps it alive for as long as the reference is used).
    pub const fn new(text: &str) -> StrRef {
        StrRef { ptr: text.as_ptr(), len: text.len() }
    }
}

impl BytesRef {
    /// Borrows a byte slice (the caller keeps it alive for as long as the reference is used).
    pub const fn new(bytes: &[u8]) -> BytesRef {
        BytesRef { ptr: bytes.as_ptr(), len: bytes.len() }
    }
}

/// The outcome of a call across the boundary.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    /// Success.
    pub const OK: Status = Status(0);
    /// The plugin reported an error (through [`SinkV1::error`]).
    pub const ERROR: Status = Status(1);
    /// The plugin panicked; the panic was caught inside the plugin.
    pub const PANICKED: Status = Status(2);
    /// The host's input could not be decoded by the plugin.
    pub const BAD_INPUT: Status = Status(3);
    /// The host refused more output: a per-call limit was reached.
    pub const LIMIT: Status = Status(4);
    /// The output the plugin emitted is not a valid batch.
    pub const BAD_OUTPUT: Status = Status(5);
}

/// Bits of [`PluginV1::flags`].
pub mod flags {
    /// The plugin was built with `panic = "unwind"` and catches panics in every export.
    /// The host refuses to run in-process a plugin without it.
    pub const PANIC_UNWIND: u64 = 1;
}

/// What the host tells a plugin about itself; `'static` in the host.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct HostV1 {
    /// `size_of::<HostV1>()` as compiled into the host.
    pub size: u32,
    /// [`ABI_MAJOR`] of the host.
    pub abi_major: u16,
    /// [`ABI_MINOR`] of the host.
    pub abi_minor: u16,
    /// Capability bits of the host (none defined in 1.0).
    pub flags: u64,
}

impl HostV1 {
    /// The description of a host built against this crate.
    pub const CURRENT: HostV1 = HostV1 {
        size: core::mem::size_of::<HostV1>() as u32,
        abi_major: ABI_MAJOR,
        abi_minor: ABI_MINOR,
        flags: 0,
    };
}

/// An extractor instance: opaque to the host, created by [`PluginV1::create`] and freed only by
/// [`PluginV1::destroy`].
#[repr(C)]
pub struct Instance {
    _opaque: [u8; 0],
}

/// Where a plugin sends output and error messages; owned by the host and valid only during the
/// call it is passed to.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SinkV1 {
    /// The host's context, passed back unchanged.
    pub ctx: *mut c_void,
    /// Hands over one postcard-encoded batch; the host copies it before returning.
    /// A status other than [`Status::OK`] asks the plugin to stop emitting.
    pub emit: EmitFn,
    /// Reports an error message (UTF-8); the host copies it before returning.
    pub error: ErrorFn,
}

/// One extraction request: one article; borrowed from the host for the duration of the call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ExtractReqV1 {
    /// `size_of::<ExtractReqV1>()` as compiled into the host.
    pub size: u32,
    /// The wire schema the host wants back ([`WIRE_SCHEMA`]).
    pub schema: u16,
    /// Zero.
    pub reserved: u16,
    /// The article id.
    pub article_id: StrRef,
    /// The article's normalised text; every span in the output is a byte range into it.
    pub text: StrRef,
    /// Postcard-encoded inputs: sentences and the facts of the kinds the plugin requires.
    pub inputs: BytesRef,
}

/// Copies one batch from the plugin.
pub type EmitFn = unsafe extern "C" fn(ctx: *mut c_void, batch: BytesRef) -> Status;
/// Copies one error message from the plugin.
pub type ErrorFn = unsafe extern "C" fn(ctx: *mut c_void, message: StrRef);
/// Creates an instance from postcard-encoded configuration; errors go to `sink.error`.
pub type CreateFn =
    unsafe extern "C" fn(config: BytesRef, out: *mut *mut Instance, sink: *const SinkV1) -> Status;
/// Extracts from one article, emitting batches to `sink`; may be called concurrently on one
/// instance unless the manifest says `serial`.
pub type ExtractFn = unsafe extern "C" fn(
    instance: *const Instance,
    request: *const ExtractReqV1,
    sink: *const SinkV1,
) -> Status;
/// Frees an instance.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut Instance);
/// The entry symbol: returns the plugin's `'static` table, or null to refuse the host.
pub type EntryFn = unsafe extern "C" fn(host: *const HostV1) -> *const PluginV1;

/// The table a plugin exports; `'static` in the plugin, never freed (plugins are never
/// unloaded).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PluginV1 {
    /// `size_of::<PluginV1>()` as compiled into the plugin; fields past it are absent.
    pub size: u32,
    /// [`ABI_MAJOR`] of the plugin.
    pub abi_major: u16,
    /// [`ABI_MINOR`] of the plugin.
    pub abi_minor: u16,
    /// [`flags`] bits.
    pub flags: u64,
    /// The postcard-encoded manifest, `'static`.
    pub manifest: BytesRef,
    /// The SDK that built the plugin, e.g. `factql-plugin-sdk 0.1.0`; diagnostics only.
    pub sdk_version: StrRef,
    /// See [`CreateFn`].
    pub create: CreateFn,
    /// See [`ExtractFn`].
    pub extract: ExtractFn,
    /// See [`DestroyFn`].
    pub destroy: DestroyFn,
}

// SAFETY: a `PluginV1` points only at immutable `'static` data (manifest bytes, strings) and
// at functions; sharing it between threads cannot race.
unsafe impl Sync for PluginV1 {}
// SAFETY: as above; moving the table between threads moves only pointers to 'static data.
unsafe impl Send for PluginV1 {}

/// The size of the v1.0 table: a plugin whose `size` is smaller is refused.
pub const PLUGIN_V1_0_SIZE: u32 = core::mem::size_of::<PluginV1>() as u32;

// Layout: any change to these numbers is an ABI break and needs a new major.
#[cfg(target_pointer_width = "64")]
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<StrRef>() == 16);
    assert!(size_of::<BytesRef>() == 16);
    assert!(size_of::<Status>() == 4);
    assert!(size_of::<HostV1>() == 16);
    assert!(offset_of!(HostV1, flags) == 8);
    assert!(size_of::<SinkV1>() == 24);
    assert!(offset_of!(SinkV1, emit) == 8);
    assert!(offset_of!(SinkV1, error) == 16);
    assert!(size_of::<ExtractReqV1>() == 56);
    assert!(offset_of!(ExtractReqV1, schema) == 4);
    assert!(offset_of!(ExtractReqV1, article_id) == 8);
    assert!(offset_of!(ExtractReqV1, text) == 24);
    assert!(offset_of!(ExtractReqV1, inputs) == 40);
    assert!(size_of::<PluginV1>() == 72);
    assert!(offset_of!(PluginV1, abi_major) == 4);
    assert!(offset_of!(PluginV1, abi_minor) == 6);
    assert!(offset_of!(PluginV1, flags) == 8);
    assert!(offset_of!(PluginV1, manifest) == 16);
    assert!(offset_of!(PluginV1, sdk_version) == 32);
    assert!(offset_of!(PluginV1, create) == 48);
    assert!(offset_of!(PluginV1, extract) == 56);
    assert!(offset_of!(PluginV1, destroy) == 64);
};

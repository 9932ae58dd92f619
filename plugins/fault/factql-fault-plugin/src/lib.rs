//! A deliberately broken plugin for the fault-injection tests of the plugin host.
//!
//! One library plays every fault plugin of the matrix: `$FACTQL_FAULT` picks the fault when
//! the library is entered (so the plugin's name is `fault-<mode>`), which keeps CI to one extra
//! cdylib instead of twenty. With `$FACTQL_FAULT_MARKER` set, a constructor in `.init_array`
//! writes that file when the library is *loaded*: the trust tests assert it does not exist,
//! proving the checks run before `dlopen`.
//!
//! Modes: `none` (one valid fact), `panic`, `segfault`, `abort`, `stack-overflow`, `hang`,
//! `bad-span`, `mid-char`, `undeclared-kind`, `nan`, `bad-field`, `dangling-arg`,
//! `oversized`, `bad-manifest`, `abi-major`, `refuse-host`, `small-table`, `no-unwind`,
//! `garbage-manifest`, `future-minor`, `print` (writes to stdout, then one valid fact), `leak` (512 MiB per call).
//! Sandbox probes, which report what they could do as the article's error (`<probe>: allowed`
//! or `<probe>: denied (<why>)`): `net` (opens a UDP socket), `write` (writes
//! `$FACTQL_FAULT_WRITE`, and a file in `$TMPDIR`), `read` (reads `$FACTQL_FAULT_READ`),
//! `spawn` (runs `/bin/sh -c true`).
//!
//! Never load this outside tests.
// Faults need raw pointers: a null write, a hand-made entry point, a constructor.
#![allow(unsafe_code)]

use std::sync::OnceLock;

use factql_plugin_sdk::abi::{HostV1, PluginV1, flags};
use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest, Target};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

fn mode() -> String {
    std::env::var("FACTQL_FAULT").unwrap_or_else(|_| "none".to_owned())
}

/// The fault plugin; its behaviour is `$FACTQL_FAULT`.
pub struct Fault {
    mode: String,
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return 0;
    }
    let buf = std::hint::black_box([depth; 64]);
    recurse(depth + 1) + buf[7]
}

impl Extractor for Fault {
    fn manifest() -> Manifest {
        let mode = mode();
        let mut manifest = Manifest::new(&format!("fault-{mode}"), "0.0.1")
            .description("fault injection")
            .produces(KindDecl::new("fault").field("n", FieldType::Int, true).role("x"));
        if mode == "bad-manifest" {
            manifest = manifest.produces(KindDecl::new("fault"));
        }
        manifest
    }

    fn new(_config: &Config) -> Result<Fault, Error> {
        Ok(Fault { mode: mode() })
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        if let Some(report) = probe(&self.mode) {
            return Err(Error::new(report));
        }
        let text = doc.text();
        let len = text.len();
        match self.mode.as_str() {
            "panic" => panic!("boom in {}", doc.article_id()),
            // SAFETY: none; this is the fault being injected.
            "segfault" => unsafe { std::ptr::null_mut::<u8>().write_volatile(1) },
            "abort" => std::process::abort(),
            "stack-overflow" => {
                std::hint::black_box(recurse(0));
            }
            "hang" => loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            },
            "bad-span" => {
                out.fact("fault", len..len + 10).field("n", 1i64);
            }
            "mid-char" => {
                let wide =
                    text.char_indices().find(|(_, c)| c.len_utf8() > 1).map_or(0, |(i, _)| i);
                out.fact("fault", wide..wide + 1).field("n", 1i64);
            }
            "undeclared-kind" => {
                out.fact("nope", 0..1);
            }
            "nan" => {
                out.fact("fault", 0..1).field("n", 1i64).confidence(f32::NAN);
            }
            "bad-field" => {
                out.fact("fault", 0..1).field("n", "one");
            }
            "dangling-arg" => {
                out.fact("fault", 0..1).field("n", 1i64).arg("x", Target::Mention(7));
            }
            "leak" => {
                // Half a GiB per call, never freed (calloc'd, so untouched pages cost no RAM).
                std::hint::black_box(Box::leak(vec![0u8; 512 << 20].into_boxed_slice()));
                out.fact("fault", 0..len.min(1)).field("n", 1i64);
            }
            "print" => {
                println!("a plugin printing to stdout");
                out.fact("fault", 0..len.min(1)).field("n", 1i64);
            }
            "oversized" => {
                for n in 0..150_000i64 {
                    out.fact("fault", 0..1).field("n", n);
                }
            }
            _ => {
                out.fact("fault", 0..len.min(1)).field("n", len as i64);
            }
        }
        Ok(())
    }
}

/// What a sandbox probe could do, or `None` for other modes.
fn probe(mode: &str) -> Option<String> {
    let outcome = |result: std::io::Result<()>| match result {
        Ok(()) => "allowed".to_owned(),
        Err(err) => format!("denied ({err})"),
    };
    let var = |name: &str| std::env::var_os(name).unwrap_or_default();
    Some(match mode {
        "net" => format!("net: {}", outcome(std::net::UdpSocket::bind("127.0.0.1:0").map(drop))),
        "write" => {
            let temp = std::env::temp_dir().join("fault-probe");
            format!(
                "write: outside {}; temp {}",
                outcome(std::fs::write(var("FACTQL_FAULT_WRITE"), b"written by a plugin\n")),
                outcome(std::fs::write(temp, b"scratch"))
            )
        }
        "read" => format!("read: {}", outcome(std::fs::read(var("FACTQL_FAULT_READ")).map(drop))),
        "spawn" => {
            let status = std::process::Command::new("/bin/sh").args(["-c", "true"]).status();
            format!("spawn: {}", outcome(status.map(drop)))
        }
        _ => return None,
    })
}

static TABLE: OnceLock<Option<factql_plugin_sdk::__private::Table>> = OnceLock::new();
static PATCHED: OnceLock<PluginV1> = OnceLock::new();

/// The entry point: the SDK's table, then broken per the ABI modes.
///
/// # Safety
/// `host` is null or valid.
#[unsafe(export_name = "factql_plugin_v1__factql_fault_plugin")]
pub unsafe extern "C" fn entry(host: *const HostV1) -> *const PluginV1 {
    // SAFETY: forwarded.
    let table = unsafe { factql_plugin_sdk::__private::entry::<Fault>(host, &TABLE) };
    if table.is_null() {
        return table;
    }
    // SAFETY: non-null tables from the SDK are 'static.
    let mut patched = unsafe { *table };
    match mode().as_str() {
        "refuse-host" => return std::ptr::null(),
        "abi-major" => patched.abi_major = 2,
        "small-table" => patched.size = 16,
        "no-unwind" => patched.flags &= !flags::PANIC_UNWIND,
        // A plugin built against a later minor: a bigger table and an unknown flag bit, both
        // of which an older host must accept (it reads only the fields it knows).
        "future-minor" => {
            patched.size += 8;
            patched.abi_minor += 1;
            patched.flags |= 1 << 40;
        }
        "garbage-manifest" => {
            patched.manifest = factql_plugin_sdk::abi::BytesRef::new(b"\xff\xff\xff\xff")
        }
        _ => return table,
    }
    PATCHED.get_or_init(|| patched)
}

extern "C" fn constructor() {
    if let Some(marker) = std::env::var_os("FACTQL_FAULT_MARKER") {
        let _ = std::fs::write(marker, b"the constructor ran\n");
    }
}

/// Runs `constructor` when the library is loaded, before any symbol is looked up.
#[used]
#[unsafe(link_section = ".init_array")]
static CONSTRUCTOR: extern "C" fn() = constructor;

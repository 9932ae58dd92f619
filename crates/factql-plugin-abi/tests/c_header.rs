//! `include/factql_plugin.h` describes the same layout as the Rust types: a C program built
//! with the system C compiler (the one Rust links with) prints every size and offset, and they
//! must equal Rust's.

use std::mem::{offset_of, size_of};
use std::process::Command;

use factql_plugin_abi::{BytesRef, ExtractReqV1, HostV1, PluginV1, SinkV1, Status, StrRef};

const PROGRAM: &str = r#"
#include <stdio.h>
#include "factql_plugin.h"
#define SHOW(expr) printf("%s=%zu\n", #expr, (size_t)(expr))
int main(void) {
    SHOW(sizeof(factql_str_ref)); SHOW(sizeof(factql_bytes_ref)); SHOW(sizeof(factql_status));
    SHOW(sizeof(factql_host_v1)); SHOW(offsetof(factql_host_v1, flags));
    SHOW(sizeof(factql_sink_v1)); SHOW(offsetof(factql_sink_v1, emit)); SHOW(offsetof(factql_sink_v1, error));
    SHOW(sizeof(factql_extract_req_v1)); SHOW(offsetof(factql_extract_req_v1, schema));
    SHOW(offsetof(factql_extract_req_v1, article_id)); SHOW(offsetof(factql_extract_req_v1, text));
    SHOW(offsetof(factql_extract_req_v1, inputs));
    SHOW(sizeof(factql_plugin_v1)); SHOW(offsetof(factql_plugin_v1, abi_major));
    SHOW(offsetof(factql_plugin_v1, abi_minor)); SHOW(offsetof(factql_plugin_v1, flags));
    SHOW(offsetof(factql_plugin_v1, manifest)); SHOW(offsetof(factql_plugin_v1, sdk_version));
    SHOW(offsetof(factql_plugin_v1, create)); SHOW(offsetof(factql_plugin_v1, extract));
    SHOW(offsetof(factql_plugin_v1, destroy));
    SHOW(FACTQL_ABI_MAJOR); SHOW(FACTQL_ABI_MINOR); SHOW(FACTQL_WIRE_SCHEMA);
    SHOW(FACTQL_FLAG_PANIC_UNWIND); SHOW(FACTQL_PANICKED); SHOW(FACTQL_BAD_OUTPUT);
    return 0;
}
"#;

#[test]
fn the_c_header_matches_the_rust_layout() {
    let dir = std::env::temp_dir().join(format!("factql-abi-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&source, PROGRAM).expect("write the C program");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let include = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
    let built = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-I", include, "-o"])
        .arg(&exe)
        .arg(&source)
        .output()
        .unwrap_or_else(|err| panic!("cannot run the C compiler `{cc}` (set CC): {err}"));
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let out = Command::new(&exe).output().expect("run the C program");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let _ = std::fs::remove_dir_all(&dir);

    let expected = [
        size_of::<StrRef>(),
        size_of::<BytesRef>(),
        size_of::<Status>(),
        size_of::<HostV1>(),
        offset_of!(HostV1, flags),
        size_of::<SinkV1>(),
        offset_of!(SinkV1, emit),
        offset_of!(SinkV1, error),
        size_of::<ExtractReqV1>(),
        offset_of!(ExtractReqV1, schema),
        offset_of!(ExtractReqV1, article_id),
        offset_of!(ExtractReqV1, text),
        offset_of!(ExtractReqV1, inputs),
        size_of::<PluginV1>(),
        offset_of!(PluginV1, abi_major),
        offset_of!(PluginV1, abi_minor),
        offset_of!(PluginV1, flags),
        offset_of!(PluginV1, manifest),
        offset_of!(PluginV1, sdk_version),
        offset_of!(PluginV1, create),
        offset_of!(PluginV1, extract),
        offset_of!(PluginV1, destroy),
        usize::from(factql_plugin_abi::ABI_MAJOR),
        usize::from(factql_plugin_abi::ABI_MINOR),
        usize::from(factql_plugin_abi::WIRE_SCHEMA),
        factql_plugin_abi::flags::PANIC_UNWIND as usize,
        Status::PANICKED.0 as usize,
        Status::BAD_OUTPUT.0 as usize,
    ];
    let got: Vec<usize> = printed
        .lines()
        .map(|line| line.rsplit_once('=').and_then(|(_, n)| n.parse().ok()).expect("NAME=N"))
        .collect();
    assert_eq!(got, expected, "C says:\n{printed}");
}

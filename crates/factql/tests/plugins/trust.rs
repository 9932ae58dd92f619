//! Trust checks: none of these may load the library. The fault plugin's constructor writes a
//! marker file when the library is loaded, so "no marker" proves the checks ran before dlopen.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{Scratch, both};

/// Runs `factql plugins` and returns its output; asserts the constructor did not run.
fn refused(scratch: &Scratch, expect: &str) {
    let out = scratch.factql("none").arg("plugins").output().expect("factql runs");
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains(expect), "expected {expect:?} in:\n{all}");
    assert!(all.contains("plugin libfactql_fault_plugin.so"), "the error names the file:\n{all}");
    assert!(!scratch.constructor_ran(), "the library was loaded before the checks refused it");
}

#[test]
fn a_trusted_library_is_loaded_and_its_constructor_runs() {
    // The control: the marker mechanism works, so its absence below means something.
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let out = scratch.factql("none").arg("plugins").output().expect("factql runs");
    let all = both(&out);
    assert!(all.contains("fault-none 0.0.1"), "{all}");
    assert!(all.contains("trusted sha256:"), "{all}");
    assert!(scratch.constructor_ran(), "{all}");
}

#[test]
fn an_unpinned_library_is_refused_with_instructions() {
    let scratch = Scratch::new();
    scratch.add_fault_plugin();
    refused(&scratch, "is not pinned in");
    refused(&scratch, "run `factql plugins trust");
}

#[test]
fn a_library_changed_after_trust_is_refused() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let mut bytes = std::fs::read(&file).expect("read");
    bytes.push(0);
    std::fs::write(&file, bytes).expect("write");
    refused(&scratch, "the file changed since it was trusted");
}

#[test]
fn a_world_writable_library_or_group_writable_folder_is_refused() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o757)).expect("chmod");
    refused(&scratch, "is writable by group or others (mode 757)");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(scratch.plugins(), std::fs::Permissions::from_mode(0o775))
        .expect("chmod");
    refused(&scratch, "is writable by group or others (mode 775)");
}

#[test]
fn a_library_owned_by_someone_else_is_refused() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    // CI runs as root, which can give the file away; as another user chown fails and the
    // ownership check is covered by the host's unit tests run as root.
    if std::os::unix::fs::chown(&file, Some(4242), Some(4242)).is_err() {
        return;
    }
    refused(&scratch, "belongs to uid 4242, not to you or root");
}

#[test]
fn a_symlinked_library_is_refused() {
    let scratch = Scratch::new();
    let elsewhere = scratch.path("real.so");
    std::fs::copy(&crate::support::libraries().0, &elsewhere).expect("copy");
    let link = scratch.plugins().join("libfactql_fault_plugin.so");
    std::os::unix::fs::symlink(&elsewhere, &link).expect("symlink");
    refused(&scratch, "is a symbolic link");
}

/// Rewrites the entry symbol's name in a copy of the library (same length), so only a v2
/// symbol is left.
fn only_v2_symbol(file: &Path) {
    let mut bytes = std::fs::read(file).expect("read");
    let from = b"factql_plugin_v1__factql_fault_plugin";
    let mut n = 0;
    let mut idx = 0;
    while idx + from.len() <= bytes.len() {
        if &bytes[idx..idx + from.len()] == from {
            bytes[idx + 15] = b'2';
            n += 1;
        }
        idx += 1;
    }
    assert!(n > 0, "the entry symbol name is not in the library");
    std::fs::write(file, bytes).expect("write");
}

#[test]
fn a_library_without_a_v1_entry_symbol_is_refused_before_loading() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    only_v2_symbol(&file);
    scratch.trust(&file);
    refused(
        &scratch,
        "has no compatible entry symbol (expected factql_plugin_v1__<crate>; found factql_plugin_v2__factql_fault_plugin)",
    );
}

#[test]
fn a_truncated_library_is_a_clean_load_error() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    let bytes = std::fs::read(&file).expect("read");
    // Keep the symbol name (so the entry check passes) but cut the ELF file short.
    let at = bytes.windows(18).position(|w| w == b"factql_plugin_v1__").expect("symbol");
    let mut cut = bytes[..4096.min(bytes.len())].to_vec();
    cut.extend_from_slice(&bytes[at..at + 40]);
    std::fs::write(&file, cut).expect("write");
    scratch.trust(&file);
    refused(&scratch, "cannot load");
}

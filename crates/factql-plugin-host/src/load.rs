//! Opening a library, binding its entry symbol, and checking its table and manifest.

use std::os::fd::{AsFd, AsRawFd, IntoRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use factql_plugin_abi::{
    ABI_MAJOR, ENTRY_PREFIX, EntryFn, HostV1, PLUGIN_V1_0_SIZE, PluginV1, flags,
};
use factql_plugin_sdk::wire::{Manifest, decode};

use crate::PluginError;
use crate::trust::{Verified, file_label};

/// The host description passed to every entry point; `'static`.
static HOST: HostV1 = HostV1::CURRENT;

/// Picks the v1 entry symbol among those found in the file: the only one, or the one named
/// after the file (`libfoo_bar.so` → `factql_plugin_v1__foo_bar`).
pub(crate) fn entry_symbol(verified: &Verified, path: &Path) -> Result<String, PluginError> {
    let v1: Vec<&String> =
        verified.entry_symbols.iter().filter(|name| name.starts_with(ENTRY_PREFIX)).collect();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().trim_start_matches("lib").replace('-', "_"))
        .unwrap_or_default();
    let by_stem = format!("{ENTRY_PREFIX}{stem}");
    match v1.as_slice() {
        [one] => Ok((*one).clone()),
        many if many.iter().any(|name| **name == by_stem) => Ok(by_stem),
        _ => Err(PluginError::NoEntry {
            plugin: file_label(path),
            path: path.to_path_buf(),
            found: verified.entry_symbols.clone(),
        }),
    }
}

/// Opens the sealed copy `image` of the verified file `path` (through `/proc/self/fd/N`, so the
/// loader maps exactly the bytes that were checked, whatever happens to `path` meanwhile) with
/// `RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE` and returns its entry point. The library is never
/// closed, and neither is `image`: the loader knows libraries by name, so if the descriptor
/// number were reused for another plugin's memfd, opening `/proc/self/fd/N` again would hand
/// back this library.
pub(crate) fn open(image: OwnedFd, path: &Path, symbol: &str) -> Result<EntryFn, PluginError> {
    let load_err = |message: String| PluginError::Load {
        plugin: file_label(path),
        path: path.to_path_buf(),
        message,
    };
    let seals = crate::sys::seals(image.as_fd()).unwrap_or(0);
    if seals & crate::sys::ALL_SEALS != crate::sys::ALL_SEALS {
        return Err(load_err("the checked copy is not sealed".into()));
    }
    let proc_path = PathBuf::from(format!("/proc/self/fd/{}", image.as_raw_fd()));
    // SAFETY: this runs the library's constructors: the trust checks (path, ownership,
    // permissions, pinned hash, dependencies) have passed on the bytes sealed in `image`,
    // which is the point where we accept to run its code.
    let library = unsafe {
        libloading::os::unix::Library::open(
            Some(&proc_path),
            libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_LOCAL | libc::RTLD_NODELETE,
        )
    }
    .map_err(|err| load_err(err.to_string()))?;
    // SAFETY: the symbol is declared by the ABI as `EntryFn`; a plugin that exports it with
    // another type breaks the ABI contract, which cannot be checked.
    let entry = unsafe { library.get::<EntryFn>(symbol.as_bytes()) }
        .map(|symbol| *symbol)
        .map_err(|err| load_err(err.to_string()))?;
    // Never unload: unloading Rust libraries with thread-locals is unsound, and the function
    // pointers we keep must stay valid for the life of the process.
    std::mem::forget(library);
    // Keep the descriptor (and so its number) for the life of the process too (see above).
    let _ = image.into_raw_fd();
    Ok(entry)
}

/// Calls an entry point and checks the table it returns. `allow_abort` accepts a table without
/// [`flags::PANIC_UNWIND`] (only in an isolated runner, where a panic kills only the child).
pub(crate) fn bind(
    entry: EntryFn,
    label: &str,
    allow_abort: bool,
) -> Result<(&'static PluginV1, Manifest), PluginError> {
    let abi = |reason: String| PluginError::Abi { plugin: label.to_owned(), reason };
    // SAFETY: `entry` is an `EntryFn` per the ABI; HOST is 'static.
    let table = unsafe { entry(&HOST) };
    if table.is_null() {
        return Err(abi("the plugin refused this host (its entry returned null)".into()));
    }
    // SAFETY: non-null; the first 8 bytes (size, major, minor) exist in every version.
    let (size, major) = unsafe { ((*table).size, (*table).abi_major) };
    if major != ABI_MAJOR {
        return Err(abi(format!(
            "the plugin speaks ABI major {major}; this host speaks {ABI_MAJOR}"
        )));
    }
    if size < PLUGIN_V1_0_SIZE {
        return Err(abi(format!(
            "its table is {size} bytes, smaller than the {PLUGIN_V1_0_SIZE} bytes of ABI 1.0"
        )));
    }
    // SAFETY: `size` covers the whole v1.0 table, which is 'static (plugins are never unloaded).
    let table: &'static PluginV1 = unsafe { &*table };
    if table.flags & flags::PANIC_UNWIND == 0 && !allow_abort {
        return Err(abi(
            "it was not built with panic = \"unwind\" (flag PANIC_UNWIND missing), so its first panic would abort factql; rebuild it with factql-plugin-sdk, or run it with --isolate"
                .into(),
        ));
    }
    // SAFETY: the manifest bytes are 'static in the plugin.
    let bytes = unsafe { borrow(table.manifest.ptr, table.manifest.len) };
    let manifest: Manifest = decode(bytes).map_err(|err| PluginError::Manifest {
        plugin: label.to_owned(),
        reason: format!("does not decode ({err})"),
    })?;
    check_manifest(&manifest).map_err(|reason| PluginError::Manifest {
        plugin: if manifest.name.is_empty() { label.to_owned() } else { manifest.name.clone() },
        reason,
    })?;
    Ok((table, manifest))
}

/// Borrows `len` bytes at `ptr`.
///
/// # Safety
/// `ptr` points at `len` readable bytes living for `'a`, or `len` is 0.
pub(crate) unsafe fn borrow<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_lowercase()
}

/// Checks a manifest's names and declarations.
pub fn check_manifest(manifest: &Manifest) -> Result<(), String> {
    if !is_name(&manifest.name) {
        return Err(format!(
            "name {:?} must be 1-64 lower-case letters, digits, `-` or `_`, starting with a letter",
            manifest.name
        ));
    }
    if manifest.version.trim().is_empty() {
        return Err("version is empty".into());
    }
    let mut kinds = std::collections::BTreeSet::new();
    for kind in &manifest.produces {
        if !is_name(&kind.name) {
            return Err(format!("kind name {:?} is not a valid name", kind.name));
        }
        if !kinds.insert(kind.name.as_str()) {
            return Err(format!("kind `{}` is declared twice", kind.name));
        }
        let mut fields = std::collections::BTreeSet::new();
        for field in &kind.fields {
            if !is_name(&field.name) {
                return Err(format!(
                    "field {:?} of kind `{}` is not a valid name",
                    field.name, kind.name
                ));
            }
            if !fields.insert(field.name.as_str()) {
                return Err(format!(
                    "field `{}` of kind `{}` is declared twice",
                    field.name, kind.name
                ));
            }
        }
    }
    if manifest.produces.is_empty() && manifest.mention_types.is_empty() {
        return Err("it declares no kinds and no mentions, so it can produce nothing".into());
    }
    crate::entities::Kinds::new(&manifest.mention_types, &manifest.entity_kinds)?;
    if let Some(own) = manifest.requires.iter().find(|kind| kinds.contains(kind.as_str())) {
        return Err(format!("it requires kind `{own}`, which it produces itself"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use factql_plugin_sdk::wire::{FieldType, KindDecl};

    use super::*;

    #[test]
    fn manifest_checks_name_what_is_wrong() {
        let ok = Manifest::new("money", "0.1.0").produces(KindDecl::new("money").field(
            "amount",
            FieldType::Float,
            true,
        ));
        assert_eq!(check_manifest(&ok), Ok(()));
        let bad = |m: Manifest| check_manifest(&m).unwrap_err();
        assert!(bad(Manifest { name: "Money!".into(), ..ok.clone() }).contains("name \"Money!\""));
        assert_eq!(
            bad(ok.clone().produces(KindDecl::new("money"))),
            "kind `money` is declared twice"
        );
        assert_eq!(
            bad(Manifest::new("m", "1").produces(
                KindDecl::new("k").field("a", FieldType::Int, true).field(
                    "a",
                    FieldType::Str,
                    false
                )
            )),
            "field `a` of kind `k` is declared twice"
        );
        assert_eq!(
            bad(ok.clone().requires("money")),
            "it requires kind `money`, which it produces itself"
        );
        assert!(bad(Manifest::new("m", "1")).contains("can produce nothing"));
        assert_eq!(bad(Manifest { version: " ".into(), ..ok }), "version is empty");
    }
}

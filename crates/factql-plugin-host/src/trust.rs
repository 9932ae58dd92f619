//! Trust checks that run before a library is opened, and the `plugins.lock` of pinned hashes.
//!
//! `dlopen` runs the library's constructors, so everything here happens before it: file type,
//! ownership and permissions of the file and its folder, and the SHA-256 pin.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{PluginError, TrustIssue};

/// The pinned hashes: canonical path → hex SHA-256. One line per pin, `<sha256>  <path>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    path: PathBuf,
    pins: BTreeMap<PathBuf, String>,
}

impl Lock {
    /// Reads the lock at `path`; a missing file is an empty lock.
    pub fn load(path: &Path) -> Result<Lock, PluginError> {
        let mut lock = Lock { path: path.to_path_buf(), pins: BTreeMap::new() };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(lock),
            Err(source) => {
                return Err(PluginError::Io {
                    plugin: "plugins.lock".into(),
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        for (idx, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = line.split_once("  ").filter(|(hash, _)| {
                hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
            });
            let Some((hash, file)) = parsed else {
                return Err(PluginError::Config {
                    path: path.to_path_buf(),
                    line: idx + 1,
                    message: "expected `<sha256>  <path>`".into(),
                });
            };
            lock.pins.insert(PathBuf::from(file), hash.to_ascii_lowercase());
        }
        Ok(lock)
    }

    /// Where the lock lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pin for `file` (canonicalised), if any.
    pub fn pinned(&self, file: &Path) -> Option<&str> {
        let canonical = std::fs::canonicalize(file).ok()?;
        self.pins.get(&canonical).map(String::as_str)
    }

    /// Pins `file` at its current hash after checking its type, ownership and permissions;
    /// returns the hash. Call [`Lock::save`] to write it.
    pub fn pin(&mut self, file: &Path, allow_symlinks: bool) -> Result<String, PluginError> {
        check_file(file, allow_symlinks)?;
        let bytes = read(file)?;
        let hash = sha256_hex(&bytes);
        let canonical = std::fs::canonicalize(file).map_err(|source| io(file, source))?;
        self.pins.insert(canonical, hash.clone());
        Ok(hash)
    }

    /// Writes the lock.
    pub fn save(&self) -> Result<(), PluginError> {
        let mut text = String::from(
            "# factql plugins.lock: plugins trusted to load, by SHA-256 and path.\n# Add one with `factql plugins trust PATH`.\n",
        );
        for (file, hash) in &self.pins {
            text.push_str(&format!("{hash}  {}\n", file.display()));
        }
        std::fs::write(&self.path, text).map_err(|source| PluginError::Io {
            plugin: "plugins.lock".into(),
            path: self.path.clone(),
            source,
        })
    }
}

/// What the trust checks learned about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The file as checked (after following an allowed symlink).
    pub path: PathBuf,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// `factql_plugin_v*` symbol names found in its bytes.
    pub entry_symbols: Vec<String>,
}

/// The file name of `path`, used as the plugin's name before its manifest is read.
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn io(path: &Path, source: std::io::Error) -> PluginError {
    PluginError::Io { plugin: file_label(path), path: path.to_path_buf(), source }
}

fn read(path: &Path) -> Result<Vec<u8>, PluginError> {
    std::fs::read(path).map_err(|source| io(path, source))
}

fn untrusted(path: &Path, issue: TrustIssue) -> PluginError {
    PluginError::Untrusted {
        plugin: file_label(path),
        path: path.to_path_buf(),
        issue: Box::new(issue),
    }
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Type, ownership and permission checks on `path` and its folder; returns the path to open.
pub fn check_file(path: &Path, allow_symlinks: bool) -> Result<PathBuf, PluginError> {
    let meta = std::fs::symlink_metadata(path).map_err(|source| io(path, source))?;
    let target = if meta.file_type().is_symlink() {
        if !allow_symlinks {
            return Err(untrusted(path, TrustIssue::Symlink));
        }
        std::fs::canonicalize(path).map_err(|source| io(path, source))?
    } else {
        path.to_path_buf()
    };
    let meta = std::fs::metadata(&target).map_err(|source| io(&target, source))?;
    if !meta.is_file() {
        return Err(untrusted(path, TrustIssue::NotAFile));
    }
    let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let folder_meta = std::fs::metadata(folder).map_err(|source| io(folder, source))?;
    let me = current_uid();
    for (what, meta) in [(&target, &meta), (&folder.to_path_buf(), &folder_meta)] {
        let mode = meta.mode() & 0o7777;
        // A sticky world-writable folder (/tmp) still lets others replace files: refused too.
        if mode & 0o022 != 0 {
            return Err(untrusted(path, TrustIssue::Writable { path: what.clone(), mode }));
        }
        if meta.uid() != me && meta.uid() != 0 {
            return Err(untrusted(
                path,
                TrustIssue::ForeignOwner { path: what.clone(), uid: meta.uid() },
            ));
        }
    }
    Ok(target)
}

/// All trust checks: [`check_file`], then the hash against `lock`. Nothing is executed.
pub fn verify(path: &Path, allow_symlinks: bool, lock: &Lock) -> Result<Verified, PluginError> {
    let target = check_file(path, allow_symlinks)?;
    let bytes = read(&target)?;
    let sha256 = sha256_hex(&bytes);
    match lock.pinned(&target) {
        None => {
            return Err(untrusted(
                path,
                TrustIssue::NotPinned {
                    file: path.to_path_buf(),
                    sha256,
                    lock: lock.path().to_path_buf(),
                },
            ));
        }
        Some(expected) if expected != sha256 => {
            return Err(untrusted(
                path,
                TrustIssue::HashMismatch {
                    expected: expected.to_owned(),
                    found: sha256,
                    lock: lock.path().to_path_buf(),
                },
            ));
        }
        Some(_) => {}
    }
    check_elf(&bytes).map_err(|message| PluginError::Load {
        plugin: file_label(path),
        path: path.to_path_buf(),
        message: format!("not a loadable library for this machine: {message}"),
    })?;
    Ok(Verified { path: target, sha256, entry_symbols: entry_symbols(&bytes) })
}

/// The ELF machine number of this build's target.
const ELF_MACHINE: Option<u16> = if cfg!(target_arch = "x86_64") {
    Some(62)
} else if cfg!(target_arch = "aarch64") {
    Some(183)
} else {
    None
};

/// Checks, without loading it, that `bytes` is a complete 64-bit little-endian ELF shared
/// library for this machine. The loader maps segments straight from the file, so a truncated
/// library would crash the process (SIGBUS) inside `dlopen` instead of failing cleanly.
pub fn check_elf(bytes: &[u8]) -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u64_at = |at: usize| {
        bytes
            .get(at..at + 8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    };
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if bytes[4] != 2 || bytes[5] != 1 {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    if u16_at(16) != Some(3) {
        return Err("not a shared library (ELF type is not DYN)".into());
    }
    let machine = u16_at(18).unwrap_or(0);
    if let Some(expected) = ELF_MACHINE
        && machine != expected
    {
        return Err(format!("built for ELF machine {machine}, this is machine {expected}"));
    }
    let len = bytes.len() as u64;
    let truncated = || format!("truncated: the file is {len} bytes, shorter than its headers say");
    let (phoff, phentsize, phnum) =
        (u64_at(32).unwrap_or(0), u16_at(54).unwrap_or(0), u16_at(56).unwrap_or(0));
    let (shoff, shentsize, shnum) =
        (u64_at(40).unwrap_or(0), u16_at(58).unwrap_or(0), u16_at(60).unwrap_or(0));
    let end = |off: u64, size: u16, n: u16| off.checked_add(u64::from(size) * u64::from(n));
    if end(phoff, phentsize, phnum).is_none_or(|end| end > len)
        || (shnum > 0 && end(shoff, shentsize, shnum).is_none_or(|end| end > len))
    {
        return Err(truncated());
    }
    for idx in 0..u64::from(phnum) {
        let header = (phoff + idx * u64::from(phentsize)) as usize;
        let p_type =
            bytes.get(header..header + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if p_type == Some(1) {
            let (offset, filesz) =
                (u64_at(header + 8).unwrap_or(u64::MAX), u64_at(header + 32).unwrap_or(u64::MAX));
            if offset.checked_add(filesz).is_none_or(|end| end > len) {
                return Err(truncated());
            }
        }
    }
    Ok(())
}

/// Names that look like entry symbols (`factql_plugin_v<digits>__<ident>`) in a file's bytes,
/// sorted and deduplicated; found without loading it.
pub fn entry_symbols(bytes: &[u8]) -> Vec<String> {
    const NEEDLE: &[u8] = b"factql_plugin_v";
    let mut found = Vec::new();
    let mut idx = 0;
    while idx + NEEDLE.len() <= bytes.len() {
        if bytes[idx..].starts_with(NEEDLE) {
            let end = bytes[idx..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |n| idx + n);
            if let Ok(name) = std::str::from_utf8(&bytes[idx..end]) {
                let rest = &name[NEEDLE.len()..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 && rest[digits..].starts_with("__") && rest.len() > digits + 2 {
                    found.push(name.to_owned());
                }
            }
            idx = end.max(idx + 1);
        } else {
            idx += 1;
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = dir.path().join("libx.so");
        // A real ELF file of this machine: the test executable (a position-independent one is
        // a shared object as far as the ELF type goes).
        std::fs::write(&file, std::fs::read(std::env::current_exe().unwrap()).unwrap()).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, file)
    }

    #[test]
    fn check_elf_refuses_non_elf_and_truncated_files() {
        assert_eq!(
            check_elf(b"not a library at all, just some text, long enough to be read as a header"),
            Err("not an ELF file".into())
        );
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        // A test executable is an ELF file of this machine (a PIE is DYN too).
        let mut header = exe[..64].to_vec();
        header[18] = 0x2a;
        header[19] = 0;
        if exe[16] == 3 {
            assert_eq!(check_elf(&exe), Ok(()));
            assert!(check_elf(&header).unwrap_err().starts_with("built for ELF machine 42"));
            let cut = &exe[..exe.len() / 2];
            assert!(check_elf(cut).unwrap_err().starts_with("truncated"), "{:?}", check_elf(cut));
        }
    }

    #[test]
    fn entry_symbols_are_found_in_the_bytes() {
        let bytes = b"\x7fELF..factql_plugin_v1__x\0factql_plugin_v2__y\0factql_plugin_vx\0factql_plugin_v1__";
        assert_eq!(entry_symbols(bytes), ["factql_plugin_v1__x", "factql_plugin_v2__y"]);
    }

    #[test]
    fn pin_then_verify_then_tamper() {
        let (dir, file) = setup();
        let mut lock = Lock::load(&dir.path().join("plugins.lock")).unwrap();
        let err = verify(&file, false, &lock).unwrap_err();
        assert!(
            matches!(&err, PluginError::Untrusted { issue, .. } if matches!(**issue, TrustIssue::NotPinned { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("factql plugins trust"), "{err}");
        let hash = lock.pin(&file, false).unwrap();
        lock.save().unwrap();
        let lock = Lock::load(&dir.path().join("plugins.lock")).unwrap();
        assert_eq!(verify(&file, false, &lock).unwrap().sha256, hash);
        std::fs::write(&file, b"changed").unwrap();
        let err = verify(&file, false, &lock).unwrap_err();
        assert!(
            matches!(&err, PluginError::Untrusted { issue, .. } if matches!(**issue, TrustIssue::HashMismatch { .. })),
            "{err}"
        );
    }

    #[test]
    fn writable_files_and_folders_are_refused() {
        let (dir, file) = setup();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o757)).unwrap();
        let err = check_file(&file, false).unwrap_err().to_string();
        assert!(err.contains("writable by group or others (mode 757)"), "{err}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
        let err = check_file(&file, false).unwrap_err().to_string();
        assert!(err.contains("(mode 775)"), "{err}");
    }

    #[test]
    fn symlinks_are_refused_unless_allowed() {
        let (dir, file) = setup();
        let link = dir.path().join("liblink.so");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let err = check_file(&link, false).unwrap_err();
        assert!(
            matches!(&err, PluginError::Untrusted { issue, .. } if **issue == TrustIssue::Symlink)
        );
        assert_eq!(check_file(&link, true).unwrap(), std::fs::canonicalize(&file).unwrap());
    }

    #[test]
    fn foreign_owners_are_refused() {
        let (_dir, file) = setup();
        // Root (as in CI) can give the file away; anyone else cannot, and then the file is
        // already foreign-owned from the checker's point of view only if chown works.
        if std::os::unix::fs::chown(&file, Some(4242), None).is_err() {
            assert_ne!(current_uid(), 0, "root must be able to chown");
            return;
        }
        let err = check_file(&file, false).unwrap_err().to_string();
        assert!(err.contains("belongs to uid 4242"), "{err}");
    }

    #[test]
    fn a_malformed_lock_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plugins.lock");
        std::fs::write(&path, "# comment\nnot a pin\n").unwrap();
        let err = Lock::load(&path).unwrap_err().to_string();
        assert!(err.ends_with("plugins.lock:2: expected `<sha256>  <path>`"), "{err}");
    }
}

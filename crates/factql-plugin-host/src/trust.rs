//! Trust checks that run before a library is opened, and the `plugins.lock` of pinned hashes.
//!
//! `dlopen` runs the library's constructors, so everything here happens before it.
//!
//! * **The path**, like OpenSSH's StrictModes: it is walked from `/` one component at a time
//!   with `openat(O_NOFOLLOW)`, each folder checked on the descriptor that was opened (owner:
//!   you or root; not writable by group or others, except a root-owned sticky folder such as
//!   `/tmp` above the last one). A symlink on the way is followed only when the folder holding
//!   it passed and the link belongs to you or root; the file itself may be a symlink only with
//!   `allow_symlinks`. The file's own folder must not be writable by others at all.
//! * **The bytes**: the file is opened once, read once, and its SHA-256, ELF headers and
//!   dynamic section are checked on those bytes, which are then copied into a sealed `memfd`
//!   ([`Verified::image`]). The loader and the isolated runner open that memfd, never the path
//!   again, so swapping the file after the check changes nothing.
//! * **Dependencies**: `DT_NEEDED` may only name system libraries (libc, libm, libpthread,
//!   libdl, librt, libgcc_s, ld-linux); `DT_RPATH`/`DT_RUNPATH` are refused.
//!
//! The same path checks apply to `plugins.lock` and the configuration (`open_checked`).

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::sys;
use crate::{PluginError, TrustIssue};

/// Why a path did not pass the walk.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// A trust rule.
    Issue(TrustIssue),
    /// The file system said no (missing file included).
    Io(PathBuf, std::io::Error),
}

impl Refusal {
    /// As a [`PluginError`] about `path`, named `label`.
    pub(crate) fn into_error(self, label: &str, path: &Path) -> PluginError {
        match self {
            Refusal::Issue(issue) => PluginError::Untrusted {
                plugin: label.to_owned(),
                path: path.to_path_buf(),
                issue: Box::new(issue),
            },
            Refusal::Io(at, source) => {
                PluginError::Io { plugin: label.to_owned(), path: at, source }
            }
        }
    }

    /// True when the file (or a folder on its path) does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, Refusal::Io(_, err) if err.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Owner you or root; not writable by group or others, unless `relaxed` and it is a folder
/// owned by root with the sticky bit (others cannot rename or delete what is yours in it).
fn check_owner_mode(stat: sys::Stat, path: &Path, relaxed: bool) -> Result<(), Refusal> {
    if stat.uid != sys::euid() && stat.uid != 0 {
        return Err(Refusal::Issue(TrustIssue::ForeignOwner {
            path: path.to_path_buf(),
            uid: stat.uid,
        }));
    }
    let mode = stat.mode & 0o7777;
    let sticky_root = stat.is_dir() && mode & 0o1000 != 0 && stat.uid == 0;
    if mode & 0o022 != 0 && !(relaxed && sticky_root) {
        return Err(Refusal::Issue(TrustIssue::Writable { path: path.to_path_buf(), mode }));
    }
    Ok(())
}

fn components(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// What the walk should end on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// A regular file, opened for reading; `follow` accepts a symlink as the last component.
    File {
        /// Follow a symlink in the last component.
        follow: bool,
    },
    /// A folder (`O_PATH`), checked strictly itself.
    Folder,
}

/// Opens `path` through a checked walk from `/` (see the module documentation). Returns the
/// descriptor and the path actually walked (symlinks resolved).
pub(crate) fn open_checked(path: &Path, want: Want) -> Result<(OwnedFd, PathBuf), Refusal> {
    let io_at = |at: &Path| {
        let at = at.to_path_buf();
        move |err: std::io::Error| Refusal::Io(at, err)
    };
    let absolute = std::path::absolute(path).map_err(io_at(path))?;
    let mut pending = components(&absolute);
    let root = sys::open_root().map_err(io_at(Path::new("/")))?;
    check_owner_mode(
        sys::fstat(root.as_fd()).map_err(io_at(Path::new("/")))?,
        Path::new("/"),
        true,
    )?;
    let mut stack: Vec<(OwnedFd, PathBuf)> = vec![(root, PathBuf::from("/"))];
    let mut hops = 0;
    while let Some(name) = pending.pop_front() {
        if name == ".." {
            if stack.len() > 1 {
                stack.pop();
            }
            continue;
        }
        let Some((dir, dir_path)) = stack.last() else { break };
        let here = dir_path.join(&name);
        let last = pending.is_empty();
        let stat = sys::lstat_at(dir.as_fd(), &name).map_err(io_at(&here))?;
        if stat.is_symlink() {
            if last && want == (Want::File { follow: false }) {
                return Err(Refusal::Issue(TrustIssue::Symlink));
            }
            if stat.uid != sys::euid() && stat.uid != 0 {
                return Err(Refusal::Issue(TrustIssue::ForeignLink { path: here, uid: stat.uid }));
            }
            hops += 1;
            if hops > 40 {
                return Err(Refusal::Io(here, std::io::Error::other("too many symbolic links")));
            }
            let target = PathBuf::from(sys::readlink_at(dir.as_fd(), &name).map_err(io_at(&here))?);
            if target.is_absolute() {
                stack.truncate(1);
            }
            let mut next = components(&target);
            next.extend(pending);
            pending = next;
            continue;
        }
        let file = last && matches!(want, Want::File { .. });
        if file {
            // The file's own folder: nobody else may add, replace or rename files in it.
            check_owner_mode(sys::fstat(dir.as_fd()).map_err(io_at(dir_path))?, dir_path, false)?;
        }
        let fd = sys::open_at(dir.as_fd(), &name, !file).map_err(|err| {
            if err.raw_os_error() == Some(libc::ELOOP) {
                Refusal::Issue(TrustIssue::Symlink)
            } else if err.raw_os_error() == Some(libc::ENOTDIR) {
                Refusal::Issue(TrustIssue::NotAFile)
            } else {
                Refusal::Io(here.clone(), err)
            }
        })?;
        let stat = sys::fstat(fd.as_fd()).map_err(io_at(&here))?;
        if file && !stat.is_file() {
            return Err(Refusal::Issue(TrustIssue::NotAFile));
        }
        check_owner_mode(stat, &here, !last)?;
        if last {
            return Ok((fd, here));
        }
        stack.push((fd, here));
    }
    // The path ended on `/` or `..`.
    match (want, stack.pop()) {
        (Want::Folder, Some((fd, at))) => {
            check_owner_mode(sys::fstat(fd.as_fd()).map_err(io_at(&at))?, &at, false)?;
            Ok((fd, at))
        }
        _ => Err(Refusal::Issue(TrustIssue::NotAFile)),
    }
}

/// Reads a small file (the lock, the configuration) through [`open_checked`]; `Ok(None)` when
/// it does not exist.
pub(crate) fn read_checked(path: &Path, label: &str) -> Result<Option<String>, PluginError> {
    let (fd, _) = match open_checked(path, Want::File { follow: false }) {
        Ok(opened) => opened,
        Err(refusal) if refusal.is_not_found() => return Ok(None),
        Err(refusal) => return Err(refusal.into_error(label, path)),
    };
    let mut text = String::new();
    std::fs::File::from(fd).read_to_string(&mut text).map_err(|source| PluginError::Io {
        plugin: label.to_owned(),
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Some(text))
}

/// Writes `text` to `path` atomically: a new file next to it, written, synced and renamed over
/// it, then the folder synced. The folder must pass the checked walk (created, mode 700, when
/// missing) and `path` must not be a symlink.
pub fn write_atomically(path: &Path, text: &str, label: &str) -> Result<(), PluginError> {
    let io = |at: &Path| {
        let at = at.to_path_buf();
        let plugin = label.to_owned();
        move |source| PluginError::Io { plugin, path: at, source }
    };
    let absolute = std::path::absolute(path).map_err(io(path))?;
    let Some(folder) = absolute.parent().map(Path::to_path_buf) else {
        return Err(Refusal::Issue(TrustIssue::NotAFile).into_error(label, path));
    };
    if !folder.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .map_err(io(&folder))?;
    }
    open_checked(&folder, Want::Folder).map_err(|refusal| refusal.into_error(label, path))?;
    match std::fs::symlink_metadata(&absolute) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Refusal::Issue(TrustIssue::Symlink).into_error(label, path));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(Refusal::Issue(TrustIssue::NotAFile).into_error(label, path));
        }
        _ => {}
    }
    let name = absolute.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, &absolute)?;
        std::fs::File::open(&folder)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(io(&absolute))
}

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// The pinned hashes: canonical path → hex SHA-256. One line per pin, `<sha256>  <path>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    path: PathBuf,
    pins: BTreeMap<PathBuf, String>,
}

impl Lock {
    /// Reads the lock at `path` through the checked walk (owner, mode, every folder up to `/`);
    /// a missing file, or an empty path (no lock configured), is an empty lock.
    pub fn load(path: &Path) -> Result<Lock, PluginError> {
        let mut lock = Lock { path: path.to_path_buf(), pins: BTreeMap::new() };
        if path.as_os_str().is_empty() {
            return Ok(lock);
        }
        let Some(text) = read_checked(path, "plugins.lock")? else { return Ok(lock) };
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

    /// The pin for the resolved path `file` (as [`Verified::path`] gives it), if any.
    pub fn pinned(&self, file: &Path) -> Option<&str> {
        self.pins.get(file).map(String::as_str)
    }

    /// Pins `file` at its current hash after the path checks (owner, mode, every folder up to
    /// `/`); returns the hash. Call [`Lock::save`] to write it.
    pub fn pin(&mut self, file: &Path, allow_symlinks: bool) -> Result<String, PluginError> {
        let checked = inspect(file, allow_symlinks)?;
        self.pins.insert(checked.path, checked.sha256.clone());
        Ok(checked.sha256)
    }

    /// Writes the lock atomically ([`write_atomically`]).
    pub fn save(&self) -> Result<(), PluginError> {
        let mut text = String::from(
            "# factql plugins.lock: plugins trusted to load, by SHA-256 and path.\n# Add one with `factql plugins trust PATH`.\n",
        );
        for (file, hash) in &self.pins {
            text.push_str(&format!("{hash}  {}\n", file.display()));
        }
        write_atomically(&self.path, &text, "plugins.lock")
    }
}

/// What the trust checks learned about a file, and the sealed copy of the bytes checked.
#[derive(Debug)]
pub struct Verified {
    /// The file as checked (symlinks resolved).
    pub path: PathBuf,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// `factql_plugin_v*` symbol names found in its bytes.
    pub entry_symbols: Vec<String>,
    /// A sealed memfd holding exactly the bytes that were hashed and checked.
    pub image: OwnedFd,
}

/// The file name of `path`, used as the plugin's name before its manifest is read.
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
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

/// The path walk, then the bytes, read once from the descriptor it opened, and their hash.
fn inspect(path: &Path, allow_symlinks: bool) -> Result<Inspected, PluginError> {
    let (fd, resolved) = open_checked(path, Want::File { follow: allow_symlinks })
        .map_err(|refusal| refusal.into_error(&file_label(path), path))?;
    let mut bytes = Vec::new();
    std::fs::File::from(fd).read_to_end(&mut bytes).map_err(|source| PluginError::Io {
        plugin: file_label(path),
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Inspected { path: resolved, sha256: sha256_hex(&bytes), bytes })
}

struct Inspected {
    path: PathBuf,
    sha256: String,
    bytes: Vec<u8>,
}

/// The path checks alone on `path`: the resolved path.
pub fn check_file(path: &Path, allow_symlinks: bool) -> Result<PathBuf, PluginError> {
    open_checked(path, Want::File { follow: allow_symlinks })
        .map(|(_, resolved)| resolved)
        .map_err(|refusal| refusal.into_error(&file_label(path), path))
}

/// All trust checks on bytes read once (path, pin, ELF, dependencies), then the sealed copy
/// of those bytes. Nothing is executed.
pub fn verify(path: &Path, allow_symlinks: bool, lock: &Lock) -> Result<Verified, PluginError> {
    let Inspected { path: resolved, sha256, bytes } = inspect(path, allow_symlinks)?;
    match lock.pinned(&resolved) {
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
    let load_err = |message: String| PluginError::Load {
        plugin: file_label(path),
        path: path.to_path_buf(),
        message: format!("not a loadable library for this machine: {message}"),
    };
    check_elf(&bytes).map_err(load_err)?;
    check_dynamic(&bytes).map_err(|issue| match issue {
        Ok(issue) => untrusted(path, issue),
        Err(message) => load_err(message),
    })?;
    let image = sys::sealed_memfd(&format!("factql-plugin:{}", file_label(path)), &bytes).map_err(
        |source| PluginError::Io { plugin: file_label(path), path: path.to_path_buf(), source },
    )?;
    Ok(Verified { path: resolved, sha256, entry_symbols: entry_symbols(&bytes), image })
}

/// System libraries a plugin may depend on (`DT_NEEDED`); they come from the system's library
/// folders, which belong to root.
pub const ALLOWED_NEEDED: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libgcc_s.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
];

/// The dynamic section's `DT_NEEDED` names and `DT_RPATH`/`DT_RUNPATH` values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dynamic {
    /// `DT_NEEDED`.
    pub needed: Vec<String>,
    /// (`DT_RPATH` or `DT_RUNPATH`, value).
    pub search: Vec<(&'static str, String)>,
}

/// Reads the dynamic section of a checked ELF file (see [`check_elf`]).
pub fn dynamic_section(bytes: &[u8]) -> Result<Dynamic, String> {
    let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at =
        |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let u64_at = |at: usize| {
        bytes
            .get(at..at + 8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    };
    let bad = || "malformed dynamic section".to_owned();
    let phoff = u64_at(32).ok_or_else(bad)?;
    let (phentsize, phnum) = (u16_at(54).ok_or_else(bad)?, u16_at(56).ok_or_else(bad)?);
    let mut loads = Vec::new();
    let mut dynamic = None;
    for idx in 0..u64::from(phnum) {
        let header = usize::try_from(phoff + idx * u64::from(phentsize)).map_err(|_| bad())?;
        let p_type = u32_at(header).ok_or_else(bad)?;
        let offset = u64_at(header + 8).ok_or_else(bad)?;
        let vaddr = u64_at(header + 16).ok_or_else(bad)?;
        let filesz = u64_at(header + 32).ok_or_else(bad)?;
        match p_type {
            1 => loads.push((vaddr, offset, filesz)),
            2 => dynamic = Some((offset, filesz)),
            _ => {}
        }
    }
    let Some((offset, size)) = dynamic else { return Ok(Dynamic::default()) };
    let (mut needed, mut search, mut strtab, mut strsz) = (Vec::new(), Vec::new(), None, None);
    let start = usize::try_from(offset).map_err(|_| bad())?;
    let size = usize::try_from(size).map_err(|_| bad())?;
    for at in (start..start.saturating_add(size)).step_by(16) {
        let (tag, value) = (u64_at(at).ok_or_else(bad)?, u64_at(at + 8).ok_or_else(bad)?);
        match tag {
            0 => break,
            1 => needed.push(value),
            5 => strtab = Some(value),
            10 => strsz = Some(value),
            15 => search.push(("DT_RPATH", value)),
            29 => search.push(("DT_RUNPATH", value)),
            _ => {}
        }
    }
    if needed.is_empty() && search.is_empty() {
        return Ok(Dynamic::default());
    }
    let strtab = strtab.ok_or_else(bad)?;
    let strtab = loads
        .iter()
        .find(|(vaddr, _, filesz)| strtab >= *vaddr && strtab < vaddr.saturating_add(*filesz))
        .map(|(vaddr, offset, _)| strtab - vaddr + offset)
        .ok_or_else(bad)?;
    let string = |at: u64| -> Result<String, String> {
        if strsz.is_some_and(|size| at >= size) {
            return Err(bad());
        }
        let start = usize::try_from(strtab.checked_add(at).ok_or_else(bad)?).map_err(|_| bad())?;
        let tail = bytes.get(start..).ok_or_else(bad)?;
        let end = tail.iter().position(|b| *b == 0).ok_or_else(bad)?;
        Ok(String::from_utf8_lossy(&tail[..end]).into_owned())
    };
    Ok(Dynamic {
        needed: needed.into_iter().map(string).collect::<Result<_, _>>()?,
        search: search
            .into_iter()
            .map(|(tag, at)| string(at).map(|value| (tag, value)))
            .collect::<Result<_, _>>()?,
    })
}

/// Refuses a library that needs anything but [`ALLOWED_NEEDED`] or sets a search path.
/// `Err(Ok(issue))`: a trust issue; `Err(Err(message))`: a malformed file.
fn check_dynamic(bytes: &[u8]) -> Result<(), Result<TrustIssue, String>> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    let dynamic = dynamic_section(bytes).map_err(Err)?;
    if let Some((tag, value)) = dynamic.search.into_iter().next() {
        return Err(Ok(TrustIssue::RunPath { tag, value }));
    }
    if let Some(name) = dynamic.needed.into_iter().find(|n| !ALLOWED_NEEDED.contains(&n.as_str())) {
        return Err(Ok(TrustIssue::Dependency { name }));
    }
    Ok(())
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
    fn the_dynamic_section_is_read_from_the_bytes() {
        // The test executable needs libc like any plugin would.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let dynamic = dynamic_section(&exe).unwrap();
        assert!(dynamic.needed.iter().any(|n| n == "libc.so.6"), "{dynamic:?}");
        assert!(dynamic.search.is_empty(), "{dynamic:?}");
        assert_eq!(check_dynamic(&exe), Ok(()));
        // Renaming a needed library in the string table makes it a foreign dependency.
        let at = exe.windows(10).position(|w| w == b"libc.so.6\0").unwrap();
        let mut patched = exe.clone();
        patched[at..at + 9].copy_from_slice(b"libx.so.6");
        assert_eq!(
            check_dynamic(&patched),
            Err(Ok(TrustIssue::Dependency { name: "libx.so.6".into() }))
        );
        assert_eq!(dynamic_section(&exe[..64]), Err("malformed dynamic section".into()));
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
            assert_ne!(sys::euid(), 0, "root must be able to chown");
            return;
        }
        let err = check_file(&file, false).unwrap_err().to_string();
        assert!(err.contains("belongs to uid 4242"), "{err}");
    }

    #[test]
    fn every_folder_on_the_path_is_checked_and_sticky_root_folders_only_above() {
        let (dir, file) = setup();
        // A group-writable folder two levels up, not only the file's own folder.
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        for sub in [dir.path().join("a"), nested.clone()] {
            std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let deep = nested.join("libx.so");
        std::fs::copy(&file, &deep).unwrap();
        assert!(check_file(&deep, false).is_ok());
        std::fs::set_permissions(dir.path().join("a"), std::fs::Permissions::from_mode(0o775))
            .unwrap();
        let err = check_file(&deep, false).unwrap_err().to_string();
        assert!(err.contains("/a is writable by group or others (mode 775)"), "{err}");
        std::fs::set_permissions(dir.path().join("a"), std::fs::Permissions::from_mode(0o1777))
            .unwrap();
        // Sticky and world-writable, but not root's (tests run as root: give it away).
        if std::os::unix::fs::chown(dir.path().join("a"), Some(4242), None).is_ok() {
            let err = check_file(&deep, false).unwrap_err().to_string();
            assert!(err.contains("belongs to uid 4242"), "{err}");
            std::os::unix::fs::chown(dir.path().join("a"), Some(0), None).unwrap();
            // Sticky, world-writable and root's (like /tmp): accepted above the last folder...
            if sys::euid() == 0 {
                assert!(check_file(&deep, false).is_ok());
            }
        }
        // ...but never as the file's own folder.
        std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let err = check_file(&deep, false).unwrap_err().to_string();
        assert!(err.contains("(mode 1777)"), "{err}");
    }

    #[test]
    fn a_symlink_on_the_path_owned_by_someone_else_is_refused() {
        let (dir, file) = setup();
        let link = dir.path().join("via");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        let through = link.join("libx.so");
        assert_eq!(check_file(&through, false).unwrap(), file);
        if std::os::unix::fs::lchown(&link, Some(4242), None).is_ok() {
            let err = check_file(&through, false).unwrap_err().to_string();
            assert!(err.contains("a symbolic link on the path"), "{err}");
            assert!(err.contains("belongs to uid 4242"), "{err}");
        }
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

//! The system calls behind the trust checks and the sandbox, and the only new `unsafe` of the
//! host: each function wraps one or two libc calls behind a safe signature.
//!
//! # Soundness
//!
//! Every `unsafe` block here calls a libc function with:
//! * C strings made by [`cstr`] (NUL-terminated, no interior NUL, alive for the call);
//! * descriptors borrowed from an [`OwnedFd`]/[`BorrowedFd`] (valid and open for the call) or
//!   returned by the kernel and wrapped in an `OwnedFd` immediately (owned by nothing else);
//! * out-structures (`stat`, `pollfd`) that are plain data, zero-initialised and owned by the
//!   Rust frame, with their size given by their type;
//! * buffers whose pointer and length come from one Rust slice.
//!
//! None of them keep a pointer past the call. The functions run in [`pre_exec`] are
//! async-signal-safe (`dup2`, `prctl`, `getppid`, `close`, `open`), as `pre_exec` requires,
//! and allocate nothing.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::time::Instant;

/// A NUL-terminated copy of `s`; an interior NUL is an invalid-input error.
fn cstr(s: &OsStr) -> io::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL"))
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 { Err(io::Error::last_os_error()) } else { Ok(ret) }
}

/// Owner, mode and type of a file, from `fstat`/`fstatat`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stat {
    /// Owner.
    pub uid: u32,
    /// `st_mode` (type and permission bits).
    pub mode: u32,
}

impl Stat {
    fn from(st: &libc::stat) -> Stat {
        Stat { uid: st.st_uid, mode: st.st_mode }
    }

    /// A directory.
    pub fn is_dir(self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFDIR
    }

    /// A regular file.
    pub fn is_file(self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFREG
    }

    /// A symbolic link.
    pub fn is_symlink(self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFLNK
    }
}

/// The effective user id.
pub(crate) fn euid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::geteuid() }
}

/// `/` as an `O_PATH` directory descriptor.
pub(crate) fn open_root() -> io::Result<OwnedFd> {
    let root = cstr(OsStr::new("/"))?;
    // SAFETY: see the module documentation.
    let fd = check(unsafe {
        libc::open(root.as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
    })?;
    // SAFETY: a fresh descriptor from the kernel, owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`.
pub(crate) fn lstat_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<Stat> {
    let name = cstr(name)?;
    // SAFETY: see the module documentation; `stat` is plain data.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: see the module documentation.
    check(unsafe {
        libc::fstatat(dir.as_raw_fd(), name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW)
    })?;
    Ok(Stat::from(&st))
}

/// `fstat(fd)`.
pub(crate) fn fstat(fd: BorrowedFd<'_>) -> io::Result<Stat> {
    // SAFETY: see the module documentation; `stat` is plain data.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: see the module documentation.
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
    Ok(Stat::from(&st))
}

/// Opens `name` in `dir` without following a symlink: a folder as `O_PATH`, a file for reading.
pub(crate) fn open_at(dir: BorrowedFd<'_>, name: &OsStr, folder: bool) -> io::Result<OwnedFd> {
    let name = cstr(name)?;
    let flags = libc::O_NOFOLLOW
        | libc::O_CLOEXEC
        | if folder {
            libc::O_PATH | libc::O_DIRECTORY
        } else {
            libc::O_RDONLY | libc::O_NOCTTY | libc::O_NONBLOCK
        };
    // SAFETY: see the module documentation.
    let fd = check(unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags) })?;
    // SAFETY: a fresh descriptor from the kernel, owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The target of the symlink `name` in `dir`.
pub(crate) fn readlink_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<std::ffi::OsString> {
    let name = cstr(name)?;
    let mut buf = vec![0u8; libc::PATH_MAX as usize + 1];
    // SAFETY: see the module documentation; `buf` is writable for its length.
    let n = unsafe {
        libc::readlinkat(dir.as_raw_fd(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
    };
    let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    buf.truncate(n);
    Ok(std::os::unix::ffi::OsStringExt::from_vec(buf))
}

/// A sealed in-memory copy of `bytes`: nobody, this process included, can change, grow or
/// shrink it afterwards, so what is loaded from it is exactly what was checked.
pub(crate) fn sealed_memfd(name: &str, bytes: &[u8]) -> io::Result<OwnedFd> {
    let name = cstr(OsStr::new(name))?;
    // SAFETY: see the module documentation.
    let fd = check(unsafe {
        libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING)
    })?;
    // SAFETY: a fresh descriptor from the kernel, owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut file = std::fs::File::from(fd);
    io::Write::write_all(&mut file, bytes)?;
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: see the module documentation.
    check(unsafe { libc::fcntl(file.as_raw_fd(), libc::F_ADD_SEALS, seals) })?;
    Ok(OwnedFd::from(file))
}

/// The seals of a memfd (0 for other files).
pub(crate) fn seals(fd: BorrowedFd<'_>) -> io::Result<i32> {
    // SAFETY: see the module documentation.
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GET_SEALS) })
}

/// The seals [`sealed_memfd`] sets, all of which a runner's descriptor must carry.
pub(crate) const ALL_SEALS: i32 =
    libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;

/// Duplicates `fd` above 2, close-on-exec.
pub(crate) fn dup_cloexec(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: see the module documentation; an invalid `fd` is an EBADF error.
    let new = check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: a fresh descriptor from the kernel, owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// Makes `to` a copy of `from` (not close-on-exec), as `dup2` does.
pub(crate) fn dup2(from: RawFd, to: RawFd) -> io::Result<()> {
    // SAFETY: see the module documentation; `to` is replaced, which is the point.
    check(unsafe { libc::dup2(from, to) }).map(drop)
}

/// Puts `fd` in non-blocking mode.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: see the module documentation.
    let flags = check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    // SAFETY: see the module documentation.
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) }).map(drop)
}

/// Writes all of `bytes` to the non-blocking `fd` before `deadline`; a `TimedOut` error when
/// the reader does not take them in time.
pub(crate) fn write_all_until(
    fd: BorrowedFd<'_>,
    mut bytes: &[u8],
    deadline: Instant,
) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: see the module documentation; pointer and length come from one slice.
        let n = unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
        if n >= 0 {
            bytes = &bytes[usize::try_from(n).unwrap_or(0)..];
            continue;
        }
        let err = io::Error::last_os_error();
        match err.kind() {
            io::ErrorKind::Interrupted => continue,
            io::ErrorKind::WouldBlock => {}
            _ => return Err(err),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "write deadline passed"));
        }
        let mut poll = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLOUT, revents: 0 };
        let ms = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
        // SAFETY: see the module documentation; one `pollfd` owned by this frame.
        let ret = unsafe { libc::poll(&mut poll, 1, ms) };
        if ret < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Sends SIGKILL to every process of the group `pgid`.
pub(crate) fn kill_group(pgid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else { return };
    if pgid > 1 {
        // SAFETY: no pointers; a group that is gone is an ESRCH error, ignored.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

/// Run in the runner child between `fork` and `exec`: lets the plugin's sealed copy `image`
/// (close-on-exec in the host) survive the exec under the same number, and makes the child
/// die with the host (`PR_SET_PDEATHSIG`; the spawning thread must live as long as the host,
/// see `isolate::spawn_from_long_lived_thread`).
pub(crate) fn pre_exec(command: &mut std::process::Command, image: Option<RawFd>) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id();
    // SAFETY: the closure only makes async-signal-safe calls (fcntl, prctl, getppid) and does
    // not allocate; `image` stays open in the parent until the child has exec'd, because the
    // parent holds its `OwnedFd` across `spawn`. Only the child's copy of the descriptor
    // table is changed.
    unsafe {
        command.pre_exec(move || {
            if let Some(fd) = image
                && libc::fcntl(fd, libc::F_SETFD, 0) < 0
            {
                return Err(io::Error::last_os_error());
            }
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) < 0 {
                return Err(io::Error::last_os_error());
            }
            // The host may have died before the prctl: then nobody would kill us. (Compared
            // with the host's pid, not with 1: factql may itself be pid 1 in a container.)
            if u32::try_from(libc::getppid()).ok() != Some(parent) {
                return Err(io::Error::other("the host is gone"));
            }
            Ok(())
        });
    }
}

/// Takes ownership of descriptor `fd`, inherited from the parent, if it is open.
pub(crate) fn inherited(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: F_GETFD only reads the descriptor's flags; EBADF when it is not open.
    check(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
    // Mark it close-on-exec, so programs a plugin starts do not inherit it.
    // SAFETY: as above, on a descriptor that is open.
    check(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
    // SAFETY: it is open, and in the runner nothing else refers to it: the host passed it to
    // this process for this purpose only (see `isolate::serve`).
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sets a resource limit (soft and hard) on this process.
pub(crate) fn set_rlimit(resource: libc::__rlimit_resource_t, value: u64) -> io::Result<()> {
    let limit = libc::rlimit { rlim_cur: value as libc::rlim_t, rlim_max: value as libc::rlim_t };
    // SAFETY: see the module documentation; `limit` is plain data owned by this frame.
    check(unsafe { libc::setrlimit(resource, &limit) }).map(drop)
}

/// `prctl(PR_SET_NO_NEW_PRIVS, 1)`: required before Landlock and seccomp, and keeps a
/// set-uid program the plugin might run from gaining privileges.
pub(crate) fn no_new_privs() -> io::Result<()> {
    // SAFETY: no pointers; affects only this process.
    check(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }).map(drop)
}

// Landlock (Linux 5.13+): the kernel's stable ABI, from <linux/landlock.h>.
const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
const LANDLOCK_RULE_PATH_BENEATH: libc::c_int = 1;
const SYS_LANDLOCK_CREATE_RULESET: libc::c_long = 444;
const SYS_LANDLOCK_ADD_RULE: libc::c_long = 445;
const SYS_LANDLOCK_RESTRICT_SELF: libc::c_long = 446;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
}

#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// The Landlock ABI version of this kernel (`None`: not available or disabled).
pub(crate) fn landlock_abi() -> Option<u32> {
    // SAFETY: the documented version query: null attribute, size 0, flag VERSION.
    let version = unsafe {
        libc::syscall(
            SYS_LANDLOCK_CREATE_RULESET,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    u32::try_from(version).ok().filter(|v| *v > 0)
}

/// Every file-system access right of Landlock ABI `abi` (1: 13 rights, 2: +REFER,
/// 3: +TRUNCATE, 5: +IOCTL_DEV).
fn landlock_fs_rights(abi: u32) -> u64 {
    let mut rights = (1u64 << 13) - 1;
    if abi >= 2 {
        rights |= 1 << 13;
    }
    if abi >= 3 {
        rights |= 1 << 14;
    }
    if abi >= 5 {
        rights |= 1 << 15;
    }
    rights
}

/// Confines this process's file-system access with Landlock: nothing at all except full
/// access beneath `private` (a folder of its own) and reading `readable` (descriptor, is a
/// folder). Descriptors already open keep working.
pub(crate) fn landlock_confine(
    private: BorrowedFd<'_>,
    readable: &[(BorrowedFd<'_>, bool)],
) -> io::Result<u32> {
    let abi = landlock_abi().ok_or_else(|| io::Error::other("Landlock is not available"))?;
    let rights = landlock_fs_rights(abi);
    let attr = RulesetAttr { handled_access_fs: rights };
    // SAFETY: `attr` is plain data owned by this frame, its size given by its type.
    let ruleset = unsafe {
        libc::syscall(
            SYS_LANDLOCK_CREATE_RULESET,
            &attr as *const RulesetAttr,
            std::mem::size_of::<RulesetAttr>(),
            0u32,
        )
    };
    let ruleset = libc::c_int::try_from(ruleset)
        .ok()
        .filter(|fd| *fd >= 0)
        .ok_or_else(io::Error::last_os_error)?;
    // SAFETY: a fresh descriptor from the kernel, owned by nothing else.
    let ruleset = unsafe { OwnedFd::from_raw_fd(ruleset) };
    // Beneath the private folder: everything (REFER included, for renames inside it). Read
    // access (READ_FILE, and READ_DIR for folders) to what is readable.
    const READ_FILE: u64 = 1 << 2;
    const READ_DIR: u64 = 1 << 3;
    let rules = std::iter::once((private, rights)).chain(
        readable.iter().map(|(fd, dir)| (*fd, if *dir { READ_FILE | READ_DIR } else { READ_FILE })),
    );
    for (fd, allowed_access) in rules {
        let beneath = PathBeneathAttr { allowed_access, parent_fd: fd.as_raw_fd() };
        // SAFETY: `beneath` is plain data owned by this frame; both descriptors are open.
        let added = unsafe {
            libc::syscall(
                SYS_LANDLOCK_ADD_RULE,
                ruleset.as_raw_fd(),
                LANDLOCK_RULE_PATH_BENEATH,
                &beneath as *const PathBeneathAttr,
                0u32,
            )
        };
        if added < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    // SAFETY: no pointers; the ruleset descriptor is open.
    if unsafe { libc::syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset.as_raw_fd(), 0u32) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(abi)
}

/// Installs a seccomp filter on every thread of this process that refuses, with an error
/// (not a kill, so the plugin sees a failed call): creating sockets (no network), running
/// programs (`execve`, `execveat`) and creating processes (`fork`, `vfork`, `clone` without
/// `CLONE_THREAD`; `clone3` answers ENOSYS, so libc falls back to `clone`, whose flags a
/// filter can read). Threads stay allowed. A system call of another architecture kills.
pub(crate) fn seccomp_confine() -> io::Result<()> {
    #[cfg(target_arch = "x86_64")]
    const ARCH: u32 = 0xC000_003E;
    #[cfg(target_arch = "aarch64")]
    const ARCH: u32 = 0xC000_00B7;
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    return Err(io::Error::other("no seccomp filter for this architecture"));

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        use libc::{
            BPF_ABS, BPF_JEQ, BPF_JGE, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W,
            SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, sock_filter,
        };
        let stmt = |code: u32, k: u32| sock_filter { code: code as u16, jt: 0, jf: 0, k };
        let jump = |code: u32, k: u32, jt: u8, jf: u8| sock_filter { code: code as u16, jt, jf, k };
        let errno = |e: i32| SECCOMP_RET_ERRNO | (e as u32 & 0xffff);
        let mut denied: Vec<(libc::c_long, i32)> = vec![
            (libc::SYS_socket, libc::EACCES),
            (libc::SYS_execve, libc::EPERM),
            (libc::SYS_execveat, libc::EPERM),
            (libc::SYS_clone3, libc::ENOSYS),
        ];
        #[cfg(target_arch = "x86_64")]
        denied.extend([(libc::SYS_fork, libc::EPERM), (libc::SYS_vfork, libc::EPERM)]);
        let mut program = vec![
            // seccomp_data.arch
            stmt(BPF_LD | BPF_W | BPF_ABS, 4),
            jump(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
            stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
            // seccomp_data.nr
            stmt(BPF_LD | BPF_W | BPF_ABS, 0),
        ];
        #[cfg(target_arch = "x86_64")]
        program.extend([
            // x32 system calls (bit 30) are another ABI with other numbers: refuse.
            jump(BPF_JMP | BPF_JGE | BPF_K, 0x4000_0000, 0, 1),
            stmt(BPF_RET | BPF_K, errno(libc::ENOSYS)),
        ]);
        for (nr, err) in denied {
            program.push(jump(BPF_JMP | BPF_JEQ | BPF_K, nr as u32, 0, 1));
            program.push(stmt(BPF_RET | BPF_K, errno(err)));
        }
        program.extend([
            jump(BPF_JMP | BPF_JEQ | BPF_K, libc::SYS_clone as u32, 1, 0),
            stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            // clone's flags: args[0], low 32 bits (little-endian).
            stmt(BPF_LD | BPF_W | BPF_ABS, 16),
            jump(BPF_JMP | BPF_JSET | BPF_K, libc::CLONE_THREAD as u32, 0, 1),
            stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            stmt(BPF_RET | BPF_K, errno(libc::EPERM)),
        ]);
        let len = u16::try_from(program.len()).map_err(|_| io::Error::other("filter too long"))?;
        let fprog = libc::sock_fprog { len, filter: program.as_mut_ptr() };
        // SAFETY: `fprog` points at `program`, alive for the call; the kernel copies it.
        // TSYNC applies it to every thread of the process.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                libc::SECCOMP_FILTER_FLAG_TSYNC,
                &fprog as *const libc::sock_fprog,
            )
        };
        if ret != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_write_nobody_reads_gives_up_at_its_deadline() {
        // Before: the host's write to a runner that stopped reading blocked without limit.
        let (_reader, writer) = std::io::pipe().unwrap();
        let writer = OwnedFd::from(writer);
        set_nonblocking(writer.as_fd()).unwrap();
        let bytes = vec![7u8; 1 << 20];
        let started = Instant::now();
        let err = write_all_until(writer.as_fd(), &bytes, started + Duration::from_millis(100))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn a_sealed_memfd_cannot_be_changed() {
        let fd = sealed_memfd("test", b"checked bytes").unwrap();
        assert_eq!(seals(fd.as_fd()).unwrap() & ALL_SEALS, ALL_SEALS);
        let mut file = std::fs::File::from(fd);
        assert!(file.write_all(b"x").is_err(), "a sealed memfd accepted a write");
        assert!(file.set_len(1).is_err(), "a sealed memfd was truncated");
        let mut back = String::new();
        std::io::Read::read_to_string(
            &mut std::fs::File::open(format!("/proc/self/fd/{}", file.as_raw_fd())).unwrap(),
            &mut back,
        )
        .unwrap();
        assert_eq!(back, "checked bytes");
    }
}

//! Isolated mode: a plugin runs in a child process that speaks postcard frames over pipes.
//!
//! The child is the runner ([`serve`], reached through a hidden `factql` subcommand): it
//! checks the file's hash again, loads the plugin with the same loader, and answers
//! [`ToRunner`] frames with [`FromRunner`] frames. A frame is a little-endian `u32` length and
//! that many postcard bytes. The bytes inside a reply are exactly the batches the plugin
//! emitted in-process, so validation is the same in both modes.
//!
//! Every read from and write to the child has a deadline. A child that dies (segfault, abort,
//! stack overflow) or misses the deadline (it is then killed, with its process group) only
//! costs its plugin, which the host quarantines for the run.
//!
//! The runner never opens the plugin's path: it receives the sealed memfd of the bytes the
//! host checked as an inherited descriptor (named by `$FACTQL_RUNNER_IMAGE_FD`), and loads that. It leads its own process group
//! (killed as a whole), dies with the host (`PR_SET_PDEATHSIG`, set from a spawning thread
//! that lives as long as the process, since the signal follows the thread that forked), and
//! keeps its frame pipes on close-on-exec descriptors, so programs a plugin starts cannot
//! reach them.

use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::call::{self, Limits, Reply};

/// Host → runner.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum ToRunner {
    /// Create the instance.
    Create { config: Vec<u8>, max_bytes: u64 },
    /// Extract from one article.
    Extract { article_id: String, text: String, inputs: Vec<u8> },
}

/// Runner → host.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum FromRunner {
    /// Loaded: the manifest bytes, flags and SDK of the plugin.
    Hello { manifest: Vec<u8>, flags: u64, sdk: String, sandbox: Vec<String> },
    /// Could not load.
    Refused { message: String },
    /// The outcome of `Create` or `Extract`.
    Reply { status: i32, batches: Vec<Vec<u8>>, errors: Vec<String> },
}

/// How to start a runner: a program and the arguments before the plugin path and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerCommand {
    /// The program (normally the `factql` binary itself).
    pub program: PathBuf,
    /// Arguments before `PATH SHA256` (normally the hidden runner subcommand).
    pub args: Vec<String>,
    /// Environment variables the program needs in a runner, beside those the host sets (the
    /// `factql` binary bounds its allocator's address space reservations, which the runner's
    /// memory limit counts).
    pub env: Vec<(String, String)>,
}

/// The environment variable naming the descriptor at which a runner finds the sealed copy
/// of its plugin.
const IMAGE_ENV: &str = "FACTQL_RUNNER_IMAGE_FD";

/// Removes `factql-runner-<pid>-<n>` folders of this user in the temporary folder whose
/// `<pid>` no longer runs.
fn sweep_stale_folders() {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("factql-runner-")) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let mine = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == crate::sys::euid());
        if mine && !Path::new(&format!("/proc/{pid}")).exists() {
            // remove_dir_all does not follow symlinks.
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn frame_bytes(value: &impl Serialize) -> std::io::Result<Vec<u8>> {
    let bytes = postcard::to_stdvec(value).map_err(std::io::Error::other)?;
    let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
    let mut frame = Vec::with_capacity(bytes.len() + 4);
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&bytes);
    Ok(frame)
}

fn write_frame(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    out.write_all(&frame_bytes(value)?)?;
    out.flush()
}

type SpawnRequest = (Command, Sender<std::io::Result<std::process::Child>>);

/// Starts `command` from one thread that lives as long as the process: `PR_SET_PDEATHSIG`
/// fires when the *thread* that forked the child ends, so children must not be forked from
/// the short-lived worker threads of a batch.
fn spawn_from_long_lived_thread(command: Command) -> std::io::Result<std::process::Child> {
    static SPAWNER: OnceLock<Mutex<Sender<SpawnRequest>>> = OnceLock::new();
    let sender = SPAWNER.get_or_init(|| {
        let (send, requests) = channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("factql-runner-spawner".into())
            .spawn(move || {
                for (mut command, reply) in requests {
                    let _ = reply.send(command.spawn());
                }
            })
            .map_err(|err| eprintln!("factql: cannot start the runner spawner: {err}"))
            .ok();
        Mutex::new(send)
    });
    let (reply, result) = channel();
    sender
        .lock()
        .map_err(|_| std::io::Error::other("the runner spawner is poisoned"))?
        .send((command, reply))
        .map_err(|_| std::io::Error::other("the runner spawner is gone"))?;
    result.recv().map_err(|_| std::io::Error::other("the runner spawner is gone"))?
}

fn read_frame(input: &mut impl Read, max: usize) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::other(format!("frame of {len} bytes exceeds {max}")));
    }
    let mut bytes = vec![0; len];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// What the runner's sandbox grants beyond its private folder.
#[derive(Clone, Debug, Default)]
pub(crate) struct Confinement {
    /// Address-space limit in MiB (`None`: unlimited).
    pub memory_mib: Option<u64>,
    /// Files and folders it may read.
    pub readable: Vec<PathBuf>,
}

/// What a runner says once its plugin is loaded.
pub(crate) struct Hello {
    /// The manifest bytes.
    pub manifest: Vec<u8>,
    /// The table's flags.
    #[allow(dead_code)]
    pub flags: u64,
    /// The SDK version.
    pub sdk: String,
    /// The protections its sandbox holds.
    pub sandbox: Vec<String>,
}

/// The host's side of one runner process.
pub(crate) struct Child {
    process: std::process::Child,
    stdin: OwnedFd,
    frames: Receiver<std::io::Result<Vec<u8>>>,
    stderr: Arc<Mutex<String>>,
    timeout: Duration,
    /// The runner's private temporary folder, removed with it.
    private: PathBuf,
}

/// A new folder of its own for one runner (mode 700, in the system's temporary folder).
/// The first call also removes the folders of factql processes that are gone (a host that was
/// killed, or that exited without dropping its runners, cannot remove them itself).
fn private_folder() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(sweep_stale_folders);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("factql-runner-{}-{n}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
}

/// Why a call to the child failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// It died or broke the protocol: how.
    Crashed(String),
    /// It did not answer in time and was killed.
    Timeout,
}

impl Child {
    /// Starts a runner for `path` (its checked bytes sealed in `image`; `None` for a bundled
    /// plugin) and waits for its hello.
    pub(crate) fn spawn(
        runner: &RunnerCommand,
        path: &Path,
        image: Option<BorrowedFd<'_>>,
        sha256: &str,
        timeout: Duration,
        limits: Limits,
        confinement: &Confinement,
    ) -> Result<(Child, Hello), String> {
        let Confinement { memory_mib, readable } = confinement;
        let private = private_folder().map_err(|err| format!("cannot make its folder: {err}"))?;
        let mut command = Command::new(&runner.program);
        command.envs(runner.env.iter().map(|(key, value)| (key, value)));
        command.env(PRIVATE_ENV, &private).env("TMPDIR", &private);
        if !readable.is_empty() {
            let joined =
                std::env::join_paths(readable).map_err(|err| format!("readable paths: {err}"))?;
            command.env(READABLE_ENV, joined);
        }
        if let Some(mib) = *memory_mib {
            command.env(MEMORY_ENV, mib.to_string());
        }
        command
            .args(&runner.args)
            .arg(path)
            .arg(sha256)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(image) = image {
            command.env(IMAGE_ENV, image.as_raw_fd().to_string());
        }
        crate::sys::pre_exec(&mut command, image.map(|fd| fd.as_raw_fd()));
        let mut process =
            spawn_from_long_lived_thread(command).map_err(|err| format!("cannot start: {err}"))?;
        let (Some(stdin), Some(mut stdout), Some(mut stderr)) =
            (process.stdin.take(), process.stdout.take(), process.stderr.take())
        else {
            return Err("no pipes to the child".into());
        };
        // Writes get a deadline too: a child that stops reading cannot hang the host.
        let stdin = OwnedFd::from(stdin);
        crate::sys::set_nonblocking(stdin.as_fd())
            .map_err(|err| format!("cannot set up the pipe: {err}"))?;
        let (send, frames) = channel();
        let max = limits.max_bytes.saturating_add(1 << 20);
        std::thread::spawn(move || {
            loop {
                let frame = read_frame(&mut stdout, max);
                let failed = frame.is_err();
                if send.send(frame).is_err() || failed {
                    return;
                }
            }
        });
        let tail = Arc::new(Mutex::new(String::new()));
        let writer = Arc::clone(&tail);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    return;
                }
                if let Ok(mut tail) = writer.lock() {
                    tail.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if tail.len() > 8192 {
                        let cut = tail.len() - 4096;
                        let cut =
                            (cut..tail.len()).find(|&i| tail.is_char_boundary(i)).unwrap_or(0);
                        tail.drain(..cut);
                    }
                }
            }
        });
        let mut child = Child { process, stdin, frames, stderr: tail, timeout, private };
        let hello = child.receive().map_err(|failure| child.describe(failure))?;
        match hello {
            FromRunner::Hello { manifest, flags, sdk, sandbox } => {
                Ok((child, Hello { manifest, flags, sdk, sandbox }))
            }
            FromRunner::Refused { message } => Err(message),
            FromRunner::Reply { .. } => Err("the runner answered out of turn".into()),
        }
    }

    fn receive(&mut self) -> Result<FromRunner, Failure> {
        match self.frames.recv_timeout(self.timeout) {
            Ok(Ok(bytes)) => postcard::from_bytes(&bytes)
                .map_err(|err| Failure::Crashed(format!("sent an undecodable frame ({err})"))),
            Ok(Err(err)) if err.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(Failure::Crashed(self.exit_description()))
            }
            Ok(Err(err)) => Err(Failure::Crashed(format!("broke the protocol: {err}"))),
            Err(RecvTimeoutError::Disconnected) => Err(Failure::Crashed(self.exit_description())),
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                Err(Failure::Timeout)
            }
        }
    }

    /// How the child ended, with the last line it wrote to stderr.
    fn exit_description(&mut self) -> String {
        use std::os::unix::process::ExitStatusExt;
        let status = self.process.wait();
        // Give the stderr reader a moment to drain what the dying child wrote.
        std::thread::sleep(Duration::from_millis(20));
        let what = match status {
            Ok(status) => match (status.code(), status.signal()) {
                (_, Some(signal)) => {
                    format!("was killed by signal {signal} ({})", signal_name(signal))
                }
                (Some(code), None) => format!("exited with status {code}"),
                (None, None) => "ended".to_owned(),
            },
            Err(err) => format!("could not be waited for: {err}"),
        };
        // The last line that says something: not a backtrace frame, header or note.
        let last = self.stderr.lock().ok().and_then(|tail| {
            tail.lines()
                .rev()
                .find(|l| {
                    !l.trim().is_empty()
                        && !l.starts_with(char::is_whitespace)
                        && !l.starts_with("note:")
                        && !l.starts_with("stack backtrace:")
                })
                .map(str::to_owned)
        });
        match last {
            Some(line) => format!("{what}; its last words: {}", line.trim()),
            None => what,
        }
    }

    pub(crate) fn describe(&mut self, failure: Failure) -> String {
        match failure {
            Failure::Crashed(what) => what,
            Failure::Timeout => {
                format!("did not answer within {:.1}s and was killed", self.timeout.as_secs_f64())
            }
        }
    }

    /// Kills the runner and everything it started (its process group), and reaps it.
    fn kill(&mut self) {
        crate::sys::kill_group(self.process.id());
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.private);
    }

    /// Sends one request and waits for its reply; both have the deadline.
    pub(crate) fn call(&mut self, request: &ToRunner) -> Result<Reply, Failure> {
        let frame = frame_bytes(request).map_err(|err| Failure::Crashed(err.to_string()))?;
        let deadline = Instant::now() + self.timeout;
        match crate::sys::write_all_until(self.stdin.as_fd(), &frame, deadline) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {
                self.kill();
                return Err(Failure::Timeout);
            }
            Err(_) => return Err(Failure::Crashed(self.exit_description())),
        }
        match self.receive()? {
            FromRunner::Reply { status, batches, errors } => Ok(Reply { status, batches, errors }),
            _ => Err(Failure::Crashed("answered out of turn".into())),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.kill();
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        _ => "signal",
    }
}

/// The environment variable through which the host gives the runner its memory limit (MiB).
const MEMORY_ENV: &str = "FACTQL_RUNNER_MEMORY_MIB";

/// Limits the runner's address space as the host asked, before any plugin code is loaded: a
/// plugin that allocates without bound then fails an allocation and dies alone.
pub(crate) fn limit_memory() {
    let Some(mib) = std::env::var(MEMORY_ENV).ok().and_then(|v| v.parse::<u64>().ok()) else {
        return;
    };
    let _ = crate::sys::set_rlimit(libc::RLIMIT_AS, mib.saturating_mul(1 << 20));
}

/// The runner's end of the frame pipes, and what its sandbox holds.
pub(crate) struct Runner {
    out: std::io::BufWriter<std::fs::File>,
    input: std::io::BufReader<std::fs::File>,
    sandbox: Vec<String>,
}

/// The environment variable naming the runner's private temporary folder (made by the host).
const PRIVATE_ENV: &str = "FACTQL_RUNNER_TMPDIR";
/// The environment variable listing what the runner may read (`readable`, `:`-separated).
const READABLE_ENV: &str = "FACTQL_RUNNER_READABLE";

/// Sets the runner up before any plugin code runs: frames get private close-on-exec copies
/// of stdin and stdout, fd 1 becomes stderr and fd 0 /dev/null (a plugin that prints cannot
/// corrupt the protocol, a program it starts inherits neither pipe); then the sandbox
/// ([`confine`]).
pub(crate) fn prepare() -> Result<Runner, String> {
    let pipes = crate::sys::dup_cloexec(libc::STDOUT_FILENO).and_then(|out| {
        let input = crate::sys::dup_cloexec(libc::STDIN_FILENO)?;
        crate::sys::dup2(libc::STDERR_FILENO, libc::STDOUT_FILENO)?;
        let null = std::fs::File::open("/dev/null")?;
        crate::sys::dup2(null.as_raw_fd(), libc::STDIN_FILENO)?;
        Ok((out, input))
    });
    let (out, input) = pipes.map_err(|err| format!("cannot set up the runner's pipes: {err}"))?;
    let mut runner = Runner {
        out: std::io::BufWriter::new(std::fs::File::from(out)),
        input: std::io::BufReader::new(std::fs::File::from(input)),
        sandbox: Vec::new(),
    };
    runner.sandbox = confine();
    Ok(runner)
}

/// Drops what the plugin does not need, as far as this kernel allows, and says what holds:
/// no new privileges; Landlock: no file access except the private temporary folder the host
/// made (`$FACTQL_RUNNER_TMPDIR`, also `$TMPDIR`); seccomp: no sockets, no programs, no child
/// processes. The memory cap is set earlier ([`limit_memory`]); time is the host's deadline.
pub(crate) fn confine() -> Vec<String> {
    let mut held = Vec::new();
    if crate::sys::no_new_privs().is_ok() {
        held.push("no-new-privs".to_owned());
    }
    let private = std::env::var_os(PRIVATE_ENV).map(PathBuf::from);
    let private = private.and_then(|dir| {
        crate::trust::open_checked(&dir, crate::trust::Want::Folder).ok().map(|(fd, _)| fd)
    });
    // What the configuration lets it read (`readable`); a path that cannot be opened is left
    // out (and so stays unreadable).
    let readable: Vec<(std::fs::File, bool)> = std::env::var_os(READABLE_ENV)
        .map(|paths| {
            std::env::split_paths(&paths)
                .filter_map(|path| {
                    let file = std::fs::File::open(&path).ok()?;
                    let dir = file.metadata().ok()?.is_dir();
                    Some((file, dir))
                })
                .collect()
        })
        .unwrap_or_default();
    let rules: Vec<(BorrowedFd<'_>, bool)> =
        readable.iter().map(|(file, dir)| (file.as_fd(), *dir)).collect();
    match private.map(|fd| crate::sys::landlock_confine(fd.as_fd(), &rules)) {
        Some(Ok(abi)) if rules.is_empty() => {
            held.push(format!("landlock-v{abi} (files: private temp folder only)"))
        }
        Some(Ok(abi)) => held.push(format!(
            "landlock-v{abi} (files: private temp folder, and {} readable)",
            rules.len()
        )),
        Some(Err(err)) => held.push(format!("no landlock ({err})")),
        None => held.push("no landlock (no private folder)".to_owned()),
    }
    match crate::sys::seccomp_confine() {
        Ok(()) => held.push("seccomp (no sockets, programs or processes)".to_owned()),
        Err(err) => held.push(format!("no seccomp ({err})")),
    }
    if let Ok(mib) = std::env::var(MEMORY_ENV) {
        held.push(format!("memory {mib} MiB"));
    }
    held
}

/// Writes a refusal frame (the host reports the message) and returns the runner's exit code.
pub(crate) fn refuse(runner: Option<&mut Runner>, message: String) -> ExitCode {
    let frame = FromRunner::Refused { message };
    let _ = match runner {
        Some(runner) => write_frame(&mut runner.out, &frame),
        None => write_frame(&mut std::io::stdout().lock(), &frame),
    };
    ExitCode::from(3)
}

/// The runner for a file: loads the sealed copy the host passed (descriptor
/// `$FACTQL_RUNNER_IMAGE_FD`) after checking it is sealed and still hashes to `sha256`
/// (`path` only names it), then serves frames until stdin closes. The path itself is never
/// opened.
pub(crate) fn serve(mut runner: Runner, path: &Path, sha256: &str) -> ExitCode {
    let fd = std::env::var(IMAGE_ENV).ok().and_then(|fd| fd.parse::<i32>().ok());
    let Some(image) = fd.filter(|fd| *fd > 2).and_then(|fd| crate::sys::inherited(fd).ok()) else {
        let message = format!("{}: no sealed copy was passed to the runner", path.display());
        return refuse(Some(&mut runner), message);
    };
    let sealed = crate::sys::seals(image.as_fd()).unwrap_or(0);
    if sealed & crate::sys::ALL_SEALS != crate::sys::ALL_SEALS {
        let message = format!("{}: no sealed copy was passed to the runner", path.display());
        return refuse(Some(&mut runner), message);
    }
    let file = std::fs::File::from(image);
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        match file.read_at(&mut chunk, bytes.len() as u64) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(err) => return refuse(Some(&mut runner), format!("{}: {err}", path.display())),
        }
    }
    if crate::trust::sha256_hex(&bytes) != sha256 {
        let message = format!("{}: the sealed copy does not match its hash", path.display());
        return refuse(Some(&mut runner), message);
    }
    let image = OwnedFd::from(file);
    let verified = crate::trust::Verified {
        path: path.to_path_buf(),
        sha256: sha256.to_owned(),
        entry_symbols: crate::trust::entry_symbols(&bytes),
        image,
    };
    let opened = crate::load::entry_symbol(&verified, path)
        .and_then(|symbol| crate::load::open(verified.image, path, &symbol));
    match opened {
        Ok(entry) => serve_entry(runner, entry, &crate::trust::file_label(path)),
        Err(err) => refuse(Some(&mut runner), err.to_string()),
    }
}

/// The runner's loop for an entry point: hello, then one reply per request until stdin closes.
pub(crate) fn serve_entry(
    mut runner: Runner,
    entry: factql_plugin_abi::EntryFn,
    label: &str,
) -> ExitCode {
    // A plugin without PANIC_UNWIND may run here: its panic kills only this process.
    let table = match crate::load::bind(entry, label, true) {
        Ok((table, _manifest)) => table,
        Err(err) => return refuse(Some(&mut runner), err.to_string()),
    };
    let Runner { out: mut stdout, input: mut stdin, sandbox } = runner;
    // SAFETY: the manifest bytes are 'static in the plugin.
    let manifest = unsafe { crate::load::borrow(table.manifest.ptr, table.manifest.len) }.to_vec();
    // SAFETY: as above.
    let sdk = unsafe { crate::load::borrow(table.sdk_version.ptr, table.sdk_version.len) };
    let sdk = String::from_utf8_lossy(sdk).into_owned();
    let hello = FromRunner::Hello { manifest, flags: table.flags, sdk, sandbox };
    if write_frame(&mut stdout, &hello).is_err() {
        return ExitCode::from(3);
    }
    let mut instance = None;
    let mut limits = Limits::default();
    loop {
        let Ok(bytes) = read_frame(&mut stdin, usize::MAX >> 1) else { return ExitCode::SUCCESS };
        let reply = match postcard::from_bytes::<ToRunner>(&bytes) {
            Ok(ToRunner::Create { config, max_bytes }) => {
                limits.max_bytes = usize::try_from(max_bytes).unwrap_or(usize::MAX);
                match call::create(table, &config) {
                    Ok(created) => {
                        instance = Some(created);
                        Reply::default()
                    }
                    Err(reply) => reply,
                }
            }
            Ok(ToRunner::Extract { article_id, text, inputs }) => match &instance {
                Some(instance) => {
                    call::extract(table, instance, &article_id, &text, &inputs, limits)
                }
                None => {
                    Reply { status: 3, batches: Vec::new(), errors: vec!["no instance".into()] }
                }
            },
            Err(err) => {
                Reply { status: 3, batches: Vec::new(), errors: vec![format!("bad frame: {err}")] }
            }
        };
        let frame = FromRunner::Reply {
            status: reply.status,
            batches: reply.batches,
            errors: reply.errors,
        };
        if write_frame(&mut stdout, &frame).is_err() {
            return ExitCode::from(3);
        }
    }
}

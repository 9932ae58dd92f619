//! The fault matrix: each fault plugin mode, in-process and isolated, and what the host does.
//! docs/plugins.md shows the same table.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use crate::support::{Scratch, both};

/// What the host must do with a fault.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Runs, stores the plugin's facts (count), and the bundled money extractor's.
    Works(usize),
    /// The host reports this message for the plugin, goes on, and money facts are stored.
    Contained(&'static str),
    /// The plugin is refused at load with this message; money facts are stored.
    Refused(&'static str),
    /// The host process dies of this signal (in-process faults that cannot be contained).
    Killed(i32),
    /// The host reports the hung plugin after the deadline and exits with status 3.
    Stops(&'static str),
}

use Expect::*;

/// Mode, in-process expectation, isolated expectation.
const MATRIX: &[(&str, Expect, Expect)] = &[
    ("none", Works(2), Works(2)),
    ("panic", Contained("panicked: boom in"), Contained("panicked: boom in")),
    ("segfault", Killed(libc_sig::SEGV), Contained("killed by signal 11 (SIGSEGV)")),
    ("abort", Killed(libc_sig::ABRT), Contained("killed by signal 6 (SIGABRT)")),
    ("stack-overflow", Killed(libc_sig::ABRT), Contained("stack overflow")),
    (
        "hang",
        Stops("plugin fault-hang: article"),
        Contained("no answer within 1.5s; the plugin process was killed"),
    ),
    ("bad-span", Contained("ends past the text"), Contained("ends past the text")),
    (
        "mid-char",
        Contained("cuts the character at byte 10"),
        Contained("cuts the character at byte 10"),
    ),
    (
        "undeclared-kind",
        Contained("kind `nope` is not declared by this plugin"),
        Contained("kind `nope` is not declared by this plugin"),
    ),
    (
        "nan",
        Contained("confidence NaN is not a number"),
        Contained("confidence NaN is not a number"),
    ),
    (
        "bad-field",
        Contained("field `n` of kind `fault` must be int, got \"one\""),
        Contained("field `n` of kind `fault` must be int, got \"one\""),
    ),
    (
        "dangling-arg",
        Contained("argument `x` points at 7, which is not an existing mention"),
        Contained("argument `x` points at 7, which is not an existing mention"),
    ),
    (
        "oversized",
        Contained("more than 100000 facts and mentions"),
        Contained("more than 100000 facts and mentions"),
    ),
    (
        "bad-manifest",
        Refused("bad manifest: kind `fault` is declared twice"),
        Refused("bad manifest: kind `fault` is declared twice"),
    ),
    (
        "garbage-manifest",
        Refused("bad manifest: does not decode"),
        Refused("bad manifest: does not decode"),
    ),
    ("abi-major", Refused("speaks ABI major 2; this host speaks 1"), Refused("speaks ABI major 2")),
    ("refuse-host", Refused("refused this host"), Refused("refused this host")),
    ("small-table", Refused("smaller than the 72 bytes"), Refused("smaller than the 72 bytes")),
    ("no-unwind", Refused("not built with panic = \"unwind\""), Works(2)),
    ("future-minor", Works(2), Works(2)),
    ("print", Works(2), Works(2)),
    // The test limits an isolated plugin's process to 256 MiB of address space.
    ("leak", Works(2), Contained("memory allocation of 536870912 bytes failed")),
];

/// Signal numbers on Linux, without a libc dependency in the test.
mod libc_sig {
    pub const SEGV: i32 = 11;
    pub const ABRT: i32 = 6;
}

fn check(scratch: &Scratch, mode: &str, isolated: bool, expect: Expect) -> Result<(), String> {
    let db = scratch.path(&format!("{mode}-{isolated}.db"));
    let mut cmd = scratch.factql(mode);
    cmd.arg("--db").arg(&db);
    if isolated {
        cmd.args(["--isolate", "all"]);
    }
    cmd.args(["ingest", "a.txt", "b.txt"]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().map_err(|err| err.to_string())?;
    let out = child.wait_with_output().map_err(|err| err.to_string())?;
    let all = both(&out);
    let money_stored = all.contains("plugin money 0.1.0 (bundled): 1 facts");
    match expect {
        Works(facts) => {
            let line = format!("plugin fault-{mode} 0.0.1 ({}", scratch.plugins().display());
            let ok = out.status.success()
                && all.contains(&line)
                && all.contains(&format!("): {facts} facts"))
                && money_stored;
            if !ok {
                return Err(format!("expected {facts} facts stored, got:\n{all}"));
            }
        }
        Contained(message) | Refused(message) => {
            if !(out.status.success() && all.contains(message) && money_stored) {
                return Err(format!(
                    "expected exit 0, money stored and {message:?}; got {}:\n{all}",
                    out.status
                ));
            }
            let named = all.contains(&format!("plugin fault-{mode}"))
                || all.contains("plugin libfactql_fault_plugin.so");
            if !named {
                return Err(format!("the error does not name the plugin:\n{all}"));
            }
        }
        Killed(signal) => {
            if out.status.signal() != Some(signal) {
                return Err(format!(
                    "expected death by signal {signal}, got {}:\n{all}",
                    out.status
                ));
            }
        }
        Stops(message) => {
            let reported =
                all.contains(message) && all.contains("no answer within 1.5s in-process");
            if out.status.code() != Some(3) || !reported {
                return Err(format!("expected exit 3 and {message:?}; got {}:\n{all}", out.status));
            }
        }
    }
    Ok(())
}

fn run_matrix(isolated: bool) {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let failures: Vec<String> = MATRIX
        .iter()
        .filter_map(|(mode, in_process, isolated_expect)| {
            let expect = if isolated { *isolated_expect } else { *in_process };
            check(&scratch, mode, isolated, expect)
                .err()
                .map(|err| format!("{mode} ({expect:?}): {err}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        MATRIX.len(),
        failures.join("\n\n")
    );
}

#[test]
fn fault_matrix_in_process() {
    run_matrix(false);
}

#[test]
fn fault_matrix_isolated() {
    run_matrix(true);
}

#[test]
fn a_plugin_built_with_panic_abort_does_not_compile() {
    crate::support::libraries();
    let target = crate::support::profile_dir();
    let out = std::process::Command::new(env!("CARGO"))
        .args(["rustc", "-q", "-p", "factql-extractor-money", "--lib", "--profile", "check", "--"])
        .args(["-C", "panic=abort"])
        .env("CARGO_TARGET_DIR", target.parent().expect("target"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a panic=abort build succeeded");
    assert!(err.contains("factql plugins must be built with panic = \"unwind\""), "{err}");
}

#[test]
fn isolate_by_plugin_name_contains_a_segfault() {
    // `--isolate NAME` names the plugin (`fault-segfault`, from its manifest), not its file's
    // crate (`factql_fault_plugin`); before, such a NAME left the plugin in-process and its
    // segfault killed factql.
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let out = scratch
        .factql("segfault")
        .arg("--db")
        .arg(scratch.path("named.db"))
        .args(["--isolate", "fault-segfault", "ingest", "a.txt", "b.txt"])
        .output()
        .expect("factql runs");
    let all = both(&out);
    assert!(out.status.success(), "factql died: {}\n{all}", out.status);
    assert!(all.contains("killed by signal 11 (SIGSEGV)"), "{all}");
    assert!(all.contains("plugin money 0.1.0 (bundled): 1 facts"), "{all}");
    assert!(!all.contains("no loaded plugin has that name"), "{all}");
}

/// Runs a sandbox probe of the fault plugin and returns its report line and the output.
fn probe(scratch: &Scratch, mode: &str, isolated: bool) -> (String, String) {
    probe_with(scratch, mode, isolated, &scratch.path("none.conf"))
}

/// [`probe`] with the configuration file `config`.
fn probe_with(
    scratch: &Scratch,
    mode: &str,
    isolated: bool,
    config: &std::path::Path,
) -> (String, String) {
    let mut cmd = scratch.factql(mode);
    cmd.env("FACTQL_PLUGIN_CONFIG", config);
    cmd.env("FACTQL_FAULT_WRITE", scratch.path("written"))
        .env("FACTQL_FAULT_READ", scratch.path("a.txt"))
        .arg("--db")
        .arg(scratch.path(&format!(
            "probe-{mode}-{isolated}-{}.db",
            config.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default()
        )));
    if isolated {
        cmd.args(["--isolate", "all"]);
    }
    let out = cmd.args(["ingest", "a.txt"]).output().expect("factql runs");
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    let prefix = format!(": error: {mode}: ");
    let line = all
        .lines()
        .find_map(|line| line.split_once(": error: ").filter(|_| line.contains(&prefix)))
        .map(|(_, report)| report.to_owned())
        .unwrap_or_else(|| panic!("no `{prefix}` report in:\n{all}"));
    (line, all)
}

#[test]
fn an_isolated_plugin_is_sandboxed() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let listing = scratch.factql("none").args(["--isolate", "all", "plugins"]).output();
    let listing = both(&listing.expect("factql runs"));
    let landlock = listing.contains("landlock-v");
    println!("{listing}");
    assert!(listing.contains("seccomp (no sockets, programs or processes)"), "{listing}");
    let written = scratch.path("written");
    let run = |mode: &str, isolated: bool| probe(&scratch, mode, isolated).0;
    // In-process, a plugin is factql: it can do all of it.
    for mode in ["net", "read", "spawn"] {
        assert_eq!(run(mode, false), format!("{mode}: allowed"));
    }
    assert_eq!(run("write", false), "write: outside allowed; temp allowed");
    std::fs::remove_file(&written).expect("written in-process");
    // Isolated: no network, no programs, and with Landlock no files but its own folder.
    assert!(run("net", true).starts_with("net: denied (Permission denied"));
    assert!(run("spawn", true).starts_with("spawn: denied (Operation not permitted"));
    if landlock {
        let read = run("read", true);
        assert!(read.starts_with("read: denied (Permission denied"), "{read}");
        let write = run("write", true);
        assert!(write.starts_with("write: outside denied (Permission denied"), "{write}");
        assert!(write.ends_with("temp allowed"), "{write}");
        assert!(!written.exists());
        // What the configuration declares readable (the plugin's data) can be read.
        let config = scratch.path("readable.conf");
        std::fs::write(&config, "readable = a.txt\n").expect("write");
        let (read, all) = probe_with(&scratch, "read", true, &config);
        assert_eq!(read, "read: allowed", "{all}");
    } else {
        println!("this kernel has no Landlock: file access is not confined");
    }
}

/// The children of `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|stat| {
                // `pid (comm) state ppid ...`; comm may hold spaces, so split after the `)`.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}

#[test]
fn a_runner_dies_with_a_killed_host() {
    // Before: runners of a killed factql lived on (a hung plugin kept its core forever).
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let mut host = scratch
        .factql("hang")
        .env("FACTQL_PLUGIN_TIMEOUT_SECS", "60")
        .arg("--db")
        .arg(scratch.path("killed.db"))
        .args(["--isolate", "all", "ingest", "a.txt"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("factql runs");
    let started = std::time::Instant::now();
    let mut runners = Vec::new();
    while runners.len() < 2 && started.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        runners = children_of(host.id());
    }
    assert!(!runners.is_empty(), "no runner started");
    // Let the runners get past their start (a runner killed while it greets would die of a
    // broken pipe anyway) and into the hung call.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    host.kill().expect("kill factql");
    host.wait().expect("reap factql");
    let gone = |pid: &u32| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie waiting for init to reap it.
        stat.rsplit_once(')').is_none_or(|(_, rest)| rest.trim_start().starts_with('Z'))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !runners.iter().all(gone) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(runners.iter().all(gone), "runners {runners:?} outlived the killed host");
}

#[test]
fn runner_folders_do_not_pile_up() {
    // Each runner gets a private folder; a killed host cannot remove its runners' folders, so
    // the next factql removes those of processes that are gone.
    let scratch = Scratch::new();
    let tmp = scratch.path("tmp");
    std::fs::create_dir(&tmp).expect("mkdir");
    let stale = tmp.join("factql-runner-4194303-0");
    std::fs::create_dir(&stale).expect("mkdir");
    std::fs::write(stale.join("left"), "by a killed runner").expect("write");
    let out = scratch
        .factql("none")
        .env("TMPDIR", &tmp)
        .arg("--db")
        .arg(scratch.path("folders.db"))
        .args(["--isolate", "all", "ingest", "a.txt", "b.txt"])
        .output()
        .expect("factql runs");
    assert!(out.status.success(), "{}", both(&out));
    assert!(!stale.exists(), "the stale folder was not removed");
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("ls").collect();
    assert!(left.is_empty(), "runner folders left after a clean run: {left:?}");
}

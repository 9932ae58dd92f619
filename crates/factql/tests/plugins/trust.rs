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

fn factql_in(scratch: &Scratch, cwd: &Path) -> std::process::Command {
    scratch.factql_as_user(cwd)
}

/// A "news dataset" repository as an attacker would publish it: a configuration, a lock
/// pinning the library it carries (the clone path is predictable in CI), and the library.
fn cloned_repository(scratch: &Scratch) -> std::path::PathBuf {
    let repo = scratch.path("repo");
    std::fs::create_dir_all(repo.join("plugins")).expect("mkdir");
    for dir in [&repo, &repo.join("plugins")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let lib = repo.join("plugins/libfactql_fault_plugin.so");
    std::fs::copy(&crate::support::libraries().0, &lib).expect("copy");
    let hash = sha256_of(&lib);
    std::fs::write(repo.join("factql-plugins.conf"), "path = plugins\n").expect("write");
    std::fs::write(repo.join("plugins.lock"), format!("{hash}  {}\n", lib.display()))
        .expect("write");
    std::fs::write(repo.join("news.txt"), "Title\n\nIt cost $5 in Zürich.\n").expect("write");
    repo
}

fn sha256_of(file: &Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(file).output().expect("sha256sum runs");
    crate::support::text(&out.stdout).split_whitespace().next().expect("a hash").to_owned()
}

#[test]
fn a_cloned_repository_cannot_make_factql_load_its_library() {
    let scratch = Scratch::new();
    let repo = cloned_repository(&scratch);
    let db = scratch.path("news.db");
    for args in [&["ingest", "news.txt"][..], &["plugins"], &[]] {
        let out =
            factql_in(&scratch, &repo).arg("--db").arg(&db).args(args).output().expect("runs");
        let all = both(&out);
        assert!(
            !scratch.constructor_ran(),
            "`factql {}` in a cloned folder ran the library's constructor:\n{all}",
            args.join(" ")
        );
        if args.first().is_some_and(|a| *a != "plugins") {
            assert!(all.contains("note: ignored"), "factql says what it ignored:\n{all}");
        }
    }
    let out = factql_in(&scratch, &repo).arg("plugins").output().expect("runs");
    let all = both(&out);
    assert!(all.contains("factql plugins allow"), "{all}");
    // The control: once the user allows the folder, its configuration is used.
    let out = factql_in(&scratch, &repo).args(["plugins", "allow", "."]).output().expect("runs");
    assert!(out.status.success(), "{}", both(&out));
    let out = factql_in(&scratch, &repo).arg("plugins").output().expect("runs");
    let all = both(&out);
    assert!(all.contains("fault-none 0.0.1"), "{all}");
    assert!(scratch.constructor_ran(), "{all}");
}

#[test]
fn a_lock_or_configuration_others_can_write_is_refused() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    let conf_dir = scratch.path("xdg/factql");
    std::fs::create_dir_all(&conf_dir).expect("mkdir");
    for dir in [scratch.path("xdg"), conf_dir.clone(), scratch.path("home")] {
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let lock = conf_dir.join("plugins.lock");
    std::fs::write(&lock, format!("{}  {}\n", sha256_of(&file), file.display())).expect("write");
    std::fs::write(conf_dir.join("factql-plugins.conf"), format!("path = {}\n", file.display()))
        .expect("write");
    let run = || {
        let out = factql_in(&scratch, scratch.dir.path()).arg("plugins").output().expect("runs");
        (out.status.success(), both(&out))
    };
    // The control: the user's own lock, with safe modes, loads the plugin.
    let (ok, all) = run();
    assert!(ok && all.contains("fault-none 0.0.1"), "{all}");
    std::fs::remove_file(scratch.path("marker")).expect("rm marker");

    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let (ok, all) = run();
    assert!(!ok && all.contains("is writable by group or others (mode 666)"), "{all}");
    assert!(!scratch.constructor_ran(), "{all}");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    // A folder on the way (not only the lock's own) that others can write.
    std::fs::set_permissions(scratch.path("xdg"), std::fs::Permissions::from_mode(0o777))
        .expect("chmod");
    let (ok, all) = run();
    assert!(!ok && all.contains("xdg is writable by group or others (mode 777)"), "{all}");
    assert!(!scratch.constructor_ran(), "{all}");

    // The environment's lock is checked the same way.
    let out = scratch.factql("none").arg("plugins").output().expect("runs");
    assert!(out.status.success(), "{}", both(&out));
    std::fs::write(scratch.path("plugins.lock"), "").expect("write");
    std::fs::set_permissions(scratch.path("plugins.lock"), std::fs::Permissions::from_mode(0o620))
        .expect("chmod");
    let out = scratch.factql("none").arg("plugins").output().expect("runs");
    assert!(!out.status.success() && both(&out).contains("(mode 620)"), "{}", both(&out));
}

#[test]
fn plugins_trust_writes_the_lock_atomically_and_refuses_a_symlink() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    // A dangling symlink where the lock goes: writing through it would create its target.
    let target = scratch.path("elsewhere.lock");
    std::os::unix::fs::symlink(&target, scratch.path("plugins.lock")).expect("symlink");
    let out = scratch.factql("none").args(["plugins", "trust"]).arg(&file).output().expect("runs");
    assert!(!out.status.success() && both(&out).contains("is a symbolic link"), "{}", both(&out));
    assert!(!target.exists(), "the lock was written through the symlink");

    // The user's configuration folder is created (mode 700) and the lock written whole.
    std::fs::remove_file(scratch.path("plugins.lock")).expect("rm");
    let out = factql_in(&scratch, scratch.dir.path())
        .args(["plugins", "trust"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", both(&out));
    let conf_dir = scratch.path("xdg/factql");
    let mode = std::fs::metadata(&conf_dir).expect("created").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let names: Vec<String> = std::fs::read_dir(&conf_dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["plugins.lock"], "no temporary file is left behind");
    let lock = std::fs::read_to_string(conf_dir.join("plugins.lock")).expect("read");
    assert!(lock.contains(&sha256_of(&file)), "{lock}");
}

/// A copy of the fault plugin whose constructor writes `$FACTQL_FAULT_MARKEZ` instead of
/// `$FACTQL_FAULT_MARKER` (same length, so the library stays valid): an untrusted library
/// whose loading is visible on its own.
fn evil_copy(to: &Path) {
    let mut bytes = std::fs::read(&crate::support::libraries().0).expect("read");
    let from = b"FACTQL_FAULT_MARKER";
    let mut n = 0;
    for idx in 0..bytes.len() - from.len() {
        if &bytes[idx..idx + from.len()] == from {
            bytes[idx + from.len() - 1] = b'Z';
            n += 1;
        }
    }
    assert!(n > 0, "the marker variable's name is not in the library");
    std::fs::write(to, bytes).expect("write");
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn a_library_swapped_during_loading_never_runs_unchecked_code() {
    let scratch = Scratch::new();
    let file = scratch.add_fault_plugin();
    scratch.trust(&file);
    let (good, evil) = (scratch.plugins().join("good.bin"), scratch.plugins().join("evil.bin"));
    std::fs::copy(&file, &good).expect("copy");
    evil_copy(&evil);
    let evil_marker = scratch.path("evil-marker");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, file, plugins) = (stop.clone(), file.clone(), scratch.plugins());
        let (good, evil) = (good.clone(), evil.clone());
        std::thread::spawn(move || {
            let stage = plugins.join("stage.bin");
            let mut swaps = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for from in [&good, &evil] {
                    let _ = std::fs::remove_file(&stage);
                    std::fs::hard_link(from, &stage).expect("link");
                    std::fs::rename(&stage, &file).expect("rename");
                    swaps += 1;
                }
            }
            swaps
        })
    };
    let mut loaded = 0;
    for _ in 0..40 {
        let out = scratch
            .factql("none")
            .env("FACTQL_FAULT_MARKEZ", &evil_marker)
            .arg("plugins")
            .output()
            .expect("runs");
        loaded += usize::from(both(&out).contains("fault-none 0.0.1"));
        if evil_marker.exists() {
            break;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().expect("swapper");
    assert!(swaps > 100, "the swapper did not run ({swaps} swaps)");
    assert!(!evil_marker.exists(), "the untrusted library's constructor ran");
    // The trusted bytes do load now and then: the race was really run.
    assert!(loaded > 0, "the trusted library never loaded in 40 runs");
}

/// Builds a C shared library with `cc` (the dependency attack needs a library with its own
/// `DT_NEEDED`, which a Rust cdylib from this workspace does not have).
fn cc(dir: &Path, name: &str, source: &str, args: &[&str]) -> std::path::PathBuf {
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, source).expect("write");
    let out = dir.join(format!("lib{name}.so"));
    let status = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&out)
        .arg(&src)
        .args(args)
        .status()
        .expect("this test needs a C compiler (`cc`)");
    assert!(status.success(), "cc failed");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    out
}

#[test]
fn a_library_with_an_unpinned_dependency_or_rpath_is_refused_before_loading() {
    let scratch = Scratch::new();
    let deps = scratch.path("deps");
    std::fs::create_dir(&deps).expect("mkdir");
    std::fs::set_permissions(&deps, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // The dependency's constructor writes the marker.
    cc(
        &deps,
        "evildep",
        r#"#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void ctor(void) {
    const char *path = getenv("FACTQL_FAULT_MARKER");
    if (path) { FILE *f = fopen(path, "w"); if (f) fclose(f); }
}
int evildep_value(void) { return 7; }
"#,
        &[],
    );
    let plugin_src = r#"int evildep_value(void);
const void *factql_plugin_v1__cdep(const void *host) { (void)host; return evildep_value() ? 0 : 0; }
"#;
    let dir = deps.to_string_lossy().into_owned();
    let needs = cc(&scratch.plugins(), "cdep", plugin_src, &["-L", &dir, "-levildep"]);
    scratch.trust(&needs);
    let out =
        scratch.factql("none").env("LD_LIBRARY_PATH", &deps).arg("plugins").output().expect("runs");
    let all = both(&out);
    assert!(all.contains("needs libevildep.so, which is not a system library"), "{all}");
    assert!(!scratch.constructor_ran(), "the dependency's constructor ran:\n{all}");

    // The same plugin finding its dependency through its own search path.
    std::fs::remove_file(&needs).expect("rm");
    let rpath = format!("-Wl,-rpath,{dir}");
    let with_rpath = cc(&scratch.plugins(), "cdep", plugin_src, &["-L", &dir, "-levildep", &rpath]);
    scratch.trust(&with_rpath);
    let out = scratch.factql("none").arg("plugins").output().expect("runs");
    let all = both(&out);
    assert!(all.contains("sets a library search path"), "{all}");
    assert!(!scratch.constructor_ran(), "the dependency's constructor ran:\n{all}");
}

#[test]
fn infinite_or_huge_timeouts_are_clear_errors_not_panics() {
    // Before: `Duration::from_secs_f64` panicked (exit 101) on `inf` and on 1e30.
    let scratch = Scratch::new();
    for value in ["inf", "1e30"] {
        let out = scratch
            .factql("none")
            .env("FACTQL_PLUGIN_TIMEOUT_SECS", value)
            .arg("plugins")
            .output()
            .expect("runs");
        let all = both(&out);
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert!(
            all.contains("FACTQL_PLUGIN_TIMEOUT_SECS must be more than 0 and at most"),
            "{all}"
        );
        assert!(!all.contains("panicked"), "{all}");
    }
    std::fs::write(scratch.path("big.conf"), "timeout_secs = 1e30\n").expect("write");
    let out = scratch
        .factql("none")
        .env("FACTQL_PLUGIN_CONFIG", scratch.path("big.conf"))
        .arg("plugins")
        .output()
        .expect("runs");
    let all = both(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("big.conf:1: `timeout_secs` must be more than 0"), "{all}");
}

#[test]
fn without_a_configuration_folder_nothing_is_trusted_not_even_the_current_folders_lock() {
    // No HOME, no XDG_CONFIG_HOME: the lock used to fall back to ./plugins.lock.
    let scratch = Scratch::new();
    let repo = cloned_repository(&scratch);
    let out = factql_in(&scratch, &repo)
        .env_remove("HOME")
        .env_remove("XDG_CONFIG_HOME")
        .arg("plugins")
        .output()
        .expect("runs");
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("plugins (no lock"), "{all}");
    assert!(!scratch.constructor_ran(), "{all}");
}

#[test]
fn two_dynamic_plugins_load_side_by_side() {
    // Each is loaded from its own sealed memfd as /proc/self/fd/N; the loader knows libraries
    // by that name, so a descriptor number reused for the second one would hand back the
    // first library.
    let scratch = Scratch::new();
    let fault = scratch.add_fault_plugin();
    let money = scratch.plugins().join("libfactql_extractor_money.so");
    std::fs::copy(&crate::support::libraries().1, &money).expect("copy");
    scratch.trust(&fault);
    scratch.trust(&money);
    std::fs::write(scratch.path("replace.conf"), "replace_bundled = money\n").expect("write");
    let out = scratch
        .factql("none")
        .env("FACTQL_PLUGIN_CONFIG", scratch.path("replace.conf"))
        .arg("plugins")
        .output()
        .expect("runs");
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("fault-none 0.0.1"), "{all}");
    assert!(all.contains(&format!("money 0.1.0  {}", money.display())), "{all}");
    assert!(!all.contains("cannot load"), "{all}");
}

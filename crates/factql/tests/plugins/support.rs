//! Building and locating plugin libraries, and running `factql` against a scratch setup.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// `target/<profile>`: the folder of this test binary's `deps/` folder.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>").to_path_buf()
}

/// Builds the fault plugin and the money cdylib (once) and returns the library paths.
pub fn libraries() -> &'static (PathBuf, PathBuf) {
    static LIBS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    LIBS.get_or_init(|| {
        let profile = profile_dir();
        let target = profile.parent().expect("target dir");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "factql-fault-plugin", "-p", "factql-extractor-money"])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(
            status.success(),
            "cannot build the plugin libraries; run `cargo build --workspace` and look at the error"
        );
        let lib = |name: &str| {
            let path = profile.join(format!("lib{name}.{}", std::env::consts::DLL_EXTENSION));
            assert!(path.exists(), "{} is missing; run `cargo build --workspace`", path.display());
            path
        };
        (lib("factql_fault_plugin"), lib("factql_extractor_money"))
    })
}

/// A scratch folder with a plugin folder (mode 755), a lock, a store and two articles.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    /// Creates the folders and articles; copies the fault plugin in as `file` (not trusted).
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let scratch = Scratch { dir };
        std::fs::create_dir(scratch.plugins()).expect("mkdir");
        std::fs::set_permissions(scratch.plugins(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::write(scratch.path("a.txt"), "Title café\n\nIt cost $5 in Zürich. More text.\n")
            .expect("write");
        std::fs::write(scratch.path("b.txt"), "Other news\n\nNothing to see here at all.\n")
            .expect("write");
        scratch
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn plugins(&self) -> PathBuf {
        self.path("plugins")
    }

    /// Copies the fault plugin into the plugin folder.
    pub fn add_fault_plugin(&self) -> PathBuf {
        let target = self.plugins().join("libfactql_fault_plugin.so");
        std::fs::copy(&libraries().0, &target).expect("copy");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        target
    }

    /// `factql` with this scratch's configuration (no config file, its plugin path and lock).
    pub fn factql(&self, fault: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_factql"));
        cmd.current_dir(self.dir.path())
            .env("FACTQL_PLUGIN_CONFIG", self.path("none.conf"))
            .env("FACTQL_PLUGIN_PATH", self.plugins())
            .env("FACTQL_PLUGINS_LOCK", self.path("plugins.lock"))
            .env("FACTQL_PLUGIN_TIMEOUT_SECS", "1.5")
            .env("FACTQL_PLUGIN_MEMORY_MIB", "256")
            .env("FACTQL_FAULT", fault)
            .env("FACTQL_FAULT_MARKER", self.path("marker"))
            .env_remove("FACTQL_DB");
        cmd
    }

    /// `factql` as a user runs it in `cwd`: no plugin variables, this scratch's `home/` and
    /// `xdg/` as `$HOME` and `$XDG_CONFIG_HOME` (so the lock is `xdg/factql/plugins.lock`).
    pub fn factql_as_user(&self, cwd: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_factql"));
        cmd.current_dir(cwd)
            .env_remove("FACTQL_PLUGIN_CONFIG")
            .env_remove("FACTQL_PLUGINS_LOCK")
            .env_remove("FACTQL_PLUGIN_PATH")
            .env_remove("FACTQL_DB")
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("xdg"))
            .env("FACTQL_FAULT", "none")
            .env("FACTQL_FAULT_MARKER", self.path("marker"));
        cmd
    }

    /// `factql plugins trust PATH`.
    pub fn trust(&self, file: &Path) {
        let out =
            self.factql("none").args(["plugins", "trust"]).arg(file).output().expect("factql runs");
        assert!(out.status.success(), "trust failed: {}", text(&out.stderr));
    }

    /// True when the fault plugin's constructor ran (the library was loaded).
    pub fn constructor_ran(&self) -> bool {
        self.path("marker").exists()
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Stdout and stderr together, for messages.
pub fn both(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

impl Scratch {
    /// Builds the plugin crate in `crate_dir` offline, in this workspace's target folder (so
    /// the SDK and its dependencies are not compiled again), moves its library `lib` into the
    /// plugin folder (no untrusted library stays next to the factql binary, where `factql
    /// plugins` would list it); returns the library's new path, not yet trusted.
    pub fn build_plugin(&self, crate_dir: &Path, lib: &str) -> PathBuf {
        let profile = profile_dir();
        let target = profile.parent().expect("target");
        let build = Command::new(env!("CARGO"))
            .args(["build", "-q", "--offline"])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(crate_dir)
            .output()
            .expect("cargo runs");
        assert!(
            build.status.success(),
            "{} does not build:\n{}",
            crate_dir.display(),
            both(&build)
        );
        let built = target.join("debug").join(lib);
        let placed = self.plugins().join(lib);
        std::fs::copy(&built, &placed).expect("copy the built plugin");
        std::fs::remove_file(&built).expect("remove the built plugin");
        placed
    }
}

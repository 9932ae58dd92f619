//! Where plugins come from and how they run: the configuration file and the search path.
//!
//! The configuration file (`factql-plugins.conf` in the current folder, or
//! `$FACTQL_PLUGIN_CONFIG`) is a list of `key = value` lines, `#` comments, and `[NAME]`
//! sections whose pairs are passed to plugin NAME as its configuration:
//!
//! ```text
//! path = /opt/factql/plugins        # a folder or a file; repeatable
//! lock = /opt/factql/plugins.lock   # default: plugins.lock next to this file
//! allow_symlinks = false
//! replace_bundled = money           # let a dynamic `money` replace the bundled one
//! isolate = money                   # or `all`; repeatable
//! timeout_secs = 10                 # every plugin call
//! memory_mib = 4096                 # address space of an isolated plugin's process
//!
//! [money]
//! min_amount = 1000
//! ```
//!
//! Search order: `path` lines, then `$FACTQL_PLUGIN_PATH` (`:`-separated), then
//! `<exe_dir>/plugins` and `<exe_dir>`. Files in the last two are optional conveniences
//! (a dev checkout after `cargo build`): when they fail the trust checks they are listed by
//! `factql plugins` but not warned about.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::PluginError;
use crate::call::Limits;
use crate::isolate::RunnerCommand;

/// Which plugins run in a child process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Isolate {
    /// None.
    #[default]
    None,
    /// All dynamic and bundled plugins.
    All,
    /// These, by name.
    Names(BTreeSet<String>),
}

impl Isolate {
    /// True when `name` runs isolated.
    pub fn covers(&self, name: &str) -> bool {
        match self {
            Isolate::None => false,
            Isolate::All => true,
            Isolate::Names(names) => names.contains(name),
        }
    }

    /// Adds `NAME` or `all`.
    pub fn add(&mut self, name: &str) {
        if name == "all" {
            *self = Isolate::All;
        } else if let Isolate::Names(names) = self {
            names.insert(name.to_owned());
        } else if *self == Isolate::None {
            *self = Isolate::Names(BTreeSet::from([name.to_owned()]));
        }
    }
}

/// A place plugins are searched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchDir {
    /// A folder or a file.
    pub path: PathBuf,
    /// True for configured places (failures are warned about); false for `<exe_dir>`.
    pub explicit: bool,
}

/// Everything the host needs to know to load plugins.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// The configuration file read, if any.
    pub source: Option<PathBuf>,
    /// Where to look, in order.
    pub search: Vec<SearchDir>,
    /// The lock file of pinned hashes.
    pub lock: PathBuf,
    /// Accept symlinked plugin files.
    pub allow_symlinks: bool,
    /// Names of bundled plugins a dynamic plugin may replace.
    pub replace_bundled: BTreeSet<String>,
    /// Which plugins run isolated.
    pub isolate: Isolate,
    /// How to start the runner for isolated plugins.
    pub runner: Option<RunnerCommand>,
    /// Deadline of each isolated call (and of the runner's start).
    pub timeout: Duration,
    /// Output limits per call.
    pub limits: Limits,
    /// Per-plugin configuration pairs.
    pub plugin_config: BTreeMap<String, Vec<(String, String)>>,
    /// Called (from a watchdog thread) when an in-process call exceeds `timeout`, with a
    /// [`PluginError::Hung`]; the thread is stuck for good, so the caller should end the
    /// process. `None`: no watchdog, a hung plugin hangs the caller.
    pub on_hang: Option<fn(&PluginError)>,
    /// Address-space limit of an isolated plugin's process, in MiB (`None`: unlimited).
    pub memory_mib: Option<u64>,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            source: None,
            search: Vec::new(),
            lock: PathBuf::from("plugins.lock"),
            allow_symlinks: false,
            replace_bundled: BTreeSet::new(),
            isolate: Isolate::None,
            runner: None,
            timeout: Duration::from_secs(10),
            limits: Limits::default(),
            plugin_config: BTreeMap::new(),
            on_hang: None,
            memory_mib: Some(4096),
        }
    }
}

impl HostConfig {
    /// Reads the configuration file (`config`, when given and present), then adds the search
    /// path from `plugin_path` (`$FACTQL_PLUGIN_PATH`) and `exe_dir`.
    pub fn discover(
        config: Option<&Path>,
        plugin_path: Option<OsString>,
        exe_dir: Option<&Path>,
    ) -> Result<HostConfig, PluginError> {
        let mut out = match config.filter(|path| path.exists()) {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| PluginError::Io {
                    plugin: "configuration".into(),
                    path: path.to_path_buf(),
                    source,
                })?;
                HostConfig::parse(&text, path)?
            }
            None => HostConfig::default(),
        };
        if let Some(plugin_path) = plugin_path {
            for dir in std::env::split_paths(&plugin_path).filter(|p| !p.as_os_str().is_empty()) {
                out.search.push(SearchDir { path: dir, explicit: true });
            }
        }
        if let Some(exe_dir) = exe_dir {
            out.search.push(SearchDir { path: exe_dir.join("plugins"), explicit: false });
            out.search.push(SearchDir { path: exe_dir.to_path_buf(), explicit: false });
        }
        Ok(out)
    }

    /// Parses a configuration file's text; relative paths are relative to its folder.
    pub fn parse(text: &str, path: &Path) -> Result<HostConfig, PluginError> {
        let base = path.parent().unwrap_or(Path::new("."));
        let mut out = HostConfig {
            source: Some(path.to_path_buf()),
            lock: base.join("plugins.lock"),
            ..HostConfig::default()
        };
        let mut section: Option<String> = None;
        for (idx, raw) in text.lines().enumerate() {
            let fail = |message: String| PluginError::Config {
                path: path.to_path_buf(),
                line: idx + 1,
                message,
            };
            let line = raw.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = Some(name.trim().to_owned());
                out.plugin_config.entry(name.trim().to_owned()).or_default();
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(fail("expected `key = value` or `[plugin]`".into()));
            };
            let (key, value) = (key.trim(), value.trim());
            if let Some(name) = &section {
                out.plugin_config
                    .entry(name.clone())
                    .or_default()
                    .push((key.to_owned(), value.to_owned()));
                continue;
            }
            let flag = |value: &str| match value {
                "true" => Ok(true),
                "false" => Ok(false),
                other => Err(fail(format!("`{key}` must be true or false, not {other:?}"))),
            };
            match key {
                "path" => out.search.push(SearchDir { path: base.join(value), explicit: true }),
                "lock" => out.lock = base.join(value),
                "allow_symlinks" => out.allow_symlinks = flag(value)?,
                "replace_bundled" => {
                    out.replace_bundled.insert(value.to_owned());
                }
                "isolate" => out.isolate.add(value),
                "timeout_secs" => {
                    let secs: f64 = value
                        .parse()
                        .ok()
                        .filter(|s: &f64| s.is_finite() && *s > 0.0)
                        .ok_or_else(|| {
                            fail(format!("`timeout_secs` must be a positive number, not {value:?}"))
                        })?;
                    out.timeout = Duration::from_secs_f64(secs);
                }
                "memory_mib" => {
                    let mib: u64 = value.parse().ok().filter(|m| *m > 0).ok_or_else(|| {
                        fail(format!("`memory_mib` must be a positive whole number, not {value:?}"))
                    })?;
                    out.memory_mib = Some(mib);
                }
                other => return Err(fail(format!("unknown key `{other}`"))),
            }
        }
        Ok(out)
    }
}

/// Plugin files in a search place: the file itself, or the shared libraries in a folder, by
/// name. A missing place yields nothing.
pub(crate) fn candidates(place: &Path) -> Vec<PathBuf> {
    let is_library =
        |path: &Path| path.extension().is_some_and(|ext| ext == std::env::consts::DLL_EXTENSION);
    match std::fs::symlink_metadata(place) {
        Ok(meta) if meta.is_dir() => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(place)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| is_library(p))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            files
        }
        Ok(_) => vec![place.to_path_buf()],
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_keys_sections_and_reports_bad_lines() {
        let text = "# plugins\npath = plugins\nisolate = money\ntimeout_secs = 1.5\nreplace_bundled = money\n\n[money]\nmin = 5 # comment\n";
        let config = HostConfig::parse(text, Path::new("/etc/factql/factql-plugins.conf")).unwrap();
        assert_eq!(
            config.search,
            [SearchDir { path: "/etc/factql/plugins".into(), explicit: true }]
        );
        assert_eq!(config.lock, Path::new("/etc/factql/plugins.lock"));
        assert!(config.isolate.covers("money") && !config.isolate.covers("other"));
        assert_eq!(config.timeout, Duration::from_millis(1500));
        assert_eq!(config.plugin_config["money"], [("min".to_owned(), "5".to_owned())]);
        let err =
            HostConfig::parse("colour = blue\n", Path::new("x.conf")).unwrap_err().to_string();
        assert_eq!(err, "x.conf:1: unknown key `colour`");
        let err = HostConfig::parse("\nallow_symlinks = yes\n", Path::new("x.conf"))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "x.conf:2: `allow_symlinks` must be true or false, not \"yes\"");
    }
}

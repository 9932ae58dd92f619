//! Where plugins come from and how they run: the configuration file and the search path.
//!
//! The configuration file (`factql-plugins.conf` in the user's configuration folder
//! [`user_dir`], a project's folder that the user allowed, or `$FACTQL_PLUGIN_CONFIG`) is a list of `key = value` lines, `#` comments, and `[NAME]`
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
//! readable = /opt/factql/data       # what an isolated plugin may read; repeatable
//!
//! [money]
//! min_amount = 1000
//! ```
//!
//! # The trust root
//!
//! The lock and the configuration decide which native code runs, so they are read only from
//! places the user owns: `$XDG_CONFIG_HOME/factql/` (or `~/.config/factql/`), or the files the
//! environment names. Every one is read through the checked walk of [`crate::trust`] (owner you
//! or root, not writable by group or others, every folder up to `/`). A `factql-plugins.conf`
//! or `plugins.lock` in the current folder is ignored, with a notice, unless the user allowed
//! that folder (`factql plugins allow DIR`, listed in `allowed-folders` of the configuration
//! folder): a cloned repository or an unpacked archive is owned by the user and passes every
//! owner and mode check, so only an explicit decision can make it a trust root.
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
    /// The lock file of pinned hashes (empty: there is none, nothing is pinned).
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
    /// Files and folders an isolated plugin may read (its data); nothing else is readable in
    /// its sandbox but its private temporary folder.
    pub readable: Vec<PathBuf>,
    /// Things the user should know about the configuration (a project-local one ignored).
    pub notices: Vec<String>,
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
            readable: Vec::new(),
            notices: Vec::new(),
        }
    }
}

/// The configuration file's name.
pub const CONFIG_FILE: &str = "factql-plugins.conf";
/// The lock's name.
pub const LOCK_FILE: &str = "plugins.lock";
/// The list of project folders the user allowed, in [`user_dir`].
pub const ALLOWED_FILE: &str = "allowed-folders";

/// The user's factql configuration folder: `$XDG_CONFIG_HOME/factql` when that is an absolute
/// path (the XDG rule), else `$HOME/.config/factql`.
pub fn user_dir(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    xdg_config_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(PathBuf::from).filter(|p| p.is_absolute()).map(|h| h.join(".config")))
        .map(|dir| dir.join("factql"))
}

/// Where the configuration comes from: the environment and the folders that matter.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// `$FACTQL_PLUGIN_CONFIG`.
    pub config_env: Option<PathBuf>,
    /// `$FACTQL_PLUGINS_LOCK`.
    pub lock_env: Option<PathBuf>,
    /// `$FACTQL_PLUGIN_PATH`.
    pub plugin_path: Option<OsString>,
    /// The user's configuration folder ([`user_dir`]).
    pub user_dir: Option<PathBuf>,
    /// The current folder (a project-local configuration there needs an allow).
    pub cwd: Option<PathBuf>,
    /// The folder of the running binary (`<exe_dir>/plugins` and `<exe_dir>` are searched).
    pub exe_dir: Option<PathBuf>,
}

/// The project folders the user allowed, from `allowed-folders` in `user_dir` (read through
/// the checked walk).
pub fn allowed_folders(user_dir: &Path) -> Result<Vec<PathBuf>, PluginError> {
    let text = crate::trust::read_checked(&user_dir.join(ALLOWED_FILE), "configuration")?;
    Ok(text
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .collect())
}

/// Adds `folder` to the user's allowed project folders (atomically); the folder must pass
/// the checked walk itself. Returns its canonical path.
pub fn allow_folder(user_dir: &Path, folder: &Path) -> Result<PathBuf, PluginError> {
    let (_, canonical) = crate::trust::open_checked(folder, crate::trust::Want::Folder)
        .map_err(|refusal| refusal.into_error("configuration", folder))?;
    let mut folders = allowed_folders(user_dir)?;
    if !folders.contains(&canonical) {
        folders.push(canonical.clone());
    }
    let mut text = String::from(
        "# Folders whose factql-plugins.conf and plugins.lock factql may use (`factql plugins allow DIR`).\n",
    );
    for folder in &folders {
        text.push_str(&format!("{}\n", folder.display()));
    }
    crate::trust::write_atomically(&user_dir.join(ALLOWED_FILE), &text, "configuration")?;
    Ok(canonical)
}

impl HostConfig {
    /// Finds the trust root (see the module documentation), reads its configuration through
    /// the checked walk, and sets up the search path; a project-local configuration that was
    /// ignored is reported in [`HostConfig::notices`].
    pub fn locate(sources: &Sources) -> Result<HostConfig, PluginError> {
        let mut notices = Vec::new();
        let mut config_file = sources.config_env.clone();
        let mut lock_dir = sources.user_dir.clone();
        if config_file.is_none()
            && let Some(cwd) = &sources.cwd
        {
            let local: Vec<PathBuf> = [CONFIG_FILE, LOCK_FILE]
                .iter()
                .map(|name| cwd.join(name))
                .filter(|p| std::fs::symlink_metadata(p).is_ok())
                .collect();
            if !local.is_empty() {
                let canonical = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.clone());
                let allowed = match &sources.user_dir {
                    Some(dir) => allowed_folders(dir)?.contains(&canonical),
                    None => false,
                };
                if allowed {
                    config_file = Some(cwd.join(CONFIG_FILE));
                    lock_dir = Some(cwd.clone());
                } else {
                    let names: Vec<String> =
                        local.iter().map(|p| p.display().to_string()).collect();
                    notices.push(format!(
                        "ignored {}: plugin settings are read from your configuration folder, not from the current folder, unless you allow it (`factql plugins allow {}`)",
                        names.join(" and "),
                        canonical.display()
                    ));
                }
            }
        }
        let config_file =
            config_file.or_else(|| sources.user_dir.as_ref().map(|d| d.join(CONFIG_FILE)));
        let mut out = HostConfig::discover(
            config_file.as_deref(),
            sources.plugin_path.clone(),
            sources.exe_dir.as_deref(),
        )?;
        if out.source.is_none() {
            // No configuration folder (neither HOME nor XDG_CONFIG_HOME): no lock, so nothing
            // is trusted unless $FACTQL_PLUGINS_LOCK names one; never the current folder's.
            out.lock = lock_dir.map_or_else(PathBuf::new, |d| d.join(LOCK_FILE));
        }
        if let Some(lock) = &sources.lock_env {
            out.lock = lock.clone();
        }
        out.notices = notices;
        Ok(out)
    }

    /// Reads the configuration file (`config`, when given and present) through the checked
    /// walk, then adds the search path from `plugin_path` (`$FACTQL_PLUGIN_PATH`) and `exe_dir`.
    pub fn discover(
        config: Option<&Path>,
        plugin_path: Option<OsString>,
        exe_dir: Option<&Path>,
    ) -> Result<HostConfig, PluginError> {
        let text = match config {
            Some(path) => crate::trust::read_checked(path, "configuration")?,
            None => None,
        };
        let mut out = match (config, text) {
            (Some(path), Some(text)) => HostConfig::parse(&text, path)?,
            _ => HostConfig::default(),
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
                "readable" => out.readable.push(base.join(value)),
                "allow_symlinks" => out.allow_symlinks = flag(value)?,
                "replace_bundled" => {
                    out.replace_bundled.insert(value.to_owned());
                }
                "isolate" => out.isolate.add(value),
                "timeout_secs" => {
                    out.timeout = parse_timeout_secs(value)
                        .map_err(|why| fail(format!("`timeout_secs` {why}")))?;
                }
                "memory_mib" => {
                    out.memory_mib = Some(
                        parse_memory_mib(value)
                            .map_err(|why| fail(format!("`memory_mib` {why}")))?,
                    );
                }
                other => return Err(fail(format!("unknown key `{other}`"))),
            }
        }
        Ok(out)
    }
}

/// The longest deadline accepted for a plugin call: one day.
pub const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// A call deadline in seconds: a number in (0, [`MAX_TIMEOUT_SECS`]]; the error says why not.
pub fn parse_timeout_secs(value: &str) -> Result<Duration, String> {
    let secs: f64 =
        value.trim().parse().map_err(|_| format!("must be a number of seconds, not {value:?}"))?;
    if !(secs > 0.0 && secs <= MAX_TIMEOUT_SECS) {
        return Err(format!(
            "must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds (one day), not {value:?}"
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|err| format!("{value:?}: {err}"))
}

/// An address-space limit in MiB: a whole number from 16 to 2^40 (1 EiB).
pub fn parse_memory_mib(value: &str) -> Result<u64, String> {
    value.trim().parse::<u64>().ok().filter(|m| (16..=1 << 40).contains(m)).ok_or_else(|| {
        format!("must be a whole number of MiB from 16 to {}, not {value:?}", 1u64 << 40)
    })
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

    #[test]
    fn huge_and_infinite_timeouts_are_clear_errors() {
        // Before: `Duration::from_secs_f64` panicked on 1e30 (finite, but too large).
        for value in ["1e30", "inf", "NaN", "-1", "0", "86401"] {
            let text = format!("timeout_secs = {value}\n");
            let err = HostConfig::parse(&text, Path::new("x.conf")).unwrap_err().to_string();
            assert!(err.starts_with("x.conf:1: `timeout_secs` must be"), "{value}: {err}");
        }
        assert_eq!(parse_timeout_secs("86400"), Ok(Duration::from_secs(86_400)));
        assert!(parse_memory_mib("0").is_err() && parse_memory_mib("256") == Ok(256));
    }

    #[test]
    fn user_dir_follows_xdg_then_home() {
        assert_eq!(
            user_dir(Some("/x/conf".into()), Some("/home/u".into())),
            Some(PathBuf::from("/x/conf/factql"))
        );
        // A relative XDG_CONFIG_HOME is invalid per the specification: ignored.
        assert_eq!(
            user_dir(Some("conf".into()), Some("/home/u".into())),
            Some(PathBuf::from("/home/u/.config/factql"))
        );
        assert_eq!(user_dir(None, None), None);
    }
}

//! Errors of the plugin host; every one names the plugin (its manifest name, or its file name
//! before the manifest is known).

use std::path::PathBuf;

/// Why a plugin file is not trusted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustIssue {
    /// The path is a symbolic link and symlinks are not allowed.
    #[error("is a symbolic link (set `allow_symlinks = true` to accept links)")]
    Symlink,
    /// Not a regular file.
    #[error("is not a regular file")]
    NotAFile,
    /// The file or its folder can be written by group or others.
    #[error("{} is writable by group or others (mode {mode:o}); run `chmod go-w {}`", path.display(), path.display())]
    Writable {
        /// The file or folder.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file or its folder belongs to another user (not the current user, not root).
    #[error("{} belongs to uid {uid}, not to you or root", path.display())]
    ForeignOwner {
        /// The file or folder.
        path: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// No pin in `plugins.lock`.
    #[error("sha256 {sha256} is not pinned in {}; if you trust it, run `factql plugins trust {}`", lock.display(), file.display())]
    NotPinned {
        /// The file.
        file: PathBuf,
        /// Its hash.
        sha256: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// A symbolic link on the path belongs to another user (who could point it elsewhere).
    #[error("a symbolic link on the path, {}, belongs to uid {uid}, not to you or root", path.display())]
    ForeignLink {
        /// The link.
        path: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// The library needs a library outside the system allow-list.
    #[error(
        "needs {name}, which is not a system library factql allows (libc, libm, libpthread, libdl, librt, libgcc_s, ld-linux); link it statically into the plugin"
    )]
    Dependency {
        /// The `DT_NEEDED` name.
        name: String,
    },
    /// The library names its own library search path.
    #[error(
        "sets a library search path ({tag} {value:?}), which could load unchecked code; rebuild it without rpath"
    )]
    RunPath {
        /// `DT_RPATH` or `DT_RUNPATH`.
        tag: &'static str,
        /// The path list.
        value: String,
    },
    /// The file changed since it was pinned.
    #[error("sha256 {found} does not match {expected} pinned in {}; the file changed since it was trusted", lock.display())]
    HashMismatch {
        /// Pinned hash.
        expected: String,
        /// Actual hash.
        found: String,
        /// The lock file.
        lock: PathBuf,
    },
}

/// Everything that can go wrong with a plugin.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The file failed a trust check; it was not opened.
    #[error("plugin {plugin}: refused {}: {issue}", path.display())]
    Untrusted {
        /// File name.
        plugin: String,
        /// The path.
        path: PathBuf,
        /// What is wrong.
        issue: Box<TrustIssue>,
    },
    /// Reading the file or the lock failed.
    #[error("plugin {plugin}: {}: {source}", path.display())]
    Io {
        /// File name.
        plugin: String,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `dlopen` failed.
    #[error("plugin {plugin}: cannot load {}: {message}", path.display())]
    Load {
        /// File name.
        plugin: String,
        /// The path.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// No `factql_plugin_v1__*` symbol.
    #[error("plugin {plugin}: {} has no compatible entry symbol (expected factql_plugin_v1__<crate>; found {})", path.display(), if found.is_empty() { "none".to_owned() } else { found.join(", ") })]
    NoEntry {
        /// File name.
        plugin: String,
        /// The path.
        path: PathBuf,
        /// Plugin-like symbols found.
        found: Vec<String>,
    },
    /// The table fails an ABI check.
    #[error("plugin {plugin}: refused: {reason}")]
    Abi {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// The manifest is invalid.
    #[error("plugin {plugin}: bad manifest: {reason}")]
    Manifest {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// Two plugins share a name.
    #[error("plugin {plugin}: loaded twice, from {first} and {second}")]
    Duplicate {
        /// Plugin name.
        plugin: String,
        /// Where the first came from.
        first: String,
        /// Where the second came from.
        second: String,
    },
    /// Creating the instance failed.
    #[error("plugin {plugin}: cannot create an instance ({status}): {message}")]
    Create {
        /// Plugin name.
        plugin: String,
        /// The status.
        status: String,
        /// The plugin's message.
        message: String,
    },
    /// A call returned an error status.
    #[error("plugin {plugin}: article {article}: {status}: {message}")]
    Call {
        /// Plugin name.
        plugin: String,
        /// Article id.
        article: String,
        /// The status.
        status: String,
        /// The plugin's message.
        message: String,
    },
    /// The output failed validation.
    #[error("plugin {plugin}: article {article}: invalid output: {reason}")]
    Invalid {
        /// Plugin name.
        plugin: String,
        /// Article id.
        article: String,
        /// What is wrong.
        reason: String,
    },
    /// The isolated plugin process died or broke the protocol.
    #[error(
        "plugin {plugin}: article {article}: the plugin process {what}; plugin quarantined for this run"
    )]
    Crashed {
        /// Plugin name.
        plugin: String,
        /// Article id.
        article: String,
        /// How it died.
        what: String,
    },
    /// The isolated plugin did not answer in time.
    #[error(
        "plugin {plugin}: article {article}: no answer within {secs:.1}s; the plugin process was killed and the plugin quarantined for this run"
    )]
    Timeout {
        /// Plugin name.
        plugin: String,
        /// Article id.
        article: String,
        /// The timeout.
        secs: f64,
    },
    /// An in-process call did not return in time; a thread cannot be stopped, so the process
    /// must end (committed work is kept).
    #[error(
        "plugin {plugin}: article {article}: no answer within {secs:.1}s in-process; a stuck thread cannot be stopped, so factql stops here (committed batches are kept); run it with --isolate {plugin}"
    )]
    Hung {
        /// Plugin name.
        plugin: String,
        /// Article id.
        article: String,
        /// The deadline.
        secs: f64,
    },
    /// The plugin was quarantined earlier in this run.
    #[error("plugin {plugin}: skipped: quarantined for this run")]
    Quarantined {
        /// Plugin name.
        plugin: String,
    },
    /// A required plugin failed for this article.
    #[error(
        "plugin {plugin}: article {article}: skipped because `{provider}`, which it requires, failed"
    )]
    ProviderFailed {
        /// Plugin name.
        plugin: String,
        /// Article id.
        article: String,
        /// The failed provider.
        provider: String,
    },
    /// The dependency graph is broken.
    #[error("plugin {plugin}: {reason}")]
    Graph {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// The runner for isolated mode could not be started.
    #[error("plugin {plugin}: cannot start the isolated runner {}: {message}", program.display())]
    Runner {
        /// Plugin name.
        plugin: String,
        /// The runner program.
        program: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The configuration or lock file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl PluginError {
    /// The plugin the error is about (empty for configuration errors).
    pub fn plugin(&self) -> &str {
        match self {
            PluginError::Untrusted { plugin, .. }
            | PluginError::Io { plugin, .. }
            | PluginError::Load { plugin, .. }
            | PluginError::NoEntry { plugin, .. }
            | PluginError::Abi { plugin, .. }
            | PluginError::Manifest { plugin, .. }
            | PluginError::Duplicate { plugin, .. }
            | PluginError::Create { plugin, .. }
            | PluginError::Call { plugin, .. }
            | PluginError::Invalid { plugin, .. }
            | PluginError::Crashed { plugin, .. }
            | PluginError::Timeout { plugin, .. }
            | PluginError::Hung { plugin, .. }
            | PluginError::Quarantined { plugin }
            | PluginError::ProviderFailed { plugin, .. }
            | PluginError::Graph { plugin, .. }
            | PluginError::Runner { plugin, .. } => plugin,
            PluginError::Config { .. } => "",
        }
    }
}

/// A status code as words.
pub(crate) fn status_name(status: factql_plugin_abi::Status) -> String {
    use factql_plugin_abi::Status;
    match status {
        Status::OK => "ok".into(),
        Status::ERROR => "error".into(),
        Status::PANICKED => "panicked".into(),
        Status::BAD_INPUT => "bad input".into(),
        Status::LIMIT => "output limit reached".into(),
        Status::BAD_OUTPUT => "bad output".into(),
        Status(other) => format!("unknown status {other}"),
    }
}

//! The factql plugin host: finds, checks, loads, orders, runs and contains extractor plugins.
//!
//! # Pipeline
//!
//! ```text
//! HostConfig::discover ─▶ candidate files ─▶ trust::verify (no code runs: file type,
//!   owner, mode of file and folder, SHA-256 pinned in plugins.lock, entry symbol present)
//!   ─▶ dlopen(RTLD_NOW|RTLD_LOCAL|RTLD_NODELETE) ─▶ entry(&HostV1) ─▶ table checks (size,
//!   major, PANIC_UNWIND) ─▶ manifest decode + checks ─▶ create ─▶ dependency graph
//!   ─▶ Host::extract(article): each plugin in order, output validated against the manifest
//!      and the text before it becomes an Extraction
//! ```
//!
//! Bundled plugins ([`StaticPlugin`]) enter after `dlopen`, through the same entry function,
//! table checks and manifest checks, so static and dynamic plugins behave identically.
//!
//! # Containment
//!
//! * A panic is caught inside the plugin (by the SDK) and becomes an error for that article;
//!   after three the plugin is quarantined for the run.
//! * Output that fails validation (spans outside the text or inside a character, undeclared
//!   kinds or fields, wrong types, NaN, dangling argument indexes, too much output) is
//!   rejected for that article, with the reason.
//! * A plugin in isolated mode ([`Isolate`]) runs in a child process (the runner, [`serve_target`]);
//!   a crash or a missed deadline kills only the child and quarantines the plugin.
//! * In-process, a segfault, abort or hang cannot be contained: that is what isolation is for.
//!
//! Plugins are never unloaded. Every error names its plugin ([`PluginError::plugin`]).
#![deny(missing_docs)]

mod batch;
mod call;
mod config;
mod entities;
mod error;
mod graph;
mod host;
mod isolate;
mod load;
mod sys;
#[cfg(test)]
mod test_util;
pub mod trust;
mod validate;

pub use call::Limits;
pub use config::{
    ALLOWED_FILE, CONFIG_FILE, HostConfig, Isolate, LOCK_FILE, MAX_TIMEOUT_SECS, SearchDir,
    Sources, allow_folder, allowed_folders, parse_memory_mib, parse_timeout_secs, user_dir,
};
pub use error::{PluginError, TrustIssue};
pub use host::{
    Host, Origin, Outcome, Plugin, Refused, Shadowed, StaticPlugin, self_runner, serve_target,
};
pub use isolate::RunnerCommand;
pub use load::check_manifest;
pub use validate::kind_schema;

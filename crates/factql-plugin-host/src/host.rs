//! The host: loads plugins (bundled and dynamic), orders them, runs them on articles, and keeps
//! a failing plugin from hurting the others.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use factql_model::Extraction;
use factql_model::{Article, ExtractorRef, KindSchema, Schema};
use factql_plugin_abi::{EntryFn, PluginV1, Status, WIRE_SCHEMA};
use factql_plugin_sdk::wire::{self, Batch, Config, Manifest, decode, encode};

use crate::batch::{self, Checker, Read};
use crate::call::{self, InstancePtr, Limits};
use crate::config::{HostConfig, candidates};
use crate::entities::Kinds;
use crate::error::status_name;
use crate::isolate::{Child, Confinement, Failure, RunnerCommand, ToRunner};
use crate::load::{self, check_manifest};
use crate::trust::{self, file_label};
use crate::validate::{kind_schema, validate};
use crate::{PluginError, graph, sys};

/// Panics after which an in-process plugin is quarantined for the run.
const MAX_PANICS: usize = 3;

/// A plugin linked into the binary: its crate name and entry function.
#[derive(Clone, Copy, Debug)]
pub struct StaticPlugin {
    /// The crate name with `_` (`factql_extractor_money`); a dynamic library of the same crate
    /// is shadowed by it.
    pub crate_name: &'static str,
    /// The crate's `factql_plugin_entry`.
    pub entry: EntryFn,
}

/// Where a plugin was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Linked into the binary.
    Bundled,
    /// A shared library.
    Path(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Bundled => f.write_str("bundled"),
            Origin::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// How to start one more runner child for an isolated plugin.
struct Spawner {
    runner: RunnerCommand,
    target: PathBuf,
    /// The sealed copy of the checked bytes (dynamic plugins), passed to each runner.
    image: Option<OwnedFd>,
    sha256: String,
    timeout: Duration,
    limits: Limits,
    confinement: Confinement,
    config: Vec<u8>,
    max: usize,
}

impl Spawner {
    /// A new child with its instance created.
    fn spawn(&self) -> Result<Child, String> {
        let (mut child, _) = Child::spawn(
            &self.runner,
            &self.target,
            self.image.as_ref().map(AsFd::as_fd),
            &self.sha256,
            self.timeout,
            self.limits,
            &self.confinement,
        )?;
        let create = ToRunner::Create {
            config: self.config.clone(),
            max_bytes: self.limits.max_bytes as u64,
        };
        match child.call(&create) {
            Ok(reply) if reply.status == 0 => Ok(child),
            Ok(reply) => Err(format!("cannot create an instance: {}", reply.errors.join("; "))),
            Err(failure) => Err(child.describe(failure)),
        }
    }
}

enum Backend {
    InProcess {
        table: &'static PluginV1,
        instance: InstancePtr,
        serial: Option<Mutex<()>>,
    },
    /// Runner children: idle ones wait in `idle`; up to `spawner.max` run at once, one call
    /// each, so isolated plugins also run on all cores.
    Isolated {
        idle: Mutex<Vec<Child>>,
        ready: Condvar,
        live: AtomicUsize,
        spawner: Box<Spawner>,
        /// What the runner's sandbox holds (its hello).
        sandbox: Vec<String>,
    },
}

/// A loaded plugin.
pub struct Plugin {
    manifest: Manifest,
    origin: Origin,
    sha256: Option<String>,
    sdk: String,
    config_hash: String,
    schema: Schema,
    checker: Checker,
    backend: Backend,
    quarantine: Mutex<Option<String>>,
    panics: AtomicUsize,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        if let Backend::InProcess { table, instance, .. } = &self.backend {
            call::destroy(table, instance);
        }
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.manifest.name)
            .field("version", &self.manifest.version)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Plugin {
    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// The plugin's version.
    pub fn version(&self) -> &str {
        &self.manifest.version
    }

    /// Its manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Bundled or a path.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The SHA-256 of its file (dynamic plugins).
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.as_deref()
    }

    /// The SDK it was built with.
    pub fn sdk(&self) -> &str {
        &self.sdk
    }

    /// SHA-256 of its encoded configuration, for run records.
    pub fn config_hash(&self) -> &str {
        &self.config_hash
    }

    /// True when it runs in a child process.
    pub fn isolated(&self) -> bool {
        matches!(self.backend, Backend::Isolated { .. })
    }

    /// For an isolated plugin, the protections its runner's sandbox holds on this machine
    /// (as the runner reported them); empty in-process.
    pub fn sandbox(&self) -> &[String] {
        match &self.backend {
            Backend::Isolated { sandbox, .. } => sandbox,
            Backend::InProcess { .. } => &[],
        }
    }

    /// The kinds it produces, as the model declares them.
    pub fn kinds(&self) -> Vec<KindSchema> {
        self.checker.kinds.clone()
    }

    /// Why it is quarantined for this run, if it is.
    pub fn quarantined(&self) -> Option<String> {
        self.quarantine.lock().ok().and_then(|q| q.clone())
    }

    fn set_quarantine(&self, reason: String) {
        if let Ok(mut quarantine) = self.quarantine.lock() {
            quarantine.get_or_insert(reason);
        }
    }
}

/// A plugin file that was not loaded, and why.
#[derive(Debug)]
pub struct Refused {
    /// The file.
    pub path: PathBuf,
    /// True when found in a configured place (worth a warning), false in `<exe_dir>`.
    pub explicit: bool,
    /// Why.
    pub error: PluginError,
}

/// A dynamic plugin file not loaded because a bundled plugin of the same crate is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    /// The file.
    pub path: PathBuf,
    /// The bundled plugin's name.
    pub by: String,
}

/// What one plugin did with one article.
#[derive(Debug)]
pub struct Outcome {
    /// Index into [`Host::plugins`].
    pub plugin: usize,
    /// Its validated output, or why there is none.
    pub result: Result<Extraction, PluginError>,
}

/// The loaded plugins in run order, and the files that were refused.
#[derive(Debug)]
pub struct Host {
    plugins: Vec<Plugin>,
    refused: Vec<Refused>,
    shadowed: Vec<Shadowed>,
    warnings: Vec<String>,
    limits: Limits,
    timeout: Duration,
    /// Kinds some loaded plugin requires: only their facts are kept for inputs.
    required: BTreeSet<String>,
    /// In-process calls in flight, watched for hangs (when `on_hang` is set).
    watch: Option<Arc<Watch>>,
}

/// In-process calls in flight: id → (plugin index, article, start).
#[derive(Debug, Default)]
struct Watch {
    calls: Mutex<BTreeMap<u64, (usize, String, Instant)>>,
    next: AtomicU64,
    /// Plugin names by index, for the report.
    names: Vec<String>,
}

/// Removes its call from the watch when the call returns.
struct Watched<'w> {
    watch: &'w Watch,
    id: u64,
}

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        if let Ok(mut calls) = self.watch.calls.lock() {
            calls.remove(&self.id);
        }
    }
}

impl Watch {
    fn enter(&self, plugin: usize, article: &str) -> Watched<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let entry = (plugin, article.to_owned(), Instant::now());
        if let Ok(mut calls) = self.calls.lock() {
            calls.insert(id, entry);
        }
        Watched { watch: self, id }
    }

    /// Starts the watchdog thread; it ends when the host (the last strong reference) is gone.
    fn spawn(watch: Weak<Watch>, timeout: Duration, on_hang: fn(&PluginError)) {
        let tick = (timeout / 4).min(Duration::from_millis(100));
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(tick);
                let Some(watch) = watch.upgrade() else { return };
                let hung = watch.calls.lock().ok().and_then(|calls| {
                    calls.values().find(|(_, _, start)| start.elapsed() > timeout).cloned()
                });
                if let Some((plugin, article, _)) = hung {
                    let plugin = watch.names.get(plugin).cloned().unwrap_or_default();
                    on_hang(&PluginError::Hung { plugin, article, secs: timeout.as_secs_f64() });
                    return;
                }
            }
        });
    }
}

struct Candidate {
    plugin: Plugin,
    crate_name: Option<&'static str>,
}

/// The crate name a library file was built from: `libfactql_extractor_money.so` →
/// `factql_extractor_money`.
fn crate_of(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().trim_start_matches("lib").replace('-', "_"))
        .unwrap_or_default()
}

fn isolate_matches(config: &HostConfig, crate_name: &str) -> bool {
    match &config.isolate {
        crate::Isolate::None => false,
        crate::Isolate::All => true,
        crate::Isolate::Names(names) => names.iter().any(|name| {
            let name = name.replace('-', "_");
            crate_name == name || crate_name.ends_with(&format!("_{name}"))
        }),
    }
}

fn config_bytes(config: &HostConfig, name: &str) -> (Vec<u8>, String) {
    let pairs = config.plugin_config.get(name).cloned().unwrap_or_default();
    let bytes = encode(&Config { pairs }).unwrap_or_default();
    let hash = trust::sha256_hex(&bytes);
    (bytes, hash)
}

impl Host {
    /// Loads the bundled plugins in `statics` and every trusted plugin found through `config`,
    /// creates their instances and orders them by their dependencies.
    ///
    /// A file that fails a check is not loaded and is listed in [`Host::refused`]; the
    /// error returned is for what cannot run at all: a broken dependency graph.
    pub fn load(config: &HostConfig, statics: &[StaticPlugin]) -> Result<Host, PluginError> {
        let lock = trust::Lock::load(&config.lock)?;
        let mut host = Host {
            plugins: Vec::new(),
            refused: Vec::new(),
            shadowed: Vec::new(),
            warnings: Vec::new(),
            limits: config.limits,
            timeout: config.timeout,
            required: BTreeSet::new(),
            watch: None,
        };
        let mut loaded: Vec<Candidate> = Vec::new();
        for bundled in statics {
            match host.load_static(config, bundled) {
                Ok(plugin) => {
                    loaded.push(Candidate { plugin, crate_name: Some(bundled.crate_name) })
                }
                Err(error) => host.refused.push(Refused {
                    path: PathBuf::from(format!("bundled:{}", bundled.crate_name)),
                    explicit: true,
                    error,
                }),
            }
        }
        let mut seen = BTreeSet::new();
        for place in &config.search {
            for path in candidates(&place.path) {
                let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                if !seen.insert(key) {
                    continue;
                }
                let crate_name = crate_of(&path);
                let bundled = loaded.iter().find(|c| c.crate_name == Some(crate_name.as_str()));
                if let Some(bundled) = bundled
                    && !config.replace_bundled.contains(bundled.plugin.name())
                {
                    host.shadowed.push(Shadowed { path, by: bundled.plugin.name().to_owned() });
                    continue;
                }
                let plugin = match host.load_dynamic(config, &lock, &path, &crate_name) {
                    Ok(plugin) => plugin,
                    Err(error) => {
                        host.refused.push(Refused { path, explicit: place.explicit, error });
                        continue;
                    }
                };
                match loaded.iter().position(|c| c.plugin.name() == plugin.name()) {
                    Some(idx)
                        if loaded[idx].plugin.origin == Origin::Bundled
                            && config.replace_bundled.contains(plugin.name()) =>
                    {
                        host.warnings.push(format!(
                            "plugin {}: {} replaces the bundled plugin (replace_bundled = {})",
                            plugin.name(),
                            path.display(),
                            plugin.name()
                        ));
                        loaded[idx] = Candidate { plugin, crate_name: None };
                    }
                    Some(idx) => {
                        let error = PluginError::Duplicate {
                            plugin: plugin.name().to_owned(),
                            first: loaded[idx].plugin.origin.to_string(),
                            second: path.display().to_string(),
                        };
                        host.refused.push(Refused { path, explicit: place.explicit, error });
                    }
                    None => loaded.push(Candidate { plugin, crate_name: None }),
                }
            }
        }
        let manifests: Vec<&Manifest> = loaded.iter().map(|c| &c.plugin.manifest).collect();
        let order = graph::order(&manifests)?;
        let mut slots: Vec<Option<Plugin>> = loaded.into_iter().map(|c| Some(c.plugin)).collect();
        host.plugins = order.into_iter().filter_map(|idx| slots[idx].take()).collect();
        host.required =
            host.plugins.iter().flat_map(|p| p.manifest.requires.iter().cloned()).collect();
        if let Some(on_hang) = config.on_hang
            && host.plugins.iter().any(|p| !p.isolated())
        {
            let names = host.plugins.iter().map(|p| p.name().to_owned()).collect();
            let watch = Arc::new(Watch { names, ..Watch::default() });
            Watch::spawn(Arc::downgrade(&watch), config.timeout, on_hang);
            host.watch = Some(watch);
        }
        Ok(host)
    }

    fn finish(
        manifest: Manifest,
        origin: Origin,
        sha256: Option<String>,
        sdk: String,
        config_hash: String,
        backend: Backend,
    ) -> Result<Plugin, PluginError> {
        let mut schema = Schema::default();
        for kind in &manifest.produces {
            schema.declare(kind_schema(kind)).map_err(|err| PluginError::Manifest {
                plugin: manifest.name.clone(),
                reason: err.to_string(),
            })?;
        }
        let types = Kinds::new(&manifest.mention_types, &manifest.entity_kinds)
            .map_err(|reason| PluginError::Manifest { plugin: manifest.name.clone(), reason })?;
        let checker = Checker::new(
            manifest.produces.iter().map(kind_schema).collect(),
            types,
            ExtractorRef { name: manifest.name.clone(), version: manifest.version.clone() },
        );
        Ok(Plugin {
            manifest,
            origin,
            sha256,
            sdk,
            config_hash,
            schema,
            checker,
            backend,
            quarantine: Mutex::new(None),
            panics: AtomicUsize::new(0),
        })
    }

    fn in_process(
        config: &HostConfig,
        entry: EntryFn,
        label: &str,
        origin: Origin,
        sha256: Option<String>,
    ) -> Result<Plugin, PluginError> {
        let (table, manifest) = load::bind(entry, label, false)?;
        let (bytes, config_hash) = config_bytes(config, &manifest.name);
        let instance = call::create(table, &bytes).map_err(|reply| PluginError::Create {
            plugin: manifest.name.clone(),
            status: status_name(Status(reply.status)),
            message: reply.errors.join("; "),
        })?;
        // SAFETY: the SDK string is 'static in the plugin.
        let sdk = unsafe { load::borrow(table.sdk_version.ptr, table.sdk_version.len) };
        let sdk = String::from_utf8_lossy(sdk).into_owned();
        let serial = (manifest.threading == wire::Threading::Serial).then(|| Mutex::new(()));
        Host::finish(
            manifest,
            origin,
            sha256,
            sdk,
            config_hash,
            Backend::InProcess { table, instance, serial },
        )
    }

    fn isolated(
        &self,
        config: &HostConfig,
        target: &std::path::Path,
        image: Option<OwnedFd>,
        sha256: &str,
        label: &str,
        origin: Origin,
    ) -> Result<Plugin, PluginError> {
        let Some(runner) = &config.runner else {
            return Err(PluginError::Runner {
                plugin: label.to_owned(),
                program: PathBuf::new(),
                message: "no runner is configured".into(),
            });
        };
        let runner_err = |message: String| PluginError::Runner {
            plugin: label.to_owned(),
            program: runner.program.clone(),
            message,
        };
        let confinement =
            Confinement { memory_mib: config.memory_mib, readable: config.readable.clone() };
        let (mut child, crate::isolate::Hello { manifest, sdk, sandbox, .. }) = Child::spawn(
            runner,
            target,
            image.as_ref().map(AsFd::as_fd),
            sha256,
            config.timeout,
            self.limits,
            &confinement,
        )
        .map_err(runner_err)?;
        let manifest: Manifest = decode(&manifest).map_err(|err| PluginError::Manifest {
            plugin: label.to_owned(),
            reason: format!("does not decode ({err})"),
        })?;
        check_manifest(&manifest)
            .map_err(|reason| PluginError::Manifest { plugin: manifest.name.clone(), reason })?;
        let (bytes, config_hash) = config_bytes(config, &manifest.name);
        let create =
            ToRunner::Create { config: bytes.clone(), max_bytes: self.limits.max_bytes as u64 };
        match child.call(&create) {
            Ok(reply) if reply.status == 0 => {}
            Ok(reply) => {
                return Err(PluginError::Create {
                    plugin: manifest.name.clone(),
                    status: status_name(Status(reply.status)),
                    message: reply.errors.join("; "),
                });
            }
            Err(failure) => return Err(runner_err(child.describe(failure))),
        }
        let spawner = Spawner {
            runner: runner.clone(),
            target: target.to_path_buf(),
            image,
            sha256: sha256.to_owned(),
            timeout: config.timeout,
            limits: self.limits,
            confinement,
            config: bytes,
            max: std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let sha256 = match origin {
            Origin::Bundled => None,
            Origin::Path(_) => Some(sha256.to_owned()),
        };
        let backend = Backend::Isolated {
            idle: Mutex::new(vec![child]),
            ready: Condvar::new(),
            live: AtomicUsize::new(1),
            spawner: Box::new(spawner),
            sandbox,
        };
        Host::finish(manifest, origin, sha256, sdk, config_hash, backend)
    }

    fn load_static(
        &self,
        config: &HostConfig,
        bundled: &StaticPlugin,
    ) -> Result<Plugin, PluginError> {
        if isolate_matches(config, bundled.crate_name) {
            let target = PathBuf::from(format!("bundled:{}", bundled.crate_name));
            return self.isolated(config, &target, None, "-", bundled.crate_name, Origin::Bundled);
        }
        Host::in_process(config, bundled.entry, bundled.crate_name, Origin::Bundled, None)
    }

    fn load_dynamic(
        &self,
        config: &HostConfig,
        lock: &trust::Lock,
        path: &std::path::Path,
        crate_name: &str,
    ) -> Result<Plugin, PluginError> {
        // Every check that does not run the file's code comes first: dlopen runs constructors.
        let verified = trust::verify(path, config.allow_symlinks, lock)?;
        let symbol = load::entry_symbol(&verified, path)?;
        let origin = Origin::Path(path.to_path_buf());
        let label = file_label(path);
        if isolate_matches(config, crate_name) {
            return self.isolated(
                config,
                &verified.path,
                Some(verified.image),
                &verified.sha256,
                &label,
                origin,
            );
        }
        if let crate::Isolate::Names(names) = &config.isolate {
            // `--isolate NAME` names plugins, and a plugin's name is in its manifest, which
            // only its code can give: ask an isolated runner first, so the plugin's code
            // runs in-process only once it is known not to be one of those named.
            let image = sys::dup_cloexec(verified.image.as_raw_fd()).map_err(|source| {
                PluginError::Io { plugin: label.clone(), path: path.to_path_buf(), source }
            })?;
            let probe = self.isolated(
                config,
                &verified.path,
                Some(image),
                &verified.sha256,
                &label,
                origin.clone(),
            )?;
            if names.contains(probe.name()) {
                return Ok(probe);
            }
        }
        let entry = load::open(verified.image, &verified.path, &symbol)?;
        Host::in_process(config, entry, &label, origin, Some(verified.sha256))
    }

    /// The loaded plugins, in run order.
    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// Files that were found but not loaded.
    pub fn refused(&self) -> &[Refused] {
        &self.refused
    }

    /// Dynamic files skipped because the bundled plugin of the same crate is used.
    pub fn shadowed(&self) -> &[Shadowed] {
        &self.shadowed
    }

    /// Warnings from loading (a dynamic plugin replacing a bundled one).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// `name` and the plugins that require its kinds, directly or not; `None` when no plugin
    /// has that name.
    pub fn dependants(&self, name: &str) -> Option<BTreeSet<String>> {
        self.plugins.iter().any(|p| p.name() == name).then(|| {
            let manifests: Vec<&Manifest> = self.plugins.iter().map(|p| &p.manifest).collect();
            graph::dependants(&manifests, name)
        })
    }

    /// Runs every plugin on `article`, in dependency order; a plugin receives the facts of the
    /// kinds it requires. One outcome per plugin, in run order.
    pub fn extract(&self, article: &Article) -> Vec<Outcome> {
        let sentences: Vec<wire::Span> =
            article.sentences.iter().map(|s| wire::Span::new(s.span.start, s.span.end)).collect();
        let boilerplate: Vec<u32> =
            article.sentences.iter().filter(|s| s.boilerplate).map(|s| s.index as u32).collect();
        // The inputs of a plugin that requires nothing are the same for every such plugin.
        let mut plain: Option<Result<Vec<u8>, String>> = None;
        let mut produced: BTreeMap<&str, (usize, Vec<wire::Fact>)> = BTreeMap::new();
        let mut failed: BTreeMap<&str, &str> = BTreeMap::new();
        // For plugins that read mentions: those of the plugins before them, and who failed.
        let readers = self.plugins.iter().any(|p| p.manifest.reads_mentions);
        // Their mentions and entities in wire form, appended once per producing plugin, and
        // the ids of those entities (arguments may point at them).
        let mut mentions = wire::MentionInputs::default();
        let mut entity_ids: HashSet<String> = HashSet::new();
        // The inputs of a reader that requires nothing, for the mentions gathered so far: the
        // same for every such reader until another plugin adds mentions.
        let mut reading: Option<((u64, u64), EncodedInputs)> = None;
        let mut mentions_failed: Option<&str> = None;
        let mut outcomes = Vec::with_capacity(self.plugins.len());
        for (idx, plugin) in self.plugins.iter().enumerate() {
            let reads = plugin.manifest.reads_mentions;
            let missing = plugin
                .manifest
                .requires
                .iter()
                .find_map(|kind| failed.get(kind.as_str()).copied())
                .or(mentions_failed.filter(|_| reads));
            let result = match missing {
                Some(provider) => Err(PluginError::ProviderFailed {
                    plugin: plugin.name().to_owned(),
                    article: article.id.0.clone(),
                    provider: provider.to_owned(),
                }),
                None => {
                    let none = wire::MentionInputs::default();
                    let encode = |facts: &[wire::Fact]| {
                        let m = if reads { &mentions } else { &none };
                        let published = article.published.as_deref();
                        wire::encode_inputs_with(&sentences, &boilerplate, facts, m, published)
                            .map_err(|err| err.to_string())
                    };
                    let with_facts;
                    let inputs = if plugin.manifest.requires.is_empty() && !reads {
                        plain.get_or_insert_with(|| encode(&[]))
                    } else if plugin.manifest.requires.is_empty() {
                        let now = mentions.len();
                        if reading.as_ref().is_some_and(|(at, _)| *at != now) {
                            reading = None;
                        }
                        &reading.get_or_insert_with(|| (now, encode(&[]))).1
                    } else {
                        let facts: Vec<wire::Fact> = plugin
                            .manifest
                            .requires
                            .iter()
                            .filter_map(|kind| produced.get(kind.as_str()))
                            .flat_map(|(_, facts)| facts.iter().cloned())
                            .collect();
                        with_facts = encode(&facts);
                        &with_facts
                    };
                    inputs
                        .as_deref()
                        .map_err(|message| PluginError::Call {
                            plugin: plugin.name().to_owned(),
                            article: article.id.0.clone(),
                            status: "bad input".into(),
                            message: message.clone(),
                        })
                        .and_then(|inputs| {
                            let known = |id: &str| reads && entity_ids.contains(id);
                            self.run(idx, plugin, article, inputs, &known)
                        })
                }
            };
            match &result {
                Ok((extraction, _)) if readers && plugin.checker.types.any() => {
                    for mention in &extraction.mentions {
                        push_mention(&mut mentions, mention);
                    }
                    for entity in &extraction.entities {
                        mentions.push_entity(
                            &entity.id,
                            &entity.kind,
                            &entity.name,
                            &entity.aliases,
                            entity.wikidata.as_deref(),
                        );
                        entity_ids.insert(entity.id.clone());
                    }
                }
                Err(_) if plugin.checker.types.any() => {
                    mentions_failed.get_or_insert(plugin.name());
                }
                _ => {}
            }
            match &result {
                Ok((_, needed)) => {
                    for kind in &plugin.manifest.produces {
                        if self.required.contains(&kind.name) {
                            let facts =
                                needed.iter().filter(|f| f.kind == kind.name).cloned().collect();
                            produced.insert(&kind.name, (idx, facts));
                        }
                    }
                }
                Err(_) => {
                    for kind in &plugin.manifest.produces {
                        failed.insert(&kind.name, plugin.name());
                    }
                }
            }
            outcomes
                .push(Outcome { plugin: idx, result: result.map(|(extraction, _)| extraction) });
        }
        outcomes
    }

    fn run(
        &self,
        idx: usize,
        plugin: &Plugin,
        article: &Article,
        inputs: &[u8],
        known: &dyn Fn(&str) -> bool,
    ) -> Result<(Extraction, Vec<wire::Fact>), PluginError> {
        let name = || plugin.name().to_owned();
        let id = || article.id.0.clone();
        if plugin.quarantined().is_some() {
            return Err(PluginError::Quarantined { plugin: name() });
        }
        let reply = match &plugin.backend {
            Backend::InProcess { table, instance, serial } => {
                let _turn = serial.as_ref().map(|m| m.lock());
                let _watched = self.watch.as_ref().map(|w| w.enter(idx, &article.id.0));
                call::extract(table, instance, &article.id.0, &article.text, inputs, self.limits)
            }
            Backend::Isolated { idle, ready, live, spawner, .. } => {
                let quarantine = |error: PluginError| {
                    plugin.set_quarantine(error.to_string());
                    if let Ok(mut idle) = idle.lock() {
                        idle.clear();
                    }
                    ready.notify_all();
                    error
                };
                // Take an idle child, or start one more below the limit, or wait for one.
                let mut child = {
                    let mut waiting =
                        idle.lock().map_err(|_| PluginError::Quarantined { plugin: name() })?;
                    loop {
                        if plugin.quarantined().is_some() {
                            return Err(PluginError::Quarantined { plugin: name() });
                        }
                        if let Some(child) = waiting.pop() {
                            break child;
                        }
                        if live.load(Ordering::Relaxed) < spawner.max {
                            live.fetch_add(1, Ordering::Relaxed);
                            drop(waiting);
                            match spawner.spawn() {
                                Ok(child) => break child,
                                Err(what) => {
                                    live.fetch_sub(1, Ordering::Relaxed);
                                    let what = format!("could not be started: {what}");
                                    return Err(quarantine(PluginError::Crashed {
                                        plugin: name(),
                                        article: id(),
                                        what,
                                    }));
                                }
                            }
                        }
                        waiting = ready
                            .wait(waiting)
                            .map_err(|_| PluginError::Quarantined { plugin: name() })?;
                    }
                };
                let request = ToRunner::Extract {
                    article_id: article.id.0.clone(),
                    text: article.text.clone(),
                    inputs: inputs.to_vec(),
                };
                match child.call(&request) {
                    Ok(reply) => {
                        if let Ok(mut idle) = idle.lock() {
                            idle.push(child);
                        }
                        ready.notify_one();
                        reply
                    }
                    Err(failure) => {
                        live.fetch_sub(1, Ordering::Relaxed);
                        drop(child);
                        let error = match failure {
                            Failure::Timeout => PluginError::Timeout {
                                plugin: name(),
                                article: id(),
                                secs: self.timeout.as_secs_f64(),
                            },
                            Failure::Crashed(what) => {
                                PluginError::Crashed { plugin: name(), article: id(), what }
                            }
                        };
                        return Err(quarantine(error));
                    }
                }
            }
        };
        if reply.status != Status::OK.0 {
            if reply.status == Status::PANICKED.0
                && plugin.panics.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_PANICS
            {
                plugin.set_quarantine(format!("{MAX_PANICS} panics"));
            }
            return Err(PluginError::Call {
                plugin: name(),
                article: id(),
                status: status_name(Status(reply.status)),
                message: reply.errors.join("; "),
            });
        }
        let invalid =
            |reason: String| PluginError::Invalid { plugin: name(), article: id(), reason };
        // The common case in one pass over the bytes; anything unusual goes the long way below,
        // which names the problem.
        let feeds_others = plugin.manifest.produces.iter().any(|k| self.required.contains(&k.name));
        match batch::read(&plugin.checker, article, &reply.batches, self.limits.max_items, known) {
            Read::Ok(extraction) if !feeds_others => return Ok((extraction, Vec::new())),
            Read::Ok(extraction) => {
                // Facts other plugins require are also kept in wire form for their inputs.
                let mut needed = Vec::new();
                for bytes in &reply.batches {
                    let part: Batch = decode(bytes)
                        .map_err(|err| invalid(format!("a batch does not decode ({err})")))?;
                    needed
                        .extend(part.facts.into_iter().filter(|f| self.required.contains(&f.kind)));
                }
                return Ok((extraction, needed));
            }
            Read::Reject(reason) => return Err(invalid(reason)),
            Read::Fallback => {}
        }
        let mut batch = Batch { schema: WIRE_SCHEMA, ..Batch::default() };
        let mut parts = reply.batches.iter();
        if reply.batches.len() == 1
            && let Some(bytes) = parts.next()
        {
            batch =
                decode(bytes).map_err(|err| invalid(format!("a batch does not decode ({err})")))?;
            if batch.mentions.len() + batch.facts.len() > self.limits.max_items {
                return Err(invalid(format!(
                    "more than {} facts and mentions",
                    self.limits.max_items
                )));
            }
        }
        for bytes in parts {
            let part: Batch =
                decode(bytes).map_err(|err| invalid(format!("a batch does not decode ({err})")))?;
            if part.schema != WIRE_SCHEMA {
                return Err(invalid(format!(
                    "batch schema {} (this host reads {WIRE_SCHEMA})",
                    part.schema
                )));
            }
            batch.mentions.extend(part.mentions);
            batch.facts.extend(part.facts);
            batch.entities.extend(part.entities);
            if batch.mentions.len() + batch.facts.len() > self.limits.max_items {
                return Err(invalid(format!(
                    "more than {} facts and mentions",
                    self.limits.max_items
                )));
            }
        }
        if batch.schema != WIRE_SCHEMA {
            return Err(invalid(format!(
                "batch schema {} (this host reads {WIRE_SCHEMA})",
                batch.schema
            )));
        }
        // Facts other plugins require are kept in wire form for their inputs; the rest move.
        let needed: Vec<wire::Fact> = if self.required.is_empty() {
            Vec::new()
        } else {
            batch.facts.iter().filter(|f| self.required.contains(&f.kind)).cloned().collect()
        };
        let extraction = validate(
            &plugin.manifest,
            &plugin.checker.types,
            &plugin.schema,
            &plugin.checker.extractor,
            article,
            batch,
            known,
        )
        .map_err(invalid)?;
        Ok((extraction, needed))
    }
}

/// A plugin's inputs in wire form, or why they could not be encoded.
type EncodedInputs = Result<Vec<u8>, String>;

/// A checked mention as a reading plugin receives it.
fn push_mention(out: &mut wire::MentionInputs, mention: &factql_model::Mention) {
    let span = mention.provenance.span;
    out.push_mention(
        wire::Span::new(span.start, span.end),
        &mention.ent_type,
        match mention.level {
            factql_model::MentionLevel::Name => wire::MentionLevel::Name,
            factql_model::MentionLevel::Nominal => wire::MentionLevel::Nominal,
            factql_model::MentionLevel::Pronoun => wire::MentionLevel::Pronoun,
            factql_model::MentionLevel::Demonym => wire::MentionLevel::Demonym,
        },
        mention.entity.as_deref(),
        mention.provenance.confidence,
    );
}

/// Serves a bundled plugin (target `bundled:<crate>`) or a file in a runner process.
pub fn serve_target(
    target: &str,
    sha256: &str,
    statics: &[StaticPlugin],
) -> std::process::ExitCode {
    crate::isolate::limit_memory();
    let mut runner = match crate::isolate::prepare() {
        Ok(runner) => runner,
        Err(message) => return crate::isolate::refuse(None, message),
    };
    match target.strip_prefix("bundled:") {
        Some(crate_name) => match statics.iter().find(|s| s.crate_name == crate_name) {
            Some(bundled) => crate::isolate::serve_entry(runner, bundled.entry, crate_name),
            None => {
                crate::isolate::refuse(Some(&mut runner), format!("no bundled plugin {crate_name}"))
            }
        },
        None => crate::isolate::serve(runner, std::path::Path::new(target), sha256),
    }
}

/// The runner command for the `factql` binary itself.
pub fn self_runner(subcommand: &str) -> Option<RunnerCommand> {
    let program = std::env::current_exe().ok()?;
    Some(RunnerCommand { program, args: vec![subcommand.to_owned()], env: Vec::new() })
}

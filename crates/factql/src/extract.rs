//! Running extractor plugins: loading the host, running the plugin graph over articles in
//! parallel, storing what they found in article order, and `factql reextract`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use factql_model::{Article, ExtractorRef};
use factql_plugin_host::{Host, HostConfig, Outcome, StaticPlugin};
use factql_store::{RunId, Store, StoreError};

/// The hidden subcommand that turns `factql` into the runner of an isolated plugin.
pub(crate) const RUNNER_SUBCOMMAND: &str = "__plugin-runner";

/// The extractors linked into the binary.
pub(crate) const BUNDLED: &[StaticPlugin] = &[
    StaticPlugin {
        crate_name: "factql_extractor_dates",
        entry: factql_extractor_dates::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_entities",
        entry: factql_extractor_entities::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_events",
        entry: factql_extractor_events::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_money",
        entry: factql_extractor_money::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_quotes",
        entry: factql_extractor_quotes::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_roles",
        entry: factql_extractor_roles::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_tone",
        entry: factql_extractor_tone::factql_plugin_entry,
    },
];

/// What the bundled extractors fill, read from their manifests (plain Rust calls, no plugin is
/// loaded): the checker names them when a source is empty or missing.
pub(crate) fn bundled_producers() -> Vec<factql_engine::Producer> {
    use factql_plugin_sdk::Extractor;
    let manifests = [
        factql_extractor_dates::Dates::manifest(),
        factql_extractor_entities::Entities::manifest(),
        factql_extractor_money::Money::manifest(),
        factql_extractor_roles::Roles::manifest(),
        factql_extractor_tone::Tone::manifest(),
    ];
    manifests
        .into_iter()
        .map(|manifest| {
            let mut entity_kinds: Vec<String> = manifest
                .mention_types
                .iter()
                .filter_map(|t| factql_model::entity_kind(t, &manifest.entity_kinds))
                .map(str::to_owned)
                .collect();
            entity_kinds.sort();
            entity_kinds.dedup();
            factql_engine::Producer {
                plugin: manifest.name,
                bundled: true,
                kinds: manifest.produces.into_iter().map(|kind| kind.name).collect(),
                entity_kinds,
            }
        })
        .collect()
}

/// The user's factql configuration folder (`$XDG_CONFIG_HOME/factql` or `~/.config/factql`).
pub(crate) fn user_dir() -> Option<PathBuf> {
    factql_plugin_host::user_dir(std::env::var_os("XDG_CONFIG_HOME"), std::env::var_os("HOME"))
}

/// The plugin configuration from the trust root (`$FACTQL_PLUGIN_CONFIG`, else the user's
/// configuration folder, or the current folder if the user allowed it), plus
/// `$FACTQL_PLUGIN_PATH`, `<exe_dir>/plugins`, `<exe_dir>`, and `$FACTQL_PLUGINS_LOCK`.
pub(crate) fn host_config(isolate: &[String]) -> anyhow::Result<HostConfig> {
    host_config_with(isolate, &[])
}

/// [`host_config`] with `extra` plugin files or folders searched first (the REPL's `.load`).
pub(crate) fn host_config_with(
    isolate: &[String],
    extra: &[PathBuf],
) -> anyhow::Result<HostConfig> {
    let exe = std::env::current_exe().ok();
    let sources = factql_plugin_host::Sources {
        config_env: std::env::var_os("FACTQL_PLUGIN_CONFIG").map(PathBuf::from),
        lock_env: std::env::var_os("FACTQL_PLUGINS_LOCK").map(PathBuf::from),
        plugin_path: std::env::var_os("FACTQL_PLUGIN_PATH"),
        user_dir: user_dir(),
        cwd: std::env::current_dir().ok(),
        exe_dir: exe.as_deref().and_then(std::path::Path::parent).map(PathBuf::from),
    };
    let mut config = HostConfig::locate(&sources)?;
    if let Ok(secs) = std::env::var("FACTQL_PLUGIN_TIMEOUT_SECS") {
        config.timeout = factql_plugin_host::parse_timeout_secs(&secs)
            .map_err(|why| anyhow::anyhow!("FACTQL_PLUGIN_TIMEOUT_SECS {why}"))?;
    }
    if let Ok(mib) = std::env::var("FACTQL_PLUGIN_MEMORY_MIB") {
        config.memory_mib = Some(
            factql_plugin_host::parse_memory_mib(&mib)
                .map_err(|why| anyhow::anyhow!("FACTQL_PLUGIN_MEMORY_MIB {why}"))?,
        );
    }
    for name in isolate {
        config.isolate.add(name);
    }
    for (idx, path) in extra.iter().enumerate() {
        config
            .search
            .insert(idx, factql_plugin_host::SearchDir { path: path.clone(), explicit: true });
    }
    config.runner = factql_plugin_host::self_runner(RUNNER_SUBCOMMAND).map(|mut runner| {
        // mimalloc (the global allocator) reserves address space 1 GiB at a time, on its first
        // allocation, before the runner sets its memory limit (an address-space limit): with
        // that reservation nothing more could be mapped, not even the plugin. 16 MiB at a time
        // (the value is in KiB) keeps the runner within the limit.
        runner.env.push(("MIMALLOC_ARENA_RESERVE".into(), "16384".into()));
        runner
    });
    config.on_hang = Some(on_hang);
    Ok(config)
}

/// A plugin hung in-process: its thread cannot be stopped, so say which and stop (exit 3).
/// Every batch committed before stays in the store.
fn on_hang(err: &factql_plugin_host::PluginError) {
    eprintln!("error: {err}");
    std::process::exit(3);
}

/// Loads the bundled and dynamic plugins; warns about configured files that were refused.
pub(crate) fn load_host(isolate: &[String]) -> anyhow::Result<Host> {
    load_host_with(isolate, &[])
}

/// [`load_host`] with `extra` plugin files or folders searched first.
pub(crate) fn load_host_with(isolate: &[String], extra: &[PathBuf]) -> anyhow::Result<Host> {
    let config = host_config_with(isolate, extra)?;
    for notice in &config.notices {
        eprintln!("note: {notice}");
    }
    let host = Host::load(&config, BUNDLED).context("cannot set up the extractor plugins")?;
    for warning in host.warnings() {
        eprintln!("warning: {warning}");
    }
    for refused in host.refused().iter().filter(|refused| refused.explicit) {
        eprintln!("warning: {}", refused.error);
    }
    if let factql_plugin_host::Isolate::Names(names) = &config.isolate {
        for name in names {
            let crate_suffix = format!("_{}", name.replace('-', "_"));
            let matched = host.plugins().iter().filter(|p| p.isolated()).any(|p| {
                p.name() == name
                    || matches!(p.origin(), factql_plugin_host::Origin::Path(path)
                        if path.file_stem().is_some_and(|s| s.to_string_lossy().ends_with(&crate_suffix)))
            });
            if !matched {
                eprintln!("warning: --isolate {name}: no loaded plugin has that name");
            }
        }
    }
    Ok(host)
}

/// One ingest's or re-extraction's use of the plugins: a run per plugin, and what happened.
pub(crate) struct Runner {
    host: Host,
    /// Per plugin (run order): its run, when it is selected to store output.
    runs: Vec<Option<RunId>>,
    /// Per plugin: true when no finished run of this version exists, so already stored
    /// (unchanged) articles need it too.
    new_to_store: Vec<bool>,
    /// Facts stored, per plugin.
    facts: Vec<usize>,
    /// Mentions stored, per plugin.
    mentions: Vec<usize>,
    /// Articles that failed, per plugin.
    failures: Vec<usize>,
    /// Articles this run has already given to the plugins.
    handled: std::collections::HashSet<factql_model::ArticleId>,
}

impl Runner {
    /// Declares the plugins' kinds and starts a run for each plugin in `only` (all when
    /// `None`).
    pub(crate) fn start(
        store: &mut Store,
        host: Host,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Runner, StoreError> {
        let n = host.plugins().len();
        let mut runs = Vec::with_capacity(n);
        let mut new_to_store = Vec::with_capacity(n);
        for plugin in host.plugins() {
            let selected = only.is_none_or(|names| names.contains(plugin.name()));
            let extractor =
                ExtractorRef { name: plugin.name().into(), version: plugin.version().into() };
            new_to_store.push(!store.has_finished_run(&extractor, plugin.config_hash())?);
            if selected {
                store.redeclare_kinds(&plugin.kinds(), plugin.name())?;
                runs.push(Some(store.begin_run(&extractor, plugin.config_hash())?));
            } else {
                runs.push(None);
            }
        }
        Ok(Runner {
            host,
            runs,
            new_to_store,
            facts: vec![0; n],
            mentions: vec![0; n],
            failures: vec![0; n],
            handled: std::collections::HashSet::new(),
        })
    }

    /// True when some plugin has never finished a run over this store, so unchanged articles
    /// must go through the plugins too.
    pub(crate) fn wants_unchanged(&self) -> bool {
        self.runs.iter().zip(&self.new_to_store).any(|(run, new)| run.is_some() && *new)
    }

    /// Runs the plugins over `articles` in parallel and stores their output in article order.
    /// `fresh[i]` is false for an article already stored before this run: only plugins new to
    /// the store write for it.
    pub(crate) fn run_batch(
        &mut self,
        store: &mut Store,
        articles: &[&Article],
        fresh: &[bool],
    ) -> Result<(), StoreError> {
        self.handled.extend(articles.iter().map(|article| article.id.clone()));
        let results = parallel_extract(&self.host, articles);
        // One transaction per plugin and batch, articles in input order: deterministic rows.
        let mut found: Vec<Vec<(&factql_model::ArticleId, factql_store::Extraction, bool)>> =
            (0..self.runs.len()).map(|_| Vec::new()).collect();
        for ((article, outcomes), fresh) in articles.iter().zip(results).zip(fresh) {
            for Outcome { plugin, result } in outcomes {
                if self.runs[plugin].is_none() || (!fresh && !self.new_to_store[plugin]) {
                    continue;
                }
                match result {
                    Ok(extraction) => found[plugin].push((&article.id, extraction, *fresh)),
                    Err(err) => {
                        self.failures[plugin] += 1;
                        eprintln!("warning: {err}");
                    }
                }
            }
        }
        // Every plugin's rows of the batch in one transaction; an article this ingest has
        // just stored (fresh) holds no rows yet, so nothing is deleted for it first.
        let mut refs = Vec::with_capacity(found.len());
        for (plugin, items) in found.iter().enumerate() {
            let Some(run) = self.runs[plugin] else { continue };
            if items.is_empty() {
                continue;
            }
            self.facts[plugin] += items.iter().map(|(_, e, _)| e.facts.len()).sum::<usize>();
            self.mentions[plugin] += items.iter().map(|(_, e, _)| e.mentions.len()).sum::<usize>();
            let rows: Vec<(&factql_model::ArticleId, &factql_store::Extraction)> =
                items.iter().map(|(id, e, _)| (*id, e)).collect();
            let new: Vec<bool> = items.iter().map(|(_, _, new)| *new).collect();
            refs.push((run, plugin, rows, new));
        }
        let sets: Vec<factql_store::ExtractionSet<'_>> = refs
            .iter()
            .map(|(run, plugin, rows, new)| factql_store::ExtractionSet {
                run: *run,
                extractor: self.host.plugins()[*plugin].name(),
                items: rows,
                new,
            })
            .collect();
        if !sets.is_empty() {
            store.write_extraction_sets(&sets)?;
        }
        Ok(())
    }

    /// Finishes the runs and prints one line per plugin.
    pub(crate) fn finish(mut self, store: &mut Store) -> Result<(), StoreError> {
        self.catch_up(store)?;
        for (idx, plugin) in self.host.plugins().iter().enumerate() {
            let Some(run) = self.runs[idx] else { continue };
            store.finish_run(run)?;
            let mut line = format!(
                "  plugin {} {} ({}): {} facts",
                plugin.name(),
                plugin.version(),
                plugin.origin(),
                self.facts[idx]
            );
            if self.mentions[idx] > 0 {
                line.push_str(&format!(", {} mentions", self.mentions[idx]));
            }
            if self.failures[idx] > 0 {
                line.push_str(&format!(", failed on {} articles", self.failures[idx]));
            }
            if plugin.quarantined().is_some() {
                line.push_str(", quarantined");
            }
            println!("{line}");
        }
        Ok(())
    }
}

impl Runner {
    /// A plugin new to this store (no finished run of its version) owes the whole store, not
    /// only the articles this run read: it goes over every stored article it has not seen yet,
    /// before its run is marked finished.
    fn catch_up(&mut self, store: &mut Store) -> Result<(), StoreError> {
        if !self.wants_unchanged() {
            return Ok(());
        }
        let pending: Vec<factql_model::ArticleId> =
            store.article_ids()?.into_iter().filter(|id| !self.handled.contains(id)).collect();
        if pending.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = self
            .host
            .plugins()
            .iter()
            .enumerate()
            .filter(|(idx, _)| self.runs[*idx].is_some() && self.new_to_store[*idx])
            .map(|(_, plugin)| plugin.name())
            .collect();
        println!(
            "  catching up: {} new to this store, {} stored article{}",
            names.join(", "),
            pending.len(),
            if pending.len() == 1 { "" } else { "s" }
        );
        for chunk in pending.chunks(64) {
            let mut articles = Vec::with_capacity(chunk.len());
            for id in chunk {
                if let Some(article) = store.article(id)? {
                    articles.push(article);
                }
            }
            let refs: Vec<&Article> = articles.iter().collect();
            let fresh = vec![false; refs.len()];
            self.run_batch(store, &refs, &fresh)?;
        }
        Ok(())
    }
}

/// Runs the host over `articles` on all cores; results come back in article order.
pub(crate) fn parallel_extract(host: &Host, articles: &[&Article]) -> Vec<Vec<Outcome>> {
    let workers =
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(articles.len()).max(1);
    if workers == 1 {
        return articles.iter().map(|article| host.extract(article)).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Vec<Outcome>>>> =
        Mutex::new((0..articles.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let idx = next.fetch_add(1, Ordering::Relaxed);
                    let Some(article) = articles.get(idx) else { return };
                    let outcomes = host.extract(article);
                    if let Ok(mut slots) = slots.lock() {
                        slots[idx] = Some(outcomes);
                    }
                }
            });
        }
    });
    slots.into_inner().unwrap_or_default().into_iter().map(Option::unwrap_or_default).collect()
}

/// `factql reextract --plugin NAME`: re-runs NAME and the plugins that require its kinds over
/// every stored article, replacing only their rows.
pub(crate) fn reextract(
    store: &mut Store,
    name: &str,
    isolate: &[String],
) -> anyhow::Result<ExitCode> {
    let host = load_host(isolate)?;
    let Some(selected) = host.dependants(name) else {
        let loaded: Vec<&str> = host.plugins().iter().map(|p| p.name()).collect();
        eprintln!("error: no plugin named {name} is loaded (loaded: {})", loaded.join(", "));
        return Ok(ExitCode::from(2));
    };
    let mut runner = Runner::start(store, host, Some(&selected))?;
    for plugin in &selected {
        let removed = store.delete_extractor_rows(plugin)?;
        println!("reextract {plugin}: removed {removed} rows");
    }
    let ids = store.article_ids()?;
    for chunk in ids.chunks(64) {
        let mut articles = Vec::with_capacity(chunk.len());
        for id in chunk {
            if let Some(article) = store.article(id)? {
                articles.push(article);
            }
        }
        let refs: Vec<&Article> = articles.iter().collect();
        runner.run_batch(store, &refs, &vec![true; refs.len()])?;
    }
    println!("reextract over {} articles:", ids.len());
    runner.finish(store)?;
    Ok(ExitCode::SUCCESS)
}

impl Runner {
    /// After a batch is written: runs the plugins on the articles it stored or changed, and on
    /// unchanged ones when a plugin is new to the store; duplicates are not stored, so skipped.
    pub(crate) fn after_batch(
        &mut self,
        store: &mut Store,
        articles: &[Article],
        outcomes: &[factql_store::Outcome],
    ) -> Result<(), StoreError> {
        use factql_store::Outcome as Written;
        let wants_unchanged = self.wants_unchanged();
        let mut selected = Vec::with_capacity(articles.len());
        let mut fresh = Vec::with_capacity(articles.len());
        for (article, outcome) in articles.iter().zip(outcomes) {
            match outcome {
                Written::Ingested | Written::Updated { .. } => {
                    selected.push(article);
                    fresh.push(true);
                }
                Written::Unchanged if wants_unchanged => {
                    selected.push(article);
                    fresh.push(false);
                }
                _ => {}
            }
        }
        self.run_batch(store, &selected, &fresh)
    }
}

//! The session: everything the REPL remembers between entries, and [`Session::eval`], which
//! turns one entry (a query, a `let`, a dot command) into output. No terminal is involved,
//! so every behaviour of the REPL is tested here.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use factql_engine::{Context, Diagnostic, Engine, EngineError, Relation, RunOptions, Severity};
use factql_store::Store;
use factql_syntax::{Statement, parse};

use super::chart::Chart;
use super::render::{Fit, Mode};

/// How the session shows things.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// A person at a terminal: lets are acknowledged, results are fitted.
    pub interactive: bool,
    /// Colour and highlighting escape codes.
    pub color: bool,
    /// Room for results.
    pub fit: Fit,
}

impl Settings {
    /// A script's settings: every row, no width limit, no escape codes.
    pub(crate) const SCRIPT: Settings =
        Settings { interactive: false, color: false, fit: Fit::ALL };
}

/// What an entry printed: results (stdout) and messages (stderr).
#[derive(Debug, Default)]
pub(crate) struct Output {
    /// Results.
    pub out: String,
    /// Diagnostics, notes and errors.
    pub err: String,
    /// The entry asked to end the session.
    pub quit: bool,
    /// Something went wrong (a script ends with exit code 1).
    pub failed: bool,
}

impl Output {
    /// Records an error message.
    pub(crate) fn error(&mut self, message: impl std::fmt::Display) {
        self.err.push_str(&format!("error: {message}\n"));
        self.failed = true;
    }
}

/// What the store's files looked like when it was loaded: size and modification time of the
/// database and of its write-ahead log. Another process's commit appends to the log (or,
/// after a checkpoint, rewrites the database), so a change of either means reload. A
/// spurious change (a checkpoint with no new data) only costs a reload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stamp([Option<(u64, Option<SystemTime>)>; 2]);

impl Stamp {
    pub(crate) fn of(db: &Path) -> Stamp {
        let file = |path: &Path| std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().ok()));
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        Stamp([file(db), file(Path::new(&wal))])
    }
}

/// The REPL's state.
pub(crate) struct Session {
    pub(super) db: PathBuf,
    pub(super) isolate: Vec<String>,
    /// Plugin files loaded with `.load`, searched again by later `.ingest`s.
    pub(super) plugin_paths: Vec<PathBuf>,
    pub(super) store: Store,
    pub(super) engine: Rc<Engine>,
    stamp: Stamp,
    /// Parameters, `let` definitions and `_`.
    pub(super) ctx: Context,
    /// The text of the last query that ran, for a line starting with `|`.
    pub(super) last_query: Option<String>,
    pub(super) last_chart: Option<Chart>,
    pub(super) mode: Mode,
    pub(super) timer: bool,
    pub(super) settings: Settings,
    /// Set by Ctrl-C while a query runs.
    cancel: Arc<AtomicBool>,
    /// How deep `.read` is nested.
    pub(super) read_depth: usize,
    /// How many reloads happened (tests watch it).
    pub(super) loads: usize,
}

/// The most rows one stage may produce.
const ROW_LIMIT: usize = 5_000_000;

impl Session {
    /// Opens the store at `db` and loads it.
    pub(crate) fn open(
        db: &Path,
        isolate: &[String],
        settings: Settings,
        cancel: Arc<AtomicBool>,
    ) -> anyhow::Result<Session> {
        let store = crate::cli::open_read_only(db)?;
        let engine = Rc::new(load(&store, db)?);
        Ok(Session {
            db: db.to_owned(),
            isolate: isolate.to_vec(),
            plugin_paths: Vec::new(),
            store,
            engine,
            stamp: Stamp::of(db),
            ctx: Context { producers: crate::extract::bundled_producers(), ..Context::default() },
            last_query: None,
            last_chart: None,
            mode: Mode::Table,
            timer: false,
            settings,
            cancel,
            read_depth: 0,
            loads: 1,
        })
    }

    /// The loaded store.
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The loaded store, shared (the line editor's completer keeps it while it reads).
    pub(crate) fn shared_engine(&self) -> Rc<Engine> {
        self.engine.clone()
    }

    /// Parameters, `let` definitions and the last result.
    pub(crate) fn context(&self) -> &Context {
        &self.ctx
    }

    /// True when Ctrl-C was pressed during the last entry.
    pub(super) fn interrupted(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// True at a terminal.
    pub(crate) fn is_interactive(&self) -> bool {
        self.settings.interactive
    }

    /// The terminal's size changed.
    pub(crate) fn set_fit(&mut self, fit: Fit) {
        self.settings.fit = fit;
    }

    /// Runs one entry. Nothing ends the session but `.quit`: errors, bad files, failing
    /// plugins and panics below are all reported in the output.
    pub(crate) fn eval(&mut self, entry: &str) -> Output {
        self.guarded(|session, out| session.eval_entry(entry, out))
    }

    /// Runs `f`, turning a panic into an error in the output.
    pub(super) fn guarded(&mut self, f: impl FnOnce(&mut Session, &mut Output)) -> Output {
        let mut out = Output::default();
        let result = catch_unwind(AssertUnwindSafe(|| f(self, &mut out)));
        if let Err(payload) = result {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            out.error(format!(
                "internal error: {message} ({}; the session goes on)",
                super::take_panic_location().unwrap_or_else(|| "no location".into())
            ));
        }
        out
    }

    fn eval_entry(&mut self, entry: &str, out: &mut Output) {
        // A Ctrl-C that ended something before belongs to it: a second one during this
        // entry must not count as the repeated press that ends the process.
        self.cancel.store(false, Ordering::SeqCst);
        let trimmed = entry.trim();
        if trimmed.is_empty() {
            return;
        }
        if super::input::is_dot_command(trimmed) {
            if let Err(err) = self.dot(trimmed, out) {
                out.error(format!("{err:#}"));
            }
            return;
        }
        let text = if trimmed.starts_with('|') {
            let Some(previous) = &self.last_query else {
                out.error(
                    "a line starting with `|` extends the previous query, and there is none yet",
                );
                return;
            };
            format!("{previous}\n{trimmed}")
        } else {
            entry.trim_end().to_owned()
        };
        self.run_script(&text, out);
    }

    /// Reloads the store if another process (or this one) changed it since it was loaded.
    pub(super) fn refresh(&mut self, out: &mut Output) -> anyhow::Result<()> {
        if Stamp::of(&self.db) != self.stamp {
            self.reload()?;
            out.err.push_str("(the store changed on disk: reloaded; `_` was cleared)\n");
        }
        Ok(())
    }

    /// Loads the store again. Results of the old load point into it, so `_` and the last
    /// chart are dropped.
    pub(super) fn reload(&mut self) -> anyhow::Result<()> {
        // Opened again: a writer may have migrated the file since (the connection keeps the
        // schema version it opened at).
        self.store = crate::cli::open_read_only(&self.db)?;
        self.engine = Rc::new(load(&self.store, &self.db)?);
        self.stamp = Stamp::of(&self.db);
        self.ctx.last = None;
        self.last_chart = None;
        self.loads += 1;
        Ok(())
    }

    /// Runs a script (lets and queries): nothing runs when it has a syntax error; otherwise
    /// each query is checked and run in turn, and each result printed, so a query may use
    /// `_` from the one before.
    pub(super) fn run_script(&mut self, text: &str, out: &mut Output) {
        if let Err(err) = self.refresh(out) {
            out.error(format!("{err:#}"));
            return;
        }
        let parsed = parse(text);
        if !parsed.errors.is_empty() {
            // Every syntax error (and what can be checked around them) at once; nothing runs.
            let checked = self.engine.check(text, &self.ctx);
            self.report(text, &checked.diagnostics, out);
            return;
        }
        for statement in &parsed.script.statements {
            match statement {
                Statement::Let(def) => {
                    self.ctx.lets.insert(def.name.name.clone(), def.clone());
                    if self.settings.interactive {
                        out.err.push_str(&format!("(defined `{}`)\n", def.name.name));
                    }
                }
                Statement::Query(query) => {
                    let source = text.get(query.span.range()).unwrap_or(text);
                    if !self.run_query(source, out) {
                        return;
                    }
                }
                Statement::Meta(_) => {}
            }
        }
    }

    /// Checks and runs one query, prints its result and remembers it as `_`; false when it
    /// did not run to the end.
    pub(super) fn run_query(&mut self, source: &str, out: &mut Output) -> bool {
        self.run_query_with(source, out, false)
    }

    /// A query during which Ctrl-C is pressed as soon as it starts.
    #[cfg(test)]
    pub(super) fn run_cancelled(&mut self, source: &str) -> Output {
        self.guarded(|session, out| {
            session.run_query_with(source, out, true);
        })
    }

    fn run_query_with(&mut self, source: &str, out: &mut Output, interrupted: bool) -> bool {
        let checked = self.engine.check(source, &self.ctx);
        self.report(source, &checked.diagnostics, out);
        let Some(plan) = checked.plan else {
            out.failed = true;
            return false;
        };
        // A Ctrl-C from before this query (one that ended another) does not cancel it.
        self.cancel.store(interrupted, Ordering::SeqCst);
        let options = RunOptions {
            row_limit: ROW_LIMIT,
            cancel: Some(self.cancel.clone()),
            ..RunOptions::default()
        };
        let started = Instant::now();
        let relation = match self.engine.run(&plan, &options) {
            Ok(relation) => relation,
            Err(EngineError::Cancelled) => {
                out.err.push_str("query cancelled\n");
                out.failed = true;
                return false;
            }
            Err(EngineError::RowLimit { stage, name, limit, span }) => {
                let diagnostic = Diagnostic {
                    severity: Severity::Error,
                    code: "E0501",
                    message: format!("stage {stage} (`{name}`) produced more than {limit} rows"),
                    span,
                    label: "too many rows".into(),
                    help: Some("narrow the query (where, take)".into()),
                    notes: Vec::new(),
                };
                self.report(source, &[diagnostic], out);
                out.failed = true;
                return false;
            }
            Err(err) => {
                out.error(err);
                return false;
            }
        };
        let elapsed = started.elapsed();
        let relation = Arc::new(relation);
        self.show_result(&relation, out);
        if let Some(kind) = plan.render() {
            match Chart::of(self.engine.dataset(), &relation, kind) {
                Ok(chart) => {
                    if matches!(self.mode, Mode::Table | Mode::Vertical) {
                        out.out.push('\n');
                        out.out.push_str(&chart.draw(self.settings.fit.width.unwrap_or(100)));
                    }
                    self.last_chart = Some(chart);
                }
                Err(message) => out.err.push_str(&format!("{message}\n")),
            }
        }
        if self.timer {
            out.out.push_str(&format!("time: {:.3} ms\n", elapsed.as_secs_f64() * 1000.0));
        }
        self.last_query = Some(self.expand_last(source));
        self.ctx.last = Some(relation);
        true
    }

    /// The text of a query with a leading `_` replaced by the query that made `_`, so that a
    /// later `| stage` line extends what the person sees.
    fn expand_last(&self, source: &str) -> String {
        let trimmed = source.trim_start();
        if let (Some(rest), Some(previous)) = (trimmed.strip_prefix('_'), &self.last_query)
            && (rest.is_empty() || rest.trim_start().starts_with('|'))
        {
            return format!("{previous}\n{}", rest.trim_start());
        }
        source.to_owned()
    }

    /// Prints a result in the current mode.
    pub(super) fn show_result(&self, relation: &Relation, out: &mut Output) {
        let text =
            super::render::render(self.engine.dataset(), relation, self.mode, self.settings.fit);
        out.out.push_str(&text);
    }

    /// Renders diagnostics (with colour when the session has it).
    pub(super) fn report(&self, source: &str, diagnostics: &[Diagnostic], out: &mut Output) {
        for d in diagnostics {
            out.err.push_str(&factql_syntax::render(source, d, self.settings.color));
        }
        let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        if errors > 0 {
            out.failed = true;
            out.err.push_str(&format!(
                "{errors} error{}; nothing was run\n",
                if errors == 1 { "" } else { "s" }
            ));
        }
    }
}

/// The engine from the store's image when it is current, else from the store (and then the
/// image is rewritten, quietly: failing to write it only means the next start reads the
/// store again).
fn load(store: &Store, db: &Path) -> anyhow::Result<Engine> {
    use anyhow::Context as _;
    let (engine, loaded) =
        Engine::open(store).with_context(|| format!("cannot load {}", db.display()))?;
    if matches!(loaded, factql_engine::Loaded::Store(_)) {
        let _ = engine.write_image(store);
    }
    Ok(engine)
}

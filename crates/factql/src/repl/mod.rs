//! The REPL: `factql` with no arguments (or `factql repl`).
//!
//! [`Session::eval`](session::Session::eval) is the whole REPL without a terminal: one entry
//! in, output out. A [`LineSource`] feeds it entries: the line editor on a terminal
//! (`editor.rs`: completion, highlighting, hints, history), or plain lines from a pipe or a
//! file (`factql < questions.fql`), assembled into entries the same way
//! (`input::split_entries`) and printed with no escape codes.
//!
//! One job per file: `session.rs` (state, queries, reload), `dot.rs` (dot commands),
//! `help.rs`, `input.rs` (when an entry is complete), `render.rs` (modes, tables),
//! `chart.rs` (terminal and SVG charts), `complete.rs` (what Tab offers), `highlight.rs`,
//! `editor.rs` (rustyline glue).

mod chart;
mod complete;
mod dot;
mod editor;
mod help;
mod highlight;
mod input;
mod render;
mod session;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

pub(crate) use session::{Session, Settings};

/// What a line source gives.
pub(crate) enum Entry {
    /// A complete entry (a query, possibly of several lines, or a dot command).
    Text(String),
    /// Ctrl-C at the prompt: the line was dropped.
    Interrupted,
    /// End of input (Ctrl-D, end of the script).
    Eof,
}

/// Where entries come from: the line editor, or the lines of a script.
pub(crate) trait LineSource {
    /// The next entry; `session` is there for completion and the prompt.
    fn next_entry(&mut self, session: &Session) -> Entry;
    /// Called after an entry ran (the editor keeps history).
    fn ran(&mut self, _entry: &str) {}
    /// The room results may take, asked before each entry (the terminal may have resized);
    /// `None` keeps the session's.
    fn fit(&mut self) -> Option<render::Fit> {
        None
    }
}

/// A script's lines (stdin or a string), assembled into entries as they come.
pub(crate) struct Script<I> {
    entries: input::Entries<I>,
}

impl<I: Iterator<Item = String>> Script<I> {
    /// The entries of `lines`.
    pub(crate) fn new(lines: I) -> Script<I> {
        Script { entries: input::Entries::new(lines) }
    }
}

impl<I: Iterator<Item = String>> LineSource for Script<I> {
    fn next_entry(&mut self, _session: &Session) -> Entry {
        self.entries.next().map_or(Entry::Eof, Entry::Text)
    }
}

/// `factql` with no arguments and `factql repl`: on a terminal the line editor, otherwise
/// the script on stdin. An empty store first gets the bundled corpus.
pub(crate) fn run(db: &Path, isolate: &[String]) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    // A new or empty store gets the sample corpus; one that exists and has articles is only
    // read (it may be in a folder this user cannot write).
    let has_articles = db.exists() && crate::cli::open_read_only(db)?.article_count()? > 0;
    if !has_articles {
        match crate::cli::open(db) {
            Ok(mut store) => {
                crate::stats::ingest_bundled_if_empty(&mut store, db, isolate)?;
            }
            // An empty store nobody may write here is still opened, as it is.
            Err(err)
                if db.exists()
                    && matches!(
                        err.downcast_ref::<factql_store::StoreError>(),
                        Some(factql_store::StoreError::ReadOnly { .. })
                    ) =>
            {
                eprintln!("note: {err:#}; the sample corpus was not added");
            }
            Err(err) => return Err(err),
        }
    }
    install_panic_hook();
    let cancel = Arc::new(AtomicBool::new(false));
    if interactive {
        // Ctrl-C while a query runs sets the engine's cancel flag; a second Ctrl-C before the
        // flag is cleared (something that does not check it, such as `.ingest`) ends the
        // process. At the prompt the terminal is raw, so Ctrl-C is a key, not a signal.
        use signal_hook::consts::SIGINT;
        signal_hook::flag::register_conditional_shutdown(SIGINT, 130, cancel.clone())?;
        signal_hook::flag::register(SIGINT, cancel.clone())?;
        let settings = Settings {
            interactive: true,
            // https://no-color.org: a set NO_COLOR turns colours off.
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            fit: render::Fit { width: Some(100), max_rows: Some(40) },
        };
        // A large store takes a while to load: say what is happening.
        eprint!("loading {}...", db.display());
        let started = std::time::Instant::now();
        let session = Session::open(db, isolate, settings, cancel);
        eprint!("\r\u{1b}[K");
        let mut session = session?;
        println!(
            "factql REPL on {} ({} articles, loaded in {:.2} s). `.help` for help, Tab to complete, Ctrl-D to leave.",
            db.display(),
            session.engine().dataset().sources().first().map_or(0, |s| s.rows),
            started.elapsed().as_secs_f64()
        );
        let mut editor = editor::Editor::new(settings.color)?;
        drive(&mut session, &mut editor)
    } else {
        let mut session = Session::open(db, isolate, Settings::SCRIPT, cancel)?;
        let lines = std::io::stdin().lines().map_while(Result::ok);
        drive(&mut session, &mut Script::new(lines))
    }
}

/// Reads and runs entries until the end or `.quit`; exit code 1 if an entry failed and the
/// input was a script.
pub(crate) fn drive(
    session: &mut Session,
    source: &mut dyn LineSource,
) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    loop {
        match source.next_entry(session) {
            Entry::Text(text) => {
                if let Some(fit) = source.fit() {
                    session.set_fit(fit);
                }
                let output = session.eval(&text);
                source.ran(&text);
                failed |= output.failed;
                // A closed pipe or terminal is not worth a backtrace: stop quietly.
                if emit(&output).is_err() || output.quit {
                    break;
                }
            }
            Entry::Interrupted => continue,
            Entry::Eof => break,
        }
    }
    Ok(if failed && !session.is_interactive() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Writes an entry's output: results to stdout, messages to stderr.
fn emit(output: &session::Output) -> std::io::Result<()> {
    if !output.out.is_empty() {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(output.out.as_bytes())?;
        stdout.flush()?;
    }
    if !output.err.is_empty() {
        let _ = std::io::stderr().write_all(output.err.as_bytes());
    }
    Ok(())
}

/// Where the last panic happened, for the session's report of it.
static PANIC_LOCATION: Mutex<Option<String>> = Mutex::new(None);

/// The location of the last caught panic.
pub(crate) fn take_panic_location() -> Option<String> {
    PANIC_LOCATION.lock().ok().and_then(|mut slot| slot.take())
}

/// Panics below the REPL are caught and reported by the session; this hook records where
/// instead of printing a backtrace over the prompt.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut slot) = PANIC_LOCATION.lock() {
            *slot = info.location().map(|l| format!("at {}:{}", l.file(), l.line()));
        }
    }));
}

#[cfg(test)]
mod tests;

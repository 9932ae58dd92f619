//! The line editor on a terminal: rustyline with the REPL's completion, highlighting,
//! history hints and multi-line validation, and a history file under the user's data folder.
//!
//! rustyline (not reedline) because it builds with a handful of small crates where reedline
//! brings crossterm, chrono and more, and it has what the REPL needs: a completer with
//! descriptions in its list, a validator for multi-line entries, a highlighter, history
//! hints, Ctrl-R search and a history file that keeps a multi-line entry as one.

use std::borrow::Cow;
use std::path::PathBuf;
use std::rc::Rc;

use factql_engine::{Context, Engine};
use rustyline::completion::{Candidate, Completer, FilenameCompleter};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::history::{FileHistory, History as _};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Helper};

use super::complete::{Completion, complete};
use super::render::Fit;
use super::{Entry, LineSource, Session};

/// What the completer knows: the loaded store and the session's context, refreshed before
/// each prompt.
struct ReplHelper {
    engine: Option<Rc<Engine>>,
    ctx: Context,
    files: FilenameCompleter,
    hinter: HistoryHinter,
    /// Highlighting on (off with `NO_COLOR`).
    color: bool,
}

/// A completion candidate: what replaces the word, and what the list shows.
pub(crate) struct Choice {
    display: String,
    replacement: String,
}

impl Candidate for Choice {
    fn display(&self) -> &str {
        &self.display
    }

    fn replacement(&self) -> &str {
        &self.replacement
    }
}

impl Completer for ReplHelper {
    type Candidate = Choice;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Choice>)> {
        let Some(engine) = &self.engine else { return Ok((pos, Vec::new())) };
        match complete(engine, &self.ctx, line, pos) {
            Completion::Words { start, suggestions } => {
                let width =
                    suggestions.iter().map(|s| s.replacement.chars().count()).max().unwrap_or(0);
                let choices = suggestions
                    .into_iter()
                    .map(|s| Choice {
                        display: if s.description.is_empty() {
                            s.replacement.clone()
                        } else {
                            format!("{:<width$}  {}", s.replacement, s.description)
                        },
                        replacement: s.replacement,
                    })
                    .collect();
                Ok((start, choices))
            }
            Completion::Files => {
                let (start, pairs) = self.files.complete(line, pos, ctx)?;
                Ok((
                    start,
                    pairs
                        .into_iter()
                        .map(|p| Choice { display: p.display, replacement: p.replacement })
                        .collect(),
                ))
            }
        }
    }
}

impl ReplHelper {
    /// Where the checker finds a name it does not know (codes E02xx and E03xx: sources,
    /// fields, columns, functions, relations, entities). Syntax errors are left alone: while
    /// a query is typed, its end is always missing something.
    fn unknown_names(&self, line: &str) -> Vec<std::ops::Range<usize>> {
        let Some(engine) = &self.engine else { return Vec::new() };
        if super::input::is_dot_command(line) || line.trim().is_empty() {
            return Vec::new();
        }
        engine
            .check(line, &self.ctx)
            .diagnostics
            .iter()
            .filter(|d| d.code.starts_with("E02") || d.code.starts_with("E03"))
            .filter(|d| d.message.starts_with("unknown") || d.message.starts_with("no "))
            .map(|d| d.span.range())
            .collect()
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &rustyline::Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(super::highlight::highlight(line, &self.unknown_names(line)))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if !self.color {
            return Cow::Borrowed(hint);
        }
        Cow::Owned(format!("\u{1b}[2m{hint}\u{1b}[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if super::input::is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for ReplHelper {}

/// The terminal line source.
pub(crate) struct Editor {
    rl: rustyline::Editor<ReplHelper, FileHistory>,
    history: Option<PathBuf>,
}

/// The history file: `$FACTQL_HISTORY`, else `$XDG_DATA_HOME/factql/history`, else
/// `~/.local/share/factql/history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FACTQL_HISTORY") {
        return Some(PathBuf::from(path));
    }
    let data =
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).filter(|p| p.is_absolute()).or_else(
            || std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")),
        )?;
    Some(data.join("factql").join("history"))
}

impl Editor {
    /// A line editor with the history file loaded (a missing or unreadable one is not an
    /// error: the session starts with an empty history).
    pub(crate) fn new(color: bool) -> anyhow::Result<Editor> {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .max_history_size(10_000)?
            .history_ignore_dups(true)?
            .history_ignore_space(true)
            .auto_add_history(false)
            .build();
        let mut rl = rustyline::Editor::with_config(config)?;
        rl.set_helper(Some(ReplHelper {
            engine: None,
            ctx: Context::default(),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
            color,
        }));
        let history = history_path();
        if let Some(path) = &history {
            let _ = rl.load_history(path);
        }
        Ok(Editor { rl, history })
    }
}

impl LineSource for Editor {
    fn next_entry(&mut self, session: &Session) -> Entry {
        if let Some(helper) = self.rl.helper_mut() {
            helper.engine = Some(session.shared_engine());
            helper.ctx = session.context().clone();
        }
        match self.rl.readline("» ") {
            Ok(line) => Entry::Text(line),
            Err(ReadlineError::Interrupted) => Entry::Interrupted,
            Err(ReadlineError::Eof) => Entry::Eof,
            Err(err) => {
                eprintln!("error: cannot read the terminal: {err}");
                Entry::Eof
            }
        }
    }

    fn ran(&mut self, entry: &str) {
        if entry.trim().is_empty() {
            return;
        }
        let _ = self.rl.add_history_entry(entry);
        // Saved after every entry, so a killed session keeps its history.
        if let Some(path) = &self.history {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = self.rl.history_mut().save(path);
        }
    }

    fn fit(&mut self) -> Option<Fit> {
        // A terminal that reports no size (0 columns or rows) gets the usual 80 x 24.
        self.rl.dimensions().map(|(cols, rows)| {
            let cols = if cols < 20 { 80 } else { usize::from(cols) };
            let rows = if rows < 5 { 24 } else { usize::from(rows) };
            // The rows of a table: what fits under the prompt with the header and footer.
            Fit { width: Some(cols), max_rows: Some(rows.saturating_sub(8).max(10)) }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init, reason = "one range expected, not a range of values")]
    fn unknown_names_are_found_as_they_are_typed_and_missing_ends_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let helper = ReplHelper {
            engine: Some(Rc::new(Engine::load(&store).unwrap())),
            ctx: Context::default(),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
            color: true,
        };
        assert_eq!(helper.unknown_names("articles | where titel == 1"), [17..22]);
        assert_eq!(helper.unknown_names("artcles | take 1"), [0..7]);
        assert_eq!(helper.unknown_names("articles | where mentions(person \"Nobody\")"), [33..41]);
        assert!(helper.unknown_names("articles | where title ==").is_empty());
        assert!(helper.unknown_names("articles | wh").is_empty());
        assert!(helper.unknown_names(".mode csv").is_empty());
    }
}

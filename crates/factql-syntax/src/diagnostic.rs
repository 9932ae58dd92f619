//! Findings about a query as people read them: the [`Diagnostic`] type (syntax errors here,
//! name, type and data findings in the engine) and [`render`], the one renderer the CLI, the
//! REPL and the snapshot tests of this crate and the engine share. Rendering returns text;
//! printing it is the caller's.

use crate::error::{Note, ParseError};
use crate::span::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The query does not run.
    Error,
    /// The query runs, but something was chosen for the user.
    Warning,
}

/// One finding about a query: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code: `E01xx` syntax, `E02xx` names and fields, `E03xx` entities,
    /// `E04xx` types and stages, `W02xx` values and sources the data does not hold,
    /// `W03xx` entity choices.
    pub code: &'static str,
    /// What is wrong, in one line.
    pub message: String,
    /// The bytes of the query it is about.
    pub span: Span,
    /// A short label for the marked bytes.
    pub label: String,
    /// How to fix it, if there is a fix.
    pub help: Option<String>,
    /// Other places that explain it (where an unclosed bracket or string was opened).
    pub notes: Vec<Note>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            if self.severity == Severity::Error { "error" } else { "warning" },
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl ParseError {
    /// This syntax error as a diagnostic (code `E0100`): labelled with what was found, the
    /// hint as help, else what was expected when the message does not already say it and
    /// the list is short, and the note kept.
    pub fn diagnostic(&self) -> Diagnostic {
        let label = format!("found {}", self.found);
        let mut help = self.hint.clone();
        let message = self.to_string();
        if help.is_none()
            && !message.starts_with("expected")
            && !self.expected.is_empty()
            && self.expected.len() <= 8
        {
            let expected: Vec<String> = self.expected.iter().map(ToString::to_string).collect();
            help = Some(format!("expected one of: {}", expected.join(", ")));
        }
        Diagnostic {
            severity: Severity::Error,
            code: "E0100",
            message,
            span: self.span,
            label,
            help,
            notes: self.note.iter().cloned().collect(),
        }
    }
}

/// `diagnostic` drawn for a person (by ariadne): the code and message, the query line with
/// the marked bytes labelled, each note's place labelled, then the help; coloured when
/// `color`. `source` is the text the spans point into.
pub fn render(source: &str, diagnostic: &Diagnostic, color: bool) -> String {
    use ariadne::{Color, Config, Label, Report, ReportKind, Source};
    let d = diagnostic;
    let kind = if d.severity == Severity::Error { ReportKind::Error } else { ReportKind::Warning };
    let chars = |span: Span| {
        let start = source[..span.start.min(source.len())].chars().count();
        let end = source[..span.end.min(source.len())].chars().count().max(start + 1);
        start..end
    };
    let range = chars(d.span);
    let mut report = Report::build(kind, ("query", range.clone()))
        .with_config(Config::default().with_color(color))
        .with_code(d.code)
        .with_message(&d.message)
        .with_label(Label::new(("query", range)).with_message(&d.label).with_color(Color::Red));
    for note in &d.notes {
        report = report.with_label(
            Label::new(("query", chars(note.span)))
                .with_message(&note.message)
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    // Pad a position past the end (a missing token at end of input) so it can be drawn.
    let padded = format!("{source} ");
    if report.finish().write(("query", Source::from(padded.as_str())), &mut out).is_err() {
        return format!("{d}\n");
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every diagnostic of `diagnostics` rendered ([`render`]), one after the other.
pub fn render_all(source: &str, diagnostics: &[Diagnostic], color: bool) -> String {
    diagnostics.iter().map(|d| render(source, d, color)).collect()
}

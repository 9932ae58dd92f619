//! Errors of reading one input; each names the input, and the line for JSON Lines.

use std::fmt;
use std::path::PathBuf;

/// Reading one input (or one record of it) failed; the input is skipped, nothing else is.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {kind}")]
pub struct IngestError {
    /// The input: a path, or `<stdin>`, with `:line` for a record of JSON Lines.
    pub origin: Origin,
    /// What went wrong.
    #[source]
    pub kind: ErrorKind,
}

/// Where an input came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file, or `<stdin>`, or the name of an in-memory input.
    pub name: String,
    /// The 1-based line, for a record of JSON Lines.
    pub line: Option<usize>,
}

impl Origin {
    /// The origin of a whole input.
    pub fn whole(name: impl Into<String>) -> Origin {
        Origin { name: name.into(), line: None }
    }

    /// The origin of one line of an input.
    pub fn line(name: impl Into<String>, line: usize) -> Origin {
        Origin { name: name.into(), line: Some(line) }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// Why an input was skipped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The path does not exist.
    #[error("no such file or directory")]
    NotFound,
    /// The input could not be read.
    #[error("cannot read: {0}")]
    Io(#[source] std::io::Error),
    /// A directory could not be walked.
    #[error("cannot walk directory {}: {message}", path.display())]
    Walk {
        /// The directory entry that failed.
        path: PathBuf,
        /// What went wrong (a symlink loop, a permission error).
        message: String,
    },
    /// The input holds nothing but whitespace.
    #[error("empty file")]
    Empty,
    /// The input looks like binary data, not text.
    #[error("binary file (a NUL or control byte at byte {offset}), not an article")]
    Binary {
        /// Offset of the first byte that gave it away.
        offset: usize,
    },
    /// The input mixes valid multi-byte UTF-8 with invalid bytes: damaged, not legacy.
    #[error("invalid UTF-8 at line {line}, byte {offset}")]
    InvalidUtf8 {
        /// 1-based line of the bad byte.
        line: usize,
        /// Offset of the bad byte in the file.
        offset: usize,
    },
    /// The input is larger than the configured limit for one article.
    #[error("{size} bytes, over the limit of {limit} bytes for one article")]
    TooLarge {
        /// Size of the input.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// JSON that does not parse.
    #[error("invalid JSON at {}column {column}: {message}", line.map(|l| format!("line {l}, ")).unwrap_or_default())]
    Json {
        /// 1-based line in the file; `None` for a JSON Lines record, whose origin names the line.
        line: Option<usize>,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A JSON record that is not an article.
    #[error("{0}")]
    Record(String),
    /// An HTML page without readable text.
    #[error("no article text found in the HTML")]
    NoText,
    /// An HTML page nested deeper than browsers build (its parse would take quadratic time).
    #[error(
        "HTML elements nested {depth} deep, over the limit of {limit} (browsers stop nesting at 512); not parsed"
    )]
    TooDeep {
        /// How deep it got before the check stopped.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Reading the input took longer than its time budget; the run goes on without it.
    #[error("not read within its time budget of {secs}s; skipped")]
    OverBudget {
        /// The budget.
        secs: f64,
    },
    /// A symbolic link inside a walked folder leads out of it, and was not followed.
    #[error("symbolic link to {} leads out of the folder; not followed (--follow-symlinks reads it)", target.display())]
    LinkOutside {
        /// Where it leads.
        target: std::path::PathBuf,
    },
}

impl ErrorKind {
    /// A JSON syntax error, positioned; `record` says the text was one JSON Lines record.
    pub(crate) fn json(err: &serde_json::Error, record: bool) -> ErrorKind {
        let text = err.to_string();
        let message = match text.rfind(" at line ") {
            Some(at) => text[..at].to_owned(),
            None => text,
        };
        ErrorKind::Json { line: (!record).then(|| err.line()), column: err.column(), message }
    }
}

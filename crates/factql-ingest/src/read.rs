//! One input in, articles (or skip reasons) out: format detection, size limits, decoding.

use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use factql_model::Article;

use crate::build::{Draft, finish};
use crate::decode::decode;
use crate::normalize::normalize_text;
use crate::{ErrorKind, FieldMap, IngestError, Origin};

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input; the format is sniffed from the content.
    Stdin,
    /// Bytes held in memory (the bundled corpus), with a name that gives the format.
    Memory {
        /// Name of the input, e.g. `bundled/000_dcc1d3f2ccee5e65.txt`.
        name: String,
        /// The content.
        bytes: &'static [u8],
    },
}

impl Input {
    /// The input's name for messages: the path as given, `<stdin>`, or the memory name.
    pub fn name(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => "<stdin>".into(),
            Input::Memory { name, .. } => name.clone(),
        }
    }
}

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Which JSON fields hold title, body, url, date, source and language.
    pub fields: FieldMap,
    /// Inputs (or JSON Lines records) larger than this many bytes are skipped.
    pub max_article_bytes: u64,
    /// How long reading one whole document (text, Markdown, JSON, HTML) may take before it is
    /// skipped; the reader keeps running on a detached thread until it ends, the run goes on.
    pub time_budget: Duration,
}

/// The default [`Options::time_budget`].
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(10);

impl Default for Options {
    fn default() -> Options {
        Options {
            fields: FieldMap::default(),
            max_article_bytes: 16 * 1024 * 1024,
            time_budget: DEFAULT_TIME_BUDGET,
        }
    }
}

/// The input formats factql reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// `.txt`: first line title, a paragraph per line.
    Txt,
    /// `.md`: like text, with headings, blocks and front matter.
    Markdown,
    /// `.json`: one object, or an array of objects.
    Json,
    /// `.jsonl`, `.ndjson`: one object per line.
    JsonLines,
    /// `.html`, `.htm`.
    Html,
}

impl InputFormat {
    /// The format a file name's extension names, if any.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => InputFormat::Txt,
            "md" | "markdown" => InputFormat::Markdown,
            "json" => InputFormat::Json,
            "jsonl" | "ndjson" => InputFormat::JsonLines,
            "html" | "htm" | "xhtml" => InputFormat::Html,
            _ => return None,
        })
    }

    /// Guesses the format from the first bytes of content.
    fn sniff(bytes: &[u8]) -> InputFormat {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with('{') {
            // Several objects, one per line, are JSON Lines.
            let lines =
                bytes.split(|&b| b == b'\n').filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()));
            if lines.take(2).count() > 1 { InputFormat::JsonLines } else { InputFormat::Json }
        } else if head.starts_with('[') {
            InputFormat::Json
        } else if head.starts_with("<!doctype html")
            || head.starts_with("<html")
            || head.contains("<body")
        {
            InputFormat::Html
        } else {
            InputFormat::Txt
        }
    }
}

/// Reads one input and hands each article, or the reason it was skipped, to `sink`, in input
/// order. `sink` may stop the reading by returning [`ControlFlow::Break`].
///
/// An input that fails as a whole gives one error; a JSON Lines file gives one result per
/// non-blank line, so a bad line is skipped and the good ones around it are kept.
pub fn read_input(
    input: &Input,
    options: &Options,
    sink: &mut dyn FnMut(Result<Article, IngestError>) -> ControlFlow<()>,
) {
    let name = input.name();
    let whole = |kind| Err(IngestError { origin: Origin::whole(name.clone()), kind });
    let origin = match input {
        // Stored origins are absolute, so re-ingesting from another directory is recognised.
        Input::File(path) => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()).display().to_string()
        }
        other => other.name(),
    };
    let declared = match input {
        Input::File(path) => InputFormat::from_path(path),
        Input::Memory { name, .. } => InputFormat::from_path(Path::new(name)),
        Input::Stdin => None,
    };

    if declared == Some(InputFormat::JsonLines) {
        let reader: Box<dyn Read> = match input {
            Input::File(path) => match std::fs::File::open(path) {
                Ok(file) => Box::new(file),
                Err(err) => {
                    let _ = sink(whole(io_kind(err)));
                    return;
                }
            },
            Input::Stdin => Box::new(std::io::stdin()),
            Input::Memory { bytes, .. } => Box::new(*bytes),
        };
        read_json_lines(&name, &origin, reader, options, sink);
        return;
    }

    let bytes = match load(input, options.max_article_bytes) {
        Ok(bytes) => bytes,
        Err(kind) => {
            let _ = sink(whole(kind));
            return;
        }
    };
    // Standard input has no name that lasts: it is known by its content, so piping the same
    // articles twice finds them unchanged and new content never "updates" old.
    let origin = if *input == Input::Stdin {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&bytes);
        format!("<stdin {}>", digest.iter().take(6).map(|b| format!("{b:02x}")).collect::<String>())
    } else {
        origin
    };
    let format = declared.unwrap_or_else(|| InputFormat::sniff(&bytes));
    if format == InputFormat::JsonLines {
        read_json_lines(&name, &origin, bytes.as_slice(), options, sink);
        return;
    }
    let result = read_within_budget(origin, bytes, format, options)
        .map_err(|kind| IngestError { origin: Origin::whole(name.clone()), kind });
    match result {
        Ok(drafts) => {
            for draft in drafts {
                if sink(Ok(finish(draft))).is_break() {
                    return;
                }
            }
        }
        Err(err) => {
            let _ = sink(Err(err));
        }
    }
}

/// Reads the whole input, refusing one over `limit` bytes before reading it.
fn load(input: &Input, limit: u64) -> Result<Vec<u8>, ErrorKind> {
    match input {
        Input::File(path) => {
            let file = std::fs::File::open(path).map_err(io_kind)?;
            let size = file.metadata().map_err(ErrorKind::Io)?.len();
            if size > limit {
                return Err(ErrorKind::TooLarge { size, limit });
            }
            let mut bytes = Vec::with_capacity(size as usize);
            file.take(limit + 1).read_to_end(&mut bytes).map_err(ErrorKind::Io)?;
            Ok(bytes)
        }
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin().take(limit + 1).read_to_end(&mut bytes).map_err(ErrorKind::Io)?;
            if bytes.len() as u64 > limit {
                return Err(ErrorKind::TooLarge { size: bytes.len() as u64, limit });
            }
            Ok(bytes)
        }
        Input::Memory { bytes, .. } => Ok(bytes.to_vec()),
    }
}

fn io_kind(err: std::io::Error) -> ErrorKind {
    if err.kind() == std::io::ErrorKind::NotFound {
        ErrorKind::NotFound
    } else {
        ErrorKind::Io(err)
    }
}

/// [`read_document`] on a worker thread, given up after `options.time_budget`. No parser here
/// can be interrupted (html5ever has no cancellation), so a reader past its budget is left to
/// finish on its own and its result dropped: the run goes on at once, and the process's exit
/// ends the thread if it is still running. The HTML depth check refuses the known quadratic
/// pages before this budget is needed.
fn read_within_budget(
    origin: String,
    bytes: Vec<u8>,
    format: InputFormat,
    options: &Options,
) -> Result<Vec<Draft>, ErrorKind> {
    let (send, receive) = std::sync::mpsc::channel();
    let worker_options = options.clone();
    let spawned = std::thread::Builder::new().name("factql-read".into()).spawn(move || {
        let _ = send.send(read_document(origin, &bytes, format, &worker_options));
    });
    if let Err(err) = spawned {
        return Err(ErrorKind::Io(err));
    }
    match receive.recv_timeout(options.time_budget) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            Err(ErrorKind::OverBudget { secs: options.time_budget.as_secs_f64() })
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(ErrorKind::Io(std::io::Error::other("the reader thread panicked")))
        }
    }
}

fn read_document(
    origin: String,
    bytes: &[u8],
    format: InputFormat,
    options: &Options,
) -> Result<Vec<Draft>, ErrorKind> {
    let text = normalize_text(&decode(bytes, format == InputFormat::Html)?);
    match format {
        InputFormat::Txt => Ok(vec![crate::txt::read_text(origin, text, false)]),
        InputFormat::Markdown => Ok(vec![crate::txt::read_text(origin, text, true)]),
        InputFormat::Html => Ok(vec![crate::html::read_html(origin, &text)?]),
        InputFormat::Json | InputFormat::JsonLines => {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|err| ErrorKind::json(&err, false))?;
            match value {
                serde_json::Value::Array(records) => records
                    .into_iter()
                    .enumerate()
                    .map(|(idx, record)| {
                        crate::json::read_record(
                            format!("{origin}[{idx}]"),
                            record,
                            &options.fields,
                        )
                    })
                    .collect(),
                record => Ok(vec![crate::json::read_record(origin, record, &options.fields)?]),
            }
        }
    }
}

fn read_json_lines(
    name: &str,
    origin: &str,
    reader: impl Read,
    options: &Options,
    sink: &mut dyn FnMut(Result<Article, IngestError>) -> ControlFlow<()>,
) {
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    let mut line_no = 0;
    loop {
        line.clear();
        line_no += 1;
        let at = Origin::line(name, line_no);
        // Read at most the limit (plus the newline) so one huge line cannot exhaust memory.
        let read = (&mut reader).take(options.max_article_bytes + 2).read_until(b'\n', &mut line);
        let result = match read {
            Ok(0) => return,
            Ok(_)
                if line.len() as u64 > options.max_article_bytes + 1 && !line.ends_with(b"\n") =>
            {
                // Skip the rest of the oversized line.
                let mut rest = 0u64;
                loop {
                    match reader.fill_buf() {
                        Ok([]) | Err(_) => break,
                        Ok(buf) => {
                            let (n, done) = match buf.iter().position(|&b| b == b'\n') {
                                Some(pos) => (pos + 1, true),
                                None => (buf.len(), false),
                            };
                            rest += n as u64;
                            reader.consume(n);
                            if done {
                                break;
                            }
                        }
                    }
                }
                let size = line.len() as u64 + rest;
                Err(ErrorKind::TooLarge { size, limit: options.max_article_bytes })
            }
            Ok(_) => {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let record_line = if line_no == 1 && line.starts_with(b"\xEF\xBB\xBF") {
                    &line[3..]
                } else {
                    &line[..]
                };
                parse_line(record_line, line_no).and_then(|value| {
                    crate::json::read_record(format!("{origin}:{line_no}"), value, &options.fields)
                })
            }
            Err(err) => Err(ErrorKind::Io(err)),
        };
        let stop = match result {
            Ok(draft) => sink(Ok(finish(draft))),
            Err(kind) => sink(Err(IngestError { origin: at, kind })),
        };
        if stop.is_break() {
            return;
        }
    }
}

fn parse_line(line: &[u8], line_no: usize) -> Result<serde_json::Value, ErrorKind> {
    let text = std::str::from_utf8(line)
        .map_err(|err| ErrorKind::InvalidUtf8 { line: line_no, offset: err.valid_up_to() })?;
    let text = text.trim_end_matches(['\n', '\r']);
    serde_json::from_str(&normalize_text(text)).map_err(|err| ErrorKind::json(&err, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_over_its_time_budget_is_skipped_and_reading_goes_on() {
        // A legitimate (shallow) page of about 3 MB: parsing it takes far longer than 1 ms.
        let page = format!("<html><body>{}</body></html>", "<p>Some words here. ".repeat(150_000));
        let bytes: &'static [u8] = Box::leak(page.into_bytes().into_boxed_slice());
        let options = Options { time_budget: Duration::from_millis(1), ..Options::default() };
        let mut results = Vec::new();
        let input = Input::Memory { name: "big.html".into(), bytes };
        read_input(&input, &options, &mut |r| {
            results.push(r.map(|a| a.title).map_err(|e| e.to_string()));
            ControlFlow::Continue(())
        });
        assert_eq!(
            results,
            [Err("big.html: not read within its time budget of 0.001s; skipped".to_owned())]
        );
        // The next input is read as usual.
        let small = Input::Memory { name: "a.txt".into(), bytes: b"Title\n\nText here.\n" };
        let mut titles = Vec::new();
        read_input(&small, &Options::default(), &mut |r| {
            titles.push(r.map(|a| a.title).map_err(|e| e.to_string()));
            ControlFlow::Continue(())
        });
        assert_eq!(titles, [Ok("Title".to_owned())]);
    }
}

//! `factql extract PATH...`: run the extractor plugins over articles and print what they find,
//! one JSON line per article, without touching a store.
//!
//! Two formats:
//! - `jsonl`: the article's id, origin and title, then every plugin's entities, mentions and
//!   facts (spans as byte offsets into the article text, with the text they cover), and the
//!   plugins that failed on it;
//! - `ner-jsonl`: `{"id", "entities": [{"start", "end", "label"}]}` for NER scorers: the
//!   name-level mentions of people, places and organisations as `PER`, `LOC` and `ORG`, with
//!   byte offsets into the text as given (for a JSON Lines record: its body field exactly as
//!   in the file), and the record's own `id` when it has one.

use std::collections::HashMap;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use factql_ingest::{Options, discover, read_input};
use factql_model::{ArgTarget, Article, MentionLevel, stored_mention_kind};
use factql_plugin_host::{Host, Outcome};
use factql_store::Extraction;
use serde_json::{Value, json};

/// The output formats of `factql extract`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExtractFormat {
    /// Every plugin's entities, mentions and facts per article.
    Jsonl,
    /// Named people, places and organisations as PER/LOC/ORG spans, for NER scorers.
    NerJsonl,
}

/// Reads `paths`, runs every loaded plugin on each article, prints one line per article.
pub(crate) fn extract(
    paths: &[PathBuf],
    options: &Options,
    format: ExtractFormat,
    isolate: &[String],
) -> anyhow::Result<ExitCode> {
    let host = crate::extract::load_host(isolate)?;
    let found = discover(paths);
    let mut problems = 0usize;
    for err in &found.errors {
        eprintln!("skipped {}: {}", err.origin, err.kind);
        problems += 1;
    }
    let mut given = GivenText::default();
    let mut printed = 0usize;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut pending: Vec<Article> = Vec::with_capacity(64);
    let mut write_failed = None;
    let mut flush = |pending: &mut Vec<Article>,
                     out: &mut std::io::BufWriter<std::io::StdoutLock<'_>>|
     -> std::io::Result<()> {
        let refs: Vec<&Article> = pending.iter().collect();
        let results = crate::extract::parallel_extract(&host, &refs);
        for (article, outcomes) in pending.iter().zip(results) {
            let line = match format {
                ExtractFormat::Jsonl => full_line(&host, article, outcomes),
                ExtractFormat::NerJsonl => ner_line(article, outcomes, options, &mut given),
            };
            writeln!(out, "{line}")?;
            printed += 1;
        }
        pending.clear();
        Ok(())
    };
    for input in &found.inputs {
        read_input(input, options, &mut |result| match result {
            Ok(article) => {
                pending.push(article);
                if pending.len() >= 64
                    && let Err(err) = flush(&mut pending, &mut out)
                {
                    write_failed = Some(err);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
            Err(err) => {
                eprintln!("skipped {}: {}", err.origin, err.kind);
                problems += 1;
                ControlFlow::Continue(())
            }
        });
        if write_failed.is_some() {
            break;
        }
    }
    let result = match write_failed {
        Some(err) => Err(err),
        None => flush(&mut pending, &mut out).and_then(|()| out.flush()),
    };
    match result {
        Ok(()) => {}
        // `factql extract DIR | head` is fine: the reader has what it wanted.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(err) => return Err(err.into()),
    }
    Ok(if printed > 0 || problems == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A field value as plain JSON: numbers, strings, booleans, lists; a date as its ISO text, an
/// interval as `"2019-05..2020"`.
fn plain(value: &factql_model::Value) -> Value {
    use factql_model::Value as V;
    match value {
        V::Null => Value::Null,
        V::Bool(b) => json!(b),
        V::Int(i) => json!(i),
        V::Float(f) => json!(f),
        V::Str(s) | V::Date(s) => json!(s),
        V::Interval(from, to) => {
            json!(format!("{}..{}", from.as_deref().unwrap_or(""), to.as_deref().unwrap_or("")))
        }
        V::List(values) => Value::Array(values.iter().map(plain).collect()),
    }
}

fn span_json(text: &str, start: usize, end: usize) -> Value {
    json!({"start": start, "end": end, "text": text.get(start..end).unwrap_or("")})
}

/// The `jsonl` line: the article and what each plugin found in it.
fn full_line(host: &Host, article: &Article, outcomes: Vec<Outcome>) -> Value {
    let text = &article.text;
    let mut plugins = Vec::new();
    for Outcome { plugin, result } in outcomes {
        let name = host.plugins()[plugin].name();
        match result {
            Ok(extraction) => plugins.push(plugin_json(name, text, &extraction)),
            Err(err) => plugins.push(json!({"plugin": name, "error": err.to_string()})),
        }
    }
    json!({
        "id": article.id.0,
        "origin": article.origin,
        "title": article.title,
        "published": article.published,
        "plugins": plugins,
    })
}

fn plugin_json(name: &str, text: &str, extraction: &Extraction) -> Value {
    let entities: Vec<Value> = extraction
        .entities
        .iter()
        .map(|e| {
            json!({"id": e.id, "kind": e.kind, "name": e.name, "aliases": e.aliases, "wikidata": e.wikidata})
        })
        .collect();
    let mentions: Vec<Value> = extraction
        .mentions
        .iter()
        .map(|m| {
            let p = &m.provenance;
            let mut v = span_json(text, p.span.start, p.span.end);
            v["sentence"] = json!(p.sentence);
            v["type"] = json!(m.ent_type);
            v["kind"] = json!(stored_mention_kind(&m.ent_type));
            v["level"] = json!(m.level.code());
            v["entity"] = json!(m.entity);
            v["confidence"] = json!(p.confidence);
            v
        })
        .collect();
    let facts: Vec<Value> = extraction
        .facts
        .iter()
        .map(|f| {
            let p = &f.provenance;
            let mut v = span_json(text, p.span.start, p.span.end);
            v["kind"] = json!(f.kind);
            v["sentence"] = json!(p.sentence);
            v["fields"] =
                f.fields.iter().map(|(name, value)| (name.clone(), plain(value))).collect();
            v["args"] = f
                .args
                .iter()
                .map(|arg| {
                    let target = match &arg.target {
                        ArgTarget::Mention(idx) => json!({"mention": idx}),
                        ArgTarget::Entity(id) => json!({"entity": id}),
                        ArgTarget::Fact(idx) => json!({"fact": idx}),
                        ArgTarget::Literal(value) => json!({"value": plain(value)}),
                    };
                    json!({"role": arg.role, "target": target})
                })
                .collect();
            v["confidence"] = json!(p.confidence);
            v
        })
        .collect();
    json!({"plugin": name, "entities": entities, "mentions": mentions, "facts": facts})
}

/// The `ner-jsonl` line.
fn ner_line(
    article: &Article,
    outcomes: Vec<Outcome>,
    options: &Options,
    given: &mut GivenText,
) -> Value {
    let shift = given.offset_of(article, options);
    let mut entities = Vec::new();
    for Outcome { result, .. } in outcomes {
        let Ok(extraction) = result else { continue };
        for mention in &extraction.mentions {
            if mention.level != MentionLevel::Name {
                continue;
            }
            let label = match stored_mention_kind(&mention.ent_type) {
                "person" => "PER",
                "place" => "LOC",
                "org" => "ORG",
                _ => continue,
            };
            let span = mention.provenance.span;
            let (Some(start), Some(end)) =
                (span.start.checked_sub(shift), span.end.checked_sub(shift))
            else {
                continue;
            };
            entities.push((start, end, label));
        }
    }
    entities.sort_unstable();
    entities.dedup();
    let id = article.meta.get("id").cloned().unwrap_or_else(|| article.id.0.clone());
    let entities: Vec<Value> = entities
        .into_iter()
        .map(|(start, end, label)| json!({"start": start, "end": end, "label": label}))
        .collect();
    json!({"id": id, "offset_unit": "utf8", "entities": entities})
}

/// The body field of JSON Lines records as given in the file, to map offsets back to it.
#[derive(Default)]
struct GivenText {
    /// File path -> its lines.
    files: HashMap<String, Vec<String>>,
}

impl GivenText {
    /// How many bytes precede the given text in the article text: 0 for every input but a
    /// JSON record with a title field (its text is `title\nbody`). A record whose body factql
    /// had to normalise (line ends, Unicode composition) is reported, and its offsets stay
    /// offsets into factql's text.
    fn offset_of(&mut self, article: &Article, options: &Options) -> usize {
        let Some((path, line)) = article.origin.rsplit_once(':') else { return 0 };
        let Ok(line) = line.parse::<usize>() else { return 0 };
        if !matches!(article.format, factql_model::Format::Json) {
            return 0;
        }
        let lines = self.files.entry(path.to_owned()).or_insert_with(|| {
            std::fs::read_to_string(path)
                .map(|text| text.lines().map(str::to_owned).collect())
                .unwrap_or_default()
        });
        let body = lines
            .get(line.wrapping_sub(1))
            .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
            .and_then(|record| {
                options.fields.body.iter().find_map(|key| {
                    let mut value = &record;
                    for part in key.split('.') {
                        value = value.get(part)?;
                    }
                    value.as_str().map(str::to_owned)
                })
            });
        match body {
            Some(body) if article.text.ends_with(&body) => article.text.len() - body.len(),
            Some(_) => {
                eprintln!(
                    "warning: {}: the text was normalised on reading; its offsets are into factql's text",
                    article.origin
                );
                0
            }
            None => 0,
        }
    }
}

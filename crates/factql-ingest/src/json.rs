//! JSON and JSON Lines records: configurable field names, other fields kept as metadata.

use std::collections::BTreeMap;

use factql_model::Format;
use serde_json::Value;

use crate::ErrorKind;
use crate::build::{Draft, line_paragraphs};
use crate::date::parse_date;
use crate::normalize::normalize_text;

/// Which JSON fields hold which part of an article. Each part lists candidate keys, tried in
/// order; a key may be a dotted path (`source.name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    /// Keys for the title.
    pub title: Vec<String>,
    /// Keys for the body text (a string, or an array of paragraph strings).
    pub body: Vec<String>,
    /// Keys for the canonical URL.
    pub url: Vec<String>,
    /// Keys for the publication time.
    pub published: Vec<String>,
    /// Keys for the outlet.
    pub source: Vec<String>,
    /// Keys for the language code.
    pub lang: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> FieldMap {
        let keys = |keys: &[&str]| keys.iter().map(|key| key.to_string()).collect();
        FieldMap {
            title: keys(&["title", "headline"]),
            body: keys(&["body", "text", "content", "article", "maintext"]),
            url: keys(&["url", "link", "canonical_url"]),
            published: keys(&[
                "published",
                "date",
                "published_at",
                "publish_date",
                "pubDate",
                "datePublished",
            ]),
            source: keys(&["source", "outlet", "publisher", "site_name", "source_domain"]),
            lang: keys(&["lang", "language"]),
        }
    }
}

impl FieldMap {
    /// Applies `part=key` (for example `body=story`): `key` becomes the only key for `part`.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let Some((part, key)) = assignment.split_once('=') else {
            return Err(format!("expected PART=KEY, got `{assignment}`"));
        };
        let slot = match part.trim() {
            "title" => &mut self.title,
            "body" | "text" => &mut self.body,
            "url" => &mut self.url,
            "published" | "date" => &mut self.published,
            "source" | "outlet" => &mut self.source,
            "lang" | "language" => &mut self.lang,
            other => {
                return Err(format!(
                    "unknown part `{other}`; parts are title, body, url, published, source, lang"
                ));
            }
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("no key given for `{part}`"));
        }
        *slot = vec![key.to_owned()];
        Ok(())
    }
}

/// Reads one JSON record into a draft.
pub(crate) fn read_record(
    origin: String,
    record: Value,
    fields: &FieldMap,
) -> Result<Draft, ErrorKind> {
    let Value::Object(object) = record else {
        return Err(ErrorKind::Record(format!(
            "expected a JSON object, found {}",
            kind_of(&record)
        )));
    };
    let mut used = Vec::new();
    let mut take = |keys: &[String]| -> Option<String> {
        keys.iter().find_map(|key| {
            let value = lookup(&object, key).and_then(as_text)?;
            used.push(key.split('.').next().unwrap_or(key).to_owned());
            Some(value)
        })
    };
    let Some(body) = take(&fields.body) else {
        return Err(ErrorKind::Record(format!(
            "no article text: none of the fields {} holds text (name the field with --field body=KEY)",
            fields.body.join(", ")
        )));
    };
    let title = take(&fields.title);
    let url = take(&fields.url);
    let published_raw = take(&fields.published);
    let source = take(&fields.source);
    let lang = take(&fields.lang);

    let mut meta = BTreeMap::new();
    for (key, value) in &object {
        if !used.contains(key) {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            meta.insert(key.clone(), text);
        }
    }
    let published = published_raw.as_deref().and_then(parse_date);
    if let (None, Some(raw)) = (&published, published_raw) {
        meta.insert("published_raw".into(), raw);
    }

    let title = title.map(|title| normalize_text(title.trim())).filter(|title| !title.is_empty());
    let body = normalize_text(&body);
    let (text, paragraphs) = match title {
        Some(title) => {
            let base = title.len() + 1;
            let mut paragraphs = vec![factql_model::Span::new(0, title.len())];
            paragraphs.extend(line_paragraphs(&body, base, false));
            (format!("{title}\n{body}"), paragraphs)
        }
        None => {
            let paragraphs = line_paragraphs(&body, 0, false);
            (body, paragraphs)
        }
    };
    if paragraphs.iter().all(|span| span.is_empty()) {
        return Err(ErrorKind::Empty);
    }
    Ok(Draft { origin, format: Format::Json, text, paragraphs, url, published, source, lang, meta })
}

fn lookup<'a>(object: &'a serde_json::Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = object.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// The text of a field: a string, a number, an object's `name`, or paragraph strings.
fn as_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Object(object) => object.get("name").and_then(Value::as_str)?.to_owned(),
        Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            if parts.len() != items.len() {
                return None;
            }
            parts.join("\n")
        }
        Value::Null | Value::Bool(_) => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(json: &str, fields: &FieldMap) -> Result<Draft, ErrorKind> {
        read_record("x.jsonl:1".into(), serde_json::from_str(json).unwrap(), fields)
    }

    #[test]
    fn standard_fields_and_metadata() {
        let record = r#"{"title":"Orban invited","body":"Lukashenko invited Orban.\nHe wants talks.",
            "url":"https://example.com/a","date":"2023-10-30","source":{"name":"Example News"},
            "lang":"en","author":"A. Writer","tags":["belarus","hungary"]}"#;
        let draft = draft(record, &FieldMap::default()).unwrap();
        assert_eq!(draft.text, "Orban invited\nLukashenko invited Orban.\nHe wants talks.");
        let paragraphs: Vec<&str> = draft.paragraphs.iter().map(|s| s.slice(&draft.text)).collect();
        assert_eq!(paragraphs, ["Orban invited", "Lukashenko invited Orban.", "He wants talks."]);
        assert_eq!(draft.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(draft.published.as_deref(), Some("2023-10-30"));
        assert_eq!(draft.source.as_deref(), Some("Example News"));
        assert_eq!(draft.lang.as_deref(), Some("en"));
        assert_eq!(draft.meta.get("author").map(String::as_str), Some("A. Writer"));
        assert_eq!(draft.meta.get("tags").map(String::as_str), Some(r#"["belarus","hungary"]"#));
        assert!(!draft.meta.contains_key("body"));
    }

    #[test]
    fn field_map_is_configurable() {
        let mut fields = FieldMap::default();
        fields.set("body=story").unwrap();
        fields.set("source=meta.site").unwrap();
        let draft =
            draft(r#"{"headline":"H","story":"Text.","meta":{"site":"Wire"}}"#, &fields).unwrap();
        assert_eq!(draft.text, "H\nText.");
        assert_eq!(draft.source.as_deref(), Some("Wire"));
        assert_eq!(
            fields.set("colour=red").unwrap_err(),
            "unknown part `colour`; parts are title, body, url, published, source, lang"
        );
    }

    #[test]
    fn records_without_text_say_which_fields_were_tried() {
        let err = draft(r#"{"title":"Only a title"}"#, &FieldMap::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no article text: none of the fields body, text, content, article, maintext holds text \
             (name the field with --field body=KEY)"
        );
        let err = draft("[1, 2]", &FieldMap::default()).unwrap_err();
        assert_eq!(err.to_string(), "expected a JSON object, found an array");
    }
}

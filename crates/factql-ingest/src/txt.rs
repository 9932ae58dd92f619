//! Plain text and Markdown: the first non-empty line is the title, then one paragraph per line
//! (or per block, for Markdown and hard-wrapped text).

use std::collections::BTreeMap;

use factql_model::{Format, Span};

use crate::build::{Draft, line_paragraphs};
use crate::date::parse_date;

/// Reads normalised plain text or Markdown into a draft.
pub(crate) fn read_text(origin: String, text: String, markdown: bool) -> Draft {
    let mut draft = Draft {
        origin,
        format: if markdown { Format::Markdown } else { Format::Txt },
        text: String::new(),
        paragraphs: Vec::new(),
        url: None,
        published: None,
        source: None,
        lang: None,
        meta: BTreeMap::new(),
    };
    let mut body_start = 0;
    let mut title = None;
    if markdown && let Some(front) = front_matter(&text) {
        {
            body_start = front.end;
            for (key, span) in front.fields {
                let value = span.slice(&text).to_owned();
                match key.as_str() {
                    "title" => title = Some(span),
                    "date" | "published" => draft.published = parse_date(&value),
                    "url" | "link" => draft.url = Some(value),
                    "source" | "outlet" => draft.source = Some(value),
                    "lang" | "language" => draft.lang = Some(value),
                    _ => {
                        draft.meta.insert(key, value);
                    }
                }
            }
        }
    }
    if title.is_none() {
        // The first non-empty line is the title, whatever the text after it looks like.
        let rest = &text[body_start..];
        let lead = rest.len() - rest.trim_start().len();
        let line_end = rest[lead..].find('\n').map_or(rest.len(), |end| lead + end);
        let line = &rest[lead..line_end];
        if !line.trim().is_empty() {
            let span = Span::new(body_start + lead, body_start + lead + line.trim_end().len());
            title = Some(if markdown { strip_heading(&text, span) } else { span });
        }
        body_start += line_end;
    }
    let mut paragraphs = line_paragraphs(&text[body_start..], body_start, markdown);
    if markdown {
        for span in &mut paragraphs {
            *span = strip_heading(&text, *span);
        }
    }
    if let Some(title) = title {
        paragraphs.insert(0, title);
    }
    draft.paragraphs = paragraphs;
    draft.text = text;
    draft
}

/// A Markdown heading's span without its `#` markers.
fn strip_heading(text: &str, span: Span) -> Span {
    let line = span.slice(text);
    if !line.starts_with('#') {
        return span;
    }
    let inner = line.trim_start_matches('#');
    if !inner.starts_with([' ', '\t']) {
        return span; // "#hashtag" is not a heading
    }
    let inner = inner.trim_start();
    let inner_trimmed = inner.trim_end_matches('#').trim_end();
    let start = span.start + (line.len() - inner.len());
    if inner_trimmed.is_empty() { span } else { Span::new(start, start + inner_trimmed.len()) }
}

struct FrontMatter {
    /// First byte after the closing `---` line.
    end: usize,
    /// `key: value` pairs, value spans into the text.
    fields: Vec<(String, Span)>,
}

/// YAML-style front matter (`---` lines around `key: value` pairs), as static site generators
/// write it. Only flat scalar keys are read; quotes around values are dropped.
fn front_matter(text: &str) -> Option<FrontMatter> {
    let rest = text.strip_prefix("---\n")?;
    let mut offset = 4;
    let mut fields = Vec::new();
    for line in rest.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        if content == "---" || content == "..." {
            return Some(FrontMatter { end: offset, fields });
        }
        let Some((key, value)) = content.split_once(':') else { continue };
        let value_trimmed = value.trim().trim_matches(['"', '\'']);
        if key.starts_with(' ') || value_trimmed.is_empty() {
            continue;
        }
        let value_start = start + key.len() + 1 + value.find(value_trimmed).unwrap_or(0);
        fields.push((
            key.trim().to_lowercase(),
            Span::new(value_start, value_start + value_trimmed.len()),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(draft: &Draft) -> Vec<&str> {
        draft.paragraphs.iter().map(|span| span.slice(&draft.text)).collect()
    }

    #[test]
    fn markdown_headings_lose_their_markers() {
        let draft = read_text(
            "a.md".into(),
            "# The title #\n\nBody text here.\n\n## Section\nMore.".into(),
            true,
        );
        assert_eq!(paragraphs(&draft), ["The title", "Body text here.", "Section", "More."]);
    }

    #[test]
    fn markdown_front_matter_gives_title_and_date() {
        let text = "---\ntitle: \"Orban invited to Minsk\"\ndate: 2023-10-30\nauthor: A. Writer\n---\nFirst paragraph.\n";
        let draft = read_text("a.md".into(), text.into(), true);
        assert_eq!(paragraphs(&draft), ["Orban invited to Minsk", "First paragraph."]);
        assert_eq!(draft.published.as_deref(), Some("2023-10-30"));
        assert_eq!(draft.meta.get("author").map(String::as_str), Some("A. Writer"));
    }

    #[test]
    fn text_title_is_the_first_non_empty_line() {
        let draft =
            read_text("a.txt".into(), "\n\n  Headline here  \nBody one.\nBody two.".into(), false);
        assert_eq!(paragraphs(&draft), ["Headline here", "Body one.", "Body two."]);
    }
}

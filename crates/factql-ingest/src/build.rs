//! From normalised text and paragraph spans to a finished [`Article`]: sentences, boilerplate
//! flags, the dateline, and the ids.

use std::collections::BTreeMap;

use factql_model::{Article, ArticleId, Format, Paragraph, Sentence, Span};
use sha2::{Digest, Sha256};

use crate::date::parse_date;
use crate::segment::split_sentences;

/// An article before segmentation: what a reader found.
#[derive(Debug)]
pub(crate) struct Draft {
    pub origin: String,
    pub format: Format,
    /// Normalised text; every span points into it.
    pub text: String,
    /// Paragraph spans in order; the first is the title.
    pub paragraphs: Vec<Span>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
    pub lang: Option<String>,
    pub meta: BTreeMap<String, String>,
}

/// Segments the draft and computes its ids.
pub(crate) fn finish(draft: Draft) -> Article {
    let Draft { origin, format, text, paragraphs, url, mut published, source, lang, meta } = draft;
    let mut sentences = Vec::new();
    for (paragraph_idx, span) in paragraphs.iter().enumerate() {
        let body = span.slice(&text);
        let dateline = paragraph_idx == 1 && is_dateline(body);
        if dateline && published.is_none() {
            published = parse_date(body);
        }
        let boilerplate = dateline || is_boilerplate(body);
        // The title is one sentence whatever its punctuation; so is a boilerplate line.
        let ranges = if paragraph_idx == 0 || boilerplate {
            std::iter::once(0..body.len()).collect()
        } else {
            split_sentences(body)
        };
        for range in ranges {
            sentences.push(Sentence {
                index: sentences.len(),
                span: Span::from(range).shift(span.start),
                paragraph: paragraph_idx,
                is_title: paragraph_idx == 0,
                boilerplate,
            });
        }
    }
    let title = paragraphs.first().map_or("", |span| span.slice(&text)).to_owned();
    let text_sha256 = hex(&Sha256::digest(text.as_bytes()));
    let mut id_hash = Sha256::new();
    id_hash.update(url.as_deref().unwrap_or("").as_bytes());
    id_hash.update(b"\n");
    id_hash.update(text.as_bytes());
    let id = ArticleId(format!("a{}", &hex(&id_hash.finalize())[..16]));
    let paragraphs =
        paragraphs.into_iter().enumerate().map(|(index, span)| Paragraph { index, span }).collect();
    Article {
        id,
        origin,
        format,
        title,
        url,
        published,
        source,
        lang,
        meta,
        text,
        text_sha256,
        paragraphs,
        sentences,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A line that only gives the date ("Thursday, February 23, 2006"), as news sites put under
/// the headline.
fn is_dateline(line: &str) -> bool {
    line.len() <= 60 && parse_date(line).is_some()
}

/// Lines a site adds around every article: links, share prompts, subscription calls.
fn is_boilerplate(line: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "source link",
        "source:",
        "read more",
        "read the full",
        "continue reading",
        "click here",
        "share this",
        "share on",
        "share via",
        "share:",
        "tweet this",
        "follow us",
        "sign up for",
        "subscribe to",
        "subscribe now",
        "advertisement",
        "related:",
        "related articles",
        "related stories",
        "all rights reserved",
        "copyright ©",
        "© ",
        "image:",
        "photo:",
        "photograph:",
    ];
    if line.len() > 120 {
        return false;
    }
    let lower = line.trim().to_lowercase();
    PREFIXES.iter().any(|prefix| lower.starts_with(prefix))
        || lower.ends_with("all rights reserved.")
}

/// Paragraph spans of line-oriented text starting at byte `base` of the article.
///
/// Each non-blank line is a paragraph, unless the text is hard-wrapped (short lines grouped in
/// blocks separated by blank lines), in which case each block is a paragraph and its line
/// breaks are soft.
pub(crate) fn line_paragraphs(text: &str, base: usize, blocks: bool) -> Vec<Span> {
    let lines = lines_with_offsets(text);
    let blocks = blocks || looks_hard_wrapped(&lines);
    let mut paragraphs = Vec::new();
    let mut current: Option<Span> = None;
    for &(start, line) in &lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            paragraphs.extend(current.take());
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let span = Span::new(base + start + lead, base + start + lead + trimmed.len());
        match current.as_mut() {
            Some(open)
                if blocks
                    && !starts_block(trimmed)
                    && !text[open.start - base..].starts_with('#') =>
            {
                open.end = span.end
            }
            _ => {
                paragraphs.extend(current.take());
                current = Some(span);
            }
        }
    }
    paragraphs.extend(current);
    paragraphs
}

/// A line that begins a paragraph of its own even inside a block: a heading, a list item or a
/// quotation in Markdown.
fn starts_block(line: &str) -> bool {
    line.starts_with(['#', '>', '-', '*', '+', '•'])
        || line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split('\n')
        .map(|line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line)
        })
        .collect()
}

/// Hard-wrapped text: lines that break mid-sentence, the next line going on in lower case.
/// Text with a paragraph per line ends its lines with sentence punctuation instead.
fn looks_hard_wrapped(lines: &[(usize, &str)]) -> bool {
    let mut joined = 0; // lines followed directly by another non-blank line
    let mut continued = 0; // ... where the next line goes on with the same sentence
    for pair in lines.windows(2) {
        let (this, next) = (pair[0].1.trim(), pair[1].1.trim());
        if this.is_empty() || next.is_empty() {
            continue;
        }
        joined += 1;
        let open_end = !this.ends_with(['.', '!', '?', ':', '"', '\u{201d}', ')', '\u{2019}']);
        if open_end && next.starts_with(|c: char| c.is_lowercase()) {
            continued += 1;
        }
    }
    continued > 0 && continued * 3 >= joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(text: &str, blocks: bool) -> Vec<&str> {
        line_paragraphs(text, 0, blocks).into_iter().map(|span| span.slice(text)).collect()
    }

    #[test]
    fn each_line_is_a_paragraph_in_news_text() {
        let text =
            "Title\nFirst paragraph is long enough. Two sentences.\n\n  Second one.  \nSource link";
        assert_eq!(
            paragraphs(text, false),
            [
                "Title",
                "First paragraph is long enough. Two sentences.",
                "Second one.",
                "Source link"
            ]
        );
    }

    #[test]
    fn hard_wrapped_blocks_are_one_paragraph() {
        let text = "Title\n\nThe minister said on Monday that the talks\nwould resume next week in Minsk.\n\n\
                    Officials in Budapest did not comment on\nthe invitation, the agency said.\n";
        assert_eq!(
            paragraphs(text, false),
            [
                "Title",
                "The minister said on Monday that the talks\nwould resume next week in Minsk.",
                "Officials in Budapest did not comment on\nthe invitation, the agency said."
            ]
        );
    }

    #[test]
    fn markdown_list_items_start_paragraphs_inside_blocks() {
        let text = "Intro line\ncontinues here\n- item one\n- item two\n1. numbered";
        assert_eq!(
            paragraphs(text, true),
            ["Intro line\ncontinues here", "- item one", "- item two", "1. numbered"]
        );
    }

    #[test]
    fn boilerplate_lines_are_recognised() {
        for line in [
            "Source link",
            "Read more: the full story",
            "Share this article",
            "© 2023 Example News",
        ] {
            assert!(is_boilerplate(line), "{line}");
        }
        for line in ["Sources say the talks failed.", "Readers responded in large numbers."] {
            assert!(!is_boilerplate(line), "{line}");
        }
    }
}

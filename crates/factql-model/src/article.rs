//! Articles, their paragraphs and sentences.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Span;

/// A stable article identifier: `a` followed by 16 hex digits of a SHA-256 over the
/// normalised text and the URL, so the same article always gets the same id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(pub String);

impl std::fmt::Display for ArticleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The format an article was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text: first non-empty line is the title.
    Txt,
    /// Markdown: like text, with heading markers outside the title span.
    Markdown,
    /// One JSON object (or one line of JSON Lines).
    Json,
    /// An HTML page.
    Html,
}

impl Format {
    /// The lower-case name used in the store and in `stats`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    /// Parses [`Format::as_str`] back.
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "txt" => Format::Txt,
            "markdown" => Format::Markdown,
            "json" => Format::Json,
            "html" => Format::Html,
            _ => return None,
        })
    }
}

/// A paragraph: a block of text between line breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Position among the article's paragraphs; the title is paragraph 0.
    pub index: usize,
    /// Bytes of the paragraph, trimmed of surrounding whitespace.
    pub span: Span,
}

/// A sentence of an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Position among the article's sentences; the title is sentence 0.
    pub index: usize,
    /// Bytes of the sentence, trimmed of surrounding whitespace.
    pub span: Span,
    /// Index of the paragraph that holds the sentence.
    pub paragraph: usize,
    /// True for the title (sentence 0).
    pub is_title: bool,
    /// True for boilerplate lines ("Source link", "Read more", share prompts, a dateline):
    /// kept and addressable, but extractors skip them.
    pub boilerplate: bool,
}

/// One article as factql sees it: normalised text, metadata and its segmentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id derived from the text and URL.
    pub id: ArticleId,
    /// Where the article came from: a path, `path:line` for JSON Lines, or `<stdin>`.
    pub origin: String,
    /// The format it was read from.
    pub format: Format,
    /// The title (the text of sentence 0).
    pub title: String,
    /// The article's canonical URL, if known.
    pub url: Option<String>,
    /// Publication time as partial ISO 8601 (`2023`, `2023-10`, `2023-10-30`, or
    /// `2023-10-30T12:00:00Z`), if known.
    pub published: Option<String>,
    /// The outlet that published it, if known.
    pub source: Option<String>,
    /// ISO 639-1 language code, if known.
    pub lang: Option<String>,
    /// Other fields of the input (JSON fields, HTML meta tags), values as text.
    pub meta: BTreeMap<String, String>,
    /// The normalised text, title included; every span points into it.
    pub text: String,
    /// Hex SHA-256 of `text`: equal texts are exact duplicates.
    pub text_sha256: String,
    /// Paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// Sentences in order.
    pub sentences: Vec<Sentence>,
}

impl Article {
    /// The text of a sentence, or `""` when the index is out of range.
    pub fn sentence_text(&self, index: usize) -> &str {
        self.sentences.get(index).map_or("", |sentence| sentence.span.slice(&self.text))
    }

    /// The month of publication as `YYYY-MM`, when known to the month.
    pub fn published_month(&self) -> Option<&str> {
        let published = self.published.as_deref()?;
        let month = published.get(..7)?;
        (month.as_bytes()[4] == b'-').then_some(month)
    }
}

//! Shared text helpers: a tokeniser, a naive sentence splitter and a gazetteer matcher.
//!
//! All positions are byte offsets into the text and always fall on character boundaries.

use std::collections::HashMap;
use std::ops::Range;

use crate::wire::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, with inner apostrophes and hyphens (`don't`, `Jean-Luc`).
    Word,
    /// Digits, with inner `.` or `,` between digits (`1,500.25`).
    Number,
    /// Any other single non-space character.
    Punct,
}

/// A token: its byte range and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte range in the text.
    pub span: Range<usize>,
    /// Its kind.
    pub kind: TokenKind,
}

impl Token {
    /// The token's text.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.clone()).unwrap_or("")
    }
}

/// Splits `text` into words, numbers and punctuation; whitespace is dropped.
///
/// ```
/// use factql_plugin_sdk::text::{tokenize, TokenKind};
/// let text = "Jean-Luc paid $1,500.25, didn't he?";
/// let words: Vec<&str> = tokenize(text).iter().map(|t| t.text(text)).collect();
/// assert_eq!(words, ["Jean-Luc", "paid", "$", "1,500.25", ",", "didn't", "he", "?"]);
/// assert_eq!(tokenize(text)[3].kind, TokenKind::Number);
/// ```
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let kind = if c.is_alphabetic() {
            TokenKind::Word
        } else if c.is_ascii_digit() {
            TokenKind::Number
        } else {
            tokens.push(Token { span: start..start + c.len_utf8(), kind: TokenKind::Punct });
            continue;
        };
        let mut end = start + c.len_utf8();
        while let Some(&(idx, next)) = chars.peek() {
            let continues = match kind {
                TokenKind::Word => next.is_alphanumeric(),
                _ => next.is_ascii_digit(),
            };
            let joiner = match kind {
                TokenKind::Word => matches!(next, '\'' | '’' | '-'),
                _ => matches!(next, '.' | ','),
            };
            if continues {
                end = idx + next.len_utf8();
                chars.next();
            } else if joiner {
                // A joiner counts only when the same class follows it.
                let after = text[idx + next.len_utf8()..].chars().next();
                let joined = match (kind, after) {
                    (TokenKind::Word, Some(a)) => a.is_alphabetic(),
                    (_, Some(a)) => a.is_ascii_digit(),
                    _ => false,
                };
                if !joined {
                    break;
                }
                end = idx + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        tokens.push(Token { span: start..end, kind });
    }
    tokens
}

/// A naive sentence splitter for tests and the harness: breaks after `.`, `!` or `?` followed
/// by whitespace, and at blank lines. The host passes factql's real segmentation instead.
pub fn sentences(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = None;
    let bytes = text.as_bytes();
    for (idx, c) in text.char_indices() {
        if start.is_none() && !c.is_whitespace() {
            start = Some(idx);
        }
        let Some(first) = start else { continue };
        let next = bytes.get(idx + c.len_utf8()).copied();
        let ends = matches!(c, '.' | '!' | '?') && next.is_none_or(|b| b.is_ascii_whitespace())
            || c == '\n' && next == Some(b'\n');
        if ends {
            let end = if c == '\n' { idx } else { idx + c.len_utf8() };
            out.push(Span::new(first, end));
            start = None;
        }
    }
    if let Some(first) = start {
        out.push(Span::new(first, text.trim_end().len().max(first)));
    }
    out
}

/// Finds phrases from a fixed list, token by token, ignoring case; the longest match wins.
///
/// ```
/// use factql_plugin_sdk::text::Gazetteer;
/// let g = Gazetteer::new(["New York", "York", "US dollar"]);
/// let text = "From new york to York, paid in US dollars.";
/// let found: Vec<(&str, usize)> = g.find(text).map(|(r, id)| (&text[r], id)).collect();
/// assert_eq!(found, [("new york", 0), ("York", 1)]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    entries: HashMap<Vec<String>, usize>,
    longest: usize,
}

impl Gazetteer {
    /// A gazetteer of `phrases`; a match reports the index of its phrase.
    pub fn new<'p>(phrases: impl IntoIterator<Item = &'p str>) -> Gazetteer {
        let mut gazetteer = Gazetteer::default();
        for (idx, phrase) in phrases.into_iter().enumerate() {
            let key: Vec<String> =
                tokenize(phrase).iter().map(|t| t.text(phrase).to_lowercase()).collect();
            gazetteer.longest = gazetteer.longest.max(key.len());
            gazetteer.entries.entry(key).or_insert(idx);
        }
        gazetteer
    }

    /// Matches in `text`, left to right, without overlaps: byte range and phrase index.
    pub fn find<'g>(&'g self, text: &'g str) -> impl Iterator<Item = (Range<usize>, usize)> + 'g {
        let tokens = tokenize(text);
        let lower: Vec<String> = tokens.iter().map(|t| t.text(text).to_lowercase()).collect();
        let mut found = Vec::new();
        let mut idx = 0;
        while idx < tokens.len() {
            let longest = self.longest.min(tokens.len() - idx);
            let hit = (1..=longest)
                .rev()
                .find_map(|n| self.entries.get(&lower[idx..idx + n]).map(|&entry| (n, entry)));
            match hit {
                Some((n, entry)) => {
                    found.push((tokens[idx].span.start..tokens[idx + n - 1].span.end, entry));
                    idx += n;
                }
                None => idx += 1,
            }
        }
        found.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fall_on_char_boundaries() {
        let text = "Orbán’s «€5» ünïcode—dash 3.";
        for token in tokenize(text) {
            assert!(
                text.is_char_boundary(token.span.start) && text.is_char_boundary(token.span.end)
            );
        }
        let words: Vec<&str> = tokenize(text).iter().map(|t| t.text(text)).collect();
        assert_eq!(words, ["Orbán’s", "«", "€", "5", "»", "ünïcode", "—", "dash", "3", "."]);
    }

    #[test]
    fn sentences_split_on_terminal_punctuation_and_blank_lines() {
        let text = "Title line\n\nFirst one. Second one?  Third";
        let got: Vec<&str> = sentences(text).iter().map(|s| s.slice(text).unwrap_or("")).collect();
        assert_eq!(got, ["Title line", "First one.", "Second one?", "Third"]);
    }
}

//! Syntax highlighting from the query lexer: keywords, strings, numbers and dates,
//! parameters, comments, pipes, and in red the tokens the lexer refused and the names the
//! checker does not know (an unknown source, field, function, relation or entity).

use factql_syntax::{Punct, STAGE_KEYWORDS, STAGE_SYNONYMS, TokenKind, is_reserved, tokenize};

const RESET: &str = "\u{1b}[0m";
const KEYWORD: &str = "\u{1b}[1;34m";
const STAGE: &str = "\u{1b}[1;35m";
const STRING: &str = "\u{1b}[32m";
const NUMBER: &str = "\u{1b}[36m";
const PARAM: &str = "\u{1b}[33m";
const COMMENT: &str = "\u{1b}[2m";
const PIPE: &str = "\u{1b}[1m";
const BAD: &str = "\u{1b}[1;31m";
const COMMAND: &str = "\u{1b}[35m";

/// `line` with ANSI colours; the text itself is unchanged (only escape codes are added).
/// Tokens inside one of the `unknown` byte ranges are red.
pub(crate) fn highlight(line: &str, unknown: &[std::ops::Range<usize>]) -> String {
    if super::input::is_dot_command(line) {
        let _ = unknown;
        let end = line.find(char::is_whitespace).unwrap_or(line.len());
        return format!("{COMMAND}{}{RESET}{}", &line[..end], &line[end..]);
    }
    let (tokens, _) = tokenize(line);
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = 0;
    for token in tokens {
        let range = token.span.range();
        let (Some(gap), Some(text)) = (line.get(at..range.start), line.get(range.clone())) else {
            continue;
        };
        out.push_str(gap);
        let is_unknown = unknown.iter().any(|u| u.start < range.end && range.start < u.end);
        let colour = match &token.kind {
            _ if is_unknown => Some(BAD),
            TokenKind::Ident
                if STAGE_KEYWORDS.contains(&text)
                    || STAGE_SYNONYMS.iter().any(|(s, _)| *s == text) =>
            {
                Some(STAGE)
            }
            TokenKind::Ident if is_reserved(text) => Some(KEYWORD),
            TokenKind::Str { .. } => Some(STRING),
            TokenKind::Int(_)
            | TokenKind::Float(_)
            | TokenKind::Date(_)
            | TokenKind::Duration(_) => Some(NUMBER),
            TokenKind::Param => Some(PARAM),
            TokenKind::Comment => Some(COMMENT),
            TokenKind::Punct(Punct::Pipe) => Some(PIPE),
            TokenKind::BadOp | TokenKind::Invalid => Some(BAD),
            TokenKind::Meta => Some(COMMAND),
            _ => None,
        };
        match colour {
            Some(colour) => {
                out.push_str(colour);
                out.push_str(text);
                out.push_str(RESET);
            }
            None => out.push_str(text),
        }
        at = range.end;
    }
    // Whatever the lexer did not make a token of (an unclosed string runs to the end).
    if let Some(rest) = line.get(at..) {
        if rest.trim_start().starts_with('"') {
            out.push_str(STRING);
            out.push_str(rest);
            out.push_str(RESET);
        } else {
            out.push_str(rest);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn highlighting_only_adds_escape_codes() {
        for line in [
            "articles | where title has \"Belarus\" and published in @2022 # note",
            "match (p:person) -[:invite]-> (:person $who) | take 5",
            "articles | where title == \"unclosed",
            "articles && x",
            ".mode csv",
            "  ",
        ] {
            assert_eq!(strip(&highlight(line, &[])), line);
            assert_eq!(strip(&highlight(line, std::slice::from_ref(&(0..line.len())))), line);
        }
    }

    #[test]
    fn tokens_get_their_colours() {
        let out = highlight("articles | where n > 5 and title == \"x\"", &[]);
        assert!(out.contains(&format!("{STAGE}where{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{KEYWORD}and{RESET}")));
        assert!(out.contains(&format!("{NUMBER}5{RESET}")));
        assert!(out.contains(&format!("{STRING}\"x\"{RESET}")));
        assert!(highlight("a && b", &[]).contains(&format!("{BAD}&&{RESET}")));
        let out = highlight("artcles | take 1", std::slice::from_ref(&(0..7)));
        assert!(out.starts_with(&format!("{BAD}artcles{RESET}")), "{out:?}");
    }
}

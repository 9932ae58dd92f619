//! When an entry is complete, and how a script's lines become entries.
//!
//! An entry is complete unless the parser ran into the end of the input: an open bracket or
//! quote, a line ending with `|`, `,`, an operator or a keyword such as `by` all leave it
//! waiting for more. A dot command is one line. In a script, a complete entry still takes
//! the following lines that start with `|` (the same rule the parser applies to newlines),
//! unless a line holding only `;` comes first; at the prompt such a line extends the
//! previous query instead (see `Session::eval`), as it does in a script after a `;` line.

use std::collections::VecDeque;

use factql_syntax::{Found, parse};

/// True when `text` needs no more lines: it is empty, a dot command, or parses without
/// running into the end of the input.
pub(crate) fn is_complete(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() || is_dot_command(trimmed) {
        return true;
    }
    !parse(text).errors.iter().any(|e| e.found == Found::EndOfInput && !is_empty_input(e))
}

/// The parser reports a script of only comments as empty input, which is complete.
fn is_empty_input(e: &factql_syntax::ParseError) -> bool {
    matches!(e.kind, factql_syntax::ParseErrorKind::EmptyInput)
}

/// True for a line such as `.mode csv` (a dot followed by a letter).
pub(crate) fn is_dot_command(text: &str) -> bool {
    let mut chars = text.trim_start().chars();
    chars.next() == Some('.') && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// Splits a script into entries as the REPL would read them: dot commands one line each,
/// queries until complete and then through the following lines that start with `|`.
/// Comment-only and blank lines between entries are dropped.
pub(crate) fn split_entries(text: &str) -> Vec<String> {
    Entries::new(text.lines().map(str::to_owned)).collect()
}

/// Entries read from lines as they come (a pipe is read as it is written): the next line
/// is waited for only when an entry is incomplete, or complete and followed by blank or
/// comment lines, to see whether a `|` line continues it.
pub(crate) struct Entries<I> {
    lines: I,
    /// Lines read ahead and not yet used.
    ahead: VecDeque<String>,
}

impl<I: Iterator<Item = String>> Entries<I> {
    /// Entries of `lines`.
    pub(crate) fn new(lines: I) -> Entries<I> {
        Entries { lines, ahead: VecDeque::new() }
    }

    fn next_line(&mut self) -> Option<String> {
        self.ahead.pop_front().or_else(|| self.lines.next())
    }

    /// True when the next line that is not blank or a comment starts with `|`; reads
    /// ahead as far as needed.
    fn continues(&mut self) -> bool {
        let mut idx = 0;
        loop {
            if idx == self.ahead.len() {
                match self.lines.next() {
                    Some(line) => self.ahead.push_back(line),
                    None => return false,
                }
            }
            let line = self.ahead[idx].trim();
            if !line.is_empty() && !line.starts_with('#') {
                return line.starts_with('|');
            }
            idx += 1;
        }
    }
}

impl<I: Iterator<Item = String>> Iterator for Entries<I> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        let mut pending = String::new();
        while let Some(line) = self.next_line() {
            if pending.is_empty() {
                let trimmed = line.trim();
                // A lone `;` ends the entry before it (below) and is nothing itself.
                if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == ";" {
                    continue;
                }
                if is_dot_command(trimmed) {
                    return Some(trimmed.to_owned());
                }
            } else {
                pending.push('\n');
            }
            pending.push_str(&line);
            // A complete entry still takes a following `|` line (after blank or comment
            // lines), as the parser does.
            if is_complete(&pending) && !self.continues() {
                return Some(pending);
            }
        }
        (!pending.trim().is_empty()).then_some(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_brackets_quotes_and_trailing_pipes_are_incomplete() {
        for text in [
            "articles |",
            "articles | where",
            "match (p:person",
            "articles | where title == \"Bel",
            "articles | where title in [\"a\",",
            "events | summarize n = count() by",
            "let f($x) =",
        ] {
            assert!(!is_complete(text), "{text:?} should wait for more");
        }
    }

    #[test]
    fn finished_queries_mistakes_and_dot_commands_are_complete() {
        for text in [
            "",
            "   ",
            "articles | take 3",
            "articles | wher title == 1",
            ".mode csv",
            ".show 1",
            "# a comment",
            "match (p:person) -[:role]-> (b) | take 1",
        ] {
            assert!(is_complete(text), "{text:?} should run");
        }
    }

    #[test]
    fn a_script_splits_into_entries_with_pipe_lines_kept_with_their_query() {
        let script = "# intro\n.mode csv\narticles\n| take 2\n\n# note\n| select title\nevents | where\n  type == \"meet\"\n.timer on\n_ | take 1\n";
        assert_eq!(
            split_entries(script),
            [
                ".mode csv",
                "articles\n| take 2\n\n# note\n| select title",
                "events | where\n  type == \"meet\"",
                ".timer on",
                "_ | take 1",
            ]
        );
    }

    #[test]
    fn a_lone_semicolon_line_ends_the_entry_so_a_pipe_line_extends_it_later() {
        assert_eq!(split_entries("articles\n;\n| take 2\n"), ["articles", "| take 2"]);
        assert_eq!(
            split_entries("articles | take 1;\n| take 2\n"),
            ["articles | take 1;\n| take 2"]
        );
    }

    #[test]
    fn an_unfinished_query_at_the_end_of_a_script_is_still_an_entry() {
        assert_eq!(split_entries("articles |"), ["articles |"]);
    }

    #[test]
    fn a_dot_followed_by_a_digit_is_not_a_command() {
        assert!(!is_dot_command(".5"));
        assert!(is_dot_command("  .help"));
    }
}

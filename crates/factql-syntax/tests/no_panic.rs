//! The parser never panics, always terminates, and reports sane spans, on
//! thousands of generated inputs: random token soups and mutations of the ok
//! queries (every truncation, deletions, duplications, insertions).
//!
//! Every input that parses without errors must also round-trip through the
//! canonical print, which makes this a cheap property test of the printer.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

mod common;

use factql_syntax::{Parsed, parse, tokenize};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PIECES: &[&str] = &[
    "people",
    "articles",
    "match",
    "let",
    "where",
    "select",
    "project",
    "extend",
    "summarize",
    "by",
    "sort",
    "order",
    "top",
    "per",
    "take",
    "limit",
    "count",
    "count()",
    "distinct",
    "join",
    "left",
    "anti",
    "on",
    "expand",
    "as",
    "render",
    "bar",
    "line",
    "and",
    "or",
    "not",
    "in",
    "between",
    "has",
    "any",
    "all",
    "near",
    "sentence",
    "paragraph",
    "article",
    "words",
    "asc",
    "desc",
    "true",
    "false",
    "null",
    "person",
    "place",
    "_",
    "x",
    "p.name",
    "f(",
    "$who",
    "$",
    "\"str\"",
    "\"unclosed",
    "\"esc\\q\"",
    "r\"raw\"",
    "r#\"",
    "`quoted`",
    "`",
    "42",
    "1.5",
    "1e9",
    "99999999999999999999",
    "@2022",
    "@2022-03-15",
    "@2022-13",
    "@",
    "7d",
    "1mo",
    "5m",
    "|",
    ",",
    ";",
    ".",
    "..",
    ":",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "~",
    "->",
    "-[",
    "]->",
    "]-",
    "<-[",
    "*1..2",
    "&&",
    "||",
    "!",
    "//",
    "'",
    "%",
    "#c",
    "\n",
    "\n|",
    " ",
    "\t",
    ".mode table\n",
    "é",
    "😀",
    "\r\n",
];

/// Checks the invariants on one input; returns the parse for further checks.
fn check(src: &str) -> Parsed {
    let parsed = parse(src);
    for error in &parsed.errors {
        for span in std::iter::once(error.span).chain(error.note.as_ref().map(|n| n.span)) {
            assert!(span.start <= span.end && span.end <= src.len(), "{span} in {src:?}");
            assert!(
                src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
                "{span} not on char boundaries in {src:?}"
            );
        }
        assert!(!error.to_string().is_empty());
    }
    for rewrite in &parsed.rewrites {
        assert!(rewrite.span.end <= src.len() && src.is_char_boundary(rewrite.span.start));
    }
    let (tokens, _) = tokenize(src);
    for token in &tokens {
        assert!(src.get(token.span.range()).is_some(), "token {:?} in {src:?}", token.span);
    }
    // Printing a partial tree must not panic either.
    let printed = parsed.script.to_string();
    if parsed.errors.is_empty() {
        let reparsed = parse(&printed);
        assert!(
            reparsed.errors.is_empty(),
            "{src:?} printed as {printed:?}: {:?}",
            reparsed.errors
        );
        assert_eq!(reparsed.script, parsed.script, "{src:?} printed as {printed:?}");
        assert_eq!(reparsed.script.to_string(), printed, "not idempotent: {src:?}");
    }
    parsed
}

#[test]
fn random_token_soups() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut clean = 0;
    for _ in 0..6_000 {
        let len = 1 + rng.below(30);
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(rng.pick(PIECES));
            if rng.below(3) > 0 {
                src.push(' ');
            }
        }
        if check(&src).errors.is_empty() {
            clean += 1;
        }
    }
    // Some soups happen to be valid; they were round-tripped above.
    assert!(clean > 0);
}

#[test]
fn mutations_of_the_ok_queries() {
    let mut rng = Rng(0xC0FF_EE00_DEAD_BEEF);
    let mut inputs = 0;
    for path in common::fql_files("ok") {
        let src = std::fs::read_to_string(&path).unwrap();
        let boundaries: Vec<usize> =
            src.char_indices().map(|(i, _)| i).chain(std::iter::once(src.len())).collect();
        // Every prefix: what the REPL sees while the query is typed.
        for &end in &boundaries {
            check(&src[..end]);
            inputs += 1;
        }
        for _ in 0..150 {
            let mut text = src.clone();
            for _ in 0..1 + rng.below(3) {
                let chars: Vec<(usize, char)> = text.char_indices().collect();
                if chars.is_empty() {
                    break;
                }
                let (at, c) = chars[rng.below(chars.len())];
                match rng.below(4) {
                    0 => {
                        text.remove(at);
                    }
                    1 => text.insert(at, c),
                    2 => text.insert_str(at, rng.pick(PIECES)),
                    _ => {
                        let (other, _) = chars[rng.below(chars.len())];
                        let (lo, hi) = (at.min(other), at.max(other));
                        text.replace_range(lo..hi, "");
                    }
                }
            }
            check(&text);
            inputs += 1;
        }
    }
    assert!(inputs > 5_000, "{inputs}");
}

#[test]
fn known_tricky_inputs() {
    for src in [
        "",
        " ",
        "\n",
        "#",
        "|",
        "||",
        ";;",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "r#\"",
        "r##\"a\"#",
        "`",
        "$",
        "@",
        "@-",
        "@2022-",
        "@2022-02-30",
        "1..",
        "..1",
        "-[",
        "<-[",
        "]->",
        "match",
        "match (",
        "match ()-",
        "match () -[:a*",
        "match () -[:a*1..",
        "let",
        "let x",
        "let x(",
        "let x($",
        "let x =",
        "x | join (",
        "x | join (y |",
        "x | top",
        "x | top 1 by",
        "x | where a between",
        "x | where a has",
        "x | where a has any",
        "x | where a has b in",
        "x | where a has b in 5",
        "x | where a not",
        "x | where a not in",
        "x | where not",
        "x | where -",
        "x | render",
        "x | as",
        "x | expand y as",
        ".",
        ".m",
        "\u{0}",
        "\"\\u{",
        "\"\\u{110000}\"",
        "\"\\u{d800}\"",
        "é|é",
        "x | where a.",
        "x | where a.`",
        "x | count(",
        "x | count by",
        "x | order",
        "x | sort by a,",
        "_ _",
        "x\n| \n| take 1",
        "x | where (not a) == b",
        "x | where a == (not b)",
        "x | where -a.b",
        "x | where (-a).b",
    ] {
        check(src);
    }
}

/// How long the time-budgeted fuzz loops run: `$FACTQL_FUZZ_SECS` seconds (set by
/// `scripts/fuzz.sh`), or `None` for a fixed, deterministic number of iterations in `cargo test`.
fn fuzz_budget() -> Option<std::time::Duration> {
    let secs = std::env::var("FACTQL_FUZZ_SECS").ok()?.parse::<f64>().ok()?;
    std::time::Duration::try_from_secs_f64(secs).ok()
}

#[test]
fn mutations_for_a_time_budget() {
    // The stable stand-in for `cargo fuzz run parse`: stacked mutations and splices of the
    // test queries, keeping the inputs that parse cleanly as new seeds, for as long as the
    // budget allows. The seed is printed so a failure can be replayed.
    let budget = fuzz_budget();
    let seed = match budget {
        Some(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 | 1),
        None => 0x0DDB_A11C_0FFE_E001,
    };
    println!("fuzz seed {seed:#x}");
    let mut rng = Rng(seed);
    let mut pool: Vec<String> = common::fql_files("ok")
        .into_iter()
        .chain(common::fql_files("err"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    let start = std::time::Instant::now();
    let mut runs = 0u64;
    loop {
        match budget {
            Some(budget) if start.elapsed() >= budget => break,
            None if runs >= 3_000 => break,
            _ => {}
        }
        let mut text = pool[rng.below(pool.len())].clone();
        for _ in 0..1 + rng.below(8) {
            let chars: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            let at = chars.get(rng.below(chars.len().max(1))).copied().unwrap_or(0);
            match rng.below(5) {
                0 if !text.is_empty() => {
                    text.remove(at);
                }
                1 => text.insert_str(at, rng.pick(PIECES)),
                2 => {
                    // Splice: a piece of another input.
                    let other = &pool[rng.below(pool.len())];
                    let cut: Vec<usize> = other.char_indices().map(|(i, _)| i).collect();
                    if let (Some(&a), Some(&b)) =
                        (cut.get(rng.below(cut.len().max(1))), cut.get(rng.below(cut.len().max(1))))
                    {
                        let piece = other[a.min(b)..a.max(b)].to_owned();
                        text.insert_str(at, &piece);
                    }
                }
                3 => text.insert(at, ['(', ')', '"', '|', '\u{e9}', '\0', '\n'][rng.below(7)]),
                _ => {
                    let end = chars.get(rng.below(chars.len().max(1))).copied().unwrap_or(0);
                    let (lo, hi) = (at.min(end), at.max(end));
                    text.replace_range(lo..hi, "");
                }
            }
        }
        if text.len() > 4096 {
            continue;
        }
        let parsed = check(&text);
        runs += 1;
        if parsed.errors.is_empty() && pool.len() < 20_000 {
            pool.push(text);
        }
    }
    println!("fuzz: {runs} inputs in {:.1}s, pool {}", start.elapsed().as_secs_f64(), pool.len());
    assert!(runs > 0);
}

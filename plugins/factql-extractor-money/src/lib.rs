//! The `money` extractor: amounts of money with their currency.
//!
//! Finds `$5`, `US$1.2 billion`, `€20m`, `£3bn`, `USD 40`, `3 billion yen` and `10 million
//! dollars`, and emits one `money` fact per amount with the evidence span, the amount as a
//! number (scale words applied) and the ISO 4217 currency code.
//!
//! It is bundled with factql (linked statically) and is also a cdylib plugin; both go through
//! the same C table, which the parity test in `factql-plugin-host` checks.

use factql_plugin_sdk::text::{Token, TokenKind, tokenize};
use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

/// The money extractor (stateless).
#[derive(Debug, Default)]
pub struct Money;

/// Currency symbols and their ISO codes; `US$` and friends are prefixes before `$`.
const SYMBOLS: &[(&str, &str)] = &[("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY")];
const DOLLAR_PREFIXES: &[(&str, &str)] =
    &[("US", "USD"), ("A", "AUD"), ("C", "CAD"), ("NZ", "NZD"), ("HK", "HKD"), ("S", "SGD")];
const CODES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CHF", "CNY", "AUD", "CAD", "RUB", "INR"];
const WORDS: &[(&str, &str)] = &[
    ("dollar", "USD"),
    ("dollars", "USD"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("pound", "GBP"),
    ("pounds", "GBP"),
    ("yen", "JPY"),
    ("yuan", "CNY"),
    ("rubles", "RUB"),
    ("roubles", "RUB"),
    ("rupees", "INR"),
];
const SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("k", 1e3),
    ("million", 1e6),
    ("m", 1e6),
    ("mn", 1e6),
    ("billion", 1e9),
    ("bn", 1e9),
    ("b", 1e9),
    ("trillion", 1e12),
    ("tn", 1e12),
];

impl Extractor for Money {
    fn manifest() -> Manifest {
        Manifest::new("money", env!("CARGO_PKG_VERSION"))
            .description("amounts of money with their ISO 4217 currency")
            .produces(KindDecl::new("money").field("amount", FieldType::Float, true).field(
                "currency",
                FieldType::Str,
                true,
            ))
    }

    fn new(_config: &Config) -> Result<Money, Error> {
        Ok(Money)
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        for found in amounts(doc.text()) {
            out.fact("money", found.start..found.end)
                .field("amount", found.amount)
                .field("currency", found.currency)
                .confidence(found.confidence);
        }
        Ok(())
    }
}

/// The amounts of `text`, in order: the tokens of each of its [`windows`] scanned in turn.
fn amounts(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for window in windows(text) {
        let part = &text[window.clone()];
        for mut found in scan(part, &tokenize(part)) {
            found.start += window.start;
            found.end += window.start;
            out.push(found);
        }
    }
    out
}

/// The amounts of `text` from its tokens: an amount at each token, skipping over those found.
fn scan(text: &str, tokens: &[Token]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut idx = 0;
    while idx < tokens.len() {
        match find_at(text, tokens, idx) {
            Some(found) => {
                idx = found.next;
                out.push(found);
            }
            None => idx += 1,
        }
    }
    out
}

/// White-space separated words kept on each side of a digit by [`windows`]: an amount reaches
/// at most two tokens before its number (`US` `$`) and two after (`billion` `yen`).
const REACH: usize = 3;

/// The parts of `text` an amount can be in: around every ASCII digit (a number token starts
/// with one, and every amount has a number), [`REACH`] words on each side, overlapping parts
/// merged. Each part starts after ASCII white space (or at 0) and ends before it (or at the
/// end), where the tokeniser of the whole text starts and ends tokens too, so a part's tokens
/// are the whole text's tokens there, and scanning the parts finds what scanning the whole
/// text finds, without tokenising text that has no digit near.
fn windows(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(u8::is_ascii_digit) {
        let digit = at + offset;
        // Back over REACH white-space boundaries (runs of white space) before the digit.
        let mut start = digit;
        let mut seen = 0;
        while start > 0 {
            if bytes[start - 1].is_ascii_whitespace() {
                seen += 1;
                if seen > REACH {
                    break;
                }
                while start > 0 && bytes[start - 1].is_ascii_whitespace() {
                    start -= 1;
                }
            } else {
                start -= 1;
            }
        }
        // Forward over REACH boundaries after it.
        let mut end = digit;
        let mut seen = 0;
        while end < bytes.len() {
            if bytes[end].is_ascii_whitespace() {
                seen += 1;
                if seen > REACH {
                    break;
                }
                while end < bytes.len() && bytes[end].is_ascii_whitespace() {
                    end += 1;
                }
            } else {
                end += 1;
            }
        }
        match out.last_mut() {
            Some(last) if last.end >= start => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
        // The digits of the same word reach as far; the next word with one starts after.
        at = bytes[digit..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |n| digit + n);
    }
    out
}

factql_plugin_sdk::export!(Money);

#[derive(Debug)]
struct Found {
    start: usize,
    end: usize,
    amount: f64,
    currency: &'static str,
    confidence: f32,
    next: usize,
}

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table.iter().find(|(key, _)| *key == word).map(|(_, value)| *value)
}

/// True when `b` starts right where `a` ends (no space between).
fn touching(a: &Token, b: &Token) -> bool {
    a.span.end == b.span.start
}

/// True when `b` follows `a` after at most one space (wire copy writes `$ 50,000`).
fn close(text: &str, a: &Token, b: &Token) -> bool {
    touching(a, b) || (b.span.start == a.span.end + 1 && text.as_bytes()[a.span.end] == b' ')
}

/// A number token, optionally followed by a scale (`million`, or `m`/`bn` glued on).
fn amount_at(text: &str, tokens: &[Token], idx: usize) -> Option<(f64, usize, usize)> {
    let number = tokens.get(idx).filter(|t| t.kind == TokenKind::Number)?;
    let mut value: f64 = number.text(text).replace(',', "").parse().ok()?;
    let mut end = number.span.end;
    let mut next = idx + 1;
    if let Some(word) = tokens.get(next).filter(|t| t.kind == TokenKind::Word) {
        let lower = word.text(text).to_lowercase();
        // Short scales (`m`, `bn`) must be glued to the number; long ones may follow a space.
        let glued = touching(number, word);
        if let Some(scale) = lookup(SCALES, &lower).filter(|_| glued || lower.len() > 2) {
            value *= scale;
            end = word.span.end;
            next += 1;
        }
    }
    Some((value, end, next))
}

fn find_at(text: &str, tokens: &[Token], idx: usize) -> Option<Found> {
    let token = &tokens[idx];
    let word = token.text(text);
    // `$5`, `€20m`, `US$1.2 billion`.
    let (symbol_at, prefix_code) = match lookup(DOLLAR_PREFIXES, word) {
        Some(code) if tokens.get(idx + 1).is_some_and(|t| touching(token, t)) => {
            (idx + 1, Some(code))
        }
        _ => (idx, None),
    };
    if let Some(symbol) = tokens.get(symbol_at)
        && let Some(code) = lookup(SYMBOLS, symbol.text(text))
        && tokens.get(symbol_at + 1).is_some_and(|number| close(text, symbol, number))
        && let Some((amount, end, next)) = amount_at(text, tokens, symbol_at + 1)
    {
        let code = if symbol.text(text) == "$" { prefix_code.unwrap_or(code) } else { code };
        return Some(Found {
            start: token.span.start,
            end,
            amount,
            currency: code,
            confidence: 0.95,
            next,
        });
    }
    // `USD 40`, `EUR 3.5 million`.
    if let Some(code) = CODES.iter().find(|code| **code == word)
        && let Some((amount, end, next)) = amount_at(text, tokens, idx + 1)
    {
        return Some(Found {
            start: token.span.start,
            end,
            amount,
            currency: code,
            confidence: 0.9,
            next,
        });
    }
    // `10 million dollars`, `3 billion yen`, `40 USD`.
    let (amount, _, after) = amount_at(text, tokens, idx)?;
    let unit = tokens.get(after).filter(|t| t.kind == TokenKind::Word)?;
    let unit_text = unit.text(text);
    let code = lookup(WORDS, &unit_text.to_lowercase())
        .or_else(|| CODES.iter().find(|code| **code == unit_text).copied())?;
    Some(Found {
        start: token.span.start,
        end: unit.span.end,
        amount,
        currency: code,
        confidence: 0.85,
        next: after + 1,
    })
}

#[cfg(test)]
mod tests {
    use factql_plugin_sdk::testing::run_on;
    use factql_plugin_sdk::wire::Value;

    use super::*;

    /// The windows find what one scan of the whole text finds, on texts made of amounts,
    /// digits, symbols and words in every order, with various white space.
    #[test]
    fn windows_find_what_the_whole_text_gives() {
        let pieces = [
            "US", "$", "US$", "€", "£", "¥", "1,500.25", "3", "12", "2024", "billion", "bn", "m",
            "k", "million", "dollars", "yen", "USD", "EUR", "euros", "said", "the", "A$", "HK",
            "5bn", "-", ",", ".", "x1", "\u{a0}", "Orbán",
        ];
        let gaps = [" ", "  ", "\n", " \n\n", "", "\t"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut found = 0;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next(30) {
                text.push_str(pieces[next(pieces.len())]);
                text.push_str(gaps[next(gaps.len())]);
            }
            let facts = |all: Vec<Found>| -> Vec<_> {
                all.into_iter()
                    .map(|f| (f.start, f.end, f.amount, f.currency, f.confidence))
                    .collect()
            };
            let whole = facts(scan(&text, &tokenize(&text)));
            found += whole.len();
            assert_eq!(facts(amounts(&text)), whole, "{text:?}");
        }
        assert!(found > 1000, "the texts hold amounts ({found})");
    }

    fn check(text: &str, expect: &[(&str, f64, &str)]) {
        let batch = run_on::<Money>(text).unwrap();
        let got: Vec<(&str, f64, &str)> = batch
            .facts
            .iter()
            .map(|fact| {
                let Some(Value::Float(amount)) = fact.get("amount") else { panic!("no amount") };
                let Some(Value::Str(currency)) = fact.get("currency") else {
                    panic!("no currency")
                };
                (fact.span.slice(text).unwrap(), *amount, currency.as_str())
            })
            .collect();
        let expect: Vec<(&str, f64, &str)> = expect.to_vec();
        assert_eq!(got, expect, "in {text:?}");
    }

    #[test]
    fn symbols_codes_and_words() {
        check("It cost $5 and €20m.", &[("$5", 5.0, "USD"), ("€20m", 20e6, "EUR")]);
        check("A US$1.2 billion deal", &[("US$1.2 billion", 1.2e9, "USD")]);
        check("£3bn or USD 40", &[("£3bn", 3e9, "GBP"), ("USD 40", 40.0, "USD")]);
        check(
            "3 billion yen, 10 million dollars and 1,500 euros",
            &[
                ("3 billion yen", 3e9, "JPY"),
                ("10 million dollars", 1e7, "USD"),
                ("1,500 euros", 1500.0, "EUR"),
            ],
        );
    }

    #[test]
    fn plain_numbers_and_short_scales_after_a_space_are_not_money_but_spaced_symbols_are() {
        check("In 2015, 40 people met 3 m away.", &[]);
        check("He is 5 m tall and paid $ 5", &[("$ 5", 5.0, "USD")]);
        check("released on US$ 20,000 bail", &[("US$ 20,000", 20000.0, "USD")]);
        check("a $\n5 split is not money", &[]);
    }
}

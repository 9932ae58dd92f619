//! Tokens and folding: the one tokenizer used for gazetteer forms, training corpora and articles.
//!
//! A token is a run of letters and digits (with an inner apostrophe, "O'Brien"), an initial or
//! dotted abbreviation ("R.", "U.S."), a possessive clitic ("'s", "’s") or one punctuation
//! character; a hyphen is its own token, so "Ukraine-Russia" is three tokens. Folding maps a token
//! to lower case without diacritics ("Orbán" -> "orban"), written into one shared buffer so
//! that no token allocates.

use std::ops::Range;

/// The first letter is upper case.
pub const CAP: u16 = 1;
/// Every letter is upper case (and there is at least one letter).
pub const ALLCAP: u16 = 1 << 1;
/// Has a letter.
pub const ALPHA: u16 = 1 << 2;
/// Has a digit.
pub const DIGIT: u16 = 1 << 3;
/// Only digits (and inner punctuation such as "3-1" is not one token, so: only digits).
pub const ALLDIGIT: u16 = 1 << 4;
/// Neither letter nor digit.
pub const PUNCT: u16 = 1 << 5;
/// Ends with a dot ("R.", "U.S.").
pub const DOT: u16 = 1 << 6;
/// The possessive clitic "'s" / "’s".
pub const POSS: u16 = 1 << 7;
/// A hyphen or dash.
pub const HYPHEN: u16 = 1 << 8;
/// Has a lower-case letter.
pub const LOWER: u16 = 1 << 9;

/// One token: byte span in the text, shape flags and its folded form in a shared buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte in the text.
    pub start: u32,
    /// Byte offset after the last byte.
    pub end: u32,
    /// Start of the folded form in the fold buffer.
    pub fstart: u32,
    /// End of the folded form in the fold buffer.
    pub fend: u32,
    /// Shape flags ([`CAP`], [`ALLCAP`], ...).
    pub shape: u16,
}

impl Token {
    /// The byte range in the text.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The folded form.
    pub fn folded<'a>(&self, buf: &'a str) -> &'a str {
        &buf[self.fstart as usize..self.fend as usize]
    }

    /// True when the token has the given shape flag(s) (all of them).
    pub fn is(&self, flag: u16) -> bool {
        self.shape & flag == flag
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Appends the tokens of `text[range]` to `out`, their folded forms to `folded`.
pub fn tokenize(text: &str, range: Range<usize>, out: &mut Vec<Token>, folded: &mut String) {
    let bytes = text.as_bytes();
    let end = range.end.min(text.len());
    let mut i = range.start;
    let char_at = |i: usize| -> Option<char> {
        if i >= end {
            None
        } else if bytes[i] < 0x80 {
            Some(bytes[i] as char)
        } else {
            text[i..end].chars().next()
        }
    };
    while i < end {
        let b = bytes[i];
        if b == b' ' || b == b'\n' || b == b'\t' || b == b'\r' {
            i += 1;
            continue;
        }
        let Some(c) = char_at(i) else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if is_word_char(c) {
            let mut j = i + c.len_utf8();
            let mut n_chars = 1;
            loop {
                // ASCII letters and digits without decoding
                while j < end && bytes[j].is_ascii_alphanumeric() {
                    j += 1;
                    n_chars += 1;
                }
                let Some(d) = char_at(j) else { break };
                if is_word_char(d) {
                    j += d.len_utf8();
                    n_chars += 1;
                } else if is_apostrophe(d) {
                    // inner apostrophe: O'Brien, don't; not the possessive 's
                    let k = j + d.len_utf8();
                    match char_at(k) {
                        Some(e) if is_word_char(e) => {
                            let poss =
                                (e == 's' || e == 'S') && !char_at(k + 1).is_some_and(is_word_char);
                            if poss {
                                break;
                            }
                            j = k;
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            // initials and dotted abbreviations: "R.", "U.S.", "D.C."
            if n_chars == 1 && c.is_uppercase() && char_at(j) == Some('.') {
                j += 1;
                while let Some(x) = char_at(j) {
                    if x.is_ascii_alphabetic() && char_at(j + 1) == Some('.') {
                        j += 2;
                    } else {
                        break;
                    }
                }
            }
            push(text, start..j, out, folded);
            i = j;
        } else if is_apostrophe(c)
            && matches!(char_at(i + c.len_utf8()), Some('s' | 'S'))
            && !char_at(i + c.len_utf8() + 1).is_some_and(is_word_char)
        {
            let j = i + c.len_utf8() + 1;
            push(text, start..j, out, folded);
            i = j;
        } else {
            let j = i + c.len_utf8();
            push(text, start..j, out, folded);
            i = j;
        }
    }
}

fn push(text: &str, r: Range<usize>, out: &mut Vec<Token>, folded: &mut String) {
    let s = &text[r.clone()];
    let fstart = folded.len();
    if s.is_ascii() {
        // the common case: bytes only
        let mut shape = 0u16;
        let (mut letters, mut upper, mut digits) = (0, 0, 0);
        for (k, &b) in s.as_bytes().iter().enumerate() {
            if b.is_ascii_alphabetic() {
                letters += 1;
                if b.is_ascii_uppercase() {
                    upper += 1;
                    if k == 0 {
                        shape |= CAP;
                    }
                } else {
                    shape |= LOWER;
                }
            } else if b.is_ascii_digit() {
                digits += 1;
            }
        }
        folded.push_str(s);
        folded[fstart..].make_ascii_lowercase();
        british_z(folded, fstart);
        shape |= counted_shape(s, letters, upper, digits, s.len());
        if s.len() == 2 && s.starts_with('\'') && (s.ends_with('s') || s.ends_with('S')) {
            shape |= POSS;
        }
        out.push(Token {
            start: r.start as u32,
            end: r.end as u32,
            fstart: fstart as u32,
            fend: folded.len() as u32,
            shape,
        });
        return;
    }
    fold_into(s, folded);
    british_z(folded, fstart);
    let mut shape = 0u16;
    let mut letters = 0;
    let mut upper = 0;
    let mut digits = 0;
    let mut n = 0;
    for (k, c) in s.chars().enumerate() {
        n += 1;
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
                if k == 0 {
                    shape |= CAP;
                }
            } else {
                shape |= LOWER;
            }
        } else if c.is_numeric() {
            digits += 1;
        }
    }
    shape |= counted_shape(s, letters, upper, digits, n);
    if s.len() > 1
        && (s.ends_with('s') || s.ends_with('S'))
        && s.chars().next().is_some_and(is_apostrophe)
    {
        shape |= POSS;
    }
    out.push(Token {
        start: r.start as u32,
        end: r.end as u32,
        fstart: fstart as u32,
        fend: folded.len() as u32,
        shape,
    });
}

/// The shape bits that follow from a token's counts of letters, upper-case letters and
/// digits among its `n` characters, shared by the byte and the character paths of [`push`].
#[inline]
fn counted_shape(s: &str, letters: usize, upper: usize, digits: usize, n: usize) -> u16 {
    let mut shape = 0u16;
    if letters > 0 {
        shape |= ALPHA;
        if upper == letters {
            shape |= ALLCAP;
        }
    }
    if digits > 0 {
        shape |= DIGIT;
        if digits == n {
            shape |= ALLDIGIT;
        }
    }
    if letters == 0 && digits == 0 {
        shape |= PUNCT;
        if matches!(s, "-" | "\u{2013}" | "\u{2014}") {
            shape |= HYPHEN;
        }
    }
    if s.len() > 1 && s.ends_with('.') {
        shape |= DOT;
    }
    shape
}

/// British "-isation(s)" folds to "-ization(s)" (Organisation = Organization), so the
/// spellings share gazetteer forms.
fn british_z(folded: &mut String, fstart: usize) {
    let tok = &folded[fstart..];
    if tok.len() > 7 {
        let stem = tok.strip_suffix('s').unwrap_or(tok);
        if stem.ends_with("isation") {
            let at = fstart + stem.len() - "isation".len() + 1;
            folded.replace_range(at..at + 1, "z");
        }
    }
}

/// Appends `s` folded (lower case, no diacritics, typographic quotes and dashes made ASCII).
pub fn fold_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2013}' | '\u{2014}' => out.push('-'),
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'ß' => out.push_str("ss"),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            _ => unicode_normalization::char::decompose_canonical(c, |d| {
                if !unicode_normalization::char::is_combining_mark(d) {
                    out.extend(d.to_lowercase());
                }
            }),
        }
    }
}

/// `s` folded, as a new string (for loading data, not for the hot path).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// The folded tokens of a name joined by single spaces: the key a gazetteer form is stored
/// under and the key a mention is looked up by.
pub fn name_key(s: &str) -> String {
    let mut toks = Vec::new();
    let mut buf = String::new();
    tokenize(s, 0..s.len(), &mut toks, &mut buf);
    let mut key = String::with_capacity(buf.len() + toks.len());
    for (k, t) in toks.iter().enumerate() {
        if k > 0 {
            key.push(' ');
        }
        key.push_str(t.folded(&buf));
    }
    key
}

/// FxHash-style mixing of bytes into a 64-bit hash (cheap, deterministic across runs).
#[inline]
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h = seed;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// A hasher for keys that are already good 64-bit hashes (word hashes): it passes them through.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by precomputed 64-bit hashes.
pub type IdMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = String::new();
        tokenize(s, 0..s.len(), &mut out, &mut buf);
        out.iter().map(|t| s[t.span()].to_string()).collect()
    }

    #[test]
    fn splits_possessive_hyphen_and_keeps_initials() {
        assert_eq!(toks("Putin’s war"), ["Putin", "’s", "war"]);
        assert_eq!(toks("Ukraine-Russia"), ["Ukraine", "-", "Russia"]);
        assert_eq!(
            toks("Joseph R. Biden, U.S. leader"),
            ["Joseph", "R.", "Biden", ",", "U.S.", "leader"]
        );
        assert_eq!(toks("O'Brien's"), ["O'Brien", "'s"]);
        assert_eq!(toks("Trump 's"), ["Trump", "'s"]);
    }

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(fold("Orbán Szijjártó"), "orban szijjarto");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(name_key("Viktor  Orbán"), "viktor orban");
        assert_eq!(name_key("World Health Organisation"), "world health organization");
        assert_eq!(name_key("organisations"), "organizations");
    }
}

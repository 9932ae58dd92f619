//! Folding text for matching that ignores case and diacritics.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds `text` for case- and diacritic-insensitive matching: decomposes (NFD), drops
/// combining marks, lower-cases, and maps typographic apostrophes to `'`.
///
/// Alias keys in the store and the query language's `has` use this one function, so a name
/// matches the same way everywhere.
///
/// ```
/// assert_eq!(factql_model::fold("Orbán’s"), "orban's");
/// assert_eq!(factql_model::fold("SZIJJÁRTÓ"), "szijjarto");
/// ```
pub fn fold(text: &str) -> String {
    // Character by character, ASCII directly: NFD decomposes each character on its own and
    // then only reorders runs of characters of non-zero combining class, all of which are
    // combining marks (tested over every character) and dropped here, so folding each
    // character alone gives the same text as folding the whole. The engine folds every
    // article text for its word index: news text is mostly ASCII.
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        for c in std::iter::once(c).nfd() {
            if is_combining_mark(c) {
                continue;
            }
            match c {
                '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::{canonical_combining_class, is_combining_mark};

    /// The definition: the whole text decomposed at once.
    fn fold_whole(text: &str) -> String {
        let mut out = String::new();
        for c in text.nfd() {
            if is_combining_mark(c) {
                continue;
            }
            match c {
                '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
        }
        out
    }

    #[test]
    fn every_character_that_nfd_reorders_is_a_combining_mark() {
        let reordered: Vec<char> = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| canonical_combining_class(c) != 0 && !is_combining_mark(c))
            .collect();
        assert_eq!(reordered, [], "folding character by character would differ");
    }

    #[test]
    fn folding_by_character_equals_folding_the_whole_text() {
        let samples = [
            "Orbán’s SZIJJÁRTÓ Lukashenka e\u{301}\u{327}\u{301}x Ǆ ǅ ΣΊΣΥΦΟΣ İstanbul ß ﬁ",
            "Cafe\u{301} \u{1100}\u{1161}\u{11a8} 한국어 a\u{5ae}\u{302}\u{316}b ʼn ‘x’ \u{2126}",
            "\u{0f73}\u{0f75}\u{0f81} ǰ ᾷ \u{1e9b}\u{323} Å Ω K x\u{345}\u{300} 東京 ١٢٣",
        ];
        for sample in samples {
            assert_eq!(super::fold(sample), fold_whole(sample), "{sample}");
        }
        // Every character alone, and after a letter and before a mark.
        for c in (0..=0x10ffff_u32).filter_map(char::from_u32) {
            let text = format!("A{c}\u{301}b");
            assert_eq!(super::fold(&text), fold_whole(&text), "{:04x}", c as u32);
        }
    }
}

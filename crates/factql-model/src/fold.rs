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
    let mut out = String::with_capacity(text.len());
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

//! Text normalisation: one form for every input, so spans and hashes are stable.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// Normalises text for storage: line ends become `\n`, other vertical separators become
/// `\n`, and the whole text is put in Unicode NFC.
///
/// Every span factql stores points into the result of this function.
pub fn normalize_text(text: &str) -> String {
    let unified = if text.contains(['\r', '\u{2028}', '\u{2029}', '\u{0085}']) {
        text.replace("\r\n", "\n").replace(['\r', '\u{2028}', '\u{2029}', '\u{0085}'], "\n")
    } else {
        text.to_owned()
    };
    match is_nfc_quick(unified.chars()) {
        unicode_normalization::IsNormalized::Yes => unified,
        _ => unified.nfc().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_to_nfc_and_unifies_line_ends() {
        // "e" + combining acute becomes the single code point é.
        assert_eq!(normalize_text("Cafe\u{301}\r\nbar\rbaz"), "Caf\u{e9}\nbar\nbaz");
        assert_eq!(normalize_text("already fine"), "already fine");
    }
}

//! What a word is, for `has`, the word index and `near`: one definition, below all of them.

/// The words of folded text: runs of letters and digits.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

//! Keyword tables and "did you mean" suggestions.

/// Words that are never identifiers unless quoted with backticks
/// (`` `by` ``).
///
/// Source names, node kinds, scope words (`sentence`, `article`, ...), render
/// kinds and the stage synonyms (`project`, `limit`, `order`, `count`) are
/// *contextual*: they are keywords only where the grammar expects them, so
/// `article` stays usable as a field name.
pub const RESERVED_WORDS: &[&str] = &[
    "all",
    "and",
    "anti",
    "any",
    "as",
    "asc",
    "between",
    "by",
    "desc",
    "distinct",
    "expand",
    "extend",
    "false",
    "has",
    "in",
    "join",
    "left",
    "let",
    "match",
    "near",
    "not",
    "null",
    "on",
    "or",
    "per",
    "render",
    "select",
    "sort",
    "summarize",
    "take",
    "top",
    "true",
    "where",
];

/// The canonical stage keywords, in the order used in messages.
pub const STAGE_KEYWORDS: &[&str] = &[
    "where",
    "select",
    "extend",
    "summarize",
    "sort",
    "top",
    "take",
    "distinct",
    "join",
    "expand",
    "render",
    "as",
];

/// Accepted stage synonyms and the canonical stage each one becomes.
pub const STAGE_SYNONYMS: &[(&str, &str)] =
    &[("project", "select"), ("limit", "take"), ("order", "sort"), ("count", "summarize")];

/// Kinds usable in an entity literal such as `person "Lukashenko"`.
pub const ENTITY_KINDS: &[&str] =
    &["article", "org", "person", "place", "quote", "sentence", "term"];

/// The named text scopes (`N words` is the fourth form).
pub const SCOPE_WORDS: &[&str] = &["sentence", "paragraph", "article"];

/// Chart kinds accepted by `render`.
pub const RENDER_KINDS: &[&str] = &["bar", "line", "timeline"];

/// True if `word` is in [`RESERVED_WORDS`].
pub fn is_reserved(word: &str) -> bool {
    RESERVED_WORDS.binary_search(&word).is_ok()
}

/// Keywords after which a newline does not end the statement: a line that
/// ends with one of them cannot be complete.
pub(crate) const CONTINUING_KEYWORDS: &[&str] = &[
    "all",
    "and",
    "anti",
    "any",
    "as",
    "between",
    "by",
    "expand",
    "extend",
    "has",
    "in",
    "join",
    "left",
    "let",
    "match",
    "near",
    "not",
    "on",
    "or",
    "per",
    "render",
    "select",
    "sort",
    "summarize",
    "take",
    "top",
    "where",
];

/// True if `word` is a plain identifier that needs no backticks.
pub(crate) fn is_plain_ident(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) if is_ident_start(first) => chars.all(is_ident_continue),
        _ => false,
    }
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The closest candidate to `word`, if it is close enough to be a typo.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let word = word.to_lowercase();
    // Up to a third of the word may be wrong, at least one edit.
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (edit_distance(&word, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for (i, row) in table.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in table.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = best;
        }
    }
    table[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        let mut sorted = RESERVED_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, RESERVED_WORDS);
        let mut sorted = CONTINUING_KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, CONTINUING_KEYWORDS);
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("wher", STAGE_KEYWORDS), Some("where"));
        assert_eq!(did_you_mean("summarise", STAGE_KEYWORDS), Some("summarize"));
        assert_eq!(did_you_mean("slect", STAGE_KEYWORDS), Some("select"));
        assert_eq!(did_you_mean("tkae", STAGE_KEYWORDS), Some("take"));
        assert_eq!(did_you_mean("frobnicate", STAGE_KEYWORDS), None);
        assert_eq!(did_you_mean("sentense", SCOPE_WORDS), Some("sentence"));
    }
}

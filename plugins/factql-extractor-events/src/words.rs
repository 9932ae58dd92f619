//! Words around a byte position: the small toolkit of the shallow parse. Everything works on
//! the article text in place (no token vectors): a word is a run of alphanumeric characters
//! (with inner `-`, `.` between letters as in "U.S.", and `'`), everything else is
//! punctuation.

/// Prepositions: a mention right after one is inside a prepositional phrase, not a subject.
pub(crate) const PREPOSITIONS: &[&str] = &[
    "of",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "to",
    "from",
    "into",
    "between",
    "among",
    "amongst",
    "against",
    "about",
    "over",
    "under",
    "after",
    "before",
    "during",
    "since",
    "toward",
    "towards",
    "across",
    "through",
    "within",
    "without",
    "near",
    "amid",
    "despite",
    "like",
    "than",
    "via",
    "upon",
    "onto",
    "beyond",
    "behind",
    "around",
    "along",
    "throughout",
    "inside",
    "outside",
    "regarding",
    "concerning",
];

/// Words that end a noun phrase.
const NP_STOP: &[&str] = &[
    "to", "that", "who", "whom", "which", "whose", "where", "when", "while", "but", "because",
    "if", "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "will",
    "would", "shall", "should", "can", "could", "may", "might", "must", "do", "does", "did", "not",
    "said", "says", "after", "before", "since", "so", "than", "then", "also",
];

/// Determiners and possessive pronouns: a word after one is a noun.
pub(crate) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my",
    "your", "any", "no", "new", "fresh", "further", "more", "recent", "latest", "first",
    "possible", "planned", "such", "tough", "harsh", "economic", "military", "western",
];

/// Whether `c` belongs to a word.
fn word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The word ending at or before `at` (skipping white space), not below `floor`: its range.
/// `None` when punctuation comes first.
pub(crate) fn word_before(text: &str, at: usize, floor: usize) -> Option<(usize, usize)> {
    let head = &text[floor..at];
    let trimmed = head.trim_end();
    let end = floor + trimmed.len();
    let last = trimmed.chars().next_back()?;
    if !word_char(last) {
        return None;
    }
    let mut start = end;
    for (idx, c) in trimmed.char_indices().rev() {
        if word_char(c) || ((c == '-' || c == '\'' || c == '.') && idx > 0 && start < end) {
            start = floor + idx;
        } else {
            break;
        }
    }
    // A word does not start with punctuation ("-based", "'s").
    while start < end && !text[start..].starts_with(|c: char| word_char(c)) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    (start < end).then_some((start, end))
}

/// The word starting at or after `at` (skipping white space), below `limit`.
pub(crate) fn word_after(text: &str, at: usize, limit: usize) -> Option<(usize, usize)> {
    let tail = &text[at..limit];
    let start = at + (tail.len() - tail.trim_start().len());
    let first = text[start..limit].chars().next()?;
    if !word_char(first) {
        return None;
    }
    let mut end = start;
    let bytes = text.as_bytes();
    for (idx, c) in text[start..limit].char_indices() {
        let next_is_word = text[start + idx + c.len_utf8()..limit].starts_with(word_char);
        if word_char(c) || ((c == '-' || c == '.') && next_is_word) {
            end = start + idx + c.len_utf8();
        } else {
            break;
        }
    }
    // "U.S." keeps its last dot when a letter comes before it.
    if end < limit && bytes[end] == b'.' && end >= 2 && bytes[end - 2] == b'.' {
        end += 1;
    }
    Some((start, end))
}

/// The first non-space character at or after `at`, below `limit`.
pub(crate) fn char_after(text: &str, at: usize, limit: usize) -> Option<(usize, char)> {
    let tail = &text[at..limit];
    let start = at + (tail.len() - tail.trim_start().len());
    text[start..limit].chars().next().map(|c| (start, c))
}

/// The last non-space character before `at`, not below `floor`.
pub(crate) fn char_before(text: &str, at: usize, floor: usize) -> Option<(usize, char)> {
    let trimmed = text[floor..at].trim_end();
    trimmed.chars().next_back().map(|c| (floor + trimmed.len() - c.len_utf8(), c))
}

/// Whether `word` is one of `list`, ignoring ASCII case.
pub(crate) fn is(word: &str, list: &[&str]) -> bool {
    // Every listed word is short and lower case.
    word.len() <= 16 && list.iter().any(|w| w.len() == word.len() && w.eq_ignore_ascii_case(word))
}

/// The word in ASCII lower case in `buf`, when it fits.
fn lower<'b>(word: &str, buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    let bytes = word.as_bytes();
    let out = buf.get_mut(..bytes.len())?;
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b.to_ascii_lowercase();
    }
    Some(out)
}

/// Whether the word is a preposition.
pub(crate) fn is_preposition(word: &str) -> bool {
    let mut buf = [0; 16];
    lower(word, &mut buf).is_some_and(|w| PREPOSITIONS.iter().any(|p| p.as_bytes() == w))
}

/// Whether the word ends a noun phrase.
pub(crate) fn ends_np(word: &str) -> bool {
    let mut buf = [0; 16];
    lower(word, &mut buf).is_some_and(|w| {
        NP_STOP.iter().any(|p| p.as_bytes() == w) || PREPOSITIONS.iter().any(|p| p.as_bytes() == w)
    })
}

/// Past a possessive `'s`, `’s`, or a bare `’`/`'` after an s ("Belarus’"), at `at`.
pub(crate) fn skip_possessive(text: &str, at: usize) -> usize {
    for suffix in ["'s", "’s", "'", "’"] {
        if text[at..].starts_with(suffix) {
            let end = at + suffix.len();
            if !text[end..].starts_with(word_char) {
                return end;
            }
        }
    }
    at
}

/// Whether a possessive `'s`/`’s`/`’` ends at `at` (before white space); returns where it starts.
pub(crate) fn possessive_before(text: &str, at: usize) -> Option<usize> {
    for suffix in ["'s", "’s", "'", "’"] {
        if text[..at].ends_with(suffix) {
            return Some(at - suffix.len());
        }
    }
    None
}

/// Whether the word starts with an upper-case letter.
pub(crate) fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `at..` starts a whole word (the character before is not part of a word).
pub(crate) fn boundary_before(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(word_char)
}

/// Whether `..at` ends a whole word.
pub(crate) fn boundary_after(text: &str, at: usize) -> bool {
    !text[at..].chars().next().is_some_and(word_char)
}

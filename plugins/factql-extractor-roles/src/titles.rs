//! Titles of office ("Prime Minister", "foreign minister", "ex-President") and the qualifiers
//! before them ("former", "acting"), matched without case at word boundaries.

/// The title table: lower-case phrase, normalised category.
const TITLES: &str = include_str!("../data/titles.tsv");

/// Words that qualify a title and are kept as the role's qualifier.
pub(crate) const QUALIFIERS: &[&str] =
    &["former", "acting", "interim", "outgoing", "incoming", "late", "then", "ex", "caretaker"];

/// A title found in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// Byte range of the title in the text.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// Its normalised category.
    pub category: &'static str,
}

/// The titles, longest first, so that "deputy prime minister" wins over "prime minister".
pub(crate) struct Titles {
    phrases: Vec<(&'static str, &'static str)>,
    /// The indices of `phrases` by the ASCII lower case of their first byte, longest first.
    by_first: Vec<Vec<u16>>,
    /// The same by their last byte.
    by_last: Vec<Vec<u16>>,
}

impl Titles {
    /// Reads the bundled table.
    pub(crate) fn load() -> Titles {
        let mut phrases: Vec<(&'static str, &'static str)> = TITLES
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once('\t'))
            .map(|(title, category)| (title.trim(), category.trim()))
            .filter(|(title, _)| !title.is_empty())
            .collect();
        phrases.sort_by_key(|(title, _)| std::cmp::Reverse(title.len()));
        // A phrase matches only text whose first (last) byte is its own without ASCII case:
        // the phrases of that byte, in the same order, are the only ones to try.
        let (mut by_first, mut by_last) = (vec![Vec::new(); 256], vec![Vec::new(); 256]);
        for (idx, (phrase, _)) in phrases.iter().enumerate() {
            let bytes = phrase.as_bytes();
            let idx = u16::try_from(idx).unwrap_or(u16::MAX);
            if let (Some(first), Some(last)) = (bytes.first(), bytes.last()) {
                by_first[usize::from(first.to_ascii_lowercase())].push(idx);
                by_last[usize::from(last.to_ascii_lowercase())].push(idx);
            }
        }
        Titles { phrases, by_first, by_last }
    }

    /// The phrases that may start (`by_first`) or end (`by_last`) with `byte`.
    fn bucket<'t>(
        &'t self,
        index: &'t [Vec<u16>],
        byte: Option<&u8>,
    ) -> impl Iterator<Item = &'t (&'static str, &'static str)> + 't {
        let bucket = byte.map_or(&[][..], |b| &index[usize::from(b.to_ascii_lowercase())][..]);
        bucket.iter().filter_map(|&idx| self.phrases.get(usize::from(idx)))
    }

    /// The longest title ending exactly at byte `end` of `text` (after trailing whitespace is
    /// skipped by the caller), starting at a word boundary.
    pub(crate) fn ending_at(&self, text: &str, end: usize) -> Option<Found> {
        let head = text.get(..end)?;
        self.bucket(&self.by_last, head.as_bytes().last()).find_map(|(phrase, category)| {
            let start = end.checked_sub(phrase.len())?;
            let candidate = head.get(start..)?;
            (candidate.eq_ignore_ascii_case(phrase) && boundary_before(text, start))
                .then_some(Found { start, end, category })
        })
    }

    /// The longest title starting exactly at byte `start` of `text`, ending at a word boundary.
    pub(crate) fn starting_at(&self, text: &str, start: usize) -> Option<Found> {
        let tail = text.get(start..)?;
        self.bucket(&self.by_first, tail.as_bytes().first()).find_map(|(phrase, category)| {
            let candidate = tail.get(..phrase.len())?;
            let end = start + phrase.len();
            (candidate.eq_ignore_ascii_case(phrase) && boundary_after(text, end)).then_some(Found {
                start,
                end,
                category,
            })
        })
    }
}

/// True when the byte before `at` does not continue a word (a hyphen does not: "ex-President").
pub(crate) fn boundary_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

/// True when the character at `at` does not continue a word.
pub(crate) fn boundary_after(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '-')
}

/// The qualifier word ending at `end` (whitespace or a hyphen after it already skipped by the
/// caller), and where it starts.
pub(crate) fn qualifier_ending_at(text: &str, end: usize) -> Option<(usize, &'static str)> {
    QUALIFIERS.iter().find_map(|word| {
        let start = end.checked_sub(word.len())?;
        (text.get(start..end)?.eq_ignore_ascii_case(word) && boundary_before(text, start))
            .then_some((start, *word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_title_wins_and_words_are_not_cut() {
        let titles = Titles::load();
        let text = "Hungarian Deputy Prime Minister X and the vice-president Y, a premiership Z";
        let found = titles.ending_at(text, 31).expect("a title");
        assert_eq!(
            (&text[found.start..found.end], found.category),
            ("Deputy Prime Minister", "deputy_head_of_government")
        );
        let vp = titles.ending_at(text, 56).expect("a title");
        assert_eq!(&text[vp.start..vp.end], "vice-president");
        assert_eq!(titles.ending_at(text, 72), None, "premiership is no title");
        assert_eq!(titles.starting_at(text, 42).map(|f| f.category), Some("vice_president"));
    }

    #[test]
    fn qualifiers_are_whole_words() {
        assert_eq!(qualifier_ending_at("the former", 10), Some((4, "former")));
        assert_eq!(qualifier_ending_at("theformer", 9), None);
        assert_eq!(qualifier_ending_at("ex", 2), Some((0, "ex")));
    }
}

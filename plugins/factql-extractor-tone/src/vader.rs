//! A port of VADER 3.3.2's `SentimentIntensityAnalyzer.polarity_scores` (vaderSentiment on
//! PyPI; Hutto & Gilbert 2014, MIT licence, see `data/NOTICE.md`).
//!
//! The port keeps VADER's behaviour, quirks included, so its scores match the Python
//! package's: one-character emoji are replaced by their descriptions; the text is split on
//! white space and each token loses leading and trailing ASCII punctuation unless that leaves
//! two characters or fewer ("no," stays "no,", so it is no lexicon word); a lexicon word gets
//! its mean valence, changed by the three words before it (boosters and dampeners, scaled by
//! distance, with ALL-CAPS emphasis when the text mixes cases; negation words and `n't`;
//! "never so/this"; "without doubt"), by "no" before it, by its own ALL CAPS, by the special
//! case phrases ("the bomb", "kiss of death") and by "least"; "kind of" and booster words score
//! nothing themselves; words before the first "but" count half and words after it one and a
//! half, through VADER's own loop (which changes the first equal value rather than the current
//! one); "!" (up to four) and "?" (two or more) add emphasis; the sum is normalised with
//! alpha = 15; `pos`, `neu` and `neg` are proportions; all four are rounded as Python's
//! `round` does (3 digits, 4 for `compound`).
//!
//! Every token costs one hash lookup: the lexicon, the boosters and the negation words share
//! one table, whose entry says all three. Lower-cased tokens are written into a buffer the
//! [`Scorer`] reuses, so scoring allocates nothing per token.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// `B_INCR`: the valence a booster word adds ("very good").
pub const B_INCR: f64 = 0.293;
/// `B_DECR`: the valence a dampener word takes away ("somewhat good").
pub const B_DECR: f64 = -0.293;
/// `C_INCR`: the valence an ALL-CAPS word adds when the text mixes cases.
pub const C_INCR: f64 = 0.733;
/// `N_SCALAR`: the factor of a negated word.
pub const N_SCALAR: f64 = -0.74;
/// The normalisation constant of `compound`: `x / sqrt(x * x + ALPHA)`.
pub const ALPHA: f64 = 15.0;

const LEXICON: &str = include_str!("../data/vader_lexicon.txt");
const EMOJI: &str = include_str!("../data/emoji_utf8_lexicon.txt");
const BOOSTERS: &str = include_str!("../data/vader_boosters.tsv");
const NEGATIONS: &str = include_str!("../data/vader_negations.txt");
const SPECIAL_CASES: &str = include_str!("../data/vader_special_cases.tsv");

/// VADER's four scores of a text.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    /// Proportion of the text that is negative, rounded to 3 digits.
    pub neg: f64,
    /// Proportion that is neutral, rounded to 3 digits.
    pub neu: f64,
    /// Proportion that is positive, rounded to 3 digits.
    pub pos: f64,
    /// The normalised sum of valences in `[-1, 1]`, rounded to 4 digits.
    pub compound: f64,
}

/// What the one table says about a lower-cased token.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    /// The lexicon's mean valence, if the token is a lexicon word.
    valence: Option<f64>,
    /// The booster or dampener scalar, if the token is one (`B_INCR` or `B_DECR`).
    booster: Option<f64>,
    /// Whether the token is one of VADER's negation words.
    negation: bool,
    /// Whether the token is "kind", "of" or "but" (words the scoring loop looks at for
    /// every token; kept here so that it compares no strings).
    word: Special,
    /// Whether the token is a word of a special case or a booster phrase: a sequence of
    /// tokens with one that is not can be no such phrase, and is compared with none.
    phrase: bool,
}

/// The words every token is compared with, found by the same lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Special {
    #[default]
    None,
    Kind,
    Of,
    But,
}

/// FxHash (as in rustc): the table's keys are fixed, so a fast hash is all it needs.
#[derive(Clone, Copy, Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut rest = [0; 8];
        let tail = chunks.remainder();
        rest[..tail.len()].copy_from_slice(tail);
        self.add(u64::from_le_bytes(rest) ^ ((tail.len() as u64) << 59));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

type Table = HashMap<Box<str>, Entry, BuildHasherDefault<FxHasher>>;

/// VADER's data, loaded once: the lexicon, boosters, negation words, special cases, emoji.
#[derive(Debug)]
pub struct Vader {
    table: Table,
    /// Phrases of two or more words of `BOOSTER_DICT` ("kind of", "sort of", "just enough").
    booster_phrases: Vec<(Vec<&'static str>, f64)>,
    /// `SPECIAL_CASES`, split into words, in source order.
    special_cases: Vec<(Vec<&'static str>, f64)>,
    /// One-character emoji and their descriptions (longer keys can never match: VADER
    /// compares one character at a time).
    emoji: HashMap<char, &'static str, BuildHasherDefault<FxHasher>>,
}

impl Default for Vader {
    fn default() -> Vader {
        Vader::load()
    }
}

/// Python's `str.isspace`: Rust's white space plus the four ASCII separators `\x1c`..`\x1f`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` of a data line: white space at both ends.
fn py_strip(line: &str) -> &str {
    line.trim_matches(is_py_space)
}

/// The lines of a data file as VADER's loaders read them: `rstrip('\n').split('\n')`,
/// each stripped, empty ones skipped.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.trim_end_matches('\n').split('\n').map(py_strip).filter(|line| !line.is_empty())
}

/// The two first tab-separated columns of a line.
fn two_columns(line: &'static str) -> Option<(&'static str, &'static str)> {
    let mut columns = line.split('\t');
    Some((columns.next()?, columns.next()?))
}

impl Vader {
    /// Parses the data bundled with the crate. The files are compiled in and checked by the
    /// tests, so a malformed line would be a build defect; such a line is skipped.
    pub fn load() -> Vader {
        let mut table = Table::default();
        for (word, measure) in data_lines(LEXICON).filter_map(two_columns) {
            if let Ok(valence) = measure.parse::<f64>() {
                table.entry(word.into()).or_default().valence = Some(valence);
            }
        }
        let mut booster_phrases = Vec::new();
        for (word, rest) in data_lines(BOOSTERS).skip(1).filter_map(two_columns) {
            let scalar = if rest == "increment" { B_INCR } else { B_DECR };
            if word.contains(' ') {
                booster_phrases.push((word.split(' ').collect(), scalar));
            } else {
                table.entry(word.into()).or_default().booster = Some(scalar);
            }
        }
        for word in data_lines(NEGATIONS) {
            table.entry(word.into()).or_default().negation = true;
        }
        for (word, special) in [("kind", Special::Kind), ("of", Special::Of), ("but", Special::But)]
        {
            table.entry(word.into()).or_default().word = special;
        }
        let special_cases: Vec<(Vec<&str>, f64)> = data_lines(SPECIAL_CASES)
            .skip(1)
            .filter_map(two_columns)
            .filter_map(|(phrase, valence)| {
                Some((phrase.split(' ').collect(), valence.parse::<f64>().ok()?))
            })
            .collect();
        for (phrase, _) in booster_phrases.iter().chain(&special_cases) {
            for word in phrase {
                table.entry(Box::<str>::from(*word)).or_default().phrase = true;
            }
        }
        let mut emoji = HashMap::default();
        for (key, description) in data_lines(EMOJI).filter_map(two_columns) {
            let mut chars = key.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                emoji.insert(c, description);
            }
        }
        Vader { table, booster_phrases, special_cases, emoji }
    }

    /// A scorer with its own buffers, to score many texts without allocating per text.
    pub fn scorer(&self) -> Scorer<'_> {
        self.scorer_with(Buffers::default())
    }

    /// A scorer reusing `buffers`.
    pub fn scorer_with(&self, buffers: Buffers) -> Scorer<'_> {
        let Buffers { lower, tokens, valences } = buffers;
        Scorer { vader: self, lower, tokens, valences }
    }

    /// VADER's `polarity_scores(text)`.
    pub fn polarity_scores(&self, text: &str) -> Scores {
        self.scorer().score(text)
    }

    /// Whether `word` (lower case) is a lexicon word, and its valence.
    pub fn valence(&self, word: &str) -> Option<f64> {
        self.table.get(word).and_then(|entry| entry.valence)
    }

    /// The text with one-character emoji replaced by their descriptions, as VADER does
    /// (a space before a description unless one precedes it, none after).
    fn replace_emoji<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        // Every emoji key is at or above U+00A9, so ASCII text has none.
        if text.is_ascii() || !text.chars().any(|c| c >= '\u{a9}' && self.emoji.contains_key(&c)) {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 32);
        let mut prev_space = true;
        for c in text.chars() {
            if let Some(description) = self.emoji.get(&c) {
                if !prev_space {
                    out.push(' ');
                }
                out.push_str(description);
                prev_space = false;
            } else {
                out.push(c);
                prev_space = c == ' ';
            }
        }
        std::borrow::Cow::Owned(out)
    }
}

/// One token of the text being scored.
#[derive(Clone, Debug)]
struct Token {
    /// Where the token is in the text, before its punctuation is stripped.
    raw: Range<usize>,
    /// The lower-cased token, as a range of the scorer's buffer.
    lower: Range<usize>,
    /// Python's `isupper()` of the token.
    upper: bool,
    /// What the table says about it.
    entry: Entry,
}

/// Scores texts with reused buffers; from [`Vader::scorer`].
#[derive(Debug)]
pub struct Scorer<'v> {
    vader: &'v Vader,
    lower: String,
    tokens: Vec<Token>,
    valences: Vec<f64>,
}

/// The buffers of a [`Scorer`], kept between scorers ([`Vader::scorer_with`],
/// [`Scorer::into_buffers`]) so that scoring many articles allocates nothing once they have
/// grown.
#[derive(Debug, Default)]
pub struct Buffers {
    lower: String,
    tokens: Vec<Token>,
    valences: Vec<f64>,
}

/// The tokens of one text (a sentence, or the whole article) as the rules see them.
struct View<'a> {
    vader: &'a Vader,
    tokens: &'a [Token],
    lower: &'a str,
}

/// Python's `str.isupper()`: some cased character, and none lower case or title case.
fn is_upper(word: &str) -> bool {
    if word.is_ascii() {
        let bytes = word.as_bytes();
        return bytes.iter().any(u8::is_ascii_uppercase)
            && !bytes.iter().any(u8::is_ascii_lowercase);
    }
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// The title-case letters (Unicode category Lt).
fn is_titlecase(c: char) -> bool {
    matches!(c,
        '\u{1c5}' | '\u{1c8}' | '\u{1cb}' | '\u{1f2}'
        | '\u{1f88}'..='\u{1f8f}' | '\u{1f98}'..='\u{1f9f}' | '\u{1fa8}'..='\u{1faf}'
        | '\u{1fbc}' | '\u{1fcc}' | '\u{1ffc}')
}

/// Python's `round(x, digits)`: the double nearest to the correctly rounded decimal
/// (ties to even), which is what formatting with a precision and parsing back gives.
fn py_round(x: f64, digits: i32) -> f64 {
    // Away from a tie, rounding the scaled value is exact: the integer and the power of ten
    // are exact doubles, and their quotient is the double nearest to the decimal.
    let scale = 10f64.powi(digits);
    let scaled = x * scale;
    if ((scaled - scaled.trunc()).abs() - 0.5).abs() > 1e-6 {
        return scaled.round() / scale;
    }
    let digits = digits as usize;
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// VADER's `normalize(score, alpha=15)`.
pub fn normalize(score: f64) -> f64 {
    (score / (score * score + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

impl Scorer<'_> {
    /// The buffers, for another scorer.
    pub fn into_buffers(self) -> Buffers {
        let Scorer { lower, tokens, valences, .. } = self;
        Buffers { lower, tokens, valences }
    }

    /// VADER's `polarity_scores(text)`.
    pub fn score(&mut self, text: &str) -> Scores {
        let text = self.vader.replace_emoji(text);
        self.tokenize(&text);
        self.score_tokens(0..self.tokens.len(), &text)
    }

    /// VADER's `polarity_scores` of the whole `text` and of each of its `sentences` (byte
    /// ranges), the same as [`Scorer::score`] on each, tokenizing the text only once.
    ///
    /// A sentence's tokens are the text's tokens inside it, unless a token crosses one of its
    /// ends, or the text has emoji (which VADER replaces first); such a sentence is scored
    /// on its own.
    pub fn score_document(
        &mut self,
        text: &str,
        sentences: &[Range<usize>],
    ) -> (Scores, Vec<Scores>) {
        let replaced = self.vader.replace_emoji(text);
        if let std::borrow::Cow::Owned(_) = replaced {
            let mut own = self.vader.scorer();
            let scores = sentences.iter().map(|s| own.score(&text[s.clone()])).collect();
            return (self.score(text), scores);
        }
        self.tokenize(text);
        let whole = self.score_tokens(0..self.tokens.len(), text);
        let mut own = None;
        let mut scores = Vec::with_capacity(sentences.len());
        for sentence in sentences {
            let first = self.tokens.partition_point(|t| t.raw.start < sentence.start);
            let end = self.tokens.partition_point(|t| t.raw.start < sentence.end);
            let crosses = (first > 0 && self.tokens[first - 1].raw.end > sentence.start)
                || (end > first && self.tokens[end - 1].raw.end > sentence.end);
            scores.push(if crosses {
                own.get_or_insert_with(|| self.vader.scorer()).score(&text[sentence.clone()])
            } else {
                self.score_tokens(first..end, &text[sentence.clone()])
            });
        }
        (whole, scores)
    }

    /// VADER's scoring of the tokens `range`, `text` being their text (for "!" and "?").
    fn score_tokens(&mut self, range: Range<usize>, text: &str) -> Scores {
        let view = View { vader: self.vader, tokens: &self.tokens[range], lower: &self.lower };
        let n = view.tokens.len();
        let upper_count = view.tokens.iter().filter(|t| t.upper).count();
        let cap_diff = upper_count > 0 && upper_count < n;
        self.valences.clear();
        for i in 0..n {
            let token = &view.tokens[i];
            let valence = if token.entry.booster.is_some()
                || (token.entry.word == Special::Kind
                    && i + 1 < n
                    && view.tokens[i + 1].entry.word == Special::Of)
            {
                0.0
            } else if let Some(valence) = token.entry.valence {
                view.sentiment_valence(valence, i, cap_diff)
            } else {
                0.0
            };
            self.valences.push(valence);
        }
        let but = view.tokens.iter().position(|t| t.entry.word == Special::But);
        but_check(&mut self.valences, but);
        score_valence(&self.valences, text)
    }

    /// Splits `text` as VADER's `SentiText` does, lower-cases each token into the buffer and
    /// looks it up once.
    fn tokenize(&mut self, text: &str) {
        self.lower.clear();
        self.tokens.clear();
        let bytes = text.as_bytes();
        self.lower.reserve(text.len());
        self.tokens.reserve(text.len() / 6);
        let mut at = 0;
        while at < bytes.len() {
            let skip = space_at(text, at);
            if skip > 0 {
                at += skip;
                continue;
            }
            let start = at;
            at += 1;
            // Inside a token: ASCII bytes that are not white space, without a call.
            loop {
                match bytes.get(at).map(|b| BYTE_CLASS[usize::from(*b)]) {
                    Some(0) => at += 1,
                    Some(_) if space_at(text, at) == 0 => at += 1,
                    _ => break,
                }
            }
            self.push_token(text, start..at);
        }
    }

    /// Adds the token `raw` of `text`: VADER's `_strip_punc_if_word`, lower case, one lookup.
    fn push_token(&mut self, text: &str, raw: Range<usize>) {
        let token = &text[raw.clone()];
        let bytes = token.as_bytes();
        // ASCII punctuation is stripped byte by byte: such a byte is always a character.
        let (mut first, mut end) = (0, bytes.len());
        while first < end && bytes[first].is_ascii_punctuation() {
            first += 1;
        }
        while end > first && bytes[end - 1].is_ascii_punctuation() {
            end -= 1;
        }
        let stripped = &token[first..end];
        // Two characters or fewer: count the bytes that start a character.
        let short = stripped.len() <= 2
            || (!stripped.is_ascii()
                && stripped.bytes().filter(|b| (*b as i8) >= -0x40).count() <= 2);
        let word = if short { token } else { stripped };
        let (mut ascii, mut has_upper, mut has_lower) = (true, false, false);
        for &b in word.as_bytes() {
            ascii &= b < 0x80;
            has_upper |= b.is_ascii_uppercase();
            has_lower |= b.is_ascii_lowercase();
        }
        let start = self.lower.len();
        let upper = if ascii {
            self.lower.push_str(word);
            if has_upper {
                self.lower[start..].make_ascii_lowercase();
            }
            has_upper && !has_lower
        } else {
            self.lower.push_str(&word.to_lowercase());
            is_upper(word)
        };
        let lower = start..self.lower.len();
        let entry = self.vader.table.get(&self.lower[lower.clone()]).copied().unwrap_or_default();
        self.tokens.push(Token { raw, lower, upper, entry });
    }
}

/// The length of the white space character at `at` (a character boundary), or 0.
#[inline]
fn space_at(text: &str, at: usize) -> usize {
    match BYTE_CLASS[usize::from(text.as_bytes()[at])] {
        ASCII_SPACE => 1,
        MAYBE_SPACE => {
            text[at..].chars().next().filter(|c| is_py_space(*c)).map_or(0, char::len_utf8)
        }
        _ => 0,
    }
}

/// [`BYTE_CLASS`]: an ASCII white space byte.
const ASCII_SPACE: u8 = 1;
/// [`BYTE_CLASS`]: the first byte of a character that may be white space (U+0085, U+00A0,
/// U+1680, U+2000..U+205F, U+3000).
const MAYBE_SPACE: u8 = 2;

/// The class of each byte for the tokenizer: Python's white space is `\t`..`\r`,
/// `\x1c`..`\x1f`, the space, and characters starting with one of four bytes.
static BYTE_CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = match b as u8 {
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ' => ASCII_SPACE,
            0xc2 | 0xe1 | 0xe2 | 0xe3 => MAYBE_SPACE,
            _ => 0,
        };
        b += 1;
    }
    class
};

impl View<'_> {
    /// The lower-cased token `i`.
    fn word(&self, i: usize) -> &str {
        &self.lower[self.tokens[i].lower.clone()]
    }

    /// Whether token `i` is a lexicon word.
    fn in_lexicon(&self, i: usize) -> bool {
        self.tokens[i].entry.valence.is_some()
    }

    /// VADER's `negated([word])`: a negation word, or any word with "n't".
    fn negated(&self, i: usize) -> bool {
        self.tokens[i].entry.negation || self.word(i).contains("n't")
    }

    /// VADER's `sentiment_valence` for the lexicon word `i` of valence `base`.
    fn sentiment_valence(&self, base: f64, i: usize, cap_diff: bool) -> f64 {
        let n = self.tokens.len();
        let mut valence = base;
        // "no" before another lexicon word negates it rather than scoring itself.
        if self.word(i) == "no" && i != n - 1 && self.in_lexicon(i + 1) {
            valence = 0.0;
        }
        if (i > 0 && self.word(i - 1) == "no")
            || (i > 1 && self.word(i - 2) == "no")
            || (i > 2 && self.word(i - 3) == "no" && matches!(self.word(i - 1), "or" | "nor"))
        {
            valence = base * N_SCALAR;
        }
        if self.tokens[i].upper && cap_diff {
            if valence > 0.0 {
                valence += C_INCR;
            } else {
                valence -= C_INCR;
            }
        }
        for start_i in 0..3 {
            if i > start_i && !self.in_lexicon(i - (start_i + 1)) {
                let mut s = self.scalar_inc_dec(i - (start_i + 1), valence, cap_diff);
                if start_i == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start_i == 2 && s != 0.0 {
                    s *= 0.9;
                }
                valence += s;
                valence = self.negation_check(valence, start_i, i);
                if start_i == 2 {
                    valence = self.special_idioms_check(valence, i);
                }
            }
        }
        self.least_check(valence, i)
    }

    /// VADER's `scalar_inc_dec`: what the booster or dampener `j` adds to `valence`.
    fn scalar_inc_dec(&self, j: usize, valence: f64, cap_diff: bool) -> f64 {
        let token = &self.tokens[j];
        let Some(mut scalar) = token.entry.booster else { return 0.0 };
        if valence < 0.0 {
            scalar *= -1.0;
        }
        if token.upper && cap_diff {
            if valence > 0.0 {
                scalar += C_INCR;
            } else {
                scalar -= C_INCR;
            }
        }
        scalar
    }

    /// VADER's `_negation_check` for the word `start_i + 1` places before `i`, with its
    /// operator precedence: at distance three, "so" or "this" right before the word is
    /// enough for the x1.25 of "never so/this".
    fn negation_check(&self, valence: f64, start_i: usize, i: usize) -> f64 {
        let so_this = |j: usize| matches!(self.word(j), "so" | "this");
        match start_i {
            0 if self.negated(i - 1) => valence * N_SCALAR,
            1 if self.word(i - 2) == "never" && so_this(i - 1) => valence * 1.25,
            1 if self.word(i - 2) == "without" && self.word(i - 1) == "doubt" => valence,
            1 if self.negated(i - 2) => valence * N_SCALAR,
            2 if (self.word(i - 3) == "never" && so_this(i - 2)) || so_this(i - 1) => {
                valence * 1.25
            }
            2 if self.word(i - 3) == "without"
                && (self.word(i - 2) == "doubt" || self.word(i - 1) == "doubt") =>
            {
                valence
            }
            2 if self.negated(i - 3) => valence * N_SCALAR,
            _ => valence,
        }
    }

    /// Whether the tokens at `indices` are the words of `phrase`.
    fn is_phrase(&self, indices: &[usize], phrase: &[&str]) -> bool {
        indices.len() == phrase.len()
            && indices.iter().zip(phrase).all(|(&j, w)| self.word(j) == *w)
    }

    /// Whether every token at `indices` is a word of some phrase (else none is there).
    fn may_be_phrase(&self, indices: &[usize]) -> bool {
        indices.iter().all(|&j| self.tokens[j].entry.phrase)
    }

    /// VADER's `_special_idioms_check` for the word `i` (`i > 2`).
    fn special_idioms_check(&self, mut valence: f64, i: usize) -> f64 {
        let n = self.tokens.len();
        let special = |indices: &[usize]| {
            if !self.may_be_phrase(indices) {
                return None;
            }
            self.vader
                .special_cases
                .iter()
                .find(|(phrase, _)| self.is_phrase(indices, phrase))
                .map(|(_, v)| *v)
        };
        let before: [&[usize]; 5] = [
            &[i - 1, i],
            &[i - 2, i - 1, i],
            &[i - 2, i - 1],
            &[i - 3, i - 2, i - 1],
            &[i - 3, i - 2],
        ];
        if let Some(v) = before.iter().find_map(|seq| special(seq)) {
            valence = v;
        }
        if n - 1 > i
            && let Some(v) = special(&[i, i + 1])
        {
            valence = v;
        }
        if n - 1 > i + 1
            && let Some(v) = special(&[i, i + 1, i + 2])
        {
            valence = v;
        }
        let n_grams: [&[usize]; 3] = [&[i - 3, i - 2, i - 1], &[i - 3, i - 2], &[i - 2, i - 1]];
        for seq in n_grams.into_iter().filter(|seq| self.may_be_phrase(seq)) {
            if let Some((_, scalar)) =
                self.vader.booster_phrases.iter().find(|(phrase, _)| self.is_phrase(seq, phrase))
            {
                valence += scalar;
            }
        }
        valence
    }

    /// VADER's `_least_check`: "least" before the word negates it, except "at least" and
    /// "very least".
    fn least_check(&self, valence: f64, i: usize) -> f64 {
        if i > 1 && !self.in_lexicon(i - 1) && self.word(i - 1) == "least" {
            if self.word(i - 2) != "at" && self.word(i - 2) != "very" {
                return valence * N_SCALAR;
            }
        } else if i > 0 && !self.in_lexicon(i - 1) && self.word(i - 1) == "least" {
            return valence * N_SCALAR;
        }
        valence
    }
}

/// VADER's `_but_check`, loop and all: for each position in turn, the first position
/// holding an equal value is halved (before the first "but") or multiplied by 1.5 (after).
///
/// Done without VADER's quadratic search: the value read at position `k` is still its own
/// (only positions up to `k` ever change), zeros never change anything (0 x 0.5 = 0), so
/// the positions before `k` with a non-zero value are kept by value, each value with its
/// positions in order.
fn but_check(values: &mut [f64], but: Option<usize>) {
    let Some(bi) = but else { return };
    let mut at: HashMap<u64, std::collections::BTreeSet<usize>> = HashMap::new();
    for k in 0..values.len() {
        let value = values[k];
        if value == 0.0 {
            continue;
        }
        let earlier = at.get_mut(&value.to_bits()).and_then(|set| set.pop_first());
        let si = earlier.unwrap_or(k);
        let changed = if si < bi {
            value * 0.5
        } else if si > bi {
            value * 1.5
        } else {
            value
        };
        values[si] = changed;
        if si != k {
            at.entry(changed.to_bits()).or_default().insert(si);
        }
        at.entry(values[k].to_bits()).or_default().insert(k);
    }
}

/// VADER's `_punctuation_emphasis`: "!" up to four times, and two or more "?".
fn punctuation_emphasis(text: &str) -> f64 {
    let (mut exclamations, mut questions) = (0usize, 0usize);
    for byte in text.bytes() {
        exclamations += usize::from(byte == b'!');
        questions += usize::from(byte == b'?');
    }
    let ep = exclamations.min(4) as f64 * 0.292;
    let qm = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f64 * 0.18,
        _ => 0.96,
    };
    ep + qm
}

/// VADER's `score_valence`.
fn score_valence(sentiments: &[f64], text: &str) -> Scores {
    if sentiments.is_empty() {
        return Scores::default();
    }
    let mut sum = 0.0;
    for s in sentiments {
        sum += s;
    }
    let emphasis = punctuation_emphasis(text);
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    let compound = normalize(sum);
    let (mut pos_sum, mut neg_sum, mut neu_count) = (0.0, 0.0, 0usize);
    for &s in sentiments {
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += emphasis;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= emphasis;
    }
    let total = pos_sum + neg_sum.abs() + neu_count as f64;
    Scores {
        neg: py_round((neg_sum / total).abs(), 3),
        neu: py_round((neu_count as f64 / total).abs(), 3),
        pos: py_round((pos_sum / total).abs(), 3),
        compound: py_round(compound, 4),
    }
}

#[cfg(test)]
mod tests;

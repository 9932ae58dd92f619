//! The scanner: a byte-level tokeniser and the rules that find and normalise time expressions.

use std::ops::Range;

use crate::calendar::{
    Anchor, civil_from_days, day_iso, days_from_civil, from_month_index, month_iso, valid,
    week_iso, weekday,
};

/// What kind of expression a date is (the `type` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateType {
    /// Written out in full or in part: `March 3, 2022`, `2022-03-03`, `March 2022`, `2022`.
    Explicit,
    /// Needs the publication date: `yesterday`, `last week`, `on Thursday`, `March 3`.
    Relative,
    /// A name for a date or period: `the 2020 election`, `January 6th protesters`, `9/11`.
    Temponym,
    /// A vague reference to the past, present or future: `recently`, `current`, `soon`.
    Vague,
}

impl DateType {
    /// The field value: `explicit`, `relative`, `temponym` or `vague`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateType::Explicit => "explicit",
            DateType::Relative => "relative",
            DateType::Temponym => "temponym",
            DateType::Vague => "vague",
        }
    }
}

/// One time expression found in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Byte range of the expression (prepositions such as `in`/`since` left out).
    pub span: Range<usize>,
    /// Partial ISO 8601 (`2022`, `2022-03`, `2022-03-15`, `2023-W44`, `2020-H2`, `2022-Q1`,
    /// `199` for a decade), TIMEX3 `PAST_REF`/`PRESENT_REF`/`FUTURE_REF`, or empty.
    pub value: String,
    /// What kind of expression it is.
    pub kind: DateType,
    /// The interval of partial dates the value covers; an end is `None` when open.
    pub during: Option<(Option<String>, Option<String>)>,
    /// The publication date used to resolve it, if one was.
    pub anchor: Option<String>,
    /// A TIMEX3-like modifier from the words before it: `since`, `until`, `before`, `after`,
    /// `by`, `from`, `through`, `early`, `mid`, `late`.
    pub modifier: Option<&'static str>,
}

impl Found {
    /// Whether a value was found.
    pub fn resolved(&self) -> bool {
        !self.value.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// ASCII letters (and any other letters after them).
    Word,
    /// Digits, with inner `.` or `,` between digits.
    Num,
    /// Digits directly followed by letters: `6th`, `1990s`.
    Alnum,
    /// One other character.
    Punct,
    /// A line break: no expression crosses it.
    Break,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    start: u32,
    end: u32,
    kind: Kind,
}

/// Splits `text` into tokens; whitespace other than line breaks is dropped.
fn tokenize(text: &str, out: &mut Vec<Tok>) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    while i < len {
        let b = bytes[i];
        let start = i;
        let kind = if b.is_ascii_alphabetic() {
            i += 1;
            while i < len {
                let c = bytes[i];
                if c.is_ascii_alphanumeric() {
                    i += 1;
                } else if c >= 0x80 {
                    match text[i..].chars().next() {
                        Some(ch) if ch.is_alphabetic() => i += ch.len_utf8(),
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            Kind::Word
        } else if b.is_ascii_digit() {
            i += 1;
            while i < len {
                let c = bytes[i];
                if c.is_ascii_digit()
                    || matches!(c, b'.' | b',') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                {
                    i += 1;
                } else {
                    break;
                }
            }
            if i < len && bytes[i].is_ascii_alphabetic() {
                while i < len && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                Kind::Alnum
            } else {
                Kind::Num
            }
        } else if b == b'\n' {
            i += 1;
            Kind::Break
        } else if b.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if b < 0x80 {
            i += 1;
            Kind::Punct
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            i += ch.len_utf8();
            if ch.is_whitespace() {
                continue;
            }
            Kind::Punct
        };
        out.push(Tok { start: start as u32, end: i as u32, kind });
    }
}

/// A word the rules know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lex {
    /// A month: number, full name or not.
    Month(u32, bool),
    /// A weekday, Monday 1.
    Weekday(u32),
    /// `yesterday` (-1), `today`/`tonight` (0), `tomorrow` (1).
    DayShift(i64),
    /// `last` (-1), `this` (0), `next`/`coming` (1).
    Shift(i64),
    /// `earlier`/`later` before `this week` and the like.
    Around,
    /// A unit: day, week, month, year (singular or plural).
    Unit(Unit),
    /// A small number word.
    NumWord(i64),
    /// `recently`, `current`, `soon`...: the TIMEX3 value.
    Vague(&'static str),
    /// An ordinal before `half`/`quarter`.
    Ordinal(u32),
    /// `half` or `quarter`.
    Part(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// The words the rules know, lower case.
const WORDS: &[(&str, Lex)] = &[
    ("january", Lex::Month(1, true)),
    ("february", Lex::Month(2, true)),
    ("march", Lex::Month(3, true)),
    ("april", Lex::Month(4, true)),
    ("may", Lex::Month(5, true)),
    ("june", Lex::Month(6, true)),
    ("july", Lex::Month(7, true)),
    ("august", Lex::Month(8, true)),
    ("september", Lex::Month(9, true)),
    ("october", Lex::Month(10, true)),
    ("november", Lex::Month(11, true)),
    ("december", Lex::Month(12, true)),
    ("jan", Lex::Month(1, false)),
    ("feb", Lex::Month(2, false)),
    ("mar", Lex::Month(3, false)),
    ("apr", Lex::Month(4, false)),
    ("jun", Lex::Month(6, false)),
    ("jul", Lex::Month(7, false)),
    ("aug", Lex::Month(8, false)),
    ("sep", Lex::Month(9, false)),
    ("sept", Lex::Month(9, false)),
    ("oct", Lex::Month(10, false)),
    ("nov", Lex::Month(11, false)),
    ("dec", Lex::Month(12, false)),
    ("monday", Lex::Weekday(1)),
    ("tuesday", Lex::Weekday(2)),
    ("wednesday", Lex::Weekday(3)),
    ("thursday", Lex::Weekday(4)),
    ("friday", Lex::Weekday(5)),
    ("saturday", Lex::Weekday(6)),
    ("sunday", Lex::Weekday(7)),
    ("yesterday", Lex::DayShift(-1)),
    ("today", Lex::DayShift(0)),
    ("tonight", Lex::DayShift(0)),
    ("tomorrow", Lex::DayShift(1)),
    ("last", Lex::Shift(-1)),
    ("this", Lex::Shift(0)),
    ("next", Lex::Shift(1)),
    ("coming", Lex::Shift(1)),
    ("earlier", Lex::Around),
    ("later", Lex::Around),
    ("day", Lex::Unit(Unit::Day)),
    ("days", Lex::Unit(Unit::Day)),
    ("week", Lex::Unit(Unit::Week)),
    ("weeks", Lex::Unit(Unit::Week)),
    ("month", Lex::Unit(Unit::Month)),
    ("months", Lex::Unit(Unit::Month)),
    ("year", Lex::Unit(Unit::Year)),
    ("years", Lex::Unit(Unit::Year)),
    ("a", Lex::NumWord(1)),
    ("an", Lex::NumWord(1)),
    ("one", Lex::NumWord(1)),
    ("two", Lex::NumWord(2)),
    ("three", Lex::NumWord(3)),
    ("four", Lex::NumWord(4)),
    ("five", Lex::NumWord(5)),
    ("six", Lex::NumWord(6)),
    ("seven", Lex::NumWord(7)),
    ("eight", Lex::NumWord(8)),
    ("nine", Lex::NumWord(9)),
    ("ten", Lex::NumWord(10)),
    ("eleven", Lex::NumWord(11)),
    ("twelve", Lex::NumWord(12)),
    ("recently", Lex::Vague("PAST_REF")),
    ("recent", Lex::Vague("PAST_REF")),
    ("lately", Lex::Vague("PAST_REF")),
    ("currently", Lex::Vague("PRESENT_REF")),
    ("current", Lex::Vague("PRESENT_REF")),
    ("now", Lex::Vague("PRESENT_REF")),
    ("nowadays", Lex::Vague("PRESENT_REF")),
    ("soon", Lex::Vague("FUTURE_REF")),
    ("first", Lex::Ordinal(1)),
    ("second", Lex::Ordinal(2)),
    ("third", Lex::Ordinal(3)),
    ("fourth", Lex::Ordinal(4)),
    ("half", Lex::Part(2)),
    ("quarter", Lex::Part(4)),
];

/// A word as a number: 5 bits a letter (`a` = 1), so up to 12 letters fit and no two words
/// share a key; `None` for a word with anything but ASCII letters or longer than 12.
const fn key(word: &[u8]) -> Option<u64> {
    if word.len() > 12 {
        return None;
    }
    let mut key = 0u64;
    let mut i = 0;
    while i < word.len() {
        let letter = (word[i] | 0x20).wrapping_sub(b'a');
        if letter >= 26 {
            return None;
        }
        key = key << 5 | (letter as u64 + 1);
        i += 1;
    }
    Some(key)
}

/// Slots of the open-addressed table of [`WORDS`] (a power of two, under half full).
const SLOTS: usize = 256;

const fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize & (SLOTS - 1)
}

/// [`WORDS`] by key, built at compile time: a lookup is a multiply and a compare or two.
const TABLE: [(u64, Option<Lex>); SLOTS] = {
    let mut table = [(0u64, None); SLOTS];
    let mut i = 0;
    while i < WORDS.len() {
        let (word, meaning) = WORDS[i];
        if let Some(key) = key(word.as_bytes()) {
            let mut at = slot(key);
            while table[at].1.is_some() {
                at = (at + 1) & (SLOTS - 1);
            }
            table[at] = (key, Some(meaning));
        }
        i += 1;
    }
    table
};

/// A 512-bit filter over (first letter, last letter, length) of [`WORDS`]: most words of a
/// text ("the", "and", "that") fail it after three byte reads.
const FILTER: [u64; 8] = {
    let mut bits = [0u64; 8];
    let mut i = 0;
    while i < WORDS.len() {
        let word = WORDS[i].0.as_bytes();
        let h = filter_hash(word[0], word[word.len() - 1], word.len());
        bits[h >> 6] |= 1 << (h & 63);
        i += 1;
    }
    bits
};

const fn filter_hash(first: u8, last: u8, len: usize) -> usize {
    let (first, last) = ((first | 0x20) as usize, (last | 0x20) as usize);
    (first * 37 + last * 11 + len * 101) & 511
}

/// The word's meaning, whatever its case.
fn lex(word: &[u8]) -> Option<Lex> {
    let (&first, &last) = (word.first()?, word.last()?);
    let h = filter_hash(first, last, word.len());
    if word.len() > 9 || FILTER[h >> 6] & (1 << (h & 63)) == 0 {
        return None;
    }
    let key = key(word)?;
    let mut at = slot(key);
    loop {
        match TABLE[at] {
            (_, None) => return None,
            (k, found) if k == key => return found,
            _ => at = (at + 1) & (SLOTS - 1),
        }
    }
}

/// Nouns after a year that make it the name of an event (`the 2020 election`).
const EVENT_NOUNS: &[&str] = &[
    "election",
    "elections",
    "campaign",
    "census",
    "olympics",
    "olympic",
    "summit",
    "budget",
    "protests",
    "referendum",
    "invasion",
    "war",
    "crisis",
    "midterms",
    "primary",
    "primaries",
    "pandemic",
    "riots",
    "earthquake",
    "uprising",
    "revolution",
    "coup",
    "games",
    "season",
    "championship",
    "tournament",
    "attacks",
    "vote",
    "race",
];

/// Count nouns and units after a number that make it a quantity, not a year.
const QUANTITY_NOUNS: &[&str] = &[
    "people",
    "persons",
    "men",
    "women",
    "children",
    "troops",
    "soldiers",
    "votes",
    "km",
    "kg",
    "miles",
    "kilometres",
    "kilometers",
    "metres",
    "meters",
    "feet",
    "tonnes",
    "tons",
    "dollars",
    "euros",
    "pounds",
    "years",
    "units",
    "copies",
    "cases",
    "deaths",
    "students",
    "workers",
    "members",
    "jobs",
    "homes",
    "pages",
    "words",
    "times",
    "points",
    "percent",
    "hours",
    "hrs",
    "residents",
    "refugees",
    "employees",
    "police",
    "officers",
    "vehicles",
    "tanks",
    "rounds",
];

/// Words right before a number that make it something else than a year.
const NOT_YEAR_BEFORE: &[&str] =
    &["no", "number", "page", "pages", "route", "room", "flight", "tel", "phone", "model"];

/// Words after `January 6th` that make it the 2021 attack on the US Capitol.
const JAN6_CUES: &[&str] = &[
    "protesters",
    "protestors",
    "rioters",
    "riot",
    "attack",
    "insurrection",
    "committee",
    "hearing",
    "hearings",
    "defendants",
    "capitol",
];

/// Words before a weekday that make it the name of a day, not a date.
const NAMED_DAYS: &[&str] =
    &["black", "good", "super", "bloody", "ash", "palm", "easter", "cyber", "holy", "maundy"];

/// Words whose presence in the sentence points to the future.
const FUTURE_CUES: &[&str] =
    &["will", "shall", "ll", "upcoming", "scheduled", "expected", "plans", "planned"];

/// Scans one article's text for time expressions, resolving against `anchor`.
pub struct Scanner<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    anchor: Option<Anchor>,
    sentences: &'a [Range<usize>],
}

/// Finds the time expressions of `text`; `sentences` are the sentence byte ranges in order
/// (they decide the tense around an expression), `published` the publication date.
pub fn scan(text: &str, sentences: &[Range<usize>], published: Option<&str>) -> Vec<Found> {
    let mut toks = Vec::with_capacity(text.len() / 5);
    tokenize(text, &mut toks);
    let scanner = Scanner { text, toks, anchor: published.and_then(Anchor::parse), sentences };
    scanner.run()
}

impl<'a> Scanner<'a> {
    fn run(&self) -> Vec<Found> {
        let mut out = Vec::new();
        let mut i = 0;
        let n = self.toks.len();
        while i < n {
            let tok = self.toks[i];
            let found = match tok.kind {
                Kind::Word => self.word(i),
                Kind::Num => self.number(i),
                Kind::Alnum => self.alnum(i),
                _ => None,
            };
            match found {
                Some((found, next)) => {
                    out.push(found);
                    i = next.max(i + 1);
                }
                None => i += 1,
            }
        }
        out
    }

    // ----- token helpers -----

    /// The text of token `i` (empty past the end, so rules may look ahead freely).
    fn s(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| &self.text[t.start as usize..t.end as usize])
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn is(&self, i: usize, word: &str) -> bool {
        i < self.toks.len() && self.s(i).eq_ignore_ascii_case(word)
    }

    fn is_punct(&self, i: usize, p: &str) -> bool {
        self.kind(i) == Some(Kind::Punct) && self.s(i) == p
    }

    fn lex(&self, i: usize) -> Option<Lex> {
        (self.kind(i)? == Kind::Word).then(|| lex(self.s(i).as_bytes())).flatten()
    }

    /// Whether tokens `i` and `i + 1` touch.
    fn touch(&self, i: usize) -> bool {
        i + 1 < self.toks.len() && self.toks[i].end == self.toks[i + 1].start
    }

    fn capitalised(&self, i: usize) -> bool {
        self.s(i).as_bytes().first().is_some_and(u8::is_ascii_uppercase)
    }

    fn span(&self, first: usize, last: usize) -> Range<usize> {
        self.toks[first].start as usize..self.toks[last].end as usize
    }

    /// The lower-cased word before token `i`, if it is a word.
    fn word_before(&self, i: usize) -> Option<&'a str> {
        let j = i.checked_sub(1)?;
        (self.kind(j)? == Kind::Word).then(|| self.s(j))
    }

    /// A plain number token's value (digits only).
    fn int(&self, i: usize) -> Option<u32> {
        if self.kind(i)? != Kind::Num {
            return None;
        }
        let s = self.s(i);
        if s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }

    /// A year token: four digits in 1800..=2100.
    fn year(&self, i: usize) -> Option<i32> {
        let s = self.s(i);
        let y = self.int(i).filter(|_| s.len() == 4)?;
        (1800..=2100).contains(&y).then_some(y as i32)
    }

    /// A day token (`6`, `06`, `6th`, `1st`), 1..=31.
    fn day(&self, i: usize) -> Option<u32> {
        let s = self.s(i);
        let day = match self.kind(i)? {
            Kind::Num if s.len() <= 2 => self.int(i)?,
            Kind::Alnum => {
                let digits = s.bytes().take_while(u8::is_ascii_digit).count();
                let suffix = s[digits..].to_ascii_lowercase();
                if digits > 2 || !matches!(suffix.as_str(), "st" | "nd" | "rd" | "th") {
                    return None;
                }
                s[..digits].parse().ok()?
            }
            _ => return None,
        };
        (1..=31).contains(&day).then_some(day)
    }

    /// A month name at `i` (capitalised; an abbreviation may take a `.`): (month, full, last
    /// token of the name).
    fn month(&self, i: usize) -> Option<(u32, bool, usize)> {
        let Lex::Month(month, full) = self.lex(i)? else { return None };
        if !self.capitalised(i) {
            return None;
        }
        let last = if !full && self.touch(i) && self.is_punct(i + 1, ".") { i + 1 } else { i };
        Some((month, full, last))
    }

    /// Whether the sentence around token `i` speaks of the future.
    fn future(&self, i: usize) -> bool {
        let at = self.toks[i].start as usize;
        let idx = self.sentences.partition_point(|s| s.start <= at);
        let range = match idx.checked_sub(1).map(|k| &self.sentences[k]) {
            Some(s) if at < s.end => s.clone(),
            _ => at.saturating_sub(200)..(at + 200).min(self.text.len()),
        };
        let first = self.toks.partition_point(|t| (t.start as usize) < range.start);
        self.toks[first..]
            .iter()
            .take_while(|t| (t.end as usize) <= range.end)
            .filter(|t| t.kind == Kind::Word)
            .any(|t| {
                let w = &self.text[t.start as usize..t.end as usize];
                FUTURE_CUES.iter().any(|c| w.eq_ignore_ascii_case(c))
            })
    }

    /// The modifier given by the word(s) before token `first`.
    fn modifier(&self, first: usize) -> Option<&'static str> {
        let mut j = first.checked_sub(1)?;
        if self.is_punct(j, "-") && j > 0 && self.touch(j - 1) {
            j -= 1;
        }
        if self.kind(j)? != Kind::Word {
            return None;
        }
        let w = self.s(j).to_ascii_lowercase();
        Some(match w.as_str() {
            "since" => "since",
            "until" | "till" => "until",
            "before" => "before",
            "after" => "after",
            "by" => "by",
            "from" => "from",
            "through" => "through",
            "early" => "early",
            "mid" => "mid",
            "late" => "late",
            _ => return None,
        })
    }

    // ----- results -----

    fn explicit(&self, span: Range<usize>, value: String, first: usize) -> Found {
        let during = Some((Some(value.clone()), Some(value.clone())));
        Found {
            span,
            value,
            kind: DateType::Explicit,
            during,
            anchor: None,
            modifier: self.modifier(first),
        }
    }

    fn relative(&self, span: Range<usize>, value: Option<(String, String, String)>) -> Found {
        match value {
            Some((value, from, to)) => Found {
                span,
                value,
                kind: DateType::Relative,
                during: Some((Some(from), Some(to))),
                anchor: self.anchor.map(Anchor::iso),
                modifier: None,
            },
            None => Found {
                span,
                value: String::new(),
                kind: DateType::Relative,
                during: None,
                anchor: None,
                modifier: None,
            },
        }
    }

    fn same(value: String) -> Option<(String, String, String)> {
        Some((value.clone(), value.clone(), value))
    }

    // ----- rules by first token -----

    fn word(&self, i: usize) -> Option<(Found, usize)> {
        match self.lex(i)? {
            Lex::Month(..) => self.month_rule(i),
            Lex::Weekday(d) => self.weekday_rule(i, d),
            Lex::DayShift(shift) => {
                let value = self.anchor.and_then(Anchor::days).map(|d| day_iso(d + shift));
                Some((self.relative(self.span(i, i), value.and_then(Self::same)), i + 1))
            }
            Lex::Shift(shift) => self.shift_rule(i, i, shift),
            Lex::Around => {
                let Some(Lex::Shift(0)) = self.lex(i + 1) else { return None };
                self.shift_rule(i, i + 1, 0)
            }
            Lex::NumWord(n) => self.ago_rule(i, i64::from(n as i32)),
            Lex::Vague(value) => self.vague_rule(i, value),
            Lex::Ordinal(k) => self.part_rule(i, k),
            Lex::Unit(_) | Lex::Part(_) => None,
        }
    }

    fn vague_rule(&self, i: usize, value: &'static str) -> Option<(Found, usize)> {
        let w = self.s(i);
        if w.eq_ignore_ascii_case("current") {
            // "current account", "electric current" are not times.
            if self.is(i + 1, "account")
                || self.is(i + 1, "accounts")
                || self.word_before(i).is_some_and(|b| b.eq_ignore_ascii_case("electric"))
            {
                return None;
            }
        }
        let during = self.anchor.map(|a| {
            let at = a.iso();
            match value {
                "PAST_REF" => (None, Some(at)),
                "FUTURE_REF" => (Some(at), None),
                _ => (Some(at.clone()), Some(at)),
            }
        });
        let found = Found {
            span: self.span(i, i),
            value: value.to_owned(),
            kind: DateType::Vague,
            during,
            anchor: self.anchor.map(Anchor::iso),
            modifier: None,
        };
        Some((found, i + 1))
    }

    /// `last week`, `this year`, `next month`, `earlier this month` (from `first`; `i` is the
    /// shift word).
    fn shift_rule(&self, first: usize, i: usize, shift: i64) -> Option<(Found, usize)> {
        let Some(Lex::Unit(unit)) = self.lex(i + 1) else { return None };
        if self.s(i + 1).ends_with('s') {
            return None; // "last two years" is not one of these; "next days" is odd
        }
        let a = self.anchor;
        let value = match unit {
            Unit::Day => return None,
            Unit::Week => a.and_then(Anchor::days).map(|d| {
                let monday = d - i64::from(weekday(d)) + 1 + 7 * shift;
                (week_iso(monday), day_iso(monday), day_iso(monday + 6))
            }),
            Unit::Month => a.and_then(Anchor::month_index).and_then(|m| {
                let (y, m) = from_month_index(m + shift);
                Self::same(month_iso(y, m))
            }),
            Unit::Year => a.and_then(|a| Self::same(format!("{:04}", i64::from(a.year) + shift))),
        };
        Some((self.relative(self.span(first, i + 1), value), i + 2))
    }

    /// `two days ago`, `a year ago`, `3 weeks ago`.
    fn ago_rule(&self, i: usize, n: i64) -> Option<(Found, usize)> {
        let Some(Lex::Unit(unit)) = self.lex(i + 1) else { return None };
        if !self.is(i + 2, "ago") {
            return None;
        }
        let a = self.anchor;
        let value = match unit {
            Unit::Day => a.and_then(Anchor::days).and_then(|d| Self::same(day_iso(d - n))),
            Unit::Week => a.and_then(Anchor::days).map(|d| {
                let day = d - 7 * n;
                let monday = day - i64::from(weekday(day)) + 1;
                (week_iso(day), day_iso(monday), day_iso(monday + 6))
            }),
            Unit::Month => a.and_then(Anchor::month_index).and_then(|m| {
                let (y, m) = from_month_index(m - n);
                Self::same(month_iso(y, m))
            }),
            Unit::Year => a.and_then(|a| Self::same(format!("{:04}", i64::from(a.year) - n))),
        };
        Some((self.relative(self.span(i, i + 2), value), i + 3))
    }

    /// `the second half of 2020`, `the first quarter of 2022`.
    fn part_rule(&self, i: usize, k: u32) -> Option<(Found, usize)> {
        let Some(Lex::Part(parts)) = self.lex(i + 1) else { return None };
        if k > parts || !self.is(i + 2, "of") {
            return None;
        }
        let year = self.year(i + 3)?;
        Some((self.part(self.span(i, i + 3), year, k, parts, i), i + 4))
    }

    fn part(&self, span: Range<usize>, year: i32, k: u32, parts: u32, first: usize) -> Found {
        let months = 12 / parts;
        let (from, to) = ((k - 1) * months + 1, k * months);
        let letter = if parts == 2 { 'H' } else { 'Q' };
        Found {
            span,
            value: format!("{year:04}-{letter}{k}"),
            kind: DateType::Explicit,
            during: Some((Some(month_iso(year, from)), Some(month_iso(year, to)))),
            anchor: None,
            modifier: self.modifier(first),
        }
    }

    /// A month name first: `March 3, 2022`, `March 3`, `March 2022`, `in March`.
    fn month_rule(&self, i: usize) -> Option<(Found, usize)> {
        let (month, full, last) = self.month(i)?;
        let mut j = last + 1;
        if let Some(day) = self.day(j) {
            // Not a time ("March 3 10:30" keeps the date) and not "March 3.5".
            let mut k = j + 1;
            if self.is_punct(k, ",") {
                k += 1;
            }
            if let Some(year) = self.year(k) {
                if valid(year, month, day) {
                    let value = day_iso(days_from_civil(year, month, day));
                    return Some((self.explicit(self.span(i, k), value, i), k + 1));
                }
                return None;
            }
            return Some((self.yearless(i, j, month, day), j + 1));
        }
        if self.is_punct(j, ",") || self.is(j, "of") {
            j += 1;
        }
        if let Some(year) = self.year(j) {
            return Some((self.explicit(self.span(i, j), month_iso(year, month), i), j + 1));
        }
        if !full {
            return None;
        }
        // A bare month: only after a word that makes it one ("in May", "last March").
        let before = self.word_before(i)?.to_ascii_lowercase();
        let (first, shift) = match before.as_str() {
            "last" => (i - 1, Some(-1)),
            "next" => (i - 1, Some(1)),
            "this" => (i - 1, Some(0)),
            "in" | "since" | "until" | "till" | "by" | "during" | "from" | "through" | "early"
            | "late" | "mid" | "before" | "after" => (i, None),
            _ => return None,
        };
        let value = self.anchor.and_then(Anchor::month_index).map(|now| {
            let this = now - now.rem_euclid(12) + i64::from(month) - 1;
            let index = match shift {
                Some(0) => this,
                Some(-1) => {
                    if this < now {
                        this
                    } else {
                        this - 12
                    }
                }
                Some(_) => {
                    if this > now {
                        this
                    } else {
                        this + 12
                    }
                }
                None if self.future(i) => {
                    if this >= now {
                        this
                    } else {
                        this + 12
                    }
                }
                None => {
                    if this <= now {
                        this
                    } else {
                        this - 12
                    }
                }
            };
            let (y, m) = from_month_index(index);
            month_iso(y, m)
        });
        let mut found = self.relative(self.span(first, i), value.and_then(Self::same));
        if shift.is_none() {
            found.modifier = self.modifier(i);
        }
        Some((found, i + 1))
    }

    /// A month and day without a year (tokens `first..=day_tok`).
    fn yearless(&self, first: usize, day_tok: usize, month: u32, day: u32) -> Found {
        let last = day_tok.max(first);
        let span = self.span(first.min(day_tok), last);
        // The temponym "January 6th" (the 2021 attack on the US Capitol), by its context.
        if month == 1 && day == 6 {
            let cue = |k: usize| JAN6_CUES.iter().any(|c| self.is(k, c));
            if cue(last + 1) || cue(last + 2) {
                let value = "2021-01-06".to_owned();
                return Found {
                    span,
                    value: value.clone(),
                    kind: DateType::Temponym,
                    during: Some((Some(value.clone()), Some(value))),
                    anchor: None,
                    modifier: None,
                };
            }
        }
        // Otherwise the nearest such day in the sentence's direction, if close enough.
        let value = self.anchor.and_then(Anchor::days).and_then(|now| {
            let (year, _, _) = civil_from_days(now);
            let candidate = |y: i32| valid(y, month, day).then(|| days_from_civil(y, month, day));
            let past = [year, year - 1].into_iter().filter_map(candidate).find(|&d| d <= now);
            let next = [year, year + 1].into_iter().filter_map(candidate).find(|&d| d >= now);
            let near = |d: Option<i64>, window: i64| d.filter(|&d| (d - now).abs() <= window);
            let chosen = if self.future(first) {
                near(next, 120).or(near(past, 30))
            } else {
                near(past, 120).or(near(next, 30))
            };
            chosen.map(day_iso)
        });
        let mut found = self.relative(span, value.and_then(Self::same));
        found.modifier = self.modifier(first.min(day_tok));
        found
    }

    /// A weekday first: a dateline (`Thursday, February 23, 2006`) or `on Thursday`.
    fn weekday_rule(&self, i: usize, wd: u32) -> Option<(Found, usize)> {
        if !self.capitalised(i) {
            return None;
        }
        // Named days are not the weekday of the publication week ("Black Friday", "Super
        // Tuesday", "Bloody Sunday", "Good Friday").
        if self.word_before(i).is_some_and(|w| NAMED_DAYS.iter().any(|n| w.eq_ignore_ascii_case(n)))
        {
            return None;
        }
        let j = if self.is_punct(i + 1, ",") { i + 2 } else { i + 1 };
        if j < self.toks.len() && (self.month(j).is_some() || self.day(j).is_some()) {
            let found =
                if self.month(j).is_some() { self.month_rule(j) } else { self.day_month(j) };
            // A dateline ("Thursday, February 23, 2006") or a weekday before a day of a month
            // ("Sunday, March 4"): one expression, dated by the day; a bare month is not one.
            if let Some((mut found, next)) = found
                && (found.value.len() == 10 || !found.resolved())
            {
                found.span.start = self.toks[i].start as usize;
                return Some((found, next));
            }
        }
        let (first, shift) = match self.word_before(i).map(str::to_ascii_lowercase).as_deref() {
            Some("last") => (i - 1, Some(-1)),
            Some("next") => (i - 1, Some(1)),
            Some("this") => (i - 1, Some(0)),
            _ => (i, None),
        };
        let value = self.anchor.and_then(Anchor::days).map(|now| {
            let today = i64::from(weekday(now));
            let back = (today - i64::from(wd)).rem_euclid(7); // 0..=6 days back
            let ahead = (i64::from(wd) - today).rem_euclid(7); // 0..=6 days ahead
            let day = match shift {
                Some(-1) => now - if back == 0 { 7 } else { back },
                Some(1) => now + if ahead == 0 { 7 } else { ahead },
                Some(_) => now - today + i64::from(wd),
                None if self.future(i) => now + ahead,
                None => now - back,
            };
            day_iso(day)
        });
        Some((self.relative(self.span(first, i), value.and_then(Self::same)), i + 1))
    }

    /// A number first: a year, an ISO or numeric date, a day before a month, `2 days ago`.
    fn number(&self, i: usize) -> Option<(Found, usize)> {
        let s = self.s(i);
        if s.len() == 4 {
            return self.year_rule(i);
        }
        if s.contains('.') {
            return self.dotted_date(i);
        }
        if s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = self.int(i)?;
        if s.len() == 3 {
            return self.ago_rule(i, i64::from(n)); // "100 years ago"
        }
        // Part of a larger number or a time ("10:30", "555-12").
        if i > 0
            && self.touch(i - 1)
            && matches!(self.s(i - 1), ":" | "." | "/" | "-" | "$" | "€" | "£")
        {
            return None;
        }
        if let Some(found) = self.numeric_date(i, n) {
            return Some(found);
        }
        if let Some(found) = self.day_month(i) {
            return Some(found);
        }
        self.ago_rule(i, i64::from(n))
    }

    /// `6th January 2021`, `3 March 2022`, `3 March`.
    fn day_month(&self, i: usize) -> Option<(Found, usize)> {
        let day = self.day(i)?;
        let j = if self.is(i + 1, "of") { i + 2 } else { i + 1 };
        let (month, _, last) = self.month(j)?;
        let k = if self.is_punct(last + 1, ",") { last + 2 } else { last + 1 };
        if let Some(year) = self.year(k) {
            if !valid(year, month, day) {
                return None;
            }
            let value = day_iso(days_from_civil(year, month, day));
            return Some((self.explicit(self.span(i, k), value, i), k + 1));
        }
        let mut found = self.yearless(i, last, month, day);
        found.span = self.span(i, last);
        Some((found, last + 1))
    }

    /// `14.03.2022`, which the tokeniser keeps as one number.
    fn dotted_date(&self, i: usize) -> Option<(Found, usize)> {
        let s = self.s(i);
        let mut parts = s.split('.');
        let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || a.len() > 2 || b.len() > 2 || y.len() != 4 {
            return None;
        }
        let (a, b, year): (u32, u32, i32) = (a.parse().ok()?, b.parse().ok()?, y.parse().ok()?);
        if !(1800..=2100).contains(&year) {
            return None;
        }
        let (month, day) = unambiguous(a, b)?;
        if !valid(year, month, day) {
            return None;
        }
        let value = day_iso(days_from_civil(year, month, day));
        Some((self.explicit(self.span(i, i), value, i), i + 1))
    }

    /// `03/14/2022`, `14.03.2022` (only when day and month cannot be swapped), and `9/11`.
    fn numeric_date(&self, i: usize, a: u32) -> Option<(Found, usize)> {
        let sep = self.s(i + 1);
        if !(self.touch(i) && matches!(sep, "/" | ".") && self.touch(i + 1)) {
            return None;
        }
        let b = self.int(i + 2).filter(|_| self.s(i + 2).len() <= 2)?;
        if self.touch(i + 2) && self.s(i + 3) == sep && self.touch(i + 3) {
            let year = self.year(i + 4)?;
            if self.touch(i + 4)
                && matches!(self.s(i + 5), "/" | "." | "-" | ":")
                && self.kind(i + 6) == Some(Kind::Num)
            {
                return None;
            }
            let (month, day) = unambiguous(a, b)?;
            if !valid(year, month, day) {
                return None;
            }
            let value = day_iso(days_from_civil(year, month, day));
            return Some((self.explicit(self.span(i, i + 4), value, i), i + 5));
        }
        // "9/11", alone.
        let alone = !(self.touch(i + 2)
            && matches!(self.kind(i + 3), Some(Kind::Punct | Kind::Num))
            && !matches!(self.s(i + 3), "," | "." | ";" | ")" | "’" | "'" | "\"" | "”"));
        if sep == "/" && a == 9 && b == 11 && alone {
            let value = "2001-09-11".to_owned();
            let found = Found {
                span: self.span(i, i + 2),
                value: value.clone(),
                kind: DateType::Temponym,
                during: Some((Some(value.clone()), Some(value))),
                anchor: None,
                modifier: None,
            };
            return Some((found, i + 3));
        }
        None
    }

    /// A four-digit number: a year (with its filters), an ISO date, a temponym, a half-year.
    fn year_rule(&self, i: usize) -> Option<(Found, usize)> {
        let year = self.year(i)?;
        // ISO 8601: 2022-03-15 (or 2022/03/15).
        if self.touch(i) && matches!(self.s(i + 1), "-" | "/") && self.touch(i + 1) {
            let sep = self.s(i + 1);
            let month = self.int(i + 2).filter(|_| self.s(i + 2).len() == 2);
            if let Some(month) = month
                && self.touch(i + 2)
                && self.s(i + 3) == sep
                && self.touch(i + 3)
            {
                {
                    // The day, or the day of a timestamp ("2022-03-15T10:00").
                    let day_text = self.s(i + 4);
                    let timestamp = self.kind(i + 4) == Some(Kind::Alnum)
                        && day_text.as_bytes().get(2).is_some_and(|b| matches!(b, b'T' | b't'));
                    let day = if timestamp {
                        day_text[..2].parse().ok()?
                    } else {
                        self.int(i + 4).filter(|_| day_text.len() == 2)?
                    };
                    if !valid(year, month, day) {
                        return None;
                    }
                    let value = day_iso(days_from_civil(year, month, day));
                    let mut span = self.span(i, i + 4);
                    if timestamp {
                        span.end = self.toks[i + 4].start as usize + 2;
                    }
                    return Some((self.explicit(span, value, i), i + 5));
                }
            }
            // A range of years ("2020-2022", "2020-22") keeps this year; other numbers joined
            // by a hyphen are not years.
            let next = self.s(i + 2);
            if self.kind(i + 2) != Some(Kind::Num)
                || !(next.len() == 2 || self.year(i + 2).is_some())
                || sep == "/"
            {
                return None;
            }
        }
        // Not a year: part of a larger number, money, a time, a percentage, a count.
        if i > 0 {
            let before = self.s(i - 1);
            let prefix = i >= 2
                && self.touch(i - 2)
                && ["mid", "early", "late"].iter().any(|w| self.is(i - 2, w));
            if self.touch(i - 1)
                && matches!(before, "$" | "€" | "£" | "¥" | "#" | ":" | "." | "/" | "-" | "+")
                && !(before == "-" && prefix)
            {
                return None;
            }
            if NOT_YEAR_BEFORE.iter().any(|w| before.eq_ignore_ascii_case(w)) {
                return None;
            }
        }
        if self.touch(i) && matches!(self.s(i + 1), "%" | ":") {
            return None;
        }
        if i + 1 < self.toks.len() && self.kind(i + 1) == Some(Kind::Word) {
            let next = self.s(i + 1);
            if QUANTITY_NOUNS.iter().any(|w| next.eq_ignore_ascii_case(w)) {
                return None;
            }
            if EVENT_NOUNS.iter().any(|w| next.eq_ignore_ascii_case(w)) {
                let value = format!("{year:04}");
                let found = Found {
                    span: self.span(i, i + 1),
                    value: value.clone(),
                    kind: DateType::Temponym,
                    during: Some((Some(value.clone()), Some(value))),
                    anchor: None,
                    modifier: self.modifier(i),
                };
                return Some((found, i + 2));
            }
        }
        // "2020's second half", "2022's first quarter".
        if self.touch(i)
            && matches!(self.s(i + 1), "'" | "’")
            && self.is(i + 2, "s")
            && let (Some(Lex::Ordinal(k)), Some(Lex::Part(parts))) =
                (self.lex(i + 3), self.lex(i + 4))
            && k <= parts
        {
            return Some((self.part(self.span(i, i + 4), year, k, parts, i), i + 5));
        }
        Some((self.explicit(self.span(i, i), format!("{year:04}"), i), i + 1))
    }

    /// Digits and letters: a day before a month (`6th January`), a decade (`1990s`).
    fn alnum(&self, i: usize) -> Option<(Found, usize)> {
        let s = self.s(i);
        if s.len() == 5 && s.ends_with('s') && s.as_bytes()[3] == b'0' {
            let year: i32 = s[..4].parse().ok()?;
            if !(1800..=2100).contains(&year) {
                return None;
            }
            let value = format!("{:03}", year / 10);
            let found = Found {
                span: self.span(i, i),
                value,
                kind: DateType::Explicit,
                during: Some((Some(format!("{year:04}")), Some(format!("{:04}", year + 9)))),
                anchor: None,
                modifier: self.modifier(i),
            };
            return Some((found, i + 1));
        }
        self.day_month(i)
    }
}

/// (month, day) of two numbers of a numeric date, when they cannot be swapped (or are equal).
fn unambiguous(a: u32, b: u32) -> Option<(u32, u32)> {
    match (a, b) {
        (a, b) if a == b => Some((a, b)),
        (a, b) if a > 12 => Some((b, a)),
        (a, b) if b > 12 => Some((a, b)),
        _ => None, // 03/04/2022: March 4 or 3 April
    }
}

#[cfg(test)]
mod tests {
    use super::{Lex, WORDS, lex};

    #[test]
    fn every_known_word_is_found_in_any_case_and_no_other() {
        for (word, meaning) in WORDS {
            let title = format!("{}{}", word[..1].to_ascii_uppercase(), &word[1..]);
            for form in [word.to_string(), title, word.to_ascii_uppercase()] {
                assert_eq!(lex(form.as_bytes()), Some(*meaning), "{form}");
            }
        }
        for other in [
            "the",
            "and",
            "of",
            "marches",
            "mays",
            "todays",
            "nowhere",
            "yesterdays",
            "2020",
            "jän",
        ] {
            assert_eq!(lex(other.as_bytes()), None, "{other}");
        }
        assert_eq!(lex(b"Sept"), Some(Lex::Month(9, false)));
    }
}

//! Gazetteers: countries and demonyms, regions, GeoNames cities, leaders and PETRARCH people,
//! organisations and football clubs, matched over tokens with one `fst` automaton.
//!
//! Every name form is stored under its [`name_key`] (folded tokens joined by spaces) in an
//! [`fst::Map`] whose value points at the records the form names. Matching walks the automaton
//! from each token that could start a name, byte by byte through the folded tokens and a space
//! between them, so a match always ends on a token boundary and costs only the bytes the
//! automaton accepts (a miss usually stops after one or two bytes). The map of about 150,000
//! forms takes a few hundred KB, far less than an Aho-Corasick automaton over the same forms,
//! and no form is matched inside a word.

use std::collections::HashMap;

use crate::model::LoadError;
use crate::tagger::word_hash;
use crate::text::{ALLCAP, IdMap, Token, fold, name_key};

/// What a gazetteer record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecKind {
    /// A country or territory (`iso:XXX`).
    Country,
    /// A world region ("Eastern Europe").
    Region,
    /// A GeoNames city (`gn:<id>`).
    City,
    /// A known person (leaders, PETRARCH actors).
    Person,
    /// An organisation.
    Org,
    /// A sports club.
    Club,
    /// A group ("the West").
    Group,
}

/// One gazetteer record.
#[derive(Debug, Clone)]
pub struct Record {
    /// What it is.
    pub kind: RecKind,
    /// The stable entity id.
    pub id: String,
    /// The canonical name.
    pub name: String,
    /// Other names from the data.
    pub aliases: Vec<String>,
    /// Larger is more prominent (population, last year in office).
    pub rank: u32,
    /// The first two bytes of the folded first name (persons; a space pads a one-letter name),
    /// for linking a spelling variant by its surname ("Alexander" and "Alyaksandr" share "al").
    pub initial: [u8; 2],
}

/// One form of a record: the record and how the form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Form {
    /// Index into [`Gazetteer::records`].
    pub record: u32,
    /// The form is a demonym ("Hungarian") rather than a name.
    pub demonym: bool,
    /// The form is a short upper-case code ("UN", "EU", "UK") that must be written in capitals.
    pub caps_only: bool,
}

/// A gazetteer match over tokens `start..end` with its forms.
#[derive(Debug, Clone, Copy)]
pub struct GazMatch {
    /// First token.
    pub start: u32,
    /// One past the last token.
    pub end: u32,
    /// Range into [`Gazetteer::forms`].
    pub forms: (u32, u32),
}

/// Word classes by word hash in one flat open-addressing table: each 8-byte slot holds a
/// 32-bit fingerprint of the hash and the class bits, so a lookup usually touches one cache
/// line (a general hash map touches its control bytes and its buckets).
struct WordTable {
    slots: Vec<u64>,
    mask: usize,
}

impl WordTable {
    fn new(words: &IdMap<u16>) -> WordTable {
        let n = (words.len() * 2).next_power_of_two().max(64);
        let mut slots = vec![0u64; n];
        for (&h, &c) in words {
            let mut i = (h as usize) & (n - 1);
            while slots[i] != 0 {
                i = (i + 1) & (n - 1);
            }
            slots[i] = (u64::from(Self::fingerprint(h)) << 32) | u64::from(c);
        }
        WordTable { slots, mask: n - 1 }
    }

    #[inline]
    fn fingerprint(h: u64) -> u32 {
        ((h >> 32) as u32) | 1
    }

    #[inline]
    fn get(&self, h: u64) -> u16 {
        let fp = u64::from(Self::fingerprint(h));
        let mut i = (h as usize) & self.mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return 0;
            }
            if slot >> 32 == fp {
                return slot as u16;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// Slots of the small word table (a power of two, at least four times the words in it).
const SMALL_SLOTS: usize = 512;

/// Size of the bitset of first words and first word pairs of the forms (128 KB).
const FIRST_WORD_BITS: usize = 1 << 20;

#[inline]
fn pair_hash(a: u64, b: u64) -> u64 {
    (a.rotate_left(23) ^ b).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[inline]
fn first_word_bit(h: u64) -> usize {
    (h >> 44) as usize & (FIRST_WORD_BITS - 1)
}

/// Word classes from the name lists (first names, surnames, titles, ...).
pub mod class {
    /// A given name.
    pub const FIRST: u16 = 1;
    /// A surname.
    pub const LAST: u16 = 1 << 1;
    /// A title or honorific (Mr, Dr, Sen).
    pub const TITLE: u16 = 1 << 2;
    /// A role or agent word (president, minister, police).
    pub const ROLE: u16 = 1 << 3;
    /// A word that usually ends an organisation name (Bank, Party, University).
    pub const ORGWORD: u16 = 1 << 4;
    /// An ordinary English word (written lower case more often than not).
    pub const COMMON: u16 = 1 << 5;
    /// A function word, never a name even in a headline (the, of, says).
    pub const FUNCTION: u16 = 1 << 6;
    /// A lower-case word that may join the parts of a name (of, de, von).
    pub const CONNECTOR: u16 = 1 << 7;
    /// A demonym or nationality adjective (English, Texan), linked to a country or not.
    pub const DEMONYM: u16 = 1 << 8;
    /// A sports word (match, goal, coach): many of them make an article a sports report.
    pub const SPORT: u16 = 1 << 9;
    /// The last word of a known person's name (gazetteer people).
    pub const KNOWN_SURNAME: u16 = 1 << 10;
}

/// The loaded gazetteers.
pub struct Gazetteer {
    /// All records.
    pub records: Vec<Record>,
    /// All forms, grouped by key (the fst value is `offset << 16 | count`).
    pub forms: Vec<Form>,
    map: fst::Map<Vec<u8>>,
    /// Folded surname -> person records having it as the last token of a form.
    pub surnames: HashMap<String, Vec<u32>>,
    /// Folded-word hash ([`crate::tagger::word_hash`]) -> [`class`] bits.
    words: WordTable,
    /// Function, connector and sports words only: a direct-mapped table of (hash, classes)
    /// small enough to stay in L1, probed linearly.
    small_words: Vec<(u64, u16)>,
    /// Bit per hash of a folded word that starts some form: a token whose bit is clear starts
    /// no match, so the automaton is not walked from it.
    first_words: Vec<u64>,
}

const COUNTRIES: &str = include_str!("../data/countries.tsv");
const REGIONS: &str = include_str!("../data/regions.tsv");
const GROUPS: &str = include_str!("../data/groups.tsv");
const CITIES: &str = include_str!("../data/cities.tsv");
const PEOPLE: &str = include_str!("../data/people.tsv");
const ORGS: &str = include_str!("../data/orgs.tsv");
const WORDS: &str = include_str!("../data/words.tsv");

/// Role and title words that never belong to a person's name, beyond the name lists' honorifics.
pub const ROLE_WORDS: &[&str] = &[
    "president",
    "minister",
    "prime",
    "premier",
    "chancellor",
    "leader",
    "king",
    "queen",
    "prince",
    "princess",
    "secretary",
    "general",
    "senator",
    "sen",
    "rep",
    "representative",
    "governor",
    "mayor",
    "ambassador",
    "envoy",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "director",
    "chief",
    "commander",
    "speaker",
    "judge",
    "justice",
    "pope",
    "cardinal",
    "bishop",
    "archbishop",
    "sheikh",
    "emir",
    "sultan",
    "foreign",
    "deputy",
    "vice",
    "former",
    "acting",
    "defence",
    "defense",
    "finance",
    "interior",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "coach",
    "manager",
    "captain",
    "officer",
    "lieutenant",
    "colonel",
    "major",
    "sergeant",
    "admiral",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "st",
    "saint",
    "gen",
    "col",
    "lt",
    "capt",
    "gov",
    "pres",
    "supreme",
    "head",
    "founder",
    "mp",
    "minister-president",
];

fn rows(
    file: &'static str,
    text: &'static str,
) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    let _ = file;
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

fn cell<'a>(
    file: &'static str,
    line: usize,
    cells: &[&'a str],
    k: usize,
) -> Result<&'a str, LoadError> {
    cells.get(k).copied().ok_or_else(|| LoadError::Gazetteer {
        file,
        line,
        message: format!("expected at least {} columns, found {}", k + 1, cells.len()),
    })
}

fn multi(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').filter(|x| !x.is_empty())
}

struct Builder {
    records: Vec<Record>,
    entries: Vec<(String, Form)>,
}

impl Builder {
    fn record(&mut self, kind: RecKind, id: String, name: &str, rank: u32) -> u32 {
        let folded = fold(name);
        let mut initial = [b' '; 2];
        for (slot, b) in initial.iter_mut().zip(folded.bytes().take_while(|b| *b != b' ')) {
            *slot = b;
        }
        self.records.push(Record {
            kind,
            id,
            name: name.to_string(),
            aliases: Vec::new(),
            rank,
            initial,
        });
        (self.records.len() - 1) as u32
    }

    fn form(&mut self, record: u32, s: &str, demonym: bool) {
        let key = name_key(s);
        if key.is_empty() {
            return;
        }
        let letters = s.chars().filter(|c| c.is_alphabetic()).count();
        let caps_only =
            letters <= 4 && s.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
        self.entries.push((key, Form { record, demonym, caps_only }));
        let r = &mut self.records[record as usize];
        if s != r.name && !r.aliases.iter().any(|a| a == s) {
            r.aliases.push(s.to_string());
        }
    }
}

impl Gazetteer {
    /// Loads the embedded gazetteers and builds the automaton.
    pub fn load() -> Result<Gazetteer, LoadError> {
        let mut b = Builder { records: Vec::new(), entries: Vec::new() };
        for (line, c) in rows("countries.tsv", COUNTRIES) {
            let f = "countries.tsv";
            let name = cell(f, line, &c, 1)?;
            // UN members first when a demonym is shared ("French": France, French Southern Lands)
            let rank = if cell(f, line, &c, 5)? == "1" { u32::MAX } else { u32::MAX - 2 };
            let id = format!("iso:{}", cell(f, line, &c, 0)?);
            let r = b.record(RecKind::Country, id, name, rank);
            b.form(r, name, false);
            for a in multi(cell(f, line, &c, 2)?) {
                b.form(r, a, false);
            }
            for d in multi(cell(f, line, &c, 3)?) {
                b.form(r, d, true);
            }
        }
        let mut region_ids: HashMap<String, u32> = HashMap::new();
        for (line, c) in rows("regions.tsv", REGIONS) {
            let name = cell("regions.tsv", line, &c, 0)?;
            let key = name_key(name);
            if region_ids.contains_key(&key) {
                continue;
            }
            let r = b.record(RecKind::Region, format!("local:place:{key}"), name, u32::MAX - 1);
            region_ids.insert(key, r);
            b.form(r, name, false);
        }
        for (line, c) in rows("groups.tsv", GROUPS) {
            let f = "groups.tsv";
            let name = cell(f, line, &c, 0)?;
            let key = name_key(name);
            let r = b.record(RecKind::Group, format!("local:group:{key}"), name, u32::MAX - 1);
            for a in multi(cell(f, line, &c, 1)?) {
                b.form(r, a, false);
            }
            for d in multi(cell(f, line, &c, 2)?) {
                b.form(r, d, true);
            }
        }
        for (line, c) in rows("cities.tsv", CITIES) {
            let f = "cities.tsv";
            let name = cell(f, line, &c, 1)?;
            let pop: u32 = cell(f, line, &c, 3)?.parse().map_err(|_| LoadError::Gazetteer {
                file: f,
                line,
                message: "population is not a number".into(),
            })?;
            let r = b.record(RecKind::City, format!("gn:{}", cell(f, line, &c, 0)?), name, pop);
            b.form(r, name, false);
            for a in multi(cell(f, line, &c, 4)?) {
                b.form(r, a, false);
            }
        }
        let mut surnames: HashMap<String, Vec<u32>> = HashMap::new();
        for (line, c) in rows("people.tsv", PEOPLE) {
            let f = "people.tsv";
            let name = cell(f, line, &c, 0)?;
            let rank: u32 = cell(f, line, &c, 3)?.parse().unwrap_or(0);
            let r =
                b.record(RecKind::Person, format!("local:person:{}", name_key(name)), name, rank);
            let forms: Vec<&str> =
                std::iter::once(name).chain(multi(cell(f, line, &c, 1)?)).collect();
            for form in forms {
                let key = name_key(form);
                if key.split(' ').count() < 2 {
                    continue;
                }
                b.form(r, form, false);
                if let Some(last) = key.rsplit(' ').next() {
                    let v = surnames.entry(last.to_string()).or_default();
                    if !v.contains(&r) {
                        v.push(r);
                    }
                }
            }
        }
        for (line, c) in rows("orgs.tsv", ORGS) {
            let f = "orgs.tsv";
            let name = cell(f, line, &c, 0)?;
            let kind = if cell(f, line, &c, 2)? == "club" { RecKind::Club } else { RecKind::Org };
            let rank = c.get(3).and_then(|x| x.parse().ok()).unwrap_or(0);
            let r = b.record(kind, format!("local:org:{}", name_key(name)), name, rank);
            b.form(r, name, false);
            for a in multi(cell(f, line, &c, 1)?) {
                b.form(r, a, false);
            }
        }
        let mut words: IdMap<u16> = IdMap::default();
        for (line, c) in rows("words.tsv", WORDS) {
            let f = "words.tsv";
            let bit = match cell(f, line, &c, 1)? {
                "first" => class::FIRST,
                "last" => class::LAST,
                "title" => class::TITLE,
                "role" => class::ROLE,
                "orgword" => class::ORGWORD,
                "common" => class::COMMON,
                "demonym" => class::DEMONYM,
                other => {
                    return Err(LoadError::Gazetteer {
                        file: f,
                        line,
                        message: format!("unknown class {other}"),
                    });
                }
            };
            *words.entry(word_hash(cell(f, line, &c, 0)?)).or_default() |= bit;
        }
        for (list, bit) in [
            (ROLE_WORDS, class::ROLE),
            (crate::recognize::FUNCTION, class::FUNCTION),
            (crate::recognize::CONNECTORS, class::CONNECTOR),
            (crate::recognize::SPORT_WORDS, class::SPORT),
        ] {
            for w in list {
                *words.entry(word_hash(w)).or_default() |= bit;
            }
        }
        for k in surnames.keys() {
            *words.entry(word_hash(k)).or_default() |= class::KNOWN_SURNAME;
        }
        let small = class::FUNCTION | class::CONNECTOR | class::SPORT;
        let mut small_words = vec![(0u64, 0u16); SMALL_SLOTS];
        for (h, c) in words.iter().filter(|(_, c)| **c & small != 0) {
            let mut slot = (*h as usize) & (SMALL_SLOTS - 1);
            while small_words[slot].1 != 0 {
                slot = (slot + 1) & (SMALL_SLOTS - 1);
            }
            small_words[slot] = (*h, *c & small);
        }

        let Builder { records, mut entries } = b;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup();
        let mut forms = Vec::with_capacity(entries.len());
        let mut mb = fst::MapBuilder::memory();
        let mut k = 0;
        while k < entries.len() {
            let key = &entries[k].0;
            let offset = forms.len() as u64;
            let mut n = 0u64;
            while k < entries.len() && &entries[k].0 == key {
                forms.push(entries[k].1);
                n += 1;
                k += 1;
            }
            mb.insert(key.as_bytes(), (offset << 16) | n.min(0xffff))?;
        }
        let map = fst::Map::new(mb.into_inner()?)?;
        // one bit per one-word form, one per (first, second) word pair of longer forms
        let mut first_words = vec![0u64; FIRST_WORD_BITS / 64];
        for (key, _) in &entries {
            let mut words = key.split(' ');
            let first = word_hash(words.next().unwrap_or_default());
            let h = match words.next() {
                Some(second) => pair_hash(first, word_hash(second)),
                None => first,
            };
            let b = first_word_bit(h);
            first_words[b / 64] |= 1 << (b % 64);
        }
        let words = WordTable::new(&words);
        Ok(Gazetteer { records, forms, map, surnames, words, small_words, first_words })
    }

    /// The word classes of a folded word.
    #[inline]
    pub fn word_class(&self, folded: &str) -> u16 {
        self.class_of_hash(word_hash(folded))
    }

    /// The word classes of a folded word, by its [`word_hash`].
    #[inline]
    pub fn class_of_hash(&self, h: u64) -> u16 {
        self.words.get(h)
    }

    /// The function/connector classes of a folded word, by its [`word_hash`].
    #[inline]
    pub fn small_class_of_hash(&self, h: u64) -> u16 {
        let mut slot = (h as usize) & (SMALL_SLOTS - 1);
        loop {
            let (k, c) = self.small_words[slot];
            if c == 0 {
                return 0;
            }
            if k == h {
                return c;
            }
            slot = (slot + 1) & (SMALL_SLOTS - 1);
        }
    }

    /// Whether some form may start at a word (by its [`word_hash`]) followed by `next` (false
    /// positives possible): a one-word form equal to it, or a longer form starting with the pair.
    #[inline]
    pub fn may_start(&self, h: u64, next: Option<u64>) -> bool {
        let bit = |x: u64| {
            let b = first_word_bit(x);
            self.first_words[b / 64] & (1 << (b % 64)) != 0
        };
        bit(h) || next.is_some_and(|n| bit(pair_hash(h, n)))
    }

    /// The forms stored under an exact key, if any.
    pub fn lookup(&self, key: &str) -> &[Form] {
        match self.map.get(key) {
            Some(v) => {
                let off = (v >> 16) as usize;
                let n = (v & 0xffff) as usize;
                &self.forms[off..off + n]
            }
            None => &[],
        }
    }

    /// Appends every gazetteer match that starts at a token for which `can_start` is true.
    pub fn find(
        &self,
        toks: &[Token],
        folded: &str,
        can_start: impl Fn(usize) -> bool,
        out: &mut Vec<GazMatch>,
    ) {
        let fst = self.map.as_fst();
        let root = fst.root();
        let fb = folded.as_bytes();
        for i in 0..toks.len() {
            if !can_start(i) {
                continue;
            }
            let mut node = root;
            let mut acc = fst::raw::Output::zero();
            'walk: for (j, t) in toks.iter().enumerate().skip(i).take(10) {
                if j > i {
                    match node.find_input(b' ') {
                        Some(x) => {
                            let tr = node.transition(x);
                            acc = acc.cat(tr.out);
                            node = fst.node(tr.addr);
                        }
                        None => break 'walk,
                    }
                }
                for &byte in &fb[t.fstart as usize..t.fend as usize] {
                    match node.find_input(byte) {
                        Some(x) => {
                            let tr = node.transition(x);
                            acc = acc.cat(tr.out);
                            node = fst.node(tr.addr);
                        }
                        None => break 'walk,
                    }
                }
                if node.is_final() {
                    let v = acc.cat(node.final_output()).value();
                    let off = (v >> 16) as u32;
                    let n = (v & 0xffff) as u32;
                    let caps_ok =
                        |f: &Form| !f.caps_only || toks[i..=j].iter().all(|t| t.is(ALLCAP));
                    if self.forms[off as usize..(off + n) as usize].iter().any(caps_ok) {
                        out.push(GazMatch {
                            start: i as u32,
                            end: j as u32 + 1,
                            forms: (off, off + n),
                        });
                    }
                }
            }
        }
    }

    /// The forms of a match.
    pub fn forms_of(&self, m: &GazMatch) -> &[Form] {
        &self.forms[m.forms.0 as usize..m.forms.1 as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn finds_countries_demonyms_and_people() {
        let g = Gazetteer::load().expect("gazetteer loads");
        let text = "Hungarian Prime Minister Viktor Orbán met the EU in Belarus.";
        let mut toks = Vec::new();
        let mut buf = String::new();
        tokenize(text, 0..text.len(), &mut toks, &mut buf);
        let mut out = Vec::new();
        g.find(&toks, &buf, |_| true, &mut out);
        let found: Vec<(&str, RecKind, bool)> = out
            .iter()
            .flat_map(|m| {
                let span =
                    toks[m.start as usize].start as usize..toks[m.end as usize - 1].end as usize;
                g.forms_of(m).iter().map(move |f| (span.clone(), f)).collect::<Vec<_>>()
            })
            .map(|(span, f)| (&text[span], g.records[f.record as usize].kind, f.demonym))
            .collect();
        assert!(found.contains(&("Hungarian", RecKind::Country, true)), "{found:?}");
        assert!(found.contains(&("Viktor Orbán", RecKind::Person, false)), "{found:?}");
        assert!(found.contains(&("EU", RecKind::Org, false)), "{found:?}");
        assert!(found.contains(&("Belarus", RecKind::Country, false)), "{found:?}");
    }
}

//! The pipeline: tokens -> case modes and tables -> gazetteer matches -> tagger -> spans cleaned
//! of titles, determiners and possessives -> document-level consistency -> linking to entities.

use std::ops::Range;

use crate::gazetteer::{Form, GazMatch, Gazetteer, RecKind, class};
use crate::model::{Entity, Kind, Level, LoadError, Mention, Recognized, SentenceSpan};
use crate::tagger::{
    self, DOC_CAP, DOC_LOWER, MAX_FEATS, MODE_CAPS, MODE_NORMAL, MODE_TITLE, SentCtx, Tagger,
};
use crate::text::{
    ALLCAP, ALLDIGIT, ALPHA, CAP, DIGIT, HYPHEN, IdMap, LOWER, POSS, PUNCT, Token, tokenize,
};

const WEIGHTS: &[u8] = include_bytes!("../data/ner.weights");

/// Gazetteer feature codes (bit `2*code` at a match's first token, `2*code+1` inside).
mod gz {
    pub const COUNTRY: u32 = 0;
    pub const DEMONYM: u32 = 1;
    pub const REGION: u32 = 2;
    pub const CITY_BIG: u32 = 3;
    pub const CITY_MID: u32 = 4;
    pub const CITY_SMALL: u32 = 5;
    pub const PERSON: u32 = 6;
    pub const ORG: u32 = 7;
    pub const CLUB: u32 = 8;
    pub const GROUP: u32 = 9;
    pub const SURNAME: u32 = 10;
}

/// Person rank (last year seen in office * 10) from which a bare common surname may name them.
const RECENT_LEADER: u32 = 20_230;

/// Words after a person's name that make the pair an organisation ("Biden administration").
const GOVERNMENT_WORDS: &[&str] = &["administration", "government", "cabinet"];

/// The entity recognizer: gazetteers and tagger weights, built once, shared by threads.
pub struct Recognizer {
    pub(crate) gaz: Gazetteer,
    pub(crate) tagger: Tagger,
}

/// One sentence after preparation.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Token range.
    pub toks: Range<usize>,
    /// Case mode ([`MODE_NORMAL`], [`MODE_TITLE`], [`MODE_CAPS`]).
    pub mode: u8,
    /// Looks like a line of a sports results table.
    pub table: bool,
}

/// An article made ready for tagging: tokens and every per-token input of the tagger.
#[derive(Debug, Default)]
pub struct Prep {
    /// All tokens of the non-boilerplate sentences.
    pub toks: Vec<Token>,
    /// Folded forms of the tokens.
    pub folded: String,
    /// The sentences.
    pub sents: Vec<Sent>,
    /// Folded-word hash per token.
    pub whash: Vec<u64>,
    /// Suffix hash per token.
    pub suffix: Vec<u64>,
    /// Gazetteer bits per token.
    pub gaz: Vec<u32>,
    /// Word-class bits per token.
    pub class: Vec<u16>,
    /// Document evidence bits per token.
    pub doc: Vec<u8>,
    /// Whether the tagger runs on the token.
    pub cand: Vec<bool>,
    /// Gazetteer matches (token indices are global).
    pub matches: Vec<GazMatch>,
}

/// "Home Office", "Refugee Council": a run of two or more capitalised words in ordinary text
/// that ends with an organisation word (Office, Council, Department, University, Times) and
/// that nothing else claimed is an organisation.
fn org_suffix(p: &Prep, cands: &mut Vec<Cand>) {
    let mut covered = vec![false; p.toks.len()];
    for c in cands.iter() {
        covered[c.s..c.e].fill(true);
    }
    for (si, s) in p.sents.iter().enumerate() {
        if s.mode != MODE_NORMAL {
            continue;
        }
        let mut i = s.toks.start;
        while i < s.toks.end {
            let a = i;
            while i < s.toks.end
                && !covered[i]
                && p.toks[i].is(CAP)
                && p.toks[i].is(ALPHA)
                && p.class[i] & class::FUNCTION == 0
            {
                i += 1;
            }
            if i == a {
                i += 1;
                continue;
            }
            if p.class[i - 1] & class::ORGWORD == 0 {
                continue;
            }
            // right after a name: that name is the start of the organisation's name
            if let Some(c) =
                cands.iter_mut().find(|c| c.e == a && c.sent == si && c.level == Level::Name)
            {
                c.e = i;
                c.kind = Kind::Org;
                c.rec = None;
            } else if i - a >= 2 {
                cands.push(Cand {
                    s: a,
                    e: i,
                    kind: Kind::Org,
                    level: Level::Name,
                    conf: 0.6,
                    rec: None,
                    sent: si,
                });
            }
        }
    }
}

/// "the Council on American-Islamic Relations (CAIR)": capitalised words whose initials spell
/// the all-caps word in the parentheses after them are an organisation, and so is the acronym.
fn defined_acronyms(p: &Prep, cands: &mut Vec<Cand>) {
    for (si, s) in p.sents.iter().enumerate() {
        for x in s.toks.start + 2..s.toks.end.saturating_sub(1) {
            let acro = &p.toks[x];
            if !(acro.is(ALLCAP) && acro.is(ALPHA))
                || p.toks[x - 1].folded(&p.folded) != "("
                || p.toks[x + 1].folded(&p.folded) != ")"
            {
                continue;
            }
            let letters = acro.folded(&p.folded).as_bytes();
            if !(2..=8).contains(&letters.len()) {
                continue;
            }
            // walk back over the name: capitalised words give the letters, connectors and
            // hyphens are skipped
            let mut want = letters.len();
            let mut a = x - 1;
            while a > s.toks.start && want > 0 {
                let t = &p.toks[a - 1];
                if t.is(CAP) && t.is(ALPHA) {
                    if t.folded(&p.folded).as_bytes()[0] != letters[want - 1] {
                        break;
                    }
                    want -= 1;
                } else if !(t.is(HYPHEN) || p.class[a - 1] & class::CONNECTOR != 0) {
                    break;
                }
                a -= 1;
            }
            if want != 0 || !p.toks[a].is(CAP) {
                continue;
            }
            let (long, short) = (a..x - 1, x..x + 1);
            let kind_of_long = cands
                .iter()
                .find(|c| c.s == long.start && c.e == long.end)
                .map(|c| c.kind)
                .unwrap_or(Kind::Org);
            let kind = if kind_of_long == Kind::Person { continue } else { kind_of_long };
            cands.retain(|c| {
                let overlaps = |r: &Range<usize>| c.s < r.end && r.start < c.e;
                !overlaps(&long) && !overlaps(&short)
            });
            for r in [long, short] {
                cands.push(Cand {
                    s: r.start,
                    e: r.end,
                    kind,
                    level: Level::Name,
                    conf: 0.8,
                    rec: None,
                    sent: si,
                });
            }
            // the acronym means the same everywhere in the article
            for c in cands.iter_mut() {
                if c.e - c.s == 1 && p.whash[c.s] == p.whash[x] && c.level == Level::Name {
                    c.kind = kind;
                    c.rec = None;
                }
            }
        }
    }
}

/// "Ambassador Hamdullah Mohib": two or three capitalised words nothing claimed, right after a
/// title or role word in ordinary text, are a person's name.
fn person_after_title(p: &Prep, cands: &mut Vec<Cand>) {
    let mut covered = vec![false; p.toks.len()];
    for c in cands.iter() {
        covered[c.s..c.e].fill(true);
    }
    for (si, s) in p.sents.iter().enumerate() {
        if s.mode != MODE_NORMAL {
            continue;
        }
        for a in s.toks.start + 1..s.toks.end {
            let title = p.class[a - 1];
            if title & (class::ROLE | class::TITLE) == 0 || title & class::FIRST != 0 || covered[a]
            {
                continue;
            }
            let mut e = a;
            while e < s.toks.end
                && e - a < 3
                && !covered[e]
                && p.toks[e].is(CAP)
                && p.toks[e].is(LOWER)
                && p.gaz[e] == 0
                && p.class[e]
                    & (class::FUNCTION
                        | class::ROLE
                        | class::TITLE
                        | class::ORGWORD
                        | class::COMMON)
                    == 0
            {
                e += 1;
            }
            // a whole name: two or three words, not followed by more capitalised words
            if e - a >= 2 && !(e < s.toks.end && p.toks[e].is(CAP)) {
                cands.push(Cand {
                    s: a,
                    e,
                    kind: Kind::Person,
                    level: Level::Name,
                    conf: 0.6,
                    rec: None,
                    sent: si,
                });
                covered[a..e].fill(true);
            }
        }
    }
}

/// Months and weekdays: never a name's last word ("on July" after an organisation).
const CALENDAR_WORDS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Particles inside personal names: "Kevin De Bruyne", "Charles de Gaulle", "Rafael van der
/// Vaart", "Mohammed bin Salman".
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "del", "della", "dos", "das", "du", "van", "von", "der", "den", "ter", "ten",
    "le", "la", "bin", "ibn", "bint",
];

/// A first name (or a person's name) and one or two name particles before a capitalised word
/// are one person, whatever the tagger made of the parts ("Kevin" person + "Bruyne"
/// organisation, "Claudio" organisation + "De Vincenti" nothing).
fn name_particles(p: &Prep, cands: &mut Vec<Cand>) {
    cands.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
    let mut k = 0;
    while k < cands.len() {
        let c = &cands[k];
        let sent = p.sents[c.sent].toks.clone();
        let personal = c.kind == Kind::Person
            || (c.e - c.s == 1 && p.class[c.s] & class::FIRST != 0 && p.gaz[c.s] == 0);
        if c.level != Level::Name || !personal {
            k += 1;
            continue;
        }
        let mut e = c.e;
        while e < sent.end && e - c.e < 2 && NAME_PARTICLES.contains(&p.toks[e].folded(&p.folded)) {
            e += 1;
        }
        let last = e;
        let joins = e > c.e
            && last < sent.end
            && p.toks[last].is(CAP)
            && p.toks[last].is(LOWER)
            && p.class[last] & (class::FUNCTION | class::ROLE | class::TITLE | class::ORGWORD) == 0;
        if !joins {
            k += 1;
            continue;
        }
        // the candidates the name now covers give way to it
        let end = last + 1;
        let (s, si, conf) = (c.s, c.sent, c.conf);
        cands.retain(|d| d.s == s || d.e <= s || d.s >= end);
        let k2 = cands.iter().position(|d| d.s == s).unwrap_or(k);
        let c = &mut cands[k2];
        debug_assert_eq!(c.sent, si);
        c.e = end;
        c.kind = Kind::Person;
        c.rec = None;
        c.conf = conf.min(0.8);
        k = k2 + 1;
    }
}

/// "Church" + "of" + "Scientology": an organisation name followed by `of`/`for`/`on` and
/// another name is one organisation ("Bank of England", "Council on Foreign Relations").
fn merge_of(p: &Prep, cands: &mut Vec<Cand>) {
    cands.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
    let mut out: Vec<Cand> = Vec::with_capacity(cands.len());
    for c in cands.drain(..) {
        if let Some(prev) = out.last_mut()
            && prev.kind == Kind::Org
            && prev.level == Level::Name
            && c.level == Level::Name
            && c.kind != Kind::Person
            && c.sent == prev.sent
            && c.s == prev.e + 1
            && matches!(p.toks[prev.e].folded(&p.folded), "of" | "for" | "on")
        {
            prev.e = c.e;
            prev.conf = prev.conf.min(c.conf);
            continue;
        }
        // "U.S." + "Department of Agriculture": a place name right before an organisation's
        // name is part of it
        if let Some(prev) = out.last_mut()
            && prev.kind == Kind::Place
            && prev.level == Level::Name
            && c.kind == Kind::Org
            && c.level == Level::Name
            && c.sent == prev.sent
            && c.s == prev.e
        {
            prev.e = c.e;
            prev.kind = Kind::Org;
            prev.rec = None;
            prev.conf = prev.conf.min(c.conf);
            continue;
        }
        out.push(c);
    }
    // "University" + "of" + "Texas": a capitalised organisation word before of/for and a name
    // makes one organisation, with the capitalised words before it ("Medical Journal of ...")
    for k in 0..out.len() {
        let c = &out[k];
        if c.level != Level::Name || c.kind == Kind::Person || c.s < 2 {
            continue;
        }
        let start = p.sents[c.sent].toks.start;
        let w = c.s - 2;
        if w < start
            || !matches!(p.toks[c.s - 1].folded(&p.folded), "of" | "for")
            || !p.toks[w].is(CAP)
            || p.class[w] & class::ORGWORD == 0
            || (k > 0 && out[k - 1].e > w)
        {
            continue;
        }
        let floor = if k > 0 { out[k - 1].e.max(start) } else { start };
        let mut s = w;
        while s > floor && p.toks[s - 1].is(CAP) && p.class[s - 1] & class::FUNCTION == 0 {
            s -= 1;
        }
        let c = &mut out[k];
        c.s = s;
        c.kind = Kind::Org;
        c.rec = None;
    }
    *cands = out;
}

/// Seed of [`Prep::span_hash`].
const SPAN_SEED: u64 = 0x7370_616e;

#[inline]
fn span_step(h: u64, w: u64) -> u64 {
    (h.rotate_left(17) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Prep {
    /// Empties every buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.toks.clear();
        self.folded.clear();
        self.sents.clear();
        self.whash.clear();
        self.suffix.clear();
        self.gaz.clear();
        self.class.clear();
        self.doc.clear();
        self.cand.clear();
        self.matches.clear();
    }

    /// The gazetteer matches starting at token `i` (matches are sorted by start).
    pub fn matches_at(&self, i: usize) -> &[GazMatch] {
        let a = self.matches.partition_point(|m| (m.start as usize) < i);
        let b = self.matches.partition_point(|m| (m.start as usize) <= i);
        &self.matches[a..b]
    }

    /// A hash of the folded tokens `s..e` (equal spellings, equal hashes).
    pub fn span_hash(&self, s: usize, e: usize) -> u64 {
        self.whash[s..e].iter().fold(SPAN_SEED, |h, &w| span_step(h, w))
    }

    /// The tagger context of sentence `s`.
    pub fn ctx(&self, s: &Sent) -> SentCtx<'_> {
        let r = s.toks.clone();
        SentCtx {
            toks: &self.toks[r.clone()],
            whash: &self.whash[r.clone()],
            gaz: &self.gaz[r.clone()],
            class: &self.class[r.clone()],
            doc: &self.doc[r.clone()],
            suffix: &self.suffix[r],
            mode: s.mode,
        }
    }
}

/// Lower-case words that may join the capitalised words of one name.
pub const CONNECTORS: &[&str] = &[
    "of", "the", "de", "du", "des", "la", "le", "von", "van", "der", "den", "al", "bin", "da",
    "di", "and", "for", "&", "-", "y", "el", "on", "upon",
];

/// Words of sports reports: an article with many of them is a sports report, whose country
/// names mostly name national teams (organisations).
pub const SPORT_WORDS: &[&str] = &[
    "match",
    "goal",
    "goals",
    "scored",
    "score",
    "scoring",
    "minute",
    "penalty",
    "referee",
    "league",
    "cup",
    "championship",
    "tournament",
    "coach",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "defeated",
    "beat",
    "draw",
    "drew",
    "points",
    "half",
    "season",
    "squad",
    "kick",
    "header",
    "wicket",
    "innings",
    "inning",
    "touchdown",
    "quarterback",
    "set",
    "sets",
    "seed",
    "semi-final",
    "final",
    "finals",
    "qualifier",
    "stadium",
    "fixture",
    "fixtures",
    "injury",
    "substituted",
    "booked",
    "equaliser",
    "equalizer",
    "victory",
    "win",
    "won",
    "lost",
    "game",
    "games",
];

/// Words that are never names, even capitalised in a headline.
pub const FUNCTION: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "and", "or",
    "but", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those",
    "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my", "not", "no",
    "after", "before", "over", "into", "about", "than", "up", "out", "says", "said", "will",
    "would", "could", "can", "has", "have", "had",
];

#[derive(Debug, Clone)]
struct Cand {
    s: usize,
    e: usize,
    kind: Kind,
    level: Level,
    conf: f32,
    rec: Option<u32>,
    sent: usize,
}

fn gz_code(g: &Gazetteer, f: &Form) -> u32 {
    let r = &g.records[f.record as usize];
    if f.demonym {
        return gz::DEMONYM;
    }
    match r.kind {
        RecKind::Country => gz::COUNTRY,
        RecKind::Region => gz::REGION,
        RecKind::City if r.rank >= 1_000_000 => gz::CITY_BIG,
        RecKind::City if r.rank >= 100_000 => gz::CITY_MID,
        RecKind::City => gz::CITY_SMALL,
        RecKind::Person => gz::PERSON,
        RecKind::Org => gz::ORG,
        RecKind::Club => gz::CLUB,
        RecKind::Group => gz::GROUP,
    }
}

fn sentence_mode(toks: &[Token], class: &[u16]) -> u8 {
    let mut alpha = 0;
    let mut caps = 0;
    let mut long_cap = 0;
    let mut lower = 0;
    for (k, t) in toks.iter().enumerate() {
        if !t.is(ALPHA) {
            continue;
        }
        alpha += 1;
        if t.is(ALLCAP) {
            caps += 1;
        }
        if k > 0 && class[k] & class::FUNCTION == 0 {
            if t.is(CAP) {
                long_cap += 1;
            } else if t.is(LOWER) {
                lower += 1;
            }
        }
    }
    // Title Case: every word but the function words capitalised (a sentence full of names
    // still has a lower-case verb)
    if alpha >= 3 && caps == alpha {
        MODE_CAPS
    } else if long_cap >= 3 && lower == 0 {
        MODE_TITLE
    } else {
        MODE_NORMAL
    }
}

fn is_table(toks: &[Token]) -> bool {
    let digits = toks.iter().filter(|t| t.is(ALLDIGIT)).count();
    let words = toks.iter().filter(|t| t.is(ALPHA)).count();
    // a dateline ("LONDON 1996-08-24") is no table line
    if words == 1 && toks[0].is(ALLCAP) && toks[1..].iter().all(|t| t.is(ALLDIGIT) || t.is(PUNCT)) {
        return false;
    }
    digits >= 2 && words >= 1 && digits * 3 >= words && toks.iter().any(|t| t.is(CAP))
}

impl Recognizer {
    /// Loads the embedded gazetteers and tagger weights.
    pub fn load() -> Result<Recognizer, LoadError> {
        Ok(Recognizer { gaz: Gazetteer::load()?, tagger: Tagger::from_bytes(WEIGHTS)? })
    }

    /// A recognizer with other tagger weights (training and tests).
    pub fn with_tagger(tagger: Tagger) -> Result<Recognizer, LoadError> {
        Ok(Recognizer { gaz: Gazetteer::load()?, tagger })
    }

    /// The gazetteers.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gaz
    }

    /// Tokenises the article and computes every per-token input of the tagger.
    pub fn prepare(&self, text: &str, sentences: &[SentenceSpan]) -> Prep {
        let mut p = Prep::default();
        self.prepare_into(text, sentences, &mut p);
        p
    }

    /// [`Recognizer::prepare`] into a `Prep` whose buffers are reused.
    pub fn prepare_into(&self, text: &str, sentences: &[SentenceSpan], p: &mut Prep) {
        p.clear();
        let est = text.len() / 5 + 16;
        p.toks.reserve(est);
        p.whash.reserve(est);
        p.class.reserve(est);
        p.folded.reserve(text.len() + 16);
        let whole = [SentenceSpan { span: 0..text.len(), boilerplate: false }];
        let sentences = if sentences.is_empty() { &whole[..] } else { sentences };
        for s in sentences {
            // boilerplate, empty spans and spans that are not valid byte ranges of the text
            if s.boilerplate
                || s.span.start >= s.span.end
                || s.span.end > text.len()
                || !text.is_char_boundary(s.span.start)
                || !text.is_char_boundary(s.span.end)
            {
                continue;
            }
            let a = p.toks.len();
            tokenize(text, s.span.clone(), &mut p.toks, &mut p.folded);
            let b = p.toks.len();
            if a == b {
                continue;
            }
            // every token gets its hash and the cheap function/connector classes (a tiny
            // table); the full classes (large table) are looked up near candidates only
            for t in &p.toks[a..b] {
                let h = tagger::word_hash(t.folded(&p.folded));
                p.whash.push(h);
                p.class.push(self.gaz.small_class_of_hash(h));
            }
            let mode = sentence_mode(&p.toks[a..b], &p.class[a..b]);
            let table = is_table(&p.toks[a..b]);
            p.sents.push(Sent { toks: a..b, mode, table });
        }
        let n = p.toks.len();
        // candidates
        p.cand.resize(n, false);
        for s in &p.sents {
            for i in s.toks.clone() {
                let t = &p.toks[i];
                let c = if s.mode == MODE_NORMAL {
                    (t.is(CAP) && p.class[i] & class::FUNCTION == 0)
                        || (t.is(DIGIT) && t.is(ALPHA) && !t.is(LOWER))
                } else {
                    (t.is(ALPHA) || t.is(DIGIT)) && p.class[i] & class::FUNCTION == 0
                };
                p.cand[i] = c;
            }
            for i in s.toks.start + 1..s.toks.end.saturating_sub(1) {
                if !p.cand[i]
                    && p.cand[i - 1]
                    && p.toks[i + 1].is(CAP)
                    && (p.class[i] & class::CONNECTOR != 0 || p.toks[i].is(HYPHEN))
                {
                    p.cand[i] = true;
                }
            }
        }
        // full classes and suffixes where features are computed: candidates and neighbours
        p.suffix.resize(n, 0);
        let mut near: IdMap<u8> = IdMap::default();
        for i in 0..n {
            let c = p.cand[i];
            if c || (i > 0 && p.cand[i - 1]) || (i + 1 < n && p.cand[i + 1]) {
                if p.toks[i].is(ALPHA) {
                    p.class[i] |= self.gaz.class_of_hash(p.whash[i]);
                }
                if c {
                    p.suffix[i] = tagger::suffix_hash(p.toks[i].folded(&p.folded));
                    near.insert(p.whash[i], 0);
                }
            }
        }
        // document evidence for candidate words: how they are written away from sentence starts
        // in ordinary text
        for s in &p.sents {
            if s.mode != MODE_NORMAL {
                continue;
            }
            for i in s.toks.start + 1..s.toks.end {
                let t = &p.toks[i];
                if !t.is(ALPHA) {
                    continue;
                }
                let Some(bits) = near.get_mut(&p.whash[i]) else { continue };
                let prev = &p.toks[i - 1];
                let after_open =
                    prev.is(PUNCT) && !matches!(prev.folded(&p.folded), "," | "-" | "(");
                if t.is(CAP) {
                    if !after_open {
                        *bits |= DOC_CAP;
                    }
                } else if t.is(LOWER) {
                    *bits |= DOC_LOWER;
                }
            }
        }
        let doc = p
            .whash
            .iter()
            .zip(&p.cand)
            .map(|(h, &c)| if c { near.get(h).copied().unwrap_or(0) } else { 0 });
        p.doc.extend(doc);
        // gazetteer
        p.gaz.resize(n, 0);
        for s in &p.sents {
            let toks = &p.toks[s.toks.clone()];
            let cand = &p.cand[s.toks.clone()];
            let wh = &p.whash[s.toks.clone()];
            let a = p.matches.len();
            self.gaz.find(
                toks,
                &p.folded,
                |i| {
                    cand[i]
                        && (toks[i].is(ALPHA) || toks[i].is(DIGIT))
                        && self.gaz.may_start(wh[i], wh.get(i + 1).copied())
                },
                &mut p.matches,
            );
            for m in &mut p.matches[a..] {
                m.start += s.toks.start as u32;
                m.end += s.toks.start as u32;
            }
        }
        for m in &p.matches {
            for f in self.gaz.forms_of(m) {
                let code = gz_code(&self.gaz, f);
                p.gaz[m.start as usize] |= 1 << (2 * code);
                for k in m.start as usize + 1..m.end as usize {
                    p.gaz[k] |= 1 << (2 * code + 1);
                }
            }
        }
        for i in 0..n {
            if p.cand[i]
                && p.toks[i].is(CAP)
                && self.gaz.surnames.contains_key(p.toks[i].folded(&p.folded))
            {
                p.gaz[i] |= 1 << (2 * gz::SURNAME);
            }
        }
    }

    /// Tags one sentence; returns the tag and confidence of each token.
    pub fn tag(&self, p: &Prep, s: &Sent, tags: &mut Vec<(u8, f32)>) {
        let ctx = p.ctx(s);
        tags.clear();
        let mut feats = [0u64; MAX_FEATS];
        let mut prev = 0usize;
        for i in 0..ctx.toks.len() {
            if !p.cand[s.toks.start + i] {
                tags.push((0, 1.0));
                prev = 0;
                continue;
            }
            let k = tagger::features(&ctx, i, prev, &mut feats);
            let sc = self.tagger.scores(&feats[..k]);
            let (t, margin) = tagger::best(&sc, prev);
            tags.push((t as u8, self.tagger.confidence(margin)));
            prev = t;
        }
    }

    /// Finds and links the entity mentions of an article.
    ///
    /// `sentences` are byte ranges into `text` (sentence 0 is the headline); boilerplate
    /// sentences are skipped. With no sentences the whole text is one sentence.
    pub fn recognize(&self, text: &str, sentences: &[SentenceSpan]) -> Recognized {
        thread_local! {
            /// Per-thread buffers of the last article, reused so an article allocates little.
            static SCRATCH: std::cell::RefCell<Prep> = std::cell::RefCell::new(Prep::default());
        }
        SCRATCH.with(|cell| {
            let mut p = cell.borrow_mut();
            self.prepare_into(text, sentences, &mut p);
            self.recognize_prepared(text, &p)
        })
    }

    fn recognize_prepared(&self, text: &str, p: &Prep) -> Recognized {
        let mut cands: Vec<Cand> = Vec::new();
        let mut tags = Vec::new();
        for (si, s) in p.sents.iter().enumerate() {
            if !s.toks.clone().any(|i| p.cand[i]) {
                continue;
            }
            self.tag(p, s, &mut tags);
            let mut k = 0;
            while k < tags.len() {
                let t = tags[k].0 as usize;
                if t == 0 {
                    k += 1;
                    continue;
                }
                let label = (t - 1) / 2;
                let mut e = k + 1;
                let mut conf = tags[k].1;
                while e < tags.len() && tags[e].0 as usize == 2 + 2 * label {
                    conf = conf.min(tags[e].1);
                    e += 1;
                }
                let base = s.toks.start;
                // "Kim Min-Woo": a hyphen glued to capitalised parts continues the name
                while e + 1 < tags.len() {
                    let (h, x) = (&p.toks[base + e], &p.toks[base + e + 1]);
                    let prev = &p.toks[base + e - 1];
                    if h.is(HYPHEN) && h.start == prev.end && x.start == h.end && x.is(CAP) {
                        e += 2;
                        while e < tags.len() && tags[e].0 as usize == 2 + 2 * label {
                            e += 1;
                        }
                    } else {
                        break;
                    }
                }
                let kind = [Kind::Person, Kind::Place, Kind::Org][label];
                self.push_clean(
                    p,
                    Cand {
                        s: base + k,
                        e: base + e,
                        kind,
                        level: Level::Name,
                        conf,
                        rec: None,
                        sent: si,
                    },
                    &mut cands,
                );
                k = e;
            }
        }
        self.add_gazetteer(p, &mut cands);
        org_suffix(p, &mut cands);
        person_after_title(p, &mut cands);
        name_particles(p, &mut cands);
        merge_of(p, &mut cands);
        self.consistency(p, &mut cands);
        defined_acronyms(p, &mut cands);
        // in a sports report a country named as a name is mostly a national team
        let sport = p.class.iter().filter(|&&c| c & class::SPORT != 0).count();
        let words = p.toks.iter().filter(|t| t.is(ALPHA)).count();
        if sport >= 8 && sport * 40 >= words {
            for c in &mut cands {
                // a country, region or unlisted place; a city stays a place (the venue)
                let city = p.matches_at(c.s).iter().any(|m| {
                    m.end as usize == c.e
                        && self.gaz.forms_of(m).iter().all(|f| {
                            !f.demonym && self.gaz.records[f.record as usize].kind == RecKind::City
                        })
                });
                let located =
                    c.s > 0 && matches!(p.toks[c.s - 1].folded(&p.folded), "in" | "at" | "near");
                if c.level == Level::Name && c.kind == Kind::Place && !city && !located {
                    c.kind = Kind::Org;
                }
            }
        }
        for c in &mut cands {
            // a place in a results table is a team, except a player's country in parentheses
            // ("Pete Sampras (U.S.) beat ...")
            let bracketed = c.s > 0
                && c.e < p.toks.len()
                && p.toks[c.s - 1].folded(&p.folded) == "("
                && p.toks[c.e].folded(&p.folded) == ")";
            if p.sents[c.sent].table
                && c.kind == Kind::Place
                && c.level == Level::Name
                && !bracketed
            {
                c.kind = Kind::Org;
                c.rec = None;
            }
        }
        cands.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
        let mut kept: Vec<Cand> = Vec::with_capacity(cands.len());
        for c in cands {
            if kept.last().is_some_and(|l| c.s < l.e) {
                continue;
            }
            kept.push(c);
        }
        // "Biden administration": the person stays a mention, the pair is an organisation too
        let mut nested = Vec::new();
        for c in &mut kept {
            // "Biden administration" tagged as one organisation word: the name is a person's
            if c.kind == Kind::Org
                && c.e - c.s == 1
                && c.e < p.toks.len()
                && p.sents[c.sent].toks.contains(&c.e)
                && GOVERNMENT_WORDS.contains(&p.toks[c.e].folded(&p.folded))
                && p.gaz[c.s] & (1 << (2 * gz::SURNAME)) != 0
            {
                c.kind = Kind::Person;
                c.rec = None;
            }
        }
        for c in &kept {
            if c.kind == Kind::Person
                && c.e < p.toks.len()
                && p.sents[c.sent].toks.contains(&c.e)
                && GOVERNMENT_WORDS.contains(&p.toks[c.e].folded(&p.folded))
            {
                nested.push(Cand { e: c.e + 1, kind: Kind::Org, rec: None, ..c.clone() });
            }
        }
        kept.extend(nested);
        kept.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
        self.link(text, p, kept)
    }

    /// Cleans a tagged span (determiners, titles, possessives, hyphenated places) and keeps it.
    fn push_clean(&self, p: &Prep, mut c: Cand, out: &mut Vec<Cand>) {
        let strip_front = |c: &Cand, t: &Token| -> bool {
            let f = t.folded(&p.folded);
            // determiners, punctuation, and lower-case words (a name never starts with "of")
            if matches!(f, "the" | "a" | "an") || t.is(PUNCT) || (t.is(LOWER) && !t.is(CAP)) {
                return true;
            }
            if c.kind == Kind::Person {
                let cl = self.gaz.word_class(f);
                return cl & (class::ROLE | class::TITLE) != 0 && cl & class::FIRST == 0
                    || crate::gazetteer::ROLE_WORDS.contains(&f);
            }
            false
        };
        // titles, determiners and (for a person) a leading demonym are not part of the name:
        // "Hungarian Prime Minister Viktor Orban" -> "Viktor Orban"
        let demonym_first = |c: &Cand| {
            c.kind == Kind::Person && c.s + 1 < c.e && p.gaz[c.s] & (1 << (2 * gz::DEMONYM)) != 0
        };
        while c.s < c.e && (strip_front(&c, &p.toks[c.s]) || demonym_first(&c)) {
            c.s += 1;
        }
        // the rest of a title: "Minister of Education Stefania Giannini", "Undersecretary for
        // Education Mr. Toccafondi" -> the words up to the first name belong to the title
        let honorific_last = c.e > c.s && p.class[c.e - 1] & class::TITLE != 0;
        if (c.kind == Kind::Person || honorific_last)
            && c.s >= 2
            && p.sents[c.sent].toks.contains(&(c.s - 2))
            && matches!(p.toks[c.s - 1].folded(&p.folded), "of" | "for")
            && p.class[c.s - 2] & (class::ROLE | class::TITLE) != 0
        {
            while c.s < c.e
                && p.class[c.s] & class::FIRST == 0
                && (p.class[c.s] & (class::ROLE | class::TITLE) != 0 || c.e - c.s > 1)
            {
                c.s += 1;
            }
        }
        // nor possessives, punctuation, dates or a dangling function word at the end: "Supreme
        // Court of Cassation on July" -> "Supreme Court of Cassation"
        while c.e > c.s && {
            let t = &p.toks[c.e - 1];
            let f = t.folded(&p.folded);
            t.is(POSS)
                || t.is(PUNCT)
                || CALENDAR_WORDS.contains(&f)
                || (!t.is(CAP) && matches!(f, "on" | "of" | "and" | "for" | "the" | "in" | "at"))
        } {
            c.e -= 1;
        }
        if c.s >= c.e {
            return;
        }
        // a capitalised first name right before a person's name belongs to it ("Yevgeny" +
        // "Prigozhin" when the tagger only took the surname)
        if c.kind == Kind::Person {
            let start = p.sents[c.sent].toks.start;
            while c.s > start
                && p.toks[c.s - 1].is(CAP)
                && p.class[c.s - 1] & class::FIRST != 0
                && p.class[c.s - 1] & (class::COMMON | class::FUNCTION | class::ROLE | class::TITLE)
                    == 0
                && p.gaz[c.s - 1] == 0
            {
                c.s -= 1;
            }
        }
        // a person's name holds particles (de, van, bin) but never "on", "of", "and", "for"
        if c.kind == Kind::Person
            && let Some(cut) = (c.s + 1..c.e).find(|&i| {
                matches!(
                    p.toks[i].folded(&p.folded),
                    "on" | "of" | "and" | "for" | "the" | "upon" | "&"
                )
            })
        {
            c.e = cut;
        }
        // in a headline or an all-caps line capitals say little: keep a tagged span only when
        // each of its words has a gazetteer match or is written capitalised in the body
        // (document consistency adds the names the body knows)
        if p.sents[c.sent].mode != MODE_NORMAL
            && (c.s..c.e).any(|i| p.toks[i].is(ALPHA) && p.doc[i] & DOC_CAP == 0 && p.gaz[i] == 0)
        {
            return;
        }
        let role = |i: usize| {
            let cl = p.class[i];
            cl & (class::ROLE | class::TITLE) != 0 && cl & class::FIRST == 0
        };
        // "Home Secretary Suella Braverman": everything up to the last title word goes
        if c.kind == Kind::Person
            && let Some(last_role) = (c.s..c.e - 1).rev().find(|&i| role(i))
        {
            c.s = last_role + 1;
        }
        // a span of title words only ("Minister", "Sheriff") is no name
        if (c.s..c.e).all(|i| role(i) || !p.toks[i].is(ALPHA)) {
            return;
        }
        // a lone demonym word ("English") that no country claims is no name either
        if c.e - c.s == 1
            && p.class[c.s] & class::DEMONYM != 0
            && p.gaz[c.s] & (1 << (2 * gz::DEMONYM)) == 0
        {
            return;
        }
        // a lone ordinary word at a sentence start or in a headline ("During", "Iodine",
        // "Group"), written lower case elsewhere in the article and never capitalised mid-sentence
        let sent = &p.sents[c.sent];
        let first = c.s == sent.toks.start
            || (c.s > sent.toks.start && p.toks[c.s - 1].is(PUNCT) && !p.toks[c.s - 1].is(HYPHEN));
        // (or, for an ordinary word, written lower case elsewhere at all: "Police arrested ..."
        // beside "the Irving Police Department")
        let ordinary = p.class[c.s] & (class::COMMON | class::FUNCTION) != 0;
        if c.e - c.s == 1
            && (first || sent.mode != MODE_NORMAL)
            && p.gaz[c.s] == 0
            && ((p.doc[c.s] & DOC_CAP == 0 && (p.doc[c.s] & DOC_LOWER != 0 || ordinary))
                || (ordinary && p.doc[c.s] & DOC_LOWER != 0))
        {
            return;
        }
        // a lone organisation word is nobody's name ("Muslim Student Association president
        // Sehar Memon" tagged "Association" a person)
        if c.kind == Kind::Person
            && c.e - c.s == 1
            && p.gaz[c.s] == 0
            && p.class[c.s] & class::ORGWORD != 0
            && p.class[c.s] & (class::FIRST | class::LAST) == 0
        {
            return;
        }
        // the same at a sentence start when the word is written lower case in the article and
        // capitalised only inside longer names ("Iodine deficiency can ..." beside "the
        // National Iodine Nutrition Study")
        if c.e - c.s == 1
            && (first || sent.mode != MODE_NORMAL)
            && p.gaz[c.s] == 0
            && p.doc[c.s] & DOC_LOWER != 0
            && p.class[c.s] & (class::FIRST | class::LAST) == 0
            && self.only_inside_names(p, c.s)
        {
            return;
        }
        // "the United States Hamdullah Mohib": a place followed by a first name is two mentions
        if c.kind == Kind::Place
            && let Some(m) =
                p.matches_at(c.s).iter().filter(|m| (m.end as usize) < c.e).max_by_key(|m| m.end)
            && p.toks[m.end as usize].is(CAP)
            && (p.class[m.end as usize] & class::FIRST != 0
                || (c.e - m.end as usize >= 2
                    && (m.end as usize..c.e).all(|i| p.toks[i].is(CAP) && p.gaz[i] == 0)
                    && p.class[c.e - 1] & class::ORGWORD == 0))
        {
            let split = m.end as usize;
            out.push(Cand { e: split, ..c.clone() });
            out.push(Cand { s: split, kind: Kind::Person, ..c });
            return;
        }
        // "Ukraine-Russia": two places joined by a hyphen are two mentions
        if (c.s..c.e).any(|i| p.toks[i].is(HYPHEN)) {
            let mut parts = Vec::new();
            let mut a = c.s;
            for i in c.s..=c.e {
                if i == c.e || p.toks[i].is(HYPHEN) {
                    parts.push(a..i);
                    a = i + 1;
                }
            }
            let all_places = parts.iter().all(|r| {
                !r.is_empty()
                    && p.matches_at(r.start).iter().any(|m| {
                        m.end as usize == r.end
                            && self.gaz.forms_of(m).iter().any(|f| {
                                !f.demonym
                                    && matches!(
                                        self.gaz.records[f.record as usize].kind,
                                        RecKind::Country | RecKind::Region | RecKind::City
                                    )
                            })
                    })
            });
            if all_places && parts.len() > 1 {
                for r in parts {
                    out.push(Cand { s: r.start, e: r.end, kind: Kind::Place, ..c.clone() });
                }
                return;
            }
        }
        // a lone all-caps word that names a city or country is the place (a dateline such as
        // "BRUSSELS, Dec 14 (Reuters)"), whatever the tagger said
        if c.e - c.s == 1
            && p.toks[c.s].is(ALLCAP)
            && p.toks[c.s].end - p.toks[c.s].start > 3
            && !p.sents[c.sent].table
            && p.matches_at(c.s).iter().any(|m| {
                m.end as usize == c.e
                    && self.gaz.forms_of(m).iter().any(|f| {
                        !f.demonym
                            && matches!(
                                self.gaz.records[f.record as usize].kind,
                                RecKind::City | RecKind::Country
                            )
                    })
            })
        {
            c.kind = Kind::Place;
        }
        // a span that is exactly a country's name is the place (a results table or a sports
        // report turns it into the team later)
        if c.kind == Kind::Org
            && p.matches_at(c.s).iter().any(|m| {
                m.end as usize == c.e
                    && self.gaz.forms_of(m).iter().any(|f| {
                        !f.demonym && self.gaz.records[f.record as usize].kind == RecKind::Country
                    })
            })
        {
            c.kind = Kind::Place;
        }
        // "Federico Chiesa" tagged as a place or organisation: a known first name followed by
        // more name, where no gazetteer knows the whole, is a person
        if c.kind != Kind::Person
            && c.e - c.s >= 2
            && p.class[c.s] & class::FIRST != 0
            && p.class[c.s] & class::COMMON == 0
            && p.class[c.e - 1] & class::ORGWORD == 0
            && p.gaz[c.s] == 0
        {
            c.kind = Kind::Person;
        }
        // "the West": a span that is exactly a group's name after "the" is that group
        if c.s > 0
            && p.toks[c.s - 1].folded(&p.folded) == "the"
            && let Some(f) =
                p.matches_at(c.s).iter().filter(|m| m.end as usize == c.e).find_map(|m| {
                    self.gaz.forms_of(m).iter().find(|f| {
                        !f.demonym && self.gaz.records[f.record as usize].kind == RecKind::Group
                    })
                })
        {
            c.kind = Kind::Group;
            c.rec = Some(f.record);
        }
        // a span that is exactly a demonym is a demonym mention, not a name
        if let Some(m) = p.matches_at(c.s).iter().find(|m| m.end as usize == c.e)
            && let Some(f) = self
                .gaz
                .forms_of(m)
                .iter()
                .filter(|f| f.demonym)
                .max_by_key(|f| self.gaz.records[f.record as usize].rank)
        {
            {
                let r = &self.gaz.records[f.record as usize];
                c.kind = if r.kind == RecKind::Group { Kind::Group } else { Kind::Place };
                c.level = Level::Demonym;
                c.rec = Some(f.record);
            }
        }
        out.push(c);
    }

    /// Adds gazetteer matches that the tagger did not cover.
    /// Whether every capitalised occurrence of token `i`'s word, away from a sentence start,
    /// has a capitalised word beside it (is part of a longer name).
    fn only_inside_names(&self, p: &Prep, i: usize) -> bool {
        let cap = |j: usize| p.toks.get(j).is_some_and(|t| t.is(CAP) && t.is(ALPHA));
        p.sents.iter().filter(|s| s.mode == MODE_NORMAL).all(|s| {
            (s.toks.start + 1..s.toks.end).all(|j| {
                p.whash[j] != p.whash[i]
                    || !p.toks[j].is(CAP)
                    || (j > s.toks.start + 1 && cap(j - 1))
                    || (j + 1 < s.toks.end && cap(j + 1))
            })
        })
    }

    fn add_gazetteer(&self, p: &Prep, cands: &mut Vec<Cand>) {
        let mut covered = vec![false; p.toks.len()];
        for c in cands.iter() {
            covered[c.s..c.e].fill(true);
        }
        // longest match per start
        let mut best: Vec<Option<&GazMatch>> = vec![None; p.toks.len()];
        for m in &p.matches {
            let b = &mut best[m.start as usize];
            if b.is_none_or(|o| m.end > o.end) {
                *b = Some(m);
            }
        }
        let sent_of = |i: usize| p.sents.partition_point(|s| s.toks.end <= i);
        let mut i = 0;
        while i < p.toks.len() {
            let Some(m) = best[i] else {
                i += 1;
                continue;
            };
            let (s, e) = (m.start as usize, m.end as usize);
            if (s..e).any(|k| covered[k]) {
                // a known full name (person, multi-word country) wins over tagger spans that
                // cut across it; a tagger span that holds it whole is kept ("Bank of England")
                let strong = e - s >= 2
                    && self.gaz.forms_of(m).iter().any(|f| {
                        !f.demonym
                            && matches!(
                                self.gaz.records[f.record as usize].kind,
                                RecKind::Person | RecKind::Country | RecKind::Org | RecKind::Club
                            )
                    });
                let inside = cands.iter().any(|c| c.s <= s && e <= c.e);
                if !strong || inside {
                    i += 1;
                    continue;
                }
                cands.retain(|c| {
                    let overlap = c.s < e && s < c.e;
                    if overlap {
                        covered[c.s..c.e].fill(false);
                    }
                    !overlap
                });
            }
            let si = sent_of(s);
            let sent = &p.sents[si];
            let ntok = e - s;
            let acronym = ntok == 1 && p.toks[s].is(ALLCAP) && p.toks[s].end - p.toks[s].start >= 2;
            let mut chosen: Option<(Kind, Level, u32, f32)> = None;
            let mut prio = 0;
            for f in self.gaz.forms_of(m) {
                let r = &self.gaz.records[f.record as usize];
                let (kind, level, pr, conf) = match (r.kind, f.demonym) {
                    (RecKind::Country, true) => (Kind::Place, Level::Demonym, 9, 0.9),
                    (RecKind::Group, true) => (Kind::Group, Level::Demonym, 8, 0.8),
                    (RecKind::Country, false) => (Kind::Place, Level::Name, 10, 0.95),
                    (RecKind::Region, _) => (Kind::Place, Level::Name, 7, 0.85),
                    (RecKind::Group, false) => {
                        let after_the =
                            s > sent.toks.start && p.toks[s - 1].folded(&p.folded) == "the";
                        if !after_the {
                            continue;
                        }
                        (Kind::Group, Level::Name, 8, 0.8)
                    }
                    (RecKind::Club, _) if sent.table => (Kind::Org, Level::Name, 11, 0.85),
                    (RecKind::Person, _) if ntok >= 2 => (Kind::Person, Level::Name, 6, 0.85),
                    (RecKind::Org, _) if ntok >= 2 || acronym => (Kind::Org, Level::Name, 5, 0.8),
                    (RecKind::City, _) if r.rank >= 100_000 || ntok >= 2 => {
                        (Kind::Place, Level::Name, 4, 0.75)
                    }
                    _ => continue,
                };
                if pr > prio
                    || (pr == prio
                        && chosen.is_some_and(|c| r.rank > self.gaz.records[c.2 as usize].rank))
                {
                    prio = pr;
                    chosen = Some((kind, level, f.record, conf));
                }
            }
            if let Some((kind, level, rec, conf)) = chosen {
                let rec =
                    if kind == Kind::Place && level == Level::Name { None } else { Some(rec) };
                cands.push(Cand { s, e, kind, level, conf, rec, sent: si });
                covered[s..e].fill(true);
                i = e;
            } else {
                i += 1;
            }
        }
    }

    /// Document-level consistency: a name labelled once is labelled the same everywhere.
    fn consistency(&self, p: &Prep, cands: &mut Vec<Cand>) {
        let mut votes: IdMap<[f32; 4]> = IdMap::default();
        let mut surnames: IdMap<()> = IdMap::default();
        let mut max_len = 0;
        for c in cands.iter() {
            if c.level != Level::Name {
                continue;
            }
            let w = if p.sents[c.sent].mode == MODE_NORMAL { c.conf } else { c.conf * 0.3 };
            votes.entry(p.span_hash(c.s, c.e)).or_default()[c.kind as usize] += w;
            max_len = max_len.max(c.e - c.s);
            if c.kind == Kind::Person && c.e - c.s >= 2 && p.toks[c.e - 1].is(CAP) {
                surnames.insert(p.whash[c.e - 1], ());
            }
        }
        let kinds = [Kind::Person, Kind::Place, Kind::Org, Kind::Group];
        let majority = |v: &[f32; 4]| -> Kind {
            let mut b = 0;
            for k in 1..4 {
                if v[k] > v[b] {
                    b = k;
                }
            }
            kinds[b]
        };
        for c in cands.iter_mut() {
            if c.level != Level::Name || c.rec.is_some() {
                continue;
            }
            if let Some(v) = votes.get(&p.span_hash(c.s, c.e)) {
                c.kind = majority(v);
            }
            // the surname of a person named in full is that person ("Cruise" after "Tom Cruise")
            if c.e - c.s == 1 && surnames.contains_key(&p.whash[c.s]) {
                c.kind = Kind::Person;
            }
        }
        let mut covered = vec![false; p.toks.len()];
        for c in cands.iter() {
            covered[c.s..c.e].fill(true);
        }
        let max_len = max_len.min(8);
        for (si, s) in p.sents.iter().enumerate() {
            let mut i = s.toks.start;
            while i < s.toks.end {
                if covered[i] || !p.cand[i] || !p.toks[i].is(ALPHA) {
                    i += 1;
                    continue;
                }
                let mut found = None;
                let mut h = SPAN_SEED;
                let stop = (i + max_len).min(s.toks.end);
                for (j, &cov) in covered.iter().enumerate().take(stop).skip(i) {
                    if cov {
                        break;
                    }
                    h = span_step(h, p.whash[j]);
                    if let Some(v) = votes.get(&h) {
                        found = Some((j + 1, majority(v)));
                    }
                }
                if found.is_none() && surnames.contains_key(&p.whash[i]) {
                    found = Some((i + 1, Kind::Person));
                }
                // a one-word name is not spread to a word the article also writes lower case
                if found.is_some_and(|(e, _)| e == i + 1) && p.doc[i] & DOC_LOWER != 0 {
                    found = None;
                }
                if let Some((e, kind)) = found {
                    // with the first name written before it ("Yevgeny" + "Prigozhin")
                    let mut a = i;
                    while kind == Kind::Person
                        && a > s.toks.start
                        && !covered[a - 1]
                        && p.toks[a - 1].is(CAP)
                        && p.class[a - 1] & class::FIRST != 0
                        && p.class[a - 1]
                            & (class::COMMON | class::FUNCTION | class::ROLE | class::TITLE)
                            == 0
                        && p.gaz[a - 1] == 0
                    {
                        a -= 1;
                    }
                    cands.push(Cand {
                        s: a,
                        e,
                        kind,
                        level: Level::Name,
                        conf: 0.7,
                        rec: None,
                        sent: si,
                    });
                    covered[a..e].fill(true);
                    i = e;
                } else {
                    i += 1;
                }
            }
        }
    }

    /// Links mentions to canonical entities.
    fn link(&self, text: &str, p: &Prep, cands: Vec<Cand>) -> Recognized {
        let key_of = |c: &Cand| -> String {
            let mut k = String::new();
            for i in c.s..c.e {
                if i > c.s {
                    k.push(' ');
                }
                k.push_str(p.toks[i].folded(&p.folded));
            }
            k
        };
        let key_into = |c: &Cand, k: &mut String| {
            k.clear();
            for i in c.s..c.e {
                if i > c.s {
                    k.push(' ');
                }
                k.push_str(p.toks[i].folded(&p.folded));
            }
        };
        let mut key = String::new();
        let span_of = |c: &Cand| p.toks[c.s].start as usize..p.toks[c.e - 1].end as usize;
        let g = &self.gaz;
        // record per mention (gazetteer link) or a local group
        let n = cands.len();
        let mut rec: Vec<Option<u32>> = cands.iter().map(|c| c.rec).collect();
        for (k, c) in cands.iter().enumerate() {
            if rec[k].is_some() {
                continue;
            }
            key_into(c, &mut key);
            let forms = g.lookup(&key);
            let pick = |want: &[RecKind]| -> Option<u32> {
                forms
                    .iter()
                    .filter(|f| !f.demonym)
                    .filter(|f| want.contains(&g.records[f.record as usize].kind))
                    .max_by_key(|f| {
                        let r = &g.records[f.record as usize];
                        let order = want.iter().position(|w| *w == r.kind).unwrap_or(9);
                        (std::cmp::Reverse(order), r.rank)
                    })
                    .map(|f| f.record)
            };
            rec[k] = match c.kind {
                Kind::Place => pick(&[RecKind::Country, RecKind::Region, RecKind::City]),
                // a club only in a results table or when no place has that name (Brussels is
                // a city before it is the alias of a club)
                Kind::Org => pick(&[RecKind::Org]).or_else(|| {
                    let place = forms.iter().any(|f| {
                        matches!(
                            g.records[f.record as usize].kind,
                            RecKind::City | RecKind::Country
                        )
                    });
                    if place && !p.sents[c.sent].table { None } else { pick(&[RecKind::Club]) }
                }),
                Kind::Group => pick(&[RecKind::Group]),
                Kind::Person => pick(&[RecKind::Person]).or_else(|| {
                    if c.e - c.s < 2 {
                        return None;
                    }
                    // a spelling variant of a known person ("Alexander Lukashenko" for
                    // "Alyaksandr Lukashenka", whose data know "Aleksandr Lukashenko"): the same
                    // surname and a first name that begins the same way (one letter for an
                    // initial); a common surname only for a leader in office lately, so that a
                    // stranger named "Ahmed Mohamed" is not taken for a prime minister
                    let last = p.toks[c.e - 1].folded(&p.folded);
                    let first = p.toks[c.s].folded(&p.folded).as_bytes();
                    let same_start = |have: [u8; 2]| match first {
                        [a] => have[0] == *a,
                        [a, b, ..] => have == [*a, *b],
                        [] => false,
                    };
                    let cl = g.word_class(last);
                    if cl & (class::FIRST | class::COMMON) != 0 {
                        return None;
                    }
                    g.surnames.get(last).and_then(|v| {
                        v.iter()
                            .copied()
                            .filter(|&r| same_start(g.records[r as usize].initial))
                            .filter(|&r| {
                                cl & class::LAST == 0 || g.records[r as usize].rank >= RECENT_LEADER
                            })
                            .max_by_key(|&r| g.records[r as usize].rank)
                    })
                }),
            };
        }
        // short forms: a one-word person mention links to a longer person mention ending with it
        let mut group: Vec<usize> = (0..n).collect();
        for k in 0..n {
            let c = &cands[k];
            if c.kind != Kind::Person || c.e - c.s != 1 {
                continue;
            }
            let w = p.toks[c.s].folded(&p.folded);
            let full = (0..n)
                .filter(|&j| {
                    let d = &cands[j];
                    d.kind == Kind::Person
                        && d.e - d.s >= 2
                        && (d.s..d.e).any(|i| p.toks[i].folded(&p.folded) == w)
                })
                .min_by_key(|&j| (cands[j].s > c.s, cands[j].s.abs_diff(c.s)));
            if let Some(j) = full {
                group[k] = j;
                rec[k] = rec[j];
            } else if rec[k].is_none() {
                // a bare surname names a known person when it is not an ordinary word or first
                // name, and (if it is a common surname) when that person is a leader in office
                // lately (rank = last year seen in office * 10)
                let cl = g.word_class(w);
                if cl & (class::FIRST | class::COMMON) == 0 {
                    let best = g.surnames.get(w).and_then(|v| {
                        v.iter().copied().max_by_key(|&r| g.records[r as usize].rank)
                    });
                    rec[k] = best.filter(|&r| {
                        cl & class::LAST == 0 || g.records[r as usize].rank >= RECENT_LEADER
                    });
                }
            }
        }
        // acronyms: an all-caps one-word organisation links to a longer one with those initials
        // (the initials of each multi-word organisation computed once)
        let mut initials: Vec<(u64, usize)> = Vec::new();
        for (j, d) in cands.iter().enumerate() {
            if d.kind == Kind::Org && d.e - d.s >= 2 {
                let mut ini = [0u8; 16];
                let mut len = 0;
                for i in (d.s..d.e).filter(|&i| p.toks[i].is(CAP)) {
                    if len < ini.len() {
                        ini[len] = p.toks[i].folded(&p.folded).as_bytes()[0];
                        len += 1;
                    }
                }
                initials.push((crate::tagger::word_hash_bytes(&ini[..len]), j));
            }
        }
        for k in 0..n {
            let c = &cands[k];
            if c.kind != Kind::Org || c.e - c.s != 1 || !p.toks[c.s].is(ALLCAP) || rec[k].is_some()
            {
                continue;
            }
            if let Some(&(_, j)) = initials.iter().find(|(h, _)| *h == p.whash[c.s]) {
                group[k] = j;
                rec[k] = rec[j];
            }
        }
        // local canonical names: the longest form of the group
        let mut canon: Vec<usize> = (0..n).collect();
        for (k, &root) in group.iter().enumerate() {
            // the longest form, from ordinary text before a headline or an all-caps line
            let len = |j: usize| {
                let normal = p.sents[cands[j].sent].mode == MODE_NORMAL;
                (normal, cands[j].e - cands[j].s, span_of(&cands[j]).len())
            };
            if len(k) > len(canon[root]) {
                canon[root] = k;
            }
        }
        let mut out = Recognized::default();
        let mut by_key: IdMap<usize> = IdMap::default();
        let mut name_quality: Vec<(bool, usize)> = Vec::new();
        for k in 0..n {
            let c = &cands[k];
            let surface = &text[span_of(c)];
            let root = canon[group[k]];
            let ekey = match rec[k] {
                Some(r) => span_step(u64::from(r) + 1, u64::from(c.kind == Kind::Org)),
                None => span_step(p.span_hash(cands[root].s, cands[root].e), c.kind as u64 + 7),
            };
            let idx = match by_key.get(&ekey) {
                Some(&idx) => idx,
                None => {
                    let entity = match rec[k] {
                        Some(r) => {
                            let r = &g.records[r as usize];
                            let kind = match r.kind {
                                RecKind::Country | RecKind::Region | RecKind::City => Kind::Place,
                                RecKind::Person => Kind::Person,
                                RecKind::Org | RecKind::Club => Kind::Org,
                                RecKind::Group => Kind::Group,
                            };
                            // a place acting as a team is an organisation of that name
                            let kind = if c.kind == Kind::Org { Kind::Org } else { kind };
                            let id = if kind == Kind::Org && !r.id.starts_with("local:org:") {
                                format!("local:org:{}", crate::text::name_key(&r.name))
                            } else {
                                r.id.clone()
                            };
                            // the data's variant forms (Lukashenka / Lukashenko); a city's
                            // alternate names in other languages are left out
                            let aliases = if matches!(r.kind, RecKind::City | RecKind::Region) {
                                Vec::new()
                            } else {
                                r.aliases
                                    .iter()
                                    .take(6)
                                    .filter(|a| **a != r.name)
                                    .cloned()
                                    .collect()
                            };
                            Entity { id, kind, name: r.name.clone(), aliases, wikidata: None }
                        }
                        None => {
                            let cc = &cands[root];
                            Entity {
                                id: format!("local:{}:{}", c.kind.as_str(), key_of(cc)),
                                kind: c.kind,
                                name: text[span_of(cc)].to_string(),
                                aliases: Vec::new(),
                                wikidata: None,
                            }
                        }
                    };
                    out.entities.push(entity);
                    let cc = &cands[root];
                    name_quality.push((p.sents[cc.sent].mode == MODE_NORMAL, cc.e - cc.s));
                    by_key.insert(ekey, out.entities.len() - 1);
                    out.entities.len() - 1
                }
            };
            let ent = &mut out.entities[idx];
            // a local entity named from a headline takes the longest form of ordinary text
            let quality = (p.sents[c.sent].mode == MODE_NORMAL, c.e - c.s);
            if rec[k].is_none() && quality > name_quality[idx] {
                let old = std::mem::replace(&mut ent.name, surface.to_string());
                name_quality[idx] = quality;
                if !ent.aliases.contains(&old) {
                    ent.aliases.push(old);
                }
                ent.aliases.retain(|a| a != surface);
            } else if surface != ent.name && !ent.aliases.iter().any(|a| a == surface) {
                ent.aliases.push(surface.to_string());
            }
            out.mentions.push(Mention {
                span: span_of(c),
                kind: c.kind,
                level: c.level,
                entity: idx,
                confidence: c.conf,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> Recognizer {
        Recognizer::load().expect("recognizer loads")
    }

    fn one(text: &str) -> Recognized {
        rec().recognize(text, &[SentenceSpan { span: 0..text.len(), boilerplate: false }])
    }

    fn find<'a>(r: &'a Recognized, text: &str, surface: &str) -> Option<(&'a Mention, &'a Entity)> {
        r.mentions
            .iter()
            .find(|m| &text[m.span.clone()] == surface)
            .map(|m| (m, &r.entities[m.entity]))
    }

    #[test]
    fn demonym_links_to_its_country() {
        let t = "The Hungarian government protested.";
        let r = one(t);
        let (m, e) = find(&r, t, "Hungarian").expect("demonym found");
        assert_eq!(m.level, Level::Demonym);
        assert_eq!(e.id, "iso:HUN");
        assert_eq!(e.name, "Hungary");
    }

    /// One sentence per line, line 0 the headline.
    fn lines(text: &str) -> Recognized {
        let mut sents = Vec::new();
        let mut start = 0;
        for l in text.split_inclusive('\n') {
            sents
                .push(SentenceSpan { span: start..start + l.trim_end().len(), boilerplate: false });
            start += l.len();
        }
        rec().recognize(text, &sents)
    }

    fn surfaces(r: &Recognized, text: &str) -> Vec<String> {
        r.mentions.iter().map(|m| text[m.span.clone()].to_string()).collect()
    }

    #[test]
    fn diacritic_variants_are_one_entity() {
        let t = "Viktor Orbán spoke on Monday. Later Viktor Orban left.";
        let r = one(t);
        let a = find(&r, t, "Viktor Orbán").expect("accented form found").0.entity;
        let b = find(&r, t, "Viktor Orban").expect("plain form found").0.entity;
        assert_eq!(a, b, "{r:?}");
        assert_eq!(r.entities[a].id, "local:person:viktor orban");
    }

    #[test]
    fn short_forms_link_to_the_full_name() {
        let t = "Belarus leader Alexander Lukashenko spoke. Lukashenko said he would stay.\n\
                 The plan was backed by Maria Wierzbickowska on Monday. Wierzbickowska said so.";
        let r = one(t);
        let full = find(&r, t, "Alexander Lukashenko").expect("full name").0.entity;
        let short = find(&r, t, "Lukashenko").expect("short form").0.entity;
        assert_eq!(full, short);
        // a transliteration variant from the leaders list stays an alias of the same person
        assert!(
            r.entities[full]
                .aliases
                .iter()
                .chain([&r.entities[full].name])
                .any(|a| a.contains("Lukashenka"))
        );
        let full = find(&r, t, "Maria Wierzbickowska").expect("unknown full name").0.entity;
        let short = find(&r, t, "Wierzbickowska").expect("unknown short form").0.entity;
        assert_eq!(full, short, "{r:?}");
        assert_eq!(r.entities[full].id, "local:person:maria wierzbickowska");
        assert_eq!(r.entities[full].name, "Maria Wierzbickowska");
    }

    #[test]
    fn a_stranger_is_not_linked_to_a_leader_by_surname_and_initial() {
        // "Mohamed" is a common surname, and the leaders' data hold several "A... Mohamed"
        let t = "Texas student Ahmed Mohamed was arrested. Mohamed said he built a clock.";
        let r = one(t);
        let (_, e) = find(&r, t, "Ahmed Mohamed").expect("the student found");
        assert_eq!(e.id, "local:person:ahmed mohamed", "{e:?}");
        assert_eq!(e.name, "Ahmed Mohamed");
        assert!(e.aliases.iter().all(|a| a.ends_with("Mohamed") || a == "Ahmed"), "{e:?}");
        // while a spelling variant of a leader's first name still finds the leader
        let t = "Belarusian President Alexander Lukashenko met the envoy.";
        let r = one(t);
        let (_, e) = find(&r, t, "Alexander Lukashenko").expect("the leader found");
        assert_eq!(e.name, "Alyaksandr Lukashenka", "{e:?}");
    }

    #[test]
    fn armed_groups_and_states_are_not_people() {
        let t = "Fighters of the Islamic State of Iraq and the Levant attacked the town.";
        let r = one(t);
        let kinds: Vec<(String, Kind)> =
            r.mentions.iter().map(|m| (t[m.span.clone()].to_string(), m.kind)).collect();
        assert!(kinds.iter().all(|(_, k)| *k != Kind::Person), "{kinds:?}");
    }

    #[test]
    fn name_particles_join_a_persons_name() {
        let t = "Romelu Lukaku scored from Kevin De Bruyne's assist. Later Claudio De Vincenti \
                 spoke, and Rafael van der Vaart came on.";
        let r = one(t);
        for name in ["Kevin De Bruyne", "Claudio De Vincenti", "Rafael van der Vaart"] {
            let (m, _) =
                find(&r, t, name).unwrap_or_else(|| panic!("{name}: {:?}", surfaces(&r, t)));
            assert_eq!(m.kind, Kind::Person, "{name}");
        }
        // a particle before an ordinary word joins nothing
        let t = "Maria went to the Musee de Louvre. John de facto ran it.";
        let r = one(t);
        let people: Vec<&str> = r
            .mentions
            .iter()
            .filter(|m| m.kind == Kind::Person)
            .map(|m| &t[m.span.clone()])
            .collect();
        assert!(people.iter().all(|x| !x.contains(" de ")), "{people:?}");
    }

    #[test]
    fn dates_titles_and_common_nouns_are_not_names() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/factql/corpus/wikinews/2015-08-02_taxes.txt"
        );
        let t = &std::fs::read_to_string(path).expect("the bundled corpus");
        let s = surfaces(&one(t), t);
        assert!(
            s.iter().all(|x| !x.ends_with("July") && !x.ends_with("Monday") && !x.ends_with(" on")),
            "{s:?}"
        );
        assert!(s.iter().any(|x| x.ends_with("Supreme Court of Cassation")), "{s:?}");
        // nor a lone organisation word
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/factql/corpus/wikinews/2015-09-22_clock.txt"
        );
        let clock = &std::fs::read_to_string(path).expect("the bundled corpus");
        let r = one(clock);
        let people: Vec<&str> = r
            .mentions
            .iter()
            .filter(|m| m.kind == Kind::Person)
            .map(|m| &clock[m.span.clone()])
            .collect();
        assert!(!people.contains(&"Association"), "{people:?}");
        assert!(people.contains(&"Sehar Memon"), "{people:?}");
        // nor a common noun at a sentence start, capitalised elsewhere only inside names
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/factql/corpus/wikinews/2006-02-23_iodine.txt"
        );
        let iodine = &std::fs::read_to_string(path).expect("the bundled corpus");
        let found = surfaces(&one(iodine), iodine);
        assert!(!found.iter().any(|x| x == "Iodine"), "{found:?}");
        assert!(found.iter().any(|x| x == "Cres Eastman"), "{found:?}");
        // and the rest of a title is not part of the name after it
        assert!(s.iter().any(|x| x == "Stefania Giannini"), "{s:?}");
        assert!(!s.iter().any(|x| x.starts_with("Education")), "{s:?}");
    }

    #[test]
    fn title_case_headline_keeps_names_only() {
        let t = "Belarus Leader Lukashenko Extends Invitation To Hungarian Prime Minister\n\
                 Belarus leader Alexander Lukashenko extended an invitation to Hungarian Prime Minister Viktor Orban.";
        let r = lines(t);
        let s = surfaces(&r, t);
        assert!(s.iter().any(|x| x == "Lukashenko"), "{s:?}");
        for bad in [
            "Leader Lukashenko",
            "Extends Invitation",
            "Invitation",
            "Extends",
            "Prime Minister",
            "Leader",
        ] {
            assert!(!s.iter().any(|x| x == bad), "{bad:?} in {s:?}");
        }
        let m = find(&r, t, "Lukashenko").expect("headline name").0;
        assert_eq!(r.entities[m.entity].kind, Kind::Person);
    }

    #[test]
    fn all_caps_lines_find_places() {
        let t = "HUNGARY AND POLAND SIGN DEAL IN WARSAW\nThe deal was signed on Monday.";
        let r = lines(t);
        let ids: Vec<&str> = r.mentions.iter().map(|m| r.entities[m.entity].id.as_str()).collect();
        assert!(ids.contains(&"iso:HUN") && ids.contains(&"iso:POL"), "{ids:?}");
        let w = find(&r, t, "WARSAW").expect("capital city").1;
        assert!(w.id.starts_with("gn:"), "{w:?}");
    }

    #[test]
    fn all_caps_headline_names_come_from_the_body() {
        let t = "WAGNER CHIEF PRIGOZHIN DIES IN PLANE CRASH\n\
                 Yevgeny Prigozhin, the head of the Wagner group, died on Wednesday. Russian officials said \
                 Prigozhin was on board.";
        let r = lines(t);
        let s = surfaces(&r, t);
        let (m, e) = find(&r, t, "PRIGOZHIN").unwrap_or_else(|| panic!("{s:?}"));
        assert_eq!(m.kind, Kind::Person);
        assert_eq!(e.name, "Yevgeny Prigozhin", "{s:?}");
        for bad in ["CHIEF", "DIES", "PLANE CRASH", "CRASH", "WAGNER CHIEF"] {
            assert!(!s.iter().any(|x| x == bad), "{bad:?} in {s:?}");
        }
    }

    #[test]
    fn recognizer_is_shared_by_threads_and_survives_bad_spans() {
        fn shared<T: Send + Sync>() {}
        shared::<Recognizer>();
        let t = "Orbán met Putin in Moscow.";
        let bad = [
            SentenceSpan { span: 0..4, boilerplate: false }, // ends inside "á"
            SentenceSpan { span: 20..500, boilerplate: false }, // past the end
            SentenceSpan { span: 9..9, boilerplate: false },
        ];
        assert!(rec().recognize(t, &bad).mentions.is_empty());
        assert!(
            !rec().recognize(t, &[]).mentions.is_empty(),
            "no spans: the whole text is one sentence"
        );
    }

    #[test]
    fn unknown_names_after_a_title_are_people() {
        let t =
            "The visas were granted, but Afghan Ambassador Hamdullah Mohib says there were delays.";
        let r = one(t);
        let (m, e) =
            find(&r, t, "Hamdullah Mohib").unwrap_or_else(|| panic!("{:?}", surfaces(&r, t)));
        assert_eq!((m.kind, e.id.as_str()), (Kind::Person, "local:person:hamdullah mohib"));
    }

    #[test]
    fn acronyms_link_to_the_organisation_they_abbreviate() {
        let t = "The Council on American-Islamic Relations (CAIR) said on Monday that CAIR would sue. \
                 The World Health Organisation (WHO) agreed.";
        let r = one(t);
        let long =
            find(&r, t, "Council on American-Islamic Relations").expect("defined organisation");
        assert_eq!(long.0.kind, Kind::Org);
        for m in r.mentions.iter().filter(|m| &t[m.span.clone()] == "CAIR") {
            assert_eq!((m.kind, m.entity), (Kind::Org, long.0.entity));
        }
        // British spelling, acronym from the data
        let who = find(&r, t, "World Health Organisation").expect("WHO spelled out");
        assert_eq!(who.1.name, "World Health Organization");
        assert_eq!(find(&r, t, "WHO").expect("acronym").0.entity, who.0.entity);
    }

    #[test]
    fn dateline_city_is_a_place_not_a_club() {
        let t =
            "BRUSSELS, Dec 14 (Reuters) - European Union leaders agreed on Thursday to open talks.";
        let r = one(t);
        let (m, e) = find(&r, t, "BRUSSELS").expect("dateline city");
        assert_eq!((m.kind, e.kind), (Kind::Place, Kind::Place), "{e:?}");
        assert!(e.id.starts_with("gn:"), "{e:?}");
        // a dateline line with a numeric date is not a results table
        let t = "Leeds beat Southampton\nLONDON 1996-08-24\nLeeds United beat Southampton 2-0 on Saturday.";
        let r = lines(t);
        assert_eq!(find(&r, t, "LONDON").expect("dateline").1.id, "gn:2643743");
    }

    #[test]
    fn results_table_clubs_are_organisations() {
        let t = "Premier League results\nManchester United 2 Liverpool 1\nArsenal 3 Chelsea 3";
        let r = lines(t);
        for club in ["Manchester United", "Liverpool", "Arsenal", "Chelsea"] {
            let (m, e) = find(&r, t, club).unwrap_or_else(|| panic!("{club} found in {r:?}"));
            assert_eq!((m.kind, e.kind), (Kind::Org, Kind::Org), "{club}");
        }
        // the club, not the city, and the famous club of that name
        assert_eq!(find(&r, t, "Liverpool").expect("Liverpool").1.name, "Liverpool FC");
    }

    #[test]
    fn a_players_country_in_a_results_line_stays_a_place() {
        let t = "Tennis results\nPete Sampras (U.S.) beat Goran Ivanisevic (Croatia) 6-4 6-3 7-5";
        let r = lines(t);
        for place in ["U.S.", "Croatia"] {
            let (m, e) =
                find(&r, t, place).unwrap_or_else(|| panic!("{place} in {:?}", surfaces(&r, t)));
            assert_eq!((m.kind, e.kind), (Kind::Place, Kind::Place), "{place}");
        }
    }

    #[test]
    fn sports_report_countries_are_teams() {
        let t = "Sweden beat South Korea in the World Cup\n\
                 Sweden defeated South Korea 1 - 0 in the match in Nizhny Novgorod. The goal came from a penalty \
                 in the 65th minute after the referee checked the video. The coach praised the defender and the \
                 goalkeeper, and the win gives Sweden three points before the next game of the tournament.";
        let r = lines(t);
        let (m, _) = find(&r, t, "Sweden").expect("Sweden");
        assert_eq!(m.kind, Kind::Org);
        let (m, _) = find(&r, t, "Nizhny Novgorod").expect("venue");
        assert_eq!(m.kind, Kind::Place);
    }

    #[test]
    fn titles_are_not_part_of_person_names() {
        let t = "Hungarian Prime Minister Viktor Orban met French President Emmanuel Macron.";
        let r = one(t);
        let s = surfaces(&r, t);
        assert!(
            s.contains(&"Viktor Orban".to_string()) && s.contains(&"Emmanuel Macron".to_string()),
            "{s:?}"
        );
        assert!(!s.iter().any(|x| x.contains("Minister") || x.contains("President")), "{s:?}");
        let (m, e) = find(&r, t, "French").expect("demonym");
        assert_eq!((m.level, e.id.as_str()), (Level::Demonym, "iso:FRA"));
    }

    #[test]
    fn possessives_and_determiners_are_not_in_spans() {
        let t = "Putin’s war worries the West. Ukraine's allies met in Kyiv.";
        let r = one(t);
        let s = surfaces(&r, t);
        assert!(s.contains(&"Putin".to_string()), "{s:?}");
        assert!(s.contains(&"Ukraine".to_string()), "{s:?}");
        assert!(s.contains(&"West".to_string()), "{s:?}");
        assert!(
            !s.iter().any(|x| x.contains('’') || x.contains('\'') || x.starts_with("the ")),
            "{s:?}"
        );
        assert_eq!(find(&r, t, "West").expect("West").1.kind, Kind::Group);
    }

    #[test]
    fn boilerplate_sentences_are_skipped() {
        let t = "Hungary signed. Source: Reuters Hungary";
        let sents = [
            SentenceSpan { span: 0..15, boilerplate: false },
            SentenceSpan { span: 16..t.len(), boilerplate: true },
        ];
        let r = rec().recognize(t, &sents);
        assert!(r.mentions.iter().all(|m| m.span.end <= 15), "{r:?}");
        assert_eq!(r.mentions.len(), 1);
    }

    #[test]
    fn organisation_of_place_is_one_organisation() {
        let t = "She studied at the University of Warsaw. The Bank of England raised rates.";
        let r = one(t);
        let s = surfaces(&r, t);
        assert_eq!(find(&r, t, "University of Warsaw").map(|x| x.0.kind), Some(Kind::Org), "{s:?}");
        assert!(s.contains(&"Bank of England".to_string()), "{s:?}");
    }

    #[test]
    fn hyphenated_countries_are_two_mentions() {
        let t = "The Ukraine-Russia war goes on.";
        let r = one(t);
        assert!(find(&r, t, "Ukraine").is_some(), "{r:?}");
        assert!(find(&r, t, "Russia").is_some(), "{r:?}");
        assert!(find(&r, t, "Ukraine-Russia").is_none());
    }
}

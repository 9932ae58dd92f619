//! The word table: reporting verbs with their classes, closed-class words, and the hedge,
//! booster, loaded-word and opinion-marker lists, all in one hash map from a lower-case word
//! to its flags. Multi-word cues ("it remains to be seen whether", "the only") are phrases
//! hung on their first word.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Word flags (a word may have several).
pub(crate) mod flag {
    pub(crate) const BE: u32 = 1;
    pub(crate) const HAVE: u32 = 1 << 1;
    pub(crate) const MODAL: u32 = 1 << 2;
    pub(crate) const DO: u32 = 1 << 3;
    /// An adverb that may stand between a subject and its verb ("has also said").
    pub(crate) const ADV: u32 = 1 << 4;
    pub(crate) const PREP: u32 = 1 << 5;
    /// he, him, his, himself.
    pub(crate) const MASC: u32 = 1 << 6;
    /// she, her, hers, herself.
    pub(crate) const FEM: u32 = 1 << 7;
    /// A subject pronoun that can speak (he, she).
    pub(crate) const SUBJ_PRON: u32 = 1 << 8;
    /// his, her, their, its.
    pub(crate) const POSS_PRON: u32 = 1 << 9;
    /// who, which.
    pub(crate) const REL: u32 = 1 << 10;
    pub(crate) const THAT: u32 = 1 << 11;
    pub(crate) const DET: u32 = 1 << 12;
    /// A conjunction that opens a leading subordinate clause ("Although ..., ...").
    pub(crate) const SUBCONJ: u32 = 1 << 13;
    /// A discourse marker at the start of a sentence ("Moreover,").
    pub(crate) const DISC: u32 = 1 << 14;
    pub(crate) const HEDGE: u32 = 1 << 15;
    pub(crate) const BOOSTER: u32 = 1 << 16;
    pub(crate) const LOADED: u32 = 1 << 17;
    /// Marks an opinion in the author's voice (modals, evaluative and epistemic verbs).
    pub(crate) const OPINION: u32 = 1 << 18;
    /// An office or function word that can head a speaker phrase ("the minister").
    pub(crate) const TITLE: u32 = 1 << 19;
    /// A speaker noun that names no one ("officials", "a spokesman", "analysts").
    pub(crate) const NOMINAL: u32 = 1 << 20;
    /// A time word that may follow a reporting verb ("said Tuesday").
    pub(crate) const TIME: u32 = 1 << 21;
    pub(crate) const NEG: u32 = 1 << 22;
    /// A word of intent ("willingness", "plans to").
    pub(crate) const INTENT: u32 = 1 << 23;
    /// An -ing word that never opens a participial clause ("including", "according").
    pub(crate) const ING_STOP: u32 = 1 << 24;
    /// A noun of speech after a possessive: "his calls for", "Ukraine's demand for".
    pub(crate) const SPEECH_NOUN: u32 = 1 << 25;
    /// The first word of a phrase in the phrase table.
    pub(crate) const PHRASE: u32 = 1 << 26;
    /// and, or.
    pub(crate) const AND: u32 = 1 << 27;
    /// I, we, my, our: the author speaking in the first person.
    pub(crate) const FIRST_PERSON: u32 = 1 << 28;
    /// "according" (to).
    pub(crate) const ACCORDING: u32 = 1 << 29;
}

/// The grammatical form of a reporting-verb token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// Not a reporting verb.
    None,
    /// say
    Base,
    /// says
    S,
    /// said (past or past participle)
    Past,
    /// saying
    Ing,
}

/// One reporting verb.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cue {
    /// Its lemma, e.g. `say`.
    pub(crate) lemma: &'static str,
    /// Its class (see the crate documentation).
    pub(crate) class: &'static str,
}

/// The reporting verbs: lemma, class, forms beyond the regular ones.
const CUES: &[(&str, &str, &[&str])] = &[
    ("say", "say", &["said", "says", "saying"]),
    ("tell", "say", &["told"]),
    ("add", "say", &[]),
    ("note", "say", &[]),
    ("explain", "say", &[]),
    ("write", "say", &["wrote", "written", "writing"]),
    ("state", "say", &[]),
    ("reply", "say", &[]),
    ("respond", "say", &[]),
    ("comment", "say", &[]),
    ("remark", "say", &[]),
    ("mention", "say", &[]),
    ("report", "say", &[]),
    ("tweet", "say", &[]),
    ("announce", "announce", &[]),
    ("declare", "announce", &[]),
    ("reveal", "announce", &[]),
    ("disclose", "announce", &[]),
    ("confirm", "agree", &[]),
    ("acknowledge", "agree", &[]),
    ("admit", "agree", &["admitted", "admitting"]),
    ("concede", "agree", &[]),
    ("agree", "agree", &[]),
    ("claim", "claim", &[]),
    ("argue", "claim", &[]),
    ("contend", "claim", &[]),
    ("maintain", "claim", &[]),
    ("suggest", "claim", &[]),
    ("insist", "assert", &[]),
    ("assert", "assert", &[]),
    ("emphasize", "assert", &["emphasise", "emphasised", "emphasises", "emphasising"]),
    ("stress", "assert", &[]),
    ("highlight", "assert", &[]),
    ("underline", "assert", &[]),
    ("underscore", "assert", &[]),
    ("reiterate", "assert", &[]),
    ("deny", "deny", &[]),
    ("reject", "deny", &[]),
    ("dismiss", "deny", &[]),
    ("refute", "deny", &[]),
    ("dispute", "deny", &[]),
    ("warn", "warn", &[]),
    ("caution", "warn", &[]),
    ("threaten", "warn", &[]),
    ("urge", "call", &[]),
    ("demand", "call", &[]),
    ("appeal", "call", &["appealled"]),
    ("plead", "call", &["pled"]),
    ("call", "call", &[]),
    ("accuse", "accuse", &[]),
    ("criticize", "accuse", &["criticise", "criticised", "criticises", "criticising"]),
    ("condemn", "accuse", &[]),
    ("blame", "accuse", &[]),
    ("denounce", "accuse", &[]),
    ("allege", "allege", &[]),
    ("believe", "believe", &[]),
    ("think", "believe", &["thought"]),
    ("feel", "believe", &["felt"]),
    ("expect", "believe", &[]),
    ("hope", "believe", &[]),
    ("fear", "believe", &[]),
    ("doubt", "believe", &[]),
    ("suspect", "believe", &[]),
    ("predict", "believe", &[]),
    ("describe", "characterise", &[]),
    ("label", "characterise", &["labelled", "labelling"]),
    ("brand", "characterise", &[]),
    ("dub", "characterise", &["dubbed", "dubbing"]),
    ("signal", "intent", &["signalled", "signalling"]),
    ("vow", "intent", &[]),
    ("pledge", "intent", &[]),
    ("promise", "intent", &[]),
];

/// The classes whose verb is itself a hedge on the claim it reports ("believes", "signaling",
/// "criticized as", "alleged").
pub(crate) fn class_hedges(class: &str) -> bool {
    matches!(class, "believe" | "intent" | "accuse" | "allege" | "claim")
}

/// Entries of the hedge list (npm `hedges`) that are too common in news to mark a hedge, or
/// that are reporting verbs handled as cues.
const NOT_HEDGES: &[&str] = &[
    "about",
    "actually",
    "around",
    "basically",
    "bunch",
    "can",
    "couple",
    "diagnostic",
    "few",
    "find",
    "finds",
    "found",
    "frequently",
    "generally",
    "in general",
    "like",
    "little",
    "look like",
    "looks like",
    "many",
    "mainly",
    "most",
    "mostly",
    "much",
    "occasionally",
    "often",
    "overall",
    "rarely",
    "read",
    "say",
    "says",
    "seldom",
    "several",
    "so far",
    "some",
    "somebody",
    "somehow",
    "someone",
    "something",
    "something or other",
    "sometimes",
    "somewhere",
    "usually",
    "will",
    "would",
    "understand",
    "understands",
    "understood",
    "largely",
    "effectively",
    "and all that",
    "and so forth",
    "et cetera",
    "rare",
    "pretty",
    "quite",
    "rather",
    "really",
    "fairly",
];

/// Entries of the hedge list that express certainty: boosters.
const LIST_BOOSTERS: &[&str] = &[
    "always",
    "certain",
    "certainly",
    "clear",
    "clearly",
    "definite",
    "definitely",
    "surely",
    "be sure",
    "quite clearly",
    "necessarily",
];

const HEDGES_TXT: &str = include_str!("../data/hedges.txt");

/// Hedges of our own, beyond the list.
const OWN_HEDGES: &[&str] = &[
    "allegedly",
    "reportedly",
    "purportedly",
    "purported",
    "so-called",
    "potential",
    "potentially",
    "highlights",
    "highlight",
    "highlighted",
    "indicates",
    "indicated",
    "signify",
    "signifies",
    "signals",
    "signaled",
    "signalled",
    "needs to",
    "need to",
    "remains to be seen",
    "it remains to be seen whether",
    "it remains to be seen if",
    "remains uncertain",
    "remains unclear",
    "unclear",
    "uncertain",
    "suggested",
    "appears to",
    "seems to",
];

const BOOSTERS: &[&str] = &[
    "undoubtedly",
    "obviously",
    "of course",
    "indeed",
    "in fact",
    "no doubt",
    "without doubt",
    "the only",
    "proves",
    "proved",
    "proven",
    "absolutely",
    "completely",
    "entirely",
    "totally",
    "evidently",
    "unquestionably",
    "undeniably",
    "beyond doubt",
];

/// Evaluative words: their presence marks a loaded framing; two or more in one claim of the
/// author's make it an opinion.
const LOADED: &[&str] = &[
    "authoritarian",
    "controversial",
    "regime",
    "tarnished",
    "unilateral",
    "superiority",
    "moral",
    "draconian",
    "brutal",
    "notorious",
    "infamous",
    "disgraceful",
    "shameful",
    "outrageous",
    "reckless",
    "illegitimate",
    "sham",
    "puppet",
    "dictator",
    "dictatorship",
    "strongman",
    "propaganda",
    "heroic",
    "disastrous",
    "catastrophic",
    "devastating",
    "egregious",
    "blatant",
    "ruthless",
    "corrupt",
    "hardline",
    "oppressive",
    "repressive",
    "despotic",
    "tyrannical",
    "scandalous",
    "dubious",
    "questionable",
    "shocking",
    "alarming",
    "staggering",
    "detrimental",
    "absurd",
    "ridiculous",
    "pathetic",
    "hypocritical",
    "hypocrisy",
    "horrific",
    "atrocious",
    "barbaric",
    "cynical",
    "thuggish",
    "extremist",
    "fanatical",
    "bizarre",
    "disgrace",
    "fiasco",
    "debacle",
    "chaotic",
    "remarkable",
    "stunning",
    "brilliant",
    "admirable",
    "courageous",
    "heroes",
    "villain",
    "shameless",
    "appalling",
    "deplorable",
    "crucial",
    "vital",
    "essential",
    "unacceptable",
    "excellent",
    "wonderful",
    "disappointing",
    "encouraging",
    "impressive",
    "dangerous",
    "irresponsible",
    "unfair",
    "unjust",
    "terrible",
];

/// Markers of an opinion in the author's voice.
const OPINION: &[&str] = &[
    "may",
    "might",
    "could",
    "should",
    "must",
    "ought",
    "seems",
    "seem",
    "seemed",
    "appears",
    "indicates",
    "indicate",
    "suggests",
    "signify",
    "signifies",
    "highlights",
    "underscores",
    "potential",
    "potentially",
    "likely",
    "unlikely",
    "probably",
    "perhaps",
    "possibly",
    "arguably",
    "presumably",
    "hopefully",
    "unfortunately",
    "fortunately",
    "needs to",
    "need to",
    "seeks to",
    "aims to",
    "tries to",
    "attempts to",
    "remains to be seen",
    "remains uncertain",
    "remains unclear",
    "it remains to be seen whether",
    "it remains to be seen if",
];

const INTENT: &[&str] = &[
    "willingness",
    "intention",
    "intends to",
    "intend to",
    "intended to",
    "plans to",
    "plan to",
    "planned to",
    "wants to",
    "want to",
    "wanted to",
    "ready to",
    "determined to",
    "desire to",
    "readiness",
];

/// Closed-class words and other single-word lists: words, flags.
const WORDS: &[(&[&str], u32)] = &[
    (&["is", "are", "was", "were", "be", "been", "being", "am"], flag::BE),
    (&["has", "have", "had", "having"], flag::HAVE),
    (&["will", "would", "shall", "should", "can", "could", "may", "might", "must"], flag::MODAL),
    (&["do", "does", "did"], flag::DO),
    (&["not", "never", "n't"], flag::NEG | flag::ADV),
    (
        &[
            "also",
            "recently",
            "previously",
            "repeatedly",
            "later",
            "earlier",
            "again",
            "already",
            "still",
            "then",
            "now",
            "once",
            "publicly",
            "privately",
            "separately",
            "openly",
            "firmly",
            "strongly",
            "reportedly",
            "allegedly",
            "further",
            "often",
            "frequently",
            "quickly",
            "immediately",
            "subsequently",
            "initially",
            "apparently",
            "angrily",
            "bluntly",
            "flatly",
            "explicitly",
            "just",
            "even",
            "always",
            "only",
            "reportedly",
            "reiteratively",
            "falsely",
            "wrongly",
            "rightly",
            "correctly",
            "insistently",
        ],
        flag::ADV,
    ),
    (
        &[
            "to", "of", "with", "for", "by", "from", "about", "on", "in", "at", "against", "among",
            "amid", "between", "into", "over", "under", "after", "before", "during", "without",
            "through", "towards", "toward", "upon", "than", "despite", "across", "behind", "near",
            "via", "within", "beyond", "per", "like",
        ],
        flag::PREP,
    ),
    (&["he", "she", "they"], flag::SUBJ_PRON),
    (&["he", "him", "his", "himself"], flag::MASC),
    (&["she", "her", "hers", "herself"], flag::FEM),
    (&["his", "her", "their", "its"], flag::POSS_PRON),
    (&["who", "which"], flag::REL),
    (&["that"], flag::THAT),
    (
        &["the", "a", "an", "this", "these", "those", "its", "every", "each", "any", "another"],
        flag::DET,
    ),
    (
        &[
            "although", "though", "while", "whereas", "because", "if", "when", "unless", "since",
            "after", "before", "once",
        ],
        flag::SUBCONJ,
    ),
    (
        &[
            "moreover",
            "however",
            "furthermore",
            "meanwhile",
            "additionally",
            "nevertheless",
            "nonetheless",
            "therefore",
            "thus",
            "hence",
            "finally",
            "overall",
            "indeed",
            "consequently",
            "besides",
            "instead",
            "still",
            "yet",
            "also",
            "similarly",
            "likewise",
            "separately",
            "earlier",
            "later",
            "now",
            "then",
            "first",
            "second",
            "third",
            "lastly",
        ],
        flag::DISC,
    ),
    (
        &[
            "minister",
            "president",
            "chancellor",
            "premier",
            "leader",
            "secretary",
            "governor",
            "mayor",
            "senator",
            "ambassador",
            "general",
            "commander",
            "chief",
            "king",
            "queen",
            "prince",
            "pope",
            "chairman",
            "chairwoman",
            "chair",
            "director",
            "ceo",
            "envoy",
            "representative",
            "coach",
            "negotiator",
            "congressman",
            "congresswoman",
            "prosecutor",
            "judge",
            "head",
            "spokesman",
            "spokeswoman",
            "spokesperson",
            "official",
            "diplomat",
            "lawmaker",
        ],
        flag::TITLE,
    ),
    (
        &[
            "officials",
            "official",
            "spokesman",
            "spokeswoman",
            "spokesperson",
            "analysts",
            "analyst",
            "experts",
            "expert",
            "critics",
            "critic",
            "sources",
            "witnesses",
            "witness",
            "residents",
            "police",
            "observers",
            "diplomats",
            "diplomat",
            "activists",
            "lawmakers",
            "lawyers",
            "lawyer",
            "authorities",
            "ministry",
            "government",
            "prosecutors",
            "investigators",
            "researchers",
            "authors",
            "scientists",
            "doctors",
            "campaigners",
            "protesters",
            "organisers",
            "organizers",
            "opponents",
            "supporters",
            "economists",
            "commentators",
            "aides",
            "aide",
            "people",
            "officers",
            "military",
            "army",
            "company",
            "statement",
            "report",
            "reports",
        ],
        flag::NOMINAL,
    ),
    (
        &[
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "yesterday",
            "today",
            "tonight",
            "night",
            "morning",
            "evening",
            "afternoon",
            "week",
            "weekend",
            "month",
            "year",
            "last",
            "late",
            "early",
            "earlier",
            "later",
            "recently",
            "previously",
        ],
        flag::TIME,
    ),
    (
        &[
            "including",
            "according",
            "following",
            "regarding",
            "concerning",
            "during",
            "notwithstanding",
            "pending",
            "nothing",
            "something",
            "anything",
            "everything",
            "morning",
            "evening",
            "during",
            "thing",
            "king",
            "bring",
            "ring",
            "spring",
            "string",
            "sing",
            "wing",
            "building",
            "meeting",
            "beijing",
            "being",
        ],
        flag::ING_STOP,
    ),
    (
        &[
            "call", "calls", "appeal", "appeals", "pledge", "pledges", "promise", "promises",
            "plea", "pleas",
        ],
        flag::SPEECH_NOUN,
    ),
    (&["and", "or"], flag::AND),
    (&["according"], flag::ACCORDING),
    (&["i", "we", "my", "our"], flag::FIRST_PERSON),
];

/// What a word is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub(crate) flags: u32,
    /// Index into [`Lexicon::cues`], or `u16::MAX`.
    pub(crate) cue: u16,
    /// Index into the phrase lists, or `u16::MAX`.
    pub(crate) phrase: u16,
    pub(crate) form: Form,
}

impl Entry {
    pub(crate) const EMPTY: Entry =
        Entry { flags: 0, cue: u16::MAX, phrase: u16::MAX, form: Form::None };
}

/// A multi-word cue: its words after the first, and the flags the whole phrase gets.
#[derive(Clone, Debug)]
pub(crate) struct Phrase {
    pub(crate) rest: Vec<Box<str>>,
    pub(crate) flags: u32,
}

/// FxHash (as in rustc): short keys hash in a few multiplications.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The whole table, built once when the plugin starts.
pub(crate) struct Lexicon {
    words: FxMap<Box<[u8]>, Entry>,
    /// The longest single word in the table: longer words are not looked up.
    longest: usize,
    /// Per first word ([`Entry::phrase`]): the phrases starting with it, longest first.
    phrases: Vec<Vec<Phrase>>,
    pub(crate) cues: Vec<Cue>,
    /// First name -> true for male, false for female.
    sex: FxMap<Box<str>, bool>,
}

const NAMES_TSV: &str = include_str!("../data/first_names.tsv");

impl Lexicon {
    pub(crate) fn load() -> Lexicon {
        let mut lex = Lexicon {
            words: FxMap::default(),
            longest: 0,
            phrases: Vec::new(),
            cues: Vec::new(),
            sex: FxMap::default(),
        };
        for (words, flags) in WORDS {
            for word in *words {
                lex.add(word, *flags);
            }
        }
        for (lemma, class, extra) in CUES {
            let idx = lex.cues.len() as u16;
            lex.cues.push(Cue { lemma, class });
            let mut forms: Vec<(String, Form)> = regular_forms(lemma);
            for form in *extra {
                let kind = if form.ends_with("ing") {
                    Form::Ing
                } else if form.ends_with('s') && !form.ends_with("ss") {
                    Form::S
                } else if *form == *lemma || form.ends_with("ise") {
                    Form::Base
                } else {
                    Form::Past
                };
                forms.push(((*form).to_owned(), kind));
            }
            // "state" is a noun far more often than a verb: only its inflected forms are cues.
            forms.retain(|(_, kind)| *lemma != "state" || *kind != Form::Base);
            for (form, kind) in forms {
                let entry =
                    lex.words.entry(form.into_bytes().into_boxed_slice()).or_insert(Entry::EMPTY);
                if entry.cue == u16::MAX {
                    entry.cue = idx;
                    entry.form = kind;
                }
            }
        }
        for line in HEDGES_TXT.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if NOT_HEDGES.contains(&line) {
                continue;
            }
            let f = if LIST_BOOSTERS.contains(&line) { flag::BOOSTER } else { flag::HEDGE };
            lex.add(line, f);
        }
        for (list, f) in [
            (OWN_HEDGES, flag::HEDGE),
            (BOOSTERS, flag::BOOSTER),
            (LOADED, flag::LOADED),
            (OPINION, flag::OPINION),
            (INTENT, flag::INTENT),
        ] {
            for word in list {
                lex.add(word, f);
            }
        }
        for line in NAMES_TSV.lines().filter(|l| !l.starts_with('#')) {
            if let Some((name, sex)) = line.split_once('\t') {
                lex.sex.insert(name.to_ascii_lowercase().into_boxed_str(), sex.trim() == "M");
            }
        }
        lex.longest = lex.words.keys().map(|k| k.len()).max().unwrap_or(0);
        for list in &mut lex.phrases {
            list.sort_by_key(|p| std::cmp::Reverse(p.rest.len()));
        }
        lex
    }

    /// Adds a word or a phrase with flags.
    fn add(&mut self, entry: &str, flags: u32) {
        let mut words = entry.split(' ');
        let first = words.next().unwrap_or_default();
        let rest: Vec<Box<str>> = words.map(Box::from).collect();
        if rest.is_empty() {
            self.words.entry(first.as_bytes().into()).or_insert(Entry::EMPTY).flags |= flags;
            return;
        }
        let next = self.phrases.len() as u16;
        let entry = self.words.entry(first.as_bytes().into()).or_insert(Entry::EMPTY);
        entry.flags |= flag::PHRASE;
        if entry.phrase == u16::MAX {
            entry.phrase = next;
            self.phrases.push(Vec::new());
        }
        let list = &mut self.phrases[entry.phrase as usize];
        match list.iter_mut().find(|p| p.rest == rest) {
            Some(phrase) => phrase.flags |= flags,
            None => list.push(Phrase { rest, flags }),
        }
    }

    /// The entry of a lower-case word.
    pub(crate) fn get(&self, lower: &[u8]) -> Entry {
        if lower.len() > self.longest {
            return Entry::EMPTY;
        }
        self.words.get(lower).copied().unwrap_or(Entry::EMPTY)
    }

    /// The phrases of a first word's [`Entry::phrase`], longest first.
    pub(crate) fn phrases(&self, idx: u16) -> &[Phrase] {
        self.phrases.get(idx as usize).map_or(&[], Vec::as_slice)
    }

    /// The sex of a first name, when the name list knows it (true: male).
    pub(crate) fn sex(&self, first_name: &str) -> Option<bool> {
        if first_name.len() > 24 {
            return None;
        }
        self.sex.get(first_name.to_ascii_lowercase().as_str()).copied()
    }
}

/// The regular forms of a verb: base, -s, -ed, -ing.
fn regular_forms(lemma: &str) -> Vec<(String, Form)> {
    let consonant_y =
        lemma.ends_with('y') && !lemma[..lemma.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    let stem = &lemma[..lemma.len() - 1];
    let s = if ["s", "sh", "ch", "x", "z", "o"].iter().any(|e| lemma.ends_with(e)) {
        format!("{lemma}es")
    } else if consonant_y {
        format!("{stem}ies")
    } else {
        format!("{lemma}s")
    };
    let ed = if lemma.ends_with('e') {
        format!("{lemma}d")
    } else if consonant_y {
        format!("{stem}ied")
    } else {
        format!("{lemma}ed")
    };
    let ing = if lemma.ends_with('e') && !lemma.ends_with("ee") {
        format!("{stem}ing")
    } else {
        format!("{lemma}ing")
    };
    vec![(lemma.to_owned(), Form::Base), (s, Form::S), (ed, Form::Past), (ing, Form::Ing)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_and_irregular_forms_of_reporting_verbs() {
        let lex = Lexicon::load();
        let cue = |w: &str| {
            let e = lex.get(w.as_bytes());
            (e.cue != u16::MAX).then(|| (lex.cues[e.cue as usize].lemma, e.form))
        };
        assert_eq!(cue("said"), Some(("say", Form::Past)));
        assert_eq!(cue("denies"), Some(("deny", Form::S)));
        assert_eq!(cue("denied"), Some(("deny", Form::Past)));
        assert_eq!(cue("emphasizing"), Some(("emphasize", Form::Ing)));
        assert_eq!(cue("believes"), Some(("believe", Form::S)));
        assert_eq!(cue("signalling"), Some(("signal", Form::Ing)));
        assert_eq!(cue("told"), Some(("tell", Form::Past)));
        assert_eq!(cue("table"), None);
    }

    #[test]
    fn the_hedge_list_drops_common_words_and_reads_certainty_as_boosting() {
        let lex = Lexicon::load();
        assert!(lex.get(b"alleged").flags & flag::HEDGE != 0);
        assert!(lex.get(b"about").flags & flag::HEDGE == 0);
        assert!(lex.get(b"clearly").flags & flag::BOOSTER != 0);
        assert!(lex.get(b"clearly").flags & flag::HEDGE == 0);
        assert_eq!(lex.sex("Viktor"), Some(true));
        assert_eq!(lex.sex("Ursula"), Some(false));
    }
}

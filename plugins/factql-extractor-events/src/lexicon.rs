//! The trigger lexicon: this crate's own triggers (`data/triggers.tsv`), the verb forms of
//! PETRARCH's CAMEO dictionary (`data/cameo_verbs.tsv`), the group nominals, and the CAMEO
//! code tables (root, PLOVER category, type), compiled into one Aho-Corasick automaton.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

const TRIGGERS: &str = include_str!("../data/triggers.tsv");
const CAMEO_VERBS: &str = include_str!("../data/cameo_verbs.tsv");
const CAMEO_CODES: &str = include_str!("../data/cameo_codes.tsv");

/// Where a trigger's target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pos {
    /// A verb.
    Verb,
    /// A noun.
    Noun,
    /// Either, decided by the words around it.
    Either,
}

/// One trigger class: the forms of a line of `triggers.tsv`, or a dictionary verb form.
#[derive(Debug)]
pub(crate) struct Trigger {
    /// The event type (the edge label).
    pub ty: &'static str,
    /// The CAMEO code.
    pub cameo: &'static str,
    /// Verb, noun or either.
    pub pos: Pos,
    /// The direct object may be the target.
    pub object: bool,
    /// Prepositions that introduce the target.
    pub preps: Vec<&'static str>,
    /// Participants without a direction (meet, talks, agree).
    pub symmetric: bool,
    /// The object names what is asked for (call for, demand): it refines the code.
    pub appeal: bool,
    /// No event without a named target.
    pub need_target: bool,
    /// The target only after a preposition.
    pub pp_only: bool,
    /// From PETRARCH's dictionary, not this crate's list: needs actor and target.
    pub dictionary: bool,
}

/// A nominal naming a group: "European countries", "Western democracies".
#[derive(Debug)]
pub(crate) struct Group {
    /// The entity id (`local:group:...`), or `None` to take the entity of a mention inside
    /// ("EU member states" is the EU).
    pub id: Option<&'static str>,
    /// Its canonical name.
    pub name: &'static str,
}

/// Group nominals: (phrase, id, canonical name). The West keeps the id the entities
/// extractor gives it, so both name one entity.
const GROUPS: &[(&str, Option<&str>, &str)] = &[
    ("european countries", Some("local:group:european countries"), "European countries"),
    ("european nations", Some("local:group:european countries"), "European countries"),
    ("european states", Some("local:group:european countries"), "European countries"),
    ("european governments", Some("local:group:european countries"), "European countries"),
    ("western democracies", Some("local:group:the west"), "the West"),
    ("western countries", Some("local:group:the west"), "the West"),
    ("western nations", Some("local:group:the west"), "the West"),
    ("western powers", Some("local:group:the west"), "the West"),
    ("western governments", Some("local:group:the west"), "the West"),
    ("western allies", Some("local:group:the west"), "the West"),
    (
        "the international community",
        Some("local:group:international community"),
        "the international community",
    ),
    ("arab states", Some("local:group:arab states"), "Arab states"),
    ("arab countries", Some("local:group:arab states"), "Arab states"),
    ("gulf states", Some("local:group:gulf states"), "Gulf states"),
    ("eu member states", None, ""),
    ("eu member nations", None, ""),
    ("eu member countries", None, ""),
    ("eu members", None, ""),
    ("eu countries", None, ""),
    ("nato allies", None, ""),
    ("nato members", None, ""),
];

/// What a pattern of the automaton stands for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Entry {
    /// A trigger, by index into [`Lexicon::triggers`].
    Trigger(usize),
    /// A group nominal, by index into [`Lexicon::groups`].
    Group(usize),
}

/// A CAMEO code's name, quad class and Goldstein value.
#[derive(Debug)]
pub(crate) struct Code {
    pub code: &'static str,
}

/// Everything the extractor looks up.
pub(crate) struct Lexicon {
    pub triggers: Vec<Trigger>,
    pub groups: Vec<Group>,
    pub entries: Vec<Entry>,
    /// Anchored, leftmost-longest: the longest pattern starting where a walk starts
    /// ([`Lexicon::longest_at`]).
    automaton: DFA,
    /// The two-byte prefixes (ASCII lower case) the patterns start with, one bit each: a word
    /// whose first two bytes are not among them starts no pattern. Every pattern starts with
    /// an ASCII letter, so only words that do are looked at.
    pub prefixes: Box<[u64; 1024]>,
    pub codes: Vec<Code>,
}

/// The bit of a two-byte prefix in [`Lexicon::prefixes`] (`second` is 0 past the text's end).
pub(crate) fn prefix_bit(first: u8, second: u8) -> usize {
    usize::from(first.to_ascii_lowercase()) << 8 | usize::from(second.to_ascii_lowercase())
}

impl Lexicon {
    /// Parses the tables compiled into the crate and builds the automaton.
    pub(crate) fn load() -> Result<Lexicon, String> {
        let mut triggers = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (n, line) in data_lines(TRIGGERS) {
            let cols: Vec<&'static str> = line.split('\t').collect();
            let [forms, pos, ty, cameo, frame, flags] = cols[..] else {
                return Err(format!("triggers.tsv line {n}: 6 columns expected"));
            };
            let pos = match pos {
                "v" => Pos::Verb,
                "n" => Pos::Noun,
                "vn" => Pos::Either,
                other => return Err(format!("triggers.tsv line {n}: pos `{other}`")),
            };
            let frame: Vec<&'static str> = frame.split(',').filter(|p| !p.is_empty()).collect();
            let flags: Vec<&str> = flags.split(',').collect();
            let idx = triggers.len();
            triggers.push(Trigger {
                ty,
                cameo,
                pos,
                object: frame.contains(&"obj"),
                preps: frame.into_iter().filter(|p| *p != "obj").collect(),
                symmetric: flags.contains(&"sym"),
                appeal: flags.contains(&"appeal"),
                need_target: flags.contains(&"needtarget"),
                pp_only: flags.contains(&"pponly"),
                dictionary: false,
            });
            for form in forms.split('|') {
                if seen.insert(form.to_owned()) {
                    patterns.push(form.to_owned());
                    entries.push(Entry::Trigger(idx));
                }
            }
        }
        for (n, line) in data_lines(CAMEO_VERBS) {
            let cols: Vec<&'static str> = line.split('\t').collect();
            let [form, cameo, _block] = cols[..] else {
                return Err(format!("cameo_verbs.tsv line {n}: 3 columns expected"));
            };
            // Statements (root 01) are left to the quotes and claims extractors; a form
            // starting with one of this crate's triggers ("meeting with") stays that trigger.
            let first = form.split(' ').next().unwrap_or(form);
            if cameo.starts_with("01")
                || (first.len() < form.len() && seen.contains(first))
                || !seen.insert(form.to_owned())
            {
                continue;
            }
            let idx = triggers.len();
            triggers.push(Trigger {
                ty: type_of_code(cameo, &triggers),
                cameo,
                pos: Pos::Verb,
                object: true,
                preps: vec!["with", "to", "against", "on"],
                symmetric: cameo.starts_with("04"),
                appeal: false,
                need_target: true,
                pp_only: false,
                dictionary: true,
            });
            patterns.push(form.to_owned());
            entries.push(Entry::Trigger(idx));
        }
        let mut groups = Vec::new();
        for (phrase, id, name) in GROUPS {
            groups.push(Group { id: *id, name });
            patterns.push((*phrase).to_owned());
            entries.push(Entry::Group(groups.len() - 1));
        }
        let mut prefixes = Box::new([0u64; 1024]);
        for pattern in &patterns {
            let bytes = pattern.as_bytes();
            let mut set = |second: u8| {
                let bit = prefix_bit(bytes[0], second);
                prefixes[bit / 64] |= 1 << (bit % 64);
            };
            if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
                return Err(format!("trigger automaton: `{pattern}` does not start with a letter"));
            }
            match bytes.len() {
                // A one-byte pattern: any second byte.
                0 | 1 => (0..=255).for_each(&mut set),
                _ => set(bytes[1]),
            }
        }
        let automaton = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // Walked only anchored at word starts: the transitions of the pattern trie alone
            // (no unanchored failure transitions), small enough to stay in cache.
            .start_kind(StartKind::Anchored)
            .prefilter(false)
            .build(&patterns)
            .map_err(|err| format!("trigger automaton: {err}"))?;
        let mut codes = Vec::new();
        for (_, line) in data_lines(CAMEO_CODES) {
            if let Some(code) = line.split('\t').next() {
                codes.push(Code { code });
            }
        }
        codes.sort_by(|a, b| a.code.cmp(b.code));
        Ok(Lexicon { triggers, groups, entries, automaton, prefixes, codes })
    }

    /// The longest pattern that starts at `at` (ASCII case-insensitive): its end and its
    /// entry. The automaton's walk from its anchored start state, as its own anchored search
    /// does, without the search's set-up per call.
    pub(crate) fn longest_at(&self, bytes: &[u8], at: usize) -> Option<(usize, Entry)> {
        let dfa = &self.automaton;
        let mut sid = dfa.start_state(Anchored::Yes).ok()?;
        let mut best = None;
        for (end, &byte) in bytes.iter().enumerate().skip(at) {
            sid = dfa.next_state(Anchored::Yes, sid, byte);
            if !dfa.is_special(sid) {
                continue;
            }
            if dfa.is_dead(sid) {
                break;
            }
            if dfa.is_match(sid) {
                let pattern = dfa.match_pattern(sid, 0);
                // A match state may also hold a pattern reached by a failure transition,
                // which starts later: the anchored search skips those too.
                if end + 1 - dfa.pattern_len(pattern) == at {
                    best = Some((end + 1, self.entries[pattern.as_usize()]));
                }
            }
        }
        best
    }

    /// Whether `code` is a CAMEO code of the table.
    pub(crate) fn known_code(&self, code: &str) -> bool {
        self.codes.binary_search_by(|c| c.code.cmp(code)).is_ok()
    }
}

/// Lines of a TSV compiled into the crate, without comments and the header, numbered from 1.
fn data_lines(tsv: &'static str) -> impl Iterator<Item = (usize, &'static str)> {
    tsv.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .skip(1)
        .map(|(n, line)| (n + 1, line))
}

/// The type of a dictionary verb: the type of this crate's trigger with the same code, else
/// the type of its 3-digit base code, else the type of its root.
fn type_of_code(code: &str, own: &[Trigger]) -> &'static str {
    if let Some(t) = own.iter().find(|t| t.cameo == code) {
        return t.ty;
    }
    if let Some(t) = own.iter().find(|t| code.len() > 3 && t.cameo == &code[..3]) {
        return t.ty;
    }
    root_type(&code[..2])
}

/// The type of a CAMEO root, for verbs no finer type covers.
pub(crate) fn root_type(root: &str) -> &'static str {
    match root {
        "02" => "call_for",
        "03" => "intend",
        "04" => "consult",
        "05" => "cooperate",
        "06" => "cooperate",
        "07" => "aid",
        "08" => "yield",
        "09" => "investigate",
        "10" => "demand",
        "11" => "criticize",
        "12" => "reject",
        "13" => "threaten",
        "14" => "protest",
        "15" => "mobilize",
        "16" => "reduce_relations",
        "17" => "coerce",
        "18" => "assault",
        "19" => "fight",
        "20" => "mass_violence",
        _ => "statement",
    }
}

/// The PLOVER category of a CAMEO code (this crate's own mapping, by root and a few finer
/// codes; PLOVER's own CAMEO table is CC BY-SA and not used).
pub(crate) fn plover(code: &str) -> &'static str {
    let three = code.get(..3).unwrap_or(code);
    match three {
        // Offers, promises and other expressions of intent to cooperate are agreements in
        // PLOVER ("agree to, offer, promise ... willingness or commitment to cooperate").
        "030" | "031" | "032" | "033" | "034" | "035" | "036" | "037" | "038" | "039" | "057" => {
            "AGREE"
        }
        "050" | "060" | "061" | "062" | "063" | "064" => "COOPERATE",
        "070" | "071" | "072" | "073" | "074" | "075" => "AID",
        "055" | "056" | "080" | "081" | "082" | "083" | "084" | "085" | "086" => "CONCEDE",
        "040" | "041" | "042" | "043" | "044" | "045" | "046" => "CONSULT",
        "051" | "052" | "053" | "054" => "SUPPORT",
        "087" => "RETREAT",
        _ => match &code[..2] {
            "02" | "10" => "DEMAND",
            "09" => "INVESTIGATE",
            "11" => "DISAPPROVE",
            "12" => "REJECT",
            "13" => "THREATEN",
            "14" => "PROTEST",
            "15" => "MOBILIZE",
            "16" => "SANCTION",
            "17" => "COERCE",
            "18" | "20" => "ASSAULT",
            "19" => "FIGHT",
            _ => "",
        },
    }
}

/// What an appeal or demand asks for, refining its code: (object word, last digits of the
/// code under root 02, under root 10).
pub(crate) const APPEAL_OBJECTS: &[(&str, &str, &str)] = &[
    ("negotiations", "6", "6"),
    ("negotiation", "6", "6"),
    ("talks", "6", "6"),
    ("dialogue", "6", "6"),
    ("dialog", "6", "6"),
    ("meeting", "6", "6"),
    ("ceasefire", "56", "56"),
    ("cease-fire", "56", "56"),
    ("truce", "56", "56"),
    ("de-escalation", "56", "56"),
    ("peace", "7", "7"),
    ("settlement", "7", "7"),
    ("mediation", "8", "8"),
    ("aid", "3", "3"),
    ("assistance", "3", "3"),
    ("help", "3", "3"),
    ("release", "53", "53"),
    ("reform", "4", "4"),
    ("reforms", "4", "4"),
    ("resignation", "41", "41"),
    ("normalization", "2", "2"),
    ("normalisation", "2", "2"),
    ("cooperation", "1", "1"),
    ("withdrawal", "56", "56"),
    ("apology", "", ""),
];

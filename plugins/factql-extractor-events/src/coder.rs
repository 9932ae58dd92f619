//! The event coder: triggers found by the automaton, a shallow parse around each for its
//! actor, target, place, modality and date.

use crate::lexicon::{APPEAL_OBJECTS, Entry, Lexicon, Pos, Trigger, prefix_bit};
use crate::words::{
    DETERMINERS, boundary_after, boundary_before, capitalised, char_after, char_before, ends_np,
    is, is_preposition, possessive_before, skip_possessive, word_after, word_before,
};

/// An entity mention the coder can use: the entity extractors' or a group nominal of this crate.
#[derive(Clone, Copy, Debug)]
pub struct Ment<'e> {
    /// Byte range.
    pub start: usize,
    /// Byte range end.
    pub end: usize,
    /// The entity id.
    pub entity: &'e str,
    /// A person (for pronouns).
    pub person: bool,
    /// A place (for the event's place).
    pub place: bool,
    /// A demonym or adjective ("Hungarian", "Western"): never a noun phrase's head when a
    /// name follows.
    pub demonym: bool,
    /// For a group nominal of this crate: the canonical name to give its entity.
    pub group_name: Option<&'static str>,
}

/// A time expression of the dates extractor.
#[derive(Clone, Debug)]
pub struct DateRef {
    /// Byte range.
    pub start: usize,
    /// Byte range end.
    pub end: usize,
    /// Its partial ISO value (`2022`, `2022-03-15`).
    pub value: String,
}

/// One coded event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The trigger's byte range.
    pub trigger: (usize, usize),
    /// The evidence: trigger and participants.
    pub span: (usize, usize),
    /// The event type.
    pub ty: &'static str,
    /// The CAMEO code.
    pub cameo: String,
    /// Actor mentions (indexes into the mentions `Events::code` returns).
    pub actors: Vec<usize>,
    /// Target mentions.
    pub targets: Vec<usize>,
    /// Where it happened.
    pub place: Option<usize>,
    /// asserted, reported, belief, intent, negated, future, historical.
    pub modality: &'static str,
    /// The date the text gives.
    pub date: Option<String>,
    /// Confidence.
    pub confidence: f32,
}

const EXPERIENCER: &[&str] = &[
    "face",
    "faces",
    "faced",
    "facing",
    "suffer",
    "suffers",
    "suffered",
    "suffering",
    "endure",
    "endured",
    "under",
];
const NEGATION: &[&str] = &["not", "never", "no", "without"];
const REFUSAL: &[&str] =
    &["refused", "refuses", "refuse", "declined", "declines", "failed", "fails"];
const FUTURE: &[&str] = &["will", "shall", "ll"];
const INTENT: &[&str] = &[
    "seek",
    "seeks",
    "seeking",
    "sought",
    "want",
    "wants",
    "wanted",
    "plan",
    "plans",
    "planned",
    "planning",
    "intend",
    "intends",
    "intended",
    "aim",
    "aims",
    "aiming",
    "hope",
    "hopes",
    "hoping",
    "willing",
    "willingness",
    "desire",
    "desires",
    "effort",
    "efforts",
    "attempt",
    "attempts",
    "attempting",
    "try",
    "tries",
    "tried",
    "trying",
    "ready",
    "prepared",
    "offer",
    "offers",
    "offered",
    "vow",
    "vows",
    "vowed",
    "pledge",
    "pledged",
    "pledges",
    "promise",
    "promised",
    "promises",
    "determined",
    "wish",
    "wishes",
    "eager",
    "keen",
    "intention",
];
const BELIEF: &[&str] = &[
    "believe",
    "believes",
    "believed",
    "think",
    "thinks",
    "thought",
    "feel",
    "feels",
    "felt",
    "convinced",
    "suspect",
    "suspects",
    "suspected",
    "assume",
    "assumes",
];
const REPORT: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "reported",
    "reports",
    "according",
    "stated",
    "states",
    "claimed",
    "claims",
    "announced",
    "announces",
    "added",
    "noted",
    "alleged",
    "allegedly",
    "reportedly",
    "quoted",
    "cited",
    "confirmed",
    "insisted",
];
const BE: &[&str] = &["is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"];
const PARTICIPLES: &[&str] = &["met", "fought", "freed", "held", "sought", "struck", "shot", "hit"];
/// Verbal acts: an agentless passive of one is hearsay ("was criticized as rigged").
const VERBAL: &[&str] =
    &["criticize", "accuse", "praise", "threaten", "demand", "call_for", "reject", "protest"];

/// The coder over one article.
pub struct Coder<'a> {
    text: &'a str,
    lexicon: &'a Lexicon,
    /// Mentions sorted by start, then longest first.
    ments: Vec<Ment<'a>>,
    dates: Vec<DateRef>,
    published: Option<(i32, u32, u32)>,
    /// Where mentions end, sorted.
    ends: Vec<usize>,
}

impl<'a> Coder<'a> {
    /// A coder over `text` with the entity mentions (any order) and dates found in it.
    pub(crate) fn new(
        text: &'a str,
        lexicon: &'a Lexicon,
        mut ments: Vec<Ment<'a>>,
        dates: Vec<DateRef>,
        published: Option<&str>,
    ) -> Coder<'a> {
        // Group nominals of this crate, from the automaton, are added by `code`.
        ments.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        Coder {
            text,
            lexicon,
            ments,
            dates,
            published: published.and_then(parse_date),
            ends: Vec::new(),
        }
    }

    /// The mentions (entity extractors' and this crate's group nominals).
    pub fn mentions(&self) -> &[Ment<'a>] {
        &self.ments
    }

    /// Codes every sentence (byte ranges, in order).
    pub(crate) fn code(&mut self, sentences: &[(usize, usize)]) -> Vec<Event> {
        // One pass over the text: at each word start whose first two bytes begin some
        // pattern, the longest pattern there (anchored automaton); a match that ends on a
        // word boundary is a trigger or a group nominal turned into a mention, and any match
        // is skipped over, as a leftmost-longest scan does.
        let mut hits = Vec::new();
        let mut groups = Vec::new();
        let (text, bytes) = (self.text, self.text.as_bytes());
        let prefixes = &self.lexicon.prefixes;
        let mut at = 0;
        while at < bytes.len() {
            // Every pattern starts with an ASCII letter (checked when the lexicon loads).
            if !bytes[at].is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let bit = prefix_bit(bytes[at], bytes.get(at + 1).copied().unwrap_or(0));
            let starts = at == 0
                || (!bytes[at - 1].is_ascii_alphanumeric()
                    && (bytes[at - 1] < 0x80 || boundary_before(text, at)));
            let found = if starts && prefixes[bit / 64] >> (bit % 64) & 1 == 1 {
                self.lexicon.longest_at(bytes, at)
            } else {
                None
            };
            let Some((end, entry)) = found else {
                // No word starts inside a run of ASCII letters and digits.
                at += 1;
                while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
                    at += 1;
                }
                continue;
            };
            let start = at;
            at = end;
            if !boundary_after(text, end) {
                continue;
            }
            match entry {
                Entry::Trigger(idx) => hits.push((start, end, idx)),
                Entry::Group(idx) => groups.push((start, end, idx)),
            }
        }
        if !groups.is_empty() {
            for (start, end, idx) in groups {
                let group = &self.lexicon.groups[idx];
                let (entity, name) = match group.id {
                    Some(id) => (id, Some(group.name)),
                    None => match self.ments.iter().find(|m| m.start >= start && m.end <= end) {
                        Some(inner) => (inner.entity, None),
                        None => continue,
                    },
                };
                // "the West": the entities extractor's own mention of "West" is inside.
                let start = if self.text[start..end].to_ascii_lowercase().starts_with("the ") {
                    start + 4
                } else {
                    start
                };
                self.ments.push(Ment {
                    start,
                    end,
                    entity,
                    person: false,
                    place: false,
                    demonym: false,
                    group_name: name,
                });
            }
            self.ments.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        }
        self.ends = self.ments.iter().map(|m| m.end).collect();
        self.ends.sort_unstable();
        let mut events: Vec<Event> = Vec::new();
        let mut next_hit = 0;
        for &(s_start, s_end) in sentences {
            while next_hit < hits.len() && hits[next_hit].0 < s_start {
                next_hit += 1;
            }
            let mut consumed = 0;
            while next_hit < hits.len() && hits[next_hit].1 <= s_end {
                let (start, end, idx) = hits[next_hit];
                next_hit += 1;
                if start < consumed {
                    continue;
                }
                let trigger = &self.lexicon.triggers[idx];
                if let Some(event) =
                    self.event(trigger, (start, end), (s_start, s_end), &events, &mut consumed)
                {
                    let duplicate =
                        events.iter().rev().take_while(|e| e.trigger.0 >= s_start).any(|e| {
                            e.ty == event.ty
                                && e.actors == event.actors
                                && e.targets == event.targets
                        });
                    if !duplicate {
                        events.push(event);
                    }
                }
            }
        }
        events
    }

    /// Codes one trigger.
    fn event(
        &self,
        trigger: &Trigger,
        (start, end): (usize, usize),
        (s_start, s_end): (usize, usize),
        earlier: &[Event],
        consumed: &mut usize,
    ) -> Option<Event> {
        let text = self.text;
        if trigger.dictionary {
            // Cheap tests first (most hits are dictionary verbs): a verb in lower case with a
            // mention ending a few words before it.
            let lo = start.saturating_sub(32).max(s_start);
            let i = self.ends.partition_point(|&e| e < lo);
            let near = i < self.ends.len() && self.ends[i] <= start;
            if !(text.as_bytes()[start].is_ascii_lowercase() && near) {
                return None;
            }
        }
        let before = word_before(text, start, s_start).map(|(a, b)| &text[a..b]);
        let after = word_after(text, end, s_end).map(|(a, b)| &text[a..b]);
        let after_mention = char_after(text, end, s_end).and_then(|(at, _)| self.mention_at(at));
        let noun_before = before.is_some_and(|w| is(w, DETERMINERS))
            || possessive_before(text, text[..start].trim_end().len()).is_some()
            || self.mention_ending_at(text[..start].trim_end().len()).is_some();
        let verb_before = before.is_some_and(|w| {
            is(w, BE) || is(w, FUTURE) || is(w, &["has", "have", "had", "to", "did", "does", "do"])
        });
        let noun = match trigger.pos {
            Pos::Noun => true,
            Pos::Verb => false,
            Pos::Either => {
                if verb_before {
                    false
                } else if after_mention.is_some()
                    || after.is_some_and(|w| is(w, &["the", "a", "an"]))
                {
                    noun_before && after.is_some_and(is_preposition)
                } else {
                    noun_before || after.is_some_and(is_preposition) || after.is_none()
                }
            }
        };
        if trigger.dictionary && (noun_before || !self.mention_within(start, s_start, 3)) {
            // A dictionary verb is a verb with its subject right before it.
            return None;
        }
        let mut cameo = trigger.cameo.to_owned();
        if trigger.appeal {
            *consumed = self.appeal_object(end, s_end, &mut cameo);
        }
        let passive = !noun
            && before.is_some_and(|w| is(w, BE))
            && (text[start..end].ends_with("ed") || is(&text[start..end], PARTICIPLES));
        let mut actors;
        let mut targets = Vec::new();
        if noun {
            // "a threat to X" after "as": a characterisation, not an event.
            if before.is_some_and(|w| is(w, &["a", "an"]))
                && word_before(text, text[..start].trim_end().len() - 1, s_start)
                    .is_some_and(|(a, b)| is(&text[a..b], &["as"]))
            {
                return None;
            }
            actors = self.premodifier(start, s_start);
            let floor = self.clause_floor(start, s_start);
            if let Some(verb) = self.word_in(floor, start, EXPERIENCER) {
                // "Belarus has faced ... sanctions": the subject undergoes the event.
                targets = self.subject(verb, s_start);
            } else if actors.is_empty() {
                actors = self.subject(start, s_start);
                if actors.is_empty() {
                    actors = self.adverbial_subject(start, s_start, s_end);
                }
            }
            if targets.is_empty() {
                targets = self.pp_target(&trigger.preps, end, s_end, true);
            }
            if (actors.is_empty() || targets.is_empty())
                && before.is_some_and(|w| is(w, &["the", "this", "that"]))
            {
                // "the invitation": the invitation the article spoke of before.
                if let Some(prev) = earlier.iter().rev().find(|e| e.ty == trigger.ty) {
                    if actors.is_empty() {
                        actors.clone_from(&prev.actors);
                    }
                    if targets.is_empty() {
                        targets.clone_from(&prev.targets);
                    }
                }
            }
        } else if passive {
            targets = self.subject(start, s_start);
            actors = self.by_agent(end, s_end);
        } else {
            actors = self.subject(start, s_start);
            if actors.is_empty() {
                actors = self.adverbial_subject(start, s_start, s_end);
            }
            if trigger.object && !trigger.pp_only && !after.is_some_and(is_preposition) {
                targets = self.np_after(end, s_end).0;
            }
            if targets.is_empty() {
                targets = self.pp_target(&trigger.preps, end, s_end, false);
            }
        }
        if trigger.appeal && targets.is_empty() {
            // "called for a normalization of relations with the EU": the other party of
            // what is asked for; for talks or peace, the parties of the conflict named.
            targets = self.pp_target(&["with", "to", "against", "on"], *consumed, s_end, true);
            if targets.is_empty() && matches!(&cameo[cameo.len() - 1..], "6" | "7") {
                targets = self.conflict_parties(s_start, s_end);
            }
        }
        if trigger.dictionary
            && !actors.iter().any(|&a| self.words_between(self.ments[a].end, start) <= 3)
        {
            // A dictionary verb needs its subject right before it (auxiliaries at most).
            return None;
        }
        targets.retain(|t| !actors.iter().any(|a| self.ments[*a].entity == self.ments[*t].entity));
        let participants = actors.len() + targets.len();
        if participants == 0
            || (trigger.symmetric && participants < 2)
            || ((trigger.need_target || trigger.dictionary) && targets.is_empty())
            || (trigger.dictionary && actors.is_empty())
        {
            return None;
        }
        if !self.lexicon.known_code(&cameo) {
            cameo = trigger.cameo.to_owned();
        }
        let date = self.date_of(start, end, s_start, s_end);
        let modality =
            self.modality(trigger, (start, end), (s_start, s_end), noun, passive, &actors, date);
        let place = self.place(end, s_end, &actors, &targets);
        let mut span = (start, end);
        for &m in actors.iter().chain(&targets).filter(|&&m| self.ments[m].start >= s_start) {
            span.0 = span.0.min(self.ments[m].start);
            span.1 = span.1.max(self.ments[m].end);
        }
        let mut confidence: f32 = if trigger.dictionary { 0.5 } else { 0.8 };
        if actors.is_empty() || targets.is_empty() {
            confidence -= 0.2;
        }
        Some(Event {
            trigger: (start, end),
            span,
            ty: trigger.ty,
            cameo,
            actors,
            targets,
            place,
            modality,
            date: date.map(|d| d.value.clone()),
            confidence,
        })
    }

    /// Whether a mention ends within `n` words before `at` (in its sentence).
    fn mention_within(&self, at: usize, s_start: usize, n: usize) -> bool {
        let mut pos = at;
        for _ in 0..=n {
            let end = self.text[..pos].trim_end().len();
            if self.mention_ending_at(end).is_some()
                || possessive_before(self.text, end)
                    .and_then(|p| self.mention_ending_at(p))
                    .is_some()
            {
                return true;
            }
            match word_before(self.text, pos, s_start) {
                Some((ws, _)) => pos = ws,
                None => return false,
            }
        }
        false
    }

    /// How many words lie between `from` and `to`.
    fn words_between(&self, from: usize, to: usize) -> usize {
        let (from, to) = (from.min(to), from.max(to));
        let mut n = 0;
        let mut in_word = false;
        for c in self.text[from..to].chars() {
            let w = c.is_alphanumeric();
            n += usize::from(w && !in_word);
            in_word = w;
        }
        n
    }

    /// The outermost mention starting at `at`.
    fn mention_at(&self, at: usize) -> Option<usize> {
        let idx = self.ments.partition_point(|m| m.start < at);
        (idx < self.ments.len() && self.ments[idx].start == at).then_some(idx)
    }

    /// The outermost mention ending at `at`.
    fn mention_ending_at(&self, at: usize) -> Option<usize> {
        let hi = self.ments.partition_point(|m| m.start < at);
        (0..hi)
            .rev()
            .take(12)
            .filter(|&i| self.ments[i].end == at)
            .min_by_key(|&i| self.ments[i].start)
    }

    /// Where the clause of `pos` starts: after the last `,` `;` `:` before it, except a comma
    /// opening a relative ("who") or participial ("signaling ...") clause, whose subject is
    /// the one before the comma.
    fn clause_floor(&self, pos: usize, s_start: usize) -> usize {
        let text = self.text;
        let mut at = pos;
        while at > s_start {
            let Some(idx) = text[s_start..at].rfind([',', ';', ':', '(', '—', '–']) else {
                return s_start;
            };
            let idx = s_start + idx;
            let c = text[idx..].chars().next().unwrap_or(',');
            let after = word_after(text, idx + c.len_utf8(), pos).map(|(a, b)| &text[a..b]);
            let continues = c == ','
                && after.is_some_and(|w| {
                    is(w, &["who", "which", "that"])
                        || (w.len() > 5 && w.ends_with("ing") && !is(w, &["during", "following"]))
                });
            if !continues {
                return idx + c.len_utf8();
            }
            at = idx;
        }
        s_start
    }

    /// Whether a mention sits in a prepositional phrase ("with Hungarian Foreign Minister
    /// Peter Szijjarto", "between Russia and Ukraine").
    fn in_pp(&self, idx: usize, floor: usize) -> bool {
        let text = self.text;
        let mut at = self.ments[idx].start;
        let mut lower = 0;
        for _ in 0..10 {
            if let Some(m) = self.mention_ending_at(text[..at].trim_end().len())
                && self.ments[m].start >= floor
            {
                at = self.ments[m].start;
                continue;
            }
            let Some((ws, we)) = word_before(text, at, floor) else { return false };
            let w = &text[ws..we];
            if is_preposition(w) {
                return true;
            }
            if is(w, &["the", "a", "an", "and", "or"]) || capitalised(w) {
                at = ws;
                continue;
            }
            if lower < 2 && !ends_np(w) && !w.ends_with("ed") {
                lower += 1;
                at = ws;
                continue;
            }
            return false;
        }
        false
    }

    /// The subject of a verb (or of the clause of a nominal) at `pos`: the nearest mention
    /// before it in its clause that is not in a prepositional phrase, with any mention
    /// coordinated with it ("Israel and Egypt"); a pronoun "he"/"she" is the last person
    /// named before.
    fn subject(&self, pos: usize, s_start: usize) -> Vec<usize> {
        let floor = self.clause_floor(pos, s_start);
        if let Some(antecedent) = self.relative_antecedent(pos, s_start) {
            return vec![antecedent];
        }
        let lo = self.ments.partition_point(|m| m.start < floor);
        let hi = self.ments.partition_point(|m| m.start < pos);
        let mut candidates: Vec<usize> = (lo..hi).filter(|&i| self.ments[i].end <= pos).collect();
        candidates.sort_by(|&a, &b| {
            self.ments[b]
                .end
                .cmp(&self.ments[a].end)
                .then(self.ments[a].start.cmp(&self.ments[b].start))
        });
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for idx in candidates {
            let m = &self.ments[idx];
            if seen.iter().any(|&(s, e)| s <= m.start && m.end <= e) {
                continue;
            }
            seen.push((m.start, m.end));
            // A demonym before a name ("Hungarian Prime Minister Viktor Orban") is not the head.
            if m.demonym && self.name_follows(idx, pos) {
                continue;
            }
            if self.in_pp(idx, floor) {
                continue;
            }
            let mut out = vec![idx];
            if let Some(other) = self.coordinated_before(idx, floor) {
                out.insert(0, other);
            }
            return out;
        }
        // "He described ...": the pronoun subject is the last person named before.
        let first = word_after(self.text, floor, pos).map(|(a, b)| &self.text[a..b]);
        if first.is_some_and(|w| is(w, &["he", "she"])) {
            return self.last_person(floor).into_iter().collect();
        }
        Vec::new()
    }

    /// "..., which was criticized": the subject of a relative clause is the last mention of
    /// the noun phrase before its comma ("Lukashenko's controversial election win in 2020").
    fn relative_antecedent(&self, pos: usize, s_start: usize) -> Option<usize> {
        let text = self.text;
        let mut at = pos;
        for _ in 0..3 {
            let (ws, we) = word_before(text, at, s_start)?;
            let w = &text[ws..we];
            if is(w, &["who", "which"]) {
                let (comma, c) = char_before(text, ws, s_start)?;
                if c != ',' {
                    return None;
                }
                let lo = comma.saturating_sub(80).max(s_start);
                let hi = self.ments.partition_point(|m| m.start < comma);
                let found = (0..hi)
                    .rev()
                    .find(|&i| self.ments[i].end <= comma && self.ments[i].start >= lo)?;
                return (self.words_between(self.ments[found].end, comma) <= 6).then_some(found);
            }
            if !(is(w, BE)
                || is(w, FUTURE)
                || is(w, &["has", "have", "had", "also", "not"])
                || w.ends_with("ly"))
            {
                return None;
            }
            at = ws;
        }
        None
    }

    /// Whether a person or place name follows the demonym `idx` in its noun phrase, before `limit`.
    fn name_follows(&self, idx: usize, limit: usize) -> bool {
        let mut at = self.ments[idx].end;
        for _ in 0..4 {
            let Some((ws, we)) = word_after(self.text, at, limit) else { return false };
            if let Some(m) = self.mention_at(ws) {
                return !self.ments[m].demonym;
            }
            if !capitalised(&self.text[ws..we]) {
                return false;
            }
            at = we;
        }
        false
    }

    /// "Israel and Egypt": the mention joined by "and" before `idx`.
    fn coordinated_before(&self, idx: usize, floor: usize) -> Option<usize> {
        let (ws, we) = word_before(self.text, self.ments[idx].start, floor)?;
        if !is(&self.text[ws..we], &["and"]) {
            return None;
        }
        let m = self.mention_ending_at(self.text[..ws].trim_end().len())?;
        (self.ments[m].start >= floor && !self.ments[m].demonym).then_some(m)
    }

    /// The last person mention before `at`.
    fn last_person(&self, at: usize) -> Option<usize> {
        let hi = self.ments.partition_point(|m| m.start < at);
        (0..hi).rev().find(|&i| self.ments[i].person && self.ments[i].end <= at)
    }

    /// "By extending an invitation to Orban, Lukashenko ...": the subject of a sentence-initial
    /// adverbial clause comes after its comma.
    fn adverbial_subject(&self, pos: usize, s_start: usize, s_end: usize) -> Vec<usize> {
        let first = word_after(self.text, s_start, pos).map(|(a, b)| &self.text[a..b]);
        if !first
            .is_some_and(|w| is(w, &["by", "after", "before", "while", "when", "upon", "since"]))
        {
            return Vec::new();
        }
        let Some(comma) = self.text[pos..s_end].find(',') else { return Vec::new() };
        let at = pos + comma + 1;
        match char_after(self.text, at, s_end).and_then(|(s, _)| self.mention_at(s)) {
            Some(m) => vec![self.head_of(m, s_end)],
            None => Vec::new(),
        }
    }

    /// The head of the noun phrase starting with mention `m`: a later name in it
    /// ("Hungarian Prime Minister Viktor Orban").
    fn head_of(&self, m: usize, limit: usize) -> usize {
        let (found, _) = self.np_after(self.ments[m].start, limit);
        found.first().copied().unwrap_or(m)
    }

    /// Mentions of the noun phrase starting at `pos`: the head of each conjunct (its last
    /// name, else its last mention), and where the phrase ends. "of" or "from" right after a
    /// head without a mention ("the ambassador of Niger") passes to the next phrase.
    fn np_after(&self, pos: usize, limit: usize) -> (Vec<usize>, usize) {
        let text = self.text;
        let mut conjuncts: Vec<Vec<usize>> = vec![Vec::new()];
        let mut at = pos;
        let mut words = 0;
        let mut passed_of = false;
        while words <= 8 {
            let Some((s, c)) = char_after(text, at, limit) else { break };
            if let Some(m) = self.mention_at(s) {
                if let Some(c) = conjuncts.last_mut() {
                    c.push(m);
                }
                let end = self.ments[m].end;
                at = skip_possessive(text, end);
                // A name ends its noun phrase unless it is a possessor or coordinated.
                let and_follows = word_after(text, at, limit)
                    .is_some_and(|(a, b)| is(&text[a..b], &["and", "or"]));
                if !self.ments[m].demonym && at == end && !and_follows {
                    break;
                }
                continue;
            }
            if !c.is_alphanumeric() {
                break;
            }
            let Some((ws, we)) = word_after(text, at, limit) else { break };
            let w = &text[ws..we];
            if is(w, &["and", "or"]) {
                let next = char_after(text, we, limit).and_then(|(s, _)| self.mention_at(s));
                if conjuncts.last().is_some_and(|c| !c.is_empty()) && next.is_some() {
                    conjuncts.push(Vec::new());
                    at = we;
                    continue;
                }
                break;
            }
            if is(w, &["of", "from"])
                && !passed_of
                && conjuncts.iter().all(Vec::is_empty)
                && words > 0
            {
                passed_of = true;
                at = we;
                words += 1;
                continue;
            }
            if ends_np(w) {
                break;
            }
            words += 1;
            at = we;
        }
        let heads = conjuncts
            .iter()
            .filter_map(|c| c.iter().rev().find(|&&m| !self.ments[m].demonym).or(c.last()).copied())
            .collect();
        (heads, at)
    }

    /// The target after one of the trigger's prepositions, within a few words of it.
    fn pp_target(&self, preps: &[&str], end: usize, s_end: usize, noun: bool) -> Vec<usize> {
        if preps.is_empty() {
            return Vec::new();
        }
        let mut at = end;
        for _ in 0..6 {
            let Some((ws, we)) = word_after(self.text, at, s_end) else { break };
            let w = &self.text[ws..we];
            if is(w, preps) {
                return self.np_after(we, s_end).0;
            }
            if let Some(m) = self.mention_at(ws) {
                // Step over a mention that is not the target ("relations of Belarus' with").
                at = skip_possessive(self.text, self.ments[m].end);
                continue;
            }
            // A noun's complement follows it closely ("dialogue and improved relations
            // with"); a clause or another preposition ends the search.
            if ends_np(w) && !(noun && is(w, &["of"])) {
                break;
            }
            at = we;
        }
        Vec::new()
    }

    /// "X was invited by Y": the agent after "by" in the clause.
    fn by_agent(&self, end: usize, s_end: usize) -> Vec<usize> {
        let mut at = end;
        for _ in 0..4 {
            let Some((ws, we)) = word_after(self.text, at, s_end) else { break };
            if is(&self.text[ws..we], &["by"]) {
                return self.np_after(we, s_end).0;
            }
            at = we;
        }
        Vec::new()
    }

    /// The possessor or premodifier of a nominal trigger: "Putin's invasion", "Western
    /// sanctions", "his recent calls".
    fn premodifier(&self, start: usize, s_start: usize) -> Vec<usize> {
        let text = self.text;
        let mut at = start;
        for _ in 0..3 {
            let trimmed = text[..at].trim_end().len();
            if let Some(m) =
                possessive_before(text, trimmed).and_then(|p| self.mention_ending_at(p))
            {
                return vec![m];
            }
            if let Some(m) = self.mention_ending_at(trimmed)
                && self.ments[m].start >= s_start
            {
                return vec![m];
            }
            let Some((ws, we)) = word_before(text, at, s_start) else { break };
            let w = &text[ws..we];
            if is(w, &["his", "her"]) {
                return self.last_person(ws).into_iter().collect();
            }
            if is(w, &["the", "a", "an", "its", "their", "this", "that"])
                || ends_np(w)
                || capitalised(w)
            {
                break;
            }
            at = ws;
        }
        Vec::new()
    }

    /// The first word of `list` between `from` and `to`: its start.
    fn word_in(&self, from: usize, to: usize, list: &[&str]) -> Option<usize> {
        if from >= to {
            return None;
        }
        let mut at = from;
        while let Some((ws, we)) = word_after(self.text, at, to) {
            if is(&self.text[ws..we], list) {
                return Some(ws);
            }
            at = we;
        }
        // Punctuation between words: step over it.
        let rest = &self.text[at..to];
        match rest.find(|c: char| c.is_alphanumeric()) {
            Some(i) if i > 0 => self.word_in(at + i, to, list),
            _ => None,
        }
    }

    /// The object of an appeal ("the need for an immediate ceasefire and negotiations"):
    /// refines the code; returns where the object ends, so triggers inside it are not
    /// events of their own.
    fn appeal_object(&self, end: usize, s_end: usize, cameo: &mut String) -> usize {
        let mut at = end;
        let mut object_end = end;
        let mut found = false;
        for _ in 0..6 {
            let Some((ws, we)) = word_after(self.text, at, s_end) else { break };
            let w = &self.text[ws..we];
            if let Some((_, appeal, demand)) =
                APPEAL_OBJECTS.iter().find(|(o, _, _)| o.eq_ignore_ascii_case(w))
            {
                if !found {
                    let suffix = if cameo.starts_with("10") { demand } else { appeal };
                    cameo.truncate(2);
                    if suffix.is_empty() {
                        cameo.push('0');
                    } else {
                        cameo.push_str(suffix);
                    }
                    found = true;
                }
                object_end = we;
            } else if (found && !is(w, &["and", "an", "a", "the", "immediate", "new", "further"]))
                || (ends_np(w) && !is(w, &["for"]))
            {
                break;
            }
            at = we;
        }
        object_end
    }

    /// The parties of a conflict the sentence names: "between Russia and Ukraine", "the
    /// Ukraine-Russia conflict".
    fn conflict_parties(&self, s_start: usize, s_end: usize) -> Vec<usize> {
        let lo = self.ments.partition_point(|m| m.start < s_start);
        let hi = self.ments.partition_point(|m| m.start < s_end);
        for i in lo..hi {
            for j in i + 1..hi.min(i + 3) {
                let (a, b) = (&self.ments[i], &self.ments[j]);
                if b.start < a.end || a.entity == b.entity {
                    continue;
                }
                let between = &self.text[a.end..b.start];
                let hyphen = matches!(between, "-" | "–");
                let and = between.trim() == "and"
                    && word_before(self.text, a.start, s_start)
                        .is_some_and(|(ws, we)| is(&self.text[ws..we], &["between"]));
                if hyphen || and {
                    return vec![i, j];
                }
            }
        }
        Vec::new()
    }

    /// "in Paris" after the trigger, in its clause: a place that is not a participant.
    fn place(
        &self,
        end: usize,
        s_end: usize,
        actors: &[usize],
        targets: &[usize],
    ) -> Option<usize> {
        let limit = self.text[end..s_end].find([',', ';']).map_or(s_end, |i| end + i);
        let mut at = end;
        for _ in 0..10 {
            let (ws, we) = word_after(self.text, at, limit)?;
            if is(&self.text[ws..we], &["in", "at"]) {
                let (s, _) = char_after(self.text, we, limit)?;
                let m = self.mention_at(s)?;
                let same = |&i: &usize| self.ments[i].entity == self.ments[m].entity;
                return (self.ments[m].place
                    && !self.ments[m].demonym
                    && !actors.iter().any(same)
                    && !targets.iter().any(same))
                .then_some(m);
            }
            at = self.mention_at(ws).map_or(we, |m| self.ments[m].end);
        }
        None
    }

    /// The date the text gives for the event: the nearest explicit date of its sentence with
    /// no clause punctuation between.
    fn date_of(&self, start: usize, end: usize, s_start: usize, s_end: usize) -> Option<&DateRef> {
        self.dates
            .iter()
            .filter(|d| d.start >= s_start && d.end <= s_end)
            .filter(|d| d.value.starts_with(|c: char| c.is_ascii_digit()))
            .filter(|d| {
                let between = if d.start >= end {
                    &self.text[end..d.start]
                } else {
                    &self.text[d.end.min(start)..start]
                };
                !between.contains([',', ';', ':', '(', ')'])
            })
            .min_by_key(
                |d| if d.start >= end { d.start - end } else { start.saturating_sub(d.end) },
            )
    }

    /// asserted, reported, belief, intent, negated, future or historical, from the words
    /// before the trigger and the date.
    #[allow(clippy::too_many_arguments)]
    fn modality(
        &self,
        trigger: &Trigger,
        (start, end): (usize, usize),
        (s_start, s_end): (usize, usize),
        noun: bool,
        passive: bool,
        actors: &[usize],
        date: Option<&DateRef>,
    ) -> &'static str {
        let text = self.text;
        let floor = self.clause_floor(start, s_start);
        let mut at = start;
        let (mut negated, mut future, mut intent) = (false, false, false);
        for n in 0..6 {
            let Some((ws, we)) = word_before(text, at, floor) else { break };
            let w = &text[ws..we];
            let near = n < 3;
            if near
                && (is(w, NEGATION)
                    || w.ends_with("n't")
                    || (w == "t" && text[..ws].ends_with("n’")))
            {
                negated = true;
            }
            if n < 2 && is(w, REFUSAL) {
                negated = true;
            }
            if near && is(w, FUTURE) {
                future = true;
            }
            if is(w, INTENT) {
                intent = true;
            }
            at = ws;
        }
        if negated {
            return "negated";
        }
        if future {
            return "future";
        }
        if intent {
            return "intent";
        }
        if !noun {
            if self.word_in(s_start, start, BELIEF).is_some() {
                return "belief";
            }
            if self.word_in(s_start, start, REPORT).is_some()
                || self.word_in(end, s_end, REPORT).is_some()
            {
                return "reported";
            }
            if passive && actors.is_empty() && VERBAL.contains(&trigger.ty) {
                return "reported";
            }
        }
        if let (Some(date), Some(published)) = (date, self.published) {
            let since = {
                let (a, b) = if date.start >= end { (end, date.start) } else { (date.end, start) };
                self.word_in(a, b, &["since"]).is_some()
                    || word_before(text, date.start, s_start)
                        .is_some_and(|(ws, we)| is(&text[ws..we], &["since"]))
            };
            if !since && parse_date_end(&date.value).is_some_and(|d| days(d) + 30 < days(published))
            {
                return "historical";
            }
        }
        "asserted"
    }
}

/// `2023-10-30`, `2023-10` or `2023` as (year, month, day), the first day of a partial value.
fn parse_date(value: &str) -> Option<(i32, u32, u32)> {
    let mut parts = value.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day = parts.next().map_or(Some(1), |d| d.get(..2).unwrap_or(d).parse().ok())?;
    Some((year, month, day))
}

/// The last day of a partial value (`2022` is 2022-12-31).
fn parse_date_end(value: &str) -> Option<(i32, u32, u32)> {
    let parts = value.split('-').count();
    let (y, m, d) = parse_date(value)?;
    Some(match parts {
        1 => (y, 12, 31),
        2 => (y, m, 31),
        _ => (y, m, d),
    })
}

/// An approximate day number, good for comparing dates a month apart.
fn days((y, m, d): (i32, u32, u32)) -> i64 {
    i64::from(y) * 372 + i64::from(m) * 31 + i64::from(d)
}

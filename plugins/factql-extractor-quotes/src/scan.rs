//! Tokens, the entity mentions the extractor reads, and the speaker phrases built from them.

use factql_plugin_sdk::Document;
use factql_plugin_sdk::wire::{Span, Target};

use crate::lexicon::{Entry, Form, Lexicon, flag};

/// Punctuation codes of [`Tok::p`] (a word has 0).
pub(crate) const QUOTE: u8 = b'"';
pub(crate) const DASH: u8 = b'-';

/// One token: a word (with its lexicon entry) or a punctuation mark.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub(crate) s: u32,
    pub(crate) e: u32,
    pub(crate) f: u32,
    pub(crate) cue: u16,
    /// The phrases this word starts ([`crate::lexicon::Lexicon::phrases`]), or `u16::MAX`.
    pub(crate) phrase: u16,
    pub(crate) form: Form,
    /// The punctuation mark, or 0 for a word.
    pub(crate) p: u8,
    /// Starts with an upper-case letter.
    pub(crate) cap: bool,
    /// A possessive clitic (`’s`, `'s`, a bare `’` after an s).
    pub(crate) poss: bool,
}

impl Tok {
    pub(crate) fn word(&self) -> bool {
        self.p == 0 && !self.poss
    }
    pub(crate) fn has(&self, f: u32) -> bool {
        self.word() && self.f & f != 0
    }
    pub(crate) fn is(&self, text: &str, word: &str) -> bool {
        self.word() && text[self.s as usize..self.e as usize].eq_ignore_ascii_case(word)
    }
    pub(crate) fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.s as usize..self.e as usize]
    }
}

fn is_apostrophe(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(at) == Some(&b'\'') {
        Some(1)
    } else if text[at..].starts_with('’') {
        Some(3)
    } else {
        None
    }
}

/// An `s` after an apostrophe that ends the word: a possessive clitic.
fn clitic_s(next: u8, after: Option<&u8>) -> bool {
    matches!(next, b's' | b'S') && !after.is_some_and(|n| n.is_ascii_alphanumeric())
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Tokenizes `text[range]` into `out` (cleared first). Words are runs of letters and digits,
/// with inner hyphens and apostrophes ("so-called", "don't"); a possessive clitic is a token
/// of its own.
pub(crate) fn tokenize(lex: &Lexicon, text: &str, start: usize, end: usize, out: &mut Vec<Tok>) {
    out.clear();
    let b = text.as_bytes();
    let mut i = start;
    while i < end {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let ch = if c < 0x80 { c as char } else { char_at(text, i).unwrap_or(' ') };
        let len = ch.len_utf8();
        if word_char(ch) {
            let s = i;
            let mut j = i + len;
            let mut ascii = c < 0x80;
            while j < end {
                let cj = b[j];
                if cj < 0x80 {
                    if cj.is_ascii_alphanumeric() {
                        j += 1;
                        continue;
                    }
                    if cj == b'-' && j + 1 < end && b[j + 1].is_ascii_alphanumeric() {
                        j += 1;
                        continue;
                    }
                    if cj == b'\'' {
                        // "don't" keeps its apostrophe; "X's" and "Xs'" split off.
                        let next = b.get(j + 1).copied().unwrap_or(b' ');
                        if next.is_ascii_alphabetic() && !clitic_s(next, b.get(j + 2)) {
                            j += 1;
                            continue;
                        }
                    }
                    break;
                }
                let Some(cc) = char_at(text, j) else { break };
                if word_char(cc) {
                    ascii = false;
                    j += cc.len_utf8();
                    continue;
                }
                if cc == '’' {
                    let next = b.get(j + 3).copied().unwrap_or(b' ');
                    if next.is_ascii_alphabetic() && !clitic_s(next, b.get(j + 4)) {
                        j += 3;
                        continue;
                    }
                }
                break;
            }
            let word = &text[s..j];
            let entry = if ascii && word.len() <= 32 {
                let mut buf = [0u8; 32];
                for (d, s) in buf.iter_mut().zip(word.bytes()) {
                    *d = s.to_ascii_lowercase();
                }
                lex.get(&buf[..word.len()])
            } else {
                Entry::EMPTY
            };
            out.push(Tok {
                s: s as u32,
                e: j as u32,
                f: entry.flags,
                cue: entry.cue,
                phrase: entry.phrase,
                form: entry.form,
                p: 0,
                cap: ch.is_uppercase(),
                poss: false,
            });
            i = j;
            // A possessive clitic.
            if let Some(alen) = is_apostrophe(text, i).filter(|_| i < end) {
                let after = i + alen;
                let s_next = b.get(after).is_some_and(|n| matches!(n, b's' | b'S'))
                    && !b.get(after + 1).is_some_and(|n| n.is_ascii_alphanumeric());
                let bare = word.ends_with(['s', 'S'])
                    && !b.get(after).is_some_and(|n| n.is_ascii_alphanumeric());
                if s_next || bare {
                    let e = if s_next { after + 1 } else { after };
                    out.push(Tok {
                        s: i as u32,
                        e: e as u32,
                        f: 0,
                        cue: u16::MAX,
                        phrase: u16::MAX,
                        form: Form::None,
                        p: 0,
                        cap: false,
                        poss: true,
                    });
                    i = e;
                }
            }
            continue;
        }
        let p = match ch {
            ',' | ';' | ':' | '.' | '!' | '?' | '(' | ')' => c,
            '"' | '“' | '”' | '«' | '»' => QUOTE,
            '—' | '–' => DASH,
            '-' if b.get(i + 1) == Some(&b' ') || b.get(i + 1) == Some(&b'-') => DASH,
            _ => 0,
        };
        if p != 0 {
            out.push(Tok {
                s: i as u32,
                e: (i + len) as u32,
                f: 0,
                cue: u16::MAX,
                phrase: u16::MAX,
                form: Form::None,
                p,
                cap: false,
                poss: false,
            });
        }
        i += len;
    }
}

/// An entity kind as far as speakers go, best speaker first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Person,
    Org,
    Group,
    Place,
}

/// A mention linked to an entity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ment<'d> {
    pub(crate) s: u32,
    pub(crate) e: u32,
    pub(crate) kind: Kind,
    pub(crate) entity: &'d str,
}

/// How a speaker was found, and whether it is an entity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Speaker<'d> {
    /// The entity, when the speaker is one.
    pub(crate) entity: Option<&'d str>,
    /// `named`, `unlinked`, `nominal` or `unknown` (see the crate documentation).
    pub(crate) status: &'static str,
    /// `name`, `title`, `pronoun`, `nominal`, `passive`, `adjective` or `continued`.
    pub(crate) via: &'static str,
    /// The speaker phrase as written (empty for an unknown speaker).
    pub(crate) s: u32,
    pub(crate) e: u32,
}

impl<'d> Speaker<'d> {
    pub(crate) fn unknown(via: &'static str) -> Speaker<'d> {
        Speaker { entity: None, status: "unknown", via, s: 0, e: 0 }
    }

    pub(crate) fn target(&self) -> Option<Target> {
        self.entity.map(|id| Target::Entity(id.to_owned()))
    }
}

/// What the extractor knows about one document: mentions, people, offices.
pub(crate) struct Context<'d> {
    pub(crate) text: &'d str,
    pub(crate) lex: &'d Lexicon,
    pub(crate) doc: &'d Document<'d>,
    /// Linked mentions by start (longest first at equal starts).
    pub(crate) ments: Vec<Ment<'d>>,
    /// Sentences (not boilerplate) in order.
    pub(crate) sentences: Vec<Span>,
    /// Offices from the roles extractor: the lower-case title and its holder.
    pub(crate) roles: Vec<(String, &'d str)>,
}

impl<'d> Context<'d> {
    pub(crate) fn new(lex: &'d Lexicon, doc: &'d Document<'d>) -> Context<'d> {
        let mut ments: Vec<Ment<'d>> = doc
            .mentions()
            .iter()
            .filter_map(|m| {
                let entity = m.entity.as_deref()?;
                let kind = match factql_model::stored_mention_kind(&m.ent_type) {
                    "person" => Kind::Person,
                    "org" => Kind::Org,
                    "group" => Kind::Group,
                    "place" => Kind::Place,
                    _ => return None,
                };
                Some(Ment { s: m.span.start, e: m.span.end, kind, entity })
            })
            .collect();
        ments.sort_by_key(|m| (m.s, std::cmp::Reverse(m.e), m.kind));
        let roles = doc
            .facts("role")
            .filter_map(|f| {
                let title = match f.get("title") {
                    Some(factql_plugin_sdk::wire::Value::Str(t)) => t.to_lowercase(),
                    _ => return None,
                };
                let person = f.args.iter().find(|a| a.role == "person")?;
                match &person.target {
                    Target::Entity(id) => Some((title, id.as_str())),
                    _ => None,
                }
            })
            .collect();
        Context {
            text: doc.text(),
            lex,
            doc,
            ments,
            sentences: doc.sentences().map(|(s, _)| s).collect(),
            roles,
        }
    }

    /// The index of the sentence holding byte `at`.
    pub(crate) fn sentence_of(&self, at: u32) -> Option<usize> {
        let idx = self.sentences.partition_point(|s| s.start <= at).checked_sub(1)?;
        (at < self.sentences[idx].end).then_some(idx)
    }

    /// Mentions starting at `at`, longest first.
    pub(crate) fn starting_at(&self, at: u32) -> impl Iterator<Item = &Ment<'d>> {
        let from = self.ments.partition_point(|m| m.s < at);
        self.ments[from..].iter().take_while(move |m| m.s == at)
    }

    /// The best speaker among the mentions ending at `at` (a person first).
    pub(crate) fn ending_at(&self, at: u32) -> Option<&Ment<'d>> {
        // Mentions are short: look back over those starting at most 120 bytes before.
        let from = self.ments.partition_point(|m| m.s + 120 < at);
        let to = self.ments.partition_point(|m| m.s < at);
        self.ments[from..to].iter().filter(|m| m.e == at).min_by_key(|m| (m.kind, m.s))
    }

    /// The best mention inside `[s, e)`: a person first, then the last.
    fn best_within(&self, s: u32, e: u32) -> Option<&Ment<'d>> {
        let from = self.ments.partition_point(|m| m.s < s);
        self.ments[from..]
            .iter()
            .take_while(|m| m.s < e)
            .filter(|m| m.e <= e)
            .min_by_key(|m| (m.kind, std::cmp::Reverse(m.s)))
    }

    /// he/she/his/her at `at`: the subject of the nearest sentence (this one, before `at`, or
    /// up to three before) that names a person of a compatible sex; the first person a
    /// sentence names stands for its subject. `None` when no such person is near.
    pub(crate) fn resolve_pronoun(&self, at: u32, masculine: bool) -> Option<&'d str> {
        let sentence = self.sentence_of(at)?;
        for idx in (sentence.saturating_sub(3)..=sentence).rev() {
            let span = self.sentences[idx];
            let limit = if idx == sentence { at } else { span.end };
            let from = self.ments.partition_point(|m| m.s < span.start);
            let mut any = false;
            for m in self.ments[from..].iter().take_while(|m| m.s < limit) {
                if m.kind != Kind::Person {
                    continue;
                }
                any = true;
                if self.sex_of(m.entity).is_none_or(|male| male == masculine) {
                    return Some(m.entity);
                }
            }
            if any && idx == sentence {
                continue;
            }
        }
        None
    }

    fn sex_of(&self, entity: &str) -> Option<bool> {
        let e = self.doc.entity(entity)?;
        let first = e.name.split_whitespace().next()?;
        self.lex.sex(first)
    }

    /// A title phrase ("prime minister") to the one person the roles extractor gave that
    /// office in this article.
    fn resolve_title(&self, phrase: &str) -> Option<&'d str> {
        let mut found: Option<&'d str> = None;
        for (title, person) in &self.roles {
            if title == phrase || title.ends_with(&format!(" {phrase}")) {
                match found {
                    Some(p) if p != *person => return None,
                    _ => found = Some(person),
                }
            }
        }
        found
    }

    fn pronoun(&self, tok: &Tok) -> Speaker<'d> {
        // "they" is never resolved: a plural speaker is a group the mentions rarely name.
        let entity = if tok.f & (flag::MASC | flag::FEM) != 0 {
            self.resolve_pronoun(tok.s, tok.f & flag::MASC != 0)
        } else {
            None
        };
        Speaker {
            entity,
            status: if entity.is_some() { "named" } else { "nominal" },
            via: "pronoun",
            s: tok.s,
            e: tok.e,
        }
    }

    fn title_speaker(&self, t: &[Tok], from: usize, head: usize) -> Speaker<'d> {
        let text = self.text;
        let mut first = from;
        while first < head && t[first].has(flag::DET) {
            first += 1;
        }
        let phrase = text[t[first].s as usize..t[head].e as usize].to_lowercase();
        // "Hungarian prime minister": try without the demonym too.
        let mut entity = self.resolve_title(&phrase);
        if entity.is_none() && first < head {
            let shorter = text[t[first + 1].s as usize..t[head].e as usize].to_lowercase();
            if t[head].has(flag::TITLE) {
                entity = self.resolve_title(&shorter);
            }
        }
        Speaker {
            entity,
            status: if entity.is_some() { "named" } else { "nominal" },
            via: if entity.is_some() { "title" } else { "nominal" },
            s: t[from].s,
            e: t[head].e,
        }
    }

    /// A speaker phrase ending with token `j`: a pronoun, a name (with the titles before it),
    /// a title or speaker noun with its determiner, or a run of capitalised words. Returns the
    /// speaker and the index of the phrase's first token.
    pub(crate) fn np_ending_at(&self, t: &[Tok], j: usize) -> Option<(Speaker<'d>, usize)> {
        let tok = t[j];
        if !tok.word() {
            return None;
        }
        if tok.has(flag::SUBJ_PRON) {
            return Some((self.pronoun(&tok), j));
        }
        if let Some(m) = self.ending_at(tok.e) {
            let mut k = j;
            while k > 0 && t[k].s > m.s {
                k -= 1;
            }
            // Titles and names before the name: "Hungarian Foreign Minister Peter Szijjarto".
            while k > 0 && t[k - 1].word() && (t[k - 1].cap || t[k - 1].has(flag::TITLE)) {
                k -= 1;
            }
            // "the official news agency WFNA": plain words back to a determiner.
            let mut d = k;
            let closed = flag::BE
                | flag::HAVE
                | flag::MODAL
                | flag::DO
                | flag::PREP
                | flag::REL
                | flag::THAT
                | flag::DET
                | flag::SUBCONJ
                | flag::AND
                | flag::SUBJ_PRON
                | flag::POSS_PRON
                | flag::NEG;
            while d > 0
                && k - d < 4
                && t[d - 1].word()
                && t[d - 1].f & closed == 0
                && t[d - 1].cue == u16::MAX
                && !t[d - 1].cap
            {
                d -= 1;
            }
            if d < k && d > 0 && t[d - 1].has(flag::DET) {
                k = d;
            }
            if k > 0 && t[k - 1].has(flag::DET) {
                k -= 1;
            }
            let best = self.best_within(t[k].s, tok.e).copied().unwrap_or(*m);
            let speaker = Speaker {
                entity: Some(best.entity),
                status: "named",
                via: "name",
                s: t[k].s,
                e: tok.e,
            };
            return Some((speaker, k));
        }
        if tok.cap && tok.f == 0 && tok.cue == u16::MAX {
            // A name no extractor linked, after a title or a comma: "chief Palestinian
            // negotiator Saeb Erakat".
            let mut k = j;
            while k > 0 && j - k < 3 && t[k - 1].word() && t[k - 1].cap && t[k - 1].f == 0 {
                k -= 1;
            }
            let name_start = k;
            while k > 0 && t[k - 1].word() && (t[k - 1].cap || t[k - 1].has(flag::TITLE)) {
                k -= 1;
            }
            if k > 0 && t[k - 1].has(flag::DET) {
                k -= 1;
            }
            let titled = t[k..name_start].iter().any(|x| x.has(flag::TITLE));
            if titled || k > 0 && t[k - 1].p == b',' {
                let speaker =
                    Speaker { entity: None, status: "unlinked", via: "name", s: t[k].s, e: tok.e };
                return Some((speaker, k));
            }
            return None;
        }
        if tok.has(flag::TITLE | flag::NOMINAL) && !tok.cap || tok.has(flag::TITLE) {
            let mut k = j;
            let mut steps = 0;
            while k > 0 && steps < 4 && t[k - 1].word() && !t[k - 1].has(flag::PREP | flag::SUBCONJ)
            {
                k -= 1;
                steps += 1;
                if t[k].has(flag::DET) {
                    break;
                }
                if t[k].f & !(flag::TITLE | flag::NOMINAL | flag::LOADED) != 0 && !t[k].cap {
                    // A verb or another function word: not part of the phrase.
                    k += 1;
                    break;
                }
            }
            let plural_noun = tok.has(flag::NOMINAL) && tok.text(self.text).ends_with('s');
            if !t[k].has(flag::DET) && !plural_noun && k == j {
                return None;
            }
            return Some((self.title_speaker(t, k, j), k));
        }
        None
    }

    /// A speaker phrase starting at token `i`; returns it and the index after it.
    pub(crate) fn np_at(&self, t: &[Tok], i: usize) -> Option<(Speaker<'d>, usize)> {
        let tok = *t.get(i)?;
        if !tok.word() {
            return None;
        }
        if tok.has(flag::SUBJ_PRON) {
            return Some((self.pronoun(&tok), i + 1));
        }
        let mut k = i;
        if tok.has(flag::DET) {
            k += 1;
        }
        // The phrase runs over names, titles and capitalised words.
        let mut end = k;
        let mut last_ment_end = 0;
        while end < t.len() && t[end].word() {
            let covered = self.starting_at(t[end].s).next().map(|m| m.e);
            if let Some(e) = covered {
                last_ment_end = last_ment_end.max(e);
            }
            // "Ambassador to the United States Hamdullah Mohib": a title's complement.
            if end > k
                && t[end - 1].has(flag::TITLE)
                && (t[end].is(self.text, "to") || t[end].is(self.text, "of"))
            {
                let mut after = end + 1;
                if t.get(after).is_some_and(|x| x.has(flag::DET)) {
                    after += 1;
                }
                if t.get(after).is_some_and(|x| x.word() && x.cap) {
                    end = after;
                    continue;
                }
            }
            if t[end].e <= last_ment_end || t[end].cap || t[end].has(flag::TITLE | flag::NOMINAL) {
                end += 1;
                if t[end - 1].has(flag::NOMINAL) && !t[end - 1].cap && !t[end - 1].has(flag::TITLE)
                {
                    break;
                }
                continue;
            }
            break;
        }
        if end == k {
            return None;
        }
        let (s, e) = (t[k].s, t[end - 1].e);
        if let Some(m) = self.best_within(s, e) {
            let speaker =
                Speaker { entity: Some(m.entity), status: "named", via: "name", s: tok.s, e };
            return Some((speaker, end));
        }
        if t[end - 1].has(flag::TITLE | flag::NOMINAL) {
            return Some((self.title_speaker(t, i, end - 1), end));
        }
        if t[k..end].iter().all(|x| x.cap && x.f == 0) && end - k <= 4 {
            let speaker = Speaker { entity: None, status: "unlinked", via: "name", s, e };
            return Some((speaker, end));
        }
        None
    }
}

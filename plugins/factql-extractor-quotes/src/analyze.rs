//! Attributions (direct quotes and indirect speech with their speakers) and claims, sentence
//! by sentence.

use crate::lexicon::{Form, flag};
use crate::scan::{Context, DASH, Speaker, Tok, tokenize};

/// How an attribution is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// "X said (that) Y", "X, who ..., believes that Y", "Y, X said."
    Finite,
    /// "..., signaling Y" / "By calling for Y, X ...": the subject of the main clause speaks.
    Participle,
    /// "was criticized as Y": no agent named.
    Passive,
    /// "alleged Y".
    Adjective,
    /// "his calls for Y".
    Nominal,
    /// "according to X, Y".
    According,
    /// Text between quotation marks.
    Direct,
}

/// One attribution: who said (or believes, claims, calls for...) what.
#[derive(Clone, Debug)]
pub(crate) struct Attribution<'d> {
    pub(crate) speaker: Speaker<'d>,
    pub(crate) cue: (u32, u32),
    pub(crate) lemma: &'static str,
    pub(crate) class: &'static str,
    /// The content spans (one per paragraph for a direct quote running over paragraphs).
    pub(crate) content: Vec<(u32, u32)>,
    pub(crate) shape: Shape,
}

impl Attribution<'_> {
    pub(crate) fn content_span(&self) -> (u32, u32) {
        let s = self.content.first().map_or(0, |c| c.0);
        let e = self.content.last().map_or(0, |c| c.1);
        (s, e)
    }

    /// The evidence: cue, content and the speaker phrase when it is in the same sentence.
    pub(crate) fn span(&self, ctx: &Context<'_>) -> (u32, u32) {
        let (cs, ce) = self.content_span();
        let mut s = cs.min(self.cue.0);
        let mut e = ce.max(self.cue.1);
        if self.speaker.e > self.speaker.s
            && ctx.sentence_of(self.speaker.s) == ctx.sentence_of(self.cue.0)
        {
            s = s.min(self.speaker.s);
            e = e.max(self.speaker.e);
        }
        (s, e)
    }

    /// The content as text (paragraphs of a direct quote joined by a space).
    pub(crate) fn text(&self, text: &str) -> String {
        let mut out = String::new();
        for (s, e) in &self.content {
            let part = text[*s as usize..*e as usize].trim();
            let part = part.trim_end_matches([',', ' ']);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(part);
        }
        out
    }
}

/// Who holds a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holder {
    Author,
    /// The speaker of attribution number n.
    Speaker(usize),
    Unknown,
}

/// One claim: a proposition, its holder, kind and cues.
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    pub(crate) s: u32,
    pub(crate) e: u32,
    pub(crate) holder: Holder,
    pub(crate) kind: &'static str,
    /// Byte spans of the cue words found.
    pub(crate) hedges: Vec<(u32, u32)>,
    pub(crate) boosters: Vec<(u32, u32)>,
    pub(crate) loaded: Vec<(u32, u32)>,
    /// Every flag of the words and phrases in it.
    pub(crate) flags: u32,
}

/// Everything found in one document.
#[derive(Default)]
pub(crate) struct Found<'d> {
    pub(crate) attributions: Vec<Attribution<'d>>,
    pub(crate) claims: Vec<Claim>,
}

/// A direct quote before its attribution is known.
struct Marks {
    open: u32,
    close_end: u32,
    segments: Vec<(u32, u32)>,
}

fn opening(text: &str, at: usize) -> Option<(bool, usize)> {
    let b = text.as_bytes();
    match b[at] {
        b'"' => {
            // A straight mark opens after a space or a bracket, or at a line start.
            let before = if at == 0 { b' ' } else { b[at - 1] };
            Some((before.is_ascii_whitespace() || matches!(before, b'(' | b'[' | b'-'), 1))
        }
        0xE2 if b.get(at + 1) == Some(&0x80) => match b.get(at + 2) {
            Some(0x9C) => Some((true, 3)),
            Some(0x9D) => Some((false, 3)),
            _ => None,
        },
        0xC2 => match b.get(at + 1) {
            Some(0xAB) => Some((true, 2)),
            Some(0xBB) => Some((false, 2)),
            _ => None,
        },
        _ => None,
    }
}

/// Direct quotes: straight or curly double marks and guillemets; a quote left open at the end
/// of a paragraph continues when the next paragraph opens with a mark again (the newspaper
/// convention), and is dropped otherwise.
fn direct_marks(text: &str) -> Vec<Marks> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<Marks> = None;
    let mut seg_start = 0u32;
    let mut para_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            if let Some(m) = open.as_mut() {
                let seg_end = text[..i].trim_end().len() as u32;
                if seg_end > seg_start {
                    m.segments.push((seg_start, seg_end));
                }
                seg_start = u32::MAX;
            }
            para_start = true;
            i += 1;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        let first_of_para = para_start;
        para_start = false;
        if c != b'"' && c != 0xE2 && c != 0xC2 {
            if first_of_para && open.as_ref().is_some_and(|_| seg_start == u32::MAX) {
                // The paragraph after an open quote does not reopen it: unbalanced.
                open = None;
            }
            i += 1;
            continue;
        }
        let Some((mut is_open, len)) = opening(text, i) else {
            if first_of_para && seg_start == u32::MAX {
                open = None;
            }
            i += 1;
            continue;
        };
        if c == b'"' && open.is_some() && seg_start != u32::MAX {
            is_open = false;
        }
        let at = i as u32;
        let after = (i + len) as u32;
        if first_of_para && seg_start == u32::MAX && open.is_some() {
            if is_open {
                seg_start = after;
            } else {
                open = None;
            }
        } else if is_open {
            open = Some(Marks { open: at, close_end: 0, segments: Vec::new() });
            seg_start = after;
        } else if let Some(mut m) = open.take() {
            if at > seg_start {
                m.segments.push((seg_start, at));
            }
            m.close_end = after;
            if !m.segments.is_empty() {
                out.push(m);
            }
        }
        i += len;
    }
    out
}

/// Finds every attribution and claim of the document.
pub(crate) fn analyze<'d>(ctx: &Context<'d>) -> Found<'d> {
    let text = ctx.text;
    let mut found = Found::default();
    let mut toks: Vec<Tok> = Vec::with_capacity(64);
    // Direct quotes first: their text is the speaker's, not material for indirect speech.
    let marks = if text.bytes().any(|c| c == b'"' || c == 0xE2 || c == 0xC2) {
        direct_marks(text)
    } else {
        Vec::new()
    };
    let mut quoted: Vec<(u32, u32)> = Vec::new();
    let mut last: Option<(Speaker<'d>, &'static str, &'static str, u32)> = None;
    for m in &marks {
        let Some(att) = attribute_direct(ctx, m, last, &mut toks) else { continue };
        let close_sentence = ctx.sentence_of(m.close_end.saturating_sub(1));
        let attr_end =
            close_sentence.map_or(m.close_end, |s| ctx.sentences[s].end).max(m.close_end);
        let open_sentence_start =
            ctx.sentence_of(m.open).map_or(m.open, |s| ctx.sentences[s].start);
        quoted.push((open_sentence_start.min(m.open), attr_end));
        last = Some((att.speaker, att.lemma, att.class, attr_end));
        found.attributions.push(att);
    }
    for idx in 0..ctx.sentences.len() {
        let span = ctx.sentences[idx];
        if quoted.iter().any(|(s, e)| span.start < *e && *s < span.end) {
            continue;
        }
        tokenize(ctx.lex, text, span.start as usize, span.end as usize, &mut toks);
        let from = found.attributions.len();
        sentence_attributions(ctx, &toks, &mut found.attributions);
        sentence_claims(ctx, &toks, &found.attributions, from, &mut found.claims);
    }
    // Direct quotes: one claim of the speaker's each.
    for (n, att) in found.attributions.iter().enumerate() {
        if att.shape == Shape::Direct {
            let (s, e) = att.content_span();
            tokenize(ctx.lex, text, s as usize, e as usize, &mut toks);
            let mut claim = cues_of(ctx, &toks, s, e, Holder::Speaker(n));
            claim.kind = speaker_kind(att.class, &claim, &toks);
            found.claims.push(claim);
        }
    }
    // In text order; claims of a speaker point at attributions by index, so remap them.
    let mut order: Vec<usize> = (0..found.attributions.len()).collect();
    order.sort_by_key(|&n| found.attributions[n].span(ctx));
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut attributions: Vec<Option<Attribution<'d>>> =
        std::mem::take(&mut found.attributions).into_iter().map(Some).collect();
    found.attributions = order.iter().filter_map(|&old| attributions[old].take()).collect();
    for claim in &mut found.claims {
        if let Holder::Speaker(n) = claim.holder {
            claim.holder = Holder::Speaker(new_index[n]);
        }
    }
    found.claims.sort_by_key(|c| (c.s, c.e));
    found
}

/// The speaker of a direct quote: "..., X said." / "..., said X." after it, "X said: ..."
/// before it, or the speaker of the quote just before when nothing else stands between them.
fn attribute_direct<'d>(
    ctx: &Context<'d>,
    m: &Marks,
    last: Option<(Speaker<'d>, &'static str, &'static str, u32)>,
    toks: &mut Vec<Tok>,
) -> Option<Attribution<'d>> {
    let text = ctx.text;
    let content: Vec<(u32, u32)> = m
        .segments
        .iter()
        .map(|&(s, e)| {
            let part = text[s as usize..e as usize].trim_end_matches([',', ' ', '\n']);
            let lead = part.len() - part.trim_start().len();
            (s + lead as u32, s + part.len() as u32)
        })
        .filter(|(s, e)| e > s)
        .collect();
    if content.is_empty() {
        return None;
    }
    let make = |speaker, cue: (u32, u32), lemma, class| Attribution {
        speaker,
        cue,
        lemma,
        class,
        content: content.clone(),
        shape: Shape::Direct,
    };
    // After the closing mark, to the end of its sentence.
    let after_end = ctx
        .sentence_of(m.close_end.saturating_sub(1))
        .map_or(m.close_end, |s| ctx.sentences[s].end)
        .max(m.close_end);
    // Within the paragraph.
    let after_end = text[m.close_end as usize..after_end as usize]
        .find('\n')
        .map_or(after_end, |n| m.close_end + n as u32);
    tokenize(ctx.lex, text, m.close_end as usize, after_end as usize, toks);
    let mut i = 0;
    while i < toks.len() && toks[i].p == b',' {
        i += 1;
    }
    if let Some(t0) = toks.get(i).copied() {
        let is_call = |t: &Tok| t.cue != u16::MAX && ctx.lex.cues[t.cue as usize].lemma == "call";
        if t0.cue != u16::MAX && matches!(t0.form, Form::Past | Form::S) && !is_call(&t0) {
            // ", said X."
            if let Some((speaker, _)) = ctx.np_at(toks, i + 1) {
                let cue = ctx.lex.cues[t0.cue as usize];
                return Some(make(speaker, (t0.s, t0.e), cue.lemma, cue.class));
            }
        } else if let Some((speaker, mut next)) = ctx.np_at(toks, i) {
            // ", X said." (with ", the minister of ..., said" skipped)
            if toks.get(next).is_some_and(|t| t.p == b',')
                && let Some(close) = toks[next + 1..].iter().position(|t| t.p == b',')
            {
                next = next + 1 + close + 1;
            }
            while toks.get(next).is_some_and(|t| t.has(flag::ADV)) {
                next += 1;
            }
            if let Some(v) =
                toks.get(next).filter(|v| v.cue != u16::MAX && v.form != Form::Ing && !is_call(v))
            {
                let cue = ctx.lex.cues[v.cue as usize];
                return Some(make(speaker, (v.s, v.e), cue.lemma, cue.class));
            }
        }
    }
    // Before the opening mark, from the start of its sentence.
    let before_start = ctx.sentence_of(m.open).map_or(m.open, |s| ctx.sentences[s].start);
    let before_start = text[before_start as usize..m.open as usize]
        .rfind('\n')
        .map_or(before_start, |n| before_start + n as u32 + 1);
    tokenize(ctx.lex, text, before_start as usize, m.open as usize, toks);
    let mut j = toks.len();
    while j > 0 && (matches!(toks[j - 1].p, b',' | b':') || toks[j - 1].has(flag::THAT)) {
        j -= 1;
    }
    if j > 0 {
        // "X told reporters: “...”": the verb may have an object of up to two words.
        let colon = j < toks.len();
        let verb_at = (j.saturating_sub(3)..j).rev().find(|&i| {
            toks[i].cue != u16::MAX && (i == j - 1 || colon && !toks[i].has(flag::MODAL))
        });
        let v = toks[verb_at.unwrap_or(j - 1)];
        let j = verb_at.map_or(j, |i| i + 1);
        if v.cue != u16::MAX
            && v.form != Form::Ing
            && v.form != Form::None
            && ctx.lex.cues[v.cue as usize].lemma != "call"
        {
            let mut k = j - 1;
            while k > 0 && toks[k - 1].has(flag::ADV | flag::HAVE | flag::MODAL | flag::DO) {
                k -= 1;
            }
            if k > 0
                && let Some((speaker, start)) = ctx.np_ending_at(toks, k - 1)
                && (start == 0 || !toks[start - 1].has(flag::PREP) && !toks[start - 1].poss)
            {
                let cue = ctx.lex.cues[v.cue as usize];
                return Some(make(speaker, (v.s, v.e), cue.lemma, cue.class));
            }
        }
        // "According to X, “...”", right before the mark.
        if let Some(a) = toks[..j].iter().position(|t| t.is(text, "according"))
            && toks.get(a + 1).is_some_and(|t| t.is(text, "to"))
            && let Some((speaker, next)) = ctx.np_at(toks, a + 2)
            && next == j
        {
            return Some(make(speaker, (toks[a].s, toks[a + 1].e), "according to", "say"));
        }
    }
    // A quote that goes on right after the previous one's attribution.
    if let Some((speaker, lemma, class, end)) = last
        && end <= m.open
        && text[end as usize..m.open as usize].trim().is_empty()
    {
        let mut speaker = speaker;
        speaker.via = "continued";
        return Some(make(speaker, (m.open, m.open), lemma, class));
    }
    None
}

/// Where the words of a sentence start past a discourse marker ("Moreover,", "For instance,").
fn clause_start(ctx: &Context<'_>, t: &[Tok]) -> usize {
    let Some(first) = t.first() else { return 0 };
    if first.has(flag::DISC) && t.get(1).is_some_and(|x| x.p == b',') {
        return 2;
    }
    // Two or three words then a comma: "For instance,", "In conclusion,", "On the other hand,".
    if first.has(flag::PREP) {
        for n in 2..=4 {
            if t.get(n).is_some_and(|x| x.p == b',')
                && t[1..n]
                    .iter()
                    .all(|x| x.word() && !x.cap && x.f & flag::DET == 0 || x.has(flag::DET))
                && t[1..n].iter().any(|x| {
                    let w = x.text(ctx.text).to_ascii_lowercase();
                    matches!(
                        w.as_str(),
                        "instance"
                            | "example"
                            | "conclusion"
                            | "addition"
                            | "fact"
                            | "short"
                            | "hand"
                            | "contrast"
                            | "particular"
                            | "general"
                            | "sum"
                            | "turn"
                    )
                })
            {
                return n + 1;
            }
        }
    }
    0
}

/// The end (exclusive token index) of a leading adjunct or subordinate clause ("Although
/// ..., ", "By calling for ..., "), if the sentence opens with one.
fn leading_clause(ctx: &Context<'_>, t: &[Tok], s0: usize) -> Option<(usize, bool)> {
    let first = t.get(s0)?;
    let by_ing = first.has(flag::PREP) && t.get(s0 + 1).is_some_and(|x| is_ing(ctx, x));
    if !(first.has(flag::SUBCONJ) || by_ing) {
        return None;
    }
    let comma = t[s0 + 1..].iter().position(|x| x.p == b',')? + s0 + 1;
    Some((comma, first.has(flag::SUBCONJ)))
}

fn is_ing(ctx: &Context<'_>, t: &Tok) -> bool {
    t.word()
        && !t.cap
        && t.f & flag::ING_STOP == 0
        && t.e >= t.s + 5
        && ctx.text[t.s as usize..t.e as usize].ends_with("ing")
}

/// Where content starting at token `from` ends (exclusive byte): the sentence end, a
/// semicolon, a new attribution (", adding that", ", according to"), or with `at_comma` the
/// first comma.
fn content_end(ctx: &Context<'_>, t: &[Tok], from: usize, at_comma: bool) -> Option<(u32, u32)> {
    let mut end = from;
    let mut i = from;
    while i < t.len() {
        let x = t[i];
        // Full stops inside a sentence are abbreviations ("U.S."): the sentence's end is the
        // content's end.
        if matches!(x.p, b';' | b'(' | DASH) {
            break;
        }
        if x.p == b',' && reported_after(t, i + 1) {
            // "..., chief negotiator Saeb Erakat said.": the rest reports the clause.
            break;
        }
        if x.p == b',' {
            let next = t.get(i + 1);
            if at_comma
                || next.is_some_and(|n| n.is(ctx.text, "according"))
                || next.is_some_and(|n| n.cue != u16::MAX && n.form == Form::Ing)
                || next.is_some_and(|n| n.has(flag::REL) && n.is(ctx.text, "which"))
            {
                break;
            }
        }
        i += 1;
        end = i;
    }
    while end > from && t[end - 1].p != 0 {
        end -= 1;
    }
    (end > from).then(|| (t[from].s, t[end - 1].e))
}

/// Whether tokens from `from` to the end are a reverse attribution: a short speaker phrase, a
/// reporting verb, then only time words ("the agency said on Thursday.").
fn reported_after(t: &[Tok], from: usize) -> bool {
    let limit = (from + 9).min(t.len());
    let Some(q) = (from + 1..limit)
        .find(|&i| t[i].cue != u16::MAX && matches!(t[i].form, Form::Past | Form::S))
    else {
        return false;
    };
    t[from..q].iter().all(|x| x.word())
        && t[q + 1..]
            .iter()
            .all(|x| x.p != 0 && x.p != b',' || x.has(flag::TIME | flag::PREP | flag::DET))
}

/// The subject of the main clause `[from, to)`: a leading pronoun, name or title phrase.
fn main_subject<'d>(ctx: &Context<'d>, t: &[Tok], from: usize) -> Option<Speaker<'d>> {
    let first = *t.get(from)?;
    if first.has(flag::SUBJ_PRON) {
        return ctx.np_at(t, from).map(|(s, _)| s);
    }
    let (speaker, next) = ctx.np_at(t, from)?;
    if t.get(next).is_some_and(|n| n.poss) || speaker.status == "unlinked" {
        return None;
    }
    Some(speaker)
}

fn push_attr<'d>(
    out: &mut Vec<Attribution<'d>>,
    speaker: Speaker<'d>,
    cue: (u32, u32),
    lemma: &'static str,
    class: &'static str,
    content: (u32, u32),
    shape: Shape,
) {
    if out.iter().any(|a| a.cue.0 < cue.1 && cue.0 < a.cue.1) {
        return;
    }
    out.push(Attribution { speaker, cue, lemma, class, content: vec![content], shape });
}

/// The attributions of one sentence (tokens `t`).
fn sentence_attributions<'d>(ctx: &Context<'d>, t: &[Tok], out: &mut Vec<Attribution<'d>>) {
    let text = ctx.text;
    let s0 = clause_start(ctx, t);
    let lead = leading_clause(ctx, t, s0);
    for k in 0..t.len() {
        let v = t[k];
        if !v.word() {
            continue;
        }
        // "according to X"
        if v.has(flag::ACCORDING) && t.get(k + 1).is_some_and(|n| n.is(text, "to")) {
            let Some((speaker, next)) = ctx.np_at(t, k + 2) else { continue };
            if t.get(next).is_some_and(|n| n.p == 0) {
                // The source ends at a comma or the sentence's end; "according to the Afghan
                // team's coach, X" names no source the phrase reader can take.
                continue;
            }
            let cue = (v.s, t[k + 1].e);
            let content = if k <= s0 {
                let start = next + usize::from(t.get(next).is_some_and(|n| n.p == b','));
                content_end(ctx, t, start, false)
            } else if k > s0 && t[k - 1].p == b',' {
                content_end(ctx, &t[..k - 1], s0, false)
            } else {
                None
            };
            if let Some(content) = content {
                push_attr(out, speaker, cue, "according to", "say", content, Shape::According);
            }
            continue;
        }
        // "his calls for", "Lukashenko's appeal for"
        if v.has(flag::SPEECH_NOUN) && !v.cap {
            let particle = t.get(k + 1).filter(|n| n.is(text, "for") || n.is(text, "to"));
            if let Some(p) = particle {
                let mut j = k;
                let mut adjectives = 0;
                while j > 0 && adjectives < 2 && t[j - 1].word() && t[j - 1].f == 0 && !t[j - 1].cap
                {
                    j -= 1;
                    adjectives += 1;
                }
                let speaker = if j > 0
                    && t[j - 1].has(flag::POSS_PRON)
                    && t[j - 1].has(flag::MASC | flag::FEM)
                {
                    let pron = t[j - 1];
                    let entity = ctx.resolve_pronoun(pron.s, pron.f & flag::MASC != 0);
                    entity.map(|e| Speaker {
                        entity: Some(e),
                        status: "named",
                        via: "pronoun",
                        s: pron.s,
                        e: pron.e,
                    })
                } else if j > 1 && t[j - 1].poss {
                    ctx.np_ending_at(t, j - 2).map(|(s, _)| s).filter(|s| s.entity.is_some())
                } else {
                    None
                };
                if let (Some(speaker), Some(content)) = (speaker, content_end(ctx, t, k + 2, true))
                {
                    let word = v.text(text).to_ascii_lowercase();
                    let (lemma, class) = match word.trim_end_matches('s') {
                        "call" => ("call for", "call"),
                        "appeal" => ("appeal", "call"),
                        "plea" => ("plead", "call"),
                        "pledge" => ("pledge", "intent"),
                        _ => ("promise", "intent"),
                    };
                    push_attr(out, speaker, (v.s, p.e), lemma, class, content, Shape::Nominal);
                }
            }
            continue;
        }
        if v.cue == u16::MAX || v.form == Form::None {
            continue;
        }
        if v.cap && k > 0 {
            // Title case ("Orban Says Nothing") is too ambiguous to read.
            continue;
        }
        let cue = ctx.lex.cues[v.cue as usize];
        let (mut lemma, mut class) = (cue.lemma, cue.class);
        let mut after = k + 1;
        let mut cue_end = v.e;
        if lemma == "call" {
            if t.get(k + 1).is_some_and(|n| n.is(text, "for") || n.is(text, "on")) {
                lemma = "call for";
                cue_end = t[k + 1].e;
                after = k + 2;
            } else if v.form == Form::Ing {
                continue;
            } else {
                lemma = "call";
                class = "characterise";
            }
        }
        // Walk back over adverbs and auxiliaries to the subject.
        let mut j = k;
        while j > 0 && t[j - 1].has(flag::ADV | flag::NEG | flag::HAVE | flag::MODAL | flag::DO) {
            j -= 1;
        }
        if t[j..k].iter().any(|x| x.has(flag::NEG)) {
            // "have not said why": nothing was said.
            continue;
        }
        let be_before = j > 0 && t[j - 1].has(flag::BE);
        // "alleged abuses": an adjective, unknown source.
        if v.form == Form::Past && lemma == "allege" && !be_before && j == k {
            let prev_ok = k == 0
                || !t[k - 1].word()
                || t[k - 1].has(flag::DET | flag::PREP | flag::AND | flag::POSS_PRON)
                || t[k - 1].poss;
            if prev_ok
                && t.get(k + 1)
                    .is_some_and(|n| n.word() && n.f & (flag::THAT | flag::DET | flag::PREP) == 0)
            {
                let mut e = k + 1;
                while e < t.len()
                    && e < k + 7
                    && t[e].word()
                    && t[e].f
                        & (flag::BE
                            | flag::HAVE
                            | flag::MODAL
                            | flag::DO
                            | flag::THAT
                            | flag::REL
                            | flag::AND
                            | flag::PREP
                            | flag::ADV)
                        == 0
                    && t[e].cue == u16::MAX
                    && !(e > k + 1 && t[e].text(text).ends_with("ed"))
                {
                    e += 1;
                }
                if e > k + 1 {
                    let content = (t[k + 1].s, t[e - 1].e);
                    push_attr(
                        out,
                        Speaker::unknown("adjective"),
                        (v.s, v.e),
                        "allege",
                        "allege",
                        content,
                        Shape::Adjective,
                    );
                }
                continue;
            }
        }
        if v.form == Form::Past && be_before {
            // A passive: "was criticized as rigged", "it was reported that".
            let passive_ok = matches!(class, "accuse" | "allege" | "characterise" | "claim")
                || matches!(lemma, "say" | "report" | "believe" | "think" | "fear" | "suspect");
            if !passive_ok {
                continue;
            }
            let mut start = after;
            let by = (after..(after + 4).min(t.len())).find(|&i| t[i].is(text, "by"));
            let agent = by.and_then(|b| ctx.np_at(t, b + 1));
            let speaker = match agent {
                Some((s, _)) => s,
                None => Speaker::unknown("passive"),
            };
            if by.is_some() && agent.is_none() {
                continue;
            }
            if let (Some(b), Some((_, next))) = (by, agent)
                && b == start
            {
                start = next;
            }
            if t.get(start).is_some_and(|n| n.is(text, "as") || n.has(flag::THAT)) {
                cue_end =
                    if t[start].is(text, "as") && start == after { t[start].e } else { cue_end };
                start += 1;
            }
            if let Some(content) = content_end(ctx, t, start, true) {
                push_attr(out, speaker, (v.s, cue_end), lemma, class, content, Shape::Passive);
            }
            continue;
        }
        let progressive = v.form == Form::Ing && be_before;
        if v.form == Form::Ing && !progressive {
            // A participle: ", signaling ...", "and calling for ...", "By calling for ...".
            let prev_ok = k > 0 && (t[k - 1].p == b',' || t[k - 1].has(flag::AND))
                || k == s0 + 1 && t[s0].has(flag::PREP);
            if !prev_ok {
                continue;
            }
            let main_from = match lead {
                Some((comma, _)) if k < comma => comma + 1,
                _ => s0,
            };
            let main_from = match lead {
                Some((comma, _)) if main_from == s0 && comma < k => comma + 1,
                _ => main_from,
            };
            let Some(speaker) = main_subject(ctx, t, main_from) else { continue };
            let mut start = after;
            if t.get(start).is_some_and(|n| n.has(flag::THAT)) {
                start += 1;
            }
            if lemma != "call for" && !topic_ok(ctx, t.get(start)) {
                continue;
            }
            if let Some(content) = content_end(ctx, t, start, true) {
                push_attr(out, speaker, (v.s, cue_end), lemma, class, content, Shape::Participle);
            }
            continue;
        }
        // A finite verb with its subject before it.
        let j = if progressive {
            let mut j = j - 1;
            while j > 0 && t[j - 1].has(flag::ADV | flag::NEG | flag::HAVE | flag::MODAL) {
                j -= 1;
            }
            j
        } else {
            j
        };
        if j == 0 {
            continue;
        }
        let mut subject = None;
        let mut reverse_comma = None;
        if t[j - 1].p == b',' {
            // "X, who ..., believes" / "X, the German chancellor, said"
            for c in (1..j - 1).rev() {
                if t[c].p != b',' {
                    continue;
                }
                let opener = t.get(c + 1);
                if opener.is_some_and(|o| o.has(flag::REL | flag::DET) || o.has(flag::TITLE)) {
                    if let Some((s, start)) = ctx.np_ending_at(t, c - 1)
                        && (start == 0 || !t[start - 1].has(flag::PREP) && !t[start - 1].poss)
                    {
                        subject = Some(s);
                    }
                    break;
                }
            }
            if subject.is_none() {
                // "..., said X."
                if let Some((s, next)) = ctx.np_at(t, k + 1)
                    && t.get(next).is_none_or(|n| n.p != 0)
                    && s.status != "unlinked"
                {
                    subject = Some(s);
                    reverse_comma = Some(j - 1);
                }
            }
        } else if let Some((s, start)) = ctx.np_ending_at(t, j - 1) {
            let bad_before = start > 0 && (t[start - 1].has(flag::PREP) || t[start - 1].poss);
            let unlinked_first = s.status == "unlinked" && start == s0;
            if !bad_before && !unlinked_first {
                subject = Some(s);
                if start > 0 && t[start - 1].p == b',' {
                    reverse_comma = Some(start - 1);
                }
            }
        }
        let Some(speaker) = subject else { continue };
        if t.get(after).is_some_and(|n| n.poss) {
            continue;
        }
        // Past time and place words: "said on Tuesday", "said in a statement".
        let mut start = after;
        let mut rest_empty = true;
        {
            let mut i = after;
            if reverse_comma.is_some() && reverse_comma == Some(j - 1) {
                // "..., said X." : skip the speaker phrase.
                if let Some((_, next)) = ctx.np_at(t, k + 1) {
                    i = next;
                }
            }
            while i < t.len() {
                let x = t[i];
                if x.p != 0 && x.p != b',' {
                    break;
                }
                if x.word() && !x.has(flag::TIME | flag::PREP | flag::DET | flag::ADV) && !x.cap {
                    rest_empty = false;
                    break;
                }
                if x.word() && x.cap && !x.has(flag::TIME) && !t[i - 1].has(flag::PREP | flag::DET)
                {
                    rest_empty = false;
                    break;
                }
                i += 1;
            }
        }
        if let (Some(comma), true) = (reverse_comma, rest_empty) {
            if let Some(content) = content_end(ctx, &t[..comma], s0, false) {
                push_attr(out, speaker, (v.s, cue_end), lemma, class, content, Shape::Finite);
            }
            continue;
        }
        // "said on Thursday (that)", "said here Wednesday that": time and place words first.
        loop {
            if t.get(start).is_some_and(|n| n.has(flag::TIME)) {
                start += 1;
            } else if t.get(start).is_some_and(|n| n.has(flag::PREP | flag::DET))
                && t.get(start + 1).is_some_and(|n| n.has(flag::TIME))
            {
                start += 2;
            } else {
                break;
            }
        }
        if t.get(start).is_some_and(|n| n.has(flag::THAT)) {
            start += 1;
        } else {
            let limit = (start + 7).min(t.len());
            let that = (start..limit)
                .take_while(|&i| t[i].p == 0 || t[i].p == b',')
                .find(|&i| t[i].has(flag::THAT));
            let object_first = lemma == "tell" || lemma == "warn";
            let first = t.get(start);
            match that {
                Some(that)
                    if object_first || first.is_some_and(|n| n.has(flag::PREP | flag::TIME)) =>
                {
                    start = that + 1;
                }
                // Speech verbs that need "that" before a clause: "told reporters" alone, or
                // "conceded a penalty", says nothing.
                _ if lemma == "tell" || class == "agree" => continue,
                _ if !topic_ok(ctx, first) => continue,
                _ => {}
            }
        }
        // A colon, a comma or a quotation mark: a direct quote the marks did not close; an
        // -ing word: a manner ("tweeted using his account"), not what was said.
        if t.get(start).is_none_or(|n| n.p != 0 || is_ing(ctx, n)) {
            continue;
        }
        if let Some(content) = content_end(ctx, t, start, false) {
            push_attr(out, speaker, (v.s, cue_end), lemma, class, content, Shape::Finite);
        }
    }
}

/// Content may open with a preposition only when it names a topic ("warned against", "spoke
/// of"); "tweeted to X" or "added to a series" says nothing.
fn topic_ok(ctx: &Context<'_>, first: Option<&Tok>) -> bool {
    let topic = ["against", "of", "for", "about", "on"];
    !first.is_some_and(|n| n.has(flag::PREP) && !topic.iter().any(|w| n.is(ctx.text, w)))
}

/// Hedges, boosters and loaded words of the claim over tokens `t` (bytes `[s, e)`), and
/// the flags of everything in it.
fn cues_of(ctx: &Context<'_>, t: &[Tok], s: u32, e: u32, holder: Holder) -> Claim {
    let text = ctx.text;
    let mut claim = Claim {
        s,
        e,
        holder,
        kind: "factual",
        hedges: Vec::new(),
        boosters: Vec::new(),
        loaded: Vec::new(),
        flags: 0,
    };
    let from = t.partition_point(|x| x.s < s);
    let mut i = from;
    while i < t.len() && t[i].e <= e {
        let x = t[i];
        if !x.word() {
            i += 1;
            continue;
        }
        let mut f = x.f;
        let mut end = i + 1;
        if x.phrase != u16::MAX {
            for phrase in ctx.lex.phrases(x.phrase) {
                let n = phrase.rest.len();
                let ok = t.len() > i + n
                    && t[i + n].e <= e
                    && t[i + 1..=i + n]
                        .iter()
                        .zip(&phrase.rest)
                        .all(|(tok, w)| tok.word() && tok.text(text).eq_ignore_ascii_case(w));
                if ok {
                    f = phrase.flags;
                    end = i + n + 1;
                    break;
                }
            }
        }
        claim.flags |= f;
        let span = (x.s, t[end - 1].e);
        if f & flag::HEDGE != 0 {
            claim.hedges.push(span);
        }
        if f & flag::BOOSTER != 0 {
            claim.boosters.push(span);
        }
        if f & flag::LOADED != 0 {
            claim.loaded.push(span);
        }
        i = end;
    }
    claim
}

/// The kind of a claim in the author's voice (or of nobody named).
fn author_kind(claim: &Claim) -> &'static str {
    if claim.flags & (flag::OPINION | flag::FIRST_PERSON) != 0 || claim.loaded.len() >= 2 {
        "opinion"
    } else if claim.flags & flag::INTENT != 0 {
        "intent"
    } else {
        "factual"
    }
}

/// The kind of what a speaker says, by the class of the verb first.
fn speaker_kind(class: &str, claim: &Claim, _t: &[Tok]) -> &'static str {
    match class {
        "intent" => "intent",
        "accuse" | "allege" => "allegation",
        "believe" | "assert" | "characterise" | "claim" | "warn" | "call" => "opinion",
        _ if !claim.loaded.is_empty() || !claim.hedges.is_empty() || !claim.boosters.is_empty() => {
            "opinion"
        }
        _ => "factual",
    }
}

/// The claims of one sentence: its clauses in the author's voice, the contents of the
/// attributions found in it (from index `from`) in their speakers' or in nobody's.
fn sentence_claims(
    ctx: &Context<'_>,
    t: &[Tok],
    atts: &[Attribution<'_>],
    from: usize,
    out: &mut Vec<Claim>,
) {
    let mut end = t.len();
    while end > 0 && t[end - 1].p != 0 && t[end - 1].p != b')' {
        end -= 1;
    }
    if end == 0 {
        return;
    }
    let s0 = clause_start(ctx, t);
    // Segments: (from, to, is_adjunct)
    let mut segments: Vec<(usize, usize, bool)> = Vec::new();
    let mut main_from = s0;
    if let Some((comma, subordinate)) = leading_clause(ctx, t, s0)
        && comma < end
    {
        segments.push((s0 + 1, comma, !subordinate));
        main_from = comma + 1;
    }
    let mut main_to = end;
    // A non-restrictive relative clause: ", which ..." / ", who ...,".
    if let Some(c) = (main_from + 1..main_to)
        .find(|&c| t[c].p == b',' && t.get(c + 1).is_some_and(|n| n.has(flag::REL)))
    {
        let rel_end = (c + 2..main_to).find(|&i| t[i].p == b',').unwrap_or(main_to);
        segments.push((c + 1, rel_end, false));
        if rel_end == main_to {
            main_to = c;
        }
    }
    // A trailing participial clause: ", making it ...".
    if let Some(c) = (main_from + 1..main_to)
        .find(|&c| t[c].p == b',' && t.get(c + 1).is_some_and(|n| is_ing(ctx, n)))
    {
        segments.push((c + 1, main_to, false));
        main_to = c;
    }
    segments.push((main_from, main_to, false));
    segments.sort_by_key(|s| s.0);
    let mine = &atts[from..];
    for (a, b, adjunct) in segments {
        if a >= b {
            continue;
        }
        let (s, e) = (t[a].s, t[b - 1].e);
        // Relative clauses inside a main clause are their own claims: keep main text whole.
        let inside = |x: (u32, u32)| s <= x.0 && x.0 < e;
        let mut author = !adjunct;
        for (n, att) in mine.iter().enumerate() {
            if !inside(att.cue) {
                continue;
            }
            let holder = Holder::Speaker(from + n);
            match att.shape {
                Shape::Passive => {
                    let mut claim = cues_of(ctx, t, s, e, Holder::Unknown);
                    push_cue_hedge(att, &mut claim);
                    claim.kind = match att.class {
                        "accuse" | "allege" => "allegation",
                        "believe" => "opinion",
                        _ => author_kind(&claim),
                    };
                    out.push(claim);
                    author = false;
                }
                Shape::Adjective => {
                    let (cs, ce) = att.content_span();
                    let mut claim = cues_of(ctx, t, att.cue.0.min(cs), ce, Holder::Unknown);
                    claim.kind = "allegation";
                    if claim.hedges.is_empty() {
                        push_cue_hedge(att, &mut claim);
                    }
                    out.push(claim);
                }
                Shape::Nominal => {}
                _ if att.class == "call" => {}
                Shape::Participle if t[a].s != att.cue.0 => {}
                _ => {
                    let (cs, ce) = att.content_span();
                    let mut claim = cues_of(ctx, t, cs, ce, holder);
                    push_cue_hedge(att, &mut claim);
                    claim.kind = speaker_kind(att.class, &claim, t);
                    if att.class != "intent"
                        && claim.kind != "allegation"
                        && claim.flags & flag::INTENT != 0
                        && claim.kind == "factual"
                    {
                        claim.kind = "intent";
                    }
                    out.push(claim);
                    author = false;
                }
            }
        }
        if author {
            let mut claim = cues_of(ctx, t, s, e, Holder::Author);
            claim.kind = author_kind(&claim);
            out.push(claim);
        }
    }
}

/// The reporting verb itself is a hedge for some classes ("believes", "criticized as").
fn push_cue_hedge(att: &Attribution<'_>, claim: &mut Claim) {
    if crate::lexicon::class_hedges(att.class)
        && att.cue.1 > att.cue.0
        && !claim.hedges.contains(&att.cue)
    {
        claim.hedges.insert(0, att.cue);
    }
}

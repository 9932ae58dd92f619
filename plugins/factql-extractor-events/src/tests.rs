//! The coder on short texts, with the mentions an entity extractor would give it.

#![allow(clippy::unwrap_used, reason = "tests")]

use crate::{DateRef, Events, Ment};

/// Entities the tests know: (id, name, person, place, demonym forms).
const KNOWN: &[(&str, &str, bool, bool)] = &[
    ("p:lukashenko", "Lukashenko", true, false),
    ("p:orban", "Orban", true, false),
    ("p:scholz", "Olaf Scholz", true, false),
    ("p:macron", "Emmanuel Macron", true, false),
    ("p:putin", "Putin", true, false),
    ("c:hun", "Hungary", false, true),
    ("c:hun", "Hungarian", false, true),
    ("c:blr", "Belarus", false, true),
    ("c:rus", "Russia", false, true),
    ("c:ukr", "Ukraine", false, true),
    ("c:fra", "Paris", false, true),
    ("c:irn", "Iran", false, true),
    ("o:eu", "European Union", false, false),
    ("o:eu", "EU", false, false),
    ("g:west", "Western", false, false),
];

/// Codes `text` (one sentence per line) published 2023-10-30: one line per event,
/// `type cameo modality date | actors -> targets @ place`.
fn code(text: &str) -> Vec<String> {
    let mut ments = Vec::new();
    for (id, name, person, place) in KNOWN {
        for (start, _) in text.match_indices(name) {
            let end = start + name.len();
            if ments.iter().any(|m: &Ment| m.start < end && start < m.end) {
                continue;
            }
            ments.push(Ment {
                start,
                end,
                entity: id,
                person: *person,
                place: *place,
                demonym: name.ends_with("an") || *name == "Western",
                group_name: None,
            });
        }
    }
    let mut dates = Vec::new();
    for year in ["2020", "2022", "2023-10-29"] {
        for (start, _) in text.match_indices(year) {
            dates.push(DateRef { start, end: start + year.len(), value: year.into() });
        }
    }
    let mut sentences = Vec::new();
    let mut at = 0;
    for line in text.split('\n') {
        sentences.push((at, at + line.len()));
        at += line.len() + 1;
    }
    let events = Events::load().unwrap();
    let (found, ments) = events.code(text, &sentences, ments, dates, Some("2023-10-30"));
    found
        .iter()
        .map(|e| {
            let names = |list: &[usize]| {
                list.iter().map(|&m| ments[m].entity.to_owned()).collect::<Vec<_>>().join("+")
            };
            let place = e.place.map(|m| ments[m].entity.to_owned()).unwrap_or_default();
            format!(
                "{} {} {} {} | {} -> {} @ {place}",
                e.ty,
                e.cameo,
                e.modality,
                e.date.as_deref().unwrap_or("-"),
                names(&e.actors),
                names(&e.targets)
            )
        })
        .collect()
}

#[test]
fn verbs_take_the_subject_as_actor_and_the_object_as_target() {
    assert_eq!(
        code("Hungarian Prime Minister Orban met Olaf Scholz in Paris on Tuesday."),
        ["meet 040 asserted - | p:orban -> p:scholz @ c:fra"]
    );
    assert_eq!(
        code("The European Union imposed new sanctions on Iran over its drone exports."),
        ["sanction 163 asserted - | o:eu -> c:irn @ "]
    );
}

#[test]
fn the_passive_swaps_actor_and_target() {
    assert_eq!(
        code("Orban was invited by Lukashenko."),
        ["invite 036 asserted - | p:lukashenko -> p:orban @ "]
    );
    // Without an agent nobody is named, and a verbal act is hearsay.
    assert_eq!(
        code("Russia was criticized as reckless."),
        ["criticize 111 reported - |  -> c:rus @ "]
    );
}

#[test]
fn nominal_triggers_take_possessors_premodifiers_and_prepositions() {
    assert_eq!(
        code("Putin’s invasion of Ukraine in 2022 changed everything."),
        ["invade 192 historical 2022 | p:putin -> c:ukr @ "]
    );
    assert_eq!(
        code("Belarus has faced Western sanctions since 2020."),
        ["sanction 163 asserted 2020 | g:west -> c:blr @ "]
    );
}

#[test]
fn a_definite_nominal_refers_back_to_the_event_named_before() {
    let text = "Lukashenko made the invitation to Orban.\nAlthough Western democracies worried, the invitation highlights his efforts.";
    assert_eq!(
        code(text),
        [
            "invite 036 asserted - | p:lukashenko -> p:orban @ ",
            "invite 036 asserted - | p:lukashenko -> p:orban @ "
        ]
    );
}

#[test]
fn modality_comes_from_the_words_before_the_trigger() {
    assert_eq!(
        code("Hungary did not sanction Russia."),
        ["sanction 163 negated - | c:hun -> c:rus @ "]
    );
    assert_eq!(
        code("Emmanuel Macron will meet Olaf Scholz."),
        ["meet 040 future - | p:macron -> p:scholz @ "]
    );
    assert_eq!(
        code("Lukashenko seeks to meet Orban."),
        ["meet 040 intent - | p:lukashenko -> p:orban @ "]
    );
    assert_eq!(
        code("Putin believes that Russia will attack Ukraine."),
        ["attack 190 future - | c:rus -> c:ukr @ "]
    );
    assert_eq!(
        code("Putin believes that Russia attacked Ukraine."),
        ["attack 190 belief - | c:rus -> c:ukr @ "]
    );
    assert_eq!(
        code("Officials said Russia attacked Ukraine."),
        ["attack 190 reported - | c:rus -> c:ukr @ "]
    );
    // A presupposed nominal keeps its own modality.
    assert_eq!(
        code("Putin believes that Ukraine’s demand for Russia is wrong."),
        ["demand 100 asserted - | c:ukr -> c:rus @ "]
    );
}

#[test]
fn an_appeal_is_refined_by_what_it_asks_for_and_addressed_to_the_conflict_parties() {
    assert_eq!(
        code("Lukashenko called for a ceasefire and negotiations in the Ukraine-Russia conflict."),
        ["call_for 0256 asserted - | p:lukashenko -> c:ukr+c:rus @ "]
    );
}

#[test]
fn an_event_needs_a_participant_and_a_characterisation_is_no_event() {
    assert_eq!(code("The talks failed."), Vec::<String>::new());
    assert_eq!(
        code("Some see Lukashenko as a threat to Western democracies."),
        Vec::<String>::new()
    );
}

#[test]
fn codes_give_their_root_and_plover_category() {
    assert_eq!(Events::categories("036"), ("03", "AGREE"));
    assert_eq!(Events::categories("0256"), ("02", "DEMAND"));
    assert_eq!(Events::categories("163"), ("16", "SANCTION"));
    assert_eq!(Events::categories("192"), ("19", "FIGHT"));
    assert_eq!(Events::categories("040"), ("04", "CONSULT"));
}

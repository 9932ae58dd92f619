//! One test per VADER rule: each pairs a sentence where the rule applies with one where it
//! does not. The expected values are those of vaderSentiment 3.3.2's `polarity_scores` on
//! the same strings (run once by hand; the tests need no Python).

#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::OnceLock;

use super::{Scores, Vader, normalize};

fn vader() -> &'static Vader {
    static VADER: OnceLock<Vader> = OnceLock::new();
    VADER.get_or_init(Vader::load)
}

fn compound(text: &str) -> f64 {
    vader().polarity_scores(text).compound
}

/// Asserts the compound score of each `(text, expected)`, to the 4 digits VADER prints.
#[track_caller]
fn assert_compounds(cases: &[(&str, f64)]) {
    for (text, expected) in cases {
        let got = compound(text);
        assert!((got - expected).abs() < 1e-9, "{text:?}: compound {got}, VADER gives {expected}");
    }
}

#[test]
fn the_bundled_constants_are_those_of_the_data_pack() {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../../data/vader_constants.json")).unwrap();
    assert_eq!(json["B_INCR"].as_f64(), Some(super::B_INCR));
    assert_eq!(json["B_DECR"].as_f64(), Some(super::B_DECR));
    assert_eq!(json["C_INCR"].as_f64(), Some(super::C_INCR));
    assert_eq!(json["N_SCALAR"].as_f64(), Some(super::N_SCALAR));
}

#[test]
fn the_data_loads_whole() {
    let vader = vader();
    // 7,520 lines, 14 words twice ("ok" 1.6, then 1.2): the last one wins, as in VADER's dict.
    let lexicon = vader.table.values().filter(|e| e.valence.is_some()).count();
    assert_eq!(lexicon, 7_506);
    assert_eq!(vader.valence("ok"), Some(1.2));
    assert_eq!(vader.valence("good"), Some(1.9));
    assert_eq!(vader.table.values().filter(|e| e.negation).count(), 59);
    let single_boosters = vader.table.values().filter(|e| e.booster.is_some()).count();
    assert_eq!(single_boosters + vader.booster_phrases.len(), 84);
    assert_eq!(vader.special_cases.len(), 9);
    assert_eq!(vader.emoji.get(&'😁').copied(), Some("beaming face with smiling eyes"));
}

#[test]
fn a_lexicon_word_gives_its_normalised_valence_and_proportions() {
    let scores = vader().polarity_scores("The food was good.");
    // good = 1.9; four tokens, one positive: pos = 2.9 / 5.9.
    assert_eq!(scores, Scores { neg: 0.0, neu: 0.508, pos: 0.492, compound: 0.4404 });
    assert_eq!(compound("The food was good."), (normalize(1.9) * 1e4).round() / 1e4);
    assert_eq!(vader().polarity_scores(""), Scores::default());
    assert_eq!(vader().polarity_scores("the of and"), Scores { neu: 1.0, ..Scores::default() });
}

#[test]
fn negation_flips_and_scales_within_three_words() {
    assert_compounds(&[
        ("The food was good.", 0.4404),
        ("The food was not good.", -0.3412),
        ("The food isn't good.", -0.3412),
        ("The food was not really very good.", -0.427),
        ("There was no good plan.", -0.3412),
        ("no good", -0.3412),
        ("No problem.", 0.3089),
    ]);
}

#[test]
fn never_so_and_without_doubt_do_not_negate() {
    assert_compounds(&[
        ("The food was never so good.", 0.6626),
        ("The food was never this good.", 0.6084),
        ("Without doubt a good plan.", 0.6136),
        ("Without a doubt good.", 0.6136),
    ]);
}

#[test]
fn least_negates_except_at_least_and_very_least() {
    assert_compounds(&[
        ("It is the least good plan.", -0.3412),
        ("It is least good.", -0.3412),
        ("It is at least good.", 0.4404),
    ]);
}

#[test]
fn boosters_and_dampeners_shift_the_next_words() {
    assert_compounds(&[
        ("The food was very good.", 0.4927),
        ("The food was very very good.", 0.5379),
        ("The food was somewhat good.", 0.3832),
        ("The food was hardly good.", 0.3832),
    ]);
}

#[test]
fn kind_of_and_sort_of_dampen() {
    assert_compounds(&[
        ("The food was kind of good.", 0.3832),
        ("The food was sort of good.", 0.3832),
        ("It was just enough good", 0.3832),
        ("It was just too good", 0.4404),
    ]);
}

#[test]
fn all_caps_emphasise_only_when_the_text_mixes_cases() {
    assert_compounds(&[
        ("The food was GOOD.", 0.5622),
        ("The food was VERY good.", 0.6028),
        ("THE FOOD WAS GOOD.", 0.4404),
        ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
    ]);
}

#[test]
fn but_halves_what_comes_before_and_raises_what_follows() {
    assert_compounds(&[
        ("The food was good, but the service was bad.", -0.5859),
        ("The food was bad, but the service was good.", 0.3818),
        ("accept but heart", 0.8225),
        // VADER's loop changes the first equal value: heart (3.2) is halved to 1.6, then the
        // 1.6 of "accept" halves that same position again instead of being raised.
        ("heart but accept", 0.5267),
    ]);
}

#[test]
fn exclamation_and_question_marks_emphasise() {
    assert_compounds(&[
        ("The food was good!", 0.4926),
        ("The food was good!!!!!!", 0.6209),
        ("The food was good?", 0.4404),
        ("The food was good??", 0.504),
        ("The food was good????", 0.594),
    ]);
    let scores = vader().polarity_scores("The food was good!");
    assert_eq!((scores.pos, scores.neu), (0.516, 0.484));
}

#[test]
fn special_case_phrases_override_the_valence() {
    assert_compounds(&[
        ("I am the bomb. Maybe.", 0.6124),
        ("I am a bomb. Maybe.", -0.4939),
        ("it was the kiss of death for us", -0.6124),
        ("it was the kiss of life for us", 0.4215),
        ("We waited at the bus stop.", 0.0),
        ("We waited at the big stop.", -0.296),
    ]);
}

#[test]
fn tokens_keep_punctuation_when_stripping_leaves_two_characters_or_fewer() {
    // "no," stays "no," (not a lexicon word, so it negates nothing); ":)" stays an emoticon.
    assert_compounds(&[
        ("no, good", 0.4404),
        ("no good", -0.3412),
        ("Make sure you :) today", 0.6486),
    ]);
}

#[test]
fn emoji_are_scored_by_their_descriptions() {
    assert_compounds(&[("I ❤ you", 0.6369), ("I you", 0.0)]);
}

/// VADER's `_but_check` as written in Python: `index` finds the first equal value.
fn but_check_as_in_python(values: &mut [f64], bi: usize) {
    for k in 0..values.len() {
        let value = values[k];
        let si = values.iter().position(|v| *v == value).unwrap();
        if si < bi {
            values[si] = value * 0.5;
        } else if si > bi {
            values[si] = value * 1.5;
        }
    }
}

#[test]
fn the_but_shift_gives_what_vaders_loop_gives() {
    // Values that repeat and that are halves and one-and-a-halves of each other, so the
    // first-equal-value quirk shows up often.
    let pool = [0.0, 0.0, 0.0, 1.6, 3.2, 0.8, 2.4, -1.6, -3.2, -0.8, 1.2, 1.8];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    let mut quirky = 0;
    for _ in 0..2_000 {
        let len = 1 + next(30);
        let values: Vec<f64> = (0..len).map(|_| pool[next(pool.len())]).collect();
        let bi = next(len);
        let mut expected = values.clone();
        let mut values = values;
        values[bi] = 0.0;
        expected[bi] = 0.0;
        let naive: Vec<f64> = values
            .iter()
            .enumerate()
            .map(|(i, v)| match i.cmp(&bi) {
                std::cmp::Ordering::Less => v * 0.5,
                std::cmp::Ordering::Greater => v * 1.5,
                std::cmp::Ordering::Equal => *v,
            })
            .collect();
        but_check_as_in_python(&mut expected, bi);
        quirky += usize::from(expected != naive);
        super::but_check(&mut values, Some(bi));
        assert_eq!(values, expected);
    }
    assert!(quirky > 100, "the quirk was exercised {quirky} times");
}

#[test]
fn rounding_is_pythons() {
    // Python: round(0.00005, 4) == 0.0001 (0.00005 is a little above the half), and
    // round(0.125, 2) == 0.12 (an exact tie goes to even).
    assert_eq!(super::py_round(0.00005, 4), 0.0001);
    assert_eq!(super::py_round(0.125, 2), 0.12);
    assert_eq!(super::py_round(0.375, 2), 0.38);
    assert_eq!(super::py_round(-0.4404093, 4), -0.4404);
    let mut x = -1.0;
    while x <= 1.0 {
        let reference: f64 = format!("{x:.4}").parse().unwrap();
        assert_eq!(super::py_round(x, 4), reference, "{x}");
        x += 0.000_013_7;
    }
}

#[test]
fn a_document_scores_its_sentences_as_they_score_alone() {
    let vader = vader();
    let cases: &[(&str, &[std::ops::Range<usize>])] = &[
        // Sentences between white space: their tokens are the text's.
        (
            "The food was GOOD. But the service was not bad!! Really?? \u{a0}No.",
            &[0..18, 18..48, 49..57, 60..63],
        ),
        // Ends inside tokens ("GOOD." cut after "GO", "not" cut before "t"): scored alone.
        ("The food was GOOD. But the service was not bad", &[0..15, 15..42, 42..46]),
        // Emoji anywhere: every sentence scored alone, as VADER replaces them first.
        ("I \u{2764} you. You are not so great.", &[0..10, 11..32]),
        // No sentences, and one that is only white space.
        ("Fine.", &[]),
        ("Fine. ", &[0..5, 5..6]),
    ];
    let mut scorer = vader.scorer();
    for (text, sentences) in cases {
        let (whole, each) = scorer.score_document(text, sentences);
        assert_eq!(whole, vader.polarity_scores(text), "{text:?}");
        let alone: Vec<Scores> =
            sentences.iter().map(|s| vader.polarity_scores(&text[s.clone()])).collect();
        assert_eq!(each, alone, "{text:?}");
    }
}

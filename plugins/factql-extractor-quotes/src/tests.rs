//! The extractor on short texts, with the mentions an entity extractor and the roles an office
//! extractor would give it.

#![allow(clippy::unwrap_used, reason = "tests")]

use factql_plugin_sdk::Config;
use factql_plugin_sdk::testing::run_with;
use factql_plugin_sdk::wire::{Entity, Fact, Inputs, Mention, MentionLevel, Span, Target, Value};

use super::Quotes;

/// People, organisations and places the tests know.
const KNOWN: &[(&str, &str, &str, &[&str])] = &[
    ("wd:Q8880", "person", "Ursula von der Leyen", &["von der Leyen"]),
    ("wd:Q2866", "person", "Alexander Lukashenko", &["Lukashenko"]),
    ("wd:Q3052772", "person", "Emmanuel Macron", &["Macron"]),
    ("wd:Q7747", "person", "Vladimir Putin", &["Putin"]),
    ("wd:Q61053", "person", "Olaf Scholz", &["Scholz"]),
    ("wd:Q57641", "person", "Viktor Orban", &["Orban"]),
    ("wd:Q6", "person", "Sviatlana Tsikhanouskaya", &["Tsikhanouskaya"]),
    ("wd:Q1", "person", "Jane Doe", &["Doe"]),
    ("wd:Q2", "person", "Peter Szijjarto", &["Szijjarto"]),
    ("wd:Q3", "org", "Kremlin", &[]),
    ("wd:Q4", "org", "TASS", &[]),
    ("iso:HUN", "place", "Hungary", &["Hungarian"]),
    ("iso:DEU", "place", "Germany", &["German"]),
    ("iso:RUS", "place", "Russia", &[]),
];

fn ent_type(kind: &str) -> &'static str {
    match kind {
        "person" => "PER",
        "org" => "ORG",
        _ => "GPE",
    }
}

/// Runs the extractor on `text` with a mention for every known name in it, sentences from the
/// SDK's splitter, and the given role facts (title, person id).
fn run(text: &str, roles: &[(&str, &str)]) -> Vec<Fact> {
    let mut mentions = Vec::new();
    let mut entities = Vec::new();
    for (id, kind, name, aliases) in KNOWN {
        let mut names: Vec<&str> = std::iter::once(*name).chain(aliases.iter().copied()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for n in names {
            for (start, _) in text.match_indices(n) {
                let end = start + n.len();
                if taken.iter().any(|&(s, e)| start < e && s < end) {
                    continue;
                }
                taken.push((start, end));
                mentions.push(Mention {
                    span: Span::new(start, end),
                    ent_type: ent_type(kind).into(),
                    level: MentionLevel::Name,
                    entity: Some((*id).into()),
                    confidence: 1.0,
                });
            }
        }
        entities.push(Entity {
            id: (*id).into(),
            kind: (*kind).into(),
            name: (*name).into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            wikidata: None,
        });
    }
    mentions.sort_by_key(|m| m.span.start);
    let facts = roles
        .iter()
        .map(|(title, person)| Fact {
            kind: "role".into(),
            span: Span::new(0, 1),
            fields: vec![("title".into(), Value::Str((*title).into()))],
            args: vec![factql_plugin_sdk::wire::Arg {
                role: "person".into(),
                target: Target::Entity((*person).into()),
            }],
            confidence: 1.0,
        })
        .collect();
    let inputs = Inputs {
        sentences: factql_plugin_sdk::text::sentences(text),
        mentions,
        entities,
        facts,
        published: Some("2022-03-02".into()),
        ..Inputs::default()
    };
    run_with::<Quotes>(text, &Config::default(), inputs).unwrap().facts
}

fn field(fact: &Fact, name: &str) -> String {
    match fact.get(name) {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::List(items)) => format!("{items:?}"),
        Some(other) => format!("{other:?}"),
        None => "-".into(),
    }
}

fn who(fact: &Fact, role: &str) -> String {
    fact.args.iter().find(|a| a.role == role).map_or_else(
        || "-".into(),
        |a| match &a.target {
            Target::Entity(id) => id.clone(),
            other => format!("{other:?}"),
        },
    )
}

/// Quotes as "speaker | verb | class | direct | status/via | text".
fn quotes(text: &str, roles: &[(&str, &str)]) -> Vec<String> {
    run(text, roles)
        .iter()
        .filter(|f| f.kind == "quote")
        .map(|f| {
            format!(
                "{} | {} | {} | {} | {}/{} | {}",
                who(f, "speaker"),
                field(f, "verb"),
                field(f, "verb_class"),
                field(f, "direct"),
                field(f, "speaker_status"),
                field(f, "speaker_via"),
                field(f, "text"),
            )
        })
        .collect()
}

/// Claims as "holder(entity) | kind | text".
fn claims(text: &str) -> Vec<String> {
    run(text, &[])
        .iter()
        .filter(|f| f.kind == "claim")
        .map(|f| {
            format!(
                "{}({}) | {} | {}",
                field(f, "holder_type"),
                who(f, "holder"),
                field(f, "kind"),
                field(f, "text")
            )
        })
        .collect()
}

#[test]
fn curly_and_straight_quotes_with_the_speaker_after_them() {
    let text = "The EU agreed new sanctions on Wednesday. \u{201c}These sanctions show that aggression has a price,\u{201d} von der Leyen said. \"Sanctions will remain until the war ends,\" Macron said.";
    assert_eq!(
        quotes(text, &[]),
        [
            "wd:Q8880 | say | say | true | named/name | These sanctions show that aggression has a price",
            "wd:Q3052772 | say | say | true | named/name | Sanctions will remain until the war ends",
        ]
    );
}

#[test]
fn said_x_inversion_and_a_speaker_before_the_quote() {
    let text = "\u{201c}Belarus is not Lukashenko,\u{201d} said Tsikhanouskaya.\nOrban told reporters: \u{201c}We will not block the package.\u{201d}";
    assert_eq!(
        quotes(text, &[]),
        [
            "wd:Q6 | say | say | true | named/name | Belarus is not Lukashenko",
            "wd:Q57641 | tell | say | true | named/name | We will not block the package.",
        ]
    );
}

#[test]
fn a_pronoun_speaker_is_the_last_person_of_a_compatible_sex() {
    // "she" skips Putin (a man's first name) for Ursula von der Leyen, who spoke before him.
    let text = "Ursula von der Leyen met Vladimir Putin in Moscow. \u{201c}We talked for hours,\u{201d} she said.\nJane Doe spoke later. \u{201c}Nothing changed,\u{201d} he said.";
    let found = quotes(text, &[]);
    assert_eq!(found[0], "wd:Q8880 | say | say | true | named/pronoun | We talked for hours");
    // "he" after a sentence naming only Jane Doe (a woman's name): no compatible person there,
    // so the nearest earlier one, Putin.
    assert_eq!(found[1], "wd:Q7747 | say | say | true | named/pronoun | Nothing changed");
}

#[test]
fn a_pronoun_with_no_person_near_stays_unnamed() {
    let text = "Prices rose again in March. Markets fell. Trade slowed. Rents climbed.\n\u{201c}It is hard,\u{201d} he said.";
    assert_eq!(quotes(text, &[]), ["- | say | say | true | nominal/pronoun | It is hard"]);
}

#[test]
fn a_quote_over_paragraphs_reopens_at_each_paragraph() {
    let text = "Scholz said: \u{201c}The first part of the answer.\n\u{201c}The second part of it.\u{201d}\nThe talks ended.";
    assert_eq!(
        quotes(text, &[]),
        [
            "wd:Q61053 | say | say | true | named/name | The first part of the answer. The second part of it."
        ]
    );
    // Not reopened: an unbalanced mark gives nothing.
    let text = "Scholz said: \u{201c}The first part of the answer.\nThe talks ended.";
    assert_eq!(quotes(text, &[]), Vec::<String>::new());
}

#[test]
fn a_quote_right_after_another_keeps_its_speaker_and_scare_quotes_are_no_quotes() {
    let text = "\u{201c}We are ready,\u{201d} Orban said. \u{201c}The pipeline opens next year.\u{201d}\nCritics called it a \u{201c}gift\u{201d} to Moscow.";
    assert_eq!(
        quotes(text, &[]),
        [
            "wd:Q57641 | say | say | true | named/name | We are ready",
            "wd:Q57641 | say | say | true | named/continued | The pipeline opens next year.",
        ]
    );
}

#[test]
fn indirect_speech_with_that_a_title_and_according_to() {
    let text = "Hungarian Foreign Minister Peter Szijjarto said on Monday that Budapest would not block the package. The foreign minister told reporters that talks would go on. According to the Kremlin, Putin warned against new sanctions.";
    assert_eq!(
        quotes(text, &[("Foreign Minister", "wd:Q2")]),
        [
            "wd:Q2 | say | say | false | named/name | Budapest would not block the package",
            "wd:Q2 | tell | say | false | named/title | talks would go on",
            "wd:Q3 | according to | say | false | named/name | Putin warned against new sanctions",
            "wd:Q7747 | warn | warn | false | named/name | against new sanctions",
        ]
    );
    // Without the office, the title names nobody.
    let text = "The foreign minister told reporters that talks would go on.";
    assert_eq!(quotes(text, &[]), ["- | tell | say | false | nominal/nominal | talks would go on"]);
}

#[test]
fn reverse_attribution_relative_clause_and_description() {
    let text = "The sanctions had backfired, Orban said. Lukashenko, who met Putin in 2022, believes that talks are needed. He described the war as a stalemate.";
    assert_eq!(
        quotes(text, &[]),
        [
            "wd:Q57641 | say | say | false | named/name | The sanctions had backfired",
            "wd:Q2866 | believe | believe | false | named/name | talks are needed",
            "wd:Q2866 | describe | characterise | false | named/pronoun | the war as a stalemate",
        ]
    );
}

#[test]
fn agentless_passive_and_alleged_have_no_speaker_but_an_agent_after_by_does() {
    let text = "The vote was criticized as rigged. Scholz condemned the alleged abuses of prisoners. The plan was criticized by Orban as reckless.";
    assert_eq!(
        quotes(text, &[]),
        [
            "- | criticize | accuse | false | unknown/passive | rigged",
            "wd:Q61053 | condemn | accuse | false | named/name | the alleged abuses of prisoners",
            "- | allege | allege | false | unknown/adjective | abuses",
            "wd:Q57641 | criticize | accuse | false | named/name | reckless",
        ]
    );
}

#[test]
fn things_that_are_not_speech_give_no_quote() {
    // An inanimate subject, a name after a preposition, a possessive noun, a headline verb.
    let text = "The invitation to Orban highlights his efforts. The West's claims to superiority are weak.\nOrban Says Nothing";
    assert_eq!(quotes(text, &[]), Vec::<String>::new());
}

#[test]
fn claims_have_holders_kinds_and_cues() {
    let text = "Hungary is the only EU country that talks to Belarus, making it a potential intermediary. Orban said the sanctions had clearly backfired. The vote was criticized as rigged. These brutal, shameful changes challenge the West.";
    assert_eq!(
        claims(text),
        [
            "author(-) | factual | Hungary is the only EU country that talks to Belarus",
            "author(-) | opinion | making it a potential intermediary",
            "speaker(wd:Q57641) | opinion | the sanctions had clearly backfired",
            "unknown(-) | allegation | The vote was criticized as rigged",
            "author(-) | opinion | These brutal, shameful changes challenge the West",
        ]
    );
    let facts = run(text, &[]);
    let claim = |n: usize| facts.iter().filter(|f| f.kind == "claim").nth(n).unwrap();
    assert_eq!(field(claim(0), "boosters"), "[Str(\"the only\")]");
    assert_eq!(field(claim(1), "hedges"), "[Str(\"potential\")]");
    assert_eq!(field(claim(1), "hedged"), "true");
    assert_eq!(field(claim(2), "verb"), "say");
    assert_eq!(field(claim(4), "loaded"), "[Str(\"brutal\"), Str(\"shameful\")]");
}

#[test]
fn a_direct_quote_is_its_speakers_claim() {
    let text = "\u{201c}We may need more time,\u{201d} Scholz said.";
    assert_eq!(claims(text), ["speaker(wd:Q61053) | opinion | We may need more time"]);
}

#[test]
fn negated_speech_objects_and_manners_are_no_quotes_and_they_is_unnamed() {
    let text = "Orban has not said why the talks failed. Scholz conceded a goal late. Putin tweeted to Macron. Macron tweeted using his phone.";
    assert_eq!(quotes(text, &[]), Vec::<String>::new());
    let text = "They say the mineral is the simplest fix.";
    assert_eq!(
        quotes(text, &[]),
        ["- | say | say | false | nominal/pronoun | the mineral is the simplest fix"]
    );
}

#[test]
fn time_words_after_the_verb_and_a_long_subject_before_a_reverse_attribution() {
    let text = "Hungary will support the resolution, the official news agency TASS said on Thursday. Orban said on Sunday there were concerns about the vote.";
    assert_eq!(
        quotes(text, &[]),
        [
            "wd:Q4 | say | say | false | named/name | Hungary will support the resolution",
            "wd:Q57641 | say | say | false | named/name | there were concerns about the vote",
        ]
    );
}

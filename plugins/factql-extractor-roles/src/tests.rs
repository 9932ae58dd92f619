//! The roles extractor on short texts, with the mentions an entity extractor would give it.

#![allow(clippy::unwrap_used, reason = "tests")]

use factql_plugin_sdk::Config;
use factql_plugin_sdk::testing::run_with;
use factql_plugin_sdk::wire::{Entity, Fact, Inputs, Mention, MentionLevel, Span, Target, Value};

use super::Roles;

/// People and places the tests know, as an entity extractor would name them.
const KNOWN: &[(&str, &str, &str, &[&str])] = &[
    ("wd:Q57641", "person", "Viktor Orban", &["Orban", "Viktor Orbán"]),
    ("wd:Q2866", "person", "Alexander Lukashenko", &["Lukashenko", "Alyaksandr Lukashenka"]),
    ("wd:Q61053", "person", "Olaf Scholz", &["Scholz"]),
    ("wd:Q22686", "person", "Donald Trump", &["Trump"]),
    ("wd:Q7747", "person", "Vladimir Putin", &["Putin"]),
    ("local:person:jane doe", "person", "Jane Doe", &["Doe"]),
    ("iso:HUN", "place", "Hungary", &["Hungarian"]),
    ("iso:BLR", "place", "Belarus", &["Belarusian"]),
    ("iso:DEU", "place", "Germany", &["German"]),
    ("iso:USA", "place", "United States", &["U.S."]),
];

/// Runs the extractor on `text`, with a mention for every name of `KNOWN` found in it.
fn roles(text: &str, published: Option<&str>) -> Vec<Fact> {
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
                let level = if *kind == "place" && n.ends_with('n') && n != *name {
                    MentionLevel::Demonym
                } else {
                    MentionLevel::Name
                };
                mentions.push(Mention {
                    span: Span::new(start, end),
                    ent_type: if *kind == "person" { "PER" } else { "GPE" }.into(),
                    level,
                    entity: Some((*id).into()),
                    confidence: 1.0,
                });
            }
        }
        if !taken.is_empty() {
            entities.push(Entity {
                id: (*id).into(),
                kind: (*kind).into(),
                name: (*name).into(),
                aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
                wikidata: None,
            });
        }
    }
    mentions.sort_by_key(|m| m.span.start);
    // One sentence per line (the naive splitter of the harness would cut after "U.S.").
    let mut at = 0;
    let mut lines = Vec::new();
    for line in text.split('\n') {
        if !line.is_empty() {
            lines.push(Span::new(at, at + line.len()));
        }
        at += line.len() + 1;
    }
    let inputs = Inputs {
        sentences: lines,
        mentions,
        entities,
        published: published.map(str::to_owned),
        ..Inputs::default()
    };
    run_with::<Roles>(text, &Config::default(), inputs).unwrap().facts
}

/// A role as (evidence, person, title, category, country, qualifier, verified, source).
fn row(text: &str, fact: &Fact) -> String {
    let s = |name: &str| match fact.get(name) {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Interval(from, to)) => {
            format!("{}..{}", from.as_deref().unwrap_or(""), to.as_deref().unwrap_or(""))
        }
        _ => "-".into(),
    };
    let person =
        fact.args.iter().find(|a| a.role == "person").map_or("-".into(), |a| match &a.target {
            Target::Entity(id) => id.clone(),
            other => format!("{other:?}"),
        });
    format!(
        "{} | {person} | {} | {} | {} | {} | {} | {} | {}",
        fact.span.slice(text).unwrap(),
        s("title"),
        s("category"),
        s("country"),
        s("qualifier"),
        s("verified"),
        s("during"),
        s("source"),
    )
}

fn rows(text: &str, published: Option<&str>) -> Vec<String> {
    roles(text, published).iter().map(|f| row(text, f)).collect()
}

#[test]
fn a_title_with_a_demonym_before_the_name_is_checked_against_the_office_holders() {
    let text = "Hungarian Prime Minister Viktor Orban met Belarus leader Alexander Lukashenko.";
    assert_eq!(
        rows(text, Some("2023-10-30")),
        [
            "Hungarian Prime Minister Viktor Orban | wd:Q57641 | Prime Minister | head_of_government | Hungary | - | true | 2010-05-29.. | text",
            "Belarus leader Alexander Lukashenko | wd:Q2866 | leader | head_of_state | Belarus | - | true | 1994-07-20.. | text",
        ]
    );
}

#[test]
fn without_a_publication_date_nothing_is_checked() {
    let text = "Belarus leader Alexander Lukashenko spoke.";
    assert_eq!(
        rows(text, None),
        [
            "Belarus leader Alexander Lukashenko | wd:Q2866 | leader | leader | Belarus | - | - | - | text"
        ]
    );
}

#[test]
fn a_qualified_title_of_someone_out_of_office_is_not_verified() {
    let text = "Critics of former U.S. President Donald Trump gathered.";
    assert_eq!(
        rows(text, Some("2023-10-30")),
        [
            "former U.S. President Donald Trump | wd:Q22686 | President | head_of_state | United States | former | false | - | text"
        ]
    );
}

#[test]
fn an_apposition_after_the_name_gives_the_role() {
    let text = "Olaf Scholz, the German chancellor, said so.\nJane Doe, a teacher, did not.";
    assert_eq!(
        rows(text, Some("2023-10-30")),
        [
            "Olaf Scholz, the German chancellor | wd:Q61053 | chancellor | head_of_government | Germany | - | true | 2021-12-08..2025-05-06 | text"
        ]
    );
}

#[test]
fn a_title_without_a_name_goes_to_the_one_person_with_that_office() {
    let text =
        "Hungarian Prime Minister Visits Minsk\n\nHungarian Prime Minister Viktor Orban arrived.";
    let found = rows(text, None);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[1],
        "Hungarian Prime Minister | wd:Q57641 | Prime Minister | head_of_government | Hungary | - | - | - | text"
    );
}

#[test]
fn a_leader_named_without_a_title_gets_the_office_from_the_factbook() {
    let text = "Vladimir Putin spoke, and Jane Doe listened.";
    assert_eq!(
        rows(text, Some("2023-10-30")),
        [
            "Vladimir Putin | wd:Q7747 | President | head_of_state | Russia | - | true | 2012-05-07.. | kb"
        ]
    );
    assert_eq!(rows(text, None), Vec::<String>::new());
}

#[test]
fn titles_are_whole_words_and_need_a_name_after_them() {
    let text = "The premiership of Jane Doe ended.\nThe president said Jane Doe left.";
    assert_eq!(rows(text, Some("2023-10-30")), Vec::<String>::new());
}

#[test]
fn an_apposition_with_a_curly_quote_is_read_without_a_panic() {
    // "the ", "of " and the qualifiers were compared by slicing that many bytes after the
    // comma or the title, which could cut the three bytes of a curly quote.
    for text in
        ["Viktor Orban, ab’ x y", "Viktor Orban, forme’ x y", "Viktor Orban, Prime Minister o’ x"]
    {
        // `rows` unwraps the extractor's result: a panic in it fails here.
        assert!(rows(text, Some("2023-10-30")).len() <= 1, "{text}");
    }
}

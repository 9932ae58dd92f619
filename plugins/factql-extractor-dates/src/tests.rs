//! One test per rule: each asserts the spans and values a rule must give, and what it must not.

#![allow(clippy::unwrap_used, reason = "tests")]

use factql_plugin_sdk::testing::run_with;
use factql_plugin_sdk::wire::{Inputs, Value};
use factql_plugin_sdk::{Config, text};

use super::{DateType, Dates, Found, scan};

/// Runs the scanner; gives (text of the span, value) for each expression.
fn found(text: &str, published: Option<&str>) -> Vec<Found> {
    let sentences: Vec<_> = text::sentences(text).into_iter().map(|s| s.range()).collect();
    scan(text, &sentences, published)
}

fn pairs(text: &str, published: Option<&str>) -> Vec<(String, String)> {
    found(text, published).into_iter().map(|f| (text[f.span].to_owned(), f.value)).collect()
}

fn p(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

const PUB: Option<&str> = Some("2023-10-30"); // a Monday

#[test]
fn explicit_full_dates_in_news_formats() {
    let text = "It began on March 3, 2022 and on 3 March 2022, on March 3rd, 2022, on the \
                4th of July 1990, on 2022-03-03 and on Thursday, February 23, 2006.";
    assert_eq!(
        pairs(text, None),
        p(&[
            ("March 3, 2022", "2022-03-03"),
            ("3 March 2022", "2022-03-03"),
            ("March 3rd, 2022", "2022-03-03"),
            ("4th of July 1990", "1990-07-04"),
            ("2022-03-03", "2022-03-03"),
            ("Thursday, February 23, 2006", "2006-02-23"),
        ])
    );
    assert_eq!(pairs("Posted 2022-03-15T10:00Z.", None), p(&[("2022-03-15", "2022-03-15")]));
    assert!(found(text, None).iter().all(|f| f.kind == DateType::Explicit && f.anchor.is_none()));
    // A weekday before a day of a month without a year is one expression, dated by the day.
    assert_eq!(
        pairs("On Sunday, March 4 it rained; on Friday 3 March too.", Some("2007-03-05")),
        p(&[("Sunday, March 4", "2007-03-04"), ("Friday 3 March", "2007-03-03")])
    );
    // Impossible dates are not dates (the year alone still is a year).
    assert_eq!(pairs("On February 30, 2022 and 2022-02-30.", None), p(&[("2022", "2022")]));
}

#[test]
fn numeric_dates_only_when_unambiguous() {
    assert_eq!(
        pairs("Filed 03/14/2022, 14.03.2022 and 05/05/2021, not 03/04/2022.", None),
        p(&[
            ("03/14/2022", "2022-03-14"),
            ("14.03.2022", "2022-03-14"),
            ("05/05/2021", "2021-05-05")
        ])
    );
}

#[test]
fn months_years_decades_and_halves() {
    let text = "In March 2022, Sept. 2021 and in 2020 prices rose, as in the 1990s; the second \
                half of 2020 and 2020's second half and the first quarter of 2022.";
    assert_eq!(
        pairs(text, None),
        p(&[
            ("March 2022", "2022-03"),
            ("Sept. 2021", "2021-09"),
            ("2020", "2020"),
            ("1990s", "199"),
            ("second half of 2020", "2020-H2"),
            ("2020's second half", "2020-H2"),
            ("first quarter of 2022", "2022-Q1"),
        ])
    );
    let all = found(text, None);
    assert_eq!(all[0].during, Some((Some("2022-03".into()), Some("2022-03".into()))));
    assert_eq!(all[3].during, Some((Some("1990".into()), Some("1999".into()))));
    assert_eq!(all[4].during, Some((Some("2020-07".into()), Some("2020-12".into()))));
}

#[test]
fn modifiers_come_from_the_word_before() {
    let all = found("Sanctions since 2020, until March 2021, growth in mid-2022.", None);
    let mods: Vec<_> = all.iter().map(|f| f.modifier).collect();
    assert_eq!(mods, [Some("since"), Some("until"), Some("mid")]);
}

#[test]
fn numbers_that_are_not_years() {
    let text = "About 2020 people paid $2020 or 2020% for 1,000 items at 20:20, call 555-2020, \
                 in 1750 and 2150, room 2020.";
    assert_eq!(pairs(text, PUB), p(&[]));
}

#[test]
fn temponyms() {
    let text = "Since the 2020 election and the 9/11 attacks, January 6th protesters were charged.";
    let all = found(text, PUB);
    assert_eq!(
        pairs(text, PUB),
        p(&[("2020 election", "2020"), ("9/11", "2001-09-11"), ("January 6th", "2021-01-06")])
    );
    assert!(all.iter().all(|f| f.kind == DateType::Temponym));
}

#[test]
fn a_yearless_day_far_from_the_publication_date_stays_unresolved() {
    // Resolving "January 6th" against the publication year (2023-01-06) would be wrong.
    let far = found("He spoke about January 6th again.", PUB);
    assert_eq!(far.len(), 1);
    assert_eq!((far[0].value.as_str(), far[0].resolved()), ("", false));
    // Close to the publication date it is that day.
    assert_eq!(pairs("It happened on October 12.", PUB), p(&[("October 12", "2023-10-12")]));
    assert_eq!(
        pairs("It happened on January 6.", Some("2023-01-20")),
        p(&[("January 6", "2023-01-06")])
    );
    // Just after New Year, a past December is last year's.
    assert_eq!(
        pairs("Sales on December 24 fell.", Some("2024-01-05")),
        p(&[("December 24", "2023-12-24")])
    );
    // In a future sentence, the next one.
    assert_eq!(
        pairs("Talks will resume on November 15.", PUB),
        p(&[("November 15", "2023-11-15")])
    );
}

#[test]
fn relative_days_weeks_months_years() {
    let text = "Yesterday and today, not tomorrow; last week, this month, next year, earlier this \
                month, two days ago, 3 weeks ago and a year ago.";
    assert_eq!(
        pairs(text, PUB),
        p(&[
            ("Yesterday", "2023-10-29"),
            ("today", "2023-10-30"),
            ("tomorrow", "2023-10-31"),
            ("last week", "2023-W43"),
            ("this month", "2023-10"),
            ("next year", "2024"),
            ("earlier this month", "2023-10"),
            ("two days ago", "2023-10-28"),
            ("3 weeks ago", "2023-W41"),
            ("a year ago", "2022"),
        ])
    );
    let all = found(text, PUB);
    assert!(
        all.iter()
            .all(|f| f.kind == DateType::Relative && f.anchor.as_deref() == Some("2023-10-30"))
    );
    assert_eq!(all[3].during, Some((Some("2023-10-23".into()), Some("2023-10-29".into()))));
    assert_eq!(pairs("It opened 100 years ago.", PUB), p(&[("100 years ago", "1923")]));
    // Across a year end.
    assert_eq!(pairs("last month", Some("2024-01-10")), p(&[("last month", "2023-12")]));
}

#[test]
fn weekdays_resolve_to_the_publication_week() {
    // 2023-10-30 is a Monday.
    assert_eq!(pairs("They met on Thursday.", PUB), p(&[("Thursday", "2023-10-26")]));
    assert_eq!(pairs("They met on Monday.", PUB), p(&[("Monday", "2023-10-30")]));
    assert_eq!(pairs("They will meet on Thursday.", PUB), p(&[("Thursday", "2023-11-02")]));
    assert_eq!(pairs("It was last Monday.", PUB), p(&[("last Monday", "2023-10-23")]));
    assert_eq!(pairs("It is next Monday.", PUB), p(&[("next Monday", "2023-11-06")]));
    assert_eq!(pairs("It is this Friday.", PUB), p(&[("this Friday", "2023-11-03")]));
    // "due to" is not the future.
    assert_eq!(pairs("It closed on Thursday due to rain.", PUB), p(&[("Thursday", "2023-10-26")]));
    // Named days are not dates of the publication week.
    assert_eq!(pairs("Black Friday sales and Super Tuesday.", PUB), p(&[]));
}

#[test]
fn bare_months_need_a_preposition_and_resolve_by_tense() {
    assert_eq!(pairs("It rose in March.", PUB), p(&[("March", "2023-03")]));
    assert_eq!(pairs("It will rise in March.", PUB), p(&[("March", "2024-03")]));
    assert_eq!(pairs("It rose last November.", PUB), p(&[("last November", "2022-11")]));
    // The verb and the modal are not months.
    assert_eq!(pairs("May they march. March on.", PUB), p(&[]));
}

#[test]
fn vague_references() {
    let text = "He recently said the current talks, now stalled, will resume soon.";
    assert_eq!(
        pairs(text, PUB),
        p(&[
            ("recently", "PAST_REF"),
            ("current", "PRESENT_REF"),
            ("now", "PRESENT_REF"),
            ("soon", "FUTURE_REF")
        ])
    );
    let all = found(text, PUB);
    assert!(all.iter().all(|f| f.kind == DateType::Vague));
    assert_eq!(all[0].during, Some((None, Some("2023-10-30".into()))));
    assert_eq!(all[3].during, Some((Some("2023-10-30".into()), None)));
    assert_eq!(pairs("The current account and an electric current.", PUB), p(&[]));
}

#[test]
fn without_a_publication_date_relative_dates_stay_unresolved() {
    let text =
        "Yesterday, last week, on Thursday, in March, on October 12 and two days ago; in 2020.";
    let all = found(text, None);
    assert_eq!(all.len(), 7);
    for f in &all[..6] {
        assert_eq!(
            (f.value.as_str(), f.resolved(), &f.anchor, &f.during),
            ("", false, &None, &None),
            "{f:?}"
        );
        assert_eq!(f.kind, DateType::Relative);
    }
    assert_eq!(all[6].value, "2020");
    // A month-level date resolves month-level expressions only.
    let month = found("Yesterday, last month.", Some("2023-10"));
    assert_eq!((month[0].value.as_str(), month[1].value.as_str()), ("", "2023-09"));
}

#[test]
fn the_plugin_emits_typed_date_facts_through_its_table() {
    let text = "Talks began on Thursday, after the 2020 election.";
    let inputs = Inputs {
        sentences: text::sentences(text),
        published: Some("2023-10-30".into()),
        ..Inputs::default()
    };
    let batch = run_with::<Dates>(text, &Config::default(), inputs).unwrap();
    assert_eq!(batch.facts.len(), 2);
    let thursday = &batch.facts[0];
    assert_eq!(thursday.kind, "date");
    assert_eq!(thursday.span.slice(text), Some("Thursday"));
    assert_eq!(thursday.get("value"), Some(&Value::Str("2023-10-26".into())));
    assert_eq!(thursday.get("type"), Some(&Value::Str("relative".into())));
    assert_eq!(thursday.get("resolved"), Some(&Value::Bool(true)));
    assert_eq!(thursday.get("anchor"), Some(&Value::Date("2023-10-30".into())));
    assert_eq!(
        thursday.get("during"),
        Some(&Value::Interval(Some("2023-10-26".into()), Some("2023-10-26".into())))
    );
    let election = &batch.facts[1];
    assert_eq!(election.get("type"), Some(&Value::Str("temponym".into())));
    assert_eq!(election.get("anchor"), None);
    // Without a publication date: no value, not resolved, no anchor.
    let bare = run_with::<Dates>(
        text,
        &Config::default(),
        Inputs { sentences: text::sentences(text), ..Inputs::default() },
    )
    .unwrap();
    assert_eq!(bare.facts[0].get("value"), Some(&Value::Str(String::new())));
    assert_eq!(bare.facts[0].get("resolved"), Some(&Value::Bool(false)));
    assert_eq!(bare.facts[0].get("anchor"), None);
}

#[test]
fn every_prefix_of_a_dense_text_scans_without_panicking() {
    // Rules look ahead several tokens; a text may end anywhere inside an expression.
    let text = "On Thursday, February 23, 2006, 03/14/2022 and 9/11 and 14.03.2022, 2022-03-03, \
                2020's second half, the first quarter of 2022, mid-2022, 3rd of March 2022, \
                two days ago, last week, earlier this month, in March, January 6th protesters, 1990s";
    let mut total = 0;
    for (end, _) in text.char_indices().chain([(text.len(), ' ')]) {
        for published in [None, PUB, Some("2023-10")] {
            total += found(&text[..end], published).len();
        }
    }
    assert!(total > 1000, "{total}");
    assert_eq!(found(text, PUB).len(), 15);
}

//! The `dates` factql extractor plugin: time expressions, found and normalised.
//!
//! Every expression gives one `date` fact whose span is the expression itself (a preposition
//! such as `in` or `since` is left out and recorded as `modifier`). Its fields:
//!
//! | field | type | |
//! |---|---|---|
//! | `value` | str, always | partial ISO 8601 (`2022`, `2022-03`, `2022-03-15`), an ISO week (`2023-W44`), a half or quarter (`2020-H2`, `2022-Q1`), a decade as in TIMEX3 (`199` for the 1990s), TIMEX3 `PAST_REF` / `PRESENT_REF` / `FUTURE_REF`, or **empty** when the expression could not be resolved |
//! | `type` | str, always | `explicit` (the text gives the date), `relative` (it needs the publication date), `temponym` (a name for a date: `the 2020 election`, `January 6th protesters`, `9/11`), `vague` (`recently`, `current`, `soon`) |
//! | `resolved` | bool, always | whether `value` is set |
//! | `during` | interval | the interval the value covers, as partial dates at the value's own precision: `2022-03` gives `2022-03..2022-03`, a week gives its Monday..Sunday, the 1990s `1990..1999`, `2020-H2` `2020-07..2020-12`; a vague past `..published`, a vague future `published..`, the present `published..published` (vague ones only with a publication date) |
//! | `anchor` | date | the publication date a relative or vague expression was resolved against |
//! | `modifier` | str | `since`, `until`, `before`, `after`, `by`, `from`, `through`, `early`, `mid`, `late`, from the word before the expression |
//!
//! What is found:
//!
//! - **explicit**: `March 3, 2022`, `March 3rd, 2022`, `3 March 2022`, `3rd of March 2022`,
//!   `Thursday, February 23, 2006` (a weekday before any day of a month joins it), `2022-03-03`, `2022/03/03`, the day of a timestamp (`2022-03-03T10:00`), `03/14/2022` and `14.03.2022`
//!   only when day and month cannot be swapped (`03/04/2022` is left alone), `March 2022`,
//!   `Sept. 2022`, `2022` (1800 to 2100), `the 1990s`, `the second half of 2020`,
//!   `2020's second half`, `the first quarter of 2022`;
//! - **relative**, against the publication date: `yesterday`, `today`, `tonight`, `tomorrow`;
//!   `last`/`this`/`next` `week`/`month`/`year` (also `earlier this month`, `the coming
//!   week`); `two days ago`, `a year ago`, `100 years ago`; weekdays (not named days such as
//!   `Black Friday` or `Super Tuesday`); a month without a year
//!   (`in March`, `last March`); a month and day without a year (`March 3`);
//! - **temponyms**: a year before an event noun (`the 2020 election`, `2022 invasion`), `9/11`,
//!   and `January 6th` before `protesters`, `rioters`, `attack`, `committee`, `Capitol`...
//!   (2021-01-06);
//! - **vague**: `recently`, `recent`, `lately` (`PAST_REF`); `currently`, `current`, `now`,
//!   `nowadays` (`PRESENT_REF`); `soon` (`FUTURE_REF`).
//!
//! How relative expressions resolve:
//!
//! - a bare weekday (`on Thursday`) is the nearest such day at or before the publication date
//!   (a Thursday article's `Thursday` is that day), or at or after it when its sentence speaks
//!   of the future (`will`, `'ll`, `shall`, `upcoming`, `scheduled`, `expected`, `plans`,
//!   `planned`, `due`); `last Thursday` is the one before the publication day, `next
//!   Thursday` the one after, `this Thursday` the one in the publication week;
//! - a month without a year is the latest such month up to the publication month (the
//!   earliest from it on, in a future sentence); `last`/`next` make it strictly before/after;
//! - a month and day without a year is the nearest such day before the publication date
//!   (after it, in a future sentence) when it lies within 120 days, else the nearest the other
//!   way within 30 days, else **unresolved**: "January 6th" in an article of 2023-10-30 is
//!   never 2023-01-06;
//! - weeks are ISO weeks (Monday to Sunday).
//!
//! An article without a publication date leaves every relative expression unresolved (value
//! empty, `resolved` false, no `anchor`): nothing is guessed. A day-level expression needs a
//! day-level publication date, a month-level one a month.
//!
//! Not dates: numbers joined to money or percent signs (`$2020`, `2020%`), numbers before a
//! count noun (`2020 people`, `2020 troops`), grouped numbers (`1,000`, `2,020`), times of
//! day (`20:20`), parts of longer numbers (`555-2020`), years outside 1800..=2100, lower-case
//! month names (`to march`) and bare month names without a preposition (`May` the verb).
//!
//! The scanner is a single pass over byte-level tokens with a cheap first-word dispatch; see
//! `benches/dates.rs`. `cargo run -p factql-extractor-dates --example show_dates -- FILE
//! [PUBLISHED]` prints what a text file gives.

mod calendar;
mod scan;

pub use scan::{DateType, Found, scan};

use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest, Value};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

/// The extractor (stateless).
#[derive(Debug, Default)]
pub struct Dates;

impl Extractor for Dates {
    fn manifest() -> Manifest {
        Manifest::new("dates", env!("CARGO_PKG_VERSION"))
            .description("time expressions normalised to partial ISO 8601 or TIMEX3")
            .produces(
                KindDecl::new("date")
                    .field("value", FieldType::Str, true)
                    .field("type", FieldType::Str, true)
                    .field("resolved", FieldType::Bool, true)
                    .field("during", FieldType::Interval, false)
                    .field("anchor", FieldType::Date, false)
                    .field("modifier", FieldType::Str, false),
            )
    }

    fn new(_config: &Config) -> Result<Dates, Error> {
        Ok(Dates)
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        let sentences: Vec<std::ops::Range<usize>> =
            doc.sentences().map(|(span, _)| span.range()).collect();
        for found in scan(doc.text(), &sentences, doc.published()) {
            let resolved = found.resolved();
            let fact = out
                .fact("date", found.span)
                .field("value", found.value)
                .field("type", found.kind.as_str())
                .field("resolved", resolved);
            if let Some((from, to)) = found.during {
                fact.field("during", Value::Interval(from, to));
            }
            if let Some(anchor) = found.anchor {
                fact.field("anchor", Value::Date(anchor));
            }
            if let Some(modifier) = found.modifier {
                fact.field("modifier", modifier);
            }
        }
        Ok(())
    }
}

factql_plugin_sdk::export!(Dates);

#[cfg(test)]
mod tests;

//! The `roles` factql extractor plugin: who holds which office.
//!
//! "Hungarian Prime Minister Viktor Orban" gives a `role` fact: the person (an entity of the
//! plugins that emit mentions, such as `entities`), the title as written (`Prime Minister`),
//! a normalised category (`head_of_government`), the country (`Hungary`, and the country
//! entity as the `body` argument), and a qualifier (`former`, `acting`, ...). Three shapes
//! are read:
//!
//! - a title before the name, with a country or demonym and qualifiers before it:
//!   "former U.S. President Donald Trump", "Russia's President Vladimir Putin";
//! - an apposition after the name: "Olaf Scholz, the German chancellor,", "Viktor Orban,
//!   prime minister of Hungary.";
//! - a title without a name ("Hungarian Prime Minister" in a headline), given to the one
//!   person the article names with the same office and country.
//!
//! Heads of state and government are checked against the office holders of the CIA World
//! Factbook at the article's publication date: a match sets `verified` and `during` (when the
//! office was held), and turns a vague title ("Belarus leader") into the office held. A person
//! the article names without a title who held such an office on that date gets a role with
//! `source = "kb"`. Without a publication date nothing is checked and nothing is inferred.

mod leaders;
mod titles;

use factql_plugin_sdk::wire::{
    FieldType, KindDecl, Manifest, Mention, MentionLevel, Span, Target, Value,
};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

use crate::leaders::{Holding, Leaders};
use crate::titles::{Found, Titles, boundary_after, qualifier_ending_at};

/// The extractor: the title table and the office holders, loaded once.
pub struct Roles {
    titles: Titles,
    leaders: Leaders,
}

/// A role read from the text, before it is checked.
struct TextRole<'m> {
    person: &'m Mention,
    title: Found,
    country: Option<&'m Mention>,
    qualifier: Option<&'static str>,
    evidence: std::ops::Range<usize>,
}

impl Extractor for Roles {
    fn manifest() -> Manifest {
        Manifest::new("roles", env!("CARGO_PKG_VERSION"))
            .description("who holds which office, checked against the Factbook's leaders")
            .reads_mentions()
            .produces(
                // The fields of the language's role kind (title, category, during, date),
                // then this extractor's own; the test fixture declares the same kind.
                KindDecl::new("role")
                    .field("title", FieldType::Str, true)
                    .field("category", FieldType::Str, true)
                    .field("during", FieldType::Interval, false)
                    .field("date", FieldType::Date, false)
                    .field("country", FieldType::Str, false)
                    .field("qualifier", FieldType::Str, false)
                    .field("source", FieldType::Str, false)
                    .field("verified", FieldType::Bool, false)
                    .role("person")
                    .role("body"),
            )
    }

    fn new(_config: &Config) -> Result<Roles, Error> {
        Ok(Roles { titles: Titles::load(), leaders: Leaders::load() })
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        let text = doc.text();
        let sentences: Vec<Span> = doc.sentences().map(|(span, _)| span).collect();
        let sentence_of = |at: u32| {
            let idx = sentences.partition_point(|s| s.start <= at).checked_sub(1)?;
            (at < sentences[idx].end).then_some(sentences[idx])
        };
        let is = |m: &Mention, kind: &str| {
            m.entity.is_some() && factql_model::stored_mention_kind(&m.ent_type) == kind
        };
        let places: Vec<&Mention> = doc
            .mentions()
            .iter()
            .filter(|m| {
                is(m, "place") && matches!(m.level, MentionLevel::Name | MentionLevel::Demonym)
            })
            .collect();
        let persons: Vec<&Mention> = doc
            .mentions()
            .iter()
            .filter(|m| is(m, "person") && m.level == MentionLevel::Name)
            .collect();

        let mut found = Vec::new();
        for person in &persons {
            let Some(sentence) = sentence_of(person.span.start) else { continue };
            let role = self
                .title_before(text, person, sentence, &places)
                .or_else(|| self.apposition(text, person, sentence, &places));
            found.extend(role);
        }
        found.extend(self.nameless(text, &places, &persons, &found, &sentence_of));

        let published = doc.published();
        let mut with_role = std::collections::BTreeSet::new();
        for role in &found {
            let person_id = role.person.entity.clone().unwrap_or_default();
            with_role.insert(person_id.clone());
            let person_names = names(doc, &person_id);
            let country_id = role.country.and_then(|c| c.entity.clone());
            let country_names = country_id.as_deref().map(|id| names(doc, id)).unwrap_or_default();
            let mut category = role.title.category;
            let mut check = None;
            if let (Some(date), true) =
                (published, matches!(category, "head_of_state" | "head_of_government" | "leader"))
            {
                let wanted = category;
                let same_office = |h: &Holding| wanted == "leader" || h.office == wanted;
                let keys: Vec<String> =
                    country_names.iter().map(|n| factql_model::fold(n)).collect();
                let held: Vec<&Holding> = self
                    .leaders
                    .of_person(&person_names)
                    .into_iter()
                    .filter(|h| h.held_on(date) && same_office(h))
                    .filter(|h| keys.is_empty() || keys.contains(&h.country_key))
                    .collect();
                if let Some(holding) = held.first() {
                    if category == "leader" {
                        category = holding.office;
                    }
                    check = Some((true, Some(*holding)));
                } else if self
                    .leaders
                    .of_country(&country_names)
                    .iter()
                    .any(|h| h.held_on(date) && same_office(h))
                {
                    check = Some((false, None));
                }
            }
            let fact = out
                .fact("role", role.evidence.clone())
                .field("title", &text[role.title.start..role.title.end])
                .field("category", category)
                .field("source", "text")
                .arg("person", Target::Entity(person_id));
            if let Some(name) = country_names.first() {
                fact.field("country", name.as_str());
            }
            if let Some(id) = country_id {
                fact.arg("body", Target::Entity(id));
            }
            if let Some(qualifier) = role.qualifier {
                fact.field("qualifier", qualifier);
            }
            if let Some(date) = published {
                fact.field("date", Value::Date(date.to_owned()));
            }
            if let Some((verified, holding)) = check {
                fact.field("verified", verified);
                if let Some(h) = holding {
                    fact.field("during", Value::Interval(Some(h.since.clone()), h.end.clone()));
                }
            }
            fact.confidence(if role.qualifier.is_some() { 0.8 } else { 0.9 });
        }
        if let Some(date) = published {
            self.known_holders(doc, out, &persons, &with_role, date);
        }
        Ok(())
    }
}

impl Roles {
    /// "Hungarian Prime Minister Viktor Orban": a title right before the name, with a country
    /// and qualifiers before it.
    fn title_before<'m>(
        &self,
        text: &str,
        person: &'m Mention,
        sentence: Span,
        places: &[&'m Mention],
    ) -> Option<TextRole<'m>> {
        let end = skip_space_back(text, person.span.start as usize);
        let title = self.titles.ending_at(text, end)?;
        if title.start < sentence.start as usize {
            return None;
        }
        let (start, country, qualifier) =
            premodifiers(text, title.start, sentence.start as usize, places);
        Some(TextRole {
            person,
            title,
            country,
            qualifier,
            evidence: start..person.span.end as usize,
        })
    }

    /// "Olaf Scholz, the German chancellor," or "Viktor Orban, prime minister of Hungary.":
    /// a comma, then a title phrase that ends the clause.
    fn apposition<'m>(
        &self,
        text: &str,
        person: &'m Mention,
        sentence: Span,
        places: &[&'m Mention],
    ) -> Option<TextRole<'m>> {
        let limit = sentence.end as usize;
        let mut at = skip_space(text, person.span.end as usize, limit);
        at = text[at..limit].strip_prefix(',').map(|_| at + 1)?;
        at = skip_space(text, at, limit);
        if text[at..limit].len() > 4
            && text.get(at..at + 4).is_some_and(|t| t.eq_ignore_ascii_case("the "))
        {
            at = skip_space(text, at + 4, limit);
        }
        let (mut country, mut qualifier) = (None, None);
        for _ in 0..3 {
            if let Some(word) = titles::QUALIFIERS.iter().find(|w| {
                text[at..limit].len() > w.len()
                    && text.get(at..at + w.len()).is_some_and(|t| t.eq_ignore_ascii_case(w))
                    && !boundary_after_is_word(text, at + w.len())
            }) {
                qualifier = Some(*word);
                at = skip_space(text, at + word.len(), limit);
            } else if let Some(place) = places.iter().find(|m| m.span.start as usize == at) {
                country = Some(*place);
                at = skip_possessive(text, place.span.end as usize);
                at = skip_space(text, at, limit);
            } else {
                break;
            }
        }
        let title = self.titles.starting_at(text, at)?;
        let mut end = title.end;
        let after = skip_space(text, end, limit);
        if country.is_none()
            && text[after..limit].len() > 3
            && text.get(after..after + 3).is_some_and(|t| t.eq_ignore_ascii_case("of "))
        {
            let mut at = skip_space(text, after + 3, limit);
            if text[at..limit].len() > 4
                && text.get(at..at + 4).is_some_and(|t| t.eq_ignore_ascii_case("the "))
            {
                at += 4;
            }
            if let Some(place) = places.iter().find(|m| m.span.start as usize == at) {
                country = Some(*place);
                end = place.span.end as usize;
            }
        }
        // The title must end the clause: what follows is punctuation or the sentence's end.
        let next = text[end..limit].trim_start().chars().next();
        if !next.is_none_or(|c| matches!(c, ',' | '.' | ';' | ')' | ':' | '—' | '–')) {
            return None;
        }
        Some(TextRole {
            person,
            title,
            country,
            qualifier,
            evidence: person.span.start as usize..end,
        })
    }

    /// "Hungarian Prime Minister" with no name after it: the role of the one person the
    /// article names with that office and country.
    fn nameless<'m>(
        &self,
        text: &str,
        places: &[&'m Mention],
        persons: &[&'m Mention],
        found: &[TextRole<'m>],
        sentence_of: &dyn Fn(u32) -> Option<Span>,
    ) -> Vec<TextRole<'m>> {
        let mut out = Vec::new();
        for place in places {
            let Some(sentence) = sentence_of(place.span.start) else { continue };
            let limit = sentence.end as usize;
            let at = skip_space(text, skip_possessive(text, place.span.end as usize), limit);
            let Some(title) = self.titles.starting_at(text, at) else { continue };
            let next = skip_space(text, title.end, limit);
            if persons.iter().any(|p| p.span.start as usize == next)
                || found.iter().any(|r| r.title == title)
            {
                continue;
            }
            let same = |r: &&TextRole<'m>| {
                r.title.category == title.category
                    && r.country.and_then(|c| c.entity.as_ref()) == place.entity.as_ref()
            };
            let mut holders: Vec<&String> =
                found.iter().filter(same).filter_map(|r| r.person.entity.as_ref()).collect();
            holders.dedup();
            if let ([_], Some(role)) = (holders.as_slice(), found.iter().find(same)) {
                out.push(TextRole {
                    person: role.person,
                    title,
                    country: Some(*place),
                    qualifier: None,
                    evidence: place.span.start as usize..title.end,
                });
            }
        }
        out
    }

    /// People the article names without a title who held a head-of-state or -government
    /// office on the publication date, by their full name.
    fn known_holders(
        &self,
        doc: &Document<'_>,
        out: &mut Output,
        persons: &[&Mention],
        with_role: &std::collections::BTreeSet<String>,
        date: &str,
    ) {
        let mut done = std::collections::BTreeSet::new();
        for person in persons {
            let Some(id) = person.entity.as_deref() else { continue };
            if with_role.contains(id) || !done.insert(id) {
                continue;
            }
            let Some(entity) = doc.entity(id) else { continue };
            // A full name only: a surname alone is too often someone else's.
            if entity.name.split_whitespace().count() < 2 {
                continue;
            }
            let mut held: Vec<&Holding> = self
                .leaders
                .of_person(std::slice::from_ref(&entity.name))
                .into_iter()
                .filter(|h| h.held_on(date))
                .collect();
            held.sort_by_key(|h| (h.office != "head_of_state", h.country_key.clone()));
            let Some(holding) = held.first() else { continue };
            if held.iter().any(|h| h.country_key != holding.country_key) {
                continue;
            }
            let body = doc.entities().iter().find(|e| {
                factql_model::stored_mention_kind(&e.kind) == "place"
                    && std::iter::once(&e.name)
                        .chain(&e.aliases)
                        .any(|n| factql_model::fold(n) == holding.country_key)
            });
            let title = if holding.title.is_empty() { holding.office } else { &holding.title };
            let fact = out
                .fact("role", person.span)
                .field("title", title)
                .field("category", holding.office)
                .field("source", "kb")
                .field("verified", true)
                .field("during", Value::Interval(Some(holding.since.clone()), holding.end.clone()))
                .field("date", Value::Date(date.to_owned()))
                .arg("person", Target::Entity(id.to_owned()))
                .confidence(0.7);
            match body {
                Some(country) => {
                    fact.field("country", country.name.as_str());
                    fact.arg("body", Target::Entity(country.id.clone()));
                }
                None => {
                    fact.field("country", holding.country.as_str());
                }
            }
        }
    }
}

/// The names an entity goes by, canonical first.
fn names(doc: &Document<'_>, id: &str) -> Vec<String> {
    doc.entity(id)
        .map(|e| std::iter::once(e.name.clone()).chain(e.aliases.iter().cloned()).collect())
        .unwrap_or_default()
}

/// Walks left from the title over qualifiers ("former", "ex-") and one country or demonym
/// ("Hungarian", "Russia's", "U.S."); returns where the phrase starts, the country, the
/// qualifier.
fn premodifiers<'m>(
    text: &str,
    title_start: usize,
    floor: usize,
    places: &[&'m Mention],
) -> (usize, Option<&'m Mention>, Option<&'static str>) {
    let (mut start, mut country, mut qualifier) = (title_start, None, None);
    for _ in 0..3 {
        let mut at = skip_space_back(text, start);
        if at > floor && text[..at].ends_with('-') && at == start {
            // "ex-President": the qualifier is glued with a hyphen.
            at -= 1;
        }
        if at <= floor {
            break;
        }
        if let Some((q_start, word)) = qualifier_ending_at(text, at).filter(|(s, _)| *s >= floor) {
            qualifier.get_or_insert(word);
            start = q_start;
            continue;
        }
        let place = country.is_none().then(|| {
            places.iter().find(|m| {
                let end = m.span.end as usize;
                m.span.start as usize >= floor && (end == at || skip_possessive(text, end) == at)
            })
        });
        match place.flatten() {
            Some(place) => {
                country = Some(*place);
                start = place.span.start as usize;
            }
            None => break,
        }
    }
    (start, country, qualifier)
}

/// Past a possessive `'s` or `’s` at `at`, if there is one.
fn skip_possessive(text: &str, at: usize) -> usize {
    for suffix in ["'s", "’s", "'", "’"] {
        if text[at..].starts_with(suffix) && boundary_after(text, at + suffix.len()) {
            return at + suffix.len();
        }
    }
    at
}

fn boundary_after_is_word(text: &str, at: usize) -> bool {
    !boundary_after(text, at)
}

/// The first byte at or after `at` (below `limit`) that is not white space.
fn skip_space(text: &str, at: usize, limit: usize) -> usize {
    let rest = &text[at..limit];
    at + (rest.len() - rest.trim_start().len())
}

/// One past the last byte before `at` that is not white space.
fn skip_space_back(text: &str, at: usize) -> usize {
    text[..at].trim_end().len()
}

factql_plugin_sdk::export!(Roles);

#[cfg(test)]
mod tests;

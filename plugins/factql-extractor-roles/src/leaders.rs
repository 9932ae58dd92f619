//! Who held which office when: heads of state and of government from the CIA World Factbook
//! (public domain; `data/leaders.tsv`, made by `data/make_leaders.py`).
//!
//! Holdings are indexed by surname and by country, and names are folded once when the table
//! loads: a lookup folds the person's names once and compares words.

use std::collections::HashMap;

use factql_model::fold;

const LEADERS: &str = include_str!("../data/leaders.tsv");

/// One office holding.
#[derive(Debug)]
pub(crate) struct Holding {
    /// The country as the Factbook names it (`Hungary`).
    pub country: String,
    /// The country, folded (`hungary`).
    pub country_key: String,
    /// `head_of_state` or `head_of_government`.
    pub office: &'static str,
    /// The title as the Factbook gives it (`Prime Minister`), possibly empty.
    pub title: String,
    /// Since when (partial ISO 8601).
    pub since: String,
    /// Until when, when it ended.
    pub end: Option<String>,
    /// Every spelling of the holder's name, folded and split into words.
    names: Vec<Vec<String>>,
}

impl Holding {
    /// Held on `date` (partial ISO dates compare as text: `2010-05-29` <= `2023-10-30`).
    pub(crate) fn held_on(&self, date: &str) -> bool {
        self.since.as_str() <= date && self.end.as_deref().is_none_or(|end| date < end)
    }

    /// Whether a name, folded into words, is this holder: same surname, and the same first
    /// name when both give one ("Vladimir Putin" is "Vladimir Vladimirovich PUTIN").
    fn is_named(&self, words: &[String]) -> bool {
        self.names.iter().any(|known| match (words, known.as_slice()) {
            ([.., last], [.., known_last]) if last != known_last => false,
            ([_], _) => true,
            ([first, ..], [known_first, ..]) => first == known_first,
            _ => false,
        })
    }
}

/// The holdings, indexed by surname and by country.
pub(crate) struct Leaders {
    holdings: Vec<Holding>,
    by_surname: HashMap<String, Vec<usize>>,
    by_country: HashMap<String, Vec<usize>>,
}

/// A name folded into words.
pub(crate) fn words(name: &str) -> Vec<String> {
    fold(name).split_whitespace().map(str::to_owned).collect()
}

impl Leaders {
    /// Reads the bundled table.
    pub(crate) fn load() -> Leaders {
        let mut leaders = Leaders {
            holdings: Vec::new(),
            by_surname: HashMap::new(),
            by_country: HashMap::new(),
        };
        for line in LEADERS.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [country, office, title, name, variants, since, end] = cols[..] else { continue };
            let office = match office {
                "head_of_state" => "head_of_state",
                "head_of_government" => "head_of_government",
                _ => continue,
            };
            let names: Vec<Vec<String>> = std::iter::once(name)
                .chain(variants.split('|'))
                .map(words)
                .filter(|words| !words.is_empty())
                .collect();
            let idx = leaders.holdings.len();
            let mut surnames: Vec<&String> = names.iter().filter_map(|w| w.last()).collect();
            surnames.sort();
            surnames.dedup();
            for surname in surnames {
                leaders.by_surname.entry(surname.clone()).or_default().push(idx);
            }
            leaders.by_country.entry(fold(country)).or_default().push(idx);
            leaders.holdings.push(Holding {
                country: country.to_owned(),
                country_key: fold(country),
                office,
                title: title.to_owned(),
                since: since.to_owned(),
                end: (!end.is_empty()).then(|| end.to_owned()),
                names,
            });
        }
        leaders
    }

    /// The holdings of the person known by any of `names`.
    pub(crate) fn of_person(&self, names: &[String]) -> Vec<&Holding> {
        let mut out: Vec<usize> = Vec::new();
        for name in names {
            let words = words(name);
            let Some(surname) = words.last() else { continue };
            for &idx in self.by_surname.get(surname).into_iter().flatten() {
                if !out.contains(&idx) && self.holdings[idx].is_named(&words) {
                    out.push(idx);
                }
            }
        }
        out.into_iter().map(|idx| &self.holdings[idx]).collect()
    }

    /// The holdings of a country known by any of `names` (`Hungary`, `Republic of Hungary`).
    pub(crate) fn of_country(&self, names: &[String]) -> Vec<&Holding> {
        names
            .iter()
            .find_map(|name| self.by_country.get(&fold(name)))
            .map(|idxs| idxs.iter().map(|&idx| &self.holdings[idx]).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_are_found_by_name_country_and_date() {
        let leaders = Leaders::load();
        let orban: Vec<&Holding> = leaders
            .of_person(&["Viktor Orbán".to_owned()])
            .into_iter()
            .filter(|h| h.held_on("2023-10-30"))
            .collect();
        assert_eq!(orban.len(), 1);
        assert_eq!(
            (orban[0].office, orban[0].country.as_str(), orban[0].since.as_str()),
            ("head_of_government", "Hungary", "2010-05-29")
        );
        // Another Orban held another office elsewhere; a first name tells them apart.
        let ludovic = leaders.of_person(&["Ludovic Orban".to_owned()]);
        assert!(ludovic.iter().all(|h| h.country == "Romania"), "{ludovic:?}");
        assert!(!ludovic.is_empty());
        let lukashenko = leaders.of_person(&["Aleksandr Lukashenko".to_owned()]);
        assert!(lukashenko.iter().any(|h| h.office == "head_of_state" && h.held_on("2023-10-30")));
        let hungary = leaders.of_country(&["Hungary".to_owned()]);
        assert!(hungary.iter().all(|h| h.country == "Hungary") && hungary.len() > 2);
    }
}

//! Who held which office when: heads of state and of government from the CIA World Factbook
//! (public domain; `data/leaders.tsv`, made by `data/make_leaders.py`).

use std::collections::HashMap;

use factql_model::fold;

const LEADERS: &str = include_str!("../data/leaders.tsv");

/// One office holding.
#[derive(Debug)]
pub(crate) struct Holding {
    /// The country, folded (`hungary`).
    pub country: String,
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

    /// Whether one of `names` is this holder: same surname, and the same first name when
    /// both give one ("Vladimir Putin" is "Vladimir Vladimirovich PUTIN"; "Putin" alone too).
    pub(crate) fn is_named(&self, names: &[String]) -> bool {
        names.iter().any(|name| {
            let words: Vec<String> = fold(name).split_whitespace().map(str::to_owned).collect();
            self.names.iter().any(|known| match (words.as_slice(), known.as_slice()) {
                ([.., last], [.., known_last]) if last != known_last => false,
                ([_], _) => true,
                ([first, ..], [known_first, ..]) => first == known_first,
                _ => false,
            })
        })
    }
}

/// The holdings, by folded country name.
pub(crate) struct Leaders {
    by_country: HashMap<String, Vec<Holding>>,
}

impl Leaders {
    /// Reads the bundled table.
    pub(crate) fn load() -> Leaders {
        let mut by_country: HashMap<String, Vec<Holding>> = HashMap::new();
        for line in LEADERS.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [country, office, title, name, variants, since, end] = cols[..] else { continue };
            let office = match office {
                "head_of_state" => "head_of_state",
                "head_of_government" => "head_of_government",
                _ => continue,
            };
            let names = std::iter::once(name)
                .chain(variants.split('|'))
                .map(|n| fold(n).split_whitespace().map(str::to_owned).collect::<Vec<_>>())
                .filter(|words| !words.is_empty())
                .collect();
            by_country.entry(fold(country)).or_default().push(Holding {
                country: fold(country),
                office,
                title: title.to_owned(),
                since: since.to_owned(),
                end: (!end.is_empty()).then(|| end.to_owned()),
                names,
            });
        }
        Leaders { by_country }
    }

    /// The holdings of a country known by any of `names` (`Hungary`, `Republic of Hungary`).
    pub(crate) fn of_country<'a>(&'a self, names: &[String]) -> &'a [Holding] {
        names.iter().find_map(|name| self.by_country.get(&fold(name))).map_or(&[], Vec::as_slice)
    }

    /// Every holding, for holders looked up by name alone.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Holding> {
        self.by_country.values().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_are_found_by_country_name_and_date() {
        let leaders = Leaders::load();
        let hungary = leaders.of_country(&["Hungary".to_owned()]);
        let orban: Vec<&Holding> = hungary
            .iter()
            .filter(|h| h.held_on("2023-10-30") && h.is_named(&["Viktor Orbán".to_owned()]))
            .collect();
        assert_eq!(orban.len(), 1);
        assert_eq!(
            (orban[0].office, orban[0].since.as_str()),
            ("head_of_government", "2010-05-29")
        );
        // Another Orban held another office elsewhere; a first name tells them apart.
        assert!(!hungary.iter().any(|h| h.is_named(&["Ludovic Orban".to_owned()])));
        let belarus = leaders.of_country(&["Belarus".to_owned()]);
        assert!(belarus.iter().any(|h| h.office == "head_of_state"
            && h.held_on("2023-10-30")
            && h.is_named(&["Aleksandr Lukashenko".to_owned()])));
    }
}

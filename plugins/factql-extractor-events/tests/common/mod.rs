//! The bundled pipeline the events extractor runs in, through the SDK's test harness: the
//! entities extractor, then the dates extractor, then events with both their outputs, as the
//! host would hand them over. Shared by the tests and the evaluation example.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use factql_extractor_dates::Dates;
use factql_extractor_entities::Entities;
use factql_extractor_events::Events;
use factql_plugin_sdk::Config;
use factql_plugin_sdk::testing::run_with;
use factql_plugin_sdk::wire::{Batch, Entity, Fact, Inputs, Span, Target};

/// What the three extractors give on one text.
pub struct Run {
    /// The event facts.
    pub events: Vec<Fact>,
    /// Every entity named (the entities extractor's, then the events extractor's groups).
    pub entities: Vec<Entity>,
}

impl Run {
    /// The names (canonical and aliases) of an entity.
    pub fn names(&self, id: &str) -> Vec<String> {
        self.entities
            .iter()
            .filter(|e| e.id == id)
            .flat_map(|e| std::iter::once(e.name.clone()).chain(e.aliases.iter().cloned()))
            .collect()
    }

    /// The entity ids in a role of a fact.
    pub fn role(fact: &Fact, role: &str) -> Vec<String> {
        fact.args
            .iter()
            .filter(|a| a.role == role)
            .filter_map(|a| match &a.target {
                Target::Entity(id) => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    /// A string field of a fact.
    pub fn field(fact: &Fact, name: &str) -> String {
        match fact.get(name) {
            Some(factql_plugin_sdk::wire::Value::Str(s)) => s.clone(),
            Some(factql_plugin_sdk::wire::Value::Date(s)) => s.clone(),
            _ => String::new(),
        }
    }
}

/// Runs entities, dates and events on `text` with these sentences (boilerplate by index).
pub fn run(
    text: &str,
    sentences: Vec<Span>,
    boilerplate: Vec<u32>,
    published: Option<&str>,
) -> Run {
    let inputs = Inputs {
        sentences,
        boilerplate,
        published: published.map(str::to_owned),
        ..Inputs::default()
    };
    let entities: Batch =
        run_with::<Entities>(text, &Config::default(), inputs.clone()).expect("entities run");
    let dates: Batch =
        run_with::<Dates>(text, &Config::default(), inputs.clone()).expect("dates run");
    let inputs = Inputs {
        facts: dates.facts,
        mentions: entities.mentions,
        entities: entities.entities.clone(),
        ..inputs
    };
    let events = run_with::<Events>(text, &Config::default(), inputs).expect("events run");
    let mut all = entities.entities;
    all.extend(events.entities);
    Run { events: events.facts, entities: all }
}

/// Lower case, diacritics of Latin letters dropped, a leading "the " removed: names compare so.
pub fn fold(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'Á' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'ő' | 'Ó' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ű' => 'u',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    out.strip_prefix("the ").map(str::to_owned).unwrap_or(out)
}

/// Runs dates and events on `text` (one sentence) with the mentions and entities given, as if
/// an entity extractor had found them.
pub fn run_given(
    text: &str,
    mentions: Vec<factql_plugin_sdk::wire::Mention>,
    entities: Vec<Entity>,
    published: Option<&str>,
) -> Run {
    let inputs = Inputs {
        sentences: vec![Span::new(0, text.trim_end().len())],
        published: published.map(str::to_owned),
        ..Inputs::default()
    };
    let dates: Batch =
        run_with::<Dates>(text, &Config::default(), inputs.clone()).expect("dates run");
    let inputs = Inputs { facts: dates.facts, mentions, entities: entities.clone(), ..inputs };
    let events = run_with::<Events>(text, &Config::default(), inputs).expect("events run");
    let mut all = entities;
    all.extend(events.entities);
    Run { events: events.facts, entities: all }
}

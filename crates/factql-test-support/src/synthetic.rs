//! A synthetic news store of any size, for benchmarks: articles with sentences, entities with
//! a skewed (Zipf-like) popularity, mentions at real byte spans, and event, quote, role and
//! tone facts. Deterministic for a seed.

use std::collections::BTreeMap;
use std::path::Path;

use factql_model::{
    Arg, ArgTarget, Article, ArticleId, Entity, ExtractorRef, Fact, FieldDef, FieldType, Format,
    KindSchema, Mention, MentionLevel, Paragraph, Provenance, Sentence, Span, Value,
};
use factql_store::{Extraction, Store};

use crate::FixtureError;

/// A small deterministic random generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// An index in `0..n` where small indexes are much more likely (about Zipf, s = 1).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let x = ((n as f64 + 1.0).ln() * u).exp() - 1.0;
        (x as usize).min(n.saturating_sub(1))
    }
}

const FIRST: &[&str] = &[
    "Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irina", "Jonas",
    "Katya", "Luis", "Marta", "Nikolai", "Olga", "Pavel", "Queenie", "Rafael", "Sofia", "Tomas",
    "Ursula", "Viktor", "Wanda", "Xavier", "Yulia", "Zoltan", "Adam", "Beata", "Ciaran", "Dora",
];
const LAST: &[&str] = &[
    "Novak",
    "Kowalski",
    "Horvath",
    "Ivanova",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Jensen",
    "Nagy",
    "Petrov",
    "Garcia",
    "Silva",
    "Kovacs",
    "Fischer",
    "Moreau",
    "Bianchi",
    "Lindqvist",
    "Popescu",
    "Dimitrov",
    "Sokolov",
    "Weber",
    "Marino",
    "Szabo",
    "Varga",
    "Laurent",
    "Costa",
    "Berg",
    "Kral",
    "Tamm",
    "Ozols",
];
const PLACES: &[&str] = &[
    "Belarus",
    "Hungary",
    "Russia",
    "Ukraine",
    "Poland",
    "Germany",
    "France",
    "Serbia",
    "Lithuania",
    "Latvia",
    "Estonia",
    "Romania",
    "Austria",
    "Italy",
    "Spain",
    "Sweden",
    "Finland",
    "Norway",
    "Czechia",
    "Slovakia",
];
const ORGS: &[&str] =
    &["European Union", "United Nations", "NATO", "Kremlin", "World Bank", "Red Cross"];
const SOURCES: &[&str] = &[
    "Brussels Wire",
    "Budapest Times",
    "Minsk Daily",
    "Moscow Herald",
    "Paris Courant",
    "Berlin Post",
    "Warsaw Voice",
    "Vienna Courier",
    "Riga Record",
    "Kyiv Independent Desk",
    "Belgrade Bulletin",
    "Rome Dispatch",
];
const EVENT_TYPES: &[&str] =
    &["meet", "invite", "call", "visit", "criticize", "sanction", "praise", "threaten"];
const VERBS: &[&str] =
    &["met", "invited", "called", "visited", "criticized", "sanctioned", "praised", "warned"];
const FILLER: &[&str] = &[
    "said on Monday that talks would continue",
    "discussed energy prices and sanctions",
    "warned about the security situation",
    "called for a ceasefire and negotiations",
    "rejected the claims as baseless",
    "announced new measures after the meeting",
];

/// Creates `path` and fills it with `articles` synthetic articles (47 mentions and 42 facts
/// each), in batches of one transaction per thousand articles.
pub fn synthetic_store(path: &Path, articles: usize, seed: u64) -> Result<Store, FixtureError> {
    let mut rng = Rng(seed);
    let mut store = Store::open(path)?;
    let extractor =
        std::sync::Arc::new(ExtractorRef { name: "synthetic".into(), version: "1".into() });
    store.declare_kinds(&kinds(), "synthetic")?;
    let run = store.begin_run(&extractor, "synthetic")?;

    // Entities: three famous people first (they get most mentions), then generated ones.
    let mut people: Vec<Entity> = vec![
        entity("wd:Q2866", "person", "Alexander Lukashenko", &["Lukashenko"]),
        entity("wd:Q57641", "person", "Viktor Orban", &["Orban"]),
        entity("wd:Q7747", "person", "Vladimir Putin", &["Putin"]),
    ];
    for idx in 0..20_000 {
        let first = FIRST[idx % FIRST.len()];
        let last = LAST[(idx / FIRST.len()) % LAST.len()];
        let n = idx / (FIRST.len() * LAST.len());
        let name =
            if n == 0 { format!("{first} {last}") } else { format!("{first} {last} {}", roman(n)) };
        people.push(entity(&format!("local:p{idx}"), "person", &name, &[]));
    }
    let places: Vec<Entity> = PLACES
        .iter()
        .enumerate()
        .map(|(i, n)| entity(&format!("iso:{i}"), "place", n, &[]))
        .collect();
    let orgs: Vec<Entity> =
        ORGS.iter().enumerate().map(|(i, n)| entity(&format!("org:{i}"), "org", n, &[])).collect();

    let mut written_entities = false;
    let mut batch_articles = Vec::new();
    let mut batch_extractions = Vec::new();
    for idx in 0..articles {
        let (article, extraction) = synthetic_article(
            &mut rng,
            idx,
            &people,
            &places,
            &orgs,
            &extractor,
            !written_entities,
        );
        written_entities = true;
        batch_articles.push(article);
        batch_extractions.push(extraction);
        if batch_articles.len() == 1000 || idx + 1 == articles {
            store.write_batch(&batch_articles)?;
            let items: Vec<(&ArticleId, &Extraction)> =
                batch_articles.iter().map(|a| &a.id).zip(batch_extractions.iter()).collect();
            store.write_extractions(run, &extractor.name, &items)?;
            batch_articles.clear();
            batch_extractions.clear();
        }
    }
    store.finish_run(run)?;
    Ok(store)
}

fn roman(n: usize) -> String {
    [
        "", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
        "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII",
    ]
    .get(n)
    .map_or_else(|| n.to_string(), |s| (*s).to_owned())
}

fn entity(id: &str, kind: &str, name: &str, aliases: &[&str]) -> Entity {
    Entity {
        id: id.into(),
        kind: kind.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        wikidata: None,
    }
}

fn kinds() -> Vec<KindSchema> {
    let field =
        |name: &str, ty: FieldType, required: bool| FieldDef { name: name.into(), ty, required };
    vec![
        KindSchema {
            name: "event".into(),
            // As the events extractor declares it.
            fields: vec![
                field("type", FieldType::Str, true),
                field("cameo", FieldType::Str, false),
                field("root", FieldType::Str, false),
                field("plover", FieldType::Str, false),
                field("modality", FieldType::Str, false),
                field("date", FieldType::Date, false),
                field("trigger", FieldType::Str, false),
            ],
            roles: vec!["actor".into(), "target".into(), "place".into()],
        },
        KindSchema {
            name: "quote".into(),
            fields: vec![
                field("text", FieldType::Str, true),
                field("verb", FieldType::Str, true),
                field("date", FieldType::Date, false),
            ],
            roles: vec!["speaker".into()],
        },
        KindSchema {
            name: "role".into(),
            fields: vec![
                field("title", FieldType::Str, true),
                field("category", FieldType::Str, true),
                field("during", FieldType::Interval, false),
                field("date", FieldType::Date, false),
            ],
            roles: vec!["person".into(), "body".into()],
        },
        KindSchema {
            name: "tone".into(),
            fields: vec![
                field("scope", FieldType::Str, true),
                field("compound", FieldType::Float, true),
            ],
            roles: Vec::new(),
        },
    ]
}

/// One article: a title and nine sentences of `A verb B in PLACE. ORG filler.` shapes.
#[allow(
    clippy::too_many_arguments,
    reason = "the generator's whole state, passed once per article"
)]
fn synthetic_article(
    rng: &mut Rng,
    idx: usize,
    people: &[Entity],
    places: &[Entity],
    orgs: &[Entity],
    extractor: &std::sync::Arc<ExtractorRef>,
    with_entities: bool,
) -> (Article, Extraction) {
    let year = 2019 + rng.below(6);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let date = format!("{year:04}-{month:02}-{day:02}");
    let source = SOURCES[rng.below(SOURCES.len())];
    let id = ArticleId(format!("s{idx:07}"));
    let mut text = String::new();
    let mut sentences = Vec::new();
    let mut paragraphs = Vec::new();
    // (span, entity, sentence)
    let mut found: Vec<(Span, &Entity, usize)> = Vec::new();
    let mut events: Vec<(usize, Span, &Entity, &Entity, &Entity, usize)> = Vec::new();
    let mut sayers: Vec<(Span, &Entity, &Entity, usize)> = Vec::new();

    let a = &people[rng.skewed(people.len())];
    let b = &people[rng.skewed(people.len())];
    let title = format!("{} and {} discuss relations", a.name, b.name);
    found.push((Span::new(0, a.name.len()), a, 0));
    let b_start = a.name.len() + 5;
    found.push((Span::new(b_start, b_start + b.name.len()), b, 0));
    text.push_str(&title);
    sentences.push(Sentence {
        index: 0,
        span: Span::new(0, title.len()),
        paragraph: 0,
        is_title: true,
        boilerplate: false,
    });
    paragraphs.push(Paragraph { index: 0, span: Span::new(0, title.len()) });

    for s in 1..=9 {
        text.push('\n');
        let start = text.len();
        let actor = &people[rng.skewed(people.len())];
        let target = &people[rng.skewed(people.len())];
        let place = &places[rng.skewed(places.len())];
        let org = &orgs[rng.below(orgs.len())];
        let kind = rng.below(EVENT_TYPES.len());
        let a_span = Span::new(text.len(), text.len() + actor.name.len());
        text.push_str(&actor.name);
        text.push(' ');
        let verb_span = Span::new(text.len(), text.len() + VERBS[kind].len());
        text.push_str(VERBS[kind]);
        text.push(' ');
        let t_span = Span::new(text.len(), text.len() + target.name.len());
        text.push_str(&target.name);
        text.push_str(" in ");
        let p_span = Span::new(text.len(), text.len() + place.name.len());
        text.push_str(&place.name);
        text.push_str(". The ");
        let o_span = Span::new(text.len(), text.len() + org.name.len());
        text.push_str(&org.name);
        text.push(' ');
        text.push_str(FILLER[rng.below(FILLER.len())]);
        text.push_str(", according to ");
        let source_person = &people[rng.skewed(people.len())];
        let s_span = Span::new(text.len(), text.len() + source_person.name.len());
        text.push_str(&source_person.name);
        text.push('.');
        found.push((s_span, source_person, s));
        sayers.push((s_span, source_person, actor, s));
        found.push((a_span, actor, s));
        found.push((t_span, target, s));
        found.push((p_span, place, s));
        found.push((o_span, org, s));
        events.push((kind, verb_span, actor, target, place, s));
        let span = Span::new(start, text.len());
        sentences.push(Sentence {
            index: s,
            span,
            paragraph: s,
            is_title: false,
            boilerplate: false,
        });
        paragraphs.push(Paragraph { index: s, span });
    }

    let prov = |span: Span, sentence: usize| Provenance {
        article: id.clone(),
        sentence,
        span,
        extractor: extractor.clone(),
        confidence: 0.8,
    };
    let mut extraction = Extraction::default();
    if with_entities {
        extraction.entities = people.iter().chain(places).chain(orgs).cloned().collect();
    }
    for (span, entity, sentence) in &found {
        let ent_type = match entity.kind.as_str() {
            "person" => "PER",
            "place" => "GPE",
            _ => "ORG",
        };
        extraction.mentions.push(Mention {
            provenance: prov(*span, *sentence),
            ent_type: ent_type.into(),
            level: MentionLevel::Name,
            entity: Some(entity.id.clone()),
        });
    }
    // Each sentence gives an event (twice: as reported and as its own fact of the lead), a
    // quote for a third of them, tone per sentence, roles for the title pair.
    for (kind, verb, actor, target, place, sentence) in &events {
        for _ in 0..2 {
            let mut fields = BTreeMap::new();
            fields.insert("type".into(), Value::Str(EVENT_TYPES[*kind].into()));
            fields.insert("date".into(), Value::Date(date.clone()));
            fields.insert("trigger".into(), Value::Str(VERBS[*kind].into()));
            let args = vec![
                Arg { role: "actor".into(), target: ArgTarget::Entity(actor.id.clone()) },
                Arg { role: "target".into(), target: ArgTarget::Entity(target.id.clone()) },
                Arg { role: "place".into(), target: ArgTarget::Entity(place.id.clone()) },
            ];
            extraction.facts.push(Fact {
                kind: "event".into(),
                provenance: prov(*verb, *sentence),
                fields,
                args,
            });
        }
        let s = &sentences[*sentence];
        if sentence % 3 == 0 {
            let quoted = s.span.slice(&text).to_owned();
            let mut fields = BTreeMap::new();
            fields.insert("text".into(), Value::Str(quoted));
            fields.insert("verb".into(), Value::Str("said".into()));
            fields.insert("date".into(), Value::Date(date.clone()));
            let args =
                vec![Arg { role: "speaker".into(), target: ArgTarget::Entity(actor.id.clone()) }];
            extraction.facts.push(Fact {
                kind: "quote".into(),
                provenance: prov(s.span, *sentence),
                fields,
                args,
            });
        }
        let mut fields = BTreeMap::new();
        fields.insert("scope".into(), Value::Str("sentence".into()));
        fields
            .insert("compound".into(), Value::Float(((rng.below(2001) as f64) - 1000.0) / 1000.0));
        extraction.facts.push(Fact {
            kind: "tone".into(),
            provenance: prov(s.span, *sentence),
            fields,
            args: Vec::new(),
        });
    }
    for (span, sayer, about, sentence) in &sayers {
        let mut fields = BTreeMap::new();
        fields.insert("type".into(), Value::Str("comment".into()));
        fields.insert("date".into(), Value::Date(date.clone()));
        fields.insert("trigger".into(), Value::Str("according to".into()));
        let args = vec![
            Arg { role: "actor".into(), target: ArgTarget::Entity(sayer.id.clone()) },
            Arg { role: "target".into(), target: ArgTarget::Entity(about.id.clone()) },
        ];
        extraction.facts.push(Fact {
            kind: "event".into(),
            provenance: prov(*span, *sentence),
            fields,
            args,
        });
    }
    for (span, person, _) in found.iter().take(2) {
        let mut fields = BTreeMap::new();
        fields.insert("title".into(), Value::Str("President".into()));
        fields.insert(
            "category".into(),
            Value::Str(
                if person.id.starts_with("wd:") { "head_of_state" } else { "official" }.into(),
            ),
        );
        fields.insert("during".into(), Value::Interval(Some("2015-01-01".into()), None));
        fields.insert("date".into(), Value::Date(date.clone()));
        let args = vec![
            Arg { role: "person".into(), target: ArgTarget::Entity(person.id.clone()) },
            Arg {
                role: "body".into(),
                target: ArgTarget::Entity(places[rng.skewed(places.len())].id.clone()),
            },
        ];
        extraction.facts.push(Fact {
            kind: "role".into(),
            provenance: prov(*span, 0),
            fields,
            args,
        });
    }
    let mut fields = BTreeMap::new();
    fields.insert("scope".into(), Value::Str("article".into()));
    fields.insert("compound".into(), Value::Float(((rng.below(2001) as f64) - 1000.0) / 1000.0));
    extraction.facts.push(Fact {
        kind: "tone".into(),
        provenance: prov(Span::new(0, text.len()), 0),
        fields,
        args: Vec::new(),
    });

    let article = Article {
        id,
        origin: format!("synthetic:{idx}"),
        format: Format::Txt,
        title,
        url: None,
        published: Some(date),
        source: Some(source.into()),
        lang: Some("en".into()),
        meta: BTreeMap::new(),
        text_sha256: format!("synthetic-v1-{idx}"),
        text,
        paragraphs,
        sentences,
    };
    (article, extraction)
}

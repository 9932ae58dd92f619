//! The events extractor alone, called directly on the bundled corpus repeated to about 10 MB:
//! the entities' mentions and the dates are found once beforehand, so the time measured is the
//! coder's (the automaton pass over the text and the shallow parse around each trigger).
//! Through the plugin host it is measured by `cargo bench -p factql --bench extractors`.
//!
//! `cargo bench -p factql-extractor-events --bench events`; words are whitespace-separated
//! words of the article texts.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_extractor_entities::{Kind, Level, Recognizer, SentenceSpan};
use factql_extractor_events::{DateRef, Events, Ment};

struct Prepared {
    text: String,
    sentences: Vec<(usize, usize)>,
    /// (start, end, entity id, person, place, demonym)
    mentions: Vec<(usize, usize, String, bool, bool, bool)>,
    dates: Vec<DateRef>,
    published: Option<String>,
}

fn prepare() -> Vec<Prepared> {
    let recognizer = Recognizer::load().expect("entities load");
    factql_test_support::corpus_articles(10 * 1024 * 1024)
        .into_iter()
        .map(|article| {
            let spans: Vec<SentenceSpan> = article
                .sentences
                .iter()
                .map(|s| SentenceSpan {
                    span: s.span.start..s.span.end,
                    boilerplate: s.boilerplate,
                })
                .collect();
            let found = recognizer.recognize(&article.text, &spans);
            let mentions = found
                .mentions
                .iter()
                .map(|m| {
                    (
                        m.span.start,
                        m.span.end,
                        found.entities[m.entity].id.clone(),
                        m.kind == Kind::Person,
                        m.kind == Kind::Place,
                        m.level == Level::Demonym,
                    )
                })
                .collect();
            let ranges: Vec<std::ops::Range<usize>> =
                article.sentences.iter().map(|s| s.span.start..s.span.end).collect();
            let dates =
                factql_extractor_dates::scan(&article.text, &ranges, article.published.as_deref())
                    .into_iter()
                    .map(|d| DateRef { start: d.span.start, end: d.span.end, value: d.value })
                    .collect();
            Prepared {
                sentences: article
                    .sentences
                    .iter()
                    .filter(|s| !s.boilerplate)
                    .map(|s| (s.span.start, s.span.end))
                    .collect(),
                text: article.text,
                mentions,
                dates,
                published: article.published,
            }
        })
        .collect()
}

fn run(events: &Events, articles: &[Prepared]) -> usize {
    articles
        .iter()
        .map(|a| {
            // What the plugin does per article: mentions borrowed from its input.
            let mentions = a
                .mentions
                .iter()
                .map(|(start, end, entity, person, place, demonym)| Ment {
                    start: *start,
                    end: *end,
                    entity,
                    person: *person,
                    place: *place,
                    demonym: *demonym,
                    group_name: None,
                })
                .collect();
            events
                .code(&a.text, &a.sentences, mentions, a.dates.clone(), a.published.as_deref())
                .0
                .len()
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let articles = prepare();
    let events = Events::load().expect("events load");
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let mut group = c.benchmark_group("events");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("code", |b| b.iter(|| black_box(run(&events, &articles))));
    group.finish();
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(run(&events, &articles));
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let found = run(&events, &articles);
    println!(
        "\nevents alone: {words} words, {found} events; median of 5 passes {:.0} words/s",
        words as f64 / times[2]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

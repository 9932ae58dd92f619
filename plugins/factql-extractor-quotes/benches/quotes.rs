//! Throughput of the quotes extractor alone, one thread, on the bundled corpus repeated to
//! about 10 MB. The mentions and offices it reads are computed once beforehand (by the
//! entities and roles extractors), so only this extractor's own work is timed; the whole
//! plugin chain through the host is in `cargo bench -p factql --bench extractors`.
//!
//! `cargo bench -p factql-extractor-quotes --bench quotes`; words are whitespace-separated
//! words of the article texts.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_extractor_entities::Entities;
use factql_extractor_quotes::Quotes;
use factql_extractor_roles::Roles;
use factql_plugin_sdk::wire::{Inputs, Span};
use factql_plugin_sdk::{Config, Document, Extractor, Output};

const TARGET_BYTES: usize = 10 * 1024 * 1024;

fn bench(c: &mut Criterion) {
    let articles = factql_test_support::corpus_articles(TARGET_BYTES);
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let config = Config::default();
    let entities = Entities::new(&config).expect("entities");
    let roles = Roles::new(&config).expect("roles");
    let quotes = Quotes::new(&config).expect("quotes");
    let docs: Vec<Document<'_>> = articles
        .iter()
        .map(|article| {
            let mut inputs = Inputs {
                sentences: article
                    .sentences
                    .iter()
                    .map(|s| Span::new(s.span.start, s.span.end))
                    .collect(),
                boilerplate: article
                    .sentences
                    .iter()
                    .filter(|s| s.boilerplate)
                    .map(|s| s.index as u32)
                    .collect(),
                published: article.published.clone(),
                ..Inputs::default()
            };
            let mut out = Output::default();
            let doc = Document::new(&article.id.0, &article.text, inputs.clone());
            entities.extract(&doc, &mut out).expect("entities run");
            let batch = out.into_batch();
            inputs.mentions = batch.mentions;
            inputs.entities = batch.entities;
            let mut out = Output::default();
            let doc = Document::new(&article.id.0, &article.text, inputs.clone());
            roles.extract(&doc, &mut out).expect("roles run");
            inputs.facts = out.into_batch().facts;
            Document::new(&article.id.0, &article.text, inputs)
        })
        .collect();
    let run = || {
        let mut found = 0;
        for doc in &docs {
            let mut out = Output::default();
            quotes.extract(doc, &mut out).expect("quotes run");
            found += out.facts().len();
        }
        found
    };
    let mut group = c.benchmark_group("quotes");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("extract", |b| b.iter(|| black_box(run())));
    group.finish();

    // Medians of five passes, by the wall clock and by the CPU time of this process (the
    // machine may be shared: CPU time is what the extractor costs).
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..5 {
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        black_box(run());
        wall.push(start.elapsed().as_secs_f64());
        cpu.push(cpu_seconds().zip(cpu_start).map(|(end, start)| end - start));
    }
    wall.sort_by(f64::total_cmp);
    let mut cpu: Vec<f64> = cpu.into_iter().flatten().collect();
    cpu.sort_by(f64::total_cmp);
    let facts = run();
    let rate = |secs: f64| words as f64 / secs;
    println!(
        "\n{words} words, {facts} quote and claim facts, one thread, medians of 5 passes: {:.0} words/s by the wall clock, {} words/s by CPU time",
        rate(wall[2]),
        cpu.get(2).map_or("-".to_owned(), |c| format!("{:.0}", rate(*c))),
    );
}

/// This process's user and system CPU time in seconds (Linux `/proc/self/stat`).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Throughput of the tone extractor, one thread, on factql's bundled corpus
//! (`crates/factql/corpus/**/*.txt`) repeated to about 10 MB: through the plugin host (as
//! `factql ingest` runs it: inputs encoded, the batch read and checked), and the extractor
//! called directly. No mentions are given, so no entity tone is computed (that part is one
//! pass over the mentions).
//!
//! `cargo bench -p factql-extractor-tone --bench tone`; words are whitespace-separated words
//! of the article texts, as in `crates/factql/benches/extractors.rs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_extractor_tone::Tone;
use factql_model::Article;
use factql_plugin_host::{Host, HostConfig, StaticPlugin};
use factql_plugin_sdk::wire::{Inputs, Span};
use factql_plugin_sdk::{Config, Document, Extractor, Output};

const TARGET_BYTES: usize = 10 * 1024 * 1024;

const TONE: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_tone",
    entry: factql_extractor_tone::factql_plugin_entry,
};

/// What the host would pass: the sentences and which are boilerplate.
fn inputs(article: &Article) -> Inputs {
    Inputs {
        sentences: article.sentences.iter().map(|s| Span::new(s.span.start, s.span.end)).collect(),
        boilerplate: article
            .sentences
            .iter()
            .filter(|s| s.boilerplate)
            .map(|s| s.index as u32)
            .collect(),
        ..Inputs::default()
    }
}

/// Every article through the host; the number of facts.
fn through_host(host: &Host, articles: &[Article]) -> usize {
    let mut found = 0;
    for article in articles {
        for outcome in host.extract(article) {
            found += outcome.result.expect("the extractor runs").facts.len();
        }
    }
    found
}

/// Every article through `Tone::extract` directly; the number of facts.
fn direct(tone: &Tone, articles: &[(Article, Inputs)]) -> usize {
    let mut found = 0;
    for (article, inputs) in articles {
        let doc = Document::new("bench", &article.text, inputs.clone());
        let mut out = Output::default();
        tone.extract(&doc, &mut out).expect("the extractor runs");
        found += out.facts().len();
    }
    found
}

fn bench(c: &mut Criterion) {
    let articles = factql_test_support::corpus_articles(TARGET_BYTES);
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let megabytes = articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    let host = Host::load(&config, &[TONE]).expect("host");
    let tone = Tone::new(&Config::default()).expect("tone");
    let with_inputs: Vec<(Article, Inputs)> =
        articles.iter().map(|a| (a.clone(), inputs(a))).collect();

    let mut group = c.benchmark_group("tone");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("host", |b| b.iter(|| black_box(through_host(&host, &articles))));
    group.bench_function("direct", |b| b.iter(|| black_box(direct(&tone, &with_inputs))));
    group.finish();

    // Medians of five passes, by the wall clock and by the CPU time of this process (the
    // machine may be shared: CPU time is what the extractor costs).
    let median = |run: &dyn Fn() -> usize| {
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
        (wall[2], cpu.get(2).copied())
    };
    let rate = |secs: f64| words as f64 / secs;
    let show = |name: &str, (wall, cpu): (f64, Option<f64>)| {
        let cpu = cpu.map_or("-".to_owned(), |cpu| format!("{:.0}", rate(cpu)));
        println!("  {name:<24}{:>12.0} words/s (wall), {cpu:>12} words/s (CPU)", rate(wall));
    };
    println!("\n{megabytes:.1} MB, {words} words, one thread; medians of 5 passes:");
    show("tone through the host", median(&|| through_host(&host, &articles)));
    show("tone, extract alone", median(&|| direct(&tone, &with_inputs)));
}

/// User and system CPU time of this process so far, from `/proc/self/stat` (Linux).
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

//! Throughput of the dates extractor on the bundled corpus (`crates/factql/corpus/**/*.txt`)
//! repeated to about 10 MB, one thread, through `Extractor::extract` with the naive sentence
//! split of the SDK and a publication date (so relative dates resolve).
//!
//! `cargo bench -p factql-extractor-dates --bench dates`; words are whitespace-separated
//! words, as in the other extractor benchmarks.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_extractor_dates::Dates;
use factql_plugin_sdk::wire::Inputs;
use factql_plugin_sdk::{Config, Document, Extractor, Output, text};

const TARGET_BYTES: usize = 10 * 1024 * 1024;

/// The corpus texts with their sentences, repeated to about [`TARGET_BYTES`].
fn corpus() -> Vec<(String, Inputs)> {
    let files = factql_test_support::corpus_files();
    let texts: Vec<String> =
        files.iter().map(|f| std::fs::read_to_string(f).expect("corpus file")).collect();
    assert!(!texts.is_empty(), "no corpus articles");
    let mut out = Vec::new();
    let mut bytes = 0;
    while bytes < TARGET_BYTES {
        for text in &texts {
            bytes += text.len();
            let inputs = Inputs {
                sentences: text::sentences(text),
                published: Some("2023-10-30".to_owned()),
                ..Inputs::default()
            };
            out.push((text.clone(), inputs));
        }
    }
    out
}

fn run(dates: &Dates, corpus: &[(String, Inputs)]) -> usize {
    let mut found = 0;
    for (text, inputs) in corpus {
        let doc = Document::new("a", text, inputs.clone());
        let mut out = Output::default();
        dates.extract(&doc, &mut out).expect("extract");
        found += out.facts().len();
    }
    found
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let words: usize = corpus.iter().map(|(t, _)| t.split_whitespace().count()).sum();
    let megabytes = corpus.iter().map(|(t, _)| t.len()).sum::<usize>() as f64 / 1e6;
    let dates = Dates::new(&Config::default()).expect("dates");
    let mut group = c.benchmark_group("dates");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("extract", |b| b.iter(|| black_box(run(&dates, &corpus))));
    group.finish();

    // Wall time and this thread's time on a CPU (the machine may be shared: CPU time is the
    // figure that does not count waiting for a core).
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..5 {
        let (start, cpu_start) = (Instant::now(), thread_cpu());
        black_box(run(&dates, &corpus));
        wall.push(start.elapsed().as_secs_f64());
        cpu.extend(thread_cpu().zip(cpu_start).map(|(end, start)| end - start));
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let facts = run(&dates, &corpus);
    println!("\n{megabytes:.1} MB, {words} words, {facts} dates, one thread; medians of 5 passes:");
    println!("  wall time  {:>12.0} words/s", words as f64 / wall[2]);
    if let Some(secs) = cpu.get(2) {
        println!("  CPU time   {:>12.0} words/s", words as f64 / secs);
    }
}

/// Seconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`), if known.
fn thread_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

criterion_group!(benches, bench);
criterion_main!(benches);

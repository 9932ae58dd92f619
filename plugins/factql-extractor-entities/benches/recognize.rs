//! Throughput of [`Recognizer::recognize`] on the bundled news corpus, one thread.
//!
//! Every `*.txt` file of the bundled corpus is one article (one line per paragraph; each line is
//! passed as a sentence, line 0 as the headline); the articles are repeated until the input is
//! at least [`TARGET_BYTES`]. Criterion reports elements per second, where an element is a
//! whitespace-separated word, so the figure reads as words/s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_extractor_entities::{Recognizer, SentenceSpan};

/// Minimum size of the benchmark input.
const TARGET_BYTES: usize = 10 << 20;

fn lines(text: &str) -> Vec<SentenceSpan> {
    let mut out = Vec::new();
    let mut start = 0;
    for l in text.split_inclusive('\n') {
        out.push(SentenceSpan { span: start..start + l.trim_end().len(), boilerplate: false });
        start += l.len();
    }
    out
}

/// The corpus articles with their line spans, repeated to at least `TARGET_BYTES`.
fn articles() -> Vec<(String, Vec<SentenceSpan>)> {
    let files = factql_test_support::corpus_files();
    let once: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("corpus file is UTF-8"))
        .filter(|t| !t.trim().is_empty())
        .collect();
    assert!(!once.is_empty(), "no corpus articles");
    let bytes: usize = once.iter().map(String::len).sum();
    let copies = TARGET_BYTES.div_ceil(bytes);
    let mut all = Vec::with_capacity(once.len() * copies);
    for _ in 0..copies {
        all.extend(once.iter().map(|t| (t.clone(), lines(t))));
    }
    all
}

fn bench(c: &mut Criterion) {
    let rec = Recognizer::load().expect("recognizer loads");
    let arts = articles();
    let bytes: usize = arts.iter().map(|(t, _)| t.len()).sum();
    let words: usize = arts.iter().map(|(t, _)| t.split_whitespace().count()).sum();
    eprintln!("input: {} articles, {bytes} bytes, {words} words", arts.len());
    let mut group = c.benchmark_group("recognize");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(15));
    group.bench_function("corpus_words", |b| {
        b.iter(|| {
            let mut n = 0;
            for (text, sents) in &arts {
                n += rec.recognize(black_box(text), sents).mentions.len();
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

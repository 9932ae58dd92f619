//! Throughput of `split_sentences` on the bundled news corpus.
//!
//! All `*.txt` files under [`CORPUS_DIR`] are read, split into lines (one
//! line is one paragraph, as factql calls the segmenter), and repeated until
//! the input is about [`TARGET_BYTES`]. Criterion reports bytes per second.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_ingest::split_sentences;

/// The corpus folder (searched recursively for `*.txt`).
const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../factql/corpus");
/// Approximate size of the benchmark input.
const TARGET_BYTES: usize = 4 << 20;

fn txt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            txt_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

/// The corpus paragraphs, repeated to about `TARGET_BYTES`.
fn paragraphs() -> Vec<String> {
    let mut files = Vec::new();
    txt_files(Path::new(CORPUS_DIR), &mut files);
    files.sort();
    let mut lines = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("corpus file is UTF-8");
        lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
    }
    assert!(!lines.is_empty(), "no corpus under {CORPUS_DIR}");
    let once: usize = lines.iter().map(String::len).sum();
    let copies = TARGET_BYTES.div_ceil(once);
    let mut all = Vec::with_capacity(lines.len() * copies);
    for _ in 0..copies {
        all.extend(lines.iter().cloned());
    }
    all
}

fn bench(c: &mut Criterion) {
    let paras = paragraphs();
    let bytes: usize = paras.iter().map(String::len).sum();
    let mut group = c.benchmark_group("split_sentences");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("corpus", |b| {
        b.iter(|| {
            let mut n = 0;
            for p in &paras {
                n += split_sentences(black_box(p)).len();
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

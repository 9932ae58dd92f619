//! Words per second of the recognizer on the bundled corpus (repeated to >= 10 MB), one thread,
//! by wall clock and by the thread's own CPU time (`/proc/thread-self/schedstat`, Linux), which
//! stays meaningful on a loaded machine where the criterion bench's wall-clock figure does not:
//!
//! ```text
//! cargo run --release -p factql-extractor-entities --example speed [-- ROUNDS]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use factql_extractor_entities::{Recognizer, SentenceSpan};

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

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../crates/factql/corpus");
    let mut files = Vec::new();
    txt_files(Path::new(dir), &mut files);
    files.sort();
    let once: Vec<String> = files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect();
    let bytes: usize = once.iter().map(String::len).sum();
    let copies = (10usize << 20).div_ceil(bytes.max(1));
    let mut arts = Vec::new();
    for _ in 0..copies {
        for t in &once {
            let mut sents = Vec::new();
            let mut start = 0;
            for l in t.split_inclusive('\n') {
                sents.push(SentenceSpan {
                    span: start..start + l.trim_end().len(),
                    boilerplate: false,
                });
                start += l.len();
            }
            arts.push((t.clone(), sents));
        }
    }
    let words: usize = arts.iter().map(|(t, _)| t.split_whitespace().count()).sum();
    let total: usize = arts.iter().map(|(t, _)| t.len()).sum();
    let t0 = Instant::now();
    let rec = Recognizer::load().expect("recognizer loads");
    println!("load: {:.3} s", t0.elapsed().as_secs_f64());
    println!("input: {} articles, {total} bytes, {words} words", arts.len());
    for r in 0..rounds {
        let c0 = cpu_ns();
        let t0 = Instant::now();
        let mut n = 0;
        for (t, s) in &arts {
            n += rec.recognize(t, s).mentions.len();
        }
        let wall = t0.elapsed().as_secs_f64();
        let cpu = cpu_ns().zip(c0).map(|(a, b)| (a - b) as f64 / 1e9);
        println!(
            "round {r}: {n} mentions; wall {wall:.3} s = {:.0} words/s; cpu {} ",
            words as f64 / wall,
            cpu.map_or("n/a".to_string(), |c| format!(
                "{c:.3} s = {:.0} words/s",
                words as f64 / c
            ))
        );
    }
}

//! Every reader on mutated inputs of every format: no panic, an answer within the time
//! budget, and every article's paragraph and sentence spans inside its text on character
//! boundaries. `$FACTQL_FUZZ_SECS` (set by `scripts/fuzz.sh`) runs it for that long with a
//! fresh seed; without it, a fixed number of iterations with a fixed seed.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::ops::ControlFlow;

use factql_ingest::{Input, Options, read_input};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[(&str, &str)] = &[
    ("a.txt", "Title café\n\nIt cost $5 in Zürich. More text.\n\nA second paragraph, “quoted”.\n"),
    (
        "b.md",
        "---\ntitle: Front\ndate: 2024-01-02\n---\n# Heading\n\nBody *text* here.\n\n> quote\n",
    ),
    (
        "c.json",
        r#"{"title":"T","body":"One. Two.\n\nThree.","url":"https://x","published":"2024-05-01"}"#,
    ),
    ("d.jsonl", "{\"title\":\"A\",\"body\":\"Body a.\"}\n{\"title\":\"B\",\"body\":\"Body b.\"}\n"),
    (
        "e.html",
        "<!doctype html><html><head><title>T | Site</title><meta property=\"article:published_time\" content=\"2023-10-30\"></head><body><nav>Home</nav><article><h1>Head</h1><p>First <b>para</b>.</p><p>Second &amp; last.</p></article><script>x</script></body></html>",
    ),
];

const PIECES: &[&[u8]] = &[
    b"<div>",
    b"</div>",
    b"<p>",
    b"</p>",
    b"<article>",
    b"<!--",
    b"-->",
    b"<script>",
    b"<br>",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"---\n",
    b"# ",
    b"\xc3\xa9",
    b"\xe2\x80\x9c",
    b"\xff",
    b"\x00",
    b"&amp;",
    b"&#x1F600;",
    b"\t",
    b" ",
];

/// Reads `bytes` as the file `name` (rewritten in `dir` for each input: in-memory inputs must
/// be `'static`, and leaking one per iteration would grow without bound in a long run).
fn check(dir: &std::path::Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let input = Input::File(path);
    read_input(&input, &Options::default(), &mut |result| {
        if let Ok(article) = result {
            let text = &article.text;
            let spans = article
                .paragraphs
                .iter()
                .map(|p| p.span)
                .chain(article.sentences.iter().map(|s| s.span));
            for span in spans {
                let (start, end) = (span.start, span.end);
                assert!(
                    start <= end && text.get(start..end).is_some(),
                    "{name}: span {start}..{end} in a text of {} bytes from {:?}",
                    text.len(),
                    String::from_utf8_lossy(bytes)
                );
            }
            for sentence in &article.sentences {
                assert!(sentence.paragraph < article.paragraphs.len().max(1), "{name}");
            }
        }
        ControlFlow::Continue(())
    });
}

#[test]
fn readers_survive_mutated_inputs() {
    let budget = std::env::var("FACTQL_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok());
    let seed = match budget {
        Some(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 | 1),
        None => 0x1B5E_ED00_F00D_0001,
    };
    println!("fuzz seed {seed:#x}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let mut runs = 0u64;
    loop {
        match budget {
            Some(budget) if start.elapsed() >= budget => break,
            None if runs >= 500 => break,
            _ => {}
        }
        let (name, seed_text) = SEEDS[rng.below(SEEDS.len())];
        let mut bytes = seed_text.as_bytes().to_vec();
        for _ in 0..1 + rng.below(10) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(5) {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    let times = 1 + rng.below(4);
                    for _ in 0..times {
                        bytes.splice(at..at, piece.iter().copied());
                    }
                }
                2 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
                3 => {
                    let end = rng.below(bytes.len() + 1);
                    let (lo, hi) = (at.min(end), at.max(end));
                    let copy = bytes[lo..hi].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => {
                    let end = rng.below(bytes.len() + 1);
                    bytes.drain(at.min(end)..at.max(end));
                }
            }
        }
        check(dir.path(), name, &bytes);
        runs += 1;
    }
    println!("fuzz: {runs} inputs in {:.1}s", start.elapsed().as_secs_f64());
    assert!(runs > 0);
}

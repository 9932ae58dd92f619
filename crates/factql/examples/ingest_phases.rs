//! The phases of an ingest, each timed apart (wall clock and this thread's CPU time), on the
//! bundled corpus repeated to about N MB, one thread: extraction with every bundled plugin
//! (all articles first, kept in memory), then the store writes of a fresh store (articles in
//! batches of 64, then every plugin's rows of each batch, as `factql ingest` writes them),
//! then the engine's image. The extraction is done apart so that the store's part can be
//! measured and profiled alone; `scripts/ingest-speed.sh` and `cargo bench -p factql --bench
//! ingest` measure the real `factql ingest`, phases interleaved.
//!
//! ```text
//! cargo run --release -p factql --example ingest_phases -- [MB] [--rounds N]
//! ```
//!
//! `--rounds N` repeats the store phases N times (a fresh store each) and prints medians;
//! `--writes` stops after the writes (no image), for profiling them.

use std::time::Instant;

use factql_engine::Engine;
use factql_model::{Article, ExtractorRef};
use factql_plugin_host::{Host, HostConfig};
use factql_store::{Extraction, ExtractionSet, Store};

// The shared run loop is not used here: the extractions are kept for the store phases.
#[allow(dead_code)]
#[path = "../benches/common/mod.rs"]
mod common;
use common::{DATES, ENTITIES, EVENTS, MONEY, QUOTES, ROLES, TONE, cpu_ns};

/// Peak and current resident memory of this process, from `/proc/self/status`.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1)?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    format!("RSS {:.0} MiB, peak {:.0} MiB", field("VmRSS:"), field("VmHWM:"))
}

struct Phase {
    name: &'static str,
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

fn timed<T>(phase: &mut Phase, run: impl FnOnce() -> T) -> T {
    let (start, cpu) = (Instant::now(), cpu_ns());
    let out = run();
    phase.wall.push(start.elapsed().as_secs_f64());
    phase.cpu.push((cpu_ns() - cpu) as f64 / 1e9);
    out
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 1;
    if let Some(at) = args.iter().position(|a| a == "--rounds") {
        rounds = args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(rounds);
        args.drain(at..(at + 2).min(args.len()));
    }
    let writes_only = args.iter().any(|a| a == "--writes");
    args.retain(|a| a != "--writes");
    let mb: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10);
    let articles = factql_test_support::corpus_articles(mb * 1024 * 1024);
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let megabytes = articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6;
    // Copies of the corpus are made distinct as the script makes its files distinct, so the
    // store holds every one (no duplicates).
    let articles: Vec<Article> = articles
        .into_iter()
        .enumerate()
        .map(|(n, mut article)| {
            article.origin = format!("copy{n}/{}", article.origin);
            article.id.0 = format!("{}{n:x}", &article.id.0[..article.id.0.len().min(10)]);
            article.text_sha256 = format!("{n:064x}");
            article
        })
        .collect();
    println!("{megabytes:.1} MB, {} articles, {words} words, one thread", articles.len());

    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    let mut load = Phase { name: "host load", wall: vec![], cpu: vec![] };
    let host = timed(&mut load, || {
        Host::load(&config, &[ENTITIES, ROLES, TONE, MONEY, DATES, QUOTES, EVENTS]).expect("host")
    });
    let mut extract = Phase { name: "extract", wall: vec![], cpu: vec![] };
    let found: Vec<Vec<Extraction>> = timed(&mut extract, || {
        articles
            .iter()
            .map(|article| {
                host.extract(article)
                    .into_iter()
                    .map(|outcome| outcome.result.expect("the extractor runs"))
                    .collect()
            })
            .collect()
    });
    println!("after extraction: {}", memory());
    let all = || found.iter().flatten();
    println!(
        "rows per pass: {} facts ({} arguments), {} mentions, {} entity namings ({} names)",
        all().map(|e| e.facts.len()).sum::<usize>(),
        all().flat_map(|e| &e.facts).map(|f| f.args.len()).sum::<usize>(),
        all().map(|e| e.mentions.len()).sum::<usize>(),
        all().map(|e| e.entities.len()).sum::<usize>(),
        all().flat_map(|e| &e.entities).map(|e| 1 + e.aliases.len()).sum::<usize>(),
    );

    let mut phases = [
        Phase { name: "articles", wall: vec![], cpu: vec![] },
        Phase { name: "plugin rows", wall: vec![], cpu: vec![] },
        Phase { name: "store load", wall: vec![], cpu: vec![] },
        Phase { name: "image write", wall: vec![], cpu: vec![] },
    ];
    for _ in 0..rounds {
        let db = dir.path().join("phases.db");
        for suffix in ["", "-wal", "-shm", ".image"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let mut store = Store::open(&db).expect("store");
        let mut runs = Vec::new();
        for plugin in host.plugins() {
            store.redeclare_kinds(&plugin.kinds(), plugin.name()).expect("kinds");
            let extractor =
                ExtractorRef { name: plugin.name().into(), version: plugin.version().into() };
            runs.push(store.begin_run(&extractor, plugin.config_hash()).expect("run"));
        }
        for (chunk, found) in articles.chunks(64).zip(found.chunks(64)) {
            timed(&mut phases[0], || store.write_batch(chunk).expect("articles"));
            timed(&mut phases[1], || {
                let items: Vec<Vec<(&factql_model::ArticleId, &Extraction)>> = (0..runs.len())
                    .map(|plugin| {
                        chunk.iter().zip(found).map(|(a, e)| (&a.id, &e[plugin])).collect()
                    })
                    .collect();
                let new = vec![true; chunk.len()];
                let sets: Vec<ExtractionSet<'_>> = items
                    .iter()
                    .enumerate()
                    .map(|(plugin, items)| ExtractionSet {
                        run: runs[plugin],
                        extractor: host.plugins()[plugin].name(),
                        items,
                        new: &new,
                    })
                    .collect();
                store.write_extraction_sets(&sets).expect("rows");
            });
        }
        for run in &runs {
            store.finish_run(*run).expect("finish");
        }
        if writes_only {
            continue;
        }
        let engine = timed(&mut phases[2], || Engine::load(&store).expect("load"));
        println!("after loading the store: {}", memory());
        timed(&mut phases[3], || engine.write_image(&store).expect("image"));
        println!("after writing the image: {}", memory());
    }
    let rate = |secs: f64| words as f64 / secs.max(1e-9) / 1e6;
    println!("{:<12} {:>9} {:>9} {:>14}", "phase", "wall s", "CPU s", "M words/CPU-s");
    for phase in std::iter::once(&load).chain([&extract]).chain(&phases) {
        if phase.wall.is_empty() {
            continue;
        }
        let (wall, cpu) = if phase.wall.len() > 1 && phase.name != "host load" {
            // Per round: the batches of a round add up.
            let per = phase.wall.len() / rounds;
            let sums = |v: &[f64]| v.chunks(per).map(|c| c.iter().sum()).collect::<Vec<f64>>();
            (median(&sums(&phase.wall)), median(&sums(&phase.cpu)))
        } else {
            (median(&phase.wall), median(&phase.cpu))
        };
        println!("{:<12} {wall:>9.3} {cpu:>9.3} {:>14.2}", phase.name, rate(cpu));
    }
}

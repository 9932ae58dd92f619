//! Words per second of bundled extractors through the plugin host, one thread, on the bundled
//! corpus repeated to about 10 MB, by wall clock and by the thread's own CPU time
//! (`/proc/thread-self/schedstat`, Linux): the CPU figure stays meaningful on a loaded machine,
//! where the criterion bench (`cargo bench -p factql --bench extractors`) is noisy. Also a
//! steady loop to run under `perf record`.
//!
//! ```text
//! cargo run --release -p factql --example extract_speed -- [SETUP...] [--rounds N] [--megabytes M]
//! ```
//!
//! `--megabytes` (default 10) sizes the input; a small one (1) keeps a run under
//! `valgrind --tool=callgrind --toggle-collect='*common::run*'` short, for instruction counts
//! that a shared machine does not disturb.
//!
//! A setup is `entities`, `money`, `dates`, `roles` (with entities), `tone` (with entities),
//! `quotes` (with entities and roles), `events` (with entities and dates)
//! or `all`; the default is every one of them.

use std::time::Instant;

use factql_plugin_host::{Host, HostConfig, StaticPlugin};

#[path = "../benches/common/mod.rs"]
mod common;
use common::{DATES, ENTITIES, EVENTS, MONEY, QUOTES, ROLES, TONE, cpu_ns, run};

fn setup(name: &str) -> Option<Vec<StaticPlugin>> {
    Some(match name {
        "entities" => vec![ENTITIES],
        "money" => vec![MONEY],
        "dates" => vec![DATES],
        "roles" => vec![ENTITIES, ROLES],
        "tone" => vec![ENTITIES, TONE],
        "quotes" => vec![ENTITIES, ROLES, QUOTES],
        "events" => vec![ENTITIES, DATES, EVENTS],
        "all" => vec![ENTITIES, ROLES, TONE, MONEY, DATES, QUOTES, EVENTS],
        _ => return None,
    })
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut option = |name: &str, default: usize| {
        let Some(at) = args.iter().position(|a| a == name) else { return default };
        let value = args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(default);
        args.drain(at..(at + 2).min(args.len()));
        value
    };
    let rounds = option("--rounds", 5);
    let megabytes = option("--megabytes", 10);
    if args.is_empty() {
        args = ["entities", "money", "dates", "roles", "tone", "all"].map(String::from).to_vec();
    }
    let articles = factql_test_support::corpus_articles(megabytes * 1024 * 1024);
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let megabytes = articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6;
    println!("{megabytes:.1} MB, {words} words, one thread; medians of {rounds} passes:");
    for name in &args {
        let Some(plugins) = setup(name) else {
            eprintln!("unknown setup {name}");
            std::process::exit(2);
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
        let host = Host::load(&config, &plugins).expect("host");
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        let mut found = 0;
        for _ in 0..rounds {
            let (start, start_cpu) = (Instant::now(), cpu_ns());
            found = std::hint::black_box(run(&host, &articles));
            wall.push(start.elapsed().as_secs_f64());
            cpu.push((cpu_ns() - start_cpu) as f64 / 1e9);
        }
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let rate = |secs: &[f64]| words as f64 / secs[secs.len() / 2];
        println!(
            "  {name:<10} {:>12.0} words/s wall {:>12.0} words/s CPU ({found} rows)",
            rate(&wall),
            rate(&cpu)
        );
    }
}

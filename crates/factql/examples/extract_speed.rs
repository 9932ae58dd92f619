//! Words per second of bundled extractors through the plugin host, one thread, on the bundled
//! corpus repeated to about 10 MB, by wall clock and by the thread's own CPU time
//! (`/proc/thread-self/schedstat`, Linux): the CPU figure stays meaningful on a loaded machine,
//! where the criterion bench (`cargo bench -p factql --bench extractors`) is noisy. Also a
//! steady loop to run under `perf record`.
//!
//! ```text
//! cargo run --release -p factql --example extract_speed -- [SETUP...] [--rounds N]
//! ```
//!
//! A setup is `entities`, `money`, `dates`, `roles` (with entities), `tone` (with entities),
//! `quotes` (with entities and roles), `events` (with entities and dates)
//! or `all`; the default is every one of them.

use std::time::Instant;

use factql_model::Article;
use factql_plugin_host::{Host, HostConfig, StaticPlugin};

/// The allocator of the `factql` binary, so the figures are those of the real ingest.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ENTITIES: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_entities",
    entry: factql_extractor_entities::factql_plugin_entry,
};
const ROLES: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_roles",
    entry: factql_extractor_roles::factql_plugin_entry,
};
const DATES: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_dates",
    entry: factql_extractor_dates::factql_plugin_entry,
};
const TONE: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_tone",
    entry: factql_extractor_tone::factql_plugin_entry,
};
const MONEY: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_money",
    entry: factql_extractor_money::factql_plugin_entry,
};

const QUOTES: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_quotes",
    entry: factql_extractor_quotes::factql_plugin_entry,
};
const EVENTS: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_events",
    entry: factql_extractor_events::factql_plugin_entry,
};

fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

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

fn run(host: &Host, articles: &[Article]) -> usize {
    let mut found = 0;
    for article in articles {
        for outcome in host.extract(article) {
            let extraction = outcome.result.expect("the extractor runs");
            found += extraction.facts.len() + extraction.mentions.len();
        }
    }
    found
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 5;
    if let Some(at) = args.iter().position(|a| a == "--rounds") {
        rounds = args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(rounds);
        args.drain(at..(at + 2).min(args.len()));
    }
    if args.is_empty() {
        args = ["entities", "money", "dates", "roles", "tone", "all"].map(String::from).to_vec();
    }
    let articles = factql_test_support::corpus_articles(10 * 1024 * 1024);
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

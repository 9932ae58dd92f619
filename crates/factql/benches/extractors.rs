//! Throughput of the bundled extractors through the plugin host, one thread, on the bundled
//! corpus repeated to about 10 MB: each extractor alone (roles and tone read the entities'
//! mentions, so they are measured with them and their share is the difference; events reads
//! the entities' mentions and the dates' facts), then all of them.
//!
//! `cargo bench -p factql --bench extractors`; words are whitespace-separated words of the
//! article texts, as in the peers' baselines. The whole ingest (reading, segmentation, the
//! store and every extractor) is measured by `scripts/ingest-speed.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_model::Article;
use factql_plugin_host::{Host, HostConfig, StaticPlugin};

const TARGET_BYTES: usize = 10 * 1024 * 1024;

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
const EVENTS: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_events",
    entry: factql_extractor_events::factql_plugin_entry,
};
const MONEY: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_money",
    entry: factql_extractor_money::factql_plugin_entry,
};

fn host(plugins: &[StaticPlugin]) -> Host {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    Host::load(&config, plugins).expect("host")
}

/// Every article through `host`, on this thread; the number of facts and mentions found.
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

fn bench(c: &mut Criterion) {
    let articles = factql_test_support::corpus_articles(TARGET_BYTES);
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let megabytes = articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6;
    let setups: [(&str, Vec<StaticPlugin>); 7] = [
        ("entities", vec![ENTITIES]),
        ("money", vec![MONEY]),
        ("dates", vec![DATES]),
        ("entities+roles", vec![ENTITIES, ROLES]),
        ("entities+tone", vec![ENTITIES, TONE]),
        ("entities+dates+events", vec![ENTITIES, DATES, EVENTS]),
        ("all", vec![ENTITIES, ROLES, TONE, MONEY, DATES, EVENTS]),
    ];
    let mut group = c.benchmark_group("extractors");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, plugins) in &setups {
        let host = host(plugins);
        group.bench_function(*name, |b| b.iter(|| black_box(run(&host, &articles))));
    }
    group.finish();

    // Medians of five timed passes each, for the per-extractor table (criterion's own
    // estimates are above; this pass gives roles its share by difference).
    let median = |plugins: &[StaticPlugin]| {
        let host = host(plugins);
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                black_box(run(&host, &articles));
                start.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[2]
    };
    let rate = |secs: f64| words as f64 / secs;
    let (entities, money, dates, with_roles, with_tone, with_events, all) = (
        median(&[ENTITIES]),
        median(&[MONEY]),
        median(&[DATES]),
        median(&[ENTITIES, ROLES]),
        median(&[ENTITIES, TONE]),
        median(&[ENTITIES, DATES, EVENTS]),
        median(&[ENTITIES, ROLES, TONE, MONEY, DATES, EVENTS]),
    );
    println!("\n{megabytes:.1} MB, {words} words, one thread; medians of 5 passes:");
    println!("  entities alone      {:>12.0} words/s", rate(entities));
    println!("  money alone         {:>12.0} words/s", rate(money));
    println!("  dates alone         {:>12.0} words/s", rate(dates));
    println!("  roles (difference)  {:>12.0} words/s", rate((with_roles - entities).max(1e-9)));
    println!("  tone (difference)   {:>12.0} words/s", rate((with_tone - entities).max(1e-9)));
    println!(
        "  events (difference) {:>12.0} words/s",
        rate((with_events - entities - dates).max(1e-9))
    );
    println!("  all bundled         {:>12.0} words/s", rate(all));
}

criterion_group!(benches, bench);
criterion_main!(benches);

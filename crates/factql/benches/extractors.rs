//! Throughput of the bundled extractors through the plugin host, one thread, on the bundled
//! corpus repeated to about 10 MB: each extractor alone (roles and tone read the entities'
//! mentions, and quotes reads them and the roles' offices, so they are measured with what they
//! read and their share is the difference; events reads the entities' mentions and the dates'
//! facts), then all of them.
//!
//! `cargo bench -p factql --bench extractors`; words are whitespace-separated words of the
//! article texts, as in the peers' baselines. The whole ingest (reading, segmentation, the
//! store and every extractor) is measured by `scripts/ingest-speed.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_plugin_host::{Host, HostConfig, StaticPlugin};

mod common;
use common::{DATES, ENTITIES, EVENTS, MONEY, QUOTES, ROLES, TONE, run};

const TARGET_BYTES: usize = 10 * 1024 * 1024;

fn host(plugins: &[StaticPlugin]) -> Host {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    Host::load(&config, plugins).expect("host")
}

fn bench(c: &mut Criterion) {
    let articles = factql_test_support::corpus_articles(TARGET_BYTES);
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    let megabytes = articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6;
    let setups: [(&str, Vec<StaticPlugin>); 8] = [
        ("entities", vec![ENTITIES]),
        ("money", vec![MONEY]),
        ("dates", vec![DATES]),
        ("entities+roles", vec![ENTITIES, ROLES]),
        ("entities+tone", vec![ENTITIES, TONE]),
        ("entities+roles+quotes", vec![ENTITIES, ROLES, QUOTES]),
        ("entities+dates+events", vec![ENTITIES, DATES, EVENTS]),
        ("all", vec![ENTITIES, ROLES, TONE, MONEY, DATES, QUOTES, EVENTS]),
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
    // estimates are above; this pass gives roles, tone and quotes their share by difference),
    // by the wall clock and by this process's CPU time (the machine may be shared: CPU time
    // is what the extractors cost).
    let median = |plugins: &[StaticPlugin]| {
        let host = host(plugins);
        let mut wall = Vec::new();
        let mut cpu = Vec::new();
        for _ in 0..5 {
            let (start, cpu_start) = (Instant::now(), cpu_seconds());
            black_box(run(&host, &articles));
            wall.push(start.elapsed().as_secs_f64());
            cpu.push(cpu_seconds().zip(cpu_start).map(|(end, start)| end - start));
        }
        wall.sort_by(f64::total_cmp);
        let mut cpu: Vec<f64> = cpu.into_iter().flatten().collect();
        cpu.sort_by(f64::total_cmp);
        (wall[2], cpu.get(2).copied().unwrap_or(f64::NAN))
    };
    let rate = |secs: f64| words as f64 / secs.max(1e-9);
    let (entities, money, dates, with_roles, with_tone, with_quotes, with_events, all) = (
        median(&[ENTITIES]),
        median(&[MONEY]),
        median(&[DATES]),
        median(&[ENTITIES, ROLES]),
        median(&[ENTITIES, TONE]),
        median(&[ENTITIES, ROLES, QUOTES]),
        median(&[ENTITIES, DATES, EVENTS]),
        median(&[ENTITIES, ROLES, TONE, MONEY, DATES, QUOTES, EVENTS]),
    );
    let line = |name: &str, (wall, cpu): (f64, f64)| {
        println!("  {name:<20} {:>12.0} words/s wall {:>12.0} words/s CPU", rate(wall), rate(cpu));
    };
    let minus = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0, a.1 - b.1);
    println!("\n{megabytes:.1} MB, {words} words, one thread; medians of 5 passes:");
    line("entities alone", entities);
    line("money alone", money);
    line("dates alone", dates);
    line("roles (difference)", minus(with_roles, entities));
    line("tone (difference)", minus(with_tone, entities));
    line("quotes (difference)", minus(with_quotes, with_roles));
    line("events (difference)", minus(minus(with_events, entities), dates));
    line("all bundled", all);
}

/// This process's user and system CPU time in seconds (Linux `/proc/self/stat`).
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

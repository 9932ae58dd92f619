//! Cost of the plugin boundary: per call and per fact, in-process and isolated, against the
//! money extractor called directly as a Rust function (no boundary at all).
//!
//! `cargo bench -p factql --bench plugins`. The isolated host runs the real runner (this
//! package's `factql` binary, `__plugin-runner bundled:factql_extractor_money`).
//!
//! Money is a cheap extractor (a token scan, ~15 µs per article). `Places` below stands for a
//! realistic one: gazetteer matching against 50,000 names, as a dictionary NER does.
// The bench registers `Places` through a hand-written entry function, like `export!` does.
#![allow(unsafe_code)]

use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use factql_extractor_money::Money;
use factql_model::Article;
use factql_plugin_host::{Host, HostConfig, Isolate, RunnerCommand, StaticPlugin};
use factql_plugin_sdk::abi::{HostV1, PluginV1};
use factql_plugin_sdk::text::Gazetteer;
use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest};
use factql_plugin_sdk::wire::{Inputs, Span};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

/// Dictionary matching of place names: 50,000 phrases, some of which occur in the corpus.
struct Places {
    gazetteer: Gazetteer,
}

impl Extractor for Places {
    fn manifest() -> Manifest {
        Manifest::new("places", "0.0.1").produces(KindDecl::new("place").field(
            "entry",
            FieldType::Int,
            true,
        ))
    }
    fn new(_: &Config) -> Result<Places, Error> {
        let real = [
            "Australia",
            "United States",
            "Afghanistan",
            "Kabul",
            "Japan",
            "London",
            "Europe",
            "China",
        ];
        let mut names: Vec<String> = real.iter().map(|s| (*s).to_owned()).collect();
        names.extend((0..50_000).map(|n| format!("Port {n} Saint {}", n * 7 % 1013)));
        Ok(Places { gazetteer: Gazetteer::new(names.iter().map(String::as_str)) })
    }
    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        for (range, entry) in self.gazetteer.find(doc.text()) {
            out.fact("place", range).field("entry", entry as i64).confidence(0.8);
        }
        Ok(())
    }
}

static PLACES: OnceLock<Places> = OnceLock::new();

fn places() -> &'static Places {
    PLACES.get_or_init(|| Places::new(&Config::default()).expect("places"))
}

unsafe extern "C" fn places_entry(host: *const HostV1) -> *const PluginV1 {
    static TABLE: OnceLock<Option<factql_plugin_sdk::__private::Table>> = OnceLock::new();
    // SAFETY: forwarded from the host.
    unsafe { factql_plugin_sdk::__private::entry::<Places>(host, &TABLE) }
}

const BUNDLED: &[StaticPlugin] = &[StaticPlugin {
    crate_name: "factql_extractor_money",
    entry: factql_extractor_money::factql_plugin_entry,
}];

fn article(name: &str, text: String) -> Article {
    let input = factql_ingest::Input::Memory {
        name: name.to_owned(),
        bytes: Box::leak(text.into_bytes().into_boxed_slice()),
    };
    let mut out = None;
    factql_ingest::read_input(&input, &factql_ingest::Options::default(), &mut |result| {
        out = result.ok();
        std::ops::ControlFlow::Break(())
    });
    out.expect("the article reads")
}

fn hosts() -> (Host, Host) {
    let dir = std::env::temp_dir().join("factql-bench-plugins");
    // The watchdog on, as in the binary: its bookkeeping is part of the cost of a call.
    let base = HostConfig {
        lock: dir.join("plugins.lock"),
        on_hang: Some(|_| {}),
        ..HostConfig::default()
    };
    let in_process = Host::load(&base, BUNDLED).expect("in-process host");
    let isolated_config = HostConfig {
        isolate: Isolate::All,
        runner: Some(RunnerCommand {
            program: env!("CARGO_BIN_EXE_factql").into(),
            args: vec!["__plugin-runner".into()],
            env: Vec::new(),
        }),
        ..base
    };
    let isolated = Host::load(&isolated_config, BUNDLED).expect("isolated host");
    assert!(isolated.plugins()[0].isolated());
    (in_process, isolated)
}

/// The extractor called as a plain Rust function: what the work costs without any boundary.
fn direct(article: &Article) -> usize {
    let inputs = Inputs {
        sentences: article.sentences.iter().map(|s| Span::new(s.span.start, s.span.end)).collect(),
        ..Inputs::default()
    };
    let doc = Document::new(&article.id.0, &article.text, inputs);
    let mut out = Output::default();
    Money::new(&Config::default()).and_then(|m| m.extract(&doc, &mut out)).expect("money runs");
    out.facts().len()
}

/// `Places` called directly (its gazetteer built once, as the plugin's instance is).
fn direct_places(article: &Article) -> usize {
    let inputs = Inputs {
        sentences: article.sentences.iter().map(|s| Span::new(s.span.start, s.span.end)).collect(),
        ..Inputs::default()
    };
    let doc = Document::new(&article.id.0, &article.text, inputs);
    let mut out = Output::default();
    places().extract(&doc, &mut out).expect("places runs");
    out.facts().len()
}

fn facts(host: &Host, article: &Article) -> usize {
    host.extract(article).into_iter().map(|o| o.result.map_or(0, |e| e.facts.len())).sum()
}

fn bench(c: &mut Criterion) {
    let (in_process, isolated) = hosts();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/wikinews/2015-08-02_taxes.txt");
    let realistic = article("taxes.txt", std::fs::read_to_string(corpus).expect("corpus article"));
    let empty = article("empty.txt", "A title\n\nNothing to find here.\n".to_owned());
    let amounts: String =
        (0..1000).map(|n| format!("It cost ${n}.{:02} million. ", n % 100)).collect();
    let many = article("many.txt", format!("Prices\n\n{amounts}\n"));
    assert_eq!(direct(&many), 1000);
    assert_eq!(facts(&in_process, &many), 1000);
    assert_eq!(facts(&isolated, &many), 1000);

    let mut group = c.benchmark_group("call");
    group.bench_function("direct/empty", |b| b.iter(|| direct(black_box(&empty))));
    group.bench_function("in-process/empty", |b| b.iter(|| facts(&in_process, black_box(&empty))));
    group.bench_function("isolated/empty", |b| b.iter(|| facts(&isolated, black_box(&empty))));
    group.bench_function("direct/article", |b| b.iter(|| direct(black_box(&realistic))));
    group.bench_function("in-process/article", |b| {
        b.iter(|| facts(&in_process, black_box(&realistic)))
    });
    group
        .bench_function("isolated/article", |b| b.iter(|| facts(&isolated, black_box(&realistic))));
    group.finish();

    let dir = std::env::temp_dir().join("factql-bench-plugins");
    let config = HostConfig {
        lock: dir.join("plugins.lock"),
        on_hang: Some(|_| {}),
        ..HostConfig::default()
    };
    let statics = [StaticPlugin { crate_name: "places", entry: places_entry }];
    let gazetteer_host = Host::load(&config, &statics).expect("places host");
    let afghan =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/wikinews/2017-07-18_afghan.txt");
    let afghan = article("afghan.txt", std::fs::read_to_string(afghan).expect("corpus article"));
    assert_eq!(direct_places(&afghan), facts(&gazetteer_host, &afghan));
    assert!(direct_places(&afghan) > 0);
    let mut group = c.benchmark_group("gazetteer");
    group.bench_function("direct/article", |b| b.iter(|| direct_places(black_box(&afghan))));
    group.bench_function("in-process/article", |b| {
        b.iter(|| facts(&gazetteer_host, black_box(&afghan)))
    });
    group.finish();
    overhead(&afghan, &gazetteer_host);

    let mut group = c.benchmark_group("facts");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("direct/1000", |b| b.iter(|| direct(black_box(&many))));
    group.bench_function("in-process/1000", |b| b.iter(|| facts(&in_process, black_box(&many))));
    group.bench_function("isolated/1000", |b| b.iter(|| facts(&isolated, black_box(&many))));
    group.finish();
}

/// The in-process overhead on the gazetteer, printed as a figure: criterion's two benchmarks
/// run seconds apart, and on a shared machine a load on the other core can slow one more than
/// the other by more than the few per cent measured. Here one direct and one in-process call
/// alternate, each pair gives a ratio, and the median ratio cancels such drift.
fn overhead(article: &Article, host: &Host) {
    let time = |f: &dyn Fn() -> usize| {
        let started = Instant::now();
        black_box(f());
        started.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..3000)
        .map(|_| {
            let direct = time(&|| direct_places(black_box(article)));
            let boundary = time(&|| facts(host, black_box(article)));
            boundary / direct
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| (ratios[ratios.len() * q / 4] - 1.0) * 100.0;
    eprintln!(
        "gazetteer in-process overhead: {:+.2} % (median of {} interleaved pairs; quartiles {:+.2} % and {:+.2} %)",
        quartile(2),
        ratios.len(),
        quartile(1),
        quartile(3)
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);

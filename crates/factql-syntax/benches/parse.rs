//! Parsing speed on typical queries from `test_data/ok`.
//!
//! Run with `cargo bench --bench parse`; the figure to report is the median
//! of `parse/07_heads_of_state_quotes` (design example 7).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/ok").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for name in ["07_heads_of_state_quotes", "15_top_per_source", "multiline_continuations"] {
        let src = read(&format!("{name}.fql"));
        group.bench_function(name, |b| b.iter(|| factql_syntax::parse(black_box(&src))));
    }
    let broken = "people | wher x > 1 | take \"5\" | sort name | render pie";
    group.bench_function("several_errors", |b| b.iter(|| factql_syntax::parse(black_box(broken))));
    group.finish();

    let script = factql_syntax::parse(&read("07_heads_of_state_quotes.fql")).script;
    c.bench_function("print/07_heads_of_state_quotes", |b| {
        b.iter(|| black_box(&script).to_string())
    });
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);

//! Export speed and size on the synthetic benchmark store: rows/s (by the wall clock and per
//! CPU-second of the process) and Parquet bytes against the SQLite file.
//!
//! `cargo run --release -p factql-export --example export_speed -- [ARTICLES]` (default
//! 10,000). The store is `target/factql-bench/synthetic-ARTICLES-v1.db`, the engine bench's
//! (`FACTQL_BENCH_GENERATE_ONLY=1 FACTQL_BENCH_ARTICLES=N cargo bench -p factql-engine --bench
//! engine` makes the same file), generated here when missing; the dataset goes to
//! `target/factql-bench/export-ARTICLES/` and is replaced on each run.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use factql_export::{ExportOptions, export};

/// CPU seconds of this process so far (user + system), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the name; 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}

fn size(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path).unwrap().map(|e| size(&e.unwrap().path())).sum()
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}

fn main() {
    let articles: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/factql-bench");
    std::fs::create_dir_all(&bench).unwrap();
    let db = bench.join(format!("synthetic-{articles}-v1.db"));
    if !db.exists() {
        eprintln!("generating {} ...", db.display());
        let partial = db.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        drop(factql_test_support::synthetic_store(&partial, articles, 42).unwrap());
        std::fs::rename(&partial, &db).unwrap();
    }
    let store = factql_store::Store::open_read_only(&db).unwrap();
    let dir = bench.join(format!("export-{articles}"));
    let _ = std::fs::remove_dir_all(&dir);

    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let report = export(&store, &dir, &ExportOptions::default()).unwrap();
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);

    let sqlite = size(&db) + size(&db.with_extension("db-wal"));
    println!("store {} ({:.1} MB SQLite)", db.display(), sqlite as f64 / 1e6);
    println!("{:<16} {:>12} {:>12}", "table", "rows", "MB");
    for (table, rows) in &report.rows {
        println!("{table:<16} {rows:>12} {:>12.2}", size(&dir.join(table)) as f64 / 1e6);
    }
    let rows = report.total_rows();
    println!(
        "total: {rows} rows, {} files, {:.1} MB Parquet = {:.2} x the SQLite file",
        report.files.len(),
        report.bytes as f64 / 1e6,
        report.bytes as f64 / sqlite as f64
    );
    println!(
        "time: {wall:.2} s wall, {cpu:.2} s CPU; {:.0} rows/s wall, {:.0} rows per CPU-s; {:.0} articles/s",
        rows as f64 / wall,
        rows as f64 / cpu.max(1e-9),
        report.articles as f64 / wall
    );
}

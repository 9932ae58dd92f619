//! Runs queries against a store a number of times each and prints the timings: for profiling.
//!
//! `cargo run --release -p factql-engine --example run_query -- DB [--times N] [--print] [--parallel-from ROWS] [--store] [--write-image] 'QUERY'...`
//!
//! `--print` shows the first 20 rows of each query's first run; `--parallel-from` sets
//! `RunOptions::parallel_from` (a huge value runs everything on one thread).
//!
//! The store is loaded once (from its image when current, unless `--store`; the load time
//! and where it came from are printed; `--write-image` then writes the image); each query is
//! checked and run `N` times (default 5), and the median (and the CPU time of a run, all
//! threads) is printed after its runs.

use std::time::Instant;

/// The allocator of the `factql` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(db) = args.next() else {
        eprintln!("usage: run_query DB [--times N] [--print] [--parallel-from ROWS] QUERY...");
        std::process::exit(2);
    };
    let mut times = 5usize;
    let mut print = false;
    let (mut from_store, mut write_image) = (false, false);
    let mut options = factql_engine::RunOptions::default();
    let mut queries = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--parallel-from" {
            options.parallel_from =
                args.next().and_then(|t| t.parse().ok()).unwrap_or(options.parallel_from);
        } else if arg == "--store" {
            from_store = true;
        } else if arg == "--write-image" {
            write_image = true;
        } else if arg == "--print" {
            print = true;
        } else if arg == "--times" {
            times = args.next().and_then(|t| t.parse().ok()).unwrap_or(times);
        } else {
            queries.push(arg);
        }
    }
    let started = Instant::now();
    let store = factql_store::Store::open(&db)?;
    let (engine, loaded) = if from_store {
        (factql_engine::Engine::load(&store)?, "the store (--store)".to_owned())
    } else {
        match factql_engine::Engine::open(&store)? {
            (engine, factql_engine::Loaded::Image) => (engine, "the image".to_owned()),
            (engine, factql_engine::Loaded::Store(why)) => (engine, format!("the store ({why})")),
        }
    };
    eprintln!("load {:.2}s from {loaded}", started.elapsed().as_secs_f64());
    if write_image {
        let started = Instant::now();
        let path = engine.write_image(&store)?;
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        eprintln!(
            "image written in {:.2}s: {} ({:.0} MB)",
            started.elapsed().as_secs_f64(),
            path.display(),
            size as f64 / 1e6
        );
    }
    let ctx = factql_engine::Context::default();
    for query in &queries {
        let mut samples = Vec::with_capacity(times);
        let cpu_before = cpu_ms();
        let mut rows = 0;
        for _ in 0..times {
            let started = Instant::now();
            let checked = engine.check(query, &ctx);
            let Some(plan) = checked.plan else {
                eprintln!("{:?}", checked.diagnostics);
                std::process::exit(1);
            };
            let relation = engine.run(&plan, &options)?;
            rows = relation.rows.len();
            if print && samples.is_empty() {
                for row in relation.rows.iter().take(20) {
                    let vals: Vec<String> =
                        row.vals.iter().map(|v| engine.dataset().display(v)).collect();
                    eprintln!("  {}", vals.join(" | "));
                }
            }
            samples.push(started.elapsed().as_secs_f64() * 1e3);
        }
        let cpu = (cpu_ms() - cpu_before) / times as f64;
        samples.sort_by(f64::total_cmp);
        eprintln!(
            "{rows} rows, median {:.1} ms (min {:.1}, max {:.1}; cpu {cpu:.0} ms a run): {query}",
            samples[samples.len() / 2],
            samples[0],
            samples[samples.len() - 1]
        );
    }
    Ok(())
}

/// CPU time of this process so far (all threads, user and system), from `/proc/self/stat`;
/// 0 where that is not available.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks of 10 ms.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) * 10.0
}

//! Runs one query against a store a number of times and prints the timings: for profiling.
//!
//! `cargo run --release -p factql-engine --example run_query -- DB 'QUERY' [TIMES]`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(db), Some(query)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: run_query DB QUERY [TIMES]");
        std::process::exit(2);
    };
    let times: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(5);
    let started = Instant::now();
    let store = factql_store::Store::open(db)?;
    let engine = factql_engine::Engine::load(&store)?;
    eprintln!("load {:.2}s", started.elapsed().as_secs_f64());
    let ctx = factql_engine::Context::default();
    for _ in 0..times {
        let started = Instant::now();
        let checked = engine.check(query, &ctx);
        let checked_at = started.elapsed();
        let Some(plan) = checked.plan else {
            eprintln!("{:?}", checked.diagnostics);
            std::process::exit(1);
        };
        let rows = engine.run(&plan, &factql_engine::RunOptions::default())?;
        eprintln!(
            "{} rows in {:.1} ms (check {:.2} ms)",
            rows.rows.len(),
            started.elapsed().as_secs_f64() * 1e3,
            checked_at.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

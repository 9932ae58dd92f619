//! `factql stats`, and the summary `factql` prints with no command.

use std::path::Path;
use std::process::ExitCode;

use factql_ingest::Options;
use factql_store::{Stats, Store};

/// `factql stats [--json]`.
pub(crate) fn print_stats(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let stats = store.stats()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        print!("{}", render(&stats, store.path()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `factql` with no command: ingest the bundled corpus into an empty store, then summarise.
pub(crate) fn summary(db: &Path, isolate: &[String]) -> anyhow::Result<ExitCode> {
    let mut store = crate::cli::open(db)?;
    if store.article_count()? == 0 {
        let inputs = crate::bundled::inputs();
        println!(
            "{} is empty: ingesting the bundled sample corpus ({} articles)",
            db.display(),
            inputs.len()
        );
        let mut summary = crate::ingest::Summary::default();
        let host = crate::extract::load_host(isolate)?;
        let mut runner = crate::extract::Runner::start(&mut store, host, None)?;
        let result = crate::ingest::ingest_inputs(
            &mut store,
            &inputs,
            &Options::default(),
            64,
            &mut summary,
            Some(&mut runner),
        );
        crate::ingest::print_summary(&summary, store.path());
        result?;
        runner.finish(&mut store)?;
        println!();
    }
    print!("{}", render(&store.stats()?, store.path()));
    println!();
    println!(
        "Next (the binary is target/release/factql; with cargo, `cargo run --release -- ARGS`):"
    );
    println!("  factql query 'articles | where text has \"iodine\" | select published, title'");
    println!("  factql ingest PATH...    add your own articles (.txt .md .json .jsonl .html)");
    println!("  factql inspect FILE      see how factql reads one article");
    println!("  factql stats             these counts again (--json for scripts)");
    println!("  docs/language.md         the query language, with examples");
    Ok(ExitCode::SUCCESS)
}

fn render(stats: &Stats, db: &Path) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let t = &stats.tables;
    let _ = writeln!(out, "store {}", db.display());
    let rows = [
        ("articles", t.articles),
        ("duplicates", t.duplicates),
        ("paragraphs", t.paragraphs),
        ("sentences", t.sentences),
        ("entities", t.entities),
        ("mentions", t.mentions),
        ("facts", t.facts),
        ("runs", t.runs),
    ];
    for (name, count) in rows {
        let _ = writeln!(out, "  {name:<12} {count:>8}");
    }
    let groups = [
        ("facts per kind", &stats.facts_per_kind),
        ("articles per format", &stats.articles_per_format),
        ("articles per source", &stats.articles_per_source),
        ("articles per month", &stats.articles_per_month),
    ];
    for (title, group) in groups {
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}");
        for (key, count) in group {
            let _ = writeln!(out, "  {key:<24} {count:>8}");
        }
    }
    out
}

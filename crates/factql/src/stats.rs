//! `factql stats`, and the bundled corpus an empty store gets when the REPL opens on it.

use std::path::Path;
use std::process::ExitCode;

use factql_ingest::Options;
use factql_store::{Stats, Store};

/// `factql stats [--json]`.
pub(crate) fn print_stats(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let stats = store.stats()?;
    let text = if json {
        format!("{}\n", serde_json::to_string_pretty(&stats)?)
    } else {
        render(&stats, store.path())
    };
    // A closed pipe ends the output quietly in `main`.
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Ingests the bundled sample corpus when the store is empty, saying so; true if it did.
pub(crate) fn ingest_bundled_if_empty(
    store: &mut Store,
    db: &Path,
    isolate: &[String],
) -> anyhow::Result<bool> {
    if store.article_count()? > 0 {
        return Ok(false);
    }
    let inputs = crate::bundled::inputs();
    println!(
        "{} is empty: ingesting the bundled sample corpus ({} articles)",
        db.display(),
        inputs.len()
    );
    let mut summary = crate::ingest::Summary::default();
    let host = crate::extract::load_host(isolate)?;
    let mut runner = crate::extract::Runner::start(store, host, None)?;
    let result = crate::ingest::ingest_inputs(
        store,
        &inputs,
        &Options::default(),
        64,
        &mut summary,
        Some(&mut runner),
    );
    if result.is_ok() || summary.stored_anything() {
        crate::ingest::print_summary(&summary, store.path());
    }
    result?;
    runner.finish(store)?;
    println!();
    Ok(true)
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
        // Earlier versions of changed inputs, kept as history (`articles(all)`).
        if name == "articles" && t.superseded > 0 {
            let _ = writeln!(out, "  {:<12} {:>8}", "superseded", t.superseded);
        }
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

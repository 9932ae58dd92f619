//! `factql export --parquet DIR [--since DATE] [--with-text]`: the store as a Parquet dataset
//! (`docs/export.md`), with a one-line summary per table.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use factql_export::{ExportOptions, export as write_dataset};
use factql_store::Store;

/// Exports `store` to `dir` and prints what was written.
pub(crate) fn export(
    store: &Store,
    dir: &Path,
    since: Option<String>,
    with_text: bool,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let report = write_dataset(store, dir, &ExportOptions { since, with_text })?;
    let secs = started.elapsed().as_secs_f64();
    let mut text = String::new();
    for (table, rows) in &report.rows {
        text.push_str(&format!("{table:<20} {rows:>12} rows\n"));
    }
    let rewritten = if report.rewritten_partitions.is_empty() {
        String::new()
    } else {
        format!("; partitions rewritten: {}", report.rewritten_partitions.join(", "))
    };
    text.push_str(&format!(
        "run {}: {} articles, {} rows, {} files, {:.1} MB in {} ({secs:.1} s, {:.0} rows/s){rewritten}\n",
        report.run,
        report.articles,
        report.total_rows(),
        report.files.len(),
        report.bytes as f64 / 1e6,
        dir.display(),
        report.total_rows() as f64 / secs.max(1e-9),
    ));
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

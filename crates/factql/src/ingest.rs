//! `factql ingest`: read inputs, write them to the store in batches, report what happened.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use factql_ingest::{Input, Options, discover_with, read_input};
use factql_model::Article;
use factql_store::{Outcome, Store, StoreError};
use indicatif::{ProgressBar, ProgressStyle};

/// What one ingest run did.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub ingested: usize,
    pub unchanged: usize,
    pub updated: usize,
    pub duplicates: Vec<(String, String)>,
    pub skipped: Vec<(String, String)>,
    pub ignored: Vec<PathBuf>,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl Summary {
    /// True when a batch committed (a failed run prints its summary only then: the summary
    /// counts committed work, never what was read and lost).
    pub(crate) fn stored_anything(&self) -> bool {
        self.ingested + self.unchanged + self.updated + self.duplicates.len() > 0
    }
}

/// `factql ingest PATH...`.
pub(crate) fn ingest_paths(
    store: &mut Store,
    paths: &[PathBuf],
    follow_symlinks: bool,
    options: &Options,
    batch: usize,
    runner: Option<&mut crate::extract::Runner>,
) -> anyhow::Result<ExitCode> {
    let found = discover_with(paths, follow_symlinks);
    let mut summary = Summary { ignored: found.ignored, ..Summary::default() };
    for err in found.errors {
        summary.skipped.push((err.origin.to_string(), err.kind.to_string()));
    }
    let result = ingest_inputs(store, &found.inputs, options, batch, &mut summary, runner);
    if result.is_ok() || summary.stored_anything() {
        print_summary(&summary, store.path());
    }
    result?;
    Ok(if summary.stored_anything() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Reads `inputs` into the store, one transaction per `batch` articles.
///
/// Skipped inputs are recorded in `summary` and reported as they happen; a store error stops
/// the run, with every batch committed before it kept.
pub(crate) fn ingest_inputs(
    store: &mut Store,
    inputs: &[Input],
    options: &Options,
    batch: usize,
    summary: &mut Summary,
    mut runner: Option<&mut crate::extract::Runner>,
) -> Result<(), StoreError> {
    let started = Instant::now();
    let progress = Progress::new(inputs.len() as u64);
    let mut pending: Vec<Article> = Vec::with_capacity(batch);
    let mut failure = None;
    let mut articles_done = 0usize;
    for input in inputs {
        read_input(input, options, &mut |result| match result {
            Ok(article) => {
                pending.push(article);
                if pending.len() >= batch {
                    if let Err(err) = flush(store, &mut pending, summary, runner.as_deref_mut()) {
                        failure = Some(err);
                        return ControlFlow::Break(());
                    }
                    articles_done += batch;
                    progress.committed(articles_done, summary.bytes, started);
                }
                ControlFlow::Continue(())
            }
            Err(err) => {
                progress.println(&format!("skipped {}: {}", err.origin, err.kind));
                summary.skipped.push((err.origin.to_string(), err.kind.to_string()));
                ControlFlow::Continue(())
            }
        });
        if let Some(err) = failure {
            progress.finish();
            summary.elapsed = started.elapsed();
            return Err(err);
        }
        progress.input_done(articles_done + pending.len(), summary.bytes, started);
    }
    let last = pending.len();
    if let Err(err) = flush(store, &mut pending, summary, runner) {
        progress.finish();
        summary.elapsed = started.elapsed();
        return Err(err);
    }
    if last > 0 {
        progress.committed(articles_done + last, summary.bytes, started);
    }
    progress.finish();
    summary.elapsed = started.elapsed();
    Ok(())
}

fn flush(
    store: &mut Store,
    pending: &mut Vec<Article>,
    summary: &mut Summary,
    runner: Option<&mut crate::extract::Runner>,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let outcomes = store.write_batch(pending)?;
    if let Some(runner) = runner {
        runner.after_batch(store, pending, &outcomes)?;
    }
    for (article, outcome) in pending.iter().zip(outcomes) {
        // Bytes count once committed, so the rate is of work done.
        summary.bytes += article.text.len() as u64;
        match outcome {
            Outcome::Ingested => summary.ingested += 1,
            Outcome::Unchanged => summary.unchanged += 1,
            Outcome::Updated { .. } => summary.updated += 1,
            Outcome::Duplicate { of } => summary.duplicates.push((article.origin.clone(), of.0)),
        }
    }
    pending.clear();
    Ok(())
}

/// A progress bar on a terminal; plain lines per committed batch otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    /// When the last plain line was printed; plain lines come at most once a second.
    last_line: std::cell::Cell<Option<Instant>>,
}

impl Progress {
    fn new(inputs: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(inputs);
            let style = ProgressStyle::with_template("{bar:30} {pos}/{len} inputs  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress { bar, last_line: std::cell::Cell::new(None) }
    }

    fn rates(articles: usize, bytes: u64, started: Instant) -> String {
        let secs = started.elapsed().as_secs_f64().max(1e-6);
        format!(
            "{articles} articles, {:.1} articles/s, {:.2} MB/s",
            articles as f64 / secs,
            bytes as f64 / 1e6 / secs
        )
    }

    fn input_done(&self, articles: usize, bytes: u64, started: Instant) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(Self::rates(articles, bytes, started));
        }
    }

    fn committed(&self, articles: usize, bytes: u64, started: Instant) {
        let due = self.last_line.get().is_none_or(|last| last.elapsed() >= Duration::from_secs(1));
        if self.bar.is_none() && due {
            self.last_line.set(Some(Instant::now()));
            eprintln!("committed {}", Self::rates(articles, bytes, started));
        }
    }

    /// Shows a line above the bar; without a bar the summary lists it at the end.
    fn println(&self, line: &str) {
        if let Some(bar) = &self.bar {
            bar.println(line);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Prints the end-of-run summary to stdout.
pub(crate) fn print_summary(summary: &Summary, db: &Path) {
    let secs = summary.elapsed.as_secs_f64().max(1e-6);
    println!(
        "ingest into {}: {} ingested, {} unchanged, {} updated, {} duplicates, {} skipped ({:.2} MB in {:.2}s, {:.2} MB/s)",
        db.display(),
        summary.ingested,
        summary.unchanged,
        summary.updated,
        summary.duplicates.len(),
        summary.skipped.len(),
        summary.bytes as f64 / 1e6,
        secs,
        summary.bytes as f64 / 1e6 / secs,
    );
    for (origin, of) in &summary.duplicates {
        println!("  duplicate {origin}: same text as article {of}");
    }
    for (origin, reason) in &summary.skipped {
        println!("  skipped {origin}: {reason}");
    }
    if !summary.ignored.is_empty() {
        let names: Vec<String> = summary
            .ignored
            .iter()
            .take(5)
            .map(|path| {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect();
        let more = summary.ignored.len().saturating_sub(names.len());
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let plural = if summary.ignored.len() == 1 { "" } else { "s" };
        println!(
            "  ignored {} file{plural} (not an article format, or documentation): {}{more}",
            summary.ignored.len(),
            names.join(", ")
        );
    }
}

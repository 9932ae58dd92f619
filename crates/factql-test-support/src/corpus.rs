//! The bundled sample corpus as files, for benchmarks that need news text in bulk.

use std::path::{Path, PathBuf};

/// The bundled corpus folder (`crates/factql/corpus`).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../factql/corpus")
}

/// Every `*.txt` file of the bundled corpus, its folders walked in name order: the example
/// article and the Wikinews articles.
///
/// # Panics
///
/// When the corpus folder cannot be read: a benchmark without its input should stop.
pub fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "txt") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&corpus_dir(), &mut out);
    out
}

/// The bundled corpus as factql reads it, repeated until the texts hold at least `bytes`
/// bytes: the input of the extractor benchmarks.
///
/// # Panics
///
/// When no corpus article can be read.
pub fn corpus_articles(bytes: usize) -> Vec<factql_model::Article> {
    let mut corpus = Vec::new();
    for file in corpus_files() {
        factql_ingest::read_input(
            &factql_ingest::Input::File(file),
            &factql_ingest::Options::default(),
            &mut |result| {
                corpus.extend(result.ok());
                std::ops::ControlFlow::Continue(())
            },
        );
    }
    assert!(!corpus.is_empty(), "no corpus articles");
    let mut out = Vec::new();
    let mut total = 0;
    while total < bytes {
        for article in &corpus {
            total += article.text.len();
            out.push(article.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_corpus_has_the_example_and_the_wikinews_articles() {
        let files = super::corpus_files();
        assert_eq!(files.len(), 13, "{files:?}");
        assert!(files[0].ends_with("000_dcc1d3f2ccee5e65.txt"));
    }

    #[test]
    fn the_articles_are_repeated_to_the_size_asked() {
        let once: usize = super::corpus_articles(1).iter().map(|a| a.text.len()).sum();
        let articles = super::corpus_articles(3 * once);
        assert_eq!(articles.len(), 3 * 13);
    }
}

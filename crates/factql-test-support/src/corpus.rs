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

#[cfg(test)]
mod tests {
    #[test]
    fn the_corpus_has_the_example_and_the_wikinews_articles() {
        let files = super::corpus_files();
        assert_eq!(files.len(), 13, "{files:?}");
        assert!(files[0].ends_with("000_dcc1d3f2ccee5e65.txt"));
    }
}

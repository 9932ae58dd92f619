//! Sentence segmentation (placeholder while the real splitter is written).

/// Byte ranges of the sentences of `text`.
pub fn split_sentences(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b'.' || b == b'?' || b == b'!') && bytes.get(i + 1).is_some_and(|&n| n == b' ') {
            out.push(start..i + 1);
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(start..text.trim_end().len());
    }
    out
}

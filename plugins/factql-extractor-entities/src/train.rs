//! Training the tagger from the BIO corpora of `shared/data/ner/` (run by `factql-train-ner`).
//!
//! Only corpora that `licenses.tsv` lists with `use` = `train` and a `may_ship_weights` value
//! starting with `yes` are read; evaluation sets are refused. Each corpus document becomes an
//! article (one sentence per line) that goes through exactly the preparation an article goes
//! through at run time ([`Recognizer::prepare`]), so features never drift between training and
//! use. Some sentences are rewritten in Title Case or ALL CAPS (labels unchanged) so the tagger
//! learns headlines and all-caps lines.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::model::SentenceSpan;
use crate::recognize::{Prep, Recognizer};
use crate::tagger::{self, MAX_FEATS, Tagger, Trainer};

/// Training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The manifest is malformed or lists nothing to train on.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The recognizer's data could not be loaded.
    #[error(transparent)]
    Load(#[from] crate::model::LoadError),
}

/// One training corpus from the manifest.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Corpus name (`wikigold`).
    pub name: String,
    /// SPDX-like licence expression.
    pub licence: String,
    /// File relative to `shared/`.
    pub file: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TrainError + '_ {
    move |source| TrainError::Io { path: path.to_path_buf(), source }
}

/// Reads `licenses.tsv` and returns the corpora that may train shipped weights.
pub fn read_manifest(path: &Path) -> Result<Vec<Corpus>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let bad = |message: String| TrainError::Manifest { path: path.to_path_buf(), message };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header.iter().position(|h| *h == name).ok_or_else(|| bad(format!("no column {name}")))
    };
    let (c_corpus, c_lic, c_use, c_file, c_ship) =
        (col("corpus")?, col("licence")?, col("use")?, col("file")?, col("may_ship_weights")?);
    let mut out = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let get = |k: usize| cells.get(k).copied().unwrap_or_default();
        if get(c_use) == "train"
            && get(c_ship).starts_with("yes")
            && get(c_file).ends_with(".conll")
        {
            out.push(Corpus {
                name: get(c_corpus).into(),
                licence: get(c_lic).into(),
                file: get(c_file).into(),
            });
        }
    }
    if out.is_empty() {
        return Err(bad("no corpus with use=train and may_ship_weights=yes".into()));
    }
    Ok(out)
}

/// A training document: text with one sentence per line and gold spans.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// The text.
    pub text: String,
    /// Sentence spans (one per line).
    pub sentences: Vec<SentenceSpan>,
    /// Gold spans: byte range and label index (0 PER, 1 LOC, 2 ORG).
    pub gold: Vec<(Range<usize>, usize)>,
}

fn label_index(tag: &str) -> Option<usize> {
    match tag {
        "PER" => Some(0),
        "LOC" => Some(1),
        "ORG" => Some(2),
        _ => None,
    }
}

const SMALL: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "and", "or",
    "but",
];

/// Reads a BIO corpus into documents. `counter` drives the Title Case / ALL CAPS rewriting.
pub fn read_conll(path: &Path, corpus: &str, counter: &mut u64) -> Result<Vec<Doc>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let one_doc_per_sentence = !text.contains("-DOCSTART-");
    let mut docs = Vec::new();
    let mut doc = Doc::default();
    let mut sent: Vec<(String, String)> = Vec::new();
    let flush_sent = |doc: &mut Doc, sent: &mut Vec<(String, String)>, counter: &mut u64| {
        if sent.is_empty() {
            return;
        }
        *counter += 1;
        let style = if *counter % 9 == 4 {
            1
        } else if *counter % 29 == 11 {
            2
        } else {
            0
        };
        if !doc.text.is_empty() {
            doc.text.push('\n');
        }
        let start = doc.text.len();
        let mut open: Option<(usize, usize, usize)> = None; // (start, end, label)
        for (k, (tok, tag)) in sent.iter().enumerate() {
            if k > 0 {
                doc.text.push(' ');
            }
            let a = doc.text.len();
            let written = match style {
                1 if !SMALL.contains(&tok.to_lowercase().as_str()) || k == 0 => {
                    let mut c = tok.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                }
                2 => tok.to_uppercase(),
                _ => tok.clone(),
            };
            doc.text.push_str(&written);
            let b = doc.text.len();
            let (bio, lab) = tag.split_once('-').unwrap_or((tag.as_str(), ""));
            let lab = label_index(lab);
            match (bio, lab) {
                ("I", Some(l)) if open.is_some_and(|o| o.2 == l) => {
                    if let Some(o) = open.as_mut() {
                        o.1 = b;
                    }
                }
                (_, Some(l)) => {
                    if let Some(o) = open.take() {
                        doc.gold.push((o.0..o.1, o.2));
                    }
                    open = Some((a, b, l));
                }
                _ => {
                    if let Some(o) = open.take() {
                        doc.gold.push((o.0..o.1, o.2));
                    }
                }
            }
        }
        if let Some(o) = open.take() {
            doc.gold.push((o.0..o.1, o.2));
        }
        doc.sentences.push(SentenceSpan { span: start..doc.text.len(), boilerplate: false });
        sent.clear();
    };
    for line in text.lines() {
        if line == "-DOCSTART-" {
            flush_sent(&mut doc, &mut sent, counter);
            if !doc.text.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        if line.is_empty() {
            flush_sent(&mut doc, &mut sent, counter);
            if one_doc_per_sentence && !doc.text.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let mut cells = line.split('\t');
        let tok = cells.next().unwrap_or_default().to_string();
        let mut tag = cells.next().unwrap_or("O").to_string();
        // BTC splits "@user" mentions and tags both parts; hashtags and handles are not names in news
        if (corpus == "btc" || corpus == "wnut17")
            && (tok.starts_with('@') || tok.starts_with('#') || tok.starts_with("http"))
        {
            tag = "O".into();
        }
        sent.push((tok, tag));
    }
    flush_sent(&mut doc, &mut sent, counter);
    if !doc.text.is_empty() {
        docs.push(doc);
    }
    if corpus == "re3d" {
        // re3d also marks nominals and pronouns ("the coalition", "we"): keep capitalised names only
        for d in &mut docs {
            let t = d.text.clone();
            d.gold.retain(|(r, _)| t[r.clone()].chars().next().is_some_and(char::is_uppercase));
        }
    }
    Ok(docs)
}

/// The gold tag of every token of a prepared document.
pub fn gold_tags(p: &Prep, doc: &Doc) -> Vec<u8> {
    let mut tags = vec![0u8; p.toks.len()];
    for (r, l) in &doc.gold {
        let a = p.toks.partition_point(|t| (t.end as usize) <= r.start);
        let mut first = true;
        for (k, t) in p.toks.iter().enumerate().skip(a) {
            if t.start as usize >= r.end {
                break;
            }
            tags[k] = if first { 1 + 2 * *l as u8 } else { 2 + 2 * *l as u8 };
            first = false;
        }
    }
    tags
}

/// Training options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Passes over the data.
    pub epochs: usize,
    /// log2 of the weight-table rows.
    pub bits: u32,
    /// Corpora read twice per pass (edited text, closer to news than tweets).
    pub twice: Vec<String>,
}

/// What training read and learned.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Per corpus: name, documents, sentences, tokens.
    pub corpora: Vec<(String, usize, usize, usize)>,
    /// Gold name tokens the tagger never sees (not candidates).
    pub unseen_gold_tokens: usize,
    /// Gold name tokens in all.
    pub gold_tokens: usize,
    /// Token accuracy on candidate tokens in the last epoch.
    pub last_epoch_accuracy: f64,
}

/// Trains weights from the given corpora (paths resolved against `shared`).
pub fn train(
    shared: &Path,
    corpora: &[Corpus],
    opts: &Options,
) -> Result<(Tagger, Stats), TrainError> {
    let rec = Recognizer::with_tagger(Trainer::new(8).finish())?;
    let mut stats = Stats::default();
    let mut data: Vec<(Prep, Vec<u8>)> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    let mut counter = 0u64;
    for c in corpora {
        let path = shared.join(&c.file);
        let docs = read_conll(&path, &c.name, &mut counter)?;
        let mut sents = 0;
        let mut toks = 0;
        for d in &docs {
            let p = rec.prepare(&d.text, &d.sentences);
            let g = gold_tags(&p, d);
            sents += p.sents.len();
            toks += p.toks.len();
            for (k, &t) in g.iter().enumerate() {
                if t != 0 {
                    stats.gold_tokens += 1;
                    if !p.cand[k] {
                        stats.unseen_gold_tokens += 1;
                    }
                }
            }
            order.push(data.len());
            if opts.twice.contains(&c.name) {
                order.push(data.len());
            }
            data.push((p, g));
        }
        stats.corpora.push((c.name.clone(), docs.len(), sents, toks));
    }
    let mut tr = Trainer::new(opts.bits);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut feats = [0u64; MAX_FEATS];
    for _epoch in 0..opts.epochs {
        for k in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(k, (rng % (k as u64 + 1)) as usize);
        }
        let (mut right, mut all) = (0usize, 0usize);
        for &d in &order {
            let (p, gold) = &data[d];
            for s in &p.sents {
                let ctx = p.ctx(s);
                let mut prev = 0usize;
                for i in 0..ctx.toks.len() {
                    let gi = s.toks.start + i;
                    if !p.cand[gi] {
                        prev = 0;
                        continue;
                    }
                    let k = tagger::features(&ctx, i, prev, &mut feats);
                    let sc = tr.scores(&feats[..k]);
                    let (guess, _) = tagger::best(&sc, prev);
                    let g = gold[gi] as usize;
                    tr.update(&feats[..k], g, guess);
                    all += 1;
                    right += usize::from(g == guess);
                    prev = guess;
                }
            }
        }
        stats.last_epoch_accuracy = right as f64 / all.max(1) as f64;
    }
    Ok((tr.finish(), stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_becomes_text_with_gold_spans() {
        let dir = std::env::temp_dir().join(format!("fq-ner-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let f = dir.join("x.conll");
        std::fs::write(
            &f,
            "-DOCSTART-\n\nViktor\tB-PER\nOrban\tI-PER\nvisited\tO\nMinsk\tB-LOC\n.\tO\n\n",
        )
        .expect("write");
        let mut counter = 0;
        let docs = read_conll(&f, "x", &mut counter).expect("read");
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.text, "Viktor Orban visited Minsk .");
        let spans: Vec<(&str, usize)> =
            d.gold.iter().map(|(r, l)| (&d.text[r.clone()], *l)).collect();
        assert_eq!(spans, [("Viktor Orban", 0), ("Minsk", 1)]);
        std::fs::remove_dir_all(&dir).ok();
    }
}

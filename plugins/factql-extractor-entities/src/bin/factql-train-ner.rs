//! Trains the entity tagger and writes its weights and manifest into the crate's `data/`.
//!
//! ```text
//! cargo run --release -p factql-extractor-entities --bin factql-train-ner -- ../shared/data/ner [--epochs N] [--bits B] [--skip CORPUS,..]
//! ```
//!
//! Reads `licenses.tsv` in the given folder and trains only on corpora with `use` = `train` whose
//! licence allows shipping weights; writes `data/ner.weights` and `data/ner_manifest.tsv`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use factql_extractor_entities::train::{Options, read_manifest, train};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    // the edited corpora count twice: news is edited text, the tweets of BTC and WNUT-17 are not
    let twice = ["wikigold", "sec_filings", "re3d", "gum"].map(String::from).to_vec();
    let mut opts = Options { epochs: 12, bits: 17, twice };
    let mut skip: Vec<String> = Vec::new();
    let mut k = 0;
    while k < args.len() {
        match args[k].as_str() {
            "--skip" => {
                skip.extend(
                    args.get(k + 1).map(|s| s.split(',').map(str::to_string)).into_iter().flatten(),
                );
                k += 2;
            }
            "--epochs" | "--bits" => {
                let Some(v) = args.get(k + 1).and_then(|v| v.parse().ok()) else {
                    eprintln!("{} needs a number", args[k]);
                    return ExitCode::FAILURE;
                };
                if args[k] == "--epochs" {
                    opts.epochs = v as usize;
                } else {
                    opts.bits = v;
                }
                k += 2;
            }
            other => {
                dir = Some(PathBuf::from(other));
                k += 1;
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!(
            "usage: factql-train-ner NER_DIR [--epochs N] [--bits B]   (NER_DIR: shared/data/ner)"
        );
        return ExitCode::FAILURE;
    };
    let manifest = dir.join("licenses.tsv");
    let corpora = match read_manifest(&manifest) {
        Ok(c) => c.into_iter().filter(|c| !skip.contains(&c.name)).collect::<Vec<_>>(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // files in the manifest are relative to shared/ (the parent of data/)
    let shared = dir.join("../..");
    let (tagger, stats) = match train(&shared, &corpora, &opts) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let weights = tagger.to_bytes();
    let mut m =
        String::from("corpus\tlicence\tuse\tfile\tdocuments\tsentences\ttokens\treads_per_pass\n");
    for (c, (name, docs, sents, toks)) in corpora.iter().zip(&stats.corpora) {
        let reads = if opts.twice.contains(name) { 2 } else { 1 };
        m.push_str(&format!(
            "{name}\t{}\ttrain\t{}\t{docs}\t{sents}\t{toks}\t{reads}\n",
            c.licence, c.file
        ));
    }
    for (path, bytes) in
        [(out.join("ner.weights"), weights), (out.join("ner_manifest.tsv"), m.into_bytes())]
    {
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!(
        "trained on {} corpora, {} epochs, 2^{} rows; last-epoch candidate-token accuracy {:.4}; gold name tokens {} ({} never candidates)",
        stats.corpora.len(),
        opts.epochs,
        opts.bits,
        stats.last_epoch_accuracy,
        stats.gold_tokens,
        stats.unseen_gold_tokens
    );
    ExitCode::SUCCESS
}

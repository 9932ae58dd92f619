//! The shipped tagger weights were trained only on corpora whose licence allows shipping them:
//! every row of `data/ner_manifest.tsv` (written by `factql-train-ner`) must be a `train` corpus of
//! the shipped copy of the data pack's `licenses.tsv`, with the same licence and file, and a
//! `may_ship_weights` value starting with `yes`; no evaluation set may appear.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn tsv(name: &str) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(format!("{DATA}/{name}")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header.iter().map(|h| h.to_string()).zip(l.split('\t').map(str::to_string)).collect()
        })
        .collect()
}

#[test]
fn every_training_corpus_is_licensed_for_shipped_weights() {
    let licences = tsv("ner_licenses.tsv");
    let manifest = tsv("ner_manifest.tsv");
    assert!(!manifest.is_empty(), "the manifest lists the training corpora");
    for row in &manifest {
        let corpus = &row["corpus"];
        let lic = licences
            .iter()
            .find(|l| &l["corpus"] == corpus && l["use"] == "train")
            .unwrap_or_else(|| panic!("{corpus} is not a training corpus of licenses.tsv"));
        assert_eq!(row["use"], "train", "{corpus}");
        assert_eq!(row["licence"], lic["licence"], "{corpus}: licence differs from licenses.tsv");
        assert_eq!(row["file"], lic["file"], "{corpus}: file differs from licenses.tsv");
        assert!(lic["may_ship_weights"].starts_with("yes"), "{corpus}: weights may not ship");
        assert!(
            !licences.iter().any(|l| l["use"] == "eval" && l["file"] == row["file"]),
            "{corpus}: its file is an evaluation set"
        );
        assert!(row["tokens"].parse::<usize>().unwrap() > 0, "{corpus}: no tokens");
    }
}

#[test]
fn weights_notice_keeps_the_attribution_lines() {
    let notice = std::fs::read_to_string(format!("{DATA}/NOTICE.ner.md")).unwrap();
    for row in tsv("ner_manifest.tsv") {
        let name = match row["corpus"].as_str() {
            "btc" => "Broad Twitter Corpus",
            "sec_filings" => "SEC-filings",
            "wnut17" => "WNUT-17",
            "gum" => "GUM",
            other => other,
        }
        .to_string();
        assert!(notice.contains(&format!("**{name}")), "no attribution line for {name}");
    }
}

//! The example article (`crates/factql/corpus/000_dcc1d3f2ccee5e65.txt`) against the
//! attributions, claims and traps of its gold (`tests/data/seed-gold.json`), through the real
//! host with the bundled extractors this one reads (entities, roles), on the gold's assumed
//! publication date. A small scorer prints precision and recall:
//! `cargo test -p factql-extractor-quotes --test seed -- --nocapture`.
//!
//! Scoring follows the gold's "How to score": an attribution matches when the speaker is the
//! same entity (or both are unknown), the cue spans overlap and the content spans overlap by at
//! least half of the gold content's bytes; optional gold items are neutral. For each gold claim
//! the predicted claim with the largest overlap is taken, and its holder and kind compared.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use factql_model::{ArgTarget, Article, Fact, Value};
use factql_plugin_host::{Host, HostConfig, StaticPlugin};
use serde_json::Value as Json;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

const PLUGINS: [StaticPlugin; 3] = [
    StaticPlugin {
        crate_name: "factql_extractor_entities",
        entry: factql_extractor_entities::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_roles",
        entry: factql_extractor_roles::factql_plugin_entry,
    },
    StaticPlugin {
        crate_name: "factql_extractor_quotes",
        entry: factql_extractor_quotes::factql_plugin_entry,
    },
];

/// What the run gives: the article, quotes, claims, and entity id -> folded names.
struct Run {
    article: Article,
    quotes: Vec<Fact>,
    claims: Vec<Fact>,
    names: BTreeMap<String, Vec<String>>,
    gold: Json,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let path = format!("{ROOT}/crates/factql/corpus/000_dcc1d3f2ccee5e65.txt");
        let input = factql_ingest::Input::File(path.clone().into());
        let mut article = None;
        factql_ingest::read_input(&input, &factql_ingest::Options::default(), &mut |result| {
            article = Some(result.expect("the article reads"));
            std::ops::ControlFlow::Break(())
        });
        let mut article: Article = article.expect("one article");
        assert_eq!(article.text, std::fs::read_to_string(&path).unwrap(), "offsets are the file's");
        let gold: Json = serde_json::from_str(
            &std::fs::read_to_string(format!("{ROOT}/tests/data/seed-gold.json")).unwrap(),
        )
        .unwrap();
        article.published = Some(gold["published_assumed"].as_str().unwrap().to_owned());
        let dir = tempfile::tempdir().unwrap();
        let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
        let host = Host::load(&config, &PLUGINS).expect("the host loads the plugins");
        let mut run =
            Run { article, quotes: Vec::new(), claims: Vec::new(), names: BTreeMap::new(), gold };
        for outcome in host.extract(&run.article) {
            let extraction = outcome.result.expect("valid output");
            for entity in &extraction.entities {
                let names = run.names.entry(entity.id.clone()).or_default();
                names.extend(
                    std::iter::once(&entity.name)
                        .chain(&entity.aliases)
                        .map(|n| factql_model::fold(n)),
                );
            }
            for fact in extraction.facts {
                match fact.kind.as_str() {
                    "quote" => run.quotes.push(fact),
                    "claim" => run.claims.push(fact),
                    _ => {}
                }
            }
        }
        run
    })
}

fn str_field<'f>(fact: &'f Fact, name: &str) -> &'f str {
    match fact.fields.get(name) {
        Some(Value::Str(s)) => s,
        _ => "",
    }
}

fn list_field(fact: &Fact, name: &str) -> Vec<String> {
    match fact.fields.get(name) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| if let Value::Str(s) = v { Some(s.clone()) } else { None })
            .collect(),
        _ => Vec::new(),
    }
}

fn arg<'f>(fact: &'f Fact, role: &str) -> Option<&'f str> {
    fact.args.iter().find(|a| a.role == role).and_then(|a| match &a.target {
        ArgTarget::Entity(id) => Some(id.as_str()),
        _ => None,
    })
}

fn span(v: &Json) -> (usize, usize) {
    (v["start"].as_u64().unwrap() as usize, v["end"].as_u64().unwrap() as usize)
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// The gold entity a predicted entity id stands for (canonical name), by its names.
fn gold_entity(run: &Run, id: &str) -> Option<String> {
    let names = run.names.get(id)?;
    run.gold["entities"].as_array().unwrap().iter().find_map(|e| {
        let canonical = e["canonical"].as_str().unwrap();
        let accepted = std::iter::once(canonical)
            .chain(e["aliases_accepted"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()));
        let hit = accepted.map(factql_model::fold).any(|a| names.contains(&a));
        hit.then(|| canonical.to_owned())
    })
}

/// The speaker of a predicted quote as the gold names it: a canonical name or `unknown`.
fn speaker_of(run: &Run, quote: &Fact) -> String {
    match arg(quote, "speaker") {
        Some(id) => gold_entity(run, id).unwrap_or_else(|| format!("?{id}")),
        None => str_field(quote, "speaker_status").to_owned(),
    }
}

/// The content span of a predicted quote: where its text lies in the evidence.
fn content_of(run: &Run, quote: &Fact) -> (usize, usize) {
    let (s, e) = (quote.provenance.span.start, quote.provenance.span.end);
    let text = str_field(quote, "text");
    let at = run.article.text[s..e].find(text).map_or(s, |i| s + i);
    (at, at + text.len())
}

/// Is `quote` the gold attribution `gold`?
fn matches(run: &Run, quote: &Fact, gold: &Json) -> bool {
    let (s, e) = (quote.provenance.span.start, quote.provenance.span.end);
    let cue = span(&gold["cue"]);
    let content = span(&gold["content"]);
    let cue_overlaps = overlap((s, e), cue) > 0;
    let shared = overlap(content_of(run, quote), content);
    speaker_of(run, quote) == gold["speaker"].as_str().unwrap()
        && cue_overlaps
        && shared * 2 >= content.1 - content.0
}

#[test]
fn every_gold_attribution_is_found_with_its_speaker() {
    let run = run();
    let golds = run.gold["attributions"].as_array().unwrap();
    assert_eq!(golds.len(), 13);
    let mut used = vec![false; run.quotes.len()];
    let mut neutral = vec![false; run.quotes.len()];
    let mut missed = Vec::new();
    let mut required = 0;
    for gold in golds {
        let optional = gold["optional"].as_bool().unwrap_or(false);
        let hit = run.quotes.iter().enumerate().find(|(n, q)| !used[*n] && matches(run, q, gold));
        match (hit, optional) {
            (Some((n, _)), false) => used[n] = true,
            (Some((n, _)), true) => neutral[n] = true,
            (None, false) => missed.push(gold["id"].as_str().unwrap()),
            (None, true) => {}
        }
        required += usize::from(!optional);
    }
    let tp = used.iter().filter(|u| **u).count();
    let predicted = run.quotes.len() - neutral.iter().filter(|n| **n).count();
    let spurious: Vec<String> = run
        .quotes
        .iter()
        .enumerate()
        .filter(|(n, _)| !used[*n] && !neutral[*n])
        .map(|(_, q)| {
            format!("{} <{}> {:?}", speaker_of(run, q), str_field(q, "verb"), str_field(q, "text"))
        })
        .collect();
    println!(
        "attributions: precision {:.2} ({tp}/{predicted}), recall {:.2} ({tp}/{required}); spurious {spurious:#?}",
        tp as f64 / predicted.max(1) as f64,
        tp as f64 / required as f64,
    );
    assert!(
        missed.is_empty(),
        "gold attributions missed: {missed:?}; found {:#?}",
        quotes_table(run)
    );
    assert!(spurious.is_empty(), "attributions the gold does not have: {spurious:#?}");
}

fn quotes_table(run: &Run) -> Vec<String> {
    run.quotes
        .iter()
        .map(|q| {
            format!(
                "{} [{}] <{}/{}> {:?} | {:?}",
                speaker_of(run, q),
                str_field(q, "speaker_via"),
                str_field(q, "verb"),
                str_field(q, "verb_class"),
                str_field(q, "text"),
                q.provenance.span.slice(&run.article.text),
            )
        })
        .collect()
}

#[test]
fn the_text_has_no_quotation_marks_so_no_direct_quote() {
    let run = run();
    assert!(run.gold["direct_quotes"].as_array().unwrap().is_empty());
    let direct: Vec<_> =
        run.quotes.iter().filter(|q| q.fields.get("direct") == Some(&Value::Bool(true))).collect();
    assert!(direct.is_empty(), "T14: {direct:?}");
}

#[test]
fn criticized_as_rigged_has_an_unknown_speaker() {
    let run = run();
    let cue = (565, 578);
    let found: Vec<&Fact> = run
        .quotes
        .iter()
        .filter(|q| overlap((q.provenance.span.start, q.provenance.span.end), cue) > 0)
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", quotes_table(run));
    let quote = found[0];
    assert_eq!(str_field(quote, "verb"), "criticize");
    assert_eq!(str_field(quote, "verb_class"), "accuse");
    assert_eq!(str_field(quote, "text"), "rigged");
    assert_eq!(str_field(quote, "speaker_status"), "unknown");
    assert_eq!(str_field(quote, "speaker_via"), "passive");
    assert!(arg(quote, "speaker").is_none(), "T03: the speaker is never guessed");
    // The claim it reports is nobody's, and an allegation.
    let claim = run
        .claims
        .iter()
        .find(|c| overlap((c.provenance.span.start, c.provenance.span.end), cue) > 0)
        .unwrap();
    assert_eq!(str_field(claim, "holder_type"), "unknown");
    assert_eq!(str_field(claim, "kind"), "allegation");
    assert!(arg(claim, "holder").is_none());
}

#[test]
fn the_author_not_lukashenko_holds_the_biden_macron_opinion() {
    let run = run();
    let s12 = (2074, 2284);
    let in_s12: Vec<&Fact> = run
        .claims
        .iter()
        .chain(&run.quotes)
        .filter(|f| overlap((f.provenance.span.start, f.provenance.span.end), s12) > 0)
        .collect();
    assert!(!in_s12.is_empty());
    for fact in &in_s12 {
        let who = arg(fact, "holder").or_else(|| arg(fact, "speaker"));
        assert!(who.is_none(), "T01: {fact:?}");
    }
    let claim = in_s12.iter().find(|c| c.kind == "claim").unwrap();
    assert_eq!(str_field(claim, "holder_type"), "author");
    assert_eq!(str_field(claim, "kind"), "opinion");
    assert!(str_field(claim, "text").ends_with("claims to moral superiority"));
}

#[test]
fn traps_his_is_lukashenko_and_nothing_comes_from_the_source_link() {
    let run = run();
    // T04: "signaling his willingness" is Lukashenko's, not Orban's.
    let signaling = run.quotes.iter().find(|q| str_field(q, "verb") == "signal").unwrap();
    assert_eq!(speaker_of(run, signaling), "Alexander Lukashenko");
    // T09: "those who see him" is no attribution to Lukashenko.
    assert!(!run.quotes.iter().any(|q| overlap(
        (q.provenance.span.start, q.provenance.span.end),
        (1946, 1998)
    ) > 0
        && speaker_of(run, q) == "Alexander Lukashenko"));
    // T13 and must_not: "Source link" gives no fact.
    for fact in run.quotes.iter().chain(&run.claims) {
        assert!(fact.provenance.span.end <= 3313, "{fact:?}");
    }
    // must_not: no speaker or holder is an entity whose canonical name the gold forbids
    // ("Leader Lukashenko", "Prime Minister", "He", ...).
    let forbidden: Vec<String> = run.gold["must_not"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| factql_model::fold(m["text"].as_str().unwrap()))
        .collect();
    for fact in run.quotes.iter().chain(&run.claims) {
        for id in [arg(fact, "speaker"), arg(fact, "holder")].into_iter().flatten() {
            let canonical = &run.names[id][0];
            assert!(!forbidden.contains(canonical), "{canonical} in {fact:?}");
        }
    }
}

#[test]
fn claims_have_the_gold_holders_and_kinds() {
    let run = run();
    let golds = run.gold["claims"].as_array().unwrap();
    assert_eq!(golds.len(), 27);
    let (mut holder_ok, mut kind_ok, mut hedges, mut hedges_found) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    let mut matched = vec![false; run.claims.len()];
    for gold in golds {
        let prop = span(&gold["proposition"]);
        let best = run
            .claims
            .iter()
            .enumerate()
            .map(|(n, c)| (n, overlap((c.provenance.span.start, c.provenance.span.end), prop)))
            .filter(|(_, o)| *o > 0)
            .max_by_key(|(_, o)| *o);
        let gold_holder = gold["holder"].as_str().unwrap();
        let Some((n, shared)) = best else {
            wrong.push(format!("{} missed", gold["id"]));
            continue;
        };
        let claim = &run.claims[n];
        let holder = match str_field(claim, "holder_type") {
            "speaker" => arg(claim, "holder")
                .and_then(|id| gold_entity(run, id))
                .unwrap_or_else(|| "speaker".into()),
            other => other.to_owned(),
        };
        if shared * 2 >= prop.1 - prop.0 {
            matched[n] = true;
        }
        if holder == gold_holder {
            holder_ok += 1;
        } else {
            wrong.push(format!("{} holder {holder} / {gold_holder}", gold["id"]));
        }
        if str_field(claim, "kind") == gold["kind"].as_str().unwrap() {
            kind_ok += 1;
        } else {
            wrong.push(format!(
                "{} kind {} / {}",
                gold["id"],
                str_field(claim, "kind"),
                gold["kind"]
            ));
        }
        let found = list_field(claim, "hedges");
        for hedge in gold["hedges"].as_array().unwrap() {
            hedges += 1;
            let text = hedge["text"].as_str().unwrap();
            let hit = found.iter().any(|h| h.eq_ignore_ascii_case(text));
            hedges_found += usize::from(hit);
            if !hit {
                wrong.push(format!("{} hedge {text:?} not in {found:?}", gold["id"]));
            }
        }
    }
    let n = golds.len() as f64;
    let precision = matched.iter().filter(|m| **m).count() as f64 / run.claims.len() as f64;
    println!(
        "claims: {} predicted; precision {precision:.2} (a predicted claim covering half of a gold proposition), holder accuracy {:.2} ({holder_ok}/27), kind accuracy {:.2} ({kind_ok}/27), hedge-cue recall {:.2} ({hedges_found}/{hedges}); {wrong:#?}",
        run.claims.len(),
        holder_ok as f64 / n,
        kind_ok as f64 / n,
        hedges_found as f64 / hedges as f64,
    );
    assert_eq!(holder_ok, 27, "{wrong:#?}");
    assert!(kind_ok >= 24, "{wrong:#?}");
    assert!(hedges_found * 10 >= hedges * 8, "{hedges_found}/{hedges}");
    assert!(precision >= 0.8, "{precision}");
}

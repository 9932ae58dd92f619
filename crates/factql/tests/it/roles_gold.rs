//! The roles of the example article against its gold (`tests/data/seed-gold.json`), through
//! the real binary and every bundled extractor: `factql extract` on the article as a JSON
//! record published on the gold's assumed date, so the office holders can be checked.

use crate::{corpus, factql, repo, run};

/// The bundled extractors' role facts of the example article: (person's names, title,
/// category, country, source).
fn found_roles() -> Vec<(Vec<String>, String, String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(corpus().join("000_dcc1d3f2ccee5e65.txt")).unwrap();
    let (title, body) = text.split_once('\n').unwrap();
    let gold = gold();
    let record = serde_json::json!({
        "title": title,
        "text": body,
        "published": gold["published_assumed"],
    });
    std::fs::write(dir.path().join("a.jsonl"), format!("{record}\n")).unwrap();
    let (out, err, code) = run(factql(dir.path()).args(["extract", "a.jsonl"]));
    assert_eq!(code, 0, "{err}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let plugins = line["plugins"].as_array().unwrap();
    let of = |name: &str| plugins.iter().find(|p| p["plugin"] == name).unwrap();
    let entities = of("entities")["entities"].as_array().unwrap();
    let names = |id: &str| -> Vec<String> {
        let entity = entities.iter().find(|e| e["id"] == id).unwrap();
        std::iter::once(&entity["name"])
            .chain(entity["aliases"].as_array().unwrap())
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    let field = |fact: &serde_json::Value, name: &str| {
        fact["fields"][name].as_str().unwrap_or_default().to_owned()
    };
    of("roles")["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|fact| {
            let person = fact["args"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["role"] == "person")
                .and_then(|a| a["target"]["entity"].as_str())
                .unwrap();
            (
                names(person),
                field(fact, "title"),
                field(fact, "category"),
                field(fact, "country"),
                field(fact, "source"),
            )
        })
        .collect()
}

fn gold() -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join("tests/data/seed-gold.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The country the gold names by ISO code, as the extractors name it.
fn country(iso: &str) -> &'static str {
    match iso {
        "BLR" => "Belarus",
        "HUN" => "Hungary",
        "FRA" => "France",
        "RUS" => "Russia",
        "USA" => "United States",
        other => panic!("no name for {other} in this test"),
    }
}

#[test]
fn every_gold_role_is_found_and_every_role_found_is_right() {
    let found = found_roles();
    let gold = gold();
    let mut recalled = 0;
    let mut required = 0;
    let mut matched = vec![false; found.len()];
    for role in gold["roles"].as_array().unwrap() {
        let person = role["person"].as_str().unwrap();
        let entity =
            gold["entities"].as_array().unwrap().iter().find(|e| e["canonical"] == person).unwrap();
        let accepted: Vec<&str> = std::iter::once(person)
            .chain(
                entity["aliases_accepted"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()),
            )
            .collect();
        let categories: Vec<&str> = std::iter::once(&role["role"])
            .chain(role["role_also_accept"].as_array().into_iter().flatten())
            .map(|c| c.as_str().unwrap())
            .collect();
        let expected_country = country(role["country"].as_str().unwrap());
        let optional = role["optional"].as_bool().unwrap_or(false);
        let mut hit = false;
        for (idx, (names, title, category, place, source)) in found.iter().enumerate() {
            if !names.iter().any(|n| accepted.contains(&n.as_str())) {
                continue;
            }
            // A role found for a gold person must be right, optional or not.
            assert!(
                categories.contains(&category.as_str()),
                "{person}: {category} not in {categories:?}"
            );
            assert_eq!(place, expected_country, "{person}");
            if role["source"] == "kb" {
                assert_eq!(source, "kb", "{person}: only a knowledge base gives this role");
            }
            if let Some(gold_title) = role["title"].as_str() {
                assert!(title.eq_ignore_ascii_case(gold_title), "{person}: {title} / {gold_title}");
            }
            matched[idx] = true;
            hit = true;
        }
        if !optional {
            required += 1;
            recalled += usize::from(hit);
            assert!(hit, "no role found for {person} in {found:?}");
        }
    }
    let wrong: Vec<_> = found.iter().zip(&matched).filter(|(_, m)| !**m).map(|(f, _)| f).collect();
    assert!(wrong.is_empty(), "roles the gold does not have: {wrong:?}");
    println!(
        "roles: {recalled}/{required} required gold roles found; {} role facts, all right",
        found.len()
    );
}

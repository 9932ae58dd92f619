//! The test fixture (`tests/data/fixture/fixture.json`) declares the `quote` kind; a store
//! refuses two declarations of one kind that differ, so the fixture's must be this
//! extractor's, field by field and in order.

#![allow(clippy::unwrap_used)]

use factql_plugin_sdk::wire::FieldType;
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/fixture/fixture.json");

#[test]
fn the_fixture_declares_the_quote_kind_as_the_extractor_does() {
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    let kind = fixture["kinds"].as_array().unwrap().iter().find(|k| k["name"] == "quote").unwrap();
    let fields: Vec<(String, String, bool)> = kind["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f[0].as_str().unwrap().into(), f[1].as_str().unwrap().into(), f[2].as_bool().unwrap())
        })
        .collect();
    let ours = factql_extractor_quotes::quote_kind();
    let expected: Vec<(String, String, bool)> = ours
        .fields
        .iter()
        .map(|f| {
            let ty = match f.ty {
                FieldType::Str => "Str",
                FieldType::Bool => "Bool",
                FieldType::Date => "Date",
                ref other => panic!("the fixture reader has no type {other:?}"),
            };
            (f.name.clone(), ty.into(), f.required)
        })
        .collect();
    assert_eq!(fields, expected);
    let roles: Vec<&str> =
        kind["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(roles, ours.roles);
}

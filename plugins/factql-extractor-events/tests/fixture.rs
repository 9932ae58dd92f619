//! The test fixture (`tests/data/fixture/fixture.json`) declares the `event` kind exactly as
//! this extractor does: two producers of one kind with different fields conflict at ingest.

#![allow(clippy::unwrap_used)]

use factql_extractor_events::Events;
use factql_plugin_sdk::Extractor;
use serde_json::Value;

#[test]
fn the_fixture_declares_the_event_kind_as_the_extractor_does() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/fixture/fixture.json");
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let declared =
        fixture["kinds"].as_array().unwrap().iter().find(|k| k["name"] == "event").unwrap();
    let manifest = Events::manifest();
    let kind = manifest.produces.iter().find(|k| k.name == "event").unwrap();
    let fields: Vec<(String, String, bool)> = declared["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f[0].as_str().unwrap().to_owned(),
                f[1].as_str().unwrap().to_owned(),
                f[2].as_bool().unwrap(),
            )
        })
        .collect();
    let ours: Vec<(String, String, bool)> =
        kind.fields.iter().map(|f| (f.name.clone(), format!("{:?}", f.ty), f.required)).collect();
    assert_eq!(fields, ours);
    let roles: Vec<&str> =
        declared["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(roles, kind.roles);
}

//! The plugin through the real host, as factql will run it once bundled: a bundled Wikinews
//! article read by the ingest reader (its dateline gives the publication date), every fact
//! accepted by the host's checks against the declared kind, and relative dates resolved
//! against that date.

use factql_model::{Article, Value};
use factql_plugin_host::{Host, HostConfig, StaticPlugin};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

const DATES: StaticPlugin = StaticPlugin {
    crate_name: "factql_extractor_dates",
    entry: factql_extractor_dates::factql_plugin_entry,
};

fn article(path: &str) -> Article {
    let input = factql_ingest::Input::File(format!("{ROOT}/{path}").into());
    let mut out = None;
    factql_ingest::read_input(&input, &factql_ingest::Options::default(), &mut |result| {
        out = Some(result.expect("the article reads"));
        std::ops::ControlFlow::Break(())
    });
    out.expect("one article")
}

#[test]
fn the_host_accepts_every_date_and_relative_ones_use_the_dateline() {
    let article = article("crates/factql/corpus/wikinews/2008-01-20_hackers.txt");
    assert_eq!(article.published.as_deref(), Some("2008-01-20"));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    let host = Host::load(&config, &[DATES]).expect("the host loads the plugin");
    let outcomes = host.extract(&article);
    assert_eq!(outcomes.len(), 1);
    let extraction = outcomes.into_iter().next().expect("one").result.expect("valid output");
    let facts: Vec<(String, String)> = extraction
        .facts
        .iter()
        .map(|fact| {
            let text = fact.provenance.span.slice(&article.text).to_owned();
            let value = match fact.fields.get("value") {
                Some(Value::Str(value)) => value.clone(),
                other => panic!("value {other:?}"),
            };
            (text, value)
        })
        .collect();
    let has = |text: &str, value: &str| facts.iter().any(|(t, v)| t == text && v == value);
    assert!(has("Sunday, January 20, 2008", "2008-01-20"), "{facts:?}");
    // "on Wednesday" in an article of Sunday 2008-01-20: the Wednesday before.
    assert!(has("Wednesday", "2008-01-16"), "{facts:?}");
    assert!(has("today", "2008-01-20"), "{facts:?}");
    assert!(has("1994", "1994"), "{facts:?}");
}

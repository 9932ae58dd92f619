//! A plugin that requires a kind receives the facts its provider produced for the same
//! article, and the providers run first whatever the order they were registered in.

#![allow(unsafe_code)]

mod common;

use std::sync::OnceLock;

use factql_plugin_host::{Host, HostConfig, StaticPlugin};
use factql_plugin_sdk::abi::{HostV1, PluginV1};
use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest, Value};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

/// Emits a `name` fact for every capitalised word.
struct Names;

impl Extractor for Names {
    fn manifest() -> Manifest {
        Manifest::new("names", "1.0.0").produces(KindDecl::new("name").field(
            "text",
            FieldType::Str,
            true,
        ))
    }
    fn new(_: &Config) -> Result<Names, Error> {
        Ok(Names)
    }
    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        for token in doc.tokens() {
            let word = token.text(doc.text());
            if word.chars().next().is_some_and(char::is_uppercase) {
                out.fact("name", token.span.clone()).field("text", word);
            }
        }
        Ok(())
    }
}

/// Greets every `name` fact it is given that is not the first word of a sentence.
struct Greeter;

impl Extractor for Greeter {
    fn manifest() -> Manifest {
        Manifest::new("greeter", "1.0.0")
            .requires("name")
            .produces(KindDecl::new("greeting").field("who", FieldType::Str, true))
    }
    fn new(_: &Config) -> Result<Greeter, Error> {
        Ok(Greeter)
    }
    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        let starts: Vec<u32> = doc.sentences().map(|(span, _)| span.start).collect();
        for fact in doc.facts("name") {
            if let (Some(Value::Str(who)), false) =
                (fact.get("text"), starts.contains(&fact.span.start))
            {
                out.fact("greeting", fact.span).field("who", format!("hello {who}"));
            }
        }
        Ok(())
    }
}

unsafe extern "C" fn names_entry(host: *const HostV1) -> *const PluginV1 {
    static TABLE: OnceLock<Option<factql_plugin_sdk::__private::Table>> = OnceLock::new();
    // SAFETY: forwarded from the host.
    unsafe { factql_plugin_sdk::__private::entry::<Names>(host, &TABLE) }
}

unsafe extern "C" fn greeter_entry(host: *const HostV1) -> *const PluginV1 {
    static TABLE: OnceLock<Option<factql_plugin_sdk::__private::Table>> = OnceLock::new();
    // SAFETY: forwarded from the host.
    unsafe { factql_plugin_sdk::__private::entry::<Greeter>(host, &TABLE) }
}

#[test]
fn required_facts_reach_the_plugin_that_requires_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    // Registered consumer first: the graph must still run the provider first.
    let statics = [
        StaticPlugin { crate_name: "greeter", entry: greeter_entry },
        StaticPlugin { crate_name: "names", entry: names_entry },
    ];
    let host = Host::load(&config, &statics).expect("host");
    let order: Vec<&str> = host.plugins().iter().map(|p| p.name()).collect();
    assert_eq!(order, ["names", "greeter"]);
    let outcomes = host.extract(&common::article("a.txt", "Title\n\nYesterday Alice met Bob.\n"));
    let greetings = outcomes[1].result.as_ref().expect("greeter ran");
    let who: Vec<String> = greetings.facts.iter().map(|f| f.fields["who"].to_string()).collect();
    assert_eq!(who, ["\"hello Alice\"", "\"hello Bob\""]);
    assert_eq!(greetings.facts[0].provenance.extractor.to_string(), "greeter@1.0.0");
}

#[test]
fn a_missing_provider_is_reported_before_any_article() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    let err = Host::load(&config, &[StaticPlugin { crate_name: "greeter", entry: greeter_entry }])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin greeter: requires kind `name`, which no loaded plugin produces"
    );
}

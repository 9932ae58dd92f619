//! Plugins that read mentions: they run after the plugins that emit them, see their mentions,
//! entities and the publication date, and may point arguments at those entities, but at no
//! entity nobody named. A mention type the host does not know is refused at load.

#![allow(unsafe_code)]

mod common;

use std::sync::OnceLock;

use factql_model::ArgTarget;
use factql_plugin_host::{Host, HostConfig, PluginError, StaticPlugin};
use factql_plugin_sdk::abi::{HostV1, PluginV1};
use factql_plugin_sdk::wire::{KindDecl, Manifest, MentionLevel, Target};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

/// Links every capitalised word to a person entity named after it.
struct People;

impl Extractor for People {
    fn manifest() -> Manifest {
        Manifest::new("people", "1.0.0").mentions(&["PER"])
    }
    fn new(_: &Config) -> Result<People, Error> {
        Ok(People)
    }
    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        for token in doc.tokens().iter().skip(1) {
            let word = token.text(doc.text());
            if word.chars().next().is_some_and(char::is_uppercase) {
                let id = format!("local:person:{}", word.to_lowercase());
                out.entity(&id, "PERSON", &format!("{word} Smith")).alias(word);
                out.mention(token.span.clone(), "PER", MentionLevel::Name).entity(&id);
            }
        }
        Ok(())
    }
}

/// A `seen` fact per input mention, pointing at its entity; and one at an entity nobody named
/// when the text says "ghost".
struct Reader;

impl Extractor for Reader {
    fn manifest() -> Manifest {
        Manifest::new("reader", "1.0.0")
            .reads_mentions()
            .produces(KindDecl::new("seen").role("who"))
    }
    fn new(_: &Config) -> Result<Reader, Error> {
        Ok(Reader)
    }
    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        assert_eq!(doc.published(), Some("2023-10-30"));
        for mention in doc.mentions() {
            let id = mention.entity.clone().unwrap_or_default();
            assert!(doc.entity(&id).is_some_and(|e| e.name.ends_with(" Smith")));
            out.fact("seen", mention.span).arg("who", Target::Entity(id));
        }
        if doc.text().contains("ghost") {
            out.fact("seen", 0..1).arg("who", Target::Entity("local:person:ghost".into()));
        }
        Ok(())
    }
}

/// Declares a type that stands for no kind.
struct Misc;

impl Extractor for Misc {
    fn manifest() -> Manifest {
        Manifest::new("misc", "1.0.0").mentions(&["MISC"])
    }
    fn new(_: &Config) -> Result<Misc, Error> {
        Ok(Misc)
    }
    fn extract(&self, _: &Document<'_>, _: &mut Output) -> Result<(), Error> {
        Ok(())
    }
}

macro_rules! entry {
    ($name:ident, $ty:ty) => {
        unsafe extern "C" fn $name(host: *const HostV1) -> *const PluginV1 {
            static TABLE: OnceLock<Option<factql_plugin_sdk::__private::Table>> = OnceLock::new();
            // SAFETY: forwarded from the host.
            unsafe { factql_plugin_sdk::__private::entry::<$ty>(host, &TABLE) }
        }
    };
}
entry!(people_entry, People);
entry!(reader_entry, Reader);
entry!(misc_entry, Misc);

fn host(statics: &[StaticPlugin]) -> Result<Host, PluginError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    Host::load(&config, statics)
}

const PLUGINS: [StaticPlugin; 2] = [
    StaticPlugin { crate_name: "reader", entry: reader_entry },
    StaticPlugin { crate_name: "people", entry: people_entry },
];

#[test]
fn a_reader_of_mentions_sees_them_and_points_at_their_entities() {
    let host = host(&PLUGINS).expect("host");
    let order: Vec<&str> = host.plugins().iter().map(|p| p.name()).collect();
    assert_eq!(order, ["people", "reader"]);
    let outcomes = host.extract(&common::article(
        "a.md",
        "---\ntitle: talks\ndate: 2023-10-30\n---\n\nthen Alice met Bob.\n",
    ));
    let people = outcomes[0].result.as_ref().expect("people ran");
    let kinds: Vec<(&str, &str)> =
        people.entities.iter().map(|e| (e.name.as_str(), e.kind.as_str())).collect();
    assert_eq!(kinds, [("Alice Smith", "person"), ("Bob Smith", "person")]);
    let seen = outcomes[1].result.as_ref().expect("reader ran");
    let targets: Vec<&ArgTarget> = seen.facts.iter().map(|f| &f.args[0].target).collect();
    assert_eq!(
        targets,
        [
            &ArgTarget::Entity("local:person:alice".into()),
            &ArgTarget::Entity("local:person:bob".into())
        ]
    );
}

#[test]
fn an_argument_pointing_at_an_entity_nobody_named_is_refused() {
    let host = host(&PLUGINS).expect("host");
    let outcomes = host
        .extract(&common::article("a.md", "---\ndate: 2023-10-30\n---\n\nthe ghost of Alice.\n"));
    let err = outcomes[1].result.as_ref().expect_err("refused").to_string();
    assert!(
        err.contains("plugin reader")
            && err.contains("points at entity `local:person:ghost`, which neither this plugin"),
        "{err}"
    );
}

#[test]
fn an_unknown_mention_type_is_refused_at_load_naming_the_plugin() {
    let host = host(&[StaticPlugin { crate_name: "misc", entry: misc_entry }]).expect("host");
    assert!(host.plugins().is_empty());
    let err = host.refused()[0].error.to_string();
    assert!(
        err.contains("plugin misc")
            && err.contains("mention type `MISC` is not a known entity type"),
        "{err}"
    );
}

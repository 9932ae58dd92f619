//! Prints the quotes and claims found in articles (read by the ingest readers, so a Wikinews
//! dateline gives the publication date), with the entities and roles extractors before it:
//! `cargo run -p factql-extractor-quotes --example show_quotes -- FILE...`.

use factql_model::{ArgTarget, Value};
use factql_plugin_host::{Host, HostConfig, StaticPlugin};

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

fn show(value: Option<&Value>) -> String {
    match value {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::List(items)) => {
            let words: Vec<String> = items.iter().map(|v| show(Some(v))).collect();
            words.join(", ")
        }
        Some(other) => format!("{other:?}"),
        None => "-".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let config = HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    let host = Host::load(&config, &PLUGINS)?;
    for path in std::env::args().skip(1) {
        let input = factql_ingest::Input::File(path.clone().into());
        let mut articles = Vec::new();
        factql_ingest::read_input(&input, &factql_ingest::Options::default(), &mut |result| {
            match result {
                Ok(article) => articles.push(article),
                Err(err) => eprintln!("{err}"),
            }
            std::ops::ControlFlow::Continue(())
        });
        for article in &articles {
            println!("== {path} ({})", article.published.as_deref().unwrap_or("no date"));
            let mut names = std::collections::BTreeMap::new();
            for outcome in host.extract(article) {
                let extraction = outcome.result?;
                for entity in &extraction.entities {
                    names.insert(entity.id.clone(), entity.name.clone());
                }
                for fact in &extraction.facts {
                    let who = |role: &str| {
                        fact.args.iter().find(|a| a.role == role).map_or("-".to_owned(), |a| {
                            match &a.target {
                                ArgTarget::Entity(id) => {
                                    names.get(id).cloned().unwrap_or(id.clone())
                                }
                                other => format!("{other:?}"),
                            }
                        })
                    };
                    let f = |name: &str| show(fact.fields.get(name));
                    match fact.kind.as_str() {
                        "quote" => println!(
                            "quote  {} [{}/{} {:?}] <{} {}> direct={} {:?}",
                            who("speaker"),
                            f("speaker_status"),
                            f("speaker_via"),
                            f("speaker_text"),
                            f("verb"),
                            f("verb_class"),
                            f("direct"),
                            f("text"),
                        ),
                        "claim" => println!(
                            "claim  {} {} {} hedges [{}] boosters [{}] loaded [{}] {:?}",
                            f("holder_type"),
                            who("holder"),
                            f("kind"),
                            f("hedges"),
                            f("boosters"),
                            f("loaded"),
                            f("text"),
                        ),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(())
}

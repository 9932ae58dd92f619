//! The mention-and-entity example of `docs/plugins.md`, built as a plugin, loaded and queried:
//! its `PER` mentions become people with their canonical names, aliases and Wikidata ids.

use crate::support::{Scratch, both, text};

/// The first ```rust block after the "Entities and mentions" heading of docs/plugins.md.
fn example_from_docs() -> String {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/plugins.md");
    let docs = std::fs::read_to_string(docs).expect("docs/plugins.md");
    let section = docs.split("### Entities and mentions").nth(1).expect("the section");
    let block = section.split("```rust\n").nth(1).expect("a rust block");
    block.split("\n```").next().expect("its end").to_owned() + "\n"
}

#[test]
fn the_docs_entity_example_gives_people_found_by_any_name() {
    let (_, _) = crate::support::libraries();
    let scratch = Scratch::new();
    let crate_dir = scratch.path("leaders");
    let out = scratch
        .factql("none")
        .args(["plugin", "new", "leaders", "--path"])
        .arg(&crate_dir)
        .output()
        .expect("factql runs");
    assert!(out.status.success(), "{}", both(&out));
    std::fs::write(crate_dir.join("src/lib.rs"), example_from_docs()).expect("write lib.rs");

    let lib = scratch.build_plugin(&crate_dir, "libfactql_extractor_leaders.so");
    scratch.trust(&lib);

    let article = scratch.path("talks.txt");
    std::fs::write(
        &article,
        "Orbán meets Scholz\n\nViktor Orban met Olaf Scholz in Berlin on Monday. \
         Orbán said that Scholz agreed.\n",
    )
    .expect("write");
    let db = scratch.path("leaders.db");
    let factql = |args: &[&str]| {
        let out =
            scratch.factql("none").arg("--db").arg(&db).args(args).output().expect("factql runs");
        assert!(out.status.success(), "factql {args:?}:\n{}", both(&out));
        text(&out.stdout)
    };
    factql(&["ingest", article.to_str().expect("utf-8 path")]);

    // The bundled entity extractor finds these people too, under its own ids; the example's
    // are the ones with Wikidata ids.
    let people = factql(&[
        "query",
        "--format",
        "csv",
        "people | where wikidata != null | select name, kind, wikidata, mentions",
    ]);
    let mut rows: Vec<&str> = people.lines().skip(1).collect();
    rows.sort_unstable();
    assert_eq!(rows, ["Olaf Scholz,person,Q61053,3", "Viktor Orbán,person,Q57641,3"], "{people}");

    // Any name finds him, without case or diacritics; the literal resolves to the entity.
    let sentences = factql(&[
        "query",
        "--format",
        "csv",
        r#"sentences | where mentions(person "viktor orban") | summarize n = count()"#,
    ]);
    assert_eq!(sentences.lines().nth(1), Some("3"), "{sentences}");
    let aliases = factql(&[
        "query",
        "--format",
        "csv",
        r#"people | where name == "Viktor Orbán" | expand aliases as alias | select alias"#,
    ]);
    let mut aliases: Vec<&str> = aliases.lines().skip(1).collect();
    aliases.sort_unstable();
    assert_eq!(aliases, ["Orban", "Orbán", "Viktor Orban", "Viktor Orbán"]);
}

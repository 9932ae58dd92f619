//! `factql plugin new` makes a crate that builds, loads, and emits a fact out of the box.

use crate::support::{Scratch, both, text};

#[test]
fn a_scaffolded_plugin_builds_loads_and_stores_facts() {
    let (_, _) = crate::support::libraries();
    let scratch = Scratch::new();
    let crate_dir = scratch.path("demo");
    let out = scratch
        .factql("none")
        .args(["plugin", "new", "demo", "--path"])
        .arg(&crate_dir)
        .output()
        .expect("factql runs");
    assert!(out.status.success(), "{}", both(&out));
    assert!(text(&out.stdout).contains("factql plugins trust"), "{}", both(&out));

    let lib = scratch.build_plugin(&crate_dir, "libfactql_extractor_demo.so");

    // As in docs/plugins.md: trust it (the lock goes to the user's configuration folder),
    // then point FACTQL_PLUGIN_PATH at its folder and ingest the bundled corpus.
    let user = || {
        let mut cmd = scratch.factql_as_user(scratch.dir.path());
        cmd.env("FACTQL_PLUGIN_PATH", scratch.plugins());
        cmd
    };
    let trust = user().args(["plugins", "trust"]).arg(&lib).output().expect("factql runs");
    assert!(trust.status.success(), "{}", both(&trust));
    assert!(scratch.path("xdg/factql/plugins.lock").exists(), "{}", both(&trust));
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let db = scratch.path("demo.db");
    let ingest =
        user().arg("--db").arg(&db).arg("ingest").arg(&corpus).output().expect("factql runs");
    let all = both(&ingest);
    assert!(ingest.status.success(), "{all}");
    assert!(all.contains("plugin demo 0.1.0"), "{all}");
    let stats = user().arg("--db").arg(&db).arg("stats").output().expect("factql runs");
    let stats = text(&stats.stdout);
    let count = |label: &str| {
        stats
            .lines()
            .find_map(|line| line.trim().strip_prefix(label).map(|n| n.trim().parse::<u64>()))
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("no `{label}` count in:\n{stats}\nafter:\n{all}"))
    };
    assert!(count("articles") >= 13, "{stats}");
    assert_eq!(count("demo_title"), count("articles"), "one title fact per article:\n{stats}");
}

//! A plugin added to a store that already holds articles goes over all of them in its first
//! run, not only over the files of that ingest.

use crate::support::{Scratch, both};

fn fault_facts(scratch: &Scratch) -> u64 {
    let out = scratch
        .factql("none")
        .args(["stats", "--json", "--db"])
        .arg(scratch.path("x.db"))
        .output()
        .expect("runs");
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats JSON");
    stats["facts_per_kind"]["fault"].as_u64().unwrap_or(0)
}

#[test]
fn a_new_plugin_catches_up_on_articles_stored_before_it() {
    let scratch = Scratch::new();
    let db = scratch.path("x.db");
    // a.txt is stored while no dynamic plugin is there.
    let out = scratch
        .factql("none")
        .args(["ingest", "--db"])
        .arg(&db)
        .arg(scratch.path("a.txt"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(fault_facts(&scratch), 0);

    // The plugin arrives; the next ingest names only b.txt.
    let lib = scratch.add_fault_plugin();
    scratch.trust(&lib);
    let out = scratch
        .factql("none")
        .args(["ingest", "--db"])
        .arg(&db)
        .arg(scratch.path("b.txt"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", both(&out));
    assert!(
        both(&out).contains("catching up: fault-none new to this store, 1 stored article"),
        "{}",
        both(&out)
    );
    // One fault fact per article: b.txt's, and a.txt's from the catch-up.
    assert_eq!(fault_facts(&scratch), 2);

    // Nothing is owed any more: a further ingest does not catch up again.
    let out = scratch
        .factql("none")
        .args(["ingest", "--db"])
        .arg(&db)
        .arg(scratch.path("a.txt"))
        .output()
        .expect("runs");
    assert!(!both(&out).contains("catching up"), "{}", both(&out));
    assert_eq!(fault_facts(&scratch), 2);
}

//! A plugin added to a store that already holds articles goes over all of them in its first
//! run, not only over the files of that ingest.

use std::process::Output;

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

/// `factql ingest FILE` into the scratch store; fails the test if factql fails.
fn ingest(scratch: &Scratch, file: &str) -> Output {
    let out = scratch
        .factql("none")
        .args(["ingest", "--db"])
        .arg(scratch.path("x.db"))
        .arg(scratch.path(file))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", both(&out));
    out
}

#[test]
fn a_new_plugin_catches_up_on_articles_stored_before_it() {
    let scratch = Scratch::new();
    // a.txt is stored while no dynamic plugin is there.
    ingest(&scratch, "a.txt");
    assert_eq!(fault_facts(&scratch), 0);

    // The plugin arrives; the next ingest names only b.txt.
    let lib = scratch.add_fault_plugin();
    scratch.trust(&lib);
    let out = ingest(&scratch, "b.txt");
    let said = both(&out);
    assert!(said.contains("catching up: fault-none new to this store, 1 stored article"), "{said}");
    // One fault fact per article: b.txt's, and a.txt's from the catch-up.
    assert_eq!(fault_facts(&scratch), 2);

    // Nothing is owed any more: a further ingest does not catch up again.
    let out = ingest(&scratch, "a.txt");
    assert!(!both(&out).contains("catching up"), "{}", both(&out));
    assert_eq!(fault_facts(&scratch), 2);
}

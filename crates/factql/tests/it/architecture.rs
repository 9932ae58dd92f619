//! The dependency rules of `docs/ARCHITECTURE.md`, read from `cargo metadata`: each workspace
//! crate may depend (in its normal dependencies; tests and benches may use more) only on the
//! factql crates its layer allows, and a new crate must be given a rule here.

use std::collections::BTreeMap;
use std::process::Command;

/// The factql crates a crate may depend on, or `None` when the crate has no rule.
fn allowed(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "factql-model" | "factql-plugin-abi" | "factql-syntax" => &[],
        "factql-ingest" | "factql-store" => &["factql-model"],
        "factql-engine" => &["factql-model", "factql-store", "factql-syntax"],
        // the Parquet export reads the store's bulk readers; it never runs a query, so it
        // does not need the engine
        "factql-export" => &["factql-model", "factql-store"],
        "factql-plugin-sdk" => &["factql-plugin-abi", "factql-model"],
        // the host validates and hands back model rows; it never touches the store
        "factql-plugin-host" => &["factql-model", "factql-plugin-abi", "factql-plugin-sdk"],
        // the SQL back end lowers the engine's checked plans; it never reads the store
        "factql-sql" => &["factql-engine", "factql-model", "factql-syntax"],
        "factql-test-support" => &["factql-ingest", "factql-model", "factql-store"],
        // an extractor is written against the SDK (and the model's vocabulary) only
        n if n.starts_with("factql-extractor-") || n == "factql-fault-plugin" => {
            &["factql-plugin-sdk", "factql-model"]
        }
        "factql" => return Some(&[]),
        _ => return None,
    })
}

/// Workspace packages and their normal (not dev, not build) dependencies.
fn workspace() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(crate::repo())
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut crates = BTreeMap::new();
    for package in meta["packages"].as_array().unwrap() {
        let deps = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        crates.insert(package["name"].as_str().unwrap().to_string(), deps);
    }
    crates
}

#[test]
fn crates_depend_only_on_the_layers_below_them() {
    let crates = workspace();
    assert!(crates.len() >= 10, "{crates:?}");
    let mut broken = Vec::new();
    for (name, deps) in &crates {
        let Some(allowed) = allowed(name) else {
            broken.push(format!(
                "{name} has no dependency rule: add one here and in ARCHITECTURE.md"
            ));
            continue;
        };
        if name == "factql" {
            // the binary puts the layers together, but ships no test code
            for dep in ["factql-test-support", "factql-fault-plugin"] {
                if deps.iter().any(|d| d == dep) {
                    broken.push(format!("factql depends on {dep}, which is never shipped"));
                }
            }
            continue;
        }
        for dep in deps.iter().filter(|d| crates.contains_key(*d)) {
            if !allowed.contains(&dep.as_str()) {
                broken.push(format!("{name} depends on {dep}"));
            }
        }
    }
    // the ABI is a C table and nothing else
    if let Some(deps) = crates.get("factql-plugin-abi")
        && !deps.is_empty()
    {
        broken.push(format!("factql-plugin-abi has dependencies: {deps:?}"));
    }
    // only the store talks to SQLite
    for (name, deps) in &crates {
        if name != "factql-store" && deps.iter().any(|d| d == "rusqlite") {
            broken.push(format!(
                "{name} depends on rusqlite: only factql-store talks to the database"
            ));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

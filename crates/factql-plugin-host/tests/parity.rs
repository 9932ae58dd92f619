//! Static/dynamic parity: the money extractor linked into this test (through its entry
//! function) and the same crate loaded from its cdylib produce identical extractions on the
//! bundled corpus.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use factql_model::Article;
use factql_plugin_host::{Host, HostConfig, SearchDir, StaticPlugin, trust::Lock};

/// Builds the money cdylib with cargo (a no-op after `cargo build --workspace`) and returns it.
fn money_cdylib() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let profile = exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "factql-extractor-money"])
        .args(if profile.ends_with("release") { vec!["--release"] } else { vec![] })
        .env("CARGO_TARGET_DIR", profile.parent().expect("target"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cannot build factql-extractor-money; run `cargo build --workspace`");
    let lib =
        profile.join(format!("libfactql_extractor_money.{}", std::env::consts::DLL_EXTENSION));
    assert!(lib.exists(), "{} is missing; run `cargo build --workspace`", lib.display());
    lib
}

fn corpus() -> Vec<Article> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../factql/corpus");
    let found = factql_ingest::discover(&[root]);
    let mut articles = Vec::new();
    for input in &found.inputs {
        factql_ingest::read_input(input, &factql_ingest::Options::default(), &mut |result| {
            if let Ok(article) = result {
                articles.push(article);
            }
            std::ops::ControlFlow::Continue(())
        });
    }
    assert!(articles.len() >= 12, "the bundled corpus has at least 12 articles");
    articles
}

fn run(host: &Host, articles: &[Article]) -> Vec<factql_model::Extraction> {
    articles
        .iter()
        .flat_map(|article| host.extract(article))
        .map(|outcome| outcome.result.expect("money never fails on the corpus"))
        .collect()
}

#[test]
fn static_and_dynamic_money_agree_on_the_bundled_corpus() {
    let articles = corpus();
    let bundled = [StaticPlugin {
        crate_name: "factql_extractor_money",
        entry: factql_extractor_money::factql_plugin_entry,
    }];
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let static_config =
        HostConfig { lock: dir.path().join("plugins.lock"), ..HostConfig::default() };
    let statically = Host::load(&static_config, &bundled).expect("static host");

    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).expect("mkdir");
    std::fs::set_permissions(&plugins, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let lib = plugins.join("libfactql_extractor_money.so");
    std::fs::copy(money_cdylib(), &lib).expect("copy");
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut lock = Lock::load(&static_config.lock).expect("lock");
    lock.pin(&lib, false).expect("pin");
    lock.save().expect("save");
    let dynamic_config = HostConfig {
        search: vec![SearchDir { path: plugins, explicit: true }],
        ..static_config.clone()
    };
    let dynamically = Host::load(&dynamic_config, &[]).expect("dynamic host");
    assert!(dynamically.refused().is_empty(), "{:?}", dynamically.refused());
    assert_eq!(dynamically.plugins().len(), 1);
    assert_eq!(dynamically.plugins()[0].sha256().map(str::len), Some(64));

    let from_static = run(&statically, &articles);
    let from_dynamic = run(&dynamically, &articles);
    let facts: usize = from_static.iter().map(|e| e.facts.len()).sum();
    assert!(facts >= 4, "the corpus has money amounts; found {facts}");
    assert_eq!(from_static, from_dynamic);
}

#[test]
fn the_same_plugin_twice_is_refused_with_both_places_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let lib = dir.path().join("libmoney_copy.so");
    std::fs::copy(money_cdylib(), &lib).expect("copy");
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let config = HostConfig {
        lock: dir.path().join("plugins.lock"),
        search: vec![SearchDir { path: dir.path().to_path_buf(), explicit: true }],
        ..HostConfig::default()
    };
    let mut lock = Lock::load(&config.lock).expect("lock");
    lock.pin(&lib, false).expect("pin");
    lock.save().expect("save");
    let bundled = [StaticPlugin {
        crate_name: "factql_extractor_money",
        entry: factql_extractor_money::factql_plugin_entry,
    }];
    // A different file name, so it is not shadowed by crate name: it loads, then clashes.
    let host = Host::load(&config, &bundled).expect("host");
    assert_eq!(host.plugins().len(), 1);
    let refused: Vec<String> = host.refused().iter().map(|r| r.error.to_string()).collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].starts_with("plugin money: loaded twice, from bundled and "), "{refused:?}");

    // With replace_bundled, the file wins, with a warning.
    let replacing = HostConfig { replace_bundled: ["money".to_owned()].into(), ..config };
    let host = Host::load(&replacing, &bundled).expect("host");
    assert_eq!(host.plugins().len(), 1);
    assert!(matches!(host.plugins()[0].origin(), factql_plugin_host::Origin::Path(_)));
    assert_eq!(host.warnings().len(), 1, "{:?}", host.warnings());
}

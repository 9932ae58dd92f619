//! `factql plugins` (list, trust, allow) and `factql plugin new` (scaffold a plugin crate).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use factql_plugin_host::trust::Lock;
use factql_plugin_host::{Origin, check_manifest};
use factql_plugin_sdk::Manifest;

/// `factql plugins`: what is loaded, from where, producing which kinds, and what was refused.
pub(crate) fn list(isolate: &[String]) -> anyhow::Result<ExitCode> {
    print!("{}", describe(isolate, &[])?);
    Ok(ExitCode::SUCCESS)
}

/// The text of `factql plugins` (also the REPL's `.plugins`), with `extra` plugin files
/// searched first.
pub(crate) fn describe(isolate: &[String], extra: &[PathBuf]) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let config = crate::extract::host_config_with(isolate, extra)?;
    let host = factql_plugin_host::Host::load(&config, crate::extract::BUNDLED)
        .context("cannot set up the extractor plugins")?;
    let mut out = String::new();
    if config.lock.as_os_str().is_empty() {
        let _ =
            writeln!(out, "plugins (no lock: set HOME, XDG_CONFIG_HOME or FACTQL_PLUGINS_LOCK)");
    } else {
        let _ = writeln!(out, "plugins (lock: {})", config.lock.display());
    }
    for notice in &config.notices {
        let _ = writeln!(out, "  note: {notice}");
    }
    for plugin in host.plugins() {
        let kinds: Vec<String> = plugin
            .manifest()
            .produces
            .iter()
            .map(|kind| {
                let fields: Vec<&str> = kind.fields.iter().map(|f| f.name.as_str()).collect();
                format!("{}({})", kind.name, fields.join(", "))
            })
            .collect();
        let trust = match (plugin.origin(), plugin.sha256()) {
            (Origin::Bundled, _) => "bundled".to_owned(),
            (Origin::Path(_), Some(hash)) => {
                format!("trusted sha256:{}", &hash[..12.min(hash.len())])
            }
            (Origin::Path(_), None) => "trusted".to_owned(),
        };
        let mode = if plugin.isolated() {
            format!("isolated; sandbox: {}", plugin.sandbox().join(", "))
        } else {
            "in-process".to_owned()
        };
        let _ = writeln!(
            out,
            "  {} {}  {}  {trust}, {mode}",
            plugin.name(),
            plugin.version(),
            plugin.origin()
        );
        let _ = writeln!(
            out,
            "      produces {}",
            if kinds.is_empty() { "-".to_owned() } else { kinds.join(", ") }
        );
        if !plugin.manifest().requires.is_empty() {
            let _ = writeln!(out, "      requires {}", plugin.manifest().requires.join(", "));
        }
    }
    for shadowed in host.shadowed() {
        let _ = writeln!(
            out,
            "  not loaded: {} (the bundled `{}` is used; set `replace_bundled = {}` to load the file instead)",
            shadowed.path.display(),
            shadowed.by,
            shadowed.by
        );
    }
    for refused in host.refused() {
        let _ = writeln!(out, "  refused: {}", refused.error);
    }
    for warning in host.warnings() {
        let _ = writeln!(out, "  warning: {warning}");
    }
    Ok(out)
}

/// `factql plugins trust PATH`: pins the file's hash in the lock.
pub(crate) fn trust(path: &Path) -> anyhow::Result<ExitCode> {
    let config = crate::extract::host_config(&[])?;
    if config.lock.as_os_str().is_empty() {
        anyhow::bail!(
            "no lock to write: set HOME or XDG_CONFIG_HOME (the lock goes in its factql folder), or FACTQL_PLUGINS_LOCK"
        );
    }
    let mut lock = Lock::load(&config.lock)?;
    let hash = lock.pin(path, config.allow_symlinks)?;
    lock.save()?;
    println!("trusted {} (sha256 {hash}) in {}", path.display(), config.lock.display());
    Ok(ExitCode::SUCCESS)
}

/// `factql plugins allow DIR`: lets factql use the configuration and lock in DIR.
pub(crate) fn allow(dir: &Path) -> anyhow::Result<ExitCode> {
    let Some(user_dir) = crate::extract::user_dir() else {
        anyhow::bail!("no configuration folder: set HOME or XDG_CONFIG_HOME");
    };
    let canonical = factql_plugin_host::allow_folder(&user_dir, dir)?;
    println!(
        "allowed {}: its {} and {} are used when factql runs there (listed in {})",
        canonical.display(),
        factql_plugin_host::CONFIG_FILE,
        factql_plugin_host::LOCK_FILE,
        user_dir.join(factql_plugin_host::ALLOWED_FILE).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `factql plugin new NAME [--path DIR]`: a plugin crate that builds, loads and emits a fact.
pub(crate) fn new(name: &str, dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let snake = name.replace('-', "_");
    let probe = Manifest::new(name, "0.1.0")
        .produces(factql_plugin_sdk::wire::KindDecl::new(&format!("{snake}_title")));
    if let Err(reason) = check_manifest(&probe) {
        eprintln!("error: plugin name {name:?}: {reason}");
        return Ok(ExitCode::from(2));
    }
    let package = format!("factql-extractor-{name}");
    let root = dir.map_or_else(|| PathBuf::from(&package), Path::to_path_buf);
    if root.exists() && std::fs::read_dir(&root).map(|mut d| d.next().is_some()).unwrap_or(true) {
        eprintln!("error: {} already exists and is not empty", root.display());
        return Ok(ExitCode::from(2));
    }
    std::fs::create_dir_all(root.join("src"))
        .with_context(|| format!("cannot create {}", root.display()))?;
    let sdk = sdk_dependency();
    let write = |file: &str, text: String| {
        let path = root.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write("Cargo.toml", CARGO_TOML.replace("{package}", &package).replace("{sdk}", &sdk))?;
    write(
        "src/lib.rs",
        LIB_RS
            .replace("{name}", name)
            .replace("{kind}", &format!("{snake}_title"))
            .replace("{package}", &package),
    )?;
    write(".gitignore", "/target\n".to_owned())?;
    let lib = format!("lib{}.{}", package.replace('-', "_"), std::env::consts::DLL_EXTENSION);
    println!("created {} (plugin `{name}`)", root.display());
    println!();
    println!("next:");
    println!("  cd {} && cargo test && cargo build --release", root.display());
    println!("  factql plugins trust {}/target/release/{lib}", root.display());
    println!("  FACTQL_PLUGIN_PATH={}/target/release factql ingest ARTICLES...", root.display());
    Ok(ExitCode::SUCCESS)
}

/// The SDK dependency line: a path to this checkout's SDK when it is there, else a version.
fn sdk_dependency() -> String {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../factql-plugin-sdk");
    match std::fs::canonicalize(&sdk) {
        Ok(path) => format!("{{ path = {:?} }}", path.display().to_string()),
        Err(_) => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    }
}

const CARGO_TOML: &str = r#"[package]
name = "{package}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
# cdylib: the plugin factql loads; rlib: so `cargo test` can run it through the SDK harness.
crate-type = ["cdylib", "rlib"]

[dependencies]
factql-plugin-sdk = {sdk}

# A plugin must unwind on panic, so the SDK can catch it; `export!` refuses panic = "abort".
[profile.release]
panic = "unwind"

# A crate of its own, even when created inside another workspace.
[workspace]
"#;

const LIB_RS: &str = r#"//! The `{name}` factql extractor plugin.
//!
//! It emits one `{kind}` fact per article: the title, with its number of words.
//! Replace `extract` with your own logic; `Document` gives the text, sentences and tokens.

use factql_plugin_sdk::text::TokenKind;
use factql_plugin_sdk::wire::{FieldType, KindDecl, Manifest};
use factql_plugin_sdk::{Config, Document, Error, Extractor, Output};

/// The extractor.
pub struct Plugin;

impl Extractor for Plugin {
    fn manifest() -> Manifest {
        Manifest::new("{name}", env!("CARGO_PKG_VERSION"))
            .description("the title of each article and its length in words")
            .produces(KindDecl::new("{kind}").field("words", FieldType::Int, true))
    }

    fn new(_config: &Config) -> Result<Plugin, Error> {
        Ok(Plugin)
    }

    fn extract(&self, doc: &Document<'_>, out: &mut Output) -> Result<(), Error> {
        if let Some((span, title)) = doc.sentences().next() {
            let words = factql_plugin_sdk::text::tokenize(title)
                .iter()
                .filter(|token| token.kind == TokenKind::Word)
                .count();
            out.fact("{kind}", span).field("words", words as i64).confidence(1.0);
        }
        Ok(())
    }
}

factql_plugin_sdk::export!(Plugin);

#[cfg(test)]
mod tests {
    use factql_plugin_sdk::wire::Value;

    use super::*;

    #[test]
    fn finds_the_title() {
        let batch = factql_plugin_sdk::testing::run_on::<Plugin>("Rain in Spain\n\nIt rained.").unwrap();
        assert_eq!(batch.facts.len(), 1);
        assert_eq!(batch.facts[0].get("words"), Some(&Value::Int(3)));
    }
}
"#;

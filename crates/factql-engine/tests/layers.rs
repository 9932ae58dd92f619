//! The engine's modules import one way (docs/ARCHITECTURE.md, `factql-engine`, "Layers").
//!
//! Every file of `src/` is read, comments and string literals are skipped, and each
//! `crate::…`, `super::…` and `self::…` path (in `use` lines and inline) is resolved to the
//! module it names. A module may import only from the layers its rule lists: a backward
//! import (the grouper reaching into a runner, a checker part into another) fails here, as
//! does a new file that no rule covers.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::collections::BTreeMap;
use std::path::Path;

/// A layer: its modules, and the layers they may import from (their own only when listed).
struct Layer {
    name: &'static str,
    modules: &'static [&'static str],
    uses: &'static [&'static str],
}

/// Lowest first. The checker and the runners are two branches over the plan: neither imports
/// the other.
const LAYERS: &[Layer] = &[
    Layer { name: "base", modules: &["error", "value", "words"], uses: &[] },
    // How the image's bytes are held: mapped in place, decoded on first use.
    Layer { name: "storage", modules: &["mapped", "lazy"], uses: &[] },
    Layer { name: "text storage", modules: &["texts"], uses: &["storage"] },
    // The loaded data; dataset and catalog refer to each other, so the layer may import itself.
    Layer {
        name: "data",
        modules: &["catalog", "dataset", "history", "image", "read", "relation", "textindex"],
        uses: &["base", "storage", "text storage", "data"],
    },
    Layer { name: "plan", modules: &["plan"], uses: &["base", "data"] },
    Layer { name: "eval", modules: &["eval"], uses: &["base", "data", "plan"] },
    Layer { name: "access", modules: &["access"], uses: &["base", "data", "plan", "eval"] },
    Layer { name: "group", modules: &["group"], uses: &["base", "data", "plan", "eval"] },
    Layer {
        name: "kernels",
        modules: &["kernel", "cooccur"],
        uses: &["base", "data", "plan", "eval", "access", "group"],
    },
    Layer {
        name: "runners",
        modules: &["exec::scan", "exec::pattern", "exec::stages"],
        uses: &["base", "data", "plan", "eval", "access", "group", "kernels"],
    },
    Layer {
        name: "run",
        modules: &["exec"],
        uses: &["base", "data", "plan", "eval", "access", "group", "kernels", "runners"],
    },
    Layer { name: "hints", modules: &["hints"], uses: &["base", "data"] },
    Layer { name: "checker", modules: &["check"], uses: &["base", "data", "plan", "hints"] },
    Layer {
        name: "checker parts",
        modules: &[
            "check::sources",
            "check::entities",
            "check::patterns",
            "check::stages",
            "check::exprs",
        ],
        uses: &["base", "data", "plan", "hints", "checker"],
    },
    Layer {
        name: "introspect",
        modules: &["introspect"],
        uses: &["base", "data", "plan", "checker"],
    },
    Layer {
        name: "api",
        modules: &["lib"],
        uses: &[
            "base",
            "data",
            "plan",
            "eval",
            "access",
            "group",
            "kernels",
            "run",
            "hints",
            "checker",
            "introspect",
        ],
    },
];

fn layer_of(module: &str) -> Option<&'static Layer> {
    LAYERS.iter().find(|layer| layer.modules.contains(&module))
}

/// `src/x.rs` → `x`, `src/x/mod.rs` → `x`, `src/x/y.rs` → `x::y`, `src/lib.rs` → `lib`.
fn module_name(relative: &Path) -> String {
    let mut parts: Vec<String> =
        relative.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    if parts.len() > 1 && parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a Rust file with comments and string and character literals blanked out.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('"', '\n'); a lifetime has no closing quote.
            i += if next == Some('\\') { 2 } else { 1 };
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The path segments after `at` (which ends in `::`): `value::Val` → [value, Val].
fn segments(code: &str, at: usize) -> Vec<&str> {
    let rest = &code[at..];
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let len = rest[pos..].find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(0);
        if len == 0 {
            break;
        }
        out.push(&rest[pos..pos + len]);
        pos += len;
        if rest[pos..].starts_with("::") {
            pos += 2;
        } else {
            break;
        }
    }
    out
}

/// Every module `module` imports from (with the path as written), given the known modules
/// and the names `lib.rs` re-exports (name → module).
fn imports(
    module: &str,
    text: &str,
    known: &[String],
    reexports: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let code = code_only(text);
    let is_known = |m: &str| known.iter().any(|k| k == m);
    let parent = module.rsplit_once("::").map(|(p, _)| p.to_owned());
    let mut out = Vec::new();
    for (start, _) in code.match_indices("::") {
        let before = &code[..start];
        let word_start =
            before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        if before[..word_start].ends_with("::") {
            continue; // inside a longer path, handled from its start
        }
        let head = &before[word_start..];
        let segs = segments(&code, start + 2);
        let first = segs.first().copied().unwrap_or("");
        let written = format!("{head}::{}", segs.join("::"));
        let target = match head {
            "crate" => {
                let two = format!("{first}::{}", segs.get(1).copied().unwrap_or(""));
                if is_known(&two) {
                    Some(two)
                } else if is_known(first) {
                    Some(first.to_owned())
                } else if let Some(m) = reexports.get(first) {
                    Some(m.clone())
                } else {
                    Some(format!("<unresolved crate::{first}>"))
                }
            }
            "super" => parent.as_ref().map(|p| {
                let sibling = format!("{p}::{first}");
                if is_known(&sibling) { sibling } else { p.clone() }
            }),
            "self" => Some(format!("{module}::{first}")).filter(|m| is_known(m)),
            // `use child::Item;` in a `mod.rs`.
            other
                if is_known(&format!("{module}::{other}"))
                    && code[..word_start].trim_end().ends_with("use") =>
            {
                Some(format!("{module}::{other}"))
            }
            _ => None,
        };
        if let Some(target) = target
            && target != module
        {
            out.push((target, written));
        }
    }
    out
}

/// `pub use module::{A, B};` and `pub use module::A;` of `lib.rs`: name → module.
fn lib_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in code_only(lib).split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else { continue };
        let Some((module, names)) = rest.split_once("::") else { continue };
        let names = names.trim().trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            out.insert(name.to_owned(), module.trim().to_owned());
        }
    }
    out
}

/// Every import that breaks the layering, and every module without a rule.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let known: Vec<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let reexports = files
        .iter()
        .find(|(m, _)| m == "lib")
        .map_or_else(BTreeMap::new, |(_, text)| lib_reexports(text));
    let mut out = Vec::new();
    for (module, text) in files {
        let Some(layer) = layer_of(module) else {
            out.push(format!("{module}: no layer rule (add it to LAYERS and to ARCHITECTURE.md)"));
            continue;
        };
        for (target, written) in imports(module, text, &known, &reexports) {
            let allowed = layer_of(&target).is_some_and(|t| layer.uses.contains(&t.name));
            if !allowed {
                let target_layer = layer_of(&target).map_or("none", |t| t.name);
                out.push(format!(
                    "{module} ({}) imports {target} ({target_layer}) through `{written}`",
                    layer.name
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn source_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root.clone()];
    let mut out = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = module_name(path.strip_prefix(&root).unwrap());
                out.push((module, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn engine_modules_import_one_way() {
    let files = source_files();
    assert!(files.len() >= 25, "the engine's sources were not found: {}", files.len());
    let found = violations(&files);
    assert!(found.is_empty(), "imports against the layering:\n{}", found.join("\n"));
}

#[test]
fn a_backward_import_is_found_and_comments_and_strings_are_not() {
    let file = |m: &str, text: &str| (m.to_owned(), text.to_owned());
    let files = vec![
        file("lib", "pub use relation::{Row, Relation};\npub use error::EngineError;"),
        file("error", ""),
        file("relation", ""),
        file("eval", "use crate::EngineError;\nuse crate::relation::Row;"),
        file("exec", "mod scan;\nuse self::scan::ChunkOut;"),
        file("exec::scan", "pub(super) struct ChunkOut;"),
        // The grouper reaching into a runner, inline.
        file("group", "fn f() { crate::exec::scan::ChunkOut; }"),
        file("check", ""),
        // A checker part using another part; and a path in a comment and a string.
        file(
            "check::stages",
            "use super::patterns::MatchVars;\n// crate::exec::Sink\nconst S: &str = \"crate::exec\";",
        ),
        file("check::patterns", "pub(super) struct MatchVars;"),
        file("newthing", ""),
    ];
    assert_eq!(
        violations(&files),
        vec![
            "check::stages (checker parts) imports check::patterns (checker parts) through `super::patterns::MatchVars`".to_owned(),
            "group (group) imports exec::scan (runners) through `crate::exec::scan::ChunkOut`".to_owned(),
            "newthing: no layer rule (add it to LAYERS and to ARCHITECTURE.md)".to_owned(),
        ]
    );
}

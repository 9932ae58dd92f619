//! Embeds the bundled sample corpus (`corpus/**/*.txt`) in the binary, so `factql` with no
//! arguments works from any directory with no setup.

use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out = String::from("/// The bundled sample corpus: (name, bytes), sorted by name.\n");
    out.push_str("pub static BUNDLED: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let name = file.strip_prefix(&root).map(|p| p.display().to_string()).unwrap_or_default();
        out.push_str(&format!(
            "    ({:?}, include_bytes!({:?})),\n",
            format!("bundled/{name}"),
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("bundled.rs");
    if let Err(err) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {err}", dest.display());
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "txt") {
            files.push(path);
        }
    }
}

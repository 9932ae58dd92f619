//! `docs/tutorial.md`, run: its shell commands in order, and its REPL entries as the script
//! `factql < questions.fql` (the tutorial's own last command) in an empty folder, checking
//! that every output line the tutorial shows is printed, in order.

use std::io::Write;
use std::process::Stdio;

use crate::support::{Scratch, both, text};

/// A REPL block: its entries with the output lines shown after each.
struct Block {
    error: bool,
    entries: Vec<(String, Vec<String>)>,
}

/// The `sh` commands and REPL blocks of the tutorial, in order.
fn parse(doc: &str) -> (Vec<String>, Vec<Block>) {
    let mut commands = Vec::new();
    let mut blocks = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else { continue };
        let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        match info {
            "sh" => commands.extend(body.iter().map(|l| (*l).to_owned())),
            "repl" | "repl-error" => {
                let mut entries: Vec<(String, Vec<String>)> = Vec::new();
                for l in body {
                    if let Some(entry) = l.strip_prefix("» ") {
                        entries.push((entry.to_owned(), Vec::new()));
                    } else if let Some(more) = l.strip_prefix("… ") {
                        let last = entries.last_mut().expect("a continuation follows an entry");
                        last.0.push('\n');
                        last.0.push_str(more);
                    } else if !l.trim().is_empty() {
                        entries
                            .last_mut()
                            .expect("output follows an entry")
                            .1
                            .push(l.trim().to_owned());
                    }
                }
                blocks.push(Block { error: info == "repl-error", entries });
            }
            _ => {}
        }
    }
    (commands, blocks)
}

/// Runs of spaces as one, so that column widths (which grow with the data) do not matter.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (idx, line) in text.lines().enumerate() {
        if idx > 0 {
            out.push('\n');
        }
        out.push_str(&line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// Finds each of `expected` in `output` (spacing aside), in order; the first one missing.
fn missing<'a>(output: &str, expected: impl Iterator<Item = &'a String>) -> Option<String> {
    let output = squeeze(output);
    let mut at = 0;
    for line in expected {
        let line = squeeze(line);
        match output[at..].find(line.as_str()) {
            Some(found) => at += found + line.len(),
            None => return Some(line),
        }
    }
    None
}

#[test]
fn every_command_of_the_tutorial_runs_and_prints_what_it_shows() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tutorial.md"),
    )
    .expect("docs/tutorial.md");
    let (commands, blocks) = parse(&doc);
    assert_eq!(commands.first().map(String::as_str), Some("factql"));
    assert_eq!(commands.last().map(String::as_str), Some("factql < questions.fql"));
    assert!(blocks.iter().map(|b| b.entries.len()).sum::<usize>() >= 20, "a tutorial, not a stub");

    let scratch = Scratch::new();
    // Section 8's commands: scaffold, build, trust. The build shares this workspace's target
    // folder (offline, so the SDK is not compiled again) and the library is put where the
    // tutorial's own build would leave it.
    for command in &commands[1..commands.len() - 1] {
        let words: Vec<&str> = command.split_whitespace().collect();
        let out = match words.as_slice() {
            ["factql", args @ ..] => {
                scratch.factql("none").args(args).output().expect("factql runs")
            }
            ["cargo", "build", "--manifest-path", manifest] => {
                let profile = crate::support::profile_dir();
                let target = profile.parent().expect("target");
                let out = std::process::Command::new(env!("CARGO"))
                    .args(["build", "-q", "--offline", "--manifest-path", manifest])
                    .env("CARGO_TARGET_DIR", target)
                    .current_dir(scratch.dir.path())
                    .output()
                    .expect("cargo runs");
                let crate_dir = std::path::Path::new(manifest).parent().expect("crate folder");
                let lib = "libfactql_extractor_headline.so";
                let dest = scratch.dir.path().join(crate_dir).join("target/debug");
                std::fs::create_dir_all(&dest).expect("mkdir");
                std::fs::copy(target.join("debug").join(lib), dest.join(lib))
                    .expect("copy the library");
                // Leave no untrusted library next to the factql binary.
                let _ = std::fs::remove_file(target.join("debug").join(lib));
                out
            }
            other => panic!("the test does not know how to run {other:?}"),
        };
        assert!(out.status.success(), "{command}: {}", both(&out));
    }

    // The REPL entries, as the script `factql < questions.fql` in the folder, whose empty
    // store gets the bundled corpus first (section 1's `factql`). A `;` line after each
    // entry keeps a following `|` entry apart, as at the prompt.
    let script: String = blocks
        .iter()
        .flat_map(|b| b.entries.iter().map(|(entry, _)| format!("{entry}\n;\n")))
        .collect();
    std::fs::write(scratch.path("questions.fql"), &script).expect("write");
    let mut child = scratch
        .factql("none")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("factql runs");
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("factql runs");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains("ingesting the bundled sample corpus (13 articles)"), "{stdout}");

    let shown = |error: bool| {
        blocks
            .iter()
            .filter(move |b| b.error == error)
            .flat_map(|b| b.entries.iter().flat_map(|(_, lines)| lines))
    };
    if let Some(line) = missing(&stdout, shown(false)) {
        panic!("the tutorial shows `{line}`, not printed (in that order):\n{stdout}\n{stderr}");
    }
    if let Some(line) = missing(&stderr, shown(true)) {
        panic!("the tutorial shows the error line `{line}`, not printed:\n{stderr}");
    }
    // The one deliberate mistake is the only failure: exit code 1, one refused query.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("nothing was run").count(), 1, "{stderr}");
    assert!(!stderr.contains("error: "), "{stderr}");
    assert!(scratch.path("years.svg").exists() && scratch.path("years.csv").exists());
}

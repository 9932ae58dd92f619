//! Time from starting `factql` to the first result printed.
//!
//! `cargo build --release -p factql && cargo run --release -p factql --example first_result -- DB [RUNS]`
//!
//! Starts `target/<profile>/factql --db DB` RUNS times (default 5) with
//! `articles | summarize n = count()` on its stdin, and prints the median and the smallest
//! time from the start to the moment the result's last line (`(1 row)`) is read. With stdin
//! not a terminal, this is the REPL's own session (store load, check, run, render) without
//! the line editor, whose start adds about a millisecond. The store must exist (an empty one
//! first gets the bundled corpus, which would be timed too).
#![allow(clippy::unwrap_used, reason = "a measuring script: any failure should stop it loudly")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: first_result DB [RUNS]");
    let runs: usize = args.next().map_or(5, |r| r.parse().expect("RUNS is a number"));
    let exe = std::env::current_exe().unwrap();
    let factql = exe.parent().and_then(|p| p.parent()).unwrap().join("factql");
    assert!(factql.exists(), "build it first: cargo build --release -p factql");
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = Command::new(&factql)
            .arg("--db")
            .arg(&db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"articles | summarize n = count()\n").unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut seen = false;
        for line in stdout.lines() {
            if line.unwrap() == "(1 row)" {
                times.push(started.elapsed().as_secs_f64());
                seen = true;
                break;
            }
        }
        assert!(seen, "no result from factql");
        child.wait().unwrap();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{db}: first result printed {:.3} s after start (median of {runs}; fastest {:.3} s)",
        times[times.len() / 2],
        times[0]
    );
}

//! `factql`: turn news articles into queryable facts.
//!
//! The binary is the only part of factql that talks to people: it parses the command line,
//! drives the libraries, and renders their typed errors and results. Exit codes: 0 success,
//! 1 nothing could be done (no article ingested, a store error), 2 usage error.

mod bundled;
mod cli;
mod extract;
mod extract_cmd;
mod ingest;
mod inspect;
mod plugins_cmd;
mod query;
mod repl;
mod stats;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: extraction makes and drops many small strings
/// per article (ids, types, names), which glibc's allocator served slowly (a quarter of the
/// ingest's time was in `malloc` and `free`). Bundled plugins, linked in, use it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(1)
        }
    }
}

//! `factql`: turn news articles into queryable facts.
//!
//! The binary is the only part of factql that talks to people: it parses the command line,
//! drives the libraries, and renders their typed errors and results. Exit codes: 0 success,
//! 1 nothing could be done (no article ingested, a store error), 2 usage error.

mod bundled;
mod cli;
mod export_cmd;
mod extract;
mod extract_cmd;
mod image;
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
    quiet_on_closed_stdout();
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`factql inspect FILE | head`): what it read is
        // what it wanted. Not an error, and never a backtrace.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// True when `err` comes from writing to a closed pipe.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Output paths write through `writeln!` and return the error, which `main` treats as the
/// end of the reader; this hook is the net under any `println!` that still meets a closed
/// stdout: the standard library panics there ("failed printing to stdout: Broken pipe"),
/// and the process ends quietly instead of printing a backtrace. Any other panic goes to the
/// default hook.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if payload.starts_with("failed printing to stdout") && payload.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

//! Prints the dates the extractor finds in a text file, one a line:
//! `cargo run -p factql-extractor-dates --example show_dates -- FILE [PUBLISHED]`.

use factql_extractor_dates::scan;
use factql_plugin_sdk::text;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: show FILE [PUBLISHED]");
        std::process::exit(2);
    };
    let published = args.next();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("{path}: {err}");
            std::process::exit(1);
        }
    };
    let sentences: Vec<_> = text::sentences(&text).into_iter().map(|s| s.range()).collect();
    for found in scan(&text, &sentences, published.as_deref()) {
        println!(
            "{:>6}..{:<6} {:<28} {:<12} {:<9} {:?} {}",
            found.span.start,
            found.span.end,
            format!("{:?}", &text[found.span.clone()]),
            found.value,
            found.kind.as_str(),
            found.during,
            found.modifier.unwrap_or("")
        );
    }
}

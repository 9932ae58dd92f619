//! Prints the mentions and entities the recognizer finds in a text file (one sentence per line):
//!
//! ```text
//! cargo run --release -p factql-extractor-entities --example recognize_file -- ARTICLE.txt
//! ```

use factql_extractor_entities::{Recognizer, SentenceSpan};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: recognize_file ARTICLE.txt");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("file readable");
    let mut sentences = Vec::new();
    let mut start = 0;
    for l in text.split_inclusive('\n') {
        sentences
            .push(SentenceSpan { span: start..start + l.trim_end().len(), boilerplate: false });
        start += l.len();
    }
    let rec = Recognizer::load().expect("recognizer loads");
    let r = rec.recognize(&text, &sentences);
    for m in &r.mentions {
        let e = &r.entities[m.entity];
        println!(
            "{:>6}..{:<6} {:<30} {:?}/{:?} {:.2} -> {} [{}]",
            m.span.start,
            m.span.end,
            &text[m.span.clone()],
            m.kind,
            m.level,
            m.confidence,
            e.name,
            e.id
        );
    }
}

//! Helpers shared by the host's integration tests.

use factql_model::Article;

/// `text` read as factql reads a file called `name` (the extension picks the format).
pub fn article(name: &str, text: &str) -> Article {
    let input = factql_ingest::Input::Memory {
        name: name.into(),
        bytes: Box::leak(text.as_bytes().to_vec().into_boxed_slice()),
    };
    let mut out = None;
    factql_ingest::read_input(&input, &factql_ingest::Options::default(), &mut |result| {
        out = result.ok();
        std::ops::ControlFlow::Break(())
    });
    out.expect("reads")
}

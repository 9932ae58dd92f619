//! Helpers shared by the unit tests of the host's modules.

use factql_model::Article;

/// A small deterministic generator (xorshift), so failures replay.
pub(crate) struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 for `n == 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// One of `from`.
    pub(crate) fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

/// A short article with multi-byte characters, read as factql reads a text file.
pub(crate) fn article() -> Article {
    let input = factql_ingest::Input::Memory {
        name: "a.txt".into(),
        bytes: "Zürich café\n\nPrices rose 5% in Zürich. Ünïcödé everywhere — “quoted”.\n"
            .as_bytes(),
    };
    let mut out = None;
    factql_ingest::read_input(&input, &factql_ingest::Options::default(), &mut |result| {
        out = result.ok();
        std::ops::ControlFlow::Break(())
    });
    out.expect("reads")
}

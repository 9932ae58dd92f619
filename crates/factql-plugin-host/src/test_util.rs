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

impl Rng {
    /// An entity near the edges: ids shared between entities, kinds right, wrong or of
    /// another case, empty and multi-line names, aliases repeated, good and bad Wikidata ids.
    pub(crate) fn entity(&mut self) -> factql_plugin_sdk::wire::Entity {
        // Mostly good values, so that the batches holding entities are often accepted too.
        let rare = |rng: &mut Rng, good: &[&'static str], bad: &[&'static str]| {
            if rng.below(8) == 0 { rng.pick(bad) } else { rng.pick(good) }
        };
        factql_plugin_sdk::wire::Entity {
            id: rare(self, &["e1", "e2", "wd:Q1"], &["", "e1\n"]).to_owned(),
            kind: rare(self, &["PER", "person", "PERSON"], &["place", "weapon", "Per"]).to_owned(),
            name: rare(self, &["Olaf Scholz", "Scholz"], &["", "two\nlines"]).to_owned(),
            aliases: (0..self.below(3))
                .map(|_| self.pick(&["Scholz", "O. Scholz"]).into())
                .collect(),
            wikidata: match self.below(6) {
                0 => Some("42".into()),
                1 | 2 => Some("Q42".into()),
                _ => None,
            },
        }
    }
}

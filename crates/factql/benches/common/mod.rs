//! What the extractor bench and the `extract_speed` example share: the binary's allocator, the
//! bundled plugins, the loop that runs articles through a host, and this thread's CPU time.

use factql_model::Article;
use factql_plugin_host::{Host, StaticPlugin};

/// The allocator of the `factql` binary, so the figures are those of the real ingest.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

macro_rules! bundled {
    ($($name:ident = $krate:ident),* $(,)?) => {
        $(pub const $name: StaticPlugin = StaticPlugin {
            crate_name: stringify!($krate),
            entry: $krate::factql_plugin_entry,
        };)*
    };
}

bundled!(
    ENTITIES = factql_extractor_entities,
    ROLES = factql_extractor_roles,
    DATES = factql_extractor_dates,
    TONE = factql_extractor_tone,
    MONEY = factql_extractor_money,
    QUOTES = factql_extractor_quotes,
    EVENTS = factql_extractor_events,
);

/// Every article through `host`, on this thread; the number of facts and mentions found.
pub fn run(host: &Host, articles: &[Article]) -> usize {
    let mut found = 0;
    for article in articles {
        for outcome in host.extract(article) {
            let extraction = outcome.result.expect("the extractor runs");
            found += extraction.facts.len() + extraction.mentions.len();
        }
    }
    found
}

/// CPU time of this thread so far, in nanoseconds (0 where `/proc` does not say): what the
/// examples report beside wall time, since the machine may be shared.
#[allow(dead_code)] // the examples read it; the criterion bench measures wall time only
pub fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

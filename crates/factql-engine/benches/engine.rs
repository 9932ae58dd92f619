//! The engine against SQLite on the same database.
//!
//! A synthetic store of `FACTQL_BENCH_ARTICLES` articles (default 100,000: about 4.7M
//! mentions and 4.2M facts) is generated once into `target/factql-bench/` and reused. Five
//! representative queries run in factql (check + run) and as hand-written SQL in SQLite (the
//! same file, its own indexes), side by side in one criterion group; both must return the same
//! number of rows. At the end a table prints the medians and the ratio.
//!
//! A second group, `text`, compares `has` (through the word index) with SQLite on the same
//! texts: `LIKE '%word%'` on the article table, and an FTS5 index (`unicode61`, diacritics
//! removed) built once into a temporary database at the start (its build time is printed),
//! counting the matching articles and returning their ids (`text_search` says exactly what
//! each side does). `FACTQL_BENCH_TEXT_ONLY=1` runs only this group.
//! The engine is loaded from the store's image when current (the load time and source are
//! printed), else from the store.
//!
//! `cargo bench -p factql-engine --bench engine`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

/// The allocator of the `factql` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use factql_engine::{Context, Engine, RunOptions};

struct Case {
    name: &'static str,
    fql: &'static str,
    sql: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "top_people",
        fql: "mentions | where kind == \"person\" | summarize articles = dcount(article) by who = entity.name | top 10 by articles",
        sql: "SELECT e.name, COUNT(DISTINCT m.article_id) AS n FROM mention m JOIN entity e ON e.id = m.entity_id
              WHERE e.kind = 'person' GROUP BY m.entity_id ORDER BY n DESC LIMIT 10",
    },
    Case {
        name: "co_mentions",
        fql: "match (p:person) -[c:near sentence]- (l:person \"Alexander Lukashenko\") | where p != l | summarize n = count() by p.name | top 20 by n",
        sql: "SELECT e.name, COUNT(*) AS n FROM mention a
              JOIN mention b ON b.article_id = a.article_id AND b.sentence_idx = a.sentence_idx AND b.id != a.id
              JOIN entity e ON e.id = b.entity_id
              WHERE a.entity_id = 'wd:Q2866' AND e.kind = 'person' AND b.entity_id != a.entity_id
              GROUP BY b.entity_id ORDER BY n DESC LIMIT 20",
    },
    Case {
        name: "invitations_2023",
        fql: "events | where type == \"invite\" and date in @2023 and actor.name == \"Viktor Orban\" | select inviter = actor.name, invitee = target.name, date | sort by date desc",
        sql: "SELECT ea.name, et.name, json_extract(f.fields, '$.date') AS d FROM fact f
              JOIN fact_arg aa ON aa.fact_id = f.id AND aa.role = 'actor' JOIN entity ea ON ea.id = aa.entity_id
              JOIN fact_arg at ON at.fact_id = f.id AND at.role = 'target' JOIN entity et ON et.id = at.entity_id
              WHERE f.kind = 'event' AND json_extract(f.fields, '$.type') = 'invite'
                AND json_extract(f.fields, '$.date') LIKE '2023%' AND ea.name = 'Viktor Orban'
              ORDER BY d DESC",
    },
    Case {
        name: "belarus_and_hungary",
        fql: "match (a:article) -[:mentions]-> (:place \"Belarus\"), (a) -[:mentions]-> (:place \"Hungary\") | summarize n = count()",
        sql: "SELECT COUNT(*) FROM (SELECT article_id FROM mention WHERE entity_id = 'iso:0'
              INTERSECT SELECT article_id FROM mention WHERE entity_id = 'iso:1')",
    },
    Case {
        name: "events_by_month_2022",
        fql: "events | where date in @2022 | summarize n = count() by month = bin(date, 1mo), type | sort by month",
        sql: "SELECT substr(json_extract(fields, '$.date'), 1, 7) AS m, json_extract(fields, '$.type') AS t, COUNT(*)
              FROM fact WHERE kind = 'event' AND json_extract(fields, '$.date') LIKE '2022%' GROUP BY m, t ORDER BY m",
    },
];

fn data_path(articles: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target.join("factql-bench").join(format!("synthetic-{articles}-v1.db"))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn bench(c: &mut Criterion) {
    let articles: usize =
        std::env::var("FACTQL_BENCH_ARTICLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let path = data_path(articles);
    if !path.exists() {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("bench data folder");
        let partial = path.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        eprintln!("generating {articles} synthetic articles into {} ...", path.display());
        let started = Instant::now();
        drop(factql_test_support::synthetic_store(&partial, articles, 42).expect("generate"));
        for ext in ["partial-wal", "partial-shm"] {
            let _ = std::fs::remove_file(path.with_extension(ext));
        }
        std::fs::rename(&partial, &path).expect("rename");
        eprintln!("generated in {:.1}s", started.elapsed().as_secs_f64());
    }
    if std::env::var_os("FACTQL_BENCH_GENERATE_ONLY").is_some() {
        return;
    }
    let store = factql_store::Store::open(&path).expect("open");
    let stats = store.stats().expect("stats");
    let started = Instant::now();
    let (engine, loaded) = Engine::open(&store).expect("load");
    let from = match loaded {
        factql_engine::Loaded::Image => "the image".to_owned(),
        factql_engine::Loaded::Store(why) => format!("the store ({why})"),
    };
    eprintln!(
        "store: {} articles, {} sentences, {} mentions, {} facts; engine load {:.1}s from {from}",
        stats.tables.articles,
        stats.tables.sentences,
        stats.tables.mentions,
        stats.tables.facts,
        started.elapsed().as_secs_f64()
    );
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("sqlite");
    let ctx = Context::default();
    let options = RunOptions::default();
    let run_fql = |fql: &str| engine.query(fql, &ctx, &options).expect("query runs").rows.len();
    let run_sql = |sql: &str| {
        let mut stmt = conn.prepare_cached(sql).expect("sql prepares");
        let mut rows = stmt.query([]).expect("sql runs");
        let mut n = 0;
        while rows.next().expect("row").is_some() {
            n += 1;
        }
        n
    };

    if std::env::var_os("FACTQL_BENCH_TEXT_ONLY").is_some() {
        text_search(c, &engine, &conn, &path);
        return;
    }
    let mut group = c.benchmark_group("query");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for case in CASES {
        assert_eq!(
            run_fql(case.fql),
            run_sql(case.sql),
            "{}: factql and SQLite disagree on the row count",
            case.name
        );
        group.bench_function(format!("{}/factql", case.name), |b| b.iter(|| run_fql(case.fql)));
        group.bench_function(format!("{}/sqlite", case.name), |b| b.iter(|| run_sql(case.sql)));
    }
    group.finish();

    text_search(c, &engine, &conn, &path);

    let typical = CASES[1].fql;
    c.bench_function("parse_and_check", |b| b.iter(|| engine.check(typical, &ctx).plan.is_some()));

    eprintln!(
        "\n| query | factql median | SQLite median | SQLite / factql |\n|---|---:|---:|---:|"
    );
    for case in CASES {
        let time = |f: &dyn Fn() -> usize| {
            median(
                (0..7)
                    .map(|_| {
                        let started = Instant::now();
                        std::hint::black_box(f());
                        started.elapsed()
                    })
                    .collect(),
            )
        };
        let ours = time(&|| run_fql(case.fql));
        let theirs = time(&|| run_sql(case.sql));
        eprintln!(
            "| {} | {:.2} ms | {:.2} ms | {:.1}x |",
            case.name,
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

/// `has` against SQLite's `LIKE` and FTS5 on the same article texts, in one group, two
/// ways each: counting the matching articles, and returning the id of each (every row
/// stepped through). factql checks and runs the query on the loaded engine (the word
/// index answers a one-word `has` exactly; each row is built as a result row with its
/// evidence, not printed); `LIKE` scans every text of the store's `article` table; FTS5
/// looks the word up in its own index of the same texts (`unicode61`, diacritics removed:
/// whole words, case- and diacritic-insensitive, as `has`), joined back to `article` for
/// the ids. The counts differ only where `LIKE` matches inside words (`sanctionsbusting`),
/// so each is printed; `has` and FTS5 must agree.
fn text_search(
    c: &mut Criterion,
    engine: &Engine,
    conn: &rusqlite::Connection,
    path: &std::path::Path,
) {
    const WORD: &str = "sanctions";
    let started = Instant::now();
    let scratch = rusqlite::Connection::open_in_memory().expect("scratch database");
    scratch
        .execute("ATTACH ?1 AS store", [format!("file:{}?mode=ro", path.display())])
        .expect("attach the store");
    scratch
        .execute_batch(
            "CREATE VIRTUAL TABLE words USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
             INSERT INTO words (rowid, text) SELECT rowid, text FROM store.article;",
        )
        .expect("FTS5 index");
    eprintln!("FTS5 index of the article texts built in {:.1}s", started.elapsed().as_secs_f64());
    let ctx = Context::default();
    let options = RunOptions::default();
    let count_query = format!("articles | where text has \"{WORD}\" | summarize n = count()");
    let ids_query = format!("articles | where text has \"{WORD}\" | select id");
    let rows_query = format!("articles | where text has \"{WORD}\"");
    let count_fql = || {
        let rows = engine.query(&count_query, &ctx, &options).expect("query runs");
        engine.dataset().display(&rows.rows[0].vals[0]).parse::<usize>().expect("a count")
    };
    let rows_fql =
        |query: &str| engine.query(query, &ctx, &options).expect("query runs").rows.len();
    let count_on = |conn: &rusqlite::Connection, sql: &str| -> usize {
        let n: i64 =
            conn.prepare_cached(sql).expect("sql").query_row([], |row| row.get(0)).expect("count");
        n as usize
    };
    let ids_on = |conn: &rusqlite::Connection, sql: &str| -> usize {
        let mut stmt = conn.prepare_cached(sql).expect("sql");
        let mut rows = stmt.query([]).expect("sql runs");
        let mut n = 0;
        while let Some(row) = rows.next().expect("row") {
            let id: String = row.get(0).expect("an id");
            std::hint::black_box(id);
            n += 1;
        }
        n
    };
    let like_count = format!("SELECT count(*) FROM article WHERE text LIKE '%{WORD}%'");
    let fts_count = format!("SELECT count(*) FROM words WHERE words MATCH '{WORD}'");
    let like_ids = format!("SELECT id FROM article WHERE text LIKE '%{WORD}%'");
    let fts_ids = format!(
        "SELECT a.id FROM words JOIN store.article a ON a.rowid = words.rowid WHERE words MATCH '{WORD}'"
    );
    type Case<'a> = (&'a str, &'a str, Box<dyn Fn() -> usize + 'a>);
    let cases: Vec<Case<'_>> = vec![
        ("count", "factql `has`", Box::new(count_fql)),
        ("count", "SQLite `LIKE`", Box::new(|| count_on(conn, &like_count))),
        ("count", "SQLite FTS5", Box::new(|| count_on(&scratch, &fts_count))),
        ("ids", "factql `has`", Box::new(|| rows_fql(&ids_query))),
        ("ids", "SQLite `LIKE`", Box::new(|| ids_on(conn, &like_ids))),
        ("ids", "SQLite FTS5", Box::new(|| ids_on(&scratch, &fts_ids))),
        ("rows", "factql `has`, all columns", Box::new(|| rows_fql(&rows_query))),
    ];
    let counts: Vec<usize> = cases.iter().map(|(_, _, run)| run()).collect();
    assert_eq!(counts[0], counts[2], "has and FTS5 agree on whole words");
    assert_eq!(counts[3], counts[5], "has and FTS5 return the same articles");
    assert_eq!(counts[0], counts[6], "the count is the number of rows");
    let mut group = c.benchmark_group("text");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (what, name, run) in &cases {
        group.bench_function(format!("{what}/{name}"), |b| b.iter(run));
    }
    group.finish();
    let time = |f: &dyn Fn() -> usize| {
        median(
            (0..9)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(f());
                    started.elapsed()
                })
                .collect(),
        )
    };
    let medians: Vec<Duration> = cases.iter().map(|(_, _, run)| time(run.as_ref())).collect();
    eprintln!("\n| `{WORD}` | how | articles | median | / factql |\n|---|---|---:|---:|---:|");
    for (i, ((what, name, _), n)) in cases.iter().zip(&counts).enumerate() {
        // Each against factql's figure for the same output.
        let ours = if *what == "count" { medians[0] } else { medians[3] };
        eprintln!(
            "| {name} | {what} | {n} | {:.3} ms | {:.1}x |",
            medians[i].as_secs_f64() * 1e3,
            medians[i].as_secs_f64() / ours.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

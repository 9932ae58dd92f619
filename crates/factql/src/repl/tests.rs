//! The REPL without a terminal: [`Session::eval`] on the fixture store.
#![allow(clippy::unwrap_used, reason = "a test that cannot go on should fail loudly")]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::render::Fit;
use super::session::{Output, Session, Settings};

struct Fixture {
    dir: tempfile::TempDir,
    session: Session,
}

fn fixture() -> Fixture {
    fixture_with(Settings::SCRIPT)
}

fn fixture_with(settings: Settings) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fixture.db");
    drop(factql_test_support::fixture_store(&db).unwrap());
    let session = Session::open(&db, &[], settings, Arc::new(AtomicBool::new(false))).unwrap();
    Fixture { dir, session }
}

impl Fixture {
    fn eval(&mut self, entry: &str) -> Output {
        self.session.eval(entry)
    }

    /// Runs an entry that must succeed; its stdout.
    fn ok(&mut self, entry: &str) -> String {
        let out = self.eval(entry);
        assert!(!out.failed, "{entry}: {}", out.err);
        out.out
    }
}

#[test]
fn a_query_prints_its_rows_and_becomes_underscore() {
    let mut f = fixture();
    let out = f.ok("articles | summarize n = count()");
    assert!(out.contains("│ 7 │"), "{out}");
    assert!(out.ends_with("(1 row)\n"), "{out}");
    let out = f.ok("_ | extend m = n * 2 | select m");
    assert!(out.contains("│ 14 │"), "{out}");
}

#[test]
fn a_line_starting_with_a_pipe_extends_the_previous_query() {
    let mut f = fixture();
    f.ok(".mode csv");
    assert_eq!(
        f.ok("events | summarize n = count() by type | sort by type"),
        f.ok("events | summarize n = count() by type | sort by type")
    );
    let out = f.ok("| where n > 1\n| select type");
    assert!(out.starts_with("type\n"), "{out}");
    // It extends the query as extended: a second `|` line goes on from there.
    let more = f.ok("| take 1");
    assert_eq!(more.lines().count(), 2, "{more}");
    assert_eq!(more.lines().nth(1), out.lines().nth(1));
    // `_ | ...` is extended as the query that made `_`.
    f.ok("_ | take 1");
    let again = f.ok("| select type");
    assert_eq!(again, more);
}

#[test]
fn a_pipe_line_with_no_previous_query_is_an_error_and_the_session_goes_on() {
    let mut f = fixture();
    let out = f.eval("| take 1");
    assert!(out.failed && out.err.contains("extends the previous query"), "{}", out.err);
    f.ok("articles | take 1");
}

#[test]
fn every_query_of_an_entry_prints_and_lets_are_kept() {
    let mut f = fixture();
    f.ok(".mode csv");
    let out = f.ok("let big = events | where type == \"invite\"\nbig | summarize n = count(); articles | summarize a = count()");
    assert_eq!(out.lines().collect::<Vec<_>>(), ["n", "2", "a", "7"]);
    // The definition outlives the entry.
    assert_eq!(f.ok("big | summarize n = count()"), "n\n2\n");
}

#[test]
fn a_misspelt_field_shows_the_caret_and_the_suggestion_and_nothing_runs() {
    let mut f = fixture();
    let out = f.eval("articles | where titel has \"Belarus\"");
    assert!(out.failed);
    assert!(out.out.is_empty());
    assert!(out.err.contains("unknown field `titel`"), "{}", out.err);
    assert!(out.err.contains("──┬──"), "{}", out.err);
    assert!(out.err.contains("did you mean `title`?"), "{}", out.err);
    assert!(!out.err.contains('\u{1b}'), "no escape codes in a script");
    // The last result is untouched by a failed query.
    assert!(f.eval("_").failed);
}

#[test]
fn show_gives_title_date_and_the_sentence_with_the_span_marked() {
    let mut f = fixture();
    f.ok("quotes | where text has \"aggression\" | select speaker.name, text");
    let out = f.ok(".show 1");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("EU agrees new sanctions") || lines[0].contains("("), "{out}");
    assert!(lines[0].contains("2023-") || lines[0].contains("202"), "{out}");
    assert!(lines[1].starts_with("article a") && lines[1].contains("sentence"), "{out}");
    assert!(lines[2].contains("\"»These sanctions show that aggression has a price«,\""), "{out}");
    let out = f.eval(".show 9");
    assert!(out.failed && out.err.contains("no row 9: the last result has 1 row"), "{}", out.err);
    let out = f.eval(".show x");
    assert!(out.failed && out.err.contains("takes a row number"), "{}", out.err);
}

#[test]
fn show_of_a_summarize_row_lists_the_evidence_of_its_group() {
    let mut f = fixture();
    f.ok("events | where type == \"meet\" | summarize n = count() by type");
    let out = f.ok(".show 1");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "row 1 stands for 5 rows; the evidence of the first 5:", "{out}");
    // Then each piece: title line, article line, the sentence.
    assert_eq!(lines.len(), 1 + 5 * 3, "{out}");
    assert!(lines.iter().filter(|l| l.starts_with("article a")).count() == 5, "{out}");
    // A warning (a value the data never holds) is shown, and the query still runs.
    let out = f.eval("events | where type == \"meeet\" | count()");
    assert!(!out.failed && out.err.contains("did you mean \"meet\"?"), "{}", out.err);
}

#[test]
fn show_marks_the_span_with_colour_at_a_terminal() {
    let mut f = fixture_with(Settings {
        interactive: true,
        color: true,
        fit: Fit { width: Some(80), max_rows: Some(20) },
    });
    f.ok("quotes | where text has \"aggression\"");
    let out = f.ok(".show 1");
    assert!(out.contains("\u{1b}[1;4;33mThese sanctions"), "{out}");
}

#[test]
fn modes_timer_and_all() {
    let mut f = fixture_with(Settings {
        interactive: true,
        color: false,
        fit: Fit { width: Some(60), max_rows: Some(3) },
    });
    let out = f.ok("sentences | select text");
    assert!(out.contains("(3 of "), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 60), "{out}");
    let all = f.ok(".all");
    assert!(all.ends_with(" rows)\n") && !all.contains("rows shown"), "{all}");
    f.ok(".mode jsonl");
    let out = f.ok("articles | take 2 | select title");
    assert_eq!(out.lines().count(), 2);
    assert!(out.lines().all(|l| l.starts_with('{') && l.contains("\"title\":")), "{out}");
    f.ok(".timer on");
    let out = f.ok("articles | take 1 | select title");
    assert!(out.lines().last().unwrap().starts_with("time: "), "{out}");
    assert_eq!(f.ok(".timer"), "on\n");
    assert_eq!(f.ok(".mode"), "jsonl\n");
    assert!(
        f.eval(".mode xml")
            .err
            .contains("unknown mode `xml`: one of table, vertical, json, jsonl, csv, markdown")
    );
    f.ok(".mode vertical");
    let out = f.ok("articles | take 1 | select title, source");
    assert!(out.contains("── row 1 ──") && out.contains(" title : "), "{out}");
}

#[test]
fn params_are_set_listed_used_and_cleared() {
    let mut f = fixture();
    f.ok(".mode csv");
    f.ok(".param set who \"Viktor Orban\"");
    f.ok(".param set n = 2");
    assert_eq!(f.ok(".param list"), "$n = 2\n$who = \"Viktor Orban\"\n");
    let out = f.ok("match (p:person) -[near sentence]- (:person $who) | summarize k = count() by p.name | top $n by k");
    assert_eq!(out.lines().count(), 3, "{out}");
    f.ok(".param clear n");
    assert_eq!(f.ok(".param list"), "$who = \"Viktor Orban\"\n");
    f.ok(".param clear");
    let out = f.eval("people | where name == $who");
    assert!(out.failed && out.err.contains(".param set"), "{}", out.err);
}

#[test]
fn export_writes_the_last_result_by_extension_and_the_chart_as_svg() {
    let mut f = fixture();
    let dir = f.dir.path().to_owned();
    assert!(
        f.eval(&format!(".export {}", dir.join("x.csv").display())).err.contains("no result yet")
    );
    f.ok("events | summarize n = count() by type | sort by type | render bar");
    for (name, starts) in [
        ("e.csv", "type,n\n"),
        ("e.json", "{\n"),
        ("e.jsonl", "{\""),
        ("e.md", "| type | n |\n"),
        ("e.txt", "╭"),
        ("e.svg", "<svg"),
    ] {
        let path = dir.join(name);
        let out = f.eval(&format!(".export {}", path.display()));
        assert!(!out.failed && out.err.starts_with("wrote "), "{name}: {}", out.err);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(starts), "{name}: {text}");
    }
    let out = f.eval(&format!(".export {}", dir.join("e.xlsx").display()));
    assert!(out.failed && out.err.contains("the extension picks the format"), "{}", out.err);
    f.ok("articles | take 1");
    assert!(
        !f.eval(&format!(".export {}", dir.join("still.svg").display())).failed,
        "the last chart stays"
    );
}

#[test]
fn read_runs_a_file_and_bad_files_do_not_end_the_session() {
    let mut f = fixture();
    let script = f.dir.path().join("q.fql");
    std::fs::write(&script, "# counts\n.mode csv\narticles\n| summarize n = count()\n\nevents | summarize n = count()\n").unwrap();
    let out = f.ok(&format!(".read {}", script.display()));
    assert_eq!(out, "n\n7\nn\n9\n");
    let out = f.eval(".read /no/such/file.fql");
    assert!(out.failed && out.err.contains("cannot read /no/such/file.fql"), "{}", out.err);
    // A file that reads itself stops, it does not overflow the stack.
    let me = f.dir.path().join("me.fql");
    std::fs::write(&me, format!(".read {}\n", me.display())).unwrap();
    let out = f.eval(&format!(".read {}", me.display()));
    assert!(out.failed && out.err.contains("more than 16 deep"), "{}", out.err);
    f.ok("articles | take 1");
}

#[test]
fn describing_the_data() {
    let mut f = fixture();
    let sources = f.ok(".sources");
    assert!(
        sources.lines().any(|l| l.split_whitespace().take(2).eq(["articles", "7"])),
        "{sources}"
    );
    assert!(sources.contains("quotes") && sources.contains("facts of kind quote"), "{sources}");
    let schema = f.ok(".schema quotes");
    assert!(
        schema
            .lines()
            .any(|l| l.split_whitespace().eq(["speaker", "entity", "or", "row", "(a", "role)"])),
        "{schema}"
    );
    assert!(f.eval(".schema qutoes").err.contains("did you mean `quotes`?"));
    assert!(f.ok(".schema").contains("articles: id, title"));
    let kinds = f.ok(".kinds");
    assert!(kinds.contains("person") && kinds.contains("roles speaker"), "{kinds}");
    let relations = f.ok(".relations");
    assert!(relations.contains("-[:invite]->  event type: actor to target"), "{relations}");
    assert!(relations.contains("-[:said]->"), "{relations}");
    let plan = f.ok(".explain people | where name == \"Viktor Orban\"");
    assert!(plan.contains("where") && plan.contains("est. rows"), "{plan}");
    assert!(f.ok(".help").contains(".show N"));
    assert!(f.eval(".shwo 1").err.contains("did you mean `.show`?"));
    assert!(f.eval(".quit").quit);
}

#[test]
fn another_processs_commit_reloads_the_store_and_nothing_else_does() {
    let mut f = fixture();
    f.ok(".mode csv");
    assert_eq!(f.ok("articles | summarize n = count()"), "n\n7\n");
    assert_eq!(f.ok("articles | summarize n = count()"), "n\n7\n");
    assert_eq!(f.session.loads, 1, "no change, no reload");
    // Another writer adds an article.
    let article = f.dir.path().join("new.txt");
    std::fs::write(&article, "A new article\n\nSomething happened in Minsk today.\n").unwrap();
    let mut other = factql_store::Store::open(f.dir.path().join("fixture.db")).unwrap();
    crate::ingest::ingest_paths(
        &mut other,
        &[article],
        false,
        &factql_ingest::Options::default(),
        8,
        None,
    )
    .unwrap();
    drop(other);
    let out = f.eval("articles | summarize n = count()");
    assert_eq!(out.out, "n\n8\n");
    assert!(out.err.contains("reloaded"), "{}", out.err);
    assert_eq!(f.session.loads, 2);
    // `_` pointed into the old load: it is gone with it... and back after the next query.
    f.ok("articles | take 1");
    assert_eq!(f.session.loads, 2);
}

#[test]
fn ingest_reloads_and_a_failing_plugin_file_is_reported() {
    let mut f = fixture();
    let article = f.dir.path().join("more.txt");
    std::fs::write(&article, "Another article\n\nThe budget was $5 million.\n").unwrap();
    let out = f.eval(&format!(".ingest {}", article.display()));
    assert!(!out.failed, "{}", out.err);
    f.ok(".mode csv");
    assert_eq!(f.ok("articles | summarize n = count()"), "n\n8\n");
    let out = f.eval(".load /no/such/plugin.so");
    assert!(out.failed && out.err.contains("cannot open /no/such/plugin.so"), "{}", out.err);
    let junk = f.dir.path().join("libjunk.so");
    std::fs::write(&junk, b"not a plugin").unwrap();
    let out = f.eval(&format!(".load {}", junk.display()));
    assert!(out.failed, "{}", out.err);
    assert!(out.err.starts_with("error: "), "{}", out.err);
    f.ok("articles | take 1");
}

#[test]
fn a_panic_below_the_session_is_reported_and_the_session_goes_on() {
    // (The REPL's panic hook, which records the location, is process-wide: not installed
    // here, where other tests' failures must still print.)
    let mut f = fixture();
    let out = f.session.guarded(|_, _| panic!("boom"));
    assert!(out.failed);
    assert!(out.err.starts_with("error: internal error: boom ("), "{}", out.err);
    assert!(out.err.contains("the session goes on"), "{}", out.err);
    f.ok("articles | take 1");
}

#[test]
fn a_cancelled_query_says_so_and_the_next_one_runs() {
    let mut f = fixture();
    let out = f.session.run_cancelled("articles | take 1");
    assert!(out.failed && out.err.contains("query cancelled"), "{}", out.err);
    f.ok("articles | take 1");
}

#[test]
fn the_script_driver_runs_every_entry_and_fails_if_one_did() {
    let mut f = fixture();
    let lines = [
        "articles | take 1 | select title",
        "nosuch",
        ".mode csv",
        "articles",
        "| summarize n = count()",
    ];
    let mut script = super::Script::new(lines.iter().map(|l| (*l).to_owned()));
    let code = super::drive(&mut f.session, &mut script).unwrap();
    assert_eq!(code, std::process::ExitCode::from(1));
}

//! Bad inputs are reported with their place and skipped; everything else is ingested.

use std::path::Path;

use crate::{factql, run};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The summary line that reports `origin` skipped, if any.
fn skip_line<'a>(out: &'a str, origin: &str) -> Option<&'a str> {
    out.lines().find(|line| line.trim_start().starts_with("skipped") && line.contains(origin))
}

#[test]
fn each_bad_input_is_named_and_skipped_and_the_good_ones_are_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.txt", b"A good headline\nThe body of a good article. It has two sentences.");
    write(d, "empty.txt", b"");
    write(d, "binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    // Valid UTF-8 (the curly apostrophe) followed by an invalid byte on line 3.
    let mut broken = "Title\nLukashenko’s line\nthen a bad byte ".as_bytes().to_vec();
    broken.push(0xFF);
    write(d, "broken.txt", &broken);
    write(
        d,
        "records.jsonl",
        b"{\"title\":\"First\",\"body\":\"Record one.\"}\n{\"title\":\"Second\",\"body\":\"Rec\n{\"title\":\"Third\",\"body\":\"Record three.\"}\n",
    );
    // As deep as browsers nest: read. Deeper: refused before parsing (html5ever takes
    // quadratic time on deep pages).
    let page = |depth: usize| {
        format!(
            "<html><body>{}<p>Deep text survives.</p>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        )
    };
    write(d, "deeper.html", page(10_000).as_bytes());
    write(d, "deep.html", page(500).as_bytes());
    // 100 MB, made sparse so the test writes almost nothing; the size check refuses it unread.
    let huge = std::fs::File::create(d.join("huge.txt")).unwrap();
    huge.set_len(100 * 1024 * 1024).unwrap();
    // A socket cannot be opened as a file, not even by root: an unreadable input.
    let _socket = std::os::unix::net::UnixListener::bind(d.join("socket.txt")).unwrap();

    let mut cmd = factql(d);
    cmd.args(["ingest", "--db", "x.db"]).args([
        "good.txt",
        "empty.txt",
        "binary.txt",
        "broken.txt",
        "records.jsonl",
        "deep.html",
        "deeper.html",
        "huge.txt",
        "socket.txt",
        "missing.txt",
    ]);
    let (out, err, code) = run(&mut cmd);
    assert_eq!(code, 0, "something was ingested: {out}\n{err}");
    assert!(out.contains("4 ingested, 0 unchanged, 0 updated, 0 duplicates, 8 skipped"), "{out}");

    let expect = [
        ("empty.txt:", "empty file"),
        ("binary.txt:", "binary file (a NUL or control byte at byte 7), not an article"),
        ("broken.txt:", "invalid UTF-8 at line 3, byte 42"),
        ("records.jsonl:2:", "invalid JSON at column 29: EOF while parsing a string"),
        (
            "deeper.html:",
            "nested 513 deep, over the limit of 512 (browsers stop nesting at 512); not parsed",
        ),
        ("huge.txt:", "104857600 bytes, over the limit of 16777216 bytes for one article"),
        ("socket.txt:", "cannot read: No such device or address (os error 6)"),
        ("missing.txt:", "no such file or directory"),
    ];
    for (origin, reason) in expect {
        let line =
            skip_line(&out, origin).unwrap_or_else(|| panic!("no skip line for {origin}: {out}"));
        assert!(line.ends_with(reason), "{origin}: expected `{reason}` in `{line}`");
    }
    // The records around the truncated line were kept, and the deep page was read.
    let (stats, _, _) = run(factql(d).args(["stats", "--db", "x.db", "--json"]));
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["tables"]["articles"], 4);
    assert_eq!(stats["articles_per_format"]["json"], 2);
    assert_eq!(stats["articles_per_format"]["html"], 1);
}

#[test]
fn a_permission_denied_file_is_skipped_when_permissions_apply() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret.txt", b"Title\nBody.");
    write(dir.path(), "open.txt", b"Title two\nBody two.");
    std::fs::set_permissions(dir.path().join("secret.txt"), std::fs::Permissions::from_mode(0o000))
        .unwrap();
    let (out, _, code) =
        run(factql(dir.path()).args(["ingest", "--db", "x.db", "secret.txt", "open.txt"]));
    assert_eq!(code, 0);
    // Root reads any file whatever its mode; everyone else must get a clear refusal.
    let root = std::fs::read(dir.path().join("secret.txt")).is_ok();
    if root {
        assert!(out.contains("2 ingested"), "{out}");
    } else {
        let line = skip_line(&out, "secret.txt:").unwrap_or_else(|| panic!("{out}"));
        assert!(line.ends_with("cannot read: Permission denied (os error 13)"), "{line}");
    }
}

#[test]
fn nothing_ingested_exits_1_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.txt", b"  \n");
    let (out, _, code) =
        run(factql(dir.path()).args(["ingest", "--db", "x.db", "empty.txt", "nope.txt"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("0 ingested") && out.contains("2 skipped"), "{out}");

    let (_, err, code) = run(factql(dir.path()).args(["ingest"]));
    assert_eq!(code, 2, "{err}");
    let (_, err, code) =
        run(factql(dir.path()).args(["ingest", "--field", "colour=red", "empty.txt"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown part `colour`"), "{err}");
}

#[test]
fn a_symlink_loop_in_a_directory_is_reported_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    write(&articles, "a.txt", b"Headline\nBody text.");
    std::os::unix::fs::symlink(&articles, articles.join("loop")).unwrap();
    let (out, _, code) = run(factql(dir.path()).args(["ingest", "--db", "x.db", "articles"]));
    assert_eq!(code, 0);
    assert!(out.contains("1 ingested"), "{out}");
    let line = skip_line(&out, "loop").unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("symbolic link loop, not followed"), "{line}");
}

#[test]
fn reading_a_store_that_does_not_exist_is_an_error_not_an_empty_answer() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["stats", "--db", "nothere.db"][..],
        &["query", "--db", "nothere.db", "articles | count()"][..],
    ] {
        let (out, err, code) = run(factql(dir.path()).args(args));
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(err.contains("no store at nothere.db: ingest articles first"), "{err}");
        assert!(!dir.path().join("nothere.db").exists(), "{args:?} created the file");
    }
}

//! `factql export --parquet DIR [--since DATE]` through the binary (the dataset itself is
//! tested in `factql-export`).

use crate::{factql, run};

#[test]
fn export_writes_a_dataset_and_appends_since_a_day() {
    let tmp = tempfile::tempdir().unwrap();
    drop(factql_test_support::fixture_store(&tmp.path().join("fixture.db")).unwrap());

    let (out, err, code) =
        run(factql(tmp.path()).args(["--db", "fixture.db", "export", "--parquet", "out"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("run 1: 7 articles"), "{out}");
    for table in ["articles", "sentences", "mentions", "cooc_sentence", "fact_role"] {
        assert!(out.lines().any(|l| l.starts_with(table)), "{table} in\n{out}");
        assert!(tmp.path().join("out").join(table).is_dir(), "{table}");
    }
    assert!(tmp.path().join("out/_factql_schema.json").is_file());

    // Nothing is new after the export: the next run appends no article.
    let (out, err, code) = run(factql(tmp.path()).args([
        "--db",
        "fixture.db",
        "export",
        "--parquet",
        "out",
        "--since",
        "2000-01-01",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("run 2: 0 articles"), "{out}");

    let (_, err, code) = run(factql(tmp.path()).args([
        "--db",
        "fixture.db",
        "export",
        "--parquet",
        "out",
        "--since",
        "last week",
    ]));
    assert_ne!(code, 0);
    assert!(err.contains("--since `last week`: expected a day, YYYY-MM-DD"), "{err}");

    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let (_, err, code) =
        run(factql(tmp.path()).args(["--db", "fixture.db", "export", "--parquet", "."]));
    assert_ne!(code, 0);
    assert!(err.contains("not a factql dataset"), "{err}");
}

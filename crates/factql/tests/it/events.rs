//! On a store of the bundled corpus, `events` and `-[:type]->` answer from the bundled events
//! extractor, with the values of the example article checked by hand against its text (and
//! `shared/eval/seed-gold.json`): Lukashenko invites Orban, meets Szijjarto, the West
//! sanctions Belarus, and Putin's invasion of Ukraine is dated 2022.

use crate::{col, factql, rows, run};

#[test]
fn events_of_the_example_article_answer_on_the_bundled_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let (_, err, code) = run(&mut factql(dir.path()));
    assert_eq!(code, 0, "{err}");

    // docs/language.md's invitation query: every invitation between people is Lukashenko's to
    // Orban (the headline, S1, S2 and "the invitation to Orban" of S4), asserted, undated.
    let invites = rows(
        dir.path(),
        r#"match (a:person) -[e:invite]-> (b:person)
           | select inviter = a.aliases, invitee = b.name, e.modality, when = e.date, source = e.article.title"#,
    );
    assert!(invites.len() >= 3, "{invites:?}");
    for row in &invites {
        assert!(col(row, "inviter").contains("Lukashenko"), "{row:?}");
        assert_eq!(col(row, "invitee"), "Viktor Orban", "{row:?}");
        assert_eq!(col(row, "modality"), "asserted", "{row:?}");
        assert_eq!(row["when"], serde_json::Value::Null, "{row:?}");
        assert!(col(row, "source").starts_with("Belarus Leader Lukashenko"), "{row:?}");
    }

    // "Lukashenko made the invitation during a meeting with ... Peter Szijjarto"
    let meet = rows(
        dir.path(),
        r#"match (a:person "Lukashenko") -[e:meet]-> (b:person) | select b.name, e.modality"#,
    );
    assert_eq!(meet.len(), 1, "{meet:?}");
    assert_eq!(col(&meet[0], "name"), "Peter Szijjarto");

    // "Belarus has faced increasing isolation and Western sanctions": the West sanctions Belarus
    let sanctions = rows(
        dir.path(),
        r#"events | where type == "sanction" | select who = actor.name, whom = target.name"#,
    );
    assert!(
        sanctions.iter().any(|r| col(r, "who") == "the West" && col(r, "whom") == "Belarus"),
        "{sanctions:?}"
    );

    // "Putin's invasion of Ukraine in 2022"
    let invasion = rows(
        dir.path(),
        r#"events | where type == "invade" | select who = actor.aliases, whom = target.name, date, root"#,
    );
    assert_eq!(invasion.len(), 1, "{invasion:?}");
    assert!(col(&invasion[0], "who").contains("Vladimir Putin"), "{invasion:?}");
    assert_eq!(col(&invasion[0], "whom"), "Ukraine");
    assert_eq!(col(&invasion[0], "date"), "2022");
    assert_eq!(col(&invasion[0], "root"), "19");
}

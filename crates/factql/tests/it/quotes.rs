//! On a store of the bundled corpus, `quotes`, `claims` and `-[:said]->` answer from the
//! bundled quotes extractor, with values checked by hand against the articles: Lukashenko's
//! belief in the example article, the unattributed "criticized as rigged", the author's
//! opinion on the Biden administration, and a direct quote of the Wikinews article on the
//! Afghan robotics team.

use crate::{col, factql, rows, run};

#[test]
fn quotes_and_claims_answer_on_the_bundled_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let (_, err, code) = run(&mut factql(dir.path()));
    assert_eq!(code, 0, "{err}");

    // What Lukashenko believes, said, called for, in the example article.
    let said = rows(
        dir.path(),
        r#"match (p:person "Lukashenko") -[:said]-> (q:quote) | select q.verb, q.verb_class, q.text"#,
    );
    let has = |verb: &str, start: &str| {
        said.iter().any(|r| col(r, "verb") == verb && col(r, "text").starts_with(start))
    };
    assert!(has("believe", "Ukraine’s demand for Russia to withdraw"), "{said:?}");
    assert!(has("call for", "a normalization of Belarus’ relations"), "{said:?}");
    assert!(has("describe", "the conflict as a stalemate"), "{said:?}");

    // "was criticized as rigged": nobody is named, and nobody is guessed.
    let rigged = rows(
        dir.path(),
        r#"quotes | where verb == "criticize" and text == "rigged" | select speaker_status, speaker_via, who = speaker.name"#,
    );
    assert_eq!(rigged.len(), 1, "{rigged:?}");
    assert_eq!(col(&rigged[0], "speaker_status"), "unknown");
    assert_eq!(col(&rigged[0], "speaker_via"), "passive");
    assert_eq!(rigged[0]["who"], serde_json::Value::Null);

    // The Biden/Macron sentence is the author's opinion.
    let opinion = rows(
        dir.path(),
        r#"claims | where text ~ "moral superiority" | select holder_type, kind, who = holder.name"#,
    );
    assert_eq!(opinion.len(), 1, "{opinion:?}");
    assert_eq!(col(&opinion[0], "holder_type"), "author");
    assert_eq!(col(&opinion[0], "kind"), "opinion");
    assert_eq!(opinion[0]["who"], serde_json::Value::Null);

    // A direct quote through the `said` edge: the Afghan ambassador in the 2017 article.
    let direct = rows(
        dir.path(),
        r#"match (p:person) -[:said]-> (q:quote) | where q.direct | select p.name, q.text"#,
    );
    assert!(
        direct.iter().any(|r| col(r, "name") == "Hamdullah Mohib"
            && col(r, "text") == "Seventeen years ago, this would not have been possible at all"),
        "{direct:?}"
    );
}

//! On a store of the bundled corpus, the entity questions of `docs/language.md` get real
//! answers from the bundled extractors: who is mentioned most, which articles name Belarus and
//! Hungary, who is named in the same sentence as Lukashenko, who holds which office.

use crate::{Row, col, factql, rows, run};

#[test]
fn entity_questions_get_real_answers_on_the_bundled_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let (_, err, code) = run(&mut factql(dir.path()));
    assert_eq!(code, 0, "{err}");

    // Who is mentioned most: Lukashenko, named 14 times in the example article (the gold
    // counts 14 name mentions), is among the first.
    let top = rows(dir.path(), "people | top 10 by mentions | select name, aliases, mentions");
    assert_eq!(top.len(), 10);
    let lukashenko = top
        .iter()
        .find(|row| col(row, "aliases").contains("Lukashenko"))
        .unwrap_or_else(|| panic!("no Lukashenko in {top:?}"));
    let mentions: u32 = col(lukashenko, "mentions").parse().unwrap();
    assert!((12..=16).contains(&mentions), "{lukashenko:?}");

    // Articles that mention both Belarus and Hungary, whatever the form (Hungarian included):
    // only the example article.
    let both = rows(
        dir.path(),
        r#"match (a:article) -[:mentions]-> (:place "Belarus"), (a) -[:mentions]-> (:place "Hungary")
           | select a.title"#,
    );
    assert_eq!(both.len(), 1, "{both:?}");
    assert!(col(&both[0], "title").starts_with("Belarus Leader Lukashenko Extends"), "{both:?}");

    // People named in the same sentence as Lukashenko: Orban (five sentences of the example
    // article name both), Szijjarto and Putin.
    let near = rows(
        dir.path(),
        r#"match (p:person) -[c:near sentence]- (l:person "Lukashenko")
           | where p != l
           | summarize sentences = count() by p.name
           | top 20 by sentences"#,
    );
    let count = |surname: &str| {
        near.iter()
            .find(|row| col(row, "name").contains(surname))
            .map(|row| col(row, "sentences").parse::<u32>().unwrap())
            .unwrap_or_else(|| panic!("no {surname} in {near:?}"))
    };
    assert!(count("Orban") >= 4, "{near:?}");
    assert!(count("Szijjarto") >= 1 && count("Putin") >= 1, "{near:?}");
    assert_eq!(col(&near[0], "name"), "Viktor Orban", "{near:?}");

    // Who holds which office, from the text: Orban is Hungary's head of government.
    let roles = rows(
        dir.path(),
        r#"match (p:person "Viktor Orban") -[r:role]-> (c:place) | select r.title, r.category, c.name"#,
    );
    let office = |r: &Row| [col(r, "title"), col(r, "category"), col(r, "name")];
    assert!(
        roles.iter().any(|r| office(r) == ["Prime Minister", "head_of_government", "Hungary"]),
        "{roles:?}"
    );
}

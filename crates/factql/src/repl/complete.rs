//! What Tab offers at the cursor, computed from the text before it and the loaded data:
//! dot commands and sources at the start, stages after `|`, the fields valid at the
//! cursor's stage (from the checked prefix of the pipeline), fields of a reference after
//! `.`, functions, relation labels after `-[:`, scopes after `near`, parameters after `$`,
//! and entity names inside `person "...`, with kind and mention count.

use factql_engine::{Context, Engine, Table, Ty};
use factql_syntax::{ENTITY_KINDS, RENDER_KINDS, SCOPE_WORDS, STAGE_KEYWORDS, STAGE_SYNONYMS};

use super::help::{DOT_COMMANDS, FUNCTIONS, STAGES};
use super::render::Mode;

/// One candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Suggestion {
    /// What replaces the word.
    pub replacement: String,
    /// A short description (type, kind and mentions, what a stage does).
    pub description: String,
}

/// What to complete at the cursor.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Completion {
    /// Replace `text[start..cursor]` with one of these.
    Words { start: usize, suggestions: Vec<Suggestion> },
    /// A file name (the argument of `.read`, `.export`, `.ingest`, `.load`).
    Files,
}

/// The most entity names offered at once.
const MAX_ENTITIES: usize = 50;

/// Completes `text` at byte `cursor`.
pub(crate) fn complete(engine: &Engine, ctx: &Context, text: &str, cursor: usize) -> Completion {
    let cursor = floor_boundary(text, cursor);
    let before = &text[..cursor];
    if let Some(completion) = dot_command(engine, ctx, before) {
        return completion;
    }
    if let Some((start, kind)) = open_entity_string(before) {
        let word = &before[start..];
        return Completion::Words { start, suggestions: entities(engine, kind.as_deref(), word) };
    }
    let start = word_start(before);
    let word = &before[start..];
    let head = before[..start].trim_end();
    let words = |suggestions: Vec<Suggestion>| Completion::Words {
        start,
        suggestions: filter(suggestions, word.trim_start_matches('$')),
    };
    if word.starts_with('$') || head.ends_with('$') {
        let mut names: Vec<&String> = ctx.params.keys().collect();
        names.sort();
        let start = if word.starts_with('$') { start } else { start - 1 };
        let suggestions: Vec<Suggestion> = names
            .into_iter()
            .map(|n| Suggestion {
                replacement: format!("${n}"),
                description: engine.dataset().display(&ctx.params[n]),
            })
            .filter(|s| s.replacement.starts_with(&format!("${}", word.trim_start_matches('$'))))
            .collect();
        return Completion::Words { start, suggestions };
    }
    if head.ends_with('.') && !head.ends_with("..") {
        return words(dotted_fields(engine, ctx, text, cursor, &head[..head.len() - 1]));
    }
    if relation_position(head) {
        return words(
            engine.dataset().relation_labels().into_iter().map(|l| plain(&l, "relation")).collect(),
        );
    }
    if node_kind_position(head) {
        let mut out: Vec<Suggestion> = ENTITY_KINDS.iter().map(|k| plain(k, "node kind")).collect();
        for (schema, n) in engine.dataset().fact_kinds() {
            out.push(plain(&schema.name, &format!("fact kind, {n} facts")));
        }
        return words(out);
    }
    let last = last_word(head);
    match last {
        "near" => {
            return words(
                SCOPE_WORDS
                    .iter()
                    .map(|s| plain(s, "scope"))
                    .chain([plain("10 words", "within N words")])
                    .collect(),
            );
        }
        "render" => return words(RENDER_KINDS.iter().map(|k| plain(k, "chart")).collect()),
        "join" | "left" | "anti" => return words(sources(engine, ctx)),
        _ => {}
    }
    if head.is_empty() || head.ends_with(';') {
        let mut out = sources(engine, ctx);
        out.push(plain("match", "a pattern: match (p:person) -[:role]-> (b)"));
        out.push(plain("let", "name a query: let name = query"));
        out.push(plain("_", "the last result"));
        return words(out);
    }
    if head.ends_with('|') {
        let mut out: Vec<Suggestion> = STAGES.iter().map(|t| plain(t.name, t.about)).collect();
        for (synonym, canonical) in STAGE_SYNONYMS {
            if *synonym != "order" {
                out.push(plain(synonym, &format!("synonym of {canonical}")));
            }
        }
        return words(out);
    }
    if head.ends_with('(') && head[..head.len() - 1].trim_end().ends_with("join") {
        return words(sources(engine, ctx));
    }
    // An expression: the fields at the cursor's stage, then functions.
    let mut out = stage_fields(engine, ctx, text, cursor);
    out.extend(FUNCTIONS.iter().map(|t| Suggestion {
        replacement: format!("{}(", t.name),
        description: t.about.to_owned(),
    }));
    if STAGE_KEYWORDS.contains(&last) || last == "by" || last == "on" {
        return words(out);
    }
    out.extend(
        ["and", "or", "not", "in", "has", "between", "by", "asc", "desc", "per"]
            .map(|k| plain(k, "keyword")),
    );
    words(out)
}

fn plain(word: &str, description: &str) -> Suggestion {
    Suggestion { replacement: word.to_owned(), description: description.to_owned() }
}

/// Candidates starting with `word` (case-insensitive), in their order, each once.
fn filter(suggestions: Vec<Suggestion>, word: &str) -> Vec<Suggestion> {
    let word = word.to_lowercase();
    let mut seen = std::collections::HashSet::new();
    suggestions
        .into_iter()
        .filter(|s| s.replacement.to_lowercase().starts_with(&word))
        .filter(|s| seen.insert(s.replacement.clone()))
        .collect()
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where the word under the cursor starts: letters, digits, `_` and a leading `$`.
fn word_start(before: &str) -> usize {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(before.len(), |(i, _)| i);
    if before[..start].ends_with('$') { start - 1 } else { start }
}

fn last_word(head: &str) -> &str {
    let start = word_start(head);
    &head[start..]
}

/// Dot commands at the start of the buffer, and their arguments.
fn dot_command(engine: &Engine, ctx: &Context, before: &str) -> Option<Completion> {
    let trimmed = before.trim_start();
    if !trimmed.starts_with('.') {
        return None;
    }
    let offset = before.len() - trimmed.len();
    let Some((name, arg)) = trimmed.split_once(char::is_whitespace) else {
        let suggestions = DOT_COMMANDS
            .iter()
            .filter(|(n, _, _)| n.starts_with(trimmed))
            .map(|(n, args, about)| Suggestion {
                replacement: (*n).to_owned(),
                description: if args.is_empty() {
                    (*about).to_owned()
                } else {
                    format!("{args}: {about}")
                },
            })
            .collect();
        return Some(Completion::Words { start: offset, suggestions });
    };
    let arg_start = before.len() - arg.trim_start().len();
    let arg = arg.trim_start();
    let options: Vec<Suggestion> = match name {
        ".mode" => Mode::ALL.iter().map(|(n, _)| plain(n, "output mode")).collect(),
        ".timer" => vec![plain("on", ""), plain("off", "")],
        ".param" if !arg.contains(' ') => {
            vec![plain("set", "NAME VALUE"), plain("list", ""), plain("clear", "[NAME]")]
        }
        ".schema" => engine
            .dataset()
            .sources()
            .into_iter()
            .map(|s| plain(&s.name, &format!("{} rows", s.rows)))
            .collect(),
        ".help" => STAGES
            .iter()
            .chain(FUNCTIONS)
            .map(|t| plain(t.name, t.about))
            .chain(DOT_COMMANDS.iter().map(|(n, _, about)| plain(n, about)))
            .chain([plain("match", "patterns"), plain("keys", "keyboard")])
            .collect(),
        ".read" | ".export" | ".ingest" | ".load" => return Some(Completion::Files),
        ".explain" => {
            // The rest is a query: complete it as one.
            let query_start = arg_start;
            return Some(
                match complete(engine, ctx, &before[query_start..], before.len() - query_start) {
                    Completion::Words { start, suggestions } => {
                        Completion::Words { start: start + query_start, suggestions }
                    }
                    files => files,
                },
            );
        }
        _ => Vec::new(),
    };
    let last_start = before.len() - arg.rsplit(' ').next().unwrap_or("").len();
    Some(Completion::Words {
        start: last_start,
        suggestions: filter(options, &before[last_start..]),
    })
}

/// Inside an unclosed string that names an entity (`person "Luk`, `(:place "Bel`): where the
/// name starts and the kind, if one is written.
fn open_entity_string(before: &str) -> Option<(usize, Option<String>)> {
    // Count quotes outside of escapes; an odd count means the cursor is inside a string.
    let mut open = None;
    let mut chars = before.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if open.is_some() => {
                chars.next();
            }
            '"' => open = if open.is_some() { None } else { Some(i) },
            '#' if open.is_none() => {
                // A comment runs to the end of its line.
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    let quote = open?;
    let head = before[..quote].trim_end();
    let word = last_word(head);
    let start = quote + 1;
    if ENTITY_KINDS.contains(&word) && !matches!(word, "article" | "sentence" | "term" | "quote") {
        // `person "..."` or `(:person "...")`.
        return Some((start, Some(word.to_owned())));
    }
    // `(p:person "` has the kind as the last word too; `(:"` or `(p "`: any entity.
    if head.ends_with('(') || head.ends_with(':') {
        return Some((start, None));
    }
    None
}

/// Entity names for `word`: names with a word starting with it first, then names that
/// contain its letters in order; by mentions within each group.
fn entities(engine: &Engine, kind: Option<&str>, word: &str) -> Vec<Suggestion> {
    let needle = word.to_lowercase();
    let mut prefix = Vec::new();
    let mut fuzzy = Vec::new();
    for e in engine.dataset().entities() {
        if kind.is_some_and(|k| k != e.kind) {
            continue;
        }
        let name = e.name.to_lowercase();
        let item = (e.mentions, e.name, e.kind);
        if name.starts_with(&needle)
            || name.split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(&needle))
        {
            prefix.push(item);
        } else if is_subsequence(&needle, &name) {
            fuzzy.push(item);
        }
    }
    let by_mentions =
        |a: &(usize, &str, &str), b: &(usize, &str, &str)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
    prefix.sort_by(by_mentions);
    fuzzy.sort_by(by_mentions);
    let mut seen = std::collections::HashSet::new();
    prefix
        .into_iter()
        .chain(fuzzy)
        .filter(|(_, name, _)| seen.insert(*name))
        .take(MAX_ENTITIES)
        .map(|(mentions, name, kind)| Suggestion {
            replacement: format!("{name}\""),
            description: format!(
                "{kind}, {mentions} mention{}",
                if mentions == 1 { "" } else { "s" }
            ),
        })
        .collect()
}

fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

/// After `-[`, `-[e`, `<-[:`: a relation label.
fn relation_position(head: &str) -> bool {
    let Some(rest) = head.strip_suffix(':') else { return false };
    let rest = rest.trim_end();
    let var = last_word(rest);
    let rest = rest[..rest.len() - var.len()].trim_end();
    rest.ends_with('[')
}

/// After `(` or `(p` and `:`: a node kind.
fn node_kind_position(head: &str) -> bool {
    let Some(rest) = head.strip_suffix(':') else { return false };
    let rest = rest.trim_end();
    let var = last_word(rest);
    rest[..rest.len() - var.len()].trim_end().ends_with('(')
}

fn sources(engine: &Engine, ctx: &Context) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = engine
        .dataset()
        .sources()
        .into_iter()
        .map(|s| Suggestion {
            replacement: s.name,
            description: format!("{} rows", super::render::group_digits(s.rows)),
        })
        .collect();
    let mut lets: Vec<&String> = ctx.lets.keys().collect();
    lets.sort();
    out.extend(lets.into_iter().map(|name| plain(name, "let")));
    out
}

/// The fields and columns valid at the cursor's stage, with their types.
fn stage_fields(engine: &Engine, ctx: &Context, text: &str, cursor: usize) -> Vec<Suggestion> {
    let Some(scope) = engine.scope_at(text, cursor, ctx) else { return Vec::new() };
    let skip = usize::from(scope.table.is_some());
    let mut out: Vec<Suggestion> = scope
        .columns
        .iter()
        .skip(skip)
        .map(|c| plain(&c.name, &super::dot::type_name(&c.ty)))
        .collect();
    if let Some(table) = scope.table {
        out.extend(
            engine
                .dataset()
                .fields(table)
                .into_iter()
                .map(|f| plain(&f.name, &super::dot::type_name(&f.ty))),
        );
    }
    out
}

/// The fields of the reference `path` (`speaker`, `e.article`) ends at.
fn dotted_fields(
    engine: &Engine,
    ctx: &Context,
    text: &str,
    cursor: usize,
    path: &str,
) -> Vec<Suggestion> {
    let ds = engine.dataset();
    let mut segments: Vec<&str> = Vec::new();
    let mut rest = path;
    loop {
        let start = word_start(rest);
        let word = &rest[start..];
        if word.is_empty() {
            break;
        }
        segments.push(word);
        rest = &rest[..start];
        match rest.strip_suffix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    segments.reverse();
    let Some(scope) = engine.scope_at(text, cursor, ctx) else { return Vec::new() };
    let Some((first, others)) = segments.split_first() else { return Vec::new() };
    let skip = usize::from(scope.table.is_some());
    let mut ty = scope.columns.iter().skip(skip).find(|c| c.name == *first).map(|c| c.ty.clone());
    if ty.is_none()
        && let Some(table) = scope.table
    {
        ty = ds.fields(table).into_iter().find(|f| f.name == *first).map(|f| f.ty);
    }
    let mut fields = fields_of(engine, ty.as_ref());
    for segment in others {
        let next = fields.iter().find(|f| f.0 == *segment).map(|f| f.1.clone());
        fields = fields_of(engine, next.as_ref());
    }
    fields.into_iter().map(|(name, ty)| plain(&name, &super::dot::type_name(&ty))).collect()
}

fn fields_of(engine: &Engine, ty: Option<&Ty>) -> Vec<(String, Ty)> {
    let ds = engine.dataset();
    match ty {
        Some(Ty::Ref(Some(table))) => {
            ds.fields(*table).into_iter().map(|f| (f.name, f.ty)).collect()
        }
        // A role: usually an entity.
        Some(Ty::Ref(None)) => {
            ds.fields(Table::Entity).into_iter().map(|f| (f.name, f.ty)).collect()
        }
        Some(Ty::Cooc) => ds.cooccurrence_fields().into_iter().map(|f| (f.name, f.ty)).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn engine() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let engine = Engine::load(&store).unwrap();
        (dir, engine)
    }

    fn offered(engine: &Engine, text: &str) -> (usize, Vec<String>) {
        offered_with(engine, &Context::default(), text)
    }

    fn offered_with(engine: &Engine, ctx: &Context, text: &str) -> (usize, Vec<String>) {
        match complete(engine, ctx, text, text.len()) {
            Completion::Words { start, suggestions } => {
                (start, suggestions.into_iter().map(|s| s.replacement).collect())
            }
            Completion::Files => (0, vec!["<files>".into()]),
        }
    }

    #[test]
    fn sources_at_the_start_and_stages_after_a_pipe() {
        let (_d, engine) = engine();
        let (start, words) = offered(&engine, "art");
        assert_eq!((start, words), (0, vec!["articles".to_owned()]));
        let (_, words) = offered(&engine, "");
        assert!(
            words.contains(&"people".to_owned())
                && words.contains(&"events".to_owned())
                && words.contains(&"match".to_owned())
        );
        let (start, words) = offered(&engine, "articles | su");
        assert_eq!((start, words), (11, vec!["summarize".to_owned()]));
        let (_, words) = offered(&engine, "articles | ");
        assert!(words.contains(&"where".to_owned()) && words.contains(&"render".to_owned()));
    }

    #[test]
    fn fields_follow_the_stage_the_cursor_is_in() {
        let (_d, engine) = engine();
        let (_, words) = offered(&engine, "articles | where ");
        assert!(words.contains(&"title".to_owned()), "{words:?}");
        assert!(words.contains(&"len(".to_owned()));
        let (_, words) = offered(&engine, "events | summarize n = count() by type | where ");
        assert_eq!(&words[..2], ["type", "n"]);
        assert!(!words.contains(&"title".to_owned()));
        let (start, words) = offered(&engine, "quotes | where speaker.na");
        assert_eq!(start, 23);
        assert_eq!(words, ["name"]);
        let (_, words) = offered(&engine, "match (p:person) -[r:role]-> (b) | select p.");
        assert!(words.contains(&"mentions".to_owned()), "{words:?}");
        let (_, words) = offered(&engine, "mentions | select article.pub");
        assert_eq!(words, ["published"]);
    }

    #[test]
    fn relations_scopes_kinds_and_render_kinds_where_they_belong() {
        let (_d, engine) = engine();
        let (_, words) = offered(&engine, "match (a:person) -[:");
        assert!(
            words.contains(&"mentions".to_owned()) && words.contains(&"invite".to_owned()),
            "{words:?}"
        );
        let (_, words) = offered(&engine, "match (a:person) -[e:in");
        assert_eq!(words, ["invite"]);
        let (_, words) = offered(&engine, "match (a:person) -[near ");
        assert!(words.contains(&"sentence".to_owned()));
        let (_, words) = offered(&engine, "match (a:pe");
        assert_eq!(words, ["person"]);
        let (_, words) = offered(&engine, "events | render ");
        assert_eq!(words, ["bar", "line", "timeline"]);
    }

    #[test]
    fn entity_names_with_kind_and_mentions_by_prefix_then_fuzzy() {
        let (_d, engine) = engine();
        let text = "match (p:person) -[near sentence]- (:person \"Luk";
        let Completion::Words { start, suggestions } =
            complete(&engine, &Context::default(), text, text.len())
        else {
            panic!()
        };
        assert_eq!(start, text.len() - 3);
        assert!(suggestions[0].replacement.contains("Lukashenko"), "{suggestions:?}");
        assert!(suggestions[0].replacement.ends_with('"'));
        assert!(suggestions[0].description.starts_with("person, "), "{suggestions:?}");
        // Fuzzy: letters in order.
        let (_, words) = offered(&engine, "articles | where mentions(person \"lkshnk");
        assert!(words.iter().any(|w| w.contains("Lukashenko")), "{words:?}");
        // The kind restricts: no place is offered for a person.
        let (_, words) = offered(&engine, "articles | where mentions(person \"Bel");
        assert!(words.is_empty(), "{words:?}");
        let (_, words) = offered(&engine, "articles | where mentions(place \"Bel");
        assert_eq!(&words[..2], ["Belarus\"", "Belgrade\""]);
    }

    #[test]
    fn parameters_dot_commands_and_their_arguments() {
        let (_d, engine) = engine();
        let mut ctx = Context::default();
        ctx.params.insert("who".into(), factql_engine::value::Val::str("Lukashenko"));
        let (start, words) = offered_with(&engine, &ctx, "match (:person $w");
        assert_eq!((start, words), (15, vec!["$who".to_owned()]));
        let (_, words) = offered(&engine, ".sh");
        assert_eq!(words, [".show"]);
        let (_, words) = offered(&engine, ".mode js");
        assert_eq!(words, ["json", "jsonl"]);
        let (_, words) = offered(&engine, ".schema pe");
        assert_eq!(words, ["people"]);
        assert_eq!(offered(&engine, ".read que").1, ["<files>"]);
        let (start, words) = offered(&engine, ".explain articles | where ti");
        assert_eq!(start, 26);
        assert_eq!(words, ["title"]);
    }
}

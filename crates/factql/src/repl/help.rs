//! `.help`: the stages, functions and dot commands, each with an example. Completion shows
//! the same one-line descriptions, and a test runs every example.

/// A stage: name, syntax, what it does, an example.
pub(crate) struct Topic {
    pub name: &'static str,
    pub syntax: &'static str,
    pub about: &'static str,
    pub example: &'static str,
}

/// The stages, in the order of the language reference.
pub(crate) const STAGES: &[Topic] = &[
    Topic {
        name: "where",
        syntax: "where CONDITION",
        about: "keep the rows for which the condition is true",
        example: "articles | where text has \"sanctions\" | select title",
    },
    Topic {
        name: "select",
        syntax: "select [NAME =] EXPR, ...",
        about: "make new columns (synonym: project)",
        example: "articles | select title, words = len(text) | sort by words desc",
    },
    Topic {
        name: "extend",
        syntax: "extend [NAME =] EXPR, ...",
        about: "add columns to the ones there are",
        example: "sentences | extend n = len(text) | top 3 by n",
    },
    Topic {
        name: "summarize",
        syntax: "summarize [NAME =] AGG, ... [by KEY, ...]",
        about: "group rows and aggregate each group (count() alone means summarize count())",
        example: "articles | summarize n = count() by source",
    },
    Topic {
        name: "sort",
        syntax: "sort by KEY [asc|desc], ...",
        about: "order the rows (synonym: order by)",
        example: "articles | sort by published desc | select published, title",
    },
    Topic {
        name: "top",
        syntax: "top N by KEY [asc|desc] [per GROUP, ...]",
        about: "the first N rows by a key, descending unless asc, per group with per",
        example: "articles | top 3 by len(text) | select title",
    },
    Topic {
        name: "take",
        syntax: "take N",
        about: "keep the first N rows (synonym: limit)",
        example: "sentences | take 5",
    },
    Topic {
        name: "distinct",
        syntax: "distinct [EXPR, ...]",
        about: "whole rows, or the listed expressions, once each",
        example: "articles | distinct source",
    },
    Topic {
        name: "join",
        syntax: "join [left|anti] RIGHT on CONDITION",
        about: "pair rows with those of a source, let name or (query)",
        example: "articles | select title, source | join (articles | summarize n = count() by source) on source",
    },
    Topic {
        name: "expand",
        syntax: "expand LIST [as NAME]",
        about: "one row per element of a list",
        example: "entities | expand aliases as alias | select name, alias | take 5",
    },
    Topic {
        name: "render",
        syntax: "render bar|line|timeline",
        about: "draw the result as a chart (last stage; .export FILE.svg saves it)",
        example: "articles | summarize n = count() by month = bin(published, 1mo) | render line",
    },
    Topic {
        name: "as",
        syntax: "as NAME",
        about: "name the result so far for a later join",
        example: "articles | select title, source | as a | join (a | summarize n = count() by source) on source",
    },
];

/// The functions: scalar ones, then aggregates.
pub(crate) const FUNCTIONS: &[Topic] = &[
    Topic {
        name: "bin",
        syntax: "bin(DATE, 1mo) or bin(NUMBER, SIZE)",
        about: "the calendar bucket of a date, or the bucket of a number",
        example: "articles | summarize n = count() by month = bin(published, 1mo)",
    },
    Topic {
        name: "year",
        syntax: "year(DATE)",
        about: "the year of a date",
        example: "articles | summarize n = count() by y = year(published)",
    },
    Topic {
        name: "month",
        syntax: "month(DATE)",
        about: "the month of a date (1-12)",
        example: "articles | select title, m = month(published)",
    },
    Topic {
        name: "lower",
        syntax: "lower(TEXT)",
        about: "lower case",
        example: "articles | select lower(title)",
    },
    Topic {
        name: "upper",
        syntax: "upper(TEXT)",
        about: "upper case",
        example: "articles | select upper(source)",
    },
    Topic {
        name: "fold",
        syntax: "fold(TEXT)",
        about: "lower case without diacritics",
        example: "articles | select fold(title)",
    },
    Topic {
        name: "len",
        syntax: "len(TEXT or LIST)",
        about: "characters of a text, elements of a list",
        example: "sentences | top 3 by len(text) | select text",
    },
    Topic {
        name: "coalesce",
        syntax: "coalesce(A, B, ...)",
        about: "the first value that is not null",
        example: "articles | select src = coalesce(source, \"?\")",
    },
    Topic {
        name: "mentions",
        syntax: "mentions(ENTITY) or mentions(ROW, ENTITY)",
        about: "true for an article or sentence that mentions the entity",
        example: "articles | where mentions(place \"Belarus\") | select title",
    },
    Topic {
        name: "count",
        syntax: "count() or count(X)",
        about: "aggregate: rows, or non-null values",
        example: "articles | summarize count()",
    },
    Topic {
        name: "dcount",
        syntax: "dcount(X)",
        about: "aggregate: distinct values",
        example: "sentences | summarize articles = dcount(article)",
    },
    Topic {
        name: "sum",
        syntax: "sum(X)",
        about: "aggregate: total",
        example: "articles | summarize words = sum(len(text))",
    },
    Topic {
        name: "avg",
        syntax: "avg(X)",
        about: "aggregate: mean",
        example: "articles | summarize avg_len = avg(len(text)) by source",
    },
    Topic {
        name: "min",
        syntax: "min(X)",
        about: "aggregate: smallest",
        example: "articles | summarize first_day = min(published)",
    },
    Topic {
        name: "max",
        syntax: "max(X)",
        about: "aggregate: largest",
        example: "articles | summarize last_day = max(published)",
    },
    Topic {
        name: "set",
        syntax: "set(X)",
        about: "aggregate: the distinct values as a list",
        example: "articles | summarize sources = set(source)",
    },
    Topic {
        name: "list",
        syntax: "list(X)",
        about: "aggregate: every value as a list",
        example: "articles | summarize titles = list(title) by source",
    },
    Topic {
        name: "first",
        syntax: "first(X)",
        about: "aggregate: the first value",
        example: "articles | summarize example = first(title) by source",
    },
];

/// The dot commands: name, arguments, what it does.
pub(crate) const DOT_COMMANDS: &[(&str, &str, &str)] = &[
    (".help", "[TOPIC]", "this list, or a stage, function or command with an example"),
    (".sources", "", "the sources a query can start from, with row counts"),
    (".schema", "[SOURCE]", "the fields of a source's rows, with types"),
    (".kinds", "", "entity kinds and fact kinds (fields and roles)"),
    (".relations", "", "edge labels for match patterns: -[:LABEL]->"),
    (".plugins", "", "the extractor plugins: loaded, refused"),
    (".ingest", "PATH...", "read articles into the store and run the plugins on them"),
    (".load", "PATH", "trust-check and load a plugin file, run it over the store"),
    (".mode", "table|vertical|json|jsonl|csv|markdown", "how results are printed"),
    (".timer", "on|off", "print how long each query ran"),
    (".explain", "QUERY", "the plan: stages, output schema, index, estimated rows"),
    (
        ".show",
        "N",
        "title, date and sentence of row N of the last result (of each of the first five rows of its group, for a summarize row)",
    ),
    (".param", "set NAME VALUE | list | clear [NAME]", "the $parameters queries read"),
    (".export", "FILE", "write the last result (.csv .json .jsonl .md .txt) or chart (.svg)"),
    (".read", "FILE", "run the queries and commands of a file"),
    (".all", "", "print every row of the last result"),
    (".quit", "", "leave (Ctrl-D too)"),
];

/// `.help` or `.help TOPIC`.
pub(crate) fn help(topic: Option<&str>) -> Result<String, String> {
    let Some(topic) = topic else { return Ok(overview()) };
    let topic = topic.trim().trim_end_matches("()");
    if let Some(t) = STAGES.iter().chain(FUNCTIONS).find(|t| t.name == topic) {
        let kind = if STAGES.iter().any(|s| s.name == topic) { "stage" } else { "function" };
        return Ok(format!(
            "{} ({kind}): {}\n  {}\nexample:\n  {}\n",
            t.name, t.about, t.syntax, t.example
        ));
    }
    let dotted = if topic.starts_with('.') { topic.to_owned() } else { format!(".{topic}") };
    if let Some((name, args, about)) = DOT_COMMANDS.iter().find(|(n, _, _)| *n == dotted) {
        return Ok(format!("{name} {args}\n  {about}\n"));
    }
    match topic {
        "match" => Ok(MATCH_HELP.to_owned()),
        "keys" | "keyboard" => Ok(KEYS_HELP.to_owned()),
        _ => {
            let mut names: Vec<&str> = STAGES.iter().chain(FUNCTIONS).map(|t| t.name).collect();
            names.extend(DOT_COMMANDS.iter().map(|(n, _, _)| *n));
            names.extend(["match", "keys"]);
            let hint = factql_syntax::did_you_mean(topic, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            Err(format!("no help on `{topic}`{hint} (`.help` lists the topics)"))
        }
    }
}

const MATCH_HELP: &str = "match (VAR:KIND [\"NAME\"]) -[VAR:LABEL]-> (VAR:KIND), ...
  a pattern over entities, articles and facts; labels: .relations
example:
  match (a:article) -[:mentions]-> (:place \"Belarus\") | select a.title
  match (p:person) -[c:near sentence]- (:person \"Lukashenko\") | summarize n = count() by p.name
";

const KEYS_HELP: &str =
    "Tab completes (sources, stages, fields at the cursor's stage, functions, entity names,
relations after -[:, scopes after near, parameters after $, dot commands); Ctrl-R searches
the history; a line ending in | or with an open bracket or quote goes on; a line starting
with | extends the previous query; _ is the last result; Ctrl-C cancels a running query or
clears the line; Ctrl-D leaves.
";

fn overview() -> String {
    let mut out = String::from(
        "A query is a source and stages: articles | where text has \"iodine\" | select title\n\nStages (.help STAGE for an example):\n",
    );
    for t in STAGES {
        out.push_str(&format!("  {:<10} {}\n", t.name, t.about));
    }
    out.push_str("\nFunctions (.help NAME):\n  ");
    let names: Vec<&str> = FUNCTIONS.iter().map(|t| t.name).collect();
    out.push_str(&names.join(", "));
    out.push_str("\n\nPatterns: .help match\n\nCommands:\n");
    for (name, args, about) in DOT_COMMANDS {
        let head = if args.is_empty() { (*name).to_owned() } else { format!("{name} {args}") };
        if head.chars().count() > 22 {
            out.push_str(&format!("  {head}\n  {:<22} {about}\n", ""));
        } else {
            out.push_str(&format!("  {head:<22} {about}\n"));
        }
    }
    out.push_str("\nKeys: .help keys\n");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn every_stage_and_function_has_help() {
        for stage in factql_syntax::STAGE_KEYWORDS {
            assert!(STAGES.iter().any(|t| t.name == *stage), "no help for stage {stage}");
        }
        for f in factql_engine::SCALAR_FUNCS.iter().chain(factql_engine::AGG_FUNCS) {
            assert!(FUNCTIONS.iter().any(|t| t.name == *f), "no help for function {f}");
        }
        assert_eq!(STAGES.len(), factql_syntax::STAGE_KEYWORDS.len());
        assert_eq!(
            FUNCTIONS.len(),
            factql_engine::SCALAR_FUNCS.len() + factql_engine::AGG_FUNCS.len()
        );
    }

    #[test]
    fn every_example_runs_on_the_fixture_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let engine = factql_engine::Engine::load(&store).unwrap();
        let ctx = factql_engine::Context::default();
        let examples = STAGES
            .iter()
            .chain(FUNCTIONS)
            .map(|t| t.example)
            .chain(MATCH_HELP.lines().filter(|l| l.starts_with("  match")).map(str::trim));
        for example in examples {
            let result = engine.query(example, &ctx, &factql_engine::RunOptions::default());
            assert!(result.is_ok(), "{example}: {result:?}");
        }
    }

    #[test]
    fn a_topic_gives_its_example_and_a_typo_a_suggestion() {
        let text = help(Some("summarize")).unwrap();
        assert!(text.contains("summarize (stage)") && text.contains("by source"), "{text}");
        assert!(help(Some("dcount()")).unwrap().contains("dcount (function)"));
        assert!(help(Some("show")).unwrap().starts_with(".show N"));
        assert_eq!(
            help(Some("summarise")).unwrap_err(),
            "no help on `summarise`; did you mean `summarize`? (`.help` lists the topics)"
        );
        let overview = help(None).unwrap();
        for (name, _, _) in DOT_COMMANDS {
            assert!(overview.contains(name));
        }
    }
}

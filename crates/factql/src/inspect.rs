//! `factql inspect FILE`: how factql reads one input, without touching the store.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;

use factql_ingest::{Input, Options, read_input};
use factql_model::Article;
use serde::Serialize;

#[derive(Serialize)]
struct ArticleView<'a> {
    id: &'a str,
    origin: &'a str,
    format: &'a str,
    title: &'a str,
    url: Option<&'a str>,
    published: Option<&'a str>,
    source: Option<&'a str>,
    lang: Option<&'a str>,
    meta: &'a std::collections::BTreeMap<String, String>,
    bytes: usize,
    paragraphs: Vec<SpanView<'a>>,
    sentences: Vec<SentenceView<'a>>,
}

#[derive(Serialize)]
struct SpanView<'a> {
    index: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct SentenceView<'a> {
    index: usize,
    paragraph: usize,
    start: usize,
    end: usize,
    is_title: bool,
    boilerplate: bool,
    text: &'a str,
}

fn view(article: &Article) -> ArticleView<'_> {
    ArticleView {
        id: &article.id.0,
        origin: &article.origin,
        format: article.format.as_str(),
        title: &article.title,
        url: article.url.as_deref(),
        published: article.published.as_deref(),
        source: article.source.as_deref(),
        lang: article.lang.as_deref(),
        meta: &article.meta,
        bytes: article.text.len(),
        paragraphs: article
            .paragraphs
            .iter()
            .map(|p| SpanView {
                index: p.index,
                start: p.span.start,
                end: p.span.end,
                text: p.span.slice(&article.text),
            })
            .collect(),
        sentences: article
            .sentences
            .iter()
            .map(|s| SentenceView {
                index: s.index,
                paragraph: s.paragraph,
                start: s.span.start,
                end: s.span.end,
                is_title: s.is_title,
                boilerplate: s.boilerplate,
                text: s.span.slice(&article.text),
            })
            .collect(),
    }
}

/// Prints every article of `file`, as text or as a JSON array.
pub(crate) fn inspect(file: &Path, options: &Options, json: bool) -> anyhow::Result<ExitCode> {
    let input =
        if file.as_os_str() == "-" { Input::Stdin } else { Input::File(file.to_path_buf()) };
    let mut articles = Vec::new();
    let mut failures = 0;
    read_input(&input, options, &mut |result| {
        match result {
            Ok(article) => articles.push(article),
            Err(err) => {
                failures += 1;
                eprintln!("error: {err}");
            }
        }
        ControlFlow::Continue(())
    });
    // Written through a locked stdout whose errors are returned: a closed pipe
    // (`factql inspect FILE | head`) ends the output quietly in `main`.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let views: Vec<ArticleView<'_>> = articles.iter().map(view).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&views)?)?;
    } else {
        for article in &articles {
            print_text(&mut out, article)?;
        }
    }
    out.flush()?;
    Ok(if articles.is_empty() && failures > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_text(out: &mut impl Write, article: &Article) -> std::io::Result<()> {
    writeln!(
        out,
        "{}  ({}, {} bytes, id {})",
        article.origin,
        article.format.as_str(),
        article.text.len(),
        article.id
    )?;
    let fields = [
        ("title", Some(article.title.as_str())),
        ("url", article.url.as_deref()),
        ("published", article.published.as_deref()),
        ("source", article.source.as_deref()),
        ("lang", article.lang.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            writeln!(out, "  {name:<10} {value}")?;
        }
    }
    for (key, value) in &article.meta {
        writeln!(out, "  meta       {key} = {value}")?;
    }
    let mut paragraph = usize::MAX;
    for sentence in &article.sentences {
        if sentence.paragraph != paragraph {
            paragraph = sentence.paragraph;
            let span = article.paragraphs.get(paragraph).map(|p| p.span).unwrap_or_default();
            writeln!(out, "  paragraph {paragraph}  [{span})")?;
        }
        let flag = if sentence.is_title {
            "title"
        } else if sentence.boilerplate {
            "boilerplate"
        } else {
            ""
        };
        writeln!(
            out,
            "    s{:<3} {:>11}  {:<11} {}",
            sentence.index,
            sentence.span.to_string(),
            flag,
            sentence.span.slice(&article.text)
        )?;
    }
    Ok(())
}

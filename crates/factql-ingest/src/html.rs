//! HTML pages: title and publication time from the usual meta tags, the main text from the
//! article body.
//!
//! The main text is the `<article>` element with the most text; without one, the element whose
//! direct `<p>` children hold the most text (the core of readability-style extraction). Inside
//! it, every run of text between block boundaries (`p`, headings, list items, quotes, `br br`)
//! becomes a paragraph; navigation, asides, scripts, forms and figures are left out.
//!
//! The walk over the tree is iterative, so a page nested 10,000 levels deep costs time, not
//! stack.

use std::collections::BTreeMap;

use ego_tree::iter::Edge;
use factql_model::{Format, Span};
use scraper::{ElementRef, Html, Node, Selector};

use crate::ErrorKind;
use crate::build::Draft;
use crate::date::parse_date;
use crate::normalize::normalize_text;

const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "div",
    "section",
    "article",
    "main",
    "td",
    "th",
    "tr",
    "table",
    "ul",
    "ol",
    "br",
];
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "aside", "footer", "header", "form", "figure", "button",
    "select", "template", "svg", "iframe", "head",
];
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
];

/// Reads a decoded, normalised HTML page into a draft.
pub(crate) fn read_html(origin: String, page: &str) -> Result<Draft, ErrorKind> {
    let doc = Html::parse_document(page);
    let meta = meta_tags(&doc);
    let first_text = |selector: &str| -> Option<String> {
        let selector = Selector::parse(selector).ok()?;
        doc.select(&selector)
            .map(|el| collapse(&el.text().collect::<String>()))
            .find(|t| !t.is_empty())
    };
    let attr = |selector: &str, name: &str| -> Option<String> {
        let selector = Selector::parse(selector).ok()?;
        doc.select(&selector).find_map(|el| el.value().attr(name)).map(|v| v.trim().to_owned())
    };

    let title = ["og:title", "twitter:title"]
        .iter()
        .find_map(|key| meta.get(*key).cloned())
        .or_else(|| first_text("title"))
        .or_else(|| first_text("h1"));
    let published = PUBLISHED_KEYS
        .iter()
        .filter_map(|key| meta.get(*key))
        .chain(attr("time[datetime]", "datetime").as_ref())
        .find_map(|raw| parse_date(raw));
    let url = attr("link[rel=canonical]", "href").or_else(|| meta.get("og:url").cloned());
    let source = meta.get("og:site_name").or_else(|| meta.get("publisher")).cloned();
    let lang = attr("html", "lang")
        .map(|lang| lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase())
        .filter(|lang| lang.len() == 2);

    let container = main_container(&doc);
    let mut paragraphs_text = container.map(block_texts).unwrap_or_default();
    if let (Some(title), Some(first)) = (&title, paragraphs_text.first())
        && first == title
    {
        paragraphs_text.remove(0);
    }
    if paragraphs_text.is_empty() {
        return Err(ErrorKind::NoText);
    }
    let title = title.unwrap_or_else(|| paragraphs_text.remove(0));

    let mut text = normalize_text(&title);
    let mut paragraphs = vec![Span::new(0, text.len())];
    for paragraph in paragraphs_text {
        let paragraph = normalize_text(&paragraph);
        text.push('\n');
        paragraphs.push(Span::new(text.len(), text.len() + paragraph.len()));
        text.push_str(&paragraph);
    }
    let mut kept_meta = BTreeMap::new();
    for (key, value) in meta {
        if kept_meta.len() < 64 && value.len() <= 1024 {
            kept_meta.insert(key, value);
        }
    }
    Ok(Draft {
        origin,
        format: Format::Html,
        text,
        paragraphs,
        url,
        published,
        source,
        lang,
        meta: kept_meta,
    })
}

/// `<meta>` tags by lower-cased `property`, `name` or `itemprop`.
fn meta_tags(doc: &Html) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let Ok(selector) = Selector::parse("meta[content]") else { return tags };
    for el in doc.select(&selector) {
        let value = el.value();
        let key = value
            .attr("property")
            .or_else(|| value.attr("name"))
            .or_else(|| value.attr("itemprop"));
        if let (Some(key), Some(content)) = (key, value.attr("content")) {
            let content = collapse(content);
            if !content.is_empty() {
                tags.entry(key.to_ascii_lowercase()).or_insert(content);
            }
        }
    }
    tags
}

/// The element that holds the article's text.
fn main_container(doc: &Html) -> Option<ElementRef<'_>> {
    let text_len = |el: &ElementRef<'_>| el.text().map(str::len).sum::<usize>();
    if let Ok(selector) = Selector::parse("article")
        && let Some(best) = doc.select(&selector).max_by_key(text_len)
        && text_len(&best) > 0
    {
        return Some(best);
    }
    // Score each element by the text of its direct <p> children.
    let mut scores: BTreeMap<ego_tree::NodeId, usize> = BTreeMap::new();
    if let Ok(selector) = Selector::parse("p") {
        for p in doc.select(&selector) {
            if let Some(parent) = p.parent() {
                *scores.entry(parent.id()).or_default() += text_len(&p);
            }
        }
    }
    let best =
        scores.into_iter().max_by_key(|&(_, score)| score).and_then(|(id, _)| doc.tree.get(id));
    best.and_then(ElementRef::wrap).or_else(|| {
        let body = Selector::parse("body").ok()?;
        doc.select(&body).next()
    })
}

/// The runs of text between block boundaries inside `container`, whitespace collapsed.
fn block_texts(container: ElementRef<'_>) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut skip_depth = 0usize;
    let mut flush = |current: &mut String| {
        let text = collapse(current);
        if !text.is_empty() {
            paragraphs.push(text);
        }
        current.clear();
    };
    for edge in container.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if skip_depth > 0 || SKIPPED.contains(&name) {
                        skip_depth += 1;
                    } else if BLOCKS.contains(&name) {
                        flush(&mut current);
                    }
                }
                Node::Text(text) if skip_depth == 0 => current.push_str(text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if BLOCKS.contains(&el.name()) {
                        flush(&mut current);
                    }
                }
            }
        }
    }
    flush(&mut current);
    paragraphs
}

/// Collapses runs of whitespace to one space and trims.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head>
        <title>Orban invited | Example News</title>
        <meta property="og:title" content="Lukashenko invites Orban">
        <meta property="og:site_name" content="Example News">
        <meta property="article:published_time" content="2023-10-30T09:15:00+02:00">
        <meta name="author" content="A. Writer">
        <link rel="canonical" href="https://example.com/orban">
        <script>var x = "not text";</script></head>
        <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <article><h1>Lukashenko invites Orban</h1>
          <p>Belarus leader Alexander Lukashenko has extended an invitation to
             Hungarian Prime Minister Viktor Orban.</p>
          <figure><img src="x.jpg"><figcaption>A photo caption.</figcaption></figure>
          <p>He made it during a <b>meeting</b> with Peter Szijjarto.</p>
          <aside>Related: other stories</aside>
        </article><footer>© Example News</footer></body></html>"#;

    #[test]
    fn reads_meta_and_main_text() {
        let draft = read_html("a.html".into(), PAGE).unwrap();
        let paragraphs: Vec<&str> = draft.paragraphs.iter().map(|s| s.slice(&draft.text)).collect();
        assert_eq!(
            paragraphs,
            [
                "Lukashenko invites Orban",
                "Belarus leader Alexander Lukashenko has extended an invitation to Hungarian Prime Minister Viktor Orban.",
                "He made it during a meeting with Peter Szijjarto."
            ]
        );
        assert_eq!(draft.published.as_deref(), Some("2023-10-30T09:15:00+02:00"));
        assert_eq!(draft.url.as_deref(), Some("https://example.com/orban"));
        assert_eq!(draft.source.as_deref(), Some("Example News"));
        assert_eq!(draft.lang.as_deref(), Some("en"));
        assert_eq!(draft.meta.get("author").map(String::as_str), Some("A. Writer"));
    }

    #[test]
    fn without_article_element_the_densest_paragraph_parent_wins() {
        let page = "<html><body><div class=menu><p>Menu</p></div><div id=story>\
                    <p>First paragraph of the story, long enough.</p><p>Second paragraph.</p></div></body></html>";
        let draft = read_html("b.html".into(), page).unwrap();
        let paragraphs: Vec<&str> = draft.paragraphs.iter().map(|s| s.slice(&draft.text)).collect();
        assert_eq!(paragraphs, ["First paragraph of the story, long enough.", "Second paragraph."]);
    }

    #[test]
    fn a_page_without_text_is_refused() {
        assert!(matches!(
            read_html("c.html".into(), "<html><body><nav>x</nav></body></html>"),
            Err(ErrorKind::NoText)
        ));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 10_000;
        let page = format!(
            "<html><body>{}<p>Deep text.</p>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let draft = read_html("deep.html".into(), &page).unwrap();
        assert_eq!(draft.text, "Deep text.");
    }
}

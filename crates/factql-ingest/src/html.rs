//! HTML pages: title and publication time from the usual meta tags, the main text from the
//! article body.
//!
//! The main text is the `<article>` element with the most text; without one, the element whose
//! direct `<p>` children hold the most text (the core of readability-style extraction). Inside
//! it, every run of text between block boundaries (`p`, headings, list items, quotes, `br br`)
//! becomes a paragraph; navigation, asides, scripts, forms and figures are left out.
//!
//! The walk over the tree is iterative, so deep nesting costs time, not stack; pages nested
//! deeper than browsers build ([`MAX_DEPTH`]) are refused before parsing, because html5ever
//! takes quadratic time on them.

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

/// The deepest element nesting a page may have. Browsers stop nesting at 512 (Blink's
/// `kMaximumHTMLParserDOMTreeDepth`); html5ever has no such cap, and its scope checks walk
/// the stack of open elements for every tag, so a page of nested `<div>`s costs quadratic
/// time (2.2 MB took 285 s). Pages deeper than this are refused before parsing.
pub(crate) const MAX_DEPTH: usize = 512;

/// Elements that never hold content (no end tag), or whose end tag the parser implies when a
/// sibling starts: neither can build a deep stack of open elements, so they are not counted.
const UNCOUNTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "html", "head", "body",
];

/// Elements whose content is raw text: their content is skipped up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "plaintext"];

/// A linear pre-check of how deep a page's elements nest: start tags of counted elements
/// minus their end tags, comments and raw text skipped. It over-approximates the parser's
/// stack only for mis-nested pages, which are rare in articles. `Err` with the depth reached
/// once it passes `limit`.
pub(crate) fn check_depth(page: &str, limit: usize) -> Result<(), usize> {
    let bytes = page.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    // Case-insensitive search from `from`; linear in what it skips.
    let find = |from: usize, needle: &[u8]| {
        bytes
            .get(from..)
            .and_then(|rest| {
                rest.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
            })
            .map(|n| from + n)
    };
    while let Some(lt) = bytes.get(at..).and_then(|rest| rest.iter().position(|b| *b == b'<')) {
        at += lt + 1;
        if bytes.get(at..at + 3) == Some(b"!--") {
            at = find(at + 3, b"-->").map_or(bytes.len(), |end| end + 3);
            continue;
        }
        let closing = bytes.get(at) == Some(&b'/');
        let start = at + usize::from(closing);
        let len = bytes
            .get(start..)
            .map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count());
        if len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = page[start..start + len].to_ascii_lowercase();
        at = start + len;
        if UNCOUNTED.contains(&name.as_str()) {
            continue;
        }
        let end = bytes.get(at..).and_then(|rest| rest.iter().position(|b| *b == b'>'));
        let self_closing = end.is_some_and(|end| end > 0 && bytes[at + end - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            if RAW_TEXT.contains(&name.as_str()) {
                // Skip to its end tag.
                at = find(at, format!("</{name}").as_bytes()).unwrap_or(bytes.len());
                continue;
            }
            depth += 1;
            if depth > limit {
                return Err(depth);
            }
        }
    }
    Ok(())
}

/// Reads a decoded, normalised HTML page into a draft.
pub(crate) fn read_html(origin: String, page: &str) -> Result<Draft, ErrorKind> {
    check_depth(page, MAX_DEPTH).map_err(|depth| ErrorKind::TooDeep { depth, limit: MAX_DEPTH })?;
    read_unchecked(origin, page)
}

/// [`read_html`] without the depth check.
fn read_unchecked(origin: String, page: &str) -> Result<Draft, ErrorKind> {
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
        let draft = read_unchecked("deep.html".into(), &page).unwrap();
        assert_eq!(draft.text, "Deep text.");
    }

    #[test]
    fn a_page_nested_past_the_limit_is_refused_before_parsing() {
        // 2.2 MB of nested <div>s: html5ever took 285 s on it; the pre-check is linear.
        let page = format!("<html><body>{}x</body></html>", "<div>".repeat(440_000));
        let err = read_html("deep.html".into(), &page).unwrap_err().to_string();
        assert_eq!(
            err,
            "HTML elements nested 513 deep, over the limit of 512 (browsers stop nesting at 512); not parsed"
        );
        let fine = format!(
            "<html><body>{}<p>Deep text.</p>{}</body></html>",
            "<div>".repeat(500),
            "</div>".repeat(500)
        );
        assert_eq!(read_html("fine.html".into(), &fine).unwrap().text, "Deep text.");
    }

    #[test]
    fn the_depth_check_counts_only_elements_that_stack() {
        // Unclosed paragraphs and list items, void and self-closed elements, comments and
        // scripts do not nest.
        let flat = format!(
            "{}{}{}<!-- {} -->{}<script>{}</script>",
            "<p>x".repeat(2000),
            "<li>y<br><img src=a>".repeat(2000),
            "<span/>".repeat(2000),
            "<div>".repeat(2000),
            "<b>z</b>".repeat(2000),
            "<div>".repeat(2000),
        );
        assert_eq!(check_depth(&flat, 10), Ok(()));
        assert_eq!(check_depth(&"<div><SPAN>".repeat(6), 10), Err(11));
        assert_eq!(check_depth(&"<div></DIV>".repeat(60), 1), Ok(()));
    }
}

//! Article versions and metadata: what `articles(all)` and `meta.KEY` mean.
//!
//! When an input changes, its new text is a new article that supersedes the old one. The
//! loaded articles are the live ones first, then the superseded versions
//! ([`Dataset::live_articles`](crate::dataset::Dataset) tells where they start); every source
//! reads live versions only, and `articles(all)` reads all. Only the article rows of a
//! superseded version are loaded, never its sentences, mentions or facts.
//!
//! `meta.KEY` reads one field of an article's metadata (the JSON fields and HTML meta tags
//! the reader kept), a string or null.

use factql_syntax::{Expr, ExprKind};

use crate::catalog::{FieldKey, Table};
use crate::dataset::Dataset;

/// True for `articles(all)`: the article table with the single argument `all`.
pub(crate) fn is_all(table: Table, args: Option<&[Expr]>) -> bool {
    table == Table::Article
        && matches!(args, Some([arg]) if matches!(&arg.kind, ExprKind::Name(name) if name == "all"))
}

/// How many article rows a scan reads: the live ones, or (`history`) all versions.
pub(crate) fn article_rows(ds: &Dataset, history: bool) -> usize {
    if history { ds.articles.len() } else { ds.live_articles as usize }
}

/// The field key of metadata key `name`, or the help listing the keys there are.
pub(crate) fn meta_key(ds: &Dataset, name: &str) -> Result<FieldKey, String> {
    match ds.meta_keys.binary_search_by(|key| key.as_str().cmp(name)) {
        Ok(idx) if idx <= usize::from(u16::MAX) => Ok(FieldKey::ArticleMetaKey(idx as u16)),
        _ => {
            let keys: Vec<&str> = ds.meta_keys.iter().map(String::as_str).collect();
            let list = if keys.is_empty() {
                "no article has metadata".to_owned()
            } else {
                format!("metadata keys: {}", keys.join(", "))
            };
            Err(match factql_syntax::did_you_mean(name, &keys) {
                Some(s) => format!("did you mean `{s}`? {list}"),
                None => list,
            })
        }
    }
}

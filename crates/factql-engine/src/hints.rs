//! Honest answers: the checks that turn a query which would silently return nothing into an
//! error with a fix or a warning that says why.
//!
//! * a comparison or join of a reference with a string ([`reference_fix`]);
//! * a string or a bare `2022-01-01` compared with a date ([`date_hint`]);
//! * a categorical field compared with a value the loaded data never holds
//!   ([`unheld_value`]): a warning with the data's own values as suggestions;
//! * a known source with nothing in it ([`empty_source`]), and a source no plugin of this store
//!   made ([`unknown_source_help`]): what would fill it, from the [`Producer`]s the caller
//!   knows.
//!
//! Everything here runs at check time and reads the loaded data only when a query compares a
//! categorical field with a literal; nothing here runs per row.

use factql_syntax::{BinaryOp, Expr, ExprKind, Literal, Span, did_you_mean};

use crate::catalog::{self, FieldKey, SourceDef, Table, Ty};
use crate::dataset::Dataset;
use crate::error::{Diagnostic, Severity};
use crate::value::Val;

/// A categorical field has at most this many distinct values in the data; a field with more
/// (titles, texts, names) is not checked.
const MAX_CATEGORIES: usize = 64;

/// The values listed in a warning when none is close to what was written.
const LISTED_VALUES: usize = 12;

/// A plugin the caller can run, and what it fills: the CLI passes the bundled extractors (and
/// any loaded plugin), so an empty source can name what would fill it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Producer {
    /// The plugin's name (`money`), as `factql reextract --plugin NAME` takes it.
    pub plugin: String,
    /// Whether it is linked into `factql` (a bundled extractor).
    pub bundled: bool,
    /// The fact kinds it produces (`money`).
    pub kinds: Vec<String>,
    /// The entity kinds of the mentions and entities it emits (`person`, `place`, ...).
    pub entity_kinds: Vec<String>,
}

impl Producer {
    fn describe(&self) -> String {
        let what = if self.bundled { "the bundled extractor" } else { "the plugin" };
        format!("{what} `{}` (`factql reextract --plugin {}`)", self.plugin, self.plugin)
    }
}

/// The fix for a comparison of a reference (`speaker`, `article`) with a string: compare a
/// field of the reference instead.
pub(crate) fn reference_fix(side: &str, ty: &Ty) -> Option<String> {
    let field = match ty {
        Ty::Ref(None | Some(Table::Entity | Table::Mention)) => "name",
        Ty::Ref(Some(Table::Article)) => "title",
        Ty::Ref(Some(Table::Sentence)) => "text",
        Ty::Ref(Some(Table::Fact(_))) => "evidence",
        _ => return None,
    };
    Some(format!(
        "`{side}` is {} reference, not text: compare `{side}.{field}` (use `.{field}`)",
        article_of(ty)
    ))
}

/// A type for a message: "an entity or mention reference", "an article reference", "a string".
fn described(ty: &Ty) -> String {
    match ty {
        Ty::Ref(_) => format!("{} reference", article_of(ty)),
        other => article_of(other),
    }
}

fn article_of(ty: &Ty) -> String {
    match ty {
        Ty::Ref(None) => "an entity or mention".to_owned(),
        other => {
            let name = other.to_string();
            let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            format!("{article} {name}")
        }
    }
}

/// The fix for a comparison of two sides whose types never match, when one is known: a
/// reference compared with text, or a date compared with a string or a number written like a
/// date.
pub(crate) fn comparison_help(lhs: &Expr, lty: &Ty, rhs: &Expr, rty: &Ty) -> Option<String> {
    match (lty, rty) {
        (Ty::Date, _) => date_hint(rhs),
        (_, Ty::Date) => date_hint(lhs),
        (Ty::Ref(_), Ty::Str) => reference_fix(&lhs.to_string(), lty),
        (Ty::Str, Ty::Ref(_)) => reference_fix(&rhs.to_string(), rty),
        _ => None,
    }
}

/// The hint for a value compared with a date: `"2022-01-01"` (text) or `2022-01-01` (a
/// subtraction) or `2022` (a number) should be written `@2022-01-01`.
pub(crate) fn date_hint(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Literal(Literal::String { value, .. }) => {
            let date = date_text(value.trim())?;
            Some(format!("write the date as `@{date}`: in quotes it is text"))
        }
        ExprKind::Literal(Literal::Int(year)) => {
            let date = date_parts(*year, None, None)?;
            Some(format!("`{year}` is a number: write the year as `@{date}`"))
        }
        ExprKind::Binary { op: BinaryOp::Sub, lhs, rhs } => {
            let int = |e: &Expr| match e.kind {
                ExprKind::Literal(Literal::Int(n)) => Some(n),
                _ => None,
            };
            let date = match &lhs.kind {
                ExprKind::Binary { op: BinaryOp::Sub, lhs: year, rhs: month } => {
                    date_parts(int(year)?, Some(int(month)?), Some(int(rhs)?))?
                }
                _ => date_parts(int(lhs)?, Some(int(rhs)?), None)?,
            };
            Some(format!("without `@` this is a subtraction: write the date as `@{date}`"))
        }
        _ => None,
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as a date literal's text, if `text` is one.
fn date_text(text: &str) -> Option<String> {
    let mut parts = text.splitn(3, '-');
    let number = |part: Option<&str>, digits: usize| -> Option<Option<i64>> {
        match part {
            None => Some(None),
            Some(p) if p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok().map(Some)
            }
            Some(_) => None,
        }
    };
    let year = number(parts.next(), 4)??;
    let month = number(parts.next(), 2)?;
    let day = number(parts.next(), 2)?;
    date_parts(year, month, day)
}

/// The text of a plausible date (a year from 1000 to 2999, a month, a day), else `None`.
fn date_parts(year: i64, month: Option<i64>, day: Option<i64>) -> Option<String> {
    if !(1000..=2999).contains(&year) {
        return None;
    }
    match (month, day) {
        (None, _) => Some(format!("{year}")),
        (Some(m), None) if (1..=12).contains(&m) => Some(format!("{year}-{m:02}")),
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            Some(format!("{year}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

/// The error for a join whose two keys have types that never compare equal.
pub(crate) fn join_mismatch(
    span: Span,
    left: (&str, &Ty),
    right: (&str, &Ty),
) -> Option<Diagnostic> {
    let ((ltext, lty), (rtext, rty)) = (left, right);
    if lty.compatible(rty) {
        return None;
    }
    let help = match (lty, rty) {
        (Ty::Ref(_), Ty::Str) => reference_fix(ltext, lty),
        (Ty::Str, Ty::Ref(_)) => reference_fix(rtext, rty),
        _ => Some(format!("the left key `{ltext}` is {lty}, the right key `{rtext}` is {rty}")),
    };
    Some(Diagnostic {
        severity: Severity::Error,
        code: "E0414",
        message: format!(
            "cannot join {} with {}: no pair of rows would ever match",
            described(lty),
            described(rty)
        ),
        span,
        label: "never equal".into(),
        help,
        notes: Vec::new(),
    })
}

/// Whether `key` of rows of `table` is one of the fields that may hold categories: short
/// labels such as a kind, a type, a source, a currency or an extractor.
fn may_be_categorical(ds: &Dataset, table: Table, key: FieldKey) -> bool {
    use FieldKey::*;
    match key {
        ArticleSource | ArticleLang | MentionKind | MentionType | MentionLevel
        | MentionExtractor | EntityKind | FactKind | FactExtractor => true,
        FactField(idx) => match table {
            Table::Fact(kind) => ds.kinds.get(usize::from(kind)).is_some_and(|t| {
                t.schema
                    .fields
                    .get(usize::from(idx))
                    .is_some_and(|f| f.ty == factql_model::FieldType::Str)
            }),
            _ => false,
        },
        _ => false,
    }
}

/// The distinct values of a categorical field, or `None` when the field has more than
/// [`MAX_CATEGORIES`] (it is not categorical) or when `wanted` is among them (nothing to say).
/// Stops at the first row holding `wanted`, so a value that is there costs little.
fn categories(ds: &Dataset, table: Table, key: FieldKey, wanted: &str) -> Option<Vec<String>> {
    let mut seen: Vec<String> = Vec::new();
    let mut add = |text: &str| -> Option<()> {
        if text == wanted {
            return None;
        }
        if !seen.iter().any(|s| s == text) {
            if seen.len() == MAX_CATEGORIES {
                return None;
            }
            seen.push(text.to_owned());
        }
        Some(())
    };
    match key {
        FieldKey::ArticleSource => {
            for article in &ds.articles {
                if let Some(source) = &article.source {
                    add(source)?;
                }
            }
        }
        FieldKey::ArticleLang => {
            for article in &ds.articles {
                if let Some(lang) = &article.lang {
                    add(lang)?;
                }
            }
        }
        FieldKey::MentionKind
        | FieldKey::MentionType
        | FieldKey::MentionLevel
        | FieldKey::MentionExtractor => {
            let code_of = |m: &crate::dataset::MentionRec| match key {
                FieldKey::MentionKind => m.kind,
                FieldKey::MentionType => m.ent_type,
                FieldKey::MentionLevel => m.level,
                _ => m.extractor,
            };
            // Codes are few: collect the distinct ones, then their texts.
            let exact = ds.codes.exact();
            let wanted_code = ds.codes.find(wanted);
            let mut codes: Vec<u16> = Vec::new();
            for m in &ds.mentions {
                let code = code_of(m);
                if exact && Some(code) == wanted_code {
                    return None;
                }
                if !codes.contains(&code) {
                    if codes.len() == MAX_CATEGORIES {
                        return None;
                    }
                    codes.push(code);
                }
            }
            for code in codes {
                add(ds.codes.text(code))?;
            }
        }
        FieldKey::EntityKind => {
            for kind in &ds.entity_kinds {
                add(kind)?;
            }
        }
        FieldKey::FactKind | FieldKey::FactExtractor | FieldKey::FactField(_) => {
            let Table::Fact(kind) = table else { return None };
            let facts = ds.kinds.get(usize::from(kind))?;
            if facts.len() > 0 && key == FieldKey::FactKind {
                add(&facts.schema.name)?;
            }
            if key == FieldKey::FactExtractor {
                for extractor in &facts.extractor {
                    add(extractor)?;
                }
            }
            if let FieldKey::FactField(idx) = key {
                for value in facts.fields.get(usize::from(idx))? {
                    if let Val::Str(text) = value {
                        add(text)?;
                    }
                }
            }
        }
        _ => return None,
    }
    seen.sort();
    Some(seen)
}

/// The warning for `field == "value"` (or `!=`, `in`, a pattern property) on a categorical
/// field when no row of the loaded data holds `value`: the comparison can only be false
/// (true when `negated`: `!=`, `not in`).
pub(crate) fn unheld_value(
    ds: &Dataset,
    table: Table,
    key: FieldKey,
    value: &str,
    negated: bool,
    span: Span,
) -> Option<Diagnostic> {
    if !may_be_categorical(ds, table, key) {
        return None;
    }
    let values = categories(ds, table, key, value)?;
    if values.is_empty() {
        // Nothing of this kind at all: the empty source says so.
        return None;
    }
    let field = catalog::fields(ds, table)
        .into_iter()
        .find(|f| f.key == key)
        .map_or_else(|| "field".to_owned(), |f| f.name);
    let owner = catalog::table_name(ds, table);
    let candidates: Vec<&str> = values.iter().map(String::as_str).collect();
    let folded = factql_model::fold(value);
    let same_but_case = candidates.iter().find(|c| factql_model::fold(c) == folded);
    let lowered: Vec<String> = values.iter().map(|v| v.to_lowercase()).collect();
    let lowered: Vec<&str> = lowered.iter().map(String::as_str).collect();
    let close = same_but_case.copied().or_else(|| {
        let found = did_you_mean(value, &lowered)?;
        lowered.iter().position(|l| *l == found).map(|idx| candidates[idx])
    });
    let listed = if values.len() <= LISTED_VALUES {
        format!("the data holds {}", quoted(&candidates))
    } else {
        format!(
            "the data holds {} values, such as {}",
            values.len(),
            quoted(&candidates[..LISTED_VALUES])
        )
    };
    let help = match close {
        Some(close) => format!("did you mean \"{close}\"? {listed}"),
        None => listed,
    };
    Some(Diagnostic {
        severity: Severity::Warning,
        code: "W0240",
        message: format!(
            "no {owner} in this store has {field} \"{value}\": this comparison is {}",
            if negated { "always true" } else { "never true" }
        ),
        span,
        label: "not in the data".into(),
        help: Some(help),
        notes: Vec::new(),
    })
}

fn quoted(values: &[&str]) -> String {
    values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")
}

/// How many rows a source has in the loaded data.
fn source_rows(ds: &Dataset, source: &SourceDef) -> usize {
    match source.table {
        Table::Article => ds.articles.len(),
        Table::Sentence => ds.sentences.len(),
        Table::Mention => ds.mentions.len(),
        Table::Entity => match source.entity_kind {
            None => ds.entities.len(),
            Some(kind) => usize::from(ds.entity_kinds.iter().any(|k| k == kind)),
        },
        Table::Fact(kind) => ds.kinds.get(usize::from(kind)).map_or(0, |t| t.len()),
    }
}

/// The warning for a known source that holds no row: what it is, and what would fill it.
pub(crate) fn empty_source(
    ds: &Dataset,
    producers: &[Producer],
    source: &SourceDef,
    span: Span,
) -> Option<Diagnostic> {
    if source_rows(ds, source) > 0 {
        return None;
    }
    let name = &source.name;
    let (message, help) = match source.table {
        Table::Article | Table::Sentence => (
            format!("`{name}` is empty: this store holds no articles"),
            "ingest some with `factql ingest PATH...`".to_owned(),
        ),
        Table::Mention | Table::Entity => {
            let kind = source.entity_kind;
            let fillers: Vec<&Producer> = producers
                .iter()
                .filter(|p| match kind {
                    Some(kind) => p.entity_kinds.iter().any(|k| k == kind),
                    None => !p.entity_kinds.is_empty(),
                })
                .collect();
            let what = match kind {
                Some(kind) => format!("no entity of kind `{kind}`"),
                None if source.table == Table::Mention => "no entity mentions".to_owned(),
                None => "no entities".to_owned(),
            };
            let help = match (fillers.as_slice(), kind) {
                ([], Some(kind)) => {
                    format!("no loaded plugin names `{kind}` entities; install one that does")
                }
                ([], None) => "no loaded plugin finds entities; install one that does".to_owned(),
                (fillers, Some(kind)) => fill_help(ds, fillers, &format!("`{kind}` entities")),
                (fillers, None) => fill_help(ds, fillers, "mentions and entities"),
            };
            (format!("`{name}` is empty: this store holds {what}"), help)
        }
        Table::Fact(idx) => {
            let kind = ds.kinds.get(usize::from(idx)).map_or("", |t| t.schema.name.as_str());
            let fillers: Vec<&Producer> =
                producers.iter().filter(|p| p.kinds.iter().any(|k| k == kind)).collect();
            let help = if fillers.is_empty() {
                format!(
                    "the store declares `{kind}` facts, but no loaded plugin produces them; \
                     load the plugin that declared them"
                )
            } else {
                fill_help(ds, &fillers, &format!("`{kind}` facts"))
            };
            (format!("`{name}` is empty: this store holds no `{kind}` facts"), help)
        }
    };
    Some(Diagnostic {
        severity: Severity::Warning,
        code: "W0241",
        message,
        span,
        label: "no rows".into(),
        help: Some(help),
        notes: Vec::new(),
    })
}

fn fill_help(ds: &Dataset, fillers: &[&Producer], what: &str) -> String {
    let names: Vec<String> = fillers.iter().map(|p| p.describe()).collect();
    let articles = if ds.articles.is_empty() {
        " once articles are ingested".to_owned()
    } else {
        String::new()
    };
    format!("{what} come from {}{articles}", names.join(" or "))
}

/// The help for an unknown source that a known plugin would create (`moneys` on a store the
/// `money` extractor never ran on).
pub(crate) fn unknown_source_help(producers: &[Producer], name: &str) -> Option<String> {
    let producer = producers
        .iter()
        .find(|p| p.kinds.iter().any(|k| catalog::plural(k) == name || k == name))?;
    let kind = producer.kinds.iter().find(|k| catalog::plural(k) == name || *k == name)?;
    Some(format!(
        "`{}` would hold `{kind}` facts, made by {}, which has not run on this store",
        catalog::plural(kind),
        producer.describe()
    ))
}

/// The help for an unknown source that is no typo: the sources there are and, for a name
/// that reads as a fact kind (`events`), that no plugin of this store made that kind, and
/// what the known plugins do make.
pub(crate) fn no_such_kind_help(producers: &[Producer], name: &str, sources: &[&str]) -> String {
    let listed = format!("sources: {}", sources.join(", "));
    let Some(kind) = name.strip_suffix('s').filter(|k| !k.is_empty()) else { return listed };
    let mut made: Vec<&str> =
        producers.iter().flat_map(|p| p.kinds.iter().map(String::as_str)).collect();
    made.sort_unstable();
    made.dedup();
    let known = if made.is_empty() {
        String::new()
    } else {
        let made: Vec<String> = made.iter().map(|k| format!("`{k}`")).collect();
        format!(" (the known plugins make {} facts)", made.join(", "))
    };
    format!("no plugin that produces `{kind}` facts has run on this store{known}; {listed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expr {
        factql_syntax::parse_expr(text).expect("parses")
    }

    #[test]
    fn dates_written_as_text_or_arithmetic_get_the_literal_to_write() {
        let hint = |text: &str| date_hint(&expr(text));
        assert_eq!(
            hint("\"2022-01-01\"").as_deref(),
            Some("write the date as `@2022-01-01`: in quotes it is text")
        );
        assert_eq!(
            hint("2022-03-05").as_deref(),
            Some("without `@` this is a subtraction: write the date as `@2022-03-05`")
        );
        assert_eq!(
            hint("2022-03").as_deref(),
            Some("without `@` this is a subtraction: write the date as `@2022-03`")
        );
        assert_eq!(hint("2022").as_deref(), Some("`2022` is a number: write the year as `@2022`"));
        assert_eq!(hint("\"March\""), None);
        assert_eq!(hint("5 - 3"), None);
        assert_eq!(hint("2022-13-01"), None);
    }

    #[test]
    fn a_reference_compared_with_text_is_told_which_field_to_use() {
        assert_eq!(
            reference_fix("speaker", &Ty::Ref(None)).as_deref(),
            Some(
                "`speaker` is an entity or mention reference, not text: compare `speaker.name` (use `.name`)"
            )
        );
        assert_eq!(
            reference_fix("article", &Ty::Ref(Some(Table::Article))).as_deref(),
            Some(
                "`article` is an article reference, not text: compare `article.title` (use `.title`)"
            )
        );
        assert_eq!(reference_fix("n", &Ty::Int), None);
    }
}

//! How a result is shown: the six `.mode`s, tables fitted to the terminal width, and the
//! first rows of a long result with a footer that gives the total.

use factql_engine::{Dataset, Relation};
use tabled::builder::Builder;
use tabled::settings::peaker::Priority;
use tabled::settings::{Style, Width};

/// The output modes of `.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A table fitted to the terminal.
    Table,
    /// One block per row, a field per line.
    Vertical,
    /// One JSON document.
    Json,
    /// One JSON object per row.
    Jsonl,
    /// Comma-separated values.
    Csv,
    /// A Markdown table.
    Markdown,
}

impl Mode {
    /// Every mode with its name, for `.mode` and its completion.
    pub(crate) const ALL: &[(&'static str, Mode)] = &[
        ("table", Mode::Table),
        ("vertical", Mode::Vertical),
        ("json", Mode::Json),
        ("jsonl", Mode::Jsonl),
        ("csv", Mode::Csv),
        ("markdown", Mode::Markdown),
    ];

    /// The mode called `name`.
    pub(crate) fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
        Mode::ALL.iter().find(|(_, m)| *m == self).map_or("table", |(n, _)| n)
    }

    /// The mode a file extension asks for (`.export`); `.txt` is a table.
    pub(crate) fn from_extension(ext: &str) -> Option<Mode> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Mode::Csv),
            "json" => Some(Mode::Json),
            "jsonl" | "ndjson" => Some(Mode::Jsonl),
            "md" | "markdown" => Some(Mode::Markdown),
            "txt" => Some(Mode::Table),
            _ => None,
        }
    }
}

/// How much room a result has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fit {
    /// Terminal columns; `None`: no limit (a script's output, a file).
    pub width: Option<usize>,
    /// Rows shown by the table and vertical modes; `None`: all.
    pub max_rows: Option<usize>,
}

impl Fit {
    /// No limits.
    pub(crate) const ALL: Fit = Fit { width: None, max_rows: None };
}

/// The longest cell text before the table fits the width (the whole text of an article is
/// a click away with `.show`).
const MAX_CELL: usize = 80;

/// Renders `relation` in `mode`. The table and vertical modes show at most `fit.max_rows`
/// rows and end with a line giving the count; the machine formats always give every row.
pub(crate) fn render(ds: &Dataset, relation: &Relation, mode: Mode, fit: Fit) -> String {
    match mode {
        Mode::Table => table(ds, relation, fit),
        Mode::Vertical => vertical(ds, relation, fit),
        Mode::Json => crate::query::json_document(ds, relation, &[]),
        Mode::Jsonl => crate::query::jsonl(ds, relation),
        Mode::Csv => crate::query::csv(ds, relation),
        Mode::Markdown => crate::query::markdown(ds, relation),
    }
}

/// A cell as one line of at most [`MAX_CELL`] characters.
fn clip(text: &str) -> String {
    let text = text.replace(['\n', '\r', '\t'], " ");
    if text.chars().count() > MAX_CELL {
        let mut clipped: String = text.chars().take(MAX_CELL - 1).collect();
        clipped.push('…');
        clipped
    } else {
        text
    }
}

fn shown(relation: &Relation, fit: Fit) -> usize {
    fit.max_rows.map_or(relation.rows.len(), |max| relation.rows.len().min(max))
}

fn footer(total: usize, shown: usize) -> String {
    let plural = if total == 1 { "" } else { "s" };
    if shown < total {
        format!("({shown} of {} rows shown; .all prints them all)\n", group_digits(total))
    } else {
        format!("({} row{plural})\n", group_digits(total))
    }
}

/// `5104` → `5,104`.
pub(crate) fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn table(ds: &Dataset, relation: &Relation, fit: Fit) -> String {
    let n = shown(relation, fit);
    let mut builder = Builder::default();
    builder.push_record(relation.columns.iter().map(|c| c.name.clone()));
    for row in &relation.rows[..n] {
        builder.push_record(row.vals.iter().map(|v| clip(&ds.display(v))));
    }
    let mut table = builder.build();
    table.with(Style::rounded());
    if let Some(width) = fit.width {
        // The widest column gives way first, so short columns (counts, dates) stay whole.
        table.with(Width::truncate(width).priority(Priority::max(true)).suffix("…"));
    }
    let mut out = table.to_string();
    out.push('\n');
    out.push_str(&footer(relation.rows.len(), n));
    out
}

fn vertical(ds: &Dataset, relation: &Relation, fit: Fit) -> String {
    let n = shown(relation, fit);
    let name_width = relation.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    let value_width = fit.width.map(|w| w.saturating_sub(name_width + 3).max(10));
    let mut out = String::new();
    for (idx, row) in relation.rows[..n].iter().enumerate() {
        out.push_str(&format!("── row {} ──\n", idx + 1));
        for (column, value) in relation.columns.iter().zip(row.vals.iter()) {
            let mut text = ds.display(value).replace(['\n', '\r'], " ");
            if let Some(max) = value_width
                && text.chars().count() > max
            {
                text = text.chars().take(max - 1).collect::<String>() + "…";
            }
            out.push_str(&format!("{:>name_width$} : {text}\n", column.name));
        }
    }
    out.push_str(&footer(relation.rows.len(), n));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use factql_engine::{Context, Engine, RunOptions};

    fn engine() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let engine = Engine::load(&store).unwrap();
        (dir, engine)
    }

    fn run(engine: &Engine, query: &str) -> Relation {
        engine.query(query, &Context::default(), &RunOptions::default()).unwrap()
    }

    #[test]
    fn a_table_fits_the_width_it_is_given() {
        let (_dir, engine) = engine();
        let relation = run(&engine, "sentences | select article, text | take 5");
        for width in [40, 60, 100] {
            let out = render(
                engine.dataset(),
                &relation,
                Mode::Table,
                Fit { width: Some(width), max_rows: None },
            );
            for line in out.lines() {
                let cols = line.chars().count();
                assert!(cols <= width, "{cols} > {width}: {line}");
            }
        }
    }

    #[test]
    fn wide_characters_line_up() {
        let mut builder = Builder::default();
        builder.push_record(["name", "n"]);
        builder.push_record(["東京", "1"]);
        builder.push_record(["Tokyo", "22"]);
        let mut table = builder.build();
        table.with(Style::rounded());
        let text = table.to_string();
        let widths: Vec<usize> = text
            .lines()
            .map(|l| {
                l.chars().map(|c| if ('\u{3000}'..'\u{9fff}').contains(&c) { 2 } else { 1 }).sum()
            })
            .collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    #[test]
    fn a_long_result_shows_the_first_rows_and_the_total() {
        let (_dir, engine) = engine();
        let relation = run(&engine, "sentences");
        assert!(relation.rows.len() > 5);
        let out = render(
            engine.dataset(),
            &relation,
            Mode::Table,
            Fit { width: None, max_rows: Some(5) },
        );
        assert!(
            out.ends_with(&format!(
                "(5 of {} rows shown; .all prints them all)\n",
                relation.rows.len()
            )),
            "{out}"
        );
        let out = render(
            engine.dataset(),
            &relation,
            Mode::Vertical,
            Fit { width: Some(60), max_rows: Some(2) },
        );
        assert!(out.contains("── row 2 ──") && !out.contains("── row 3 ──"), "{out}");
        // Machine formats always give every row.
        let csv = render(
            engine.dataset(),
            &relation,
            Mode::Csv,
            Fit { width: Some(60), max_rows: Some(2) },
        );
        assert_eq!(csv.lines().count(), relation.rows.len() + 1);
    }

    #[test]
    fn modes_round_trip_their_names_and_extensions() {
        for (name, mode) in Mode::ALL {
            assert_eq!(Mode::parse(name), Some(*mode));
            assert_eq!(mode.name(), *name);
        }
        assert_eq!(Mode::from_extension("CSV"), Some(Mode::Csv));
        assert_eq!(Mode::from_extension("svg"), None);
        assert_eq!(group_digits(5104), "5,104");
        assert_eq!(group_digits(100), "100");
    }
}

//! `render bar|line|timeline`: the points of a result, drawn in the terminal and as SVG.
//!
//! The y value is the last numeric column; the x value (line, timeline) or label (bar) is
//! the first other column. Line and timeline charts are ordered by x: a date column gives
//! days, a number itself, anything else the row order. Line and timeline charts are drawn
//! with `textplots` (braille dots, no escape codes). A bar chart is one labelled row per
//! bar, since a category axis of long names does not fit under braille bars; `.export
//! FILE.svg` writes the same chart as a small hand-built SVG document (a plotting crate with
//! an SVG backend would add more to the build than the 100 lines it saves).

use std::fmt::Write as _;

use factql_engine::value::{DateRange, Precision, Val};
use factql_engine::{Dataset, Relation, Ty};
use factql_syntax::RenderKind;
use textplots::{Chart as Plot, LabelBuilder, LabelFormat, Plot as _, Shape};

/// A chart ready to draw: points in x order (row order for bars).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Chart {
    /// bar, line or timeline.
    pub kind: RenderKind,
    /// The y column's name.
    pub y_name: String,
    /// The x (or label) column's name.
    pub x_name: String,
    /// `(label, x, y)`.
    pub points: Vec<(String, f64, f64)>,
    /// The precision of the x dates, when x is a date column.
    pub dates: Option<Precision>,
}

impl Chart {
    /// The chart of `relation`, or why there is none.
    pub(crate) fn of(ds: &Dataset, relation: &Relation, kind: RenderKind) -> Result<Chart, String> {
        let y_col = relation
            .columns
            .iter()
            .rposition(|c| matches!(c.ty, Ty::Int | Ty::Float))
            .ok_or("render: the result has no numeric column to chart")?;
        let x_col = (0..relation.columns.len()).find(|&c| c != y_col);
        // A line or timeline over dates or numbers has no place for a row without an x.
        let x_typed = x_col
            .is_some_and(|c| matches!(relation.columns[c].ty, Ty::Date | Ty::Int | Ty::Float))
            && kind != RenderKind::Bar;
        let mut dates = None;
        let mut points = Vec::with_capacity(relation.rows.len());
        for (idx, row) in relation.rows.iter().enumerate() {
            let Some(y) = row.vals[y_col].as_f64() else { continue };
            if x_typed && x_col.is_some_and(|c| row.vals[c].is_null()) {
                continue;
            }
            let (label, x) = match x_col.map(|c| &row.vals[c]) {
                Some(Val::Date(d)) => {
                    dates = Some(d.precision);
                    (d.to_string(), f64::from(d.start))
                }
                Some(value) => (ds.display(value), value.as_f64().unwrap_or(idx as f64)),
                None => ((idx + 1).to_string(), idx as f64),
            };
            points.push((label, x, y));
        }
        if points.is_empty() {
            return Err("render: no row has a value to chart".into());
        }
        if kind != RenderKind::Bar {
            points.sort_by(|a, b| a.1.total_cmp(&b.1));
        }
        Ok(Chart {
            kind,
            y_name: relation.columns[y_col].name.clone(),
            x_name: x_col.map_or_else(|| "row".to_owned(), |c| relation.columns[c].name.clone()),
            points,
            dates,
        })
    }

    fn title(&self) -> String {
        let kind = match self.kind {
            RenderKind::Bar => "bar",
            RenderKind::Line => "line",
            RenderKind::Timeline => "timeline",
        };
        format!("{kind} of {} by {}", self.y_name, self.x_name)
    }

    /// An x value as its axis label.
    fn x_label(&self, x: f64) -> String {
        match self.dates {
            Some(precision) => {
                let day = x.round() as i32;
                DateRange { start: day, end: day + 1, precision }.to_string()
            }
            None => number(x),
        }
    }

    /// The chart drawn in `width` terminal columns.
    pub(crate) fn draw(&self, width: usize) -> String {
        let mut out = format!("{}\n", self.title());
        if self.kind == RenderKind::Bar {
            out.push_str(&self.bars(width));
            return out;
        }
        let xs: Vec<f64> = self.points.iter().map(|p| p.1).collect();
        let (xmin, xmax) = (xs[0], xs[xs.len() - 1]);
        // A single point, or all at one x, still needs a range to draw in.
        let (xmin, xmax) = if xmax > xmin { (xmin, xmax) } else { (xmin - 1.0, xmax + 1.0) };
        let data: Vec<(f32, f32)> = self.points.iter().map(|p| (p.1 as f32, p.2 as f32)).collect();
        // Braille cells are 2 dots wide; leave room for the y labels.
        let dots = (width.saturating_sub(12) * 2).clamp(32, 240) as u32;
        let shape = Shape::Lines(&data);
        let dates = self.dates;
        let format = LabelFormat::Custom(Box::new(move |x| match dates {
            Some(precision) => {
                let day = x.round() as i32;
                DateRange { start: day, end: day + 1, precision }.to_string()
            }
            None => number(f64::from(x)),
        }));
        let mut plot = Plot::new(dots, 40, xmin as f32, xmax as f32);
        let plot = plot.x_label_format(format).lineplot(&shape);
        plot.axis();
        plot.figures();
        out.push_str(&plot.to_string());
        out
    }

    fn bars(&self, width: usize) -> String {
        const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
        let labels: Vec<String> =
            self.points.iter().map(|p| p.0.chars().take(30).collect()).collect();
        let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let values: Vec<String> = self.points.iter().map(|p| number(p.2)).collect();
        let value_width = values.iter().map(String::len).max().unwrap_or(0);
        let room = width.saturating_sub(label_width + value_width + 4).clamp(10, 60) as f64;
        let max = self.points.iter().fold(0.0f64, |m, p| m.max(p.2.abs()));
        let mut out = String::new();
        for ((label, value), point) in labels.iter().zip(&values).zip(&self.points) {
            let eighths =
                if max > 0.0 { (point.2.abs() / max * room * 8.0).round() as usize } else { 0 };
            let bar = format!("{}{}", "█".repeat(eighths / 8), EIGHTHS[eighths % 8]);
            let pad = label_width - label.chars().count();
            let sign = if point.2 < 0.0 { "-" } else { "" };
            let _ = writeln!(out, "{label}{}  {sign}{bar} {value}", " ".repeat(pad));
        }
        out
    }

    /// The chart as an SVG document.
    pub(crate) fn svg(&self) -> String {
        const W: f64 = 800.0;
        let mut out = String::new();
        let title = escape(&self.title());
        if self.kind == RenderKind::Bar {
            let row = 24.0;
            let label_w = 200.0;
            let h = 60.0 + row * self.points.len() as f64;
            let max =
                self.points.iter().fold(0.0f64, |m, p| m.max(p.2.abs())).max(f64::MIN_POSITIVE);
            let room = W - label_w - 100.0;
            let _ = writeln!(
                out,
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="sans-serif" font-size="12">"#
            );
            let _ = writeln!(
                out,
                r#"<text x="{}" y="24" text-anchor="middle" font-size="16">{title}</text>"#,
                W / 2.0
            );
            for (idx, (label, _, y)) in self.points.iter().enumerate() {
                let top = 44.0 + row * idx as f64;
                let len = y.abs() / max * room;
                let label: String = label.chars().take(30).collect();
                let _ = writeln!(
                    out,
                    r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                    label_w - 8.0,
                    top + 14.0,
                    escape(&label)
                );
                let _ = writeln!(
                    out,
                    r##"<rect x="{label_w}" y="{top}" width="{len:.1}" height="{}" fill="#4c78a8"/>"##,
                    row - 6.0
                );
                let _ = writeln!(
                    out,
                    r#"<text x="{:.1}" y="{}">{}</text>"#,
                    label_w + len + 6.0,
                    top + 14.0,
                    escape(&number(*y))
                );
            }
            out.push_str("</svg>\n");
            return out;
        }
        let h = 420.0;
        let (left, right, top, bottom) = (70.0, W - 30.0, 50.0, h - 60.0);
        let xmin = self.points.first().map_or(0.0, |p| p.1);
        let xmax = self.points.last().map_or(1.0, |p| p.1);
        let (xmin, xmax) = if xmax > xmin { (xmin, xmax) } else { (xmin - 1.0, xmax + 1.0) };
        let ymin = self.points.iter().fold(f64::INFINITY, |m, p| m.min(p.2)).min(0.0);
        let ymax = self.points.iter().fold(f64::NEG_INFINITY, |m, p| m.max(p.2));
        let (ymin, ymax) = if ymax > ymin { (ymin, ymax) } else { (ymin - 1.0, ymax + 1.0) };
        let sx = |x: f64| left + (x - xmin) / (xmax - xmin) * (right - left);
        let sy = |y: f64| bottom - (y - ymin) / (ymax - ymin) * (bottom - top);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(
            out,
            r#"<text x="{}" y="24" text-anchor="middle" font-size="16">{title}</text>"#,
            W / 2.0
        );
        let _ = writeln!(
            out,
            r#"<path d="M{left} {top} V{bottom} H{right}" fill="none" stroke="black"/>"#
        );
        for tick in 0..=4 {
            let y = ymin + (ymax - ymin) * f64::from(tick) / 4.0;
            let x = xmin + (xmax - xmin) * f64::from(tick) / 4.0;
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 6.0,
                sy(y) + 4.0,
                escape(&number(y))
            );
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                sx(x),
                bottom + 18.0,
                escape(&self.x_label(x))
            );
        }
        let path: Vec<String> =
            self.points.iter().map(|p| format!("{:.1},{:.1}", sx(p.1), sy(p.2))).collect();
        let _ = writeln!(
            out,
            r##"<polyline points="{}" fill="none" stroke="#4c78a8" stroke-width="2"/>"##,
            path.join(" ")
        );
        for (label, x, y) in &self.points {
            let _ = writeln!(
                out,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#4c78a8"><title>{}: {}</title></circle>"##,
                sx(*x),
                sy(*y),
                escape(label),
                escape(&number(*y))
            );
        }
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            (left + right) / 2.0,
            h - 20.0,
            escape(&self.x_name)
        );
        out.push_str("</svg>\n");
        out
    }
}

/// A number as a person reads it: integers without decimals, others with at most two.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let text = format!("{x:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use factql_engine::{Context, Engine, RunOptions};

    fn chart(query: &str, kind: RenderKind) -> Chart {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let engine = Engine::load(&store).unwrap();
        let relation = engine.query(query, &Context::default(), &RunOptions::default()).unwrap();
        Chart::of(engine.dataset(), &relation, kind).unwrap()
    }

    #[test]
    fn a_line_chart_is_ordered_by_x_whatever_the_row_order() {
        let chart = chart(
            "articles | summarize n = count() by month = bin(published, 1mo) | sort by month desc",
            RenderKind::Line,
        );
        assert!(chart.points.len() > 1);
        assert!(chart.points.windows(2).all(|w| w[0].1 <= w[1].1), "{:?}", chart.points);
        assert_eq!(chart.dates, Some(Precision::Month));
        let text = chart.draw(80);
        assert!(text.starts_with("line of n by month\n"));
        // The x axis is labelled with the first and last month.
        assert!(text.contains(&chart.points[0].0), "{text}");
        assert!(!text.contains('\u{1b}'), "no escape codes");
    }

    #[test]
    fn rows_without_an_x_are_left_out_of_a_line() {
        let chart =
            chart("articles | summarize n = count() by day = published", RenderKind::Timeline);
        let all = chart.points.len();
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let engine = Engine::load(&store).unwrap();
        let relation = engine
            .query(
                "articles | summarize n = count() by day = published",
                &Context::default(),
                &RunOptions::default(),
            )
            .unwrap();
        let dated = relation.rows.iter().filter(|r| !r.vals[0].is_null()).count();
        assert_eq!(all, dated);
    }

    #[test]
    fn a_bar_chart_keeps_the_row_order_and_scales_to_the_largest() {
        let chart =
            chart("events | summarize n = count() by type | sort by n desc", RenderKind::Bar);
        let text = chart.draw(80);
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(lines.len(), chart.points.len());
        for (line, point) in lines.iter().zip(&chart.points) {
            assert!(line.starts_with(&point.0), "{line}");
        }
        let longest = lines.iter().map(|l| l.matches('█').count()).max().unwrap();
        assert_eq!(lines[0].matches('█').count(), longest);
    }

    #[test]
    fn the_svg_is_a_document_with_one_mark_per_point() {
        let line = chart(
            "articles | summarize n = count() by month = bin(published, 1mo)",
            RenderKind::Timeline,
        );
        let svg = line.svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<circle").count(), line.points.len());
        let bar = chart("events | summarize n = count() by type", RenderKind::Bar);
        assert_eq!(bar.svg().matches("<rect").count(), bar.points.len());
    }

    #[test]
    fn a_result_without_numbers_has_no_chart() {
        let dir = tempfile::tempdir().unwrap();
        let store = factql_test_support::fixture_store(&dir.path().join("f.db")).unwrap();
        let engine = Engine::load(&store).unwrap();
        let relation = engine
            .query("articles | select title", &Context::default(), &RunOptions::default())
            .unwrap();
        assert!(Chart::of(engine.dataset(), &relation, RenderKind::Bar).is_err());
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.126), "0.13");
        assert_eq!(number(-2.5), "-2.5");
    }
}

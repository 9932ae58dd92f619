//! `factql query`: check and run one query, print the rows in the chosen format, render errors
//! for people (carets and colour on a terminal) or as JSON.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use factql_engine::{
    Context, Dataset, Diagnostic, Engine, EngineError, Relation, RunOptions, Severity, value::Val,
};

/// Output formats of `factql query`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for reading.
    Table,
    /// One JSON object: columns, rows, and any warnings.
    Json,
    /// One JSON object per row.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// What `factql query` was asked to do.
pub(crate) struct QueryArgs {
    pub text: String,
    pub format: Format,
    pub params: Vec<String>,
    pub explain: bool,
    pub row_limit: usize,
    /// `--to-sql`: print the SQL of this dialect instead of running the query.
    pub to_sql: Option<factql_sql::Dialect>,
}

/// Runs `factql query`.
pub(crate) fn query(db: &Path, mut args: QueryArgs) -> anyhow::Result<ExitCode> {
    let text = if args.text == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("cannot read the query from stdin")?;
        text
    } else {
        std::mem::take(&mut args.text)
    };
    let mut ctx = Context::default();
    for param in &args.params {
        let Some((name, value)) = param.split_once('=') else {
            eprintln!("error: --param {param}: expected NAME=VALUE");
            return Ok(ExitCode::from(2));
        };
        ctx.params
            .insert(name.trim().trim_start_matches('$').to_owned(), parse_param(value.trim()));
    }
    ctx.producers = crate::extract::bundled_producers();
    let store = crate::cli::open_read_only(db)?;
    let (engine, write_image) = crate::image::open_engine(&store, db)?;
    let code = run_text(&engine, &text, ctx, &args);
    // After the answer is out: the image for the next start (or in place of one found
    // damaged while the query read it; its answer came from the store).
    let damage = engine.image_damage();
    if let Some(damage) = &damage {
        eprintln!(
            "note: the image was damaged ({damage}); answered from the store; rewriting the image"
        );
    }
    if write_image || damage.is_some() {
        crate::image::write(&engine, &store);
    }
    // The process ends now: freeing the decoded tables one allocation at a time would only
    // delay the exit (the system takes the memory and the image's map back at once).
    std::mem::forget(engine);
    code
}

/// Checks and runs the query text: one query, or a script of several.
fn run_text(
    engine: &Engine,
    text: &str,
    ctx: Context,
    args: &QueryArgs,
) -> anyhow::Result<ExitCode> {
    let json = matches!(args.format, Format::Json | Format::Jsonl);
    let parsed = factql_syntax::parse(text);
    let queries = parsed
        .script
        .statements
        .iter()
        .filter(|s| matches!(s, factql_syntax::Statement::Query(_)))
        .count();
    if queries > 1 && matches!(args.format, Format::Csv | Format::Jsonl) {
        eprintln!(
            "error: the script holds {queries} queries, but --format {} holds one table: run one \
             query per call, or use --format table, markdown or json (a JSON array of the results)",
            if args.format == Format::Csv { "csv" } else { "jsonl" }
        );
        return Ok(ExitCode::from(2));
    }
    if let Some(dialect) = args.to_sql {
        return to_sql(engine, text, &ctx, dialect, json);
    }
    if queries <= 1 || !parsed.errors.is_empty() {
        // One query, or syntax errors (all reported at once; nothing runs).
        let checked = engine.check(text, &ctx);
        report(text, &checked.diagnostics, json);
        let Some(plan) = checked.plan else { return Ok(ExitCode::from(1)) };
        let warnings: Vec<&Diagnostic> =
            checked.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
        if args.explain {
            print!("{}", plan.explain());
            return Ok(ExitCode::SUCCESS);
        }
        let Some(relation) = run_plan(engine, &plan, text, args, json) else {
            return Ok(ExitCode::from(1));
        };
        let out = render_result(engine.dataset(), &relation, &plan, args.format, &warnings);
        return write_stdout(&out);
    }
    run_script(engine, &parsed.script, text, ctx, args)
}

/// Several queries: each is checked and run in turn (so one may use `_`, the result of the
/// one before) and each result printed: tables and Markdown one after the other, JSON as an
/// array. The first query that does not check or run stops the script (exit 1).
fn run_script(
    engine: &Engine,
    script: &factql_syntax::Script,
    text: &str,
    mut ctx: Context,
    args: &QueryArgs,
) -> anyhow::Result<ExitCode> {
    let json = matches!(args.format, Format::Json | Format::Jsonl);
    let mut documents = Vec::new();
    let mut printed = 0;
    for statement in &script.statements {
        let query = match statement {
            factql_syntax::Statement::Let(def) => {
                ctx.lets.insert(def.name.name.clone(), def.clone());
                continue;
            }
            factql_syntax::Statement::Query(query) => query,
            factql_syntax::Statement::Meta(_) => continue,
        };
        let offset = query.span.start;
        let source = text.get(query.span.range()).unwrap_or(text);
        let checked = engine.check(source, &ctx);
        // Diagnostics point into the whole script, so their lines are the script's.
        let diagnostics: Vec<Diagnostic> = checked
            .diagnostics
            .into_iter()
            .map(|mut d| {
                d.span = factql_syntax::Span::new(d.span.start + offset, d.span.end + offset);
                d
            })
            .collect();
        report(text, &diagnostics, json);
        let Some(plan) = checked.plan else { return Ok(ExitCode::from(1)) };
        let mut out = String::new();
        if printed > 0 && !json {
            out.push('\n');
        }
        printed += 1;
        if args.explain {
            out.push_str(&plan.explain());
            write_stdout(&out)?;
            continue;
        }
        let Some(relation) = run_plan(engine, &plan, text, args, json) else {
            return Ok(ExitCode::from(1));
        };
        let warnings: Vec<&Diagnostic> =
            diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
        if args.format == Format::Json {
            documents.push(json_value(engine.dataset(), &relation, &warnings));
        } else {
            out.push_str(&render_result(
                engine.dataset(),
                &relation,
                &plan,
                args.format,
                &warnings,
            ));
            write_stdout(&out)?;
        }
        ctx.last = Some(std::sync::Arc::new(relation));
    }
    if args.format == Format::Json && !args.explain {
        let doc = serde_json::Value::Array(documents);
        return write_stdout(&format!("{}\n", serde_json::to_string_pretty(&doc)?));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a checked plan; on a row-limit error reports it (at its stage) and gives `None`.
fn run_plan(
    engine: &Engine,
    plan: &factql_engine::Plan,
    text: &str,
    args: &QueryArgs,
    json: bool,
) -> Option<Relation> {
    let options = RunOptions { row_limit: args.row_limit, ..RunOptions::default() };
    match engine.run(plan, &options) {
        Ok(relation) => Some(relation),
        Err(EngineError::RowLimit { stage, name, limit, span }) => {
            let diagnostic = Diagnostic {
                severity: Severity::Error,
                code: "E0501",
                message: format!("stage {stage} (`{name}`) produced more than {limit} rows"),
                span,
                label: "too many rows".into(),
                help: Some("narrow the query (where, take), or raise --row-limit".into()),
                notes: Vec::new(),
            };
            report(text, &[diagnostic], json);
            None
        }
        Err(err) => {
            eprintln!("error: {err}");
            None
        }
    }
}

/// One result in the chosen format.
fn render_result(
    ds: &Dataset,
    relation: &Relation,
    plan: &factql_engine::Plan,
    format: Format,
    warnings: &[&Diagnostic],
) -> String {
    match format {
        Format::Table => {
            let mut out = table(ds, relation);
            if let Some(kind) = plan.render() {
                out.push_str(&chart(ds, relation, kind));
            }
            out
        }
        Format::Json => json_document(ds, relation, warnings),
        Format::Jsonl => jsonl(ds, relation),
        Format::Csv => csv(ds, relation),
        Format::Markdown => markdown(ds, relation),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(out: &str) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(err.into());
    }
    Ok(ExitCode::SUCCESS)
}

/// A parameter value: a number, a boolean, a date (`@2022-03`), or text (quotes optional).
pub(crate) fn parse_param(value: &str) -> Val {
    if let Ok(n) = value.parse::<i64>() {
        return Val::Int(n);
    }
    if let Ok(x) = value.parse::<f64>() {
        return Val::Float(x);
    }
    match value {
        "true" => return Val::Bool(true),
        "false" => return Val::Bool(false),
        _ => {}
    }
    if let Some(date) = value.strip_prefix('@').and_then(factql_engine::value::DateRange::parse) {
        return Val::Date(date);
    }
    let unquoted = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    Val::str(unquoted)
}

/// Prints diagnostics to stderr: with carets (and colour on a terminal), or as JSON lines.
/// `--to-sql`: the last query of the script, checked as `factql query` checks it (the same
/// diagnostics), printed as SQL; a construct SQL cannot express is an error at its place.
fn to_sql(
    engine: &Engine,
    text: &str,
    ctx: &Context,
    dialect: factql_sql::Dialect,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match factql_sql::compile(engine, text, ctx, engine.dataset(), dialect) {
        Ok(compiled) => {
            report(text, &compiled.warnings, json);
            write_stdout(&compiled.sql)
        }
        Err(factql_sql::CompileError::Invalid(diagnostics)) => {
            report(text, &diagnostics, json);
            Ok(ExitCode::from(1))
        }
        Err(factql_sql::CompileError::Unsupported { construct, span, why }) => {
            let diagnostic = Diagnostic {
                severity: Severity::Error,
                code: "E0900",
                message: format!("{construct} cannot be compiled to SQL"),
                span,
                label: "not lowered to SQL".into(),
                notes: Vec::new(),
                help: Some(format!("{why}; `factql query` without --to-sql runs it")),
            };
            report(text, &[diagnostic], json);
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err.into()),
    }
}

pub(crate) fn report(source: &str, diagnostics: &[Diagnostic], json: bool) {
    if json {
        for d in diagnostics {
            let value = serde_json::json!({
                "severity": if d.severity == Severity::Error { "error" } else { "warning" },
                "code": d.code,
                "message": d.message,
                "start": d.span.start,
                "end": d.span.end,
                "line": source[..d.span.start.min(source.len())].matches('\n').count() + 1,
                "column": column(source, d.span.start),
                "label": d.label,
                "help": d.help,
            });
            // A closed stderr (`2>&1 | head`) must not turn a query error into a crash.
            let _ = writeln!(std::io::stderr(), "{value}");
        }
        return;
    }
    let color = std::io::stderr().is_terminal();
    for d in diagnostics {
        let _ = write!(std::io::stderr(), "{}", factql_syntax::render(source, d, color));
    }
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if errors > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "{errors} error{}; nothing was run",
            if errors == 1 { "" } else { "s" }
        );
    }
}

fn column(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    source[line_start..offset].chars().count() + 1
}

fn cells(ds: &Dataset, relation: &Relation) -> Vec<Vec<String>> {
    relation.rows.iter().map(|row| row.vals.iter().map(|v| ds.display(v)).collect()).collect()
}

fn table(ds: &Dataset, relation: &Relation) -> String {
    const MAX: usize = 80;
    let clip = |text: &str| -> String {
        let text = text.replace('\n', " ");
        if text.chars().count() > MAX {
            format!("{}…", text.chars().take(MAX - 1).collect::<String>())
        } else {
            text
        }
    };
    let header: Vec<String> = relation.columns.iter().map(|c| c.name.clone()).collect();
    let body: Vec<Vec<String>> =
        cells(ds, relation).into_iter().map(|r| r.iter().map(|c| clip(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &body {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |row: &[String]| -> String {
        let padded: Vec<String> =
            row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header);
    out.push_str(&line(&widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>()));
    for row in &body {
        out.push_str(&line(row));
    }
    out.push_str(&format!("({} row{})\n", body.len(), if body.len() == 1 { "" } else { "s" }));
    out
}

fn row_object(ds: &Dataset, relation: &Relation, row: &factql_engine::Row) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (column, value) in relation.columns.iter().zip(row.vals.iter()) {
        object.insert(column.name.clone(), ds.to_json(value));
    }
    if let Some(prov) = row.prov {
        let evidence = ds.evidence(&prov);
        let value = serde_json::json!({
            "article": evidence.article,
            "sentence": evidence.sentence,
            "start": evidence.start,
            "end": evidence.end,
        });
        object.insert("_evidence".into(), value);
    }
    if let Some(group) = &row.group {
        let evidence: Vec<serde_json::Value> = group
            .provs
            .iter()
            .map(|prov| {
                let evidence = ds.evidence(prov);
                serde_json::json!({
                    "article": evidence.article,
                    "sentence": evidence.sentence,
                    "start": evidence.start,
                    "end": evidence.end,
                })
            })
            .collect();
        object
            .insert("_group".into(), serde_json::json!({"rows": group.rows, "evidence": evidence}));
    }
    serde_json::Value::Object(object)
}

pub(crate) fn json_document(ds: &Dataset, relation: &Relation, warnings: &[&Diagnostic]) -> String {
    let doc = json_value(ds, relation, warnings);
    format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
}

/// A result as one JSON value: columns, rows (each with its evidence) and warnings.
fn json_value(ds: &Dataset, relation: &Relation, warnings: &[&Diagnostic]) -> serde_json::Value {
    let rows: Vec<serde_json::Value> =
        relation.rows.iter().map(|row| row_object(ds, relation, row)).collect();
    let columns: Vec<serde_json::Value> = relation
        .columns
        .iter()
        .map(|c| serde_json::json!({"name": c.name, "type": c.ty.to_string()}))
        .collect();
    let warnings: Vec<serde_json::Value> = warnings
        .iter()
        .map(|d| serde_json::json!({"code": d.code, "message": d.message, "help": d.help}))
        .collect();
    serde_json::json!({"columns": columns, "rows": rows, "warnings": warnings})
}

pub(crate) fn jsonl(ds: &Dataset, relation: &Relation) -> String {
    relation.rows.iter().map(|row| format!("{}\n", row_object(ds, relation, row))).collect()
}

pub(crate) fn csv(ds: &Dataset, relation: &Relation) -> String {
    let field = |text: &str| {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out = relation.columns.iter().map(|c| field(&c.name)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for row in cells(ds, relation) {
        out.push_str(&row.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

pub(crate) fn markdown(ds: &Dataset, relation: &Relation) -> String {
    let escape = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let header: Vec<String> = relation.columns.iter().map(|c| escape(&c.name)).collect();
    let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in cells(ds, relation) {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

/// A text chart for `render`: one bar per row, labelled by the first column, sized by the
/// last numeric column (a line or timeline chart keeps the row order, which is the x axis).
fn chart(ds: &Dataset, relation: &Relation, kind: factql_syntax::RenderKind) -> String {
    const WIDTH: f64 = 40.0;
    let Some(value_col) = relation
        .columns
        .iter()
        .rposition(|c| matches!(c.ty, factql_engine::Ty::Int | factql_engine::Ty::Float))
    else {
        return "(render: no numeric column to chart)\n".into();
    };
    let values: Vec<Option<f64>> =
        relation.rows.iter().map(|row| row.vals[value_col].as_f64()).collect();
    let max = values.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let labels: Vec<String> = relation.rows.iter().map(|row| ds.display(&row.vals[0])).collect();
    let label_width = labels.iter().map(|l| l.chars().count().min(30)).max().unwrap_or(0);
    let mut out = format!(
        "\n{} of {}\n",
        format!("{kind:?}").to_lowercase(),
        relation.columns[value_col].name
    );
    for (label, value) in labels.iter().zip(values) {
        let label: String = label.chars().take(30).collect();
        let (bar, number) = match value {
            Some(v) if max > 0.0 => {
                ("█".repeat(((v.abs() / max) * WIDTH).round() as usize), format!("{v}"))
            }
            Some(v) => (String::new(), format!("{v}")),
            None => (String::new(), String::new()),
        };
        let sign = if value.is_some_and(|v| v < 0.0) { "-" } else { "" };
        out.push_str(&format!("{label:<label_width$}  {sign}{bar} {number}\n"));
    }
    out
}

#[cfg(test)]
mod tests;

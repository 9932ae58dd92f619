//! The dot commands (`.mode csv`, `.show 3`, ...): everything typed at the prompt that is
//! not a query.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use factql_engine::{Table, Ty};
use factql_plugin_host::Origin;

use super::render::{Fit, Mode};
use super::session::{Output, Session};

/// How deep `.read` may nest (a file that reads itself stops here).
const MAX_READ_DEPTH: usize = 16;

impl Session {
    /// Runs one dot command.
    pub(super) fn dot(&mut self, line: &str, out: &mut Output) -> anyhow::Result<()> {
        let line = line.trim();
        let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match name {
            ".help" => match super::help::help((!rest.is_empty()).then_some(rest)) {
                Ok(text) => out.out.push_str(&text),
                Err(message) => out.error(message),
            },
            ".quit" | ".exit" | ".q" => out.quit = true,
            ".sources" => {
                self.refresh(out)?;
                out.out.push_str(&self.sources());
            }
            ".schema" => {
                self.refresh(out)?;
                out.out.push_str(&self.schema((!rest.is_empty()).then_some(rest))?);
            }
            ".kinds" => {
                self.refresh(out)?;
                out.out.push_str(&self.kinds());
            }
            ".relations" => {
                self.refresh(out)?;
                out.out.push_str(&self.relations());
            }
            ".plugins" => {
                out.out.push_str(&crate::plugins_cmd::describe(&self.isolate, &self.plugin_paths)?);
            }
            ".ingest" => self.ingest(rest, out)?,
            ".load" => self.load_plugin(rest, out)?,
            ".mode" => {
                if rest.is_empty() {
                    out.out.push_str(&format!("{}\n", self.mode.name()));
                } else if let Some(mode) = Mode::parse(rest) {
                    self.mode = mode;
                } else {
                    let names: Vec<&str> = Mode::ALL.iter().map(|(n, _)| *n).collect();
                    bail!("unknown mode `{rest}`: one of {}", names.join(", "));
                }
            }
            ".timer" => match rest {
                "on" => self.timer = true,
                "off" => self.timer = false,
                "" => out.out.push_str(if self.timer { "on\n" } else { "off\n" }),
                other => bail!("`.timer {other}`: on or off"),
            },
            ".explain" => self.explain(rest, out)?,
            ".show" => self.show(rest, out)?,
            ".param" => self.param(rest, out)?,
            ".export" => self.export(rest, out)?,
            ".read" => self.read(rest, out)?,
            ".all" => {
                let Some(last) = self.ctx.last.clone() else { bail!("no result yet") };
                let fit = Fit { max_rows: None, ..self.settings.fit };
                out.out.push_str(&super::render::render(
                    self.engine.dataset(),
                    &last,
                    self.mode,
                    fit,
                ));
            }
            other => {
                let names: Vec<&str> =
                    super::help::DOT_COMMANDS.iter().map(|(n, _, _)| *n).collect();
                let hint = factql_syntax::did_you_mean(other, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                bail!("unknown command `{other}`{hint} (`.help` lists them)");
            }
        }
        Ok(())
    }

    fn sources(&self) -> String {
        let ds = self.engine.dataset();
        let sources = ds.sources();
        let width = sources.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let mut out = String::new();
        for s in &sources {
            let _ = writeln!(
                out,
                "{:<width$}  {:>9}  {}",
                s.name,
                super::render::group_digits(s.rows),
                describe_source(ds, s)
            );
        }
        out
    }

    fn schema(&self, source: Option<&str>) -> anyhow::Result<String> {
        let ds = self.engine.dataset();
        let sources = ds.sources();
        let mut out = String::new();
        match source {
            Some(name) => {
                let Some(s) = sources.iter().find(|s| s.name == name) else {
                    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                    let hint = factql_syntax::did_you_mean(name, &names)
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    bail!("unknown source `{name}`: {hint}sources: {}", names.join(", "));
                };
                let _ = writeln!(out, "{} ({})", s.name, describe_source(ds, s));
                let fields = ds.fields(s.table);
                let width = fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
                for f in fields {
                    let _ = writeln!(out, "  {:<width$}  {}", f.name, type_name(&f.ty));
                }
            }
            None => {
                for s in &sources {
                    let names: Vec<String> =
                        ds.fields(s.table).into_iter().map(|f| f.name).collect();
                    let _ = writeln!(out, "{}: {}", s.name, names.join(", "));
                }
                out.push_str("(.schema SOURCE gives the types)\n");
            }
        }
        Ok(out)
    }

    fn kinds(&self) -> String {
        let ds = self.engine.dataset();
        let mut out = String::from("entity kinds:\n");
        let kinds = ds.entity_kind_counts();
        if kinds.is_empty() {
            out.push_str("  (none: no extractor has found entities yet)\n");
        }
        for (kind, n) in kinds {
            let _ = writeln!(out, "  {kind:<12} {} entities", super::render::group_digits(n));
        }
        out.push_str("fact kinds:\n");
        let facts = ds.fact_kinds();
        if facts.is_empty() {
            out.push_str("  (none declared)\n");
        }
        for (schema, n) in facts {
            let fields: Vec<String> = schema
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, field_type(&f.ty)))
                .collect();
            let _ = write!(
                out,
                "  {:<12} {} facts; fields {}",
                schema.name,
                super::render::group_digits(n),
                if fields.is_empty() { "-".to_owned() } else { fields.join(", ") }
            );
            if !schema.roles.is_empty() {
                let _ = write!(out, "; roles {}", schema.roles.join(", "));
            }
            out.push('\n');
        }
        out
    }

    fn relations(&self) -> String {
        let ds = self.engine.dataset();
        let kinds = ds.fact_kinds();
        let mut out = String::new();
        for label in ds.relation_labels() {
            let about = match label.as_str() {
                "mentions" => "an article or sentence to the entities it mentions".to_owned(),
                "said" => "a speaker to a quote fact".to_owned(),
                name => match kinds.iter().find(|(k, _)| k.name == name) {
                    Some((k, _)) if k.roles.len() >= 2 => {
                        format!("fact kind: {} to {}", k.roles[0], k.roles[1])
                    }
                    Some((k, _)) => format!(
                        "fact kind: {} to the fact",
                        k.roles.first().map_or("-", String::as_str)
                    ),
                    None => "event type: actor to target".to_owned(),
                },
            };
            let _ = writeln!(out, "  -[:{label}]->  {about}");
        }
        out.push_str(
            "  -[:near sentence|paragraph|article|N words]-  co-occurrence in a text scope\n",
        );
        out
    }

    fn explain(&mut self, query: &str, out: &mut Output) -> anyhow::Result<()> {
        if query.is_empty() {
            bail!("`.explain QUERY`");
        }
        self.refresh(out)?;
        let checked = self.engine.check(query, &self.ctx);
        self.report(query, &checked.diagnostics, out);
        if let Some(plan) = checked.plan {
            out.out.push_str(&plan.explain());
        }
        Ok(())
    }

    /// `.show N`: where row N of the last result comes from.
    fn show(&mut self, arg: &str, out: &mut Output) -> anyhow::Result<()> {
        let Some(last) = self.ctx.last.clone() else {
            bail!("no result yet: run a query, then `.show N`")
        };
        let n: usize = arg.parse().map_err(|_| {
            anyhow::anyhow!("`.show N` takes a row number (1 to {})", last.rows.len())
        })?;
        let Some(row) = n.checked_sub(1).and_then(|i| last.rows.get(i)) else {
            bail!(
                "no row {n}: the last result has {} row{}",
                last.rows.len(),
                if last.rows.len() == 1 { "" } else { "s" }
            );
        };
        // A row of `summarize` stands for its group: show the group's first evidence.
        let provs: Vec<factql_engine::Prov> = match (&row.group, row.prov) {
            (Some(group), _) if !group.provs.is_empty() => {
                let _ = writeln!(
                    out.out,
                    "row {n} stands for {} row{}; the evidence of the first {}:",
                    group.rows,
                    if group.rows == 1 { "" } else { "s" },
                    group.provs.len()
                );
                group.provs.clone()
            }
            (_, Some(prov)) => vec![prov],
            (_, None) => bail!(
                "row {n} has no evidence (entity rows stand for many mentions; query `mentions` to see them)"
            ),
        };
        for prov in provs {
            self.show_evidence(&prov, out);
        }
        Ok(())
    }

    /// The sentence of one piece of evidence, with the evidence marked, under its article.
    fn show_evidence(&self, prov: &factql_engine::Prov, out: &mut Output) {
        let ctx = self.engine.dataset().evidence_context(prov);
        let mut meta: Vec<String> = Vec::new();
        meta.extend(ctx.published.clone());
        meta.extend(ctx.source.clone());
        let _ = writeln!(
            out.out,
            "{}{}",
            ctx.title,
            if meta.is_empty() { String::new() } else { format!("  ({})", meta.join(", ")) }
        );
        let _ = writeln!(out.out, "article {}, sentence {}:", ctx.article, ctx.sentence);
        let text = &ctx.sentence_text;
        let (before, span, after) = (
            &text[..ctx.highlight.start],
            &text[ctx.highlight.clone()],
            &text[ctx.highlight.end..],
        );
        let (open, close) =
            if self.settings.color { ("\u{1b}[1;4;33m", "\u{1b}[0m") } else { ("»", "«") };
        let marked = if span.is_empty() || span.len() == text.len() {
            text.to_owned()
        } else {
            format!("{before}{open}{span}{close}{after}")
        };
        let _ = writeln!(out.out, "  {}", marked.replace('\n', " "));
    }

    fn param(&mut self, args: &str, out: &mut Output) -> anyhow::Result<()> {
        let (action, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        let rest = rest.trim();
        match action {
            "set" => {
                let (name, value) = match rest.split_once('=') {
                    Some((name, value)) if !name.trim().contains(char::is_whitespace) => {
                        (name.trim(), value.trim())
                    }
                    _ => rest
                        .split_once(char::is_whitespace)
                        .map(|(n, v)| (n, v.trim()))
                        .unwrap_or((rest, "")),
                };
                let name = name.trim_start_matches('$');
                if name.is_empty() || value.is_empty() {
                    bail!(
                        "`.param set NAME VALUE` (numbers, true/false and @dates are typed; text may be quoted)"
                    );
                }
                self.ctx.params.insert(name.to_owned(), crate::query::parse_param(value));
            }
            "list" | "" => {
                let mut names: Vec<&String> = self.ctx.params.keys().collect();
                names.sort();
                if names.is_empty() {
                    out.out.push_str("(no parameters; `.param set NAME VALUE`)\n");
                }
                for name in names {
                    let value = &self.ctx.params[name];
                    let shown = match value {
                        factql_engine::value::Val::Str(s) => format!("{:?}", s.as_ref()),
                        factql_engine::value::Val::Date(d) => format!("@{d}"),
                        other => self.engine.dataset().display(other),
                    };
                    let _ = writeln!(out.out, "${name} = {shown}");
                }
            }
            "clear" | "unset" => {
                if rest.is_empty() {
                    self.ctx.params.clear();
                } else if self.ctx.params.remove(rest.trim_start_matches('$')).is_none() {
                    bail!("no parameter `{rest}`");
                }
            }
            other => bail!("`.param {other}`: set NAME VALUE, list or clear [NAME]"),
        }
        Ok(())
    }

    fn export(&mut self, file: &str, out: &mut Output) -> anyhow::Result<()> {
        if file.is_empty() {
            bail!(
                "`.export FILE`: .csv .json .jsonl .md .txt for the last result, .svg for the last chart"
            );
        }
        let path = Path::new(file);
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let (text, what) = if ext == "svg" {
            let Some(chart) = &self.last_chart else {
                bail!("no chart yet: end a query with `| render bar` (or line, timeline)")
            };
            (chart.svg(), format!("{} chart", chart.points.len()))
        } else {
            let Some(mode) = Mode::from_extension(&ext) else {
                bail!(
                    "`.export {file}`: the extension picks the format: .csv .json .jsonl .md .txt, or .svg for the chart"
                );
            };
            let Some(last) = &self.ctx.last else { bail!("no result yet") };
            let text = super::render::render(self.engine.dataset(), last, mode, Fit::ALL);
            (text, format!("{} rows", last.rows.len()))
        };
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        let _ = writeln!(out.err, "wrote {what} to {}", path.display());
        Ok(())
    }

    fn read(&mut self, file: &str, out: &mut Output) -> anyhow::Result<()> {
        if file.is_empty() {
            bail!("`.read FILE`");
        }
        if self.read_depth >= MAX_READ_DEPTH {
            bail!("`.read {file}`: files read each other more than {MAX_READ_DEPTH} deep");
        }
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
        self.read_depth += 1;
        for entry in super::input::split_entries(&text) {
            let result = self.eval(&entry);
            out.out.push_str(&result.out);
            out.err.push_str(&result.err);
            out.failed |= result.failed;
            if result.quit {
                break;
            }
            if self.interrupted() {
                out.err.push_str(&format!("(Ctrl-C: the rest of {file} was not run)\n"));
                break;
            }
        }
        self.read_depth -= 1;
        Ok(())
    }

    /// `.ingest PATH...`: like `factql ingest`, then reload.
    fn ingest(&mut self, args: &str, out: &mut Output) -> anyhow::Result<()> {
        let paths: Vec<PathBuf> = args.split_whitespace().map(PathBuf::from).collect();
        if paths.is_empty() {
            bail!("`.ingest PATH...`: files or folders of articles (.txt .md .json .jsonl .html)");
        }
        // The session reads through a read-only connection; writing opens the store for
        // writing just for this (a store that cannot be written says so here).
        let mut store = crate::cli::open(&self.db)?;
        let host = crate::extract::load_host_with(&self.isolate, &self.plugin_paths)?;
        let mut runner = crate::extract::Runner::start(&mut store, host, None)?;
        let result = crate::ingest::ingest_paths(
            &mut store,
            &paths,
            false,
            &factql_ingest::Options::default(),
            64,
            Some(&mut runner),
        );
        let finished = runner.finish(&mut store);
        drop(store);
        self.reload()?;
        result?;
        finished?;
        out.err.push_str("(reloaded)\n");
        Ok(())
    }

    /// `.load PATH`: the plugin file goes through the trust checks, is loaded, and runs over
    /// every stored article it has not seen (with the plugins that require its kinds).
    fn load_plugin(&mut self, arg: &str, out: &mut Output) -> anyhow::Result<()> {
        if arg.is_empty() {
            bail!("`.load PATH`: a plugin file (pin it first with `factql plugins trust PATH`)");
        }
        let path = PathBuf::from(arg);
        let canonical = path.canonicalize().with_context(|| format!("cannot open {arg}"))?;
        let same = |p: &Path| p.canonicalize().is_ok_and(|p| p == canonical);
        let host = crate::extract::load_host_with(&self.isolate, std::slice::from_ref(&path))?;
        if let Some(refused) = host.refused().iter().find(|r| same(&r.path)) {
            bail!("{}", refused.error);
        }
        if let Some(shadowed) = host.shadowed().iter().find(|s| same(&s.path)) {
            bail!("{arg} is the bundled plugin `{}`, which is already loaded", shadowed.by);
        }
        let Some(plugin) =
            host.plugins().iter().find(|p| matches!(p.origin(), Origin::Path(p) if same(p)))
        else {
            bail!("{arg} was not loaded (not a plugin file?)");
        };
        let name = plugin.name().to_owned();
        let Some(selected) = host.dependants(&name) else { bail!("{name} is not loaded") };
        let mut store = crate::cli::open(&self.db)?;
        let runner = crate::extract::Runner::start(&mut store, host, Some(&selected))?;
        let owes = runner.wants_unchanged();
        runner.finish(&mut store)?;
        drop(store);
        if !self.plugin_paths.contains(&path) {
            self.plugin_paths.push(path);
        }
        self.reload()?;
        if !owes {
            let _ = writeln!(
                out.err,
                "{name} has already run over this store (`factql reextract --plugin {name}` runs it again)"
            );
        }
        let _ = writeln!(out.err, "loaded {name}; later `.ingest`s run it too (reloaded)");
        Ok(())
    }
}

fn describe_source(ds: &factql_engine::Dataset, s: &factql_engine::SourceInfo) -> String {
    match (s.table, s.entity_kind) {
        (Table::Entity, Some(kind)) => format!("entities of kind {kind}"),
        (Table::Fact(k), _) => {
            let name =
                ds.fact_kinds().get(k as usize).map_or("?", |(k, _)| k.name.as_str()).to_owned();
            format!("facts of kind {name}")
        }
        (table, _) => type_name(&Ty::Ref(Some(table))),
    }
}

/// A type as `.schema` prints it.
pub(crate) fn type_name(ty: &Ty) -> String {
    match ty {
        Ty::Ref(None) => "entity or row (a role)".to_owned(),
        other => other.to_string(),
    }
}

/// A declared field's type, named as `.schema` names query types.
fn field_type(ty: &factql_model::FieldType) -> String {
    use factql_model::FieldType;
    match ty {
        FieldType::Str => "string".to_owned(),
        FieldType::Int => "int".to_owned(),
        FieldType::Float => "float".to_owned(),
        FieldType::Bool => "bool".to_owned(),
        FieldType::Date => "date".to_owned(),
        FieldType::Interval => "date interval".to_owned(),
        FieldType::List(element) => format!("list<{}>", field_type(element)),
    }
}

//! Command-line arguments and dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use factql_ingest::{FieldMap, Options};
use factql_store::Store;

/// Turn news articles into queryable facts.
///
/// With no command, factql opens the REPL on the store (reading a script from stdin when it
/// is not a terminal), first ingesting the bundled sample corpus if the store is empty.
#[derive(Debug, Parser)]
#[command(name = "factql", version, about, long_about = None)]
pub(crate) struct Cli {
    /// The database file [default: $FACTQL_DB, or factql.db in the current directory].
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,

    /// Run plugin NAME (or `all`) in a child process, so a crash or hang costs only that
    /// plugin; repeatable.
    #[arg(long, global = true, value_name = "NAME|all")]
    isolate: Vec<String>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read articles from files, directories or `-` (stdin) into the store.
    Ingest {
        /// Files and directories to read (.txt .md .json .jsonl .html); `-` reads stdin.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Map a JSON field: PART=KEY with PART one of title, body, url, published, source,
        /// lang (e.g. --field body=story --field source=meta.site).
        #[arg(long = "field", value_name = "PART=KEY")]
        fields: Vec<String>,
        /// Articles per transaction.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
        batch: u32,
        /// Skip inputs (or JSON Lines records) larger than this many MiB.
        #[arg(long, default_value_t = 16, value_name = "MIB")]
        max_mib: u64,
        /// In folders, also follow symbolic links that lead out of the folder (by default they
        /// are skipped and listed).
        #[arg(long)]
        follow_symlinks: bool,
    },
    /// Show how factql reads one file: title, metadata, paragraphs and sentences with byte spans.
    Inspect {
        /// The file (`-` for stdin).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Print JSON (an array of articles) instead of text.
        #[arg(long)]
        json: bool,
        /// Map a JSON field, as for `ingest`.
        #[arg(long = "field", value_name = "PART=KEY")]
        fields: Vec<String>,
    },
    /// Run the extractor plugins over articles and print what they find, one JSON line per
    /// article, without touching the store.
    Extract {
        /// Files and directories to read (.txt .md .json .jsonl .html); `-` reads stdin.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// `jsonl`: every plugin's entities, mentions and facts; `ner-jsonl`: named people,
        /// places and organisations as {"id", "entities": [{"start", "end", "label"}]} with
        /// byte offsets into the text as given, for NER scorers.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: crate::extract_cmd::ExtractFormat,
        /// Map a JSON field, as for `ingest`.
        #[arg(long = "field", value_name = "PART=KEY")]
        fields: Vec<String>,
    },
    /// Run a query and print its rows.
    Query {
        /// The query (a script: `let` definitions, then the query); `-` reads it from stdin.
        #[arg(value_name = "QUERY")]
        query: String,
        /// How to print the rows.
        #[arg(long, value_enum, default_value = "table")]
        format: crate::query::Format,
        /// Set a parameter: --param who=Lukashenko (numbers, true/false and @dates are typed).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Print the plan (stages, output schema, index, estimated rows) instead of running.
        #[arg(long)]
        explain: bool,
        /// Stop with an error when a stage produces more rows than this.
        #[arg(long, default_value_t = 5_000_000)]
        row_limit: usize,
        /// Print the query as SQL over the Parquet export instead of running it (checked
        /// as here; constructs SQL cannot express are refused; docs/scale-out.md).
        #[arg(long)]
        to_sql: bool,
        /// The SQL dialect for --to-sql: duckdb, datafusion, spark or trino.
        #[arg(long, value_name = "DIALECT", default_value = "duckdb", requires = "to_sql")]
        dialect: factql_sql::Dialect,
    },
    /// List the extractor plugins: loaded (name, version, origin, kinds, trust) and refused.
    Plugins {
        #[command(subcommand)]
        action: Option<PluginsAction>,
    },
    /// Write extractor plugins.
    Plugin {
        #[command(subcommand)]
        action: PluginAction,
    },
    /// Re-run one plugin (and those that require its kinds or read its mentions) over the
    /// whole store, replacing only their mentions, entities and facts.
    Reextract {
        /// The plugin's name.
        #[arg(long, value_name = "NAME")]
        plugin: String,
    },
    /// Serve one plugin to an isolating parent over stdin/stdout (internal).
    #[command(name = "__plugin-runner", hide = true)]
    PluginRunner {
        /// The plugin file, or `bundled:<crate>`.
        target: String,
        /// The SHA-256 the file must still have.
        sha256: String,
    },
    /// Write queries interactively: completion, history, `.help` (the default command).
    /// When stdin is not a terminal, runs its queries and dot commands as a script.
    Repl,
    /// Counts per table, per fact kind, per source and per month.
    Stats {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the store as a dataset of Parquet files for DuckDB, DataFusion, Spark or Trino
    /// (tables, columns and partitions: docs/export.md).
    Export {
        /// The dataset folder (new, empty, or a dataset to replace or append to).
        #[arg(long, value_name = "DIR", required = true)]
        parquet: PathBuf,
        /// Append only the articles ingested on or after this day (UTC, YYYY-MM-DD) that the
        /// dataset does not hold yet.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Also write the whole text of each article (table `article_text`).
        #[arg(long)]
        with_text: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PluginsAction {
    /// Pin a plugin file's SHA-256 in plugins.lock (in your configuration folder), so it may
    /// be loaded.
    Trust {
        /// The plugin file (a shared library).
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
    /// Let factql use the factql-plugins.conf and plugins.lock of a project folder (they are
    /// ignored otherwise: a cloned repository must not decide what native code runs).
    Allow {
        /// The project folder.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum PluginAction {
    /// Create a plugin crate that builds, loads and emits a fact out of the box.
    New {
        /// The plugin's name: lower-case letters, digits and `-`.
        #[arg(value_name = "NAME")]
        name: String,
        /// Where to create it [default: ./factql-extractor-NAME].
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
    },
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = cli
        .db
        .or_else(|| std::env::var_os("FACTQL_DB").map(PathBuf::from))
        .unwrap_or_else(|| "factql.db".into());
    let isolate = cli.isolate;
    match cli.command {
        None | Some(Command::Repl) => crate::repl::run(&db, &isolate),
        Some(Command::Ingest { paths, fields, batch, max_mib, follow_symlinks }) => {
            let Some(options) = options(&fields, max_mib) else { return Ok(ExitCode::from(2)) };
            let mut store = open(&db)?;
            let host = crate::extract::load_host(&isolate)?;
            let mut runner = crate::extract::Runner::start(&mut store, host, None)?;
            let code = crate::ingest::ingest_paths(
                &mut store,
                &paths,
                follow_symlinks,
                &options,
                batch as usize,
                Some(&mut runner),
            )?;
            runner.finish(&mut store)?;
            crate::image::refresh(&store);
            Ok(code)
        }
        Some(Command::Inspect { file, json, fields }) => {
            let Some(options) = options(&fields, 16) else { return Ok(ExitCode::from(2)) };
            crate::inspect::inspect(&file, &options, json)
        }
        Some(Command::Extract { paths, format, fields }) => {
            let Some(options) = options(&fields, 16) else { return Ok(ExitCode::from(2)) };
            crate::extract_cmd::extract(&paths, &options, format, &isolate)
        }
        Some(Command::Query { query, format, params, explain, row_limit, to_sql, dialect }) => {
            let to_sql = to_sql.then_some(dialect);
            crate::query::query(
                &db,
                crate::query::QueryArgs { text: query, format, params, explain, row_limit, to_sql },
            )
        }
        Some(Command::Plugins { action: None }) => crate::plugins_cmd::list(&isolate),
        Some(Command::Plugins { action: Some(PluginsAction::Trust { path }) }) => {
            crate::plugins_cmd::trust(&path)
        }
        Some(Command::Plugins { action: Some(PluginsAction::Allow { dir }) }) => {
            crate::plugins_cmd::allow(&dir)
        }
        Some(Command::Plugin { action: PluginAction::New { name, path } }) => {
            crate::plugins_cmd::new(&name, path.as_deref())
        }
        Some(Command::Reextract { plugin }) => {
            let mut store = open_existing(&db)?;
            let code = crate::extract::reextract(&mut store, &plugin, &isolate)?;
            crate::image::refresh(&store);
            Ok(code)
        }
        Some(Command::PluginRunner { target, sha256 }) => {
            Ok(factql_plugin_host::serve_target(&target, &sha256, crate::extract::BUNDLED))
        }
        Some(Command::Stats { json }) => {
            let store = open_read_only(&db)?;
            crate::stats::print_stats(&store, json)
        }
        Some(Command::Export { parquet, since, with_text }) => {
            let store = open_read_only(&db)?;
            crate::export_cmd::export(&store, &parquet, since, with_text)
        }
    }
}

/// Opens (or creates) the store for writing; the error names the file once. While another
/// process holds the write lock, says so on stderr (at once, then every 10 s).
pub(crate) fn open(db: &std::path::Path) -> anyhow::Result<Store> {
    let mut store = Store::open(db)?;
    let shown = db.display().to_string();
    store.on_lock_wait(move |waited| {
        if waited.is_zero() {
            eprintln!("waiting for another process writing to {shown} to finish...");
        } else {
            eprintln!("still waiting for the lock on {shown} ({} s)", waited.as_secs());
        }
    });
    Ok(store)
}

/// Opens a store that must already exist, for writing.
pub(crate) fn open_existing(db: &std::path::Path) -> anyhow::Result<Store> {
    must_exist(db)?;
    open(db)
}

/// Opens a store that must already exist, for reading only: nothing is written to it or
/// beside it, so a store in a folder (or on media) the user cannot write is queried as it is.
pub(crate) fn open_read_only(db: &std::path::Path) -> anyhow::Result<Store> {
    must_exist(db)?;
    Ok(Store::open_read_only(db)?)
}

/// Reading a mistyped path must not create an empty store and report nothing.
fn must_exist(db: &std::path::Path) -> anyhow::Result<()> {
    if !db.exists() {
        anyhow::bail!(
            "no store at {}: ingest articles first (`factql ingest PATH...`, or `factql` alone for the \
             bundled sample), or name the store with --db FILE or $FACTQL_DB",
            db.display()
        );
    }
    Ok(())
}

/// Ingest options from the command line, or `None` after printing a usage error.
fn options(fields: &[String], max_mib: u64) -> Option<Options> {
    let mut map = FieldMap::default();
    for assignment in fields {
        if let Err(message) = map.set(assignment) {
            eprintln!("error: --field {assignment}: {message}");
            return None;
        }
    }
    Some(Options {
        fields: map,
        max_article_bytes: max_mib.saturating_mul(1024 * 1024),
        ..Options::default()
    })
}

//! The factql query engine: checks a query against the data, plans it, and runs it natively.
//!
//! [`Engine::load`] reads the whole store into memory ([`Dataset`]) with the indexes queries
//! need (entity → mentions, sentence → mentions, kind → facts, folded alias → entities, folded
//! word → articles). [`Engine::write_image`] keeps all of it in a file beside the store, and
//! [`Engine::open`] starts from that image when it was built from the store as it is now (its
//! identity and generation), else from the store.
//! [`Engine::check`] resolves every name of a parsed query against the catalog (sources,
//! kinds, fields, functions, entity names from the data) and returns a [`Plan`], or every
//! problem at once as [`Diagnostic`]s with spans and did-you-mean suggestions: an unknown
//! name is never a silent empty result. [`Engine::run`] executes a plan and returns a
//! [`Relation`] whose rows keep their provenance (article, sentence, byte span).
//!
//! # Key design decision: references, not joins
//!
//! A row of a source is a reference to a stored row ([`value::Ref`]); fields are read through
//! it on demand, and following a reference (`e.article.title`) is a field read, not a join.
//! Patterns (`match (a:person) -[e:invite]-> (b:person)`) walk the indexes from the most
//! selective node. Nothing is handed to SQLite: the store (or its image) is only read once,
//! at load.
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use factql_engine::{Context, Engine, RunOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let store = factql_store::Store::open(dir.path().join("x.db"))?;
//! let engine = Engine::load(&store)?;
//! let rows = engine.query("articles | summarize n = count()", &Context::default(), &RunOptions::default())?;
//! assert_eq!(engine.dataset().display(&rows.rows[0].vals[0]), "0");
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod access;
mod catalog;
mod check;
mod cooccur;
mod dataset;
mod error;
mod eval;
mod exec;
mod group;
mod hints;
mod history;
mod image;
mod introspect;
mod kernel;
mod lazy;
mod mapped;
pub mod plan;
mod read;
mod relation;
mod textindex;
mod texts;
pub mod value;
mod words;

use factql_syntax::{Statement, parse};

pub use catalog::{FieldKey, Table, Ty};
pub use check::{AGG_FUNCS, Context, SCALAR_FUNCS};
pub use dataset::Dataset;
pub use error::{Diagnostic, EngineError, Severity};
pub use eval::RunOptions;
pub use hints::Producer;
pub use image::{IMAGE_MAGIC, IMAGE_VERSION, ImageError, image_path};
pub use introspect::{EntityInfo, EvidenceContext, FieldInfo, SourceInfo, StageScope};
pub use plan::Plan;
pub use read::Evidence;
pub use relation::{Column, GROUP_EVIDENCE, GroupEvidence, Prov, Relation, Row};

/// A loaded store, ready to answer queries.
pub struct Engine {
    ds: Dataset,
}

/// Where [`Engine::open`] took its data from.
#[derive(Debug)]
pub enum Loaded {
    /// The image beside the store, built at the store's current generation.
    Image,
    /// The store itself, because the image could not be used (missing, out of date, from
    /// another store or format, damaged, unreadable): why.
    Store(ImageError),
}

/// The outcome of checking a query script.
#[derive(Debug)]
pub struct Checked {
    /// The plan of the last query of the script, when there is no error.
    pub plan: Option<Plan>,
    /// Every syntax and semantic error and warning, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// `let` definitions the script made, for later statements (the REPL keeps them).
    pub lets: Vec<factql_syntax::LetDef>,
}

impl Engine {
    /// Loads everything from `store`.
    pub fn load(store: &factql_store::Store) -> Result<Engine, EngineError> {
        Ok(Engine { ds: Dataset::load(store)? })
    }

    /// Loads from the image beside `store` ([`image_path`]) when it was built from this
    /// store at its current generation, else from the store itself, saying why. Only the
    /// image's header and head are read now: each other section (mentions, a fact kind, the
    /// texts, the word index, ...) is read when a query first needs it. Nothing is written:
    /// [`Engine::write_image`] does that.
    pub fn open(store: &factql_store::Store) -> Result<(Engine, Loaded), EngineError> {
        match image::read(&image_path(store.path()), store) {
            Ok(ds) => Ok((Engine { ds }, Loaded::Image)),
            Err(why) => Ok((Engine::load(store)?, Loaded::Store(why))),
        }
    }

    /// Loads from the image beside `store` only, verifying the checksum of every section
    /// first; an error when it is missing, out of date, from another store or format, or
    /// damaged. ([`Engine::open`] checks only the header and the head at once, and each
    /// other section when a query first reads it.)
    pub fn from_image(store: &factql_store::Store) -> Result<Engine, ImageError> {
        let path = image_path(store.path());
        Ok(Engine { ds: image::read_verified(&path, store)? })
    }

    /// The sections of the image found damaged when first read, if any: their rows came
    /// from the store instead (so every answer was still the store's), and the image should
    /// be rewritten ([`Engine::write_image`]).
    pub fn image_damage(&self) -> Option<String> {
        let damage = self.ds.image_damage();
        (!damage.is_empty()).then(|| damage.join("; "))
    }

    /// Whether the image beside `store` was built from it at its current generation, judged
    /// from the image's header only (cheap; [`Engine::from_image`] still checks the rest).
    pub fn image_is_current(store: &factql_store::Store) -> Result<(), ImageError> {
        image::check_header(&image_path(store.path()), store)
    }

    /// Writes the image of the loaded data beside `store`, labelled with the generation the
    /// data was read at (so an image of data that changed since is never used); returns
    /// its path.
    pub fn write_image(
        &self,
        store: &factql_store::Store,
    ) -> Result<std::path::PathBuf, ImageError> {
        let path = image_path(store.path());
        image::write(&self.ds, &path)?;
        Ok(path)
    }

    /// The loaded data (for rendering values).
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// Parses and checks `source` (a script: `let` statements and queries); the plan is the
    /// last query's.
    pub fn check(&self, source: &str, ctx: &Context) -> Checked {
        let parsed = parse(source);
        let mut diagnostics: Vec<Diagnostic> =
            parsed.errors.iter().map(factql_syntax::ParseError::diagnostic).collect();
        let mut ctx = ctx.clone();
        let mut plan = None;
        let mut lets = Vec::new();
        let mut queries = 0;
        for statement in &parsed.script.statements {
            match statement {
                Statement::Let(def) => {
                    ctx.lets.insert(def.name.name.clone(), def.clone());
                    lets.push(def.clone());
                }
                Statement::Query(query) => {
                    queries += 1;
                    let mut checker = check::Checker::new(&self.ds, &ctx);
                    plan = checker.check_query(query);
                    diagnostics.extend(checker.diags);
                }
                Statement::Meta(meta) => diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    code: "E0101",
                    message: format!("`.{}` is a REPL command, not a query", meta.name),
                    span: meta.span,
                    label: "REPL command".into(),
                    help: Some("run it in the REPL (factql with no arguments)".into()),
                    notes: Vec::new(),
                }),
            }
        }
        if queries == 0 && diagnostics.is_empty() && lets.is_empty() {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                code: "E0102",
                message: "no query to run".into(),
                span: factql_syntax::Span::empty(source.len()),
                label: "empty".into(),
                help: Some(
                    "start with a source: articles, mentions, people, events, ... or match (...)"
                        .into(),
                ),
                notes: Vec::new(),
            });
        }
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            plan = None;
        }
        Checked { plan, diagnostics, lets }
    }

    /// The schema in effect at byte `offset` of `source`, for completion: the columns (and
    /// table, before any `select`) of the rows entering the stage the offset is in, computed
    /// from the checked prefix of the pipeline. `None` outside a query, or when its source
    /// does not check.
    pub fn scope_at(&self, source: &str, offset: usize, ctx: &Context) -> Option<StageScope> {
        introspect::scope_at(&self.ds, source, offset, ctx)
    }

    /// Runs a checked plan.
    pub fn run(&self, plan: &Plan, options: &RunOptions) -> Result<Relation, EngineError> {
        eval::Exec::new(&self.ds, options).run(plan)
    }

    /// Checks and runs `source`; errors (not warnings) stop it before anything runs.
    pub fn query(
        &self,
        source: &str,
        ctx: &Context,
        options: &RunOptions,
    ) -> Result<Relation, EngineError> {
        let checked = self.check(source, ctx);
        match checked.plan {
            Some(plan) => self.run(&plan, options),
            None => Err(EngineError::Invalid(checked.diagnostics)),
        }
    }
}

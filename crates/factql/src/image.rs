//! The engine's image beside the store (`<db>.image`): used to start in a fraction of a
//! second when it is current, written after `ingest` and `reextract` change the store, and
//! after a query that had to read the store because the image was missing or out of date.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use factql_engine::{Engine, ImageError, Loaded};
use factql_store::Store;

/// Below this, reading the store is quick enough to go unremarked.
const QUIET: Duration = Duration::from_secs(1);

/// The engine for `store`: from its image when current, else from the store with a note
/// (on stderr) of why; `true` when the image should be (re)written afterwards.
pub(crate) fn open_engine(store: &Store, db: &Path) -> anyhow::Result<(Engine, bool)> {
    let started = Instant::now();
    let (engine, loaded) =
        Engine::open(store).with_context(|| format!("cannot load {}", db.display()))?;
    let Loaded::Store(why) = loaded else { return Ok((engine, false)) };
    let took = started.elapsed();
    match why {
        // A small store reads fast: no need to say anything.
        ImageError::Missing { .. } if took < QUIET => {}
        ImageError::Missing { .. } => eprintln!(
            "note: {} has no image yet: read the store in {:.1} s; writing the image so the next start is fast",
            db.display(),
            took.as_secs_f64()
        ),
        why => eprintln!(
            "note: image not used: {why}; read the store in {:.1} s instead; rewriting the image",
            took.as_secs_f64()
        ),
    }
    Ok((engine, true))
}

/// Writes the image of `engine`'s data; a failure (a folder the user cannot write) is a
/// note, not an error: the next start reads the store again.
pub(crate) fn write(engine: &Engine, store: &Store) {
    let started = Instant::now();
    match engine.write_image(store) {
        Ok(path) if started.elapsed() >= QUIET => eprintln!(
            "note: wrote the image {} in {:.1} s",
            path.display(),
            started.elapsed().as_secs_f64()
        ),
        Ok(_) => {}
        Err(err) => {
            eprintln!("note: the image was not written ({err}); the next start reads the store")
        }
    }
}

/// After a command changed the store: rebuilds the image unless it is current. Failing to
/// is a note: the store holds everything, and the next query reads it.
pub(crate) fn refresh(store: &Store) {
    if Engine::image_is_current(store).is_ok() {
        return;
    }
    let started = Instant::now();
    match Engine::load(store) {
        Ok(engine) => {
            if started.elapsed() >= QUIET {
                eprintln!(
                    "note: read the store for its image in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            write(&engine, store);
        }
        Err(err) => eprintln!("note: the image was not written ({err})"),
    }
}

//! The sample corpus compiled into the binary.

use factql_ingest::Input;

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The bundled articles as ingest inputs.
pub(crate) fn inputs() -> Vec<Input> {
    BUNDLED.iter().map(|(name, bytes)| Input::Memory { name: (*name).to_owned(), bytes }).collect()
}

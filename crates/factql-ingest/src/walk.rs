//! Turning the paths a user names into inputs: files as given, directories walked recursively
//! in a deterministic order, `-` for standard input.

use std::path::PathBuf;

use crate::{ErrorKind, IngestError, Input, InputFormat, Origin};

/// The inputs found under the given paths, and what could not be used.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Inputs to read, in order: paths as given, directory contents sorted by name.
    pub inputs: Vec<Input>,
    /// Paths that do not exist or could not be walked.
    pub errors: Vec<IngestError>,
    /// Files inside directories skipped because their extension names no article format.
    pub ignored: Vec<PathBuf>,
}

/// Expands `paths` into inputs.
///
/// A file named explicitly is read whatever its extension (the format is then sniffed). In a
/// directory, only files with a known extension are taken; hidden files and folders, and the
/// documentation files that travel with collections (`README`, `LICENSE`, `COPYING`,
/// `ATTRIBUTION`, `NOTICE`, `CHANGELOG`, any extension) are left out and listed as ignored;
/// symbolic links are followed, and a link that leads back into its own ancestry is reported
/// instead of looping.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                let kind = if err.kind() == std::io::ErrorKind::NotFound {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Io(err)
                };
                found
                    .errors
                    .push(IngestError { origin: Origin::whole(path.display().to_string()), kind });
                continue;
            }
        };
        if !metadata.is_dir() {
            found.inputs.push(Input::File(path.clone()));
            continue;
        }
        let walker = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
            });
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    if InputFormat::from_path(entry.path()).is_some()
                        && !is_documentation(entry.path())
                    {
                        found.inputs.push(Input::File(entry.into_path()));
                    } else {
                        found.ignored.push(entry.into_path());
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    let at = err.path().map(PathBuf::from).unwrap_or_else(|| path.clone());
                    let message = if err.loop_ancestor().is_some() {
                        "symbolic link loop, not followed".to_owned()
                    } else {
                        err.io_error().map_or_else(|| err.to_string(), ToString::to_string)
                    };
                    found.errors.push(IngestError {
                        origin: Origin::whole(at.display().to_string()),
                        kind: ErrorKind::Walk { path: at, message },
                    });
                }
            }
        }
    }
    found
}

/// Files that describe a collection rather than belong to it.
fn is_documentation(path: &std::path::Path) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { return false };
    let stem = stem.to_ascii_uppercase();
    ["README", "LICENSE", "LICENCE", "COPYING", "ATTRIBUTION", "NOTICE", "CHANGELOG"]
        .contains(&stem.as_str())
}

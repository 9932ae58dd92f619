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
/// symbolic links are followed while they stay inside the folder; one that leads out of it is
/// not followed and is reported ([`ErrorKind::LinkOutside`]), so a folder cannot make factql
/// read `/etc` or a cache elsewhere. A link that leads back into its own ancestry is reported
/// instead of looping.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    discover_with(paths, false)
}

/// [`discover`], following symbolic links out of the folders too when `follow_outside`.
pub fn discover_with(paths: &[PathBuf], follow_outside: bool) -> Discovered {
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
        let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let mut outside: Vec<(PathBuf, PathBuf)> = Vec::new();
        let walker = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                if entry.depth() == 0 {
                    return true;
                }
                if entry.file_name().to_string_lossy().starts_with('.') {
                    return false;
                }
                if entry.path_is_symlink() && !follow_outside {
                    // Where it really leads, through every link on the way.
                    let target = std::fs::canonicalize(entry.path());
                    if let Ok(target) = target
                        && !target.starts_with(&root)
                    {
                        outside.push((entry.path().to_path_buf(), target));
                        return false;
                    }
                }
                true
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
        for (link, target) in outside {
            found.errors.push(IngestError {
                origin: Origin::whole(link.display().to_string()),
                kind: ErrorKind::LinkOutside { target },
            });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_of_the_folder_are_not_followed_unless_asked() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret.txt"), "Secret\n\nNot for you.\n")
            .expect("write");
        std::fs::create_dir(outside.path().join("cache")).expect("mkdir");
        std::fs::write(outside.path().join("cache/a.txt"), "Cached\n\nText.\n").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("news.txt"), "News\n\nText.\n").expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/more.txt"), "More\n\nText.\n").expect("write");
        let link = |from: &str, to: &std::path::Path| {
            std::os::unix::fs::symlink(to, dir.path().join(from)).expect("symlink")
        };
        link("passwd.txt", &outside.path().join("secret.txt"));
        link("cargo", &outside.path().join("cache"));
        link("inside.txt", &dir.path().join("sub/more.txt"));
        let names = |found: &Discovered| -> Vec<String> {
            found
                .inputs
                .iter()
                .map(|i| i.name().trim_start_matches(&dir.path().display().to_string()).to_owned())
                .collect()
        };
        let found = discover(&[dir.path().to_path_buf()]);
        assert_eq!(names(&found), ["/inside.txt", "/news.txt", "/sub/more.txt"]);
        let skipped: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(skipped.iter().all(|s| s.contains("leads out of the folder")), "{skipped:?}");
        assert!(skipped.iter().any(|s| s.contains("passwd.txt")), "{skipped:?}");
        let found = discover_with(&[dir.path().to_path_buf()], true);
        assert_eq!(
            names(&found),
            ["/cargo/a.txt", "/inside.txt", "/news.txt", "/passwd.txt", "/sub/more.txt"]
        );
        assert!(found.errors.is_empty());
    }
}

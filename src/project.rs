//! Finding the project: walk up from the working directory to the folder holding `conform.yaml`
//! or `schemas/operations.json`, as cargo finds `Cargo.toml`, so every command works from a
//! subfolder. Paths the user types stay relative to where they typed them; only the defaults
//! (cases, schemas, config, snapshots) are taken from the project root.

use std::path::{Path, PathBuf};

/// The project root above (or at) `start`, if any.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let marked = dir.join("conform.yaml").is_file()
            || dir
                .join("schemas")
                .join(crate::contract::INDEX_FILE)
                .is_file();
        marked.then(|| dir.to_path_buf())
    })
}

/// A default path: under the project root when there is one, else relative to the working
/// directory (so errors name the path the user would expect).
pub fn default_path(root: Option<&Path>, name: &str) -> PathBuf {
    match root {
        Some(r) => {
            let cwd = std::env::current_dir().unwrap_or_default();
            // Keep paths short and relative when the root is the working directory.
            if r == cwd {
                PathBuf::from(name)
            } else {
                r.join(name)
            }
        }
        None => PathBuf::from(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_found_from_a_subfolder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("schemas")).unwrap();
        std::fs::write(d.path().join("schemas/operations.json"), "[]").unwrap();
        let deep = d.path().join("cases/evs/x");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find_root(&deep).as_deref(), Some(d.path()));
        let other = tempfile::tempdir().unwrap();
        assert_eq!(find_root(other.path()), None);
    }
}

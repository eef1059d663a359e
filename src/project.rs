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

/// The default snapshots folder: the project's `snapshots/`, unless `--cases-dir` names a
/// suite outside the project, whose snapshots then go beside it (`<suite>/../snapshots`), as the
/// project keeps `cases/` and `snapshots/` side by side. Otherwise a foreign suite's cases would
/// be compared with (and, with `--snapshots update`, overwrite) the project's accepted
/// snapshots of cases that share their ids, and `snapshots prune` would take every project
/// snapshot for an orphan.
pub fn snapshots_dir(root: Option<&Path>, cases_dir: Option<&Path>) -> PathBuf {
    let project = default_path(root, "snapshots");
    let Some(cases) = cases_dir else {
        return project;
    };
    let inside = root.is_some_and(|r| {
        let r = r.canonicalize().unwrap_or_else(|_| r.to_path_buf());
        absolute(cases).starts_with(r)
    });
    if inside {
        return project;
    }
    // Relative stays relative, as the user typed it: `../other/cases` gives `../other/snapshots`.
    match cases.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join("snapshots"),
        _ => PathBuf::from("snapshots"),
    }
}

/// A path made absolute and, where it exists, canonical (so `..` and links compare equal).
fn absolute(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
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

    #[test]
    fn a_suite_outside_the_project_keeps_its_snapshots_beside_it() {
        let project = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(project.path().join("cases/evs")).unwrap();
        let root = Some(project.path());
        let ours = default_path(root, "snapshots");
        assert_eq!(snapshots_dir(root, None), ours, "no flag: the project's");
        assert_eq!(
            snapshots_dir(root, Some(&project.path().join("cases/evs"))),
            ours,
            "a folder inside the project: still the project's"
        );
        let foreign = tempfile::tempdir().unwrap();
        let suite = foreign.path().join("suite");
        std::fs::create_dir_all(&suite).unwrap();
        assert_eq!(
            snapshots_dir(root, Some(&suite)),
            foreign.path().join("snapshots"),
            "a suite elsewhere must not share the project's accepted snapshots"
        );
        assert_eq!(
            snapshots_dir(None, Some(Path::new("../other/cases"))),
            PathBuf::from("../other/snapshots"),
            "relative as typed"
        );
        assert_eq!(
            snapshots_dir(None, Some(Path::new("cases"))),
            PathBuf::from("snapshots")
        );
    }
}

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

/// A suite of cases outside the project's cases folder, named on the command line
/// (`conform run ../other/cases/`): the folder its case ids are taken under and the folder its
/// snapshots live in, so it never compares with, overwrites or prunes the project's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutsideSuite {
    /// The folder case ids are relative to.
    pub cases: PathBuf,
    /// Its snapshots folder.
    pub snapshots: PathBuf,
}

/// The suite a named case file or folder belongs to; None when it lies inside the project's
/// cases folder. A file or folder inside another project's `cases/` belongs to that project
/// (its ids and snapshots); anything else is a suite of its own, rooted at the nearest
/// enclosing folder named `cases`, else at the folder (a file's folder), with its snapshots beside that folder as the project keeps `cases/` and
/// `snapshots/` side by side (inside it, where beside it would be the project's own).
pub fn outside_suite(project_cases: &Path, path: &Path) -> Option<OutsideSuite> {
    let folder = if path.is_file() {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    } else {
        path
    };
    let abs = absolute(folder);
    if abs.starts_with(absolute(project_cases)) {
        return None;
    }
    if let Some(other) = find_root(&abs) {
        let cases = other.join("cases");
        if abs.starts_with(&cases) {
            return Some(OutsideSuite {
                cases,
                snapshots: other.join("snapshots"),
            });
        }
    }
    // A suite without a project marker is rooted at the nearest folder named `cases` (so a
    // file keeps the id it has when its whole suite runs), else at the folder itself.
    let abs = abs
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "cases"))
        .map_or(abs.clone(), Path::to_path_buf);
    let beside = match abs.parent() {
        Some(p) => p.join("snapshots"),
        None => abs.join("snapshots"),
    };
    let project_snapshots = project_cases
        .parent()
        .map(|p| absolute(p).join("snapshots"));
    let snapshots = if Some(&beside) == project_snapshots.as_ref() {
        abs.join("snapshots")
    } else {
        beside
    };
    Some(OutsideSuite {
        cases: abs,
        snapshots,
    })
}

/// The snapshots folder of a run whose positional arguments name `paths` (the ones that exist)
/// and, when `globs` is set, ids or globs of the project's cases folder too: the project's
/// when nothing outside is named, the outside suite's when everything named is in one suite.
/// Cases of two suites in one run would share one folder, so that is an error unless the
/// caller names the folder.
pub fn snapshots_for_paths(
    project_cases: &Path,
    project_snapshots: PathBuf,
    paths: &[PathBuf],
    globs: bool,
) -> Result<PathBuf, String> {
    let suites: Vec<Option<OutsideSuite>> = paths
        .iter()
        .map(|p| outside_suite(project_cases, p))
        .collect();
    let inside = globs || paths.is_empty() || suites.iter().any(Option::is_none);
    let mut outside: Vec<OutsideSuite> = suites.into_iter().flatten().collect();
    outside.sort();
    outside.dedup();
    match (outside.as_slice(), inside) {
        ([], _) => Ok(project_snapshots),
        ([one], false) => Ok(one.snapshots.clone()),
        _ => Err(format!(
            "these cases come from {} suites ({}), whose snapshots live apart: run each suite on its own, or name one folder with --snapshots-dir (or --snapshots off)",
            outside.len() + usize::from(inside),
            inside
                .then(|| project_cases.display().to_string())
                .into_iter()
                .chain(outside.iter().map(|s| s.cases.display().to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
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

    #[test]
    fn a_suite_named_by_path_keeps_its_ids_and_snapshots_apart_from_the_project() {
        let project = tempfile::tempdir().unwrap();
        let cases = project.path().join("cases");
        std::fs::create_dir_all(cases.join("evs")).unwrap();
        std::fs::write(cases.join("evs/a.yaml"), "").unwrap();
        assert_eq!(outside_suite(&cases, &cases.join("evs/a.yaml")), None);
        assert_eq!(outside_suite(&cases, &cases.join("evs")), None);

        let foreign = tempfile::tempdir().unwrap();
        let foreign = foreign.path().canonicalize().unwrap();
        let other = foreign.join("other");
        std::fs::create_dir_all(other.join("cases/evs")).unwrap();
        std::fs::write(other.join("cases/evs/a.yaml"), "").unwrap();
        let whole = OutsideSuite {
            cases: other.join("cases"),
            snapshots: other.join("snapshots"),
        };
        assert_eq!(
            outside_suite(&cases, &other.join("cases")),
            Some(whole.clone())
        );
        assert_eq!(
            outside_suite(&cases, &other.join("cases/evs/a.yaml")),
            Some(whole.clone()),
            "a single file keeps the id it has in its suite"
        );
        let project_snapshots = project.path().join("snapshots");
        assert_eq!(
            snapshots_for_paths(
                &cases,
                project_snapshots.clone(),
                &[other.join("cases")],
                false
            ),
            Ok(other.join("snapshots"))
        );
        assert_eq!(
            snapshots_for_paths(&cases, project_snapshots.clone(), &[], false),
            Ok(project_snapshots.clone())
        );
        let mixed = snapshots_for_paths(
            &cases,
            project_snapshots.clone(),
            &[other.join("cases")],
            true,
        )
        .unwrap_err();
        assert!(mixed.contains("--snapshots-dir"), "{mixed}");

        // A folder of the project outside cases/ would put its snapshots beside itself, which
        // is the project's own snapshots folder: they go inside it instead.
        let examples = project.path().join("examples");
        std::fs::create_dir_all(&examples).unwrap();
        let suite = outside_suite(&cases, &examples).unwrap();
        assert_ne!(
            suite.snapshots,
            project.path().canonicalize().unwrap().join("snapshots")
        );
    }
}

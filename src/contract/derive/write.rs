//! Writing a derivation to disk, deterministically: sorted keys, two-space indent, final newline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{DeriveError, Derived};
use crate::contract::{kind_file, ERROR_CODES_FILE, INDEX_FILE};

/// The documentation defects of a derivation, in the output folder.
pub const DEFECTS_FILE: &str = "defects.json";
/// The pages that yield no operation, with the reason, in the output folder.
pub const SKIPPED_FILE: &str = "skipped.json";

/// Serialises a JSON value the way every contract file is written.
pub fn to_pretty(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// The files a derivation consists of, relative path → content.
pub fn files(derived: &Derived) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    out.insert(PathBuf::from(INDEX_FILE), to_pretty(&derived.operations));
    out.insert(
        PathBuf::from(ERROR_CODES_FILE),
        to_pretty(&derived.error_codes),
    );
    if !derived.resources.kinds.is_empty() {
        out.insert(
            PathBuf::from(crate::contract::resources::RESOURCES_FILE),
            to_pretty(&derived.resources),
        );
    }
    // Always written, empty or not, so a stale list never outlives a clean run.
    out.insert(PathBuf::from(DEFECTS_FILE), to_pretty(&derived.defects));
    out.insert(PathBuf::from(SKIPPED_FILE), to_pretty(&derived.skipped));
    for ((id, kind), schema) in &derived.schemas {
        out.insert(Path::new(id).join(kind_file(*kind)), to_pretty(schema));
    }
    out
}

/// Writes the contract under `out`, removing schema folders of operations that no longer exist.
/// Returns the files written.
pub fn write(derived: &Derived, out: &Path) -> Result<Vec<PathBuf>, DeriveError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DeriveError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let files = files(derived);
    let ids: std::collections::BTreeSet<&str> =
        derived.operations.iter().map(|o| o.id.as_str()).collect();
    for entry in std::fs::read_dir(out).map_err(io(out))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_schema_dir = entry.path().is_dir()
            && std::fs::read_dir(entry.path())
                .map(|d| {
                    d.flatten()
                        .all(|f| f.file_name().to_string_lossy().ends_with(".schema.json"))
                })
                .unwrap_or(false);
        if is_schema_dir && !ids.contains(name.as_str()) {
            std::fs::remove_dir_all(entry.path()).map_err(io(&entry.path()))?;
        }
    }
    let mut written = Vec::new();
    for (rel, content) in files {
        let path = out.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // Remove stale response schemas of an operation whose statuses changed.
        std::fs::write(&path, content).map_err(io(&path))?;
        written.push(path);
    }
    for op in &derived.operations {
        let dir = out.join(&op.id);
        // An operation without any documented body has no folder.
        if !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            let rel = Path::new(&op.id).join(entry.file_name());
            if !written.iter().any(|w| w.ends_with(&rel)) {
                std::fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            }
        }
    }
    Ok(written)
}

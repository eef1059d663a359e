//! The derive manifest (`pages.yaml`): data that says what a page's folder cannot.
//!
//! Pages in a service folder (`pages/evs/…`) need no entry. Pages in flat folders are mapped to a
//! service here, each service can name folders of reference pages (status lists, error codes)
//! that operation pages link to, and a join the structural matcher makes can be overridden.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::DeriveError;

/// One service's entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    /// Page file names that belong to the service.
    #[serde(default)]
    pub pages: Vec<String>,
    /// Folders (relative to the manifest) searched for the pages operation pages refer to.
    #[serde(default)]
    pub references: Vec<PathBuf>,
    /// Further operation pages (relative to the manifest) derived with every run, wherever they
    /// live: the reads a suite needs beside the pages given on the command line.
    #[serde(default)]
    pub include: Vec<PathBuf>,
}

/// The manifest file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, ServiceEntry>,
    /// Page file name → operation id, overriding the structural join of a page without a URI.
    #[serde(default)]
    pub joins: BTreeMap<String, String>,
    /// The resource table, written to the contract as `resources.json`.
    #[serde(default)]
    pub resources: crate::contract::resources::ResourceTable,
    /// Where the manifest was read from (reference folders are relative to it).
    #[serde(skip)]
    pub base: PathBuf,
}

impl Manifest {
    /// Reads a manifest, reporting YAML errors with line and column.
    pub fn load(path: &Path) -> Result<Manifest, DeriveError> {
        let text =
            crate::input::read_text(path, crate::input::DOCUMENT).map_err(|e| DeriveError::Io {
                path: path.to_path_buf(),
                source: e.into(),
            })?;
        let mut manifest: Manifest = serde_saphyr::from_str(&text).map_err(|e| {
            let (line, column, message) = crate::yaml::error_parts(&e);
            DeriveError::Manifest {
                file: path.display().to_string(),
                line,
                column,
                message,
            }
        })?;
        manifest.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        manifest
            .resources
            .validate()
            .map_err(|e| DeriveError::Manifest {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: e.to_string(),
            })?;
        Ok(manifest)
    }

    /// The service a page file name is mapped to (listed, or included).
    pub fn service_of(&self, file_name: &str) -> Option<&str> {
        self.services
            .iter()
            .find(|(_, e)| {
                e.pages.iter().any(|p| p == file_name)
                    || e.include
                        .iter()
                        .any(|p| p.file_name().is_some_and(|f| f == file_name))
            })
            .map(|(s, _)| s.as_str())
    }

    /// Whether the manifest names this page file: by file name among a service's `pages` (flat
    /// folders such as the seeds), or as the very file one of its `include`s resolves to (a
    /// page of the same name in another folder is another page).
    pub fn names_file(&self, path: &Path) -> bool {
        let named = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            self.services
                .values()
                .any(|e| e.pages.iter().any(|p| p == n))
        });
        named || {
            let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            self.includes().iter().any(|i| same(i, path))
        }
    }

    /// Every included page, resolved against the manifest's folder, in manifest order.
    pub fn includes(&self) -> Vec<PathBuf> {
        self.services
            .values()
            .flat_map(|e| e.include.iter().map(|p| self.base.join(p)))
            .collect()
    }

    /// Reference folders of a service, resolved against the manifest's folder.
    pub fn references(&self, service: &str) -> Vec<PathBuf> {
        self.services
            .get(service)
            .map(|e| e.references.iter().map(|r| self.base.join(r)).collect())
            .unwrap_or_default()
    }
}

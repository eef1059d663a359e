//! The commands behind the CLI: each takes resolved arguments and returns data or an [`Error`];
//! none of them exits the process.

pub mod derive;
pub mod lint;
pub mod mock;
pub mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::case::{self, Case};
use crate::contract::Contract;
use crate::error::Error;

/// Which cases to take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The cases folder.
    pub cases_dir: PathBuf,
    /// Globs over case ids or paths (`evs/**`, `cases/evs/*.yaml`).
    pub globs: Vec<String>,
    /// Only cases with one of these tags.
    pub tags: Vec<String>,
    /// Only cases of one of these operations.
    pub operations: Vec<String>,
}

/// Loads the contract.
pub fn load_contract(dir: &Path) -> Result<Contract, Error> {
    Contract::load(dir).map_err(|e| Error::bad(format!("contract: {e}")))
}

/// Finds, loads and filters cases; every load error is reported.
pub fn load_cases(sel: &Selection, contract: &Contract) -> Result<Vec<Case>, Error> {
    let files = case::discover(&sel.cases_dir).map_err(|e| Error::bad(e.to_string()))?;
    let mut builder = globset::GlobSetBuilder::new();
    for g in &sel.globs {
        let glob =
            globset::Glob::new(g).map_err(|e| Error::bad(format!("case filter '{g}': {e}")))?;
        builder.add(glob);
    }
    let globs = builder
        .build()
        .map_err(|e| Error::bad(format!("case filters: {e}")))?;
    let files: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter(|(id, path)| {
            sel.globs.is_empty()
                || globs.is_match(id)
                || globs.is_match(path)
                || sel.globs.iter().any(|g| g == id)
        })
        .collect();
    let (cases, errors) = case::load_all(&files, contract);
    if !errors.is_empty() {
        return Err(Error::BadInput(
            errors.iter().map(ToString::to_string).collect(),
        ));
    }
    Ok(cases
        .into_iter()
        .filter(|c| sel.tags.is_empty() || c.file.tags.iter().any(|t| sel.tags.contains(t)))
        .filter(|c| {
            sel.operations.is_empty()
                || sel.operations.iter().any(|o| {
                    c.file.operation.value == *o
                        || c.file
                            .steps
                            .iter()
                            .any(|s| s.value.operation.as_ref().is_some_and(|x| x.value == *o))
                })
        })
        .collect())
}

/// Reads a vars file (a YAML or JSON map of names to values).
pub fn load_vars_file(path: &Path) -> Result<BTreeMap<String, Value>, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::bad(format!("--vars-file {}: {e}", path.display())))?;
    serde_saphyr::from_str(&text).map_err(|e| {
        let (l, c, m) = crate::yaml::error_parts(&e);
        Error::bad(format!("{}:{l}:{c}: {m}", path.display()))
    })
}

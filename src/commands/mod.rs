//! The commands behind the CLI: each takes resolved arguments and returns data or an [`Error`];
//! none of them exits the process.

pub mod coverage;
pub mod derive;
pub mod doctor;
pub mod generate;
pub mod init;
pub mod lint;
pub mod mock;
pub mod restore;
pub mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::case::vars::Vars;
use crate::case::{self, CaseRef};
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

/// The cases a command works on.
#[derive(Debug, Default)]
pub struct Selected {
    /// Selected cases, sorted by id.
    pub cases: Vec<CaseRef>,
    /// Problems that need the variable scope (undefined variables, contract disagreement).
    pub prepare_errors: Vec<String>,
}

/// Finds, loads, validates, prepares and filters cases one file at a time, keeping only a
/// [`CaseRef`] of each, so memory does not grow with the case models. Load errors (every one)
/// are the error; preparation errors are returned for the caller to rank against others.
pub fn select_cases(sel: &Selection, contract: &Contract, scope: &Vars) -> Result<Selected, Error> {
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
    let mut selected = Selected::default();
    let mut load_errors = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (id, path) in files {
        if !(sel.globs.is_empty()
            || globs.is_match(&id)
            || globs.is_match(&path)
            || sel.globs.contains(&id))
        {
            continue;
        }
        if let Some(first) = seen.get(&id) {
            load_errors.push(format!(
                "{}:0:0: duplicate case id '{id}': {} has the same path without extension",
                path.display(),
                first.display()
            ));
            continue;
        }
        seen.insert(id.clone(), path.clone());
        let case = match case::load_case(&id, &path, contract) {
            Ok(c) => c,
            Err(e) => {
                load_errors.push(e.to_string());
                continue;
            }
        };
        let wanted_tag = sel.tags.is_empty() || case.file.tags.iter().any(|t| sel.tags.contains(t));
        let wanted_op = sel.operations.is_empty()
            || sel.operations.iter().any(|o| {
                case.file.operation.value == *o
                    || case
                        .file
                        .steps
                        .iter()
                        .any(|s| s.value.operation.as_ref().is_some_and(|x| x.value == *o))
            });
        if !(wanted_tag && wanted_op) {
            continue;
        }
        if let Err(e) = case::prepare(&case, contract, scope) {
            selected.prepare_errors.push(e.to_string());
        }
        selected.cases.push(case.to_ref());
    }
    if !load_errors.is_empty() {
        return Err(Error::BadInput(load_errors));
    }
    selected.cases.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(selected)
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

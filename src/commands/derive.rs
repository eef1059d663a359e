//! `conform derive` and `conform openapi`.

use std::path::{Path, PathBuf};

use crate::contract::derive::{self, manifest::Manifest, write};
use crate::contract::openapi;
use crate::error::Error;

/// Derives the contract from pages and writes it; returns the derive log.
pub fn derive(
    inputs: &[PathBuf],
    out: &Path,
    manifest: Option<&Path>,
) -> Result<Vec<String>, Error> {
    let manifest = match manifest {
        Some(p) => Manifest::load(p).map_err(|e| Error::bad(e.to_string()))?,
        None if Path::new("pages.yaml").exists() => {
            Manifest::load(Path::new("pages.yaml")).map_err(|e| Error::bad(e.to_string()))?
        }
        None => Manifest::default(),
    };
    let derived = derive::derive(inputs, &manifest).map_err(|e| Error::bad(e.to_string()))?;
    write::write(&derived, out).map_err(|e| Error::Io(e.to_string()))?;
    let mut log = derived.log;
    log.push(format!(
        "wrote {} operations to {}",
        derived.operations.len(),
        out.display()
    ));
    Ok(log)
}

/// The OpenAPI 3.1 document of a schemas folder, pretty-printed.
pub fn openapi(schemas: &Path) -> Result<String, Error> {
    let contract = super::load_contract(schemas)?;
    Ok(write::to_pretty(&openapi::document(&contract)))
}

//! `conform generate`: write the cases the contract implies, one YAML file per case.

use std::path::Path;

use crate::error::Error;
use crate::generate::{self, GeneratedCase, Options};

use super::load_contract;

/// Generates the cases of the selected operations and writes them under `out`
/// (`<out>/<service>/<operation>/<case>.yaml`), replacing earlier generated files there.
/// Returns the cases written.
pub fn generate(
    schemas: &Path,
    out: &Path,
    options: &Options,
) -> Result<Vec<GeneratedCase>, Error> {
    let contract = load_contract(schemas)?;
    let cases = generate::generate(&contract, options).map_err(|e| Error::bad(e.to_string()))?;
    generate::write(&cases, out)
        .map_err(|e| Error::Io(format!("cannot write {}: {e}", out.display())))?;
    Ok(cases)
}

//! The commands behind the CLI: each takes resolved arguments and returns data or an [`Error`];
//! none of them exits the process. Each `main` is what the binary dispatches to: it prints what
//! the command found and returns the exit code.

pub mod coverage;
pub mod derive;
pub mod doctor;
pub mod generate;
pub mod init;
pub mod lint;
pub mod mock;
pub mod restore;
pub mod run;
pub mod select;
pub mod snapshots;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

pub use self::select::{select_cases, NoCases, Selected, Selection};
use crate::contract::Contract;
use crate::error::Error;

/// Loads the contract; a broken file is a positioned diagnostic.
pub fn load_contract(dir: &Path) -> Result<Contract, Error> {
    use crate::contract::ContractError;
    use crate::diagnostic::Diagnostic;
    Contract::load(dir).map_err(|e| {
        Error::from(match e {
            ContractError::Json {
                path,
                line,
                column,
                message,
            } => Diagnostic::at(path, line, column, format!("contract: {message}")),
            ContractError::Schema { path, message } => {
                Diagnostic::file(path, format!("contract: invalid schema: {message}"))
            }
            e @ (ContractError::UnknownAlternative { .. } | ContractError::UnknownOperation(_)) => {
                Diagnostic::plain(format!("contract: {e}"))
            }
            ContractError::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
                Diagnostic::file(path, format!("no contract in {}", dir.display())).with_help(
                    "no conform project here or above (no conform.yaml or schemas/operations.json): \
                     `conform init` starts one with the shipped contract and suite, \
                     `conform derive PAGES --out schemas` derives one, --schemas DIR names one",
                )
            }
            ContractError::Io { path, source } => Diagnostic::file(
                path,
                format!("contract: cannot read: {source} (derive it with `conform derive PAGES --out DIR`)"),
            ),
        })
    })
}

/// Reads a vars file (a YAML or JSON map of names to values).
pub fn load_vars_file(path: &Path) -> Result<BTreeMap<String, Value>, Error> {
    let text = crate::input::read_text(path, crate::input::DOCUMENT).map_err(|e| {
        Error::from(crate::diagnostic::Diagnostic::file(
            path,
            format!("--vars-file: {e}"),
        ))
    })?;
    serde_saphyr::from_str(&text).map_err(|e| Error::from(crate::yaml::diagnostic(path, &e)))
}

/// The async runtime the commands that send requests run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))
}

//! `conform lint`: load and validate every case without sending anything.

use crate::case::vars::Vars;
use crate::error::Error;

use super::run::{base_vars, mock_target_vars, VarSources};
use super::{load_contract, select_cases, Selection};

/// What lint found good.
#[derive(Debug)]
pub struct Linted {
    /// Cases checked.
    pub cases: usize,
    /// Parts of the selection that matched nothing (with `--no-cases warn`).
    pub warnings: Vec<String>,
}

/// Validates cases: format, variables (against the built-in mock's variables plus the given
/// ones) and contract agreement; and the project's `conform.yaml` when there is one, which
/// `run` would refuse as broken.
pub fn lint(
    sel: &Selection,
    schemas: &std::path::Path,
    vars: &VarSources,
    config: &std::path::Path,
) -> Result<Linted, Error> {
    if config.is_file() {
        crate::run::target::Config::load(config)?;
    }
    let contract = load_contract(schemas)?;
    let mut scope: Vars = base_vars(
        &mock_target_vars(&crate::mock::state::Fixtures::defaults(), &contract),
        vars,
    )?;
    scope.set("run_id", serde_json::Value::String("lint".into()));
    let selected = select_cases(sel, &contract, &scope)?;
    if selected.prepare_errors.is_empty() {
        Ok(Linted {
            cases: selected.cases.len(),
            warnings: selected.warnings,
        })
    } else {
        Err(Error::BadInput(selected.prepare_errors))
    }
}

/// `conform lint`: prints the warnings and the count of cases that are fine.
pub fn main(
    sel: &Selection,
    schemas: &std::path::Path,
    vars: &VarSources,
    config: &std::path::Path,
) -> Result<i32, Error> {
    let linted = lint(sel, schemas, vars, config)?;
    for w in &linted.warnings {
        eprintln!("warning: {w}");
    }
    println!("{} cases ok", linted.cases);
    Ok(crate::exit_code::OK)
}

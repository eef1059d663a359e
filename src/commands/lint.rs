//! `conform lint`: load and validate every case without sending anything.

use crate::case::vars::Vars;
use crate::case::{self};
use crate::error::Error;

use super::run::{base_vars, mock_target_vars, VarSources};
use super::{load_cases, load_contract, Selection};

/// Validates cases: format, variables (against the built-in mock's variables plus the given
/// ones) and contract agreement. Returns the number of cases checked.
pub fn lint(sel: &Selection, schemas: &std::path::Path, vars: &VarSources) -> Result<usize, Error> {
    let contract = load_contract(schemas)?;
    let cases = load_cases(sel, &contract)?;
    let mut scope: Vars = base_vars(
        &mock_target_vars(&crate::mock::state::Fixtures::defaults()),
        vars,
    )?;
    scope.set("run_id", serde_json::Value::String("lint".into()));
    let errors: Vec<String> = cases
        .iter()
        .filter_map(|c| case::prepare(c, &contract, &scope).err())
        .map(|e| e.to_string())
        .collect();
    if errors.is_empty() {
        Ok(cases.len())
    } else {
        Err(Error::BadInput(errors))
    }
}

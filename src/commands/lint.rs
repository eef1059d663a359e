//! `conform lint`: load and validate every case without sending anything.

use crate::case::vars::Vars;
use crate::error::Error;

use super::run::{base_vars, mock_target_vars, VarSources};
use super::{load_contract, select_cases, Selection};

/// Validates cases: format, variables (against the built-in mock's variables plus the given
/// ones) and contract agreement. Returns the number of cases checked.
pub fn lint(sel: &Selection, schemas: &std::path::Path, vars: &VarSources) -> Result<usize, Error> {
    let contract = load_contract(schemas)?;
    let mut scope: Vars = base_vars(
        &mock_target_vars(&crate::mock::state::Fixtures::defaults()),
        vars,
    )?;
    scope.set("run_id", serde_json::Value::String("lint".into()));
    let selected = select_cases(sel, &contract, &scope)?;
    if selected.prepare_errors.is_empty() {
        Ok(selected.cases.len())
    } else {
        Err(Error::BadInput(selected.prepare_errors))
    }
}

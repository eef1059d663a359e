//! `conform coverage`: the rule-coverage matrix of the contract against the cases, with the last
//! run's observations from a `--report-json` file.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::generate::coverage::{self, CaseInfo, Coverage, Verdicts};
use crate::generate::rules;

use super::load_contract;

/// What `conform coverage` works on.
#[derive(Debug, Clone, Default)]
pub struct CoverageArgs {
    /// The contract folder.
    pub schemas: PathBuf,
    /// The cases folder (every case under it, generated ones included).
    pub cases_dir: PathBuf,
    /// Only these operations (empty: all).
    pub operations: Vec<String>,
    /// A run's JSON report, for the observations.
    pub report: Option<PathBuf>,
}

/// Summaries of every case under a folder, for matching against rules.
pub fn case_infos(
    dir: &Path,
    contract: &crate::contract::Contract,
) -> Result<Vec<CaseInfo>, Error> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let files = crate::case::discover(dir)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (id, path) in files {
        match crate::case::load_case(&id, &path, contract) {
            Ok(case) => out.push(CaseInfo::from_case(&case, contract)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::BadInput(errors))
    }
}

/// Builds the matrix.
pub fn coverage(args: &CoverageArgs) -> Result<Coverage, Error> {
    let contract = load_contract(&args.schemas)?;
    for id in &args.operations {
        if contract.operation(id).is_none() {
            return Err(Error::bad(format!("unknown operation '{id}'")));
        }
    }
    let rules = rules::all_rules(&contract, &args.operations);
    let cases = case_infos(&args.cases_dir, &contract)?;
    let (verdicts, traffic) = match &args.report {
        Some(p) => {
            let text = crate::input::read_text(p, crate::input::REPORT).map_err(|e| {
                Error::from(crate::diagnostic::Diagnostic::file(
                    p,
                    format!("--report: {e}"),
                ))
            })?;
            let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Error::bad(format!("{}:{}:{}: {e}", p.display(), e.line(), e.column()))
            })?;
            (
                coverage::verdicts_from_report(&report),
                Some(coverage::traffic_from_report(&report)),
            )
        }
        None => (Verdicts::new(), None),
    };
    Ok(coverage::coverage(
        &rules,
        &cases,
        &verdicts,
        traffic.as_ref(),
    ))
}

//! `conform coverage`: the rule-coverage matrix of the contract against the cases, with the last
//! run's observations from a `--report-json` file.

use std::path::{Path, PathBuf};

use crate::check::response_fields::{self, FieldDrift};
use crate::contract::rules;
use crate::contract::SchemaKind;
use crate::error::Error;
use crate::report::coverage::{self, CaseInfo, Coverage, Verdicts};

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

/// The matrix and the scorecard built from it.
#[derive(Debug)]
pub struct Covered {
    /// The rule-coverage matrix.
    pub matrix: Coverage,
    /// One scorecard row per operation of the matrix.
    pub scorecard: Vec<crate::report::scorecard::Row>,
}

/// Builds the matrix and the scorecard.
pub fn coverage(args: &CoverageArgs) -> Result<Covered, Error> {
    let contract = load_contract(&args.schemas)?;
    for id in &args.operations {
        if contract.operation(id).is_none() {
            return Err(Error::bad(format!("unknown operation '{id}'")));
        }
    }
    let rules = rules::all_rules(&contract, &args.operations);
    let cases = case_infos(&args.cases_dir, &contract)?;
    let mut report_json = None;
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
            let out = (
                coverage::verdicts_from_report(&report),
                Some(coverage::traffic_from_report(&report)),
            );
            report_json = Some(report);
            out
        }
        None => (Verdicts::new(), None),
    };
    let mut matrix = coverage::coverage(&rules, &cases, &verdicts, traffic.as_ref());
    if let Some(report) = &report_json {
        let (drift, codes) = response_drift(&contract, report, &args.operations);
        matrix.drift = drift;
        matrix.codes_never_seen = codes;
    }
    let scorecard = scorecard(&contract, &args.schemas, &matrix, report_json.as_ref());
    Ok(Covered { matrix, scorecard })
}

/// The scorecard's rows: the matrix with each operation's service, the derive defects of its
/// pages (`defects.json` beside the contract), how the run's cases that called it ended, and
/// how many response fields its pages document.
fn scorecard(
    contract: &crate::contract::Contract,
    schemas: &Path,
    matrix: &Coverage,
    report: Option<&serde_json::Value>,
) -> Vec<crate::report::scorecard::Row> {
    use serde_json::Value;
    let mut inputs = crate::report::scorecard::Inputs {
        coverage: Some(matrix),
        ..Default::default()
    };
    for op in &contract.operations {
        inputs.services.insert(op.id.clone(), op.service.clone());
        let fields: usize = op
            .success
            .iter()
            .filter_map(|s| contract.schema(&op.id, SchemaKind::Response(*s)))
            .map(|s| response_fields::documented(s).len())
            .sum();
        inputs.documented_fields.insert(op.id.clone(), fields);
    }
    let defects: Vec<Value> =
        crate::input::read(&schemas.join("defects.json"), crate::input::CONTRACT)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
    for d in &defects {
        if let Some(op) = d.get("operation").and_then(Value::as_str) {
            *inputs.defects.entry(op.to_string()).or_default() += 1;
        }
    }
    for c in report
        .and_then(|r| r.get("cases"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let failed = matches!(
            c.get("verdict").and_then(Value::as_str),
            Some("failed" | "errored")
        );
        let passed = c.get("verdict").and_then(Value::as_str) == Some("passed");
        let mut ops: Vec<&str> = c
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("operation").and_then(Value::as_str))
            .filter(|o| contract.operation(o).is_some())
            .collect();
        ops.sort_unstable();
        ops.dedup();
        for op in ops {
            let e = inputs.verdicts.entry(op.to_string()).or_default();
            e.0 += usize::from(passed);
            e.1 += usize::from(failed);
        }
    }
    crate::report::scorecard::rows(&inputs)
}

/// Response-side drift from a run's report: per operation, documented response fields no
/// answer carried and undocumented ones answers did; per service, documented error codes no
/// answer carried. Only operations the run called are judged.
fn response_drift(
    contract: &crate::contract::Contract,
    report: &serde_json::Value,
    operations: &[String],
) -> (
    std::collections::BTreeMap<String, FieldDrift>,
    std::collections::BTreeMap<String, Vec<String>>,
) {
    use serde_json::Value;
    let steps = report
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| {
            c.get("steps")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
    let mut answers: std::collections::BTreeMap<&str, Vec<&Value>> = Default::default();
    let mut codes_seen: std::collections::BTreeSet<String> = Default::default();
    let mut services_called: std::collections::BTreeSet<&str> = Default::default();
    for s in steps {
        let Some(op) = s
            .get("operation")
            .and_then(Value::as_str)
            .and_then(|id| contract.operation(id))
        else {
            continue;
        };
        if !operations.is_empty() && !operations.contains(&op.id) {
            continue;
        }
        services_called.insert(op.service.as_str());
        let status = s
            .pointer("/response/status")
            .and_then(Value::as_u64)
            .unwrap_or_default() as u16;
        let Some(json) = s.pointer("/response/json") else {
            continue;
        };
        if op.success.contains(&status) {
            answers.entry(op.id.as_str()).or_default().push(json);
        } else if status >= 400 {
            let mut texts = Vec::new();
            crate::case::vars::strings_of(json, &mut texts);
            codes_seen.extend(texts);
        }
    }
    let drift = answers
        .into_iter()
        .filter_map(|(id, bodies)| {
            let op = contract.operation(id)?;
            let mut documented: Vec<String> = op
                .success
                .iter()
                .filter_map(|s| contract.schema(id, SchemaKind::Response(*s)))
                .flat_map(response_fields::documented)
                .collect();
            documented.sort();
            documented.dedup();
            Some((id.to_string(), FieldDrift::of(&documented, bodies)))
        })
        .collect();
    let codes = services_called
        .into_iter()
        .filter_map(|service| {
            let never: Vec<String> = contract
                .error_codes
                .get(service)?
                .values()
                .flatten()
                .map(|c| c.code.clone())
                .filter(|c| !codes_seen.contains(c))
                .collect();
            (!never.is_empty()).then(|| (service.to_string(), never))
        })
        .collect();
    (drift, codes)
}

/// Where `conform coverage` writes, and what it gates on.
#[derive(Debug, Clone, Default)]
pub struct CoverageOutputs {
    /// The scorecard and the matrix as Markdown.
    pub markdown: Option<PathBuf>,
    /// The scorecard as one HTML page.
    pub html: Option<PathBuf>,
    /// The matrix as JSON.
    pub json: Option<PathBuf>,
    /// Exit 1 when an operation's coverage is below this percentage.
    pub min_coverage: Option<f64>,
}

/// `conform coverage`: prints the matrix, writes the outputs asked for, and exits 1 when an
/// operation is below `--min-coverage`.
pub fn main(args: &CoverageArgs, outputs: &CoverageOutputs) -> Result<i32, Error> {
    let covered = coverage(args)?;
    let matrix = &covered.matrix;
    let observed = matrix.basis == "observed";
    print!("{}", coverage::console(matrix));
    let write = |path: &Path, text: String| {
        std::fs::write(path, text)
            .map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
    };
    if let Some(p) = &outputs.markdown {
        let scorecard = crate::report::scorecard::markdown(&covered.scorecard, observed);
        write(p, format!("{scorecard}\n{}", coverage::markdown(matrix)))?;
    }
    if let Some(p) = &outputs.html {
        write(
            p,
            crate::report::scorecard::html(&covered.scorecard, observed),
        )?;
    }
    if let Some(p) = &outputs.json {
        let text = serde_json::to_string_pretty(matrix).map_err(|e| Error::Io(e.to_string()))?;
        write(p, text + "\n")?;
    }
    let min = outputs.min_coverage.unwrap_or(0.0);
    let below: Vec<String> = matrix
        .operations
        .iter()
        .filter(|o| o.percent < min)
        .map(|o| format!("{} {:.1}%", o.operation, o.percent))
        .collect();
    if below.is_empty() {
        return Ok(crate::exit_code::OK);
    }
    eprintln!("conform: below --min-coverage {min}%: {}", below.join(", "));
    Ok(crate::exit_code::FAILED)
}

//! `conform doctor --target NAME`: is the target ready? Reachability, auth and a scratch
//! resource of every kind the cases touch (read as the resource table says), each checked with
//! a read-only call and reported in one line.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::contract::resources::{fill_path, Bindings};
use crate::contract::Contract;
use crate::error::Error;
use crate::run::auth::authorize;
use crate::run::client::{Http, Outgoing};
use crate::run::target::{Auth, Config, Target};

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub what: String,
    /// None when fine, else what is wrong.
    pub problem: Option<String>,
}

/// Runs the checks; returns them in order. Unreachable services stop the checks that need them.
pub async fn doctor(
    config_path: &Path,
    name: &str,
    timeout: Duration,
    schemas: &Path,
    cases_dir: &Path,
    vars_files: &[std::path::PathBuf],
) -> Result<Vec<Check>, Error> {
    if !config_path.exists() {
        return Err(Error::bad(format!(
            "--target {name}: config file {} not found",
            config_path.display()
        )));
    }
    let config = Config::load(config_path)?;
    let mut target: Target = config.target(name, config_path, "--target")?;
    // `--vars-file` adds to (and overrides) the target's variables, as it does for `run`.
    for f in vars_files {
        target.vars.extend(super::load_vars_file(f)?);
    }
    let http = Http::new().map_err(|e| Error::Io(e.to_string()))?;
    let mut checks = Vec::new();
    for base in target.base_urls() {
        let problem = super::run::reachable(&target.name, &base)
            .await
            .err()
            .map(|e| e.to_string());
        checks.push(Check {
            what: format!("reachable: {base}"),
            problem,
        });
    }
    if checks.iter().any(|c| c.problem.is_some()) {
        return Ok(checks);
    }
    if let Auth::Password(login) = &target.auth {
        match crate::run::auth::iam::token(&http, login, timeout).await {
            Ok(token) => {
                checks.push(Check {
                    what: format!("IAM login at {} as {}", login.iam_endpoint, login.user),
                    problem: None,
                });
                target.auth = Auth::Token(token);
            }
            Err(e) => {
                checks.push(Check {
                    what: "IAM login".into(),
                    problem: Some(e.to_string()),
                });
                return Ok(checks);
            }
        }
    }
    let var = |k: &str| {
        target
            .vars
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let Some(project) = var("project_id") else {
        checks.push(Check {
            what: "vars.project_id".into(),
            problem: Some("not set: cases cannot address the project".into()),
        });
        return Ok(checks);
    };
    let (contract, kinds) = match touched_kinds(schemas, cases_dir) {
        Ok(x) => x,
        Err(e) => {
            checks.push(Check {
                what: "contract and cases".into(),
                problem: Some(e.to_string()),
            });
            return Ok(checks);
        }
    };
    for kind in kinds {
        let Some(kind) = contract.resources.by_kind(&kind) else {
            continue;
        };
        let Some(key) = &kind.scratch_var else {
            checks.push(Check {
                what: format!("{}: scratch resource", kind.kind),
                problem: Some("the resource table names no scratch_var for this kind".into()),
            });
            continue;
        };
        let Some(id) = var(key) else {
            checks.push(Check {
                what: format!("vars.{key}"),
                problem: Some(format!(
                    "not set: {} cases need a scratch {}",
                    kind.service, kind.kind
                )),
            });
            continue;
        };
        let Some(base) = target.base_url(&kind.service) else {
            checks.push(Check {
                what: format!("{} base URL", kind.service),
                problem: Some("the target names no endpoint for it".into()),
            });
            continue;
        };
        let mut b = Bindings::new();
        b.insert("project_id", Value::String(project.clone()));
        b.insert("id", Value::String(id.clone()));
        let path = fill_path(&kind.read.path, &b);
        let what = format!("{}: {} {path}", kind.service, kind.read.method);
        let (url, headers) = match authorize(
            &target.auth,
            &kind.read.method,
            base,
            &path,
            &[],
            Vec::new(),
            None,
        ) {
            Ok(x) => x,
            Err(e) => {
                checks.push(Check {
                    what,
                    problem: Some(e),
                });
                continue;
            }
        };
        let Ok(method) = reqwest::Method::from_bytes(kind.read.method.as_bytes()) else {
            checks.push(Check {
                what,
                problem: Some("the resource table's read method is not an HTTP method".into()),
            });
            continue;
        };
        let out = Outgoing {
            method,
            url,
            headers,
            body: None,
        };
        let problem = match http.send(&out, timeout).await {
            Ok(r) if (200..300).contains(&r.status) => None,
            Ok(r) if r.status == 401 || r.status == 403 => Some(format!(
                "auth refused ({}): check the credentials and their permissions",
                r.status
            )),
            Ok(r) if r.status == 404 => {
                Some(format!("{key} {id} was not found in project {project}"))
            }
            Ok(r) => Some(format!("unexpected status {}", r.status)),
            Err(e) => Some(e.to_string()),
        };
        checks.push(Check { what, problem });
    }
    Ok(checks)
}

/// The contract, and the resource kinds the cases touch (every kind of the table when there
/// are no cases to look at).
fn touched_kinds(schemas: &Path, cases_dir: &Path) -> Result<(Contract, Vec<String>), Error> {
    let contract = super::load_contract(schemas)?;
    if !cases_dir.is_dir() {
        let all = contract
            .resources
            .kinds
            .iter()
            .map(|k| k.kind.clone())
            .collect();
        return Ok((contract, all));
    }
    let mut kinds = std::collections::BTreeSet::new();
    for (id, path) in crate::case::discover(cases_dir)? {
        let case = crate::case::load_case(&id, &path, &contract)?;
        for step in case.all_steps() {
            let Some(route) = step.route(&contract) else {
                continue;
            };
            if let Some(kind) = contract.resources.of_path(route.template) {
                kinds.insert(kind.kind.clone());
            }
        }
    }
    // In table order, so the report reads the same every time.
    let ordered = contract
        .resources
        .kinds
        .iter()
        .filter(|k| kinds.contains(&k.kind))
        .map(|k| k.kind.clone())
        .collect();
    Ok((contract, ordered))
}

/// What `conform doctor` was asked.
#[derive(Debug, Clone)]
pub struct DoctorArgs {
    /// The target to check.
    pub target: String,
    /// The contract folder (default: schemas/ of the project root).
    pub schemas: Option<std::path::PathBuf>,
    /// The cases whose kinds are checked (default: cases/ of the project root).
    pub cases_dir: Option<std::path::PathBuf>,
    /// The config file (default: conform.yaml of the project root).
    pub config: Option<std::path::PathBuf>,
    /// Variables added to the target's.
    pub vars_files: Vec<std::path::PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// `conform doctor`: prints `ok` or `FAIL` per check; exit 3 when a service is unreachable,
/// 1 when anything else is wrong.
pub fn main(args: DoctorArgs, root: Option<&Path>) -> Result<i32, Error> {
    use crate::project::default_path;
    let config = args
        .config
        .unwrap_or_else(|| default_path(root, "conform.yaml"));
    let schemas = args
        .schemas
        .unwrap_or_else(|| default_path(root, "schemas"));
    let cases_dir = args
        .cases_dir
        .unwrap_or_else(|| default_path(root, "cases"));
    let checks = super::runtime()?.block_on(doctor(
        &config,
        &args.target,
        args.timeout,
        &schemas,
        &cases_dir,
        &args.vars_files,
    ))?;
    for c in &checks {
        match &c.problem {
            None => println!("ok    {}", c.what),
            Some(p) => println!("FAIL  {}: {p}", c.what),
        }
    }
    let unreachable = checks
        .iter()
        .any(|c| c.what.starts_with("reachable") && c.problem.is_some());
    Ok(if unreachable {
        crate::exit_code::UNREACHABLE
    } else if checks.iter().any(|c| c.problem.is_some()) {
        crate::exit_code::FAILED
    } else {
        crate::exit_code::OK
    })
}

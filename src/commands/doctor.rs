//! `conform doctor --target NAME`: is the target ready? Reachability, auth and the scratch
//! resources, each checked with a read-only call and reported in one line.

use std::path::Path;
use std::time::Duration;

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
) -> Result<Vec<Check>, Error> {
    if !config_path.exists() {
        return Err(Error::bad(format!(
            "--target {name}: config file {} not found",
            config_path.display()
        )));
    }
    let config = Config::load(config_path)?;
    let mut target: Target = config.target(name, config_path)?;
    let http = Http::new().map_err(Error::Io)?;
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
    let reads = [
        ("evs", "snapshot_id", format!("/v2/{project}/snapshots/")),
        ("ecs", "server_id", format!("/v2.1/{project}/servers/")),
    ];
    for (service, key, prefix) in reads {
        let Some(id) = var(key) else {
            checks.push(Check {
                what: format!("vars.{key}"),
                problem: Some(format!("not set: {service} cases need a scratch resource")),
            });
            continue;
        };
        let Some(base) = target.base_url(service) else {
            checks.push(Check {
                what: format!("{service} base URL"),
                problem: Some("the target names no endpoint for it".into()),
            });
            continue;
        };
        let path = if service == "ecs" {
            format!("{prefix}{id}/metadata")
        } else {
            format!("{prefix}{id}")
        };
        let what = format!("{service}: GET {path}");
        let (url, headers) =
            match authorize(&target.auth, "GET", base, &path, &[], Vec::new(), None) {
                Ok(x) => x,
                Err(e) => {
                    checks.push(Check {
                        what,
                        problem: Some(e),
                    });
                    continue;
                }
            };
        let out = Outgoing {
            method: reqwest::Method::GET,
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

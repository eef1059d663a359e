//! IAM password login: `POST /v3/auth/tokens` scoped to the project; the token arrives in
//! `X-Subject-Token` with status 201 (AUTH.md, section 6). Done once per run.

use std::time::Duration;

use serde_json::json;

use crate::run::client::{Http, Outgoing};
use crate::run::target::{PasswordLogin, ProjectScope, Secret};

/// Why no token was obtained. Messages never contain the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// IAM could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// IAM answered, but not with a token.
    #[error("{0}")]
    Refused(String),
}

/// Exchanges the password for a token.
pub async fn token(
    http: &Http,
    login: &PasswordLogin,
    timeout: Duration,
) -> Result<Secret, LoginError> {
    let project = match &login.project {
        ProjectScope::Id(id) => json!({"id": id}),
        ProjectScope::Name(n) => json!({"name": n}),
    };
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": login.user, "password": login.password.expose(), "domain": {"name": login.domain}
        }}},
        "scope": {"project": project}
    }});
    let url = format!(
        "{}/v3/auth/tokens?nocatalog=true",
        login.iam_endpoint.trim_end_matches('/')
    );
    let out = Outgoing {
        method: reqwest::Method::POST,
        url: url.clone(),
        headers: vec![(
            "content-type".into(),
            "application/json;charset=utf8".into(),
        )],
        body: Some(body.to_string().into_bytes()),
    };
    let resp = http
        .send(&out, timeout)
        .await
        .map_err(|e| LoginError::Unreachable(format!("IAM login at {url}: {e}")))?;
    if resp.status != 201 {
        let message = serde_json::from_slice::<serde_json::Value>(&resp.body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_default();
        return Err(LoginError::Refused(format!(
            "IAM login at {url} refused for user {}: status {} {message}",
            login.user, resp.status
        )));
    }
    resp.header("x-subject-token")
        .map(|t| Secret::new(t.to_string()))
        .ok_or_else(|| {
            LoginError::Refused(format!(
                "IAM login at {url}: 201 without an X-Subject-Token header"
            ))
        })
}

//! A minimal IAM: `POST /v3/auth/tokens` with a password identity issues the mock's token in
//! `X-Subject-Token` (201), as IAM does ("获取IAM用户Token（使用密码）", AUTH.md section 6).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::error::ApiError;
use super::routes::Call;
use super::MockAuth;

fn unauthorized(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": {"code": 401, "message": message, "title": "Unauthorized"}})),
    )
        .into_response()
}

/// `POST /v3/auth/tokens`: issues the token when the body names the configured user and
/// password (IAM's own error bodies, not a service's envelope).
pub fn issue_token(c: &Call<'_>) -> Result<Response, ApiError> {
    Ok(token(c))
}

fn token(c: &Call<'_>) -> Response {
    let mock = c.mock;
    let (Some((user, password)), MockAuth::Token(token)) =
        (&mock.config.iam_user, &mock.config.auth)
    else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"error": {"code": 404, "message": "IAM is not enabled on this mock", "title": "Not Found"}}))).into_response();
    };
    let Ok(v) = serde_json::from_slice::<Value>(c.body) else {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"code": 400, "message": "The request body is not JSON", "title": "Bad Request"}}))).into_response();
    };
    let identity = &v["auth"]["identity"];
    let given = &identity["password"]["user"];
    let methods_ok = identity["methods"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x == "password"));
    if !methods_ok
        || given["name"].as_str() != Some(user.as_str())
        || given["password"].as_str() != Some(password.as_str())
    {
        return unauthorized("The username or password is wrong.");
    }
    let project = v["auth"]["scope"]["project"].clone();
    let mut response = (StatusCode::CREATED, axum::Json(json!({"token": {"methods": ["password"], "project": project, "expires_at": "2099-01-01T00:00:00.000000Z"}}))).into_response();
    if let Ok(h) = axum::http::HeaderValue::from_str(token) {
        response.headers_mut().insert("x-subject-token", h);
    }
    response
}

/// `GET /v3/projects` (IAM's KeystoneListProjects): the fixtures' projects, filtered by
/// `?name=`. The official SDKs call it to find the project of a region when none is given
/// (AUTH.md section 5), and so does `conform run`.
pub fn list_projects(c: &Call<'_>) -> Result<Response, ApiError> {
    let mock = c.mock;
    let wanted: Option<String> = c.parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v.into_owned())
    });
    let projects: Vec<Value> = mock
        .config
        .fixtures
        .projects
        .iter()
        .map(|p| (p, p.name.clone().unwrap_or_else(|| p.id.clone())))
        .filter(|(_, name)| wanted.as_ref().is_none_or(|w| w == name))
        .map(|(p, name)| {
            json!({
                "id": p.id,
                "name": name,
                "domain_id": "d0c0f0a0b0c04d1e8f9a0b1c2d3e4f50",
                "parent_id": "d0c0f0a0b0c04d1e8f9a0b1c2d3e4f50",
                "enabled": true,
                "is_domain": false,
                "description": "",
                "links": {"self": format!("/v3/projects/{}", p.id)},
            })
        })
        .collect();
    Ok(axum::Json(json!({"projects": projects, "links": {"self": "/v3/projects", "next": null, "previous": null}})).into_response())
}

//! A minimal IAM: `POST /v3/auth/tokens` with a password identity issues the mock's token in
//! `X-Subject-Token` (201), as IAM does ("获取IAM用户Token（使用密码）", AUTH.md section 6).

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{AppState, MockAuth, BODY_LIMIT};

fn unauthorized(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": {"code": 401, "message": message, "title": "Unauthorized"}})),
    )
        .into_response()
}

/// Issues the token when the body names the configured user and password.
pub async fn issue_token(State(mock): State<AppState>, body: Body) -> Response {
    let (Some((user, password)), MockAuth::Token(token)) =
        (&mock.config.iam_user, &mock.config.auth)
    else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"error": {"code": 404, "message": "IAM is not enabled on this mock", "title": "Not Found"}}))).into_response();
    };
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return unauthorized("request body too large");
    };
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
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

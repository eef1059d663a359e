//! The admin API under `/__mock/`: reset to the loaded fixtures, dump the state, load fixtures,
//! what the contract tier holds, how often each fault took effect, and the variables a run
//! against this mock uses (what `--print-vars` prints). Its routes are in `routes`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::routes::Call;
use super::state::{Fixtures, State as Store};

/// `GET /__mock/vars`: the mock's variables as a JSON object (`conform run --target-url` reads
/// them for what the target and the vars files leave undefined).
pub fn vars(c: &Call<'_>) -> Result<Response, ApiError> {
    let mock = c.mock;
    Ok(axum::Json(super::vars(&mock.config, mock.tier.as_ref())).into_response())
}

/// `GET /__mock/faults`: each fault the mock has, with how often it took effect since the start
/// or the last reset (`{"delete-keeps": 3}`): a fault at 0 had nothing to change, so a suite
/// that passed against it has not shown it would catch it.
pub fn faults(c: &Call<'_>) -> Result<Response, ApiError> {
    let fired: serde_json::Map<String, serde_json::Value> = c
        .mock
        .config
        .faults
        .fired()
        .into_iter()
        .map(|(f, n)| (f.name().to_string(), n.into()))
        .collect();
    Ok(axum::Json(fired).into_response())
}

/// `POST /__mock/reset`: back to the loaded fixtures, the contract tier to its start, and the
/// faults' counts to 0.
pub fn reset(c: &Call<'_>) -> Result<Response, ApiError> {
    c.mock.config.faults.clear_fired();
    *c.mock.write() = Store::from_fixtures(&c.mock.config.fixtures);
    if let Some(tier) = &c.mock.tier {
        tier.reset();
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /__mock/resources`: what the contract tier's memory holds, as the ids of each
/// concrete collection path, `created` by requests or `documented` by the pages (both empty
/// without a contract): what a run created and did not delete shows under `created`.
pub fn resources(c: &Call<'_>) -> Result<Response, ApiError> {
    let held = c
        .mock
        .tier
        .as_ref()
        .map(|t| t.resources())
        .unwrap_or_default();
    Ok(axum::Json(held).into_response())
}

/// `GET /__mock/state`: the state, as fixtures.
pub fn dump(c: &Call<'_>) -> Result<Response, ApiError> {
    let fixtures = c.mock.read().to_fixtures();
    Ok(axum::Json(fixtures).into_response())
}

/// `POST /__mock/fixtures`: replaces the state with fixtures given as YAML (or JSON, which is
/// YAML). The body was read within the mock's body limit before this runs.
pub fn load(c: &Call<'_>) -> Result<Response, ApiError> {
    let text = String::from_utf8_lossy(c.body);
    Ok(match Fixtures::parse(&text, "request body") {
        Ok(f) => {
            *c.mock.write() = Store::from_fixtures(&f);
            if let Some(tier) = &c.mock.tier {
                tier.reset();
            }
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(
                serde_json::json!({"badRequest": {"message": e.to_string(), "code": "MOCK.0400"}}),
            ),
        )
            .into_response(),
    })
}

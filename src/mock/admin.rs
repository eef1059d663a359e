//! The admin API under `/__mock/`: reset to the loaded fixtures, dump the state, load fixtures,
//! and the variables a run against this mock uses (what `--print-vars` prints).

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::state::{Fixtures, State as Store};
use super::{AppState, BODY_LIMIT};

/// The admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__mock/reset", post(reset))
        .route("/__mock/state", get(dump))
        .route("/__mock/fixtures", post(load))
        .route("/__mock/vars", get(vars))
}

/// The mock's variables as a JSON object (`conform run --target-url` reads them for what the
/// target and the vars files leave undefined).
async fn vars(State(mock): State<AppState>) -> Response {
    axum::Json(super::vars(&mock.config, mock.tier.as_ref())).into_response()
}

async fn reset(State(mock): State<AppState>) -> StatusCode {
    *mock.write() = Store::from_fixtures(&mock.config.fixtures);
    StatusCode::NO_CONTENT
}

async fn dump(State(mock): State<AppState>) -> Response {
    let fixtures = mock.read().to_fixtures();
    axum::Json(fixtures).into_response()
}

/// Replaces the state with fixtures given as YAML (or JSON, which is YAML).
async fn load(State(mock): State<AppState>, body: Body) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "fixtures larger than 1 MiB").into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    match Fixtures::parse(&text, "request body") {
        Ok(f) => {
            *mock.write() = Store::from_fixtures(&f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(
                serde_json::json!({"badRequest": {"message": e.to_string(), "code": "MOCK.0400"}}),
            ),
        )
            .into_response(),
    }
}

//! The one error type of the mock, rendered as the services' error envelope
//! `{"<kind>": {"message": …, "code": …}}`, or as the API gateway's body for auth failures.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Which service's codes an error uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// EVS: `EVS.xxxx` codes (pages/evs/错误码.md).
    Evs,
    /// ECS: `Ecs.xxxx` codes (pages/ecs/错误码.md).
    Ecs,
}

impl Service {
    /// This service's code of a pair.
    pub fn pick(self, evs: &'static str, ecs: &'static str) -> &'static str {
        match self {
            Service::Evs => evs,
            Service::Ecs => ecs,
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Envelope key (badRequest, itemNotFound, …).
    pub kind: &'static str,
    /// Documented error code.
    pub code: &'static str,
    /// Message.
    pub message: String,
    /// Rendered as the API gateway's body (`error_msg`, `error_code`, `request_id`).
    pub gateway: bool,
}

impl ApiError {
    fn new(
        status: StatusCode,
        kind: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
            gateway: false,
        }
    }

    /// 400 for a body that is not JSON. EVS.5400 "Malformed request body."; Ecs.0005.
    pub fn malformed(service: Service, detail: &str) -> ApiError {
        let code = service.pick("EVS.5400", "Ecs.0005");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "badRequest",
            code,
            format!("Malformed request body: {detail}"),
        )
    }

    /// 400 for a body that breaks a documented rule. EVS.2108 "Request body is invalid."; Ecs.0005
    /// "Invalid parameter values".
    pub fn invalid(service: Service, message: impl Into<String>) -> ApiError {
        let code = service.pick("EVS.2108", "Ecs.0005");
        ApiError::new(StatusCode::BAD_REQUEST, "badRequest", code, message)
    }

    /// 400 "Request body and URI mismatch" (EVS.5400 documents this message).
    pub fn uri_mismatch(service: Service) -> ApiError {
        let code = service.pick("EVS.5400", "Ecs.0005");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "badRequest",
            code,
            "Request body and URI mismatch",
        )
    }

    /// 404. EVS.5404 "Resource … could not be found"; Ecs.0114 "The ECS does not exist".
    pub fn not_found(service: Service, what: &str) -> ApiError {
        let code = service.pick("EVS.5404", "Ecs.0114");
        ApiError::new(
            StatusCode::NOT_FOUND,
            "itemNotFound",
            code,
            format!("{what} could not be found."),
        )
    }

    /// 403 for `autobk_snapshot_` snapshots: EVS.5403, the documented 403 for metadata that cannot
    /// be operated, extended to every operation seed 004 forbids on such snapshots.
    pub fn autobk(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "EVS.5403",
            format!("{what} cannot be performed on an autobk_snapshot_ snapshot."),
        )
    }

    /// 409 for a server whose vm_state forbids the operation. Ecs.0100 is documented with status 400;
    /// the mock answers 409 conflictingRequest as the Nova API this operation follows does.
    pub fn vm_state(state: &str) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflictingRequest",
            "Ecs.0100",
            format!("Cannot set metadata while the instance is in vm_state {state}."),
        )
    }

    /// 413 for a body over the limit. EVS.1005 "size of metadata is too large" (documented as 400)
    /// and Ecs.0005 are the closest documented codes; the status follows HTTP.
    pub fn too_large(service: Service, limit: usize) -> ApiError {
        let code = service.pick("EVS.1005", "Ecs.0005");
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "overLimit",
            code,
            format!("Request body is larger than {limit} bytes."),
        )
    }

    /// 405 for a known path with the wrong method.
    pub fn method_not_allowed(service: Service) -> ApiError {
        let code = service.pick("EVS.5400", "Ecs.0005");
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "methodNotAllowed",
            code,
            "Method not allowed for this resource.",
        )
    }

    /// 401 from the API gateway: `APIGW.0301` (incorrect IAM authentication information).
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            gateway: true,
            ..ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "APIGW.0301",
                message,
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = if self.gateway {
            // request_id is filled in by the request-id layer, which owns the id.
            json!({"error_msg": self.message, "error_code": self.code, "request_id": ""})
        } else {
            json!({ self.kind: {"message": self.message, "code": self.code} })
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

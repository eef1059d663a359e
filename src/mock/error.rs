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
    /// The service's name as derived operations spell it.
    pub fn name(self) -> &'static str {
        match self {
            Service::Evs => "evs",
            Service::Ecs => "ecs",
        }
    }

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

    /// 403 for snapshots a backup made (`__system__enableActive` in their metadata): EVS.5403, the
    /// documented 403 for metadata that cannot be operated, extended to every operation seed 004
    /// forbids on such snapshots.
    pub fn autobk(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "EVS.5403",
            format!("{what} cannot be performed on a snapshot created by a backup."),
        )
    }

    /// 403 EVS.5403 "metadata can not be operated" for a system-owned metadata key (`__system__…`).
    pub fn system_metadata(key: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "EVS.5403",
            format!("metadata can not be operated: {key} is owned by the system."),
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

    /// 413 overLimit for a body over the limit. The status and envelope key follow the EVS status
    /// page (413 overLimit); no error code is documented for it (EVS.1005 is the metadata size of
    /// a volume, a 400), so `code` carries the HTTP status as Nova's fault bodies do. A named
    /// deviation (`src/mock/deviations.json`: `status-only-error-codes`).
    pub fn too_large(_service: Service, limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "overLimit",
            "413",
            format!("Request body is larger than {limit} bytes."),
        )
    }

    /// 405 badMethod for a known path with the wrong method. The status pages list 405 but no
    /// code; `badMethod` and the status as `code` follow Nova's fault body
    /// (`status-only-error-codes`).
    pub fn method_not_allowed(_service: Service) -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "badMethod",
            "405",
            "Method not allowed for this resource.",
        )
    }

    /// 415 badMediaType for a body labelled with a content type the services do not parse (EVS
    /// status page: 415 badMediaType; no code documented, Nova's fault body:
    /// `status-only-error-codes`).
    pub fn bad_media_type(_service: Service, content_type: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "badMediaType",
            "415",
            format!("Unsupported Content-Type: {content_type}"),
        )
    }

    /// 408 for a body slower than the body timeout (status pages: 408 Request Timeout; no code
    /// documented: `status-only-error-codes`).
    pub fn request_timeout(_service: Service, after: std::time::Duration) -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "requestTimeout",
            "408",
            format!(
                "The request body did not arrive within {} ms.",
                after.as_millis()
            ),
        )
    }

    /// 404 from the API gateway for a path no API has: `APIGW.0101`.
    pub fn no_such_api() -> ApiError {
        ApiError {
            gateway: true,
            ..ApiError::new(
                StatusCode::NOT_FOUND,
                "itemNotFound",
                "APIGW.0101",
                "The API does not exist or has not been published in the environment",
            )
        }
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

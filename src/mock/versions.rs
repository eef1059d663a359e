//! Version discovery as Cinder and Nova serve it: `GET /` lists every API version the mock
//! emulates, and `GET /v2`, `/v3`, `/v2.1` (with or without a trailing slash) describe one, so
//! that keystoneauth and openstacksdk find a document where they look for one.
//!
//! The EVS and ECS pages document no version API (the deviation `version-discovery`); the bodies
//! follow Cinder's `api/versions.py` and Nova's `api/openstack/compute/versions.py`. The
//! microversion range is the one the emulation honours: it reads no microversion header and
//! answers every request at the base version, so each range is that version alone (v2 had no
//! microversions, which Cinder shows as empty strings).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::error::ApiError;
use super::routes::Call;

/// One API version the mock emulates.
struct ApiVersion {
    /// The path segment (`v3`).
    segment: &'static str,
    /// The version's id (`v3.0`).
    id: &'static str,
    status: &'static str,
    /// The microversion range honoured (empty: no microversions).
    min_version: &'static str,
    version: &'static str,
    /// When the reference implementation last changed the version document.
    updated: &'static str,
    /// The media type's base, as the services name it.
    media_type: &'static str,
}

/// Cinder v2 and v3 (EVS), Nova v2.1 (ECS).
const VERSIONS: [ApiVersion; 3] = [
    ApiVersion {
        segment: "v2",
        id: "v2.0",
        status: "SUPPORTED",
        min_version: "",
        version: "",
        updated: "2017-02-25T12:00:00Z",
        media_type: "application/vnd.openstack.volume+json;version=2",
    },
    ApiVersion {
        segment: "v3",
        id: "v3.0",
        status: "CURRENT",
        min_version: "3.0",
        version: "3.0",
        updated: "2016-02-08T12:20:21Z",
        media_type: "application/vnd.openstack.volume+json;version=3",
    },
    ApiVersion {
        segment: "v2.1",
        id: "v2.1",
        status: "CURRENT",
        min_version: "2.1",
        version: "2.1",
        updated: "2013-07-23T11:33:21Z",
        media_type: "application/vnd.openstack.compute+json;version=2.1",
    },
];

/// `GET /{segment}` (with or without a trailing slash): one version's document.
pub fn show(c: &Call<'_>, segment: &str) -> Result<Response, ApiError> {
    let Some(v) = VERSIONS.iter().find(|v| v.segment == segment) else {
        return Err(ApiError::not_found(super::service_of(segment), "Resource"));
    };
    Ok(c.mock.ok(json!({ "version": document(v, c.headers()) })))
}

/// `GET /`: every version's document.
pub fn list(c: &Call<'_>) -> Result<Response, ApiError> {
    let versions: Vec<Value> = VERSIONS.iter().map(|v| document(v, c.headers())).collect();
    let mut answer = c.mock.ok(json!({ "versions": versions }));
    // Cinder answers its version list 300 Multiple Choices: where the contract documents the
    // list, its status is the one it states (the fault modes' status stays theirs).
    if let Some(status) = c
        .mock
        .tier
        .as_ref()
        .and_then(|t| t.documented_success("GET", "/"))
        .filter(|_| answer.status() == StatusCode::OK)
    {
        *answer.status_mut() = status;
    }
    Ok(answer)
}

/// One version's document, its `self` link absolute when the request named its host.
fn document(v: &ApiVersion, headers: &HeaderMap) -> Value {
    let origin = super::routes::origin(headers).unwrap_or_default();
    json!({
        "id": v.id,
        "status": v.status,
        "min_version": v.min_version,
        "version": v.version,
        "updated": v.updated,
        "links": [{"rel": "self", "href": format!("{origin}/{}/", v.segment)}],
        "media-types": [{"base": "application/json", "type": v.media_type}],
    })
}

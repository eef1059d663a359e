//! The emulated operations' paths, matched by hand, and the handler each method of them runs.
//!
//! The services' paths are a handful of fixed shapes, so they are matched segment by segment
//! here instead of by axum's router, which copied and percent-decoded every path parameter into
//! a shared string on every request (about 4,000 of a GET's 29,000 instructions,
//! `benches/mock_instructions.sh`). Segments are borrowed from the request's path and decoded
//! only when they hold a `%`. Handlers are plain functions over the buffered body: the body was
//! read once, within the limits, before anything here runs.
//!
//! What axum did and users see is kept: a path that matches with a method no handler takes is
//! 405 with `Allow`; a bad `Content-Type` is 415 only for a method that is served; a parameter
//! that does not decode to UTF-8 is the service's 400; everything else goes on to the axum router
//! (admin, IAM, and the 404 fallback the contract tier may answer instead).

use std::borrow::Cow;

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::error::{ApiError, Service};
use super::evs::Version;
use super::{collections, ecs, evs, limits, Mock};

/// A service path the mock emulates, its parameters still as sent (percent-encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// `/v2|v3/{project_id}/snapshots`, or `…/snapshots/detail` when `detail`.
    Snapshots {
        /// The API version segment.
        version: Version,
        /// `…/detail`: the detailed list.
        detail: bool,
        /// The project segment.
        project: &'a str,
    },
    /// `/v2|v3/{project_id}/snapshots/{snapshot_id}`.
    Snapshot {
        /// The API version segment.
        version: Version,
        /// The project segment.
        project: &'a str,
        /// The snapshot segment.
        id: &'a str,
    },
    /// `/v2|v3/{project_id}/snapshots/{snapshot_id}/metadata`.
    SnapshotMetadata {
        /// The project segment.
        project: &'a str,
        /// The snapshot segment.
        id: &'a str,
    },
    /// `/v2|v3/{project_id}/snapshots/{snapshot_id}/metadata/{key}`.
    SnapshotMetaItem {
        /// The project segment.
        project: &'a str,
        /// The snapshot segment.
        id: &'a str,
        /// The key segment.
        key: &'a str,
    },
    /// `/v2.1/{project_id}/servers/{server_id}`.
    Server {
        /// The project segment.
        project: &'a str,
        /// The server segment.
        id: &'a str,
    },
    /// `/v2.1/{project_id}/servers/{server_id}/metadata`.
    ServerMetadata {
        /// The project segment.
        project: &'a str,
        /// The server segment.
        id: &'a str,
    },
    /// `/v2.1/{project_id}/servers/{server_id}/metadata/{key}`.
    ServerMetaItem {
        /// The project segment.
        project: &'a str,
        /// The server segment.
        id: &'a str,
        /// The key segment.
        key: &'a str,
    },
}

impl<'a> Route<'a> {
    /// Matches a request path (no query). Parameters are non-empty segments, as axum's router
    /// required; a trailing slash matches nothing.
    pub fn parse(path: &'a str) -> Option<Route<'a>> {
        let rest = path.strip_prefix('/')?;
        let mut segments = Segments(Some(rest));
        let api = segments.next()?;
        let project = segments.next().filter(|s| !s.is_empty())?;
        let mut param = || segments.next().filter(|s| !s.is_empty());
        let version = match api {
            "v2" => Some(Version::V2),
            "v3" => Some(Version::V3),
            _ => None,
        };
        // The collection name, then up to three more segments; a fifth means no match.
        let collection = param()?;
        let (a, b, c) = (param(), param(), param());
        if param().is_some() || rest.ends_with('/') {
            return None;
        }
        match (version, api, collection, a, b, c) {
            (Some(version), _, "snapshots", None, None, None) => Some(Route::Snapshots {
                version,
                detail: false,
                project,
            }),
            (Some(version), _, "snapshots", Some("detail"), None, None) => Some(Route::Snapshots {
                version,
                detail: true,
                project,
            }),
            (Some(version), _, "snapshots", Some(id), None, None) => Some(Route::Snapshot {
                version,
                project,
                id,
            }),
            (Some(_), _, "snapshots", Some(id), Some("metadata"), None) => {
                Some(Route::SnapshotMetadata { project, id })
            }
            (Some(_), _, "snapshots", Some(id), Some("metadata"), Some(key)) => {
                Some(Route::SnapshotMetaItem { project, id, key })
            }
            (None, "v2.1", "servers", Some(id), None, None) => Some(Route::Server { project, id }),
            (None, "v2.1", "servers", Some(id), Some("metadata"), None) => {
                Some(Route::ServerMetadata { project, id })
            }
            (None, "v2.1", "servers", Some(id), Some("metadata"), Some(key)) => {
                Some(Route::ServerMetaItem { project, id, key })
            }
            _ => None,
        }
    }

    /// The service whose errors this path answers with.
    pub fn service(&self) -> Service {
        match self {
            Route::Server { .. } | Route::ServerMetadata { .. } | Route::ServerMetaItem { .. } => {
                Service::Ecs
            }
            _ => Service::Evs,
        }
    }

    /// The methods served, as the `Allow` header lists them (a GET route also takes HEAD).
    pub fn allow(&self) -> &'static str {
        match self {
            Route::Snapshots { detail: false, .. } => "GET,HEAD,POST",
            Route::Snapshots { .. } | Route::Server { .. } => "GET,HEAD",
            Route::Snapshot { .. } => "GET,HEAD,PUT,DELETE",
            Route::SnapshotMetadata { .. } => "GET,HEAD,POST,PUT",
            Route::ServerMetadata { .. } => "GET,HEAD,POST,PUT",
            Route::SnapshotMetaItem { .. } | Route::ServerMetaItem { .. } => "GET,HEAD,PUT,DELETE",
        }
    }
}

/// The segments of a path between its `/`s, found byte by byte: `str::split` set up a `memchr`
/// search for every short segment, a thousand instructions a path.
struct Segments<'a>(Option<&'a str>);

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.0?;
        match rest.bytes().position(|b| b == b'/') {
            Some(at) => {
                self.0 = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
}

/// A path parameter as the handlers see it: percent-decoded, borrowed when it needs no decoding.
fn decode(segment: &str, service: Service) -> Result<Cow<'_, str>, ApiError> {
    if !segment.contains('%') {
        return Ok(Cow::Borrowed(segment));
    }
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map_err(|e| {
            ApiError::invalid(
                service,
                format!("invalid path: the segment {segment:?} does not decode to UTF-8: {e}"),
            )
        })
}

/// The request's query as name → value (the last of a repeated name wins).
fn query(q: Option<&str>) -> std::collections::BTreeMap<String, String> {
    form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// `http://host` from the request's `Host` header, when it holds a valid authority: next links
/// are absolute, as Cinder builds them from the request's URL. `None` without one (then links are
/// absolute paths, which still resolve against whatever base the client used).
pub(super) fn origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let authority: axum::http::uri::Authority = host.parse().ok()?;
    Some(format!("http://{authority}"))
}

/// The method a route serves for this request's method (HEAD is answered as GET; hyper sends
/// no body for it).
fn effective(method: &Method) -> &Method {
    if method == Method::HEAD {
        &Method::GET
    } else {
        method
    }
}

/// Answers a request to one of the emulated paths; `None` when its method has no handler there
/// (the caller answers 405, or the contract tier does).
pub fn dispatch(
    mock: &Mock,
    route: Route<'_>,
    method: &Method,
    headers: &HeaderMap,
    uri_query: Option<&str>,
    body: &Bytes,
) -> Option<Response> {
    let method = effective(method);
    // `allow` is the one list of what a path serves: the 405's header and this check both read it.
    let served = route.allow().split(',').any(|m| m == method.as_str());
    if !served {
        return None;
    }
    // Nova and Cinder refuse a content type they do not parse before deserializing.
    if !limits::acceptable_content_type(headers) {
        let label = headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        return Some(ApiError::bad_media_type(route.service(), &label).into_response());
    }
    Some(
        handle(mock, route, method, headers, uri_query, body)
            .unwrap_or_else(IntoResponse::into_response),
    )
}

/// The 405 of a served path: no handler error, so the contract tier may still answer it.
pub fn method_not_allowed(route: Route<'_>) -> Response {
    let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(route.allow()));
    r
}

fn handle(
    mock: &Mock,
    route: Route<'_>,
    method: &Method,
    headers: &HeaderMap,
    uri_query: Option<&str>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let service = route.service();
    let d = |s| decode(s, service);
    let m = method.as_str();
    match route {
        Route::Snapshots {
            version,
            detail,
            project,
        } => {
            // Next links name the list they came from, as sent (still percent-encoded).
            let list = collections::ListUrl {
                origin: origin(headers),
                path: format!(
                    "/{}/{project}/snapshots{}",
                    version.segment(),
                    if detail { "/detail" } else { "" }
                ),
            };
            if m == "POST" {
                return evs::create_snapshot(mock, &d(project)?, body, version);
            }
            let detail = detail.then_some(version);
            collections::list_snapshots(mock, &d(project)?, &query(uri_query), detail, &list)
        }
        Route::Snapshot {
            version,
            project,
            id,
        } => {
            let (project, id) = (d(project)?, d(id)?);
            if m == "PUT" {
                evs::update_snapshot(mock, &project, &id, body, version)
            } else if m == "DELETE" {
                evs::delete_snapshot(mock, &project, &id)
            } else {
                evs::show_snapshot(mock, &project, &id, version == Version::V3)
            }
        }
        Route::SnapshotMetadata { project, id } => {
            let (project, id) = (d(project)?, d(id)?);
            match m {
                "POST" => collections::create_snapshot_metadata(mock, &project, &id, body),
                "PUT" => collections::replace_snapshot_metadata(mock, &project, &id, body),
                _ => evs::list_metadata(mock, &project, &id),
            }
        }
        Route::SnapshotMetaItem { project, id, key } => {
            let (project, id, key) = (d(project)?, d(id)?, d(key)?);
            match m {
                "PUT" => evs::update_metadata_item(mock, &project, &id, &key, body),
                "DELETE" => evs::delete_metadata_item(mock, &project, &id, &key),
                _ => evs::show_metadata_item(mock, &project, &id, &key),
            }
        }
        Route::Server { project, id } => collections::show_server(mock, &d(project)?, &d(id)?),
        Route::ServerMetadata { project, id } => {
            let (project, id) = (d(project)?, d(id)?);
            match m {
                "POST" => collections::create_server_metadata(mock, &project, &id, body),
                "PUT" => collections::replace_server_metadata(mock, &project, &id, body),
                _ => ecs::list_metadata(mock, &project, &id),
            }
        }
        Route::ServerMetaItem { project, id, key } => {
            let (project, id, key) = (d(project)?, d(id)?, d(key)?);
            match m {
                "PUT" => ecs::update_metadata_item(mock, &project, &id, &key, body),
                "DELETE" => ecs::delete_metadata_item(mock, &project, &id, &key),
                _ => ecs::show_metadata_item(mock, &project, &id, &key),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emulated_shape_matches_and_nothing_near_it_does() {
        let p = "0a1b";
        assert_eq!(
            Route::parse("/v2/0a1b/snapshots"),
            Some(Route::Snapshots {
                version: Version::V2,
                detail: false,
                project: p
            })
        );
        assert_eq!(
            Route::parse("/v3/0a1b/snapshots/detail"),
            Some(Route::Snapshots {
                version: Version::V3,
                detail: true,
                project: p
            })
        );
        assert_eq!(
            Route::parse("/v3/0a1b/snapshots/s%201"),
            Some(Route::Snapshot {
                version: Version::V3,
                project: p,
                id: "s%201"
            })
        );
        assert_eq!(
            Route::parse("/v2/0a1b/snapshots/s/metadata"),
            Some(Route::SnapshotMetadata {
                project: p,
                id: "s"
            })
        );
        assert_eq!(
            Route::parse("/v2/0a1b/snapshots/s/metadata/k"),
            Some(Route::SnapshotMetaItem {
                project: p,
                id: "s",
                key: "k"
            })
        );
        assert_eq!(
            Route::parse("/v2.1/0a1b/servers/v"),
            Some(Route::Server {
                project: p,
                id: "v"
            })
        );
        assert_eq!(
            Route::parse("/v2.1/0a1b/servers/v/metadata"),
            Some(Route::ServerMetadata {
                project: p,
                id: "v"
            })
        );
        assert_eq!(
            Route::parse("/v2.1/0a1b/servers/v/metadata/k"),
            Some(Route::ServerMetaItem {
                project: p,
                id: "v",
                key: "k"
            })
        );
        for near in [
            "",
            "/",
            "/v2",
            "/v2/0a1b",
            "/v2//snapshots",
            "/v2/0a1b/snapshots/",
            "/v2/0a1b/snapshots//metadata",
            "/v2/0a1b/snapshots/s/metadata/",
            "/v2/0a1b/snapshots/s/metadata/k/more",
            "/v2/0a1b/snapshots/s/other",
            "/v2/0a1b/servers/v",
            "/v2.1/0a1b/snapshots/s",
            "/v2.1/0a1b/servers",
            "/v4/0a1b/snapshots/s",
            "v2/0a1b/snapshots/s",
            "/__mock/state",
            "/v3/auth/tokens",
        ] {
            assert_eq!(Route::parse(near), None, "{near:?}");
        }
    }

    #[test]
    fn segments_split_as_str_split_does() {
        for path in [
            "",
            "a",
            "/",
            "a/b",
            "/a//b/",
            "v2/p/snapshots/s/metadata/k",
            "é/ü/",
        ] {
            let ours: Vec<&str> = Segments(Some(path)).collect();
            let std: Vec<&str> = path.split('/').collect();
            assert_eq!(ours, std, "{path:?}");
        }
    }

    #[test]
    fn parameters_decode_only_when_encoded_and_bad_utf8_is_the_services_400() {
        assert!(matches!(
            decode("abc", Service::Evs),
            Ok(Cow::Borrowed("abc"))
        ));
        assert_eq!(
            decode("a%20b%2Fc", Service::Evs).ok().as_deref(),
            Some("a b/c")
        );
        let err = decode("%ff%fe", Service::Ecs).expect_err("not UTF-8");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_served_path_lists_what_it_serves_and_head_is_get() {
        let item = Route::parse("/v2/p/snapshots/s/metadata/k").expect("matches");
        let r = method_not_allowed(item);
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[header::ALLOW], "GET,HEAD,PUT,DELETE");
        assert!(r.extensions().get::<ApiError>().is_none());
        assert_eq!(effective(&Method::HEAD), Method::GET);
        assert_eq!(effective(&Method::PUT), Method::PUT);
        assert_eq!(
            query(Some("limit=2&name=a%20b&limit=3")),
            [("limit", "3"), ("name", "a b")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        );
    }
}

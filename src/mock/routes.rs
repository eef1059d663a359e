//! Every route the mock serves besides the contract tier's, one line each: method, path, and
//! the handler it runs. A new route is one more line here (and its handler).
//!
//! Handlers are plain functions over the buffered request (the body was read once, within the
//! limits, before anything here runs) and the path's parameters, borrowed from the path and
//! percent-decoded only when they hold a `%`. A GET route also answers HEAD (hyper sends no body
//! for it). The services' routes ([`api`]) refuse a body type they do not parse with 415 before
//! their handler runs, for a method they serve only; the mock's own (admin, IAM, version
//! discovery) take any.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::error::{ApiError, Service};
use super::evs::Version::{V2, V3};
use super::router::{Hit, Table};
use super::{admin, collections, ecs, evs, iam, limits, service_of, versions, Mock};

/// What a handler reads: the mock, the buffered request and the path's parameters.
#[derive(Debug)]
pub struct Call<'a> {
    /// The mock's state.
    pub mock: &'a Mock,
    /// The request's method, URI and headers.
    pub parts: &'a Parts,
    /// The request's body, read whole.
    pub body: &'a Bytes,
    params: &'a [(&'a str, &'a str)],
    service: Service,
}

/// A metadata item's path parameters, decoded: project, owner, key.
type ItemParams<'c> = (Cow<'c, str>, Cow<'c, str>, Cow<'c, str>);

/// A handler: its answer, or the error the mock renders in the service's envelope.
pub type Handler = fn(&Call<'_>) -> Result<Response, ApiError>;

/// What a route runs.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    handler: Handler,
    /// The service whose envelope the route's own refusals use.
    service: Service,
    /// A service's route: a body type the services do not parse is refused (415).
    api: bool,
}

/// A route: method, path template, what it runs.
type Entry = (Method, &'static str, Route);

/// A route of a service.
fn route(method: Method, path: &'static str, handler: Handler) -> Entry {
    let route = Route {
        handler,
        service: service_of(path),
        api: true,
    };
    (method, path, route)
}

fn get(path: &'static str, handler: Handler) -> Entry {
    route(Method::GET, path, handler)
}

fn post(path: &'static str, handler: Handler) -> Entry {
    route(Method::POST, path, handler)
}

fn put(path: &'static str, handler: Handler) -> Entry {
    route(Method::PUT, path, handler)
}

fn delete(path: &'static str, handler: Handler) -> Entry {
    route(Method::DELETE, path, handler)
}

/// One of the mock's own routes (admin, IAM, discovery): it parses what it is sent itself.
fn own((method, path, route): Entry) -> Entry {
    (
        method,
        path,
        Route {
            api: false,
            ..route
        },
    )
}

/// The routes of the emulated services, IAM and version discovery; the admin API's too when
/// `admin` (else `/__mock/…` is an unknown path).
pub fn table(admin: bool) -> Table<Route> {
    let mut routes = vec![
        // EVS snapshots, Cinder v2 and v3 (`evs`, `collections`).
        get("/v2/{project_id}/snapshots", |c| snapshots(c, V2, false)),
        get("/v3/{project_id}/snapshots", |c| snapshots(c, V3, false)),
        get("/v2/{project_id}/snapshots/detail", |c| {
            snapshots(c, V2, true)
        }),
        get("/v3/{project_id}/snapshots/detail", |c| {
            snapshots(c, V3, true)
        }),
        post("/v2/{project_id}/snapshots", |c| {
            evs::create_snapshot(c.mock, &c.param("project_id")?, c.body, V2)
        }),
        post("/v3/{project_id}/snapshots", |c| {
            evs::create_snapshot(c.mock, &c.param("project_id")?, c.body, V3)
        }),
        get("/v2/{project_id}/snapshots/{snapshot_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
            evs::show_snapshot(c.mock, &project, &id, false)
        }),
        get("/v3/{project_id}/snapshots/{snapshot_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
            evs::show_snapshot(c.mock, &project, &id, true)
        }),
        put("/v2/{project_id}/snapshots/{snapshot_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
            evs::update_snapshot(c.mock, &project, &id, c.body, V2)
        }),
        put("/v3/{project_id}/snapshots/{snapshot_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
            evs::update_snapshot(c.mock, &project, &id, c.body, V3)
        }),
        delete("/v2/{project_id}/snapshots/{snapshot_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
            evs::delete_snapshot(c.mock, &project, &id)
        }),
        delete("/v3/{project_id}/snapshots/{snapshot_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
            evs::delete_snapshot(c.mock, &project, &id)
        }),
    ];
    // Snapshot metadata: the same operations under both versions.
    for (base, item) in [
        (
            "/v2/{project_id}/snapshots/{snapshot_id}/metadata",
            "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
        ),
        (
            "/v3/{project_id}/snapshots/{snapshot_id}/metadata",
            "/v3/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
        ),
    ] {
        routes.extend([
            get(base, |c| {
                let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
                evs::list_metadata(c.mock, &project, &id)
            }),
            post(base, |c| {
                let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
                collections::create_snapshot_metadata(c.mock, &project, &id, c.body)
            }),
            put(base, |c| {
                let (project, id) = (c.param("project_id")?, c.param("snapshot_id")?);
                collections::replace_snapshot_metadata(c.mock, &project, &id, c.body)
            }),
            get(item, |c| {
                let (project, id, key) = c.item("snapshot_id")?;
                evs::show_metadata_item(c.mock, &project, &id, &key)
            }),
            put(item, |c| {
                let (project, id, key) = c.item("snapshot_id")?;
                evs::update_metadata_item(c.mock, &project, &id, &key, c.body)
            }),
            delete(item, |c| {
                let (project, id, key) = c.item("snapshot_id")?;
                evs::delete_metadata_item(c.mock, &project, &id, &key)
            }),
        ]);
    }
    routes.extend([
        // ECS servers, Nova v2.1 (`ecs`, `collections`).
        get("/v2.1/{project_id}/servers/{server_id}", |c| {
            let (project, id) = (c.param("project_id")?, c.param("server_id")?);
            ecs::show_server(c.mock, c.headers(), &project, &id)
        }),
        get("/v2.1/{project_id}/servers/{server_id}/metadata", |c| {
            let (project, id) = (c.param("project_id")?, c.param("server_id")?);
            ecs::list_metadata(c.mock, &project, &id)
        }),
        post("/v2.1/{project_id}/servers/{server_id}/metadata", |c| {
            let (project, id) = (c.param("project_id")?, c.param("server_id")?);
            collections::create_server_metadata(c.mock, &project, &id, c.body)
        }),
        put("/v2.1/{project_id}/servers/{server_id}/metadata", |c| {
            let (project, id) = (c.param("project_id")?, c.param("server_id")?);
            collections::replace_server_metadata(c.mock, &project, &id, c.body)
        }),
        get(
            "/v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            |c| {
                let (project, id, key) = c.item("server_id")?;
                ecs::show_metadata_item(c.mock, &project, &id, &key)
            },
        ),
        put(
            "/v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            |c| {
                let (project, id, key) = c.item("server_id")?;
                ecs::update_metadata_item(c.mock, &project, &id, &key, c.body)
            },
        ),
        delete(
            "/v2.1/{project_id}/servers/{server_id}/metadata/{key}",
            |c| {
                let (project, id, key) = c.item("server_id")?;
                ecs::delete_metadata_item(c.mock, &project, &id, &key)
            },
        ),
        // IAM (`iam`).
        own(post("/v3/auth/tokens", iam::issue_token)),
        own(get("/v3/projects", iam::list_projects)),
        // Version discovery, each root with and without its slash (`versions`).
        own(get("/", versions::list)),
        own(get("/v2", |c| versions::show(c, "v2"))),
        own(get("/v2/", |c| versions::show(c, "v2"))),
        own(get("/v3", |c| versions::show(c, "v3"))),
        own(get("/v3/", |c| versions::show(c, "v3"))),
        own(get("/v2.1", |c| versions::show(c, "v2.1"))),
        own(get("/v2.1/", |c| versions::show(c, "v2.1"))),
    ]);
    if admin {
        // The admin API (`admin`).
        routes.extend([
            own(post("/__mock/reset", admin::reset)),
            own(get("/__mock/state", admin::dump)),
            own(post("/__mock/fixtures", admin::load)),
            own(get("/__mock/vars", admin::vars)),
            own(get("/__mock/resources", admin::resources)),
            own(get("/__mock/faults", admin::faults)),
        ]);
    }
    let mut table = Table::new();
    for (method, path, route) in routes {
        if method == Method::GET {
            add(&mut table, Method::HEAD, path, route);
        }
        add(&mut table, method, path, route);
    }
    table
}

fn add(table: &mut Table<Route>, method: Method, path: &str, route: Route) {
    // The routes above are fixed: a refusal is a mistake in them, which a test catches.
    if let Err(refused) = table.insert(method, path, route) {
        tracing::warn!("{refused}");
    }
}

/// Answers a request one of the routes takes.
pub fn call(mock: &Mock, hit: &Hit<'_, '_, Route>, parts: &Parts, body: &Bytes) -> Response {
    let route = hit.value;
    // Nova and Cinder refuse a content type they do not parse before deserializing.
    if route.api && !limits::acceptable_content_type(&parts.headers) {
        let label = parts
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        return ApiError::bad_media_type(route.service, &label).into_response();
    }
    let call = Call {
        mock,
        parts,
        body,
        params: &hit.params,
        service: route.service,
    };
    (route.handler)(&call).unwrap_or_else(IntoResponse::into_response)
}

impl Call<'_> {
    /// A path parameter, percent-decoded (borrowed when it needs no decoding); one that does not
    /// decode to UTF-8 is the service's 400.
    pub fn param(&self, name: &str) -> Result<Cow<'_, str>, ApiError> {
        decode(self.raw(name), self.service)
    }

    /// A path parameter as sent (still percent-encoded); empty if the route has none so named.
    pub fn raw(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v)
    }

    /// A metadata item's parameters: the project, the owner named `owner`, and the key.
    fn item(&self, owner: &str) -> Result<ItemParams<'_>, ApiError> {
        Ok((
            self.param("project_id")?,
            self.param(owner)?,
            self.param("key")?,
        ))
    }

    /// The request's query as name → value (the last of a repeated name wins).
    pub fn query(&self) -> BTreeMap<String, String> {
        form_urlencoded::parse(self.parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }
}

/// A snapshot list, or its detailed form.
fn snapshots(c: &Call<'_>, version: evs::Version, detail: bool) -> Result<Response, ApiError> {
    // Next links name the list they came from, as sent (still percent-encoded).
    let list = collections::ListUrl {
        origin: origin(c.headers()),
        path: c.parts.uri.path().to_string(),
    };
    let project = c.param("project_id")?;
    collections::list_snapshots(
        c.mock,
        &project,
        &c.query(),
        detail.then_some(version),
        &list,
    )
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

/// `http://host` from the request's `Host` header, when it holds a valid authority: next links
/// are absolute, as Cinder builds them from the request's URL. `None` without one (then links are
/// absolute paths, which still resolve against whatever base the client used).
pub(super) fn origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let authority: axum::http::uri::Authority = host.parse().ok()?;
    Some(format!("http://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn allow(path: &str) -> String {
        table(true).allows(path).join(",")
    }

    #[test]
    fn every_route_fits_the_tree_and_nothing_near_them_is_routed() {
        let t = table(true);
        for (method, path) in [
            (Method::GET, "/v2/0a1b/snapshots"),
            (Method::POST, "/v3/0a1b/snapshots"),
            (Method::GET, "/v3/0a1b/snapshots/detail"),
            (Method::HEAD, "/v3/0a1b/snapshots/s%201"),
            (Method::PUT, "/v2/0a1b/snapshots/s/metadata"),
            (Method::DELETE, "/v3/0a1b/snapshots/s/metadata/k"),
            (Method::GET, "/v2.1/0a1b/servers/v"),
            (Method::POST, "/v2.1/0a1b/servers/v/metadata"),
            (Method::DELETE, "/v2.1/0a1b/servers/v/metadata/k"),
            (Method::POST, "/v3/auth/tokens"),
            (Method::GET, "/v3/projects"),
            (Method::GET, "/"),
            (Method::GET, "/v2.1/"),
            (Method::POST, "/__mock/reset"),
        ] {
            assert!(t.at(&method, path).is_some(), "{method} {path}");
        }
        for near in [
            "",
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
            "/__mock/other",
            "/v3/auth/tokens/",
        ] {
            assert!(t.allows(near).is_empty(), "{near:?}");
        }
        assert!(table(false).allows("/__mock/state").is_empty());
    }

    #[test]
    fn allow_lists_what_each_path_serves_head_with_get() {
        assert_eq!(allow("/v2/p/snapshots"), "GET,HEAD,POST");
        assert_eq!(allow("/v2/p/snapshots/detail"), "GET,HEAD");
        assert_eq!(allow("/v3/p/snapshots/s"), "GET,HEAD,PUT,DELETE");
        assert_eq!(allow("/v3/p/snapshots/s/metadata"), "GET,HEAD,POST,PUT");
        assert_eq!(allow("/v2/p/snapshots/s/metadata/k"), "GET,HEAD,PUT,DELETE");
        assert_eq!(allow("/v2.1/p/servers/s"), "GET,HEAD");
        assert_eq!(allow("/v2.1/p/servers/s/metadata"), "GET,HEAD,POST,PUT");
        assert_eq!(allow("/v2.1/p/servers/s/metadata/k"), "GET,HEAD,PUT,DELETE");
        assert_eq!(allow("/v3/auth/tokens"), "POST");
        assert_eq!(allow("/__mock/state"), "GET,HEAD");
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
}

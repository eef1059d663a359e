//! The reference mock: a stateful emulation of the four operations and the reads that observe
//! them, with an admin API and named fault modes.
//!
//! It implements the documented rules directly in small handlers (`evs`, `ecs`) and never looks at
//! the derived schemas, so a bug in the derived contract cannot hide in both. `routes` lists every
//! route it serves (the emulations, admin, IAM, version discovery) in one table (`router`); the
//! contract tier routes its derived operations with a table of the same kind, and answers what
//! the first one does not take. Cross-cutting behaviour (auth, request ids, fault modes that
//! touch every response, logging) lives in one service around both, in this file
//! ([`MockService`]).

pub mod admin;
pub mod auth;
pub mod collections;
pub mod contract_memory;
pub mod contract_tier;
pub mod ecs;
pub mod error;
pub mod evs;
pub mod faults;
pub mod iam;
pub mod jobs;
pub mod limits;
pub mod patterned;
pub mod query;
pub mod router;
pub mod routes;
pub mod scalars;
pub mod seeds;
pub mod server;
pub mod shared;
pub mod state;
pub mod versions;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use std::sync::{RwLockReadGuard, RwLockWriteGuard};

use self::error::{ApiError, Service};
use self::faults::{Fault, Faults};
use self::limits::Limits;
use self::state::{Fixtures, State as Store};

/// Largest accepted request body: 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Authentication the mock enforces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MockAuth {
    /// None (the default).
    #[default]
    None,
    /// `X-Auth-Token` must equal this token.
    Token(String),
    /// Requests must carry a valid `SDK-HMAC-SHA256` signature with this key pair.
    AkSk {
        /// Access key.
        ak: String,
        /// Secret key.
        sk: String,
    },
}

impl std::str::FromStr for MockAuth {
    type Err = String;

    fn from_str(s: &str) -> Result<MockAuth, String> {
        match s.split_once(':') {
            Some(("token", t)) if !t.is_empty() => Ok(MockAuth::Token(t.to_string())),
            Some(("aksk", pair)) => match pair.split_once(':') {
                Some((ak, sk)) if !ak.is_empty() && !sk.is_empty() => Ok(MockAuth::AkSk {
                    ak: ak.into(),
                    sk: sk.into(),
                }),
                _ => Err("invalid auth 'aksk': expected aksk:AK:SK".into()),
            },
            _ if s == "none" => Ok(MockAuth::None),
            _ => Err(format!(
                "invalid auth '{}': expected token:TOKEN, aksk:AK:SK or none",
                s.split(':').next().unwrap_or("")
            )),
        }
    }
}

/// How a mock instance behaves.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Active fault modes.
    pub faults: Faults,
    /// Authentication.
    pub auth: MockAuth,
    /// Serve `/__mock/…`.
    pub admin: bool,
    /// The `X-Auth-Token` the admin API asks for instead of the services' credentials (None:
    /// the admin API asks for what `auth` asks for, and nothing without auth).
    pub admin_token: Option<String>,
    /// Initial state.
    pub fixtures: Fixtures,
    /// Delay of the `slow` fault.
    pub slow_delay: Duration,
    /// An IAM user (name, password) that `POST /v3/auth/tokens` issues the token auth's token to.
    pub iam_user: Option<(String, String)>,
    /// Header and body read timeouts.
    pub limits: Limits,
    /// A contract whose operations without a hand-written emulation are served by the contract
    /// tier (None: only the hand-written emulations).
    pub contract: Option<Arc<crate::contract::Contract>>,
}

impl Default for MockConfig {
    fn default() -> MockConfig {
        MockConfig {
            faults: Faults::default(),
            auth: MockAuth::None,
            admin: true,
            admin_token: None,
            fixtures: Fixtures::defaults(),
            slow_delay: Duration::from_secs(5),
            iam_user: None,
            limits: Limits::default(),
            contract: None,
        }
    }
}

/// Shared state of one mock instance.
#[derive(Debug)]
pub struct Mock {
    /// The behaviour.
    pub config: MockConfig,
    /// Resources and the show bodies rendered from them, shared with the contract tier's
    /// memory (one store for both tiers). Private: every change goes through [`Mock::write`],
    /// which forgets the rendered bodies.
    store: Arc<shared::Shared>,
    /// The contract tier, for requests no hand-written route takes.
    pub tier: Option<contract_tier::Tier>,
    /// Every route the mock serves besides the contract tier's.
    routes: router::Table<routes::Route>,
    /// Whether a route of the table takes some contract operation that is not its own: a more
    /// literal path (BMS's `/v2.1/{project_id}/servers/detail` fits the emulation's
    /// `…/servers/{server_id}`) or another service's at the same path (BMS's Nova servers).
    /// Then the tier is asked first.
    shadowed: bool,
    /// The largest request body read: [`BODY_LIMIT`], or what the contract's longest
    /// documented value needs ([`contract_tier::Tier::body_limit`]).
    body_limit: usize,
}

/// The handle every handler gets.
pub type AppState = Arc<Mock>;

impl Mock {
    /// Reads the state (a panicked writer cannot leave it half-changed: every write is one
    /// assignment or insert, so a poisoned lock is still consistent).
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read()
    }

    /// Changes the state, and forgets every rendered body: no change, however small, can leave
    /// a stale one behind. Readers fill the cache only while they hold the read lock, so none can
    /// put back a body rendered before this change.
    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write()
    }

    /// The show body of snapshot `id` of `owner` in its v2 or v3 form, rendered by `render` the
    /// first time after a change. `_store` is the read guard the caller holds while it asks:
    /// that is what keeps a write from slipping between rendering and caching.
    pub fn rendered(
        &self,
        _store: &RwLockReadGuard<'_, Store>,
        owner: &str,
        id: &str,
        v3: bool,
        render: impl FnOnce() -> Result<Bytes, serde_json::Error>,
    ) -> Result<Bytes, serde_json::Error> {
        let slot = usize::from(v3);
        let cached = |cache: &shared::Rendered| {
            cache
                .get(owner)
                .and_then(|m| m.get(id))
                .and_then(|forms| forms[slot].clone())
        };
        if let Some(body) = cached(
            &self
                .store
                .rendered
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        ) {
            return Ok(body);
        }
        // Rendered outside the cache's lock: other readers go on meanwhile.
        let body = render()?;
        let mut cache = self
            .store
            .rendered
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache
            .entry(owner.to_string())
            .or_default()
            .entry(id.to_string())
            .or_default()[slot] = Some(body.clone());
        Ok(body)
    }

    /// Whether a fault is on, counting one effect when it is ([`Faults::fire`]): where its
    /// branch is taken instead of the documented one.
    pub fn fire(&self, f: Fault) -> bool {
        self.config.faults.fire(f)
    }

    /// The success status (200, or 201 under `wrong-success-status`).
    pub fn ok_status(&self) -> StatusCode {
        if self.fire(Fault::WrongSuccessStatus) {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        }
    }

    /// A JSON success response.
    pub fn ok(&self, body: impl serde::Serialize) -> Response {
        self.ok_json(json_body(&body))
    }

    /// A success response of an already serialised JSON body.
    pub fn ok_json(&self, body: Result<Bytes, serde_json::Error>) -> Response {
        match body {
            Ok(bytes) => (
                self.ok_status(),
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                bytes,
            )
                .into_response(),
            // The handlers' views always serialise; answer as axum::Json would if one did not.
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    }
}

/// A JSON body serialised.
pub fn json_body(body: &impl serde::Serialize) -> Result<Bytes, serde_json::Error> {
    // `axum::Json` starts its buffer at 128 bytes and grows it twice for a snapshot's ~420; one
    // allocation of the size most answers fit is cheaper.
    let mut buf = Vec::with_capacity(512);
    serde_json::to_writer(&mut buf, body)?;
    Ok(Bytes::from(buf))
}

/// `{"meta": {key: value}}`, the answer of every metadata-item operation, serialised without
/// building a JSON tree.
pub struct MetaItem<'a>(pub &'a str, pub &'a str);

impl serde::Serialize for MetaItem<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Item<'a>(&'a str, &'a str);
        impl serde::Serialize for Item<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(self.0, self.1)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("meta", &Item(self.0, self.1))?;
        m.end()
    }
}

/// Parses a request body (already read within [`BODY_LIMIT`]) as JSON.
pub fn parse_json(body: &[u8], service: Service) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::malformed(service, &e.to_string()))
}

/// The variables a run against a mock uses: the fixtures', then the contract tier's seeded ids
/// for what the fixtures do not name. `tier` is the running one, else one is built from the
/// configured contract.
pub fn vars(
    config: &MockConfig,
    tier: Option<&contract_tier::Tier>,
) -> std::collections::BTreeMap<String, String> {
    match tier {
        Some(t) => t.seeds.vars_with(&config.fixtures.vars),
        None => vars_of(&config.fixtures, config.contract.as_deref()),
    }
}

/// The variables of a mock with `fixtures` serving `contract`, before it starts: the tier's
/// seeds are a function of the contract, so these are the ones it will answer.
pub fn vars_of(
    fixtures: &state::Fixtures,
    contract: Option<&crate::contract::Contract>,
) -> std::collections::BTreeMap<String, String> {
    match contract {
        Some(c) => seeds::Seeds::of(c).vars_with(&fixtures.vars),
        None => fixtures.vars.clone(),
    }
}

/// Builds the service of a mock instance.
pub fn app(config: MockConfig) -> MockService {
    let store = Arc::new(shared::Shared::new(Store::from_fixtures(&config.fixtures)));
    let admin = config.admin;
    let tier = config.contract.clone().map(|c| {
        contract_tier::Tier::sharing(c, config.faults.clone(), Some(store.clone())).knowing(
            config
                .fixtures
                .projects
                .iter()
                .map(|p| p.id.clone())
                .collect(),
            config.fixtures.vars.get("project_id").map(String::as_str),
        )
    });
    let routes = routes::table(admin);
    let shadowed = tier
        .as_ref()
        .is_some_and(|t| t.shadowed_by(&routes, |p| service_of(p).name()));
    let body_limit = tier
        .as_ref()
        .map_or(BODY_LIMIT, contract_tier::Tier::body_limit);
    let mock = Arc::new(Mock {
        config,
        store,
        tier,
        routes,
        shadowed,
        body_limit,
    });
    MockService { mock }
}

/// The mock as one tower service: the cross-cutting work (auth, request ids, body limits, the
/// response-wide faults) around the routes, once per request.
///
/// Written out rather than axum's `middleware::from_fn`, which clones the route's boxed service
/// and boxes a second future on every request; this service clones one `Arc` and boxes one
/// future.
#[derive(Clone)]
pub struct MockService {
    mock: AppState,
}

impl MockService {
    /// The instance behind the service: its state and its tiers (for embedding it, and for
    /// tests that drive one tier directly).
    pub fn mock(&self) -> &Mock {
        &self.mock
    }
}

impl std::fmt::Debug for MockService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockService")
    }
}

impl<B> tower::Service<axum::http::Request<B>> for MockService
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Response, std::convert::Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        // The routes are always ready.
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: axum::http::Request<B>) -> Self::Future {
        let mock = self.mock.clone();
        Box::pin(async move { Ok(cross_cutting(mock, req.map(Body::new)).await) })
    }
}

/// The service whose errors a path answers with, by its API prefix: ECS owns `/v2.1/…` (the
/// Nova-compatible API) and `/v1…/{project_id}/cloudservers/…` (its native API); everything else,
/// `/v2` and `/v3` included, is EVS's. Decided by prefix rather than by a known route so that an
/// unknown path under a service's prefix still answers that service's 404.
fn service_of(path: &str) -> Service {
    let mut segments = path.trim_start_matches('/').split('/');
    match (segments.next(), segments.nth(1)) {
        (Some("v2.1"), _) => Service::Ecs,
        (Some(v), Some("cloudservers")) if v.starts_with("v1") => Service::Ecs,
        _ => Service::Evs,
    }
}

/// Answers a buffered request: the configured auth first, then the route of the mock's table
/// that takes it (plain functions: nothing to wait for). When none does (no route has the path,
/// or none of its routes takes the method) and a contract tier is configured, the tier answers
/// instead; what nobody has is the 404 of the service whose prefix the path is under (the API
/// gateway's when a contract is served), or a 405 listing what the path takes.
fn answer(
    mock: &Mock,
    parts: Parts,
    body: Bytes,
    (method, path): (&axum::http::Method, &str),
    is_admin: bool,
) -> Response {
    // Version documents are read before a client holds a token (Cinder and Nova serve them
    // outside their auth middleware).
    let refused = if is_admin {
        authorize_admin(mock, &parts, &body)
    } else if crate::contract::template::is_version_document(path) {
        Ok(())
    } else {
        authorize(mock, &parts, &body)
    };
    if let Err(refused) = refused {
        return refused.into_response();
    }
    // The contract tier never serves the admin API. IAM's token issue and project list are the
    // emulation's when IAM is enabled (`--iam`) or the contract does not describe them: a
    // contract holding IAM's own pages is answered as those pages say.
    let iam_path = path == "/v3/auth/tokens" || path == "/v3/projects";
    let served_here = is_admin
        || (iam_path
            && (mock.config.iam_user.is_some()
                || !mock
                    .tier
                    .as_ref()
                    .is_some_and(|t| t.serves(method.as_str(), path))));
    if let Some(hit) = mock.routes.at(method, path) {
        let claimed = (iam_path && !served_here)
            || mock.shadowed
                && !served_here
                && mock.tier.as_ref().is_some_and(|t| {
                    t.claims(
                        method.as_str(),
                        path,
                        hit.params.len(),
                        service_of(path).name(),
                    )
                });
        if !claimed {
            let mut response = routes::call(mock, &hit, &parts, &body);
            if response.status().is_success()
                && mock
                    .tier
                    .as_ref()
                    .is_some_and(|t| t.serves(method.as_str(), path))
            {
                response.extensions_mut().insert(Emulated);
            }
            return response;
        }
    }
    // A 405 lists what the path takes (RFC 9110): the emulation's methods and the contract's.
    let mut allow = mock.routes.allows(path);
    if let Some(tier) = mock.tier.as_ref().filter(|_| !served_here) {
        let own = mock.config.fixtures.vars.get("project_id");
        let project = other_project(&parts.headers, own.map(String::as_str));
        match tier.answer(project, method.as_str(), path, parts.uri.query(), &body) {
            Some((status, _)) if status == StatusCode::METHOD_NOT_ALLOWED => {
                for m in tier.methods(path) {
                    if !allow.contains(&m) {
                        allow.push(m);
                    }
                }
            }
            Some((status, Some(body))) => return (status, axum::Json(body)).into_response(),
            Some((status, None)) => return status.into_response(),
            // No operation of the contract and no emulated route has this path: in front of
            // every service sits the API gateway, which answers it, not one service's envelope.
            None if allow.is_empty() => return ApiError::no_such_api().into_response(),
            None => {}
        }
    }
    if allow.is_empty() {
        return ApiError::not_found(service_of(path), "Resource").into_response();
    }
    let mut response = ApiError::method_not_allowed(service_of(path)).into_response();
    if let Ok(v) = HeaderValue::from_str(&allow.join(",")) {
        response.headers_mut().insert(header::ALLOW, v);
    }
    response
}

/// The other project a request names by its `X-Project-Id` header (AK/SK credentials choose
/// the project so): None where it names none, or the mock's own (`own`, the fixtures'
/// `project_id`, which a target configured with the mock's variables sends).
fn other_project<'h>(headers: &'h axum::http::HeaderMap, own: Option<&str>) -> Option<&'h str> {
    headers
        .get(X_PROJECT_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|p| own != Some(*p))
}

/// The request id header (a static name: no parse and no allocation per answer).
const X_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");
/// The project header of AK/SK requests ([`contract_tier::Tier::answer`]).
const X_PROJECT_ID: header::HeaderName = header::HeaderName::from_static("x-project-id");
/// The token header, looked up by a parsed name: a `&str` name is parsed and hashed anew on
/// every lookup, twice a request.
const X_AUTH_TOKEN: header::HeaderName = header::HeaderName::from_static("x-auth-token");

/// Auth, request ids, the response-wide fault modes, and the debug log line.
async fn cross_cutting(mock: AppState, req: Request) -> Response {
    let started = Instant::now();
    let mut id_buf = uuid::Uuid::encode_buffer();
    let request_id: &str = uuid::Uuid::new_v4().simple().encode_lower(&mut id_buf);
    let method = req.method().clone();
    // A clone of the URI shares hyper's buffer: no copy of the path per request.
    let uri = req.uri().clone();
    let path = uri.path();
    // Admin requests are checked by the admin rule; they and IAM token requests (which carry no
    // token yet) are spared the faults that change service answers.
    let is_admin = is_admin_path(path);
    let spared = is_admin || path == "/v3/auth/tokens";
    // The body is read first, within the limits, so that nothing below answers while the client
    // is still sending; a refused body closes the connection after the answer.
    let (mut response, close, rest) =
        match limits::buffer(req, mock.config.limits, service_of(path), mock.body_limit).await {
            Ok((parts, body)) => (
                answer(&mock, parts, body, (&method, path), is_admin),
                false,
                None,
            ),
            Err(refused) => (refused.error.into_response(), true, refused.rest),
        };
    if response.extensions().get::<Emulated>().is_some() {
        response = fitted(&mock, &method, path, response).await;
    }
    // Every error is rendered here, once, with the request id and the error faults (a 405's
    // Allow header is kept across the re-render).
    let error = response.extensions().get::<ApiError>().cloned();
    if let Some(err) = error {
        let allow = response.headers().get(header::ALLOW).cloned();
        response = render_error(&mock, &err, request_id);
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    if close {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if !spared {
        if mock.fire(Fault::TextContentType) {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
        }
        if mock.fire(Fault::Slow) {
            tokio::time::sleep(mock.config.slow_delay).await;
        }
        if mock.fire(Fault::DropConnection) {
            let (parts, _) = response.into_parts();
            response = Response::from_parts(parts, Body::new(BrokenBody));
        }
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(X_REQUEST_ID, v);
    }
    // Last, around whatever body the answer ended with: the rest of a refused body is drained
    // only once the answer's head is out.
    if let Some(rest) = rest {
        response = limits::drain_after(response, rest);
    }
    tracing::debug!(%method, %path, status = response.status().as_u16(), elapsed_us = started.elapsed().as_micros() as u64, "request");
    response
}

/// Marks an emulation's success answer to an operation the contract also holds.
#[derive(Debug, Clone, Copy)]
struct Emulated;

/// An emulation's JSON answer fitted to the contract's schema of it ([`contract_tier::Tier::
/// fit_emulated`]); any other answer as it was.
async fn fitted(
    mock: &Mock,
    method: &axum::http::Method,
    path: &str,
    response: Response,
) -> Response {
    let Some(tier) = mock.tier.as_ref() else {
        return response;
    };
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    tier.fit_emulated(method.as_str(), path, parts.status.as_u16(), &mut value);
    match serde_json::to_vec(&value) {
        Ok(out) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(out))
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// Whether a path is the admin API's: every `/__mock/…` path, served or not, so that an
/// unknown admin path is refused rather than told apart from a known one.
fn is_admin_path(path: &str) -> bool {
    path == "/__mock" || path.starts_with("/__mock/")
}

/// Enforces the configured auth on a service request (IAM token requests carry no token yet):
/// `Err` is the answer to a request it refuses.
fn authorize(mock: &Mock, parts: &Parts, body: &[u8]) -> Result<(), ApiError> {
    let headers = &parts.headers;
    let no_credential =
        headers.get(&X_AUTH_TOKEN).is_none() && headers.get(header::AUTHORIZATION).is_none();
    // A token is issued to a client that holds none; reading or revoking one needs one.
    let issue = crate::contract::template::is_token_issue(parts.method.as_str(), parts.uri.path());
    if issue {
        return Ok(());
    }
    let checked = match &mock.config.auth {
        // Fault: a request with no credential at all is let through.
        MockAuth::Token(_) | MockAuth::AkSk { .. }
            if no_credential && mock.fire(Fault::MissingTokenAccepted) =>
        {
            Ok(())
        }
        auth => credentials(auth, parts, body),
    };
    match checked {
        // Fault: whatever the credentials, the request is let through.
        Err(_) if mock.fire(Fault::AuthBypass) => Ok(()),
        checked => checked,
    }
}

/// The admin API's rule: the `--admin-token` when one is set, else the services' credentials.
/// The auth faults never apply: they are the services' misbehaviour, and a fault that opened
/// the admin API would let anyone on the network reset a shared mock.
fn authorize_admin(mock: &Mock, parts: &Parts, body: &[u8]) -> Result<(), ApiError> {
    match &mock.config.admin_token {
        Some(token) => credentials(&MockAuth::Token(token.clone()), parts, body),
        None => credentials(&mock.config.auth, parts, body),
    }
}

/// Checks a request's credentials against `auth`.
fn credentials(auth: &MockAuth, parts: &Parts, body: &[u8]) -> Result<(), ApiError> {
    let headers = &parts.headers;
    match auth {
        MockAuth::None => Ok(()),
        MockAuth::Token(expected) => match headers.get(&X_AUTH_TOKEN).map(HeaderValue::as_bytes) {
            Some(t) if t == expected.as_bytes() => Ok(()),
            Some(_) => Err(ApiError::unauthorized(
                "Incorrect IAM authentication information: the token is invalid",
            )),
            None => Err(ApiError::unauthorized(
                "Incorrect IAM authentication information: X-Auth-Token is missing",
            )),
        },
        MockAuth::AkSk { ak, sk } => {
            let received = auth::Received {
                method: parts.method.as_str(),
                path: parts.uri.path(),
                query: parts.uri.query().unwrap_or(""),
                headers,
                body,
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            auth::verify(received, ak, sk, now).map_err(|why| ApiError::unauthorized(why.message()))
        }
    }
}

fn render_error(mock: &Mock, err: &ApiError, request_id: &str) -> Response {
    let status = if err.status != StatusCode::INTERNAL_SERVER_ERROR && mock.fire(Fault::ErrorAs500)
    {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        err.status
    };
    let body = if err.gateway {
        serde_json::json!({"error_msg": err.message, "error_code": err.code, "request_id": request_id})
    } else if mock.fire(Fault::FlatErrorEnvelope) {
        serde_json::json!({"message": err.message, "code": err.code})
    } else {
        serde_json::json!({ err.kind: {"message": err.message, "code": err.code} })
    };
    (status, axum::Json(body)).into_response()
}

/// A body that fails on first read: hyper aborts the connection mid-response.
struct BrokenBody;

impl http_body::Body for BrokenBody {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "drop-connection fault",
        ))))
    }
}

/// A mock running on a local port.
#[derive(Debug)]
pub struct RunningMock {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningMock {
    /// `http://addr`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Serves a mock on an already bound listener until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: MockConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = config.limits;
    server::run(listener, app(config), limits, shutdown).await
}

/// Starts a mock on 127.0.0.1 with an ephemeral port.
pub async fn spawn(config: MockConfig) -> std::io::Result<RunningMock> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = serve(listener, config, async {
            let _ = rx.await;
        })
        .await;
    });
    Ok(RunningMock {
        addr,
        shutdown: Some(tx),
        task,
    })
}

#[cfg(test)]
mod tests {
    /// The header names another project unless it names the mock's own, or none.
    #[test]
    fn the_project_header_names_another_project_unless_it_is_the_mocks_own() {
        let mut headers = axum::http::HeaderMap::new();
        assert_eq!(super::other_project(&headers, Some("own")), None);
        headers.insert(super::X_PROJECT_ID, "own".parse().unwrap());
        assert_eq!(super::other_project(&headers, Some("own")), None);
        assert_eq!(super::other_project(&headers, None), Some("own"));
        headers.insert(super::X_PROJECT_ID, "p2".parse().unwrap());
        assert_eq!(super::other_project(&headers, Some("own")), Some("p2"));
    }

    use super::{service_of, Service};

    #[test]
    fn each_service_owns_its_prefixes() {
        for ecs in [
            "/v2.1",
            "/v2.1/",
            "/v2.1/p/nothing",
            "/v2.1/p/servers/s/metadata/k/more",
            "/v1/p/cloudservers",
            "/v1/p/cloudservers/s/nothing",
            "/v1.1/p/cloudservers/detail",
        ] {
            assert_eq!(service_of(ecs), Service::Ecs, "{ecs}");
        }
        for evs in [
            "/",
            "",
            "/v2",
            "/v3/",
            "/v2/p/nothing",
            "/v3/p/snapshots/s/other",
            "/v2/p/servers/s",
            "/v1/p/nothing",
            "/v2.10/p/x",
            "/nothing",
        ] {
            assert_eq!(service_of(evs), Service::Evs, "{evs}");
        }
    }

    #[test]
    fn a_meta_item_prints_as_the_one_entry_document() {
        let text = serde_json::to_string(&super::MetaItem("k\"1", "v")).expect("serialises");
        assert_eq!(text, r#"{"meta":{"k\"1":"v"}}"#);
    }
}

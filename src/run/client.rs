//! The HTTP client: one pooled client per run, bounded response bodies, redirects reported
//! rather than followed.
//!
//! Requests go out on hyper's pooled client (`hyper-util`, TLS by rustls with the webpki
//! roots, HTTP/2 by ALPN). When the environment names a proxy (`HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY`, either case), they go through reqwest instead, whose proxy support (tunnels,
//! credentials, `NO_PROXY`) is the one to trust. Both give the same [`Incoming`] and
//! [`TransportError`]s (the tests run every exchange through both). reqwest's layers (URL parsed
//! three times, redirect and retry wrappers, proxy checks) were a fifth of the instructions a
//! GET case cost.

use std::time::Duration;

/// Largest response body read; a hostile endpoint cannot exhaust memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Method.
    pub method: reqwest::Method,
    /// URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Option<Vec<u8>>,
}

/// A response.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Status.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Incoming {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no complete response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No response within the timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The connection could not be made.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The response was cut off or malformed.
    #[error("broken response: {0}")]
    Broken(String),
    /// The body is larger than [`MAX_RESPONSE_BYTES`].
    #[error("response body larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// The request could not be built (bad header, bad URL).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The run stopped waiting for the answer (a second interrupt).
    #[error("not waited for: the run was interrupted twice")]
    Interrupted,
}

impl TransportError {
    /// Connection errors are retried.
    pub fn is_retryable(&self) -> bool {
        matches!(self, TransportError::Connect(_) | TransportError::Broken(_))
    }
}

/// The pooled client.
#[derive(Debug, Clone)]
pub struct Http {
    stack: Stack,
}

type Direct = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Full<bytes::Bytes>,
>;

/// Which client sends.
#[derive(Debug, Clone)]
enum Stack {
    /// hyper's pooled client (boxed: it is five times reqwest's handle).
    Direct(Box<Direct>),
    /// reqwest, for its proxy support.
    Proxied(reqwest::Client),
}

/// The HTTP client could not be built (no TLS backend, a bad proxy setting).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(String);

/// The environment variables that name a proxy.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Whether the environment (`var` reads it) names a proxy: a non-empty proxy variable.
fn names_a_proxy(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    PROXY_VARIABLES
        .iter()
        .any(|v| var(v).is_some_and(|x| !x.is_empty()))
}

const USER_AGENT: &str = concat!("conform/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IDLE_PER_HOST: usize = 64;

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

impl Http {
    /// Builds the client once per run: reqwest's when the environment names a proxy, else
    /// hyper's.
    pub fn new() -> Result<Http, ClientError> {
        if names_a_proxy(|v| std::env::var_os(v)) {
            Http::proxied()
        } else {
            Ok(Http::direct())
        }
    }

    /// hyper's pooled client, no proxy.
    pub fn direct() -> Http {
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        http.set_nodelay(true);
        // `https` URLs are the TLS layer's, which hands this connector the TCP part.
        http.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(IDLE_PER_HOST)
                .build(https);
        Http {
            stack: Stack::Direct(Box::new(client)),
        }
    }

    /// reqwest, with the proxies the environment names.
    pub fn proxied() -> Result<Http, ClientError> {
        reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_max_idle_per_host(IDLE_PER_HOST)
            // What the endpoint answered is what is checked: a 3xx is reported, not followed
            // (following could also carry a mutation to another host).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(|client| Http {
                stack: Stack::Proxied(client),
            })
            .map_err(|e| ClientError(root_cause(&e)))
    }

    /// Sends one request; the timeout covers the whole exchange, body included.
    pub async fn send(&self, o: &Outgoing, timeout: Duration) -> Result<Incoming, TransportError> {
        let mut headers = http::HeaderMap::with_capacity(o.headers.len() + 2);
        for (k, v) in &o.headers {
            let name = http::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| TransportError::Invalid(format!("header name '{k}'")))?;
            let value = http::header::HeaderValue::from_str(v)
                .map_err(|_| TransportError::Invalid(format!("value of header '{k}'")))?;
            headers.append(name, value);
        }
        // What reqwest (and curl) send when the case does not say; added here for both stacks.
        for (name, value) in [
            (http::header::USER_AGENT, USER_AGENT),
            (http::header::ACCEPT, "*/*"),
        ] {
            if !headers.contains_key(&name) {
                headers.insert(name, http::header::HeaderValue::from_static(value));
            }
        }
        let exchange = async {
            match &self.stack {
                Stack::Direct(client) => send_direct(client, o, headers).await,
                Stack::Proxied(client) => send_proxied(client, o, headers).await,
            }
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| TransportError::Timeout(timeout))?
    }
}

/// Response headers as [`Incoming`] keeps them (a parsed name is lower-case already).
fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Adds a chunk of the body, refusing more than [`MAX_RESPONSE_BYTES`] in all.
fn take(body: &mut Vec<u8>, chunk: &[u8]) -> Result<(), TransportError> {
    if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
        return Err(TransportError::TooLarge);
    }
    body.extend_from_slice(chunk);
    Ok(())
}

async fn send_direct(
    client: &Direct,
    o: &Outgoing,
    headers: http::HeaderMap,
) -> Result<Incoming, TransportError> {
    use http_body_util::BodyExt;
    let uri: http::Uri = o
        .url
        .parse()
        .map_err(|e| TransportError::Invalid(format!("URL '{}': {e}", o.url)))?;
    let body = http_body_util::Full::new(bytes::Bytes::from(o.body.clone().unwrap_or_default()));
    let mut req = http::Request::new(body);
    *req.method_mut() = o.method.clone();
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    let resp = client.request(req).await.map_err(|e| {
        if e.is_connect() {
            TransportError::Connect(root_cause(&e))
        } else {
            TransportError::Broken(root_cause(&e))
        }
    })?;
    let (parts, mut stream) = resp.into_parts();
    let mut body = Vec::new();
    while let Some(frame) = stream.frame().await {
        let frame = frame.map_err(|e| TransportError::Broken(root_cause(&e)))?;
        if let Some(chunk) = frame.data_ref() {
            take(&mut body, chunk)?;
        }
    }
    Ok(Incoming {
        status: parts.status.as_u16(),
        headers: header_list(&parts.headers),
        body,
    })
}

async fn send_proxied(
    client: &reqwest::Client,
    o: &Outgoing,
    headers: http::HeaderMap,
) -> Result<Incoming, TransportError> {
    let mut rb = client.request(o.method.clone(), &o.url).headers(headers);
    if let Some(b) = &o.body {
        rb = rb.body(b.clone());
    }
    let classify = |e: reqwest::Error| {
        if e.is_connect() {
            TransportError::Connect(root_cause(&e))
        } else if e.is_builder() {
            TransportError::Invalid(root_cause(&e))
        } else {
            TransportError::Broken(root_cause(&e))
        }
    };
    let mut resp = rb.send().await.map_err(classify)?;
    let status = resp.status().as_u16();
    let headers = header_list(resp.headers());
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(classify)? {
        take(&mut body, &chunk)?;
    }
    Ok(Incoming {
        status,
        headers,
        body,
    })
}

/// The path and query of a full URL (`/v2/p/x?y=1` of `http://host/v2/p/x?y=1`).
pub fn path_and_query(url: &str) -> String {
    url.splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};

    /// A loopback server: echo, a redirect, a body over the limit, a slow answer.
    async fn server() -> String {
        let app = axum::Router::new()
            .route(
                "/echo",
                post(|headers: http::HeaderMap, body: bytes::Bytes| async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string()
                    };
                    let seen = format!(
                        "{}|{}|{}|{}|{}",
                        h("user-agent"),
                        h("accept"),
                        h("x-custom"),
                        h("content-length"),
                        String::from_utf8_lossy(&body)
                    );
                    (http::StatusCode::CREATED, [("X-Mixed-Case", "v1")], seen)
                }),
            )
            .route(
                "/moved",
                get(|| async { (http::StatusCode::FOUND, [("location", "/echo")], "") }),
            )
            .route(
                "/huge",
                get(|| async { vec![b'a'; MAX_RESPONSE_BYTES + 1] }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    fn outgoing(method: http::Method, url: String) -> Outgoing {
        Outgoing {
            method,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    fn stacks() -> [(&'static str, Http); 2] {
        [
            ("direct", Http::direct()),
            ("reqwest", Http::proxied().expect("reqwest builds")),
        ]
    }

    const WAIT: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn both_stacks_send_headers_and_body_and_read_the_answer_alike() {
        let base = server().await;
        for (name, http) in stacks() {
            let mut o = outgoing(http::Method::POST, format!("{base}/echo"));
            o.headers.push(("X-Custom".into(), "c1".into()));
            o.body = Some(b"{\"a\":1}".to_vec());
            let r = http.send(&o, WAIT).await.expect(name);
            assert_eq!(r.status, 201, "{name}");
            assert_eq!(
                String::from_utf8_lossy(&r.body),
                format!("{USER_AGENT}|*/*|c1|7|{{\"a\":1}}"),
                "{name}: user agent, accept, the case's header, the length and the body arrive"
            );
            assert_eq!(r.header("x-mixed-case"), Some("v1"), "{name}");
            assert!(
                r.headers.iter().all(|(k, _)| *k == k.to_ascii_lowercase()),
                "{name}: names are lower-case: {:?}",
                r.headers
            );
            // The case's own user agent and accept win.
            o.headers.push(("User-Agent".into(), "mine".into()));
            o.headers.push(("Accept".into(), "application/json".into()));
            let r = http.send(&o, WAIT).await.expect(name);
            assert!(
                String::from_utf8_lossy(&r.body).starts_with("mine|application/json|c1|"),
                "{name}: {}",
                String::from_utf8_lossy(&r.body)
            );
        }
    }

    #[tokio::test]
    async fn a_redirect_is_reported_not_followed() {
        let base = server().await;
        for (name, http) in stacks() {
            let r = http
                .send(&outgoing(http::Method::GET, format!("{base}/moved")), WAIT)
                .await
                .expect(name);
            assert_eq!(r.status, 302, "{name}");
            assert_eq!(r.header("location"), Some("/echo"), "{name}");
        }
    }

    #[tokio::test]
    async fn transport_failures_are_classified_the_same_by_both_stacks() {
        let base = server().await;
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr")
        };
        for (name, http) in stacks() {
            let huge = http
                .send(&outgoing(http::Method::GET, format!("{base}/huge")), WAIT)
                .await;
            assert_eq!(huge.err(), Some(TransportError::TooLarge), "{name}");
            let slow = Duration::from_millis(200);
            let late = http
                .send(&outgoing(http::Method::GET, format!("{base}/slow")), slow)
                .await;
            assert_eq!(late.err(), Some(TransportError::Timeout(slow)), "{name}");
            let refused = http
                .send(
                    &outgoing(http::Method::GET, format!("http://{closed}/")),
                    WAIT,
                )
                .await;
            assert!(
                matches!(&refused, Err(e @ TransportError::Connect(_)) if e.is_retryable()),
                "{name}: {refused:?}"
            );
            let mut bad = outgoing(http::Method::GET, format!("{base}/echo"));
            bad.headers.push(("bad name".into(), "v".into()));
            assert!(
                matches!(http.send(&bad, WAIT).await, Err(TransportError::Invalid(_))),
                "{name}"
            );
        }
    }

    #[test]
    fn a_proxy_in_the_environment_selects_reqwest() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                set.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert!(!names_a_proxy(env(&[])));
        assert!(!names_a_proxy(env(&[
            ("HTTPS_PROXY", ""),
            ("NO_PROXY", "x")
        ])));
        for var in PROXY_VARIABLES {
            let set: &'static [(&'static str, &'static str)] =
                Box::leak(Box::new([(var, "http://proxy:3128")]));
            assert!(names_a_proxy(env(set)), "{var}");
        }
    }
}

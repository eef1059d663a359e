//! The HTTP client: one pooled reqwest client per run, bounded response bodies, redirects
//! reported rather than followed.
//!
//! Every request goes out on reqwest (TLS by rustls with the webpki roots, HTTP/2 by ALPN,
//! the proxies `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` name), so the
//! environment never decides which code sends. Paths go out as the case wrote them: URL parsing
//! percent-encodes what the request line cannot carry (a space, non-ASCII), and a URL it would
//! send otherwise (`.` and `..` segments resolved, `\` turned into `/`, a `#` fragment, tabs and
//! line breaks dropped) is refused rather than sent changed ([`parse_url`]).

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

impl Outgoing {
    /// Whether [`Http::send`] would send this request as built, or refuse it (a path that
    /// cannot go out as written, a header name or value HTTP cannot carry).
    pub fn check(&self) -> Result<(), TransportError> {
        parse_url(&self.url)?;
        self.header_map().map(drop)
    }

    /// The headers as the client sends them.
    fn header_map(&self) -> Result<http::HeaderMap, TransportError> {
        let mut headers = http::HeaderMap::with_capacity(self.headers.len() + 2);
        for (k, v) in &self.headers {
            let name = http::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| TransportError::Invalid(format!("header name '{k}'")))?;
            let value = http::header::HeaderValue::from_str(v)
                .map_err(|_| TransportError::Invalid(format!("value of header '{k}'")))?;
            headers.append(name, value);
        }
        Ok(headers)
    }
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
    /// The request could not be built (bad header, bad URL, a path that cannot be sent as
    /// written).
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

/// The pooled client; clones share the pool.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
}

/// The HTTP client could not be built (no TLS backend, a bad proxy setting).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(String);

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
    /// Builds the client once per run, with the proxies the environment names.
    pub fn new() -> Result<Http, ClientError> {
        // Sent when the case does not say (a case's own header wins): what curl sends too.
        let mut defaults = http::HeaderMap::with_capacity(2);
        defaults.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        );
        defaults.insert(http::header::ACCEPT, http::HeaderValue::from_static("*/*"));
        reqwest::Client::builder()
            .default_headers(defaults)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_max_idle_per_host(IDLE_PER_HOST)
            .tcp_nodelay(true)
            // What the endpoint answered is what is checked: a 3xx is reported, not followed
            // (following could also carry a mutation to another host).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(|client| Http { client })
            .map_err(|e| ClientError(root_cause(&e)))
    }

    /// Sends one request; the timeout covers the whole exchange, body included.
    pub async fn send(&self, o: &Outgoing, timeout: Duration) -> Result<Incoming, TransportError> {
        let url = parse_url(&o.url)?;
        let headers = o.header_map()?;
        let mut request = reqwest::Request::new(o.method.clone(), url);
        *request.headers_mut() = headers;
        if let Some(b) = &o.body {
            *request.body_mut() = Some(b.clone().into());
        }
        tokio::time::timeout(timeout, self.exchange(request))
            .await
            .map_err(|_| TransportError::Timeout(timeout))?
    }

    /// Sends and reads the whole answer, stopping as soon as the body passes
    /// [`MAX_RESPONSE_BYTES`].
    async fn exchange(&self, request: reqwest::Request) -> Result<Incoming, TransportError> {
        let classify = |e: reqwest::Error| {
            if e.is_connect() {
                TransportError::Connect(root_cause(&e))
            } else if e.is_builder() {
                TransportError::Invalid(root_cause(&e))
            } else {
                TransportError::Broken(root_cause(&e))
            }
        };
        let mut resp = self.client.execute(request).await.map_err(classify)?;
        // A declared length over the limit is refused before any of the body is read.
        let declared = resp.content_length().unwrap_or(0);
        if declared > MAX_RESPONSE_BYTES as u64 {
            return Err(TransportError::TooLarge);
        }
        let status = resp.status().as_u16();
        let headers = header_list(resp.headers());
        let mut body = Vec::with_capacity(declared as usize);
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(TransportError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Incoming {
            status,
            headers,
            body,
        })
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

/// Parses a URL to send, refusing one whose path or query would not go out as written.
///
/// URL parsing (WHATWG, which reqwest sends from) resolves `.` and `..` segments (`%2e` too),
/// turns `\` into `/`, drops a `#` fragment and strips tabs, line breaks and trailing spaces: a
/// case sending `/v2/../x` would silently reach `/x`, another operation. Only percent-encoding
/// what the request line cannot carry (a space, non-ASCII) is let through; `%2F` and any other
/// escape already written stay as they are.
pub fn parse_url(raw: &str) -> Result<reqwest::Url, TransportError> {
    let url = reqwest::Url::parse(raw)
        .map_err(|e| TransportError::Invalid(format!("URL '{raw}': {e}")))?;
    let written = written_path(raw);
    if sent_as_written(written, &url) {
        return Ok(url);
    }
    let sent = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    Err(TransportError::Invalid(format!(
        "path '{written}' cannot be sent as written: URL parsing would send '{sent}'"
    )))
}

/// The path, query and fragment of a URL as written (after the scheme and authority).
fn written_path(raw: &str) -> &str {
    let rest = raw.split_once("://").map_or(raw, |(_, r)| r);
    let start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    &rest[start..]
}

/// Whether `url`'s path and query are `written` with at most some bytes percent-encoded.
fn sent_as_written(written: &str, url: &reqwest::Url) -> bool {
    let mut rest = written.as_bytes();
    // A URL written without a path is sent with `/`, the smallest request target.
    let path_added = url.path() == "/" && !rest.starts_with(b"/");
    if !path_added {
        match strip_encoded(rest, url.path().as_bytes()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    match url.query() {
        Some(q) => match rest.strip_prefix(b"?") {
            Some(r) => strip_encoded(r, q.as_bytes()).is_some_and(<[u8]>::is_empty),
            None => false,
        },
        None => rest.is_empty(),
    }
}

/// What is left of `written` after `sent`, when `sent` is a prefix of it with some bytes
/// percent-encoded; `None` when it is not.
fn strip_encoded<'w>(written: &'w [u8], sent: &[u8]) -> Option<&'w [u8]> {
    let (mut w, mut s) = (0, 0);
    while s < sent.len() {
        let byte = *written.get(w)?;
        if sent[s] == byte {
            s += 1;
        } else if sent[s] == b'%' && decode_escape(sent.get(s + 1..s + 3)?) == Some(byte) {
            s += 3;
        } else {
            return None;
        }
        w += 1;
    }
    Some(&written[w..])
}

/// The byte of a `%XX` escape's two hex digits.
fn decode_escape(hex: &[u8]) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    match hex {
        [hi, lo] => Some((digit(*hi)? * 16 + digit(*lo)?) as u8),
        _ => None,
    }
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

    /// A loopback server: echo, a redirect, bodies over the limit, a slow answer, and any other
    /// path answered with the request target as it arrived.
    async fn server() -> String {
        let app = axum::Router::new()
            .route(
                "/echo",
                post(|headers: http::HeaderMap, body: bytes::Bytes| async move {
                    // Every value, so a header sent twice shows.
                    let h = |n: &str| {
                        headers
                            .get_all(n)
                            .iter()
                            .filter_map(|v| v.to_str().ok())
                            .collect::<Vec<_>>()
                            .join(",")
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
                // No length declared, and no end: only the client's limit stops it.
                "/endless",
                get(|| async {
                    let chunk = bytes::Bytes::from(vec![b'a'; 64 * 1024]);
                    axum::body::Body::from_stream(futures_util::stream::repeat_with(move || {
                        Ok::<_, std::io::Error>(chunk.clone())
                    }))
                }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .fallback(|uri: http::Uri| async move {
                uri.path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default()
            });
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

    fn client() -> Http {
        Http::new().expect("the client builds")
    }

    const WAIT: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn headers_and_body_are_sent_with_the_defaults_the_case_does_not_override() {
        let base = server().await;
        let http = client();
        let mut o = outgoing(http::Method::POST, format!("{base}/echo"));
        o.headers.push(("X-Custom".into(), "c1".into()));
        o.body = Some(b"{\"a\":1}".to_vec());
        let r = http.send(&o, WAIT).await.expect("sent");
        assert_eq!(r.status, 201);
        assert_eq!(
            String::from_utf8_lossy(&r.body),
            format!("{USER_AGENT}|*/*|c1|7|{{\"a\":1}}"),
            "user agent, accept, the case's header, the length and the body arrive"
        );
        assert_eq!(r.header("x-mixed-case"), Some("v1"));
        assert!(
            r.headers.iter().all(|(k, _)| *k == k.to_ascii_lowercase()),
            "names are lower-case: {:?}",
            r.headers
        );
        // The case's own user agent and accept win, and are not sent twice.
        o.headers.push(("User-Agent".into(), "mine".into()));
        o.headers.push(("Accept".into(), "application/json".into()));
        let r = http.send(&o, WAIT).await.expect("sent");
        assert!(
            String::from_utf8_lossy(&r.body).starts_with("mine|application/json|c1|"),
            "{}",
            String::from_utf8_lossy(&r.body)
        );
    }

    #[tokio::test]
    async fn a_redirect_is_reported_not_followed() {
        let base = server().await;
        let r = client()
            .send(&outgoing(http::Method::GET, format!("{base}/moved")), WAIT)
            .await
            .expect("sent");
        assert_eq!(r.status, 302);
        assert_eq!(r.header("location"), Some("/echo"));
    }

    #[tokio::test]
    async fn transport_failures_are_classified() {
        let base = server().await;
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr")
        };
        let http = client();
        let get = |path: &str| outgoing(http::Method::GET, format!("{base}{path}"));
        // Declared over the limit, and streamed without end: both stop at the limit.
        for path in ["/huge", "/endless"] {
            let r = http.send(&get(path), WAIT).await;
            assert_eq!(r.err(), Some(TransportError::TooLarge), "{path}");
        }
        let slow = Duration::from_millis(200);
        let late = http.send(&get("/slow"), slow).await;
        assert_eq!(late.err(), Some(TransportError::Timeout(slow)));
        let refused = http
            .send(
                &outgoing(http::Method::GET, format!("http://{closed}/")),
                WAIT,
            )
            .await;
        assert!(
            matches!(&refused, Err(e @ TransportError::Connect(_)) if e.is_retryable()),
            "{refused:?}"
        );
        let mut bad = get("/echo");
        bad.headers.push(("bad name".into(), "v".into()));
        assert!(matches!(
            http.send(&bad, WAIT).await,
            Err(TransportError::Invalid(_))
        ));
        for url in ["not a url", "ftp://127.0.0.1/x"] {
            let r = http
                .send(&outgoing(http::Method::GET, url.into()), WAIT)
                .await;
            assert!(matches!(r, Err(TransportError::Invalid(_))), "{url}: {r:?}");
        }
    }

    #[tokio::test]
    async fn paths_arrive_as_written_with_only_what_must_be_escaped_escaped() {
        let base = server().await;
        let http = client();
        for (written, arrived) in [
            // Escapes, stray `%`, dots that are not dot segments and empty segments stay.
            (
                "/raw/a%2Fb/%ff%FE/%zz/..x/.../x../a//b?q=%2F&r=a/b?c",
                "/raw/a%2Fb/%ff%FE/%zz/..x/.../x../a//b?q=%2F&r=a/b?c",
            ),
            // What a request line cannot carry is percent-encoded, nothing else.
            (
                "/raw/a b/é/{id}/\"q\"?x=y z&é=1",
                "/raw/a%20b/%C3%A9/%7Bid%7D/%22q%22?x=y%20z&%C3%A9=1",
            ),
            ("?only=query", "/?only=query"),
        ] {
            let r = http
                .send(
                    &outgoing(http::Method::GET, format!("{base}{written}")),
                    WAIT,
                )
                .await
                .expect(written);
            assert_eq!(String::from_utf8_lossy(&r.body), arrived, "{written}");
        }
        // What URL parsing would change is refused rather than sent elsewhere.
        for (written, would) in [
            ("/raw/../x", "/x"),
            ("/raw/./x", "/raw/x"),
            ("/raw/%2e%2E/x", "/x"),
            ("/raw/.%2e", "/"),
            ("/raw/a\\b", "/raw/a/b"),
            ("/raw/a#b", "/raw/a"),
            ("/raw/a\tb", "/raw/ab"),
            ("/raw/a ", "/raw/a"),
        ] {
            let r = http
                .send(
                    &outgoing(http::Method::GET, format!("{base}{written}")),
                    WAIT,
                )
                .await;
            assert_eq!(
                r.err(),
                Some(TransportError::Invalid(format!(
                    "path '{written}' cannot be sent as written: URL parsing would send '{would}'"
                ))),
                "{written:?}"
            );
        }
    }
}

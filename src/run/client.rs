//! The HTTP client: one pooled reqwest client per run, bounded response bodies.

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
    client: reqwest::Client,
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

impl Http {
    /// Builds the client once per run.
    pub fn new() -> Result<Http, String> {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(64)
            .user_agent(concat!("conform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(|client| Http { client })
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }

    /// Sends one request.
    pub async fn send(&self, o: &Outgoing, timeout: Duration) -> Result<Incoming, TransportError> {
        let mut rb = self
            .client
            .request(o.method.clone(), &o.url)
            .timeout(timeout);
        for (k, v) in &o.headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| TransportError::Invalid(format!("header name '{k}'")))?;
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|_| TransportError::Invalid(format!("value of header '{k}'")))?;
            rb = rb.header(name, value);
        }
        if let Some(b) = &o.body {
            rb = rb.body(b.clone());
        }
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                TransportError::Timeout(timeout)
            } else if e.is_connect() {
                TransportError::Connect(root_cause(&e))
            } else if e.is_builder() {
                TransportError::Invalid(root_cause(&e))
            } else {
                TransportError::Broken(root_cause(&e))
            }
        };
        let mut resp = rb.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
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

/// The path and query of a full URL (`/v2/p/x?y=1` of `http://host/v2/p/x?y=1`).
pub fn path_and_query(url: &str) -> String {
    url.splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default()
}

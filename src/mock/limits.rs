//! Transport limits: how long a client may take to send a request, how large its body may be, and
//! how an early answer leaves the connection so that the client still reads it.
//!
//! The body is read here, once, before auth and routing, so no handler ever answers while bytes
//! are still on the wire. When the mock answers before the body is complete (a declared or actual
//! size over [`BODY_LIMIT`]), the rest is drained in the background, bounded in bytes and time,
//! before the connection closes: closing a socket with unread data makes the kernel send a reset,
//! which can destroy the answer before the client reads it (nginx's "lingering close" exists for
//! the same reason).

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use http_body::Body as _;
use http_body_util::BodyExt;

use super::error::{ApiError, Service};
use super::BODY_LIMIT;

/// Default time a client has to send a request's headers, and how long an idle keep-alive
/// connection stays open.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a client has to send a whole request body once its headers arrived.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this much of a refused body is read and discarded before the connection closes.
pub const DRAIN_LIMIT: usize = 8 * 1024 * 1024;
/// At most this long is spent draining a refused body.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long clients may take (configurable with `conform mock --header-timeout/--body-timeout`)
/// and how large a body may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to send the request line and headers; also the idle keep-alive timeout. A connection
    /// that exceeds it is closed without an answer (a half-sent request has nothing to answer).
    pub header_timeout: Duration,
    /// Time to send the whole body; exceeding it is answered 408 and the connection closed.
    pub body_timeout: Duration,
    /// Largest body read, in bytes: [`BODY_LIMIT`], or more where the contract documents a
    /// field larger than that (see [`Limits::covering`]).
    pub body_limit: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            body_limit: BODY_LIMIT,
        }
    }
}

impl Limits {
    /// These limits with a body limit that takes a request holding one field at its documented
    /// byte limit (`x-maxBytes`: APIG's debug body is "最长2097152字节"): twice the field's
    /// limit, the field and as much again for the rest of the body, where that is more than
    /// the limit already set. A limit the pages state is the service's, so a body the contract
    /// allows is never 413 for its size alone; contracts of small fields keep [`BODY_LIMIT`].
    pub fn covering(self, largest_field: u64) -> Limits {
        let needed = usize::try_from(largest_field)
            .unwrap_or(usize::MAX)
            .saturating_mul(2);
        Limits {
            body_limit: self.body_limit.max(needed),
            ..self
        }
    }
}

/// The largest `x-maxBytes` anywhere in a schema (0 where none is stated).
pub fn largest_max_bytes(schema: &serde_json::Value) -> u64 {
    match schema {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match (k.as_str(), v) {
                (crate::contract::keywords::MAX_BYTES, serde_json::Value::Number(n)) => {
                    n.as_u64().unwrap_or(0)
                }
                _ => largest_max_bytes(v),
            })
            .max()
            .unwrap_or(0),
        serde_json::Value::Array(a) => a.iter().map(largest_max_bytes).max().unwrap_or(0),
        _ => 0,
    }
}

/// How reading a body ended.
enum Read {
    /// The whole body, within the limit.
    Complete,
    /// More than the body limit.
    Over,
}

/// The declared `Content-Length`, if any and well-formed.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// A body's bytes as read so far. The usual body, one frame read with its headers, is kept as
/// hyper handed it over (a share of its read buffer), not copied; only a second frame starts a
/// buffer of their concatenation.
#[derive(Debug, Default)]
struct Collected {
    /// The only frame so far (then `joined` is empty).
    first: Option<Bytes>,
    joined: BytesMut,
}

impl Collected {
    fn len(&self) -> usize {
        self.first.as_ref().map_or(self.joined.len(), Bytes::len)
    }

    fn push(&mut self, data: Bytes) {
        match self.first.take() {
            None if self.joined.is_empty() => self.first = Some(data),
            Some(first) => {
                self.joined.extend_from_slice(&first);
                self.joined.extend_from_slice(&data);
            }
            None => self.joined.extend_from_slice(&data),
        }
    }

    fn freeze(self) -> Bytes {
        match self.first {
            Some(only) => only,
            None => self.joined.freeze(),
        }
    }
}

/// Adds a frame's data to `buf`; `Some(Read::Over)` when that would pass `limit`.
fn append(buf: &mut Collected, frame: http_body::Frame<Bytes>, limit: usize) -> Option<Read> {
    let data = frame.into_data().ok()?;
    if buf.len() + data.len() > limit {
        return Some(Read::Over);
    }
    buf.push(data);
    None
}

async fn read_into(
    body: &mut Body,
    buf: &mut Collected,
    limit: usize,
) -> Result<Read, axum::Error> {
    while let Some(frame) = body.frame().await {
        if let Some(over) = append(buf, frame?, limit) {
            return Ok(over);
        }
    }
    Ok(Read::Complete)
}

/// Takes the frames that are ready now, without waiting: `Some` when that ended the body (or
/// passed the limit), `None` when more is still to come.
fn take_ready(
    body: &mut Body,
    buf: &mut Collected,
    limit: usize,
) -> Result<Option<Read>, axum::Error> {
    use futures_util::FutureExt;
    loop {
        match body.frame().now_or_never() {
            None => return Ok(None),
            Some(None) => return Ok(Some(Read::Complete)),
            Some(Some(frame)) => {
                if let Some(over) = append(buf, frame?, limit) {
                    return Ok(Some(over));
                }
            }
        }
    }
}

/// Reads and discards the rest of a refused body in the background, bounded by [`DRAIN_LIMIT`]
/// and [`DRAIN_TIMEOUT`], so the connection closes with nothing unread (no reset).
fn drain(mut body: Body) {
    // Outside a runtime (an answer dropped after shutdown) there is no connection left to save.
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let discard = async {
            let mut seen = 0usize;
            while let Some(Ok(frame)) = body.frame().await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > DRAIN_LIMIT {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, discard).await;
    });
}

/// An answer given before the request's body was read to its end.
#[derive(Debug)]
pub struct Refused {
    /// The answer.
    pub error: ApiError,
    /// The unread rest of a body over the limit, to drain once the answer's head is out (see
    /// [`drain_after`]).
    pub rest: Option<Body>,
}

impl Refused {
    fn too_large(service: Service, rest: Body, limit: usize) -> Refused {
        Refused {
            error: ApiError::too_large(service, limit),
            rest: Some(rest),
        }
    }
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Refused {
        Refused { error, rest: None }
    }
}

/// Reads a request's body into memory within the limits. An `Err` is the answer to send at once
/// (413 for a body over `limits.body_limit`, declared or actual; 408 for a body slower than
/// `body_timeout`; 400 for a body the client broke off); the connection is closed after it.
pub async fn buffer(
    req: Request,
    limits: Limits,
    service: Service,
) -> Result<(Parts, Bytes), Refused> {
    let (parts, mut body) = req.into_parts();
    let limit = limits.body_limit;
    if content_length(&parts.headers).is_some_and(|n| n > limit as u64) {
        // Answer now: waiting for a body that may never come (a 1 GB declaration with a small
        // body) would hang the client until its own timeout. Drained even when the client asked
        // `Expect: 100-continue`: it may send without waiting for the 100 (RFC 9110 §10.1.1).
        return Err(Refused::too_large(service, body, limit));
    }
    // Most reads carry no body (hyper knows it from the headers): nothing to wait for, so no
    // timer and no buffer.
    if body.is_end_stream() {
        return Ok((parts, Bytes::new()));
    }
    let mut buf = Collected::default();
    // A small body usually arrives with its headers: what is already read is taken without
    // arming the body timer (a timer a request is a measurable share of a PUT's cost).
    match take_ready(&mut body, &mut buf, limit) {
        Ok(Some(Read::Complete)) => {
            return Ok((parts, buf.freeze()));
        }
        Ok(Some(Read::Over)) => return Err(Refused::too_large(service, body, limit)),
        Ok(None) => {}
        Err(e) => {
            return Err(
                ApiError::malformed(service, &format!("the body could not be read: {e}")).into(),
            )
        }
    }
    match tokio::time::timeout(limits.body_timeout, read_into(&mut body, &mut buf, limit)).await {
        Ok(Ok(Read::Complete)) => Ok((parts, buf.freeze())),
        Ok(Ok(Read::Over)) => Err(Refused::too_large(service, body, limit)),
        Ok(Err(e)) => {
            Err(ApiError::malformed(service, &format!("the body could not be read: {e}")).into())
        }
        Err(_) => Err(ApiError::request_timeout(service, limits.body_timeout).into()),
    }
}

/// The answer to a refused request, draining `rest` once hyper has taken the answer's head (it
/// polls the body only then, or drops it unpolled). Draining earlier would make hyper send
/// `100 Continue` to a client that asked for it, inviting the body the answer refuses; every
/// early answer drains this one way.
pub fn drain_after(response: Response, rest: Body) -> Response {
    let (parts, answer) = response.into_parts();
    Response::from_parts(
        parts,
        Body::new(DrainAfter {
            answer,
            rest: Some(rest),
        }),
    )
}

/// An answer's body that starts draining the request's rest when first polled or dropped.
struct DrainAfter {
    answer: Body,
    rest: Option<Body>,
}

impl http_body::Body for DrainAfter {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Some(rest) = this.rest.take() {
            drain(rest);
        }
        std::pin::Pin::new(&mut this.answer).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.answer.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.answer.size_hint()
    }
}

impl Drop for DrainAfter {
    fn drop(&mut self) {
        // An answer hyper never polls (to HEAD, or empty) still leaves its request's rest drained.
        if let Some(rest) = self.rest.take() {
            drain(rest);
        }
    }
}

/// Whether a `Content-Type` is one the services parse as JSON. Nova and Cinder accept
/// `application/json`, their vendor JSON types, and treat `text/plain` or an empty or missing
/// header as "not stated" (`get_content_type` in their `api/openstack/wsgi.py`); anything else
/// is refused with 415 before the body is parsed.
pub fn acceptable_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    // Compared case-insensitively in place: lower-casing a copy was an allocation a request.
    [
        "",
        "text/plain",
        "application/json",
        "application/vnd.openstack.volume+json",
        "application/vnd.openstack.compute+json",
    ]
    .iter()
    .any(|t| essence.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_limit_covers_the_largest_documented_field() {
        let schema = serde_json::json!({"properties": {
            "a": {"type": "string", "x-maxBytes": 255},
            "b": {"type": "array", "items": {"type": "string", "x-maxBytes": 2_097_152}},
        }});
        assert_eq!(largest_max_bytes(&schema), 2_097_152);
        assert_eq!(largest_max_bytes(&serde_json::json!({"type": "object"})), 0);
        let limits = Limits::default();
        assert_eq!(
            limits.covering(0).body_limit,
            BODY_LIMIT,
            "no field: the floor"
        );
        assert_eq!(
            limits.covering(255).body_limit,
            BODY_LIMIT,
            "small fields fit"
        );
        assert_eq!(
            limits.covering(2_097_152).body_limit,
            2 * 2_097_152,
            "room for the field at its limit and the rest of the body"
        );
    }

    #[test]
    fn a_one_frame_body_is_kept_without_a_copy() {
        let frame = Bytes::from_static(b"{\"meta\": {\"k\": \"v\"}}");
        let mut c = Collected::default();
        c.push(frame.clone());
        let body = c.freeze();
        assert_eq!(body, frame);
        assert_eq!(
            body.as_ptr(),
            frame.as_ptr(),
            "the frame itself, not a copy"
        );
    }

    #[test]
    fn frames_are_joined_in_order_and_counted() {
        let mut c = Collected::default();
        for part in ["", "ab", "", "c", "def"] {
            c.push(Bytes::from(part));
        }
        assert_eq!(c.len(), 6);
        assert_eq!(c.freeze(), Bytes::from_static(b"abcdef"));
        assert_eq!(Collected::default().freeze(), Bytes::new());
    }

    #[test]
    fn the_limit_counts_every_frame() {
        let mut c = Collected::default();
        let half = Bytes::from(vec![b'x'; BODY_LIMIT / 2]);
        assert!(append(&mut c, http_body::Frame::data(half.clone()), BODY_LIMIT).is_none());
        assert!(append(&mut c, http_body::Frame::data(half), BODY_LIMIT).is_none());
        assert!(matches!(
            append(
                &mut c,
                http_body::Frame::data(Bytes::from_static(b"y")),
                BODY_LIMIT
            ),
            Some(Read::Over)
        ));
    }
}
